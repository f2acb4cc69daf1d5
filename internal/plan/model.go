package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// eps is the slack of every count computed from a quotient: 357/10000×100
// is 3.5700000000000003 in binary floating point, so a need of exactly 3
// teachers must not become 4 by rounding noise.
const eps = 1e-9

// model is a county's planning problem in the optimiser's terms.
//
// Every school part in scope is a mpart with its raw numerators x0 (the
// engine's Part.Raw). Every way to raise a numerator is an act: adding
// `step` column units to one or two census columns of one school, which
// raises the raw numerators of one part (teachers, a one-stage school's
// facilities) or of both parts of a mixed school (a whole-school facility
// column, split as the engine splits it) by coef per count. Each
// (part, indicator) is raised by at most one act. A group is one
// (stage, indicator) set whose 差异系数 must stay within its limit.
type model struct {
	r       *standards.Rules
	opt     Options
	costs   Costs
	schools []*census.School
	before  *eval.County

	nInd   int
	minMet int     // indicators a part must meet
	m      int     // indicators a part may leave between floor and threshold
	floor  float64 // the school rule's floor (0.85)
	// knap: raising a part to its threshold never raises a CV, because
	// (1+L²)·floor ≥ 1 in every stage, so the lower bound may trade the
	// school rule's choice of indicator against the CV (bound.go).
	knap bool

	parts  []mpart
	groups []group
	acts   []act
	actOf  [][]int     // [part][indicator] → act, or -1 when nothing can raise it
	coef   [][]float64 // [part][indicator] → raw increase per count of its act
	// hrate is the full cost of a raw unit of a part through its act (what
	// the constructive optimiser pays); brate the part of it charged to the
	// part's set in lower bounds (an act that raises two parts has its cost
	// shared between their sets, never more than once in total).
	hrate, brate [][]float64
	notes        []string // what the model could not do (no way to raise, conflicting columns)
}

type mpart struct {
	ep     *eval.Part
	school int
	P      float64
	x0     []float64 // raw numerators before the plan
	tRaw   []float64 // the threshold as a raw numerator: t·P/scale
	fRaw   []float64 // the floor (85 %) as a raw numerator
	thr    []float64 // the threshold t itself, and the indicator's scale:
	scale  []float64 // what the engine's exact comparison reads
	g      []int     // group of each indicator
}

type group struct {
	stage census.Stage
	k     int
	parts []int
	limit float64
	a     float64 // 1 + limit²: CV ≤ L ⇔ P·Σx²/P_i ≤ a·(Σx)²
	P     float64 // students
	// rate is the least cost per raw unit of any act of the group, charged
	// to every part in lower bounds; an act that also raises another
	// stage's part is charged there too, which never exceeds its cost.
	rate float64
	// unit, when positive, is the cost of one count of every act of the
	// group, each charged in full here: the group's cost is a whole
	// multiple of it, and so may its bound be rounded up.
	unit float64
	rot  bool    // teachers may move between the group's parts
	cost float64 // rotation: the cost of hiring one teacher
	X0   float64 // Σ x0
}

type act struct {
	school int
	k      int
	fields []census.Field // census columns raised by step per count
	step   float64
	cost   float64 // per count
	lo, hi int
	eff    []eff
	grp    int // rotation group, or -1
}

type eff struct {
	p    int
	coef float64
}

// Options are the planner's choices.
type Options struct {
	// Costs are the unit costs; nil means DefaultCosts.
	Costs Costs
	// Caps limits additions per school: school code → indicator id → the
	// most that may be added, in the indicator's column units (teachers,
	// ㎡, 元, rooms).
	Caps map[string]map[string]float64
	// DefaultCaps applies to every school without its own cap for that
	// indicator: indicator id → the most that may be added per school.
	DefaultCaps map[string]float64
	// NoBuild lists schools that cannot add floor area (no land): their
	// teaching and sports areas stay as they are.
	NoBuild map[string]bool
	// Rotation allows moving teachers between schools of the same stage in
	// the county: no hiring cost, the county's total unchanged.
	Rotation bool
	// Work bounds the exact search (branch and bound) in part-evaluations;
	// 0 means DefaultWork. The plan is always verified; when the search
	// stops early the plan reports its lower bound and gap.
	Work int
}

