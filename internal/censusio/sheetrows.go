package censusio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetRows reads the rows of a worksheet's XML in one pass, yielding the
// cells excelize's row iterator yields with RawCellValue (Rows.Next and
// Rows.Columns, whose every rule on row and cell numbering it follows) and
// finding at the same time what excelize does not tell: the formula cells
// without a cached value, and whether the sheet data ends or the XML breaks
// off. It is many times faster than excelize, which decodes every cell into
// a struct through encoding/xml: it allocates one string per row, holding
// the text of all its cells, and none per cell.
//
// Unlike encoding/xml it does not check that the XML is well-formed, but
// where it reads text it refuses what encoding/xml refuses (an unknown
// entity, bytes that are not UTF-8 or a character XML does not allow): the
// sheet is then read as broken off there, which is what excelize did.
type sheetRows struct {
	x   *xmlScanner
	sst *sharedStrings
	tok xmlToken

	size      uint64 // the XML's size, 0 when unknown
	dimRows   int    // the last row of the sheet's dimension element
	lastGiven int    // the last row given to the sink

	// The names of the open elements, as written, one after the other,
	// and where each starts: an end tag must close the last, as
	// encoding/xml requires.
	open    []byte
	openAt  []int
	pos     int64 // where in the XML the row last given ends
	prevPos int64 // where the one before ends

	text     []byte // the text of the row's cells
	slots    []slot // the row's cells, as excelize places them
	cells    []string
	formulas []int // columns (1-based) of formula cells without a value in the row
	nform    int   // such cells so far in the sheet

	// The cell being read.
	ref       []byte // its r attribute
	typ       cellType
	cellStart int // where its text starts in text
	hasV      bool
	hasF      bool
	hasIS     bool
	isT       []byte // an inline string's text element
	isRuns    []byte // the text of its rich text runs
	runT      []byte
	runHasT   bool
	scratch   []byte
}

// slot is a cell of the row being read: a shared string, or text[a:b].
type slot struct {
	s      string
	a, b   int32
	inText bool
}

type cellType uint8

const (
	cellOther  cellType = iota // a number, boolean, error, date or t="str": its v as is
	cellShared                 // t="s"
	cellInline                 // t="inlineStr"
)

// rowSink receives each row: n as Excel numbers it, the cells (valid only
// during the call) and the columns (1-based) of its formula cells without
// a cached value, which excelize returns as empty. It returns false to
// stop the read.
type rowSink func(n int, cells []string, uncached []int) bool

// sheetResult is how a read of the rows ended.
type sheetResult struct {
	complete bool  // the sheet data ended (or the sink stopped the read)
	lastRow  int   // the last row given to the sink
	more     bool  // there were more than maxFormulaCells formula cells without a value
	err      error // what excelize's iterator would have failed with
	readErr  error // the part could not be inflated: the zip is damaged
}

// Bounds on a row of a hostile sheet (Excel's rows have at most 16 384
// cells of at most 32 767 characters): excelize placed cells out of order
// after the others, so a row could otherwise grow without limit.
const (
	maxRowCells = 4 * excelize.MaxColumns
	maxRowText  = 64 << 20
)

var errRowTooLarge = errors.New("row too large")

// readSheetRows reads the worksheet XML from rd, giving every row to fn.
func readSheetRows(rd io.Reader, sst *sharedStrings, fn rowSink) sheetResult {
	return newSheetRows(rd, sst, 0).run(fn)
}

// newSheetRows returns a reader of the worksheet XML in rd, of size bytes
// (0 when unknown), for run.
func newSheetRows(rd io.Reader, sst *sharedStrings, size uint64) *sheetRows {
	s := &sheetRows{x: newXMLScanner(rd), sst: sst, size: size}
	if s.sst == nil {
		s.sst = &sharedStrings{}
	}
	return s
}

// rowsLeft estimates the rows after the last one given to the sink: by
// the sheet's dimension element (the range its cells span, which Excel
// and WPS write before the rows), else by the XML left and the length of
// the last row.
func (s *sheetRows) rowsLeft() int {
	if s.dimRows > s.lastGiven+1 {
		return s.dimRows - s.lastGiven
	}
	pos := s.pos
	per := pos - s.prevPos
	if per <= 0 || uint64(pos) >= s.size {
		return 0
	}
	return int(min((int64(s.size)-pos)/per*9/8, excelize.TotalRows))
}

