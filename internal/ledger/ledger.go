// Package ledger declares the tables of a bureau's ledgers (台账: the
// 教育集团 registry, and the next ones) and moves them between files, forms
// and the store. A ledger kind is a Schema: one or more Tables, each a list
// of Columns with key, 中文名, type, whether it is required, its choices
// and a note. Everything else follows the declaration: the reader of a
// county's workbook or CSV files, the template and export workbooks, the
// 说明 sheet, the values a form may post, the rows the store keeps and the
// errors that name file, row, column and fix. Nothing lists a ledger's
// columns by hand anywhere else (design.md, "one record path").
//
// Values are kept as canonical text: a count as its decimal digits, a date
// as YYYY-MM-DD, a yes/no as 是 or 否, a choice as its Value. Parse turns
// what a user writes (2025/9/1, ５０, 紧密型) into that form, so a file, a
// form and the store agree.
package ledger

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Type is the type of a column's values.
type Type int

// The column types.
const (
	Text   Type = iota // free text (a code, a name), at most MaxText bytes
	Count              // a whole number, 0 to MaxCount
	Date               // a calendar day
	YesNo              // 是 or 否; empty reads as 否
	Choice             // one of the column's Options
	Time               // a time of day to the minute, kept as HH:MM (17:30)
)

// MaxText bounds a text cell, in bytes.
const MaxText = 200

// MaxCount bounds a count.
const MaxCount = 100_000_000

// Option is one value of a Choice column: its stored value, its Chinese
// name (what files and forms show) and other ways of writing it.
type Option struct {
	Value, ZH string
	EN        string // its English name, for the English interface
	Aliases   []string
}

// Column is one column of a ledger table.
type Column struct {
	Key string // stable key: the store, the API and the form use it
	ZH  string // the header of the template
	EN  string // its English name, for the English interface
	// Aliases are other headers a county's own file may use.
	Aliases  []string
	Type     Type
	Required bool
	Options  []Option // of a Choice column
	Note     string   // what to write, for the 说明 sheet and the form
	// Check, when set, checks a value the column's type accepts (a year
	// within 1900–2200, a count within a kind's bound), given canonical
	// and not empty; it returns what is wrong and what to do, or "" when
	// the value is good. Being a cell's check, it is reported with the
	// file's other bad cells, and a form's.
	Check func(v string) (problem, fix string)
}

// Table is one table of a ledger: a sheet of the workbook, a CSV file.
type Table struct {
	ID    string // stable key
	Sheet string // the sheet's name in the template
	EN    string // its English name, for the English interface
	// Names are other sheet names a workbook may use.
	Names []string
	Cols  []Column
	// Key lists the columns whose values identify a row: two rows with the
	// same values are refused.
	Key []string
	// Check, when set, checks a row whose cells are each valid against
	// each other (an end before its start); each Problem names a column.
	Check func(r Row) []Problem
}

// Problem is what is wrong with one cell of a row, for a Check.
type Problem struct {
	Key     string // the column at fault
	Problem string // what is wrong
	Fix     string // what to do
}

// Schema is a ledger kind: its tables and the checks across them.
type Schema struct {
	Kind string // stable key: groups
	ZH   string // the ledger's name: 教育集团台账
	EN   string // its English name
	// PerYear is true when a county keeps one ledger a year, false when
	// one ledger holds its history in its own dates.
	PerYear bool
	Tables  []Table
	// Check, when set, checks the rows of every table against each other
	// (a member names a group that is not in the groups table), once
	// every cell is valid.
	Check func(d *Data) []RowProblem
}

// RowProblem is a Problem of one row, for a Schema's Check.
type RowProblem struct {
	Row Row
	Problem
}

// Table returns the table id, or nil.
func (s *Schema) Table(id string) *Table {
	for i := range s.Tables {
		if s.Tables[i].ID == id {
			return &s.Tables[i]
		}
	}
	return nil
}

