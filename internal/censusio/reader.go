package censusio

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// reader turns the rows of one file, whatever its format, into a Batch or
// Errors. The format readers call header once and row for every later row.
type reader struct {
	opt   Options
	batch Batch
	errs  Errors
	nerr  int // all errors, including those beyond MaxErrors

	headerDone bool // the header row has been seen
	headerOK   bool // and it can be used
	cols       []column
	text       []int                 // column index of each of census.TextColumns, -1 if absent
	num        [census.NumFields]int // column index of each numeric field, -1 if absent
	textHdr    []string

	dataRows           int            // non-empty rows after the header, examples included
	emptyFrom, emptyTo int            // the run of empty rows not yet noted
	seen               map[uint64]int // schoolKey of the rows read, and their row
	strayWarned        map[int]bool   // columns without a header already warned about
	interned           map[string]string
	txt                texts          // where the texts of the records are copied to
	recent             [9]recentTexts // by text column, for internAt
	types              recentTypes    // for schoolType
	memo               [9]textMemo    // by text column, for fastCells
	sheet              string         // the worksheet read, for messages; "" for CSV
	csv                bool           // the file is CSV, whose rows must match the header (csvShape)
	width              int            // columns up to the header's last non-empty cell
	stray              []int          // the columns of the header that are blank (and so not known)
	formulaCols        []int          // columns (1-based) of the row being read that are formulas without a value
	unit               *unitReader    // reads the rows of a kindergarten or county file
	rec                *recording     // set on a reader of one chunk of a CSV file read in parallel (csvpar.go)
	fast               []fastCol      // on such a reader, how fastLine reads the file's columns; nil when it does not
	// unchecked is set when the text is read as UTF-8 before it is known
	// to be (readCSV): what is read is checked as it is, and notUTF8 set
	// when a part is not, for the file to be read again from the start.
	unchecked, notUTF8 bool
	firstYear          int // the span of the years of the records kept (Batch.FirstYear)
	lastYear           int
	runs               []census.SchoolRun // of the records kept (Batch.Runs)
	// checks are the cross-checks of the file's columns (fileChecks).
	checks struct {
		made       bool
		subsets    []partOf
		facilities [][3]census.Field
	}
	fastRows int           // the rows fastLine read
	scratch  census.School // the record of a row read after an error, which is not kept
	faults   *faults       // the watch on a mapped file's memory; nil when not mapped

	moreWarnings, moreSkipped int // notes beyond MaxNotes

	// each, set by ReadFileEach, takes the school records EachChunk at a
	// time instead of the batch; eachErr is the error it returned, which
	// stops the read. stages are the stages of the schools handed on, for
	// warnMissingIndicatorInputs.
	each    func([]census.School) error
	eachErr error
	handed  int
	stages  map[census.Stage]bool
	// keepRuns reads the school records into the batch although
	// Options.EachRun is set: a county's runs are apart (joinRuns).
	keepRuns bool
}

// column is one column of the file as the header describes it.
type column struct {
	header string // as written, trimmed
	letter string // A, B, …
	t      target
	known  bool
}

type schoolYear struct {
	year int
	code string
}

// textIndex returns the position of the text column key in
// census.TextColumns. The reader finds columns by key, not by position, so
// that columns added to the table cannot shift the meaning of others.
func textIndex(key string) int {
	return slices.IndexFunc(census.TextColumns, func(c census.TextColumn) bool { return c.Key == key })
}

var (
	tYear       = textIndex("year")
	tCountyCode = textIndex("county_code")
	tCountyName = textIndex("county_name")
	tSchoolCode = textIndex("school_code")
	tSchoolName = textIndex("school_name")
	tSchoolType = textIndex("school_type")
	tOwnership  = textIndex("ownership")
	tLocation   = textIndex("location")
	tSponsor    = textIndex("sponsor")
)

func newReader(name string, opt Options) *reader {
	r := &reader{opt: opt, seen: make(map[uint64]int), strayWarned: make(map[int]bool), interned: make(map[string]string)}
	r.batch.File = name
	r.txt.a = opt.Arena
	r.text = make([]int, len(census.TextColumns))
	r.textHdr = make([]string, len(census.TextColumns))
	for i := range r.text {
		r.text[i] = -1
	}
	for i := range r.num {
		r.num[i] = -1
	}
	return r
}

// inSheet names the worksheet read, for messages about the sheet as a
// whole: a workbook whose data is not on the sheet read needs saying so.
func (r *reader) inSheet() string {
	if r.sheet == "" {
		return ""
	}
	return "工作表「" + r.sheet + "」"
}

// add records an error; past MaxErrors it is only counted.
func (r *reader) add(e *Error) {
	e.File = r.batch.File
	if r.txt.a != nil {
		e.Value = strings.Clone(e.Value) // it may outlive the arena
	}
	r.nerr++
	if r.rec != nil {
		r.rec.add(e)
		return
	}
	if len(r.errs) < MaxErrors {
		r.errs = append(r.errs, e)
	}
}

