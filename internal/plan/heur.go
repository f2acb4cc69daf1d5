package plan

import (
	"math"
	"math/bits"
	"slices"
)

// The constructive optimiser.
//
//  1. The school rule, closed form: each part must bring every indicator
//     to its threshold except at most m (= 7 − 6) that it may leave at 85 %.
//     Which one to leave is chosen where it saves the most (ceil arithmetic
//     per indicator, in whole teachers and rooms).
//  2. Each (stage, indicator) set is then solved on its own: the exact
//     continuous water-filling level (wf.go) with the school-rule needs as
//     lower bounds and caps as upper bounds, rounded down to whole units,
//     then units are added greedily where they lower the CV most per 元
//     until the CV is within its limit, and surplus units are taken back.
//     Facilities of mixed schools raise both stages: the sets of the two
//     stages are settled in turn until they agree.
//  3. Local search on the choice of the indicator left at 85 %, then every
//     act is lowered as far as the rule and the CVs allow.
//
// With rotation, a teacher set first moves teachers from the parts with most
// per student to those that need them, and hires only when no move helps.
type solver struct {
	m     *model
	n     []int
	req   [][]int  // per act, per effect: the count its group asks for
	mask  []uint32 // per part: the indicators it may leave between floor and threshold
	wf    waterfiller
	items []wfItem
	cnt   []int // scratch: counts of a group's parts
	lbc   []int
	x     []float64
}

func newSolver(m *model) *solver {
	s := &solver{m: m, n: make([]int, len(m.acts)), req: make([][]int, len(m.acts)), mask: make([]uint32, len(m.parts))}
	for a := range m.acts {
		s.req[a] = make([]int, len(m.acts[a].eff))
		s.n[a] = max(0, m.acts[a].lo)
	}
	return s
}

// shortfalls returns the indicators part p does not meet before the plan,
// and those it cannot bring to the threshold within its act's range.
func (m *model) shortfalls(p int) (short, forced uint32) {
	for k := range m.nInd {
		x := m.parts[p].x0[k]
		if m.met(p, k, x) {
			continue
		}
		short |= 1 << k
		need, ok := m.countFor(p, k, m.parts[p].tRaw[k])
		if a := m.actOf[p][k]; !ok || a < 0 || need > m.acts[a].hi {
			forced |= 1 << k
		}
	}
	return short, forced
}

// chooseMasks sets each part's relaxed indicators where the school rule
// alone saves most.
func (s *solver) chooseMasks() {
	m := s.m
	for p := range m.parts {
		short, forced := m.shortfalls(p)
		if bits.OnesCount32(short) <= m.m {
			s.mask[p] = short
			continue
		}
		mask := forced
		for bits.OnesCount32(mask) < m.m {
			best, bk := -1.0, -1
			for k := range m.nInd {
				if short&(1<<k) == 0 || mask&(1<<k) != 0 {
					continue
				}
				if sv := s.saving(p, k); sv > best {
					best, bk = sv, k
				}
			}
			if bk < 0 {
				break
			}
			mask |= 1 << bk
		}
		s.mask[p] = mask
	}
}

// saving is what leaving k of part p at the floor saves under the school rule alone.
func (s *solver) saving(p, k int) float64 {
	m := s.m
	a := m.actOf[p][k]
	if a < 0 {
		return math.Inf(1)
	}
	t, _ := m.countFor(p, k, m.parts[p].tRaw[k])
	f, _ := m.countFor(p, k, m.parts[p].fRaw[k])
	return float64(max(t, 0)-max(f, 0)) * m.acts[a].cost
}

// target returns the raw numerator part p needs for k under its mask.
func (s *solver) target(p, k int) float64 {
	if s.mask[p]&(1<<k) != 0 {
		return s.m.parts[p].fRaw[k]
	}
	return s.m.parts[p].tRaw[k]
}

// otherReq returns the largest count that the other groups ask of act a.
func (s *solver) otherReq(a, p int) int {
	r := s.m.acts[a].lo
	for i, e := range s.m.acts[a].eff {
		if e.p != p {
			r = max(r, s.req[a][i])
		}
	}
	return r
}

func (s *solver) setReq(a, p, c int) {
	ac := &s.m.acts[a]
	for i, e := range ac.eff {
		if e.p == p {
			s.req[a][i] = c
		}
	}
	n := ac.lo
	for _, r := range s.req[a] {
		n = max(n, r)
	}
	s.n[a] = n
}

