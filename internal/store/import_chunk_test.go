package store_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// TestImportLargeFiles imports files larger than the store's chunk of
// records (8 000), then, in one import, a file that changes records on
// both sides of chunk boundaries and a second file that changes one of
// them again: the counts, the records and every history row must be what
// a record-at-a-time import would write.
func TestImportLargeFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		first := storetest.Synthetic(2024, 17_000, 40, 3)
		sum := mustImport(t, s, store.FileBatch{File: "first.csv", Schools: first})
		if sum.Added != len(first) || sum.PerFile[0].Batch != 1 {
			t.Fatalf("first import: %+v", sum)
		}
		second := append([]census.School(nil), first...)
		changed := []int{0, 7_999, 8_000, 15_999, 16_999}
		for _, i := range changed {
			second[i].Set(census.TeachersPrimary, 1000+float64(i))
		}
		third := []census.School{second[8_000]}
		third[0].Set(census.TeachersPrimary, 7)
		sum = mustImport(t, s,
			store.FileBatch{File: "second.csv", Schools: second},
			store.FileBatch{File: "third.csv", Schools: third})
		want := store.Summary{Files: 2, Changed: 6, Unchanged: len(first) - 5, Changes: 6, PerFile: []store.FileSummary{
			{File: "second.csv", Batch: 2, Changed: 5, Unchanged: len(first) - 5, Changes: 5},
			{File: "third.csv", Batch: 3, Changed: 1, Changes: 1},
		}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		batches, err := s.Batches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b := batches[1]; b.Added != 0 || b.Changed != 5 || b.Unchanged != len(first)-5 {
			t.Errorf("logged batch 2: %+v", b)
		}
		got := mustSchools(t, s, 2024, "")
		second[8_000] = third[0]
		if diff := cmp.Diff(second, got, cmpNaN); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		h, err := s.History(ctx, 2024, first[8_000].Code)
		if err != nil {
			t.Fatal(err)
		}
		var old *string // unreported when the school has no primary part
		if v, ok := first[8_000].Get(census.TeachersPrimary); ok && !math.IsNaN(v) {
			old = ptr(strconv.FormatFloat(v, 'f', -1, 64))
		}
		wantH := []store.Change{
			{Batch: 1, File: "first.csv", Kind: store.KindSchool, Actor: "tester", At: t0},
			{Batch: 2, File: "second.csv", Kind: store.KindSchool, Actor: "tester", Column: "teachers_primary",
				Old: old, New: ptr("9000"), At: t0.Add(time.Second)},
			{Batch: 3, File: "third.csv", Kind: store.KindSchool, Actor: "tester", Column: "teachers_primary",
				Old: ptr("9000"), New: ptr("7"), At: t0.Add(time.Second)},
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		for _, i := range []int{1, 16_999} {
			h, err := s.History(ctx, 2024, first[i].Code)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(h); (i == 1 && n != 1) || (i == 16_999 && n != 2) {
				t.Errorf("history of record %d: %d rows, want %d", i, n, map[int]int{1: 1, 16_999: 2}[i])
			}
		}
	})
}

// TestSchoolsEveryCounty reads every county (in parallel, on a store with
// more than one core) and compares with the counties read one at a time:
// the same records in the same order, county by county and code by code.
func TestSchoolsEveryCounty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		all := storetest.Synthetic(2024, 3_000, 37, 5)
		mustImport(t, s, store.FileBatch{File: "all.csv", Schools: all})
		var want []census.School
		seen := map[string]bool{}
		for _, r := range all {
			if !seen[r.CountyCode] {
				seen[r.CountyCode] = true
				want = append(want, mustSchools(t, s, 2024, r.CountyCode)...)
			}
		}
		if len(want) != len(all) {
			t.Fatalf("counties hold %d records, want %d", len(want), len(all))
		}
		if diff := cmp.Diff(want, mustSchools(t, s, 2024, ""), cmpNaN); diff != "" {
			t.Errorf("every county (-want +got):\n%s", diff)
		}
		if got := mustSchools(t, s, 2023, ""); len(got) != 0 {
			t.Errorf("2023: %d records, want none", len(got))
		}
	})
}
