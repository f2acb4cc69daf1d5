package demo

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The stories are checked against the real engine, not against the
// generator's own arithmetic.

func mustResolve(t *testing.T, profile string) *standards.Rules {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", profile)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStories(t *testing.T) {
	checkStories(t, province())
}

// TestStoriesOtherSeeds: Generate keeps its promise for any seed, not only
// for the one the demo shows.
func TestStoriesOtherSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two more provinces")
	}
	for _, seed := range []int64{1, 7} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkStories(t, Generate(seed)) })
	}
}

func checkStories(t *testing.T, p *Province) {
	t.Helper()
	national := mustResolve(t, "national")
	res := eval.Evaluate(national, LatestYear, p.Year(LatestYear))
	if len(res.Counties) != len(p.Notes) {
		t.Fatalf("%d counties evaluated, %d notes", len(res.Counties), len(p.Notes))
	}
	kinds := map[Kind]int{}
	pass := 0
	for _, c := range res.Counties {
		n := p.Note(c.Code)
		if n == nil {
			t.Fatalf("county %s has no note", c.Code)
		}
		kinds[n.Kind]++
		if c.ResourcePass {
			pass++
		}
		t.Run(c.Code+"_"+string(n.Kind), func(t *testing.T) {
			if n.Story == "" {
				t.Errorf("no story")
			}
			checkStory(t, p, c, n)
		})
	}
	if share := float64(pass) / float64(len(res.Counties)); share < 0.3 || share > 0.6 {
		t.Errorf("%d of %d counties pass 资源配置, want 30–60 %%", pass, len(res.Counties))
	}
	want := map[Kind]int{KindPass: 100}
	for _, kc := range kindCounts {
		want[kc.kind] = kc.n
		want[KindPass] -= kc.n
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("stories told (-want +got):\n%s", diff)
	}
}

// failing returns the county's failing parts and failing CVs ("stage/indicator").
func failing(c *eval.County) (parts []*eval.Part, cvs []string) {
	for _, p := range c.Parts {
		if !p.Excluded && !p.Pass {
			parts = append(parts, p)
		}
	}
	for _, s := range c.Stages {
		for _, ir := range s.Indicators {
			if !ir.Pass {
				cvs = append(cvs, string(s.Stage)+"/"+ir.Indicator.ID)
			}
		}
	}
	return parts, cvs
}

func cvsOf(n *CountyNote) []string {
	var out []string
	for _, id := range n.Indicators {
		out = append(out, string(n.Stage)+"/"+id)
	}
	sort.Strings(out)
	return out
}

func shortfalls(p *eval.Part) (ids []string, belowFloor int) {
	for _, sf := range p.Shortfalls {
		ids = append(ids, sf.Indicator)
		if sf.BelowFloor {
			belowFloor++
		}
	}
	return ids, belowFloor
}

