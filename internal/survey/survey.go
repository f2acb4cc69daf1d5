// Package survey holds the rules of the 社会认可度 (social recognition)
// survey: the questionnaires of each standard, the sample planner, the rate
// and its confidence interval, the signed single-use codes and the
// integrity checks on a response. It is pure: persistence lives in
// internal/store (survey*.go), the pages in internal/web (survey*.go).
package survey

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed data/*.json
var data embed.FS

// Levels is the number of points on the answer scale.
const Levels = 5

// Questionnaire is one standard's questionnaire: the five-point scale, the
// respondent groups, the school stages that make up the areas, the
// questions, and the rule turning answers into the rate: a response counts
// as recognising when its answer to RateQuestion is one of the first
// Positive points of the scale (认可 or 比较认可).
type Questionnaire struct {
	// Standard names the questionnaire: the standard whose 社会认可度 item
	// it feeds (yzjh2017), or a survey of its own (AfterSchool).
	Standard string `json:"standard"`
	// Basis, when set, is the standard whose census and sample settings
	// the survey is planned from (its students by area, its profile's
	// survey_sample): a 课后服务 survey is planned like yzjh2017's.
	Basis        string     `json:"basis,omitempty"`
	Title        string     `json:"title"`
	Intro        string     `json:"intro"`
	Scale        []string   `json:"scale"`
	Positive     int        `json:"positive"`
	RateQuestion string     `json:"rate_question"`
	Groups       []Group    `json:"groups"`
	Stages       []Stage    `json:"stages"`
	Questions    []Question `json:"questions"`
}

// Group is a kind of respondent (学生家长, 教师…).
type Group struct {
	ID string `json:"id"`
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Stage is a school stage an area is split by (小学, 初中, 幼儿园).
type Stage struct {
	ID string `json:"id"`
	ZH string `json:"zh"`
}

// Question is one five-point question. Groups, when set, limits it to
// those groups. Reverse marks a negatively worded question (认可 means
// dissatisfied): answering it like the others is a sign of straight-lining.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Groups  []string `json:"groups,omitempty"`
	Reverse bool     `json:"reverse,omitempty"`
}

// Locations are the 城乡类型 an area is split by.
var Locations = []string{"城区", "镇区", "乡村"}

// Area is one location and stage ("城区·小学"), the unit quotas are set for.
type Area struct {
	Location string
	Stage    string // a Stage ID
}

// Areas lists the areas of q: every location by every stage.
func (q *Questionnaire) Areas() []Area {
	var out []Area
	for _, l := range Locations {
		for _, s := range q.Stages {
			out = append(out, Area{l, s.ID})
		}
	}
	return out
}

// AreaIndex returns the index of a in q.Areas(), or -1.
func (q *Questionnaire) AreaIndex(a Area) int {
	return slices.Index(q.Areas(), a)
}

// AreaName names an area in Chinese (城区·小学).
func (q *Questionnaire) AreaName(a Area) string {
	for _, s := range q.Stages {
		if s.ID == a.Stage {
			return a.Location + "·" + s.ZH
		}
	}
	return a.Location + "·" + a.Stage
}

// GroupIndex returns the index of group id in q.Groups, or -1.
func (q *Questionnaire) GroupIndex(id string) int {
	return slices.IndexFunc(q.Groups, func(g Group) bool { return g.ID == id })
}

// QuestionsFor returns the questions a respondent of group asks.
func (q *Questionnaire) QuestionsFor(group string) []Question {
	var out []Question
	for _, x := range q.Questions {
		if len(x.Groups) == 0 || slices.Contains(x.Groups, group) {
			out = append(out, x)
		}
	}
	return out
}

// Validate reports a questionnaire that cannot be answered or rated.
func (q *Questionnaire) Validate() error {
	if q.Standard == "" || q.Title == "" {
		return fmt.Errorf("survey questionnaire: no standard or title")
	}
	if len(q.Scale) != Levels {
		return fmt.Errorf("survey questionnaire %s: scale has %d points, want %d", q.Standard, len(q.Scale), Levels)
	}
	if q.Positive < 1 || q.Positive >= Levels {
		return fmt.Errorf("survey questionnaire %s: positive %d, want 1 to %d", q.Standard, q.Positive, Levels-1)
	}
	if len(q.Groups) == 0 || len(q.Groups) > 16 || len(q.Stages) == 0 || len(q.Areas()) > 64 {
		return fmt.Errorf("survey questionnaire %s: %d groups, %d stages", q.Standard, len(q.Groups), len(q.Stages))
	}
	seen := map[string]bool{}
	for _, g := range q.Groups {
		if g.ID == "" || seen["g"+g.ID] {
			return fmt.Errorf("survey questionnaire %s: group %q empty or repeated", q.Standard, g.ID)
		}
		seen["g"+g.ID] = true
	}
	rate := false
	for _, x := range q.Questions {
		if x.ID == "" || x.Text == "" || seen["q"+x.ID] {
			return fmt.Errorf("survey questionnaire %s: question %q empty or repeated", q.Standard, x.ID)
		}
		seen["q"+x.ID] = true
		for _, g := range x.Groups {
			if !seen["g"+g] {
				return fmt.Errorf("survey questionnaire %s: question %s names unknown group %q", q.Standard, x.ID, g)
			}
		}
		if x.ID == q.RateQuestion {
			if len(x.Groups) > 0 || x.Reverse {
				return fmt.Errorf("survey questionnaire %s: the rate question %s must be asked of every group and not reversed", q.Standard, x.ID)
			}
			rate = true
		}
	}
	if !rate {
		return fmt.Errorf("survey questionnaire %s: no rate question %q", q.Standard, q.RateQuestion)
	}
	return nil
}

// Parse reads and validates a questionnaire (the province edits one as JSON).
func Parse(b []byte) (*Questionnaire, error) {
	var q Questionnaire
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, fmt.Errorf("survey questionnaire: %w", err)
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return &q, nil
}

var (
	builtinOnce sync.Once
	builtin     map[string][]byte
)

// Standard returns a fresh copy of the questionnaire shipped for standard
// id, or an error when none is.
func Standard(id string) (*Questionnaire, error) {
	builtinOnce.Do(func() {
		builtin = map[string][]byte{}
		ents, _ := data.ReadDir("data")
		for _, e := range ents {
			b, _ := data.ReadFile("data/" + e.Name())
			var q Questionnaire
			if json.Unmarshal(b, &q) == nil {
				builtin[q.Standard] = b
			}
		}
	})
	b, ok := builtin[id]
	if !ok {
		return nil, fmt.Errorf("survey: no questionnaire for standard %q", id)
	}
	return Parse(b)
}

// AfterSchool is the questionnaire of the 课后服务 satisfaction survey
// (internal/afterschool): its rate is a county's 课后服务 satisfaction, and
// it feeds no standard's item.
const AfterSchool = "afterschool"

// Standards lists the shipped questionnaires: the standards' and the
// 课后服务 survey's.
func Standards() []string { return []string{"yzjh2017", "xqpp2020", AfterSchool} }

// BasisStandard is the standard q is planned from: Basis, or the
// standard q is named for.
func (q *Questionnaire) BasisStandard() string {
	if q.Basis != "" {
		return q.Basis
	}
	return q.Standard
}
