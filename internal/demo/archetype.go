package demo

import (
	"fmt"
	"math"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// Kind is the story a demo county tells in the latest year.
type Kind string

// The county stories. Every county but those of KindPass fails 资源配置, for
// the reason its kind names and no other.
const (
	// KindPass: every school part passes and every CV is within its limit.
	KindPass Kind = "pass"
	// KindWeakSchool: one school part fails the school rule, with one
	// indicator below 85 % of its threshold, or two areas short in an
	// overcrowded 城区 primary (every other weak-school county, the first
	// included), which is also above the school-size limit of yzjh2017.
	KindWeakSchool Kind = "weak_school"
	// KindHighCV: one indicator's CV is far above its limit (0.55–0.80).
	KindHighCV Kind = "high_cv"
	// KindSmallSchools: many small village schools and 教学点 spread the
	// per-student areas, and several primary CVs fail.
	KindSmallSchools Kind = "small_schools"
	// KindRounding: the primary backbone-teacher CV lies in (0.500, 0.505):
	// it fails unrounded and would pass rounded to two decimals. No primary
	// part falls short of a threshold; a junior part or two do, within the
	// school rule.
	KindRounding Kind = "rounding"
	// KindDataGap: a school did not report one facility figure.
	KindDataGap Kind = "data_gap"
	// KindTeachingPoint: the only failing part is a 教学点 under 50 students,
	// so the county passes under the Hebei and Liaoning profiles.
	KindTeachingPoint Kind = "teaching_point"
	// KindMixed: one weak school and one high CV.
	KindMixed Kind = "mixed"
)

// kindCounts is how many of the 100 counties tell each story; the rest pass.
var kindCounts = []struct {
	kind   Kind
	n      int
	county bool // needs a rural county (县), not a 市辖区
}{
	{KindSmallSchools, 16, true},
	{KindTeachingPoint, 3, true},
	{KindRounding, 1, true},
	{KindDataGap, 2, true},
	{KindWeakSchool, 16, false},
	{KindHighCV, 14, false},
	{KindMixed, 6, false},
}

// settle brings the county to a passing state: every part meets every
// threshold with a small margin and every CV sits below its limit. A few
// parts then fall short on one indicator but stay above 85 %, which the
// school rule allows.
func (c *county) settle() bool {
	r := c.r
	for st := sp; st <= sj; st++ {
		for _, p := range c.parts(st) {
			for k := range nInd {
				p.meet(k, 1+uni(r, 0.005, 0.06))
			}
		}
	}
	for st := sp; st <= sj; st++ {
		for k := range nInd {
			smallSet := c.kind == KindSmallSchools && st == sp
			if smallSet && k >= kArea {
				continue // their spread is the story
			}
			// Tiny schools that must have a whole backbone or PE teacher can
			// keep a small-school county's teacher CVs high: part of its story.
			if !c.tuneDown(st, k, limit[st]-uni(r, 0.03, 0.1)) && !smallSet {
				return false
			}
		}
	}
	// The rounding county's primary set has no part below a threshold, so
	// its one flaw, the CV, shows alone; its junior set has at least one,
	// which the school rule allows.
	for st := sp; st <= sj; st++ {
		if c.kind == KindRounding && st == sp {
			continue
		}
		short := func(p part) bool { return p.s.loc != rural && p.movable(kArea) }
		n := 0
		for _, p := range c.parts(st) {
			if short(p) && chance(r, 0.06) {
				k := kArea + r.IntN(2)
				p.setVal(k, th[k][st]*uni(r, 0.88, 0.97))
				n++
			}
		}
		if c.kind == KindRounding && n == 0 {
			p, ok := c.pick(st, short)
			if !ok {
				return false
			}
			k := kArea + r.IntN(2)
			p.setVal(k, th[k][st]*uni(r, 0.88, 0.97))
		}
	}
	return true
}

// restoreAll makes every indicator of the part meet its threshold again.
func (p part) restoreAll() {
	for k := range nInd {
		p.meet(k, 1.01)
	}
}

// apply tells the county's story; false when this draw cannot tell it.
func (c *county) apply() bool {
	switch c.kind {
	case KindPass:
		return true
	case KindWeakSchool:
		return c.weakSchool(!c.crowded)
	case KindHighCV:
		return c.highCV()
	case KindSmallSchools:
		return c.smallSchools()
	case KindRounding:
		return c.rounding()
	case KindDataGap:
		return c.dataGap()
	case KindTeachingPoint:
		return c.weakTeachingPoint()
	case KindMixed:
		return c.weakSchool(true) && c.highCV()
	}
	return false
}

// pick returns a random part of stage st that passes keep.
func (c *county) pick(st int, keep func(part) bool) (part, bool) {
	var cand []part
	for _, p := range c.parts(st) {
		if keep(p) {
			cand = append(cand, p)
		}
	}
	if len(cand) == 0 {
		return part{}, false
	}
	return cand[c.r.IntN(len(cand))], true
}

func oneStage(p part) bool { return !p.s.mixed() && p.s.typ != census.CompleteSecondary }

// weakSchool makes one school part fail: one indicator below 85 % of its
// threshold (belowFloor), or two areas short of it in the overcrowded 城区
// primary that build drew above the school-size limit.
func (c *county) weakSchool(belowFloor bool) bool {
	r := c.r
	if !belowFloor {
		p, ok := c.pick(sp, func(p part) bool {
			return p.s.role == roleSeat && p.s.typ == census.Primary && p.s.big
		})
		if !ok {
			return false
		}
		p.restoreAll()
		p.setVal(kArea, th[kArea][sp]*uni(r, 0.88, 0.97))
		p.setVal(kSports, th[kSports][sp]*uni(r, 0.88, 0.97))
		c.note.addPart(p, kArea, kSports)
		return true
	}
	type option struct {
		st, k int
		keep  func(part) bool
		lo    float64 // ratio drawn in [lo, 0.82]
	}
	village := func(p part) bool { return p.s.role == roleVillage && p.students() >= 100 }
	options := []option{
		{sp, kPEArt, village, 0},
		{sp, kSports, village, 0.55},
		{sp, kEquip, func(p part) bool { return p.s.loc == rural && oneStage(p) }, 0.5},
		{sj, kRooms, func(p part) bool { return p.s.role == roleCentral && oneStage(p) }, 0.6},
	}
	o := options[r.IntN(len(options))]
	p, ok := c.pick(o.st, o.keep)
	if !ok {
		return false
	}
	p.restoreAll()
	p.setVal(o.k, th[o.k][o.st]*uni(r, o.lo, 0.82))
	if p.ratio(o.k) >= floor {
		return false
	}
	c.note.addPart(p, o.k)
	return true
}

// highCV concentrates one indicator in a few large schools until its CV is
// far above the limit.
func (c *county) highCV() bool {
	r := c.r
	type option struct {
		st, k int
		share float64 // of the stage's students in the favoured schools
		gmax  float64
		keep  func(part) bool
	}
	seat := func(p part) bool { return p.s.role == roleSeat && p.s.own == public }
	seatOrTown := func(p part) bool { return seat(p) || p.s.role == roleCentral && p.s.loc == town }
	options := []option{
		{sj, kBackbone, uni(r, 0.25, 0.45), 8, seat},
		{sp, kEquip, uni(r, 0.12, 0.25), 6, func(p part) bool { return seat(p) && oneStage(p) }},
		{sp, kBackbone, uni(r, 0.2, 0.35), 8, seatOrTown},
	}
	first := r.IntN(len(options))
	target := uni(r, 0.56, 0.72)
	for i := range options {
		o := options[(first+i)%len(options)]
		snap := c.snapshot()
		fav := c.favoured(o.st, o.share, func(p part) bool { return o.keep(p) && p.movable(o.k) && !c.note.has(p.s) })
		if len(fav) == 0 {
			continue
		}
		if o.k == kBackbone {
			c.thinOut(o.st, o.k, fav)
		}
		c.spread(o.st, o.k, fav, target, 1, o.gmax)
		if c.nudge(o.st, o.k, 0.555, 0.79, func(p part) bool { return !c.note.has(p.s) }) {
			c.note.addCV(o.st, o.k)
			return true
		}
		c.restore(snap)
	}
	return false
}

// thinOut brings indicator k of the parts outside fav down to just above
// the threshold: where backbone teachers gather in a few schools, the
// others have only what the standard asks.
func (c *county) thinOut(st, k int, fav []part) {
	in := map[*school]bool{}
	for _, p := range fav {
		in[p.s] = true
	}
	for _, p := range c.parts(st) {
		if !in[p.s] && !c.note.has(p.s) && p.ratio(k) > 1.15 {
			p.setRaw(k, math.Ceil(p.lowest(k)*uni(c.r, 1.0, 1.12)))
		}
	}
}

// smallSchools spreads the per-student areas of the village schools.
func (c *county) smallSchools() bool {
	small := func(p part) bool { return p.s.role == roleVillage || p.s.role == roleTP }
	fav := c.favoured(sp, 1, func(p part) bool { return small(p) && p.movable(kArea) })
	for _, k := range []int{kArea, kSports} {
		c.spread(sp, k, fav, uni(c.r, 0.58, 0.85), 0.8, 3)
	}
	a := c.assess(0)
	var over []int
	for _, sk := range a.over() {
		if sk[0] == sp {
			over = append(over, sk[1])
		}
	}
	if len(over) < 2 || !(a.cv[sp][kArea] > limit[sp] || a.cv[sp][kSports] > limit[sp]) {
		return false
	}
	for _, k := range over {
		c.note.addCV(sp, k)
	}
	return true
}

// rounding puts the primary backbone CV just above 0.50, below 0.505. The
// first draws aim at 0.502509 (to six decimals), so the figure the reports
// and their tests quote stays put when the rest of the province is drawn
// anew; later draws take any CV in (0.5006, 0.5044).
func (c *county) rounding() bool {
	fav := c.favoured(sp, 0.3, func(p part) bool {
		return (p.s.role == roleSeat && p.s.own == public || p.s.role == roleCentral && p.s.loc == town) && oneStage(p)
	})
	if len(fav) == 0 {
		return false
	}
	c.thinOut(sp, kBackbone, fav)
	c.spread(sp, kBackbone, fav, 0.5025, 1, 8)
	all := func(part) bool { return true }
	if c.attempt < 20 && !c.pin(sp, kBackbone, 0.5025085, 0.5025095, all) ||
		c.attempt >= 20 && !c.nudge(sp, kBackbone, 0.5006, 0.5044, all) {
		return false
	}
	c.note.addCV(sp, kBackbone)
	return true
}

// dataGap leaves one facility figure of one school unreported.
func (c *county) dataGap() bool {
	r := c.r
	k, keep := kSports, func(p part) bool { return p.s.role == roleVillage }
	if r.IntN(2) == 0 {
		k, keep = kEquip, func(p part) bool { return p.s.own == private && oneStage(p) }
	}
	p, ok := c.pick(sp, keep)
	if !ok {
		return false
	}
	p.restoreAll()
	p.s.gaps = append(p.s.gaps, facilityField[k-kArea])
	c.note.addPart(p, k)
	return true
}

// weakTeachingPoint gives a 教学点 under 50 students no PE or art teacher.
func (c *county) weakTeachingPoint() bool {
	p, ok := c.pick(sp, func(p part) bool { return p.s.typ == census.TeachingPoint && p.students() < 50 })
	if !ok {
		return false
	}
	p.restoreAll()
	p.setRaw(kPEArt, 0)
	c.note.addPart(p, kPEArt)
	return true
}

// accept checks the measured county against its story.
func (c *county) accept() bool {
	a := c.assess(0)
	if c.kind != KindRounding && !a.clear() {
		return false
	}
	over := a.over()
	n := &c.note
	switch c.kind {
	case KindPass:
		return a.failingParts() == 0 && len(over) == 0
	case KindWeakSchool:
		return a.failingParts() == 1 && len(over) == 0
	case KindHighCV:
		return a.failingParts() == 0 && len(over) == 1
	case KindSmallSchools:
		return a.failingParts() == 0 && len(over) == len(n.cvs)
	case KindRounding:
		v := a.cv[sp][kBackbone]
		return a.failingParts() == 0 && len(over) == 1 && v > 0.5005 && v < 0.5045
	case KindDataGap:
		return a.failingParts() == 1 && len(over) == 0
	case KindTeachingPoint:
		h := c.assess(50)
		return a.failingParts() == 1 && len(over) == 0 && h.failingParts() == 0 && len(h.over()) == 0 && h.clear()
	case KindMixed:
		return a.failingParts() == 1 && len(over) == 1
	}
	return false
}

// plan is what a county's story is about, gathered while it is told.
type plan struct {
	parts []planPart
	cvs   [][2]int
}

type planPart struct {
	p  part
	ks []int
}

func (n *plan) addPart(p part, ks ...int) { n.parts = append(n.parts, planPart{p, ks}) }
func (n *plan) addCV(st, k int)           { n.cvs = append(n.cvs, [2]int{st, k}) }

func (n *plan) has(s *school) bool {
	for _, pp := range n.parts {
		if pp.p.s == s {
			return true
		}
	}
	return false
}

// indicatorZH returns the Chinese name of indicator k.
func indicatorZH(k int) string { return rules.Indicator(indIDs[k]).ZH }

// format writes indicator k's value of a part with its unit.
func format(k int, v float64) string {
	u := rules.Indicator(indIDs[k]).Unit
	if k == kEquip {
		return fmt.Sprintf("%.0f%s", v, u)
	}
	return fmt.Sprintf("%.2f%s", v, u)
}

// story writes the county's note from the measured figures.
func (c *county) story() CountyNote {
	a := c.assess(0)
	n := CountyNote{Code: c.code, Name: c.name, Kind: c.kind}
	var parts []string
	for _, pp := range c.note.parts {
		p := pp.p
		n.Schools = append(n.Schools, p.s.code)
		n.Stage = stageOf[p.st]
		var shorts []string
		for _, k := range pp.ks {
			n.Indicators = append(n.Indicators, indIDs[k])
			if p.missing(k) {
				shorts = append(shorts, "未填报"+strings.TrimPrefix(indicatorZH(k), "生均")+"原始数据")
				continue
			}
			shorts = append(shorts, fmt.Sprintf("%s为%s，是标准的%.0f%%", indicatorZH(k), format(k, p.val(k)), 100*p.ratio(k)))
		}
		what := fmt.Sprintf("%s（%s，在校生%.0f人）%s", p.s.name, p.s.loc, p.students(), strings.Join(shorts, "；"))
		switch {
		case len(pp.ks) == 2 && p.s.big:
			what += fmt.Sprintf("：两项未达标，7项中只有5项达标。该校学生超过%.0f人的规模上限，校舍和场地挤不下，优质均衡的“学校规模”一项也不达标",
				sizeLimit(p.s.typ))
		case len(pp.ks) == 2:
			what += "：两项未达标，7项中只有5项达标"
		case p.missing(pp.ks[0]):
			what += "：数据不完整，全县无法认定"
		case c.kind == KindTeachingPoint:
			what += "，低于85%。按国家标准该点不达标；河北、辽宁方案不计不足50人的教学点，全县即可通过"
		default:
			what += "，低于85%，一校不达标"
		}
		parts = append(parts, what)
	}
	for _, sk := range c.note.cvs {
		st, k := sk[0], sk[1]
		n.Stage = stageOf[st]
		n.Indicators = append(n.Indicators, indIDs[k])
		v := a.cv[st][k]
		var why string
		switch {
		case c.kind == KindRounding:
			why = fmt.Sprintf("%s%s差异系数为%.4f，不舍入比较超过%.2f，不达标；保留两位小数为%.2f则达标（舍入会改变结论）",
				stageOf[st].ZH(), indicatorZH(k), v, limit[st], math.Round(v*100)/100)
		case c.kind == KindSmallSchools:
			why = fmt.Sprintf("%s%s差异系数%.3f（上限%.2f）", stageOf[st].ZH(), indicatorZH(k), v, limit[st])
		case k == kEquip:
			why = fmt.Sprintf("%s%s差异系数%.3f，超过%.2f：县城几所学校新建智慧教室，设备值远高于其他学校", stageOf[st].ZH(), indicatorZH(k), v, limit[st])
		default:
			why = fmt.Sprintf("%s%s差异系数%.3f，超过%.2f：骨干教师集中在少数学校", stageOf[st].ZH(), indicatorZH(k), v, limit[st])
		}
		parts = append(parts, why)
	}
	switch c.kind {
	case KindPass:
		hi, hk, hs := 0.0, 0, 0
		for st := sp; st <= sj; st++ {
			for k := range nInd {
				if v := a.cv[st][k] / limit[st]; v > hi {
					hi, hk, hs = v, k, st
				}
			}
		}
		n.Story = fmt.Sprintf("资源配置通过：所有学校达到“至少6项达标、其余不低于85%%”，14项差异系数均在上限以内（最接近上限的是%s%s，%.3f）。",
			stageOf[hs].ZH(), indicatorZH(hk), a.cv[hs][hk])
		n.Stage, n.Indicators = "", nil
	case KindSmallSchools:
		var v, tp int
		for _, s := range c.schools {
			if c.present(s) && s.role == roleVillage {
				v++
			} else if c.present(s) && s.role == roleTP {
				tp++
			}
		}
		n.Story = fmt.Sprintf("乡村小规模学校多（村小%d所、教学点%d个），生均校舍和场地差距大，%s，均超过上限。", v, tp, strings.Join(parts, "、"))
	default:
		n.Story = strings.Join(parts, "；另外，") + "。"
	}
	return n
}
