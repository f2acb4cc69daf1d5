package eval

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

const county = "340207"

func resolve(t *testing.T, std, profile string) *standards.Rules {
	t.Helper()
	r, err := standards.Resolve(std, profile)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// goodSchool returns a school of type t with n students in each of its
// compulsory stages that meets every yzjh2017 indicator and per-school item,
// with identical per-student figures, so that every CV of a county of good
// schools is 0.
func goodSchool(code string, t census.SchoolType, n float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName, s.Code, s.Name, s.Type = 2024, county, "鸠江区", code, "学校"+code, t
	s.Ownership, s.Location = "公办", "城区"
	var teachers, area, sports, equip, rooms, classes float64
	for _, st := range t.Stages() {
		set := func(family string, v float64) {
			f, _ := census.StageField(family, st)
			s.Set(f, v)
		}
		per := map[census.Stage][7]float64{
			census.StagePrimary: {4.2, 1.0, 0.9, 4.5, 7.5, 2000, 2.3},
			census.StageJunior:  {5.3, 1.0, 0.9, 5.8, 10.2, 2500, 2.4},
		}[st]
		set("students", n)
		set("teachers", n*per[0]/100+2)
		set("qualified_teachers", n*per[0]/100)
		set("backbone_teachers", n*per[1]/100)
		set("pe_art_teachers", n*per[2]/100)
		set("classes", n/40)
		set("oversize_classes", 0)
		set("senior_title_teachers", n*per[0]/200)
		teachers += n*per[0]/100 + 2
		classes += n / 40
		area += n * per[3]
		sports += n * per[4]
		equip += n * per[5]
		rooms += n * per[6] / 100
	}
	s.Set(census.CertifiedTeachers, teachers)
	s.Set(census.TeachingArea, area)
	s.Set(census.SportsArea, sports)
	s.Set(census.EquipmentValue, equip)
	s.Set(census.MultimediaRooms, rooms)
	need := math.Max(1, math.Ceil(classes/12))
	s.Set(census.MusicRoomsStandard, need)
	s.Set(census.ArtRoomsStandard, need)
	s.Set(census.PublicFunds, 100000)
	s.Set(census.TrainingFunds, 5000)
	s.Set(census.Computers, n/10)
	s.Set(census.Books, n*30)
	return s
}

// goodRecord returns a county record that meets every computed item, most
// of them exactly at their thresholds.
func goodRecord() census.CountyRecord {
	c := census.NewCountyRecord()
	c.Year, c.CountyCode, c.CountyName = 2024, county, "鸠江区"
	set := func(f census.CountyField, v float64) { c.V[f] = v }
	set(census.CBasicBalanceYear, 2021) // exactly 3 years
	set(census.CSmallSchools, 4)
	set(census.CSmallSchoolsFunded, 4)
	set(census.CSpecialEdFunding, 6000) // exactly the floor
	set(census.CTeacherPay, 98000)
	set(census.CCivilServantPay, 98000) // equal pay meets ≥
	set(census.CTrainingRequired, 1200)
	set(census.CTrainingCompleted, 1200)
	set(census.CRotationEligible, 1000)
	set(census.CRotationTeachers, 100) // exactly 10 %
	set(census.CRotationBackboneEligible, 200)
	set(census.CRotationBackbone, 20) // exactly 20 % of those rotated
	set(census.CNearbyPrimaryEntrants, 3000)
	set(census.CNearbyPrimaryAdmitted, 3000)
	set(census.CNearbyJuniorEntrants, 2000)
	set(census.CNearbyJuniorAdmitted, 1900) // exactly 95 %
	set(census.CHSQuotaPlaces, 1000)
	set(census.CHSQuotaAllocated, 500) // exactly 50 %
	set(census.CMigrantChildren, 2000)
	set(census.CMigrantChildrenPublic, 1700) // exactly 85 %
	set(census.CPublicFundsPrimary, 1150)
	set(census.CPublicFundsJunior, 1350)
	set(census.CRetentionEntrants, 4000)
	set(census.CRetentionGrade9, 3800) // exactly 95 %
	set(census.CDisabledChildren, 100)
	set(census.CDisabledEnrolled, 95) // exactly 95 %
	set(census.CMonitoringLevel, 3)
	set(census.CMonitoringLevel3Share, 85)
	set(census.CMonitoringSchoolGap, 0.149)
	set(census.CRecognitionCompulsory, 85) // exactly 85 %
	set(census.CRecognitionPreschool, 85)
	set(census.CResidentChildren3to5, 10000)
	return c
}

// judgeAll returns a judgement of status s for every evidence item of r.
func judgeAll(r *standards.Rules, s census.Status) []census.Judgement {
	var out []census.Judgement
	for _, it := range r.Items {
		if it.Evidence {
			out = append(out, census.Judgement{Standard: r.ID, CountyCode: county, Year: 2024, Item: it.ID,
				Status: s, Actor: "督学甲", At: time.Date(2024, 11, 1, 9, 0, 0, 0, time.UTC)})
		}
	}
	return out
}

func goodInputs(r *standards.Rules) Inputs {
	return Inputs{
		Schools: []census.School{
			goodSchool("3134020001", census.Primary, 1000), goodSchool("3134020002", census.Primary, 1000),
			goodSchool("3134020003", census.Junior, 1000), goodSchool("3134020004", census.Junior, 1000),
		},
		Counties:   []census.CountyRecord{goodRecord()},
		Judgements: judgeAll(r, census.StatusMet),
	}
}

func verdictOf(t *testing.T, r *standards.Rules, in Inputs) *Verdict {
	t.Helper()
	res := EvaluateWhole(r, 2024, in)
	if len(res.Counties) != 1 || res.Counties[0].Verdict == nil {
		t.Fatalf("want one county with a verdict, got %d", len(res.Counties))
	}
	return res.Counties[0].Verdict
}

func TestWholeRecognisedAtEveryBoundary(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	v := verdictOf(t, r, goodInputs(r))
	for _, it := range v.Items {
		if it.Status != census.StatusMet {
			t.Errorf("%s: %s (%s)", it.Item.ID, it.Status, it.Reason)
		}
	}
	if !v.Recognised || v.Status != census.StatusMet || len(v.Unmet)+len(v.Pending)+len(v.Vetoes) != 0 {
		t.Fatalf("want recognised, got %s unmet %v pending %v vetoes %v", v.Status, v.Unmet, v.Pending, v.Vetoes)
	}
	if got := v.Item("teacher_rotation").Checks[0].Value; got != 0.1 {
		t.Errorf("rotation ratio %v, want 0.1", got)
	}
}

// TestCountyRatioBoundaries moves one figure of the county record just
// across its threshold: each item goes from met to not met.
func TestCountyRatioBoundaries(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	cases := []struct {
		name string
		item string
		f    census.CountyField
		v    float64
	}{
		{"rotation 9.9 %", "teacher_rotation", census.CRotationTeachers, 99},
		{"backbone 19 of 100 rotated", "teacher_rotation", census.CRotationBackbone, 19},
		{"junior nearby 94.95 %", "nearby_enrollment", census.CNearbyJuniorAdmitted, 1899},
		{"primary nearby 99.97 %", "nearby_enrollment", census.CNearbyPrimaryAdmitted, 2999},
		{"hs quota 49.9 %", "hs_quota_allocation", census.CHSQuotaAllocated, 499},
		{"migrant 84.95 %", "migrant_children", census.CMigrantChildrenPublic, 1699},
		{"retention 94.975 %", "junior_retention", census.CRetentionGrade9, 3799},
		{"disabled 94 %", "disabled_enrollment", census.CDisabledEnrolled, 94},
		{"special ed 5 999.99 元", "special_ed_funding", census.CSpecialEdFunding, 5999.99},
		{"teacher pay one yuan short", "teacher_salary", census.CTeacherPay, 97999},
		{"training 1 199 of 1 200", "teacher_training", census.CTrainingCompleted, 1199},
		{"small school not funded as 100", "small_school_funding", census.CSmallSchoolsFunded, 3},
		{"monitoring level Ⅱ", "monitoring", census.CMonitoringLevel, 2},
		{"school gap exactly 0.15 (strictly below required)", "monitoring", census.CMonitoringSchoolGap, 0.15},
		{"recognition 84.99 %", "social_recognition", census.CRecognitionCompulsory, 84.99},
		{"basic balance only 2 years ago", "basic_balance", census.CBasicBalanceYear, 2022},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goodInputs(r)
			in.Counties[0].V[tc.f] = tc.v
			v := verdictOf(t, r, in)
			it := v.Item(tc.item)
			if it.Status != census.StatusNotMet {
				t.Fatalf("%s: %s (%s), want not_met", tc.item, it.Status, it.Reason)
			}
			if v.Recognised || v.Status != census.StatusNotMet || !slices.Equal(v.Unmet, []string{tc.item}) {
				t.Fatalf("verdict %s unmet %v, want not_met [%s]", v.Status, v.Unmet, tc.item)
			}
			if tc.item == "social_recognition" && !slices.Equal(v.Vetoes, []string{"social_recognition"}) {
				t.Errorf("recognition below 85 %% is a veto; vetoes %v", v.Vetoes)
			}
		})
	}
}

