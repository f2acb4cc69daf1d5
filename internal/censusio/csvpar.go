package censusio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// A large CSV file of schools is read in parallel: its text after the
// header is cut into chunks that each begin at a record, a reader per
// chunk reads its rows into its part of Batch.Schools and records its
// errors and notes instead of adding them, and the chunks are then merged
// in order. The merge does what depends on the rows before a chunk — the
// duplicate-code check, the warning about a column without a header (once
// per file), runs of empty rows across a cut, and the caps of MaxErrors
// and MaxNotes — so that the result, messages and row numbers included,
// is the one reading row by row gives. TestReadCSVParallel proves it on
// random files.

// csvChunkSize is about how many bytes of a CSV file a chunk holds, and
// csvParallelMin the size below which a file is read row by row. Tests
// make both small.
var (
	csvChunkSize   = 1 << 20
	csvParallelMin = 2 << 20
	// eachChunkSize is csvChunkSize when the records are handed on
	// (Options.EachRun): the chunks take longer to read, since they are
	// evaluated as well, and halving them shortens the wait of one core
	// for the other's last chunk by more than their first and last runs,
	// which are joined afterwards, take.
	eachChunkSize = 512 << 10
)

// maxPresized bounds the Schools a read makes room for before reading
// them: a line of a file is not always a school (a file of a million empty
// lines is one school), and room for a nation's schools is ample.
const maxPresized = 1 << 19

// csvChunk is a piece of a CSV text that begins at a record.
type csvChunk struct {
	start, end int // byte offsets in the text
	line0      int // lines before start
	inside     int // line breaks inside the cells of the records before start
	room       int // the most records it can hold: its line breaks
}

// splitCSV cuts text[from:], where from is the start of a record, into
// chunks of about size bytes that each begin at a record. It returns false
// when it cannot be sure where records begin: when a quote is read
// leniently (LazyQuotes: a quote inside an unquoted cell, a quoted cell
// whose closing quote is followed by more text, or one that never closes),
// since only text read strictly has a record boundary at every line break
// outside quotes.
func splitCSV(text []byte, from int, comma byte, size int) ([]csvChunk, bool) {
	if len(text)-from >= splitPlainMin && runtime.GOMAXPROCS(0) > 1 {
		if chunks, ok := splitPlain(text, from, size); ok {
			return chunks, true
		}
	}
	var cuts, insides []int
	inside := 0 // line breaks inside quoted cells before i
	next := from + size
	// i is at the start of a cell, outside quotes.
	for i := from; i < len(text); {
		end := len(text)
		if q := bytes.IndexByte(text[i:], '"'); q >= 0 {
			end = i + q
		}
		// Up to the next quote, every line break ends a record.
		for next < end {
			at := max(next, i)
			p := bytes.IndexByte(text[at:end], '\n')
			if p < 0 {
				break
			}
			cut := at + p + 1
			if cut < len(text) {
				cuts = append(cuts, cut)
				insides = append(insides, inside)
			}
			next = cut + size
		}
		if end == len(text) {
			break
		}
		if end > from && text[end-1] != comma && text[end-1] != '\n' {
			return nil, false // a quote inside an unquoted cell
		}
		j := end + 1
		for {
			k := bytes.IndexByte(text[j:], '"')
			if k < 0 {
				return nil, false // a quote that never closes
			}
			inside += bytes.Count(text[j:j+k], []byte("\n"))
			j += k + 1
			if j < len(text) && text[j] == '"' {
				j++ // "" is a quote in the cell
				continue
			}
			break
		}
		switch {
		case j == len(text):
			i = j
		case text[j] == comma:
			i = j + 1
		case text[j] == '\n':
			i = j
		case text[j] == '\r' && j+1 < len(text) && text[j+1] == '\n':
			i = j + 1
		default:
			return nil, false // text after a closing quote
		}
	}
	chunks := make([]csvChunk, 0, len(cuts)+1)
	start, line0, in := from, bytes.Count(text[:from], []byte("\n")), 0
	for k := 0; k <= len(cuts); k++ {
		end := len(text)
		if k < len(cuts) {
			end = cuts[k]
		}
		nl := bytes.Count(text[start:end], []byte("\n"))
		room := nl
		if k == len(cuts) {
			room++ // the last record need not end with a line break
		}
		chunks = append(chunks, csvChunk{start: start, end: end, line0: line0, inside: in, room: room})
		if k < len(cuts) {
			start, line0, in = end, line0+nl, insides[k]
		}
	}
	return chunks, true
}

