package seats

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Options are the forecast's choices; the zero value is the default.
type Options struct {
	// Horizon is how many years after the last year of the history to
	// forecast; 0 means 6, and at most 15.
	Horizon int
	// Window is how many of the latest observed ratios each estimate is
	// taken over; 0 means 3.
	Window int
	// Amber and Red are the shares of places used at which a unit turns
	// amber and red; nil means 9/10 and 1.
	Amber, Red *big.Rat
	// Base is the cohort count the entry ratio is taken against; "" means
	// BaseBirths.
	Base Base
}

func (o *Options) defaults() error {
	if o.Horizon == 0 {
		o.Horizon = 6
	}
	if o.Window == 0 {
		o.Window = 3
	}
	if o.Base == "" {
		o.Base = BaseBirths
	}
	switch {
	case o.Horizon < 1 || o.Horizon > 15:
		return fmt.Errorf("%w: horizon %d: want 1–15 years", ErrInput, o.Horizon)
	case o.Window < 1:
		return fmt.Errorf("%w: window %d: want at least 1 year", ErrInput, o.Window)
	case o.Base != BaseBirths && o.Base != BaseRegistered && o.Base != BaseResident:
		return fmt.Errorf("%w: unknown base %q", ErrInput, o.Base)
	}
	return nil
}

// Method states the method and its choices in Chinese, for reports.
func (o Options) Method(s Stage) string {
	if err := o.defaults(); err != nil {
		return err.Error()
	}
	base := map[Base]string{BaseBirths: "出生人口", BaseRegistered: "户籍儿童数", BaseResident: "常住儿童数"}[o.Base]
	t, _ := o.thresholds()
	return fmt.Sprintf("队列推算法：%s一年级（首年级）招生 = %d年前%s × 学区入学率（近%d年观测值：中方案取平均，低方案取最小，高方案取最大）；"+
		"其余年级 = 上一年低一年级人数 × 学区升级率（同样取近%d年观测值）。入学率和升级率中已包含人口迁移（观测残差）。"+
		"学区内各校一年级招生按近%d年各校所占份额分配。学位使用率达到%s为黄色预警，达到%s为红色预警（精确比较）。"+
		"缺口班数 = 缺口学位 ÷ 规定班额，向上取整。出生数据缺失的未来年份按最近一年持平推算并标注。",
		s.ZH(), s.EntryAge(), base, o.Window, o.Window, o.Window, pct(t.amber), pct(t.red))
}

func pct(r *big.Rat) string {
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(1) + "%"
}

// Variant is one of the three forecasts that show the sensitivity to the
// ratios.
type Variant int

// The variants, in the order of every [3] array of the results.
const (
	Low     Variant = iota // every ratio at the lowest of the window
	Central                // every ratio at the mean of the window
	High                   // every ratio at the highest of the window
)

func (v Variant) String() string { return [...]string{"low", "central", "high"}[v] }

// Observation is one observed ratio: Num ÷ Den. For an entry ratio, Year
// is the intake year, Num the grade-1 intake and Den the base cohort born
// EntryAge years before; for a progression ratio from grade g, Year is the
// later year, Num grade g+1 that year and Den grade g the year before.
type Observation struct {
	Year     int
	Num, Den int
	Ratio    *big.Rat
}

// Estimate is one ratio of a catchment, estimated from its observations.
type Estimate struct {
	// Observed are all the usable observations, by year; the estimate is
	// taken over the last Used of them (Options.Window, or fewer when fewer
	// are observed).
	Observed []Observation
	Used     int
	// Ratio by variant: the lowest, the mean and the highest of the used
	// observations, exact.
	Ratio [3]*big.Rat
}

// estimate takes the low, mean and high of the last window observations.
func estimate(obs []Observation, window int) Estimate {
	e := Estimate{Observed: obs, Used: min(window, len(obs))}
	used := obs[len(obs)-e.Used:]
	sum := new(big.Rat)
	lo, hi := used[0].Ratio, used[0].Ratio
	for _, o := range used {
		sum.Add(sum, o.Ratio)
		if o.Ratio.Cmp(lo) < 0 {
			lo = o.Ratio
		}
		if o.Ratio.Cmp(hi) > 0 {
			hi = o.Ratio
		}
	}
	e.Ratio = [3]*big.Rat{new(big.Rat).Set(lo), sum.Quo(sum, rat(e.Used)), new(big.Rat).Set(hi)}
	return e
}

