package eval

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// officialExample reads the official worked example (5 primary schools, books
// per student) from shared/testdata, or from the committed copy when the
// checkout stands alone.
func officialExample(t *testing.T) (students, books []float64) {
	t.Helper()
	path := "../../../shared/testdata/official-cv-example.csv"
	if _, err := os.Stat(path); err != nil {
		t.Logf("shared/testdata not beside the checkout; using testdata/official-cv-example.csv")
		path = "testdata/official-cv-example.csv"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		p, err1 := strconv.ParseFloat(r[1], 64)
		b, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %v", r)
		}
		students, books = append(students, p), append(books, b)
	}
	return students, books
}

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

func TestWeightedCVOfficialExample(t *testing.T) {
	p, x := officialExample(t)
	c := WeightedCV(x, p, 1)
	// Published: X̄ = 6.3344, variance 10.6528, S = 3.2639, CV = 0.5153 (4 d.p.).
	if !near(c.Mean, 6.3344, 5e-5) || !near(c.SD*c.SD, 10.6528, 5e-5) || !near(c.SD, 3.2639, 5e-5) || !near(c.CV, 0.5153, 5e-5) {
		t.Fatalf("got mean %.6f var %.6f S %.6f CV %.6f; want 6.3344 10.6528 3.2639 0.5153", c.Mean, c.SD*c.SD, c.SD, c.CV)
	}
	// The wrong forms give other numbers, and would pass a 0.50 limit.
	var vals []float64
	for i := range x {
		vals = append(vals, x[i]/p[i])
	}
	var m, ss float64
	for _, v := range vals {
		m += v
	}
	m /= float64(len(vals))
	for _, v := range vals {
		ss += (v - m) * (v - m)
	}
	unweighted := math.Sqrt(ss/float64(len(vals))) / m
	sample := math.Sqrt(ss/float64(len(vals)-1)) / m
	if !near(unweighted, 0.4888, 5e-5) || !near(sample, 0.5465, 5e-5) {
		t.Fatalf("reference wrong forms: unweighted %.4f sample %.4f", unweighted, sample)
	}
	if near(c.CV, unweighted, 1e-3) || near(c.CV, sample, 1e-3) {
		t.Fatalf("CV %.4f equals a wrong form", c.CV)
	}
	if _, pass, _ := JudgeCV(c.CV, 0.50, -1); pass {
		t.Fatal("official example must fail a 0.50 limit")
	}
	if _, pass, _ := JudgeCV(unweighted, 0.50, -1); !pass {
		t.Fatal("the unweighted form would pass: the example no longer shows the flip")
	}
}

func TestWeightedCVEdges(t *testing.T) {
	if c := WeightedCV(nil, nil, 1); c.Defined || !math.IsNaN(c.CV) {
		t.Errorf("empty: got %+v, want undefined", c)
	}
	if c := WeightedCV([]float64{0, 0}, []float64{10, 20}, 100); c.Defined || !math.IsNaN(c.CV) {
		t.Errorf("mean 0: got %+v, want undefined (never 0)", c)
	}
	if c := WeightedCV([]float64{5, 10}, []float64{100, 200}, 100); !c.Defined || c.CV != 0 {
		t.Errorf("equal values: got %+v, want CV 0", c)
	}
}

