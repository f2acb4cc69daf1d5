package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// This file completes the demo province for the whole standards: the school
// columns that 基本均衡 and the per-school items read, one county record per
// county and year, the kindergartens, and judgements of the latest year's
// evidence items, so that the verdicts show a mix of recognised counties,
// counties that fail an item or a veto, and counties still pending.

// WholeKind is the story a demo county tells under the whole 优质均衡
// standard (yzjh2017) in the latest year. A county that passes 资源配置
// (KindPass) tells one of them by design, so each reason shows alone; a
// county that fails it (WholeKindResource) may fail other items too, drawn
// at random, as counties that are not ready often do.
type WholeKind string

// The whole-standard stories.
const (
	// WholeKindRecognised: every item met, every evidence item judged met,
	// no veto, the precondition met: the county is recognised.
	WholeKindRecognised WholeKind = "recognised"
	// WholeKindSchoolSize: one or two county-seat schools (the 实验小学,
	// sometimes the nine-year 实验学校 too) are above the size limit.
	WholeKindSchoolSize WholeKind = "school_size"
	// WholeKindClassSize: a county-seat primary has over-size classes.
	WholeKindClassSize WholeKind = "class_size"
	// WholeKindUnjudged: everything computed is met, but some or all
	// evidence items are not yet judged: pending.
	WholeKindUnjudged WholeKind = "unjudged"
	// WholeKindVeto: key classes found, or social recognition below 85 %.
	WholeKindVeto WholeKind = "veto"
	// WholeKindPrecondition: 基本均衡 recognised only two years earlier.
	WholeKindPrecondition WholeKind = "precondition"
	// WholeKindCountyItem: one county ratio below its threshold: teacher
	// rotation, teachers' pay or junior retention.
	WholeKindCountyItem WholeKind = "county_item"
	// WholeKindEvidence: one evidence item judged not met.
	WholeKindEvidence WholeKind = "evidence"
	// WholeKindSchoolItem: one school fails a per-school item (music and art
	// rooms, training funds) or has an uncertified teacher.
	WholeKindSchoolItem WholeKind = "school_item"
	// WholeKindNoRecord: the latest county record is not imported: the
	// county items await data, pending.
	WholeKindNoRecord WholeKind = "no_record"
	// WholeKindResource: the county fails 资源配置 (its Kind says why), and
	// perhaps more.
	WholeKindResource WholeKind = "resource"
)

// wholeCounts is how many of the counties that pass 资源配置 tell each
// whole-standard story; the rest (16 of 42 with kindCounts) are recognised.
var wholeCounts = []struct {
	kind WholeKind
	n    int
}{
	{WholeKindSchoolSize, 4},
	{WholeKindClassSize, 3},
	{WholeKindUnjudged, 4},
	{WholeKindVeto, 3},
	{WholeKindPrecondition, 2},
	{WholeKindCountyItem, 4},
	{WholeKindEvidence, 3},
	{WholeKindSchoolItem, 2},
	{WholeKindNoRecord, 1},
}

// Whole-standard stories of the latest year (WholeNote.Stories): the items a
// county was made to fail. Those of yzjh2017 are its item ids.
const (
	WholeNone        = ""                      // every computed county item met
	WholeRotation    = "teacher_rotation"      // too few teachers rotated
	WholePay         = "teacher_salary"        // teachers paid less than civil servants
	WholeRetention   = "junior_retention"      // retention below 95 %
	WholeRecognition = "social_recognition"    // social recognition below 85 %: a veto
	WholeNoRecord    = "no_record"             // no county record yet: items await data
	WholeBasicYear   = "basic_balance"         // 基本均衡 recognised only 2 years earlier
	WholeGross       = "gross_enrollment"      // preschool gross enrolment below 85 %
	WholePublic      = "public_share"          // public kindergartens below 50 %
	WholeKgClassSize = "kg_class_size"         // too many over-size kindergarten classes
	WholeKgCert      = "kg_certification"      // uncertified kindergarten teachers
	WholeTraining    = "training_budget_share" // a school spends under 5 % on training
	WholeRooms       = "music_art_rooms"       // a school lacks a music room
	WholeClassSize   = "class_size"            // a school has over-size classes
	WholeCert        = "teacher_certification" // a school has uncertified teachers
	WholeSchoolSize  = "school_size"           // schools above the size limit
)