// Year is one unit's forecast for one year.
type Year struct {
	Year int
	// BirthsAssumed: the entry cohort of this year was not given, and is
	// held at the last one given.
	BirthsAssumed bool
	// Grades are the students of each grade by variant, rounded to whole
	// children; Exact is the unrounded total by variant.
	Grades [3][]int
	Exact  [3]*big.Rat
	// Checks by variant: Students is Exact rounded half up (which may
	// differ by one from the sum of the rounded grades).
	Checks [3]Check
}

// CatchmentForecast is one 学区's ratios and forecast.
type CatchmentForecast struct {
	Catchment string
	// Schools serving it, by code.
	Schools []string
	// Entry is the entry ratio (入学率): grade-1 intake over the base cohort
	// born EntryAge years before.
	Entry Estimate
	// Progression[g-1] is the ratio of grade g+1 in a year to grade g the
	// year before (升级率): what stays, minus leavers, plus arrivals.
	Progression []Estimate
	// Places are the catchment's present places (all its schools).
	Places int
	Years  []Year
}

// SchoolForecast is one school's forecast.
type SchoolForecast struct {
	Code, Name, Catchment string
	// Share is the school's share of its catchment's grade-1 intake over
	// the years of the entry estimate.
	Share     *big.Rat
	Places    int
	ClassSize int
	Years     []Year
}

// Warning is a unit in a year whose central or high variant is not green.
type Warning struct {
	Year      int
	Catchment string
	// School is empty for a warning on the whole catchment.
	School string
	Name   string
	Checks [3]Check
}

// Result is a forecast of one stage of an area.
type Result struct {
	Stage Stage
	Base  Base
	// From is the last year of the history; Years the years forecast.
	From       int
	Years      []int
	Method     string
	Catchments []CatchmentForecast
	Schools    []SchoolForecast
	// Warnings by year, then central light (red first), catchment, and
	// the catchment before its schools.
	Warnings []Warning
}

// limit bounds a projected count: more is the sign of ratios run wild.
var limit = big.NewRat(1_000_000_000, 1)

// Forecast projects every catchment and school of in for opt.Horizon years
// after the last year of its history, and judges each year's places.
func Forecast(in Input, opt Options) (*Result, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	th, err := opt.thresholds()
	if err != nil {
		return nil, err
	}
	d, err := check(in)
	if err != nil {
		return nil, err
	}
	return d.forecast(opt, th)
}

func (d *data) forecast(opt Options, th thresholds) (*Result, error) {
	from := d.years[len(d.years)-1]
	res := &Result{Stage: d.stage, Base: opt.Base, From: from, Method: opt.Method(d.stage)}
	for k := 1; k <= opt.Horizon; k++ {
		res.Years = append(res.Years, from+k)
	}
	projects := slices.Clone(d.projects)
	slices.SortStableFunc(projects, func(a, b Project) int { return a.OpenYear - b.OpenYear })
	for _, c := range d.catchment {
		cf, schools, err := d.catchmentForecast(c, from, opt, th, projects)
		if err != nil {
			return nil, err
		}
		res.Catchments = append(res.Catchments, cf)
		res.Schools = append(res.Schools, schools...)
	}
	for _, c := range res.Catchments {
		for _, y := range c.Years {
			res.warn(y, c.Catchment, "", c.Catchment)
		}
	}
	for _, s := range res.Schools {
		for _, y := range s.Years {
			res.warn(y, s.Catchment, s.Code, s.Name)
		}
	}
	rank := map[Light]int{Red: 0, Amber: 1, Green: 2}
	slices.SortFunc(res.Warnings, func(a, b Warning) int {
		switch {
		case a.Year != b.Year:
			return a.Year - b.Year
		case a.Checks[Central].Light != b.Checks[Central].Light:
			return rank[a.Checks[Central].Light] - rank[b.Checks[Central].Light]
		case a.Catchment != b.Catchment:
			return strings.Compare(a.Catchment, b.Catchment)
		}
		return strings.Compare(a.School, b.School)
	})
	return res, nil
}

func (r *Result) warn(y Year, catchment, school, name string) {
	if y.Checks[Central].Light == Green && y.Checks[High].Light == Green {
		return
	}
	r.Warnings = append(r.Warnings, Warning{Year: y.Year, Catchment: catchment, School: school, Name: name, Checks: y.Checks})
}