func TestVacuousAndMissingRatios(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	in := goodInputs(r)
	in.Counties[0].V[census.CMigrantChildren] = 0
	in.Counties[0].V[census.CMigrantChildrenPublic] = 0
	if it := verdictOf(t, r, in).Item("migrant_children"); it.Status != census.StatusMet {
		t.Errorf("no migrant children: %s (%s), want met", it.Status, it.Reason)
	}
	in.Counties[0].V[census.CRotationEligible] = 0
	v := verdictOf(t, r, in)
	if it := v.Item("teacher_rotation"); it.Status != census.StatusPending || !slices.Equal(it.Awaiting, []string{AwaitData}) {
		t.Errorf("no eligible teachers: %s awaiting %v (%s), want pending on data", it.Status, it.Awaiting, it.Reason)
	}
	in.Counties[0].V[census.CSpecialEdFunding] = math.NaN()
	v = verdictOf(t, r, in)
	if it := v.Item("special_ed_funding"); it.Status != census.StatusPending || !strings.Contains(it.Reason, "特殊教育学校生均公用经费") {
		t.Errorf("unreported funding: %s (%s), want pending naming the column", it.Status, it.Reason)
	}
	if v.Status != census.StatusPending || v.Recognised {
		t.Errorf("verdict %s, want pending", v.Status)
	}
	// No county record at all: every county figure is pending, not not-met.
	in.Counties = nil
	v = verdictOf(t, r, in)
	if it := v.Item("teacher_salary"); it.Status != census.StatusPending || v.HasRecord {
		t.Errorf("no county record: %s, has record %v", it.Status, v.HasRecord)
	}
}