// rules returns the national yzjh2017 rules.
func rules(t *testing.T, profile string) *standards.Rules {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", profile)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// goodPrimary returns a primary school of n students that meets every
// threshold with room to spare.
func goodPrimary(code string, n float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = 2024, "340207", "鸠江区"
	s.Code, s.Name, s.Type = code, "学校"+code, census.Primary
	s.Set(census.StudentsPrimary, n)
	s.Set(census.TeachersPrimary, n*0.08)
	s.Set(census.QualifiedTeachersPrimary, n*0.05) // 5.0 > 4.2
	s.Set(census.BackboneTeachersPrimary, n*0.012) // 1.2 > 1.0
	s.Set(census.PEArtTeachersPrimary, n*0.01)     // 1.0 > 0.9
	s.Set(census.TeachingArea, n*5)                // 5 > 4.5
	s.Set(census.SportsArea, n*8)                  // 8 > 7.5
	s.Set(census.EquipmentValue, n*2200)           // 2200 > 2000
	s.Set(census.MultimediaRooms, n*0.025)         // 2.5 > 2.3
	return s
}

func TestSchoolRuleBoundaries(t *testing.T) {
	r := rules(t, "national")
	tests := []struct {
		name      string
		qualified float64 // of 10 000 students; threshold 4.2 per 100 = 420
		backbone  float64 // threshold 1.0 per 100 = 100
		wantPass  bool
		wantMet   int
	}{
		{"all met", 500, 120, true, 7},
		{"one at exactly 85 %", 357, 120, true, 6},
		{"one just under 85 %", 356, 120, false, 6},
		{"one exactly at threshold", 420, 120, true, 7},
		{"two below threshold", 400, 99, false, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := goodPrimary("3402070001", 10000)
			s.Set(census.QualifiedTeachersPrimary, tc.qualified)
			s.Set(census.BackboneTeachersPrimary, tc.backbone)
			c := Evaluate(r, 2024, []census.School{s}).Counties[0]
			p := c.Parts[0]
			if p.Pass != tc.wantPass || p.Met != tc.wantMet {
				t.Fatalf("pass=%v met=%d, want pass=%v met=%d (shortfalls %+v)", p.Pass, p.Met, tc.wantPass, tc.wantMet, p.Shortfalls)
			}
		})
	}
}

func TestThresholdExactInFloatingPoint(t *testing.T) {
	// 9 PE/art teachers for 1 000 pupils is exactly 0.9 per hundred, but
	// 9/1000×100 is 0.8999999999999999 in binary floating point: without the
	// documented tolerance the part would be judged short.
	n, pe := 1000.0, 9.0
	if pe/n*100 >= 0.9 {
		t.Fatal("this case no longer shows the floating-point trap; pick another")
	}
	s := goodPrimary("3402070001", n)
	s.Set(census.PEArtTeachersPrimary, pe)
	p := Evaluate(rules(t, "national"), 2024, []census.School{s}).Counties[0].Parts[0]
	if p.Met != 7 || len(p.Shortfalls) != 0 {
		t.Fatalf("met %d, shortfalls %+v: a value exactly at the threshold must meet it", p.Met, p.Shortfalls)
	}
}

func TestShortfallNeed(t *testing.T) {
	r := rules(t, "national")
	s := goodPrimary("3402070001", 1000)
	s.Set(census.QualifiedTeachersPrimary, 40) // 4.0 < 4.2: needs 42 → 2 more
	s.Set(census.TeachingArea, 4400)           // 4.4 < 4.5: needs 4500 → 100 ㎡
	p := Evaluate(r, 2024, []census.School{s}).Counties[0].Parts[0]
	if len(p.Shortfalls) != 2 {
		t.Fatalf("shortfalls %+v", p.Shortfalls)
	}
	if sf := p.Shortfalls[0]; sf.Indicator != "qualified_teachers" || sf.Need != 2 || sf.BelowFloor {
		t.Errorf("qualified: %+v", sf)
	}
	if sf := p.Shortfalls[1]; sf.Indicator != "teaching_area" || !near(sf.Need, 100, 1e-9) {
		t.Errorf("teaching area: %+v", sf)
	}
	if p.Pass {
		t.Error("two shortfalls must fail the 6-of-7 rule")
	}
}

