package censusio

import (
	"bytes"
	"slices"
)

// PreviewRows returns the cells of the given rows (numbered from 1 as Excel
// and the Errors of Read number them) of the sheet that Read with opt would
// read, or of a CSV file, so that a page can show the rows an error names as
// the file has them. The result is in the order of rows; a row past the end
// of the file is nil. Workbook cells are raw values, as Read sees them.
//
// It opens a workbook exactly as Read does, with the same limits, so a zip
// bomb is refused before it is unpacked (an upload page that opened the
// workbook a second time without them took minutes and gigabytes), and it
// stops reading after the last row asked for. A file Read refuses as a
// whole yields an Errors.
func PreviewRows(data []byte, opt Options, rows []int) ([][]string, error) {
	out := make([][]string, len(rows))
	want := map[int][]int{} // row → its positions in rows
	last := 0
	for i, n := range rows {
		want[n] = append(want[n], i)
		last = max(last, n)
	}
	keep := func(n int, cells []string) bool {
		for _, i := range want[n] {
			out[i] = slices.Clone(cells)
		}
		return n < last
	}
	rd := newReader("", opt)
	if len(data) > maxFileSize {
		_, e := openBounded(data)
		return nil, Errors{e}
	}
	if !bytes.HasPrefix(data, zipMagic) {
		text, ok := rd.decode(data)
		if !ok {
			return nil, rd.errs
		}
		_, _ = eachCSVRow(text, keep) // a syntax error, which Read reports, ends the preview
		return out, nil
	}
	wb, e := openBounded(data)
	if e != nil {
		return nil, Errors{e}
	}
	defer wb.Close()
	sheets := wb.f.GetSheetList()
	if len(sheets) == 0 || last == 0 {
		return out, nil
	}
	sheet, _ := pickSheet(sheets, opt.Kind)
	part, err := wb.sheetPartOf(sheet)
	if err != nil {
		return out, nil
	}
	if err := wb.checkStubbed(part, wb.sharedStringsPart()); err != nil {
		return nil, Errors{errNotWorkbook()} // as Read refuses it
	}
	sst, err, readErr := wb.sharedStrings()
	if readErr != nil {
		return nil, Errors{errNotWorkbook()}
	}
	if err != nil {
		return out, nil
	}
	rc, err := part.Open()
	if err != nil {
		return out, nil
	}
	defer rc.Close()
	readSheetRows(rc, sst, func(n int, cells []string, _ []int) bool { return keep(n, cells) })
	return out, nil
}
