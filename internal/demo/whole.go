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

// Whole-standard stories of the latest year (WholeNote.Story).
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
)

// WholeNote says what a county's latest year should show under the whole
// standards beyond its resource story, and how its evidence items are judged.
type WholeNote struct {
	Code string
	// Stories lists the computed items the county was made to fail.
	Stories []string
	// Judged is how the evidence items of yzjh2017 were judged: "all" met,
	// "one_not_met", "veto", "partial" or "none".
	Judged, JudgedPreschool string
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

var inspectors = []string{"省督学 张敏", "省督学 李强", "省督学 王芳", "督导评估专家组"}

// whole completes p for the whole standards; rules are the national ones.
func (p *Province) whole(seed int64) {
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
		note := WholeNote{Code: reg.Code}
		note.Stories = drawStories(r)
		var primary float64
		for _, i := range byCounty[reg.Code] {
			primary += p.Schools[i].Students(census.StagePrimary)
		}
		// Each per-school story is told by the county's first primary school.
		for _, i := range byCounty[reg.Code] {
			s := &p.Schools[i]
			if s.Type != census.Primary {
				continue
			}
			for _, st := range note.Stories {
				switch st {
				case WholeTraining:
					s.Set(census.TrainingFunds, math.Round(s.V[census.PublicFunds]*0.03/100)*100)
				case WholeRooms:
					s.Set(census.MusicRoomsStandard, s.V[census.MusicRoomsStandard]-1)
				case WholeClassSize:
					s.Set(census.OversizeClassesPrimary, math.Min(s.V[census.ClassesPrimary], 2))
				case WholeCert:
					s.Set(census.CertifiedTeachers, s.V[census.CertifiedTeachers]-1)
				}
			}
			break
		}
		resident := math.Round(primary / 2 * uni(r, 0.95, 1.05))
		for y := FirstYear; y <= LatestYear; y++ {
			if y == LatestYear && slices.Contains(note.Stories, WholeNoRecord) {
				continue
			}
			p.CountyRecords = append(p.CountyRecords, countyRecord(r, reg, y, resident, note.Stories))
		}
		p.Kindergartens = append(p.Kindergartens, kindergartens(r, reg, resident, note.Stories)...)
		note.Judged = p.judge(r, yz, reg.Code, []string{"all", "all", "all", "all", "all", "all", "all", "all", "all",
			"one_not_met", "one_not_met", "one_not_met", "veto", "partial", "partial", "partial", "partial", "none", "none", "none"})
		note.JudgedPreschool = p.judge(r, xq, reg.Code, []string{"all", "all", "all", "all", "one_not_met", "partial", "none"})
		p.WholeNotes = append(p.WholeNotes, note)
	}
	slices.SortStableFunc(p.CountyRecords, func(a, b census.CountyRecord) int {
		return cmpYearCode(a.Year, b.Year, a.CountyCode, b.CountyCode)
	})
	slices.SortStableFunc(p.Kindergartens, func(a, b census.Kindergarten) int {
		return cmpYearCode(a.Year, b.Year, a.Code, b.Code)
	})
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

// drawStories picks the computed items a county fails: most fail none.
func drawStories(r *rand.Rand) []string {
	var out []string
	for _, s := range []struct {
		story string
		p     float64
	}{
		{WholeRotation, 0.06}, {WholePay, 0.05}, {WholeRetention, 0.04}, {WholeRecognition, 0.03}, {WholeNoRecord, 0.04},
		{WholeBasicYear, 0.03}, {WholeTraining, 0.04}, {WholeRooms, 0.05}, {WholeClassSize, 0.06}, {WholeCert, 0.05}, {WholeGross, 0.08}, {WholePublic, 0.06}, {WholeKgClassSize, 0.05}, {WholeKgCert, 0.08},
	} {
		if r.Float64() < s.p {
			out = append(out, s.story)
		}
	}
	return out
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
	if s.Type != census.Special {
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
// latest year in one of the given ways, drawn at random, and returns the way.
func (p *Province) judge(r *rand.Rand, rules *standards.Rules, county string, ways []string) string {
	way := ways[r.IntN(len(ways))]
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
				j.Comment = "核查发现县城两所初中设有重点班"
			}
		}
		p.Judgements = append(p.Judgements, j)
	}
	return way
}
