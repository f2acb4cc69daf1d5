package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runStandards: dudao standards [list | show ID [--profile P] [--profile-file F] [--cv-decimals N]]
func runStandards(e *env, args []string) error {
	fs := newFlags(e, "standards", "[list | show 标准代码 [--profile 方案代码] [--profile-file 文件] [--cv-decimals N]]")
	rf := addProfileFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] == "list" {
		fmt.Fprintln(e.stdout, "评估标准：")
		for _, s := range standards.List() {
			fmt.Fprintf(e.stdout, "  %-10s %s（%s）\n", s.ID, s.Name, s.Document)
		}
		fmt.Fprintln(e.stdout, "\n省级方案（--profile）：")
		for _, p := range standards.Profiles() {
			fmt.Fprintf(e.stdout, "  %-10s %s  %s\n", p.ID, p.Name, p.Note)
		}
		fmt.Fprintln(e.stdout, "\n查看一项标准的全部标准值和设置：dudao standards show yzjh2017 [--profile hebei]")
		return nil
	}
	if pos[0] != "show" || len(pos) != 2 {
		return usagef("用法：dudao standards list 或 dudao standards show 标准代码 [--profile 方案代码]")
	}
	*rf.std = pos[1]
	r, err := rf.resolve()
	if err != nil {
		return err
	}
	return showRules(e.stdout, r)
}

func showRules(w io.Writer, r *standards.Rules) error {
	ew := &lineWriter{w: w}
	ew.f("%s  %s\n%s\n文件：%s\n方案：%s（%s）\n", r.ID, r.Name, r.NameEN, r.Document, r.Profile.Name, r.Profile.ID)
	if r.Profile.Note != "" {
		ew.f("  %s\n", r.Profile.Note)
	}
	for _, c := range r.Changed {
		ew.f("  与全国标准不同：%s\n", c)
	}
	if r.Preschool() {
		showItems(ew, r)
		return ew.err
	}
	ew.f("\n资源配置指标（学校（部）层面）：\n")
	ew.f("  %-20s %-34s %-8s", "代码", "指标", "单位")
	for _, st := range r.Stages {
		ew.f(" %8s", st.ZH()+"≥")
	}
	ew.f("  计算方法\n")
	for _, ind := range r.Indicators {
		ew.f("  %-20s %s %s", ind.ID, export.Pad(ind.ZH, 34), export.Pad(ind.Unit, 8))
		for _, st := range r.Stages {
			ew.f(" %8g", ind.Thresholds[st])
		}
		ew.f("  %s\n", ind.Formula())
	}
	if r.SchoolRule.MinMet > 0 {
		ew.f("\n学校规则：每所学校（部）至少 %d 项达到标准值，其余不低于标准值的 %s%%；所有学校（部）都须达到。\n", r.SchoolRule.MinMet, standards.FormatProduct(r.SchoolRule.Floor, 100, -1))
	}
	var lims []string
	for _, st := range r.Stages {
		lims = append(lims, fmt.Sprintf("%s ≤ %.2f", st.ZH(), r.Balance.Limits[st]))
	}
	switch r.Balance.Kind {
	case standards.BalanceEach:
		ew.f("均衡规则：每项指标的校际差异系数 %s（综合差异系数仅供参考）。\n", strings.Join(lims, "，"))
	case standards.BalanceComposite:
		ew.f("均衡规则：综合差异系数（各项差异系数的平均）%s。\n", strings.Join(lims, "，"))
	}
	ew.f("差异系数：按学生数加权，X̄ = Σx_i ÷ ΣP_i，S = √(Σ(P_i/P)(X_i−X̄)²)，CV = S ÷ X̄（总体形式）。\n")
	s := r.Settings
	ew.f("\n设置：\n")
	ew.f("  exclude_teaching_points_below = %d（%s）\n", s.ExcludeTeachingPointsBelow, map[bool]string{true: "不排除教学点", false: fmt.Sprintf("在校生不足%d人的教学点不参与计算", s.ExcludeTeachingPointsBelow)}[s.ExcludeTeachingPointsBelow == 0])
	w9, w12, wc := s.SplitWeights.NineYear, s.SplitWeights.TwelveYear, s.SplitWeights.CompleteSecondary
	ew.f("  split_weights.mode = %s（九年一贯制 小学%g:初中%g；十二年一贯制 %g:%g:%g；完全中学 初中%g:高中%g）\n", s.SplitWeights.Mode,
		w9[census.StagePrimary], w9[census.StageJunior], w12[census.StagePrimary], w12[census.StageJunior], w12[census.StageSenior], wc[census.StageJunior], wc[census.StageSenior])
	mode, dec := "unrounded", "不舍入，按原值比较"
	if s.CVCompareDecimals >= 0 {
		mode, dec = "rounded", fmt.Sprintf("四舍五入保留%d位小数后比较", s.CVCompareDecimals)
	}
	ew.f("  cv_compare_decimals = %d（%s；舍入会改变结论的都会标出）\n", s.CVCompareDecimals, dec)
	ew.f("  cv_compare = %s（比较方式；--cv-decimals N 或方案文件的 cv_compare_decimals 可改）\n", mode)
	ew.f("  subtract_indoor_gym_from_teaching_area = %v\n", s.SubtractIndoorGymFromTeachingArea)
	ew.f("  比较方法：exact（按填报的十进制数精确比较，不设容差；舍入为四舍五入）\n")
	if r.Scope.ExcludePrivate || r.Scope.ExcludeNotCountyRun {
		ew.f("  scope：排除民办学校 %v，排除非县级举办的学校 %v\n", r.Scope.ExcludePrivate, r.Scope.ExcludeNotCountyRun)
	}
	if r.SchoolRule.MinMet > 0 {
		ew.f("  floor_display_decimals = %d（85%%下限的显示：", s.FloorDisplayDecimals)
		for i, st := range r.Stages {
			if i > 0 {
				ew.f("；")
			}
			var fl []string
			for _, ind := range r.Indicators {
				fl = append(fl, ind.ID+" "+export.FloorText(r, ind.Thresholds[st]))
			}
			ew.f("%s %s", st.ZH(), strings.Join(fl, "，"))
		}
		ew.f("）\n")
	}
	showItems(ew, r)
	return ew.err
}

