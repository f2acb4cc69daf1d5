package workplan

import (
	"fmt"
	"time"
)

// China is Beijing time, in which a plan's dates and periods are read: a
// fixed zone, as China keeps no daylight saving.
var China = time.FixedZone("CST", 8*60*60)

// DayStart is the first instant of day in Beijing time.
func DayStart(day time.Time) time.Time {
	d := day.In(China)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, China).UTC()
}

// DayEnd is the end of day in Beijing time (the first instant of the next
// day): a task due "2023-12-31" is due by the end of that day.
func DayEnd(day time.Time) time.Time {
	return DayStart(day).In(China).AddDate(0, 0, 1).UTC()
}

// ParseDay reads a date written 2006-01-02 as that day in Beijing time.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, China)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date written 2023-06-30", s)
	}
	return t.UTC(), nil
}

// Period is the month a progress report is about, written 2006-01.
type Period string

// PeriodOf is the month holding t, in Beijing time.
func PeriodOf(t time.Time) Period { return Period(t.In(China).Format("2006-01")) }

// ParsePeriod reads a period written 2006-01.
func ParsePeriod(s string) (Period, error) {
	if _, err := time.ParseInLocation("2006-01", s, China); err != nil || len(s) != 7 {
		return "", fmt.Errorf("%q is not a month written 2023-06", s)
	}
	return Period(s), nil
}

// Start is the first instant of the period.
func (p Period) Start() time.Time {
	t, _ := time.ParseInLocation("2006-01", string(p), China)
	return t.UTC()
}

// End is the first instant of the next period.
func (p Period) End() time.Time { return p.Start().In(China).AddDate(0, 1, 0).UTC() }

// Prev is the period before p.
func (p Period) Prev() Period { return PeriodOf(p.Start().In(China).AddDate(0, -1, 0)) }

// Due is when the progress report of period p is due at the plan's
// rhythm: by the end of day reportDay of the next month (a report on June
// is due by 5 July when reportDay is 5). A day past the month's length is
// its last day.
func (p Period) Due(reportDay int) time.Time {
	next := p.End().In(China)
	last := next.AddDate(0, 1, -1).Day()
	d := min(max(reportDay, 1), last)
	return DayEnd(time.Date(next.Year(), next.Month(), d, 0, 0, 0, 0, China))
}

// ReportPeriod is the period whose report is being asked for at now: the
// month before now's, as a report tells what was done in a month that is
// over.
func ReportPeriod(now time.Time) Period { return PeriodOf(now).Prev() }
