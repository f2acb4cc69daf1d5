package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Stage indices into the per-stage arrays of school.
const (
	sp = iota // 小学
	sj        // 初中
	ss        // 高中, only for splitting shared totals
)

var stageOf = [3]census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior}

// Indicator indices, in the order of yzjh2017. The first three count
// teachers per stage; the last four are facilities reported for the whole
// school (f index = k − kArea).
const (
	kQualified = iota
	kBackbone
	kPEArt
	kArea
	kSports
	kEquip
	kRooms
	nInd
)

var indIDs = [nInd]string{
	"qualified_teachers", "backbone_teachers", "pe_art_teachers",
	"teaching_area", "sports_area", "equipment_value", "multimedia_rooms",
}

// rules are the national yzjh2017 rules: the demo aims its figures at their
// thresholds and limits, so a change in the standard's data moves the demo with it.
// They are read on the first use of the demo (setup), not when the program
// starts: the standards are decoded in the background then, and every
// command, the demo's or not, would wait for them here.
var rules *standards.Rules

// setup reads rules and the figures below from the standards, once; every
// exported function of the package calls it first.
var setup = sync.OnceFunc(func() { rules = mustRules() })

// Thresholds, scales and limits read from rules, indexed [k][stage].
var (
	th    [nInd][2]float64
	scale [nInd]float64
	limit [2]float64
	floor float64
	// sizeLimits are the school-size limits of item school_size, by type.
	sizeLimits map[census.SchoolType]float64
)

func mustRules() *standards.Rules {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		panic("demo: " + err.Error())
	}
	for k, id := range indIDs {
		ind := r.Indicator(id)
		if ind == nil {
			panic("demo: yzjh2017 has no indicator " + id)
		}
		scale[k] = ind.Scale
		for st := sp; st <= sj; st++ {
			th[k][st] = ind.Thresholds[stageOf[st]]
		}
	}
	for st := sp; st <= sj; st++ {
		limit[st] = r.Balance.Limits[stageOf[st]]
	}
	floor = r.SchoolRule.Floor
	size := r.Item("school_size")
	if size == nil || len(size.Checks) != 1 || len(size.Checks[0].TypeLimits) == 0 {
		panic("demo: yzjh2017 has no school_size limits")
	}
	sizeLimits = size.Checks[0].TypeLimits
	return r
}

// sizeLimit is the most compulsory-stage students a school of type t may
// have under item school_size; 0 for a type the item does not limit.
func sizeLimit(t census.SchoolType) float64 { return sizeLimits[t] }

// How a mixed school reports its facilities.
type mode int

const (
	modeWhole  mode = iota // whole-school totals only: the engine splits them
	modeParts              // per-part figures for each compulsory part
	modeJunior             // nine-year school giving its junior part only: primary by difference
)

// role is what a school is in its county, which decides its size and figures.
type role int

const (
	roleSeat    role = iota // a public school in the county seat
	roleCentral             // a town's central school
	roleSecond              // a town's second primary school
	roleVillage             // a village primary school
	roleTP                  // a 教学点
	rolePrivate             // a 民办 school
	roleSpecial             // the special-education school
)

// school is one school's figures for the latest year, and how they drift
// back to earlier years. Figures are kept exactly as the census reports
// them (whole people, whole ㎡, hundreds of 元), so what the generator
// measures is what the engine will compute.
type school struct {
	code, name string
	typ        census.SchoolType
	own, loc   string
	role       role
	big        bool // above the school-size limit on purpose (a story)
	first      int  // first year in the census
	last       int  // last year in the census (closed 教学点 end early)

	stu  [3]float64
	cls  [2]float64
	over [2]float64
	tch  [2]float64
	t    [3][2]float64 // teacher indicators: qualified, backbone, PE/art, per stage
	f    [4][3]float64 // facilities attributed to each stage: area, sports, equipment, rooms
	mode mode
	gym  float64
	// music and art rooms of standard size; certified teachers
	music, art, cert float64
	// gaps are fields not reported in the latest year.
	gaps []census.Field

	// Drift back to earlier years, per year.
	grow     [3]float64 // enrolment growth
	hire     [2]float64 // teachers hired
	promo    float64    // teachers newly qualified or named backbone
	equip    float64    // equipment bought
	rooms    float64    // multimedia rooms added
	built    int        // year a new building opened (0: none), raising the areas
	preBuilt float64    // area factor before it
}

// The stage sets of the school types, shared: callers must not change them.
var (
	stagesP   = []int{sp}
	stagesJ   = []int{sj}
	stagesJS  = []int{sj, ss}
	stagesPJ  = []int{sp, sj}
	stagesPJS = []int{sp, sj, ss}
)

