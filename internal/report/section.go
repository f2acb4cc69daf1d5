package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// Placement says where a Section goes in a county report.
type Placement int

// Where a section can go.
const (
	// AfterResources: after the resource figures, before the unmet items
	// (the other parts of a whole standard: 政府保障程度, 教育质量, …).
	AfterResources Placement = iota
	// AfterUnmet: after the unmet items (the gap plan that would meet them).
	AfterUnmet
	// Appendix: among the 附表, after the per-school tables (kindergartens).
	Appendix
)

// Section is a part of a county report that another package supplies: it
// says what it shows in paragraphs and tables, and every renderer lays it
// out like the report's own sections (in the PDF and HTML, and each table as
// a sheet of the XLSX). PlanSection, ItemsSection and KindergartenSection
// build the ones dudao knows of.
type Section struct {
	ID         string // a short ASCII id: the HTML anchor
	Title      string
	Place      Placement
	Paragraphs []string
	Tables     []Table
}

// Table is a titled table of a Section, or of the report itself.
type Table struct {
	Title   string
	Sheet   string // the XLSX sheet name (≤ 31 characters); Title when empty
	Columns []Column
	Rows    [][]Cell
	// Wide tables are laid out on landscape pages.
	Wide bool
	// Note is printed under the table.
	Note string
}

// Column is one column of a Table.
type Column struct {
	Header string
	// Width is the column's relative width, in CJK characters; 0 for a default.
	Width float64
	// Number columns are right-aligned; Format is their Excel number format
	// (e.g. "0.00"), Decimals the decimals shown in the PDF and HTML.
	Number   bool
	Format   string
	Decimals int
}

// Cell is one cell: a text, or a number (Num, with Text as shown).
type Cell struct {
	Text  string
	Num   float64
	IsNum bool
	// Bad marks a figure that fails (printed in red); Flag one to look at (※).
	Bad bool
}

// TextCell returns a text cell.
func TextCell(s string) Cell { return Cell{Text: s} }

// NumCell returns a number cell shown with d decimals ("—" for NaN).
func NumCell(v float64, d int) Cell { return Cell{Text: fix(v, d), Num: v, IsNum: true} }

