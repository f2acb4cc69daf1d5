package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/forecast"
	"github.com/dudao-edu/dudao/internal/plan"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// The recognition case file (认定): the list of cases and the form that
// opens one, a case's page (its stage and who acts, the verdict and the
// data it is judged on, the self-evaluation package, inspection draws,
// findings and their tickets with lights, the 问题清单 and 整改报告, the
// timeline), a ticket's page (report the fix with evidence, verify or
// reject it), the printable visit plan, and the public notice (公示). The
// rules are internal/recognition's and internal/ticket's.

// clocks are the statutory clocks of the server's profile (its
// recognition_clocks setting); a case's own profile's come from caseClocks.
func (s *Server) clocks() ticket.Clocks {
	if rules, err := standards.Shared(s.inForce().Standard, s.inForce().Profile); err == nil {
		return rules.Settings.Clocks
	}
	return ticket.DefaultClocks()
}

// caseClocks are the statutory clocks of case c's profile.
func (s *Server) caseClocks(c store.Case) ticket.Clocks {
	if rules, err := standards.Shared(c.Standard, c.Profile); err == nil {
		return rules.Settings.Clocks
	}
	return s.clocks()
}

type casesPage struct {
	*Base
	Cases     []caseRow
	CanOpen   bool
	Standards []*standards.Standard
	Years     []int
}

type caseRow struct {
	store.Case
	Name string
	Open int
	Red  int
}

// casesPage lists the cases in the account's scope.
func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "cases")
	b.Title = b.T("cases.title")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	cases, err := s.st.Cases(r.Context(), b.Scope.prefix())
	if err != nil {
		return err
	}
	years, err := s.cache.Years(r.Context())
	if err != nil {
		return err
	}
	p := &casesPage{Base: b, CanOpen: b.Scope.CanEdit() && b.Scope.Level() == review.LevelCounty, Standards: standards.List(), Years: years}
	now := s.now()
	// The open tickets of every case shown, in one query.
	open, err := s.st.CountyTickets(r.Context(), b.Scope.prefix())
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, rg := range regions {
		names[rg.Code] = rg.Name
	}
	for _, c := range cases {
		if !b.Scope.County(c.County) {
			continue
		}
		row := caseRow{Case: c, Name: cmp.Or(names[c.County], c.County)}
		clocks := s.caseClocks(c)
		for _, t := range open {
			if t.CaseID != c.ID {
				continue
			}
			row.Open++
			if !t.Deadline.IsZero() && ticket.LightOf(t.Status, t.Deadline, t.ReportedAt, now, clocks) == ticket.Red {
				row.Red++
			}
		}
		p.Cases = append(p.Cases, row)
	}
	s.render(w, r, http.StatusOK, "cases", p)
	return nil
}

