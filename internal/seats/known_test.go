package seats

import (
	"fmt"
	"math/big"
	"testing"
)

// truth is a catchment made by the cohort process with constant, known
// ratios and no noise.
type truth struct {
	catchment string
	entry     *big.Rat
	prog      []*big.Rat // Grades−1 of them
	shares    []*big.Rat // one per school, summing to 1
	births    func(y int) int
}

// students is the true number of students of grade g (1-based) in year y,
// of the whole catchment.
func (c truth) students(s Stage, y, g int) *big.Rat {
	r := new(big.Rat).Mul(c.entry, rat(c.births(y-s.EntryAge()-(g-1))))
	for j := 0; j < g-1; j++ {
		r.Mul(r, c.prog[j])
	}
	return r
}

// total is the true catchment total of year y.
func (c truth) total(s Stage, y int) *big.Rat {
	sum := new(big.Rat)
	for g := 1; g <= s.Grades(); g++ {
		sum.Add(sum, c.students(s, y, g))
	}
	return sum
}

// known builds an input whose history (first–last) and births (as far
// back as the history needs, up to last) follow the truths exactly; every
// figure must come out a whole number, or the test data is wrong.
func known(t *testing.T, s Stage, first, last int, cs ...truth) Input {
	t.Helper()
	in := Input{Stage: s, ClassSize: 45}
	for _, c := range cs {
		for y := first - s.EntryAge() - s.Grades() + 1; y <= last; y++ {
			in.Births = append(in.Births, Births{Catchment: c.catchment, Year: y, Births: c.births(y)})
		}
		for i, share := range c.shares {
			code := fmt.Sprintf("%s-%d", c.catchment, i+1)
			in.Schools = append(in.Schools, School{Code: code, Name: "学校" + code, Catchment: c.catchment, Classes: 30})
			for y := first; y <= last; y++ {
				for g := 1; g <= s.Grades(); g++ {
					r := new(big.Rat).Mul(c.students(s, y, g), share)
					if !r.IsInt() {
						t.Fatalf("test data: %s grade %d in %d is %s, not whole", code, g, y, r.RatString())
					}
					in.Enrolment = append(in.Enrolment, Enrolment{School: code, Year: y, Grade: g, Students: int(r.Num().Int64())})
				}
			}
		}
	}
	return in
}

func r(a, b int64) *big.Rat { return big.NewRat(a, b) }

// primaryTruths: an old town that keeps 90 % of its births, with a
// dip and a rise in its progression, served by two schools (1/3, 2/3); and
// a new district that takes in 6/5 of its births and keeps them, with one
// school. Births are multiples of 750 so that every figure is whole.
func primaryTruths() []truth {
	return []truth{
		{"A", r(9, 10), []*big.Rat{r(1, 1), r(6, 5), r(1, 1), r(4, 5), r(1, 1)}, []*big.Rat{r(1, 3), r(2, 3)},
			func(y int) int { return 750 * (2 + (y*7)%5) }},
		{"B", r(6, 5), []*big.Rat{r(1, 1), r(1, 1), r(1, 1), r(1, 1), r(1, 1)}, []*big.Rat{r(1, 1)},
			func(y int) int { return 750 * (1 + (y*3)%4) }},
	}
}