func TestSplitNineYear(t *testing.T) {
	r := rules(t, "national")
	s := goodPrimary("3402070002", 0)
	s.Type = census.NineYear
	s.Set(census.StudentsPrimary, 166)
	s.Set(census.StudentsJunior, 210)
	s.Set(census.EquipmentValue, 23226)
	c := Evaluate(r, 2024, []census.School{s}).Counties[0]
	if len(c.Parts) != 2 {
		t.Fatalf("parts: %d", len(c.Parts))
	}
	k := 5 // equipment_value
	if r.Indicators[k].ID != "equipment_value" {
		t.Fatal("indicator order changed")
	}
	// standards.md §2.3: primary share 166/(166+1.1×210) → 9 711.6, junior 13 514.4.
	if got := c.Parts[0].Raw[k]; !near(got, 9711.6, 0.05) {
		t.Errorf("primary share %.3f, want 9711.6", got)
	}
	if got := c.Parts[1].Raw[k]; !near(got, 13514.4, 0.05) {
		t.Errorf("junior share %.3f, want 13514.4", got)
	}
	if c.Parts[0].Split == nil || !near(c.Parts[0].Split.Share, 166/397.0, 1e-12) {
		t.Errorf("split not explained: %+v", c.Parts[0].Split)
	}
	// Plain student share as a setting.
	r2 := rules(t, "national")
	r2.Settings.SplitWeights.Mode = "students"
	c = Evaluate(r2, 2024, []census.School{s}).Counties[0]
	if got := c.Parts[0].Raw[k]; !near(got, 23226*166/376.0, 1e-6) {
		t.Errorf("student share %.3f", got)
	}
	// Per-part figures win, and the other part follows by difference.
	s.Set(census.EquipmentValuePrimary, 10000)
	c = Evaluate(r, 2024, []census.School{s}).Counties[0]
	if c.Parts[0].Raw[k] != 10000 || c.Parts[1].Raw[k] != 13226 {
		t.Errorf("per-part: primary %.1f junior %.1f, want 10000 / 13226", c.Parts[0].Raw[k], c.Parts[1].Raw[k])
	}
	if len(c.Parts[0].Split.Given) != 1 || len(c.Parts[1].Split.Derived) != 1 {
		t.Errorf("per-part figures not explained: %+v %+v", c.Parts[0].Split, c.Parts[1].Split)
	}
}

func TestSplitCompleteSecondary(t *testing.T) {
	r := rules(t, "national")
	s := goodPrimary("3402070003", 0)
	s.Type = census.CompleteSecondary
	s.Set(census.StudentsJunior, 1000)
	s.Set(census.StudentsSenior, 500)
	s.Set(census.TeachingArea, 16000)
	c := Evaluate(r, 2024, []census.School{s}).Counties[0]
	if len(c.Parts) != 1 || c.Parts[0].Stage != census.StageJunior {
		t.Fatalf("a 完全中学 contributes its junior part only: %+v", c.Parts)
	}
	// 初中 1 : 高中 1.2 → junior share 1000/(1000+600).
	if got := c.Parts[0].Raw[3]; !near(got, 10000, 1e-9) {
		t.Errorf("junior teaching area %.3f, want 10000", got)
	}
}

func TestExclusions(t *testing.T) {
	sp := goodPrimary("3402070010", 80)
	sp.Type = census.Special
	empty := goodPrimary("3402070011", 0)
	tp := goodPrimary("3402070012", 30)
	tp.Type = census.TeachingPoint
	good := goodPrimary("3402070013", 500)
	schools := []census.School{sp, empty, tp, good}

	c := Evaluate(rules(t, "national"), 2024, schools).Counties[0]
	excluded := map[string]string{}
	for _, p := range c.Parts {
		if p.Excluded {
			excluded[p.SchoolCode] = p.Reason
		}
	}
	if len(excluded) != 2 || excluded["3402070010"] == "" || excluded["3402070011"] == "" {
		t.Errorf("national exclusions: %v", excluded)
	}
	if st := c.Stage(census.StagePrimary); st.Parts != 2 || st.Excluded != 2 {
		t.Errorf("national primary: %d in scope, %d excluded", st.Parts, st.Excluded)
	}
	c = Evaluate(rules(t, "hebei"), 2024, schools).Counties[0]
	if st := c.Stage(census.StagePrimary); st.Parts != 1 || st.Excluded != 3 {
		t.Errorf("hebei: a 30-student 教学点 is excluded: %d in scope, %d excluded", st.Parts, st.Excluded)
	}
}

