// Package schedule runs dudao's background work — reminders (催报) and
// due-date notices of the reporting chain, the clearing of expired upload
// previews, and the daily backup of a SQLite database — as jobs of one
// queue (River) kept in the same database as the data, SQLite or
// PostgreSQL. Jobs survive restarts, and when
// several dudao serve processes share one PostgreSQL database River elects
// one leader to enqueue the periodic jobs, so each runs once, not once per
// process.
//
// Time enters through the clock given to Start: a job asks it what time
// it is, never time.Now, so that tests drive reminders with a controllable
// clock.
package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/dudao-edu/dudao/internal/store"
)

// Config configures the scheduler.
type Config struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Every is how often the periodic jobs run; 0 means 15 minutes.
	Every time.Duration
	// Log receives what the jobs did; nil discards it.
	Log *slog.Logger
	// BackupDir is the folder of the daily backups of a SQLite database;
	// "" means "backups" beside the database file. (PostgreSQL is backed up
	// with pg_dump, outside dudao.)
	BackupDir string
	// BackupKeep is how many days the daily backups are kept: 0 means
	// DefaultBackupKeep, a negative number takes no daily backups.
	BackupKeep int
}

// Scheduler is a running job queue.
type Scheduler struct {
	client *river.Client[*sql.Tx]
	db     *sql.DB
	own    bool
	// backups tells whether the daily backup job runs.
	backups bool
}

// RemindersArgs is the periodic job that sends the reminders due.
type RemindersArgs struct{}

// Kind names the job in the queue's table.
func (RemindersArgs) Kind() string { return "dudao_reminders" }

// CleanupArgs is the periodic job that deletes expired sessions, upload
// previews and sign-in counts.
type CleanupArgs struct{}

// Kind names the job in the queue's table.
func (CleanupArgs) Kind() string { return "dudao_cleanup" }

type remindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	st  *store.Store
	now func() time.Time
	log *slog.Logger
}

func (w *remindersWorker) Work(ctx context.Context, _ *river.Job[RemindersArgs]) error {
	n, err := w.st.SendReminders(ctx, w.now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("reminders sent", "notices", n)
	}
	return nil
}

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	st  *store.Store
	now func() time.Time
}

// Work deletes expired sessions and upload previews, and sign-in counts
// older than a day (the limits count the last 15 minutes).
func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	now := w.now()
	_, err1 := w.st.DeleteExpiredSessions(ctx)
	_, err2 := w.st.DeleteExpiredUploads(ctx, now)
	_, err3 := w.st.DeleteSignInLimitsBefore(ctx, now.Add(-24*time.Hour))
	// A survey's device cookies and address hashes served its burst
	// checks only: blanked a day after it closes, whether or not anyone
	// opens its page.
	_, err4 := w.st.PurgeSurveyTraces(ctx, now.Add(-24*time.Hour))
	return errors.Join(err1, err2, err3, err4)
}

// Migrate brings the queue's tables in st's database up to date.
func Migrate(ctx context.Context, st *store.Store) error {
	db, own, err := st.JobDB()
	if err != nil {
		return err
	}
	if own {
		defer db.Close()
	}
	return migrate(ctx, driver(st, db))
}

func driver(st *store.Store, db *sql.DB) riverdriver.Driver[*sql.Tx] {
	if st.Dialect() == store.SQLite {
		return riversqlite.New(db)
	}
	return riverdatabasesql.New(db)
}

func migrate(ctx context.Context, d riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(d, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("schedule: migrate the job queue: %w", err)
	}
	return nil
}

// Start migrates the queue and starts working it until Stop. The periodic
// jobs run once at start and then every cfg.Every.
func Start(ctx context.Context, st *store.Store, cfg Config) (_ *Scheduler, err error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Every <= 0 {
		cfg.Every = 15 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	db, own, err := st.JobDB()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && own {
			db.Close()
		}
	}()
	d := driver(st, db)
	if err := migrate(ctx, d); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &remindersWorker{st: st, now: cfg.Now, log: cfg.Log})
	river.AddWorker(workers, &cleanupWorker{st: st, now: cfg.Now})
	// The daily backup job is registered always, so that a job of it left
	// in the queue by an earlier run is worked, and scheduled only when
	// backups are taken.
	bw := &backupWorker{st: st, dir: cfg.BackupDir, keep: cfg.BackupKeep, now: cfg.Now, log: cfg.Log}
	backups := st.Dialect() == store.SQLite && st.Path() != ":memory:" && cfg.BackupKeep >= 0
	if bw.dir == "" {
		bw.dir = filepath.Join(filepath.Dir(st.Path()), "backups")
	}
	if bw.keep == 0 {
		bw.keep = DefaultBackupKeep
	}
	river.AddWorker(workers, bw)
	periodic := func(args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(cfg.Every),
			func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{RunOnStart: true})
	}
	jobs := []*river.PeriodicJob{periodic(RemindersArgs{}), periodic(CleanupArgs{})}
	if backups {
		// The job runs as often as the others and takes one backup a day.
		jobs = append(jobs, periodic(BackupArgs{}))
	}
	client, err := river.NewClient(d, &river.Config{
		Logger:       cfg.Log,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:      workers,
		PeriodicJobs: jobs,
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("schedule: start: %w", err)
	}
	return &Scheduler{client: client, db: db, own: own, backups: backups}, nil
}

// Completed returns a channel of the kinds of the jobs completed from
// now on, and a function to stop listening: tests wait on it.
func (s *Scheduler) Completed() (<-chan string, func()) {
	events, cancel := s.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	out := make(chan string, 16)
	go func() {
		defer close(out)
		for e := range events {
			kind := e.Job.Kind
			if e.Kind == river.EventKindJobFailed {
				kind += " failed"
			}
			out <- kind
		}
	}()
	return out, cancel
}

// RunNow enqueues the reminders job to run at once (after a task is
// opened, say), besides its periodic runs.
func (s *Scheduler) RunNow(ctx context.Context) error {
	_, err := s.client.Insert(ctx, RemindersArgs{}, nil)
	return err
}

// Stop stops the queue, waiting for running jobs up to ctx's deadline.
func (s *Scheduler) Stop(ctx context.Context) error {
	err := s.client.Stop(ctx)
	if s.own {
		err = errors.Join(err, s.db.Close())
	}
	return err
}
