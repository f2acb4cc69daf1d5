// Package plan finds the least-cost additions (补短板) that bring a county's
// compulsory schools to 资源配置 under a standard: every school part passes
// the 6-of-7 / 85 % school rule and every 差异系数 is within its limit. It
// also builds the naive plan ("raise each failing school to its
// thresholds") for comparison, proves a lower bound on the cost, and checks
// every plan with the evaluation engine before returning it.
//
// Additions are in the raw units of the census columns (teachers, ㎡, 元,
// rooms), so they can be added to the census file and evaluated again. It is
// a pure package: no files, no database, no clock.
package plan

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Plan is the planner's answer for one county.
type Plan struct {
	County     string
	CountyName string
	Year       int
	Standard   string
	Profile    string
	Rules      *standards.Rules
	// Feasible is true when the plan makes the county pass 资源配置; the
	// engine has checked it (After.ResourcePass).
	Feasible bool
	// Problem says, in Chinese, why there is no plan (missing data, caps
	// or schools that cannot build).
	Problem string
	// TotalCost is the plan's cost in 元; LowerBound a proved bound on the
	// cost of any plan within the same ranges; Gap = (cost − bound)/cost.
	// All three are 0 when there is no plan.
	TotalCost  float64
	LowerBound float64
	Gap        float64
	// Optimal is set when the exact search finished: no cheaper plan exists.
	Optimal bool
	// Nodes is the number of nodes the exact search evaluated.
	Nodes int
	// HeuristicCost is the cost of the constructive plan the search started from.
	HeuristicCost float64
	// Schools lists the schools with additions, in code order.
	Schools []SchoolPlan
	// Moves lists teachers moved between schools (rotation only).
	Moves []Move
	// Before and After are the engine's evaluations without and with the plan.
	Before, After *eval.County
	// Naive is the plan that raises every indicator of every failing part
	// to its threshold, and nothing else.
	Naive *Naive
	// Costs are the unit costs used; Options the choices.
	Costs   Costs
	Options Options
	// Notes are things the planner could not do or assumed.
	Notes []string
}

// SchoolPlan is what one school adds.
type SchoolPlan struct {
	Code string
	Name string
	Type census.SchoolType
	// Add maps census column keys to amounts in column units. A mixed
	// school's facility is added to its whole-school column (the engine
	// splits it); with rotation a negative amount is teachers moved out.
	Add   map[string]float64
	Items []Item
	Cost  float64
}

// Item is one line of a school's plan.
type Item struct {
	Indicator string // indicator id
	Column    string // census column key
	Amount    float64
	Unit      string
	Cost      float64
	// Hired and MovedIn/MovedOut split a teacher line under rotation.
	Hired, MovedIn, MovedOut float64
}

// Move is teachers moved from one school to another (rotation).
type Move struct {
	Column   string
	From, To string // school codes
	FromName string
	ToName   string
	Count    float64
}

// Naive is the naive plan and its verdict.
type Naive struct {
	Cost    float64
	Schools []SchoolPlan
	After   *eval.County
	// Pass is the engine's 资源配置 verdict with the naive plan: it can
	// still fail a CV.
	Pass bool
}