// ratios estimates catchment c's entry and progression ratios.
func (d *data) ratios(c string, opt Options) (Estimate, []Estimate, error) {
	age := d.stage.EntryAge()
	var entry []Observation
	for _, y := range d.years {
		intake := d.grades(c, "", y)[0]
		b, ok := d.base(c, y-age, opt.Base)
		if !ok {
			continue
		}
		if b == 0 {
			if intake > 0 {
				return Estimate{}, nil, &InputError{Catchment: c, Year: y - age, Field: string(opt.Base),
					Problem: fmt.Sprintf("0, yet %d children entered grade 1 in %d", intake, y)}
			}
			continue
		}
		entry = append(entry, Observation{Year: y, Num: intake, Den: b, Ratio: big.NewRat(int64(intake), int64(b))})
	}
	if len(entry) == 0 {
		return Estimate{}, nil, &InputError{Catchment: c, Field: "entry ratio",
			Problem: fmt.Sprintf("no year of the history has grade-1 intake and %s of the cohort born %d years before", opt.Base, age)}
	}
	var prog []Estimate
	for g := 1; g < d.stage.Grades(); g++ {
		var obs []Observation
		for i := 1; i < len(d.years); i++ {
			y0, y1 := d.years[i-1], d.years[i]
			if y1 != y0+1 {
				continue
			}
			den, num := d.grades(c, "", y0)[g-1], d.grades(c, "", y1)[g]
			if den == 0 {
				if num > 0 {
					return Estimate{}, nil, &InputError{Catchment: c, Year: y1, Field: fmt.Sprintf("grade %d students", g+1),
						Problem: fmt.Sprintf("%d, yet grade %d had none in %d", num, g, y0)}
				}
				continue
			}
			obs = append(obs, Observation{Year: y1, Num: num, Den: den, Ratio: big.NewRat(int64(num), int64(den))})
		}
		if len(obs) == 0 {
			return Estimate{}, nil, &InputError{Catchment: c, Field: fmt.Sprintf("progression from grade %d", g),
				Problem: "no two consecutive years of the history with that grade's students"}
		}
		prog = append(prog, estimate(obs, opt.Window))
	}
	return estimate(entry, opt.Window), prog, nil
}

