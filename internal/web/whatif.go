package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/plan"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// whatifPage is GET/POST /county/{code}/whatif: the county's numbers in a
// form; any change is evaluated at once (htmx posts the form and swaps in
// the "fragment" block) without touching the census data, and the changes
// can be saved as a named scenario.
type whatifPage struct {
	*Base
	*choice
	Q         []any
	Code      string
	Name      string
	Cols      []whatifCol
	Rows      []whatifRow
	Extra     []whatifExtra // changes to columns the table does not show
	Growth    string
	Scenarios []store.Scenario
	Current   *store.Scenario
	CanSave   bool
	Err       string
	Result    *whatifResult
}

type whatifCol struct {
	Key   string
	Label string
	Unit  string
}

type whatifRow struct {
	Code  string
	Name  string
	Type  census.SchoolType
	Cells []whatifCell
}

type whatifCell struct {
	Key     string
	Value   string
	Base    string
	Changed bool
	Off     bool // the school has no such stage
}

type whatifExtra struct {
	School string
	Key    string
	Value  string
}

type whatifResult struct {
	Pass, BasePass bool
	Stages         []whatifStage
	Changed        []whatifPart
	Changes        []string
	Server         string // server time, ms
}

type whatifStage struct {
	Stage                    census.Stage
	Parts, Pass, BasePassing int
	Inds                     []whatifInd
}

type whatifInd struct {
	Name         string
	Limit        float64
	Base, Now    float64
	Pass, Before bool
	Cls          string
}

type whatifPart struct {
	School, Name string
	Stage        census.Stage
	Before, Now  bool
	Short        []string
}

// whatifColumns are the numbers the what-if table shows: students per
// stage, and the numerator column of every indicator (per stage for
// teachers, whole-school for facilities).
func whatifColumns(b *Base, rules *standards.Rules) []whatifCol {
	var cols []whatifCol
	add := func(f census.Field) {
		cols = append(cols, whatifCol{Key: f.Key(), Label: b.Col(f.Key()), Unit: census.Columns[f].Unit})
	}
	for _, st := range rules.Stages {
		if f, ok := census.StageField("students", st); ok {
			add(f)
		}
	}
	for _, ind := range rules.Indicators {
		if ind.Kind == standards.KindStage {
			for _, st := range rules.Stages {
				if f, ok := census.StageField(ind.Source, st); ok {
					add(f)
				}
			}
			continue
		}
		if f, ok := census.FieldByKey(ind.Source); ok {
			add(f)
		}
	}
	return cols
}

// stageOfColumn says which stage a per-stage column belongs to ("" for a
// whole-school column).
func stageOfColumn(key string) census.Stage {
	for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
		if strings.HasSuffix(key, "_"+string(st)) {
			return st
		}
	}
	return ""
}

// readChanges reads the changed numbers of a posted what-if form against
// the records: v.CODE.KEY holds a shown column's new value, x.CODE.KEY a
// hidden one's, growth a percentage applied to every school's students
// that the form does not change.
func readChanges(form url.Values, recs []census.School) (map[string]map[string]float64, error) {
	byCode := map[string]*census.School{}
	for i := range recs {
		byCode[recs[i].Code] = &recs[i]
	}
	changes := map[string]map[string]float64{}
	set := func(code, key string, v float64) {
		if changes[code] == nil {
			changes[code] = map[string]float64{}
		}
		changes[code][key] = v
	}
	for name, vs := range form {
		kind, rest, ok := strings.Cut(name, ".")
		if !ok || (kind != "v" && kind != "x") || len(vs) == 0 {
			continue
		}
		code, key, ok := strings.Cut(rest, ".")
		s := byCode[code]
		f, okf := census.FieldByKey(key)
		if !ok || s == nil || !okf {
			continue
		}
		text := strings.TrimSpace(strings.ReplaceAll(vs[len(vs)-1], ",", ""))
		if text == "" {
			continue
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("%s %s: %q", s.Name, key, text)
		}
		if old, has := s.Get(f); has && old == v {
			continue
		}
		set(code, key, v)
	}
	if g := strings.TrimSpace(form.Get("growth")); g != "" {
		pct, err := strconv.ParseFloat(g, 64)
		if err != nil || pct <= -100 || math.IsInf(pct, 0) {
			return nil, fmt.Errorf("growth %q", g)
		}
		for i := range recs {
			s := &recs[i]
			for _, f := range []census.Field{census.StudentsPrimary, census.StudentsJunior, census.StudentsSenior} {
				if _, done := changes[s.Code][f.Key()]; done {
					continue
				}
				if v, ok := s.Get(f); ok && v > 0 && pct != 0 {
					set(s.Code, f.Key(), math.Round(v*(1+pct/100)))
				}
			}
		}
	}
	return changes, nil
}

