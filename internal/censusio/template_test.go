package censusio

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// writeTemplateFile writes the school template to a temporary file.
func writeTemplateFile(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, "school"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "模板.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTemplateReadsBackEmpty(t *testing.T) {
	b, err := ReadFile(writeTemplateFile(t), Options{})
	if err != nil {
		t.Fatalf("reading the template back: %v", err)
	}
	if len(b.Schools) != 0 || len(b.Warnings) != 0 || len(b.Unknown) != 0 {
		t.Errorf("schools %d, warnings %v, unknown %v; want none", len(b.Schools), b.Warnings, b.Unknown)
	}
	if len(b.Skipped) != len(templateExamples) {
		t.Fatalf("skipped %v; want the %d example rows", b.Skipped, len(templateExamples))
	}
	for i, n := range b.Skipped {
		if n.Row != i+2 || !strings.Contains(n.Message, "示例行") {
			t.Errorf("skipped[%d] = %v", i, n)
		}
	}
}

func TestTemplateExamplesAreValid(t *testing.T) {
	// With the 【示例】 prefix removed the examples are good rows: a
	// template that shows a bad row would teach the wrong thing.
	path := writeTemplateFile(t)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	col := letter(slices.IndexFunc(census.TextColumns, func(c census.TextColumn) bool { return c.Key == "school_name" }))
	for r := range templateExamples {
		cell := col + string(rune('2'+r))
		v, err := f.GetCellValue(templateSheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStr(templateSheet, cell, strings.TrimPrefix(v, "【示例】")); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := ReadFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Schools) != len(templateExamples) || len(b.Warnings) != 0 {
		t.Fatalf("schools %d, warnings %v; want %d schools and no warnings", len(b.Schools), b.Warnings, len(templateExamples))
	}
	s := b.Schools[2]
	if s.Type != census.NineYear || s.V[census.EquipmentValue] != 1600000 || s.V[census.TeachingAreaJunior] != 2400 || s.Has(census.SportsAreaPrimary) {
		t.Errorf("third example read as %+v", s)
	}
	if got := b.Schools[1].V[census.TeachingArea]; got != 12500.5 {
		t.Errorf("second example teaching_area = %v", got)
	}
}

func TestTemplateLayout(t *testing.T) {
	f, err := excelize.OpenFile(writeTemplateFile(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"学校", "说明"}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	rows, err := f.GetRows(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range census.TextColumns {
		want = append(want, c.ZH)
	}
	for _, c := range census.Columns {
		want = append(want, c.ZH+"（"+c.Unit+"）")
	}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for _, h := range []string{"教学及辅助用房面积（㎡）", "教学仪器设备值（元）"} {
		if !slices.Contains(rows[0], h) {
			t.Errorf("header lacks %s", h)
		}
	}
	// Every header of the template is recognised by the reader.
	for _, h := range rows[0] {
		if _, ok, p := matchHeader(h, Options{}); !ok || p != nil {
			t.Errorf("template header %q not recognised (%v)", h, p)
		}
	}
	panes, err := f.GetPanes(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v; want the header frozen", panes)
	}

	notes, err := f.GetRows(notesSheet)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range notes {
		text += strings.Join(r, "|") + "\n"
	}
	for _, c := range census.TextColumns {
		line := c.ZH + "|" + c.Key + "|—|"
		if c.Required {
			line += "必填"
		} else {
			line += "选填"
		}
		if !strings.Contains(text, line) {
			t.Errorf("notes lack %q", line)
		}
	}
	for _, c := range census.Columns {
		// GetRows drops a trailing empty cell, so a column without a
		// note ends at 选填.
		req := "选填"
		if isIndicatorInput(c.Key) {
			req = "评估需要"
		}
		line := c.ZH + "（" + c.Unit + "）|" + c.Key + "|" + c.Unit + "|" + req
		if c.Note != "" {
			line += "|" + c.Note
		}
		if !strings.Contains(text, line+"\n") && !strings.Contains(text, line+"；") && !(req == "评估需要" && strings.Contains(text, line+"|七项指标的数据")) {
			t.Errorf("notes lack %q", line)
		}
	}
	for _, w := range []string{"未填报", "万元", "每所学校每个年度填一行", "分学段", "【示例】", "县区结论为“数据不全”"} {
		if !strings.Contains(text, w) {
			t.Errorf("general notes do not mention %s", w)
		}
	}
}

func TestTemplateKinds(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, ""); err != nil || buf.Len() == 0 {
		t.Errorf(`WriteTemplate(""): %v`, err)
	}
	if err := WriteTemplate(&buf, "hospital"); err == nil || !strings.Contains(err.Error(), "hospital") {
		t.Errorf("WriteTemplate(hospital) = %v; want an error naming the kind", err)
	}
}