// Solve plans one county: schools are its records of one year.
func Solve(r *standards.Rules, schools []census.School, opt Options) (*Plan, error) {
	if len(schools) == 0 {
		return nil, errors.New("没有学校数据")
	}
	recs := make([]*census.School, len(schools))
	for i := range schools {
		if schools[i].CountyCode != schools[0].CountyCode || schools[i].Year != schools[0].Year {
			return nil, fmt.Errorf("规划一次只针对一个县区的一个年度：%s %d 与 %s %d 不同", schools[i].CountyCode, schools[i].Year, schools[0].CountyCode, schools[0].Year)
		}
		recs[i] = &schools[i]
	}
	if opt.Costs == nil {
		opt.Costs = DefaultCosts()
	}
	pl := &Plan{
		County: schools[0].CountyCode, CountyName: schools[0].CountyName, Year: schools[0].Year,
		Standard: r.ID, Profile: r.Profile.ID, Rules: r, Costs: opt.Costs, Options: opt,
	}
	m, err := newModel(r, recs, opt)
	var md *MissingDataError
	if errors.As(err, &md) {
		pl.Before = eval.EvaluateCounty(r, recs)
		pl.After = pl.Before
		pl.Naive = &Naive{After: pl.Before}
		pl.Problem = err.Error()
		return pl, nil
	}
	if err != nil {
		return nil, err
	}
	pl.Before = m.before
	pl.Notes = append(pl.Notes, m.notes...)
	if m.before.ResourcePass {
		pl.Feasible, pl.Optimal, pl.After = true, true, m.before
		pl.Naive = &Naive{After: m.before, Pass: true}
		return pl, nil
	}

	s := newSolver(m)
	var start []int
	if s.run() {
		start = s.n
		pl.HeuristicCost = m.cost(s.n)
		m.setPayers(s.n)
	} else {
		m.setPayers(nil)
	}
	b := newBnb(m)
	work := opt.Work
	if work <= 0 {
		work = DefaultWork
	}
	lb, optimal := b.search(start, work)
	pl.Nodes = b.nodes
	pl.Naive = m.naive(schools)
	if b.incumbent == nil {
		pl.Problem = m.whyInfeasible()
		pl.After = m.before
		return pl, nil
	}
	n := b.incumbent
	m.fewerMoves(n)
	pl.Optimal = optimal
	pl.TotalCost = m.cost(n)
	pl.LowerBound = math.Min(lb, pl.TotalCost)
	if pl.TotalCost > 0 {
		pl.Gap = (pl.TotalCost - pl.LowerBound) / pl.TotalCost
	}
	pl.Schools, pl.Moves = m.describe(n)
	after, err := Apply(schools, pl.Additions())
	if err != nil {
		return nil, err
	}
	pl.After = eval.Evaluate(r, pl.Year, after).Counties[0]
	pl.Feasible = pl.After.ResourcePass
	if !pl.Feasible {
		// The optimiser's arithmetic and the engine's disagree: say so
		// rather than show an unchecked plan as a pass.
		pl.Problem = "规划经评估引擎复核未通过（计算精度问题），请报告此数据"
	}
	return pl, nil
}

// Additions returns the plan as school code → column key → amount.
func (pl *Plan) Additions() map[string]map[string]float64 {
	return additions(pl.Schools)
}

func additions(sp []SchoolPlan) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, s := range sp {
		out[s.Code] = maps.Clone(s.Add)
	}
	return out
}

// Apply returns a copy of schools with additions added: school code →
// census column key → amount in column units. An addition to a column the
// school did not report is an error: "not reported" is not zero.
func Apply(schools []census.School, add map[string]map[string]float64) ([]census.School, error) {
	out := slices.Clone(schools)
	seen := map[string]bool{}
	for i := range out {
		cols, ok := add[out[i].Code]
		if !ok {
			continue
		}
		seen[out[i].Code] = true
		for _, key := range slices.Sorted(maps.Keys(cols)) {
			f, ok := census.FieldByKey(key)
			if !ok {
				return nil, fmt.Errorf("学校 %s：没有列 %q", out[i].Code, key)
			}
			if !out[i].Has(f) {
				return nil, fmt.Errorf("学校 %s 没有填报 %s，不能在此基础上增加", out[i].Code, census.Columns[f].ZH)
			}
			out[i].V[f] += cols[key]
		}
	}
	for code := range add {
		if !seen[code] {
			return nil, fmt.Errorf("没有学校 %s", code)
		}
	}
	return out, nil
}

