package web

import (
	"math"
	"math/big"
	"strconv"
	"sync"

	"github.com/dudao-edu/dudao/internal/eval"
)

// The colour code of every page, in one place: an indicator value is green
// when it meets its threshold, amber from the school rule's floor (85 %)
// up to it, red below; a CV is red over its limit, amber within the last
// 15 % of it, green otherwise. The boundaries are decided on the decimal
// figures of the standard (threshold × floor, limit × 0.85) with no
// tolerance: the exact boundary is rounded to a float64 once, and float
// rounding keeps order, so a value equal to the boundary is on it.

// status classes of the colour code: met, between 85 % and 100 %, below.
const (
	clsOK   = "ok"
	clsWarn = "warn"
	clsBad  = "bad"
	clsNA   = "na"
)

// decimal is x as the decimal it was written as (thresholds, limits and
// floors are short decimals: 7.5, 0.85), exactly.
func decimal(x float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		return new(big.Rat).SetFloat64(x)
	}
	return r
}

// boundary is the float64 nearest to the exact product of the decimals a
// and b (85 % of a threshold). A heat-table asks for the same few
// thousands of times: they are kept.
func boundary(a, b float64) float64 {
	k := [2]float64{a, b}
	if f, ok := boundaries.Load(k); ok {
		return f.(float64)
	}
	f, _ := new(big.Rat).Mul(decimal(a), decimal(b)).Float64()
	boundaries.Store(k, f)
	return f
}

var boundaries sync.Map // [2]float64 → float64

// valueClass colours an indicator value against its threshold and the
// school rule's floor (85 %): green met, amber from the floor up to the
// threshold, red below the floor. A value the evaluation judged (a school
// part's) is coloured by partClass, from that judgement; valueClass is for
// figures no evaluation judged (a forecast's).
func valueClass(v, threshold, floor float64) string {
	switch {
	case math.IsNaN(v):
		return clsNA
	case v >= threshold:
		return clsOK
	case v >= boundary(floor, threshold):
		return clsWarn
	}
	return clsBad
}

// partClass colours a school part's value of indicator id as valueClass
// does, from the evaluation's own exact judgement of it (its shortfalls):
// a value whose exact quotient meets the threshold is green even where its
// float64 falls a hair short, and one that misses it is not.
func partClass(p *eval.Part, id string, v float64) string {
	if math.IsNaN(v) {
		return clsNA
	}
	for _, sf := range p.Shortfalls {
		if sf.Indicator == id {
			if sf.BelowFloor {
				return clsBad
			}
			return clsWarn
		}
	}
	return clsOK
}

// cvFloor is the share of its limit from which a CV within it is amber.
const cvFloor = 0.85

// cvClass colours a CV against its limit: red when it exceeds the limit
// (over, as the evaluation judged it: data missing elsewhere do not make
// a CV within its limit red), amber within the last 15 % of the limit,
// green otherwise.
func cvClass(cv, limit float64, over bool) string {
	switch {
	case math.IsNaN(cv):
		return clsNA
	case over:
		return clsBad
	case cv > boundary(cvFloor, limit):
		return clsWarn
	}
	return clsOK
}

// cvOver reports whether a computed CV (a forecast's, which no evaluation
// judged) exceeds limit: the float against the decimal limit, exactly.
func cvOver(cv, limit float64) bool { return !math.IsNaN(cv) && cv > limit }

// numAgainst writes v with d decimals, or with more when d decimals would
// show it on the other side of the boundary it is compared with (7.4996
// against 7.5 is written 7.4996, not 7.50; a CV of 0.50002 over a limit
// of 0.5 is not written 0.5000), up to 6.
func numAgainst(v, boundary float64, d int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	side := new(big.Rat).SetFloat64(v).Cmp(decimal(boundary))
	return numOnSide(v, boundary, d, func(c int) bool { return c == side })
}

// partValue writes a school part's value of an indicator with d decimals,
// or with more where d would show it on the wrong side of its threshold
// for the colour partClass gives it (the evaluation's exact judgement,
// not the float64's: a value that meets its threshold exactly is written
// as meeting it).
func partValue(v, threshold float64, d int, cls string) string {
	if cls == clsWarn || cls == clsBad {
		return numOnSide(v, threshold, d, func(c int) bool { return c < 0 })
	}
	return numOnSide(v, threshold, d, func(c int) bool { return c >= 0 })
}

// numOnSide writes v with d decimals, or with more (up to 6) until the
// figure written compares with boundary as ok accepts.
func numOnSide(v, boundary float64, d int, ok func(c int) bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	b := decimal(boundary)
	for ; d < 6; d++ {
		shown, parsed := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', d, 64))
		if !parsed || ok(shown.Cmp(b)) {
			break
		}
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}
