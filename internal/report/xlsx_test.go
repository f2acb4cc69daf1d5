package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
)

func openXLSX(t *testing.T, write func(w *bytes.Buffer) error) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// rawFloat reads a numeric cell's stored value.
func rawFloat(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	s, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q: not a number", sheet, cell, s)
	}
	return v
}

func numFmt(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

func TestXLSXCounty(t *testing.T) {
	rep := countyReport(t, roundingCounty)
	f := openXLSX(t, func(b *bytes.Buffer) error { return rep.WriteXLSX(b) })
	want := []string{"概况", "差异系数", "小学附表", "初中附表", "未达标项目", "与上年比较", "不参与计算"}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	// The CV table: every CV stored unrounded, shown to 4 decimals.
	row := 3
	for _, st := range rep.Stages {
		for _, ir := range st.Indicators {
			cell := "I" + strconv.Itoa(row)
			if got := rawFloat(t, f, "差异系数", cell); got != ir.CV {
				t.Errorf("%s %s CV: %v, want %v", st.Name, ir.ID, got, ir.CV)
			}
			if got := numFmt(t, f, "差异系数", cell); got != "0.0000" {
				t.Errorf("CV format %q", got)
			}
			flag, _ := f.GetCellValue("差异系数", "O"+strconv.Itoa(row))
			if (flag == "是") != ir.Flips {
				t.Errorf("%s %s: flag %q, flips %v", st.Name, ir.ID, flag, ir.Flips)
			}
			row++
		}
	}
	// The 附表: values unrounded, two decimals shown, a row per part.
	for _, st := range rep.Stages {
		sheet := st.Name + "附表"
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(st.Schools)+2 {
			t.Errorf("%s: %d rows for %d schools", sheet, len(rows), len(st.Schools))
		}
		for i, s := range st.Schools {
			r := strconv.Itoa(i + 3)
			if code, _ := f.GetCellValue(sheet, "A"+r); code != s.Code {
				t.Errorf("%s row %s: code %q, want %q", sheet, r, code, s.Code)
			}
			for k, v := range s.Values {
				col, _ := excelize.ColumnNumberToName(5 + k)
				if math.IsNaN(v) {
					continue
				}
				if got := rawFloat(t, f, sheet, col+r); got != v {
					t.Errorf("%s %s%s: %v, want %v", sheet, col, r, got, v)
				}
			}
		}
		if got := numFmt(t, f, sheet, "E3"); got != "0.00" {
			t.Errorf("%s value format %q", sheet, got)
		}
		// Frozen header and code/name columns; landscape A4 fitted to width.
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.XSplit != 2 {
			t.Errorf("%s panes: %+v %v", sheet, panes, err)
		}
		pl, err := f.GetPageLayout(sheet)
		if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s page layout: %+v %v", sheet, pl, err)
		}
		if w, _ := f.GetColWidth(sheet, "B"); w < 15 {
			t.Errorf("%s: name column %g wide", sheet, w)
		}
	}
	// Print areas and repeated header rows on every table sheet.
	areas := map[string]string{}
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		switch dn.Name {
		case "_xlnm.Print_Area":
			areas[dn.Scope] = dn.RefersTo
		case "_xlnm.Print_Titles":
			titles[dn.Scope] = strings.HasSuffix(dn.RefersTo, "!$2:$2")
		}
	}
	for _, s := range f.GetSheetList() {
		if areas[s] == "" {
			t.Errorf("%s: no print area", s)
		}
		if s != "概况" && !titles[s] {
			t.Errorf("%s: no print titles", s)
		}
	}
	if a := areas["小学附表"]; a != "'小学附表'!$A$1:$M$"+strconv.Itoa(len(rep.Stages[0].Schools)+2) {
		t.Errorf("print area %q", a)
	}
	hf, err := f.GetHeaderFooter("差异系数")
	if err != nil || !strings.Contains(hf.OddFooter, "第 &P 页 共 &N 页") {
		t.Errorf("footer: %+v %v", hf, err)
	}
}

