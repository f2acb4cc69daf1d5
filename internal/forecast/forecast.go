// Package forecast watches a county over several years of census records:
// the trend of every indicator, school part and 差异系数; a forecast of each
// school's enrolment for the next years; and early warnings of the parts
// that will fall below a threshold or fail the school rule, and of the CVs
// that will pass their limits, with the year it happens — if nothing is
// added. It is a pure package: records in, figures out; the engine
// (internal/eval) judges every projected year.
package forecast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Options are the forecast's choices.
type Options struct {
	// Horizon is how many years ahead to forecast; 0 means 3.
	Horizon int
	// Window is how many of the latest years the growth rate is taken over;
	// 0 means 3.
	Window int
	// MaxGrowth bounds the yearly change of a school's enrolment (0.25 =
	// ±25 %), so that one odd year does not run away; 0 means 0.25.
	MaxGrowth float64
	// Watch is how close to a CV limit counts as "watch" (0.02 by default).
	Watch float64
}

func (o *Options) defaults() {
	if o.Horizon <= 0 {
		o.Horizon = 3
	}
	if o.Window <= 0 {
		o.Window = 3
	}
	if o.MaxGrowth <= 0 {
		o.MaxGrowth = 0.25
	}
	if o.Watch <= 0 {
		o.Watch = 0.02
	}
}

// Method states how enrolment is forecast, for reports.
func (o Options) Method() string {
	o.defaults()
	return fmt.Sprintf("按学校各学段近%d年在校生的年均增长率外推（几何平均，每年变化限制在±%.0f%%以内；只有一年数据的学校按不变计）。"+
		"统计数据中没有分年级人数，因此不做逐年级升级推算；教师、校舍、设备按最新年度不变，只有学生数变化。",
		o.Window, o.MaxGrowth*100)
}

// Result is the trend, forecast and warnings of one county.
type Result struct {
	County     string
	CountyName string
	// Years are the observed years, ascending; Ahead the forecast years.
	Years []int
	Ahead []int
	// Method states the enrolment forecast method.
	Method string
	// IDs are the indicator ids, in the order of PartTrend.Values.
	IDs []string
	// Observed and Projected are the engine's evaluations of each observed
	// year and of each forecast year (resources of the latest year, the
	// forecast students).
	Observed  []*eval.County
	Projected []*eval.County
	// Indicators: one per stage and indicator, figures per year (observed
	// then forecast).
	Indicators []IndicatorTrend
	// Parts: every school part in scope in the latest year.
	Parts []PartTrend
	// Warnings, by year, then severity, then school.
	Warnings []Warning
}

// IndicatorTrend is one stage's indicator over the years.
type IndicatorTrend struct {
	Stage     census.Stage
	ID        string
	Name      string
	Threshold float64
	Limit     float64
	// CV and Mean per year, observed years then forecast years; NaN where
	// undefined or not observed.
	CV   []float64
	Mean []float64
	// Pass per year: the engine's verdict on the CV (exact, as configured);
	// false where undefined or not observed.
	Pass []bool
	// Slope is the CV's change per year over the observed years (least
	// squares); NaN with fewer than two.
	Slope float64
}

// PartTrend is one school part over the years.
type PartTrend struct {
	SchoolCode string
	SchoolName string
	SchoolType census.SchoolType
	Stage      census.Stage
	// Students per year, observed then forecast; NaN when not in the data.
	Students []float64
	// Growth is the yearly factor of the forecast (1.05 = +5 % a year).
	Growth float64
	// Values[k][y]: indicator k in year y (observed then projected).
	Values [][]float64
	// Slopes[k]: indicator k's change per year over the observed years.
	Slopes []float64
	// Pass per year (observed then projected); false where not observed.
	Pass []bool
	// Below[k][y]: the engine found indicator k below its threshold in
	// year y (compared exactly); false where not observed.
	Below [][]bool
}

