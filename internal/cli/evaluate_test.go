package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaluateDetail runs evaluate at each --detail level: parts is the
// default and writes the same as no flag, to stdout and to a file alike; the
// lower levels leave out the schools, then the indicators; text follows.
func TestEvaluateDetail(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+goodRows)
	evaluate := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, dir, append([]string{"evaluate", f}, args...)...)
		if code != 0 {
			t.Fatalf("evaluate %v: exit %d: %s", args, code, errs)
		}
		return out
	}
	def := evaluate("--format", "json")
	if got := evaluate("--format", "json", "--detail", "parts"); got != def {
		t.Error("--detail parts differs from the default")
	}
	o := filepath.Join(dir, "out.json")
	evaluate("--format", "json", "-o", o)
	if b, err := os.ReadFile(o); err != nil || string(b) != def {
		t.Errorf("-o wrote something else than stdout (%v)", err)
	}
	for _, tc := range []struct {
		detail      string
		has, hasNot []string
	}{
		{"parts", []string{`"school_code"`, `"values"`, `"indicators"`, `"items"`}, nil},
		{"indicators", []string{`"indicators"`, `"items"`, `"composite_cv"`}, []string{`"values"`, `"shortfalls"`}},
		{"counties", []string{`"composite_cv"`, `"resource_pass"`, `"unmet"`}, []string{`"values"`, `"indicators"`, `"items"`}},
	} {
		out := evaluate("--format", "json", "--detail", tc.detail)
		if !json.Valid([]byte(out)) {
			t.Errorf("%s: not JSON:\n%s", tc.detail, out)
		}
		for _, s := range tc.has {
			if !strings.Contains(out, s) {
				t.Errorf("%s: lacks %s", tc.detail, s)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(out, s) {
				t.Errorf("%s: has %s", tc.detail, s)
			}
		}
	}
	if full, short := evaluate(), evaluate("--detail", "counties"); len(short) >= len(full) || !strings.Contains(full, "沈巷小学") || strings.Contains(short, "沈巷小学") {
		t.Errorf("text --detail counties should leave out the failing school:\n%s\n----\n%s", short, full)
	}
	if code, _, errs := run(t, dir, "evaluate", f, "--detail", "schools"); code != 2 || !strings.Contains(errs, "counties") {
		t.Errorf("--detail schools: exit %d, %s", code, errs)
	}
	if code, out, _ := run(t, "", "evaluate", "--help"); code != 0 || !strings.Contains(out, "-detail") {
		t.Errorf("--help lacks --detail:\n%s", out)
	}
}
