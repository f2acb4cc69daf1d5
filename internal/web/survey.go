package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
	"github.com/xuri/excelize/v2"
	qrcode "github.com/yeqown/go-qrcode/v2"
)

// The county's 社会认可度 surveys (internal/survey): the list and the form
// to start one, a survey's page (the plan, the quotas filling, the rate
// with its margin and interval, the flagged responses to decide, the code
// batches), the printable code sheets and the export of the responses.
// The public answering pages are in survey_public.go.

// surveyOf reads the survey named by the path's {id} and checks that the
// account's scope holds its county.
func (s *Server) surveyOf(r *http.Request) (store.Survey, *Base, error) {
	return pathObject(s, r, "surveys", s.st.Survey, func(sc Scope, sv store.Survey) bool { return sc.County(sv.County) })
}

// canRunSurveys: a county account that may edit starts surveys, prints
// codes and decides flagged responses; the levels above read them.
func canRunSurveys(b *Base) bool { return b.Scope.CanEdit() && b.Scope.Level() == review.LevelCounty }

type surveyListRow struct {
	store.Survey
	Window string
	Name   string
	State  string
	Rate   string
	Valid  int
}

type surveysPage struct {
	*Base
	Surveys   []surveyListRow
	CanCreate bool
	Default   string // the server's standard, chosen first
	Standards []*standards.Standard
	// AfterSchool offers the 课后服务 satisfaction questionnaire besides
	// the standards'.
	AfterSchool string
	Years       []int
	Opens       string
	Closes      string
}

// surveysPageGet serves GET /surveys: the surveys in the account's scope
// and, for a county account, the form to start one.
func (s *Server) surveysPageGet(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "surveys")
	var list []store.Survey
	if !b.Scope.SchoolOnly() { // a school's account runs no survey
		var err error
		if list, err = s.st.Surveys(r.Context(), b.Scope.prefix()); err != nil {
			return err
		}
	}
	p := &surveysPage{Base: b, CanCreate: canRunSurveys(b), Default: s.inForce().Standard, AfterSchool: survey.AfterSchool}
	for _, st := range standards.List() {
		if slices.Contains(survey.Standards(), st.ID) {
			p.Standards = append(p.Standards, st)
		}
	}
	var err error
	if p.Years, err = s.cache.Years(r.Context()); err != nil {
		return err
	}
	now := s.now().In(beijing)
	p.Opens, p.Closes = now.Format("2006-01-02"), now.AddDate(0, 0, 14).Format("2006-01-02")
	for _, sv := range list {
		row := surveyListRow{Survey: sv, Name: sv.County, State: surveyState(s.now(), sv), Window: surveyWindow(sv)}
		if rg, err := s.regionName(r, sv.County); err == nil {
			row.Name = rg.Name
		}
		rs, err := s.st.SurveyResponses(r.Context(), sv.ID)
		if err != nil {
			return err
		}
		t := sv.Questionnaire.Count(rates(rs))
		row.Rate, row.Valid = survey.Percent(t.All.Rate(), 2), t.All.Valid
		p.Surveys = append(p.Surveys, row)
	}
	b.Title = b.T("survey.list_title")
	s.render(w, r, http.StatusOK, "surveys", p)
	return nil
}

// beijing is the time zone survey windows are entered in.
var beijing = time.FixedZone("CST", 8*3600)

// surveyWindow writes a survey's window as the days entered, in Beijing time.
func surveyWindow(sv store.Survey) string {
	return sv.Opens.In(beijing).Format("2006-01-02") + " – " + sv.Closes.Add(-time.Second).In(beijing).Format("2006-01-02")
}

func surveyState(now time.Time, sv store.Survey) string {
	switch {
	case now.Before(sv.Opens):
		return "before"
	case now.Before(sv.Closes):
		return "open"
	}
	return "closed"
}

func rates(rs []store.SurveyResponse) []survey.Response {
	out := make([]survey.Response, len(rs))
	for i, r := range rs {
		out[i] = r.Rate()
	}
	return out
}

