package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The optimiser against exhaustive search on tiny counties: every cheaper
// combination of additions within generous ranges is tried with the
// engine, and none may pass.

// tinyRules keeps indicators ids of yzjh2017 with the school rule "all but
// one" and CV limit lim, so that small counties exercise every rule.
func tinyRules(t testing.TB, ids []string, lim float64) *standards.Rules {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	var keep []standards.Indicator
	for _, id := range ids {
		keep = append(keep, *r.Indicator(id))
	}
	r.Indicators = keep
	r.SchoolRule.MinMet = len(keep) - 1
	r.Balance.Limits = map[census.Stage]float64{census.StagePrimary: lim, census.StageJunior: lim}
	return r
}

// tinyCounty draws n schools (one of them possibly a 九年一贯制 school) with
// small enrolments and values around the thresholds.
func tinyCounty(rnd *rand.Rand, r *standards.Rules, n int, mixed bool) []census.School {
	var out []census.School
	for i := range n {
		s := census.NewSchool()
		s.Year, s.CountyCode, s.CountyName = 2024, "990001", "测试县"
		s.Code, s.Name = fmt.Sprintf("99000100%02d", i), fmt.Sprintf("学校%d", i)
		s.Type = census.Primary
		if mixed && i == 0 {
			s.Type = census.NineYear
		} else if i == n-1 && n > 2 && rnd.IntN(2) == 0 {
			s.Type = census.Junior
		}
		stu := map[census.Stage]float64{}
		for _, st := range s.Type.Stages() {
			stu[st] = float64(20 + rnd.IntN(100))
			f, _ := census.StageField("students", st)
			s.Set(f, stu[st])
		}
		for _, ind := range r.Indicators {
			var whole float64
			for _, st := range s.Type.Stages() {
				v := ind.Thresholds[st] * (0.55 + 0.9*rnd.Float64())
				raw := v * stu[st] / ind.Scale
				if ind.Kind == standards.KindStage {
					f, _ := census.StageField(ind.Source, st)
					s.Set(f, math.Round(raw))
					continue
				}
				whole += raw
			}
			if ind.Kind == standards.KindFacility {
				f, _ := census.FieldByKey(ind.Source)
				if census.Columns[f].Integer {
					whole = math.Round(whole)
				} else {
					whole = math.Round(whole/10) * 10
				}
				s.Set(f, whole)
			}
		}
		out = append(out, s)
	}
	return out
}

// tinyCosts: default prices, coarse steps so that ranges stay small.
func tinyCosts() Costs {
	c := DefaultCosts()
	for id, step := range map[string]float64{"teaching_area": 20, "sports_area": 40, "equipment_value": 10000} {
		u := c[id]
		u.Step = step
		c[id] = u
	}
	return c
}

type bfAct struct {
	school string
	key    string
	step   float64
	cost   float64
	lo, hi int
	rot    string // rotation group: stage column key, "" when none
}

// bruteForce returns the cost of the cheapest passing combination that is
// cheaper than limit, or +Inf.
func bruteForce(r *standards.Rules, schools []census.School, costs Costs, opt Options, limit float64, span int) float64 {
	var acts []bfAct
	for _, s := range schools {
		for _, ind := range r.Indicators {
			u := costs.Unit(ind.ID)
			if ind.Kind == standards.KindStage {
				for _, st := range s.Type.Stages() {
					f, _ := census.StageField(ind.Source, st)
					a := bfAct{school: s.Code, key: f.Key(), step: u.Step, cost: u.Cost * u.Step, hi: span}
					if opt.Rotation {
						a.lo = -int(s.V[f])
						a.rot = f.Key()
					}
					if c, ok := opt.Caps[s.Code][ind.ID]; ok {
						a.hi = min(a.hi, int(c/u.Step))
					}
					acts = append(acts, a)
				}
				continue
			}
			a := bfAct{school: s.Code, key: ind.Source, step: u.Step, cost: u.Cost * u.Step, hi: span}
			if opt.NoBuild[s.Code] && buildIndicator(&ind) {
				a.hi = 0
			}
			if c, ok := opt.Caps[s.Code][ind.ID]; ok {
				a.hi = min(a.hi, int(c/u.Step))
			}
			acts = append(acts, a)
		}
	}
	best := limit
	found := math.Inf(1)
	n := make([]int, len(acts))
	cost := func() float64 {
		var c float64
		hires := map[string]int{}
		for i, a := range acts {
			if a.rot != "" {
				hires[a.rot] += n[i]
				continue
			}
			c += a.cost * float64(n[i])
		}
		for key, h := range hires {
			if h < 0 {
				return math.Inf(1)
			}
			for _, a := range acts {
				if a.rot == key {
					c += a.cost * float64(h)
					break
				}
			}
		}
		return c
	}
	var rec func(i int, partial float64)
	rec = func(i int, partial float64) {
		if partial >= best-1e-6 {
			return
		}
		if i == len(acts) {
			c := cost()
			if c >= best-1e-6 {
				return
			}
			add := map[string]map[string]float64{}
			for j, a := range acts {
				if n[j] != 0 {
					if add[a.school] == nil {
						add[a.school] = map[string]float64{}
					}
					add[a.school][a.key] += float64(n[j]) * a.step
				}
			}
			after, err := Apply(schools, add)
			if err != nil {
				panic(err)
			}
			if eval.Evaluate(r, 2024, after).Counties[0].ResourcePass {
				best, found = c, c
			}
			return
		}
		a := acts[i]
		for v := a.lo; v <= a.hi; v++ {
			n[i] = v
			p := partial
			if a.rot == "" {
				p += a.cost * float64(v)
			}
			rec(i+1, p)
		}
		n[i] = 0
	}
	rec(0, 0)
	return found
}

