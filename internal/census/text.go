package census

import "strconv"

// Text implements UnitRecord: the value of text column key (one of
// TextColumns) in its stored form — the school type by its key
// ("primary"), the year as digits — or "" for an unknown key. Files and
// pages show the school type by its Chinese name: see Table.FileText.
func (s *School) Text(key string) string {
	switch key {
	case "year":
		if s.Year == 0 {
			return ""
		}
		return strconv.Itoa(s.Year)
	case "county_code":
		return s.CountyCode
	case "county_name":
		return s.CountyName
	case "school_code":
		return s.Code
	case "school_name":
		return s.Name
	case "school_type":
		return string(s.Type)
	case "ownership":
		return s.Ownership
	case "location":
		return s.Location
	case "sponsor":
		return s.Sponsor
	}
	return ""
}

// SetText implements UnitRecord. A school type may be given by key or by
// its Chinese name; one that is neither is kept as written, for the
// reader's validation to name.
func (s *School) SetText(key, v string) {
	switch key {
	case "county_code":
		s.CountyCode = v
	case "county_name":
		s.CountyName = v
	case "school_code":
		s.Code = v
	case "school_name":
		s.Name = v
	case "school_type":
		if t, ok := ParseSchoolType(v); ok {
			s.Type = t
		} else {
			s.Type = SchoolType(v)
		}
	case "ownership":
		s.Ownership = v
	case "location":
		s.Location = v
	case "sponsor":
		s.Sponsor = v
	}
}

// Key implements UnitRecord: the year and the school code.
func (s *School) Key() (int, string) { return s.Year, s.Code }

// SetYear implements UnitRecord.
func (s *School) SetYear(y int) { s.Year = y }

// Values implements UnitRecord: the numeric columns, indexed by Field.
func (s *School) Values() []float64 { return s.V[:] }

// SchoolTable is the column table of kind school.
var SchoolTable = Table{
	Kind: KindSchool, CodeKey: "school_code", NameKey: "school_name",
	Names: []string{"学校", "school", "schools", "学校数据"}, PerRow: "每所学校",
	Text: TextColumns, Num: Columns[:],
	New: func() UnitRecord { s := NewSchool(); return &s },
}

// FileText returns text column key of r as a census file and a page show
// it: a school type or a kindergarten category by its Chinese name, the
// year as digits; other columns as stored.
func (t *Table) FileText(r UnitRecord, key string) string {
	v := r.Text(key)
	switch key {
	case "year":
		if y, _ := r.Key(); y != 0 {
			return strconv.Itoa(y)
		}
		return ""
	case "school_type":
		return SchoolType(v).ZH()
	case "category":
		return Category(v).ZH()
	}
	return v
}
