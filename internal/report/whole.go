package report

import (
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Whole is the verdict under the whole standard (eval.EvaluateWhole): every
// item of every part, judged by the engine or by people, and whether the
// county is recognised.
type Whole struct {
	Status     census.Status
	Recognised bool
	Verdict    string // 达到认定标准 / 未达到 / 待定…
	// Unmet, Pending and Vetoes name the items (Chinese names).
	Unmet, Pending, Vetoes []string
	HasRecord              bool // the county record of the year is there
}

func newWhole(v *eval.Verdict) *Whole {
	w := &Whole{Status: v.Status, Recognised: v.Recognised, Verdict: export.VerdictText(v), HasRecord: v.HasRecord}
	name := map[string]string{}
	for _, it := range v.Items {
		name[it.Item.ID] = it.Item.ZH
	}
	for _, id := range v.Unmet {
		w.Unmet = append(w.Unmet, name[id])
	}
	for _, id := range v.Pending {
		w.Pending = append(w.Pending, name[id])
	}
	for _, id := range v.Vetoes {
		w.Vetoes = append(w.Vetoes, name[id])
	}
	return w
}

// WholeSections are the sections a whole-standard verdict adds to a county
// report: the items of every part but the resource indicators (which the
// report shows itself), with their figures, judgements and status; and the
// kindergartens, for a preschool standard. NewCounty adds them when the
// county was evaluated with eval.EvaluateWhole; nil otherwise.
func WholeSections(c *eval.County) []Section {
	v := c.Verdict
	if v == nil {
		return nil
	}
	s := Section{ID: "items", Title: "认定项目", Place: AfterResources}
	para := "按整体标准，全县认定结论：" + export.VerdictText(v) + "。"
	w := newWhole(v)
	if len(w.Vetoes) > 0 {
		para += "一票否决：" + strings.Join(w.Vetoes, "、") + "。"
	}
	if len(w.Unmet) > 0 {
		para += "未达标项目：" + strings.Join(w.Unmet, "、") + "。"
	}
	if len(w.Pending) > 0 {
		para += "待定项目：" + strings.Join(w.Pending, "、") + "。"
	}
	s.Paragraphs = append(s.Paragraphs, para)
	if !v.HasRecord {
		s.Paragraphs = append(s.Paragraphs, "本年度没有县级数据：县级指标均待补数据（dudao template --kind county 生成模板）。")
	}
	for _, p := range v.Parts() {
		if p.ID == standards.PartResource {
			continue
		}
		t := Table{Title: fmt.Sprintf("%s（%s）", p.ZH, export.StatusText(p.Status, nil)), Sheet: p.ZH, Columns: []Column{
			{Header: "项目", Width: 7}, {Header: "要求", Width: 13}, {Header: "情况", Width: 14},
			{Header: "结论", Width: 3.5}, {Header: "评议", Width: 10},
		}}
		for _, it := range p.Items {
			title := it.Item.ZH
			if it.Item.No > 0 {
				title = fmt.Sprintf("%d. %s", it.Item.No, title)
			}
			if it.Item.Veto {
				title += "（否决项）"
			}
			var found []string
			for _, cr := range it.Checks {
				if cr.Text != "" {
					found = append(found, cr.Text)
				}
			}
			if len(found) == 0 && it.Reason != "" {
				found = append(found, it.Reason)
			}
			status := export.StatusText(it.Status, it.Awaiting)
			t.Rows = append(t.Rows, []Cell{TextCell(title), TextCell(it.Item.Rule), TextCell(strings.Join(found, "；")),
				{Text: status, Bad: it.Status == census.StatusNotMet}, TextCell(judgementText(it))})
		}
		s.Tables = append(s.Tables, t)
	}
	out := []Section{s}
	if len(v.Kindergartens) > 0 {
		var rows []KgRow
		for _, k := range v.Kindergartens {
			rows = append(rows, KgRow{Code: k.Code, Name: k.Name, Location: k.Location, Category: k.Category,
				Children: k.Children, Classes: k.Classes, Oversize: k.Oversize, Teachers: k.Teachers,
				Certified: k.CertifiedShare * k.Teachers})
		}
		out = append(out, KindergartenSection(rows))
	}
	return out
}

// judgementText says who judged an evidence item, when, and with what evidence.
func judgementText(it *eval.ItemResult) string {
	j := it.Judgement
	switch {
	case j != nil && !j.At.IsZero():
		s := fmt.Sprintf("%s（%s，%s）", j.Status.ZH(), j.Actor, j.At.Format("2006-01-02"))
		if j.Comment != "" {
			s += "：" + j.Comment
		}
		if n := len(j.Evidence); n > 0 {
			s += fmt.Sprintf("；佐证材料 %d 份", n)
		}
		return s
	case j != nil && len(j.Evidence) > 0:
		return fmt.Sprintf("未评议；佐证材料 %d 份", len(j.Evidence))
	case it.Item.Evidence:
		return "未评议"
	}
	return ""
}
