package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"math"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/workplan"
)

// Work plans (年度工作要点): the list of a region's plans with the import
// of a plan file (a preview where each recognised target is confirmed or
// corrected before anything is saved) and a plan made by hand; the wall
// chart (挂图作战) with every task's light computed from the facts, grouped
// by unit or by section, filterable, printable on A3; a task's page with
// its progress reports, deadline changes and 督办单; the monthly 通报
// (workplan_bulletin.go).
//
// Who sees what: a plan belongs to a bureau (a province, city or county).
// An account sees the plans of its region and of the regions below it
// (a province sees its cities' and counties' plans, read-only); it changes
// only its own region's plans. A school account sees none. The lead of a
// task is a name, not an account: the bureau's account decides deadline
// changes (not the one who asked) and answers and checks 督办单.

// plan finds the plan of the path's {id} in the account's scope; edit says
// whether the account may change it.
func (s *Server) plan(r *http.Request) (p store.Plan, b *Base, edit bool, err error) {
	p, b, err = pathObject(s, r, "plans", s.st.Plan, func(sc Scope, p store.Plan) bool { return sc.County(p.Region) })
	if err != nil {
		return p, b, false, err
	}
	return p, b, b.Scope.editsPlan(p), nil
}

// planToEdit is plan for a step that changes the plan: refused unless
// the account edits it.
func (s *Server) planToEdit(r *http.Request) (store.Plan, *Base, error) {
	p, b, edit, err := s.plan(r)
	if err == nil && !edit {
		err = errForbidden
	}
	return p, b, err
}

// planTaskToEdit is planTask for a step that changes the task: refused
// unless the account edits its plan.
func (s *Server) planTaskToEdit(r *http.Request) (store.PlanTask, store.Plan, *Base, error) {
	t, p, b, edit, err := s.planTask(r)
	if err == nil && !edit {
		err = errForbidden
	}
	return t, p, b, err
}

// editsPlan reports whether the account changes plan p: its own region's,
// with the right to edit.
func (s Scope) editsPlan(p store.Plan) bool {
	return s.CanEdit() && !s.SchoolOnly() && s.region == p.Region
}

// planTask finds the task of the path's {id} and its plan, in scope.
func (s *Server) planTask(r *http.Request) (t store.PlanTask, p store.Plan, b *Base, edit bool, err error) {
	b = s.base(r, "plans")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return t, p, b, false, notFound("error.404")
	}
	if t, err = s.st.PlanTask(r.Context(), id); err != nil {
		return t, p, b, false, err
	}
	if p, err = s.st.Plan(r.Context(), t.PlanID); err != nil {
		return t, p, b, false, err
	}
	if !b.Scope.County(p.Region) {
		return t, p, b, false, errOutOfScope
	}
	return t, p, b, b.Scope.editsPlan(p), nil
}

// planErr turns the store's refusals into a 400 showing what to fix.
func planErr(err error) error {
	switch {
	case errors.Is(err, store.ErrPlanInput):
		_, why, _ := strings.Cut(err.Error(), store.ErrPlanInput.Error()+": ")
		return badRequest("plan.bad_input", why)
	case errors.Is(err, store.ErrEvidenceType), errors.Is(err, store.ErrEvidenceSize):
		return badRequest("plan.bad_input", err.Error())
	}
	return evidenceErr(err)
}

// taskView is a task with what is known of it at a time: its light and
// why, its current value (computed when linked), its latest report and its
// 督办单.
type taskView struct {
	store.PlanTask
	Light    workplan.LightColor
	Reason   workplan.Reason
	Current  *float64
	Linked   bool
	LinkNote string
	Last     *store.PlanReport // the latest report up to the period
	Reports  int
	Tickets  []ticketRow
}

// Behind reports whether the light is yellow or red.
func (v taskView) Behind() bool { return v.Light == workplan.Yellow || v.Light == workplan.Red }

// CurrentText is the current value with its unit, "" when not known.
func (v taskView) CurrentText() string {
	if v.Current == nil {
		return ""
	}
	return strconv.FormatFloat(*v.Current, 'f', -1, 64) + v.TargetUnit
}

// Day is a date of the task as the user writes it: a due instant (the end
// of its day) as that day.
func (v taskView) Day(t time.Time, due bool) string {
	if t.IsZero() {
		return ""
	}
	if due {
		t = t.Add(-time.Second)
	}
	return t.In(workplan.China).Format(time.DateOnly)
}

// UnitsText is the responsible units as written in the form.
func (v taskView) UnitsText() string { return strings.Join(v.Units, "、") }

type milestoneRow struct{ Date, Pct, Text string }

// MilestoneRows are the task's milestones for the form, with empty rows up
// to four.
func (v taskView) MilestoneRows() []milestoneRow {
	var out []milestoneRow
	for _, m := range v.Milestones {
		out = append(out, milestoneRow{v.Day(m.Due, true), strconv.FormatFloat(m.Percent, 'f', -1, 64), m.Text})
	}
	for len(out) < 4 {
		out = append(out, milestoneRow{})
	}
	return out
}

// OpenTicket is the task's open 督办单, if any.
func (v taskView) OpenTicket() *ticketRow {
	for i := range v.Tickets {
		if v.Tickets[i].Status != ticket.Closed {
			return &v.Tickets[i]
		}
	}
	return nil
}

