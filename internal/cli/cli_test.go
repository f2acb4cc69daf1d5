package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"
)

// run runs the CLI in-process with DUDAO_DB unset and returns its exit
// code, stdout and stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{ctx: context.Background(), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	wd, _ := os.Getwd()
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code := e.main(args)
	return code, out.String(), errb.String()
}

const header = "年度,县区代码,县区名称,学校标识码,学校名称,学校类型,办学性质,城乡类型,小学在校生数,初中在校生数,小学专任教师数,初中专任教师数," +
	"小学高于规定学历教师数,初中高于规定学历教师数,小学县级以上骨干教师数,初中县级以上骨干教师数,小学体育艺术专任教师数,初中体育艺术专任教师数," +
	"教学及辅助用房面积（㎡）,体育运动场馆面积（㎡）,教学仪器设备值（元）,网络多媒体教室数（间）\n"

// A county of three primary schools and one junior school. School 0002
// fails the school rule (backbone 0.5 and PE/art 0.5 per 100).
const goodRows = "2024,340207,鸠江区,3402070001,湾里小学,小学,公办,城区,1000,,80,,50,,12,,10,,5000,8000,2200000,25\n" +
	"2024,340207,鸠江区,3402070002,沈巷小学,小学,公办,乡村,1000,,80,,50,,5,,5,,5000,8000,2200000,25\n" +
	"2024,340207,鸠江区,3402070003,白茆小学,小学,公办,镇区,2000,,160,,100,,24,,20,,10000,16000,4400000,50\n" +
	"2024,340207,鸠江区,3402070004,鸠江初中,初中,公办,城区,,1500,,150,,90,,18,,15,9000,16000,3900000,38\n"

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvaluateFilesInMemory(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+goodRows)
	// Flags after the file, as interfaces.md §1 allows.
	code, out, errs := run(t, dir, "evaluate", f, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Year     int `json:"year"`
		Counties []struct {
			Code         string `json:"code"`
			ResourcePass bool   `json:"resource_pass"`
			Parts        []struct {
				SchoolCode string `json:"school_code"`
				Pass       bool   `json:"pass"`
			} `json:"parts"`
		} `json:"counties"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Year != 2024 || len(doc.Counties) != 1 || doc.Counties[0].ResourcePass || len(doc.Counties[0].Parts) != 4 {
		t.Fatalf("doc: %+v", doc)
	}
	for _, p := range doc.Counties[0].Parts {
		if (p.SchoolCode == "3402070002") == p.Pass {
			t.Errorf("part %s pass=%v", p.SchoolCode, p.Pass)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dudao.db")); err == nil {
		t.Error("evaluating files wrote a database")
	}
	// Text output names the failing school and the shortfall.
	code, out, _ = run(t, dir, "evaluate", "--county", "鸠江区", f)
	if code != 0 || !strings.Contains(out, "沈巷小学") || !strings.Contains(out, "资源配置：未达标") || !strings.Contains(out, "每百名学生拥有县级以上骨干教师数 0.50 < 1") {
		t.Fatalf("text output:\n%s", out)
	}
}

func TestImportThenEvaluateDatabase(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024年学校数据.csv", header+goodRows)
	code, out, errs := run(t, dir, "import", f)
	if code != 0 || !strings.Contains(out, "新增 4") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	// The same file again changes nothing.
	code, out, _ = run(t, dir, "import", f)
	if code != 0 || !strings.Contains(out, "新增 0，修改 0") {
		t.Fatalf("re-import:\n%s", out)
	}
	// A corrected file: school 0002 gets the backbone teachers it lacked.
	fixed := strings.Replace(goodRows, "1000,,80,,50,,5,,5,", "1000,,80,,50,,12,,10,", 1)
	f2 := writeFile(t, dir, "2024年学校数据-更正.csv", header+fixed)
	code, out, _ = run(t, dir, "import", f2)
	if code != 0 || !strings.Contains(out, "修改 1（2 处数值）") {
		t.Fatalf("corrected import:\n%s", out)
	}
	code, out, errs = run(t, dir, "evaluate", "--format", "json")
	if code != 0 || !strings.Contains(out, `"resource_pass": true`) {
		t.Fatalf("evaluate db: exit %d %s\n%s", code, errs, out)
	}
	// The history records old → new and the file.
	code, out, _ = run(t, dir, "explain", "--county", "340207", "--indicator", "backbone_teachers", "--school", "3402070002")
	if code != 0 || !strings.Contains(out, "结论：达标") {
		t.Fatalf("explain:\n%s", out)
	}
	// The indicator by its Chinese name; a name several hold is offered, not guessed.
	code, out2, _ := run(t, dir, "explain", "--county", "340207", "--indicator", "骨干教师", "--school", "3402070002")
	if code != 0 || out2 != out {
		t.Errorf("explain by the Chinese name: %d\n%s", code, out2)
	}
	if code, _, errs := run(t, dir, "explain", "--county", "340207", "--indicator", "教师"); code != 2 || !strings.Contains(errs, "是不是") || !strings.Contains(errs, "backbone_teachers") {
		t.Errorf("explain --indicator 教师: %d %s", code, errs)
	}
	// A county by part of its name gets the full name offered.
	if code, _, errs := run(t, dir, "evaluate", "--county", "鸠江"); code == 0 || !strings.Contains(errs, "是不是：鸠江区（340207）") {
		t.Errorf("--county 鸠江: %d %s", code, errs)
	}
}

func TestImportBadFileChangesNothing(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.csv", header+goodRows)
	if code, _, errs := run(t, dir, "import", good); code != 0 {
		t.Fatal(errs)
	}
	// A later file with text in a numeric cell (row 3, 小学在校生数): the good
	// rows of that command must not be stored either.
	bad := strings.Replace(goodRows, "3402070002,沈巷小学,小学,公办,乡村,1000", "3402070002,沈巷小学,小学,公办,乡村,一千", 1)
	bad = strings.ReplaceAll(bad, "2024,", "2025,")
	b := writeFile(t, dir, "bad.csv", header+bad)
	code, _, errs := run(t, dir, "import", good, b)
	if code == 0 {
		t.Fatal("a bad file was accepted")
	}
	for _, want := range []string{"bad.csv", "3", "小学在校生数", "一千"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error does not name %q:\n%s", want, errs)
		}
	}
	code, out, _ := run(t, dir, "evaluate", "--year", "2025")
	if code == 0 || strings.Contains(out, "鸠江区") {
		t.Errorf("2025 data was stored from a bad command: %s", out)
	}
	if code, out, _ := run(t, dir, "evaluate", "--year", "2024"); code != 0 || !strings.Contains(out, "鸠江区") {
		t.Errorf("2024 data lost after a failed import: %s", out)
	}
}

func TestOutputsCSVAndXLSX(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+goodRows)
	code, out, errs := run(t, dir, "evaluate", f, "--format", "csv", "--table", "indicators")
	if code != 0 {
		t.Fatal(errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1+14 || !strings.Contains(lines[0], "差异系数") {
		t.Fatalf("csv: %d lines\n%s", len(lines), out)
	}
	x := filepath.Join(dir, "out.xlsx")
	if code, _, errs := run(t, dir, "evaluate", f, "--format", "xlsx", "-o", x); code != 0 {
		t.Fatal(errs)
	}
	wb, err := excelize.OpenFile(x)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if got := wb.GetSheetList(); strings.Join(got, ",") != "县区汇总,差异系数,学校,认定项目,说明" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := wb.GetRows("学校")
	if err != nil || len(rows) != 5 {
		t.Fatalf("学校 sheet: %v rows, %v", len(rows), err)
	}
	v, _ := wb.GetCellValue("县区汇总", "C2")
	if v != "未达标" {
		t.Errorf("县区汇总 C2 = %q", v)
	}
	// xlsx to a terminal-less stdout is refused with advice.
	if code, _, errs := run(t, dir, "evaluate", f, "--format", "xlsx"); code != 2 || !strings.Contains(errs, "-o") {
		t.Errorf("xlsx without -o: %d %s", code, errs)
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "学校模板.xlsx")
	code, _, errs := run(t, dir, "template", "--kind", "school", "-o", p)
	if code != 0 {
		t.Fatal(errs)
	}
	wb, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := wb.GetCellValue("学校", "A1")
	wb.Close()
	if h != "年度" {
		t.Errorf("A1 = %q", h)
	}
	code, out, errs := run(t, dir, "import", p)
	if code != 0 || !strings.Contains(out, "新增 0") || !strings.Contains(out, "跳过") {
		t.Fatalf("importing the bare template: %d\n%s\n%s", code, out, errs)
	}
}

func TestStandardsCommand(t *testing.T) {
	code, out, _ := run(t, "", "standards", "list")
	if code != 0 || !strings.Contains(out, "yzjh2017") || !strings.Contains(out, "hebei") {
		t.Fatalf("list:\n%s", out)
	}
	code, out, _ = run(t, "", "standards", "show", "yzjh2017", "--profile", "hebei")
	for _, want := range []string{"4.2", "5.3", "2500", "0.50", "0.45", "不足50人的教学点", "至少 6 项", "85%"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run(t, "", "standards", "show", "nope"); code != 2 || !strings.Contains(errs, "yzjh2017") {
		t.Errorf("unknown standard: %d %s", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errs := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "--help") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, out, _ := run(t, "", "evaluate", "--help"); code != 0 || !strings.Contains(out, "--format") {
		t.Errorf("--help: %d %q", code, out)
	}
	if code, _, errs := run(t, "", "evaluate", "--format", "pdf", "x.csv"); code != 2 || !strings.Contains(errs, "text") {
		t.Errorf("bad format: %d %q", code, errs)
	}
	dir := t.TempDir()
	if code, _, errs := run(t, dir, "evaluate"); code != 1 || !strings.Contains(errs, "dudao import") {
		t.Errorf("no database: %d %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "dudao.db")); err == nil {
		t.Error("evaluate created an empty database")
	}
}

func TestHelpPrintsUsageOnce(t *testing.T) {
	code, out, _ := run(t, "", "evaluate", "--help")
	if code != 0 || strings.Count(out, "用法：dudao evaluate") != 1 {
		t.Errorf("exit %d, usage printed %d times:\n%s", code, strings.Count(out, "用法：dudao evaluate"), out)
	}
}

// TestOutputToDevice: -o names a device or a pipe: it is written to, not
// replaced by a file (a run with -o /dev/null once turned the machine's
// /dev/null into a regular file).
func TestOutputToDevice(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	e := &env{stdout: io.Discard}
	if err := writeOutput(e, fifo, func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced by a file: %v", err)
	}
	if b := <-got; string(b) != "hello" {
		t.Errorf("read %q from the pipe", b)
	}
}
