package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

func (e *env) uploadLedger(account, path string, files map[string]string) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(data))
	}
	mw.Close()
	return e.do(account, "POST", path, &body, "Content-Type", mw.FormDataContentType())
}

// TestGroupsPage walks the county's 教育集团 page as its clerk would: the
// demo ledger's coverage equals the count from the stored ledger and
// census; a file with a bad cell is refused naming row and column and
// nothing changes; a good one becomes the newest version; a form adds a
// member and removes it; an edit from a stale page is refused; every
// version downloads; the API and the region view agree.
func TestGroupsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	year := demo.LatestYear
	d, v, err := e.st.Ledger(ctx, groups.Schema, code, 0)
	if err != nil {
		t.Fatalf("the demo seeds no groups ledger for its county: %v", err)
	}
	schools, err := e.st.Schools(ctx, year, code)
	if err != nil {
		t.Fatal(err)
	}
	cov := groups.Count(groups.Of(d), schools, year)
	if cov.Groups == 0 || cov.Schools.In == 0 || cov.Schools.In == cov.Schools.All || len(cov.Unknown) == 0 {
		t.Fatalf("the demo county's coverage shows nothing to read: %+v", cov)
	}
	check(t, e.get("county", "/county/"+code), http.StatusOK, hc.In("a#groups-link"))
	w := e.get("county", "/county/"+code+"/groups")
	check(t, w, http.StatusOK, hc.In("#groups-coverage tr[data-cov=primary]"), hc.In("#groups-unknown li"),
		hc.In("#groups-list tr[data-group=JT01]"), hc.In("form#ledger-import"), hc.In("form.ledger-add[data-table=members]"),
		hc.In("#ledger-history li"))
	if want := strconv.FormatInt(cov.Schools.In, 10) + " / " + strconv.FormatInt(cov.Schools.All, 10) + " 所学校，占 " + cov.Schools.Percent(); !strings.Contains(w.Body.String(), want) {
		t.Errorf("the headline lacks %q", want)
	}
	// Every column of every table has a form field.
	for _, tb := range groups.Schema.Tables {
		for _, c := range tb.Cols {
			if !strings.Contains(w.Body.String(), `name="c.`+c.Key+`"`) {
				t.Errorf("no form field for %s.%s", tb.ID, c.Key)
			}
		}
	}

	// A bad licence-like date: refused, cell named, nothing stored.
	bad := "集团编号,集团名称,集团类型,牵头学校代码,成立日期\nG1,一集团,紧密型," + schools[0].Code + ",2021-13-01\n"
	w = e.uploadLedger("county", "/county/"+code+"/groups/import", map[string]string{"bad.csv": bad})
	check(t, w, http.StatusBadRequest, hc.In("#ledger-errors tr[data-row='2'][data-letter=E]"))
	if _, v2, _ := e.st.Ledger(ctx, groups.Schema, code, 0); v2.ID != v.ID {
		t.Fatal("a refused import changed the ledger")
	}
	good := "集团编号,集团名称,集团类型,办学模式,牵头学校代码,成立日期\nG1,一集团,紧密型,融合," + schools[0].Code + ",2021-09-01\n"
	members := "集团编号,学校代码,加入日期\nG1," + schools[1].Code + ",2022-09-01\n"
	w = e.uploadLedger("county", "/county/"+code+"/groups/import", map[string]string{"g.csv": good, "m.csv": members})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %s", w.Code, w.Body.String())
	}
	d3, v3, err := e.st.Ledger(ctx, groups.Schema, code, 0)
	if err != nil || v3.ID == v.ID || len(d3.Rows(groups.TMembers)) != 1 {
		t.Fatalf("after import: %v %+v", err, v3)
	}
	// A form adds a member.
	form := url.Values{"table": {"members"}, "op": {"add"}, "base": {strconv.FormatInt(v3.ID, 10)},
		"c.group": {"G1"}, "c.school": {schools[2].Code}, "c.joined": {"2023-09-01"}}
	if w := e.postForm("county", "/county/"+code+"/groups/rows", form); w.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %s", w.Code, w.Body.String())
	}
	d4, v4, _ := e.st.Ledger(ctx, groups.Schema, code, 0)
	if len(d4.Rows(groups.TMembers)) != 2 {
		t.Fatalf("after add: %v", d4.Maps())
	}
	// The same form again, from the now stale page: refused.
	w = e.postForm("county", "/county/"+code+"/groups/rows", form)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	// A bad cell in a form: refused, named.
	form2 := url.Values{"table": {"members"}, "op": {"add"}, "base": {strconv.FormatInt(v4.ID, 10)},
		"c.group": {"G1"}, "c.school": {"X"}, "c.joined": {"昨天"}}
	w = e.postForm("county", "/county/"+code+"/groups/rows", form2)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	if !strings.Contains(w.Body.String(), "加入日期：不是日期") {
		t.Errorf("the form's error does not name the cell")
	}
	// A member of a group the ledger does not have: refused by the
	// ledger's check.
	form2.Set("c.joined", "2023-09-01")
	form2.Set("c.group", "G9")
	check(t, e.postForm("county", "/county/"+code+"/groups/rows", form2), http.StatusBadRequest, hc.In("#ledger-edit-error"))
	// Remove the added member.
	del := url.Values{"table": {"members"}, "op": {"del"}, "row": {"1"}, "base": {strconv.FormatInt(v4.ID, 10)}}
	if w := e.postForm("county", "/county/"+code+"/groups/rows", del); w.Code != http.StatusSeeOther {
		t.Fatalf("del: %d %s", w.Code, w.Body.String())
	}
	if d5, _, _ := e.st.Ledger(ctx, groups.Schema, code, 0); len(d5.Rows(groups.TMembers)) != 1 {
		t.Fatalf("after del: %v", d5.Maps())
	}
	vs, _ := e.st.LedgerVersions(ctx, "groups", code)
	if len(vs) != 4 {
		t.Fatalf("%d versions, want 4 (demo, import, add, remove)", len(vs))
	}
	// Every version downloads, and reads back as it was stored.
	first := vs[len(vs)-1]
	w = e.get("county", "/county/"+code+"/groups.xlsx?version="+strconv.FormatInt(first.ID, 10))
	if w.Code != 200 {
		t.Fatalf("old version: %d", w.Code)
	}
	back, err := ledger.Read(groups.Schema, ledger.File{Name: "v.xlsx", Data: w.Body.Bytes()})
	if err != nil || back.Len() != d.Len() {
		t.Fatalf("the demo version reads back %v, %v", back, err)
	}
	// Another county's version through this county's address: not found.
	other := ""
	for _, n := range province.Notes {
		if n.Code != code {
			other = n.Code
			break
		}
	}
	ovs, _ := e.st.LedgerVersions(ctx, "groups", other)
	if len(ovs) == 0 {
		t.Fatal("the demo seeds no ledger for another county")
	}
	if w := e.get("county", "/county/"+code+"/groups.xlsx?version="+strconv.FormatInt(ovs[0].ID, 10)); w.Code != http.StatusNotFound {
		t.Errorf("another county's version: %d", w.Code)
	}
	for _, path := range []string{"/groups/template.xlsx", "/county/" + code + "/groups.xlsx"} {
		if w := e.get("county", path); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	// The API gives the page's figures.
	w = e.get("county", "/api/v1/groups/"+code)
	var api struct {
		Coverage struct {
			Schools struct{ In, All int64 }
		}
		Ledger map[string][]map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || w.Code != 200 {
		t.Fatalf("api: %d %v", w.Code, err)
	}
	if len(api.Ledger["members"]) != 1 || api.Ledger["groups"][0]["tightness"] != "close" {
		t.Errorf("api ledger %v", api.Ledger)
	}
	// Out of scope: another county's account, a school, and writes by
	// the read-only account.
	if w := e.get("county", "/county/"+other+"/groups"); w.Code == http.StatusOK {
		t.Errorf("a county account reads another county's groups: %d", w.Code)
	}
	if w := e.get("school", "/county/"+code+"/groups"); w.Code == http.StatusOK {
		t.Errorf("a school account reads the county's groups: %d", w.Code)
	}
	if w := e.postForm("viewer", "/county/"+code+"/groups/rows", form); w.Code == http.StatusSeeOther {
		t.Errorf("the read-only account edits: %d", w.Code)
	}
}

// TestGroupsRegion: the region view lists the counties of the account's
// region with the coverage their ledgers give, sums them, and sends a
// county account to its county's page.
func TestGroupsRegion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := demo.LatestYear
	w := e.get("admin", "/groups")
	cityCode := county().Code[:4] + "00"
	check(t, w, http.StatusOK, hc.In("#groups-counties tr[data-region="+cityCode+"] a[href*='region="+cityCode+"']"), hc.In("tr[data-region=total]"))
	ledgers, err := e.st.Ledgers(ctx, groups.Schema, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	var total groups.Coverage
	for c, d := range ledgers {
		schools, _ := e.st.Schools(ctx, year, c)
		total.Add(groups.Count(groups.Of(d), schools, year))
	}
	want := strconv.Itoa(total.Groups) + " 个集团"
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("the province's headline lacks %q", want)
	}
	city := e.get("city", "/groups")
	check(t, city, http.StatusOK, hc.In("#groups-counties tr[data-region="+county().Code+"]"))
	// The province's drill-down to the city gives the city's page.
	check(t, e.get("admin", "/groups?region="+cityCode), http.StatusOK, hc.In("#groups-counties tr[data-region="+county().Code+"]"), hc.In("nav.crumbs a[href*='region=']"))
	for _, n := range province.Notes {
		if !strings.HasPrefix(n.Code, county().Code[:4]) && strings.Contains(city.Body.String(), `data-region="`+n.Code+`"`) {
			t.Errorf("the city account sees %s", n.Code)
		}
	}
	if w := e.get("county", "/groups"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/county/"+county().Code+"/groups") {
		t.Errorf("county account: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := e.get("city", "/groups?region=110000"); w.Code == http.StatusOK {
		t.Errorf("another region: %d", w.Code)
	}
}

// TestGroupsConcurrentEdits: clerks adding rows from the same page at
// once — one lands, the others are told the ledger changed; nothing is
// half-saved.
func TestGroupsConcurrentEdits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	d, v, err := e.st.Ledger(ctx, groups.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"table": {"evaluations"}, "op": {"add"}, "base": {strconv.FormatInt(v.ID, 10)},
				"c.group": {"JT01"}, "c.year": {strconv.Itoa(2010 + i)}, "c.result": {"合格"}}
			codes[i] = e.postForm("county", "/county/"+code+"/groups/rows", form).Code
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
			t.Errorf("status %d", c)
		}
	}
	after, _, _ := e.st.Ledger(ctx, groups.Schema, code, 0)
	if ok != 1 || after.Len() != d.Len()+1 {
		t.Fatalf("%d edits landed, ledger %d → %d rows", ok, d.Len(), after.Len())
	}
}

