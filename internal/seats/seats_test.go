package seats

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func intp(n int) *int { return &n }

// small is a valid kindergarten of one catchment and one school, with
// three years of history, for the error cases to break.
func small() Input {
	in := Input{Stage: Kindergarten, ClassSize: 30, Schools: []School{{Code: "K1", Name: "一幼", Catchment: "Z", Classes: 9}}}
	for y := 2015; y <= 2022; y++ {
		in.Births = append(in.Births, Births{Catchment: "Z", Year: y, Births: 100})
	}
	for y := 2020; y <= 2022; y++ {
		for g := 1; g <= 3; g++ {
			in.Enrolment = append(in.Enrolment, Enrolment{School: "K1", Year: y, Grade: g, Students: 90})
		}
	}
	return in
}

// TestInputErrors: bad input is refused with an error naming the
// catchment or school, the year and the field.
func TestInputErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Input)
		want   InputError
	}{
		{"negative births", func(in *Input) { in.Births[2].Births = -1 },
			InputError{Catchment: "Z", Year: 2017, Field: "births"}},
		{"zero births with intake", func(in *Input) { in.Births[3].Births = 0 },
			InputError{Catchment: "Z", Year: 2018, Field: "births"}},
		{"births twice", func(in *Input) { in.Births = append(in.Births, in.Births[0]) },
			InputError{Catchment: "Z", Year: 2015, Field: "births"}},
		{"negative resident", func(in *Input) { in.Births[1].Resident = intp(-3) },
			InputError{Catchment: "Z", Year: 2016, Field: "resident children"}},
		{"negative students", func(in *Input) { in.Enrolment[4].Students = -2 },
			InputError{School: "K1", Year: 2021, Field: "grade 2 students"}},
		{"grade out of the stage", func(in *Input) { in.Enrolment[0].Grade = 4 },
			InputError{School: "K1", Year: 2020, Field: "grade"}},
		{"unknown school", func(in *Input) { in.Enrolment[0].School = "K9" },
			InputError{School: "K9", Year: 2020, Field: "school"}},
		{"students twice", func(in *Input) { in.Enrolment = append(in.Enrolment, in.Enrolment[0]) },
			InputError{School: "K1", Year: 2020, Field: "grade 1 students"}},
		{"a grade from nothing", func(in *Input) {
			for i := range in.Enrolment {
				if in.Enrolment[i].Grade == 1 && in.Enrolment[i].Year < 2022 {
					in.Enrolment[i].Students = 0
				}
			}
		}, InputError{Catchment: "Z", Year: 2021, Field: "grade 2 students"}},
		{"no places", func(in *Input) { in.Schools[0].Classes = 0 },
			InputError{School: "K1", Catchment: "Z", Field: "places"}},
		{"no catchment", func(in *Input) { in.Schools[0].Catchment = "" },
			InputError{School: "K1", Field: "catchment"}},
		{"births missing inside the years", func(in *Input) { in.Births = append(in.Births[:5], in.Births[6:]...) },
			InputError{Catchment: "Z", Year: 2020, Field: "births"}},
		{"no births for the history", func(in *Input) { in.Births = in.Births[5:] },
			InputError{Catchment: "Z", Field: "entry ratio"}},
		{"new school without catchment", func(in *Input) { in.Projects = []Project{{Name: "新园", OpenYear: 2024, Classes: 6}} },
			InputError{Project: "新园", Field: "catchment", Year: 2024}},
		{"project in an unknown catchment", func(in *Input) {
			in.Projects = []Project{{Name: "新园", Catchment: "Y", OpenYear: 2024, Classes: 6}}
		}, InputError{Catchment: "Y", Project: "新园", Year: 2024, Field: "catchment"}},
		{"extension in another catchment", func(in *Input) {
			in.Projects = []Project{{Name: "扩建", School: "K1", Catchment: "Y", OpenYear: 2024, Classes: 6}}
		}, InputError{School: "K1", Catchment: "Y", Project: "扩建", Year: 2024, Field: "catchment"}},
		{"project without places", func(in *Input) { in.Projects = []Project{{Name: "扩建", School: "K1", OpenYear: 2024}} },
			InputError{School: "K1", Catchment: "Z", Project: "扩建", Year: 2024, Field: "places"}},
		{"project without a year", func(in *Input) { in.Projects = []Project{{Name: "扩建", School: "K1", Places: 30}} },
			InputError{School: "K1", Catchment: "Z", Project: "扩建", Field: "opening year"}},
		{"unknown stage", func(in *Input) { in.Stage = "senior" }, InputError{Field: "stage"}},
		{"no class size", func(in *Input) { in.ClassSize = 0 }, InputError{Field: "class size"}},
		{"too many births", func(in *Input) { in.Births[0].Births = MaxCount + 1 },
			InputError{Catchment: "Z", Year: 2015, Field: "births"}},
	}
	for _, c := range cases {
		in := small()
		c.change(&in)
		_, err := Forecast(in, Options{})
		var ie *InputError
		if !errors.As(err, &ie) || !errors.Is(err, ErrInput) {
			t.Errorf("%s: %v, want an InputError", c.name, err)
			continue
		}
		got := *ie
		got.Problem = ""
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: %v (-want +got):\n%s", c.name, err, diff)
		}
		if ie.Problem == "" || !strings.Contains(err.Error(), ie.Field) {
			t.Errorf("%s: message %q", c.name, err)
		}
	}
	if _, err := Forecast(small(), Options{}); err != nil {
		t.Fatalf("the valid input: %v", err)
	}
	for _, o := range []Options{{Horizon: 16}, {Horizon: -1}, {Window: -1}, {Base: "guess"}} {
		if _, err := Forecast(small(), o); !errors.Is(err, ErrInput) {
			t.Errorf("options %+v: %v", o, err)
		}
	}
	for _, y := range []int{2020, 2023} {
		if _, err := Backtest(small(), y, Options{}); !errors.Is(err, ErrInput) {
			t.Errorf("backtest %d: %v", y, err)
		}
	}
}

