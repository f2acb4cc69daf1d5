// Package rotation holds the rules of the 教师交流轮岗 (teacher rotation)
// ledger a county keeps: who rotated from which school to which in a
// year, and how many teachers were eligible; from them, the two shares the
// 政府保障 item teacher_rotation judges (教督〔2017〕6号: 全县每年交流轮岗
// 教师的比例不低于符合交流条件教师总数的10%；其中，骨干教师不低于交流轮岗
// 教师总数的20%), computed exactly, and the inverse view: which schools
// lose and gain teachers.
//
// The package is pure: it imports census and standards at most.
package rotation

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// ErrInput is a ledger that breaks a rule of this package; the error says
// which.
var ErrInput = errors.New("bad rotation ledger")

// MaxCount bounds every count a ledger holds.
const MaxCount = 10_000_000

// DefaultMinYears is the national default of the eligibility setting: a
// teacher is eligible for rotation after this many consecutive years at
// one school (教育部等《关于推进县（区）域内义务教育学校校长教师交流轮岗
// 的意见》（教师〔2014〕4号）: 在同一所学校连续任教满6年的教师). A profile
// may set another (standards.Settings.RotationMinYears).
const DefaultMinYears = 6

// MinYears is the eligibility setting in force: set, or the national
// default when set is 0.
func MinYears(set int) int {
	if set > 0 {
		return set
	}
	return DefaultMinYears
}

// Type is the kind of a rotation.
type Type string

// The kinds of rotation.
const (
	Exchange    Type = "exchange"     // 交流: a posting at another school
	Support     Type = "support"      // 支教: teaching at a (rural, weak) school for a term
	MultiSchool Type = "multi_school" // 一长多校: a principal leading several schools
)

// Types are the kinds in the order the template lists them.
var Types = []Type{Exchange, Support, MultiSchool}

// ZH names the type as the county's list writes it.
func (t Type) ZH() string {
	switch t {
	case Exchange:
		return "交流"
	case Support:
		return "支教"
	case MultiSchool:
		return "一长多校"
	}
	return string(t)
}

