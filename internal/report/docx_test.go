package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func docxSample() *Document {
	return &Document{Title: "2023年工作要点推进情况通报", Subtitle: "2023年6月", Cover: [][2]string{{"单位", "示范市教育局"}, {"任务", "9 项"}},
		Date: time.Date(2023, 6, 6, 0, 0, 0, 0, time.UTC),
		Sections: []Section{
			{Title: "一、总体情况", Paragraphs: []string{"9 项任务中，绿灯 6 项，黄灯 2 项，红灯 1 项。", "第二行 <&> 特殊字符\x01"}},
			{Title: "二、滞后任务", Tables: []Table{{Title: "滞后任务及原因", Columns: []Column{{Header: "序号", Width: 2}, {Header: "任务", Width: 16}, {Header: "完成", Width: 4, Number: true}},
				Rows: [][]Cell{{TextCell("10"), TextCell("新建、改扩建中小学幼儿园80所"), {Text: "20%", Num: 20, IsNum: true, Bad: true}}}, Note: "原因：用地审批未完成"}}},
		}}
}

// TestDOCXParts opens the .docx as a zip and parses each XML part; the
// document's text holds the title, the paragraphs (escaped characters
// restored, the forbidden one dropped), the table header and cells.
func TestDOCXParts(t *testing.T) {
	var buf bytes.Buffer
	if err := docxSample().WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	var text strings.Builder
	for _, f := range z.File {
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		inT := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				inT = f.Name == "word/document.xml" && tk.Name.Local == "t"
			case xml.EndElement:
				inT = false
			case xml.CharData:
				if inT {
					text.Write(tk)
					text.WriteString("|")
				}
			}
		}
		rc.Close()
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels"} {
		if !names[n] {
			t.Errorf("no %s in the archive", n)
		}
	}
	got := text.String()
	for _, want := range []string{"2023年工作要点推进情况通报|", "示范市教育局|", "9 项任务中，绿灯 6 项", "第二行 <&> 特殊字符|", "|序号|任务|完成|", "新建、改扩建中小学幼儿园80所|20%|", "原因：用地审批未完成"} {
		if !strings.Contains(got, want) {
			t.Errorf("document text lacks %q:\n%s", want, got)
		}
	}
}

// TestDOCXOpensInLibreOffice converts the .docx to PDF with LibreOffice
// (when installed) and reads the text back with pdftotext.
func TestDOCXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := docxSample().WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "bulletin.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", filepath.Join(dir, "bulletin.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (soffice said %s)", err, out)
	}
	s := strings.ReplaceAll(string(text), " ", "")
	for _, want := range []string{"2023年工作要点推进情况通报", "示范市教育局", "滞后任务及原因", "新建、改扩建中小学幼儿园80所", "用地审批未完成"} {
		if !strings.Contains(s, want) {
			t.Errorf("LibreOffice's PDF lacks %q:\n%s", want, text)
		}
	}
}
