// Package standards holds the evaluation standards and the province profiles
// as data embedded in the binary (data/*.json). A standard names indicators,
// per-stage thresholds, the school rule and the balance (差异系数) rule; a
// profile overlays settings and thresholds on the national profile. Code holds
// only the few kinds of rule; numbers live in the data.
package standards

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

//go:embed data/*.json
var dataFS embed.FS

// Indicator kinds: how the numerator of one school part is found.
const (
	// KindStage: the numerator is the per-stage column `source_<stage>`
	// (teacher counts are reported per stage and never split).
	KindStage = "stage"
	// KindFacility: the numerator is a whole-school column `source`, split
	// between the parts of a mixed school unless per-part columns are given.
	KindFacility = "facility"
)

// Indicator is one resource indicator of a standard.
type Indicator struct {
	ID         string                   `json:"id"`
	ZH         string                   `json:"zh"`
	EN         string                   `json:"en"`
	Unit       string                   `json:"unit"`
	Source     string                   `json:"source"`
	Kind       string                   `json:"kind"`
	Scale      float64                  `json:"scale"`
	Thresholds map[census.Stage]float64 `json:"thresholds"`
}

// Formula returns the indicator's formula for one school part, in Chinese.
func (ind *Indicator) Formula() string {
	num := ind.ZH
	if f, ok := census.FieldByKey(ind.Source); ok {
		num = census.Columns[f].ZH
	} else if f, ok := census.FieldByKey(ind.Source + "_primary"); ok {
		num = strings.TrimPrefix(census.Columns[f].ZH, "小学")
	}
	if ind.Scale != 1 {
		return fmt.Sprintf("%s ÷ 在校生数 × %g", num, ind.Scale)
	}
	return num + " ÷ 在校生数"
}

// SchoolRule is the rule every school part must pass: at least MinMet
// indicators reach their thresholds, and every one that does not reaches at
// least Floor of its threshold. A zero MinMet means the standard has no school rule.
type SchoolRule struct {
	MinMet int     `json:"min_met"`
	Floor  float64 `json:"floor"`
}

// Balance kinds.
const (
	// BalanceEach: every indicator's CV must be within the stage limit (yzjh2017).
	BalanceEach = "each"
	// BalanceComposite: the mean of the indicators' CVs must be within the limit (jbjh2012).
	BalanceComposite = "composite"
)

// BalanceRule is the 差异系数 rule of a standard.
type BalanceRule struct {
	Kind   string                   `json:"kind"`
	Limits map[census.Stage]float64 `json:"limits"`
}

// Standard is one evaluation standard.
type Standard struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	NameEN     string         `json:"name_en"`
	Document   string         `json:"document"`
	Stages     []census.Stage `json:"stages"`
	Indicators []Indicator    `json:"indicators"`
	SchoolRule SchoolRule     `json:"school_rule"`
	Balance    BalanceRule    `json:"balance"`
	// Subject is what the standard evaluates: SubjectCompulsory (school
	// records, the default) or SubjectPreschool (kindergarten records).
	Subject string `json:"subject"`
	// Scope says which schools count for the indicators.
	Scope Scope `json:"scope"`
	// Items are the standard's items beyond the resource indicators, in
	// report order; a county is recognised only when all are met.
	Items []Item `json:"items"`
	// Notes say what the standard leaves out or assumes, for reports.
	Notes []string `json:"notes"`
}

// Preschool reports whether the standard evaluates kindergartens.
func (s *Standard) Preschool() bool { return s.Subject == SubjectPreschool }

// SplitWeights are the weights of one student of each stage when a mixed
// school's shared totals are split between its parts (standards.md §2.3).
type SplitWeights struct {
	// Mode is "weighted" (the weights below) or "students" (plain student share).
	Mode              string                   `json:"mode"`
	NineYear          map[census.Stage]float64 `json:"nine_year"`
	TwelveYear        map[census.Stage]float64 `json:"twelve_year"`
	CompleteSecondary map[census.Stage]float64 `json:"complete_secondary"`
}