// linkedValue computes the current value of a linked task in the plan's
// region: the 普惠率 of its kindergartens in the latest year of data not
// after the plan's, or the count of counties recognised for a standard.
func (s *Server) linkedValue(r *http.Request, p store.Plan, t store.PlanTask, memo map[string]linked) (linked, error) {
	key := t.Link + "|" + t.LinkArg
	if v, ok := memo[key]; ok {
		return v, nil
	}
	prefix := census.CountyPrefix(p.Region)
	var out linked
	switch t.Link {
	case store.LinkCasesRecognised:
		n, err := s.st.RecognisedCounties(r.Context(), prefix, t.LinkArg)
		if err != nil {
			return out, err
		}
		out = linked{Value: float64(n), OK: true}
	case store.LinkPreschoolInclusive:
		years, err := s.cache.Years(r.Context())
		if err != nil {
			return out, err
		}
		if len(years) == 0 {
			break
		}
		year := years[0] // the earliest, when every year of data is after the plan's
		for _, y := range years {
			if y <= p.Year {
				year = max(year, y)
			}
		}
		kgs, err := s.st.Kindergartens(r.Context(), year, "")
		if err != nil {
			return out, err
		}
		var all, inclusive float64
		for _, k := range kgs {
			c := k.V[census.KgChildren]
			if !strings.HasPrefix(k.CountyCode, prefix) || math.IsNaN(c) {
				continue
			}
			all += c
			if k.Category == census.CategoryPublic || k.Category == census.CategoryInclusive {
				inclusive += c
			}
		}
		if all > 0 {
			out = linked{Value: math.Round(inclusive/all*1000) / 10, OK: true, Year: year}
		}
	case store.LinkPlacesAdded:
		n, err := s.placesAdded(r, prefix, p.Year)
		if err != nil {
			return out, err
		}
		out = linked{Value: float64(n), OK: true}
	case store.LinkGroupSchools:
		year, ok, err := s.dataYearFor(r, p.Year)
		if err != nil || !ok {
			return out, err
		}
		ledgers, err := s.st.Ledgers(r.Context(), groups.Schema, 0, prefix)
		if err != nil {
			return out, err
		}
		var in int64
		for county, d := range ledgers {
			schools, err := s.st.Schools(r.Context(), year, county)
			if err != nil {
				return out, err
			}
			in += groups.Count(groups.Of(d), schools, year).Schools.In
		}
		out = linked{Value: float64(in), OK: true, Year: year}
	case store.LinkAfterschoolSchools, store.LinkAfterschoolStudents:
		year, ok, err := s.dataYearFor(r, p.Year)
		if err != nil || !ok {
			return out, err
		}
		sum, ok, err := s.afterschoolOf(r, prefix, year)
		if err != nil || !ok {
			return out, err
		}
		sh := sum.Schools
		if t.Link == store.LinkAfterschoolStudents {
			sh = sum.Students
		}
		if r := sh.Rat(); r != nil {
			v, _ := new(big.Rat).Mul(r, big.NewRat(100, 1)).Float64()
			out = linked{Value: math.Round(v*10) / 10, OK: true, Year: year}
		}
	}
	memo[key] = out
	return out, nil
}

// afterschoolOf sums the 课后服务 indicators of the counties under prefix
// in school year year, in the latest term their ledgers hold; ok is false
// when none has a ledger of the year.
func (s *Server) afterschoolOf(r *http.Request, prefix string, year int) (afterschool.Indicators, bool, error) {
	ledgers, err := s.st.Ledgers(r.Context(), afterschool.Schema, year, prefix)
	if err != nil || len(ledgers) == 0 {
		return afterschool.Indicators{}, false, err
	}
	// The end-time rule does not enter the coverage: the default serves.
	rule, err := afterschool.RuleOf("")
	if err != nil {
		return afterschool.Indicators{}, false, err
	}
	var all []afterschool.Term
	for _, d := range ledgers {
		all = append(all, afterschool.Of(d)...)
	}
	term := afterschool.LatestTerm(all)
	sum := afterschool.Count(nil, nil, nil, term, rule)
	for county, d := range ledgers {
		schools, err := s.st.Schools(r.Context(), year, county)
		if err != nil {
			return sum, false, err
		}
		sum.Add(afterschool.Count(afterschool.Of(d), afterschool.Providers(d), schools, term, rule))
	}
	return sum, true, nil
}

// dataYearFor is the latest year of census data not after year (the
// earliest when all are after it); ok is false when there is none.
func (s *Server) dataYearFor(r *http.Request, year int) (int, bool, error) {
	years, err := s.cache.Years(r.Context())
	if err != nil || len(years) == 0 {
		return 0, false, err
	}
	out := years[0]
	for _, y := range years {
		if y <= year {
			out = max(out, y)
		}
	}
	return out, true, nil
}

// placesAdded is the number of places the planned projects of the 学位
// ledgers of the counties under prefix add in school year year: each
// project opening that year, by its stated places or else its classes ×
// the profile's class size of its stage.
func (s *Server) placesAdded(r *http.Request, prefix string, year int) (int, error) {
	ledgers, err := s.st.Ledgers(r.Context(), seatsio.Schema, 0, prefix)
	if err != nil {
		return 0, err
	}
	rules, err := standards.Resolve(s.inForce().Standard, s.inForce().Profile)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ledgers {
		for _, pr := range seatsio.Of(d).Projects {
			if pr.OpenYear != year {
				continue
			}
			places := pr.Places
			if places == 0 {
				_, size, err := placesOptions(rules, pr.Stage)
				if err != nil {
					return 0, err
				}
				places = pr.Classes * size
			}
			n += places
		}
	}
	return n, nil
}

