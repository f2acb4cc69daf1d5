package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
)

// Summary compares the counties of a city or a province: ranked by verdict,
// then by how far their worst CV is from its limit.
type Summary struct {
	Meta
	// DataStatus says which data the summary uses (official or
	// provisional); "" says nothing.
	DataStatus string
	// Level is census.LevelCity or census.LevelProvince; Code and Name the region's.
	Level      string
	Code, Name string
	Counties   []SummaryRow
	// Whole is true when the counties were judged under the whole
	// standard (eval.EvaluateWhole): the rows are then ranked by that
	// verdict, and Passed, Failed and Incomplete count the counties
	// recognised, not recognised and pending; ResourcePassed counts those
	// whose resource part passes, one line of the verdict.
	Whole          bool
	ResourcePassed int
	Passed         int
	Failed         int // failed with complete data (under the whole standard: not recognised)
	Incomplete     int // (under the whole standard: pending)
	// Cities groups the counties by city (for a province).
	Cities []CityRow
	// Indicators counts, per stage and indicator, the counties whose CV
	// exceeds its limit (or cannot be judged) and the school parts below the threshold.
	Indicators []IndicatorCount
	Flips      int // CV verdicts, over all counties, that rounding would flip
}

// SummaryRow is one county of a Summary.
type SummaryRow struct {
	Rank       int
	Code, Name string
	City       string // the city's name
	Pass       bool
	Complete   bool
	Verdict    string
	// Resource is the resource part's verdict (达标, 未达标, 数据不全);
	// Verdict is that too, unless the county was judged under the whole
	// standard: then Verdict is the whole verdict and Whole its items.
	Resource   string
	Whole      *Whole
	Parts      int
	Students   float64
	Failing    int // parts failing the school rule
	Missing    int // parts with some figure not reported
	FailingCVs int // CVs over their limits or undefined
	// WorstMargin is the smallest limit − CV over every stage and indicator;
	// negative when some CV exceeds its limit, NaN when none is defined.
	WorstMargin float64
	// Worst lists the CVs that do not pass (over their limits, or lacking
	// data), worst first and at most three, or, when all pass, the one
	// closest to its limit.
	Worst []WorstCV
	Flips int
}

// WorstCV is one of a county's worst CVs.
type WorstCV struct {
	Stage     string
	Indicator IndicatorInfo
	CV, Limit float64
	Margin    float64
	Flips     bool
	// Incomplete: some school part did not report the indicator, so its
	// CV cannot be judged whatever its value.
	Incomplete bool
}

// String is "小学 县级以上骨干教师 0.5025（上限 0.50）".
func (w WorstCV) String() string {
	s := fmt.Sprintf("%s %s %s（上限 %s）", w.Stage, w.Indicator.Short, f4(w.CV), f2(w.Limit))
	if w.Incomplete {
		s = fmt.Sprintf("%s %s 数据不全", w.Stage, w.Indicator.Short)
	}
	if w.Flips {
		s += "※"
	}
	return s
}

// CityRow counts the verdicts of one city's counties.
type CityRow struct {
	Code, Name                           string
	Counties, Passed, Failed, Incomplete int
}

// IndicatorCount is one indicator of one stage across the counties.
type IndicatorCount struct {
	Stage     string
	Indicator IndicatorInfo
	// Counties: counties whose CV exceeds the limit or cannot be judged.
	Counties int
	// PartsBelow: school parts below the threshold, over every county.
	PartsBelow int
	Parts      int
}

// Scope names the region a summary covers.
type Scope struct {
	Level string // census.LevelCity or census.LevelProvince
	Code  string // the region's 6-digit code
	Name  string
}

// Contains reports whether county code c lies in the scope.
func (s Scope) Contains(c string) bool {
	switch s.Level {
	case census.LevelCity:
		return census.CityCode(c) == s.Code
	case census.LevelProvince:
		return census.ProvinceCode(c) == s.Code
	}
	return false
}

