package eval

import (
	"math"
	"math/big"
	"strconv"
)

// Verdicts are decided exactly. Census figures are decimals (9 teachers,
// 1 234.5 ㎡, 86.37 万元) held as float64, and the standards' thresholds and
// limits are decimals too (0.9, 4.5, 0.50). Each input is read as the
// shortest decimal that reads back as its float64 — what the file held —
// and a comparison that float arithmetic cannot settle is settled in exact
// rational arithmetic: a ratio a/b ≥ t as a ≥ t·b, a CV ≤ L as CV² ≤ L²
// (no square root), a rounding as a comparison with the half-way points.
// Float arithmetic settles a comparison alone when its result is further
// than nearRel (relative) from the boundary: the few operations before a
// comparison err by about 1e-16 of the value, so the fast path can only be
// wrong inside that band, and every value inside it goes the exact way.

// nearRel is the relative distance from a boundary within which a float
// result is not trusted and the comparison is redone exactly.
const nearRel = 1e-9

// nearBoundary reports whether a float result a is too close to b for float
// arithmetic to decide how they compare.
func nearBoundary(a, b float64) bool {
	return math.Abs(a-b) <= nearRel*math.Max(math.Abs(a), math.Abs(b))
}

// nearHalf reports whether v is too near a half-way point of rounding to d
// decimals (…5 in the next decimal) for float arithmetic to round it.
func nearHalf(v float64, d int) bool {
	x := v * math.Pow(10, float64(d))
	frac := x - math.Floor(x)
	return math.Abs(frac-0.5) <= 2*nearRel*math.Max(1, math.Abs(x)) // 2×: a margin over nearBoundary
}

// dec returns the decimal v stands for: the shortest decimal that reads
// back as v (0.9 is 9/10, not the binary fraction nearest it).
func dec(v float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
	if !ok {
		// NaN and ±Inf never reach an exact comparison; be loud if one does.
		panic("eval: no decimal for " + strconv.FormatFloat(v, 'g', -1, 64))
	}
	return r
}

func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }

// sign returns −1, 0 or +1 as a < b, a == b, a > b.
func sign(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpRatio compares (num/den)·scale with factor·t, where v is the float
// value of the left side, num its exact numerator (called only near the
// boundary) and den, scale, factor and t decimals.
func cmpRatio(v float64, num func() *big.Rat, den, scale, factor, t float64) int {
	ft := factor * t
	if !nearBoundary(v, ft) {
		return sign(v, ft)
	}
	lhs := mul(num(), dec(scale))
	rhs := mul(mul(dec(factor), dec(t)), dec(den))
	return lhs.Cmp(rhs)
}

// RawAtLeast reports whether a part with raw numerator x and students
// reaches factor × threshold (its value being x/students × scale), decided
// as the engine decides: exactly, on the decimals the arguments stand for.
// The planner asks it so that its additions pass the engine's check.
func RawAtLeast(x, students, scale, factor, threshold float64) bool {
	if math.IsNaN(x) || students <= 0 {
		return false
	}
	return cmpRatio(x/students*scale, func() *big.Rat { return dec(x) }, students, scale, factor, threshold) >= 0
}

// exactNum is a figure whose float value may be inexact, with a way to
// compare it exactly with a decimal. cmpExact is nil when the figure is the
// decimal its float stands for.
type exactNum struct {
	v        float64
	cmpExact func(b *big.Rat) int
}

// cmp compares the figure with the decimal b, whose float value is bf; b
// is built only when float arithmetic cannot decide.
func (x exactNum) cmp(bf float64, b func() *big.Rat) int {
	if !nearBoundary(x.v, bf) {
		return sign(x.v, bf)
	}
	if x.cmpExact == nil {
		return dec(x.v).Cmp(b())
	}
	return x.cmpExact(b())
}

// roundHalfUp rounds the (non-negative) figure half-up to d decimals on its
// exact value: 0.505 → 0.51, 0.504999… → 0.50. It returns the rounded
// decimal as m/10^d.
func (x exactNum) roundHalfUp(d int) (m int64, p int64) {
	p = 1
	for range d {
		p *= 10
	}
	pf := float64(p)
	m = int64(math.Floor(x.v*pf + 0.5))
	half := func(m int64) (float64, func() *big.Rat) {
		return (float64(m) - 0.5) / pf, func() *big.Rat { return big.NewRat(2*m-1, 2*p) }
	}
	for {
		// m must satisfy m − ½ ≤ x·10^d < m + ½.
		if bf, b := half(m); x.cmp(bf, b) < 0 {
			m--
			continue
		}
		if bf, b := half(m + 1); x.cmp(bf, b) >= 0 {
			m++
			continue
		}
		return m, p
	}
}

// judgeCV compares a CV with its limit (see JudgeCV), exactly.
func judgeCV(x exactNum, limit float64, decimals int) (compared, rounded2 float64, pass, flips bool) {
	if math.IsNaN(x.v) {
		return x.v, x.v, false, false
	}
	lim := func() *big.Rat { return dec(limit) }
	unrounded := x.cmp(limit, lim) <= 0
	roundedPass := func(d int) (float64, bool) {
		m, p := x.roundHalfUp(d)
		// Distinct floats of two decimals order as the decimals do
		// (parsing rounds correctly); equal ones need the decimals.
		f := float64(m) / float64(p)
		c := sign(f, limit)
		if f == limit {
			c = big.NewRat(m, p).Cmp(dec(limit))
		}
		return f, c <= 0
	}
	rounded2, pass2 := roundedPass(2)
	compared, pass = x.v, unrounded
	if decimals >= 0 {
		compared, pass = roundedPass(decimals)
	}
	return compared, rounded2, pass, unrounded != pass2
}

// cv2 is the exact square of a student-weighted CV, from the parts' exact
// raw figures x_i and students p_i. With T = Σx_i, P = Σp_i and
// Q = Σ x_i²/p_i, the variance over the squared mean is
//
//	CV² = P·Q / T² − 1
//
// (the scale of the indicator cancels). T must not be 0.
func cv2(x, p []*big.Rat) *big.Rat {
	var T, P, Q, t big.Rat
	for i := range x {
		T.Add(&T, x[i])
		P.Add(&P, p[i])
		t.Mul(x[i], x[i])
		t.Quo(&t, p[i])
		Q.Add(&Q, &t)
	}
	r := new(big.Rat).Mul(&P, &Q)
	r.Quo(r, t.Mul(&T, &T))
	return r.Sub(r, big.NewRat(1, 1))
}

// cmpSqrt compares sqrt(sq) with b ≥ 0 exactly: as sq with b².
func cmpSqrt(sq, b *big.Rat) int {
	if b.Sign() < 0 {
		return 1
	}
	return sq.Cmp(mul(b, b))
}

// sqrtPrec is the precision of the square roots a composite CV (the mean of
// several CVs) is compared with: far beyond any census figure.
const sqrtPrec = 512

// cmpSumSqrt compares Σ sqrt(sq_i) with b, exactly. Each root is computed to
// sqrtPrec bits; when the difference is below the error of those roots and
// every sq_i is the square of a rational, the sum is rational and compared
// as such. Otherwise the sum is irrational (square roots of distinct
// square-free integers are linearly independent over the rationals, and the
// coefficients here are all positive), so it cannot equal b, and roots to
// sqrtPrec bits order it correctly.
func cmpSumSqrt(sqs []*big.Rat, b *big.Rat) int {
	sum := new(big.Float).SetPrec(sqrtPrec)
	allSquares := true
	exact := new(big.Rat)
	for _, sq := range sqs {
		f := new(big.Float).SetPrec(sqrtPrec).SetRat(sq)
		sum.Add(sum, f.Sqrt(f))
		if r, ok := ratSqrt(sq); ok {
			exact.Add(exact, r)
		} else {
			allSquares = false
		}
	}
	if allSquares {
		return exact.Cmp(b)
	}
	return sum.Cmp(new(big.Float).SetPrec(sqrtPrec).SetRat(b))
}

// ratSqrt returns the square root of q when it is a rational.
func ratSqrt(q *big.Rat) (*big.Rat, bool) {
	if q.Sign() < 0 {
		return nil, false
	}
	n, d := new(big.Int).Sqrt(q.Num()), new(big.Int).Sqrt(q.Denom())
	if new(big.Int).Mul(n, n).Cmp(q.Num()) != 0 || new(big.Int).Mul(d, d).Cmp(q.Denom()) != 0 {
		return nil, false
	}
	return new(big.Rat).SetFrac(n, d), true
}

// ceilExact returns ⌈v⌉ for a float v whose exact value is given by x,
// called only when v is near a whole number.
func ceilExact(v float64, x func() *big.Rat) float64 {
	r := math.Round(v)
	if !nearBoundary(v, r) && math.Abs(v-r) > 1e-12 {
		return math.Ceil(v)
	}
	q := x()
	n := new(big.Int).Div(q.Num(), q.Denom()) // Euclidean: floor for a positive denominator
	if !q.IsInt() {
		n.Add(n, big.NewInt(1))
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return f
}