// applyChanges returns a copy of recs with the changes set.
func applyChanges(recs []census.School, changes map[string]map[string]float64) []census.School {
	out := slices.Clone(recs)
	for i := range out {
		for key, v := range changes[out[i].Code] {
			if f, ok := census.FieldByKey(key); ok {
				out[i].V[f] = v
			}
		}
	}
	return out
}

// whatifPage serves GET /county/{code}/whatif: the form, filled from the
// census data, a saved scenario (?scenario=ID) or the least-cost plan
// (?from=plan with the planner's options); and POST, which evaluates the
// posted numbers (the result only, for htmx).
func (s *Server) whatifPage(w http.ResponseWriter, r *http.Request) error {
	start := s.now()
	b := s.base(r, "county")
	code := r.PathValue("code")
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	recs, err := s.countyRecords(r, b, c, code)
	if err != nil {
		return err
	}
	p := &whatifPage{Base: b, choice: c, Q: c.Query(s), Code: code, Name: recs[0].CountyName, CanSave: b.Scope.CanEdit()}
	b.Title = p.Name + " · " + b.L("whatif.title")
	var changes map[string]map[string]float64
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPost:
		if err := r.ParseForm(); err != nil {
			return badRequest("error.400")
		}
		p.Growth = r.PostForm.Get("growth")
		if changes, err = readChanges(r.PostForm, recs); err != nil {
			p.Err = b.L("plan.bad_number", "", err.Error())
		}
		if id, err := strconv.ParseInt(r.PostForm.Get("scenario"), 10, 64); err == nil {
			if sc, err := s.st.Scenario(r.Context(), id); err == nil && sc.County == code {
				p.Current = &sc
			}
		}
	case q.Get("scenario") != "":
		id, err := strconv.ParseInt(q.Get("scenario"), 10, 64)
		if err != nil {
			return notFound("error.404")
		}
		sc, err := s.st.Scenario(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (sc.County != code || sc.Year != c.Year)) {
			return notFound("error.404")
		}
		if err != nil {
			return err
		}
		p.Current, changes = &sc, sc.Changes
	case q.Get("from") == "plan":
		opt, _, _, bad := readPlanOptions(b, c.Rules, q)
		if bad == "" {
			pl, err := plan.Solve(c.Rules, recs, opt)
			if err == nil && pl.Feasible {
				changes = planChanges(recs, pl)
			}
		}
	}
	if p.Scenarios, err = s.st.Scenarios(r.Context(), code, c.Year); err != nil {
		return err
	}
	base, err := s.cache.county(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return err
	}
	p.fill(b, c.Rules, recs, changes)
	p.Result = whatifEvaluate(b, c.Rules, base, applyChanges(recs, changes), changes, recs)
	p.Result.Server = strconv.FormatFloat(float64(s.now().Sub(start).Microseconds())/1000, 'f', 1, 64)
	s.render(w, r, http.StatusOK, "whatif", p)
	return nil
}

// planChanges turns a plan's additions into new values.
func planChanges(recs []census.School, pl *plan.Plan) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	adds := pl.Additions()
	for _, s := range recs {
		for key, v := range adds[s.Code] {
			f, ok := census.FieldByKey(key)
			if !ok {
				continue
			}
			if out[s.Code] == nil {
				out[s.Code] = map[string]float64{}
			}
			out[s.Code][key] = s.V[f] + v
		}
	}
	return out
}

// fill builds the form's table.
func (p *whatifPage) fill(b *Base, rules *standards.Rules, recs []census.School, changes map[string]map[string]float64) {
	p.Cols = whatifColumns(b, rules)
	shown := map[string]bool{}
	for _, col := range p.Cols {
		shown[col.Key] = true
	}
	for _, s := range recs {
		if s.Type == census.Special {
			continue
		}
		row := whatifRow{Code: s.Code, Name: s.Name, Type: s.Type}
		stages := s.Type.Stages()
		for _, col := range p.Cols {
			f, _ := census.FieldByKey(col.Key)
			cell := whatifCell{Key: col.Key}
			if st := stageOfColumn(col.Key); st != "" && !slices.Contains(stages, st) {
				cell.Off = true
				row.Cells = append(row.Cells, cell)
				continue
			}
			if v, ok := s.Get(f); ok {
				cell.Base = fmtFixed(v)
			}
			cell.Value = cell.Base
			if v, ok := changes[s.Code][col.Key]; ok {
				cell.Value, cell.Changed = fmtFixed(v), true
			}
			row.Cells = append(row.Cells, cell)
		}
		p.Rows = append(p.Rows, row)
		for key, v := range changes[s.Code] {
			if !shown[key] {
				p.Extra = append(p.Extra, whatifExtra{School: s.Code, Key: key, Value: fmtFixed(v)})
			}
		}
	}
	slices.SortFunc(p.Extra, func(a, b whatifExtra) int { return strings.Compare(a.School+a.Key, b.School+b.Key) })
}

