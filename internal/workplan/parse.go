package workplan

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what Parse accepts.
const (
	// MaxFileSize is the largest file Parse reads, in bytes.
	MaxFileSize = 10 << 20
	// MaxItems is the most numbered items a plan may have.
	MaxItems = 5000
	// maxUnzipped bounds what a .docx or .xlsx may unpack to.
	maxUnzipped = 64 << 20
	// headingRunes is the longest first sentence taken as an item's title.
	headingRunes = 30
)

// Format is the kind of file a plan was read from.
type Format string

// The formats Parse reads.
const (
	FormatText Format = "txt"
	FormatDocx Format = "docx"
	FormatXlsx Format = "xlsx"
)

// Plan is a parsed 年度工作要点: its sections (一、 and （一）) and its
// numbered items (10. / 10、 / （10）) in file order.
type Plan struct {
	Name     string
	Format   Format
	Encoding string   // text files: "UTF-8", "UTF-8 BOM", "UTF-16LE", "UTF-16BE" or "GB18030"
	Comments []string // lines starting with #, without the #
	Preamble []string // lines before the first section or item: 标题, 指导思想…
	Sections []Section
	Items    []Item
	Warnings []string // things worth a look that did not stop the import, e.g. a gap in the numbering
}

// Loc is where a line came from: a line of a text file (行), a paragraph
// of a Word document (段) or a row of a worksheet (行).
type Loc struct {
	Unit string // "行" or "段"
	N    int    // 1-based
}

func (l Loc) String() string {
	if l.N == 0 {
		return ""
	}
	return fmt.Sprintf("第 %d %s", l.N, l.Unit)
}

// Section is a heading: level 1 is 一、二、…, level 2 is （一）（二）….
type Section struct {
	Number string // the numeral as written: "三", "一"
	Level  int
	Title  string // the heading without its number
	Line   string // the heading line as written: "三、强化统筹协调,构建高质量教育体系"
	Parent int    // index in Plan.Sections of the level-1 section holding a level-2 one, else -1
	Text   []string
	Loc    Loc
}

// Item is a numbered work item, the unit that becomes a tracked task.
type Item struct {
	Number       string // "10"
	N            int    // 10
	Title        string // the short heading sentence, or the start of the text
	Text         string // the full text without the item's own number; sub-item lines keep theirs
	Section      int    // index in Plan.Sections of the innermost section, or -1
	SectionTitle string // that section's heading line as written
	SubItems     []SubItem
	Extra        []string // worksheets: the row's other non-empty cells (责任单位, 完成时限…)
	Targets      []Target // Targets(Text)
	Loc          Loc
	lines        []string // Text's lines while reading
}

// SubItem is a numbered line inside an item: 1. (1) ①.
type SubItem struct {
	Marker string // as written: "(1)", "①", "1."
	N      int
	Text   string // without the marker
	Loc    Loc
	style  style
	lines  []string
}

// Error is a problem that stops an import: the file, where in it, what is
// wrong and what to do about it, in the words shown to the user.
type Error struct {
	File    string
	Loc     Loc
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Loc.N > 0 {
		b.WriteString(" ")
		b.WriteString(e.Loc.String())
	}
	b.WriteString("：")
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("。")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// line is one line of text from any format, with where it came from.
type line struct {
	text  string
	loc   Loc
	extra []string
}

// Parse reads a work plan from r. name is the file's name: its extension
// and the content's first bytes decide how it is read (.txt in UTF-8,
// UTF-8 with BOM, UTF-16 with BOM or GB18030; .docx; .xlsx). Errors are
// *Error values.
func Parse(name string, r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: name, Problem: "读取失败：" + clip(err.Error(), 120)}
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Problem: fmt.Sprintf("文件超过 %d MB", MaxFileSize>>20),
			Fix: "工作要点正文一般不到 1 MB；请删除图片等附件，或只保留正文另存后再导入"}
	}
	format, err := sniff(name, data)
	if err != nil {
		return nil, err
	}
	p := &Plan{Name: name, Format: format}
	var lines []line
	switch format {
	case FormatDocx:
		lines, err = docxLines(name, data)
	case FormatXlsx:
		lines, err = xlsxLines(name, data)
	default:
		lines, p.Encoding, err = textLines(name, data)
	}
	if err != nil {
		return nil, err
	}
	if err := outline(p, lines); err != nil {
		return nil, err
	}
	return p, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// sniff decides the format from the content first and the extension second:
