package eval

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
)

// Num is a float64 that marshals NaN and ±Inf as JSON null: an undefined
// CV is reported as undefined, never as 0.
type Num float64

// MarshalJSON writes the shortest representation that reads back exactly.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number or null (as NaN).
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}

// The JSON document of `dudao evaluate --format json` (interfaces.md §3).
// Field names are a contract: add, never rename.
type (
	// JSONResult is the whole document.
	JSONResult struct {
		Standard   string         `json:"standard"`
		Profile    string         `json:"profile"`
		Year       int            `json:"year"`
		Comparison JSONComparison `json:"comparison"`
		Counties   []JSONCounty   `json:"counties"`
	}
	// JSONComparison documents how verdicts were compared: the settings a
	// reader needs to reproduce them.
	JSONComparison struct {
		// Tolerance is 0: every comparison is exact (kept for readers of
		// earlier documents, which had 1e-9 here).
		Tolerance float64 `json:"tolerance"`
		// Method is "exact": census figures read as the decimals they are,
		// comparisons settled in rational arithmetic.
		Method            string `json:"method"`
		CVCompareDecimals int    `json:"cv_compare_decimals"`
		// CVCompare is "unrounded" or "rounded" (to cv_compare_decimals);
		// CVRounding is how: "half_up" on the exact value.
		CVCompare  string `json:"cv_compare"`
		CVRounding string `json:"cv_rounding"`
	}
	// JSONCounty is one county.
	JSONCounty struct {
		Code string `json:"code"`
		Name string `json:"name"`
		// ResourcePass is null while the verdict is pending (no part in
		// scope, or data missing), as the resource item says.
		ResourcePass   *bool         `json:"resource_pass"`
		ResourceStatus census.Status `json:"resource_status"`
		Complete       bool          `json:"complete"`
		RoundingFlips  int           `json:"rounding_flips"`
		Stages         []JSONStage   `json:"stages"`
		// Parts is absent below the parts detail (WriteJSON), and never
		// nil at it: [] for a county without parts.
		Parts []JSONPart `json:"parts,omitzero"`
		// Warnings are figures of the file the evaluation did not use.
		Warnings []JSONWarning `json:"warnings,omitempty"`
		// The whole standard's verdict (EvaluateWhole): absent otherwise.
		*JSONVerdict
	}
	// JSONWarning is one figure the evaluation did not use.
	JSONWarning struct {
		SchoolCode string       `json:"school_code"`
		SchoolName string       `json:"school_name"`
		Stage      census.Stage `json:"stage"`
		Column     string       `json:"column"`
		Code       string       `json:"code"`
		Text       string       `json:"text"`
	}
	// JSONStage is one stage set of a county.
	JSONStage struct {
		Stage         census.Stage `json:"stage"`
		Parts         int          `json:"parts"`
		Students      float64      `json:"students"`
		ExcludedParts int          `json:"excluded_parts"`
		FailingParts  int          `json:"failing_parts"`
		MissingParts  int          `json:"missing_parts"`
		AllPartsPass  bool         `json:"all_parts_pass"`
		BalancePass   bool         `json:"balance_pass"`
		Pass          bool         `json:"pass"`
		CompositeCV   Num          `json:"composite_cv"`
		CompositeLim  *float64     `json:"composite_cv_limit,omitempty"`
		// Indicators is absent at the counties detail (WriteJSON), and
		// never nil above it.
		Indicators []JSONIndicator `json:"indicators,omitzero"`
	}
	// JSONIndicator is one indicator's balance figures.
	JSONIndicator struct {
		ID            string  `json:"id"`
		Name          string  `json:"name"`
		Unit          string  `json:"unit"`
		Threshold     float64 `json:"threshold"`
		Mean          Num     `json:"mean"`
		SD            Num     `json:"sd"`
		CV            Num     `json:"cv"`
		CVLimit       float64 `json:"cv_limit"`
		CVPass        bool    `json:"cv_pass"`
		Margin        Num     `json:"margin"`
		RoundingFlips bool    `json:"rounding_flips"`
		N             int     `json:"n"`
		PartsBelow    int     `json:"parts_below"`
		Missing       int     `json:"missing"`
	}
	// JSONPart is one school part.
	JSONPart struct {
		SchoolCode string            `json:"school_code"`
		SchoolName string            `json:"school_name"`
		SchoolType census.SchoolType `json:"school_type"`
		Stage      census.Stage      `json:"stage"`
		Students   float64           `json:"students"`
		Values     map[string]Num    `json:"values"`
		Raw        map[string]Num    `json:"raw,omitempty"`
		Met        int               `json:"met"`
		Pass       bool              `json:"pass"`
		Excluded   bool              `json:"excluded"`
		Reason     string            `json:"reason"`
		ReasonCode string            `json:"reason_code,omitempty"`
		Missing    []string          `json:"missing,omitempty"`
		Shortfalls []JSONShortfall   `json:"shortfalls,omitempty"`
		Split      *JSONSplit        `json:"split,omitempty"`
	}
	// JSONShortfall is one indicator below its threshold.
	JSONShortfall struct {
		Indicator  string  `json:"indicator"`
		Value      float64 `json:"value"`
		Threshold  float64 `json:"threshold"`
		Ratio      float64 `json:"ratio"`
		BelowFloor bool    `json:"below_floor"`
		Need       float64 `json:"need"`
	}
	// JSONSplit explains a mixed school's split.
	JSONSplit struct {
		Basis   string                   `json:"basis"`
		Share   float64                  `json:"share"`
		Weights map[census.Stage]float64 `json:"weights"`
		Given   []string                 `json:"given,omitempty"`
		Derived []string                 `json:"derived,omitempty"`
	}
)

