package censusio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// numberedRow is a row as a reader yields it.
type numberedRow struct {
	n     int
	cells []string
}

// excelizeRows reads the rows of sheet with excelize's row iterator, raw
// values, as this package read them before sheetRows.
func excelizeRows(t testing.TB, data []byte, sheet string) ([]numberedRow, error) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []numberedRow
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return out, err
		}
		out = append(out, numberedRow{n, cells})
	}
	return out, rows.Error()
}

// ourRows reads the rows of sheet with sheetRows.
func ourRows(t testing.TB, data []byte, sheet string) ([]numberedRow, sheetResult) {
	t.Helper()
	wb, e := openBounded(data)
	if e != nil {
		t.Fatalf("openBounded: %v", e)
	}
	defer wb.Close()
	part, err := wb.sheetPartOf(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	sst, err, readErr := wb.sharedStrings()
	if err != nil || readErr != nil {
		return nil, sheetResult{err: err, readErr: readErr}
	}
	rc, err := part.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []numberedRow
	res := readSheetRows(rc, sst, func(n int, cells []string, _ []int) bool {
		out = append(out, numberedRow{n, slices.Clone(cells)})
		return true
	})
	return out, res
}

// sameRows fails unless sheetRows reads sheet of data as excelize does.
func sameRows(t testing.TB, data []byte, sheet string) []numberedRow {
	t.Helper()
	want, werr := excelizeRows(t, data, sheet)
	got, res := ourRows(t, data, sheet)
	if res.readErr != nil {
		t.Fatalf("read error %v", res.readErr)
	}
	if (werr == nil) != (res.err == nil) || werr != nil && werr.Error() != res.err.Error() {
		t.Fatalf("error %v; excelize %v", res.err, werr)
	}
	if werr == nil && !res.complete {
		t.Fatalf("incomplete after row %d; excelize read %d rows", res.lastRow, len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows; excelize %d\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i].n != want[i].n || !slices.Equal(got[i].cells, want[i].cells) {
			t.Fatalf("row %d: %d %q; excelize %d %q", i, got[i].n, got[i].cells, want[i].n, want[i].cells)
		}
	}
	return got
}

// kindWorkbook writes a workbook of every column of the kind's table, the
// text columns as shared strings, a few values of every kind in the rows.
func kindWorkbook(t *testing.T, k census.Kind) []byte {
	t.Helper()
	tb := census.TableOf(k)
	f := excelize.NewFile()
	defer f.Close()
	sheet := tb.Names[0]
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	var hdr []any
	for _, c := range tb.Text {
		hdr = append(hdr, c.ZH)
	}
	for _, c := range tb.Num {
		hdr = append(hdr, c.ZH+"（"+c.Unit+"）")
	}
	if err := f.SetSheetRow(sheet, "A1", &hdr); err != nil {
		t.Fatal(err)
	}
	values := []any{"文本", "  spaces  ", "a&b<c>\"d'", "line\nbreak", "tab\there", 12, 12.5, -0.25, 1e21, true, false, "", nil, "_x000D_ escaped", "0012"}
	row := 2
	for r := range 12 {
		if r == 4 {
			row += 3 // missing rows
		}
		var vals []any
		for i := range len(tb.Text) + len(tb.Num) {
			vals = append(vals, values[(r*7+i)%len(values)])
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
		row++
	}
	// Sparse cells far to the right, a formula without a value, one with a
	// string result.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue(sheet, "ZZ3", "far"))
	must(f.SetCellFormula(sheet, "B4", "1+1"))
	must(f.SetCellFormula(sheet, "C30", `"x"&"y"`))
	var b bytes.Buffer
	must(f.Write(&b))
	return b.Bytes()
}

func TestSheetRowsEveryKind(t *testing.T) {
	for _, k := range census.Kinds {
		t.Run(string(k), func(t *testing.T) {
			data := kindWorkbook(t, k)
			rows := sameRows(t, data, census.TableOf(k).Names[0])
			if len(rows) < 15 || len(rows[0].cells) != len(census.TableOf(k).Text)+len(census.TableOf(k).Num) {
				t.Errorf("%d rows, header %q", len(rows), rows[0].cells)
			}
		})
	}
}

// Workbooks of the stream writer (inline strings) and of the test helper.
func TestSheetRowsWriters(t *testing.T) {
	sameRows(t, xlsxBytes(t, "", hdr, good, nil, good2, with(good, "学校名称", "a&amp;b")), "Sheet1")
	sameRows(t, xlsxBytes(t, "幼儿园", kgHdr, kgRow, kgRow2), "幼儿园")
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 50; r += 1 + r%3 {
		cell, _ := excelize.CoordinatesToCellName(1+r%4, r)
		if err := sw.SetRow(cell, []any{"s", r, float64(r) / 3, true, "<&>", nil, "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	sameRows(t, b.Bytes(), "Sheet1")
}

// sheetWorkbook returns the workbook of the test helper with its sheet XML
// and shared strings replaced.
func sheetWorkbook(t testing.TB, sheetData, sst string) []byte {
	t.Helper()
	base := xlsxBytes(t, "", []string{"a", "b"})
	data := replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
			sheetData+`</worksheet>`))
	if sst != "" {
		data = replacePart(t, data, "xl/sharedStrings.xml", []byte(
			`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
				`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+sst+`</sst>`))
	}
	return data
}

const testSST = `<si><t>plain</t></si>` +
	`<si><t xml:space="preserve">  kept  </t></si>` +
	`<si><r><rPr><b/></rPr><t>rich</t></r><r><t xml:space="preserve"> text</t></r></si>` +
	`<si><t>a&amp;b &lt;&#20013;&#x6587;&gt;</t><rPh sb="0" eb="1"><t>ignored</t></rPh></si>` +
	`<si><t>line_x000D_&#13;&#10;next_x005F_x0041_ _x0041_ _xD800_ _xZZZZ_</t></si>` +
	`<si><r><t>run first</t></r><t>t after</t></si>` +
	`<si><t>one</t><t>two</t></si>` +
	`<si/>` +
	`<si><t><![CDATA[<cdata & raw>]]></t></si>` +
	`<si><t>cr` + "\r\n" + `lf` + "\r" + `x</t></si>` +
	`<si><t>comment<!-- no -->ed</t></si>`

// sheetCases are sheet data that TestSheetRowsCases reads with testSST
// and FuzzSheetRows starts from.
var sheetCases = []struct{ name, sheet string }{
	{"shared strings", `<sheetData><row r="1">` +
		`<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>` +
		`<c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c>` +
		`<c r="I1" t="s"><v>8</v></c><c r="J1" t="s"><v>9</v></c><c r="K1" t="s"><v>10</v></c></row></sheetData>`},
	{"shared string indexes", `<sheetData><row><c t="s"><v> 1 </v></c><c t="s"><v>abc</v></c><c t="s"><v>99</v></c>` +
		`<c t="s"><v>-1</v></c><c t="s"><v>99999999999999999999</v></c><c t="s"><v></v></c><c t="s"><f>1</f><v>77</v></c><c t="s"/><c t="s"><v>+2</v></c></row></sheetData>`},
	{"inline strings", `<sheetData><row r="2"><c r="B2" t="inlineStr"><is><t>inline &amp; text</t></is></c>` +
		`<c r="C2" t="inlineStr"><is><r><t>rich</t></r><r><rPr/><t xml:space="preserve"> inline</t></r></is></c>` +
		`<c r="D2" t="inlineStr"><v>v only</v></c><c r="E2" t="inlineStr"><is/></c><c r="F2" t="inlineStr"><is><t>_x000D_x</t></is><v>vv</v></c>` +
		`<c r="G2"><is><t>not inline</t></is></c></row></sheetData>`},
	{"types", `<sheetData><row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="e"><v>#N/A</v></c>` +
		`<c r="D1" t="str"><f>A1&amp;B1</f><v>10</v></c><c r="E1" t="d"><v>2024-09-01T00:00:00Z</v></c><c r="F1" s="3"><v>45536</v></c>` +
		`<c r="G1" t="n"><v>1.5E-3</v></c><c r="H1"><v> 12 </v></c><c r="I1" t="weird"><v>w</v></c><c r="J1"><v>_x0041_</v></c></row></sheetData>`},
	{"formulas", `<sheetData><row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v></v></c><c r="C1"><f t="shared" si="0"/></c>` +
		`<c r="D1"><f>1</f><v>2</v></c><c r="E1" t="str"><f>"a"</f></c><c r="F1"><f si="x">1</f><v>3</v></c><c r="G1"><f ca="1" si=" 2 "/><v>4</v></c></row></sheetData>`},
	{"gaps and order", `<sheetData><row r="3"><c r="C3"><v>c</v></c><c r="A3"><v>a</v></c><c><v>after</v></c><c r="E3"><v>e</v></c></row>` +
		`<row r="7"><c r="B9"><v>b</v></c><c r="D7"/><c r="E7"><v></v></c><c r="F7"><v>f</v></c></row>` +
		`<row><c><v>1</v></c><c><v>2</v></c><c/><c><v>4</v></c></row><row/><row r="12" spans="1:3"/><row r="13"><c r="A13"><v>x</v></c></row></sheetData>`},
	{"rows without r, r=0", `<sheetData><row><c><v>1</v></c></row><row r="0"><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData>`},
	{"rows out of order merge", `<sheetData><row r="5"><c r="A5"><v>5</v></c></row><row r="3"><c r="B3"><v>3</v></c></row>` +
		`<row><c r="A4"><v>n</v></c></row><row r="8"><c r="A8"><v>8</v></c></row></sheetData>`},
	{"negative row", `<sheetData><row r="-2"><c><v>1</v></c></row><row><c><v>2</v></c></row><row><c><v>3</v></c></row><row><c><v>4</v></c></row><row><c><v>5</v></c></row></sheetData>`},
	{"namespaced", `<x:sheetData><x:row x:r="2"><x:c r="B2" t="s"><x:v>2</x:v></x:c><x:c x:r="D2" x:t="inlineStr"><x:is><x:t>ns</x:t></x:is></x:c></x:row></x:sheetData>`},
	{"comments and instructions", `<sheetData><!-- <row r="9"> --><row r="1"><?pi <c>?><c r="A1"><v>1<!-- x -->2</v></c><c r="B1"><v><![CDATA[<3>]]></v></c>` +
		`<c r="C1" a="x>y"><v>4</v></c><c r='D1'><v>q&quot;</v></c></row></sheetData>`},
	{"nested elements in cells", `<sheetData><row r="1"><c r="A1"><extLst><v>nested</v></extLst></c><c r="B1"><v>a<x>b</x>c</v></c>` +
		`<c r="C1"><f>1<v>in f</v></f></c><c r="D1"><v>1</v><v>2</v></c></row></sheetData>`},
	{"style not a number", `<sheetData><row r="1"><c r="A1" s="x"><v>1</v></c><c s="1.5" r="B1"><v>2</v></c><c r="C1" s=""><v>3</v></c><c r="D1" s="-1"><v>4</v></c><c><v>5</v></c></row></sheetData>`},
	{"bad cell reference", `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A0"><v>2</v></c></row></sheetData>`},
	{"column past XFD", `<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>`},
	{"lower case reference", `<sheetData><row r="1"><c r="c1"><v>1</v></c><c r="$D$1"><v>2</v></c><c r="E01"><v>3</v></c></row></sheetData>`},
	{"row not a number", `<sheetData><row r="1"><c><v>1</v></c></row><row r="x"><c><v>2</v></c></row></sheetData>`},
	{"row past the last", `<sheetData><row r="1"><c><v>1</v></c></row><row r="3"><c><v>1</v></c></row><row r="1048577"><c><v>2</v></c></row></sheetData>`},
	{"first row past the last", `<sheetData><row r="99999999999999999999"><c><v>2</v></c></row></sheetData>`},
	{"the last row", `<sheetData><row r="2"><c><v>1</v></c></row><row r="30000"><c r="XFD30000"><v>2</v></c></row></sheetData>`},
	{"empty", `<sheetData/>`},
	{"no rows", `<sheetData></sheetData>`},
	{"row before sheet data", `<sheetPr><row r="2"><c><v>pr</v></c></row></sheetPr><sheetData><row r="4"><c><v>1</v></c></row></sheetData>`},
	{"cells outside rows", `<sheetData><c r="A1"><v>0</v></c><row r="2"><c><v>1</v></c></row><c r="C2"><v>between</v></c><row r="3"/></sheetData>`},
	{"prefixed attributes", `<sheetData><row x:r="2" xmlns:y="urn:y"><c y:r="C2" x:t="s" y:s="1"><v>1</v></c></row></sheetData>`},
	{"cells in cells", `<sheetData><row r="1"><c r="A1"><v>1</v><c r="C1"><v>3</v></c><v>2</v></c><c r="B1"><v>b</v></c></row></sheetData>`},
	{"long text", `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("长文本 &amp; ", 40000) + `</t></is></c><c r="B1"><v>` + strings.Repeat("9", 300000) + `</v></c></row></sheetData>`},
	{"entities in attributes", `<sheetData><row r="&#50;"><c r="&#66;2" t="&#115;"><v>0</v></c></row></sheetData>`},
}

func TestSheetRowsCases(t *testing.T) {
	for _, tc := range sheetCases {
		t.Run(tc.name, func(t *testing.T) {
			sameRows(t, sheetWorkbook(t, tc.sheet, testSST), "Sheet1")
		})
	}
}

// TestSheetRowsFormulaCells checks the formula cells without a value that
// sheetRows finds against scanSheet, which found them before.
func TestSheetRowsFormulaCells(t *testing.T) {
	x := `<sheetData><row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v></v></c><x:c r="C1"><x:f t="shared" si="0"/></x:c>` +
		`<c r="D1"><f>1</f><v>2</v></c><c r="E1" t="str"><f>"a"</f></c></row><row r="3"><c><f/></c><c r="E3" t="inlineStr"><f>1</f><is><t>x</t></is></c></row></sheetData>`
	data := sheetWorkbook(t, x, "")
	want := scanSheet(bytes.NewReader(zipPart(t, data, "xl/worksheets/sheet1.xml")))
	wb, e := openBounded(data)
	if e != nil {
		t.Fatal(e)
	}
	defer wb.Close()
	part, _ := wb.sheetPartOf("Sheet1")
	rc, _ := part.Open()
	defer rc.Close()
	var got [][2]int
	res := readSheetRows(rc, nil, func(n int, _ []string, uncached []int) bool {
		for _, c := range uncached {
			got = append(got, [2]int{n, c})
		}
		return true
	})
	if !res.complete || res.lastRow != want.lastRow || !slices.Equal(got, want.formulas) {
		t.Errorf("got %v %+v; scanSheet %+v", got, res, want)
	}
}

func TestSheetRowsFormulaCellsBounded(t *testing.T) {
	// Formula cells without a value past maxFormulaCells are not listed
	// one by one; the read is refused as a whole for them.
	var x strings.Builder
	x.WriteString(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>年度</t></is></c></row>`)
	for r := 2; r <= maxFormulaCells/10+2; r++ {
		fmt.Fprintf(&x, `<row r="%d">`, r)
		for range 10 {
			x.WriteString(`<c><f>1</f></c>`)
		}
		x.WriteString(`</row>`)
	}
	x.WriteString(`</sheetData>`)
	rows := newSheetRows(strings.NewReader(x.String()), nil, 0)
	listed := 0
	res := rows.run(func(_ int, _ []string, uncached []int) bool {
		listed += len(uncached)
		return true
	})
	if !res.complete || !res.more || listed != maxFormulaCells {
		t.Errorf("%+v, %d listed", res, listed)
	}
	es := mustFail(t, "f.xlsx", sheetWorkbook(t, x.String(), ""), Options{})
	if len(es) != MaxErrors+1 || !strings.Contains(es[1].Error(), "第2行 A列「年度」：是公式但没有计算结果") {
		t.Errorf("%d errors, second %v", len(es), es[1])
	}
}

func TestSheetRowsBroken(t *testing.T) {
	// XML that encoding/xml refuses ends the read where it is, as excelize's
	// read ended, and the sheet reads as damaged after the row before.
	for _, tc := range []struct {
		name, sheet string
		last        int
	}{
		{"unknown entity", `<sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>&nbsp;</v></c></row></sheetData>`, 1},
		{"not UTF-8", "<sheetData><row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>\xff</v></c></row></sheetData>", 1},
		{"control character", "<sheetData><row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>\x01</v></c></row></sheetData>", 1},
		{"reference to NUL", `<sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>&#0;</v></c></row></sheetData>`, 1},
		{"attribute without quotes", `<sheetData><row r="1"><c><v>1</v></c></row><row r=2><c><v>2</v></c></row></sheetData>`, 1},
		{"end tag not matching", `<sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</x></c></row><row r="3"><c><v>3</v></c></row></sheetData>`, 1},
		{"row not ended", `<sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></c><row r="3"><c><v>3</v></c></row></sheetData>`, 3},
		{"cell not ended", `<sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v></row><row r="3"><c><v>3</v></c></row></sheetData>`, 1},
		{"cut in a cell", `<sheetData><row r="1"><c><v>1</v></c></row><row r="5"><c><v>2`, 1},
		{"cut in a tag", `<sheetData><row r="1"><c><v>1</v></c></row><row r="5"`, 1},
		{"cut after a row", `<sheetData><row r="1"><c><v>1</v></c></row><row r="5"><c><v>2</v></c></row>`, 5},
		{"cut in a comment", `<sheetData><row r="1"><c><v>1</v></c></row><!-- `, 1},
		{"cut in the first row", `<sheetData><row r="3"><c><v>1</v>`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, res := ourRows(t, sheetWorkbook(t, strings.TrimSuffix(tc.sheet, "</sheetData>"), ""), "Sheet1")
			if strings.HasSuffix(tc.sheet, "</sheetData>") {
				// the worksheet ends (</worksheet>) but the data is refused
				rows, res = ourRows(t, sheetWorkbook(t, tc.sheet, ""), "Sheet1")
			}
			if res.complete || res.err != nil || res.lastRow != tc.last {
				t.Fatalf("%+v; want broken after row %d", res, tc.last)
			}
			if len(rows) > 0 && rows[len(rows)-1].n != tc.last {
				t.Errorf("rows %v", rows)
			}
		})
	}
}

const nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

func TestSheetRowsSST(t *testing.T) {
	// A shared string table that excelize refuses (cut short, an unknown
	// entity) refuses the sheet; a missing or empty one reads as none.
	for _, tc := range []struct {
		name, sst string
		ok        bool
		n         int
	}{
		{"cut", `<sst xmlns="` + nsMain + `"><si><t>a</t></si><si><t>b`, false, 0},
		{"entity", `<sst xmlns="` + nsMain + `"><si><t>&foo;</t></si></sst>`, false, 0},
		{"empty", ``, true, 0},
		{"comment only", `<?xml version="1.0"?><!-- none -->`, true, 0},
		{"two", `<sst xmlns="` + nsMain + `"><si><t>a</t></si><si><t>b</t></si></sst><si><t>after the root</t></si>`, true, 2},
		{"nested si", `<x:sst xmlns:x="` + nsMain + `" count="2"><x><si><t>deep</t></si></x><si><t>b</t></si></x:sst>`, true, 1},
		{"no namespace", `<sst><si><t>a</t></si></sst>`, false, 0},
		{"strict", `<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>a</t></si></sst>`, true, 1},
		{"count not a number", `<sst xmlns="` + nsMain + `" count="x"><si><t>a</t></si></sst>`, false, 0},
		{"not sst", `<table xmlns="` + nsMain + `"><si><t>a</t></si></table>`, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sst, err, readErr := readSST(strings.NewReader(tc.sst), uint64(len(tc.sst)))
			if readErr != nil || (err == nil) != tc.ok || tc.ok && sst.len() != tc.n {
				t.Errorf("sst %+v err %v %v", sst, err, readErr)
			}
		})
	}
	data := sheetWorkbook(t, `<sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData>`, `<si><t>a`)
	es := mustFail(t, "sst.xlsx", data, Options{})
	wantErr(t, es, "工作表「Sheet1」无法读取")
}

// TestSheetRowsHugeRows checks that a sheet's rows are bounded as excelize
// bounds them: the last row Excel has is read (the rows before it as empty
// rows), a row after it refused.
func TestSheetRowsHugeRows(t *testing.T) {
	last := fmt.Sprintf(`<sheetData><row r="1"><c><v>年度</v></c></row><row r="%d"><c><v>x</v></c></row></sheetData>`, excelize.TotalRows)
	rows, res := ourRows(t, sheetWorkbook(t, last, ""), "Sheet1")
	if !res.complete || res.err != nil || len(rows) != excelize.TotalRows || rows[len(rows)-1].cells[0] != "x" {
		t.Errorf("%d rows, %+v", len(rows), res)
	}
	past := fmt.Sprintf(`<sheetData><row r="1"><c><v>年度</v></c></row><row r="%d"><c><v>x</v></c></row></sheetData>`, excelize.TotalRows+1)
	es := mustFail(t, "huge.xlsx", sheetWorkbook(t, past, ""), Options{})
	wantErr(t, es, "工作表「Sheet1」无法读取", excelize.ErrMaxRows.Error())
}

// wellFormed reports whether encoding/xml, as excelize uses it, reads all
// of data without an error, and whether it holds what sheetRows does not
// follow excelize in: a row element after the sheet data, a declared
// encoding (excelize transcodes), a DOCTYPE (whose entities encoding/xml
// does not know either, but which it may hold quoted '>').
func wellFormed(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	ended := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if ended && e.Name.Local == "row" {
				return false
			}
		case xml.EndElement:
			ended = ended || e.Name.Local == "sheetData"
		case xml.ProcInst:
			if bytes.Contains(e.Inst, []byte("encoding")) {
				return false
			}
		case xml.Directive:
			return false
		}
	}
}

