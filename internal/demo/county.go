package demo

import (
	"math"
	"math/rand/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// Ownership and location as the statistics write them.
const (
	public  = "公办"
	private = "民办"
	urban   = "城区"
	town    = "镇区"
	rural   = "乡村"
)

// county is one county being generated: its schools and its story.
type county struct {
	code, name string
	kind       Kind
	district   bool // a 市辖区: mostly county-seat schools
	latest     int
	first      int
	r          *rand.Rand
	attempt    int // how many draws of the county came before this one
	schools    []*school

	wealth float64 // equipment spending relative to the province
	staff  float64 // teachers relative to the province
	gamma  float64 // how much larger small schools' per-student figures are
	pace   float64 // how fast the county changed in the last years (1 typical)
	note   plan    // what the story is about

	// whole is the county's story under the whole standard; crowded marks a
	// weak-school county whose weak school is an overcrowded 城区 primary.
	// Both decide which schools are drawn above the school-size limit (big).
	whole   WholeKind
	crowded bool
}

var seatPrivates = []struct {
	name string
	typ  census.SchoolType
}{
	{"育才学校", census.NineYear},
	{"博雅小学", census.Primary},
	{"启明中学", census.Junior},
	{"英才学校", census.NineYear},
	{"外国语学校", census.TwelveYear},
	{"新星小学", census.Primary},
	{"文华中学", census.Junior},
}

var townPrivates = []string{"育英小学", "明德小学", "启智小学", "春蕾小学", "阳光小学"}

// build lays out the county's schools and draws their latest-year figures.
func (c *county) build() {
	r := c.r
	small := c.kind == KindSmallSchools
	c.wealth = uni(r, 0.95, 1.25)
	c.staff = uni(r, 0.97, 1.08)
	c.gamma = 0.25
	c.pace = 1
	if chance(r, 0.35) {
		c.pace = 0.1
	}
	if small {
		c.gamma = 0.5
	}
	serial := 0
	add := func(name string, t census.SchoolType, loc, own string, ro role) *school {
		serial++
		s := &school{
			code: schoolCode(c.code, serial), name: name, typ: t, loc: loc, own: own, role: ro,
			first: c.first, last: c.latest,
		}
		c.schools = append(c.schools, s)
		return s
	}

	// The county seat: large public schools, the special school and most
	// private ones. Each school stays within the size limit of yzjh2017
	// (2 000, 一贯制 2 500), so the seat has more schools than it would
	// with the 3 000-pupil schools many counties still run; only a county
	// whose story is an oversize school keeps one or two (big).
	seat := c.name
	nPrim := irange(r, 4, 8)
	if c.district {
		nPrim = irange(r, 10, 15)
	}
	crowded := 0 // the overcrowded 第N小学 of a weak-school county
	if c.crowded && c.kind == KindWeakSchool {
		crowded = irange(r, 1, nPrim)
	}
	exp := add(seat+"实验小学", census.Primary, urban, public, roleSeat)
	exp.big = c.whole == WholeKindSchoolSize
	for i := 1; i <= nPrim; i++ {
		s := add(seat+"第"+ordinalZH(i)+"小学", census.Primary, urban, public, roleSeat)
		s.big = i == crowded
	}
	if chance(r, 0.2) {
		// A school that opened last year: not in the earliest census.
		s := add(seat+"第"+ordinalZH(nPrim+1)+"小学", census.Primary, urban, public, roleSeat)
		s.first = c.latest - 1
	}
	add(seat+"第一中学", census.CompleteSecondary, urban, public, roleSeat)
	next := 2
	if chance(r, 0.6) {
		add(seat+"第二中学", census.CompleteSecondary, urban, public, roleSeat)
		next = 3
	}
	nJun := irange(r, 1, 2)
	if c.district {
		nJun = irange(r, 2, 5)
	}
	for i := range nJun {
		add(seat+"第"+ordinalZH(next+i)+"中学", census.Junior, urban, public, roleSeat)
	}
	nine := add(seat+"实验学校", census.NineYear, urban, public, roleSeat)
	nine.big = c.whole == WholeKindSchoolSize && chance(r, 0.5)
	add(seat+"特殊教育学校", census.Special, urban, public, roleSpecial)
	nPriv := irange(r, 3, 5)
	if c.district {
		nPriv = irange(r, 4, 6)
	}
	for _, i := range r.Perm(len(seatPrivates))[:nPriv] {
		p := seatPrivates[i]
		add(seat+p.name, p.typ, urban, private, rolePrivate)
	}

	// The towns (镇) and townships (乡), each with its villages.
	nTown := irange(r, 10, 15)
	switch {
	case c.district:
		nTown = irange(r, 2, 4)
	case small:
		nTown = irange(r, 13, 16)
	}
	towns := newNamer(r)
	for range nTown {
		tn := towns.pair(townFirst, townSecond)
		var name string
		if c.district || chance(r, 0.7) {
			name = tn + "镇"
			add(name+"中心小学", census.Primary, town, public, roleCentral)
			if chance(r, 0.2) {
				add(name+"第二小学", census.Primary, town, public, roleSecond)
			}
			if chance(r, 0.8) {
				add(name+"中学", census.Junior, town, public, roleCentral)
			} else {
				add(name+"九年一贯制学校", census.NineYear, town, public, roleCentral)
			}
			if chance(r, 0.6) {
				add(name+townPrivates[r.IntN(len(townPrivates))], census.Primary, town, private, rolePrivate)
			}
		} else {
			name = tn + "乡"
			if chance(r, 0.5) {
				add(name+"中心小学", census.Primary, rural, public, roleCentral)
				add(name+"中学", census.Junior, rural, public, roleCentral)
			} else {
				add(name+"九年一贯制学校", census.NineYear, rural, public, roleCentral)
			}
		}
		villages := newNamer(r)
		// Most towns keep no 教学点; some keep one or two in remote villages.
		nV, nT := irange(r, 2, 5), [10]int{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}[r.IntN(10)]
		switch {
		case c.district:
			nV, nT = irange(r, 0, 2), r.IntN(10)/8
		case small:
			nV, nT = irange(r, 4, 7), irange(r, 1, 2)
		}
		for range nV {
			add(name+villages.village()+"村小学", census.Primary, rural, public, roleVillage)
		}
		for range nT {
			add(name+villages.village()+"村教学点", census.TeachingPoint, rural, public, roleTP)
		}
		if !c.district && chance(r, 0.08) {
			// A 教学点 merged into its central school since.
			s := add(name+villages.village()+"村教学点", census.TeachingPoint, rural, public, roleTP)
			s.last = c.latest - irange(r, 1, 2)
		}
	}
	for _, s := range c.schools {
		c.draw(s)
	}
}

// draw draws one school's latest-year figures.
func (c *county) draw(s *school) {
	r := c.r
	stu := &s.stu
	lim := sizeLimit(s.typ)
	switch s.typ {
	case census.Primary:
		switch {
		case s.role == rolePrivate && s.loc == urban:
			stu[sp] = tri(r, 400, 1500)
		case s.role == rolePrivate:
			stu[sp] = tri(r, 200, 700)
		case s.loc == urban && s.big:
			stu[sp] = tri(r, 1.04*lim, 1.45*lim)
		case s.loc == urban:
			stu[sp] = tri(r, 0.65*lim, 0.99*lim)
		case s.role == roleSecond:
			stu[sp] = tri(r, 300, 900)
		case s.role == roleCentral && s.loc == town:
			stu[sp] = tri(r, 500, 1400)
		case s.role == roleCentral:
			stu[sp] = tri(r, 200, 600)
		case c.kind == KindSmallSchools:
			u := r.Float64()
			stu[sp] = 15 + 185*u*u
		default:
			u := r.Float64()
			stu[sp] = 40 + 310*u*u
		}
	case census.TeachingPoint:
		stu[sp] = 5 + 55*math.Pow(r.Float64(), 1.2)
	case census.Junior:
		switch {
		case s.role == rolePrivate:
			stu[sj] = tri(r, 500, 1500)
		case s.loc == urban:
			stu[sj] = tri(r, 0.55*lim, 0.975*lim)
		case s.loc == town:
			stu[sj] = tri(r, 400, 1200)
		default:
			stu[sj] = tri(r, 150, 500)
		}
	case census.CompleteSecondary:
		stu[sj], stu[ss] = tri(r, 900, 2000), tri(r, 1500, 3000)
	case census.NineYear:
		switch {
		case s.role == rolePrivate:
			stu[sp], stu[sj] = tri(r, 600, 1400), tri(r, 400, 900)
		case s.loc == urban && s.big:
			stu[sp], stu[sj] = tri(r, 0.7*lim, 0.82*lim), tri(r, 0.34*lim, 0.42*lim)
		case s.loc == urban:
			stu[sp], stu[sj] = tri(r, 0.4*lim, 0.64*lim), tri(r, 0.2*lim, 0.34*lim)
		case s.loc == town:
			stu[sp], stu[sj] = tri(r, 300, 800), tri(r, 200, 500)
		default:
			stu[sp], stu[sj] = tri(r, 100, 400), tri(r, 60, 250)
		}
	case census.TwelveYear:
		stu[sp], stu[sj], stu[ss] = tri(r, 500, 1100), tri(r, 400, 800), tri(r, 300, 900)
	case census.Special:
		stu[sp], stu[sj] = tri(r, 40, 120), tri(r, 20, 70)
	}
	for i := range stu {
		stu[i] = math.Round(stu[i])
	}
	c.drawTeaching(s)
	c.drawFacilities(s)
	c.drawDrift(s)
}

// drawTeaching draws classes and teachers.
func (c *county) drawTeaching(s *school) {
	r := c.r
	for _, st := range s.stages() {
		if st == ss {
			continue
		}
		n := s.stu[st]
		var cls, tch float64
		switch {
		case s.typ == census.Special:
			cls = math.Ceil(n / uni(r, 7, 10))
			tch = math.Ceil(n / uni(r, 3, 4.5))
		case s.typ == census.TeachingPoint:
			cls = math.Min(3, math.Ceil(n/15))
			tch = cls + float64(r.IntN(2))
		case st == sp && s.role == roleVillage:
			if n >= 72 {
				cls = math.Max(6, math.Ceil(n/uni(r, 25, 40)))
			} else {
				cls = math.Max(1, math.Ceil(n/12)) // 复式班
			}
			tch = math.Max(math.Ceil(cls*uni(r, 1.3, 1.7)), math.Ceil(n/14))
		case st == sp:
			size, per := 44.0, 19.0
			switch {
			case s.loc == urban && s.own == private:
				size, per = uni(r, 38, 45), uni(r, 19, 23)
			case s.loc == urban:
				size, per = uni(r, 41, 47), uni(r, 17.5, 20.5)
			case s.loc == town:
				size, per = uni(r, 36, 44), uni(r, 15, 18.5)
			default:
				size, per = uni(r, 30, 40), uni(r, 13, 16)
			}
			cls = math.Max(6, math.Ceil(n/size))
			tch = math.Ceil(n / per)
		default:
			size, per := 48.0, 12.0
			switch {
			case s.own == private:
				size, per = uni(r, 42, 50), uni(r, 13, 16)
			case s.loc == urban:
				size, per = uni(r, 46, 53), uni(r, 11.5, 13.5)
			case s.loc == town:
				size, per = uni(r, 42, 50), uni(r, 10, 12.5)
			default:
				size, per = uni(r, 35, 46), uni(r, 8.5, 10)
			}
			cls = math.Max(3, math.Ceil(n/size))
			tch = math.Ceil(n / per)
		}
		tch = math.Max(1, math.Ceil(tch*c.staff))
		s.cls[st], s.tch[st] = cls, tch
		// Over-size classes: schools whose mean class is near the limit have some.
		lim := 45.0
		if st == sj {
			lim = 50
		}
		if avg := n / cls; avg > lim-3 && s.typ != census.Special {
			s.over[st] = math.Round(cls * math.Min(1, (avg-lim+3)/6) * uni(r, 0.5, 1))
		}
		// Shares of qualified, backbone and PE/art teachers by location.
		var q, b, pe [2]float64
		switch s.loc {
		case urban:
			q, b, pe = [2]float64{0.96, 1}, [2]float64{0.2, 0.3}, [2]float64{0.15, 0.2}
		case town:
			q, b, pe = [2]float64{0.9, 0.99}, [2]float64{0.14, 0.24}, [2]float64{0.12, 0.18}
		default:
			q, b, pe = [2]float64{0.82, 0.97}, [2]float64{0.08, 0.18}, [2]float64{0.08, 0.15}
		}
		if st == sj {
			q = [2]float64{q[0] - 0.1, q[1] - 0.05}
		}
		if s.own == private {
			b = [2]float64{b[0] * 0.5, b[1] * 0.6}
		}
		s.t[kQualified][st] = math.Round(tch * uni(r, q[0], q[1]))
		s.t[kBackbone][st] = math.Round(tch * uni(r, b[0], b[1]))
		s.t[kPEArt][st] = math.Round(tch * uni(r, pe[0], pe[1]))
	}
	s.cert = s.teachers()
	if s.own == private {
		s.cert -= float64(irange(c.r, 0, 4))
	} else if chance(r, 0.15) {
		s.cert--
	}
	s.fixTeachers()
	s.cert = math.Max(0, s.cert)
}

// drawFacilities draws the four facility totals, the gym and the music and art rooms.
func (c *county) drawFacilities(s *school) {
	r := c.r
	var total float64
	for _, st := range s.stages() {
		if st != ss {
			total += s.stu[st]
		}
	}
	if s.typ == census.Special {
		s.setWhole(0, total*uni(r, 15, 30))
		s.setWhole(1, total*uni(r, 10, 25))
		s.setWhole(2, total*uni(r, 5000, 12000))
		s.setWhole(3, s.cls[sp]+s.cls[sj]+2)
		s.music, s.art = 1, 1
		return
	}
	// How much more a small school has per student: rooms and grounds are
	// built for more pupils than remain.
	boost := math.Min(3, math.Max(1, math.Pow(200/total, c.gamma)))
	var area, sports float64
	switch {
	case s.role == roleTP:
		area, sports = uni(r, 1.2, 2.0)*boost, uni(r, 0.9, 1.8)*boost
	case s.role == roleVillage:
		area, sports = uni(r, 1.2, 1.7)*boost, uni(r, 1.3, 2.0)*boost
	case s.loc == rural:
		area, sports = uni(r, 1.2, 1.8), uni(r, 1.3, 2.0)
	case s.loc == town:
		area, sports = uni(r, 1.1, 1.6), uni(r, 1.2, 1.9)
	case total > 2500 || s.big:
		area, sports = uni(r, 0.95, 1.2), uni(r, 0.9, 1.2)
	default:
		area, sports = uni(r, 1.0, 1.35), uni(r, 0.95, 1.35)
	}
	equip := uni(r, 1.05, 1.5) * c.wealth
	if s.loc == rural {
		equip *= math.Sqrt(boost)
	}
	factor := [3]float64{area, sports, equip}
	if chance(r, 0.45) && s.typ != census.TeachingPoint && (s.mixed() || s.typ == census.CompleteSecondary) {
		s.mode = modeParts
		if s.typ == census.NineYear && chance(r, 0.35) {
			s.mode = modeJunior
		}
	}
	for j := range 3 {
		k := kArea + j
		// Per weighted student, enough for every compulsory part at factor 1.
		var base float64
		for _, st := range s.stages() {
			if st != ss {
				base = math.Max(base, th[k][st]/s.weight(st)/scale[k])
			}
		}
		a := base * factor[j]
		if s.mode == modeWhole {
			var weighted float64
			for _, st := range s.stages() {
				weighted += s.weight(st) * s.stu[st]
			}
			s.setWhole(j, a*weighted)
			continue
		}
		for _, st := range s.stages() {
			s.f[j][st] = roundFac(j, a*s.weight(st)*s.stu[st]*uni(r, 0.92, 1.08))
		}
	}
	// Multimedia rooms: about one per class, and a few more in town.
	extra := [3]int{irange(r, 2, 6), irange(r, 1, 3), irange(r, 0, 1)}
	for _, st := range s.stages() {
		n := math.Ceil(s.stu[ss] / 50)
		if st != ss {
			n = s.cls[st]
		}
		s.f[3][st] = n + float64(extra[locIndex(s.loc)])
	}
	if s.mode == modeWhole {
		s.setWhole(3, s.whole(3))
	}
	// The indoor gym counts in the sports area too.
	if s.loc == urban && chance(r, 0.5) || s.loc == town && chance(r, 0.2) {
		s.gym = math.Round(uni(r, 400, 1500))
		if s.mode == modeWhole {
			s.setWhole(1, s.whole(1)+s.gym)
		} else {
			for _, st := range s.stages() {
				s.f[1][st] += math.Round(s.gym * s.share(st))
			}
		}
	}
	need := math.Max(1, math.Ceil((s.cls[sp]+s.cls[sj])/12))
	switch s.loc {
	case urban:
		s.music = math.Max(1, need-float64(irange(r, 0, 2)))
		s.art = math.Max(1, need-float64(irange(r, 0, 2)))
	case town:
		s.music = math.Max(1, need-float64(irange(r, 0, 1)))
		s.art = math.Max(1, need-float64(irange(r, 0, 1)))
	default:
		s.music, s.art = float64(r.IntN(2)), float64(r.IntN(2))
	}
	if s.typ == census.TeachingPoint {
		s.music, s.art = 0, 0
	}
}

func locIndex(loc string) int {
	switch loc {
	case urban:
		return 0
	case town:
		return 1
	}
	return 2
}

// drawDrift draws how the school changed over the last years, to derive
// the earlier censuses: towns grow, villages empty, teachers are hired,
// equipment is bought.
func (c *county) drawDrift(s *school) {
	r := c.r
	switch {
	case s.first == c.latest-1:
		s.grow = [3]float64{uni(r, 0.15, 0.3), 0, 0}
	case s.loc == urban:
		s.grow = [3]float64{uni(r, 0.01, 0.05), uni(r, 0.02, 0.06), uni(r, -0.02, 0.04)}
	case s.loc == town:
		s.grow = [3]float64{uni(r, -0.02, 0.02), uni(r, -0.01, 0.03), 0}
	case s.role == roleTP:
		s.grow = [3]float64{uni(r, -0.15, -0.05), 0, 0}
	default:
		s.grow = [3]float64{uni(r, -0.07, -0.01), uni(r, -0.05, 0), 0}
	}
	switch s.loc {
	case urban:
		s.hire = [2]float64{uni(r, 0.01, 0.04), uni(r, 0.01, 0.04)}
	case town:
		s.hire = [2]float64{uni(r, 0, 0.03), uni(r, 0, 0.03)}
	default:
		s.hire = [2]float64{uni(r, -0.03, 0.02), uni(r, -0.03, 0.02)}
	}
	// Some schools were brought up to standard recently: new backbone
	// teachers named, PE and art teachers hired, equipment bought.
	if chance(r, 0.3) {
		s.promo = uni(r, 0.03, 0.1)
	}
	s.equip = uni(r, 0, 0.01)
	if chance(r, 0.4) {
		s.equip = uni(r, 0.02, 0.08)
	}
	if chance(r, 0.3) {
		s.rooms = uni(r, 0.02, 0.08)
	}
	// A county that has long met the standard changed little.
	if s.first < c.latest-1 {
		for i := range s.grow {
			s.grow[i] *= c.pace
		}
	}
	s.hire[0] *= c.pace
	s.hire[1] *= c.pace
	s.promo *= c.pace
	s.equip *= c.pace
	s.rooms *= c.pace
	if chance(r, 0.1*c.pace) {
		s.built = c.latest - irange(r, 0, 1)
		s.preBuilt = uni(r, 0.75, 0.9)
	}
}