// ParseType reads a type as written in Chinese or as its key.
func ParseType(s string) (Type, bool) {
	s = strings.TrimSpace(s)
	for _, t := range Types {
		if s == t.ZH() || strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	switch s {
	case "交流轮岗", "轮岗":
		return Exchange, true
	}
	return "", false
}

// Rotation is one teacher's rotation in the ledger's year.
type Rotation struct {
	Teacher  string // the teacher's id (教师编号 or 身份证号 as the county keeps it)
	Name     string
	From     string // the sending school's code
	FromName string
	To       string // the receiving school's code
	ToName   string
	Start    time.Time // a date (UTC midnight)
	End      time.Time // a date; zero when open
	Backbone bool      // a 骨干教师 (backbone teacher)
	Type     Type
	// Stage is the 学段 (stage) whose teachers the rotation moves, as the
	// ledger gives it; "" when not given (StageOf then derives it from the
	// schools' types).
	Stage census.Stage
}

// Eligible is how many teachers of one school are eligible for rotation
// (at the school for at least MinYears years), and how many of them are
// backbone teachers (the denominator some provinces, e.g. 安徽, use).
type Eligible struct {
	School   string
	Name     string
	Teachers int
	Backbone int
}

// Ledger is a county's rotation ledger for one year.
type Ledger struct {
	County    string
	Year      int
	Rotations []Rotation
	Eligible  []Eligible
}

// Validate checks the rules the ledger must keep: every rotation names a
// teacher, two different schools, a known type and a start in order with
// its end; a teacher rotates once a year; a school's eligible count is
// given once and its backbone part is no more than it.
func (l Ledger) Validate() error {
	seen := map[string]bool{}
	for i, r := range l.Rotations {
		switch {
		case r.Teacher == "":
			return fmt.Errorf("%w: rotation %d names no teacher", ErrInput, i+1)
		case r.From == "" || r.To == "":
			return fmt.Errorf("%w: rotation of %s names no school", ErrInput, r.Teacher)
		case r.From == r.To:
			return fmt.Errorf("%w: rotation of %s from and to %s", ErrInput, r.Teacher, r.From)
		case !slices.Contains(Types, r.Type):
			return fmt.Errorf("%w: rotation of %s: unknown type %q", ErrInput, r.Teacher, r.Type)
		case r.Start.IsZero():
			return fmt.Errorf("%w: rotation of %s has no start", ErrInput, r.Teacher)
		case r.Stage != "" && r.Stage != census.StagePrimary && r.Stage != census.StageJunior:
			return fmt.Errorf("%w: rotation of %s: unknown stage %q", ErrInput, r.Teacher, r.Stage)
		case !r.End.IsZero() && r.End.Before(r.Start):
			return fmt.Errorf("%w: rotation of %s ends before it starts", ErrInput, r.Teacher)
		case seen[r.Teacher]:
			return fmt.Errorf("%w: teacher %s rotates twice", ErrInput, r.Teacher)
		}
		seen[r.Teacher] = true
	}
	schools := map[string]bool{}
	for _, e := range l.Eligible {
		switch {
		case e.School == "":
			return fmt.Errorf("%w: eligible teachers of no school", ErrInput)
		case schools[e.School]:
			return fmt.Errorf("%w: eligible teachers of %s given twice", ErrInput, e.School)
		case e.Teachers < 0 || e.Teachers > MaxCount || e.Backbone < 0 || e.Backbone > e.Teachers:
			return fmt.Errorf("%w: eligible teachers of %s: %d, backbone %d", ErrInput, e.School, e.Teachers, e.Backbone)
		}
		schools[e.School] = true
	}
	return nil
}

// The thresholds of the national standard.
var (
	RotatedFloor  = big.NewRat(1, 10) // rotated ≥ 10 % of the eligible
	BackboneFloor = big.NewRat(1, 5)  // backbone ≥ 20 % of the rotated
)

// Share is a ratio Num/Den judged against a floor, exactly.
type Share struct {
	Num, Den int
	Floor    *big.Rat
	// Value is Num/Den; nil when Den is 0 (no share to judge).
	Value *big.Rat
	// Met is Value ≥ Floor (a share exactly at the floor meets it).
	Met bool
	// Margin is Value − Floor: how far above (or, negative, below).
	Margin *big.Rat
	// Need is, when not met, how many more of Num meet the floor with Den
	// unchanged: ⌈Floor·Den⌉ − Num.
	Need int
	// Spare is, when met, how many fewer of Num would still meet the
	// floor: Num − ⌈Floor·Den⌉.
	Spare int
}

// NewShare judges num/den against floor.
func NewShare(num, den int, floor *big.Rat) Share {
	s := Share{Num: num, Den: den, Floor: floor}
	if den <= 0 {
		return s
	}
	s.Value = big.NewRat(int64(num), int64(den))
	s.Margin = new(big.Rat).Sub(s.Value, floor)
	s.Met = s.Margin.Sign() >= 0
	// ⌈floor·den⌉: the least Num that meets the floor.
	x := new(big.Rat).Mul(floor, big.NewRat(int64(den), 1))
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if s.Met {
		s.Spare = num - int(q.Int64())
	} else {
		s.Need = int(q.Int64()) - num
	}
	return s
}

// ExactMargin writes the margin in percentage points as an exact
// fraction when two decimals do not hold it ("" when they do, or there
// is none): 1/30 of a point is "1/30", which +0.03 only rounds.
func (s Share) ExactMargin() string {
	if s.Margin == nil {
		return ""
	}
	m := new(big.Rat).Mul(s.Margin, big.NewRat(100, 1))
	r, _ := new(big.Rat).SetString(m.FloatString(2))
	if r.Cmp(m) == 0 {
		return ""
	}
	return m.RatString()
}

// Percent writes a share's value as a percent with two decimals, "—"
// when there is none.
func (s Share) Percent() string {
	if s.Value == nil {
		return "—"
	}
	return new(big.Rat).Mul(s.Value, big.NewRat(100, 1)).FloatString(2) + "%"
}

// Shares are a county's figures for the year from its ledger.
type Shares struct {
	Eligible         int // teachers eligible, summed over the schools
	EligibleBackbone int // backbone teachers eligible
	Rotated          int // teachers who rotated (each once)
	Backbone         int // of them, backbone teachers
	ByType           map[Type]int
	// RotatedShare is Rotated/Eligible against 10 %; BackboneShare is
	// Backbone/Rotated against 20 %.
	RotatedShare, BackboneShare Share
}

// Shares computes the county's shares from the ledger.
func (l Ledger) Shares() Shares {
	s := Shares{ByType: map[Type]int{}}
	for _, e := range l.Eligible {
		s.Eligible += e.Teachers
		s.EligibleBackbone += e.Backbone
	}
	seen := map[string]bool{}
	for _, r := range l.Rotations {
		if seen[r.Teacher] {
			continue
		}
		seen[r.Teacher] = true
		s.Rotated++
		if r.Backbone {
			s.Backbone++
		}
		s.ByType[r.Type]++
	}
	s.RotatedShare = NewShare(s.Rotated, s.Eligible, RotatedFloor)
	s.BackboneShare = NewShare(s.Backbone, s.Rotated, BackboneFloor)
	return s
}

// Feed writes the shares' figures into the county record c, in place of
// the typed ones: the eligible teachers, the rotated and the backbone
// rotated; the eligible backbone teachers when the ledger gives them.
func (s Shares) Feed(c *census.CountyRecord) {
	c.V[census.CRotationEligible] = float64(s.Eligible)
	c.V[census.CRotationTeachers] = float64(s.Rotated)
	c.V[census.CRotationBackbone] = float64(s.Backbone)
	if s.EligibleBackbone > 0 {
		c.V[census.CRotationBackboneEligible] = float64(s.EligibleBackbone)
	}
}

// Source says, in Chinese, where the figures came from, for the item's
// explanation.
func (s Shares) Source(year int) string {
	return fmt.Sprintf("数据来源：%d 年教师交流轮岗台账（符合条件教师 %d 人，交流轮岗 %d 人，其中骨干教师 %d 人）", year, s.Eligible, s.Rotated, s.Backbone)
}

// Flow is what the year's rotations do to one school: the teachers (and
// backbone teachers) it sends and receives.
type Flow struct {
	School, Name                     string
	Out, In, BackboneOut, BackboneIn int
	Eligible                         int // its eligible teachers, when given
}

// Net is the school's change in teachers: In − Out.
func (f Flow) Net() int { return f.In - f.Out }

// NetBackbone is the school's change in backbone teachers.
func (f Flow) NetBackbone() int { return f.BackboneIn - f.BackboneOut }

// Flows lists every school a rotation or an eligible count names, by
// code, with what it sends and receives.
func (l Ledger) Flows() []Flow {
	by := map[string]*Flow{}
	get := func(code, name string) *Flow {
		f := by[code]
		if f == nil {
			f = &Flow{School: code}
			by[code] = f
		}
		if f.Name == "" {
			f.Name = name
		}
		return f
	}
	for _, e := range l.Eligible {
		get(e.School, e.Name).Eligible += e.Teachers
	}
	for _, r := range l.Rotations {
		from, to := get(r.From, r.FromName), get(r.To, r.ToName)
		from.Out++
		to.In++
		if r.Backbone {
			from.BackboneOut++
			to.BackboneIn++
		}
	}
	out := make([]Flow, 0, len(by))
	for _, f := range by {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Flow) int { return strings.Compare(a.School, b.School) })
	return out
}
