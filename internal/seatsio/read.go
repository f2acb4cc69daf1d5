package seatsio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/seats"
)

// File is one file to read: its name as uploaded and its bytes.
type File struct {
	Name string
	Data []byte
}

// where is a sheet of a file, as errors name it.
type where struct {
	file  string
	sheet string
}

func (w where) String() string {
	if w.sheet == "" {
		return w.file
	}
	return w.file + " 工作表「" + w.sheet + "」"
}

// reader collects what the files hold and what is wrong with them.
type reader struct {
	rec  seats.Records
	errs censusio.Errors
	seen map[seats.Table]where
	// rows of the schools, for the checks across tables: stage/code → where.
	schoolAt map[string]string
	enrolAt  []enrolRow
	projAt   []projRow
}

type enrolRow struct {
	at    where
	row   int
	col   string
	lt    string
	stage seats.Stage
	code  string
}

type projRow struct {
	at              where
	row             int
	stage           seats.Stage
	school, catchmt string
	schoolCol       string
	schoolLetter    string
}

func (r *reader) add(at where, row int, header, lt, value, problem, fix string) {
	if len(r.errs) >= censusio.MaxErrors {
		return
	}
	r.errs = append(r.errs, &censusio.Error{File: at.String(), Row: row, Column: header, Letter: lt, Value: value, Problem: problem, Fix: fix})
}

// Read reads the 学位 inputs from files: a workbook holds up to four
// sheets (a sheet whose header is none of the tables', such as 说明, is
// skipped), a CSV file one table; a table is told by its header. The
// records carry the tables found (Records.Tables); a table given twice is
// an error. A read is all or nothing: the error is a censusio.Errors
// naming every bad cell.
func Read(files ...File) (seats.Records, error) {
	r := &reader{seen: map[seats.Table]where{}, schoolAt: map[string]string{}}
	for _, f := range files {
		sheets, err := censusio.ReadSheets(f.Name, f.Data)
		if err != nil {
			if es, ok := err.(censusio.Errors); ok {
				r.errs = append(r.errs, es...)
				continue
			}
			return seats.Records{}, err
		}
		for _, sh := range sheets {
			r.sheet(where{f.Name, sh.Name}, sh)
		}
	}
	if len(r.errs) == 0 && len(r.seen) == 0 {
		name := ""
		if len(files) > 0 {
			name = files[0].Name
		}
		r.add(where{file: name}, 0, "", "", "", "没有找到学位数据的表（出生人口、学校学位、分年级在校生、规划项目）",
			"请下载学位数据模板，按模板的表头填写后再导入")
	}
	r.across()
	if len(r.errs) > 0 {
		return seats.Records{}, r.errs
	}
	for _, t := range seats.Tables {
		if _, ok := r.seen[t]; ok {
			r.rec.Tables = append(r.rec.Tables, t)
		}
	}
	return r.rec, nil
}

// sheet reads one sheet: finds its table by its header, then its rows.
func (r *reader) sheet(at where, sh censusio.Sheet) {
	if len(sh.Rows) == 0 {
		return
	}
	head := sh.Rows[0]
	// The table whose required columns are all there and which matches
	// the most columns; the one the sheet is named for, if it fits.
	var t, named *table
	var idx []int
	best := 0
	for i := range tables {
		tb := &tables[i]
		isNamed := at.sheet != "" && (fold(at.sheet) == fold(tb.sheet) || slices.ContainsFunc(tb.names, func(n string) bool { return fold(n) == fold(at.sheet) }))
		if isNamed {
			named = tb
		}
		ix, missing := tb.header(head.Cells)
		if len(missing) > 0 {
			continue
		}
		score := 0
		for _, j := range ix {
			if j >= 0 {
				score++
			}
		}
		if isNamed {
			score += 100
		}
		if score > best {
			t, idx, best = tb, ix, score
		}
	}
	if t == nil {
		switch {
		case named != nil:
			_, missing := named.header(head.Cells)
			r.add(at, head.N, "", "", "", fmt.Sprintf("表头缺少「%s」列", strings.Join(missing, "」「")),
				fmt.Sprintf("「%s」表的第一行应是表头：%s", named.sheet, headers(*named)))
		case at.sheet == "":
			r.add(at, head.N, "", "", "", "第一行不是学位数据任何一张表的表头",
				"第一行应是出生人口、学校学位、分年级在校生或规划项目其中一张表的表头（见模板）")
		}
		return // another sheet of a workbook (说明): not data
	}
	if prev, dup := r.seen[t.table]; dup {
		r.add(at, 0, "", "", "", fmt.Sprintf("「%s」表已在 %s 中给出", t.sheet, prev), "每张表只导入一次：删去重复的工作表或文件")
		return
	}
	r.seen[t.table] = at
	r.rows(at, t, idx, head.Cells, sh.Rows[1:])
}