// WholeNote says what a county's latest year should show under the whole
// standards, and how its evidence items are judged.
type WholeNote struct {
	Code string
	// Kind is the county's story under yzjh2017.
	Kind WholeKind
	// Status is the county's verdict under yzjh2017: met (recognised),
	// not met or pending; Unmet lists the ids of the items not met, in the
	// standard's order.
	Status census.Status
	Unmet  []string
	// Story explains the yzjh2017 verdict in Chinese, with the figures that
	// decide it.
	Story string
	// Schools are the codes of the schools that fail a per-school item
	// (school_size, class_size, music_art_rooms, training_budget_share).
	Schools []string
	// Stories lists the computed items the county was made to fail, those of
	// yzjh2017 first, then the preschool ones.
	Stories []string
	// Judged is how the evidence items of yzjh2017 were judged: "all" met,
	// "one_not_met", "veto", "partial" or "none"; JudgedPreschool likewise
	// for xqpp2020.
	Judged, JudgedPreschool string
}

// assignWhole gives each county its whole-standard story; wholes[i] belongs
// to places[i]. Only counties meant to pass 资源配置 tell one by design.
func assignWhole(r *rand.Rand, places []place, kinds []Kind) []WholeKind {
	wholes := make([]WholeKind, len(places))
	for i, pl := range places {
		switch {
		case pl.city:
		case kinds[i] == KindPass:
			wholes[i] = WholeKindRecognised
		default:
			wholes[i] = WholeKindResource
		}
	}
	order := r.Perm(len(places))
	for _, wc := range wholeCounts {
		n := wc.n
		for _, i := range order {
			if n == 0 {
				break
			}
			if wholes[i] == WholeKindRecognised {
				wholes[i] = wc.kind
				n--
			}
		}
	}
	return wholes
}

// crowdedCounties says which weak-school counties tell their story with an
// overcrowded 城区 primary: every other one in code order, the first
// included (the web demo's county account shows that school).
func crowdedCounties(kinds []Kind) []bool {
	crowded := make([]bool, len(kinds))
	next := true
	for i, k := range kinds {
		if k == KindWeakSchool {
			crowded[i] = next
			next = !next
		}
	}
	return crowded
}

// wholePlan is what the school generator tells whole for one county: its
// story and the codes of the schools drawn above the size limit.
type wholePlan struct {
	kind WholeKind
	big  []string
}

func (c *county) wholePlan() wholePlan {
	w := wholePlan{kind: c.whole}
	if c.kind != KindPass && c.whole != WholeKindResource {
		w.kind = WholeKindResource // a county that could not tell its story
	}
	for _, s := range c.schools {
		if s.big && c.present(s) {
			w.big = append(w.big, s.code)
		}
	}
	return w
}

// kgWords name inclusive and private kindergartens.
var kgWords = []string{"阳光", "蓝天", "童心", "育苗", "启明星", "小天鹅", "金色摇篮", "彩虹", "七色花", "向日葵", "春苗", "贝贝", "小星星", "快乐岛", "蒲公英", "百灵鸟"}

// notMetComments are what inspectors wrote when an item was not met.
var notMetComments = map[string]string{
	"layout_plan":           "学校布局规划未经县政府批复，新城区学位缺口未纳入规划",
	"unified_standards":     "生均公用经费基准定额城乡不统一",
	"staffing_allocation":   "编制核定后三年未调整，部分学校长期缺编",
	"charter_it_management": "5所学校尚未制定章程",
	"it_teaching":           "农村学校多媒体设备使用率偏低",
	"moral_education":       "抽查2所学校德育工作评价为“一般”",
	"curriculum":            "部分乡村学校音乐、美术课未开足",
	"no_excess_burden":      "抽查发现个别学校课后作业量超标",
	"hs_quota_allocation":   "名额分配未向农村初中倾斜",
	"migrant_children":      "留守儿童关爱体系未覆盖全部乡镇",
}

// vetoComment is what inspectors wrote in the counties with key classes.
const vetoComment = "核查发现县城两所初中设有重点班"

var inspectors = []string{"省督学 张敏", "省督学 李强", "省督学 王芳", "督导评估专家组"}

// Ways of judging the evidence items of a county that fails 资源配置, and of
// any county under xqpp2020: most judged, some partly or not yet.
var (
	resourceWays  = []string{"all", "all", "all", "all", "all", "all", "all", "all", "all", "one_not_met", "one_not_met", "one_not_met", "veto", "partial", "partial", "partial", "partial", "none", "none", "none"}
	preschoolWays = []string{"all", "all", "all", "all", "one_not_met", "partial", "none"}
)