// FuzzSheetRows checks sheetRows against excelize on sheet XML (and shared
// strings) that encoding/xml reads whole: the same rows, numbered alike,
// and the same errors.
func FuzzSheetRows(f *testing.F) {
	base := xlsxBytes(f, "", hdr, good, good2)
	f.Add(zipPart(f, base, "xl/worksheets/sheet1.xml"), zipPart(f, base, "xl/sharedStrings.xml"))
	f.Add([]byte(`<worksheet><sheetData><row r="3"><c r="C3"><v>c</v></c><c r="A3" t="s"><v>2</v></c></row><row><c t="inlineStr"><is><r><t>a</t></r></is></c></row></sheetData></worksheet>`),
		[]byte(`<sst>`+testSST+`</sst>`))
	for _, tc := range sheetCases {
		if len(tc.sheet) < 4<<10 {
			f.Add([]byte(`<worksheet xmlns:x="`+nsMain+`">`+tc.sheet+`</worksheet>`), []byte(`<sst xmlns="`+nsMain+`">`+testSST+`</sst>`))
		}
	}
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		if len(sheet)+len(sst) > maxFuzzInput {
			return
		}
		// On any input: no panic, rows numbered up from 1 one by one.
		table, _, _ := readSST(bytes.NewReader(sst), uint64(len(sst)))
		prev := 0
		res := readSheetRows(bytes.NewReader(sheet), table, func(n int, cells []string, uncached []int) bool {
			if n != prev+1 {
				t.Fatalf("row %d after %d", n, prev)
			}
			prev = n
			return true
		})
		if res.lastRow != prev || res.readErr != nil {
			t.Fatalf("%+v after row %d", res, prev)
		}
		if !wellFormed(sheet) || !wellFormed(sst) {
			return
		}
		// Rich text and phonetic properties, which sheetRows skips, are
		// decoded by excelize, which refuses numbers in them that are
		// not numbers.
		for _, p := range []string{"rPr", "rPh", "phoneticPr"} {
			if bytes.Contains(sheet, []byte(p)) || bytes.Contains(sst, []byte(p)) {
				return
			}
		}
		data := replacePart(t, replacePart(t, base, "xl/worksheets/sheet1.xml", sheet), "xl/sharedStrings.xml", sst)
		if _, err := excelize.OpenReader(bytes.NewReader(data)); err != nil {
			return
		}
		want, werr := excelizeRows(t, data, "Sheet1")
		if bytes.Contains(sst, []byte("<")) {
			s, err, _ := readSST(bytes.NewReader(sst), uint64(len(sst)))
			if err != nil {
				if werr == nil && len(want) > 0 {
					t.Fatalf("shared strings refused: %v; excelize read them", err)
				}
				return
			}
			_ = s
		}
		got, res := ourRows(t, data, "Sheet1")
		if res.err == nil && !res.complete {
			return // the sheet has no end of sheet data: excelize reads to the end of the part
		}
		if (werr == nil) != (res.err == nil) || werr != nil && werr.Error() != res.err.Error() {
			t.Fatalf("error %v; excelize %v", res.err, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%d rows; excelize %d\ngot  %v\nwant %v", len(got), len(want), got, want)
		}
		for i := range want {
			if got[i].n != want[i].n || !slices.Equal(got[i].cells, want[i].cells) {
				t.Fatalf("row %d: %d %q; excelize %d %q", i, got[i].n, got[i].cells, want[i].n, want[i].cells)
			}
		}
	})
}

