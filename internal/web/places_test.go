package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// TestPlacesPage renders the demo county's 学位 page and checks that its
// lights are the forecast's: as many red and amber cells as the forecast
// of the stored inputs under the profile's settings has, some of each;
// every warning with its shortfall; the backtest beside it.
func TestPlacesPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	data, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := standards.Resolve(e.srv.inForce().Standard, e.srv.inForce().Profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range []seats.Stage{seats.Primary, seats.Junior, seats.Kindergarten} {
		t.Run(string(stage), func(t *testing.T) {
			opt, size, err := placesOptions(rules, stage)
			if err != nil {
				t.Fatal(err)
			}
			res, err := seats.Forecast(data.Input(stage, size), opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Years) != 9 {
				t.Errorf("%d years forecast, want the profile's 9", len(res.Years))
			}
			lights := map[seats.Light]int{}
			redCatchment := ""
			shortfall := 0
			for _, c := range res.Catchments {
				for _, y := range c.Years {
					lights[y.Checks[seats.Central].Light]++
					if y.Checks[seats.Central].Light == seats.Red && redCatchment == "" {
						redCatchment, shortfall = c.Catchment, y.Checks[seats.Central].Shortfall
					}
				}
			}
			for _, s := range res.Schools {
				for _, y := range s.Years {
					lights[y.Checks[seats.Central].Light]++
				}
			}
			if lights[seats.Red] == 0 || lights[seats.Amber] == 0 || redCatchment == "" {
				t.Fatalf("the demo shows no red or amber: %v", lights)
			}
			w := e.get("county", "/county/"+code+"/places?stage="+string(stage))
			check(t, w, http.StatusOK,
				hc.Count("#places-grid td[data-light=red]", lights[seats.Red]),
				hc.Count("#places-grid td[data-light=amber]", lights[seats.Amber]),
				hc.Count("#places-warnings tbody tr", len(res.Warnings)),
				hc.In("#places-warnings tr[data-light=red][data-catchment="+redCatchment+"][data-unit=catchment]", hc.HasText(strconv.Itoa(shortfall))),
				hc.In("#places-backtest", hc.HasText("平均绝对误差")),
				hc.Count("#places-backtest tbody tr", len(res.Catchments)+len(res.Schools)),
				hc.In("#ledger-import"),
				hc.In("#ledger-projects form.ledger-add"),
				hc.In("#places-stages"),
			)
		})
	}
	// The county page links to it.
	check(t, e.get("county", "/county/"+code), http.StatusOK, hc.In("a#places-link", hc.HasAttr("href", "/county/"+code+"/places")))
	// The preschool page links to the kindergarten stage; a stage not
	// stored says so, an unknown one is missing; a county without inputs
	// shows how to start.
	check(t, e.get("county", "/county/"+code+"/preschool"), http.StatusOK, hc.In("a#places-link", hc.HasAttr("href", "/county/"+code+"/places?stage=kindergarten")))
	if _, err := e.st.ReplaceSeats(ctx, "test", code, nil, seats.Records{Tables: []seats.Table{seats.TableEnrolment, seats.TableSchools, seats.TableProjects}}); err != nil {
		t.Fatal(err)
	}
	check(t, e.get("admin", "/county/"+code+"/places?stage=junior"), http.StatusOK, hc.In("#places-none"), hc.NotIn("#places-grid"))
	if w := e.get("admin", "/county/"+code+"/places?stage=senior"); w.Code != http.StatusNotFound {
		t.Errorf("unknown stage: %d", w.Code)
	}
	if _, err := e.st.ReplaceSeats(ctx, "test", code, nil, data); err != nil {
		t.Fatal(err)
	}
	onlyPrimary := data
	onlyPrimary.Tables = []seats.Table{seats.TableSchools}
	onlyPrimary.Schools = slices.DeleteFunc(slices.Clone(data.Schools), func(s seats.StageSchool) bool { return s.Stage != seats.Primary })
	onlyPrimary.Tables = append(onlyPrimary.Tables, seats.TableEnrolment)
	onlyPrimary.Enrolment = slices.DeleteFunc(slices.Clone(data.Enrolment), func(e seats.StageEnrolment) bool { return e.Stage != seats.Primary })
	onlyPrimary.Tables = append(onlyPrimary.Tables, seats.TableProjects)
	onlyPrimary.Projects = slices.DeleteFunc(slices.Clone(data.Projects), func(p seats.StageProject) bool { return p.Stage != seats.Primary })
	if _, err := e.st.ReplaceSeats(ctx, "test", code, nil, onlyPrimary); err != nil {
		t.Fatal(err)
	}
	check(t, e.get("admin", "/county/"+code+"/places?stage=kindergarten"), http.StatusOK, hc.In("#places-none-stage", hc.HasText("幼儿园")), hc.NotIn("#places-grid"))
	if _, err := e.st.ReplaceSeats(ctx, "test", code, nil, data); err != nil {
		t.Fatal(err)
	}
	// A read-only account sees the page without the import; a school
	// account does not see it.
	check(t, e.get("viewer", "/county/"+code+"/places"), http.StatusOK, hc.NotIn("#ledger-import"), hc.NotIn("form.ledger-add"), hc.In("#places-warnings"))
	if w := e.get("school", "/county/"+code+"/places"); w.Code != http.StatusNotFound {
		t.Errorf("school account: %d", w.Code)
	}
	// The template and the export read back.
	for _, path := range []string{"/places/template.xlsx", "/county/" + code + "/places.xlsx"} {
		w := e.get("county", path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, w.Code)
		}
		rec, err := seatsio.Read(seatsio.File{Name: "x.xlsx", Data: w.Body.Bytes()})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if strings.Contains(path, "county") && rec.Rows() != data.Rows() {
			t.Errorf("export: %d rows, want %d", rec.Rows(), data.Rows())
		}
	}
}

