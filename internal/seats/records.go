package seats

import "slices"

// Table names one table of an area's 学位 inputs as a county keeps them,
// stores them and imports them.
type Table string

// The tables, in the order an import file and the template hold them.
const (
	// TableBirths: births by catchment (学区) or township and birth year,
	// with the household-registered (户籍) and resident (常住) children
	// where known; the same for every stage.
	TableBirths Table = "births"
	// TableSchools: each school's stage, catchment and stated places or
	// classes (a 九年一贯制 school is one row per stage).
	TableSchools Table = "schools"
	// TableEnrolment: students by school, stage, year and grade — the
	// history the ratios are estimated from (the school census holds
	// students by stage only).
	TableEnrolment Table = "enrolment"
	// TableProjects: planned new schools and extensions (新建/改扩建)
	// with their stage, opening year and places.
	TableProjects Table = "projects"
)

// Tables lists every table in order.
var Tables = []Table{TableBirths, TableSchools, TableEnrolment, TableProjects}

// StageSchool is a school of one stage.
type StageSchool struct {
	Stage Stage
	School
}

// StageEnrolment is one grade of one school of one stage in one year.
type StageEnrolment struct {
	Stage Stage
	Enrolment
}

// StageProject is a planned project of one stage.
type StageProject struct {
	Stage Stage
	Project
}

// Records are an area's 学位 inputs of every stage, or the part of them a
// file carries: Tables names the tables it carries (a table in Tables with
// no rows is empty; a table not in Tables is not given).
type Records struct {
	Tables    []Table
	Births    []Births
	Schools   []StageSchool
	Enrolment []StageEnrolment
	Projects  []StageProject
}

// Rows is the number of rows the records hold.
func (r Records) Rows() int {
	return len(r.Births) + len(r.Schools) + len(r.Enrolment) + len(r.Projects)
}

// Has reports whether r carries table t.
func (r Records) Has(t Table) bool { return slices.Contains(r.Tables, t) }

// Stages lists the stages of r's schools, in the order primary, junior,
// kindergarten.
func (r Records) Stages() []Stage {
	var out []Stage
	for _, st := range []Stage{Primary, Junior, Kindergarten} {
		if slices.ContainsFunc(r.Schools, func(s StageSchool) bool { return s.Stage == st }) {
			out = append(out, st)
		}
	}
	return out
}

// Input is the forecast input of one stage, with the class size given:
// the births of every catchment, and the schools, enrolment and projects
// of the stage.
func (r Records) Input(stage Stage, classSize int) Input {
	in := Input{Stage: stage, ClassSize: classSize, Births: r.Births}
	for _, s := range r.Schools {
		if s.Stage == stage {
			in.Schools = append(in.Schools, s.School)
		}
	}
	for _, e := range r.Enrolment {
		if e.Stage == stage {
			in.Enrolment = append(in.Enrolment, e.Enrolment)
		}
	}
	for _, p := range r.Projects {
		if p.Stage == stage {
			in.Projects = append(in.Projects, p.Project)
		}
	}
	return in
}

// RecordsOf turns inputs of one stage each into records of every table.
func RecordsOf(ins ...Input) Records {
	r := Records{Tables: slices.Clone(Tables)}
	type cohort struct {
		catchment string
		year      int
	}
	births := map[cohort]bool{}
	for _, in := range ins {
		for _, b := range in.Births {
			k := cohort{b.Catchment, b.Year}
			if !births[k] {
				births[k] = true
				r.Births = append(r.Births, b)
			}
		}
		for _, s := range in.Schools {
			r.Schools = append(r.Schools, StageSchool{Stage: in.Stage, School: s})
		}
		for _, e := range in.Enrolment {
			r.Enrolment = append(r.Enrolment, StageEnrolment{Stage: in.Stage, Enrolment: e})
		}
		for _, p := range in.Projects {
			r.Projects = append(r.Projects, StageProject{Stage: in.Stage, Project: p})
		}
	}
	return r
}
