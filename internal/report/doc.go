package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// doc is a report laid out for reading, independent of the medium: a cover,
// then numbered sections of paragraphs, tables and charts. The PDF and the
// HTML renderers both draw it, so the two always say the same thing.
type doc struct {
	Title    string
	Subtitle string
	Cover    []kv
	Pass     bool
	Verdict  string
	Header   string // running page header
	Sections []*sec
}

type kv struct{ K, V string }

// sec is a section; Level 1 sections are chapters (一、…, 附表…).
type sec struct {
	ID     string
	Title  string
	Level  int
	Wide   bool // landscape pages in the PDF
	Break  bool // starts on a new page
	Blocks []block
}

// block is one of: a paragraph, a list, a table, a chart, a verdict line.
type block struct {
	Para    string
	List    []string
	Table   *Table
	Chart   *chart
	Verdict *verdictLine
	Note    string // small print
}

type verdictLine struct {
	Label string
	Text  string
	Pass  bool
}

// chart is a horizontal bar chart: one bar a label, an optional limit line.
type chart struct {
	Title string
	Bars  []bar
	// Max is the axis maximum; Ticks the gridline values.
	Max   float64
	Ticks []float64
	// TickFmt formats tick labels (decimals).
	TickDecimals int
	// Limit draws a vertical line at that value (0: none), with LimitLabel.
	Limit      float64
	LimitLabel string
	Legend     []legend
}

type bar struct {
	Label string
	Value float64 // NaN: no bar ("无法计算")
	Text  string  // the value as printed at the bar's end
	Bad   bool
	Flag  bool
}

type legend struct {
	Text string
	Bad  bool
}

var chineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

// numberSections prefixes chapters with 一、二、… and 附表 with 1, 2, ….
func (d *doc) numberSections() {
	n, a := 0, 0
	for _, s := range d.Sections {
		if s.Level != 1 {
			continue
		}
		if strings.HasPrefix(s.Title, "附表") {
			a++
			s.Title = fmt.Sprintf("附表%d %s", a, strings.TrimPrefix(s.Title, "附表"))
			continue
		}
		if n < len(chineseNumerals) {
			s.Title = chineseNumerals[n] + "、" + s.Title
		}
		n++
	}
}

