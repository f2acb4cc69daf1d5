package censusio

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dudao-edu/dudao/internal/census"
)

var equateNaN = cmpopts.EquateNaNs()

func TestReadFormats(t *testing.T) {
	utf8CSV := csvBytes(hdr, good, good2)
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf8CSV)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gb, utf8CSV) {
		t.Fatal("GB18030 encoding did not change the file; the test would prove nothing")
	}
	var tsv bytes.Buffer
	for _, row := range [][]string{hdr, good, good2} {
		tsv.WriteString(strings.Join(row, "\t") + "\r\n")
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(tsv.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"utf8.csv", utf8CSV},
		{"bom.csv", append(slices.Clone(utf8BOM), utf8CSV...)},
		{"gbk.csv", gb},
		{"unicode-text.txt", utf16},
		{"book.xlsx", xlsxBytes(t, "", hdr, good, good2)},
		{"crlf.csv", bytes.ReplaceAll(utf8CSV, []byte("\n"), []byte("\r\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustRead(t, tc.name, tc.data, Options{})
			want := []census.School{wantGood(), wantGood2()}
			if diff := cmp.Diff(want, b.Schools, equateNaN); diff != "" {
				t.Errorf("schools mismatch (-want +got):\n%s", diff)
			}
			sum := sha256.Sum256(tc.data)
			if b.File != tc.name || b.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("File, SHA256 = %q, %q; want %q and the file's hash", b.File, b.SHA256, tc.name)
			}
			if len(b.Warnings) != 0 || len(b.Unknown) != 0 || len(b.Skipped) != 0 {
				t.Errorf("unexpected notes: warnings %v, unknown %v, skipped %v", b.Warnings, b.Unknown, b.Skipped)
			}
		})
	}
}

func TestReadFileDispatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsx := xlsxBytes(t, "", hdr, good)
	csvData := csvBytes(hdr, good)

	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"a.xlsx", xlsx},
		{"a.csv", csvData},
		{"UPPER.CSV", csvData},
		{"renamed.csv", xlsx}, // content wins: users rename files
		{"renamed.xls", xlsx},
		{"csv-named.xlsx", csvData}, // a CSV renamed .xlsx is read as the CSV it is
	} {
		b, err := ReadFile(write(tc.name, tc.data), Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(b.Schools) != 1 || b.File != tc.name {
			t.Errorf("%s: got %d schools, File %q", tc.name, len(b.Schools), b.File)
		}
	}

	for _, tc := range []struct {
		name string
		data []byte
		want []string
	}{
		{"old.xls", []byte("whatever"), []string{"old.xls", ".xls", "另存为", ".xlsx"}},
		{"report.pdf", []byte("%PDF-1.7"), []string{"report.pdf", ".pdf", ".xlsx 或 .csv"}},
		{"noext", csvData, []string{"noext", "没有扩展名"}},
		{"fake.xlsx", []byte("%PDF-1.4 ..."), []string{"fake.xlsx", "PDF"}},
		{"real-xls.xlsx", append(slices.Clone(oleMagic), make([]byte, 100)...), []string{"real-xls.xlsx", "97-2003", "另存为"}},
		// Text under a workbook's name that is no census file: says what it is.
		{"notes.xlsx", []byte("会议纪要\n第一项\n"), []string{"notes.xlsx", "扩展名是 .xlsx，但内容是文本（CSV）", "第一行不是表头"}},
	} {
		_, err := ReadFile(write(tc.name, tc.data), Options{})
		var es Errors
		if !errors.As(err, &es) {
			t.Errorf("%s: error %v; want Errors", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}

	_, err := ReadFile(filepath.Join(dir, "missing.csv"), Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v; want fs.ErrNotExist naming the file", err)
	}
	var es Errors
	if errors.As(err, &es) {
		t.Errorf("missing file gave validation Errors; want a plain error")
	}
}

func TestReadNames(t *testing.T) {
	for in, want := range map[string]string{
		`C:\fakepath\学校.csv`: "学校.csv", "/tmp/x/a.csv": "a.csv", "a.csv": "a.csv", "": "（未命名文件）",
	} {
		b := mustRead(t, in, csvBytes(hdr, good), Options{})
		if b.File != want {
			t.Errorf("Read(%q).File = %q; want %q", in, b.File, want)
		}
	}
}

func TestOptionsInvalid(t *testing.T) {
	for _, opt := range []Options{{EquipmentUnit: "千元"}, {Kind: "hospital"}} {
		_, err := Read("a.csv", bytes.NewReader(csvBytes(hdr, good)), opt)
		var es Errors
		if err == nil || errors.As(err, &es) || !strings.Contains(err.Error(), "a.csv") {
			t.Errorf("%+v: error %v; want a plain error naming the file", opt, err)
		}
	}
}

func TestHeaderVariants(t *testing.T) {
	for _, tc := range []struct {
		header string
		field  census.Field
	}{
		{"小学在校生数", census.StudentsPrimary},
		{" 小学 在校生数 ", census.StudentsPrimary},
		{"小学在校生数（人）", census.StudentsPrimary},
		{"小学在校生数(人)", census.StudentsPrimary},
		{"小学在校生数 ( 人 )", census.StudentsPrimary},
		{"小学在校生数（名）", census.StudentsPrimary},
		{"students_primary", census.StudentsPrimary},
		{"Students_Primary", census.StudentsPrimary},
		{"ｓｔｕｄｅｎｔｓ＿ｐｒｉｍａｒｙ", census.StudentsPrimary},
		{"小学在校生数\u3000", census.StudentsPrimary},
		{"教学及辅助用房面积", census.TeachingArea},
		{"教学及辅助用房面积（㎡）", census.TeachingArea},
		{"教学及辅助用房面积(m2)", census.TeachingArea},
		{"教学及辅助用房面积（平方米）", census.TeachingArea},
		{"教学及辅助用房面积【㎡】", census.TeachingArea},
		{"教学及辅助用房面积[㎡]", census.TeachingArea},
		{"教学及辅助用房面积（单位：㎡）", census.TeachingArea},
		{"teaching_area(㎡)", census.TeachingArea},
		{"网络多媒体教室数（间）", census.MultimediaRooms},
		{"网络多媒体教室数（个）", census.MultimediaRooms},
		{"小学超45人班级数（个）", census.OversizeClassesPrimary},
		{"小学部教学及辅助用房面积（㎡）", census.TeachingAreaPrimary},
	} {
		h := slices.Clone(hdr[:8])
		h = append(h, tc.header)
		row := append(slices.Clone(good[:8]), "7")
		for _, name := range []string{"v.csv", "v.xlsx"} {
			data := csvBytes(h, row)
			if name == "v.xlsx" {
				data = xlsxBytes(t, "", h, row)
			}
			b, err := Read(name, bytes.NewReader(data), Options{})
			if err != nil {
				t.Errorf("%q in %s: %v", tc.header, name, err)
				continue
			}
			if len(b.Unknown) != 0 {
				t.Errorf("%q in %s: unknown %v", tc.header, name, b.Unknown)
			}
			if got, ok := b.Schools[0].Get(tc.field); !ok || got != 7 {
				t.Errorf("%q in %s: %s = %v, %v; want 7", tc.header, name, tc.field, got, ok)
			}
		}
	}
	// Text columns by key, and with a harmless remark.
	h := []string{"year", "COUNTY_CODE", "county_name", "学校标识码（10位）", "school_name", "学校 类型", "ownership", "location"}
	b := mustRead(t, "keys.csv", csvBytes(h, good[:8]), Options{})
	if s := b.Schools[0]; s.Code != "3134020701" || s.Type != census.NineYear || s.Year != 2024 {
		t.Errorf("text columns by key: %+v", s)
	}
}

func TestEquipmentUnits(t *testing.T) {
	h := append(slices.Clone(hdr[:8]), "小学在校生数", "", "")
	row := append(slices.Clone(good[:8]), "1000", "12.3456", "3")
	for _, tc := range []struct {
		name       string
		headers    [2]string
		opt        Options
		whole, pri float64
	}{
		{"yuan header", [2]string{"教学仪器设备值（元）", "小学部教学仪器设备值(元)"}, Options{}, 12.3456, 3},
		{"wan header", [2]string{"教学仪器设备值（万元）", "小学部教学仪器设备值(万元)"}, Options{}, 123456, 30000},
		{"wan header wins over option", [2]string{"教学仪器设备值（万元）", "小学部教学仪器设备值（万元）"}, Options{EquipmentUnit: "元"}, 123456, 30000},
		{"key means yuan", [2]string{"equipment_value", "equipment_value_primary"}, Options{}, 12.3456, 3},
		{"key with unit", [2]string{"equipment_value（万元）", "equipment_value_primary"}, Options{}, 123456, 3},
		{"bare with option yuan", [2]string{"教学仪器设备值", "小学部教学仪器设备值"}, Options{EquipmentUnit: "元"}, 12.3456, 3},
		{"bare with option wan", [2]string{"教学仪器设备值", "小学部教学仪器设备值"}, Options{EquipmentUnit: "万元"}, 123456, 30000},
		{"单位 form", [2]string{"教学仪器设备值（单位：万元）", "小学部教学仪器设备值（单位:元）"}, Options{}, 123456, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hh := slices.Clone(h)
			hh[9], hh[10] = tc.headers[0], tc.headers[1]
			for _, name := range []string{"e.csv", "e.xlsx"} {
				data := csvBytes(hh, row)
				if name == "e.xlsx" {
					data = xlsxBytes(t, "", hh, row)
				}
				b := mustRead(t, name, data, tc.opt)
				s := b.Schools[0]
				if got := s.V[census.EquipmentValue]; got != tc.whole {
					t.Errorf("%s: equipment_value = %v; want %v", name, got, tc.whole)
				}
				if got := s.V[census.EquipmentValuePrimary]; got != tc.pri {
					t.Errorf("%s: equipment_value_primary = %v; want %v", name, got, tc.pri)
				}
			}
		})
	}

	// The funds columns are money too.
	hf := append(slices.Clone(hdr[:8]), "公用经费支出（万元）", "public_funds_typo", "教师培训经费支出（元）", "举办者")
	rf := append(slices.Clone(good[:8]), "35.5", "1", "20000", "乡镇")
	b := mustRead(t, "funds.csv", csvBytes(hf, rf), Options{})
	if s := b.Schools[0]; s.V[census.PublicFunds] != 355000 || s.V[census.TrainingFunds] != 20000 || s.Sponsor != "乡镇" {
		t.Errorf("funds read as %v, %v, sponsor %q", s.V[census.PublicFunds], s.V[census.TrainingFunds], s.Sponsor)
	}
	hf[8] = "公用经费支出"
	if es := mustFail(t, "funds.csv", csvBytes(hf, rf), Options{}); len(es) != 1 || !strings.Contains(es[0].Error(), "公用经费支出（万元）") {
		t.Errorf("bare 公用经费支出: %v", es)
	}

	// No unit and no option: an error that says how to fix it, once per column.
	hh := slices.Clone(h)
	hh[9], hh[10] = "教学仪器设备值", "小学部教学仪器设备值"
	es := mustFail(t, "bare.csv", csvBytes(hh, row), Options{})
	if len(es) != 2 {
		t.Fatalf("got %d errors; want 2: %v", len(es), es)
	}
	msg := es[0].Error()
	for _, w := range []string{"bare.csv", "第1行", "J列「教学仪器设备值」", "教学仪器设备值（元）", "教学仪器设备值（万元）", "指定金额单位"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
	// A unit that is neither.
	hh[9], hh[10] = "教学仪器设备值（千元）", "小学部教学仪器设备值（元）"
	es = mustFail(t, "k.csv", csvBytes(hh, row), Options{EquipmentUnit: "元"})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "千元") || !strings.Contains(es[0].Error(), "（万元）") {
		t.Errorf("千元 header: %v", es)
	}
}

func TestNotReportedIsNotZero(t *testing.T) {
	row := with(with(good, "初中在校生数（人）", ""), "小学超45人班级数", "0")
	row = with(row, "小学部教学及辅助用房面积（㎡）", "  ")
	b := mustRead(t, "z.csv", csvBytes(hdr, row), Options{})
	s := b.Schools[0]
	if s.Has(census.StudentsJunior) || s.Has(census.TeachingAreaPrimary) {
		t.Errorf("empty cells read as reported: %v, %v", s.V[census.StudentsJunior], s.V[census.TeachingAreaPrimary])
	}
	if v, ok := s.Get(census.OversizeClassesPrimary); !ok || v != 0 {
		t.Errorf("0 read as %v, %v; want reported 0", v, ok)
	}
	// Columns absent from the file are not reported either.
	if s.Has(census.ClassesJunior) || s.Has(census.CertifiedTeachers) {
		t.Error("absent columns read as reported")
	}
}

func TestNumberFormats(t *testing.T) {
	for in, want := range map[string]float64{
		"1234": 1234, "1,234": 1234, "1 234": 1234, "1\u00a0234": 1234, "１２３４": 1234, "1，234": 1234,
		"12,345,678": 12345678, "1234.0": 1234, "1.234E+3": 1234, "+12": 12, "0": 0, "-0": 0, "０": 0,
		"1234.000000000001": 1234, // float noise from a spreadsheet formula
	} {
		row := with(good, "小学在校生数（人）", in)
		b, err := Read("n.csv", bytes.NewReader(csvBytes(hdr, row)), Options{})
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := b.Schools[0].V[census.StudentsPrimary]; got != want || math.Signbit(got) {
			t.Errorf("%q read as %v; want %v", in, got, want)
		}
	}
	for in, want := range map[string]float64{"5,200.75": 5200.75, "5200.75": 5200.75, ".5": 0.5, "1.5e3": 1500} {
		row := with(with(good, "教学及辅助用房面积（㎡）", in), "小学部教学及辅助用房面积（㎡）", "")
		b, err := Read("n.csv", bytes.NewReader(csvBytes(hdr, row)), Options{})
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := b.Schools[0].V[census.TeachingArea]; got != want {
			t.Errorf("%q read as %v; want %v", in, got, want)
		}
	}
	for _, in := range []string{"abc", "十二", "1,2", "12,34", "1,2345", "1 23", "0x10", "Inf", "NaN", "12%", "-", "—", "/", "无", "1e", "1.2.3", "1,234 567", "1e999"} {
		row := with(good, "教学及辅助用房面积（㎡）", in)
		es := mustFail(t, "n.csv", csvBytes(hdr, row), Options{})
		if len(es) != 1 || !strings.Contains(es[0].Problem, "不是数字") {
			t.Errorf("%q: %v; want one 不是数字 error", in, es)
		}
	}
}

// TestErrors checks that each kind of bad input is caught and that its
// message names the file, the row, the column (letter and header), the
// value and the fix.
func TestErrors(t *testing.T) {
	L := letterOf
	for _, tc := range []struct {
		name string
		rows [][]string
		want []string // substrings of the only error's message
	}{
		{"text in numeric", [][]string{hdr, good, with(good2, "小学在校生数（人）", "abc")},
			[]string{"第3行", L("小学在校生数（人）") + "列「小学在校生数（人）」", "“abc”", "不是数字", "请填写阿拉伯数字"}},
		{"chinese numeral", [][]string{hdr, with(good, "小学班级数", "十二")},
			[]string{"第2行", L("小学班级数") + "列「小学班级数」", "“十二”", "不是数字"}},
		{"negative", [][]string{hdr, with(good, "教学及辅助用房面积（㎡）", "-5")},
			[]string{"第2行", "「教学及辅助用房面积（㎡）」", "“-5”", "负数", "请核对"}},
		{"fraction in integer", [][]string{hdr, with(good, "小学在校生数（人）", "420.5")},
			[]string{"第2行", "「小学在校生数（人）」", "“420.5”", "不是整数", "以人计，请填写整数"}},
		{"qualified above teachers", [][]string{hdr, with(good, "小学高于规定学历教师数", "31")},
			[]string{"第2行", L("小学高于规定学历教师数") + "列「小学高于规定学历教师数」", "“31”",
				"大于 " + L("小学专任教师数") + "列「小学专任教师数」（30）", "请核对这两列"}},
		{"junior qualified above teachers", [][]string{hdr, with(good, "初中高于规定学历教师数", "29")},
			[]string{"「初中高于规定学历教师数」", "「初中专任教师数」（28）"}},
		{"backbone above teachers", [][]string{hdr, with(good, "小学县级以上骨干教师数", "40")},
			[]string{"「小学县级以上骨干教师数」", "“40”", "「小学专任教师数」（30）", "骨干教师是专任教师的一部分"}},
		{"pe art above teachers", [][]string{hdr, with(good, "小学体育艺术专任教师数", "35")},
			[]string{"「小学体育艺术专任教师数」", "“35”", "「小学专任教师数」（30）"}},
		{"oversize above classes", [][]string{hdr, with(good, "小学超45人班级数", "13")},
			[]string{"「小学超45人班级数」", "“13”", "「小学班级数」（12）"}},
		{"part above whole", [][]string{hdr, with(good, "小学部教学及辅助用房面积（㎡）", "6000")},
			[]string{"「小学部教学及辅助用房面积（㎡）」", "“6000”", "「教学及辅助用房面积（㎡）」（5200.5）", "分学段面积是全校面积的一部分"}},
		{"senior title above teachers", [][]string{append(slices.Clone(hdr), "小学中级及以上职称教师数"), append(slices.Clone(good), "31")},
			[]string{"「小学中级及以上职称教师数」", "“31”", "「小学专任教师数」（30）"}},
		{"books part above whole", [][]string{append(slices.Clone(hdr), "图书册数（册）", "初中部图书册数（本）"), append(slices.Clone(good), "1000", "1001")},
			[]string{"「初中部图书册数（本）」", "“1001”", "「图书册数（册）」（1000）"}},
		{"duplicate school", [][]string{hdr, good, good2, good},
			[]string{"第4行", L("学校标识码") + "列「学校标识码」", "“3134020701”", "与第2行重复（2024年度）", "删除或合并第2行和第4行"}},
		{"unknown school type", [][]string{hdr, with(good, "学校类型", "职业高中")},
			[]string{"第2行", "「学校类型」", "“职业高中”", "小学、初中、九年一贯制学校、十二年一贯制学校、完全中学、教学点、特殊教育学校", "primary"}},
		{"short year", [][]string{hdr, with(good, "年度", "24")},
			[]string{"第2行", "A列「年度」", "“24”", "统计年度", "如 2024"}},
		{"old year", [][]string{hdr, with(good, "年度", "1999")}, []string{"“1999”", "2000–2100"}},
		{"school year range", [][]string{hdr, with(good, "年度", "2024-2025")}, []string{"“2024-2025”"}},
		{"county code", [][]string{hdr, with(good, "县区代码", "34020")},
			[]string{"B列「县区代码」", "“34020”", "6位", "如 340207"}},
		{"school code short", [][]string{hdr, with(good, "学校标识码", "313402070")},
			[]string{"D列「学校标识码」", "“313402070”", "10位"}},
		{"school code scientific", [][]string{hdr, with(good, "学校标识码", "3.1340207E+09")},
			[]string{"“3.1340207E+09”", "科学计数法", "文本"}},
		{"required cell empty", [][]string{hdr, with(good, "学校名称", " ")},
			[]string{"第2行", "E列「学校名称」", "不能为空", "请填写学校名称"}},
		{"missing required columns", [][]string{
			{"年度", "县区名称", "学校名称", "学校类型", "小学在校生数"},
			{"2024", "鸠江区", "一小", "小学", "5"}},
			[]string{"第1行", "缺少必填列：县区代码、学校标识码", "第一行加上这些列名"}},
		{"header only", [][]string{hdr}, []string{"只有表头，没有数据行", "从第2行起"}},
		{"header and empty rows", [][]string{hdr, make([]string, len(hdr)), {""}}, []string{"只有表头"}},
		{"title row above header", [][]string{{"2024年义务教育学校基本情况表"}, hdr, good},
			[]string{"第1行", "不是表头", "删除表头上方的标题行"}},
		{"same column twice", [][]string{append(slices.Clone(hdr), "students_primary"), append(slices.Clone(good), "1")},
			[]string{"第1行", letter(len(hdr)) + "列「students_primary」", "与 I列「小学在校生数（人）」是同一列", "删除其中一列"}},
		{"wrong unit", [][]string{append(slices.Clone(hdr), "体育运动场馆面积（亩）"), append(slices.Clone(good), "1")},
			[]string{"「体育运动场馆面积（亩）」", "单位“亩”", "㎡", "体育运动场馆面积（㎡）"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"csv", "xlsx"} {
				name := "bad." + format
				data := csvBytes(tc.rows...)
				if format == "xlsx" {
					data = xlsxBytes(t, "", tc.rows...)
				}
				es := mustFail(t, name, data, Options{})
				if len(es) != 1 {
					t.Errorf("%s: got %d errors, want 1: %v", format, len(es), es)
					continue
				}
				msg := es[0].Error()
				if !strings.HasPrefix(msg, name) {
					t.Errorf("%s: %q does not start with the file name", format, msg)
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("%s: %q is more than one line", format, msg)
				}
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: %q does not mention %q", format, msg, w)
					}
				}
			}
		})
	}
}

