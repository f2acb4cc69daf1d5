package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dudao-edu/dudao/internal/schedule"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/web"
)

// runServe: dudao serve [--db DSN] [--addr HOST:PORT] [--standard ID] [--profile ID]
// [--backup-dir DIR] [--backup-keep DAYS] [--log FILE]
func runServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "[--db DSN] [--addr 主机:端口] [--standard 标准] [--profile 方案] [--backup-dir 目录] [--backup-keep 天数] [--log 文件]")
	db := dbFlag(e, fs)
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址；只在本机访问时用 127.0.0.1，局域网内访问用 0.0.0.0:8080")
	std := fs.String("standard", "", "默认评估标准（默认：首次设置时选的，否则 yzjh2017）")
	prof := fs.String("profile", "", "默认省级方案，如 hebei、liaoning（默认：首次设置时选的，否则 national）")
	backupDir := fs.String("backup-dir", "", "SQLite 每日备份的目录（默认数据库旁的 backups）")
	backupKeep := fs.Int("backup-keep", schedule.DefaultBackupKeep, "每日备份保留的天数；0 表示不做每日备份")
	logFile := fs.String("log", "", "同时把日志追加写入这个文件（作为系统服务运行时用）")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *backupKeep < 0 {
		return usagef("--backup-keep %d 无效：给出保留的天数，0 表示不做每日备份", *backupKeep)
	}
	if *logFile != "" {
		f, err := openLog(*logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		e = e.teeTo(f)
	}
	o := serveOptions{dsn: *db, addr: *addr, std: *std, prof: *prof, backupDir: *backupDir, backupKeep: *backupKeep}
	if underServiceManager() {
		// Installed by dudao service install on Windows.
		return runUnderServiceManager(e, func(e *env) error { return serveDB(e, o) })
	}
	return serveDB(e, o)
}

// serveOptions is what serveDB needs.
type serveOptions struct {
	dsn, addr, std, prof string
	backupDir            string
	backupKeep           int
	create               bool // make the SQLite database when it does not exist (dudao start)
	// started is called with the address once the server listens (after
	// the lines serveDB prints); nil for none.
	started func(url, setupURL string)
}

// serveDB opens the database and serves it until the command's context
// ends or the process is interrupted, with the daily backups configured.
func serveDB(e *env, o serveOptions) error {
	jobs := schedule.Config{BackupDir: o.backupDir, BackupKeep: o.backupKeep}
	if o.backupKeep == 0 {
		jobs.BackupKeep = -1
	}
	st, err := openStore(e, o.dsn, o.create)
	if err != nil {
		return err
	}
	defer st.Close()
	switch path := st.Path(); {
	case st.Dialect() == store.Postgres:
		fmt.Fprintf(e.stderr, "提示：PostgreSQL 数据库不做每日备份，请用 pg_dump 定时备份（dudao backup --db … 显示命令）\n")
	case path != ":memory:" && o.backupKeep > 0:
		dir := o.backupDir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(path), "backups")
		}
		fmt.Fprintf(e.stderr, "每日备份：%s（保留 %d 天）\n", dir, o.backupKeep)
	}
	return serveWith(e, st, o.addr, o.std, o.prof, jobs, func(url, setupURL string) {
		fmt.Fprintf(e.stdout, "dudao 已启动：%s （按 Ctrl+C 停止）\n", url)
		if setupURL != "" {
			fmt.Fprintf(e.stdout, "首次使用：还没有任何账户。请在浏览器中打开下面的地址完成设置（设置码只在此处和日志中出现）：\n  %s\n", setupURL)
		}
		if o.started != nil {
			o.started(url, setupURL)
		}
	})
}

// serve runs the web application on addr until the command's context ends
// or the process is interrupted, taking no daily backups (dudao demo's
// data are made afresh). started is called with the URL once the socket
// listens.
func serve(e *env, st *store.Store, addr, std, prof string, started func(url string)) error {
	return serveWith(e, st, addr, std, prof, schedule.Config{BackupKeep: -1}, func(url, _ string) { started(url) })
}

// serveWith is serve with the background jobs configured by jobs (its
// logger is set here). started also gets the address of the first-run
// set-up, with its one-time code, while the database has no account.
func serveWith(e *env, st *store.Store, addr, std, prof string, jobs schedule.Config, started func(url, setupURL string)) error {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := web.New(web.Config{Store: st, Standard: std, Profile: prof, Logger: log})
	if err != nil {
		return err
	}
	code, err := srv.SetupCode()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("不能监听 %s：%w（端口被占用时用 --addr 换一个）", addr, err)
	}
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Reminders, due dates and clean-up run as jobs on the database.
	jobs.Log = log
	sched, err := schedule.Start(ctx, st, jobs)
	if err != nil {
		l.Close()
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sched.Stop(sctx)
	}()
	url := "http://" + browsable(l.Addr()) + "/"
	setupURL := ""
	if code != "" {
		setupURL = url + "setup?code=" + code
	}
	started(url, setupURL)
	if err := srv.Serve(ctx, l); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// browsable is the listening address as a browser on this machine reaches
// it: a server listening on every interface (0.0.0.0, ::) is reached at
// 127.0.0.1.
func browsable(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	return a.String()
}

// openLog opens the log file for appending, making its folder.
func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("不能创建日志目录：%w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("不能打开日志文件：%w", err)
	}
	return f, nil
}

// teeTo returns e writing its output to w as well (the log file).
func (e *env) teeTo(w io.Writer) *env {
	c := *e
	c.stdout, c.stderr = io.MultiWriter(e.stdout, w), io.MultiWriter(e.stderr, w)
	return &c
}
