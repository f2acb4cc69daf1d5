package censusio

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
)

// Sheet is one worksheet of a workbook, or the one table of a CSV file, as
// text: what a reader of a record kind this package does not know (the
// 学位 inputs of internal/seatsio) starts from.
type Sheet struct {
	// Name is the worksheet's name; "" for a CSV file.
	Name string
	// Rows are the rows that hold any cell, numbered as Excel numbers them.
	Rows []SheetRow
}

// SheetRow is one row of a Sheet.
type SheetRow struct {
	N     int // 1-based, as Excel and the Errors number rows
	Cells []string
}

// maxSheetCells bounds the cells ReadSheets keeps of one file: the inputs
// of a county are thousands of rows, not millions.
const maxSheetCells = 4 << 20

// ReadSheets reads every worksheet of a workbook, or the one table of a
// CSV file (UTF-8, GB18030, or UTF-16 with a BOM; comma- or tab-separated),
// with the same limits, decoding and damage checks as Read: a zip bomb, a
// damaged or truncated sheet, a formula cell without a value or a CSV
// syntax error refuse the file with Errors naming it (and the sheet and
// row where they can). Cells are raw values as Read sees them.
func ReadSheets(name string, data []byte) ([]Sheet, error) {
	rd := newReader(name, Options{})
	if len(data) > maxFileSize || bytes.HasPrefix(data, zipMagic) {
		return readWorkbookSheets(rd, data)
	}
	text, ok := rd.decode(data)
	if !ok {
		return nil, rd.errs
	}
	sh := Sheet{}
	cells := 0
	row, err := eachCSVRow(text, func(n int, rec []string) bool {
		if blank(rec) {
			return true
		}
		cells += len(rec)
		if cells > maxSheetCells {
			return false
		}
		sh.Rows = append(sh.Rows, SheetRow{N: n, Cells: slices.Clone(rec)})
		return true
	})
	switch {
	case err != nil:
		rd.add(csvSyntaxError(row, err))
		return nil, rd.errs
	case cells > maxSheetCells:
		rd.fileError(fmt.Sprintf("超过 %d 个单元格", maxSheetCells), "一个文件放一个县区的数据")
		return nil, rd.errs
	}
	return []Sheet{sh}, nil
}

func readWorkbookSheets(rd *reader, data []byte) ([]Sheet, error) {
	wb, e := openBounded(data)
	if e != nil {
		rd.add(e)
		return nil, rd.errs
	}
	defer wb.Close()
	names := wb.f.GetSheetList()
	if len(names) == 0 {
		rd.fileError("工作簿里没有工作表", "请按模板填写后再导入")
		return nil, rd.errs
	}
	parts := make([]*zip.File, len(names))
	for i, n := range names {
		p, err := wb.sheetPartOf(n)
		if err != nil {
			rd.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", n, detail(err)), "请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
			return nil, rd.errs
		}
		parts[i] = p
	}
	if err := wb.checkStubbed(append(slices.Clone(parts), wb.sharedStringsPart())...); err != nil {
		rd.add(errNotWorkbook())
		return nil, rd.errs
	}
	sst, err, readErr := wb.sharedStrings()
	if readErr != nil || err != nil {
		rd.add(errNotWorkbook())
		return nil, rd.errs
	}
	var out []Sheet
	cells := 0
	for i, part := range parts {
		sh := Sheet{Name: names[i]}
		rc, err := part.Open()
		if err != nil {
			rd.add(errNotWorkbook())
			return nil, rd.errs
		}
		res := readSheetRows(rc, sst, func(n int, row []string, uncached []int) bool {
			for _, c := range uncached {
				rd.add(&Error{Row: n, Letter: letter(c - 1), Problem: fmt.Sprintf("工作表「%s」中的公式没有计算结果", names[i]),
					Fix: "在 Excel 中打开并保存（或复制后选择性粘贴为数值）后再导入"})
			}
			if blank(row) {
				return true
			}
			cells += len(row)
			if cells > maxSheetCells {
				return false
			}
			sh.Rows = append(sh.Rows, SheetRow{N: n, Cells: slices.Clone(row)})
			return true
		})
		rc.Close()
		switch {
		case res.readErr != nil:
			rd.add(errNotWorkbook())
		case res.err != nil:
			rd.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", names[i], detail(res.err)), "请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
		case cells > maxSheetCells:
			rd.fileError(fmt.Sprintf("超过 %d 个单元格", maxSheetCells), "一个文件放一个县区的数据")
		case !res.complete:
			rd.fileError(fmt.Sprintf("工作表「%s」在第%d行后损坏（文件不完整）", names[i], res.lastRow),
				"文件可能没有下载或复制完整：请重新从原处取得文件")
		}
		if len(rd.errs) > 0 {
			return nil, rd.errs
		}
		out = append(out, sh)
	}
	return out, nil
}