// fileError records a problem with the file as a whole.
func (r *reader) fileError(problem, fix string) {
	r.add(&Error{Problem: problem, Fix: fix})
}

// MaxNotes is how many warnings, and how many skipped rows, a Batch lists;
// beyond it the last note says how many more there were. A file where
// every one of 100 000 rows draws the same warning needs one fix, not
// 100 000 lines.
const MaxNotes = 1000

func (r *reader) warn(row int, c *column, msg string) {
	n := Note{Row: row, Message: msg}
	if c != nil {
		n.Column, n.Letter = c.header, c.letter
	}
	if r.rec != nil {
		r.moreWarnings += r.rec.warn(n, -1)
		return
	}
	r.moreWarnings += r.note(&r.batch.Warnings, n)
}

// strayCell warns, once per column, about a value in column index i, which
// has no header.
func (r *reader) strayCell(n, i int) {
	if r.strayWarned[i] {
		return
	}
	r.strayWarned[i] = true
	c := r.col(i)
	msg := "这一列没有表头，数据已忽略"
	if r.rec != nil {
		// Whether an earlier chunk warned already is known only when the
		// chunks are merged.
		r.rec.warn(Note{Row: n, Column: c.header, Letter: c.letter, Message: msg}, i)
		return
	}
	r.warn(n, c, msg)
}

// note appends n to notes unless they are full, and returns 1 if it did not.
func (r *reader) note(notes *[]Note, n Note) int {
	if len(*notes) >= MaxNotes {
		return 1
	}
	n.File = r.batch.File
	*notes = append(*notes, n)
	return 0
}

// cellError records a problem with one cell.
func (r *reader) cellError(row int, c *column, value, problem, fix string) {
	r.add(&Error{Row: row, Column: c.header, Letter: c.letter, Value: value, Problem: problem, Fix: fix})
}

// blank reports whether every cell is empty or spaces.
func blank(cells []string) bool {
	for _, c := range cells {
		if trim(c) != "" {
			return false
		}
	}
	return true
}

// line feeds one row, numbered as Excel numbers it, to header or row.
func (r *reader) line(n int, cells []string) {
	if r.eachErr != nil {
		return
	}
	if blank(cells) {
		if r.headerDone {
			if r.emptyFrom == 0 {
				r.emptyFrom = n
			}
			r.emptyTo = n
		}
		return
	}
	if !r.headerDone {
		r.headerDone = true
		r.header(n, cells)
		for i, c := range r.cols {
			if c.header != "" {
				r.width = i + 1
			}
			if !c.known && c.header == "" {
				r.stray = append(r.stray, i)
			}
		}
		return
	}
	r.rowStart()
	if r.headerOK {
		r.dataRows++
		if r.csv && !r.csvShape(n, cells) {
			return
		}
		r.row(n, cells)
	}
}

// rowStart ends the run of empty rows before a row that is not empty.
func (r *reader) rowStart() {
	if r.rec != nil && !r.rec.nonBlank {
		// The empty rows that open a chunk may continue a run that the
		// chunk before ends with: the merge notes them.
		r.rec.nonBlank = true
		r.rec.leadFrom, r.rec.leadTo = r.emptyFrom, r.emptyTo
		r.emptyFrom, r.emptyTo = 0, 0
	}
	r.flushEmpty()
}

// flushEmpty notes the run of empty rows that has just ended. Runs are
// noted once, not per row, because a sheet formatted down to row 100 000
// should not yield 100 000 notes.
func (r *reader) flushEmpty() {
	if r.emptyFrom == 0 {
		return
	}
	msg := "空行，已跳过"
	if r.emptyTo > r.emptyFrom {
		msg = fmt.Sprintf("第%d–%d行是空行，已跳过", r.emptyFrom, r.emptyTo)
	}
	r.moreSkipped += r.note(&r.batch.Skipped, Note{Row: r.emptyFrom, Message: msg})
	r.emptyFrom, r.emptyTo = 0, 0
}

// header reads the header row n.
func (r *reader) header(n int, cells []string) {
	if r.chooseKind(n, cells) {
		return
	}
	r.cols = make([]column, len(cells))
	before := r.nerr
	recognised := 0
	for i, raw := range cells {
		c := &r.cols[i]
		c.header = trim(raw)
		c.letter = letter(i)
		if c.header == "" {
			continue
		}
		t, ok, p := matchHeader(c.header, r.opt)
		if !ok {
			r.batch.Unknown = append(r.batch.Unknown, c.header)
			r.warn(n, c, "未识别的列，已忽略其数据（列名见模板的“说明”页）")
			continue
		}
		recognised++
		if p != nil {
			r.cellError(n, c, "", "表头"+p.problem, p.fix)
			continue
		}
		slot := &r.num[t.field]
		if t.text >= 0 {
			slot = &r.text[t.text]
		}
		if *slot >= 0 {
			prev := &r.cols[*slot]
			r.cellError(n, c, "", fmt.Sprintf("与 %s列「%s」是同一列", prev.letter, prev.header), "删除其中一列")
			continue
		}
		*slot = i
		c.t, c.known = t, true
		if t.text >= 0 {
			r.textHdr[t.text] = c.header
		}
	}
	if recognised == 0 {
		r.add(&Error{Row: n, Problem: r.inSheet() + "第一行不是表头：没有一个列名能识别",
			Fix: "第一行必须是列名（如 年度、学校标识码、小学在校生数），请删除表头上方的标题行，或用 dudao template 生成的模板填写"})
		return
	}
	var missing []string
	for i, tc := range census.TextColumns {
		if tc.Required && r.text[i] < 0 {
			missing = append(missing, tc.ZH)
		}
	}
	if len(missing) > 0 {
		r.add(&Error{Row: n, Problem: "缺少必填列：" + strings.Join(missing, "、"),
			Fix: "在第一行加上这些列名（列名与说明见模板的“说明”页）"})
	}
	r.headerOK = r.nerr == before
}

