package afterschool_test

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/ledger"
)

func school(code string, typ census.SchoolType, primary, junior, tp, tj float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.Code, s.Name, s.Type = 2025, "110101", code, "校"+code, typ
	for f, v := range map[census.Field]float64{census.StudentsPrimary: primary, census.StudentsJunior: junior,
		census.TeachersPrimary: tp, census.TeachersJunior: tj} {
		if v > 0 {
			s.Set(f, v)
		}
	}
	return s
}

// county is the hand-computed county of TestIndicators.
func county() []census.School {
	s6 := school("S6", census.CompleteSecondary, 0, 800, 0, 50)
	s6.Set(census.StudentsSenior, 1200) // a 完全中学's senior pupils do not count
	return []census.School{
		school("S1", census.Primary, 600, 0, 30, 0),
		school("S2", census.Primary, 200, 0, 12, 0),
		school("S3", census.Junior, 0, 900, 0, 60),
		school("S4", census.NineYear, 300, 150, 20, 10),
		school("S5", census.TeachingPoint, 30, 0, 3, 0),
		s6,
		school("S7", census.Primary, 400, 0, 25, 0),
	}
}

const head = "学校代码,学校名称,学期,是否开展课后服务,每周服务天数,结束时间,在校学生数,参加学生数,专任教师数,参与教师数,开设课程数,引进第三方机构数,收费标准（元/生·学期）,财政补助（元/生·学期）,满意度调查人数,满意人数,备注\n"

const termsCSV = head +
	"S1,一小,秋季学期,是,5,17:30,600,540,30,27,20,2,0,200,100,92,\n" +
	"S2,二小,秋季,是,4,17:00,200,150,12,10,6,0,300,100,50,41,周五不开展\n" +
	"S3,三中,秋季学期,是,5,18:00,900,700,60,40,15,1,0,,,,\n" +
	"S4,四校,秋季学期,否,,,450,,30,,,,,,,,\n" +
	"S5,五教学点,秋季学期,是,5,17:30,30,20,3,3,2,0,0,,,,\n" +
	"S6,六中,秋季学期,是,5,17:20,,900,,45,12,3,200,100,80,60,在校生数含高中\n" +
	"S9,外县学校,秋季学期,是,5,18:00,,100,,,,,,,,,\n" +
	"S1,一小,春季学期,是,5,18:00,600,580,30,28,22,2,0,200,,,\n" +
	"S4,四校,春季学期,是,5,17:30,450,300,30,20,8,1,0,,,,\n"

const providersCSV = "机构名称,统一社会信用代码,机构类型,审核结果,审核日期,服务学校数,备注\n" +
	"某某科技有限公司,91110101MA01ABCD3X,企业,通过,2025-08-20,3,\n" +
	"市少年宫,12110000400000123K,公办场馆,通过,2025-08-15,2,\n" +
	"某艺术培训中心,52110101MJ0000456P,非营利性机构,未通过,2025-08-25,0,资质不全\n" +
	"某体育俱乐部,91110101MA02EFGH4Y,企业,审核中,,,\n"

