package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// The demo province is generated and stored once; each test gets a copy of
// the database file.
var (
	seedPath     string
	seedAccounts map[string]DemoAccount
	province     *demo.Province
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dudao-web-test-")
	if err != nil {
		panic(err)
	}
	seedPath = filepath.Join(dir, "seed.db")
	code := func() int {
		defer os.RemoveAll(dir)
		ctx := context.Background()
		st, err := store.Open(ctx, "sqlite:"+seedPath)
		if err != nil {
			panic(err)
		}
		province = demo.Generate(demo.DefaultSeed)
		accts, err := SeedDemo(ctx, st, province)
		if err != nil {
			panic(err)
		}
		st.Close()
		seedAccounts = map[string]DemoAccount{}
		for _, a := range accts {
			seedAccounts[a.Username] = a
		}
		return m.Run()
	}()
	os.Exit(code)
}

// env is a server on a copy of the seeded database.
type env struct {
	t    testing.TB
	st   *store.Store
	srv  *Server
	path string // the SQLite database file; "" on PostgreSQL
	// accounts are the demo accounts of a database seeded on its own (a
	// PostgreSQL one); nil means seedAccounts.
	accounts map[string]DemoAccount
}

func newEnv(t testing.TB) *env {
	t.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dudao.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, st: st, srv: srv, path: path}
}

// session returns the cookie of a new session of the demo account name.
func (e *env) session(name string) *http.Cookie {
	e.t.Helper()
	accts := seedAccounts
	if e.accounts != nil {
		accts = e.accounts
	}
	tok, err := e.st.CreateSession(context.Background(), accts[name].ID, 1e12)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: tok}
}

