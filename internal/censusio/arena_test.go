package censusio

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestArena proves a read into an arena equal to one onto the heap, read
// row by row or in parallel, from memory or from a file mapped for the
// read, good or bad, a school or a kindergarten file, with a BOM or CRLF
// lines; its records intact across collections until Free, and its
// errors and notes after.
func TestArena(t *testing.T) {
	// A workbook's records too.
	for _, wb := range [][]byte{xlsxBytes(t, "", hdr, good, good2), xlsxBytes(t, "", hdr, good, good)} {
		want, wantErr := Read("a.xlsx", bytes.NewReader(wb), Options{})
		a := NewArena()
		got, gotErr := Read("a.xlsx", bytes.NewReader(wb), Options{Arena: a})
		runtime.GC()
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{})); diff != "" {
			t.Fatalf("workbook: batch differs (-heap +arena):\n%s", diff)
		}
		if diff := cmp.Diff(wantErr, gotErr, cmp.AllowUnexported(Error{})); diff != "" {
			t.Fatalf("workbook: errors differ (-heap +arena):\n%s", diff)
		}
		a.Free()
		if gotErr != nil {
			_ = gotErr.Error()
		}
	}
	size, least, low := csvChunkSize, csvParallelMin, mapMin
	defer func() { csvChunkSize, csvParallelMin, mapMin = size, least, low }()
	mapMin = 1
	dir := t.TempDir()
	var mapsFiles int64
	if mappable(t) {
		mapsFiles = 1
	}
	r := rand.New(rand.NewPCG(7, 8))
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
		// Read into an arena from memory, and from the file, which is
		// mapped (mapMin) and unmapped when ReadFile returns: a record,
		// error or note that kept a part of it would fault in the
		// comparison below.
		for _, from := range []string{"memory", "file"} {
			a := NewArena()
			var gotB *Batch
			var gotErr error
			if from == "memory" {
				gotB, gotErr = Read("a.csv", bytes.NewReader(data), Options{Kind: kind, Arena: a})
			} else {
				before := filesMapped.Load()
				gotB, gotErr = ReadFile(path, Options{Kind: kind, Arena: a})
				unmapping.Wait()
				if n := filesMapped.Load() - before; n != mapsFiles {
					t.Fatalf("file %d: %d files mapped, want %d", i, n, mapsFiles)
				}
			}
			runtime.GC()
			runtime.GC()
			if diff := cmp.Diff(wantB, gotB, opts); diff != "" {
				t.Fatalf("%s: batch differs (-heap +arena):\n%s\nfile:\n%q", from, diff, data)
			}
			if diff := cmp.Diff(wantErr, gotErr, opts); diff != "" {
				t.Fatalf("%s: errors differ (-heap +arena):\n%s\nfile:\n%q", from, diff, data)
			}
			a.Free()
			// The errors and notes outlive the arena.
			if gotErr != nil {
				_ = strings.Clone(gotErr.Error())
			}
			if gotB != nil {
				for _, n := range append(gotB.Warnings, gotB.Skipped...) {
					_ = strings.Clone(n.String())
				}
			}
		}
	}
}

// TestNoHash: Options.NoHash leaves the hash out and nothing else.
func TestNoHash(t *testing.T) {
	data := csvBytes(hdr, good, good2)
	want, err := Read("a.csv", bytes.NewReader(data), Options{})
	if err != nil || want.SHA256 == "" {
		t.Fatalf("%v, hash %q", err, want.SHA256)
	}
	got, err := Read("a.csv", bytes.NewReader(data), Options{NoHash: true})
	if err != nil || got.SHA256 != "" {
		t.Fatalf("%v, hash %q", err, got.SHA256)
	}
	got.SHA256 = want.SHA256
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Error(diff)
	}
}
