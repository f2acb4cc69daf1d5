package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineTap hands each complete line written to it to a channel.
type lineTap struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineTap) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		s := w.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		select {
		case w.lines <- s[:i]:
		default:
		}
		w.buf.Reset()
		w.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

// TestStartWithNoArguments runs dudao with no arguments, as a double-click
// does, on a fresh data folder: it makes the database, writes the log,
// prints the address with the set-up code, and serves the set-up page.
func TestStartWithNoArguments(t *testing.T) {
	home := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineTap{lines: make(chan string, 100)}
	vars := map[string]string{"DUDAO_HOME": home, "DUDAO_NO_BROWSER": "1"}
	e := &env{ctx: ctx, stdout: out, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- e.main(nil) }()
	var setupURL string
	var lines []string
	timeout := time.After(60 * time.Second)
	for setupURL == "" {
		select {
		case l := <-out.lines:
			lines = append(lines, l)
			if m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup\?code=[A-Z0-9]{8}`).FindString(l); m != "" {
				setupURL = m
			}
		case code := <-done:
			t.Fatalf("dudao ended with %d:\n%s", code, strings.Join(lines, "\n"))
		case <-timeout:
			t.Fatalf("no set-up address printed:\n%s", strings.Join(lines, "\n"))
		}
	}
	resp, err := http.Get(setupURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "首次设置") {
		t.Fatalf("set-up page %d:\n%.500s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(home, "dudao.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
	logText, err := os.ReadFile(filepath.Join(home, "dudao.log"))
	if err != nil || !strings.Contains(string(logText), "setup?code=") || !strings.Contains(string(logText), "数据目录：") {
		t.Errorf("log file: %v\n%s", err, logText)
	}
}

// The port dudao start tries first is taken (a second dudao, another
// program): it moves on to the next free one.
func TestFreePort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	got, err := freePort(busy.Addr().String(), 10)
	if err != nil || got == busy.Addr().String() || !strings.HasPrefix(got, "127.0.0.1:") {
		t.Errorf("freePort(%s) = %q, %v", busy.Addr(), got, err)
	}
	if _, err := freePort("nonsense", 10); err == nil {
		t.Error("an address without a port was accepted")
	}
}

func TestDataDir(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DUDAO_HOME": "/srv/d", "HOME": "/home/a"}, "/srv/d"},
		{map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/home/a"}, "/x/dudao"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/share/dudao"},
	} {
		got, err := dataDir(func(k string) string { return c.env[k] })
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("%v: %q %v, want %q", c.env, got, err, c.want)
		}
	}
}

func TestServiceInstallDryRun(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "", "service", "install", "--dry-run", "--dir", dir, "--addr", "0.0.0.0:8088")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"serve --db sqlite:" + filepath.Join(dir, "dudao.db") + " --addr 0.0.0.0:8088 --log " + filepath.Join(dir, "dudao.log"), "--dry-run：未安装"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := run(t, "", "service", "frobnicate"); code != 2 {
		t.Errorf("unknown action: exit %d", code)
	}
	if code, _, _ := run(t, "", "service"); code != 2 {
		t.Errorf("no action: exit %d", code)
	}
}