// whole completes p for the whole standards; rules are the national ones.
// plans are what the school generator planned for each county.
func (p *Province) whole(seed int64, plans map[string]wholePlan) {
	yz, err1 := standards.Resolve("yzjh2017", "national")
	xq, err2 := standards.Resolve("xqpp2020", "national")
	if err1 != nil || err2 != nil {
		panic(fmt.Sprintf("demo: %v %v", err1, err2))
	}
	byCounty := map[string][]int{} // latest-year schools of each county
	for i := range p.Schools {
		s := &p.Schools[i]
		fillSchool(seed, s)
		if s.Year == LatestYear {
			byCounty[s.CountyCode] = append(byCounty[s.CountyCode], i)
		}
	}
	for _, reg := range p.Regions {
		if reg.Level != census.LevelCounty {
			continue
		}
		r := rand.New(rand.NewPCG(uint64(seed), hash("whole"+reg.Code)))
		plan := plans[reg.Code]
		note := WholeNote{Code: reg.Code, Kind: plan.kind}
		stories, way := plot(r, plan)
		note.Stories = append(stories, drawStories(r, preschoolOdds)...)
		var schools []*census.School
		var primary float64
		for _, i := range byCounty[reg.Code] {
			schools = append(schools, &p.Schools[i])
			primary += p.Schools[i].Students(census.StagePrimary)
		}
		// Each per-school story is told by the county's first primary school
		// (its 实验小学).
		var first *census.School
		for _, s := range schools {
			if s.Type == census.Primary {
				first = s
				break
			}
		}
		for _, st := range note.Stories {
			switch st {
			case WholeTraining:
				first.Set(census.TrainingFunds, math.Round(first.V[census.PublicFunds]*uni(r, 0.025, 0.04)/100)*100)
			case WholeRooms:
				first.Set(census.MusicRoomsStandard, first.V[census.MusicRoomsStandard]-1)
			case WholeClassSize:
				first.Set(census.OversizeClassesPrimary, math.Min(first.V[census.ClassesPrimary], float64(irange(r, 2, 5))))
			case WholeCert:
				first.Set(census.CertifiedTeachers, first.V[census.CertifiedTeachers]-float64(irange(r, 1, 3)))
			}
		}
		resident := math.Round(primary / 2 * uni(r, 0.95, 1.05))
		var latest *census.CountyRecord
		for y := FirstYear; y <= LatestYear; y++ {
			if y == LatestYear && slices.Contains(note.Stories, WholeNoRecord) {
				continue
			}
			p.CountyRecords = append(p.CountyRecords, countyRecord(r, reg, y, resident, note.Stories))
			if y == LatestYear {
				c := p.CountyRecords[len(p.CountyRecords)-1]
				latest = &c
			}
		}
		p.Kindergartens = append(p.Kindergartens, kindergartens(r, reg, resident, note.Stories)...)
		note.Judged = way
		notMet := p.judge(r, yz, reg.Code, way)
		note.JudgedPreschool = preschoolWays[r.IntN(len(preschoolWays))]
		p.judge(r, xq, reg.Code, note.JudgedPreschool)
		note.tell(yz, p.Note(reg.Code), plan.big, first, schools, latest, notMet)
		p.WholeNotes = append(p.WholeNotes, note)
	}
	slices.SortStableFunc(p.CountyRecords, func(a, b census.CountyRecord) int {
		return cmpYearCode(a.Year, b.Year, a.CountyCode, b.CountyCode)
	})
	slices.SortStableFunc(p.Kindergartens, func(a, b census.Kindergarten) int {
		return cmpYearCode(a.Year, b.Year, a.Code, b.Code)
	})
}

// plot picks the yzjh2017 stories a county tells and how its evidence items
// are judged: by its plan, or at random for a county failing 资源配置.
func plot(r *rand.Rand, plan wholePlan) (stories []string, way string) {
	way = "all"
	pick := func(s ...string) []string { return []string{s[r.IntN(len(s))]} }
	switch plan.kind {
	case WholeKindResource:
		stories = drawStories(r, compulsoryOdds)
		if slices.Contains(stories, WholeNoRecord) {
			// Without a county record the county items cannot fail.
			stories = slices.DeleteFunc(stories, func(s string) bool { return slices.Contains(countyStories, s) })
		}
		way = resourceWays[r.IntN(len(resourceWays))]
	case WholeKindClassSize:
		stories = []string{WholeClassSize}
	case WholeKindUnjudged:
		way = []string{"partial", "none"}[r.IntN(2)]
	case WholeKindVeto:
		if r.IntN(3) == 0 {
			stories = []string{WholeRecognition}
		} else {
			way = "veto"
		}
	case WholeKindPrecondition:
		stories = []string{WholeBasicYear}
	case WholeKindCountyItem:
		stories = pick(WholeRotation, WholePay, WholeRetention)
	case WholeKindEvidence:
		way = "one_not_met"
	case WholeKindSchoolItem:
		stories = pick(WholeRooms, WholeTraining, WholeCert)
	case WholeKindNoRecord:
		stories = []string{WholeNoRecord}
	}
	if len(plan.big) > 0 {
		stories = append([]string{WholeSchoolSize}, stories...)
	}
	return stories, way
}

