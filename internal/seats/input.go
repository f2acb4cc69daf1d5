package seats

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Stage is the stage whose places are forecast: its entry age (the age of
// the first grade, in whole years at the start of the school year) and its
// number of grades.
type Stage string

// The stages.
const (
	// Primary is 小学 (primary school): entry at 6, grades 1–6.
	Primary Stage = "primary"
	// Junior is 初中 (junior secondary school): entry at 12, grades 7–9,
	// numbered 1–3 here.
	Junior Stage = "junior"
	// Kindergarten is 幼儿园 (kindergarten): entry at 3, three grades 小班,
	// 中班, 大班 (junior, middle and senior class), numbered 1–3 here.
	Kindergarten Stage = "kindergarten"
)

// EntryAge is the age of the stage's first grade: the intake of year y
// comes from the births of year y−EntryAge.
func (s Stage) EntryAge() int {
	switch s {
	case Primary:
		return 6
	case Junior:
		return 12
	case Kindergarten:
		return 3
	}
	return 0
}

// Grades is the number of grades of the stage.
func (s Stage) Grades() int {
	switch s {
	case Primary:
		return 6
	case Junior, Kindergarten:
		return 3
	}
	return 0
}

// ZH returns the stage's Chinese name.
func (s Stage) ZH() string {
	switch s {
	case Primary:
		return "小学"
	case Junior:
		return "初中"
	case Kindergarten:
		return "幼儿园"
	}
	return string(s)
}

// Base is the count of a birth cohort that the entry ratio is taken
// against.
type Base string

// The bases.
const (
	// BaseBirths is the births registered in the catchment that year (the
	// default).
	BaseBirths Base = "births"
	// BaseRegistered is the children of that birth year with household
	// registration (户籍) in the catchment.
	BaseRegistered Base = "registered"
	// BaseResident is the children of that birth year living (常住) in the
	// catchment.
	BaseResident Base = "resident"
)

// Input is what a forecast is made from: one stage of one area (a county,
// a city district), its catchments and schools, and their history.
type Input struct {
	// Stage is the stage forecast; its schools' enrolment is by its grades.
	Stage Stage
	// ClassSize is the class size of the profile (45 for primary and 50 for
	// junior under 教督〔2017〕6号, or a kindergarten's figure): it turns
	// classes into places and a shortfall of places into classes.
	ClassSize int
	// Births by catchment and birth year.
	Births []Births
	// Schools of the stage; each serves one catchment.
	Schools []School
	// Enrolment by school, year and grade: the history.
	Enrolment []Enrolment
	// Projects are planned new schools and extensions.
	Projects []Project
}

// Births is one birth cohort of one catchment: the 学区 (catchment, the
// area whose children a school or group of schools admits), or a township
// (乡镇) where births are only known by township — the forecast does not
// care which, only that schools and births use the same codes.
type Births struct {
	Catchment string
	// Year is the birth year.
	Year int
	// Births is the number born that year.
	Births int
	// Registered and Resident are the children of that birth year with
	// household registration (户籍) in, and living (常住) in, the catchment,
	// where known (nil when not). They are used only when Options.Base asks
	// for them.
	Registered *int
	Resident   *int
}

// School is one school (or kindergarten) of the stage.
type School struct {
	Code string
	Name string
	// Catchment is the 学区 the school serves.
	Catchment string
	// Places is the school's stated number of places (学位) for the stage;
	// when 0, the places are Classes × the class size.
	Places int
	// Classes is the school's number of standard classes (its planned size,
	// e.g. 36 classes for a 6-grade school of six streams).
	Classes int
	// ClassSize overrides Input.ClassSize for this school when not 0.
	ClassSize int
}

// Enrolment is the number of students of one grade of one school in one
// school year (named by the calendar year it starts in).
type Enrolment struct {
	School   string
	Year     int
	Grade    int // 1 … Stage.Grades()
	Students int
}

// Project is a planned new school or extension (新建/改扩建), adding
// places from its opening year on.
type Project struct {
	Name string
	// School is the code of the school extended; empty, or a code that is
	// not among the schools, for a new school.
	School string
	// Catchment of the project; it may be left empty for an extension (it
	// is the school's).
	Catchment string
	// OpenYear is the first school year the places can be used.
	OpenYear int
	// Places added; when 0, Classes × the class size.
	Places  int
	Classes int
}

// MaxCount bounds every count of the input (births, places, students): a
// larger figure is a mistake of the file, and refusing it keeps the exact
// arithmetic within int64.
const MaxCount = 10_000_000

// ErrInput is wrapped by every error about the input.
var ErrInput = errors.New("seats: bad input")

// InputError is one problem with the input, naming where it is: the
// catchment or school (and the project), the year and the field.
type InputError struct {
	Catchment string
	School    string
	Project   string
	Year      int
	Field     string
	Problem   string
}

func (e *InputError) Error() string {
	s := "seats:"
	if e.Project != "" {
		s += fmt.Sprintf(" project %q", e.Project)
	}
	if e.School != "" {
		s += " school " + e.School
	}
	if e.Catchment != "" {
		s += " catchment " + e.Catchment
	}
	if e.Year != 0 {
		s += fmt.Sprintf(" year %d", e.Year)
	}
	if e.Field != "" {
		s += " " + e.Field
	}
	return s + ": " + e.Problem
}

// Unwrap makes every InputError an ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

// data is the input, checked and indexed.
type data struct {
	stage     Stage
	classSize int
	births    map[string]map[int]Births // catchment → birth year → cohort
	schools   []School                  // sorted by catchment, then code
	places    map[string]int            // school → places
	size      map[string]int            // school → class size
	catchment []string                  // catchments with schools, sorted
	members   map[string][]string       // catchment → school codes, sorted
	years     []int                     // years with enrolment, ascending
	enrol     map[string]map[int][]int  // school → year → students by grade (index 0 = grade 1)
	projects  []Project                 // places resolved, catchment filled in
}

func count(field string, n int, at InputError) error {
	if n < 0 {
		at.Field, at.Problem = field, fmt.Sprintf("negative (%d)", n)
		return &at
	}
	if n > MaxCount {
		at.Field, at.Problem = field, fmt.Sprintf("%d is more than %d", n, MaxCount)
		return &at
	}
	return nil
}

func year(y int, at InputError) error {
	if y < 1900 || y > 2200 {
		at.Field, at.Problem = "year", fmt.Sprintf("%d is not a plausible year", y)
		return &at
	}
	return nil
}

// check validates the input and indexes it.
func check(in Input) (*data, error) {
	g := in.Stage.Grades()
	if g == 0 {
		return nil, &InputError{Field: "stage", Problem: fmt.Sprintf("unknown stage %q", in.Stage)}
	}
	if in.ClassSize <= 0 || in.ClassSize > 1000 {
		return nil, &InputError{Field: "class size", Problem: fmt.Sprintf("%d is not a class size", in.ClassSize)}
	}
	d := &data{
		stage: in.Stage, classSize: in.ClassSize,
		births: map[string]map[int]Births{}, places: map[string]int{}, size: map[string]int{},
		members: map[string][]string{}, enrol: map[string]map[int][]int{},
	}
	for _, b := range in.Births {
		at := InputError{Catchment: b.Catchment, Year: b.Year}
		if b.Catchment == "" {
			at.Field, at.Problem = "catchment", "empty"
			return nil, &at
		}
		if err := year(b.Year, at); err != nil {
			return nil, err
		}
		if err := count("births", b.Births, at); err != nil {
			return nil, err
		}
		if b.Registered != nil {
			if err := count("registered children", *b.Registered, at); err != nil {
				return nil, err
			}
		}
		if b.Resident != nil {
			if err := count("resident children", *b.Resident, at); err != nil {
				return nil, err
			}
		}
		m := d.births[b.Catchment]
		if m == nil {
			m = map[int]Births{}
			d.births[b.Catchment] = m
		}
		if _, dup := m[b.Year]; dup {
			at.Field, at.Problem = "births", "given twice"
			return nil, &at
		}
		m[b.Year] = b
	}
	for _, s := range in.Schools {
		at := InputError{School: s.Code, Catchment: s.Catchment}
		switch {
		case s.Code == "":
			at.Field, at.Problem = "code", "empty"
			return nil, &at
		case s.Catchment == "":
			at.Field, at.Problem = "catchment", "empty"
			return nil, &at
		}
		if _, dup := d.places[s.Code]; dup {
			at.Field, at.Problem = "code", "given twice"
			return nil, &at
		}
		for _, f := range []struct {
			name string
			n    int
		}{{"places", s.Places}, {"classes", s.Classes}, {"class size", s.ClassSize}} {
			if err := count(f.name, f.n, at); err != nil {
				return nil, err
			}
		}
		size := in.ClassSize
		if s.ClassSize > 0 {
			size = s.ClassSize
		}
		p := s.Places
		if p == 0 {
			p = s.Classes * size
		}
		if p == 0 {
			at.Field, at.Problem = "places", "neither places nor classes given"
			return nil, &at
		}
		if p > MaxCount {
			at.Field, at.Problem = "places", fmt.Sprintf("%d classes of %d is more than %d places", s.Classes, size, MaxCount)
			return nil, &at
		}
		d.places[s.Code], d.size[s.Code] = p, size
		d.schools = append(d.schools, s)
		d.members[s.Catchment] = append(d.members[s.Catchment], s.Code)
	}
	if len(d.schools) == 0 {
		return nil, &InputError{Field: "schools", Problem: "none given"}
	}
	slices.SortFunc(d.schools, func(a, b School) int {
		if a.Catchment != b.Catchment {
			return strings.Compare(a.Catchment, b.Catchment)
		}
		return strings.Compare(a.Code, b.Code)
	})
	for c, m := range d.members {
		slices.Sort(m)
		d.catchment = append(d.catchment, c)
	}
	slices.Sort(d.catchment)
	seen := map[int]bool{}
	for _, e := range in.Enrolment {
		at := InputError{School: e.School, Year: e.Year}
		if _, ok := d.places[e.School]; !ok {
			at.Field, at.Problem = "school", "not among the schools"
			return nil, &at
		}
		if err := year(e.Year, at); err != nil {
			return nil, err
		}
		if e.Grade < 1 || e.Grade > g {
			at.Field, at.Problem = "grade", fmt.Sprintf("%d is not a grade of %s (1–%d)", e.Grade, in.Stage.ZH(), g)
			return nil, &at
		}
		at.Field = fmt.Sprintf("grade %d students", e.Grade)
		if err := count(at.Field, e.Students, at); err != nil {
			return nil, err
		}
		m := d.enrol[e.School]
		if m == nil {
			m = map[int][]int{}
			d.enrol[e.School] = m
		}
		row := m[e.Year]
		if row == nil {
			row = make([]int, g)
			for i := range row {
				row[i] = -1
			}
			m[e.Year] = row
		}
		if row[e.Grade-1] >= 0 {
			at.Problem = "given twice"
			return nil, &at
		}
		row[e.Grade-1] = e.Students
		if !seen[e.Year] {
			seen[e.Year] = true
			d.years = append(d.years, e.Year)
		}
	}
	if len(d.years) == 0 {
		return nil, &InputError{Field: "enrolment", Problem: "no history given"}
	}
	slices.Sort(d.years)
	// A grade not given for a school in a year of the history is 0: the
	// school had no class of it (it was not open, or not yet full).
	for _, m := range d.enrol {
		for _, row := range m {
			for i := range row {
				row[i] = max(row[i], 0)
			}
		}
	}
	for _, p := range in.Projects {
		at := InputError{School: p.School, Catchment: p.Catchment, Project: p.Name, Year: p.OpenYear}
		c := p.Catchment
		size := in.ClassSize
		if _, ok := d.places[p.School]; ok {
			s := d.school(p.School)
			if c != "" && c != s.Catchment {
				at.Field, at.Problem = "catchment", fmt.Sprintf("the school serves catchment %s", s.Catchment)
				return nil, &at
			}
			c, size = s.Catchment, d.size[p.School]
		} else {
			p.School = ""
		}
		if c == "" {
			at.Field, at.Problem = "catchment", "a new school's project needs its catchment"
			return nil, &at
		}
		if _, ok := d.members[c]; !ok {
			at.Field, at.Problem = "catchment", "no school of the stage serves it yet, so there is no history to forecast it from"
			return nil, &at
		}
		at.Catchment = c
		if p.OpenYear < 1900 || p.OpenYear > 2200 {
			at.Field, at.Problem = "opening year", fmt.Sprintf("%d is not a plausible year", p.OpenYear)
			return nil, &at
		}
		for _, f := range []struct {
			name string
			n    int
		}{{"places", p.Places}, {"classes", p.Classes}} {
			if err := count(f.name, f.n, at); err != nil {
				return nil, err
			}
		}
		if p.Places == 0 {
			p.Places = p.Classes * size
		}
		if p.Places == 0 || p.Places > MaxCount {
			at.Field, at.Problem = "places", fmt.Sprintf("%d places is not a project", p.Places)
			return nil, &at
		}
		p.Catchment = c
		d.projects = append(d.projects, p)
	}
	return d, nil
}

func (d *data) school(code string) School {
	for _, s := range d.schools {
		if s.Code == code {
			return s
		}
	}
	return School{}
}

// base is the cohort count of catchment c born in year y under b; ok is
// false when it is not given.
func (d *data) base(c string, y int, b Base) (int, bool) {
	r, ok := d.births[c][y]
	if !ok {
		return 0, false
	}
	switch b {
	case BaseRegistered:
		if r.Registered == nil {
			return 0, false
		}
		return *r.Registered, true
	case BaseResident:
		if r.Resident == nil {
			return 0, false
		}
		return *r.Resident, true
	}
	return r.Births, true
}

// grades is catchment c's (school = "") or one school's students by grade
// in year y of the history (zeros where not given).
func (d *data) grades(c, school string, y int) []int {
	out := make([]int, d.stage.Grades())
	codes := d.members[c]
	if school != "" {
		codes = []string{school}
	}
	for _, s := range codes {
		for i, n := range d.enrol[s][y] {
			out[i] += n
		}
	}
	return out
}

// rat is n/1.
func rat(n int) *big.Rat { return new(big.Rat).SetInt64(int64(n)) }
