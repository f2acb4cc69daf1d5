package cli

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestVersionPrintsStamp checks what `dudao version` prints from the values
// that scripts/dist.sh stamps with -ldflags -X.
func TestVersionPrintsStamp(t *testing.T) {
	defer func(v, c, d string) { Version, Commit, Date = v, c, d }(Version, Commit, Date)
	Version, Commit, Date = "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-04T15:00:00Z"
	var out, errb bytes.Buffer
	if code := Main(t.Context(), []string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "dudao v1.2.3" {
		t.Errorf("first line %q, want %q", lines[0], "dudao v1.2.3")
	}
	for _, want := range []string{"commit: " + Commit, "date:   " + Date, "go:     go1."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := Main(t.Context(), []string{"version", "extra"}, &out, &errb); code != 2 {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}

// TestDist runs scripts/dist.sh as `make dist` does, into a temporary folder,
// and checks the archives' members, SHA256SUMS (with sha256sum -c), that the
// Linux amd64 binary unpacked by tar prints the stamped version, commit and
// date, and that a second build gives the same checksum.
//
// It builds linux/amd64 only (about 10 s with a warm Go build cache, 3 to 4
// minutes cold on a busy 2-core machine: each target compiles every package
// anew under -trimpath); DUDAO_TEST_DIST_TARGETS="windows/amd64 linux/amd64
// linux/arm64 darwin/arm64" builds and checks all four (the Windows .zip
// too; about 35 s warm). -short skips it.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: cross-compiles release archives (minutes with a cold Go build cache)")
	}
	for _, tool := range []string{"git", "tar", "gzip", "zip", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing (needed by scripts/dist.sh)", tool)
			}
			t.Skipf("%s is missing (needed by scripts/dist.sh)", tool)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skipf("not a git checkout (%v): dist.sh stamps the commit", err)
	}
	targets := os.Getenv("DUDAO_TEST_DIST_TARGETS")
	if targets == "" {
		targets = "linux/amd64"
	}
	const version = "v0.0.0-disttest"
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	commit := git("rev-parse", "HEAD")
	epoch, err := strconv.ParseInt(git("log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	date := time.Unix(epoch, 0).UTC().Format(time.RFC3339)

	dist := func(dir, targets string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(root, "scripts", "dist.sh"), dir)
		cmd.Env = append(os.Environ(), "VERSION="+version, "DIST_TARGETS="+targets, "SOURCE_DATE_EPOCH=")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("scripts/dist.sh: %v\n%s", err, out)
		}
		t.Logf("scripts/dist.sh (%s) took %s", targets, time.Since(start).Round(100*time.Millisecond))
	}
	dir := t.TempDir()
	dist(dir, targets)

	// Every archive holds one folder with the binary, its start script,
	// README.md and LICENSE, with the modes a user needs.
	var names []string
	for target := range strings.FieldsSeq(targets) {
		goos, goarch, _ := strings.Cut(target, "/")
		base := "dudao-" + version + "-" + goos + "-" + goarch
		if goos == "windows" {
			names = append(names, base+".zip")
			checkZip(t, filepath.Join(dir, base+".zip"), base)
		} else {
			names = append(names, base+".tar.gz")
			checkTarGz(t, filepath.Join(dir, base+".tar.gz"), base)
		}
	}

	// SHA256SUMS lists exactly these archives and verifies.
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for line := range strings.Lines(string(sums)) {
		hash, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "  ")
		if !ok || len(hash) != 64 {
			t.Errorf("SHA256SUMS line %q is not in sha256sum format", line)
		}
		listed = append(listed, name)
	}
	slices.Sort(listed)
	slices.Sort(names)
	if !slices.Equal(listed, names) {
		t.Errorf("SHA256SUMS lists %v, want %v", listed, names)
	}
	check := exec.Command("sha256sum", "-c", "SHA256SUMS")
	check.Dir = dir
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}

	// The Linux amd64 archive, unpacked by tar, runs and prints its stamp.
	linux := "dudao-" + version + "-linux-amd64"
	if !strings.Contains(targets, "linux/amd64") {
		t.Fatalf("DUDAO_TEST_DIST_TARGETS must include linux/amd64")
	}
	unpack := t.TempDir()
	if out, err := exec.Command("tar", "-xzf", filepath.Join(dir, linux+".tar.gz"), "-C", unpack).CombinedOutput(); err != nil {
		t.Fatalf("tar -xzf: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(unpack, linux, "dudao"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("dudao version: %v\n%s", err, out)
	}
	for _, want := range []string{"dudao " + version + "\n", "commit: " + commit + "\n", "date:   " + date + "\n", "linux/amd64"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dudao version lacks %q:\n%s", want, out)
		}
	}

	// start.sh on a fresh data folder makes the database and serves the
	// first-run set-up at the address it prints. (The browser walks the
	// set-up on this archive in internal/browsertest.)
	home := t.TempDir()
	start := exec.Command(filepath.Join(unpack, linux, "start.sh"), "--addr", "127.0.0.1:0")
	start.Env = append(os.Environ(), "DUDAO_HOME="+home, "DUDAO_NO_BROWSER=1")
	stdout, err := start.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	defer start.Process.Kill()
	setupURL := ""
	sc := bufio.NewScanner(stdout)
	for setupURL == "" && sc.Scan() {
		setupURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup\?code=[A-Z0-9]{8}`).FindString(sc.Text())
	}
	if setupURL == "" {
		t.Fatalf("start.sh printed no set-up address")
	}
	resp, err := http.Get(setupURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("set-up page: %d", resp.StatusCode)
	}
	start.Process.Signal(os.Interrupt)
	start.Wait()
	if _, err := os.Stat(filepath.Join(home, "dudao.db")); err != nil {
		t.Errorf("start.sh made no database in DUDAO_HOME: %v", err)
	}

	// Reproducible: building linux/amd64 again gives the same archive.
	again := t.TempDir()
	dist(again, "linux/amd64")
	first, err := os.ReadFile(filepath.Join(dir, linux+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(filepath.Join(again, linux+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two builds of %s differ (%d and %d bytes)", linux, len(first), len(second))
	}
}

// checkTarGz checks a Unix archive's members: names, modes and owner.
func checkTarGz(t *testing.T, path, base string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !gz.ModTime.IsZero() {
		t.Errorf("%s: gzip header holds a time (%v): not reproducible", path, gz.ModTime)
	}
	want := map[string]int64{base + "/": 0o755, base + "/dudao": 0o755, base + "/start.sh": 0o755, base + "/README.md": 0o644, base + "/LICENSE": 0o644}
	got := map[string]int64{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got[h.Name] = h.Mode & 0o777
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: %s is owned by %d:%d, want 0:0", path, h.Name, h.Uid, h.Gid)
		}
		if h.Name == base+"/start.sh" {
			b, _ := io.ReadAll(tr)
			if !strings.HasPrefix(string(b), "#!/bin/sh\n") || !strings.Contains(string(b), "./dudao start") {
				t.Errorf("%s: start.sh does not run dudao start:\n%s", path, b)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s holds %v, want %v", path, got, want)
	}
	for name, mode := range want {
		if m, ok := got[name]; !ok || m != mode {
			t.Errorf("%s: %s has mode %o (present %v), want %o", path, name, m, ok, mode)
		}
	}
}

// checkZip checks the Windows archive's members and its start.bat.
func checkZip(t *testing.T, path, base string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		if f.Name == base+"/start.bat" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			s := string(b)
			if !strings.Contains(s, "dudao.exe start") || strings.Count(s, "\r\n") != strings.Count(s, "\n") {
				t.Errorf("%s: start.bat does not run dudao.exe start with CRLF line ends:\n%q", path, s)
			}
		}
	}
	want := []string{base + "/LICENSE", base + "/README.md", base + "/dudao.exe", base + "/start.bat"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v", path, got, want)
	}
}
