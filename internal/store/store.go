// Package store keeps dudao's census records, regions and import history in
// SQLite or PostgreSQL through one database/sql code path.
//
// Every write is one transaction: an import of several files either lands
// completely or not at all, so a command never leaves a half-written
// database. The SQL is written in the subset both databases accept ($n
// placeholders, INSERT … ON CONFLICT … DO UPDATE, RETURNING); the few places
// where the dialects differ are marked.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers driver "sqlite"
)

// ErrNotFound is returned by the methods that look up one thing (a school, a
// school's history) when there is none. Methods that list things return an
// empty list instead.
var ErrNotFound = errors.New("not found")

// Dialect names the database behind a Store.
type Dialect string

// The two databases dudao runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is dudao's database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	// readers is how many queries a read of every county runs at once
	// (see readParallel); 1 reads in one query.
	readers int
	// path is the SQLite database's file ("" on PostgreSQL).
	path string
	// pgURL is the PostgreSQL URL without its password ("" on SQLite), for
	// the pg_dump command Backup suggests.
	pgURL string

	// Now is the clock that stamps batches and changes; tests replace it.
	// Times are stored in UTC with microsecond precision (PostgreSQL's).
	Now func() time.Time

	// stmts holds the statements queryRow prepared, by their SQL.
	stmts sync.Map
	// toWAL: OpenFresh created the SQLite file with a rollback journal,
	// and Close puts it in WAL mode.
	toWAL bool
}

//go:embed migrations
var migrations embed.FS

// Open opens the database named by dsn and brings its schema up to date.
//
// dsn is "sqlite:PATH" (PATH may be ":memory:", then the store holds a single
// connection) or a PostgreSQL URL "postgres://…" / "postgresql://…".
func Open(ctx context.Context, dsn string) (_ *Store, err error) {
	return open(ctx, dsn, false)
}

// OpenFresh is Open for a database that an import is about to fill: when
// dsn names a SQLite file that does not exist yet, the file is created
// with a rollback journal instead of the write-ahead log, so that the
// import writes each page once, into the file, where the log takes it
// once and then again when it is copied into the file (with a flush of
// each); a nation's first import spent a fifth of its time so. Close puts
// the database in WAL mode, as Open leaves every database (and Open does
// it, should this process end first). Another process that opens the
// database meanwhile waits for the import's transaction, as for any
// writer's. Any other dsn is opened as Open opens it.
func OpenFresh(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, true)
}

func open(ctx context.Context, dsn string, fresh bool) (_ *Store, err error) {
	defer wrap(&err, "open database")
	s := &Store{Now: time.Now, readers: 1}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.ContainsRune(path, '?') {
			return nil, fmt.Errorf("bad SQLite DSN %q: want sqlite:PATH, with no '?' in PATH", dsn)
		}
		s.dialect = SQLite
		s.path = path
		params := sqliteParams
		if path != ":memory:" {
			created, err := createSQLite(ctx, path, !fresh)
			if err != nil {
				return nil, err
			}
			if created && fresh {
				s.toWAL = true
				params = strings.Replace(params, walParam, "", 1)
			}
		}
		s.db, err = sql.Open("sqlite", path+"?"+params)
		if err != nil {
			return nil, err
		}
		if path == ":memory:" {
			// Every connection to :memory: is a database of its own.
			s.db.SetMaxOpenConns(1)
		} else {
			// Opening a SQLite connection runs its pragmas; database/sql keeps
			// only 2 idle ones by default, so a busy web server would open and
			// close connections on nearly every request. Keep a pool sized
			// for the cores: SQLite reads scale no further than them.
			n := max(4, 2*runtime.GOMAXPROCS(0))
			s.db.SetMaxOpenConns(n)
			s.db.SetMaxIdleConns(n)
			s.readers = runtime.GOMAXPROCS(0)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		s.pgURL = withoutPassword(dsn)
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		// Keep connections for reuse (the default is 2 idle), without
		// exceeding a default server's 100 connections across a few instances.
		s.db.SetMaxOpenConns(20)
		s.db.SetMaxIdleConns(20)
		s.readers = min(runtime.GOMAXPROCS(0), 8)
	default:
		return nil, fmt.Errorf("unknown DSN %q: want sqlite:PATH or postgres://…", redact(dsn))
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// sqliteParams configures every SQLite connection: WAL so that readers never
// wait for the writer; foreign keys on; a writer that finds the database
// locked waits up to 10 s instead of failing; write transactions take the
// write lock at BEGIN (_txlock=immediate), so two writers queue instead of
// deadlocking when a read lock would have to be upgraded; and times are
// written in SQLite's own format, which the driver parses back.
const sqliteParams = "_pragma=busy_timeout(10000)" +
	walParam +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_txlock=immediate" +
	"&_time_format=sqlite"

const walParam = "&_pragma=journal_mode(WAL)"

// newPageSize is the page size of a SQLite database dudao creates. Pages
// of 16 KiB instead of SQLite's 4 KiB write the same rows with a quarter
// of the writes and of the WAL's frame headers: a first import of the
// nation's 206 947 records spent half a second less in write calls. A
// database's page size is fixed once its first page is written (in WAL
// mode for good), so an existing database keeps its own.
const newPageSize = 16384

// createSQLite creates the SQLite database at path with newPageSize and in
// WAL mode when there is no file there, or an empty one; it leaves an
// existing database alone. The page size must be set before journal_mode
// writes the first page, and the driver applies a DSN's pragmas in
// alphabetical order (journal_mode before page_size), hence a connection
// of its own.
func createSQLite(ctx context.Context, path string, wal bool) (created bool, err error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, nil // a database, or something Open will report on
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return false, err
	}
	defer db.Close()
	qs := []string{fmt.Sprintf("PRAGMA page_size = %d", newPageSize), "PRAGMA journal_mode = WAL"}
	if !wal {
		// The page size is fixed by the first page written.
		qs[1] = "PRAGMA user_version = 0"
	}
	for _, q := range qs {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return false, fmt.Errorf("create %s: %w", path, err)
		}
	}
	return true, nil
}

