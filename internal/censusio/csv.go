package censusio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dudao-edu/dudao/internal/census"
)

// readCSV reads a CSV file: UTF-8 with or without a BOM, GB18030/GBK (what
// Excel on Chinese Windows writes when told "CSV (逗号分隔)"), or UTF-16
// with a BOM (Excel's "Unicode 文本", which is tab-separated).
//
// The header is read first; the school rows of a large file are then read
// in parallel when the file allows it (readParallel), and one by one
// otherwise, with the same result either way.
//
// With guess set, a large file without a UTF-16 BOM is read as UTF-8
// before it is checked to be: checked as it is read, in parallel with the
// rest (checkUTF8), rather than all of it first (a twentieth of an
// evaluation's time). readCSV then returns false when it is not UTF-8
// after all, and the caller reads it again with a new reader, guess unset.
func (r *reader) readCSV(data []byte, guess bool) bool {
	var text []byte
	if guess && r.each == nil && len(data) >= csvParallelMin && !hasUTF16BOM(data) {
		text, r.unchecked = bytes.TrimPrefix(data, utf8BOM), true
	} else {
		var ok bool
		if text, ok = r.decode(data); !ok {
			return true
		}
	}
	r.csv = true
	text = crLines(text)
	comma := sniffComma(text)
	rows := &csvRows{cr: newCSVReader(text, comma)}
	// feed passes rows to r.line until done, the end or a syntax error; it
	// reports whether rows may remain.
	feed := func(done func() bool) bool {
		for !done() {
			rec, n, err := rows.next()
			if err == io.EOF {
				return false
			}
			if err != nil {
				r.add(csvSyntaxError(n, err))
				return false
			}
			r.line(n, rec)
		}
		return true
	}
	more := feed(func() bool { return r.headerDone })
	rest := int(rows.cr.InputOffset())
	if r.unchecked && !utf8.Valid(text[:rest]) {
		return false // the header, or what comes before it
	}
	if !more {
		return !r.unchecked || validUTF8(text[rest:], r.faults)
	}
	schools := r.headerOK && r.unit == nil && r.nerr == 0 && r.each == nil
	if schools && r.readParallel(text, rest, comma, rows.inside) {
		return !r.notUTF8
	}
	if r.unchecked {
		// Read row by row: checked first.
		if !validUTF8(text[rest:], r.faults) {
			return false
		}
		r.unchecked = false
	}
	if schools {
		// Room for a record per line, up to a bound: a line is a school,
		// and growing a slice of Schools by doubling copied each of them
		// about three times. A school's line holds a comma per column.
		lines := bytes.Count(text[rest:], []byte("\n")) + 1
		r.batch.Schools = make([]census.School, 0, min(lines, (len(text)-rest)/max(r.width, 1)+1, maxPresized))
	}
	feed(func() bool { return false })
	return true
}

// csvSyntaxError is the error for a CSV syntax error at row n.
func csvSyntaxError(n int, err error) *Error {
	return &Error{Row: n, Problem: "CSV 格式有误（" + detail(err) + "）",
		Fix: "请用 Excel 打开该文件，检查引号是否成对，然后另存为“CSV UTF-8(逗号分隔)”"}
}

// newCSVReader returns a reader of decoded text as this package reads CSV.
func newCSVReader(text []byte, comma rune) *csv.Reader {
	return newCSVReaderFrom(bytes.NewReader(text), comma)
}

// newCSVReaderFrom returns a reader of the decoded text rd reads as this
// package reads CSV.
func newCSVReaderFrom(rd io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	cr.Comma = comma
	return cr
}

// csvRows reads the records of a CSV text, or of a piece of one that
// begins at a record, and numbers them as Excel numbers its rows.
//
// Excel shows a record as one row however many lines its quoted cells
// span, and shows a blank line (which encoding/csv skips) as an empty
// row. So the row is the record's first line minus the line breaks
// inside earlier cells.
type csvRows struct {
	cr     *csv.Reader
	line0  int // lines before the text read
	inside int // line breaks inside the cells of the records before
}

