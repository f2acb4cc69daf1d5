// Package eval computes the 资源配置 part of the county evaluation standards —
// the per-school-part indicator values, the 6-of-7 / 85 % school rule, and the
// student-weighted 差异系数 per indicator — exactly as 教督〔2017〕6号 defines
// them, and explains every figure. It is a pure package: it reads census
// records and rules and never touches a file, a database or the network.
package eval

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Result is the evaluation of one year's records against one set of rules.
type Result struct {
	Standard string
	Profile  string
	Year     int
	Rules    *standards.Rules
	Counties []*County
}

// County is the resource evaluation of one county.
type County struct {
	Code string
	Name string
	// ResourcePass is the 资源配置 verdict: every stage passes.
	ResourcePass bool
	// Complete is false when some part in scope lacks data for an indicator;
	// such a county cannot pass until the data are complete.
	Complete bool
	Stages   []*StageResult
	Parts    []*Part
	// RoundingFlips counts CV verdicts that rounding to 2 decimals would flip.
	RoundingFlips int
}

// StageResult is one stage set of one county.
type StageResult struct {
	Stage        census.Stage
	Parts        int     // parts in scope
	Excluded     int     // parts excluded, with their reasons in County.Parts
	Students     float64 // students of the parts in scope
	FailingParts int
	MissingParts int // parts in scope with some indicator not reported
	AllPartsPass bool
	Indicators   []*IndicatorResult
	// CompositeCV is the mean of the indicators' CVs: information only under
	// yzjh2017, the balance rule under jbjh2012. NaN when some CV is undefined.
	CompositeCV   float64
	CompositeLim  float64 // the limit when the balance rule is composite, else 0
	CompositePass bool
	BalancePass   bool // the stage's balance rule holds
	Pass          bool // AllPartsPass && BalancePass && no missing data
}

// IndicatorResult is one indicator of one stage set of one county.
type IndicatorResult struct {
	Indicator *standards.Indicator
	Threshold float64
	CV
	Limit float64 // the CV limit of the stage (each-indicator rule)
	Pass  bool    // CV within its limit (each-indicator rule); false when undefined
	// Margin is Limit − CV: positive is room, negative the excess.
	Margin float64
	// RoundingFlips is set when rounding the CV to 2 decimals would give the
	// other verdict (e.g. 0.501787 fails ≤ 0.50 unrounded, passes as 0.50).
	RoundingFlips bool
	// Compared is the CV value actually compared (rounded when the profile says so).
	Compared   float64
	PartsBelow int // parts in scope whose value is below the threshold
	Missing    int // parts in scope with no value (not counted in the CV)
}

// Part is one stage of one school: the unit the school rule judges.
type Part struct {
	SchoolCode string
	SchoolName string
	SchoolType census.SchoolType
	Location   string
	Ownership  string
	Stage      census.Stage
	Students   float64
	// Raw holds the numerator of each indicator (teachers, ㎡, 元, rooms) as
	// attributed to this part, NaN when not reported; Values the indicator
	// value Raw/Students×scale. Both are indexed like Rules.Indicators.
	Raw    []float64
	Values []float64
	Met    int  // indicators at or above their thresholds
	Pass   bool // the school rule holds
	// Excluded parts take no part in any figure; Reason says why.
	Excluded bool
	Reason   string
	// Missing lists indicators with no reported data.
	Missing []string
	// Shortfalls lists the indicators below their thresholds.
	Shortfalls []Shortfall
	// Split explains how shared totals of a mixed school reached this part.
	Split *Split
}

// Shortfall is one indicator of a part below its threshold.
type Shortfall struct {
	Indicator string
	Value     float64
	Threshold float64
	Ratio     float64 // Value / Threshold
	// BelowFloor is set when the value is under the floor (85 %) too.
	BelowFloor bool
	// Need is how much of the raw quantity (teachers, ㎡, 元, rooms) the
	// part lacks to reach the threshold; whole numbers for counts.
	Need float64
}

// Split says how a mixed school's shared totals were attributed to a part.
type Split struct {
	Basis string // "weighted" or "students"
	// Share is this part's share of a shared total: w·P / Σ w·P.
	Share   float64
	Weights map[census.Stage]float64
	// Given lists indicators whose figure came per part from the file;
	// Derived those obtained as the whole-school total minus the other part.
	Given   []string
	Derived []string
}