// redact hides a password that a mistyped DSN may carry.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// migrate applies the embedded migrations of the store's dialect. On
// PostgreSQL a session advisory lock keeps two dudao processes that start at
// once from migrating together.
func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db, fsys, opts...)
	if err != nil {
		return err
	}
	// An older binary must not run on (or "migrate") a database a newer one
	// has changed: refuse it before touching anything.
	// The newest version applied, in one query when goose's table is
	// there (goose's own reading takes several round trips: 10 ms of every
	// dudao evaluate --db on PostgreSQL); a new database has none.
	var cur int64
	var newest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&newest); err != nil || !newest.Valid {
		if cur, err = p.GetDBVersion(ctx); err != nil {
			return fmt.Errorf("read migration version: %w", err)
		}
	} else {
		cur = newest.Int64
	}
	known := latestVersion(p)
	if cur > known {
		return &NewerDatabaseError{Version: cur, Known: known}
	}
	if cur == known {
		// Up to date, as nearly every open finds it: no lock and no more
		// round trips (dudao evaluate --db on PostgreSQL opened in 50 ms,
		// most of it taking the migration lock and listing what was applied).
		return nil
	}
	// A SQLite database that holds data is copied before any migration
	// changes it (see backupBeforeMigrate).
	if s.dialect == SQLite && s.path != ":memory:" && cur > 0 {
		pending, err := p.HasPending(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if pending {
			if err := s.backupBeforeMigrate(ctx, cur); err != nil {
				return err
			}
		}
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(q, st any) bool {
		st.(*sql.Stmt).Close()
		s.stmts.Delete(q)
		return true
	})
	err := s.db.Close()
	if s.toWAL {
		s.toWAL = false
		if werr := toWAL(s.path); err == nil {
			err = werr
		}
	}
	return err
}

// toWAL puts the SQLite database at path in WAL mode (OpenFresh).
func toWAL(path string) error {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("store: WAL mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("store: WAL mode: the database stays in mode %s", mode)
	}
	return nil
}

// queryRow is s.db.QueryRowContext with q prepared once, for the queries
// that every request runs (its session, the versions that caches key on):
// SQLite parsed and planned each of them afresh, which took longer than
// running it (the driver keeps no statements; database/sql prepares a
// Stmt once on each connection it runs on).
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, ok := s.stmts.Load(q); ok {
		return st.(*sql.Stmt).QueryRowContext(ctx, args...)
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return s.db.QueryRowContext(ctx, q, args...) // with the error the query gives
	}
	if prev, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return st.QueryRowContext(ctx, args...)
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// JobDB returns the handle the job queue (internal/schedule) uses, and
// whether the caller must close it. On PostgreSQL that is the store's own
// pool. On SQLite it is a second handle to the same file with a single
// connection, as River's SQLite driver asks: its many small operations
// then queue behind one another instead of failing with SQLITE_BUSY, while
// the store's pool serves the pages. A :memory: database has one
// connection in all, so the queue shares it.
func (s *Store) JobDB() (db *sql.DB, own bool, err error) {
	if s.dialect != SQLite || s.path == ":memory:" {
		return s.db, false, nil
	}
	db, err = sql.Open("sqlite", s.path+"?"+sqliteParams)
	if err != nil {
		return nil, false, err
	}
	db.SetMaxOpenConns(1)
	return db, true, nil
}

// DB returns the underlying database, for tests and benchmarks that need SQL
// the store does not offer.
func (s *Store) DB() *sql.DB { return s.db }

// now returns the store's clock in the form stored: UTC, microseconds.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// writerLock is the PostgreSQL advisory lock that serialises the store's
// write transactions, so that an import diffs against rows no other import
// is changing. (SQLite's write transactions are serial already.)
const writerLock = 0x64756461 // "duda"

// inTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inConnTx(ctx, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// inConnTx is inTx that also hands fn the connection the transaction runs
// on, so that bulk writes can reach the driver (conn.Raw) inside the same
// transaction; fn must not use conn while a statement of tx is open.
func (s *Store) inConnTx(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writerLock); err != nil {
			return err
		}
	}
	if err := fn(conn, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// wrap prefixes a non-nil *errp with "store: " and the formatted context.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
