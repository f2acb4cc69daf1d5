package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationio"
	"github.com/dudao-edu/dudao/internal/standards"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// rotationLedger is a ledger of county for year: eligible teachers at
// one school, rotated of them to another, the first backbone of them
// backbone teachers.
func rotationLedger(eligible, rotated, backbone int) rotation.Ledger {
	l := rotation.Ledger{Eligible: []rotation.Eligible{{School: "S-OUT", Teachers: eligible}}}
	for i := range rotated {
		l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: fmt.Sprintf("T%03d", i), From: "S-OUT", To: "S-IN",
			Start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Backbone: i < backbone, Type: rotation.Exchange})
	}
	return l
}

// TestRotationLedgerFeedsVerdict: where a county has a rotation ledger
// for the year, the teacher_rotation item is judged from it, exactly at
// its boundary (10 % of the eligible rotated, 20 % of them backbone), and
// says so; without one, the typed county figures stand.
func TestRotationLedgerFeedsVerdict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := demo.LatestYear
	// A county with a county record and no ledger (the demo seeds ledgers
	// for the demo county's city only).
	recs, err := e.st.CountyRecords(ctx, year, "")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := e.st.Rotations(ctx, year, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	has := map[string]bool{}
	for _, l := range ls {
		has[l.County] = true
	}
	c := ""
	for _, r := range recs {
		if !has[r.CountyCode] {
			c = r.CountyCode
			break
		}
	}
	if c == "" {
		t.Fatal("every county has a ledger")
	}
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	item := func() *eval.ItemResult {
		t.Helper()
		cty, err := wholeCountyOf(ctx, e.st, rules, year, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range cty.Verdict.Items {
			if it.Item.ID == "teacher_rotation" {
				return it
			}
		}
		t.Fatal("no teacher_rotation item")
		return nil
	}
	// The typed figures: 1 of 1 000 eligible rotated, not met.
	rec, err := e.st.CountyRecord(ctx, year, c)
	if err != nil {
		t.Fatal(err)
	}
	rec.V[census.CRotationEligible], rec.V[census.CRotationTeachers], rec.V[census.CRotationBackbone] = 1000, 1, 1
	if _, err := e.st.SaveCountyRecord(ctx, "admin", rec); err != nil {
		t.Fatal(err)
	}
	it := item()
	if it.Status != census.StatusNotMet || strings.Contains(it.Reason, "台账") {
		t.Fatalf("typed figures: %s %s", it.Status, it.Reason)
	}
	for _, tc := range []struct {
		name              string
		eligible, rot, bb int
		want              census.Status
	}{
		{"exactly 10 % and 20 %", 200, 20, 4, census.StatusMet},
		{"one fewer rotated", 200, 19, 4, census.StatusNotMet},
		{"one fewer backbone", 200, 20, 3, census.StatusNotMet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.st.ReplaceRotation(ctx, "admin", c, year, []string{"轮岗.xlsx"}, rotationLedger(tc.eligible, tc.rot, tc.bb)); err != nil {
				t.Fatal(err)
			}
			it := item()
			if it.Status != tc.want {
				t.Errorf("status %s, want %s: %s", it.Status, tc.want, it.Reason)
			}
			for _, cr := range it.Checks {
				if !strings.Contains(cr.Text, "交流轮岗台账") {
					t.Errorf("the check does not name the ledger: %s", cr.Text)
				}
			}
			if it.Checks[0].Num != float64(tc.rot) || it.Checks[0].Den != float64(tc.eligible) {
				t.Errorf("rotated share %g/%g, want %d/%d", it.Checks[0].Num, it.Checks[0].Den, tc.rot, tc.eligible)
			}
		})
	}
	// The overview's verdict of every county reads the same ledger.
	res, err := e.srv.wholeResult(ctx, rules, year)
	if err != nil {
		t.Fatal(err)
	}
	for _, cty := range res.Counties {
		if cty.Code != c {
			continue
		}
		for _, it := range cty.Verdict.Items {
			if it.Item.ID == "teacher_rotation" && it.Status != census.StatusNotMet {
				t.Errorf("overview: %s", it.Status)
			}
		}
	}
}

