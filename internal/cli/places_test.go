package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
)

// TestPlaces writes the template, imports a generated area into a
// database, forecasts it from the database and from the file (the same
// text), and refuses a file with a bad cell, naming it.
func TestPlaces(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, dir, "places", "--template", filepath.Join(dir, "模板.xlsx")); code != 0 {
		t.Fatalf("template: exit %d: %s", code, errs)
	}
	var buf bytes.Buffer
	if err := seatsio.WriteXLSX(&buf, seats.RecordsOf(seats.Generate(seats.Primary, 5))); err != nil {
		t.Fatal(err)
	}
	f := writeFile(t, dir, "学位.xlsx", buf.String())
	dsn := "sqlite:" + filepath.Join(dir, "d.db")
	code, out, errs := run(t, dir, "places", "--db", dsn, "--county", "340207", "--import", f)
	if code != 0 || !strings.Contains(out, "已导入 340207 的学位数据") {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	code, fromDB, errs := run(t, dir, "places", "--db", dsn, "--county", "340207")
	if code != 0 {
		t.Fatalf("forecast: exit %d: %s", code, errs)
	}
	for _, want := range []string{"红色 学区 XQ04", "缺口", "回测：用 2024 年及以前的数据预测 2025 年"} {
		if !strings.Contains(fromDB, want) {
			t.Errorf("forecast lacks %q:\n%s", want, fromDB)
		}
	}
	_, fromFile, _ := run(t, dir, "places", "--county", "340207", f)
	if fromFile != fromDB {
		t.Errorf("from the file:\n%s\nfrom the database:\n%s", fromFile, fromDB)
	}
	bad := writeFile(t, dir, "births.csv", "学区,出生年份,出生人数\nXQ01,2019,四百\n")
	code, _, errs = run(t, dir, "places", "--db", dsn, "--county", "340207", "--import", bad)
	if code == 0 || !strings.Contains(errs, "births.csv 第2行 C列「出生人数」") {
		t.Errorf("bad file: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "模板.xlsx")); err != nil {
		t.Error(err)
	}
}
