package censusio

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-edu/dudao/internal/census"
)

// TestMain shortens the time the fuzzing engine spends minimizing each new
// interesting input from 60 s to 5 s unless -test.fuzzminimizetime is
// given. A workbook input is kilobytes and an execution milliseconds, so
// minimizing one took the whole minute of a 60 s run: FuzzReadXLSX ran 41
// executions in it, all but a few of them minimization.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", "5s"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// checkRead is the property both fuzz targets check: a read never panics,
// returns exactly one of a Batch and an error, names the file in every
// error, and returns only records that satisfy the rules it enforces.
func checkRead(t *testing.T, name string, data []byte, opt Options) {
	b, err := Read(name, bytes.NewReader(data), opt)
	if (b == nil) == (err == nil) {
		t.Fatalf("Read returned batch %v and error %v; want exactly one", b != nil, err)
	}
	if err != nil {
		var es Errors
		if !errors.As(err, &es) {
			t.Fatalf("error %T %q is not Errors", err, err)
		}
		if len(es) == 0 || len(es) > MaxErrors+1 {
			t.Fatalf("%d errors", len(es))
		}
		for _, e := range es {
			if e.File != name || !strings.HasPrefix(e.Error(), name) || strings.Contains(e.Error(), "\n") {
				t.Fatalf("error %q does not start with %s on one line", e.Error(), name)
			}
			if !utf8.ValidString(e.Error()) {
				t.Fatalf("error %q is not valid UTF-8", e.Error())
			}
		}
		return
	}
	for _, k := range b.Kindergartens {
		if k.Year < 2000 || k.Year > 2100 || len(k.CountyCode) != 6 || len(k.Code) != 10 {
			t.Fatalf("invalid kindergarten accepted: %+v", k)
		}
	}
	for _, c := range b.Counties {
		if c.Year < 2000 || c.Year > 2100 || len(c.CountyCode) != 6 {
			t.Fatalf("invalid county record accepted: %+v", c)
		}
	}
	seen := map[schoolYear]bool{}
	for _, s := range b.Schools {
		if s.Year < 2000 || s.Year > 2100 || len(s.CountyCode) != 6 || len(s.Code) != 10 || s.Name == "" || s.CountyName == "" {
			t.Fatalf("invalid record accepted: %+v", s)
		}
		if _, ok := census.ParseSchoolType(string(s.Type)); !ok {
			t.Fatalf("unknown type accepted: %q", s.Type)
		}
		k := schoolYear{s.Year, s.Code}
		if seen[k] {
			t.Fatalf("duplicate %v accepted", k)
		}
		seen[k] = true
		for f, v := range s.V {
			if math.IsNaN(v) {
				continue
			}
			if v < 0 || math.IsInf(v, 0) {
				t.Fatalf("%s = %v accepted", census.Field(f), v)
			}
			if census.Columns[f].Integer && v != math.Trunc(v) {
				t.Fatalf("%s = %v (fractional) accepted", census.Field(f), v)
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, seed := range [][]byte{
		csvBytes(hdr, good, good2),
		csvBytes(hdr, with(good, "小学在校生数（人）", "1,234"), with(good2, "教学仪器设备值（元）", "1 234.5")),
		csvBytes(hdr, good, good),
		csvBytes(hdr, with(good, "学校类型", "完中")),
		csvBytes(hdr),
		csvBytes([]string{"year", "county_code", "county_name", "school_code", "school_name", "school_type", "equipment_value（万元）"},
			[]string{"２０２４", "340207", "x", "3134020701", "y", "primary", "12.5"}),
		[]byte("年度,学校名称\n\"a\"\"b\",\"c\nd\"\n"),
		[]byte("\xef\xbb\xbf" + string(csvBytes(hdr, good))),
		[]byte("\xff\xfe\x00\x00"),
		bytes.ReplaceAll(csvBytes(hdr, good, good2), []byte("\n"), []byte("\r")),
		csvBytes(hdr, good, good2[:10]),
		csvBytes(hdr, append(slices.Clone(good), "x")),
		csvBytes(kgHdr, kgRow, kgRow2),
		csvBytes(cHdr, cRow),
		csvBytes(with(hdr, "教学仪器设备值（元）", "教学仪器设备值（万元）"), good),
		csvBytes(hdr, with(good, "学校名称", "'=HYPERLINK(\"x\")")),
	} {
		f.Add(seed)
	}
	if gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csvBytes(hdr, good)); err == nil {
		f.Add(gb)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.HasPrefix(data, zipMagic) {
			return // FuzzReadXLSX's ground
		}
		if len(data) > maxFuzzInput {
			return // large inputs only slow the search down
		}
		checkRead(t, "fuzz.csv", data, Options{})
		checkRead(t, "fuzz.csv", data, Options{EquipmentUnit: "万元", ConfirmUnits: true})
		checkRead(t, "fuzz.csv", data, Options{Kind: "kindergarten"})
		checkRead(t, "fuzz.csv", data, Options{Kind: "county", EquipmentUnit: "元"})
		checkPreview(t, data)
		// The parallel read is the serial one, cut at every few bytes.
		readSerialAndParallel(t, data, Options{}, 1+len(data)%7)
		// ReadFileEach is ReadFile, read from the disk or held.
		least, chunk := streamMin, eachChunk
		defer func() { streamMin, eachChunk = least, chunk }()
		streamMin, eachChunk = int64(len(data)%2), 1+len(data)%3
		readFileAndEach(t, t.TempDir(), "fuzz.csv", data, Options{})
	})
}

// Parts of a workbook that FuzzReadXLSX may replace by the fuzzed bytes.
// Mutating a whole .xlsx mostly breaks the zip's checksums, which stops the
// read before any XML is parsed; putting the bytes inside a valid zip is
// what reaches excelize's row streaming and this package's row handling.
var fuzzParts = []string{"", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"}

// maxFuzzInput caps what the fuzz targets read. A census file that finds a
// bug finds it small, and every input above a few kilobytes makes an
// execution (an excelize open, a read) slower, so that a minute of fuzzing
// tried a few dozen inputs.
const maxFuzzInput = 64 << 10

// fuzzOptions are the read options FuzzReadXLSX picks by the high bits of
// its selector, so that the kindergarten and county readers are fuzzed too.
var fuzzOptions = []Options{{}, {Kind: "kindergarten"}, {Kind: "county"}, {EquipmentUnit: "万元", ConfirmUnits: true}}

// fuzzWorkbooks are the workbooks FuzzReadXLSX starts from, one of each
// kind and of each problem the reader refuses; TestFuzzSeeds writes them to
// testdata/fuzz/FuzzReadXLSX so that the corpus is there without a build.
func fuzzWorkbooks(t testing.TB) map[string][]byte {
	base := xlsxBytes(t, "", hdr, good, good2)
	x := string(zipPart(t, base, "xl/worksheets/sheet1.xml"))
	formula := strings.Replace(x, "<v>420</v>", "<f>400+20</f>", 1)
	cached := strings.Replace(x, "<v>420</v>", "<f>400+20</f><v>420</v>", 1)
	return map[string][]byte{
		"seed-school":        base,
		"seed-kindergarten":  xlsxBytes(t, "幼儿园", kgHdr, kgRow, kgRow2),
		"seed-county":        xlsxBytes(t, "县级数据", cHdr, cRow),
		"seed-formula":       replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(formula)),
		"seed-formula-value": replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(cached)),
		"seed-truncated":     replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(x[:len(x)*2/3])),
		"seed-wan":           xlsxBytes(t, "", with(hdr, "教学仪器设备值（元）", "教学仪器设备值（万元）"), good),
	}
}

