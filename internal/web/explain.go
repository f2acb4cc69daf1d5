package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

type explainPage struct {
	*Base
	*choice
	Q         []any
	County    *eval.County
	Stage     census.Stage
	Ind       *standards.Indicator
	IR        *eval.IndicatorResult
	Part      *eval.Part // nil when the figure is a CV
	Value     float64
	Threshold float64
	Margin    float64
	Pass      bool
	Cls       string
	Verdict   string
	Formula   string
	Inputs    []explainInput
	Top       []eval.Contribution
	Notes     []string
	History   []historyRow
	Sources   []store.Source
}

// ValueText writes the figure: a CV to 4 decimals, a value to 2, each
// with more where fewer would show it on the wrong side of its boundary.
func (p *explainPage) ValueText() string {
	if p.Part == nil {
		return numAgainst(p.Value, p.Threshold, 4)
	}
	return partValue(p.Value, p.Threshold, decimals(p.Ind), p.Cls)
}

// MarginText says how far the figure is from its boundary, in words: a CV
// "超出上限 0.2060" or "距上限 0.1000", a value "低于标准值 0.50" or
// "高于标准值 0.50" (never a signed "余量 −0.206").
func (p *explainPage) MarginText() string {
	if math.IsNaN(p.Margin) {
		return ""
	}
	d, key := 4, "explain.cv_"
	if p.Part != nil {
		d, key = decimals(p.Ind), "explain.value_"
	}
	// The side is the evaluation's exact judgement (the colour), the
	// distance the float's.
	short := p.Cls == clsWarn || p.Cls == clsBad
	if p.Part == nil {
		short = p.IR.Over
	}
	switch {
	case short:
		return p.T(key+"short", numAgainst(math.Abs(p.Margin), 0, d))
	case p.Margin <= 0:
		return p.T(key + "equal")
	}
	return p.T(key+"room", fmtNum(p.Margin, d))
}

type explainInput struct {
	Name, Value, Unit, Source string
}