func TestPerSchoolRules(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	cases := []struct {
		name   string
		item   string
		want   census.Status
		change func(s *census.School)
	}{
		{"2 000 pupils exactly", "school_size", census.StatusMet, func(s *census.School) { s.Set(census.StudentsPrimary, 2000) }},
		{"2 001 pupils", "school_size", census.StatusNotMet, func(s *census.School) { s.Set(census.StudentsPrimary, 2001) }},
		{"12 classes, 1 room each", "music_art_rooms", census.StatusMet, func(s *census.School) {
			s.Set(census.ClassesPrimary, 12)
			s.Set(census.MusicRoomsStandard, 1)
			s.Set(census.ArtRoomsStandard, 1)
		}},
		{"13 classes, 1 music room", "music_art_rooms", census.StatusNotMet, func(s *census.School) {
			s.Set(census.ClassesPrimary, 13)
			s.Set(census.MusicRoomsStandard, 1)
			s.Set(census.ArtRoomsStandard, 2)
		}},
		{"3 classes, no art room", "music_art_rooms", census.StatusNotMet, func(s *census.School) {
			s.Set(census.ClassesPrimary, 3)
			s.Set(census.ArtRoomsStandard, 0)
		}},
		{"one over-size class", "class_size", census.StatusNotMet, func(s *census.School) { s.Set(census.OversizeClassesPrimary, 1) }},
		{"over-size classes not reported", "class_size", census.StatusPending, func(s *census.School) { s.V[census.OversizeClassesPrimary] = math.NaN() }},
		{"training exactly 5 %", "training_budget_share", census.StatusMet, func(s *census.School) { s.Set(census.TrainingFunds, 5000) }},
		{"training 4.999 %", "training_budget_share", census.StatusNotMet, func(s *census.School) { s.Set(census.TrainingFunds, 4999) }},
		{"one teacher without certificate", "teacher_certification", census.StatusNotMet, func(s *census.School) {
			s.Set(census.CertifiedTeachers, s.V[census.TeachersPrimary]-1)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goodInputs(r)
			tc.change(&in.Schools[0])
			it := verdictOf(t, r, in).Item(tc.item)
			if it.Status != tc.want {
				t.Fatalf("%s: %s (%s), want %s", tc.item, it.Status, it.Reason, tc.want)
			}
			if tc.want == census.StatusNotMet && it.Item.ID != "teacher_certification" {
				cr := it.Checks[0]
				if cr.Failed != 1 || len(cr.Schools) != 1 || cr.Schools[0].Code != "3134020001" {
					t.Errorf("want the one school named, got failed %d schools %+v", cr.Failed, cr.Schools)
				}
			}
		})
	}
	// A nine-year school may have 2 500 compulsory pupils, not 2 501.
	for n, want := range map[float64]census.Status{1250: census.StatusMet, 1250.5: census.StatusNotMet} {
		in := goodInputs(r)
		in.Schools = append(in.Schools, goodSchool("3134020009", census.NineYear, 1000))
		in.Schools[4].Set(census.StudentsPrimary, n)
		in.Schools[4].Set(census.StudentsJunior, 1250)
		if it := verdictOf(t, r, in).Item("school_size"); it.Status != want {
			t.Errorf("nine-year school with %g + 1250 pupils: %s, want %s", n, it.Status, want)
		}
	}
}