// capture says where the text being read goes.
const (
	capNone = iota
	capV
	capIST
	capRunT
)

func (s *sheetRows) run(fn rowSink) (res sheetResult) {
	defer func() { res.more = s.nform > maxFormulaCells }()
	var (
		started  bool // a row element has been seen
		seek     int  // the row being assembled (excelize's seekRow)
		cur      int  // excelize's curRow
		gapFrom  int  // rows gapFrom..seek-1 are empty rows not yet given
		rowOpen  bool // the last row element has not ended
		cellCol  int  // excelize's column counter of the row
		inCell   bool
		sub      int // in a cell: 0, or the v, f or is element being read (capV etc, capNone for f)
		inSub    bool
		subDepth int // elements open inside the v, f or is element
		capture  int
		capDepth int
		runDepth int // subDepth of the run being read in an inline string, 0 for none
	)
	t := &s.tok
	// gaps gives the empty rows before the row being assembled.
	gaps := func() bool {
		for ; gapFrom < seek; gapFrom++ {
			s.lastGiven = gapFrom
			if !fn(gapFrom, nil, nil) {
				return false
			}
			res.lastRow = gapFrom
		}
		return true
	}
	// deliver gives the row being assembled, after the empty rows before it.
	deliver := func() bool {
		if !gaps() {
			return false
		}
		var cells []string
		if len(s.slots) > 0 {
			row := string(s.text)
			cells = s.cells[:0]
			for _, sl := range s.slots {
				if sl.inText {
					cells = append(cells, row[sl.a:sl.b])
				} else {
					cells = append(cells, sl.s)
				}
			}
			s.cells = cells
		}
		res.lastRow, s.lastGiven = seek, seek
		s.prevPos, s.pos = s.pos, s.x.total-int64(s.x.w-s.x.r)
		return fn(seek, cells, s.formulas)
	}
	newRow := func() {
		cellCol = 0
		s.text, s.slots, s.formulas = s.text[:0], s.slots[:0], s.formulas[:0]
	}
	// broken ends a read at XML that encoding/xml refuses, as excelize's
	// read ended there: the row being assembled is given if it ended
	// before (open: it did not).
	broken := func(open bool) sheetResult {
		if started && !open {
			deliver()
		}
		return res
	}
	fail := func(err error) sheetResult {
		res.err = err
		gaps()
		return res
	}
	for {
		s.x.next(capture != capNone, t)
		switch t.kind {
		case tokEOF:
			if s.x.err != io.EOF && s.x.err != errTokenTooLong {
				res.readErr = s.x.err
				return res
			}
			if started && !rowOpen && !inCell {
				deliver()
			}
			return res
		case tokText, tokCDATA:
			if capture == capNone || subDepth != capDepth {
				continue
			}
			if !xmlChars(t.text) {
				return broken(rowOpen || inCell)
			}
			var dst *[]byte
			switch capture {
			case capV:
				dst = &s.text
			case capIST:
				dst = &s.isT
			default:
				dst = &s.runT
			}
			if t.kind == tokCDATA {
				*dst = appendCDATA(*dst, t.text)
			} else {
				var ok bool
				if *dst, ok = appendXMLText(*dst, t.text); !ok {
					return broken(true)
				}
			}
			if len(*dst) > maxRowText {
				return fail(errRowTooLarge)
			}
			continue
		}
		if !s.nest(t) {
			return broken(rowOpen || inCell)
		}
		name := t.name
		if inSub {
			// Inside a cell's v, f or is element, which excelize decodes
			// whole (DecodeElement).
			if t.kind == tokStart {
				subDepth++
				if sub == capIST {
					switch {
					case subDepth == 1 && string(name) == "t":
						s.isT, capture, capDepth = s.isT[:0], capIST, 1
					case subDepth == 1 && string(name) == "r":
						runDepth, s.runT, s.runHasT = 1, s.runT[:0], false
					case runDepth == 1 && subDepth == 2 && string(name) == "t":
						s.runT, s.runHasT, capture, capDepth = s.runT[:0], true, capRunT, 2
					}
				}
				if !t.selfClosing {
					continue
				}
			}
			// An end tag, or a start tag that closes itself.
			if subDepth == capDepth && capture != capNone && subDepth > 0 {
				capture = capNone
			}
			if subDepth == 0 {
				inSub, capture = false, capNone
				continue
			}
			if runDepth == 1 && subDepth == 1 {
				if s.runHasT {
					s.isRuns = append(s.isRuns, s.runT...)
					if len(s.isRuns) > maxRowText {
						return fail(errRowTooLarge)
					}
				}
				runDepth = 0
			}
			subDepth--
			continue
		}
		if inCell {
			switch {
			case t.kind == tokStart && (string(name) == "v" || string(name) == "f" || string(name) == "is"):
				switch name[0] {
				case 'v':
					s.hasV = true
					s.text = s.text[:s.cellStart] // the last v counts
					sub = capV
					if !t.selfClosing {
						capture, capDepth = capV, 0
					}
				case 'f':
					s.hasF, sub = true, capNone
					if !formulaAttrs(t.attrs) {
						// excelize fails to decode the formula and
						// stops reading the cell there: what follows
						// in it is read as if outside it.
						inCell = false
						if err := s.endCell(&cellCol); err != nil {
							return fail(err)
						}
						continue
					}
				default:
					s.hasV, s.hasIS, sub = true, true, capIST
					s.isT, s.isRuns = s.isT[:0], s.isRuns[:0]
				}
				if !t.selfClosing {
					inSub, subDepth, runDepth = true, 0, 0
				}
			case t.kind == tokEnd && string(name) == "c":
				inCell = false
				if err := s.endCell(&cellCol); err != nil {
					return fail(err)
				}
			}
			continue
		}
		switch {
		case string(name) == "sheetData" && (t.kind == tokEnd || t.selfClosing):
			if started {
				if !deliver() {
					res.complete = true
					return res
				}
			}
			res.complete = true
			s.drain(&res)
			return res
		case t.kind == tokEnd && string(name) == "row":
			rowOpen = false
		case t.kind != tokStart:
		case string(name) == "row":
			n, err, bad := rowNumber(t.attrs, &s.scratch)
			if bad {
				return broken(rowOpen)
			}
			if n > excelize.TotalRows {
				return fail(excelize.ErrMaxRows)
			}
			if !started {
				started, cur, seek, gapFrom = true, 1, 1, 1
				if n != 0 {
					cur = n
				}
				seek = max(cur, 1)
				if err != nil {
					return fail(err)
				}
				newRow()
			} else {
				if n != 0 {
					cur = n
				} else {
					cur++
				}
				if err != nil {
					return fail(err)
				}
				if cur > seek {
					if !deliver() {
						res.complete = true
						return res
					}
					gapFrom, seek = seek+1, cur
					newRow()
				}
			}
			rowOpen = !t.selfClosing
		case string(name) == "dimension" && !started:
			s.dimRows = dimensionRows(t.attrs)
		case string(name) == "c" && started:
			cellCol++
			ok, bad := s.startCell(t.attrs)
			if bad {
				return broken(true)
			}
			if !ok || t.selfClosing {
				// A cell without content, or one whose s attribute is
				// not a number: excelize stops reading its attributes
				// and its content there, and it reads as empty.
				if err := s.endCell(&cellCol); err != nil {
					return fail(err)
				}
				continue
			}
			inCell = true
		}
	}
}

