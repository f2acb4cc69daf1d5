package store_test

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// goTeacherCVs computes what TeacherCVs computes, in Go, in two passes.
func goTeacherCVs(schools []census.School) []store.CountyCV {
	type key struct{ county, stage, indicator string }
	type part struct{ p, x float64 }
	parts := map[key][]part{}
	var order []key
	stages := map[census.Stage][]census.SchoolType{
		census.StagePrimary: {census.Primary, census.TeachingPoint, census.NineYear, census.TwelveYear},
		census.StageJunior:  {census.Junior, census.CompleteSecondary, census.NineYear, census.TwelveYear},
	}
	for _, s := range schools {
		for _, st := range []census.Stage{census.StageJunior, census.StagePrimary} {
			if !contains(stages[st], s.Type) || s.Students(st) <= 0 {
				continue
			}
			for _, ind := range []string{"backbone_teachers", "pe_art_teachers", "qualified_teachers"} {
				f, _ := census.StageField(ind, st)
				x, ok := s.Get(f)
				if !ok {
					continue
				}
				k := key{s.CountyCode, string(st), ind}
				if parts[k] == nil {
					order = append(order, k)
				}
				parts[k] = append(parts[k], part{s.Students(st), x})
			}
		}
	}
	var out []store.CountyCV
	for _, k := range order {
		c := store.CountyCV{County: k.county, Stage: k.stage, Indicator: k.indicator, N: len(parts[k])}
		for _, p := range parts[k] {
			c.Students += p.p
			c.Total += p.x
		}
		c.Mean = c.Total / c.Students * 100
		var ss float64
		for _, p := range parts[k] {
			d := p.x/p.p*100 - c.Mean
			ss += p.p / c.Students * d * d
		}
		c.SD = math.Sqrt(ss)
		c.CV = math.NaN()
		if c.Mean != 0 {
			c.CV = c.SD / c.Mean
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b store.CountyCV) int {
		return cmp.Compare(a.County+a.Stage+a.Indicator, b.County+b.Stage+b.Indicator)
	})
	return out
}

func contains(types []census.SchoolType, t census.SchoolType) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

func TestTeacherCVs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		schools := storetest.Synthetic(2024, 900, 12, 1)
		// A county whose parts have no backbone teachers: X̄ = 0, CV undefined.
		for i := range schools {
			if schools[i].CountyCode == schools[0].CountyCode {
				schools[i].Set(census.BackboneTeachersPrimary, 0)
				schools[i].Set(census.BackboneTeachersJunior, 0)
			}
		}
		mustImport(t, s, store.FileBatch{File: "synthetic.csv", Schools: schools})
		got, err := s.TeacherCVs(ctx, 2024)
		if err != nil {
			t.Fatal(err)
		}
		want := goTeacherCVs(schools)
		if len(want) != 12*2*3 {
			t.Fatalf("the synthetic data gives %d groups, want every county, stage and indicator", len(want))
		}
		// The sums run in another order in SQL: agree to 1e-12 relative.
		if diff := gocmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0), cmpNaN); diff != "" {
			t.Errorf("TeacherCVs (-want +got):\n%s", diff)
		}
		if !math.IsNaN(got[0].CV) || got[0].Indicator != "backbone_teachers" {
			t.Errorf("first group %+v: want backbone teachers with an undefined CV", got[0])
		}
		if got, err := s.TeacherCVs(ctx, 2020); err != nil || len(got) != 0 {
			t.Errorf("TeacherCVs of a year without records = %v, %v; want none", got, err)
		}
	})
}