// JSON returns the document form of the result, every county at the
// parts detail. It holds the whole document in memory: WriteJSON streams it.
func (res *Result) JSON() *JSONResult {
	out := res.jsonHead()
	out.Counties = make([]JSONCounty, 0, len(res.Counties))
	conds := conditions{}
	for _, c := range res.Counties {
		out.Counties = append(out.Counties, res.jsonCounty(c, DetailParts, conds))
	}
	return out
}

// jsonHead is the document without its counties.
func (res *Result) jsonHead() *JSONResult {
	return &JSONResult{Standard: res.Standard, Profile: res.Profile, Year: res.Year,
		Comparison: Comparison(res.Rules.Settings.CVCompareDecimals), Counties: []JSONCounty{}}
}

// jsonCounty is the document form of county c at detail d (conds: see
// Verdict.json).
func (res *Result) jsonCounty(c *County, d Detail, conds conditions) JSONCounty {
	jc := res.jsonCountyHead(c, d, conds)
	r := res.Rules
	if d >= DetailParts {
		jc.Parts = make([]JSONPart, 0, len(c.Parts))
	}
	for _, p := range c.Parts {
		if d < DetailParts {
			break
		}
		jp := JSONPart{SchoolCode: p.SchoolCode, SchoolName: p.SchoolName, SchoolType: p.SchoolType,
			Stage: p.Stage, Students: p.Students, Values: map[string]Num{}, Met: p.Met, Pass: p.Pass,
			Excluded: p.Excluded, Reason: p.Reason, ReasonCode: p.ReasonCode, Missing: p.Missing}
		if !p.Excluded {
			jp.Raw = map[string]Num{}
			for k, ind := range r.Indicators {
				jp.Values[ind.ID] = Num(p.Values[k])
				jp.Raw[ind.ID] = Num(p.Raw[k])
			}
		}
		for _, sf := range p.Shortfalls {
			jp.Shortfalls = append(jp.Shortfalls, JSONShortfall(sf))
		}
		if p.Split != nil {
			jp.Split = &JSONSplit{Basis: p.Split.Basis, Share: p.Split.Share, Weights: p.Split.Weights,
				Given: p.Split.Given, Derived: p.Split.Derived}
		}
		jc.Parts = append(jc.Parts, jp)
	}
	return jc
}

// jsonCountyHead is the document form of county c at detail d without its
// parts (Parts nil), but with the verdict's kindergartens at DetailParts.
func (res *Result) jsonCountyHead(c *County, d Detail, conds conditions) JSONCounty {
	jc := JSONCounty{Code: c.Code, Name: c.Name, ResourceStatus: c.ResourceStatus(), Complete: c.Complete,
		RoundingFlips: c.RoundingFlips}
	if jc.ResourceStatus != census.StatusPending {
		pass := c.ResourcePass
		jc.ResourcePass = &pass
	}
	for _, w := range c.Warnings {
		jc.Warnings = append(jc.Warnings, JSONWarning(w))
	}
	for _, s := range c.Stages {
		js := JSONStage{Stage: s.Stage, Parts: s.Parts, Students: s.Students, ExcludedParts: s.Excluded,
			FailingParts: s.FailingParts, MissingParts: s.MissingParts, AllPartsPass: s.AllPartsPass,
			BalancePass: s.BalancePass, Pass: s.Pass, CompositeCV: Num(s.CompositeCV)}
		if s.CompositeLim > 0 {
			lim := s.CompositeLim
			js.CompositeLim = &lim
		}
		if d >= DetailIndicators {
			js.Indicators = make([]JSONIndicator, 0, len(s.Indicators))
		}
		for _, ir := range s.Indicators {
			if d < DetailIndicators {
				break
			}
			js.Indicators = append(js.Indicators, JSONIndicator{
				ID: ir.Indicator.ID, Name: ir.Indicator.ZH, Unit: ir.Indicator.Unit, Threshold: ir.Threshold,
				Mean: Num(ir.Mean), SD: sdNum(ir), CV: Num(ir.CV.CV), CVLimit: ir.Limit, CVPass: ir.Pass,
				Margin: Num(ir.Margin), RoundingFlips: ir.RoundingFlips, N: ir.N, PartsBelow: ir.PartsBelow, Missing: ir.Missing,
			})
		}
		jc.Stages = append(jc.Stages, js)
	}
	if c.Verdict != nil {
		jc.JSONVerdict = c.Verdict.json(d, conds)
	}
	return jc
}

// Comparison describes how verdicts are compared under cv_compare_decimals
// = decimals (< 0: unrounded).
func Comparison(decimals int) JSONComparison {
	c := JSONComparison{Method: "exact", CVCompareDecimals: decimals, CVCompare: "unrounded", CVRounding: "half_up"}
	if decimals >= 0 {
		c.CVCompare = "rounded"
	}
	return c
}

// sdNum is the SD as the document gives it: null where the mean is
// (undefined → null, interfaces.md §3).
func sdNum(ir *IndicatorResult) Num {
	if math.IsNaN(ir.Mean) {
		return Num(math.NaN())
	}
	return Num(ir.SD)
}

// MarshalJSON writes the interfaces.md §3 document.
func (res *Result) MarshalJSON() ([]byte, error) { return json.Marshal(res.JSON()) }
