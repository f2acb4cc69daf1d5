// Package report turns evaluation results into the documents a county hands
// to its inspectors and a city or province uses to compare counties: the
// county 自评报告 with its 附表, and the city or province summary, each as a
// PDF (pure Go, with an embedded CJK font, so it works on a server with no
// browser), an XLSX workbook and a self-contained print-ready HTML page.
//
// A report is built in two steps. NewCounty and NewSummary turn eval results
// into a typed model (what the report says: figures, verdicts, the unmet
// items, the change from last year), which tests and the web application can
// read directly; the renderers then lay that model out. Parts of a report
// that other packages own — the whole-standard items, the gap plan, the
// kindergartens — plug in as Sections, so the report needs no change when
// they arrive.
package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Meta is what every report states about how it was produced.
type Meta struct {
	Year         int
	Standard     string // id, e.g. yzjh2017
	StandardName string // 县域义务教育优质均衡发展督导评估办法
	Document     string // 教督〔2017〕6号
	Profile      string // id, e.g. national
	ProfileName  string
	// Changed lists, in words, what the profile changes from the national rules.
	Changed []string
	// CVCompareDecimals is the setting the CV verdicts were compared under
	// (-1: unrounded), and Comparison says in words how verdicts were
	// compared; every report prints it.
	CVCompareDecimals int
	Comparison        string
	// Date is the date printed on the report; the caller supplies it, so
	// that the same inputs always give the same document.
	Date time.Time
}

func newMeta(res *eval.Result, date time.Time) Meta {
	m := Meta{Year: res.Year, Standard: res.Standard, Profile: res.Profile, Date: date, CVCompareDecimals: -1}
	if r := res.Rules; r != nil {
		m.StandardName, m.Document = r.Name, r.Document
		m.Changed = r.Changed
		m.CVCompareDecimals = r.Settings.CVCompareDecimals
		// The report marks such CVs with ※ (the text output with ⚠).
		m.Comparison = strings.ReplaceAll(strings.TrimPrefix(eval.ComparisonText(r.Settings.CVCompareDecimals), "判定精度："), "⚠", "※")
		if r.Profile != nil {
			m.ProfileName = r.Profile.Name
		}
	}
	if m.ProfileName == "" {
		m.ProfileName = m.Profile
	}
	return m
}

// DateZH formats the report date the Chinese way: 2024年9月1日.
func (m Meta) DateZH() string {
	if m.Date.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", m.Date.Year(), int(m.Date.Month()), m.Date.Day())
}

// County is the 自评报告 of one county: the 资源配置 evaluation with its
// figures and verdicts, what is not met, the change from last year and any
// sections other packages supply.
type County struct {
	Meta
	Code, Name string
	// City and Province are the names of the enclosing regions, when known.
	City, Province string
	// DataStatus says which data the report was computed from: approved
	// (正式) or including unapproved data (临时); "" says nothing.
	DataStatus string
	Pass       bool // the 资源配置 verdict
	Complete   bool // every part in scope reported every figure
	Verdict    string
	// Overview is the report's opening, one paragraph a string.
	Overview []string
	Stages   []*Stage
	// Unmet lists everything that keeps the county from passing.
	Unmet      []Unmet
	Exclusions []Exclusion
	Precision  Precision
	// Change compares with the previous year; nil when there is none.
	Change *Change
	// Sections are supplied by callers (Options.Sections).
	Sections []Section
	// Indicators are the standard's indicators, in the order of every table.
	Indicators []IndicatorInfo
	// Whole is the verdict under the whole standard, when the county was
	// evaluated with eval.EvaluateWhole; nil otherwise.
	Whole *Whole
	// Preschool is set for a preschool standard (no school stages).
	Preschool bool
}

// IndicatorInfo names one indicator of the standard.
type IndicatorInfo struct {
	ID, Name, Unit string
	// Short is a name short enough for a table header or a chart label.
	Short string
}

