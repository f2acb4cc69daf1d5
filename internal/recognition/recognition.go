// Package recognition holds the rules of a county's recognition case
// (认定): the stages a case goes through — 自评 (self-evaluation by the
// county), 市复核 (the city's re-check), 省评估 (the province's evaluation,
// with on-site inspection), 整改 (rectification of the 问题清单), 省复核
// (the province's re-check), 公示 (a public notice of 7 days), 认定
// (recognition) and 监测 (yearly monitoring) — who acts at each, and the
// seeded, stratified draw of the schools an inspection visits.
//
// It is pure: no database, no web, no clock of its own.
package recognition

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/dudao-edu/dudao/internal/review"
)

// Stage is where a case stands.
type Stage string

// The stages, in order.
const (
	SelfEval     Stage = "self_eval"     // 自评: the county evaluates itself and files its package
	CityReview   Stage = "city_review"   // 市复核: the city re-checks, on site and on line
	ProvinceEval Stage = "province_eval" // 省评估: the province evaluates, with on-site inspection
	Rectify      Stage = "rectify"       // 整改: the county fixes the 问题清单 within the deadline
	Recheck      Stage = "recheck"       // 省复核: the province verifies the fixes
	Notice       Stage = "notice"        // 公示: a public notice
	Recognised   Stage = "recognised"    // 认定: recognised; yearly monitoring follows
)

// Stages lists the stages in order.
var Stages = []Stage{SelfEval, CityReview, ProvinceEval, Rectify, Recheck, Notice, Recognised}

// StageName is the Chinese name of a stage.
func StageName(s Stage) string {
	switch s {
	case SelfEval:
		return "自评"
	case CityReview:
		return "市复核"
	case ProvinceEval:
		return "省评估"
	case Rectify:
		return "整改"
	case Recheck:
		return "省复核"
	case Notice:
		return "公示"
	case Recognised:
		return "认定"
	}
	return string(s)
}

// Judging lists the stages during which the county's data of the case's
// year are being judged: from the county's submission until recognition.
// The records are locked then, so that what the city, the province and the
// notice judge is what the county submitted; a return to 自评 unlocks them.
// After recognition the verdict each step was taken on stays with the
// case, and the records may be corrected again.
var Judging = []Stage{CityReview, ProvinceEval, Rectify, Recheck, Notice}

// Action is a step that moves a case.
type Action string

// The steps.
const (
	SubmitSelf  Action = "submit_self"  // the county submits its self-evaluation package to the city
	CityPass    Action = "city_pass"    // the city passes the case to the province
	CityReturn  Action = "city_return"  // the city returns it to the county, with a reason
	Feedback    Action = "feedback"     // the province gives its feedback: with open findings, 整改 follows
	ReportFixes Action = "report_fixes" // the county reports its rectification (整改报告)
	RecheckPass Action = "recheck_pass" // the province finds every finding closed: the notice follows
	RecheckBack Action = "recheck_back" // the province finds fixes wanting: back to 整改, with a reason
	Publish     Action = "publish"      // the province publishes the notice (from 省评估 without findings)
	Recognise   Action = "recognise"    // after the notice period without an upheld objection
)

// transition is one allowed step.
type transition struct {
	from   Stage
	action Action
	to     Stage
	by     review.Level // the level that takes it (or above, for the province's)
}

var chain = []transition{
	{SelfEval, SubmitSelf, CityReview, review.LevelCounty},
	{CityReview, CityPass, ProvinceEval, review.LevelCity},
	{CityReview, CityReturn, SelfEval, review.LevelCity},
	{ProvinceEval, Feedback, Rectify, review.LevelProvince},
	{ProvinceEval, Publish, Notice, review.LevelProvince},
	{Rectify, ReportFixes, Recheck, review.LevelCounty},
	{Recheck, RecheckPass, Notice, review.LevelProvince},
	{Recheck, RecheckBack, Rectify, review.LevelProvince},
	{Notice, Recognise, Recognised, review.LevelProvince},
}

// Errors of Next.
var (
	ErrNotAllowed  = errors.New("this step does not fit the case's stage")
	ErrLevel       = errors.New("this step is not this level's to take")
	ErrReason      = errors.New("a return needs a reason")
	ErrOpenTickets = errors.New("findings are still open")
	ErrNoFindings  = errors.New("the feedback has no findings: publish the notice instead")
	ErrNoticeOpen  = errors.New("the notice period has not ended")
)

