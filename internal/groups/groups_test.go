package groups_test

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/ledger"
)

func school(code string, typ census.SchoolType, loc string, primary, junior float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.Code, s.Name, s.Type, s.Location = 2025, "110101", code, "校"+code, typ, loc
	if primary > 0 {
		s.Set(census.StudentsPrimary, primary)
	}
	if junior > 0 {
		s.Set(census.StudentsJunior, junior)
	}
	return s
}

// county is the hand-computed county of TestCoverage.
func county() []census.School {
	s6 := school("S6", census.CompleteSecondary, "城区", 0, 800)
	s6.Set(census.StudentsSenior, 1200) // a 完全中学's senior pupils do not count
	return []census.School{
		school("S1", census.Primary, "城区", 600, 0),
		school("S2", census.Primary, "乡村", 200, 0),
		school("S3", census.Junior, "镇区", 0, 900),
		school("S4", census.NineYear, "乡村", 300, 150),
		school("S5", census.TeachingPoint, "乡村", 30, 0),
		s6,
		school("S7", census.Primary, "城区", 400, 0),
	}
}

const ledgerCSVGroups = `集团编号,集团名称,集团类型,办学模式,牵头学校代码,牵头学校,成立日期,撤销日期
G1,第一教育集团,紧密型,融合,S1,一小,2020-09-01,
G2,第二教育集团,松散型,协作型,S3,二中,,
G3,第三教育集团,紧密型,,S7,七小,2025-10-01,
G4,第四教育集团,松散型,共建,S6,六中,2019-09-01,2025-06-30
`

const ledgerCSVMembers = `集团编号,学校代码,学校名称,加入日期,退出日期
G1,S2,二小,2023-09-01,
G1,S5,五教学点,2023-09-01,
G1,S9,外县学校,2024-09-01,
G2,S4,四校,2025-09-01,
G2,S6,六中,2024-09-01,2025-07-01
G2,S2,二小,2024/9/1,
`

const ledgerCSVEvaluations = `集团编号,考核年度,考核结果,考核意见
G1,2025,优秀,
G2,2024,合格,辐射带动不足
`

