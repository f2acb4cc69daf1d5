package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The tests of this file pin the exact verdicts: every threshold, floor and
// limit comparison is decided on the decimals of the census file, with no
// tolerance; rounding is half-up on the exact value; output is the same
// bytes run after run.

// pair is two primary schools of 1 000 pupils whose equipment values are a
// and b 元: with equal students the equipment CV is (b−a)/(a+b) exactly.
func pair(a, b float64) []census.School {
	s1, s2 := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	s1.Set(census.EquipmentValue, a)
	s2.Set(census.EquipmentValue, b)
	return []census.School{s1, s2}
}

func equipmentCV(t *testing.T, r *standards.Rules, schools []census.School) *IndicatorResult {
	t.Helper()
	c := Evaluate(r, 2024, schools).Counties[0]
	return c.Stage(census.StagePrimary).Indicator("equipment_value")
}

// TestThresholdShortByLessThanTolerance: 1 999.9999992 元/生 is short of
// 2 000, by less than the old relative tolerance of 1e-9 (2e-6 元).
func TestThresholdShortByLessThanTolerance(t *testing.T) {
	s := goodPrimary("3402070001", 1000)
	s.Set(census.EquipmentValue, 1999999.9992) // 1 999.9999992 元/生
	p := Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0].Parts[0]
	if p.Met != 6 || len(p.Shortfalls) != 1 || p.Shortfalls[0].Indicator != "equipment_value" {
		t.Fatalf("met %d shortfalls %+v: 1999.9999992 元/生 must fall short of 2000", p.Met, p.Shortfalls)
	}
	if m := p.Shortfalls[0].Value - p.Shortfalls[0].Threshold; m >= 0 || m < -1e-6 {
		t.Errorf("margin %g, want −0.0000008", m)
	}
	// Exactly 2 000 meets it; so does the floor at exactly 85 %.
	s.Set(census.EquipmentValue, 2000000)
	if p := Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0].Parts[0]; p.Met != 7 {
		t.Errorf("exactly 2000 元/生: met %d, want 7", p.Met)
	}
	s.Set(census.EquipmentValue, 1700000)
	p = Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0].Parts[0]
	if len(p.Shortfalls) != 1 || p.Shortfalls[0].BelowFloor || !p.Pass {
		t.Errorf("exactly 85 %%: %+v pass %v, want above the floor and passing", p.Shortfalls, p.Pass)
	}
	s.Set(census.EquipmentValue, 1699999.9999)
	p = Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0].Parts[0]
	if len(p.Shortfalls) != 1 || !p.Shortfalls[0].BelowFloor || p.Pass {
		t.Errorf("just under 85 %%: %+v pass %v, want below the floor and failing", p.Shortfalls, p.Pass)
	}
}

// TestCVAboveLimitByLessThanTolerance: a CV of 0.50000000021 fails ≤ 0.50.
func TestCVAboveLimitByLessThanTolerance(t *testing.T) {
	r := rules(t, "national")
	// (b−a)/(a+b) with a = 1 000 000, b = 3 000 000.00168: 0.50000000021.
	ir := equipmentCV(t, r, pair(1000000, 3000000.00168))
	if math.Abs(ir.CV.CV-0.50000000021) > 1e-15 {
		t.Fatalf("cv %.17g, want 0.50000000021", ir.CV.CV)
	}
	if ir.Pass || ir.Margin >= 0 {
		t.Errorf("cv %.12f pass %v margin %g: must fail ≤ 0.50", ir.CV.CV, ir.Pass, ir.Margin)
	}
	if _, pass, _ := JudgeCV(0.50000000021, 0.50, -1); pass {
		t.Error("JudgeCV(0.50000000021, 0.50) passes")
	}
}

// TestCVExactlyAtLimitGoesTheExactWay: with a = 9, b = 27 the CV is exactly
// 0.5, but float arithmetic computes 0.5000000000000001: a float-only
// comparison would fail it. The exact comparison passes it.
func TestCVExactlyAtLimitGoesTheExactWay(t *testing.T) {
	r := rules(t, "national")
	ir := equipmentCV(t, r, pair(9, 27))
	if ir.CV.CV <= 0.5 {
		t.Fatalf("cv %.17g: this case no longer shows the float trap; pick another", ir.CV.CV)
	}
	if !ir.Pass {
		t.Errorf("cv exactly 0.5 (float %.17g) fails ≤ 0.50", ir.CV.CV)
	}
	// A float-only CV that is exactly 0.5 but computed below it passes too,
	// and one exactly 0.5 fails < 0.5 limits (none in the data: the
	// comparison is ≤).
	if ir := equipmentCV(t, r, pair(1, 3)); !ir.Pass {
		t.Errorf("cv %.17g (exactly 0.5) fails", ir.CV.CV)
	}
}

