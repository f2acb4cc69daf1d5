package censusio

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
)

// The rows of a large CSV file are nearly all plain: one line, no quote,
// a cell under every column and none beyond, numbers written as digits
// (or plain decimals), and nothing wrong. A chunk's reader reads such a
// line straight into its record (fastLine): in one pass over its bytes,
// without cutting it into cells first, and reading a number's digits as
// it looks for the comma after them. Anything else — a cell that needs
// trimming, an empty required cell, an example row, a value with a
// problem, a row that is empty or has more or fewer cells than the header
// — makes fastLine give the row back unread, with nothing of it kept, to
// the reader every row goes through (reader.line). So a row read fast is
// read exactly as that reader reads it, every check and message included;
// TestFastLineAsLine, TestReadCSVParallel and FuzzReadCSV compare the two
// on random files.

// fastCol is what fastLine does with one column of the file.
type fastCol struct {
	kind  uint8 // fastSkip, fastText or fastNumber
	text  int   // the index in census.TextColumns of a fastText column
	field census.Field
	// decimals is set on a numeric column of a quantity that need not be
	// whole (an area, a sum of money): its decimals are read here too.
	decimals bool
	scale    float64 // its unit's, as column.stored scales
}

const (
	fastSkip   = iota // a column the reader ignores (a header it does not know)
	fastText          // a text column
	fastNumber        // a numeric column
)

// fastPlan returns the columns of r's file for fastLine, or nil when its
// rows cannot be read fast: a file with a blank header cell (whose cells
// draw a warning) or one whose header ends in blank cells.
func (r *reader) fastPlan() []fastCol {
	if !r.csv || !r.headerOK || r.unit != nil || r.each != nil || len(r.stray) > 0 || r.width != len(r.cols) || len(r.cols) == 0 {
		return nil
	}
	plan := make([]fastCol, len(r.cols))
	for ti, ci := range r.text {
		if ci >= 0 {
			plan[ci] = fastCol{kind: fastText, text: ti}
		}
	}
	for f, ci := range r.num {
		if ci >= 0 {
			plan[ci] = fastCol{kind: fastNumber, field: census.Field(f), decimals: !census.Columns[f].Integer, scale: r.cols[ci].t.scale}
		}
	}
	return plan
}

// fastLine reads row n, a line of a record without a quote, as reader.line
// reads its cells, and reports whether it did; when it did not, nothing of
// the row is kept and the caller gives it to reader.line.
func (r *reader) fastLine(n int, line string, comma byte) bool {
	if r.eachErr != nil {
		return false
	}
	var s *census.School
	k := len(r.batch.Schools)
	if r.nerr == 0 {
		if k == cap(r.batch.Schools) {
			return false // the chunk's room is full: reader.row grows it
		}
		r.batch.Schools = r.batch.Schools[:k+1]
		s = &r.batch.Schools[k]
	} else {
		s = &r.scratch
	}
	census.ResetSchool(s)
	if !r.fastCells(line, comma, s) {
		if r.nerr == 0 {
			r.batch.Schools = r.batch.Schools[:k]
		}
		return false
	}
	r.rowStart()
	r.dataRows++
	r.rowEnd(n, s)
	r.fastRows++
	return true
}

// fastRowsRead counts the rows fastLine has read, for tests.
var fastRowsRead atomic.Int64