func (e *env) uploadPlaces(account, code string, files map[string]string) *http.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, body := range files {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(body))
	}
	mw.Close()
	return e.do(account, http.MethodPost, "/county/"+code+"/places/import", &buf, "Content-Type", mw.FormDataContentType()).Result()
}

// TestPlacesImport imports a bad file (nothing stored, every error on the
// page naming file, row and column) and a good one (its table replaced,
// the others kept).
func TestPlacesImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	before, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	resp := e.uploadPlaces("county", code, map[string]string{"projects.csv": "学段,项目名称,学校代码,学区,启用年份,新增学位\n小学,新建一小,,XQ01,2028,900\n小学,新建二小,,XQ01,20x8,900\n"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad file: %d", resp.StatusCode)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if err := hc.Run(&body, hc.Count("#ledger-errors tbody tr", 1),
		hc.In("#ledger-errors tr[data-row='3'][data-letter=E]", hc.HasText("projects.csv"), hc.HasText("20x8"))); err != nil {
		t.Error(err)
	}
	// A row whose cells are good but break the row's check.
	resp = e.uploadPlaces("county", code, map[string]string{"projects.csv": "学段,项目名称,学校代码,学区,启用年份,新增学位\n小学,新建一小,,,2028,900\n"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad file: %d", resp.StatusCode)
	}
	body.Reset()
	body.ReadFrom(resp.Body)
	if err := hc.Run(&body, hc.In("#ledger-errors tr[data-row='2'][data-letter=D]", hc.HasText("projects.csv"), hc.HasText("学区"))); err != nil {
		t.Error(err)
	}
	after, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Projects) != len(before.Projects) || after.Rows() != before.Rows() {
		t.Errorf("a refused import changed the data")
	}
	// Enrolment of a school the stored schools lack: refused by the store.
	resp = e.uploadPlaces("county", code, map[string]string{"e.csv": "学段,学校代码,学年,年级,在校生数\n小学,NOPE,2025,1,40\n"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown school: %d", resp.StatusCode)
	}
	body.Reset()
	body.ReadFrom(resp.Body)
	if err := hc.Run(&body, hc.In("#ledger-errors tbody tr", hc.HasText("e.csv"), hc.HasText("NOPE"), hc.HasText("学校学位表中没有这所小学学校"))); err != nil {
		t.Error(err)
	}
	if strings.Contains(body.String(), "store:") {
		t.Error("the page shows the store's wrapping")
	}
	// Read-only: refused.
	if resp := e.uploadPlaces("viewer", code, map[string]string{"p.csv": "学段,项目名称,学区,启用年份,新增学位\n小学,新建一小,XQ01,2028,900\n"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", resp.StatusCode)
	}
	resp = e.uploadPlaces("county", code, map[string]string{"p.csv": "学段,项目名称,学区,启用年份,新增学位\n小学,新建一小,XQ01,2028,900\n"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good file: %d", resp.StatusCode)
	}
	after, err = e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Projects) != 1 || after.Projects[0].Name != "新建一小" || len(after.Births) != len(before.Births) {
		t.Errorf("after import: %+v", after.Projects)
	}
	check(t, e.get("county", "/county/"+code+"/places"), http.StatusOK, hc.In("#ledger-history li", hc.HasText("p.csv")))
}

// placesShortfalls counts the catchments of county's 小学 and 初中 that the
// central forecast turns red in some year with no project closing the gap
// in time: the 学位 findings its recognition case raises.
func placesShortfalls(t *testing.T, e *env, county string, rules *standards.Rules) int {
	t.Helper()
	data, err := e.st.Seats(context.Background(), county)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, stage := range data.Stages() {
		if stage == seats.Kindergarten {
			continue
		}
		opt, size, err := placesOptions(rules, stage)
		if err != nil {
			t.Fatal(err)
		}
		res, err := seats.Forecast(data.Input(stage, size), opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Catchments {
			if slices.ContainsFunc(c.Years, func(y seats.Year) bool {
				ch := y.Checks[seats.Central]
				return ch.Light == seats.Red && ch.Cover != seats.InTime
			}) {
				n++
			}
		}
	}
	return n
}

// TestPlacesFeedMonitoring: the demo's recognised county has 学位 inputs
// whose forecast runs short; its case page lists one warning per short
// catchment, and the province raises them as findings, each once.
func TestPlacesFeedMonitoring(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases, err := e.st.Cases(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var c store.Case
	for _, x := range cases {
		if x.Stage == recognition.Recognised {
			c = x
		}
	}
	if c.ID == 0 {
		t.Fatal("no recognised case in the demo")
	}
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		t.Fatal(err)
	}
	want := placesShortfalls(t, e, c.County, rules)
	if want == 0 {
		t.Fatal("the recognised demo county has no 学位 shortfall")
	}
	path := "/case/" + strconv.FormatInt(c.ID, 10)
	check(t, e.get("admin", path), http.StatusOK, hc.Count(`#case-warnings li[data-warning=places]`, want),
		hc.In(`#case-warnings li[data-warning=places]`, hc.HasText("学位预警")))
	for range 2 {
		if w := e.postForm("admin", path+"/monitor", url.Values{"warnings": {"1"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("raise warnings: %d %.300s", w.Code, w.Body.String())
		}
	}
	ts, err := e.st.CaseTickets(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range ts {
		if tk.Source == "warning" && strings.HasPrefix(tk.Title, "学位预警") {
			n++
		}
	}
	if n != want {
		t.Errorf("%d 学位 findings, want %d", n, want)
	}
	check(t, e.get("admin", path), http.StatusOK, hc.In(`#case-warnings li[data-warning=places].muted`))
}

// TestPlacesLedgerEdit edits the 学位 inputs in the page's forms: a new
// school added as a project row is counted by the forecast the page shows
// (the shortfall of its red catchment closed in time), a grade typed as 七年级 is kept as its
// number, an edit made on an older version is refused, and every version
// downloads as it was.
func TestPlacesLedgerEdit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	data, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := standards.Resolve(e.srv.inForce().Standard, e.srv.inForce().Profile)
	if err != nil {
		t.Fatal(err)
	}
	opt, size, err := placesOptions(rules, seats.Primary)
	if err != nil {
		t.Fatal(err)
	}
	res, err := seats.Forecast(data.Input(seats.Primary, size), opt)
	if err != nil {
		t.Fatal(err)
	}
	red, cover := "", seats.Cover("")
	for _, c := range res.Catchments {
		for _, y := range c.Years {
			if ch := y.Checks[seats.Central]; ch.Light == seats.Red && ch.Cover != seats.InTime && red == "" {
				red, cover = c.Catchment, ch.Cover
			}
		}
	}
	if red == "" {
		t.Fatal("no red catchment in the demo's primary forecast")
	}
	warning := "#places-warnings tr[data-unit=catchment][data-catchment=" + red + "][data-light=red] td[data-cover="
	page := "/county/" + code + "/places?stage=primary"
	w := e.get("county", page)
	check(t, w, http.StatusOK, hc.In(warning+string(cover)+"]"))
	_, v0, err := e.st.Ledger(ctx, seatsio.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	base := strconv.FormatInt(v0.ID, 10)
	if !strings.Contains(w.Body.String(), `name="base" value="`+base+`"`) {
		t.Fatalf("the forms are not based on version %s", base)
	}

	add := url.Values{"table": {"projects"}, "op": {"add"}, "base": {base}, "c.stage": {"primary"}, "c.name": {"新建第十小学"},
		"c.catchment": {red}, "c.open_year": {strconv.Itoa(res.Years[0])}, "c.places": {"20000"}}
	if w := e.postForm("county", "/county/"+code+"/places/rows", add); w.Code != http.StatusSeeOther {
		t.Fatalf("add a project: %d %.400s", w.Code, w.Body.String())
	}
	check(t, e.get("county", page), http.StatusOK, hc.NotIn(warning+string(cover)+"]"),
		hc.In(warning+string(seats.InTime)+"]"),
		hc.In("#ledger-projects tbody tr[data-row='"+strconv.Itoa(len(data.Projects))+"']", hc.HasText("新建第十小学")),
		hc.In("#ledger-history li", hc.HasText("新建第十小学")))
	after, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Projects) != len(data.Projects)+1 || after.Rows() != data.Rows()+1 {
		t.Errorf("after the edit: %d projects, %d rows; want %d, %d", len(after.Projects), after.Rows(), len(data.Projects)+1, data.Rows()+1)
	}

	// The API gives the ledger as the forms keep it.
	if w := e.get("county", "/api/v1/ledgers/places/"+code); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"新建第十小学"`) {
		t.Errorf("API: %d %.300s", w.Code, w.Body.String())
	}

	// The same form again, on the version it was made from: refused.
	w = e.postForm("county", "/county/"+code+"/places/rows", add)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	if again, _ := e.st.Seats(ctx, code); len(again.Projects) != len(after.Projects) {
		t.Errorf("a stale edit was stored: %d projects", len(again.Projects))
	}

	// A grade typed as a user writes it is kept as its number.
	_, v1, err := e.st.Ledger(ctx, seatsio.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	var junior string
	for _, sc := range data.Schools {
		if sc.Stage == seats.Junior {
			junior = sc.Code
			break
		}
	}
	enrol := url.Values{"table": {"enrolment"}, "op": {"add"}, "base": {strconv.FormatInt(v1.ID, 10)}, "c.stage": {"junior"},
		"c.school": {junior}, "c.year": {"2031"}, "c.grade": {"八年级"}, "c.students": {"40"}}
	if w := e.postForm("county", "/county/"+code+"/places/rows", enrol); w.Code != http.StatusSeeOther {
		t.Fatalf("add an enrolment row: %d %.400s", w.Code, w.Body.String())
	}
	d, v2, err := e.st.Ledger(ctx, seatsio.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows := d.Rows("enrolment")
	if last := rows[len(rows)-1]; last.Get("grade") != "2" || last.Get("school") != junior {
		t.Errorf("the new enrolment row: %v", last.Map())
	}
	// A read-only account may not edit.
	if w := e.postForm("viewer", "/county/"+code+"/places/rows", enrol); w.Code != http.StatusForbidden {
		t.Errorf("viewer: %d", w.Code)
	}

	// Every version downloads as it was; another county's is not found.
	for id, want := range map[int64]int{v0.ID: len(data.Projects), v2.ID: len(data.Projects) + 1} {
		w := e.get("county", "/county/"+code+"/places.xlsx?version="+strconv.FormatInt(id, 10))
		if w.Code != http.StatusOK {
			t.Fatalf("version %d: %d", id, w.Code)
		}
		rec, err := seatsio.Read(seatsio.File{Name: "v.xlsx", Data: w.Body.Bytes()})
		if err != nil {
			t.Fatalf("version %d: %v", id, err)
		}
		if len(rec.Projects) != want {
			t.Errorf("version %d: %d projects, want %d", id, len(rec.Projects), want)
		}
	}
	if w := e.get("admin", "/county/340208/places.xlsx?version="+base); w.Code != http.StatusNotFound {
		t.Errorf("another county's version: %d", w.Code)
	}
}

// TestPlacesReview: a city's reporting task asks for the counties' 学位
// inputs; once the county submits, its places page says which task holds
// them and offers no form, and a row edit or an import is refused, the
// inputs unchanged.
func TestPlacesReview(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	w := e.postForm("city", "/tasks", url.Values{"title": {"学位测算报送"}, "year": {strconv.Itoa(demo.LatestYear)}, "due": {"2030-01-01"}, "kind": {"places"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("task: %d %.800s", w.Code, w.Body.String())
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/task/")
	if w := e.get("city", "/tasks"); !strings.Contains(w.Body.String(), "学位测算台账") {
		t.Error("the tasks list does not name the ledger")
	}
	unit := "/task/" + id + "/county/" + code
	if w := e.postForm("county", unit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", w.Code, w.Body.String())
	}
	_, v, err := e.st.Ledger(ctx, seatsio.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	w = e.get("county", "/county/"+code+"/places")
	check(t, w, http.StatusOK, hc.In("#ledger-locked", hc.HasText("学位测算报送")), hc.NotIn("#ledger-import"), hc.NotIn("form.ledger-add"))
	form := url.Values{"table": {"projects"}, "op": {"add"}, "base": {strconv.FormatInt(v.ID, 10)}, "c.stage": {"primary"}, "c.name": {"新建一小"},
		"c.catchment": {"XQ01"}, "c.open_year": {"2028"}, "c.places": {"900"}}
	check(t, e.postForm("county", "/county/"+code+"/places/rows", form), http.StatusBadRequest, hc.In("#ledger-edit-error", hc.HasText("学位测算报送")))
	resp := e.uploadPlaces("county", code, map[string]string{"p.csv": "学段,项目名称,学区,启用年份,新增学位\n小学,新建一小,XQ01,2028,900\n"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("import of locked inputs: %d", resp.StatusCode)
	}
	if _, v2, _ := e.st.Ledger(ctx, seatsio.Schema, code, 0); v2.ID != v.ID {
		t.Fatal("locked inputs changed")
	}
}