// sheetName returns the table's sheet name, cut to Excel's 31 characters.
func (t *Table) sheetName() string {
	s := t.Sheet
	if s == "" {
		s = t.Title
	}
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// PlanSummary is a gap plan for one county, as interfaces.md §4 defines
// `dudao plan --format json`: what to add to which school, at what cost, so
// that the county passes. The planner's output decodes into it directly.
type PlanSummary struct {
	County     string         `json:"county"`
	CountyName string         `json:"county_name,omitempty"`
	Year       int            `json:"year"`
	Standard   string         `json:"standard"`
	Profile    string         `json:"profile"`
	Feasible   bool           `json:"feasible"`
	Problem    string         `json:"problem,omitempty"` // why there is no plan
	TotalCost  float64        `json:"total_cost"`
	NaiveCost  float64        `json:"naive_cost"`
	LowerBound float64        `json:"lower_bound"`
	Gap        float64        `json:"gap,omitempty"`     // (cost − bound) / cost
	Optimal    bool           `json:"optimal,omitempty"` // no cheaper plan exists
	NaivePass  bool           `json:"naive_pass,omitempty"`
	Additions  []PlanAddition `json:"additions"`
	Notes      []string       `json:"notes,omitempty"`
}

// PlanAddition is what the plan adds to one school, by census column key.
type PlanAddition struct {
	SchoolCode string             `json:"school_code"`
	SchoolName string             `json:"school_name,omitempty"`
	Add        map[string]float64 `json:"add"`
	Cost       float64            `json:"cost"`
}

// PlanSection summarises a gap plan for the report: the verdict, the costs
// and the additions school by school. names maps school codes to names for
// additions that carry none (nil is fine).
func PlanSection(p *PlanSummary, names map[string]string) Section {
	s := Section{ID: "plan", Title: "补短板方案摘要", Place: AfterUnmet}
	if !p.Feasible {
		para := "在方案允许的范围内没有找到能使全县达标的补充方案"
		if p.Problem != "" {
			para += "：" + strings.TrimSuffix(p.Problem, "。")
		}
		s.Paragraphs = append(s.Paragraphs, para+"。")
	} else {
		para := fmt.Sprintf("按下列补充方案，全县资源配置可以达标：共 %d 所学校需补充，估算费用 %s 万元", len(p.Additions), wan(p.TotalCost))
		if p.NaiveCost > 0 && p.NaivePass {
			para += fmt.Sprintf("（逐校补到标准值需 %s 万元", wan(p.NaiveCost))
			if p.NaiveCost > p.TotalCost {
				para += fmt.Sprintf("，节省 %.1f%%", (1-p.TotalCost/p.NaiveCost)*100)
			}
			para += "）"
		}
		switch {
		case p.Optimal:
			para += "；已证明没有更省的方案"
		case p.LowerBound > 0:
			para += fmt.Sprintf("；理论下限 %s 万元", wan(p.LowerBound))
		}
		s.Paragraphs = append(s.Paragraphs, para+"。")
		if p.NaiveCost > 0 && !p.NaivePass {
			s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("只把未达标学校各项补到标准值（需 %s 万元）不够：差异系数仍会超过上限，全县仍不能达标。", wan(p.NaiveCost)))
		}
	}
	s.Paragraphs = append(s.Paragraphs, p.Notes...)
	t := Table{Title: "补充方案", Sheet: "补短板方案", Columns: []Column{
		{Header: "学校标识码", Width: 6}, {Header: "学校名称", Width: 10}, {Header: "补充内容", Width: 22},
		{Header: "估算费用（万元）", Width: 6, Number: true, Format: "0.00", Decimals: 2},
	}}
	for _, a := range p.Additions {
		name := a.SchoolName
		if name == "" {
			name = names[a.SchoolCode]
		}
		keys := make([]string, 0, len(a.Add))
		for k := range a.Add {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var adds []string
		for _, k := range keys {
			adds = append(adds, columnAmount(k, a.Add[k]))
		}
		t.Rows = append(t.Rows, []Cell{TextCell(a.SchoolCode), TextCell(name), TextCell(strings.Join(adds, "；")), NumCell(a.Cost/1e4, 2)})
	}
	if len(t.Rows) > 0 {
		s.Tables = append(s.Tables, t)
	}
	return s
}

// wan formats an amount of 元 in 万元, to two decimals.
func wan(v float64) string { return fmt.Sprintf("%.2f", v/1e4) }

// columnAmount names an addition by its census column: 小学高于规定学历教师数 +3 人.
func columnAmount(key string, v float64) string {
	name, unit := key, ""
	if f, ok := census.FieldByKey(key); ok {
		name, unit = census.Columns[f].ZH, census.Columns[f].Unit
	}
	return fmt.Sprintf("%s +%s %s", name, famount(v), unit)
}

// Item is one item of a whole standard beyond the resource indicators
// (政府保障程度, 教育质量, 社会认可度, veto items): what it requires, what
// was found, and its status.
type Item struct {
	Part   string // the part of the standard: 政府保障程度
	ID     string
	Name   string
	Rule   string
	Value  string // what was found, in words or figures
	Status string // 达标 / 未达标 / 待评定
	// Note: who judged it, the evidence, or why it is pending.
	Note string
}

// ItemsSection lists the items of the other parts of a whole standard, one
// table per part, in the order given, with a count of items per status.
func ItemsSection(title string, items []Item) Section {
	s := Section{ID: "items", Title: title, Place: AfterResources}
	counts := map[string]int{}
	var order []string
	byPart := map[string]*Table{}
	for _, it := range items {
		counts[it.Status]++
		t := byPart[it.Part]
		if t == nil {
			t = &Table{Title: it.Part, Columns: []Column{
				{Header: "项目", Width: 9}, {Header: "要求", Width: 14}, {Header: "情况", Width: 9},
				{Header: "结论", Width: 4}, {Header: "说明", Width: 8},
			}}
			byPart[it.Part] = t
			order = append(order, it.Part)
		}
		st := TextCell(it.Status)
		st.Bad = it.Status == VerdictFail
		t.Rows = append(t.Rows, []Cell{TextCell(it.Name), TextCell(it.Rule), TextCell(it.Value), st, TextCell(it.Note)})
	}
	var words []string
	for _, k := range []string{VerdictPass, VerdictFail, "待评定"} {
		if counts[k] > 0 {
			words = append(words, fmt.Sprintf("%s %d 项", k, counts[k]))
		}
	}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("共 %d 项：%s。", len(items), strings.Join(words, "，")))
	for _, p := range order {
		s.Tables = append(s.Tables, *byPart[p])
	}
	return s
}

