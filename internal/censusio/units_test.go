package censusio

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

var (
	kgHdr = []string{"年度", "县区代码", "县区名称", "幼儿园标识码", "幼儿园名称", "办园类型", "城乡类型",
		"在园幼儿数", "小班数", "中班数", "大班数", "混龄班数", "小班超25人班数", "中班超30人班数", "大班超35人班数", "混龄班超30人班数",
		"专任教师数", "持证专任教师数", "园长持证", "户外活动场地面积（㎡）"}
	kgRow  = []string{"2024", "340207", "鸠江区", "3134020801", "实验幼儿园", "公办园", "城区", "360", "4", "4", "4", "0", "0", "1", "0", "0", "26", "26", "1", "3600"}
	kgRow2 = []string{"2024", "340207", "鸠江区", "3134020802", "阳光幼儿园", "普惠性民办幼儿园", "镇区", "180", "2", "2", "2", "0", "0", "0", "1", "0", "12", "11", "0", ""}

	cHdr = []string{"year", "county_code", "county_name", "基本均衡认定年度", "义务教育教师年平均工资收入（万元）", "当地公务员年平均工资收入（元）",
		"交流轮岗教师数", "符合交流轮岗条件的教师数", "义务教育社会认可度（%）", "质量监测校际差异率", "特殊教育学校生均公用经费（元/生）"}
	cRow = []string{"2024", "340207", "鸠江区", "2016", "11.2", "108000", "150", "1200", "91.2%", "0.11", "7200"}
)

// unitCell returns row with header h's cell set to v.
func unitCell(hdr, row []string, h, v string) []string {
	out := slices.Clone(row)
	out[slices.Index(hdr, h)] = v
	return out
}

func TestReadKindergartens(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			data := csvBytes(kgHdr, kgRow, kgRow2)
			if format == "xlsx" {
				data = xlsxBytes(t, "幼儿园", kgHdr, kgRow, kgRow2)
			}
			b := mustRead(t, "幼儿园."+format, data, Options{}) // the kind is found from the header
			if b.Kind != census.KindKindergarten || len(b.Kindergartens) != 2 || len(b.Schools) != 0 || len(b.Warnings) != 0 {
				t.Fatalf("kind %s, %d kindergartens, %d schools, warnings %v", b.Kind, len(b.Kindergartens), len(b.Schools), b.Warnings)
			}
			k := b.Kindergartens[0]
			if k.Year != 2024 || k.CountyCode != "340207" || k.Code != "3134020801" || k.Category != census.CategoryPublic ||
				k.V[census.KgChildren] != 360 || k.V[census.KgOversizeMiddle] != 1 || k.V[census.KgOutdoorArea] != 3600 {
				t.Errorf("first kindergarten %+v", k)
			}
			k2 := b.Kindergartens[1]
			if k2.Category != census.CategoryInclusive || k2.V[census.KgPrincipalCertified] != 0 || !math.IsNaN(k2.V[census.KgOutdoorArea]) ||
				!math.IsNaN(k2.V[census.KgCaregivers]) {
				t.Errorf("second kindergarten %+v: empty must be unreported", k2)
			}
		})
	}
}

func TestReadCountyRecords(t *testing.T) {
	b := mustRead(t, "县级.csv", csvBytes(cHdr, cRow), Options{Kind: "county"})
	if b.Kind != census.KindCounty || len(b.Counties) != 1 {
		t.Fatalf("kind %s, %d counties", b.Kind, len(b.Counties))
	}
	c := b.Counties[0]
	if c.V[census.CTeacherPay] != 112000 || c.V[census.CCivilServantPay] != 108000 || c.V[census.CRecognitionCompulsory] != 91.2 ||
		c.V[census.CBasicBalanceYear] != 2016 || c.V[census.CMonitoringSchoolGap] != 0.11 || c.V[census.CSpecialEdFunding] != 7200 ||
		!math.IsNaN(c.V[census.CResidentChildren3to5]) {
		t.Errorf("county record %+v", c.V)
	}
	// Detected from the header too.
	if b := mustRead(t, "县级.csv", csvBytes(cHdr, cRow), Options{}); b.Kind != census.KindCounty {
		t.Errorf("detected %s", b.Kind)
	}
	// A school file is still a school file.
	if b := mustRead(t, "学校.csv", csvBytes(hdr, good), Options{}); b.Kind != census.KindSchool || len(b.Schools) != 1 {
		t.Errorf("school file read as %s", b.Kind)
	}
}