// TestGroupsReview: a city's reporting task asks for the counties'
// groups ledgers; the county's unit shows its ledger; once the county
// submits, the ledger is locked (page and saves) until the city accepts
// or returns; after acceptance it can be changed again, the accepted
// version kept in its history.
func TestGroupsReview(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	w := e.postForm("city", "/tasks", url.Values{"title": {"教育集团台账报送"}, "year": {strconv.Itoa(demo.LatestYear)}, "due": {"2030-01-01"}, "kind": {"groups"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("task: %d %.800s", w.Code, w.Body.String())
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(w.Header().Get("Location"), "/task/"), 10, 64)
	task, err := e.st.Task(ctx, id)
	if err != nil || len(task.Kinds) != 1 || task.Kinds[0] != "groups" {
		t.Fatalf("task %+v %v", task, err)
	}
	// The tasks list names the kind in words.
	if w := e.get("city", "/tasks"); !strings.Contains(w.Body.String(), "教育集团台账") {
		t.Error("the tasks list does not name the ledger")
	}
	unit := "/task/" + strconv.FormatInt(id, 10) + "/county/" + code
	_, v, _ := e.st.Ledger(ctx, groups.Schema, code, 0)
	check(t, e.get("county", unit), http.StatusOK, hc.In("#task-ledger-groups p[data-version='"+strconv.FormatInt(v.ID, 10)+"']"), hc.In("a#fill-groups"))
	if w := e.postForm("county", unit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", w.Code, w.Body.String())
	}
	// Locked: the page says so and offers no form; a save is refused.
	w = e.get("county", "/county/"+code+"/groups")
	check(t, w, http.StatusOK, hc.In("#ledger-locked"))
	if strings.Contains(w.Body.String(), `id="ledger-import"`) {
		t.Error("a locked ledger offers its import form")
	}
	form := url.Values{"table": {"evaluations"}, "op": {"add"}, "base": {strconv.FormatInt(v.ID, 10)}, "c.group": {"JT01"}, "c.year": {"2019"}, "c.result": {"合格"}}
	w = e.postForm("county", "/county/"+code+"/groups/rows", form)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	if !strings.Contains(w.Body.String(), "教育集团台账报送") {
		t.Errorf("the refusal does not name the task: %.2000s", w.Body.String())
	}
	w = e.uploadLedger("county", "/county/"+code+"/groups/import", map[string]string{"g.csv": "集团编号,集团名称,集团类型,牵头学校代码\nG1,一,紧密型,S1\n"})
	if w.Code == http.StatusSeeOther {
		t.Fatal("an import replaced a locked ledger")
	}
	if _, v2, _ := e.st.Ledger(ctx, groups.Schema, code, 0); v2.ID != v.ID {
		t.Fatal("a locked ledger changed")
	}
	// Another county's ledger is not locked by this county's unit.
	other := ""
	for _, n := range province.Notes {
		if n.Code != code && census.CityCode(n.Code) == census.CityCode(code) {
			other = n.Code
			break
		}
	}
	if lock, _ := e.st.LedgerLock(ctx, "groups", other, 0); lock != nil {
		t.Errorf("%s is locked by %s's submission", other, code)
	}
	// The city accepts: editable again.
	if w := e.postForm("city", unit+"/step", url.Values{"action": {"accept"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d %.500s", w.Code, w.Body.String())
	}
	if w := e.postForm("county", "/county/"+code+"/groups/rows", form); w.Code != http.StatusSeeOther {
		t.Fatalf("edit after acceptance: %d %.800s", w.Code, w.Body.String())
	}
	vs, _ := e.st.LedgerVersions(ctx, "groups", code)
	if len(vs) != 2 || vs[1].ID != v.ID {
		t.Fatalf("versions after acceptance: %+v", vs)
	}
}

// TestOpenAPILedgers: the API document describes every column of every
// table of every declared ledger, from the declaration.
func TestOpenAPILedgers(t *testing.T) {
	e := newEnv(t)
	w := e.get("", "/api/v1/openapi.json")
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Properties map[string]struct {
						Items struct {
							Properties map[string]any
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for kind, sc := range store.LedgerSchemas {
		s, ok := doc.Components.Schemas["Ledger_"+kind]
		if !ok {
			t.Errorf("no schema for ledger %s", kind)
			continue
		}
		for _, tb := range sc.Tables {
			props := s.Properties["tables"].Properties[tb.ID].Items.Properties
			for _, c := range tb.Cols {
				if _, ok := props[c.Key]; !ok {
					t.Errorf("Ledger_%s.%s lacks column %s", kind, tb.ID, c.Key)
				}
			}
		}
	}
}
