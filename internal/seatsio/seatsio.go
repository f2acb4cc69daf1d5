// Package seatsio reads and writes the 学位 (school places) inputs a county
// keeps: births by 学区 (catchment) and year, schools with their places,
// enrolment by grade, and planned projects — four tables, as the four
// sheets of one workbook (the template) or as CSV files of one table each,
// told apart by their headers.
//
// The inputs are a declared ledger (internal/ledger): Schema lists their
// tables and columns once, and the reader, the template, the store's rows,
// the forms and the API all follow it. This package converts between that
// declared form and seats.Records, which the forecast works on. A file
// may carry some of the tables: Records.Tables names those it carries, and
// an import replaces only them (Merge).
//
// A read is all or nothing, as a census import is: any bad cell refuses
// the files with censusio.Errors, each naming the file (and sheet), the row
// as Excel numbers it, the column by its header and letter, the value and
// what to fix.
package seatsio

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/seats"
)

// File is one file to read: its name as uploaded and its bytes.
type File = ledger.File

// year checks a year column: 1900–2200.
func year(v string) (string, string) {
	if n, _ := strconv.Atoi(v); n < 1900 || n > 2200 {
		return "不是年份", "请填写四位年份，如 2025"
	}
	return "", ""
}

// bounded checks a count against seats.MaxCount, beyond which the exact
// arithmetic of the forecast is not kept.
func bounded(v string) (string, string) {
	if n, _ := strconv.Atoi(v); n > seats.MaxCount {
		return fmt.Sprintf("超过 %d", seats.MaxCount), "请核对这个数"
	}
	return "", ""
}

// stage is the 学段 column of every table but the births.
func stage(note string) ledger.Column {
	return ledger.Column{Key: "stage", ZH: "学段", EN: "Stage", Type: ledger.Choice, Required: true, Note: note, Options: []ledger.Option{
		{Value: string(seats.Primary), ZH: "小学", EN: "primary"},
		{Value: string(seats.Junior), ZH: "初中", EN: "junior", Aliases: []string{"初级中学"}},
		{Value: string(seats.Kindergarten), ZH: "幼儿园", EN: "kindergarten", Aliases: []string{"学前", "学前教育"}},
	}}
}

func count(key, zh, en string, aliases []string, required bool, note string) ledger.Column {
	return ledger.Column{Key: key, ZH: zh, EN: en, Aliases: aliases, Type: ledger.Count, Required: required, Note: note, Check: bounded}
}

func yearCol(key, zh, en string, aliases []string, note string) ledger.Column {
	return ledger.Column{Key: key, ZH: zh, EN: en, Aliases: aliases, Type: ledger.Count, Required: true, Note: note, Check: year}
}