// DefaultWork lets the exact search run for a few tenths of a second for a
// county of 300 parts, and to the end for small counties.
const DefaultWork = 3_000_000

// newModel builds the planning problem of one county's records.
func newModel(r *standards.Rules, schools []*census.School, opt Options) (*model, error) {
	if r.Balance.Kind != standards.BalanceEach {
		return nil, fmt.Errorf("补短板规划只支持每项指标分别限制差异系数的标准（如 yzjh2017），%s 是综合差异系数", r.ID)
	}
	costs := opt.Costs
	if costs == nil {
		costs = DefaultCosts()
	}
	if err := costs.Check(r); err != nil {
		return nil, err
	}
	m := &model{r: r, opt: opt, costs: costs, schools: schools, nInd: len(r.Indicators)}
	m.minMet = r.SchoolRule.MinMet
	m.floor = r.SchoolRule.Floor
	if m.minMet == 0 {
		m.minMet, m.floor = 0, 0
	}
	m.m = m.nInd - m.minMet
	m.before = eval.EvaluateCounty(r, schools)
	m.knap = true
	for _, st := range r.Stages {
		L := r.Balance.Limits[st]
		if (1+L*L)*m.floor < 1 {
			m.knap = false
		}
	}

	// Parts in scope, in the engine's order.
	type key struct {
		code  string
		stage census.Stage
	}
	schoolIdx := map[string]int{}
	for i, s := range schools {
		schoolIdx[s.Code] = i
	}
	partIdx := map[key]int{}
	var missing []string
	for _, ep := range m.before.Parts {
		if ep.Excluded {
			continue
		}
		if len(ep.Missing) > 0 {
			missing = append(missing, fmt.Sprintf("%s（%s）%s部 缺少 %s", ep.SchoolName, ep.SchoolCode, ep.Stage.ZH(), strings.Join(ep.Missing, "、")))
			continue
		}
		p := mpart{ep: ep, school: schoolIdx[ep.SchoolCode], P: ep.Students, x0: slices.Clone(ep.Raw)}
		for _, ind := range r.Indicators {
			t := ind.Thresholds[ep.Stage] * ep.Students / ind.Scale
			p.tRaw = append(p.tRaw, t)
			p.fRaw = append(p.fRaw, m.floor*t)
			p.thr = append(p.thr, ind.Thresholds[ep.Stage])
			p.scale = append(p.scale, ind.Scale)
		}
		partIdx[key{ep.SchoolCode, ep.Stage}] = len(m.parts)
		m.parts = append(m.parts, p)
	}
	if len(missing) > 0 {
		return nil, &MissingDataError{Parts: missing}
	}

	// Groups: one per stage and indicator.
	for _, st := range r.Stages {
		L := r.Balance.Limits[st]
		for k := range r.Indicators {
			g := group{stage: st, k: k, limit: L, a: 1 + L*L, rate: math.Inf(1)}
			for i := range m.parts {
				if m.parts[i].ep.Stage == st {
					g.parts = append(g.parts, i)
					g.P += m.parts[i].P
					g.X0 += m.parts[i].x0[k]
				}
			}
			if len(g.parts) == 0 {
				continue
			}
			for _, i := range g.parts {
				m.parts[i].g = growTo(m.parts[i].g, m.nInd)
				m.parts[i].g[k] = len(m.groups)
			}
			ind := &r.Indicators[k]
			g.rot = opt.Rotation && ind.Kind == standards.KindStage
			m.groups = append(m.groups, g)
		}
	}

	m.actOf = make([][]int, len(m.parts))
	m.coef = make([][]float64, len(m.parts))
	for i := range m.parts {
		m.actOf[i] = make([]int, m.nInd)
		m.coef[i] = make([]float64, m.nInd)
		for k := range m.actOf[i] {
			m.actOf[i][k] = -1
		}
	}
	for si, s := range schools {
		var own []int // this school's parts
		for _, st := range s.Type.Stages() {
			if p, ok := partIdx[key{s.Code, st}]; ok {
				own = append(own, p)
			}
		}
		if len(own) == 0 {
			continue
		}
		for k := range r.Indicators {
			m.addActs(si, k, own)
		}
	}
	for a := range m.acts {
		m.bounds(a)
	}
	m.hrate = make([][]float64, len(m.parts))
	m.brate = make([][]float64, len(m.parts))
	for p := range m.parts {
		m.hrate[p] = make([]float64, m.nInd)
		m.brate[p] = make([]float64, m.nInd)
	}
	for a := range m.acts {
		m.share(a, nil)
	}
	for gi := range m.groups {
		g := &m.groups[gi]
		u := m.costs.Unit(r.Indicators[g.k].ID)
		if g.rot {
			g.cost, g.rate = u.Cost*u.Step, u.Cost
			continue
		}
		for _, p := range g.parts {
			a := m.actOf[p][g.k]
			if a < 0 {
				continue
			}
			var sum float64
			for _, e := range m.acts[a].eff {
				sum += e.coef
			}
			g.rate = min(g.rate, m.acts[a].cost/sum)
		}
		if math.IsInf(g.rate, 1) {
			g.rate = 0
		}
	}
	return m, nil
}

