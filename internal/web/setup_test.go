package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/store"
)

// freshServer is a server on an empty database, as the first start makes it.
func freshServer(t *testing.T) (*Server, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func setupBody(t *testing.T, fields map[string]string, file string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("regions", file)
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func serve(srv *Server, method, target string, body *bytes.Buffer, ctype string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, target, body)
		r.Header.Set("Content-Type", ctype)
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	return w
}

const anhuiList = "代码,名称\n341100,滁州市\n341122,来安县\n341124,全椒县\n340100,合肥市\n340102,瑶海区\n"

func TestSetupFlow(t *testing.T) {
	srv, st := freshServer(t)
	// Every page leads to the set-up; the API says it is not set up.
	for _, p := range []string{"/", "/login", "/overview", "/county/341122", "/accounts"} {
		if w := serve(srv, "GET", p, nil, ""); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/setup" {
			t.Fatalf("GET %s: %d %q", p, w.Code, w.Header().Get("Location"))
		}
	}
	if w := serve(srv, "GET", "/api/v1/me", nil, ""); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("API before set-up: %d", w.Code)
	}
	code, err := srv.SetupCode()
	if err != nil || len(code) != 8 {
		t.Fatalf("code %q %v", code, err)
	}
	w := serve(srv, "GET", "/setup?code="+code, nil, "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `value="`+code+`"`) {
		t.Fatalf("set-up page %d:\n%.500s", w.Code, w.Body.String())
	}
	fields := map[string]string{"code": strings.ToLower(code), "region_code": "340000", "region_name": "安徽省", "profile": "national",
		"standard": "xqpp2020", "username": "admin", "display_name": "省督导办", "password": "long enough", "repeat": "long enough"}

	// Every problem at once, naming the file's row; nothing stored.
	bad := map[string]string{}
	for k, v := range fields {
		bad[k] = v
	}
	bad["repeat"] = "different!"
	bad["username"] = ""
	body, ct := setupBody(t, bad, "区划.csv", []byte("代码,名称\n341122,来安县\n320100,南京市\n"))
	w = serve(srv, "POST", "/setup", body, ct)
	for _, want := range []string{"区划.csv 第2行 A列「代码」", "所属的地级区划 341100 不在名单中", "区划.csv 第3行", "不在本系统服务的安徽省", "用户名不能为空"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("refusal lacks %q", want)
		}
	}
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad set-up: %d", w.Code)
	}
	if has, _ := st.HasUsers(context.Background()); has {
		t.Fatal("a refused set-up made an account")
	}
	if rs, _ := st.Regions(context.Background()); len(rs) != 0 {
		t.Fatalf("a refused set-up stored regions %v", rs)
	}
	// A wrong code is refused before anything else is looked at.
	bad = map[string]string{}
	for k, v := range fields {
		bad[k] = v
	}
	bad["code"] = "ZZZZZZZZ"
	body, ct = setupBody(t, bad, "区划.csv", []byte(anhuiList))
	if w := serve(srv, "POST", "/setup", body, ct); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "设置码不对") {
		t.Fatalf("wrong code: %d", w.Code)
	}

	body, ct = setupBody(t, fields, "区划.csv", []byte(anhuiList))
	w = serve(srv, "POST", "/setup", body, ct)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/setup/done" {
		t.Fatalf("set-up: %d %q\n%.2000s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	cookies := w.Result().Cookies()
	w = serve(srv, "GET", "/setup/done", nil, "", cookies...)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "本系统服务 安徽省（340000），共 2 个地级市、3 个县（市、区）") ||
		!strings.Contains(w.Body.String(), `href="/data/template/school.xlsx"`) {
		t.Fatalf("done page %d:\n%.3000s", w.Code, w.Body.String())
	}
	// The installation's standard is now in force; the set-up is gone.
	if in := srv.inForce(); in.Standard != "xqpp2020" || in.Profile != "national" {
		t.Errorf("in force %+v", in)
	}
	if w := serve(srv, "GET", "/setup", nil, ""); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("set-up after set-up: %d %q", w.Code, w.Header().Get("Location"))
	}
	body, ct = setupBody(t, fields, "区划.csv", []byte(anhuiList))
	if w := serve(srv, "POST", "/setup", body, ct); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("second set-up: %d", w.Code)
	}
	// Another server process on the same database (or a restart) takes
	// the installation's rules.
	srv2, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if in := srv2.inForce(); in.Standard != "xqpp2020" {
		t.Errorf("restart: in force %+v", in)
	}
	if w := serve(srv2, "GET", "/login", nil, ""); w.Code != http.StatusOK {
		t.Errorf("login after set-up: %d", w.Code)
	}
}

// Guesses of the code share five attempts whatever their number at once.
func TestSetupCodeGuessesLimited(t *testing.T) {
	srv, _ := freshServer(t)
	if _, err := srv.SetupCode(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make([]int, 12)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, ct := setupBody(t, map[string]string{"code": "GUESS" + string(rune('A'+i)) + "XY"}, "", nil)
			codes[i] = serve(srv, "POST", "/setup", body, ct).Code
		}()
	}
	wg.Wait()
	limited := 0
	for _, c := range codes {
		if c == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 7 {
		t.Errorf("%d of 12 guesses refused by the limit, want 7: %v", limited, codes)
	}
}

