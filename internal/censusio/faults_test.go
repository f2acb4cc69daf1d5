package censusio

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// mappable reports whether files can be mapped here (not on Windows).
func mappable(t *testing.T) bool {
	path := filepath.Join(t.TempDir(), "m")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := hugepages.MapFile(f, 1)
	hugepages.UnmapFile(b)
	return b != nil
}

// TestArenaMapsOnlyLargeText: a file read into an arena is mapped only
// when it is text of mapMin bytes or more (TestArena reads mapped ones):
// a workbook, and a small file, are read into memory as before.
func TestArenaMapsOnlyLargeText(t *testing.T) {
	low := mapMin
	defer func() { mapMin = low }()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
		min  int64
		want int64
	}{{"b.xlsx", xlsxBytes(t, "", hdr, good, good2), 1, 0}, {"b.csv", csvBytes(hdr, good, good2), 1 << 20, 0}, {"b.csv", csvBytes(hdr, good, good2), 1, 1}} {
		mapMin = c.min
		if !mappable(t) {
			c.want = 0
		}
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		a := NewArena()
		before := filesMapped.Load()
		if _, err := ReadFile(path, Options{Arena: a}); err != nil {
			t.Fatal(err)
		}
		if n := filesMapped.Load() - before; n != c.want {
			t.Fatalf("%d files mapped, want %d", n, c.want)
		}
		a.Free()
	}
}

// TestMappedFileCut: a mapped file cut short while it is read fails the
// read with an error that says so, whichever goroutine reads past its new
// end — the one that reads, the one that checks the second half of its
// text, the one that hashes it, those that read its rows in parallel —
// instead of killing the process. It is cut right after it is mapped,
// before any of it is read, and again after it is checked and split,
// just before its rows are read.
func TestMappedFileCut(t *testing.T) {
	if !mappable(t) {
		t.Skip("no file mappings here")
	}
	size, least, low := csvChunkSize, csvParallelMin, mapMin
	defer func() { csvChunkSize, csvParallelMin, mapMin, cutAt = size, least, low, nil }()
	mapMin = 1
	r := rand.New(rand.NewPCG(11, 12))
	// Lines ending in LF: a file whose lines end in a bare CR is read
	// from a copy (crLines), not from the mapping.
	data := randomCSV(r, 3000)
	data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	body := data[bytes.IndexByte(data, '\n')+1:]
	for len(data) < 5<<20 { // two halves for validUTF8
		data = append(data, body...)
	}
	path := filepath.Join(t.TempDir(), "a.csv")
	for _, at := range []string{"mapped", "chunks"} {
		for _, keep := range []int64{0, 1, 100, int64(len(data) / 2), int64(len(data) - 4096)} {
			for _, parallel := range []bool{false, true} {
				if at == "chunks" && !parallel {
					continue
				}
				for _, noHash := range []bool{false, true} {
					csvChunkSize, csvParallelMin = 64<<10, 1<<62
					if parallel {
						csvParallelMin = 0
					}
					err := readCut(t, path, data, at, keep, Options{NoHash: noHash})
					if err == nil || !strings.Contains(err.Error(), "a.csv：读取失败：文件在读取时被改短了") {
						t.Fatalf("cut at %s to %d bytes (parallel %v, no hash %v): %v", at, keep, parallel, noHash, err)
					}
				}
			}
		}
	}
}

// TestMappedFileCutEachRun: a mapped file cut short while its records are
// handed on a run at a time (Options.EachRun) fails the read in the same
// way, whether the cut is found by the goroutines that read the chunks and
// hand their runs on, or by those that hand on the runs joined across
// chunks, whose texts are still the file's.
func TestMappedFileCutEachRun(t *testing.T) {
	if !mappable(t) {
		t.Skip("no file mappings here")
	}
	size, least, low, each := csvChunkSize, csvParallelMin, mapMin, eachChunkSize
	defer func() { csvChunkSize, csvParallelMin, mapMin, eachChunkSize, cutAt = size, least, low, each, nil }()
	mapMin, csvParallelMin, eachChunkSize = 1, 0, 64<<10
	r := rand.New(rand.NewPCG(13, 14))
	data := bytes.ReplaceAll(cleanCSV(r, 40000, true), []byte("\r\n"), []byte("\n"))
	path := filepath.Join(t.TempDir(), "a.csv")
	var handed atomic.Int64
	opt := Options{NoHash: true, EachRun: func() RunFunc {
		return func(schools []census.School) any {
			n := 0
			for i := range schools {
				if s := schools[i].Name; s != "" {
					n += int(s[0]) // the file's text
				}
			}
			handed.Add(1)
			return n
		}
	}}
	// Uncut, the runs are handed on.
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	a := NewArena()
	opt.Arena = a
	b, err := ReadFile(path, opt)
	a.Free()
	opt.Arena = nil
	if err != nil || !b.Evaluated || handed.Load() < 100 {
		t.Fatalf("uncut: %v, %d runs handed on", err, handed.Load())
	}
	for _, at := range []string{"chunks", "joined"} {
		for _, keep := range []int64{0, 100, int64(len(data) / 2)} {
			if err := readCut(t, path, data, at, keep, opt); err == nil || !strings.Contains(err.Error(), "a.csv：读取失败：文件在读取时被改短了") {
				t.Fatalf("cut at %s to %d bytes: %v", at, keep, err)
			}
		}
	}
}

// readCut writes data to path and reads it into an arena with opt, the
// file cut to keep bytes when the read reaches at (cutAt), and returns the
// read's error.
func readCut(t *testing.T, path string, data []byte, at string, keep int64, opt Options) error {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cut := false
	cutAt = func(now string) {
		if now != at {
			return
		}
		cut = true
		if err := os.Truncate(path, keep); err != nil {
			t.Fatal(err)
		}
	}
	a := NewArena()
	defer a.Free()
	opt.Arena = a
	_, err := ReadFile(path, opt)
	if !cut {
		t.Fatalf("%s: never cut", at)
	}
	return err
}

// TestFaultsLetOthersGo: catch recovers a fault on the mapping only; any
// other panic goes on as it was.
func TestFaultsLetOthersGo(t *testing.T) {
	g := newFaults(make([]byte, 16))
	defer func() {
		if e := recover(); e != "boom" {
			t.Fatalf("recovered %v, want boom", e)
		}
		if g.cut() {
			t.Fatal("a panic that is no fault marked the file cut")
		}
	}()
	func() {
		defer g.catch()
		panic("boom")
	}()
}

// TestValidUTF8Cut: the goroutine that checks the second half of a mapped
// text marks a fault past the file's new end, and answers.
func TestValidUTF8Cut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(path, bytes.Repeat([]byte("学校,1\n"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := hugepages.MapFile(f, 9<<20)
	if data == nil {
		t.Skip("no mappings here")
	}
	defer hugepages.UnmapFile(data)
	if err := os.Truncate(path, 7<<20); err != nil { // in the second half only
		t.Fatal(err)
	}
	g := newFaults(data)
	valid := true
	func() {
		defer debug.SetPanicOnFault(g.watch())
		defer g.catch()
		valid = validUTF8(data, g)
	}()
	if valid || !g.cut() {
		t.Fatalf("valid %v, cut %v: want false, true", valid, g.cut())
	}
}
