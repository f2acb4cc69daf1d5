package workplan

import (
	"testing"
	"time"
)

// FuzzPeriodAndDay: a period or a day that parses writes back as read,
// its due date falls in the next month, and nothing panics.
func FuzzPeriodAndDay(f *testing.F) {
	for _, s := range []string{"2023-06", "2023-6", "2023-13", "", "２０２３-06", "2023-06-30", "2023-02-30", "9999-12"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, day int) {
		if p, err := ParsePeriod(s); err == nil {
			if string(p) != s || PeriodOf(p.Start()) != p || p.Prev() >= p {
				t.Fatalf("%q: %s start %s prev %s", s, p, p.Start(), p.Prev())
			}
			due := p.Due(day)
			if PeriodOf(due.Add(-time.Nanosecond)) != PeriodOf(p.End()) {
				t.Fatalf("%q: due %s outside the next month", s, due)
			}
		}
		if d, err := ParseDay(s); err == nil {
			if d.In(China).Format(time.DateOnly) != s || !DayEnd(d).After(d) {
				t.Fatalf("%q: %s", s, d)
			}
		}
	})
}
