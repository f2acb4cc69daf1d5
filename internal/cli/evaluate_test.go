package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
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

// BenchmarkEvaluateScaling runs dudao evaluate FILE in process on nations
// of 10 000 to 210 000 schools (about 72 a county, as in China), reading
// the CSV, evaluating and writing the CV table (csv) or every county's
// whole verdict (json), to show that the time of an evaluation grows
// linearly with its records: ns/row should stay flat.
//
//	go test ./internal/cli -run '^$' -bench EvaluateScaling -benchtime 3x
func BenchmarkEvaluateScaling(b *testing.B) {
	for _, format := range []string{"csv", "json"} {
		for _, n := range []int{10_000, 50_000, 100_000, 210_000} {
			b.Run(fmt.Sprintf("%s-%dk", format, n/1000), func(b *testing.B) {
				dir := b.TempDir()
				f := filepath.Join(dir, "nation.csv")
				writeNation(b, f, n)
				out := filepath.Join(dir, "out."+format)
				args := []string{"evaluate", f, "--format", format, "-o", out}
				if format == "csv" {
					args = append(args, "--table", "indicators")
				}
				for b.Loop() {
					var errb strings.Builder
					e := &env{ctx: context.Background(), stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}
					if code := e.main(args); code != 0 {
						b.Fatalf("exit %d: %s", code, errb.String())
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			})
		}
	}
}

// writeNation writes a synthetic nation of n schools to a CSV file.
func writeNation(b *testing.B, path string, n int) {
	b.Helper()
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	bw := bufio.NewWriter(fh)
	if err := censusio.WriteSchoolsCSV(bw, demo.Nation(1, max(1, n/72), n)); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
}

// TestEvaluateRestoresGC: evaluate tunes the collector while it runs (see
// batchGC) and leaves it as it found it, for the commands that follow in
// the same process.
func TestEvaluateRestoresGC(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "2024.csv", header+goodRows)
	percent := debug.SetGCPercent(77)
	limit := debug.SetMemoryLimit(1 << 40)
	defer func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}()
	for _, format := range []string{"csv", "json"} {
		if code, _, errs := run(t, dir, "evaluate", f, "--format", format); code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		runtime.GC()
		runtime.GC() // and the finalizers of the collector's tracking
		if p := debug.SetGCPercent(77); p != 77 {
			t.Errorf("%s: GOGC %d after evaluate, want 77", format, p)
		}
		if l := debug.SetMemoryLimit(1 << 40); l != 1<<40 {
			t.Errorf("%s: memory limit %d after evaluate, want %d", format, l, int64(1<<40))
		}
	}
}

