// Package eval computes the 资源配置 part of the county evaluation standards —
// the per-school-part indicator values, the 6-of-7 / 85 % school rule, and the
// student-weighted 差异系数 per indicator — exactly as 教督〔2017〕6号 defines
// them, and explains every figure. It is a pure package: it reads census
// records and rules and never touches a file, a database or the network.
package eval

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
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

// County returns the county of code, or nil when the result has none.
// Counties are in the order of their codes, as every evaluation gives
// them, so it is found by halving: a nation's county page looked it up
// among 2 900 counties for every request. A result whose counties are
// not in that order (one put together by hand) is searched through.
func (r *Result) County(code string) *County {
	i, ok := slices.BinarySearchFunc(r.Counties, code, func(c *County, code string) int { return strings.Compare(c.Code, code) })
	if ok {
		return r.Counties[i]
	}
	if i := slices.IndexFunc(r.Counties, func(c *County) bool { return c.Code == code }); i >= 0 {
		return r.Counties[i]
	}
	return nil
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
	// Warnings are figures of the file that the evaluation did not use, and
	// why; they change no verdict, and a reader should check them.
	Warnings []Warning
	// slab is the pooled memory of Parts (EvaluateResourceStream), given
	// back once the county has been handed on.
	slab *partSlab
}

// ResourceStatus is the 资源配置 verdict with "undecided" kept apart, as
// the resource item of the whole standard reads it: each stage met, not met
// or pending (no part in scope, or data missing), and the county not met if
// any stage is, else pending if any is, else met. ResourcePass is true
// exactly when it is met.
func (c *County) ResourceStatus() census.Status {
	if len(c.Stages) == 0 {
		return census.StatusPending
	}
	out := census.StatusMet
	for _, s := range c.Stages {
		switch s.Status() {
		case census.StatusNotMet:
			return census.StatusNotMet
		case census.StatusPending:
			out = census.StatusPending
		}
	}
	return out
}

// Status is the stage's verdict: pending when no part is in scope (nothing
// was evaluated, so nothing passed) or when only missing data stand in the
// way; not met when a part with complete data fails or a CV computed from
// complete data exceeds its limit.
func (s *StageResult) Status() census.Status {
	switch {
	case s.Parts == 0:
		return census.StatusPending
	case s.Pass:
		return census.StatusMet
	case s.FailingComplete > 0 || s.BadCVs > 0:
		return census.StatusNotMet
	case s.MissingParts > 0 || s.MissingCVs > 0:
		return census.StatusPending
	}
	return census.StatusNotMet
}

// Warning is a figure the evaluation did not use.
type Warning struct {
	SchoolCode, SchoolName string
	Stage                  census.Stage
	Column                 string // the census column key, e.g. teaching_area_junior
	Code                   string // WarningPerPartIgnored
	Text                   string // in Chinese, with the school, the column and the figure
}

// WarningPerPartIgnored: a per-part facility figure (teaching_area_junior)
// given for a one-stage school, whose whole-school figure is its part's.
const WarningPerPartIgnored = "per_part_ignored"

// StageResult is one stage set of one county.
type StageResult struct {
	Stage        census.Stage
	Parts        int     // parts in scope
	Excluded     int     // parts excluded, with their reasons in County.Parts
	Students     float64 // students of the parts in scope
	FailingParts int
	// FailingComplete counts the failing parts that have all their data.
	FailingComplete int
	MissingParts    int // parts in scope with some indicator not reported
	// BadCVs counts the balance figures over their limits with complete data
	// (the composite counts as one); MissingCVs those that wait for data.
	BadCVs, MissingCVs int
	AllPartsPass       bool
	Indicators         []*IndicatorResult
	// CompositeCV is the mean of the indicators' CVs: information only under
	// yzjh2017, the balance rule under jbjh2012. NaN when some CV is undefined.
	CompositeCV   float64
	CompositeLim  float64 // the limit when the balance rule is composite, else 0
	CompositePass bool
	BalancePass   bool // the stage's balance rule holds
	Pass          bool // parts in scope && AllPartsPass && BalancePass && no missing data
	// composite compares CompositeCV exactly (composite balance rules only).
	composite exactNum
}