// Schema is the declaration of the 学位 inputs: one ledger a county, not
// kept by year (the tables hold their own years).
var Schema = &ledger.Schema{
	Kind: "places", ZH: "学位测算台账", EN: "School places inputs",
	Tables: []ledger.Table{
		{
			ID: string(seats.TableBirths), Sheet: "出生人口", EN: "Births", Names: []string{"出生", "births"},
			Key: []string{"catchment", "year"},
			Cols: []ledger.Column{
				{Key: "catchment", ZH: "学区", EN: "Catchment", Aliases: []string{"学区代码", "学区（乡镇）", "乡镇"}, Required: true,
					Note: "学区代码或名称；只知道乡镇出生数的，填乡镇，与学校表的学区一致"},
				yearCol("year", "出生年份", "Birth year", []string{"年份", "出生年度"}, "出生年份，如 2019"),
				count("births", "出生人数", "Births", []string{"出生数", "出生人口"}, true, "当年出生人数（人）"),
				count("registered", "户籍儿童数", "Registered children", []string{"户籍人数"}, false, "该出生年份的户籍儿童数；不知道的留空"),
				count("resident", "常住儿童数", "Resident children", []string{"常住人数"}, false, "该出生年份的常住儿童数；不知道的留空"),
			},
		},
		{
			ID: string(seats.TableSchools), Sheet: "学校学位", EN: "Schools", Names: []string{"学校", "schools"},
			Key: []string{"stage", "code"},
			Cols: []ledger.Column{
				stage("小学、初中或幼儿园；九年一贯制学校分小学、初中两行"),
				{Key: "code", ZH: "学校代码", EN: "School code", Aliases: []string{"学校标识码"}, Required: true, Note: "学校标识码"},
				{Key: "name", ZH: "学校名称", EN: "School", Aliases: []string{"名称"}},
				{Key: "catchment", ZH: "学区", EN: "Catchment", Aliases: []string{"学区代码", "学区（乡镇）", "乡镇"}, Required: true, Note: "学校服务的学区，与出生人口表一致"},
				count("places", "学位数", "Places", []string{"核定学位数", "学位"}, false, "核定学位数；留空或 0 时按班数 × 班额计算"),
				count("classes", "班数", "Classes", []string{"规划班数"}, false, "规划（标准）班数"),
				count("class_size", "班额", "Class size", nil, false, "本校班额；留空时按评估标准的规定班额"),
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if r.Int("places") == 0 && r.Int("classes") == 0 {
					return []ledger.Problem{{Key: "places", Problem: "学位数和班数都没有填", Fix: "请填写核定学位数，或规划班数"}}
				}
				return nil
			},
		},
		{
			ID: string(seats.TableEnrolment), Sheet: "分年级在校生", EN: "Enrolment by grade", Names: []string{"在校生", "enrolment"},
			Key: []string{"stage", "school", "year", "grade"},
			Cols: []ledger.Column{
				stage("小学、初中或幼儿园"),
				{Key: "school", ZH: "学校代码", EN: "School code", Aliases: []string{"学校标识码"}, Required: true, Note: "须是学校学位表中同一学段的学校"},
				yearCol("year", "学年", "School year", []string{"年份", "学年度"}, "学年开始的年份，如 2025 表示 2025—2026 学年"),
				{Key: "grade", ZH: "年级", EN: "Grade", Required: true, Note: "小学 1–6，初中 1–3（或七、八、九年级），幼儿园小班、中班、大班（或 1–3）"},
				count("students", "在校生数", "Students", []string{"学生数", "人数"}, true, "该年级在校生（人）"),
			},
			Check: func(r ledger.Row) []ledger.Problem {
				st := seats.Stage(r.Get("stage"))
				if _, ok := parseGrade(r.Get("grade"), st); !ok {
					return []ledger.Problem{{Key: "grade", Problem: "不是" + st.ZH() + "的年级", Fix: gradeFix(st)}}
				}
				return nil
			},
		},
		{
			ID: string(seats.TableProjects), Sheet: "规划项目", EN: "Planned projects", Names: []string{"项目", "projects"},
			Cols: []ledger.Column{
				stage("小学、初中或幼儿园"),
				{Key: "name", ZH: "项目名称", EN: "Project", Aliases: []string{"项目"}, Required: true, Note: "新建或改扩建项目的名称"},
				{Key: "school", ZH: "学校代码", EN: "School code", Aliases: []string{"扩建学校代码"}, Note: "改扩建的学校；新建学校留空"},
				{Key: "catchment", ZH: "学区", EN: "Catchment", Aliases: []string{"学区代码"}, Note: "新建学校所在学区；改扩建可留空"},
				yearCol("open_year", "启用年份", "Opening year", []string{"投用年份", "开学年份"}, "可以招生的第一个学年"),
				count("places", "新增学位", "Places added", []string{"新增学位数"}, false, "新增学位数；留空时按新增班数 × 班额"),
				count("classes", "新增班数", "Classes added", nil, false, ""),
			},
			Check: func(r ledger.Row) []ledger.Problem {
				var out []ledger.Problem
				if r.Int("places") == 0 && r.Int("classes") == 0 {
					out = append(out, ledger.Problem{Key: "places", Problem: "新增学位和新增班数都没有填", Fix: "请填写新增学位数，或新增班数"})
				}
				if r.Get("school") == "" && r.Get("catchment") == "" {
					out = append(out, ledger.Problem{Key: "catchment", Problem: "新建学校的项目没有填学区", Fix: "请填写新建学校所在的学区（改扩建项目请填学校代码）"})
				}
				return out
			},
		},
	},
	Check: across,
}

