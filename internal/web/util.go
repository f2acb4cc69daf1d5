package web

import (
	"net/url"
	"path"
)

func store404() error { return notFound("error.404") }

func extOf(name string) string { return path.Ext(name) }

func pathEscape(s string) string { return url.PathEscape(s) }