// IndicatorResult is one indicator of one stage set of one county.
type IndicatorResult struct {
	Indicator *standards.Indicator
	Threshold float64
	CV
	Limit float64 // the CV limit of the stage (each-indicator rule)
	Pass  bool    // CV within its limit (each-indicator rule); false when undefined
	// Over is set when the CV, as compared, exceeds its limit, whether or
	// not parts lack data: Pass is also false for a CV within its limit
	// when some part is missing, and Over tells the two apart.
	Over bool
	// Margin is Limit − CV: positive is room, negative the excess.
	Margin float64
	// RoundingFlips is set when rounding the CV to 2 decimals would give the
	// other verdict (e.g. 0.501787 fails ≤ 0.50 unrounded, passes as 0.50).
	RoundingFlips bool
	// Compared is the CV value actually compared (rounded when the profile says so).
	Compared float64
	// Rounded is the CV rounded half-up to 2 decimals on its exact value,
	// the figure the rounding flag speaks of; NaN when undefined.
	Rounded    float64
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
	// school is the record the part came from: exact comparisons read its
	// decimals again (see exactRaw).
	school *census.School
	// below has bit k set when judge found indicator k below its
	// threshold (for the first 64 indicators), for the stage's count.
	below uint64
	// order is stageOrder(Stage), set with Stage by the engine.
	order int
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
	groups := groupByCounty(year, schools, nil)
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

// groupByCounty returns the records of year (any year if 0) by county, in
// the order the counties first appear.
//
// Records come a county at a time in most files: they are read as runs of
// one county's records (on every core, a part of the records each), and
// the groups are made from the runs, one lookup per run rather than per
// record; each group is a window of one array of pointers, rather than a
// slice per county grown by doubling (2 900 of them for a nation).
//
// Runs found when the records were read (Inputs.Runs) take the place of
// that pass, when given.
func groupByCounty(year int, schools []census.School, known []census.SchoolRun) [][]*census.School {
	parts := 1
	if len(schools) >= groupParallelMin {
		parts = runtime.GOMAXPROCS(0)
	}
	runs := make([][]countyRun, parts)
	switch {
	case known != nil:
		runs = runs[:1]
		for _, k := range known {
			if year == 0 || k.Year == year {
				runs[0] = append(runs[0], countyRun{code: k.Code, lo: int32(k.Lo), hi: int32(k.Hi)})
			}
		}
	case parts == 1:
		runs[0] = countyRuns(year, schools, 0, len(schools))
	default:
		var wg sync.WaitGroup
		size := (len(schools) + parts - 1) / parts
		for k := range parts {
			lo, hi := min(k*size, len(schools)), min((k+1)*size, len(schools))
			wg.Go(func() { runs[k] = countyRuns(year, schools, lo, hi) })
		}
		wg.Wait()
	}
	idx := map[string]int{}
	var sizes []int
	total := 0
	for _, rs := range runs {
		for i := range rs {
			g, ok := idx[rs[i].code]
			if !ok {
				g = len(sizes)
				idx[rs[i].code] = g
				sizes = append(sizes, 0)
			}
			rs[i].group = g
			sizes[g] += int(rs[i].hi - rs[i].lo)
			total += int(rs[i].hi - rs[i].lo)
		}
	}
	if len(sizes) == 0 {
		return nil
	}
	all := make([]*census.School, total)
	groups := make([][]*census.School, len(sizes))
	off := 0
	for g, n := range sizes {
		groups[g] = all[off : off : off+n]
		off += n
	}
	for _, rs := range runs {
		for _, r := range rs {
			for i := r.lo; i < r.hi; i++ {
				groups[r.group] = append(groups[r.group], &schools[i])
			}
		}
	}
	return groups
}

// groupParallelMin is how many records groupByCounty reads on every core.
const groupParallelMin = 20000

// countyRun is a run of records of one county and the year, in the order
// of the records: schools[lo:hi].
type countyRun struct {
	code   string
	lo, hi int32
	group  int // its county's group, set by groupByCounty
}

// countyRuns returns the runs of records of year (any year if 0) among
// schools[lo:hi], in order.
func countyRuns(year int, schools []census.School, lo, hi int) []countyRun {
	var runs []countyRun
	open := false // the last run goes on with the record before
	for i := lo; i < hi; i++ {
		s := &schools[i]
		if year != 0 && s.Year != year {
			open = false
			continue
		}
		if open && runs[len(runs)-1].code == s.CountyCode {
			runs[len(runs)-1].hi = int32(i + 1)
			continue
		}
		runs = append(runs, countyRun{code: s.CountyCode, lo: int32(i), hi: int32(i + 1)})
		open = true
	}
	return runs
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
	// sf collects a part's shortfalls, which are then copied into
	// sfSlab: one allocation for the shortfalls of many parts rather
	// than a slice grown for each.
	sf, sfSlab []Shortfall
	// byStage is sortParts' copy of the parts it places.
	byStage []*Part
	// slabs, when set, lends the memory of a county's parts (see
	// EvaluateResourceStream); nil allocates it afresh for every county.
	slabs *slabPool
	// sl is the slab of the county being evaluated.
	sl *partSlab
	// splits are the split weights of the school types that have them.
	splits []typeSplit
	// kinds are what the engine needs of each known school type, and
	// kind the one found last (see kindOf).
	kinds []schoolKind
	kind  *schoolKind
	// schoolKinds are the kinds of a county's schools, in their order.
	schoolKinds []*schoolKind
	// perPart are the per-part columns of the facility indicators, which
	// a one-stage school does not use (warnPerPart).
	perPart []census.Field
	// scales are the indicators' scales, for partsCVs, with its results
	// (cvs) and scratch (sums); partsBelow counts a stage's parts below
	// each threshold.
	scales     []float64
	cvs        []CV
	sums       []float64
	partsBelow []int
	// noShortfalls leaves Part.Shortfalls nil, for a caller that reads
	// none (CountyStream without them): all else is as with them.
	noShortfalls bool
}

// typeSplit is a school type's split weights (SplitWeights.For), by
// splitStages index: a lookup in the map, keyed by a string, was a part of
// every mixed school's figures.
type typeSplit struct {
	t   census.SchoolType
	m   map[census.Stage]float64 // as For returns it, for Split.Weights
	w   [len(splitStages)]float64
	has [len(splitStages)]bool
}

// schoolKind is what the engine needs of a school type: its stages
// (SchoolType.Stages), whether each is in the rules' scope, each one's
// stageOrder, and its split weights. A type's text was switched on for
// each of a school's stages, and for each of its parts' figures, a tenth of
// the evaluation; a record's type is now looked up once (kindOf).
type schoolKind struct {
	t      census.SchoolType
	stages []census.Stage
	in     []bool
	order  []int
	split  *typeSplit // nil for a one-stage school
}

// newKind returns the schoolKind of t.
func (e *engine) newKind(t census.SchoolType) schoolKind {
	k := schoolKind{t: t, stages: t.Stages(), split: e.splitFor(t)}
	for _, st := range k.stages {
		k.in = append(k.in, e.inScope(st))
		k.order = append(k.order, stageOrder(st))
	}
	return k
}

// kindOf returns the schoolKind of t: the last one found when t is its
// type (a county's schools come in runs of a type, and a type read from a
// file is one shared text, which compares at once), else the known type's,
// else one made for t alone.
func (e *engine) kindOf(t census.SchoolType) *schoolKind {
	if k := e.kind; k != nil && k.t == t {
		return k
	}
	return e.findKind(t)
}

// findKind is kindOf past its first guess.
func (e *engine) findKind(t census.SchoolType) *schoolKind {
	for i := range e.kinds {
		if e.kinds[i].t == t {
			e.kind = &e.kinds[i]
			return e.kind
		}
	}
	k := e.newKind(t)
	return &k
}

// splitFor returns the split weights of school type t, or nil for a
// one-stage school.
func (e *engine) splitFor(t census.SchoolType) *typeSplit {
	for i := range e.splits {
		if e.splits[i].t == t {
			return &e.splits[i]
		}
	}
	return nil
}

// weight returns the weight of stage st, 0 when it has none.
func (ts *typeSplit) weight(st census.Stage) float64 {
	if i := splitIndex(st); i >= 0 {
		return ts.w[i]
	}
	return 0
}

// splitIndex returns the index of st in splitStages, or -1.
func splitIndex(st census.Stage) int {
	for i, s := range splitStages {
		if s == st {
			return i
		}
	}
	return -1
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
			for _, f := range ir.src {
				if f >= 0 && !slices.Contains(e.perPart, f) {
					e.perPart = append(e.perPart, f)
				}
			}
		}
		e.inds[k] = ir
	}
	for _, t := range census.SchoolTypes {
		m := r.Settings.SplitWeights.For(t.Type)
		if m == nil {
			continue
		}
		ts := typeSplit{t: t.Type, m: m}
		for i, st := range splitStages {
			ts.w[i], ts.has[i] = m[st]
		}
		e.splits = append(e.splits, ts)
	}
	for k := range e.inds {
		e.scales = append(e.scales, e.inds[k].scale)
	}
	e.cvs, e.sums, e.partsBelow = make([]CV, len(e.inds)), make([]float64, 2*len(e.inds)), make([]int, min(len(e.inds), 64))
	// After the splits, which each kind points into.
	e.kinds = make([]schoolKind, 0, len(census.SchoolTypes))
	for _, t := range census.SchoolTypes {
		e.kinds = append(e.kinds, e.newKind(t.Type))
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
	kinds := e.schoolKinds[:0]
	for _, s := range schools {
		kind := e.kindOf(s.Type)
		kinds = append(kinds, kind)
		for _, in := range kind.in {
			if in {
				nParts++
			}
		}
	}
	e.schoolKinds = kinds
	sl := e.slabs.get(nParts, 2*nInd*nParts)
	if e.slabs != nil {
		c.slab = sl
		// The parts' shortfalls too are in the slab, given back with it.
		e.sfSlab = sl.shortfalls[:0]
		defer func() { sl.shortfalls, e.sfSlab = e.sfSlab, nil }()
	}
	e.sl = sl
	defer func() { e.sl = nil }() // not to keep the county's memory
	slab, figures := sl.parts, sl.figures
	c.Parts = sl.ptrs[:0]
	for si, s := range schools {
		kind := kinds[si]
		stages := kind.stages
		for i, st := range stages {
			if !kind.in[i] {
				continue
			}
			p := &slab[len(c.Parts)]
			p.SchoolCode, p.SchoolName, p.SchoolType = s.Code, s.Name, s.Type
			p.Location, p.Ownership = s.Location, s.Ownership
			p.Stage, p.order, p.Students = st, kind.order[i], s.Students(st)
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
			p.school = s
			e.attribute(c, s, p, kind.split)
			e.judge(p)
			c.Parts = append(c.Parts, p)
		}
	}
	e.sortParts(c.Parts)
	c.Stages = sl.stageList(len(r.Stages), nInd)
	for _, st := range r.Stages {
		sr := e.stage(c, sl, st)
		c.Stages = append(c.Stages, sr)
		if sr.MissingParts > 0 {
			c.Complete = false
		}
		for _, ir := range sr.Indicators {
			if ir.RoundingFlips {
				c.RoundingFlips++
			}
		}
	}
	c.ResourcePass = c.ResourceStatus() == census.StatusMet
	return c
}