// The chances of each story in a county drawn at random.
type odds []struct {
	story string
	p     float64
}

var (
	compulsoryOdds = odds{
		{WholeRotation, 0.06}, {WholePay, 0.05}, {WholeRetention, 0.04}, {WholeRecognition, 0.03}, {WholeNoRecord, 0.04},
		{WholeBasicYear, 0.03}, {WholeTraining, 0.04}, {WholeRooms, 0.05}, {WholeClassSize, 0.06}, {WholeCert, 0.05},
	}
	preschoolOdds = odds{{WholeGross, 0.08}, {WholePublic, 0.06}, {WholeKgClassSize, 0.05}, {WholeKgCert, 0.08}}
	// countyStories are told by the county record.
	countyStories = []string{WholeRotation, WholePay, WholeRetention, WholeRecognition, WholeBasicYear}
)

// drawStories picks stories at their chances: most counties get none.
func drawStories(r *rand.Rand, o odds) []string {
	var out []string
	for _, s := range o {
		if r.Float64() < s.p {
			out = append(out, s.story)
		}
	}
	return out
}

func cmpYearCode(ya, yb int, a, b string) int {
	if ya != yb {
		return ya - yb
	}
	return strings.Compare(a, b)
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// fillSchool sets the columns that 基本均衡 and the per-school items read,
// from the school's own stable draw: computers, books, teachers with senior
// titles, public funds and training funds; and its sponsor (举办者).
func fillSchool(seed int64, s *census.School) {
	r := rand.New(rand.NewPCG(uint64(seed), hash("school"+s.Code)))
	d := float64(LatestYear - s.Year)
	grow := math.Pow(1.04, -d)
	p, j := s.Students(census.StagePrimary), s.Students(census.StageJunior)
	total := p + j + s.Students(census.StageSenior)
	s.Set(census.Computers, math.Round(total*uni(r, 0.09, 0.16)*grow))
	s.Set(census.Books, math.Round(total*uni(r, 25, 45)))
	title := uni(r, 0.35, 0.6)
	for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
		tf, _ := census.StageField("teachers", st)
		sf, _ := census.StageField("senior_title_teachers", st)
		if t, ok := s.Get(tf); ok {
			s.Set(sf, math.Min(t, math.Round(t*title*grow)))
		}
	}
	public := math.Round((p*uni(r, 700, 900)+j*uni(r, 900, 1100)+s.Students(census.StageSenior)*1000)*grow/100) * 100
	s.Set(census.PublicFunds, public)
	s.Set(census.TrainingFunds, math.Round(public*uni(r, 0.05, 0.08)/100)*100)
	if s.V[census.TrainingFunds] < 0.05*public {
		s.Set(census.TrainingFunds, math.Ceil(public*0.05/100)*100)
	}
	// The per-school items of 优质均衡: the demo's schools have their
	// standard-size music and art rooms (one per 12 classes), no over-size
	// classes and certified teachers, unless a county's story says otherwise.
	// The special school's teachers count in the county's certification rate.
	if s.Type == census.Special {
		s.Set(census.CertifiedTeachers, s.V[census.TeachersPrimary]+s.V[census.TeachersJunior])
	} else {
		var classes, teachers float64
		for _, st := range s.Type.Stages() {
			if f, ok := census.StageField("classes", st); ok {
				classes += s.V[f]
			}
			if f, ok := census.StageField("oversize_classes", st); ok && s.Has(f) {
				s.Set(f, 0)
			}
			if f, ok := census.StageField("teachers", st); ok && s.Has(f) {
				teachers += s.V[f]
			}
		}
		need := math.Max(1, math.Ceil(classes/12))
		if s.Type == census.TeachingPoint {
			need = math.Min(need, 1)
		}
		s.Set(census.MusicRoomsStandard, math.Max(s.V[census.MusicRoomsStandard], need))
		s.Set(census.ArtRoomsStandard, math.Max(s.V[census.ArtRoomsStandard], need))
		if teachers > 0 {
			s.Set(census.CertifiedTeachers, teachers)
		}
	}
	switch {
	case census.IsPrivate(s.Ownership):
		s.Sponsor = "民办"
	case s.Type == census.CompleteSecondary && r.Float64() < 0.3:
		s.Sponsor = "地市级教育部门"
	default:
		s.Sponsor = "县级教育部门"
	}
}

