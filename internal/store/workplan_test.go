package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/workplan"
)

var planPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func day(s string) time.Time {
	t, err := workplan.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWorkplanLifecycle imports the real 2023 plan, its targets confirmed,
// on a controllable clock: progress reports (one per task and period,
// replaced when sent again; a picture refused), a deadline change asked,
// refused to its requester and approved by another account, one asked too
// late, a 督办单 raised through the ticket machinery, and a plan refused
// whole when one task is wrong.
func TestWorkplanLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2023, 3, 10, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		data, err := os.ReadFile("../workplan/testdata/workplan-2023.txt")
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := workplan.Parse("workplan-2023.txt", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var tasks []store.PlanTask
		for _, it := range parsed.Items {
			pt := store.PlanTask{Number: it.Number, Section: it.SectionTitle, Title: it.Title, Text: it.Text, Lead: "分管副局长",
				Units: []string{"基础教育处", "发展规划处"}, Start: day("2023-01-01"), Due: workplan.DayEnd(day("2023-12-31"))}
			if len(it.Targets) > 0 {
				tg := it.Targets[0]
				pt.Target, pt.TargetUnit, pt.TargetText = tg.Value, tg.Unit, tg.Subject+tg.Text
			}
			tasks = append(tasks, pt)
		}
		// A wrong task refuses the whole plan: nothing stored.
		bad := append(append([]store.PlanTask(nil), tasks...), store.PlanTask{Number: "99", Title: "x", Start: day("2023-05-01"), Due: day("2023-04-01")})
		if _, err := s.CreatePlan(ctx, "city", store.Plan{Region: "370200", Year: 2023, Title: "2023年全市教育工作要点"}, bad); !errors.Is(err, store.ErrPlanInput) {
			t.Fatalf("a task due before its start: %v", err)
		}
		if ps, _ := s.Plans(ctx, "37"); len(ps) != 0 {
			t.Fatalf("a refused plan left %d plans", len(ps))
		}
		p, err := s.CreatePlan(ctx, "city", store.Plan{Region: "370200", Year: 2023, Title: "2023年全市教育工作要点", Source: "workplan-2023.txt"}, tasks)
		if err != nil {
			t.Fatal(err)
		}
		if p.ReportDay != 5 || p.Settings != workplan.DefaultSettings() {
			t.Errorf("plan defaults: %+v", p)
		}
		got, err := s.PlanTasks(ctx, p.ID)
		if err != nil || len(got) != 9 {
			t.Fatalf("%d tasks, %v; want 9 (items 10–18)", len(got), err)
		}
		t10 := got[0]
		if t10.Number != "10" || t10.Target != 80 || t10.TargetUnit != "所" || len(t10.Units) != 2 || !t10.Due.Equal(day("2024-01-01")) {
			t.Errorf("task 10: %+v", t10)
		}
		if ps, _ := s.Plans(ctx, "3702"); len(ps) != 1 {
			t.Errorf("plans of the city: %d", len(ps))
		}
		if ps, _ := s.Plans(ctx, "370201"); len(ps) != 0 {
			t.Errorf("a county sees its city's plan in Plans(county): %d", len(ps))
		}

		// A task added by hand, with milestones.
		hand, err := s.SavePlanTask(ctx, "city", store.PlanTask{PlanID: p.ID, Title: "新增孤独症学位", Start: day("2023-01-01"), Due: workplan.DayEnd(day("2023-06-30")),
			Target: 200, TargetUnit: "个", Milestones: []store.PlanMilestone{{Due: day("2023-03-31"), Percent: 50}}})
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := s.PlanTask(ctx, hand.ID); h.Seq != 10 || len(h.Milestones) != 1 || h.Milestones[0].Percent != 50 {
			t.Errorf("hand task: %+v", h)
		}
		hand.Due = workplan.DayEnd(day("2023-09-30"))
		if _, err := s.SavePlanTask(ctx, "city", hand); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("moving the due date by editing: %v", err)
		}

		// Reports: one per task and period, replaced.
		v := 12.0
		r1, err := s.SendPlanReport(ctx, "city", store.PlanReport{TaskID: t10.ID, Period: "2023-02", Text: "12所开工", Value: &v}, []store.EvidenceUpload{{Name: "开工通知.pdf", Data: planPDF}})
		if err != nil {
			t.Fatal(err)
		}
		v2 := 15.0
		r2, err := s.SendPlanReport(ctx, "city", store.PlanReport{TaskID: t10.ID, Period: "2023-02", Text: "15所开工", Value: &v2, Reason: "用地审批滞后"}, nil)
		if err != nil || r2.ID != r1.ID {
			t.Fatalf("the period's report sent again: %v, id %d vs %d", err, r2.ID, r1.ID)
		}
		png := []byte("\x89PNG\r\n\x1a\n0000")
		if _, err := s.SendPlanReport(ctx, "city", store.PlanReport{TaskID: t10.ID, Period: "2023-03", Text: "现场照片"}, []store.EvidenceUpload{{Name: "a.png", Data: png}}); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("a photo as proof: %v", err)
		}
		reps, err := s.PlanReports(ctx, p.ID, 0)
		if err != nil || len(reps) != 1 || *reps[0].Value != 15 || reps[0].Reason != "用地审批滞后" || len(reps[0].Evidence) != 1 || reps[0].Evidence[0].Name != "开工通知.pdf" {
			t.Fatalf("reports: %+v %v", reps, err)
		}

		// Deadline changes: not decided by the requester; approved by another.
		c, err := s.RequestDeadlineChange(ctx, "county-clerk", hand.ID, workplan.DayEnd(day("2023-09-30")), "设计变更")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestDeadlineChange(ctx, "county-clerk", hand.ID, workplan.DayEnd(day("2023-10-31")), "再次"); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("a second pending request: %v", err)
		}
		if _, err := s.DecideDeadlineChange(ctx, "county-clerk", c.ID, true, ""); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("the requester approves: %v", err)
		}
		if pend, _ := s.PendingPlanChanges(ctx, "370200"); len(pend) != 1 {
			t.Errorf("pending: %d", len(pend))
		}
		if _, err := s.DecideDeadlineChange(ctx, "city", c.ID, true, "同意"); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.PlanTask(ctx, hand.ID); !h.Due.Equal(workplan.DayEnd(day("2023-09-30"))) {
			t.Errorf("approved change: due %s", h.Due)
		}
		now = time.Date(2023, 10, 2, 0, 0, 0, 0, time.UTC)
		if _, err := s.RequestDeadlineChange(ctx, "county-clerk", hand.ID, workplan.DayEnd(day("2023-12-31")), "晚了"); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("a change after the deadline passed: %v", err)
		}
		if chs, _ := s.PlanChanges(ctx, p.ID); len(chs) != 1 || chs[0].Status != store.ChangeApproved || chs[0].DecidedBy != "city" {
			t.Errorf("changes: %+v", chs)
		}

		// A 督办单 through the ticket machinery.
		tk, err := s.Supervise(ctx, "city", review.LevelCity, t10.ID, "请说明滞后原因并于10日内报送整改措施", 10)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Kind != store.TicketSupervise || tk.PlanTask != t10.ID || tk.County != "370200" || !tk.Deadline.Equal(ticket.DueAfter(now, 10)) {
			t.Errorf("督办单: %+v", tk)
		}
		if back, _ := s.Ticket(ctx, tk.ID); back.PlanTask != t10.ID || back.Item != "请说明滞后原因并于10日内报送整改措施" {
			t.Errorf("督办单 read back: %+v", back)
		}
		if _, err := s.Supervise(ctx, "city", review.LevelCity, t10.ID, "again", 10); !errors.Is(err, store.ErrPlanInput) {
			t.Errorf("a second open 督办单: %v", err)
		}
		if _, err := s.TicketStep(ctx, "city", ticket.Owner, tk.ID, ticket.Report, "已召开专题会", []store.EvidenceUpload{{Name: "会议纪要.pdf", Data: planPDF}}); err != nil {
			t.Fatal(err)
		}
		if ts, _ := s.PlanTickets(ctx, p.ID); len(ts) != 1 || ts[0].Status != ticket.Submitted {
			t.Errorf("plan tickets: %+v", ts)
		}
		if n, err := s.RecognisedCounties(ctx, "3702", "yzjh2017"); err != nil || n != 0 {
			t.Errorf("recognised: %d %v", n, err)
		}
	})
}