// Severity of a warning.
const (
	// Fail: the part fails the school rule, or the CV passes its limit.
	Fail = "fail"
	// Watch: an indicator of a part falls below its threshold while the
	// part still passes (it has used its one indicator allowed at 85 %), or
	// a CV comes within Options.Watch of its limit.
	Watch = "watch"
)

// Warning is one early warning: what happens, and in which year first.
type Warning struct {
	Year       int
	Level      string // Fail or Watch
	Kind       string // "part" or "cv"
	SchoolCode string
	SchoolName string
	Stage      census.Stage
	Indicator  string // indicator id
	Value      float64
	Limit      float64 // the threshold, floor or CV limit crossed
	Message    string
}

// Forecast computes the trends, the enrolment forecast and the warnings of
// one county from its records of several years (any order).
func Forecast(r *standards.Rules, schools []census.School, opt Options) (*Result, error) {
	opt.defaults()
	if len(schools) == 0 {
		return nil, errors.New("没有学校数据")
	}
	res := &Result{County: schools[0].CountyCode, Method: opt.Method()}
	for _, ind := range r.Indicators {
		res.IDs = append(res.IDs, ind.ID)
	}
	byYear := map[int][]census.School{}
	for _, s := range schools {
		if s.CountyCode != res.County {
			return nil, fmt.Errorf("预测一次只针对一个县区：%s 与 %s 不同", s.CountyCode, res.County)
		}
		byYear[s.Year] = append(byYear[s.Year], s)
	}
	for y := range byYear {
		res.Years = append(res.Years, y)
	}
	slices.Sort(res.Years)
	last := res.Years[len(res.Years)-1]
	latest := byYear[last]
	res.CountyName = latest[0].CountyName
	for h := 1; h <= opt.Horizon; h++ {
		res.Ahead = append(res.Ahead, last+h)
	}
	for _, y := range res.Years {
		res.Observed = append(res.Observed, eval.Evaluate(r, y, byYear[y]).Counties[0])
	}

	// Enrolment: each school of the latest year, each stage.
	growth := map[string]map[census.Stage]float64{}
	for _, s := range latest {
		growth[s.Code] = map[census.Stage]float64{}
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior} {
			growth[s.Code][st] = opt.growth(res.Years, byYear, s.Code, st)
		}
	}
	for h := 1; h <= opt.Horizon; h++ {
		proj := make([]census.School, len(latest))
		copy(proj, latest)
		for i := range proj {
			s := &proj[i]
			s.Year = last + h
			for _, st := range []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior} {
				f, _ := census.StageField("students", st)
				if v, ok := s.Get(f); ok {
					s.Set(f, math.Round(v*math.Pow(growth[s.Code][st], float64(h))))
				}
			}
		}
		res.Projected = append(res.Projected, eval.Evaluate(r, last+h, proj).Counties[0])
	}
	all := append(slices.Clone(res.Observed), res.Projected...)
	nObs := len(res.Years)
	years := append(slices.Clone(res.Years), res.Ahead...)

	// County figures per stage and indicator.
	for _, sr := range res.Observed[nObs-1].Stages {
		if sr.Parts == 0 {
			continue
		}
		for k, ir := range sr.Indicators {
			it := IndicatorTrend{Stage: sr.Stage, ID: ir.Indicator.ID, Name: ir.Indicator.ZH, Threshold: ir.Threshold, Limit: ir.Limit}
			for _, c := range all {
				cv, mean, pass := math.NaN(), math.NaN(), false
				if s := c.Stage(sr.Stage); s != nil && s.Parts > 0 {
					cv, mean, pass = s.Indicators[k].CV.CV, s.Indicators[k].Mean, s.Indicators[k].Pass || s.Indicators[k].Missing > 0
				}
				it.CV = append(it.CV, cv)
				it.Pass = append(it.Pass, pass)
				it.Mean = append(it.Mean, mean)
			}
			it.Slope = slope(years[:nObs], it.CV[:nObs])
			res.Indicators = append(res.Indicators, it)
		}
	}

	// Parts of the latest year, followed back and forward.
	type key struct {
		code  string
		stage census.Stage
	}
	index := make([]map[key]*eval.Part, len(all))
	for i, c := range all {
		index[i] = map[key]*eval.Part{}
		for _, p := range c.Parts {
			if !p.Excluded {
				index[i][key{p.SchoolCode, p.Stage}] = p
			}
		}
	}
	nInd := len(r.Indicators)
	for _, p := range res.Observed[nObs-1].Parts {
		if p.Excluded {
			continue
		}
		pt := PartTrend{SchoolCode: p.SchoolCode, SchoolName: p.SchoolName, SchoolType: p.SchoolType, Stage: p.Stage,
			Growth: growth[p.SchoolCode][p.Stage], Values: make([][]float64, nInd), Slopes: make([]float64, nInd), Below: make([][]bool, nInd)}
		for i := range all {
			q := index[i][key{p.SchoolCode, p.Stage}]
			if q == nil {
				pt.Students = append(pt.Students, math.NaN())
				pt.Pass = append(pt.Pass, false)
				for k := range nInd {
					pt.Values[k] = append(pt.Values[k], math.NaN())
					pt.Below[k] = append(pt.Below[k], false)
				}
				continue
			}
			pt.Students = append(pt.Students, q.Students)
			pt.Pass = append(pt.Pass, q.Pass)
			for k := range nInd {
				pt.Values[k] = append(pt.Values[k], q.Values[k])
				pt.Below[k] = append(pt.Below[k], q.HasShortfall(r.Indicators[k].ID))
			}
		}
		for k := range nInd {
			pt.Slopes[k] = slope(years[:nObs], pt.Values[k][:nObs])
		}
		res.Parts = append(res.Parts, pt)
	}
	res.Warnings = warnings(r, res, opt)
	return res, nil
}