// TestEvaluateFileYears: a file of several years is evaluated for its
// latest year by default, for the year asked with --year, and refused for
// a year it does not have, naming those it has; a file of one year with
// --county keeps that county alone. The records of a file of one year are
// kept without a pass over them; those of several are filtered.
func TestEvaluateFileYears(t *testing.T) {
	dir := t.TempDir()
	y2023 := strings.ReplaceAll(goodRows, "2024,340207,鸠江区", "2023,340207,鸠江区")
	other := strings.ReplaceAll(strings.ReplaceAll(goodRows, "340207,鸠江区", "340208,三山区"), ",34020700", ",34020800")
	both := writeFile(t, dir, "两年.csv", header+y2023+goodRows+other)
	counties := func(args ...string) (int, []string, string) {
		t.Helper()
		code, out, errs := run(t, dir, append([]string{"evaluate", "--format", "json"}, args...)...)
		if code != 0 {
			return code, nil, errs
		}
		var doc struct {
			Year     int `json:"year"`
			Counties []struct {
				Code  string `json:"code"`
				Parts []struct {
					SchoolCode string `json:"school_code"`
				} `json:"parts"`
			} `json:"counties"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var codes []string // year/county/parts
		for _, c := range doc.Counties {
			codes = append(codes, fmt.Sprint(doc.Year, "/", c.Code, "/", len(c.Parts)))
		}
		return code, codes, errs
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{both}, []string{"2024/340207/4", "2024/340208/4"}},
		{[]string{"--year", "2023", both}, []string{"2023/340207/4"}},
		{[]string{"--county", "三山区", both}, []string{"2024/340208/4"}},
		{[]string{"--year", "2023", "--county", "340207", both}, []string{"2023/340207/4"}},
	} {
		if code, got, errs := counties(c.args...); code != 0 || !slices.Equal(got, c.want) {
			t.Errorf("%v: exit %d, counties %v, want %v\n%s", c.args, code, got, c.want, errs)
		}
	}
	if code, _, errs := counties("--year", "2022", both); code == 0 || !strings.Contains(errs, "没有 2022 年度的数据（已有年度：2023、2024）") {
		t.Errorf("a year the file lacks: exit %d\n%s", code, errs)
	}
	one := writeFile(t, dir, "一年.csv", header+goodRows+other)
	if code, got, errs := counties("--county", "340207", one); code != 0 || !slices.Equal(got, []string{"2024/340207/4"}) {
		t.Errorf("--county on a file of one year: exit %d, counties %v\n%s", code, got, errs)
	}
	if code, _, errs := counties("--county", "340299", one); code == 0 || !strings.Contains(errs, "没有县区") {
		t.Errorf("--county the file lacks: exit %d\n%s", code, errs)
	}
}

// TestEvaluateAsRead: a CSV table without verdicts of one file is made as
// the file is read (evaluate_runs.go), and is the table made from the
// records read first, byte for byte: for a nation whose chunks cut
// counties anywhere, with its counties' rows together or a county coming
// back (read again, keeping the records), of one year or several (the
// latest by default, or --year, or a year it lacks), and with a bad row.
func TestEvaluateAsRead(t *testing.T) {
	dir := t.TempDir()
	schools := demo.Nation(7, 250, 20000)
	write := func(name string, list []census.School) string {
		var b bytes.Buffer
		if err := censusio.WriteSchoolsCSV(&b, list); err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, name, b.String())
	}
	two := slices.Clone(schools)
	for i := range two {
		if i%3 == 0 {
			two[i].Year-- // a county's schools of two years, each year's together
		}
	}
	slices.SortStableFunc(two, func(a, b census.School) int { return cmp.Compare(a.Year, b.Year) })
	back := slices.Clone(schools)
	back[len(back)-1], back[100] = back[100], back[len(back)-1] // a county comes back
	reversed := slices.Clone(schools)                           // counties in the reverse order of their codes
	slices.SortStableFunc(reversed, func(a, b census.School) int { return strings.Compare(b.CountyCode, a.CountyCode) })
	files := map[string]string{
		"nation.csv":   write("nation.csv", schools),
		"reversed.csv": write("reversed.csv", reversed),
		"two.csv":      write("two.csv", two),
		"back.csv":     write("back.csv", back),
	}
	text, err := os.ReadFile(files["nation.csv"])
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(text), ",小学,", ",学堂,", 1)
	files["bad.csv"] = writeFile(t, dir, "bad.csv", bad)
	year := fmt.Sprint(schools[0].Year)
	cases := []struct {
		file   string
		args   []string
		asRead bool
	}{
		{"nation.csv", []string{"--table", "indicators"}, true},
		{"nation.csv", []string{"--table", "parts"}, true},
		{"reversed.csv", []string{"--table", "indicators"}, true},
		{"nation.csv", []string{"--table", "indicators", "--year", year}, true},
		{"two.csv", []string{"--table", "indicators"}, true},
		{"two.csv", []string{"--table", "parts", "--year", fmt.Sprint(schools[0].Year - 1)}, true},
		{"two.csv", []string{"--table", "indicators", "--year", "2000"}, false},
		{"back.csv", []string{"--table", "indicators"}, false},
		{"bad.csv", []string{"--table", "indicators"}, false},
		{"nation.csv", []string{"--table", "counties"}, false},
		{"nation.csv", []string{"--table", "indicators", "--county", schools[0].CountyCode}, false},
	}
	for _, c := range cases {
		args := append([]string{"evaluate", files[c.file], "--format", "csv"}, c.args...)
		evaluateAsRead = false
		wantCode, want, wantErr := run(t, dir, args...)
		evaluateAsRead = true
		before := asReadWritten.Load()
		code, got, gotErr := run(t, dir, args...)
		if code != wantCode || got != want || gotErr != wantErr {
			t.Errorf("%s %v: exit %d, %d bytes, stderr %q; read first: exit %d, %d bytes, stderr %q",
				c.file, c.args, code, len(got), gotErr, wantCode, len(want), wantErr)
		}
		if asRead := asReadWritten.Load() > before; asRead != c.asRead {
			t.Errorf("%s %v: made as read %v, want %v", c.file, c.args, asRead, c.asRead)
		}
		if c.asRead && (code != 0 || strings.Count(got, "\n") < 100) {
			t.Errorf("%s %v: exit %d, %d lines", c.file, c.args, code, strings.Count(got, "\n"))
		}
		// Into a file, through a temporary one: the same bytes.
		if code != 0 {
			continue
		}
		out := filepath.Join(dir, "out.csv")
		if code, _, errs := run(t, dir, append(args, "-o", out)...); code != 0 {
			t.Fatalf("%s %v -o: exit %d: %s", c.file, c.args, code, errs)
		}
		if b, err := os.ReadFile(out); err != nil || string(b) != want {
			t.Errorf("%s %v -o: %d bytes written, want %d (%v)", c.file, c.args, len(b), len(want), err)
		}
	}
}
