package workplan

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Settings are a bureau's thresholds for the lights.
type Settings struct {
	YellowBehind        float64 // points behind schedule from which a task is yellow: 10
	RedBehind           float64 // points behind schedule beyond which a task is red: 30
	NotStartedRedMonths int     // months after its start a task not yet started turns red: 3
}

// DefaultSettings are 10 and 30 points, and 3 months.
func DefaultSettings() Settings {
	return Settings{YellowBehind: 10, RedBehind: 30, NotStartedRedMonths: 3}
}

// Milestone is a dated step of a task: by Date, Percent of it should be done.
type Milestone struct {
	Date    time.Time
	Percent float64
}

// TaskProgress is what is known of a task when its light is computed.
type TaskProgress struct {
	Start, Due  time.Time
	Target      float64  // the target value (80 所, 77000 个); 0 when the task has none
	Current     *float64 // the value reached so far, if reported
	Percent     *float64 // the latest reported percent done, used when there is no Current and Target
	Milestones  []Milestone
	Started     bool      // marked as started
	FirstReport time.Time // the first progress report, zero if none
	Completed   bool      // marked completed (验收, 办结)
}

// LightColor is a task's light. (The function that computes it is Light.)
type LightColor string

// The lights.
const (
	Green   LightColor = "green"
	Yellow  LightColor = "yellow"
	Red     LightColor = "red"
	Done    LightColor = "done"    // shown green, with a tick
	Unknown LightColor = "unknown" // the task's dates do not allow a light
)

// Reason is why a task has its light: a short explanation in Chinese
// for the page, a code for programs, and the numbers it rests on.
type Reason struct {
	Code     string  // done, not_begun, overdue, not_started, behind, on_schedule, no_dates
	Text     string  // "应完成 58%，实际 20%，落后 38 个百分点"
	Expected float64 // percent that should be done by now, rounded to 0.1
	Actual   float64 // percent done, rounded to 0.1
	Behind   float64 // Expected − Actual
}

func (r Reason) String() string { return r.Text }

// Light computes a task's light at now from its facts; lights are never
// set by hand. In order:
//
//   - completed, or actual progress ≥ 100% → Done;
//   - before its start → Green;
//   - past its due time and not done → Red;
//   - not started (no Started flag, no report, no progress) once
//     NotStartedRedMonths have passed since its start, that instant
//     included → Red;
//   - otherwise by how far actual progress is behind expected progress:
//     more than RedBehind points → Red; from YellowBehind to RedBehind
//     points, both ends included → Yellow; less → Green.
//
// Expected progress is linear between the milestones, from 0% at Start
// to 100% at Due. Actual progress is Current/Target×100, or the reported
// Percent, or 0. Both are rounded to 0.1 point before they are compared,
// so the numbers in the reason always agree with the colour.
func Light(task TaskProgress, now time.Time, s Settings) (LightColor, Reason) {
	actual := 0.0
	reported := false
	switch {
	case task.Current != nil && task.Target > 0:
		actual, reported = *task.Current/task.Target*100, true
	case task.Percent != nil:
		actual, reported = *task.Percent, true
	}
	actual = round1(actual)
	if task.Completed || actual >= 100 {
		return Done, Reason{Code: "done", Text: "已完成", Expected: 100, Actual: actual}
	}
	if task.Start.IsZero() || task.Due.IsZero() || !task.Due.After(task.Start) {
		return Unknown, Reason{Code: "no_dates", Text: "未设置开始和完成时间，无法判断进度", Actual: actual}
	}
	if now.Before(task.Start) {
		return Green, Reason{Code: "not_begun", Text: "尚未到开始时间（" + day(task.Start) + "）", Actual: actual}
	}
	if now.After(task.Due) {
		days := int(now.Sub(task.Due).Hours()/24) + 1
		return Red, Reason{Code: "overdue", Expected: 100, Actual: actual, Behind: round1(100 - actual),
			Text: fmt.Sprintf("已超过完成期限（%s）%d 天，实际完成 %s%%", day(task.Due), days, num(actual))}
	}
	started := task.Started || !task.FirstReport.IsZero() || actual > 0
	expected := round1(expectedAt(task, now))
	behind := round1(expected - actual)
	r := Reason{Expected: expected, Actual: actual, Behind: behind}
	if !started && !now.Before(task.Start.AddDate(0, s.NotStartedRedMonths, 0)) {
		r.Code = "not_started"
		r.Text = fmt.Sprintf("开始 %d 个月后仍未启动（应完成 %s%%）", s.NotStartedRedMonths, num(expected))
		return Red, r
	}
	if reported || started {
		r.Text = fmt.Sprintf("应完成 %s%%，实际 %s%%", num(expected), num(actual))
	} else {
		r.Text = fmt.Sprintf("应完成 %s%%，尚未报告进度", num(expected))
	}
	switch {
	case behind > s.RedBehind:
		r.Code = "behind"
		r.Text += fmt.Sprintf("，落后 %s 个百分点", num(behind))
		return Red, r
	case behind >= s.YellowBehind:
		r.Code = "behind"
		r.Text += fmt.Sprintf("，落后 %s 个百分点", num(behind))
		return Yellow, r
	}
	r.Code = "on_schedule"
	switch {
	case behind > 0:
		r.Text += fmt.Sprintf("，落后 %s 个百分点，在允许范围内", num(behind))
	case behind < 0:
		r.Text += fmt.Sprintf("，超前 %s 个百分点", num(-behind))
	default:
		r.Text += "，符合进度"
	}
	return Green, r
}

// expectedAt is the percent of the task that should be done at now:
// linear between (Start, 0%), the milestones, and (Due, 100%).
func expectedAt(task TaskProgress, now time.Time) float64 {
	type point struct {
		t time.Time
		p float64
	}
	pts := []point{{task.Start, 0}}
	ms := append([]Milestone(nil), task.Milestones...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Date.Before(ms[j].Date) })
	for _, m := range ms {
		if m.Date.After(task.Start) && m.Date.Before(task.Due) {
			pts = append(pts, point{m.Date, math.Max(0, math.Min(100, m.Percent))})
		}
	}
	pts = append(pts, point{task.Due, 100})
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if now.After(b.t) {
			continue
		}
		span := b.t.Sub(a.t)
		if span <= 0 {
			return b.p
		}
		f := float64(now.Sub(a.t)) / float64(span)
		return a.p + (b.p-a.p)*f
	}
	return 100
}

func round1(x float64) float64 {
	return math.Round(x*10) / 10
}

// num writes a percentage as people read it: 58, 37.5.
func num(x float64) string {
	return strconv.FormatFloat(round1(x), 'f', -1, 64)
}

func day(t time.Time) string {
	return t.Format("2006-01-02")
}
