package seats

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
)

// bytes hands out small numbers from the fuzzer's data, then zeros.
type bytes struct {
	b []byte
	i int
}

func (b *bytes) next() int {
	if b.i >= len(b.b) {
		return 0
	}
	b.i++
	return int(b.b[b.i-1])
}

// count is a count from −8 to 247: mostly plausible, sometimes negative.
func (b *bytes) count() int { return b.next() - 8 }

// fuzzInput builds an arbitrary small input from data.
func fuzzInput(data []byte) (Input, Options, bool) {
	b := &bytes{b: data}
	st := []Stage{Primary, Junior, Kindergarten, "x"}[b.next()%4]
	in := Input{Stage: st, ClassSize: b.next() % 60}
	negative := false
	catchments := 1 + b.next()%2
	first, years := 2020, 1+b.next()%4
	for c := range catchments {
		code := fmt.Sprintf("C%d", c)
		for y := first - 20; y <= first+years; y++ {
			if b.next()%16 == 0 {
				continue // a gap in the births
			}
			n := b.count()
			negative = negative || n < 0
			in.Births = append(in.Births, Births{Catchment: code, Year: y, Births: n})
		}
		for s := range 1 + b.next()%3 {
			sc := fmt.Sprintf("%s-%d", code, s)
			in.Schools = append(in.Schools, School{Code: sc, Catchment: code, Places: b.next() * 3, Classes: b.next() % 20})
			for y := first; y < first+years; y++ {
				for g := 1; g <= max(st.Grades(), 1); g++ {
					n := b.count()
					negative = negative || n < 0
					in.Enrolment = append(in.Enrolment, Enrolment{School: sc, Year: y, Grade: g, Students: n})
				}
			}
		}
		if b.next()%3 == 0 {
			in.Projects = append(in.Projects, Project{Catchment: code, School: fmt.Sprintf("%s-%d", code, b.next()%4),
				OpenYear: first + years + b.next()%10 - 2, Places: b.next(), Classes: b.next() % 5})
		}
	}
	opt := Options{Horizon: b.next() % 17, Window: b.next() % 5}
	if n, d := b.next(), b.next(); d > 0 {
		opt.Amber = big.NewRat(int64(n), int64(d))
	}
	if n, d := b.next(), b.next(); d > 0 {
		opt.Red = big.NewRat(int64(n), int64(d))
	}
	return in, opt, negative
}

// FuzzForecast: on arbitrary inputs the forecast and the backtest never
// panic; they refuse with an ErrInput (always when a count is negative),
// or return figures that are exact, non-negative, ordered low ≤ central ≤
// high, lit as Judge lights them, and whose schools add up to their
// catchment.
func FuzzForecast(f *testing.F) {
	f.Add([]byte{2, 30, 0, 2, 100, 100, 100, 100})
	f.Add([]byte{0, 45, 1, 3, 200, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9})
	f.Add([]byte{1, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 30, 0, 3, 7, 1, 250, 250, 250, 3, 0, 10, 0, 60})
	f.Fuzz(func(t *testing.T, data []byte) {
		in, opt, negative := fuzzInput(data)
		res, err := Forecast(in, opt)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("not an input error: %v", err)
			}
		} else {
			if negative {
				t.Fatal("a negative count was accepted")
			}
			th, _ := opt.thresholds()
			for _, ys := range allYears(res) {
				for _, y := range ys {
					for v := range 3 {
						c := y.Checks[v]
						if y.Exact[v].Sign() < 0 || c.Students != roundHalfUp(y.Exact[v]) || c.Students < 0 {
							t.Fatalf("%d %s: exact %s, students %d", y.Year, Variant(v), y.Exact[v].RatString(), c.Students)
						}
						if c.Light != Judge(c.Students, c.Places, th.amber, th.red) || c.ShortfallClasses < 0 {
							t.Fatalf("%d %s: %+v", y.Year, Variant(v), c)
						}
					}
					if y.Exact[Low].Cmp(y.Exact[Central]) > 0 || y.Exact[Central].Cmp(y.Exact[High]) > 0 {
						t.Fatalf("%d: variants out of order", y.Year)
					}
				}
			}
			for _, c := range res.Catchments {
				for i := range c.Years {
					sum := new(big.Rat)
					for _, s := range res.Schools {
						if s.Catchment == c.Catchment {
							sum.Add(sum, s.Years[i].Exact[Central])
						}
					}
					if sum.Cmp(c.Years[i].Exact[Central]) != 0 {
						t.Fatalf("%s %d: schools %s, catchment %s", c.Catchment, c.Years[i].Year, sum.RatString(), c.Years[i].Exact[Central].RatString())
					}
				}
			}
		}
		bt, err := Backtest(in, 2020+1, opt)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("backtest: not an input error: %v", err)
			}
			return
		}
		for _, a := range []Accuracy{bt.SchoolAccuracy, bt.CatchmentAccuracy} {
			if a.MAE.Sign() < 0 || a.MAPE.Sign() < 0 || a.NRel > a.N {
				t.Fatalf("backtest accuracy %+v", a)
			}
		}
	})
}

func allYears(res *Result) [][]Year {
	var out [][]Year
	for _, c := range res.Catchments {
		out = append(out, c.Years)
	}
	for _, s := range res.Schools {
		out = append(out, s.Years)
	}
	return out
}

// FuzzParseShare: any text either reads as a share above 0 and at most 10,
// which formats and reads back the same, or is refused with ErrInput.
func FuzzParseShare(f *testing.F) {
	for _, s := range []string{"0.9", "90%", " 92.5 % ", "９０％", "9/10", "2/3", "0", "-1", "1e3", "", "%", "10.0000000001", "1/0", "1/1000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseShare(s)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if r.Sign() <= 0 || r.Cmp(big.NewRat(10, 1)) > 0 {
			t.Fatalf("%q: %s accepted", s, r.RatString())
		}
		back, err := ParseShare(FormatShare(r))
		if err != nil || back.Cmp(r) != 0 {
			t.Fatalf("%q: %s formats as %q, reads back %v %v", s, r.RatString(), FormatShare(r), back, err)
		}
	})
}
