package censusio

// The scan that found formula cells without a cached value and sheets cut
// short while excelize read the rows, before sheetRows did both in its one
// pass. It stays as an independent reference: FuzzScanSheet checks it
// against encoding/xml, and TestSheetRowsFormulaCells checks sheetRows
// against it.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"html"
	"io"
)

// sheetCheck is what one fast pass over a worksheet's XML finds that
// excelize's row iterator does not tell: excelize drops the XML decoder's
// errors, so a sheet cut short reads as a shorter sheet without complaint,
// and it returns a formula cell without a cached value as an empty cell, so
// a computed column reads as "not reported".
type sheetCheck struct {
	complete bool     // the sheetData element ends
	lastRow  int      // the last row whose element ends
	formulas [][2]int // row and column (1-based) of formula cells without a value, in file order
	more     bool     // there were more such cells than maxFormulaCells
}

// scanSheet reads a worksheet's XML as a stream of tags. It is not an XML
// parser: it looks only at the row and cell elements and at the f, v and
// is elements inside cells, which is all it needs. That is several times
// faster than excelize's decoding of the same XML but still a fifth of
// it, so checkSheet runs it only when quickScan finds formulas or a sheet
// cut short. Comments, CDATA sections and processing instructions are
// skipped whole, since they may hold '<' and '>'.
func scanSheet(rd io.Reader) sheetCheck {
	br := bufio.NewReaderSize(rd, 64<<10)
	var s sheetCheck
	row, col := 0, 0
	inCell, hasF, hasV := false, false, false
	for {
		if !skipPast(br, '<') {
			return s
		}
		tag, ok := readTag(br)
		if !ok {
			return s
		}
		end := len(tag) > 0 && tag[0] == '/'
		if end {
			tag = tag[1:]
		}
		name, rest := tagName(tag)
		selfClosing := len(rest) > 0 && rest[len(rest)-1] == '/'
		switch string(name) {
		case "row":
			if end {
				s.lastRow = row
				continue
			}
			if r, ok := atoi(attr(rest, "r")); ok && r > 0 {
				row = r
			} else {
				row++
			}
			col = 0
			if selfClosing {
				s.lastRow = row
			}
		case "c":
			if end {
				if inCell && hasF && !hasV {
					if len(s.formulas) < maxFormulaCells {
						s.formulas = append(s.formulas, [2]int{row, col})
					} else {
						s.more = true
					}
				}
				inCell = false
				continue
			}
			col++
			if c, ok := refColumn(attr(rest, "r")); ok {
				col = c
			}
			inCell, hasF, hasV = !selfClosing, false, false
		case "f":
			hasF = hasF || (inCell && !end)
		case "v", "is":
			hasV = hasV || (inCell && !end)
		case "sheetData":
			if end || selfClosing {
				s.complete = true
				return s
			}
		}
	}
}

// skipPast discards input up to and including the next c; it reports
// whether there was one.
func skipPast(br *bufio.Reader, c byte) bool {
	for {
		_, err := br.ReadSlice(c)
		switch err {
		case nil:
			return true
		case bufio.ErrBufferFull:
			continue
		default:
			return false
		}
	}
}

// readTag returns the text of the tag whose '<' has just been read, up to
// its '>': the whole of an ordinary tag, and of a longer one (past the
// buffer, or past 256 bytes with a '>' in an attribute value) its head,
// where the attributes looked at come, and its last byte. A comment, CDATA section or
// declaration is skipped and returned as "!". The slice is valid until the
// next read.
func readTag(br *bufio.Reader) ([]byte, bool) {
	b, err := br.ReadSlice('>')
	if err != nil && err != bufio.ErrBufferFull {
		return nil, false
	}
	atGT := err == nil
	if atGT {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && (b[0] == '!' || b[0] == '?') {
		// Quotes mean nothing here, and a comment, CDATA section or
		// processing instruction may hold '<' and '>'.
		var close string
		switch {
		case b[0] == '?':
			close = "?"
		case bytes.HasPrefix(b, []byte("!--")):
			close = "--"
		case bytes.HasPrefix(b, []byte("![CDATA[")):
			close = "]]"
		default: // a declaration such as <!DOCTYPE …>
			if !atGT && !skipPast(br, '>') {
				return nil, false
			}
			return []byte("!"), true
		}
		return skipSection(br, b[1:], close, atGT)
	}
	if !atGT {
		// A tag longer than the buffer: keep its head (copied, since the
		// next read overwrites the buffer) and its last byte, which tells
		// whether it closes itself, and discard the rest.
		head, last := append([]byte(nil), b[:255]...), b[len(b)-1]
		for {
			more, err := br.ReadSlice('>')
			if err == bufio.ErrBufferFull {
				last = more[len(more)-1]
				continue
			}
			if err != nil {
				return nil, false
			}
			if len(more) > 1 {
				last = more[len(more)-2]
			}
			return append(head, last), true
		}
	}
	if q := quoteState(0, b); q != 0 {
		// The '>' is inside an attribute value (<c r="A1" x="a>b">):
		// read on to the '>' that ends the tag.
		return readQuotedTag(br, b, q)
	}
	return b, true
}

// skipSection skips the rest of a comment, CDATA section or processing
// instruction whose text so far is b (atGT: read up to a '>'): it ends at
// the first '>' preceded by close; any other '>' is part of it. It returns
// "!" as its tag.
func skipSection(br *bufio.Reader, b []byte, close string, atGT bool) ([]byte, bool) {
	tail := tailOf(nil, b, len(close))
	for {
		if atGT && bytes.HasSuffix(tail, []byte(close)) {
			return []byte("!"), true
		}
		if atGT {
			tail = tailOf(tail, []byte{'>'}, len(close))
		}
		more, err := br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return nil, false
		}
		atGT = err == nil
		if atGT {
			more = more[:len(more)-1]
		}
		tail = tailOf(tail, more, len(close))
	}
}

