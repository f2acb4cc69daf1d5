package review

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// China keeps one time zone and no daylight saving: a due date ends at
// midnight Beijing time. A fixed zone needs no time-zone database, which an
// isolated machine may lack.
var china = time.FixedZone("CST", 8*60*60)

// Deadline is the instant a task due on date (YYYY-MM-DD) closes: the end
// of that day in Beijing time.
func Deadline(due string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, due, china)
	if err != nil {
		return time.Time{}, fmt.Errorf("due date %q: want YYYY-MM-DD", due)
	}
	return d.AddDate(0, 0, 1), nil
}

// Day is the date (YYYY-MM-DD) of t in Beijing time.
func Day(t time.Time) string { return t.In(china).Format(time.DateOnly) }

// Timeliness is how a unit stands against its task's due date.
type Timeliness string

// The timeliness of a unit.
const (
	OnTime  Timeliness = "on_time" // first submitted before the deadline
	Late    Timeliness = "late"    // first submitted after it
	Pending Timeliness = "pending" // not yet submitted, deadline not passed
	Overdue Timeliness = "overdue" // not yet submitted, deadline passed
)

// TimelinessOf is the timeliness of a unit first submitted at submitted
// (zero when never) against deadline, at now. A return and resubmission
// does not make an on-time unit late: the first submission counts.
func TimelinessOf(deadline, submitted, now time.Time) Timeliness {
	switch {
	case !submitted.IsZero() && submitted.Before(deadline):
		return OnTime
	case !submitted.IsZero():
		return Late
	case now.Before(deadline):
		return Pending
	}
	return Overdue
}

// DefaultRemindDays are the days before the due date on which reminders
// go out when a task does not choose its own.
var DefaultRemindDays = []int{7, 3, 1}

// ParseRemindDays reads "7,3,1" (days before the due date, 0 for the due
// day itself) into a list sorted from the furthest; "" is no reminders.
func ParseRemindDays(s string) ([]int, error) {
	var out []int
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 365 {
			return nil, fmt.Errorf("reminder day %q: want whole days before the due date, 0 to 365", f)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return b - a })
	return out, nil
}

// FormatRemindDays is the inverse of ParseRemindDays.
func FormatRemindDays(days []int) string {
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ",")
}

// Reminder is one reminder that has fallen due.
type Reminder struct {
	// Key tells reminders apart, so that one sent is never sent again:
	// "before-3" three days before, "overdue-1" on the first day overdue.
	Key string
	// DaysLeft is the days left to the due date (negative when overdue).
	DaysLeft int
}

// Due returns the reminder to send at now for a unit not yet submitted on
// a task due on due: the latest "days before" reminder whose day has come,
// or, after the deadline, one per overdue week (days 1, 8, 15, …), so
// that a unit is reminded without being flooded. ok is false when no
// reminder falls at now. A scheduler that was down sends only the latest
// reminder it missed, not each of them.
func Due(due string, days []int, now time.Time) (r Reminder, ok bool) {
	deadline, err := Deadline(due)
	if err != nil {
		return Reminder{}, false
	}
	dueDay, _ := time.ParseInLocation(time.DateOnly, due, china)
	today, _ := time.ParseInLocation(time.DateOnly, Day(now), china)
	left := int(dueDay.Sub(today).Hours() / 24)
	if !now.Before(deadline) {
		over := -left // 1 on the day after the due date
		week := (over - 1) / 7
		return Reminder{Key: fmt.Sprintf("overdue-%d", 1+7*week), DaysLeft: left}, true
	}
	best := -1
	for _, d := range days {
		if left <= d && (best < 0 || d < best) {
			best = d
		}
	}
	if best < 0 {
		return Reminder{}, false
	}
	return Reminder{Key: fmt.Sprintf("before-%d", best), DaysLeft: left}, true
}

// SampleSize is how many of n units a spot check of percent per cent
// draws: rounded up, at least one when there is any unit.
func SampleSize(n, percent int) int {
	if n == 0 || percent <= 0 {
		return 0
	}
	k := (n*percent + 99) / 100
	return min(max(k, 1), n)
}

// Sample draws k codes from population, reproducibly from seed: the same
// population (in any order), k and seed give the same sample, so that a
// recorded draw can be shown again and checked by anyone. The population
// is sorted first; the draw is a partial Fisher–Yates shuffle driven by
// PCG seeded with seed. The sample comes back sorted.
func Sample(population []string, k int, seed uint64) []string {
	pop := slices.Clone(population)
	slices.Sort(pop)
	pop = slices.Compact(pop)
	k = min(k, len(pop))
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range k {
		j := i + rng.IntN(len(pop)-i)
		pop[i], pop[j] = pop[j], pop[i]
	}
	out := pop[:k]
	slices.Sort(out)
	return out
}
