package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigFile writes a school file of n rows, large enough (over 1 MB) to be
// read as it is imported, with the row of index bad (if any) holding text
// in 小学在校生数.
func bigFile(t *testing.T, dir, name string, n, bad int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		students := "1000"
		if i == bad {
			students = "一千"
		}
		fmt.Fprintf(&b, "2024,340207,鸠江区,34020%05d,第%d小学,小学,公办,城区,%s,,80,,50,,12,,10,,5000,8000,2200000,25\n", i, i, students)
	}
	if b.Len() < 1<<20 {
		t.Fatalf("%s: %d bytes, too small to be streamed", name, b.Len())
	}
	return writeFile(t, dir, name, b.String())
}

// TestImportLargeBadFile: a large file is imported as it is read, so its
// bad row (after thousands of rows were written) is found mid-import; the
// row is still reported with its file, row, column and value, and nothing
// is stored: a database that held records holds them alone, and a
// database the import created is not left behind.
func TestImportLargeBadFile(t *testing.T) {
	dir := t.TempDir()
	bad := bigFile(t, dir, "big.csv", 12_000, 11_000)
	for _, tc := range []struct {
		name  string
		first bool // the database holds the four good rows before
	}{{"new database", false}, {"database with records", true}} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "d.db")
			if tc.first {
				good := writeFile(t, dir, "good.csv", header+goodRows)
				if code, _, errs := run(t, dir, "import", "--db", "sqlite:"+db, good); code != 0 {
					t.Fatal(errs)
				}
			}
			code, out, errs := run(t, dir, "import", "--db", "sqlite:"+db, bad)
			if code != 1 {
				t.Fatalf("exit %d: %s %s", code, out, errs)
			}
			for _, want := range []string{"big.csv", "第11002行", "小学在校生数", "一千", "没有导入任何数据"} {
				if !strings.Contains(errs, want) {
					t.Errorf("error does not name %q:\n%s", want, errs)
				}
			}
			if strings.Contains(errs, "context canceled") {
				t.Errorf("the reader's error is hidden:\n%s", errs)
			}
			if !tc.first {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if _, err := os.Stat(db + suffix); !os.IsNotExist(err) {
						t.Errorf("%s left behind: %v", filepath.Base(db+suffix), err)
					}
				}
				return
			}
			if n := schoolCount(t, "sqlite:"+db, 2024); n != 4 {
				t.Errorf("%d schools stored, want the 4 of before", n)
			}
		})
	}
	good := bigFile(t, dir, "big-good.csv", 12_000, -1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	code, out, errs := run(t, dir, "import", "--db", db, good)
	if code != 0 || !strings.Contains(out, "big-good.csv（义务教育学校）：12000 行，新增 12000") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if n := schoolCount(t, db, 2024); n != 12_000 {
		t.Errorf("%d schools stored", n)
	}
}
