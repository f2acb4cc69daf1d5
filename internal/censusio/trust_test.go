package censusio

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
)

// The tests in this file pin "no silent data loss": every way a file could
// read as fewer or other values than it holds is refused, naming the file,
// row and column and saying what to do.

// wantErr checks that es holds exactly one error and that its line
// mentions every string in want.
func wantErr(t *testing.T, es Errors, want ...string) *Error {
	t.Helper()
	if len(es) != 1 {
		t.Fatalf("got %d errors %v; want one", len(es), es)
	}
	msg := es[0].Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%q does not mention %q", msg, w)
		}
	}
	return es[0]
}

func TestMessagesOnOneLine(t *testing.T) {
	// A cell or header with a line break (Alt+Enter in Excel) must not
	// split a message: logs and the CLI show one problem per line.
	e := &Error{File: "a.csv", Row: 3, Column: "学校\n名称", Letter: "E", Value: "沈巷\r\n学校\r", Problem: "不对\n", Fix: "改\r正"}
	n := Note{File: "a.csv", Row: 3, Column: "备\r\n注", Letter: "F", Message: "第一行\n第二行"}
	for _, s := range []string{e.Error(), n.String(), Errors{e, e}.Error()[strings.Index(Errors{e, e}.Error(), "\n")+1:]} {
		for _, line := range strings.Split(strings.TrimPrefix(s, "  "), "\n  ") {
			if strings.ContainsAny(line, "\r\n\u2028\u2029") {
				t.Errorf("%q spans lines", line)
			}
		}
	}
	if got, want := e.Error(), "a.csv 第3行 E列「学校⏎名称」：“沈巷⏎学校⏎”不对⏎；改⏎正"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	// A real read: the header and the bad value both hold line breaks.
	h := with(hdr, "小学班级数", "小学\n班级数")
	es := mustFail(t, "nl.csv", csvBytes(h, with(good, "小学班级数", "十二\n个")), Options{})
	if e := wantErr(t, es, "小学⏎班级数", "十二⏎个"); strings.Contains(e.Error(), "\n") {
		t.Errorf("%q spans lines", e.Error())
	}
}

func TestCSVShortRowRefused(t *testing.T) {
	// A row with fewer cells than the header (a hand-written or cut file):
	// the missing cells used to read as "not reported", which erases the
	// stored values on import.
	short := good2[:len(good2)-3]
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"short.csv", csvBytes(hdr, good, short)},
		{"short-crlf.csv", bytes.ReplaceAll(csvBytes(hdr, good, short), []byte("\n"), []byte("\r\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := mustFail(t, tc.name, tc.data, Options{})
			col := hdr[len(short)]
			e := wantErr(t, es, tc.name, "第3行", letterOf(col)+"列「"+col+"」", "只有", "比表头少", "逗号")
			if e.Row != 3 || e.Letter != letterOf(col) {
				t.Errorf("row %d letter %s; want 3 %s", e.Row, e.Letter, letterOf(col))
			}
		})
	}
	// Empty header cells at the end of the header need no cells below them.
	h := append(slices.Clone(hdr), "", "")
	mustRead(t, "trailing.csv", csvBytes(h, good, good2), Options{})
	// The kindergarten and county readers share the rule.
	es := mustFail(t, "k.csv", csvBytes(kgHdr, kgRow[:len(kgRow)-2]), Options{})
	wantErr(t, es, "第2行", "比表头少")
}

func TestCSVLongRowRefused(t *testing.T) {
	// A cell beyond the header in a CSV file is nearly always an unquoted
	// comma that split one cell in two and shifted every later cell one
	// column to the right. Excel pads every row of a CSV it writes to the
	// same width, so a note typed beside the table is under an empty header
	// cell, not beyond the header, and stays a warning.
	row := with(good, "学校名称", "沈巷学校")
	row = append(row, "1600000")
	es := mustFail(t, "long.csv", csvBytes(hdr, good2, row), Options{})
	e := wantErr(t, es, "第3行", letter(len(hdr))+"列", "比表头多", "逗号")
	if e.Row != 3 {
		t.Errorf("row %d; want 3", e.Row)
	}
	// Empty cells beyond the header are harmless.
	mustRead(t, "long-empty.csv", csvBytes(hdr, append(slices.Clone(good), "", "")), Options{})
}