// A county installation needs no division list; its administrator is a
// county account.
func TestSetupCounty(t *testing.T) {
	srv, st := freshServer(t)
	code, _ := srv.SetupCode()
	body, ct := setupBody(t, map[string]string{"code": code, "region_code": "341122", "region_name": "来安县", "profile": "national",
		"standard": "yzjh2017", "username": "laian", "password": "long enough", "repeat": "long enough"}, "", nil)
	if w := serve(srv, "POST", "/setup", body, ct); w.Code != http.StatusSeeOther {
		t.Fatalf("%d\n%.2000s", w.Code, w.Body.String())
	}
	u, err := st.Authenticate(context.Background(), "laian", "long enough")
	if err != nil || u.Role != store.RoleCounty || u.Region != "341122" {
		t.Fatalf("%+v %v", u, err)
	}
}

// A plain form (no division list: a county) sets up as the page's does.
func TestSetupPlainForm(t *testing.T) {
	srv, st := freshServer(t)
	code, _ := srv.SetupCode()
	form := url.Values{"code": {code}, "region_code": {"341122"}, "region_name": {"来安县"}, "profile": {"national"},
		"standard": {"yzjh2017"}, "username": {"laian"}, "password": {"long enough"}, "repeat": {"long enough"}}
	w := serve(srv, "POST", "/setup", bytes.NewBufferString(form.Encode()), "application/x-www-form-urlencoded")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("%d\n%.1000s", w.Code, w.Body.String())
	}
	if has, _ := st.HasUsers(context.Background()); !has {
		t.Fatal("no account made")
	}
}

func TestAccountsPage(t *testing.T) {
	e := newEnv(t)
	county := seedAccounts["county"].Region
	// The city adds a school clerk of one of its counties; the password is shown once.
	w := e.postForm("city", "/accounts", url.Values{"username": {"clerk1"}, "display_name": {"张老师"}, "role": {"school"},
		"region": {county}, "school": {"3412345678"}})
	check(t, w, http.StatusOK)
	m := regexp.MustCompile(`<code>([2-9a-zA-Z]{12})</code>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no password shown:\n%.3000s", w.Body.String())
	}
	pw := m[1]
	u, err := e.st.Authenticate(context.Background(), "clerk1", pw)
	if err != nil || u.Role != store.RoleSchool || u.School != "3412345678" {
		t.Fatalf("%+v %v", u, err)
	}
	// The county sees it and disables it; it can no longer sign in.
	w = e.get("county", "/accounts")
	if !strings.Contains(w.Body.String(), "clerk1") || strings.Contains(w.Body.String(), ">city<") {
		t.Fatalf("county's list:\n%.3000s", w.Body.String())
	}
	id := itoa64(u.ID)
	w = e.postForm("county", "/accounts/"+id, url.Values{"display_name": {"张老师"}, "role": {"school"}, "region": {county}, "school": {"3412345678"}, "disabled": {"1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d %.1000s", w.Code, w.Body.String())
	}
	if _, err := e.st.Authenticate(context.Background(), "clerk1", pw); err == nil {
		t.Fatal("a disabled account signs in")
	}
	// The county may not make a city account, nor one of another county.
	w = e.postForm("county", "/accounts", url.Values{"username": {"up"}, "role": {"city"}, "region": {county[:4] + "00"}})
	if w.Code != http.StatusNotFound {
		t.Errorf("county makes a city account: %d", w.Code)
	}
	w = e.postForm("county", "/accounts", url.Values{"username": {"up"}, "role": {"province"}, "region": {county}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("county makes a province role: %d", w.Code)
	}
	// Nobody administers itself here, and a school or read-only account nothing.
	w = e.postForm("city", "/accounts/"+itoa64(seedAccounts["city"].ID)+"/password", nil)
	if w.Code != http.StatusForbidden {
		t.Errorf("reset own password here: %d", w.Code)
	}
	for _, a := range []string{"school", "viewer"} {
		if w := e.get(a, "/accounts"); w.Code != http.StatusForbidden {
			t.Errorf("%s reads /accounts: %d", a, w.Code)
		}
	}
	// The admin resets the county's password: its sessions end.
	cookie := e.session("county")
	w = e.postForm("admin", "/accounts/"+itoa64(seedAccounts["county"].ID)+"/password", nil)
	check(t, w, http.StatusOK)
	if _, _, err := e.st.SessionUser(context.Background(), cookie.Value); err == nil {
		t.Error("the session of a reset account lives on")
	}
	log, _ := e.st.AuditLog(context.Background(), "", 10)
	actions := map[string]bool{}
	for _, a := range log {
		actions[a.Action] = true
	}
	for _, a := range []string{store.AuditUserAdd, store.AuditUserEdit, store.AuditUserReset} {
		if !actions[a] {
			t.Errorf("no audit entry %s", a)
		}
	}
}
