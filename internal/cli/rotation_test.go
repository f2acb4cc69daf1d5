package cli

import (
	"fmt"
	"strings"
	"testing"
)

// rotationCSVs writes a rotation list of rotated teachers (backbone of them
// backbone teachers) and an eligible-teachers table of eligible.
func rotationCSVs(t *testing.T, dir string, eligible, rotated, backbone int) (string, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("教师编号,派出学校代码,接收学校代码,开始日期,是否骨干教师,交流方式\n")
	for i := range rotated {
		bb := "否"
		if i < backbone {
			bb = "是"
		}
		fmt.Fprintf(&b, "T%03d,3402070001,3402070002,2024-09-01,%s,交流\n", i, bb)
	}
	el := fmt.Sprintf("学校代码,学校名称,符合交流条件教师数\n3402070001,一中,%d\n", eligible)
	return writeFile(t, dir, "轮岗.csv", b.String()), writeFile(t, dir, "符合条件.csv", el)
}

// TestRotationLedgerInEvaluateDB: dudao evaluate on the database judges
// teacher_rotation from the county's ledger where it has one — exactly
// 10 % and 20 % meet, one fewer rotated teacher does not — and the typed
// figures (9 %) otherwise.
func TestRotationLedgerInEvaluateDB(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+goodRows)
	co := writeFile(t, dir, "县级.csv", countyCSV)
	if code, out, errs := run(t, dir, "import", f, co); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	item := func() (string, string) {
		t.Helper()
		code, out, errs := run(t, dir, "evaluate", "--standard", "yzjh2017", "--format", "json")
		if code != 0 {
			t.Fatalf("evaluate: %d %s", code, errs)
		}
		for _, it := range decode(t, out).Counties[0].Items {
			if it.ID == "teacher_rotation" {
				return it.Status, out
			}
		}
		t.Fatal("no teacher_rotation")
		return "", ""
	}
	if st, _ := item(); st != "not_met" {
		t.Fatalf("typed 9 %%: %s", st)
	}
	for _, tc := range []struct {
		eligible, rotated, backbone int
		want                        string
	}{{200, 20, 4, "met"}, {200, 19, 4, "not_met"}} {
		r, el := rotationCSVs(t, dir, tc.eligible, tc.rotated, tc.backbone)
		if code, out, errs := run(t, dir, "rotation", "--county", "340207", "--year", "2024", "--import", r, el); code != 0 ||
			!strings.Contains(out, "校际达标") || strings.Index(out, "校际达标") > strings.Index(out, "已导入") {
			t.Fatalf("rotation --import warns after storing, or not at all: %d %s %s", code, out, errs)
		}
		st, out := item()
		if st != tc.want || !strings.Contains(out, "交流轮岗台账") {
			t.Errorf("%d of %d: %s, want %s (the ledger named: %v)", tc.rotated, tc.eligible, st, tc.want, strings.Contains(out, "交流轮岗台账"))
		}
	}
	code, out, errs := run(t, dir, "rotation", "--county", "340207", "--year", "2024")
	if code != 0 || !strings.Contains(out, "9.50%") || !strings.Contains(out, "还需 1 人") {
		t.Errorf("rotation text: %d %s\n%s", code, errs, out)
	}
	// A ledger of another school year than --year is refused.
	r, el := rotationCSVs(t, dir, 200, 20, 4)
	if code, _, errs := run(t, dir, "rotation", "--county", "340207", "--year", "2023", "--import", r, el); code == 0 || !strings.Contains(errs, "2024 学年") {
		t.Errorf("another school year: %d %s", code, errs)
	}
	if code, _, errs := run(t, dir, "rotation", "--template", "模板.xlsx"); code != 0 {
		t.Errorf("template: %s", errs)
	}
}
