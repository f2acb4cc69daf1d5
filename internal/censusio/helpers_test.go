package censusio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// hdr is the header of most test files: every required column, a spread of
// optional ones, in Chinese with the template's units.
var hdr = []string{
	"年度", "县区代码", "县区名称", "学校标识码", "学校名称", "学校类型", "办学性质", "城乡类型",
	"小学在校生数（人）", "初中在校生数（人）", "小学班级数", "小学超45人班级数",
	"小学专任教师数", "小学高于规定学历教师数", "小学县级以上骨干教师数", "小学体育艺术专任教师数",
	"初中专任教师数", "初中高于规定学历教师数",
	"教学及辅助用房面积（㎡）", "小学部教学及辅助用房面积（㎡）", "教学仪器设备值（元）",
	"初中县级以上骨干教师数", "初中体育艺术专任教师数", "体育运动场馆面积（㎡）", "网络多媒体教室数（间）",
}

// good is a valid row under hdr (a 九年一贯制学校).
var good = []string{
	"2024", "340207", "鸠江区", "3134020701", "沈巷学校", "九年一贯制学校", "公办", "乡村",
	"420", "300", "12", "0",
	"30", "29", "3", "4",
	"28", "25",
	"5200.5", "2800", "1600000",
	"2", "3", "6100", "14",
}

// good2 is a second valid row, a 小学 that leaves the junior columns empty.
var good2 = []string{
	"2024", "340207", "鸠江区", "3134020702", "第一小学", "小学", "公办", "城区",
	"1200", "", "27", "1",
	"68", "66", "9", "10",
	"", "",
	"8600", "", "3100000",
	"", "", "9800", "30",
}

// wantGood and wantGood2 are good and good2 as records.
func wantGood() census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = 2024, "340207", "鸠江区"
	s.Code, s.Name, s.Type, s.Ownership, s.Location = "3134020701", "沈巷学校", census.NineYear, "公办", "乡村"
	for f, v := range map[census.Field]float64{
		census.StudentsPrimary: 420, census.StudentsJunior: 300, census.ClassesPrimary: 12, census.OversizeClassesPrimary: 0,
		census.TeachersPrimary: 30, census.QualifiedTeachersPrimary: 29, census.BackboneTeachersPrimary: 3, census.PEArtTeachersPrimary: 4,
		census.TeachersJunior: 28, census.QualifiedTeachersJunior: 25,
		census.TeachingArea: 5200.5, census.TeachingAreaPrimary: 2800, census.EquipmentValue: 1600000,
		census.BackboneTeachersJunior: 2, census.PEArtTeachersJunior: 3, census.SportsArea: 6100, census.MultimediaRooms: 14,
	} {
		s.Set(f, v)
	}
	return s
}

func wantGood2() census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = 2024, "340207", "鸠江区"
	s.Code, s.Name, s.Type, s.Ownership, s.Location = "3134020702", "第一小学", census.Primary, "公办", "城区"
	for f, v := range map[census.Field]float64{
		census.StudentsPrimary: 1200, census.ClassesPrimary: 27, census.OversizeClassesPrimary: 1,
		census.TeachersPrimary: 68, census.QualifiedTeachersPrimary: 66, census.BackboneTeachersPrimary: 9, census.PEArtTeachersPrimary: 10,
		census.TeachingArea: 8600, census.EquipmentValue: 3100000, census.SportsArea: 9800, census.MultimediaRooms: 30,
	} {
		s.Set(f, v)
	}
	return s
}

// with returns a copy of row with the cell under header h set to v.
func with(row []string, h string, v string) []string {
	i := slices.Index(hdr, h)
	if i < 0 {
		panic("no header " + h)
	}
	out := slices.Clone(row)
	out[i] = v
	return out
}

// letterOf is the column letter of header h in hdr.
func letterOf(h string) string { return letter(slices.Index(hdr, h)) }

// csvBytes writes rows as UTF-8 CSV the way encoding/csv quotes them.
func csvBytes(rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// xlsxBytes writes rows to the first sheet of a new workbook, numbers as
// numbers (the way Excel stores a typed number) and everything else as text.
func xlsxBytes(t testing.TB, sheet string, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	} else {
		sheet = "Sheet1"
	}
	for r, row := range rows {
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
			if r > 0 && numeric(v) && !strings.HasPrefix(v, "0") && i != 3 {
				x, _ := strconv.ParseFloat(v, 64)
				vals[i] = x
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mustRead reads data and fails the test on any error.
func mustRead(t testing.TB, name string, data []byte, opt Options) *Batch {
	t.Helper()
	b, err := Read(name, bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return b
}

// mustFail reads data and returns its Errors, failing the test when the
// read succeeds or fails otherwise.
func mustFail(t testing.TB, name string, data []byte, opt Options) Errors {
	t.Helper()
	b, err := Read(name, bytes.NewReader(data), opt)
	if err == nil {
		t.Fatalf("Read(%s) succeeded with %d schools; want errors", name, len(b.Schools))
	}
	if b != nil {
		t.Errorf("Read(%s) returned a batch together with an error", name)
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Read(%s) error %T %q; want Errors", name, err, err)
	}
	return es
}
