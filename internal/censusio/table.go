package censusio

import (
	"bytes"
	"fmt"
)

// EachRow feeds the rows of a small table file, the first sheet of an
// .xlsx workbook or a CSV file in any
// encoding Read accepts, to fn, numbered from 1 as Excel numbers them, until
// fn returns false. name is used in messages only. It refuses what Read
// refuses as a whole file (a zip bomb, an .xls, a Word document, a picture,
// an encoding it cannot read) with Errors naming the file; the cells are
// valid only during the call.
//
// It is the reader of the lists that are not census records: the
// administrative divisions of the first-run set-up, for one.
func EachRow(name string, data []byte, fn func(n int, cells []string) bool) error {
	name = baseName(name)
	rd := newReader(name, Options{})
	switch {
	case len(data) > maxFileSize:
		return Errors{{File: name, Problem: fmt.Sprintf("文件超过 %d MB", maxFileSize>>20), Fix: "请只保留所需的行后再导入"}}
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		return Errors{{File: name, Problem: "是空文件", Fix: "请填写后再导入"}}
	case bytes.HasPrefix(data, zipMagic):
		if kind := zipKind(data); kind != "" {
			return Errors{{File: name, Problem: "不是 Excel 工作簿，是" + kind,
				Fix: "在 Excel 或 WPS 中打开它，另存为“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)”后再导入"}}
		}
		return eachSheetRow(name, data, fn)
	case bytes.HasPrefix(data, oleMagic):
		return Errors{{File: name, Problem: "是 Excel 97-2003（.xls）文件或设了密码的工作簿，无法读取",
			Fix: "在 Excel 中另存为“Excel 工作簿(*.xlsx)”（不设打开密码）或“CSV UTF-8(逗号分隔)”后再导入"}}
	}
	if kind := binaryKind(data); kind != "" {
		return Errors{{File: name, Problem: "不是表格文件（看起来是" + kind + "）", Fix: "请导入 .xlsx 或 .csv 文件"}}
	}
	text, ok := rd.decode(data)
	if !ok {
		return rd.errs
	}
	if _, err := eachCSVRow(text, fn); err != nil {
		return Errors{{File: name, Problem: "CSV 格式有误：" + err.Error(),
			Fix: "请用 Excel 打开并检查引号，另存为“CSV UTF-8(逗号分隔)”后再导入"}}
	}
	return nil
}

// eachSheetRow is EachRow of a workbook.
func eachSheetRow(name string, data []byte, fn func(n int, cells []string) bool) error {
	broken := Errors{{File: name, Problem: "工作簿已损坏，无法读取", Fix: "请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入"}}
	wb, e := openBounded(data)
	if e != nil {
		e.File = name
		return Errors{e}
	}
	defer wb.Close()
	sheets := wb.f.GetSheetList()
	if len(sheets) == 0 {
		return Errors{{File: name, Problem: "工作簿里没有工作表", Fix: "请在第一个工作表中填写"}}
	}
	part, err := wb.sheetPartOf(sheets[0])
	if err != nil {
		return broken
	}
	if err := wb.checkStubbed(part, wb.sharedStringsPart()); err != nil {
		return broken
	}
	sst, err, readErr := wb.sharedStrings()
	if err != nil || readErr != nil {
		return broken
	}
	rc, err := part.Open()
	if err != nil {
		return broken
	}
	defer rc.Close()
	res := readSheetRows(rc, sst, func(n int, cells []string, _ []int) bool { return fn(n, cells) })
	if res.readErr != nil || res.err != nil {
		return broken
	}
	return nil
}
