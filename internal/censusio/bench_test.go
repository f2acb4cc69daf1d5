package censusio

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
)

const benchRows = 100_000

// benchRecord returns the i-th generated row under the template's header:
// a valid, plausible school with every column filled.
func benchRecord(i int) []any {
	types := []string{"小学", "初中", "九年一贯制学校"}
	text := map[string]any{
		"year": 2024, "county_code": fmt.Sprintf("34%04d", i/500), "county_name": fmt.Sprintf("县区%d", i/500),
		"school_code": fmt.Sprintf("3%09d", i), "school_name": fmt.Sprintf("第%d学校", i), "school_type": types[i%3],
		"ownership": "公办", "location": "乡村", "sponsor": "县级教育部门",
	}
	var rec []any
	for _, c := range census.TextColumns {
		rec = append(rec, text[c.Key])
	}
	for f := census.Field(0); f < census.NumFields; f++ {
		v := 20 + float64(i%50)
		switch {
		case f == census.EquipmentValue:
			v = 3_000_000 + float64(i%1000)
		case census.Columns[f].Unit == "元":
			v = 1_000_000
		case census.Columns[f].Unit == "㎡" && f == census.TeachingArea || f == census.SportsArea:
			v = 9000.5
		case census.Columns[f].Unit == "㎡":
			v = 2000.25
		case f == census.StudentsPrimary || f == census.StudentsJunior:
			v = 600 + float64(i%400)
		case f == census.MultimediaRoomsPrimary || f == census.MultimediaRoomsJunior:
			v = 30
		case f == census.Computers || f == census.Books:
			v = 200
		case f == census.TeachersPrimary || f == census.TeachersJunior || f == census.ClassesPrimary || f == census.ClassesJunior || f == census.MultimediaRooms:
			v = 80
		}
		rec = append(rec, v)
	}
	return rec
}

func benchHeader() []string {
	var h []string
	for _, c := range templateColumns() {
		h = append(h, c.header)
	}
	return h
}

func writeBenchCSV(b *testing.B) string { return writeBenchCSVRows(b, benchRows) }

