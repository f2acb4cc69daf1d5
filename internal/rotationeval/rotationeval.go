// Package rotationeval judges a 教师交流轮岗 (teacher rotation) ledger
// against the school rule (校际 6-of-7, 教督〔2017〕6号): it evaluates a
// county's schools with eval.EvaluateCounty — the evaluation the what-if
// page and the planner run — before and after the ledger's rotations move
// their teachers, stage by stage, and names the school parts that meet
// the rule now and would not after.
//
// It is pure: a function of the census records, the rules and the ledger.
package rotationeval

import (
	"math"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Break is a school part that meets the school rule with the census as
// reported and would not with the ledger's rotations applied to its
// teacher counts.
type Break struct {
	School, Name string
	Stage        census.Stage
	// Out and In are the teachers of the stage the school sends and
	// receives; a school may do both.
	Out, In int
	// Shortfalls are the indicators below their thresholds after.
	Shortfalls []eval.Shortfall
}

// Result is what the ledger does to the county's schools under the rule.
type Result struct {
	Breaks []Break
	// Unstaged are the rotations whose stage neither the ledger nor the
	// schools' types tell (rotation.StageOf): they move no count here.
	Unstaged []rotation.Rotation
	// Unknown are the school codes the ledger names that the census of
	// the year does not hold: their counts cannot move.
	Unknown []string
}

// Check evaluates schools, the county's census records of the ledger's
// year, under rules before and after l's rotations: each school's
// full-time and backbone teachers of the rotation's stage change by what
// it receives less what it sends (never below 0). The rotated teachers'
// qualifications and titles are not in the ledger, so the other teacher
// counts stay. schools is not changed.
func Check(rules *standards.Rules, schools []census.School, l rotation.Ledger) Result {
	var res Result
	types := make(map[string]census.SchoolType, len(schools))
	for _, s := range schools {
		types[s.Code] = s.Type
	}
	seen := map[string]bool{}
	unknown := func(code string) {
		if _, ok := types[code]; !ok && !seen[code] {
			seen[code] = true
			res.Unknown = append(res.Unknown, code)
		}
	}
	for _, r := range l.Rotations {
		unknown(r.From)
		unknown(r.To)
	}
	for _, e := range l.Eligible {
		unknown(e.School)
	}
	slices.Sort(res.Unknown)
	moves, unstaged := l.Moves(types)
	res.Unstaged = unstaged
	type key struct {
		school string
		stage  census.Stage
	}
	by := map[key]rotation.Move{}
	for _, m := range moves {
		by[key{m.School, m.Stage}] = m
	}
	changed := slices.Clone(schools)
	touched := false
	for i := range changed {
		s := &changed[i]
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			m, ok := by[key{s.Code, st}]
			if !ok || !slices.Contains(s.Type.Stages(), st) && s.Students(st) <= 0 {
				continue
			}
			for fam, d := range map[string]int{"teachers": m.Net(), "backbone_teachers": m.NetBackbone()} {
				if d == 0 {
					continue
				}
				if f, ok := census.StageField(fam, st); ok {
					if v, ok := s.Get(f); ok {
						s.Set(f, math.Max(0, v+float64(d)))
						touched = true
					}
				}
			}
		}
	}
	if !touched {
		return res
	}
	ptrs := func(rs []census.School) []*census.School {
		out := make([]*census.School, len(rs))
		for i := range rs {
			out[i] = &rs[i]
		}
		return out
	}
	before := eval.EvaluateCounty(rules, ptrs(slices.Clone(schools)))
	after := eval.EvaluateCounty(rules, ptrs(changed))
	was := map[key]*eval.Part{}
	for _, q := range before.Parts {
		was[key{q.SchoolCode, q.Stage}] = q
	}
	for _, q := range after.Parts {
		qb := was[key{q.SchoolCode, q.Stage}]
		if q.Excluded || qb == nil || qb.Excluded || !qb.Pass || q.Pass {
			continue
		}
		m := by[key{q.SchoolCode, q.Stage}]
		res.Breaks = append(res.Breaks, Break{School: q.SchoolCode, Name: q.SchoolName, Stage: q.Stage, Out: m.Out, In: m.In,
			Shortfalls: q.Shortfalls})
	}
	return res
}