// across checks the tables against each other where the ledger carries
// the schools (an import of other tables alone is checked once merged
// with the stored schools): every enrolment row names a school of its
// stage; an extension without a catchment names a school of its stage.
func across(d *ledger.Data) []ledger.RowProblem {
	schools := string(seats.TableSchools)
	if !d.Carries(schools) {
		return nil
	}
	have := map[string]bool{}
	for _, r := range d.Rows(schools) {
		have[r.Get("stage")+"/"+r.Get("code")] = true
	}
	var out []ledger.RowProblem
	for _, r := range d.Rows(string(seats.TableEnrolment)) {
		if st := seats.Stage(r.Get("stage")); !have[string(st)+"/"+r.Get("school")] {
			out = append(out, ledger.RowProblem{Row: r, Problem: ledger.Problem{Key: "school",
				Problem: fmt.Sprintf("学校学位表中没有这所%s学校", st.ZH()), Fix: "请先在学校学位表中加上这所学校（学段一致），或改正学校代码"}})
		}
	}
	for _, r := range d.Rows(string(seats.TableProjects)) {
		st := seats.Stage(r.Get("stage"))
		if r.Get("school") != "" && r.Get("catchment") == "" && !have[string(st)+"/"+r.Get("school")] {
			out = append(out, ledger.RowProblem{Row: r, Problem: ledger.Problem{Key: "school",
				Problem: fmt.Sprintf("学校学位表中没有这所%s学校，也没有填学区", st.ZH()),
				Fix:     "改扩建项目请填学校学位表中的学校代码；新建学校请清空学校代码并填写学区"}})
		}
	}
	return out
}

var chineseDigits = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

// parseGrade reads a grade of stage st as 1 … st.Grades(): 3, 三年级,
// 初一, 七年级 (初中), 小班 (幼儿园).
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
		v = strings.Map(func(r rune) rune {
			if r >= '０' && r <= '９' {
				return r - '０' + '0'
			}
			return r
		}, v)
		if i := strings.IndexByte(v, '.'); i >= 0 && strings.Trim(v[i+1:], "0") == "" {
			v = v[:i]
		}
		if len(v) == 0 || len(v) > 2 || strings.Trim(v, "0123456789") != "" {
			return 0, false
		}
		n, _ = strconv.Atoi(v)
	}
	if st == seats.Junior && n >= 7 && n <= 9 {
		n -= 6
	}
	return n, n >= 1 && n <= st.Grades()
}

func gradeFix(st seats.Stage) string {
	switch st {
	case seats.Junior:
		return "初中填 1–3（或七、八、九年级）"
	case seats.Kindergarten:
		return "幼儿园填小班、中班、大班（或 1–3）"
	}
	return "小学填 1–6"
}

// Of converts a ledger in its declared form to the forecast's records:
// Tables are the tables d carries (every table, unless d was read from
// files that carry fewer). The grades are numbers of their stage; d's
// rows are expected to have passed its checks.
func Of(d *ledger.Data) seats.Records {
	var rec seats.Records
	for _, t := range seats.Tables {
		if d.Carries(string(t)) {
			rec.Tables = append(rec.Tables, t)
		}
	}
	opt := func(r ledger.Row, key string) *int {
		if r.Get(key) == "" {
			return nil
		}
		n := r.Int(key)
		return &n
	}
	for _, r := range d.Rows(string(seats.TableBirths)) {
		rec.Births = append(rec.Births, seats.Births{Catchment: r.Get("catchment"), Year: r.Int("year"), Births: r.Int("births"),
			Registered: opt(r, "registered"), Resident: opt(r, "resident")})
	}
	for _, r := range d.Rows(string(seats.TableSchools)) {
		rec.Schools = append(rec.Schools, seats.StageSchool{Stage: seats.Stage(r.Get("stage")), School: seats.School{Code: r.Get("code"),
			Name: r.Get("name"), Catchment: r.Get("catchment"), Places: r.Int("places"), Classes: r.Int("classes"), ClassSize: r.Int("class_size")}})
	}
	for _, r := range d.Rows(string(seats.TableEnrolment)) {
		st := seats.Stage(r.Get("stage"))
		g, _ := parseGrade(r.Get("grade"), st)
		rec.Enrolment = append(rec.Enrolment, seats.StageEnrolment{Stage: st, Enrolment: seats.Enrolment{School: r.Get("school"),
			Year: r.Int("year"), Grade: g, Students: r.Int("students")}})
	}
	for _, r := range d.Rows(string(seats.TableProjects)) {
		rec.Projects = append(rec.Projects, seats.StageProject{Stage: seats.Stage(r.Get("stage")), Project: seats.Project{Name: r.Get("name"),
			School: r.Get("school"), Catchment: r.Get("catchment"), OpenYear: r.Int("open_year"), Places: r.Int("places"), Classes: r.Int("classes")}})
	}
	return rec
}

// Data converts records to the declared ledger, every table (rec.Tables
// aside): grades as their numbers, a count of 0 that means "by classes"
// or "the profile's" (places, classes, class size) left empty. The error
// names the first value the declaration refuses; the checks past one
// cell are the ledger's Validate.
func Data(rec seats.Records) (*ledger.Data, error) {
	return data(Schema, rec)
}

