// Package cli is the `dudao` command line: one function per subcommand, each
// taking its arguments and writers so tests can run the CLI in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Version, Commit and Date describe the build. scripts/dist.sh sets them
// with -ldflags "-X github.com/dudao-edu/dudao/internal/cli.Version=…" (and
// Commit, Date): the version from git describe, the full commit hash, and the
// commit's time in UTC (RFC 3339), so that a rebuild of the same commit is
// byte for byte the same.
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// env carries what a subcommand needs from its caller.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	// getenv reads the environment (DUDAO_DB and the like); tests replace it.
	getenv func(string) string
}

type command struct {
	summary string
	run     func(e *env, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"evaluate":  {"评估县域督导标准的每一项并给出认定结论（优质均衡、基本均衡、学前普及普惠）", runEvaluate},
		"import":    {"导入学校、幼儿园、县级数据文件（.xlsx / .csv），全部成功才写入", runImport},
		"judge":     {"记录或查看佐证类项目的评议（达标、未达标）和佐证材料", runJudge},
		"standards": {"列出内置评估标准和省级方案，显示每项标准值和设置", runStandards},
		"template":  {"生成带中文表头和填表说明的导入模板（.xlsx）", runTemplate},
		"explain":   {"解释一个数字：输入、公式、标准、余量", runExplain},
		"plan":      {"补短板规划：费用最低的补充方案、朴素方案对比、费用下界", runPlan},
		"forecast":  {"监测预警：指标和差异系数走势、在校生预测、哪些学校哪年会不达标", runForecast},
		"places":    {"学位预警：按学区队列推算今后几年的在校生，与学位数比较，给出缺口和回测误差；导入学位数据", runPlaces},
		"rotation":  {"教师交流轮岗台账：交流轮岗和骨干教师的比例（精确判定）、各校派出和接收；导入、导出台账和模板", runRotation},
		"report":    {"生成县级自评报告（含附表）或市、省汇总：PDF、XLSX、HTML", runReport},
		"geo":       {"导入本地区的地图（GeoJSON），总览页按认定结论给县区着色", runGeo},
		"backup":    {"备份数据库（SQLite 在运行中也可备份；PostgreSQL 给出 pg_dump 命令）", runBackup},
		"restore":   {"从 dudao backup 的备份恢复 SQLite 数据库（原数据库保留）", runRestore},
		"demo":      {"生成演示省份数据和演示账户，并启动网页服务", runDemo},
		"serve":     {"启动网页服务（默认 127.0.0.1:8080）", runServe},
		"service":   {"安装、卸载、启停系统服务（Windows 服务、systemd）：开机自动运行 dudao", runService},
		"start":     {"在本机用户的数据目录启动网页服务并打开浏览器（不带参数运行 dudao 即是这个）", runStart},
		"user":      {"管理网页账户：add、list、token、passwd", runUser},
		"version":   {"显示版本、提交和构建日期", runVersion},
	}
}

// runVersion prints the version on the first line ("dudao v1.2.0"), then the
// commit, the build date and the Go toolchain and platform.
func runVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("不需要参数：%s", strings.Join(rest, " "))
	}
	fmt.Fprintf(e.stdout, "dudao %s\ncommit: %s\ndate:   %s\ngo:     %s %s/%s\n",
		Version, Commit, Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// usageError is an error in the command's words; Main exits 2 for it.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// Main runs the command line and returns the exit code: 0 success, 1 an
// error, 2 a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.main(args)
}

func (e *env) main(args []string) int {
	if len(args) == 0 {
		// A double-click on dudao.exe: start the office's server.
		fmt.Fprintf(e.stdout, "（dudao help 列出全部命令）\n")
		err := runStart(e, nil)
		if err != nil {
			fmt.Fprintf(e.stderr, "dudao: %s\n", err)
			pauseOnError(e, err)
			return 1
		}
		return 0
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		e.usage(e.stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "dudao: 未知命令 %q。运行 dudao --help 查看可用命令。\n", args[0])
		return 2
	}
	err := cmd.run(e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(e.stderr, "dudao %s: %s\n", args[0], err)
		return 2
	}
	fmt.Fprintf(e.stderr, "dudao %s: %s\n", args[0], err)
	return 1
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, "dudao — 教育督导评估（Education supervision and evaluation）\n\n用法：dudao <命令> [参数]（不带命令：同 dudao start）\n\n命令：\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\n每个命令都有 --help。数据库用 --db 指定：sqlite:路径（默认 sqlite:dudao.db）或 postgres://…，也可设环境变量 DUDAO_DB。\n")
}

// newFlags returns a flag set whose -h prints the command's usage to stdout.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "用法：dudao %s %s\n\n", name, usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags that may stand before or after positional arguments
// (stdlib flag stops at the first positional one), and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err // the flag package has printed the usage
			}
			return nil, usagef("%s（运行 dudao %s --help 查看参数）", err, fs.Name())
		}
		rest := fs.Args()
		// flag.Parse consumes a "--" terminator: everything after it is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// dbFlag registers --db with its default from DUDAO_DB or sqlite:dudao.db.
func dbFlag(e *env, fs *flag.FlagSet) *string {
	def := e.getenv("DUDAO_DB")
	if def == "" {
		def = "sqlite:dudao.db"
	}
	return fs.String("db", def, "数据库：sqlite:路径 或 postgres://用户@主机/库名（环境变量 DUDAO_DB）")
}

// writeOutput writes by calling fn, to the file named out or to stdout. A
// file is written to a temporary name beside it and renamed on success, so an
// error never leaves a half-written file. Something that exists and is not a
// regular file (/dev/null, a named pipe, a terminal) is written to as it
// is: renaming over it would replace the device with a file.
func writeOutput(e *env, out string, fn func(io.Writer) error) (err error) {
	if out == "" || out == "-" {
		return fn(e.stdout)
	}
	if fi, err := os.Stat(out); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(out, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("不能写入 %s：%w", out, err)
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("写入 %s：%w", out, err)
		}
		return nil
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return fmt.Errorf("不能写入 %s：%w", out, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fn(tmp); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("写入 %s：%w", out, err)
	}
	// A temporary file is created readable by its owner only; the output
	// gets the usual mode (or keeps the one of the file it replaces).
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(out); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	if err = os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("写入 %s：%w", out, err)
	}
	if err = os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("写入 %s：%w", out, err)
	}
	return nil
}

// oneOf checks a flag value against the allowed ones.
func oneOf(flagName, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usagef("--%s %q 无效：可用 %s", flagName, v, strings.Join(allowed, "、"))
}
