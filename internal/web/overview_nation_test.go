package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
)

// TestNationOverview: the nation's read-only account sees every county of
// every province: the provinces with their counts, and the ranking of all
// counties overviewRows to a page, each page with its own rows and links to the
// others; a province's page leads back to the nation. A province account
// sees only its own, with no way up to the nation.
func TestNationOverview(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 1 000 counties")
	}
	recs := demo.Nation(1, 1000, 1000*3) // 900 counties in one province, 100 in another
	st, srv, nation := benchServer(t, recs, store.User{Username: "nation", Role: store.RoleReadOnly, Region: census.NationCode})
	counties := map[string]bool{}
	provinces := map[string]int{}
	for _, r := range recs {
		if !counties[r.CountyCode] {
			counties[r.CountyCode] = true
			provinces[census.ProvinceCode(r.CountyCode)]++
		}
	}
	if len(provinces) < 2 {
		t.Fatalf("the nation has %d provinces; the test needs two", len(provinces))
	}
	get := func(ck *http.Cookie, target string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.AddCookie(ck)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %.300s", target, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	rowRe := regexp.MustCompile(`<tr data-county="(\d{6})"`)
	rows := func(body string) []string {
		var out []string
		for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	first := get(nation, "/overview")
	for p, n := range provinces {
		m := regexp.MustCompile(`<tr data-city="` + p + `"><td><a [^>]*>[^<]+</a></td><td class="num">(\d+)</td>`).FindStringSubmatch(first)
		if m == nil || m[1] != itoa(n) {
			t.Errorf("province %s: row %v, want %d counties", p, m, n)
		}
	}
	if !strings.Contains(first, `id="pager"`) || !strings.Contains(first, fmt.Sprintf("第 1–%d 个，共 1000 个", overviewRows)) {
		t.Errorf("page 1 lacks its pager line")
	}
	if strings.Contains(first, "/report/000000") {
		t.Errorf("the nation's page offers a summary report the nation has not")
	}
	r0 := httptest.NewRequest(http.MethodGet, "/report/000000/html", nil)
	r0.AddCookie(nation)
	w0 := httptest.NewRecorder()
	srv.ServeHTTP(w0, r0)
	if w0.Code != http.StatusNotFound {
		t.Errorf("/report/000000/html: %d, want 404", w0.Code)
	}
	seen := map[string]bool{}
	pages := (1000 + overviewRows - 1) / overviewRows
	all := rows(first)
	if len(all) != overviewRows {
		t.Fatalf("page 1 has %d rows, want %d", len(all), overviewRows)
	}
	var last []string
	for n := 2; n <= pages; n++ {
		last = rows(get(nation, fmt.Sprintf("/overview?page=%d", n)))
		all = append(all, last...)
	}
	if len(all) != 1000 {
		t.Fatalf("%d pages hold %d rows, want 1000", pages, len(all))
	}
	for _, c := range all {
		if seen[c] || !counties[c] {
			t.Errorf("county %s twice or unknown", c)
		}
		seen[c] = true
	}
	if got := rows(get(nation, "/overview?page=99")); len(got) != len(last) || got[0] != last[0] {
		t.Errorf("a page past the last shows %d rows, want the last page's", len(got))
	}
	// A province's page: its counties only, and the nation above it.
	var prov string
	for p := range provinces {
		prov = p
		break
	}
	pp := get(nation, "/overview?region="+prov)
	if !regexp.MustCompile(`class="crumbs"[^>]*><a href="/overview\?[^"]*region=000000[^"]*">全国</a>`).MatchString(pp) {
		t.Errorf("a province's page as the nation has no link up to it")
	}
	for _, c := range rows(pp) {
		if census.ProvinceCode(c) != prov {
			t.Errorf("province %s's page lists %s", prov, c)
		}
	}
	// A province's account: no nation above it, and no nation page.
	u, err := st.CreateUser(t.Context(), store.User{Username: "p", Role: store.RoleProvince, Region: prov}, "password1")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.CreateSession(t.Context(), u.ID, 1e15)
	if err != nil {
		t.Fatal(err)
	}
	pc := &http.Cookie{Name: sessionCookie, Value: tok}
	if body := get(pc, "/overview"); strings.Contains(body, "region=000000") {
		t.Errorf("a province account's overview links to the nation")
	}
	r := httptest.NewRequest(http.MethodGet, "/overview?region=000000", nil)
	r.AddCookie(pc)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusNotFound {
		t.Errorf("a province account's nation page: %d, want 404", w.Code)
	}
}