// drain reads the rest of the part, so that the zip checks its checksum.
func (s *sheetRows) drain(res *sheetResult) {
	for {
		s.x.r = s.x.w
		if !s.x.fill(s.x.r) {
			break
		}
	}
	if s.x.err != io.EOF && s.x.err != errTokenTooLong {
		res.readErr = s.x.err
	}
}

// startCell reads a cell's attributes as excelize does (r, s and t by
// their local names, the last one counting), and starts the cell. ok is
// false when s is not a number: excelize stops there, ignoring the
// attributes after it and the cell's content.
func (s *sheetRows) startCell(attrs []byte) (ok, bad bool) {
	s.ref, s.typ = s.ref[:0], cellOther
	s.cellStart = len(s.text)
	s.hasV, s.hasF, s.hasIS = false, false, false
	a := xmlAttrs{rest: attrs}
	for {
		name, v, more := a.next()
		if !more {
			break
		}
		if name = localName(name); len(name) != 1 {
			continue
		}
		if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			var good bool
			if s.scratch, good = appendXMLText(s.scratch[:0], v); !good {
				return false, true
			}
			v = s.scratch
		}
		switch name[0] {
		case 'r':
			s.ref = append(s.ref[:0], v...)
		case 's':
			if !styleIndex(v) {
				return false, a.bad
			}
		case 't':
			switch string(v) {
			case "s":
				s.typ = cellShared
			case "inlineStr":
				s.typ = cellInline
			default:
				s.typ = cellOther
			}
		}
	}
	return true, a.bad
}