// a zip is a .docx or .xlsx whatever it is called, and a file called .docx
// that is not a zip is refused rather than read as text.
func sniff(name string, data []byte) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return zipFormat(name, data)
	case bytes.HasPrefix(data, oleMagic):
		return "", &Error{File: name, Problem: "这是旧版 Word/Excel/WPS 文件（.doc、.xls、.wps），无法直接读取",
			Fix: "请用 Word、Excel 或 WPS 打开，另存为 .docx 或 .xlsx 后再导入"}
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "", &Error{File: name, Problem: "这是 PDF 文件，读不出条目的层次",
			Fix: "请从原文复制正文存为 .txt，或另存为 .docx 后再导入"}
	case ext == ".docx" || ext == ".xlsx" || ext == ".doc" || ext == ".xls" || ext == ".wps" || ext == ".et":
		return "", &Error{File: name, Problem: "扩展名是 " + ext + "，但内容不是 Word 或 Excel 文件（文件可能已损坏，或只是改了扩展名）",
			Fix: "请用 Word、Excel 或 WPS 打开后另存为 .docx 或 .xlsx，或把正文存为 .txt 再导入"}
	}
	return FormatText, nil
}

// textLines decodes a text file and splits it into lines.
func textLines(name string, data []byte) ([]line, string, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, "", &Error{File: name, Problem: err.Error(),
			Fix: "请在记事本或 WPS 中打开，另存为“UTF-8”编码的 .txt 后再导入"}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []line
	for i, s := range strings.Split(text, "\n") {
		if bad := strings.IndexFunc(s, isBinary); bad >= 0 {
			return nil, "", &Error{File: name, Loc: Loc{"行", i + 1}, Problem: "含有不可显示的控制字符，不像是文本文件",
				Fix: "工作要点请用 .txt（UTF-8 或 GB18030 编码）、.docx 或 .xlsx 文件导入"}
		}
		lines = append(lines, line{text: s, loc: Loc{"行", i + 1}})
	}
	return lines, enc, nil
}

// isBinary reports control characters that do not occur in text.
func isBinary(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\f' && r != '\v'
}

