package censusio

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dudao-edu/dudao/internal/census"
)

// readSerialAndParallel reads data row by row, and again in parallel in
// chunks of chunk bytes, and fails unless the two give the same batch or
// the same errors. It returns how many chunks the parallel read had.
func readSerialAndParallel(t *testing.T, data []byte, opt Options, chunk int) int {
	t.Helper()
	size, least, plain, each := csvChunkSize, csvParallelMin, splitPlainMin, eachChunkSize
	defer func() { csvChunkSize, csvParallelMin, splitPlainMin, eachChunkSize = size, least, plain, each }()

	csvParallelMin = 1 << 62
	wantB, wantErr := Read("p.csv", bytes.NewReader(data), opt)
	// Cut on every core when the file has no quote (splitPlain), else
	// as splitCSV cuts it.
	csvChunkSize, csvParallelMin, splitPlainMin, eachChunkSize = chunk, 0, 0, chunk
	gotB, gotErr := Read("p.csv", bytes.NewReader(data), opt)

	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty()}
	if diff := diffBatch(wantB, gotB); diff != "" {
		t.Fatalf("chunks of %d bytes: batch differs (-serial +parallel):\n%s\nfile:\n%s", chunk, diff, data)
	}
	if diff := cmp.Diff(wantErr, gotErr, opts); diff != "" {
		t.Fatalf("chunks of %d bytes: errors differ (-serial +parallel):\n%s\nfile:\n%s", chunk, diff, data)
	}
	if wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("messages differ:\n%s\n%s", wantErr, gotErr)
	}
	checkYearSpan(t, gotB)
	checkRuns(t, wantB)
	checkRuns(t, gotB)
	readEachRun(t, data, opt, chunk, wantB, wantErr)
	chunks, _ := splitCSV(crLines(data), 0, ',', chunk)
	return len(chunks)
}

// readEachRun reads data in parallel in chunks of chunk bytes with
// Options.EachRun, and fails unless the records handed on, run by run,
// are want's schools in their longest runs of one county and year, with
// the same errors and notes; or, when a county and year has two runs, or
// the file is not read in parallel, unless the batch is want.
func readEachRun(t *testing.T, data []byte, opt Options, chunk int, want *Batch, wantErr error) {
	eachRunReads.Add(1)
	t.Helper()
	funcs := 0
	var mu sync.Mutex
	opt.EachRun = func() RunFunc {
		mu.Lock()
		funcs++
		mu.Unlock()
		return func(schools []census.School) any {
			kept := slices.Clone(schools)
			for i := range kept {
				kept[i].Code, kept[i].Name = strings.Clone(kept[i].Code), strings.Clone(kept[i].Name)
			}
			clear(schools) // the reader must not use them again
			return kept
		}
	}
	got, err := Read("p.csv", bytes.NewReader(data), opt)
	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(wantErr, err, opts); diff != "" {
		t.Fatalf("chunks of %d bytes: errors differ (-serial +each run):\n%s\nfile:\n%s", chunk, diff, data)
	}
	if err != nil {
		return
	}
	if !got.Evaluated {
		if diff := diffBatch(want, got); diff != "" {
			t.Fatalf("chunks of %d bytes: batch read without EachRun differs (-serial +each run):\n%s\nfile:\n%s", chunk, diff, data)
		}
		if funcs > 0 && uniqueRuns(longestRuns(want.Schools)) {
			t.Fatalf("chunks of %d bytes: read in parallel with every county in one run, but the records were kept\nfile:\n%s", chunk, data)
		}
		return
	}
	eachRunHanded.Add(1)
	runs := longestRuns(want.Schools)
	if !uniqueRuns(runs) {
		t.Fatalf("chunks of %d bytes: records handed on although a county and year has two runs\nfile:\n%s", chunk, data)
	}
	var handed []census.School
	var made []census.SchoolRun
	for _, r := range got.RunResults {
		made = append(made, r.SchoolRun)
		handed = append(handed, r.Result.([]census.School)...)
	}
	if diff := cmp.Diff(runs, made, opts); diff != "" {
		t.Fatalf("chunks of %d bytes: runs differ (-longest +handed on):\n%s\nfile:\n%s", chunk, diff, data)
	}
	if !sameSchools(want.Schools, handed) {
		t.Fatalf("chunks of %d bytes: records handed on differ (-serial +each run):\n%s\nfile:\n%s", chunk, cmp.Diff(want.Schools, handed, opts), data)
	}
	rest, gotRest := *want, *got
	rest.Schools, rest.Runs, rest.Evaluated = nil, nil, true
	gotRest.RunResults = nil
	if diff := cmp.Diff(&rest, &gotRest, opts); diff != "" {
		t.Fatalf("chunks of %d bytes: batch differs (-serial +each run):\n%s\nfile:\n%s", chunk, diff, data)
	}
}

