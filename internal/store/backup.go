package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// NewerDatabaseError is returned by Open for a database that a newer dudao
// has migrated beyond the migrations this binary knows.
type NewerDatabaseError struct {
	Version int64 // the database's migration version
	Known   int64 // the highest migration this binary has
}

func (e *NewerDatabaseError) Error() string {
	return fmt.Sprintf("数据库由更新版本的 dudao 创建（迁移版本 %d，本程序只认识到 %d），请使用新版本", e.Version, e.Known)
}

// latestVersion is the highest migration p knows.
func latestVersion(p *goose.Provider) int64 {
	var v int64
	for _, src := range p.ListSources() {
		v = max(v, src.Version)
	}
	return v
}

// MigrationVersion is the highest migration version this binary has (the
// same on both databases).
func MigrationVersion() int64 {
	entries, err := fs.ReadDir(migrations, "migrations/"+string(SQLite))
	if err != nil {
		panic(err) // the directory is embedded
	}
	var v int64
	for _, e := range entries {
		if n, err := goose.NumericComponent(e.Name()); err == nil {
			v = max(v, n)
		}
	}
	return v
}

// withoutPassword returns the PostgreSQL URL dsn with no password in it.
func withoutPassword(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// PgDumpError is Backup's answer on PostgreSQL: dudao does not copy a
// PostgreSQL database itself; Command is the pg_dump command that does.
type PgDumpError struct{ Command string }

func (e *PgDumpError) Error() string {
	return "PostgreSQL 数据库请用 pg_dump 备份（密码从 PGPASSWORD 或 ~/.pgpass 读取，或按提示输入）：\n  " + e.Command +
		"\n恢复时用 pg_restore --clean --if-exists --dbname '数据库 URL' 备份文件"
}

// Backup writes a consistent copy of the SQLite database to path while the
// database may be in use (VACUUM INTO, which reads one snapshot). path must
// not exist: an existing file is never overwritten. The copy is written to
// a temporary name in path's directory and renamed when complete, so path
// is either absent or a whole database. On PostgreSQL Backup returns a
// *PgDumpError naming the pg_dump command to run instead.
func (s *Store) Backup(ctx context.Context, path string) (err error) {
	if s.dialect == Postgres {
		return &PgDumpError{Command: fmt.Sprintf("pg_dump --format=custom --file=%s '%s'", shellQuote(path), s.pgURL)}
	}
	defer wrap(&err, "backup to %s", path)
	if s.path == ":memory:" {
		return errors.New("an in-memory database has no file to back up")
	}
	return s.vacuumInto(ctx, path)
}

// shellQuote quotes a file name for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// vacuumInto copies the database into target through a temporary file
// beside it, refusing an existing target.
func (s *Store) vacuumInto(ctx context.Context, target string) (err error) {
	if fi, err := os.Lstat(target); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("%s 是一个文件夹：请给出备份文件的名字，如 %s", target, filepath.Join(target, "dudao-"+stamp(s.Now())+".db"))
		}
		return fmt.Errorf("%s 已存在，不会覆盖：换一个文件名，或先移走它", target)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	b := make([]byte, 6)
	rand.Read(b)
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+"."+hex.EncodeToString(b)+".tmp")
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return err
	}
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	return renameNew(tmp, target)
}

// renameNew renames the file from to the name to, which must not exist. A
// hard link refuses an existing target atomically; where the file system
// has no hard links, a rename after a check does.
func renameNew(from, to string) error {
	err := os.Link(from, to)
	switch {
	case err == nil:
		return os.Remove(from)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s 已存在，不会覆盖：换一个文件名，或先移走它", to)
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("%s 已存在，不会覆盖：换一个文件名，或先移走它", to)
	}
	return os.Rename(from, to)
}

// stamp is the time in the names of backup files.
func stamp(t time.Time) string { return t.UTC().Format("20060102-150405") }

// backupBeforeMigrate copies the database to
// <path>.before-migrate-v<version>-<time> before migrations change it.
func (s *Store) backupBeforeMigrate(ctx context.Context, version int64) error {
	target := s.path + ".before-migrate-v" + strconv.FormatInt(version, 10) + "-" + stamp(s.Now())
	if err := s.vacuumInto(ctx, target); err != nil {
		return fmt.Errorf("back up before migrating (nothing was migrated): %w", err)
	}
	return nil
}