type linked struct {
	Value float64
	OK    bool
	Year  int // the year of data it was computed on, 0 when it is today's
}

// views computes the tasks of plan p at time at, with the reports of the
// periods up to upTo.
func (s *Server) views(r *http.Request, p store.Plan, at time.Time, upTo workplan.Period) ([]taskView, error) {
	ctx := r.Context()
	tasks, err := s.st.PlanTasks(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	reports, err := s.st.PlanReports(ctx, p.ID, 0)
	if err != nil {
		return nil, err
	}
	tickets, err := s.st.PlanTickets(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	byTask := map[int64][]store.PlanReport{}
	for _, rp := range reports {
		if rp.Period <= upTo {
			byTask[rp.TaskID] = append(byTask[rp.TaskID], rp)
		}
	}
	tks := map[int64][]store.Ticket{}
	for _, tk := range tickets {
		if !tk.CreatedAt.After(at) {
			tks[tk.PlanTask] = append(tks[tk.PlanTask], tk)
		}
	}
	memo := map[string]linked{}
	out := make([]taskView, len(tasks))
	for i, t := range tasks {
		v := taskView{PlanTask: t, Reports: len(byTask[t.ID])}
		prog := workplan.TaskProgress{Start: t.Start, Due: t.Due, Target: t.Target}
		for _, m := range t.Milestones {
			prog.Milestones = append(prog.Milestones, workplan.Milestone{Date: m.Due, Percent: m.Percent})
		}
		rs := byTask[t.ID]
		if len(rs) > 0 {
			last := rs[len(rs)-1]
			v.Last = &last
			prog.FirstReport = rs[0].At
			if last.Value != nil {
				prog.Current = last.Value
			}
			if last.Percent != nil {
				prog.Percent = last.Percent
			}
		}
		if t.Link != "" {
			l, err := s.linkedValue(r, p, t, memo)
			if err != nil {
				return nil, err
			}
			if l.OK {
				val := l.Value
				prog.Current, v.Linked = &val, true
				if l.Year != 0 {
					v.LinkNote = strconv.Itoa(l.Year)
				}
			}
		}
		v.Current = prog.Current
		v.Light, v.Reason = workplan.Light(prog, at, p.Settings)
		v.Tickets = s.ticketRows(tks[t.ID])
		out[i] = v
	}
	return out, nil
}

// --- The list of plans, the import, a plan made by hand. ---

type plansPage struct {
	*Base
	Plans   []workplanRow
	CanEdit bool
	Year    int
	Errors  []string
}

type workplanRow struct {
	store.Plan
	RegionName string
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "plans")
	if b.Scope.SchoolOnly() {
		return errForbidden
	}
	return s.renderPlans(w, r, b, http.StatusOK, nil)
}

func (s *Server) renderPlans(w http.ResponseWriter, r *http.Request, b *Base, code int, errs []string) error {
	ps, err := s.st.Plans(r.Context(), b.Scope.prefix())
	if err != nil {
		return err
	}
	p := &plansPage{Base: b, CanEdit: b.Scope.CanEdit(), Year: s.now().In(workplan.China).Year(), Errors: errs}
	for _, pl := range ps {
		if !b.Scope.County(pl.Region) {
			continue
		}
		rg, err := s.regionName(r, pl.Region)
		if err != nil {
			return err
		}
		p.Plans = append(p.Plans, workplanRow{Plan: pl, RegionName: cmp.Or(rg.Name, pl.Region)})
	}
	b.Title = b.T("plan.title")
	s.render(w, r, code, "workplans", p)
	return nil
}

// newPlan reads the plan's own fields from the form: title, year, the
// report day and the thresholds (the bureau's settings).
func newPlan(b *Base, form func(string) string) (store.Plan, []string) {
	var errs []string
	p := store.Plan{Region: b.Scope.Region(), Title: strings.TrimSpace(form("title")), Settings: workplan.DefaultSettings(), ReportDay: 5}
	num := func(key string, into *float64) {
		if v := strings.TrimSpace(form(key)); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 {
				errs = append(errs, b.T("plan.bad_number", b.T("plan."+key), v))
				return
			}
			*into = f
		}
	}
	y, err := strconv.Atoi(strings.TrimSpace(form("year")))
	if err != nil || y < 2000 || y > 2100 {
		errs = append(errs, b.T("plan.bad_year", form("year")))
	}
	p.Year = y
	var day, months float64 = 5, 3
	num("report_day", &day)
	num("yellow", &p.Settings.YellowBehind)
	num("red", &p.Settings.RedBehind)
	num("not_started", &months)
	p.ReportDay, p.Settings.NotStartedRedMonths = int(day), int(months)
	if p.Title == "" {
		errs = append(errs, b.T("plan.need_title"))
	}
	if p.Settings.RedBehind < p.Settings.YellowBehind {
		errs = append(errs, b.T("plan.bad_thresholds"))
	}
	return p, errs
}

