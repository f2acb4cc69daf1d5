package store_test

import (
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// A province's worth of schools: about 210 000 records in 2 900 counties.
const (
	provinceSchools  = 210_000
	provinceCounties = 2_900
)

// BenchmarkImport100k imports 100 000 records into a fresh SQLite database
// per iteration (the target is under 5 s).
//
//	go test ./internal/store -run '^$' -bench Import100k -benchtime 2x
func BenchmarkImport100k(b *testing.B) {
	schools := storetest.Synthetic(2024, 100_000, 1_400, 1)
	for b.Loop() {
		b.StopTimer()
		s := storetest.OpenSQLite(b)
		b.StartTimer()
		sum, err := s.Import(ctx, "bench", []store.FileBatch{{File: "province.xlsx", Schools: schools}})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Added != len(schools) {
			b.Fatalf("added %d, want %d", sum.Added, len(schools))
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(schools))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSchools210k reads a province's 210 000 records back from SQLite.
//
//	go test ./internal/store -run '^$' -bench Schools210k -benchtime 3x
func BenchmarkSchools210k(b *testing.B) {
	s := storetest.OpenSQLite(b)
	load(b, s)
	for b.Loop() {
		got, err := s.Schools(ctx, 2024, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != provinceSchools {
			b.Fatalf("read %d records, want %d", len(got), provinceSchools)
		}
	}
}

// BenchmarkPostgresCVQuery loads a province's 210 000 records into
// PostgreSQL and times TeacherCVs: one query computing the CV of the three
// teacher indicators for every county and stage. It needs a server:
//
//	eval "$(scripts/pg-test-server.sh)"
//	go test ./internal/store -run '^$' -bench PostgresCVQuery -benchtime 5x
func BenchmarkPostgresCVQuery(b *testing.B) {
	s := storetest.OpenPostgres(b)
	load(b, s)
	if _, err := s.DB().ExecContext(ctx, "ANALYZE school_records"); err != nil {
		b.Fatal(err)
	}
	var groups int
	for b.Loop() {
		cvs, err := s.TeacherCVs(ctx, 2024)
		if err != nil {
			b.Fatal(err)
		}
		groups = len(cvs)
	}
	if want := provinceCounties * 2 * 3; groups != want {
		b.Fatalf("%d county × stage × indicator groups, want %d", groups, want)
	}
}

// load imports the synthetic province and logs how long that took.
func load(b *testing.B, s *store.Store) []census.School {
	b.Helper()
	schools := storetest.Synthetic(2024, provinceSchools, provinceCounties, 1)
	start := time.Now()
	if _, err := s.Import(ctx, "bench", []store.FileBatch{{File: "province.xlsx", Schools: schools}}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: imported %d records in %v", s.Dialect(), len(schools), time.Since(start).Round(time.Millisecond))
	return schools
}
