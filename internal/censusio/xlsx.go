package censusio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// Limits on what a workbook may unpack to. A province's census unpacks to
// well under 1 GiB, nearly all of it worksheet XML, which excelize streams
// through a temporary file once it is larger than excelize.StreamChunkSize.
// Every other part excelize reads into a buffer sized by the size the zip
// declares, so a few hundred crafted bytes could make it allocate
// gigabytes: zipLimits checks the declared sizes before excelize sees them.
const (
	unzipLimit    = 1 << 30   // all parts (excelize's default is 16 GB)
	inMemoryLimit = 128 << 20 // parts excelize holds in memory
)

// zipLimits returns an error when the zip cannot be read or would unpack
// to more than the limits allow.
func zipLimits(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var total, inMemory uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		total += size
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		streamed := size > excelize.StreamChunkSize &&
			(strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml")
		if !streamed {
			inMemory += size
		}
		if total > unzipLimit || inMemory > inMemoryLimit {
			return errTooLarge
		}
	}
	return nil
}

var errTooLarge = errors.New("workbook unpacks to more than the limit")

// openBounded is the one way this package opens a workbook, for reading and
// for previewing alike: it refuses a file larger than maxFileSize or a zip
// that would unpack to more than the limits (a zip bomb: a few megabytes
// that unpack to gigabytes) before excelize allocates anything for it, and
// turns a panic in excelize into an error. The error is an *Error to show.
func openBounded(data []byte) (*excelize.File, *Error) {
	if len(data) > maxFileSize {
		return nil, &Error{Problem: fmt.Sprintf("文件超过 %d MB", maxFileSize>>20),
			Fix: "一个文件放一个县区或一个年度的数据，分成几个文件导入"}
	}
	err := zipLimits(data)
	if errors.Is(err, errTooLarge) {
		return nil, &Error{Problem: fmt.Sprintf("解压后超过 %d MB，无法读取", unzipLimit>>20),
			Fix: "一个文件放一个县区或一个年度的数据；如工作簿中有图片等附件，请删除后另存为 .xlsx"}
	}
	var f *excelize.File
	if err == nil {
		f, err = openWorkbook(data)
	}
	if err != nil {
		return nil, &Error{Problem: "不是有效的 .xlsx 工作簿（文件已损坏，或是别的 zip 压缩包）",
			Fix: "请用 Excel 或 WPS 打开，另存为“Excel 工作簿(*.xlsx)”后再导入"}
	}
	return f, nil
}

// readXLSX reads the school sheet of a workbook, streaming its rows so that
// a 100 000-row sheet is never held in memory as a whole.
func (r *reader) readXLSX(data []byte) {
	f, e := openBounded(data)
	if e != nil {
		r.add(e)
		return
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		r.fileError("工作簿里没有工作表", "请在第一个工作表中填写数据")
		return
	}
	sheet, named := pickSheet(sheets, r.opt.Kind)
	r.sheet = sheet
	if !named && len(sheets) > 1 {
		kind := census.KindSchool
		if r.opt.Kind != "" {
			kind, _ = ParseKind(r.opt.Kind)
		}
		r.warn(0, nil, fmt.Sprintf("只读取了第一个工作表「%s」，其余 %d 个工作表未读取（如数据在别的工作表，请把它移到最前，或命名为“%s”）",
			sheet, len(sheets)-1, census.TableOf(kind).Names[0]))
	}
	chk, ok := checkSheet(data, sheet)
	if err := r.streamSheet(f, sheet, chk, ok); err != nil {
		r.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", sheet, detail(err)),
			"请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
	}
}

