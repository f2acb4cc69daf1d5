package review

import (
	"slices"
	"testing"
	"time"
)

// FuzzParseRemindDays: any text either parses into distinct days from 0 to
// 365, furthest first, that format and parse back the same, or is refused.
func FuzzParseRemindDays(f *testing.F) {
	for _, s := range []string{"7,3,1", "1，7、3,3", "", " 0 ", "366", "-1", "7,,3", "x", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		days, err := ParseRemindDays(s)
		if err != nil {
			return
		}
		if !slices.IsSortedFunc(days, func(a, b int) int { return b - a }) {
			t.Fatalf("%q: not furthest first: %v", s, days)
		}
		for i, d := range days {
			if d < 0 || d > 365 || (i > 0 && days[i-1] == d) {
				t.Fatalf("%q: bad days %v", s, days)
			}
		}
		again, err := ParseRemindDays(FormatRemindDays(days))
		if err != nil || !slices.Equal(again, days) {
			t.Fatalf("%q: %v does not read back: %v %v", s, days, again, err)
		}
	})
}

// FuzzDue: a reminder falls due only on or after its day, and overdue
// reminders only after the deadline.
func FuzzDue(f *testing.F) {
	f.Add("2025-09-20", int64(0), 7)
	f.Add("2024-02-29", int64(86400*400), 1)
	f.Fuzz(func(t *testing.T, due string, offset int64, day int) {
		deadline, err := Deadline(due)
		if err != nil {
			return
		}
		now := deadline.Add(time.Duration(offset%(86400*800)) * time.Second)
		r, ok := Due(due, []int{day % 400}, now)
		if !ok {
			return
		}
		if now.Before(deadline) && r.DaysLeft < 0 || !now.Before(deadline) && r.DaysLeft >= 0 {
			t.Fatalf("due %s at %v: %+v", due, now, r)
		}
	})
}

// FuzzSample: a draw is a sorted subset of the population of the size
// asked (at most the population), the same for the same seed.
func FuzzSample(f *testing.F) {
	f.Add("a,b,c,d,e", 2, uint64(1))
	f.Add("", 3, uint64(0))
	f.Fuzz(func(t *testing.T, pop string, k int, seed uint64) {
		var p []string
		for i := 0; i < len(pop) && len(p) < 200; i++ {
			p = append(p, pop[i:i+1])
		}
		k = ((k % 300) + 300) % 300
		a := Sample(p, k, seed)
		distinct := slices.Compact(slices.Sorted(slices.Values(p)))
		if len(a) != min(k, len(distinct)) || !slices.IsSorted(a) {
			t.Fatalf("sample %v of %v (k %d)", a, p, k)
		}
		for _, x := range a {
			if !slices.Contains(p, x) {
				t.Fatalf("%q drawn, not in the population", x)
			}
		}
		if b := Sample(p, k, seed); !slices.Equal(a, b) {
			t.Fatal("the same seed drew differently")
		}
	})
}