// solveGroup finds counts for group g's acts; false when the group cannot
// meet its needs and its limit within the acts' ranges.
func (s *solver) solveGroup(g int) bool {
	if s.m.groups[g].rot {
		return s.solveRot(g)
	}
	m := s.m
	gr := &m.groups[g]
	k := gr.k
	s.items = s.items[:0]
	s.lbc = s.lbc[:0]
	s.cnt = s.cnt[:0]
	for _, p := range gr.parts {
		a := m.actOf[p][k]
		need, ok := m.countFor(p, k, s.target(p, k))
		if !ok {
			return false
		}
		x0 := m.parts[p].x0[k]
		if a < 0 {
			s.items = append(s.items, wfItem{m.parts[p].P, x0, x0, 0})
			s.lbc = append(s.lbc, 0)
			continue
		}
		c := m.coef[p][k]
		lb := max(need, s.otherReq(a, p), m.acts[a].lo)
		hi := m.acts[a].hi
		if lb > hi {
			return false
		}
		s.items = append(s.items, wfItem{m.parts[p].P, x0 + c*float64(lb), x0 + c*float64(hi), m.hrate[p][k]})
		s.lbc = append(s.lbc, lb)
	}
	s.x = append(s.x[:0], make([]float64, len(s.items))...)
	if _, _, ok := s.wf.relax(s.items, gr.a, s.x); !ok {
		return false
	}
	// Round the continuous answer down, then add what the limit still needs.
	var s1, s2 float64
	for i, p := range gr.parts {
		cnt := s.lbc[i]
		if a := m.actOf[p][k]; a >= 0 {
			x0, c := m.parts[p].x0[k], m.coef[p][k]
			want := int(math.Floor((s.x[i]-x0)/c + eps))
			cnt = min(max(want, s.lbc[i]), m.acts[a].hi)
		}
		s.cnt = append(s.cnt, cnt)
		x := m.parts[p].x0[k] + m.coef[p][k]*float64(cnt)
		s1 += x
		s2 += x * x / m.parts[p].P
	}
	for !cvWithin(s1, s2, gr.P, gr.a) {
		best, bi := 0.0, -1
		for i, p := range gr.parts {
			a := m.actOf[p][k]
			if a < 0 || s.cnt[i] >= m.acts[a].hi {
				continue
			}
			c := m.coef[p][k]
			x := m.parts[p].x0[k] + c*float64(s.cnt[i])
			df := gr.P*(2*x*c+c*c)/m.parts[p].P - gr.a*(2*s1*c+c*c)
			if df >= 0 {
				continue
			}
			if v := df / m.acts[a].cost; bi < 0 || v < best {
				best, bi = v, i
			}
		}
		if bi < 0 {
			return false
		}
		p := gr.parts[bi]
		c := m.coef[p][k]
		x := m.parts[p].x0[k] + c*float64(s.cnt[bi])
		s1 += c
		s2 += (2*x*c + c*c) / m.parts[p].P
		s.cnt[bi]++
	}
	s.trimGroup(g, &s1, &s2)
	for i, p := range gr.parts {
		if a := m.actOf[p][k]; a >= 0 {
			s.setReq(a, p, s.cnt[i])
		}
	}
	return true
}

// trimGroup takes back units of group g (counts in s.cnt, bounds s.lbc)
// while the limit holds, richest parts first.
func (s *solver) trimGroup(g int, s1, s2 *float64) {
	m := s.m
	gr := &m.groups[g]
	k := gr.k
	order := make([]int, 0, len(gr.parts))
	for i := range gr.parts {
		if s.cnt[i] > s.lbc[i] {
			order = append(order, i)
		}
	}
	val := func(i int) float64 {
		p := gr.parts[i]
		return (m.parts[p].x0[k] + m.coef[p][k]*float64(s.cnt[i])) / m.parts[p].P
	}
	slices.SortFunc(order, func(x, y int) int {
		if v, w := val(x), val(y); v > w {
			return -1
		} else if v < w {
			return 1
		}
		return 0
	})
	for changed := true; changed; {
		changed = false
		for _, i := range order {
			if s.cnt[i] <= s.lbc[i] {
				continue
			}
			p := gr.parts[i]
			c := m.coef[p][k]
			x := m.parts[p].x0[k] + c*float64(s.cnt[i])
			n1 := *s1 - c
			n2 := *s2 - (2*x*c-c*c)/m.parts[p].P
			if cvWithin(n1, n2, gr.P, gr.a) {
				*s1, *s2 = n1, n2
				s.cnt[i]--
				changed = true
			}
		}
	}
}