func TestErrorsNotSpreadsheet(t *testing.T) {
	// A zip that is not a workbook, a damaged workbook, and other files.
	var zipData bytes.Buffer
	{
		f := excelize.NewFile()
		_ = f.Write(&zipData)
		f.Close()
	}
	zipOf := func(files ...[2]string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, f := range files {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: zip.Store})
			_, _ = w.Write([]byte(f[1]))
		}
		zw.Close()
		return b.Bytes()
	}
	damaged := slices.Clone(xlsxBytes(t, "", hdr, good))
	damaged = damaged[:len(damaged)/2]
	for _, tc := range []struct {
		name string
		data []byte
		want []string
	}{
		{"empty.csv", nil, []string{"empty.csv", "空文件"}},
		{"spaces.csv", []byte(" \r\n\r\n"), []string{"spaces.csv", "空文件"}},
		{"bom-only.csv", utf8BOM, []string{"bom-only.csv", "空文件"}},
		{"damaged.xlsx", damaged, []string{"damaged.xlsx", "不是有效的 .xlsx", "另存为"}},
		{"doc.docx", append([]byte("PK\x03\x04"), make([]byte, 64)...), []string{"doc.docx", "不是有效的 .xlsx"}},
		{"empty.xlsx", zipData.Bytes(), []string{"empty.xlsx", "没有任何内容"}},
		// Zips that are other documents say what they are.
		{"calc.xlsx", zipOf([2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, [2]string{"content.xml", "<x/>"}),
			[]string{"calc.xlsx", "OpenDocument 表格（.ods", "另存为"}},
		{"report.xlsx", zipOf([2]string{"[Content_Types].xml", "<x/>"}, [2]string{"word/document.xml", "<x/>"}), []string{"report.xlsx", "Word 文档"}},
		{"slides.xlsx", zipOf([2]string{"ppt/presentation.xml", "<x/>"}), []string{"slides.xlsx", "PowerPoint"}},
		{"scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), []string{"scan.png", "不是表格文件", "PNG"}},
		{"blob.bin", []byte("a,b\x00\x01\x02,c\n"), []string{"blob.bin", "不是表格文件"}},
		{"latin1.csv", []byte("年度\xff\xfe\xfd,x\n"), []string{"latin1.csv", "编码无法识别", "CSV UTF-8"}},
		{"old.xls", append(slices.Clone(oleMagic), make([]byte, 512)...), []string{"old.xls", "97-2003"}},
		{"joined.csv", bytes.Replace(csvBytes(hdr, good, good2), []byte("第一小学"), []byte("第一\xb0小学"), 1),
			[]string{"joined.csv", "UTF-8 编码，但第3行附近", "CSV UTF-8"}},
	} {
		es := mustFail(t, tc.name, tc.data, Options{})
		msg := es.Error()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not mention %q", tc.name, msg, w)
			}
		}
	}
}

