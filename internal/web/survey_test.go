package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
	"github.com/xuri/excelize/v2"
)

// surveyEnv is a test server whose clock the test moves.
type surveyEnv struct {
	*env
	now time.Time
}

func newSurveyEnv(t *testing.T) *surveyEnv {
	e := &surveyEnv{env: newEnv(t), now: time.Date(2026, 5, 6, 1, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.st.Now = clock
	srv, err := New(Config{Store: e.st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

// startSurvey starts a survey of the demo county as the county account and
// returns its ID.
func (e *surveyEnv) startSurvey(t *testing.T, standard string) int64 {
	t.Helper()
	w := e.postForm("county", "/county/"+county().Code+"/surveys", url.Values{"standard": {standard}, "year": {itoa(demo.LatestYear)},
		"population": {"456789"}, "opens": {"2026-05-01"}, "closes": {"2026-05-20"}, "open.parents": {"1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	var id int64
	if _, err := fmt.Sscanf(w.Header().Get("Location"), "/survey/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// answers is a complete, honest form for the group's questions.
func surveyAnswers(q *survey.Questionnaire, group string, overall int, start string) url.Values {
	f := url.Values{"start": {start}}
	for _, x := range q.QuestionsFor(group) {
		v := 2
		if x.Reverse {
			v = 4
		}
		f.Set("q."+x.ID, itoa(v))
	}
	f.Set("q."+q.RateQuestion, itoa(overall))
	return f
}

var startRE = regexp.MustCompile(`name="start" value="([A-Z0-9]+)"`)

// answer opens code's page, waits wait on the test clock and submits.
func (e *surveyEnv) answer(t *testing.T, q *survey.Questionnaire, token, group string, overall int, wait time.Duration, extra url.Values) *httptest.ResponseRecorder {
	t.Helper()
	w := e.get("", "/s/"+token)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /s/%s: %d", token, w.Code)
	}
	m := startRE.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no start stamp in %.500s", w.Body.String())
	}
	e.now = e.now.Add(wait)
	f := surveyAnswers(q, group, overall, m[1])
	for k, v := range extra {
		f[k] = v
	}
	return e.postForm("", "/s/"+token, f)
}

func TestSurveyFlow(t *testing.T) {
	e := newSurveyEnv(t)
	id := e.startSurvey(t, "yzjh2017")
	ctx := context.Background()
	sv, err := e.st.Survey(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	q := sv.Questionnaire
	if sv.AreaWeights == nil {
		t.Error("no area weights from the demo county's schools")
	}
	// Another county's account cannot see it; the school account neither.
	check(t, e.get("county", "/survey/"+itoa64(id)), http.StatusOK, hc.In("#survey-plan"), hc.In("#fill-groups"))
	if w := e.get("school", "/survey/"+itoa64(id)); w.Code != http.StatusNotFound {
		t.Errorf("school account: %d", w.Code)
	}
	// Codes: a batch of parents in 城区·小学, its sheet with QR codes.
	w := e.postForm("county", "/survey/"+itoa64(id)+"/codes", url.Values{"group": {"parents"}, "area": {"0"}, "n": {"5"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("codes: %d %s", w.Code, w.Body.String())
	}
	w = e.get("county", w.Header().Get("Location"))
	check(t, w, http.StatusOK, hc.Count("#codes .code svg", 5))
	toks := regexp.MustCompile(`/s/([A-Z2-7]+)`).FindAllStringSubmatch(w.Body.String(), -1)
	var codes []string
	for _, m := range toks {
		if len(codes) == 0 || codes[len(codes)-1] != m[1] {
			codes = append(codes, m[1])
		}
	}
	if len(codes) != 5 {
		t.Fatalf("%d codes on the sheet", len(codes))
	}
	// The public page: its own CSP, no script, labels around radios.
	pw := e.get("", "/s/"+codes[0])
	check(t, pw, http.StatusOK, hc.In("form#answer-form"), hc.Count("fieldset#q-overall label input[type=radio]", 5))
	if n := pw.Body.Len(); n > 16<<10 {
		t.Errorf("the public page is %d bytes", n)
	} else {
		t.Logf("the public page: %d bytes, no stylesheet, script or image to fetch", n)
	}
	if csp := pw.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(pw.Body.String(), "<script") {
		t.Errorf("public page CSP %q or a script", csp)
	}
	// Three honest answers (two recognising), one reuse refused, one too fast.
	for i, overall := range []int{1, 2, 4} {
		if w := e.answer(t, q, codes[i], "parents", overall, time.Minute, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `data-state="thanks"`) {
			t.Fatalf("answer %d: %d %.300s", i, w.Code, w.Body.String())
		}
	}
	if w := e.get("", "/s/"+codes[0]); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `data-state="used"`) {
		t.Errorf("reused code GET: %d", w.Code)
	}
	if w := e.postForm("", "/s/"+codes[1], surveyAnswers(q, "parents", 1, survey.SignStart(sv.Secret, codes[1], e.now.Add(-time.Hour)))); w.Code != http.StatusConflict {
		t.Errorf("reused code POST: %d", w.Code)
	}
	if w := e.answer(t, q, codes[3], "parents", 1, 3*time.Second, nil); w.Code != http.StatusOK {
		t.Fatalf("fast answer: %d", w.Code)
	}
	// Incomplete: comes back with the answers kept, nothing stored.
	if w := e.get("", "/s/"+codes[4]); w.Code == http.StatusOK {
		m := startRE.FindStringSubmatch(w.Body.String())
		f := surveyAnswers(q, "parents", 1, m[1])
		f.Del("q.quality")
		if w := e.postForm("", "/s/"+codes[4], f); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "form-error") {
			t.Errorf("incomplete: %d", w.Code)
		}
	}
	// A forged code, a code of another survey's key.
	if w := e.get("", "/s/"+survey.Sign([]byte("wrong"), survey.Token{Survey: id, Group: 0, Area: 0, Serial: 1})); w.Code != http.StatusNotFound {
		t.Errorf("forged code: %d", w.Code)
	}
	// The county page: 2 of 3 valid, the fast one flagged and excluded.
	check(t, e.get("county", "/survey/"+itoa64(id)), http.StatusOK, hc.In("#rate", hc.HasText("66.67%")), hc.Count("#flagged tr[data-response]", 1))
	// The county's inbox lists it.
	check(t, e.get("county", "/inbox"), http.StatusOK, hc.In(`#inbox li[data-key="inbox.survey_flagged"] a[href="/survey/`+itoa64(id)+`#flagged"]`))
	rs, _ := e.st.SurveyResponses(ctx, id)
	if len(rs) != 4 || rs[3].Status != survey.StatusFlagged || rs[3].Flags[0] != survey.FlagTooFast {
		t.Fatalf("%+v", rs)
	}
	// Two valid returns are far from the sample's minimum: the verdict says
	// so and keeps the figure entered; the report says the survey is under
	// way.
	verdictPath := "/county/" + county().Code + "/verdict?year=" + itoa(demo.LatestYear)
	check(t, e.get("county", verdictPath), http.StatusOK,
		hc.In("#item-social_recognition #survey-evidence", hc.HasAttr("data-feeds", "false"), hc.HasText("66.67%")))
	hw := e.get("county", "/report/"+county().Code+"/html?year="+itoa(demo.LatestYear))
	if hw.Code != http.StatusOK || !strings.Contains(hw.Body.String(), "尚未达到样本要求") || !strings.Contains(hw.Body.String(), "认可度 66.67%") {
		t.Errorf("report: %d, no survey section", hw.Code)
	}
	// Accepted with a reason, it counts: 3 of 4.
	if w := e.postForm("county", "/survey/"+itoa64(id)+"/review/"+itoa64(rs[3].ID), url.Values{"decision": {"accept"}, "reason": {"家长会现场填写，已核实"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("review: %d %s", w.Code, w.Body.String())
	}
	if w := e.postForm("county", "/survey/"+itoa64(id)+"/review/"+itoa64(rs[3].ID), url.Values{"decision": {"reject"}, "reason": {"again"}}); w.Code != http.StatusConflict {
		t.Errorf("second decision: %d", w.Code)
	}
	check(t, e.get("county", "/survey/"+itoa64(id)), http.StatusOK, hc.In("#rate", hc.HasText("75.00%")))
	// The export: a header and four rows, no device or address.
	xw := e.get("county", "/survey/"+itoa64(id)+"/responses.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(xw.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 5 || rows[4][6] != "复核后计入" {
		t.Errorf("export rows %v", rows)
	}
	// With the sample's valid minimum reached, the survey's exact rate is
	// the item's figure: the verdict and the report say it comes from it.
	min := planOf(sv, surveySample(sv)).MinValid
	batch, err := e.st.IssueCodes(ctx, "county", id, "parents", q.Areas()[0], min)
	if err != nil {
		t.Fatal(err)
	}
	for i := range min {
		ans := map[string]int{}
		for _, x := range q.QuestionsFor("parents") {
			ans[x.ID] = 2
		}
		ans[q.RateQuestion] = 1 + i%2 // 认可, 比较认可
		if _, err := e.st.SubmitResponse(ctx, store.SurveyResponse{SurveyID: id, Serial: batch.First + int64(i), Group: "parents", Area: q.Areas()[0],
			Answers: ans, Started: e.now.Add(-time.Hour)}, survey.DefaultRules(2), func(int, int) []survey.Flag { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	check(t, e.get("county", verdictPath), http.StatusOK,
		hc.In("#item-social_recognition #survey-evidence", hc.HasAttr("data-feeds", "true")))
	hw = e.get("county", "/report/"+county().Code+"/html?year="+itoa(demo.LatestYear))
	if !strings.Contains(hw.Body.String(), "社会认可度一项的数据取自本县社会认可度调查") {
		t.Errorf("report: the survey does not stand as the item's figure")
	}
	// Outside the window: refused.
	e.now = time.Date(2026, 5, 21, 0, 0, 0, 0, time.UTC)
	if w := e.get("", "/s/"+codes[4]); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `data-state="closed"`) {
		t.Errorf("closed: %d", w.Code)
	}
}

func TestSurveyOpenLinkAndBursts(t *testing.T) {
	e := newSurveyEnv(t)
	id := e.startSurvey(t, "yzjh2017")
	sv, _ := e.st.Survey(context.Background(), id)
	q := sv.Questionnaire
	open := survey.Sign(sv.Secret, survey.Token{Survey: id, Group: 0, Area: -1})
	// The teachers have no open link.
	if w := e.get("", "/s/"+survey.Sign(sv.Secret, survey.Token{Survey: id, Group: 1, Area: -1})); w.Code != http.StatusNotFound {
		t.Errorf("teachers' open link: %d", w.Code)
	}
	// Without an area chosen, the form comes back.
	if w := e.answer(t, q, open, "parents", 1, time.Minute, nil); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("no area: %d", w.Code)
	}
	// One phone (one cookie) answering four times: the fourth is flagged.
	cookie := "dudao_sv=0123456789abcdef0123456789abcdef"
	for i := range 4 {
		w := e.get("", "/s/"+open, "Cookie", cookie)
		m := startRE.FindStringSubmatch(w.Body.String())
		e.now = e.now.Add(time.Minute)
		f := surveyAnswers(q, "parents", 1, m[1])
		f.Set("area", itoa(i%3))
		if w := e.do("", http.MethodPost, "/s/"+open, strings.NewReader(f.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie); w.Code != http.StatusOK {
			t.Fatalf("open answer %d: %d", i, w.Code)
		}
	}
	rs, _ := e.st.SurveyResponses(context.Background(), id)
	if len(rs) != 4 || rs[2].Status != survey.StatusValid || rs[3].Status != survey.StatusFlagged || rs[3].Flags[0] != survey.FlagDeviceBurst || rs[0].Serial != 0 {
		t.Errorf("%+v", rs)
	}
	check(t, e.get("county", "/survey/"+itoa64(id)), http.StatusOK, hc.In("#excluded", hc.HasText("公开链接")))
	// Another province's county account cannot issue codes here.
	if w := e.postForm("city", "/survey/"+itoa64(id)+"/codes", url.Values{"group": {"parents"}, "area": {"0"}, "n": {"5"}}); w.Code != http.StatusForbidden {
		t.Errorf("city account issuing codes: %d", w.Code)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSurveyQuestionnaireByProvince: the province replaces the shipped
// questionnaire; its counties' new surveys ask the new one; a county
// account may read it but not change it; an invalid one is refused.
func TestSurveyQuestionnaireByProvince(t *testing.T) {
	e := newSurveyEnv(t)
	check(t, e.get("admin", "/surveys/questionnaire?standard=yzjh2017"), http.StatusOK, hc.In(`#questionnaire[data-own="false"]`), hc.In("#questionnaire-form textarea"))
	q, _ := survey.Standard("yzjh2017")
	q.Questions[len(q.Questions)-1].Text = "总体上，您对本县义务教育是否认可？（省定）"
	b, _ := json.Marshal(q)
	if w := e.postForm("admin", "/surveys/questionnaire", url.Values{"standard": {"yzjh2017"}, "json": {string(b)}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", w.Code, w.Body.String())
	}
	check(t, e.get("county", "/surveys/questionnaire?standard=yzjh2017"), http.StatusOK, hc.In(`#questionnaire[data-own="true"] #rate-question`, hc.HasText("（省定）")),
		hc.Count("#questionnaire-form", 0))
	if w := e.postForm("county", "/surveys/questionnaire", url.Values{"standard": {"yzjh2017"}, "json": {string(b)}}); w.Code != http.StatusForbidden {
		t.Errorf("a county saving: %d", w.Code)
	}
	if w := e.postForm("admin", "/surveys/questionnaire", url.Values{"standard": {"yzjh2017"}, "json": {`{"standard":"yzjh2017"}`}}); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="q-error"`) {
		t.Errorf("an invalid questionnaire: %d", w.Code)
	}
	if w := e.postForm("admin", "/surveys/questionnaire", url.Values{"standard": {"xqpp2020"}, "json": {string(b)}}); w.Code != http.StatusBadRequest {
		t.Errorf("another standard's questionnaire: %d", w.Code)
	}
	id := e.startSurvey(t, "yzjh2017")
	sv, _ := e.st.Survey(context.Background(), id)
	if got := sv.Questionnaire.Questions[len(sv.Questionnaire.Questions)-1].Text; !strings.Contains(got, "（省定）") {
		t.Errorf("the county's survey asks %q", got)
	}
}

// TestSurveyPagesTranslated: the survey pages in both languages, with the
// demo's survey (flagged responses, codes), show no message key.
func TestSurveyPagesTranslated(t *testing.T) {
	e := newEnv(t)
	list, err := e.st.Surveys(context.Background(), county().Code)
	if err != nil || len(list) == 0 {
		t.Fatalf("the demo has no survey: %v", err)
	}
	sv := list[0]
	if _, err := e.st.IssueCodes(context.Background(), "test", sv.ID, "parents", survey.Area{Location: "城区", Stage: "primary"}, 2); err != nil {
		t.Fatal(err)
	}
	token := survey.Sign(sv.Secret, survey.Token{Survey: sv.ID, Group: 0, Area: -1})
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range []struct{ account, path string }{{"county", "/surveys"}, {"county", "/survey/" + itoa64(sv.ID)}, {"county", "/survey/" + itoa64(sv.ID) + "/sheet"},
			{"admin", "/surveys/questionnaire?standard=xqpp2020"}, {"", "/s/" + token}, {"", "/s/AAAA"}, {"county", "/county/" + county().Code + "/verdict"}} {
			w := e.get(p.account, p.path, "Cookie", langCookie+"="+lang)
			if w.Code != http.StatusOK && !(p.path == "/s/AAAA" && w.Code == http.StatusNotFound) {
				t.Errorf("%s %s: %d", lang, p.path, w.Code)
			}
			if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(w.Body.String()); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, p.path, m)
			}
		}
	}
	// The demo survey is shown on the demo county's verdict (short of its sample, it does not yet stand as the figure) and has flagged responses.
	check(t, e.get("county", "/survey/"+itoa64(sv.ID)), http.StatusOK, hc.Count("#flagged tr[data-response]", 3))
	check(t, e.get("county", "/county/"+county().Code+"/verdict"), http.StatusOK, hc.In("#survey-evidence"))
}
