package seats

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var defaults = thresholds{defaultAmber, defaultRed}

// TestJudgeBoundaries: exactly 90 % is amber and exactly 100 % red, one
// child either side is not; the margins count the children to each line.
func TestJudgeBoundaries(t *testing.T) {
	cases := []struct {
		name             string
		students, places int
		light            Light
		toAmber, toRed   int
		shortfall        int
	}{
		{"one below 90 %", 89, 100, Green, 1, 11, 0},
		{"exactly 90 %", 90, 100, Amber, 0, 10, 0},
		{"one above 90 %", 91, 100, Amber, -1, 9, 0},
		{"one below 100 %", 99, 100, Amber, -9, 1, 0},
		{"exactly 100 %", 100, 100, Red, -10, 0, 0},
		{"one above 100 %", 101, 100, Red, -11, -1, 1},
		// 90 % of 45 is 40.5: 40 children are below it, 41 at or above.
		{"45 places, 40", 40, 45, Green, 1, 5, 0},
		{"45 places, 41", 41, 45, Amber, 0, 4, 0},
		{"45 places, 45", 45, 45, Red, -4, 0, 0},
		{"none", 0, 100, Green, 90, 100, 0},
	}
	for _, c := range cases {
		got := defaults.judge(2030, c.students, c.places, nil, 45)
		if got.Light != c.light || got.ToAmber != c.toAmber || got.ToRed != c.toRed || got.Shortfall != c.shortfall {
			t.Errorf("%s: %s, to amber %d, to red %d, shortfall %d; want %s %d %d %d",
				c.name, got.Light, got.ToAmber, got.ToRed, got.Shortfall, c.light, c.toAmber, c.toRed, c.shortfall)
		}
		if got.Usage.Cmp(big.NewRat(int64(c.students), int64(c.places))) != 0 {
			t.Errorf("%s: usage %s", c.name, got.Usage.RatString())
		}
	}
}

// TestJudgeThresholds: thresholds as settings, also ones that are not a
// whole percent, compared exactly.
func TestJudgeThresholds(t *testing.T) {
	cases := []struct {
		students, places int
		amber, red       *big.Rat
		want             Light
	}{
		{85, 100, big.NewRat(85, 100), big.NewRat(95, 100), Amber},
		{84, 100, big.NewRat(85, 100), big.NewRat(95, 100), Green},
		{95, 100, big.NewRat(85, 100), big.NewRat(95, 100), Red},
		// Two thirds of 100 is 66.67: 66 is below, 67 at or above.
		{66, 100, big.NewRat(2, 3), big.NewRat(1, 1), Green},
		{67, 100, big.NewRat(2, 3), big.NewRat(1, 1), Amber},
		// Red above 100 % (a tolerated overload of 5 %).
		{104, 100, big.NewRat(9, 10), big.NewRat(21, 20), Amber},
		{105, 100, big.NewRat(9, 10), big.NewRat(21, 20), Red},
		{1, 0, big.NewRat(9, 10), big.NewRat(1, 1), Red},
		{0, 0, big.NewRat(9, 10), big.NewRat(1, 1), Green},
	}
	for _, c := range cases {
		if got := Judge(c.students, c.places, c.amber, c.red); got != c.want {
			t.Errorf("%d in %d (amber %s, red %s): %s, want %s", c.students, c.places, c.amber.RatString(), c.red.RatString(), got, c.want)
		}
	}
	for _, o := range []Options{
		{Amber: big.NewRat(0, 1)},
		{Amber: big.NewRat(11, 10)},
		{Amber: big.NewRat(9, 10), Red: big.NewRat(8, 10)},
		{Red: big.NewRat(11, 1)},
	} {
		if _, err := o.thresholds(); err == nil {
			t.Errorf("thresholds %v %v accepted", o.Amber, o.Red)
		}
	}
}

// TestShortfallClasses: the shortfall in classes is rounded up, by the
// unit's class size.
func TestShortfallClasses(t *testing.T) {
	cases := []struct{ students, places, size, classes int }{
		{100, 100, 45, 0},
		{101, 100, 45, 1},
		{145, 100, 45, 1},
		{146, 100, 45, 2},
		{190, 100, 45, 2},
		{191, 100, 45, 3},
		{151, 100, 50, 2},
	}
	for _, c := range cases {
		got := defaults.judge(2030, c.students, c.places, nil, c.size)
		if got.ShortfallClasses != c.classes || got.Shortfall != max(c.students-c.places, 0) {
			t.Errorf("%d in %d, classes of %d: shortfall %d = %d classes, want %d classes", c.students, c.places, c.size, got.Shortfall, got.ShortfallClasses, c.classes)
		}
	}
}