// next returns the next record, which the call after reuses, and its row;
// io.EOF at the end; and on a CSV syntax error the error and its row.
func (c *csvRows) next() ([]string, int, error) {
	rec, err := c.cr.Read()
	if err == io.EOF {
		return nil, 0, err
	}
	if err != nil {
		row := 0
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			row = c.line0 + pe.StartLine - c.inside
		}
		return nil, row, err
	}
	line, _ := c.cr.FieldPos(0)
	row := c.line0 + line - c.inside
	// Only a record whose cells start on different lines can have a line
	// break in a cell before the last.
	if last, _ := c.cr.FieldPos(len(rec) - 1); last != line {
		for _, f := range rec {
			c.inside += strings.Count(f, "\n")
		}
	} else {
		c.inside += strings.Count(rec[len(rec)-1], "\n")
	}
	return rec, row, nil
}

// eachCSVRow calls fn with every record of the decoded text and its row
// as Excel numbers it, until fn returns false. The record is reused by the
// next call. On a CSV syntax error it returns the error and its row.
func eachCSVRow(text []byte, fn func(n int, rec []string) bool) (int, error) {
	text = crLines(text)
	rows := &csvRows{cr: newCSVReader(text, sniffComma(text))}
	for {
		rec, n, err := rows.next()
		if err == io.EOF {
			return 0, nil
		}
		if err != nil {
			return n, err
		}
		if !fn(n, rec) {
			return 0, nil
		}
	}
}

// decode returns data as UTF-8 without a BOM.
func (r *reader) decode(data []byte) ([]byte, bool) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
		if validUTF8(data, r.faults) {
			return data, true
		}
		// A BOM followed by invalid UTF-8 is a damaged file; let the
		// check below say so rather than guess an encoding.
		enc = encoding.Nop
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case validUTF8(data, r.faults):
		return data, true
	default:
		if line, ok := brokenUTF8(data); ok {
			r.fileError(fmt.Sprintf("是 UTF-8 编码，但第%d行附近有无法识别的字符", line),
				"请用 Excel 打开并检查这一行，然后另存为“CSV UTF-8(逗号分隔)”")
			return nil, false
		}
		enc = simplifiedchinese.GB18030
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) || bytes.IndexByte(out, 0) >= 0 {
		r.fileError("编码无法识别（既不是 UTF-8，也不是 GBK/GB18030），或不是表格文件",
			"请用 Excel 打开，另存为“CSV UTF-8(逗号分隔)”或 .xlsx 后再导入")
		return nil, false
	}
	return out, true
}

// validUTF8 is utf8.Valid, checking the halves of a large text on two
// cores: cut where a character begins, the text is valid when both
// halves are.
func validUTF8(data []byte, g *faults) bool {
	if len(data) < 4<<20 || runtime.GOMAXPROCS(0) < 2 {
		return utf8.Valid(data)
	}
	cut := len(data) / 2
	for i := 0; i < utf8.UTFMax && !utf8.RuneStart(data[cut]); i++ {
		cut++
	}
	second := make(chan bool, 1)
	go func() {
		ok := false
		defer func() { second <- ok }() // after a fault too
		defer g.catch()
		g.watch()
		ok = utf8.Valid(data[cut:])
	}()
	first := utf8.Valid(data[:cut])
	return <-second && first
}

// sniffComma picks the delimiter from the first line: a tab when it has
// tabs and no commas (Excel's "Unicode 文本"), else a comma.
func sniffComma(text []byte) rune {
	first := text
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		first = text[:i]
	}
	if bytes.IndexByte(first, '\t') >= 0 && bytes.IndexByte(first, ',') < 0 {
		return '\t'
	}
	return ','
}