// explainPage serves GET /explain?county=&stage=&indicator=[&school=]&year=:
// a figure's inputs, formula, threshold, margin and verdict, and the
// history of the data behind it. Under htmx it returns the panel only.
func (s *Server) explainPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "")
	q := r.URL.Query()
	county, school, id := q.Get("county"), q.Get("school"), q.Get("indicator")
	st, ok := stageOf(q.Get("stage"))
	if !ok {
		return badRequest("error.bad_stage")
	}
	if !b.Scope.School(county, school) && !b.Scope.County(county) {
		return errOutOfScope
	}
	if school == "" && !b.Scope.County(county) {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	cty, err := s.cache.county(r.Context(), c.Rules, c.Year, county)
	if err != nil {
		return err
	}
	sr := cty.Stage(st)
	if sr == nil {
		return notFound("error.404")
	}
	k := slices.IndexFunc(c.Rules.Indicators, func(ind standards.Indicator) bool { return ind.ID == id })
	if k < 0 {
		return notFound("error.no_indicator", id)
	}
	ind := &c.Rules.Indicators[k]
	ir := sr.Indicators[k]
	p := &explainPage{Base: b, choice: c, Q: c.Query(s), County: cty, Stage: st, Ind: ind, IR: ir}
	stageName := b.T("stage." + string(st))
	if school != "" {
		part := cty.Part(school, st)
		if part == nil || part.Excluded {
			return notFound("error.no_part", school)
		}
		p.Part = part
		p.Value, p.Threshold = part.Values[k], ir.Threshold
		p.Margin = p.Value - p.Threshold
		p.Cls = partClass(part, ind.ID, p.Value)
		p.Pass = p.Cls == clsOK
		rawKey := ind.Source + "_" + string(st)
		if ind.Kind == standards.KindFacility {
			rawKey = ind.Source
		}
		scale := ""
		if ind.Scale != 1 {
			scale = fmt.Sprintf(" × %g", ind.Scale)
		}
		p.Formula = b.Col(rawKey) + " ÷ " + b.Col("students_"+string(st)) + scale
		src := b.T("explain.src.reported")
		if part.Split != nil && ind.Kind == standards.KindFacility {
			switch {
			case slices.Contains(part.Split.Given, id):
				src = b.T("explain.src.given")
			case slices.Contains(part.Split.Derived, id):
				src = b.T("explain.src.derived")
			default:
				src = b.T("explain.src.split", fmtPct(part.Split.Share))
			}
		}
		p.Inputs = []explainInput{
			{Name: b.Col(rawKey), Value: fmtFixed(part.Raw[k]), Unit: b.Unit(rawKey), Source: src},
			{Name: b.Col("students_" + string(st)), Value: fmtFixed(part.Students), Unit: b.Unit("students_" + string(st)), Source: b.T("explain.src.reported")},
		}
		switch p.Cls {
		case clsOK:
			p.Verdict = b.T("explain.value.ok")
		case clsWarn:
			p.Verdict = b.T("explain.value.warn", fmtPct(p.Value/p.Threshold))
		case clsBad:
			p.Verdict = b.T("explain.value.bad", fmtPct(p.Value/p.Threshold))
		default:
			p.Verdict = b.T("explain.value.na")
		}
		for _, sf := range part.Shortfalls {
			if sf.Indicator == id {
				p.Notes = append(p.Notes, b.Need(valueRow{Ind: ind, Need: sf.Need, WholeNeed: math.NaN()}))
			}
		}
		p.Notes = append(p.Notes, b.T(map[bool]string{true: "explain.part.pass", false: "explain.part.fail"}[part.Pass], part.Met, len(c.Rules.Indicators)))
		b.Title = fmt.Sprintf("%s · %s · %s", part.SchoolName, stageName, b.Ind(ind))
		cols := []string{rawKey, "students_" + string(st)}
		if ind.Kind == standards.KindFacility {
			cols = append(cols, ind.Source+"_primary", ind.Source+"_junior", "students_primary", "students_junior", "students_senior")
		}
		hist, err := s.st.History(r.Context(), c.Year, school)
		if err != nil {
			return err
		}
		for i := len(hist) - 1; i >= 0; i-- {
			if hist[i].Column == "" || slices.Contains(cols, hist[i].Column) {
				p.History = append(p.History, historyRow{Change: hist[i]})
			}
		}
	} else {
		p.Value, p.Threshold, p.Margin, p.Pass = ir.CV.CV, ir.Limit, ir.Margin, ir.Pass
		p.Cls = cvClass(ir.CV.CV, ir.Limit, ir.Over)
		p.Formula = "X̄ = Σxᵢ ÷ ΣPᵢ;  S = √( Σ (Pᵢ/P)·(Xᵢ − X̄)² );  CV = S ÷ X̄"
		unit := census.Columns[rawField(ind, st)].Unit
		p.Inputs = []explainInput{
			{Name: b.T("explain.cv.n"), Value: fmt.Sprint(ir.N), Unit: ""},
			{Name: b.T("explain.cv.students"), Value: fmtFixed(ir.Students), Unit: b.Unit("students_primary")},
			{Name: b.T("explain.cv.total"), Value: fmtFixed(ir.Total), Unit: unit},
			{Name: b.T("explain.cv.mean"), Value: fmtFixed(ir.Mean), Unit: ind.Unit},
			{Name: b.T("explain.cv.sd"), Value: fmtFixed(ir.SD), Unit: ind.Unit},
		}
		switch {
		case !ir.Defined:
			p.Verdict = b.T("explain.cv.undefined")
		case ir.Missing > 0:
			p.Verdict = b.T("explain.cv.missing", ir.Missing)
		case ir.Pass:
			p.Verdict = b.T("explain.cv.ok", fmtFixed(ir.Compared), fmtNum(ir.Limit, 2))
		default:
			p.Verdict = b.T("explain.cv.bad", fmtFixed(ir.Compared), fmtNum(ir.Limit, 2))
		}
		if ir.RoundingFlips {
			p.Notes = append(p.Notes, b.T("explain.cv.flips", fmtNum(ir.CV.CV, 2)))
		}
		cs := cty.Contributions(st, k)
		slices.SortStableFunc(cs, func(a, b eval.Contribution) int { return cmp.Compare(b.Share, a.Share) })
		p.Top = cs[:min(5, len(cs))]
		b.Title = fmt.Sprintf("%s · %s · %s · %s", cty.Name, stageName, b.Ind(ind), b.T("county.cv"))
		cols := []string{ind.Source + "_" + string(st), "students_" + string(st)}
		if ind.Kind == standards.KindFacility {
			cols = []string{ind.Source, ind.Source + "_" + string(st), "students_primary", "students_junior", "students_senior"}
		}
		ch, err := s.st.CountyChanges(r.Context(), c.Year, county, cols, 20)
		if err != nil {
			return err
		}
		for _, x := range ch {
			p.History = append(p.History, historyRow{Change: x.Change, School: x.SchoolName})
		}
		if p.Sources, err = s.st.CountySources(r.Context(), c.Year, county); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "explain", p)
	return nil
}

// rawField is the census column holding an indicator's numerator for a stage.
func rawField(ind *standards.Indicator, st census.Stage) census.Field {
	if f, ok := census.FieldByKey(ind.Source); ok {
		return f
	}
	f, _ := census.StageField(ind.Source, st)
	return f
}
