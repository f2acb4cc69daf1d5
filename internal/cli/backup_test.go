package cli

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func schoolCount(t *testing.T, dsn string, year int) int {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Schools(context.Background(), year, "")
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

func importSchools(t *testing.T, dsn string, year, n int) {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Import(context.Background(), "tester", []store.FileBatch{{File: "s.csv", Schools: storetest.Synthetic(year, n, 2, 7)}}); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRestoreCommands: dudao backup writes a file (and refuses to
// overwrite one), dudao restore brings it back and keeps the database it
// replaces, and bad input is refused with the file's name.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.db")
	db := "sqlite:" + path
	importSchools(t, db, 2024, 20)

	out := filepath.Join(dir, "b.db")
	code, stdout, errs := run(t, "", "backup", "--db", db, out)
	if code != 0 || !strings.Contains(stdout, "已备份到 "+out) {
		t.Fatalf("backup: %d %q %q", code, stdout, errs)
	}
	if code, _, errs := run(t, "", "backup", "--db", db, out); code != 1 || !strings.Contains(errs, out) || !strings.Contains(errs, "已存在") {
		t.Fatalf("backup over an existing file: %d %q", code, errs)
	}
	// Without a name, the backup goes beside the database.
	if code, stdout, errs := run(t, "", "backup", "--db", db); code != 0 || !strings.Contains(stdout, filepath.Join(dir, "d.backup-")) {
		t.Fatalf("backup with no name: %d %q %q", code, stdout, errs)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "d.backup-*.db")); len(m) != 1 {
		t.Fatalf("default backup files: %v", m)
	}

	importSchools(t, db, 2025, 5)
	code, stdout, errs = run(t, "", "restore", "--db", db, out)
	if code != 0 || !strings.Contains(stdout, "原数据库保留为 "+path+".before-restore-") {
		t.Fatalf("restore: %d %q %q", code, stdout, errs)
	}
	if n := schoolCount(t, db, 2025); n != 0 {
		t.Errorf("after restore: %d schools of 2025, want 0", n)
	}
	if n := schoolCount(t, db, 2024); n != 20 {
		t.Errorf("after restore: %d schools of 2024, want 20", n)
	}

	text := filepath.Join(dir, "x.db")
	os.WriteFile(text, []byte("hello"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"restore", "--db", db, text}, 1, text},
		{[]string{"restore", "--db", db, filepath.Join(dir, "none.db")}, 1, "找不到备份文件"},
		{[]string{"restore", "--db", db}, 2, "备份文件"},
		{[]string{"restore", "--db", "postgres://u@h/db", out}, 1, "pg_restore"},
		{[]string{"backup", "--db", db, "a", "b"}, 2, "一个备份文件"},
		{[]string{"backup", "--db", db, dir}, 1, dir + " 是一个文件夹"},
	} {
		if code, _, errs := run(t, "", c.args...); code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: %d %q, want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if n := schoolCount(t, db, 2024); n != 20 {
		t.Errorf("after refused restores: %d schools, want 20", n)
	}
}

// TestBackupCommandPostgres: on PostgreSQL dudao backup writes nothing and
// prints the pg_dump command, without the password.
func TestBackupCommandPostgres(t *testing.T) {
	admin := os.Getenv(storetest.EnvPostgres)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and " + storetest.EnvPostgres + " is not")
		}
		t.Skip(storetest.EnvPostgres + " is not set")
	}
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	b := make([]byte, 8)
	crand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	out := filepath.Join(t.TempDir(), "x.dump")
	code, _, errs := run(t, "", "backup", "--db", u.String(), out)
	if code != 1 || !strings.Contains(errs, "pg_dump --format=custom --file="+out) || !strings.Contains(errs, "/"+name) {
		t.Fatalf("backup on PostgreSQL: %d %q", code, errs)
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(errs, pw) {
		t.Fatalf("the message shows the password: %q", errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("backup on PostgreSQL wrote a file")
	}
}

// TestServeBackupFlags: dudao serve takes the day's backup into
// --backup-dir at start, and refuses a negative --backup-keep.
func TestServeBackupFlags(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "d.db")
	importSchools(t, db, 2024, 3)
	bk := filepath.Join(dir, "bk")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	e := &env{ctx: ctx, stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() {
		done <- e.main([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--backup-dir", bk, "--backup-keep", "3"})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m, _ := filepath.Glob(filepath.Join(bk, "dudao-backup-*.db")); len(m) == 1 {
			if _, err := store.CheckBackup(context.Background(), m[0]); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("no daily backup in %s after 30 s; stderr:\n%s", bk, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: exit %d, stderr:\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "每日备份："+bk+"（保留 3 天）") {
		t.Errorf("serve does not say where the backups go:\n%s", errb.String())
	}

	if code, _, errs := run(t, "", "serve", "--db", db, "--backup-keep", "-1"); code != 2 || !strings.Contains(errs, "--backup-keep") {
		t.Errorf("negative --backup-keep: %d %q", code, errs)
	}
}
