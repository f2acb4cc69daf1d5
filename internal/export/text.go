package export

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
)

// WriteText writes the evaluation as a plain-text report: per county and
// stage the indicators' weighted mean, 差异系数, limit, verdict and margin;
// the parts that fail the school rule and by how much; exclusions; and the
// 资源配置 verdict. It ends with a one-line summary.
//
// At detail d below eval.DetailParts it leaves out the parts (failing,
// incomplete and excluded); below eval.DetailIndicators also the indicator
// tables and the verdict's items, keeping each county's headline, stages,
// composite CVs and the lists of items not met, vetoed or pending.
//
// Each line is written as it is made, through a buffer flushed at the end.
func WriteText(w io.Writer, res *eval.Result, d eval.Detail) error {
	tw := NewTextWriter(w, res, d)
	for _, c := range res.Counties {
		if err := tw.County(c); err != nil {
			return err
		}
	}
	return tw.Close()
}

// A TextWriter writes the text report (WriteText) as its counties come: the
// head when made, each county when given, the summary at Close.
type TextWriter struct {
	bw                        *bufio.Writer
	ew                        *errWriter
	res                       *eval.Result
	d                         eval.Detail
	n, passed, met, not, pend int
}

// NewTextWriter writes the head of the report of res (its standard, profile,
// year and comparison; its counties are given to County) at detail d to w.
func NewTextWriter(w io.Writer, res *eval.Result, d eval.Detail) *TextWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	tw := &TextWriter{bw: bw, ew: &errWriter{w: bw}, res: res, d: d}
	ew, r := tw.ew, res.Rules
	ew.printf("%s（%s）· 方案：%s · %d年度\n", r.Name, r.Document, r.Profile.Name, res.Year)
	if len(r.Changed) > 0 {
		ew.printf("本方案与全国标准的不同：%s\n", strings.Join(r.Changed, "；"))
	}
	ew.printf("%s\n", eval.ComparisonText(r.Settings.CVCompareDecimals))
	return tw
}

// County writes the next county.
func (tw *TextWriter) County(c *eval.County) error {
	ew, res, r, d := tw.ew, tw.res, tw.res.Rules, tw.d
	tw.n++
	if c.ResourcePass {
		tw.passed++
	}
	if c.Verdict != nil {
		switch c.Verdict.Status {
		case census.StatusMet:
			tw.met++
		case census.StatusNotMet:
			tw.not++
		default:
			tw.pend++
		}
	}
	ew.printf("\n━━ %s（%s）%s\n", c.Name, c.Code, countyHeadline(res, c))
	for _, w := range c.Warnings {
		ew.printf("  注意：%s\n", w.Text)
	}
	for _, s := range c.Stages {
		ew.printf("  【%s】学校（部）%d 个，在校生 %s 人，学校达标 %d/%d", s.Stage.ZH(), s.Parts, fmtNum(s.Students), s.Parts-s.FailingParts, s.Parts)
		if s.Excluded > 0 {
			ew.printf("，另有 %d 个不参与计算", s.Excluded)
		}
		ew.printf("\n")
		if s.Parts == 0 {
			continue
		}
		if d < eval.DetailIndicators {
			writeComposite(ew, s)
			continue
		}
		ew.printf("    %-2s %s %s %s %s %s %s %s\n", "", Pad("指标", 48), padLeft("加权均值", 10), padLeft("标准值", 8), padLeft("差异系数", 10), padLeft("上限", 6), Pad("结论", 8), "余量")
		for _, ir := range s.Indicators {
			mark := " "
			if ir.RoundingFlips {
				mark = "⚠"
			}
			verdict := yesNo(ir.Pass)
			if !ir.Defined {
				verdict = "无法计算"
			} else if ir.Missing > 0 {
				verdict = "数据不全"
			}
			ew.printf("    %-2s %s %10s %8s %10s %6.2f %s %s\n", mark, Pad(ir.Indicator.ZH, 48), fmtFix(ir.Mean, 4), fmtNum(ir.Threshold),
				fmtFix(ir.CV.CV, 6), ir.Limit, Pad(verdict, 8), fmtSigned(ir.Margin))
		}
		writeComposite(ew, s)
	}
	var failing, excluded, missing []*eval.Part
	for _, p := range c.Parts {
		if d < eval.DetailParts {
			break
		}
		switch {
		case p.Excluded:
			excluded = append(excluded, p)
		case len(p.Missing) > 0:
			missing = append(missing, p)
		case !p.Pass:
			failing = append(failing, p)
		}
	}
	if len(failing) > 0 {
		ew.printf("  未达标学校（部）：\n")
		for _, p := range failing {
			ew.printf("    %s %s（%s）达标 %d 项：", p.SchoolCode, p.SchoolName, p.Stage.ZH(), p.Met)
			for i, sf := range p.Shortfalls {
				if i > 0 {
					ew.printf("；")
				}
				ind := r.Indicator(sf.Indicator)
				floor := ""
				if sf.BelowFloor {
					floor = "，低于" + floorText(r, sf.Threshold)
				}
				ew.printf("%s %s < %s（%.1f%%%s，缺 %s）", ind.ZH, fmtFix(sf.Value, 2), fmtNum(sf.Threshold), sf.Ratio*100, floor, fmtAmount(sf.Need))
			}
			ew.printf("\n")
		}
	}
	if len(missing) > 0 {
		ew.printf("  数据不全的学校（部）：\n")
		for _, p := range missing {
			ew.printf("    %s %s（%s）未填报：%s\n", p.SchoolCode, p.SchoolName, p.Stage.ZH(), strings.Join(p.Missing, "、"))
		}
	}
	if len(excluded) > 0 {
		ew.printf("  不参与计算：\n")
		for _, p := range excluded {
			ew.printf("    %s %s（%s）：%s\n", p.SchoolCode, p.SchoolName, p.Stage.ZH(), p.Reason)
		}
	}
	if c.Verdict != nil {
		writeVerdict(ew, c, d)
	}
	return ew.err
}

