package plan

import (
	"maps"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
)

// The JSON document of `dudao plan --format json` (interfaces.md §4).
// Field names are a contract: add, never rename.
type (
	// JSONPlan is the whole document.
	JSONPlan struct {
		County     string `json:"county"`
		CountyName string `json:"county_name"`
		Year       int    `json:"year"`
		Standard   string `json:"standard"`
		Profile    string `json:"profile"`
		// Comparison is how the engine compared when it checked the plan
		// (cv_compare_decimals and the comparison mode).
		Comparison *eval.JSONComparison `json:"comparison,omitempty"`
		Feasible   bool                 `json:"feasible"`
		Problem    string               `json:"problem,omitempty"`
		TotalCost  float64              `json:"total_cost"`
		NaiveCost  float64              `json:"naive_cost"`
		LowerBound float64              `json:"lower_bound"`
		// Gap is (total_cost − lower_bound) / total_cost; 0 when proved optimal.
		Gap     float64 `json:"gap"`
		Optimal bool    `json:"optimal"`
		// NaivePass is the engine's verdict with the naive plan.
		NaivePass bool `json:"naive_pass"`
		// ResourcePassBefore/After are the engine's verdicts without and with the plan.
		ResourcePassBefore bool             `json:"resource_pass_before"`
		ResourcePassAfter  bool             `json:"resource_pass_after"`
		Rotation           bool             `json:"rotation"`
		Additions          []JSONAddition   `json:"additions"`
		Moves              []JSONMove       `json:"moves,omitempty"`
		NaiveAdditions     []JSONAddition   `json:"naive_additions"`
		UnitCosts          map[string]Unit  `json:"unit_costs"`
		NoBuild            []string         `json:"no_build,omitempty"`
		Indicators         []JSONIndicator  `json:"indicators"`
		Parts              []JSONPlanPart   `json:"parts"`
		Notes              []string         `json:"notes,omitempty"`
		Search             JSONSearchSumary `json:"search"`
	}
	// JSONAddition is one school's additions in census column units.
	JSONAddition struct {
		SchoolCode string             `json:"school_code"`
		SchoolName string             `json:"school_name"`
		Add        map[string]float64 `json:"add"`
		Cost       float64            `json:"cost"`
	}
	// JSONMove is teachers moved between two schools (rotation).
	JSONMove struct {
		Column string  `json:"column"`
		From   string  `json:"from"`
		To     string  `json:"to"`
		Count  float64 `json:"count"`
	}
	// JSONIndicator is one stage's indicator CV before and after the plan.
	JSONIndicator struct {
		Stage     census.Stage `json:"stage"`
		ID        string       `json:"id"`
		Limit     float64      `json:"cv_limit"`
		CVBefore  eval.Num     `json:"cv_before"`
		CVAfter   eval.Num     `json:"cv_after"`
		CVNaive   eval.Num     `json:"cv_naive"`
		PassAfter bool         `json:"cv_pass_after"`
	}
	// JSONPlanPart is one school part's values before and after the plan.
	JSONPlanPart struct {
		SchoolCode string              `json:"school_code"`
		Stage      census.Stage        `json:"stage"`
		Before     map[string]eval.Num `json:"values_before"`
		After      map[string]eval.Num `json:"values_after"`
		PassBefore bool                `json:"pass_before"`
		PassAfter  bool                `json:"pass_after"`
	}
	// JSONSearchSumary says how hard the optimiser looked.
	JSONSearchSumary struct {
		Nodes         int     `json:"nodes"`
		HeuristicCost float64 `json:"heuristic_cost"`
	}
)

// JSON returns the plan as the interfaces.md §4 document.
func (pl *Plan) JSON() JSONPlan {
	j := JSONPlan{
		County: pl.County, CountyName: pl.CountyName, Year: pl.Year, Standard: pl.Standard, Profile: pl.Profile,
		Feasible: pl.Feasible, Problem: pl.Problem, TotalCost: pl.TotalCost, LowerBound: pl.LowerBound,
		Gap: pl.Gap, Optimal: pl.Optimal, Rotation: pl.Options.Rotation, UnitCosts: pl.Costs,
		Additions: jsonAdditions(pl.Schools), Notes: pl.Notes,
		Search: JSONSearchSumary{Nodes: pl.Nodes, HeuristicCost: pl.HeuristicCost},
	}
	if pl.Rules != nil {
		c := eval.Comparison(pl.Rules.Settings.CVCompareDecimals)
		j.Comparison = &c
	}
	for code, no := range pl.Options.NoBuild {
		if no {
			j.NoBuild = append(j.NoBuild, code)
		}
	}
	slices.Sort(j.NoBuild)
	if pl.Before != nil {
		j.ResourcePassBefore = pl.Before.ResourcePass
	}
	if pl.After != nil {
		j.ResourcePassAfter = pl.After.ResourcePass
	}
	if pl.Naive != nil {
		j.NaiveCost, j.NaivePass = pl.Naive.Cost, pl.Naive.Pass
		j.NaiveAdditions = jsonAdditions(pl.Naive.Schools)
	}
	for _, mv := range pl.Moves {
		j.Moves = append(j.Moves, JSONMove{Column: mv.Column, From: mv.From, To: mv.To, Count: mv.Count})
	}
	if pl.Before == nil || pl.After == nil {
		return j
	}
	for _, sb := range pl.Before.Stages {
		sa := pl.After.Stage(sb.Stage)
		var sn *eval.StageResult
		if pl.Naive != nil && pl.Naive.After != nil {
			sn = pl.Naive.After.Stage(sb.Stage)
		}
		if sb.Parts == 0 {
			continue
		}
		for i, ib := range sb.Indicators {
			ji := JSONIndicator{Stage: sb.Stage, ID: ib.Indicator.ID, Limit: ib.Limit, CVBefore: cvNum(ib.CV)}
			if sa != nil {
				ji.CVAfter, ji.PassAfter = cvNum(sa.Indicators[i].CV), sa.Indicators[i].Pass
			}
			if sn != nil {
				ji.CVNaive = cvNum(sn.Indicators[i].CV)
			}
			j.Indicators = append(j.Indicators, ji)
		}
	}
	after := map[[2]string]*eval.Part{}
	for _, p := range pl.After.Parts {
		after[[2]string{p.SchoolCode, string(p.Stage)}] = p
	}
	for _, p := range pl.Before.Parts {
		if p.Excluded {
			continue
		}
		jp := JSONPlanPart{SchoolCode: p.SchoolCode, Stage: p.Stage, PassBefore: p.Pass, Before: map[string]eval.Num{}, After: map[string]eval.Num{}}
		pa := after[[2]string{p.SchoolCode, string(p.Stage)}]
		for k, v := range p.Values {
			id := pl.Rules.Indicators[k].ID
			jp.Before[id] = eval.Num(v)
			if pa != nil {
				jp.After[id] = eval.Num(pa.Values[k])
			}
		}
		if pa != nil {
			jp.PassAfter = pa.Pass
		}
		j.Parts = append(j.Parts, jp)
	}
	return j
}

func cvNum(c eval.CV) eval.Num {
	return eval.Num(c.CV)
}

func jsonAdditions(sp []SchoolPlan) []JSONAddition {
	out := []JSONAddition{}
	for _, s := range sp {
		if len(s.Add) == 0 {
			continue
		}
		out = append(out, JSONAddition{SchoolCode: s.Code, SchoolName: s.Name, Add: maps.Clone(s.Add), Cost: s.Cost})
	}
	return out
}