func read(t *testing.T) *ledger.Data {
	t.Helper()
	d, err := ledger.Read(afterschool.Schema,
		ledger.File{Name: "t.csv", Data: []byte(termsCSV)},
		ledger.File{Name: "p.csv", Data: []byte(providersCSV)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIndicators pins a county's autumn-term figures to a hand computation
// (see the package comment for what counts):
//
//	schools counted: S1 S2 S3 S4 S6 S7 (S5 a 教学点, S9 not in the census:
//	  unknown; S7 not in the ledger: not offering); offering S1 S2 S3 S6
//	  → 4 of 6 = 66.7%
//	students: 600+200+900+450+800+400 = 3350; taking part
//	  540+150+700+800 (S6 names 900 of 800: counts 800) = 2190 → 65.4%
//	teachers: 30+12+60+30+50+25 = 207; taking part 27+10+40+45 = 122 → 58.9%
//	satisfaction: (92+41+60) / (100+50+80) = 193/230 → 83.9%
//	end not before 17:30: S1 17:30, S3 18:00 (S2 17:00, S6 17:20 early)
//	  → 2 of 4 = 50.0%; with 18:00 only S3 → 1 of 4
//	five days a week: S1 S3 S6 (S2 four) → 3 of 4 = 75.0%
//	courses 20+6+15+12 = 53; providers 2+0+1+3 = 6; free S1 S3 → 2
//	spring: S1 and S4 offer → 2 of 6; students 580+300 = 880 of 3350
func TestIndicators(t *testing.T) {
	d := read(t)
	rule, err := afterschool.RuleOf("")
	if err != nil || rule.End != "17:30" || rule.MinDays != 5 {
		t.Fatalf("default rule %+v, %v", rule, err)
	}
	ind := afterschool.Count(afterschool.Of(d), afterschool.Providers(d), county(), afterschool.Autumn, rule)
	sh := func(in, all int64) afterschool.Share { return afterschool.Share{In: in, All: all} }
	for _, x := range []struct {
		name      string
		got, want afterschool.Share
		percent   string
	}{
		{"schools", ind.Schools, sh(4, 6), "66.7%"},
		{"students", ind.Students, sh(2190, 3350), "65.4%"},
		{"teachers", ind.Teachers, sh(122, 207), "58.9%"},
		{"satisfaction", ind.Satisfaction, sh(193, 230), "83.9%"},
		{"end time", ind.EndOK, sh(2, 4), "50.0%"},
		{"five days", ind.Days5, sh(3, 4), "75.0%"},
	} {
		if x.got != x.want || x.got.Percent() != x.percent {
			t.Errorf("%s = %d/%d (%s), want %d/%d (%s)", x.name, x.got.In, x.got.All, x.got.Percent(), x.want.In, x.want.All, x.percent)
		}
	}
	if ind.Students.Rat().Cmp(big.NewRat(219, 335)) != 0 {
		t.Errorf("students share %v, want exactly 219/335", ind.Students.Rat())
	}
	if ind.Courses != 53 || ind.Providers != 6 || ind.Free != 2 {
		t.Errorf("courses %d, providers %d, free %d; want 53, 6, 2", ind.Courses, ind.Providers, ind.Free)
	}
	if diff := cmp.Diff(map[string]int{"passed": 2, "failed": 1, "pending": 1}, ind.Vetted); diff != "" {
		t.Errorf("vetted (-want +got):\n%s", diff)
	}
	want := []afterschool.Unknown{
		{School: "S5", Name: "校S5", Why: "是教学点，不计入学校数"},
		{School: "S9", Name: "外县学校", Why: "不在本县本年度的学校数据中"},
	}
	if diff := cmp.Diff(want, ind.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	var codes []string
	for _, s := range ind.PerSchool {
		codes = append(codes, s.Code)
	}
	if diff := cmp.Diff([]string{"S1", "S2", "S3", "S4", "S6", "S7"}, codes); diff != "" {
		t.Errorf("per school (-want +got):\n%s", diff)
	}
	s2, s6, s7 := ind.PerSchool[1], ind.PerSchool[4], ind.PerSchool[5]
	if s2.EndOK || s2.DaysOK || !s6.Over || !s6.DaysOK || s6.EndOK || s7.Listed || s6.Students != 800 || s6.Teachers != 50 {
		t.Errorf("lights: S2 %+v, S6 %+v, S7 %+v", s2, s6, s7)
	}
	late, _ := afterschool.RuleOf("18:00")
	if got := afterschool.Count(afterschool.Of(d), nil, county(), afterschool.Autumn, late).EndOK; got != sh(1, 4) {
		t.Errorf("end time with 18:00 = %+v, want 1/4", got)
	}
	spring := afterschool.Count(afterschool.Of(d), nil, county(), afterschool.Spring, rule)
	if spring.Schools != sh(2, 6) || spring.Students != sh(880, 3350) || spring.Satisfaction.Percent() != "—" {
		t.Errorf("spring %+v", spring)
	}
	if afterschool.LatestTerm(afterschool.Of(d)) != afterschool.Spring || afterschool.LatestTerm(nil) != afterschool.Autumn {
		t.Error("latest term")
	}
	// A region sums its counties.
	var region afterschool.Indicators
	region.Add(ind)
	region.Add(spring)
	if region.Schools != sh(6, 12) || region.Students.All != 6700 || region.EndOK != sh(4, 6) || region.Vetted["passed"] != 2 || region.Courses != 53+30 {
		t.Errorf("region %+v", region)
	}
	if _, err := afterschool.RuleOf("5点半"); err == nil {
		t.Error("a bad end setting was accepted")
	}
}

// TestLedgerRules: the ledger refuses rows whose cells contradict each
// other, naming file, row and column.
func TestLedgerRules(t *testing.T) {
	_, err := ledger.Read(afterschool.Schema,
		ledger.File{Name: "t.csv", Data: []byte(head +
			"A1,,秋季,是,,,,,,,,,,,,,\n" +
			"A2,,秋季,是,8,16:30,100,120,10,12,,,,,5,6,\n" +
			"A3,,秋季,否,,,,30,,,,,,,,,\n" +
			"A4,,秋季,是,5,5点半,,10,,,,,,,,,\n" +
			"A2,,秋季学期,否,,,,,,,,,,,,,\n")},
		ledger.File{Name: "p.csv", Data: []byte("机构名称,统一社会信用代码,机构类型,审核结果,审核日期\n甲,12345,企业,通过,\n")})
	for _, w := range []string{
		"t.csv 第5行 F列「结束时间」：“5点半”不是时刻",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
	_, err = ledger.Read(afterschool.Schema,
		ledger.File{Name: "t.csv", Data: []byte(head +
			"A1,,秋季,是,,,,,,,,,,,,,\n" +
			"A2,,秋季,是,8,16:30,100,120,10,12,,,,,5,6,\n" +
			"A3,,秋季,否,,,,30,,,,,,,,,\n" +
			"A2,,秋季学期,否,,,,,,,,,,,,,\n")},
		ledger.File{Name: "p.csv", Data: []byte("机构名称,统一社会信用代码,机构类型,审核结果,审核日期\n甲,12345,企业,通过,\n")})
	for _, w := range []string{
		"t.csv 第2行 E列「每周服务天数」：开展课后服务的学校不能为空",
		"t.csv 第2行 F列「结束时间」：开展课后服务的学校不能为空",
		"t.csv 第2行 H列「参加学生数」：开展课后服务的学校不能为空",
		"t.csv 第3行 E列「每周服务天数」：“8”不在 1–7 之间",
		"t.csv 第3行 H列「参加学生数」：“120”多于在校学生数",
		"t.csv 第3行 J列「参与教师数」：“12”多于专任教师数",
		"t.csv 第3行 P列「满意人数」：“6”多于满意度调查人数",
		"t.csv 第4行 H列「参加学生数」：“30”未开展课后服务的学校不应有参加学生",
		"t.csv 第5行 C列「学期」：“秋季学期”与第3行重复",
		"p.csv 第2行 B列「统一社会信用代码」：“12345”不是18位统一社会信用代码",
		"p.csv 第2行 E列「审核日期」：已审核的机构不能为空",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
}

// TestTemplateRoundTrip: the ledger written as the import workbook reads
// back the same, every column of every table; the template reads back
// empty.
func TestTemplateRoundTrip(t *testing.T) {
	d := read(t)
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := ledger.Read(afterschool.Schema, ledger.File{Name: "x.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), back.Maps()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	stored, err := ledger.FromMaps(afterschool.Schema, back.Maps())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), stored.Maps()); diff != "" {
		t.Fatalf("store (-want +got):\n%s", diff)
	}
	for _, tb := range afterschool.Schema.Tables {
		if tb.EN == "" {
			t.Errorf("table %s has no English name", tb.ID)
		}
		for _, c := range tb.Cols {
			if c.EN == "" {
				t.Errorf("column %s.%s has no English name", tb.ID, c.Key)
			}
			for _, o := range c.Options {
				if o.EN == "" {
					t.Errorf("option %s.%s.%s has no English name", tb.ID, c.Key, o.Value)
				}
			}
			filled := false
			for _, r := range d.Rows(tb.ID) {
				filled = filled || r.Get(c.Key) != ""
			}
			if !filled {
				t.Errorf("the test ledger leaves column %s.%s empty: fill it so the round trip walks it", tb.ID, c.Key)
			}
		}
	}
	buf.Reset()
	if err := ledger.WriteXLSX(&buf, afterschool.Schema.New()); err != nil {
		t.Fatal(err)
	}
	empty, err := ledger.Read(afterschool.Schema, ledger.File{Name: "t.xlsx", Data: buf.Bytes()})
	if err != nil || empty.Len() != 0 {
		t.Fatalf("template read %v, %v", empty, err)
	}
}