func TestErrorsAllReportedAndCapped(t *testing.T) {
	rows := [][]string{hdr}
	for i := range 150 {
		r := with(good, "学校标识码", fmt.Sprintf("31340%05d", i))
		rows = append(rows, with(r, "小学在校生数（人）", "x"))
	}
	es := mustFail(t, "many.csv", csvBytes(rows...), Options{})
	if len(es) != MaxErrors+1 {
		t.Fatalf("got %d errors; want %d listed plus a summary", len(es), MaxErrors)
	}
	last := es[len(es)-1]
	if last.Row != 0 || !strings.Contains(last.Error(), "另有 50 处错误未列出") {
		t.Errorf("summary = %q", last)
	}
	if es.Total() != 150 {
		t.Errorf("Total() = %d; want 150", es.Total())
	}
	if msg := es.Error(); !strings.Contains(msg, "发现 150 处错误") || strings.Count(msg, "\n") != MaxErrors+1 {
		t.Errorf("Errors.Error() = %q…", msg[:200])
	}
	// Several errors in one row are all reported.
	r := with(with(good, "年度", "x"), "小学班级数", "y")
	es = mustFail(t, "two.csv", csvBytes(hdr, r), Options{})
	if len(es) != 2 || !strings.Contains(es.Error(), "发现 2 处错误") {
		t.Errorf("two errors in a row: %v", es)
	}
}