// sortParts orders parts by byStageAndCode, stably. They come in the
// order of their schools, each school's stages in order: when each stage's
// parts are in code order (the schools are, as in a file sorted by code),
// placing the parts stage after stage sorts them in one pass.
func (e *engine) sortParts(parts []*Part) {
	if slices.IsSortedFunc(parts, byStageAndCode) {
		return
	}
	var count [3]int
	var last [3]*Part
	for _, p := range parts {
		o := p.order
		if q := last[o]; q != nil && q.SchoolCode > p.SchoolCode {
			slices.SortStableFunc(parts, byStageAndCode)
			return
		}
		last[o] = p
		count[o]++
	}
	e.byStage = append(e.byStage[:0], parts...)
	at := [3]int{0, count[0], count[0] + count[1]}
	for _, p := range e.byStage {
		o := p.order
		parts[at[o]] = p
		at[o]++
	}
	clear(e.byStage) // not to keep the county's parts
}

// byStageAndCode orders parts by stage, then school code.
func byStageAndCode(a, b *Part) int {
	if a.order != b.order {
		return a.order - b.order
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

// splitStages are the stages a split may weigh, in the fixed order every sum
// over them is formed in: float addition is not associative, and a map's
// order changes from run to run.
var splitStages = [...]census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior}

// splitTotal is Σ w·P over the school's stages, in splitStages order.
func splitTotal(s *census.School, ts *typeSplit) float64 {
	var tot float64
	for i, st := range splitStages {
		if ts.has[i] {
			tot += ts.w[i] * s.Students(st)
		}
	}
	return tot
}

// attribute fills p.Raw and p.Values from the school record; weights
// are its type's split weights (splitFor).
func (e *engine) attribute(c *County, s *census.School, p *Part, weights *typeSplit) {
	r := e.r
	si := p.order
	share := 1.0
	// Whether a one-stage school gave a per-part figure it does not use:
	// rarely, so its indicators need not each look.
	perPart := weights == nil && e.givesPerPart(s)
	if weights != nil {
		if tot := splitTotal(s, weights); tot > 0 {
			share = weights.weight(p.Stage) * p.Students / tot
		}
		p.Split = e.sl.split()
		p.Split.Basis, p.Split.Share, p.Split.Weights = r.Settings.SplitWeights.Mode, share, weights.m
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
				// A one-stage school: its whole total is its part's. A
				// per-part figure has nothing to split and is not used;
				// say so rather than drop it silently.
				x = whole
				if perPart {
					e.warnPerPart(c, s, p, ir)
				}
			case ir.src[si] >= 0 && s.Has(ir.src[si]):
				x = s.V[ir.src[si]]
				e.sl.addID(&p.Split.Given, ir.ind.ID, len(e.inds))
			default:
				// Another part's figure and the total give ours by
				// difference, when the school has exactly two parts with students.
				if other, ok := e.otherPartFigure(s, ir, p.Stage, weights); ok && !math.IsNaN(whole) {
					x = whole - other
					e.sl.addID(&p.Split.Derived, ir.ind.ID, len(e.inds))
				} else {
					x = whole * share
				}
			}
		}
		p.Raw[k] = x
		p.Values[k] = x / p.Students * ir.scale
	}
}