// countyRecord draws a county's own figures for year y: all met unless a
// story says otherwise, earlier years a little behind.
func countyRecord(r *rand.Rand, reg census.Region, y int, resident float64, stories []string) census.CountyRecord {
	latest := y == LatestYear
	has := func(s string) bool { return latest && slices.Contains(stories, s) }
	c := census.NewCountyRecord()
	c.Year, c.CountyCode, c.CountyName = y, reg.Code, reg.Name
	set := func(f census.CountyField, v float64) { c.V[f] = v }
	basic := float64(2013 + r.IntN(7))
	if has(WholeBasicYear) {
		basic = LatestYear - 2
	}
	set(census.CBasicBalanceYear, basic)
	small := float64(r.IntN(12))
	set(census.CSmallSchools, small)
	set(census.CSmallSchoolsFunded, small)
	set(census.CSpecialEdFunding, math.Round(uni(r, 6000, 8500)/10)*10)
	civil := math.Round(uni(r, 85000, 120000)/100) * 100
	set(census.CCivilServantPay, civil)
	pay := civil * uni(r, 1.0, 1.08)
	if has(WholePay) {
		pay = civil * 0.965
	}
	set(census.CTeacherPay, math.Round(pay/100)*100)
	trained := float64(800 + r.IntN(2500))
	set(census.CTrainingRequired, trained)
	set(census.CTrainingCompleted, trained)
	eligible := float64(600 + r.IntN(1800))
	rotated := math.Ceil(eligible * uni(r, 0.105, 0.16))
	if has(WholeRotation) {
		rotated = math.Floor(eligible * 0.082)
	}
	set(census.CRotationEligible, eligible)
	set(census.CRotationTeachers, rotated)
	backbone := math.Ceil(rotated * uni(r, 0.21, 0.3))
	set(census.CRotationBackbone, backbone)
	set(census.CRotationBackboneEligible, math.Ceil(backbone/uni(r, 0.2, 0.35)))
	entrants := float64(1500 + r.IntN(4000))
	set(census.CNearbyPrimaryEntrants, entrants)
	set(census.CNearbyPrimaryAdmitted, entrants)
	jEntrants := float64(1200 + r.IntN(3000))
	set(census.CNearbyJuniorEntrants, jEntrants)
	set(census.CNearbyJuniorAdmitted, math.Ceil(jEntrants*uni(r, 0.955, 0.99)))
	places := float64(1000 + r.IntN(3000))
	set(census.CHSQuotaPlaces, places)
	set(census.CHSQuotaAllocated, math.Ceil(places*uni(r, 0.5, 0.6)))
	migrants := float64(r.IntN(6000))
	set(census.CMigrantChildren, migrants)
	set(census.CMigrantChildrenPublic, math.Ceil(migrants*uni(r, 0.86, 0.97)))
	set(census.CPublicFundsPrimary, math.Round(uni(r, 1150, 1400)))
	set(census.CPublicFundsJunior, math.Round(uni(r, 1350, 1650)))
	cohort := float64(1200 + r.IntN(3000))
	ret := uni(r, 0.955, 0.99)
	if has(WholeRetention) {
		ret = 0.936
	}
	set(census.CRetentionEntrants, cohort)
	set(census.CRetentionGrade9, math.Floor(cohort*ret))
	disabled := float64(60 + r.IntN(250))
	set(census.CDisabledChildren, disabled)
	set(census.CDisabledEnrolled, math.Ceil(disabled*uni(r, 0.955, 0.99)))
	set(census.CMonitoringLevel, float64(3+r.IntN(2)))
	set(census.CMonitoringLevel3Share, math.Round(uni(r, 86, 95)*10)/10)
	set(census.CMonitoringSchoolGap, math.Round(uni(r, 0.06, 0.14)*100)/100)
	rec := uni(r, 86, 96)
	if has(WholeRecognition) {
		rec = 83.4
	}
	set(census.CRecognitionCompulsory, math.Round(rec*10)/10)
	set(census.CRecognitionPreschool, math.Round(uni(r, 86, 95)*10)/10)
	set(census.CResidentChildren3to5, math.Round(resident*math.Pow(1.01, float64(LatestYear-y))))
	return c
}