// diffBatch returns the differences of got from want, as cmp.Diff does,
// its schools compared first without it: cmp takes seconds for a few
// thousand records.
func diffBatch(want, got *Batch) string {
	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty()}
	if want == nil || got == nil {
		return cmp.Diff(want, got, opts)
	}
	if !sameSchools(want.Schools, got.Schools) {
		return cmp.Diff(want.Schools, got.Schools, opts)
	}
	w, g := *want, *got
	w.Schools, g.Schools = nil, nil
	return cmp.Diff(&w, &g, opts)
}

// sameSchools reports whether a and b hold the same records, a value not
// reported (NaN) equal to another.
func sameSchools(a, b []census.School) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		for f := range x.V {
			if math.Float64bits(x.V[f]) != math.Float64bits(y.V[f]) && !(math.IsNaN(x.V[f]) && math.IsNaN(y.V[f])) {
				return false
			}
		}
		x.V, y.V = [census.NumFields]float64{}, [census.NumFields]float64{}
		if x != y {
			return false
		}
	}
	return true
}

// eachRunReads counts the reads of readEachRun, and eachRunHanded those
// whose records were handed on.
var eachRunReads, eachRunHanded atomic.Int64

// longestRuns returns the longest runs of one county and year of schools.
func longestRuns(schools []census.School) []census.SchoolRun {
	var runs []census.SchoolRun
	for i, s := range schools {
		if n := len(runs); n > 0 && runs[n-1].Code == s.CountyCode && runs[n-1].Year == s.Year {
			runs[n-1].Hi = i + 1
			continue
		}
		runs = append(runs, census.SchoolRun{Code: s.CountyCode, Year: s.Year, Lo: i, Hi: i + 1})
	}
	return runs
}

// uniqueRuns reports whether no county and year has two of runs.
func uniqueRuns(runs []census.SchoolRun) bool {
	seen := map[runKey]bool{}
	for _, r := range runs {
		if seen[runKey{r.Code, r.Year}] {
			return false
		}
		seen[runKey{r.Code, r.Year}] = true
	}
	return true
}

// checkYearSpan fails unless b's FirstYear and LastYear are the span of
// the years of its schools.
func checkYearSpan(t *testing.T, b *Batch) {
	t.Helper()
	if b == nil {
		return
	}
	first, last := 0, 0
	for i, s := range b.Schools {
		if i == 0 || s.Year < first {
			first = s.Year
		}
		last = max(last, s.Year)
	}
	if b.FirstYear != first || b.LastYear != last {
		t.Fatalf("years %d–%d, want %d–%d", b.FirstYear, b.LastYear, first, last)
	}
}

// checkRuns fails unless b's Runs are its schools' runs of one county and
// year, in order, covering all of them (not necessarily the longest).
func checkRuns(t *testing.T, b *Batch) {
	t.Helper()
	if b == nil || len(b.Schools) == 0 {
		return
	}
	at := 0
	for _, run := range b.Runs {
		if run.Lo != at || run.Hi <= run.Lo || run.Hi > len(b.Schools) {
			t.Fatalf("run %+v after %d of %d schools", run, at, len(b.Schools))
		}
		for _, s := range b.Schools[run.Lo:run.Hi] {
			if s.CountyCode != run.Code || s.Year != run.Year {
				t.Fatalf("run %+v holds %s %d", run, s.CountyCode, s.Year)
			}
		}
		at = run.Hi
	}
	if at != len(b.Schools) {
		t.Fatalf("runs cover %d of %d schools", at, len(b.Schools))
	}
}

