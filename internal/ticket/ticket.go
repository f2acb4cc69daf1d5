// Package ticket holds the rules of one machinery for every item that must
// be fixed by a deadline and checked by the one who raised it: a 整改
// (rectification) item of a 问题清单 (list of problems found in an
// inspection), a 督办单 (supervision letter) pressing a late task, a
// complaint. A ticket has an owner who fixes it, a deadline, evidence to
// close it, and verification by the one who raised it; its light is
// computed from the clock and the deadline, never set by hand.
//
// The package is pure: no database, no web, no clock of its own.
package ticket

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/dudao-edu/dudao/internal/standards"
)

// Status is where a ticket stands.
type Status string

// The statuses. A ticket starts Open.
const (
	Open      Status = "open"      // 待整改: the owner is to fix it
	Submitted Status = "submitted" // 待核验: the owner reported it fixed, with evidence
	Closed    Status = "closed"    // 已销号: the raiser verified the fix
)

// Action is a step on a ticket.
type Action string

// The steps.
const (
	Report Action = "report" // the owner reports the fix, with evidence (整改报告)
	Verify Action = "verify" // the raiser checks the fix and closes the ticket (核验销号)
	Reject Action = "reject" // the raiser finds the fix wanting: back to the owner, with a reason
)

// Role is who takes a step: the owner of the ticket or its raiser.
type Role string

// The roles.
const (
	Owner  Role = "owner"
	Raiser Role = "raiser"
)

// Errors of Next.
var (
	ErrNotAllowed = errors.New("this step is not allowed from the ticket's status")
	ErrRole       = errors.New("this step is not this account's to take")
	ErrEvidence   = errors.New("a report needs what was done and evidence")
	ErrReason     = errors.New("a rejection needs a reason")
)

// Step is one step asked for.
type Step struct {
	From   Status
	Action Action
	By     Role
	// Text is what was done (Report) or why the fix is wanting (Reject).
	Text string
	// Evidence counts the files attached to a report.
	Evidence int
}

// Next returns the status step s leads to, or why it may not be taken.
// A report needs a text and at least one evidence file; a rejection a
// reason.
func Next(s Step) (Status, error) {
	switch s.Action {
	case Report:
		if s.From != Open {
			return "", ErrNotAllowed
		}
		if s.By != Owner {
			return "", ErrRole
		}
		if !hasText(s.Text) || s.Evidence < 1 {
			return "", ErrEvidence
		}
		return Submitted, nil
	case Verify, Reject:
		if s.From != Submitted {
			return "", ErrNotAllowed
		}
		if s.By != Raiser {
			return "", ErrRole
		}
		if s.Action == Reject {
			if !hasText(s.Text) {
				return "", ErrReason
			}
			return Open, nil
		}
		return Closed, nil
	}
	return "", ErrNotAllowed
}

// Actions lists the steps role may take on a ticket in status.
func Actions(status Status, role Role) []Action {
	var out []Action
	for _, a := range []Action{Report, Verify, Reject} {
		if _, err := Next(Step{From: status, Action: a, By: role, Text: "x", Evidence: 1}); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// hasText reports whether s holds more than white space (the ideographic
// space U+3000 included).
func hasText(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) != "" }

// Light is a ticket's colour.
type Light string

// The lights.
const (
	Green Light = "green" // time enough
	Amber Light = "amber" // due within Clocks.AmberDays
	Red   Light = "red"   // overdue
	Done  Light = "done"  // closed
)

// LightOf is the light of a ticket in status with deadline, at now: red
// once the deadline has passed, amber when the due day is at most
// c.AmberDays days away (counted in Beijing days), green before. A
// ticket reported fixed before its deadline is not overdue while it waits
// for verification; one reported after it stays red until closed.
func LightOf(status Status, deadline, reported, now time.Time, c Clocks) Light {
	switch {
	case status == Closed:
		return Done
	case status == Submitted && !reported.IsZero() && reported.Before(deadline):
		return Green
	case !now.Before(deadline):
		return Red
	case DaysLeft(deadline, now) <= c.AmberDays:
		return Amber
	}
	return Green
}

// Clocks are the statutory time limits, kept as profile settings
// (standards.Settings.Clocks): regulations set them and a province may set
// its own.
type Clocks = standards.Clocks

// DefaultClocks are the national defaults (the national profile's).
func DefaultClocks() Clocks {
	return Clocks{Rectify: 30, Objection: 15, ObjectionReply: 30, Appeal: 15, AppealReply: 20, Notice: 7, AmberDays: 3}
}

// china is Beijing time: a fixed zone, as China keeps no daylight saving.
var china = time.FixedZone("CST", 8*60*60)

// DueAfter is the deadline days calendar days after from: the end of that
// day in Beijing time. A report due "within 30 days" of a feedback given on
// 1 March is due by the end of 31 March.
func DueAfter(from time.Time, days int) time.Time {
	d := from.In(china)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, china)
	return day.AddDate(0, 0, days+1)
}

// Day is the date of t in Beijing time, for display.
func Day(t time.Time) string { return t.In(china).Format(time.DateOnly) }

// DaysLeft is the whole days from now to deadline (negative when overdue),
// counted in Beijing days.
func DaysLeft(deadline, now time.Time) int {
	a := now.In(china)
	b := deadline.In(china).Add(-time.Nanosecond) // the last instant of the due day
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
