package plan

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Unit is the price of one unit of the resource behind an indicator, in the
// unit of its census column (a teacher, a ㎡, a 元, a room), and the step in
// which the planner adds it.
type Unit struct {
	// Cost in 元 per unit of the census column.
	Cost float64 `json:"cost"`
	// Step is the granularity of additions, in column units: 1 teacher,
	// 1 room, 1 ㎡, 1 元 by default. Teachers and rooms are always whole.
	Step float64 `json:"step"`
	// Label says what one unit is, in Chinese, for reports.
	Label string `json:"label,omitempty"`
}

// Costs are the unit costs, keyed by indicator id (standards.md §2.1): the
// cost of raising the indicator's numerator by one column unit.
type Costs map[string]Unit

// DefaultCosts returns typical 2024 figures for a county in central China.
// They are stated, not authoritative: a bureau should put its own in a
// costs file.
//
//   - A teacher is priced at one year of total employment cost (salary,
//     social insurance and housing fund): about 100 000 元 for a qualified or
//     PE/art teacher, 120 000 元 for a county-level backbone teacher.
//     Buildings are one-off costs; to budget teachers over several years,
//     multiply these in the costs file.
//   - Teaching and auxiliary rooms: 3 000 元/㎡ of new school building with
//     fit-out; sports ground: 300 元/㎡ of plastic track and court on land the
//     school has (schools with no land are marked "cannot build").
//   - Equipment: 1 元 per 元. A networked multimedia classroom: 30 000 元 to
//     equip an existing classroom (interactive panel, computer, network).
func DefaultCosts() Costs {
	return Costs{
		"qualified_teachers": {Cost: 100000, Step: 1, Label: "人"},
		"backbone_teachers":  {Cost: 120000, Step: 1, Label: "人"},
		"pe_art_teachers":    {Cost: 100000, Step: 1, Label: "人"},
		"teaching_area":      {Cost: 3000, Step: 1, Label: "㎡"},
		"sports_area":        {Cost: 300, Step: 1, Label: "㎡"},
		"equipment_value":    {Cost: 1, Step: 1, Label: "元"},
		"multimedia_rooms":   {Cost: 30000, Step: 1, Label: "间"},
	}
}

// Unit returns the unit of indicator id, falling back to the defaults and
// then to 1 元 per unit in steps of 1.
func (c Costs) Unit(id string) Unit {
	u, ok := c[id]
	if !ok {
		u, ok = DefaultCosts()[id]
	}
	if !ok {
		u = Unit{Cost: 1, Step: 1}
	}
	if u.Step <= 0 {
		u.Step = 1
	}
	return u
}

// Check reports unit costs that the planner cannot use: negative costs,
// fractional steps for whole things. Costs of indicators that r does not
// have are ignored.
func (c Costs) Check(r *standards.Rules) error {
	for _, id := range slices.Sorted(maps.Keys(c)) {
		u := c[id]
		ind := r.Indicator(id)
		if ind == nil {
			continue
		}
		if u.Cost < 0 {
			return fmt.Errorf("%s 的单价 %g 不能为负", id, u.Cost)
		}
		if u.Step < 0 {
			return fmt.Errorf("%s 的步长 %g 不能为负", id, u.Step)
		}
		if wholeIndicator(ind) && u.Step != 0 && u.Step != float64(int(u.Step)) {
			return fmt.Errorf("%s 按整数计（人、间），步长 %g 必须是整数", id, u.Step)
		}
	}
	return nil
}

func indicatorIDs(r *standards.Rules) []string {
	var ids []string
	for _, ind := range r.Indicators {
		ids = append(ids, ind.ID)
	}
	return ids
}