func FuzzReadXLSX(f *testing.F) {
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl, "school"); err != nil {
		f.Fatal(err)
	}
	base := xlsxBytes(f, "", hdr, good, with(good2, "小学在校生数（人）", "12.5"))
	for _, wb := range [][]byte{
		tpl.Bytes(),
		base,
		xlsxBytes(f, "学校", hdr, good, good),
		xlsxBytes(f, "", hdr),
		xlsxBytes(f, "", []string{"年度", "学校名称"}, []string{"2024", "x"}),
	} {
		f.Add(wb, uint8(0))
	}
	for i, part := range fuzzParts[1:] {
		f.Add(zipPart(f, base, part), uint8(i+1))
		f.Add(zipPart(f, tpl.Bytes(), part), uint8(i+1))
	}
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		if len(data) > maxFuzzInput {
			return
		}
		if p := fuzzParts[int(sel)%len(fuzzParts)]; p != "" {
			data = replacePart(t, base, p, data)
		}
		checkRead(t, "fuzz.xlsx", data, fuzzOptions[int(sel>>4)%len(fuzzOptions)])
		checkPreview(t, data)
	})
}

// checkPreview checks that PreviewRows never panics and returns a row per
// row asked for.
func checkPreview(t *testing.T, data []byte) {
	rows, err := PreviewRows(data, Options{}, []int{1, 3, 2})
	if err == nil && len(rows) != 3 {
		t.Fatalf("PreviewRows returned %d rows for 3", len(rows))
	}
}

// updateSeeds rewrites the committed seed corpus of FuzzReadXLSX.
var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzReadXLSX/seed-*")

// TestFuzzSeeds checks that the committed seed workbooks are the ones
// fuzzWorkbooks builds (with -update-seeds it writes them), so that the
// corpus stays real workbooks of every kind as the writers change.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadXLSX")
	for name, data := range fuzzWorkbooks(t) {
		path := filepath.Join(dir, name)
		if *updateSeeds {
			seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbyte('\\x00')\n", data)
			if err := os.WriteFile(path, []byte(seed), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run go test -run TestFuzzSeeds -update-seeds)", err)
			continue
		}
		// excelize stamps a workbook with the time it was written, so the
		// bytes differ from run to run: check that the seed is small and
		// still reads as its name says.
		data := seedBytes(t, got)
		if len(data) > maxFuzzInput {
			t.Errorf("%s is %d bytes; seeds must be under the fuzz targets' cap", path, len(data))
		}
		b, err := Read(name+".xlsx", bytes.NewReader(data), Options{})
		refused := strings.Contains(name, "formula") && !strings.Contains(name, "value") ||
			strings.Contains(name, "truncated") || strings.Contains(name, "wan")
		if (err != nil) != refused {
			t.Errorf("seed %s: batch %v error %v", name, b != nil, err)
		}
	}
}

