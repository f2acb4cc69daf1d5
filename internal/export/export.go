// Package export writes evaluation results for people and spreadsheets: a
// plain-text report, CSV tables and an XLSX workbook. The tables are the same
// in CSV and XLSX: one row per county, per county × stage × indicator, and per
// school part.
package export

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/eval"
)

// Table is a header and rows of cells: string, float64 (NaN: empty), int or bool.
type Table struct {
	Name   string // sheet name
	Header []string
	Rows   [][]any
	// Formats gives an Excel number format per column index (e.g. "0.000000").
	Formats map[int]string
}

// Tables names the tables by key for --table.
var Tables = []string{"counties", "indicators", "parts", "items", "kindergartens"}

// ReadsVerdicts reports whether the table named key reads the counties'
// verdicts (County.Verdict); the indicators and parts tables read only the
// resource part, which eval.EvaluateResourceEach computes alone.
func ReadsVerdicts(key string) bool { return key != "indicators" && key != "parts" }

// ReadsShortfalls reports whether the table named key reads the parts'
// shortfalls (eval.Part.Shortfalls): all but the indicators table may.
func ReadsShortfalls(key string) bool { return key != "indicators" }

// Build returns the table named key (one of Tables).
func Build(res *eval.Result, key string) (*Table, error) {
	switch key {
	case "counties":
		return countiesTable(res), nil
	case "indicators":
		return indicatorsTable(res), nil
	case "parts":
		return partsTable(res), nil
	case "items":
		return itemsTable(res), nil
	case "kindergartens":
		return kindergartensTable(res), nil
	}
	return nil, fmt.Errorf("unknown table %q: use one of %s", key, strings.Join(Tables, ", "))
}

func yesNo(b bool) string {
	if b {
		return "达标"
	}
	return "未达标"
}

// resourceText is a county's 资源配置 verdict: 达标, 未达标, or 待定 while
// it is pending (no part in scope, or data missing), as its item says.
func resourceText(c *eval.County) string {
	switch c.ResourceStatus() {
	case census.StatusMet:
		return "达标"
	case census.StatusNotMet:
		return "未达标"
	}
	return "待定"
}