// fastCells reads the cells of line into s, and reports whether every one
// was read without a problem.
func (r *reader) fastCells(line string, comma byte, s *census.School) bool {
	line = strings.TrimSuffix(line, "\r") // the CR of a CRLF, as the last cell loses it
	filled := false                       // a cell that is not empty: the row is not blank
	i := 0
	fast := r.fast // not read again after each store into s
	for ci := range fast {
		if ci > 0 {
			if i >= len(line) || line[i] != comma {
				return false // fewer cells than columns
			}
			i++
		}
		fc := &fast[ci]
		if fc.kind == fastNumber {
			// Digits, read as the comma after them is looked for.
			start := i
			var u uint64
			i, u = digitsAt(line, i, 0)
			ends := i == len(line) || line[i] == comma
			if !ends && line[i] == '.' && fc.decimals {
				// Digits, a point and digits: read as plainDecimal
				// reads them (at most 15 digits in all, one or more),
				// and as number then keeps them in a column of a
				// quantity that need not be whole.
				j, all := digitsAt(line, i+1, u) // the digits on both sides of the point
				if n := j - start - 1; n >= 1 && n <= 15 && (j == len(line) || line[j] == comma) {
					s.V[fc.field], filled = stored(fc.scale, float64(all)/pow10[j-i-1]), true
					i = j
					continue
				}
			}
			switch {
			case ends && i == start: // empty: not reported
			case ends && i-start <= 15: // exact in a float64, as plainInteger reads it
				s.V[fc.field], filled = stored(fc.scale, float64(u)), true
			default:
				// Not plain: read as number reads it.
				i = cellEnd(line, i, comma)
				r.checkUTF8(line[start:i])
				v := trim(line[start:i])
				if v == "" {
					continue
				}
				x, problem, _ := numberValue(&r.cols[ci], fc.field, v)
				if problem != "" {
					return false
				}
				s.V[fc.field], filled = x, true
			}
			continue
		}
		start := i
		i = cellEnd(line, i, comma)
		if fc.kind != fastText {
			r.checkUTF8(line[start:i])
			filled = filled || trim(line[start:i]) != ""
			continue
		}
		var m *textMemo
		if fc.text < len(r.memo) {
			m = &r.memo[fc.text]
			if m.cell != "" && line[start:i] == m.cell {
				m.set(fc.text, s)
				filled = true
				continue
			}
		}
		v := trim(line[start:i])
		if v == "" {
			if census.TextColumns[fc.text].Required {
				return false
			}
			continue
		}
		filled = true
		if fc.text == tSchoolName && examplePrefix(v) != "" {
			return false
		}
		if problem, _ := r.setText(fc.text, unneutral(v), s); problem != "" {
			return false
		}
		if m != nil {
			m.keep(fc.text, line[start:i], s)
		}
	}
	return i == len(line) && filled // no cell beyond the header's
}

// textMemo is the last cell fastCells read without a problem in a text
// column whose cells repeat from row to row (the year, the county's code
// and name, the school's type, ownership, location and sponsor), and what
// setText stored from it. A cell with the same bytes is stored the same
// without being read again: setText's value depends on the cell's bytes
// alone, and they were checked (UTF-8 included) when first read.
type textMemo struct {
	cell string // as in the line, before trimming; "" when none
	text string
	year int
}

// keep remembers cell, read into s, for text column ti.
func (m *textMemo) keep(ti int, cell string, s *census.School) {
	if ti == tYear {
		m.year = s.Year
	} else if f := memoField(ti, s); f != nil {
		m.text = *f
	} else {
		return // the school's own code and name: read every time
	}
	m.cell = cell
}

// set stores into s what keep remembered.
func (m *textMemo) set(ti int, s *census.School) {
	if ti == tYear {
		s.Year = m.year
	} else if f := memoField(ti, s); f != nil {
		*f = m.text
	}
}

// memoField returns the field of s that the text column ti is stored in,
// for the texts that repeat from row to row other than the year; nil for
// the others.
func memoField(ti int, s *census.School) *string {
	switch ti {
	case tCountyCode:
		return &s.CountyCode
	case tCountyName:
		return &s.CountyName
	case tSchoolType:
		return (*string)(&s.Type)
	case tOwnership:
		return &s.Ownership
	case tLocation:
		return &s.Location
	case tSponsor:
		return &s.Sponsor
	}
	return nil
}

// digitsAt reads the ASCII digits of line from i on into u (u·10 + each
// digit), and returns where they end and u.
func digitsAt(line string, i int, u uint64) (int, uint64) {
	for i < len(line) {
		d := line[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
		i++
	}
	return i, u
}

// cellEnd returns the index of the comma that ends the cell of line that
// i is in, or len(line) for the last cell.
func cellEnd(line string, i int, comma byte) int {
	// Eight bytes at a time, as splitLine: cells are short, and
	// IndexByte's setup cost more than the search.
	commas := 0x0101010101010101 * uint64(comma)
	b := unsafe.Slice(unsafe.StringData(line), len(line))
	for ; i+8 <= len(b); i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ commas); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if b[i] == comma {
			return i
		}
	}
	return len(b)
}
