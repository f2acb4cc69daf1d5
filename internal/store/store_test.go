package store_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// cmpNaN treats two NaNs (two unreported values) as equal.
	cmpNaN = cmpopts.EquateNaNs()
)

// rec returns a primary school record of 2024 in county 340207 with a few
// values reported and the rest not.
func rec(code, name string) census.School {
	s := census.NewSchool()
	s.Year = 2024
	s.CountyCode = "340207"
	s.CountyName = "鸠江区"
	s.Code = code
	s.Name = name
	s.Type = census.Primary
	s.Ownership = "公办"
	s.Location = "城区"
	s.Set(census.StudentsPrimary, 512)
	s.Set(census.TeachersPrimary, 30)
	s.Set(census.QualifiedTeachersPrimary, 27)
	s.Set(census.TeachingArea, 2750.5)
	return s
}

func open(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	s.Now = storetest.Clock(t0)
	return s
}

func mustImport(t *testing.T, s *store.Store, batches ...store.FileBatch) store.Summary {
	t.Helper()
	sum, err := s.Import(ctx, "tester", batches)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func mustSchools(t *testing.T, s *store.Store, year int, county string) []census.School {
	t.Helper()
	got, err := s.Schools(ctx, year, county)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func ptr(s string) *string { return &s }

// TestSchoolColumnsMatchCensus keeps the school_records table and
// census.Columns from drifting apart: every census field is a nullable
// floating-point column named by its key, and there is no other column
// beyond the identifying ones. A new census field needs a new migration.
func TestSchoolColumnsMatchCensus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rows, err := s.DB().QueryContext(ctx, `SELECT * FROM school_records WHERE 1 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		types, err := rows.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		fixed := map[string]bool{"year": true, "school_code": true, "county_code": true, "county_name": true,
			"school_name": true, "school_type": true, "ownership": true, "location": true, "sponsor": true,
			"batch_id": true, "updated_at": true, "created_batch": true, "created_at": true}
		var got, want []string
		for _, ct := range types {
			if fixed[ct.Name()] {
				delete(fixed, ct.Name())
				continue
			}
			got = append(got, ct.Name())
			if typ := ct.DatabaseTypeName(); typ != "REAL" && typ != "FLOAT8" {
				t.Errorf("column %s has type %s, want a double", ct.Name(), typ)
			}
			if null, ok := ct.Nullable(); ok && !null {
				t.Errorf("column %s is NOT NULL; an unreported value must be storable as NULL", ct.Name())
			}
		}
		for f := range census.NumFields {
			want = append(want, census.Columns[f].Key)
		}
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("school_records columns differ from census.Columns (-want +got):\n%s", diff)
		}
		if len(fixed) != 0 {
			t.Errorf("school_records lacks %v", fixed)
		}
	})
}

func TestImportAddReimportCorrect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a, b := rec("3402070001", "一小"), rec("3402070002", "二小")
		file := store.FileBatch{File: "2024.xlsx", SHA256: "aa", Schools: []census.School{a, b}}

		// 1. Add.
		sum := mustImport(t, s, file)
		want := store.Summary{Files: 1, Added: 2, PerFile: []store.FileSummary{{File: "2024.xlsx", Batch: 1, Added: 2}}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("first import (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]census.School{a, b}, mustSchools(t, s, 2024, ""), cmpNaN); diff != "" {
			t.Errorf("stored schools (-want +got):\n%s", diff)
		}

		// 2. The same file again changes nothing, and is logged.
		sum = mustImport(t, s, file)
		want = store.Summary{Files: 1, Unchanged: 2, PerFile: []store.FileSummary{{File: "2024.xlsx", Batch: 2, Unchanged: 2}}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("re-import (-want +got):\n%s", diff)
		}

		// 3. A corrected file: one number fixed, one unreported value now
		// reported, one reported value withdrawn, the name corrected.
		b2 := b
		b2.Name = "第二小学"
		b2.Set(census.TeachersPrimary, 31)
		b2.Set(census.BackboneTeachersPrimary, 0)
		b2.V[census.TeachingArea] = math.NaN()
		fixed := store.FileBatch{File: "2024-fixed.xlsx", SHA256: "bb", Schools: []census.School{a, b2}}
		sum = mustImport(t, s, fixed)
		want = store.Summary{Files: 1, Changed: 1, Unchanged: 1, Changes: 4,
			PerFile: []store.FileSummary{{File: "2024-fixed.xlsx", Batch: 3, Changed: 1, Unchanged: 1, Changes: 4}}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("corrected import (-want +got):\n%s", diff)
		}
		got, err := s.School(ctx, 2024, b.Code)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b2, got, cmpNaN); diff != "" {
			t.Errorf("corrected school (-want +got):\n%s", diff)
		}

		hist, err := s.History(ctx, 2024, b.Code)
		if err != nil {
			t.Fatal(err)
		}
		at1, at3 := t0, t0.Add(2*time.Second)
		wantHist := []store.Change{
			{Batch: 1, File: "2024.xlsx", Kind: "school", Actor: "tester", Column: "", At: at1},
			{Batch: 3, File: "2024-fixed.xlsx", Kind: "school", Actor: "tester", Column: "school_name", Old: ptr("二小"), New: ptr("第二小学"), At: at3},
			{Batch: 3, File: "2024-fixed.xlsx", Kind: "school", Actor: "tester", Column: "teachers_primary", Old: ptr("30"), New: ptr("31"), At: at3},
			{Batch: 3, File: "2024-fixed.xlsx", Kind: "school", Actor: "tester", Column: "backbone_teachers_primary", Old: nil, New: ptr("0"), At: at3},
			{Batch: 3, File: "2024-fixed.xlsx", Kind: "school", Actor: "tester", Column: "teaching_area", Old: ptr("2750.5"), New: nil, At: at3},
		}
		if diff := cmp.Diff(wantHist, hist); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}

		batches, err := s.Batches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantBatches := []store.Batch{
			{ID: 1, File: "2024.xlsx", SHA256: "aa", Kind: "school", At: at1, Added: 2, Actor: "tester"},
			{ID: 2, File: "2024.xlsx", SHA256: "aa", Kind: "school", At: t0.Add(time.Second), Unchanged: 2, Actor: "tester"},
			{ID: 3, File: "2024-fixed.xlsx", SHA256: "bb", Kind: "school", At: at3, Changed: 1, Unchanged: 1, Actor: "tester"},
		}
		if diff := cmp.Diff(wantBatches, batches); diff != "" {
			t.Errorf("batches (-want +got):\n%s", diff)
		}
	})
}

// TestImportSeveralFiles imports two files in one command where the second
// corrects a school of the first: the files apply in order.
func TestImportSeveralFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a := rec("3402070001", "一小")
		a2 := a
		a2.Set(census.StudentsPrimary, 520)
		other := rec("3402030001", "镜湖一小")
		other.CountyCode, other.CountyName = "340203", "镜湖区"
		sum := mustImport(t, s,
			store.FileBatch{File: "a.csv", Schools: []census.School{a}},
			store.FileBatch{File: "b.csv", Schools: []census.School{a2, other}})
		want := store.Summary{Files: 2, Added: 2, Changed: 1, Changes: 1, PerFile: []store.FileSummary{
			{File: "a.csv", Batch: 1, Added: 1},
			{File: "b.csv", Batch: 2, Added: 1, Changed: 1, Changes: 1},
		}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]census.School{other, a2}, mustSchools(t, s, 2024, ""), cmpNaN); diff != "" {
			t.Errorf("schools (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]census.School{a2}, mustSchools(t, s, 2024, "340207"), cmpNaN); diff != "" {
			t.Errorf("schools of 340207 (-want +got):\n%s", diff)
		}
	})
}

// TestImportAllOrNothing makes the second file of a command fail in the
// database (a CHECK constraint) after the first has been written: the
// database must be exactly as before the command.
func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a, b := rec("3402070001", "一小"), rec("3402070002", "二小")
		mustImport(t, s, store.FileBatch{File: "first.csv", Schools: []census.School{a}})
		before := snapshot(t, s)

		a2 := a
		a2.Set(census.StudentsPrimary, 600)
		bad := rec("", "无标识码")
		bad.CountyCode, bad.CountyName = "340208", "三山区"
		_, err := s.Import(ctx, "tester", []store.FileBatch{
			{File: "good.csv", Schools: []census.School{a2, b}},
			{File: "bad.csv", Schools: []census.School{bad}},
		})
		if err == nil {
			t.Fatal("import with an empty school code succeeded")
		}
		if !strings.Contains(err.Error(), "bad.csv") {
			t.Errorf("error %q does not name the file", err)
		}
		if diff := cmp.Diff(before, snapshot(t, s), cmpNaN); diff != "" {
			t.Errorf("a failed import changed the database (-before +after):\n%s", diff)
		}
		// The store still works after the rollback.
		mustImport(t, s, store.FileBatch{File: "good.csv", Schools: []census.School{a2, b}})
	})
}

// state is everything the store can tell about its contents.
type state struct {
	Schools []census.School
	Regions []census.Region
	Batches []store.Batch
	History []store.Change
}

func snapshot(t *testing.T, s *store.Store) state {
	t.Helper()
	var st state
	var err error
	years, err := s.Years(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range years {
		for _, sc := range mustSchools(t, s, y, "") {
			st.Schools = append(st.Schools, sc)
			h, err := s.History(ctx, y, sc.Code)
			if err != nil {
				t.Fatal(err)
			}
			st.History = append(st.History, h...)
		}
	}
	if st.Regions, err = s.Regions(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Batches, err = s.Batches(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestImportRejectsDuplicateInFile(t *testing.T) {
	s := open(t, storetest.OpenSQLite(t))
	a := rec("3402070001", "一小")
	_, err := s.Import(ctx, "tester", []store.FileBatch{{File: "dup.csv", Schools: []census.School{a, a}}})
	if err == nil || !strings.Contains(err.Error(), "dup.csv") || !strings.Contains(err.Error(), "3402070001") {
		t.Errorf("Import of a file with a school twice: err = %v, want one naming the file and the school", err)
	}
}

// TestNullVersusZero checks that a value reported as 0 stays 0 and an
// unreported value stays unreported, in every column.
func TestNullVersusZero(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		zero, null := rec("3402070001", "零"), rec("3402070002", "空")
		for f := range census.NumFields {
			zero.Set(f, 0)
			null.V[f] = math.NaN()
		}
		mixed := rec("3402070003", "混")
		mixed.Set(census.EquipmentValue, 1234567.89)
		mixed.Set(census.SportsArea, 0.1)
		mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{zero, null, mixed}})
		if diff := cmp.Diff([]census.School{zero, null, mixed}, mustSchools(t, s, 2024, ""), cmpNaN); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		// Swapping 0 and "not reported" is a change in every column (and
		// in the school name, which goes with the values).
		zero.Code, null.Code = null.Code, zero.Code
		sum := mustImport(t, s, store.FileBatch{File: "g.csv", Schools: []census.School{zero, null}})
		if want := 2 * (int(census.NumFields) + 1); sum.Changes != want {
			t.Errorf("swapping 0 and unreported: %d changes, want %d", sum.Changes, want)
		}
	})
}

func TestRegions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		// The demo names the city first; an import must not erase it.
		if err := s.UpsertRegions(ctx, []census.Region{{Code: "340200", Name: "芜湖市", Level: census.LevelCity, Parent: "340000"}}); err != nil {
			t.Fatal(err)
		}
		a := rec("3402070001", "一小")
		b := rec("3408260001", "宿松一小")
		b.CountyCode, b.CountyName = "340826", "宿松县"
		dg := rec("4419000001", "东莞一小") // a city without counties
		dg.CountyCode, dg.CountyName = "441900", "东莞市"
		mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{a, b, dg}})
		want := []census.Region{
			{Code: "340000", Name: "安徽省", Level: "province"},
			{Code: "340200", Name: "芜湖市", Level: "city", Parent: "340000"},
			{Code: "340207", Name: "鸠江区", Level: "county", Parent: "340200"},
			{Code: "340800", Name: "", Level: "city", Parent: "340000"},
			{Code: "340826", Name: "宿松县", Level: "county", Parent: "340800"},
			{Code: "440000", Name: "广东省", Level: "province"},
			{Code: "441900", Name: "东莞市", Level: "county", Parent: "440000"},
		}
		got, err := s.Regions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("regions (-want +got):\n%s", diff)
		}

		// A county named otherwise in a later file keeps its name: records
		// never rename a region (only region administration does); the
		// city keeps its name when named later with an empty one.
		a.CountyName = "鸠江新区"
		mustImport(t, s, store.FileBatch{File: "g.csv", Schools: []census.School{a}})
		if err := s.UpsertRegions(ctx, []census.Region{{Code: "340207", Name: "鸠江新区", Level: census.LevelCounty, Parent: "340200"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertRegions(ctx, []census.Region{{Code: "340800", Name: "安庆市", Level: census.LevelCity, Parent: "340000"},
			{Code: "340200", Level: census.LevelCity, Parent: "340000"}}); err != nil {
			t.Fatal(err)
		}
		want[2].Name = "鸠江新区"
		want[3].Name = "安庆市"
		if got, err = s.Regions(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("regions after renames (-want +got):\n%s", diff)
		}

		// A record placed in a city or a province is refused, and nothing
		// changes: a city account once turned its city into a county.
		for _, code := range []string{"340200", "340000", "350000"} {
			c := rec("3402000001", "市直一小")
			c.CountyCode, c.CountyName = code, "改名"
			if _, err := s.Import(ctx, "tester", []store.FileBatch{{File: "h.csv", Schools: []census.School{c}}}); !errors.Is(err, store.ErrNotCounty) {
				t.Errorf("import under %s: err = %v, want ErrNotCounty", code, err)
			}
			k := census.NewKindergarten()
			k.Year, k.CountyCode, k.CountyName, k.Code, k.Name, k.Category = 2024, code, "改名", "5402000001", "园", census.CategoryPublic
			if _, err := s.Import(ctx, "tester", []store.FileBatch{{File: "k.csv", Kind: store.KindKindergarten, Kindergartens: []census.Kindergarten{k}}}); !errors.Is(err, store.ErrNotCounty) {
				t.Errorf("kindergarten import under %s: err = %v, want ErrNotCounty", code, err)
			}
		}
		if got, err = s.Regions(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("regions after refused imports (-want +got):\n%s", diff)
		}
	})
}

func TestReadEmptyAndNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		if _, err := s.School(ctx, 2024, "3402070001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("School in an empty store: err = %v, want ErrNotFound", err)
		}
		if _, err := s.History(ctx, 2024, "3402070001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("History in an empty store: err = %v, want ErrNotFound", err)
		}
		if _, err := s.UpdateSchool(ctx, "editor", rec("3402070001", "一小")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateSchool in an empty store: err = %v, want ErrNotFound", err)
		}
		for name, f := range map[string]func() (int, error){
			"Schools": func() (int, error) { l, err := s.Schools(ctx, 2024, ""); return len(l), err },
			"Years":   func() (int, error) { l, err := s.Years(ctx); return len(l), err },
			"Regions": func() (int, error) { l, err := s.Regions(ctx); return len(l), err },
			"Batches": func() (int, error) { l, err := s.Batches(ctx); return len(l), err },
		} {
			if n, err := f(); n != 0 || err != nil {
				t.Errorf("%s in an empty store = %d items, %v; want 0, nil", name, n, err)
			}
		}

		a := rec("3402070001", "一小")
		b := a
		b.Year = 2023
		mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{a, b}})
		if _, err := s.School(ctx, 2022, a.Code); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("School in another year: err = %v, want ErrNotFound", err)
		}
		years, err := s.Years(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{2023, 2024}, years); diff != "" {
			t.Errorf("years (-want +got):\n%s", diff)
		}
		if got := mustSchools(t, s, 2024, "340208"); len(got) != 0 {
			t.Errorf("schools of a county without any: %d", len(got))
		}
	})
}

func TestUpdateSchool(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a := rec("3402070001", "一小")
		mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{a}})

		// An edit that changes nothing records nothing.
		n, err := s.UpdateSchool(ctx, "editor", a)
		if err != nil || n != 0 {
			t.Fatalf("UpdateSchool(unchanged) = %d, %v; want 0, nil", n, err)
		}

		a.Set(census.PEArtTeachersPrimary, 5)
		a.Set(census.TeachingArea, 2800)
		n, err = s.UpdateSchool(ctx, "editor", a)
		if err != nil || n != 2 {
			t.Fatalf("UpdateSchool = %d, %v; want 2, nil", n, err)
		}
		got, err := s.School(ctx, 2024, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, got, cmpNaN); diff != "" {
			t.Errorf("edited school (-want +got):\n%s", diff)
		}
		hist, err := s.History(ctx, 2024, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Second) // the import read the clock once; the unchanged edit not at all
		want := []store.Change{
			{Batch: 1, File: "f.csv", Kind: "school", Actor: "tester", At: t0},
			{Batch: 2, Kind: "edit", Actor: "editor", Column: "pe_art_teachers_primary", New: ptr("5"), At: at},
			{Batch: 2, Kind: "edit", Actor: "editor", Column: "teaching_area", Old: ptr("2750.5"), New: ptr("2800"), At: at},
		}
		if diff := cmp.Diff(want, hist); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		batches, err := s.Batches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(batches) != 2 || batches[1].Kind != store.KindEdit || batches[1].Changed != 1 {
			t.Errorf("batches = %+v, want the import and one edit changing one record", batches)
		}
	})
}

func TestOpen(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "sqlite:", "sqlite:a.db?mode=ro", "dudao.db"} {
		if s, err := store.Open(ctx, dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	// Opening an existing database again migrates nothing and keeps the data.
	path := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{rec("3402070001", "一小")}})
	s.Close()
	s, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := mustSchools(t, s, 2024, ""); len(got) != 1 {
		t.Errorf("reopened store has %d schools, want 1", len(got))
	}

	mem, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	mustImport(t, mem, store.FileBatch{File: "f.csv", Schools: []census.School{rec("3402070001", "一小")}})
	if got := mustSchools(t, mem, 2024, ""); len(got) != 1 {
		t.Errorf("in-memory store has %d schools, want 1", len(got))
	}
}

// TestConcurrentImports runs the same import twice at once: the writers
// queue (SQLite's immediate transactions, PostgreSQL's advisory lock), so
// one adds the records and the other finds them unchanged.
func TestConcurrentImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		file := store.FileBatch{File: "f.csv", Schools: storetest.Synthetic(2024, 300, 3, 1)}
		sums := make(chan store.Summary, 2)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				sum, err := s.Import(ctx, "tester", []store.FileBatch{file})
				sums <- sum
				errs <- err
			}()
		}
		var added, unchanged int
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			sum := <-sums
			added += sum.Added
			unchanged += sum.Unchanged
		}
		if added != 300 || unchanged != 300 {
			t.Errorf("two concurrent imports of 300 records: added %d, unchanged %d; want 300 and 300", added, unchanged)
		}
	})
}

// TestRegionsCountyCodeShapedLikeACity: a county whose code ends in 00 (a
// city-level code used by a county, as 东莞 441900) stays a county whatever
// the order of the records, and a county under it gets no city of that code.
func TestRegionsCountyCodeShapedLikeACity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := rec("4107070001", "甲")
		a.CountyCode, a.CountyName = "410707", "甲县"
		b := rec("4107000001", "乙")
		b.CountyCode, b.CountyName = "410700", "乙县"
		mustImport(t, s, store.FileBatch{File: "f.csv", Schools: []census.School{a, b}})
		got, err := s.Regions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []census.Region{
			{Code: "410000", Name: "河南省", Level: "province"},
			{Code: "410700", Name: "乙县", Level: "county", Parent: "410000"},
			{Code: "410707", Name: "甲县", Level: "county", Parent: "410000"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("regions (-want +got):\n%s", diff)
		}
	})
}