func TestSkippedRows(t *testing.T) {
	empty := make([]string, len(hdr))
	ex := with(good, "学校名称", "【示例】某某学校")
	ex = with(ex, "小学在校生数（人）", "not even checked")
	rows := [][]string{hdr, ex, empty, good, empty, empty, {"", " "}, good2, empty}
	for _, format := range []string{"csv", "xlsx"} {
		name := "s." + format
		data := csvBytes(rows...)
		if format == "xlsx" {
			data = xlsxBytes(t, "", rows...)
		}
		b := mustRead(t, name, data, Options{})
		if len(b.Schools) != 2 {
			t.Errorf("%s: %d schools; want 2", format, len(b.Schools))
		}
		var got []string
		for _, n := range b.Skipped {
			got = append(got, n.String())
		}
		want := []string{
			name + " 第2行 E列「学校名称」：学校名称以【示例】开头，是模板的示例行，已跳过",
			name + " 第3行：空行，已跳过",
			name + " 第5行：第5–7行是空行，已跳过",
			name + " 第9行：空行，已跳过",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s skipped (-want +got):\n%s", format, diff)
		}
	}
}

func TestCSVRowNumbers(t *testing.T) {
	// A blank line is a row in Excel; a quoted cell with line breaks is not.
	data := string(csvBytes(hdr, with(good, "学校名称", "沈巷\n学校"))) + "\n" + string(csvBytes(with(good2, "小学班级数", "x")))
	es := mustFail(t, "lines.csv", []byte(data), Options{})
	if len(es) != 1 || es[0].Row != 4 {
		t.Errorf("got %v; want one error in row 4", es)
	}
}

