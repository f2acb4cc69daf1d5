package store_test

import (
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// openFile opens the SQLite store at path, closing it when the test ends.
func openFile(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// everySchool returns every school record of the years given.
func everySchool(t *testing.T, s *store.Store, years ...int) []census.School {
	t.Helper()
	var all []census.School
	for _, y := range years {
		all = append(all, mustSchools(t, s, y, "")...)
	}
	return all
}

// TestBackupRestoreDrill backs up a database that is in use, writes more,
// restores the backup and finds the later write gone and every earlier
// record as it was; the database replaced is kept beside it.
func TestBackupRestoreDrill(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "dudao.db")
	s := openFile(t, dbPath)
	s.Now = storetest.Clock(t0)
	mustImport(t, s, store.FileBatch{File: "2024.csv", Schools: storetest.Synthetic(2024, 200, 4, 1)})
	before := everySchool(t, s, 2024)
	if len(before) != 200 {
		t.Fatalf("imported %d schools, want 200", len(before))
	}

	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if v, err := store.CheckBackup(ctx, backup); err != nil || v != store.MigrationVersion() {
		t.Fatalf("CheckBackup = %d, %v; want %d", v, err, store.MigrationVersion())
	}
	// An existing file is never overwritten.
	if err := s.Backup(ctx, backup); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("second backup to the same file: %v, want a refusal", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}

	// Later writes: a new year, and a change to a school of 2024.
	mustImport(t, s, store.FileBatch{File: "2025.csv", Schools: storetest.Synthetic(2025, 30, 2, 2)})
	changed := before[0]
	changed.Name = "改过名的学校"
	mustImport(t, s, store.FileBatch{File: "fix.csv", Schools: []census.School{changed}})

	// A running server keeps the database: restore refuses and changes nothing.
	if _, err := store.Restore(ctx, backup, dbPath, t0); err == nil || !strings.Contains(err.Error(), "正在被使用") {
		t.Fatalf("restore while the database is open: %v, want a refusal", err)
	}
	if got := everySchool(t, s, 2025); len(got) != 30 {
		t.Fatalf("after the refused restore: %d schools of 2025, want 30", len(got))
	}
	s.Close()

	kept, err := store.Restore(ctx, backup, dbPath, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := dbPath + ".before-restore-20260301-090000"; kept != want {
		t.Fatalf("kept the old database as %s, want %s", kept, want)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("the backup file is gone: %v", err)
	}

	r := openFile(t, dbPath)
	if got := everySchool(t, r, 2025); len(got) != 0 {
		t.Fatalf("after restore: %d schools of 2025, want none", len(got))
	}
	if diff := cmp.Diff(before, everySchool(t, r, 2024), cmpNaN); diff != "" {
		t.Fatalf("after restore, 2024 differs (-before +after):\n%s", diff)
	}
	// The database replaced still holds the later writes.
	old := openFile(t, kept)
	if got := everySchool(t, old, 2025); len(got) != 30 {
		t.Fatalf("kept database: %d schools of 2025, want 30", len(got))
	}
}

// TestRestoreRefusesBadFiles: a file that is not a dudao SQLite backup is
// refused with its name, and the database is left as it was.
func TestRestoreRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "dudao.db")
	s := openFile(t, dbPath)
	mustImport(t, s, store.FileBatch{File: "a.csv", Schools: storetest.Synthetic(2024, 10, 1, 1)})
	s.Close()

	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte("这不是数据库\n"), 0o644)
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for file, want := range map[string]string{
		text:                             "不是 SQLite 数据库",
		other:                            "没有迁移版本表",
		filepath.Join(dir, "missing.db"): "打不开",
	} {
		_, err := store.Restore(ctx, file, dbPath, t0)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), want) {
			t.Errorf("restore %s: %v, want an error naming it and %q", filepath.Base(file), err, want)
		}
	}
	if m, _ := filepath.Glob(dbPath + ".before-restore-*"); len(m) != 0 {
		t.Errorf("a refused restore moved the database: %v", m)
	}
	if got := everySchool(t, openFile(t, dbPath), 2024); len(got) != 10 {
		t.Errorf("after refused restores: %d schools, want 10", len(got))
	}
}

// dsn is a fresh, empty database of each kind for tests that open it
// several times: SQLite in t.TempDir(), PostgreSQL on DUDAO_TEST_POSTGRES
// (skipped without it, as storetest does).
func eachDSN(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, "sqlite:"+filepath.Join(t.TempDir(), "dudao.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, storetest.PostgresDSN(t)) })
}

// rawDB opens dsn with database/sql, without migrating.
func rawDB(t *testing.T, dsn string) (*sql.DB, goose.Dialect, string) {
	t.Helper()
	driver, conn, dialect, dir := "pgx", dsn, goose.DialectPostgres, "postgres"
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, conn, dialect, dir = "sqlite", p, goose.DialectSQLite3, "sqlite"
	}
	db, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dialect, filepath.Join("migrations", dir)
}