// openCase opens the county account's case under a standard for a year.
func (s *Server) openCase(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "cases")
	if !b.Scope.CanEdit() || b.Scope.Level() != review.LevelCounty {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	rules, err := standards.Resolve(r.PostForm.Get("standard"), cmp.Or(r.PostForm.Get("profile"), s.inForce().Profile))
	if err != nil {
		return badRequest("error.rules", r.PostForm.Get("standard"), r.PostForm.Get("profile"))
	}
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil {
		return badRequest("tasks.bad_year", r.PostForm.Get("year"))
	}
	c, err := s.st.OpenCase(r.Context(), userOf(r).Username, store.Case{County: b.Scope.Region(), Standard: rules.ID, Profile: rules.Profile.ID, Year: year})
	if errors.Is(err, store.ErrCaseInput) {
		return badRequest("review.bad_input")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/case/%d", c.ID), http.StatusSeeOther)
	return nil
}

// caseOf finds the case of the path's {id} in the account's scope.
func (s *Server) caseOf(r *http.Request) (store.Case, *Base, error) {
	return pathObject(s, r, "cases", s.st.Case, func(sc Scope, c store.Case) bool { return sc.County(c.County) })
}

// ticketRow is a ticket with its light.
type ticketRow struct {
	store.Ticket
	Light    ticket.Light
	DaysLeft int
}

func (s *Server) ticketRows(ts []store.Ticket) []ticketRow {
	now := s.now()
	out := make([]ticketRow, len(ts))
	for i, t := range ts {
		out[i] = ticketRow{Ticket: t, Light: ticket.Green}
		if t.Status == ticket.Closed {
			out[i].Light = ticket.Done
		} else if !t.Deadline.IsZero() {
			out[i].Light = ticket.LightOf(t.Status, t.Deadline, t.ReportedAt, now, s.clocks())
			out[i].DaysLeft = ticket.DaysLeft(t.Deadline, now)
		}
	}
	return out
}

type evidenceItem struct {
	Item    *standards.Item
	Status  census.Status
	Files   int
	Missing bool // an evidence item without a file or a judgement
}

type casePage struct {
	*Base
	Case      store.Case
	Name      string
	Rules     *standards.Rules
	Verdict   *eval.Verdict
	Data      *store.DataStatus
	Stages    []recognition.Stage
	StageIdx  int
	Actions   []recognition.Action
	Evidence  []evidenceItem
	Missing   int
	Tickets   []ticketRow
	Open      int
	Events    []store.CaseEvent
	Inspects  []store.Inspection
	CanDraw   bool
	MockOnly  bool
	CanRaise  bool
	Schools   []census.School
	Items     []*standards.Item
	Inspector review.Level
	Public    bool // the notice is public
	// Monitor is the yearly monitoring of a recognised case (常态化监测):
	// each later year's verdict and the items that slipped since.
	Monitor    []monitorYear
	CanMonitor bool
	// Warnings are the early warnings of the county's trend (forecast),
	// which the province may raise as findings; WarningsOpen counts those
	// not yet raised.
	Warnings     []caseWarning
	WarningsOpen int
	// Objections are the county's objections and appeals with the
	// province's answers; CanObject and CanAnswer say who may act.
	Objections []objectionRow
	CanObject  bool
	CanAnswer  bool
	// Gaps are the schools where the province found what the city's
	// re-check did not (treated as a sign of falsified data).
	Gaps          []recognition.Gap
	ProvinceFound bool
	// StageVerdicts are the verdicts each step of the chain was taken on.
	StageVerdicts []stageVerdict
	// Needs is what each unmet item takes (plan.WholeGaps): rooms to add
	// with their cost, the planner for 资源配置, or why no addition meets it.
	Needs []plan.ItemGap
}

// objectionRow is an objection with the light of its answer's deadline.
type objectionRow struct {
	store.Objection
	Light ticket.Light
}

// caseWarning is an early warning on a recognised case's page: a
// monitoring finding to raise, once (its title tells whether it was).
type caseWarning struct {
	Title string
	// School is the school the finding concerns, "" for the county (or
	// one of its 学区).
	School string
	// Indicator is the indicator forecast to fail, or "places" for a 学位
	// shortfall (placesWarnings).
	Indicator string
	Raised    bool
}

// monitorYear is one later year of a recognised county.
type monitorYear struct {
	Year    int
	Status  census.Status
	Slipped []*standards.Item // met in the case's year, not met now
	Raised  int               // of them, already raised as findings
}

// casePageGet shows a case.
func (s *Server) casePageGet(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		return err
	}
	p := &casePage{Base: b, Case: c, Name: c.County, Rules: rules, Stages: recognition.Stages,
		StageIdx: slices.Index(recognition.Stages, c.Stage), Data: s.dataStatus(r, c.County, c.Year),
		Inspector: recognition.Inspector(c.Stage), Public: c.Stage == recognition.Notice || c.Stage == recognition.Recognised}
	b.Title = b.T("cases.case_title", c.County, c.Year)
	if rg, err := s.regionName(r, c.County); err == nil {
		p.Name = rg.Name
		b.Title = rg.Name + " · " + b.StdName(rules) + " · " + strconv.Itoa(c.Year)
	}
	lvl := b.Scope.Level()
	if b.Scope.CanEdit() {
		p.Actions = recognition.Actions(c.Stage, lvl)
	}
	cty, err := s.wholeCounty(ctx, rules, c.Year, c.County)
	if err != nil {
		cty = nil // no figures of the case's year yet: the page says less
	}
	if cty != nil {
		p.Verdict = cty.Verdict
		p.Needs = plan.WholeGaps(cty, plan.DefaultCosts())
		for _, it := range cty.Verdict.Items {
			if !it.Item.Evidence {
				continue
			}
			e := evidenceItem{Item: it.Item, Status: it.Status}
			if it.Judgement != nil {
				e.Files = len(it.Judgement.Evidence)
			}
			e.Missing = it.Judgement == nil || e.Files == 0
			if e.Missing {
				p.Missing++
			}
			p.Evidence = append(p.Evidence, e)
			p.Items = append(p.Items, it.Item)
		}
		for _, it := range cty.Verdict.Items {
			if !it.Item.Evidence {
				p.Items = append(p.Items, it.Item)
			}
		}
	}
	ts, err := s.st.CaseTickets(ctx, c.ID)
	if err != nil {
		return err
	}
	p.Tickets = s.ticketRows(ts)
	for _, t := range ts {
		if t.Status != ticket.Closed {
			p.Open++
		}
	}
	if p.Events, err = s.st.CaseEvents(ctx, c.ID); err != nil {
		return err
	}
	p.StageVerdicts = stageVerdicts(p.Events, rules)
	if p.Inspects, err = s.st.Inspections(ctx, c.ID); err != nil {
		return err
	}
	var found []recognition.Finding
	for _, t := range ts {
		found = append(found, recognition.Finding{School: t.School, Level: t.RaiserLevel, Title: t.Title, Source: t.Source})
	}
	var cityVisits []string
	for _, in := range p.Inspects {
		if in.Level == review.LevelCity && !in.Mock {
			cityVisits = append(cityVisits, in.Visits...)
		}
	}
	p.Gaps = recognition.Gaps(found, cityVisits)
	p.ProvinceFound = slices.ContainsFunc(found, func(f recognition.Finding) bool { return f.Level == review.LevelProvince })
	os, err := s.st.Objections(ctx, c.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, o := range os {
		row := objectionRow{Objection: o, Light: ticket.Done}
		if o.AnsweredAt.IsZero() {
			row.Light = ticket.LightOf(ticket.Open, o.AnswerDue, time.Time{}, now, s.caseClocks(c))
		}
		p.Objections = append(p.Objections, row)
	}
	p.CanObject = b.Scope.CanEdit() && lvl == review.LevelCounty
	p.CanAnswer = b.Scope.CanEdit() && lvl == review.LevelProvince
	if c.Stage == recognition.Recognised {
		if p.Monitor, err = s.monitor(r, c, rules, cty, ts); err != nil {
			return err
		}
		ws, err := s.caseWarnings(r, c, rules)
		if err != nil {
			return err
		}
		for _, wn := range ws {
			wn.Raised = slices.ContainsFunc(ts, func(t store.Ticket) bool { return t.Title == wn.Title })
			p.Warnings = append(p.Warnings, wn)
			if !wn.Raised {
				p.WarningsOpen++
			}
		}
		p.CanMonitor = b.Scope.CanEdit() && lvl == review.LevelProvince
	}
	if b.Scope.CanEdit() {
		switch {
		case lvl == review.LevelCounty && c.Stage != recognition.Recognised:
			p.CanDraw, p.MockOnly = true, true
		case inspects(b.Scope, c):
			p.CanDraw, p.CanRaise = true, true
		}
	}
	if p.CanDraw {
		if p.Schools, err = s.st.Schools(ctx, c.Year, c.County); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "case", p)
	return nil
}

// caseStep takes a step on a case.
func (s *Server) caseStep(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	action := recognition.Action(r.PostForm.Get("action"))
	if !slices.Contains(recognition.Actions(c.Stage, b.Scope.Level()), action) {
		for _, st := range recognition.Stages {
			if slices.Contains(recognition.Actions(st, b.Scope.Level()), action) {
				// The account's step, but not at the case's stage now.
				return &userError{err: errConflict, key: "review.not_allowed"}
			}
		}
		return errForbidden
	}
	in := store.CaseStepInput{Action: action, Reason: strings.TrimSpace(r.PostForm.Get("reason")), Clocks: s.caseClocks(c),
		Verdict: s.caseSnapshot(r, c)}
	if action == recognition.SubmitSelf {
		in.Snapshot = in.Verdict
	}
	_, err = s.st.CaseStep(r.Context(), userOf(r).Username, b.Scope.Level(), c.ID, in)
	switch {
	case errors.Is(err, recognition.ErrReason):
		return badRequest("review.need_reason")
	case errors.Is(err, recognition.ErrOpenTickets):
		return &userError{err: errConflict, key: "cases.open_tickets"}
	case errors.Is(err, recognition.ErrNoFindings):
		return &userError{err: errConflict, key: "cases.no_findings"}
	case errors.Is(err, recognition.ErrNoticeOpen):
		return &userError{err: errConflict, key: "cases.notice_open", args: []any{review.Day(c.NoticeEnd)}}
	case errors.Is(err, recognition.ErrNotAllowed):
		return &userError{err: errConflict, key: "review.not_allowed"}
	case errors.Is(err, recognition.ErrLevel):
		return errForbidden
	case err != nil:
		return err
	}
	setFlash(w, b.T("cases.done."+string(action)))
	http.Redirect(w, r, fmt.Sprintf("/case/%d", c.ID), http.StatusSeeOther)
	return nil
}

// inspects reports whether the account takes the inspecting level's part
// on case c now: it may edit, and its level is the one that inspects at
// the case's stage (the city at its re-check, the province at its
// evaluation and re-check) or above.
func inspects(sc Scope, c store.Case) bool {
	insp := recognition.Inspector(c.Stage)
	return sc.CanEdit() && insp != 0 && sc.Level() >= insp
}

// caseVerdict is a verdict a case was judged on at a step, as
// caseSnapshot writes it.
type caseVerdict struct {
	At           time.Time     `json:"at"`
	Status       census.Status `json:"status"`
	Unmet        []string      `json:"unmet"`
	Pending      []string      `json:"pending"`
	ResourcePass *bool         `json:"resource_pass"`
	DataOfficial *bool         `json:"data_official"`
}

// Unofficial reports whether the verdict was taken on data the reporting
// chain had not yet accepted.
func (v caseVerdict) Unofficial() bool { return v.DataOfficial != nil && !*v.DataOfficial }

// stageVerdict is the verdict at one step of the chain (the verdict at
// each stage): the step's event, the verdict then, and the items it did
// not meet; Changed when it differs from the step before.
type stageVerdict struct {
	Event   store.CaseEvent
	Verdict caseVerdict
	Unmet   []*standards.Item
	Changed bool
}

// stageVerdicts reads the verdicts kept with the steps of a case.
func stageVerdicts(events []store.CaseEvent, rules *standards.Rules) []stageVerdict {
	var out []stageVerdict
	for _, e := range events {
		if e.Verdict == "" {
			continue
		}
		var v caseVerdict
		if json.Unmarshal([]byte(e.Verdict), &v) != nil {
			continue
		}
		sv := stageVerdict{Event: e, Verdict: v}
		for _, id := range v.Unmet {
			if it := rules.Item(id); it != nil {
				sv.Unmet = append(sv.Unmet, it)
			}
		}
		if n := len(out); n > 0 {
			prev := out[n-1].Verdict
			sv.Changed = prev.Status != v.Status || !slices.Equal(prev.Unmet, v.Unmet)
		}
		out = append(out, sv)
	}
	return out
}

// caseSnapshot is what a case is judged on: the verdict and data status
// at a step (kept with every step; the county's submission's is the
// case's snapshot), as JSON.
func (s *Server) caseSnapshot(r *http.Request, c store.Case) string {
	return caseSnapshotOf(r.Context(), s.st, c, s.now())
}

// caseSnapshotOf is caseSnapshot from the store alone (the demo's seeding
// uses it too).
func caseSnapshotOf(ctx context.Context, st *store.Store, c store.Case, now time.Time) string {
	snap := map[string]any{"at": now.UTC().Format(time.RFC3339)}
	if rules, err := standards.Resolve(c.Standard, c.Profile); err == nil {
		if cty, err := wholeCountyOf(ctx, st, rules, c.Year, c.County); err == nil {
			snap["status"] = cty.Verdict.Status
			snap["unmet"] = cty.Verdict.Unmet
			snap["pending"] = cty.Verdict.Pending
			snap["resource_pass"] = cty.ResourcePass
		}
	}
	if d, err := st.CountyDataStatus(ctx, c.County, c.Year); err == nil {
		snap["data_task"] = d.Task
		snap["data_official"] = d.Official()
		snap["approved_units"] = d.Approved
		snap["units"] = d.Units
	}
	js, _ := json.Marshal(snap)
	return string(js)
}

// drawInspection draws the schools an inspection visits (a county's is a
// mock one).
func (s *Server) drawInspection(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	lvl := b.Scope.Level()
	mock := lvl == review.LevelCounty
	if !(mock && b.Scope.CanEdit()) && !inspects(b.Scope, c) {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	size, err := strconv.Atoi(cmp.Or(strings.TrimSpace(r.PostForm.Get("size")), "30"))
	if err != nil || size < 1 {
		return badRequest("cases.bad_size")
	}
	seed, err := seedOf(r.PostForm.Get("seed"))
	if err != nil {
		return badRequest("review.bad_seed")
	}
	var forum recognition.PanelSize
	for _, f := range []struct {
		name string
		n    *int
		def  string
	}{{"principals", &forum.Principals, "5"}, {"teachers", &forum.Teachers, "10"}, {"parents", &forum.Parents, "10"}} {
		n, err := strconv.Atoi(cmp.Or(strings.TrimSpace(r.PostForm.Get(f.name)), f.def))
		if err != nil || n < 0 || n > 100 {
			return badRequest("cases.bad_forum")
		}
		*f.n = n
	}
	cands, schools, err := s.candidates(r, c)
	if err != nil {
		return err
	}
	if _, err := s.st.DrawInspection(r.Context(), userOf(r).Username, lvl, c.ID, mock, min(size, 500), seed, cands,
		store.PanelDraw{Schools: panelSchools(schools), Size: forum}); err != nil {
		if errors.Is(err, store.ErrCaseInput) {
			return badRequest("cases.bad_size")
		}
		return err
	}
	setFlash(w, b.T("cases.drawn"))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#inspections", c.ID), http.StatusSeeOther)
	return nil
}

// seedOf reads a seed, or draws one when v is empty.
func seedOf(v string) (uint64, error) {
	if v = strings.TrimSpace(v); v != "" {
		return strconv.ParseUint(v, 10, 63)
	}
	var buf [8]byte
	if _, err := io.ReadFull(rand.Reader, buf[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(buf[:]) >> 1, nil
}

// candidates are the schools of the case's county and year, by their
// 城乡 stratum, weak when the engine finds a part of them failing; and the
// schools themselves.
func (s *Server) candidates(r *http.Request, c store.Case) ([]recognition.Candidate, []census.School, error) {
	schools, err := s.st.Schools(r.Context(), c.Year, c.County)
	if err != nil {
		return nil, nil, err
	}
	weak := map[string]bool{}
	if rules, err := standards.Resolve(c.Standard, c.Profile); err == nil && !rules.Preschool() {
		if cty, err := s.cache.county(r.Context(), rules, c.Year, c.County); err == nil {
			for _, p := range cty.Parts {
				if !p.Excluded && !p.Pass {
					weak[p.SchoolCode] = true
				}
			}
		}
	}
	out := make([]recognition.Candidate, 0, len(schools))
	for _, sc := range schools {
		out = append(out, recognition.Candidate{Code: sc.Code, Stratum: cmp.Or(sc.Location, "—"), Weak: weak[sc.Code]})
	}
	return out, schools, nil
}

// panelSchools are the schools a 座谈会 draws from, with their
// compulsory-stage full-time teachers and students (unreported counts as
// none: nobody is drawn from a list the census does not have).
func panelSchools(schools []census.School) []recognition.PanelSchool {
	count := func(sc *census.School, fs ...census.Field) int {
		n := 0.0
		for _, f := range fs {
			if v, ok := sc.Get(f); ok {
				n += v
			}
		}
		return int(n)
	}
	out := make([]recognition.PanelSchool, len(schools))
	for i := range schools {
		sc := &schools[i]
		out[i] = recognition.PanelSchool{Code: sc.Code, Stratum: cmp.Or(sc.Location, "—"),
			Teachers: count(sc, census.TeachersPrimary, census.TeachersJunior),
			Students: count(sc, census.StudentsPrimary, census.StudentsJunior)}
	}
	return out
}

// raiseFinding records a finding of an inspection as a 整改 ticket, with
// its photos and files.
func (s *Server) raiseFinding(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !inspects(b.Scope, c) {
		return errForbidden
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	title := strings.TrimSpace(form["title"])
	if title == "" {
		return badRequest("cases.no_finding")
	}
	school := form["school"]
	if school != "" {
		if _, err := s.st.Record(r.Context(), string(census.KindSchool), c.Year, school); err != nil {
			return badRequest("cases.bad_school", school)
		}
		if rec, _ := s.st.Record(r.Context(), string(census.KindSchool), c.Year, school); rec.Text("county_code") != c.County {
			return badRequest("cases.bad_school", school)
		}
	}
	_, err = s.st.RaiseTicket(r.Context(), userOf(r).Username, store.Ticket{CaseID: c.ID, County: c.County, Title: title,
		Item: form["item"], School: school, Severity: form["severity"], Source: cmp.Or(form["source"], "visit"),
		RaiserRegion: b.Scope.Region(), RaiserLevel: b.Scope.Level()}, files, s.caseClocks(c))
	if err != nil {
		return evidenceErr(err)
	}
	setFlash(w, b.T("cases.finding_saved"))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#findings", c.ID), http.StatusSeeOther)
	return nil
}

// evidenceForm parses a multipart form with files under field (each at
// most store.MaxEvidenceSize, 5 in all).
func evidenceForm(w http.ResponseWriter, r *http.Request, field string) ([]store.EvidenceUpload, map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 5*store.MaxEvidenceSize+(1<<20))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if !errors.Is(err, http.ErrNotMultipart) {
			return nil, nil, cmp.Or(bodyTooLarge(err, "judge.request_too_large", (5*store.MaxEvidenceSize)>>20, store.MaxEvidenceSize>>20), badRequest("error.400"))
		}
		if err := r.ParseForm(); err != nil {
			return nil, nil, badRequest("error.400")
		}
	}
	form := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			form[k] = v[0]
		}
	}
	var files []store.EvidenceUpload
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File[field] {
			f, err := fh.Open()
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(io.LimitReader(f, store.MaxEvidenceSize+1))
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			if len(data) == 0 {
				continue
			}
			if _, err := store.SniffEvidence(fh.Filename, data); err != nil {
				if errors.Is(err, store.ErrEvidenceSize) {
					return nil, nil, tooLarge("judge.too_large", store.MaxEvidenceSize>>20)
				}
				return nil, nil, badRequest("judge.bad_type", fh.Filename)
			}
			files = append(files, store.EvidenceUpload{Name: fh.Filename, Data: data})
		}
	}
	return files, form, nil
}