// catchmentForecast estimates catchment c's ratios and projects it and its
// schools.
func (d *data) catchmentForecast(c string, from int, opt Options, th thresholds, projects []Project) (CatchmentForecast, []SchoolForecast, error) {
	entry, prog, err := d.ratios(c, opt)
	if err != nil {
		return CatchmentForecast{}, nil, err
	}
	cf := CatchmentForecast{Catchment: c, Schools: d.members[c], Entry: entry, Progression: prog}
	// Shares of grade-1 intake over the years the entry estimate used.
	used := entry.Observed[len(entry.Observed)-entry.Used:]
	total := 0
	for _, o := range used {
		total += o.Num
	}
	var schools []SchoolForecast
	for _, code := range d.members[c] {
		s := d.school(code)
		n := 0
		for _, o := range used {
			n += d.grades(c, code, o.Year)[0]
		}
		share := new(big.Rat)
		if total > 0 {
			share.SetFrac64(int64(n), int64(total))
		}
		schools = append(schools, SchoolForecast{Code: code, Name: s.Name, Catchment: c, Share: share,
			Places: d.places[code], ClassSize: d.size[code]})
		cf.Places += d.places[code]
	}
	// The last year the base cohort is given, for holding it flat after.
	lastBorn, lastBase := 0, 0
	for y := range d.births[c] {
		if b, ok := d.base(c, y, opt.Base); ok && y > lastBorn {
			lastBorn, lastBase = y, b
		}
	}
	g := d.stage.Grades()
	start := func(school string) [3][]*big.Rat {
		var v [3][]*big.Rat
		row := d.grades(c, school, from)
		for k := range v {
			v[k] = make([]*big.Rat, g)
			for i, n := range row {
				v[k][i] = rat(n)
			}
		}
		return v
	}
	prevC := start("")
	prevS := make([][3][]*big.Rat, len(schools))
	for i, s := range schools {
		prevS[i] = start(s.Code)
	}
	var cProjects []Project
	sProjects := map[string][]Project{}
	for _, p := range projects {
		if p.Catchment == c {
			cProjects = append(cProjects, p)
			if p.School != "" {
				sProjects[p.School] = append(sProjects[p.School], p)
			}
		}
	}
	for k := 1; k <= opt.Horizon; k++ {
		y := from + k
		born := y - d.stage.EntryAge()
		b, ok := d.base(c, born, opt.Base)
		assumed := false
		if !ok {
			if lastBorn == 0 || born < lastBorn {
				return CatchmentForecast{}, nil, &InputError{Catchment: c, Year: born, Field: string(opt.Base),
					Problem: fmt.Sprintf("not given, and needed for the intake of %d", y)}
			}
			b, assumed = lastBase, true
		}
		next := func(prev [3][]*big.Rat, share *big.Rat) [3][]*big.Rat {
			var v [3][]*big.Rat
			for vi := range v {
				v[vi] = make([]*big.Rat, g)
				v[vi][0] = new(big.Rat).Mul(entry.Ratio[vi], rat(b))
				if share != nil {
					v[vi][0].Mul(v[vi][0], share)
				}
				for i := 1; i < g; i++ {
					v[vi][i] = new(big.Rat).Mul(prog[i-1].Ratio[vi], prev[vi][i-1])
				}
			}
			return v
		}
		year := func(v [3][]*big.Rat, places int, ps []Project, size int) (Year, error) {
			out := Year{Year: y, BirthsAssumed: assumed}
			for vi := range v {
				sum := new(big.Rat)
				out.Grades[vi] = make([]int, g)
				for i, r := range v[vi] {
					if r.Cmp(limit) > 0 {
						return out, &InputError{Catchment: c, Year: y, Field: fmt.Sprintf("grade %d", i+1),
							Problem: fmt.Sprintf("projected %s children: the ratios of the history run wild", r.FloatString(0))}
					}
					sum.Add(sum, r)
					out.Grades[vi][i] = roundHalfUp(r)
				}
				out.Exact[vi] = sum
				out.Checks[vi] = th.judge(y, roundHalfUp(sum), places, ps, size)
			}
			return out, nil
		}
		prevC = next(prevC, nil)
		cy, err := year(prevC, cf.Places, cProjects, d.classSize)
		if err != nil {
			return CatchmentForecast{}, nil, err
		}
		cf.Years = append(cf.Years, cy)
		for i := range schools {
			prevS[i] = next(prevS[i], schools[i].Share)
			sy, err := year(prevS[i], schools[i].Places, sProjects[schools[i].Code], schools[i].ClassSize)
			if err != nil {
				return CatchmentForecast{}, nil, err
			}
			schools[i].Years = append(schools[i].Years, sy)
		}
	}
	return cf, schools, nil
}

// roundHalfUp rounds r ≥ 0 to the nearest integer, halves up.
func roundHalfUp(r *big.Rat) int {
	n := new(big.Int).Lsh(r.Num(), 1)
	n.Add(n, r.Denom())
	d := new(big.Int).Lsh(r.Denom(), 1)
	return int(n.Quo(n, d).Int64())
}

// YearSummary counts one year's warnings of one variant over the area.
type YearSummary struct {
	Year int
	// Catchments and schools by light.
	RedCatchments, AmberCatchments int
	RedSchools, AmberSchools       int
	// Shortfall and ShortfallClasses add up the catchments' shortfalls
	// (children cannot use another catchment's spare places, so one
	// catchment's room does not offset another's lack); Uncovered is the
	// part of it that the projects opening in or before the year leave.
	Shortfall, ShortfallClasses int
	Uncovered                   int
}

// Summary counts the warnings of variant v year by year: the figures an
// overview, a 通报 (bulletin) or a work plan's target of places quotes.
func (r *Result) Summary(v Variant) []YearSummary {
	out := make([]YearSummary, len(r.Years))
	for i, y := range r.Years {
		out[i].Year = y
	}
	for _, c := range r.Catchments {
		for i, y := range c.Years {
			ch := y.Checks[v]
			switch ch.Light {
			case Red:
				out[i].RedCatchments++
			case Amber:
				out[i].AmberCatchments++
			}
			out[i].Shortfall += ch.Shortfall
			out[i].ShortfallClasses += ch.ShortfallClasses
			out[i].Uncovered += max(ch.Students-ch.Places-ch.Planned, 0)
		}
	}
	for _, s := range r.Schools {
		for i, y := range s.Years {
			switch y.Checks[v].Light {
			case Red:
				out[i].RedSchools++
			case Amber:
				out[i].AmberSchools++
			}
		}
	}
	return out
}