// describe turns counts into per-school additions and, under rotation, moves.
func (m *model) describe(n []int) ([]SchoolPlan, []Move) {
	bySchool := map[int]*SchoolPlan{}
	get := func(si int) *SchoolPlan {
		sp, ok := bySchool[si]
		if !ok {
			s := m.schools[si]
			sp = &SchoolPlan{Code: s.Code, Name: s.Name, Type: s.Type, Add: map[string]float64{}}
			bySchool[si] = sp
		}
		return sp
	}
	var moves []Move
	for a := range m.acts {
		ac := &m.acts[a]
		if n[a] == 0 || ac.grp >= 0 {
			continue
		}
		sp := get(ac.school)
		amt := float64(n[a]) * ac.step
		for _, f := range ac.fields {
			sp.Add[f.Key()] += amt
		}
		ind := &m.r.Indicators[ac.k]
		c := float64(n[a]) * ac.cost
		sp.Items = append(sp.Items, Item{Indicator: ind.ID, Column: ac.fields[0].Key(), Amount: amt, Unit: m.costs.Unit(ind.ID).Label, Cost: c})
		sp.Cost += c
	}
	// Rotation: match donors to receivers; what receivers still lack is hired.
	for g := range m.groups {
		gr := &m.groups[g]
		if !gr.rot {
			continue
		}
		type side struct {
			a   int
			amt float64
		}
		var give, take []side
		for _, p := range gr.parts {
			a := m.actOf[p][gr.k]
			if a < 0 || n[a] == 0 {
				continue
			}
			amt := float64(n[a]) * m.acts[a].step
			if amt < 0 {
				give = append(give, side{a, -amt})
			} else {
				take = append(take, side{a, amt})
			}
		}
		ind := &m.r.Indicators[gr.k]
		u := m.costs.Unit(ind.ID)
		items := map[int]*Item{}
		item := func(a int) *Item {
			it, ok := items[a]
			if !ok {
				ac := &m.acts[a]
				it = &Item{Indicator: ind.ID, Column: ac.fields[0].Key(), Unit: u.Label}
				items[a] = it
			}
			return it
		}
		j := 0
		for _, t := range take {
			need := t.amt
			for need > 0 && j < len(give) {
				q := min(need, give[j].amt)
				from, to := m.schools[m.acts[give[j].a].school], m.schools[m.acts[t.a].school]
				moves = append(moves, Move{Column: m.acts[t.a].fields[0].Key(), From: from.Code, FromName: from.Name, To: to.Code, ToName: to.Name, Count: q})
				item(give[j].a).MovedOut += q
				item(t.a).MovedIn += q
				need -= q
				give[j].amt -= q
				if give[j].amt == 0 {
					j++
				}
			}
			if need > 0 {
				it := item(t.a)
				it.Hired += need
				it.Cost += need * u.Cost
			}
		}
		for a, it := range items {
			it.Amount = it.Hired + it.MovedIn - it.MovedOut
			sp := get(m.acts[a].school)
			sp.Add[it.Column] += it.Amount
			sp.Items = append(sp.Items, *it)
			sp.Cost += it.Cost
		}
	}
	out := make([]SchoolPlan, 0, len(bySchool))
	for _, sp := range bySchool {
		for k, v := range sp.Add {
			if v == 0 {
				delete(sp.Add, k)
			}
		}
		slices.SortFunc(sp.Items, func(x, y Item) int { return strings.Compare(x.Column, y.Column) })
		out = append(out, *sp)
	}
	slices.SortFunc(out, func(x, y SchoolPlan) int { return strings.Compare(x.Code, y.Code) })
	slices.SortFunc(moves, func(x, y Move) int {
		return strings.Compare(x.Column+x.From+x.To, y.Column+y.From+y.To)
	})
	return out, moves
}

// fewerMoves undoes moves of a rotation plan while it stays feasible at the
// same cost: a teacher back from a receiver to a donor.
func (m *model) fewerMoves(n []int) {
	for g := range m.groups {
		gr := &m.groups[g]
		if !gr.rot {
			continue
		}
		for changed := true; changed; {
			changed = false
			for _, r := range gr.parts {
				ra := m.actOf[r][gr.k]
				if ra < 0 || n[ra] <= 0 {
					continue
				}
				for _, d := range gr.parts {
					da := m.actOf[d][gr.k]
					if da < 0 || n[da] >= 0 || n[ra] <= 0 {
						continue
					}
					n[ra]--
					n[da]++
					if m.partPasses(r, n) && m.partPasses(d, n) && m.cvOK(g, n) {
						changed = true
						continue
					}
					n[ra]++
					n[da]--
				}
			}
		}
	}
}

