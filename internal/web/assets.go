package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file, served at /static/{hash}/{name}.
type asset struct {
	name, hash, ctype string
	raw, gz           []byte
}

// assets are the embedded static files with their content hashes. A URL
// names the hash, so a file can be cached for a year: a new build with a
// changed file gets a new URL.
type assets struct {
	byName map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		x := &asset{name: name, hash: hex.EncodeToString(sum[:6]), raw: b, ctype: mime.TypeByExtension(path.Ext(name))}
		if x.ctype == "" {
			x.ctype = "application/octet-stream"
		}
		if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") || strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".svg") {
			// Compressed once at start-up: ECharts is 1.1 MB raw, 370 KB gzipped.
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			x.gz = buf.Bytes()
		}
		a.byName[name] = x
		return nil
	})
	return a, err
}

// URL returns the content-hashed URL of the asset name; it panics for a name
// that is not embedded, so a template that names a missing file fails when
// it is first rendered in the tests.
func (a *assets) URL(name string) string {
	x, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("web: no asset %q", name))
	}
	return "/static/" + x.hash + "/" + name
}

// serveStatic serves GET /static/{hash}/{name...}.
// serveWorker serves the visit checklist's service worker (static/sw.js)
// at /sw.js: a worker's URL cannot change with its content, so it is
// checked for changes on every load (no-cache), and the browser replaces
// it when its bytes change.
func (s *Server) serveWorker(w http.ResponseWriter, r *http.Request) {
	x, ok := s.assets.byName["sw.js"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(x.raw)
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	x, ok := s.assets.byName[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.PathValue("hash") == x.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old hash (a page cached across an upgrade): serve the current
		// file, but do not let it be cached under the old name.
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+x.hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+x.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := x.raw
	if x.gz != nil {
		// compress (routes.go) has said Vary: Accept-Encoding.
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = x.gz
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