// randomCSV writes a school file of up to rows rows that mixes what the
// reader treats specially: bad cells, duplicates, blank and example rows,
// cells beyond the header, short rows, quoted cells with line breaks and
// commas, and CRLF or CR line ends.
func randomCSV(r *rand.Rand, rows int) []byte {
	h := slices.Clone(hdr)
	if r.IntN(4) == 0 {
		h = append(h, "") // a column without a header
	}
	if r.IntN(4) == 0 {
		h = append(h, "备\n注") // an unknown column over two lines
	}
	out := [][]string{h}
	county := 0
	// Most files give each county's rows together, as a reader that hands
	// them on a county at a time needs (Options.EachRun); the others come
	// back to a county now and then.
	together := r.IntN(3) > 0
	for i := range r.IntN(rows + 1) {
		if r.IntN(10) == 0 {
			for range r.IntN(4) {
				out = append(out, make([]string, len(h))) // a run of empty rows
			}
		}
		row := slices.Clone(good)
		if r.IntN(2) == 0 {
			row = slices.Clone(good2)
		}
		row[3] = fmt.Sprintf("31340%05d", r.IntN(rows*2+1)) // duplicates now and then
		row[4] = fmt.Sprintf("学校%d", i)
		for len(row) < len(h) {
			row = append(row, "")
		}
		if r.IntN(6) == 0 {
			if together {
				county++ // the next county's schools
			} else {
				county = r.IntN(3) // the next counties' schools
			}
		}
		row[1], row[2] = fmt.Sprint(340207+county), []string{"鸠江区", "三山区", "弋江区"}[county%3]
		switch r.IntN(14) {
		case 0:
			row[8+r.IntN(len(hdr)-8)] = []string{"abc", "-3", "1,2", "12.5", "1,234", "9e999"}[r.IntN(6)]
		case 1:
			row = make([]string, len(h)) // an empty row
		case 2:
			row[4] = "【示例】" + row[4]
		case 3:
			row = append(row, "stray")
		case 4:
			row = row[:r.IntN(len(row))]
		case 5:
			row[4] = "多行\n名称,有逗号\n\"引号\""
		case 6:
			row[2] = "县\r\n区"
		case 7:
			row[0] = "20x4"
		case 8:
			row[len(hdr)-1] = "90000000000" // an implausible equipment value
		case 9:
			if len(h) > len(hdr) {
				row[len(hdr)] = "under no header"
			}
		case 10:
			row[5] = ""
		case 11:
			row[6] = "公\r办" // a bare CR in a cell, unquoted
		case 12:
			row[4] = "\"" + row[4] + "\"\r\n" // quotes and a CRLF inside a quoted cell
		case 13:
			row[0] = fmt.Sprint(2019 + r.IntN(7)) // another year
		}
		out = append(out, row)
	}
	data := csvBytes(out...)
	if r.IntN(5) == 0 {
		// Tab-separated, as Excel's "Unicode 文本".
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Comma = '\t'
		_ = w.WriteAll(out)
		data = b.Bytes()
	}
	switch r.IntN(8) {
	case 0:
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	case 1:
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r"))
	case 2:
		// Blank lines, which encoding/csv skips but Excel counts.
		data = bytes.ReplaceAll(data, []byte("\n2024"), []byte("\n\n2024"))
	case 3:
		data = append([]byte("\n\n"), data...)
	case 4:
		data = bytes.TrimSuffix(data, []byte("\n"))
	case 5:
		data = append(data, '\r') // a CR before the end, which encoding/csv drops
	case 6:
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\r\n"))
	}
	return data
}