// Col returns the index of column key, or -1.
func (t *Table) Col(key string) int {
	for i, c := range t.Cols {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// Row is one row of a table: its canonical values, indexed like the
// table's Cols, and where it came from.
type Row struct {
	t *Table
	V []string
	// At names the file (and sheet) the row was read from, N its row as
	// Excel numbers it; both empty for a row made by a form or in code.
	At string
	N  int
	// cols maps a column to its position in the source file, -1 when the
	// file did not have it; nil for a row not read from a file.
	cols   []int
	header []string
}

// Table returns the row's table.
func (r Row) Table() *Table { return r.t }

// Get returns column key's canonical value ("" when empty). It panics on
// a key the table does not have: that is a program error.
func (r Row) Get(key string) string {
	i := r.t.Col(key)
	if i < 0 {
		panic("ledger: table " + r.t.ID + " has no column " + key)
	}
	return r.V[i]
}

// Int returns a Count column's value (0 when empty).
func (r Row) Int(key string) int {
	n, _ := strconv.Atoi(r.Get(key))
	return n
}

// Date returns a Date column's value (the zero time when empty).
func (r Row) Date(key string) time.Time {
	v := r.Get(key)
	if v == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, v)
	return t
}

// Minutes returns a Time column's value as minutes after midnight, and
// false when it is empty.
func (r Row) Minutes(key string) (int, bool) {
	return ClockMinutes(r.Get(key))
}

// ClockMinutes reads a canonical time of day (HH:MM) as minutes after
// midnight; false when v is not one.
func ClockMinutes(v string) (int, bool) {
	if len(v) != 5 || v[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(v[:2])
	m, err2 := strconv.Atoi(v[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// Yes reports whether a YesNo column says 是.
func (r Row) Yes(key string) bool { return r.Get(key) == "是" }

// Map returns the row's values by column key: the form of a row the store
// and the API keep.
func (r Row) Map() map[string]string {
	m := make(map[string]string, len(r.V))
	for i, c := range r.t.Cols {
		if r.V[i] != "" {
			m[c.Key] = r.V[i]
		}
	}
	return m
}

// Data is a ledger's content: the rows of each table, in order.
type Data struct {
	Schema *Schema
	rows   map[string][]Row
	// found is where Read found each table it read, by table id; nil for
	// a ledger not read from files.
	found map[string]string
}

// Carries reports whether d holds table id: always for a ledger made in
// code, by a form or from the store; for one Read from files, whether the
// files had the table (an empty table, header only, is had). A kind whose
// imports may carry some of its tables (the 学位 inputs) replaces only
// those, and checks across tables only where both are carried.
func (d *Data) Carries(id string) bool {
	if d.found == nil {
		return d.Schema.Table(id) != nil
	}
	_, ok := d.found[id]
	return ok
}

// New returns an empty ledger of s.
func (s *Schema) New() *Data { return &Data{Schema: s, rows: map[string][]Row{}} }

// Rows returns table id's rows.
func (d *Data) Rows(id string) []Row { return d.rows[id] }

// Len returns the number of rows of every table.
func (d *Data) Len() int {
	n := 0
	for _, rs := range d.rows {
		n += len(rs)
	}
	return n
}

// Add checks values (by column key, as a form posts them or the store
// keeps them) against table id's columns and, when every one is valid,
// appends the row. The error lists every problem, each naming the column;
// the ledger is unchanged then. Add does not run the Key, table or schema
// checks: Validate does, once the rows are in.
func (d *Data) Add(id string, values map[string]string) error {
	t := d.Schema.Table(id)
	if t == nil {
		return fmt.Errorf("ledger %s has no table %q", d.Schema.Kind, id)
	}
	for k := range values {
		if t.Col(k) < 0 {
			return fmt.Errorf("table %s has no column %q", t.Sheet, k)
		}
	}
	// A row made by a form or in code is numbered by its place in its
	// table, so that a problem found with it names a row a person can find.
	row := Row{t: t, V: make([]string, len(t.Cols)), N: len(d.rows[id]) + 1}
	var bad []string
	for i, c := range t.Cols {
		v, p := c.Parse(values[c.Key])
		if p != nil {
			bad = append(bad, fmt.Sprintf("%s：%s", c.ZH, p.Problem+"；"+p.Fix))
			continue
		}
		row.V[i] = v
	}
	if len(bad) > 0 {
		return &Invalid{Problems: bad}
	}
	d.rows[id] = append(d.rows[id], row)
	return nil
}

// Invalid is a row that Add refused: one line per bad cell.
type Invalid struct{ Problems []string }

func (e *Invalid) Error() string { return strings.Join(e.Problems, "；") }

// Validate runs the checks that look past one cell — each table's Key and
// Check, then the Schema's Check — and returns their problems, in row
// order (none when the ledger is valid).
func (d *Data) Validate() []RowProblem {
	var out []RowProblem
	for ti := range d.Schema.Tables {
		t := &d.Schema.Tables[ti]
		seen := map[string]Row{}
		for _, r := range d.rows[t.ID] {
			if t.Check != nil {
				for _, p := range t.Check(r) {
					out = append(out, RowProblem{Row: r, Problem: p})
				}
			}
			if len(t.Key) == 0 {
				continue
			}
			var parts []string
			for _, k := range t.Key {
				parts = append(parts, r.Get(k))
			}
			id := strings.Join(parts, "\x00")
			if prev, dup := seen[id]; dup {
				where := "前面"
				if prev.N > 0 {
					where = fmt.Sprintf("第%d行", prev.N)
				}
				out = append(out, RowProblem{Row: r, Problem: Problem{Key: t.Key[len(t.Key)-1],
					Problem: "与" + where + "重复", Fix: "每个" + keyNames(t) + "只填一行：删去或合并重复的行"}})
				continue
			}
			seen[id] = r
		}
	}
	if d.Schema.Check != nil {
		out = append(out, d.Schema.Check(d)...)
	}
	return out
}

func keyNames(t *Table) string {
	var names []string
	for _, k := range t.Key {
		names = append(names, t.Cols[t.Col(k)].ZH)
	}
	return strings.Join(names, "和")
}

// Parse reads what a user wrote in a cell of column c and returns its
// canonical value, or the problem with it.
func (c Column) Parse(v string) (string, *Problem) {
	out, p := c.parse(v)
	if p == nil && out != "" && c.Check != nil {
		if problem, fix := c.Check(out); problem != "" {
			return "", &Problem{Key: c.Key, Problem: problem, Fix: fix}
		}
	}
	return out, p
}

func (c Column) parse(v string) (string, *Problem) {
	v = strings.TrimSpace(v)
	bad := func(problem, fix string) (string, *Problem) {
		return "", &Problem{Key: c.Key, Problem: problem, Fix: fix}
	}
	if v == "" {
		if c.Required {
			return bad("不能为空", c.Note)
		}
		if c.Type == YesNo {
			return "否", nil
		}
		return "", nil
	}
	switch c.Type {
	case Count:
		n, ok := parseCount(v)
		if !ok || n > MaxCount {
			return bad("不是非负整数", "请填写阿拉伯数字，如 120")
		}
		return strconv.Itoa(n), nil
	case Date:
		t, ok := parseDate(v)
		if !ok {
			return bad("不是日期", "请填写日期，如 2025-09-01")
		}
		return t.Format(time.DateOnly), nil
	case Time:
		m, ok := parseClock(v)
		if !ok {
			return bad("不是时刻", "请填写24小时制的时刻，如 17:30")
		}
		return fmt.Sprintf("%02d:%02d", m/60, m%60), nil
	case YesNo:
		switch strings.ToLower(v) {
		case "否", "不是", "n", "no", "0", "false", "×":
			return "否", nil
		case "是", "y", "yes", "1", "true", "√":
			return "是", nil
		}
		return bad("不是「是」或「否」", "请填写「是」或「否」")
	case Choice:
		f := fold(v)
		for _, o := range c.Options {
			if f == fold(o.Value) || f == fold(o.ZH) || slices.ContainsFunc(o.Aliases, func(a string) bool { return f == fold(a) }) {
				return o.Value, nil
			}
		}
		return bad("不是可选的值", "请填写"+c.choices())
	}
	if len(v) > MaxText {
		return bad(fmt.Sprintf("太长（超过 %d 个字节）", MaxText), "请只填代码或名称")
	}
	return v, nil
}

// Show returns a canonical value as a file or a page writes it: a
// choice's Chinese name, the rest as kept.
func (c Column) Show(v string) string {
	if c.Type == Choice {
		for _, o := range c.Options {
			if o.Value == v {
				return o.ZH
			}
		}
	}
	return v
}

// Label returns the column's name in English when en is set (its Chinese
// name when it has no English one), else its Chinese name.
func (c Column) Label(en bool) string {
	if en && c.EN != "" {
		return c.EN
	}
	return c.ZH
}

// ShowIn returns a canonical value as a page in English (en) or Chinese
// shows it.
func (c Column) ShowIn(v string, en bool) string {
	if c.Type == Choice {
		for _, o := range c.Options {
			if o.Value == v {
				if en && o.EN != "" {
					return o.EN
				}
				return o.ZH
			}
		}
	}
	if c.Type == YesNo && en {
		switch v {
		case "是":
			return "yes"
		case "否":
			return "no"
		}
	}
	return v
}

// Label returns the table's name in English when en is set and it has
// one, else its sheet name.
func (t *Table) Label(en bool) string {
	if en && t.EN != "" {
		return t.EN
	}
	return t.Sheet
}

func (c Column) choices() string {
	var names []string
	for _, o := range c.Options {
		names = append(names, o.ZH)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], "、") + "或" + names[len(names)-1]
}

// Hint is what the 说明 sheet and a form say about the column: its note,
// or the choices a Choice column takes.
func (c Column) Hint() string {
	h := c.Note
	if c.Type == Choice && h == "" {
		h = "填写" + c.choices()
	}
	if c.Type == Date && h == "" {
		h = "如 2025-09-01"
	}
	if c.Type == Time && h == "" {
		h = "24小时制，如 17:30"
	}
	return h
}

// fold is a header, sheet name or choice as compared: no spaces, no
// bracketed unit, lower case.
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

func (c Column) matches(h string) bool {
	f := fold(h)
	return f != "" && (f == fold(c.ZH) || f == c.Key || slices.ContainsFunc(c.Aliases, func(a string) bool { return f == fold(a) }))
}

// parseCount reads a whole number as Excel writes it (1,200, １２, 12.0).
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
	v = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(v)
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

// parseClock reads a time of day as 17:30, 17：30, 17:30:00, 17.30,
// 17点30分, 17时30分, 17时, 下午5:30, 5:30 PM or an Excel day fraction
// (0.7291…), to the minute: minutes after midnight.
func parseClock(v string) (int, bool) {
	v = strings.ToLower(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(v)))
	if f, err := strconv.ParseFloat(v, 64); err == nil && strings.Contains(v, ".") && f > 0 && f < 1 && len(v) > 5 {
		// A day fraction as Excel keeps a time (more digits than 17.30).
		m := int(f*24*60 + 0.5)
		return m, m < 24*60
	}
	pm, am := false, false
	for _, p := range []string{"下午", "晚上", "pm", "p.m."} {
		if strings.Contains(v, p) {
			pm = true
			v = strings.ReplaceAll(v, p, "")
		}
	}
	for _, p := range []string{"上午", "早上", "am", "a.m."} {
		if strings.Contains(v, p) {
			am = true
			v = strings.ReplaceAll(v, p, "")
		}
	}
	v = strings.NewReplacer("：", ":", "点", ":", "时", ":", "分", "", ".", ":", " ", "").Replace(v)
	v = strings.TrimSuffix(v, ":")
	parts := strings.Split(v, ":")
	if len(parts) == 3 && parts[2] == "00" {
		parts = parts[:2]
	}
	if len(parts) == 1 {
		parts = append(parts, "00")
	}
	if len(parts) != 2 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) != 2 {
		return 0, false
	}
	h, ok1 := parseCount(parts[0])
	m, ok2 := parseCount(parts[1])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	if pm || am {
		if h < 1 || h > 12 {
			return 0, false
		}
		if pm && h < 12 {
			h += 12
		}
		if am && h == 12 {
			h = 0
		}
	}
	return h*60 + m, true
}

// Maps returns every table's rows as Row.Map gives them, by table id: the
// ledger as the store keeps it and the API sends it. FromMaps reads it
// back.
func (d *Data) Maps() map[string][]map[string]string {
	out := map[string][]map[string]string{}
	for _, t := range d.Schema.Tables {
		rows := make([]map[string]string, 0, len(d.rows[t.ID]))
		for _, r := range d.rows[t.ID] {
			rows = append(rows, r.Map())
		}
		out[t.ID] = rows
	}
	return out
}

// FromMaps builds a ledger of s from rows by table id (as Maps gives
// them), checking every value as Add does and then the ledger as
// Validate does; the error names the table, the row (1-based) and the
// problem.
func FromMaps(s *Schema, m map[string][]map[string]string) (*Data, error) {
	d := s.New()
	for id := range m {
		if s.Table(id) == nil {
			return nil, fmt.Errorf("ledger %s has no table %q", s.Kind, id)
		}
	}
	for _, t := range s.Tables {
		for i, row := range m[t.ID] {
			if err := d.Add(t.ID, row); err != nil {
				return nil, fmt.Errorf("「%s」第%d行：%w", t.Sheet, i+1, err)
			}
			d.rows[t.ID][len(d.rows[t.ID])-1].N = i + 1
		}
	}
	if ps := d.Validate(); len(ps) > 0 {
		p := ps[0]
		return nil, fmt.Errorf("「%s」第%d行「%s」：%s；%s", p.Row.t.Sheet, p.Row.N, p.Row.t.Cols[p.Row.t.Col(p.Key)].ZH, p.Problem.Problem, p.Fix)
	}
	return d, nil
}

// Set replaces row i of table id with values, checked as Add checks them;
// the ledger is unchanged on an error.
func (d *Data) Set(id string, i int, values map[string]string) error {
	if i < 0 || i >= len(d.rows[id]) {
		return fmt.Errorf("table %s has no row %d", id, i+1)
	}
	tmp := d.Schema.New()
	if err := tmp.Add(id, values); err != nil {
		return err
	}
	row := tmp.rows[id][0]
	row.N = i + 1
	d.rows[id][i] = row
	return nil
}

// Remove removes row i of table id (nothing when there is no such row).
func (d *Data) Remove(id string, i int) {
	if i >= 0 && i < len(d.rows[id]) {
		d.rows[id] = append(d.rows[id][:i:i], d.rows[id][i+1:]...)
	}
}
