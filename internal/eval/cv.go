package eval

import (
	"fmt"
	"math"
)

// AtLeast reports whether the decimal v stands for reaches the decimal limit
// stands for. Both are read as the shortest decimals that read back as
// them (see exact.go); parsing a decimal rounds correctly, so the floats
// compare as those decimals do. A figure computed from others (a ratio, a
// CV) is compared by the engine with its exact value instead.
func AtLeast(v, limit float64) bool { return v >= limit }

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
	SD       float64 // S; NaN when there is no mean
	CV       float64 // S / X̄; NaN when undefined
	Defined  bool    // false when there are no students or X̄ = 0
}

// WeightedCV computes the 差异系数 of raw totals x with students p, scale
// turning x/p into the indicator value (100 for per-hundred indicators).
// Pairs with p ≤ 0 must be left out by the caller. partsCVs is the same
// computation over a stage's parts; TestPartsCVs holds the two to the same
// bits (one generic body for both was half again as slow: its figures
// were read through calls).
func WeightedCV(x, p []float64, scale float64) CV {
	var c CV
	c.N = len(x)
	for i := range x {
		c.Total += x[i]
		c.Students += p[i]
	}
	if c.Students <= 0 {
		// No students: no mean, so no deviation from it either.
		c.CV, c.Mean, c.SD = math.NaN(), math.NaN(), math.NaN()
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

// partsCVs sets cvs[k] to WeightedCV of the parts' raw figures of
// indicator k that are reported, with their students, for every k of
// scales (indicator k's scale), in two passes over the parts for all the
// indicators together rather than two for each: each indicator's sums take
// the parts in the same order as WeightedCV takes its figures, so they are
// the same bits (TestPartsCVs). A part's x/p×scale is its Values[k], which
// attribute computed by the same expression. sums is scratch of at least
// 2·len(scales) figures.
func partsCVs(parts []*Part, scales []float64, cvs []CV, sums []float64) {
	n := len(scales)
	cvs, total, ss := cvs[:n], sums[:n], sums[n:2*n]
	for k := range cvs {
		cvs[k] = CV{}
		total[k], ss[k] = 0, 0
	}
	for _, p := range parts {
		raw := p.Raw[:n]
		for k, x := range raw {
			if !math.IsNaN(x) {
				c := &cvs[k]
				c.N++
				total[k] += x
				c.Students += p.Students
			}
		}
	}
	for k := range cvs {
		c := &cvs[k]
		c.Total = total[k]
		if c.Students <= 0 {
			c.CV, c.Mean, c.SD = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		c.Mean = c.Total / c.Students * scales[k]
	}
	for _, p := range parts {
		raw, values := p.Raw[:n], p.Values[:n]
		for k, x := range raw {
			if !math.IsNaN(x) {
				d := values[k] - cvs[k].Mean
				ss[k] += p.Students * d * d
			}
		}
	}
	for k := range cvs {
		c := &cvs[k]
		if c.Students <= 0 {
			continue
		}
		c.SD = math.Sqrt(ss[k] / c.Students)
		if c.Mean == 0 {
			c.CV = math.NaN()
			continue
		}
		c.CV = c.SD / c.Mean
		c.Defined = true
	}
}

// RoundHalfUp rounds the decimal v stands for half-up to d decimals
// (0.505 → 0.51; 0.504999… → 0.50), as a report prints a published figure.
// Binary math.Round would take 0.505 (stored as 0.50499999999999999…) down.
func RoundHalfUp(v float64, d int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	if v < 0 {
		return -RoundHalfUp(-v, d)
	}
	if d < 0 || d > 15 || v*math.Pow(10, float64(d)) > 1<<52 {
		return v // nothing to round within float64's digits
	}
	m, p := exactNum{v: v}.roundHalfUp(d)
	return float64(m) / float64(p)
}

// JudgeCV compares a CV with its limit. decimals < 0 compares the unrounded
// value (the default); otherwise the CV is first rounded half-up to that
// many decimals, as some provinces publish. compared is the value compared;
// flips reports whether rounding to 2 decimals would give the other verdict
// than the unrounded comparison, which a report must flag. An undefined
// (NaN) CV never passes. cv is read as the decimal it stands for, and every
// comparison and rounding is exact; the engine compares a CV it computed
// with the CV's exact value (CV² from the census decimals) instead.
func JudgeCV(cv, limit float64, decimals int) (compared float64, pass, flips bool) {
	compared, _, pass, flips = judgeCV(exactNum{v: cv}, limit, decimals)
	return compared, pass, flips
}

// ComparisonText says in one line how verdicts are compared under
// cv_compare_decimals = decimals (< 0: unrounded), for every output that
// shows verdicts.
func ComparisonText(decimals int) string {
	cv := "差异系数以未舍入的值与上限比较（cv_compare_decimals = -1）"
	if decimals >= 0 {
		cv = fmt.Sprintf("差异系数四舍五入保留 %d 位小数后与上限比较（cv_compare_decimals = %d）", decimals, decimals)
	}
	return "判定精度：按填报的十进制数精确比较，不设容差；" + cv + "；保留两位小数（四舍五入）会改变结论的，以“⚠”标出。"
}
