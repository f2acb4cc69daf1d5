package demo

import (
	"math"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
)

// The generator measures its own counties with the formulas of
// standards.md §2.1–2.2 so that each county's story comes out as planned.
// It does not call internal/eval: the engine's tests may use this package,
// and the demo tests check every story against the real engine.

// present reports whether the school is in the latest census.
func (c *county) present(s *school) bool { return s.first <= c.latest && s.last >= c.latest }

// parts returns the latest year's parts of stage st that the national rules
// evaluate: every compulsory part with students, special schools excluded.
func (c *county) parts(st int) []part {
	var ps []part
	for _, s := range c.schools {
		if c.present(s) && s.typ != census.Special && s.compulsory(st) && s.stu[st] > 0 {
			ps = append(ps, part{s, st})
		}
	}
	return ps
}

var facilityField = [4]census.Field{census.TeachingArea, census.SportsArea, census.EquipmentValue, census.MultimediaRooms}

// missing reports whether indicator k of the part was not reported.
func (p part) missing(k int) bool {
	return k >= kArea && slices.Contains(p.s.gaps, facilityField[k-kArea])
}

// cv returns the student-weighted 差异系数 of indicator k over ps and the
// weighted mean (standards.md §2.2), leaving out parts with no figure.
func cv(ps []part, k int) (v, mean float64) {
	var x, n float64
	for _, p := range ps {
		if !p.missing(k) {
			x += p.raw(k)
			n += p.students()
		}
	}
	if n == 0 || x == 0 {
		return math.NaN(), math.NaN()
	}
	mean = x / n * scale[k]
	var sum float64
	for _, p := range ps {
		if !p.missing(k) {
			d := p.val(k) - mean
			sum += p.students() * d * d
		}
	}
	return math.Sqrt(sum/n) / mean, mean
}

// passes applies the school rule: at least MinMet indicators at their
// thresholds, none below the floor, none missing.
func (p part) passes() bool {
	met := 0
	for k := range nInd {
		if p.missing(k) {
			return false
		}
		switch r := p.ratio(k); {
		case r >= 1-1e-9:
			met++
		case r < floor-1e-9:
			return false
		}
	}
	return met >= rules.SchoolRule.MinMet
}

// ceiling is the most indicator k's raw figure may reach by tuning: a school
// can name many backbone teachers, but not most of its staff.
func (p part) ceiling(k int) float64 {
	tch := p.s.tch[p.st]
	switch k {
	case kQualified:
		return tch
	case kBackbone:
		return math.Max(p.raw(k), math.Floor(0.6*tch))
	case kPEArt:
		return math.Max(p.raw(k), math.Floor(0.35*tch))
	}
	return math.Inf(1)
}

// lowest is the least raw figure that still meets the threshold.
func (p part) lowest(k int) float64 {
	x := th[k][p.st] * p.students() / scale[k]
	if k < kArea {
		return math.Ceil(x - 1e-9)
	}
	return x
}

// tuneDown pulls the parts that spread indicator k most towards the mean
// until the CV of stage st is at most target; it never pushes a part below
// its threshold. It reports whether the target was reached.
func (c *county) tuneDown(st, k int, target float64) bool {
	ps := c.parts(st)
	stuck := make([]bool, len(ps))
	for range 600 {
		v, mean := cv(ps, k)
		if !(v > target) {
			return true
		}
		best, most := -1, 0.0
		for i, p := range ps {
			if stuck[i] || !p.movable(k) || p.missing(k) {
				continue
			}
			d := p.val(k) - mean
			if w := p.students() * d * d; w > most {
				best, most = i, w
			}
		}
		if best < 0 {
			return false
		}
		p := ps[best]
		old := p.raw(k)
		x := old - 0.3*(old-mean*p.students()/scale[k])
		x = math.Min(math.Max(x, p.lowest(k)*1.01), p.ceiling(k))
		p.setRaw(k, x)
		if p.raw(k) == old {
			stuck[best] = true
		}
	}
	return false
}

