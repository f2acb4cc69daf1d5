package cli

import (
	"strings"
	"testing"
)

// TestImportConfirmUnits: 元 figures under a 万元 header used to be stored
// ten thousand times too large after a warning. The import is refused
// unless --confirm-units says the header is right, and the refusal says so.
func TestImportConfirmUnits(t *testing.T) {
	dir := t.TempDir()
	wan := strings.Replace(header, "教学仪器设备值（元）", "教学仪器设备值（万元）", 1)
	f := writeFile(t, dir, "wan.csv", wan+goodRows)
	code, out, errs := run(t, dir, "import", f)
	if code == 0 {
		t.Fatalf("import of 元 values under a 万元 header succeeded:\n%s", out)
	}
	for _, want := range []string{"wan.csv 第2行", "教学仪器设备值（万元）", "生均高达", "--confirm-units"} {
		if !strings.Contains(errs, want) {
			t.Errorf("refusal does not mention %q:\n%s", want, errs)
		}
	}
	if code, out, _ := run(t, dir, "evaluate", "--year", "2024"); code == 0 && strings.Contains(out, "鸠江区") {
		t.Fatalf("refused import stored data:\n%s", out)
	}
	code, out, errs = run(t, dir, "import", "--confirm-units", f)
	if code != 0 || !strings.Contains(out, "新增 4") || !strings.Contains(errs+out, "生均高达") {
		t.Fatalf("confirmed import: exit %d\n%s\n%s", code, out, errs)
	}
	// Commands that read files in memory take the flag too.
	if code, _, errs := run(t, dir, "evaluate", f); code == 0 || !strings.Contains(errs, "--confirm-units") {
		t.Errorf("evaluate of the file without --confirm-units: exit %d\n%s", code, errs)
	}
	if code, _, errs := run(t, dir, "evaluate", "--confirm-units", f); code != 0 {
		t.Errorf("evaluate --confirm-units: exit %d\n%s", code, errs)
	}
}

// TestNotesOnOneLine: a header typed with Alt+Enter printed its warning over
// two lines.
func TestNotesOnOneLine(t *testing.T) {
	dir := t.TempDir()
	h := strings.Replace(header, "\n", ",\"备\n注\"\n", 1)
	rows := strings.ReplaceAll(goodRows, "\n", ",x\n")
	f := writeFile(t, dir, "nl.csv", h+rows)
	code, out, errs := run(t, dir, "import", f)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "提示：nl.csv 第1行 W列「备⏎注」：未识别的列") {
		t.Errorf("stderr:\n%s", errs)
	}
	for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
		if !strings.HasPrefix(line, "提示：") {
			t.Errorf("line %q is not a note of its own", line)
		}
	}
}