// quoteState returns the quote character a tag's text is inside after b,
// having been inside q (0 for none) before it.
func quoteState(q byte, b []byte) byte {
	if q == 0 && bytes.IndexByte(b, '"') < 0 && bytes.IndexByte(b, '\'') < 0 {
		return 0
	}
	for _, c := range b {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q
}

// readQuotedTag reads the rest of a tag whose text so far, b, ends inside
// the quoted attribute value opened by q. It keeps the head of the tag,
// where the attributes looked at are, and its last byte.
func readQuotedTag(br *bufio.Reader, b []byte, q byte) ([]byte, bool) {
	head := append([]byte(nil), b[:min(len(b), 255)]...)
	last, gt := byte('>'), true // gt: the text so far ends at a '>' inside the value
	for q != 0 {
		more, err := br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return nil, false
		}
		if err == nil {
			more = more[:len(more)-1]
		}
		q = quoteState(q, more)
		if gt && len(head) < 255 {
			head = append(head, '>')
		}
		head = append(head, more[:min(len(more), max(0, 255-len(head)))]...)
		if len(more) > 0 {
			last = more[len(more)-1]
		} else if gt {
			last = '>'
		}
		gt = err == nil
	}
	return append(head, last), true
}

// tailOf returns the last n bytes of prev followed by b.
func tailOf(prev, b []byte, n int) []byte {
	t := append(prev, b...)
	if len(t) > n {
		t = append([]byte(nil), t[len(t)-n:]...)
	}
	return t
}

// tagName splits a tag's text into its local name (without a namespace
// prefix such as x:, which files written by the .NET SDK use) and the rest.
func tagName(tag []byte) (name, rest []byte) {
	i := 0
	for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '/' {
		i++
	}
	name, rest = tag[:i], tag[i:]
	if j := bytes.IndexByte(name, ':'); j >= 0 {
		name = name[j+1:]
	}
	return name, rest
}

// attr returns the value of attribute name in a tag's attributes, nil when
// absent.
func attr(attrs []byte, name string) []byte {
	for len(attrs) > 0 {
		for len(attrs) > 0 && (isXMLSpace(attrs[0]) || attrs[0] == '/') {
			attrs = attrs[1:]
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return nil
		}
		key := bytes.TrimRight(attrs[:eq], " \t\r\n")
		attrs = bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(attrs) == 0 || (attrs[0] != '"' && attrs[0] != '\'') {
			return nil
		}
		q := attrs[0]
		end := bytes.IndexByte(attrs[1:], q)
		if end < 0 {
			return nil
		}
		if string(key) == name {
			v := attrs[1 : 1+end]
			if bytes.IndexByte(v, '&') >= 0 {
				v = []byte(html.UnescapeString(string(v))) // &#65;1 is A1
			}
			return v
		}
		attrs = attrs[end+2:]
	}
	return nil
}

// atoi reads a row number; it refuses anything longer than a sheet allows.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 7 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// refColumn returns the 1-based column of a cell reference such as "AB12".
func refColumn(ref []byte) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		n = n*26 + int(c-'a'+1)
	}
	if i == 0 {
		return 0, false
	}
	if _, ok := atoi(ref[i:]); !ok {
		return 0, false
	}
	return n, true
}

