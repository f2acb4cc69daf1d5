package plan

import (
	"math"
	"math/bits"
	"slices"
)

// The lower bound, and the branch and bound that proves a plan optimal.
//
// A node of the search narrows each act's count to [lo, hi] and may fix a
// part's choice of the indicators it leaves at 85 %. Its bound relaxes three
// things and keeps everything else exact:
//
//   - Counts are continuous. Each (stage, indicator) set is then the convex
//     problem that water-filling solves exactly (wf.go), with the school
//     rule's needs — rounded up to what whole counts can reach — as lower
//     bounds and the node's ranges as boxes.
//   - An act that raises two parts (a mixed school's facility) is charged
//     in each set at the group's least rate per raw unit; the charges never
//     add up to more than the act's cost, so the sum over sets stays a bound.
//   - A part whose choice is not fixed may leave any one of its short
//     indicators at the floor. Leaving k at the floor instead of raising it
//     to the threshold t saves at most the cost of that raise in its set,
//     because raising a part to t never raises a CV when every part is at
//     least at the floor and (1+L²)·floor ≥ 1 (∂f/∂x_i ≤ 0 while the part's
//     value is below (1+L²) times the mean). So each set is bounded by its
//     cost with every such part at t (B) minus the savings of the parts
//     that leave it, and by its cost with all of them at the floor (A); the
//     parts' savings are shared out as a knapsack with one item per part.
//
// With rotation a teacher set costs its hires: ⌈(least total − total now)⌉⁺
// teachers, the least total being water-filling's.
type bnb struct {
	m      *model
	lo, hi []int
	fixed  []bool
	fmask  []uint32
	wf     waterfiller
	items  []wfItem

	// per (part, indicator), flat: index p*nInd+k
	boxLo, boxHi, fg, bLb []float64
	status                []int8 // per part: 0 settled, 1 free
	mask                  []uint32
	rest                  []uint32 // free parts: the indicators they may still choose among
	mfree                 []int    // free parts: how many they may still choose
	save                  []float64

	// per group: the point of the A relaxation, part by part; scratch for B
	pt [][]float64
	xB []float64

	incumbent []int
	incCost   float64
	nodes     int
	// cache keeps group values by their inputs: a child node changes one
	// act or one part, so most of its groups are its parent's.
	cache map[cacheKey]cached
}

type cacheKey struct {
	h1, h2 uint64
}

type cached struct {
	v  float64
	ok bool
	pt []float64
}

// work is the effort spent so far, in parts handled.
func (b *bnb) work() int { return b.wf.work + b.nodes*len(b.m.parts)*b.m.nInd }

func newBnb(m *model) *bnb {
	nk := len(m.parts) * m.nInd
	b := &bnb{
		m: m, lo: make([]int, len(m.acts)), hi: make([]int, len(m.acts)),
		fixed: make([]bool, len(m.parts)), fmask: make([]uint32, len(m.parts)),
		boxLo: make([]float64, nk), boxHi: make([]float64, nk), fg: make([]float64, nk), bLb: make([]float64, nk),
		status: make([]int8, len(m.parts)), mask: make([]uint32, len(m.parts)),
		rest: make([]uint32, len(m.parts)), mfree: make([]int, len(m.parts)), save: make([]float64, nk),
		xB:      make([]float64, len(m.parts)),
		incCost: math.Inf(1),
		cache:   map[cacheKey]cached{},
	}
	for g := range m.groups {
		b.pt = append(b.pt, make([]float64, len(m.groups[g].parts)))
	}
	return b
}

// gridUp returns the least raw numerator ≥ target that part p's act can
// reach from x0 in whole counts, never below lo; +Inf when there is no act
// and x0 is short.
func (m *model) gridUp(p, k int, target, lo float64) float64 {
	if target <= lo {
		return lo
	}
	a := m.actOf[p][k]
	x0 := m.parts[p].x0[k]
	if a < 0 {
		if x0 >= target-math.Abs(target)*eps {
			return lo
		}
		return math.Inf(1)
	}
	c := m.coef[p][k]
	n, _ := m.countFor(p, k, target)
	return max(lo, x0+c*float64(n))
}