// outline walks the lines and builds the sections and items.
func outline(p *Plan, lines []line) error {
	var (
		itemStyle style // the numbering style of items: the first Arabic style met
		cur       *Item // the item being read, nil before the first and after a heading
		curSec    = -1
		lastN     int // the last item's number
	)
	for _, ln := range lines {
		s := strings.TrimFunc(ln.text, unicode.IsSpace)
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "#") || strings.HasPrefix(s, "＃") {
			p.Comments = append(p.Comments, strings.TrimSpace(strings.TrimLeft(s, "#＃")))
			continue
		}
		m, rest := marker(s)
		switch m.style {
		case styleSection1, styleSection2:
			parent := -1
			if m.style == styleSection2 {
				for i := len(p.Sections) - 1; i >= 0; i-- {
					if p.Sections[i].Level == 1 {
						parent = i
						break
					}
				}
			}
			p.Sections = append(p.Sections, Section{Number: m.num, Level: m.style.level(), Title: rest,
				Line: s, Parent: parent, Loc: ln.loc})
			curSec, cur = len(p.Sections)-1, nil
			continue
		case styleDot, styleParen:
			if itemStyle == styleNone {
				itemStyle = m.style
			}
			if m.style == itemStyle && isNewItem(cur, m) {
				if len(p.Items) > 0 && m.n != lastN+1 && m.n != 1 {
					p.Warnings = append(p.Warnings, fmt.Sprintf("%s：条目编号 %d 之后是 %d，请核对是否漏了条目或编号有误", ln.loc, lastN, m.n))
				}
				if len(p.Items) == MaxItems {
					return &Error{File: p.Name, Loc: ln.loc, Problem: fmt.Sprintf("编号条目超过 %d 条", MaxItems),
						Fix: "一份工作要点一般不超过几百条；请检查是否把附表等一并导入，删去后再导入"}
				}
				p.Items = append(p.Items, newItem(m, rest, curSec, p, ln))
				cur, lastN = &p.Items[len(p.Items)-1], m.n
				continue
			}
			if cur != nil {
				cur.addSub(m, rest, s, ln.loc)
				continue
			}
		case styleCircled:
			if cur != nil {
				cur.addSub(m, rest, s, ln.loc)
				continue
			}
		}
		switch {
		case cur != nil:
			cur.lines = append(cur.lines, s)
			if n := len(cur.SubItems); n > 0 {
				cur.SubItems[n-1].lines = append(cur.SubItems[n-1].lines, s)
			}
		case curSec >= 0:
			p.Sections[curSec].Text = append(p.Sections[curSec].Text, s)
		default:
			p.Preamble = append(p.Preamble, s)
		}
	}
	if len(p.Items) == 0 {
		what := "没有找到编号的工作条目"
		if len(p.Sections) > 0 {
			what = fmt.Sprintf("找到 %d 个大标题（如“%s”），但没有编号的工作条目", len(p.Sections), clip(p.Sections[0].Line, 20))
		}
		return &Error{File: p.Name, Problem: what,
			Fix: "每条工作应另起一行，以“1.”“1、”或“（1）”这样的编号开头（大标题用“一、”或“（一）”）；请检查导入的是否是工作要点正文"}
	}
	for i := range p.Items {
		it := &p.Items[i]
		it.Text, it.lines = strings.Join(it.lines, "\n"), nil
		for k := range it.SubItems {
			sub := &it.SubItems[k]
			sub.Text, sub.lines = strings.Join(sub.lines, "\n"), nil
		}
		it.Targets = Targets(it.Text)
	}
	return nil
}

// isNewItem reports whether a line in the items' own style starts a new
// item rather than a sub-item of cur numbered in the same style. The next
// number in sequence is an item even when it could continue a sub-list;
// a 1 inside an item, or the next number of a sub-list already open in
// that style, is a sub-item; any other number is an item out of sequence.
func isNewItem(cur *Item, m mark) bool {
	if cur == nil || m.n == cur.N+1 {
		return true
	}
	if m.n == 1 {
		return false
	}
	for i := len(cur.SubItems) - 1; i >= 0; i-- {
		if cur.SubItems[i].style == m.style {
			return m.n != cur.SubItems[i].N+1
		}
	}
	return true
}

func newItem(m mark, rest string, sec int, p *Plan, ln line) Item {
	it := Item{Number: strconv.Itoa(m.n), N: m.n, Section: sec, Extra: ln.extra, Loc: ln.loc, lines: []string{rest}}
	if sec >= 0 {
		it.SectionTitle = p.Sections[sec].Line
	}
	it.Title = title(rest)
	return it
}

// title is the item's heading sentence: the text up to the first 。 or ：
// when that is short, as in "10.持续扩增基础教育优质资源。落实…"; otherwise
// the start of the text, clipped.
func title(s string) string {
	if i := strings.IndexAny(s, "。："); i > 0 && utf8.RuneCountInString(s[:i]) <= headingRunes {
		return s[:i]
	}
	if utf8.RuneCountInString(s) <= headingRunes {
		return strings.TrimRight(s, "。；;，,")
	}
	return clip(s, headingRunes)
}

func (it *Item) addSub(m mark, rest, line string, loc Loc) {
	it.SubItems = append(it.SubItems, SubItem{Marker: m.raw, N: m.n, Loc: loc, style: m.style, lines: []string{rest}})
	it.lines = append(it.lines, line)
}

// clip shortens s to n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k] + "…"
		}
		i++
	}
	return s
}