// createPlan makes an empty plan by hand; its tasks are added on its page.
func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "plans")
	if !b.Scope.CanEdit() || b.Scope.SchoolOnly() {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	p, errs := newPlan(b, r.PostForm.Get)
	if len(errs) > 0 {
		return s.renderPlans(w, r, b, http.StatusBadRequest, errs)
	}
	p, err := s.st.CreatePlan(r.Context(), userOf(r).Username, p, nil)
	if err != nil {
		return planErr(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d", p.ID), http.StatusSeeOther)
	return nil
}

// targetRow is one recognised target (or an item without one) on the
// import preview, for the user to confirm or correct.
type targetRow struct {
	Key     string // "3" for item 3's first row, "3.1" for its second target
	Item    workplan.Item
	First   bool
	Target  *workplan.Target
	Value   string
	Unit    string
	What    string
	Label   string // the target in words: 新建、改扩建中小学幼儿园80所
	Context string // the text around the target
}

type previewPage struct {
	*Base
	Plan     *workplan.Plan
	Rows     []targetRow
	Title    string
	Year     int
	Found    int
	Start    string
	Due      string
	Warnings []string
}

// importPlan reads an uploaded plan (.txt, .docx, .xlsx) and shows the
// preview: every item, every recognised target with the words around it,
// editable; nothing is saved until the user confirms.
func (s *Server) importPlan(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "plans")
	if !b.Scope.CanEdit() || b.Scope.SchoolOnly() {
		return errForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, 11<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return cmp.Or(bodyTooLarge(err, "plan.too_large", 10), badRequest("plan.no_file"))
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return badRequest("plan.no_file")
	}
	defer f.Close()
	parsed, err := workplan.Parse(fh.Filename, f)
	if err != nil {
		var pe *workplan.Error
		if errors.As(err, &pe) {
			return s.renderPlans(w, r, b, http.StatusBadRequest, []string{pe.Error()})
		}
		return err
	}
	year := s.now().In(workplan.China).Year()
	if y, err := strconv.Atoi(r.FormValue("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	} else if m := yearIn(parsed); m != 0 {
		year = m
	}
	title := cmp.Or(strings.TrimSpace(r.FormValue("title")), titleOf(parsed, year))
	p := &previewPage{Base: b, Plan: parsed, Title: title, Year: year, Warnings: parsed.Warnings,
		Start: fmt.Sprintf("%d-01-01", year), Due: fmt.Sprintf("%d-12-31", year)}
	for i, it := range parsed.Items {
		if len(it.Targets) == 0 {
			p.Rows = append(p.Rows, targetRow{Key: strconv.Itoa(i), Item: it, First: true})
			continue
		}
		for j := range it.Targets {
			tg := &it.Targets[j]
			key := strconv.Itoa(i)
			if j > 0 {
				key += "." + strconv.Itoa(j)
			}
			p.Found++
			p.Rows = append(p.Rows, targetRow{Key: key, Item: it, First: j == 0, Target: tg, Value: strconv.FormatFloat(tg.Value, 'f', -1, 64),
				Unit: tg.Unit, What: tg.Subject, Label: tg.Verb + tg.Subject + tg.Text, Context: around(it.Text, tg.Start, tg.End)})
		}
	}
	b.Title = b.T("plan.preview")
	s.render(w, r, http.StatusOK, "workplan_preview", p)
	return nil
}

// yearIn is the year a plan names in its comments or preamble (2023年…工作要点).
func yearIn(p *workplan.Plan) int {
	for _, l := range append(append([]string(nil), p.Comments...), p.Preamble...) {
		if i := strings.Index(l, "年"); i >= 4 {
			if y, err := strconv.Atoi(strings.TrimSpace(l[i-4 : i])); err == nil && y >= 2000 && y <= 2100 {
				return y
			}
		}
	}
	return 0
}

func titleOf(p *workplan.Plan, year int) string {
	for _, l := range append(append([]string(nil), p.Comments...), p.Preamble...) {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "要点") {
			if i := strings.IndexAny(l, "（("); i > 0 {
				l = l[:i]
			}
			return l
		}
	}
	return fmt.Sprintf("%d年工作要点", year)
}

// around is the text around bytes [start, end) of s: 24 characters each side.
func around(s string, start, end int) string {
	a, z := []rune(s[:start]), []rune(s[end:])
	if len(a) > 24 {
		a = append([]rune("…"), a[len(a)-24:]...)
	}
	if len(z) > 24 {
		z = append(z[:24], '…')
	}
	return string(a) + "【" + s[start:end] + "】" + string(z)
}

// confirmPlan saves the plan as the user confirmed it on the preview: for
// each item, a task with its first confirmed target; each further
// confirmed target of the item a task of its own (10-2, 10-3).
func (s *Server) confirmPlan(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "plans")
	if !b.Scope.CanEdit() || b.Scope.SchoolOnly() {
		return errForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, 12<<20)
	if err := r.ParseForm(); err != nil {
		return cmp.Or(bodyTooLarge(err, "plan.too_large", 10), badRequest("error.400"))
	}
	f := r.PostForm.Get
	p, errs := newPlan(b, f)
	p.Source = f("source")
	start, err1 := workplan.ParseDay(f("start"))
	due, err2 := workplan.ParseDay(f("due"))
	if err1 != nil || err2 != nil || !due.After(start) {
		errs = append(errs, b.T("plan.bad_dates"))
	}
	n, _ := strconv.Atoi(f("items"))
	if n < 1 || n > 5000 {
		return badRequest("error.400")
	}
	var tasks []store.PlanTask
	for i := range n {
		k := strconv.Itoa(i)
		item := store.PlanTask{Number: f("number." + k), Section: f("section." + k), Title: f("title." + k), Text: f("text." + k),
			Lead: f("lead." + k), Units: store.SplitUnits(f("units." + k)), Start: start, Due: workplan.DayEnd(due)}
		if item.Title == "" {
			errs = append(errs, b.T("plan.need_task_title", item.Number))
			continue
		}
		var extra []store.PlanTask
		main := false
		for j := 0; j < 100; j++ {
			key := k
			if j > 0 {
				key += "." + strconv.Itoa(j)
			}
			if _, ok := r.PostForm["value."+key]; !ok {
				if j == 0 {
					continue
				}
				break
			}
			if f("keep."+key) == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(f("value."+key)), 64)
			if err != nil || v <= 0 {
				errs = append(errs, b.T("plan.bad_target", item.Number, f("value."+key)))
				continue
			}
			unit, what := strings.TrimSpace(f("unit."+key)), strings.TrimSpace(f("what."+key))
			text := what + strconv.FormatFloat(v, 'f', -1, 64) + unit
			// The target as written, unless the user corrected it.
			if l := f("label." + key); l != "" && f("orig."+key) == f("value."+key)+"|"+unit+"|"+what {
				text = l
			}
			if !main {
				item.Target, item.TargetUnit, item.TargetText, main = v, unit, text, true
				continue
			}
			x := item
			x.Number = fmt.Sprintf("%s-%d", item.Number, len(extra)+2)
			x.Title = cmp.Or(text, item.Title)
			x.Target, x.TargetUnit, x.TargetText = v, unit, text
			extra = append(extra, x)
		}
		tasks = append(tasks, item)
		tasks = append(tasks, extra...)
	}
	if len(errs) > 0 {
		return s.renderPlans(w, r, b, http.StatusBadRequest, errs)
	}
	p, err := s.st.CreatePlan(r.Context(), userOf(r).Username, p, tasks)
	if err != nil {
		return planErr(err)
	}
	setFlash(w, b.T("plan.imported", len(tasks)))
	http.Redirect(w, r, fmt.Sprintf("/plan/%d", p.ID), http.StatusSeeOther)
	return nil
}

