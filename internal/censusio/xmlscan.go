package censusio

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// xmlScanner reads the XML of a worksheet or of the shared strings as a
// stream of tags and text, for sheetRows and readSST. It is not an XML
// parser: it finds tags (a '>' inside a quoted attribute value does not
// end one), skips comments, processing instructions and declarations,
// returns CDATA sections as text, and leaves it to its callers to decode
// the little text they keep. It holds only the tag or text being looked
// at, however long the part.
type xmlScanner struct {
	rd    io.Reader
	buf   []byte
	r, w  int   // buf[r:w] is read and not yet consumed
	err   error // what ended the input: io.EOF at its end
	total int64 // bytes read
}

const (
	scanChunk = 256 << 10
	// maxToken bounds the tag or text that a scanner holds whole: a cell
	// holds at most 32 767 characters, so anything longer is not a
	// spreadsheet's, and a hostile part must not make it hold gigabytes.
	maxToken = 16 << 20
)

var errTokenTooLong = errors.New("XML tag or text too long")

func newXMLScanner(rd io.Reader) *xmlScanner {
	return &xmlScanner{rd: rd, buf: make([]byte, scanChunk)}
}

// fill reads more input after buf[w], first moving buf[keep:w] to the
// front (r moves with it; keep ≤ r). It reports whether it read anything;
// when it did not, err says why.
func (x *xmlScanner) fill(keep int) bool {
	if x.err != nil {
		return false
	}
	if keep > 0 {
		n := copy(x.buf, x.buf[keep:x.w])
		x.r -= keep
		x.w = n
	}
	if x.w == len(x.buf) {
		if len(x.buf) >= maxToken+scanChunk {
			x.err = errTokenTooLong
			return false
		}
		x.buf = append(x.buf, make([]byte, len(x.buf))...)
	}
	for range 100 {
		n, err := x.rd.Read(x.buf[x.w:])
		x.w += n
		x.total += int64(n)
		if err != nil {
			x.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	x.err = io.ErrNoProgress
	return false
}

// token kinds
const (
	tokEOF   = iota
	tokText  // text, raw (its entities not decoded)
	tokCDATA // the text of a CDATA section
	tokStart // a start tag; selfClosing tells <x/>
	tokEnd   // an end tag
)

// xmlToken is what next returns. Its slices are valid until the next call.
type xmlToken struct {
	kind        int
	name        []byte // the local name, without a prefix such as x:
	qname       []byte // the name with its prefix
	attrs       []byte // the text of a start tag after its name
	selfClosing bool
	text        []byte
}

// next returns the next token. Text is returned only when wantText is set
// (and whole, up to the next tag); otherwise it is skipped.
func (x *xmlScanner) next(wantText bool, t *xmlToken) {
	for {
		if x.r == x.w {
			if !x.fill(x.r) {
				t.kind = tokEOF
				return
			}
			continue
		}
		if x.buf[x.r] != '<' {
			i := bytes.IndexByte(x.buf[x.r:x.w], '<')
			if i < 0 {
				if !wantText {
					x.r = x.w
					continue
				}
				if !x.fill(x.r) {
					t.kind = tokEOF // text running to the end: the part is cut short
					return
				}
				continue
			}
			if wantText {
				t.kind, t.text = tokText, x.buf[x.r:x.r+i]
				x.r += i
				return
			}
			x.r += i
		}
		// At '<': have enough to tell a comment or CDATA from a tag.
		for x.w-x.r < 9 && x.fill(x.r) {
		}
		b := x.buf[x.r:x.w]
		switch {
		case len(b) > 1 && (b[1] == '!' || b[1] == '?'):
			switch {
			case bytes.HasPrefix(b, []byte("<!--")):
				if !x.skipTo(4, "-->") {
					t.kind = tokEOF
					return
				}
			case bytes.HasPrefix(b, []byte("<![CDATA[")):
				if !wantText {
					if !x.skipTo(9, "]]>") {
						t.kind = tokEOF
						return
					}
					continue
				}
				end, ok := x.find(9, "]]>")
				if !ok {
					t.kind = tokEOF
					return
				}
				t.kind, t.text = tokCDATA, x.buf[x.r+9:x.r+end]
				x.r += end + 3
				return
			case b[1] == '?':
				if !x.skipTo(2, "?>") {
					t.kind = tokEOF
					return
				}
			default: // <!DOCTYPE …> and the like
				if !x.skipTo(2, ">") {
					t.kind = tokEOF
					return
				}
			}
			continue
		}
		end, ok := x.tagEnd()
		if !ok {
			t.kind = tokEOF
			return
		}
		tag := x.buf[x.r+1 : x.r+end]
		x.r += end + 1
		t.kind = tokStart
		if len(tag) > 0 && tag[0] == '/' {
			t.kind = tokEnd
			tag = tag[1:]
		}
		t.selfClosing = len(tag) > 0 && tag[len(tag)-1] == '/'
		if t.selfClosing {
			tag = tag[:len(tag)-1]
		}
		i := 0
		for i < len(tag) && !isXMLSpace(tag[i]) {
			i++
		}
		t.qname, t.attrs = tag[:i], tag[i:]
		t.name = localName(t.qname)
		return
	}
}

// find returns the offset from r of the next sep at or after r+from,
// reading on (and holding all from r) as needed.
func (x *xmlScanner) find(from int, sep string) (int, bool) {
	for {
		if i := bytes.Index(x.buf[x.r+from:x.w], []byte(sep)); i >= 0 {
			return from + i, true
		}
		from = max(from, x.w-x.r-len(sep)+1)
		if !x.fill(x.r) {
			return 0, false
		}
	}
}

// skipTo consumes input up to and including the next sep at or after r+from,
// without holding what it skips.
func (x *xmlScanner) skipTo(from int, sep string) bool {
	for {
		if i := bytes.Index(x.buf[x.r+from:x.w], []byte(sep)); i >= 0 {
			x.r += from + i + len(sep)
			return true
		}
		keep := max(x.r+from, x.w-len(sep)+1)
		x.r, from = keep, 0
		if !x.fill(keep) {
			return false
		}
	}
}

// tagEnd returns the offset from r of the '>' that ends the tag at r, the
// first one outside quotes.
func (x *xmlScanner) tagEnd() (int, bool) {
	i, q := x.r+1, byte(0)
	for {
		for b := x.buf[:x.w]; i < len(b); i++ {
			c := b[i]
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			switch c {
			case '>':
				return i - x.r, true
			case '"', '\'':
				q = c
			}
		}
		off := i - x.r
		if !x.fill(x.r) {
			return 0, false
		}
		i = x.r + off
	}
}

// localName returns the local part of an element's or attribute's name as
// encoding/xml splits it: after the colon of x:c, the whole name when it
// has no colon or more than one, or nothing on one side.
func localName(name []byte) []byte {
	i := -1
	for j, c := range name { // names are short: no call to IndexByte
		if c == ':' {
			if i >= 0 {
				return name
			}
			i = j
		}
	}
	if i <= 0 || i == len(name)-1 {
		return name
	}
	return name[i+1:]
}

// xmlAttrs iterates over the attributes of a start tag, giving their
// names as written (with their prefix).
type xmlAttrs struct {
	rest []byte
	bad  bool // not name="value" pairs: not XML
}

// next returns the next attribute; ok is false at the end or when the
// text is not attributes (bad is then set).
func (a *xmlAttrs) next() (name, value []byte, ok bool) {
	b := a.rest
	i := 0
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil, false
	}
	b = b[i:]
	eq := bytes.IndexByte(b, '=')
	if eq <= 0 {
		a.bad = true
		return nil, nil, false
	}
	end := eq
	for end > 0 && isXMLSpace(b[end-1]) {
		end--
	}
	name = b[:end]
	i = eq + 1
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	if i == len(b) || (b[i] != '"' && b[i] != '\'') {
		a.bad = true
		return nil, nil, false
	}
	q := b[i]
	b = b[i+1:]
	close := bytes.IndexByte(b, q)
	if close < 0 {
		a.bad = true
		return nil, nil, false
	}
	value, a.rest = b[:close], b[close+1:]
	return name, value, true
}

// appendXMLText appends raw text (from between tags) to dst as encoding/xml
// reads it: entities and character references decoded, and "\r\n" and a
// lone "\r" read as "\n". ok is false for what encoding/xml refuses: an
// unknown entity, a reference to a character XML does not allow.
func appendXMLText(dst, raw []byte) ([]byte, bool) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...), true
	}
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...), true
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return dst, false
		}
		ent := raw[1:semi]
		raw = raw[semi+1:]
		switch string(ent) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, false
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, true
}

