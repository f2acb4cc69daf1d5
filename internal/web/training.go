package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// 校外培训机构 (off-campus training institutions): a county's registry
// (internal/training, declared on internal/ledger), the engine's rules on
// it today, the year's grading and the white and black lists drawn from
// it, on the county's page /county/{code}/training; every county of a
// region side by side on /training; a publication of the lists, served to
// the public without sign-in on /lists/{code} and as a printable notice.

type trainingPage struct {
	*Base
	*choice
	Q        []any
	Code     string
	County   string
	Day      string // the day the rules are checked on: today
	Has      bool
	Sum      training.Summary
	Rules    []trainingRuleRow
	Findings []training.Finding
	GYear    int   // the grading year shown
	GYears   []int // the years the registry has scores of
	Scheme   standards.Grading
	Graded   []training.Graded
	Problems []training.ScoreProblem
	White    []training.Entry
	Black    []training.Entry
	Lists    []store.TrainingLists // publications, newest first
	Ledger   ledgerPanel
}

type trainingRuleRow struct {
	Rule    training.Rule
	N       int
	Warning bool
}

// Show writes a value of a registry column in the page's language.
func (p *trainingPage) Show(table, key, v string) string {
	t := training.Schema.Table(table)
	return t.Cols[t.Col(key)].ShowIn(v, p.EN())
}

// Points is an institution's points of indicator id ("—" for none).
func (p *trainingPage) Points(g training.Graded, id string) string {
	if v, ok := g.Points[id]; ok {
		return strconv.Itoa(v)
	}
	return "—"
}

// IndicatorName is a grading indicator's name in the page's language.
func (p *trainingPage) IndicatorName(in standards.GradingIndicator) string {
	if p.EN() && in.EN != "" {
		return in.EN
	}
	return in.ZH
}

// trainingToday is the day the rules are checked on: today in Beijing.
func (s *Server) trainingToday() time.Time {
	t, _ := time.Parse(time.DateOnly, ticket.Day(s.now()))
	return t
}

// gradingYears lists the years registry d has scores of, newest first.
func gradingYears(d *ledger.Data) []int {
	var out []int
	for _, r := range d.Rows(training.TScores) {
		if y := r.Int("year"); !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return cmp.Compare(b, a) })
	return out
}

// gradingYear reads ?gyear, or the newest year d has scores of (the
// current year when it has none).
func (s *Server) gradingYear(r *http.Request, d *ledger.Data) int {
	years := gradingYears(d)
	if y, err := strconv.Atoi(r.URL.Query().Get("gyear")); err == nil && slices.Contains(years, y) {
		return y
	}
	if len(years) > 0 {
		return years[0]
	}
	return s.trainingToday().Year()
}

func (s *Server) trainingPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderTraining(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderTraining(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, c, county, err := s.ledgerPageOf(r)
	if err != nil {
		return err
	}
	set := c.Rules.Settings.Training
	day := s.trainingToday()
	p := &trainingPage{Base: b, choice: c, Q: c.Query(s), Code: code, County: county, Day: day.Format(time.DateOnly), Scheme: set.Grading}
	b.Title = p.County + " · " + b.T("training.title")
	d, v, err := s.st.Ledger(r.Context(), training.Schema, code, 0)
	switch {
	case errors.Is(err, store.ErrNotFound):
		d = training.Schema.New()
	case err != nil:
		return err
	default:
		p.Has = true
	}
	p.GYear, p.GYears = s.gradingYear(r, d), gradingYears(d)
	rep := training.Review(d, day, p.GYear, set)
	p.Sum, p.Findings, p.Graded, p.Problems, p.White, p.Black = rep.Summary, rep.Findings, rep.Graded, rep.Problems, rep.White, rep.Black
	for i, rule := range training.Rules {
		p.Rules = append(p.Rules, trainingRuleRow{Rule: rule, N: p.Sum.ByRule[i], Warning: rule.Warning()})
	}
	if p.Lists, err = s.st.TrainingListsOf(r.Context(), code); err != nil {
		return err
	}
	p.Q = append(p.Q, "gyear", p.GYear)
	if p.Ledger, err = s.ledgerPanelOf(r, b, s.trainingKind(), code, 0, d, v, errs, editErr); err != nil {
		return err
	}
	if !p.Has {
		p.Ledger.Version = store.LedgerVersion{}
	}
	s.render(w, r, status, "training", p)
	return nil
}

// trainingKind is the 校外培训机构 registry as its routes serve it.
func (s *Server) trainingKind() ledgerKind {
	return ledgerKind{Schema: training.Schema, Path: "training", Name: "校外培训机构台账",
		Render: func(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
			return s.renderTraining(w, r, status, errs, editErr)
		}}
}

// publishTraining serves POST /county/{code}/training/publish: the white
// and black lists of the grading year (gyear), drawn from the registry as
// it is today, become the county's newest publication — what the public
// page and the notice show. The form names the registry version it was
// shown; a registry changed since is refused, so no one publishes lists
// they have not seen.
func (s *Server) publishTraining(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.ledgerCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.form")
	}
	d, v, err := s.st.Ledger(r.Context(), training.Schema, code, 0)
	if errors.Is(err, store.ErrNotFound) {
		return &userError{err: errConflict, key: "training.publish_none"}
	}
	if err != nil {
		return err
	}
	if r.PostForm.Get("version") != strconv.FormatInt(v.ID, 10) {
		return &userError{err: errConflict, key: "training.publish_changed"}
	}
	year, err := strconv.Atoi(r.PostForm.Get("gyear"))
	if err != nil || !slices.Contains(gradingYears(d), year) {
		return badRequest("training.publish_year")
	}
	set := c.Rules.Settings.Training
	white, black := training.Lists(d, year, s.trainingToday(), training.LimitsOf(set), set.Grading)
	if _, err := s.st.PublishTrainingLists(r.Context(), userOf(r).Username, code, year, v.ID, listEntries(white), listEntries(black)); err != nil {
		return err
	}
	setFlash(w, b.T("training.published", len(white), len(black)))
	http.Redirect(w, r, "/county/"+code+"/training"+yearQuery(r)+"#training-lists", http.StatusSeeOther)
	return nil
}