// letter is the Excel column letter of 0-based column i.
func letter(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return s
}

// col returns the column of cell index i, or a column without a header for
// cells beyond the header.
func (r *reader) col(i int) *column {
	if i < len(r.cols) {
		return &r.cols[i]
	}
	return &column{letter: letter(i)}
}

// cell returns the trimmed cell of column index i, "" when absent.
func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return trim(cells[i])
}

// examplePrefixes mark the template's example rows, which are skipped so
// that a filled-in template can be imported without deleting them.
var examplePrefixes = []string{"【示例】", "[示例]"}

// examplePrefix returns the prefix that marks name as the template's
// example, or "".
func examplePrefix(name string) string {
	for _, p := range examplePrefixes {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// row reads data row n.
func (r *reader) row(n int, cells []string) {
	if r.unit != nil {
		r.unit.row(n, cells)
		return
	}
	if p := examplePrefix(cell(cells, r.text[tSchoolName])); p != "" {
		r.moreSkipped += r.note(&r.batch.Skipped, Note{Row: n,
			Column: r.textHdr[tSchoolName], Letter: r.cols[r.text[tSchoolName]].letter,
			Message: "学校名称以" + p + "开头，是模板的示例行，已跳过"})
		return
	}
	// The record is built where it is kept: a School is large, and
	// copying each one into the batch was a good part of a read's time.
	// Set in place, not made and copied: that wrote each record's 464
	// bytes three times.
	var s *census.School
	if r.nerr == 0 {
		n := len(r.batch.Schools)
		r.batch.Schools = slices.Grow(r.batch.Schools, 1)[:n+1]
		s = &r.batch.Schools[n]
	} else {
		s = &r.scratch
	}
	census.ResetSchool(s)

	// Cells under no header: those of the header's blank columns, and
	// any beyond it.
	for _, i := range r.stray {
		if i < len(cells) && !r.strayWarned[i] && trim(cells[i]) != "" {
			r.strayCell(n, i)
		}
	}
	for i := len(r.cols); i < len(cells); i++ {
		if !r.strayWarned[i] && trim(cells[i]) != "" {
			r.strayCell(n, i)
		}
	}

	for ti := range census.TextColumns {
		ci := r.text[ti]
		if ci < 0 {
			continue
		}
		v := cell(cells, ci)
		c := &r.cols[ci]
		if v == "" {
			if census.TextColumns[ti].Required && !r.isFormula(ci) {
				r.cellError(n, c, "", "不能为空", "这是必填列，请填写"+census.TextColumns[ti].ZH+
					"（如果是合并单元格，请取消合并并在每一行都填写）")
			}
			continue
		}
		r.text1(n, c, ti, unneutral(v), s)
	}

	for f := census.Field(0); f < census.NumFields; f++ {
		ci := r.num[f]
		if ci < 0 {
			continue
		}
		v := cell(cells, ci)
		if v == "" {
			continue // not reported
		}
		c := &r.cols[ci]
		x, ok := r.number(n, c, f, v)
		if ok {
			s.Set(f, x)
		}
	}
	r.rowEnd(n, s)
}

// rowEnd checks the record s of row n as a whole, once its cells are read.
func (r *reader) rowEnd(n int, s *census.School) {
	r.crossCheck(n, s)
	if s.Code != "" && s.Year != 0 {
		r.duplicate(n, s.Year, s.Code)
	}
	r.plausibility(n, s)
	if r.nerr > 0 {
		// All or nothing: once anything is wrong no batch is returned,
		// so keep validating but stop collecting.
		r.batch.Schools = nil
	} else {
		r.spanYear(s.Year)
		if r.each == nil {
			r.run(len(r.batch.Schools)-1, s)
		}
	}
	if r.each != nil && len(r.batch.Schools) >= eachChunk {
		r.handOn()
	}
}

// handOn hands the school records read to each, unless a row was bad or
// each failed, and keeps the room they took for the next.
func (r *reader) handOn() {
	if r.each == nil || r.nerr > 0 || r.eachErr != nil || len(r.batch.Schools) == 0 {
		return
	}
	r.stages = noteStages(r.stages, r.batch.Schools)
	r.handed += len(r.batch.Schools)
	r.eachErr = r.each(r.batch.Schools)
	clear(r.batch.Schools) // the texts of the records handed on
	r.batch.Schools = r.batch.Schools[:0]
}

// duplicate refuses row n when an earlier row has the same school and year.
func (r *reader) duplicate(n, year int, code string) {
	if r.rec != nil {
		r.rec.duplicate(n, year, code)
		return
	}
	k := schoolKey(year, code)
	if p, dup := r.seen[k]; dup {
		r.duplicateError(n, p, year, code)
	} else {
		r.seen[k] = n
	}
}

// duplicateError refuses row n, which repeats row p.
func (r *reader) duplicateError(n, p, year int, code string) {
	r.cellError(n, &r.cols[r.text[tSchoolCode]], code,
		fmt.Sprintf("与第%d行重复（%d年度）", p, year),
		fmt.Sprintf("同一年度每所学校只能有一行：请删除或合并第%d行和第%d行", p, n))
}

// text1 reads one non-empty text cell into s.
func (r *reader) text1(n int, c *column, ti int, v string, s *census.School) {
	if problem, fix := r.setText(ti, v, s); problem != "" {
		r.cellError(n, c, v, problem, fix)
	}
}

// setText reads the non-empty text cell v of text column ti into s, or
// returns what is wrong with it and how to fix it.
func (r *reader) setText(ti int, v string, s *census.School) (problem, fix string) {
	switch ti { // by index, not key: a row compares nine
	case tYear:
		y, ok := parseYear(v)
		if !ok {
			return "不是有效的统计年度", "请填写4位年份，如 2024（2000–2100 之间）"
		}
		s.Year = y
	case tCountyCode:
		d, ok := digits(v, 6)
		if !ok {
			return "不是6位行政区划代码", codeFix(v, "请填写6位县区代码，如 340207")
		}
		s.CountyCode = r.internAt(ti, d)
	case tCountyName:
		s.CountyName = r.internAt(ti, v)
	case tSchoolCode:
		d, ok := digits(v, 10)
		if !ok {
			return "不是10位学校标识码", codeFix(v, "请填写10位全国学校标识码，如 3134020001")
		}
		s.Code = r.keep(d)
	case tSchoolName:
		r.checkUTF8(v)
		s.Name = r.keep(v)
	case tSchoolType:
		t, ok := r.schoolType(v)
		if !ok {
			return "不是可识别的学校类型", "请填写以下之一：" + schoolTypeList()
		}
		s.Type = t
	case tOwnership:
		s.Ownership = r.internAt(ti, v)
	case tLocation:
		s.Location = r.internAt(ti, v)
	case tSponsor:
		s.Sponsor = r.internAt(ti, v)
	default:
		// A column added to census.TextColumns that this reader does not
		// store yet; TestEveryTextColumnIsRead fails until it does.
	}
	return "", ""
}

// intern returns a copy of v shared by every record that has the same
// value. The cells of a row are slices of one string holding the whole
// row, so keeping them would keep every row in memory; county names and
// codes repeat, so one copy each serves them all.
func (r *reader) intern(v string) string {
	if s, ok := r.interned[v]; ok {
		return s
	}
	// A text met for the first time is checked; later ones are the same
	// bytes.
	r.checkUTF8(v)
	s := r.txt.clone(v)
	if len(r.interned) < 100_000 {
		r.interned[s] = s
	}
	return s
}

// internAt is intern for the text column ti, which remembers the last few
// values of each column: rows come a county at a time and the other
// texts take a handful of values, so most cells are one of them, and
// comparing a short string is cheaper than hashing it into the map.
func (r *reader) internAt(ti int, v string) string {
	if ti >= len(r.recent) || v == "" {
		return r.intern(v)
	}
	c := &r.recent[ti]
	// The value of the row before first: a county's rows come together.
	if c.v[c.last] == v {
		return c.v[c.last]
	}
	for i := range c.v {
		if c.v[i] == v {
			c.last = i
			return c.v[i]
		}
	}
	s := r.intern(v)
	c.last = c.n % len(c.v)
	c.v[c.last] = s
	c.n++
	return s
}

// schoolType is census.ParseSchoolType, which remembers the last few
// cells it read: a file names a handful of types, in words that
// ParseSchoolType compares with each of its names.
func (r *reader) schoolType(v string) (census.SchoolType, bool) {
	c := &r.types
	for i := range c.v {
		if c.v[i] == v && v != "" {
			return c.t[i], true
		}
	}
	t, ok := census.ParseSchoolType(v)
	if ok {
		c.v[c.n%len(c.v)], c.t[c.n%len(c.v)] = v, t
		c.n++
	}
	return t, ok
}

// recentTypes are the last cells schoolType read, and their types: room
// for every type (census.SchoolTypes), so that a file of every kind of
// school still finds each among them.
type recentTypes struct {
	v [8]string
	t [8]census.SchoolType
	n int
}

// recentTexts are the last values interned for one text column.
type recentTexts struct {
	v    [4]string
	n    int // values stored, the next goes to v[n%4]
	last int // the one found last
}

// keep returns v for a record to keep: a copy, so as not to keep the
// row's text with it; but as is in a chunk, whose reader copies the texts
// of all its records into one string at the end (keepTexts).
func (r *reader) keep(v string) string {
	if r.rec != nil {
		return v
	}
	return r.txt.clone(v)
}

// checkUTF8 notes, when the text read is unchecked, whether v is UTF-8.
// The texts read from a row are checked where they are kept (a school's
// name, and the texts interned the first time they are met), as are the
// cells of columns the reader ignores and numbers that are neither plain
// digits nor plain decimals (fastCells). The other cells are ASCII digits,
// or are refused by what reads them unless they are digits after narrow,
// which turns bytes that are not UTF-8 into U+FFFD (a year, a code), or
// match a known name exactly (a school type). So a row read without a
// problem holds UTF-8 wherever these checks pass. Rows the fast reading
// gives back are checked whole (readChunk).
func (r *reader) checkUTF8(v string) {
	if r.unchecked && !r.notUTF8 && !utf8.ValidString(v) {
		r.notUTF8 = true
	}
}

// codeFix adds to fix the cause Excel users meet most: a long number shown
// in scientific notation and saved that way to CSV.
func codeFix(v, fix string) string {
	if strings.ContainsAny(v, "Ee") && strings.Contains(v, "+") {
		return fix + "（Excel 把它显示成了科学计数法：请把该列设为“文本”格式后重新填写代码再保存）"
	}
	return fix
}

// schoolTypeList lists the accepted school types for a message.
func schoolTypeList() string {
	zh := make([]string, len(census.SchoolTypes))
	keys := make([]string, len(census.SchoolTypes))
	for i, t := range census.SchoolTypes {
		zh[i], keys[i] = t.ZH, string(t.Type)
	}
	return strings.Join(zh, "、") + "（或 " + strings.Join(keys, "、") + "）"
}

// parseYear reads a statistics year: 2024, ２０２４, 2024年, or 2024.0 as a
// spreadsheet may store it.
func parseYear(v string) (int, bool) {
	if len(v) == 4 && asciiDigits(v) {
		y := int(v[0]-'0')*1000 + int(v[1]-'0')*100 + int(v[2]-'0')*10 + int(v[3]-'0')
		return y, y >= 2000 && y <= 2100
	}
	v = strings.TrimSuffix(narrow(v), "年")
	d, ok := digits(v, 4)
	if !ok {
		return 0, false
	}
	y, _ := strconv.Atoi(d)
	return y, y >= 2000 && y <= 2100
}

// digits returns v as exactly n ASCII digits, accepting full-width digits
// and a ".0" tail that a numeric spreadsheet cell may carry.
func digits(v string, n int) (string, bool) {
	if len(v) == n && asciiDigits(v) {
		return v, true
	}
	v = narrow(v)
	if i := strings.IndexByte(v, '.'); i >= 0 && strings.Trim(v[i+1:], "0") == "" {
		v = v[:i]
	}
	if len(v) != n {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return "", false
		}
	}
	return v, true
}

// asciiDigits reports whether v is all ASCII digits.
func asciiDigits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i]-'0' > 9 {
			return false
		}
	}
	return true
}

