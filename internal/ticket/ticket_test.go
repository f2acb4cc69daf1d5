package ticket

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/standards"
)

func TestSteps(t *testing.T) {
	cases := []struct {
		name string
		step Step
		to   Status
		err  error
	}{
		{"report with evidence", Step{From: Open, Action: Report, By: Owner, Text: "已新建音乐教室", Evidence: 1}, Submitted, nil},
		{"report without evidence", Step{From: Open, Action: Report, By: Owner, Text: "已整改"}, "", ErrEvidence},
		{"report without text", Step{From: Open, Action: Report, By: Owner, Text: " ", Evidence: 2}, "", ErrEvidence},
		{"raiser reports", Step{From: Open, Action: Report, By: Raiser, Text: "x", Evidence: 1}, "", ErrRole},
		{"verify", Step{From: Submitted, Action: Verify, By: Raiser}, Closed, nil},
		{"owner verifies itself", Step{From: Submitted, Action: Verify, By: Owner}, "", ErrRole},
		{"reject with reason", Step{From: Submitted, Action: Reject, By: Raiser, Text: "照片不能证明"}, Open, nil},
		{"reject without reason", Step{From: Submitted, Action: Reject, By: Raiser}, "", ErrReason},
		{"verify an open ticket", Step{From: Open, Action: Verify, By: Raiser}, "", ErrNotAllowed},
		{"report a closed ticket", Step{From: Closed, Action: Report, By: Owner, Text: "x", Evidence: 1}, "", ErrNotAllowed},
	}
	for _, c := range cases {
		to, err := Next(c.step)
		if to != c.to || !errors.Is(err, c.err) {
			t.Errorf("%s: %s %v, want %s %v", c.name, to, err, c.to, c.err)
		}
	}
	if got := Actions(Submitted, Raiser); !slices.Equal(got, []Action{Verify, Reject}) {
		t.Errorf("raiser on a submitted ticket: %v", got)
	}
	if got := Actions(Open, Owner); !slices.Equal(got, []Action{Report}) {
		t.Errorf("owner on an open ticket: %v", got)
	}
}

func TestLights(t *testing.T) {
	c := DefaultClocks()
	feedback := time.Date(2025, 3, 1, 10, 0, 0, 0, china)
	due := DueAfter(feedback, c.Rectify)
	if want := time.Date(2025, 4, 1, 0, 0, 0, 0, china); !due.Equal(want) {
		t.Fatalf("due %v, want %v (end of 31 March)", due, want)
	}
	cases := []struct {
		status   Status
		reported time.Time
		now      time.Time
		want     Light
		left     int
	}{
		{Open, time.Time{}, time.Date(2025, 3, 20, 9, 0, 0, 0, china), Green, 11},
		{Open, time.Time{}, time.Date(2025, 3, 28, 0, 0, 1, 0, china), Amber, 3},
		{Open, time.Time{}, time.Date(2025, 3, 27, 23, 59, 0, 0, china), Green, 4},
		{Open, time.Time{}, time.Date(2025, 3, 31, 23, 59, 0, 0, china), Amber, 0},
		{Open, time.Time{}, due, Red, -1},
		{Submitted, time.Date(2025, 3, 30, 0, 0, 0, 0, china), time.Date(2025, 4, 5, 0, 0, 0, 0, china), Green, -5},
		{Submitted, time.Date(2025, 4, 2, 0, 0, 0, 0, china), time.Date(2025, 4, 5, 0, 0, 0, 0, china), Red, -5},
		{Closed, time.Time{}, time.Date(2025, 5, 1, 0, 0, 0, 0, china), Done, -31},
	}
	for _, k := range cases {
		if got := LightOf(k.status, due, k.reported, k.now, c); got != k.want {
			t.Errorf("%s at %v: %s, want %s", k.status, k.now, got, k.want)
		}
		if got := DaysLeft(due, k.now); got != k.left {
			t.Errorf("days left at %v: %d, want %d", k.now, got, k.left)
		}
	}
	national, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	if national.Settings.Clocks != c {
		t.Errorf("the national profile's clocks %+v differ from the defaults %+v", national.Settings.Clocks, c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := c
	bad.Rectify = 0
	if bad.Validate() == nil {
		t.Error("a zero clock was accepted")
	}
}