// Step is a step asked for, with the facts its rules look at.
type Step struct {
	From   Stage
	Action Action
	By     review.Level
	Reason string
	// Open counts the case's findings not yet closed.
	Open int
	// NoticeEnds is when the notice period ends (for Recognise), and Now
	// the time of the step.
	NoticeEnds, Now time.Time
}

// Next returns the stage s leads to, or why it may not be taken. The
// province's steps need a province account; the city's a city account
// (a province may act for its city); the county's its county.
func Next(s Step) (Stage, error) {
	for _, t := range chain {
		if t.from != s.From || t.action != s.Action {
			continue
		}
		switch {
		case t.by == review.LevelCounty && s.By != review.LevelCounty,
			t.by == review.LevelCity && s.By < review.LevelCity,
			t.by == review.LevelProvince && s.By != review.LevelProvince:
			return "", ErrLevel
		}
		switch s.Action {
		case CityReturn, RecheckBack:
			if !hasText(s.Reason) {
				return "", ErrReason
			}
		case Feedback:
			if s.Open == 0 {
				return "", ErrNoFindings
			}
		case Publish, RecheckPass:
			if s.Open > 0 {
				return "", ErrOpenTickets
			}
		case Recognise:
			if s.Now.Before(s.NoticeEnds) {
				return "", ErrNoticeOpen
			}
		}
		return t.to, nil
	}
	return "", ErrNotAllowed
}

// Actions lists the steps an account of level by may consider on a case
// in stage (the page offers them; Next still checks their facts).
func Actions(stage Stage, by review.Level) []Action {
	var out []Action
	for _, t := range chain {
		if t.from != stage {
			continue
		}
		switch {
		case t.by == review.LevelCounty && by == review.LevelCounty,
			t.by == review.LevelCity && by >= review.LevelCity,
			t.by == review.LevelProvince && by == review.LevelProvince:
			out = append(out, t.action)
		}
	}
	return out
}

// Inspector is the level that inspects at stage: the city at its re-check,
// the province at its evaluation and re-check; 0 at the others.
func Inspector(stage Stage) review.Level {
	switch stage {
	case CityReview:
		return review.LevelCity
	case ProvinceEval, Recheck, Recognised:
		return review.LevelProvince
	}
	return 0
}

// hasText reports whether s holds more than white space (the ideographic
// space U+3000 included).
func hasText(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) != "" }

// Candidate is a school an inspection may visit.
type Candidate struct {
	Code    string
	Stratum string // 城区, 镇区 or 乡村
	// Weak marks a school the engine finds failing: a visit should see it.
	Weak bool
}

