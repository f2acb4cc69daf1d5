package censusio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// Limits on what a workbook may unpack to. A province's census unpacks to
// well under 1 GiB, nearly all of it worksheet XML, which sheetRows streams
// (as excelize streamed worksheets larger than excelize.StreamChunkSize
// through a temporary file). Every other part is read into a buffer sized
// by the size the zip declares, so a few hundred crafted bytes could make
// it allocate gigabytes: zipLimits checks the declared sizes before any
// part is inflated (the zip reader refuses a part longer than declared).
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

// workbook is an uploaded workbook opened for reading its rows.
type workbook struct {
	zr *zip.Reader
	// f is excelize's view of the workbook without the data of its
	// worksheets and shared strings (see openBounded).
	f *excelize.File
	// stubbed are the parts that f holds as stubs.
	stubbed []*zip.File
}

// openBounded is the one way this package opens a workbook, for reading and
// for previewing alike: it refuses a file larger than maxFileSize or a zip
// that would unpack to more than the limits (a zip bomb: a few megabytes
// that unpack to gigabytes) before anything is unpacked, and turns a panic
// in excelize into an error. The error is an *Error to show.
//
// excelize opens the workbook with its worksheets and shared strings
// replaced by empty stubs: it checks the rest as it did the whole (every
// part inflates with its checksum, the workbook, relationships, styles and
// theme parse), lists the sheets, and does not inflate the large parts,
// which sheetRows reads straight from the zip.
func openBounded(data []byte) (*workbook, *Error) {
	if len(data) > maxFileSize {
		return nil, &Error{Problem: fmt.Sprintf("文件超过 %d MB", maxFileSize>>20),
			Fix: "一个文件放一个县区或一个年度的数据，分成几个文件导入"}
	}
	err := zipLimits(data)
	if errors.Is(err, errTooLarge) {
		return nil, &Error{Problem: fmt.Sprintf("解压后超过 %d MB，无法读取", unzipLimit>>20),
			Fix: "一个文件放一个县区或一个年度的数据；如工作簿中有图片等附件，请删除后另存为 .xlsx"}
	}
	wb := &workbook{}
	if err == nil {
		wb.zr, err = zip.NewReader(bytes.NewReader(data), int64(len(data)))
	}
	var stub []byte
	if err == nil {
		stub, wb.stubbed, err = stubWorkbook(wb.zr)
	}
	if err == nil {
		wb.f, err = openWorkbook(stub)
	}
	if err != nil {
		return nil, errNotWorkbook()
	}
	return wb, nil
}

func errNotWorkbook() *Error {
	return &Error{Problem: "不是有效的 .xlsx 工作簿（文件已损坏，或是别的 zip 压缩包）",
		Fix: "请用 Excel 或 WPS 打开，另存为“Excel 工作簿(*.xlsx)”后再导入"}
}

func (wb *workbook) Close() error { return wb.f.Close() }

// Stubs of a worksheet and of the shared strings.
const (
	stubSheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`
	stubSST   = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`
)

// stubWorkbook returns zr as a zip whose worksheets (every part a sheet of
// the workbook names, and the parts excelize would stream as worksheets)
// and shared strings are stubs; the other parts are copied as they are,
// compressed. It returns the parts it replaced.
func stubWorkbook(zr *zip.Reader) ([]byte, []*zip.File, error) {
	stub := map[*zip.File]string{}
	for _, p := range sheetParts(zr, func(string) bool { return true }, false) {
		stub[p] = stubSheet
	}
	for _, f := range zr.File {
		switch name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/")); {
		case name == "xl/sharedstrings.xml":
			stub[f] = stubSST
		case strings.HasPrefix(name, "xl/worksheets/sheet") && !strings.HasSuffix(name, "/"):
			stub[f] = stubSheet
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var stubbed []*zip.File
	for _, f := range zr.File {
		content, ok := stub[f]
		if !ok {
			if err := zw.Copy(f); err != nil {
				return nil, nil, err
			}
			continue
		}
		stubbed = append(stubbed, f)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			return nil, nil, err
		}
		if _, err := io.WriteString(w, content); err != nil {
			return nil, nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), stubbed, nil
}

// checkStubbed inflates the stubbed parts that the read does not (the
// sheets not read), so that a damaged one refuses the workbook as
// excelize refused it when it inflated every part.
func (wb *workbook) checkStubbed(read ...*zip.File) error {
	for _, f := range wb.stubbed {
		if slices.Contains(read, f) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// sharedStringsPart returns the shared strings part as excelize finds it
// (by its name, ignoring case; the last of several), or nil.
func (wb *workbook) sharedStringsPart() *zip.File {
	var p *zip.File
	for _, f := range wb.zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), "xl/sharedStrings.xml") {
			p = f
		}
	}
	return p
}