func TestUnknownColumnsAndStrayCells(t *testing.T) {
	h := append(slices.Clone(hdr), "备注", "", "校长姓名")
	row := append(slices.Clone(good), "新建校区", "stray", "张三")
	for _, format := range []string{"csv", "xlsx"} {
		name := "u." + format
		data := csvBytes(h, row, append(slices.Clone(good2), "", "", "", "beyond"))
		if format == "xlsx" {
			data = xlsxBytes(t, "", h, row, append(slices.Clone(good2), "", "", "", "beyond"))
		} else {
			// In a CSV file a cell beyond the header is refused
			// (TestCSVLongRowRefused); in a workbook it is a warning.
			es := mustFail(t, name, data, Options{})
			if len(es) != 1 || es[0].Row != 3 || es[0].Letter != letter(len(h)) || !strings.Contains(es[0].Error(), "比表头多") {
				t.Errorf("csv: got %v; want one error in row 3 column %s", es, letter(len(h)))
			}
			data = csvBytes(h, row, append(slices.Clone(good2), "", "", "", ""))
		}
		b := mustRead(t, name, data, Options{})
		if diff := cmp.Diff([]string{"备注", "校长姓名"}, b.Unknown); diff != "" {
			t.Errorf("%s unknown (-want +got):\n%s", format, diff)
		}
		var got []string
		for _, n := range b.Warnings {
			got = append(got, n.String())
		}
		n := len(hdr)
		want := []string{
			name + " 第1行 " + letter(n) + "列「备注」：未识别的列，已忽略其数据（列名见模板的“说明”页）",
			name + " 第1行 " + letter(n+2) + "列「校长姓名」：未识别的列，已忽略其数据（列名见模板的“说明”页）",
			name + " 第2行 " + letter(n+1) + "列：这一列没有表头，数据已忽略",
			name + " 第3行 " + letter(n+3) + "列：这一列没有表头，数据已忽略",
		}
		if format == "csv" {
			want = want[:3]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s warnings (-want +got):\n%s", format, diff)
		}
	}
}

func TestEquipmentPlausibility(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		value  string
		want   []string // empty: no warning
	}{
		{"fine", "教学仪器设备值（元）", "1600000", nil},
		{"wan under yuan header", "教学仪器设备值（元）", "160", []string{"第2行", "沈巷学校（3134020701）", "生均只有 0.22 元", "教学仪器设备值（万元）"}},
		{"yuan under wan header", "教学仪器设备值（万元）", "1600000", []string{"沈巷学校", "生均高达", "教学仪器设备值（元）"}},
		{"slipped digits", "教学仪器设备值（元）", "1600000000", []string{"生均高达", "多写了位数"}},
		{"zero is not implausible", "教学仪器设备值（元）", "0", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := with(hdr, "教学仪器设备值（元）", tc.header)
			row := with(good, "教学仪器设备值（元）", tc.value)
			// Confirmed: 元 under a 万元 header is otherwise an error
			// (TestWanHeaderOverYuanNeedsConfirmation).
			b := mustRead(t, "p.csv", csvBytes(h, row), Options{ConfirmUnits: true})
			if len(tc.want) == 0 {
				if len(b.Warnings) != 0 {
					t.Errorf("warnings %v; want none", b.Warnings)
				}
				return
			}
			if len(b.Warnings) != 1 {
				t.Fatalf("warnings %v; want one", b.Warnings)
			}
			msg := b.Warnings[0].String()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not mention %q", msg, w)
				}
			}
			if len(b.Schools) != 1 {
				t.Error("a warning must not stop the import")
			}
		})
	}
}