type verdict struct {
	lb         float64
	infeasible bool
	// branch on a part's choice …
	part  int
	masks []uint32
	// … or on an act's range: [lo, split] and [split+1, hi]
	act   int
	split int
	// done: the node needs no children (its point is optimal for it, or
	// every count is fixed)
	done bool
}

// eval computes the bound of the node in b.lo, b.hi, b.fixed, b.fmask, and
// how to branch. It offers any whole-count point it finds to the incumbent.
func (b *bnb) eval() verdict {
	m := b.m
	nk := m.nInd
	b.nodes++
	v := verdict{part: -1, act: -1}
	// Per part: boxes, floors, which indicators are short, the choice.
	var budget float64
	for p := range m.parts {
		var short, forced uint32
		for k := range nk {
			i := p*nk + k
			x0 := m.parts[p].x0[k]
			lo, hi := x0, x0
			if a := m.actOf[p][k]; a >= 0 {
				lo, hi = x0+m.coef[p][k]*float64(b.lo[a]), x0+m.coef[p][k]*float64(b.hi[a])
			}
			b.boxLo[i], b.boxHi[i] = lo, hi
			f := m.gridUp(p, k, m.parts[p].fRaw[k], lo)
			if f > hi*(1+eps)+eps {
				v.infeasible = true
				return v
			}
			b.fg[i] = f
			t := m.gridUp(p, k, m.parts[p].tRaw[k], lo)
			b.bLb[i] = t
			if t > lo*(1+eps)+eps {
				short |= 1 << k
				if t > hi*(1+eps)+eps {
					forced |= 1 << k
				}
			}
			b.save[i] = 0
		}
		b.status[p] = 0
		if b.fixed[p] {
			if forced&^b.fmask[p] != 0 {
				v.infeasible = true
				return v
			}
			b.mask[p] = b.fmask[p]
			continue
		}
		nf := bits.OnesCount32(forced)
		if nf > m.m {
			v.infeasible = true
			return v
		}
		rest := short &^ forced
		if bits.OnesCount32(rest) <= m.m-nf {
			b.mask[p] = short
			continue
		}
		// Free: A puts every short indicator at the floor; B raises the
		// choosable ones to max(floor, t) — the continuous threshold.
		b.status[p] = 1
		b.mask[p] = short
		b.rest[p] = rest
		b.mfree[p] = m.m - nf
		var sv []float64
		for k := range nk {
			if rest&(1<<k) == 0 {
				continue
			}
			i := p*nk + k
			lbB := max(b.fg[i], b.boxLo[i], m.parts[p].tRaw[k])
			b.bLb[i] = lbB
			g := &m.groups[m.parts[p].g[k]]
			if g.rot {
				st := m.acts[m.actOf[p][k]].step
				b.save[i] = g.cost * math.Ceil((lbB-b.fg[i])/st-eps)
			} else {
				b.save[i] = m.brate[p][k] * (lbB - b.fg[i])
			}
			sv = append(sv, b.save[i])
		}
		slices.Sort(sv)
		for j := range b.mfree[p] {
			budget += sv[len(sv)-1-j]
		}
	}
	// Per group: A and B.
	var sumMax, sumRoom, committed float64
	for g := range m.groups {
		gr := &m.groups[g]
		k := gr.k
		A, ok := b.groupValue(g, false)
		if !ok {
			v.infeasible = true
			return v
		}
		B, S := A, 0.0
		free := false
		for _, p := range gr.parts {
			if b.status[p] == 1 && b.rest[p]&(1<<k) != 0 {
				free = true
				S += b.save[p*nk+k]
			}
		}
		if free && m.knap {
			if B, ok = b.groupValue(g, true); !ok {
				B = A
			}
		}
		sumMax += max(A, B)
		sumRoom += min(max(0, B-A), S)
	}
	if !m.knap {
		budget = 0
	}
	lb := sumMax - min(budget, sumRoom)
	for a := range m.acts {
		if m.acts[a].grp < 0 {
			committed += m.acts[a].cost * float64(b.lo[a])
		}
	}
	for g := range m.groups {
		if m.groups[g].rot {
			h := 0
			for _, p := range m.groups[g].parts {
				if a := m.actOf[p][m.groups[g].k]; a >= 0 {
					h += b.lo[a]
				}
			}
			committed += m.groups[g].cost * float64(max(0, h))
		}
	}
	v.lb = max(lb, committed)
	// Branch on a free part's choice first.
	if hasFree(b.status) {
		best, bp := -1.0, -1
		for p := range m.parts {
			if b.status[p] != 1 {
				continue
			}
			var top float64
			for k := range nk {
				top = max(top, b.save[p*nk+k])
			}
			if top > best {
				best, bp = top, p
			}
		}
		if bp >= 0 {
			v.part = bp
			short := b.mask[bp]
			forced := short &^ b.rest[bp]
			v.masks = masks(short, forced, m.m)
			return v
		}
	}
	// Every choice is settled: the A solution is the relaxation's optimum.
	b.branchOnPoint(&v)
	return v
}

