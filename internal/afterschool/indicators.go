package afterschool

import (
	"fmt"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/ledger"
)

// DefaultEnd is the end time the service should not end before when the
// profile sets none (standards.Settings.AfterSchoolEnd): 17:30, the end of
// the working day in most of the country; a province whose offices close
// at 18:00 sets "18:00".
const DefaultEnd = "17:30"

// MinDays is the days a week the 5+2 mode asks: every school day.
const MinDays = 5

// Rule is what the service is checked against.
type Rule struct {
	End     string // HH:MM: an end earlier than this does not comply
	MinDays int
}

// RuleOf returns the rule of a profile's end-time setting ("" for
// DefaultEnd); an error when the setting is not a time of day.
func RuleOf(end string) (Rule, error) {
	if end == "" {
		end = DefaultEnd
	}
	v, p := ledger.Column{Type: ledger.Time}.Parse(end)
	if p != nil {
		return Rule{}, fmt.Errorf("after_school_end %q is not a time of day (17:30)", end)
	}
	return Rule{End: v, MinDays: MinDays}, nil
}

// Share is a part of a whole.
type Share = census.Share

// Term is one school's row of the ledger for a term.
type Term struct {
	School, Name, Term string
	Offers             bool
	Days               int
	End                string // HH:MM, "" when not given
	// Students and Teachers are the ledger's own figures (0 when not
	// given); the shares count against the census's.
	Students, StudentsIn int
	Teachers, TeachersIn int
	Courses, Providers   int
	Fee, Subsidy         int // yuan per student and term; -1 when not given
	Surveyed, Satisfied  int
}

// Of returns the school-term rows of a ledger, in its order.
func Of(d *ledger.Data) []Term {
	var out []Term
	opt := func(r ledger.Row, k string) int {
		if r.Get(k) == "" {
			return -1
		}
		return r.Int(k)
	}
	for _, r := range d.Rows(TTerms) {
		out = append(out, Term{School: r.Get("school"), Name: r.Get("name"), Term: r.Get("term"), Offers: r.Yes("offers"),
			Days: r.Int("days"), End: r.Get("end"), Students: r.Int("students"), StudentsIn: r.Int("students_in"),
			Teachers: r.Int("teachers"), TeachersIn: r.Int("teachers_in"), Courses: r.Int("courses"), Providers: r.Int("providers"),
			Fee: opt(r, "fee"), Subsidy: opt(r, "subsidy"), Surveyed: r.Int("surveyed"), Satisfied: r.Int("satisfied")})
	}
	return out
}

// LatestTerm returns the latest term the ledger has rows of (spring
// after autumn), or Autumn when it has none.
func LatestTerm(ts []Term) string {
	latest := Autumn
	for _, t := range ts {
		if t.Term == Spring {
			latest = Spring
		}
	}
	return latest
}

// Provider is one provider of the ledger.
type Provider struct {
	Name, Credit, Type, Vetting, Vetted string
	Schools                             int
}

// Providers returns the providers of a ledger, in its order.
func Providers(d *ledger.Data) []Provider {
	var out []Provider
	for _, r := range d.Rows(TProviders) {
		out = append(out, Provider{Name: r.Get("provider"), Credit: r.Get("credit"), Type: r.Get("type"),
			Vetting: r.Get("vetting"), Vetted: r.Get("vetted"), Schools: r.Int("schools")})
	}
	return out
}

// School is one census school's service in the term counted.
type School struct {
	Code, Name string
	Listed     bool // the ledger has a row of it for the term
	Row        Term // its row (zero when not listed)
	// Students and Teachers are the census's figures the shares count
	// against; Over is set when the ledger names more participants.
	Students, Teachers int64
	Over               bool
	EndOK, DaysOK      bool // of an offering school
}

// Unknown is a ledger row of a school the county's census of the year
// does not hold as a school that counts.
type Unknown struct {
	School, Name string
	Why          string // 不在本县本年度的学校数据中, 是教学点…
}