// data converts rec's rows of the tables sc declares.
func data(sc *ledger.Schema, rec seats.Records) (*ledger.Data, error) {
	d := sc.New()
	n := strconv.Itoa
	blank := func(x int) string {
		if x == 0 {
			return ""
		}
		return n(x)
	}
	opt := func(p *int) string {
		if p == nil {
			return ""
		}
		return n(*p)
	}
	add := func(t seats.Table, what string, m map[string]string) error {
		if sc.Table(string(t)) == nil {
			return nil
		}
		if err := d.Add(string(t), m); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	for _, b := range rec.Births {
		if err := add(seats.TableBirths, fmt.Sprintf("births of %s %d", b.Catchment, b.Year), map[string]string{"catchment": b.Catchment,
			"year": n(b.Year), "births": n(b.Births), "registered": opt(b.Registered), "resident": opt(b.Resident)}); err != nil {
			return nil, err
		}
	}
	for _, s := range rec.Schools {
		if err := add(seats.TableSchools, "school "+s.Code, map[string]string{"stage": string(s.Stage), "code": s.Code, "name": s.Name,
			"catchment": s.Catchment, "places": blank(s.Places), "classes": blank(s.Classes), "class_size": blank(s.ClassSize)}); err != nil {
			return nil, err
		}
	}
	for _, e := range rec.Enrolment {
		if err := add(seats.TableEnrolment, fmt.Sprintf("enrolment of %s %d grade %d", e.School, e.Year, e.Grade), map[string]string{
			"stage": string(e.Stage), "school": e.School, "year": n(e.Year), "grade": n(e.Grade), "students": n(e.Students)}); err != nil {
			return nil, err
		}
	}
	for _, p := range rec.Projects {
		if err := add(seats.TableProjects, fmt.Sprintf("project %q", p.Name), map[string]string{"stage": string(p.Stage), "name": p.Name,
			"school": p.School, "catchment": p.Catchment, "open_year": n(p.OpenYear), "places": blank(p.Places), "classes": blank(p.Classes)}); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Canonical returns d with its values as Data writes them (a grade as its
// number: 七年级 of 初中 as 1, 大班 as 3), so that a row typed in a form is
// kept as an imported one; d must pass its checks.
func Canonical(d *ledger.Data) (*ledger.Data, error) {
	return Data(Of(d))
}

// Merge returns the ledger whose tables rec carries are rec's and whose
// other tables are base's (none when base is nil): an import of some of
// the tables. Its rows are numbered from 1 in each table (Row.N), so that
// a problem found across the tables names its row. The error names the
// first value the declaration refuses.
func Merge(base *ledger.Data, rec seats.Records) (*ledger.Data, error) {
	if base != nil {
		old := Of(base)
		if !rec.Has(seats.TableBirths) {
			rec.Births = old.Births
		}
		if !rec.Has(seats.TableSchools) {
			rec.Schools = old.Schools
		}
		if !rec.Has(seats.TableEnrolment) {
			rec.Enrolment = old.Enrolment
		}
		if !rec.Has(seats.TableProjects) {
			rec.Projects = old.Projects
		}
	}
	d, err := Data(rec)
	if err != nil {
		return nil, err
	}
	for _, t := range Schema.Tables {
		rows := d.Rows(t.ID)
		for i := range rows {
			rows[i].N = i + 1
		}
	}
	return d, nil
}

// Read reads the 学位 inputs from files: a workbook holds up to four
// sheets (a sheet whose header is none of the tables', such as 说明, is
// skipped), a CSV file one table; a table is told by its header. The
// records carry the tables found (Records.Tables); a table given twice is
// an error. A read is all or nothing: the error is a censusio.Errors
// naming every bad cell.
func Read(files ...File) (seats.Records, error) {
	d, err := ledger.Read(Schema, files...)
	if err != nil {
		return seats.Records{}, err
	}
	return Of(d), nil
}

// WriteXLSX writes rec as the import workbook: a sheet per table rec
// carries (every table when it names none; an empty table as its header
// only) and the sheet 说明 explaining every column. Read reads it back to
// rec. With no records it is the template.
func WriteXLSX(w io.Writer, rec seats.Records) error {
	sc := Schema
	if len(rec.Tables) > 0 {
		sub := *Schema
		sub.Tables = slices.DeleteFunc(slices.Clone(Schema.Tables), func(t ledger.Table) bool { return !rec.Has(seats.Table(t.ID)) })
		sc = &sub
	}
	d, err := data(sc, rec)
	if err != nil {
		return err
	}
	return ledger.WriteXLSX(w, d)
}