func listEntries(es []training.Entry) []store.ListEntry {
	out := make([]store.ListEntry, len(es))
	for i, e := range es {
		out[i] = store.ListEntry{Credit: e.Credit, Name: e.Name, Category: e.Category, Field: e.Field, Licence: e.Licence,
			Address: e.Address, Grade: e.Grade, Reason: e.Reason}
	}
	return out
}

// listCategory writes an entry's category (and field) in Chinese or English.
func listCategory(e store.ListEntry, en bool) string {
	t := training.Schema.Table(training.TInstitutions)
	out := t.Cols[t.Col("category")].ShowIn(e.Category, en)
	if e.Field != "" {
		out += " · " + t.Cols[t.Col("field")].ShowIn(e.Field, en)
	}
	return out
}

type listsPage struct {
	*Base
	Lang   string
	Name   string // the county's name
	Code   string
	Lists  store.TrainingLists
	Cat    func(store.ListEntry) string
	Notice string // the link to the printable notice
}

// publicLists serves GET /lists/{code}: the county's newest published
// white and black lists, to anyone, without sign-in, on the public base
// (its own CSP, no script). A county that has published none is a 404.
func (s *Server) publicLists(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "")
	code := r.PathValue("code")
	l, err := s.publishedLists(r, code)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return err
	}
	p := &listsPage{Base: b, Lang: string(b.Lang), Name: cmp.Or(rg.Name, code), Code: code, Lists: l,
		Notice: "/lists/" + code + "/notice.pdf"}
	en := b.EN()
	p.Cat = func(e store.ListEntry) string { return listCategory(e, en) }
	b.Title = b.T("training.public_title", p.Name, l.Year)
	w.Header().Set("Content-Security-Policy", publicCSP)
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderBlock(w, r, http.StatusOK, "training_lists", "public", p)
	return nil
}

// publishedLists is county code's newest publication; a county that has
// published none (or a code that is no county's) is a 404.
func (s *Server) publishedLists(r *http.Request, code string) (store.TrainingLists, error) {
	if len(code) != 6 {
		return store.TrainingLists{}, notFound("error.404")
	}
	l, err := s.st.LatestTrainingLists(r.Context(), code)
	if errors.Is(err, store.ErrNotFound) {
		return l, notFound("error.404")
	}
	return l, err
}

