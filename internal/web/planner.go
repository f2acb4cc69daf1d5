package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
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
)

// plannerPage is GET /county/{code}/plan: the least-cost plan (补短板) of
// the county under the options in the query, compared with the naive plan.
type plannerPage struct {
	*Base
	*choice
	Q      []any
	Code   string
	Name   string
	Opt    planOptions
	Fields []planField
	Plan   *plan.Plan
	// Whole is the plan of the whole standard: rooms, 资源配置 and what no
	// addition meets; nil under a standard of 资源配置 only.
	Whole   *plan.WholePlan
	Err     string
	CVs     []planCV
	Rows    []planRow
	Moves   []string
	Values  []planValue
	Elapsed string
	// Query is the options as a query string, for the JSON and what-if links.
	Query template.URL
}

// planOptions are the options of the form, as the user typed them.
type planOptions struct {
	Rotation bool
	NoBuild  string
}

// planField is one indicator's unit cost and cap in the form.
type planField struct {
	ID    string
	Name  string
	Label string // the unit: 人, ㎡, 元, 间
	Cost  string
	Cap   string
}

type planCV struct {
	Stage     census.Stage
	Name      string
	Limit     float64
	Before    float64
	After     float64
	Naive     float64
	PassAfter bool
	Cls       string
}

type planRow struct {
	Code  string
	Name  string
	Type  census.SchoolType
	Items []planItem
	Cost  float64
}

type planItem struct {
	Column string
	Amount float64
	Unit   string
	Note   string
	Cost   float64
}

type planValue struct {
	School    string
	Name      string
	Stage     census.Stage
	Indicator *standards.Indicator
	Before    float64
	After     float64
	Threshold float64
	Cls       string
	PassAfter bool
}

// readPlanOptions reads the planner's options from a query: rotation=1,
// nobuild=codes, cost.ID=yuan, cap.ID=most. It returns the options for the
// planner, what the form shows, and a message when a number is not one.
func readPlanOptions(b *Base, rules *standards.Rules, q url.Values) (plan.Options, planOptions, []planField, string) {
	opt := plan.Options{Costs: plan.DefaultCosts(), DefaultCaps: map[string]float64{}, NoBuild: map[string]bool{}}
	form := planOptions{Rotation: q.Get("rotation") == "1", NoBuild: q.Get("nobuild")}
	opt.Rotation = form.Rotation
	for _, code := range strings.FieldsFunc(form.NoBuild, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }) {
		opt.NoBuild[code] = true
	}
	var fields []planField
	var bad string
	for _, ind := range rules.Indicators {
		u := opt.Costs.Unit(ind.ID)
		f := planField{ID: ind.ID, Name: b.Ind(&ind), Label: u.Label, Cost: strconv.FormatFloat(u.Cost, 'f', -1, 64)}
		if v := strings.TrimSpace(q.Get("cost." + ind.ID)); v != "" {
			f.Cost = v
			c, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
			if err != nil || c < 0 || math.IsInf(c, 0) {
				bad = b.L("plan.bad_number", f.Name, v)
			} else {
				u.Cost = c
				opt.Costs[ind.ID] = u
			}
		}
		if v := strings.TrimSpace(q.Get("cap." + ind.ID)); v != "" {
			f.Cap = v
			c, err := strconv.ParseFloat(v, 64)
			if err != nil || c < 0 || math.IsInf(c, 0) {
				bad = b.L("plan.bad_number", f.Name, v)
			} else {
				opt.DefaultCaps[ind.ID] = c
			}
		}
		fields = append(fields, f)
	}
	return opt, form, fields, bad
}

// planQuery writes the options back as a query string (with the choice).
func planQuery(c *choice, s *Server, q url.Values) template.URL {
	out := url.Values{}
	for i := 0; i+1 < len(c.Query(s)); i += 2 {
		kv := c.Query(s)
		out.Set(fmt.Sprint(kv[i]), fmt.Sprint(kv[i+1]))
	}
	for k, vs := range q {
		if k == "rotation" || k == "nobuild" || strings.HasPrefix(k, "cost.") || strings.HasPrefix(k, "cap.") {
			for _, v := range vs {
				if v != "" {
					out.Add(k, v)
				}
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return template.URL("?" + out.Encode())
}

// countyRecords returns the county's records of the chosen year, after the
// access check.
func (s *Server) countyRecords(r *http.Request, b *Base, c *choice, code string) ([]census.School, error) {
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return nil, errOutOfScope
	}
	recs, err := s.st.Schools(r.Context(), c.Year, code)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notFound("error.404")
	}
	return recs, nil
}

// solvePlan runs the planner for the request. Under a standard with
// items beyond 资源配置 it plans the whole standard (plan.Whole): the rooms
// the music and art room item needs, then 资源配置 on the figures with
// them built; the plan returned is that 资源配置 plan, and whole the rest.
func (s *Server) solvePlan(r *http.Request, b *Base, c *choice, code string) (pl *plan.Plan, whole *plan.WholePlan, form planOptions, fields []planField, msg string, err error) {
	recs, err := s.countyRecords(r, b, c, code)
	if err != nil {
		return nil, nil, planOptions{}, nil, "", err
	}
	opt, form, fields, bad := readPlanOptions(b, c.Rules, r.URL.Query())
	if bad != "" {
		return nil, nil, form, fields, bad, nil
	}
	if !c.Rules.Preschool() && len(c.Rules.Items) > 0 {
		in, err := s.wholeInputs(r.Context(), c.Rules, c.Year, code)
		if err != nil {
			return nil, nil, form, fields, "", err
		}
		in.Schools = recs
		whole, err = plan.Whole(c.Rules, c.Year, in, opt)
		if err != nil {
			return nil, nil, form, fields, err.Error(), nil
		}
		return whole.Resource, whole, form, fields, "", nil
	}
	pl, err = plan.Solve(c.Rules, recs, opt)
	if err != nil {
		return nil, nil, form, fields, err.Error(), nil
	}
	return pl, nil, form, fields, "", nil
}

// plannerPage serves GET /county/{code}/plan.
func (s *Server) plannerPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	start := s.now()
	pl, whole, form, fields, msg, err := s.solvePlan(r, b, c, code)
	if err != nil {
		return err
	}
	p := &plannerPage{Base: b, choice: c, Q: c.Query(s), Code: code, Opt: form, Fields: fields, Plan: pl, Whole: whole, Err: msg,
		Query: planQuery(c, s, r.URL.Query())}
	p.Elapsed = strconv.FormatFloat(float64(s.now().Sub(start).Microseconds())/1000, 'f', 1, 64)
	b.Title = b.L("plan.title")
	if pl != nil {
		p.Name = pl.CountyName
		b.Title = pl.CountyName + " · " + b.L("plan.title")
		p.fill(b, c.Rules)
	}
	s.render(w, r, http.StatusOK, "planner", p)
	return nil
}

