package store_test

import (
	"path/filepath"
	"testing"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func journalMode(t *testing.T, s *store.Store) string {
	t.Helper()
	return pragma[string](t, s.DB(), "journal_mode")
}

// TestOpenFresh: a SQLite database that OpenFresh creates is written with
// a rollback journal until Close, which leaves it in WAL mode with dudao's
// page size and every record; one that exists already is opened as Open
// opens it; a database left before Close (the process ended) is put in WAL
// mode by the next Open; and a store opened by Open meanwhile (another
// process) sees the import and puts the database in WAL mode at once, with
// the fresh store still working.
func TestOpenFresh(t *testing.T) {
	recs := storetest.Synthetic(2024, 5_000, 40, 1)
	count := func(t *testing.T, s *store.Store) int {
		t.Helper()
		return len(mustSchools(t, s, 2024, ""))
	}
	t.Run("new", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "new.db")
		s, err := store.OpenFresh(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if m := journalMode(t, s); m != "delete" {
			t.Errorf("journal mode while fresh: %s", m)
		}
		if _, err := s.ImportStreams(ctx, "tester", []store.Stream{streamOf("a.csv", recs, 1_000, store.FileBatch{})}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		size := pageSize(t, s2.DB())
		if m := journalMode(t, s2); m != "wal" || size != 16384 || count(t, s2) != len(recs) {
			t.Errorf("after Close: journal mode %s, page size %d, %d records", m, size, count(t, s2))
		}
		if d := dump(t, s2); d[len(d)-3:] != "ok\n" {
			t.Errorf("integrity check failed")
		}
	})
	t.Run("existing", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = store.OpenFresh(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if m := journalMode(t, s); m != "wal" {
			t.Errorf("an existing database: journal mode %s", m)
		}
	})
	t.Run("left before Close", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "left.db")
		s, err := store.OpenFresh(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, s, store.FileBatch{File: "a.csv", Schools: recs})
		s.DB().Close() // as if the process ended
		s2, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if m := journalMode(t, s2); m != "wal" || count(t, s2) != len(recs) {
			t.Errorf("journal mode %s, %d records", m, count(t, s2))
		}
	})
	t.Run("opened meanwhile", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
		s, err := store.OpenFresh(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		other, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := s.ImportStreams(ctx, "tester", []store.Stream{streamOf("a.csv", recs, 1_000, store.FileBatch{})}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, other); n != len(recs) {
			t.Errorf("the other store sees %d records", n)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if m := journalMode(t, other); m != "wal" {
			t.Errorf("journal mode %s", m)
		}
	})
}