// endCell places the cell just read as excelize's rowXMLHandler does: at
// its column, after empty cells up to it, or after the others when the
// row already reaches past its column; a cell with neither a value nor a
// formula is not placed.
func (s *sheetRows) endCell(cellCol *int) error {
	if len(s.ref) > 0 {
		c, err := refCol(s.ref)
		if err != nil {
			return err
		}
		*cellCol = c
	}
	var sl slot
	switch {
	case s.typ == cellShared && len(s.text) > s.cellStart:
		i := sstIndex(s.text[s.cellStart:])
		s.text = s.text[:s.cellStart]
		if v, ok := s.sst.get(i); ok {
			sl.s = v
		}
	case s.typ == cellInline && s.hasIS:
		s.text = s.text[:s.cellStart]
		s.scratch = append(append(s.scratch[:0], s.isT...), s.isRuns...)
		s.text = appendBstr(s.text, s.scratch)
		sl = slot{a: int32(s.cellStart), b: int32(len(s.text)), inText: true}
	default:
		sl = slot{a: int32(s.cellStart), b: int32(len(s.text)), inText: true}
	}
	if s.hasF && !s.hasV {
		if s.nform < maxFormulaCells {
			s.formulas = append(s.formulas, *cellCol)
		}
		s.nform++
	}
	if sl.s == "" && sl.a == sl.b && !s.hasF {
		s.text = s.text[:s.cellStart]
		return nil
	}
	if len(s.slots) >= maxRowCells {
		return errRowTooLarge
	}
	for i := len(s.slots) + 1; i < *cellCol; i++ {
		s.slots = append(s.slots, slot{})
	}
	s.slots = append(s.slots, sl)
	return nil
}

// nest follows the nesting of elements; it reports false for an end tag
// that does not close the element open last, where encoding/xml (and so
// excelize) stops with a syntax error.
func (s *sheetRows) nest(t *xmlToken) bool {
	switch {
	case t.kind == tokStart && !t.selfClosing:
		s.openAt = append(s.openAt, len(s.open))
		s.open = append(s.open, t.qname...)
	case t.kind == tokEnd:
		if len(s.openAt) == 0 {
			return false
		}
		at := s.openAt[len(s.openAt)-1]
		if !bytes.Equal(s.open[at:], t.qname) {
			return false
		}
		s.open, s.openAt = s.open[:at], s.openAt[:len(s.openAt)-1]
	}
	return true
}

// dimensionRows returns the last row of a dimension element's ref (A1:BB100),
// 0 when it has none.
func dimensionRows(attrs []byte) int {
	a := xmlAttrs{rest: attrs}
	for {
		name, v, more := a.next()
		if !more {
			return 0
		}
		if string(localName(name)) != "ref" {
			continue
		}
		if i := bytes.LastIndexByte(v, ':'); i >= 0 {
			v = v[i+1:]
		}
		i := len(v)
		for i > 0 && '0' <= v[i-1] && v[i-1] <= '9' {
			i--
		}
		n, err := atoiBytes(v[i:])
		if err != nil || n > excelize.TotalRows {
			return 0
		}
		return n
	}
}