func headers(t table) string {
	var hs []string
	for _, c := range t.cols {
		hs = append(hs, c.zh)
	}
	return strings.Join(hs, "、")
}

// cellValues is one row's cells read by column key.
type cellValues struct {
	at    where
	n     int
	head  []string
	idx   []int
	cells []string
	t     *table
	ok    bool
}

func (v *cellValues) raw(key string) (string, int, column) {
	for i, c := range v.t.cols {
		if c.key == key {
			if v.idx[i] < 0 || v.idx[i] >= len(v.cells) {
				return "", v.idx[i], c
			}
			return strings.TrimSpace(v.cells[v.idx[i]]), v.idx[i], c
		}
	}
	panic("seatsio: no column " + key)
}

func (r *reader) cellErr(v *cellValues, key, value, problem, fix string) {
	_, i, c := v.raw(key)
	h, lt := c.zh, ""
	if i >= 0 {
		lt = letter(i)
		if i < len(v.head) {
			h = strings.TrimSpace(v.head[i])
		}
	}
	r.add(v.at, v.n, h, lt, value, problem, fix)
	v.ok = false
}

func (r *reader) text(v *cellValues, key string) string {
	s, _, c := v.raw(key)
	if s == "" && c.required {
		r.cellErr(v, key, "", "不能为空", c.note)
	}
	if len(s) > 200 {
		r.cellErr(v, key, s, "太长（超过 200 个字节）", "请只填代码或名称")
	}
	return s
}

func (r *reader) number(v *cellValues, key string) (int, bool) {
	s, _, c := v.raw(key)
	if s == "" {
		if c.required {
			r.cellErr(v, key, "", "不能为空", c.note)
		}
		return 0, false
	}
	n, ok := parseCount(s)
	switch {
	case !ok:
		r.cellErr(v, key, s, "不是非负整数", "请填写阿拉伯数字，如 420")
		return 0, false
	case n > seats.MaxCount:
		r.cellErr(v, key, s, fmt.Sprintf("超过 %d", seats.MaxCount), "请核对这个数")
		return 0, false
	}
	return n, true
}

func (r *reader) year(v *cellValues, key string) int {
	n, ok := r.number(v, key)
	if ok && (n < 1900 || n > 2200) {
		s, _, _ := v.raw(key)
		r.cellErr(v, key, s, "不是年份", "请填写四位年份，如 2025")
		return 0
	}
	return n
}

func (r *reader) stageOf(v *cellValues) seats.Stage {
	s, _, _ := v.raw("stage")
	if s == "" {
		r.cellErr(v, "stage", "", "不能为空", "请填写"+stageList())
		return ""
	}
	st, ok := parseStage(s)
	if !ok {
		r.cellErr(v, "stage", s, "不是学段", "请填写"+stageList())
	}
	return st
}