// deflateRepeated returns head, then block repeated n times, then tail,
// deflated, and its CRC-32, without compressing n blocks: each piece is
// deflated once and the blocks' output repeated.
func deflateRepeated(t testing.TB, head, block, tail []byte, n int) ([]byte, uint32, int64) {
	t.Helper()
	piece := func(b []byte, final bool) []byte {
		var out bytes.Buffer
		fw, err := flate.NewWriter(&out, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(b); err != nil {
			t.Fatal(err)
		}
		if final {
			err = fw.Close()
		} else {
			err = fw.Flush() // a byte-aligned, non-final block
		}
		if err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	crc := crc32.Update(0, crc32.IEEETable, head)
	one := piece(block, false)
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, block)
	}
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	out := piece(head, false)
	out = append(out, bytes.Repeat(one, n)...)
	out = append(out, piece(tail, true)...)
	return out, crc, int64(len(head)) + int64(len(block))*int64(n) + int64(len(tail))
}

// withRawPart returns the workbook data with part name's content replaced
// by deflated bytes.
func withRawPart(t testing.TB, data []byte, name string, deflated []byte, crc uint32, size int64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(deflated)), UncompressedSize64: uint64(size)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(deflated); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestSharedStringsBombBounded(t *testing.T) {
	// Shared strings of 600 MB, a few hundred kilobytes zipped, under the
	// limit on what a workbook unpacks to: excelize kept them in a
	// temporary file; sheetRows, which holds them in memory, refuses
	// them past inMemoryLimit.
	block := bytes.Repeat([]byte(`<si><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></si>`), 1<<14)
	deflated, crc, size := deflateRepeated(t, []byte(`<sst xmlns="`+nsMain+`">`), block, []byte(`</sst>`), 600<<20/len(block))
	data := withRawPart(t, xlsxBytes(t, "", hdr, good), "xl/sharedStrings.xml", deflated, crc, size)
	if len(data) > 8<<20 {
		t.Fatalf("bomb is %d bytes", len(data))
	}
	var es Errors
	if n := allocated(func() { es = mustFail(t, "bomb.xlsx", data, Options{}) }); n > 3*inMemoryLimit {
		t.Errorf("Read allocated %d MB", n>>20)
	}
	wantErr(t, es, "无法读取", errSSTTooLarge.Error())
}

func TestDamagedPartRefused(t *testing.T) {
	// A part whose checksum does not match refuses the workbook, as when
	// excelize inflated every part: the sheet read, another sheet, the
	// shared strings.
	f := excelize.NewFile()
	for r, row := range [][]string{hdr, good} {
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
		}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r+1), &vals); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("其他"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("其他", "A1", "x"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"} {
		t.Run(part, func(t *testing.T) {
			content := zipPart(t, b.Bytes(), part)
			deflated, crc, size := deflateRepeated(t, content, nil, nil, 0)
			data := withRawPart(t, b.Bytes(), part, deflated, crc+1, size)
			wantErr(t, mustFail(t, "damaged.xlsx", data, Options{}), "不是有效的 .xlsx 工作簿")
			if _, err := PreviewRows(data, Options{}, []int{1, 2}); err == nil && part != "xl/worksheets/sheet1.xml" {
				t.Error("PreviewRows read a damaged workbook")
			}
		})
	}
}