// naive raises every indicator below its threshold of every failing part to
// the threshold, within the same caps; with rotation it hires.
func (m *model) naive(schools []census.School) *Naive {
	n := make([]int, len(m.acts))
	for a := range m.acts {
		n[a] = max(0, m.acts[a].lo)
	}
	for p := range m.parts {
		if m.parts[p].ep.Pass {
			continue
		}
		for k := range m.nInd {
			a := m.actOf[p][k]
			if a < 0 || m.met(p, k, m.parts[p].x0[k]) {
				continue
			}
			need, _ := m.countFor(p, k, m.parts[p].tRaw[k])
			n[a] = max(n[a], min(need, m.acts[a].hi))
		}
	}
	nv := &Naive{}
	nv.Cost = m.cost(n)
	nv.Schools, _ = m.describe(n)
	after, err := Apply(schools, additions(nv.Schools))
	if err != nil {
		return nv
	}
	nv.After = eval.Evaluate(m.r, schools[0].Year, after).Counties[0]
	nv.Pass = nv.After.ResourcePass
	return nv
}

// whyInfeasible names what blocks every plan: parts that cannot reach the
// school rule within their ranges (caps, no land), or sets whose CV cannot
// be brought within the limit even with every act at its cap.
func (m *model) whyInfeasible() string {
	var out []string
	for p := range m.parts {
		ep := m.parts[p].ep
		var floor, short []string
		for k := range m.nInd {
			ind := &m.r.Indicators[k]
			a := m.actOf[p][k]
			if need, ok := m.countFor(p, k, m.parts[p].fRaw[k]); !ok || (a >= 0 && need > m.acts[a].hi) {
				floor = append(floor, ind.ZH)
			}
			if need, ok := m.countFor(p, k, m.parts[p].tRaw[k]); !ok || (a >= 0 && need > m.acts[a].hi) {
				short = append(short, ind.ZH)
			}
		}
		switch {
		case len(floor) > 0:
			out = append(out, fmt.Sprintf("%s（%s）%s部在上限或不能建设的限制下达不到标准值的%g%%：%s", ep.SchoolName, ep.SchoolCode, ep.Stage.ZH(), m.floor*100, strings.Join(floor, "、")))
		case len(short) > m.m:
			out = append(out, fmt.Sprintf("%s（%s）%s部在上限或不能建设的限制下有%d项达不到标准值：%s", ep.SchoolName, ep.SchoolCode, ep.Stage.ZH(), len(short), strings.Join(short, "、")))
		}
	}
	var w waterfiller
	for g := range m.groups {
		gr := &m.groups[g]
		var items []wfItem
		for _, p := range gr.parts {
			x0 := m.parts[p].x0[gr.k]
			it := wfItem{P: m.parts[p].P, lo: x0, hi: x0}
			if a := m.actOf[p][gr.k]; a >= 0 {
				it.lo = x0 + m.coef[p][gr.k]*float64(m.acts[a].lo)
				it.hi = x0 + m.coef[p][gr.k]*float64(m.acts[a].hi)
			}
			it.lo = min(max(it.lo, m.parts[p].fRaw[gr.k]), it.hi)
			items = append(items, it)
		}
		if _, _, ok := w.solve(items, gr.a); !ok {
			out = append(out, fmt.Sprintf("%s%s的差异系数在上限或不能建设的限制下无法降到%.2f以内", gr.stage.ZH(), m.r.Indicators[gr.k].ZH, gr.limit))
		}
	}
	if len(out) == 0 {
		out = append(out, "在给定的上限和不能建设的限制下找不到同时满足学校达标和差异系数的方案；请放宽上限或允许更多学校建设")
	}
	return strings.Join(out, "；")
}