// Stage is one stage set (小学 or 初中) of a county.
type Stage struct {
	Stage    census.Stage
	Name     string // 小学
	Parts    int    // school parts in scope
	Excluded int
	Students float64
	Failing  int // parts failing the school rule (with complete data)
	Missing  int // parts with some figure not reported
	Pass     bool
	// AllPartsPass and BalancePass are the two halves of the verdict.
	AllPartsPass bool
	BalancePass  bool
	Indicators   []IndicatorRow
	// CompositeCV is the mean of the CVs (NaN when one is undefined);
	// CompositeLimit is its limit when the standard judges it, else 0.
	CompositeCV    float64
	CompositeLimit float64
	// Schools is the 附表: one row per school part in scope, by code.
	Schools []SchoolRow
}

// IndicatorRow is one line of a stage's CV table.
type IndicatorRow struct {
	IndicatorInfo
	Threshold float64
	N         int
	Students  float64
	Mean, SD  float64
	CV        float64 // NaN when undefined
	Limit     float64
	Margin    float64 // Limit − CV
	Defined   bool
	Pass      bool
	// Flips: rounding the CV to 2 decimals would give the other verdict.
	Flips      bool
	Verdict    string
	PartsBelow int // parts below the indicator's threshold
	Missing    int // parts that did not report it
}

// SchoolRow is one school part of the 附表.
type SchoolRow struct {
	Code, Name, Type, Location string
	Students                   float64
	// Values are the indicator values in Indicators order, NaN when not
	// reported; Below marks those under their thresholds.
	Values  []float64
	Below   []bool
	Met     int
	Pass    bool
	Verdict string
	Note    string // the shortfalls or the missing figures, in words
}

// Unmet is one thing that keeps the county from passing.
type Unmet struct {
	Stage   string // 小学 / 初中
	Kind    string // 差异系数 / 学校 / 数据
	Subject string // the indicator or the school
	Detail  string
}

// Exclusion is a school part left out of every figure, with the reason.
type Exclusion struct {
	Code, Name, Stage, Type string
	Students                float64
	Reason                  string
}

// Precision says how figures were compared, and which verdicts rounding
// would flip.
type Precision struct {
	CompareDecimals int // -1: unrounded
	Notes           []string
	// Flips names the CVs whose verdict rounding to 2 decimals would flip.
	Flips []string
}

// Change compares the county with its previous year.
type Change struct {
	PrevYear    int
	PrevPass    bool
	PrevVerdict string
	// Counts compares headline figures (parts, students, failing parts,
	// CVs over their limits).
	Counts []CountChange
	// Rows compares each stage's CVs.
	Rows []CVChange
	// Notes lists the verdicts that changed, in words.
	Notes []string
}

// CountChange is one headline figure this year and last.
type CountChange struct {
	Label     string
	Prev, Cur float64
}

// CVChange is one CV this year and last.
type CVChange struct {
	Stage     string
	Indicator IndicatorInfo
	Prev, Cur float64 // NaN when undefined or absent
	Delta     float64 // Cur − Prev
	PrevPass  bool
	CurPass   bool
	Limit     float64
}

// Options are what a county report needs beyond the evaluation.
type Options struct {
	// Date is printed on the report.
	Date time.Time
	// Previous is the county's evaluation of an earlier year (usually the
	// year before), for the change from last year; nil for none.
	Previous     *eval.County
	PreviousYear int
	// City and Province name the enclosing regions, when known.
	City, Province string
	// Sections are added to the report where each says.
	Sections []Section
	// DataStatus is printed on the cover: which data the report uses.
	DataStatus string
}

// Verdict words.
const (
	VerdictPass       = "达标"
	VerdictFail       = "未达标"
	VerdictIncomplete = "数据不全"
	VerdictUndefined  = "无法计算"
	VerdictExcluded   = "不参与"
)