// TestRoundHalfUpExact: rounding is half-up on the exact value: an exact
// 0.505 is 0.51 (binary math.Round took 0.50499999999999989… down to 0.50,
// a false rounding flag and, under cv_compare_decimals = 2, a wrong pass).
func TestRoundHalfUpExact(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		d    int
		want float64
	}{{0.505, 2, 0.51}, {0.504999999, 2, 0.50}, {0.515, 2, 0.52}, {1.005, 2, 1.01}, {0.501787, 2, 0.50}, {2.675, 2, 2.68}, {0.125, 2, 0.13}, {4.505, 2, 4.51}} {
		if got := RoundHalfUp(tc.v, tc.d); got != tc.want {
			t.Errorf("RoundHalfUp(%v, %d) = %v, want %v", tc.v, tc.d, got, tc.want)
		}
	}
	// A CV given as the decimal 0.505.
	compared, pass, flips := JudgeCV(0.505, 0.50, 2)
	if compared != 0.51 || pass || flips {
		t.Errorf("JudgeCV(0.505, 0.50, 2) = %v %v %v, want 0.51 false false", compared, pass, flips)
	}
	if _, _, flips := JudgeCV(0.505, 0.50, -1); flips {
		t.Error("0.505 flagged as flipped by rounding: it rounds to 0.51, which fails too")
	}
	// A CV computed from the data as exactly 0.505 (99 : 301), which float
	// arithmetic makes 0.50499999999999989.
	r := rules(t, "national")
	ir := equipmentCV(t, r, pair(99, 301))
	if ir.CV.CV >= 0.505 {
		t.Fatalf("cv %.17g: this case no longer shows the float trap; pick another", ir.CV.CV)
	}
	if ir.RoundingFlips || ir.Rounded != 0.51 {
		t.Errorf("cv 0.505: rounded %v flips %v, want 0.51 false", ir.Rounded, ir.RoundingFlips)
	}
	r.Settings.CVCompareDecimals = 2
	ir = equipmentCV(t, r, pair(99, 301))
	if ir.Pass || ir.Compared != 0.51 {
		t.Errorf("cv 0.505 under cv_compare_decimals = 2: compared %v pass %v, want 0.51 false", ir.Compared, ir.Pass)
	}
	// 鸠江区 2023 keeps its published verdicts.
	if _, pass, flips := JudgeCV(0.501787, 0.50, -1); pass || !flips {
		t.Error("0.501787 unrounded must fail, flagged")
	}
	if c, pass, _ := JudgeCV(0.501787, 0.50, 2); !pass || c != 0.50 {
		t.Error("0.501787 at 2 decimals must pass as 0.50")
	}
}

// TestSplitDeterministic: a 十二年一贯制 school's split weights are summed in
// stage order, so the same file gives the same bytes every run, and the
// order of the schools in the file does not matter.
func TestSplitDeterministic(t *testing.T) {
	r := rules(t, "national")
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = 2024, "340207", "鸠江区"
	s.Code, s.Name, s.Type = "3402070009", "十二年一贯制学校", census.TwelveYear
	// Students for which Σ w·P depends on the order of the sum (310.32 or
	// 310.32000000000005).
	s.Set(census.StudentsPrimary, 100)
	s.Set(census.StudentsJunior, 100)
	s.Set(census.StudentsSenior, 76)
	for _, f := range []census.Field{census.TeachingArea, census.SportsArea, census.EquipmentValue, census.MultimediaRooms} {
		s.Set(f, 123456.7)
	}
	schools := []census.School{s, goodPrimary("3402070001", 800), goodPrimary("3402070002", 500), goodPrimary("3402070003", 1200)}
	encode := func(schools []census.School) []byte {
		b, err := json.Marshal(Evaluate(r, 2024, schools))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := encode(schools)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		shuffled := append([]census.School(nil), schools...)
		if i%2 == 1 {
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		}
		if got := encode(shuffled); !bytes.Equal(got, want) {
			t.Fatalf("run %d gives other bytes than the first run", i+1)
		}
	}
}

// TestNoPartInScopePending: a county with no part in scope has no
// resource verdict: resource_pass is null and pending, as its item is.
func TestNoPartInScopePending(t *testing.T) {
	r := rules(t, "national")
	s := goodPrimary("3402070001", 1000)
	s.Type = census.Special
	res := EvaluateWhole(r, 2024, Inputs{Schools: []census.School{s}})
	c := res.Counties[0]
	if c.ResourcePass || c.ResourceStatus() != census.StatusPending {
		t.Errorf("resource pass %v status %s, want false pending", c.ResourcePass, c.ResourceStatus())
	}
	if st := c.Verdict.Item("resource").Status; st != census.StatusPending {
		t.Errorf("resource item %s, want pending", st)
	}
	b, _ := json.Marshal(res)
	if !strings.Contains(string(b), `"resource_pass":null`) || !strings.Contains(string(b), `"resource_status":"pending"`) {
		t.Errorf("JSON: %s", b[:min(len(b), 300)])
	}
}

