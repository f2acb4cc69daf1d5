package censusio

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-edu/dudao/internal/census"
)

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
		checkRead(t, "fuzz.csv", data, Options{})
		checkRead(t, "fuzz.csv", data, Options{EquipmentUnit: "万元"})
	})
}

// Parts of a workbook that FuzzReadXLSX may replace by the fuzzed bytes.
// Mutating a whole .xlsx mostly breaks the zip's checksums, which stops the
// read before any XML is parsed; putting the bytes inside a valid zip is
// what reaches excelize's row streaming and this package's row handling.
var fuzzParts = []string{"", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"}

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
	f.Fuzz(func(t *testing.T, data []byte, part uint8) {
		if p := fuzzParts[int(part)%len(fuzzParts)]; p != "" {
			data = replacePart(t, base, p, data)
		}
		checkRead(t, "fuzz.xlsx", data, Options{})
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
