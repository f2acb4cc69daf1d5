package plan

import (
	"math"
	"slices"
)

// Water-filling: the exact continuous answer to one (stage, indicator) set.
//
// The 差异系数 of raw numerators x_i over parts with P_i students is within L
// exactly when
//
//	f(x) = P·Σ x_i²/P_i − (1+L²)·(Σ x_i)² ≤ 0,
//
// a second-order cone: convex. To minimise Σx_i (every unit costs the same)
// over lo_i ≤ x_i ≤ hi_i and f ≤ 0, the KKT conditions say every part that is
// raised off its bounds ends at one common per-student level h:
//
//	x_i = clamp(h·P_i, lo_i, hi_i)
//
// (∂f/∂x_i = 2(P·x_i/P_i − (1+L²)Σx) is the same for all parts at the same
// per-student value). The cost grows with h, so the optimum is the least h
// with f ≤ 0. Between consecutive breakpoints (the lo_i/P_i and hi_i/P_i)
// the parts at a bound and those at h do not change, f is a quadratic in h,
// and the least h is found exactly. Raising a part lifts the low end of the
// distribution, which is the only way additions can lower a CV.

// wfItem is one part: students, box, and the cost of a raw unit.
type wfItem struct{ P, lo, hi, r float64 }

type wfEvent struct {
	y    float64
	i    int
	free bool // the part leaves its lower bound (true) or reaches its upper bound
}

type waterfiller struct {
	ev   []wfEvent
	work int // parts processed, the measure of the exact search's effort
}

// solve is solveBeta with one level for every part: the exact optimum when
// every raw unit costs the same.
func (w *waterfiller) solve(items []wfItem, a float64) (h, sum float64, ok bool) {
	return w.solveBeta(items, a, 0)
}

// solveBeta returns the least level h (−Inf when the lower bounds already
// satisfy the limit) such that x_i = clamp(P_i·(h − β·r_i), lo_i, hi_i)
// satisfies it, and Σx; ok is false when no h does. β = 0 puts every part
// at one level; β > 0 holds dearer parts lower, which is the shape of the
// optimum when raw units cost differently (the KKT conditions give
// x_i/P_i = h − β·r_i for the parts off their bounds). a is 1 + L².
func (w *waterfiller) solveBeta(items []wfItem, a, beta float64) (h, sum float64, ok bool) {
	w.work += len(items)
	var P, c, A float64 // students; Σx and Σx²/P_i of the parts held at a bound
	for _, it := range items {
		P += it.P
		c += it.lo
		A += it.lo * it.lo / it.P
	}
	if P <= 0 {
		return 0, 0, false
	}
	if c > 0 && P*A <= a*c*c {
		return math.Inf(-1), c, true
	}
	w.ev = w.ev[:0]
	for i, it := range items {
		if it.hi > it.lo {
			off := beta * it.r
			w.ev = append(w.ev, wfEvent{it.lo/it.P + off, i, true})
			if !math.IsInf(it.hi, 1) {
				w.ev = append(w.ev, wfEvent{it.hi/it.P + off, i, false})
			}
		}
	}
	slices.SortFunc(w.ev, func(x, y wfEvent) int {
		switch {
		case x.y < y.y:
			return -1
		case x.y > y.y:
			return 1
		}
		return 0
	})
	// Free parts have x_i = P_i·h − β·r_i·P_i: B = ΣP_i, R = Σ r_i·P_i,
	// Q = Σ r_i²·P_i over them.
	var B, R, Q float64
	for j := 0; j < len(w.ev); {
		y := w.ev[j].y
		for ; j < len(w.ev) && w.ev[j].y == y; j++ {
			it := items[w.ev[j].i]
			if w.ev[j].free {
				c -= it.lo
				A -= it.lo * it.lo / it.P
				B += it.P
				R += it.r * it.P
				Q += it.r * it.r * it.P
			} else {
				c += it.hi
				A += it.hi * it.hi / it.P
				B -= it.P
				R -= it.r * it.P
				Q -= it.r * it.r * it.P
			}
		}
		next := math.Inf(1)
		if j < len(w.ev) {
			next = w.ev[j].y
		}
		// Σx = c' + B·h and Σx²/P_i = A' + B·h² + L·h with
		// c' = c − βR, A' = A + β²Q, L = −2βR.
		cc := c - beta*R
		AA := A + beta*beta*Q
		L := -2 * beta * R
		if h, ok := firstNonPositive(P, AA, B, L, cc, a, y, next); ok {
			return h, cc + B*h, true
		}
	}
	return 0, 0, false
}

