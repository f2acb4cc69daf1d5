package ledger

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes d as the import workbook: a sheet per table, headed by
// the columns' Chinese names, then the sheet 说明 explaining every column.
// Read reads it back to d. An empty ledger (Schema.New) is the template.
// Counts are numbers; every other cell is text, so a code such as 0012
// keeps its zeros and a date is not turned into a serial number.
func WriteXLSX(w io.Writer, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, t := range d.Schema.Tables {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), t.Sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.Sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(t.Sheet)
		if err != nil {
			return err
		}
		if err := sw.SetColWidth(1, len(t.Cols), 16); err != nil {
			return err
		}
		head := make([]any, len(t.Cols))
		for j, c := range t.Cols {
			head[j] = excelize.Cell{StyleID: bold, Value: c.ZH}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for k, row := range d.rows[t.ID] {
			cells := make([]any, len(t.Cols))
			for j, c := range t.Cols {
				v := row.V[j]
				if c.Type == Count && v != "" {
					n, _ := strconv.Atoi(v)
					cells[j] = n
					continue
				}
				cells[j] = c.Show(v)
			}
			cell, _ := excelize.CoordinatesToCellName(1, k+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	const notes = "说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	lines := [][]any{{"表", "列", "说明"}}
	for _, t := range d.Schema.Tables {
		for _, c := range t.Cols {
			name := c.ZH
			if c.Required {
				name += "（必填）"
			}
			lines = append(lines, []any{t.Sheet, name, c.Hint()})
		}
	}
	for i, ln := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(notes, cell, &ln); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(notes, "A", "B", 18); err != nil {
		return err
	}
	if err := f.SetColWidth(notes, "C", "C", 60); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
