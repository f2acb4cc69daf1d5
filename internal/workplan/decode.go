package workplan

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// decodeText turns a text file's bytes into a string: a byte-order mark
// decides; without one, valid UTF-8 is UTF-8 and anything else is read as
// GB18030 (which includes GBK and GB2312, what Windows Notepad and WPS
// save in China), refused if it does not decode cleanly.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		if !utf8.Valid(data[3:]) {
			return "", "", errors.New("文件以 UTF-8 标记开头，但内容不是有效的 UTF-8")
		}
		return string(data[3:]), "UTF-8 BOM", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc, name := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "UTF-16LE"
		if data[0] == 0xFE {
			enc, name = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "UTF-16BE"
		}
		b, err := enc.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
			return "", "", errors.New("文件以 UTF-16 标记开头，但内容不是有效的 UTF-16")
		}
		return string(b), name, nil
	case utf8.Valid(data):
		return string(data), "UTF-8", nil
	}
	if line, broken := brokenUTF8(data); broken {
		return "", "", fmt.Errorf("文件是 UTF-8 编码，但第 %d 行有损坏的字节（可能是复制或截断时损坏）", line)
	}
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
		// Report the first line that does not decode.
		ln := 1
		if err == nil {
			ln += bytes.Count(b[:bytes.IndexRune(b, utf8.RuneError)], []byte("\n"))
		}
		return "", "", fmt.Errorf("编码无法识别：既不是 UTF-8 也不是 GB18030（GBK），第 %d 行附近有无法解读的字节", ln)
	}
	return string(b), "GB18030", nil
}

// openZip opens a .docx or .xlsx, refusing one that would unpack to more
// than maxUnzipped (a zip bomb) before anything is unpacked.
func openZip(name string, data []byte) (*zip.Reader, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &Error{File: name, Problem: "文件以 zip 压缩包开头，但已损坏，无法打开",
			Fix: "请用 Word、Excel 或 WPS 打开后重新另存为 .docx 或 .xlsx 再导入"}
	}
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return nil, &Error{File: name, Problem: fmt.Sprintf("解压后超过 %d MB，无法读取", maxUnzipped>>20),
				Fix: "请删除文档中的图片等附件，只保留正文另存后再导入"}
		}
	}
	return z, nil
}

// zipFormat tells a Word document from a workbook by what the zip holds.
func zipFormat(name string, data []byte) (Format, error) {
	z, err := openZip(name, data)
	if err != nil {
		return "", err
	}
	for _, f := range z.File {
		switch f.Name {
		case "word/document.xml":
			return FormatDocx, nil
		case "xl/workbook.xml":
			return FormatXlsx, nil
		}
	}
	return "", &Error{File: name, Problem: "是 zip 压缩包，但既不是 Word 文档（.docx）也不是 Excel 工作簿（.xlsx）",
		Fix: "请直接导入工作要点的 .docx、.xlsx 或 .txt 文件，不要压缩"}
}

// readZipFile reads one member of z, nil if there is none of that name.
func readZipFile(z *zip.Reader, name string) ([]byte, error) {
	for _, f := range z.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxUnzipped+1))
		if err == nil && len(b) > maxUnzipped {
			err = errors.New("too large")
		}
		return b, err
	}
	return nil, nil
}

