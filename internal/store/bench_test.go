package store_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
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
	benchImport(b, storetest.OpenSQLite, 100_000, false)
}

// BenchmarkImport210k imports a province's 210 000 records (records read
// already: the store's part of dudao import) into a fresh SQLite database
// per iteration; Reimport imports the same records again over them, which
// diffs every record and changes nothing; Shuffled imports them in random
// order into a fresh database, which builds the tables' secondary indexes
// after the load.
//
//	go test ./internal/store -run '^$' -bench Import210k -benchtime 2x -benchmem
func BenchmarkImport210k(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchImport(b, storetest.OpenSQLite, provinceSchools, false) })
	b.Run("reimport", func(b *testing.B) { benchImport(b, storetest.OpenSQLite, provinceSchools, true) })
	b.Run("shuffled", func(b *testing.B) {
		schools := storetest.Synthetic(2024, provinceSchools, provinceSchools/72, 1)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(schools), func(i, j int) { schools[i], schools[j] = schools[j], schools[i] })
		benchImportRecords(b, storetest.OpenSQLite, schools, false)
	})
}

// BenchmarkImportScaling imports 10 000 to 210 000 new records into a
// fresh SQLite database per iteration, to show that an import's time grows
// linearly with its records: ns/row should stay flat.
//
//	go test ./internal/store -run '^$' -bench ImportScaling -benchtime 2x
func BenchmarkImportScaling(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 100_000, provinceSchools} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			benchImport(b, storetest.OpenSQLite, n, false)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}

// BenchmarkPostgresImport210k is BenchmarkImport210k on PostgreSQL (COPY).
func BenchmarkPostgresImport210k(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchImport(b, storetest.OpenPostgres, provinceSchools, false) })
	b.Run("reimport", func(b *testing.B) { benchImport(b, storetest.OpenPostgres, provinceSchools, true) })
}

// benchImport imports n synthetic records into a store that open returns
// per iteration, timing the import only; with again, the records are
// imported once before the clock runs and the timed import changes nothing.
func benchImport(b *testing.B, open func(testing.TB) *store.Store, n int, again bool) {
	benchImportRecords(b, open, storetest.Synthetic(2024, n, n/72, 1), again)
}

// benchImportRecords is benchImport of the records schools.
func benchImportRecords(b *testing.B, open func(testing.TB) *store.Store, schools []census.School, again bool) {
	batch := []store.FileBatch{{File: "province.xlsx", Schools: schools}}
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		if again {
			if _, err := s.Import(ctx, "bench", batch); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		sum, err := s.Import(ctx, "bench", batch)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Added+sum.Unchanged != len(schools) {
			b.Fatalf("added %d and left %d, want %d in all", sum.Added, sum.Unchanged, len(schools))
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

// BenchmarkSchoolsNationSnapshot reads a province's 210 000 records back,
// as dudao evaluate --db does: "rows" scans the rows every time (no
// snapshot kept), "snapshot" decodes the snapshot the first read stored.
//
//	go test ./internal/store -run '^$' -bench SchoolsNationSnapshot -benchtime 5x
func BenchmarkSchoolsNationSnapshot(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(db.name, func(b *testing.B) {
			s := db.open(b)
			load(b, s)
			read := func(b *testing.B, rows bool) {
				var got []census.School
				var err error
				if rows {
					got, err = s.SchoolRows(ctx, 2024)
				} else {
					got, err = s.Schools(ctx, 2024, "")
				}
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != provinceSchools {
					b.Fatalf("read %d records, want %d", len(got), provinceSchools)
				}
			}
			b.Run("rows", func(b *testing.B) {
				for b.Loop() {
					read(b, true)
				}
			})
			b.Run("snapshot", func(b *testing.B) {
				read(b, false) // stores the snapshot
				for b.Loop() {
					read(b, false)
				}
			})
		})
	}
}

// BenchmarkImportStreamScaling imports 50 000 to 400 000 new records as a
// stream (ImportStreams, the way dudao import reads a file), made 4 096 at
// a time as the store takes them, into a fresh SQLite database per
// iteration: ns/row should stay flat, and the peak of the heap (sampled
// every millisecond) should not grow with the records, since the store
// holds a few chunks of them at a time.
//
//	go test ./internal/store -run '^$' -bench ImportStreamScaling -benchtime 2x
func BenchmarkImportStreamScaling(b *testing.B) {
	for _, n := range []int{50_000, 100_000, 200_000, 400_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			const chunk = 4096
			pattern := storetest.Synthetic(2024, chunk, chunk/72, 1)
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				s := storetest.OpenSQLite(b)
				runtime.GC()
				stop := samplePeak(&peak)
				b.StartTimer()
				st := store.Stream{File: "nation.csv", Read: func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
					for i := 0; i < n; i += chunk {
						recs := make([]census.School, min(chunk, n-i))
						out := make([]census.UnitRecord, len(recs))
						for k := range recs {
							recs[k] = pattern[k]
							recs[k].Code = fmt.Sprintf("%010d", i+k)
							recs[k].CountyCode = fmt.Sprintf("%04d%02d", 1100+(i+k)/72/99, 1+(i+k)/72%99)
							out[k] = &recs[k]
						}
						if err := put(store.KindSchool, out); err != nil {
							return store.FileBatch{}, err
						}
					}
					return store.FileBatch{Kind: store.KindSchool}, nil
				}}
				sum, err := s.ImportStreams(ctx, "bench", []store.Stream{st})
				if err != nil {
					b.Fatal(err)
				}
				if sum.Added != n {
					b.Fatalf("added %d, want %d", sum.Added, n)
				}
				b.StopTimer()
				stop()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// samplePeak raises *peak to the heap's bytes in use, sampled every
// millisecond until stop is called.
func samplePeak(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
