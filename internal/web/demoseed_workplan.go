package web

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/workplan"
)

// seedWorkplan gives the demo city a work plan in progress for the
// store's current year, through the same store calls the pages make: eight
// tasks (two whose current value dudao computes: the city's 普惠率 and its
// counties recognised), a progress report for each month gone by at the
// pace each task's story asks (one on schedule, one behind with its
// reason, one done, one never started and pressed by a 督办单 once three
// months have passed), and a deadline change waiting for the lead.
func seedWorkplan(ctx context.Context, st *store.Store, county *demo.CountyNote) error {
	city := census.CityCode(county.Code)
	now := st.Now()
	year := now.In(workplan.China).Year()
	start := workplan.DayStart(time.Date(year, 1, 1, 0, 0, 0, 0, workplan.China))
	due := workplan.DayEnd(time.Date(year, 12, 31, 0, 0, 0, 0, workplan.China))
	mid := workplan.DayEnd(time.Date(year, 6, 30, 0, 0, 0, 0, workplan.China))
	sec1, sec2 := "一、扩大优质教育资源供给", "二、深化教育督导评价"
	type story struct {
		task  store.PlanTask
		pace  float64 // the share of the expected progress reported each month; 0 for none
		why   string  // the reason given when behind
		early bool    // reported done by mid-year
	}
	stories := []story{
		{store.PlanTask{Number: "1", Section: sec1, Title: "新建、改扩建中小学幼儿园", Lead: "分管副局长", Units: []string{"发展规划科", "基础教育科"},
			Target: 12, TargetUnit: "所", TargetText: "新建、改扩建中小学幼儿园12所"}, 0.95, "", false},
		{store.PlanTask{Number: "2", Section: sec1, Title: "新增公办学位", Lead: "分管副局长", Units: []string{"发展规划科"},
			Target: 8000, TargetUnit: "个", TargetText: "提供学位8000个"}, 0.7, "两所新建学校受用地调整影响，开工推迟", false},
		{store.PlanTask{Number: "3", Section: sec1, Title: "提高普惠性幼儿园覆盖率", Lead: "分管副局长", Units: []string{"学前教育科"},
			Target: 90, TargetUnit: "%", TargetText: "普惠性幼儿园覆盖率达到90%", Link: store.LinkPreschoolInclusive}, 0, "", false},
		{store.PlanTask{Number: "4", Section: sec1, Title: "落实课后服务全覆盖", Lead: "分管副局长", Units: []string{"基础教育科"}}, 1, "", true},
		{store.PlanTask{Number: "5", Section: sec2, Title: "推进义务教育优质均衡发展县创建", Lead: "督学", Units: []string{"教育督导室"},
			Target: 3, TargetUnit: "个", TargetText: "通过认定的县区3个", Link: store.LinkCasesRecognised, LinkArg: "yzjh2017"}, 0, "", false},
		{store.PlanTask{Number: "6", Section: sec2, Title: "建设校外培训机构监管平台", Lead: "分管副局长", Units: []string{"校外教育培训监管科"}}, 0, "", false},
		{store.PlanTask{Number: "7", Section: sec2, Title: "培训中小学信息化骨干教师", Lead: "分管副局长", Units: []string{"教师工作科", "电教馆"},
			Target: 500, TargetUnit: "名", TargetText: "培养信息化骨干教师500名"}, 1.05, "", false},
		{store.PlanTask{Number: "8", Section: sec2, Title: "出台特色高中评估办法", Lead: "分管副局长", Units: []string{"基础教育科"}, Due: mid}, 0.6, "征求意见范围扩大，需再次论证", false},
	}
	var tasks []store.PlanTask
	for _, s := range stories {
		t := s.task
		t.Start = start
		if t.Due.IsZero() {
			t.Due = due
		}
		tasks = append(tasks, t)
	}
	p, err := st.CreatePlan(ctx, "city", store.Plan{Region: city, Year: year, Title: fmt.Sprintf("%d年全市教育工作要点", year)}, tasks)
	if err != nil {
		return err
	}
	saved, err := st.PlanTasks(ctx, p.ID)
	if err != nil {
		return err
	}
	// A report for each month gone by, at each story's pace.
	for m := workplan.PeriodOf(start); m.End().Before(now) || m.End().Equal(now); m = workplan.PeriodOf(m.End().Add(time.Hour)) {
		for i, s := range stories {
			t := saved[i]
			if s.pace == 0 || !m.Start().Before(t.Due) {
				continue
			}
			expected := math.Min(1, float64(m.End().Sub(t.Start))/float64(t.Due.Sub(t.Start)))
			done := math.Min(1, expected*s.pace)
			if s.early {
				done = math.Min(1, done*2)
			}
			r := store.PlanReport{TaskID: t.ID, Period: m, Text: fmt.Sprintf("%s：按计划推进，本月完成阶段工作。", m)}
			if t.Target > 0 {
				v := math.Round(t.Target * done)
				r.Value = &v
			} else {
				pct := math.Round(done * 100)
				r.Percent = &pct
			}
			if s.pace < 0.9 {
				r.Reason = s.why
			}
			if _, err := st.SendPlanReport(ctx, "city", r, nil); err != nil {
				return err
			}
		}
	}
	// The task never started is pressed once it has been three months.
	if !now.Before(start.AddDate(0, 3, 0)) {
		if _, err := st.Supervise(ctx, "city", review.LevelCity, saved[5].ID, "请说明监管平台建设未启动的原因，提出推进措施和完成时间", 10); err != nil {
			return err
		}
	}
	// A deadline change waiting for the lead, asked before the deadline.
	if now.Before(saved[6].Due) {
		if _, err := st.RequestDeadlineChange(ctx, "county", saved[6].ID, saved[6].Due.AddDate(0, 1, 0), "部分培训安排在寒假进行"); err != nil {
			return err
		}
	}
	return nil
}