// shortNames shortens the indicators' official names for table headers and
// chart labels; an indicator not listed keeps its name.
var shortNames = map[string]string{
	"qualified_teachers": "高于规定学历教师",
	"backbone_teachers":  "县级以上骨干教师",
	"pe_art_teachers":    "体育艺术专任教师",
	"teaching_area":      "生均教学及辅助用房",
	"sports_area":        "生均体育运动场馆",
	"equipment_value":    "生均教学仪器设备值",
	"multimedia_rooms":   "网络多媒体教室",
}

func indicatorInfos(r *standards.Rules) []IndicatorInfo {
	out := make([]IndicatorInfo, len(r.Indicators))
	for i, ind := range r.Indicators {
		short := shortNames[ind.ID]
		if short == "" {
			short = ind.ZH
		}
		out[i] = IndicatorInfo{ID: ind.ID, Name: ind.ZH, Unit: ind.Unit, Short: short}
	}
	return out
}

// NewCounty builds the report of county c of res.
func NewCounty(res *eval.Result, c *eval.County, opt Options) *County {
	r := res.Rules
	rep := &County{
		Meta: newMeta(res, opt.Date), Code: c.Code, Name: c.Name,
		City: opt.City, Province: opt.Province, DataStatus: opt.DataStatus,
		Pass: c.ResourcePass, Complete: c.Complete,
		Indicators: indicatorInfos(r),
		Sections:   append(WholeSections(c), opt.Sections...),
		Preschool:  r.Preschool(),
	}
	if c.Verdict != nil {
		rep.Whole = newWhole(c.Verdict)
	}
	rep.Verdict = countyVerdict(c)
	names := map[string]string{}
	for _, ind := range rep.Indicators {
		names[ind.ID] = ind.Name
	}
	for _, s := range c.Stages {
		rep.Stages = append(rep.Stages, newStage(rep, c, s, names))
	}
	for _, p := range c.Parts {
		if p.Excluded {
			rep.Exclusions = append(rep.Exclusions, Exclusion{Code: p.SchoolCode, Name: p.SchoolName,
				Stage: p.Stage.ZH(), Type: p.SchoolType.ZH(), Students: p.Students, Reason: p.Reason})
		}
	}
	rep.Unmet = unmet(rep, c, names)
	rep.Precision = precision(rep, r)
	if opt.Previous != nil {
		rep.Change = change(rep, opt.Previous, opt.PreviousYear)
	}
	rep.Overview = overview(rep)
	return rep
}

func countyVerdict(c *eval.County) string {
	switch {
	case c.ResourcePass:
		return VerdictPass
	case !c.Complete:
		return VerdictIncomplete
	}
	return VerdictFail
}

