package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/kardianos/service"
)

// dudao service install|uninstall|start|stop|status: dudao as a system
// service (a Windows service, a systemd unit, a launchd daemon; the
// kardianos/service library writes each), started with the machine and
// restarted when it fails. The service runs `dudao serve` on the same data
// folder dudao start uses (or --dir, or --db), with the log in the folder.

const serviceName = "dudao"

// runService dispatches dudao service's actions.
func runService(e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(e.stdout, "用法：dudao service install|uninstall|start|stop|status [参数]\n\n"+
			"  install    安装为系统服务（开机自动启动、出错自动重启），用 dudao start 的数据目录；需管理员（root）权限\n"+
			"  uninstall  卸载系统服务（数据不动）\n  start | stop | status  启动、停止、查看服务\n\n"+
			"install 的参数：--dir 数据目录 | --db DSN，--addr 主机:端口，--dry-run 只显示将安装什么\n")
		if len(args) == 0 {
			return usagef("缺少动作：install、uninstall、start、stop 或 status")
		}
		return nil
	}
	action, rest := args[0], args[1:]
	switch action {
	case "install":
		return serviceInstall(e, rest)
	case "uninstall", "start", "stop", "status":
		fs := newFlags(e, "service "+action, "")
		if extra, err := parse(fs, rest); err != nil {
			return err
		} else if len(extra) > 0 {
			return usagef("不需要参数：%s", strings.Join(extra, " "))
		}
		s, err := service.New(nopProgram{}, &service.Config{Name: serviceName})
		if err != nil {
			return err
		}
		if action == "status" {
			st, err := s.Status()
			switch {
			case errors.Is(err, service.ErrNotInstalled):
				fmt.Fprintf(e.stdout, "服务 %s 未安装\n", serviceName)
				return nil
			case err != nil:
				return fmt.Errorf("查看服务状态失败：%w", err)
			}
			fmt.Fprintf(e.stdout, "服务 %s：%s\n", serviceName, map[service.Status]string{service.StatusRunning: "运行中", service.StatusStopped: "已停止"}[st])
			return nil
		}
		if err := service.Control(s, action); err != nil {
			return fmt.Errorf("%s 服务失败：%w（需要管理员或 root 权限）", action, err)
		}
		fmt.Fprintf(e.stdout, "服务 %s：%s 完成\n", serviceName, action)
		return nil
	}
	return usagef("未知动作 %q：可用 install、uninstall、start、stop、status", action)
}

// serviceConfig is the service that runs dudao serve on dsn at addr with
// its log in logPath.
func serviceConfig(exe, dsn, addr, logPath, workDir string) *service.Config {
	return &service.Config{
		Name:        serviceName,
		DisplayName: "dudao 教育督导评估",
		Description: "dudao 教育督导评估网页服务（Education supervision and evaluation）",
		Executable:  exe,
		Arguments:   []string{"serve", "--db", dsn, "--addr", addr, "--log", logPath},
		// The working folder holds the data; the unit file's Restart=always
		// (systemd), the SCM's recovery (Windows) restart it.
		WorkingDirectory: workDir,
		Option:           service.KeyValue{"Restart": "always", "OnFailure": "restart", "DelayedAutoStart": true},
	}
}

func serviceInstall(e *env, args []string) error {
	fs := newFlags(e, "service install", "[--dir 目录 | --db DSN] [--addr 主机:端口] [--dry-run]")
	def, err := dataDir(e.getenv)
	if err != nil {
		return err
	}
	dir := fs.String("dir", def, "数据目录（默认与 dudao start 相同）：数据库 dudao.db 和日志 dudao.log")
	dsn := fs.String("db", "", "数据库（默认数据目录里的 dudao.db；PostgreSQL 写 postgres://…）")
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址；局域网内访问用 0.0.0.0:8080")
	dry := fs.Bool("dry-run", false, "只显示将安装的服务，不安装")
	if extra, err := parse(fs, args); err != nil {
		return err
	} else if len(extra) > 0 {
		return usagef("不需要参数：%s", strings.Join(extra, " "))
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(abs, "dudao.db")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("找不到 dudao 程序本身的路径：%w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return err
	}
	cfg := serviceConfig(exe, *dsn, *addr, filepath.Join(abs, "dudao.log"), abs)
	fmt.Fprintf(e.stdout, "服务 %s（%s）\n  运行：%s %s\n  工作目录：%s\n", cfg.Name, service.ChosenSystem(), exe, strings.Join(cfg.Arguments, " "), abs)
	if *dry {
		fmt.Fprintf(e.stdout, "（--dry-run：未安装）\n")
		return nil
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("不能创建数据目录 %s：%w", abs, err)
	}
	s, err := service.New(nopProgram{}, cfg)
	if err != nil {
		return err
	}
	if err := s.Install(); err != nil {
		return fmt.Errorf("安装服务失败：%w（需要管理员或 root 权限；已安装的请先 dudao service uninstall）", err)
	}
	if err := s.Start(); err != nil {
		return fmt.Errorf("服务已安装，但启动失败：%w（查看 %s）", err, filepath.Join(abs, "dudao.log"))
	}
	fmt.Fprintf(e.stdout, "已安装并启动。开机后自动运行；停止：dudao service stop；卸载：dudao service uninstall\n")
	return nil
}

// nopProgram is the program of a service that this process only
// controls (install, start, stop), never runs.
type nopProgram struct{}

func (nopProgram) Start(service.Service) error { return nil }
func (nopProgram) Stop(service.Service) error  { return nil }

// underServiceManager reports whether this process was started by
// Windows's service control manager, which must be answered (service.Run)
// or it kills the process; systemd and launchd need nothing of the sort.
func underServiceManager() bool { return runtime.GOOS == "windows" && !service.Interactive() }

// runUnderServiceManager runs serve as the service control manager's
// program: started when it says start, its context ended when it says stop.
func runUnderServiceManager(e *env, serve func(e *env) error) error {
	p := &managedServe{e: e, serve: serve, done: make(chan error, 1)}
	s, err := service.New(p, &service.Config{Name: serviceName})
	if err != nil {
		return err
	}
	if err := s.Run(); err != nil {
		return err
	}
	return p.err
}

type managedServe struct {
	e      *env
	serve  func(e *env) error
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func (p *managedServe) Start(service.Service) error {
	ctx, cancel := context.WithCancel(p.e.ctx)
	p.cancel = cancel
	e := *p.e
	e.ctx = ctx
	go func() { p.done <- p.serve(&e) }()
	return nil
}

func (p *managedServe) Stop(service.Service) error {
	p.once.Do(func() {
		p.cancel()
		p.err = <-p.done
	})
	return nil
}