func TestXLSXSummary(t *testing.T) {
	s := summary(t, census.LevelProvince, demo.ProvinceCode, demo.ProvinceName)
	f := openXLSX(t, func(b *bytes.Buffer) error { return s.WriteXLSX(b) })
	if diff := cmp.Diff([]string{"概况", "县区排名", "各市县区结论", "各指标未达标县区数"}, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	for i, r := range s.Counties {
		row := strconv.Itoa(i + 3)
		if code, _ := f.GetCellValue("县区排名", "B"+row); code != r.Code {
			t.Errorf("rank %d: %q, want %q", r.Rank, code, r.Code)
		}
		if got := rawFloat(t, f, "县区排名", "I"+row); got != r.WorstMargin {
			t.Errorf("%s margin %v, want %v", r.Name, got, r.WorstMargin)
		}
	}
}

// TestXLSXLibreOffice opens the workbooks with LibreOffice (headless) and
// converts every sheet to CSV, once with the stored values and once as
// shown: the figures survive, and the number formats show what the PDF shows.
func TestXLSXLibreOffice(t *testing.T) {
	lo := needTool(t, "libreoffice", "libreoffice-calc-nogui")
	dir := t.TempDir()
	rep := countyReport(t, roundingCounty)
	s := summary(t, census.LevelProvince, demo.ProvinceCode, demo.ProvinceName)
	write := func(name string, fn func(*os.File) error) string {
		return writePDFFile(t, dir, name, fn)
	}
	countyFile := write("county.xlsx", func(f *os.File) error { return rep.WriteXLSX(f) })
	summaryFile := write("summary.xlsx", func(f *os.File) error { return s.WriteXLSX(f) })
	convert := func(out string, asShown bool, files ...string) {
		// Separator, quote, UTF-8, first line, …, "save as shown", …, -1: every sheet.
		opts := "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true," + strconv.FormatBool(asShown) + ",false,false,-1"
		args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", opts, "--outdir", out}, files...)
		runTool(t, lo, args...)
	}
	raw, shown := filepath.Join(dir, "raw"), filepath.Join(dir, "shown")
	convert(raw, false, countyFile, summaryFile)
	convert(shown, true, countyFile)
	read := func(dir, name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("%v (LibreOffice wrote %v)", err, names)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			r := csv.NewReader(bytes.NewReader(b))
			r.FieldsPerRecord = -1
			if recs, err = r.ReadAll(); err != nil {
				t.Fatal(err)
			}
		}
		return recs
	}
	// Stored values: every CV to the precision LibreOffice prints (15 digits).
	cvs := read(raw, "county-差异系数.csv")
	i := 2
	for _, st := range rep.Stages {
		for _, ir := range st.Indicators {
			got, err := strconv.ParseFloat(cvs[i][8], 64)
			if err != nil || math.Abs(got-ir.CV) > 1e-14 {
				t.Errorf("%s %s: LibreOffice reads %q, want %v", st.Name, ir.ID, cvs[i][8], ir.CV)
			}
			if cvs[i][0] != st.Name || cvs[i][1] != ir.Name || cvs[i][11] != ir.Verdict {
				t.Errorf("row %d: %q", i, cvs[i])
			}
			i++
		}
	}
	// As shown: the formats round for reading as the PDF does.
	shownCV := read(shown, "county-差异系数.csv")
	bb := rep.Stages[0].Indicators[1]
	if got := shownCV[3][8]; got != f4(bb.CV) || shownCV[3][10] != "-0.0025" || shownCV[3][14] != "是" {
		t.Errorf("backbone row as shown: %q", shownCV[3])
	}
	for _, st := range rep.Stages {
		recs := read(raw, "county-"+st.Name+"附表.csv")
		if len(recs) != len(st.Schools)+2 {
			t.Fatalf("%s附表: %d rows for %d schools", st.Name, len(recs), len(st.Schools))
		}
		for j, sc := range st.Schools {
			r := recs[j+2]
			if r[0] != sc.Code || r[1] != sc.Name || r[len(r)-1] != sc.Verdict {
				t.Errorf("%s row %d: %q", st.Name, j, r)
			}
			for k, v := range sc.Values {
				got, err := strconv.ParseFloat(r[4+k], 64)
				if err != nil || math.Abs(got-v) > 1e-12*math.Abs(v) {
					t.Errorf("%s %s value %d: %q, want %v", st.Name, sc.Code, k, r[4+k], v)
				}
			}
		}
		shownSchools := read(shown, "county-"+st.Name+"附表.csv")
		if got := shownSchools[2][4]; got != f2(st.Schools[0].Values[0]) {
			t.Errorf("%s first value shown as %q, want %q", st.Name, got, f2(st.Schools[0].Values[0]))
		}
	}
	ranking := read(raw, "summary-县区排名.csv")
	if len(ranking) != len(s.Counties)+2 {
		t.Fatalf("ranking: %d rows", len(ranking))
	}
	var codes, want []string
	for j, r := range s.Counties {
		codes = append(codes, ranking[j+2][1])
		want = append(want, r.Code)
	}
	if !slices.Equal(codes, want) {
		t.Errorf("ranking order differs after LibreOffice:\n%v\n%v", codes, want)
	}
}