func newStage(rep *County, c *eval.County, s *eval.StageResult, names map[string]string) *Stage {
	st := &Stage{Stage: s.Stage, Name: s.Stage.ZH(), Parts: s.Parts, Excluded: s.Excluded, Students: s.Students,
		Failing: s.FailingParts, Missing: s.MissingParts, Pass: s.Pass,
		AllPartsPass: s.AllPartsPass, BalancePass: s.BalancePass,
		CompositeCV: s.CompositeCV, CompositeLimit: s.CompositeLim}
	// FailingParts counts parts with missing data too; report them apart.
	for _, ir := range s.Indicators {
		row := IndicatorRow{Threshold: ir.Threshold, N: ir.N, Students: ir.Students, Mean: ir.Mean, SD: ir.SD,
			CV: ir.CV.CV, Limit: ir.Limit, Margin: ir.Margin, Defined: ir.Defined, Pass: ir.Pass,
			Flips: ir.RoundingFlips, PartsBelow: ir.PartsBelow, Missing: ir.Missing}
		for _, info := range rep.Indicators {
			if info.ID == ir.Indicator.ID {
				row.IndicatorInfo = info
			}
		}
		switch {
		case !ir.Defined:
			row.Verdict = VerdictUndefined
		case ir.Missing > 0:
			row.Verdict = VerdictIncomplete
		case ir.Pass:
			row.Verdict = VerdictPass
		default:
			row.Verdict = VerdictFail
		}
		if s.Parts == 0 {
			row.Verdict = "—"
		}
		st.Indicators = append(st.Indicators, row)
	}
	missingParts := 0
	for _, p := range c.Parts {
		if p.Stage != s.Stage || p.Excluded {
			continue
		}
		row := SchoolRow{Code: p.SchoolCode, Name: p.SchoolName, Type: p.SchoolType.ZH(), Location: p.Location,
			Students: p.Students, Values: p.Values, Below: make([]bool, len(p.Values)), Met: p.Met, Pass: p.Pass}
		for _, sf := range p.Shortfalls {
			for k, ind := range rep.Indicators {
				if ind.ID == sf.Indicator {
					row.Below[k] = true
				}
			}
		}
		switch {
		case len(p.Missing) > 0:
			row.Verdict = VerdictIncomplete
			missingParts++
			var ms []string
			for _, id := range p.Missing {
				ms = append(ms, names[id])
			}
			row.Note = "未填报：" + strings.Join(ms, "、")
		case p.Pass:
			row.Verdict = VerdictPass
		default:
			row.Verdict = VerdictFail
		}
		if len(p.Missing) == 0 && len(p.Shortfalls) > 0 {
			var sfs []string
			for _, sf := range p.Shortfalls {
				w := fmt.Sprintf("%s %.1f%%", shortOf(rep, sf.Indicator), sf.Ratio*100)
				if sf.BelowFloor {
					w += "（低于85%）"
				}
				sfs = append(sfs, w)
			}
			row.Note = "未达标：" + strings.Join(sfs, "；")
		}
		st.Schools = append(st.Schools, row)
	}
	st.Failing = s.FailingParts - missingParts
	return st
}

func shortOf(rep *County, id string) string {
	for _, ind := range rep.Indicators {
		if ind.ID == id {
			return ind.Short
		}
	}
	return id
}

func unmet(rep *County, c *eval.County, names map[string]string) []Unmet {
	var out []Unmet
	for _, st := range rep.Stages {
		if st.Parts == 0 {
			continue
		}
		for _, ir := range st.Indicators {
			switch {
			case !ir.Defined:
				out = append(out, Unmet{Stage: st.Name, Kind: "差异系数", Subject: ir.Name,
					Detail: "差异系数无法计算（没有在校生或加权均值为0）"})
			case ir.Missing > 0:
				out = append(out, Unmet{Stage: st.Name, Kind: "数据", Subject: ir.Name,
					Detail: fmt.Sprintf("有 %d 所学校（部）未填报，差异系数 %s 仅供参考，补齐数据前无法认定", ir.Missing, f4(ir.CV))})
			case !ir.Pass:
				d := fmt.Sprintf("差异系数 %s，超过上限 %s（超出 %s）", f4(ir.CV), f2(ir.Limit), f4(-ir.Margin))
				if ir.Flips {
					d += "；※保留两位小数为 " + f2(ir.CV) + "，会改变结论"
				}
				out = append(out, Unmet{Stage: st.Name, Kind: "差异系数", Subject: ir.Name, Detail: d})
			}
		}
		if st.CompositeLimit > 0 && !st.BalancePass {
			out = append(out, Unmet{Stage: st.Name, Kind: "差异系数", Subject: "综合差异系数",
				Detail: fmt.Sprintf("综合差异系数 %s，超过上限 %s", f4(st.CompositeCV), f2(st.CompositeLimit))})
		}
	}
	for _, p := range c.Parts {
		if p.Excluded {
			continue
		}
		subject := fmt.Sprintf("%s %s", p.SchoolCode, p.SchoolName)
		if len(p.Missing) > 0 {
			var ms []string
			for _, id := range p.Missing {
				ms = append(ms, names[id])
			}
			out = append(out, Unmet{Stage: p.Stage.ZH(), Kind: "数据", Subject: subject,
				Detail: "未填报：" + strings.Join(ms, "、")})
			continue
		}
		if p.Pass {
			continue
		}
		var ds []string
		for _, sf := range p.Shortfalls {
			ind := names[sf.Indicator]
			d := fmt.Sprintf("%s %s，低于标准值 %s（%.1f%%", ind, f2(sf.Value), fnum(sf.Threshold), sf.Ratio*100)
			if sf.BelowFloor {
				d += "，低于85%"
			}
			d += "；达标还需 " + famount(sf.Need) + " " + rawUnit(sf.Indicator) + "）"
			ds = append(ds, d)
		}
		out = append(out, Unmet{Stage: p.Stage.ZH(), Kind: "学校", Subject: subject,
			Detail: fmt.Sprintf("7 项中 %d 项达标：%s", p.Met, strings.Join(ds, "；"))})
	}
	return out
}

