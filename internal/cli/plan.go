package cli

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/plan"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runPlan: dudao plan --county CODE [--year Y] [--db DSN | FILE...] [--costs FILE] [--rotation]
// [--no-build CODES] [--cap ID=N]... [--caps FILE] [--format text|json|xlsx] [-o FILE]
func runPlan(e *env, args []string) error {
	fs := newFlags(e, "plan", "--county 代码 [--profile ID] [--profile-file 文件] [--cv-decimals N] [--year 年度] [--db DSN | 文件...] [--costs 单价表] [--rotation] [--no-build 学校标识码,...] [--cap 指标=上限]... [--caps 上限表.csv] [--format text|json|xlsx] [-o 文件]\n\n"+
		"为未达标的县区找出费用最低的补短板方案：每所学校（部）达到“7项中至少6项达标、其余1项不低于85%”，\n"+
		"每项指标的差异系数不超过上限（小学0.50、初中0.45）。教师、教室按整数补充。每个方案都经评估引擎复核；\n"+
		"同时给出“把未达标学校各项补到标准值”的朴素方案作比较，以及费用下界和差距。\n\n"+
		planCostsHelp()+"\n"+
		"单价表（--costs）：JSON，如 {\"teaching_area\": 3500, \"equipment_value\": {\"cost\": 1, \"step\": 100}}；\n"+
		"或 CSV，表头 indicator,cost[,step]（或 指标,单价,步长）。未列出的指标用默认单价。\n"+
		"上限表（--caps）：CSV，表头 school_code,indicator,max（或 学校标识码,指标,上限），每校每项最多补充多少（列的单位）。")
	src := sourceFlags(e, fs)
	rf := addRuleFlags(fs)
	costsFile := fs.String("costs", "", "单价表文件（JSON 或 CSV）；不给则用默认单价")
	rotation := fs.Bool("rotation", false, "允许县内同学段学校之间交流（调配）教师：不计招聘费用，教师总数不变")
	noBuild := fs.String("no-build", "", "不能新建校舍和运动场的学校（无用地）：学校标识码，逗号分隔")
	var caps planCapFlags
	fs.Var(&caps, "cap", "每校每项补充上限，如 --cap backbone_teachers=3 --cap teaching_area=2000（可重复）")
	capsFile := fs.String("caps", "", "逐校补充上限表（CSV：school_code,indicator,max）")
	work := fs.Int("work", 0, fmt.Sprintf("精确搜索的工作量上限（默认 %d）", plan.DefaultWork))
	format := fs.String("format", "text", "输出格式：text、json、xlsx")
	out := fs.String("o", "", "写入文件（默认：标准输出）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*src.county) == "" {
		return usagef("需要 --county：补短板规划一次针对一个县区，如 dudao plan --county 340207")
	}
	if err := oneOf("format", *format, "text", "json", "xlsx"); err != nil {
		return err
	}
	if *format == "xlsx" && (*out == "" || *out == "-") {
		return usagef("--format xlsx 需要用 -o 指定输出文件，如 -o 补短板方案.xlsx")
	}
	rules, err := rf.resolve()
	if err != nil {
		return err
	}
	opt := plan.Options{Rotation: *rotation, Work: *work, DefaultCaps: map[string]float64{}, Caps: map[string]map[string]float64{}, NoBuild: map[string]bool{}}
	if opt.Costs, err = readPlanCosts(*costsFile, rules); err != nil {
		return err
	}
	for _, c := range caps {
		id, ok := planIndicator(rules, c.id)
		if !ok {
			return usagef("--cap %s=%g：没有指标 %q（可用：%s）", c.id, c.max, c.id, strings.Join(planIndicatorIDs(rules), "、"))
		}
		opt.DefaultCaps[id] = c.max
	}
	if *capsFile != "" {
		if err := readPlanCaps(*capsFile, rules, opt.Caps); err != nil {
			return err
		}
	}
	for _, code := range strings.FieldsFunc(*noBuild, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		opt.NoBuild[code] = true
	}
	schools, year, err := src.load(e, files, flagSet(fs, "db"))
	if err != nil {
		return err
	}
	if codes := planCountyCodes(schools); len(codes) != 1 {
		return fmt.Errorf("--county %q 对应 %d 个县区（%s），请用6位县区代码", *src.county, len(codes), strings.Join(codes, "、"))
	}
	for _, recs := range [][]string{slices.Collect(maps.Keys(opt.NoBuild)), slices.Collect(maps.Keys(opt.Caps))} {
		for _, code := range recs {
			if !slices.ContainsFunc(schools, func(s census.School) bool { return s.Code == code }) {
				return fmt.Errorf("%d 年度该县区没有学校 %s（--no-build 或上限表中的学校标识码）", year, code)
			}
		}
	}
	// Under a standard with items beyond 资源配置, the whole plan: the rooms
	// the music and art room item needs, then 资源配置 solved on the
	// figures with them built (plan.Whole).
	var whole *plan.WholePlan
	var pl *plan.Plan
	if !rules.Preschool() && len(rules.Items) > 0 {
		if whole, err = plan.Whole(rules, year, eval.Inputs{Schools: schools}, opt); err != nil {
			return err
		}
		pl = whole.Resource
	} else if pl, err = plan.Solve(rules, schools, opt); err != nil {
		return err
	}
	return writeOutput(e, *out, func(w io.Writer) error {
		switch *format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(pl.JSON())
		case "xlsx":
			return writePlanXLSX(w, pl)
		}
		if err := writePlanText(w, pl); err != nil {
			return err
		}
		return writeWholeText(w, whole)
	})
}