// TestSDNullWhereMeanIs: with no part reporting a figure, the mean, the SD
// and the CV are all undefined, and the JSON has null for each.
func TestSDNullWhereMeanIs(t *testing.T) {
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	a.V[census.SportsArea], b.V[census.SportsArea] = math.NaN(), math.NaN()
	res := Evaluate(rules(t, "national"), 2024, []census.School{a, b})
	j := res.JSON()
	for _, ji := range j.Counties[0].Stages[0].Indicators {
		if ji.ID != "sports_area" {
			continue
		}
		out, _ := json.Marshal(ji)
		if !strings.Contains(string(out), `"mean":null`) || !strings.Contains(string(out), `"sd":null`) || !strings.Contains(string(out), `"cv":null`) {
			t.Errorf("sports_area: %s", out)
		}
	}
}

// TestPerPartFigureOnOneStageSchoolWarns: a per-part facility figure on a
// plain primary school has nothing to split; the evaluation uses the whole
// school's figure and says so, naming the school and the column.
func TestPerPartFigureOnOneStageSchoolWarns(t *testing.T) {
	s := goodPrimary("3402070001", 1000)
	f, ok := census.FieldByKey("teaching_area_junior")
	if !ok {
		t.Fatal("no column teaching_area_junior")
	}
	s.Set(f, 300)
	c := Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0]
	if len(c.Warnings) != 1 {
		t.Fatalf("warnings %+v, want one", c.Warnings)
	}
	w := c.Warnings[0]
	if w.SchoolCode != "3402070001" || w.Column != "teaching_area_junior" || w.Code != WarningPerPartIgnored || !strings.Contains(w.Text, "300") {
		t.Errorf("warning %+v", w)
	}
	if c.Parts[0].Raw[3] != 5000 {
		t.Errorf("teaching area %v, want the whole school's 5000", c.Parts[0].Raw[3])
	}
	b, _ := json.Marshal(Evaluate(rules(t, "national"), 2024, []census.School{s}))
	if !strings.Contains(string(b), `"column":"teaching_area_junior"`) {
		t.Error("JSON has no warning")
	}
	// The same figure as the whole school's for its own stage is no news.
	s2 := goodPrimary("3402070002", 1000)
	g, _ := census.FieldByKey("teaching_area_primary")
	s2.Set(g, 5000)
	if c := Evaluate(rules(t, "national"), 2024, []census.School{s2}).Counties[0]; len(c.Warnings) != 0 {
		t.Errorf("warnings %+v, want none", c.Warnings)
	}
}

// TestPartsCVs: partsCVs gives for each indicator the bits WeightedCV
// gives of the same figures copied out, missing ones left out: parts with
// figures and students of every size, some missing, none, or all of no
// mean; scratch left dirty by the set before.
func TestPartsCVs(t *testing.T) {
	scales := []float64{1, 100, 1}
	cvs, sums := make([]CV, 3), make([]float64, 6)
	r := rand.New(rand.NewPCG(21, 34))
	for i := range 20000 {
		n := r.IntN(80)
		parts := make([]*Part, n)
		var x, w []float64
		for j := range parts {
			p := &Part{Students: float64(1 + r.IntN(3000)), Raw: make([]float64, 3), Values: make([]float64, 3)}
			for k := range p.Raw {
				switch r.IntN(12) {
				case 0:
					p.Raw[k] = math.NaN()
				case 1:
					p.Raw[k] = 0
				default:
					p.Raw[k] = math.Round(r.Float64()*1e6) / []float64{1, 10, 100}[r.IntN(3)]
				}
			}
			if i%7 == 0 {
				p.Raw[1] = 0 // no mean
			}
			for k := range p.Raw {
				p.Values[k] = p.Raw[k] / p.Students * scales[k] // as attribute sets them
			}
			parts[j] = p
		}
		partsCVs(parts, scales, cvs, sums)
		for k := range 3 {
			x, w = x[:0], w[:0]
			for _, p := range parts {
				if !math.IsNaN(p.Raw[k]) {
					x, w = append(x, p.Raw[k]), append(w, p.Students)
				}
			}
			want, got := WeightedCV(x, w, scales[k]), cvs[k]
			same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
			if got.N != want.N || got.Defined != want.Defined || !same(got.Students, want.Students) || !same(got.Total, want.Total) ||
				!same(got.Mean, want.Mean) || !same(got.SD, want.SD) || !same(got.CV, want.CV) {
				t.Fatalf("case %d, indicator %d: %+v, want %+v", i, k, got, want)
			}
		}
	}
}