// narrow makes full-width ASCII half-width and the minus sign U+2212 a
// hyphen; it returns s itself when there is nothing to change.
func narrow(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == '−':
			return '-'
		case r == '\u3000' || r == '\u00a0' || r == '\u2009' || r == '\u202f':
			return ' '
		}
		return r
	}, s)
}

// number reads one non-empty numeric cell of field f, in the file's unit,
// and returns it in the stored unit.
func (r *reader) number(n int, c *column, f census.Field, v string) (float64, bool) {
	x, problem, fix := numberValue(c, f, v)
	if problem != "" {
		r.cellError(n, c, v, problem, fix)
		return 0, false
	}
	return x, true
}

// numberValue is number without the error: the stored value of v, or
// what is wrong with it and how to fix it.
func numberValue(c *column, f census.Field, v string) (x float64, problem, fix string) {
	col := &census.Columns[f]
	// Most cells are plain integers, which need no check that they are
	// whole (a sixteenth of a read's time went on it).
	x, whole := plainInteger(v)
	var err error
	if !whole {
		x, err = parseNumber(v)
	}
	switch err {
	case nil:
	case errNegative:
		return 0, "是负数", col.ZH + "不能为负数，请核对"
	default:
		return 0, "不是数字", "请填写阿拉伯数字（可带千分位逗号，如 1,234）；未填报请留空，为零请填 0"
	}
	if col.Integer && !whole {
		rounded := math.Round(x)
		if math.Abs(x-rounded) > 1e-9*math.Max(1, math.Abs(x)) {
			return 0, "不是整数", col.ZH + "以" + col.Unit + "计，请填写整数"
		}
		x = rounded
	}
	return c.stored(x), "", ""
}