// splitPlainMin is the size of text from which splitCSV first tries
// splitPlain. Tests make it small.
var splitPlainMin = 4 << 20

// splitPlain is splitCSV for a text without a quote, where every line
// break ends a record, on every core: it looks for a quote, and for the
// line break after every size bytes, in a part of the text each, then
// counts each chunk's line breaks, in parallel, where splitCSV looks on
// one core. A mapped file's pages are first read here, so they are
// faulted in on every core too. It returns false when the text has a
// quote.
func splitPlain(text []byte, from, size int) ([]csvChunk, bool) {
	parts := runtime.GOMAXPROCS(0)
	span := (len(text) - from + parts - 1) / parts
	cuts := make([][]int, parts)
	var quoted atomic.Bool
	var wg sync.WaitGroup
	for g := range parts {
		lo, hi := min(from+g*span, len(text)), min(from+(g+1)*span, len(text))
		wg.Go(func() {
			if bytes.IndexByte(text[lo:hi], '"') >= 0 {
				quoted.Store(true)
				return
			}
			// A chunk ends after the first line break at or after
			// from + k·size, for each such mark in lo..hi.
			for t := from + (lo-from+size-1)/size*size; t < hi; t += size {
				if t == from {
					continue
				}
				p := bytes.IndexByte(text[t:], '\n')
				if p < 0 {
					break
				}
				if cut := t + p + 1; cut < len(text) {
					cuts[g] = append(cuts[g], cut)
				}
			}
		})
	}
	wg.Wait()
	if quoted.Load() {
		return nil, false
	}
	starts := []int{from}
	for _, cs := range cuts {
		for _, c := range cs {
			if c > starts[len(starts)-1] {
				starts = append(starts, c)
			}
		}
	}
	chunks := make([]csvChunk, len(starts))
	per := (len(chunks) + parts - 1) / parts
	for g := range parts {
		wg.Go(func() {
			for k := g * per; k < min((g+1)*per, len(chunks)); k++ {
				end := len(text)
				if k+1 < len(starts) {
					end = starts[k+1]
				}
				chunks[k] = csvChunk{start: starts[k], end: end, room: bytes.Count(text[starts[k]:end], []byte("\n"))}
			}
		})
	}
	wg.Wait()
	line := bytes.Count(text[:from], []byte("\n"))
	for k := range chunks {
		chunks[k].line0 = line
		line += chunks[k].room
	}
	chunks[len(chunks)-1].room++ // the last record need not end with a line break
	return chunks, true
}

// recording is what the reader of one chunk keeps of what depends on the
// rows before it, for the merge: errors with the duplicate checks between
// them, and warnings with those about columns without a header.
type recording struct {
	errs    []*Error
	dropped int      // errors after MaxErrors in this chunk: counted, never listed
	keys    []dupKey // the rows to check for duplicates
	warns   []pendingNote
	nwarn   int // warnings in warns that are not about a column without a header

	nonBlank         bool // the chunk has a row that is not empty
	leadFrom, leadTo int  // the run of empty rows that opens the chunk
	reader           *reader

	// With Options.EachRun (handRuns): the runs handed on, the first and
	// last run, the chunk's records and the stages of its schools.
	made     []RunResult
	edges    []edgeRun
	nschools int
	stages   map[census.Stage]bool
}

// dupKey is a school and year to check against the rows before.
type dupKey struct {
	key   uint64 // schoolKey of the year and code
	pos   int32  // how many errors of the chunk come before the check
	row   int32
	first int32 // the row it repeats, set by findDuplicates; 0 if none
}

// repeated refuses the row of k if it repeats an earlier one. The chunks
// hold every row after the header, so r.seen is not needed after them.
func (r *reader) repeated(k *dupKey) {
	if k.first > 0 {
		year, code := k.key>>34, k.key&(1<<34-1)
		r.duplicateError(int(k.row), int(k.first), int(year), fmt.Sprintf("%010d", code))
	}
}

