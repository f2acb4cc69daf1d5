package export

import (
	"bytes"
	"encoding/csv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestCSVWriterIsWriteCSV: a table written county by county (what
// dudao evaluate --format csv does) is byte for byte the one WriteCSV writes
// of the whole result, for every table; and the indicators and parts tables
// of a resource-only evaluation are those of the whole one.
func TestCSVWriterIsWriteCSV(t *testing.T) {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	schools := demo.Nation(7, 30, 2000)
	in := eval.Inputs{Schools: schools}
	year := schools[0].Year
	whole := eval.EvaluateWhole(r, year, in)
	for _, key := range Tables {
		t.Run(key, func(t *testing.T) {
			tab, err := Build(whole, key)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := WriteCSV(&want, tab); err != nil {
				t.Fatal(err)
			}
			eachs := map[string]func(*standards.Rules, int, eval.Inputs, func(*eval.County) error) (*eval.Result, error){"EvaluateWholeEach": eval.EvaluateWholeEach}
			if !ReadsVerdicts(key) {
				eachs = map[string]func(*standards.Rules, int, eval.Inputs, func(*eval.County) error) (*eval.Result, error){
					"EvaluateResourceEach": eval.EvaluateResourceEach, "EvaluateResourceStream": eval.EvaluateResourceStream}
			}
			for name, each := range eachs {
				if got := streamCSV(t, r, year, in, key, each); !bytes.Equal(got, want.Bytes()) {
					t.Errorf("%s: streamed %s table differs from WriteCSV's (%d vs %d bytes)", name, key, len(got), want.Len())
				}
			}
			if !ReadsVerdicts(key) {
				if got := countyRowsCSV(t, r, year, schools, key); !bytes.Equal(got, want.Bytes()) {
					t.Errorf("CountyStream and CSVRows: %s table differs from WriteCSV's (%d vs %d bytes)", key, len(got), want.Len())
				}
			}
			if len(tab.Rows) == 0 && key != "kindergartens" {
				t.Errorf("no %s rows: the test proves nothing", key)
			}
		})
	}
}

// streamCSV writes the table key of year's evaluation as each hands the
// counties on, and returns the file.
func streamCSV(t *testing.T, r *standards.Rules, year int, in eval.Inputs, key string, each func(*standards.Rules, int, eval.Inputs, func(*eval.County) error) (*eval.Result, error)) []byte {
	t.Helper()
	var got bytes.Buffer
	cw, err := NewCSVWriter(&got, eval.NewWhole(r, year), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := each(r, year, in, cw.County); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	return got.Bytes()
}

// countyRowsCSV makes the rows of the table key of each county of
// schools (of year) apart, in the reverse order of the file, with a
// CountyStream and CSVRows, as dudao evaluate does while it reads a file
// (censusio.Options.EachRun), and writes them in the order of the codes
// with CSVWriter.Rows.
func countyRowsCSV(t *testing.T, r *standards.Rules, year int, schools []census.School, key string) []byte {
	t.Helper()
	cs := eval.NewCountyStream(r, ReadsShortfalls(key))
	rows, err := NewCSVRows(eval.NewWhole(r, 0), key)
	if err != nil {
		t.Fatal(err)
	}
	made := map[string][]byte{}
	for hi := len(schools); hi > 0; {
		lo := hi - 1
		for lo > 0 && schools[lo-1].CountyCode == schools[hi-1].CountyCode {
			lo--
		}
		county := slices.Clone(schools[lo:hi])
		if err := cs.County(county, func(c *eval.County) error {
			b, err := rows.County(c)
			made[c.Code] = b
			return err
		}); err != nil {
			t.Fatal(err)
		}
		clear(county) // nothing made may keep them
		hi = lo
	}
	var got bytes.Buffer
	cw, err := NewCSVWriter(&got, eval.NewWhole(r, year), key)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range slices.Sorted(maps.Keys(made)) {
		if err := cw.Rows(made[code]); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	return got.Bytes()
}

// TestStreamReusesPartsCleanly: EvaluateResourceStream lends each county
// the parts memory of counties written before it. On a nation large enough
// to be evaluated on every core, with counties of very different sizes (a
// county's slab is reused by smaller and outgrown by larger ones) and with
// excluded parts, its indicators and parts tables are those of
// EvaluateResourceEach, which allocates afresh: nothing of an earlier
// county shows through.
func TestStreamReusesPartsCleanly(t *testing.T) {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	schools := demo.Uneven(demo.Nation(11, 400, 30000))
	in := eval.Inputs{Schools: schools}
	year := schools[0].Year
	for _, key := range []string{"indicators", "parts"} {
		want := streamCSV(t, r, year, in, key, eval.EvaluateResourceEach)
		got := streamCSV(t, r, year, in, key, eval.EvaluateResourceStream)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: EvaluateResourceStream's table differs from EvaluateResourceEach's (%d vs %d bytes)", key, len(got), len(want))
		}
		if !bytes.Contains(want, []byte("不纳入")) && key == "parts" {
			t.Error("no excluded part: the test proves less than it says")
		}
	}
}

// TestTableCSVIsEncodingCSV: the table writer writes cells as encoding/csv
// does, quotes, line breaks, leading spaces and formulas included.
func TestTableCSVIsEncodingCSV(t *testing.T) {
	cells := []any{"", "a", "a,b", `a"b`, "a\nb", "a\r\nb", " a", "\u3000a", "\ta", `\.`, "=1+1", "-3", "'=x",
		1.5, -0.25, math.NaN(), math.Inf(1), 3, true, false, "学校", "学校,二", int64(7)}
	r := rand.New(rand.NewPCG(5, 6))
	var rows [][]any
	for range 200 {
		row := make([]any, 1+r.IntN(6))
		for i := range row {
			row[i] = cells[r.IntN(len(cells))]
		}
		rows = append(rows, row)
	}
	var want bytes.Buffer
	want.WriteString("\uFEFF")
	cw := csv.NewWriter(&want)
	header := []string{"a", "=b", "c d"}
	hrec := make([]string, len(header))
	for i, h := range header {
		hrec[i] = censusio.SafeCSVCell(h)
	}
	_ = cw.Write(hrec)
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = CellText(v)
			if _, text := v.(string); text {
				rec[i] = censusio.SafeCSVCell(rec[i])
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	var got bytes.Buffer
	tw, err := newTableCSV(&got, header)
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.rows(rows); err != nil {
		t.Fatal(err)
	}
	if err := tw.close(); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("differs from encoding/csv:\n%q\n%q", got.String(), want.String())
	}
	// And cell by cell, as the indicators table is written.
	var sunk bytes.Buffer
	tw, err = newTableCSV(&sunk, header)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, v := range row {
			switch x := v.(type) {
			case string:
				tw.text(x)
			case float64:
				tw.num(x)
			case int:
				tw.count(x)
			case bool:
				tw.flag(x)
			default:
				tw.text(CellText(x)) // never a formula here
			}
		}
		tw.end()
	}
	if err := tw.close(); err != nil || tw.err != nil {
		t.Fatal(err, tw.err)
	}
	if sunk.String() != want.String() {
		t.Errorf("cell by cell differs from encoding/csv:\n%q\n%q", sunk.String(), want.String())
	}
}

// TestRowBlocks: the rows of each county, written in pieces of any size
// (some larger than a block, some crossing from one block into the next),
// are taken whole, and stay as they were while later counties are
// written.
func TestRowBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var b rowBlocks
	var want, got [][]byte
	for county := range 2000 {
		var rows []byte
		for range r.IntN(5) {
			p := bytes.Repeat([]byte{byte(county)}, []int{1, 100, 3000, rowBlock - 1, 3 * rowBlock}[r.IntN(5)])
			p[0] = byte(r.IntN(256))
			rows = append(rows, p...)
			if n, err := b.Write(p); n != len(p) || err != nil {
				t.Fatalf("wrote %d of %d: %v", n, len(p), err)
			}
		}
		want = append(want, rows)
		got = append(got, b.take())
	}
	joins := 0
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("county %d: %d bytes taken, want %d", i, len(got[i]), len(want[i]))
		}
		if i == 0 {
			continue
		}
		// Taken one after the other from one block: one slice.
		joined, ok := AdjacentRows(got[i-1], got[i])
		sameBlock := len(got[i-1]) > 0 && len(got[i]) > 0 && cap(got[i-1]) == len(got[i-1])+cap(got[i])
		if ok != sameBlock {
			t.Fatalf("counties %d and %d: adjacent %v, in one block %v", i-1, i, ok, sameBlock)
		}
		if ok {
			joins++
			if !bytes.Equal(joined, append(slices.Clone(want[i-1]), want[i]...)) {
				t.Fatalf("counties %d and %d joined: %d bytes", i-1, i, len(joined))
			}
		}
	}
	if joins < 100 {
		t.Errorf("%d counties' rows joined to the ones before", joins)
	}
}