func TestExhaustive(t *testing.T) {
	type tcase struct {
		ids   []string
		n     int
		mixed bool
		lim   float64
		span  int
		opt   func(schools []census.School) Options
	}
	none := func([]census.School) Options { return Options{} }
	cases := map[string]tcase{
		"teachers":          {[]string{"qualified_teachers", "backbone_teachers"}, 3, false, 0.3, 4, none},
		"teacher+area":      {[]string{"backbone_teachers", "teaching_area"}, 3, false, 0.25, 5, none},
		"rooms+pe":          {[]string{"pe_art_teachers", "multimedia_rooms"}, 3, false, 0.3, 4, none},
		"mixed school":      {[]string{"backbone_teachers", "equipment_value"}, 3, true, 0.3, 5, none},
		"three indicators":  {[]string{"backbone_teachers", "pe_art_teachers", "sports_area"}, 2, false, 0.3, 3, none},
		"four parts":        {[]string{"backbone_teachers", "multimedia_rooms"}, 4, false, 0.35, 3, none},
		"mixed, four parts": {[]string{"qualified_teachers", "teaching_area"}, 3, true, 0.3, 4, none},
		"no build and caps": {[]string{"backbone_teachers", "teaching_area"}, 3, false, 0.3, 5, func(s []census.School) Options {
			return Options{NoBuild: map[string]bool{s[0].Code: true}, Caps: map[string]map[string]float64{s[1].Code: {"backbone_teachers": 1}}}
		}},
		"rotation": {[]string{"backbone_teachers", "pe_art_teachers"}, 3, false, 0.25, 3, func([]census.School) Options {
			return Options{Rotation: true}
		}},
	}
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := tinyRules(t, tc.ids, tc.lim)
			for seed := range seeds {
				rnd := rand.New(rand.NewPCG(uint64(seed), 42))
				schools := tinyCounty(rnd, r, tc.n, tc.mixed)
				opt := tc.opt(schools)
				opt.Costs = tinyCosts()
				pl, err := Solve(r, schools, opt)
				if err != nil {
					t.Fatal(err)
				}
				limit := math.Inf(1)
				if pl.Feasible {
					limit = pl.TotalCost
					if !pl.Optimal {
						t.Errorf("seed %d: search did not finish (%d nodes, bound %v, cost %v)", seed, pl.Nodes, pl.LowerBound, pl.TotalCost)
					}
					if pl.LowerBound > pl.TotalCost+1e-6 {
						t.Errorf("seed %d: bound %v above cost %v", seed, pl.LowerBound, pl.TotalCost)
					}
				}
				if pl.Before.ResourcePass {
					continue
				}
				if c := bruteForce(r, schools, opt.Costs, opt, limit, tc.span+maxHi(pl)); !math.IsInf(c, 1) {
					t.Errorf("seed %d: exhaustive search found %v, planner %v (feasible %v)\n%s", seed, c, pl.TotalCost, pl.Feasible, describePlan(pl))
				}
			}
		})
	}
}

// maxHi is the largest count in the plan, so that the exhaustive ranges
// always contain the plan.
func maxHi(pl *Plan) int {
	n := 0
	for _, s := range pl.Schools {
		for _, it := range s.Items {
			u := pl.Costs.Unit(it.Indicator)
			n = max(n, int(math.Abs(it.Amount)/u.Step))
		}
	}
	return n
}

func describePlan(pl *Plan) string {
	var b []string
	for _, s := range pl.Schools {
		keys := make([]string, 0, len(s.Add))
		for k := range s.Add {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = append(b, fmt.Sprintf("%s %s %+g", s.Code, k, s.Add[k]))
		}
	}
	return fmt.Sprint(b)
}