// findDuplicates sets first on every key of the chunks that repeats an
// earlier one. It runs in parallel, since the keys of a nation take a
// map of two hundred thousand entries: each goroutine takes the keys of
// one shard of schools, in file order, into a map of its own. The keys
// are integers (schoolKey), which hash and compare several times faster
// than a year and a code string.
//
// Keys in increasing order, as a file sorted by school code (or by year
// and code) has them, cannot repeat: a pass over them in file order says
// so without the maps.
func findDuplicates(recs []*recording, total int) {
	if increasing(recs) {
		return
	}
	shards := uint64(runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for sh := range shards {
		wg.Go(func() {
			seen := make(map[uint64]int32, total/int(shards)+1)
			for _, c := range recs {
				for i := range c.keys {
					k := &c.keys[i]
					if k.key%shards != sh {
						continue
					}
					if p, dup := seen[k.key]; dup {
						k.first = p
					} else {
						seen[k.key] = k.row
					}
				}
			}
		})
	}
	wg.Wait()
}

// increasing reports whether the keys of recs, in file order, are each
// greater than the one before.
func increasing(recs []*recording) bool {
	var prev uint64
	first := true
	for _, c := range recs {
		for i := range c.keys {
			k := c.keys[i].key
			if !first && k <= prev {
				return false
			}
			prev, first = k, false
		}
	}
	return true
}

// schoolKey packs a year and a school code, which the reader has checked
// to be ten ASCII digits, into one integer that identifies them: the code
// as a number (below 2³⁴) and the year above it.
func schoolKey(year int, code string) uint64 {
	var n uint64
	for i := 0; i < len(code); i++ {
		n = n*10 + uint64(code[i]-'0')
	}
	return uint64(year)<<34 | n
}

// pendingNote is a warning; stray is the column index of a warning about
// a column without a header, which only the first such row of the file
// gets, and -1 for the rest.
type pendingNote struct {
	Note
	stray int
}

func (c *recording) add(e *Error) {
	if len(c.errs) < MaxErrors {
		e.Value = strings.Clone(e.Value) // not the chunk's text
		c.errs = append(c.errs, e)
		return
	}
	// The errors before it in the chunk fill the list, so the merge would
	// only count it.
	c.dropped++
}

func (c *recording) duplicate(n, year int, code string) {
	c.keys = append(c.keys, dupKey{key: schoolKey(year, code), pos: int32(len(c.errs)), row: int32(n)})
}

// warn keeps n, and returns 1 when it only counts it.
func (c *recording) warn(n Note, stray int) int {
	if stray < 0 {
		if c.nwarn >= MaxNotes {
			return 1
		}
		c.nwarn++
	}
	c.warns = append(c.warns, pendingNote{n, stray})
	return 0
}

// readParallel reads the school rows of text[from:], which follow the
// header, in parallel, and reports whether it did: a small file, a file
// whose quotes are read leniently, and one with more lines than
// maxPresized are read row by row.
func (r *reader) readParallel(text []byte, from int, comma rune, inside int) bool {
	if len(text)-from < csvParallelMin {
		return false
	}
	// With EachRun the records are handed on and not kept (eachrun.go).
	each := r.opt.EachRun != nil && !r.keepRuns
	size := csvChunkSize
	if each {
		size = eachChunkSize
	}
	chunks, ok := splitCSV(text, from, byte(comma), size)
	if !ok {
		return false
	}
	total := 0
	base := make([]int, len(chunks)) // where each chunk's window begins
	for i := range chunks {
		chunks[i].inside += inside
		base[i] = total
		total += chunks[i].room
	}
	if total > maxPresized && !each {
		return false
	}
	// Each chunk reads into its own window of one array, so that no
	// School is copied unless rows were skipped.
	var all []census.School
	switch {
	case each:
	case r.opt.Arena != nil:
		all = r.opt.Arena.schools(total)
	default:
		all = make([]census.School, total)
		hugepages.Advise(unsafe.Pointer(unsafe.SliceData(all)), uintptr(len(all))*unsafe.Sizeof(all[0]))
	}
	maxRoom := 0
	for _, c := range chunks {
		maxRoom = max(maxRoom, c.room)
	}
	// The stages of the schools matter to a warning only when the file
	// lacks a column an indicator needs.
	stages := each && r.lacksIndicatorInput()
	if cutAt != nil && r.faults != nil {
		cutAt("chunks")
	}
	plan := r.fastPlan()
	recs := make([]*recording, len(chunks))
	// notUTF8 stops every chunk's reader once one has met text that is not
	// UTF-8: the file is read again (readCSV).
	var next atomic.Int64
	var notUTF8 atomic.Bool
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(chunks))
	fns := make([]RunFunc, workers) // each goroutine's, with EachRun
	for g := range workers {
		wg.Go(func() {
			defer r.faults.catch()
			r.faults.watch()
			var (
				fn  RunFunc
				buf []census.School // the records of the goroutine's chunk
			)
			if each {
				fn = r.opt.EachRun()
				fns[g] = fn
			}
			for {
				k := int(next.Add(1)) - 1
				if k >= len(chunks) {
					return
				}
				c, b := chunks[k], base[k]
				if !each {
					recs[k] = r.readChunk(text[c.start:c.end], c, comma, all[b:b:b+c.room], plan, &notUTF8)
					continue
				}
				if buf == nil {
					buf = make([]census.School, maxRoom)
				}
				recs[k] = r.readChunk(text[c.start:c.end], c, comma, buf[:0:c.room], plan, &notUTF8)
				recs[k].handRuns(fn, stages)
			}
		})
	}
	wg.Wait()
	if r.faults.cut() {
		return true // a chunk unread: the read fails (readWatched)
	}
	if notUTF8.Load() {
		r.notUTF8 = true // read again, decoded (readCSV)
		return true
	}
	if each {
		failed := false
		for _, rec := range recs {
			failed = failed || rec.reader.nerr > 0
		}
		var (
			made []RunResult
			todo []joinedRun
		)
		ok := true
		if !failed {
			made, todo, ok = joinRuns(recs)
		}
		if !ok {
			// A county and year in two places: read again, keeping
			// the records.
			r.keepRuns = true
			return r.readParallel(text, from, comma, inside)
		}
		if cutAt != nil && r.faults != nil {
			cutAt("joined")
		}
		// The runs joined across chunks, on every core again.
		var at atomic.Int64
		next := func() int { return int(at.Add(1)) - 1 }
		for _, fn := range fns[:min(len(fns), len(todo))] {
			wg.Go(func() {
				defer r.faults.catch()
				r.faults.watch()
				handJoined(made, todo, next, fn)
			})
		}
		wg.Wait()
		if r.faults.cut() {
			return true
		}
		findDuplicates(recs, total)
		for _, rec := range recs {
			r.merge(rec)
			r.handed += rec.nschools
			for st := range rec.stages {
				if r.stages == nil {
					r.stages = map[census.Stage]bool{}
				}
				r.stages[st] = true
			}
		}
		r.batch.Schools, r.batch.Evaluated = nil, true
		if r.nerr == 0 {
			r.batch.RunResults = made
		}
		return true
	}
	findDuplicates(recs, total)

	n := 0
	for _, rec := range recs {
		r.merge(rec)
		if got := rec.reader.batch.Schools; r.nerr == 0 && len(got) > 0 {
			// The chunk's runs, where its records are now (the first
			// may go on with the chunk before's last).
			for _, run := range rec.reader.runs {
				run.Lo, run.Hi = run.Lo+n, run.Hi+n
				r.addRun(run)
			}
			if &got[0] == &all[n] {
				n += len(got) // in place: no row of the chunks before was skipped
			} else {
				n += copy(all[n:], got)
			}
		}
	}
	r.batch.Schools = nil
	if r.nerr == 0 {
		r.batch.Schools = all[:n:n]
	}
	return true
}