// share sets the rates of act a's parts. weight, when given, says which
// share of the act's cost each effect's set is charged in lower bounds
// (summing to at most 1); nil shares it in proportion to the raw increase.
func (m *model) share(a int, weight []float64) {
	ac := &m.acts[a]
	var sum float64
	for _, e := range ac.eff {
		sum += e.coef
	}
	for i, e := range ac.eff {
		m.hrate[e.p][ac.k] = ac.cost / e.coef
		w := e.coef / sum
		if weight != nil {
			w = weight[i]
		}
		m.brate[e.p][ac.k] = w * ac.cost / e.coef
	}
}

// setPayers charges each two-part act, in lower bounds, to the set that
// needs it in the plan n: the whole cost to one set when the other set
// would keep its CV and its part's school rule without the act; shared in
// proportion otherwise. Then it notes which groups cost whole multiples of
// one count.
func (m *model) setPayers(n []int) {
	for a := range m.acts {
		ac := &m.acts[a]
		if len(ac.eff) < 2 || n == nil || n[a] <= 0 {
			continue
		}
		var askers []int
		keep := n[a]
		for i, e := range ac.eff {
			n[a] = ac.lo
			if !m.partPasses(e.p, n) || !m.cvOK(m.parts[e.p].g[ac.k], n) {
				askers = append(askers, i)
			}
			n[a] = keep
		}
		if len(askers) == 1 {
			w := make([]float64, len(ac.eff))
			w[askers[0]] = 1
			m.share(a, w)
		}
	}
	for g := range m.groups {
		gr := &m.groups[g]
		gr.unit = 0
		if gr.rot {
			continue
		}
		unit := -1.0
		for _, p := range gr.parts {
			a := m.actOf[p][gr.k]
			if a < 0 {
				continue
			}
			full := m.brate[p][gr.k]*m.coef[p][gr.k] == m.acts[a].cost
			switch {
			case !full || (unit >= 0 && unit != m.acts[a].cost):
				unit = 0
			case unit < 0:
				unit = m.acts[a].cost
			}
		}
		gr.unit = max(unit, 0)
	}
}

func growTo(s []int, n int) []int {
	if len(s) < n {
		s = append(s, make([]int, n-len(s))...)
	}
	return s
}

// MissingDataError says which parts lack data: a county cannot be planned
// (or pass) until they are reported.
type MissingDataError struct{ Parts []string }

func (e *MissingDataError) Error() string {
	return "数据不全，补齐后才能规划：" + strings.Join(e.Parts, "；")
}

