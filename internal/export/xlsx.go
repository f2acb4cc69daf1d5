package export

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/eval"
)

// WriteXLSX writes every table of res as one workbook: a sheet per table,
// frozen header, number formats and column widths. It streams rows, so a
// nation's worth of parts stays within bounded memory.
//
// Numbers are stored with Excel's 15 significant digits (excelize's stream
// writer offers no other precision), so a CV may lose its 16th–17th digit.
// Verdicts are written as text, decided exactly by the engine on the
// census decimals; the JSON and CSV outputs carry every digit. A last
// sheet, 说明, says how verdicts were compared.
func WriteXLSX(w io.Writer, res *eval.Result) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, key := range TablesFor(res) {
		t, err := Build(res, key)
		if err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.Name); err != nil {
			return err
		}
		if err := writeSheet(f, t); err != nil {
			return fmt.Errorf("sheet %s: %w", t.Name, err)
		}
	}
	t := SettingsTable(res)
	if _, err := f.NewSheet(t.Name); err != nil {
		return err
	}
	if err := writeSheet(f, t); err != nil {
		return fmt.Errorf("sheet %s: %w", t.Name, err)
	}
	_, err := f.WriteTo(w)
	return err
}

// SettingsTable says what the evaluation ran under: the standard, the
// profile and its changes, and how verdicts were compared
// (cv_compare_decimals, the comparison mode).
func SettingsTable(res *eval.Result) *Table {
	r := res.Rules
	cmp := eval.Comparison(r.Settings.CVCompareDecimals)
	t := &Table{Name: "说明", Header: []string{"项目", "内容"}, Rows: [][]any{
		{"评估标准", r.Name + "（" + r.Document + "）"},
		{"评估方案", r.Profile.Name + "（" + r.Profile.ID + "）"},
		{"年度", res.Year},
		{"判定精度", eval.ComparisonText(r.Settings.CVCompareDecimals)},
		{"cv_compare_decimals", r.Settings.CVCompareDecimals},
		{"cv_compare", cmp.CVCompare},
		{"比较方法", cmp.Method},
	}}
	if len(r.Changed) > 0 {
		t.Rows = append(t.Rows, []any{"本方案与全国标准的不同", strings.Join(r.Changed, "；")})
	}
	return t
}

func writeSheet(f *excelize.File, t *Table) error {
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
	})
	if err != nil {
		return err
	}
	styles := map[int]int{}
	for col, code := range t.Formats {
		code := code
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		styles[col] = id
	}
	sw, err := f.NewStreamWriter(t.Name)
	if err != nil {
		return err
	}
	for i, h := range t.Header {
		width := 12.0
		if n := len([]rune(h)); n > 6 {
			width = math.Min(float64(n)*1.6+2, 40)
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	hrow := make([]any, len(t.Header))
	for i, h := range t.Header {
		hrow[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", hrow, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	row := make([]any, len(t.Header))
	for r, cells := range t.Rows {
		for i, v := range cells {
			c := excelize.Cell{StyleID: styles[i]}
			switch x := v.(type) {
			case float64:
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					c.Value = x
				}
			case bool:
				c.Value = CellText(x)
			default:
				c.Value = x
			}
			row[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(t.Header), len(t.Rows)+1)
	return f.AutoFilter(t.Name, "A1:"+last, nil)
}