// For returns the weights for a school type, or nil for a one-stage school.
func (w *SplitWeights) For(t census.SchoolType) map[census.Stage]float64 {
	var m map[census.Stage]float64
	switch t {
	case census.NineYear:
		m = w.NineYear
	case census.TwelveYear:
		m = w.TwelveYear
	case census.CompleteSecondary:
		m = w.CompleteSecondary
	default:
		return nil
	}
	if w.Mode == "students" {
		plain := make(map[census.Stage]float64, len(m))
		for s := range m {
			plain[s] = 1
		}
		return plain
	}
	return m
}

// Settings are the choices a province profile may change.
type Settings struct {
	// ExcludeTeachingPointsBelow excludes 教学点 with fewer students than this
	// from the resource indicators (Hebei, Liaoning: 50). 0 excludes none.
	ExcludeTeachingPointsBelow int `json:"exclude_teaching_points_below"`
	// SplitWeights splits mixed schools' shared totals.
	SplitWeights SplitWeights `json:"split_weights"`
	// CVCompareDecimals rounds a CV half-up to this many decimals before
	// comparing it with its limit; -1 (the default) compares the unrounded
	// value.
	CVCompareDecimals int `json:"cv_compare_decimals"`
	// CVCompare is the comparison mode, "unrounded" or "rounded". A profile
	// may set either key: "unrounded" sets cv_compare_decimals to -1,
	// "rounded" without decimals rounds to 2; after resolving, it always
	// agrees with CVCompareDecimals.
	CVCompare string `json:"cv_compare,omitempty"`
	// SubtractIndoorGymFromTeachingArea subtracts indoor_gym_area from
	// teaching_area, where the statistics count the hall in both.
	SubtractIndoorGymFromTeachingArea bool `json:"subtract_indoor_gym_from_teaching_area"`
	// FloorDisplayDecimals, when ≥ 0, prints the school rule's 85 % floors
	// rounded to that many decimals (Chongqing prints 3.57 and 4.51). It is
	// display only: verdicts compare the exact floor. -1 prints them exactly.
	FloorDisplayDecimals int `json:"floor_display_decimals"`
	// Clocks are the statutory time limits of a recognition case.
	Clocks Clocks `json:"recognition_clocks"`
	// SurveySample sizes the 社会认可度 survey (internal/survey).
	SurveySample SurveySample `json:"survey_sample"`
	// Places are the settings of the 学位 (school places) warnings
	// (internal/seats).
	Places Places `json:"places"`
	// RotationMinYears is how many consecutive years at one school make a
	// teacher eligible for rotation (教师交流轮岗); 0 means the national
	// default, rotation.DefaultMinYears (6, 教师〔2014〕4号).
	RotationMinYears int `json:"rotation_min_years,omitempty"`
	// AfterSchoolEnd is the time of day (HH:MM) the 课后服务 should not end
	// before — the local working day's end; "" means the default,
	// afterschool.DefaultEnd (17:30).
	AfterSchoolEnd string `json:"after_school_end,omitempty"`
	// Training are the rules of 校外培训机构 supervision (internal/training).
	Training Training `json:"training"`
}

// Training are the settings of 校外培训机构 (off-campus training
// institution) supervision: the limits the 双减 documents set (a licence
// expiring within 60 days; one charge for at most 3 months or 60 class
// hours, and at most 5 000 元 for non-subject training — 教监管厅函〔2021〕
// and the 2022 预收费 notice), the days a rectification order or a
// complaint is given, and the grading scheme (分级分类).
type Training struct {
	LicenceWarnDays     int `json:"licence_warn_days"`      // a licence expiring within this many days is flagged
	MaxMonths           int `json:"max_months"`             // one charge covers at most this many months
	MaxHours            int `json:"max_hours"`              // or this many class hours
	MaxNonSubjectCharge int `json:"max_non_subject_charge"` // one charge of non-subject training, 元
	RectifyDays         int `json:"rectify_days"`           // a rectification order's deadline, days
	ComplaintDays       int `json:"complaint_days"`         // a complaint answered within, days
	// Grading is the scoring scheme: indicators with weights summing to
	// 100 and the grade bands from A down.
	Grading Grading `json:"grading"`
}