// addActs adds the ways school si can raise indicator k of its parts own.
func (m *model) addActs(si, k int, own []int) {
	r := m.r
	ind := &r.Indicators[k]
	s := m.schools[si]
	u := m.costs.Unit(ind.ID)
	if ind.Kind == standards.KindStage {
		// Teachers are counted per stage and never split.
		for _, p := range own {
			f, ok := census.StageField(ind.Source, m.parts[p].ep.Stage)
			if !ok {
				continue
			}
			m.push(act{school: si, k: k, fields: []census.Field{f}, step: u.Step, cost: u.Cost * u.Step,
				eff: []eff{{p, u.Step}}, grp: -1})
		}
		return
	}
	whole, ok := census.FieldByKey(ind.Source)
	if !ok {
		return
	}
	// A facility: the whole-school column, and for a mixed school that
	// reports a part's own figure, that column together with the whole.
	cands := [][]census.Field{{whole}}
	if len(own) > 1 || len(s.Type.Stages()) > 1 {
		for _, st := range s.Type.Stages() {
			if f, ok := census.StageField(ind.Source, st); ok && s.Has(f) {
				cands = append(cands, []census.Field{f, whole})
			}
		}
	}
	var base *eval.County
	for _, fields := range cands {
		if base == nil {
			base = eval.EvaluateCounty(r, []*census.School{s})
		}
		c := *s
		for _, f := range fields {
			c.V[f] += u.Step
		}
		after := eval.EvaluateCounty(r, []*census.School{&c})
		var effs []eff
		for i, ep := range after.Parts {
			if ep.Excluded || ep.Raw == nil {
				continue
			}
			d := ep.Raw[k] - base.Parts[i].Raw[k]
			if math.Abs(d) <= 1e-12*u.Step {
				continue
			}
			for _, p := range own {
				if m.parts[p].ep.Stage == ep.Stage {
					effs = append(effs, eff{p, d})
				}
			}
		}
		if len(effs) == 0 {
			continue
		}
		clash := false
		for _, e := range effs {
			if m.actOf[e.p][k] >= 0 || e.coef < 0 {
				clash = true
			}
		}
		if clash {
			m.notes = append(m.notes, fmt.Sprintf("%s（%s）的 %s 有分学段数据，%s 与其他列重叠，未作为补充方式", s.Name, s.Code, ind.ZH, fields[0]))
			continue
		}
		m.push(act{school: si, k: k, fields: fields, step: u.Step, cost: u.Cost * u.Step, eff: effs, grp: -1})
	}
}

func (m *model) push(a act) {
	for _, e := range a.eff {
		m.actOf[e.p][a.k] = len(m.acts)
		m.coef[e.p][a.k] = e.coef
	}
	m.acts = append(m.acts, a)
}

// bounds sets act a's range of counts: no more than its cap, and no more
// than brings each of its parts one count above the highest per-student
// value its group can need — the best value now, or a part's threshold in
// whole counts. (Raising the part with the highest value never lowers a CV:
// d(CV²)/dy_max ∝ (y_max − ȳ)·ȳ − Var ≥ 0 because Var ≤ (y_max − ȳ)(ȳ − y_min);
// so an optimal plan never lifts a part past every other part and its own
// need by a whole count.) A school that cannot build adds no floor area.
// With rotation, a teacher count may fall to zero.
func (m *model) bounds(a int) {
	ac := &m.acts[a]
	ind := &m.r.Indicators[ac.k]
	s := m.schools[ac.school]
	natural := 0
	for _, e := range ac.eff {
		p := &m.parts[e.p]
		g := &m.groups[p.g[ac.k]]
		best := 0.0
		for _, q := range g.parts {
			x := m.parts[q].x0[ac.k]
			if t := m.gridUp(q, ac.k, m.parts[q].tRaw[ac.k], x); !math.IsInf(t, 1) {
				x = max(x, t)
			}
			best = max(best, x/m.parts[q].P)
		}
		target := best * p.P
		natural = max(natural, int(math.Ceil((target-p.x0[ac.k])/e.coef-eps))+1)
	}
	ac.hi = natural
	limit := math.Inf(1)
	if c, ok := m.opt.Caps[s.Code][ind.ID]; ok {
		limit = c
	} else if c, ok := m.opt.DefaultCaps[ind.ID]; ok {
		limit = c
	}
	if m.opt.NoBuild[s.Code] && buildIndicator(ind) {
		limit = 0
	}
	if !math.IsInf(limit, 1) {
		ac.hi = min(ac.hi, int(math.Floor(limit/ac.step+eps)))
	}
	ac.hi = max(ac.hi, 0)
	if len(ac.eff) == 1 {
		p := ac.eff[0].p
		if g := &m.groups[m.parts[p].g[ac.k]]; g.rot {
			ac.grp = m.parts[p].g[ac.k]
			ac.lo = -int(math.Floor(m.parts[p].x0[ac.k]/ac.eff[0].coef + eps))
		}
	}
}

// raw returns part p's numerator of indicator k under counts n.
func (m *model) raw(p, k int, n []int) float64 {
	a := m.actOf[p][k]
	if a < 0 {
		return m.parts[p].x0[k]
	}
	return m.parts[p].x0[k] + m.coef[p][k]*float64(n[a])
}

