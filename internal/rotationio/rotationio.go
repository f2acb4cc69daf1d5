// Package rotationio reads and writes the 教师交流轮岗 (teacher rotation)
// ledger a county keeps: the year's rotations, one row a teacher, and the
// teachers eligible for rotation, one row a school — as the two sheets of
// one workbook (the template) or as CSV files of one table each, told
// apart by their headers.
//
// The ledger is a declared ledger (internal/ledger): Schema lists its
// tables and columns once, and the reader, the template, the store's rows,
// the forms and the API all follow it. This package converts between that
// declared form and rotation.Ledger, which the rules work on.
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

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/rotation"
)

// File is one file to read: its name as uploaded and its bytes.
type File = ledger.File

// Table ids of the ledger.
const (
	TRotations = "rotations"
	TEligible  = "eligible"
)

// Schema is the rotation ledger's declaration: kept per school year.
var Schema = &ledger.Schema{
	Kind: "rotation", ZH: "教师交流轮岗台账", EN: "Teacher rotation ledger", PerYear: true,
	Tables: []ledger.Table{
		{
			ID: TRotations, Sheet: "交流轮岗", EN: "Rotations", Names: []string{"交流轮岗名单", "轮岗", "rotations"},
			Key: []string{"teacher"},
			Cols: []ledger.Column{
				{Key: "teacher", ZH: "教师编号", EN: "Teacher ID", Aliases: []string{"教师代码", "身份证号"}, Required: true, Note: "教师编号（或县里用来区分教师的号码）；一年内每位教师只填一行"},
				{Key: "name", ZH: "教师姓名", EN: "Teacher", Aliases: []string{"姓名"}},
				{Key: "from", ZH: "派出学校代码", EN: "From school code", Aliases: []string{"原学校代码"}, Required: true, Note: "交流前任教学校的学校标识码"},
				{Key: "from_name", ZH: "派出学校", EN: "From school", Aliases: []string{"原学校", "派出学校名称"}},
				{Key: "to", ZH: "接收学校代码", EN: "To school code", Aliases: []string{"交流学校代码"}, Required: true, Note: "交流到的学校的学校标识码，与派出学校不同"},
				{Key: "to_name", ZH: "接收学校", EN: "To school", Aliases: []string{"交流学校", "接收学校名称"}},
				{Key: "start", ZH: "开始日期", EN: "Start", Aliases: []string{"起始日期"}, Type: ledger.Date, Required: true, Note: "如 2025-09-01"},
				{Key: "end", ZH: "结束日期", EN: "End", Aliases: []string{"截止日期"}, Type: ledger.Date, Note: "如 2026-07-15；未定的留空"},
				{Key: "backbone", ZH: "是否骨干教师", EN: "Backbone teacher", Aliases: []string{"骨干教师", "骨干"}, Type: ledger.YesNo, Note: "是或否（留空为否）；县级及以上骨干教师、学科带头人、名师"},
				{Key: "type", ZH: "交流方式", EN: "Type", Aliases: []string{"类型", "方式"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: string(rotation.Exchange), ZH: "交流", EN: "exchange", Aliases: []string{"交流轮岗", "轮岗"}},
					{Value: string(rotation.Support), ZH: "支教", EN: "support teaching"},
					{Value: string(rotation.MultiSchool), ZH: "一长多校", EN: "one principal, several schools"},
				}},
				{Key: "stage", ZH: "学段", EN: "Stage", Aliases: []string{"交流学段"}, Type: ledger.Choice, Options: []ledger.Option{
					{Value: string(census.StagePrimary), ZH: "小学", EN: "primary"},
					{Value: string(census.StageJunior), ZH: "初中", EN: "junior"},
				}, Note: "小学或初中：交流教师任教的学段。留空时按派出学校的类型（小学、初中）定，其次按接收学校的；两所学校都是九年一贯制或十二年一贯制时请填写"},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				var out []ledger.Problem
				if r.Get("from") == r.Get("to") {
					out = append(out, ledger.Problem{Key: "to", Problem: "与派出学校相同", Fix: "接收学校应是另一所学校"})
				}
				if e := r.Date("end"); !e.IsZero() && e.Before(r.Date("start")) {
					out = append(out, ledger.Problem{Key: "end", Problem: "早于开始日期", Fix: "请核对开始和结束日期"})
				}
				return out
			},
		},
		{
			ID: TEligible, Sheet: "符合条件教师", EN: "Eligible teachers", Names: []string{"符合交流条件教师", "eligible"},
			Key: []string{"school"},
			Cols: []ledger.Column{
				{Key: "school", ZH: "学校代码", EN: "School code", Aliases: []string{"学校标识码"}, Required: true, Note: "学校标识码"},
				{Key: "name", ZH: "学校名称", EN: "School", Aliases: []string{"名称"}},
				{Key: "teachers", ZH: "符合交流条件教师数", EN: "Eligible teachers", Aliases: []string{"符合条件教师数"}, Type: ledger.Count, Required: true, Note: "在本校连续任教满规定年限（默认 6 年，评估方案可另设）的教师数"},
				{Key: "backbone", ZH: "其中骨干教师数", EN: "Of them, backbone", Aliases: []string{"符合条件骨干教师数"}, Type: ledger.Count, Note: "其中骨干教师数；留空为 0"},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if r.Int("backbone") > r.Int("teachers") {
					return []ledger.Problem{{Key: "backbone", Problem: "多于符合条件教师数", Fix: "骨干教师数是符合条件教师数的一部分"}}
				}
				if r.Int("teachers") > rotation.MaxCount {
					return []ledger.Problem{{Key: "teachers", Problem: "太大", Fix: fmt.Sprintf("一个学校的教师数不超过 %d", rotation.MaxCount)}}
				}
				return nil
			},
		},
	},
}