// TestUnitErrors: bad kindergarten and county files get the same clear
// errors as school files — file, row, column letter and header, value,
// problem and fix — and nothing is read.
func TestUnitErrors(t *testing.T) {
	cases := []struct {
		name  string
		rows  [][]string
		opt   Options
		want  []string // in the first error's text
		count int
	}{
		{"not a number", [][]string{kgHdr, unitCell(kgHdr, kgRow, "在园幼儿数", "三百")}, Options{}, []string{"第2行", "H列「在园幼儿数」", "“三百”不是数字"}, 1},
		{"fraction of a child", [][]string{kgHdr, unitCell(kgHdr, kgRow, "在园幼儿数", "360.5")}, Options{}, []string{"不是整数"}, 1},
		{"unknown category", [][]string{kgHdr, unitCell(kgHdr, kgRow, "办园类型", "私立")}, Options{}, []string{"F列「办园类型」", "“私立”不是可识别的办园类型", "普惠性民办"}, 1},
		{"short code", [][]string{kgHdr, unitCell(kgHdr, kgRow, "幼儿园标识码", "313402080")}, Options{}, []string{"不是10位幼儿园标识码"}, 1},
		{"over-size above classes", [][]string{kgHdr, unitCell(kgHdr, kgRow, "中班超30人班数", "5")}, Options{}, []string{"N列「中班超30人班数」", "大于 J列「中班数」"}, 1},
		{"principal 2", [][]string{kgHdr, unitCell(kgHdr, kgRow, "园长持证", "2")}, Options{}, []string{"只能是 1 或 0"}, 1},
		{"duplicate kindergarten", [][]string{kgHdr, kgRow, kgRow}, Options{}, []string{"第3行", "与第2行重复", "每所幼儿园只能有一行"}, 1},
		{"missing required column", [][]string{kgHdr[1:], kgRow[1:]}, Options{Kind: "kindergarten"}, []string{"缺少必填列：年度"}, 1},
		{"empty required cell", [][]string{kgHdr, unitCell(kgHdr, kgRow, "幼儿园名称", "")}, Options{}, []string{"E列「幼儿园名称」", "不能为空"}, 1},
		{"percent over 100", [][]string{cHdr, unitCell(cHdr, cRow, "义务教育社会认可度（%）", "120")}, Options{}, []string{"超过100%"}, 1},
		{"money without a unit", [][]string{unitCell(cHdr, cHdr, "当地公务员年平均工资收入（元）", "当地公务员年平均工资收入"), cRow}, Options{}, []string{"没有写明金额单位"}, 1},
		{"wrong unit", [][]string{unitCell(cHdr, cHdr, "特殊教育学校生均公用经费（元/生）", "特殊教育学校生均公用经费（万元）"), cRow}, Options{}, []string{"单位“万元”与该列不符"}, 1},
		{"rotated above eligible", [][]string{cHdr, unitCell(cHdr, cRow, "交流轮岗教师数", "1300")}, Options{}, []string{"大于 H列「符合交流轮岗条件的教师数」"}, 1},
		{"basic balance year", [][]string{cHdr, unitCell(cHdr, cRow, "基本均衡认定年度", "16")}, Options{}, []string{"不是有效的年度"}, 1},
		{"gap as a percentage", [][]string{cHdr, unitCell(cHdr, cRow, "质量监测校际差异率", "11")}, Options{}, []string{"不是百分数"}, 1},
		{"duplicate county", [][]string{cHdr, cRow, cRow}, Options{}, []string{"与第2行重复", "每个县区只能有一行"}, 1},
		{"negative", [][]string{cHdr, unitCell(cHdr, cRow, "交流轮岗教师数", "-3")}, Options{}, []string{"是负数"}, 1},
		{"two errors in one row", [][]string{cHdr, unitCell(cHdr, unitCell(cHdr, cRow, "year", "24"), "county_code", "3402")}, Options{}, []string{"不是有效的统计年度"}, 2},
		{"only a header", [][]string{kgHdr}, Options{}, []string{"只有表头", "每所幼儿园每年度填一行"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			es := mustFail(t, "bad.csv", csvBytes(tc.rows...), tc.opt)
			if len(es) != tc.count {
				t.Errorf("%d errors, want %d: %v", len(es), tc.count, es)
			}
			msg := es[0].Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if !strings.HasPrefix(msg, "bad.csv") || es[0].Fix == "" && tc.name != "only a header" {
				t.Errorf("error %q: want the file first and a fix", msg)
			}
		})
	}
}

