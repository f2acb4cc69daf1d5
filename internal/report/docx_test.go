package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
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

// TestDOCXCounty: the county's 自评报告 as Word: every part is well-formed
// XML, the charts are PNG images the document refers to, the headings are
// in the styles that make the navigation pane, the 附表 are on landscape
// pages, every page has its number; and LibreOffice opens it and its PDF
// holds the title, every section heading, every CV with its margin and
// every school code.
func TestDOCXCounty(t *testing.T) {
	rep := countyReport(t, roundingCounty)
	var buf bytes.Buffer
	if err := rep.WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = b
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(b))
			for {
				if _, err := dec.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed: %v", f.Name, err)
				}
			}
		}
	}
	body := string(parts["word/document.xml"])
	d := countyDoc(rep)
	charts := 0
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				charts++
			}
		}
	}
	if charts == 0 {
		t.Fatal("the report has no chart: the test proves nothing about images")
	}
	for i := 1; i <= charts; i++ {
		img := parts[fmt.Sprintf("word/media/chart%d.png", i)]
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("chart %d is not a PNG: %v", i, err)
		}
		if !strings.Contains(body, fmt.Sprintf(`r:embed="rIdImg%d"`, i)) || !strings.Contains(string(parts["word/_rels/document.xml.rels"]), fmt.Sprintf(`Target="media/chart%d.png"`, i)) {
			t.Errorf("chart %d is not referred to", i)
		}
	}
	if n := strings.Count(body, `<w:pStyle w:val="Heading1"/>`); n < len(d.Sections)/2 {
		t.Errorf("%d Heading1 paragraphs for %d sections", n, len(d.Sections))
	}
	if !strings.Contains(body, `w:orient="landscape"`) {
		t.Error("no landscape pages for the 附表")
	}
	if !strings.Contains(string(parts["word/footer1.xml"]), "PAGE") || strings.Count(body, `r:id="rIdFooter"`) < 2 {
		t.Error("the pages have no number")
	}

	needTool(t, "pdftotext", "poppler-utils")
	soffice := needTool(t, "soffice", "libreoffice-writer-nogui")
	dir := t.TempDir()
	in := filepath.Join(dir, "county.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, in)
	flat := squeeze(runTool(t, "pdftotext", filepath.Join(dir, "county.pdf"), "-"))
	want := []string{rep.Title(), "南江省嘉禾市梅陵县（981124）", "资源配置结论", "未达标"}
	for _, s := range d.Sections {
		want = append(want, s.Title)
	}
	for _, st := range rep.Stages {
		for _, ir := range st.Indicators {
			want = append(want, f4(ir.CV), signed4(ir.Margin))
		}
		for _, s := range st.Schools {
			want = append(want, s.Code)
		}
	}
	for _, w := range want {
		if !strings.Contains(flat, squeeze(w)) {
			t.Errorf("LibreOffice's PDF of the DOCX lacks %q", w)
		}
	}
	if dir := os.Getenv("DUDAO_REPORT_PNG"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "county.docx"), buf.Bytes(), 0o644)
		runTool(t, "pdftoppm", "-r", "50", "-png", filepath.Join(filepath.Dir(in), "county.pdf"), filepath.Join(dir, "county-docx"))
	}
}

// TestDOCXSummary: the city summary as Word opens in LibreOffice with its
// ranking.
func TestDOCXSummary(t *testing.T) {
	s := summary(t, census.LevelCity, fixtureCity, "")
	var buf bytes.Buffer
	if err := s.WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	needTool(t, "pdftotext", "poppler-utils")
	soffice := needTool(t, "soffice", "libreoffice-writer-nogui")
	dir := t.TempDir()
	in := filepath.Join(dir, "summary.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, in)
	flat := squeeze(runTool(t, "pdftotext", filepath.Join(dir, "summary.pdf"), "-"))
	for _, c := range s.Counties {
		if !strings.Contains(flat, squeeze(c.Name)) {
			t.Errorf("the summary's DOCX lacks county %s", c.Name)
		}
	}
}
