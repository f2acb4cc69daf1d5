package schedule_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/schedule"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestSchedulerDailyBackup runs the backup job on a controllable clock: it
// takes one backup a day however often it runs, the backup is a whole
// database, and the daily backups older than the days kept are deleted
// while every other file in the folder stays.
func TestSchedulerDailyBackup(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	seed(t, st)
	dir := filepath.Join(t.TempDir(), "bk")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{
		"dudao-backup-20260301-010000.db", // 19 days before the first run: deleted
		"dudao-backup-20260305-003000.db", // 15 days: deleted
		"dudao-backup-20260307-020000.db", // 13 days: kept
		"dudao-backup-20260301.db",        // not a daily backup's name: kept
		"notes.txt",                       // kept
		"dudao-backup-20260301-010000.db.keep",
	} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var c clock
	c.set(time.Date(2026, 3, 20, 1, 0, 0, 0, time.UTC))
	s, err := schedule.Start(ctx, st, schedule.Config{Now: c.now, Every: time.Hour, BackupDir: dir, BackupKeep: 14})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	ch, cancel := s.Completed()
	defer cancel()
	waitFor(t, ch, "dudao_backup") // runs at start
	want := []string{
		"dudao-backup-20260301-010000.db.keep",
		"dudao-backup-20260301.db",
		"dudao-backup-20260307-020000.db",
		"dudao-backup-20260320-010000.db",
		"notes.txt",
	}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after the first run:\n got %v\nwant %v", got, want)
	}
	if v, err := store.CheckBackup(ctx, filepath.Join(dir, "dudao-backup-20260320-010000.db")); err != nil || v != store.MigrationVersion() {
		t.Fatalf("the daily backup: version %d, %v", v, err)
	}

	// Later the same day: no second backup.
	c.set(time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC))
	if err := s.BackupNow(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, "dudao_backup")
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("a second run the same day changed the folder:\n got %v\nwant %v", got, want)
	}

	// Seven days on: a new backup, and the one of 7 March is now too old.
	c.set(time.Date(2026, 3, 27, 1, 0, 0, 0, time.UTC))
	if err := s.BackupNow(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, "dudao_backup")
	want = []string{
		"dudao-backup-20260301-010000.db.keep",
		"dudao-backup-20260301.db",
		"dudao-backup-20260320-010000.db",
		"dudao-backup-20260327-010000.db",
		"notes.txt",
	}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("a week later:\n got %v\nwant %v", got, want)
	}
}

// TestSchedulerBackupDefaults: with no folder given, the backups go to
// "backups" beside the database; a negative keep takes none.
func TestSchedulerBackupDefaults(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	var c clock
	c.set(time.Date(2026, 3, 20, 1, 0, 0, 0, time.UTC))
	s, err := schedule.Start(ctx, st, schedule.Config{Now: c.now, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ch, cancel := s.Completed()
	waitFor(t, ch, "dudao_backup")
	cancel()
	s.Stop(ctx)
	dir := filepath.Join(filepath.Dir(st.Path()), "backups")
	if got := names(t, dir); !slices.Equal(got, []string{"dudao-backup-20260320-010000.db"}) {
		t.Fatalf("default folder holds %v", got)
	}
	os.RemoveAll(dir)

	s, err = schedule.Start(ctx, st, schedule.Config{Now: c.now, Every: time.Hour, BackupKeep: -1})
	if err != nil {
		t.Fatal(err)
	}
	ch, cancel = s.Completed()
	waitFor(t, ch, "dudao_cleanup")
	cancel()
	if err := s.BackupNow(ctx); err != nil {
		t.Fatal(err)
	}
	s.Stop(ctx)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("with backups off, the folder exists: %v", err)
	}
}
