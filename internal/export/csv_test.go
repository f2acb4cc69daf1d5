package export

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	// Text that starts a formula (a school named =HYPERLINK(…)) is written
	// with a leading ' so the spreadsheet shows it as text; numbers,
	// negative ones included, stay numbers.
	tab := &Table{
		Header: []string{"学校名称", "余量", "备注"},
		Rows: [][]any{
			{`=HYPERLINK("http://evil","x")`, -3.5, "-0.12"},
			{"@SUM(A1)", 2, "+86 55312345678"},
			{"沈巷学校", -0.25, "\t=1"},
		},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tab); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF学校名称,余量,备注\n" +
		"\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",-3.5,-0.12\n" +
		"'@SUM(A1),2,'+86 55312345678\n" +
		"沈巷学校,-0.25,'\t=1\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if strings.Count(buf.String(), "\n") != 4 {
		t.Error("rows split")
	}
}
