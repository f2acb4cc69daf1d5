package censusio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
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

// readXLSX reads the school sheet of a workbook, streaming its rows so that
// a 100 000-row sheet is never held in memory as a whole.
func (r *reader) readXLSX(data []byte) {
	err := zipLimits(data)
	if errors.Is(err, errTooLarge) {
		r.fileError(fmt.Sprintf("解压后超过 %d MB，无法读取", unzipLimit>>20),
			"一个文件放一个县区或一个年度的数据；如工作簿中有图片等附件，请删除后另存为 .xlsx")
		return
	}
	var f *excelize.File
	if err == nil {
		f, err = openWorkbook(data)
	}
	if err != nil {
		r.fileError("不是有效的 .xlsx 工作簿（文件已损坏，或是别的 zip 压缩包）",
			"请用 Excel 或 WPS 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
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
			sheet, len(sheets)-1, kindNames[kind][0]))
	}
	if err := r.streamSheet(f, sheet); err != nil {
		r.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", sheet, detail(err)),
			"请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
	}
}

// streamSheet feeds every row of sheet to the reader. excelize numbers the
// rows it returns from 1 and returns the rows missing from the file (empty
// rows) too, so the count is the row as Excel shows it.
func (r *reader) streamSheet(f *excelize.File, sheet string) error {
	rows, err := guard(func() (*excelize.Rows, error) { return f.Rows(sheet) })
	if err != nil {
		return err
	}
	defer rows.Close()
	// Raw values: formatting would turn 12.6 in a "0" format into 13 and
	// hide a fractional head count.
	raw := excelize.Options{RawCellValue: true}
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
		r.line(n, cells)
	}
	return rows.Error()
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
// a malformed file into an error.
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