// Evaluate evaluates the records of one year (records of other years are
// ignored; year 0 takes them all) against r. Counties come out in code order.
func Evaluate(r *standards.Rules, year int, schools []census.School) *Result {
	res := &Result{Standard: r.ID, Profile: r.Profile.ID, Year: year, Rules: r}
	idx := map[string]int{}
	var groups [][]*census.School
	for i := range schools {
		s := &schools[i]
		if year != 0 && s.Year != year {
			continue
		}
		g, ok := idx[s.CountyCode]
		if !ok {
			g = len(groups)
			idx[s.CountyCode] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], s)
	}
	e := newEngine(r)
	res.Counties = make([]*County, len(groups))
	for i, g := range groups {
		res.Counties[i] = e.county(g)
	}
	slices.SortFunc(res.Counties, func(a, b *County) int { return strings.Compare(a.Code, b.Code) })
	return res
}

// EvaluateCounty evaluates one county's records.
func EvaluateCounty(r *standards.Rules, schools []*census.School) *County {
	return newEngine(r).county(schools)
}

// engine holds what is resolved once per evaluation.
type engine struct {
	r *standards.Rules
	// src[k][stage] is the census field of indicator k for a stage
	// (per-stage column for KindStage, per-part column for KindFacility);
	// whole[k] the whole-school column of a facility indicator.
	src   []map[census.Stage]census.Field
	whole []census.Field
}

func newEngine(r *standards.Rules) *engine {
	e := &engine{r: r}
	for _, ind := range r.Indicators {
		m := map[census.Stage]census.Field{}
		for _, st := range r.Stages {
			if f, ok := census.StageField(ind.Source, st); ok {
				m[st] = f
			}
		}
		e.src = append(e.src, m)
		w := census.Field(-1)
		if ind.Kind == standards.KindFacility {
			w, _ = census.FieldByKey(ind.Source)
		}
		e.whole = append(e.whole, w)
	}
	return e
}

func (e *engine) county(schools []*census.School) *County {
	r := e.r
	c := &County{Complete: true}
	if len(schools) > 0 {
		c.Code, c.Name = schools[0].CountyCode, schools[0].CountyName
	}
	nInd := len(r.Indicators)
	// One backing array for all parts' numbers keeps allocations few.
	backing := make([]float64, 0, 2*nInd*len(schools)*2)
	for _, s := range schools {
		stages := s.Type.Stages()
		for _, st := range stages {
			if !slices.Contains(r.Stages, st) {
				continue
			}
			p := &Part{
				SchoolCode: s.Code, SchoolName: s.Name, SchoolType: s.Type,
				Location: s.Location, Ownership: s.Ownership,
				Stage: st, Students: s.Students(st),
			}
			if s.Type == census.Special {
				// One excluded line per stage with pupils, or one line when none.
				if p.Students <= 0 && (st != stages[0] || s.Students(census.StagePrimary)+s.Students(census.StageJunior) > 0) {
					continue
				}
				p.Excluded, p.Reason = true, "特殊教育学校不纳入七项指标计算"
				c.Parts = append(c.Parts, p)
				continue
			}
			if p.Students <= 0 {
				p.Excluded, p.Reason = true, st.ZH()+"在校生数为0或未填报，不纳入计算"
				c.Parts = append(c.Parts, p)
				continue
			}
			if min := r.Settings.ExcludeTeachingPointsBelow; s.Type == census.TeachingPoint && min > 0 && p.Students < float64(min) {
				p.Excluded = true
				p.Reason = fmt.Sprintf("在校生%g人，不足%d人的教学点不纳入计算（%s方案）", p.Students, min, r.Profile.Name)
				c.Parts = append(c.Parts, p)
				continue
			}
			n := len(backing)
			backing = append(backing, make([]float64, 2*nInd)...)
			p.Raw = backing[n : n+nInd : n+nInd]
			p.Values = backing[n+nInd : n+2*nInd : n+2*nInd]
			e.attribute(s, p)
			e.judge(p)
			c.Parts = append(c.Parts, p)
		}
	}
	slices.SortStableFunc(c.Parts, func(a, b *Part) int {
		if a.Stage != b.Stage {
			return stageOrder(a.Stage) - stageOrder(b.Stage)
		}
		return strings.Compare(a.SchoolCode, b.SchoolCode)
	})
	c.ResourcePass = true
	for _, st := range r.Stages {
		sr := e.stage(c, st)
		c.Stages = append(c.Stages, sr)
		if !sr.Pass {
			c.ResourcePass = false
		}
		if sr.MissingParts > 0 {
			c.Complete = false
		}
		for _, ir := range sr.Indicators {
			if ir.RoundingFlips {
				c.RoundingFlips++
			}
		}
	}
	return c
}

