package groups

import (
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// Share is a part of a whole: schools or students in a group of all.
type Share = census.Share

// StageCoverage is the coverage of one stage.
type StageCoverage struct {
	Stage    census.Stage
	Schools  Share
	Students Share
}

// GroupCoverage is one group's members on the day counted.
type GroupCoverage struct {
	Group
	Schools      int // members that are schools of the census
	Primary      int // of them, with a 小学 part
	Junior       int // of them, with a 初中 part
	Urban, Rural int
	Students     int64  // compulsory students of its members
	Result       string // the evaluation of the year (an Option value), "" when none
}

// Unknown is a member school the county's census of the year does not
// hold as a school that counts (a code mistyped, a school of another
// county, a 教学点).
type Unknown struct {
	Group, School, Name string
	Why                 string // 不在本县本年度的学校数据中, 是教学点…
}

// Coverage is a county's (or a region's, summed) group coverage of a year.
type Coverage struct {
	Year int
	Day  time.Time
	// Groups are the groups that exist on Day; Close and Loose count them
	// by type.
	Groups       int
	Close, Loose int
	Schools      Share // schools in a group, of all schools
	Students     Share // their compulsory students, of all
	Stages       []StageCoverage
	Urban, Rural Share // schools in a group, of the urban and of the rural schools
	PerGroup     []GroupCoverage
	Unknown      []Unknown
}

// counted reports whether a census school counts as a school of the
// coverage (census.CountsAsSchool).
func counted(s *census.School) bool { return census.CountsAsSchool(s) }

// urban reports whether a school is urban (城区, 镇区), rural (乡村), or
// neither when its 城乡类型 is not given.
func area(s *census.School) (urban, rural bool) {
	l := strings.TrimSpace(s.Location)
	switch {
	case strings.Contains(l, "城区") || strings.Contains(l, "镇区") || l == "城镇":
		return true, false
	case strings.Contains(l, "乡村") || l == "农村":
		return false, true
	}
	return false, false
}

// Count counts the coverage of groups on the school year's start of year
// (Day) against the county's census schools of the year.
func Count(gs []Group, schools []census.School, year int) Coverage {
	day := Day(year)
	c := Coverage{Year: year, Day: day}
	byCode := map[string]*census.School{}
	for i := range schools {
		byCode[schools[i].Code] = &schools[i]
	}
	inGroup := map[string]bool{}
	for _, g := range gs {
		codes := g.On(day)
		if codes == nil {
			continue
		}
		c.Groups++
		if g.Tightness == Close {
			c.Close++
		} else {
			c.Loose++
		}
		gc := GroupCoverage{Group: g, Result: g.Results[year]}
		for _, code := range codes {
			s := byCode[code]
			if s == nil || !counted(s) {
				u := Unknown{Group: g.ID, School: code, Name: memberName(g, code), Why: "不在本县本年度的学校数据中"}
				if s != nil {
					u.Name, u.Why = s.Name, "是"+s.Type.ZH()+"，不计入学校数"
				}
				c.Unknown = append(c.Unknown, u)
				continue
			}
			inGroup[code] = true
			gc.Schools++
			for _, st := range s.Type.Stages() {
				switch st {
				case census.StagePrimary:
					gc.Primary++
				case census.StageJunior:
					gc.Junior++
				}
				gc.Students += int64(s.Students(st))
			}
			if u, r := area(s); u {
				gc.Urban++
			} else if r {
				gc.Rural++
			}
		}
		c.PerGroup = append(c.PerGroup, gc)
	}
	stages := []StageCoverage{{Stage: census.StagePrimary}, {Stage: census.StageJunior}}
	for i := range schools {
		s := &schools[i]
		if !counted(s) {
			continue
		}
		in := inGroup[s.Code]
		add := func(sh *Share, n int64) {
			sh.All += n
			if in {
				sh.In += n
			}
		}
		add(&c.Schools, 1)
		for _, st := range s.Type.Stages() {
			for j := range stages {
				if stages[j].Stage == st {
					add(&stages[j].Schools, 1)
					n := int64(s.Students(st))
					add(&stages[j].Students, n)
					add(&c.Students, n)
				}
			}
		}
		if u, r := area(s); u {
			add(&c.Urban, 1)
		} else if r {
			add(&c.Rural, 1)
		}
	}
	c.Stages = stages
	return c
}

func memberName(g Group, code string) string {
	if code == g.Lead {
		return g.LeadName
	}
	for _, m := range g.Members {
		if m.School == code {
			return m.Name
		}
	}
	return ""
}

// Add sums o into c: a region's coverage from its counties'. Per-group
// lines and unknown members are not carried.
func (c *Coverage) Add(o Coverage) {
	c.Groups += o.Groups
	c.Close += o.Close
	c.Loose += o.Loose
	sum := func(a *Share, b Share) { a.In += b.In; a.All += b.All }
	sum(&c.Schools, o.Schools)
	sum(&c.Students, o.Students)
	sum(&c.Urban, o.Urban)
	sum(&c.Rural, o.Rural)
	if c.Stages == nil {
		c.Stages = []StageCoverage{{Stage: census.StagePrimary}, {Stage: census.StageJunior}}
	}
	for i := range c.Stages {
		for _, s := range o.Stages {
			if s.Stage == c.Stages[i].Stage {
				sum(&c.Stages[i].Schools, s.Schools)
				sum(&c.Stages[i].Students, s.Students)
			}
		}
	}
}