// formulaAttrs reports whether excelize decodes the attributes of a
// formula element: its flags must be booleans and si a number.
func formulaAttrs(attrs []byte) bool {
	a := xmlAttrs{rest: attrs}
	for {
		name, v, more := a.next()
		if !more {
			return true
		}
		var err error
		switch v := strings.TrimSpace(string(v)); string(localName(name)) {
		case "aca", "dt", "dtr", "del1", "del2", "ca", "bx":
			if v != "" {
				_, err = strconv.ParseBool(v)
			}
		case "si":
			if v != "" {
				_, err = strconv.ParseInt(v, 10, 64)
			}
		}
		if err != nil {
			return false
		}
	}
}

// rowNumber reads a row's r attribute as excelize does (strconv.Atoi, the
// last r counting, the first that is not a number an error); bad reports
// attributes that are not XML.
func rowNumber(attrs []byte, scratch *[]byte) (n int, err error, bad bool) {
	a := xmlAttrs{rest: attrs}
	for {
		name, v, more := a.next()
		if !more {
			return n, nil, a.bad
		}
		if string(localName(name)) != "r" {
			continue
		}
		if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			var good bool
			if *scratch, good = appendXMLText((*scratch)[:0], v); !good {
				return 0, nil, true
			}
			v = *scratch
		}
		if n, err = atoiBytes(v); err != nil {
			return n, err, false
		}
	}
}

// atoiBytes is strconv.Atoi, without a conversion for plain numbers.
func atoiBytes(v []byte) (int, error) {
	if len(v) > 0 && len(v) < 10 {
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				return strconv.Atoi(string(v))
			}
			n = n*10 + int(c-'0')
		}
		return n, nil
	}
	return strconv.Atoi(string(v))
}

// sstIndex reads a shared string index as excelize does: spaces trimmed,
// and what is not a number read as whatever strconv.Atoi returns with its
// error (0, or the nearest int to a number out of range).
func sstIndex(v []byte) int {
	if len(v) > 0 && len(v) < 10 {
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 {
			return n
		}
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(v)))
	return n
}

// styleIndex reports whether a cell's s attribute is a number, as excelize
// requires (strconv.ParseInt).
func styleIndex(v []byte) bool {
	if len(v) > 0 && len(v) < 19 {
		plain := true
		for _, c := range v {
			plain = plain && '0' <= c && c <= '9'
		}
		if plain {
			return true
		}
	}
	_, err := strconv.ParseInt(string(v), 10, 64)
	return err == nil
}

// refCol returns the column of a cell reference as excelize's
// CellNameToCoordinates does, with its errors.
func refCol(ref []byte) (int, error) {
	i, col := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i > 0 && i < len(ref) && len(ref)-i <= 7 && ref[i] != '0' && col <= excelize.MaxColumns {
		row := 0
		for _, c := range ref[i:] {
			if c < '0' || c > '9' {
				row = -1
				break
			}
			row = row*10 + int(c-'0')
		}
		if row > 0 && row <= excelize.TotalRows {
			return col, nil
		}
	}
	col, _, err := excelize.CellNameToCoordinates(string(ref))
	return col, err
}

// sharedStrings is a workbook's shared string table: the text of all its
// strings in one string, ends[i] the end of the i-th.
type sharedStrings struct {
	text string
	ends []uint32
}

func (t *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]], true
}

func (t *sharedStrings) len() int { return len(t.ends) }

var errSSTBroken = errors.New("XML syntax error in xl/sharedStrings.xml")

// errSSTTooLarge refuses shared strings that would take more memory than
// inMemoryLimit: excelize kept a large table in a temporary file, and a
// table that large is no census's but a zip bomb's.
var errSSTTooLarge = fmt.Errorf("共享字符串超过 %d MB", inMemoryLimit>>20)

