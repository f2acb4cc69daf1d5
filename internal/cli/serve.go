package cli

import (
	"context"
	"fmt"
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
// [--backup-dir DIR] [--backup-keep DAYS]
func runServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "[--db DSN] [--addr 主机:端口] [--standard 标准] [--profile 方案] [--backup-dir 目录] [--backup-keep 天数]")
	db := dbFlag(e, fs)
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址；只在本机访问时用 127.0.0.1，局域网内访问用 0.0.0.0:8080")
	std := fs.String("standard", "yzjh2017", "默认评估标准")
	prof := fs.String("profile", "national", "默认省级方案（如 hebei、liaoning）")
	backupDir := fs.String("backup-dir", "", "SQLite 每日备份的目录（默认数据库旁的 backups）")
	backupKeep := fs.Int("backup-keep", schedule.DefaultBackupKeep, "每日备份保留的天数；0 表示不做每日备份")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *backupKeep < 0 {
		return usagef("--backup-keep %d 无效：给出保留的天数，0 表示不做每日备份", *backupKeep)
	}
	jobs := schedule.Config{BackupDir: *backupDir, BackupKeep: *backupKeep}
	if *backupKeep == 0 {
		jobs.BackupKeep = -1
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(e.ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintf(e.stderr, "提示：还没有任何账户。先运行 dudao user add --db %s --username admin --role province --region 省级代码\n", *db)
	}
	switch path := st.Path(); {
	case st.Dialect() == store.Postgres:
		fmt.Fprintf(e.stderr, "提示：PostgreSQL 数据库不做每日备份，请用 pg_dump 定时备份（dudao backup --db … 显示命令）\n")
	case path != ":memory:" && *backupKeep > 0:
		dir := *backupDir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(path), "backups")
		}
		fmt.Fprintf(e.stderr, "每日备份：%s（保留 %d 天）\n", dir, *backupKeep)
	}
	return serveWith(e, st, *addr, *std, *prof, jobs, func(url string) {
		fmt.Fprintf(e.stdout, "dudao 已启动：%s （按 Ctrl+C 停止）\n", url)
	})
}

// serve runs the web application on addr until the command's context ends
// or the process is interrupted, taking no daily backups (dudao demo's
// data are made afresh). started is called with the URL once the socket
// listens.
func serve(e *env, st *store.Store, addr, std, prof string, started func(url string)) error {
	return serveWith(e, st, addr, std, prof, schedule.Config{BackupKeep: -1}, started)
}

// serveWith is serve with the background jobs configured by jobs (its
// logger is set here).
func serveWith(e *env, st *store.Store, addr, std, prof string, jobs schedule.Config, started func(url string)) error {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := web.New(web.Config{Store: st, Standard: std, Profile: prof, Logger: log})
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
	started("http://" + l.Addr().String() + "/")
	if err := srv.Serve(ctx, l); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
