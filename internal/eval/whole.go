package eval

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Inputs are the records a whole-standard evaluation reads besides the
// rules: every kind of census record, the judgements of the items people
// judge, and, for a rule that looks back (Chongqing's precondition), the
// 基本均衡 evaluations of earlier years. Records of other years are ignored.
type Inputs struct {
	Schools       []census.School
	Kindergartens []census.Kindergarten
	Counties      []census.CountyRecord
	// Judgements are the judgements in force: the latest of each item of
	// each county. Those of other standards or years are ignored.
	Judgements []census.Judgement
	// Prior holds, by year, the evaluation of earlier years' school records
	// under the standard that Rules.PriorCVs names; nil when not needed.
	Prior map[int]*Result
	// Sources says, by county code and item id, where an item's figures
	// came from when not from the typed county record (a ledger, such as
	// the rotation ledger, fed into the record); each of the item's texts
	// says so.
	Sources map[string]map[string]string
	// Runs, when not nil, are the runs of Schools of one county and year,
	// in order, covering all of them (censusio.Batch.Runs): the records are
	// grouped by county from them rather than from a pass over them.
	Runs []census.SchoolRun
}

// Verdict is a county's verdict under the whole standard: every item of every
// part, and whether the county is recognised. A county is recognised only when
// every item is met and no veto applies (standards.md §1: 项项达标, 一票否决).
type Verdict struct {
	// Status is met (recognised), not_met (some item not met or a veto), or
	// pending (nothing is not met, but something awaits a judgement or data).
	Status     census.Status
	Recognised bool
	Items      []*ItemResult
	Unmet      []string // ids of the items not met, in report order
	Pending    []string // ids of the items pending
	Vetoes     []string // ids of the veto items that apply
	// HasRecord is false when the county has no county record for the year.
	HasRecord bool
	// Kindergartens are the county's kindergartens (preschool standards).
	Kindergartens []*KgResult
}

// Why an item is pending.
const (
	AwaitJudgement = "judgement" // an evidence item nobody has judged yet
	AwaitData      = "data"      // data not reported
)

// ItemResult is one item of a county's verdict.
type ItemResult struct {
	Item   *standards.Item
	Status census.Status
	// Awaiting says why a pending item is pending: AwaitJudgement and/or AwaitData.
	Awaiting []string
	Checks   []*CheckResult
	// Judgement is the judgement in force, nil when none.
	Judgement *census.Judgement
	// Reason explains the status in one line.
	Reason string
}

// CheckResult is one computed condition of an item.
type CheckResult struct {
	Check  *standards.Check
	Status census.Status
	// Value is the figure compared with Threshold (NaN when unknown); Num
	// and Den its numerator and denominator for a ratio.
	Value, Num, Den float64
	Threshold       float64
	// Text explains the figure and the verdict in Chinese.
	Text string
	// Missing lists what was not reported.
	Missing []string
	// Schools lists, for a per-school rule, the schools that fail or lack data;
	// Checked is how many schools the rule applied to, Failing how many fail.
	Schools         []SchoolIssue
	Checked, Failed int
	// Years lists, for a prior_basic_cvs check, each earlier year's figures.
	Years []PriorYear
}

// SchoolIssue is one school failing a per-school rule, or lacking its data.
type SchoolIssue struct {
	Code, Name string
	Type       census.SchoolType
	Value      float64 // the school's figure (NaN when missing)
	Limit      float64
	Missing    bool
	Text       string
	// Short is what the school lacks to meet the check, by census column
	// key, where an addition can meet it (music_art_rooms: the music and
	// the art rooms to add); nil otherwise.
	Short map[string]float64
}

// PriorYear is one earlier year's 基本均衡 composite CVs.
type PriorYear struct {
	Year   int
	Stages []PriorStage
}

// PriorStage is one stage of a PriorYear.
type PriorStage struct {
	Stage  census.Stage
	CV     float64 // the composite CV; NaN when unknown
	Limit  float64
	Status census.Status
}

// KgResult is one kindergarten's figures for the preschool standard.
type KgResult struct {
	Code, Name, Location string
	Category             census.Category
	Children             float64
	Classes, Oversize    float64 // NaN when not reported
	Teachers             float64
	// ChildrenPerTeacher is children ÷ full-time teachers; NaN when unknown.
	ChildrenPerTeacher float64
	CertifiedShare     float64 // certified ÷ full-time teachers; NaN when unknown
	PrincipalCertified float64 // 1, 0, or NaN
	Missing            []string
}

// EvaluateWhole evaluates every part of rules' standard for each county with
// records of year: the resource part (for school standards, as Evaluate
// does), then every item, with the county's verdict in County.Verdict.
func EvaluateWhole(r *standards.Rules, year int, in Inputs) *Result {
	var counties []*County
	res, _ := EvaluateWholeEach(r, year, in, func(c *County) error {
		counties = append(counties, c)
		return nil
	})
	res.Counties = counties
	return res
}