// readSST reads a shared string table of size bytes as excelize does: the si elements
// of the root, each the text of its t element followed by the texts of its
// rich text runs (r elements, each its t), phonetic runs (rPh) left out,
// _xHHHH_ escapes decoded. err is errSSTBroken for XML that excelize
// refuses (the table cut short, an unknown entity, bytes not UTF-8) or
// errSSTTooLarge, or the zip's error when the part cannot be inflated
// (readErr).
func readSST(rd io.Reader, size uint64) (t *sharedStrings, err error, readErr error) {
	x := newXMLScanner(rd)
	var (
		tok              xmlToken
		text             strings.Builder
		ends             []uint32
		depth            int
		rootStarted      bool
		rootDone         bool
		inSI, hasT       bool
		inRun, runHasT   bool
		siT, runs, runT  []byte
		capture, capAt   int
		scratch, decoded []byte
	)
	// Room for the text at once (it is shorter than the XML): growing a
	// large slice by a quarter at a time would copy it over and over.
	text.Grow(int(min(size, inMemoryLimit)))
	for {
		x.next(capture != capNone, &tok)
		switch tok.kind {
		case tokEOF:
			if x.err != io.EOF && x.err != errTokenTooLong {
				return nil, nil, x.err
			}
			if rootStarted && !rootDone {
				return nil, errSSTBroken, nil
			}
			return &sharedStrings{text: text.String(), ends: ends}, nil, nil
		case tokText, tokCDATA:
			if capture == capNone || depth != capAt {
				continue
			}
			if !xmlChars(tok.text) {
				return nil, errSSTBroken, nil
			}
			dst := &siT
			if capture == capRunT {
				dst = &runT
			}
			if tok.kind == tokCDATA {
				*dst = appendCDATA(*dst, tok.text)
			} else {
				var ok bool
				if *dst, ok = appendXMLText(*dst, tok.text); !ok {
					return nil, errSSTBroken, nil
				}
			}
			if len(*dst) > inMemoryLimit {
				return nil, errSSTTooLarge, nil
			}
			continue
		case tokStart:
			if rootDone {
				continue
			}
			depth++
			if depth == 1 && !rootStarted && !sstRoot(&tok) {
				return nil, errSSTBroken, nil
			}
			rootStarted = true
			switch {
			case depth == 2 && string(tok.name) == "si":
				inSI, hasT, runs = true, false, runs[:0]
			case inSI && depth == 3 && string(tok.name) == "t":
				hasT, siT, capture, capAt = true, siT[:0], capIST, 3
			case inSI && depth == 3 && string(tok.name) == "r":
				inRun, runHasT = true, false
			case inRun && depth == 4 && string(tok.name) == "t":
				runHasT, runT, capture, capAt = true, runT[:0], capRunT, 4
			}
			if !tok.selfClosing {
				continue
			}
		case tokEnd:
			if rootDone || depth == 0 {
				continue
			}
		}
		// The end of the element at depth.
		if capture != capNone && depth == capAt {
			capture = capNone
		}
		switch {
		case inRun && depth == 3:
			if runHasT {
				if runs = append(runs, runT...); len(runs) > inMemoryLimit {
					return nil, errSSTTooLarge, nil
				}
			}
			inRun = false
		case inSI && depth == 2:
			scratch = scratch[:0]
			if hasT {
				scratch = append(scratch, siT...)
			}
			scratch = append(scratch, runs...)
			decoded = appendBstr(decoded[:0], scratch)
			text.Write(decoded)
			if text.Len()+4*len(ends) > inMemoryLimit {
				return nil, errSSTTooLarge, nil
			}
			ends = append(ends, uint32(text.Len()))
			inSI = false
		}
		depth--
		if depth == 0 {
			rootDone = true
		}
	}
}

// sstRoot reports whether excelize decodes the root element of a shared
// string table: sst in the spreadsheet namespace (transitional or strict),
// its counts numbers.
func sstRoot(t *xmlToken) bool {
	if string(t.name) != "sst" {
		return false
	}
	want, ns := "xmlns", ""
	if len(t.qname) > len(t.name) {
		prefix := t.qname[:len(t.qname)-len(t.name)-1]
		want, ns = "xmlns:"+string(prefix), string(prefix)
	}
	a := xmlAttrs{rest: t.attrs}
	for {
		name, v, more := a.next()
		if !more {
			break
		}
		if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			dec, ok := appendXMLText(nil, v)
			if !ok {
				return false
			}
			v = dec
		}
		if string(name) == want {
			ns = string(v)
		}
		if l := string(localName(name)); l == "count" || l == "uniqueCount" {
			if v := strings.TrimSpace(string(v)); v != "" {
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return false
				}
			}
		}
	}
	return !a.bad && (ns == "http://schemas.openxmlformats.org/spreadsheetml/2006/main" || ns == "http://purl.oclc.org/ooxml/spreadsheetml/main")
}