// createSurvey serves POST /county/{code}/surveys: a county account starts
// a survey of its county under a standard, with the county's population,
// the window (days in Beijing time, the closing day included) and the
// groups given an open link.
func (s *Server) createSurvey(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "surveys")
	code := r.PathValue("code")
	if !b.Scope.County(code) {
		return errOutOfScope
	}
	if !canRunSurveys(b) {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.form")
	}
	// The questionnaire: a standard's, or the 课后服务 survey's, which is
	// planned from the census and settings of its basis standard.
	qid := r.PostForm.Get("standard")
	if !slices.Contains(survey.Standards(), qid) {
		if _, err := standards.Resolve(qid, s.inForce().Profile); err != nil {
			return badRequest("error.rules", qid, s.inForce().Profile)
		}
		return badRequest("survey.no_questionnaire", qid)
	}
	q, _, err := s.questionnaireOf(r, census.ProvinceCode(code), qid)
	if err != nil {
		return err
	}
	rules, err := standards.Resolve(q.BasisStandard(), s.inForce().Profile)
	if err != nil {
		return badRequest("error.rules", q.BasisStandard(), s.inForce().Profile)
	}
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		return badRequest("survey.bad_year")
	}
	pop, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("population")), 10, 64)
	if err != nil || pop < 1 || pop > 100_000_000 {
		return badRequest("survey.bad_population")
	}
	opens, err1 := time.ParseInLocation("2006-01-02", r.PostForm.Get("opens"), beijing)
	closes, err2 := time.ParseInLocation("2006-01-02", r.PostForm.Get("closes"), beijing)
	if err1 != nil || err2 != nil || closes.Before(opens) {
		return badRequest("survey.bad_window")
	}
	closes = closes.AddDate(0, 0, 1)
	var open []string
	for _, g := range q.Groups {
		if r.PostForm.Get("open."+g.ID) != "" {
			open = append(open, g.ID)
		}
	}
	weights, err := s.areaWeights(r.Context(), q, rules, year, code)
	if err != nil {
		return err
	}
	sv, err := s.st.CreateSurvey(r.Context(), userOf(r).Username, store.Survey{County: code, Standard: qid, Profile: rules.Profile.ID,
		Year: year, Title: q.Title, Questionnaire: q, Population: pop, AreaWeights: weights, OpenGroups: open, Opens: opens, Closes: closes})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/survey/%d", sv.ID), http.StatusSeeOther)
	return nil
}

// areaWeights counts the students (children, under a preschool standard)
// of each area of q in the county's census records of year: the area
// quotas follow them. nil when the census has none.
func (s *Server) areaWeights(ctx context.Context, q *survey.Questionnaire, rules *standards.Rules, year int, county string) ([]int64, error) {
	if rules.Preschool() {
		kgs, err := s.st.Kindergartens(ctx, year, county)
		return survey.AreaWeights(q, nil, kgs), err
	}
	schools, err := s.st.Schools(ctx, year, county)
	return survey.AreaWeights(q, schools, nil), err
}

// fillRow is the fill and rate of one group, area, or the whole survey.
type fillRow struct {
	Name     string
	Quota    int
	Fill     int // percent of the quota filled by valid responses, at most 100
	C        survey.Count
	Rate     string
	Margin   string
	Passes   bool
	Interval string
}

func (b *Base) fillRow(name string, quota int, c survey.Count, pass float64) fillRow {
	f := fillRow{Name: name, Quota: quota, C: c, Rate: survey.Percent(c.Rate(), 2)}
	if quota > 0 {
		f.Fill = min(100, c.Valid*100/quota)
	}
	if m := survey.Margin(c, pass); m != nil {
		f.Margin, f.Passes = signedPoints(m), m.Sign() >= 0
	}
	if lo, hi, ok := c.Wilson(); ok {
		f.Interval = fmt.Sprintf("%.1f%% – %.1f%%", lo*100, hi*100)
	}
	return f
}

// signedPoints writes a margin (a fraction) in percentage points with its sign.
func signedPoints(m *big.Rat) string {
	s := survey.Percent(m, 2)
	if m.Sign() >= 0 {
		s = "+" + s
	}
	return s
}

type responseRow struct {
	store.SurveyResponse
	GroupName string
	AreaName  string
	Seconds   int
	Overall   string
}