func hasFree(s []int8) bool {
	return slices.Contains(s, 1)
}

// groupValue solves group g's relaxation with the A lower bounds (or B's)
// and returns a proved lower bound on its cost; it keeps the A point.
func (b *bnb) groupValue(g int, useB bool) (float64, bool) {
	m := b.m
	gr := &m.groups[g]
	k := gr.k
	nk := m.nInd
	b.items = b.items[:0]
	var fixedCost float64
	for _, p := range gr.parts {
		i := p*nk + k
		var lb float64
		switch {
		case b.status[p] == 1 && useB && b.rest[p]&(1<<k) != 0:
			lb = b.bLb[i]
		case b.mask[p]&(1<<k) != 0 || b.status[p] == 1:
			lb = b.fg[i]
		default:
			lb = b.bLb[i]
		}
		lb = max(lb, b.boxLo[i])
		hi := b.boxHi[i]
		if lb > hi {
			if lb > hi*(1+eps)+eps {
				return 0, false
			}
			lb = hi
		}
		r := m.brate[p][k]
		if gr.rot {
			r = 1
		}
		fixedCost += r * m.parts[p].x0[k]
		b.items = append(b.items, wfItem{m.parts[p].P, lb, hi, r})
	}
	x := b.pt[g]
	if useB {
		x = b.xB[:len(b.items)]
	}
	key := b.key(g, useB)
	if c, hit := b.cache[key]; hit {
		if !useB && c.ok {
			copy(x, c.pt)
		}
		return c.v, c.ok
	}
	v, ok := b.solveGroup(g, x, fixedCost)
	if len(b.cache) > 1<<17 {
		clear(b.cache)
	}
	c := cached{v: v, ok: ok}
	if !useB && ok {
		c.pt = slices.Clone(x)
	}
	b.cache[key] = c
	return v, ok
}

// key hashes group g's inputs (twice, with different seeds, so that two
// different inputs never share a key in practice).
func (b *bnb) key(g int, useB bool) cacheKey {
	const prime = 1099511628211
	h1, h2 := uint64(14695981039346656037), uint64(0x9e3779b97f4a7c15)
	mix := func(v uint64) {
		h1 = (h1 ^ v) * prime
		h2 = (h2 ^ (v * 0xbf58476d1ce4e5b9)) * 0x94d049bb133111eb
		h2 ^= h2 >> 31
	}
	mix(uint64(g))
	if useB {
		mix(1)
	}
	for _, it := range b.items {
		mix(math.Float64bits(it.lo))
		mix(math.Float64bits(it.hi))
		mix(math.Float64bits(it.r))
	}
	return cacheKey{h1, h2}
}

// solveGroup is groupValue's computation for b.items.
func (b *bnb) solveGroup(g int, x []float64, fixedCost float64) (float64, bool) {
	m := b.m
	gr := &m.groups[g]
	k := gr.k
	lower, _, ok := b.wf.relax(b.items, gr.a, x)
	if !ok {
		return 0, false
	}
	if gr.rot {
		st := 1.0
		if a := m.actOf[gr.parts[0]][k]; a >= 0 {
			st = m.acts[a].step
		}
		return gr.cost * math.Max(0, math.Ceil((lower-gr.X0)/st-eps)), true
	}
	v := lower - fixedCost
	if gr.unit > 0 {
		v = gr.unit * math.Ceil(v/gr.unit-1e-9)
	}
	return v, true
}