// docxLines reads the paragraphs of word/document.xml in order, each the
// text of its w:t runs joined, a w:br or w:cr starting a new line within
// the paragraph. A paragraph in a simple numbered list (w:numPr pointing
// at word/numbering.xml) gets its number as Word would show it, "10." or
// "（一）", so that automatic numbering reads like typed numbering.
// Numbering that comes from a paragraph style is not followed.
func docxLines(name string, data []byte) ([]line, error) {
	z, err := openZip(name, data)
	if err != nil {
		return nil, err
	}
	damaged := func(what string, err error) error {
		return &Error{File: name, Problem: "Word 文档已损坏（" + what + "：" + clip(strings.ToValidUTF8(err.Error(), "?"), 80) + "）",
			Fix: "请用 Word 或 WPS 打开后重新另存为 .docx 再导入"}
	}
	doc, err := readZipFile(z, "word/document.xml")
	if err != nil {
		return nil, damaged("word/document.xml", err)
	}
	num := numbering{}
	if b, err := readZipFile(z, "word/numbering.xml"); err == nil && b != nil {
		num = parseNumbering(b)
	}

	type para struct {
		text         strings.Builder
		n            int
		numID, level int
		hasNum       bool
	}
	var (
		stack  []*para
		lines  []line
		count  int
		inText bool
		d      = xml.NewDecoder(bytes.NewReader(doc))
	)
	d.Strict = false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, damaged("word/document.xml", err)
		}
		var top *para
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				if len(stack) > 64 {
					return nil, damaged("word/document.xml", errors.New("段落嵌套过深"))
				}
				count++
				stack = append(stack, &para{n: count})
			case "t":
				inText = top != nil
			case "tab":
				if top != nil {
					top.text.WriteByte('\t')
				}
			case "br", "cr":
				if top != nil {
					top.text.WriteByte('\n')
				}
			case "numId", "ilvl":
				if top != nil {
					v, _ := strconv.Atoi(attr(t, "val"))
					if t.Name.Local == "numId" {
						top.numID, top.hasNum = v, true
					} else {
						top.level = v
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if top == nil {
					continue
				}
				stack = stack[:len(stack)-1]
				text := top.text.String()
				if top.hasNum {
					text = num.label(top.numID, top.level) + text
				}
				for _, s := range strings.Split(text, "\n") {
					lines = append(lines, line{text: s, loc: Loc{"段", top.n}})
				}
			}
		case xml.CharData:
			if inText && top != nil {
				if top.text.Len() > maxUnzipped {
					return nil, damaged("word/document.xml", errors.New("段落过长"))
				}
				top.text.Write(t)
			}
		}
	}
	return lines, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// numbering is the simple part of word/numbering.xml: for each list, its
// levels' formats, texts and starts, and the counters as paragraphs use them.
type numbering struct {
	lists    map[int][]numLevel // by w:numId
	counters map[int]*[9]int
}

type numLevel struct {
	start int
	fmt   string // w:numFmt: decimal, chineseCounting, decimalEnclosedCircle, bullet…
	text  string // w:lvlText: "%1.", "（%1）", "%1、"
}