func evidenceErr(err error) error {
	switch {
	case errors.Is(err, store.ErrCaseInput):
		return badRequest("review.bad_input")
	case errors.Is(err, ticket.ErrEvidence):
		return badRequest("tickets.need_evidence")
	case errors.Is(err, ticket.ErrReason):
		return badRequest("review.need_reason")
	case errors.Is(err, ticket.ErrNotAllowed):
		return &userError{err: errConflict, key: "review.not_allowed"}
	case errors.Is(err, ticket.ErrRole):
		return errForbidden
	case errors.Is(err, store.ErrSameActor):
		return &userError{err: errForbidden, key: "inspect.verify_by_other"}
	}
	return err
}

// ticketTarget finds the ticket of the path's {id} in scope, and the
// account's role on it: the owner is its county's account, the raiser an
// account of the raiser's level or above over the county.
func (s *Server) ticketTarget(r *http.Request) (store.Ticket, *Base, ticket.Role, error) {
	b := s.base(r, "cases")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.Ticket{}, b, "", notFound("error.404")
	}
	t, err := s.st.Ticket(r.Context(), id)
	if err != nil {
		return t, b, "", err
	}
	if !b.Scope.County(t.County) {
		return t, b, "", errOutOfScope
	}
	var role ticket.Role
	if store.TrainingTicket(t.Kind) {
		// An inspection's order or a complaint: the institution has no
		// account, so the county's account reports the fix while it is
		// open; another account of the county, or one over it, verifies
		// it (the store refuses the reporter).
		switch lvl := b.Scope.Level(); {
		case !b.Scope.CanEdit():
		case t.Status == ticket.Open && lvl == review.LevelCounty:
			role = ticket.Owner
		case t.Status == ticket.Submitted && lvl >= review.LevelCounty && t.ReportedBy != userOf(r).Username:
			role = ticket.Raiser
		}
		return t, b, role, nil
	}
	switch lvl := b.Scope.Level(); {
	case !b.Scope.CanEdit():
	case lvl == review.LevelCounty:
		role = ticket.Owner
	case lvl >= t.RaiserLevel && lvl > review.LevelCounty:
		role = ticket.Raiser
	}
	return t, b, role, nil
}