func readLedger(t *testing.T) *ledger.Data {
	t.Helper()
	d, err := ledger.Read(groups.Schema,
		ledger.File{Name: "g.csv", Data: []byte(ledgerCSVGroups)},
		ledger.File{Name: "m.csv", Data: []byte(ledgerCSVMembers)},
		ledger.File{Name: "e.csv", Data: []byte(ledgerCSVEvaluations)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCoverage pins a county's coverage to a hand computation (see the
// package comment for what counts):
//
//	active on 2025-09-01: G1 (close), G2 (loose); G3 founded later, G4 dissolved before
//	members: G1 = S1 (lead), S2 (S5 a 教学点, S9 not in the census: unknown)
//	         G2 = S3 (lead), S4 (joined that day), S2 (S6 left 2025-07-01)
//	schools counted: S1 S2 S3 S4 S6 S7 (S5 a 教学点) → in a group 4 of 6
//	students: 600+200+900+450+800+400 = 3350, in 600+200+900+450 = 2150
//	小学: S1 S2 S4 S7, in 3 of 4; pupils 1500, in 1100
//	初中: S3 S4 S6, in 2 of 3; pupils 1850, in 1050
//	urban (城区, 镇区): S1 S3 S6 S7, in 2 of 4; rural: S2 S4, in 2 of 2
func TestCoverage(t *testing.T) {
	c := groups.Count(groups.Of(readLedger(t)), county(), 2025)
	sh := func(in, all int64) groups.Share { return groups.Share{In: in, All: all} }
	if c.Groups != 2 || c.Close != 1 || c.Loose != 1 {
		t.Errorf("groups %d (close %d, loose %d), want 2 (1, 1)", c.Groups, c.Close, c.Loose)
	}
	for _, x := range []struct {
		name      string
		got, want groups.Share
	}{
		{"schools", c.Schools, sh(4, 6)},
		{"students", c.Students, sh(2150, 3350)},
		{"primary schools", c.Stages[0].Schools, sh(3, 4)},
		{"primary pupils", c.Stages[0].Students, sh(1100, 1500)},
		{"junior schools", c.Stages[1].Schools, sh(2, 3)},
		{"junior pupils", c.Stages[1].Students, sh(1050, 1850)},
		{"urban", c.Urban, sh(2, 4)},
		{"rural", c.Rural, sh(2, 2)},
	} {
		if x.got != x.want {
			t.Errorf("%s = %d/%d, want %d/%d", x.name, x.got.In, x.got.All, x.want.In, x.want.All)
		}
	}
	if got := c.Students.Percent(); got != "64.2%" {
		t.Errorf("students %s, want 64.2%%", got)
	}
	if c.Schools.Rat().Cmp(big.NewRat(2, 3)) != 0 {
		t.Errorf("schools share %v, want exactly 2/3", c.Schools.Rat())
	}
	want := []groups.Unknown{
		{Group: "G1", School: "S5", Name: "校S5", Why: "是教学点，不计入学校数"},
		{Group: "G1", School: "S9", Name: "外县学校", Why: "不在本县本年度的学校数据中"},
	}
	if diff := cmp.Diff(want, c.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if len(c.PerGroup) != 2 || c.PerGroup[0].Schools != 2 || c.PerGroup[1].Schools != 3 ||
		c.PerGroup[0].Result != "excellent" || c.PerGroup[1].Result != "" || c.PerGroup[1].Students != 900+450+200 {
		t.Errorf("per group %+v", c.PerGroup)
	}
	// A year before: G2's S4 had not joined, S6 was still a member (of G2
	// and as G4's lead) — S1 S2 S3 S6 of six; G1 had no result for 2024,
	// G2 had.
	c24 := groups.Count(groups.Of(readLedger(t)), county(), 2024)
	if c24.Schools != sh(4, 6) || c24.Groups != 3 || c24.PerGroup[1].Result != "pass" {
		t.Errorf("2024: schools %+v, G2 result %q", c24.Schools, c24.PerGroup[1].Result)
	}
	// A region sums its counties.
	var region groups.Coverage
	region.Add(c)
	region.Add(c24)
	if region.Schools != sh(8, 12) || region.Stages[1].Students.All != 3700 || region.Groups != 5 {
		t.Errorf("region %+v", region)
	}
	if (groups.Share{}).Percent() != "—" || (groups.Share{}).Rat() != nil {
		t.Error("an empty share is not shown as a dash")
	}
}

// TestLedgerRules: the ledger refuses members of unknown groups, dates
// out of order and duplicate rows, each naming file, row and column.
func TestLedgerRules(t *testing.T) {
	_, err := ledger.Read(groups.Schema,
		ledger.File{Name: "g.csv", Data: []byte(ledgerCSVGroups + "G5,五,紧密型,,S2,,2025-09-01,2024-09-01\n")},
		ledger.File{Name: "m.csv", Data: []byte(ledgerCSVMembers + "G1,S7,,2025-09-01,2025-09-01\nG1,S2,二小,2023-09-01,\n")})
	for _, w := range []string{
		"g.csv 第6行 H列「撤销日期」：“2024-09-01”不晚于成立日期",
		"m.csv 第8行 E列「退出日期」：“2025-09-01”不晚于加入日期",
		"m.csv 第9行 D列「加入日期」：“2023-09-01”与第2行重复",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
	_, err = ledger.Read(groups.Schema,
		ledger.File{Name: "g.csv", Data: []byte(ledgerCSVGroups)},
		ledger.File{Name: "m.csv", Data: []byte("集团编号,学校代码,加入日期\nG9,S1,2025-09-01\n")},
		ledger.File{Name: "e.csv", Data: []byte("集团编号,考核年度,考核结果\nG1,25,优\n")})
	for _, w := range []string{
		"e.csv 第2行 C列「考核结果」：“优”不是可选的值；请填写优秀、良好、合格或不合格",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
	_, err = ledger.Read(groups.Schema,
		ledger.File{Name: "g.csv", Data: []byte(ledgerCSVGroups)},
		ledger.File{Name: "m.csv", Data: []byte("集团编号,学校代码,加入日期\nG9,S1,2025-09-01\n")},
		ledger.File{Name: "e.csv", Data: []byte("集团编号,考核年度,考核结果\nG1,25,优秀\n")})
	for _, w := range []string{
		"m.csv 第2行 A列「集团编号」：“G9”不是「教育集团」表中的集团编号",
		"e.csv 第2行 B列「考核年度」：“25”不是年度",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
}

// TestTemplateRoundTrip: the ledger written as the import workbook reads
// back the same, every column of every table.
func TestTemplateRoundTrip(t *testing.T) {
	d := readLedger(t)
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := ledger.Read(groups.Schema, ledger.File{Name: "x.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), back.Maps()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	for _, tb := range groups.Schema.Tables {
		for _, c := range tb.Cols {
			filled := false
			for _, r := range d.Rows(tb.ID) {
				filled = filled || r.Get(c.Key) != ""
			}
			if !filled {
				t.Errorf("the test ledger leaves column %s.%s empty: fill it so the round trip walks it", tb.ID, c.Key)
			}
		}
	}
}