// TestProjects: a project closes a red gap when it opens in or before the
// year, and is too late when it opens after; too small a project does not
// close it; an amber unit has no gap to close.
func TestProjects(t *testing.T) {
	ext := func(year, places int) Project {
		return Project{Name: "扩建", School: "S", OpenYear: year, Places: places}
	}
	cases := []struct {
		name     string
		students int
		projects []Project
		want     Check
	}{
		{"opens that year", 120, []Project{ext(2030, 25)}, Check{Planned: 25, LightPlanned: Amber, Cover: InTime, ClosedFrom: 2030}},
		{"opens before", 120, []Project{ext(2028, 90)}, Check{Planned: 90, LightPlanned: Green, Cover: InTime, ClosedFrom: 2028}},
		{"opens a year late", 120, []Project{ext(2031, 45)}, Check{Later: 45, LightPlanned: Red, Cover: TooLate, ClosedFrom: 2031}},
		// 120 in 120 places is still red: exactly full leaves no place.
		{"too small", 120, []Project{ext(2029, 20)}, Check{Planned: 20, LightPlanned: Red, Cover: NotClosed}},
		{"two, the second late", 120, []Project{ext(2029, 10), ext(2032, 45)}, Check{Planned: 10, Later: 45, LightPlanned: Red, Cover: TooLate, ClosedFrom: 2032}},
		{"two in time together", 120, []Project{ext(2029, 10), ext(2030, 15)}, Check{Planned: 25, LightPlanned: Amber, Cover: InTime, ClosedFrom: 2030}},
		{"amber", 95, []Project{ext(2030, 45)}, Check{Planned: 45, LightPlanned: Green, Cover: NoGap}},
		{"red, none planned", 120, nil, Check{LightPlanned: Red, Cover: NotClosed}},
	}
	for _, c := range cases {
		got := defaults.judge(2030, c.students, 100, c.projects, 45)
		got = Check{Planned: got.Planned, Later: got.Later, LightPlanned: got.LightPlanned, Cover: got.Cover, ClosedFrom: got.ClosedFrom}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestProjectsInForecast: through Forecast, a school's extension counts
// for the school and its catchment, a new school for the catchment only.
func TestProjectsInForecast(t *testing.T) {
	in := known(t, Primary, 2018, 2025, primaryTruths()...)
	// Shrink catchment B's school so that it is red from the first year.
	for i := range in.Schools {
		if in.Schools[i].Code == "B-1" {
			in.Schools[i].Classes = 0
			in.Schools[i].Places = 1000
		}
	}
	in.Projects = []Project{
		{Name: "B-1扩建", School: "B-1", OpenYear: 2026, Places: 100000},
		{Name: "B新校", Catchment: "B", OpenYear: 2028, Classes: 10},
	}
	res, err := Forecast(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var school SchoolForecast
	for _, s := range res.Schools {
		if s.Code == "B-1" {
			school = s
		}
	}
	c := res.Catchments[1]
	for i, y := range c.Years {
		sc, cc := school.Years[i].Checks[Central], y.Checks[Central]
		if sc.Light != Red || sc.Cover != InTime || sc.Planned != 100000 {
			t.Errorf("B-1 %d: %+v", y.Year, sc)
		}
		wantPlanned := 100000
		if y.Year >= 2028 {
			wantPlanned += 450
		}
		if cc.Planned != wantPlanned || cc.Places != 1000 {
			t.Errorf("B %d: planned %d, places %d; want %d and 1000", y.Year, cc.Planned, cc.Places, wantPlanned)
		}
	}
	if len(res.Warnings) == 0 || res.Warnings[0].Year != 2026 || res.Warnings[0].Checks[Central].Light != Red {
		t.Errorf("warnings start %+v", res.Warnings[:min(1, len(res.Warnings))])
	}
}

// TestParseShare: thresholds as a profile writes them.
func TestParseShare(t *testing.T) {
	cases := []struct {
		in   string
		want *big.Rat
		text string
	}{
		{"0.9", big.NewRat(9, 10), "90%"},
		{"90%", big.NewRat(9, 10), "90%"},
		{" 92.5 % ", big.NewRat(37, 40), "92.5%"},
		{"９０％", big.NewRat(9, 10), "90%"},
		{"1", big.NewRat(1, 1), "100%"},
		{"2/3", big.NewRat(2, 3), "2/3"},
		{"105%", big.NewRat(21, 20), "105%"},
	}
	for _, c := range cases {
		got, err := ParseShare(c.in)
		if err != nil || got.Cmp(c.want) != 0 || FormatShare(got) != c.text {
			t.Errorf("%q: %v %v (%q), want %s %q", c.in, got, err, FormatShare(c.want), c.want.RatString(), c.text)
		}
	}
	for _, bad := range []string{"", "0", "0%", "-0.9", "1e3", "ninety", "1/0", "1001%", "0.9.1"} {
		if _, err := ParseShare(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