// brokenUTF8 tells a UTF-8 file with a few bad bytes (a cell pasted from
// elsewhere, two files joined) from a GBK file: GBK text forms a valid
// multi-byte UTF-8 sequence only by accident, so when valid sequences far
// outnumber invalid bytes the file is UTF-8. Decoding it as GBK would
// garble every Chinese header and blame the header instead of the one bad
// line. It returns the line of the first invalid byte.
func brokenUTF8(data []byte) (line int, broken bool) {
	valid, invalid, first := 0, 0, -1
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			if first < 0 {
				first = i
			}
			invalid++
		} else {
			valid++
		}
		i += size
	}
	if first < 0 || valid < 10*invalid {
		return 0, false
	}
	return bytes.Count(data[:first], []byte("\n")) + 1, true
}

// crLines returns text with the bare CRs that end the lines of a file
// written by Excel for the old Mac OS made LFs; encoding/csv ends lines only
// at LF, so such a file read as one line, "header only". A file is taken to
// end its lines with CR when its first line holds a bare CR, or it has no
// LF at all; every bare CR is then a line break, in a quoted cell too,
// where LF is what Excel stores. CRLF is left alone, as is a bare CR in a
// quoted cell of a file whose lines end with LF or CRLF.
//
// Only the first line is searched for a CR (a CR at its end is a CRLF's),
// not the whole of a large file that has none.
func crLines(text []byte) []byte {
	if lf := bytes.IndexByte(text, '\n'); lf >= 0 {
		if lf == 0 || bytes.IndexByte(text[:lf-1], '\r') < 0 {
			return text
		}
	} else if bytes.IndexByte(text, '\r') < 0 {
		return text
	}
	return bareCRsToLF(text)
}

// bareCRsToLF returns a copy of text with every CR not followed by an LF
// made an LF.
func bareCRsToLF(text []byte) []byte {
	out := make([]byte, len(text))
	for j, c := range text {
		if c == '\r' && (j+1 == len(text) || text[j+1] != '\n') {
			c = '\n'
		}
		out[j] = c
	}
	return out
}

// csvShape checks that data row n of a CSV file has a cell under every
// column of the header and none beyond it, and reports whether it does.
//
// A short row is refused because its missing cells would read as "not
// reported" and erase the values stored for them. A row with a non-empty
// cell beyond the header is refused because in a CSV file that cell is
// nearly always half of a cell split by an unquoted comma, which shifts
// every later value one column to the right. Neither can come from Excel,
// which pads every row of a CSV file to the same width (a note typed beside
// the table sits under an empty header cell and stays a warning); both come
// from files written by hand or by programs, and from files cut short.
// Workbooks keep cells by column letter, so neither problem arises there.
func (r *reader) csvShape(n int, cells []string) bool {
	if len(cells) < r.width {
		c := r.col(len(cells))
		r.add(&Error{Row: n, Column: c.header, Letter: c.letter,
			Problem: fmt.Sprintf("这一行只有 %d 列，比表头少 %d 列（%s列起没有单元格）", len(cells), r.width-len(cells), c.letter),
			Fix:     "缺少的单元格会被当作“未填报”而覆盖已有数据，所以整个文件未导入：请检查这一行是否少了逗号或被截断（未填报的单元格也要用逗号隔开），补齐后再导入"})
		return false
	}
	for i := len(r.cols); i < len(cells); i++ {
		if trim(cells[i]) == "" {
			continue
		}
		c := r.col(i)
		r.add(&Error{Row: n, Letter: c.letter, Value: cells[i],
			Problem: fmt.Sprintf("这一行有 %d 列，比表头多（%s列起没有表头）", len(cells), letter(len(r.cols))),
			Fix:     "多出的单元格通常是某个单元格里没加英文双引号的逗号把一格拆成了两格，使其后的数据都错了一列：请在 Excel 中打开检查这一行，另存为“CSV UTF-8(逗号分隔)”后再导入"})
		return false
	}
	return true
}
