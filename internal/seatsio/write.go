package seatsio

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/seats"
)

const notesSheet = "说明"

// gradeName writes a grade as the template writes it.
func gradeName(st seats.Stage, g int) string {
	if st == seats.Kindergarten && g >= 1 && g <= 3 {
		return [...]string{"小班", "中班", "大班"}[g-1]
	}
	return strconv.Itoa(g)
}

func num(n int) any { return n }

func optNum(p *int) any {
	if p == nil {
		return ""
	}
	return *p
}

func zeroBlank(n int) any {
	if n == 0 {
		return ""
	}
	return n
}

// WriteXLSX writes rec as the import workbook: a sheet per table rec
// carries (every table when it names none; an empty table as its header
// only) and the sheet 说明 explaining every column. Read reads it back to
// rec. With no records it is the template.
func WriteXLSX(w io.Writer, rec seats.Records) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	first := true
	for _, t := range tables {
		if len(rec.Tables) > 0 && !rec.Has(t.table) {
			continue
		}
		if first {
			first = false
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
		switch t.table {
		case seats.TableBirths:
			for _, b := range rec.Births {
				rows = append(rows, []any{b.Catchment, num(b.Year), num(b.Births), optNum(b.Registered), optNum(b.Resident)})
			}
		case seats.TableSchools:
			for _, s := range rec.Schools {
				rows = append(rows, []any{s.Stage.ZH(), s.Code, s.Name, s.Catchment, zeroBlank(s.Places), zeroBlank(s.Classes), zeroBlank(s.ClassSize)})
			}
		case seats.TableEnrolment:
			for _, e := range rec.Enrolment {
				rows = append(rows, []any{e.Stage.ZH(), e.School, num(e.Year), gradeName(e.Stage, e.Grade), num(e.Students)})
			}
		case seats.TableProjects:
			for _, p := range rec.Projects {
				rows = append(rows, []any{p.Stage.ZH(), p.Name, p.School, p.Catchment, num(p.OpenYear), zeroBlank(p.Places), zeroBlank(p.Classes)})
			}
		}
		for j := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
			if err := f.SetSheetRow(t.sheet, cell, &rows[j]); err != nil {
				return err
			}
		}
	}
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	notes := [][]any{
		{"学位预测数据说明"},
		{"本工作簿有四张表：出生人口、学校学位、分年级在校生、规划项目。可以只填其中几张：导入时，文件中有的表整表替换系统中本县的同名表，没有的表保持不变。"},
		{"每张表的第一行是表头，不要改动；每行一条记录。数字填阿拉伯数字，不带单位。"},
		{""},
		{"表", "列", "必填", "说明"},
	}
	for _, t := range tables {
		for _, c := range t.cols {
			req := ""
			if c.required {
				req = "是"
			}
			notes = append(notes, []any{t.sheet, c.zh, req, c.note})
		}
	}
	for j := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, j+1)
		if err := f.SetSheetRow(notesSheet, cell, &notes[j]); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(notesSheet, "A", "C", 14); err != nil {
		return err
	}
	if err := f.SetColWidth(notesSheet, "D", "D", 70); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}
