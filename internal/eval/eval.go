// Package eval computes the 资源配置 part of the county evaluation standards —
// the per-school-part indicator values, the 6-of-7 / 85 % school rule, and the
// student-weighted 差异系数 per indicator — exactly as 教督〔2017〕6号 defines
// them, and explains every figure. It is a pure package: it reads census
// records and rules and never touches a file, a database or the network.
package eval

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	// Whole is set by EvaluateWhole: every county has a Verdict.
	Whole bool
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
	// Verdict is the whole standard's verdict (EvaluateWhole only; else nil).
	Verdict *Verdict
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
	// Excluded parts take no part in any figure; Reason says why in
	// Chinese, ReasonCode in a form a page can translate (see Exclusion*),
	// with the figures it quotes in ReasonArgs.
	Excluded   bool
	Reason     string
	ReasonCode string
	ReasonArgs []any
	// Missing lists indicators with no reported data.
	Missing []string
	// Shortfalls lists the indicators below their thresholds.
	Shortfalls []Shortfall
	// Split explains how shared totals of a mixed school reached this part.
	Split *Split
}

// The reasons a part is excluded, as Part.ReasonCode.
const (
	ExclusionSpecial            = "special"              // a special-education school
	ExclusionOutOfScope         = "out_of_scope"         // outside the standard's scope (e.g. 民办 under 基本均衡)
	ExclusionNoStudents         = "no_students"          // no pupils in this stage
	ExclusionSmallTeachingPoint = "small_teaching_point" // 教学点 below the profile's minimum; args: students, minimum
)

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
	last := -1
	for i := range schools {
		s := &schools[i]
		if year != 0 && s.Year != year {
			continue
		}
		if last >= 0 && groups[last][0].CountyCode == s.CountyCode {
			// Records usually come sorted by county: skip the map lookup.
			groups[last] = append(groups[last], s)
			continue
		}
		g, ok := idx[s.CountyCode]
		if !ok {
			g = len(groups)
			idx[s.CountyCode] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], s)
		last = g
	}
	res.Counties = make([]*County, len(groups))
	// Counties are independent: evaluate them on every core, each worker with
	// an engine of its own (the engine holds scratch buffers).
	workers := min(runtime.GOMAXPROCS(0), len(groups))
	if workers <= 1 || len(schools) < 20000 {
		e := newEngine(r)
		for i, g := range groups {
			res.Counties[i] = e.county(g)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				e := newEngine(r)
				for {
					i := int(next.Add(1)) - 1
					if i >= len(groups) {
						return
					}
					res.Counties[i] = e.county(groups[i])
				}
			})
		}
		wg.Wait()
	}
	slices.SortFunc(res.Counties, func(a, b *County) int { return strings.Compare(a.Code, b.Code) })
	return res
}

// EvaluateCounty evaluates one county's records.
func EvaluateCounty(r *standards.Rules, schools []*census.School) *County {
	return newEngine(r).county(schools)
}

// numStages is the number of stages an engine indexes (primary, junior, senior).
const numStages = 3

// indRule is one indicator resolved for fast evaluation: array lookups
// instead of map lookups on the hot path.
type indRule struct {
	ind      *standards.Indicator
	facility bool
	scale    float64
	// src[stage] is the per-stage column (KindStage) or the per-part
	// column (KindFacility), -1 when none; whole the whole-school column.
	src     [numStages]census.Field
	whole   census.Field
	thr     [numStages]float64
	integer [numStages]bool
}

// engine holds what is resolved once per evaluation, and scratch buffers;
// it is not safe for concurrent use.
type engine struct {
	r    *standards.Rules
	inds []indRule
	in   []*Part
	x, w []float64
}

func newEngine(r *standards.Rules) *engine {
	e := &engine{r: r, inds: make([]indRule, len(r.Indicators))}
	for k := range r.Indicators {
		ind := &r.Indicators[k]
		ir := indRule{ind: ind, facility: ind.Kind == standards.KindFacility, scale: ind.Scale, whole: -1}
		for i := range ir.src {
			ir.src[i] = -1
		}
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior} {
			i := stageOrder(st)
			if f, ok := census.StageField(ind.Source, st); ok {
				ir.src[i] = f
				ir.integer[i] = census.Columns[f].Integer
			}
			ir.thr[i] = ind.Thresholds[st]
		}
		if ir.facility {
			ir.whole, _ = census.FieldByKey(ind.Source)
			for i := range ir.integer {
				ir.integer[i] = census.Columns[ir.whole].Integer
			}
		}
		e.inds[k] = ir
	}
	return e
}

func (e *engine) inScope(st census.Stage) bool { return slices.Contains(e.r.Stages, st) }