// readChunk reads the rows of one chunk into dst, the plain ones with
// fastLine when plan is not nil.
func (r *reader) readChunk(text []byte, c csvChunk, comma rune, dst []census.School, plan []fastCol, notUTF8 *atomic.Bool) *recording {
	w := &reader{opt: r.opt, headerDone: true, headerOK: true, csv: true, fast: plan, unchecked: r.unchecked,
		cols: r.cols, text: r.text, num: r.num, textHdr: r.textHdr, width: r.width, stray: r.stray,
		strayWarned: make(map[int]bool), interned: make(map[string]string), rec: new(recording)}
	w.batch.File = r.batch.File
	w.txt.a = r.opt.Arena
	w.batch.Schools = dst
	w.rec.reader = w
	w.rec.keys = make([]dupKey, 0, c.room)
	// The cells are read as substrings of the chunk's bytes, not of a copy
	// (a nation's file copied again, 29 MB): nothing writes to the text
	// while it is read, and nothing read keeps a cell — keepTexts copies
	// the codes and names, intern the other texts, recording.add the value
	// of an error — so the records outlive the text safely.
	rows := &strictRows{s: unsafe.String(unsafe.SliceData(text), len(text)), comma: byte(comma), line: c.line0 + 1, inside: c.inside,
		whole: plan != nil}
	for {
		if w.notUTF8 {
			notUTF8.Store(true) // and the others stop too
			break
		}
		if w.unchecked && notUTF8.Load() {
			break
		}
		rec, n, ok := rows.next()
		if !ok {
			break
		}
		if rec == nil { // a line without a quote, unsplit
			if w.fastLine(n, rows.plain, byte(comma)) {
				continue
			}
			rows.rec = splitLine(rows.rec[:0], rows.plain, byte(comma))
			rec = rows.rec
		}
		w.checkUTF8(rows.s[rows.start:rows.i]) // the record's text
		w.line(n, rec)
	}
	if !w.rec.nonBlank {
		w.rec.leadFrom, w.rec.leadTo = w.emptyFrom, w.emptyTo
		w.emptyFrom, w.emptyTo = 0, 0
	}
	if r.opt.EachRun == nil || r.keepRuns {
		// Handed on otherwise, while the text is there (handRuns).
		w.txt.keepTexts(w.batch.Schools)
	}
	fastRowsRead.Add(int64(w.fastRows))
	return w.rec
}

