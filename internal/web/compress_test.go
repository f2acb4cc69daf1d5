package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"hash/crc32"
	"html/template"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
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

// TestCountyPageSpliced: the county page, whose body is cached and sent
// compressed once (splice.go), decompresses to the bytes of the page sent
// plain, on its first view and from the cache, to browsers that take gzip
// alone or among others, and to many at once; a browser that refuses gzip
// (q=0) or names none gets it plain; the gzip header carries the padding
// that hides the page's size.
func TestCountyPageSpliced(t *testing.T) {
	e := newEnv(t)
	path := "/county/" + county().Code
	gunzip := func(t *testing.T, name string, w *httptest.ResponseRecorder) []byte {
		t.Helper()
		if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: status %d, Content-Encoding %q", name, w.Code, w.Header().Get("Content-Encoding"))
		}
		if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: Vary %q", name, w.Header().Values("Vary"))
		}
		if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
			t.Errorf("%s: Content-Length %s of %d bytes", name, cl, w.Body.Len())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := len(zr.Header.Comment); n < 1 || n > 32 {
			t.Errorf("%s: padding of %d bytes", name, n)
		}
		got, err := io.ReadAll(zr) // checks the CRC and the size
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return got
	}
	first := gunzip(t, "first view", e.get("county", path, "Accept-Encoding", "gzip"))
	cached := gunzip(t, "from the cache", e.get("county", path, "Accept-Encoding", "gzip"))
	others := gunzip(t, "among others", e.get("county", path, "Accept-Encoding", "br;q=1.0, gzip;q=0.8, zstd"))
	plain := e.get("county", path)
	if plain.Header().Get("Content-Encoding") != "" || !strings.Contains(plain.Body.String(), "county-verdict") {
		t.Fatalf("plain: %q %.200s", plain.Header().Get("Content-Encoding"), plain.Body.String())
	}
	if strings.Contains(plain.Body.String(), bodyMark) {
		t.Error("the body's mark was sent")
	}
	for name, got := range map[string][]byte{"first view": first, "from the cache": cached, "among others": others} {
		if !bytes.Equal(got, plain.Body.Bytes()) {
			t.Errorf("%s: %d bytes decompressed, plain page %d", name, len(got), plain.Body.Len())
		}
	}
	for _, ae := range []string{"gzip;q=0", "identity", "br"} {
		w := e.get("county", path, "Accept-Encoding", ae)
		if ce := w.Header().Get("Content-Encoding"); ce == "gzip" || !bytes.Equal(w.Body.Bytes(), plain.Body.Bytes()) && ce == "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, %d bytes", ae, ce, w.Body.Len())
		}
	}
	// Many browsers at once on a server whose cache is cold.
	e2 := newEnv(t)
	var wg sync.WaitGroup
	got := make([][]byte, 16)
	for i := range got {
		wg.Go(func() {
			w := e2.get("county", path, "Accept-Encoding", "gzip")
			if zr, err := gzip.NewReader(w.Body); err == nil {
				got[i], _ = io.ReadAll(zr)
			}
		})
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, plain.Body.Bytes()) {
			t.Errorf("browser %d of 16 at once: %d bytes", i, len(g))
		}
	}
}

// TestCRC32Combine: the CRC of two texts combined from theirs is the CRC
// of the whole, at every split of texts of every small length and of a
// page's size.
func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 64, 1000, 70_000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		splits := []int{0, n / 2, n}
		if n < 70 {
			splits = splits[:0]
			for i := range n + 1 {
				splits = append(splits, i)
			}
		}
		for _, i := range splits {
			got := crc32Combine(crc32.ChecksumIEEE(b[:i]), crc32.ChecksumIEEE(b[i:]), int64(n-i))
			if want := crc32.ChecksumIEEE(b); got != want {
				t.Fatalf("%d bytes split at %d: %08x, want %08x", n, i, got, want)
			}
		}
	}
}

// TestGzipPieces: pieces compressed apart and joined make one gzip member
// that decompresses, its CRC and size checked, to their texts one after
// the other: none, one or several pieces, empty ones among them, of sizes
// from a byte to a page's.
func TestGzipPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			if rng.IntN(4) == 0 {
				b[i] = byte(rng.Uint32()) // some of it incompressible
			} else {
				b[i] = "<td>县区 0.5</td>\n"[rng.IntN(20)]
			}
		}
		return string(b)
	}
	sizes := []int{0, 1, 2, 100, 4096, 70_000}
	for round := range 200 {
		var pieces []*pageBody
		var want strings.Builder
		for range rng.IntN(5) {
			p := newPageBody(template.HTML(text(sizes[rng.IntN(len(sizes))])))
			if rng.IntN(3) == 0 {
				p.compressed() // some compressed before, as a kept body is
			}
			pieces = append(pieces, p)
			want.WriteString(string(p.html))
		}
		var out bytes.Buffer
		writeGzipPieces(&out, pieces...)
		zr, err := gzip.NewReader(&out)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("round %d, %d pieces: %v", round, len(pieces), err)
		}
		if string(got) != want.String() {
			t.Fatalf("round %d, %d pieces: %d bytes decompressed, want %d", round, len(pieces), len(got), want.Len())
		}
		if n := len(zr.Header.Comment); n < 1 || n > 32 {
			t.Errorf("round %d: padding of %d bytes", round, n)
		}
		if _, err := zr.Read(make([]byte, 1)); err != io.EOF || out.Len() != 0 {
			t.Fatalf("round %d: %d bytes after the member", round, out.Len())
		}
	}
}