// TestEvidenceTellsPendingFromNotMet pins the three states of an evidence
// item and of the county, and the veto.
func TestEvidenceTellsPendingFromNotMet(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	in := goodInputs(r)
	in.Judgements = slices.DeleteFunc(in.Judgements, func(j census.Judgement) bool { return j.Item == "layout_plan" })
	v := verdictOf(t, r, in)
	it := v.Item("layout_plan")
	if it.Status != census.StatusPending || !slices.Equal(it.Awaiting, []string{AwaitJudgement}) || it.Judgement != nil {
		t.Fatalf("unjudged: %s awaiting %v", it.Status, it.Awaiting)
	}
	if v.Status != census.StatusPending || v.Recognised || !slices.Equal(v.Pending, []string{"layout_plan"}) || len(v.Unmet) != 0 {
		t.Fatalf("one unjudged item: verdict %s pending %v unmet %v", v.Status, v.Pending, v.Unmet)
	}

	// A later judgement wins over an earlier one.
	j := census.Judgement{Standard: "yzjh2017", CountyCode: county, Year: 2024, Item: "layout_plan", Status: census.StatusMet,
		Actor: "甲", At: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)}
	later := j
	later.Status, later.Comment, later.At = census.StatusNotMet, "布局规划未经批复", j.At.Add(time.Hour)
	in.Judgements = append(in.Judgements, later, j)
	v = verdictOf(t, r, in)
	if it := v.Item("layout_plan"); it.Status != census.StatusNotMet || !strings.Contains(it.Reason, "布局规划未经批复") || it.Judgement.Actor != "甲" {
		t.Fatalf("judged not met: %s (%s)", it.Status, it.Reason)
	}
	if v.Status != census.StatusNotMet || !slices.Equal(v.Unmet, []string{"layout_plan"}) || len(v.Vetoes) != 0 {
		t.Fatalf("verdict %s unmet %v vetoes %v", v.Status, v.Unmet, v.Vetoes)
	}

	// A veto judged as occurring vetoes recognition, whatever else is met.
	in = goodInputs(r)
	for i := range in.Judgements {
		if in.Judgements[i].Item == "key_schools" {
			in.Judgements[i].Status = census.StatusNotMet
		}
	}
	v = verdictOf(t, r, in)
	if !slices.Equal(v.Vetoes, []string{"key_schools"}) || v.Recognised || v.Status != census.StatusNotMet {
		t.Fatalf("veto: vetoes %v status %s", v.Vetoes, v.Status)
	}

	// Judgements of another standard, year or county are not this one's.
	in = goodInputs(r)
	for i := range in.Judgements {
		in.Judgements[i].Standard = "xqpp2020"
	}
	if v := verdictOf(t, r, in); v.Status != census.StatusPending {
		t.Fatalf("judgements of another standard count: %s", v.Status)
	}
}

// TestItemsWithChecksAndEvidence: a computed part that fails is not met
// even when judged met; one that passes still needs the judgement.
func TestItemsWithChecksAndEvidence(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	in := goodInputs(r)
	in.Counties[0].V[census.CHSQuotaAllocated] = 400
	if it := verdictOf(t, r, in).Item("hs_quota_allocation"); it.Status != census.StatusNotMet {
		t.Errorf("40 %% allocated, judged met: %s", it.Status)
	}
	in = goodInputs(r)
	in.Judgements = slices.DeleteFunc(in.Judgements, func(j census.Judgement) bool { return j.Item == "hs_quota_allocation" })
	it := verdictOf(t, r, in).Item("hs_quota_allocation")
	if it.Status != census.StatusPending || it.Checks[0].Status != census.StatusMet {
		t.Errorf("50 %% allocated, not judged: %s, check %s", it.Status, it.Checks[0].Status)
	}
}

func TestResourcePartInVerdict(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	in := goodInputs(r)
	// One primary school 10 % short of backbone teachers: 6 of 7 met,
	// above the 85 % floor, so the school passes; but the CV is now > 0.
	in.Schools[0].Set(census.BackboneTeachersPrimary, 9)
	v := verdictOf(t, r, in)
	if it := v.Item("resource"); it.Status != census.StatusMet {
		t.Fatalf("resource: %s (%s)", it.Status, it.Reason)
	}
	// Below the floor (8 of 10 = 80 %): the school fails, so does the part.
	in.Schools[0].Set(census.BackboneTeachersPrimary, 8)
	v = verdictOf(t, r, in)
	it := v.Item("resource")
	if it.Status != census.StatusNotMet || it.Checks[0].Status != census.StatusNotMet || it.Checks[1].Status != census.StatusMet {
		t.Fatalf("resource: %s, checks %s %s (%s)", it.Status, it.Checks[0].Status, it.Checks[1].Status, it.Reason)
	}
	// A missing figure makes the part pending, not failed.
	in.Schools[0].Set(census.BackboneTeachersPrimary, 10)
	in.Schools[0].V[census.MultimediaRooms] = math.NaN()
	if it := verdictOf(t, r, in).Item("resource"); it.Status != census.StatusPending {
		t.Fatalf("missing data: %s (%s)", it.Status, it.Reason)
	}
}