// kindergartens draws a county's kindergartens for every year: enough to
// enrol 87–98 % of the resident children aged 3–5, about 55 % of them in
// public kindergartens and 85 % in inclusive ones, unless a story says
// otherwise. Earlier years had a few more children.
func kindergartens(r *rand.Rand, reg census.Region, resident float64, stories []string) []census.Kindergarten {
	has := func(s string) bool { return slices.Contains(stories, s) }
	gross := uni(r, 0.87, 0.98)
	if has(WholeGross) {
		gross = uni(r, 0.78, 0.83)
	}
	public := uni(r, 0.52, 0.65)
	if has(WholePublic) {
		public = uni(r, 0.4, 0.47)
	}
	inclusive := math.Max(public+0.05, uni(r, 0.83, 0.92)) // public + inclusive private
	total := resident * gross
	type draw struct {
		cat      census.Category
		children float64
	}
	var draws []draw
	fill := func(cat census.Category, want, lo, hi float64) {
		for want > lo/2 {
			n := math.Min(want, math.Round(uni(r, lo, hi)))
			draws = append(draws, draw{cat, n})
			want -= n
		}
	}
	fill(census.CategoryPublic, total*public, 150, 450)
	fill(census.CategoryInclusive, total*(inclusive-public), 90, 300)
	fill(census.CategoryPrivate, total*(1-inclusive), 60, 250)
	var out []census.Kindergarten
	nPublic, nOther := 0, 0
	for i, d := range draws {
		k := census.NewKindergarten()
		k.CountyCode, k.CountyName = reg.Code, reg.Name
		k.Code = fmt.Sprintf("2%s%03d", reg.Code, i+1)
		k.Category = d.cat
		short := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(reg.Name, "县"), "区"), "市")
		switch d.cat {
		case census.CategoryPublic:
			nPublic++
			k.Name = short + "第" + ordinalZH(nPublic) + "幼儿园"
			if nPublic == 1 {
				k.Name = short + "实验幼儿园"
			}
			k.Location = []string{urban, town, rural}[min(2, nPublic/3)]
		default:
			nOther++
			k.Name = short + kgWords[(nOther-1)%len(kgWords)] + "幼儿园"
			if nOther > len(kgWords) {
				k.Name = short + kgWords[(nOther-1)%len(kgWords)] + ordinalZH(nOther/len(kgWords)+1) + "幼儿园"
			}
			if d.cat == census.CategoryPrivate {
				k.Name = strings.TrimSuffix(k.Name, "幼儿园") + "双语幼儿园"
			}
			k.Location = []string{urban, town}[nOther%2]
		}
		perTeacher := uni(r, 10.5, 14.5)
		over := 0.0 // over-size classes in the latest year
		if has(WholeKgClassSize) {
			over = -1 // half the middle and large classes
		} else if r.Float64() < 0.15 {
			over = 1
		}
		uncert := 0.0
		if has(WholeKgCert) && d.cat != census.CategoryPublic && r.Float64() < 0.4 {
			uncert = float64(1 + r.IntN(2))
		}
		principal := 1.0
		if has(WholeKgCert) && d.cat == census.CategoryPrivate && r.Float64() < 0.3 {
			principal = 0
		}
		area, outdoor := uni(r, 8, 12), uni(r, 4, 7)
		for y := FirstYear; y <= LatestYear; y++ {
			x := k
			x.Year = y
			children := math.Round(d.children * math.Pow(1.02, float64(LatestYear-y)))
			x.V[census.KgChildren] = children
			per := math.Ceil(children / 3)
			small, middle, large := math.Max(1, math.Ceil(per/24)), math.Max(1, math.Ceil(per/28)), math.Max(1, math.Ceil(per/32))
			x.V[census.KgClassesSmall], x.V[census.KgClassesMiddle], x.V[census.KgClassesLarge] = small, middle, large
			x.V[census.KgClassesMixed] = 0
			o := 0.0
			if y == LatestYear {
				o = over
			}
			x.V[census.KgOversizeSmall] = 0
			x.V[census.KgOversizeMiddle] = math.Min(middle, math.Ceil(math.Max(o, 0)/2))
			x.V[census.KgOversizeLarge] = math.Min(large, math.Floor(math.Max(o, 0)/2))
			if o < 0 {
				x.V[census.KgOversizeMiddle], x.V[census.KgOversizeLarge] = math.Ceil(middle/2), math.Ceil(large/2)
			}
			x.V[census.KgOversizeMixed] = 0
			teachers := math.Ceil(children / perTeacher)
			x.V[census.KgTeachers] = teachers
			cert := teachers
			if y == LatestYear {
				cert = math.Max(0, teachers-uncert)
			}
			x.V[census.KgCertifiedTeachers] = cert
			x.V[census.KgPrincipalCertified] = principal
			x.V[census.KgCaregivers] = small + middle + large
			x.V[census.KgBuildingArea] = math.Round(children * area)
			x.V[census.KgOutdoorArea] = math.Round(children * outdoor)
			out = append(out, x)
		}
	}
	return out
}

