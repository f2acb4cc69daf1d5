package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// pageSize returns the page size of the SQLite database db.
func pageSize(t *testing.T, db *sql.DB) int {
	t.Helper()
	return pragma[int](t, db, "page_size")
}

// pragma returns the value of the SQLite pragma name of db.
func pragma[T any](t *testing.T, db *sql.DB, name string) T {
	t.Helper()
	var v T
	if err := db.QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNewDatabasePageSize: a SQLite database dudao creates has 16 KiB
// pages and is in WAL mode; one that exists keeps its page size, and its
// data.
func TestNewDatabasePageSize(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.DB().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v; want wal", mode, err)
	}
	if n := pageSize(t, s.DB()); n != 16384 {
		t.Errorf("a new database has pages of %d bytes, want 16384", n)
	}
	s.Close()

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA page_size = 4096`, `CREATE TABLE kept (x)`, `INSERT INTO kept VALUES (1)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err = store.Open(ctx, "sqlite:"+old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := pageSize(t, s.DB()); n != 4096 {
		t.Errorf("an existing database has pages of %d bytes after Open, want its 4096", n)
	}
	var x int
	if err := s.DB().QueryRowContext(ctx, `SELECT x FROM kept`).Scan(&x); err != nil || x != 1 {
		t.Errorf("an existing database's row: %d, %v", x, err)
	}
	// and it takes an import as any other
	mustImport(t, open(t, s), store.FileBatch{File: "a.csv", Schools: []census.School{rec("S1", "一小")}})
	if h, err := s.History(ctx, 2024, "S1"); err != nil || len(h) != 1 || h[0].File != "a.csv" {
		t.Errorf("history after an import into an existing database: %+v, %v", h, err)
	}
}