type batchRow struct {
	store.IssuedCodes
	GroupName string
	AreaName  string
	Used      int
	Size      int64
}

type openLink struct {
	Group string
	URL   string
}

type areaOption struct {
	Index int
	Name  string
}

type surveyPage struct {
	*Base
	Survey    store.Survey
	Window    string
	Name      string
	Q         *survey.Questionnaire
	Sample    standards.SurveySample
	Plan      survey.Plan
	State     string
	All       fillRow
	Groups    []fillRow
	Areas     []fillRow
	Flagged   []responseRow
	Reviewed  []responseRow
	Batches   []batchRow
	OpenLinks []openLink
	AreaOpts  []areaOption
	CanEdit   bool
	Enough    bool // valid responses reach the sample's minimum
}

// surveyResult reads a survey's responses and tallies them.
func (s *Server) surveyResult(ctx context.Context, sv store.Survey) ([]store.SurveyResponse, survey.Tally, error) {
	rs, err := s.st.SurveyResponses(ctx, sv.ID)
	if err != nil {
		return nil, survey.Tally{}, err
	}
	return rs, sv.Questionnaire.Count(rates(rs)), nil
}

// surveySample is the sample setting of the survey's profile.
func surveySample(sv store.Survey) standards.SurveySample {
	std := sv.Standard
	if sv.Questionnaire != nil {
		std = sv.Questionnaire.BasisStandard()
	}
	if rules, err := standards.Resolve(std, sv.Profile); err == nil {
		return rules.Settings.SurveySample
	}
	r, _ := standards.Resolve(std, "national")
	if r == nil {
		return standards.SurveySample{PerMille: 1, Min: 200, Max: 1000, MinValidPercent: 70, PassPercent: 85, FloorSecondsPerQuestion: 2}
	}
	return r.Settings.SurveySample
}

func planOf(sv store.Survey, sample standards.SurveySample) survey.Plan {
	var w []*big.Rat
	for _, x := range sv.AreaWeights {
		w = append(w, big.NewRat(x, 1))
	}
	return survey.MakePlan(sv.Questionnaire, sample, sv.Population, w)
}