func TestCVRoundingFlag(t *testing.T) {
	// Two parts of equal size: CV = |a−b|/(a+b). Backbone teachers 301 and
	// 100 per 1 000 students give 201/401 = 0.501247: fails ≤ 0.50
	// unrounded, would pass as 0.50.
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	a.Set(census.BackboneTeachersPrimary, 301)
	b.Set(census.BackboneTeachersPrimary, 100)
	r := rules(t, "national")
	c := Evaluate(r, 2024, []census.School{a, b}).Counties[0]
	ir := c.Stage(census.StagePrimary).Indicator("backbone_teachers")
	if !near(ir.CV.CV, 201.0/401, 1e-12) || ir.Pass || !ir.RoundingFlips || c.RoundingFlips != 1 || c.ResourcePass {
		t.Fatalf("got cv %.6f pass %v flips %v county flips %d", ir.CV.CV, ir.Pass, ir.RoundingFlips, c.RoundingFlips)
	}
	if !near(ir.Margin, 0.5-201.0/401, 1e-12) {
		t.Errorf("margin %.6f", ir.Margin)
	}
	// A profile that compares at 2 decimals passes it: a setting changes the verdict.
	r.Settings.CVCompareDecimals = 2
	ir = Evaluate(r, 2024, []census.School{a, b}).Counties[0].Stage(census.StagePrimary).Indicator("backbone_teachers")
	if !ir.Pass || ir.Compared != 0.50 {
		t.Fatalf("rounded comparison: pass %v compared %v", ir.Pass, ir.Compared)
	}
}

func TestPublishedJiujiang2023(t *testing.T) {
	// 芜湖市鸠江区 2023, primary: the seven published CVs.
	cvs := []float64{0.297929, 0.501787, 0.401952, 0.288419, 0.375450, 0.312782, 0.394205}
	var sum float64
	fails := 0
	for _, cv := range cvs {
		sum += cv
		_, pass, flips := JudgeCV(cv, 0.50, -1)
		if !pass {
			fails++
			if cv != 0.501787 || !flips {
				t.Errorf("cv %v: pass %v flips %v", cv, pass, flips)
			}
		}
	}
	if fails != 1 {
		t.Errorf("%d fail, want 1 (0.501787)", fails)
	}
	if !near(sum/7, 0.367503, 5e-7) {
		t.Errorf("综合 %.6f, want 0.367503", sum/7)
	}
	if _, pass, _ := JudgeCV(0.501787, 0.50, 2); !pass {
		t.Error("rounded to 2 decimals it passes")
	}
}

func TestExactLimitPasses(t *testing.T) {
	// Two equal parts with values 3 and 1: CV = 2/4 = 0.5 exactly at the limit.
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	a.Set(census.BackboneTeachersPrimary, 30)
	b.Set(census.BackboneTeachersPrimary, 10)
	ir := Evaluate(rules(t, "national"), 2024, []census.School{a, b}).Counties[0].Stage(census.StagePrimary).Indicator("backbone_teachers")
	if !near(ir.CV.CV, 0.5, 1e-15) || !ir.Pass || ir.RoundingFlips {
		t.Fatalf("cv %.17f pass %v flips %v", ir.CV.CV, ir.Pass, ir.RoundingFlips)
	}
}

func TestEvaluateWeightedNotUnweighted(t *testing.T) {
	// The official example as equipment value per student (scale 1) through
	// the whole engine: the county CV must be 0.5153, not 0.4888.
	p, x := officialExample(t)
	var schools []census.School
	for i := range p {
		s := goodPrimary("340207000"+strconv.Itoa(i), p[i])
		s.Set(census.EquipmentValue, x[i])
		schools = append(schools, s)
	}
	ir := Evaluate(rules(t, "national"), 2024, schools).Counties[0].Stage(census.StagePrimary).Indicator("equipment_value")
	if !near(ir.CV.CV, 0.5153, 5e-5) || ir.N != 5 || ir.Students != 302 {
		t.Fatalf("cv %.6f n %d students %v", ir.CV.CV, ir.N, ir.Students)
	}
}