// TestPlanSettings: a plan's title, report day and thresholds change after
// it is made, checked as at creation (nothing changes when refused), and
// the change is audited with what it was and what it is.
func TestPlanSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p, err := s.CreatePlan(ctx, "city", store.Plan{Region: "370200", Year: 2023, Title: "工作要点", ReportDay: 5, Settings: workplan.DefaultSettings()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		set := workplan.Settings{YellowBehind: 5, RedBehind: 20, NotStartedRedMonths: 2}
		got, err := s.SavePlanSettings(ctx, "city", p.ID, " 2023年工作要点 ", 10, set)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.Plan(ctx, p.ID)
		if again.Title != "2023年工作要点" || again.ReportDay != 10 || again.Settings != set || got != again {
			t.Fatalf("saved %+v, read back %+v", got, again)
		}
		for _, bad := range []struct {
			day int
			set workplan.Settings
		}{
			{32, set},
			{10, workplan.Settings{YellowBehind: 30, RedBehind: 10, NotStartedRedMonths: 3}},
			{10, workplan.Settings{YellowBehind: 0, RedBehind: 10, NotStartedRedMonths: 3}},
			{10, workplan.Settings{YellowBehind: 5, RedBehind: 10, NotStartedRedMonths: 0}},
		} {
			if _, err := s.SavePlanSettings(ctx, "city", p.ID, "x", bad.day, bad.set); !errors.Is(err, store.ErrPlanInput) {
				t.Errorf("day %d, %+v: %v", bad.day, bad.set, err)
			}
		}
		if after, _ := s.Plan(ctx, p.ID); after != again {
			t.Errorf("a refused change changed the plan: %+v", after)
		}
		if _, err := s.SavePlanSettings(ctx, "city", p.ID+99, "x", 5, set); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another plan: %v", err)
		}
		entries, err := s.AuditLog(ctx, "370200", 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Action == "plan.settings" && bytes.Contains([]byte(e.Detail), []byte("每月5日前报送")) && bytes.Contains([]byte(e.Detail), []byte("→ 每月10日前报送")) {
				found = true
			}
		}
		if !found {
			t.Errorf("no audit entry of the change: %+v", entries)
		}
	})
}
