package forecast

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

func national(t *testing.T) *standards.Rules {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// school returns a primary school with every indicator at value×threshold
// for students pupils; its resources are what they are, whatever the year.
func school(code string, year int, students, factor float64, base float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = year, "990001", "测试县"
	s.Code, s.Name, s.Type = code, "学校"+code, census.Primary
	s.Set(census.StudentsPrimary, students)
	// Resources sized for base pupils at factor × threshold.
	s.Set(census.QualifiedTeachersPrimary, math.Ceil(4.2*factor*base/100))
	s.Set(census.BackboneTeachersPrimary, math.Ceil(1.0*factor*base/100))
	s.Set(census.PEArtTeachersPrimary, math.Ceil(0.9*factor*base/100))
	s.Set(census.TeachingArea, 4.5*factor*base)
	s.Set(census.SportsArea, 7.5*factor*base)
	s.Set(census.EquipmentValue, 2000*factor*base)
	s.Set(census.MultimediaRooms, math.Ceil(2.3*factor*base/100))
	return s
}

// A school growing 10 % a year with resources for 1.6 × its thresholds at
// 1 000 pupils: 1 100, 1 210, 1 331 pupils in 2023–2025, then 1 464, 1 611,
// 1 772. It passes until its area per pupil falls below 85 % of 4.5 ㎡ with
// two other indicators short: the engine on the projected records decides.
func TestGrowingSchoolWarning(t *testing.T) {
	r := national(t)
	var recs []census.School
	for i, y := range []int{2023, 2024, 2025} {
		stu := 1000 * math.Pow(1.1, float64(i+1))
		recs = append(recs, school("9900010001", y, math.Round(stu), 1.6, 1000))
		recs = append(recs, school("9900010002", y, 1000, 1.6, 1000))
	}
	res, err := Forecast(r, recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2026, 2027, 2028}, res.Ahead); diff != "" {
		t.Fatalf("forecast years (-want +got):\n%s", diff)
	}
	var grow *PartTrend
	for i := range res.Parts {
		if res.Parts[i].SchoolCode == "9900010001" {
			grow = &res.Parts[i]
		}
	}
	if grow == nil || math.Abs(grow.Growth-1.1) > 1e-3 {
		t.Fatalf("growth: %+v", grow)
	}
	want := []float64{1100, 1210, 1331, 1464, 1611, 1772}
	for i, w := range want {
		if math.Abs(grow.Students[i]-w) > 1 {
			t.Errorf("students %d: %v, want %v", 2023+i, grow.Students[i], w)
		}
	}
	// The first year the engine fails the part, computed independently.
	first := 0
	for h, y := range res.Ahead {
		c := eval.Evaluate(r, y, []census.School{school("9900010001", y, grow.Students[3+h], 1.6, 1000)}).Counties[0]
		if !c.Parts[0].Pass {
			first = y
			break
		}
	}
	if first == 0 {
		t.Fatal("the test county never fails: change its numbers")
	}
	var got []string
	for _, w := range res.Warnings {
		if w.Kind == "part" && w.Level == Fail {
			got = append(got, fmt.Sprint(w.Year, " ", w.SchoolCode))
		}
	}
	if diff := cmp.Diff([]string{fmt.Sprint(first, " 9900010001")}, got); diff != "" {
		t.Errorf("fail warnings (-want +got):\n%s", diff)
	}
	// A CV warning: one school grows, the other does not, so every
	// indicator drifts apart; the first year past 0.50 is warned, once.
	for _, it := range res.Indicators {
		if it.Slope <= 0 && it.Stage == census.StagePrimary {
			t.Errorf("%s: CV slope %v, want positive as the schools drift apart", it.ID, it.Slope)
		}
	}
	if _, err := json.Marshal(res.JSON()); err != nil {
		t.Fatal(err)
	}
}

// With one year of data the forecast keeps enrolments, so nothing changes.
func TestOneYear(t *testing.T) {
	r := national(t)
	recs := []census.School{school("9900010001", 2024, 1000, 1.2, 1000), school("9900010002", 2024, 500, 1.2, 500)}
	res, err := Forecast(r, recs, Options{Horizon: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 || len(res.Ahead) != 2 {
		t.Fatalf("warnings %v, ahead %v", res.Warnings, res.Ahead)
	}
	for _, p := range res.Parts {
		if p.Growth != 1 || p.Students[1] != p.Students[0] || !math.IsNaN(p.Slopes[0]) {
			t.Errorf("%s: growth %v students %v slope %v", p.SchoolCode, p.Growth, p.Students, p.Slopes[0])
		}
	}
}

func TestSlope(t *testing.T) {
	if s := slope([]int{2022, 2023, 2024}, []float64{1, 1.5, 2}); math.Abs(s-0.5) > 1e-12 {
		t.Errorf("slope %v", s)
	}
	if s := slope([]int{2022, 2023, 2024}, []float64{1, math.NaN(), 2}); math.Abs(s-0.5) > 1e-12 {
		t.Errorf("slope with a gap %v", s)
	}
	if s := slope([]int{2022}, []float64{1}); !math.IsNaN(s) {
		t.Errorf("slope of one point %v", s)
	}
}

// The demo province drifts (villages lose pupils, towns gain them): a
// county that passes now is warned of the parts and CVs that will fail, and
// every warning agrees with the engine's projected evaluation.
func TestDemoWarningsAgreeWithTheEngine(t *testing.T) {
	r := national(t)
	p := demo.Generate(demo.DefaultSeed)
	by := map[string][]census.School{}
	for _, s := range p.Schools {
		by[s.CountyCode] = append(by[s.CountyCode], s)
	}
	warned := 0
	for _, n := range p.Notes[:20] {
		res, err := Forecast(r, by[n.Code], Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Years) != 3 || len(res.Projected) != 3 {
			t.Fatalf("%s: years %v", n.Code, res.Years)
		}
		for _, w := range res.Warnings {
			c := res.Projected[w.Year-res.Ahead[0]]
			switch {
			case w.Kind == "part" && w.Level == Fail:
				warned++
				for _, pp := range c.Parts {
					if pp.SchoolCode == w.SchoolCode && pp.Stage == w.Stage && pp.Pass {
						t.Errorf("%s: warned %q but the engine passes the part", n.Code, w.Message)
					}
				}
			case w.Kind == "cv" && w.Level == Fail:
				warned++
				if ir := c.Stage(w.Stage).Indicator(w.Indicator); ir.Pass {
					t.Errorf("%s: warned %q but the engine passes the CV", n.Code, w.Message)
				}
			}
		}
		if _, err := json.Marshal(res.JSON()); err != nil {
			t.Fatal(err)
		}
	}
	if warned == 0 {
		t.Error("no failure warned in 20 demo counties over three years")
	}
}