func TestMissingDataBlocksPass(t *testing.T) {
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	b.V[census.SportsArea] = math.NaN()
	c := Evaluate(rules(t, "national"), 2024, []census.School{a, b}).Counties[0]
	st := c.Stage(census.StagePrimary)
	ir := st.Indicator("sports_area")
	if c.ResourcePass || c.Complete || st.MissingParts != 1 || ir.Missing != 1 || ir.Pass || ir.N != 1 {
		t.Fatalf("resource %v complete %v missing parts %d ind missing %d pass %v n %d", c.ResourcePass, c.Complete, st.MissingParts, ir.Missing, ir.Pass, ir.N)
	}
	if p := c.Parts[1]; p.Pass || len(p.Missing) != 1 || p.Missing[0] != "sports_area" {
		t.Errorf("part: %+v", p)
	}
}

func TestCountiesSeparatedAndOrdered(t *testing.T) {
	a, b, c := goodPrimary("3402070001", 1000), goodPrimary("3402030001", 1000), goodPrimary("3402070002", 800)
	b.CountyCode, b.CountyName = "340203", "弋江区"
	res := Evaluate(rules(t, "national"), 2024, []census.School{a, b, c})
	if len(res.Counties) != 2 || res.Counties[0].Code != "340203" || len(res.Counties[1].Parts) != 2 {
		t.Fatalf("counties: %+v", res.Counties)
	}
	// Good primary schools pass their stage; with no junior part in scope
	// the junior stage, like the resource item's junior check, is pending.
	for _, c := range res.Counties {
		if st := c.Stage(census.StagePrimary); !st.Pass || c.ResourcePass || c.ResourceStatus() != census.StatusPending {
			t.Errorf("%s: primary pass %v, resource pass %v status %s; want true, false, pending", c.Code, st.Pass, c.ResourcePass, c.ResourceStatus())
		}
	}
	// Other years are ignored.
	c.Year = 2023
	if res := Evaluate(rules(t, "national"), 2024, []census.School{a, c}); len(res.Counties[0].Parts) != 1 {
		t.Error("a 2023 record took part in 2024")
	}
}

func TestContributions(t *testing.T) {
	a, b, c := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000), goodPrimary("3402070003", 2000)
	a.Set(census.BackboneTeachersPrimary, 30)
	county := Evaluate(rules(t, "national"), 2024, []census.School{a, b, c}).Counties[0]
	cs := county.Contributions(census.StagePrimary, 1)
	var sum float64
	best := cs[0]
	for _, x := range cs {
		sum += x.Share
		if x.Share > best.Share {
			best = x
		}
	}
	if !near(sum, 1, 1e-12) || best.Part.SchoolCode != "3402070001" {
		t.Fatalf("sum %v best %s", sum, best.Part.SchoolCode)
	}
}

func TestExplain(t *testing.T) {
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	a.Set(census.BackboneTeachersPrimary, 301)
	b.Set(census.BackboneTeachersPrimary, 100)
	b.Set(census.SportsArea, 6000) // 6.0 < 7.5, 80 %: below the floor
	c := Evaluate(rules(t, "national"), 2024, []census.School{a, b}).Counties[0]

	e, err := c.ExplainValue("3402070002", census.StagePrimary, "sports_area")
	if err != nil {
		t.Fatal(err)
	}
	txt := e.String()
	for _, want := range []string{"体育运动场馆面积 ÷ 在校生数", "6000", "1000", "结果：6 ㎡/生", "标准：7.5", "余量 -1.5", "80.0%（低于85%）", "还需增加 1500 ㎡"} {
		if !strings.Contains(txt, want) {
			t.Errorf("value explanation lacks %q:\n%s", want, txt)
		}
	}
	e, err = c.ExplainCV(census.StagePrimary, "backbone_teachers")
	if err != nil {
		t.Fatal(err)
	}
	txt = e.String()
	for _, want := range []string{"按学生数加权", "在校生合计 P = 2000", "未达标（0.501247 > 0.50）", "结论会相反", "拉大差异最多的学校"} {
		if !strings.Contains(txt, want) {
			t.Errorf("CV explanation lacks %q:\n%s", want, txt)
		}
	}
	if _, err := c.ExplainValue("9999999999", census.StagePrimary, "sports_area"); !errors.Is(err, ErrNoFigure) {
		t.Errorf("unknown school: %v", err)
	}
}