// TestReadCSVParallel proves the parallel read equal to the serial one,
// errors and notes included, on random files cut into chunks of every
// size down to a byte.
func TestReadCSVParallel(t *testing.T) {
	eachRunReads.Store(0)
	eachRunHanded.Store(0)
	r := rand.New(rand.NewPCG(1, 2))
	split := 0
	for i := range 400 {
		rows := []int{3, 20, 150}[i%3]
		data := randomCSV(r, rows)
		opt := Options{}
		if i%5 == 0 {
			opt = Options{EquipmentUnit: "万元", ConfirmUnits: i%10 == 0}
		}
		chunk := 1 + r.IntN(len(data)/2+1)
		if i%7 == 0 {
			chunk = 1
		}
		if readSerialAndParallel(t, data, opt, chunk) > 1 {
			split++
		}
		switch i % 11 {
		case 3: // the parallel read starts after decoding
			gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(data)
			if err != nil {
				t.Fatal(err)
			}
			readSerialAndParallel(t, gb, opt, chunk)
		case 4:
			u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(data)
			if err != nil {
				t.Fatal(err)
			}
			readSerialAndParallel(t, u16, opt, chunk)
		}
	}
	if split < 200 {
		t.Errorf("only %d of 400 files were cut into chunks", split)
	}
	if reads, handed := eachRunReads.Load(), eachRunHanded.Load(); handed == 0 || handed == reads {
		t.Errorf("records handed on a run at a time in %d of %d reads with EachRun", handed, reads)
	}
}

// TestReadEachRun reads files without a bad row, most of which give each
// county's rows together, with Options.EachRun (readEachRun): counties of
// one to a hundred schools cut by chunks anywhere, several years, skipped
// rows, quoted cells, and counties that come back. Their records are
// handed on a run at a time unless a county comes back.
func TestReadEachRun(t *testing.T) {
	eachRunReads.Store(0)
	eachRunHanded.Store(0)
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		data := cleanCSV(r, r.IntN(400), r.IntN(4) > 0)
		readSerialAndParallel(t, data, Options{}, 1+r.IntN(len(data)/3+1))
	}
	if reads, handed := eachRunReads.Load(), eachRunHanded.Load(); handed < reads/2 || handed == reads {
		t.Errorf("records handed on a run at a time in %d of %d reads", handed, reads)
	}
}