// writeBenchCSVRows writes a header and n rows of benchRecord to a CSV file.
func writeBenchCSVRows(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "rows.csv")
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(fh)
	w := csv.NewWriter(bw)
	_ = w.Write(benchHeader())
	row := make([]string, 0, 64)
	for i := range n {
		row = row[:0]
		for _, v := range benchRecord(i) {
			switch v := v.(type) {
			case nil:
				row = append(row, "")
			case string:
				row = append(row, v)
			case int:
				row = append(row, strconv.Itoa(v))
			case float64:
				row = append(row, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func writeBenchXLSX(b *testing.B) string { return writeBenchXLSXRows(b, benchRows) }

// writeBenchXLSXRows writes a header and n rows of benchRecord to the
// first sheet of a workbook, with excelize's stream writer.
func writeBenchXLSXRows(b *testing.B, n int) string {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	var hdr []any
	for _, h := range benchHeader() {
		hdr = append(hdr, h)
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "rows.xlsx")
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return path
}

// peakHeap samples the live heap every few milliseconds while fn runs and
// returns the largest value seen, so that a read which streams can be told
// from one that holds the whole sheet.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	read()
	return peak
}

// benchRead reads the file at path b.N times, checking that it yields
// want schools and no warning, and reports the peak heap and file size.
func benchRead(b *testing.B, path string, want int) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var peak uint64
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			bt, err := ReadFile(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(bt.Schools) != want || len(bt.Warnings) != 0 {
				first := ""
				if len(bt.Warnings) > 0 {
					first = bt.Warnings[0].String()
				}
				b.Fatalf("%d schools, %d warnings (first %s)", len(bt.Schools), len(bt.Warnings), first)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
}

func BenchmarkReadCSV100k(b *testing.B) {
	benchRead(b, writeBenchCSV(b), benchRows)
}

func BenchmarkReadXLSX100k(b *testing.B) {
	benchRead(b, writeBenchXLSX(b), benchRows)
}

// BenchmarkReadScaling reads CSV and workbook files of 10 000 to 210 000
// rows (about the nation's schools), to show that the time and memory of
// a read grow linearly with its rows: ns/row should stay flat.
func BenchmarkReadScaling(b *testing.B) {
	for _, format := range []struct {
		name  string
		write func(*testing.B, int) string
	}{{"csv", writeBenchCSVRows}, {"xlsx", writeBenchXLSXRows}} {
		for _, n := range []int{10_000, 50_000, 100_000, 210_000} {
			b.Run(fmt.Sprintf("%s-%dk", format.name, n/1000), func(b *testing.B) {
				benchRead(b, format.write(b, n), n)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			})
		}
	}
}

// BenchmarkScanSheet100k times checkSheet (truncation and formula cells),
// the second pass over the sheet that a read made while excelize read the
// rows, before sheetRows found both in its one pass; it stays for
// comparison with BenchmarkReadXLSX100k.
func BenchmarkScanSheet100k(b *testing.B) {
	data, err := os.ReadFile(writeBenchXLSX(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		chk, ok := checkSheet(data, "Sheet1")
		if !ok || !chk.complete || chk.lastRow != benchRows+1 || len(chk.formulas) != 0 {
			b.Fatalf("%+v %v", chk, ok)
		}
	}
}

// nationRecords is about China's size: 2 900 counties, 206 947 schools.
const nationCounties, nationRecords = 2900, 206_947

var nationCSV struct {
	once sync.Once
	path string
	err  error
}

// writeNationCSV writes demo.Nation to a CSV file once per test binary, so
// that the benchmark needs no file outside the repository.
func writeNationCSV(b *testing.B) string {
	b.Helper()
	nationCSV.once.Do(func() {
		dir, err := os.MkdirTemp("", "dudao-nation")
		if err != nil {
			nationCSV.err = err
			return
		}
		path := filepath.Join(dir, "nation.csv")
		fh, err := os.Create(path)
		if err != nil {
			nationCSV.err = err
			return
		}
		bw := bufio.NewWriter(fh)
		if err := WriteSchoolsCSV(bw, demo.Nation(1, nationCounties, nationRecords)); err != nil {
			nationCSV.err = err
		} else if err := bw.Flush(); err != nil {
			nationCSV.err = err
		}
		if err := fh.Close(); err != nil && nationCSV.err == nil {
			nationCSV.err = err
		}
		nationCSV.path = path
	})
	if nationCSV.err != nil {
		b.Fatal(nationCSV.err)
	}
	return nationCSV.path
}

// BenchmarkReadNationCSV reads a whole nation's schools from one CSV file
// (about 25 MB). The file is left in the system's temporary directory.
func BenchmarkReadNationCSV(b *testing.B) {
	benchRead(b, writeNationCSV(b), nationRecords)
}

// BenchmarkReadNationCSVEvaluate reads the nation as dudao evaluate does:
// into an Arena, without the hash, with the collector off.
//
//	go test ./internal/censusio -run '^$' -bench ReadNationCSVEvaluate -benchtime 5x
func BenchmarkReadNationCSVEvaluate(b *testing.B) {
	path := writeNationCSV(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for b.Loop() {
		a := NewArena()
		bt, err := ReadFile(path, Options{Arena: a, NoHash: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(bt.Schools) != nationRecords {
			b.Fatalf("%d schools", len(bt.Schools))
		}
		a.Free()
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
	}
}

// BenchmarkReadNationCSVEach reads the nation with ReadFileEach, whose
// memory is bounded by a chunk of records.
func BenchmarkReadNationCSVEach(b *testing.B) {
	path := writeNationCSV(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			n := 0
			if _, err := ReadFileEach(path, Options{}, func(c []census.School) error { n += len(c); return nil }); err != nil {
				b.Fatal(err)
			}
			if n != nationRecords {
				b.Fatalf("%d schools", n)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