func TestXLSXSheetsAndRawValues(t *testing.T) {
	// A sheet named 学校 is read even when it is not the first.
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.NewSheet("学校")
	must(err)
	must(f.SetSheetRow("Sheet1", "A1", &[]string{"封面"}))
	for r, row := range [][]string{hdr, good} {
		vals := make([]any, len(row))
		for i := range row {
			vals[i] = row[i]
		}
		must(f.SetSheetRow("学校", fmt.Sprintf("A%d", r+1), &vals))
	}
	// 12.6 pupils shown as 13 by a "0" format is still an error.
	style, err := f.NewStyle(&excelize.Style{NumFmt: 1})
	must(err)
	cell := letterOf("小学在校生数（人）") + "2"
	must(f.SetCellFloat("学校", cell, 420.6, -1, 64))
	must(f.SetCellStyle("学校", cell, cell, style))
	shown, err := f.GetCellValue("学校", cell)
	must(err)
	if shown != "421" {
		t.Fatalf("setup: the cell shows %q; want 421", shown)
	}
	var buf bytes.Buffer
	must(f.Write(&buf))
	es := mustFail(t, "sheets.xlsx", buf.Bytes(), Options{})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "“420.6”不是整数") {
		t.Errorf("got %v; want the raw 420.6 refused", es)
	}

	// Without a 学校 sheet the first is read, with a warning.
	data := xlsxBytes(t, "数据", hdr, good)
	g, err := excelize.OpenReader(bytes.NewReader(data))
	must(err)
	_, err = g.NewSheet("其他")
	must(err)
	buf.Reset()
	must(g.Write(&buf))
	b := mustRead(t, "first.xlsx", buf.Bytes(), Options{})
	if len(b.Schools) != 1 || len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].Message, "只读取了第一个工作表「数据」") {
		t.Errorf("schools %d, warnings %v", len(b.Schools), b.Warnings)
	}

	// Data on another sheet than the one read: the error names the sheet.
	notes := xlsxBytes(t, "填表说明", []string{"本表由县教育局填写"})
	g, err = excelize.OpenReader(bytes.NewReader(notes))
	must(err)
	_, err = g.NewSheet("数据")
	must(err)
	must(g.SetSheetRow("数据", "A1", &[]string{"年度"}))
	buf.Reset()
	must(g.Write(&buf))
	es = mustFail(t, "second.xlsx", buf.Bytes(), Options{})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "工作表「填表说明」第一行不是表头") {
		t.Errorf("got %v", es)
	}

	// The data behind a notes sheet, with its header: that sheet is read,
	// and the warning says which; --sheet names one; a sheet that does
	// not exist is refused naming the ones that do.
	g, err = excelize.OpenReader(bytes.NewReader(notes))
	must(err)
	_, err = g.NewSheet("数据")
	must(err)
	for i, row := range [][]string{hdr, good} {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		must(g.SetSheetRow("数据", fmt.Sprintf("A%d", i+1), &cells))
	}
	buf.Reset()
	must(g.Write(&buf))
	behind := slices.Clone(buf.Bytes())
	b = mustRead(t, "behind.xlsx", behind, Options{})
	if len(b.Schools) != 1 || len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].Message, "读取的是工作表「数据」") {
		t.Errorf("behind a notes sheet: schools %d, warnings %v", len(b.Schools), b.Warnings)
	}
	b = mustRead(t, "behind.xlsx", behind, Options{Sheet: "数据"})
	if len(b.Schools) != 1 || len(b.Warnings) != 0 {
		t.Errorf("--sheet 数据: schools %d, warnings %v", len(b.Schools), b.Warnings)
	}
	es = mustFail(t, "behind.xlsx", behind, Options{Sheet: "学校数据"})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "没有工作表「学校数据」") || !strings.Contains(es[0].Error(), "填表说明、数据") {
		t.Errorf("--sheet 学校数据: %v", es)
	}
}

func TestNotesCapped(t *testing.T) {
	rows := [][]string{hdr}
	for i := range MaxNotes + 500 {
		r := with(good, "学校标识码", fmt.Sprintf("31340%05d", i))
		rows = append(rows, with(r, "教学仪器设备值（元）", "160")) // 万元 under a 元 header
	}
	b := mustRead(t, "w.csv", csvBytes(rows...), Options{})
	if len(b.Schools) != MaxNotes+500 || len(b.Warnings) != MaxNotes+1 {
		t.Fatalf("%d schools, %d warnings; want %d and %d", len(b.Schools), len(b.Warnings), MaxNotes+500, MaxNotes+1)
	}
	if last := b.Warnings[MaxNotes].String(); last != "w.csv：另有 500 条提示未列出" {
		t.Errorf("last warning %q", last)
	}
}

