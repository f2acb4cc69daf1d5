// Package seatsio reads and writes the 学位 (school places) inputs a county
// keeps: births by 学区 (catchment) and year, schools with their places,
// enrolment by grade, and planned projects — four tables, as the four
// sheets of one workbook (the template) or as CSV files of one table each,
// told apart by their headers.
//
// A read is all or nothing, as a census import is: any bad cell refuses
// the files with censusio.Errors, each naming the file (and sheet), the row
// as Excel numbers it, the column by its header and letter, the value and
// what to fix.
package seatsio

import (
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/seats"
)

// kind is how a cell is read.
type kind int

const (
	text      kind = iota // any text; required when the column is
	count                 // a whole number 0 … seats.MaxCount
	optCount              // a count, or empty for "not known"
	yearCell              // a year 1900–2200
	stageCell             // 小学 / 初中 / 幼儿园 (or primary, junior, kindergarten)
	gradeCell             // a grade of the row's stage
)

// column is one column of a table.
type column struct {
	key      string
	zh       string   // the header the template writes
	aliases  []string // other headers read as this column
	kind     kind
	required bool
	note     string // explained on the template's notes sheet
}

// table is one table of the inputs.
type table struct {
	table seats.Table
	sheet string   // the template's sheet name
	names []string // other sheet names read as this table
	cols  []column
}

// tables are the four tables in order.
var tables = []table{
	{seats.TableBirths, "出生人口", []string{"出生", "births"}, []column{
		{"catchment", "学区", []string{"学区代码", "学区（乡镇）", "乡镇", "catchment"}, text, true, "学区代码或名称；只知道乡镇出生数的，填乡镇，与学校表的学区一致"},
		{"year", "出生年份", []string{"年份", "出生年度", "year"}, yearCell, true, "出生年份，如 2019"},
		{"births", "出生人数", []string{"出生数", "出生人口", "births"}, count, true, "当年出生人数（人）"},
		{"registered", "户籍儿童数", []string{"户籍人数", "registered"}, optCount, false, "该出生年份的户籍儿童数；不知道的留空"},
		{"resident", "常住儿童数", []string{"常住人数", "resident"}, optCount, false, "该出生年份的常住儿童数；不知道的留空"},
	}},
	{seats.TableSchools, "学校学位", []string{"学校", "schools"}, []column{
		{"stage", "学段", []string{"stage"}, stageCell, true, "小学、初中或幼儿园；九年一贯制学校分小学、初中两行"},
		{"code", "学校代码", []string{"学校标识码", "code"}, text, true, "学校标识码"},
		{"name", "学校名称", []string{"名称", "name"}, text, false, ""},
		{"catchment", "学区", []string{"学区代码", "学区（乡镇）", "乡镇", "catchment"}, text, true, "学校服务的学区，与出生人口表一致"},
		{"places", "学位数", []string{"核定学位数", "学位", "places"}, count, false, "核定学位数；留空或 0 时按班数 × 班额计算"},
		{"classes", "班数", []string{"规划班数", "classes"}, count, false, "规划（标准）班数"},
		{"class_size", "班额", []string{"class_size"}, count, false, "本校班额；留空时按评估标准的规定班额"},
	}},
	{seats.TableEnrolment, "分年级在校生", []string{"在校生", "enrolment"}, []column{
		{"stage", "学段", []string{"stage"}, stageCell, true, "小学、初中或幼儿园"},
		{"school", "学校代码", []string{"学校标识码", "school"}, text, true, "须是学校学位表中同一学段的学校"},
		{"year", "学年", []string{"年份", "学年度", "year"}, yearCell, true, "学年开始的年份，如 2025 表示 2025—2026 学年"},
		{"grade", "年级", []string{"grade"}, gradeCell, true, "小学 1–6，初中 1–3（或七、八、九年级），幼儿园小班、中班、大班（或 1–3）"},
		{"students", "在校生数", []string{"学生数", "人数", "students"}, count, true, "该年级在校生（人）"},
	}},
	{seats.TableProjects, "规划项目", []string{"项目", "projects"}, []column{
		{"stage", "学段", []string{"stage"}, stageCell, true, "小学、初中或幼儿园"},
		{"name", "项目名称", []string{"项目", "name"}, text, true, "新建或改扩建项目的名称"},
		{"school", "学校代码", []string{"扩建学校代码", "school"}, text, false, "改扩建的学校；新建学校留空"},
		{"catchment", "学区", []string{"学区代码", "catchment"}, text, false, "新建学校所在学区；改扩建可留空"},
		{"open_year", "启用年份", []string{"投用年份", "开学年份", "open_year"}, yearCell, true, "可以招生的第一个学年"},
		{"places", "新增学位", []string{"新增学位数", "places"}, count, false, "新增学位数；留空时按新增班数 × 班额"},
		{"classes", "新增班数", []string{"classes"}, count, false, ""},
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
	if f == fold(c.zh) || f == c.key {
		return true
	}
	for _, a := range c.aliases {
		if f == fold(a) {
			return true
		}
	}
	return false
}

// header maps a header row onto the table's columns: index of each
// column in the row, -1 when absent. ok is false when a required column
// is missing.
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

// parseStage reads a stage.
func parseStage(v string) (seats.Stage, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "小学", "primary":
		return seats.Primary, true
	case "初中", "初级中学", "junior":
		return seats.Junior, true
	case "幼儿园", "学前", "学前教育", "kindergarten":
		return seats.Kindergarten, true
	}
	return "", false
}

var chineseDigits = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

// parseGrade reads a grade of stage st as 1 … st.Grades().
func parseGrade(v string, st seats.Stage) (int, bool) {
	v = strings.TrimSpace(v)
	switch v {
	case "小班":
		v = "1"
	case "中班":
		v = "2"
	case "大班":
		v = "3"
	}
	v = strings.TrimSuffix(v, "年级")
	if r, ok := strings.CutPrefix(v, "初"); ok {
		v = r
		if n, ok := chineseDigits[v]; ok && n <= 3 {
			v = strconv.Itoa(n)
		}
	}
	n, ok := chineseDigits[v]
	if !ok {
		x, ok := parseCount(v)
		if !ok {
			return 0, false
		}
		n = x
	}
	if st == seats.Junior && n >= 7 && n <= 9 {
		n -= 6
	}
	return n, n >= 1 && n <= st.Grades()
}

// parseCount reads a whole number written as Excel writes it ("12",
// "12.0", "1,234") or with full-width digits.
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
	if v == "" || len(v) > 12 {
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

// letter is the spreadsheet letter of column i (0-based).
func letter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func stageList() string { return "小学、初中、幼儿园" }

func gradeFix(st seats.Stage) string {
	switch st {
	case seats.Junior:
		return "初中填 1–3（或七、八、九年级）"
	case seats.Kindergarten:
		return "幼儿园填小班、中班、大班（或 1–3）"
	}
	return "小学填 1–6"
}
