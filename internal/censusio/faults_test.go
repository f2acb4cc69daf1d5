package censusio

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/hugepages"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestArenaMapsFile: a file read into an arena is mapped, not read, and
// the read is the one of the same bytes onto the heap — row by row or in
// parallel, good or bad, a school or a kindergarten file, with a BOM or
// CRLF lines — and its errors and notes outlive the mapping.
func TestArenaMapsFile(t *testing.T) {
	size, least, low := csvChunkSize, csvParallelMin, mapMin
	defer func() { csvChunkSize, csvParallelMin, mapMin = size, least, low }()
	mapMin = 1
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 10))
	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty()}
	for i := range 200 {
		data := randomCSV(r, []int{3, 20, 150}[i%3])
		switch i % 5 {
		case 0:
			data = csvBytes(hdr, good, good2)
		case 1:
			data = append(append([]byte{}, utf8BOM...), data...)
		case 2:
			data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		}
		csvChunkSize, csvParallelMin = 1+r.IntN(len(data)/2+1), []int{0, 1 << 62}[i%2]
		kind := []string{"", "kindergarten"}[min(i%7, 1)]
		if kind != "" {
			data = csvBytes(kgHdr, kgRow, kgRow2)
		}
		path := filepath.Join(dir, "a.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		wantB, wantErr := Read("a.csv", bytes.NewReader(data), Options{Kind: kind})
		a := NewArena()
		before := filesMapped.Load()
		// Unmapped when it returns: a record, error or note that kept a
		// part of the file would fault in the comparison below.
		gotB, gotErr := ReadFile(path, Options{Kind: kind, Arena: a})
		if n := filesMapped.Load() - before; n != 1 {
			t.Fatalf("file %d: %d files mapped, want 1", i, n)
		}
		runtime.GC()
		if diff := cmp.Diff(wantB, gotB, opts); diff != "" {
			t.Fatalf("batch differs (-read +mapped):\n%s\nfile:\n%q", diff, data)
		}
		if diff := cmp.Diff(wantErr, gotErr, opts); diff != "" {
			t.Fatalf("errors differ (-read +mapped):\n%s\nfile:\n%q", diff, data)
		}
		a.Free()
		if gotErr != nil {
			_ = strings.Clone(gotErr.Error())
		}
		if gotB != nil {
			for _, n := range append(gotB.Warnings, gotB.Skipped...) {
				_ = strings.Clone(n.String())
			}
		}
	}
	// A workbook, and a small file, are read as before.
	for _, c := range []struct {
		data []byte
		min  int64
	}{{xlsxBytes(t, "", hdr, good, good2), 1}, {csvBytes(hdr, good, good2), 1 << 20}} {
		mapMin = c.min
		path := filepath.Join(dir, "b.xlsx")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		a := NewArena()
		before := filesMapped.Load()
		if _, err := ReadFile(path, Options{Arena: a}); err != nil {
			t.Fatal(err)
		}
		if n := filesMapped.Load() - before; n != 0 {
			t.Fatalf("%d files mapped, want none", n)
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
	size, least, low := csvChunkSize, csvParallelMin, mapMin
	defer func() { csvChunkSize, csvParallelMin, mapMin, cutAt = size, least, low, nil }()
	mapMin = 1
	r := rand.New(rand.NewPCG(11, 12))
	data := randomCSV(r, 3000)
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
					if err := os.WriteFile(path, data, 0o644); err != nil {
						t.Fatal(err)
					}
					csvChunkSize, csvParallelMin = 64<<10, 1<<62
					if parallel {
						csvParallelMin = 0
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
					_, err := ReadFile(path, Options{Arena: a, NoHash: noHash})
					a.Free()
					if !cut {
						t.Fatalf("%s: never cut", at)
					}
					if err == nil || !strings.Contains(err.Error(), "a.csv：读取失败：文件在读取时被改短了") {
						t.Fatalf("cut at %s to %d bytes (parallel %v, no hash %v): %v", at, keep, parallel, noHash, err)
					}
				}
			}
		}
	}
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
