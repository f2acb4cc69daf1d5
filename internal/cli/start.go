package cli

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/dudao-edu/dudao/internal/schedule"
)

// runStart: dudao start [--dir DIR] [--addr HOST:PORT] [--no-browser], and
// dudao with no arguments (a double-click on dudao.exe): serves the
// database of the office machine's user, making it on the first start,
// with its log file and daily backups beside it; prints the address and
// opens it in the browser (the first-run set-up while there is no
// account).
func runStart(e *env, args []string) error {
	fs := newFlags(e, "start", "[--dir 目录] [--addr 主机:端口] [--no-browser]")
	def, err := dataDir(e.getenv)
	if err != nil {
		return err
	}
	dir := fs.String("dir", def, "数据目录：数据库 dudao.db、日志 dudao.log 和每日备份 backups 放在这里（也可设环境变量 DUDAO_HOME）")
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址；端口被占用时依次试后面的 10 个端口；局域网内访问用 0.0.0.0:8080")
	noBrowser := fs.Bool("no-browser", e.getenv("DUDAO_NO_BROWSER") != "", "不自动打开浏览器（也可设环境变量 DUDAO_NO_BROWSER=1）")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("不需要参数：%s", strings.Join(rest, " "))
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("不能创建数据目录 %s：%w（用 --dir 换一个目录）", *dir, err)
	}
	logPath := filepath.Join(*dir, "dudao.log")
	f, err := openLog(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	e = e.teeTo(f)
	listen, err := freePort(*addr, 10)
	if err != nil {
		return err
	}
	db := filepath.Join(*dir, "dudao.db")
	fmt.Fprintf(e.stdout, "dudao %s\n数据目录：%s\n数据库：  %s\n日志：    %s\n", Version, *dir, db, logPath)
	return serveDB(e, serveOptions{dsn: "sqlite:" + db, addr: listen, create: true, backupKeep: schedule.DefaultBackupKeep,
		started: func(url, setupURL string) {
			if *noBrowser {
				return
			}
			if err := openBrowser(cmpOr(setupURL, url)); err != nil {
				fmt.Fprintf(e.stderr, "提示：未能自动打开浏览器（%v），请手动打开上面的地址\n", err)
			}
		}})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dataDir is where dudao start keeps its files: $DUDAO_HOME, else the
// user's folder for application data: %LOCALAPPDATA%\dudao on Windows,
// ~/Library/Application Support/dudao on macOS, $XDG_DATA_HOME/dudao or
// ~/.local/share/dudao elsewhere.
func dataDir(getenv func(string) string) (string, error) {
	if d := getenv("DUDAO_HOME"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "dudao"), nil
		}
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support", "dudao"), nil
		}
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "dudao"), nil
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".local", "share", "dudao"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("找不到用户的数据目录（%v）：用 --dir 指定，或设环境变量 DUDAO_HOME", err)
	}
	return filepath.Join(d, "dudao"), nil
}

// freePort returns addr, or when its port is taken the first of the next
// tries ports that is free (a second dudao, or another program, on 8080).
func freePort(addr string, tries int) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("--addr %s 无效：写成 主机:端口，如 127.0.0.1:8080", addr)
	}
	var p int
	if _, err := fmt.Sscan(port, &p); err != nil || p < 0 || p > 65535 {
		return "", usagef("--addr %s 的端口无效", addr)
	}
	var first error
	for i := 0; i <= tries && p+i <= 65535; i++ {
		a := net.JoinHostPort(host, fmt.Sprint(p+i))
		l, err := net.Listen("tcp", a)
		if err == nil {
			l.Close()
			return a, nil
		}
		if first == nil {
			first = err
		}
		if p == 0 {
			break
		}
	}
	return "", fmt.Errorf("不能监听 %s 及其后 %d 个端口：%w（用 --addr 换一个端口）", addr, tries, first)
}

// openBrowser opens url in the desktop's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// pauseOnError keeps the console window of a double-clicked dudao.exe
// open after an error, so that it can be read: Windows closes the window
// when the program ends.
func pauseOnError(e *env, err error) {
	if err == nil || runtime.GOOS != "windows" {
		return
	}
	fmt.Fprintf(e.stderr, "\n按回车键关闭窗口…")
	bufio.NewReader(os.Stdin).ReadString('\n')
}
