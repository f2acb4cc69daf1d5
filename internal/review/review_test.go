package review

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

func TestChainWalk(t *testing.T) {
	step := func(k UnitKind, from State, a Action, by Level, reason string) State {
		t.Helper()
		to, err := Next(Step{Kind: k, From: from, Action: a, By: by, Reason: reason})
		if err != nil {
			t.Fatalf("%s %s from %s by %s: %v", k, a, from, by, err)
		}
		return to
	}
	s := step(Unit, Open, Submit, LevelUnit, "")
	if s != Submitted || !Locked(s) {
		t.Fatalf("submit: %s", s)
	}
	s = step(Unit, s, Return, LevelCounty, "教师数有误")
	if s != Returned || Locked(s) {
		t.Fatalf("return: %s", s)
	}
	s = step(Unit, s, Submit, LevelUnit, "")
	s = step(Unit, s, Approve, LevelCounty, "")
	if s != Approved || !Locked(s) || !Done(Unit, s) {
		t.Fatalf("approve: %s", s)
	}
	c := step(County, Open, Submit, LevelCounty, "")
	c = step(County, c, Accept, LevelCity, "")
	if c != Accepted || !Locked(c) || !Done(County, c) {
		t.Fatalf("accept: %s", c)
	}
	c = step(County, c, Unapprove, LevelCity, "复核发现问题")
	if c != Returned {
		t.Fatalf("unapprove: %s", c)
	}
}

func TestChainRefusals(t *testing.T) {
	cases := []struct {
		name string
		step Step
		want error
	}{
		{"a school approves itself", Step{Kind: Unit, From: Submitted, Action: Approve, By: LevelUnit}, ErrLevel},
		{"a school submits its county", Step{Kind: County, From: Open, Action: Submit, By: LevelUnit}, ErrLevel},
		{"a county accepts itself", Step{Kind: County, From: Submitted, Action: Accept, By: LevelCounty}, ErrLevel},
		{"a city submits a county", Step{Kind: County, From: Open, Action: Submit, By: LevelCity}, ErrLevel},
		{"approve before submit", Step{Kind: Unit, From: Open, Action: Approve, By: LevelCounty}, ErrNotAllowed},
		{"edit-submit while locked", Step{Kind: Unit, From: Approved, Action: Submit, By: LevelUnit}, ErrNotAllowed},
		{"return without reason", Step{Kind: Unit, From: Submitted, Action: Return, By: LevelCounty, Reason: " 　"}, ErrReason},
		{"unlock without reason", Step{Kind: County, From: Accepted, Action: Unapprove, By: LevelCity}, ErrReason},
		{"a county undoes the province's approval", Step{Kind: Unit, From: Approved, Action: Unapprove, By: LevelCounty, ApprovedBy: LevelProvince, Reason: "x"}, ErrLevel},
		{"accept twice", Step{Kind: County, From: Accepted, Action: Accept, By: LevelCity}, ErrNotAllowed},
	}
	for _, c := range cases {
		if _, err := Next(c.step); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestEveryTransitionReachable(t *testing.T) {
	// Every state but Accepted is reachable by a unit, every state but
	// Approved by a county; no step leads out of the known states.
	for _, k := range []UnitKind{Unit, County} {
		seen := map[State]bool{Open: true}
		for range 4 {
			for s := range seen {
				for by := LevelUnit; by <= LevelProvince; by++ {
					for _, a := range []Action{Submit, Return, Approve, Accept, Unapprove, Reopen} {
						if to, err := Next(Step{Kind: k, From: s, Action: a, By: by, Reason: "r"}); err == nil {
							if !slices.Contains(States, to) {
								t.Fatalf("%s: unknown state %s", k, to)
							}
							seen[to] = true
						}
					}
				}
			}
		}
		want := 4
		if len(seen) != want {
			t.Errorf("%s reaches %v", k, seen)
		}
	}
}

func TestActions(t *testing.T) {
	if got := Actions(Unit, Submitted, LevelCounty); !slices.Equal(got, []Action{Approve, Return}) {
		t.Errorf("county on a submitted unit: %v", got)
	}
	if got := Actions(Unit, Submitted, LevelUnit); len(got) != 0 {
		t.Errorf("school on its submitted data: %v", got)
	}
	if got := Actions(County, Accepted, LevelCity); !slices.Equal(got, []Action{Unapprove}) {
		t.Errorf("city on an accepted county: %v", got)
	}
}

func TestTimeliness(t *testing.T) {
	dl, err := Deadline("2025-09-20")
	if err != nil {
		t.Fatal(err)
	}
	// 2025-09-20 24:00 Beijing = 2025-09-20 16:00 UTC.
	if want := time.Date(2025, 9, 20, 16, 0, 0, 0, time.UTC); !dl.Equal(want) {
		t.Fatalf("deadline %v, want %v", dl, want)
	}
	before := dl.Add(-time.Second)
	after := dl.Add(time.Second)
	cases := []struct {
		sub, now time.Time
		want     Timeliness
	}{
		{before, after, OnTime},
		{dl, after, Late},
		{time.Time{}, before, Pending},
		{time.Time{}, dl, Overdue},
	}
	for _, c := range cases {
		if got := TimelinessOf(dl, c.sub, c.now); got != c.want {
			t.Errorf("sub %v now %v: %s, want %s", c.sub, c.now, got, c.want)
		}
	}
	if _, err := Deadline("20.9.2025"); err == nil {
		t.Error("a bad date was accepted")
	}
}

func TestDueReminders(t *testing.T) {
	at := func(day string, hour int) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, day, china)
		return d.Add(time.Duration(hour) * time.Hour)
	}
	days := []int{7, 3, 1}
	cases := []struct {
		now  time.Time
		key  string
		left int
	}{
		{at("2025-09-12", 9), "", 0},
		{at("2025-09-13", 0), "before-7", 7},
		{at("2025-09-16", 9), "before-7", 4},
		{at("2025-09-17", 9), "before-3", 3},
		{at("2025-09-19", 23), "before-1", 1},
		{at("2025-09-20", 23), "before-1", 0},
		{at("2025-09-21", 0), "overdue-1", -1},
		{at("2025-09-27", 12), "overdue-1", -7},
		{at("2025-09-28", 12), "overdue-8", -8},
	}
	for _, c := range cases {
		r, ok := Due("2025-09-20", days, c.now)
		if c.key == "" {
			if ok {
				t.Errorf("%v: reminder %v, want none", c.now, r)
			}
			continue
		}
		if !ok || r.Key != c.key || r.DaysLeft != c.left {
			t.Errorf("%v: %v %v, want %s (%d days left)", c.now, r, ok, c.key, c.left)
		}
	}
	d, err := ParseRemindDays("1，7、3,3")
	if err != nil || !slices.Equal(d, []int{7, 3, 1}) || FormatRemindDays(d) != "7,3,1" {
		t.Errorf("ParseRemindDays: %v %v", d, err)
	}
	if _, err := ParseRemindDays("7,x"); err == nil {
		t.Error("a bad day was accepted")
	}
}