// solveRot solves a teacher group under rotation: moves first, hires when
// no move lowers the CV, then as few hires and moves as the rule allows.
func (s *solver) solveRot(g int) bool {
	m := s.m
	gr := &m.groups[g]
	k := gr.k
	np := len(gr.parts)
	s.cnt = append(s.cnt[:0], make([]int, np)...)
	s.lbc = s.lbc[:0]
	x := make([]float64, np)
	hi := make([]int, np)
	coef := make([]float64, np)
	var s1, s2 float64
	for i, p := range gr.parts {
		need, ok := m.countFor(p, k, s.target(p, k))
		if !ok {
			return false
		}
		a := m.actOf[p][k]
		x[i] = m.parts[p].x0[k]
		if a < 0 {
			s.lbc = append(s.lbc, 0)
		} else {
			lb := max(need, m.acts[a].lo)
			if lb > m.acts[a].hi {
				return false
			}
			s.lbc = append(s.lbc, lb)
			hi[i] = m.acts[a].hi
			coef[i] = m.coef[p][k]
		}
		s1 += x[i]
		s2 += x[i] * x[i] / m.parts[p].P
	}
	P := func(i int) float64 { return m.parts[gr.parts[i]].P }
	move := func(i, d int) { // d = +1 or −1 count at part i
		c := coef[i] * float64(d)
		s2 += (2*x[i]*c + c*c) / P(i)
		s1 += c
		x[i] += c
		s.cnt[i] += d
	}
	// The richest part that can give a teacher, other than i.
	donor := func(i int) int {
		best, bj := 0.0, -1
		for j := range np {
			if j == i || coef[j] == 0 || s.cnt[j]-1 < s.lbc[j] {
				continue
			}
			if v := (2*x[j] - coef[j]) / P(j); bj < 0 || v > best {
				best, bj = v, j
			}
		}
		return bj
	}
	// School rule first.
	for i := range np {
		for s.cnt[i] < s.lbc[i] {
			if j := donor(i); j >= 0 {
				move(j, -1)
			}
			move(i, +1)
		}
	}
	// Then the limit.
	for !cvWithin(s1, s2, gr.P, gr.a) {
		best, bi := 0.0, -1
		for i := range np {
			if coef[i] == 0 || s.cnt[i] >= hi[i] {
				continue
			}
			if v := (2*x[i] + coef[i]) / P(i); bi < 0 || v < best {
				best, bi = v, i
			}
		}
		if bi < 0 {
			return false
		}
		c := coef[bi]
		if j := donor(bi); j >= 0 && gr.P*c*((2*x[bi]+c)/P(bi)-(2*x[j]-coef[j])/P(j)) < 0 {
			move(j, -1)
			move(bi, +1)
			continue
		}
		if df := gr.P*c*(2*x[bi]+c)/P(bi) - gr.a*(2*s1*c+c*c); df >= 0 {
			return false
		}
		move(bi, +1)
	}
	// Fewer hires: take back a hired teacher from the richest part while the
	// limit holds.
	hires := 0
	for _, c := range s.cnt {
		hires += c
	}
	for hires > 0 {
		j := donor(-1)
		if j < 0 {
			break
		}
		move(j, -1)
		if !cvWithin(s1, s2, gr.P, gr.a) {
			move(j, +1)
			break
		}
		hires--
	}
	// Fewer moves: undo a move (one back from a receiver to a donor) while
	// the rule and the limit allow.
	for changed := true; changed; {
		changed = false
		for r := range np {
			for s.cnt[r] > 0 && s.cnt[r] > s.lbc[r] {
				undone := false
				for d := range np {
					if s.cnt[d] >= 0 || s.cnt[d]+1 > hi[d] {
						continue
					}
					move(r, -1)
					move(d, +1)
					if cvWithin(s1, s2, gr.P, gr.a) {
						undone, changed = true, true
						break
					}
					move(d, -1)
					move(r, +1)
				}
				if !undone {
					break
				}
			}
		}
	}
	for i, p := range gr.parts {
		if a := m.actOf[p][k]; a >= 0 {
			s.setReq(a, p, s.cnt[i])
		}
	}
	return true
}

// settle solves the queued groups, and again any group that an act shared
// with them (a mixed school's facility) has put out of its limit.
func (s *solver) settle(queue []int) bool {
	m := s.m
	inQ := make(map[int]bool, len(queue))
	for _, g := range queue {
		inQ[g] = true
	}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 8*len(m.groups)+8 {
			return false
		}
		g := queue[0]
		queue = queue[1:]
		inQ[g] = false
		before := map[int]int{}
		for _, p := range m.groups[g].parts {
			if a := m.actOf[p][m.groups[g].k]; a >= 0 && len(m.acts[a].eff) > 1 {
				before[a] = s.n[a]
			}
		}
		if !s.solveGroup(g) {
			return false
		}
		for a, old := range before {
			if s.n[a] == old {
				continue
			}
			for _, e := range m.acts[a].eff {
				g2 := m.parts[e.p].g[m.acts[a].k]
				if g2 != g && !inQ[g2] && !m.cvOK(g2, s.n) {
					queue = append(queue, g2)
					inQ[g2] = true
				}
			}
		}
	}
	return true
}