// cleanCSV writes a school file of n rows without a bad one: counties of
// one to a hundred schools, several years, skipped rows, quoted cells;
// with together set, each county's rows of a year come together, else
// counties come back.
func cleanCSV(r *rand.Rand, n int, together bool) []byte {
	rows := [][]string{hdr}
	county, year, code := 0, 2024, 0
	size := 1 + r.IntN(100)
	for range n {
		if size--; size == 0 {
			size = 1 + r.IntN(100)
			if r.IntN(8) == 0 {
				year = 2020 + r.IntN(6) // another year's counties
			}
			if together {
				county++
			} else {
				county = r.IntN(4)
			}
		}
		row := slices.Clone(good)
		if r.IntN(2) == 0 {
			row = slices.Clone(good2)
		}
		code++
		row[0], row[1], row[3] = fmt.Sprint(year), fmt.Sprintf("34%02d%02d", 1+county/99, 1+county%99), fmt.Sprintf("31340%05d", code)
		row[2] = fmt.Sprintf("县%d", county)
		switch r.IntN(30) {
		case 0:
			row[4] = "【示例】" + row[4] // skipped
		case 1:
			row = make([]string, len(row)) // skipped
		case 2:
			row[4] = "名称,有逗号\n两行" // quoted
		case 3:
			row[2] = " " + row[2] + " " // trimmed
		}
		rows = append(rows, row)
	}
	data := csvBytes(rows...)
	if r.IntN(4) == 0 {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	return data
}

// TestReadCSVParallelCaps checks MaxErrors, MaxNotes and duplicates across
// chunks on a file with more of each than the caps allow.
func TestReadCSVParallelCaps(t *testing.T) {
	rows := [][]string{append(slices.Clone(hdr), "")}
	for i := range 6 * MaxNotes {
		row := append(slices.Clone(good), "x") // each warned once per file
		row[3] = fmt.Sprintf("31340%05d", i)
		row[len(hdr)-1] = "90000000000"
		if i%2 == 0 {
			row[4] = "【示例】" + row[4]
		}
		rows = append(rows, row)
	}
	warned := csvBytes(rows...)
	rows = rows[:1]
	for i := range 3 * MaxErrors {
		row := append(slices.Clone(good), "")
		row[3] = fmt.Sprintf("31340%05d", i%7) // duplicates of rows in earlier chunks
		row[8], row[9] = "abc", "-1"

		rows = append(rows, row)
	}
	bad := csvBytes(rows...)
	for _, chunk := range []int{1, 100, 1000, 10000, len(bad) / 2} {
		readSerialAndParallel(t, bad, Options{}, chunk)
	}
	for _, chunk := range []int{1, 1000, 100000, len(warned) / 2} {
		readSerialAndParallel(t, warned, Options{EquipmentUnit: "万元", ConfirmUnits: true}, chunk)
	}
}

// TestReadCSVSortedDuplicates checks the duplicates of files sorted by
// school code, whose keys findDuplicates passes over without its maps
// while they increase: none in a sorted file, and each repeat found when
// a row repeats the one before it, repeats an earlier one out of order,
// or repeats a school of another year in the same order, in every chunk
// size and against the serial read.
func TestReadCSVSortedDuplicates(t *testing.T) {
	const n = 120
	file := func(code func(i int) string, year func(i int) string) []byte {
		rows := [][]string{slices.Clone(hdr)}
		for i := range n {
			row := slices.Clone(good)
			row[0], row[3], row[4] = year(i), code(i), fmt.Sprintf("学校%d", i)
			rows = append(rows, row)
		}
		return csvBytes(rows...)
	}
	seq := func(i int) string { return fmt.Sprintf("31340%05d", 2*i) }
	y2024 := func(int) string { return "2024" }
	cases := []struct {
		name string
		data []byte
		want []string // the repeats, as their messages name them
	}{
		{"sorted", file(seq, y2024), nil},
		{"two years, each sorted", file(func(i int) string { return seq(i % (n / 2)) },
			func(i int) string { return []string{"2023", "2024"}[i/(n/2)] }), nil},
		{"a row repeats the one before", file(func(i int) string { return seq(min(i, 70)) }, y2024),
			func() (w []string) {
				for i := 71; i < n; i++ {
					w = append(w, fmt.Sprintf("第%d行", i+2))
				}
				return w
			}()},
		{"the last row repeats the first", file(func(i int) string {
			if i == n-1 {
				return seq(0)
			}
			return seq(i)
		}, y2024), []string{fmt.Sprintf("第%d行", n+1), "与第2行重复"}},
		{"a row out of order, no repeat", file(func(i int) string {
			if i == 50 {
				return seq(n + 7)
			}
			return seq(i)
		}, y2024), nil},
		{"the same school in two years out of order", file(func(i int) string {
			if i == n-1 {
				return seq(0)
			}
			return seq(i)
		}, func(i int) string {
			if i == n-1 {
				return "2023"
			}
			return "2024"
		}), nil},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 300, 2000, len(c.data) / 3, len(c.data)} {
			readSerialAndParallel(t, c.data, Options{}, chunk)
		}
		_, err := Read("p.csv", bytes.NewReader(c.data), Options{})
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want the repeats %v", c.name, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error does not say %q:\n%v", c.name, w, err)
			}
		}
	}
}