// CheckBackup checks that file is a dudao SQLite database this binary can
// use: it opens, passes SQLite's quick check, has goose's version table, and
// its migration version is not newer than MigrationVersion. It returns the
// version. The file is only read.
func CheckBackup(ctx context.Context, file string) (version int64, err error) {
	fi, err := os.Stat(file)
	if err != nil {
		return 0, fmt.Errorf("备份文件 %s 打不开：%w", file, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s 不是普通文件，不是 dudao 备份", file)
	}
	if strings.ContainsAny(file, "?#") {
		return 0, fmt.Errorf("备份文件名 %s 含有 ? 或 #：请把文件改名后再试", file)
	}
	notDudao := func(why string) error {
		return fmt.Errorf("%s 不是 dudao 的 SQLite 备份（%s）：请给出 dudao backup 写出的文件", file, why)
	}
	// Check the header first: opening anything else would still succeed.
	f, err := os.Open(file)
	if err != nil {
		return 0, fmt.Errorf("备份文件 %s 打不开：%w", file, err)
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return 0, notDudao("不是 SQLite 数据库")
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return 0, notDudao(err.Error())
	}
	if check != "ok" {
		return 0, fmt.Errorf("备份文件 %s 已损坏（%s）：请换一个备份", file, check)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n); err != nil {
		return 0, notDudao(err.Error())
	}
	if n == 0 {
		return 0, notDudao("没有迁移版本表 goose_db_version")
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return 0, notDudao(err.Error())
	}
	if v.Int64 <= 0 {
		return 0, notDudao("没有应用任何迁移")
	}
	if known := MigrationVersion(); v.Int64 > known {
		return 0, fmt.Errorf("备份文件 %s：%w", file, &NewerDatabaseError{Version: v.Int64, Known: known})
	}
	return v.Int64, nil
}

// Restore puts a copy of the backup file in place of the SQLite database
// at dbPath, when no process is using that database. The backup is checked
// first (CheckBackup); the current database, if any, is kept as
// <dbPath>.before-restore-<time> (never deleted) and its name returned. The
// backup file itself is left as it is. A backup of an older version is
// migrated the next time the database is opened.
func Restore(ctx context.Context, file, dbPath string, now time.Time) (kept string, err error) {
	if _, err := CheckBackup(ctx, file); err != nil {
		return "", err
	}
	if a, err1 := filepath.Abs(file); err1 == nil {
		if b, err2 := filepath.Abs(dbPath); err2 == nil && a == b {
			return "", fmt.Errorf("%s 就是当前数据库，不能用它恢复自己", file)
		}
	}
	if _, err := os.Stat(dbPath); err == nil {
		if err := quiesce(ctx, dbPath); err != nil {
			return "", err
		}
		kept = dbPath + ".before-restore-" + stamp(now)
		if err := renameNew(dbPath, kept); err != nil {
			return "", fmt.Errorf("保留当前数据库 %s 失败（没有做任何改动）：%w", dbPath, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("数据库 %s：%w", dbPath, err)
	}
	if err := copyNew(file, dbPath); err != nil {
		if kept != "" {
			if rerr := os.Rename(kept, dbPath); rerr != nil {
				return "", fmt.Errorf("恢复失败：%w；原数据库保留在 %s，请把它改名回 %s", err, kept, dbPath)
			}
		}
		return "", fmt.Errorf("恢复失败，数据库 %s 没有改动：%w", dbPath, err)
	}
	return kept, nil
}

// quiesce makes sure no connection uses the database at path and folds its
// write-ahead log into the file, so that the file alone is the database:
// leaving WAL mode takes an exclusive lock, which a running server (whose
// connections hold shared locks) prevents.
func quiesce(ctx context.Context, path string) error {
	busy := fmt.Errorf("数据库 %s 正在被使用（dudao serve 还在运行？）：先停止使用它的程序，再恢复", path)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return busy
		}
		return fmt.Errorf("当前数据库 %s 打不开（%w），无法确认没有程序在使用它：确认后把它改名移开（不要删除），再运行 dudao restore", path, err)
	}
	if mode != "delete" {
		return busy
	}
	// A reader in rollback-journal mode would not have stopped the switch.
	if _, err := db.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return busy
	}
	if _, err := db.ExecContext(ctx, "ROLLBACK"); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return busy
	}
	return nil
}

// copyNew copies the file from to the name to, which must not exist,
// through a temporary file beside to.
func copyNew(from, to string) (err error) {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, src); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return renameNew(tmp.Name(), to)
}

// Path returns the SQLite database's file name, "" on PostgreSQL.
func (s *Store) Path() string { return s.path }