// exactRaw returns part p's raw figure of indicator k exactly, from the
// school's decimals, by the same path attribute took.
func (e *engine) exactRaw(p *Part, k int) *big.Rat {
	s := p.school
	if s == nil {
		return dec(p.Raw[k])
	}
	r := e.r
	ir := &e.inds[k]
	si := stageOrder(p.Stage)
	if !ir.facility {
		return dec(s.V[ir.src[si]])
	}
	wholeF := s.V[ir.whole]
	whole := dec(wholeF)
	if ir.whole == census.TeachingArea && r.Settings.SubtractIndoorGymFromTeachingArea && s.Has(census.IndoorGymArea) {
		whole.Sub(whole, dec(s.V[census.IndoorGymArea]))
	}
	weights := e.splitFor(s.Type)
	switch {
	case weights == nil:
		return whole
	case ir.src[si] >= 0 && s.Has(ir.src[si]):
		return dec(s.V[ir.src[si]])
	}
	if other, ok := e.otherPartFigure(s, ir, p.Stage, weights); ok && !math.IsNaN(wholeF) {
		return whole.Sub(whole, dec(other))
	}
	tot := new(big.Rat)
	for i, st := range splitStages {
		if weights.has[i] {
			tot.Add(tot, mul(dec(weights.w[i]), dec(s.Students(st))))
		}
	}
	if tot.Sign() <= 0 {
		return whole
	}
	share := mul(dec(weights.weight(p.Stage)), dec(p.Students))
	return whole.Mul(whole, share.Quo(share, tot))
}

