package seats

import (
	"fmt"
	"math/big"
)

// Miss is one unit's forecast of a known year next to what happened.
type Miss struct {
	Catchment string
	// School is empty for the whole catchment.
	School string
	Name   string
	// Forecast is the central variant's students; Actual the enrolment
	// given for the year; AbsError |Forecast − Actual|.
	Forecast, Actual, AbsError int
	// RelError is AbsError / Actual, exact; nil when Actual is 0.
	RelError *big.Rat
}

// Accuracy sums up the misses of one kind of unit.
type Accuracy struct {
	// N units; MAE is the mean absolute error in children over them.
	N   int
	MAE *big.Rat
	// NRel units with actual students; MAPE is the mean of their relative
	// errors (0.05 = 5 %), over those units only.
	NRel int
	MAPE *big.Rat
}

// BacktestResult is the forecast of a year already known, made from the
// years before it only, next to what happened.
type BacktestResult struct {
	// Year is the year forecast, From the last year of the history used.
	Year, From int
	Schools    []Miss
	Catchments []Miss
	// SchoolAccuracy and CatchmentAccuracy over all schools and catchments.
	SchoolAccuracy    Accuracy
	CatchmentAccuracy Accuracy
}

// Backtest forecasts year from what was known before it — the enrolment of
// the earlier years and the births up to the last of them — and compares
// the central variant with the enrolment given for year. opt.Horizon is
// ignored (it is year minus the last earlier year of the history).
func Backtest(in Input, year int, opt Options) (*BacktestResult, error) {
	all, err := check(in)
	if err != nil {
		return nil, err
	}
	from := 0
	for _, y := range all.years {
		if y < year {
			from = y
		}
	}
	actual := false
	for _, y := range all.years {
		actual = actual || y == year
	}
	switch {
	case !actual:
		return nil, fmt.Errorf("%w: backtest year %d: no enrolment given for it", ErrInput, year)
	case from == 0:
		return nil, fmt.Errorf("%w: backtest year %d: no earlier year of enrolment to forecast it from", ErrInput, year)
	case year-from > 15:
		return nil, fmt.Errorf("%w: backtest year %d: the last earlier year is %d, too far back", ErrInput, year, from)
	}
	known := in
	known.Enrolment, known.Births = nil, nil
	for _, e := range in.Enrolment {
		if e.Year < year {
			known.Enrolment = append(known.Enrolment, e)
		}
	}
	for _, b := range in.Births {
		if b.Year <= from {
			known.Births = append(known.Births, b)
		}
	}
	opt.Horizon = year - from
	res, err := Forecast(known, opt)
	if err != nil {
		return nil, fmt.Errorf("backtest %d from %d: %w", year, from, err)
	}
	bt := &BacktestResult{Year: year, From: from}
	total := func(c, school string) int {
		n := 0
		for _, g := range all.grades(c, school, year) {
			n += g
		}
		return n
	}
	for _, c := range res.Catchments {
		bt.Catchments = append(bt.Catchments, miss(c.Catchment, "", c.Catchment, c.Years[len(c.Years)-1], total(c.Catchment, "")))
	}
	for _, s := range res.Schools {
		bt.Schools = append(bt.Schools, miss(s.Catchment, s.Code, s.Name, s.Years[len(s.Years)-1], total(s.Catchment, s.Code)))
	}
	bt.SchoolAccuracy, bt.CatchmentAccuracy = accuracy(bt.Schools), accuracy(bt.Catchments)
	return bt, nil
}

func miss(c, school, name string, y Year, actual int) Miss {
	f := y.Checks[Central].Students
	m := Miss{Catchment: c, School: school, Name: name, Forecast: f, Actual: actual, AbsError: max(f-actual, actual-f)}
	if actual > 0 {
		m.RelError = big.NewRat(int64(m.AbsError), int64(actual))
	}
	return m
}

func accuracy(ms []Miss) Accuracy {
	a := Accuracy{N: len(ms), MAE: new(big.Rat), MAPE: new(big.Rat)}
	sum := 0
	for _, m := range ms {
		sum += m.AbsError
		if m.RelError != nil {
			a.NRel++
			a.MAPE.Add(a.MAPE, m.RelError)
		}
	}
	if a.N > 0 {
		a.MAE.SetFrac64(int64(sum), int64(a.N))
	}
	if a.NRel > 0 {
		a.MAPE.Quo(a.MAPE, rat(a.NRel))
	}
	return a
}