// run builds a plan; false when none exists within the ranges.
func (s *solver) run() bool {
	m := s.m
	s.chooseMasks()
	all := make([]int, len(m.groups))
	for g := range all {
		all[g] = g
	}
	if !s.settle(all) {
		// The school rule's choice may be what blocks a CV: try every
		// relaxation choice part by part before giving up.
		if !s.repair() {
			return false
		}
	}
	s.improveMasks()
	s.trimActs()
	return m.feasible(s.n)
}

// repair retries with each part's alternative choices of the indicator
// left at 85 %.
func (s *solver) repair() bool {
	m := s.m
	for p := range m.parts {
		short, forced := m.shortfalls(p)
		if bits.OnesCount32(short) <= m.m {
			continue
		}
		for _, mask := range masks(short, forced, m.m) {
			s.mask[p] = mask
			all := make([]int, len(m.groups))
			for g := range all {
				all[g] = g
			}
			if s.settle(all) {
				return true
			}
		}
	}
	return false
}

// masks lists the ways to choose m indicators of short that include forced.
func masks(short, forced uint32, m int) []uint32 {
	var out []uint32
	var rec func(mask, rest uint32)
	rec = func(mask, rest uint32) {
		if bits.OnesCount32(mask) == m || rest == 0 {
			if mask&forced == forced {
				out = append(out, mask)
			}
			return
		}
		k := bits.TrailingZeros32(rest)
		rest &^= 1 << k
		rec(mask|1<<k, rest)
		if bits.OnesCount32(mask)+bits.OnesCount32(rest) >= m {
			rec(mask, rest)
		}
	}
	rec(0, short)
	return out
}

// improveMasks tries, part by part, every other choice of the indicators
// left at 85 %, keeping a change that lowers the total cost.
func (s *solver) improveMasks() {
	m := s.m
	for range 3 {
		improved := false
		for p := range m.parts {
			short, forced := m.shortfalls(p)
			if bits.OnesCount32(short) <= m.m {
				continue
			}
			cur := m.cost(s.n)
			for _, mask := range masks(short, forced, m.m) {
				if mask == s.mask[p] {
					continue
				}
				old := s.mask[p]
				snapN, snapR := slices.Clone(s.n), cloneReq(s.req)
				s.mask[p] = mask
				var queue []int
				for k := range m.nInd {
					if (old^mask)&(1<<k) != 0 {
						queue = append(queue, m.parts[p].g[k])
					}
				}
				if s.settle(queue) && m.cost(s.n) < cur-1e-9*math.Max(1, cur) {
					cur = m.cost(s.n)
					improved = true
					continue
				}
				s.mask[p], s.n, s.req = old, snapN, snapR
			}
		}
		if !improved {
			return
		}
	}
}

func cloneReq(r [][]int) [][]int {
	out := make([][]int, len(r))
	for i := range r {
		out[i] = slices.Clone(r[i])
	}
	return out
}

// trimActs lowers every act, dearest first, as far as the school rule (any
// indicator may be the one left at 85 %) and the CVs allow.
func (s *solver) trimActs() {
	m := s.m
	order := make([]int, 0, len(m.acts))
	for a := range m.acts {
		if m.acts[a].grp < 0 && s.n[a] > m.acts[a].lo {
			order = append(order, a)
		}
	}
	slices.SortFunc(order, func(x, y int) int {
		cx, cy := m.acts[x].cost*float64(s.n[x]), m.acts[y].cost*float64(s.n[y])
		switch {
		case cx > cy:
			return -1
		case cx < cy:
			return 1
		}
		return x - y
	})
	for _, a := range order {
		lo, hi := m.acts[a].lo, s.n[a] // hi is feasible
		for lo < hi {
			mid := lo + (hi-lo)/2
			s.n[a] = mid
			if m.actOK(a, s.n) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		s.n[a] = hi
	}
}

// actOK checks the parts and groups that act a touches.
func (m *model) actOK(a int, n []int) bool {
	for _, e := range m.acts[a].eff {
		if !m.partPasses(e.p, n) || !m.cvOK(m.parts[e.p].g[m.acts[a].k], n) {
			return false
		}
	}
	return true
}
