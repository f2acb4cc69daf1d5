package workplan

import (
	"testing"
	"time"
)

func date(m time.Month, d int) time.Time {
	return time.Date(2023, m, d, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

func pf(x float64) *float64 { return &x }

// TestLight walks a task from 1 Jan to 31 Dec 2023 (364 days, so 1 Jul
// is 181/364 = 49.7% along) and one with milestones, with a fixed clock.
func TestLight(t *testing.T) {
	year := TaskProgress{Start: date(1, 1), Due: date(12, 31), Target: 80}
	with := func(tp TaskProgress, f func(*TaskProgress)) TaskProgress { f(&tp); return tp }
	// Milestones: 20% by 1 Apr, 60% by 1 Jul; linear between.
	ms := with(year, func(tp *TaskProgress) {
		tp.Milestones = []Milestone{{date(7, 1), 60}, {date(4, 1), 20}}
	})
	s := DefaultSettings()
	for _, c := range []struct {
		name  string
		task  TaskProgress
		now   time.Time
		light LightColor
		code  string
		text  string
	}{
		{"before start", year, date(12, 1).AddDate(-1, 0, 0), Green, "not_begun", "尚未到开始时间（2023-01-01）"},
		{"no dates", TaskProgress{Target: 1}, date(6, 1), Unknown, "no_dates", "未设置开始和完成时间，无法判断进度"},
		{"completed flag", with(year, func(tp *TaskProgress) { tp.Completed = true }), date(3, 1), Done, "done", "已完成"},
		{"100% reached", with(year, func(tp *TaskProgress) { tp.Current = pf(80) }), date(3, 1), Done, "done", "已完成"},
		{"reported 100 after due", with(year, func(tp *TaskProgress) { tp.Percent = pf(100) }), date(12, 31).AddDate(0, 1, 0), Done, "done", "已完成"},
		{"past due", with(year, func(tp *TaskProgress) { tp.Current = pf(60) }), date(12, 31).Add(time.Hour), Red, "overdue", "已超过完成期限（2023-12-31）1 天，实际完成 75%"},
		{"at due not done is not yet overdue", with(year, func(tp *TaskProgress) { tp.Current = pf(76) }), date(12, 31), Green, "on_schedule", "应完成 100%，实际 95%，落后 5 个百分点，在允许范围内"},
		// Not started: red from exactly three months after the start.
		{"not started, a day short of 3 months", year, date(3, 31), Yellow, "behind", "应完成 24.5%，尚未报告进度，落后 24.5 个百分点"},
		{"not started, 3 months to the day", year, date(4, 1), Red, "not_started", "开始 3 个月后仍未启动（应完成 24.7%）"},
		{"started flag, no report, 3 months", with(year, func(tp *TaskProgress) { tp.Started = true }), date(4, 1), Yellow, "behind", "应完成 24.7%，实际 0%，落后 24.7 个百分点"},
		{"first report counts as started", with(year, func(tp *TaskProgress) { tp.FirstReport = date(2, 1) }), date(4, 1), Yellow, "behind", "应完成 24.7%，实际 0%，落后 24.7 个百分点"},
		{"early, not started, small gap", year, date(1, 20), Green, "on_schedule", "应完成 5.2%，尚未报告进度，落后 5.2 个百分点，在允许范围内"},
		// Milestones: on 1 Jul 60% is expected.
		{"milestone met", with(ms, func(tp *TaskProgress) { tp.Current = pf(48) }), date(7, 1), Green, "on_schedule", "应完成 60%，实际 60%，符合进度"},
		{"ahead", with(ms, func(tp *TaskProgress) { tp.Current = pf(56) }), date(7, 1), Green, "on_schedule", "应完成 60%，实际 70%，超前 10 个百分点"},
		// Boundaries, both inclusive in yellow: 9.9 green, 10 yellow, 30 yellow, 30.1 red.
		{"9.9 behind", with(ms, func(tp *TaskProgress) { tp.Percent = pf(50.1) }), date(7, 1), Green, "on_schedule", "应完成 60%，实际 50.1%，落后 9.9 个百分点，在允许范围内"},
		{"exactly 10 behind", with(ms, func(tp *TaskProgress) { tp.Current = pf(40) }), date(7, 1), Yellow, "behind", "应完成 60%，实际 50%，落后 10 个百分点"},
		{"exactly 30 behind", with(ms, func(tp *TaskProgress) { tp.Current = pf(24) }), date(7, 1), Yellow, "behind", "应完成 60%，实际 30%，落后 30 个百分点"},
		{"30.1 behind", with(ms, func(tp *TaskProgress) { tp.Percent = pf(29.9) }), date(7, 1), Red, "behind", "应完成 60%，实际 29.9%，落后 30.1 个百分点"},
		// Between milestones: 1 Apr 20% → 1 Jul 60%; 16 May is 45/91 along: 39.8%.
		{"between milestones", with(ms, func(tp *TaskProgress) { tp.Percent = pf(20) }), date(5, 16), Yellow, "behind", "应完成 39.8%，实际 20%，落后 19.8 个百分点"},
		// The brief's example: 58% expected, 20% done.
		{"brief example", with(year, func(tp *TaskProgress) {
			tp.Milestones = []Milestone{{date(8, 1), 58}}
			tp.Current = pf(16)
		}), date(8, 1), Red, "behind", "应完成 58%，实际 20%，落后 38 个百分点"},
	} {
		t.Run(c.name, func(t *testing.T) {
			light, r := Light(c.task, c.now, s)
			if light != c.light || r.Code != c.code || r.Text != c.text || r.String() != c.text {
				t.Errorf("got %s %s %q, want %s %s %q", light, r.Code, r.Text, c.light, c.code, c.text)
			}
			if r.Code == "behind" && r.Behind != round1(r.Expected-r.Actual) {
				t.Errorf("reason numbers %+v", r)
			}
		})
	}
}

// TestLightSettings: the thresholds are the bureau's.
func TestLightSettings(t *testing.T) {
	task := TaskProgress{Start: date(1, 1), Due: date(12, 31), Milestones: []Milestone{{date(7, 1), 60}}, Percent: pf(45)}
	strict := Settings{YellowBehind: 5, RedBehind: 10, NotStartedRedMonths: 1}
	if l, _ := Light(task, date(7, 1), DefaultSettings()); l != Yellow {
		t.Errorf("default: %s", l)
	}
	if l, _ := Light(task, date(7, 1), strict); l != Red {
		t.Errorf("strict: %s", l)
	}
	idle := TaskProgress{Start: date(1, 1), Due: date(12, 31)}
	if l, r := Light(idle, date(2, 1), strict); l != Red || r.Text != "开始 1 个月后仍未启动（应完成 8.5%）" {
		t.Errorf("strict idle: %s %q", l, r.Text)
	}
}