type ticketPage struct {
	*Base
	Tk      ticketRow
	Events  []store.TicketEvent
	Actions []ticket.Action
	Case    store.Case
	// Training is set for an inspection's order or a complaint; Own when
	// the account reported the fix waiting for another's verification.
	Training bool
	Own      bool
}

// ticketPageGet shows a ticket and the steps the account may take.
func (s *Server) ticketPageGet(w http.ResponseWriter, r *http.Request) error {
	t, b, role, err := s.ticketTarget(r)
	if err != nil {
		return err
	}
	p := &ticketPage{Base: b, Tk: s.ticketRows([]store.Ticket{t})[0]}
	if role != "" {
		p.Actions = ticket.Actions(t.Status, role)
	}
	if p.Events, err = s.st.TicketEvents(r.Context(), t.ID); err != nil {
		return err
	}
	if t.CaseID != 0 {
		if p.Case, err = s.st.Case(r.Context(), t.CaseID); err != nil {
			return err
		}
	}
	if p.Training = store.TrainingTicket(t.Kind); p.Training {
		b.Nav = "county"
		p.Own = t.Status == ticket.Submitted && t.ReportedBy == userOf(r).Username
	}
	b.Title = t.Title
	s.render(w, r, http.StatusOK, "ticket", p)
	return nil
}