// TestBase: the entry ratio is taken against the registered or resident
// children when asked, and a missing count of that base is an error.
func TestBase(t *testing.T) {
	in := small()
	for i := range in.Births {
		in.Births[i].Resident = intp(120)
	}
	res, err := Forecast(in, Options{Base: BaseResident, Horizon: 1})
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Catchments[0].Entry.Ratio[Central]; e.Cmp(r(3, 4)) != 0 {
		t.Errorf("entry ratio on resident children %s, want 3/4", e.RatString())
	}
	if res.Base != BaseResident || !strings.Contains(res.Method, "常住") {
		t.Errorf("base %s, method %s", res.Base, res.Method)
	}
	in.Births[6].Resident = nil // born 2021, the entry cohort of 2024
	_, err = Forecast(in, Options{Base: BaseResident, Horizon: 2})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Year != 2021 || ie.Field != "resident" {
		t.Errorf("missing resident count: %v", err)
	}
	if _, err := Forecast(in, Options{Base: BaseRegistered}); err == nil {
		t.Error("no registered count at all, yet a forecast")
	}
}

// TestBirthsAssumed: a forecast past the last birth cohort holds it flat
// and says so.
func TestBirthsAssumed(t *testing.T) {
	in := small()
	res, err := Forecast(in, Options{Horizon: 6})
	if err != nil {
		t.Fatal(err)
	}
	// Births are given to 2022: the intake of 2025 is the last from a given
	// cohort (born 2022).
	for _, y := range res.Catchments[0].Years {
		if y.BirthsAssumed != (y.Year > 2025) {
			t.Errorf("%d: births assumed %v", y.Year, y.BirthsAssumed)
		}
		if y.Grades[Central][0] != 90 {
			t.Errorf("%d: intake %d, want 90 (entry 9/10 of 100)", y.Year, y.Grades[Central][0])
		}
	}
}

// TestVariantsOrdered: low ≤ central ≤ high for every unit and year, and
// the rounded students and lights follow the exact figures.
func TestVariantsOrdered(t *testing.T) {
	for seed := range uint64(20) {
		for _, st := range []Stage{Primary, Junior, Kindergarten} {
			res, err := Forecast(Generate(st, seed), Options{Horizon: 9})
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, st, err)
			}
			checkResult(t, res)
		}
	}
}

// checkResult checks what every forecast must satisfy.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	years := func(name string, ys []Year) {
		for _, y := range ys {
			for v := range 3 {
				c := y.Checks[v]
				if y.Exact[v].Sign() < 0 || c.Students != roundHalfUp(y.Exact[v]) {
					t.Fatalf("%s %d %s: exact %s, students %d", name, y.Year, Variant(v), y.Exact[v].RatString(), c.Students)
				}
				if c.Light != Judge(c.Students, c.Places, defaultAmber, defaultRed) {
					t.Fatalf("%s %d %s: light %s for %d in %d", name, y.Year, Variant(v), c.Light, c.Students, c.Places)
				}
			}
			if y.Exact[Low].Cmp(y.Exact[Central]) > 0 || y.Exact[Central].Cmp(y.Exact[High]) > 0 {
				t.Fatalf("%s %d: low %s, central %s, high %s", name, y.Year,
					y.Exact[Low].FloatString(2), y.Exact[Central].FloatString(2), y.Exact[High].FloatString(2))
			}
		}
	}
	for _, c := range res.Catchments {
		years(c.Catchment, c.Years)
		for _, e := range append([]Estimate{c.Entry}, c.Progression...) {
			if e.Ratio[Low].Cmp(e.Ratio[Central]) > 0 || e.Ratio[Central].Cmp(e.Ratio[High]) > 0 {
				t.Fatalf("%s: ratios %v", c.Catchment, e.Ratio)
			}
		}
	}
	for _, s := range res.Schools {
		years(s.Code, s.Years)
	}
	// The schools of a catchment add up to it exactly.
	for _, c := range res.Catchments {
		for i := range c.Years {
			for v := range 3 {
				sum := r(0, 1)
				for _, s := range res.Schools {
					if s.Catchment == c.Catchment {
						sum.Add(sum, s.Years[i].Exact[v])
					}
				}
				if sum.Cmp(c.Years[i].Exact[v]) != 0 {
					t.Fatalf("%s %d %s: schools add up to %s, catchment %s", c.Catchment, c.Years[i].Year, Variant(v), sum.RatString(), c.Years[i].Exact[v].RatString())
				}
			}
		}
	}
}