func countiesTable(res *eval.Result) *Table {
	t := &Table{Name: "县区汇总", Header: []string{"县区代码", "县区名称", "资源配置", "数据完整",
		"小学学校(部)数", "小学未达标学校数", "小学差异系数未达标项", "初中学校(部)数", "初中未达标学校数", "初中差异系数未达标项", "舍入会改变结论的项数",
		"认定结论", "未达标项目", "一票否决", "待定项目"}}
	for _, c := range res.Counties {
		row := []any{c.Code, c.Name, resourceText(c), c.Complete}
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			s := c.Stage(st)
			if s == nil {
				row = append(row, 0, 0, "")
				continue
			}
			var bad []string
			for _, ir := range s.Indicators {
				if !ir.Pass && s.Parts > 0 {
					bad = append(bad, ir.Indicator.ZH)
				}
			}
			row = append(row, s.Parts, s.FailingParts, strings.Join(bad, "、"))
		}
		row = append(row, c.RoundingFlips)
		if v := c.Verdict; v != nil {
			row = append(row, VerdictText(v), itemNames(v, v.Unmet), itemNames(v, v.Vetoes), itemNames(v, v.Pending))
		} else {
			row = append(row, "", "", "", "")
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func indicatorsTable(res *eval.Result) *Table {
	t := &Table{Name: "差异系数", Header: []string{"县区代码", "县区名称", "学段", "指标代码", "指标", "单位", "标准值",
		"学校(部)数", "在校生数", "加权均值", "标准差", "差异系数", "上限", "结论", "余量", "舍入会改变结论", "低于标准值学校数", "未填报学校数"},
		Formats: map[int]string{9: "0.0000", 10: "0.0000", 11: "0.000000", 12: "0.00", 14: "+0.000000;-0.000000"}}
	rows := &anyRows{}
	for _, c := range res.Counties {
		indicatorRows(c, rows)
	}
	t.Rows = rows.rows
	return t
}

// indicatorRows gives the rows of c in the indicators table to w, cell by
// cell: the CSV writer writes them as they come, never boxed into a Table.
func indicatorRows(c *eval.County, w cellSink) {
	for _, s := range c.Stages {
		for _, ir := range s.Indicators {
			verdict := yesNo(ir.Pass)
			if !ir.Defined {
				verdict = "无法计算"
			}
			w.text(c.Code)
			w.text(c.Name)
			w.word(s.Stage.ZH())
			w.word(ir.Indicator.ID)
			w.word(ir.Indicator.ZH)
			w.word(ir.Indicator.Unit)
			w.limit(ir.Threshold)
			w.count(ir.N)
			w.num(ir.Students)
			w.num(ir.Mean)
			w.num(ir.SD)
			w.num(ir.CV.CV)
			w.limit(ir.Limit)
			w.word(verdict)
			w.num(ir.Margin)
			w.flag(ir.RoundingFlips)
			w.count(ir.PartsBelow)
			w.count(ir.Missing)
			w.end()
		}
	}
}

// cellSink takes the cells of a table's rows, typed, and end after each row.
type cellSink interface {
	text(string)
	// word is text for a string that lives as long as the sink and is
	// never changed (a standard's names, a literal), which the sink may
	// keep what it made of.
	word(string)
	// limit is num for a standard's figure (a threshold, a limit): a
	// few values, in every row.
	limit(float64)
	num(float64)
	count(int)
	flag(bool)
	end()
}

// anyRows collects rows as a Table holds them.
type anyRows struct {
	rows [][]any
	row  []any
}

func (a *anyRows) text(s string)   { a.row = append(a.row, s) }
func (a *anyRows) word(s string)   { a.text(s) }
func (a *anyRows) limit(x float64) { a.num(x) }
func (a *anyRows) num(x float64)   { a.row = append(a.row, x) }
func (a *anyRows) count(n int)     { a.row = append(a.row, n) }
func (a *anyRows) flag(b bool)     { a.row = append(a.row, b) }
func (a *anyRows) end()            { a.rows, a.row = append(a.rows, a.row), nil }

func partsTable(res *eval.Result) *Table {
	inds := res.Rules.Indicators
	t := &Table{Name: "学校", Header: []string{"县区代码", "县区名称", "学校标识码", "学校名称", "学校类型", "学段", "在校生数"},
		Formats: map[int]string{}}
	for i, ind := range inds {
		t.Header = append(t.Header, ind.ZH+"（"+ind.Unit+"）")
		t.Formats[7+i] = "0.00"
	}
	t.Header = append(t.Header, "达标项数", "学校结论", "未达标指标", "是否排除", "说明")
	for _, c := range res.Counties {
		for _, p := range c.Parts {
			row := []any{c.Code, c.Name, p.SchoolCode, p.SchoolName, p.SchoolType.ZH(), p.Stage.ZH(), p.Students}
			for k := range inds {
				v := math.NaN()
				if !p.Excluded {
					v = p.Values[k]
				}
				row = append(row, v)
			}
			var short []string
			for _, sf := range p.Shortfalls {
				short = append(short, fmt.Sprintf("%s %.1f%%", res.Rules.Indicator(sf.Indicator).ZH, sf.Ratio*100))
			}
			verdict := yesNo(p.Pass)
			note := p.Reason
			if p.Excluded {
				verdict = "不参与"
			} else if len(p.Missing) > 0 {
				verdict = "数据不全"
				note = "未填报：" + strings.Join(p.Missing, "、")
			}
			row = append(row, p.Met, verdict, strings.Join(short, "；"), p.Excluded, note)
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// CellText formats one cell for CSV and text: full precision for numbers
// (shortest exact form), empty for NaN.
func CellText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "是"
		}
		return "否"
	}
	return fmt.Sprint(v)
}

// WriteCSV writes t as UTF-8 CSV with a BOM, so Excel on Chinese Windows
// opens it correctly. Text cells that would start a formula are written as
// censusio.SafeCSVCell writes them; numbers are written as numbers.
func WriteCSV(w io.Writer, t *Table) error {
	cw, err := newTableCSV(w, t.Header)
	if err != nil {
		return err
	}
	if err := cw.rows(t.Rows); err != nil {
		return err
	}
	return cw.close()
}

// tableCSV writes a table's header, then its rows as they come, as
// encoding/csv writes them (a comma between cells, LF after a record, a
// cell quoted when it holds a quote, a comma or a line break, or begins
// with a space), but with each number appended to the row's bytes rather
// than formatted into a string of its own.
type tableCSV struct {
	w   *bufio.Writer
	buf []byte
	// cells is the row being written as a cellSink, and err the first
	// error of writing one.
	cells []byte
	ncell int
	err   error
	// words are the cells made of the words written (cellSink.word), by
	// where their text is: the same few dozen names come in every row;
	// limits those of the limits written (cellSink.limit), by their bits.
	words, limits madeCells
	// nums are the last whole number written in each of the first
	// columns, and its cell: a county's students come again in each
	// indicator's row.
	nums [16]lastNum
}

// lastNum is a number written (by its bits) and the cell made of it.
type lastNum struct {
	bits uint64
	cell []byte
	ok   bool
}

// madeCells are cells made once of values that come again and again, by
// a key of the value; at most maxMade of them.
type madeCells []madeCell

type madeCell struct {
	key  cellKey
	cell string
}

// cellKey identifies a value: a word by where its text is and its length,
// a limit by its bits (in n, p nil).
type cellKey struct {
	p *byte
	n uint64
}

// maxMade bounds the cells a madeCells keeps.
const maxMade = 64

// write appends to b the cell made of the value of k, or, the first time,
// the cell made appends, which it keeps.
func (m *madeCells) write(b []byte, k cellKey, made func([]byte) []byte) []byte {
	for i := range *m {
		if c := &(*m)[i]; c.key == k {
			return append(b, c.cell...)
		}
	}
	start := len(b)
	b = made(b)
	if len(*m) < maxMade {
		*m = append(*m, madeCell{key: k, cell: string(b[start:])})
	}
	return b
}

// sep begins a cell of the row being written as a cellSink.
func (t *tableCSV) sep() {
	if t.ncell > 0 {
		t.cells = append(t.cells, ',')
	}
	t.ncell++
}

func (t *tableCSV) text(s string) {
	t.sep()
	t.cells = appendCSVField(t.cells, censusio.SafeCSVCell(s))
}

// word writes a cell of s, which never changes while t is written: its
// cell is made once. A word is known by where its text is, so that
// knowing it takes no hashing of the text.
func (t *tableCSV) word(s string) {
	t.sep()
	t.cells = t.words.write(t.cells, cellKey{p: unsafe.StringData(s), n: uint64(len(s))}, func(b []byte) []byte {
		return appendCSVField(b, censusio.SafeCSVCell(s))
	})
}

// limit writes a cell of x, a standard's figure, made once for each
// value (and known by its bits).
func (t *tableCSV) limit(x float64) {
	t.sep()
	t.cells = t.limits.write(t.cells, cellKey{n: math.Float64bits(x)}, func(b []byte) []byte { return appendNum(b, x) })
}

func (t *tableCSV) num(x float64) {
	t.sep()
	if i := t.ncell - 1; i < len(t.nums) && x == math.Trunc(x) {
		// A whole number (a count of students): the cell made of the
		// same number in this column last time.
		m := &t.nums[i]
		if b := math.Float64bits(x); !m.ok || m.bits != b {
			m.bits, m.ok = b, true
			m.cell = appendNum(m.cell[:0], x)
		}
		t.cells = append(t.cells, m.cell...)
		return
	}
	t.cells = appendNum(t.cells, x)
}

// appendNum appends x as a CSV cell holds it: nothing when it is NaN or
// infinite.
func appendNum(b []byte, x float64) []byte {
	switch {
	case x > 0 && x < 1e15 && x == math.Trunc(x):
		// A whole number below 2⁵³ is written in full by 'f' and -1 (the
		// shortest digits that read back as it are all of its digits),
		// as AppendInt writes it, several times faster.
		return strconv.AppendInt(b, int64(x), 10)
	case !math.IsNaN(x) && !math.IsInf(x, 0):
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	return b
}

func (t *tableCSV) count(n int) {
	t.sep()
	t.cells = strconv.AppendInt(t.cells, int64(n), 10)
}

func (t *tableCSV) flag(b bool) {
	t.sep()
	t.cells = appendCSVField(t.cells, CellText(b))
}

func (t *tableCSV) end() {
	t.cells = append(t.cells, '\n')
	if _, err := t.w.Write(t.cells); err != nil && t.err == nil {
		t.err = err
	}
	t.cells, t.ncell = t.cells[:0], 0
}

func newTableCSV(w io.Writer, header []string) (*tableCSV, error) {
	// A large buffer: a nation's CV table is 8 MB, which 4 KB writes made
	// 2 000 system calls.
	return newTableCSVSize(w, header, 256<<10)
}

// newTableCSVSize is newTableCSV with a buffer of size bytes.
func newTableCSVSize(w io.Writer, header []string, size int) (*tableCSV, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	t := &tableCSV{w: bufio.NewWriterSize(w, size)}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	return t, t.rows([][]any{row})
}

func (t *tableCSV) rows(rows [][]any) error {
	for _, row := range rows {
		if err := t.row(row); err != nil {
			return err
		}
	}
	return nil
}

// row writes one row.
func (t *tableCSV) row(row []any) error {
	{
		b := t.buf[:0]
		for i, v := range row {
			if i > 0 {
				b = append(b, ',')
			}
			switch x := v.(type) {
			case string:
				// Text from the data (school names) must not run as a
				// formula in the spreadsheet that opens the file.
				b = appendCSVField(b, censusio.SafeCSVCell(x))
			case float64:
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					b = strconv.AppendFloat(b, x, 'f', -1, 64)
				}
			case int:
				b = strconv.AppendInt(b, int64(x), 10)
			default:
				b = appendCSVField(b, CellText(v))
			}
		}
		b = append(b, '\n')
		t.buf = b
		if _, err := t.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendCSVField appends one cell as encoding/csv writes it with a comma
// between cells and LF line ends.
func appendCSVField(b []byte, field string) []byte {
	if !fieldNeedsQuotes(field) {
		return append(b, field...)
	}
	b = append(b, '"')
	for i := 0; i < len(field); i++ {
		if field[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, field[i])
	}
	return append(b, '"')
}

// fieldNeedsQuotes is encoding/csv's rule for a comma-separated cell.
func fieldNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` {
		return true
	}
	for i := 0; i < len(field); i++ {
		if c := field[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r1, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r1)
}

func (t *tableCSV) close() error {
	return t.w.Flush()
}

// CSVWriter writes one table of a whole evaluation as CSV county by county,
// as eval.EvaluateWholeEach hands them on: the file is the one WriteCSV
// writes of Build's table, but no county is kept after its rows are
// written, so a nation's results (every school part of 2 900 counties) are
// never in memory at once.
type CSVWriter struct {
	res *eval.Result // the head, with one county at a time
	key string
	t   *tableCSV
}

// NewCSVWriter writes the header of the table named key (one of Tables)
// of the evaluation that head begins (eval.NewWhole) to w.
func NewCSVWriter(w io.Writer, head *eval.Result, key string) (*CSVWriter, error) {
	return newCSVWriter(w, head, key, 256<<10)
}

// newCSVWriter is NewCSVWriter with a buffer of size bytes.
func newCSVWriter(w io.Writer, head *eval.Result, key string, size int) (*CSVWriter, error) {
	one := *head
	one.Counties = nil
	t, err := Build(&one, key)
	if err != nil {
		return nil, err
	}
	tw, err := newTableCSVSize(w, t.Header, size)
	if err != nil {
		return nil, err
	}
	return &CSVWriter{res: &one, key: key, t: tw}, nil
}

// County writes the rows of c.
func (w *CSVWriter) County(c *eval.County) error {
	if w.key == "indicators" {
		indicatorRows(c, w.t)
		return w.t.err
	}
	w.res.Counties = []*eval.County{c}
	t, err := Build(w.res, w.key)
	w.res.Counties = nil
	if err != nil {
		return err
	}
	return w.t.rows(t.Rows)
}

// Close flushes what is written.
func (w *CSVWriter) Close() error { return w.t.close() }

// Rows writes rows a CSVRows made, after the rows written before.
func (w *CSVWriter) Rows(rows []byte) error {
	if w.t.err != nil {
		return w.t.err
	}
	_, err := w.t.w.Write(rows)
	return err
}

// CSVRows makes the rows a CSVWriter writes of a county, but returns
// them instead of writing them: for counties evaluated apart, in any
// order, and written in order later (CSVWriter.Rows). One goroutine uses
// it at a time.
type CSVRows struct {
	w    *CSVWriter
	rows rowBlocks
}

// rowBlocks is where a CSVRows writes: blocks of memory, each filled by
// the rows of counties one after the other, so that a county's rows are
// one slice of a block and never copied again, and a nation's 2 900
// counties take a hundred allocations rather than one each.
type rowBlocks struct {
	block []byte
	start int // where the rows of the county being written begin
}

// rowBlock is the least a block of rowBlocks holds.
const rowBlock = 64 << 10

func (b *rowBlocks) Write(p []byte) (int, error) {
	if len(p) > cap(b.block)-len(b.block) {
		// A new block, with the county's rows so far.
		rows := b.block[b.start:]
		next := make([]byte, 0, max(rowBlock, 2*(len(rows)+len(p))))
		b.block, b.start = append(next, rows...), 0
	}
	b.block = append(b.block, p...)
	return len(p), nil
}

// take returns the rows written since the last take. Its capacity runs
// to the end of their block, so that the rows of counties taken one after
// the other from one block can be written as one slice (AdjacentRows);
// nothing may be appended to it.
func (b *rowBlocks) take() []byte {
	rows := b.block[b.start:len(b.block)]
	b.start = len(b.block)
	return rows
}

// AdjacentRows returns the rows a and then b that a CSVRows made, as one
// slice, when b follows a in memory (the rows of counties made one after
// the other by one CSVRows, mostly), and false otherwise.
func AdjacentRows(a, b []byte) ([]byte, bool) {
	if len(a) == 0 || len(b) == 0 || cap(a)-len(a) < len(b) || &a[:len(a)+1][len(a)] != &b[0] {
		return nil, false
	}
	return a[:len(a)+len(b)], true
}

// NewCSVRows returns a CSVRows of the table named key of the evaluation
// that head begins, as NewCSVWriter would write it.
func NewCSVRows(head *eval.Result, key string) (*CSVRows, error) {
	r := &CSVRows{}
	// A small buffer, flushed after each county: a goroutine of a read
	// makes one, and the fresh memory of a large one costs more than the
	// few copies it saves.
	w, err := newCSVWriter(io.Discard, head, key, 4<<10)
	if err != nil {
		return nil, err
	}
	w.t.w.Reset(&r.rows) // and the header, still in the buffer, is dropped
	r.w = w
	return r, nil
}

// County returns the rows of c, which it no longer needs once it returns.
// They stay as they are: the rows of the counties after go elsewhere.
func (r *CSVRows) County(c *eval.County) ([]byte, error) {
	if err := r.w.County(c); err != nil {
		return nil, err
	}
	if err := r.w.t.w.Flush(); err != nil {
		return nil, err
	}
	return r.rows.take(), nil
}
