// Package i18n holds dudao's translations: one flat catalog per language
// (zh-CN.json, en.json, embedded), shared by the web templates and any other
// caller. Chinese is the first language; English is the switch. A test
// proves both catalogs have the same keys.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Lang is a language dudao speaks.
type Lang string

// The languages, Chinese first: it is the default for every visitor whose
// browser does not prefer English.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Langs lists the languages in the order a switch shows them.
var Langs = []Lang{ZH, EN}

//go:embed *.json
var files embed.FS

// catalogs holds each language's messages by key, read from the embedded
// files on first use rather than at start-up: a command that prints no
// message (dudao evaluate) need not spend 5 ms decoding them.
var catalogs = sync.OnceValue(func() map[Lang]map[string]string {
	out := map[Lang]map[string]string{}
	for _, l := range Langs {
		b, err := files.ReadFile(string(l) + ".json")
		if err != nil {
			panic("i18n: " + err.Error())
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", l, err))
		}
		out[l] = m
	}
	return out
})

// Keys returns the catalog of lang, for tests.
func Keys(lang Lang) map[string]string { return catalogs()[lang] }

// Parse returns the language named s ("zh-CN", "zh", "en", "en-US" …) and
// whether it is one dudao speaks.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-"):
		return EN, true
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return ZH, true
	}
	return ZH, false
}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Match picks the language for an Accept-Language header: English only when
// the browser prefers it to Chinese, Chinese otherwise.
func Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return EN
	}
	return ZH
}

// T returns the message key in lang, formatted with args (fmt verbs) when
// there are any. A key missing from lang falls back to Chinese, then to the
// key itself, so a gap shows as a visible key rather than an empty string.
func T(lang Lang, key string, args ...any) string {
	msg, ok := catalogs()[lang][key]
	if !ok {
		if msg, ok = catalogs()[ZH][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key is in the catalog of lang.
func Has(lang Lang, key string) bool {
	_, ok := catalogs()[lang][key]
	return ok
}