// branchOnPoint looks at the relaxation's optimum when every choice is
// settled: whole and consistent counts make a plan; otherwise it picks the
// act to branch on.
func (b *bnb) branchOnPoint(v *verdict) {
	m := b.m
	nk := m.nInd
	// The relaxed raw numerators, part by part.
	x := make([]float64, len(m.parts)*nk)
	for g := range m.groups {
		gr := &m.groups[g]
		k := gr.k
		if gr.rot {
			// Teachers who move must all go somewhere: at least the total now.
			b.items = b.items[:0]
			for _, p := range gr.parts {
				i := p*nk + k
				lb := b.bLb[i]
				if b.mask[p]&(1<<k) != 0 {
					lb = b.fg[i]
				}
				lb = min(max(lb, b.boxLo[i]), b.boxHi[i])
				b.items = append(b.items, wfItem{m.parts[p].P, lb, b.boxHi[i], 1})
			}
			h, sum, ok := b.wf.solve(b.items, gr.a)
			if ok && sum < gr.X0 {
				h, _ = levelFor(b.items, h, gr.X0)
			}
			for j, p := range gr.parts {
				x[p*nk+k] = place(b.items[j], h, 0)
			}
			continue
		}
		for j, p := range gr.parts {
			x[p*nk+k] = b.pt[g][j]
		}
	}
	// Desired counts.
	n := make([]int, len(m.acts))
	up := make([]int, len(m.acts))
	bestScore, bestAct, bestSplit := 0.0, -1, 0
	for a := range m.acts {
		ac := &m.acts[a]
		dmin, dmax := math.Inf(1), math.Inf(-1)
		for _, e := range ac.eff {
			d := (x[e.p*nk+ac.k] - m.parts[e.p].x0[ac.k]) / e.coef
			dmin, dmax = min(dmin, d), max(dmax, d)
		}
		n[a] = int(math.Round(dmax))
		up[a] = min(max(int(math.Ceil(dmax-1e-7)), b.lo[a]), b.hi[a])
		if b.lo[a] == b.hi[a] {
			n[a] = b.lo[a]
			continue
		}
		frac := math.Abs(dmax - math.Round(dmax))
		gap := dmax - dmin
		if frac <= 1e-7 && gap <= 1e-7 {
			continue
		}
		score := ac.cost * math.Max(frac, gap)
		if score > bestScore || bestAct < 0 {
			bestScore, bestAct = score, a
			if gap > 1e-7 {
				bestSplit = int(math.Floor(dmin + 1e-7))
			} else {
				bestSplit = int(math.Floor(dmax))
			}
		}
	}
	// A rounded-up plan may improve the incumbent.
	b.offer(up)
	if bestAct >= 0 {
		v.act, v.split = bestAct, min(max(bestSplit, b.lo[bestAct]), b.hi[bestAct]-1)
		return
	}
	// Whole and consistent: a plan. Optimal here when its cost is the bound.
	for a := range m.acts {
		n[a] = min(max(n[a], b.lo[a]), b.hi[a])
	}
	c, ok := b.offer(n)
	if ok && c <= v.lb+1e-9*math.Max(1, c) {
		v.done = true
		return
	}
	// Otherwise split the unfixed act that matters most.
	best := -1.0
	for a := range m.acts {
		if b.lo[a] == b.hi[a] {
			continue
		}
		if s := m.acts[a].cost * float64(1+n[a]-b.lo[a]); s > best {
			best, v.act = s, a
			v.split = min(max(n[a], b.lo[a]), b.hi[a]-1)
		}
	}
	if v.act < 0 {
		v.done = true
	}
}

// offer checks counts n and keeps them when they beat the incumbent.
func (b *bnb) offer(n []int) (float64, bool) {
	if !b.m.feasible(n) {
		return 0, false
	}
	c := b.m.cost(n)
	if c < b.incCost {
		b.incCost = c
		b.incumbent = slices.Clone(n)
	}
	return c, true
}
