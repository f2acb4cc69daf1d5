package browsertest_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dudao-edu/dudao/internal/browsertest"
)

// TestReleaseFirstRun builds the Linux release archive as `make dist` does,
// unpacks it, runs its start.sh against a fresh data folder and walks the
// first-run set-up in Chromium as a county office would: the address
// printed with its code, the region, a division list with a mistake (told
// by row and column), then the right list and the administrator; the
// done page offers the templates, and the account signs in again after
// a restart. Screenshots of the set-up at desk and phone width.
func TestReleaseFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a release archive")
	}
	for _, tool := range []string{"git", "tar", "gzip", "zip", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing (needed by scripts/dist.sh)", tool)
			}
			t.Skipf("%s is missing", tool)
		}
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	out := t.TempDir()
	dist := exec.Command(filepath.Join(root, "scripts", "dist.sh"), out)
	dist.Env = append(os.Environ(), "DIST_TARGETS=linux/amd64", "VERSION=v0.0.0-firstrun")
	if o, err := dist.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, o)
	}
	unpack := t.TempDir()
	name := "dudao-v0.0.0-firstrun-linux-amd64"
	if o, err := exec.Command("tar", "-xzf", filepath.Join(out, name+".tar.gz"), "-C", unpack).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, o)
	}
	// The browser's time starts now: the build may take minutes on a cold cache.
	b := browsertest.New(t)
	home := t.TempDir()
	start := func() (base, setupURL string, stop func()) {
		cmd := exec.Command(filepath.Join(unpack, name, "start.sh"), "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "DUDAO_HOME="+home, "DUDAO_NO_BROWSER=1")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stop = func() {
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
			}
		}
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				select {
				case lines <- sc.Text():
				default:
				}
			}
		}()
		// The address, then (on a fresh folder) the set-up's two lines.
		timeout := time.After(60 * time.Second)
	read:
		for {
			var line string
			select {
			case line = <-lines:
			case <-timeout:
				break read
			}
			if m := regexp.MustCompile(`dudao 已启动：(http://\S+/)`).FindStringSubmatch(line); m != nil {
				base = m[1]
				timeout = time.After(3 * time.Second)
			}
			if m := regexp.MustCompile(`http://\S+/setup\?code=[A-Z0-9]{8}`).FindString(line); m != "" {
				setupURL = m
				break
			}
		}
		if base == "" {
			stop()
			t.Fatal("start.sh printed no address")
		}
		return base, setupURL, stop
	}
	base, setupURL, stop := start()
	if setupURL == "" {
		stop()
		t.Fatal("no set-up address on a fresh folder")
	}

	// Any page leads to the set-up.
	b.Navigate(base + "overview")
	b.Wait("#setup-form")
	if !strings.HasSuffix(b.Text("h1"), "首次设置") {
		t.Errorf("first page %q", b.Text("h1"))
	}
	// The printed address carries the code.
	b.Navigate(setupURL)
	b.Wait("#setup-form")
	if b.Attr("input[name=code]", "value") == "" {
		t.Error("the code is not filled in from the printed address")
	}
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("60-setup-phone")
	if w := browsertest.Eval[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the set-up page is %d px wide at 390", w)
	}
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Screenshot("61-setup-desk")

	lists := t.TempDir()
	bad := filepath.Join(lists, "区划名单.csv")
	good := filepath.Join(lists, "区划名单（改正）.csv")
	os.WriteFile(bad, []byte("代码,名称\n341122,来安县\n3411 24,全椒县\n"), 0o644)
	os.WriteFile(good, []byte("代码,名称\n341100,滁州市\n341122,来安县\n341124,全椒县\n341181,天长市\n"), 0o644)
	fill := func(list string) {
		b.Fill("input[name=region_code]", "341100")
		b.Fill("input[name=region_name]", "滁州市")
		b.Upload("input[name=regions]", list)
		b.Fill("input[name=username]", "chuzhou")
		b.Fill("input[name=display_name]", "滁州市教育督导室")
		b.Fill("input[name=password]", "督导 2026 chuzhou")
		b.Fill("input[name=repeat]", "督导 2026 chuzhou")
	}
	fill(bad)
	b.ClickAndWait("#setup-form button[type=submit]")
	b.Wait("#setup-form")
	if txt := b.Text(".error"); !strings.Contains(txt, "区划名单.csv 第3行 A列「代码」：“3411 24”不是 6 位行政区划代码") {
		t.Errorf("the list's mistake is not told by row and column:\n%s", txt)
	}
	b.Screenshot("62-setup-mistake")
	// The form keeps what was typed but the passwords and the file.
	if v := b.Attr("input[name=region_name]", "value"); v != "滁州市" {
		t.Errorf("region name kept as %q", v)
	}
	// The corrected list, and the passwords again.
	b.Upload("input[name=regions]", good)
	b.Fill("input[name=password]", "督导 2026 chuzhou")
	b.Fill("input[name=repeat]", "督导 2026 chuzhou")
	b.ClickAndWait("#setup-form button[type=submit]")
	b.Wait("#setup-summary")
	if txt := b.Text("#setup-summary"); !strings.Contains(txt, "本系统服务 滁州市（341100），共 3 个县（市、区）") {
		t.Errorf("summary %q", txt)
	}
	for _, kind := range []string{"school", "kindergarten", "county"} {
		if st := browsertest.Eval[int](b, `fetch("/data/template/`+kind+`.xlsx").then(r => r.status)`); st != 200 {
			t.Errorf("template %s: %d", kind, st)
		}
	}
	b.Navigate(base + "setup/done")
	b.Wait("#setup-summary")
	b.Screenshot("63-setup-done")
	// The administrator adds a county clerk.
	b.Navigate(base + "accounts")
	b.Wait("#add-account")
	b.Fill("#add-account input[name=username]", "laian")
	b.Do(chromedp.SetValue(chromedp.CSS("#add-account select[name=role]"), "county"),
		chromedp.SetValue(chromedp.CSS("#add-account select[name=region]"), "341122"))
	b.ClickAndWait("#add-account button[type=submit]")
	b.Wait("#new-password")
	b.Screenshot("64-accounts")
	stop()

	// Restarted: no set-up any more; the administrator signs in.
	base, setupURL, stop = start()
	defer stop()
	if setupURL != "" {
		t.Errorf("a set-up address after the set-up: %s", setupURL)
	}
	b.ClearCookies()
	b.Navigate(base)
	b.Wait("input[name=username]")
	b.Fill("input[name=username]", "chuzhou")
	b.Fill("input[name=password]", "督导 2026 chuzhou")
	b.ClickAndWait("form[action='/login'] button[type=submit]")
	b.Wait("main")
	if txt := b.Text("header"); !strings.Contains(txt, "滁州市教育督导室") {
		t.Errorf("signed in as %q", txt)
	}
	if _, err := os.Stat(filepath.Join(home, "dudao.log")); err != nil {
		t.Errorf("no log file: %v", err)
	}
}
