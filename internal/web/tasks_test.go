package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/forecast"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// demoTask is the demo's reporting task.
func (e *env) demoTask() store.Task {
	e.t.Helper()
	tasks, err := e.st.Tasks(context.Background(), "")
	if err != nil || len(tasks) == 0 {
		e.t.Fatalf("no demo task: %v", err)
	}
	return tasks[len(tasks)-1]
}

func (e *env) unitState(id int64, kind review.UnitKind, code string) review.State {
	e.t.Helper()
	u, err := e.st.TaskUnit(context.Background(), id, kind, code)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.State
}

// schoolForm is the school edit form's values for rec, with edit applied.
func schoolForm(rec census.UnitRecord, edit map[string]string) url.Values {
	t := census.TableOf(census.KindSchool)
	v := url.Values{}
	for _, c := range t.Text {
		if !t.Identifying(c.Key) {
			v.Set(c.Key, rec.Text(c.Key))
		}
	}
	for i, c := range t.Num {
		if x := rec.Values()[i]; x == x {
			v.Set(c.Key, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	for k, x := range edit {
		v.Set(k, x)
	}
	return v
}

func multipartForm(v url.Values, files map[string][]byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, x := range vs {
			mw.WriteField(k, x)
		}
	}
	for k, data := range files {
		fw, _ := mw.CreateFormFile(k, "evidence.pdf")
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// TestReviewChainPages walks the chain through the pages as each account
// would: the school fills and submits, the county returns one field with
// a reason, the school fixes (keeping an implausible value with an
// explanation and evidence) and resubmits, the county approves and
// submits the county, the city accepts, the data are locked, the city
// unlocks with a reason, and the audit shows every step.
func TestReviewChainPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	task := e.demoTask()
	c := county()
	school := seedAccounts["school"].School
	unit := fmt.Sprintf("/task/%d/unit/%s", task.ID, school)
	countyUnit := fmt.Sprintf("/task/%d/county/%s", task.ID, c.Code)

	// The school's inbox: its task to fill; the header counts it.
	w := e.get("school", "/inbox")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `data-key="inbox.fill"`) || !strings.Contains(w.Body.String(), `id="inbox-count"`) {
		t.Fatalf("school inbox %d: %.2000s", w.Code, w.Body.String())
	}
	// The county's inbox: submissions to review; the city's: a county to accept.
	if w := e.get("county", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.review"`) || !strings.Contains(w.Body.String(), `data-key="inbox.judge"`) {
		t.Fatalf("county inbox: %.3000s", w.Body.String())
	}
	if w := e.get("city", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.accept"`) || !strings.Contains(w.Body.String(), `data-key="inbox.spot"`) {
		t.Fatalf("city inbox: %.3000s", w.Body.String())
	}
	if w := e.get("viewer", "/inbox"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "data-key=") {
		t.Fatalf("viewer inbox %d", w.Code)
	}

	// The school submits; its data are locked.
	if w := e.postForm("school", unit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", w.Code, w.Body.String())
	}
	if s := e.unitState(task.ID, review.Unit, school); s != review.Submitted {
		t.Fatalf("after submit: %s", s)
	}
	rec, err := e.st.Record(ctx, "school", task.Year, school)
	if err != nil {
		t.Fatal(err)
	}
	tp := rec.Values()[census.TeachersPrimary]
	w = e.postForm("school", "/school/"+school+"/edit?year="+strconv.Itoa(task.Year), schoolForm(rec, map[string]string{"teachers_primary": fmt.Sprint(tp + 1)}))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "已锁定") {
		t.Fatalf("edit of submitted data: %d %.500s", w.Code, w.Body.String())
	}
	// Nor may it approve itself, nor the county accept itself.
	if w := e.postForm("school", unit+"/step", url.Values{"action": {"approve"}}); w.Code != http.StatusForbidden {
		t.Errorf("school approves itself: %d", w.Code)
	}

	// The county returns one field with a reason.
	w = e.postForm("county", unit+"/step", url.Values{"action": {"return"}, "reason": {"请核对教师数"},
		"c.school.teachers_primary": {"与人事系统不符"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("return: %d %.500s", w.Code, w.Body.String())
	}
	// The school sees which field and why, on the task and in its form.
	w = e.get("school", unit)
	if !strings.Contains(w.Body.String(), "与人事系统不符") || !strings.Contains(w.Body.String(), `data-state="returned"`) {
		t.Fatalf("returned unit page: %.3000s", w.Body.String())
	}
	form := fmt.Sprintf("/school/%s/edit?task=%d", school, task.ID)
	if w := e.get("school", form); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "与人事系统不符") {
		t.Fatalf("task form: %d", w.Code)
	}
	// A jump of more than 30 % needs an explanation: without one nothing is saved.
	last, err := e.st.Record(ctx, "school", task.Year-1, school)
	if err != nil {
		t.Fatal(err)
	}
	jump := fmt.Sprint(last.Values()[census.StudentsPrimary]*2 + 10)
	edit := map[string]string{"teachers_primary": fmt.Sprint(tp + 2), "students_primary": jump}
	body, ctype := multipartForm(schoolForm(rec, edit), nil)
	w = e.do("school", http.MethodPost, form, body, "Content-Type", ctype)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `data-rule="jump"`) {
		t.Fatalf("implausible value without explanation: %d %.1000s", w.Code, w.Body.String())
	}
	if r, _ := e.st.Record(ctx, "school", task.Year, school); r.Values()[census.TeachersPrimary] != tp {
		t.Fatal("a form asking for an explanation saved the record")
	}
	v := schoolForm(rec, edit)
	v.Set("explain.students_primary", "新校区投入使用，学生增加")
	body, ctype = multipartForm(v, map[string][]byte{"evidence.students_primary": pdfBytes})
	w = e.do("school", http.MethodPost, form, body, "Content-Type", ctype)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != unit {
		t.Fatalf("save with explanation: %d %q %.1000s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	expl, err := e.st.Explanations(ctx, task.ID, school)
	if err != nil || len(expl) != 1 || expl[0].Column != "students_primary" || expl[0].EvidenceID == 0 {
		t.Fatalf("explanations %+v %v", expl, err)
	}
	if w := e.postForm("school", unit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", w.Code)
	}
	// The reviewer sees the flag, the explanation and its evidence.
	w = e.get("county", unit)
	if !strings.Contains(w.Body.String(), "新校区投入使用") || !strings.Contains(w.Body.String(), fmt.Sprintf("/evidence/%d", expl[0].EvidenceID)) {
		t.Fatalf("reviewer's page: %.3000s", w.Body.String())
	}

	// The county cannot submit upward before every unit is approved.
	if w := e.postForm("county", countyUnit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusConflict {
		t.Fatalf("early county submission: %d", w.Code)
	}
	units, err := e.st.TaskUnits(ctx, task.ID, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Kind != review.Unit {
			continue
		}
		path := fmt.Sprintf("/task/%d/unit/%s/step", task.ID, u.Code)
		if u.State == review.Open || u.State == review.Returned {
			if w := e.postForm("county", path, url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
				t.Fatalf("county submits for %s: %d", u.Code, w.Code)
			}
		}
		if u.State != review.Approved {
			if w := e.postForm("county", path, url.Values{"action": {"approve"}}); w.Code != http.StatusSeeOther {
				t.Fatalf("approve %s: %d %.300s", u.Code, w.Code, w.Body.String())
			}
		}
	}
	if w := e.postForm("county", countyUnit+"/step", url.Values{"action": {"accept"}}); w.Code != http.StatusForbidden {
		t.Errorf("county accepts itself: %d", w.Code)
	}
	if w := e.postForm("county", countyUnit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("county submission: %d %.500s", w.Code, w.Body.String())
	}
	// The city draws a spot check (seeded, shown again) and accepts.
	w = e.postForm("city", fmt.Sprintf("/task/%d/spotcheck", task.ID), url.Values{"county": {c.Code}, "percent": {"10"}, "seed": {"42"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d %.500s", w.Code, w.Body.String())
	}
	checks, err := e.st.SpotChecks(ctx, task.ID, c.Code)
	if err != nil || len(checks) != 1 || checks[0].Seed != 42 {
		t.Fatalf("checks %+v %v", checks, err)
	}
	if again := review.Sample(checks[0].Population, len(checks[0].Sample), 42); strings.Join(again, ",") != strings.Join(checks[0].Sample, ",") {
		t.Fatal("the draw does not show again")
	}
	if w := e.postForm("city", countyUnit+"/step", url.Values{"action": {"accept"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d %.500s", w.Code, w.Body.String())
	}
	if s := e.unitState(task.ID, review.County, c.Code); s != review.Accepted {
		t.Fatalf("county after acceptance: %s", s)
	}
	// Official data on the county's pages and report.
	if w := e.get("county", fmt.Sprintf("/county/%s?year=%d", c.Code, task.Year)); !strings.Contains(w.Body.String(), `data-official="true"`) {
		t.Errorf("county page does not say the data are official")
	}
	if w := e.get("county", fmt.Sprintf("/county/%s?year=%d", c.Code, task.Year-1)); !strings.Contains(w.Body.String(), `data-official="false"`) {
		t.Errorf("an unreviewed year is not marked provisional")
	}
	if w := e.get("county", fmt.Sprintf("/report/%s/html?year=%d", c.Code, task.Year)); !strings.Contains(w.Body.String(), "正式数据") {
		t.Errorf("the report does not say which data it uses")
	}
	// The overview and the province's summary count the official counties.
	if w := e.get("admin", fmt.Sprintf("/overview?year=%d", task.Year)); !strings.Contains(w.Body.String(), `data-official="1"`) {
		t.Errorf("the overview does not count the accepted county")
	}
	if w := e.get("admin", fmt.Sprintf("/report/%s/html?year=%d", demo.ProvinceCode, task.Year)); !strings.Contains(w.Body.String(), "1 个为正式数据") {
		t.Errorf("the summary does not say which data it uses")
	}
	// Locked: the county's own record and the school's are refused.
	w = e.postForm("school", "/school/"+school+"/edit?year="+strconv.Itoa(task.Year), schoolForm(rec, map[string]string{"teachers_primary": fmt.Sprint(tp + 3)}))
	if w.Code != http.StatusConflict {
		t.Fatalf("edit after acceptance: %d", w.Code)
	}
	// The city unlocks with a reason, reopening the school.
	if w := e.postForm("city", countyUnit+"/step", url.Values{"action": {"unapprove"}}); w.Code != http.StatusBadRequest {
		t.Errorf("unlock without a reason: %d", w.Code)
	}
	w = e.postForm("city", countyUnit+"/step", url.Values{"action": {"unapprove"}, "reason": {"教师数需再核"}, "also": {school}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("unlock: %d %.500s", w.Code, w.Body.String())
	}
	if s := e.unitState(task.ID, review.Unit, school); s != review.Returned {
		t.Fatalf("school after unlock: %s", s)
	}
	cur, _ := e.st.Record(ctx, "school", task.Year, school)
	w = e.postForm("school", "/school/"+school+"/edit?year="+strconv.Itoa(task.Year), schoolForm(cur, map[string]string{"teachers_primary": fmt.Sprint(tp + 3)}))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("edit after unlock: %d %.500s", w.Code, w.Body.String())
	}
	// The audit shows every step.
	w = e.get("admin", "/audit")
	for _, a := range []string{"review.submit", "review.return", "review.approve", "review.accept", "review.unapprove", "review.reopen", "review.spotcheck"} {
		if !strings.Contains(w.Body.String(), `data-action="`+a+`"`) {
			t.Errorf("the audit lacks %s", a)
		}
	}
	// The unit page keeps every round.
	steps, _ := e.st.Steps(ctx, task.ID, school)
	var seq []string
	for _, st := range steps {
		seq = append(seq, string(st.Action))
	}
	if got := strings.Join(seq, ","); got != "submit,return,submit,approve,reopen" {
		t.Errorf("steps kept: %s", got)
	}
}

// TestTaskPrefill opens a task for the next year: the school's form starts
// from last year's figures, and saving creates its record of the new year.
func TestTaskPrefill(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := county()
	school := seedAccounts["school"].School
	next := demo.LatestYear + 1
	w := e.postForm("county", "/tasks", url.Values{"title": {"秋季学校数据"}, "year": {strconv.Itoa(next)}, "due": {"2030-09-20"},
		"remind": {"7,3"}, "kind": {"school"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("open task: %d %.1000s", w.Code, w.Body.String())
	}
	loc := w.Header().Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/task/"), 10, 64)
	if err != nil {
		t.Fatalf("location %q", loc)
	}
	task, err := e.st.Task(ctx, id)
	if err != nil || task.Region != c.Code || task.OpenerLevel != review.LevelCounty {
		t.Fatalf("task %+v %v", task, err)
	}
	// Bad input names what to fix; nothing is stored.
	w = e.postForm("county", "/tasks", url.Values{"title": {""}, "year": {"20x"}, "due": {"9/20"}, "remind": {"x"}})
	if w.Code != http.StatusUnprocessableEntity || strings.Count(w.Body.String(), "<li>") < 5 {
		t.Fatalf("bad task: %d", w.Code)
	}
	if w := e.postForm("school", "/tasks", url.Values{"title": {"x"}, "year": {"2030"}, "due": {"2030-01-01"}, "kind": {"school"}}); w.Code != http.StatusForbidden {
		t.Errorf("a school opens a task: %d", w.Code)
	}
	form := fmt.Sprintf("/school/%s/edit?task=%d", school, id)
	w = e.get("school", form)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="record-prefilled"`) {
		t.Fatalf("prefilled form: %d %.1000s", w.Code, w.Body.String())
	}
	last, err := e.st.Record(ctx, "school", demo.LatestYear, school)
	if err != nil {
		t.Fatal(err)
	}
	v := schoolForm(last, map[string]string{"books": fmt.Sprint(last.Values()[census.Books] + 100)})
	body, ctype := multipartForm(v, nil)
	w = e.do("school", http.MethodPost, form, body, "Content-Type", ctype)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save prefilled: %d %.1000s", w.Code, w.Body.String())
	}
	got, err := e.st.Record(ctx, "school", next, school)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range last.Values() {
		want := x
		if i == int(census.Books) {
			want += 100
		}
		if g := got.Values()[i]; g != want && (g == g || want == want) {
			t.Errorf("%s: %v, want %v", census.SchoolTable.Num[i].Key, g, want)
		}
	}
	// Another county's school cannot be filled through this task.
	other := otherCounty()
	os, _ := e.st.Schools(ctx, demo.LatestYear, other)
	if w := e.get("county", fmt.Sprintf("/school/%s/edit?task=%d", os[0].Code, id)); w.Code != http.StatusNotFound {
		t.Errorf("another county's school through the task: %d", w.Code)
	}
}

// TestSpotCheckFindingReopens: a discrepancy found by the city reopens the
// unit's data with the finding as the reason.
func TestSpotCheckFindingReopens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	task := e.demoTask()
	// The demo's submitted county has a drawn check.
	var county string
	var check store.SpotCheck
	units, _ := e.st.TaskUnits(ctx, task.ID, "")
	for _, u := range units {
		if u.Kind == review.County && u.State == review.Submitted {
			county = u.Code
		}
	}
	checks, err := e.st.SpotChecks(ctx, task.ID, county)
	if err != nil || len(checks) == 0 {
		t.Fatalf("no demo spot check: %v", err)
	}
	check = checks[0]
	code := check.Sample[0]
	if w := e.get("city", fmt.Sprintf("/task/%d", task.ID)); !strings.Contains(w.Body.String(), fmt.Sprintf(`data-sample="%s"`, code)) {
		t.Fatal("the task page does not list the sample")
	}
	path := fmt.Sprintf("/task/%d/spotcheck/%d/finding", task.ID, check.ID)
	if w := e.postForm("city", path, url.Values{"county": {county}, "code": {code}, "result": {"discrepancy"}}); w.Code != http.StatusBadRequest {
		t.Errorf("a discrepancy without a finding: %d", w.Code)
	}
	w := e.postForm("city", path, url.Values{"county": {county}, "code": {code}, "ledger": {"学籍系统"}, "result": {"discrepancy"}, "finding": {"在校生多报 12 人"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("finding: %d %.500s", w.Code, w.Body.String())
	}
	if s := e.unitState(task.ID, review.Unit, code); s != review.Returned {
		t.Errorf("unit after a discrepancy: %s", s)
	}
	if s := e.unitState(task.ID, review.County, county); s != review.Returned {
		t.Errorf("county after a discrepancy: %s", s)
	}
	// The county account of another county cannot record findings.
	if w := e.postForm("county", path, url.Values{"county": {county}, "code": {code}, "result": {"ok"}}); w.Code != http.StatusNotFound {
		t.Errorf("another county records a finding: %d", w.Code)
	}
}

// TestPrefillFile: a school downloads its own pre-filled file for a task of
// the next year, and it reads back as last year's figures of the new year.
func TestPrefillFile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	school := seedAccounts["school"].School
	c := county()
	id, _, err := e.st.CreateTask(ctx, "county", store.Task{Title: "next", Year: demo.LatestYear + 1, Kinds: []string{"school"},
		Region: c.Code, OpenerLevel: review.LevelCounty, Due: "2030-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	w := e.get("school", fmt.Sprintf("/task/%d/unit/%s/prefill.xlsx", id, school))
	if w.Code != http.StatusOK {
		t.Fatalf("prefill file: %d", w.Code)
	}
	b, err := censusio.Read("prefill.xlsx", bytes.NewReader(w.Body.Bytes()), censusio.Options{})
	if err != nil || len(b.Schools) != 1 || b.Schools[0].Year != demo.LatestYear+1 || b.Schools[0].Code != school {
		t.Fatalf("prefill file reads back %+v %v", b, err)
	}
	last, _ := e.st.Record(ctx, "school", demo.LatestYear, school)
	for i, v := range last.Values() {
		if g := b.Schools[0].V[i]; g != v && (g == g || v == v) {
			t.Errorf("%s: %v, want %v", census.SchoolTable.Num[i].Key, g, v)
		}
	}
	// Another school of the county cannot download it.
	units, _ := e.st.TaskUnits(ctx, id, c.Code)
	for _, u := range units {
		if u.Kind == review.Unit && u.Code != school {
			if w := e.get("school", fmt.Sprintf("/task/%d/unit/%s/prefill.xlsx", id, u.Code)); w.Code != http.StatusNotFound {
				t.Errorf("another school's file: %d", w.Code)
			}
			break
		}
	}
}

// TestInboxCases: the demo's cases put work in the inboxes: the county's
// self-evaluation, the city's re-check, the province's fixes to verify or
// findings to fix by the mate county.
func TestInboxCases(t *testing.T) {
	e := newEnv(t)
	if w := e.get("county", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.case_self_eval"`) {
		t.Errorf("county inbox lacks its self-evaluation")
	}
	if w := e.get("city", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.case_city_review"`) {
		t.Errorf("city inbox lacks the re-check")
	}
	if w := e.get("viewer", "/cases"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="case-list"`) {
		t.Errorf("viewer's case list: %d", w.Code)
	}
	if w := e.get("school", "/cases"); w.Code != http.StatusNotFound {
		t.Errorf("school's case list: %d", w.Code)
	}
}

// TestTaskRegion: a province opens a task over one of its cities; another
// province's region is refused and nothing is stored.
func TestTaskRegion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	city := census.CityCode(county().Code)
	w := e.postForm("admin", "/tasks", url.Values{"title": {"市级抽样"}, "year": {strconv.Itoa(demo.LatestYear)}, "due": {"2030-01-01"}, "kind": {"school"}, "region": {city}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("task over a city: %d %.500s", w.Code, w.Body.String())
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(w.Header().Get("Location"), "/task/"), 10, 64)
	task, err := e.st.Task(ctx, id)
	if err != nil || task.Region != city {
		t.Fatalf("task %+v %v", task, err)
	}
	units, _ := e.st.TaskUnits(ctx, id, "")
	for _, u := range units {
		if census.CityCode(u.County) != city {
			t.Fatalf("unit %s outside the city", u.Code)
		}
	}
	before, _ := e.st.Tasks(ctx, "")
	if w := e.postForm("city", "/tasks", url.Values{"title": {"x"}, "year": {strconv.Itoa(demo.LatestYear)}, "due": {"2030-01-01"}, "kind": {"school"}, "region": {otherCounty()}}); w.Code != http.StatusNotFound {
		t.Errorf("a city opens a task over another city's county: %d", w.Code)
	}
	if after, _ := e.st.Tasks(ctx, ""); len(after) != len(before) {
		t.Error("a refused task was stored")
	}
}

// TestCaseMonitoring: a county recognised for the year before whose
// teacher rotation slips in the latest year shows the item in its
// monitoring, and the province raises it as a finding, once.
func TestCaseMonitoring(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	base := demo.LatestYear - 1
	// A county whose rotation is met in the base year.
	var county string
	for _, n := range province.Notes {
		cty, err := e.srv.wholeCounty(ctx, rules, base, n.Code)
		if err != nil {
			continue
		}
		for _, it := range cty.Verdict.Items {
			if it.Item.ID == "teacher_rotation" && it.Status == census.StatusMet {
				county = n.Code
			}
		}
		if county != "" {
			break
		}
	}
	if county == "" {
		t.Fatal("no county meets teacher rotation in the base year")
	}
	c, err := e.st.OpenCase(ctx, "county", store.Case{County: county, Standard: "yzjh2017", Profile: "national", Year: base})
	if err != nil {
		t.Fatal(err)
	}
	real := e.st.Now
	for _, s := range []struct {
		by review.Level
		a  recognition.Action
	}{{review.LevelCounty, recognition.SubmitSelf}, {review.LevelCity, recognition.CityPass}, {review.LevelProvince, recognition.Publish}, {review.LevelProvince, recognition.Recognise}} {
		if s.a == recognition.Recognise {
			e.st.Now = func() time.Time { return real().Add(10 * 24 * time.Hour) }
		}
		if _, err := e.st.CaseStep(ctx, "t", s.by, c.ID, store.CaseStepInput{Action: s.a, Clocks: ticket.DefaultClocks()}); err != nil {
			t.Fatalf("%s: %v", s.a, err)
		}
	}
	e.st.Now = real
	// The latest year: nobody rotated.
	rec, err := e.st.Record(ctx, "county", demo.LatestYear, county)
	if err != nil {
		t.Fatal(err)
	}
	rec.Values()[census.CountyTable.Index("rotation_teachers")] = 0
	if _, err := e.st.SaveRecord(ctx, "county", rec, false, nil); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/case/%d", c.ID)
	w := e.get("admin", path)
	if !strings.Contains(w.Body.String(), `data-slipped="teacher_rotation"`) {
		t.Fatalf("monitoring does not show the slipped item: %.3000s", w.Body.String())
	}
	for range 2 {
		if w := e.postForm("admin", path+"/monitor", url.Values{"year": {strconv.Itoa(demo.LatestYear)}}); w.Code != http.StatusSeeOther {
			t.Fatalf("raise: %d %.300s", w.Code, w.Body.String())
		}
	}
	ts, _ := e.st.CaseTickets(ctx, c.ID)
	n := 0
	for _, tk := range ts {
		if tk.Item == "teacher_rotation" && tk.Source == "monitoring" && !tk.Deadline.IsZero() {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d monitoring findings on teacher rotation, want 1", n)
	}
	if w := e.postForm("viewer", path+"/monitor", url.Values{"year": {strconv.Itoa(demo.LatestYear)}}); w.Code != http.StatusForbidden {
		t.Errorf("a read-only account raises monitoring findings: %d", w.Code)
	}

	// The early warnings of the county's trend feed the monitoring: the
	// page lists those forecast computes (failing after the latest year),
	// and raising them twice raises each once.
	rules, _ = standards.Resolve("yzjh2017", "national")
	var recs []census.School
	for y := base - 4; y <= demo.LatestYear; y++ {
		rs, _ := e.st.Schools(ctx, y, county)
		recs = append(recs, rs...)
	}
	fc, err := forecast.Forecast(rules, recs, forecast.Options{Horizon: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := placesShortfalls(t, e, county, rules) // places_test.go: the 学位 warnings feed it too
	for _, wn := range fc.Warnings {
		if wn.Level == forecast.Fail && wn.Year > demo.LatestYear {
			want++
		}
	}
	body := e.get("admin", path).Body.String()
	if got := strings.Count(body, "data-warning="); got != want {
		t.Fatalf("the monitoring lists %d warnings, forecast has %d", got, want)
	}
	if want == 0 && !strings.Contains(body, `id="no-warnings"`) {
		t.Fatal("no warning, and the page does not say so")
	}
	for range 2 {
		if w := e.postForm("admin", path+"/monitor", url.Values{"warnings": {"1"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("raise warnings: %d %.300s", w.Code, w.Body.String())
		}
	}
	ts, _ = e.st.CaseTickets(ctx, c.ID)
	n = 0
	for _, tk := range ts {
		if tk.Source == "warning" {
			n++
		}
	}
	if n != want {
		t.Fatalf("%d warning findings, want %d", n, want)
	}
	t.Logf("%d early warnings raised", want)
}

// TestObjectionPages: the county of the demo's case in 整改 objects, the
// province sees it in its inbox and answers; a second objection while one
// waits is refused.
func TestObjectionPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases, _ := e.st.Cases(ctx, "")
	var c store.Case
	for _, x := range cases {
		if x.Stage == recognition.Rectify {
			c = x
		}
	}
	if c.ID == 0 {
		t.Fatal("no demo case in rectification")
	}
	// Its feedback was weeks ago: a new round, fed back now.
	c, err := e.st.OpenCase(ctx, "t", store.Case{County: c.County, Standard: "yzjh2017", Profile: "national", Year: demo.LatestYear})
	if err != nil {
		t.Fatal(err)
	}
	clocks := ticket.DefaultClocks()
	e.st.CaseStep(ctx, "t", review.LevelCounty, c.ID, store.CaseStepInput{Action: recognition.SubmitSelf, Clocks: clocks})
	e.st.CaseStep(ctx, "t", review.LevelCity, c.ID, store.CaseStepInput{Action: recognition.CityPass, Clocks: clocks})
	e.st.RaiseTicket(ctx, "t", store.Ticket{CaseID: c.ID, County: c.County, Title: "大班额", RaiserLevel: review.LevelProvince}, nil, clocks)
	if _, err := e.st.CaseStep(ctx, "t", review.LevelProvince, c.ID, store.CaseStepInput{Action: recognition.Feedback, Clocks: clocks}); err != nil {
		t.Fatal(err)
	}
	// Act as that county: an account of it.
	u, err := e.st.CreateUser(ctx, store.User{Username: "county2", Role: store.RoleCounty, Region: c.County}, "a-long-password-1")
	if err != nil {
		t.Fatal(err)
	}
	seedAccounts["county2"] = DemoAccount{User: u}
	defer delete(seedAccounts, "county2")
	path := fmt.Sprintf("/case/%d", c.ID)
	if w := e.postForm("county2", path+"/objection", url.Values{"kind": {"objection"}, "text": {""}}); w.Code != http.StatusBadRequest {
		t.Errorf("an objection without grounds: %d", w.Code)
	}
	if w := e.postForm("county2", path+"/objection", url.Values{"kind": {"objection"}, "text": {"第2项大班额系临时借读，已于开学后分班"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("objection: %d %.300s", w.Code, w.Body.String())
	}
	if w := e.postForm("county2", path+"/objection", url.Values{"kind": {"appeal"}, "text": {"x"}}); w.Code != http.StatusConflict {
		t.Errorf("an appeal while the objection waits: %d", w.Code)
	}
	if w := e.get("admin", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.objections"`) {
		t.Error("the province's inbox lacks the objection")
	}
	os, _ := e.st.Objections(ctx, c.ID)
	if len(os) != 1 {
		t.Fatalf("objections %+v", os)
	}
	if w := e.postForm("county2", fmt.Sprintf("%s/objection/%d/answer", path, os[0].ID), url.Values{"answer": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("the county answers its own objection: %d", w.Code)
	}
	if w := e.postForm("admin", fmt.Sprintf("%s/objection/%d/answer", path, os[0].ID), url.Values{"answer": {"经核实，同意撤销第2项"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("answer: %d", w.Code)
	}
	if w := e.get("county2", path); !strings.Contains(w.Body.String(), "同意撤销第2项") {
		t.Error("the county does not see the answer")
	}
}

// TestCaseGaps: the city visits a school and finds nothing; the province
// finds a problem there: the case page flags the gap.
func TestCaseGaps(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := county()
	cs, err := e.st.OpenCase(ctx, "t", store.Case{County: c.Code, Standard: "yzjh2017", Profile: "national", Year: demo.LatestYear})
	if err != nil {
		t.Fatal(err)
	}
	clocks := ticket.DefaultClocks()
	school := c.Schools[0]
	e.st.CaseStep(ctx, "t", review.LevelCounty, cs.ID, store.CaseStepInput{Action: recognition.SubmitSelf, Clocks: clocks})
	if _, err := e.st.DrawInspection(ctx, "city", review.LevelCity, cs.ID, false, 1, 1, []recognition.Candidate{{Code: school, Stratum: "城区"}}, store.PanelDraw{}); err != nil {
		t.Fatal(err)
	}
	e.st.CaseStep(ctx, "t", review.LevelCity, cs.ID, store.CaseStepInput{Action: recognition.CityPass, Clocks: clocks})
	path := fmt.Sprintf("/case/%d", cs.ID)
	w := e.postForm("admin", path+"/finding", url.Values{"title": {"生均运动场地不足"}, "school": {school}, "source": {"visit"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("finding: %d %.300s", w.Code, w.Body.String())
	}
	w = e.get("county", path)
	if !strings.Contains(w.Body.String(), `data-gap="`+school+`"`) {
		t.Fatalf("no gap flagged: %.2000s", w.Body.String())
	}
	// The engine's unmet items become findings, once.
	for range 2 {
		if w := e.postForm("admin", path+"/engine-findings", url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("engine findings: %d", w.Code)
		}
	}
	ts, _ := e.st.CaseTickets(ctx, cs.ID)
	engine := map[string]int{}
	for _, tk := range ts {
		if tk.Source == "engine" {
			engine[tk.Item]++
		}
	}
	if len(engine) == 0 {
		t.Error("no engine finding raised for a failing county")
	}
	for item, n := range engine {
		if n != 1 {
			t.Errorf("%s raised %d times", item, n)
		}
	}
	// The demo county fails 资源配置: the case says what it takes.
	if !strings.Contains(w.Body.String(), `data-need="resource"`) {
		t.Error("the case does not say what the unmet resource part takes")
	}
}

// TestInboxCountFollowsSteps: the header's count, cached per account under
// the audit version, changes as soon as a step is taken — here a school's
// submission adds one to its county's count — and a second instance on the
// same database sees it too.
func TestInboxCountFollowsSteps(t *testing.T) {
	e := newEnv(t)
	other := e.secondInstance(t)
	count := func(e *env) int {
		t.Helper()
		w := e.get("county", "/inbox")
		m := regexp.MustCompile(`id="inbox-count">(\d+)<`).FindStringSubmatch(w.Body.String())
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before, beforeOther := count(e), count(other)
	task := e.demoTask()
	school := seedAccounts["school"].School
	if w := e.postForm("school", fmt.Sprintf("/task/%d/unit/%s/step", task.ID, school), url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d", w.Code)
	}
	if got := count(e); got != before+1 {
		t.Errorf("count %d after a submission, want %d", got, before+1)
	}
	if got := count(other); got != beforeOther+1 {
		t.Errorf("the other instance counts %d, want %d", got, beforeOther+1)
	}
}

// TestStepAfterAnotherReviewer: a reviewer whose page is out of date (the
// unit was approved meanwhile) is told the data's state changed (409), not
// that the step is not theirs (403).
func TestStepAfterAnotherReviewer(t *testing.T) {
	e := newEnv(t)
	task := e.demoTask()
	unit := fmt.Sprintf("/task/%d/unit/%s/step", task.ID, seedAccounts["school"].School)
	if w := e.postForm("school", unit, url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d", w.Code)
	}
	if w := e.postForm("county", unit, url.Values{"action": {"approve"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d", w.Code)
	}
	if w := e.postForm("county", unit, url.Values{"action": {"approve"}}); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "刷新") {
		t.Errorf("a second approval: %d", w.Code)
	}
	if w := e.postForm("school", unit, url.Values{"action": {"approve"}}); w.Code != http.StatusForbidden {
		t.Errorf("a school approving: %d", w.Code)
	}
}

// TestInboxCountMatchesPage: the header's count is the sum of the inbox's
// items that need the account's action, judgements included.
func TestInboxCountMatchesPage(t *testing.T) {
	e := newEnv(t)
	for _, account := range []string{"school", "county", "city", "admin"} {
		body := e.get(account, "/inbox").Body.String()
		header := 0
		if m := regexp.MustCompile(`id="inbox-count">(\d+)<`).FindStringSubmatch(body); m != nil {
			header, _ = strconv.Atoi(m[1])
		}
		sum := 0
		for _, m := range regexp.MustCompile(`<li class="act" data-key="[a-z_.]+"><a href="[^"]*"><b class="count">(\d+)</b>`).FindAllStringSubmatch(body, -1) {
			n, _ := strconv.Atoi(m[1])
			sum += n
		}
		if header != sum || sum == 0 {
			t.Errorf("%s: header %d, inbox items %d", account, header, sum)
		}
	}
}