// keepTexts copies the codes and names of schools, which are parts of the
// text of their chunk (reader.keep), into one string: one allocation per
// chunk rather than two per school, and the chunk's text can go.
func (t *texts) keepTexts(schools []census.School) {
	n := 0
	for i := range schools {
		n += len(schools[i].Code) + len(schools[i].Name)
	}
	if n == 0 {
		return
	}
	b := t.room(n)[:0]
	for i := range schools {
		b = append(b, schools[i].Code...)
		b = append(b, schools[i].Name...)
	}
	all := unsafe.String(unsafe.SliceData(b), len(b))
	for i := range schools {
		s := &schools[i]
		s.Code, all = all[:len(s.Code)], all[len(s.Code):]
		s.Name, all = all[:len(s.Name)], all[len(s.Name):]
	}
}

// merge adds what the reader of the next chunk found, as reading its rows
// here would have.
func (r *reader) merge(c *recording) {
	k := 0
	for i, e := range c.errs {
		for ; k < len(c.keys) && int(c.keys[k].pos) <= i; k++ {
			r.repeated(&c.keys[k])
		}
		r.add(e)
	}
	for ; k < len(c.keys); k++ {
		r.repeated(&c.keys[k])
	}
	r.nerr += c.dropped

	w := c.reader
	for _, n := range c.warns {
		if n.stray >= 0 {
			if r.strayWarned[n.stray] {
				continue
			}
			r.strayWarned[n.stray] = true
		}
		r.moreWarnings += r.note(&r.batch.Warnings, n.Note)
	}
	r.moreWarnings += w.moreWarnings

	if c.leadFrom != 0 {
		if r.emptyFrom == 0 {
			r.emptyFrom = c.leadFrom
		}
		r.emptyTo = c.leadTo
	}
	if c.nonBlank {
		r.flushEmpty()
		for _, n := range w.batch.Skipped {
			r.moreSkipped += r.note(&r.batch.Skipped, n)
		}
		r.moreSkipped += w.moreSkipped
		r.emptyFrom, r.emptyTo = w.emptyFrom, w.emptyTo
	}
	r.dataRows += w.dataRows
	if w.firstYear != 0 {
		r.spanYear(w.firstYear)
		r.spanYear(w.lastYear)
	}
}

// strictRows reads the records of a chunk whose quoting splitCSV found
// strict exactly as encoding/csv reads them (csvRows), but with every cell
// a substring of the chunk's text, where encoding/csv allocates a string
// per record. Strict quoting is what keeps it short: a quote opens a cell
// or closes one, and a closing quote is followed by a comma, a line break
// or the end.
type strictRows struct {
	s      string
	i      int // the next byte to read
	comma  byte
	line   int // the line of s[i], as csvRows numbers it
	inside int // line breaks inside the cells of the records before
	rec    []string
	// whole, when set, has next return a record of one line without a
	// quote unsplit: as plain, with a nil record.
	whole bool
	plain string
	start int // where the last record returned begins in s
}