// stages reports which stages (sp, sj, ss) the school has.
func (s *school) stages() []int {
	switch s.typ {
	case census.Primary, census.TeachingPoint:
		return stagesP
	case census.Junior:
		return stagesJ
	case census.CompleteSecondary:
		return stagesJS
	case census.NineYear, census.Special:
		return stagesPJ
	case census.TwelveYear:
		return stagesPJS
	}
	return nil
}

// compulsory reports whether the school has a compulsory part in stage st.
func (s *school) compulsory(st int) bool {
	for _, x := range s.stages() {
		if x == st && st != ss {
			return true
		}
	}
	return false
}

// weight is the split weight of one student of stage st (1 for one-stage schools).
func (s *school) weight(st int) float64 {
	w := rules.Settings.SplitWeights.For(s.typ)
	if w == nil {
		return 1
	}
	return w[stageOf[st]]
}

// share is stage st's share of a whole-school total under the split rule.
func (s *school) share(st int) float64 {
	var tot float64
	for _, x := range s.stages() {
		tot += s.weight(x) * s.stu[x]
	}
	if tot == 0 {
		return 0
	}
	return s.weight(st) * s.stu[st] / tot
}

// mixed reports whether the school has two compulsory parts, so that a
// whole-school total ties them together.
func (s *school) mixed() bool { return s.typ == census.NineYear || s.typ == census.TwelveYear }

// roundFac rounds a facility figure the way the census reports it.
func roundFac(j int, x float64) float64 {
	if j == kEquip-kArea {
		return math.Round(x/100) * 100
	}
	return math.Round(x)
}

// whole returns the whole-school total of facility j.
func (s *school) whole(j int) float64 {
	var w float64
	for _, st := range s.stages() {
		w += s.f[j][st]
	}
	return roundFac(j, w)
}

// setWhole sets facility j from a whole-school total, split by the rule.
func (s *school) setWhole(j int, whole float64) {
	whole = roundFac(j, whole)
	for _, st := range s.stages() {
		s.f[j][st] = whole * s.share(st)
	}
}

// teachers returns the school's full-time teachers of the compulsory stages.
func (s *school) teachers() float64 { return s.tch[sp] + s.tch[sj] }

// fixTeachers keeps the teacher counts consistent: no category larger than
// the stage's teachers.
func (s *school) fixTeachers() {
	for _, st := range s.stages() {
		if st == ss {
			continue
		}
		for k := range 3 {
			if s.t[k][st] > s.tch[st] {
				s.tch[st] = s.t[k][st]
			}
		}
	}
	if s.cert > s.teachers() {
		s.cert = s.teachers()
	}
}

// part is one compulsory stage of one school.
type part struct {
	s  *school
	st int
}

func (p part) students() float64 { return p.s.stu[p.st] }

// raw is the numerator of indicator k for the part, as the engine attributes it.
func (p part) raw(k int) float64 {
	if k < kArea {
		return p.s.t[k][p.st]
	}
	return p.s.f[k-kArea][p.st]
}

func (p part) val(k int) float64 { return p.raw(k) / p.students() * scale[k] }

func (p part) ratio(k int) float64 { return p.val(k) / th[k][p.st] }

// movable reports whether indicator k of the part can change without
// changing another part: a whole-school total shared by two compulsory
// parts cannot.
func (p part) movable(k int) bool {
	return k < kArea || p.s.mode != modeWhole || !p.s.mixed()
}

// unit is the smallest step of indicator k's raw figure.
func unit(k int) float64 {
	if k == kEquip {
		return 100
	}
	return 1
}

// setRaw sets the raw figure of indicator k; for a shared total it sets the
// whole school's total so that this part gets x (moving the other part
// along). Teacher counts stay within the stage's teachers.
func (p part) setRaw(k int, x float64) {
	s := p.s
	if x < 0 {
		x = 0
	}
	if k < kArea {
		s.t[k][p.st] = math.Round(x)
		s.fixTeachers()
		return
	}
	j := k - kArea
	if s.mode == modeWhole {
		sh := s.share(p.st)
		s.setWhole(j, x/sh)
		return
	}
	s.f[j][p.st] = roundFac(j, x)
}

// setVal sets indicator k to about value v.
func (p part) setVal(k int, v float64) { p.setRaw(k, v*p.students()/scale[k]) }

// meet raises indicator k to at least ratio × threshold, in whole units.
func (p part) meet(k int, ratio float64) {
	want := ratio * th[k][p.st]
	if p.val(k) >= want {
		return
	}
	p.setVal(k, want)
	for i := 0; p.val(k) < want && i < 1000; i++ {
		p.setRaw(k, p.raw(k)+unit(k))
	}
}

