// Package rotationio reads and writes the 教师交流轮岗 (teacher rotation)
// ledger a county keeps: the year's rotations, one row a teacher, and the
// teachers eligible for rotation, one row a school — as the two sheets of
// one workbook (the template) or as CSV files of one table each, told
// apart by their headers.
//
// A read is all or nothing, as a census import is: any bad cell refuses
// the files with censusio.Errors, each naming the file (and sheet), the row
// as Excel numbers it, the column by its header and letter, the value and
// what to fix.
package rotationio

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/rotation"
)

// File is one file to read: its name as uploaded and its bytes.
type File struct {
	Name string
	Data []byte
}

type column struct {
	key      string
	zh       string
	aliases  []string
	required bool
	note     string
}

type table struct {
	id    string
	sheet string
	names []string
	cols  []column
}

const (
	tRotations = "rotations"
	tEligible  = "eligible"
)

var tables = []table{
	{tRotations, "交流轮岗", []string{"交流轮岗名单", "轮岗", "rotations"}, []column{
		{"teacher", "教师编号", []string{"教师代码", "身份证号", "teacher"}, true, "教师编号（或县里用来区分教师的号码）；一年内每位教师只填一行"},
		{"name", "教师姓名", []string{"姓名", "name"}, false, ""},
		{"from", "派出学校代码", []string{"原学校代码", "from"}, true, "交流前任教学校的学校标识码"},
		{"from_name", "派出学校", []string{"原学校", "派出学校名称", "from_name"}, false, ""},
		{"to", "接收学校代码", []string{"交流学校代码", "to"}, true, "交流到的学校的学校标识码，与派出学校不同"},
		{"to_name", "接收学校", []string{"交流学校", "接收学校名称", "to_name"}, false, ""},
		{"start", "开始日期", []string{"起始日期", "start"}, true, "如 2025-09-01"},
		{"end", "结束日期", []string{"截止日期", "end"}, false, "如 2026-07-15；未定的留空"},
		{"backbone", "是否骨干教师", []string{"骨干教师", "骨干", "backbone"}, false, "是或否（留空为否）；县级及以上骨干教师、学科带头人、名师"},
		{"type", "交流方式", []string{"类型", "方式", "type"}, true, "交流、支教或一长多校"},
		{"stage", "学段", []string{"交流学段", "stage"}, false, "小学或初中：交流教师任教的学段。留空时按派出学校的类型（小学、初中）定，其次按接收学校的；两所学校都是九年一贯制或十二年一贯制时请填写"},
	}},
	{tEligible, "符合条件教师", []string{"符合交流条件教师", "eligible"}, []column{
		{"school", "学校代码", []string{"学校标识码", "school"}, true, "学校标识码"},
		{"name", "学校名称", []string{"名称", "name"}, false, ""},
		{"teachers", "符合交流条件教师数", []string{"符合条件教师数", "teachers"}, true, "在本校连续任教满规定年限（默认 6 年，评估方案可另设）的教师数"},
		{"backbone", "其中骨干教师数", []string{"符合条件骨干教师数", "backbone"}, false, "其中骨干教师数；留空为 0"},
	}},
}

// fold is a header or sheet name as compared: no spaces, no bracketed
// unit, lower case.
func fold(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	return strings.ToLower(s)
}

func (c column) matches(h string) bool {
	f := fold(h)
	return f == fold(c.zh) || f == c.key || slices.ContainsFunc(c.aliases, func(a string) bool { return f == fold(a) })
}