// TestMigrateFromOlderVersion: a database migrated by an older dudao (here
// up to migration 80) is migrated to the latest by Open, keeps its data,
// and on SQLite is copied first to <name>.before-migrate-v80-<time>.
func TestMigrateFromOlderVersion(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		db, dialect, dir := rawDB(t, dsn)
		p, err := goose.NewProvider(dialect, db, os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 80); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO regions (code, name, level) VALUES ('340207', '鸠江区', 'county')`); err != nil {
			t.Fatal(err)
		}
		db.Close()

		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var v int64
		if err := s.DB().QueryRowContext(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != store.MigrationVersion() {
			t.Fatalf("after Open: version %d, want %d", v, store.MigrationVersion())
		}
		var name string
		if err := s.DB().QueryRowContext(ctx, `SELECT name FROM regions WHERE code = '340207'`).Scan(&name); err != nil || name != "鸠江区" {
			t.Fatalf("region after migrating: %q, %v", name, err)
		}
		path, ok := strings.CutPrefix(dsn, "sqlite:")
		if !ok {
			return
		}
		m, _ := filepath.Glob(path + ".before-migrate-v80-*")
		if len(m) != 1 {
			t.Fatalf("backups before migrating: %v, want one", m)
		}
		if bv, err := store.CheckBackup(ctx, m[0]); err != nil || bv != 80 {
			t.Fatalf("the backup before migrating: version %d, %v; want 80", bv, err)
		}
		// Opening the migrated database again takes no further copy.
		s.Close()
		s2, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		s2.Close()
		if m, _ := filepath.Glob(path + ".before-migrate-*"); len(m) != 1 {
			t.Fatalf("after a second open: %v, want the one backup", m)
		}
	})
}

// TestMigrateNewDatabaseTakesNoBackup: an empty file is created and
// migrated with no copy (there is nothing to keep).
func TestMigrateNewDatabaseTakesNoBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dudao.db")
	openFile(t, path).Close()
	if m, _ := filepath.Glob(path + ".before-migrate-*"); len(m) != 0 {
		t.Fatalf("a new database was backed up: %v", m)
	}
}

// TestVersionNewerDatabaseRefused: a database a newer dudao has migrated
// is refused with a message naming both versions, and is not changed.
func TestVersionNewerDatabaseRefused(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		known := store.MigrationVersion()
		newer := known + 10
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, newer); err != nil {
			t.Fatal(err)
		}
		count := func(db *sql.DB) (n int) {
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		rows := count(s.DB())
		s.Close()

		_, err = store.Open(ctx, dsn)
		var ne *store.NewerDatabaseError
		if !errors.As(err, &ne) || ne.Version != newer || ne.Known != known {
			t.Fatalf("Open of a newer database: %v, want a NewerDatabaseError", err)
		}
		if want := "迁移版本 " + itoa(newer) + "，本程序只认识到 " + itoa(known); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "请使用新版本") {
			t.Fatalf("message %q lacks %q", err, want)
		}
		db, _, _ := rawDB(t, dsn)
		if got := count(db); got != rows {
			t.Fatalf("the refused Open changed the version table: %d rows, want %d", got, rows)
		}
		if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
			if m, _ := filepath.Glob(path + ".before-*"); len(m) != 0 {
				t.Fatalf("the refused Open wrote %v", m)
			}
			// A backup of it is refused for restoring too.
			if _, err := store.CheckBackup(ctx, path); !errors.As(err, &ne) {
				t.Fatalf("CheckBackup of a newer database: %v", err)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestBackupPostgresSuggestsPgDump: on PostgreSQL Backup writes nothing and
// names the pg_dump command, without the password.
func TestBackupPostgresSuggestsPgDump(t *testing.T) {
	s := storetest.OpenPostgres(t)
	out := filepath.Join(t.TempDir(), "dudao.dump")
	err := s.Backup(ctx, out)
	var pe *store.PgDumpError
	if !errors.As(err, &pe) {
		t.Fatalf("Backup on PostgreSQL: %v, want a PgDumpError", err)
	}
	if !strings.HasPrefix(pe.Command, "pg_dump --format=custom --file="+out+" 'postgres") {
		t.Fatalf("command %q", pe.Command)
	}
	if u, _ := url.Parse(os.Getenv(storetest.EnvPostgres)); u != nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
			t.Fatalf("the message shows the password: %s", err)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("Backup on PostgreSQL wrote a file")
	}
}

// TestRestoreOverUnreadableDatabase: when the current database cannot be
// opened (say it is damaged), restore cannot tell whether a program uses
// it and says what to do; once it is moved aside, the restore goes ahead.
func TestRestoreOverUnreadableDatabase(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "dudao.db")
	s := openFile(t, dbPath)
	mustImport(t, s, store.FileBatch{File: "a.csv", Schools: storetest.Synthetic(2024, 10, 1, 1)})
	backup := filepath.Join(dir, "b.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(dbPath, []byte("damaged, not a database at all, but long enough to be read"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := store.Restore(ctx, backup, dbPath, t0)
	if err == nil || !strings.Contains(err.Error(), dbPath) || !strings.Contains(err.Error(), "改名移开") {
		t.Fatalf("restore over a damaged database: %v, want advice naming it", err)
	}
	if b, _ := os.ReadFile(dbPath); !strings.HasPrefix(string(b), "damaged") {
		t.Fatal("the refused restore changed the damaged file")
	}
	if err := os.Rename(dbPath, dbPath+".damaged"); err != nil {
		t.Fatal(err)
	}
	kept, err := store.Restore(ctx, backup, dbPath, t0)
	if err != nil || kept != "" {
		t.Fatalf("restore with no database: kept %q, %v", kept, err)
	}
	if got := everySchool(t, openFile(t, dbPath), 2024); len(got) != 10 {
		t.Fatalf("after restore: %d schools, want 10", len(got))
	}
}