// growth returns the yearly enrolment factor of a school's stage: the
// geometric mean of its change over the last Window years it was observed
// with students, within ±MaxGrowth; 1 with one year.
func (o Options) growth(years []int, byYear map[int][]census.School, code string, st census.Stage) float64 {
	f, _ := census.StageField("students", st)
	type obs struct {
		year int
		v    float64
	}
	var seen []obs
	for _, y := range years {
		for i := range byYear[y] {
			s := &byYear[y][i]
			if s.Code == code {
				if v, ok := s.Get(f); ok && v > 0 {
					seen = append(seen, obs{y, v})
				}
				break
			}
		}
	}
	if len(seen) > o.Window {
		seen = seen[len(seen)-o.Window:]
	}
	if len(seen) < 2 {
		return 1
	}
	a, b := seen[0], seen[len(seen)-1]
	g := math.Pow(b.v/a.v, 1/float64(b.year-a.year))
	return min(max(g, 1-o.MaxGrowth), 1+o.MaxGrowth)
}

// slope is the least-squares change per year of ys over xs, skipping NaN.
func slope(xs []int, ys []float64) float64 {
	var n, sx, sy, sxx, sxy float64
	for i, y := range ys {
		if math.IsNaN(y) {
			continue
		}
		x := float64(xs[i])
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	d := n*sxx - sx*sx
	if n < 2 || d == 0 {
		return math.NaN()
	}
	return (n*sxy - sx*sy) / d
}

// warnings lists, for each part and CV that passes in the latest year, the
// first forecast year it fails (or comes close).
func warnings(r *standards.Rules, res *Result, opt Options) []Warning {
	var out []Warning
	nObs := len(res.Years)
	for _, pt := range res.Parts {
		if !pt.Pass[nObs-1] {
			continue // already failing: the evaluation says so
		}
		failed := false
		below := map[int]bool{}
		for k := range r.Indicators {
			below[k] = pt.Below[k][nObs-1]
		}
		for h := range res.Ahead {
			i := nObs + h
			year := res.Ahead[h]
			if math.IsNaN(pt.Students[i]) || pt.Students[i] <= 0 {
				continue
			}
			if !pt.Pass[i] && !failed {
				failed = true
				var why []string
				w := Warning{Year: year, Level: Fail, Kind: "part", SchoolCode: pt.SchoolCode, SchoolName: pt.SchoolName, Stage: pt.Stage}
				for k, ind := range r.Indicators {
					v, t := pt.Values[k][i], ind.Thresholds[pt.Stage]
					if pt.Below[k][i] {
						why = append(why, fmt.Sprintf("%s %s < %g", ind.ZH, below2(v, t), t))
						if w.Indicator == "" || v/t < w.Value/w.Limit {
							w.Indicator, w.Value, w.Limit = ind.ID, v, t
						}
					}
				}
				w.Message = fmt.Sprintf("%d年 %s%s部将不达标（在校生预计 %.0f 人）：%s", year, pt.SchoolName, pt.Stage.ZH(), pt.Students[i], strings.Join(why, "；"))
				out = append(out, w)
			}
			for k, ind := range r.Indicators {
				v, t := pt.Values[k][i], ind.Thresholds[pt.Stage]
				if below[k] || math.IsNaN(v) || !pt.Below[k][i] {
					continue
				}
				below[k] = true
				if failed && !pt.Pass[i] {
					continue // part of the failure above
				}
				out = append(out, Warning{Year: year, Level: Watch, Kind: "part", SchoolCode: pt.SchoolCode, SchoolName: pt.SchoolName,
					Stage: pt.Stage, Indicator: ind.ID, Value: v, Limit: t,
					Message: fmt.Sprintf("%d年 %s%s部 %s 将降到 %s，低于标准值 %g（仍在%g%%以上，学校仍达标）", year, pt.SchoolName, pt.Stage.ZH(), ind.ZH, below2(v, t), t, r.SchoolRule.Floor*100)})
			}
		}
	}
	for _, it := range res.Indicators {
		now := it.CV[nObs-1]
		if math.IsNaN(now) || now > it.Limit {
			continue
		}
		near := it.Limit-now < opt.Watch
		for h := range res.Ahead {
			cv := it.CV[nObs+h]
			year := res.Ahead[h]
			if math.IsNaN(cv) {
				continue
			}
			if !it.Pass[nObs+h] {
				out = append(out, Warning{Year: year, Level: Fail, Kind: "cv", Stage: it.Stage, Indicator: it.ID, Value: cv, Limit: it.Limit,
					Message: fmt.Sprintf("%d年 %s%s差异系数将升到 %.4f，超过上限 %.2f", year, it.Stage.ZH(), it.Name, cv, it.Limit)})
				break
			}
			if !near && it.Limit-cv < opt.Watch {
				near = true
				out = append(out, Warning{Year: year, Level: Watch, Kind: "cv", Stage: it.Stage, Indicator: it.ID, Value: cv, Limit: it.Limit,
					Message: fmt.Sprintf("%d年 %s%s差异系数将升到 %.4f，距上限 %.2f 不到 %.2f", year, it.Stage.ZH(), it.Name, cv, it.Limit, opt.Watch)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Warning) int {
		if a.Year != b.Year {
			return a.Year - b.Year
		}
		if a.Level != b.Level {
			return strings.Compare(a.Level, b.Level) // fail before watch
		}
		return strings.Compare(a.SchoolCode, b.SchoolCode)
	})
	return out
}

// below2 writes v (below t) with two decimals, or more when two would
// round it up to t.
func below2(v, t float64) string {
	for d := 2; d < 8; d++ {
		if s := strconv.FormatFloat(v, 'f', d, 64); mustParse(s) < t {
			return s
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func mustParse(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