func (t table) header(cells []string) (idx []int, missing []string) {
	idx = make([]int, len(t.cols))
	for i, c := range t.cols {
		idx[i] = -1
		for j, h := range cells {
			if c.matches(h) {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 && c.required {
			missing = append(missing, c.zh)
		}
	}
	return idx, missing
}

// letter is the spreadsheet letter of column i (0-based).
func letter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// parseCount reads a whole number written as Excel writes it.
func parseCount(v string) (int, bool) {
	v = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == ',' || r == '，' || r == ' ':
			return -1
		}
		return r
	}, strings.TrimSpace(v))
	if i := strings.IndexByte(v, '.'); i >= 0 && strings.Trim(v[i+1:], "0") == "" {
		v = v[:i]
	}
	if v == "" || len(v) > 9 {
		return 0, false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// parseDate reads a date as 2025-09-01, 2025/9/1, 2025.9.1, 2025年9月1日,
// 20250901 or an Excel serial day number.
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if n, ok := parseCount(v); ok && len(v) == 5 {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		return t, t.Year() >= 1900
	}
	if len(v) == 8 {
		if t, err := time.Parse("20060102", v); err == nil {
			return t, true
		}
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")
	v = r.Replace(v)
	if i := strings.IndexByte(v, ' '); i > 0 { // a time of day after the date
		v = v[:i]
	}
	parts := strings.Split(v, "-")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	var n [3]int
	for i, p := range parts {
		x, ok := parseCount(p)
		if !ok {
			return time.Time{}, false
		}
		n[i] = x
	}
	if n[0] < 1900 || n[0] > 2200 || n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[2] {
		return time.Time{}, false
	}
	return t, true
}

func parseYesNo(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "否", "不是", "n", "no", "0", "false", "×":
		return false, true
	case "是", "骨干", "骨干教师", "y", "yes", "1", "true", "√":
		return true, true
	}
	return false, false
}

// Read reads a ledger from files: a workbook holds the two sheets (a sheet
// whose header is neither table's, such as 说明, is skipped), a CSV file one
// table. The ledger carries no county or year: the import names them. A
// read is all or nothing: the error is a censusio.Errors naming every bad
// cell.
func Read(files ...File) (rotation.Ledger, error) {
	r := read(files)
	if len(r.errs) > 0 {
		return rotation.Ledger{}, r.errs
	}
	return r.l, nil
}

// ReadYear reads a ledger as Read does and gives it the school year its
// rotations start in (rotation.SchoolYear: a start of 2025-09-01 or of
// 2026-03-01 is school year 2025), or fallback when it has none. One
// import is one school year's ledger: when the rotations start in
// several, the rows of the other years than the most common are refused,
// each naming its start cell, its school year and the ledger's. When
// years is not nil, the ledger's year must be one of them (the years the
// census holds, against which the ledger is judged), else every rotation
// is refused naming the years there are.
func ReadYear(fallback int, years []int, files ...File) (rotation.Ledger, error) {
	r := read(files)
	if len(r.errs) > 0 {
		return rotation.Ledger{}, r.errs
	}
	year, one := r.l.YearOf(fallback)
	if !one {
		for i, x := range r.l.Rotations {
			if y := rotation.SchoolYear(x.Start); y != year {
				e := r.starts[i]
				r.add(e.File, e.Row, e.Column, e.Letter, x.Start.Format(time.DateOnly),
					fmt.Sprintf("属于 %d 学年，而台账其他行属于 %d 学年（学年从 9 月 1 日起算）", y, year),
					fmt.Sprintf("一次导入一个学年的台账：核对开始日期，或把 %d 学年的行分开导入", y))
			}
		}
		return rotation.Ledger{}, r.errs
	}
	if years != nil && !slices.Contains(years, year) {
		have := make([]string, len(years))
		for i, y := range years {
			have[i] = strconv.Itoa(y)
		}
		for i, e := range r.starts {
			r.add(e.File, e.Row, e.Column, e.Letter, r.l.Rotations[i].Start.Format(time.DateOnly),
				fmt.Sprintf("属于 %d 学年（学年从 9 月 1 日起算），系统中还没有该学年的学校数据（现有 %s）", year, strings.Join(have, "、")),
				"核对开始日期；或先导入该学年的学校数据，再导入台账")
		}
		return rotation.Ledger{}, r.errs
	}
	r.l.Year = year
	return r.l, nil
}

func read(files []File) *reader {
	r := &reader{seen: map[string]string{}, teacherAt: map[string]int{}, schoolAt: map[string]int{}}
	for _, f := range files {
		sheets, err := censusio.ReadSheets(f.Name, f.Data)
		if err != nil {
			if es, ok := err.(censusio.Errors); ok {
				r.errs = append(r.errs, es...)
				continue
			}
			r.add(f.Name, 0, "", "", "", err.Error(), "请上传 .xlsx 或 .csv 文件")
			continue
		}
		for _, sh := range sheets {
			at := f.Name
			if sh.Name != "" {
				at += " 工作表「" + sh.Name + "」"
			}
			r.sheet(at, sh)
		}
	}
	if len(r.errs) == 0 && len(r.seen) == 0 {
		name := ""
		if len(files) > 0 {
			name = files[0].Name
		}
		r.add(name, 0, "", "", "", "没有找到交流轮岗名单或符合条件教师的表", "请下载交流轮岗台账模板，按模板的表头填写后再导入")
	}
	return r
}