// judge records judgements of the evidence items of rules for a county's
// latest year in the given way, and returns the judgement of the item not
// met (nil when none).
func (p *Province) judge(r *rand.Rand, rules *standards.Rules, county string, way string) *census.Judgement {
	var items []*standards.Item
	for i := range rules.Items {
		if rules.Items[i].Evidence {
			items = append(items, &rules.Items[i])
		}
	}
	var notMet string
	if way == "one_not_met" {
		var candidates []string
		for _, it := range items {
			if !it.Veto {
				candidates = append(candidates, it.ID)
			}
		}
		notMet = candidates[r.IntN(len(candidates))]
	}
	var notMetJ *census.Judgement
	at := time.Date(LatestYear+1, 3, 10+r.IntN(15), 9+r.IntN(8), 0, 0, 0, time.UTC)
	actor := inspectors[r.IntN(len(inspectors))]
	for i, it := range items {
		j := census.Judgement{Standard: rules.ID, CountyCode: county, Year: LatestYear, Item: it.ID,
			Status: census.StatusMet, Actor: actor, At: at.Add(time.Duration(i) * time.Minute), Comment: "材料齐全，符合要求"}
		if it.Veto {
			j.Comment = "经核查，不存在该情形"
		}
		switch way {
		case "none":
			continue
		case "partial":
			if i >= len(items)/2 {
				continue
			}
		case "one_not_met":
			if it.ID == notMet {
				j.Status = census.StatusNotMet
				j.Comment = notMetComments[it.ID]
				if j.Comment == "" {
					j.Comment = "实地核查未达到要求"
				}
			}
		case "veto":
			if it.ID == "key_schools" {
				j.Status = census.StatusNotMet
				j.Comment = vetoComment
			}
		}
		if j.Status == census.StatusNotMet {
			notMetJ = &j
		}
		p.Judgements = append(p.Judgements, j)
	}
	return notMetJ
}

// kindZH says in a few words why a county of each kind fails 资源配置.
var kindZH = map[Kind]string{
	KindWeakSchool:    "一所学校未达标",
	KindHighCV:        "一项差异系数超过上限",
	KindSmallSchools:  "乡村小规模学校多，多项差异系数超过上限",
	KindRounding:      "一项差异系数略超上限",
	KindTeachingPoint: "一个教学点未达标",
	KindMixed:         "一所学校未达标，一项差异系数超过上限",
}

