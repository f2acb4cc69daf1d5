package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/forecast"
	"github.com/dudao-edu/dudao/internal/standards"
)

// forecastPage is GET /county/{code}/forecast: trends, the enrolment
// forecast and the early warnings of the county (internal/forecast).
type forecastPage struct {
	*Base
	*choice
	Q        []any
	Code     string
	Res      *forecast.Result
	Horizon  int
	Observed string // the observed years, for the introduction
	AllYears []string
	Verdicts []bool
	Fails    int
	Watches  int
	Chart    string
	Enrol    []forecast.PartTrend
	Series   []forecastSeries
}

type forecastSeries struct {
	Name      string
	Stage     census.Stage
	Indicator *standards.Indicator
	Values    []float64
	Slope     float64
}

// forecastView serves GET /county/{code}/forecast?years=N.
func (s *Server) forecastView(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	horizon := 3
	if v := r.URL.Query().Get("years"); v != "" {
		if horizon, err = strconv.Atoi(v); err != nil || horizon < 1 || horizon > 10 {
			return badRequest("error.400")
		}
	}
	var recs []census.School
	for _, y := range c.Years {
		if y > c.Year {
			continue
		}
		rs, err := s.st.Schools(r.Context(), y, code)
		if err != nil {
			return err
		}
		recs = append(recs, rs...)
	}
	if len(recs) == 0 {
		return notFound("error.404")
	}
	res, err := forecast.Forecast(c.Rules, recs, forecast.Options{Horizon: horizon})
	if err != nil {
		return err
	}
	p := &forecastPage{Base: b, choice: c, Q: c.Query(s), Code: code, Res: res, Horizon: horizon}
	b.Title = res.CountyName + " · " + b.L("forecast.title")
	b.Charts = true
	var ys []string
	for _, y := range res.Years {
		ys = append(ys, strconv.Itoa(y))
	}
	p.Observed = strings.Join(ys, "、")
	p.AllYears = append(p.AllYears, ys...)
	for _, y := range res.Ahead {
		p.AllYears = append(p.AllYears, strconv.Itoa(y)+"*")
	}
	for _, cty := range res.Observed {
		p.Verdicts = append(p.Verdicts, cty.ResourcePass)
	}
	for _, cty := range res.Projected {
		p.Verdicts = append(p.Verdicts, cty.ResourcePass)
	}
	for _, wn := range res.Warnings {
		if wn.Level == forecast.Fail {
			p.Fails++
		} else {
			p.Watches++
		}
	}
	if p.Chart, err = forecastChart(b, res, p.AllYears); err != nil {
		return err
	}
	p.Enrol = slices.Clone(res.Parts)
	slices.SortStableFunc(p.Enrol, func(a, b forecast.PartTrend) int {
		return cmp.Compare(math.Abs(b.Growth-1), math.Abs(a.Growth-1))
	})
	p.Enrol = p.Enrol[:min(len(p.Enrol), 15)]
	warned := map[string]bool{}
	for _, wn := range res.Warnings {
		if wn.Kind == "part" {
			warned[wn.SchoolCode+"/"+string(wn.Stage)+"/"+wn.Indicator] = true
		}
	}
	for _, pt := range res.Parts {
		for k := range c.Rules.Indicators {
			ind := &c.Rules.Indicators[k]
			if warned[pt.SchoolCode+"/"+string(pt.Stage)+"/"+ind.ID] {
				p.Series = append(p.Series, forecastSeries{Name: pt.SchoolName, Stage: pt.Stage, Indicator: ind, Values: pt.Values[k], Slope: pt.Slopes[k]})
			}
		}
	}
	s.render(w, r, http.StatusOK, "forecast", p)
	return nil
}

// forecastChart is the CV trend chart (app.js kind "trend") over the
// observed and forecast years.
func forecastChart(b *Base, res *forecast.Result, years []string) (string, error) {
	type series struct {
		Name string `json:"name"`
		Data []any  `json:"data"`
	}
	type stageTrend struct {
		Stage  string   `json:"stage"`
		Limit  float64  `json:"limit"`
		Series []series `json:"series"`
	}
	var out []stageTrend
	for _, it := range res.Indicators {
		if len(out) == 0 || out[len(out)-1].Stage != b.T("stage."+string(it.Stage)) {
			out = append(out, stageTrend{Stage: b.T("stage." + string(it.Stage)), Limit: it.Limit})
		}
		se := series{Name: b.T("ind.short." + it.ID)}
		for _, v := range it.CV {
			se.Data = append(se.Data, jsonNum(v))
		}
		st := &out[len(out)-1]
		st.Series = append(st.Series, se)
	}
	if len(out) == 0 {
		return "", nil
	}
	return toJSON(map[string]any{"kind": "trend", "years": years, "stages": out, "limitLabel": b.T("county.limit")})
}

// Growth writes a yearly growth factor as a signed percentage.
func (p *forecastPage) Growth(g float64) string {
	return fmt.Sprintf("%+.1f%%", (g-1)*100)
}

// Slope writes a change per year.
func (p *forecastPage) Slope(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%+.4f", v)
}

// HorizonChoices are the forecast lengths the page offers.
func (p *forecastPage) HorizonChoices() []int { return []int{1, 2, 3, 4, 5} }