// NewWhole returns the result of a whole-standard evaluation of year under r
// before any county: what a writer of EvaluateWholeEach's counties needs
// for the head of its document.
func NewWhole(r *standards.Rules, year int) *Result {
	return &Result{Standard: r.ID, Profile: r.Profile.ID, Year: year, Rules: r, Whole: true}
}

// EvaluateWholeEach evaluates as EvaluateWhole does, but hands each county
// to fn in the order of their codes as soon as it is evaluated, and keeps
// none: the Result it returns has no counties. Memory holds a few counties'
// results at a time, however many there are. It stops at fn's first error.
func EvaluateWholeEach(r *standards.Rules, year int, in Inputs, fn func(*County) error) (*Result, error) {
	return evaluateEach(r, year, in, true, nil, fn)
}

// EvaluateResourceEach is EvaluateWholeEach without the verdicts: every
// county's resource part (County.Stages and Parts) as EvaluateWholeEach
// computes it, with County.Verdict nil. It is for outputs that read only
// the resource part (the indicators and parts tables), and takes a third of
// the time of a whole evaluation of a nation: the verdict's items list
// every school that a per-school rule finds short or without figures.
func EvaluateResourceEach(r *standards.Rules, year int, in Inputs, fn func(*County) error) (*Result, error) {
	return evaluateEach(r, year, in, false, nil, fn)
}

// EvaluateResourceStream is EvaluateResourceEach for a caller that writes
// each county and forgets it: the county fn is given, its parts and their
// figures are valid only until fn returns, after which their memory holds
// the parts of counties evaluated later. A nation's 93 MB of parts is then
// a few windows of counties' worth, reused.
func EvaluateResourceStream(r *standards.Rules, year int, in Inputs, fn func(*County) error) (*Result, error) {
	return evaluateEach(r, year, in, false, &slabPool{}, fn)
}

// evaluateEach evaluates every county of in and hands them to fn in the
// order of their codes. With slabs set, each county's parts are given back
// to it once fn returns.
func evaluateEach(r *standards.Rules, year int, in Inputs, verdicts bool, slabs *slabPool, fn func(*County) error) (*Result, error) {
	res := NewWhole(r, year)
	var groups [][]*census.School
	if !r.Preschool() {
		groups = groupByCounty(year, in.Schools, in.Runs)
	}
	data := map[string]*countyData{}
	get := func(code, name string) *countyData {
		d, ok := data[code]
		if !ok {
			d = &countyData{code: code, name: name, year: year, judged: map[string]*census.Judgement{}}
			data[code] = d
		}
		if d.name == "" {
			d.name = name
		}
		return d
	}
	for _, g := range groups {
		d := get(g[0].CountyCode, g[0].CountyName)
		d.group = g
		if year != 0 {
			// The records of the year by county, as the loop below
			// gathers them.
			d.schools = g
			for _, s := range g[1:] {
				if d.name != "" {
					break
				}
				d.name = s.CountyName
			}
		}
	}
	// Without the groups (a preschool standard) or with them for every
	// year (year 0), the records of the year are gathered here.
	gathered := groups != nil && year != 0
	var last *countyData // records come a county at a time: skip the map
	for i := 0; i < len(in.Schools) && !gathered; i++ {
		s := &in.Schools[i]
		if s.Year != year {
			continue
		}
		d := last
		if d == nil || d.code != s.CountyCode {
			d = get(s.CountyCode, s.CountyName)
			last = d
		} else if d.name == "" {
			d.name = s.CountyName
		}
		d.schools = append(d.schools, s)
	}
	for i := range in.Kindergartens {
		k := &in.Kindergartens[i]
		if k.Year == year {
			d := get(k.CountyCode, k.CountyName)
			d.kgs = append(d.kgs, k)
		}
	}
	for i := range in.Counties {
		c := &in.Counties[i]
		if c.Year == year {
			get(c.CountyCode, c.CountyName).rec = c
		}
	}
	for i := range in.Judgements {
		j := &in.Judgements[i]
		if j.Year != year || j.Standard != r.ID {
			continue
		}
		if d, ok := data[j.CountyCode]; ok {
			if old := d.judged[j.Item]; old == nil || j.At.After(old.At) || j.At.Equal(old.At) && j.ID > old.ID {
				d.judged[j.Item] = j
			}
		}
	}
	if pc := r.PriorCVs(); pc != nil {
		for y, pr := range in.Prior {
			for _, c := range pr.Counties {
				if d, ok := data[c.Code]; ok {
					if d.prior == nil {
						d.prior = map[int]*County{}
					}
					d.prior[y] = c
				}
			}
		}
	}
	for code, m := range in.Sources {
		if d, ok := data[code]; ok {
			d.sources = m
		}
	}
	all := make([]*countyData, 0, len(data))
	for _, d := range data {
		all = append(all, d)
	}
	slices.SortFunc(all, func(a, b *countyData) int { return strings.Compare(a.code, b.code) })
	// Counties are independent: evaluate a window of them on every core,
	// each worker with an engine of its own (the engine holds scratch
	// buffers), then hand them on in order and forget them.
	workers := min(runtime.GOMAXPROCS(0), len(all))
	if len(in.Schools) < 20000 {
		workers = 1
	}
	engines := make([]*engine, max(workers, 1))
	for w := range engines {
		engines[w] = newEngine(r)
		engines[w].slabs = slabs
	}
	// The windows are evaluated one ahead of the one fn is given, so that
	// writing a window's counties (on one core) overlaps evaluating the
	// next (on every core) instead of leaving the other cores idle.
	const window = 64
	ready := make(chan []*County, 1)
	var stop atomic.Bool
	go func() {
		defer close(ready)
		for lo := 0; lo < len(all) && !stop.Load(); lo += window {
			batch := all[lo:min(lo+window, len(all))]
			out := make([]*County, len(batch))
			if workers <= 1 {
				for i, d := range batch {
					out[i] = d.evaluate(r, engines[0], verdicts)
				}
			} else {
				var next atomic.Int64
				var wg sync.WaitGroup
				for _, e := range engines {
					wg.Go(func() {
						for {
							i := int(next.Add(1)) - 1
							if i >= len(batch) {
								return
							}
							out[i] = batch[i].evaluate(r, e, verdicts)
						}
					})
				}
				wg.Wait()
			}
			clear(batch)
			ready <- out
		}
	}()
	for out := range ready {
		for i, c := range out {
			out[i] = nil
			err := fn(c)
			if slabs != nil {
				slabs.put(c)
			}
			if err != nil {
				stop.Store(true)
				for range ready { // let the evaluation end
				}
				return res, err
			}
		}
	}
	return res, nil
}