// streamSheet feeds every row of sheet to the reader. excelize numbers the
// rows it returns from 1 and returns the rows missing from the file (empty
// rows) too, so the count is the row as Excel shows it.
//
// chk (when checked) is what scanSheet found in the same XML: formula
// cells without a cached value, which excelize returns as empty cells, are
// refused where they are, and a sheet that ends early (excelize drops the
// XML decoder's error and stops as if at the end) is refused as damaged.
func (r *reader) streamSheet(f *excelize.File, sheet string, chk sheetCheck, checked bool) error {
	rows, err := guard(func() (*excelize.Rows, error) { return f.Rows(sheet) })
	if err != nil {
		return err
	}
	defer rows.Close()
	var formulas map[int][]int
	if len(chk.formulas) > 0 {
		formulas = make(map[int][]int)
		for _, rc := range chk.formulas {
			formulas[rc[0]] = append(formulas[rc[0]], rc[1])
		}
	}
	// Raw values: formatting would turn 12.6 in a "0" format into 13 and
	// hide a fractional head count.
	raw := excelize.Options{RawCellValue: true}
	last := 0
	for n := 1; ; n++ {
		more, err := guard(func() (bool, error) { return rows.Next(), nil })
		if err != nil {
			return err
		}
		if !more {
			break
		}
		cells, err := guard(func() ([]string, error) { return rows.Columns(raw) })
		if err != nil {
			return err
		}
		if checked && !chk.complete && n > chk.lastRow {
			break // the row the XML breaks off in: its cells are not all there
		}
		last = n
		if cols := formulas[n]; len(cols) > 0 {
			r.uncached(n, cols)
		}
		r.line(n, cells)
		r.formulaCols = nil
	}
	if err := rows.Error(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if !checked {
		return nil
	}
	if chk.more {
		r.fileError(fmt.Sprintf("工作表「%s」中有超过 %d 个公式单元格没有计算结果", sheet, maxFormulaCells),
			"在 Excel 中打开并保存（或复制后选择性粘贴为数值）后再导入")
	}
	if !chk.complete || last < chk.lastRow {
		n := min(last, chk.lastRow)
		if !chk.complete {
			n = chk.lastRow
		}
		what := fmt.Sprintf("在第%d行后损坏（文件不完整），其后的行无法读取", n)
		if n == 0 {
			what = "损坏（文件不完整），无法读取任何一行"
		}
		r.fileError(fmt.Sprintf("工作表「%s」%s", sheet, what),
			"文件可能没有下载或复制完整：请重新从原处取得文件；若在 Excel 中能打开，请核对行数后另存为“Excel 工作簿(*.xlsx)”再导入")
	}
	return nil
}

// uncached refuses the formula cells without a cached value in row n
// (columns 1-based) that the read would use: excelize returns them as
// empty, which would store "not reported" over the values they compute.
// Cells of columns that are ignored hold nothing the read uses.
func (r *reader) uncached(n int, cols []int) {
	for _, ci := range cols {
		i := ci - 1
		c := &column{letter: letter(i)}
		if r.headerDone {
			if i >= len(r.cols) || !r.cols[i].known {
				continue
			}
			c = &r.cols[i]
		}
		r.cellError(n, c, "", "是公式但没有计算结果（常见于程序生成的工作簿）",
			"在 Excel 中打开并保存（或复制后选择性粘贴为数值）后再导入")
	}
	r.formulaCols = cols
}

// isFormula reports whether the cell of column index i in the row being
// read is a formula without a value, already refused by uncached.
func (r *reader) isFormula(i int) bool {
	return slices.Contains(r.formulaCols, i+1)
}

// guard calls an excelize function, turning a panic into an error: excelize
// is robust on files that Excel writes, but a damaged or hostile upload
// must not bring the server down. Only excelize calls are guarded, so that
// a bug in this package still panics where tests and fuzzing can see it.
func guard[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("文件结构损坏: %s", detail(fmt.Errorf("%v", p)))
		}
	}()
	return fn()
}

// openWorkbook opens a workbook from memory, turning a panic in excelize on
// a malformed file into an error. Only openBounded calls it.
func openWorkbook(data []byte) (*excelize.File, error) {
	return guard(func() (*excelize.File, error) {
		return excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit})
	})
}

// detail is err's text fit for a message: an XML error quotes the bytes it
// choked on, which need not be UTF-8, and may be long.
func detail(err error) string {
	return clip(strings.ToValidUTF8(err.Error(), "\uFFFD"), 120)
}