// listsNotice serves GET /lists/{code}/notice.pdf: the newest publication
// as a printable notice (公告), to anyone.
func (s *Server) listsNotice(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	l, err := s.publishedLists(r, code)
	if err != nil {
		return err
	}
	name := code
	if rg, err := s.regionName(r, code); err == nil && rg.Name != "" {
		name = rg.Name
	}
	doc := &report.Document{Title: fmt.Sprintf("%s校外培训机构白名单、黑名单公告", name), Subtitle: fmt.Sprintf("%d 年度", l.Year), Date: l.PublishedAt,
		Cover: [][2]string{{"发布单位", name + "教育局"}, {"评定年度", strconv.Itoa(l.Year)}, {"发布日期", ticket.Day(l.PublishedAt)},
			{"白名单", fmt.Sprintf("%d 家", len(l.White))}, {"黑名单", fmt.Sprintf("%d 家", len(l.Black))}}}
	intro := report.Section{ID: "intro", Title: "公告", Paragraphs: []string{
		fmt.Sprintf("根据校外培训机构分级分类监管办法，经%d年度分级评定和日常监管，现将本县区校外培训机构白名单和黑名单公告如下。", l.Year),
		"白名单机构：已取得办学许可（或登记），评定等级达到白名单等级，且截至发布日无违规情形。黑名单机构：被吊销办学许可证，或评定等级为黑名单等级。",
		"家长选择校外培训机构时请查验办学许可证和预收费监管情况，不与黑名单机构签订培训合同，不一次性缴纳超过 3 个月或 60 课时的费用。",
		"本公告自发布之日起生效；名单如有变动，以最新公告为准。网上查询：/lists/" + code + "。",
	}}
	tbl := func(title string, es []store.ListEntry) report.Table {
		t := report.Table{Title: title, Columns: []report.Column{{Header: "序号", Width: 2}, {Header: "机构名称", Width: 9}, {Header: "统一社会信用代码", Width: 10},
			{Header: "类别", Width: 5}, {Header: "办学许可证", Width: 8}, {Header: "地址", Width: 7}, {Header: "依据", Width: 9}}}
		for i, e := range es {
			t.Rows = append(t.Rows, []report.Cell{report.TextCell(strconv.Itoa(i + 1)), report.TextCell(e.Name), report.TextCell(e.Credit),
				report.TextCell(listCategory(e, false)), report.TextCell(cmp.Or(e.Licence, "—")), report.TextCell(cmp.Or(e.Address, "—")), report.TextCell(e.Reason)})
		}
		return t
	}
	white := report.Section{ID: "white", Title: fmt.Sprintf("白名单（%d 家）", len(l.White)), Tables: []report.Table{tbl("白名单", l.White)}}
	black := report.Section{ID: "black", Title: fmt.Sprintf("黑名单（%d 家）", len(l.Black)), Tables: []report.Table{tbl("黑名单", l.Black)}}
	if len(l.White) == 0 {
		white = report.Section{ID: "white", Title: "白名单", Paragraphs: []string{"本次无白名单机构。"}}
	}
	if len(l.Black) == 0 {
		black = report.Section{ID: "black", Title: "黑名单", Paragraphs: []string{"本次无黑名单机构。"}}
	}
	doc.Sections = []report.Section{intro, white, black}
	return writeDocument(w, doc, "pdf", fmt.Sprintf("%s-校外培训机构名单公告-%d.pdf", name, l.Year))
}

type trainingRegionPage struct {
	*Base
	*choice
	Q     []any
	Day   string
	Rules []training.Rule
	*ledgerRegion[training.Summary]
}

// trainingRegion serves GET /training?region=: a province's cities (or a
// city's counties) with their registries summed up today, and the
// region's sum. A county account goes to its county's page.
func (s *Server) trainingRegion(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "training")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	region, up, regions, redirected, err := s.regionOfLedger(w, r, b, "training")
	if err != nil || redirected {
		return err
	}
	ledgers, err := s.st.Ledgers(r.Context(), training.Schema, 0, countyPrefixOf(region.Code))
	if err != nil {
		return err
	}
	set, day := c.Rules.Settings.Training, s.trainingToday()
	p := &trainingRegionPage{Base: b, choice: c, Q: c.Query(s), Day: day.Format(time.DateOnly), Rules: training.Rules}
	p.ledgerRegion = ledgerRegionOf(b, region, up, regions,
		func() training.Summary { return training.Summarise(nil, day, 0, set) },
		func(a *training.Summary, f training.Summary) { a.Add(f) },
		func(code string) (training.Summary, bool) {
			d := ledgers[code]
			if d == nil {
				return training.Summarise(nil, day, 0, set), false
			}
			years := gradingYears(d)
			year := day.Year()
			if len(years) > 0 {
				year = years[0]
			}
			return training.Summarise(d, day, year, set), true
		})
	b.Title = region.Name + " · " + b.T("training.title")
	s.render(w, r, http.StatusOK, "training_region", p)
	return nil
}

// trainingAPI serves GET /api/v1/training/{code}?gyear=: the county's
// registry checked today — findings with value, limit and margin — the
// grading of the year, the lists it gives, and the registry's rows by
// table (ledger.Data.Maps).
func (s *Server) trainingAPI(r *http.Request) (any, error) {
	code, c, d, v, err := s.ledgerAPIOf(r, training.Schema)
	if err != nil {
		return nil, err
	}
	set, day := c.Rules.Settings.Training, s.trainingToday()
	year := s.gradingYear(r, d)
	rep := training.Review(d, day, year, set)
	findings := []map[string]any{}
	for _, f := range rep.Findings {
		findings = append(findings, map[string]any{"rule": f.Rule, "warning": f.Rule.Warning(), "credit": f.Credit, "name": f.Name,
			"table": f.Table, "row": f.Row + 1, "subject": f.Subject, "value": f.Value, "limit": f.Limit, "margin": f.Margin, "explain": f.Explain})
	}
	grades := []map[string]any{}
	for _, g := range rep.Graded {
		m := map[string]any{"credit": g.Credit, "name": g.Name, "points": g.Points, "grade": g.Grade, "list": g.List, "missing": g.Missing}
		if g.Total != nil {
			m["total"], m["total_exact"], m["margin"] = g.TotalText(), g.Total.RatString(), g.Margin
		}
		grades = append(grades, m)
	}
	return map[string]any{
		"county": code, "day": day.Format(time.DateOnly), "grading_year": year, "version": v.ID,
		"limits": training.LimitsOf(set), "summary": rep.Summary,
		"findings": findings, "grades": grades,
		"lists":  map[string]any{"white": listEntries(rep.White), "black": listEntries(rep.Black)},
		"ledger": d.Maps(),
	}, nil
}
