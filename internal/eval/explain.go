package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// Explanation says how one figure was obtained: its inputs, the formula, the
// value, the threshold or limit it is judged against, the margin and the verdict.
type Explanation struct {
	Title     string
	Formula   string
	Inputs    []Input
	Value     float64
	Unit      string
	Threshold float64 // threshold or CV limit; NaN when none
	Margin    float64 // Value − Threshold for a floor, Threshold − Value for a ceiling
	Verdict   string
	Notes     []string
}

// Input is one input of a figure, with where it came from.
type Input struct {
	Name   string
	Value  float64
	Unit   string
	Source string // e.g. the census column, or "按学生数拆分"
}

// ErrNoFigure is returned when the figure asked for does not exist.
var ErrNoFigure = fmt.Errorf("no such figure")

// indicatorIndex returns the index of indicator id in the stage result, or -1.
func (s *StageResult) indicatorIndex(id string) int {
	for k, ir := range s.Indicators {
		if ir.Indicator.ID == id {
			return k
		}
	}
	return -1
}

// Part returns the part of school code in stage st, or nil.
func (c *County) Part(code string, st census.Stage) *Part {
	for _, p := range c.Parts {
		if p.SchoolCode == code && p.Stage == st {
			return p
		}
	}
	return nil
}

// ExplainValue explains a school part's value of indicator id.
func (c *County) ExplainValue(code string, st census.Stage, id string) (*Explanation, error) {
	p := c.Part(code, st)
	sr := c.Stage(st)
	if p == nil || sr == nil {
		return nil, fmt.Errorf("%w: %s has no %s part %s", ErrNoFigure, c.Name, st.ZH(), code)
	}
	if p.Excluded {
		return nil, fmt.Errorf("%w: %s %s is excluded (%s)", ErrNoFigure, p.SchoolName, st.ZH(), p.Reason)
	}
	k := sr.indicatorIndex(id)
	if k < 0 {
		return nil, fmt.Errorf("%w: no indicator %q", ErrNoFigure, id)
	}
	ind := sr.Indicators[k].Indicator
	e := &Explanation{
		Title:     fmt.Sprintf("%s（%s）%s", p.SchoolName, st.ZH(), ind.ZH),
		Formula:   ind.Formula(),
		Value:     p.Values[k],
		Unit:      ind.Unit,
		Threshold: sr.Indicators[k].Threshold,
	}
	e.Margin = e.Value - e.Threshold
	src := "学校填报"
	if p.Split != nil {
		switch {
		case contains(p.Split.Given, id):
			src = "学校填报的分学段数据"
		case contains(p.Split.Derived, id):
			src = "全校合计减去另一学段填报数"
		case ind.Kind == "facility":
			src = fmt.Sprintf("全校合计 × 拆分比例 %.4f（%s）", p.Split.Share, splitBasis(p))
		}
	}
	e.Inputs = []Input{
		{Name: rawName(ind.Source, st), Value: p.Raw[k], Unit: rawUnit(ind.Source, st), Source: src},
		{Name: st.ZH() + "在校生数", Value: p.Students, Unit: "人", Source: "学校填报"},
	}
	switch {
	case math.IsNaN(e.Value):
		e.Verdict = "未填报，无法判断"
	case !p.HasShortfall(id):
		e.Verdict = "达标"
	case !p.belowFloor(id):
		e.Verdict = fmt.Sprintf("未达标，但达到标准值的 %.1f%%（不低于85%%）", e.Value/e.Threshold*100)
	default:
		e.Verdict = fmt.Sprintf("未达标，仅为标准值的 %.1f%%（低于85%%）", e.Value/e.Threshold*100)
	}
	for _, sf := range p.Shortfalls {
		if sf.Indicator == id {
			e.Notes = append(e.Notes, fmt.Sprintf("达到标准值还需增加 %s %s", fmtNum(sf.Need), rawUnit(ind.Source, st)))
		}
	}
	e.Notes = append(e.Notes, fmt.Sprintf("该学段本校达标 %d 项，学校%s", p.Met, map[bool]string{true: "通过“至少6项达标、其余不低于85%”的规则", false: "未通过“至少6项达标、其余不低于85%”的规则"}[p.Pass]))
	return e, nil
}

// HasShortfall reports whether the engine found indicator id below its
// threshold (compared exactly): what a planner or a forecast must agree with.
func (p *Part) HasShortfall(id string) bool {
	for _, sf := range p.Shortfalls {
		if sf.Indicator == id {
			return true
		}
	}
	return false
}

func (p *Part) belowFloor(id string) bool {
	for _, sf := range p.Shortfalls {
		if sf.Indicator == id {
			return sf.BelowFloor
		}
	}
	return false
}

