package plan

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
)

// county300 is a county of about 300 school parts that fails 资源配置 in
// every way: three demo counties merged into one — a county of many small
// village schools, one with a high backbone-teacher CV and one with a weak
// school — so that it has a failing part and four CVs over their limits,
// in teachers, areas and rooms.
func county300(b testing.TB) []census.School {
	b.Helper()
	var schools []census.School
	for _, code := range []string{"980223", "980324", "980602"} {
		for _, s := range demoCounty(b, code) {
			s.CountyCode, s.CountyName = "990000", "合并县"
			schools = append(schools, s)
		}
	}
	r := national(b)
	c := eval.Evaluate(r, demo.LatestYear, schools).Counties[0]
	n, failing, cvs := 0, 0, 0
	for _, p := range c.Parts {
		if !p.Excluded {
			n++
			if !p.Pass {
				failing++
			}
		}
	}
	for _, s := range c.Stages {
		for _, ir := range s.Indicators {
			if !ir.Pass {
				cvs++
			}
		}
	}
	if n < 290 || n > 320 || failing == 0 || cvs < 2 {
		b.Fatalf("county of %d parts, %d failing, %d CVs over: not the benchmark's county", n, failing, cvs)
	}
	return schools
}

// BenchmarkPlan300: a full plan (construction, exact search within its
// default budget, naive plan, engine verification) for 300 parts. Target < 2 s.
func BenchmarkPlan300(b *testing.B) {
	schools := county300(b)
	r := national(b)
	b.ResetTimer()
	var pl *Plan
	for b.Loop() {
		var err error
		if pl, err = Solve(r, schools, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	if !pl.Feasible {
		b.Fatalf("no plan: %s", pl.Problem)
	}
	b.ReportMetric(pl.Gap*100, "gap%")
	b.ReportMetric(float64(pl.Nodes), "nodes")
}

// BenchmarkWhatIf300: one what-if step for a county of 300 parts — change a
// number (next year's students at one school, a new building at another)
// and evaluate the county again. Target < 50 ms.
func BenchmarkWhatIf300(b *testing.B) {
	schools := county300(b)
	r := national(b)
	work := make([]census.School, len(schools))
	ptrs := make([]*census.School, len(schools))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		copy(work, schools)
		s := &work[1+i%(len(work)-1)]
		if v, ok := s.Get(census.StudentsPrimary); ok {
			s.Set(census.StudentsPrimary, v+30)
		}
		if v, ok := s.Get(census.TeachingArea); ok {
			s.Set(census.TeachingArea, v+1200)
		}
		for j := range work {
			ptrs[j] = &work[j]
		}
		if c := eval.EvaluateCounty(r, ptrs); c == nil {
			b.Fatal("no result")
		}
	}
}
