package eval

import "math"

// Tolerance is the relative tolerance of every threshold and limit
// comparison. Binary floating point makes 357/10000×100 come out as
// 3.5700000000000003 while 0.85×4.2 is 3.57, so an exact comparison could fail
// a part that meets a threshold exactly. 1e-9 absorbs that rounding (≈1e-16 of
// the value, a few operations deep) and is far below the precision of any
// census figure: a genuine shortfall that small would need ten significant
// digits in the data.
const Tolerance = 1e-9

// atLeast reports whether v reaches limit, within Tolerance.
func atLeast(v, limit float64) bool { return v >= limit-math.Abs(limit)*Tolerance }

// atMost reports whether v stays within limit, within Tolerance.
func atMost(v, limit float64) bool { return v <= limit+math.Abs(limit)*Tolerance }

// CV is the student-weighted 差异系数 of one indicator over a set of school
// parts, exactly as 教督〔2017〕6号 defines it (standards.md §2.2):
//
//	X̄  = Σx_i / ΣP_i × scale            (the weighted mean, not the mean of X_i)
//	S  = sqrt( Σ (P_i/P)·(X_i − X̄)² )   (population form)
//	CV = S / X̄
type CV struct {
	N        int     // parts in the computation
	Students float64 // P
	Total    float64 // Σx_i, in the raw unit
	Mean     float64 // X̄
	SD       float64 // S
	CV       float64 // S / X̄; NaN when undefined
	Defined  bool    // false when there are no students or X̄ = 0
}

// WeightedCV computes the 差异系数 of raw totals x with students p, scale
// turning x/p into the indicator value (100 for per-hundred indicators).
// Pairs with p ≤ 0 must be left out by the caller.
func WeightedCV(x, p []float64, scale float64) CV {
	var c CV
	c.N = len(x)
	for i := range x {
		c.Total += x[i]
		c.Students += p[i]
	}
	if c.Students <= 0 {
		c.CV = math.NaN()
		c.Mean = math.NaN()
		return c
	}
	c.Mean = c.Total / c.Students * scale
	var ss float64
	for i := range x {
		d := x[i]/p[i]*scale - c.Mean
		ss += p[i] * d * d
	}
	c.SD = math.Sqrt(ss / c.Students)
	if c.Mean == 0 {
		c.CV = math.NaN()
		return c
	}
	c.CV = c.SD / c.Mean
	c.Defined = true
	return c
}

// round rounds v half away from zero to d decimals.
func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

// JudgeCV compares a CV with its limit. decimals < 0 compares the unrounded
// value (the default); otherwise the CV is first rounded to that many
// decimals, as some provinces publish. compared is the value compared; flips
// reports whether rounding to 2 decimals would give the other verdict than
// the unrounded comparison, which a report must flag. An undefined (NaN) CV
// never passes.
func JudgeCV(cv, limit float64, decimals int) (compared float64, pass, flips bool) {
	if math.IsNaN(cv) {
		return cv, false, false
	}
	compared = cv
	if decimals >= 0 {
		compared = round(cv, decimals)
	}
	return compared, atMost(compared, limit), atMost(cv, limit) != atMost(round(cv, 2), limit)
}
