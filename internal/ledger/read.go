package ledger

import (
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/censusio"
)

// File is one file to read: its name as uploaded and its bytes.
type File struct {
	Name string
	Data []byte
}

// Read reads a ledger of s from files: a workbook holds its tables as
// sheets (a sheet whose header is no table's, such as 说明, is skipped), a
// CSV file one table; each is told by its header, whose columns may come in
// any order and under any of their names. A read is all or nothing: the
// error is a censusio.Errors naming, for every bad cell, the file (and
// sheet), the row as Excel numbers it, the column by its header and
// letter, the value and what to fix — with the census reader's limits,
// encodings and damage checks (censusio.ReadSheets).
func Read(s *Schema, files ...File) (*Data, error) {
	r := &reader{d: s.New(), seen: map[string]string{}}
	for _, f := range files {
		sheets, err := censusio.ReadSheets(f.Name, f.Data)
		if err != nil {
			if es, ok := err.(censusio.Errors); ok {
				r.errs = append(r.errs, es...)
				continue
			}
			return nil, err
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
		r.add(name, 0, "", "", "", "没有找到"+s.ZH+"的表", "请下载"+s.ZH+"模板，按模板的表头填写后再导入")
	}
	r.d.found = r.seen
	if len(r.errs) == 0 {
		for _, p := range r.d.Validate() {
			r.problem(p.Row, p.Problem)
		}
	}
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return r.d, nil
}

type reader struct {
	d    *Data
	errs censusio.Errors
	seen map[string]string // table id → where it was read
}

func (r *reader) add(at string, row int, header, lt, value, problem, fix string) {
	if len(r.errs) >= censusio.MaxErrors {
		return
	}
	r.errs = append(r.errs, &censusio.Error{File: at, Row: row, Column: header, Letter: lt, Value: value, Problem: problem, Fix: fix})
}

// problem reports p at row's cell of column p.Key.
func (r *reader) problem(row Row, p Problem) {
	if len(r.errs) < censusio.MaxErrors {
		r.errs = append(r.errs, ErrorAt(row, p.Key, p.Problem, p.Fix))
	}
}

// ErrorAt is a problem with row's cell of column key, named as the reader
// names a bad cell: the row's file and row, the column by the header and
// letter its file gave it, the value as the file writes it. A check that
// looks across a whole ledger (the school year of every row) reports
// with it.
func ErrorAt(row Row, key, problem, fix string) *censusio.Error {
	t := row.t
	i := t.Col(key)
	h, lt, v := "", "", ""
	if i >= 0 {
		h, v = t.Cols[i].ZH, t.Cols[i].Show(row.V[i])
		if row.cols != nil && row.cols[i] >= 0 {
			j := row.cols[i]
			lt = letter(j)
			if j < len(row.header) {
				h = strings.TrimSpace(row.header[j])
			}
		}
	}
	return &censusio.Error{File: row.At, Row: row.N, Column: h, Letter: lt, Value: v, Problem: problem, Fix: fix}
}

// header matches a header row against t: the position of each column, and
// the required columns it lacks.
func header(t *Table, cells []string) (idx []int, missing []string) {
	idx = make([]int, len(t.Cols))
	for i, c := range t.Cols {
		idx[i] = -1
		for j, h := range cells {
			if c.matches(h) {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 && c.Required {
			missing = append(missing, c.ZH)
		}
	}
	return idx, missing
}

func (r *reader) sheet(at string, sh censusio.Sheet) {
	if len(sh.Rows) == 0 {
		return
	}
	head := sh.Rows[0]
	var t *Table
	var idx []int
	var best *Table // the table the header is nearest to, for the message
	var bestMissing []string
	bestMatched := 0
	// Of the tables whose required columns are all there, the one the
	// sheet is named for, else the one matching the most columns: a
	// header may hold another table's required columns besides its own
	// (the 学位 projects carry the schools' 学段, 学校代码 and 学区).
	fit := 0
	for i := range r.d.Schema.Tables {
		ix, missing := header(&r.d.Schema.Tables[i], head.Cells)
		matched := 0
		for _, j := range ix {
			if j >= 0 {
				matched++
			}
		}
		if len(missing) == 0 {
			score := matched
			if sh.Name != "" && matchesSheet(&r.d.Schema.Tables[i], sh.Name) {
				score += 1000
			}
			if score > fit {
				t, idx, fit = &r.d.Schema.Tables[i], ix, score
			}
			continue
		}
		if matched > bestMatched {
			best, bestMissing, bestMatched = &r.d.Schema.Tables[i], missing, matched
		}
	}
	if t == nil {
		switch {
		case best != nil && (sh.Name == "" || matchesSheet(best, sh.Name)):
			r.add(at, head.N, "", "", "", fmt.Sprintf("「%s」表缺少必填的列：%s", best.Sheet, strings.Join(bestMissing, "、")),
				"在第一行加上这些列的表头（可下载模板对照）")
		case sh.Name == "":
			r.add(at, head.N, "", "", "", "第一行不是"+r.d.Schema.ZH+"任何一张表的表头", "第一行应是模板中一张表的表头")
		}
		return
	}
	if prev, dup := r.seen[t.ID]; dup {
		r.add(at, 0, "", "", "", fmt.Sprintf("「%s」表已在 %s 中给出", t.Sheet, prev), "每张表只导入一次：删去重复的工作表或文件")
		return
	}
	r.seen[t.ID] = at
	for _, row := range sh.Rows[1:] {
		r.row(at, t, idx, head.Cells, row)
	}
}

func matchesSheet(t *Table, name string) bool {
	f := fold(name)
	if f == fold(t.Sheet) || f == t.ID {
		return true
	}
	for _, n := range t.Names {
		if f == fold(n) {
			return true
		}
	}
	return false
}

func (r *reader) row(at string, t *Table, idx []int, head []string, sr censusio.SheetRow) {
	row := Row{t: t, V: make([]string, len(t.Cols)), At: at, N: sr.N, cols: idx, header: head}
	ok := true
	for i, c := range t.Cols {
		raw := ""
		if j := idx[i]; j >= 0 && j < len(sr.Cells) {
			raw = sr.Cells[j]
		}
		v, p := c.Parse(raw)
		if p != nil {
			h, lt := c.ZH, ""
			if j := idx[i]; j >= 0 {
				lt = letter(j)
				if j < len(head) {
					h = strings.TrimSpace(head[j])
				}
			}
			r.add(at, sr.N, h, lt, strings.TrimSpace(raw), p.Problem, p.Fix)
			ok = false
			continue
		}
		row.V[i] = v
	}
	if ok {
		r.d.rows[t.ID] = append(r.d.rows[t.ID], row)
	}
}

// letter is the spreadsheet letter of column i (0-based).
func letter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