// TestProfilesChangeVerdicts: the same data, different provinces.
func TestProfilesChangeVerdicts(t *testing.T) {
	t.Run("liaoning special-ed 8 000 and funding floors", func(t *testing.T) {
		nat, lia := resolve(t, "yzjh2017", "national"), resolve(t, "yzjh2017", "liaoning")
		in := goodInputs(nat)
		in.Counties[0].V[census.CSpecialEdFunding] = 7000
		if it := verdictOf(t, nat, in).Item("special_ed_funding"); it.Status != census.StatusMet {
			t.Fatalf("national: %s", it.Status)
		}
		in.Judgements = judgeAll(lia, census.StatusMet)
		v := verdictOf(t, lia, in)
		if it := v.Item("special_ed_funding"); it.Status != census.StatusNotMet {
			t.Fatalf("liaoning: %s", it.Status)
		}
		if it := v.Item("public_funding_floor"); it == nil || it.Status != census.StatusMet {
			t.Fatalf("liaoning floor at exactly 1150/1350: %+v", it)
		}
		if it := v.Item("offcampus_training"); it == nil || !it.Item.Veto {
			t.Fatal("liaoning has the off-campus training veto")
		}
		in.Counties[0].V[census.CPublicFundsJunior] = 1349
		if it := verdictOf(t, lia, in).Item("public_funding_floor"); it.Status != census.StatusNotMet {
			t.Fatalf("junior 1349: %s", it.Status)
		}
	})
	t.Run("anhui backbone share of eligible backbone teachers", func(t *testing.T) {
		nat, ah := resolve(t, "yzjh2017", "national"), resolve(t, "yzjh2017", "anhui")
		in := goodInputs(nat)
		// 20 of 100 rotated are backbone (20 %), but only 20 of 200 eligible (10 %).
		if it := verdictOf(t, nat, in).Item("teacher_rotation"); it.Status != census.StatusMet {
			t.Fatalf("national: %s", it.Status)
		}
		it := verdictOf(t, ah, in).Item("teacher_rotation")
		if it.Status != census.StatusNotMet || it.Checks[1].Value != 0.1 {
			t.Fatalf("anhui: %s value %v", it.Status, it.Checks[1].Value)
		}
	})
	t.Run("chongqing reads Ⅲ级以上 as 85 % of students", func(t *testing.T) {
		cq := resolve(t, "yzjh2017", "chongqing")
		in := goodInputs(cq)
		in.Counties[0].V[census.CMonitoringLevel3Share] = 84.9
		if it := verdictOf(t, cq, in).Item("monitoring"); it.Status != census.StatusNotMet {
			t.Fatalf("84.9 %% at Ⅲ+: %s", it.Status)
		}
	})
}

// priorResult builds an earlier year's 基本均衡 result whose one county has
// the given composite CVs.
func priorResult(year int, primary, junior float64) *Result {
	return &Result{Standard: "jbjh2012", Year: year, Counties: []*County{{Code: county, Stages: []*StageResult{
		{Stage: census.StagePrimary, Parts: 10, CompositeCV: primary},
		{Stage: census.StageJunior, Parts: 5, CompositeCV: junior},
	}}}}
}

func TestChongqingPrecondition(t *testing.T) {
	cq := resolve(t, "yzjh2017", "chongqing")
	in := goodInputs(cq)
	v := verdictOf(t, cq, in)
	it := v.Item("basic_balance")
	if it.Status != census.StatusPending || it.Checks[1].Status != census.StatusPending || len(it.Checks[1].Missing) != 6 {
		t.Fatalf("no history: %s (%s)", it.Status, it.Reason)
	}
	in.Prior = map[int]*Result{2021: priorResult(2021, 0.60, 0.50), 2022: priorResult(2022, 0.55, 0.45), 2023: priorResult(2023, 0.42, 0.33)}
	if it := verdictOf(t, cq, in).Item("basic_balance"); it.Status != census.StatusMet {
		t.Fatalf("CVs exactly at 0.60 / 0.50: %s (%s)", it.Status, it.Reason)
	}
	in.Prior[2022] = priorResult(2022, 0.55, 0.5001)
	it = verdictOf(t, cq, in).Item("basic_balance")
	if it.Status != census.StatusNotMet || !strings.Contains(it.Reason, "2022年初中") {
		t.Fatalf("junior 0.5001 in 2022: %s (%s)", it.Status, it.Reason)
	}
	// The national rules do not look back.
	nat := resolve(t, "yzjh2017", "national")
	in.Judgements = judgeAll(nat, census.StatusMet)
	if it := verdictOf(t, nat, in).Item("basic_balance"); it.Status != census.StatusMet || len(it.Checks) != 1 {
		t.Fatalf("national: %s with %d checks", it.Status, len(it.Checks))
	}
}