func stageOrder(s census.Stage) int {
	switch s {
	case census.StagePrimary:
		return 0
	case census.StageJunior:
		return 1
	}
	return 2
}

// attribute fills p.Raw and p.Values from the school record.
func (e *engine) attribute(s *census.School, p *Part) {
	r := e.r
	share, weights := 1.0, r.Settings.SplitWeights.For(s.Type)
	if weights != nil {
		var tot float64
		for st, w := range weights {
			tot += w * s.Students(st)
		}
		if tot > 0 {
			share = weights[p.Stage] * p.Students / tot
		}
		p.Split = &Split{Basis: r.Settings.SplitWeights.Mode, Share: share, Weights: weights}
	}
	for k, ind := range r.Indicators {
		x := math.NaN()
		switch ind.Kind {
		case standards.KindStage:
			if f, ok := e.src[k][p.Stage]; ok {
				x = s.V[f]
			}
		case standards.KindFacility:
			whole := s.V[e.whole[k]]
			if ind.Source == "teaching_area" && r.Settings.SubtractIndoorGymFromTeachingArea && s.Has(census.IndoorGymArea) && !math.IsNaN(whole) {
				whole -= s.V[census.IndoorGymArea]
			}
			if weights == nil {
				// A one-stage school: its whole total is its part's.
				x = whole
				break
			}
			own, hasOwn := math.NaN(), false
			if f, ok := e.src[k][p.Stage]; ok {
				own, hasOwn = s.V[f], s.Has(f)
			}
			if hasOwn {
				x = own
				p.Split.Given = append(p.Split.Given, ind.ID)
				break
			}
			// Another part's figure plus the total gives ours by difference,
			// when the school has exactly two parts with students.
			if other, ok := e.otherPartFigure(s, k, p.Stage, weights); ok && !math.IsNaN(whole) {
				x = whole - other
				p.Split.Derived = append(p.Split.Derived, ind.ID)
				break
			}
			x = whole * share
		}
		p.Raw[k] = x
		p.Values[k] = x / p.Students * ind.Scale
	}
}

// otherPartFigure returns the per-part figure given for the other part of a
// two-part school, when exactly one other stage has students and a figure.
func (e *engine) otherPartFigure(s *census.School, k int, st census.Stage, weights map[census.Stage]float64) (float64, bool) {
	var other census.Stage
	n := 0
	for o := range weights {
		if o != st && s.Students(o) > 0 {
			other, n = o, n+1
		}
	}
	if n != 1 {
		return 0, false
	}
	f, ok := census.StageField(e.r.Indicators[k].Source, other)
	if !ok || !s.Has(f) {
		return 0, false
	}
	return s.V[f], true
}

// judge applies the school rule to p.
func (e *engine) judge(p *Part) {
	r := e.r
	for k, ind := range r.Indicators {
		v := p.Values[k]
		if math.IsNaN(v) {
			p.Missing = append(p.Missing, ind.ID)
			continue
		}
		th := ind.Thresholds[p.Stage]
		if atLeast(v, th) {
			p.Met++
			continue
		}
		sf := Shortfall{Indicator: ind.ID, Value: v, Threshold: th, Ratio: v / th,
			BelowFloor: !atLeast(v, r.SchoolRule.Floor*th)}
		sf.Need = th*p.Students/ind.Scale - p.Raw[k]
		if e.integer(k, p.Stage) {
			sf.Need = math.Ceil(sf.Need - Tolerance)
		}
		p.Shortfalls = append(p.Shortfalls, sf)
	}
	if len(p.Missing) > 0 {
		p.Pass = false
		return
	}
	if r.SchoolRule.MinMet == 0 {
		p.Pass = true
		return
	}
	p.Pass = p.Met >= r.SchoolRule.MinMet
	for _, sf := range p.Shortfalls {
		if sf.BelowFloor {
			p.Pass = false
		}
	}
}

// integer reports whether indicator k counts whole things (teachers, rooms).
func (e *engine) integer(k int, st census.Stage) bool {
	if e.whole[k] >= 0 {
		return census.Columns[e.whole[k]].Integer
	}
	f, ok := e.src[k][st]
	return ok && census.Columns[f].Integer
}