// NewSummary builds the summary of the counties of res that lie in scope.
// regions supplies the cities' names (nil is fine: codes stand in).
func NewSummary(res *eval.Result, scope Scope, regions []census.Region, date time.Time) *Summary {
	s := &Summary{Meta: newMeta(res, date), Level: scope.Level, Code: scope.Code, Name: scope.Name}
	names := map[string]string{}
	for _, r := range regions {
		names[r.Code] = r.Name
	}
	infos := indicatorInfos(res.Rules)
	type key struct {
		stage census.Stage
		id    string
	}
	counts := map[key]*IndicatorCount{}
	var countOrder []key
	cities := map[string]*CityRow{}
	var cityOrder []string
	for _, c := range res.Counties {
		if !scope.Contains(c.Code) {
			continue
		}
		row := summaryRow(c, infos)
		cc := census.CityCode(c.Code)
		row.City = names[cc]
		if row.City == "" {
			row.City = cc
		}
		s.Counties = append(s.Counties, row)
		if row.Whole != nil {
			s.Whole = true
		}
		if row.Resource == VerdictPass {
			s.ResourcePassed++
		}
		city := cities[cc]
		if city == nil {
			city = &CityRow{Code: cc, Name: row.City}
			cities[cc] = city
			cityOrder = append(cityOrder, cc)
		}
		city.Counties++
		switch rowRank(row) {
		case 0:
			s.Passed++
			city.Passed++
		case 2:
			s.Incomplete++
			city.Incomplete++
		default:
			s.Failed++
			city.Failed++
		}
		s.Flips += row.Flips
		for _, st := range c.Stages {
			for k, ir := range st.Indicators {
				kk := key{st.Stage, ir.Indicator.ID}
				ic := counts[kk]
				if ic == nil {
					ic = &IndicatorCount{Stage: st.Stage.ZH(), Indicator: infos[k]}
					counts[kk] = ic
					countOrder = append(countOrder, kk)
				}
				if st.Parts > 0 && !ir.Pass {
					ic.Counties++
				}
				ic.PartsBelow += ir.PartsBelow
				ic.Parts += ir.N + ir.Missing
			}
		}
	}
	for _, k := range countOrder {
		s.Indicators = append(s.Indicators, *counts[k])
	}
	slices.Sort(cityOrder)
	for _, cc := range cityOrder {
		s.Cities = append(s.Cities, *cities[cc])
	}
	slices.SortStableFunc(s.Counties, compareRows)
	for i := range s.Counties {
		s.Counties[i].Rank = i + 1
	}
	return s
}

// rowRank is the place of a row's verdict in the ranking: 0 for 达标 (or
// recognised under the whole standard), 1 for 未达标 (not recognised), 2
// for 数据不全 (pending).
func rowRank(r SummaryRow) int {
	if r.Whole != nil {
		switch r.Whole.Status {
		case census.StatusMet:
			return 0
		case census.StatusNotMet:
			return 1
		}
		return 2
	}
	switch r.Verdict {
	case VerdictPass:
		return 0
	case VerdictFail:
		return 1
	}
	return 2
}

// compareRows orders counties by verdict (the whole standard's where the
// counties were judged under it: recognised, not, pending; else the
// resource part's: 达标, 未达标, 数据不全), then by their worst CV margin,
// largest first (undefined last), then by code.
func compareRows(a, b SummaryRow) int {
	if c := cmp.Compare(rowRank(a), rowRank(b)); c != 0 {
		return c
	}
	an, bn := math.IsNaN(a.WorstMargin), math.IsNaN(b.WorstMargin)
	switch {
	case an && !bn:
		return 1
	case bn && !an:
		return -1
	case !an && a.WorstMargin != b.WorstMargin:
		return cmp.Compare(b.WorstMargin, a.WorstMargin)
	}
	return strings.Compare(a.Code, b.Code)
}