// stored returns x, a number read in c's unit, in the stored unit.
func (c *column) stored(x float64) float64 { return stored(c.t.scale, x) }

// stored returns x, a number read in a unit scale times the stored one
// (column.t.scale), in the stored unit.
func stored(scale, x float64) float64 {
	if scale != 1 {
		// 万元 to 元, kept to the 分 so that 12.3456 万元 is 123456 元 and
		// not 123455.99999999999.
		x = math.Round(x*scale*100) / 100
	}
	return x
}

type numberError string

func (e numberError) Error() string { return string(e) }

const (
	errNotNumber numberError = "not a number"
	errNegative  numberError = "negative"
)

// parseNumber reads a number as people type it in a census: 1234, 1,234,
// 1 234, full-width １２３４, 12.5, 1.2E+5 (as a spreadsheet stores large
// values). It refuses words (十二, 无, -), percentages, hex, Inf and NaN, and
// reports negative numbers apart so the message can say so.
func parseNumber(v string) (float64, error) {
	if x, ok := plainInteger(v); ok {
		return x, nil
	}
	if x, ok := plainDecimal(v); ok {
		return x, nil
	}
	v = narrow(v)
	if strings.IndexByte(v, ',') >= 0 || strings.IndexByte(v, ' ') >= 0 {
		var ok bool
		if v, ok = ungroup(v); !ok {
			return 0, errNotNumber
		}
	}
	if !numeric(v) {
		return 0, errNotNumber
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, errNotNumber
	}
	if x < 0 {
		return 0, errNegative
	}
	if x == 0 {
		x = 0 // no negative zero
	}
	return x, nil
}