// ParseCosts reads unit costs and lays them over the defaults. The input is
// JSON — {"teaching_area": 3500} or {"teaching_area": {"cost": 3500, "step": 10}} —
// or CSV with a header row naming the columns indicator, cost and
// optionally step (Chinese headers 指标, 单价, 步长 work too; an indicator
// may be given by id or by its Chinese name in r).
func ParseCosts(rd io.Reader, r *standards.Rules) (Costs, error) {
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	out := DefaultCosts()
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(t, &raw); err != nil {
			return nil, fmt.Errorf("单价表不是有效的 JSON：%w", err)
		}
		for k, v := range raw {
			id, ok := resolveIndicator(r, k)
			if !ok {
				return nil, fmt.Errorf("单价表中的 %q 不是 %s 的指标（可用：%s）", k, r.ID, strings.Join(indicatorIDs(r), "、"))
			}
			u := out.Unit(id)
			var f float64
			if err := json.Unmarshal(v, &f); err == nil {
				u.Cost = f
			} else {
				var obj struct {
					Cost *float64 `json:"cost"`
					Step *float64 `json:"step"`
				}
				dec := json.NewDecoder(bytes.NewReader(v))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&obj); err != nil {
					return nil, fmt.Errorf("单价表 %s：应为数字或 {\"cost\": 数字, \"step\": 数字}：%w", k, err)
				}
				if obj.Cost != nil {
					u.Cost = *obj.Cost
				}
				if obj.Step != nil {
					u.Step = *obj.Step
				}
			}
			out[id] = u
		}
	} else {
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("单价表不是有效的 CSV：%w", err)
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("单价表是空的")
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			switch strings.TrimSpace(h) {
			case "indicator", "指标", "指标代码":
				col["indicator"] = i
			case "cost", "单价", "单价（元）":
				col["cost"] = i
			case "step", "步长":
				col["step"] = i
			}
		}
		if _, ok := col["indicator"]; !ok {
			return nil, fmt.Errorf("单价表 CSV 的表头需要 indicator（指标）和 cost（单价）两列")
		}
		if _, ok := col["cost"]; !ok {
			return nil, fmt.Errorf("单价表 CSV 的表头需要 indicator（指标）和 cost（单价）两列")
		}
		for n, row := range rows[1:] {
			cell := func(name string) string {
				i, ok := col[name]
				if !ok || i >= len(row) {
					return ""
				}
				return strings.TrimSpace(row[i])
			}
			if cell("indicator") == "" {
				continue
			}
			id, ok := resolveIndicator(r, cell("indicator"))
			if !ok {
				return nil, fmt.Errorf("单价表第%d行：%q 不是 %s 的指标（可用：%s）", n+2, cell("indicator"), r.ID, strings.Join(indicatorIDs(r), "、"))
			}
			u := out.Unit(id)
			if s := cell("cost"); s != "" {
				if u.Cost, err = strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64); err != nil {
					return nil, fmt.Errorf("单价表第%d行：单价 %q 不是数字", n+2, s)
				}
			}
			if s := cell("step"); s != "" {
				if u.Step, err = strconv.ParseFloat(s, 64); err != nil {
					return nil, fmt.Errorf("单价表第%d行：步长 %q 不是数字", n+2, s)
				}
			}
			out[id] = u
		}
	}
	if err := out.Check(r); err != nil {
		return nil, err
	}
	return out, nil
}

func resolveIndicator(r *standards.Rules, s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, ind := range r.Indicators {
		if s == ind.ID || s == ind.ZH {
			return ind.ID, true
		}
	}
	return "", false
}

// wholeIndicator reports whether the indicator counts whole things
// (teachers, rooms), as its census column says.
func wholeIndicator(ind *standards.Indicator) bool {
	f, ok := census.FieldByKey(ind.Source)
	if !ok {
		f, ok = census.StageField(ind.Source, census.StagePrimary)
	}
	return ok && census.Columns[f].Integer
}

// buildIndicator reports whether raising the indicator needs new floor area,
// which a school marked "cannot build" (no land) cannot add.
func buildIndicator(ind *standards.Indicator) bool {
	return strings.HasPrefix(ind.Unit, "㎡")
}
