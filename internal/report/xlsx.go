package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the county report as a workbook: an overview sheet, the
// CV table, one 附表 sheet per stage, the unmet items, the change from last
// year, the exclusions and the callers' section tables. Every table sheet
// has a title row, a frozen header, number formats (figures are stored
// unrounded; the format rounds them for reading), column widths, a print
// area with the header repeated on each printed page, A4 page setup
// (landscape for wide tables, fitted to the page width) and the footer
// "第 N 页 共 M 页".
func (c *County) WriteXLSX(w io.Writer) error {
	x := newWorkbook(c.Title(), c.Meta)
	defer x.f.Close()
	d := countyDoc(c)
	x.overview(d, c.Overview)
	if len(c.Stages) > 0 {
		x.table(xlsxCVTable(c), false, 2)
	}
	for _, st := range c.Stages {
		if st.Parts == 0 {
			continue
		}
		t := schoolsTable(c, st)
		t.Sheet = st.Name + "附表"
		t.Title = c.Name + st.Name + "学校（部）指标表"
		// Full precision: the cells hold the values, the format shows 2 decimals.
		for i, s := range st.Schools {
			for k, v := range s.Values {
				t.Rows[i][4+k].Num = v
			}
		}
		x.table(t, true, 2)
	}
	if len(c.Unmet) > 0 {
		x.table(unmetTable(c), false, 0)
	}
	if c.Change != nil {
		t := cvChangeTable(c.Change, c.Year)
		t.Sheet = "与上年比较"
		t.Title = fmt.Sprintf("差异系数：%d年度与%d年度", c.Change.PrevYear, c.Year)
		x.table(t, false, 2)
	}
	if len(c.Exclusions) > 0 {
		t := exclusionsTable(c)
		t.Sheet = "不参与计算"
		x.table(t, false, 0)
	}
	for _, s := range c.Sections {
		for i := range s.Tables {
			t := s.Tables[i]
			x.table(&t, t.Wide, 0)
		}
	}
	return x.write(w)
}

// WriteXLSX writes the summary as a workbook: the ranking, the counties by
// city and the counts per indicator.
func (s *Summary) WriteXLSX(w io.Writer) error {
	x := newWorkbook(s.Title(), s.Meta)
	defer x.f.Close()
	d := summaryDoc(s)
	x.overview(d, s.Overview())
	t := rankingTable(s)
	t.Title = s.Title() + "：县区排名"
	t.Sheet = "县区排名"
	// Store the margin unrounded.
	for i, r := range s.Counties {
		t.Rows[i][8].Num = r.WorstMargin
	}
	x.table(t, true, 3)
	if len(s.Cities) > 1 {
		x.table(citiesTable(s), false, 1)
	}
	x.table(indicatorTable(s), false, 2)
	return x.write(w)
}

type workbook struct {
	f      *excelize.File
	first  bool
	styles map[styleKey]int
	err    error
	sheets map[string]bool
}

type styleKey struct {
	format string
	bad    bool
	kind   int // 0 cell, 1 header, 2 title, 3 label, 4 paragraph
}

func newWorkbook(title string, m Meta) *workbook {
	f := excelize.NewFile()
	x := &workbook{f: f, first: true, styles: map[styleKey]int{}, sheets: map[string]bool{}}
	props := &excelize.DocProperties{Title: title, Creator: "dudao", Description: "由 dudao 督导评估系统生成", Language: "zh-CN"}
	if !m.Date.IsZero() {
		props.Created = m.Date.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	x.check(f.SetDocProps(props))
	return x
}

func (x *workbook) check(err error) {
	if err != nil && x.err == nil {
		x.err = err
	}
}

func (x *workbook) write(w io.Writer) error {
	if x.err != nil {
		return x.err
	}
	x.f.SetActiveSheet(0)
	_, err := x.f.WriteTo(w)
	return err
}

// sheet adds a sheet named name (made unique), the first renaming Sheet1.
func (x *workbook) sheet(name string) string {
	base := name
	for i := 2; x.sheets[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
		if r := []rune(name); len(r) > 31 {
			name = string(r[len(r)-31:])
		}
	}
	x.sheets[name] = true
	if x.first {
		x.first = false
		x.check(x.f.SetSheetName("Sheet1", name))
		return name
	}
	_, err := x.f.NewSheet(name)
	x.check(err)
	return name
}

func (x *workbook) style(k styleKey) int {
	if id, ok := x.styles[k]; ok {
		return id
	}
	border := []excelize.Border{
		{Type: "left", Color: "C9D1DB", Style: 1}, {Type: "right", Color: "C9D1DB", Style: 1},
		{Type: "top", Color: "C9D1DB", Style: 1}, {Type: "bottom", Color: "C9D1DB", Style: 1},
	}
	s := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: border}
	switch k.kind {
	case 1:
		s.Font = &excelize.Font{Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}
		s.Alignment = &excelize.Alignment{Vertical: "center", WrapText: true}
	case 2:
		s = &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F4E79"}, Alignment: &excelize.Alignment{Vertical: "center"}}
	case 3:
		s = &excelize.Style{Font: &excelize.Font{Color: "5B6675"}, Alignment: &excelize.Alignment{Vertical: "top"}}
	case 4:
		s = &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}
	}
	if k.format != "" {
		f := k.format
		s.CustomNumFmt = &f
	}
	if k.bad {
		if s.Font == nil {
			s.Font = &excelize.Font{}
		}
		s.Font.Color = "B3261E"
	}
	id, err := x.f.NewStyle(s)
	x.check(err)
	x.styles[k] = id
	return id
}

