package censusio

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// dataHeader returns the header row of a census file of school records, in
// template order, each numeric header with its unit; the reader reads it back.
func dataHeader() []string {
	var h []string
	for _, c := range census.TextColumns {
		h = append(h, c.ZH)
	}
	for _, c := range census.Columns {
		h = append(h, templateHeader(c))
	}
	return h
}

// dataRow appends the cells of s to row for a CSV file: text (made safe
// from formula injection by SafeCSVCell), then numbers ("" when not
// reported).
func dataRow(row []string, s *census.School) []string {
	for _, c := range census.TextColumns {
		row = append(row, SafeCSVCell(census.SchoolTable.FileText(s, c.Key)))
	}
	for f := range census.NumFields {
		v := s.V[f]
		if math.IsNaN(v) {
			row = append(row, "")
		} else {
			row = append(row, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return row
}

// WriteSchoolsCSV writes school records as a UTF-8 CSV census file (with a
// BOM, for Excel) that ReadFile reads back to the same records.
func WriteSchoolsCSV(w io.Writer, schools []census.School) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(dataHeader()); err != nil {
		return err
	}
	row := make([]string, 0, len(census.TextColumns)+int(census.NumFields))
	for i := range schools {
		if err := cw.Write(dataRow(row[:0], &schools[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteSchoolsXLSX writes school records as an .xlsx census file (sheet 学校,
// numbers as numbers, text codes as text) that ReadFile reads back to the
// same records. Rows are streamed, so memory stays bounded.
func WriteSchoolsXLSX(w io.Writer, schools []census.School) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), templateSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(templateSheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := dataHeader()
	for i, h := range header {
		if err := sw.SetColWidth(i+1, i+1, columnWidth(h)); err != nil {
			return err
		}
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	nText := len(census.TextColumns)
	for r := range schools {
		s := &schools[r]
		for i, c := range census.TextColumns {
			cells[i] = census.SchoolTable.FileText(s, c.Key)
		}
		for f := range census.NumFields {
			if v := s.V[f]; math.IsNaN(v) {
				cells[nText+int(f)] = nil
			} else {
				cells[nText+int(f)] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
