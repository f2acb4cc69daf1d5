package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Two primary schools whose equipment CV is exactly 0.502 (2 490 and 7 510
// 元/生: (7510−2490)/(7510+2490)), every other CV 0, and a junior school
// that passes: the county fails ≤ 0.50 unrounded and passes at 2 decimals.
const cv502Rows = "2024,340207,鸠江区,3402070001,湾里小学,小学,公办,城区,1000,,80,,50,,12,,10,,5000,8000,2490000,25\n" +
	"2024,340207,鸠江区,3402070002,沈巷小学,小学,公办,乡村,1000,,80,,50,,12,,10,,5000,8000,7510000,25\n" +
	"2024,340207,鸠江区,3402070004,鸠江初中,初中,公办,城区,,1500,,150,,90,,18,,15,9000,16000,3900000,38\n"

func evaluateJSON(t *testing.T, dir string, args ...string) map[string]any {
	t.Helper()
	code, out, errs := run(t, dir, append([]string{"evaluate", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("evaluate %v: %d %s", args, code, errs)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestCVDecimalsSettable: cv_compare_decimals and the comparison mode can be
// set from the command line (--cv-decimals, --cv-compare) and in a profile
// file (--profile-file), and every output says which was used.
func TestCVDecimalsSettable(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+cv502Rows)
	pass := func(doc map[string]any) any { return doc["counties"].([]any)[0].(map[string]any)["resource_pass"] }
	cmpOf := func(doc map[string]any) map[string]any { return doc["comparison"].(map[string]any) }

	doc := evaluateJSON(t, dir, f)
	if pass(doc) != false || cmpOf(doc)["cv_compare_decimals"] != -1.0 || cmpOf(doc)["cv_compare"] != "unrounded" || cmpOf(doc)["method"] != "exact" {
		t.Fatalf("default: pass %v comparison %v; want false, -1, unrounded, exact", pass(doc), cmpOf(doc))
	}
	profile := writeFile(t, dir, "mine.json", `{"id": "mine", "name": "本地方案", "settings": {"cv_compare_decimals": 2}}`)
	mode := writeFile(t, dir, "mode.json", `{"id": "mode", "settings": {"cv_compare": "rounded"}}`)
	for _, args := range [][]string{{"--cv-decimals", "2"}, {"--cv-compare", "rounded"}, {"--profile-file", profile}, {"--profile-file", mode}} {
		doc := evaluateJSON(t, dir, append([]string{f}, args...)...)
		if pass(doc) != true || cmpOf(doc)["cv_compare_decimals"] != 2.0 || cmpOf(doc)["cv_compare"] != "rounded" {
			t.Errorf("%v: pass %v comparison %v; want true, 2, rounded", args, pass(doc), cmpOf(doc))
		}
	}
	// The command line wins over the file.
	if doc := evaluateJSON(t, dir, f, "--profile-file", profile, "--cv-decimals", "none"); pass(doc) != false || cmpOf(doc)["cv_compare_decimals"] != -1.0 {
		t.Errorf("file then --cv-decimals none: %v %v", pass(doc), cmpOf(doc))
	}
	// The text output says so in its header.
	code, out, errs := run(t, dir, "evaluate", f, "--cv-decimals", "2")
	if code != 0 || !strings.Contains(out, "差异系数四舍五入保留 2 位小数后与上限比较（cv_compare_decimals = 2）") {
		t.Errorf("text: %d %s\n%s", code, errs, out)
	}
	// standards show prints the setting and the mode.
	code, out, _ = run(t, dir, "standards", "show", "yzjh2017", "--profile-file", profile)
	for _, want := range []string{"cv_compare_decimals = 2", "cv_compare = rounded", "本地方案"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("standards show lacks %q:\n%s", want, out)
		}
	}
	// Reports print it.
	code, out, errs = run(t, dir, "report", f, "--county", "340207", "--format", "html", "--date", "2024-09-01", "--cv-decimals", "2")
	if code != 0 || !strings.Contains(out, "cv_compare_decimals = 2") {
		t.Errorf("report: %d %s", code, errs)
	}
	// So does the planner's JSON.
	code, out, errs = run(t, dir, "plan", f, "--county", "340207", "--format", "json", "--cv-decimals", "2")
	if code != 0 || !strings.Contains(out, `"cv_compare_decimals": 2`) {
		t.Errorf("plan: %d %s\n%s", code, errs, out)
	}
	// Bad values are usage errors.
	for _, args := range [][]string{{"--cv-decimals", "x"}, {"--cv-compare", "sometimes"}, {"--cv-compare", "unrounded", "--cv-decimals", "2"}} {
		if code, _, _ := run(t, dir, append([]string{"evaluate", f}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	bad := writeFile(t, dir, "bad.json", `{"id": "national", "settings": {"cv_compare_decimals": 2}}`)
	if code, _, errs := run(t, dir, "evaluate", f, "--profile-file", bad); code != 2 || !strings.Contains(errs, "built-in") {
		t.Errorf("a file named like a built-in profile: %d %s", code, errs)
	}
}

// TestStandardsShowFloorsExact: the 85 % floors print from their decimals.
func TestStandardsShowFloorsExact(t *testing.T) {
	code, out, _ := run(t, "", "standards", "show", "yzjh2017")
	if code != 0 || strings.Contains(out, "0000000001") || !strings.Contains(out, "equipment_value 85%（1700）") || !strings.Contains(out, "qualified_teachers 85%（3.57）") {
		t.Errorf("floors:\n%s", out)
	}
}
