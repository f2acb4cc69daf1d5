package report

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteDOCX writes the document as a minimal Office Open XML word
// processing file (.docx) that Word, WPS and LibreOffice open: the title,
// the cover's facts as a two-column table, then each section with a
// heading, its paragraphs and its tables (a header row repeated on each
// page). Styles for the title, the headings and the tables are declared in
// word/styles.xml; the text is set in SimSun/宋体 with the East Asian font
// hint so that Chinese renders in a Chinese face.
func (d *Document) WriteDOCX(w io.Writer) error {
	z := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRels},
		{"word/_rels/document.xml.rels", docxDocRels},
		{"word/styles.xml", docxStyles},
		{"docProps/core.xml", d.docxCore()},
		{"word/document.xml", d.docxBody()},
	}
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: d.Date})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

const docxContentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const docxRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const docxDocRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

const docxFonts = `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman"/>`

const docxStyles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` + docxFonts + `<w:sz w:val="24"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="28"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="30"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="20"/><w:color w:val="555555"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>` +
	`<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr></w:style>` +
	`</w:styles>`

func (d *Document) docxCore() string {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>`)
	b.WriteString(esc(d.Title))
	b.WriteString(`</dc:title>`)
	if !d.Date.IsZero() {
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + d.Date.UTC().Format(time.RFC3339) + `</dcterms:created>`)
	}
	b.WriteString(`</cp:coreProperties>`)
	return b.String()
}

// esc escapes s for XML text, dropping the characters XML 1.0 forbids.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			xml.EscapeText(&b, []byte(string(r)))
		}
	}
	return b.String()
}

// run writes s as runs of text, a line break for each newline.
func run(b *strings.Builder, s string, bold, red bool) {
	for i, ln := range strings.Split(s, "\n") {
		b.WriteString(`<w:r>`)
		if bold || red {
			b.WriteString(`<w:rPr>`)
			if bold {
				b.WriteString(`<w:b/>`)
			}
			if red {
				b.WriteString(`<w:color w:val="C00000"/>`)
			}
			b.WriteString(`</w:rPr>`)
		}
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		b.WriteString(`<w:t xml:space="preserve">` + esc(ln) + `</w:t></w:r>`)
	}
}

func para(b *strings.Builder, style, s string) {
	b.WriteString(`<w:p>`)
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`)
	}
	run(b, s, false, false)
	b.WriteString(`</w:p>`)
}

// docxWidth is the text width of an A4 page with 2.5 cm margins, in twips.
const docxWidth = 9026

func table(b *strings.Builder, cols []Column, header []string, rows [][]Cell) {
	total := 0.0
	for _, c := range cols {
		total += widthOr(c.Width)
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="` + strconv.Itoa(docxWidth) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	widths := make([]string, len(cols))
	for i, c := range cols {
		widths[i] = strconv.Itoa(int(float64(docxWidth) * widthOr(c.Width) / total))
		b.WriteString(`<w:gridCol w:w="` + widths[i] + `"/>`)
	}
	b.WriteString(`</w:tblGrid>`)
	cell := func(i int, s string, bold, red, right bool) {
		b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + widths[i] + `" w:type="dxa"/>`)
		if bold {
			b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>`)
		}
		b.WriteString(`</w:tcPr><w:p>`)
		if right {
			b.WriteString(`<w:pPr><w:jc w:val="right"/></w:pPr>`)
		}
		run(b, s, bold, red)
		b.WriteString(`</w:p></w:tc>`)
	}
	if header != nil {
		b.WriteString(`<w:tr><w:trPr><w:tblHeader/></w:trPr>`)
		for i, h := range header {
			cell(i, h, true, false, false)
		}
		b.WriteString(`</w:tr>`)
	}
	for _, r := range rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for i := range cols {
			c := Cell{}
			if i < len(r) {
				c = r[i]
			}
			cell(i, c.Text, false, c.Bad, c.IsNum)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

func (d *Document) docxBody() string {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	para(&b, "Title", d.Title)
	if d.Subtitle != "" {
		para(&b, "Subtitle", d.Subtitle)
	}
	if len(d.Cover) > 0 {
		rows := make([][]Cell, len(d.Cover))
		for i, c := range d.Cover {
			rows[i] = []Cell{TextCell(c[0]), TextCell(c[1])}
		}
		table(&b, []Column{{Width: 6}, {Width: 24}}, nil, rows)
	}
	if d.Verdict != "" {
		b.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>`)
		run(&b, d.Verdict, true, !d.Pass)
		b.WriteString(`</w:p>`)
	}
	for _, s := range d.Sections {
		para(&b, "Heading1", s.Title)
		for _, p := range s.Paragraphs {
			para(&b, "", p)
		}
		for _, t := range s.Tables {
			if t.Title != "" {
				para(&b, "Heading2", t.Title)
			}
			header := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				header[i] = c.Header
			}
			table(&b, t.Columns, header, t.Rows)
			if t.Note != "" {
				para(&b, "Note", t.Note)
			} else {
				b.WriteString(`<w:p/>`)
			}
		}
	}
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`)
	b.WriteString(`</w:body></w:document>`)
	return b.String()
}