// surveyPageGet serves GET /survey/{id}.
func (s *Server) surveyPageGet(w http.ResponseWriter, r *http.Request) error {
	sv, b, err := s.surveyOf(r)
	if err != nil {
		return err
	}
	// Device cookies and address hashes serve the burst checks only: gone a day after a survey closes.
	if _, err := s.st.PurgeSurveyTraces(r.Context(), s.now().Add(-24*time.Hour)); err != nil {
		return err
	}
	rs, t, err := s.surveyResult(r.Context(), sv)
	if err != nil {
		return err
	}
	q := sv.Questionnaire
	sample := surveySample(sv)
	p := &surveyPage{Base: b, Survey: sv, Name: sv.County, Q: q, Sample: sample, Plan: planOf(sv, sample), State: surveyState(s.now(), sv),
		CanEdit: canRunSurveys(b), Window: surveyWindow(sv)}
	if rg, err := s.regionName(r, sv.County); err == nil {
		p.Name = rg.Name
	}
	pass := sample.PassPercent
	p.All = b.fillRow(b.T("survey.all"), p.Plan.Sample, t.All, pass)
	p.Enough = t.All.Valid >= p.Plan.MinValid
	for i, g := range q.Groups {
		p.Groups = append(p.Groups, b.fillRow(b.GroupLabel(g), p.Plan.Groups[i], t.Groups[i], pass))
	}
	for i, a := range q.Areas() {
		p.Areas = append(p.Areas, b.fillRow(q.AreaName(a), p.Plan.Areas[i], t.Areas[i], pass))
		p.AreaOpts = append(p.AreaOpts, areaOption{i, q.AreaName(a)})
	}
	used := map[int64]bool{}
	for _, x := range rs {
		if x.Serial > 0 {
			used[x.Serial] = true
		}
		row := responseRow{SurveyResponse: x, AreaName: q.AreaName(x.Area), Seconds: int(x.Submitted.Sub(x.Started) / time.Second),
			Overall: answerText(q, x.Answers[q.RateQuestion])}
		if i := q.GroupIndex(x.Group); i >= 0 {
			row.GroupName = b.GroupLabel(q.Groups[i])
		}
		switch x.Status {
		case survey.StatusFlagged:
			p.Flagged = append(p.Flagged, row)
		case survey.StatusAccepted, survey.StatusRejected:
			p.Reviewed = append(p.Reviewed, row)
		}
	}
	bs, err := s.st.CodeBatches(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	for _, x := range bs {
		row := batchRow{IssuedCodes: x, AreaName: q.AreaName(x.Area), Size: x.Last - x.First + 1}
		if i := q.GroupIndex(x.Group); i >= 0 {
			row.GroupName = b.GroupLabel(q.Groups[i])
		}
		for k := x.First; k <= x.Last; k++ {
			if used[k] {
				row.Used++
			}
		}
		p.Batches = append(p.Batches, row)
	}
	for _, g := range sv.OpenGroups {
		if i := q.GroupIndex(g); i >= 0 {
			p.OpenLinks = append(p.OpenLinks, openLink{b.GroupLabel(q.Groups[i]),
				publicBase(r) + "/s/" + survey.Sign(sv.Secret, survey.Token{Survey: sv.ID, Group: i, Area: -1})})
		}
	}
	b.Title = p.Name + " · " + sv.Title
	s.render(w, r, http.StatusOK, "survey", p)
	return nil
}

func (b *Base) GroupLabel(g survey.Group) string {
	if b.EN() && g.EN != "" {
		return g.EN
	}
	return g.ZH
}

func answerText(q *survey.Questionnaire, a int) string {
	if a < 1 || a > len(q.Scale) {
		return "—"
	}
	return q.Scale[a-1]
}

// publicBase is the scheme and host respondents reach this server at, as
// the request that prints the codes reached it.
func publicBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// issueCodes serves POST /survey/{id}/codes: a batch of single-use codes
// of one group and area, then its sheet.
func (s *Server) issueCodes(w http.ResponseWriter, r *http.Request) error {
	sv, b, err := s.surveyOf(r)
	if err != nil {
		return err
	}
	if !canRunSurveys(b) {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.form")
	}
	q := sv.Questionnaire
	g := q.GroupIndex(r.PostForm.Get("group"))
	a, err := q.ParseArea(r.PostForm)
	n, err2 := strconv.Atoi(r.PostForm.Get("n"))
	if g < 0 || err != nil || err2 != nil || n < 1 || n > 5000 {
		return badRequest("survey.bad_codes")
	}
	batch, err := s.st.IssueCodes(r.Context(), userOf(r).Username, sv.ID, q.Groups[g].ID, q.Areas()[a], n)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/survey/%d/sheet?first=%d&last=%d", sv.ID, batch.First, batch.Last), http.StatusSeeOther)
	return nil
}

type sheetCode struct {
	Serial int64
	Token  string
	URL    string
	QR     template.HTML
}

type sheetPage struct {
	*Base
	Survey    store.Survey
	Name      string
	GroupName string
	AreaName  string
	Codes     []sheetCode
}

// sheetPageGet serves GET /survey/{id}/sheet?first=&last=: a printable
// sheet of codes (the latest batch without first and last), one QR code
// each with its serial, as HTML with print CSS.
func (s *Server) sheetPageGet(w http.ResponseWriter, r *http.Request) error {
	sv, b, err := s.surveyOf(r)
	if err != nil {
		return err
	}
	if !canRunSurveys(b) {
		return refuse(true)
	}
	bs, err := s.st.CodeBatches(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	if len(bs) == 0 {
		return notFound("survey.no_codes")
	}
	batch := bs[len(bs)-1]
	if f, l := r.URL.Query().Get("first"), r.URL.Query().Get("last"); f != "" || l != "" {
		first, err1 := strconv.ParseInt(f, 10, 64)
		last, err2 := strconv.ParseInt(l, 10, 64)
		found := false
		for _, x := range bs {
			if err1 == nil && err2 == nil && first >= x.First && last <= x.Last && first <= last {
				batch, found = store.IssuedCodes{First: first, Last: last, Group: x.Group, Area: x.Area}, true
			}
		}
		if !found {
			return notFound("survey.no_codes")
		}
	}
	q := sv.Questionnaire
	g, a := q.GroupIndex(batch.Group), q.AreaIndex(batch.Area)
	p := &sheetPage{Base: b, Survey: sv, Name: sv.County, AreaName: q.AreaName(batch.Area)}
	if g >= 0 {
		p.GroupName = b.GroupLabel(q.Groups[g])
	}
	if rg, err := s.regionName(r, sv.County); err == nil {
		p.Name = rg.Name
	}
	base := publicBase(r)
	for k := batch.First; k <= batch.Last; k++ {
		tok := survey.Sign(sv.Secret, survey.Token{Survey: sv.ID, Group: g, Area: a, Serial: k})
		u := base + "/s/" + tok
		svg, err := qrSVG(u)
		if err != nil {
			return err
		}
		p.Codes = append(p.Codes, sheetCode{Serial: k, Token: tok, URL: u, QR: svg})
	}
	b.Title = p.Name + " · " + b.T("survey.sheet_title")
	s.renderBlock(w, r, http.StatusOK, "survey_sheet", "sheet", p)
	return nil
}

// qrSVG draws text as a QR code (medium error correction), an SVG of
// dark modules with the four-module quiet zone.
func qrSVG(text string) (template.HTML, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", err
	}
	sw := &svgWriter{}
	if err := qr.Save(sw); err != nil {
		return "", err
	}
	return template.HTML(sw.out), nil
}

type svgWriter struct{ out string }

func (w *svgWriter) Write(m qrcode.Matrix) error {
	const quiet = 4
	n := m.Width() + 2*quiet
	var path strings.Builder
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
		}
	})
	w.out = fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img"><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		n, n, n, n, path.String())
	return nil
}