// Close writes the summary and flushes the report to the writer.
func (tw *TextWriter) Close() error {
	ew, r := tw.ew, tw.res.Rules
	if tw.res.Whole {
		ew.printf("\n共 %d 个县区：达到认定标准 %d 个，未达到 %d 个，待定 %d 个", tw.n, tw.met, tw.not, tw.pend)
		if !r.Preschool() {
			ew.printf("；资源配置达标 %d 个", tw.passed)
		}
		ew.printf("。\n")
	} else {
		ew.printf("\n共 %d 个县区，资源配置达标 %d 个，未达标 %d 个。\n", tw.n, tw.passed, tw.n-tw.passed)
	}
	if ew.err != nil {
		return ew.err
	}
	return tw.bw.Flush()
}

// writeComposite writes a stage's composite CV, if it has one.
func writeComposite(ew *errWriter, s *eval.StageResult) {
	if math.IsNaN(s.CompositeCV) {
		return
	}
	if s.CompositeLim > 0 {
		ew.printf("    综合差异系数 %.6f（上限 %.2f，%s）\n", s.CompositeCV, s.CompositeLim, yesNo(s.CompositePass))
	} else {
		ew.printf("    综合差异系数 %.6f（仅供参考，本标准不设上限）\n", s.CompositeCV)
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

// width is the display width of s, counting a CJK character as two columns.
func width(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// Pad pads s on the right to n display columns (a CJK character is two).
func Pad(s string, n int) string { return s + strings.Repeat(" ", max(0, n-width(s))) }

// padLeft pads s on the left to n display columns.
func padLeft(s string, n int) string { return strings.Repeat(" ", max(0, n-width(s))) + s }

func fmtNum(v float64) string { return CellText(v) }

func fmtFix(v float64, d int) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.*f", d, v)
}

func fmtSigned(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%+.6f", v)
}

// fmtAmount formats a quantity to add: whole numbers as they are, others to
// two decimals (㎡, 元).
func fmtAmount(v float64) string {
	if v == math.Trunc(v) {
		return fmtNum(v)
	}
	return fmt.Sprintf("%.2f", v)
}