// colFormat is a column's Excel number format.
func colFormat(c Column) string {
	if c.Format != "" {
		return c.Format
	}
	if !c.Number {
		return ""
	}
	if c.Decimals == 0 {
		return "0"
	}
	return "0." + strings.Repeat("0", c.Decimals)
}

// cellValue is what a cell holds: its number (empty when NaN), or its text.
func cellValue(c Cell) any {
	if c.IsNum {
		if math.IsNaN(c.Num) || math.IsInf(c.Num, 0) {
			return nil
		}
		return c.Num
	}
	return c.Text
}

// setFloat stores v exactly. (excelize's default cuts a float to Excel's 15
// significant digits, which would change the figures the report compares;
// asking for the decimals of v's shortest exact form keeps all of them.)
func (x *workbook) setFloat(sheet, cell string, v float64) {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	prec := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		prec = len(s) - i - 1
	}
	x.check(x.f.SetCellFloat(sheet, cell, v, prec, 64))
}

// colWidthXLSX turns a width in CJK characters into Excel's unit (the width of "0").
func colWidthXLSX(w float64) float64 { return math.Min(math.Max(widthOr(w)*2.1+1.5, 6), 80) }

// table writes t on a sheet of its own: title in row 1, header in row 2.
// freezeCols columns stay in view when scrolling right.
func (x *workbook) table(t *Table, wide bool, freezeCols int) {
	f := x.f
	name := x.sheet(t.sheetName())
	n := len(t.Columns)
	last, _ := excelize.ColumnNumberToName(n)
	for i, c := range t.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		x.check(f.SetColWidth(name, col, col, colWidthXLSX(c.Width)))
	}
	title := t.Title
	x.check(f.SetCellValue(name, "A1", title))
	x.check(f.MergeCell(name, "A1", last+"1"))
	x.check(f.SetCellStyle(name, "A1", last+"1", x.style(styleKey{kind: 2})))
	x.check(f.SetRowHeight(name, 1, 26))
	maxLines := 1
	for i, c := range t.Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		x.check(f.SetCellValue(name, cell, c.Header))
		maxLines = max(maxLines, strings.Count(c.Header, "\n")+1, int(math.Ceil(float64(utf8.RuneCountInString(c.Header))/math.Max(widthOr(c.Width), 1))))
	}
	x.check(f.SetCellStyle(name, "A2", last+"2", x.style(styleKey{kind: 1})))
	x.check(f.SetRowHeight(name, 2, math.Min(15*float64(maxLines)+4, 64)))
	for r, row := range t.Rows {
		for i := range n {
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			addr, _ := excelize.CoordinatesToCellName(i+1, r+3)
			format := ""
			switch v := cellValue(c).(type) {
			case float64:
				format = colFormat(t.Columns[i])
				x.setFloat(name, addr, v)
			case string:
				if v != "" {
					x.check(f.SetCellStr(name, addr, v))
				}
			}
			x.check(f.SetCellStyle(name, addr, addr, x.style(styleKey{format: format, bad: c.Bad})))
		}
	}
	lastRow := len(t.Rows) + 2
	topLeft, _ := excelize.CoordinatesToCellName(freezeCols+1, 3)
	x.check(f.SetPanes(name, &excelize.Panes{Freeze: true, XSplit: freezeCols, YSplit: 2, TopLeftCell: topLeft, ActivePane: paneName(freezeCols)}))
	if len(t.Rows) > 0 {
		x.check(f.AutoFilter(name, fmt.Sprintf("A2:%s%d", last, lastRow), nil))
	}
	x.pageSetup(name, wide, fmt.Sprintf("$A$1:$%s$%d", last, lastRow), "$2:$2")
}