// sharedStrings reads the shared strings; readErr is the zip's error when
// the part cannot be inflated, err the XML's.
func (wb *workbook) sharedStrings() (sst *sharedStrings, err, readErr error) {
	p := wb.sharedStringsPart()
	if p == nil {
		return &sharedStrings{}, nil, nil
	}
	rc, err := p.Open()
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	return readSST(rc, p.UncompressedSize64)
}

// readXLSX reads the school sheet of a workbook, streaming its rows so that
// a 100 000-row sheet is never held in memory as a whole.
func (r *reader) readXLSX(data []byte) {
	wb, e := openBounded(data)
	if e != nil {
		r.add(e)
		return
	}
	defer wb.Close()
	sheets := wb.f.GetSheetList()
	if len(sheets) == 0 {
		r.fileError("工作簿里没有工作表", "请在第一个工作表中填写数据")
		return
	}
	if want := strings.TrimSpace(r.opt.Sheet); want != "" {
		i := slices.IndexFunc(sheets, func(s string) bool { return fold(s) == fold(want) })
		if i < 0 {
			r.fileError(fmt.Sprintf("没有工作表「%s」", want), "工作簿中的工作表有："+strings.Join(sheets, "、")+"；请用 --sheet 指定其中一个")
			return
		}
		r.sheet = sheets[i]
		if err := r.streamSheet(wb, sheets[i]); err != nil {
			r.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", sheets[i], detail(err)),
				"请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
		}
		return
	}
	sheet, named := pickSheet(sheets, r.opt.Kind)
	if !named && len(sheets) > 1 {
		// Not the first sheet when another one has the header: a title
		// sheet, or 说明 in front of the data.
		if h := headerSheet(wb, sheets); h != "" && h != sheet {
			r.sheet = h
			r.warn(0, nil, fmt.Sprintf("读取的是工作表「%s」（第一行是表头的工作表）；如要读别的工作表，请用 --sheet 指定", h))
			if err := r.streamSheet(wb, h); err != nil {
				r.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", h, detail(err)),
					"请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
			}
			return
		}
	}
	r.sheet = sheet
	if !named && len(sheets) > 1 {
		kind := census.KindSchool
		if r.opt.Kind != "" {
			kind, _ = ParseKind(r.opt.Kind)
		}
		r.warn(0, nil, fmt.Sprintf("只读取了第一个工作表「%s」，其余 %d 个工作表未读取（如数据在别的工作表，请把它移到最前，或命名为“%s”）",
			sheet, len(sheets)-1, census.TableOf(kind).Names[0]))
	}
	if err := r.streamSheet(wb, sheet); err != nil {
		r.fileError(fmt.Sprintf("工作表「%s」无法读取（%s）", sheet, detail(err)),
			"请用 Excel 打开，另存为“Excel 工作簿(*.xlsx)”后再导入")
	}
}

// sheetPartOf returns the part holding sheet, or the error excelize gives
// for a sheet it cannot find.
func (wb *workbook) sheetPartOf(sheet string) (*zip.File, error) {
	if p := sheetPart(wb.zr, sheet); p != nil {
		return p, nil
	}
	_, err := guard(func() (*excelize.Rows, error) { return wb.f.Rows(sheet) })
	if err == nil {
		err = fmt.Errorf("找不到工作表「%s」的数据", sheet)
	}
	return nil, err
}