type reader struct {
	l         rotation.Ledger
	errs      censusio.Errors
	seen      map[string]string
	teacherAt map[string]int
	schoolAt  map[string]int
	// starts are where each rotation's start date is, in the order of
	// l.Rotations.
	starts []censusio.Error
}

func (r *reader) add(at string, row int, header, lt, value, problem, fix string) {
	if len(r.errs) >= censusio.MaxErrors {
		return
	}
	r.errs = append(r.errs, &censusio.Error{File: at, Row: row, Column: header, Letter: lt, Value: value, Problem: problem, Fix: fix})
}

func (r *reader) sheet(at string, sh censusio.Sheet) {
	if len(sh.Rows) == 0 {
		return
	}
	head := sh.Rows[0]
	var t *table
	var idx []int
	for i := range tables {
		ix, missing := tables[i].header(head.Cells)
		if len(missing) == 0 {
			t, idx = &tables[i], ix
			break
		}
	}
	if t == nil {
		if sh.Name == "" {
			r.add(at, head.N, "", "", "", "第一行不是交流轮岗名单或符合条件教师表的表头", "第一行应是模板中两张表之一的表头")
		}
		return
	}
	if prev, dup := r.seen[t.id]; dup {
		r.add(at, 0, "", "", "", fmt.Sprintf("「%s」表已在 %s 中给出", t.sheet, prev), "每张表只导入一次：删去重复的工作表或文件")
		return
	}
	r.seen[t.id] = at
	for _, row := range sh.Rows[1:] {
		r.row(at, t, idx, head.Cells, row)
	}
}

func (r *reader) row(at string, t *table, idx []int, head []string, row censusio.SheetRow) {
	ok := true
	cell := func(key string) (string, int, column) {
		for i, c := range t.cols {
			if c.key == key {
				j := idx[i]
				if j < 0 || j >= len(row.Cells) {
					return "", j, c
				}
				return strings.TrimSpace(row.Cells[j]), j, c
			}
		}
		panic("rotationio: no column " + key)
	}
	bad := func(key, value, problem, fix string) {
		_, j, c := cell(key)
		h, lt := c.zh, ""
		if j >= 0 {
			lt = letter(j)
			if j < len(head) {
				h = strings.TrimSpace(head[j])
			}
		}
		r.add(at, row.N, h, lt, value, problem, fix)
		ok = false
	}
	text := func(key string) string {
		s, _, c := cell(key)
		if s == "" && c.required {
			bad(key, "", "不能为空", c.note)
		}
		if len(s) > 200 {
			bad(key, s, "太长（超过 200 个字节）", "请只填代码或名称")
			return ""
		}
		return s
	}
	count := func(key string) int {
		s, _, c := cell(key)
		if s == "" {
			if c.required {
				bad(key, "", "不能为空", c.note)
			}
			return 0
		}
		n, okN := parseCount(s)
		if !okN || n > rotation.MaxCount {
			bad(key, s, "不是非负整数", "请填写阿拉伯数字，如 120")
		}
		return n
	}
	date := func(key string) time.Time {
		s, _, c := cell(key)
		if s == "" {
			if c.required {
				bad(key, "", "不能为空", c.note)
			}
			return time.Time{}
		}
		d, okD := parseDate(s)
		if !okD {
			bad(key, s, "不是日期", "请填写日期，如 2025-09-01")
		}
		return d
	}
	switch t.id {
	case tRotations:
		x := rotation.Rotation{Teacher: text("teacher"), Name: text("name"), From: text("from"), FromName: text("from_name"),
			To: text("to"), ToName: text("to_name"), Start: date("start"), End: date("end")}
		if s, _, _ := cell("backbone"); s != "" {
			b, okB := parseYesNo(s)
			if !okB {
				bad("backbone", s, "不是「是」或「否」", "骨干教师填「是」，其他填「否」或留空")
			}
			x.Backbone = b
		}
		if s := text("type"); s != "" {
			tp, okT := rotation.ParseType(s)
			if !okT {
				bad("type", s, "不是交流方式", "请填写交流、支教或一长多校")
			}
			x.Type = tp
		}
		if s, _, _ := cell("stage"); s != "" {
			st, okS := rotation.ParseStage(s)
			if !okS {
				bad("stage", s, "不是学段", "请填写小学或初中，或留空")
			}
			x.Stage = st
		}
		if ok && x.From == x.To {
			bad("to", x.To, "与派出学校相同", "接收学校应是另一所学校")
		}
		if ok && !x.End.IsZero() && x.End.Before(x.Start) {
			bad("end", x.End.Format(time.DateOnly), "早于开始日期", "请核对开始和结束日期")
		}
		if ok {
			if p, dup := r.teacherAt[x.Teacher]; dup {
				bad("teacher", x.Teacher, fmt.Sprintf("与第%d行是同一位教师", p), "每位教师一年只填一行：删去或合并重复的行")
			}
		}
		if ok {
			r.teacherAt[x.Teacher] = row.N
			r.l.Rotations = append(r.l.Rotations, x)
			_, j, c := cell("start")
			h := c.zh
			if j >= 0 && j < len(head) {
				h = strings.TrimSpace(head[j])
			}
			r.starts = append(r.starts, censusio.Error{File: at, Row: row.N, Column: h, Letter: letter(j)})
		}
	case tEligible:
		e := rotation.Eligible{School: text("school"), Name: text("name"), Teachers: count("teachers"), Backbone: count("backbone")}
		if ok && e.Backbone > e.Teachers {
			s, _, _ := cell("backbone")
			bad("backbone", s, "多于符合条件教师数", "骨干教师数是符合条件教师数的一部分")
		}
		if ok {
			if p, dup := r.schoolAt[e.School]; dup {
				bad("school", e.School, fmt.Sprintf("与第%d行是同一所学校", p), "每所学校只填一行")
			}
		}
		if ok {
			r.schoolAt[e.School] = row.N
			r.l.Eligible = append(r.l.Eligible, e)
		}
	}
}