// TestRotationPage: the demo county's ledger page shows its shares and
// flows, the verdict names the ledger, a bad file is refused with its
// errors named, a good one replaces the ledger.
func TestRotationPage(t *testing.T) {
	e := newEnv(t)
	ls, err := e.st.Rotations(context.Background(), demo.LatestYear, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	c := ls[0].County
	check(t, e.get("admin", "/county/"+c), http.StatusOK, hc.In("a#rotation-link"))
	// The demo county has none: the page says so and offers the form.
	check(t, e.get("county", "/county/"+county().Code+"/rotation"), http.StatusOK, hc.In("#rotation-none"), hc.In("form#rotation-import"))
	w := e.get("admin", "/county/"+c+"/rotation")
	check(t, w, http.StatusOK, hc.In("#rotation-shares tr[data-share=rotated]"), hc.In("#rotation-shares tr[data-share=backbone]"),
		hc.In("#rotation-flows tr[data-school]"), hc.In("form#rotation-import"), hc.In("a#rotation-template"))
	if w := e.get("admin", "/county/"+c+"/verdict"); !strings.Contains(w.Body.String(), "交流轮岗台账") {
		t.Error("the verdict does not name the ledger")
	}
	for _, path := range []string{"/rotation/template.xlsx", "/county/" + c + "/rotation.xlsx"} {
		if w := e.get("admin", path); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	post := func(code, name, data string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(data))
		mw.Close()
		return e.do("admin", "POST", "/county/"+code+"/rotation/import", &body, "Content-Type", mw.FormDataContentType())
	}
	confirm := func(code, tok string) *httptest.ResponseRecorder {
		return e.do("admin", "POST", "/county/"+code+"/rotation/confirm", strings.NewReader(url.Values{"token": {tok}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	imports := func() int {
		ims, err := e.st.RotationImports(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		return len(ims)
	}
	n0 := imports()
	const head = "教师编号,派出学校代码,接收学校代码,开始日期,是否骨干教师,交流方式\n"
	w = post(c, "bad.csv", "教师编号,派出学校代码,接收学校代码,开始日期,交流方式\nT1,S1,S1,2025-09-01,借调\n")
	check(t, w, http.StatusBadRequest, hc.In("#rotation-errors tr[data-letter=E]"), hc.NotIn("#rotation-preview"))
	// Rows of two school years: the fewer are refused at their start
	// cell; a school year the census does not hold is refused.
	w = post(c, "years.csv", head+"T1,S1,S2,2024-09-01,是,交流\nT2,S1,S2,2025-03-01,否,交流\nT3,S1,S2,2025-09-01,否,交流\n")
	check(t, w, http.StatusBadRequest, hc.In("#rotation-errors tr[data-row='4'][data-letter=D]"), hc.NotIn("#rotation-errors tr[data-row='3']"))
	w = post(c, "later.csv", head+"T1,S1,S2,2030-09-01,是,交流\n")
	check(t, w, http.StatusBadRequest, hc.In("#rotation-errors tr[data-row='2'][data-letter=D]"))
	// A good file is previewed, not stored.
	good := head + "T1,S1,S2,2024-09-01,是,交流\nT2,S1,S2,2025-02-20,否,支教\n"
	w = post(c, "good.csv", good)
	check(t, w, http.StatusOK, hc.In("#rotation-preview tr[data-share=rotated]"), hc.In("#rotation-preview tr[data-teacher=T2]"),
		hc.In("form#rotation-confirm"), hc.In("#rotation-replaces"), hc.In("#rotation-unknown"))
	if imports() != n0 {
		t.Fatal("a preview stored the ledger")
	}
	tok := tokenIn(t, w)
	// Another county's confirmation refuses the token and leaves it.
	if w := confirm(county().Code, tok); w.Code != http.StatusBadRequest {
		t.Errorf("the token confirmed on another county: %d", w.Code)
	}
	if w := confirm(c, tok); w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "year=2024") {
		t.Fatalf("confirm: %d %s", w.Code, w.Body.String())
	}
	if w := confirm(c, tok); w.Code != http.StatusBadRequest {
		t.Errorf("the token confirmed twice: %d", w.Code)
	}
	if imports() != n0+1 {
		t.Fatal("the confirmation stored nothing")
	}
	w = e.get("admin", "/county/"+c+"/rotation")
	check(t, w, http.StatusOK, hc.In("#rotation-flows tr[data-school=S1]"), hc.In("#rotation-imports li"))
	// A token expires on the server's clock.
	w = post(c, "good.csv", good)
	tok = tokenIn(t, w)
	now := e.srv.now
	e.srv.now = func() time.Time { return now().Add(uploadTTL + time.Minute) }
	if w := confirm(c, tok); w.Code != http.StatusBadRequest {
		t.Errorf("an expired token confirmed: %d", w.Code)
	}
	e.srv.now = now
	if imports() != n0+1 {
		t.Error("an expired token stored the ledger")
	}
	if w := e.get("school", "/county/"+county().Code+"/rotation"); w.Code == http.StatusOK {
		t.Errorf("a school account sees the county's ledger: %d", w.Code)
	}
}

// tokenIn is the confirm token of a preview.
func tokenIn(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	m := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no confirm token: %d %.500s", w.Code, w.Body.String())
	}
	return m[1]
}

// TestRotationPreviewBreaks: a ledger that sends every backbone teacher
// of a primary school meeting the school rule away is previewed with the
// school named and the backbone indicator below its threshold; the stage
// comes from the school's type.
func TestRotationPreviewBreaks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := county().Code
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	from, to, n := passingPrimary(t, e, rules, c)
	var b strings.Builder
	b.WriteString("教师编号,派出学校代码,接收学校代码,开始日期,是否骨干教师,交流方式\n")
	for i := range n {
		fmt.Fprintf(&b, "T%d,%s,%s,%d-09-01,是,交流\n", i, from.Code, to.Code, demo.LatestYear)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "break.csv")
	fw.Write([]byte(b.String()))
	mw.Close()
	w := e.do("county", "POST", "/county/"+c+"/rotation/import", &body, "Content-Type", mw.FormDataContentType())
	check(t, w, http.StatusOK, hc.In("#rotation-preview-breaks li[data-school='"+from.Code+"'][data-stage=primary]", hc.HasText(from.Name)),
		hc.In("#rotation-preview-breaks li[data-school='"+from.Code+"']", hc.HasText("骨干")))
	if _, err := e.st.Rotation(ctx, c, demo.LatestYear); err == nil {
		t.Error("a preview stored the ledger")
	}
}

// passingPrimary finds a primary school of county that meets the school
// rule and has backbone teachers, with another school to send them to.
func passingPrimary(t *testing.T, e *env, rules *standards.Rules, county string) (from, to census.School, backbone int) {
	t.Helper()
	recs, err := e.st.Schools(context.Background(), demo.LatestYear, county)
	if err != nil {
		t.Fatal(err)
	}
	ptrs := make([]*census.School, len(recs))
	for i := range recs {
		ptrs[i] = &recs[i]
	}
	res := eval.EvaluateCounty(rules, ptrs)
	pass := map[string]bool{}
	for _, p := range res.Parts {
		if p.Stage == census.StagePrimary && p.Pass && !p.Excluded {
			pass[p.SchoolCode] = true
		}
	}
	for _, s := range recs {
		bb, ok := s.Get(census.BackboneTeachersPrimary)
		if s.Type == census.Primary && pass[s.Code] && ok && bb > 0 {
			for _, o := range recs {
				if o.Code != s.Code && o.Type == census.Primary {
					return s, o, int(bb)
				}
			}
		}
	}
	t.Fatal("no passing primary school with backbone teachers")
	return
}

// TestRotationLedgerPath: the rotation ledger is on the common ledger
// path — each import is a version that downloads as it was, the API
// gives its rows by the declaration's keys, and a reporting task that asks
// for it locks the year's ledger while the county's unit is submitted.
func TestRotationLedgerPath(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ls, err := e.st.Rotations(ctx, demo.LatestYear, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	c := ls[0].County
	imps, err := e.st.RotationImports(ctx, c)
	if err != nil || len(imps) == 0 {
		t.Fatalf("imports %v %v", imps, err)
	}
	w := e.get("admin", "/county/"+c+"/rotation")
	check(t, w, http.StatusOK, hc.In(fmt.Sprintf("#rotation-imports a[href='/county/%s/rotation.xlsx?version=%d']", c, imps[0].ID)))
	w = e.get("admin", fmt.Sprintf("/county/%s/rotation.xlsx?version=%d", c, imps[0].ID))
	back, err := rotationio.Read(rotationio.File{Name: "v.xlsx", Data: w.Body.Bytes()})
	if err != nil || len(back.Rotations) != len(ls[0].Rotations) {
		t.Fatalf("version download: %v, %d rotations", err, len(back.Rotations))
	}
	// Another county's version through this county: not found.
	other := ""
	for _, l := range ls[1:] {
		other = l.County
	}
	if other != "" {
		oi, _ := e.st.RotationImports(ctx, other)
		if w := e.get("admin", fmt.Sprintf("/county/%s/rotation.xlsx?version=%d", c, oi[0].ID)); w.Code != http.StatusNotFound {
			t.Errorf("another county's version: %d", w.Code)
		}
	}
	w = e.get("admin", fmt.Sprintf("/api/v1/ledgers/rotation/%s?year=%d", c, demo.LatestYear))
	var api struct {
		Kind   string
		Tables map[string][]map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || w.Code != 200 || api.Kind != "rotation" || len(api.Tables["rotations"]) != len(ls[0].Rotations) {
		t.Fatalf("api: %d %v %+v", w.Code, err, api)
	}
	if w := e.get("county", "/api/v1/ledgers/rotation/"+c); c != county().Code && w.Code == http.StatusOK {
		t.Errorf("a county account reads another county's ledger: %d", w.Code)
	}
	if w := e.get("admin", "/api/v1/ledgers/nope/"+c); w.Code != http.StatusNotFound {
		t.Errorf("an unknown kind: %d", w.Code)
	}
	// A city task asks for the rotation ledger; the county submits; locked.
	w = e.postForm("city", "/tasks", url.Values{"title": {"轮岗台账报送"}, "year": {strconv.Itoa(demo.LatestYear)}, "due": {"2030-01-01"}, "kind": {"rotation"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("task: %d %.500s", w.Code, w.Body.String())
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/task/")
	code := county().Code
	if w := e.postForm("county", "/task/"+id+"/county/"+code+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", w.Code, w.Body.String())
	}
	check(t, e.get("county", "/county/"+code+"/rotation"), http.StatusOK, hc.In("#rotation-locked"))
	if _, err := e.st.ReplaceRotation(ctx, "county", code, demo.LatestYear, nil, rotationLedger(10, 1, 0)); err == nil {
		t.Fatal("a locked rotation ledger was replaced")
	}
	// Another year's ledger is not held by the task.
	if lock, _ := e.st.LedgerLock(ctx, "rotation", code, demo.LatestYear-1); lock != nil {
		t.Errorf("the year before is locked: %v", lock)
	}
}

// TestRotationFormEdit: a rotation added in the ledger's form is
// previewed like an import — the shares and the schools it would push
// below the school rule — and stored only when confirmed; a form made
// from a version that is no longer the newest is refused, as is a
// confirmation made after someone else saved.
func TestRotationFormEdit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ls, err := e.st.Rotations(ctx, demo.LatestYear, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	c := ls[0].County
	schools, _ := e.st.Schools(ctx, demo.LatestYear, c)
	_, v, err := e.st.Ledger(ctx, rotationio.Schema, c, demo.LatestYear)
	if err != nil {
		t.Fatal(err)
	}
	page := e.get("admin", "/county/"+c+"/rotation")
	check(t, page, http.StatusOK, hc.In("form.ledger-add[data-table=rotations]"), hc.In("#ledger-rotations tr[data-row]"))
	form := url.Values{"table": {"rotations"}, "op": {"add"}, "base": {strconv.FormatInt(v.ID, 10)},
		"c.teacher": {"T-FORM"}, "c.from": {schools[0].Code}, "c.to": {schools[1].Code}, "c.start": {fmt.Sprintf("%d-09-01", demo.LatestYear)}, "c.type": {"exchange"}}
	w := e.postForm("admin", "/county/"+c+"/rotation/rows?year="+strconv.Itoa(demo.LatestYear), form)
	check(t, w, http.StatusOK, hc.In("#rotation-preview"))
	if l, _ := e.st.Rotation(ctx, c, demo.LatestYear); len(l.Rotations) != len(ls[0].Rotations) {
		t.Fatal("a previewed form edit was stored")
	}
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if token == nil {
		t.Fatal("no confirm token on the preview")
	}
	// Someone saves in between: the confirmation is refused, nothing lost.
	other := ls[0]
	other.Rotations = append(other.Rotations[:0:0], other.Rotations[1:]...)
	if _, err := e.st.ReplaceRotation(ctx, "other", c, demo.LatestYear, []string{"o.xlsx"}, other); err != nil {
		t.Fatal(err)
	}
	if w := e.postForm("admin", "/county/"+c+"/rotation/confirm", url.Values{"token": {token[1]}}); w.Code != http.StatusBadRequest {
		t.Fatalf("a confirmation after another save: %d", w.Code)
	}
	if l, _ := e.st.Rotation(ctx, c, demo.LatestYear); len(l.Rotations) != len(other.Rotations) {
		t.Fatalf("the other save was lost: %d rotations", len(l.Rotations))
	}
	// The same form again, from the stale page: refused before a preview.
	w = e.postForm("admin", "/county/"+c+"/rotation/rows?year="+strconv.Itoa(demo.LatestYear), form)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	// From the newest version: previewed, confirmed, stored with its note.
	_, v, _ = e.st.Ledger(ctx, rotationio.Schema, c, demo.LatestYear)
	form.Set("base", strconv.FormatInt(v.ID, 10))
	w = e.postForm("admin", "/county/"+c+"/rotation/rows?year="+strconv.Itoa(demo.LatestYear), form)
	token = regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if token == nil {
		t.Fatalf("no preview: %d", w.Code)
	}
	if w := e.postForm("admin", "/county/"+c+"/rotation/confirm", url.Values{"token": {token[1]}}); w.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %.500s", w.Code, w.Body.String())
	}
	l, _ := e.st.Rotation(ctx, c, demo.LatestYear)
	if len(l.Rotations) != len(other.Rotations)+1 {
		t.Fatalf("after confirming: %d rotations, want %d", len(l.Rotations), len(other.Rotations)+1)
	}
	vs, _ := e.st.LedgerVersions(ctx, "rotation", c)
	if vs[0].Note == "" || len(vs[0].Files) != 0 {
		t.Errorf("the form's version: %+v", vs[0])
	}
}
