// Package censusio reads census files (.xlsx and .csv, interfaces.md §2) into
// census records and writes the empty import template.
//
// A read is all or nothing: a file with any bad cell yields no Batch but
// Errors, one per problem, each naming the file, the row as Excel numbers it,
// the column by its header and letter, the bad value and what to fix, because
// the people who fix them are county statisticians working in Excel, not
// programmers. Problems that do not make the data wrong (an unknown column,
// an implausible equipment value) are Warnings on a successful Batch.
package censusio

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// Options control a read.
type Options struct {
	// EquipmentUnit is the unit of a money column (教学仪器设备值 and the
	// other columns in 元) whose header names no unit: "" (the header must
	// say), "元" or "万元". A unit in the header always wins, because the
	// header travels with the data and a setting does not.
	EquipmentUnit string
	// ConfirmUnits accepts money values that look like the wrong unit for
	// their header: 元 figures under a 万元 header (生均 above a million 元),
	// which would be stored ten thousand times too large. Without it such a
	// file is refused with errors whose Code is CodeUnitConfirm, so that a
	// caller can ask the user and read again with ConfirmUnits set (the
	// command line's --confirm-units). The values are then read in the
	// header's unit and the doubt stays a Warning.
	ConfirmUnits bool
	// Kind is the kind of record in the file: "school", "kindergarten" or
	// "county" (or their Chinese names); "" decides from the header, and
	// reads a file whose header points nowhere else as school records.
	Kind string
	// Sheet is the worksheet of a workbook to read; "" reads the sheet
	// named for the kind (学校, 幼儿园, 县级数据), else the first sheet
	// whose first row is a header, else the first sheet.
	Sheet string
	// Arena, when set, holds the school records of a large CSV file and
	// the texts of every record outside the garbage-collected heap, valid
	// until its Free (see Arena); a large file read with it is mapped
	// while it is read (see mapped). nil reads onto the heap.
	Arena *Arena
	// NoHash leaves Batch.SHA256 empty, for a caller that does not
	// record the file (an evaluation): hashing a nation's file takes a
	// core for 15 ms.
	NoHash bool
	// EachRun, when set, has the schools of a large CSV file read in
	// parallel handed on as they are read rather than kept: each run of
	// one county and year to a RunFunc that EachRun makes for each
	// goroutine of the read, which may be called from several at once.
	// Batch.Evaluated then says so, and Batch.RunResults holds what the
	// RunFuncs made of each run, with Schools empty. A file read otherwise
	// (a small one, a workbook, a file that gives a county's rows in more
	// than one place) has its schools in Schools as without it. See
	// eachrun.go.
	EachRun func() RunFunc
}

// Batch is what one file yields.
type Batch struct {
	File    string // base name as given
	SHA256  string // hex of the file bytes
	Schools []census.School
	// FirstYear and LastYear are the earliest and the latest year of
	// Schools (or of the schools ReadFileEach handed on), found as they
	// were read (a pass over a nation's records afterwards touches all
	// 96 MB of them); 0 when there are none.
	FirstYear, LastYear int
	// Runs are the runs of Schools of one county and year, in order,
	// covering all of them, found as they were read (eval.Inputs.Runs);
	// nil for ReadFileEach.
	Runs []census.SchoolRun
	// Evaluated says the schools were handed to Options.EachRun rather
	// than kept, and RunResults holds what it made of each of their runs of
	// one county and year, in file order (one per county and year).
	Evaluated  bool
	RunResults []RunResult
	// Kind is the kind of the records read; Kindergartens or Counties hold
	// them when it is not school.
	Kind          census.Kind
	Kindergartens []census.Kindergarten
	Counties      []census.CountyRecord
	// Records holds the records of a file of any kind but school, in the
	// neutral form, whatever the kind: a kind declared later is read into
	// it with no change here. Kindergartens and Counties are typed copies.
	Records  []census.UnitRecord
	Skipped  []Note   // rows skipped and why (template example rows, empty rows)
	Warnings []Note   // not fatal: unknown columns, implausible values
	Unknown  []string // headers not recognised, in file order
}

// Note is a remark about one row or column that did not stop the read.
type Note struct {
	File    string
	Row     int    // 1-based as Excel shows it; 0 for the whole file
	Column  string // the header text as written, "" for a whole row
	Letter  string // the column letter as Excel shows it ("C"), "" for a whole row
	Message string
}

// String renders the note on one line, in the same shape as Error.
func (n Note) String() string {
	return oneLine(location(n.File, n.Row, n.Column, n.Letter) + "：" + n.Message)
}