// plainInteger reads v when it is what most cells hold, 1 to 15 ASCII
// digits, which a float64 holds exactly: as ParseFloat would, but without
// its generality, which was a tenth of a read's time.
func plainInteger(v string) (float64, bool) {
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(v); i++ {
		d := v[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return float64(n), true
}

// pow10 are the powers of ten that plainDecimal divides by, all exact.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainDecimal reads v when it is ASCII digits with one decimal point and
// at most 15 digits in all (12.5, 3456.78, .5, 12.), as ParseFloat would:
// the digits make an integer below 2⁵³ and the point a power of ten below
// 10²², both exact in a float64, so their quotient is the correctly
// rounded value ParseFloat returns.
func plainDecimal(v string) (float64, bool) {
	if len(v) < 2 || len(v) > 16 {
		return 0, false
	}
	var n uint64
	digits, frac := 0, -1 // frac: digits after the point, -1 before it
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '.' {
			if frac >= 0 {
				return 0, false
			}
			frac = 0
			continue
		}
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
		digits++
		if frac >= 0 {
			frac++
		}
	}
	if frac < 0 || digits == 0 || digits > 15 {
		return 0, false
	}
	return float64(n) / pow10[frac], true
}

// numeric reports whether v is [+-]digits[.digits][e[+-]digits] with at
// least one digit in the mantissa: the subset of ParseFloat's syntax that a
// person or a spreadsheet writes.
func numeric(v string) bool {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	mant := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
		mant++
	}
	if i < len(v) && v[i] == '.' {
		i++
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			mant++
		}
	}
	if mant == 0 {
		return false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		exp := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(v)
}

// ungroup removes thousands separators (commas or spaces) from v when they
// group the integer part in threes, as in 1,234,567.5 or 1 234; anything
// else (1,2 or 12,34) is ambiguous and refused.
func ungroup(v string) (string, bool) {
	sign := ""
	if v != "" && (v[0] == '+' || v[0] == '-') {
		sign, v = v[:1], v[1:]
	}
	intPart, frac := v, ""
	if i := strings.IndexByte(v, '.'); i >= 0 {
		intPart, frac = v[:i], v[i:]
	}
	if strings.ContainsAny(frac, ", ") {
		return "", false
	}
	sep := byte(',')
	if !strings.Contains(intPart, ",") {
		sep = ' '
	} else if strings.Contains(intPart, " ") {
		return "", false
	}
	groups := strings.Split(intPart, string(sep))
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return sign + strings.Join(groups, "") + frac, true
}

// partOf pairs a column that counts a subset of another column's things.
type partOf struct {
	part, whole census.Field
	fix         string
}

