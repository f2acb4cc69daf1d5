package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestGzipPages: a browser that accepts gzip gets the pages, the JSON API
// and the assets compressed, and the same bytes once decompressed; one
// that does not gets them plain; downloads that are zip files or PDFs
// already are never compressed again.
func TestGzipPages(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	for _, tc := range []struct {
		name, path, ctype string
		compressed        bool
	}{
		{"county page", "/county/" + c, "text/html", true},
		{"overview", "/overview", "text/html", true},
		{"json api", "/api/v1/evaluations/" + c, "application/json", true},
		{"css", e.srv.assets.URL("app.css"), "text/css", true},
		{"xlsx export", "/county/" + c + "/export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
		{"pdf report", "/report/" + c + "/pdf", "application/pdf", false},
		{"docx report", "/report/" + c + "/docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := e.get("county", tc.path)
			if plain.Code != http.StatusOK {
				t.Fatalf("plain: status %d", plain.Code)
			}
			if ce := plain.Header().Get("Content-Encoding"); ce != "" {
				t.Errorf("without Accept-Encoding: Content-Encoding %q, want none", ce)
			}
			if ct := plain.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tc.ctype)
			}
			gz := e.get("county", tc.path, "Accept-Encoding", "gzip")
			if gz.Code != http.StatusOK {
				t.Fatalf("gzip: status %d", gz.Code)
			}
			if !strings.Contains(strings.Join(gz.Header().Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("Vary %q does not name Accept-Encoding", gz.Header().Values("Vary"))
			}
			ce := gz.Header().Get("Content-Encoding")
			if !tc.compressed {
				if ce != "" {
					t.Errorf("Content-Encoding %q, want none for a compressed download", ce)
				}
				return
			}
			if ce != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", ce)
			}
			n := gz.Body.Len()
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain.Body.Bytes()) {
				t.Errorf("decompressed body differs from the plain one (%d and %d bytes)", len(got), len(plain.Body.Bytes()))
			}
			t.Logf("%s: %d bytes, %d compressed", tc.path, len(got), n)
		})
	}
}

// TestCompressOtherEncodings: a browser that names zstd as well gets it (or
// gzip); one that accepts neither gets plain text.
func TestCompressOtherEncodings(t *testing.T) {
	e := newEnv(t)
	path := "/county/" + county().Code
	if ce := e.get("county", path, "Accept-Encoding", "gzip, deflate, br, zstd").Header().Get("Content-Encoding"); ce != "zstd" && ce != "gzip" {
		t.Errorf("Accept-Encoding with zstd: Content-Encoding %q", ce)
	}
	if ce := e.get("county", path, "Accept-Encoding", "identity").Header().Get("Content-Encoding"); ce != "" {
		t.Errorf("Accept-Encoding identity: Content-Encoding %q", ce)
	}
}