func (e *engine) county(schools []*census.School) *County {
	r := e.r
	c := &County{Complete: true}
	if len(schools) > 0 {
		c.Code, c.Name = schools[0].CountyCode, schools[0].CountyName
	}
	nInd := len(e.inds)
	// Count the parts first, so that the parts and their figures each take
	// one allocation per county.
	nParts := 0
	for _, s := range schools {
		for _, st := range s.Type.Stages() {
			if e.inScope(st) {
				nParts++
			}
		}
	}
	slab := make([]Part, nParts)
	figures := make([]float64, 2*nInd*nParts)
	c.Parts = make([]*Part, 0, nParts)
	for _, s := range schools {
		stages := s.Type.Stages()
		for _, st := range stages {
			if !e.inScope(st) {
				continue
			}
			p := &slab[len(c.Parts)]
			p.SchoolCode, p.SchoolName, p.SchoolType = s.Code, s.Name, s.Type
			p.Location, p.Ownership = s.Location, s.Ownership
			p.Stage, p.Students = st, s.Students(st)
			if s.Type == census.Special {
				// One excluded line per stage with pupils, or one line when none.
				if p.Students <= 0 && (st != stages[0] || s.Students(census.StagePrimary)+s.Students(census.StageJunior) > 0) {
					*p = Part{}
					continue
				}
				p.Excluded, p.Reason, p.ReasonCode = true, "特殊教育学校不纳入七项指标计算", ExclusionSpecial
				c.Parts = append(c.Parts, p)
				continue
			}
			if why := r.OutOfScope(s); why != "" {
				p.Excluded, p.Reason, p.ReasonCode = true, why, ExclusionOutOfScope
				c.Parts = append(c.Parts, p)
				continue
			}
			if p.Students <= 0 {
				p.Excluded, p.Reason, p.ReasonCode = true, st.ZH()+"在校生数为0或未填报，不纳入计算", ExclusionNoStudents
				c.Parts = append(c.Parts, p)
				continue
			}
			if min := r.Settings.ExcludeTeachingPointsBelow; s.Type == census.TeachingPoint && min > 0 && p.Students < float64(min) {
				p.Excluded = true
				p.Reason = fmt.Sprintf("在校生%g人，不足%d人的教学点不纳入计算（%s方案）", p.Students, min, r.Profile.Name)
				p.ReasonCode, p.ReasonArgs = ExclusionSmallTeachingPoint, []any{p.Students, min}
				c.Parts = append(c.Parts, p)
				continue
			}
			n := 2 * nInd * len(c.Parts)
			p.Raw = figures[n : n+nInd : n+nInd]
			p.Values = figures[n+nInd : n+2*nInd : n+2*nInd]
			e.attribute(s, p)
			e.judge(p)
			c.Parts = append(c.Parts, p)
		}
	}
	if !slices.IsSortedFunc(c.Parts, byStageAndCode) {
		slices.SortStableFunc(c.Parts, byStageAndCode)
	}
	c.ResourcePass = true
	c.Stages = make([]*StageResult, 0, len(r.Stages))
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

// byStageAndCode orders parts by stage, then school code.
func byStageAndCode(a, b *Part) int {
	if a.Stage != b.Stage {
		return stageOrder(a.Stage) - stageOrder(b.Stage)
	}
	return strings.Compare(a.SchoolCode, b.SchoolCode)
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
	si := stageOrder(p.Stage)
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
	for k := range e.inds {
		ir := &e.inds[k]
		x := math.NaN()
		if !ir.facility {
			if f := ir.src[si]; f >= 0 {
				x = s.V[f]
			}
		} else {
			whole := s.V[ir.whole]
			if ir.whole == census.TeachingArea && r.Settings.SubtractIndoorGymFromTeachingArea && s.Has(census.IndoorGymArea) {
				whole -= s.V[census.IndoorGymArea]
			}
			switch {
			case weights == nil:
				// A one-stage school: its whole total is its part's.
				x = whole
			case ir.src[si] >= 0 && s.Has(ir.src[si]):
				x = s.V[ir.src[si]]
				p.Split.Given = append(p.Split.Given, ir.ind.ID)
			default:
				// Another part's figure and the total give ours by
				// difference, when the school has exactly two parts with students.
				if other, ok := e.otherPartFigure(s, ir, p.Stage, weights); ok && !math.IsNaN(whole) {
					x = whole - other
					p.Split.Derived = append(p.Split.Derived, ir.ind.ID)
				} else {
					x = whole * share
				}
			}
		}
		p.Raw[k] = x
		p.Values[k] = x / p.Students * ir.scale
	}
}

// otherPartFigure returns the per-part figure given for the other part of a
// two-part school, when exactly one other stage has students and a figure.
func (e *engine) otherPartFigure(s *census.School, ir *indRule, st census.Stage, weights map[census.Stage]float64) (float64, bool) {
	other, n := -1, 0
	for o := range weights {
		if o != st && s.Students(o) > 0 {
			other, n = stageOrder(o), n+1
		}
	}
	if n != 1 {
		return 0, false
	}
	f := ir.src[other]
	if f < 0 || !s.Has(f) {
		return 0, false
	}
	return s.V[f], true
}

// judge applies the school rule to p.
func (e *engine) judge(p *Part) {
	r := e.r
	si := stageOrder(p.Stage)
	for k := range e.inds {
		ir := &e.inds[k]
		v := p.Values[k]
		if math.IsNaN(v) {
			p.Missing = append(p.Missing, ir.ind.ID)
			continue
		}
		th := ir.thr[si]
		if atLeast(v, th) {
			p.Met++
			continue
		}
		sf := Shortfall{Indicator: ir.ind.ID, Value: v, Threshold: th, Ratio: v / th,
			BelowFloor: !atLeast(v, r.SchoolRule.Floor*th)}
		sf.Need = th*p.Students/ir.scale - p.Raw[k]
		if ir.integer[si] {
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

// stage computes one stage set's CVs and verdict.
func (e *engine) stage(c *County, st census.Stage) *StageResult {
	r := e.r
	sr := &StageResult{Stage: st, AllPartsPass: true}
	in := e.in[:0]
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
	e.in = in
	x, w := e.x[:0], e.w[:0]
	results := make([]IndicatorResult, len(e.inds))
	sr.Indicators = make([]*IndicatorResult, len(e.inds))
	sr.BalancePass = true
	var cvSum float64
	cvAll := true
	for k := range e.inds {
		ind := e.inds[k].ind
		x, w = x[:0], w[:0]
		ir := &results[k]
		ir.Indicator, ir.Threshold = ind, e.inds[k].thr[stageOrder(st)]
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
		sr.Indicators[k] = ir
	}
	e.x, e.w = x, w
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