func checkStory(t *testing.T, p *Province, c *eval.County, n *CountyNote) {
	parts, cvs := failing(c)
	sort.Strings(cvs)
	wantPart := func() *eval.Part {
		t.Helper()
		if len(parts) != 1 || len(n.Schools) != 1 || parts[0].SchoolCode != n.Schools[0] {
			t.Fatalf("failing parts %v, want only school %v", partNames(parts), n.Schools)
		}
		if !strings.Contains(n.Story, parts[0].SchoolName) {
			t.Errorf("story does not name %s: %s", parts[0].SchoolName, n.Story)
		}
		return parts[0]
	}
	if c.RoundingFlips > 0 && n.Kind != KindRounding {
		t.Errorf("%d CV verdicts that rounding would flip", c.RoundingFlips)
	}
	switch n.Kind {
	case KindPass:
		if !c.ResourcePass {
			t.Errorf("does not pass: parts %v, CVs %v", partNames(parts), cvs)
		}
	case KindWeakSchool:
		part := wantPart()
		if len(cvs) != 0 {
			t.Errorf("failing CVs %v, want none", cvs)
		}
		ids, below := shortfalls(part)
		if !slices.Equal(ids, n.Indicators) {
			t.Errorf("shortfalls %v, story says %v", ids, n.Indicators)
		}
		switch len(ids) {
		case 1:
			if below != 1 {
				t.Errorf("the one shortfall is above 85 %%")
			}
		case 2:
			if below != 0 {
				t.Errorf("two shortfalls, %d below 85 %%: want both above", below)
			}
		default:
			t.Errorf("%d shortfalls", len(ids))
		}
	case KindHighCV, KindSmallSchools:
		if len(parts) != 0 {
			t.Errorf("failing parts %v, want none", partNames(parts))
		}
		if diff := cmp.Diff(cvsOf(n), cvs); diff != "" {
			t.Errorf("failing CVs (-story +engine):\n%s", diff)
		}
		if n.Kind == KindHighCV {
			ir := c.Stage(n.Stage).Indicator(n.Indicators[0])
			if ir.CV.CV < 0.55 || ir.CV.CV > 0.8 {
				t.Errorf("CV %.4f, want 0.55–0.80", ir.CV.CV)
			}
		} else {
			area := slices.Contains(cvs, "primary/teaching_area") || slices.Contains(cvs, "primary/sports_area")
			if len(cvs) < 2 || !area {
				t.Errorf("failing CVs %v: want several, with an area among them", cvs)
			}
		}
	case KindRounding:
		ir := c.Stage(census.StagePrimary).Indicator("backbone_teachers")
		if c.ResourcePass || len(parts) != 0 || !slices.Equal(cvs, []string{"primary/backbone_teachers"}) {
			t.Errorf("pass %v, parts %v, CVs %v: want only the primary backbone CV failing", c.ResourcePass, partNames(parts), cvs)
		}
		if !ir.RoundingFlips || c.RoundingFlips != 1 || ir.CV.CV <= 0.5 || ir.CV.CV >= 0.505 {
			t.Errorf("CV %.6f, flagged %v (%d in county): want in (0.500, 0.505) and flagged", ir.CV.CV, ir.RoundingFlips, c.RoundingFlips)
		}
		// A profile that compares CVs rounded to two decimals passes the county.
		rounded := mustResolve(t, "national")
		rounded.Settings.CVCompareDecimals = 2
		again := eval.Evaluate(rounded, LatestYear, countyRecords(p, c.Code))
		if !again.Counties[0].ResourcePass {
			t.Errorf("does not pass with CVs rounded to two decimals")
		}
	case KindDataGap:
		part := wantPart()
		if c.Complete || !slices.Equal(part.Missing, n.Indicators) {
			t.Errorf("complete %v, missing %v: want incomplete, missing %v", c.Complete, part.Missing, n.Indicators)
		}
		if ids, _ := shortfalls(part); len(ids) != 0 {
			t.Errorf("the school also falls short on %v", ids)
		}
		if want := cvsOf(n); !slices.Equal(cvs, want) {
			t.Errorf("failing CVs %v, want only the incomplete %v", cvs, want)
		}
	case KindTeachingPoint:
		part := wantPart()
		if part.SchoolType != census.TeachingPoint || part.Students >= 50 || len(cvs) != 0 {
			t.Errorf("%s %s with %v students, CVs %v: want a 教学点 under 50 and no failing CV", part.SchoolName, part.SchoolType, part.Students, cvs)
		}
		hebei := eval.Evaluate(mustResolve(t, "hebei"), LatestYear, countyRecords(p, c.Code))
		if hc := hebei.Counties[0]; !hc.ResourcePass {
			hp, hcv := failing(hc)
			t.Errorf("fails under the Hebei profile: parts %v, CVs %v", partNames(hp), hcv)
		}
	case KindMixed:
		part := wantPart()
		if _, below := shortfalls(part); below != 1 {
			t.Errorf("weak school has %d indicators below 85 %%, want 1", below)
		}
		if len(cvs) != 1 || cvs[0] != string(n.Stage)+"/"+n.Indicators[len(n.Indicators)-1] {
			t.Errorf("failing CVs %v, want the story's %s/%s", cvs, n.Stage, n.Indicators[len(n.Indicators)-1])
		}
	default:
		t.Errorf("unknown kind %q", n.Kind)
	}
}

func countyRecords(p *Province, code string) []census.School {
	var out []census.School
	for _, s := range p.Year(LatestYear) {
		if s.CountyCode == code {
			out = append(out, s)
		}
	}
	return out
}

func partNames(ps []*eval.Part) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.SchoolName+"/"+string(p.Stage))
	}
	return out
}

// TestProgressOverYears: more counties pass each year, as counties that
// worked towards the standard reach it; the demo's trend charts show that.
func TestProgressOverYears(t *testing.T) {
	p := province()
	national := mustResolve(t, "national")
	var passing []int
	for _, y := range p.Years {
		n := 0
		for _, c := range eval.Evaluate(national, y, p.Year(y)).Counties {
			if c.ResourcePass {
				n++
			}
		}
		passing = append(passing, n)
	}
	if !slices.IsSorted(passing) || passing[0] == 0 || passing[0] == passing[len(passing)-1] {
		t.Errorf("counties passing in %v: %v, want a rise from a few", p.Years, passing)
	}
}