// KgRow is one kindergarten's figures.
type KgRow struct {
	Code, Name, Location string
	Category             census.Category
	Children             float64
	Classes, Oversize    float64 // NaN when not reported
	Teachers             float64
	Certified            float64 // certified full-time teachers; NaN when not reported
}

// KgRows returns the rows of the kindergartens of county in year, by code.
func KgRows(kgs []census.Kindergarten, county string, year int) []KgRow {
	var out []KgRow
	for i := range kgs {
		k := &kgs[i]
		if k.CountyCode != county || (year != 0 && k.Year != year) {
			continue
		}
		row := KgRow{Code: k.Code, Name: k.Name, Location: k.Location, Category: k.Category,
			Children: k.V[census.KgChildren], Teachers: k.V[census.KgTeachers], Certified: k.V[census.KgCertifiedTeachers]}
		var ok bool
		if row.Classes, ok = k.Classes(); !ok {
			row.Classes = math.NaN()
		}
		if row.Oversize, ok = k.Oversize(); !ok {
			row.Oversize = math.NaN()
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b KgRow) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// KindergartenSection is the kindergarten 附表: each kindergarten's
// category, children, classes and teachers with the ratios the preschool
// standard looks at, and the county's children by category (普惠性覆盖率,
// 公办园在园幼儿占比, standards.md §4). It states figures; the verdicts of
// the preschool standard belong to its own evaluation.
func KindergartenSection(rows []KgRow) Section {
	s := Section{ID: "kindergartens", Title: "幼儿园情况", Place: Appendix}
	var all, public, inclusive float64
	t := Table{Title: "幼儿园基本情况表", Sheet: "幼儿园", Wide: true, Columns: []Column{
		{Header: "幼儿园标识码", Width: 6}, {Header: "幼儿园名称", Width: 10}, {Header: "办园类型", Width: 5},
		{Header: "城乡类型", Width: 3}, {Header: "在园幼儿", Width: 4, Number: true, Format: "0", Decimals: 0},
		{Header: "班级数", Width: 3, Number: true, Format: "0", Decimals: 0},
		{Header: "超额班级", Width: 4, Number: true, Format: "0", Decimals: 0},
		{Header: "专任教师", Width: 4, Number: true, Format: "0", Decimals: 0},
		{Header: "幼儿与专任教师比", Width: 5, Number: true, Format: "0.0", Decimals: 1},
		{Header: "教师持证率", Width: 4, Number: true, Format: "0.0%", Decimals: 1},
	}}
	for _, k := range rows {
		all += nz(k.Children)
		switch k.Category {
		case census.CategoryPublic:
			public += nz(k.Children)
		case census.CategoryInclusive:
			inclusive += nz(k.Children)
		}
		ratio := k.Children / k.Teachers
		if k.Teachers == 0 {
			ratio = math.NaN()
		}
		ratioCell := NumCell(ratio, 1)
		ratioCell.Bad = ratio > 15
		over := NumCell(k.Oversize, 0)
		over.Bad = k.Oversize > 0
		cert := k.Certified / k.Teachers
		if k.Teachers == 0 {
			cert = math.NaN()
		}
		certCell := Cell{Text: pct(cert), Num: cert, IsNum: true, Bad: cert < 1}
		t.Rows = append(t.Rows, []Cell{TextCell(k.Code), TextCell(k.Name), TextCell(k.Category.ZH()), TextCell(k.Location),
			NumCell(k.Children, 0), NumCell(k.Classes, 0), over, NumCell(k.Teachers, 0), ratioCell, certCell})
	}
	t.Note = "超额班级：小班超 25 人、中班超 30 人、大班超 35 人、混龄班超 30 人的班级（红色为有超额班级、幼儿与专任教师比高于 15、持证率不足 100%）。"
	if all > 0 {
		s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("全县幼儿园 %d 所，在园幼儿 %s 人，其中公办园 %s 人（公办园在园幼儿占比 %s）、普惠性民办园 %s 人；普惠性幼儿园覆盖率 %s。",
			len(rows), fcount(all), fcount(public), pct(public/all), fcount(inclusive), pct((public+inclusive)/all)))
	}
	s.Tables = append(s.Tables, t)
	return s
}

func nz(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}
