package census

import (
	"math"
	"strings"
)

// Kind is the kind of a census record: what one row of a file describes.
type Kind string

// The record kinds of interfaces.md §2: a compulsory school, a kindergarten,
// or a county's own figures (one row per county per year).
const (
	KindSchool       Kind = "school"
	KindKindergarten Kind = "kindergarten"
	KindCounty       Kind = "county"
)

// Kinds lists the record kinds in the order a form shows them.
var Kinds = []Kind{KindSchool, KindKindergarten, KindCounty}

// ZH returns the kind's Chinese name.
func (k Kind) ZH() string {
	switch k {
	case KindSchool:
		return "义务教育学校"
	case KindKindergarten:
		return "幼儿园"
	case KindCounty:
		return "县级数据"
	}
	return string(k)
}

// IsPrivate reports whether an 办学性质 as written names a private (民办) school.
func IsPrivate(ownership string) bool { return strings.Contains(ownership, "民办") }

// CountyRun reports whether a 举办者 as written is the county or below it
// (县级教育部门, 乡镇, 村): the schools 基本均衡 counted. An empty sponsor is
// read as county-run, because almost every public compulsory school is.
// Sponsors above the county (省, 地市, 中央部门) and other departments are not.
func CountyRun(sponsor string) bool {
	s := strings.TrimSpace(sponsor)
	if s == "" {
		return true
	}
	for _, above := range []string{"中央", "部属", "省", "地市", "地级", "市级", "市属", "其他部门", "企业", "民办"} {
		if strings.Contains(s, above) {
			return false
		}
	}
	return true
}

// UnitRecord is a record of any kind in the neutral form that the file
// reader, the store, the forms and the API handle: identifying text by
// column key (in its stored form) and numbers by column index, as the
// kind's Table lists them. *School, *Kindergarten and *CountyRecord
// implement it.
type UnitRecord interface {
	// Key returns the record's year and code: the school's or the
	// kindergarten's code, or for a county record the county code.
	Key() (year int, code string)
	// Text returns the text column key (never "year").
	Text(key string) string
	// SetText sets text column key (never "year").
	SetText(key, v string)
	SetYear(y int)
	// Values returns the numeric values, indexed like the kind's Num
	// columns; NaN means not reported. The slice aliases the record.
	Values() []float64
}

// Table is the column table of a record kind: its identifying text columns
// (year first, then county code and name) and its numeric columns, in
// template order. Everything that handles records — reader, template,
// store, history, forms, upload preview, API — takes the columns from
// here, so that a kind is declared once and a column added here reaches
// every path.
type Table struct {
	Kind Kind
	// CodeKey is the key of the text column that identifies a record within
	// a year: kindergarten_code, or county_code for county records.
	CodeKey string
	// NameKey is the key of the text column that names a record
	// (school_name, kindergarten_name, county_name).
	NameKey string
	// Names are the other names of the kind that a worksheet or --kind may
	// use (学校, schools, 幼儿园数据 …).
	Names []string
	// PerRow says what one row is, for messages: 每所学校, 每个县区.
	PerRow string
	Text   []TextColumn
	Num    []Column
	// New returns an empty record with every number not reported.
	New func() UnitRecord
}

// TableOf returns the table of kind k, or nil for an unknown kind.
func TableOf(k Kind) *Table {
	switch k {
	case KindSchool:
		return &SchoolTable
	case KindKindergarten:
		return &KindergartenTable
	case KindCounty:
		return &CountyTable
	}
	return nil
}

// Index returns the index of numeric column key, or -1.
func (t *Table) Index(key string) int {
	for i, c := range t.Num {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// TextColumn returns the text column key, and whether the table has it.
func (t *Table) TextColumn(key string) (TextColumn, bool) {
	for _, c := range t.Text {
		if c.Key == key {
			return c, true
		}
	}
	return TextColumn{}, false
}

// Identifying reports whether text column key identifies the record or
// places it in a region (year, county code and name, the record's code):
// a form shows it but does not change it, and only region administration
// renames a county.
func (t *Table) Identifying(key string) bool {
	return key == "year" || key == "county_code" || key == "county_name" || key == t.CodeKey
}

func nanArray(v []float64) {
	for i := range v {
		v[i] = math.NaN()
	}
}