// kg returns a kindergarten of category c with n children in 10 classes
// of which over are over-size, and n/15 certified teachers.
func kg(code string, c census.Category, n float64) census.Kindergarten {
	k := census.NewKindergarten()
	k.Year, k.CountyCode, k.CountyName, k.Code, k.Name, k.Category = 2024, county, "鸠江区", code, "幼儿园"+code, c
	for _, f := range []census.KgField{census.KgClassesSmall, census.KgClassesMiddle, census.KgClassesLarge} {
		k.V[f] = 5
	}
	for _, f := range []census.KgField{census.KgClassesMixed, census.KgOversizeSmall, census.KgOversizeMiddle, census.KgOversizeLarge, census.KgOversizeMixed} {
		k.V[f] = 0
	}
	k.V[census.KgChildren] = n
	k.V[census.KgTeachers] = math.Ceil(n / 15)
	k.V[census.KgCertifiedTeachers] = math.Ceil(n / 15)
	k.V[census.KgPrincipalCertified] = 1
	return k
}

func preschoolInputs(r *standards.Rules) Inputs {
	rec := goodRecord()
	rec.V[census.CResidentChildren3to5] = 1000
	return Inputs{
		Kindergartens: []census.Kindergarten{kg("3134020101", census.CategoryPublic, 450), kg("3134020102", census.CategoryInclusive, 300),
			kg("3134020103", census.CategoryPrivate, 150)}, // 900 of 1 000: 90 %
		Counties:   []census.CountyRecord{rec},
		Judgements: judgeAll(r, census.StatusMet),
	}
}

