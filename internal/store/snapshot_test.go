package store_test

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// fillDistinct sets every field of *p, by reflection, to a value no other
// field has, none of them zero: a field added to a record type later that
// a snapshot does not carry fails the round trip. Numbers take shapes the
// encoding treats apart: integers, decimals of 1 to 3 places, negative,
// large, and ones that only round-trip as raw bits.
func fillDistinct(p any) {
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		n++
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("文本%d·x", n))
		case reflect.Int, reflect.Int64, reflect.Int32:
			v.SetInt(int64(2000 + n))
		case reflect.Float64:
			shapes := []float64{float64(n), float64(n) + 0.5, float64(n) / 100, -float64(n) / 1000,
				1e15 + float64(n), 0.1 + 0.2 + float64(n), math.Pi * float64(n), 1e300 / float64(n), math.NaN()}
			v.SetFloat(shapes[n%len(shapes)])
		case reflect.Array, reflect.Slice:
			for i := range v.Len() {
				fill(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		default:
			panic(fmt.Sprintf("fillDistinct: a field of kind %s: teach the snapshot and this test about it", v.Kind()))
		}
	}
	fill(reflect.ValueOf(p).Elem())
}

// sameBits reports whether a and b are equal field by field, numbers by
// their bits (NaN is not equal to itself, -0 is to 0).
func sameBits(a, b any) bool {
	var eq func(x, y reflect.Value) bool
	eq = func(x, y reflect.Value) bool {
		switch x.Kind() {
		case reflect.Float64:
			return math.Float64bits(x.Float()) == math.Float64bits(y.Float())
		case reflect.Array, reflect.Slice:
			if x.Len() != y.Len() {
				return false
			}
			for i := range x.Len() {
				if !eq(x.Index(i), y.Index(i)) {
					return false
				}
			}
			return true
		case reflect.Struct:
			for i := range x.NumField() {
				if !eq(x.Field(i), y.Field(i)) {
					return false
				}
			}
			return true
		}
		return x.Interface() == y.Interface()
	}
	return eq(reflect.ValueOf(a), reflect.ValueOf(b))
}

func roundTrip[T any](t *testing.T, table *census.Table, year func(*T) *int) {
	t.Helper()
	recs := make([]T, 3)
	for i := range recs {
		fillDistinct(&recs[i])
		*year(&recs[i]) = 2024
	}
	// Distinct records apart from one another too.
	recs[1], recs[2] = recs[2], recs[1]
	p := store.EncodeSnapshot(table, 2024, recs)
	if p == nil {
		t.Fatal("no payload")
	}
	got, err := store.DecodeSnapshot[T](table, 2024, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records back, want %d", len(got), len(recs))
	}
	for i := range recs {
		if !sameBits(got[i], recs[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], recs[i])
		}
	}
	// Another year, another kind's table, or a damaged payload is refused.
	if _, err := store.DecodeSnapshot[T](table, 2025, p); err == nil {
		t.Error("a snapshot of 2024 decoded as 2025")
	}
	for i := range p {
		q := append([]byte(nil), p...)
		q[i] ^= 0x40
		if _, err := store.DecodeSnapshot[T](table, 2024, q); err == nil {
			t.Fatalf("byte %d damaged, decoded all the same", i)
		}
	}
}

// TestSnapshotRoundTrip fills every field of each record type with a
// distinct value and checks that a snapshot gives back the same bits.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Run("school", func(t *testing.T) {
		roundTrip(t, &census.SchoolTable, func(s *census.School) *int { return &s.Year })
	})
	t.Run("kindergarten", func(t *testing.T) {
		roundTrip(t, &census.KindergartenTable, func(k *census.Kindergarten) *int { return &k.Year })
	})
	t.Run("county", func(t *testing.T) {
		roundTrip(t, &census.CountyTable, func(c *census.CountyRecord) *int { return &c.Year })
	})
	if _, err := store.DecodeSnapshot[census.School](&census.KindergartenTable, 2024,
		store.EncodeSnapshot(&census.SchoolTable, 2024, []census.School{census.NewSchool()})); err == nil {
		t.Error("a snapshot of schools decoded as kindergartens")
	}
}