// --- The wall chart. ---

type planGroup struct {
	Name  string
	Tasks []taskView
	Count map[workplan.LightColor]int
}

// N is the group's count of tasks with light c.
func (g planGroup) N(c string) int { return g.Count[workplan.LightColor(c)] }

type planPage struct {
	*Base
	Plan       store.Plan
	RegionName string
	Edit       bool
	Groups     []planGroup
	By         string // section or unit
	Light      string
	Unit       string
	Units      []string
	Count      map[workplan.LightColor]int
	Total      int
	Period     workplan.Period
	Months     []workplan.Period
	Lights     []workplan.LightColor
	Blank      taskView
	Links      []string
}

func (s *Server) planPageGet(w http.ResponseWriter, r *http.Request) error {
	p, b, edit, err := s.plan(r)
	if err != nil {
		return err
	}
	now := s.now()
	views, err := s.views(r, p, now, workplan.PeriodOf(now))
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, p.Region)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pg := &planPage{Base: b, Plan: p, RegionName: cmp.Or(rg.Name, p.Region), Edit: edit, By: q.Get("by"), Light: q.Get("light"), Unit: q.Get("unit"),
		Count: map[workplan.LightColor]int{}, Period: workplan.ReportPeriod(now),
		Lights: []workplan.LightColor{workplan.Red, workplan.Yellow, workplan.Green, workplan.Done, workplan.Unknown},
		Links:  store.Links}
	if pg.By != "unit" {
		pg.By = "section"
	}
	for m := workplan.PeriodOf(time.Date(p.Year, 1, 15, 0, 0, 0, 0, workplan.China)); m <= workplan.PeriodOf(now) && len(pg.Months) < 36; m = workplan.PeriodOf(m.End().Add(time.Hour)) {
		pg.Months = append(pg.Months, m)
	}
	slices.Reverse(pg.Months)
	if len(pg.Months) == 0 {
		pg.Months = []workplan.Period{workplan.PeriodOf(now)}
	}
	groups := map[string]int{}
	add := func(name string, v taskView) {
		i, ok := groups[name]
		if !ok {
			i = len(pg.Groups)
			groups[name] = i
			pg.Groups = append(pg.Groups, planGroup{Name: name, Count: map[workplan.LightColor]int{}})
		}
		pg.Groups[i].Tasks = append(pg.Groups[i].Tasks, v)
		pg.Groups[i].Count[v.Light]++
	}
	seen := map[string]bool{}
	for _, v := range views {
		for _, u := range v.Units {
			if !seen[u] {
				seen[u] = true
				pg.Units = append(pg.Units, u)
			}
		}
		if pg.Light != "" && string(v.Light) != pg.Light || pg.Unit != "" && !slices.Contains(v.Units, pg.Unit) {
			continue
		}
		pg.Count[v.Light]++
		pg.Total++
		switch {
		case pg.By == "unit" && len(v.Units) == 0:
			add(b.T("plan.no_unit"), v)
		case pg.By == "unit":
			for _, u := range v.Units {
				if pg.Unit == "" || u == pg.Unit {
					add(u, v)
				}
			}
		default:
			add(cmp.Or(v.Section, b.T("plan.no_section")), v)
		}
	}
	slices.Sort(pg.Units)
	b.Title = p.Title
	s.render(w, r, http.StatusOK, "workplan", pg)
	return nil
}

