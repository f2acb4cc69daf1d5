package cli

import (
	"archive/zip"
	"bytes"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReportCountyFromFiles(t *testing.T) {
	dir := t.TempDir()
	cur := writeFile(t, dir, "2024.csv", header+goodRows)
	prev := writeFile(t, dir, "2023.csv", header+strings.ReplaceAll(goodRows, "2024,", "2023,"))
	for _, c := range []struct{ out, magic string }{
		{"report.pdf", "%PDF-"},
		{"report.xlsx", "PK"},
		{"report.html", "<!DOCTYPE html>"},
		{"报告.docx", "PK"},
	} {
		code, _, errs := run(t, dir, "report", cur, prev, "--county", "340207", "--year", "2024", "--date", "2024-09-01", "-o", c.out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.out, code, errs)
		}
		// It says where it wrote, and the file has the usual mode.
		if !strings.Contains(errs, "已写入 "+filepath.Join(dir, c.out)) {
			t.Errorf("%s: does not say where it wrote: %s", c.out, errs)
		}
		if fi, err := os.Stat(filepath.Join(dir, c.out)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v %v, want 0644", c.out, fi.Mode(), err)
		}
		b, err := os.ReadFile(filepath.Join(dir, c.out))
		if err != nil || !bytes.HasPrefix(b, []byte(c.magic)) {
			t.Fatalf("%s: %v, starts %q", c.out, err, b[:min(len(b), 16)])
		}
	}
	// HTML to stdout; the previous year is found in the files.
	code, out, errs := run(t, dir, "report", cur, prev, "--county", "鸠江区", "--format", "html", "--date", "2024-09-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"鸠江区2024年度县域义务教育优质均衡发展资源配置自评报告", "与上年比较", "2023年度", "3402070002", "2024年9月1日"} {
		if !strings.Contains(out, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	// The DOCX is a Word document, not a PDF or a workbook under its name.
	if zr, err := zip.OpenReader(filepath.Join(dir, "报告.docx")); err != nil {
		t.Fatal(err)
	} else {
		names := map[string]bool{}
		for _, f := range zr.File {
			names[f.Name] = true
		}
		zr.Close()
		if !names["word/document.xml"] || !names["word/media/chart1.png"] {
			t.Errorf("the .docx holds %v", names)
		}
	}
	// An extension dudao does not write is refused; nothing is written.
	if code, _, errs := run(t, dir, "report", cur, "--county", "340207", "-o", "报告.doc"); code != 2 || !strings.Contains(errs, ".docx") {
		t.Errorf("-o 报告.doc: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "报告.doc")); err == nil {
		t.Error("a file was written under an extension dudao does not write")
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("小学附表", "A4"); v != "3402070002" {
		t.Errorf("小学附表 A4 = %q", v)
	}
}

func TestReportPlan(t *testing.T) {
	dir := t.TempDir()
	cur := writeFile(t, dir, "2024.csv", header+goodRows)
	plan := writeFile(t, dir, "plan.json", `{"county": "340207", "year": 2024, "standard": "yzjh2017", "profile": "national",
		"feasible": true, "total_cost": 250000, "naive_cost": 300000, "lower_bound": 240000,
		"additions": [{"school_code": "3402070002", "add": {"backbone_teachers_primary": 5, "pe_art_teachers_primary": 5}, "cost": 250000}]}`)
	code, out, errs := run(t, dir, "report", cur, "--county", "340207", "--plan", plan, "--format", "html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out = html.UnescapeString(out) // html/template writes + as &#43;
	for _, w := range []string{"补短板方案摘要", "沈巷小学", "小学县级以上骨干教师数 +5 人", "25.00"} {
		if !strings.Contains(out, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	// --plan auto runs the planner for a county that fails.
	code, out, errs = run(t, dir, "report", cur, "--county", "340207", "--plan", "auto", "--format", "html")
	if code != 0 || !strings.Contains(out, "补短板方案摘要") || !strings.Contains(out, "3402070002") {
		t.Errorf("--plan auto: exit %d: %s", code, errs)
	}
	other := writeFile(t, dir, "other.json", `{"county": "340208", "feasible": false}`)
	if code, _, errs := run(t, dir, "report", cur, "--county", "340207", "--plan", other, "--format", "html"); code != 1 || !strings.Contains(errs, "340208") {
		t.Errorf("plan of another county: exit %d: %s", code, errs)
	}
}

func TestReportSummaryFromFiles(t *testing.T) {
	dir := t.TempDir()
	cur := writeFile(t, dir, "2024.csv", header+goodRows)
	for _, args := range [][]string{{"--province", "34"}, {"--province", "安徽"}, {"--city", "340200"}, {"--city", "3402"}} {
		code, out, errs := run(t, dir, append([]string{"report", cur, "--format", "html"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if !strings.Contains(out, "县区排名") || !strings.Contains(out, "鸠江区") {
			t.Errorf("%v: no ranking of 鸠江区", args)
		}
	}
	code, _, errs := run(t, dir, "report", cur, "--city", "340300", "--format", "html")
	if code != 1 || !strings.Contains(errs, "340300") {
		t.Errorf("empty city: exit %d: %s", code, errs)
	}
}

func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	cur := writeFile(t, dir, "2024.csv", header+goodRows)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{cur, "-o", "a.pdf"}, "--county、--city 或 --province"},
		{[]string{cur, "--county", "340207", "--city", "340200", "-o", "a.pdf"}, "--county、--city 或 --province"},
		{[]string{cur, "--county", "340207"}, "需要用 -o"},
		{[]string{cur, "--county", "340207", "--format", "doc", "-o", "a.doc"}, "--format"},
		{[]string{cur, "--city", "340200", "--plan", "p.json", "-o", "a.pdf"}, "--plan"},
		{[]string{cur, "--county", "340207", "--date", "2024/9/1", "-o", "a.pdf"}, "--date"},
		{[]string{cur, "--province", "火星", "-o", "a.pdf"}, "火星"},
	} {
		code, _, errs := run(t, dir, append([]string{"report"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.pdf")); err == nil {
		t.Error("a failed command left a file")
	}
}