// countFor returns the least count of p's act for k that brings its raw
// numerator to target (possibly negative under rotation), and false when
// nothing can raise it and it is short.
func (m *model) countFor(p, k int, target float64) (int, bool) {
	x0 := m.parts[p].x0[k]
	a := m.actOf[p][k]
	if a < 0 {
		return 0, m.reaches(p, k, x0, target)
	}
	c := m.coef[p][k]
	n := int(math.Ceil((target-x0)/c - eps))
	// The engine decides exactly: eps may have taken n one short.
	for range 3 {
		if m.reaches(p, k, x0+c*float64(n), target) {
			break
		}
		n++
	}
	return n, true
}

// reaches reports whether raw x of part p reaches target: as the engine
// decides (exactly, on the decimals) when target is the part's threshold or
// floor for k, else within eps.
func (m *model) reaches(p, k int, x, target float64) bool {
	pt := &m.parts[p]
	switch target {
	case pt.tRaw[k]:
		return eval.RawAtLeast(x, pt.P, pt.scale[k], 1, pt.thr[k])
	case pt.fRaw[k]:
		return eval.RawAtLeast(x, pt.P, pt.scale[k], m.floor, pt.thr[k])
	}
	return x >= target-math.Abs(target)*eps
}

// met reports whether raw x of part p reaches its threshold for k, as the
// engine decides.
func (m *model) met(p, k int, x float64) bool {
	pt := &m.parts[p]
	return eval.RawAtLeast(x, pt.P, pt.scale[k], 1, pt.thr[k])
}

// aboveFloor reports whether raw x of part p reaches its floor for k.
func (m *model) aboveFloor(p, k int, x float64) bool {
	pt := &m.parts[p]
	return eval.RawAtLeast(x, pt.P, pt.scale[k], m.floor, pt.thr[k])
}

// partPasses applies the school rule to part p under counts n.
func (m *model) partPasses(p int, n []int) bool {
	met := 0
	for k := range m.nInd {
		x := m.raw(p, k, n)
		if m.met(p, k, x) {
			met++
		} else if !m.aboveFloor(p, k, x) {
			return false
		}
	}
	return met >= m.minMet
}

// cvOK reports whether group g's CV is within its limit under counts n,
// computed as the engine does (weighted mean, population SD).
func (m *model) cvOK(g int, n []int) bool {
	gr := &m.groups[g]
	var s1, s2 float64
	for _, p := range gr.parts {
		x := m.raw(p, gr.k, n)
		s1 += x
		s2 += x * x / m.parts[p].P
	}
	return cvWithin(s1, s2, gr.P, gr.a)
}

// cvWithin reports whether a group with Σx = s1, Σx²/P_i = s2 and P
// students has CV ≤ L, where a = 1 + L²; the mean must be positive. A hair
// of slack on the safe side keeps the engine's verdict the same.
func cvWithin(s1, s2, P, a float64) bool {
	if s1 <= 0 {
		return false
	}
	return P*s2 <= a*s1*s1*(1-1e-12)
}

// feasible reports whether counts n satisfy every part's school rule and
// every group's CV limit, and every rotation group keeps its teachers.
func (m *model) feasible(n []int) bool {
	for a := range m.acts {
		if n[a] < m.acts[a].lo || n[a] > m.acts[a].hi {
			return false
		}
	}
	for p := range m.parts {
		if !m.partPasses(p, n) {
			return false
		}
	}
	for g := range m.groups {
		if !m.cvOK(g, n) {
			return false
		}
		if m.groups[g].rot && m.hires(g, n) < 0 {
			return false
		}
	}
	return true
}

// hires returns the net change of rotation group g's teachers: the hires.
func (m *model) hires(g int, n []int) int {
	h := 0
	for _, p := range m.groups[g].parts {
		if a := m.actOf[p][m.groups[g].k]; a >= 0 {
			h += n[a]
		}
	}
	return h
}

// cost returns the cost of counts n: every act's count times its cost, and
// for a rotation group its hires (moves are free).
func (m *model) cost(n []int) float64 {
	var c float64
	for a := range m.acts {
		if m.acts[a].grp < 0 {
			c += m.acts[a].cost * float64(n[a])
		}
	}
	for g := range m.groups {
		if m.groups[g].rot {
			c += m.groups[g].cost * float64(max(0, m.hires(g, n)))
		}
	}
	return c
}