func TestCSVCarriageReturnLines(t *testing.T) {
	// Excel for the old Mac OS ends lines with a bare CR; they were read
	// as one line, so the file was "header only".
	lf := csvBytes(hdr, with(good, "学校名称", "沈巷\n学校"), good2)
	cr := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r"))
	b := mustRead(t, "mac.csv", cr, Options{})
	if len(b.Schools) != 2 || b.Schools[0].Name != "沈巷\n学校" || b.Schools[1].Code != "3134020702" {
		t.Fatalf("read %+v", b.Schools)
	}
	// Row numbers count CR lines as Excel shows rows.
	bad := bytes.ReplaceAll(csvBytes(hdr, with(good, "学校名称", "沈巷\n学校"), with(good2, "小学班级数", "x")), []byte("\n"), []byte("\r"))
	es := mustFail(t, "mac-bad.csv", bad, Options{})
	if e := wantErr(t, es, "第3行"); e.Row != 3 {
		t.Errorf("row %d; want 3", e.Row)
	}
	// A CR inside a quoted cell of an ordinary CRLF file stays in the cell.
	crlf := bytes.ReplaceAll(csvBytes(hdr, with(good, "学校名称", "沈巷学校"), good2), []byte("\n"), []byte("\r\n"))
	crlf = bytes.Replace(crlf, []byte("沈巷学校"), []byte("\"沈巷\r学校\""), 1)
	b = mustRead(t, "crlf.csv", crlf, Options{})
	if len(b.Schools) != 2 || b.Schools[0].Name != "沈巷\r学校" {
		t.Fatalf("read %+v", b.Schools)
	}
}

func TestWanHeaderOverYuanNeedsConfirmation(t *testing.T) {
	// 1 600 000 under a 万元 header is 160 亿元 for 720 students: the
	// values are in 元. Stored ×10 000 after a mere warning, they erased the
	// right values; now the read is refused unless the caller confirms.
	h := with(hdr, "教学仪器设备值（元）", "教学仪器设备值（万元）")
	data := csvBytes(h, good, with(good2, "教学仪器设备值（元）", "310"))
	es := mustFail(t, "wan.csv", data, Options{})
	e := wantErr(t, es, "wan.csv", "第2行", letterOf("教学仪器设备值（元）")+"列「教学仪器设备值（万元）」", "1600000",
		"生均高达", "教学仪器设备值（元）", "--confirm-units")
	if e.Code != CodeUnitConfirm {
		t.Errorf("Code = %q; want %q", e.Code, CodeUnitConfirm)
	}
	if !NeedsUnitConfirmation(es) || NeedsUnitConfirmation(mustFail(t, "x.csv", csvBytes(hdr, with(good, "小学班级数", "x")), Options{})) {
		t.Error("NeedsUnitConfirmation does not tell a unit error from another")
	}
	var wrapped error = es
	if !NeedsUnitConfirmation(errors.Join(errors.New("import"), wrapped)) {
		t.Error("NeedsUnitConfirmation does not see through wrapping")
	}
	b := mustRead(t, "wan.csv", data, Options{ConfirmUnits: true})
	if v, _ := b.Schools[0].Get(census.EquipmentValue); v != 1600000*1e4 {
		t.Errorf("confirmed value %v; want the header's unit to apply", v)
	}
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].String(), "生均高达") {
		t.Errorf("confirmed read warnings %v; want the plausibility warning", b.Warnings)
	}
	if got := b.Schools[0].Text("school_code"); got != "3134020701" {
		t.Errorf("first school %s", got)
	}
}

// twentyRows is a workbook of 20 schools on sheet 学校.
func twentyRows(t *testing.T) ([]byte, [][]string) {
	t.Helper()
	rows := [][]string{hdr}
	for i := range 20 {
		rows = append(rows, with(good2, "学校标识码", fmt.Sprintf("31340207%02d", i)))
	}
	return xlsxBytes(t, "学校", rows...), rows
}

// sheetXML returns the XML of the first worksheet of data.
func sheetXML(t *testing.T, data []byte) string {
	t.Helper()
	return string(zipPart(t, data, "xl/worksheets/sheet1.xml"))
}

func TestXLSXTruncatedSheetRefused(t *testing.T) {
	// A worksheet whose XML is cut short (a download broken off, a disk
	// full while saving): excelize drops its XML decoder's error and reads
	// the rows before the cut as if they were all, so importing it used to
	// read 10 of 20 schools with exit 0.
	data, _ := twentyRows(t)
	xml := sheetXML(t, data)
	for _, tc := range []struct {
		name string
		cut  int
		row  string
	}{
		{"inside a cell", strings.Index(xml, `<row r="12"`) + 60, "在第11行后"},
		{"between rows", strings.Index(xml, `<row r="12"`), "在第11行后"},
		{"before </sheetData>", strings.Index(xml, `</sheetData>`), "在第21行后"},
		{"in the header", strings.Index(xml, `<row r="1"`) + 40, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cut := replacePart(t, data, "xl/worksheets/sheet1.xml", []byte(xml[:tc.cut]))
			es := mustFail(t, "cut.xlsx", cut, Options{})
			if len(es) != 1 {
				t.Errorf("%d errors; want only the damage", len(es))
			}
			var found bool
			for _, e := range es {
				if strings.Contains(e.Error(), "工作表「学校」"+tc.row+"损坏") && strings.Contains(e.Error(), "重新") {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %v; want the sheet named damaged %s", es, tc.row)
			}
		})
	}
	// The scan's end-of-data and excelize's agree on a whole sheet with a
	// trailing empty row element.
	whole := strings.Replace(xml, "</sheetData>", `<row r="40"/></sheetData>`, 1)
	if b := mustRead(t, "whole.xlsx", replacePart(t, data, "xl/worksheets/sheet1.xml", []byte(whole)), Options{}); len(b.Schools) != 20 {
		t.Errorf("%d schools; want 20", len(b.Schools))
	}
}