// TestSplitPlain: a text without a quote is cut, on every core, into
// chunks that follow each other from the header's end to the end, each
// after a line break and of its line breaks, as splitCSV cuts it; one with
// a quote anywhere is left to splitCSV.
func TestSplitPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		var b strings.Builder
		for range r.IntN(200) {
			b.WriteString(strings.Repeat("x,", r.IntN(5)))
			b.WriteString([]string{"\n", "\r\n", "\n\n"}[r.IntN(3)])
		}
		if r.IntN(2) == 0 {
			b.WriteString("y")
		}
		text := []byte(b.String())
		from := 0
		if len(text) > 0 {
			from = r.IntN(len(text))
			if k := bytes.IndexByte(text[from:], '\n'); k >= 0 {
				from += k + 1
			} else {
				from = len(text)
			}
		}
		size := 1 + r.IntN(len(text)+1)
		got, ok := splitPlain(text, from, size)
		if !ok {
			t.Fatalf("%q: not cut", text)
		}
		at, line := from, bytes.Count(text[:from], []byte("\n"))
		for k, c := range got {
			if c.start != at || c.end < c.start || (k > 0 && text[c.start-1] != '\n') {
				t.Fatalf("%q from %d, size %d: chunk %d is %+v after %d", text, from, size, k, c, at)
			}
			room := bytes.Count(text[c.start:c.end], []byte("\n"))
			if k == len(got)-1 {
				room++
			}
			if c.room != room || c.line0 != line || c.inside != 0 {
				t.Fatalf("%q: chunk %d is %+v, want room %d from line %d", text, k, c, room, line)
			}
			at, line = c.end, line+bytes.Count(text[c.start:c.end], []byte("\n"))
		}
		if at != len(text) {
			t.Fatalf("%q: chunks end at %d of %d", text, at, len(text))
		}
		if len(text) > from {
			q := append(slices.Clone(text[:len(text)-1]), '"')
			if _, ok := splitPlain(q, from, size); ok {
				t.Fatalf("%q: cut with a quote", q)
			}
		}
	}
}

// TestSplitCSVLenient checks that a file whose quotes encoding/csv reads
// leniently is not cut, since its records cannot be found without reading
// it.
func TestSplitCSVLenient(t *testing.T) {
	for _, text := range []string{
		"a,b\nc,d\"e\nf,g\n",
		"a,b\n\"c\"d,e\nf,g\n",
		"a,b\n\"c,d\ne,f\n",
	} {
		if _, ok := splitCSV([]byte(text), 0, ',', 1); ok {
			t.Errorf("%q was cut", text)
		}
		// And the read is the same.
		readSerialAndParallel(t, []byte(strings.Join(hdr, ",")+"\n"+text), Options{}, 1)
	}
	chunks, ok := splitCSV([]byte("a,\"b\nc\"\nd,e\n\"f\"\"\",g\n"), 0, ',', 1)
	if !ok {
		t.Fatal("strict quotes not cut")
	}
	want := []csvChunk{
		{start: 0, end: 8, line0: 0, inside: 0, room: 2},
		{start: 8, end: 12, line0: 2, inside: 1, room: 1},
		{start: 12, end: 20, line0: 3, inside: 1, room: 2},
	}
	if diff := cmp.Diff(want, chunks, cmp.AllowUnexported(csvChunk{})); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
}

// TestCRLines compares crLines, which searches only the first line for a
// CR, with the rule as first written (the first CR of the whole text, and
// whether it comes before the first LF but one), on every text of up to 7
// bytes of a, CR and LF.
func TestCRLines(t *testing.T) {
	whole := func(text []byte) []byte {
		i := bytes.IndexByte(text, '\r')
		if i < 0 {
			return text
		}
		if lf := bytes.IndexByte(text, '\n'); lf >= 0 && i >= lf-1 {
			return text
		}
		return bareCRsToLF(text)
	}
	var texts func(prefix []byte, n int)
	n := 0
	texts = func(prefix []byte, left int) {
		want, got := whole(prefix), crLines(prefix)
		if !bytes.Equal(want, got) || (&want[:cap(want)][0] == &prefix[:cap(prefix)][0]) != (&got[:cap(got)][0] == &prefix[:cap(prefix)][0]) {
			t.Fatalf("%q: crLines %q, want %q", prefix, got, want)
		}
		n++
		if left == 0 {
			return
		}
		for _, c := range []byte("a\r\n") {
			texts(append(slices.Clip(prefix), c), left-1)
		}
	}
	texts(make([]byte, 0, 1), 7)
	if n < 3000 {
		t.Fatalf("%d texts", n)
	}
}