func TestJSONContract(t *testing.T) {
	a, b := goodPrimary("3402070001", 1000), goodPrimary("3402070002", 1000)
	b.Set(census.BackboneTeachersPrimary, 0)
	sp := goodPrimary("3402070003", 50)
	sp.Type = census.Special
	res := Evaluate(rules(t, "national"), 2024, []census.School{a, b, sp})
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	county := doc["counties"].([]any)[0].(map[string]any)
	for _, k := range []string{"code", "name", "resource_pass", "stages", "parts"} {
		if _, ok := county[k]; !ok {
			t.Errorf("county lacks %q", k)
		}
	}
	stage := county["stages"].([]any)[0].(map[string]any)
	for _, k := range []string{"stage", "parts", "students", "all_parts_pass", "indicators"} {
		if _, ok := stage[k]; !ok {
			t.Errorf("stage lacks %q", k)
		}
	}
	ind := stage["indicators"].([]any)[1].(map[string]any)
	for _, k := range []string{"id", "threshold", "mean", "cv", "cv_limit", "cv_pass"} {
		if _, ok := ind[k]; !ok {
			t.Errorf("indicator lacks %q", k)
		}
	}
	if ind["id"] != "backbone_teachers" || ind["cv_limit"] != 0.5 {
		t.Errorf("indicator: %v", ind)
	}
	// The junior stage has no parts: its CVs are undefined and come out as null, never 0.
	junior := county["stages"].([]any)[1].(map[string]any)
	if cv := junior["indicators"].([]any)[0].(map[string]any)["cv"]; cv != nil {
		t.Errorf("undefined CV marshalled as %v", cv)
	}
	var excluded map[string]any
	for _, p := range county["parts"].([]any) {
		pm := p.(map[string]any)
		for _, k := range []string{"school_code", "school_name", "stage", "students", "values", "met", "pass", "excluded", "reason"} {
			if _, ok := pm[k]; !ok {
				t.Errorf("part lacks %q", k)
			}
		}
		if pm["excluded"] == true {
			excluded = pm
		}
	}
	if excluded == nil || excluded["reason"] == "" {
		t.Errorf("the special school is not listed as excluded with a reason")
	}
}

// TestSortParts checks sortParts against a stable sort by stage and code:
// parts of schools in code order and out of it, every stage, repeated
// codes, and none or one.
func TestSortParts(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	stages := []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior, census.Stage("preschool")}
	e := &engine{}
	for i := range 3000 {
		n := rnd.IntN(40)
		parts := make([]*Part, 0, n)
		code := 0
		for len(parts) < n {
			if i%2 == 0 {
				code += rnd.IntN(3) // in code order, with repeats
			} else {
				code = rnd.IntN(20)
			}
			// a school's stages in order, as county() makes its parts
			first := rnd.IntN(len(stages))
			for _, st := range stages[first : first+1+rnd.IntN(len(stages)-first)] {
				parts = append(parts, &Part{Stage: st, order: stageOrder(st), SchoolCode: fmt.Sprintf("%010d", code), SchoolName: fmt.Sprint(len(parts))})
			}
		}
		// By the stages' names, not the order county() keeps with each
		// part (Part.order, which sortParts reads).
		want := slices.Clone(parts)
		slices.SortStableFunc(want, func(a, b *Part) int {
			if o := stageOrder(a.Stage) - stageOrder(b.Stage); o != 0 {
				return o
			}
			return strings.Compare(a.SchoolCode, b.SchoolCode)
		})
		e.sortParts(parts)
		if !slices.Equal(parts, want) {
			t.Fatalf("case %d: got %v, want %v", i, names(parts), names(want))
		}
	}
}

func names(parts []*Part) []string {
	var out []string
	for _, p := range parts {
		out = append(out, string(p.Stage)+"/"+p.SchoolCode+"/"+p.SchoolName)
	}
	return out
}

