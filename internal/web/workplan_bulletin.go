package web

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/workplan"
)

// The monthly 通报 (bulletin) of a work plan, for a chosen month, as PDF,
// DOCX or HTML: the lights at the end of the month (or now, for the month
// under way), what was done (the month's progress reports), what is late
// and why (the light's reason and the reason the report gave), what was
// pressed (the 督办单 raised or open in the month), and the tasks without a
// report for the month. It names tasks and units, never individuals.
// Like the case documents, it is written in Chinese, the language of the
// bureau's official documents.

var lightZH = map[workplan.LightColor]string{workplan.Red: "红灯", workplan.Yellow: "黄灯", workplan.Green: "绿灯", workplan.Done: "已完成", workplan.Unknown: "未定期限"}

// planBulletin serves GET /plan/{id}/bulletin/{format}?month=2023-06.
func (s *Server) planBulletin(w http.ResponseWriter, r *http.Request) error {
	p, _, _, err := s.plan(r)
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	if format != "pdf" && format != "docx" && format != "html" {
		return notFound("error.404")
	}
	now := s.now()
	month := workplan.ReportPeriod(now)
	if m := r.URL.Query().Get("month"); m != "" {
		if month, err = workplan.ParsePeriod(m); err != nil {
			return badRequest("plan.bad_period", m)
		}
	}
	at := now
	if month.End().Before(now) {
		at = month.End().Add(-1)
	}
	if month.Start().After(now) {
		return badRequest("plan.future_month", string(month))
	}
	views, err := s.views(r, p, at, month)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, p.Region)
	if err != nil {
		return err
	}
	reports, err := s.st.PlanReports(r.Context(), p.ID, 0)
	if err != nil {
		return err
	}
	doc := bulletinDoc(p.Title, cmp.Or(rg.Name, p.Region), month, at, views, reports)
	name := fmt.Sprintf("%s-通报-%s", p.Title, month)
	switch format {
	case "pdf":
		attach(w, name+".pdf", "application/pdf")
		return doc.WritePDF(w)
	case "docx":
		attach(w, name+".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		return doc.WriteDOCX(w)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return doc.WriteHTML(w)
}

func taskName(v taskView) string {
	if v.Number == "" {
		return v.Title
	}
	return v.Number + ". " + v.Title
}

func fmtValue(x *float64, unit string) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'f', -1, 64) + unit
}