// seedBytes returns the []byte value of a corpus file.
func seedBytes(t *testing.T, file []byte) []byte {
	t.Helper()
	lines := strings.SplitN(string(file), "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("not a corpus file: %.40q", file)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

func FuzzScanSheet(f *testing.F) {
	base := xlsxBytes(f, "", hdr, good, good2)
	x := string(zipPart(f, base, "xl/worksheets/sheet1.xml"))
	for _, s := range []string{
		x,
		x[:len(x)/2],
		strings.Replace(x, "<v>420</v>", "<f>400+20</f>", 1),
		`<worksheet><sheetData><row r="3"><x:c r="B3"><x:f t="shared" si="0"/></x:c><c/><c r='D3' a="x>y"><f>1</f></c></row><!-- <c><f/></c> --><![CDATA[ <row> ]]><row/></sheetData></worksheet>`,
		`<worksheet><sheetData/></worksheet>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		got := scanSheet(bytes.NewReader(data))
		want, ok := referenceScan(data)
		if !ok {
			return // not well-formed up to the end of sheetData: no reference
		}
		if !got.complete || got.lastRow != want.lastRow || !slices.Equal(got.formulas, want.formulas) {
			t.Fatalf("scanSheet = %+v; encoding/xml finds %+v", got, want)
		}
		q := quickScan(bytes.NewReader(data), uint64(len(data)%7)) // small chunks, to cut tags
		if !q.complete || len(want.formulas) > 0 && !q.formulas {
			t.Fatalf("quickScan = %+v; encoding/xml finds %+v", q, want)
		}
		if q.lastRow != 0 && q.lastRow != want.lastRow && !bytes.Contains(data, []byte("<!")) {
			t.Fatalf("quickScan = %+v; encoding/xml finds %+v", q, want)
		}
	})
}

// referenceScan finds what scanSheet looks for with encoding/xml; ok is
// false unless the XML is well-formed up to the end of sheetData.
func referenceScan(data []byte) (sheetCheck, bool) {
	var s sheetCheck
	d := xml.NewDecoder(bytes.NewReader(data))
	row, col, depth := 0, 0, 0
	inCell, hasF, hasV := false, false, false
	cellDepth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return s, false
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			switch e.Name.Local {
			case "row":
				row++
				for _, a := range e.Attr {
					if a.Name.Local == "r" && a.Name.Space == "" {
						if r, ok := atoi([]byte(a.Value)); ok && r > 0 {
							row = r
						}
						break
					}
				}
				col = 0
			case "c":
				col++
				for _, a := range e.Attr {
					if a.Name.Local == "r" && a.Name.Space == "" {
						if c, ok := refColumn([]byte(a.Value)); ok {
							col = c
						}
						break
					}
				}
				inCell, hasF, hasV, cellDepth = true, false, false, depth
			case "f":
				hasF = hasF || inCell
			case "v", "is":
				hasV = hasV || inCell
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "row":
				s.lastRow = row
			case "c":
				if inCell && depth == cellDepth && hasF && !hasV {
					s.formulas = append(s.formulas, [2]int{row, col})
				}
				inCell = false
			case "sheetData":
				s.complete = true
				return s, true
			}
			depth--
		}
	}
}

func FuzzMatchHeader(f *testing.F) {
	for _, h := range append(slices.Clone(hdr), "教学仪器设备值（单位：万元）", "equipment_value(万元)", "【示例】", "面积(㎡)(元)", "（", "年度 ", "\u3000学校名称\n") {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		folded := fold(h)
		if fold(folded) != folded {
			t.Fatalf("fold is not idempotent on %q", h)
		}
		for _, opt := range []Options{{}, {EquipmentUnit: "万元"}} {
			tg, ok, p := matchHeader(h, opt)
			if !ok && p != nil {
				t.Fatalf("unknown header %q with a problem", h)
			}
			if ok && p == nil && tg.text < 0 && tg.scale != 1 && tg.scale != 1e4 {
				t.Fatalf("%q scales by %v", h, tg.scale)
			}
		}
		detectKind([]string{h, h})
		ParseKind(h)
	})
}

func FuzzSafeCSVCell(f *testing.F) {
	for _, s := range []string{"=1+1", "'=1", "-3.5", "@a", "\t=", "沈巷学校", "''+x", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := SafeCSVCell(s)
		if got := unneutral(w); got != s {
			t.Fatalf("unneutral(SafeCSVCell(%q)) = %q", s, got)
		}
		if w != "" && strings.IndexByte(formulaStart, w[0]) >= 0 && !numeric(w) {
			t.Fatalf("SafeCSVCell(%q) = %q starts a formula", s, w)
		}
	})
}

// zipPart returns one part of a zip.
func zipPart(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replacePart returns the zip data with part name's content replaced.
func replacePart(t testing.TB, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			_, err = w.Write(content)
		} else {
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