// ticketStep reports, verifies or rejects a ticket's fix.
func (s *Server) ticketStep(w http.ResponseWriter, r *http.Request) error {
	t, b, role, err := s.ticketTarget(r)
	if err != nil {
		return err
	}
	if role == "" {
		if store.TrainingTicket(t.Kind) && t.Status == ticket.Submitted && t.ReportedBy == userOf(r).Username && b.Scope.CanEdit() {
			return &userError{err: errForbidden, key: "inspect.verify_by_other"}
		}
		return errForbidden
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	action := ticket.Action(form["action"])
	if !slices.Contains(ticket.Actions(t.Status, role), action) {
		for _, st := range []ticket.Status{ticket.Open, ticket.Submitted} {
			if slices.Contains(ticket.Actions(st, role), action) {
				return &userError{err: errConflict, key: "review.not_allowed"} // its own step, at another time
			}
		}
		return errForbidden
	}
	if _, err := s.st.TicketStep(r.Context(), userOf(r).Username, role, t.ID, action, form["text"], files); err != nil {
		return evidenceErr(err)
	}
	setFlash(w, b.T("tickets.done."+string(action)))
	http.Redirect(w, r, fmt.Sprintf("/ticket/%d", t.ID), http.StatusSeeOther)
	return nil
}

// caseDocument serves a case's 问题清单 (issues) or 整改报告 (rectification)
// as PDF or HTML.
func (s *Server) caseDocument(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.caseOf(r)
	if err != nil {
		return err
	}
	kind, format := r.PathValue("doc"), r.PathValue("format")
	if (kind != "issues" && kind != "rectification") || (format != "pdf" && format != "html") {
		return notFound("error.404")
	}
	ts, err := s.st.CaseTickets(r.Context(), c.ID)
	if err != nil {
		return err
	}
	name := c.County
	if rg, err := s.regionName(r, c.County); err == nil {
		name = rg.Name
	}
	rules, _ := standards.Resolve(c.Standard, c.Profile)
	std := c.Standard
	if rules != nil {
		std = rules.Name
	}
	now := s.now()
	doc := &report.Document{Date: now, Cover: [][2]string{{"县区", name + "（" + c.County + "）"}, {"评估标准", std},
		{"年度", strconv.Itoa(c.Year)}, {"轮次", strconv.Itoa(c.Round)}, {"日期", review.Day(now)}}}
	rows := s.ticketRows(ts)
	open := 0
	for _, t := range ts {
		if t.Status != ticket.Closed {
			open++
		}
	}
	lightZH := map[ticket.Light]string{ticket.Green: "正常", ticket.Amber: "临期", ticket.Red: "逾期", ticket.Done: "已销号"}
	statusZH := map[ticket.Status]string{ticket.Open: "待整改", ticket.Submitted: "待核验", ticket.Closed: "已销号"}
	dl := func(t ticketRow) string {
		if t.Deadline.IsZero() {
			return "反馈后起算"
		}
		return ticket.Day(t.Deadline.Add(-time.Second))
	}
	if kind == "issues" {
		doc.Title, doc.Subtitle = name+"问题清单", "问题清单"
		doc.Cover = append(doc.Cover, [2]string{"问题", fmt.Sprintf("%d 项", len(ts))})
		tb := report.Table{Title: "问题清单", Columns: []report.Column{{Header: "序号", Width: 2}, {Header: "问题", Width: 16}, {Header: "学校", Width: 6},
			{Header: "程度", Width: 3}, {Header: "整改期限", Width: 5}, {Header: "状态", Width: 4}}}
		for i, t := range rows {
			tb.Rows = append(tb.Rows, []report.Cell{report.TextCell(strconv.Itoa(i + 1)), report.TextCell(t.Title), report.TextCell(t.School),
				report.TextCell(t.Severity), report.TextCell(dl(t)), {Text: statusZH[t.Status] + "（" + lightZH[t.Light] + "）", Bad: t.Light == ticket.Red}})
		}
		doc.Sections = []report.Section{{ID: "issues", Title: "一、问题清单", Paragraphs: []string{
			fmt.Sprintf("评估组在%s对%s开展%s督导评估，发现以下 %d 项问题，请于整改期限内完成整改并报送整改报告。", review.Day(c.FeedbackAt.Add(time.Second)), name, std, len(ts))},
			Tables: []report.Table{tb}}}
	} else {
		doc.Title, doc.Subtitle = name+"整改报告", "整改报告"
		doc.Cover = append(doc.Cover, [2]string{"整改情况", fmt.Sprintf("%d 项问题，已销号 %d 项，未完成 %d 项", len(ts), len(ts)-open, open)})
		var secs []report.Section
		for i, t := range rows {
			evs, err := s.st.TicketEvents(r.Context(), t.ID)
			if err != nil {
				return err
			}
			sec := report.Section{ID: fmt.Sprintf("t%d", t.ID), Title: fmt.Sprintf("%d. %s", i+1, t.Title)}
			sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("学校：%s；程度：%s；整改期限：%s；状态：%s（%s）。",
				cmp.Or(t.School, "—"), cmp.Or(t.Severity, "—"), dl(t), statusZH[t.Status], lightZH[t.Light]))
			for _, e := range evs {
				if e.Action == "raise" {
					continue
				}
				verb := map[string]string{"report": "整改情况", "verify": "核验", "reject": "核验未通过"}[e.Action]
				line := fmt.Sprintf("%s（%s，%s）：%s", verb, e.Actor, ticket.Day(e.At), e.Text)
				if len(e.Evidence) > 0 {
					line += fmt.Sprintf("（佐证材料 %d 份）", len(e.Evidence))
				}
				sec.Paragraphs = append(sec.Paragraphs, line)
			}
			if len(evs) <= 1 {
				sec.Paragraphs = append(sec.Paragraphs, "尚未报送整改情况。")
			}
			secs = append(secs, sec)
		}
		doc.Sections = secs
	}
	return writeDocument(w, doc, format, fmt.Sprintf("%s-%s.pdf", name, doc.Subtitle))
}

