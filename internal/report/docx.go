package report

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteDOCX writes the document as a Word file (.docx): see writeDOCX.
func (d *Document) WriteDOCX(w io.Writer) error { return writeDOCX(w, d.doc(), d.Date) }

// WriteDOCX writes the county's 自评报告 with its 附表 as a Word file
// (.docx), for counties that edit the report before stamping it.
func (c *County) WriteDOCX(w io.Writer) error { return writeDOCX(w, countyDoc(c), c.Meta.Date) }

// WriteDOCX writes the summary as a Word file (.docx).
func (s *Summary) WriteDOCX(w io.Writer) error { return writeDOCX(w, summaryDoc(s), s.Meta.Date) }

// writeDOCX writes d as an Office Open XML word-processing file that
// Word, WPS and LibreOffice open without repair, made from the same
// document model as the PDF and HTML: the title, the cover's facts as a
// two-column table and the verdict; then each section, its headings in
// the styles that make Word's and WPS's navigation pane (标题 1, 标题 2),
// paragraphs, lists, tables as real tables (the header row repeated on each
// page, rows kept whole) and charts as PNG images. Wide sections (the 附表)
// are landscape pages. Every page has its number in the footer. Text is
// set in 宋体 (SimSun) and headings in 黑体 (SimHei), named with their East
// Asian font hint so that WPS and Word substitute a Chinese face where
// these are missing. date stamps the file's parts, so that the same
// inputs give the same bytes.
func writeDOCX(w io.Writer, d *doc, date time.Time) error {
	body, images, err := docxBody(d)
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	parts := []struct {
		name string
		body []byte
	}{
		{"[Content_Types].xml", []byte(docxContentTypes)},
		{"_rels/.rels", []byte(docxRels)},
		{"word/_rels/document.xml.rels", []byte(docxDocRels(len(images)))},
		{"word/styles.xml", []byte(docxStyles)},
		{"word/settings.xml", []byte(docxSettings)},
		{"word/footer1.xml", []byte(docxFooter)},
		{"docProps/core.xml", []byte(docxCore(d.Title, date))},
		{"word/document.xml", []byte(body)},
	}
	for i, img := range images {
		parts = append(parts, struct {
			name string
			body []byte
		}{"word/media/chart" + strconv.Itoa(i+1) + ".png", img})
	}
	for _, p := range parts {
		method := zip.Deflate
		if strings.HasSuffix(p.name, ".png") {
			method = zip.Store // already compressed
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: method, Modified: date})
		if err != nil {
			return err
		}
		if _, err := f.Write(p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

const docxContentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const docxRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

// docxDocRels are the document's relationships: styles, settings, the
// footer, and n chart images (rIdImg1…).
func docxDocRels(n int) string {
	var b strings.Builder
	b.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
		`<Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<Relationship Id="rIdImg%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart%d.png"/>`, i, i)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

const docxSettings = xml.Header + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

// docxFooter is the page footer: 第 N 页 / 共 M 页, centred.
const docxFooter = xml.Header + `<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">第 </w:t></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> 页 / 共 </w:t></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:instrText xml:space="preserve"> NUMPAGES </w:instrText></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>` +
	`<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> 页</w:t></w:r></w:p></w:ftr>`

const docxFonts = `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman" w:hint="eastAsia"/>`

// docxHeadFonts set headings in 黑体 (SimHei).
const docxHeadFonts = `<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="SimHei" w:cs="Arial" w:hint="eastAsia"/>`

const docxStyles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` + docxFonts + `<w:sz w:val="24"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr>` + docxHeadFonts + `<w:b/><w:sz w:val="36"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="28"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>` + docxHeadFonts + `<w:b/><w:sz w:val="30"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr>` + docxHeadFonts + `<w:b/><w:sz w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:b/><w:sz w:val="22"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:ind w:left="420" w:hanging="420"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="20"/><w:color w:val="555555"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>` +
	`<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr></w:style>` +
	`</w:styles>`

func docxCore(title string, date time.Time) string {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>`)
	b.WriteString(esc(title))
	b.WriteString(`</dc:title>`)
	if !date.IsZero() {
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + date.UTC().Format(time.RFC3339) + `</dcterms:created>`)
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

func table(b *strings.Builder, width int, cols []Column, header []string, rows [][]Cell) {
	total := 0.0
	for _, c := range cols {
		total += widthOr(c.Width)
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="` + strconv.Itoa(width) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	widths := make([]string, len(cols))
	for i, c := range cols {
		widths[i] = strconv.Itoa(int(float64(width) * widthOr(c.Width) / total))
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
			cell(i, c.Text, false, c.Bad, c.IsNum || cols[i].Number)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

// The page sizes, in twips: A4 with 2.5 cm margins (1 440 twips), and
// the text width of a portrait and a landscape page.
const (
	docxPageW, docxPageH = 11906, 16838
	docxMargin           = 1440
	docxLandWidth        = docxPageH - 2*docxMargin
)

// docxSect is a section's page properties; landscape for wide sections.
func docxSect(landscape bool) string {
	size := `<w:pgSz w:w="11906" w:h="16838"/>`
	if landscape {
		size = `<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>`
	}
	return `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/>` + size +
		`<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`
}

// docxBody is the document part of d and the PNG images of its charts
// (referred to as rIdImg1…, in order).
func docxBody(d *doc) (string, [][]byte, error) {
	var b strings.Builder
	var images [][]byte
	b.WriteString(xml.Header)
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
		`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
		`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
		`xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>`)
	para(&b, "Title", d.Title)
	if d.Subtitle != "" {
		para(&b, "Subtitle", d.Subtitle)
	}
	if len(d.Cover) > 0 {
		rows := make([][]Cell, len(d.Cover))
		for i, c := range d.Cover {
			rows[i] = []Cell{TextCell(c.K), TextCell(c.V)}
		}
		table(&b, docxWidth, []Column{{Width: 6}, {Width: 24}}, nil, rows)
	}
	if d.Verdict != "" {
		b.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>`)
		run(&b, d.Verdict, true, !d.Pass)
		b.WriteString(`</w:p>`)
	}
	landscape := false
	for _, s := range d.Sections {
		if s.Wide != landscape {
			// End the pages so far (a section's properties close it).
			b.WriteString(`<w:p><w:pPr>` + docxSect(landscape) + `</w:pPr></w:p>`)
			landscape = s.Wide
		} else if s.Break {
			b.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
		}
		width := docxWidth
		if landscape {
			width = docxLandWidth
		}
		style := "Heading1"
		if s.Level > 1 {
			style = "Heading2"
		}
		para(&b, style, s.Title)
		for _, bl := range s.Blocks {
			switch {
			case bl.Para != "":
				para(&b, "", bl.Para)
			case len(bl.List) > 0:
				for _, it := range bl.List {
					para(&b, "ListBullet", "•\t"+it)
				}
			case bl.Table != nil:
				t := bl.Table
				if t.Title != "" {
					para(&b, "Caption", t.Title)
				}
				header := make([]string, len(t.Columns))
				for i, c := range t.Columns {
					header[i] = c.Header
				}
				table(&b, width, t.Columns, header, t.Rows)
				b.WriteString(`<w:p/>`)
			case bl.Chart != nil:
				img, cw, ch, err := chartPNG(bl.Chart)
				if err != nil {
					return "", nil, err
				}
				images = append(images, img)
				if bl.Chart.Title != "" {
					para(&b, "Caption", bl.Chart.Title)
				}
				docxPicture(&b, len(images), width, cw, ch, bl.Chart.Title)
			case bl.Verdict != nil:
				v := bl.Verdict
				b.WriteString(`<w:p>`)
				run(&b, v.Label+"：", true, false)
				run(&b, v.Text, true, !v.Pass)
				b.WriteString(`</w:p>`)
			case bl.Note != "":
				para(&b, "Note", bl.Note)
			}
		}
	}
	b.WriteString(docxSect(landscape))
	b.WriteString(`</w:body></w:document>`)
	return b.String(), images, nil
}

// docxPicture places chart image n (w × h SVG units) as an inline picture
// as wide as the text (width twips).
func docxPicture(b *strings.Builder, n, width int, w, h float64, title string) {
	const emuPerTwip = 635
	cx := int64(width) * emuPerTwip
	cy := int64(float64(cx) * h / w)
	id := strconv.Itoa(n)
	fmt.Fprintf(b, `<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%s" name="chart%s" descr="%s"/>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`+
		`<pic:nvPicPr><pic:cNvPr id="%s" name="chart%s.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdImg%s"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`,
		cx, cy, id, id, esc(title), id, id, id, cx, cy)
}