func TestPreschool(t *testing.T) {
	r := resolve(t, "xqpp2020", "national")
	in := preschoolInputs(r)
	res := EvaluateWhole(r, 2024, in)
	c := res.Counties[0]
	v := c.Verdict
	if !v.Recognised || !c.ResourcePass || len(c.Stages) != 0 {
		for _, it := range v.Items {
			t.Logf("%s %s %s", it.Item.ID, it.Status, it.Reason)
		}
		t.Fatalf("want recognised, got %s", v.Status)
	}
	ratio := func(v *Verdict, id string) float64 { return v.Item(id).Checks[0].Value }
	if g, i, p := ratio(v, "gross_enrollment"), ratio(v, "inclusive_coverage"), ratio(v, "public_share"); g != 0.9 || i != 750.0/900 || p != 0.5 {
		t.Fatalf("ratios %v %v %v, want 0.9 0.8333 0.5", g, i, p)
	}
	if len(v.Kindergartens) != 3 || v.Kindergartens[0].ChildrenPerTeacher != 15 {
		t.Fatalf("kindergartens: %+v", v.Kindergartens[0])
	}

	t.Run("class size share exactly 85 %", func(t *testing.T) {
		in := preschoolInputs(r)
		// 45 classes; 6 over-size leaves 39/45 = 86.7 %; 7 leaves 84.4 %.
		in.Kindergartens[0].V[census.KgOversizeSmall] = 3
		in.Kindergartens[1].V[census.KgOversizeLarge] = 3
		if it := verdictOf(t, r, in).Item("class_size"); it.Status != census.StatusMet {
			t.Fatalf("6 of 45: %s", it.Status)
		}
		in.Kindergartens[2].V[census.KgOversizeMixed] = 1
		if it := verdictOf(t, r, in).Item("class_size"); it.Status != census.StatusNotMet {
			t.Fatalf("7 of 45: %s", it.Status)
		}
		// Exactly 85 %: 20 classes, 3 over-size.
		in = preschoolInputs(r)
		in.Kindergartens = in.Kindergartens[:1]
		in.Kindergartens[0].V[census.KgClassesMixed] = 5
		in.Kindergartens[0].V[census.KgOversizeMiddle] = 3
		it := verdictOf(t, r, in).Item("class_size")
		if it.Status != census.StatusMet || it.Checks[0].Value != 0.85 {
			t.Fatalf("17 of 20: %s %v", it.Status, it.Checks[0].Value)
		}
		in.Kindergartens[0].V[census.KgOversizeMiddle] = 4
		if it := verdictOf(t, r, in).Item("class_size"); it.Status != census.StatusNotMet {
			t.Fatalf("16 of 20: %s", it.Status)
		}
	})
	t.Run("teacher child ratio 1:15", func(t *testing.T) {
		in := preschoolInputs(r)
		in.Kindergartens[0].V[census.KgChildren] = 451 // 901 children, 60 teachers: 15.0167
		it := verdictOf(t, r, in).Item("teacher_child_ratio")
		if it.Status != census.StatusNotMet {
			t.Fatalf("901 children for 60 teachers: %s", it.Status)
		}
	})
	t.Run("one uncertified principal", func(t *testing.T) {
		in := preschoolInputs(r)
		in.Kindergartens[2].V[census.KgPrincipalCertified] = 0
		it := verdictOf(t, r, in).Item("certification")
		if it.Status != census.StatusNotMet || it.Checks[0].Status != census.StatusMet || it.Checks[1].Value != 2.0/3 {
			t.Fatalf("principals 2 of 3: %s %v", it.Status, it.Checks[1].Value)
		}
	})
	t.Run("gross enrollment below 85 %", func(t *testing.T) {
		in := preschoolInputs(r)
		in.Counties[0].V[census.CResidentChildren3to5] = 1059 // 900 / 1059 = 84.99 %
		if it := verdictOf(t, r, in).Item("gross_enrollment"); it.Status != census.StatusNotMet {
			t.Fatalf("%s", it.Status)
		}
		in.Counties[0].V[census.CResidentChildren3to5] = 900 / 0.85
		if it := verdictOf(t, r, in).Item("gross_enrollment"); it.Status != census.StatusMet {
			t.Fatalf("exactly 85 %%: %s", it.Status)
		}
	})
	t.Run("henan 90 % changes the verdict", func(t *testing.T) {
		hn := resolve(t, "xqpp2020", "henan")
		in := preschoolInputs(r)
		in.Counties[0].V[census.CResidentChildren3to5] = 1020 // 88.2 %
		if v := verdictOf(t, r, in); !v.Recognised {
			t.Fatalf("national: %s %v", v.Status, v.Unmet)
		}
		v := verdictOf(t, hn, in)
		if v.Recognised || !slices.Equal(v.Unmet, []string{"gross_enrollment"}) {
			t.Fatalf("henan: %s %v", v.Status, v.Unmet)
		}
		in.Counties[0].V[census.CResidentChildren3to5] = 1000 // exactly 90 %
		if v := verdictOf(t, hn, in); !v.Recognised {
			t.Fatalf("henan at exactly 90 %%: %s %v", v.Status, v.Unmet)
		}
	})
	t.Run("no kindergartens is pending, not met", func(t *testing.T) {
		in := preschoolInputs(r)
		in.Kindergartens = nil
		v := verdictOf(t, r, in)
		if it := v.Item("inclusive_coverage"); it.Status != census.StatusPending {
			t.Fatalf("%s", it.Status)
		}
	})
}

// TestNationalPreschool2022 pins the published national figure
// (standards.md §6): 4 144.05 万 of 4 627.55 万 children were in inclusive
// kindergartens, 89.55 %.
func TestNationalPreschool2022(t *testing.T) {
	r := resolve(t, "xqpp2020", "national")
	in := preschoolInputs(r)
	in.Kindergartens[0].V[census.KgChildren] = 28_000_000 // public (any split of the 4 144.05 万)
	in.Kindergartens[1].V[census.KgChildren] = 41_440_500 - 28_000_000
	in.Kindergartens[2].V[census.KgChildren] = 46_275_500 - 41_440_500
	cr := verdictOf(t, r, in).Item("inclusive_coverage").Checks[0]
	if cr.Num != 41_440_500 || cr.Den != 46_275_500 {
		t.Fatalf("num %v den %v", cr.Num, cr.Den)
	}
	if got := FormatValue(cr.Value, cr.Check); got != "89.55%" || cr.Status != census.StatusMet {
		t.Fatalf("inclusive coverage %s (%v) %s, want 89.55%% met", got, cr.Value, cr.Status)
	}
	if !strings.Contains(cr.Text, "41440500 ÷") || !strings.Contains(cr.Text, "89.55%") {
		t.Errorf("text %q", cr.Text)
	}
}