// visitPlan serves an inspection's visit plan: per school visited, the
// figures it reported, to verify on the spot (printable HTML or PDF).
func (s *Server) visitPlan(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.caseOf(r)
	if err != nil {
		return err
	}
	insID, err := strconv.ParseInt(r.PathValue("ins"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	ins, err := s.st.Inspections(r.Context(), c.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ins, func(x store.Inspection) bool { return x.ID == insID })
	if i < 0 {
		return notFound("error.404")
	}
	in := ins[i]
	name := c.County
	if rg, err := s.regionName(r, c.County); err == nil {
		name = rg.Name
	}
	doc := &report.Document{Title: name + "现场核查学校清单", Subtitle: "现场核查", Date: s.now(),
		Cover: [][2]string{{"县区", name}, {"年度", strconv.Itoa(c.Year)}, {"抽取", fmt.Sprintf("%d 所（共 %d 所，随机种子 %d）", len(in.Visits), len(in.Candidates), in.Seed)}}}
	if in.Mock {
		doc.Cover = append(doc.Cover, [2]string{"性质", "县级模拟督导（不影响认定）"})
	}
	keys := []string{"students_primary", "students_junior", "classes_primary", "classes_junior", "teachers_primary", "teachers_junior",
		"teaching_area", "sports_area", "equipment_value", "multimedia_rooms", "music_rooms_standard", "art_rooms_standard"}
	list := report.Table{Title: "核查学校", Columns: []report.Column{{Header: "序号", Width: 2}, {Header: "学校", Width: 12}, {Header: "代码", Width: 7}, {Header: "城乡", Width: 3}, {Header: "重点", Width: 3}}}
	var secs []report.Section
	for n, code := range in.Visits {
		rec, err := s.st.Record(r.Context(), string(census.KindSchool), c.Year, code)
		if err != nil {
			continue
		}
		weak := ""
		for _, cd := range in.Candidates {
			if cd.Code == code && cd.Weak {
				weak = "未达标校"
			}
		}
		list.Rows = append(list.Rows, []report.Cell{report.TextCell(strconv.Itoa(n + 1)), report.TextCell(rec.Text("school_name")), report.TextCell(code),
			report.TextCell(rec.Text("location")), {Text: weak, Bad: weak != ""}})
		tb := report.Table{Title: rec.Text("school_name"), Columns: []report.Column{{Header: "数据项", Width: 12}, {Header: "填报数", Width: 5, Number: true}, {Header: "现场核实", Width: 5}, {Header: "备注", Width: 8}}}
		t := census.TableOf(census.KindSchool)
		for _, k := range keys {
			if j := t.Index(k); j >= 0 {
				v := rec.Values()[j]
				if v != v {
					continue
				}
				tb.Rows = append(tb.Rows, []report.Cell{report.TextCell(t.Num[j].ZH + "（" + t.Num[j].Unit + "）"), report.NumCell(v, 0), report.TextCell(""), report.TextCell("")})
			}
		}
		secs = append(secs, report.Section{ID: "s" + code, Title: fmt.Sprintf("%d. %s", n+1, rec.Text("school_name")), Tables: []report.Table{tb}})
	}
	doc.Sections = append([]report.Section{{ID: "list", Title: "一、核查学校", Tables: []report.Table{list}}}, secs...)
	if len(in.Panel) > 0 {
		forum, err := s.forumSection(r, c, in)
		if err != nil {
			return err
		}
		doc.Sections = append(doc.Sections[:1], append([]report.Section{forum}, doc.Sections[1:]...)...)
	}
	return writeDocument(w, doc, r.PathValue("format"), name+"-现场核查清单.pdf")
}

// forumGroupZH names a 座谈会 group, and says where its number is read.
var forumGroupZH = map[string][2]string{
	recognition.GroupPrincipal: {"校长", "校长本人"},
	recognition.GroupTeacher:   {"教师", "专任教师花名册第 %d 号"},
	recognition.GroupParent:    {"家长", "学生名册第 %d 号学生的家长"},
}

// forumSection lists the people drawn for an inspection's 座谈会: the
// school brings the person at each number of its own list on the day.
func (s *Server) forumSection(r *http.Request, c store.Case, in store.Inspection) (report.Section, error) {
	schools, err := s.st.Schools(r.Context(), c.Year, c.County)
	if err != nil {
		return report.Section{}, err
	}
	names := map[string]string{}
	for _, sc := range schools {
		names[sc.Code] = sc.Name
	}
	tb := report.Table{Title: "座谈会人员", Columns: []report.Column{{Header: "序号", Width: 2}, {Header: "类别", Width: 3},
		{Header: "学校", Width: 12}, {Header: "代码", Width: 7}, {Header: "人员", Width: 10}}}
	count := map[string]int{}
	for i, p := range in.Panel {
		g := forumGroupZH[p.Group]
		who := g[1]
		if p.Seq > 0 {
			who = fmt.Sprintf(g[1], p.Seq)
		}
		count[p.Group]++
		tb.Rows = append(tb.Rows, []report.Cell{report.TextCell(strconv.Itoa(i + 1)), report.TextCell(g[0]),
			report.TextCell(names[p.School]), report.TextCell(p.School), report.TextCell(who)})
	}
	text := fmt.Sprintf("与学校同一随机种子（%d）抽取：校长 %d 人（按城乡分层抽取学校），教师 %d 人、家长 %d 人（在全县专任教师、在校生中等概率不放回抽取，按学校名册序号确定）。"+
		"名单只列学校和名册序号，由学校当日按序号通知本人；不记录姓名。",
		in.Seed, count[recognition.GroupPrincipal], count[recognition.GroupTeacher], count[recognition.GroupParent])
	return report.Section{ID: "forum", Title: "二、座谈会人员", Paragraphs: []string{text}, Tables: []report.Table{tb}}, nil
}

// writeDocument writes doc as a PDF download named file, or as an HTML
// page when format is not "pdf".
func writeDocument(w http.ResponseWriter, doc *report.Document, format, file string) error {
	var buf bytes.Buffer
	if format == "pdf" {
		if err := doc.WritePDF(&buf); err != nil {
			return err
		}
		attach(w, file, "application/pdf")
	} else {
		if err := doc.WriteHTML(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type noticePage struct {
	*Base
	Case  store.Case
	Name  string
	Rules *standards.Rules
	Ends  string
}

// noticePageGet is the public notice (公示) of a case, for anyone, without
// signing in, from its publication on; 404 before.
func (s *Server) noticePageGet(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	c, err := s.st.Case(r.Context(), id)
	if err != nil {
		return err
	}
	if c.NoticeStart.IsZero() {
		return notFound("error.404")
	}
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		return err
	}
	p := &noticePage{Base: b, Case: c, Name: c.County, Rules: rules, Ends: ticket.Day(c.NoticeEnd.Add(-time.Second))}
	if rg, err := s.regionName(r, c.County); err == nil {
		p.Name = rg.Name
	}
	b.Title = b.T("notice.title", p.Name)
	s.render(w, r, http.StatusOK, "notice", p)
	return nil
}

// Item is a standard's item's name in the page's language.
func (b *Base) Item(it *standards.Item) string {
	if b.EN() && it.EN != "" {
		return it.EN
	}
	return it.ZH
}

// monitor re-evaluates a recognised county in every later year with data
// and lists the items met in base (its evaluation in the case's year) that
// are not met in that year, and how many of them are already findings of
// the case.
func (s *Server) monitor(r *http.Request, c store.Case, rules *standards.Rules, base *eval.County, ts []store.Ticket) ([]monitorYear, error) {
	if base == nil {
		return nil, nil // no figures of the case's year: nothing to compare
	}
	years, err := s.cache.Years(r.Context())
	if err != nil {
		return nil, err
	}
	was := map[string]census.Status{}
	for _, it := range base.Verdict.Items {
		was[it.Item.ID] = it.Status
	}
	var out []monitorYear
	for _, y := range years {
		if y <= c.Year {
			continue
		}
		cty, err := s.wholeCounty(r.Context(), rules, y, c.County)
		if err != nil {
			continue
		}
		m := monitorYear{Year: y, Status: cty.Verdict.Status}
		for _, it := range cty.Verdict.Items {
			if was[it.Item.ID] == census.StatusMet && it.Status == census.StatusNotMet {
				m.Slipped = append(m.Slipped, it.Item)
				if slices.ContainsFunc(ts, func(t store.Ticket) bool { return t.Title == monitorTitle(y, it.Item) }) {
					m.Raised++
				}
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func monitorTitle(year int, it *standards.Item) string {
	return fmt.Sprintf("%d年监测：%s未达标（认定时达标）", year, it.ZH)
}

// raiseMonitoring raises the items that slipped in a later year as
// findings of the recognised case, each once, with the 整改 clock running.
// caseWarnings are the early warnings of a recognised county: under a
// standard with school indicators, what the trend says will fail
// (forecast.Forecast on every year's figures up to the latest, three years
// ahead), the first year it does — watch-level signals stay on the
// forecast page; and under any standard, the 学区 whose places the cohort
// forecast says will run short (placesWarnings). These are the ones the
// monitoring raises as findings.
func (s *Server) caseWarnings(r *http.Request, c store.Case, rules *standards.Rules) ([]caseWarning, error) {
	trend, err := s.trendWarnings(r, c, rules)
	if err != nil {
		return nil, err
	}
	places, err := s.placesWarnings(r.Context(), c.County, rules)
	if err != nil {
		return nil, err
	}
	return append(trend, places...), nil
}

// trendWarnings are the indicators the trend says will fail.
func (s *Server) trendWarnings(r *http.Request, c store.Case, rules *standards.Rules) ([]caseWarning, error) {
	if rules.Preschool() || len(rules.Indicators) == 0 {
		return nil, nil
	}
	years, err := s.cache.Years(r.Context())
	if err != nil {
		return nil, err
	}
	var recs []census.School
	for _, y := range years {
		if y < c.Year-4 {
			continue // five years of trend at most
		}
		rs, err := s.st.Schools(r.Context(), y, c.County)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rs...)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	res, err := forecast.Forecast(rules, recs, forecast.Options{Horizon: 3})
	if err != nil {
		return nil, nil // too little to forecast from: no warning
	}
	var out []caseWarning
	last := slices.Max(res.Years)
	for _, w := range res.Warnings {
		if w.Level == forecast.Fail && w.Year > last {
			out = append(out, caseWarning{Title: warningTitle(w), School: w.SchoolCode, Indicator: w.Indicator})
		}
	}
	return out, nil
}

// warningTitle is the title of the finding an early warning raises.
func warningTitle(w forecast.Warning) string {
	return fmt.Sprintf("预警（预计 %d 年）：%s", w.Year, w.Message)
}

func (s *Server) raiseMonitoring(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() || b.Scope.Level() != review.LevelProvince {
		return errForbidden
	}
	if c.Stage != recognition.Recognised {
		return &userError{err: errConflict, key: "review.not_allowed"}
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		return err
	}
	ts, err := s.st.CaseTickets(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if r.PostForm.Get("warnings") != "" {
		// The early warnings, each raised once as a finding of the case.
		ws, err := s.caseWarnings(r, c, rules)
		if err != nil {
			return err
		}
		n := 0
		for _, wn := range ws {
			if slices.ContainsFunc(ts, func(t store.Ticket) bool { return t.Title == wn.Title }) {
				continue
			}
			if _, err := s.st.RaiseTicket(r.Context(), userOf(r).Username, store.Ticket{CaseID: c.ID, County: c.County, Title: wn.Title,
				School: wn.School, Severity: "一般", Source: "warning", RaiserRegion: b.Scope.Region(), RaiserLevel: review.LevelProvince},
				nil, s.caseClocks(c)); err != nil {
				return err
			}
			n++
		}
		setFlash(w, b.T("cases.monitor_raised", n))
		http.Redirect(w, r, fmt.Sprintf("/case/%d#monitoring", c.ID), http.StatusSeeOther)
		return nil
	}
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil {
		return badRequest("tasks.bad_year", r.PostForm.Get("year"))
	}
	base, err := s.wholeCounty(r.Context(), rules, c.Year, c.County)
	if err != nil {
		return err
	}
	mon, err := s.monitor(r, c, rules, base, ts)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(mon, func(m monitorYear) bool { return m.Year == year })
	if i < 0 {
		return notFound("error.no_year", strconv.Itoa(year))
	}
	n := 0
	for _, it := range mon[i].Slipped {
		title := monitorTitle(year, it)
		if slices.ContainsFunc(ts, func(t store.Ticket) bool { return t.Title == title }) {
			continue
		}
		if _, err := s.st.RaiseTicket(r.Context(), userOf(r).Username, store.Ticket{CaseID: c.ID, County: c.County, Title: title, Item: it.ID,
			Severity: "较重", Source: "monitoring", RaiserRegion: b.Scope.Region(), RaiserLevel: review.LevelProvince}, nil, s.caseClocks(c)); err != nil {
			return err
		}
		n++
	}
	setFlash(w, b.T("cases.monitor_raised", n))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#monitoring", c.ID), http.StatusSeeOther)
	return nil
}

// fileObjection files the county's objection (异议) or appeal (申诉).
func (s *Server) fileObjection(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() || b.Scope.Level() != review.LevelCounty {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	kind := r.PostForm.Get("kind")
	_, err = s.st.FileObjection(r.Context(), userOf(r).Username, c.ID, kind, r.PostForm.Get("text"), s.caseClocks(c))
	switch {
	case errors.Is(err, store.ErrCaseInput):
		return badRequest("cases.objection_text")
	case errors.Is(err, recognition.ErrTooLate):
		return &userError{err: errConflict, key: "cases.objection_late"}
	case errors.Is(err, recognition.ErrNothingYet):
		return &userError{err: errConflict, key: "cases.objection_nothing"}
	case errors.Is(err, recognition.ErrPending):
		return &userError{err: errConflict, key: "cases.objection_pending"}
	case errors.Is(err, recognition.ErrNotAllowed):
		return badRequest("review.bad_input")
	case err != nil:
		return err
	}
	setFlash(w, b.T("cases.objection_filed"))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#objections", c.ID), http.StatusSeeOther)
	return nil
}

// answerObjection records the province's answer to an objection or appeal.
func (s *Server) answerObjection(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() || b.Scope.Level() != review.LevelProvince {
		return errForbidden
	}
	oid, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	err = s.st.AnswerObjection(r.Context(), userOf(r).Username, c.ID, oid, r.PostForm.Get("answer"))
	if errors.Is(err, store.ErrCaseInput) {
		return badRequest("cases.objection_text")
	}
	if err != nil {
		return err
	}
	setFlash(w, b.T("cases.objection_answered"))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#objections", c.ID), http.StatusSeeOther)
	return nil
}

// checkKeys are the figures a visit checks on the spot.
var checkKeys = []string{"students_primary", "students_junior", "classes_primary", "classes_junior", "teachers_primary", "teachers_junior",
	"teaching_area", "sports_area", "equipment_value", "multimedia_rooms", "music_rooms_standard", "art_rooms_standard"}

type checkSchool struct {
	Code, Name, Location string
	Weak                 bool
	Figures              []checkFigure
}

type checkFigure struct {
	Key, Label, Unit string
	Reported         float64
}

type checklistPage struct {
	*Base
	Case    store.Case
	Ins     store.Inspection
	Name    string
	Schools []checkSchool
	CanSync bool
}

// inspectionOf finds the inspection of the path's {ins} in case c.
func (s *Server) inspectionOf(r *http.Request, c store.Case) (store.Inspection, error) {
	id, err := strconv.ParseInt(r.PathValue("ins"), 10, 64)
	if err != nil {
		return store.Inspection{}, notFound("error.404")
	}
	ins, err := s.st.Inspections(r.Context(), c.ID)
	if err != nil {
		return store.Inspection{}, err
	}
	i := slices.IndexFunc(ins, func(x store.Inspection) bool { return x.ID == id })
	if i < 0 {
		return store.Inspection{}, notFound("error.404")
	}
	return ins[i], nil
}

// checklist is the phone page of a visit: per school, the figures it
// reported and an input for what is seen. Entries are kept in the phone
// (localStorage) as they are typed, so the page works without a network
// once open, and are sent with one button (or when the network returns);
// without JavaScript it is a plain form.
func (s *Server) checklist(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	in, err := s.inspectionOf(r, c)
	if err != nil {
		return err
	}
	p := &checklistPage{Base: b, Case: c, Ins: in, Name: c.County,
		CanSync: b.Scope.CanEdit() && b.Scope.Level() >= review.LevelCounty && (in.Mock || b.Scope.Level() >= review.LevelCity)}
	if rg, err := s.regionName(r, c.County); err == nil {
		p.Name = rg.Name
	}
	weak := map[string]bool{}
	for _, cd := range in.Candidates {
		weak[cd.Code] = cd.Weak
	}
	t := census.TableOf(census.KindSchool)
	for _, code := range in.Visits {
		rec, err := s.st.Record(r.Context(), string(census.KindSchool), c.Year, code)
		if err != nil {
			continue
		}
		sc := checkSchool{Code: code, Name: rec.Text("school_name"), Location: rec.Text("location"), Weak: weak[code]}
		for _, k := range checkKeys {
			if j := t.Index(k); j >= 0 && rec.Values()[j] == rec.Values()[j] {
				sc.Figures = append(sc.Figures, checkFigure{Key: k, Label: t.Num[j].ZH, Unit: t.Num[j].Unit, Reported: rec.Values()[j]})
			}
		}
		p.Schools = append(p.Schools, sc)
	}
	b.Title = b.T("check.title", p.Name)
	s.render(w, r, http.StatusOK, "checklist", p)
	return nil
}

// syncChecklist takes what was seen on a visit (a form, or JSON from the
// phone page: [{"school","key","seen","note"}]) and raises every figure
// that differs from the reported one as a finding (source discrepancy),
// once; a mock inspection only counts them.
func (s *Server) syncChecklist(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	in, err := s.inspectionOf(r, c)
	if err != nil {
		return err
	}
	lvl := b.Scope.Level()
	if !b.Scope.CanEdit() || lvl < review.LevelCounty || (!in.Mock && lvl < review.LevelCity) {
		return errForbidden
	}
	type entry struct {
		School string `json:"school"`
		Key    string `json:"key"`
		Seen   string `json:"seen"`
		Note   string `json:"note"`
	}
	var entries []entry
	asJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	if asJSON {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&entries); err != nil {
			return badRequest("error.400")
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return badRequest("error.400")
		}
		for k, v := range r.PostForm {
			rest, ok := strings.CutPrefix(k, "seen.")
			if !ok || len(v) == 0 {
				continue
			}
			school, key, _ := strings.Cut(rest, ".")
			entries = append(entries, entry{School: school, Key: key, Seen: v[0], Note: r.PostForm.Get("note." + rest)})
		}
	}
	ts, err := s.st.CaseTickets(r.Context(), c.ID)
	if err != nil {
		return err
	}
	t := census.TableOf(census.KindSchool)
	differ, raised := 0, 0
	for _, e := range entries {
		seen := strings.TrimSpace(e.Seen)
		if seen == "" || !slices.Contains(in.Visits, e.School) || !slices.Contains(checkKeys, e.Key) {
			continue
		}
		v, err := strconv.ParseFloat(seen, 64)
		if err != nil {
			return badRequest("check.bad_number", e.School, e.Key, seen)
		}
		rec, err := s.st.Record(r.Context(), string(census.KindSchool), c.Year, e.School)
		if err != nil {
			continue
		}
		j := t.Index(e.Key)
		if rep := rec.Values()[j]; rep == v {
			continue
		}
		differ++
		if in.Mock {
			continue
		}
		title := fmt.Sprintf("现场核查：%s %s 填报 %s%s，现场 %s%s", rec.Text("school_name"), t.Num[j].ZH, fmtFixed(rec.Values()[j]), t.Num[j].Unit, fmtFixed(v), t.Num[j].Unit)
		if n := strings.TrimSpace(e.Note); n != "" {
			title += "（" + n + "）"
		}
		if slices.ContainsFunc(ts, func(x store.Ticket) bool { return x.Title == title }) {
			continue
		}
		if _, err := s.st.RaiseTicket(r.Context(), userOf(r).Username, store.Ticket{CaseID: c.ID, County: c.County, Title: title, School: e.School,
			Severity: "较重", Source: "discrepancy", RaiserRegion: b.Scope.Region(), RaiserLevel: lvl}, nil, s.caseClocks(c)); err != nil {
			return err
		}
		raised++
	}
	msg := b.T("check.synced", len(entries), differ, raised)
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		return json.NewEncoder(w).Encode(map[string]any{"entries": len(entries), "differ": differ, "raised": raised, "message": msg})
	}
	setFlash(w, msg)
	http.Redirect(w, r, fmt.Sprintf("/case/%d#findings", c.ID), http.StatusSeeOther)
	return nil
}

// raiseEngineFindings raises the items the engine finds not met as
// findings of the case (source engine), each once: the inspecting level's
// starting 问题清单, which visits then add to.
func (s *Server) raiseEngineFindings(w http.ResponseWriter, r *http.Request) error {
	c, b, err := s.caseOf(r)
	if err != nil {
		return err
	}
	if !inspects(b.Scope, c) {
		return errForbidden
	}
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		return err
	}
	cty, err := s.wholeCounty(r.Context(), rules, c.Year, c.County)
	if err != nil {
		return err
	}
	ts, err := s.st.CaseTickets(r.Context(), c.ID)
	if err != nil {
		return err
	}
	n := 0
	for _, it := range cty.Verdict.Items {
		if it.Status != census.StatusNotMet {
			continue
		}
		title := fmt.Sprintf("%s未达标：%s", it.Item.ZH, it.Reason)
		if slices.ContainsFunc(ts, func(t store.Ticket) bool { return t.Item == it.Item.ID && t.Source == "engine" }) {
			continue
		}
		if _, err := s.st.RaiseTicket(r.Context(), userOf(r).Username, store.Ticket{CaseID: c.ID, County: c.County, Title: title, Item: it.Item.ID,
			Severity: "较重", Source: "engine", RaiserRegion: b.Scope.Region(), RaiserLevel: b.Scope.Level()}, nil, s.caseClocks(c)); err != nil {
			return err
		}
		n++
	}
	setFlash(w, b.T("cases.engine_raised", n))
	http.Redirect(w, r, fmt.Sprintf("/case/%d#findings", c.ID), http.StatusSeeOther)
	return nil
}