// TestGenerate: the demo area is the same for the same seed, and shows
// amber and red catchments with shortfalls, a project in time and one
// too late, for primary schools and kindergartens.
func TestGenerate(t *testing.T) {
	for _, st := range []Stage{Primary, Kindergarten} {
		a, b := Generate(st, 1), Generate(st, 1)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("%s: the same seed generated differently:\n%s", st, diff)
		}
		if cmp.Equal(a, Generate(st, 2)) {
			t.Errorf("%s: seeds 1 and 2 generated the same", st)
		}
		res, err := Forecast(a, Options{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, w := range res.Warnings {
			c := w.Checks[Central]
			if w.School == "" {
				seen["catchment "+string(c.Light)] = true
			}
			if c.Light == Red && c.Shortfall > 0 && c.ShortfallClasses > 0 {
				seen["shortfall"] = true
			}
			seen[string(c.Cover)] = true
		}
		for _, want := range []string{"catchment amber", "catchment red", "shortfall", string(InTime), string(TooLate)} {
			if !seen[want] {
				t.Errorf("%s demo: no %s among %d warnings", st, want, len(res.Warnings))
			}
		}
		bt, err := Backtest(a, DemoYear, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The demo's ratios are jittered by ±3 %: the forecast of its last
		// year must miss, but by little.
		if m := bt.SchoolAccuracy.MAPE; m.Sign() == 0 || m.Cmp(r(5, 100)) > 0 {
			t.Errorf("%s demo backtest: MAPE %s", st, m.FloatString(4))
		}
	}
}

// TestRunaway: ratios that would project more children than any area has
// are refused, naming the catchment, year and grade.
func TestRunaway(t *testing.T) {
	in := Input{Stage: Kindergarten, ClassSize: 30, Schools: []School{{Code: "K1", Catchment: "Z", Places: 300}}}
	for y := 2015; y <= 2021; y++ {
		in.Births = append(in.Births, Births{Catchment: "Z", Year: y, Births: 100})
	}
	in.Enrolment = []Enrolment{
		{School: "K1", Year: 2020, Grade: 1, Students: 1},
		{School: "K1", Year: 2020, Grade: 2, Students: 1},
		{School: "K1", Year: 2021, Grade: 3, Students: 1},
		{School: "K1", Year: 2021, Grade: 1, Students: 200},
		{School: "K1", Year: 2021, Grade: 2, Students: MaxCount},
	}
	_, err := Forecast(in, Options{Horizon: 1})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Catchment != "Z" || ie.Year != 2022 || ie.Field != "grade 2" {
		t.Errorf("runaway ratios: %v", err)
	}
}

// TestWarningsOrder: warnings come by year, red before amber, then
// catchment, the catchment before its schools.
func TestWarningsOrder(t *testing.T) {
	res, err := Forecast(Generate(Primary, 1), Options{Horizon: 9})
	if err != nil {
		t.Fatal(err)
	}
	rank := map[Light]int{Red: 0, Amber: 1, Green: 2}
	for i := 1; i < len(res.Warnings); i++ {
		a, b := res.Warnings[i-1], res.Warnings[i]
		ka := fmt.Sprintf("%d %d %s %s", a.Year, rank[a.Checks[Central].Light], a.Catchment, a.School)
		kb := fmt.Sprintf("%d %d %s %s", b.Year, rank[b.Checks[Central].Light], b.Catchment, b.School)
		if ka >= kb {
			t.Fatalf("warning %d (%s) before %d (%s)", i-1, ka, i, kb)
		}
	}
	for _, w := range res.Warnings {
		if w.Checks[Central].Light == Green && w.Checks[High].Light == Green {
			t.Fatalf("a green warning: %+v", w)
		}
	}
}

// TestSummary: the summary counts the lights and adds up the catchments'
// shortfalls, without one catchment's room offsetting another's lack.
func TestSummary(t *testing.T) {
	in := known(t, Primary, 2018, 2025, primaryTruths()...)
	res, err := Forecast(in, Options{Horizon: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Give catchment A all the room in the world and B too little, by hand.
	a, b := &res.Catchments[0].Years[0].Checks[Central], &res.Catchments[1].Years[0].Checks[Central]
	*a = defaults.judge(2026, 100, 1000, nil, 45)
	*b = defaults.judge(2026, 200, 100, []Project{{OpenYear: 2026, Places: 60}}, 45)
	for i := range res.Schools {
		res.Schools[i].Years[0].Checks[Central] = defaults.judge(2026, 95, 100, nil, 45)
	}
	got := res.Summary(Central)[0]
	want := YearSummary{Year: 2026, RedCatchments: 1, AmberSchools: 3, Shortfall: 100, ShortfallClasses: 3, Uncovered: 40}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}
