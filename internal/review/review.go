// Package review holds the rules of the reporting chain (填报 → 审核 → 上报 →
// 认定): the states of one unit's data in a reporting task (填报任务), the
// steps that move them and who may take each, which states lock the data,
// timeliness against the due date, when reminders fall due, the seeded
// draw of a spot-check (抽查) sample, and the plausibility rules a value may
// be kept against with a written explanation.
//
// It is pure: no database, no web, no clock of its own. The store persists
// the steps it allows; the web asks it what to offer.
//
// Two kinds of unit go through a task. A school or a kindergarten (a Unit)
// fills its own records, submits them, and its county approves them or
// returns them with reasons on the fields concerned. A county (the County
// unit) holds its own county record and, once every unit of it is
// approved, submits the county as a whole upward; a city or province
// account accepts it or returns it. This follows DHIS2's data approval
// (approve, accept, unapprove; a lock per period and unit; every step
// audited) and adds what it lacks: a reason on every return and unlock,
// and comments on the fields concerned.
package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// State is where one unit's data stand in one task.
type State string

// The states. A unit starts Open.
const (
	Open      State = "open"      // 填报中: being filled, never submitted
	Submitted State = "submitted" // 已提交: waiting for review; locked
	Returned  State = "returned"  // 已退回: sent back with reasons; editable
	Approved  State = "approved"  // 已审核: approved by the county; locked
	Accepted  State = "accepted"  // 已认定: a county accepted upward; locked
)

// States lists the states in the order of the chain.
var States = []State{Open, Returned, Submitted, Approved, Accepted}

// Locked reports whether data in state s may not be changed: from
// submission until a return or an unlock.
func Locked(s State) bool { return s == Submitted || s == Approved || s == Accepted }

// Done reports whether s is the end of the chain for a unit of kind k.
func Done(k UnitKind, s State) bool {
	if k == County {
		return s == Accepted
	}
	return s == Approved
}

// UnitKind is what a task unit is.
type UnitKind string

// The two kinds of unit.
const (
	Unit   UnitKind = "unit"   // a school or a kindergarten
	County UnitKind = "county" // a county: its own record, and the county as a whole
)

// Action is a step on a unit's data.
type Action string

// The steps.
const (
	Submit    Action = "submit"    // 提交 (a county: 上报, the county as a whole)
	Return    Action = "return"    // 退回, with a reason and the fields concerned
	Approve   Action = "approve"   // 审核通过 (a unit, by its county)
	Accept    Action = "accept"    // 认定 (a county, by its city or province)
	Unapprove Action = "unapprove" // 解除锁定: undo an approval or acceptance, with a reason
	Reopen    Action = "reopen"    // 抽查发现问题: a spot-check discrepancy reopens the data
)

// Level is the level of the account taking a step.
type Level int

// The levels, lowest first.
const (
	LevelUnit     Level = iota + 1 // a school's account
	LevelCounty                    // a county's account
	LevelCity                      // a city's account
	LevelProvince                  // a province's account
)

func (l Level) String() string {
	switch l {
	case LevelUnit:
		return "unit"
	case LevelCounty:
		return "county"
	case LevelCity:
		return "city"
	case LevelProvince:
		return "province"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel is the inverse of Level.String.
func ParseLevel(s string) (Level, bool) {
	for l := LevelUnit; l <= LevelProvince; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return 0, false
}

// transition is one allowed step: from a state, by an action, to a state,
// taken by an account of at least level min (and at most max).
type transition struct {
	kind     UnitKind
	from     []State
	action   Action
	to       State
	min, max Level
}

// chain is every allowed step. A county account may submit a unit's data
// on its behalf (many small schools have their forms filled at the
// county); the reviewer of a unit is its county or a level above it; the
// reviewer of a county is its city or province.
var chain = []transition{
	{Unit, []State{Open, Returned}, Submit, Submitted, LevelUnit, LevelCounty},
	{Unit, []State{Submitted}, Approve, Approved, LevelCounty, LevelProvince},
	{Unit, []State{Submitted}, Return, Returned, LevelCounty, LevelProvince},
	{Unit, []State{Approved}, Unapprove, Returned, LevelCounty, LevelProvince},
	{Unit, []State{Submitted, Approved}, Reopen, Returned, LevelCity, LevelProvince},

	{County, []State{Open, Returned}, Submit, Submitted, LevelCounty, LevelCounty},
	{County, []State{Submitted}, Accept, Accepted, LevelCity, LevelProvince},
	{County, []State{Submitted}, Return, Returned, LevelCity, LevelProvince},
	{County, []State{Accepted}, Unapprove, Returned, LevelCity, LevelProvince},
	{County, []State{Submitted, Accepted}, Reopen, Returned, LevelCity, LevelProvince},
}

// Errors of Next.
var (
	ErrNotAllowed = errors.New("this step is not allowed from the data's state")
	ErrLevel      = errors.New("this account's level may not take this step")
	ErrReason     = errors.New("a reason is required")
)

// Step is one step asked for.
type Step struct {
	Kind   UnitKind
	From   State
	Action Action
	By     Level
	// ApprovedBy is the level that took the approval or acceptance being
	// undone (Unapprove): only that level or one above may undo it.
	ApprovedBy Level
	Reason     string
}

// NeedsReason reports whether a reason must come with action a.
func NeedsReason(a Action) bool { return a == Return || a == Unapprove || a == Reopen }

// Next returns the state that step s leads to, or an error saying why it
// may not be taken.
func Next(s Step) (State, error) {
	for _, t := range chain {
		if t.kind != s.Kind || t.action != s.Action || !slices.Contains(t.from, s.From) {
			continue
		}
		if s.By < t.min || s.By > t.max {
			return "", ErrLevel
		}
		if s.Action == Unapprove && s.ApprovedBy != 0 && s.By < s.ApprovedBy {
			return "", ErrLevel
		}
		if NeedsReason(s.Action) && !hasText(s.Reason) {
			return "", ErrReason
		}
		return t.to, nil
	}
	return "", ErrNotAllowed
}

// Actions lists the actions an account of level by may take on a unit of
// kind k in state from, in a stable order (for the buttons a page shows).
func Actions(k UnitKind, from State, by Level) []Action {
	var out []Action
	for _, t := range chain {
		if t.kind == k && slices.Contains(t.from, from) && by >= t.min && by <= t.max && !slices.Contains(out, t.action) {
			if t.action == Reopen {
				continue // only through a spot check's finding
			}
			out = append(out, t.action)
		}
	}
	return out
}

// hasText reports whether s holds more than white space (the ideographic
// space U+3000 included).
func hasText(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) != "" }