var subsets = []partOf{
	{census.QualifiedTeachersPrimary, census.TeachersPrimary, "高于规定学历教师是专任教师的一部分"},
	{census.QualifiedTeachersJunior, census.TeachersJunior, "高于规定学历教师是专任教师的一部分"},
	{census.BackboneTeachersPrimary, census.TeachersPrimary, "骨干教师是专任教师的一部分"},
	{census.BackboneTeachersJunior, census.TeachersJunior, "骨干教师是专任教师的一部分"},
	{census.PEArtTeachersPrimary, census.TeachersPrimary, "体育艺术教师是专任教师的一部分"},
	{census.PEArtTeachersJunior, census.TeachersJunior, "体育艺术教师是专任教师的一部分"},
	{census.OversizeClassesPrimary, census.ClassesPrimary, "超大班额的班是班级的一部分"},
	{census.OversizeClassesJunior, census.ClassesJunior, "超大班额的班是班级的一部分"},
	{census.TeachingAreaPrimary, census.TeachingArea, "分学段面积是全校面积的一部分"},
	{census.TeachingAreaJunior, census.TeachingArea, "分学段面积是全校面积的一部分"},
	{census.SportsAreaPrimary, census.SportsArea, "分学段面积是全校面积的一部分"},
	{census.SportsAreaJunior, census.SportsArea, "分学段面积是全校面积的一部分"},
	{census.EquipmentValuePrimary, census.EquipmentValue, "分学段设备值是全校设备值的一部分"},
	{census.EquipmentValueJunior, census.EquipmentValue, "分学段设备值是全校设备值的一部分"},
	{census.MultimediaRoomsPrimary, census.MultimediaRooms, "分学段教室数是全校教室数的一部分"},
	{census.MultimediaRoomsJunior, census.MultimediaRooms, "分学段教室数是全校教室数的一部分"},
	{census.ComputersPrimary, census.Computers, "分学段计算机台数是全校台数的一部分"},
	{census.ComputersJunior, census.Computers, "分学段计算机台数是全校台数的一部分"},
	{census.BooksPrimary, census.Books, "分学段图书册数是全校册数的一部分"},
	{census.BooksJunior, census.Books, "分学段图书册数是全校册数的一部分"},
	{census.SeniorTitleTeachersPrimary, census.TeachersPrimary, "中级及以上职称教师是专任教师的一部分"},
	{census.SeniorTitleTeachersJunior, census.TeachersJunior, "中级及以上职称教师是专任教师的一部分"},
}

// crossCheck finds values that cannot all be true at once. Each check
// applies only when both values were reported, so only those of columns
// the file has are made (fileChecks).
func (r *reader) crossCheck(n int, s *census.School) {
	r.fileChecks()
	for _, p := range r.checks.subsets {
		part, ok1 := s.Get(p.part)
		whole, ok2 := s.Get(p.whole)
		if !ok1 || !ok2 || part <= whole*(1+1e-9) {
			continue
		}
		c, w := &r.cols[r.num[p.part]], &r.cols[r.num[p.whole]]
		r.cellError(n, c, r.display(p.part, part),
			fmt.Sprintf("大于 %s列「%s」（%s）", w.letter, w.header, r.display(p.whole, whole)),
			p.fix+"，请核对这两列")
	}
	// Parts of a facility may be reported together with the whole; their
	// sum above the whole is suspicious but not impossible (a shared
	// playground counted by both parts), so it is only a warning.
	for _, g := range r.checks.facilities {
		whole, ok := s.Get(g[0])
		p, ok1 := s.Get(g[1])
		j, ok2 := s.Get(g[2])
		if ok && ok1 && ok2 && p+j > whole*(1+1e-9) {
			r.warn(n, &r.cols[r.num[g[0]]], fmt.Sprintf("%s（%s）小学部与初中部之和 %s 大于全校合计 %s，请核对（共用设施只应计入全校合计）",
				s.Name, s.Code, r.display(g[0], p+j), r.display(g[0], whole)))
		}
	}
}

// fileChecks keeps in r.checks the subsets and facilityParts whose
// columns the file has all of: a value of another is never reported,
// and a nation's file has 6 of the 22 subsets and none of the facilities'
// parts.
func (r *reader) fileChecks() {
	if r.checks.made {
		return
	}
	r.checks.made = true
	has := func(fs ...census.Field) bool {
		for _, f := range fs {
			if r.num[f] < 0 {
				return false
			}
		}
		return true
	}
	for _, p := range subsets {
		if has(p.part, p.whole) {
			r.checks.subsets = append(r.checks.subsets, p)
		}
	}
	for _, g := range facilityParts {
		if has(g[:]...) {
			r.checks.facilities = append(r.checks.facilities, g)
		}
	}
}

// facilityParts are the columns reported for the whole school and by
// stage, from the table of columns: the whole (teaching_area), its
// primary part (teaching_area_primary) and its junior part, in the
// table's order.
var facilityParts = func() (out [][3]census.Field) {
	for f := census.Field(0); f < census.NumFields; f++ {
		p, ok1 := census.StageField(f.Key(), census.StagePrimary)
		j, ok2 := census.StageField(f.Key(), census.StageJunior)
		if ok1 && ok2 {
			out = append(out, [3]census.Field{f, p, j})
		}
	}
	return out
}()