// rows reads the rows of table t.
func (r *reader) rows(at where, t *table, idx []int, head []string, rows []censusio.SheetRow) {
	type key struct {
		a, b string
		y, g int
	}
	first := map[key]int{}
	dup := func(v *cellValues, k key, what string) {
		if p, ok := first[k]; ok {
			r.add(at, v.n, "", "", "", fmt.Sprintf("%s与第%d行重复", what, p), "每个只填一行：删去或合并重复的行")
			v.ok = false
			return
		}
		first[k] = v.n
	}
	for _, row := range rows {
		v := &cellValues{at: at, n: row.N, head: head, idx: idx, cells: row.Cells, t: t, ok: true}
		switch t.table {
		case seats.TableBirths:
			b := seats.Births{Catchment: r.text(v, "catchment"), Year: r.year(v, "year")}
			b.Births, _ = r.number(v, "births")
			if n, ok := r.number(v, "registered"); ok {
				b.Registered = &n
			}
			if n, ok := r.number(v, "resident"); ok {
				b.Resident = &n
			}
			if v.ok {
				dup(v, key{a: b.Catchment, y: b.Year}, fmt.Sprintf("学区 %s %d 年的出生人口", b.Catchment, b.Year))
			}
			if v.ok {
				r.rec.Births = append(r.rec.Births, b)
			}
		case seats.TableSchools:
			st := r.stageOf(v)
			s := seats.StageSchool{Stage: st, School: seats.School{Code: r.text(v, "code"), Name: r.text(v, "name"), Catchment: r.text(v, "catchment")}}
			s.Places, _ = r.number(v, "places")
			s.Classes, _ = r.number(v, "classes")
			s.ClassSize, _ = r.number(v, "class_size")
			if v.ok && s.Places == 0 && s.Classes == 0 {
				r.cellErr(v, "places", "", "学位数和班数都没有填", "请填写核定学位数，或规划班数")
			}
			if v.ok {
				dup(v, key{a: string(st), b: s.Code}, fmt.Sprintf("%s学校 %s", st.ZH(), s.Code))
			}
			if v.ok {
				r.schoolAt[string(st)+"/"+s.Code] = fmt.Sprintf("%s 第%d行", at, v.n)
				r.rec.Schools = append(r.rec.Schools, s)
			}
		case seats.TableEnrolment:
			st := r.stageOf(v)
			e := seats.StageEnrolment{Stage: st, Enrolment: seats.Enrolment{School: r.text(v, "school"), Year: r.year(v, "year")}}
			if st != "" {
				g, _, _ := v.raw("grade")
				if g == "" {
					r.cellErr(v, "grade", "", "不能为空", gradeFix(st))
				} else if n, ok := parseGrade(g, st); !ok {
					r.cellErr(v, "grade", g, "不是"+st.ZH()+"的年级", gradeFix(st))
				} else {
					e.Grade = n
				}
			}
			e.Students, _ = r.number(v, "students")
			if v.ok {
				dup(v, key{a: string(st), b: e.School, y: e.Year, g: e.Grade}, fmt.Sprintf("学校 %s %d 学年 %d 年级", e.School, e.Year, e.Grade))
			}
			if v.ok {
				_, i, c := v.raw("school")
				h := c.zh
				if i < len(head) {
					h = strings.TrimSpace(head[i])
				}
				r.enrolAt = append(r.enrolAt, enrolRow{at: at, row: v.n, col: h, lt: letter(i), stage: st, code: e.School})
				r.rec.Enrolment = append(r.rec.Enrolment, e)
			}
		case seats.TableProjects:
			st := r.stageOf(v)
			p := seats.StageProject{Stage: st, Project: seats.Project{Name: r.text(v, "name"), School: r.text(v, "school"),
				Catchment: r.text(v, "catchment"), OpenYear: r.year(v, "open_year")}}
			p.Places, _ = r.number(v, "places")
			p.Classes, _ = r.number(v, "classes")
			if v.ok && p.Places == 0 && p.Classes == 0 {
				r.cellErr(v, "places", "", "新增学位和新增班数都没有填", "请填写新增学位数，或新增班数")
			}
			if v.ok && p.School == "" && p.Catchment == "" {
				r.cellErr(v, "catchment", "", "新建学校的项目没有填学区", "请填写新建学校所在的学区（改扩建项目请填学校代码）")
			}
			if v.ok {
				_, i, c := v.raw("school")
				h, lt := c.zh, ""
				if i >= 0 {
					lt = letter(i)
					if i < len(head) {
						h = strings.TrimSpace(head[i])
					}
				}
				r.projAt = append(r.projAt, projRow{at: at, row: v.n, stage: st, school: p.School, catchmt: p.Catchment, schoolCol: h, schoolLetter: lt})
				r.rec.Projects = append(r.rec.Projects, p)
			}
		}
	}
}

// across checks the tables against each other where the files carry both:
// every enrolment row names a school of its stage; an extension without a
// catchment names a school of its stage.
func (r *reader) across() {
	if _, ok := r.seen[seats.TableSchools]; !ok {
		return
	}
	for _, e := range r.enrolAt {
		if _, ok := r.schoolAt[string(e.stage)+"/"+e.code]; !ok {
			r.add(e.at, e.row, e.col, e.lt, e.code, fmt.Sprintf("学校学位表中没有这所%s学校", e.stage.ZH()),
				"请先在学校学位表中加上这所学校（学段一致），或改正学校代码")
		}
	}
	for _, p := range r.projAt {
		if p.school != "" && p.catchmt == "" {
			if _, ok := r.schoolAt[string(p.stage)+"/"+p.school]; !ok {
				r.add(p.at, p.row, p.schoolCol, p.schoolLetter, p.school, fmt.Sprintf("学校学位表中没有这所%s学校，也没有填学区", p.stage.ZH()),
					"改扩建项目请填学校学位表中的学校代码；新建学校请清空学校代码并填写学区")
			}
		}
	}
}
