package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// streamOf is a stream of the school records recs, put n at a time (each
// chunk a copy, as a reader hands them on), then rest.
func streamOf(file string, recs []census.School, n int, rest store.FileBatch) store.Stream {
	return store.Stream{File: file, Read: func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
		for i := 0; i < len(recs); i += n {
			c := append([]census.School(nil), recs[i:min(i+n, len(recs))]...)
			out := make([]census.UnitRecord, len(c))
			for k := range c {
				out[k] = &c[k]
			}
			if err := put(store.KindSchool, out); err != nil {
				return store.FileBatch{}, err
			}
		}
		if rest.Kind == "" {
			rest.Kind = store.KindSchool
		}
		rest.File, rest.SHA256 = file, "sha-of-"+file
		return rest, nil
	}}
}

// tableDump is every row of the tables an import writes, on either
// database, as text.
func tableDump(t *testing.T, s *store.Store) string {
	t.Helper()
	return dumpRows(t, s,
		`SELECT * FROM import_batches ORDER BY id`,
		`SELECT * FROM school_records ORDER BY year, school_code`,
		`SELECT * FROM county_records ORDER BY year, county_code`,
		`SELECT batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind FROM record_changes ORDER BY id`,
		`SELECT code, name, level, parent FROM regions ORDER BY code`)
}

// TestImportStreamsAsImport: files imported as streams, in chunks that
// do not fall on the store's own (8 000) nor on each other's, store the
// same rows, history, batch log and regions as the same files imported
// whole: a first file out of index order (which, on SQLite, builds its
// indexes after the load), then in one import a file that changes records
// on both sides of chunk boundaries, a second that changes one again and
// a file of county records.
func TestImportStreamsAsImport(t *testing.T) {
	first := shuffled(2024, 17_000)
	second := append([]census.School(nil), first...)
	for i := range second {
		if i%997 == 0 {
			second[i].Set(census.TeachersPrimary, float64(1000+i))
		}
	}
	third := []census.School{second[8_000]}
	third[0].Set(census.TeachersPrimary, 7)
	counties := []census.CountyRecord{countyRec(first[0].CountyCode), countyRec(first[1].CountyCode)}
	counties[1].CountyName = first[1].CountyName
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		mustImport(t, s, store.FileBatch{File: "first.csv", SHA256: "sha-of-first.csv", Schools: first})
		want := mustImport(t, s,
			store.FileBatch{File: "second.csv", SHA256: "sha-of-second.csv", Schools: second},
			store.FileBatch{File: "third.csv", SHA256: "sha-of-third.csv", Schools: third},
			store.FileBatch{File: "县级.csv", SHA256: "sha-of-县级.csv", Kind: store.KindCounty, Counties: counties})
		whole := tableDump(t, s)

		s2 := open(t, storetest.Open(t))
		if _, err := s2.ImportStreams(ctx, "tester", []store.Stream{streamOf("first.csv", first, 4_096, store.FileBatch{})}); err != nil {
			t.Fatal(err)
		}
		got, err := s2.ImportStreams(ctx, "tester", []store.Stream{
			streamOf("second.csv", second, 777, store.FileBatch{}),
			streamOf("third.csv", third, 777, store.FileBatch{}),
			streamOf("县级.csv", nil, 1, store.FileBatch{Kind: store.KindCounty, Counties: counties}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("summary (-whole +streamed):\n%s", diff)
		}
		sameDump(t, "imported whole", whole, "streamed", tableDump(t, s2))
	})
}

// TestImportStreamsIndexesAfter: on SQLite, a first import of a stream
// out of index order builds the indexes after the load and leaves the
// same rows and index entries as the file imported whole.
func TestImportStreamsIndexesAfter(t *testing.T) {
	recs := shuffled(2024, 9_000)
	s := open(t, storetest.OpenSQLite(t))
	mustImport(t, s, store.FileBatch{File: "first.csv", SHA256: "sha-of-first.csv", Schools: recs})
	s2 := open(t, storetest.OpenSQLite(t))
	if _, err := s2.ImportStreams(ctx, "tester", []store.Stream{streamOf("first.csv", recs, 1_000, store.FileBatch{})}); err != nil {
		t.Fatal(err)
	}
	a, b := dump(t, s), dump(t, s2)
	sameDump(t, "imported whole", a, "streamed", b)
	if !strings.HasSuffix(b, "ok\n") {
		t.Errorf("integrity check failed")
	}
}

// TestImportStreamsReadFails: a stream whose reader finds a bad row after
// chunks of it were written, in an import whose first file was fine,
// leaves the database as it was, and the reader's error is the import's.
func TestImportStreamsReadFails(t *testing.T) {
	badRow := errors.New("第 9000 行：小学在校生数不是数字")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		mustImport(t, s, store.FileBatch{File: "2024.csv", Schools: storetest.Synthetic(2024, 3_000, 20, 1)})
		before := tableDump(t, s)
		next := storetest.Synthetic(2025, 9_000, 20, 2)
		changed := storetest.Synthetic(2024, 3_000, 20, 3)
		bad := streamOf("2025.csv", next, 1_000, store.FileBatch{})
		read := bad.Read
		bad.Read = func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
			if _, err := read(put); err != nil {
				return store.FileBatch{}, err
			}
			return store.FileBatch{}, badRow // after every chunk was put
		}
		_, err := s.ImportStreams(ctx, "tester", []store.Stream{streamOf("changed.csv", changed, 500, store.FileBatch{}), bad})
		if !errors.Is(err, badRow) {
			t.Fatalf("import: %v, want %v", err, badRow)
		}
		sameDump(t, "before", before, "after a failed import", tableDump(t, s))
		// The store is usable: the same files, good, import.
		if _, err := s.ImportStreams(ctx, "tester", []store.Stream{streamOf("2025.csv", next, 1_000, store.FileBatch{})}); err != nil {
			t.Fatal(err)
		}
		if got := mustSchools(t, s, 2025, ""); len(got) != len(next) {
			t.Errorf("2025: %d records, want %d", len(got), len(next))
		}
	})
}