// bulletinDoc lays out the bulletin of month for the tasks as they stood at at.
func bulletinDoc(title, region string, month workplan.Period, at interface{ Format(string) string }, views []taskView, all []store.PlanReport) *report.Document {
	count := map[workplan.LightColor]int{}
	for _, v := range views {
		count[v.Light]++
	}
	m := month.Start().In(workplan.China)
	label := fmt.Sprintf("%d年%d月", m.Year(), int(m.Month()))
	d := &report.Document{Title: title + "推进情况通报", Subtitle: label, Header: title + " · " + label + "通报", Date: month.End(),
		Cover: [][2]string{{"单位", region}, {"月份", label}, {"任务", fmt.Sprintf("%d 项", len(views))},
			{"灯色", fmt.Sprintf("红灯 %d 项，黄灯 %d 项，绿灯 %d 项，已完成 %d 项", count[workplan.Red], count[workplan.Yellow], count[workplan.Green], count[workplan.Done])}}}
	d.Sections = append(d.Sections, report.Section{ID: "summary", Title: "一、总体情况", Paragraphs: []string{
		fmt.Sprintf("截至%s，%s共 %d 项任务：已完成 %d 项，进度正常（绿灯）%d 项，滞后 10 至 30 个百分点（黄灯）%d 项，严重滞后或逾期、未启动（红灯）%d 项。灯色按计划进度与报送的进展自动计算，不人工设定。",
			at.Format("2006年1月2日"), title, len(views), count[workplan.Done], count[workplan.Green], count[workplan.Yellow], count[workplan.Red]),
	}})

	// What was done: the month's reports.
	byID := map[int64]taskView{}
	for _, v := range views {
		byID[v.ID] = v
	}
	done := report.Table{Title: "本月工作进展", Columns: []report.Column{{Header: "任务", Width: 10}, {Header: "进展", Width: 16}, {Header: "完成", Width: 4}}}
	reported := map[int64]bool{}
	for _, rp := range all {
		v, ok := byID[rp.TaskID]
		if !ok || rp.Period != month {
			continue
		}
		reported[rp.TaskID] = true
		val := fmtValue(rp.Value, v.TargetUnit)
		if rp.Value == nil && rp.Percent != nil {
			val = fmtValue(rp.Percent, "%")
		}
		done.Rows = append(done.Rows, []report.Cell{report.TextCell(taskName(v)), report.TextCell(rp.Text), report.TextCell(val)})
	}
	sec := report.Section{ID: "done", Title: "二、本月完成情况"}
	if len(done.Rows) == 0 {
		sec.Paragraphs = []string{"本月没有报送进展。"}
	} else {
		sec.Tables = []report.Table{done}
	}
	d.Sections = append(d.Sections, sec)

	// What is late, and why.
	late := report.Table{Title: "滞后任务及原因", Columns: []report.Column{{Header: "任务", Width: 10}, {Header: "责任单位", Width: 6}, {Header: "灯色", Width: 3},
		{Header: "进度", Width: 9}, {Header: "滞后原因（报送）", Width: 9}}}
	for _, v := range views {
		if !v.Behind() {
			continue
		}
		why := "未说明"
		if v.Last != nil && v.Last.Reason != "" {
			why = v.Last.Reason
		} else if v.Last == nil {
			why = "未报送进展"
		}
		late.Rows = append(late.Rows, []report.Cell{report.TextCell(taskName(v)), report.TextCell(strings.Join(v.Units, "、")),
			{Text: lightZH[v.Light], Bad: v.Light == workplan.Red}, report.TextCell(v.Reason.Text), report.TextCell(why)})
	}
	sec = report.Section{ID: "late", Title: "三、滞后任务"}
	if len(late.Rows) == 0 {
		sec.Paragraphs = []string{"本月没有滞后任务。"}
	} else {
		sec.Tables = []report.Table{late}
	}
	d.Sections = append(d.Sections, sec)

	// What was pressed: the 督办单 raised in the month or still open at its end.
	pressed := report.Table{Title: "督办情况", Columns: []report.Column{{Header: "督办单", Width: 3}, {Header: "任务", Width: 9}, {Header: "督办事项", Width: 12},
		{Header: "回复期限", Width: 5}, {Header: "状态", Width: 4}}}
	statusZH := map[ticket.Status]string{ticket.Open: "待回复", ticket.Submitted: "已回复待核", ticket.Closed: "已办结"}
	for _, v := range views {
		for _, tk := range v.Tickets {
			if tk.CreatedAt.Before(month.Start()) && tk.Status == ticket.Closed && !tk.ClosedAt.After(month.Start()) {
				continue
			}
			pressed.Rows = append(pressed.Rows, []report.Cell{report.TextCell(strconv.FormatInt(tk.ID, 10)), report.TextCell(taskName(v)),
				report.TextCell(tk.Item), report.TextCell(ticket.Day(tk.Deadline.Add(-1))), {Text: statusZH[tk.Status], Bad: tk.Light == ticket.Red}})
		}
	}
	sec = report.Section{ID: "pressed", Title: "四、督办情况"}
	if len(pressed.Rows) == 0 {
		sec.Paragraphs = []string{"本月没有督办事项。"}
	} else {
		sec.Tables = []report.Table{pressed}
	}
	d.Sections = append(d.Sections, sec)

	// Tasks without a report for the month (started, not done).
	var missing []string
	for _, v := range views {
		if !reported[v.ID] && !v.Linked && v.Light != workplan.Done && (v.Start.IsZero() || v.Start.Before(month.End())) {
			missing = append(missing, taskName(v))
		}
	}
	sec = report.Section{ID: "missing", Title: "五、未报送进展的任务"}
	if len(missing) == 0 {
		sec.Paragraphs = []string{"各项任务均已报送本月进展（当前值由系统数据计算的任务无须报送）。"}
	} else {
		sec.Paragraphs = []string{strings.Join(missing, "；") + "。"}
	}
	d.Sections = append(d.Sections, sec)
	return d
}
