package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// shuffled returns n synthetic records of year out of index order, so
// that a first import into empty tables builds their indexes after the
// load.
func shuffled(year, n int) []census.School {
	recs := storetest.Synthetic(year, n, 60, 7)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

// dump returns every row of the tables an import writes and the schema
// of their indexes, as text, and checks the database's integrity.
func dump(t *testing.T, s *store.Store) string {
	t.Helper()
	return dumpRows(t, s,
		`SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE tbl_name IN ('school_records', 'record_changes', 'import_batches') ORDER BY name`,
		`SELECT * FROM import_batches ORDER BY id`,
		`SELECT * FROM school_records ORDER BY year, school_code`,
		`SELECT * FROM record_changes ORDER BY id`,
		`SELECT year, county_code, school_code FROM school_records INDEXED BY school_records_year_county ORDER BY year, county_code, school_code`,
		`SELECT year, school_code, id FROM record_changes INDEXED BY record_changes_school ORDER BY year, school_code, id`,
		`PRAGMA integrity_check`)
}

// dumpRows returns the rows of queries, as text.
func dumpRows(t *testing.T, s *store.Store, queries ...string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		rows, err := s.DB().QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestImportBuildsIndexesAfter: a first import into empty SQLite tables
// of a file out of index order, which drops their secondary indexes and
// builds them after the load, stores the same rows, history and index
// entries as an import that keeps the indexes up row by row, and so do
// later imports over it (a second year, then changes).
func TestImportBuildsIndexesAfter(t *testing.T) {
	first := shuffled(2024, 9_000)
	next := shuffled(2025, 3_000)
	dumps := offAndOn(t, store.SetDeferIndexes, first, next)
	sameDump(t, "indexes kept up", dumps[0], "built after", dumps[1])
	if !strings.HasSuffix(dumps[1], "ok\n") {
		t.Errorf("integrity check: %s", dumps[1][strings.LastIndexByte(dumps[1][:len(dumps[1])-1], '\n')+1:])
	}
}

// TestImportBuildsIndexesAfterFails: a first import out of index order
// that fails after the load leaves nothing stored and every index in
// place.
func TestImportBuildsIndexesAfterFails(t *testing.T) {
	s := open(t, storetest.OpenSQLite(t))
	empty := dump(t, s)
	recs := shuffled(2024, 9_000)
	refuse := errors.New("refused")
	n := 0
	_, err := s.ImportChecked(ctx, "tester", []store.FileBatch{{File: "first.csv", Schools: recs}}, func(old, rec census.UnitRecord) error {
		if n++; n == 8_500 { // in the second chunk, after the first was written
			return refuse
		}
		return nil
	})
	if !errors.Is(err, refuse) {
		t.Fatalf("import: %v, want %v", err, refuse)
	}
	sameDump(t, "before", empty, "after a failed import", dump(t, s))
	// and a later import of the same file stores it with its indexes
	mustImport(t, s, store.FileBatch{File: "first.csv", Schools: recs})
	if got := dump(t, s); !strings.Contains(got, "school_records_year_county") || !strings.HasSuffix(got, "ok\n") {
		t.Errorf("after the import:\n%.2000s", got)
	}
}

// offAndOn imports into a new SQLite store first, then in one import next
// and first with every 97th record changed, once with set(false) and once
// with set(true), and returns the dumps of the two stores.
func offAndOn(t *testing.T, set func(bool) (restore func()), first, next []census.School) [2]string {
	t.Helper()
	changed := append([]census.School(nil), first...)
	for i := range changed {
		if i%97 == 0 {
			changed[i].Set(census.TeachersPrimary, float64(i))
		}
	}
	var dumps [2]string
	for i, on := range []bool{false, true} {
		restore := set(on)
		s := open(t, storetest.OpenSQLite(t))
		mustImport(t, s, store.FileBatch{File: "first.csv", Schools: first})
		mustImport(t, s, store.FileBatch{File: "next.csv", Schools: next}, store.FileBatch{File: "changed.csv", Schools: changed})
		dumps[i] = dump(t, s)
		restore()
	}
	return dumps
}

// sameDump reports the first line where two dumps differ (a diff of two
// dumps of thousands of rows would take minutes).
func sameDump(t *testing.T, aName, a, bName, b string) {
	t.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			t.Fatalf("line %d of %d differs:\n%s: %q\n%s: %q", i+1, len(al), aName, x, bName, y)
		}
	}
}