func TestUnitOddities(t *testing.T) {
	// Unknown columns are kept aside and reported, not fatal.
	b := mustRead(t, "a.csv", csvBytes(append(slices.Clone(cHdr), "备注"), append(slices.Clone(cRow), "无")), Options{})
	if !slices.Equal(b.Unknown, []string{"备注"}) || len(b.Warnings) != 1 {
		t.Errorf("unknown %v warnings %v", b.Unknown, b.Warnings)
	}
	// Example rows are skipped.
	ex := unitCell(cHdr, cRow, "county_name", "【示例】鸠江区")
	b = mustRead(t, "a.csv", csvBytes(cHdr, ex, unitCell(cHdr, cRow, "county_code", "340208")), Options{})
	if len(b.Counties) != 1 || len(b.Skipped) != 1 || b.Counties[0].CountyCode != "340208" {
		t.Errorf("counties %d skipped %v", len(b.Counties), b.Skipped)
	}
	// A header that looks equally like two kinds is refused with a way out.
	es := mustFail(t, "a.csv", csvBytes([]string{"年度", "县区代码", "县区名称", "学校标识码", "幼儿园标识码"}, []string{"2024", "340207", "x", "3134020001", "3134020801"}), Options{})
	if !strings.Contains(es[0].Error(), "无法判断") || !strings.Contains(es[0].Error(), "--kind") {
		t.Errorf("ambiguous: %v", es)
	}
	// With a kind given, the sheet of that kind is read.
	f := excelize.NewFile()
	_ = f.SetSheetName("Sheet1", "学校")
	_ = f.SetSheetRow("学校", "A1", &[]any{"年度"})
	_, _ = f.NewSheet("县级数据")
	hdrRow, row := make([]any, len(cHdr)), make([]any, len(cRow))
	for i := range cHdr {
		hdrRow[i], row[i] = cHdr[i], cRow[i]
	}
	_ = f.SetSheetRow("县级数据", "A1", &hdrRow)
	_ = f.SetSheetRow("县级数据", "A2", &row)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	b = mustRead(t, "book.xlsx", buf.Bytes(), Options{Kind: "县级数据"})
	if b.Kind != census.KindCounty || len(b.Counties) != 1 {
		t.Errorf("workbook: kind %s, %d counties", b.Kind, len(b.Counties))
	}
}

// TestUnitTemplates: the kindergarten and county templates read back as
// example rows only, and their examples are valid rows once unmarked; the
// notes sheet explains every column.
func TestUnitTemplates(t *testing.T) {
	for _, kind := range []census.Kind{census.KindKindergarten, census.KindCounty} {
		t.Run(string(kind), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTemplate(&buf, string(kind)); err != nil {
				t.Fatal(err)
			}
			sp, _ := specFor(string(kind))
			b := mustRead(t, "模板.xlsx", buf.Bytes(), Options{})
			if b.Kind != kind || len(b.Skipped) != len(sp.examples) || len(b.Warnings) != 0 || len(b.Unknown) != 0 {
				t.Fatalf("kind %s skipped %d warnings %v unknown %v", b.Kind, len(b.Skipped), b.Warnings, b.Unknown)
			}
			f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows(sp.sheet)
			if err != nil {
				t.Fatal(err)
			}
			name := slices.IndexFunc(sp.cols, func(c templateColumn) bool { return c.key == sp.freeze })
			for i := 1; i < len(rows); i++ {
				rows[i][name] = strings.TrimPrefix(rows[i][name], "【示例】")
				// GetRows drops a row's trailing empty cells; a CSV file
				// has them (a short CSV row is refused, TestCSVShortRowRefused).
				for len(rows[i]) < len(rows[0]) {
					rows[i] = append(rows[i], "")
				}
			}
			b = mustRead(t, "examples.csv", csvBytes(rows...), Options{Kind: string(kind)})
			if n := len(b.Kindergartens) + len(b.Counties); n != len(sp.examples) || len(b.Warnings) != 0 {
				t.Fatalf("examples read as %d records, warnings %v", n, b.Warnings)
			}
			notes, err := f.GetRows("说明")
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			for _, r := range notes {
				text.WriteString(strings.Join(r, "|") + "\n")
			}
			for _, c := range census.TableOf(kind).Num {
				if !strings.Contains(text.String(), "|"+c.Key+"|") {
					t.Errorf("notes sheet does not explain %s", c.Key)
				}
			}
		})
	}
}