// evaluate returns the county of d evaluated with e: the resource part of
// its schools (if any) and, when verdict is set, its verdict.
func (d *countyData) evaluate(r *standards.Rules, e *engine, verdict bool) *County {
	c := &County{Code: d.code, Name: d.name, Complete: true, ResourcePass: r.Preschool()}
	if d.group != nil {
		c = e.county(d.group)
		d.resource = c
	}
	if verdict {
		c.Verdict = d.verdict(r)
	}
	return c
}

// countyData is what one county's verdict reads.
type countyData struct {
	code, name string
	year       int
	rec        *census.CountyRecord
	schools    []*census.School
	kgs        []*census.Kindergarten
	judged     map[string]*census.Judgement
	// sources are the notes of Inputs.Sources for this county, by item id.
	sources  map[string]string
	resource *County
	prior    map[int]*County
	// group are the school records the resource part evaluates (Evaluate's
	// records of the county); nil for a county with none.
	group []*census.School
}

func partOrder(p string) int {
	for i, x := range standards.Parts {
		if x.ID == p {
			return i
		}
	}
	return len(standards.Parts)
}

func (d *countyData) verdict(r *standards.Rules) *Verdict {
	v := &Verdict{HasRecord: d.rec != nil}
	for i := range r.Items {
		v.Items = append(v.Items, d.item(r, &r.Items[i]))
	}
	slices.SortStableFunc(v.Items, func(a, b *ItemResult) int { return cmp.Compare(partOrder(a.Item.Part), partOrder(b.Item.Part)) })
	for _, it := range v.Items {
		switch it.Status {
		case census.StatusNotMet:
			v.Unmet = append(v.Unmet, it.Item.ID)
			if it.Item.Veto {
				v.Vetoes = append(v.Vetoes, it.Item.ID)
			}
		case census.StatusPending:
			v.Pending = append(v.Pending, it.Item.ID)
		}
	}
	switch {
	case len(v.Unmet) > 0:
		v.Status = census.StatusNotMet
	case len(v.Pending) > 0:
		v.Status = census.StatusPending
	default:
		v.Status, v.Recognised = census.StatusMet, true
	}
	if r.Preschool() {
		for _, k := range d.kgs {
			v.Kindergartens = append(v.Kindergartens, kgResult(k))
		}
		slices.SortFunc(v.Kindergartens, func(a, b *KgResult) int { return strings.Compare(a.Code, b.Code) })
	}
	return v
}

