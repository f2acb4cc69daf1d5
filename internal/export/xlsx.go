package export

import (
	"fmt"
	"io"
	"math"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/eval"
)

// WriteXLSX writes every table of res as one workbook: a sheet per table,
// frozen header, number formats and column widths. It streams rows, so a
// nation's worth of parts stays within bounded memory.
//
// Numbers are stored with Excel's 15 significant digits (excelize's stream
// writer offers no other precision), so a CV may lose its 16th–17th digit:
// at most 1e-16 relative, far inside the engine's 1e-9 comparison
// tolerance. Verdicts are written as text, decided on the full-precision
// values; the JSON and CSV outputs carry every digit.
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
	_, err := f.WriteTo(w)
	return err
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