// schoolRuns returns the runs of schools of one county and year, whole, or
// cut short at random places when rnd is not nil.
func schoolRuns(schools []census.School, rnd *rand.Rand) []census.SchoolRun {
	runs := []census.SchoolRun{}
	for i, s := range schools {
		if n := len(runs); n > 0 && runs[n-1].Code == s.CountyCode && runs[n-1].Year == s.Year && (rnd == nil || rnd.IntN(5) > 0) {
			runs[n-1].Hi = i + 1
			continue
		}
		runs = append(runs, census.SchoolRun{Code: s.CountyCode, Year: s.Year, Lo: i, Hi: i + 1})
	}
	return runs
}

// TestGroupByCounty checks groupByCounty against grouping record by
// record: counties in the order they first appear, each county's records
// of the year in file order, on files in runs of counties and shuffled,
// with other years among them, small and large enough to be read on every
// core, cut anywhere; and from runs known beforehand (Inputs.Runs), whole
// or cut short anywhere.
func TestGroupByCounty(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		n := []int{0, 1, 7, 300, groupParallelMin + rnd.IntN(5000)}[i%5]
		schools := make([]census.School, n)
		county := 0
		for j := range schools {
			if i%2 == 0 {
				if rnd.IntN(40) == 0 {
					county = rnd.IntN(60) // runs, counties coming back
				}
			} else {
				county = rnd.IntN(60)
			}
			schools[j] = census.School{Year: 2024, CountyCode: fmt.Sprintf("34%04d", county), Code: fmt.Sprint(j)}
			if rnd.IntN(10) == 0 {
				schools[j].Year = 2023
			}
		}
		for _, year := range []int{2024, 2023, 0} {
			var want [][]*census.School
			at := map[string]int{}
			for j := range schools {
				s := &schools[j]
				if year != 0 && s.Year != year {
					continue
				}
				g, ok := at[s.CountyCode]
				if !ok {
					g = len(want)
					at[s.CountyCode] = g
					want = append(want, nil)
				}
				want[g] = append(want[g], s)
			}
			for _, known := range [][]census.SchoolRun{nil, schoolRuns(schools, nil), schoolRuns(schools, rnd)} {
				got := groupByCounty(year, schools, known)
				if len(got) != len(want) {
					t.Fatalf("case %d, year %d: %d groups, want %d", i, year, len(got), len(want))
				}
				for g := range want {
					if !slices.Equal(got[g], want[g]) {
						t.Fatalf("case %d, year %d: group %d (%s) differs: %d records, want %d", i, year, g, want[g][0].CountyCode, len(got[g]), len(want[g]))
					}
				}
			}
		}
	}
}

// TestSchoolKinds: every school type's parts are made from its stages in
// scope, with their order; a type the census does not know makes none
// (kindOf makes its kind on the spot), between schools of known types as
// at the start of a county.
func TestSchoolKinds(t *testing.T) {
	r := rules(t, "national")
	var schools []census.School
	for i, typ := range []census.SchoolType{"unknown", census.Primary, "unknown", census.NineYear, census.Junior, "其他", census.CompleteSecondary, census.TwelveYear, census.TeachingPoint} {
		s := goodPrimary(fmt.Sprintf("34020700%02d", i), 300)
		s.Type = typ
		s.Set(census.StudentsJunior, 200)
		schools = append(schools, s)
	}
	c := Evaluate(r, 2024, schools).Counties[0]
	got := map[string][]census.Stage{}
	for _, p := range c.Parts {
		if p.order != stageOrder(p.Stage) {
			t.Errorf("%s %s: order %d, want %d", p.SchoolCode, p.Stage, p.order, stageOrder(p.Stage))
		}
		got[p.SchoolCode] = append(got[p.SchoolCode], p.Stage)
	}
	for i, s := range schools {
		var want []census.Stage
		for _, st := range s.Type.Stages() {
			if slices.Contains(r.Stages, st) {
				want = append(want, st)
			}
		}
		if !slices.Equal(got[s.Code], want) {
			t.Errorf("school %d (%s): parts of %v, want %v", i, s.Type, got[s.Code], want)
		}
	}
}