// firstNonPositive returns the least h in [lo, hi] with
// q(h) = P(A + B h² + L h) − a(c + B h)² ≤ 0.
func firstNonPositive(P, A, B, L, c, a, lo, hi float64) (float64, bool) {
	q := func(h float64) float64 { return P*(A+B*h*h+L*h) - a*(c+B*h)*(c+B*h) }
	scale := func(h float64) float64 { return math.Abs(P*(A+B*h*h+L*h)) + a*(c+B*h)*(c+B*h) }
	if q(lo) <= 1e-13*scale(lo) {
		return lo, true
	}
	if B <= 0 {
		return 0, false
	}
	al := P*B - a*B*B
	be := P*L - 2*a*B*c
	ga := P*A - a*c*c
	var roots []float64
	switch {
	case al == 0:
		if be != 0 {
			roots = append(roots, -ga/be)
		}
	default:
		d := be*be - 4*al*ga
		if d < 0 {
			return 0, false
		}
		sd := math.Sqrt(d)
		// The stable pair of roots.
		var r1, r2 float64
		switch {
		case be == 0 && sd == 0:
			r1, r2 = 0, 0
		case be >= 0:
			t := -(be + sd) / 2
			r1, r2 = t/al, ga/t
		default:
			t := -(be - sd) / 2
			r1, r2 = t/al, ga/t
		}
		if r1 > r2 {
			r1, r2 = r2, r1
		}
		roots = append(roots, r1, r2)
	}
	for _, r := range roots {
		if r > lo && r <= hi && !math.IsNaN(r) {
			// Step past rounding so that q(r) ≤ 0 really holds.
			for range 8 {
				if q(r) <= 1e-13*scale(r) {
					return r, true
				}
				r += math.Max(math.Abs(r), 1e-300) * 1e-14
			}
			return r, true
		}
	}
	return 0, false
}

// place returns part i's raw numerator at level h.
func place(it wfItem, h, beta float64) float64 {
	if math.IsInf(h, -1) {
		return it.lo
	}
	return min(max(it.P*(h-beta*it.r), it.lo), it.hi)
}

// uniform reports whether every part that can move costs the same per raw unit.
func uniform(items []wfItem) bool {
	r := math.NaN()
	for _, it := range items {
		if it.hi <= it.lo {
			continue
		}
		if math.IsNaN(r) {
			r = it.r
		} else if it.r != r {
			return false
		}
	}
	return true
}

// relax solves one set's continuous problem: min Σ r_i·x_i over the boxes
// with the CV within its limit. It returns a proved lower bound on the
// optimum, the best point it found (x, with its cost upper), and ok false
// when the set cannot meet its limit. With one rate the point is the
// optimum (water-filling) and lower = upper. With several rates it
// searches the KKT family x_i = clamp(P_i(h − β r_i)) over β for the point,
// and proves the bound by duality (dualBound).
func (w *waterfiller) relax(items []wfItem, a float64, x []float64) (lower, upper float64, ok bool) {
	cost := func(beta float64) (float64, float64, bool) {
		h, _, ok := w.solveBeta(items, a, beta)
		if !ok {
			return math.Inf(1), 0, false
		}
		var c float64
		for _, it := range items {
			c += it.r * place(it, h, beta)
		}
		return c, h, true
	}
	best, bh, ok := cost(0)
	bb := 0.0
	if !uniform(items) && !math.IsInf(bh, -1) {
		var ymax, rmin, rmax float64
		rmin = math.Inf(1)
		for _, it := range items {
			ymax = max(ymax, it.lo/it.P)
			if !math.IsInf(it.hi, 1) {
				ymax = max(ymax, it.hi/it.P)
			}
			if it.hi > it.lo && it.r > 0 {
				rmin, rmax = min(rmin, it.r), max(rmax, it.r)
			}
		}
		if rmax > 0 && ymax > 0 {
			// A coarse log grid, then golden-section refinement around its best.
			b0 := ymax / rmax / 64
			bestJ := -1
			for j := range 20 {
				beta := b0 * math.Pow(2, float64(j))
				if c, h, okb := cost(beta); okb && c < best {
					best, bh, bb, bestJ, ok = c, h, beta, j, true
				}
			}
			lo, hi := 0.0, b0
			if bestJ >= 0 {
				lo, hi = b0*math.Pow(2, float64(bestJ-1)), b0*math.Pow(2, float64(bestJ+1))
			}
			const phi = 0.6180339887498949
			x1, x2 := hi-phi*(hi-lo), lo+phi*(hi-lo)
			c1, h1, _ := cost(x1)
			c2, h2, _ := cost(x2)
			for range 40 {
				if c1 <= c2 {
					hi, x2, c2, h2 = x2, x1, c1, h1
					x1 = hi - phi*(hi-lo)
					c1, h1, _ = cost(x1)
				} else {
					lo, x1, c1, h1 = x1, x2, c2, h2
					x2 = lo + phi*(hi-lo)
					c2, h2, _ = cost(x2)
				}
			}
			if c1 < best {
				best, bh, bb, ok = c1, h1, x1, true
			}
			if c2 < best {
				best, bh, bb, ok = c2, h2, x2, true
			}
		}
	}
	if !ok {
		return 0, 0, false
	}
	for i, it := range items {
		x[i] = place(it, bh, bb)
	}
	if uniform(items) || math.IsInf(bh, -1) {
		return best, best, true
	}
	return min(dualBound(items, a, x), best), best, true
}