func TestZipBombRefused(t *testing.T) {
	// A part that claims to unpack to 2 GiB: excelize would allocate a
	// buffer of that size before finding out it is a lie.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/styles.xml", Method: zip.Store,
		CompressedSize64: 4, UncompressedSize64: 2 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("<a/>")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	es := mustFail(t, "bomb.xlsx", buf.Bytes(), Options{})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "解压后超过") {
		t.Errorf("got %v", es)
	}
}

// TestEveryTextColumnIsRead fails when census.TextColumns gains a column
// that the reader does not store.
func TestEveryTextColumnIsRead(t *testing.T) {
	got := map[string]func(s census.School) string{
		"year":        func(s census.School) string { return fmt.Sprint(s.Year) },
		"county_code": func(s census.School) string { return s.CountyCode },
		"county_name": func(s census.School) string { return s.CountyName },
		"school_code": func(s census.School) string { return s.Code },
		"school_name": func(s census.School) string { return s.Name },
		"school_type": func(s census.School) string { return string(s.Type) },
		"ownership":   func(s census.School) string { return s.Ownership },
		"location":    func(s census.School) string { return s.Location },
		"sponsor":     func(s census.School) string { return s.Sponsor },
	}
	fixed := map[string]string{"year": "2024", "county_code": "340207", "school_code": "3134020701", "school_type": "primary"}
	var h, row []string
	for _, c := range census.TextColumns {
		v, ok := fixed[c.Key]
		if !ok {
			v = "v-" + c.Key
		}
		h, row = append(h, c.Key), append(row, v)
	}
	b := mustRead(t, "text.csv", csvBytes(h, row), Options{})
	for i, c := range census.TextColumns {
		get, ok := got[c.Key]
		if !ok {
			t.Errorf("text column %s is not read into census.School: add it to reader.text1 and to this test", c.Key)
			continue
		}
		if g := get(b.Schools[0]); g != row[i] {
			t.Errorf("%s read as %q; want %q", c.Key, g, row[i])
		}
	}
}

// A file without an indicator's columns is read, with one warning naming
// the columns its schools need: a primary-only file is not told about the
// junior columns.
func TestMissingIndicatorColumnsWarned(t *testing.T) {
	drop := func(rows [][]string, cols ...string) [][]string {
		var idx []int
		for _, c := range cols {
			idx = append(idx, slices.Index(hdr, c))
		}
		out := make([][]string, len(rows))
		for i, r := range rows {
			for j, v := range r {
				if !slices.Contains(idx, j) {
					out[i] = append(out[i], v)
				}
			}
		}
		return out
	}
	indicatorWarnings := func(b *Batch) []string {
		var out []string
		for _, w := range b.Warnings {
			if strings.Contains(w.Message, "评估需要的列") {
				out = append(out, w.String())
			}
		}
		return out
	}
	if ws := indicatorWarnings(mustRead(t, "all.csv", csvBytes(hdr, good, good2), Options{})); len(ws) != 0 {
		t.Errorf("a file with every column warned: %v", ws)
	}
	rows := drop([][]string{hdr, good, good2}, "体育运动场馆面积（㎡）", "初中县级以上骨干教师数")
	ws := indicatorWarnings(mustRead(t, "s.csv", csvBytes(rows...), Options{}))
	if len(ws) != 1 || !strings.HasPrefix(ws[0], "s.csv：没有评估需要的列「初中县级以上骨干教师数」「体育运动场馆面积」") || !strings.Contains(ws[0], "数据不全") {
		t.Errorf("warnings %q", ws)
	}
	// Primary schools only: the junior column is not theirs to report.
	rows = drop([][]string{hdr, good2}, "体育运动场馆面积（㎡）", "初中县级以上骨干教师数")
	ws = indicatorWarnings(mustRead(t, "p.csv", csvBytes(rows...), Options{}))
	if len(ws) != 1 || strings.Contains(ws[0], "初中") || !strings.Contains(ws[0], "「体育运动场馆面积」") {
		t.Errorf("primary-only warnings %q", ws)
	}
}

// TestReadFullParts checks readFull on files read in parts and in one
// go: the bytes as written, at every offset, and an error when the file is
// shorter than the buffer (it shrank after its size was taken).
func TestReadFullParts(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, readPartsMin - 1, readPartsMin, readPartsMin + 12345} {
		want := make([]byte, size)
		for i := range want {
			want[i] = byte(i*7 + i/251)
		}
		path := filepath.Join(dir, fmt.Sprint(size))
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, size)
		if err := readFull(f, got); err != nil {
			t.Errorf("%d bytes: %v", size, err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: read differs", size)
		}
		if err := readFull(f, make([]byte, size+1)); err == nil {
			t.Errorf("%d bytes into %d: no error", size, size+1)
		}
		// Every part beyond the end: one error, one line for the message.
		if err := readFull(f, make([]byte, 3*size+readPartsMin)); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%d bytes into %d: %q", size, 3*size+readPartsMin, err)
		}
		f.Close()
	}
}