// Of converts a ledger in its declared form to the rules' form (without
// its county and year).
func Of(d *ledger.Data) rotation.Ledger {
	var l rotation.Ledger
	for _, r := range d.Rows(TRotations) {
		l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: r.Get("teacher"), Name: r.Get("name"),
			From: r.Get("from"), FromName: r.Get("from_name"), To: r.Get("to"), ToName: r.Get("to_name"),
			Start: r.Date("start"), End: r.Date("end"), Backbone: r.Yes("backbone"),
			Type: rotation.Type(r.Get("type")), Stage: census.Stage(r.Get("stage"))})
	}
	for _, r := range d.Rows(TEligible) {
		l.Eligible = append(l.Eligible, rotation.Eligible{School: r.Get("school"), Name: r.Get("name"),
			Teachers: r.Int("teachers"), Backbone: r.Int("backbone")})
	}
	return l
}

// Data converts a ledger in the rules' form to its declared form; the
// error names the first value the declaration refuses.
func Data(l rotation.Ledger) (*ledger.Data, error) {
	d := Schema.New()
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	for _, x := range l.Rotations {
		bb := "否"
		if x.Backbone {
			bb = "是"
		}
		if err := d.Add(TRotations, map[string]string{"teacher": x.Teacher, "name": x.Name, "from": x.From, "from_name": x.FromName,
			"to": x.To, "to_name": x.ToName, "start": date(x.Start), "end": date(x.End), "backbone": bb,
			"type": string(x.Type), "stage": string(x.Stage)}); err != nil {
			return nil, fmt.Errorf("rotation of %s: %w", x.Teacher, err)
		}
	}
	for _, e := range l.Eligible {
		if err := d.Add(TEligible, map[string]string{"school": e.School, "name": e.Name,
			"teachers": strconv.Itoa(e.Teachers), "backbone": strconv.Itoa(e.Backbone)}); err != nil {
			return nil, fmt.Errorf("eligible teachers of %s: %w", e.School, err)
		}
	}
	return d, nil
}

// Read reads a ledger from files: a workbook holds the two sheets (a sheet
// whose header is neither table's, such as 说明, is skipped), a CSV file one
// table. The ledger carries no county or year: the import names them. A
// read is all or nothing: the error is a censusio.Errors naming every bad
// cell.
func Read(files ...File) (rotation.Ledger, error) {
	d, err := ledger.Read(Schema, files...)
	if err != nil {
		return rotation.Ledger{}, err
	}
	return Of(d), nil
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
	d, err := ledger.Read(Schema, files...)
	if err != nil {
		return rotation.Ledger{}, err
	}
	l := Of(d)
	rows := d.Rows(TRotations)
	var errs censusio.Errors
	year, one := l.YearOf(fallback)
	if !one {
		for i, x := range l.Rotations {
			if y := rotation.SchoolYear(x.Start); y != year && len(errs) < censusio.MaxErrors {
				errs = append(errs, ledger.ErrorAt(rows[i], "start",
					fmt.Sprintf("属于 %d 学年，而台账其他行属于 %d 学年（学年从 9 月 1 日起算）", y, year),
					fmt.Sprintf("一次导入一个学年的台账：核对开始日期，或把 %d 学年的行分开导入", y)))
			}
		}
		return rotation.Ledger{}, errs
	}
	if years != nil && !slices.Contains(years, year) {
		have := make([]string, len(years))
		for i, y := range years {
			have[i] = strconv.Itoa(y)
		}
		for i := range l.Rotations {
			if len(errs) < censusio.MaxErrors {
				errs = append(errs, ledger.ErrorAt(rows[i], "start",
					fmt.Sprintf("属于 %d 学年（学年从 9 月 1 日起算），系统中还没有该学年的学校数据（现有 %s）", year, strings.Join(have, "、")),
					"核对开始日期；或先导入该学年的学校数据，再导入台账"))
			}
		}
		return rotation.Ledger{}, errs
	}
	l.Year = year
	return l, nil
}

// WriteXLSX writes l as the import workbook: the sheet of rotations, the
// sheet of eligible teachers and the sheet 说明 explaining every column.
// Read reads it back to l (without its county and year). With an empty
// ledger it is the template.
func WriteXLSX(w io.Writer, l rotation.Ledger) error {
	d, err := Data(l)
	if err != nil {
		return err
	}
	return ledger.WriteXLSX(w, d)
}