// rawUnit is the unit of the quantity a part lacks (teachers, ㎡, 元, rooms).
func rawUnit(id string) string {
	switch id {
	case "qualified_teachers", "backbone_teachers", "pe_art_teachers":
		return "人"
	case "teaching_area", "sports_area":
		return "㎡"
	case "equipment_value":
		return "元"
	case "multimedia_rooms":
		return "间"
	}
	return ""
}

func precision(rep *County, r *standards.Rules) Precision {
	p := Precision{CompareDecimals: r.Settings.CVCompareDecimals}
	p.Notes = append(p.Notes,
		"差异系数按在校生数加权计算：加权均值 = Σ原始数 ÷ Σ在校生数（每百名指标再乘 100）；标准差 S = √( Σ 各校（部）在校生占比 ×（该校指标值 − 加权均值）² )；差异系数 = S ÷ 加权均值。用总体标准差，不用 n−1，也不用各校指标值的简单平均。")
	if p.CompareDecimals < 0 {
		p.Notes = append(p.Notes, "计算中不作舍入；差异系数以未舍入的值与上限比较（cv_compare_decimals = -1）。")
	} else {
		p.Notes = append(p.Notes, fmt.Sprintf("计算中不作舍入；按%s，差异系数四舍五入保留 %d 位小数后与上限比较（cv_compare_decimals = %d）。", rep.ProfileName, p.CompareDecimals, p.CompareDecimals))
	}
	p.Notes = append(p.Notes,
		"每次与标准值、下限或上限比较都是精确的，不设容差：各项统计数据按填报的十进制数读取（如 9 名体育艺术教师对 1000 名学生恰为 0.9 人/百生，达到标准值 0.9；1999.9999992 元/生未达到 2000），比值以分子与“标准值 × 分母”比较，差异系数以其平方与上限的平方比较；舍入一律四舍五入。",
		"本报告表格中差异系数显示 4 位小数、指标值显示 2 位小数；XLSX 附表保存完整精度。")
	for _, st := range rep.Stages {
		for _, ir := range st.Indicators {
			if ir.Flips {
				verdict := "不达标；保留两位小数为 " + f2(ir.CV) + " 则达标"
				if ir.Pass {
					verdict = "达标；保留两位小数为 " + f2(ir.CV) + " 则不达标"
				}
				p.Flips = append(p.Flips, fmt.Sprintf("%s %s：差异系数 %s，上限 %s，不舍入比较%s", st.Name, ir.Name, f6(ir.CV), f2(ir.Limit), verdict))
			}
		}
	}
	return p
}