// --- A task. ---

type planTaskPage struct {
	*Base
	Plan      store.Plan
	Task      taskView
	Edit      bool
	Reports   []store.PlanReport
	Changes   []store.PlanChange
	Period    workplan.Period
	Periods   []workplan.Period
	ReportDue time.Time
	CanChange bool
	Decide    bool
	Supervise bool
	Now       time.Time
	Links     []string
	Errors    []string
}

func (s *Server) planTaskGet(w http.ResponseWriter, r *http.Request) error {
	t, p, b, edit, err := s.planTask(r)
	if err != nil {
		return err
	}
	return s.renderTask(w, r, b, http.StatusOK, t, p, edit, nil)
}

func (s *Server) renderTask(w http.ResponseWriter, r *http.Request, b *Base, code int, t store.PlanTask, p store.Plan, edit bool, errs []string) error {
	now := s.now()
	views, err := s.views(r, p, now, workplan.PeriodOf(now))
	if err != nil {
		return err
	}
	pg := &planTaskPage{Base: b, Plan: p, Edit: edit, Now: now, Period: workplan.ReportPeriod(now), Errors: errs,
		Links: store.Links}
	for _, v := range views {
		if v.ID == t.ID {
			pg.Task = v
		}
	}
	pg.ReportDue = pg.Period.Due(p.ReportDay)
	for m := workplan.PeriodOf(now); len(pg.Periods) < 3; m = m.Prev() {
		pg.Periods = append(pg.Periods, m)
	}
	if pg.Reports, err = s.st.PlanReports(r.Context(), p.ID, t.ID); err != nil {
		return err
	}
	slices.Reverse(pg.Reports)
	all, err := s.st.PlanChanges(r.Context(), p.ID)
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.TaskID == t.ID {
			pg.Changes = append(pg.Changes, c)
			if c.Status == store.ChangePending && c.RequestedBy != userOf(r).Username && edit {
				pg.Decide = true
			}
		}
	}
	pg.CanChange = edit && !t.Due.IsZero() && now.Before(t.Due)
	pg.Supervise = edit && pg.Task.Light == workplan.Red && pg.Task.OpenTicket() == nil
	b.Title = cmp.Or(t.Number+" ", "") + t.Title
	s.render(w, r, code, "workplan_task", pg)
	return nil
}

// taskForm reads a task's fields from the form into t.
func taskForm(b *Base, t *store.PlanTask, f func(string) string) []string {
	var errs []string
	t.Number, t.Section, t.Title, t.Lead = strings.TrimSpace(f("number")), strings.TrimSpace(f("section")), strings.TrimSpace(f("title")), strings.TrimSpace(f("lead"))
	t.Text, t.Units = strings.TrimSpace(f("text")), store.SplitUnits(f("units"))
	t.TargetUnit, t.TargetText = strings.TrimSpace(f("target_unit")), strings.TrimSpace(f("target_text"))
	t.Link, t.LinkArg = f("link"), strings.TrimSpace(f("link_arg"))
	if t.Title == "" {
		errs = append(errs, b.T("plan.need_task_title", t.Number))
	}
	t.Target = 0
	if v := strings.TrimSpace(f("target")); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 {
			errs = append(errs, b.T("plan.bad_number", b.T("plan.target"), v))
		}
		t.Target = x
	}
	for _, d := range []struct {
		key  string
		into *time.Time
		end  bool
	}{{"start", &t.Start, false}, {"due", &t.Due, true}} {
		v := strings.TrimSpace(f(d.key))
		if v == "" {
			if d.key == "start" || t.Due.IsZero() {
				*d.into = time.Time{}
			}
			continue
		}
		day, err := workplan.ParseDay(v)
		if err != nil {
			errs = append(errs, b.T("plan.bad_date", v))
			continue
		}
		if d.end {
			day = workplan.DayEnd(day)
		}
		*d.into = day
	}
	t.Milestones = nil
	for i := range 4 {
		k := strconv.Itoa(i)
		d, pc := strings.TrimSpace(f("ms_date."+k)), strings.TrimSpace(f("ms_pct."+k))
		if d == "" && pc == "" {
			continue
		}
		day, err := workplan.ParseDay(d)
		x, err2 := strconv.ParseFloat(pc, 64)
		if err != nil || err2 != nil || x < 0 || x > 100 {
			errs = append(errs, b.T("plan.bad_milestone", d, pc))
			continue
		}
		t.Milestones = append(t.Milestones, store.PlanMilestone{Due: workplan.DayEnd(day), Percent: x, Text: strings.TrimSpace(f("ms_text." + k))})
	}
	return errs
}

