package workplan

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func realPlan(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/workplan-2023.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// para is a paragraph of a test document: its text, and a list it is
// numbered in (numID 0: none).
type para struct {
	text         string
	numID, level int
}

const numberingXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="10"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>`

// docx builds a minimal Word document; each paragraph's text is split into
// runs of at most 7 bytes' worth of runes, as Word splits text into runs.
func docx(tb testing.TB, paras []para) []byte {
	tb.Helper()
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p>")
		if p.numID > 0 {
			body.WriteString(`<w:pPr><w:numPr><w:ilvl w:val="` + string(rune('0'+p.level)) + `"/><w:numId w:val="` + string(rune('0'+p.numID)) + `"/></w:numPr></w:pPr>`)
		}
		rs := []rune(p.text)
		for i := 0; i < len(rs); i += 7 {
			var esc bytes.Buffer
			_ = xml.EscapeText(&esc, []byte(string(rs[i:min(i+7, len(rs))])))
			body.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">` + esc.String() + `</w:t></w:r>`)
		}
		body.WriteString("</w:p>")
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   doc,
		"word/numbering.xml":  numberingXML,
	} {
		w, err := z.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		_, _ = w.Write([]byte(content))
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// docxOf is the text file's lines as paragraphs, typed numbering kept.
func docxOf(tb testing.TB, text []byte) []byte {
	var ps []para
	for _, l := range strings.Split(string(text), "\n") {
		ps = append(ps, para{text: l})
	}
	return docx(tb, ps)
}

// xlsx builds a workbook whose first sheet holds rows.
func xlsx(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, c := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr("Sheet1", cell, c); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if _, err := f.NewSheet("第二张"); err != nil {
		tb.Fatal(err)
	}
	_ = f.SetCellStr("第二张", "A1", "1.不该读到这里")
	b, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// xlsxOf is the text file as a sheet: 序号 in column A when a line starts
// with an item number, the text in B, a 责任单位 in C.
func xlsxOf(tb testing.TB, text []byte) []byte {
	rows := [][]string{{"序号", "工作任务", "责任单位"}}
	for _, l := range strings.Split(string(text), "\n") {
		if m, rest := marker(l); m.style == styleDot {
			rows = append(rows, []string{m.num, rest, "市教育局"})
			continue
		}
		rows = append(rows, []string{"", l})
	}
	return xlsx(tb, rows)
}