// Draw draws n schools to visit from candidates with seed: first the weak
// schools (up to a third of n, drawn at random among them), then the rest
// allocated to the strata in proportion to their sizes (largest remainder,
// every non-empty stratum at least one while n allows), drawn at random
// within each. The same candidates (in any order), n and seed give the
// same visits, so that the draw can be shown again. The result is sorted
// by code.
func Draw(candidates []Candidate, n int, seed uint64) []string {
	pool := slices.Clone(candidates)
	slices.SortFunc(pool, func(a, b Candidate) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	pool = slices.CompactFunc(pool, func(a, b Candidate) bool { return a.Code == b.Code })
	n = min(n, len(pool))
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	pick := func(list []Candidate, k int) []Candidate {
		list = slices.Clone(list)
		for i := range min(k, len(list)) {
			j := i + rng.IntN(len(list)-i)
			list[i], list[j] = list[j], list[i]
		}
		return list[:min(k, len(list))]
	}
	var weak, rest []Candidate
	for _, c := range pool {
		if c.Weak {
			weak = append(weak, c)
		} else {
			rest = append(rest, c)
		}
	}
	chosen := pick(weak, n/3)
	left := n - len(chosen)
	// The weak schools not drawn compete with the others.
	for _, c := range weak {
		if !slices.ContainsFunc(chosen, func(x Candidate) bool { return x.Code == c.Code }) {
			rest = append(rest, c)
		}
	}
	strata := map[string][]Candidate{}
	var names []string
	for _, c := range rest {
		if _, ok := strata[c.Stratum]; !ok {
			names = append(names, c.Stratum)
		}
		strata[c.Stratum] = append(strata[c.Stratum], c)
	}
	slices.Sort(names)
	quota := allocate(names, strata, left)
	for _, s := range names {
		chosen = append(chosen, pick(strata[s], quota[s])...)
	}
	out := make([]string, len(chosen))
	for i, c := range chosen {
		out[i] = c.Code
	}
	slices.Sort(out)
	return out
}

// allocate shares k visits among the strata in proportion to their sizes
// by the largest remainder, giving each non-empty stratum one first while
// k allows.
func allocate(names []string, strata map[string][]Candidate, k int) map[string]int {
	q := map[string]int{}
	total := 0
	for _, s := range names {
		total += len(strata[s])
	}
	if total == 0 || k <= 0 {
		return q
	}
	for _, s := range names {
		if k > 0 && len(strata[s]) > 0 {
			q[s] = 1
			k--
		}
	}
	type rem struct {
		s string
		r int
	}
	var rems []rem
	given := 0
	for _, s := range names {
		room := len(strata[s]) - q[s]
		exact := k * len(strata[s])
		add := min(exact/total, room)
		q[s] += add
		given += add
		rems = append(rems, rem{s, exact % total})
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.r - a.r })
	for k-given > 0 {
		progress := false
		for _, r := range rems {
			if k-given == 0 {
				break
			}
			if q[r.s] < len(strata[r.s]) {
				q[r.s]++
				given++
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	return q
}

// Objection kinds: an objection (异议) to the province's conclusion, then,
// when its answer does not satisfy, an appeal (申诉).
const (
	KindObjection = "objection"
	KindAppeal    = "appeal"
)

// Errors of MayObject.
var (
	ErrTooLate    = errors.New("the time to object has passed")
	ErrNothingYet = errors.New("there is no conclusion to object to yet")
	ErrPending    = errors.New("an objection is still waiting for its answer")
)

// Filing is an objection or appeal already filed on a case.
type Filing struct {
	Kind     string
	Filed    time.Time
	Answered time.Time // zero while unanswered
}

// MayObject reports whether the county may file kind on a case at now:
// an objection within objectionDays of the province's conclusion (its
// feedback, or the notice when it published without findings), one at a
// time; an appeal within appealDays of the answer to its latest objection,
// once per objection.
func MayObject(kind string, conclusion time.Time, filings []Filing, objectionDays, appealDays int, now time.Time, dueAfter func(time.Time, int) time.Time) error {
	var lastObjection *Filing
	for i := range filings {
		f := &filings[i]
		if f.Answered.IsZero() {
			return ErrPending
		}
		if f.Kind == KindObjection {
			lastObjection = f
		}
	}
	switch kind {
	case KindObjection:
		if conclusion.IsZero() {
			return ErrNothingYet
		}
		if !now.Before(dueAfter(conclusion, objectionDays)) {
			return ErrTooLate
		}
		return nil
	case KindAppeal:
		if lastObjection == nil {
			return ErrNothingYet
		}
		for _, f := range filings {
			if f.Kind == KindAppeal && f.Filed.After(lastObjection.Filed) {
				return ErrTooLate // one appeal per objection
			}
		}
		if !now.Before(dueAfter(lastObjection.Answered, appealDays)) {
			return ErrTooLate
		}
		return nil
	}
	return ErrNotAllowed
}

// Gap is a school where the province found what the city's re-check did
// not: a gap the regulations treat as a sign of falsified data (数据造假)
// to be looked into.
type Gap struct {
	School string
	// Findings are the province's findings at the school.
	Findings []string
	// Visited says the city visited the school itself.
	Visited bool
}

// Finding is a finding as Gaps compares them.
type Finding struct {
	School string
	Level  review.Level
	Title  string
	Source string
}

// Gaps compares the city's and the province's findings of a case: every
// school with a province finding of a discrepancy between reported and
// seen figures, or with any province finding where the city visited and
// found nothing, is a gap. Schools come sorted.
func Gaps(findings []Finding, cityVisits []string) []Gap {
	city := map[string]bool{}
	prov := map[string][]Finding{}
	for _, f := range findings {
		if f.School == "" {
			continue
		}
		switch f.Level {
		case review.LevelCity:
			city[f.School] = true
		case review.LevelProvince:
			prov[f.School] = append(prov[f.School], f)
		}
	}
	var out []Gap
	for school, fs := range prov {
		visited := slices.Contains(cityVisits, school)
		discrepancy := slices.ContainsFunc(fs, func(f Finding) bool { return f.Source == "discrepancy" })
		if city[school] || (!visited && !discrepancy) {
			continue
		}
		g := Gap{School: school, Visited: visited}
		for _, f := range fs {
			g.Findings = append(g.Findings, f.Title)
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b Gap) int { return strings.Compare(a.School, b.School) })
	return out
}