// do serves one request as the account (none when ""), returning the response.
func (e *env) do(account, method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(method, target, body)
	if account != "" {
		r.AddCookie(e.session(account))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Cookie" && r.Header.Get("Cookie") != "" {
			r.Header.Set("Cookie", r.Header.Get("Cookie")+"; "+hdr[i+1])
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

func (e *env) get(account, target string, hdr ...string) *httptest.ResponseRecorder {
	return e.do(account, http.MethodGet, target, nil, hdr...)
}

func (e *env) postForm(account, target string, form url.Values) *httptest.ResponseRecorder {
	return e.do(account, http.MethodPost, target, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

func check(t *testing.T, w *httptest.ResponseRecorder, wantCode int, checkers ...hc.Checker) {
	t.Helper()
	if w.Code != wantCode {
		t.Fatalf("status %d, want %d; body:\n%.2000s", w.Code, wantCode, w.Body.String())
	}
	if err := hc.Run(bytes.NewReader(w.Body.Bytes()), checkers...); err != nil {
		t.Error(err)
	}
}

func county() *demo.CountyNote { return DemoCounty(province) }

// otherCounty is a county of another city than the demo county's.
func otherCounty() string {
	c := county().Code
	for _, n := range province.Notes {
		if census.CityCode(n.Code) != census.CityCode(c) {
			return n.Code
		}
	}
	panic("no other county")
}

func schoolOf(code string, year int) census.School {
	for _, s := range province.Year(year) {
		if s.Code == code {
			return s
		}
	}
	panic("no school " + code)
}

// TestEveryPage renders every page in both languages.
func TestEveryPage(t *testing.T) {
	e := newEnv(t)
	c := county()
	school := c.Schools[0]
	city := census.CityCode(c.Code)
	pages := []struct {
		path string
		sel  string
	}{
		{"/overview", "table#counties tbody tr[data-county]"},
		{"/overview?region=" + city, "table#counties tbody tr[data-county=" + c.Code + "]"},
		{"/overview?verdict=fail&sort=failing&year=2023", "table#counties"},
		{"/overview?profile=hebei&sort=worst", "table#counties"},
		{"/county/" + c.Code, "table.heat"},
		{"/county/" + c.Code + "?year=2022", "table.heat"},
		{"/school/" + school, "table.values"},
		{"/school/" + school + "/edit", "form#edit-form"},
		{"/explain?county=" + c.Code + "&stage=primary&indicator=sports_area", "table"},
		{"/standards", "table#thresholds"},
		{"/standards?profile=hebei", "table#thresholds"},
		{"/data", "form#upload-form"},
		{"/data/completeness", "table"},
		{"/account", "form"},
		{"/audit", "table#audit"},
	}
	for _, lang := range i18n.Langs {
		for _, p := range pages {
			t.Run(string(lang)+p.path, func(t *testing.T) {
				w := e.get("admin", p.path, "Cookie", langCookie+"="+string(lang))
				check(t, w, http.StatusOK, hc.In(p.sel), hc.In("html", hc.HasAttr("lang", string(lang))))
				// No message key may show through untranslated.
				if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(w.Body.String()); m != "" {
					t.Errorf("untranslated key %s", m)
				}
			})
		}
	}
}

func TestTemplateKeysExist(t *testing.T) {
	re := regexp.MustCompile(`\.T "([a-z_.0-9]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for _, l := range i18n.Langs {
				if !i18n.Has(l, m[1]) {
					t.Errorf("%s: key %q missing from %s", f, m[1], l)
				}
			}
		}
	}
	for _, key := range []string{"role.", "audit.", "need.", "ind.short."} {
		_ = key
	}
	rules, _ := standards.Resolve("yzjh2017", "national")
	for _, ind := range rules.Indicators {
		for _, k := range []string{"need." + ind.ID, "ind.short." + ind.ID} {
			if !i18n.Has(i18n.EN, k) || !i18n.Has(i18n.ZH, k) {
				t.Errorf("missing %s", k)
			}
		}
	}
	for _, r := range store.Roles {
		if !i18n.Has(i18n.ZH, "role."+r) {
			t.Errorf("missing role.%s", r)
		}
	}
}

func TestCountyPage(t *testing.T) {
	e := newEnv(t)
	c := county()
	w := e.get("county", "/county/"+c.Code)
	check(t, w, http.StatusOK,
		hc.In("#county-verdict", hc.HasAttr("data-pass", "false")),
		hc.In("#failing table.failing-parts tr[data-school="+c.Schools[0]+"]"),
		hc.In("table.heat tr.failing[data-school="+c.Schools[0]+"]"),
		hc.In(".cv-chart[data-chart*=cv]"),
		hc.In("td.cv[data-indicator=backbone_teachers] a[href^=/explain]"),
		hc.In("a[href^=/county/"+c.Code+"/export.xlsx]"),
	)
	// The downloads.
	w = e.get("county", "/county/"+c.Code+"/export.xlsx")
	if w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %d %q", w.Code, w.Body.String()[:min(40, w.Body.Len())])
	}
	w = e.get("county", "/county/"+c.Code+"/export.csv?table=indicators")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "差异系数") {
		t.Errorf("csv: %d", w.Code)
	}
}

// TestAccessRules: a county account sees only its county, in pages and API;
// a school account only its school.
func TestAccessRules(t *testing.T) {
	e := newEnv(t)
	c := county()
	other := otherCounty()
	otherSchool := province.Year(demo.LatestYear)[0].Code
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == other {
			otherSchool = s.Code
			break
		}
	}
	ownSchool := c.Schools[0]
	apiTok := func(name string) string {
		_, secret, err := e.st.CreateAPIToken(context.Background(), seedAccounts[name].ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + secret
	}
	countyTok, schoolTok := apiTok("county"), apiTok("school")
	for _, tc := range []struct {
		name, account, path, auth string
		want                      int
	}{
		{"own county page", "county", "/county/" + c.Code, "", 200},
		{"other county page", "county", "/county/" + other, "", 404},
		{"other county export", "county", "/county/" + other + "/export.csv", "", 404},
		{"other county school", "county", "/school/" + otherSchool, "", 404},
		{"other county explain", "county", "/explain?county=" + other + "&stage=primary&indicator=sports_area", "", 404},
		{"other county overview", "county", "/overview?region=" + census.CityCode(other), "", 404},
		{"city sees its county", "city", "/county/" + c.Code, "", 200},
		{"city refused elsewhere", "city", "/county/" + other, "", 404},
		{"school sees itself", "school", "/school/" + ownSchool, "", 200},
		{"school refused its county", "school", "/county/" + c.Code, "", 404},
		{"school refused overview", "school", "/overview", "", 403},
		{"readonly sees all", "viewer", "/county/" + other, "", 200},
		{"readonly cannot edit", "viewer", "/school/" + ownSchool + "/edit", "", 403},
		{"api own county", "", "/api/v1/evaluations/" + c.Code, countyTok, 200},
		{"api other county", "", "/api/v1/evaluations/" + other, countyTok, 404},
		{"api other records", "", "/api/v1/records?county=" + other, countyTok, 404},
		{"api other record", "", "/api/v1/records/2024/" + otherSchool, countyTok, 404},
		{"api own record", "", "/api/v1/records/2024/" + ownSchool, countyTok, 200},
		{"api school other record", "", "/api/v1/records/2024/" + c.Schools[0][:6] + "0001", schoolTok, 404},
		{"api school evaluations", "", "/api/v1/evaluations", schoolTok, 403},
		{"api bad token", "", "/api/v1/me", "Bearer nope", 401},
		{"api no token", "", "/api/v1/me", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			w := e.get(tc.account, tc.path, hdr...)
			if w.Code != tc.want {
				t.Errorf("GET %s as %s: %d, want %d", tc.path, tc.account, w.Code, tc.want)
			}
		})
	}
	// The API lists only what is in scope.
	w := e.get("", "/api/v1/schools", "Authorization", countyTok)
	if w.Code != 200 || strings.Contains(w.Body.String(), `"county_code": "`+other) || !strings.Contains(w.Body.String(), c.Code) {
		t.Errorf("schools of a county account: %d", w.Code)
	}
	w = e.get("", "/api/v1/evaluations", "Authorization", countyTok)
	if n := strings.Count(w.Body.String(), `"resource_pass"`); w.Code != 200 || n != 1 {
		t.Errorf("evaluations of a county account: %d, %d counties", w.Code, n)
	}
	// The county overview of a county account lists its county only.
	w = e.get("county", "/overview")
	check(t, w, 200, hc.Count("table#counties tbody tr[data-county]", 1))
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	// Pages need an account; the API answers 401.
	w := e.get("", "/county/"+county().Code)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
		t.Fatalf("anonymous page: %d %s", w.Code, w.Header().Get("Location"))
	}
	check(t, e.get("", "/login"), 200, hc.In("form input[name=password]"))
	a := seedAccounts["county"]
	w = e.postForm("", "/login", url.Values{"username": {a.Username}, "password": {a.Password}, "next": {"/data"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/data" {
		t.Fatalf("sign-in: %d %s", w.Code, w.Header().Get("Location"))
	}
	ck := w.Result().Cookies()
	if len(ck) == 0 || ck[0].Name != sessionCookie || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", ck)
	}
	// The cookie works; signing out ends it.
	r := httptest.NewRequest("GET", "/data", nil)
	r.AddCookie(ck[0])
	w2 := httptest.NewRecorder()
	e.srv.ServeHTTP(w2, r)
	if w2.Code != 200 {
		t.Errorf("with cookie: %d", w2.Code)
	}
	r = httptest.NewRequest("POST", "/logout", nil)
	r.AddCookie(ck[0])
	e.srv.ServeHTTP(httptest.NewRecorder(), r)
	if _, _, err := e.st.SessionUser(context.Background(), ck[0].Value); err == nil {
		t.Errorf("session alive after sign-out")
	}
	// Wrong passwords are refused, then rate-limited.
	for i := range signInLimit.PerUser {
		w = e.postForm("", "/login", url.Values{"username": {a.Username}, "password": {"wrong-password"}})
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, w.Code)
		}
	}
	w = e.postForm("", "/login", url.Values{"username": {a.Username}, "password": {a.Password}})
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("after %d failures: %d, want 429", signInLimit.PerUser, w.Code)
	}
	// The audit log has the sign-ins and the failures.
	log, _ := e.st.AuditLog(context.Background(), "", 50)
	var kinds []string
	for _, x := range log {
		kinds = append(kinds, x.Action)
	}
	if j := strings.Join(kinds, ","); !strings.Contains(j, "sign_in_failed") || !strings.Contains(j, "sign_in,") {
		t.Errorf("audit log: %s", j)
	}
	// An open redirect is not followed.
	if got := safeNext("//evil.example/x"); got != "" {
		t.Errorf("safeNext kept %q", got)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	w := e.do("county", "POST", "/account/tokens", strings.NewReader("name=x"),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site")
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", w.Code)
	}
	if toks, _ := e.st.APITokens(context.Background(), seedAccounts["county"].ID); len(toks) != 0 {
		t.Errorf("a token was created")
	}
	w = e.do("county", "POST", "/account/tokens", strings.NewReader("name=x"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	check(t, w, 200, hc.In("code#new-token"))
}

// upload posts a file to /data/upload as account.
func (e *env) upload(account, name string, data []byte) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return e.do(account, "POST", "/data/upload", &buf, "Content-Type", mw.FormDataContentType())
}

// FixedSchoolCSV returns the census CSV of the demo county's weak school in
// the latest year with every shortfall made good, and, when bad is set, an
// error in the cell of its primary students.
func fixedSchoolCSV(bad bool) ([]byte, census.School) {
	c := county()
	rec := schoolOf(c.Schools[0], demo.LatestYear)
	rules, _ := standards.Resolve("yzjh2017", "national")
	var recs []*census.School
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == c.Code {
			s := s
			recs = append(recs, &s)
		}
	}
	cty := eval.EvaluateCounty(rules, recs)
	for _, p := range cty.Parts {
		if p.SchoolCode != rec.Code {
			continue
		}
		for _, sf := range p.Shortfalls {
			ind := rules.Indicator(sf.Indicator)
			f := rawField(ind, p.Stage)
			add := sf.Need
			if p.Split != nil && ind.Kind == standards.KindFacility {
				add = math.Ceil(sf.Need/p.Split.Share) + 1
			}
			rec.V[f] += add
		}
	}
	var b strings.Builder
	cols := []string{"year", "county_code", "county_name", "school_code", "school_name", "school_type", "ownership", "location"}
	for f := range census.NumFields {
		k := census.Columns[f].Key
		if census.Columns[f].Unit == "元" {
			k += "(元)"
		}
		cols = append(cols, k)
	}
	b.WriteString(strings.Join(cols, ",") + "\n")
	vals := []string{fmt.Sprint(rec.Year), rec.CountyCode, rec.CountyName, rec.Code, rec.Name, string(rec.Type), rec.Ownership, rec.Location}
	for f := range census.NumFields {
		v := ""
		if rec.Has(f) {
			v = fmtFixed(rec.V[f])
		}
		if bad && f == census.StudentsPrimary || bad && f == census.StudentsJunior && !rec.Has(census.StudentsPrimary) {
			v = "三百"
		}
		vals = append(vals, v)
	}
	b.WriteString(strings.Join(vals, ",") + "\n")
	return []byte(b.String()), rec
}

func TestUploadFlow(t *testing.T) {
	e := newEnv(t)
	c := county()
	bad, _ := fixedSchoolCSV(true)
	w := e.upload("county", "学校.csv", bad)
	check(t, w, http.StatusUnprocessableEntity,
		hc.In("#upload-errors table.errors tr[data-row=2]"),
		hc.In("#preview-grid tr[data-row=2] td.cell-error", hc.HasText("三百")),
		hc.NotIn("#confirm-import"),
	)
	good, rec := fixedSchoolCSV(false)
	w = e.upload("county", "学校.csv", good)
	check(t, w, 200, hc.In("#upload-preview tr[data-school="+rec.Code+"] .change"), hc.In("#confirm-import"))
	m := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("no token")
	}
	// Another account cannot confirm it.
	if w := e.postForm("city", "/data/confirm", url.Values{"token": {m[1]}}); w.Code != http.StatusBadRequest {
		t.Errorf("confirm by another account: %d", w.Code)
	}
	w = e.postForm("county", "/data/confirm", url.Values{"token": {m[1]}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/county/"+c.Code {
		t.Fatalf("confirm: %d %s %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	// The resource part passes; the county's verdict is the whole standard's.
	check(t, e.get("county", "/county/"+c.Code), 200, hc.In("#resource-line", hc.HasAttr("data-pass", "true")))
	hist, _ := e.st.History(context.Background(), demo.LatestYear, rec.Code)
	if len(hist) < 2 || hist[len(hist)-1].File != "学校.csv" || hist[len(hist)-1].Actor != "county" {
		t.Errorf("history: %+v", hist[len(hist)-1])
	}
	// A record of another county is refused.
	other := schoolOf(province.Year(demo.LatestYear)[0].Code, demo.LatestYear)
	if other.CountyCode != c.Code {
		var buf bytes.Buffer
		if err := censusio.WriteSchoolsXLSX(&buf, []census.School{other}); err != nil {
			t.Fatal(err)
		}
		w = e.upload("county", "other.xlsx", buf.Bytes())
		if w.Code != http.StatusForbidden {
			t.Errorf("other county's record: %d", w.Code)
		}
	}
}

func TestAPIUpdateAndRecordsRoundTrip(t *testing.T) {
	e := newEnv(t)
	code := county().Schools[0]
	_, secret, _ := e.st.CreateAPIToken(context.Background(), seedAccounts["county"].ID, "t")
	auth := []string{"Authorization", "Bearer " + secret, "Content-Type", "application/json"}
	w := e.do("", "PUT", "/api/v1/records/2024/"+code, strings.NewReader(`{"values": {"teachers_primary": -3}}`), auth...)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "teachers_primary") {
		t.Errorf("invalid PUT: %d %s", w.Code, w.Body.String())
	}
	w = e.do("", "PUT", "/api/v1/records/2024/"+code, strings.NewReader(`{"values": {"multimedia_rooms": 99}}`), auth...)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"changed_fields": 1`) {
		t.Errorf("PUT: %d %s", w.Code, w.Body.String())
	}
	// The records download reads back as the same records.
	w = e.get("county", "/data/records.xlsx?county="+county().Code)
	b, err := censusio.Read("r.xlsx", bytes.NewReader(w.Body.Bytes()), censusio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := e.st.Schools(context.Background(), demo.LatestYear, county().Code)
	if len(b.Schools) != len(want) {
		t.Fatalf("%d records read back, want %d", len(b.Schools), len(want))
	}
	for i := range want {
		for f := range census.NumFields {
			x, y := want[i].V[f], b.Schools[i].V[f]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Fatalf("%s %s: %v, read back %v", want[i].Code, census.Columns[f].Key, x, y)
			}
		}
	}
	if w := e.get("", "/api/v1/openapi.json"); w.Code != 200 || !strings.Contains(w.Body.String(), `"openapi"`) {
		t.Errorf("openapi: %d", w.Code)
	}
}

func TestLanguage(t *testing.T) {
	e := newEnv(t)
	check(t, e.get("county", "/data"), 200, hc.In("nav", hc.HasText("总览")))
	check(t, e.get("county", "/data", "Accept-Language", "en-US,en;q=0.9"), 200, hc.In("nav", hc.HasText("Overview")))
	w := e.postForm("county", "/lang", url.Values{"lang": {"en"}, "next": {"/data"}})
	var lang string
	for _, c := range w.Result().Cookies() {
		if c.Name == langCookie {
			lang = c.Value
		}
	}
	if w.Code != http.StatusSeeOther || lang != "en" {
		t.Fatalf("switch: %d", w.Code)
	}
	check(t, e.get("county", "/data", "Cookie", langCookie+"=en"), 200, hc.In("#lang-switch", hc.HasText("中文")))
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	u := e.srv.assets.URL("vendor/echarts-6.1.0.min.js")
	w := e.get("", u, "Accept-Encoding", "gzip")
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %v", w.Code, w.Header())
	}
	if w := e.get("", "/static/x/nope.js"); w.Code != 404 {
		t.Errorf("missing asset: %d", w.Code)
	}
}

func TestScope(t *testing.T) {
	prov := Scope{role: store.RoleProvince, region: "980000"}
	city := Scope{role: store.RoleCity, region: "980100"}
	cnty := Scope{role: store.RoleCounty, region: "980102"}
	sch := Scope{role: store.RoleSchool, region: "980102", school: "9801020001"}
	ro := Scope{role: store.RoleReadOnly, region: "980100"}
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"province county", prov.County("980221"), true},
		{"province other province", prov.County("340207"), false},
		{"city own", city.County("980121"), true},
		{"city other", city.County("980221"), false},
		{"county own", cnty.County("980102"), true},
		{"county other", cnty.County("980103"), false},
		{"school county", sch.County("980102"), false},
		{"school own", sch.School("980102", "9801020001"), true},
		{"school other", sch.School("980102", "9801020002"), false},
		{"readonly sees", ro.County("980121"), true},
		{"readonly edits", ro.CanEdit(), false},
		{"county edits", cnty.EditSchool("980102", "9801020002"), true},
		{"county sees city", cnty.Sees(census.Region{Code: "980100", Level: census.LevelCity}), true},
		{"county not other city", cnty.Sees(census.Region{Code: "980200", Level: census.LevelCity}), false},
		{"no account", Scope{}.County("980102"), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// TestExclusionReasonTranslated: the engine says in Chinese why a part is
// excluded; the English page says it in English.
func TestExclusionReasonTranslated(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	w := e.get("admin", "/county/"+c, "Cookie", langCookie+"=en")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "Special-education schools are not counted") || strings.Contains(body, "特殊教育学校不纳入") {
		t.Errorf("English county page: status %d, translated reason present %v, Chinese reason present %v",
			w.Code, strings.Contains(body, "Special-education schools are not counted"), strings.Contains(body, "特殊教育学校不纳入"))
	}
	w = e.get("admin", "/county/"+c, "Cookie", langCookie+"=zh-CN")
	if !strings.Contains(w.Body.String(), "特殊教育学校不纳入七项指标计算") {
		t.Error("Chinese county page lacks the exclusion reason")
	}
}