// checkSheet scans the worksheet called sheet in the workbook data; ok is
// false when the part cannot be found or opened, which excelize reports.
func checkSheet(data []byte, sheet string) (sheetCheck, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return sheetCheck{}, false
	}
	f := sheetPart(zr, sheet)
	if f == nil {
		return sheetCheck{}, false
	}
	rc, err := f.Open()
	if err != nil {
		return sheetCheck{}, false
	}
	q := quickScan(rc, f.UncompressedSize64)
	rc.Close()
	if q.complete && !q.formulas {
		// The common case, at the cost of inflating the part once more.
		return sheetCheck{complete: true, lastRow: q.lastRow}, true
	}
	// A sheet with formulas, or one cut short: scan it tag by tag for the
	// cells and the last whole row.
	if rc, err = f.Open(); err != nil {
		return sheetCheck{}, false
	}
	defer rc.Close()
	// A damaged deflate stream ends the scan early, leaving it incomplete.
	return scanSheet(rc), true
}

// quick is what quickScan finds.
type quick struct {
	complete bool // the sheetData element ends
	lastRow  int  // the r of the last row element before its end; 0 when unknown
	formulas bool // there may be formula elements
}

// quickScan looks through a worksheet's XML with bytes.Index alone, which
// is many times faster than scanSheet's tag by tag reading: a sheet of
// 100 000 rows costs little more than inflating it. It finds whether the
// sheet data ends, the number of the last row (from that row's r attribute,
// which Excel, WPS and excelize write), and whether there may be formulas
// at all; only a sheet with formulas or cut short needs scanSheet. A row
// or formula tag inside a comment or CDATA section, which no spreadsheet
// program writes in sheet data, can mislead it.
func quickScan(rd io.Reader, size uint64) quick {
	chunk := 1 << 20
	if size < uint64(chunk) {
		chunk = int(size) + 1 // a small sheet in one read; size is a hint only
	}
	var q quick
	buf := make([]byte, chunk)
	win := make([]byte, 0, 2*chunk)
	for {
		n, err := io.ReadFull(rd, buf)
		if keep := max(chunk, 64<<10); len(win) > keep {
			win = append(win[:0], win[len(win)-keep:]...) // the last row tag is in what is kept
		}
		from := max(0, len(win)-16) // tags cut by the chunk's edge
		win = append(win, buf[:n]...)
		region := win[from:]
		q.formulas = q.formulas || formulaTag(region)
		if end := sheetDataEnd(region); end >= 0 {
			q.complete = true
			q.lastRow = lastRowTag(win[:from+end])
			return q
		}
		if err != nil {
			return q
		}
	}
}

// formulaTag reports whether b holds what may be a formula element, <f>
// or <x:f ...>; a match cut by b's end is left to the next region.
func formulaTag(b []byte) bool {
	for _, pre := range []string{"<f", ":f"} {
		for rest := b; ; {
			i := bytes.Index(rest, []byte(pre))
			if i < 0 || i+2 >= len(rest) {
				break
			}
			if c := rest[i+2]; c == '>' || c == '/' || isXMLSpace(c) {
				return true
			}
			rest = rest[i+2:]
		}
	}
	return false
}

// sheetDataEnd returns the offset in b of the '<' of the tag that ends the
// sheet data (</sheetData>, </x:sheetData> or <sheetData/>), or -1.
func sheetDataEnd(b []byte) int {
	const name = "sheetData"
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(name))
		if i < 0 {
			return -1
		}
		i += off
		off = i + len(name)
		lt := bytes.LastIndexByte(b[max(0, i-16):i], '<')
		if lt < 0 {
			continue
		}
		lt += max(0, i-16)
		between := b[lt+1 : i]
		closing := len(between) > 0 && between[0] == '/'
		if closing {
			between = between[1:]
		}
		if len(between) > 0 && (between[len(between)-1] != ':' || bytes.ContainsAny(between[:len(between)-1], " \t\r\n<>/:")) {
			continue // not <sheetData, </sheetData or a prefixed form
		}
		after := bytes.TrimLeft(b[off:], " \t\r\n")
		switch {
		case closing && len(after) > 0 && after[0] == '>':
			return lt
		case !closing && bytes.HasPrefix(after, []byte("/>")):
			return lt
		}
	}
}

// lastRowTag returns the r attribute of the last row start tag in b, 0
// when there is none or it has no valid r.
func lastRowTag(b []byte) int {
	for end := len(b); ; {
		i := bytes.LastIndex(b[:end], []byte("row"))
		if i < 1 {
			return 0
		}
		end = i
		if i+3 >= len(b) {
			continue
		}
		if c := b[i+3]; c != '>' && c != '/' && !isXMLSpace(c) {
			continue
		}
		switch b[i-1] {
		case '<':
		case ':':
			lt := bytes.LastIndexByte(b[max(0, i-16):i], '<')
			if lt < 0 || b[max(0, i-16)+lt+1] == '/' {
				continue
			}
		default:
			continue
		}
		gt := bytes.IndexByte(b[i:], '>')
		if gt < 0 {
			return 0
		}
		r, ok := atoi(attr(b[i+3:i+gt], "r"))
		if !ok {
			return 0
		}
		return r
	}
}