// TestImportStreamsWriteFails: when the writer refuses a chunk, the
// reader is stopped (its put returns an error and it returns before
// ImportStreams does), however many chunks it had left, and nothing is
// stored.
func TestImportStreamsWriteFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		before := tableDump(t, s)
		recs := storetest.Synthetic(2024, 2_000, 20, 1)
		var (
			puts     int
			putErr   error
			returned bool
		)
		st := store.Stream{File: "mixed.csv", Read: func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
			defer func() { returned = true }()
			for i := 0; i < 1_000_000; i++ { // far more chunks than the writer takes
				kind := store.KindSchool
				if i == 3 {
					kind = store.KindKindergarten // school records under another kind: refused by the writer
				}
				c := recs[(i*10)%len(recs):][:10]
				out := make([]census.UnitRecord, len(c))
				for k := range c {
					r := c[k]
					r.Code = fmt.Sprintf("%010d", i*10+k)
					out[k] = &r
				}
				puts++
				if putErr = put(kind, out); putErr != nil {
					return store.FileBatch{}, putErr
				}
			}
			return store.FileBatch{Kind: store.KindSchool}, nil
		}}
		_, err := s.ImportStreams(ctx, "tester", []store.Stream{st})
		if err == nil || !strings.Contains(err.Error(), "kind") {
			t.Fatalf("import: %v, want the refusal of the kind", err)
		}
		if !returned || putErr == nil || puts > 10 {
			t.Errorf("reader: returned %v, last put error %v, %d puts", returned, putErr, puts)
		}
		sameDump(t, "before", before, "after a failed import", tableDump(t, s))
	})
}

// TestImportStreamsCountyNamedLater: the counties of a file are added
// from all of its records, as an import of the whole file adds them: a
// code that one chunk would make a city (the city of a county in it) is a
// county when a later chunk's records name it as theirs (a
// prefecture-level city without counties, such as 东莞 441900).
func TestImportStreamsCountyNamedLater(t *testing.T) {
	recs := storetest.Synthetic(2024, 20, 1, 1)
	for i := range recs {
		recs[i].CountyCode, recs[i].CountyName = "441901", "某镇"
		if i >= 10 {
			recs[i].CountyCode, recs[i].CountyName = "441900", "东莞市"
		}
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		if _, err := s.ImportStreams(ctx, "tester", []store.Stream{streamOf("东莞.csv", recs, 10, store.FileBatch{})}); err != nil {
			t.Fatal(err)
		}
		s2 := open(t, storetest.Open(t))
		mustImport(t, s2, store.FileBatch{File: "东莞.csv", Schools: recs})
		regions := func(s *store.Store) []census.Region {
			r, err := s.Regions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		got, want := regions(s), regions(s2)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("regions (-whole +streamed):\n%s", diff)
		}
		for _, r := range got {
			if r.Code == "441900" && r.Level != census.LevelCounty {
				t.Errorf("441900 is a %s", r.Level)
			}
		}
	})
}

// TestImportStreamsConcurrent: imports started at once, each a stream of
// its own year, all succeed and each stores its records and batch (on
// SQLite one waits for the other's transaction; each writer has its own
// feed).
func TestImportStreamsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				recs := storetest.Synthetic(2020+i, 3_000, 10, uint64(i))
				_, errs[i] = s.ImportStreams(ctx, "tester", []store.Stream{streamOf(fmt.Sprint(2020+i, ".csv"), recs, 700, store.FileBatch{})})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("import %d: %v", i, err)
			}
		}
		for i := range n {
			if got := mustSchools(t, s, 2020+i, ""); len(got) != 3_000 {
				t.Errorf("%d: %d records", 2020+i, len(got))
			}
		}
		batches, err := s.Batches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(batches) != n {
			t.Errorf("%d batches, want %d", len(batches), n)
		}
	})
}

// TestImportFeedAsBound: on SQLite, records written from the feed (a
// virtual table) and records bound as statement parameters make the same
// database: new records, changed ones with their history, a second year,
// and values of every kind (unreported numbers, fractions, texts).
func TestImportFeedAsBound(t *testing.T) {
	first := storetest.Synthetic(2024, 9_000, 60, 7)
	first[0].Set(census.TeachersPrimary, 0.125)
	first[1].Name = "第一\"中学'"
	next := storetest.Synthetic(2025, 3_000, 60, 8)
	dumps := offAndOn(t, store.SetUseFeed, first, next)
	sameDump(t, "bound", dumps[0], "from the feed", dumps[1])
}
