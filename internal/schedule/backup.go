package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/riverqueue/river"

	"github.com/dudao-edu/dudao/internal/store"
)

// DefaultBackupKeep is how many days of daily backups are kept when
// Config.BackupKeep is 0.
const DefaultBackupKeep = 14

// BackupArgs is the periodic job that takes the day's backup of a SQLite
// database and deletes the daily backups older than the days kept.
type BackupArgs struct{}

// Kind names the job in the queue's table.
func (BackupArgs) Kind() string { return "dudao_backup" }

// backupName is the name of a daily backup: the time (UTC) it was taken.
// Only files of exactly this form are ever deleted.
var backupName = regexp.MustCompile(`^dudao-backup-(\d{8}-\d{6})\.db$`)

const backupStamp = "20060102-150405"

type backupWorker struct {
	river.WorkerDefaults[BackupArgs]
	st   *store.Store
	dir  string
	keep int
	now  func() time.Time
	log  *slog.Logger
}

// Work takes a backup unless the folder has one of today (local date)
// already, so that the job may run often and across restarts and still
// take one a day; then it deletes the daily backups taken more than keep
// days ago. Other files in the folder are left alone.
func (w *backupWorker) Work(ctx context.Context, _ *river.Job[BackupArgs]) error {
	now := w.now()
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	type backup struct {
		name string
		at   time.Time
	}
	var have []backup
	today := false
	y, m, d := now.Local().Date()
	for _, e := range entries {
		sub := backupName.FindStringSubmatch(e.Name())
		if sub == nil || !e.Type().IsRegular() {
			continue
		}
		at, err := time.Parse(backupStamp, sub[1])
		if err != nil {
			continue
		}
		have = append(have, backup{e.Name(), at})
		if by, bm, bd := at.Local().Date(); by == y && bm == m && bd == d {
			today = true
		}
	}
	if !today {
		name := filepath.Join(w.dir, "dudao-backup-"+now.UTC().Format(backupStamp)+".db")
		if err := w.st.Backup(ctx, name); err != nil {
			return err
		}
		w.log.Info("daily backup written", "file", name)
	}
	cutoff := now.AddDate(0, 0, -w.keep)
	for _, b := range have {
		if b.at.Before(cutoff) {
			if err := os.Remove(filepath.Join(w.dir, b.name)); err != nil {
				return fmt.Errorf("delete old backup: %w", err)
			}
			w.log.Info("old daily backup deleted", "file", b.name, "keep_days", w.keep)
		}
	}
	return nil
}

// BackupNow enqueues the daily backup job to run at once, besides its
// periodic runs. It does nothing on a store that takes no daily backups.
func (s *Scheduler) BackupNow(ctx context.Context) error {
	if !s.backups {
		return nil
	}
	_, err := s.client.Insert(ctx, BackupArgs{}, nil)
	return err
}
