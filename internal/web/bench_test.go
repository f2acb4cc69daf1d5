package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// benchCounty stores one synthetic county of about 300 school parts (280
// schools, a tenth of them nine-year schools with two parts) and returns a
// server, the county's code and a county account's session cookie.
func benchCounty(b *testing.B) (*Server, string, *http.Cookie, int) {
	b.Helper()
	ctx := context.Background()
	recs := storetest.Synthetic(2024, 280, 1, 7)
	code := recs[0].CountyCode
	_, srv, cookie := benchServer(b, recs, store.User{Username: "c", Role: store.RoleCounty, Region: code})
	cty, err := srv.cache.county(ctx, mustRules(), 2024, code)
	if err != nil {
		b.Fatal(err)
	}
	parts := 0
	for _, p := range cty.Parts {
		if !p.Excluded {
			parts++
		}
	}
	return srv, code, cookie, parts
}

// benchServer stores recs in a new SQLite database and returns it, a
// server on it and the session cookie of a new account u.
func benchServer(b testing.TB, recs []census.School, u store.User) (*store.Store, *Server, *http.Cookie) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Import(ctx, "bench", []store.FileBatch{{File: "bench.csv", Schools: recs}}); err != nil {
		b.Fatal(err)
	}
	u, err = st.CreateUser(ctx, u, "password1")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := st.CreateSession(ctx, u.ID, 1e15)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	return st, srv, &http.Cookie{Name: sessionCookie, Value: tok}
}

// BenchmarkCountyPage measures the server time of the county page of a
// county of ~300 school parts: "warm" with the county's evaluation cached
// (every request after the first), "cold" evaluating it for every request
// (the first request after an import or edit).
func BenchmarkCountyPage(b *testing.B) {
	srv, code, ck, parts := benchCounty(b)
	b.Logf("county %s: %d school parts", code, parts)
	get := func(b *testing.B) {
		r := httptest.NewRequest("GET", "/county/"+code, nil)
		r.AddCookie(ck)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
		b.SetBytes(int64(w.Body.Len()))
	}
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			get(b)
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			srv.cache = newEvalCache(srv.st)
			get(b)
		}
	})
}

// benchNation stores a synthetic nation (2 900 counties, about 207 000
// school records) and returns a server and the session cookie of account u.
func benchNation(b *testing.B, u store.User) (*store.Store, *Server, *http.Cookie) {
	b.Helper()
	return benchServer(b, demo.Nation(1, 2900, 206947), u)
}

// BenchmarkNationOverview measures the overview of a stored nation (2 900
// counties, about 207 000 school records) for the nation's read-only
// account (every county, by province) and for the account of its largest
// province (900 counties, about 64 000 records): "warm" with the
// evaluation cached, "first" the first request of a new server on the
// stored nation (what a user waits for after `dudao serve` starts).
//
//	go test ./internal/web -run '^$' -bench NationOverview -benchtime 5x
func BenchmarkNationOverview(b *testing.B) {
	for _, u := range []store.User{
		{Username: "nation", Role: store.RoleReadOnly, Region: census.NationCode},
		{Username: "p11", Role: store.RoleProvince, Region: "110000"},
	} {
		b.Run(u.Username, func(b *testing.B) {
			st, srv, cookie := benchNation(b, u)
			get := func(srv *Server) {
				req := httptest.NewRequest(http.MethodGet, "/overview", nil)
				req.AddCookie(cookie)
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("overview: %d %.300s", w.Code, w.Body.String())
				}
				b.SetBytes(int64(w.Body.Len()))
			}
			b.Run("warm", func(b *testing.B) {
				get(srv)
				b.ResetTimer()
				for b.Loop() {
					get(srv)
				}
			})
			b.Run("first", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					fresh, err := New(Config{Store: st})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					get(fresh)
				}
			})
		})
	}
}

// BenchmarkNationCountyPage measures county pages of a stored nation (2 900
// counties, about 207 000 school records) for the nation's read-only
// account, as bench/nationserve.sh's users browse them: 500 counties in
// turn, each already viewed once (warm).
//
//	go test ./internal/web -run '^$' -bench NationCountyPage -benchtime 5000x
func BenchmarkNationCountyPage(b *testing.B) {
	recs := demo.Nation(1, 2900, 206947)
	_, srv, cookie := benchServer(b, recs, store.User{Username: "nation", Role: store.RoleReadOnly, Region: census.NationCode})
	var codes []string
	seen := map[string]bool{}
	for _, s := range recs {
		if !seen[s.CountyCode] && len(codes) < 500 {
			seen[s.CountyCode] = true
			codes = append(codes, s.CountyCode)
		}
	}
	get := func(code string) {
		req := httptest.NewRequest(http.MethodGet, "/county/"+code, nil)
		req.Header.Set("Accept-Encoding", "gzip") // as every browser
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("county %s: %d %.300s", code, w.Code, w.Body.String())
		}
		b.SetBytes(int64(w.Body.Len()))
	}
	for _, c := range codes {
		get(c)
	}
	i := 0
	for b.Loop() {
		get(codes[i%len(codes)])
		i++
	}
}