// WriteXLSX writes l as the import workbook: the sheet of rotations, the
// sheet of eligible teachers and the sheet 说明 explaining every column.
// Read reads it back to l (without its county and year). With an empty
// ledger it is the template.
func WriteXLSX(w io.Writer, l rotation.Ledger) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, t := range tables {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), t.sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(t.sheet); err != nil {
			return err
		}
		var head []any
		for _, c := range t.cols {
			head = append(head, c.zh)
		}
		if err := f.SetSheetRow(t.sheet, "A1", &head); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(t.cols), 1)
		if err := f.SetCellStyle(t.sheet, "A1", end, bold); err != nil {
			return err
		}
		if err := f.SetColWidth(t.sheet, "A", letter(len(t.cols)-1), 14); err != nil {
			return err
		}
		var rows [][]any
		switch t.id {
		case tRotations:
			for _, x := range l.Rotations {
				bb := "否"
				if x.Backbone {
					bb = "是"
				}
				endS := ""
				if !x.End.IsZero() {
					endS = x.End.Format(time.DateOnly)
				}
				st := ""
				if x.Stage != "" {
					st = x.Stage.ZH()
				}
				rows = append(rows, []any{x.Teacher, x.Name, x.From, x.FromName, x.To, x.ToName, x.Start.Format(time.DateOnly), endS, bb, x.Type.ZH(), st})
			}
		case tEligible:
			for _, e := range l.Eligible {
				rows = append(rows, []any{e.School, e.Name, e.Teachers, e.Backbone})
			}
		}
		for k, row := range rows {
			// Text cells stay text: codes such as 0012 keep their zeros.
			for c, v := range row {
				cellName, _ := excelize.CoordinatesToCellName(c+1, k+2)
				switch v := v.(type) {
				case string:
					err = f.SetCellStr(t.sheet, cellName, v)
				default:
					err = f.SetCellValue(t.sheet, cellName, v)
				}
				if err != nil {
					return err
				}
			}
		}
	}
	const notes = "说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	lines := [][]any{{"表", "列", "说明"}}
	for _, t := range tables {
		for _, c := range t.cols {
			req := ""
			if c.required {
				req = "（必填）"
			}
			lines = append(lines, []any{t.sheet, c.zh + req, c.note})
		}
	}
	for i, ln := range lines {
		cellName, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(notes, cellName, &ln); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(notes, "C", "C", 60); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
