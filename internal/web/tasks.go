package web

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/training"
)

// The reporting chain's pages (填报任务, 审核, 上报, 认定, 抽查): the task list
// and the form that opens a task, a task's page (its units and counties,
// their states and timeliness, the county's and the city's actions, spot
// checks), and one unit's review page (its figures against last year,
// flags and explanations, every round's comments, the steps). The rules
// are internal/review's; the store takes each step in one transaction.

// Level is the account's level in the reporting chain, 0 for a read-only
// account (it sees, but takes no step).
func (s Scope) Level() review.Level {
	switch s.role {
	case store.RoleSchool:
		return review.LevelUnit
	case store.RoleCounty:
		return review.LevelCounty
	case store.RoleCity:
		return review.LevelCity
	case store.RoleProvince:
		return review.LevelProvince
	}
	return 0
}

// Task reports whether the account sees task t: one covering its region,
// or one opened within it.
func (s Scope) Task(t store.Task) bool {
	if s.role == "" {
		return false
	}
	p, tp := s.prefix(), census.CountyPrefix(t.Region)
	return strings.HasPrefix(p, tp) || strings.HasPrefix(tp, p)
}

// Unit reports whether the account sees unit u of a task.
func (s Scope) Unit(u store.TaskUnit) bool {
	if s.role == store.RoleSchool {
		return u.Kind == review.Unit && u.Code == s.school && u.County == s.region
	}
	return s.County(u.County)
}

// task finds the task of the path's {id} in the account's scope.
func (s *Server) task(r *http.Request) (store.Task, *Base, error) {
	return pathObject(s, r, "tasks", s.st.Task, Scope.Task)
}

// taskProgress counts a task's units by state and timeliness.
type taskProgress struct {
	Units, Submitted, Approved, Returned, Open int
	OnTime, Late, Overdue                      int
	Counties, CountiesUp, CountiesAccepted     int
}

func progressOf(t store.Task, units []store.TaskUnit, now time.Time) taskProgress {
	var p taskProgress
	dl := t.Deadline()
	for _, u := range units {
		if u.Kind == review.County {
			p.Counties++
			switch u.State {
			case review.Submitted:
				p.CountiesUp++
			case review.Accepted:
				p.CountiesAccepted++
			}
			continue
		}
		p.Units++
		switch u.State {
		case review.Submitted:
			p.Submitted++
		case review.Approved:
			p.Approved++
		case review.Returned:
			p.Returned++
		default:
			p.Open++
		}
		switch review.TimelinessOf(dl, u.FirstSubmitted, now) {
		case review.OnTime:
			p.OnTime++
		case review.Late:
			p.Late++
		case review.Overdue:
			p.Overdue++
		}
	}
	return p
}

// Pct is part of whole in per cent, for a progress bar.
func (p taskProgress) Pct(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return part * 100 / whole
}

type taskRow struct {
	store.Task
	P taskProgress
}

type tasksPage struct {
	*Base
	Tasks   []taskRow
	CanOpen bool
	Kinds   []census.Kind
	Form    map[string]string
	Errors  []string
	Today   string
	// Regions are the regions a task may cover: the account's own and
	// those within it.
	Regions []census.Region
}

// tasksPage lists the tasks the account sees, with their progress in its
// scope, and offers a province, city or county account the form that
// opens one.
func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTasks(w, r, nil, nil, http.StatusOK)
}