// next returns the next record, which the call after reuses, and its row,
// and false at the end; with whole set, a record of one line without a
// quote is returned in plain, and the record is nil.
func (c *strictRows) next() ([]string, int, bool) {
	s, i := c.s, c.i
	for { // encoding/csv skips empty lines
		switch {
		case i < len(s) && s[i] == '\n':
			i++
			c.line++
			continue
		case i+1 < len(s) && s[i] == '\r' && s[i+1] == '\n':
			i += 2
			c.line++
			continue
		case i+1 == len(s) && s[i] == '\r':
			i++
		}
		break
	}
	if i >= len(s) {
		c.i = i
		return nil, 0, false
	}
	c.start = i
	row := c.line - c.inside
	c.rec = c.rec[:0]
	// Most records are one line without a quote: a quote opens a cell,
	// so such a line is a record whose cells are its pieces between
	// commas, found eight bytes at a time.
	end := len(s)
	if e := strings.IndexByte(s[i:], '\n'); e >= 0 {
		end = i + e
	}
	if strings.IndexByte(s[i:end], '"') < 0 {
		c.i = end
		if end < len(s) {
			c.i++
			c.line++
		}
		if c.whole {
			c.plain = s[i:end]
			return nil, row, true
		}
		c.rec = splitLine(c.rec, s[i:end], c.comma)
		return c.rec, row, true
	}
	for {
		if i < len(s) && s[i] == '"' {
			i++
			start, plain := i, true
			for {
				k := strings.IndexByte(s[i:], '"') // there is one: the quoting is strict
				if nl := strings.Count(s[i:i+k], "\n"); nl > 0 {
					c.line += nl
					c.inside += nl
					plain = plain && !strings.Contains(s[i:i+k], "\r\n")
				}
				i += k + 1
				if i < len(s) && s[i] == '"' {
					i++
					plain = false
					continue
				}
				break
			}
			cell := s[start : i-1]
			if !plain {
				cell = strings.ReplaceAll(strings.ReplaceAll(cell, `""`, `"`), "\r\n", "\n")
			}
			c.rec = append(c.rec, cell)
			switch {
			case i == len(s):
			case s[i] == c.comma:
				i++
				continue
			case s[i] == '\r': // \r\n: the quoting is strict
				i += 2
				c.line++
			default: // \n
				i++
				c.line++
			}
			break
		}
		// An unquoted cell, which holds no quote. Cells are short, so a
		// loop finds their end sooner than IndexByte.
		j := i
		for j < len(s) && s[j] != c.comma && s[j] != '\n' {
			j++
		}
		if j < len(s) && s[j] == c.comma {
			c.rec = append(c.rec, s[i:j])
			i = j + 1
			continue
		}
		// The last cell: encoding/csv drops the CR of a CRLF, and one
		// before the end of the text.
		c.rec = append(c.rec, strings.TrimSuffix(s[i:j], "\r"))
		i = j
		if i < len(s) {
			i++
			c.line++
		}
		break
	}
	c.i = i
	return c.rec, row, true
}

// splitLine appends to rec the cells of line, a record of one line with
// no quote: its pieces between commas, the last without the CR of a CRLF
// line ending, as strictRows reads them. It looks at eight bytes at a
// time: a cell is a few bytes long, and a byte-by-byte loop for the next
// comma was the largest part of splitting a record.
func splitLine(rec []string, line string, comma byte) []string {
	commas := 0x0101010101010101 * uint64(comma)
	b := unsafe.Slice(unsafe.StringData(line), len(line))
	start, k := 0, 0
	for ; k+8 <= len(b); k += 8 {
		m := zeroBytes(binary.LittleEndian.Uint64(b[k:]) ^ commas)
		for m != 0 {
			j := k + bits.TrailingZeros64(m)>>3
			rec = append(rec, line[start:j])
			start = j + 1
			m &= m - 1
		}
	}
	for ; k < len(b); k++ {
		if b[k] == comma {
			rec = append(rec, line[start:k])
			start = k + 1
		}
	}
	return append(rec, strings.TrimSuffix(line[start:], "\r"))
}

// zeroBytes returns x with the high bit of each of its bytes that is zero
// set, and every other bit clear (exactly: no borrow runs from one byte
// into the next).
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	return ^((x&low7 + low7) | x | low7)
}
