package eval

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestStreamLendsCleanly: EvaluateResourceStream lends each county the
// memory of counties handed on before it — its parts, their figures and
// shortfalls, its stage results and their indicators, its parts' splits
// and their lists — and each county it hands on is, field for field, the
// one EvaluateResourceEach allocates afresh: nothing of an earlier county
// shows through. The counties differ widely in size (a slab is reused by
// smaller ones and outgrown by larger ones), under a standard of each
// balance rule.
func TestStreamLendsCleanly(t *testing.T) {
	schools := demo.Uneven(demo.Nation(13, 400, 30000))
	in := Inputs{Schools: schools}
	year := schools[0].Year
	for _, std := range []string{"yzjh2017", "jbjh2012"} {
		r, want := resourceEach(t, std, schools)
		n, lists := 0, 0
		_, err := EvaluateResourceStream(r, year, in, func(c *County) error {
			n++
			if diff := cmp.Diff(want[c.Code], c, countyOpts); diff != "" {
				t.Fatalf("%s county %s (-fresh +lent):\n%s", std, c.Code, diff)
			}
			for _, p := range c.Parts {
				if p.Split != nil {
					lists += len(p.Split.Given) + len(p.Split.Derived)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || n < 300 {
			t.Fatalf("%s: %d counties handed on, %d evaluated", std, n, len(want))
		}
		if lists == 0 && std == "yzjh2017" {
			t.Error("no split lists an indicator: the test proves less than it says")
		}
	}
}

// TestCountyStreamWithoutShortfalls: a CountyStream evaluates each county
// as EvaluateResourceEach does, its parts lent and given back; without
// shortfalls, every figure and verdict is the same but the parts'
// Shortfalls, which are nil. Under the rules of both balance kinds (only
// 优质均衡 has a school rule), on counties of very different sizes, whose
// schools often fall short and below the school rule's floor.
func TestCountyStreamWithoutShortfalls(t *testing.T) {
	schools := demo.Uneven(demo.Nation(17, 120, 8000))
	for _, std := range []string{"yzjh2017", "jbjh2012"} {
		r, want := resourceEach(t, std, schools)
		with, without := NewCountyStream(r, true), NewCountyStream(r, false)
		shortfalls, floors, failing := 0, 0, 0
		// Each county's records in file order, as a reader hands them on
		// when they come together.
		var codes []string
		byCounty := map[string][]census.School{}
		for _, s := range schools {
			if byCounty[s.CountyCode] == nil {
				codes = append(codes, s.CountyCode)
			}
			byCounty[s.CountyCode] = append(byCounty[s.CountyCode], s)
		}
		for _, code := range codes {
			county := byCounty[code]
			if err := with.County(county, func(c *County) error {
				if diff := cmp.Diff(want[code], c, countyOpts); diff != "" {
					t.Fatalf("%s county %s (-EvaluateResourceEach +CountyStream):\n%s", std, code, diff)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := without.County(county, func(c *County) error {
				w := *want[code]
				w.Parts = nil
				for _, p := range want[code].Parts {
					shortfalls += len(p.Shortfalls)
					for _, sf := range p.Shortfalls {
						if sf.BelowFloor {
							floors++
						}
					}
					if !p.Pass {
						failing++
					}
					q := *p
					q.Shortfalls = nil
					w.Parts = append(w.Parts, &q)
				}
				if diff := cmp.Diff(&w, c, countyOpts); diff != "" {
					t.Fatalf("%s county %s (-with shortfalls dropped +without):\n%s", std, code, diff)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if std == "yzjh2017" && (shortfalls < 300 || floors < 100 || failing < 100) {
			t.Errorf("%s: %d shortfalls, %d below the floor, %d parts failing: the test proves less than it says", std, shortfalls, floors, failing)
		}
	}
}

// countyOpts compares counties' exported figures, NaN equal to NaN.
var countyOpts = cmp.Options{cmpopts.EquateNaNs(), cmpopts.IgnoreUnexported(County{}, Part{}, StageResult{})}

// resourceEach returns the rules of std and the national profile, and the
// resource part of each county of schools by code, as EvaluateResourceEach
// evaluates them.
func resourceEach(t *testing.T, std string, schools []census.School) (*standards.Rules, map[string]*County) {
	t.Helper()
	r, err := standards.Resolve(std, "national")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*County{}
	if _, err := EvaluateResourceEach(r, schools[0].Year, Inputs{Schools: schools}, func(c *County) error { want[c.Code] = c; return nil }); err != nil {
		t.Fatal(err)
	}
	return r, want
}