// stage computes one stage set's CVs and verdict.
func (e *engine) stage(c *County, st census.Stage) *StageResult {
	r := e.r
	sr := &StageResult{Stage: st, AllPartsPass: true}
	var in []*Part
	for _, p := range c.Parts {
		if p.Stage != st {
			continue
		}
		if p.Excluded {
			sr.Excluded++
			continue
		}
		in = append(in, p)
		sr.Parts++
		sr.Students += p.Students
		if len(p.Missing) > 0 {
			sr.MissingParts++
		}
		if !p.Pass {
			sr.FailingParts++
			sr.AllPartsPass = false
		}
	}
	x := make([]float64, 0, len(in))
	w := make([]float64, 0, len(in))
	sr.BalancePass = true
	var cvSum float64
	cvAll := true
	for k := range r.Indicators {
		ind := &r.Indicators[k]
		x, w = x[:0], w[:0]
		ir := &IndicatorResult{Indicator: ind, Threshold: ind.Thresholds[st]}
		for _, p := range in {
			if math.IsNaN(p.Raw[k]) {
				ir.Missing++
				continue
			}
			x = append(x, p.Raw[k])
			w = append(w, p.Students)
			if !atLeast(p.Values[k], ir.Threshold) {
				ir.PartsBelow++
			}
		}
		ir.CV = WeightedCV(x, w, ind.Scale)
		if r.Balance.Kind == standards.BalanceEach {
			ir.Limit = r.Balance.Limits[st]
			ir.Compared, ir.Pass, ir.RoundingFlips = JudgeCV(ir.CV.CV, ir.Limit, r.Settings.CVCompareDecimals)
			ir.Pass = ir.Pass && ir.Missing == 0
			ir.Margin = ir.Limit - ir.CV.CV // NaN when undefined
			if !ir.Pass && len(in) > 0 {
				sr.BalancePass = false
			}
		}
		if ir.Defined {
			cvSum += ir.CV.CV
		} else {
			cvAll = false
		}
		sr.Indicators = append(sr.Indicators, ir)
	}
	sr.CompositeCV = math.NaN()
	if cvAll && len(r.Indicators) > 0 {
		sr.CompositeCV = cvSum / float64(len(r.Indicators))
	}
	if r.Balance.Kind == standards.BalanceComposite {
		sr.CompositeLim = r.Balance.Limits[st]
		_, sr.CompositePass, _ = JudgeCV(sr.CompositeCV, sr.CompositeLim, r.Settings.CVCompareDecimals)
		sr.BalancePass = sr.CompositePass || len(in) == 0
	}
	sr.Pass = sr.AllPartsPass && sr.BalancePass && sr.MissingParts == 0
	return sr
}

// Stage returns the county's result for stage st, or nil.
func (c *County) Stage(st census.Stage) *StageResult {
	for _, s := range c.Stages {
		if s.Stage == st {
			return s
		}
	}
	return nil
}

// Indicator returns the stage's result for indicator id, or nil.
func (s *StageResult) Indicator(id string) *IndicatorResult {
	for _, ir := range s.Indicators {
		if ir.Indicator.ID == id {
			return ir
		}
	}
	return nil
}

// Contributions returns, for indicator k of stage st, each part's share of
// the squared deviation Σ(P_i/P)(X_i−X̄)²: the parts that make the CV large.
// The shares sum to 1 (when the CV is defined and not 0), in County.Parts order.
func (c *County) Contributions(st census.Stage, k int) []Contribution {
	sr := c.Stage(st)
	if sr == nil || k >= len(sr.Indicators) {
		return nil
	}
	ir := sr.Indicators[k]
	var out []Contribution
	var tot float64
	for _, p := range c.Parts {
		if p.Stage != st || p.Excluded || math.IsNaN(p.Values[k]) {
			continue
		}
		d := p.Values[k] - ir.Mean
		v := p.Students / ir.Students * d * d
		tot += v
		out = append(out, Contribution{Part: p, Deviation: d, Share: v})
	}
	for i := range out {
		if tot > 0 {
			out[i].Share /= tot
		}
	}
	return out
}

// Contribution is one part's part in a CV.
type Contribution struct {
	Part      *Part
	Deviation float64 // X_i − X̄
	Share     float64 // of Σ(P_i/P)(X_i−X̄)²
}
