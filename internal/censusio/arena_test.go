package censusio

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestArena proves a read into an arena equal to one onto the heap, read
// row by row or in parallel, and its records intact across collections
// until Free.
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
	size, least := csvChunkSize, csvParallelMin
	defer func() { csvChunkSize, csvParallelMin = size, least }()
	r := rand.New(rand.NewPCG(7, 8))
	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty()}
	for i := range 200 {
		data := randomCSV(r, []int{3, 20, 150}[i%3])
		if i%4 == 0 {
			data = csvBytes(hdr, good, good2)
		}
		csvChunkSize, csvParallelMin = 1+r.IntN(len(data)/2+1), []int{0, 1 << 62}[i%2]
		kind := []string{"", "kindergarten"}[min(i%7, 1)]
		if kind != "" {
			data = csvBytes(kgHdr, kgRow, kgRow2)
		}
		wantB, wantErr := Read("a.csv", bytes.NewReader(data), Options{Kind: kind})
		a := NewArena()
		gotB, gotErr := Read("a.csv", bytes.NewReader(data), Options{Kind: kind, Arena: a})
		runtime.GC()
		runtime.GC()
		if diff := cmp.Diff(wantB, gotB, opts); diff != "" {
			t.Fatalf("batch differs (-heap +arena):\n%s\nfile:\n%q", diff, data)
		}
		if diff := cmp.Diff(wantErr, gotErr, opts); diff != "" {
			t.Fatalf("errors differ (-heap +arena):\n%s\nfile:\n%q", diff, data)
		}
		a.Free()
		// The errors and notes outlive the arena.
		if gotErr != nil {
			_ = gotErr.Error()
		}
		if gotB != nil {
			for _, n := range append(gotB.Warnings, gotB.Skipped...) {
				_ = n.String()
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