func change(rep *County, prev *eval.County, prevYear int) *Change {
	ch := &Change{PrevYear: prevYear, PrevPass: prev.ResourcePass, PrevVerdict: countyVerdict(prev)}
	if ch.PrevYear == 0 {
		ch.PrevYear = rep.Year - 1
	}
	var prevParts, curParts, prevStudents, curStudents, prevFailing, curFailing, prevCV, curCV float64
	for _, st := range rep.Stages {
		ps := prev.Stage(st.Stage)
		curParts += float64(st.Parts)
		curStudents += st.Students
		curFailing += float64(st.Failing + st.Missing)
		if ps != nil {
			prevParts += float64(ps.Parts)
			prevStudents += ps.Students
			prevFailing += float64(ps.FailingParts)
		}
		for _, ir := range st.Indicators {
			row := CVChange{Stage: st.Name, Indicator: ir.IndicatorInfo, Prev: math.NaN(), Cur: ir.CV, CurPass: ir.Pass, Limit: ir.Limit}
			if st.Parts > 0 && !ir.Pass {
				curCV++
			}
			if ps != nil {
				if pir := ps.Indicator(ir.ID); pir != nil {
					row.Prev, row.PrevPass = pir.CV.CV, pir.Pass
					if ps.Parts > 0 && !pir.Pass {
						prevCV++
					}
				}
			}
			row.Delta = row.Cur - row.Prev
			ch.Rows = append(ch.Rows, row)
			switch {
			case ps == nil || math.IsNaN(row.Prev) || math.IsNaN(row.Cur):
			case row.PrevPass && !row.CurPass:
				ch.Notes = append(ch.Notes, fmt.Sprintf("%s %s差异系数由 %s 升至 %s，由达标变为不达标。", st.Name, ir.Name, f4(row.Prev), f4(row.Cur)))
			case !row.PrevPass && row.CurPass:
				ch.Notes = append(ch.Notes, fmt.Sprintf("%s %s差异系数由 %s 降至 %s，由不达标变为达标。", st.Name, ir.Name, f4(row.Prev), f4(row.Cur)))
			}
		}
	}
	ch.Counts = []CountChange{
		{"参与计算的学校（部）", prevParts, curParts},
		{"在校生（人）", prevStudents, curStudents},
		{"未达标或数据不全的学校（部）", prevFailing, curFailing},
		{"超过上限或无法认定的差异系数（项）", prevCV, curCV},
	}
	if ch.PrevPass != rep.Pass {
		ch.Notes = append([]string{fmt.Sprintf("资源配置结论由 %d 年度的“%s”变为“%s”。", ch.PrevYear, ch.PrevVerdict, rep.Verdict)}, ch.Notes...)
	}
	return ch
}