// Grading is a scoring scheme of 分级分类 supervision.
type Grading struct {
	Indicators []GradingIndicator `json:"indicators"`
	Bands      []GradingBand      `json:"bands"`
}

// GradingIndicator is one indicator of a grading scheme: its weight in
// the 100-point total, and the points an inspector gives (0 to Max).
type GradingIndicator struct {
	ID     string `json:"id"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
	Weight int    `json:"weight"`
	Max    int    `json:"max"`
}

// GradingBand is a grade and the total (out of 100) from which it is
// given; List puts the grade's institutions on the "white" or "black"
// list, or on neither ("").
type GradingBand struct {
	Grade string `json:"grade"`
	Min   int    `json:"min"`
	List  string `json:"list,omitempty"`
}

// Validate reports a training setting out of range or a grading scheme
// that does not add up: weights summing to 100, distinct indicators with
// positive maxima, bands from the highest minimum down ending at 0, lists
// white, black or none.
func (t Training) Validate() error {
	for _, d := range []struct {
		name   string
		v, max int
	}{{"licence_warn_days", t.LicenceWarnDays, 365}, {"max_months", t.MaxMonths, 36}, {"max_hours", t.MaxHours, 1000},
		{"max_non_subject_charge", t.MaxNonSubjectCharge, 1000000}, {"rectify_days", t.RectifyDays, 365}, {"complaint_days", t.ComplaintDays, 365}} {
		if d.v < 1 || d.v > d.max {
			return fmt.Errorf("training.%s = %d: want 1 to %d", d.name, d.v, d.max)
		}
	}
	g := t.Grading
	if len(g.Indicators) == 0 || len(g.Bands) == 0 {
		return fmt.Errorf("training.grading: want indicators and bands")
	}
	sum, seen := 0, map[string]bool{}
	for _, in := range g.Indicators {
		if in.ID == "" || in.ZH == "" || seen[in.ID] || in.Weight < 1 || in.Max < 1 || in.Max > 1000 {
			return fmt.Errorf("training.grading: indicator %q: want a new id, a name, a weight ≥ 1 and a maximum of 1 to 1000 points", in.ID)
		}
		seen[in.ID] = true
		sum += in.Weight
	}
	if sum != 100 {
		return fmt.Errorf("training.grading: the weights sum to %d, not 100", sum)
	}
	grades := map[string]bool{}
	for i, b := range g.Bands {
		switch {
		case b.Grade == "" || grades[b.Grade]:
			return fmt.Errorf("training.grading: band %d: want a new grade", i+1)
		case b.List != "" && b.List != "white" && b.List != "black":
			return fmt.Errorf("training.grading: band %s: list %q is not white or black", b.Grade, b.List)
		case b.Min < 0 || b.Min > 100 || (i > 0 && b.Min >= g.Bands[i-1].Min):
			return fmt.Errorf("training.grading: band %s: minimums must fall from the first band to the last, within 0 to 100", b.Grade)
		}
		grades[b.Grade] = true
	}
	if g.Bands[len(g.Bands)-1].Min != 0 {
		return fmt.Errorf("training.grading: the last band must start at 0, so every total has a grade")
	}
	return nil
}

// Places are the settings of the 学位 (school places) forecast: the share
// of places used at which a catchment or school turns amber and red (as
// seats.ParseShare reads them: "90%", "0.9", "9/10"), the class size of
// each stage that turns classes into places and a shortfall into classes,
// and how many years ahead to forecast.
type Places struct {
	Amber     string         `json:"amber"`
	Red       string         `json:"red"`
	ClassSize map[string]int `json:"class_size"` // seats stage → children per class
	Horizon   int            `json:"horizon"`
}

// Validate reports a places setting out of range (the thresholds are
// checked where they are read, by seats.ParseShare).
func (p Places) Validate() error {
	if p.Amber == "" || p.Red == "" || p.Horizon < 1 || p.Horizon > 15 {
		return fmt.Errorf("places: amber %q, red %q, horizon %d: want both thresholds and 1–15 years", p.Amber, p.Red, p.Horizon)
	}
	for st, n := range p.ClassSize {
		if n < 1 || n > 1000 {
			return fmt.Errorf("places: class size of %s is %d", st, n)
		}
	}
	return nil
}

// SurveySample sizes the 社会认可度 (social recognition) survey of a county:
// the sample is PerMille ‰ of the county's residents, no fewer than Min and
// (when Max > 0) no more than Max, split among the respondent groups by
// GroupShares (percent, summing to 100). No national document fixes these
// figures; the national defaults (1 ‰ from 200 to 1 000; 5 % deputies,
// 5 % principals, 20 % teachers, 70 % parents) are one province's 学前 rule,
// and the older 基本均衡 rule (1.5 ‰, at least 600, valid returns ≥ 70 %)
// is another setting a profile may choose.
type SurveySample struct {
	PerMille float64 `json:"per_mille"`
	Min      int     `json:"min"`
	Max      int     `json:"max"`
	// MinValidPercent is the share of the sample that must be valid returns.
	MinValidPercent float64 `json:"min_valid_percent"`
	// GroupShares is each group's percent of the sample (parents, teachers,
	// principals, deputies, students, residents).
	GroupShares map[string]float64 `json:"group_shares"`
	// PassPercent is the rate the standard asks (85).
	PassPercent float64 `json:"pass_percent"`
	// FloorSecondsPerQuestion is the reading-time floor: a response
	// completed faster than this many seconds per question is flagged.
	FloorSecondsPerQuestion float64 `json:"floor_seconds_per_question"`
}

// Validate reports a sample setting out of range.
func (v SurveySample) Validate() error {
	if v.PerMille <= 0 || v.PerMille > 100 || v.Min < 1 || v.Max < 0 || (v.Max > 0 && v.Max < v.Min) {
		return fmt.Errorf("survey_sample: per_mille %g, min %d, max %d out of range", v.PerMille, v.Min, v.Max)
	}
	if v.MinValidPercent < 0 || v.MinValidPercent > 100 || v.PassPercent <= 0 || v.PassPercent > 100 || v.FloorSecondsPerQuestion < 0 {
		return fmt.Errorf("survey_sample: min_valid_percent %g, pass_percent %g or floor %g out of range", v.MinValidPercent, v.PassPercent, v.FloorSecondsPerQuestion)
	}
	var sum float64
	for g, s := range v.GroupShares {
		if s < 0 {
			return fmt.Errorf("survey_sample.group_shares.%s = %g: negative", g, s)
		}
		sum += s
	}
	if sum < 99.999 || sum > 100.001 {
		return fmt.Errorf("survey_sample.group_shares sum to %g, want 100", sum)
	}
	return nil
}

// Clocks are the statutory time limits of a recognition case, in calendar
// days: regulations set them, and a province may set its own.
type Clocks struct {
	Rectify        int `json:"rectify_days"`         // 整改报告 within 30 days of the feedback
	Objection      int `json:"objection_days"`       // an objection within 15 days
	ObjectionReply int `json:"objection_reply_days"` // answered within 30
	Appeal         int `json:"appeal_days"`          // an appeal within 15 days
	AppealReply    int `json:"appeal_reply_days"`    // answered within 20
	Notice         int `json:"notice_days"`          // 公示 for 7 days
	AmberDays      int `json:"amber_days"`           // a deadline turns amber this many days before
}

// Validate reports a clock that is not a whole number of days from 1 to
// 365 (AmberDays from 0 to 60).
func (c Clocks) Validate() error {
	for _, d := range []struct {
		name string
		v    int
	}{{"rectify_days", c.Rectify}, {"objection_days", c.Objection}, {"objection_reply_days", c.ObjectionReply},
		{"appeal_days", c.Appeal}, {"appeal_reply_days", c.AppealReply}, {"notice_days", c.Notice}} {
		if d.v < 1 || d.v > 365 {
			return fmt.Errorf("recognition_clocks.%s = %d: want 1 to 365 days", d.name, d.v)
		}
	}
	if c.AmberDays < 0 || c.AmberDays > 60 {
		return fmt.Errorf("recognition_clocks.amber_days = %d: want 0 to 60", c.AmberDays)
	}
	return nil
}

// Override changes thresholds or limits of one standard under a profile.
type Override struct {
	Thresholds map[string]map[census.Stage]float64 `json:"thresholds"`
	CVLimits   map[census.Stage]float64            `json:"cv_limits"`
	// Items changes items' checks; ExtraItems adds items (a province's own
	// vetoes or floors); Scope replaces the standard's school scope.
	Items      map[string]ItemOverride `json:"items"`
	ExtraItems []Item                  `json:"extra_items"`
	Scope      *Scope                  `json:"scope"`
}

// Profile is a province's variant of the standards.
type Profile struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	NameEN       string              `json:"name_en"`
	Base         string              `json:"base"`
	ProvinceCode string              `json:"province_code"`
	Note         string              `json:"note"`
	Settings     json.RawMessage     `json:"settings"`
	Overrides    map[string]Override `json:"overrides"`
}

// Rules is a standard with a profile applied: what the engine evaluates against.
type Rules struct {
	Standard
	Profile  *Profile
	Settings Settings
	// Changed lists, in words, what the profile changed from the national rules.
	Changed []string
}

// Indicator returns the indicator with id, or nil.
func (r *Rules) Indicator(id string) *Indicator {
	for i := range r.Indicators {
		if r.Indicators[i].ID == id {
			return &r.Indicators[i]
		}
	}
	return nil
}

var (
	stds     = map[string]*Standard{}
	profiles = map[string]*Profile{}
	// builtin marks the embedded profiles, which a file may not replace.
	builtin = map[string]bool{}
	// mu guards profiles against AddProfile.
	mu sync.RWMutex
)

// The embedded standards and profiles are decoded in the background from
// the start of the process, while the packages initialised after this one
// (the workbook library's tables and patterns among them) are set up on
// the other core: decoding them took a millisecond and more of the start
// of every command. Every function that reads them waits for them first
// (loaded).
var loadedData = make(chan struct{})

func init() {
	done := loadedData
	go func() {
		if err := load(dataFS); err != nil {
			panic("standards: embedded data: " + err.Error())
		}
		close(done)
	}()
}

// loaded waits until the embedded data are decoded.
func loaded() { <-loadedData }

func load(fsys fs.FS) error {
	files, err := fs.Glob(fsys, "data/*.json")
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		var probe struct {
			Indicators json.RawMessage `json:"indicators"`
			Items      json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if probe.Indicators != nil || probe.Items != nil {
			var s Standard
			if err := dec.Decode(&s); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if err := s.validate(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			stds[s.ID] = &s
		} else {
			var p Profile
			if err := dec.Decode(&p); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			profiles[p.ID] = &p
		}
	}
	if _, ok := profiles["national"]; !ok {
		return fmt.Errorf("no national profile")
	}
	for id := range profiles {
		builtin[id] = true
	}
	// Every pair of the embedded data resolves: TestEveryPairResolves
	// checks it when the data change, so a process does not resolve them
	// all at start-up (a fifth of the start of every command).
	return nil
}

func (s *Standard) validate() error {
	switch s.Subject {
	case "":
		s.Subject = SubjectCompulsory
	case SubjectCompulsory, SubjectPreschool:
	default:
		return fmt.Errorf("unknown subject %q", s.Subject)
	}
	seen := map[string]bool{}
	for i := range s.Items {
		it := &s.Items[i]
		if seen[it.ID] {
			return fmt.Errorf("item %s appears twice", it.ID)
		}
		seen[it.ID] = true
		if err := it.prepare(s); err != nil {
			return err
		}
	}
	if s.Preschool() {
		if s.ID == "" || len(s.Items) == 0 || len(s.Indicators) > 0 {
			return fmt.Errorf("a preschool standard needs an id and items, and has no school indicators")
		}
		return nil
	}
	if s.ID == "" || len(s.Stages) == 0 || len(s.Indicators) == 0 {
		return fmt.Errorf("standard needs an id, stages and indicators")
	}
	for _, ind := range s.Indicators {
		switch ind.Kind {
		case KindStage:
			for _, st := range s.Stages {
				if _, ok := census.StageField(ind.Source, st); !ok {
					return fmt.Errorf("indicator %s: no census column %s_%s", ind.ID, ind.Source, st)
				}
			}
		case KindFacility:
			if _, ok := census.FieldByKey(ind.Source); !ok {
				return fmt.Errorf("indicator %s: no census column %s", ind.ID, ind.Source)
			}
		default:
			return fmt.Errorf("indicator %s: unknown kind %q", ind.ID, ind.Kind)
		}
		if ind.Scale <= 0 {
			return fmt.Errorf("indicator %s: scale must be positive", ind.ID)
		}
		for _, st := range s.Stages {
			if ind.Thresholds[st] <= 0 && s.SchoolRule.MinMet > 0 {
				return fmt.Errorf("indicator %s: no %s threshold", ind.ID, st)
			}
		}
	}
	if s.Balance.Kind != BalanceEach && s.Balance.Kind != BalanceComposite {
		return fmt.Errorf("unknown balance kind %q", s.Balance.Kind)
	}
	for _, st := range s.Stages {
		if s.Balance.Limits[st] <= 0 {
			return fmt.Errorf("no CV limit for %s", st)
		}
	}
	return nil
}

// List returns the built-in standards, sorted by id.
func List() []*Standard {
	loaded()
	out := slices.Collect(maps.Values(stds))
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Profiles returns the built-in profiles, national first, then by id.
func Profiles() []*Profile {
	loaded()
	var out []*Profile
	mu.RLock()
	for id, p := range profiles {
		if builtin[id] {
			out = append(out, p)
		}
	}
	mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if (out[i].ID == "national") != (out[j].ID == "national") {
			return out[i].ID == "national"
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ErrUnknown is returned for a standard or profile id that is not built in.
var ErrUnknown = fmt.Errorf("unknown standard or profile")

// Resolve applies profile pid to standard sid.
func Resolve(sid, pid string) (*Rules, error) {
	return resolve(sid, pid)
}

// shared holds the rules Shared has resolved, by standard and profile,
// each with the profile generation it was resolved at.
var shared sync.Map // [2]string → sharedRules

// generation counts the changes to the profiles (ReadProfile): a shared
// resolution of an older generation is resolved again.
var generation atomic.Int64

type sharedRules struct {
	gen   int64
	rules *Rules
}

// Shared returns the rules Resolve(sid, pid) returns, resolved once and
// then shared by every caller, which must not change them: for a server
// that resolves the rules in force on every request (a resolution clones
// the standard and decodes the profile chain's settings, 50 µs). A profile
// file read later (ReadProfile) under an id is resolved afresh.
func Shared(sid, pid string) (*Rules, error) {
	key := [2]string{sid, pid}
	// The generation is read before resolving: a profile that changes
	// while this resolves leaves an entry of the older generation, which
	// the next call resolves again.
	gen := generation.Load()
	if e, ok := shared.Load(key); ok && e.(sharedRules).gen == gen {
		return e.(sharedRules).rules, nil
	}
	r, err := resolve(sid, pid)
	if err != nil {
		return nil, err
	}
	shared.Store(key, sharedRules{gen: gen, rules: r})
	return r, nil
}

// forgetShared makes every shared resolution stale: a profile has changed.
func forgetShared() { generation.Add(1) }

func resolve(sid, pid string) (*Rules, error) {
	loaded()
	s, ok := stds[sid]
	if !ok {
		return nil, fmt.Errorf("%w: standard %q (built in: %s)", ErrUnknown, sid, strings.Join(ids(stds), ", "))
	}
	mu.RLock()
	defer mu.RUnlock()
	p, ok := profiles[pid]
	if !ok {
		return nil, fmt.Errorf("%w: profile %q (built in: %s)", ErrUnknown, pid, strings.Join(ids(profiles), ", "))
	}
	r := &Rules{Standard: cloneStandard(s), Profile: p}
	// Settings: the national settings, then each base in turn, then the
	// profile's own. Unmarshalling onto the same struct sets only the keys present.
	chain := []*Profile{p}
	for q := p; q.Base != "" && q.Base != q.ID; {
		b, ok := profiles[q.Base]
		if !ok {
			return nil, fmt.Errorf("profile %s: unknown base %q", q.ID, q.Base)
		}
		chain = append(chain, b)
		q = b
		if len(chain) > 10 {
			return nil, fmt.Errorf("profile %s: base chain too long", p.ID)
		}
	}
	national := r.Settings
	for i := len(chain) - 1; i >= 0; i-- {
		q := chain[i]
		if len(q.Settings) > 0 {
			dec := json.NewDecoder(bytes.NewReader(q.Settings))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r.Settings); err != nil {
				return nil, fmt.Errorf("profile %s settings: %w", q.ID, err)
			}
		}
		if q.ID == "national" {
			national = r.Settings
		}
		if o, ok := q.Overrides[sid]; ok {
			for id, th := range o.Thresholds {
				ind := r.Indicator(id)
				if ind == nil {
					return nil, fmt.Errorf("profile %s: %s has no indicator %q", q.ID, sid, id)
				}
				for st, v := range th {
					if ind.Thresholds[st] != v {
						r.Changed = append(r.Changed, fmt.Sprintf("%s %s 标准值 %g → %g", ind.ZH, st.ZH(), ind.Thresholds[st], v))
					}
					ind.Thresholds[st] = v
				}
			}
			for st, v := range o.CVLimits {
				r.Changed = append(r.Changed, fmt.Sprintf("%s差异系数上限 %g → %g", st.ZH(), r.Balance.Limits[st], v))
				r.Balance.Limits[st] = v
			}
			if err := r.applyItems(q.ID, o); err != nil {
				return nil, err
			}
		}
	}
	if err := r.Settings.Clocks.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if err := r.Settings.SurveySample.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if err := r.Settings.Places.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if err := r.Settings.Training.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if e := r.Settings.AfterSchoolEnd; e != "" {
		if _, err := time.Parse("15:04", e); err != nil || len(e) != 5 {
			return nil, fmt.Errorf("profile %s: after_school_end %q is not a time of day such as 17:30", p.ID, e)
		}
	}
	if r.Settings.Clocks != national.Clocks {
		r.Changed = append(r.Changed, fmt.Sprintf("认定时限：整改 %d 天、公示 %d 天、异议 %d 天（答复 %d 天）、申诉 %d 天（答复 %d 天）",
			r.Settings.Clocks.Rectify, r.Settings.Clocks.Notice, r.Settings.Clocks.Objection, r.Settings.Clocks.ObjectionReply,
			r.Settings.Clocks.Appeal, r.Settings.Clocks.AppealReply))
	}
	if r.Settings.FloorDisplayDecimals != national.FloorDisplayDecimals && r.SchoolRule.MinMet > 0 {
		r.Changed = append(r.Changed, fmt.Sprintf("学校规则%g%%下限按%d位小数显示（仅显示，判定用原值）", r.SchoolRule.Floor*100, r.Settings.FloorDisplayDecimals))
	}
	if r.Preschool() {
		// The school settings do not apply to kindergartens.
		return r, nil
	}
	if r.Settings.ExcludeTeachingPointsBelow != national.ExcludeTeachingPointsBelow {
		r.Changed = append(r.Changed, fmt.Sprintf("在校生不足%d人的教学点不纳入七项指标计算", r.Settings.ExcludeTeachingPointsBelow))
	}
	if r.Settings.SplitWeights.Mode != national.SplitWeights.Mode {
		r.Changed = append(r.Changed, "共用设施按学生数比例拆分")
	}
	if err := r.Settings.normalizeCVCompare(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if r.Settings.CVCompareDecimals != national.CVCompareDecimals {
		r.Changed = append(r.Changed, cvCompareChange(r.Settings.CVCompareDecimals))
	}
	if r.Settings.SubtractIndoorGymFromTeachingArea != national.SubtractIndoorGymFromTeachingArea {
		r.Changed = append(r.Changed, "室内体育馆面积从教学及辅助用房面积中扣除")
	}
	switch r.Settings.SplitWeights.Mode {
	case "weighted", "students":
	default:
		return nil, fmt.Errorf("profile %s: split_weights.mode must be weighted or students", p.ID)
	}
	return r, nil
}

// normalizeCVCompare makes cv_compare and cv_compare_decimals agree.
func (s *Settings) normalizeCVCompare() error {
	switch s.CVCompare {
	case "":
	case "unrounded":
		s.CVCompareDecimals = -1
	case "rounded":
		if s.CVCompareDecimals < 0 {
			s.CVCompareDecimals = 2
		}
	default:
		return fmt.Errorf("cv_compare must be unrounded or rounded, not %q", s.CVCompare)
	}
	if s.CVCompareDecimals < -1 || s.CVCompareDecimals > 10 {
		return fmt.Errorf("cv_compare_decimals must be -1 (unrounded) or 0 to 10, not %d", s.CVCompareDecimals)
	}
	s.CVCompare = CVCompareMode(s.CVCompareDecimals)
	return nil
}

// CVCompareMode is the comparison mode of cv_compare_decimals = d.
func CVCompareMode(d int) string {
	if d >= 0 {
		return "rounded"
	}
	return "unrounded"
}

func cvCompareChange(d int) string {
	if d < 0 {
		return "差异系数以未舍入的值与上限比较"
	}
	return fmt.Sprintf("差异系数四舍五入保留%d位小数后与上限比较", d)
}

// SetCVCompare changes how CVs are compared with their limits, as a
// command-line option does: decimals ≥ 0 rounds half-up to that many
// decimals, -1 compares unrounded. The change is listed in Changed.
func (r *Rules) SetCVCompare(decimals int) error {
	s := r.Settings
	s.CVCompare, s.CVCompareDecimals = "", decimals
	if err := s.normalizeCVCompare(); err != nil {
		return err
	}
	if s.CVCompareDecimals == r.Settings.CVCompareDecimals {
		return nil
	}
	r.Settings = s
	r.Changed = slices.DeleteFunc(r.Changed, func(c string) bool {
		return strings.HasPrefix(c, "差异系数") && strings.Contains(c, "与上限比较")
	})
	r.Changed = append(r.Changed, cvCompareChange(s.CVCompareDecimals)+"（命令行设置）")
	return nil
}

// ReadProfile reads a profile file: a JSON object of the same form as the
// built-in profiles (data/*.json: id, name, base, settings, overrides),
// overlaid on its base (base, else the profile named by base), and makes it
// resolvable by its id. The id defaults to "file" and may not be a built-in
// profile's; the base defaults to base. Every standard is resolved with it
// once, so a bad file fails here.
func ReadProfile(b []byte, base string) (*Profile, error) {
	loaded()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("profile file: %w", err)
	}
	if p.ID == "" {
		p.ID = "file"
	}
	if p.Base == "" {
		p.Base = base
	}
	if p.Name == "" {
		p.Name = "方案文件（" + p.ID + "）"
	}
	if builtin[p.ID] {
		return nil, fmt.Errorf("profile file: id %q is a built-in profile; give the file its own id and \"base\": %q", p.ID, p.ID)
	}
	mu.Lock()
	old, had := profiles[p.ID]
	profiles[p.ID] = &p
	mu.Unlock()
	forgetShared()
	for sid := range stds {
		if _, err := Resolve(sid, p.ID); err != nil {
			mu.Lock()
			if had {
				profiles[p.ID] = old
			} else {
				delete(profiles, p.ID)
			}
			mu.Unlock()
			forgetShared()
			return nil, fmt.Errorf("profile file: %w", err)
		}
	}
	return &p, nil
}

func cloneStandard(s *Standard) Standard {
	c := *s
	c.Stages = slices.Clone(s.Stages)
	c.Indicators = make([]Indicator, len(s.Indicators))
	for i, ind := range s.Indicators {
		ind.Thresholds = maps.Clone(ind.Thresholds)
		c.Indicators[i] = ind
	}
	c.Balance.Limits = maps.Clone(s.Balance.Limits)
	c.Items = cloneItems(s.Items)
	return c
}

func ids[V any](m map[string]V) []string {
	out := slices.Collect(maps.Keys(m))
	sort.Strings(out)
	return out
}