func summaryRow(c *eval.County, infos []IndicatorInfo) SummaryRow {
	row := SummaryRow{Code: c.Code, Name: c.Name, Pass: c.ResourcePass, Complete: c.Complete,
		Verdict: countyVerdict(c), WorstMargin: math.NaN(), Flips: c.RoundingFlips}
	row.Resource = row.Verdict
	if c.Verdict != nil {
		row.Whole = newWhole(c.Verdict)
		row.Verdict = row.Whole.Verdict
	}
	var all []WorstCV
	for _, st := range c.Stages {
		row.Parts += st.Parts
		row.Students += st.Students
		row.Failing += st.FailingParts - st.MissingParts
		row.Missing += st.MissingParts
		for k, ir := range st.Indicators {
			if st.Parts > 0 && !ir.Pass {
				row.FailingCVs++
			}
			if !ir.Defined || ir.Limit == 0 {
				continue
			}
			all = append(all, WorstCV{Stage: st.Stage.ZH(), Indicator: infos[k], CV: ir.CV.CV, Limit: ir.Limit,
				Margin: ir.Margin, Flips: ir.RoundingFlips, Incomplete: ir.Missing > 0})
		}
	}
	slices.SortStableFunc(all, func(a, b WorstCV) int { return cmp.Compare(a.Margin, b.Margin) })
	if len(all) > 0 {
		row.WorstMargin = all[0].Margin
	}
	// Those that fail first (over the limit, then lacking data), worst first.
	failing := func(w WorstCV) bool { return w.Margin < 0 || w.Incomplete }
	for _, w := range all {
		if failing(w) && len(row.Worst) < 3 {
			row.Worst = append(row.Worst, w)
		}
	}
	if len(row.Worst) == 0 && len(all) > 0 {
		row.Worst = append(row.Worst, all[0])
	}
	return row
}

// Title is the summary's title.
func (s *Summary) Title() string {
	return fmt.Sprintf("%s%d年度%s%s", s.Name, s.Year, standardShort(s.StandardName), s.kind())
}

// kind names what the summary sums: the whole standard's recognition, or
// the resource part alone.
func (s *Summary) kind() string {
	if s.Whole {
		return "督导评估汇总"
	}
	return "资源配置评估汇总"
}

// FileName is a sensible file name for the summary in format ext.
func (s *Summary) FileName(ext string) string {
	return fmt.Sprintf("%s%d年度%s.%s", s.Name, s.Year, s.kind(), ext)
}

// Overview is the summary's opening, one paragraph a string.
func (s *Summary) Overview() []string {
	n := len(s.Counties)
	var p string
	if s.Whole {
		p = fmt.Sprintf("%s%d年度共有 %d 个县（市、区）按%s整体认定：达到认定标准 %d 个，未达到 %d 个", s.Name, s.Year, n, standardShort(s.StandardName), s.Passed, s.Failed)
		if s.Incomplete > 0 {
			p += fmt.Sprintf("，尚有待评议或待补数据项目、暂不能认定 %d 个", s.Incomplete)
		}
		p += fmt.Sprintf("。其中资源配置（差异系数与学校达标）达标 %d 个，是认定的一项。", s.ResourcePassed)
	} else {
		p = fmt.Sprintf("%s%d年度共有 %d 个县（市、区）参与义务教育资源配置评估：达标 %d 个，未达标 %d 个", s.Name, s.Year, n, s.Passed, s.Failed)
		if s.Incomplete > 0 {
			p += fmt.Sprintf("，数据不全、无法认定 %d 个", s.Incomplete)
		}
		p += "。"
	}
	out := []string{p}
	std := s.StandardName
	if s.Document != "" {
		std += "（" + s.Document + "）"
	}
	order := "达标、未达标、数据不全"
	if s.Whole {
		order = "达到认定标准、未达到、待定"
	}
	out = append(out, fmt.Sprintf("评估依据%s、%s。县区按结论排序（%s），同一结论内按差异系数最小余量（上限减差异系数，余量越大越均衡）从大到小排列。", std, s.ProfileName, order))
	var worst []string
	top := slices.Clone(s.Indicators)
	slices.SortStableFunc(top, func(a, b IndicatorCount) int { return cmp.Compare(b.Counties, a.Counties) })
	for _, ic := range top {
		if ic.Counties == 0 || len(worst) == 3 {
			break
		}
		worst = append(worst, fmt.Sprintf("%s%s（%d 个县区）", ic.Stage, ic.Indicator.Name, ic.Counties))
	}
	if len(worst) > 0 {
		out = append(out, "差异系数超过上限最多的指标："+strings.Join(worst, "、")+"。")
	}
	if s.Flips > 0 {
		out = append(out, fmt.Sprintf("有 %d 项差异系数保留两位小数会改变结论，以“※”标出。", s.Flips))
	}
	return out
}