func (s *Server) renderTasks(w http.ResponseWriter, r *http.Request, form map[string]string, errs []string, status int) error {
	b := s.base(r, "tasks")
	b.Title = b.T("tasks.title")
	tasks, err := s.st.Tasks(r.Context(), b.Scope.prefix())
	if err != nil {
		return err
	}
	p := &tasksPage{Base: b, CanOpen: b.Scope.CanEdit() && b.Scope.Level() >= review.LevelCounty,
		Kinds: []census.Kind{census.KindSchool, census.KindKindergarten, census.KindCounty, census.Kind(groups.Schema.Kind), census.Kind(seatsio.Schema.Kind), census.Kind(afterschool.Schema.Kind), census.Kind(training.Schema.Kind)}, Form: form, Errors: errs,
		Today: review.Day(s.now())}
	now := s.now()
	for _, t := range tasks {
		if !b.Scope.Task(t) {
			continue
		}
		units, err := s.scopedUnits(r, t, b.Scope)
		if err != nil {
			return err
		}
		if b.Scope.SchoolOnly() && len(units) == 0 {
			continue
		}
		p.Tasks = append(p.Tasks, taskRow{t, progressOf(t, units, now)})
	}
	if p.CanOpen {
		regions, err := s.st.Regions(r.Context())
		if err != nil {
			return err
		}
		for _, rg := range regions {
			if taskRegionOK(b.Scope, rg) {
				p.Regions = append(p.Regions, rg)
			}
		}
	}
	if p.Form == nil {
		y := time.Now().Year()
		if years, err := s.cache.Years(r.Context()); err == nil && len(years) > 0 {
			y = years[len(years)-1]
		}
		p.Form = map[string]string{"year": strconv.Itoa(y), "remind": "7,3,1", "due": review.Day(s.now().AddDate(0, 0, 14))}
	}
	s.render(w, r, status, "tasks", p)
	return nil
}