// twoHandles returns two stores of one new database, as two processes
// would open it.
func twoHandles(t *testing.T, dialect string) (*store.Store, *store.Store) {
	t.Helper()
	var dsn string
	switch dialect {
	case "sqlite":
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "dudao.db")
	default:
		dsn = storetest.PostgresDSN(t)
	}
	var out [2]*store.Store
	for i := range out {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

// eachDialect runs f on two handles of one SQLite database and of one
// PostgreSQL database.
func eachDialect(t *testing.T, f func(t *testing.T, a, b *store.Store)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			a, b := twoHandles(t, d)
			f(t, a, b)
		})
	}
}

func snapshotRows(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM record_snapshots`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantSchools checks that s reads what the rows hold.
func wantSchools(t *testing.T, s *store.Store, want []census.School) {
	t.Helper()
	if !checkSchools(t, s, want) {
		t.FailNow()
	}
}

// checkSchools is wantSchools for a goroutine: it reports, with t.Errorf,
// whether s read what the rows hold.
func checkSchools(t *testing.T, s *store.Store, want []census.School) bool {
	t.Helper()
	got, err := s.Schools(ctx, 2024, "")
	if err != nil {
		t.Error(err)
		return false
	}
	if len(got) != len(want) {
		t.Errorf("%d schools, want %d", len(got), len(want))
		return false
	}
	for i := range want {
		if !sameBits(got[i], want[i]) {
			t.Errorf("school %d:\n got %+v\nwant %+v", i, got[i], want[i])
			return false
		}
	}
	return true
}

// rowsOf reads the schools of 2024 from the rows, with no snapshot.
func rowsOf(t *testing.T, s *store.Store) []census.School {
	t.Helper()
	got, err := s.SchoolRows(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSnapshotFreshAfterWrites reads the schools of a year through one
// handle while another handle of the same database imports and edits:
// every read returns what the rows hold, never a stale snapshot.
func TestSnapshotFreshAfterWrites(t *testing.T) {
	defer store.SetSnapshotMin(1)()
	eachDialect(t, func(t *testing.T, a, b *store.Store) {
		schools := storetest.Synthetic(2024, 300, 7, 1)
		if _, err := b.Import(ctx, "t", []store.FileBatch{{File: "a.csv", Schools: schools}}); err != nil {
			t.Fatal(err)
		}
		want := rowsOf(t, a)
		wantSchools(t, a, want) // cold: reads the rows, stores a snapshot
		if n := snapshotRows(t, a); n == 0 {
			t.Fatal("no snapshot stored")
		}
		wantSchools(t, a, want) // from the snapshot
		wantSchools(t, b, want) // another handle: the same snapshot

		// An edit through the other handle.
		s := want[17]
		s.V[census.StudentsPrimary] = 4321
		if _, err := b.UpdateSchool(ctx, "t", s); err != nil {
			t.Fatal(err)
		}
		want = rowsOf(t, a)
		if want[17].V[census.StudentsPrimary] != 4321 {
			t.Fatal("the edit is not in the rows")
		}
		wantSchools(t, a, want)
		wantSchools(t, a, want)

		// An import that adds a school and changes another.
		more := storetest.Synthetic(2024, 301, 7, 1)
		more[3].Name = "改过名的学校"
		if _, err := b.Import(ctx, "t", []store.FileBatch{{File: "b.csv", Schools: more}}); err != nil {
			t.Fatal(err)
		}
		want = rowsOf(t, a)
		if len(want) != 301 {
			t.Fatalf("%d schools in the rows, want 301", len(want))
		}
		wantSchools(t, a, want)
		wantSchools(t, b, want)
		if n := snapshotRows(t, a); n != 1 {
			t.Errorf("%d snapshot parts kept, want the current one only", n)
		}

		// A damaged snapshot is read around and replaced.
		if _, err := a.DB().ExecContext(ctx, `UPDATE record_snapshots SET payload = $1`, []byte("not a snapshot")); err != nil {
			t.Fatal(err)
		}
		wantSchools(t, a, want)
		wantSchools(t, a, want)
		var bad int
		if err := a.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM record_snapshots WHERE payload = $1`, []byte("not a snapshot")).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Error("the damaged snapshot was not replaced")
		}
	})
}

