package forecast

import (
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
)

// The JSON document of `dudao forecast --format json`. Field names are a
// contract: add, never rename. Years in every series are Years then Ahead.
type (
	// JSONResult is the whole document.
	JSONResult struct {
		County     string          `json:"county"`
		CountyName string          `json:"county_name"`
		Years      []int           `json:"years"`
		Ahead      []int           `json:"forecast_years"`
		Method     string          `json:"method"`
		Pass       []bool          `json:"resource_pass"`
		Warnings   []JSONWarning   `json:"warnings"`
		Indicators []JSONIndicator `json:"indicators"`
		Parts      []JSONPart      `json:"parts"`
	}
	// JSONWarning is one early warning.
	JSONWarning struct {
		Year       int          `json:"year"`
		Level      string       `json:"level"`
		Kind       string       `json:"kind"`
		SchoolCode string       `json:"school_code,omitempty"`
		SchoolName string       `json:"school_name,omitempty"`
		Stage      census.Stage `json:"stage"`
		Indicator  string       `json:"indicator"`
		Value      eval.Num     `json:"value"`
		Limit      float64      `json:"limit"`
		Message    string       `json:"message"`
	}
	// JSONIndicator is a stage's indicator over the years.
	JSONIndicator struct {
		Stage     census.Stage `json:"stage"`
		ID        string       `json:"id"`
		Threshold float64      `json:"threshold"`
		Limit     float64      `json:"cv_limit"`
		CV        []eval.Num   `json:"cv"`
		Mean      []eval.Num   `json:"mean"`
		Slope     eval.Num     `json:"cv_slope"`
	}
	// JSONPart is a school part over the years.
	JSONPart struct {
		SchoolCode string                `json:"school_code"`
		SchoolName string                `json:"school_name"`
		Stage      census.Stage          `json:"stage"`
		Students   []eval.Num            `json:"students"`
		Growth     float64               `json:"growth"`
		Values     map[string][]eval.Num `json:"values"`
		Slopes     map[string]eval.Num   `json:"slopes"`
		Pass       []bool                `json:"pass"`
	}
)

func nums(v []float64) []eval.Num {
	out := make([]eval.Num, len(v))
	for i, x := range v {
		out[i] = eval.Num(x)
	}
	return out
}

// JSON returns the result as its JSON document.
func (res *Result) JSON() JSONResult {
	j := JSONResult{County: res.County, CountyName: res.CountyName, Years: res.Years, Ahead: res.Ahead, Method: res.Method,
		Warnings: []JSONWarning{}, Indicators: []JSONIndicator{}, Parts: []JSONPart{}}
	for _, c := range append(append([]*eval.County{}, res.Observed...), res.Projected...) {
		j.Pass = append(j.Pass, c.ResourcePass)
	}
	for _, w := range res.Warnings {
		j.Warnings = append(j.Warnings, JSONWarning{Year: w.Year, Level: w.Level, Kind: w.Kind, SchoolCode: w.SchoolCode, SchoolName: w.SchoolName,
			Stage: w.Stage, Indicator: w.Indicator, Value: eval.Num(w.Value), Limit: w.Limit, Message: w.Message})
	}
	for _, it := range res.Indicators {
		j.Indicators = append(j.Indicators, JSONIndicator{Stage: it.Stage, ID: it.ID, Threshold: it.Threshold, Limit: it.Limit,
			CV: nums(it.CV), Mean: nums(it.Mean), Slope: eval.Num(it.Slope)})
	}
	ids := res.IDs
	for _, p := range res.Parts {
		jp := JSONPart{SchoolCode: p.SchoolCode, SchoolName: p.SchoolName, Stage: p.Stage, Students: nums(p.Students), Growth: p.Growth,
			Values: map[string][]eval.Num{}, Slopes: map[string]eval.Num{}, Pass: p.Pass}
		for k, v := range p.Values {
			if k < len(ids) {
				jp.Values[ids[k]] = nums(v)
				jp.Slopes[ids[k]] = eval.Num(p.Slopes[k])
			}
		}
		j.Parts = append(j.Parts, jp)
	}
	return j
}
