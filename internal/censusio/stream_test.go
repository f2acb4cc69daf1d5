package censusio

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-edu/dudao/internal/census"
)

// readFileAndEach reads the file named name holding data with ReadFile and
// with ReadFileEach, and fails unless the records ReadFileEach hands on,
// put back into its batch, make ReadFile's batch, or the two return the
// same errors. It returns how many chunks ReadFileEach handed on.
func readFileAndEach(t *testing.T, dir, name string, data []byte, opt Options) int {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantB, wantErr := ReadFile(path, opt)
	var got []census.School
	chunks := 0
	gotB, gotErr := ReadFileEach(path, opt, func(c []census.School) error {
		if len(c) == 0 || len(c) > eachChunk {
			t.Fatalf("chunk of %d records", len(c))
		}
		chunks++
		got = append(got, c...)
		return nil
	})
	if gotB != nil {
		if gotB.Schools != nil {
			t.Fatal("ReadFileEach returned a batch with schools")
		}
		gotB.Schools = got
	}
	// ReadFileEach hands the schools on, and so has no runs of them.
	checkRuns(t, wantB)
	opts := cmp.Options{cmpopts.EquateNaNs(), cmp.AllowUnexported(Error{}), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Batch{}, "Runs")}
	if diff := cmp.Diff(wantB, gotB, opts); diff != "" {
		t.Fatalf("%s: batch differs (-ReadFile +ReadFileEach):\n%s\nfile:\n%q", name, diff, data)
	}
	if diff := cmp.Diff(wantErr, gotErr, opts); diff != "" {
		t.Fatalf("%s: errors differ (-ReadFile +ReadFileEach):\n%s\nfile:\n%q", name, diff, data)
	}
	checkYearSpan(t, gotB)
	return chunks
}

// TestReadFileEach proves ReadFileEach equal to ReadFile on random files,
// read from the disk in blocks or held, errors and notes included, with
// chunks of a few records.
func TestReadFileEach(t *testing.T) {
	least, chunk := streamMin, eachChunk
	defer func() { streamMin, eachChunk = least, chunk }()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	several := 0
	for i := range 300 {
		streamMin = []int64{0, 1 << 62}[i%2]
		eachChunk = 1 + r.IntN(7)
		data := randomCSV(r, []int{3, 20, 150}[i%3])
		opt := Options{}
		if i%5 == 0 {
			opt = Options{EquipmentUnit: "万元", ConfirmUnits: i%10 == 0}
		}
		if readFileAndEach(t, dir, "f.csv", data, opt) > 1 {
			several++
		}
		switch i % 13 {
		case 1:
			readFileAndEach(t, dir, "bom.csv", append(slices.Clone(utf8BOM), data...), opt)
		case 2:
			gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(data)
			if err != nil {
				t.Fatal(err)
			}
			readFileAndEach(t, dir, "gb.csv", gb, opt)
		case 3:
			readFileAndEach(t, dir, "f.xlsx", data, opt) // a CSV under a workbook's name
		case 4:
			readFileAndEach(t, dir, "f.txt", data, Options{Kind: "kindergarten"})
		case 5:
			// A bad byte deep in the file.
			bad := slices.Clone(data)
			bad[len(bad)*2/3] = 0xff
			readFileAndEach(t, dir, "bad.csv", bad, opt)
		}
	}
	if several < 10 {
		t.Errorf("only %d of 300 files were handed on in several chunks", several)
	}
	streamMin = 0
	for _, data := range [][]byte{nil, []byte(" \n"), []byte("\x00\x01"), []byte("%PDF-1.4")} {
		readFileAndEach(t, dir, "odd.csv", data, Options{})
	}
	readFileAndEach(t, dir, "k.csv", csvBytes(kgHdr, kgRow, kgRow2), Options{})
	readFileAndEach(t, dir, "c.csv", csvBytes(cHdr, cRow), Options{})
	readFileAndEach(t, dir, "w.xlsx", xlsxBytes(t, "", hdr, good, good2), Options{})
	readFileAndEach(t, dir, "dup.xlsx", xlsxBytes(t, "", hdr, good, good), Options{})
}

// TestReadFileEachBlocks cuts the UTF-8 check of the blocks of a large
// file inside characters, and checks that it is read from the disk.
func TestReadFileEachBlocks(t *testing.T) {
	least := streamMin
	defer func() { streamMin = least }()
	streamMin = 0
	dir := t.TempDir()
	rows := [][]string{hdr}
	for i := range 24000 {
		row := slices.Clone(good)
		row[3] = fmt.Sprintf("3134%06d", i)
		row[4] = strings.Repeat("学", i%7+1)
		rows = append(rows, row)
	}
	data := csvBytes(rows...)
	if len(data) < 2<<20 {
		t.Fatalf("%d bytes: the file should span blocks", len(data))
	}
	if n := readFileAndEach(t, dir, "big.csv", data, Options{}); n < 2 {
		t.Errorf("%d chunks", n)
	}
	if _, err, ok := readCSVStream(filepath.Join(dir, "big.csv"), "big.csv", Options{}, func([]census.School) error { return nil }); !ok || err != nil {
		t.Errorf("big.csv not read from the disk in blocks (%v, %v)", ok, err)
	}
	// A character cut by the end of a block, broken.
	bad := slices.Clone(data)
	i := 1<<20 - 1
	for bad[i] < 0x80 {
		i--
	}
	bad[i] = 0xE5
	readFileAndEach(t, dir, "cut.csv", bad, Options{})
}

// TestReadFileEachStops: an error from each stops the read and is returned.
func TestReadFileEachStops(t *testing.T) {
	least, chunk := streamMin, eachChunk
	defer func() { streamMin, eachChunk = least, chunk }()
	streamMin, eachChunk = 0, 1
	dir := t.TempDir()
	stop := errors.New("stop")
	for _, name := range []string{"a.csv", "a.xlsx"} {
		data := csvBytes(hdr, good, good2)
		if name == "a.xlsx" {
			data = xlsxBytes(t, "", hdr, good, good2)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		calls := 0
		b, err := ReadFileEach(path, Options{}, func([]census.School) error { calls++; return stop })
		if b != nil || err != stop || calls != 1 {
			t.Errorf("%s: batch %v, error %v after %d calls; want the error of each after one", name, b != nil, err, calls)
		}
	}
}