// writeWholeText says, after the 资源配置 plan, what the rest of the whole
// standard takes (plan.Whole): the music and art rooms each school must
// build, the whole plan's total, and the items additions cannot meet
// (school size, class size). Items that need the county's own figures are
// judged where they are stored (dudao evaluate --db … --whole).
func writeWholeText(w io.Writer, wp *plan.WholePlan) error {
	if wp == nil {
		return nil
	}
	var others []plan.ItemGap
	for _, g := range wp.Others {
		if g.Kind == plan.Reorganise {
			others = append(others, g)
		}
	}
	if wp.Rooms == nil && len(others) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n资源配置以外仍未达标的项目（按学校数据判断）：\n")
	if g := wp.Rooms; g != nil {
		fmt.Fprintf(w, "  %s：%s，合计 %s 元（已计入教学及辅助用房面积，上面的资源配置方案是在补建后的数据上计算的）\n", g.Item, g.How, planMoney(g.Cost))
		for _, a := range g.Additions {
			fmt.Fprintf(w, "    %s %s：%s，%s 元\n", a.Code, a.Name, a.What, planMoney(a.Cost))
		}
	}
	for _, g := range others {
		fmt.Fprintf(w, "  %s：%s\n", g.Item, g.How)
	}
	fmt.Fprintf(w, "整体方案合计（专用教室 + 资源配置）：%s 元\n", planMoney(wp.Total))
	return nil
}

// planCostsHelp lists the default unit costs, for --help and the report.
func planCostsHelp() string {
	r, _ := standards.Resolve("yzjh2017", "national")
	var b strings.Builder
	b.WriteString("默认单价（2024年前后县级典型值，请按本地实际用 --costs 修改）：\n")
	for _, line := range planCostLines(r, plan.DefaultCosts()) {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("  教师按一年的用人成本（工资、社保、公积金）计；校舍、设备按一次性投入计。\n")
	return b.String()
}

func planCostLines(r *standards.Rules, c plan.Costs) []string {
	var out []string
	for _, ind := range r.Indicators {
		u := c.Unit(ind.ID)
		line := fmt.Sprintf("%-18s %s：%s 元/%s", ind.ID, planUnitName(ind), planMoney(u.Cost), u.Label)
		if u.Step != 1 {
			line += fmt.Sprintf("，每次补充 %g %s", u.Step, u.Label)
		}
		out = append(out, line)
	}
	return out
}

// planUnitName is what one unit of the indicator's numerator is.
func planUnitName(ind standards.Indicator) string {
	switch ind.ID {
	case "qualified_teachers":
		return "高于规定学历教师"
	case "backbone_teachers":
		return "县级以上骨干教师"
	case "pe_art_teachers":
		return "体育艺术专任教师"
	case "teaching_area":
		return "教学及辅助用房"
	case "sports_area":
		return "体育运动场馆"
	case "equipment_value":
		return "教学仪器设备"
	case "multimedia_rooms":
		return "网络多媒体教室"
	}
	return ind.ZH
}

func readPlanCosts(name string, r *standards.Rules) (plan.Costs, error) {
	if name == "" {
		return plan.DefaultCosts(), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("读不到单价表：%w", err)
	}
	defer f.Close()
	c, err := plan.ParseCosts(f, r)
	if err != nil {
		return nil, fmt.Errorf("%s：%w", name, err)
	}
	return c, nil
}

// readPlanCaps reads a CSV of per-school caps: school_code, indicator, max.
func readPlanCaps(name string, r *standards.Rules, into map[string]map[string]float64) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("读不到上限表：%w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s 不是有效的 CSV：%w", name, err)
	}
	if len(rows) < 1 || len(rows[0]) < 3 {
		return fmt.Errorf("%s：表头应为 school_code,indicator,max（或 学校标识码,指标,上限）", name)
	}
	for i, row := range rows[1:] {
		if len(row) < 3 || strings.TrimSpace(row[0]) == "" {
			continue
		}
		code := strings.TrimSpace(row[0])
		id, ok := planIndicator(r, row[1])
		if !ok {
			return fmt.Errorf("%s 第%d行：没有指标 %q（可用：%s）", name, i+2, row[1], strings.Join(planIndicatorIDs(r), "、"))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(row[2]), 64)
		if err != nil || v < 0 {
			return fmt.Errorf("%s 第%d行：上限 %q 应为不小于0的数", name, i+2, row[2])
		}
		if into[code] == nil {
			into[code] = map[string]float64{}
		}
		into[code][id] = v
	}
	return nil
}