// tell fills in what the county's note says under yzjh2017 (Unmet, Status,
// Schools, Story) from its stories, its resource note n, its big schools,
// the school that tells the per-school stories (first), its latest schools
// and county record (nil when not imported) and the judgement not met.
func (wn *WholeNote) tell(yz *standards.Rules, n *CountyNote, big []string, first *census.School,
	schools []*census.School, rec *census.CountyRecord, notMet *census.Judgement) {
	unmet := map[string]bool{}
	pending := false
	switch n.Kind {
	case KindPass:
	case KindDataGap:
		pending = true
	default:
		unmet["resource"] = true
	}
	for _, st := range wn.Stories {
		if yz.Item(st) != nil {
			unmet[st] = true
		}
	}
	if notMet != nil {
		unmet[notMet.Item] = true
	}
	if slices.Contains(wn.Stories, WholeNoRecord) || wn.Judged == "partial" || wn.Judged == "none" {
		pending = true
	}
	for _, it := range yz.Items {
		if unmet[it.ID] {
			wn.Unmet = append(wn.Unmet, it.ID)
		}
	}
	switch {
	case len(wn.Unmet) > 0:
		wn.Status = census.StatusNotMet
	case pending:
		wn.Status = census.StatusPending
	default:
		wn.Status = census.StatusMet
	}

	byCode := map[string]*census.School{}
	for _, s := range schools {
		byCode[s.Code] = s
	}
	get := func(f census.CountyField) float64 { return rec.V[f] }
	name := func(id string) string { return "“" + yz.Item(id).ZH + "”" }
	var evidence, government, quality int
	for _, it := range yz.Items {
		if it.Evidence {
			evidence++
		}
		switch it.Part {
		case standards.PartGovernment:
			government++
		case standards.PartQuality:
			quality++
		}
	}
	var why []string
	switch n.Kind {
	case KindPass:
		why = append(why, "资源配置通过")
	case KindDataGap:
		why = append(why, "资源配置因一所学校数据不全而待定")
	default:
		why = append(why, "资源配置未通过（"+kindZH[n.Kind]+"，见资源配置说明）")
	}
	for _, st := range wn.Stories {
		switch st {
		case WholeSchoolSize:
			var each []string
			for _, code := range big {
				s := byCode[code]
				students := s.Students(census.StagePrimary) + s.Students(census.StageJunior)
				each = append(each, fmt.Sprintf("%s在校生%.0f人（上限%.0f人）", s.Name, students, sizeLimit(s.Type)))
				wn.Schools = append(wn.Schools, code)
			}
			why = append(why, strings.Join(each, "、")+"，超过学校规模上限（大校额），"+name(st)+"不达标")
		case WholeClassSize:
			why = append(why, fmt.Sprintf("%s有%.0f个班超过45人（大班额），%s不达标", first.Name, first.V[census.OversizeClassesPrimary], name(st)))
			wn.Schools = append(wn.Schools, first.Code)
		case WholeRooms:
			why = append(why, fmt.Sprintf("%s有%.0f个班，达标音乐专用教室只有%.0f间，%s不达标",
				first.Name, first.V[census.ClassesPrimary], first.V[census.MusicRoomsStandard], name(st)))
			wn.Schools = append(wn.Schools, first.Code)
		case WholeTraining:
			tr, pub := first.V[census.TrainingFunds], first.V[census.PublicFunds]
			why = append(why, fmt.Sprintf("%s教师培训经费%.0f元，只占公用经费%.0f元的%.1f%%，低于5%%，%s不达标", first.Name, tr, pub, 100*tr/pub, name(st)))
			wn.Schools = append(wn.Schools, first.Code)
		case WholeCert:
			un := first.V[census.TeachersPrimary] - first.V[census.CertifiedTeachers]
			why = append(why, fmt.Sprintf("%s有%.0f名专任教师未取得教师资格证，全县持证上岗率不到100%%，%s不达标", first.Name, un, name(st)))
		case WholeRotation:
			rot, el := get(census.CRotationTeachers), get(census.CRotationEligible)
			why = append(why, fmt.Sprintf("交流轮岗教师%.0f人，只占符合交流条件教师%.0f人的%.1f%%，低于10%%，%s不达标", rot, el, 100*rot/el, name(st)))
		case WholePay:
			why = append(why, fmt.Sprintf("教师年平均工资%.0f元，低于当地公务员的%.0f元，%s不达标", get(census.CTeacherPay), get(census.CCivilServantPay), name(st)))
		case WholeRetention:
			g9, en := get(census.CRetentionGrade9), get(census.CRetentionEntrants)
			why = append(why, fmt.Sprintf("初中三年巩固率%.1f%%（%.0f人入学，%.0f人读到九年级），低于95%%，%s不达标", 100*g9/en, en, g9, name(st)))
		case WholeRecognition:
			why = append(why, fmt.Sprintf("社会认可度调查结果%.1f%%，低于85%%，一票否决", get(census.CRecognitionCompulsory)))
		case WholeBasicYear:
			why = append(why, fmt.Sprintf("基本均衡%.0f年才通过国家认定，到%d年不满3年，不具备申报条件（申报前提不达标）", get(census.CBasicBalanceYear), LatestYear))
		case WholeNoRecord:
			why = append(why, fmt.Sprintf("%d年度县级数据尚未导入，政府保障、教育质量等县级指标等待数据", LatestYear))
		}
	}
	switch wn.Judged {
	case "one_not_met":
		why = append(why, fmt.Sprintf("%s评议为未达标（%s）", name(notMet.Item), notMet.Comment))
	case "veto":
		why = append(why, vetoComment+"，"+name(notMet.Item)+"一票否决")
	case "partial":
		why = append(why, fmt.Sprintf("%d项需评议的项目还有%d项未评议", evidence, evidence-evidence/2))
	case "none":
		why = append(why, fmt.Sprintf("%d项需评议的项目均未评议", evidence))
	}
	slices.Sort(wn.Schools)
	wn.Schools = slices.Compact(wn.Schools)
	switch wn.Status {
	case census.StatusMet:
		wn.Story = fmt.Sprintf("资源配置通过；政府保障程度%d项、教育质量%d项均达标，%d项需评议的项目均评议为达标，社会认可度%.1f%%，基本均衡%.0f年通过认定，无一票否决情形：达到优质均衡认定标准。",
			government, quality, evidence, get(census.CRecognitionCompulsory), get(census.CBasicBalanceYear))
	case census.StatusPending:
		wn.Story = strings.Join(why, "；") + "；其余项目均达标：结论待定。"
	default:
		if len(why) == 1 && !pending {
			why = append(why, "其余项目均达标")
		}
		wn.Story = strings.Join(why, "；") + "：不能通过认定。"
	}
}