// TestBasicBalance evaluates jbjh2012: the composite CV of eight indicators
// against 0.65 / 0.55, with private and non-county schools out of scope.
func TestBasicBalance(t *testing.T) {
	r := resolve(t, "jbjh2012", "national")
	// Two primary schools of 500 pupils whose per-student figures differ by
	// a factor k: every indicator's CV is (k−1)/(k+1), and so is the mean.
	// The figures are whole numbers a·m and b·m, so that k = b/a holds
	// exactly in the census decimals (the file cannot hold 33/7 itself).
	pair := func(a, b float64) []census.School {
		sa := goodSchool("3134020001", census.Primary, 500)
		sb := goodSchool("3134020002", census.Primary, 500)
		for f := range census.NumFields {
			if a != b && f != census.StudentsPrimary && sb.Has(f) {
				m := max(1, math.Round(sa.V[f]))
				sa.V[f], sb.V[f] = a*m, b*m
			}
		}
		return []census.School{sa, sb}
	}
	for _, tc := range []struct {
		a, b float64
		pass bool
		k    float64
	}{{1, 1, true, 0}, {7, 33, true, 0}, {25, 118, false, 0}} { // (33/7−1)/(33/7+1) = 0.65 exactly
		tc.k = tc.b / tc.a
		res := EvaluateWhole(r, 2024, Inputs{Schools: pair(tc.a, tc.b)})
		sr := res.Counties[0].Stage(census.StagePrimary)
		want := (tc.k - 1) / (tc.k + 1)
		if !near(sr.CompositeCV, want, 1e-12) || sr.CompositePass != tc.pass || len(sr.Indicators) != 8 {
			t.Errorf("k=%g: composite %.6f pass %v (%d indicators), want %.6f %v", tc.k, sr.CompositeCV, sr.CompositePass, len(sr.Indicators), want, tc.pass)
		}
		if st := res.Counties[0].Verdict.Item("resource").Checks[0].Status; (st == census.StatusMet) != tc.pass {
			t.Errorf("k=%g: resource check %s", tc.k, st)
		}
	}
	// A private school and a school run by the city are out of scope.
	schools := pair(1, 1)
	odd := goodSchool("3134020003", census.Primary, 500)
	odd.V[census.BooksPrimary] = math.NaN()
	odd.V[census.Books] = 1 // would make the CV large
	priv, city := odd, odd
	priv.Ownership = "民办"
	city.Code, city.Sponsor = "3134020004", "地市级教育部门"
	schools = append(schools, priv, city)
	res := EvaluateWhole(r, 2024, Inputs{Schools: schools})
	c := res.Counties[0]
	if sr := c.Stage(census.StagePrimary); sr.Parts != 2 || sr.Excluded != 2 || sr.CompositeCV != 0 {
		t.Fatalf("scope: parts %d excluded %d composite %v", sr.Parts, sr.Excluded, sr.CompositeCV)
	}
	if p := c.Part("3134020004", census.StagePrimary); !strings.Contains(p.Reason, "非县级举办") {
		t.Errorf("reason %q", p.Reason)
	}
	// Under yzjh2017 the private school counts.
	yz := EvaluateWhole(resolve(t, "yzjh2017", "national"), 2024, Inputs{Schools: schools})
	if sr := yz.Counties[0].Stage(census.StagePrimary); sr.Parts != 4 {
		t.Fatalf("yzjh2017 scope: %d parts", sr.Parts)
	}
}

func TestWholeJSON(t *testing.T) {
	r := resolve(t, "yzjh2017", "national")
	in := goodInputs(r)
	in.Judgements = slices.DeleteFunc(in.Judgements, func(j census.Judgement) bool { return j.Item == "curriculum" })
	in.Counties[0].V[census.CRotationTeachers] = 90
	b, err := json.Marshal(EvaluateWhole(r, 2024, in).JSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Counties []struct {
			ResourcePass bool     `json:"resource_pass"`
			Status       string   `json:"status"`
			Recognised   bool     `json:"recognised"`
			Unmet        []string `json:"unmet"`
			Pending      []string `json:"pending"`
			Vetoes       []string `json:"vetoes"`
			Items        []struct {
				ID       string   `json:"id"`
				Status   string   `json:"status"`
				Awaiting []string `json:"awaiting"`
				Checks   []struct {
					Value     *float64 `json:"value"`
					Threshold float64  `json:"threshold"`
				} `json:"checks"`
			} `json:"items"`
		} `json:"counties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Counties[0]
	if c.Status != "not_met" || c.Recognised || !slices.Equal(c.Unmet, []string{"teacher_rotation"}) ||
		!slices.Equal(c.Pending, []string{"curriculum"}) || c.Vetoes == nil || !c.ResourcePass {
		t.Fatalf("county: %+v", c)
	}
	if len(c.Items) != len(r.Items) {
		t.Fatalf("%d items, want %d", len(c.Items), len(r.Items))
	}
	for _, it := range c.Items {
		switch it.ID {
		case "curriculum":
			if it.Status != "pending" || !slices.Equal(it.Awaiting, []string{"judgement"}) {
				t.Errorf("curriculum: %+v", it)
			}
		case "teacher_rotation":
			if it.Status != "not_met" || *it.Checks[0].Value != 0.09 || it.Checks[0].Threshold != 0.1 {
				t.Errorf("rotation: %+v", it)
			}
		}
	}
}