// oneLine replaces every line break in s by ⏎: a cell or header typed with
// Alt+Enter must not split a message over two lines, where a log or a
// terminal would show the second half as a message of its own.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\v\f\u0085\u2028\u2029") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "⏎")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\v', '\f', '\u0085', '\u2028', '\u2029':
			return '⏎'
		}
		return r
	}, s)
}

// Error is one bad cell, row or file. The fields are kept apart so that a web
// page can show them as a table; Error() joins them into one line.
type Error struct {
	File    string
	Row     int    // 1-based as Excel shows it; 0 when the problem is the whole file
	Column  string // the header text as written, or "" when no single column is at fault
	Letter  string // the column letter ("C"), "" when Column is ""
	Value   string // the bad value as written, "" when there is none
	Problem string // what is wrong
	Fix     string // what to do about it
	// Code identifies a kind of error that a caller may act on, "" for
	// the rest: CodeUnitConfirm.
	Code string

	more int // on the summary that ends a capped list: the errors it stands for
}

// Error returns one line: file, row, column, value, problem and fix, e.g.
// a.csv 第5行 C列「小学在校生数」：“abc”不是数字；请填写阿拉伯数字……
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(location(e.File, e.Row, e.Column, e.Letter))
	b.WriteString("：")
	if e.Value != "" {
		fmt.Fprintf(&b, "“%s”", clip(e.Value, 40))
	}
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("；")
		b.WriteString(e.Fix)
	}
	return oneLine(b.String())
}

// CodeUnitConfirm marks an error that Options.ConfirmUnits would accept:
// money values that look like 元 under a 万元 header.
const CodeUnitConfirm = "unit_confirm"

// NeedsUnitConfirmation reports whether err holds an error that reading
// again with Options.ConfirmUnits would accept, so that an upload page can
// offer the confirmation. Other errors in err still need fixing.
func NeedsUnitConfirmation(err error) bool {
	var es Errors
	if !errors.As(err, &es) {
		return false
	}
	for _, e := range es {
		if e.Code == CodeUnitConfirm {
			return true
		}
	}
	return false
}

// location names a place in a file: "a.xlsx 第5行 C列「小学在校生数」".
func location(file string, row int, column, letter string) string {
	var b strings.Builder
	b.WriteString(file)
	if row > 0 {
		fmt.Fprintf(&b, " 第%d行", row)
	}
	switch {
	case letter != "" && column != "":
		fmt.Fprintf(&b, " %s列「%s」", letter, column)
	case letter != "":
		fmt.Fprintf(&b, " %s列", letter)
	case column != "":
		fmt.Fprintf(&b, " 「%s」列", column)
	}
	return b.String()
}

// MaxErrors is how many errors a read lists; beyond it the last element of
// Errors is a summary with Row 0 that says how many more there were, and
// Errors.Total counts them all.
const MaxErrors = 100

// Errors is every problem found in one read, at most MaxErrors of them plus
// a summary. It is returned only when there is at least one.
type Errors []*Error

// Total returns how many errors the read found, including those beyond
// MaxErrors that the list only counts.
func (es Errors) Total() int {
	n := 0
	for _, e := range es {
		if e.more > 0 {
			n += e.more
		} else {
			n++
		}
	}
	return n
}

// Error returns the single error's line, or a count followed by one line per
// error.
func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "没有错误"
	case 1:
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s：发现 %d 处错误，未导入任何数据：", es[0].File, es.Total())
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// maxFileSize bounds what one read accepts: a census of a whole province is
// a few tens of megabytes, so anything far larger is a mistake, and reading
// it would only exhaust memory.
const maxFileSize = 256 << 20

// ReadFile reads the census file at path. The content decides the format
// where it can (a zip is read as a workbook whatever it is called, because
// users rename files); otherwise the extension must be .csv (or .txt), and
// .xlsx or .xlsm must hold a workbook. Any other file is refused with an
// error that names it.
func ReadFile(path string, opt Options) (*Batch, error) {
	return readFile(path, opt, nil)
}