// dualBound proves a lower bound on min Σ r_i x_i over lo ≤ x ≤ hi with
// ‖Dx‖ ≤ √a·Σx, where D_i = √(P/P_i) (the CV limit as a second-order
// cone). For any unit vector u, uᵀDx ≤ ‖Dx‖, so every feasible x has
// uᵀDx − √a·Σx ≤ 0, and for every μ ≥ 0
//
//	Σ r_i x_i ≥ Σ x_i (r_i + μ w_i) ≥ Σ min(lo_i·c_i, hi_i·c_i),  w_i = u_i D_i − √a, c_i = r_i + μ w_i.
//
// u is taken from the point xs (near the optimum, where the bound is
// tight) and μ is chosen exactly: the right side is concave and piecewise
// linear in μ.
func dualBound(items []wfItem, a float64, xs []float64) float64 {
	var P float64
	for _, it := range items {
		P += it.P
	}
	var nv float64
	for i, it := range items {
		v := math.Sqrt(P/it.P) * xs[i]
		nv += v * v
	}
	nv = math.Sqrt(nv)
	if nv == 0 {
		return math.Inf(-1)
	}
	sa := math.Sqrt(a)
	w := make([]float64, len(items))
	type bp struct{ mu, dslope float64 }
	var bps []bp
	slope := 0.0
	for i, it := range items {
		d := math.Sqrt(P / it.P)
		w[i] = d*(d*xs[i]/nv) - sa
		slope += w[i] * it.lo // at μ = 0 every c_i = r_i ≥ 0 picks lo
		if w[i] < 0 && it.hi > it.lo {
			if math.IsInf(it.hi, 1) {
				bps = append(bps, bp{it.r / -w[i], math.Inf(-1)})
			} else {
				bps = append(bps, bp{it.r / -w[i], w[i] * (it.hi - it.lo)})
			}
		}
	}
	slices.SortFunc(bps, func(x, y bp) int {
		switch {
		case x.mu < y.mu:
			return -1
		case x.mu > y.mu:
			return 1
		}
		return 0
	})
	mu := 0.0
	for _, b := range bps {
		if slope <= 0 {
			break
		}
		mu = b.mu
		slope += b.dslope
	}
	if slope > 0 {
		return math.Inf(-1) // unbounded direction: no useful bound
	}
	var lb float64
	for i, it := range items {
		c := it.r + mu*w[i]
		switch {
		case c >= 0:
			lb += c * it.lo
		case math.IsInf(it.hi, 1):
			return math.Inf(-1)
		default:
			lb += c * it.hi
		}
	}
	return lb
}

// levelFor returns the least h ≥ from with Σ clamp(h·P_i, lo_i, hi_i) ≥ target
// (used when teachers who move must all go somewhere).
func levelFor(items []wfItem, from, target float64) (float64, bool) {
	sum := func(h float64) float64 {
		var s float64
		for _, it := range items {
			s += min(max(h*it.P, it.lo), it.hi)
		}
		return s
	}
	lo := from
	if math.IsInf(lo, -1) {
		lo = 0
	}
	if sum(lo) >= target {
		return lo, true
	}
	hi := max(lo, 1e-9) * 2
	for sum(hi) < target {
		hi *= 2
		if hi > 1e300 {
			return 0, false
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if sum(mid) >= target {
			hi = mid
		} else {
			lo = mid
		}
		if hi-lo <= 1e-15*hi {
			break
		}
	}
	return hi, true
}
