package censusio

import (
	"fmt"
	"math"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// This file reads every record kind but school — kindergartens, county
// records and any kind declared later — from its census.Table alone: its
// names, its columns, which column counts part of another (Column.PartOf),
// what one row is (Table.PerRow). They follow the school file's rules
// exactly: headers by key or Chinese name, units in the header, empty means
// not reported, all or nothing, and the same messages. (The school reader,
// reader.go, takes its columns from census.SchoolTable too, and adds the
// school's own rules: types, parts, the equipment-unit check.)

// unitKinds are the kinds this file reads: every kind but school.
var unitKinds = func() []census.Kind {
	var out []census.Kind
	for _, k := range census.Kinds {
		if k != census.KindSchool {
			out = append(out, k)
		}
	}
	return out
}()

// ParseKind reads a record kind by key or Chinese name ("" is school).
func ParseKind(s string) (census.Kind, bool) {
	f := fold(s)
	if f == "" {
		return census.KindSchool, true
	}
	for _, k := range census.Kinds {
		if f == string(k) || f == fold(k.ZH()) || containsFold(census.TableOf(k).Names, f) {
			return k, true
		}
	}
	return "", false
}

func containsFold(list []string, f string) bool {
	for _, s := range list {
		if s == f {
			return true
		}
	}
	return false
}

// pickSheet chooses the sheet to read: one named for the kind (any kind's
// name when kind is "", school first), else the first sheet. named reports
// whether a name decided.
func pickSheet(sheets []string, kind string) (sheet string, named bool) {
	kinds := census.Kinds
	if kind != "" {
		k, _ := ParseKind(kind)
		kinds = []census.Kind{k}
	}
	for _, k := range kinds {
		for _, s := range sheets {
			if containsFold(census.TableOf(k).Names, fold(s)) {
				return s, true
			}
		}
	}
	return sheets[0], false
}

// unitHeaders indexes a table's columns by folded key and Chinese name:
// ≥ 0 a text column, < 0 numeric column −(i+1).
func unitHeaders(t *census.Table) map[string]int {
	m := map[string]int{}
	for i, c := range t.Text {
		m[fold(c.Key)] = i
		m[fold(c.ZH)] = i
	}
	for i, c := range t.Num {
		m[fold(c.Key)] = -(i + 1)
		m[fold(c.ZH)] = -(i + 1)
	}
	return m
}

var unitIndex = func() map[census.Kind]map[string]int {
	m := map[census.Kind]map[string]int{}
	for _, k := range unitKinds {
		m[k] = unitHeaders(census.TableOf(k))
	}
	return m
}()

// common are the identifying columns every kind has; they say nothing about
// which kind a file holds.
var common = map[string]bool{"year": true, "county_code": true, "county_name": true}

// detectKind decides the kind of a file from its header when the caller did
// not say: the kind with the most columns that only it has. It returns
// school when nothing points elsewhere (so that a school file's messages
// stay as they were), and ok false when two kinds tie.
func detectKind(cells []string) (census.Kind, []census.Kind, bool) {
	score := map[census.Kind]int{}
	for _, raw := range cells {
		f := fold(trim(raw))
		if f == "" {
			continue
		}
		base, _ := splitUnit(f)
		var hits []census.Kind
		for _, key := range []string{f, base} {
			if t, ok := headerIndex[key]; ok && !(t.text >= 0 && common[census.TextColumns[t.text].Key]) {
				hits = appendKind(hits, census.KindSchool)
			}
			for _, k := range unitKinds {
				if i, ok := unitIndex[k][key]; ok {
					tab := census.TableOf(k)
					if i < 0 || !common[tab.Text[i].Key] {
						hits = appendKind(hits, k)
					}
				}
			}
		}
		if len(hits) == 1 {
			score[hits[0]]++
		}
	}
	best, n := census.KindSchool, 0
	var tied []census.Kind
	for _, k := range census.Kinds {
		switch {
		case score[k] > n:
			best, n, tied = k, score[k], []census.Kind{k}
		case score[k] == n && n > 0:
			tied = append(tied, k)
		}
	}
	return best, tied, len(tied) <= 1
}

func appendKind(ks []census.Kind, k census.Kind) []census.Kind {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

// unitReader reads the rows of a kindergarten or county file.
type unitReader struct {
	r    *reader
	t    *census.Table
	text []int // column index of each t.Text, -1 if absent
	num  []int // column index of each t.Num, -1 if absent
	seen map[schoolYear]int
	code int // index in t.Text of the code column
	name int // index in t.Text of the column that marks example rows
}

// chooseKind decides the kind of the file at its header row and, for a kind
// other than school, hands the file to a unitReader. It reports whether it
// did; the school reader reads the file otherwise.
func (r *reader) chooseKind(n int, cells []string) bool {
	kind := census.KindSchool
	if r.opt.Kind != "" {
		kind, _ = ParseKind(r.opt.Kind)
	} else {
		k, tied, ok := detectKind(cells)
		if !ok {
			var zh []string
			for _, k := range tied {
				zh = append(zh, k.ZH())
			}
			r.add(&Error{Row: n, Problem: r.inSheet() + "无法判断是哪一类数据（表头同样像" + strings.Join(zh, "、") + "）",
				Fix: "导入时指定数据类别（--kind school、kindergarten 或 county），或用 dudao template --kind 生成的模板填写"})
			r.headerDone = true
			return true
		}
		kind = k
	}
	r.batch.Kind = kind
	if kind == census.KindSchool {
		return false
	}
	t := census.TableOf(kind)
	u := &unitReader{r: r, t: t, text: make([]int, len(t.Text)), num: make([]int, len(t.Num)), seen: map[schoolYear]int{}}
	for i, c := range t.Text {
		switch c.Key {
		case t.CodeKey:
			u.code = i
		case t.NameKey:
			u.name = i
		}
	}
	r.unit = u
	u.header(n, cells)
	return true
}

// header reads the header row; it mirrors reader.header.
func (u *unitReader) header(n int, cells []string) {
	r := u.r
	for i := range u.text {
		u.text[i] = -1
	}
	for i := range u.num {
		u.num[i] = -1
	}
	r.cols = make([]column, len(cells))
	before := r.nerr
	recognised := 0
	idx := unitIndex[u.t.Kind]
	for i, raw := range cells {
		c := &r.cols[i]
		c.header = trim(raw)
		c.letter = letter(i)
		if c.header == "" {
			continue
		}
		folded := fold(c.header)
		base, unit := splitUnit(folded)
		j, ok := idx[base]
		if !ok {
			if j, ok = idx[folded]; ok {
				base, unit = folded, ""
			}
		}
		if !ok {
			r.batch.Unknown = append(r.batch.Unknown, c.header)
			r.warn(n, c, "未识别的列，已忽略其数据（列名见模板的“说明”页）")
			continue
		}
		recognised++
		slot := &u.text[max(j, 0)]
		if j < 0 {
			k := -j - 1
			col := u.t.Num[k]
			scale, p := unitScale(col, base == fold(col.Key), unit, r.opt)
			if p != nil {
				r.cellError(n, c, "", "表头"+p.problem, p.fix)
				continue
			}
			c.t = target{text: -1, scale: scale}
			slot = &u.num[k]
		} else {
			c.t = target{text: j, scale: 1}
		}
		if *slot >= 0 {
			prev := &r.cols[*slot]
			r.cellError(n, c, "", fmt.Sprintf("与 %s列「%s」是同一列", prev.letter, prev.header), "删除其中一列")
			continue
		}
		*slot = i
		c.known = true
	}
	if recognised == 0 {
		r.add(&Error{Row: n, Problem: r.inSheet() + "第一行不是表头：没有一个列名能识别",
			Fix: "第一行必须是列名（如 年度、县区代码），请删除表头上方的标题行，或用 dudao template --kind " + string(u.t.Kind) + " 生成的模板填写"})
		return
	}
	var missing []string
	for i, tc := range u.t.Text {
		if tc.Required && u.text[i] < 0 {
			missing = append(missing, tc.ZH)
		}
	}
	if len(missing) > 0 {
		r.add(&Error{Row: n, Problem: "缺少必填列：" + strings.Join(missing, "、"),
			Fix: "在第一行加上这些列名（列名与说明见模板的“说明”页）"})
	}
	r.headerOK = r.nerr == before
}

// unitSpellings lists the header spellings of the units of the kindergarten
// and county tables that the school table lacks (folded).
var unitSpellings = map[string][]string{
	"元/生": {"元/生", "元/人", "元/生·年", "元/生/年", "元"},
	"年":   {"年", "年度"},
	"%":   {"%", "百分比"},
	"级":   {"级"},
}

// unitScale checks the unit a header gives column c: a money column in 元
// needs 元 or 万元 (万元 scales by 10 000), as on school files; any other
// column takes its unit or a spelling of it.
func unitScale(c census.Column, byKey bool, unit string, opt Options) (float64, *headerProblem) {
	if c.Unit == "元" {
		want := "请把表头写成 " + c.ZH + "（元） 或 " + c.ZH + "（万元）"
		switch unit {
		case "元":
			return 1, nil
		case "万元":
			return 1e4, nil
		case "":
			switch {
			case byKey || opt.EquipmentUnit == "元":
				return 1, nil
			case opt.EquipmentUnit == "万元":
				return 1e4, nil
			}
			return 1, &headerProblem{problem: "没有写明金额单位（元还是万元）", fix: want + "，或导入时指定金额单位（元/万元）"}
		}
		return 1, &headerProblem{problem: "单位“" + unit + "”无法识别", fix: want}
	}
	if unit == "" || unit == fold(c.Unit) {
		return 1, nil
	}
	for _, u := range append(unitSynonyms[c.Unit], unitSpellings[c.Unit]...) {
		if unit == u {
			return 1, nil
		}
	}
	if c.Unit == "" {
		return 1, &headerProblem{problem: "单位“" + unit + "”与该列不符（该列没有单位）", fix: "请把表头写成 " + c.ZH}
	}
	return 1, &headerProblem{
		problem: "单位“" + unit + "”与该列不符（应为 " + c.Unit + "）",
		fix:     "请按 " + c.Unit + " 填写并把表头写成 " + c.ZH + "（" + c.Unit + "）",
	}
}

// row reads data row n; it mirrors reader.row.
func (u *unitReader) row(n int, cells []string) {
	r := u.r
	if ci := u.text[u.name]; ci >= 0 {
		if p := examplePrefix(cell(cells, ci)); p != "" {
			r.moreSkipped += r.note(&r.batch.Skipped, Note{Row: n, Column: r.cols[ci].header, Letter: r.cols[ci].letter,
				Message: u.t.Text[u.name].ZH + "以" + p + "开头，是模板的示例行，已跳过"})
			return
		}
	}
	for i, v := range cells {
		c := r.col(i)
		if !c.known && c.header == "" && !r.strayWarned[i] && trim(v) != "" {
			r.strayWarned[i] = true
			r.warn(n, c, "这一列没有表头，数据已忽略")
		}
	}
	rec := u.t.New()
	year := 0
	for ti, tc := range u.t.Text {
		ci := u.text[ti]
		if ci < 0 {
			continue
		}
		v := cell(cells, ci)
		c := &r.cols[ci]
		if v == "" {
			if tc.Required && !r.isFormula(ci) {
				r.cellError(n, c, "", "不能为空", "这是必填列，请填写"+tc.ZH+"（如果是合并单元格，请取消合并并在每一行都填写）")
			}
			continue
		}
		switch tc.Key {
		case "year":
			y, ok := parseYear(v)
			if !ok {
				r.cellError(n, c, v, "不是有效的统计年度", "请填写4位年份，如 2024（2000–2100 之间）")
				continue
			}
			year = y
			rec.SetYear(y)
		case "county_code":
			d, ok := digits(v, 6)
			if !ok {
				r.cellError(n, c, v, "不是6位行政区划代码", codeFix(v, "请填写6位县区代码，如 340207"))
				continue
			}
			rec.SetText(tc.Key, r.intern(d))
		case "kindergarten_code":
			d, ok := digits(v, 10)
			if !ok {
				r.cellError(n, c, v, "不是10位幼儿园标识码", codeFix(v, "请填写10位全国学校（机构）标识码，如 3134020101"))
				continue
			}
			rec.SetText(tc.Key, strings.Clone(d))
		case "category":
			cat, ok := census.ParseCategory(v)
			if !ok {
				r.cellError(n, c, v, "不是可识别的办园类型", "请填写以下之一："+categoryList())
				continue
			}
			rec.SetText(tc.Key, string(cat))
		default:
			rec.SetText(tc.Key, r.intern(unneutral(v)))
		}
	}
	vals := rec.Values()
	for k, ci := range u.num {
		if ci < 0 {
			continue
		}
		v := cell(cells, ci)
		if v == "" {
			continue
		}
		if x, ok := u.number(n, &r.cols[ci], u.t.Num[k], v); ok {
			vals[k] = x
		}
	}
	u.crossCheck(n, vals)
	if _, code := rec.Key(); code != "" && year != 0 {
		k := schoolYear{year, code}
		if p, dup := u.seen[k]; dup {
			what := u.t.PerRow
			r.cellError(n, &r.cols[u.text[u.code]], code, fmt.Sprintf("与第%d行重复（%d年度）", p, year),
				fmt.Sprintf("同一年度%s只能有一行：请删除或合并第%d行和第%d行", what, p, n))
		} else {
			u.seen[k] = n
		}
	}
	if r.nerr > 0 {
		r.batch.Kindergartens, r.batch.Counties, r.batch.Records = nil, nil, nil
		return
	}
	r.batch.Records = append(r.batch.Records, rec)
	switch x := rec.(type) {
	case *census.Kindergarten:
		r.batch.Kindergartens = append(r.batch.Kindergartens, *x)
	case *census.CountyRecord:
		r.batch.Counties = append(r.batch.Counties, *x)
	}
}

func categoryList() string {
	var zh []string
	for _, c := range census.Categories {
		zh = append(zh, c.ZH)
	}
	return strings.Join(zh, "、")
}

// number reads one numeric cell of column col, in the file's unit.
func (u *unitReader) number(n int, c *column, col census.Column, v string) (float64, bool) {
	r := u.r
	raw := v
	if col.Unit == "%" {
		v = strings.TrimSuffix(strings.TrimSuffix(narrow(v), "%"), "％")
	}
	x, err := parseNumber(v)
	switch err {
	case nil:
	case errNegative:
		r.cellError(n, c, raw, "是负数", col.ZH+"不能为负数，请核对")
		return 0, false
	default:
		fix := "请填写阿拉伯数字（可带千分位逗号，如 1,234）；未填报请留空，为零请填 0"
		if col.Unit == "%" {
			fix = "请填写百分数的数值，如 96.5 或 96.5%；未填报请留空"
		}
		r.cellError(n, c, raw, "不是数字", fix)
		return 0, false
	}
	if col.Integer {
		rounded := math.Round(x)
		if math.Abs(x-rounded) > 1e-9*math.Max(1, math.Abs(x)) {
			r.cellError(n, c, raw, "不是整数", col.ZH+"请填写整数")
			return 0, false
		}
		x = rounded
	}
	if c.t.scale != 1 {
		x = math.Round(x*c.t.scale*100) / 100
	}
	switch {
	case col.Unit == "%" && x > 100:
		r.cellError(n, c, raw, "超过100%", col.ZH+"是百分数，请填写 0–100 之间的数，如 96.5")
		return 0, false
	case col.Key == "basic_balance_year" && (x < 1990 || x > 2100):
		r.cellError(n, c, raw, "不是有效的年度", "请填写通过基本均衡国家认定的4位年份，如 2016；尚未通过请留空")
		return 0, false
	case col.Key == "principal_certified" && x != 0 && x != 1:
		r.cellError(n, c, raw, "只能是 1 或 0", "园长持证的填 1，未持证的填 0")
		return 0, false
	case col.Key == "monitoring_level" && (x < 1 || x > 4):
		r.cellError(n, c, raw, "不是有效的等级", "请填写 1–4：Ⅲ级填 3，Ⅳ级填 4")
		return 0, false
	case col.Key == "monitoring_school_gap" && x > 1:
		r.cellError(n, c, raw, "大于1", "校际差异率是小数，如 0.12；不是百分数")
		return 0, false
	}
	return x, true
}

// crossCheck finds a part reported larger than its whole (Column.PartOf).
func (u *unitReader) crossCheck(n int, vals []float64) {
	r := u.r
	for i, col := range u.t.Num {
		if col.PartOf == "" {
			continue
		}
		j := u.t.Index(col.PartOf)
		part, whole := vals[i], vals[j]
		if math.IsNaN(part) || math.IsNaN(whole) || part <= whole {
			continue
		}
		c, w := &r.cols[u.num[i]], &r.cols[u.num[j]]
		r.cellError(n, c, fmtNum(part), fmt.Sprintf("大于 %s列「%s」（%s）", w.letter, w.header, fmtNum(whole)),
			u.t.Num[i].ZH+"是"+u.t.Num[j].ZH+"的一部分，请核对这两列")
	}
}

func fmtNum(v float64) string { return fmt.Sprint(v) }

// perRow names what one row of a file of kind k describes, for messages.
func perRow(k census.Kind) string {
	if t := census.TableOf(k); t != nil && t.PerRow != "" {
		return t.PerRow
	}
	return "每所学校"
}
