package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/survey"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// TestAfterschoolPage walks the county's 课后服务 page as its clerk would:
// the figures on the page equal the count from the stored ledger and
// census; a file with one bad end time is refused naming row and column
// and nothing is stored; a good file becomes the newest version; a form
// adds a spring row, which the spring term shows; the export, template
// and API agree; the region view sums the counties.
func TestAfterschoolPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	year := demo.LatestYear
	d, v, err := e.st.Ledger(ctx, afterschool.Schema, code, year)
	if err != nil {
		t.Fatalf("the demo seeds no after-school ledger for its county: %v", err)
	}
	schools, err := e.st.Schools(ctx, year, code)
	if err != nil {
		t.Fatal(err)
	}
	rule, _ := afterschool.RuleOf("")
	ind := afterschool.Count(afterschool.Of(d), afterschool.Providers(d), schools, afterschool.Autumn, rule)
	if ind.Schools.In == 0 || ind.Schools.In == ind.Schools.All || ind.EndOK.In == ind.EndOK.All || ind.Days5.In == ind.Days5.All {
		t.Fatalf("the demo county's figures show nothing to read: %+v", ind)
	}
	// The demo county ran the 课后服务 satisfaction survey: its rate, not
	// the ledger's counts, is the satisfaction (TestAfterschoolSurvey).
	ind.Satisfaction = afterschoolSurveyRate(t, e, code, year)
	check(t, e.get("county", "/county/"+code), http.StatusOK, hc.In("a#afterschool-link"))
	w := e.get("county", "/county/"+code+"/afterschool")
	check(t, w, http.StatusOK, hc.In("#afterschool-figures tr[data-ind=schools]"), hc.In("#afterschool-schools td[data-ok=false] .light.red"),
		hc.In("#afterschool-schools td[data-ok=true] .light.green"), hc.In("form#ledger-import"), hc.In("form.ledger-add[data-table=providers]"),
		hc.In("#ledger-history li"), hc.In("#afterschool-terms b[data-term=autumn]"), hc.In("input[name='c.end'][type=time]"))
	body := w.Body.String()
	for _, x := range []struct {
		ind string
		sh  afterschool.Share
	}{{"schools", ind.Schools}, {"students", ind.Students}, {"teachers", ind.Teachers}, {"satisfaction", ind.Satisfaction}, {"end", ind.EndOK}, {"days", ind.Days5}} {
		row := between(body, `data-ind="`+x.ind+`"`, "</tr>")
		if !strings.Contains(row, ">"+x.sh.Percent()+"<") || !strings.Contains(row, ">"+thousandsOf(x.sh.All)+"<") {
			t.Errorf("row %s lacks %s of %d: %s", x.ind, x.sh.Percent(), x.sh.All, row)
		}
	}
	if want := strconv.FormatInt(ind.Schools.In, 10) + " / " + strconv.FormatInt(ind.Schools.All, 10) + " 所学校开展课后服务，占 " + ind.Schools.Percent(); !strings.Contains(body, want) {
		t.Errorf("the headline lacks %q", want)
	}
	for _, tb := range afterschool.Schema.Tables {
		for _, c := range tb.Cols {
			if !strings.Contains(body, `name="c.`+c.Key+`"`) {
				t.Errorf("no form field for %s.%s", tb.ID, c.Key)
			}
		}
	}

	// In English: no message key shows through, the options are English.
	for _, path := range []string{"/county/" + code + "/afterschool", "/afterschool"} {
		w := e.get("admin", path, "Cookie", langCookie+"=en")
		check(t, w, http.StatusOK, hc.In("html", hc.HasAttr("lang", "en")))
		if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(w.Body.String()); m != "" {
			t.Errorf("%s: untranslated key %s", path, m)
		}
	}
	if w := e.get("admin", "/county/"+code+"/afterschool", "Cookie", langCookie+"=en"); !strings.Contains(w.Body.String(), "Autumn term") || !strings.Contains(w.Body.String(), "Ends at") {
		t.Error("the English page lacks the English term or column names")
	}

	// One bad end time: refused, its cell named, nothing stored.
	head := "学校代码,学校名称,学期,是否开展课后服务,每周服务天数,结束时间,参加学生数\n"
	bad := head + schools[0].Code + ",一,秋季学期,是,5,17:30,100\n" + schools[1].Code + ",二,秋季学期,是,5,25:30,80\n"
	w = e.uploadLedger("county", "/county/"+code+"/afterschool/import", map[string]string{"bad.csv": bad})
	check(t, w, http.StatusBadRequest, hc.In("#ledger-errors tr[data-row='3'][data-letter=F]"))
	if !strings.Contains(w.Body.String(), "不是时刻") {
		t.Error("the refusal does not say what is wrong")
	}
	if _, v2, _ := e.st.Ledger(ctx, afterschool.Schema, code, year); v2.ID != v.ID {
		t.Fatal("a refused import changed the ledger")
	}
	good := head + schools[0].Code + ",一,秋季学期,是,5,17:30,100\n" + schools[1].Code + ",二,秋季学期,是,4,下午5点,80\n"
	w = e.uploadLedger("county", "/county/"+code+"/afterschool/import?year="+strconv.Itoa(year), map[string]string{"good.csv": good})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %.2000s", w.Code, w.Body.String())
	}
	d3, v3, err := e.st.Ledger(ctx, afterschool.Schema, code, year)
	if err != nil || v3.ID == v.ID || len(d3.Rows(afterschool.TTerms)) != 2 || d3.Rows(afterschool.TTerms)[1].Get("end") != "17:00" {
		t.Fatalf("after import: %v %+v", err, v3)
	}
	// A form adds a spring row; the page then opens on the spring term.
	form := url.Values{"table": {"terms"}, "op": {"add"}, "base": {strconv.FormatInt(v3.ID, 10)},
		"c.school": {schools[0].Code}, "c.term": {"spring"}, "c.offers": {"是"}, "c.days": {"5"}, "c.end": {"18:00"}, "c.students_in": {"50"}}
	if w := e.postForm("county", "/county/"+code+"/afterschool/rows", form); w.Code != http.StatusSeeOther {
		t.Fatalf("add: %d %.2000s", w.Code, w.Body.String())
	}
	d4, v4, _ := e.st.Ledger(ctx, afterschool.Schema, code, year)
	if len(d4.Rows(afterschool.TTerms)) != 3 {
		t.Fatalf("after add: %v", d4.Maps())
	}
	check(t, e.get("county", "/county/"+code+"/afterschool"), http.StatusOK, hc.In("#afterschool-terms b[data-term=spring]"),
		hc.In("#afterschool-schools tr[data-school='"+schools[0].Code+"'] td[data-ok=true]"))
	// A bad time in a form: refused, named.
	form.Set("base", strconv.FormatInt(v4.ID, 10))
	form.Set("c.school", schools[1].Code)
	form.Set("c.end", "五点")
	w = e.postForm("county", "/county/"+code+"/afterschool/rows", form)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-edit-error"))
	if !strings.Contains(w.Body.String(), "结束时间：不是时刻") {
		t.Errorf("the form's error does not name the cell")
	}
	// Export, template and an old version read back.
	for _, path := range []string{"/afterschool/template.xlsx", "/county/" + code + "/afterschool.xlsx?year=" + strconv.Itoa(year)} {
		if w := e.get("county", path); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	w = e.get("county", "/county/"+code+"/afterschool.xlsx?version="+strconv.FormatInt(v.ID, 10))
	back, err := ledger.Read(afterschool.Schema, ledger.File{Name: "v.xlsx", Data: w.Body.Bytes()})
	if err != nil || back.Len() != d.Len() {
		t.Fatalf("the demo version reads back %v, %v", back, err)
	}
	// The API gives the stored ledger's figures of the term asked for.
	w = e.get("county", "/api/v1/afterschool/"+code+"?term=autumn")
	var api struct {
		Term       string
		Indicators struct {
			Schools struct{ In, All int64 }
			EndTime struct{ Percent string } `json:"end_time"`
			Courses int
		}
		Ledger map[string][]map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil || w.Code != 200 {
		t.Fatalf("api: %d %v", w.Code, err)
	}
	now := afterschool.Count(afterschool.Of(d4), nil, schools, afterschool.Autumn, rule)
	if api.Term != "autumn" || api.Indicators.Schools.In != now.Schools.In || api.Indicators.EndTime.Percent != now.EndOK.Percent() || api.Indicators.Courses != now.Courses || len(api.Ledger["terms"]) != 3 {
		t.Errorf("api %+v", api)
	}
	// Out of scope.
	other := ""
	for _, n := range province.Notes {
		if n.Code != code {
			other = n.Code
			break
		}
	}
	if w := e.get("county", "/county/"+other+"/afterschool"); w.Code == http.StatusOK {
		t.Errorf("a county account reads another county's page: %d", w.Code)
	}
	if w := e.postForm("viewer", "/county/"+code+"/afterschool/rows", form); w.Code == http.StatusSeeOther {
		t.Errorf("the read-only account edits: %d", w.Code)
	}

	// The region view: the province lists its cities, sums its counties.
	ledgers, err := e.st.Ledgers(ctx, afterschool.Schema, year, "")
	if err != nil || len(ledgers) < 2 {
		t.Fatalf("ledgers %d, %v", len(ledgers), err)
	}
	w = e.get("admin", "/afterschool?term=autumn")
	cityCode := code[:4] + "00"
	check(t, w, http.StatusOK, hc.In("#afterschool-counties tr[data-region="+cityCode+"] a[href*='region="+cityCode+"']"), hc.In("tr[data-region=total]"))
	var total afterschool.Indicators
	all, _ := e.st.Schools(ctx, year, "")
	for _, n := range province.Notes {
		var sc = all[:0:0]
		for _, s := range all {
			if s.CountyCode == n.Code {
				sc = append(sc, s)
			}
		}
		if d := ledgers[n.Code]; d != nil {
			total.Add(afterschool.Count(afterschool.Of(d), nil, sc, afterschool.Autumn, rule))
		} else {
			total.Add(afterschool.Count(nil, nil, sc, afterschool.Autumn, rule))
		}
	}
	if want := strconv.FormatInt(total.Schools.In, 10) + " / " + strconv.FormatInt(total.Schools.All, 10) + " 所学校开展课后服务，占 " + total.Schools.Percent(); !strings.Contains(w.Body.String(), want) {
		t.Errorf("the province's headline lacks %q", want)
	}
	check(t, e.get("city", "/afterschool"), http.StatusOK, hc.In("#afterschool-counties tr[data-region="+code+"] a[href^='/county/"+code+"/afterschool']"))
	if w := e.get("county", "/afterschool"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/county/"+code+"/afterschool") {
		t.Errorf("county account: %d %s", w.Code, w.Header().Get("Location"))
	}
}

// between returns the text of s from the first from up to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestAfterschoolTask: a city's reporting task may ask for the counties'
// 课后服务 ledgers of its year: the county's unit shows its ledger and
// headline; once submitted the ledger of that year is locked.
func TestAfterschoolTask(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := county().Code
	year := demo.LatestYear
	w := e.postForm("city", "/tasks", url.Values{"title": {"课后服务台账报送"}, "year": {strconv.Itoa(year)}, "due": {"2030-01-01"}, "kind": {"afterschool"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("task: %d %.800s", w.Code, w.Body.String())
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/task/")
	unit := "/task/" + id + "/county/" + code
	_, v, _ := e.st.Ledger(ctx, afterschool.Schema, code, year)
	w = e.get("county", unit)
	check(t, w, http.StatusOK, hc.In("#task-ledger-afterschool p[data-version='"+strconv.FormatInt(v.ID, 10)+"']"), hc.In("a#fill-afterschool"))
	if !strings.Contains(w.Body.String(), "所学校开展课后服务") {
		t.Error("the unit does not show the ledger's headline")
	}
	if w := e.postForm("county", unit+"/step", url.Values{"action": {"submit"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", w.Code, w.Body.String())
	}
	check(t, e.get("county", "/county/"+code+"/afterschool"), http.StatusOK, hc.In("#ledger-locked"))
	form := url.Values{"table": {"terms"}, "op": {"add"}, "base": {strconv.FormatInt(v.ID, 10)}, "c.school": {"X1"}, "c.term": {"spring"}, "c.offers": {"否"}}
	check(t, e.postForm("county", "/county/"+code+"/afterschool/rows", form), http.StatusBadRequest, hc.In("#ledger-edit-error"))
}

// afterschoolSurveyRate is the satisfaction of the county's 课后服务 survey
// of year, counted from its stored responses: positive (满意, 比较满意 on
// the overall question) of valid.
func afterschoolSurveyRate(t *testing.T, e *env, code string, year int) afterschool.Share {
	t.Helper()
	ctx := context.Background()
	svs, err := e.st.SurveysOf(ctx, code, survey.AfterSchool, year)
	if err != nil || len(svs) != 1 {
		t.Fatalf("the demo county's 课后服务 surveys: %d, %v", len(svs), err)
	}
	rs, err := e.st.SurveyResponses(ctx, svs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var sh afterschool.Share
	for _, r := range rs {
		if !r.Status.Counts() {
			continue
		}
		sh.All++
		if r.Answers["overall"] <= 2 {
			sh.In++
		}
	}
	return sh
}

// TestAfterschoolSurvey: once the county's 课后服务 satisfaction survey
// has the valid returns its sample needs, its rate is the satisfaction on
// the page and in the API, with its source; a county without a survey
// keeps its ledger's counts; a survey short of its returns leaves the
// ledger's counts standing and says so.
func TestAfterschoolSurvey(t *testing.T) {
	e := newEnv(t)
	code, year := county().Code, demo.LatestYear
	want := afterschoolSurveyRate(t, e, code, year)
	if want.All < 140 {
		t.Fatalf("the demo survey has %d valid returns: fewer than its sample's minimum", want.All)
	}
	w := e.get("county", "/county/"+code+"/afterschool")
	check(t, w, http.StatusOK, hc.In("#afterschool-survey a"))
	row := between(w.Body.String(), `data-ind="satisfaction"`, "</tr>")
	if !strings.Contains(row, ">"+want.Percent()+"<") || !strings.Contains(row, ">"+thousandsOf(want.All)+"<") {
		t.Errorf("satisfaction row %s, want %s of %d", row, want.Percent(), want.All)
	}
	var api struct {
		Indicators struct {
			Satisfaction struct {
				In, All int64
			}
			Source map[string]any `json:"satisfaction_source"`
		}
	}
	if err := json.Unmarshal(e.get("county", "/api/v1/afterschool/"+code).Body.Bytes(), &api); err != nil {
		t.Fatal(err)
	}
	if api.Indicators.Satisfaction.In != want.In || api.Indicators.Source["from"] != "survey" {
		t.Errorf("api: %+v", api.Indicators)
	}
	// Short of its returns: the minimum raised above what it has.
	e.srv.now = func() time.Time { return time.Now() }
	svs, _ := e.st.SurveysOf(context.Background(), code, survey.AfterSchool, year)
	if _, err := e.st.DB().ExecContext(context.Background(), `UPDATE surveys SET population = 100000000 WHERE id = $1`, svs[0].ID); err != nil {
		t.Skip("no raw access to the database:", err)
	}
	w = e.get("county", "/county/"+code+"/afterschool")
	check(t, w, http.StatusOK, hc.In("#afterschool-survey.warn"))
	if row := between(w.Body.String(), `data-ind="satisfaction"`, "</tr>"); strings.Contains(row, ">"+thousandsOf(want.All)+"<") {
		t.Errorf("a survey short of its returns still stands: %s", row)
	}
}
