package report

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDocumentPDF writes a document and reads its text back with pdftotext
// (poppler), when installed.
func TestDocumentPDF(t *testing.T) {
	d := &Document{Title: "广川市问题清单", Subtitle: "问题清单", Cover: [][2]string{{"县区", "广川市"}, {"问题", "2 项"}},
		Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Sections: []Section{{Title: "一、问题清单", Paragraphs: []string{"省级评估组现场核查发现以下问题。"},
			Tables: []Table{{Title: "问题", Columns: []Column{{Header: "序号", Width: 2}, {Header: "问题", Width: 20}},
				Rows: [][]Cell{{TextCell("1"), TextCell("第三小学音乐专用教室不足")}}}}}}}
	var buf bytes.Buffer
	if err := d.WritePDF(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) {
		t.Fatal("not a PDF")
	}
	var html bytes.Buffer
	if err := d.WriteHTML(&html); err != nil || !strings.Contains(html.String(), "第三小学音乐专用教室不足") {
		t.Fatalf("html: %v", err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"广川市问题清单", "第三小学音乐专用教室不足"} {
		if !strings.Contains(strings.ReplaceAll(string(out), " ", ""), want) {
			t.Errorf("the PDF text lacks %q:\n%s", want, out)
		}
	}
}