func overview(rep *County) []string {
	var out []string
	if len(rep.Stages) == 0 {
		std := rep.StandardName
		if rep.Document != "" {
			std += "（" + rep.Document + "）"
		}
		out = append(out, fmt.Sprintf("依据%s、%s，%s%d年度认定结论：%s。", std, rep.ProfileName, rep.Name, rep.Year, wholeVerdict(rep)))
		if w := rep.Whole; w != nil {
			if len(w.Unmet) > 0 {
				out = append(out, "未达标项目："+strings.Join(w.Unmet, "、")+"。")
			}
			if len(w.Pending) > 0 {
				out = append(out, "待定项目："+strings.Join(w.Pending, "、")+"。")
			}
		}
		return out
	}
	var stages []string
	parts, excluded := 0, 0
	for _, st := range rep.Stages {
		parts += st.Parts
		excluded += st.Excluded
		stages = append(stages, fmt.Sprintf("%s %d 个（在校生 %s 人）", st.Name, st.Parts, fcount(st.Students)))
	}
	p := fmt.Sprintf("%s%d年度共有 %d 个义务教育学校（部）参与资源配置评估：%s。", rep.Name, rep.Year, parts, strings.Join(stages, "，"))
	if excluded > 0 {
		p += fmt.Sprintf("另有 %d 个学校（部）按规定不参与计算，原因见“不参与计算的学校”。", excluded)
	}
	out = append(out, p)
	std := rep.StandardName
	if rep.Document != "" {
		std += "（" + rep.Document + "）"
	}
	p = fmt.Sprintf("依据%s、%s，资源配置评估结论为：%s。", std, rep.ProfileName, rep.Verdict)
	out = append(out, p)
	for _, st := range rep.Stages {
		if st.Parts == 0 {
			out = append(out, fmt.Sprintf("%s：没有参与计算的学校（部）。", st.Name))
			continue
		}
		within, n := 0, 0
		for _, ir := range st.Indicators {
			n++
			if ir.Pass {
				within++
			}
		}
		s := fmt.Sprintf("%s：%d 个学校（部）中 %d 个达到“至少 6 项达标、其余不低于 85%%”的要求", st.Name, st.Parts, st.Parts-st.Failing-st.Missing)
		if st.Failing > 0 {
			s += fmt.Sprintf("，%d 个未达到", st.Failing)
		}
		if st.Missing > 0 {
			s += fmt.Sprintf("，%d 个数据不全", st.Missing)
		}
		s += fmt.Sprintf("；%d 项差异系数中 %d 项在上限 %s 以内", n, within, f2(limitOf(st)))
		if worst := worstRow(st); worst != nil {
			if worst.Pass {
				s += fmt.Sprintf("，最接近上限的是%s（%s）", worst.Name, f4(worst.CV))
			} else {
				s += fmt.Sprintf("，超出最多的是%s（%s）", worst.Name, f4(worst.CV))
			}
		}
		s += "。"
		out = append(out, s)
	}
	if !rep.Complete {
		out = append(out, "有学校（部）数据不全：补齐数据之前，全县资源配置无法认定。")
	}
	if w := rep.Whole; w != nil {
		out = append(out, fmt.Sprintf("按整体标准（资源配置之外还有其他各部分的认定项目），全县认定结论：%s，见“认定项目”。", w.Verdict))
	}
	if n := len(rep.Precision.Flips); n > 0 {
		out = append(out, fmt.Sprintf("有 %d 项差异系数保留两位小数会改变结论，以“※”标出，见“计算精度说明”。", n))
	}
	if ch := rep.Change; ch != nil {
		if ch.PrevPass != rep.Pass {
			out = append(out, fmt.Sprintf("与 %d 年度相比，结论由“%s”变为“%s”。", ch.PrevYear, ch.PrevVerdict, rep.Verdict))
		} else {
			out = append(out, fmt.Sprintf("%d 年度结论同为“%s”，变化见“与上年比较”。", ch.PrevYear, ch.PrevVerdict))
		}
	}
	return out
}

func limitOf(st *Stage) float64 {
	for _, ir := range st.Indicators {
		if ir.Limit > 0 {
			return ir.Limit
		}
	}
	return st.CompositeLimit
}

// worstRow returns the stage's indicator with the smallest margin.
func worstRow(st *Stage) *IndicatorRow {
	var w *IndicatorRow
	for i := range st.Indicators {
		ir := &st.Indicators[i]
		if !ir.Defined || ir.Limit == 0 {
			continue
		}
		if w == nil || ir.Margin < w.Margin {
			w = ir
		}
	}
	return w
}

// wholeVerdict is the whole standard's verdict, or the resource one.
func wholeVerdict(c *County) string {
	if c.Whole != nil {
		return c.Whole.Verdict
	}
	return c.Verdict
}

// Title is the report's title.
func (c *County) Title() string {
	if c.Preschool {
		return fmt.Sprintf("%s%d年度%s自评报告", c.Name, c.Year, standardShort(c.StandardName))
	}
	return fmt.Sprintf("%s%d年度%s资源配置自评报告", c.Name, c.Year, standardShort(c.StandardName))
}

// standardShort is the standard's name without its "督导评估办法" ending:
// 县域义务教育优质均衡发展.
func standardShort(name string) string {
	for _, suffix := range []string{"督导评估暂行办法", "督导评估办法"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// FileName is a sensible file name for the report in format ext.
func (c *County) FileName(ext string) string {
	return fmt.Sprintf("%s%d年度资源配置自评报告.%s", c.Name, c.Year, ext)
}
