package export

import (
	"math"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// StatusText is how a report writes an item's or a county's status: 达标,
// 未达标, or for pending items why they are pending — 待评议 (nobody has
// judged it), 待补数据 (data not reported) — so that "not yet judged" is
// never read as "not met".
func StatusText(s census.Status, awaiting []string) string {
	switch s {
	case census.StatusMet:
		return "达标"
	case census.StatusNotMet:
		return "未达标"
	}
	var w []string
	for _, a := range awaiting {
		switch a {
		case eval.AwaitJudgement:
			w = append(w, "待评议")
		case eval.AwaitData:
			w = append(w, "待补数据")
		}
	}
	if len(w) == 0 {
		return "待定"
	}
	return strings.Join(w, "、")
}

// VerdictText is how a report writes a county's verdict.
func VerdictText(v *eval.Verdict) string {
	switch v.Status {
	case census.StatusMet:
		return "达到认定标准"
	case census.StatusNotMet:
		if len(v.Vetoes) > 0 {
			return "未达到（一票否决）"
		}
		return "未达到"
	}
	return "待定（尚有待评议或待补数据的项目）"
}

// countyHeadline is the first line of a county in the text report.
func countyHeadline(res *eval.Result, c *eval.County) string {
	if c.Verdict == nil {
		s := "资源配置：" + resourceText(c)
		if !c.Complete {
			s += "（数据不全）"
		}
		return s
	}
	s := "结论：" + VerdictText(c.Verdict)
	if !res.Rules.Preschool() {
		s += "；资源配置：" + resourceText(c)
		if !c.Complete {
			s += "（数据不全）"
		}
	}
	return s
}

// writeVerdict writes a county's items, part by part, and the lists of
// unmet and pending items.
func writeVerdict(ew *errWriter, c *eval.County, d eval.Detail) {
	v := c.Verdict
	if !v.HasRecord {
		ew.printf("  （本年度没有县级数据：县级指标均待补数据，可用 dudao template --kind county 生成模板）\n")
	}
	for _, p := range v.Parts() {
		if d < eval.DetailIndicators {
			break
		}
		if p.ID == standards.PartResource {
			continue // shown above, indicator by indicator
		}
		ew.printf("  【%s】%s\n", p.ZH, statusOfPart(p))
		for _, it := range p.Items {
			mark := "  "
			switch it.Status {
			case census.StatusNotMet:
				mark = "✗ "
			case census.StatusPending:
				mark = "… "
			}
			ew.printf("    %s%s %s：%s", mark, Pad(it.Item.ZH, 30), Pad(StatusText(it.Status, it.Awaiting), 8), it.Reason)
			if j := it.Judgement; j != nil && it.Item.Evidence {
				switch {
				case !j.At.IsZero():
					ew.printf("（%s %s 评议", j.Actor, j.At.Format("2006-01-02"))
					if len(j.Evidence) > 0 {
						ew.printf("，佐证材料 %d 份", len(j.Evidence))
					}
					ew.printf("）")
				case len(j.Evidence) > 0:
					ew.printf("（已上传佐证材料 %d 份）", len(j.Evidence))
				}
			}
			ew.printf("\n")
			for _, cr := range it.Checks {
				for i, s := range cr.Schools {
					if i == 5 {
						ew.printf("         ……另有 %d 所\n", len(cr.Schools)-5)
						break
					}
					ew.printf("         %s %s：%s\n", s.Code, s.Name, s.Text)
				}
			}
		}
	}
	if len(v.Kindergartens) > 0 {
		ew.printf("  【幼儿园】%d 所，在园幼儿 %s 人\n", len(v.Kindergartens), fmtNum(kgChildren(v)))
	}
	if len(v.Unmet) > 0 {
		ew.printf("  未达标项目：%s\n", itemNames(v, v.Unmet))
	}
	if len(v.Vetoes) > 0 {
		ew.printf("  一票否决：%s\n", itemNames(v, v.Vetoes))
	}
	if len(v.Pending) > 0 {
		ew.printf("  待定项目：%s\n", itemNames(v, v.Pending))
	}
}

func kgChildren(v *eval.Verdict) float64 {
	var n float64
	for _, k := range v.Kindergartens {
		if !math.IsNaN(k.Children) {
			n += k.Children
		}
	}
	return n
}

func statusOfPart(p eval.PartItems) string {
	met := 0
	for _, it := range p.Items {
		if it.Status == census.StatusMet {
			met++
		}
	}
	return strconv.Itoa(met) + "/" + strconv.Itoa(len(p.Items)) + " 项达标"
}

// itemNames lists item ids with their names: 教师交流轮岗（teacher_rotation）.
func itemNames(v *eval.Verdict, ids []string) string {
	var out []string
	for _, id := range ids {
		if it := v.Item(id); it != nil {
			out = append(out, it.Item.ZH+"（"+StatusText(it.Status, it.Awaiting)+"）")
		}
	}
	return strings.Join(out, "、")
}

// itemsTable has one row per county, item and check (one row for an item
// without checks): the figures, the rule and the status, and the judgement.
func itemsTable(res *eval.Result) *Table {
	t := &Table{Name: "认定项目", Header: []string{"县区代码", "县区名称", "部分", "项目代码", "项目", "项目结论", "条件", "条件结论",
		"数值", "分子", "分母", "标准", "说明", "评议", "评议人", "评议时间", "评议意见", "佐证材料数"},
		Formats: map[int]string{8: "0.0000"}}
	for _, c := range res.Counties {
		if c.Verdict == nil {
			continue
		}
		for _, it := range c.Verdict.Items {
			base := []any{c.Code, c.Name, standards.PartZH(it.Item.Part), it.Item.ID, it.Item.ZH, StatusText(it.Status, it.Awaiting)}
			var judged []any
			if j := it.Judgement; j != nil && !j.At.IsZero() {
				judged = []any{j.Status.ZH(), j.Actor, j.At.Format("2006-01-02 15:04"), j.Comment, len(j.Evidence)}
			} else if j != nil {
				judged = []any{"未评议", "", "", "", len(j.Evidence)}
			} else if it.Item.Evidence {
				judged = []any{"未评议", "", "", "", 0}
			} else {
				judged = []any{"", "", "", "", 0}
			}
			if len(it.Checks) == 0 {
				row := append(append(base, "佐证评议", "", math.NaN(), math.NaN(), math.NaN(), "", it.Reason), judged...)
				t.Rows = append(t.Rows, row)
				continue
			}
			for _, cr := range it.Checks {
				ck := cr.Check
				std := ""
				if ck.Op != "" {
					std = standards.OpZH(ck.Op) + " " + standards.FormatThreshold(ck.Threshold, ck.Percent, ck.Unit)
				}
				row := append(append(base, ck.ZH, StatusText(cr.Status, nil), cr.Value, cr.Num, cr.Den, std, cr.Text), judged...)
				t.Rows = append(t.Rows, row)
			}
		}
	}
	return t
}

// kindergartensTable has one row per kindergarten (preschool standards).
func kindergartensTable(res *eval.Result) *Table {
	t := &Table{Name: "幼儿园", Header: []string{"县区代码", "县区名称", "幼儿园标识码", "幼儿园名称", "办园类型", "城乡类型",
		"在园幼儿数", "班数", "超班额班数", "专任教师数", "每名专任教师对应幼儿数", "专任教师持证率", "园长持证", "未填报"},
		Formats: map[int]string{10: "0.00", 11: "0.00%"}}
	for _, c := range res.Counties {
		if c.Verdict == nil {
			continue
		}
		for _, k := range c.Verdict.Kindergartens {
			t.Rows = append(t.Rows, []any{c.Code, c.Name, k.Code, k.Name, k.Category.ZH(), k.Location, k.Children, k.Classes,
				k.Oversize, k.Teachers, k.ChildrenPerTeacher, k.CertifiedShare, k.PrincipalCertified, strings.Join(k.Missing, "、")})
		}
	}
	return t
}

// floorText writes the school rule's floor of a threshold, as the profile
// prints it: 85%（3.57）. It is computed on the decimals (0.85 × 4.2 is 3.57,
// 0.85 × 2000 is 1700), never printed as 3.5700000001. Chongqing prints it
// rounded half-up to 2 decimals (4.505 as 4.51); the verdict always
// compares the exact floor.
func floorText(r *standards.Rules, threshold float64) string {
	return standards.FormatProduct(r.SchoolRule.Floor, 100, -1) + "%（" +
		standards.FormatProduct(r.SchoolRule.Floor, threshold, r.Settings.FloorDisplayDecimals) + "）"
}

// FloorText is floorText for other packages.
func FloorText(r *standards.Rules, threshold float64) string { return floorText(r, threshold) }

// TablesFor returns the tables that res has content for: the resource
// tables for school standards, the items for a whole evaluation, the
// kindergartens for preschool ones.
func TablesFor(res *eval.Result) []string {
	out := []string{"counties"}
	if !res.Rules.Preschool() {
		out = append(out, "indicators", "parts")
	}
	if res.Whole {
		out = append(out, "items")
		if res.Rules.Preschool() {
			out = append(out, "kindergartens")
		}
	}
	return out
}