// niceAxis returns an axis maximum at least max and gridlines for it.
func niceAxis(max float64) (float64, []float64, int) {
	if max <= 0 || math.IsNaN(max) {
		max = 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top := math.Ceil(max/step-1e-9) * step
	var ticks []float64
	for i := 0; float64(i)*step <= top+step/2; i++ {
		ticks = append(ticks, float64(i)*step)
	}
	dec := 0
	for s := step; s < 1-1e-9 && dec < 4; s *= 10 {
		dec++
	}
	if step == 2.5*mag && mag < 10 {
		dec++
	}
	return top, ticks, dec
}

// cvChart draws a stage's CVs against their limit.
func cvChart(st *Stage) *chart {
	c := &chart{Title: st.Name + "各项指标差异系数与上限"}
	max := 0.0
	limit := 0.0
	for _, ir := range st.Indicators {
		b := bar{Label: ir.Short, Value: ir.CV, Text: f4(ir.CV), Bad: !ir.Pass, Flag: ir.Flips}
		if !ir.Defined {
			b.Text = VerdictUndefined
		}
		if ir.Flips {
			b.Text += "※"
		}
		c.Bars = append(c.Bars, b)
		if ir.Defined {
			max = math.Max(max, ir.CV)
		}
		limit = math.Max(limit, ir.Limit)
	}
	if limit > 0 {
		c.Limit = limit
		c.LimitLabel = "上限 " + f2(limit)
	}
	c.Max, c.Ticks, c.TickDecimals = niceAxis(math.Max(max, limit) * 1.08)
	c.Legend = []legend{{"在上限以内", false}, {"超过上限或无法认定", true}}
	return c
}

// belowChart counts, per indicator, the school parts below the threshold.
func belowChart(st *Stage) *chart {
	c := &chart{Title: fmt.Sprintf("%s各项指标低于标准值的学校（部）数（共 %d 个）", st.Name, st.Parts)}
	max := 0
	for _, ir := range st.Indicators {
		c.Bars = append(c.Bars, bar{Label: ir.Short, Value: float64(ir.PartsBelow),
			Text: fmt.Sprintf("%d（%s）", ir.PartsBelow, pct(float64(ir.PartsBelow)/float64(max1(st.Parts)))), Bad: ir.PartsBelow > 0})
		max = maxInt(max, ir.PartsBelow)
	}
	top := float64(max)
	if top < 5 {
		top = 5
	}
	c.Max, c.Ticks, c.TickDecimals = niceAxis(top)
	c.TickDecimals = 0
	c.Legend = []legend{{"低于标准值的学校（部）", true}}
	return c
}

func max1(n int) int { return maxInt(n, 1) }

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// signedFormat shows a margin or a change with its sign, to 4 decimals.
const signedFormat = "+0.0000;-0.0000;0.0000"

// countyDoc lays out a county report.
func countyDoc(c *County) *doc {
	d := &doc{Title: c.Title(), Subtitle: "自评报告", Pass: c.Pass, Verdict: c.Verdict,
		Header: fmt.Sprintf("%s %d年度资源配置自评报告", c.Name, c.Year)}
	region := c.Name + "（" + c.Code + "）"
	if c.City != "" {
		region = c.Province + c.City + c.Name + "（" + c.Code + "）"
	}
	d.Cover = []kv{
		{"县区", region},
		{"统计年度", fmt.Sprintf("%d年度", c.Year)},
		{"评估标准", strings.TrimSpace(c.StandardName + "\n" + c.Document)},
		{"评估方案", c.ProfileName},
		{"资源配置结论", c.Verdict},
		{"报告日期", c.DateZH()},
	}
	if c.Whole != nil {
		d.Cover = append(d.Cover[:5:5], kv{"整体认定结论", c.Whole.Verdict}, d.Cover[5])
	}
	if c.DataStatus != "" {
		d.Cover = append(d.Cover, kv{"数据状态", c.DataStatus})
	}
	if c.Preschool {
		d.Cover = slices.Delete(d.Cover, 4, 5) // no resource part
		d.Pass, d.Verdict = c.Whole != nil && c.Whole.Recognised, wholeVerdict(c)
	} else if c.Comparison != "" {
		d.Cover = append(d.Cover, kv{"判定精度", c.Comparison})
	}
	// 总体情况
	ov := &sec{ID: "overview", Title: "总体情况", Level: 1, Break: true}
	if !c.Preschool {
		ov.Blocks = append(ov.Blocks, block{Verdict: &verdictLine{Label: "资源配置结论", Text: c.Verdict, Pass: c.Pass}})
	}
	if c.Whole != nil {
		ov.Blocks = append(ov.Blocks, block{Verdict: &verdictLine{Label: "整体认定结论", Text: c.Whole.Verdict, Pass: c.Whole.Recognised}})
	}
	for _, p := range c.Overview {
		ov.Blocks = append(ov.Blocks, block{Para: p})
	}
	if len(c.Stages) > 0 {
		ov.Blocks = append(ov.Blocks, block{Table: stagesTable(c)})
	}
	if len(c.Changed) > 0 {
		ov.Blocks = append(ov.Blocks, block{Note: "本方案与全国标准的不同：" + strings.Join(c.Changed, "；") + "。"})
	}
	d.Sections = append(d.Sections, ov)
	// 各学段
	for _, st := range c.Stages {
		s := &sec{ID: "stage-" + string(st.Stage), Title: st.Name + "资源配置", Level: 1, Break: true}
		if st.Parts == 0 {
			s.Blocks = append(s.Blocks, block{Para: "没有参与计算的学校（部）。"})
			d.Sections = append(d.Sections, s)
			continue
		}
		s.Blocks = append(s.Blocks, block{Verdict: &verdictLine{Label: st.Name + "结论", Text: verdictOf(st.Pass, st.Missing > 0), Pass: st.Pass}})
		s.Blocks = append(s.Blocks, block{Para: stagePara(st)})
		s.Blocks = append(s.Blocks, block{Table: cvTable(st, false)})
		if !math.IsNaN(st.CompositeCV) {
			if st.CompositeLimit > 0 {
				s.Blocks = append(s.Blocks, block{Note: fmt.Sprintf("综合差异系数（%d 项平均）%s，上限 %s。", len(st.Indicators), f4(st.CompositeCV), f2(st.CompositeLimit))})
			} else {
				s.Blocks = append(s.Blocks, block{Note: fmt.Sprintf("综合差异系数（%d 项平均）%s，仅供参考：本标准对每项指标分别判定，不对综合差异系数设上限。", len(st.Indicators), f4(st.CompositeCV))})
			}
		}
		s.Blocks = append(s.Blocks, block{Chart: cvChart(st)})
		below := 0
		for _, ir := range st.Indicators {
			below += ir.PartsBelow
		}
		if below > 0 {
			s.Blocks = append(s.Blocks, block{Chart: belowChart(st)})
		} else {
			s.Blocks = append(s.Blocks, block{Note: "各项指标都没有低于标准值的学校（部）。"})
		}
		d.Sections = append(d.Sections, s)
	}
	d.Sections = append(d.Sections, extraSecs(c, AfterResources)...)
	// 未达标项目 (of the resource part; the items section lists the others)
	school := len(c.Stages) > 0
	if school {
		um := &sec{ID: "unmet", Title: "未达标项目", Level: 1}
		if len(c.Unmet) == 0 {
			um.Blocks = append(um.Blocks, block{Para: "资源配置没有未达标项目。"})
		} else {
			um.Blocks = append(um.Blocks, block{Para: fmt.Sprintf("共 %d 项。差异系数超过上限的指标、未通过“至少 6 项达标、其余不低于 85%%”的学校（部）和数据不全的学校（部）逐项列出：", len(c.Unmet))})
			um.Blocks = append(um.Blocks, block{Table: unmetTable(c)})
		}
		d.Sections = append(d.Sections, um)
	}
	d.Sections = append(d.Sections, extraSecs(c, AfterUnmet)...)
	if ch := c.Change; ch != nil && school {
		s := &sec{ID: "change", Title: "与上年比较", Level: 1}
		s.Blocks = append(s.Blocks, block{Para: fmt.Sprintf("%d 年度资源配置结论为“%s”，%d 年度为“%s”。", ch.PrevYear, ch.PrevVerdict, c.Year, c.Verdict)})
		if len(ch.Notes) > 0 {
			s.Blocks = append(s.Blocks, block{List: ch.Notes})
		}
		s.Blocks = append(s.Blocks, block{Table: countChangeTable(ch, c.Year)}, block{Table: cvChangeTable(ch, c.Year)})
		d.Sections = append(d.Sections, s)
	}
	if school {
		ex := &sec{ID: "exclusions", Title: "不参与计算的学校", Level: 1}
		if len(c.Exclusions) == 0 {
			ex.Blocks = append(ex.Blocks, block{Para: "没有不参与计算的学校。"})
		} else {
			ex.Blocks = append(ex.Blocks, block{Para: fmt.Sprintf("以下 %d 个学校（部）按规定不参与七项指标和差异系数的计算：", len(c.Exclusions))},
				block{Table: exclusionsTable(c)})
		}
		d.Sections = append(d.Sections, ex)
		d.Sections = append(d.Sections, precisionSec(c.Precision))
		// 附表
		d.Sections = append(d.Sections, &sec{ID: "appendix-cv", Title: "附表差异系数表", Level: 1, Break: true, Wide: true,
			Blocks: []block{{Table: cvFullTable(c)}, {Note: "差异系数：以在校生数加权的标准差 ÷ 加权均值；余量 = 上限 − 差异系数，负数为超出。※ 保留两位小数会改变结论。"}}})
	}
	for _, st := range c.Stages {
		if st.Parts == 0 {
			continue
		}
		d.Sections = append(d.Sections, &sec{ID: "appendix-" + string(st.Stage), Title: "附表" + st.Name + "学校（部）指标表", Level: 1, Break: true, Wide: true,
			Blocks: []block{{Table: schoolsTable(c, st)}, {Note: schoolsNote(c, st)}}})
	}
	for _, s := range extraSecs(c, Appendix) {
		s.Title = "附表" + s.Title
		s.Wide = true
		d.Sections = append(d.Sections, s)
	}
	d.numberSections()
	return d
}

func verdictOf(pass, incomplete bool) string {
	switch {
	case pass:
		return VerdictPass
	case incomplete:
		return VerdictIncomplete
	}
	return VerdictFail
}

func stagePara(st *Stage) string {
	s := fmt.Sprintf("参与计算的学校（部）%d 个，在校生 %s 人", st.Parts, fcount(st.Students))
	if st.Excluded > 0 {
		s += fmt.Sprintf("，另有 %d 个不参与计算", st.Excluded)
	}
	s += fmt.Sprintf("。学校达标 %d 个", st.Parts-st.Failing-st.Missing)
	if st.Failing > 0 {
		s += fmt.Sprintf("、未达标 %d 个", st.Failing)
	}
	if st.Missing > 0 {
		s += fmt.Sprintf("、数据不全 %d 个", st.Missing)
	}
	over := 0
	for _, ir := range st.Indicators {
		if !ir.Pass {
			over++
		}
	}
	if over == 0 {
		s += fmt.Sprintf("；%d 项差异系数均在上限 %s 以内。", len(st.Indicators), f2(limitOf(st)))
	} else {
		s += fmt.Sprintf("；%d 项差异系数中 %d 项超过上限 %s 或无法认定。", len(st.Indicators), over, f2(limitOf(st)))
	}
	return s
}

func extraSecs(c *County, place Placement) []*sec {
	var out []*sec
	for i, x := range c.Sections {
		if x.Place != place {
			continue
		}
		out = append(out, secOf(x, i))
	}
	return out
}

// secOf lays out Section x, the i-th of its list.
func secOf(x Section, i int) *sec {
	id := x.ID
	if id == "" {
		id = fmt.Sprintf("section-%d", i+1)
	}
	s := &sec{ID: id, Title: x.Title, Level: 1}
	for _, p := range x.Paragraphs {
		s.Blocks = append(s.Blocks, block{Para: p})
	}
	for j := range x.Tables {
		t := x.Tables[j]
		s.Blocks = append(s.Blocks, block{Table: &t})
		if t.Note != "" {
			s.Blocks = append(s.Blocks, block{Note: t.Note})
		}
		if t.Wide {
			s.Wide = true
		}
	}
	return s
}

func verdictCell(v string) Cell {
	return Cell{Text: v, Bad: v != VerdictPass && v != "—"}
}

func stagesTable(c *County) *Table {
	t := &Table{Title: "各学段评估结果", Columns: []Column{
		{Header: "学段", Width: 3}, {Header: "学校（部）", Width: 4, Number: true},
		{Header: "在校生（人）", Width: 5, Number: true}, {Header: "学校达标", Width: 4, Number: true},
		{Header: "差异系数达标", Width: 5, Number: true}, {Header: "结论", Width: 4},
	}}
	for _, st := range c.Stages {
		within := 0
		for _, ir := range st.Indicators {
			if ir.Pass {
				within++
			}
		}
		t.Rows = append(t.Rows, []Cell{TextCell(st.Name), NumCell(float64(st.Parts), 0), NumCell(st.Students, 0),
			{Text: fmt.Sprintf("%d/%d", st.Parts-st.Failing-st.Missing, st.Parts), Bad: st.Failing+st.Missing > 0},
			{Text: fmt.Sprintf("%d/%d", within, len(st.Indicators)), Bad: within < len(st.Indicators)},
			verdictCell(verdictOf(st.Pass, st.Missing > 0))})
	}
	return t
}

func cvCell(ir *IndicatorRow) Cell {
	c := NumCell(ir.CV, 4)
	c.Bad = !ir.Pass
	if ir.Flips {
		c.Text += "※"
	}
	return c
}

// cvTable is a stage's CV table; full adds the counts.
func cvTable(st *Stage, full bool) *Table {
	t := &Table{Title: st.Name + "差异系数", Columns: []Column{
		{Header: "指标", Width: 17}, {Header: "单位", Width: 4}, {Header: "标准值", Width: 4, Number: true},
		{Header: "加权均值", Width: 5, Number: true}, {Header: "标准差", Width: 5, Number: true},
		{Header: "差异系数", Width: 5, Number: true}, {Header: "上限", Width: 3, Number: true},
		{Header: "余量", Width: 5, Number: true}, {Header: "结论", Width: 4},
	}}
	for i := range st.Indicators {
		ir := &st.Indicators[i]
		margin := Cell{Text: signed4(ir.Margin), Num: ir.Margin, IsNum: true, Bad: ir.Margin < 0}
		t.Rows = append(t.Rows, []Cell{TextCell(ir.Name), TextCell(ir.Unit), {Text: fnum(ir.Threshold), Num: ir.Threshold, IsNum: true},
			NumCell(ir.Mean, meanDecimals(ir.Mean)), NumCell(ir.SD, meanDecimals(ir.Mean)), cvCell(ir), NumCell(ir.Limit, 2),
			margin, verdictCell(ir.Verdict)})
	}
	return t
}

// meanDecimals shows large means (元/生) to 2 decimals, small ones to 4.
func meanDecimals(v float64) int {
	if math.Abs(v) >= 100 {
		return 2
	}
	return 4
}

func cvFullTable(c *County) *Table {
	t := &Table{Title: "差异系数表", Columns: []Column{
		{Header: "学段", Width: 2.5}, {Header: "指标", Width: 14}, {Header: "单位", Width: 3.5},
		{Header: "标准值", Width: 3.5, Number: true, Format: "General"}, {Header: "学校（部）", Width: 3.5, Number: true},
		{Header: "在校生", Width: 4, Number: true}, {Header: "加权均值", Width: 5, Number: true, Decimals: 4},
		{Header: "标准差", Width: 5, Number: true, Decimals: 4}, {Header: "差异系数", Width: 5, Number: true, Decimals: 4},
		{Header: "上限", Width: 2.5, Number: true, Decimals: 2}, {Header: "余量", Width: 5, Number: true, Format: signedFormat},
		{Header: "结论", Width: 4}, {Header: "低于标准值", Width: 4, Number: true}, {Header: "未填报", Width: 3, Number: true},
	}}
	for _, st := range c.Stages {
		for i := range st.Indicators {
			ir := &st.Indicators[i]
			t.Rows = append(t.Rows, []Cell{TextCell(st.Name), TextCell(ir.Name), TextCell(ir.Unit),
				{Text: fnum(ir.Threshold), Num: ir.Threshold, IsNum: true}, NumCell(float64(ir.N), 0), NumCell(ir.Students, 0),
				NumCell(ir.Mean, meanDecimals(ir.Mean)), NumCell(ir.SD, meanDecimals(ir.Mean)), cvCell(ir), NumCell(ir.Limit, 2),
				{Text: signed4(ir.Margin), Num: ir.Margin, IsNum: true, Bad: ir.Margin < 0}, verdictCell(ir.Verdict),
				NumCell(float64(ir.PartsBelow), 0), {Text: fmt.Sprint(ir.Missing), Num: float64(ir.Missing), IsNum: true, Bad: ir.Missing > 0}})
		}
	}
	return t
}

func schoolsTable(c *County, st *Stage) *Table {
	t := &Table{Title: st.Name + "学校（部）指标表", Wide: true, Columns: []Column{
		{Header: "学校标识码", Width: 5.6}, {Header: "学校名称", Width: 9.5}, {Header: "类型", Width: 4.4},
		{Header: "在校生", Width: 3.2, Number: true},
	}}
	for _, ind := range c.Indicators {
		t.Columns = append(t.Columns, Column{Header: ind.Short + "\n（" + ind.Unit + "）", Width: 4.2, Number: true, Decimals: 2})
	}
	t.Columns = append(t.Columns, Column{Header: "达标项数", Width: 2.6, Number: true}, Column{Header: "结论", Width: 3.2})
	for _, s := range st.Schools {
		row := []Cell{TextCell(s.Code), TextCell(s.Name), TextCell(s.Type), NumCell(s.Students, 0)}
		for k, v := range s.Values {
			cell := NumCell(v, 2)
			cell.Bad = s.Below[k] || math.IsNaN(v)
			row = append(row, cell)
		}
		row = append(row, NumCell(float64(s.Met), 0), verdictCell(s.Verdict))
		t.Rows = append(t.Rows, row)
	}
	return t
}

func schoolsNote(c *County, st *Stage) string {
	var ths []string
	for _, ir := range st.Indicators {
		ths = append(ths, ir.Short+" "+fnum(ir.Threshold))
	}
	return "标准值：" + strings.Join(ths, "，") + "。红色为低于标准值或未填报（—）；学校须至少 6 项达标、其余不低于标准值的 85%。"
}

func unmetTable(c *County) *Table {
	t := &Table{Title: "未达标项目", Columns: []Column{
		{Header: "学段", Width: 2.5}, {Header: "类别", Width: 4}, {Header: "项目", Width: 12}, {Header: "情况", Width: 26},
	}}
	for _, u := range c.Unmet {
		t.Rows = append(t.Rows, []Cell{TextCell(u.Stage), TextCell(u.Kind), TextCell(u.Subject), TextCell(u.Detail)})
	}
	return t
}

func exclusionsTable(c *County) *Table {
	t := &Table{Title: "不参与计算的学校", Columns: []Column{
		{Header: "学校标识码", Width: 6}, {Header: "学校名称", Width: 10}, {Header: "学段", Width: 2.5},
		{Header: "类型", Width: 5}, {Header: "在校生", Width: 3, Number: true}, {Header: "原因", Width: 18},
	}}
	for _, e := range c.Exclusions {
		t.Rows = append(t.Rows, []Cell{TextCell(e.Code), TextCell(e.Name), TextCell(e.Stage), TextCell(e.Type), NumCell(e.Students, 0), TextCell(e.Reason)})
	}
	return t
}

func countChangeTable(ch *Change, year int) *Table {
	t := &Table{Title: "主要数字", Columns: []Column{
		{Header: "项目", Width: 14}, {Header: fmt.Sprintf("%d年度", ch.PrevYear), Width: 5, Number: true},
		{Header: fmt.Sprintf("%d年度", year), Width: 5, Number: true}, {Header: "变化", Width: 5, Number: true},
	}}
	for _, r := range ch.Counts {
		d := r.Cur - r.Prev
		t.Rows = append(t.Rows, []Cell{TextCell(r.Label), NumCell(r.Prev, 0), NumCell(r.Cur, 0), {Text: signedInt(d), Num: d, IsNum: true}})
	}
	return t
}

func signedInt(v float64) string {
	if v > 0 {
		return "+" + fcount(v)
	}
	if v < 0 {
		return "−" + fcount(-v)
	}
	return "0"
}

func cvChangeTable(ch *Change, year int) *Table {
	t := &Table{Title: "差异系数变化", Columns: []Column{
		{Header: "学段", Width: 2.5}, {Header: "指标", Width: 14},
		{Header: fmt.Sprintf("%d年度", ch.PrevYear), Width: 5, Number: true, Decimals: 4},
		{Header: fmt.Sprintf("%d年度", year), Width: 5, Number: true, Decimals: 4},
		{Header: "变化", Width: 5, Number: true, Format: signedFormat}, {Header: "上限", Width: 3, Number: true, Decimals: 2}, {Header: "结论变化", Width: 7},
	}}
	for _, r := range ch.Rows {
		prev := NumCell(r.Prev, 4)
		prev.Bad = !r.PrevPass && !math.IsNaN(r.Prev)
		cur := NumCell(r.Cur, 4)
		cur.Bad = !r.CurPass
		delta := Cell{Text: signed4(r.Delta), Num: r.Delta, IsNum: true}
		word := "—"
		switch {
		case math.IsNaN(r.Prev) || math.IsNaN(r.Cur):
		case r.PrevPass && r.CurPass:
			word = "仍达标"
		case !r.PrevPass && !r.CurPass:
			word = "仍未达标"
		case r.CurPass:
			word = "转为达标"
		default:
			word = "转为未达标"
		}
		t.Rows = append(t.Rows, []Cell{TextCell(r.Stage), TextCell(r.Indicator.Name), prev, cur, delta, NumCell(r.Limit, 2),
			{Text: word, Bad: word == "转为未达标" || word == "仍未达标"}})
	}
	return t
}

// compareNote says how CVs were compared with their limits.
func compareNote(d int) string {
	if d < 0 {
		return "差异系数以未舍入的值与上限比较（cv_compare_decimals = -1）。"
	}
	return fmt.Sprintf("差异系数四舍五入保留 %d 位小数后与上限比较（cv_compare_decimals = %d）。", d, d)
}

func precisionSec(p Precision) *sec {
	s := &sec{ID: "precision", Title: "计算精度说明", Level: 1}
	s.Blocks = append(s.Blocks, block{List: p.Notes})
	if len(p.Flips) == 0 {
		s.Blocks = append(s.Blocks, block{Para: "本报告没有因保留两位小数而会改变结论的差异系数。"})
	} else {
		basis := "未舍入的值"
		if p.CompareDecimals >= 0 {
			basis = fmt.Sprintf("保留 %d 位小数（四舍五入）后的值", p.CompareDecimals)
		}
		s.Blocks = append(s.Blocks, block{Para: fmt.Sprintf("以下 %d 项差异系数保留两位小数会改变结论（表中以“※”标出），结论以%s为准：", len(p.Flips), basis)},
			block{List: p.Flips})
	}
	return s
}

// summaryDoc lays out a city or province summary.
func summaryDoc(s *Summary) *doc {
	level := "市"
	if s.Level == "province" {
		level = "省"
	}
	d := &doc{Title: s.Title(), Subtitle: "县区比较", Pass: s.Failed+s.Incomplete == 0,
		Verdict: fmt.Sprintf("达标 %d / %d", s.Passed, len(s.Counties)),
		Header:  fmt.Sprintf("%s%d年度%s", s.Name, s.Year, s.kind())}
	counts := fmt.Sprintf("%d 个：达标 %d，未达标 %d，数据不全 %d", len(s.Counties), s.Passed, s.Failed, s.Incomplete)
	if s.Whole {
		d.Verdict = fmt.Sprintf("达到认定标准 %d / %d", s.Passed, len(s.Counties))
		counts = fmt.Sprintf("%d 个：达到认定标准 %d，未达到 %d，待定 %d；资源配置达标 %d", len(s.Counties), s.Passed, s.Failed, s.Incomplete, s.ResourcePassed)
	}
	d.Cover = []kv{
		{"范围", fmt.Sprintf("%s（%s，%s级）", s.Name, s.Code, level)},
		{"统计年度", fmt.Sprintf("%d年度", s.Year)},
		{"评估标准", strings.TrimSpace(s.StandardName + "\n" + s.Document)},
		{"评估方案", s.ProfileName},
		{"县区", counts},
		{"报告日期", s.DateZH()},
	}
	if s.Comparison != "" {
		d.Cover = append(d.Cover, kv{"判定精度", s.Comparison})
	}
	if s.DataStatus != "" {
		d.Cover = append(d.Cover, kv{"数据状态", s.DataStatus})
	}
	ov := &sec{ID: "overview", Title: "总体情况", Level: 1, Break: true}
	for _, p := range s.Overview() {
		ov.Blocks = append(ov.Blocks, block{Para: p})
	}
	if len(s.Cities) > 1 {
		ov.Blocks = append(ov.Blocks, block{Table: citiesTable(s)})
	}
	d.Sections = append(d.Sections, ov)
	d.Sections = append(d.Sections, &sec{ID: "ranking", Title: "县区排名", Level: 1, Break: true, Wide: true,
		Blocks: []block{{Table: rankingTable(s)}, {Note: rankingNote(s)}}})
	ind := &sec{ID: "indicators", Title: "各指标情况", Level: 1, Break: true}
	ind.Blocks = append(ind.Blocks, block{Chart: indicatorChart(s)}, block{Table: indicatorTable(s)})
	d.Sections = append(d.Sections, ind)
	prec := &sec{ID: "precision", Title: "计算精度说明", Level: 1}
	prec.Blocks = append(prec.Blocks, block{List: []string{
		"差异系数按在校生数加权计算，用总体标准差；所有数值不作中间舍入。",
		compareNote(s.CVCompareDecimals),
		"与标准值、下限或上限比较都是精确的，不设容差：统计数据按填报的十进制数读取；舍入一律四舍五入。",
		fmt.Sprintf("保留两位小数会改变结论的差异系数共 %d 项，以“※”标出。", s.Flips),
	}})
	d.Sections = append(d.Sections, prec)
	d.numberSections()
	return d
}

// rankingNote says how the ranking is ordered.
func rankingNote(s *Summary) string {
	order := "达标、未达标、数据不全"
	if s.Whole {
		order = "整体认定结论：达到认定标准、未达到、待定"
	}
	return "排序：先按结论（" + order + "），再按最小余量（上限 − 差异系数）从大到小。最薄弱指标：超过上限的差异系数（最多 3 项），都在上限以内时为最接近上限的一项。※ 保留两位小数会改变结论。"
}

func citiesTable(s *Summary) *Table {
	pass, fail, inc, rateH := "达标", "未达标", "数据不全", "达标率"
	if s.Whole {
		pass, fail, inc, rateH = "达到认定标准", "未达到", "待定", "认定率"
	}
	t := &Table{Title: "各市县区结论", Columns: []Column{
		{Header: "市", Width: 8}, {Header: "县区", Width: 4, Number: true}, {Header: pass, Width: 4, Number: true},
		{Header: fail, Width: 4, Number: true}, {Header: inc, Width: 4, Number: true}, {Header: rateH, Width: 4, Number: true, Format: "0.0%"},
	}}
	for _, c := range s.Cities {
		rate := float64(c.Passed) / float64(c.Counties)
		t.Rows = append(t.Rows, []Cell{TextCell(c.Name), NumCell(float64(c.Counties), 0), NumCell(float64(c.Passed), 0),
			{Text: fmt.Sprint(c.Failed), Num: float64(c.Failed), IsNum: true, Bad: c.Failed > 0},
			{Text: fmt.Sprint(c.Incomplete), Num: float64(c.Incomplete), IsNum: true, Bad: c.Incomplete > 0},
			{Text: pct(rate), Num: rate, IsNum: true}})
	}
	return t
}

func rankingTable(s *Summary) *Table {
	t := &Table{Title: "县区排名", Wide: true, Columns: []Column{
		{Header: "排名", Width: 2.5, Number: true}, {Header: "县区代码", Width: 3.8}, {Header: "县区", Width: 4.5},
		{Header: "所属市", Width: 4.5}, {Header: "结论", Width: 3.5}, {Header: "学校（部）", Width: 3.5, Number: true},
		{Header: "未达标学校", Width: 3.5, Number: true}, {Header: "差异系数超限", Width: 3.5, Number: true},
		{Header: "最小余量", Width: 4, Number: true, Format: signedFormat}, {Header: "最薄弱指标", Width: 22},
	}}
	if s.Whole {
		// The whole verdict, then the resource part as one of its lines,
		// and the items not met.
		t.Columns[4] = Column{Header: "认定结论", Width: 5.5}
		t.Columns[9].Width = 15
		t.Columns = append(t.Columns[:5], append([]Column{{Header: "资源配置", Width: 3.5}}, t.Columns[5:]...)...)
		t.Columns = append(t.Columns, Column{Header: "未达到或待定的项目", Width: 13})
	}
	for _, r := range s.Counties {
		var worst []string
		for _, w := range r.Worst {
			worst = append(worst, w.String())
		}
		failing := r.Failing + r.Missing
		ft := fmt.Sprint(failing)
		if r.Missing > 0 {
			ft = fmt.Sprintf("%d（缺数 %d）", failing, r.Missing)
		}
		row := []Cell{NumCell(float64(r.Rank), 0), TextCell(r.Code), TextCell(r.Name), TextCell(r.City), verdictCell(r.Verdict),
			NumCell(float64(r.Parts), 0), {Text: ft, Num: float64(failing), IsNum: true, Bad: failing > 0},
			{Text: fmt.Sprint(r.FailingCVs), Num: float64(r.FailingCVs), IsNum: true, Bad: r.FailingCVs > 0},
			{Text: signed4(r.WorstMargin), Num: r.WorstMargin, IsNum: true, Bad: r.WorstMargin < 0},
			TextCell(strings.Join(worst, "；"))}
		if s.Whole {
			verdict := Cell{Text: r.Verdict, Bad: true}
			var unmet []string
			if r.Whole != nil {
				verdict.Bad = r.Whole.Status != census.StatusMet
				for _, it := range append(slices.Clone(r.Whole.Vetoes), r.Whole.Unmet...) {
					if !slices.Contains(unmet, it) { // a veto is also an item not met
						unmet = append(unmet, it)
					}
				}
				if len(unmet) == 0 && len(r.Whole.Pending) > 0 {
					unmet = []string{"待定：" + strings.Join(r.Whole.Pending, "、")}
				}
			}
			row[4] = verdict
			row = append(row[:5], append([]Cell{verdictCell(r.Resource)}, row[5:]...)...)
			row = append(row, TextCell(strings.Join(unmet, "、")))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func indicatorTable(s *Summary) *Table {
	t := &Table{Title: "各指标未达标县区数", Columns: []Column{
		{Header: "学段", Width: 2.5}, {Header: "指标", Width: 14}, {Header: "差异系数超限县区", Width: 6, Number: true},
		{Header: "低于标准值的学校（部）", Width: 7, Number: true}, {Header: "占比", Width: 4, Number: true, Format: "0.0%"},
	}}
	for _, ic := range s.Indicators {
		share := float64(ic.PartsBelow) / float64(max1(ic.Parts))
		t.Rows = append(t.Rows, []Cell{TextCell(ic.Stage), TextCell(ic.Indicator.Name),
			{Text: fmt.Sprint(ic.Counties), Num: float64(ic.Counties), IsNum: true, Bad: ic.Counties > 0},
			{Text: fmt.Sprintf("%d / %d", ic.PartsBelow, ic.Parts), Num: float64(ic.PartsBelow), IsNum: true},
			{Text: pct(share), Num: share, IsNum: true}})
	}
	return t
}

func indicatorChart(s *Summary) *chart {
	c := &chart{Title: "差异系数超过上限的县区数"}
	max := 0
	for _, ic := range s.Indicators {
		c.Bars = append(c.Bars, bar{Label: ic.Stage + " " + ic.Indicator.Short, Value: float64(ic.Counties),
			Text: fmt.Sprint(ic.Counties), Bad: ic.Counties > 0})
		max = maxInt(max, ic.Counties)
	}
	c.Max, c.Ticks, _ = niceAxis(math.Max(float64(max), 5))
	c.TickDecimals = 0
	c.Legend = []legend{{"差异系数超过上限或无法认定的县区", true}}
	return c
}