func TestXLSXFormulaWithoutValueRefused(t *testing.T) {
	// A workbook written by a program (excelize, openpyxl) holds formulas
	// but no results until Excel saves it; excelize returns such a cell as
	// empty, which imported "not reported" over the stored value.
	data, _ := twentyRows(t)
	xml := sheetXML(t, data)
	students, classes := letterOf("小学在校生数（人）"), letterOf("小学班级数")
	for _, tc := range []struct {
		name, from, to string
		want           []string // empty: the read succeeds with the cached value
	}{
		{"no value", `<c r="` + students + `3"><v>1200</v></c>`, `<c r="` + students + `3"><f>1000+200</f></c>`,
			[]string{"第3行 " + students + "列「小学在校生数（人）」", "是公式但没有计算结果", "选择性粘贴为数值"}},
		{"shared formula, namespaced", `<c r="` + classes + `5"><v>27</v></c>`, `<x:c r="` + classes + `5"><x:f t="shared" si="0"/></x:c>`,
			[]string{"第5行 " + classes + "列「小学班级数」", "是公式但没有计算结果"}},
		{"required text", `<c r="C4" t="s">`, `<c r="C4" t="str"><f>VLOOKUP(B4,县区!A:B,2,0)</f></c><c r="C4x" t="s">`,
			[]string{"第4行 C列「县区名称」", "是公式但没有计算结果"}},
		{"with a cached value", `<c r="` + students + `3"><v>1200</v></c>`, `<c r="` + students + `3"><f>1000+200</f><v>1200</v></c>`, nil},
		{"ignored column", `</row><row r="3"`, `<c r="ZZ2"><f>1+1</f></c></row><row r="3"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(xml, tc.from) {
				t.Fatalf("sheet XML has no %s", tc.from)
			}
			x := strings.Replace(xml, tc.from, tc.to, 1)
			if tc.name == "required text" {
				// drop the county name cell that followed
				i := strings.Index(x, `<c r="C4x"`)
				j := strings.Index(x[i:], "</c>")
				x = x[:i] + x[i+j+4:]
			}
			f := replacePart(t, data, "xl/worksheets/sheet1.xml", []byte(x))
			if len(tc.want) == 0 {
				b := mustRead(t, "f.xlsx", f, Options{})
				if len(b.Schools) != 20 || b.Schools[1].V[census.StudentsPrimary] != 1200 {
					t.Errorf("%d schools, second %v", len(b.Schools), b.Schools[1].V[census.StudentsPrimary])
				}
				return
			}
			wantErr(t, mustFail(t, "f.xlsx", f, Options{}), tc.want...)
		})
	}
}

func TestSafeCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","点击")`, `'=HYPERLINK("http://x","点击")`},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"},
		{"-3.5", "-3.5"},
		{"+12", "+12"},
		{"1.5E+3", "1.5E+3"},
		{"沈巷学校", "沈巷学校"},
		{"'abc", "'abc"},
		{"", ""},
	} {
		if got := SafeCSVCell(tc.in); got != tc.want {
			t.Errorf("SafeCSVCell(%q) = %q; want %q", tc.in, got, tc.want)
		}
		if got := unneutral(SafeCSVCell(tc.in)); got != tc.in {
			t.Errorf("unneutral(SafeCSVCell(%q)) = %q", tc.in, got)
		}
	}
}

func TestWriteSchoolsCSVNeutralises(t *testing.T) {
	// A school name that starts a formula ran as one in the spreadsheet
	// that opened dudao's CSV; written with a ', it reads back unchanged.
	a, b := wantGood(), wantGood2()
	a.Name, a.CountyName, a.Sponsor = `=HYPERLINK("http://evil","沈巷学校")`, "-鸠江区", "@县教育局"
	b.Name = "+第一小学"
	var buf bytes.Buffer
	if err := WriteSchoolsCSV(&buf, []census.School{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"'=HYPERLINK(""http://evil"",""沈巷学校"")"`, ",'-鸠江区,", ",'@县教育局", ",'+第一小学,"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("CSV does not hold %s:\n%s", want, buf.String())
		}
	}
	got := mustRead(t, "data.csv", buf.Bytes(), Options{})
	if got.Schools[0].Name != a.Name || got.Schools[0].CountyName != a.CountyName || got.Schools[0].Sponsor != a.Sponsor || got.Schools[1].Name != b.Name {
		t.Errorf("read back %q %q %q %q", got.Schools[0].Name, got.Schools[0].CountyName, got.Schools[0].Sponsor, got.Schools[1].Name)
	}
}