// emit writes the school's record for year y (≤ the latest year).
func (s *school) emit(countyCode, countyName string, y, latest int) census.School {
	d := float64(latest - y)
	rec := census.NewSchool()
	rec.Year, rec.CountyCode, rec.CountyName = y, countyCode, countyName
	rec.Code, rec.Name, rec.Type, rec.Ownership, rec.Location = s.code, s.name, s.typ, s.own, s.loc

	var stu [3]float64
	for _, st := range s.stages() {
		stu[st] = math.Max(1, math.Round(s.stu[st]/math.Pow(1+s.grow[st], d)))
	}
	studentF := [3]census.Field{census.StudentsPrimary, census.StudentsJunior, census.StudentsSenior}
	type stageFields struct{ cls, over, tch, q, b, pe census.Field }
	fields := [2]stageFields{
		{census.ClassesPrimary, census.OversizeClassesPrimary, census.TeachersPrimary, census.QualifiedTeachersPrimary, census.BackboneTeachersPrimary, census.PEArtTeachersPrimary},
		{census.ClassesJunior, census.OversizeClassesJunior, census.TeachersJunior, census.QualifiedTeachersJunior, census.BackboneTeachersJunior, census.PEArtTeachersJunior},
	}
	var teachers float64
	for _, st := range s.stages() {
		rec.Set(studentF[st], stu[st])
		if st == ss {
			continue
		}
		f := fields[st]
		ratio := stu[st] / s.stu[st]
		cls := s.cls[st]
		if d > 0 {
			cls = math.Max(1, math.Round(s.cls[st]*ratio))
		}
		rec.Set(f.cls, cls)
		rec.Set(f.over, math.Min(cls, math.Round(s.over[st]*cls/s.cls[st])))
		tch := math.Max(1, math.Round(s.tch[st]/math.Pow(1+s.hire[st], d)))
		rec.Set(f.tch, tch)
		less := math.Pow(1+s.promo, -d)
		rec.Set(f.q, math.Min(tch, math.Round(s.t[kQualified][st]*math.Pow(1+s.promo/3, -d))))
		rec.Set(f.b, math.Min(tch, math.Round(s.t[kBackbone][st]*less)))
		rec.Set(f.pe, math.Min(tch, math.Round(s.t[kPEArt][st]*less)))
		teachers += tch
	}
	rec.Set(census.CertifiedTeachers, math.Min(teachers, math.Round(s.cert*teachers/math.Max(1, s.teachers()))))

	// Facilities: areas change only with a new building; equipment and
	// rooms grow a little every year.
	factor := [4]float64{1, 1, math.Pow(1+s.equip, -d), math.Pow(1+s.rooms, -d)}
	if s.built > y {
		factor[0], factor[1] = s.preBuilt, s.preBuilt
	}
	wholeF := [4]census.Field{census.TeachingArea, census.SportsArea, census.EquipmentValue, census.MultimediaRooms}
	partF := [4][2]census.Field{
		{census.TeachingAreaPrimary, census.TeachingAreaJunior},
		{census.SportsAreaPrimary, census.SportsAreaJunior},
		{census.EquipmentValuePrimary, census.EquipmentValueJunior},
		{census.MultimediaRoomsPrimary, census.MultimediaRoomsJunior},
	}
	for j := range 4 {
		var whole float64
		if s.mode == modeWhole {
			whole = roundFac(j, s.whole(j)*factor[j])
		} else {
			for _, st := range s.stages() {
				v := roundFac(j, s.f[j][st]*factor[j])
				whole += v
				if st == ss || (s.mode == modeJunior && st == sp) {
					continue
				}
				rec.Set(partF[j][st], v)
			}
		}
		rec.Set(wholeF[j], whole)
	}
	rec.Set(census.IndoorGymArea, s.gym)
	if s.built > y && s.gym > 0 && s.role != roleSpecial {
		rec.Set(census.IndoorGymArea, 0)
	}
	rec.Set(census.MusicRoomsStandard, s.music)
	rec.Set(census.ArtRoomsStandard, s.art)
	if y == latest {
		for _, f := range s.gaps {
			rec.Set(f, math.NaN())
		}
	}
	return rec
}

// Small helpers for drawing numbers.

// uni returns a uniform number in [a, b).
func uni(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// tri returns a number in [a, b) peaked in the middle (the mean of two uniforms).
func tri(r *rand.Rand, a, b float64) float64 { return a + (b-a)*(r.Float64()+r.Float64())/2 }

// irange returns an integer in [a, b].
func irange(r *rand.Rand, a, b int) int { return a + r.IntN(b-a+1) }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func schoolCode(county string, serial int) string { return fmt.Sprintf("1%s%03d", county, serial) }