// whatifEvaluate evaluates the changed records against the census data's
// evaluation base.
func whatifEvaluate(b *Base, rules *standards.Rules, base *eval.County, changed []census.School, changes map[string]map[string]float64, recs []census.School) *whatifResult {
	ptrs := make([]*census.School, len(changed))
	for i := range changed {
		ptrs[i] = &changed[i]
	}
	now := eval.EvaluateCounty(rules, ptrs)
	res := &whatifResult{Pass: now.ResourcePass, BasePass: base.ResourcePass}
	for _, sb := range base.Stages {
		if sb.Parts == 0 {
			continue
		}
		sn := now.Stage(sb.Stage)
		ws := whatifStage{Stage: sb.Stage, Parts: sn.Parts, Pass: sn.Parts - sn.FailingParts, BasePassing: sb.Parts - sb.FailingParts}
		for i, ib := range sb.Indicators {
			in := sn.Indicators[i]
			ws.Inds = append(ws.Inds, whatifInd{Name: b.Ind(ib.Indicator), Limit: in.Limit, Base: ib.CV.CV, Now: in.CV.CV,
				Pass: in.Pass, Before: ib.Pass, Cls: cvClass(in.CV.CV, in.Limit, in.Over)})
		}
		res.Stages = append(res.Stages, ws)
	}
	before := map[string]*eval.Part{}
	for _, q := range base.Parts {
		before[q.SchoolCode+"/"+string(q.Stage)] = q
	}
	for _, q := range now.Parts {
		qb := before[q.SchoolCode+"/"+string(q.Stage)]
		if q.Excluded || qb == nil || qb.Excluded || qb.Pass == q.Pass {
			continue
		}
		wp := whatifPart{School: q.SchoolCode, Name: q.SchoolName, Stage: q.Stage, Before: qb.Pass, Now: q.Pass}
		for _, sf := range q.Shortfalls {
			wp.Short = append(wp.Short, b.Ind(rules.Indicator(sf.Indicator))+" "+fmtNum(sf.Value, 2)+" < "+fmtFixed(sf.Threshold))
		}
		res.Changed = append(res.Changed, wp)
	}
	names := map[string]string{}
	for _, s := range recs {
		names[s.Code] = s.Name
	}
	for _, s := range recs {
		cols := changes[s.Code]
		keys := make([]string, 0, len(cols))
		for k := range cols {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, _ := census.FieldByKey(k)
			old := "—"
			if v, ok := s.Get(f); ok {
				old = fmtFixed(v)
			}
			res.Changes = append(res.Changes, fmt.Sprintf("%s · %s：%s → %s", names[s.Code], b.Col(k), old, fmtFixed(cols[k])))
		}
	}
	return res
}

// saveScenario serves POST /county/{code}/scenarios: the posted numbers
// saved under a name (an existing name is replaced).
func (s *Server) saveScenario(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	recs, err := s.countyRecords(r, b, c, code)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	changes, err := readChanges(r.PostForm, recs)
	if err != nil {
		return badRequest("error.400")
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" {
		setFlash(w, b.L("whatif.name_needed"))
		http.Redirect(w, r, "/county/"+code+"/whatif"+string(queryString(c.Query(s))), http.StatusSeeOther)
		return nil
	}
	sc, err := s.st.SaveScenario(r.Context(), store.Scenario{County: code, Year: c.Year, Name: name, Note: r.PostForm.Get("note"),
		Changes: changes, Actor: b.User.Username})
	if err != nil {
		return badRequest("error.400")
	}
	setFlash(w, b.L("whatif.saved", sc.Name))
	http.Redirect(w, r, "/county/"+code+"/whatif"+string(queryString(append(slices.Clone(c.Query(s)), "scenario", sc.ID))), http.StatusSeeOther)
	return nil
}

// deleteScenario serves POST /county/{code}/scenarios/{id}/delete.
func (s *Server) deleteScenario(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || !b.Scope.CanEdit() {
		return refuse(b.Scope.County(code))
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	sc, err := s.st.Scenario(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sc.County != code) {
		return notFound("error.404")
	}
	if err != nil {
		return err
	}
	if err := s.st.DeleteScenario(r.Context(), id); err != nil {
		return err
	}
	setFlash(w, b.L("whatif.deleted", sc.Name))
	http.Redirect(w, r, fmt.Sprintf("/county/%s/whatif%s", code, queryString("year", sc.Year)), http.StatusSeeOther)
	return nil
}