func (w *svgWriter) Close() error { return nil }

// reviewResponse serves POST /survey/{id}/review/{rid}: a county account
// accepts or rejects a flagged response, with the reason.
func (s *Server) reviewResponse(w http.ResponseWriter, r *http.Request) error {
	sv, b, err := s.surveyOf(r)
	if err != nil {
		return err
	}
	if !canRunSurveys(b) {
		return errForbidden
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.form")
	}
	decision := r.PostForm.Get("decision")
	if decision != "accept" && decision != "reject" {
		return badRequest("survey.bad_decision")
	}
	if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
		return badRequest("survey.need_reason")
	}
	switch err := s.st.ReviewResponse(r.Context(), userOf(r).Username, sv.ID, rid, decision == "accept", r.PostForm.Get("reason")); {
	case err == nil:
	case errors.Is(err, store.ErrNotFlagged):
		return &userError{err: errConflict, key: "survey.not_flagged"}
	default:
		return err
	}
	setFlash(w, b.T("survey.decided"))
	http.Redirect(w, r, fmt.Sprintf("/survey/%d#flagged", sv.ID), http.StatusSeeOther)
	return nil
}

// surveyXLSX serves GET /survey/{id}/responses.xlsx: every response with
// its group, area, time taken, status, flags, decision and answers — and
// nothing that identifies a respondent.
func (s *Server) surveyXLSX(w http.ResponseWriter, r *http.Request) error {
	sv, b, err := s.surveyOf(r)
	if err != nil {
		return err
	}
	rs, _, err := s.surveyResult(r.Context(), sv)
	if err != nil {
		return err
	}
	q := sv.Questionnaire
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	head := []any{b.T("survey.col.no"), b.T("survey.col.code"), b.T("survey.col.group"), b.T("survey.col.area"), b.T("survey.col.submitted"),
		b.T("survey.col.seconds"), b.T("survey.col.status"), b.T("survey.col.flags"), b.T("survey.col.reason")}
	for _, x := range q.Questions {
		head = append(head, x.Text)
	}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for i, x := range rs {
		code := b.T("survey.open_link")
		if x.Serial > 0 {
			code = strconv.FormatInt(x.Serial, 10)
		}
		group := x.Group
		if gi := q.GroupIndex(x.Group); gi >= 0 {
			group = b.GroupLabel(q.Groups[gi])
		}
		var flags []string
		for _, fl := range x.Flags {
			flags = append(flags, b.T("survey.flag."+string(fl)))
		}
		row := []any{i + 1, code, group, q.AreaName(x.Area), x.Submitted.In(beijing).Format("2006-01-02 15:04:05"),
			int(x.Submitted.Sub(x.Started) / time.Second), b.T("survey.status." + string(x.Status)), strings.Join(flags, "、"), x.ReviewReason}
		for _, qq := range q.Questions {
			if a, ok := x.Answers[qq.ID]; ok {
				row = append(row, answerText(q, a))
			} else {
				row = append(row, "")
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="survey-%d.xlsx"`, sv.ID))
	return f.Write(w)
}

// surveyFeed is the survey whose rate stands as the figure of a standard's
// 社会认可度 item.
type surveyFeed struct {
	ID     int64
	Item   string // the item's ID
	Rate   string
	Valid  int
	State  string
	Open   int // valid responses through open links
	Weaker bool
	// MinValid is the valid returns the survey's sample needs; Feeds is
	// set once it has them, and only then does its rate stand as the
	// item's figure.
	MinValid int
	Feeds    bool
}

// feedSurvey puts the rate of the county's latest survey under rules and
// year with a valid response into the county record's field the standard's
// 社会认可度 item reads (e.g. county.recognition_compulsory), over a figure
// typed in by hand, and says which survey it was; nil when none.
func (s *Server) feedSurvey(ctx context.Context, rules *standards.Rules, year int, county string, in *eval.Inputs) (*surveyFeed, error) {
	return feedSurveyOf(ctx, s.st, s.now(), rules, year, county, in)
}

// feedSurveyOf is feedSurvey from store st at time now (case snapshots
// and the demo's seeding evaluate from the store alone).
func feedSurveyOf(ctx context.Context, st *store.Store, now time.Time, rules *standards.Rules, year int, county string, in *eval.Inputs) (*surveyFeed, error) {
	item, field := recognitionField(rules)
	if field < 0 {
		return nil, nil
	}
	svs, err := st.SurveysOf(ctx, county, rules.ID, year)
	if err != nil {
		return nil, err
	}
	for _, sv := range svs {
		if now.Before(sv.Opens) {
			continue
		}
		rs, err := st.SurveyResponses(ctx, sv.ID)
		if err != nil {
			return nil, err
		}
		t := sv.Questionnaire.Count(rates(rs))
		rate := t.All.Rate()
		if rate == nil {
			continue
		}
		feed := &surveyFeed{ID: sv.ID, Item: item, Rate: survey.Percent(rate, 2), Valid: t.All.Valid, State: surveyState(now, sv),
			Open: t.All.Open, Weaker: t.All.Open > 0, MinValid: planOf(sv, surveySample(sv)).MinValid}
		if feed.Valid < feed.MinValid {
			// Too few valid returns to stand as the item's figure: the
			// figure typed in (if any) stands meanwhile, and the page says so.
			return feed, nil
		}
		feed.Feeds = true
		// The nearest float64 to the exact rate: 100·k/n is never within
		// half an ulp of the 85 it is compared with unless it is 85, so
		// the verdict's comparison stays exact.
		pct, _ := new(big.Rat).Mul(rate, big.NewRat(100, 1)).Float64()
		found := false
		for i := range in.Counties {
			if in.Counties[i].CountyCode == county && in.Counties[i].Year == year {
				in.Counties[i].V[field], found = pct, true
			}
		}
		if !found {
			c := census.NewCountyRecord()
			c.Year, c.CountyCode = year, county
			c.V[field] = pct
			in.Counties = append(in.Counties, c)
		}
		return feed, nil
	}
	return nil, nil
}

// recognitionField finds the 社会认可度 item of rules and the county
// record field its value check reads; -1 when the standard has none.
func recognitionField(rules *standards.Rules) (string, census.CountyField) {
	for _, it := range rules.Items {
		if it.Part != standards.PartRecognition {
			continue
		}
		for _, c := range it.Checks {
			key, ok := strings.CutPrefix(c.Num, "county.")
			if !ok {
				continue
			}
			for f, col := range census.CountyColumns {
				if col.Key == key {
					return it.ID, census.CountyField(f)
				}
			}
		}
	}
	return "", -1
}

// renderBlock renders block of page name without the application's
// layout: the code sheet and the public answering pages are documents of
// their own.
func (s *Server) renderBlock(w http.ResponseWriter, r *http.Request, code int, name, block string, data any) {
	t := s.tmpl.pages[name]
	var buf bytes.Buffer
	if t == nil || t.Lookup(block) == nil {
		s.log.Error("no template", "name", name, "block", block)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", string(langOf(r)))
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// surveySection is the self-evaluation report's account of the survey
// whose rate is the county's 社会认可度 figure: its window, sample, rate,
// margin and interval, what was excluded, and the fill by group. nil when
// no survey feeds the item.
func (s *Server) surveySection(ctx context.Context, rules *standards.Rules, year int, county string) (*report.Section, error) {
	feed, err := s.feedSurvey(ctx, rules, year, county, &eval.Inputs{})
	if err != nil || feed == nil {
		return nil, err
	}
	sv, err := s.st.Survey(ctx, feed.ID)
	if err != nil {
		return nil, err
	}
	_, t, err := s.surveyResult(ctx, sv)
	if err != nil {
		return nil, err
	}
	q, sample := sv.Questionnaire, surveySample(sv)
	plan := planOf(sv, sample)
	zh := &Base{Lang: i18n.ZH}
	all := zh.fillRow("", plan.Sample, t.All, sample.PassPercent)
	lead := "社会认可度一项的数据取自本县社会认可度调查"
	if !feed.Feeds {
		lead = "本县社会认可度调查尚未达到样本要求的有效答卷数，本项暂按填报的数值判断。调查情况如下：本县社会认可度调查"
	}
	text := fmt.Sprintf("%s（编号 %d，调查期 %s）。按常住人口 %d 人确定样本量 %d 份，其中有效答卷不少于 %d 份。"+
		"收到答卷 %d 份，有效 %d 份，其中“%s”“%s”合计 %d 份，认可度 %s%%，距 %g%% 为 %s 个百分点，95%%置信区间 %s。",
		lead, sv.ID, surveyWindow(sv), sv.Population, plan.Sample, plan.MinValid, t.All.Received, t.All.Valid, q.Scale[0], q.Scale[1], t.All.Positive,
		all.Rate, sample.PassPercent, all.Margin, all.Interval)
	if t.All.Flagged+t.All.Rejected > 0 {
		text += fmt.Sprintf("被标记待复核 %d 份、复核后不计入 %d 份，均未计入。", t.All.Flagged, t.All.Rejected)
	}
	if t.All.Open > 0 {
		text += fmt.Sprintf("有效答卷中 %d 份来自公开链接，证明力弱于单次调查码。", t.All.Open)
	}
	if feed.State == "open" {
		text += "调查尚在进行中，数据为暂定。"
	}
	tb := report.Table{Title: "社会认可度调查分类别结果", Sheet: "社会认可度调查",
		Columns: []report.Column{{Header: "身份类别", Width: 10}, {Header: "配额", Number: true, Format: "0"}, {Header: "有效答卷", Number: true, Format: "0"},
			{Header: "认可", Number: true, Format: "0"}, {Header: "认可度（%）", Number: true, Format: "0.00", Decimals: 2}}}
	for i, g := range q.Groups {
		c := t.Groups[i]
		rate := report.TextCell("—")
		if r := c.Rate(); r != nil {
			f, _ := new(big.Rat).Mul(r, big.NewRat(100, 1)).Float64()
			rate = report.NumCell(f, 2)
			rate.Bad = !survey.Passes(c, sample.PassPercent)
		}
		tb.Rows = append(tb.Rows, []report.Cell{report.TextCell(g.ZH), report.NumCell(float64(plan.Groups[i]), 0), report.NumCell(float64(c.Valid), 0),
			report.NumCell(float64(c.Positive), 0), rate})
	}
	return &report.Section{ID: "survey", Title: "社会认可度调查", Place: report.AfterResources, Paragraphs: []string{text}, Tables: []report.Table{tb}}, nil
}