// TestSnapshotConcurrent has two handles read a cold snapshot at once,
// again and again with writes in between: both always read the rows'
// records.
func TestSnapshotConcurrent(t *testing.T) {
	defer store.SetSnapshotMin(1)()
	eachDialect(t, func(t *testing.T, a, b *store.Store) {
		schools := storetest.Synthetic(2024, 500, 9, 2)
		for round := range 4 {
			schools[round].V[census.TeachersPrimary] = float64(100 + round)
			if _, err := a.Import(ctx, "t", []store.FileBatch{{File: "a.csv", Schools: schools}}); err != nil {
				t.Fatal(err)
			}
			want := rowsOf(t, a)
			var wg sync.WaitGroup
			for _, s := range []*store.Store{a, b, a, b} {
				wg.Go(func() { checkSchools(t, s, want) })
			}
			wg.Wait()
			wantSchools(t, b, want)
		}
	})
}

// TestSnapshotKinds reads kindergartens and county records through a
// snapshot too.
func TestSnapshotKinds(t *testing.T) {
	defer store.SetSnapshotMin(1)()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		kg := census.NewKindergarten()
		kg.Year, kg.CountyCode, kg.CountyName, kg.Code, kg.Name = 2024, "341122", "来安县", "1234567890", "幼儿园"
		kg.Category = census.Category("public")
		kg.Location = "城区"
		kg.V[0], kg.V[1] = 12, 3.25
		c := census.NewCountyRecord()
		c.Year, c.CountyCode, c.CountyName = 2024, "341122", "来安县"
		c.V[2] = 7.5
		if _, err := s.Import(ctx, "t", []store.FileBatch{
			{File: "k.csv", Kind: store.KindKindergarten, Kindergartens: []census.Kindergarten{kg}},
			{File: "c.csv", Kind: store.KindCounty, Counties: []census.CountyRecord{c}},
		}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			ks, err := s.Kindergartens(ctx, 2024, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(ks) != 1 || !sameBits(ks[0], kg) {
				t.Fatalf("kindergartens %+v, want %+v", ks, kg)
			}
			cs, err := s.CountyRecords(ctx, 2024, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || !sameBits(cs[0], c) {
				t.Fatalf("county records %+v, want %+v", cs, c)
			}
		}
		if n := snapshotRows(t, s); n != 2 {
			t.Errorf("%d snapshots, want one of each kind", n)
		}
	})
}

// TestYearsSkipScan checks the years as the recursive lookup finds them:
// none in an empty database, then each year once, ascending.
func TestYearsSkipScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if ys, err := s.Years(ctx); err != nil || len(ys) != 0 {
			t.Fatalf("years of an empty database: %v, %v", ys, err)
		}
		for _, y := range []int{2024, 2021, 2023} {
			if _, err := s.Import(ctx, "t", []store.FileBatch{{File: "a.csv", Schools: storetest.Synthetic(y, 20, 3, 1)}}); err != nil {
				t.Fatal(err)
			}
		}
		ys, err := s.Years(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ys) != "[2021 2023 2024]" {
			t.Errorf("years %v, want [2021 2023 2024]", ys)
		}
		if ys, err := s.UnitYears(ctx, store.KindCounty); err != nil || len(ys) != 0 {
			t.Errorf("years of county records: %v, %v", ys, err)
		}
	})
}