// display writes a stored value in the file's unit, for messages.
func (r *reader) display(f census.Field, v float64) string {
	if ci := r.num[f]; ci >= 0 && r.cols[ci].t.scale != 1 {
		v /= r.cols[ci].t.scale
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Bounds of a believable 生均教学仪器设备值. The national standard asks for
// 2 000 元 (primary) and 2 500 元 (junior); a value below 10 元 is almost
// always a 万元 figure under a 元 header, and one above a million a 元
// figure under a 万元 header (or a slipped decimal point).
const (
	minEquipmentPerStudent = 10
	maxEquipmentPerStudent = 1e6
)

// plausibility warns about equipment values that look like the wrong unit.
// 元 figures under a 万元 header are an error unless Options.ConfirmUnits
// says they are meant: read in the header's unit they would be stored ten
// thousand times too large over the right values.
func (r *reader) plausibility(n int, s *census.School) {
	all := s.Students(census.StagePrimary) + s.Students(census.StageJunior) + s.Students(census.StageSenior)
	for _, g := range []struct {
		f        census.Field
		students float64
	}{
		{census.EquipmentValue, all},
		{census.EquipmentValuePrimary, s.Students(census.StagePrimary)},
		{census.EquipmentValueJunior, s.Students(census.StageJunior)},
	} {
		v, ok := s.Get(g.f)
		if !ok || g.students <= 0 || v == 0 {
			continue
		}
		c := &r.cols[r.num[g.f]]
		zh := census.Columns[g.f].ZH
		per := v / g.students
		var what, fix string
		switch {
		case per < minEquipmentPerStudent && c.t.unit == "元":
			what = fmt.Sprintf("生均只有 %.2f 元", per)
			fix = "像是按万元填写的：若如此，请把表头改为 " + zh + "（万元）"
		case per < minEquipmentPerStudent:
			what = fmt.Sprintf("生均只有 %.2f 元", per)
			fix = "请核对数值和单位"
		case per > maxEquipmentPerStudent && c.t.unit == "万元":
			what = fmt.Sprintf("生均高达 %.0f 元", per)
			fix = "像是按元填写的：若如此，请把表头改为 " + zh + "（元）"
			if !r.opt.ConfirmUnits {
				r.add(&Error{Row: n, Column: c.header, Letter: c.letter, Value: r.display(g.f, v), Code: CodeUnitConfirm,
					Problem: fmt.Sprintf("按表头的万元计，%s（%s）的%s%s，不太可能", s.Name, s.Code, zh, what),
					Fix:     fix + "后再导入；若确是万元，请确认金额单位后重新导入（命令行：dudao import --confirm-units）"})
				continue
			}
		case per > maxEquipmentPerStudent:
			what = fmt.Sprintf("生均高达 %.0f 元", per)
			fix = "请核对数值（是否多写了位数）"
		default:
			continue
		}
		r.warn(n, c, fmt.Sprintf("%s（%s）的%s%s，不太可能；%s", s.Name, s.Code, zh, what, fix))
	}
}

// run adds the record s, kept at index i of the batch's schools, to the
// runs of one county and year (Batch.Runs).
func (r *reader) run(i int, s *census.School) {
	r.addRun(census.SchoolRun{Code: s.CountyCode, Year: s.Year, Lo: i, Hi: i + 1})
}

// addRun adds run, of the records kept next after those of the runs
// before, joined to the last of them when it goes on with it.
func (r *reader) addRun(run census.SchoolRun) {
	if n := len(r.runs); n > 0 {
		if last := &r.runs[n-1]; last.Hi == run.Lo && last.Year == run.Year && last.Code == run.Code {
			last.Hi = run.Hi
			return
		}
	}
	r.runs = append(r.runs, run)
}

// spanYear adds y to the span of the years of the records kept.
func (r *reader) spanYear(y int) {
	if r.firstYear == 0 || y < r.firstYear {
		r.firstYear = y
	}
	r.lastYear = max(r.lastYear, y)
}

// finish returns the batch, or every error found.
func (r *reader) finish() (*Batch, error) {
	r.flushEmpty()
	if r.nerr == 0 && !r.headerDone {
		r.fileError("没有任何内容", "请在模板中填写数据后再导入（可用 dudao template 生成模板）")
	}
	if r.nerr == 0 && r.headerOK && r.dataRows == 0 {
		r.fileError(r.inSheet()+"只有表头，没有数据行", "从第2行起"+perRow(r.batch.Kind)+"每年度填一行")
	}
	if r.nerr > 0 {
		es := r.errs
		if more := r.nerr - len(es); more > 0 {
			es = append(es, &Error{File: r.batch.File, more: more,
				Problem: fmt.Sprintf("另有 %d 处错误未列出", more),
				Fix:     "先改正以上错误，再次导入即可看到其余错误"})
		}
		return nil, es
	}
	if r.each != nil {
		r.handOn()
		r.batch.Schools = nil
	}
	r.batch.FirstYear, r.batch.LastYear = r.firstYear, r.lastYear
	if r.each == nil && len(r.batch.Schools) > 0 {
		r.batch.Runs = r.runs
	}
	if r.rec == nil {
		r.warnMissingIndicatorInputs()
	}
	if r.moreWarnings > 0 {
		r.batch.Warnings = append(r.batch.Warnings, Note{File: r.batch.File,
			Message: fmt.Sprintf("另有 %d 条提示未列出", r.moreWarnings)})
	}
	if r.moreSkipped > 0 {
		r.batch.Skipped = append(r.batch.Skipped, Note{File: r.batch.File,
			Message: fmt.Sprintf("另有 %d 处跳过未列出", r.moreSkipped)})
	}
	b := r.batch
	return &b, nil
}