// readFile is ReadFile, with setup called on the reader before it reads.
func readFile(path string, opt Options, setup func(*reader)) (*Batch, error) {
	name := baseName(path)
	if err := opt.check(); err != nil {
		return nil, fmt.Errorf("%s：%w", name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s：无法打开：%w", name, err)
	}
	defer f.Close()
	// Read into a buffer of the file's size rather than one grown by
	// doubling: for a large file that halves the memory the read takes.
	// Pipes and the like have no size and are read as a stream.
	// A large file read into an arena is mapped instead: not copied at all.
	var (
		data []byte
		g    *faults
	)
	fi, err := f.Stat()
	switch {
	case err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > maxFileSize:
		data, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
	default:
		if data, g = mapped(f, fi.Size(), opt); data != nil {
			break
		}
		data = make([]byte, fi.Size())
		hugepages.Advise(unsafe.Pointer(unsafe.SliceData(data)), uintptr(len(data)))
		err = readFull(f, data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s：读取失败：%w", name, err)
	}
	if g != nil {
		// Unmapped once read, with any goroutine of the read that a fault
		// left running still watched.
		defer unmapping.Go(func() { hugepages.UnmapFile(data) })
		return readWatched(name, g, func() (*Batch, error) {
			return readData(path, name, data, opt, func(r *reader) {
				r.faults = g
				if setup != nil {
					setup(r)
				}
			})
		})
	}
	return readData(path, name, data, opt, setup)
}

// unmapping are the files being unmapped once read: in the background,
// since nothing read keeps a part of them and the caller need not wait for
// the kernel (a nation's file took a millisecond and more). Tests wait for
// them.
var unmapping sync.WaitGroup

// readData reads the content of the file at path, which is data; name is
// its base name.
func readData(path, name string, data []byte, opt Options, setup func(*reader)) (*Batch, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if !bytes.HasPrefix(data, zipMagic) {
		switch ext {
		case ".xlsx", ".xlsm":
			// Text under a workbook's name (a CSV renamed): read as the CSV
			// it is, and say so if it fails.
			b, err := readBytesWith(name, data, opt, setup)
			var es Errors
			if errors.As(err, &es) && binaryKind(data) == "" && !bytes.HasPrefix(data, oleMagic) {
				note := &Error{File: name, Problem: "扩展名是 " + ext + "，但内容是文本（CSV），不是 Excel 工作簿；已按 CSV 读取",
					Fix: "若它本是 CSV，请把扩展名改回 .csv；若应是工作簿，请在 Excel 或 WPS 中另存为“Excel 工作簿(*.xlsx)”"}
				return b, append(Errors{note}, es...)
			}
			return b, err
		case ".csv", ".txt":
		case ".xls", ".et", ".wps", ".ods", ".numbers":
			return nil, Errors{{File: name, Problem: "是 " + ext + " 格式，dudao 只读 .xlsx 和 .csv",
				Fix: "在 Excel 或 WPS 中打开它，另存为“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)”后再导入"}}
		default:
			what := "没有扩展名"
			if ext != "" {
				what = "扩展名 " + ext + " 不是表格文件"
			}
			return nil, Errors{{File: name, Problem: what,
				Fix: "请导入 .xlsx 或 .csv 文件（可用 dudao template 生成模板）"}}
		}
	}
	return readBytesWith(name, data, opt, setup)
}

// Read reads one census file from r, for uploads where there is no path.
// The content decides the format: a zip is an .xlsx workbook, anything else
// is CSV. name is used in messages only (its base name).
func Read(name string, r io.Reader, opt Options) (*Batch, error) {
	name = baseName(name)
	if err := opt.check(); err != nil {
		return nil, fmt.Errorf("%s：%w", name, err)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s：读取失败：%w", name, err)
	}
	return readBytes(name, data, opt)
}

// baseName is the name of a file without its directory, by either kind of
// slash: a browser on Windows may send C:\fakepath\学校.xlsx.
func baseName(path string) string {
	name := path[strings.LastIndexAny(path, `/\`)+1:]
	if name == "" {
		return "（未命名文件）"
	}
	return name
}

// readBytes reads a whole file held in memory; name is its base name.
func readBytes(name string, data []byte, opt Options) (*Batch, error) {
	return readBytesWith(name, data, opt, nil)
}

// readFull fills data from the start of f, which is at least as long.
// A large file is read in parts on every core: the copy from the system's
// cache, and the first touch of the buffer's pages, are most of a read's
// time before its rows are parsed, on one core.
func readFull(f *os.File, data []byte) error {
	parts := runtime.GOMAXPROCS(0)
	if len(data) < readPartsMin || parts < 2 {
		_, err := io.ReadFull(f, data)
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, parts)
	size := (len(data) + parts - 1) / parts
	for i := range parts {
		lo, hi := min(i*size, len(data)), min((i+1)*size, len(data))
		wg.Go(func() {
			_, errs[i] = f.ReadAt(data[lo:hi], int64(lo))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the first: one line in the message
		}
	}
	return nil
}

// readPartsMin is the size from which readFull reads in parts.
const readPartsMin = 4 << 20

// readBytesWith is readBytes, with setup called on the reader before it
// reads.
func readBytesWith(name string, data []byte, opt Options, setup func(*reader)) (*Batch, error) {
	if len(data) > maxFileSize {
		return nil, Errors{{File: name, Problem: fmt.Sprintf("文件超过 %d MB", maxFileSize>>20),
			Fix: "一个文件放一个县区或一个年度的数据，分成几个文件导入"}}
	}
	// The file's hash is computed while it is read: it is a tenth of the
	// time of a large read.
	rd := newReader(name, opt)
	if setup != nil {
		setup(rd)
	}
	sum := make(chan [sha256.Size]byte, 1)
	if !opt.NoHash {
		g := rd.faults
		go func() {
			var h [sha256.Size]byte
			defer func() { sum <- h }() // after a fault too
			defer g.catch()
			g.watch()
			h = sha256.Sum256(data)
		}()
	}

	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		rd.fileError("是空文件", "请在模板中填写数据后再导入（可用 dudao template 生成模板）")
	case bytes.HasPrefix(data, zipMagic):
		if kind := zipKind(data); kind != "" {
			rd.fileError("不是 Excel 工作簿，是"+kind, "在 Excel 或 WPS 中打开它，另存为“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)”后再导入")
			break
		}
		rd.readXLSX(data)
	case bytes.HasPrefix(data, oleMagic):
		rd.fileError("是 Excel 97-2003（.xls）文件或设了密码的工作簿，无法读取",
			"在 Excel 中另存为“Excel 工作簿(*.xlsx)”（不设打开密码）或“CSV UTF-8(逗号分隔)”后再导入")
	default:
		if kind := binaryKind(data); kind != "" {
			rd.fileError("不是表格文件（看起来是"+kind+"）", "请导入 .xlsx 或 .csv 文件")
			break
		}
		if !rd.readCSV(data, true) {
			// Not UTF-8 after all: read again, decoded first.
			rd = newReader(name, opt)
			if setup != nil {
				setup(rd)
			}
			rd.readCSV(data, false)
		}
	}
	if !opt.NoHash {
		h := <-sum
		rd.batch.SHA256 = hex.EncodeToString(h[:])
	}
	return rd.finish()
}

// check validates the options.
func (o Options) check() error {
	switch o.EquipmentUnit {
	case "", "元", "万元":
	default:
		return fmt.Errorf("金额单位 %q 无效：只能是 元 或 万元", o.EquipmentUnit)
	}
	if _, ok := ParseKind(o.Kind); !ok {
		return fmt.Errorf("数据类别 %q 无效：可用 school（义务教育学校）、kindergarten（幼儿园）、county（县级数据）", o.Kind)
	}
	return nil
}

// hasUTF16BOM reports whether data begins with a UTF-16 byte order mark,
// either way round.
func hasUTF16BOM(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF})
}

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// zipKind names the document a zip archive holds when it is plainly not an
// .xlsx workbook: an OpenDocument file (its first entry "mimetype" says
// which), a Word or PowerPoint document; "" for anything else, which the
// workbook reader judges.
func zipKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	has := map[string]bool{}
	for _, f := range zr.File {
		has[f.Name] = true
		if f.Name == "mimetype" && f.UncompressedSize64 < 200 {
			rc, err := f.Open()
			if err != nil {
				continue
			}
			m, _ := io.ReadAll(io.LimitReader(rc, 200))
			rc.Close()
			switch mt := string(bytes.TrimSpace(m)); {
			case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
				return " OpenDocument 表格（.ods，如 LibreOffice Calc 或 WPS 另存的）"
			case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.text"):
				return " OpenDocument 文档（.odt）"
			case strings.HasPrefix(mt, "application/vnd.oasis.opendocument"):
				return " OpenDocument 文件"
			}
		}
	}
	switch {
	case has["xl/workbook.xml"]:
		return ""
	case has["word/document.xml"]:
		return " Word 文档（.docx）"
	case has["ppt/presentation.xml"]:
		return " PowerPoint 演示文稿（.pptx）"
	}
	return ""
}

// binaryKind returns a description of data when it is plainly not text: a
// known magic number, or NUL bytes, which no CSV has. UTF-16 text, which
// Excel writes as "Unicode 文本", has NULs and is recognised by its BOM first.
func binaryKind(data []byte) string {
	for _, m := range []struct {
		magic, kind string
	}{
		{"%PDF", "PDF 文件"},
		{"\x89PNG", "PNG 图片"},
		{"\xFF\xD8\xFF", "JPEG 图片"},
		{"GIF8", "GIF 图片"},
		{"Rar!", "RAR 压缩包"},
		{"7z\xBC\xAF", "7z 压缩包"},
		{"\x1F\x8B", "gzip 压缩包"},
		{"{\\rtf", "RTF 文档"},
	} {
		if bytes.HasPrefix(data, []byte(m.magic)) {
			return m.kind
		}
	}
	if hasUTF16BOM(data) {
		return ""
	}
	if bytes.IndexByte(data[:min(len(data), 1<<16)], 0) >= 0 {
		return "二进制文件"
	}
	return ""
}

// clip shortens a value quoted in a message to n runes, so that a cell
// holding a paragraph does not flood the error list.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