// spread multiplies indicator k of the favoured parts by one factor g in
// [gmin, gmax], found by bisection, so that the CV of stage st reaches
// target; no part leaves [lowest, cap]. It returns the CV reached.
func (c *county) spread(st, k int, fav []part, target, gmin, gmax float64) float64 {
	ps := c.parts(st)
	base := make([]float64, len(fav))
	for i, p := range fav {
		base[i] = p.raw(k)
	}
	set := func(g float64) float64 {
		for i, p := range fav {
			p.setRaw(k, math.Min(math.Max(base[i]*g, p.lowest(k)), p.ceiling(k)))
			if p.val(k) < th[k][st] {
				p.setRaw(k, p.raw(k)+unit(k))
			}
		}
		v, _ := cv(ps, k)
		return v
	}
	lo, hi := gmin, gmax
	if set(hi) < target {
		return set(hi)
	}
	if set(lo) > target {
		return set(lo)
	}
	for range 40 {
		mid := (lo + hi) / 2
		if set(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return set(hi)
}

// nudge moves indicator k of single parts by whole units until the CV of
// stage st lies in [lo, hi], keeping every part at or above its threshold
// and within its cap. ok limits the parts that may change.
func (c *county) nudge(st, k int, lo, hi float64, ok func(part) bool) bool {
	ps := c.parts(st)
	mid := (lo + hi) / 2
	step := unit(k)
	if k == kEquip {
		step = 1000
	}
	for range 400 {
		v, _ := cv(ps, k)
		if v >= lo && v <= hi {
			return true
		}
		best, move, dist := -1, 0.0, math.Abs(v-mid)
		for i, p := range ps {
			if !ok(p) || !p.movable(k) || p.missing(k) {
				continue
			}
			old := p.raw(k)
			for _, d := range [2]float64{step, -step} {
				x := old + d
				if x < p.lowest(k) || x > p.ceiling(k) {
					continue
				}
				p.setRaw(k, x)
				w, _ := cv(ps, k)
				p.setRaw(k, old)
				if e := math.Abs(w - mid); e < dist {
					best, move, dist = i, d, e
				}
			}
		}
		if best < 0 {
			return false
		}
		ps[best].setRaw(k, ps[best].raw(k)+move)
	}
	return false
}

// pin is nudge for a narrow window: when no single step brings the CV of
// stage st closer to [lo, hi], it moves one unit of indicator k from one
// part to another, the pair that brings it closest, until the CV lies in
// the window or no pair helps.
func (c *county) pin(st, k int, lo, hi float64, ok func(part) bool) bool {
	if c.nudge(st, k, lo, hi, ok) {
		return true
	}
	ps := c.parts(st)
	var movable []part
	for _, p := range ps {
		if ok(p) && p.movable(k) && !p.missing(k) {
			movable = append(movable, p)
		}
	}
	mid := (lo + hi) / 2
	step := unit(k)
	for range 50 {
		v, _ := cv(ps, k)
		if v >= lo && v <= hi {
			return true
		}
		bi, bj, dist := -1, -1, math.Abs(v-mid)
		for i, p := range movable {
			if p.raw(k)+step > p.ceiling(k) {
				continue
			}
			p.setRaw(k, p.raw(k)+step)
			for j, q := range movable {
				if j == i || q.raw(k)-step < q.lowest(k) {
					continue
				}
				q.setRaw(k, q.raw(k)-step)
				w, _ := cv(ps, k)
				q.setRaw(k, q.raw(k)+step)
				if e := math.Abs(w - mid); e < dist {
					bi, bj, dist = i, j, e
				}
			}
			p.setRaw(k, p.raw(k)-step)
		}
		if bi < 0 {
			return false
		}
		movable[bi].setRaw(k, movable[bi].raw(k)+step)
		movable[bj].setRaw(k, movable[bj].raw(k)-step)
	}
	return false
}

// favoured picks parts of stage st that pass keep, largest first, until they
// hold at least share of the stage's students.
func (c *county) favoured(st int, share float64, keep func(part) bool) []part {
	ps := c.parts(st)
	var total float64
	for _, p := range ps {
		total += p.students()
	}
	var cand []part
	for _, p := range ps {
		if keep(p) {
			cand = append(cand, p)
		}
	}
	slices.SortStableFunc(cand, func(a, b part) int { return int(b.students() - a.students()) })
	var out []part
	var n float64
	for _, p := range cand {
		if n >= share*total {
			break
		}
		out = append(out, p)
		n += p.students()
	}
	return out
}

// snapshot copies the county's schools, to undo a failed attempt.
func (c *county) snapshot() []school {
	out := make([]school, len(c.schools))
	for i, s := range c.schools {
		out[i] = *s
	}
	return out
}

func (c *county) restore(snap []school) {
	for i := range c.schools {
		*c.schools[i] = snap[i]
	}
}

// assessment is the county's latest year measured as the national rules do.
type assessment struct {
	failing [2][]part
	cv      [2][nInd]float64
}

// assess measures the county; 教学点 with fewer than excludeBelow students
// are left out (the Hebei rule), 0 leaves none out.
func (c *county) assess(excludeBelow float64) assessment {
	var a assessment
	for st := sp; st <= sj; st++ {
		ps := c.parts(st)
		if excludeBelow > 0 {
			ps = slices.DeleteFunc(ps, func(p part) bool {
				return p.s.typ == census.TeachingPoint && p.students() < excludeBelow
			})
		}
		for _, p := range ps {
			if !p.passes() {
				a.failing[st] = append(a.failing[st], p)
			}
		}
		for k := range nInd {
			a.cv[st][k], _ = cv(ps, k)
		}
	}
	return a
}

// over lists the (stage, indicator) pairs whose CV exceeds the limit.
func (a *assessment) over() [][2]int {
	var out [][2]int
	for st := sp; st <= sj; st++ {
		for k := range nInd {
			if !(a.cv[st][k] <= limit[st]) {
				out = append(out, [2]int{st, k})
			}
		}
	}
	return out
}

// clear reports whether no CV sits just above its limit, where rounding to
// two decimals would change the verdict: only the rounding county may.
func (a *assessment) clear() bool {
	for st := sp; st <= sj; st++ {
		for k := range nInd {
			if v := a.cv[st][k]; v > limit[st] && v < limit[st]+0.01 {
				return false
			}
		}
	}
	return true
}

func (a *assessment) failingParts() int { return len(a.failing[sp]) + len(a.failing[sj]) }