// TestRecoversKnownRatios: on cohorts made with known entry and
// progression ratios, every estimate (low, central and high) is the true
// ratio exactly, and the forecast is the true future exactly, for the
// catchments and for each school by its share.
func TestRecoversKnownRatios(t *testing.T) {
	truths := primaryTruths()
	in := known(t, Primary, 2018, 2025, truths...)
	res, err := Forecast(in, Options{Horizon: 6, Window: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 2025 || len(res.Years) != 6 || res.Years[5] != 2031 {
		t.Fatalf("from %d years %v", res.From, res.Years)
	}
	for i, c := range res.Catchments {
		want := truths[i]
		for v := range 3 {
			if c.Entry.Ratio[v].Cmp(want.entry) != 0 {
				t.Errorf("%s entry ratio %s: %s, want %s", c.Catchment, Variant(v), c.Entry.Ratio[v].RatString(), want.entry.RatString())
			}
			for g, p := range c.Progression {
				if p.Ratio[v].Cmp(want.prog[g]) != 0 {
					t.Errorf("%s progression %d→%d %s: %s, want %s", c.Catchment, g+1, g+2, Variant(v), p.Ratio[v].RatString(), want.prog[g].RatString())
				}
			}
		}
		if len(c.Entry.Observed) != 8 || c.Entry.Used != 4 {
			t.Errorf("%s entry: %d observed, %d used; want 8 and 4", c.Catchment, len(c.Entry.Observed), c.Entry.Used)
		}
		for _, y := range c.Years {
			wantTotal := want.total(Primary, y.Year)
			for v := range 3 {
				if y.Exact[v].Cmp(wantTotal) != 0 {
					t.Errorf("%s %d %s: %s, want %s", c.Catchment, y.Year, Variant(v), y.Exact[v].RatString(), wantTotal.RatString())
				}
			}
			if y.BirthsAssumed {
				t.Errorf("%s %d: births assumed, but they were given", c.Catchment, y.Year)
			}
		}
	}
	k := 0
	for _, c := range truths {
		for _, share := range c.shares {
			s := res.Schools[k]
			k++
			if s.Share.Cmp(share) != 0 {
				t.Errorf("%s share %s, want %s", s.Code, s.Share.RatString(), share.RatString())
			}
			for _, y := range s.Years {
				want := new(big.Rat).Mul(c.total(Primary, y.Year), share)
				if y.Exact[Central].Cmp(want) != 0 {
					t.Errorf("%s %d: %s, want %s", s.Code, y.Year, y.Exact[Central].RatString(), want.RatString())
				}
			}
		}
	}
}

// TestBacktestKnownRatios: forecasting a known year of a history made with
// constant ratios misses by nothing, one year ahead and three.
func TestBacktestKnownRatios(t *testing.T) {
	in := known(t, Primary, 2016, 2025, primaryTruths()...)
	// Drop 2023 and 2024 so that 2025 is forecast three years ahead.
	var gap Input = in
	gap.Enrolment = nil
	for _, e := range in.Enrolment {
		if e.Year != 2023 && e.Year != 2024 {
			gap.Enrolment = append(gap.Enrolment, e)
		}
	}
	for _, c := range []struct {
		name string
		in   Input
		from int
	}{{"one year ahead", in, 2024}, {"three years ahead", gap, 2022}} {
		bt, err := Backtest(c.in, 2025, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if bt.From != c.from || len(bt.Schools) != 3 || len(bt.Catchments) != 2 {
			t.Fatalf("%s: from %d, %d schools, %d catchments", c.name, bt.From, len(bt.Schools), len(bt.Catchments))
		}
		for _, m := range append(bt.Schools, bt.Catchments...) {
			if m.AbsError != 0 || m.Actual == 0 || m.RelError.Sign() != 0 {
				t.Errorf("%s: %s %s: forecast %d, actual %d", c.name, m.Catchment, m.School, m.Forecast, m.Actual)
			}
		}
		for _, a := range []Accuracy{bt.SchoolAccuracy, bt.CatchmentAccuracy} {
			if a.MAE.Sign() != 0 || a.MAPE.Sign() != 0 || a.NRel != a.N {
				t.Errorf("%s: accuracy %+v", c.name, a)
			}
		}
	}
}

// TestBacktestByHand: a kindergarten whose ratios change; its error is
// worked out by hand.
func TestBacktestByHand(t *testing.T) {
	in := Input{Stage: Kindergarten, ClassSize: 30,
		Schools: []School{{Code: "K1", Catchment: "Z", Places: 330}}}
	for y := 2015; y <= 2021; y++ {
		in.Births = append(in.Births, Births{Catchment: "Z", Year: y, Births: 100})
	}
	for _, e := range []struct{ y, g1, g2, g3 int }{{2020, 90, 80, 70}, {2021, 100, 90, 88}, {2022, 100, 95, 105}} {
		for g, n := range []int{e.g1, e.g2, e.g3} {
			in.Enrolment = append(in.Enrolment, Enrolment{School: "K1", Year: e.y, Grade: g + 1, Students: n})
		}
	}
	// Entry 90/100 and 100/100: mean 19/20; 小班 2022 = 19/20 × 100 = 95.
	// 中班: 90/90 = 1 → 100. 大班: 88/80 = 11/10 → 11/10 × 90 = 99.
	// Forecast 294 against 300: off by 6, 1/50.
	bt, err := Backtest(in, 2022, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := bt.Schools[0]
	if m.Forecast != 294 || m.Actual != 300 || m.AbsError != 6 || m.RelError.Cmp(r(1, 50)) != 0 {
		t.Errorf("miss %+v (rel %s)", m, m.RelError.RatString())
	}
	if a := bt.CatchmentAccuracy; a.N != 1 || a.MAE.Cmp(r(6, 1)) != 0 || a.MAPE.Cmp(r(1, 50)) != 0 {
		t.Errorf("catchment accuracy %+v", a)
	}
	// The low and high variants bracket it: entry 9/10 or 1.
	res, err := Forecast(Input{Stage: in.Stage, ClassSize: 30, Schools: in.Schools, Births: in.Births, Enrolment: in.Enrolment[:6]}, Options{Horizon: 1})
	if err != nil {
		t.Fatal(err)
	}
	y := res.Schools[0].Years[0]
	if got := [3]int{y.Checks[Low].Students, y.Checks[Central].Students, y.Checks[High].Students}; got != [3]int{289, 294, 299} {
		t.Errorf("low/central/high %v, want [289 294 299]", got)
	}
}

// TestWindow: the estimate takes the last Window observations: the mean,
// the lowest and the highest of those only.
func TestWindow(t *testing.T) {
	in := Input{Stage: Kindergarten, ClassSize: 30, Schools: []School{{Code: "K1", Catchment: "Z", Places: 500}}}
	for y := 2010; y <= 2020; y++ {
		in.Births = append(in.Births, Births{Catchment: "Z", Year: y, Births: 100})
	}
	intake := map[int]int{2016: 50, 2017: 80, 2018: 90, 2019: 110, 2020: 100}
	for y, n := range intake {
		for g := 1; g <= 3; g++ {
			in.Enrolment = append(in.Enrolment, Enrolment{School: "K1", Year: y, Grade: g, Students: n})
		}
	}
	for _, c := range []struct {
		window         int
		low, mid, high *big.Rat
	}{
		{1, r(1, 1), r(1, 1), r(1, 1)},
		{2, r(1, 1), r(21, 20), r(11, 10)},
		{3, r(9, 10), r(1, 1), r(11, 10)},
		{9, r(1, 2), r(43, 50), r(11, 10)},
	} {
		res, err := Forecast(in, Options{Window: c.window, Horizon: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := res.Catchments[0].Entry
		if e.Ratio[Low].Cmp(c.low) != 0 || e.Ratio[Central].Cmp(c.mid) != 0 || e.Ratio[High].Cmp(c.high) != 0 {
			t.Errorf("window %d: %s %s %s, want %s %s %s", c.window, e.Ratio[Low].RatString(), e.Ratio[Central].RatString(), e.Ratio[High].RatString(),
				c.low.RatString(), c.mid.RatString(), c.high.RatString())
		}
	}
}