// TestGoneBrowserNotLogged: a request whose browser has gone before its
// session was read is answered with nothing and logs no error (a load
// test's end logged one per open connection).
func TestGoneBrowserNotLogged(t *testing.T) {
	e := newEnv(t)
	var log bytes.Buffer
	srv, err := New(Config{Store: e.st, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/county/"+county().Code, nil)
	r.AddCookie(e.session("county"))
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("logged:\n%s", log.String())
	}
	if w.Body.Len() > 0 && strings.Contains(w.Body.String(), "county-verdict") {
		t.Errorf("a page was rendered for a browser that has gone")
	}
}

// TestCountyFrameKept: a county page whose frame (the header, the menu,
// the data status line) is kept gives, request for request, the page
// rendered afresh, whichever account, language, message, year, htmx
// block and coding asked before; and a new data status shows at once.
func TestCountyFrameKept(t *testing.T) {
	e := newEnv(t)
	c := county()
	path := "/county/" + c.Code
	page := func(w *httptest.ResponseRecorder) string {
		t.Helper()
		if w.Code != http.StatusOK {
			t.Fatalf("status %d: %.300s", w.Code, w.Body.String())
		}
		if w.Header().Get("Content-Encoding") != "gzip" {
			return w.Body.String()
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	type req struct {
		account, target string
		hdr             []string
	}
	var reqs []req
	for _, account := range []string{"county", "city", "admin", "viewer", "nation"} {
		for _, target := range []string{path, path + "?year=" + strconv.Itoa(demo.LatestYear-1)} {
			for _, hdr := range [][]string{
				nil,
				{"Accept-Encoding", "gzip"},
				{"Cookie", langCookie + "=en", "Accept-Encoding", "gzip"},
				{"Accept-Language", "en-GB,en;q=0.9"},
				{"Cookie", flashCookie + "=" + url.QueryEscape("已保存"), "Accept-Encoding", "gzip"},
				{"HX-Request", "true", "HX-Boosted", "true", "Accept-Encoding", "gzip"},
			} {
				reqs = append(reqs, req{account, target, hdr})
			}
		}
	}
	check := func(when string) {
		t.Helper()
		seen := map[string]bool{}
		for round := range 2 { // the second round finds every frame kept
			for _, q := range reqs {
				kept := page(e.get(q.account, q.target, q.hdr...))
				e.srv.frames.off = true
				fresh := page(e.get(q.account, q.target, q.hdr...))
				e.srv.frames.off = false
				if kept != fresh {
					t.Fatalf("%s, round %d, %s %s %q: the page with its frame kept differs from the page rendered afresh", when, round, q.account, q.target, q.hdr)
				}
				seen[fresh] = true
			}
		}
		// Accounts, languages and messages give different pages.
		if len(seen) < len(reqs)/3 {
			t.Errorf("%s: %d different pages of %d requests", when, len(seen), len(reqs))
		}
	}
	check("before")
	if n := len(e.srv.frames.m); n < len(reqs)/3 {
		t.Errorf("%d frames kept", n)
	}
	// A reporting task for the county changes its data status line, which
	// is in the frame, not in the cached body.
	if _, _, err := e.st.CreateTask(context.Background(), "county", store.Task{Title: "核查任务", Year: demo.LatestYear, Kinds: []string{"school"},
		Region: c.Code, OpenerLevel: review.LevelCounty, Due: "2030-01-01"}); err != nil {
		t.Fatal(err)
	}
	if got := page(e.get("county", path)); !strings.Contains(got, "核查任务") {
		t.Errorf("the new task's title is not on the page: %.2000s", got)
	}
	check("after a task")
	// The account's own record is in the frame: a new name shows at once.
	u, err := e.st.UserByID(context.Background(), seedAccounts["county"].ID)
	if err != nil {
		t.Fatal(err)
	}
	u.DisplayName = "县督导室（新名）"
	if err := e.st.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if got := page(e.get("county", path)); !strings.Contains(got, u.DisplayName) {
		t.Errorf("the account's new name is not on the page: %.2000s", got)
	}
	check("after a new name")
}
