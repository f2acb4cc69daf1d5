package censusio

import (
	"bytes"
	"errors"
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