func planIndicator(r *standards.Rules, s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	for _, ind := range r.Indicators {
		if s == ind.ID || s == ind.ZH || s == planUnitName(ind) {
			return ind.ID, true
		}
	}
	return "", false
}

func planIndicatorIDs(r *standards.Rules) []string {
	var out []string
	for _, ind := range r.Indicators {
		out = append(out, ind.ID)
	}
	return out
}

func planCountyCodes(schools []census.School) []string {
	seen := map[string]bool{}
	for _, s := range schools {
		seen[s.CountyCode] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// planCapFlags collects repeated --cap indicator=max.
type planCapFlags []struct {
	id  string
	max float64
}

func (c *planCapFlags) String() string { return "" }

func (c *planCapFlags) Set(s string) error {
	id, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("应为 指标=上限，如 backbone_teachers=3")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		return fmt.Errorf("上限 %q 应为不小于0的数", v)
	}
	*c = append(*c, struct {
		id  string
		max float64
	}{strings.TrimSpace(id), f})
	return nil
}

var _ flag.Value = (*planCapFlags)(nil)

// planMoney writes 元 with thousands separators; large sums also in 万元.
func planMoney(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func planWan(v float64) string { return strconv.FormatFloat(v/10000, 'f', 1, 64) + " 万元" }

func planVerdict(b bool) string {
	if b {
		return "达标"
	}
	return "未达标"
}

func writePlanText(w io.Writer, pl *plan.Plan) error {
	ew := &lineWriter{w: w}
	r := pl.Rules
	ew.f("补短板规划：%s（%s）%d年度 · %s · 方案：%s\n", pl.CountyName, pl.County, pl.Year, r.Name, r.Profile.Name)
	ew.f("%s\n", eval.ComparisonText(r.Settings.CVCompareDecimals))
	ew.f("现状：资源配置%s%s\n", planVerdict(pl.Before.ResourcePass), planFailures(pl.Before))
	if pl.Before.ResourcePass {
		ew.f("已经达标，不需要补充。\n")
		return ew.err
	}
	if !pl.Feasible {
		ew.f("没有可行方案：%s\n", pl.Problem)
		return ew.err
	}
	ew.f("\n方案：总费用 %s 元（%s）", planMoney(pl.TotalCost), planWan(pl.TotalCost))
	if pl.Optimal {
		ew.f("，已证明是最低费用\n")
	} else {
		ew.f("；费用下界 %s 元，差距不超过 %.2f%%\n", planMoney(pl.LowerBound), pl.Gap*100)
	}
	if nv := pl.Naive; nv != nil {
		ew.f("对比朴素方案（把未达标学校的每项不足补到标准值）：%s 元（%s），补充后资源配置%s%s\n",
			planMoney(nv.Cost), planWan(nv.Cost), planVerdict(nv.Pass), planFailures(nv.After))
	}
	if pl.Options.Rotation {
		ew.f("允许县内教师交流：调入调出不计费用，只计新招聘的教师。\n")
	}
	ew.f("\n单价：\n")
	for _, l := range planCostLines(r, pl.Costs) {
		ew.f("  %s\n", l)
	}
	ew.f("\n逐校补充（%d 所学校）：\n", len(pl.Schools))
	for _, s := range pl.Schools {
		ew.f("  %s %s（%s） 费用 %s 元\n", s.Code, s.Name, s.Type.ZH(), planMoney(s.Cost))
		for _, it := range s.Items {
			col, _ := census.FieldByKey(it.Column)
			line := fmt.Sprintf("    %s %+g %s", census.Columns[col].ZH, it.Amount, it.Unit)
			if it.Hired != 0 || it.MovedIn != 0 || it.MovedOut != 0 {
				line += fmt.Sprintf("（招聘 %g，调入 %g，调出 %g）", it.Hired, it.MovedIn, it.MovedOut)
			}
			ew.f("%s  %s 元\n", line, planMoney(it.Cost))
		}
		for k, v := range s.Add {
			if slices.ContainsFunc(s.Items, func(it plan.Item) bool { return it.Column == k }) {
				continue
			}
			col, _ := census.FieldByKey(k)
			ew.f("    （同时在 %s 中 %+g，保持全校合计一致）\n", census.Columns[col].ZH, v)
		}
	}
	if len(pl.Moves) > 0 {
		ew.f("\n教师交流：\n")
		for _, mv := range pl.Moves {
			col, _ := census.FieldByKey(mv.Column)
			ew.f("  %s %s → %s %s：%s %g 人\n", mv.From, mv.FromName, mv.To, mv.ToName, census.Columns[col].ZH, mv.Count)
		}
	}
	ew.f("\n补充后的差异系数（补充前 → 补充后，朴素方案）：\n")
	for _, sb := range pl.Before.Stages {
		if sb.Parts == 0 {
			continue
		}
		sa := pl.After.Stage(sb.Stage)
		var sn *eval.StageResult
		if pl.Naive != nil && pl.Naive.After != nil {
			sn = pl.Naive.After.Stage(sb.Stage)
		}
		ew.f("  【%s】学校达标 %d/%d → %d/%d\n", sb.Stage.ZH(), sb.Parts-sb.FailingParts, sb.Parts, sa.Parts-sa.FailingParts, sa.Parts)
		for i, ib := range sb.Indicators {
			ia := sa.Indicators[i]
			naive := ""
			if sn != nil {
				naive = fmt.Sprintf("，朴素 %s", planCV(sn.Indicators[i].CV.CV))
			}
			ew.f("    %s %s → %s（上限 %.2f，%s%s）\n", export.Pad(ib.Indicator.ZH, 48), planCV(ib.CV.CV), planCV(ia.CV.CV), ia.Limit, planVerdict(ia.Pass), naive)
		}
	}
	ew.f("\n补充学校的指标值（补充前 → 补充后）：\n")
	changed := map[string]bool{}
	for _, s := range pl.Schools {
		changed[s.Code] = true
	}
	after := map[string]*eval.Part{}
	for _, p := range pl.After.Parts {
		after[p.SchoolCode+"/"+string(p.Stage)] = p
	}
	for _, p := range pl.Before.Parts {
		if p.Excluded || !changed[p.SchoolCode] {
			continue
		}
		pa := after[p.SchoolCode+"/"+string(p.Stage)]
		ew.f("  %s %s %s部：学校达标 %s → %s\n", p.SchoolCode, p.SchoolName, p.Stage.ZH(), planVerdict(p.Pass), planVerdict(pa.Pass))
		for k, ind := range r.Indicators {
			if pa.Values[k] == p.Values[k] {
				continue
			}
			ew.f("    %s %s → %s（标准值 %g）\n", export.Pad(ind.ZH, 48), planVal(p.Values[k]), planVal(pa.Values[k]), ind.Thresholds[p.Stage])
		}
	}
	ew.f("\n复核：把以上补充加到统计数据后由评估引擎重新计算，资源配置%s。\n", planVerdict(pl.After.ResourcePass))
	for _, n := range pl.Notes {
		ew.f("说明：%s\n", n)
	}
	return ew.err
}

// planFailures says briefly why a county fails 资源配置.
func planFailures(c *eval.County) string {
	if c == nil || c.ResourcePass {
		return ""
	}
	var out []string
	for _, s := range c.Stages {
		if s.FailingParts > 0 {
			out = append(out, fmt.Sprintf("%s %d 所学校（部）未达标", s.Stage.ZH(), s.FailingParts))
		}
		for _, ir := range s.Indicators {
			if !ir.Pass && s.Parts > 0 {
				out = append(out, fmt.Sprintf("%s%s差异系数 %s > %.2f", s.Stage.ZH(), ir.Indicator.ZH, planCV(ir.CV.CV), ir.Limit))
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "（" + strings.Join(out, "；") + "）"
}

func planCV(v float64) string {
	if math.IsNaN(v) {
		return "无法计算"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func planVal(v float64) string {
	if math.IsNaN(v) {
		return "未填报"
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// writePlanXLSX writes the plan as a workbook: the additions, the CVs and
// the values of the schools that change, and the unit costs.
func writePlanXLSX(w io.Writer, pl *plan.Plan) error {
	f := excelize.NewFile()
	defer f.Close()
	r := pl.Rules
	sheets := []struct {
		name   string
		header []string
		rows   [][]any
	}{
		{name: "补充方案", header: []string{"学校标识码", "学校名称", "列", "列名", "补充数量", "单位", "招聘", "调入", "调出", "费用（元）"}},
		{name: "差异系数", header: []string{"学段", "指标", "上限", "补充前", "补充后", "补充后结论", "朴素方案"}},
		{name: "学校指标", header: []string{"学校标识码", "学校名称", "学段", "指标", "标准值", "补充前", "补充后", "补充后学校达标"}},
		{name: "单价", header: []string{"指标", "说明", "单价（元）", "单位", "步长"}},
		{name: "概要", header: []string{"项目", "值"}},
	}
	for _, s := range pl.Schools {
		for _, k := range slices.Sorted(maps.Keys(s.Add)) {
			col, _ := census.FieldByKey(k)
			row := []any{s.Code, s.Name, k, census.Columns[col].ZH, s.Add[k], census.Columns[col].Unit, nil, nil, nil, nil}
			for _, it := range s.Items {
				if it.Column == k {
					row[6], row[7], row[8], row[9] = it.Hired, it.MovedIn, it.MovedOut, it.Cost
				}
			}
			sheets[0].rows = append(sheets[0].rows, row)
		}
	}
	if pl.After != nil {
		for _, sb := range pl.Before.Stages {
			if sb.Parts == 0 {
				continue
			}
			sa := pl.After.Stage(sb.Stage)
			for i, ib := range sb.Indicators {
				row := []any{sb.Stage.ZH(), ib.Indicator.ZH, ib.Limit, planNum(ib.CV.CV), planNum(sa.Indicators[i].CV.CV), planVerdict(sa.Indicators[i].Pass), nil}
				if pl.Naive != nil && pl.Naive.After != nil {
					row[6] = planNum(pl.Naive.After.Stage(sb.Stage).Indicators[i].CV.CV)
				}
				sheets[1].rows = append(sheets[1].rows, row)
			}
		}
		after := map[string]*eval.Part{}
		for _, p := range pl.After.Parts {
			after[p.SchoolCode+"/"+string(p.Stage)] = p
		}
		for _, p := range pl.Before.Parts {
			if p.Excluded {
				continue
			}
			pa := after[p.SchoolCode+"/"+string(p.Stage)]
			for k, ind := range r.Indicators {
				sheets[2].rows = append(sheets[2].rows, []any{p.SchoolCode, p.SchoolName, p.Stage.ZH(), ind.ZH, ind.Thresholds[p.Stage], planNum(p.Values[k]), planNum(pa.Values[k]), planVerdict(pa.Pass)})
			}
		}
	}
	for _, ind := range r.Indicators {
		u := pl.Costs.Unit(ind.ID)
		sheets[3].rows = append(sheets[3].rows, []any{ind.ID, planUnitName(ind), u.Cost, u.Label, u.Step})
	}
	sheets[4].rows = [][]any{
		{"县区", pl.CountyName + "（" + pl.County + "）"}, {"年度", pl.Year}, {"标准", r.Name}, {"方案", r.Profile.Name},
		{"有可行方案", pl.Feasible}, {"问题", pl.Problem}, {"总费用（元）", pl.TotalCost}, {"费用下界（元）", pl.LowerBound},
		{"差距", pl.Gap}, {"已证明最优", pl.Optimal}, {"允许教师交流", pl.Options.Rotation},
		{"判定精度", eval.ComparisonText(r.Settings.CVCompareDecimals)},
	}
	if pl.Naive != nil {
		sheets[4].rows = append(sheets[4].rows, []any{"朴素方案费用（元）", pl.Naive.Cost}, []any{"朴素方案补充后达标", pl.Naive.Pass})
	}
	if pl.After != nil {
		sheets[4].rows = append(sheets[4].rows, []any{"补充后资源配置（评估引擎复核）", planVerdict(pl.After.ResourcePass)})
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		if err := f.SetSheetRow(sh.name, "A1", &sh.header); err != nil {
			return err
		}
		for j, row := range sh.rows {
			for c, v := range row {
				if b, ok := v.(bool); ok {
					row[c] = map[bool]string{true: "是", false: "否"}[b]
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
			if err := f.SetSheetRow(sh.name, cell, &row); err != nil {
				return err
			}
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// planNum leaves an undefined number as an empty cell.
func planNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