// scopedUnits returns the units of task t the account sees.
func (s *Server) scopedUnits(r *http.Request, t store.Task, sc Scope) ([]store.TaskUnit, error) {
	units, err := s.st.TaskUnits(r.Context(), t.ID, sc.prefix())
	if err != nil {
		return nil, err
	}
	out := units[:0]
	for _, u := range units {
		if sc.Unit(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// openTask opens a task over the account's region.
func (s *Server) openTask(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "tasks")
	if !b.Scope.CanEdit() || b.Scope.Level() < review.LevelCounty {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	f := map[string]string{}
	for _, k := range []string{"title", "year", "due", "remind", "instructions"} {
		f[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	var errs []string
	year, err := strconv.Atoi(f["year"])
	if err != nil || year < 2000 || year > 2100 {
		errs = append(errs, b.T("tasks.bad_year", f["year"]))
	}
	if f["title"] == "" {
		errs = append(errs, b.T("tasks.no_title"))
	}
	if _, err := review.Deadline(f["due"]); err != nil {
		errs = append(errs, b.T("tasks.bad_due", f["due"]))
	}
	days, err := review.ParseRemindDays(f["remind"])
	if err != nil {
		errs = append(errs, b.T("tasks.bad_remind", f["remind"]))
	}
	var kinds []string
	for _, k := range r.PostForm["kind"] {
		if (census.TableOf(census.Kind(k)) != nil || store.IsLedgerKind(k)) && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
			f["kind."+k] = "on"
		}
	}
	if len(kinds) == 0 {
		errs = append(errs, b.T("tasks.no_kind"))
	}
	if len(errs) > 0 {
		return s.renderTasks(w, r, f, errs, http.StatusUnprocessableEntity)
	}
	region := b.Scope.Region()
	if v := r.PostForm.Get("region"); v != "" && v != region {
		rg, err := s.regionName(r, v)
		if err != nil {
			return err
		}
		if rg.Level == "" || !taskRegionOK(b.Scope, rg) {
			return errOutOfScope
		}
		region = v
	}
	u := userOf(r)
	id, n, err := s.st.CreateTask(r.Context(), u.Username, store.Task{Title: f["title"], Year: year, Kinds: kinds,
		Region: region, OpenerLevel: b.Scope.Level(), Due: f["due"], RemindDays: days, Instructions: f["instructions"]})
	if err != nil {
		return err
	}
	setFlash(w, b.T("tasks.opened", n))
	http.Redirect(w, r, fmt.Sprintf("/task/%d", id), http.StatusSeeOther)
	return nil
}

// unitRow is a unit on a task's page.
type unitRow struct {
	store.TaskUnit
	Timeliness review.Timeliness
	Actions    []review.Action
}

// countyBlock is one county of a task's page: its own unit and its units.
type countyBlock struct {
	County  unitRow
	Units   []unitRow
	P       taskProgress
	Checks  []store.SpotCheck
	CanDraw bool
}

type taskPage struct {
	*Base
	Task     store.Task
	Deadline time.Time
	P        taskProgress
	Counties []countyBlock
	Level    review.Level
	// Mine is a school account's own unit, nil for others.
	Mine *unitRow
}

// taskPageGet shows a task: per county, its state and every unit of it in
// the account's scope, with the steps the account may take.
func (s *Server) taskPageGet(w http.ResponseWriter, r *http.Request) error {
	t, b, err := s.task(r)
	if err != nil {
		return err
	}
	units, err := s.scopedUnits(r, t, b.Scope)
	if err != nil {
		return err
	}
	if b.Scope.SchoolOnly() && len(units) == 0 {
		return errOutOfScope
	}
	now := s.now()
	lvl := b.Scope.Level()
	if !b.Scope.CanEdit() {
		lvl = 0
	}
	p := &taskPage{Base: b, Task: t, Deadline: t.Deadline(), P: progressOf(t, units, now), Level: lvl}
	b.Title = t.Title
	byCounty := map[string]int{}
	for _, u := range units {
		row := unitRow{TaskUnit: u, Timeliness: review.TimelinessOf(t.Deadline(), u.FirstSubmitted, now)}
		if lvl > 0 {
			row.Actions = review.Actions(u.Kind, u.State, lvl)
		}
		i, ok := byCounty[u.County]
		if !ok {
			i = len(p.Counties)
			byCounty[u.County] = i
			p.Counties = append(p.Counties, countyBlock{})
		}
		if u.Kind == review.County {
			p.Counties[i].County = row
		} else {
			p.Counties[i].Units = append(p.Counties[i].Units, row)
		}
		if b.Scope.SchoolOnly() {
			r := row
			p.Mine = &r
		}
	}
	for i := range p.Counties {
		c := &p.Counties[i]
		var us []store.TaskUnit
		for _, u := range c.Units {
			us = append(us, u.TaskUnit)
		}
		c.P = progressOf(t, us, now)
		if c.County.Code == "" && len(c.Units) > 0 {
			c.County.Code = c.Units[0].County
		}
		if lvl >= review.LevelCity {
			c.CanDraw = len(c.Units) > 0
			checks, err := s.st.SpotChecks(r.Context(), t.ID, c.County.Code)
			if err != nil {
				return err
			}
			c.Checks = checks
		}
	}
	s.render(w, r, http.StatusOK, "task", p)
	return nil
}

// unitTarget finds the unit of the path ({id}, {kind}, {code}) in scope.
func (s *Server) unitTarget(r *http.Request) (store.Task, store.TaskUnit, *Base, error) {
	t, b, err := s.task(r)
	if err != nil {
		return t, store.TaskUnit{}, b, err
	}
	kind := review.UnitKind(r.PathValue("kind"))
	if kind != review.Unit && kind != review.County {
		return t, store.TaskUnit{}, b, notFound("error.404")
	}
	u, err := s.st.TaskUnit(r.Context(), t.ID, kind, r.PathValue("code"))
	if err != nil {
		return t, u, b, err
	}
	if !b.Scope.Unit(u) {
		return t, u, b, errOutOfScope
	}
	return t, u, b, nil
}

// reviewRow is one figure on a unit's review page.
type reviewRow struct {
	Kind        census.Kind
	Key         string
	Unit        string
	Value, Last float64
	Text, Prev  string // for text columns
	Changed     bool
	Flags       []review.Flag
	Explanation *store.Explanation
	Returned    string // the reviewer's reason in the latest return, "" when none
}

type recordBlock struct {
	Kind   census.Kind
	Exists bool
	Form   string // the form's address
	Rows   []reviewRow
}

type unitPage struct {
	*Base
	Task       store.Task
	U          store.TaskUnit
	Timeliness review.Timeliness
	Records    []recordBlock
	Steps      []store.StepRecord
	Actions    []review.Action
	Flags      int
	Explained  int
	// Also lists the units of a county that its city may reopen with it.
	Also []store.TaskUnit
	// CanFill: the account may change the unit's figures now.
	CanFill bool
	Locked  bool
	// Ledgers are the county's ledgers the task asks for (a county unit).
	Ledgers []ledgerBlock
}

// ledgerBlock is a county's ledger of a kind as a task's county unit
// shows it: its newest version and the size of each table, with the way
// to its page.
type ledgerBlock struct {
	Kind, Label string
	Path        string // the ledger's page
	Version     store.LedgerVersion
	Tables      []ledgerTableSize
	Headline    string // what the kind computes from it, in a line
}

type ledgerTableSize struct {
	Label string
	Rows  int
}

// ledgerBlocks are the county's ledgers that task t asks for.
func (s *Server) ledgerBlocks(r *http.Request, b *Base, t store.Task, county string) ([]ledgerBlock, error) {
	var out []ledgerBlock
	for _, k := range t.Kinds {
		sc := store.LedgerSchemas[k]
		if sc == nil {
			continue
		}
		year := 0
		if sc.PerYear {
			year = t.Year
		}
		blk := ledgerBlock{Kind: k, Label: b.T("kind." + k), Path: "/county/" + county + "/" + k}
		if sc.PerYear {
			blk.Path += "?year=" + strconv.Itoa(t.Year)
		}
		d, v, err := s.st.Ledger(r.Context(), sc, county, year)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			blk.Version = v
			for _, tb := range sc.Tables {
				blk.Tables = append(blk.Tables, ledgerTableSize{Label: tb.Label(b.EN()), Rows: len(d.Rows(tb.ID))})
			}
			if k == groups.Schema.Kind {
				schools, err := s.st.Schools(r.Context(), t.Year, county)
				if err != nil {
					return nil, err
				}
				c := groups.Count(groups.Of(d), schools, t.Year)
				blk.Headline = b.T("groups.headline", c.Groups, c.Close, c.Loose, c.Schools.In, c.Schools.All, c.Schools.Percent())
			}
			if k == afterschool.Schema.Kind {
				schools, err := s.st.Schools(r.Context(), t.Year, county)
				if err != nil {
					return nil, err
				}
				ts := afterschool.Of(d)
				rule, _ := afterschool.RuleOf("")
				c := afterschool.Count(ts, nil, schools, afterschool.LatestTerm(ts), rule)
				blk.Headline = b.T("afterschool.headline", c.Schools.In, c.Schools.All, c.Schools.Percent(), c.Students.Percent())
			}
			if k == training.Schema.Kind {
				rules, err := standards.Resolve(s.inForce().Standard, s.inForce().Profile)
				if err != nil {
					return nil, err
				}
				day := s.trainingToday()
				year := day.Year()
				if ys := gradingYears(d); len(ys) > 0 {
					year = ys[0]
				}
				sum := training.Summarise(d, day, year, rules.Settings.Training)
				blk.Headline = b.T("training.task_headline", sum.Institutions, sum.Breaching, sum.White, sum.Black)
			}
		}
		out = append(out, blk)
	}
	return out, nil
}

// unitPageGet shows one unit's data in a task, as its reviewer and the
// unit itself see it.
func (s *Server) unitPageGet(w http.ResponseWriter, r *http.Request) error {
	t, u, b, err := s.unitTarget(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := &unitPage{Base: b, Task: t, U: u, Timeliness: review.TimelinessOf(t.Deadline(), u.FirstSubmitted, s.now()), Locked: review.Locked(u.State)}
	b.Title = u.Name + " · " + t.Title
	lvl := b.Scope.Level()
	if b.Scope.CanEdit() && lvl > 0 {
		p.Actions = review.Actions(u.Kind, u.State, lvl)
	}
	p.CanFill = b.Scope.CanEdit() && !p.Locked && (lvl == review.LevelUnit || lvl == review.LevelCounty)
	if p.Steps, err = s.st.Steps(ctx, t.ID, u.Code); err != nil {
		return err
	}
	returned := latestReturn(p.Steps)
	expl, err := s.st.Explanations(ctx, t.ID, u.Code)
	if err != nil {
		return err
	}
	kinds := []census.Kind{u.RecordKind}
	for _, k := range kinds {
		if !t.Has(k) {
			continue
		}
		blk, err := s.recordBlock(r, t, k, u.Code, returned, expl)
		if err != nil {
			return err
		}
		for _, f := range blk.Rows {
			p.Flags += len(f.Flags)
			if f.Explanation != nil {
				p.Explained++
			}
		}
		p.Records = append(p.Records, blk)
	}
	if u.Kind == review.County {
		if p.Ledgers, err = s.ledgerBlocks(r, b, t, u.Code); err != nil {
			return err
		}
	}
	if u.Kind == review.County && lvl >= review.LevelCity {
		all, err := s.st.TaskUnits(ctx, t.ID, u.Code)
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.Kind == review.Unit && (x.State == review.Approved || x.State == review.Submitted) {
				p.Also = append(p.Also, x)
			}
		}
	}
	s.render(w, r, http.StatusOK, "taskunit", p)
	return nil
}

// latestReturn maps "kind/column" to the reason of the latest return (or
// reopen) that named it, when no submission followed it.
func latestReturn(steps []store.StepRecord) map[string]string {
	out := map[string]string{}
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		if st.Action == review.Submit {
			return out
		}
		if st.Action == review.Return || st.Action == review.Reopen || st.Action == review.Unapprove {
			for _, c := range st.Comments {
				out[string(c.RecordKind)+"/"+c.Column] = c.Reason
			}
			return out
		}
	}
	return out
}

// recordBlock is the unit's record of kind in the task's year against the
// year before, with the plausibility flags and explanations.
func (s *Server) recordBlock(r *http.Request, t store.Task, k census.Kind, code string, returned map[string]string, expl []store.Explanation) (recordBlock, error) {
	ctx := r.Context()
	tb := census.TableOf(k)
	blk := recordBlock{Kind: k, Form: recordFormPath(k, code) + fmt.Sprintf("?task=%d", t.ID)}
	rec, err := s.st.Record(ctx, string(k), t.Year, code)
	switch {
	case err == nil:
		blk.Exists = true
	case errors.Is(err, store.ErrNotFound):
		rec = nil
	default:
		return blk, err
	}
	prev, err := s.st.Record(ctx, string(k), t.Year-1, code)
	if errors.Is(err, store.ErrNotFound) {
		prev, err = nil, nil
	}
	if err != nil {
		return blk, err
	}
	var flags []review.Flag
	if rec != nil {
		flags = review.Check(tb, prev, rec)
	}
	for _, c := range tb.Text {
		if tb.Identifying(c.Key) {
			continue
		}
		row := reviewRow{Kind: k, Key: c.Key, Value: math.NaN(), Last: math.NaN(), Returned: returned[string(k)+"/"+c.Key]}
		if rec != nil {
			row.Text = tb.FileText(rec, c.Key)
		}
		if prev != nil {
			row.Prev = tb.FileText(prev, c.Key)
		}
		row.Changed = prev != nil && rec != nil && row.Text != row.Prev
		blk.Rows = append(blk.Rows, row)
	}
	for i, c := range tb.Num {
		row := reviewRow{Kind: k, Key: c.Key, Unit: c.Unit, Value: math.NaN(), Last: math.NaN(), Returned: returned[string(k)+"/"+c.Key]}
		if rec != nil {
			row.Value = rec.Values()[i]
		}
		if prev != nil {
			row.Last = prev.Values()[i]
		}
		row.Changed = prev != nil && rec != nil && !sameNum(row.Value, row.Last)
		for _, f := range flags {
			if f.Column == c.Key {
				row.Flags = append(row.Flags, f)
			}
		}
		for j := range expl {
			if expl[j].RecordKind == k && expl[j].Column == c.Key {
				row.Explanation = &expl[j]
			}
		}
		blk.Rows = append(blk.Rows, row)
	}
	return blk, nil
}

func sameNum(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// unitStep takes a step on a unit or a county: submit, approve, return
// (with a reason and the fields concerned), accept, unapprove (with a
// reason; a county's city may reopen units with it).
func (s *Server) unitStep(w http.ResponseWriter, r *http.Request) error {
	t, u, b, err := s.unitTarget(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() || b.Scope.Level() == 0 {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	in := store.StepInput{TaskID: t.ID, Kind: u.Kind, Code: u.Code, Action: review.Action(r.PostForm.Get("action")),
		Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if !slices.Contains(review.Actions(u.Kind, u.State, b.Scope.Level()), in.Action) {
		for _, st := range review.States {
			if slices.Contains(review.Actions(u.Kind, st, b.Scope.Level()), in.Action) {
				// The account's step, but not from the data's state now:
				// someone acted first.
				return &userError{err: errConflict, key: "review.not_allowed"}
			}
		}
		return refuse(true)
	}
	if in.Action == review.Return {
		for key, vals := range r.PostForm {
			rest, ok := strings.CutPrefix(key, "c.")
			if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
				continue
			}
			kind, col, ok := strings.Cut(rest, ".")
			if !ok {
				continue
			}
			in.Comments = append(in.Comments, store.FieldComment{RecordKind: census.Kind(kind), Column: col, Reason: strings.TrimSpace(vals[0])})
		}
		slices.SortFunc(in.Comments, func(a, b store.FieldComment) int { return cmp.Compare(a.Column, b.Column) })
		if in.Reason == "" && len(in.Comments) > 0 {
			in.Reason = b.T("review.see_fields")
		}
	}
	if u.Kind == review.County && (in.Action == review.Unapprove || in.Action == review.Return) {
		in.Also = r.PostForm["also"]
	}
	to, err := s.st.Step(r.Context(), userOf(r).Username, b.Scope.Level(), in)
	switch {
	case errors.Is(err, review.ErrReason):
		return badRequest("review.need_reason")
	case errors.Is(err, store.ErrUnitsPending):
		return &userError{err: errConflict, key: "review.units_pending"}
	case errors.Is(err, review.ErrNotAllowed):
		return &userError{err: errConflict, key: "review.not_allowed"}
	case errors.Is(err, review.ErrLevel):
		return errForbidden
	case errors.Is(err, store.ErrTaskInput):
		return badRequest("review.bad_input")
	case err != nil:
		return err
	}
	setFlash(w, b.T("review.done."+string(in.Action), u.Name, b.T("state."+string(to))))
	next := r.PostForm.Get("next")
	if !strings.HasPrefix(next, fmt.Sprintf("/task/%d", t.ID)) {
		next = fmt.Sprintf("/task/%d/%s/%s", t.ID, u.Kind, u.Code)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// spotTarget checks a spot-check request: the task of the path, the
// county of the form in the account's scope and the task's, and an account
// of a city or province that may change data.
func (s *Server) spotTarget(r *http.Request) (store.Task, *Base, string, error) {
	t, b, err := s.task(r)
	if err != nil {
		return t, b, "", err
	}
	if err := r.ParseForm(); err != nil {
		return t, b, "", badRequest("error.400")
	}
	county := r.Form.Get("county")
	if !b.Scope.County(county) || !t.Covers(county) {
		return t, b, "", errOutOfScope
	}
	if !b.Scope.CanEdit() || b.Scope.Level() < review.LevelCity {
		return t, b, "", errForbidden
	}
	return t, b, county, nil
}

// drawSpotCheck draws a spot-check sample of a county's units.
func (s *Server) drawSpotCheck(w http.ResponseWriter, r *http.Request) error {
	t, b, county, err := s.spotTarget(r)
	if err != nil {
		return err
	}
	pct, err := strconv.Atoi(cmp.Or(strings.TrimSpace(r.PostForm.Get("percent")), "10"))
	if err != nil || pct < 1 || pct > 100 {
		return badRequest("review.bad_percent")
	}
	var seed uint64
	if v := strings.TrimSpace(r.PostForm.Get("seed")); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return badRequest("review.bad_seed")
		}
	} else {
		var buf [8]byte
		if _, err := io.ReadFull(rand.Reader, buf[:]); err != nil {
			return err
		}
		seed = binary.BigEndian.Uint64(buf[:]) >> 1 // fits a signed BIGINT
	}
	c, err := s.st.DrawSpotCheck(r.Context(), userOf(r).Username, t.ID, county, pct, seed)
	if errors.Is(err, store.ErrTaskInput) {
		return badRequest("review.bad_input")
	}
	if err != nil {
		return err
	}
	setFlash(w, b.T("review.drawn", len(c.Sample), len(c.Population), c.Seed))
	http.Redirect(w, r, fmt.Sprintf("/task/%d#county-%s", t.ID, county), http.StatusSeeOther)
	return nil
}

// spotFinding records what a spot check found on one unit.
func (s *Server) spotFinding(w http.ResponseWriter, r *http.Request) error {
	t, b, county, err := s.spotTarget(r)
	if err != nil {
		return err
	}
	checkID, err := strconv.ParseInt(r.PathValue("check"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	checks, err := s.st.SpotChecks(r.Context(), t.ID, county)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(checks, func(c store.SpotCheck) bool { return c.ID == checkID }) {
		return errOutOfScope
	}
	ok := r.PostForm.Get("result") == "ok"
	err = s.st.RecordSpotFinding(r.Context(), userOf(r).Username, b.Scope.Level(), checkID, r.PostForm.Get("code"),
		r.PostForm.Get("ledger"), ok, r.PostForm.Get("finding"))
	if errors.Is(err, store.ErrTaskInput) {
		return badRequest("review.need_finding")
	}
	if err != nil {
		return err
	}
	setFlash(w, b.T("review.finding_saved"))
	http.Redirect(w, r, fmt.Sprintf("/task/%d#county-%s", t.ID, county), http.StatusSeeOther)
	return nil
}

// StateClass is the CSS class of a state's badge.
func (b *Base) StateClass(s review.State) string {
	switch s {
	case review.Approved, review.Accepted:
		return "ok"
	case review.Returned:
		return "bad"
	case review.Submitted:
		return "warn"
	}
	return "muted"
}

// dataStatus is which data an evaluation of county in year uses, for the
// line the evaluation pages and reports show; nil when it cannot be read.
// It is kept under the audit version: every step that changes it writes an
// audit entry.
func (s *Server) dataStatus(r *http.Request, county string, year int) *store.DataStatus {
	version, err := s.st.AuditVersion(r.Context())
	if err != nil {
		s.log.Warn("data status", "county", county, "err", err)
		return nil
	}
	key := county + "|" + strconv.Itoa(year)
	if d, ok := s.statuses.get(key, version, 0); ok {
		return &d
	}
	d, err := s.st.CountyDataStatus(r.Context(), county, year)
	if err != nil {
		s.log.Warn("data status", "county", county, "err", err)
		return nil
	}
	s.statuses.put(key, version, 0, d)
	return &d
}

// DataStatusText says in the page's language which data an evaluation uses.
func (b *Base) DataStatusText(d *store.DataStatus) string {
	switch {
	case d == nil:
		return ""
	case d.Official():
		return b.T("data_status.official", d.TaskTitle)
	case d.Task != 0:
		return b.T("data_status.provisional", d.TaskTitle, d.Approved, d.Units, b.T("state."+string(d.CountyState)))
	}
	return b.T("data_status.unreviewed")
}

// prefillXLSX serves a school unit's own pre-filled file for a task: its
// record of the task's year, or last year's figures carried to the task's
// year, in the census template's columns, to correct in Excel and upload.
func (s *Server) prefillXLSX(w http.ResponseWriter, r *http.Request) error {
	t, u, _, err := s.unitTarget(r)
	if err != nil {
		return err
	}
	if u.Kind != review.Unit || u.RecordKind != census.KindSchool {
		return notFound("error.404")
	}
	rec, err := s.st.Record(r.Context(), string(census.KindSchool), t.Year, u.Code)
	if errors.Is(err, store.ErrNotFound) {
		rec, err = s.st.Record(r.Context(), string(census.KindSchool), t.Year-1, u.Code)
		if err == nil {
			rec = copyRecord(census.TableOf(census.KindSchool), rec)
			rec.SetYear(t.Year)
		}
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsXLSX(&buf, []census.School{*rec.(*census.School)}); err != nil {
		return err
	}
	attach(w, fmt.Sprintf("%s-%d-预填.xlsx", u.Code, t.Year), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = w.Write(buf.Bytes())
	return err
}

// taskRegionOK reports whether a task opened by the account may cover
// region rg: its own region or one within it.
func taskRegionOK(sc Scope, rg census.Region) bool {
	if rg.Code == sc.Region() {
		return true
	}
	p := sc.prefix()
	return len(p) < 6 && strings.HasPrefix(rg.Code, p) && sc.Sees(rg)
}

// scopedPrefix is the prefix of the county codes of region code that the
// account sees: a city account looking at its province sees its city.
func scopedPrefix(sc Scope, code string) string {
	p := census.CountyPrefix(code)
	if sp := sc.prefix(); len(sp) > len(p) {
		return sp
	}
	return p
}