// combine is the status of several: not met if any is, else pending if any
// is, else met.
func combine(ss ...census.Status) census.Status {
	out := census.StatusMet
	for _, s := range ss {
		switch s {
		case census.StatusNotMet:
			return census.StatusNotMet
		case census.StatusPending:
			out = census.StatusPending
		}
	}
	return out
}

func (d *countyData) item(r *standards.Rules, it *standards.Item) *ItemResult {
	ir := &ItemResult{Item: it}
	var statuses []census.Status
	var why, met []string
	dataMissing := false
	for j := range it.Checks {
		cr := d.check(r, &it.Checks[j])
		if src := d.sources[it.ID]; src != "" {
			cr.Text += "（" + src + "）"
		}
		ir.Checks = append(ir.Checks, cr)
		statuses = append(statuses, cr.Status)
		if cr.Status == census.StatusPending {
			dataMissing = true
		}
		if cr.Status != census.StatusMet {
			why = append(why, cr.Text)
		} else {
			met = append(met, cr.Text)
		}
	}
	if it.Evidence {
		j := d.judged[it.ID]
		ir.Judgement = j
		switch {
		case j == nil || j.Status == census.StatusPending:
			statuses = append(statuses, census.StatusPending)
			ir.Awaiting = append(ir.Awaiting, AwaitJudgement)
			why = append(why, "尚未评议")
		case j.Status == census.StatusNotMet:
			statuses = append(statuses, census.StatusNotMet)
			w := "评议为未达标"
			if it.Veto {
				w = "评议认定存在该情形（一票否决）"
			}
			if j.Comment != "" {
				w += "：" + j.Comment
			}
			why = append(why, w)
		default:
			statuses = append(statuses, census.StatusMet)
			w := "评议为达标"
			if it.Veto {
				w = "评议认定不存在该情形"
			}
			if j.Comment != "" {
				w += "：" + j.Comment
			}
			met = append(met, w)
		}
	}
	if dataMissing {
		ir.Awaiting = append(ir.Awaiting, AwaitData)
	}
	ir.Status = combine(statuses...)
	switch ir.Status {
	case census.StatusMet:
		ir.Reason = strings.Join(met, "；")
	default:
		ir.Reason = strings.Join(why, "；")
	}
	return ir
}

// check evaluates one check.
func (d *countyData) check(r *standards.Rules, c *standards.Check) *CheckResult {
	cr := &CheckResult{Check: c, Value: math.NaN(), Num: math.NaN(), Den: math.NaN(), Threshold: c.Threshold}
	switch c.Kind {
	case standards.CheckRatio:
		d.ratio(c, cr)
	case standards.CheckValue:
		x, missing := d.quantity(c.NumQ)
		cr.Num, cr.Missing = x, missing
		if len(missing) > 0 {
			cr.pending("数据不全：" + strings.Join(missing, "、"))
			break
		}
		cr.Value = x
		cr.judge(fmt.Sprintf("%s %s", c.NumQ.ZH(), formatValue(x, c.Percent, c.Unit)), func() *big.Rat { return d.exactQuantity(c.NumQ) })
	case standards.CheckYearsSince:
		x, missing := d.quantity(c.NumQ)
		cr.Num, cr.Missing = x, missing
		if len(missing) > 0 {
			cr.pending("未填报" + c.NumQ.ZH() + "（尚未通过认定的不能申报）")
			break
		}
		cr.Value = float64(d.year) - x
		cr.judge(fmt.Sprintf("%d − %s %g = %g 年", d.year, c.NumQ.ZH(), x, cr.Value), func() *big.Rat {
			return new(big.Rat).Sub(big.NewRat(int64(d.year), 1), d.exactQuantity(c.NumQ))
		})
	case standards.CheckSchools:
		d.schoolRule(c, cr)
	case standards.CheckResource:
		d.resourceCheck(r, c, cr)
	case standards.CheckPriorCVs:
		d.priorCVs(c, cr)
	default:
		cr.pending("未知的检查类型 " + c.Kind)
	}
	return cr
}

func (cr *CheckResult) pending(text string) {
	cr.Status = census.StatusPending
	cr.Text = text
}

// judge compares cr.Value with the threshold and writes the text: the
// figure, the standard and the verdict. exact gives the figure's exact
// value from the census decimals, for a comparison float arithmetic cannot
// settle.
func (cr *CheckResult) judge(figure string, exact func() *big.Rat) {
	c := cr.Check
	if compare(cr.Value, c.Op, c.Threshold, exact) {
		cr.Status = census.StatusMet
	} else {
		cr.Status = census.StatusNotMet
	}
	cr.Text = fmt.Sprintf("%s，标准 %s %s，%s", figure, standards.OpZH(c.Op), standards.FormatThreshold(c.Threshold, c.Percent, c.Unit), cr.Status.ZH())
}

