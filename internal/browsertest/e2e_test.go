package browsertest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/web"
)

// app is the real server on 127.0.0.1:0 with the demo province in a
// temporary SQLite database.
type app struct {
	URL      string
	st       *store.Store
	p        *demo.Province
	accounts map[string]web.DemoAccount
	// stop stops the server (a test of what works with no server at all).
	stop func()
}

func startApp(t *testing.T) *app { return startAppAt(t, nil) }

// startAppAt starts the app with the clock now for the server and the
// store (nil: the real clock), once the demo is seeded.
func startAppAt(t *testing.T, now func() time.Time) *app {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "dudao.db"))
	if err != nil {
		t.Fatal(err)
	}
	p := demo.Generate(demo.DefaultSeed)
	accts, err := web.SeedDemo(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		st.Now = now
	}
	srv, err := web.New(web.Config{Store: st, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(func() {
		stop()
		st.Close()
	})
	a := &app{URL: "http://" + l.Addr().String(), st: st, p: p, accounts: map[string]web.DemoAccount{}, stop: stop}
	for _, x := range accts {
		a.accounts[x.Username] = x
	}
	return a
}

// login signs the browser in as account by injecting a session cookie.
func (a *app) login(t *testing.T, b *browsertest.Browser, account string) {
	t.Helper()
	tok, err := a.st.CreateSession(context.Background(), a.accounts[account].ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.ClearCookies()
	b.SetCookie(a.URL, "dudao_session", tok)
}

// uploadFiles writes the demo county's weak school with its shortfalls made
// good, as a CSV census file, and the same file with letters in its primary
// students cell; it returns their paths and that cell's letter.
func uploadFiles(t *testing.T, p *demo.Province) (bad, good, letter string) {
	t.Helper()
	n := web.DemoCounty(p)
	rules, _ := standards.Resolve("yzjh2017", "national")
	var recs []*census.School
	var rec census.School
	for _, s := range p.Year(demo.LatestYear) {
		if s.CountyCode == n.Code {
			s := s
			recs = append(recs, &s)
			if s.Code == n.Schools[0] {
				rec = s
			}
		}
	}
	for _, part := range eval.EvaluateCounty(rules, recs).Parts {
		if part.SchoolCode != rec.Code {
			continue
		}
		for _, sf := range part.Shortfalls {
			ind := rules.Indicator(sf.Indicator)
			add := sf.Need
			f, ok := census.FieldByKey(ind.Source)
			if !ok {
				f, _ = census.StageField(ind.Source, part.Stage)
			} else if part.Split != nil {
				add = math.Ceil(sf.Need/part.Split.Share) + 1
			}
			rec.V[f] += add
		}
	}
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsCSV(&buf, []census.School{rec}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good = filepath.Join(dir, "学校数据-已改正.csv")
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := len(census.TextColumns) + int(census.StudentsPrimary)
	if !rec.Has(census.StudentsPrimary) {
		col = len(census.TextColumns) + int(census.StudentsJunior)
	}
	rows[1][col] = "三百二十"
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.WriteAll(rows)
	bad = filepath.Join(dir, "学校数据.csv")
	if err := os.WriteFile(bad, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return bad, good, string(rune('A' + col))
}

// TestCountyClerk is the county supervision office's day: sign in, read the
// county page, upload a file with an error, fix it, see the verdict change,
// switch to English, and be refused another county.
func TestCountyClerk(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	county := web.DemoCounty(a.p)
	acct := a.accounts["county"]

	// Sign in by the real form.
	b.Navigate(a.URL + "/")
	b.Wait("input[name=password]")
	b.Screenshot("01-login")
	b.Fill("input[name=username]", acct.Username)
	b.Fill("input[name=password]", acct.Password)
	b.ClickAndWait("form button[type=submit]")

	// The county page: verdict, the chart drawn, the failing school listed.
	if got := b.Attr("#county-verdict", "data-pass"); got != "false" {
		t.Fatalf("county verdict data-pass=%q, want false", got)
	}
	b.Wait(".cv-chart[data-rendered] svg")
	bars := browsertest.Eval[float64](b, `document.querySelectorAll(".cv-chart[data-rendered] svg path").length`)
	if bars < 7 {
		t.Errorf("the CV chart has %v paths, want the bars drawn", bars)
	}
	var school census.School
	for _, s := range a.p.Year(demo.LatestYear) {
		if s.Code == county.Schools[0] {
			school = s
		}
	}
	if txt := b.Text("#failing"); !strings.Contains(txt, school.Name) {
		t.Errorf("failing parts %q do not list %s", txt, school.Name)
	}
	b.Screenshot("02-county")

	// One click explains a CV.
	b.Do(chromedp.Click(chromedp.CSS(`td.cv[data-indicator] a[data-explain]`), chromedp.NodeVisible))
	b.Wait("dialog#explain-dialog[open] #explain-title")
	b.Screenshot("03-explain")
	b.Do(chromedp.Click(chromedp.CSS("dialog#explain-dialog .close"), chromedp.NodeVisible))

	// Upload a file with an error: the error is shown on its cell.
	bad, good, letter := uploadFiles(t, a.p)
	b.Navigate(a.URL + "/data")
	b.Upload("#upload-form input[type=file]", bad)
	b.ClickAndWait("#upload-form button[type=submit]")
	b.Wait("#preview-grid td.cell-error")
	if got := b.Attr("#preview-grid td.cell-error", "data-letter"); got != letter {
		t.Errorf("the wrong cell is in column %q, want %q", got, letter)
	}
	if got := b.Attr("#preview-grid tr:has(td.cell-error)", "data-row"); got != "2" {
		t.Errorf("the wrong cell is in row %q, want 2", got)
	}
	if txt := b.Text("#preview-grid td.cell-error"); txt != "三百二十" {
		t.Errorf("highlighted cell holds %q", txt)
	}
	b.Screenshot("04-upload-error")

	// Fix it: preview, confirm, and the county passes.
	b.Upload("#upload-form input[type=file]", good)
	b.ClickAndWait("#upload-form button[type=submit]")
	b.Wait("#confirm-import")
	b.Screenshot("05-upload-preview")
	b.ClickAndWait("#confirm-import")
	// The resource part passes: one line of the whole standard's verdict,
	// which the county's school-size rule still fails.
	if got := b.Attr("#resource-line", "data-pass"); got != "true" {
		t.Errorf("after the fix the resource line data-pass=%q, want true", got)
	}
	b.Wait(".flash")
	b.Screenshot("06-county-fixed")

	// Switch to English.
	b.ClickAndWait("#lang-switch")
	if nav := b.Text("header nav"); !strings.Contains(nav, "Overview") {
		t.Errorf("English navigation: %q", nav)
	}
	b.Wait(".cv-chart[data-rendered] svg")
	b.Screenshot("07-county-en")

	// Another county: refused, page and API.
	var other string
	for _, n := range a.p.Notes {
		if census.CityCode(n.Code) != census.CityCode(county.Code) {
			other = n.Code
			break
		}
	}
	if st := b.Status(a.URL + "/county/" + other); st != 403 && st != 404 {
		t.Errorf("another county's page: %d, want 403 or 404", st)
	}
	b.Screenshot("08-refused")
	api := browsertest.Eval[float64](b, fmt.Sprintf(`fetch("/api/v1/evaluations/%s").then(r => r.status)`, other))
	if api != 403 && api != 404 {
		t.Errorf("another county's API: %v, want 403 or 404", api)
	}
}

// TestScreenshots saves the main pages as the province administrator.
func TestScreenshots(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	a.login(t, b, "admin")
	county := web.DemoCounty(a.p)
	for _, p := range []struct{ name, path, wait string }{
		{"10-overview", "/overview", ".chart[data-rendered] svg"},
		{"11-overview-city", "/overview?region=" + census.CityCode(county.Code), ".chart[data-rendered] svg"},
		{"12-school", "/school/" + county.Schools[0], "table.values"},
		{"13-completeness", "/data/completeness", "table"},
		{"14-standards", "/standards", "#thresholds"},
		{"15-edit", "/school/" + county.Schools[0] + "/edit", "#edit-form"},
	} {
		b.Navigate(a.URL + p.path)
		b.Wait(p.wait)
		b.Screenshot(p.name)
	}
	// The record forms of every kind at phone width (390 px).
	b.Do(chromedp.EmulateViewport(390, 844))
	for _, p := range []struct{ name, path string }{
		{"17-edit-school-phone", "/school/" + county.Schools[0] + "/edit"},
		{"18-record-county-phone", "/county/" + county.Code + "/record"},
	} {
		b.Navigate(a.URL + p.path)
		b.Wait("#edit-form")
		b.Screenshot(p.name)
	}
	b.Navigate(a.URL + "/county/" + county.Code + "/preschool")
	b.Wait("body")
	if href := b.Attr("a[href^='/kindergarten/']", "href"); href != "" {
		b.Navigate(a.URL + href)
		b.ClickAndWait("#edit-kindergarten")
		b.Wait("#edit-form")
		b.Screenshot("19-edit-kindergarten-phone")
		b.Do(chromedp.EmulateViewport(1440, 900))
		b.Screenshot("20-edit-kindergarten-desk")
		// The same forms in English, at phone width.
		b.ClickAndWait("#lang-switch")
		b.Do(chromedp.EmulateViewport(390, 844))
		b.Navigate(a.URL + "/school/" + county.Schools[0] + "/edit")
		b.Wait("#edit-form")
		b.Screenshot("21-edit-school-phone-en")
		b.ClickAndWait("#lang-switch")
	} else {
		t.Error("no kindergarten linked from the preschool page")
	}
	b.Do(chromedp.EmulateViewport(1366, 900))
	// The reporting chain's and the cases' pages, at desk and phone width,
	// in both languages.
	cases, err := a.st.Cases(context.Background(), "")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no demo case: %v", err)
	}
	tasks, err := a.st.Tasks(context.Background(), "")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no demo task: %v", err)
	}
	var rectify int64
	for _, c := range cases {
		if c.Stage == "rectify" {
			rectify = c.ID
		}
	}
	for _, w := range []int64{1366, 390} {
		for _, p := range []struct{ name, path, wait string }{
			{"tasks", "/tasks", "#task-list"},
			{"task", fmt.Sprintf("/task/%d", tasks[0].ID), ".units"},
			{"cases", "/cases", "#case-list"},
			{"case", fmt.Sprintf("/case/%d", rectify), "#ticket-list"},
			{"inbox", "/inbox", "#inbox"},
		} {
			b.Do(chromedp.EmulateViewport(w, 900))
			b.Navigate(a.URL + p.path)
			b.Wait(p.wait)
			b.Screenshot(fmt.Sprintf("5%d-%s-%d", map[int64]int{1366: 0, 390: 1}[w], p.name, w))
		}
	}
	// Each role's first pages, at 1440 and 390 px, in Chinese and English.
	school := a.accounts["school"].School
	for _, role := range []struct{ account, page, wait string }{
		{"school", fmt.Sprintf("/task/%d/unit/%s", tasks[0].ID, school), "#unit-state"},
		{"county", fmt.Sprintf("/task/%d", tasks[0].ID), ".units"},
		{"city", "/cases", "#case-list"},
	} {
		a.login(t, b, role.account)
		for _, lang := range []string{"zh", "en"} {
			for _, w := range []int64{1440, 390} {
				b.Do(chromedp.EmulateViewport(w, 900))
				for _, pg := range []struct{ name, path, wait string }{{"inbox", "/inbox", "#inbox"}, {"page", role.page, role.wait}} {
					b.Navigate(a.URL + pg.path)
					b.Wait(pg.wait)
					b.Screenshot(fmt.Sprintf("6-%s-%s-%s-%d", role.account, pg.name, lang, w))
				}
			}
			b.ClickAndWait("#lang-switch")
		}
	}
	a.login(t, b, "admin")
	b.ClickAndWait("#lang-switch")
	b.Navigate(fmt.Sprintf("%s/case/%d", a.URL, rectify))
	b.Wait("#ticket-list")
	b.Screenshot("52-case-en")
	b.ClickAndWait("#lang-switch")
	// The 补短板 page of a county that builds rooms: the whole standard's
	// plan under the 资源配置 plan, at desk and phone width.
	for _, w := range []int64{1440, 390} {
		b.Do(chromedp.EmulateViewport(w, 900))
		b.Navigate(a.URL + "/county/980302/plan")
		b.Wait("#plan-whole")
		b.Screenshot(fmt.Sprintf("53-plan-whole-%d", w))
	}
	b.Do(chromedp.EmulateViewport(1366, 900))
	// Print: the county page as a PDF-like print rendering keeps its charts.
	b.Navigate(a.URL + "/county/" + county.Code)
	b.Wait(".chart[data-rendered] svg")
	b.Do(chromedp.EmulateViewport(900, 1200))
	b.Screenshot("16-county-narrow")
}