// addPlanTask adds a task by hand to the plan.
func (s *Server) addPlanTask(w http.ResponseWriter, r *http.Request) error {
	p, b, err := s.planToEdit(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	t := store.PlanTask{PlanID: p.ID}
	if errs := taskForm(b, &t, r.PostForm.Get); len(errs) > 0 {
		return badRequest("plan.bad_input", strings.Join(errs, " "))
	}
	t, err = s.st.SavePlanTask(r.Context(), userOf(r).Username, t)
	if err != nil {
		return planErr(err)
	}
	setFlash(w, b.T("plan.saved"))
	http.Redirect(w, r, fmt.Sprintf("/plantask/%d", t.ID), http.StatusSeeOther)
	return nil
}

// savePlanSettings changes the plan's title, report day and thresholds:
// the bureau's own, read as when the plan was made (newPlan); every light
// is computed from them when shown.
func (s *Server) savePlanSettings(w http.ResponseWriter, r *http.Request) error {
	p, b, err := s.planToEdit(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	form := func(key string) string {
		if key == "year" {
			return strconv.Itoa(p.Year) // the year stays
		}
		return r.PostForm.Get(key)
	}
	np, errs := newPlan(b, form)
	if len(errs) > 0 {
		return badRequest("plan.bad_input", strings.Join(errs, " "))
	}
	if _, err := s.st.SavePlanSettings(r.Context(), userOf(r).Username, p.ID, np.Title, np.ReportDay, np.Settings); err != nil {
		return planErr(err)
	}
	setFlash(w, b.T("plan.settings_saved"))
	http.Redirect(w, r, fmt.Sprintf("/plan/%d", p.ID), http.StatusSeeOther)
	return nil
}

// editPlanTask changes a task (its deadline only through a change request
// once set).
func (s *Server) editPlanTask(w http.ResponseWriter, r *http.Request) error {
	t, p, b, err := s.planTaskToEdit(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	oldDue := t.Due
	errs := taskForm(b, &t, r.PostForm.Get)
	if !oldDue.IsZero() && !t.Due.Equal(oldDue) {
		errs = append(errs, b.T("plan.due_locked"))
	}
	if len(errs) > 0 {
		return s.renderTask(w, r, b, http.StatusBadRequest, t, p, true, errs)
	}
	if _, err := s.st.SavePlanTask(r.Context(), userOf(r).Username, t); err != nil {
		return planErr(err)
	}
	setFlash(w, b.T("plan.saved"))
	http.Redirect(w, r, fmt.Sprintf("/plantask/%d", t.ID), http.StatusSeeOther)
	return nil
}

// sendPlanReport stores the task's progress report for a period.
func (s *Server) sendPlanReport(w http.ResponseWriter, r *http.Request) error {
	t, _, b, err := s.planTaskToEdit(r)
	if err != nil {
		return err
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	for _, f := range files {
		if typ, _ := store.SniffEvidence(f.Name, f.Data); strings.HasPrefix(typ, "image/") {
			return badRequest("plan.no_photos", f.Name)
		}
	}
	period, err := workplan.ParsePeriod(form["period"])
	if err != nil {
		return badRequest("plan.bad_period", form["period"])
	}
	rp := store.PlanReport{TaskID: t.ID, Period: period, Text: form["text"], Reason: form["reason"]}
	for _, f := range []struct {
		key  string
		into **float64
	}{{"value", &rp.Value}, {"percent", &rp.Percent}} {
		if v := strings.TrimSpace(form[f.key]); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return badRequest("plan.bad_number", b.T("plan."+f.key), v)
			}
			*f.into = &x
		}
	}
	if _, err := s.st.SendPlanReport(r.Context(), userOf(r).Username, rp, files); err != nil {
		return planErr(err)
	}
	setFlash(w, b.T("plan.report_sent", string(period)))
	http.Redirect(w, r, fmt.Sprintf("/plantask/%d", t.ID), http.StatusSeeOther)
	return nil
}

// planChange asks for a deadline change, or decides one (decide=id,
// approve=1|0).
func (s *Server) planChange(w http.ResponseWriter, r *http.Request) error {
	t, _, b, err := s.planTaskToEdit(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	actor := userOf(r).Username
	if d := r.PostForm.Get("decide"); d != "" {
		cid, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return badRequest("error.400")
		}
		chs, err := s.st.PlanChanges(r.Context(), t.PlanID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(chs, func(c store.PlanChange) bool { return c.ID == cid && c.TaskID == t.ID })
		switch {
		case i < 0:
			return notFound("error.404")
		case chs[i].Status != store.ChangePending:
			return &userError{err: errConflict, key: "plan.change_decided"}
		case chs[i].RequestedBy == actor:
			return badRequest("plan.change_not_own")
		}
		c, err := s.st.DecideDeadlineChange(r.Context(), actor, cid, r.PostForm.Get("approve") == "1", r.PostForm.Get("answer"))
		if err != nil {
			return planErr(err)
		}
		setFlash(w, b.T("plan.change_"+c.Status))
	} else {
		day, err := workplan.ParseDay(strings.TrimSpace(r.PostForm.Get("due")))
		if err != nil {
			return badRequest("plan.bad_date", r.PostForm.Get("due"))
		}
		chs, err := s.st.PlanChanges(r.Context(), t.PlanID)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case strings.TrimSpace(r.PostForm.Get("reason")) == "":
			return badRequest("plan.change_need_reason")
		case t.Due.IsZero() || !now.Before(t.Due):
			return &userError{err: errConflict, key: "plan.change_closed"}
		case !workplan.DayEnd(day).After(now) || workplan.DayEnd(day).Equal(t.Due) || !workplan.DayEnd(day).After(t.Start):
			return badRequest("plan.change_bad_due")
		case slices.ContainsFunc(chs, func(c store.PlanChange) bool { return c.TaskID == t.ID && c.Status == store.ChangePending }):
			return &userError{err: errConflict, key: "plan.change_waiting"}
		}
		if _, err := s.st.RequestDeadlineChange(r.Context(), actor, t.ID, workplan.DayEnd(day), r.PostForm.Get("reason")); err != nil {
			return planErr(err)
		}
		setFlash(w, b.T("plan.change_asked"))
	}
	http.Redirect(w, r, fmt.Sprintf("/plantask/%d", t.ID), http.StatusSeeOther)
	return nil
}

// planSupervise raises a 督办单 on a red task (action raise: what is asked,
// the days to reply), or takes a step on the task's open one: the reply
// with what was done and a document (report), or its check (verify,
// reject), through the ticket machinery.
func (s *Server) planSupervise(w http.ResponseWriter, r *http.Request) error {
	t, p, b, err := s.planTaskToEdit(r)
	if err != nil {
		return err
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	actor := userOf(r).Username
	now := s.now()
	views, err := s.views(r, p, now, workplan.PeriodOf(now))
	if err != nil {
		return err
	}
	var v taskView
	for _, x := range views {
		if x.ID == t.ID {
			v = x
		}
	}
	switch action := form["action"]; action {
	case "raise":
		if v.Light != workplan.Red {
			return &userError{err: errConflict, key: "plan.not_red"}
		}
		days, err := strconv.Atoi(cmp.Or(form["days"], "10"))
		if err != nil || days < 1 || days > 90 {
			return badRequest("plan.bad_days", form["days"])
		}
		text := strings.TrimSpace(form["text"])
		if text == "" {
			return badRequest("plan.need_ask")
		}
		if _, err := s.st.Supervise(r.Context(), actor, b.Scope.Level(), t.ID, text+"（"+v.Reason.Text+"）", days); err != nil {
			return planErr(err)
		}
		setFlash(w, b.T("plan.supervised"))
	case string(ticket.Report), string(ticket.Verify), string(ticket.Reject):
		open := v.OpenTicket()
		if open == nil {
			return &userError{err: errConflict, key: "review.not_allowed"}
		}
		role := ticket.Raiser
		if action == string(ticket.Report) {
			role = ticket.Owner
		}
		if _, err := s.st.TicketStep(r.Context(), actor, role, open.ID, ticket.Action(action), form["text"], files); err != nil {
			return planErr(err)
		}
		setFlash(w, b.T("tickets.done."+action))
	default:
		return badRequest("error.400")
	}
	http.Redirect(w, r, fmt.Sprintf("/plantask/%d", t.ID), http.StatusSeeOther)
	return nil
}

// workplanInbox is the work plans' open work for an account that edits its
// region's plans: the tasks whose report on last month is missing (from
// the month's end to its due day and after), the deadline changes to
// decide, the 督办单 to answer and the replies to check.
func (s *Server) workplanInbox(ctx context.Context, sc Scope) ([]inboxItem, error) {
	if !sc.CanEdit() || sc.SchoolOnly() {
		return nil, nil
	}
	plans, err := s.st.Plans(ctx, sc.region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	period := workplan.ReportPeriod(now)
	var out []inboxItem
	reports, answer, verify := 0, 0, 0
	link := "/plans"
	for _, p := range plans {
		if p.Region != sc.region {
			continue
		}
		tasks, err := s.st.PlanTasks(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		rs, err := s.st.PlanReports(ctx, p.ID, 0)
		if err != nil {
			return nil, err
		}
		sent, done := map[int64]bool{}, map[int64]bool{}
		for _, r := range rs {
			if r.Period == period {
				sent[r.TaskID] = true
			}
			if r.Percent != nil && *r.Percent >= 100 {
				done[r.TaskID] = true
			}
			for _, t := range tasks {
				if t.ID == r.TaskID && r.Value != nil && t.Target > 0 && *r.Value >= t.Target {
					done[r.TaskID] = true
				}
			}
		}
		n := 0
		for _, t := range tasks {
			active := (t.Start.IsZero() || t.Start.Before(period.End())) && (t.Due.IsZero() || t.Due.After(period.Start()))
			if t.Link == "" && active && !sent[t.ID] && !done[t.ID] {
				n++
			}
		}
		if n > 0 {
			reports += n
			link = fmt.Sprintf("/plan/%d", p.ID)
		}
		tks, err := s.st.PlanTickets(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range tks {
			switch t.Status {
			case ticket.Open:
				answer++
			case ticket.Submitted:
				verify++
			}
		}
	}
	changes, err := s.st.PendingPlanChanges(ctx, sc.region)
	if err != nil {
		return nil, err
	}
	for _, it := range []struct {
		key string
		n   int
	}{{"inbox.plan_reports", reports}, {"inbox.plan_changes", len(changes)}, {"inbox.plan_tickets", answer}, {"inbox.plan_verify", verify}} {
		if it.n > 0 {
			out = append(out, inboxItem{Key: it.key, N: it.n, Link: link, Action: true})
		}
	}
	return out, nil
}