// ExplainCV explains the 差异系数 of indicator id in stage st.
func (c *County) ExplainCV(st census.Stage, id string) (*Explanation, error) {
	sr := c.Stage(st)
	if sr == nil {
		return nil, fmt.Errorf("%w: no %s stage", ErrNoFigure, st)
	}
	k := sr.indicatorIndex(id)
	if k < 0 {
		return nil, fmt.Errorf("%w: no indicator %q", ErrNoFigure, id)
	}
	ir := sr.Indicators[k]
	e := &Explanation{
		Title:     fmt.Sprintf("%s %s %s 差异系数", c.Name, st.ZH(), ir.Indicator.ZH),
		Formula:   "X̄ = Σx_i ÷ ΣP_i（按学生数加权）；S = √( Σ (P_i/P)·(X_i − X̄)² )；CV = S ÷ X̄",
		Value:     ir.CV.CV,
		Threshold: ir.Limit,
		Margin:    ir.Margin,
		Inputs: []Input{
			{Name: "参与计算的学校（部）数", Value: float64(ir.N), Unit: "所"},
			{Name: "在校生合计 P", Value: ir.Students, Unit: "人"},
			{Name: "合计 Σx_i", Value: ir.Total, Unit: rawUnit(ir.Indicator.Source, st)},
			{Name: "加权均值 X̄", Value: ir.Mean, Unit: ir.Indicator.Unit},
			{Name: "加权标准差 S", Value: ir.SD, Unit: ir.Indicator.Unit},
		},
	}
	switch {
	case !ir.Defined:
		e.Verdict = "无法计算（无学生或均值为0），不视为达标"
	case ir.Missing > 0:
		e.Verdict = fmt.Sprintf("%d 所学校（部）未填报，暂不能判定", ir.Missing)
	case ir.Pass:
		e.Verdict = fmt.Sprintf("达标（%.6f ≤ %.2f）", ir.Compared, ir.Limit)
	default:
		e.Verdict = fmt.Sprintf("未达标（%.6f > %.2f）", ir.Compared, ir.Limit)
	}
	if ir.RoundingFlips {
		e.Notes = append(e.Notes, fmt.Sprintf("注意：保留两位小数为 %.2f，按四舍五入后比较结论会相反；本系统默认按未舍入值判定", ir.Rounded))
	}
	if ir.Compared != ir.CV.CV && !math.IsNaN(ir.CV.CV) {
		e.Notes = append(e.Notes, fmt.Sprintf("本方案按保留 %d 位小数后的 %g 比较", c.decimals(), ir.Compared))
	}
	cs := c.Contributions(st, k)
	top := topContributions(cs, 3)
	if len(top) > 0 {
		var b strings.Builder
		for i, x := range top {
			if i > 0 {
				b.WriteString("；")
			}
			fmt.Fprintf(&b, "%s %s（偏离均值 %+.3f，占 %.1f%%）", x.Part.SchoolName, x.Part.Stage.ZH(), x.Deviation, x.Share*100)
		}
		e.Notes = append(e.Notes, "拉大差异最多的学校："+b.String())
	}
	return e, nil
}

func (c *County) decimals() int {
	for _, s := range c.Stages {
		for _, ir := range s.Indicators {
			if ir.Compared != ir.CV.CV {
				d := 0
				for v := ir.Compared; v != math.Trunc(v) && d < 10; v *= 10 {
					d++
				}
				return d
			}
		}
	}
	return -1
}

func topContributions(cs []Contribution, n int) []Contribution {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Contribution) int { return cmp.Compare(b.Share, a.Share) })
	return out[:min(n, len(out))]
}

// String renders the explanation as plain text.
func (e *Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  公式：%s\n", e.Title, e.Formula)
	for _, in := range e.Inputs {
		fmt.Fprintf(&b, "  输入：%s = %s %s", in.Name, fmtNum(in.Value), in.Unit)
		if in.Source != "" {
			fmt.Fprintf(&b, "（%s）", in.Source)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  结果：%s %s\n", fmtNum(e.Value), e.Unit)
	if !math.IsNaN(e.Threshold) {
		fmt.Fprintf(&b, "  标准：%s；余量 %+.6g\n", fmtNum(e.Threshold), e.Margin)
	}
	fmt.Fprintf(&b, "  结论：%s\n", e.Verdict)
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "  说明：%s\n", n)
	}
	return b.String()
}

func splitBasis(p *Part) string {
	if p.Split.Basis == "students" {
		return "按学生数比例"
	}
	var parts []string
	for _, st := range []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior} {
		if w, ok := p.Split.Weights[st]; ok {
			parts = append(parts, fmt.Sprintf("%s%g", st.ZH(), w))
		}
	}
	return "按加权学生数，" + strings.Join(parts, "：")
}

func rawName(source string, st census.Stage) string {
	if f, ok := census.StageField(source, st); ok {
		return census.Columns[f].ZH
	}
	if f, ok := census.FieldByKey(source); ok {
		return st.ZH() + "部" + census.Columns[f].ZH
	}
	return source
}

func rawUnit(source string, st census.Stage) string {
	if f, ok := census.FieldByKey(source); ok {
		return census.Columns[f].Unit
	}
	if f, ok := census.StageField(source, st); ok {
		return census.Columns[f].Unit
	}
	return ""
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// fmtNum formats a figure for people: up to 6 significant decimals, no
// exponent, "未填报" for NaN.
func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "未填报"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	s := fmt.Sprintf("%.6f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