func TestSample(t *testing.T) {
	pop := []string{"e", "a", "d", "b", "c", "f", "g", "h", "i", "j"}
	a := Sample(pop, 3, 42)
	rev := slices.Clone(pop)
	slices.Reverse(rev)
	if b := Sample(rev, 3, 42); !slices.Equal(a, b) {
		t.Errorf("order changed the draw: %v vs %v", a, b)
	}
	if len(a) != 3 || !slices.IsSorted(a) {
		t.Errorf("sample %v", a)
	}
	differs := false
	for seed := range uint64(20) {
		if !slices.Equal(Sample(pop, 3, seed), a) {
			differs = true
		}
	}
	if !differs {
		t.Error("every seed draws the same sample")
	}
	// Every unit can be drawn: over many seeds each appears.
	count := map[string]int{}
	for seed := range uint64(2000) {
		for _, c := range Sample(pop, 1, seed) {
			count[c]++
		}
	}
	for _, c := range pop {
		if count[c] < 120 || count[c] > 280 {
			t.Errorf("%s drawn %d times of 2000 (want about 200)", c, count[c])
		}
	}
	if got := SampleSize(95, 10); got != 10 {
		t.Errorf("10%% of 95: %d", got)
	}
	if got := SampleSize(3, 10); got != 1 {
		t.Errorf("10%% of 3: %d", got)
	}
	if got := SampleSize(0, 10); got != 0 {
		t.Errorf("10%% of 0: %d", got)
	}
}

func TestCheckPlausible(t *testing.T) {
	tb := census.TableOf(census.KindSchool)
	prev := tb.New()
	rec := tb.New()
	set := func(r census.UnitRecord, key string, v float64) { r.Values()[tb.Index(key)] = v }
	set(prev, "students_primary", 1000)
	set(rec, "students_primary", 1301) // +30.1 %
	set(prev, "music_rooms_standard", 2)
	set(rec, "music_rooms_standard", 3) // +50 % but only one room
	set(prev, "equipment_value", 3_000_000)
	set(rec, "equipment_value", 300) // 万元 typed as 元
	set(prev, "teaching_area", 5000)
	set(rec, "teaching_area", 6500) // +30 % exactly: not over
	set(rec, "teachers_primary", 40)
	set(rec, "qualified_teachers_primary", 41)
	set(rec, "books", 100) // no figure last year
	got := Check(tb, prev, rec)
	want := map[string]string{"students_primary": RuleJump, "equipment_value": RuleUnit, "qualified_teachers_primary": RuleTeachers}
	if len(got) != len(want) {
		t.Fatalf("flags %v, want %v", got, want)
	}
	for _, f := range got {
		if want[f.Column] != f.Rule || f.Message == "" {
			t.Errorf("flag %+v", f)
		}
	}
	if got := Check(tb, nil, rec); len(got) != 1 || got[0].Rule != RuleTeachers {
		t.Errorf("without last year: %v", got)
	}
	// Every kind's table is checked without a panic, NaN everywhere.
	for _, k := range []census.Kind{census.KindSchool, census.KindKindergarten, census.KindCounty} {
		tk := census.TableOf(k)
		a, b := tk.New(), tk.New()
		for i := range a.Values() {
			a.Values()[i] = float64(i + 1)
			b.Values()[i] = math.NaN()
		}
		Check(tk, a, b)
		Check(tk, b, a)
	}
}