// Indicators are a county's (or, summed, a region's) after-school
// figures of a term.
type Indicators struct {
	Term string
	Rule Rule
	// Schools offering the service of all counted schools; Students and
	// Teachers taking part of all.
	Schools, Students, Teachers Share
	// Satisfaction is satisfied of surveyed; EndOK and Days5 count the
	// offering schools whose end time and days comply, of the offering
	// schools.
	Satisfaction, EndOK, Days5 Share
	// Courses and Providers sum the offering schools' counts; Free counts
	// those that charge nothing.
	Courses, Providers, Free int
	// Vetted counts the ledger's providers by vetting result.
	Vetted map[string]int
	// PerSchool lists the counted schools, in the census's order.
	PerSchool []School
	Unknown   []Unknown
}

// counted reports whether a census school counts as a school (not a
// 教学点 or a 特殊教育学校): the rule of internal/groups.
func counted(s *census.School) bool { return census.CountsAsSchool(s) }

// Count counts term's indicators of the ledger's rows ts and providers
// against the county's census schools of the year, by rule.
func Count(ts []Term, providers []Provider, schools []census.School, term string, rule Rule) Indicators {
	ind := Indicators{Term: term, Rule: rule, Vetted: map[string]int{}}
	endMin, _ := ledger.ClockMinutes(rule.End)
	byCode := map[string]*census.School{}
	for i := range schools {
		byCode[schools[i].Code] = &schools[i]
	}
	rows := map[string]Term{}
	for _, t := range ts {
		if t.Term != term {
			continue
		}
		s := byCode[t.School]
		if s == nil || !counted(s) {
			u := Unknown{School: t.School, Name: t.Name, Why: "不在本县本年度的学校数据中"}
			if s != nil {
				u.Name, u.Why = s.Name, "是"+s.Type.ZH()+"，不计入学校数"
			}
			ind.Unknown = append(ind.Unknown, u)
			continue
		}
		rows[t.School] = t
	}
	for i := range schools {
		s := &schools[i]
		if !counted(s) {
			continue
		}
		sc := School{Code: s.Code, Name: s.Name}
		for _, st := range s.Type.Stages() {
			sc.Students += int64(s.Students(st))
			switch st {
			case census.StagePrimary:
				sc.Teachers += int64(value(s, census.TeachersPrimary))
			case census.StageJunior:
				sc.Teachers += int64(value(s, census.TeachersJunior))
			}
		}
		ind.Schools.All++
		ind.Students.All += sc.Students
		ind.Teachers.All += sc.Teachers
		if t, ok := rows[s.Code]; ok {
			sc.Listed, sc.Row = true, t
			if t.Offers {
				ind.Schools.In++
				in := min(int64(t.StudentsIn), sc.Students)
				tin := min(int64(t.TeachersIn), sc.Teachers)
				sc.Over = in < int64(t.StudentsIn) || tin < int64(t.TeachersIn)
				ind.Students.In += in
				ind.Teachers.In += tin
				ind.Satisfaction.In += int64(t.Satisfied)
				ind.Satisfaction.All += int64(t.Surveyed)
				end, _ := ledger.ClockMinutes(t.End)
				sc.EndOK = end >= endMin
				sc.DaysOK = t.Days >= rule.MinDays
				ind.EndOK.All++
				ind.Days5.All++
				if sc.EndOK {
					ind.EndOK.In++
				}
				if sc.DaysOK {
					ind.Days5.In++
				}
				ind.Courses += t.Courses
				ind.Providers += t.Providers
				if t.Fee == 0 {
					ind.Free++
				}
			}
		}
		ind.PerSchool = append(ind.PerSchool, sc)
	}
	for _, p := range providers {
		ind.Vetted[p.Vetting]++
	}
	return ind
}

func value(s *census.School, f census.Field) float64 {
	if v, ok := s.Get(f); ok {
		return v
	}
	return 0
}

// Add sums o into ind: a region's indicators from its counties'. Per-school
// lines and unknown schools are not carried.
func (ind *Indicators) Add(o Indicators) {
	if ind.Term == "" {
		ind.Term, ind.Rule = o.Term, o.Rule
	}
	ind.Schools.Add(o.Schools)
	ind.Students.Add(o.Students)
	ind.Teachers.Add(o.Teachers)
	ind.Satisfaction.Add(o.Satisfaction)
	ind.EndOK.Add(o.EndOK)
	ind.Days5.Add(o.Days5)
	ind.Courses += o.Courses
	ind.Providers += o.Providers
	ind.Free += o.Free
	if ind.Vetted == nil {
		ind.Vetted = map[string]int{}
	}
	for k, n := range o.Vetted {
		ind.Vetted[k] += n
	}
}
