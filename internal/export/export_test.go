package export

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

func TestCellText(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{math.NaN(), ""},
		{0.501787, "0.501787"},
		{1.0 / 3, "0.3333333333333333"}, // full precision, never rounded away
		{2000.0, "2000"},
		{7, "7"},
		{true, "是"},
		{"鸠江区", "鸠江区"},
	} {
		if got := CellText(tc.in); got != tc.want {
			t.Errorf("CellText(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func school(code string, n, backbone float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName, s.Code, s.Name, s.Type = 2024, "340207", "鸠江区", code, "学校"+code, census.Primary
	for f, v := range map[census.Field]float64{
		census.StudentsPrimary: n, census.QualifiedTeachersPrimary: n * .05, census.BackboneTeachersPrimary: backbone,
		census.PEArtTeachersPrimary: n * .01, census.TeachingArea: n * 5, census.SportsArea: n * 8,
		census.EquipmentValue: n * 2200, census.MultimediaRooms: n * .025,
	} {
		s.Set(f, v)
	}
	return s
}

func TestTablesAndText(t *testing.T) {
	r, _ := standards.Resolve("yzjh2017", "national")
	res := eval.Evaluate(r, 2024, []census.School{school("3402070001", 1000, 301), school("3402070002", 1000, 100)})
	ind, _ := Build(res, "indicators")
	if len(ind.Rows) != 14 {
		t.Fatalf("%d indicator rows, want 14", len(ind.Rows))
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ind); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF县区代码") {
		t.Error("CSV lacks the BOM that Excel needs for UTF-8")
	}
	if !strings.Contains(out, "backbone_teachers") || !strings.Contains(out, "0.5012468827930174") {
		t.Errorf("CSV lacks the unrounded CV:\n%s", out)
	}
	buf.Reset()
	if err := WriteText(&buf, res, eval.DetailParts); err != nil {
		t.Fatal(err)
	}
	txt := buf.String()
	for _, want := range []string{"资源配置：未达标", "⚠", "0.501247", "-0.001247", "共 1 个县区"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	if _, err := Build(res, "nope"); err == nil {
		t.Error("unknown table accepted")
	}
}

// TestFloorTextExact: the 85 % floors are computed on the decimals and
// printed as short as exact (3.57, 1700), never 3.5700000001 or
// 1700.0000000001; Chongqing's 2 decimals round half-up (4.505 → 4.51).
func TestFloorTextExact(t *testing.T) {
	national, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	chongqing, err := standards.Resolve("yzjh2017", "chongqing")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		r    *standards.Rules
		th   float64
		want string
	}{
		{national, 4.2, "85%（3.57）"},
		{national, 2000, "85%（1700）"},
		{national, 5.3, "85%（4.505）"},
		{national, 0.9, "85%（0.765）"},
		{chongqing, 5.3, "85%（4.51）"},
		{chongqing, 4.2, "85%（3.57）"},
		{chongqing, 2500, "85%（2125.00）"},
	} {
		if got := FloorText(tc.r, tc.th); got != tc.want {
			t.Errorf("%s FloorText(%v) = %q, want %q", tc.r.Profile.ID, tc.th, got, tc.want)
		}
	}
}