// givesPerPart reports whether s has a figure in a per-part column of a
// facility indicator.
func (e *engine) givesPerPart(s *census.School) bool {
	for _, f := range e.perPart {
		if s.Has(f) {
			return true
		}
	}
	return false
}

// warnPerPart records a per-part figure of a facility indicator given for a
// one-stage school, where the whole-school figure is used.
func (e *engine) warnPerPart(c *County, s *census.School, p *Part, ir *indRule) {
	for si, f := range ir.src {
		if f < 0 || !s.Has(f) || si == p.order && s.V[f] == s.V[ir.whole] {
			continue // none given, or the same figure as the whole school's
		}
		col := census.Columns[f]
		c.Warnings = append(c.Warnings, Warning{SchoolCode: s.Code, SchoolName: s.Name, Stage: p.Stage,
			Column: col.Key, Code: WarningPerPartIgnored,
			Text: fmt.Sprintf("%s（%s）不分学段，填报的“%s”%s未使用，按全校合计“%s”计算",
				s.Name, s.Code, col.ZH, fmtNum(s.V[f]), census.Columns[ir.whole].ZH)})
	}
}

// otherPartFigure returns the per-part figure given for the other part of a
// two-part school, when exactly one other stage has students and a figure.
func (e *engine) otherPartFigure(s *census.School, ir *indRule, st census.Stage, weights *typeSplit) (float64, bool) {
	other, n := -1, 0
	for i, o := range splitStages {
		if weights.has[i] && o != st && s.Students(o) > 0 {
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

// cmpValue compares part p's value of indicator k with factor × th
// (factor 1 for the threshold, the school rule's floor for the 85 % floor):
// in float when that is far from the boundary (farCmp), else exactly, as
// raw × scale against factor × th × students.
func (e *engine) cmpValue(p *Part, k int, factor, th float64) int {
	if c := farCmp(p.Values[k], factor*th); c != 0 {
		return c
	}
	return cmpRatio(p.Values[k], func() *big.Rat { return e.exactRaw(p, k) }, p.Students, e.inds[k].scale, factor, th)
}

// farCmp compares v with a positive ft in float when v is far from it: 1
// or -1; 0 when it is near, or ft is not positive, and only an exact
// comparison can tell. It is inlined where it is called: judge tries it
// before cmpValue, whose call for each of a part's figures was a tenth of
// the evaluation.
func farCmp(v, ft float64) int {
	switch {
	case ft <= 0:
		return 0
	case v > ft*(1+nearRel):
		return 1
	case v < ft*(1-nearRel):
		return -1
	}
	return 0
}

// judge applies the school rule to p.
func (e *engine) judge(p *Part) {
	r := e.r
	si := p.order
	floorFail := false // some value is below the school rule's floor
	for k := range e.inds {
		ir := &e.inds[k]
		v := p.Values[k]
		if math.IsNaN(v) {
			p.Missing = append(p.Missing, ir.ind.ID)
			continue
		}
		th := ir.thr[si]
		c := farCmp(v, th)
		if c == 0 {
			c = e.cmpValue(p, k, 1, th)
		}
		if c >= 0 {
			p.Met++
			continue
		}
		if k < 64 {
			p.below |= 1 << k
		}
		belowFloor := e.cmpValue(p, k, r.SchoolRule.Floor, th) < 0
		floorFail = floorFail || belowFloor
		if e.noShortfalls {
			continue
		}
		sf := Shortfall{Indicator: ir.ind.ID, Value: v, Threshold: th, Ratio: v / th, BelowFloor: belowFloor}
		sf.Need = th*p.Students/ir.scale - p.Raw[k]
		if ir.integer[si] {
			sf.Need = ceilExact(sf.Need, func() *big.Rat {
				need := mul(dec(th), dec(p.Students))
				need.Quo(need, dec(ir.scale))
				return need.Sub(need, e.exactRaw(p, k))
			})
		}
		e.sf = append(e.sf, sf)
	}
	if n := len(e.sf); n > 0 {
		if cap(e.sfSlab)-len(e.sfSlab) < n {
			size := 512
			if e.slabs != nil {
				// A county's slab: the next one it is lent for
				// takes its shortfalls in one.
				size = max(size, 2*cap(e.sfSlab))
			}
			e.sfSlab = make([]Shortfall, 0, max(n, size))
		}
		i := len(e.sfSlab)
		e.sfSlab = append(e.sfSlab, e.sf...)
		p.Shortfalls = e.sfSlab[i : i+n : i+n]
		e.sf = e.sf[:0]
	}
	if len(p.Missing) > 0 {
		p.Pass = false
		return
	}
	if r.SchoolRule.MinMet == 0 {
		p.Pass = true
		return
	}
	p.Pass = p.Met >= r.SchoolRule.MinMet && !floorFail
}

// exactCV2 returns the exact square of the CV of indicator k over parts
// (those with the figure reported), or nil when the total is 0.
func (e *engine) exactCV2(parts []*Part, k int) *big.Rat {
	var x, w []*big.Rat
	for _, p := range parts {
		if !math.IsNaN(p.Raw[k]) {
			x = append(x, e.exactRaw(p, k))
			w = append(w, dec(p.Students))
		}
	}
	return cv2(x, w)
}

// cvNum is the CV of indicator k over parts, with its exact comparison
// when the float CV is too near its limit or a rounding half-way point
// (limit, decimals) for float arithmetic to decide.
func (e *engine) cvNum(v float64, parts []*Part, k int, limit float64, decimals int) exactNum {
	if !nearBoundary(v, limit) && !nearHalf(v, 2) && (decimals < 0 || !nearHalf(v, decimals)) {
		return exactNum{v: v}
	}
	var sq *big.Rat
	return exactNum{v: v, cmpExact: func(b *big.Rat) int {
		if sq == nil {
			sq = e.exactCV2(parts, k)
		}
		if sq == nil {
			return dec(v).Cmp(b)
		}
		return cmpSqrt(sq, b)
	}}
}

// compositeNum is the mean of the stage's CVs over parts, with its exact
// comparison (a sum of square roots; see cmpSumSqrt).
func (e *engine) compositeNum(v float64, parts []*Part) exactNum {
	var sqs []*big.Rat
	return exactNum{v: v, cmpExact: func(b *big.Rat) int {
		if sqs == nil {
			for k := range e.inds {
				sq := e.exactCV2(parts, k)
				if sq == nil {
					return dec(v).Cmp(b)
				}
				sqs = append(sqs, sq)
			}
		}
		return cmpSumSqrt(sqs, mul(b, big.NewRat(int64(len(sqs)), 1)))
	}}
}

// stage computes one stage set's CVs and verdict.
func (e *engine) stage(c *County, sl *partSlab, st census.Stage) *StageResult {
	r := e.r
	sr, results := sl.stage(len(e.inds))
	sr.Stage, sr.AllPartsPass = st, true
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
	sr.BalancePass = true
	var cvSum float64
	cvAll := true
	partsCVs(in, e.scales, e.cvs, e.sums)
	// The parts below each threshold, as judge found them (below) for the
	// first 64 indicators, in one pass.
	below := e.partsBelow
	clear(below)
	for _, p := range in {
		for b := p.below; b != 0; b &= b - 1 {
			below[bits.TrailingZeros64(b)]++
		}
	}
	for k := range e.inds {
		ind := e.inds[k].ind
		ir := &results[k]
		ir.Indicator, ir.Threshold = ind, e.inds[k].thr[stageOrder(st)]
		ir.CV = e.cvs[k]
		ir.Missing = len(in) - ir.CV.N // the parts without the figure
		if k < 64 {
			ir.PartsBelow = below[k]
		} else {
			for _, p := range in {
				// judge compared the value with the same threshold.
				if !math.IsNaN(p.Raw[k]) && e.cmpValue(p, k, 1, ir.Threshold) < 0 {
					ir.PartsBelow++
				}
			}
		}
		ir.Rounded = math.NaN()
		if r.Balance.Kind == standards.BalanceEach {
			ir.Limit = r.Balance.Limits[st]
			ir.Compared, ir.Rounded, ir.Pass, ir.RoundingFlips = judgeCV(e.cvNum(ir.CV.CV, in, k, ir.Limit, r.Settings.CVCompareDecimals), ir.Limit, r.Settings.CVCompareDecimals)
			ir.Over = !ir.Pass && !math.IsNaN(ir.Compared)
			ir.Pass = ir.Pass && ir.Missing == 0
			ir.Margin = ir.Limit - ir.CV.CV // NaN when undefined
			if !ir.Pass && len(in) > 0 {
				sr.BalancePass = false
				if ir.Missing > 0 {
					sr.MissingCVs++
				} else {
					sr.BadCVs++
				}
			}
		}
		if ir.Defined {
			cvSum += ir.CV.CV
		} else {
			cvAll = false
		}
		sr.Indicators[k] = ir
	}
	sr.CompositeCV = math.NaN()
	if cvAll && len(r.Indicators) > 0 {
		sr.CompositeCV = cvSum / float64(len(r.Indicators))
	}
	if r.Balance.Kind == standards.BalanceComposite {
		// The composite is judged here and, for the 基本均衡 precondition,
		// again later against other limits: keep the parts it reads.
		sr.composite = e.compositeNum(sr.CompositeCV, slices.Clone(in))
		sr.CompositeLim = r.Balance.Limits[st]
		_, _, sr.CompositePass, _ = judgeCV(sr.composite, sr.CompositeLim, r.Settings.CVCompareDecimals)
		sr.BalancePass = sr.CompositePass || len(in) == 0
		if !sr.BalancePass {
			if sr.MissingParts > 0 {
				sr.MissingCVs++
			} else {
				sr.BadCVs++
			}
		}
	}
	for _, p := range in {
		if !p.Pass && len(p.Missing) == 0 {
			sr.FailingComplete++
		}
	}
	sr.Pass = sr.Parts > 0 && sr.AllPartsPass && sr.BalancePass && sr.MissingParts == 0
	return sr
}

// CompositeAtMost reports whether the stage's composite CV is within limit,
// compared exactly (false when it is undefined).
func (s *StageResult) CompositeAtMost(limit float64) bool {
	if math.IsNaN(s.CompositeCV) {
		return false
	}
	x := s.composite
	x.v = s.CompositeCV
	return x.cmp(limit, func() *big.Rat { return dec(limit) }) <= 0
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