// streamSheet feeds every row of sheet to the reader, numbered as Excel
// numbers them: the rows missing from the file (empty rows) are fed too.
//
// Formula cells without a cached value, which read as empty, are refused
// where they are, and a sheet whose XML ends early (excelize read it as a
// shorter sheet without complaint) is refused as damaged.
func (r *reader) streamSheet(wb *workbook, sheet string) error {
	part, err := wb.sheetPartOf(sheet)
	if err != nil {
		return err
	}
	sstPart := wb.sharedStringsPart()
	if err := wb.checkStubbed(part, sstPart); err != nil {
		r.add(errNotWorkbook())
		return nil
	}
	sst, err, readErr := wb.sharedStrings()
	if readErr != nil {
		r.add(errNotWorkbook())
		return nil
	}
	if err != nil {
		return err
	}
	rc, err := part.Open()
	if err != nil {
		r.add(errNotWorkbook())
		return nil
	}
	defer rc.Close()
	// Room for a record per row the sheet has left once the first record
	// is read, as readCSV makes room for a record per line: growing a
	// slice of Schools by doubling copied each of them about three times.
	// A row of a record takes more than 64 bytes of XML, which bounds the
	// room a false dimension element can ask for.
	rows := newSheetRows(rc, sst, part.UncompressedSize64)
	presized := false
	res := rows.run(func(n int, cells []string, uncached []int) bool {
		if len(uncached) > 0 {
			r.uncached(n, uncached)
		}
		r.line(n, cells)
		r.formulaCols = nil
		if !presized && len(r.batch.Schools) > 0 {
			presized = true
			if r.unit == nil && r.nerr == 0 && r.each == nil {
				if left := min(rows.rowsLeft(), int(min(part.UncompressedSize64/64, maxPresized))); left > 0 {
					if a := r.opt.Arena; a != nil {
						// Out of the collector's sight, as a CSV file's.
						all := a.schools(len(r.batch.Schools) + left)
						r.batch.Schools = all[:copy(all, r.batch.Schools)]
					} else {
						r.batch.Schools = slices.Grow(r.batch.Schools, left)
					}
				}
			}
		}
		return r.eachErr == nil
	})
	if res.readErr != nil {
		r.add(errNotWorkbook())
		return nil
	}
	if res.err != nil {
		return res.err
	}
	if res.more {
		r.fileError(fmt.Sprintf("工作表「%s」中有超过 %d 个公式单元格没有计算结果", sheet, maxFormulaCells),
			"在 Excel 中打开并保存（或复制后选择性粘贴为数值）后再导入")
	}
	if !res.complete {
		what := fmt.Sprintf("在第%d行后损坏（文件不完整），其后的行无法读取", res.lastRow)
		if res.lastRow == 0 {
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
// a bug in this package (sheetRows included) still panics where tests and
// fuzzing can see it.
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

// headerSheet returns the first of sheets whose first non-empty row is a
// header of some record kind (three columns or more recognised), or "".
// Only the first rows of each sheet are read.
func headerSheet(wb *workbook, sheets []string) string {
	sst, err, readErr := wb.sharedStrings()
	if err != nil || readErr != nil {
		return ""
	}
	for _, sh := range sheets {
		part, err := wb.sheetPartOf(sh)
		if err != nil {
			continue
		}
		rc, err := part.Open()
		if err != nil {
			continue
		}
		found := false
		newSheetRows(rc, sst, part.UncompressedSize64).run(func(_ int, cells []string, _ []int) bool {
			if slices.ContainsFunc(cells, func(c string) bool { return trim(c) != "" }) {
				found = isHeader(cells)
				return false // the first row with anything in it decides
			}
			return true
		})
		rc.Close()
		if found {
			return sh
		}
	}
	return ""
}

// isHeader reports whether cells name three or more columns of one record
// kind (by key or Chinese name, a unit suffix allowed).
func isHeader(cells []string) bool {
	count := map[census.Kind]int{}
	for _, raw := range cells {
		f := fold(trim(raw))
		if f == "" {
			continue
		}
		base, _ := splitUnit(f)
		for _, key := range []string{f, base} {
			if _, ok := headerIndex[key]; ok {
				count[census.KindSchool]++
				break
			}
		}
		for _, k := range unitKinds {
			if _, ok := unitIndex[k][f]; ok {
				count[k]++
			} else if _, ok := unitIndex[k][base]; ok {
				count[k]++
			}
		}
	}
	for _, n := range count {
		if n >= 3 {
			return true
		}
	}
	return false
}
