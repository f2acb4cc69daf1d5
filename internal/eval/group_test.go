package eval_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestRecordOrderDoesNotMatter: records come a county at a time in most
// files, and the grouping takes a short cut for that; records shuffled
// across counties, with another year's records among them, give the same
// evaluation, document for document, as the year's records sorted by
// county, and so do the streamed evaluations.
func TestRecordOrderDoesNotMatter(t *testing.T) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	year := demo.LatestYear
	sorted := demo.Nation(7, 40, 2400)
	slices.SortStableFunc(sorted, func(a, b census.School) int { return strings.Compare(a.CountyCode, b.CountyCode) })
	// The same records dealt across counties in a random order, each
	// county's records in their order (which the evaluation keeps, as a
	// file gives it), with another year's records among them.
	byCounty := map[string][]census.School{}
	var codes []string
	for _, s := range sorted {
		if byCounty[s.CountyCode] == nil {
			codes = append(codes, s.CountyCode)
		}
		byCounty[s.CountyCode] = append(byCounty[s.CountyCode], s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var mixed []census.School
	for n := 0; n < len(sorted); {
		c := codes[rng.IntN(len(codes))]
		if len(byCounty[c]) == 0 {
			continue
		}
		mixed = append(mixed, byCounty[c][0])
		byCounty[c] = byCounty[c][1:]
		n++
		if rng.IntN(4) == 0 {
			s := mixed[len(mixed)-1]
			s.Year = year - 1
			s.V[census.StudentsPrimary]++
			mixed = append(mixed, s)
		}
	}
	doc := func(res *eval.Result) string {
		var b bytes.Buffer
		jw, err := eval.NewJSONWriter(&b, res, eval.DetailParts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Counties {
			if err := jw.County(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := jw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want := doc(eval.EvaluateWhole(rules, year, eval.Inputs{Schools: sorted}))
	if got := doc(eval.EvaluateWhole(rules, year, eval.Inputs{Schools: mixed})); got != want {
		t.Error("EvaluateWhole of the shuffled records differs from that of the sorted ones")
	}
	if got, want := doc(eval.Evaluate(rules, year, mixed)), doc(eval.Evaluate(rules, year, sorted)); got != want {
		t.Error("Evaluate of the shuffled records differs from that of the sorted ones")
	}
	codes = codes[:0]
	if _, err := eval.EvaluateWholeEach(rules, year, eval.Inputs{Schools: mixed}, func(c *eval.County) error {
		codes = append(codes, c.Code)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(codes) != 40 || !slices.IsSorted(codes) {
		t.Errorf("EvaluateWholeEach handed on %d counties, in order %v", len(codes), slices.IsSorted(codes))
	}
}

// TestResultCounty: every county of an evaluation, and of the whole
// evaluation, is found by its code; a code between two counties' codes,
// before the first and after the last finds none; and counties put in
// another order by hand are still found.
func TestResultCounty(t *testing.T) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	schools := demo.Nation(11, 40, 2400)
	for _, res := range []*eval.Result{
		eval.Evaluate(rules, demo.LatestYear, schools),
		eval.EvaluateWhole(rules, demo.LatestYear, eval.Inputs{Schools: schools}),
	} {
		if len(res.Counties) < 30 {
			t.Fatalf("%d counties: too few to search", len(res.Counties))
		}
		for _, c := range res.Counties {
			if got := res.County(c.Code); got != c {
				t.Fatalf("County(%s) = %v, want the county", c.Code, got)
			}
			for _, miss := range []string{c.Code + "0", c.Code[:5], ""} {
				if got := res.County(miss); got != nil {
					t.Fatalf("County(%q) = %s, want none", miss, got.Code)
				}
			}
		}
		if got := res.County("999999"); got != nil {
			t.Fatalf("County(999999) = %s", got.Code)
		}
		shuffled := *res
		shuffled.Counties = slices.Clone(res.Counties)
		rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled.Counties), func(i, j int) {
			shuffled.Counties[i], shuffled.Counties[j] = shuffled.Counties[j], shuffled.Counties[i]
		})
		for _, c := range res.Counties {
			if got := shuffled.County(c.Code); got != c {
				t.Fatalf("shuffled: County(%s) = %v", c.Code, got)
			}
		}
	}
}