// compare applies op exactly: a value exactly at a ≥ or ≤ limit meets it;
// one exactly at a < or > limit does not. v is the float figure, exact its
// exact value (called only near the threshold).
func compare(v float64, op string, th float64, exact func() *big.Rat) bool {
	if math.IsNaN(v) {
		return false
	}
	x := exactNum{v: v}
	if exact != nil {
		x.cmpExact = func(b *big.Rat) int { return exact().Cmp(b) }
	}
	c := x.cmp(th, func() *big.Rat { return dec(th) })
	switch op {
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	case "<":
		return c < 0
	case ">":
		return c > 0
	}
	return false
}

// formatValue writes a figure as a report shows it: a share as a
// percentage with two decimals, anything else exactly, with its unit.
func formatValue(v float64, percent bool, unit string) string {
	if math.IsNaN(v) {
		return "—"
	}
	if percent {
		return strconv.FormatFloat(v*100, 'f', 2, 64) + "%"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if math.Abs(v-math.Round(v)) > 1e-9 && math.Abs(v) < 1e6 {
		s = strconv.FormatFloat(v, 'f', 4, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	switch unit {
	case "":
	case "%":
		s += "%"
	default:
		s += " " + unit
	}
	return s
}

// FormatValue is formatValue for other packages: the figure of a check as
// reports print it.
func FormatValue(v float64, c *standards.Check) string { return formatValue(v, c.Percent, c.Unit) }

func (d *countyData) ratio(c *standards.Check, cr *CheckResult) {
	num, m1 := d.quantity(c.NumQ)
	den, m2 := d.quantity(c.DenQ)
	cr.Num, cr.Den = num, den
	cr.Missing = append(m1, m2...)
	if len(cr.Missing) > 0 {
		cr.pending("数据不全：" + strings.Join(cr.Missing, "、"))
		return
	}
	if den == 0 {
		if c.Vacuous && num == 0 {
			cr.Status = census.StatusMet
			cr.Text = fmt.Sprintf("%s为0，无需比较，%s", c.DenQ.ZH(), census.StatusMet.ZH())
			return
		}
		cr.pending(fmt.Sprintf("%s为0，无法计算%s", c.DenQ.ZH(), c.ZH))
		return
	}
	cr.Value = num / den
	cr.judge(fmt.Sprintf("%s：%s %s ÷ %s %s = %s", c.ZH, c.NumQ.ZH(), fmtCount(num), c.DenQ.ZH(), fmtCount(den), formatValue(cr.Value, c.Percent, c.Unit)),
		func() *big.Rat { return new(big.Rat).Quo(d.exactQuantity(c.NumQ), d.exactQuantity(c.DenQ)) })
}

// fmtCount writes a count or an amount exactly.
func fmtCount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// quantity returns the value of q for the county, and what is missing.
func (d *countyData) quantity(q *standards.Quantity) (float64, []string) {
	switch q.From {
	case standards.FromCounty:
		if d.rec == nil {
			return math.NaN(), []string{"县级数据（本年度未导入）"}
		}
		v := d.rec.V[q.Terms[0].Index]
		if math.IsNaN(v) {
			return v, []string{q.Terms[0].ZH}
		}
		return v, nil
	case standards.FromSchools:
		if len(d.schools) == 0 {
			return math.NaN(), []string{"学校数据（本年度未导入）"}
		}
		var sum float64
		missing := 0
		for _, s := range d.schools {
			if q.Count {
				sum++
				continue
			}
			x, ok := schoolTerms(s, q.Terms)
			if !ok {
				missing++
				continue
			}
			sum += x
		}
		if missing > 0 {
			return sum, []string{fmt.Sprintf("%d 所学校未填报%s", missing, q.ZH())}
		}
		return sum, nil
	case standards.FromKindergartens:
		if len(d.kgs) == 0 {
			return math.NaN(), []string{"幼儿园数据（本年度未导入）"}
		}
		var sum float64
		missing := 0
		for _, k := range d.kgs {
			if len(q.Categories) > 0 && !slices.Contains(q.Categories, k.Category) {
				continue
			}
			if q.Count {
				sum++
				continue
			}
			x, ok := sumTerms(k.V[:], q.Terms)
			if !ok {
				missing++
				continue
			}
			sum += x
		}
		if missing > 0 {
			return sum, []string{fmt.Sprintf("%d 所幼儿园未填报%s", missing, q.ZH())}
		}
		return sum, nil
	}
	return math.NaN(), []string{q.Text}
}

// exactQuantity is quantity's value (all of it reported) summed exactly
// from the census decimals.
func (d *countyData) exactQuantity(q *standards.Quantity) *big.Rat {
	sum := new(big.Rat)
	switch q.From {
	case standards.FromCounty:
		return dec(d.rec.V[q.Terms[0].Index])
	case standards.FromSchools:
		for _, s := range d.schools {
			if q.Count {
				sum.Add(sum, big.NewRat(1, 1))
				continue
			}
			for _, t := range q.Terms {
				x := s.V[t.Index]
				if math.IsNaN(x) {
					continue // a stage the school does not have (schoolTerms)
				}
				sum.Add(sum, mul(dec(t.Sign), dec(x)))
			}
		}
	case standards.FromKindergartens:
		for _, k := range d.kgs {
			if len(q.Categories) > 0 && !slices.Contains(q.Categories, k.Category) {
				continue
			}
			if q.Count {
				sum.Add(sum, big.NewRat(1, 1))
				continue
			}
			for _, t := range q.Terms {
				sum.Add(sum, mul(dec(t.Sign), dec(k.V[t.Index])))
			}
		}
	}
	return sum
}

// schoolTerms sums terms over one school. A per-stage column of a stage the
// school does not have (a primary school's junior teachers) counts as 0
// when not reported; any other unreported column makes the sum unknown.
func schoolTerms(s *census.School, terms []standards.Term) (float64, bool) {
	var sum float64
	for _, t := range terms {
		x := s.V[t.Index]
		if math.IsNaN(x) {
			if st, ok := stageOfKey(t.Key); ok && !slices.Contains(s.Type.Stages(), st) {
				continue
			}
			return 0, false
		}
		sum += t.Sign * x
	}
	return sum, true
}

// stageOfKey returns the stage a per-stage column key ends with.
func stageOfKey(key string) (census.Stage, bool) {
	for _, st := range []census.Stage{census.StagePrimary, census.StageJunior, census.StageSenior} {
		if strings.HasSuffix(key, "_"+string(st)) {
			return st, true
		}
	}
	return "", false
}

func sumTerms(v []float64, terms []standards.Term) (float64, bool) {
	var s float64
	for _, t := range terms {
		x := v[t.Index]
		if math.IsNaN(x) {
			return 0, false
		}
		s += t.Sign * x
	}
	return s, true
}

// compulsoryStages returns the stages of a school type that the per-school
// rules count: a 完全中学's junior part only, as elsewhere.
func compulsoryStages(t census.SchoolType) []census.Stage {
	if t == census.Special {
		return nil
	}
	return t.Stages()
}

// stageSum sums the per-stage variants of family over stages; ok is false
// when one is not reported.
func stageSum(s *census.School, family string, stages []census.Stage) (float64, bool) {
	var sum float64
	for _, st := range stages {
		f, ok := census.StageField(family, st)
		if !ok || !s.Has(f) {
			return 0, false
		}
		sum += s.V[f]
	}
	return sum, true
}

// stageSumExact is stageSum summed exactly from the census decimals.
func stageSumExact(s *census.School, family string, stages []census.Stage) (*big.Rat, bool) {
	sum := new(big.Rat)
	for _, st := range stages {
		f, ok := census.StageField(family, st)
		if !ok || !s.Has(f) {
			return sum, false
		}
		sum.Add(sum, dec(s.V[f]))
	}
	return sum, true
}

// schoolRule applies a per-school rule to every school of the check's types.
func (d *countyData) schoolRule(c *standards.Check, cr *CheckResult) {
	if len(d.schools) == 0 {
		cr.pending("没有本年度的学校数据")
		return
	}
	missing := 0
	for _, s := range d.schools {
		if !slices.Contains(c.Types, s.Type) {
			continue
		}
		cr.Checked++
		iss := SchoolIssue{Code: s.Code, Name: s.Name, Type: s.Type, Value: math.NaN(), Limit: math.NaN()}
		fail := false
		stages := compulsoryStages(s.Type)
		switch c.Rule {
		case standards.RuleMusicArtRooms:
			classes, ok1 := stageSum(s, "classes", stages)
			music, ok2 := s.Get(census.MusicRoomsStandard)
			art, ok3 := s.Get(census.ArtRoomsStandard)
			if !ok1 || !ok2 || !ok3 {
				iss.Missing, iss.Text = true, "未填报班级数或达标音乐、美术专用教室数"
				break
			}
			per := c.Params["classes_per_room"]
			need := math.Max(1, ceilExact(classes/per, func() *big.Rat {
				n, _ := stageSumExact(s, "classes", stages)
				return n.Quo(n, dec(per))
			}))
			iss.Value, iss.Limit = math.Min(music, art), need
			if music < need || art < need {
				fail = true
				iss.Text = fmt.Sprintf("%g 个班应各有 %g 间，达标音乐教室 %g 间、美术教室 %g 间", classes, need, music, art)
				iss.Short = map[string]float64{}
				if music < need {
					iss.Short[census.Columns[census.MusicRoomsStandard].Key] = need - music
				}
				if art < need {
					iss.Short[census.Columns[census.ArtRoomsStandard].Key] = need - art
				}
			}
		case standards.RuleSchoolSize:
			students, ok := stageSum(s, "students", stages)
			if !ok {
				iss.Missing, iss.Text = true, "未填报在校生数"
				break
			}
			limit := c.TypeLimits[s.Type]
			iss.Value, iss.Limit = students, limit
			if (exactNum{v: students, cmpExact: func(b *big.Rat) int {
				n, _ := stageSumExact(s, "students", stages)
				return n.Cmp(b)
			}}).cmp(limit, func() *big.Rat { return dec(limit) }) > 0 {
				fail = true
				iss.Text = fmt.Sprintf("义务教育阶段在校生 %g 人，超过 %g 人", students, limit)
			}
		case standards.RuleClassSize:
			over, ok := stageSum(s, "oversize_classes", stages)
			if !ok {
				iss.Missing, iss.Text = true, "未填报超大班额班级数"
				break
			}
			iss.Value, iss.Limit = over, 0
			if over > 0 {
				fail = true
				iss.Text = fmt.Sprintf("超大班额 %g 个班", over)
			}
		case standards.RuleTrainingShare:
			pub, ok1 := s.Get(census.PublicFunds)
			tr, ok2 := s.Get(census.TrainingFunds)
			if !ok1 || !ok2 || pub == 0 {
				iss.Missing, iss.Text = true, "未填报公用经费或教师培训经费"
				break
			}
			iss.Value, iss.Limit = tr/pub, c.Threshold
			if cmpRatio(tr/pub, func() *big.Rat { return dec(tr) }, pub, 1, 1, c.Threshold) < 0 {
				fail = true
				iss.Text = fmt.Sprintf("教师培训经费 %s 元 ÷ 公用经费 %s 元 = %s，低于 %s", fmtCount(tr), fmtCount(pub),
					formatValue(tr/pub, true, ""), standards.FormatThreshold(c.Threshold, true, ""))
			}
		}
		switch {
		case iss.Missing:
			missing++
			cr.Schools = append(cr.Schools, iss)
		case fail:
			cr.Failed++
			cr.Schools = append(cr.Schools, iss)
		}
	}
	cr.Value = float64(cr.Failed)
	switch {
	case cr.Failed > 0:
		cr.Status = census.StatusNotMet
		cr.Text = fmt.Sprintf("%s：%d 所学校中 %d 所未达标", c.ZH, cr.Checked, cr.Failed)
		if missing > 0 {
			cr.Text += fmt.Sprintf("，另有 %d 所数据不全", missing)
		}
	case missing > 0:
		cr.Status = census.StatusPending
		cr.Text = fmt.Sprintf("%s：%d 所学校数据不全", c.ZH, missing)
		cr.Missing = []string{fmt.Sprintf("%d 所学校的数据", missing)}
	default:
		cr.Status = census.StatusMet
		cr.Text = fmt.Sprintf("%s：%d 所学校全部达标", c.ZH, cr.Checked)
	}
}

// resourceCheck judges the resource part of one stage from the engine's result.
func (d *countyData) resourceCheck(r *standards.Rules, c *standards.Check, cr *CheckResult) {
	var sr *StageResult
	if d.resource != nil {
		sr = d.resource.Stage(c.Stage)
	}
	if sr == nil || sr.Parts == 0 {
		cr.pending(c.Stage.ZH() + "：没有可计算的学校（部）")
		return
	}
	failingParts := 0
	for _, p := range d.resource.Parts {
		if p.Stage == c.Stage && !p.Excluded && !p.Pass && len(p.Missing) == 0 {
			failingParts++
		}
	}
	var badCV []string
	if r.Balance.Kind == standards.BalanceComposite {
		switch {
		case sr.CompositePass:
		case sr.MissingParts > 0:
			// waits for data: the stage status says so
		default:
			badCV = append(badCV, fmt.Sprintf("综合差异系数 %s > %.2f", fmtCV(sr.CompositeCV), sr.CompositeLim))
		}
	} else {
		for _, ir := range sr.Indicators {
			switch {
			case ir.Pass:
			case ir.Missing > 0:
				// waits for data
			default:
				badCV = append(badCV, fmt.Sprintf("%s %s > %.2f", ir.Indicator.ZH, fmtCV(ir.CV.CV), ir.Limit))
			}
		}
	}
	cr.Value = float64(failingParts)
	var parts []string
	parts = append(parts, fmt.Sprintf("%s学校（部）%d 个", c.Stage.ZH(), sr.Parts))
	if r.SchoolRule.MinMet > 0 {
		parts = append(parts, fmt.Sprintf("未达标 %d 个", failingParts))
	}
	if len(badCV) > 0 {
		parts = append(parts, "差异系数未达标："+strings.Join(badCV, "、"))
	}
	if sr.MissingParts > 0 {
		parts = append(parts, fmt.Sprintf("%d 个数据不全", sr.MissingParts))
	}
	cr.Status = sr.Status()
	if cr.Status == census.StatusPending {
		cr.Missing = []string{fmt.Sprintf("%d 个学校（部）的数据", sr.MissingParts)}
	}
	cr.Text = strings.Join(parts, "，") + "，" + cr.Status.ZH()
}

func fmtCV(v float64) string {
	if math.IsNaN(v) {
		return "无法计算"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// priorCVs judges the 基本均衡 composite CVs of the earlier years.
func (d *countyData) priorCVs(c *standards.Check, cr *CheckResult) {
	var statuses []census.Status
	var bad, missing []string
	for y := d.year - c.Years; y < d.year; y++ {
		py := PriorYear{Year: y}
		pc := d.prior[y]
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			lim, ok := c.Limits[st]
			if !ok {
				continue
			}
			ps := PriorStage{Stage: st, CV: math.NaN(), Limit: lim, Status: census.StatusPending}
			var sr *StageResult
			if pc != nil {
				sr = pc.Stage(st)
			}
			switch {
			case sr == nil || sr.Parts == 0:
				missing = append(missing, fmt.Sprintf("%d年%s", y, st.ZH()))
			case sr.MissingParts > 0 || math.IsNaN(sr.CompositeCV):
				ps.CV = sr.CompositeCV
				missing = append(missing, fmt.Sprintf("%d年%s（数据不全）", y, st.ZH()))
			default:
				ps.CV = sr.CompositeCV
				ps.Status = census.StatusMet
				if !sr.CompositeAtMost(lim) {
					ps.Status = census.StatusNotMet
					bad = append(bad, fmt.Sprintf("%d年%s %s > %.2f", y, st.ZH(), fmtCV(sr.CompositeCV), lim))
				}
			}
			statuses = append(statuses, ps.Status)
			py.Stages = append(py.Stages, ps)
		}
		cr.Years = append(cr.Years, py)
	}
	cr.Status = combine(statuses...)
	switch cr.Status {
	case census.StatusNotMet:
		cr.Text = fmt.Sprintf("%s：%s，未达标", c.ZH, strings.Join(bad, "、"))
	case census.StatusPending:
		cr.Text = fmt.Sprintf("%s：缺少 %s 的学校数据", c.ZH, strings.Join(missing, "、"))
		cr.Missing = missing
	default:
		cr.Text = fmt.Sprintf("%s：%d–%d年均在上限以内，达标", c.ZH, d.year-c.Years, d.year-1)
	}
}

// kgResult computes one kindergarten's figures.
func kgResult(k *census.Kindergarten) *KgResult {
	kr := &KgResult{Code: k.Code, Name: k.Name, Location: k.Location, Category: k.Category,
		Children: k.V[census.KgChildren], Teachers: k.V[census.KgTeachers], ChildrenPerTeacher: math.NaN(),
		CertifiedShare: math.NaN(), PrincipalCertified: k.V[census.KgPrincipalCertified]}
	var ok bool
	if kr.Classes, ok = k.Classes(); !ok {
		kr.Classes = math.NaN()
		kr.Missing = append(kr.Missing, "班数")
	}
	if kr.Oversize, ok = k.Oversize(); !ok {
		kr.Oversize = math.NaN()
		kr.Missing = append(kr.Missing, "超班额班数")
	}
	if kr.Teachers > 0 && !math.IsNaN(kr.Children) {
		kr.ChildrenPerTeacher = kr.Children / kr.Teachers
	}
	if c, ok := k.Get(census.KgCertifiedTeachers); ok && kr.Teachers > 0 {
		kr.CertifiedShare = c / kr.Teachers
	}
	for _, f := range []census.KgField{census.KgChildren, census.KgTeachers, census.KgCertifiedTeachers, census.KgPrincipalCertified} {
		if !k.Has(f) {
			kr.Missing = append(kr.Missing, census.KindergartenColumns[f].ZH)
		}
	}
	return kr
}

// AddSources adds src (by county code and item id) to in.Sources.
func (in *Inputs) AddSources(src map[string]map[string]string) {
	for county, m := range src {
		if in.Sources == nil {
			in.Sources = map[string]map[string]string{}
		}
		if in.Sources[county] == nil {
			in.Sources[county] = map[string]string{}
		}
		for id, note := range m {
			in.Sources[county][id] = note
		}
	}
}