func paneName(freezeCols int) string {
	if freezeCols > 0 {
		return "bottomRight"
	}
	return "bottomLeft"
}

// pageSetup sets A4, the orientation, fit to one page wide, the print area,
// the rows repeated on each page and the page-number footer.
func (x *workbook) pageSetup(name string, wide bool, area, titles string) {
	f := x.f
	size, orient, one, zero := 9, "portrait", 1, 0
	if wide {
		orient = "landscape"
	}
	fit := true
	x.check(f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	x.check(f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	m := 0.5
	x.check(f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}))
	x.check(f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页 共 &N 页", OddHeader: "&L&A"}))
	quoted := "'" + strings.ReplaceAll(name, "'", "''") + "'"
	x.check(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: quoted + "!" + area, Scope: name}))
	if titles != "" {
		x.check(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoted + "!" + titles, Scope: name}))
	}
}

// overview writes the cover facts and the opening paragraphs on the first sheet.
func (x *workbook) overview(d *doc, paras []string) {
	f := x.f
	name := x.sheet("概况")
	x.check(f.SetColWidth(name, "A", "A", 16))
	x.check(f.SetColWidth(name, "B", "B", 100))
	x.check(f.SetCellValue(name, "A1", d.Title))
	x.check(f.MergeCell(name, "A1", "B1"))
	x.check(f.SetCellStyle(name, "A1", "B1", x.style(styleKey{kind: 2})))
	x.check(f.SetRowHeight(name, 1, 28))
	row := 3
	for _, kv := range d.Cover {
		x.check(f.SetCellValue(name, fmt.Sprintf("A%d", row), kv.K))
		x.check(f.SetCellStyle(name, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.style(styleKey{kind: 3})))
		x.check(f.SetCellValue(name, fmt.Sprintf("B%d", row), kv.V))
		bad := kv.K == "资源配置结论" && !d.Pass
		x.check(f.SetCellStyle(name, fmt.Sprintf("B%d", row), fmt.Sprintf("B%d", row), x.style(styleKey{kind: 4, bad: bad})))
		row++
	}
	row++
	x.check(f.SetCellValue(name, fmt.Sprintf("A%d", row), "总体情况"))
	x.check(f.SetCellStyle(name, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.style(styleKey{kind: 3})))
	for _, p := range paras {
		cell := fmt.Sprintf("B%d", row)
		x.check(f.SetCellValue(name, cell, p))
		x.check(f.SetCellStyle(name, cell, cell, x.style(styleKey{kind: 4})))
		// Column B holds about 48 CJK characters a line.
		lines := math.Ceil(float64(displayWidth(p)) / 96)
		x.check(f.SetRowHeight(name, row, math.Max(16, 16*lines)))
		row++
	}
	x.pageSetup(name, false, fmt.Sprintf("$A$1:$B$%d", row), "")
}

// displayWidth counts a CJK character as two columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if isCJK(r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// xlsxCVTable is the CV table of every stage, with the rounding flag as a
// column of its own (the PDF marks it with ※ in the CV cell).
func xlsxCVTable(c *County) *Table {
	t := cvFullTable(c)
	t.Sheet = "差异系数"
	t.Title = c.Name + fmt.Sprintf("%d年度差异系数表", c.Year)
	t.Columns = append(t.Columns, Column{Header: "舍入会改变结论", Width: 5})
	i := 0
	for _, st := range c.Stages {
		for _, ir := range st.Indicators {
			flag := ""
			if ir.Flips {
				flag = "是"
			}
			row := t.Rows[i]
			row[8].Text = f4(ir.CV) // no ※ in the cell: the column says it
			t.Rows[i] = append(row, Cell{Text: flag, Bad: ir.Flips})
			i++
		}
	}
	return t
}