func parseNumbering(b []byte) numbering {
	var doc struct {
		Abstract []struct {
			ID     int `xml:"abstractNumId,attr"`
			Levels []struct {
				Ilvl  int `xml:"ilvl,attr"`
				Start struct {
					Val int `xml:"val,attr"`
				} `xml:"start"`
				Fmt struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
				Text struct {
					Val string `xml:"val,attr"`
				} `xml:"lvlText"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Num []struct {
			ID       int `xml:"numId,attr"`
			Abstract struct {
				Val int `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	n := numbering{lists: map[int][]numLevel{}, counters: map[int]*[9]int{}}
	if xml.Unmarshal(b, &doc) != nil {
		return n
	}
	abstract := map[int][]numLevel{}
	for _, a := range doc.Abstract {
		levels := make([]numLevel, 9)
		for _, l := range a.Levels {
			if l.Ilvl >= 0 && l.Ilvl < 9 {
				levels[l.Ilvl] = numLevel{start: l.Start.Val, fmt: l.Fmt.Val, text: l.Text.Val}
			}
		}
		abstract[a.ID] = levels
	}
	for _, m := range doc.Num {
		if l, ok := abstract[m.Abstract.Val]; ok {
			n.lists[m.ID] = l
		}
	}
	return n
}

// label is the number Word shows before the next paragraph of list id at
// level ilvl, advancing the list's counters; "" for bullets and for lists
// that are not there.
func (n numbering) label(id, ilvl int) string {
	levels, ok := n.lists[id]
	if !ok || ilvl < 0 || ilvl >= 9 {
		return ""
	}
	c := n.counters[id]
	if c == nil {
		c = &[9]int{}
		n.counters[id] = c
	}
	if c[ilvl] == 0 {
		c[ilvl] = max(levels[ilvl].start, 1)
	} else {
		c[ilvl]++
	}
	for k := ilvl + 1; k < 9; k++ {
		c[k] = 0
	}
	lv := levels[ilvl]
	if lv.fmt == "bullet" || lv.fmt == "none" || lv.text == "" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(lv.text); i++ {
		ch := lv.text[i]
		if ch == '%' && i+1 < len(lv.text) && lv.text[i+1] >= '1' && lv.text[i+1] <= '9' {
			k := int(lv.text[i+1] - '1')
			b.WriteString(formatNumber(max(c[k], 1), levels[k].fmt))
			i++
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// formatNumber writes n in a w:numFmt.
func formatNumber(n int, format string) string {
	switch format {
	case "chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting", "chineseLegalSimplified":
		return chineseNumeral(n)
	case "decimalEnclosedCircle", "decimalEnclosedCircleChinese":
		if n >= 1 && n <= 20 {
			return string(rune('①' + n - 1))
		}
	case "lowerLetter":
		if n >= 1 && n <= 26 {
			return string(rune('a' + n - 1))
		}
	case "upperLetter":
		if n >= 1 && n <= 26 {
			return string(rune('A' + n - 1))
		}
	}
	return strconv.Itoa(n)
}

// chineseNumeral writes 1…999 as 一 … 九百九十九, the way headings count.
func chineseNumeral(n int) string {
	const d = "零一二三四五六七八九"
	digit := func(k int) string { return string([]rune(d)[k]) }
	if n <= 0 || n >= 1000 {
		return strconv.Itoa(n)
	}
	var b strings.Builder
	h, t, u := n/100, n/10%10, n%10
	if h > 0 {
		b.WriteString(digit(h) + "百")
	}
	switch {
	case t > 0 && h == 0 && t == 1:
		b.WriteString("十")
	case t > 0:
		b.WriteString(digit(t) + "十")
	case h > 0 && u > 0:
		b.WriteString("零")
	}
	if u > 0 {
		b.WriteString(digit(u))
	}
	return b.String()
}

// xlsxLines reads the first sheet, one line per row: the text of the first
// non-empty cell, joined to the next when the first holds only a number
// ("10" | "持续扩增…" reads as "10.持续扩增…"). The row's other non-empty
// cells (责任单位, 完成时限…) are kept as the item's Extra.
func xlsxLines(name string, data []byte) (lines []line, err error) {
	if _, err := openZip(name, data); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			lines, err = nil, &Error{File: name, Problem: "Excel 工作簿已损坏（" + clip(strings.ToValidUTF8(fmt.Sprint(p), "?"), 80) + "）",
				Fix: "请用 Excel 或 WPS 打开后重新另存为 .xlsx 再导入"}
		}
	}()
	damaged := &Error{File: name, Problem: "不是有效的 Excel 工作簿（文件已损坏）",
		Fix: "请用 Excel 或 WPS 打开后重新另存为“Excel 工作簿(*.xlsx)”再导入"}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, damaged
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, damaged
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, damaged
	}
	defer rows.Close()
	for i := 1; rows.Next(); i++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, &Error{File: name, Loc: Loc{"行", i}, Problem: "读不出这一行", Fix: damaged.Fix}
		}
		var texts []string
		for _, c := range cells {
			if c = strings.TrimSpace(c); c != "" {
				texts = append(texts, c)
			}
		}
		if len(texts) == 0 {
			continue
		}
		text, extra := texts[0], texts[1:]
		if len(extra) > 0 && isBareNumber(text) {
			text, extra = text+"."+extra[0], extra[1:]
		} else if m, rest := marker(text); len(extra) > 0 && m.style != styleNone && rest == "" {
			text, extra = text+extra[0], extra[1:]
		}
		for k, s := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			ln := line{text: s, loc: Loc{"行", i}}
			if k == 0 {
				ln.extra = extra
			}
			lines = append(lines, ln)
		}
	}
	if rows.Error() != nil {
		return nil, damaged
	}
	return lines, nil
}

// isBareNumber reports a cell holding only a small whole number, a 序号.
func isBareNumber(s string) bool {
	n, k := digits(s)
	return k > 0 && k == len(s) && n > 0
}

// brokenUTF8 tells UTF-8 with a few damaged bytes from GB18030: Chinese
// text in GB18030 almost never forms valid multi-byte UTF-8 sequences, so
// a file where they outnumber the invalid bytes ten to one is UTF-8, and
// reading it as GB18030 would silently turn it into nonsense. It returns
// the line of the first invalid byte.
func brokenUTF8(data []byte) (int, bool) {
	valid, invalid, first := 0, 0, -1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
			if first < 0 {
				first = i
			}
		case size > 1:
			valid++
		}
		i += max(size, 1)
	}
	if valid < 10 || valid < 10*invalid {
		return 0, false
	}
	return 1 + bytes.Count(data[:first], []byte("\n")), true
}