type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) f(format string, a ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintf(l.w, format, a...)
	}
}

// runTemplate: dudao template [--kind school] -o FILE.xlsx
func runTemplate(e *env, args []string) error {
	fs := newFlags(e, "template", "[--kind school|kindergarten|county] -o 文件.xlsx")
	kind := fs.String("kind", "school", "模板种类：school（学校）、kindergarten（幼儿园）、county（县级数据）")
	out := fs.String("o", "", "输出文件（.xlsx）")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" && len(pos) == 1 {
		*out = pos[0]
	} else if len(pos) > 0 {
		return usagef("多余的参数 %v", pos)
	}
	if *out == "" {
		return usagef("请用 -o 指定输出文件，如：dudao template --kind school -o 学校模板.xlsx")
	}
	if err := oneOf("kind", *kind, "school", "kindergarten", "county"); err != nil {
		return err
	}
	if err := writeOutput(e, *out, func(w io.Writer) error { return censusio.WriteTemplate(w, *kind) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已写入模板 %s（“说明”工作表解释每一列；示例行以【示例】开头，导入时会跳过）\n", *out)
	return nil
}

// showItems lists a standard's items part by part, with every check.
func showItems(ew *lineWriter, r *standards.Rules) {
	for _, p := range standards.Parts {
		var items []*standards.Item
		for i := range r.Items {
			if r.Items[i].Part == p.ID {
				items = append(items, &r.Items[i])
			}
		}
		if len(items) == 0 {
			continue
		}
		ew.f("\n%s（%s）：\n", p.ZH, p.ID)
		for _, it := range items {
			kind := "计算"
			switch {
			case it.Evidence && len(it.Checks) > 0:
				kind = "计算＋评议"
			case it.Evidence:
				kind = "评议"
			}
			if it.Veto {
				kind += "，一票否决"
			}
			ew.f("  %-24s %s [%s] [%s]\n", it.ID, it.ZH, kind, it.Confidence)
			ew.f("      %s\n", it.Rule)
			for _, c := range it.Checks {
				ew.f("      · %s\n", c.Describe())
			}
		}
	}
	for _, n := range r.Notes {
		ew.f("\n注：%s", n)
	}
	if len(r.Notes) > 0 {
		ew.f("\n")
	}
}
