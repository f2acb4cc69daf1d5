package web

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// secondInstance is another server on e's database, with its own store
// (its own connections and caches), as a second dudao serve process
// behind a load balancer would be.
func (e *env) secondInstance(t *testing.T) *env {
	t.Helper()
	return e.instanceOn(t, "sqlite:"+e.path)
}

// instanceOn is a server with its own store on the database dsn, with e's
// accounts.
func (e *env) instanceOn(t *testing.T, dsn string) *env {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, st: st, srv: srv, path: e.path, accounts: e.accounts}
}

// newPostgresEnv is a server on a new PostgreSQL database seeded with the
// demo province (see storetest.PostgresDSN for when it skips or fails), and
// the database's address, for a second instance.
func newPostgresEnv(t *testing.T) (*env, string) {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	accts, err := SeedDemo(context.Background(), st, province)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, accounts: map[string]DemoAccount{}}
	for _, a := range accts {
		e.accounts[a.Username] = a
	}
	if e.srv, err = New(Config{Store: st}); err != nil {
		t.Fatal(err)
	}
	return e, dsn
}

// TestTwoInstances: an upload previewed on one instance is confirmed on the
// other (once: of two confirmations at once, one imports), and an edit made
// on one is seen at once by the other's cached evaluation. Two dudao serve
// processes share a database: SQLite on one machine, and PostgreSQL, which
// is how several are deployed behind a load balancer.
func TestTwoInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		a := newEnv(t)
		twoInstances(t, a, a.secondInstance(t))
	})
	t.Run("postgres", func(t *testing.T) {
		a, dsn := newPostgresEnv(t)
		twoInstances(t, a, a.instanceOn(t, dsn))
	})
}

func twoInstances(t *testing.T, a, b *env) {
	data, rec := fixedSchoolCSV(false)

	w := a.upload("county", "学校.csv", data)
	check(t, w, http.StatusOK, hc.In("#upload-preview"))
	tok := uploadToken(t, w.Body)
	// Another account cannot take it on either instance.
	if w := b.postForm("city", "/data/confirm", url.Values{"token": {tok}}); w.Code != http.StatusBadRequest {
		t.Errorf("confirm by another account on the other instance: %d", w.Code)
	}
	// Confirmed on the other instance.
	if w := b.postForm("county", "/data/confirm", url.Values{"token": {tok}}); w.Code != http.StatusSeeOther {
		t.Fatalf("confirm on the other instance: %d %.500s", w.Code, w.Body.String())
	}
	// Two confirmations of one upload at once, one on each instance: one imports.
	w = a.upload("county", "again.csv", data) // unchanged now, still confirmable
	check(t, w, http.StatusOK, hc.In("#upload-preview"))
	tok = uploadToken(t, w.Body)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, e := range []*env{b, a} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.postForm("county", "/data/confirm", url.Values{"token": {tok}}).Code
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusSeeOther:
			ok++
		case http.StatusBadRequest:
		default:
			t.Errorf("confirm: %d", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d confirmations imported, want 1 (%v)", ok, codes)
	}
	hist, _ := b.st.History(context.Background(), demo.LatestYear, rec.Code)
	if len(hist) < 2 || hist[len(hist)-1].File != "学校.csv" && hist[len(hist)-2].File != "学校.csv" {
		t.Fatalf("the upload was not imported: %+v", hist)
	}

	// The other instance's cached evaluation follows an edit at once.
	c := county()
	other := ""
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == c.Code && s.Code != rec.Code {
			other = s.Code
			break
		}
	}
	before := b.get("county", "/api/v1/evaluations/"+c.Code).Body.String()
	w = a.get("county", "/school/"+other+"/edit")
	check(t, w, http.StatusOK)
	form := formOf(t, w.Body.String())
	form.Set("sports_area", "1")
	if w := a.postForm("county", "/school/"+other+"/edit", form); w.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d", w.Code)
	}
	if after := b.get("county", "/api/v1/evaluations/"+c.Code).Body.String(); after == before {
		t.Error("the other instance still serves the evaluation from before the edit")
	}
}