// appendCDATA appends the text of a CDATA section, "\r\n" and "\r" read as
// "\n" as encoding/xml reads them.
func appendCDATA(dst, raw []byte) []byte {
	for {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		dst = append(dst, '\n')
		raw = raw[i+1:]
		if len(raw) > 0 && raw[0] == '\n' {
			raw = raw[1:]
		}
	}
}

// charRef reads a character reference's name, #65 or #x41.
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	ent = ent[1:]
	base := 10
	if ent[0] == 'x' {
		base, ent = 16, ent[1:]
	}
	if len(ent) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range ent {
		if n > utf8.MaxRune {
			return 0, false
		}
		var d int
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case base == 16 && 'a' <= c|0x20 && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		default:
			return 0, false
		}
		n = n*base + d
	}
	r := rune(n)
	return r, xmlChar(r)
}

// xmlChar reports whether XML allows character r.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// xmlChars reports whether b is UTF-8 of characters XML allows, which
// encoding/xml (and so excelize) requires of text.
func xmlChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			return false
		}
		i += n
	}
	return true
}

// appendBstr appends s to dst with the _xHHHH_ escapes that Excel writes
// for characters XML cannot hold decoded, as excelize decodes them in
// shared and inline strings: _x005F_ is "_", an escape of a character that
// is not a valid rune (a surrogate) is dropped.
func appendBstr(dst, s []byte) []byte {
	if !bytes.Contains(s, []byte("_x")) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		if s[i] == '_' && i+7 <= len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if v, ok := hex4(s[i+2 : i+6]); ok {
				if v == 0x5F {
					dst = append(dst, '_')
				} else if utf8.ValidRune(rune(v)) {
					dst = utf8.AppendRune(dst, rune(v))
				}
				i += 7
				continue
			}
		}
		dst = append(dst, s[i])
		i++
	}
	return dst
}

func hex4(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | int(c-'0')
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			n = n<<4 | int(c|0x20-'a'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