// fill turns the plan into the page's tables.
func (p *plannerPage) fill(b *Base, rules *standards.Rules) {
	pl := p.Plan
	if pl.After == nil || pl.Before == nil {
		return
	}
	for _, sb := range pl.Before.Stages {
		if sb.Parts == 0 {
			continue
		}
		sa := pl.After.Stage(sb.Stage)
		var sn *eval.StageResult
		if pl.Naive != nil && pl.Naive.After != nil {
			sn = pl.Naive.After.Stage(sb.Stage)
		}
		for i, ib := range sb.Indicators {
			cv := planCV{Stage: sb.Stage, Name: b.Ind(ib.Indicator), Limit: ib.Limit, Before: ib.CV.CV, After: sa.Indicators[i].CV.CV,
				Naive: math.NaN(), PassAfter: sa.Indicators[i].Pass}
			if sn != nil {
				cv.Naive = sn.Indicators[i].CV.CV
			}
			cv.Cls = cvClass(cv.After, cv.Limit, sa.Indicators[i].Over)
			p.CVs = append(p.CVs, cv)
		}
	}
	for _, sp := range pl.Schools {
		row := planRow{Code: sp.Code, Name: sp.Name, Type: sp.Type, Cost: sp.Cost}
		for _, it := range sp.Items {
			pi := planItem{Column: it.Column, Amount: it.Amount, Unit: it.Unit, Cost: it.Cost}
			if it.Hired != 0 || it.MovedIn != 0 || it.MovedOut != 0 {
				pi.Note = b.L("plan.hired", fmtFixed(it.Hired), fmtFixed(it.MovedIn), fmtFixed(it.MovedOut))
			}
			row.Items = append(row.Items, pi)
		}
		// Columns added only to keep a whole-school total in step.
		for _, k := range slices.Sorted(maps.Keys(sp.Add)) {
			if !slices.ContainsFunc(sp.Items, func(it plan.Item) bool { return it.Column == k }) {
				row.Items = append(row.Items, planItem{Column: k, Amount: sp.Add[k], Unit: b.Unit(k)})
			}
		}
		p.Rows = append(p.Rows, row)
	}
	for _, mv := range pl.Moves {
		p.Moves = append(p.Moves, b.L("plan.move", mv.FromName, mv.ToName, b.Col(mv.Column), fmtFixed(mv.Count)))
	}
	changed := map[string]bool{}
	for _, sp := range pl.Schools {
		changed[sp.Code] = true
	}
	after := map[string]*eval.Part{}
	for _, q := range pl.After.Parts {
		after[q.SchoolCode+"/"+string(q.Stage)] = q
	}
	for _, q := range pl.Before.Parts {
		qa := after[q.SchoolCode+"/"+string(q.Stage)]
		if q.Excluded || !changed[q.SchoolCode] || qa == nil {
			continue
		}
		for k := range rules.Indicators {
			ind := &rules.Indicators[k]
			if qa.Values[k] == q.Values[k] {
				continue
			}
			th := ind.Thresholds[q.Stage]
			p.Values = append(p.Values, planValue{School: q.SchoolCode, Name: q.SchoolName, Stage: q.Stage, Indicator: ind,
				Before: q.Values[k], After: qa.Values[k], Threshold: th, Cls: partClass(qa, ind.ID, qa.Values[k]), PassAfter: qa.Pass})
		}
	}
}

// plannerJSON serves GET /county/{code}/plan.json: the plan as the
// interfaces.md §4 document.
func (s *Server) plannerJSON(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	pl, _, _, _, msg, err := s.solvePlan(r, b, c, code)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if pl == nil {
		w.WriteHeader(http.StatusBadRequest)
		return json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plan-%s-%d.json"`, code, c.Year))
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pl.JSON())
}
