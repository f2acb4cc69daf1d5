package standards

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// Subjects: which records a standard evaluates.
const (
	SubjectCompulsory = "compulsory" // school records (yzjh2017, jbjh2012)
	SubjectPreschool  = "preschool"  // kindergarten records (xqpp2020)
)

// Parts of a standard. A county is recognised only when every item of every
// part is met and no veto applies (项项达标, 一票否决).
const (
	PartPrecondition = "precondition" // 申报前提
	PartResource     = "resource"     // 资源配置 (the school indicators)
	PartHeadline     = "headline"     // 普及普惠水平 (xqpp2020)
	PartGovernment   = "government"   // 政府保障程度
	PartQuality      = "quality"      // 教育质量 / 保教质量
	PartRecognition  = "recognition"  // 社会认可度
	PartVeto         = "veto"         // 一票否决
)

// Parts lists the parts in the order a report shows them, with their names.
var Parts = []struct{ ID, ZH, EN string }{
	{PartPrecondition, "申报前提", "Precondition"},
	{PartResource, "资源配置", "Resource allocation"},
	{PartHeadline, "普及普惠水平", "Universal and inclusive access"},
	{PartGovernment, "政府保障程度", "Government support"},
	{PartQuality, "教育质量", "Education quality"},
	{PartRecognition, "社会认可度", "Social recognition"},
	{PartVeto, "一票否决", "Veto items"},
}

// PartZH returns the Chinese name of part id.
func PartZH(id string) string {
	for _, p := range Parts {
		if p.ID == id {
			return p.ZH
		}
	}
	return id
}

// Check kinds: the few rules in code; every number is in the data.
const (
	// CheckRatio: Num ÷ Den against Threshold (e.g. 交流轮岗教师 ÷ 符合条件教师 ≥ 10 %).
	CheckRatio = "ratio"
	// CheckValue: one figure against Threshold (e.g. 特教生均公用经费 ≥ 6 000 元).
	CheckValue = "value"
	// CheckSchools: a rule every school must pass (Rule names which); met
	// when no school fails.
	CheckSchools = "schools"
	// CheckYearsSince: the evaluation year minus a year figure (Num) against
	// Threshold (基本均衡 recognised ≥ 3 years earlier).
	CheckYearsSince = "years_since"
	// CheckPriorCVs: the 基本均衡 composite CVs of the Years years before the
	// evaluation year, each within Limits (Chongqing's precondition).
	CheckPriorCVs = "prior_basic_cvs"
	// CheckResource: the resource part of one stage (Stage) as the engine
	// judges it: every school part passes and the CV rule holds.
	CheckResource = "resource"
)

// Per-school rules of CheckSchools.
const (
	// RuleMusicArtRooms: standard-size music rooms and art rooms each ≥
	// max(1, ceil(classes ÷ Params["classes_per_room"])).
	RuleMusicArtRooms = "music_art_rooms"
	// RuleSchoolSize: compulsory-stage students ≤ TypeLimits[type].
	RuleSchoolSize = "school_size"
	// RuleClassSize: over-size classes (小学 > 45, 初中 > 50, as reported) = 0.
	RuleClassSize = "class_size"
	// RuleTrainingShare: training_funds ÷ public_funds ≥ Threshold.
	RuleTrainingShare = "training_share"
)

// Item is one item of a standard beyond the resource indicators: a 政府保障
// or 教育质量 item, social recognition, a veto or the precondition.
type Item struct {
	ID   string `json:"id"`
	Part string `json:"part"`
	No   int    `json:"no"` // its number in the document's list, 0 when none
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// Rule states the requirement in the document's words.
	Rule string `json:"rule"`
	// Evidence items are judged by people (met, not met), with evidence
	// files; an item may have both checks and evidence.
	Evidence bool `json:"evidence"`
	// Veto: failing the item vetoes recognition (一票否决). For a veto item
	// judged by people, "met" means the situation did not occur.
	Veto bool `json:"veto"`
	// Confidence is the tag of standards.md: V, N or P.
	Confidence string  `json:"confidence"`
	Checks     []Check `json:"checks"`
}

// Check is one computed condition of an item.
type Check struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	ZH   string `json:"zh"`
	// Num and Den are quantities (see Quantity) for ratio and value checks;
	// Num is the year figure of a years_since check.
	Num string `json:"num,omitempty"`
	Den string `json:"den,omitempty"`
	// Op is how the value compares with Threshold: >=, <=, < or >.
	Op        string  `json:"op,omitempty"`
	Threshold float64 `json:"threshold"`
	// Percent shows the value and threshold × 100 with a % sign.
	Percent bool   `json:"percent,omitempty"`
	Unit    string `json:"unit,omitempty"`
	// Vacuous: a ratio whose denominator is 0 is met (nothing to check,
	// e.g. no migrant children), rather than pending.
	Vacuous bool `json:"vacuous,omitempty"`
	// Rule, Types, TypeLimits and Params configure a schools check.
	Rule       string                        `json:"rule,omitempty"`
	Types      []census.SchoolType           `json:"types,omitempty"`
	TypeLimits map[census.SchoolType]float64 `json:"type_limits,omitempty"`
	Params     map[string]float64            `json:"params,omitempty"`
	// Stage is the stage of a resource check.
	Stage census.Stage `json:"stage,omitempty"`
	// Years, Limits and Standard configure a prior_basic_cvs check.
	Years    int                      `json:"years,omitempty"`
	Limits   map[census.Stage]float64 `json:"limits,omitempty"`
	Standard string                   `json:"standard,omitempty"`
	Note     string                   `json:"note,omitempty"`

	// NumQ and DenQ are Num and Den parsed.
	NumQ *Quantity `json:"-"`
	DenQ *Quantity `json:"-"`
}

// Sources of a quantity.
const (
	FromCounty        = "county"
	FromSchools       = "schools"
	FromKindergartens = "kindergartens"
)

// Quantity is a figure a check reads: one county-record column, or a sum
// over the county's school or kindergarten records of columns added or
// subtracted, optionally only over kindergartens of some categories. It is
// written in the data as, e.g.
//
//	county.special_ed_funding
//	schools.teachers_primary+teachers_junior
//	kindergartens.children[public,inclusive_private]
//	kindergartens.classes_small-oversize_small
//	kindergartens.count            (the number of kindergartens)
type Quantity struct {
	Text       string
	From       string
	Terms      []Term
	Categories []census.Category
	Count      bool // kindergartens.count / schools.count
}

// Term is one column of a quantity with its sign.
type Term struct {
	Key   string
	Index int     // the column's index in its table
	Sign  float64 // +1 or −1
	ZH    string
}

// ParseQuantity parses the quantity syntax of Quantity.
func ParseQuantity(s string) (*Quantity, error) {
	q := &Quantity{Text: s}
	from, rest, ok := strings.Cut(s, ".")
	if !ok {
		return nil, fmt.Errorf("quantity %q: want source.column", s)
	}
	q.From = from
	if i := strings.IndexByte(rest, '['); i >= 0 {
		if !strings.HasSuffix(rest, "]") || from != FromKindergartens {
			return nil, fmt.Errorf("quantity %q: a [category,…] filter applies to kindergartens only", s)
		}
		for _, c := range strings.Split(rest[i+1:len(rest)-1], ",") {
			cat := census.Category(strings.TrimSpace(c))
			if cat.ZH() == string(cat) {
				return nil, fmt.Errorf("quantity %q: unknown category %q", s, cat)
			}
			q.Categories = append(q.Categories, cat)
		}
		rest = rest[:i]
	}
	if rest == "count" && from != FromCounty {
		q.Count = true
		return q, nil
	}
	sign := 1.0
	for rest != "" {
		j := strings.IndexAny(rest, "+-")
		tok := rest
		next := ""
		if j >= 0 {
			tok, next = rest[:j], rest[j:]
		}
		t := Term{Key: tok, Sign: sign, Index: -1}
		switch from {
		case FromCounty:
			if i := census.CountyTable.Index(tok); i >= 0 {
				t.Index, t.ZH = i, census.CountyColumns[i].ZH
			}
		case FromSchools:
			if f, ok := census.FieldByKey(tok); ok {
				t.Index, t.ZH = int(f), census.Columns[f].ZH
			}
		case FromKindergartens:
			if i := census.KindergartenTable.Index(tok); i >= 0 {
				t.Index, t.ZH = i, census.KindergartenColumns[i].ZH
			}
		default:
			return nil, fmt.Errorf("quantity %q: unknown source %q (county, schools or kindergartens)", s, from)
		}
		if t.Index < 0 {
			return nil, fmt.Errorf("quantity %q: %s records have no column %q", s, from, tok)
		}
		q.Terms = append(q.Terms, t)
		if next == "" {
			break
		}
		sign = 1
		if next[0] == '-' {
			sign = -1
		}
		rest = next[1:]
		if rest == "" {
			return nil, fmt.Errorf("quantity %q: ends with an operator", s)
		}
	}
	if from == FromCounty && len(q.Terms) != 1 {
		return nil, fmt.Errorf("quantity %q: a county quantity is one column", s)
	}
	return q, nil
}

// ZH describes the quantity in Chinese, e.g. 在园幼儿数（公办、普惠性民办）.
func (q *Quantity) ZH() string {
	var b strings.Builder
	if q.Count {
		switch q.From {
		case FromKindergartens:
			b.WriteString("幼儿园数")
		default:
			b.WriteString("学校数")
		}
	}
	for i, t := range q.Terms {
		if i > 0 {
			if t.Sign < 0 {
				b.WriteString("－")
			} else {
				b.WriteString("＋")
			}
		}
		b.WriteString(t.ZH)
	}
	if len(q.Categories) > 0 {
		var zh []string
		for _, c := range q.Categories {
			zh = append(zh, c.ZH())
		}
		b.WriteString("（" + strings.Join(zh, "、") + "）")
	}
	return b.String()
}

// Unit returns the unit of the quantity's first column, "" when none.
func (q *Quantity) Unit() string {
	if q.Count {
		return "所"
	}
	if len(q.Terms) == 0 {
		return ""
	}
	switch q.From {
	case FromCounty:
		return census.CountyColumns[q.Terms[0].Index].Unit
	case FromSchools:
		return census.Columns[q.Terms[0].Index].Unit
	}
	return census.KindergartenColumns[q.Terms[0].Index].Unit
}

// ItemOverride is what a profile changes in one item.
type ItemOverride struct {
	// Checks changes existing checks, by check id.
	Checks map[string]CheckOverride `json:"checks"`
	// AddChecks adds checks (Chongqing's CV condition on the precondition).
	AddChecks []Check `json:"add_checks"`
	Rule      string  `json:"rule"`
}

// CheckOverride changes a check's figures.
type CheckOverride struct {
	ZH        string   `json:"zh"`
	Num       string   `json:"num"`
	Den       string   `json:"den"`
	Op        string   `json:"op"`
	Threshold *float64 `json:"threshold"`
	Percent   *bool    `json:"percent"`
	Unit      *string  `json:"unit"`
	Note      string   `json:"note"`
}

// Scope says which schools a standard counts for its indicators.
type Scope struct {
	// ExcludePrivate leaves 民办 schools out (基本均衡 did; 优质均衡 does not).
	ExcludePrivate bool `json:"exclude_private"`
	// ExcludeNotCountyRun leaves out schools whose 举办者 is above the county.
	ExcludeNotCountyRun bool `json:"exclude_not_county_run"`
}

// OutOfScope returns why a school is outside the standard's scope, or "".
func (r *Rules) OutOfScope(s *census.School) string {
	switch {
	case r.Scope.ExcludePrivate && census.IsPrivate(s.Ownership):
		return fmt.Sprintf("民办学校不纳入%s计算", r.Name)
	case r.Scope.ExcludeNotCountyRun && !census.CountyRun(s.Sponsor):
		return fmt.Sprintf("举办者为“%s”，非县级举办，不纳入%s计算", s.Sponsor, r.Name)
	}
	return ""
}

// Item returns the item with id, or nil.
func (r *Rules) Item(id string) *Item {
	for i := range r.Items {
		if r.Items[i].ID == id {
			return &r.Items[i]
		}
	}
	return nil
}

// PriorCVs returns the prior_basic_cvs check of the rules, or nil: the
// caller must then supply the earlier years' 基本均衡 evaluation.
func (r *Rules) PriorCVs() *Check {
	for i := range r.Items {
		for j := range r.Items[i].Checks {
			if c := &r.Items[i].Checks[j]; c.Kind == CheckPriorCVs {
				return c
			}
		}
	}
	return nil
}

var ops = []string{">=", "<=", "<", ">"}

// prepare validates an item and parses its quantities.
func (it *Item) prepare(s *Standard) error {
	if it.ID == "" || it.ZH == "" {
		return fmt.Errorf("an item needs an id and a Chinese name")
	}
	if PartZH(it.Part) == it.Part {
		return fmt.Errorf("item %s: unknown part %q", it.ID, it.Part)
	}
	if !it.Evidence && len(it.Checks) == 0 {
		return fmt.Errorf("item %s: neither evidence nor checks", it.ID)
	}
	seen := map[string]bool{}
	for j := range it.Checks {
		c := &it.Checks[j]
		if c.ID == "" || seen[c.ID] {
			return fmt.Errorf("item %s: check ids must be present and unique (%q)", it.ID, c.ID)
		}
		seen[c.ID] = true
		if err := c.prepare(s); err != nil {
			return fmt.Errorf("item %s check %s: %w", it.ID, c.ID, err)
		}
	}
	return nil
}

func (c *Check) prepare(s *Standard) error {
	var err error
	c.NumQ, c.DenQ = nil, nil
	if c.Num != "" {
		if c.NumQ, err = ParseQuantity(c.Num); err != nil {
			return err
		}
	}
	if c.Den != "" {
		if c.DenQ, err = ParseQuantity(c.Den); err != nil {
			return err
		}
	}
	needOp := true
	switch c.Kind {
	case CheckRatio:
		if c.NumQ == nil || c.DenQ == nil {
			return fmt.Errorf("a ratio needs num and den")
		}
	case CheckValue, CheckYearsSince:
		if c.NumQ == nil || c.DenQ != nil {
			return fmt.Errorf("a %s check needs num and no den", c.Kind)
		}
		if c.Kind == CheckYearsSince && c.NumQ.From != FromCounty {
			return fmt.Errorf("years_since reads a county figure")
		}
	case CheckSchools:
		needOp = false
		switch c.Rule {
		case RuleMusicArtRooms:
			if c.Params["classes_per_room"] <= 0 {
				return fmt.Errorf("music_art_rooms needs params.classes_per_room")
			}
		case RuleSchoolSize:
			if len(c.TypeLimits) == 0 {
				return fmt.Errorf("school_size needs type_limits")
			}
			c.Types = nil
			for t := range c.TypeLimits {
				c.Types = append(c.Types, t)
			}
			slices.Sort(c.Types)
		case RuleClassSize:
		case RuleTrainingShare:
			if c.Threshold <= 0 {
				return fmt.Errorf("training_share needs a threshold")
			}
		default:
			return fmt.Errorf("unknown school rule %q", c.Rule)
		}
		if len(c.Types) == 0 {
			return fmt.Errorf("a schools check needs types")
		}
		for _, t := range c.Types {
			if t.ZH() == string(t) {
				return fmt.Errorf("unknown school type %q", t)
			}
		}
	case CheckPriorCVs:
		needOp = false
		if c.Years <= 0 || len(c.Limits) == 0 || c.Standard == "" {
			return fmt.Errorf("prior_basic_cvs needs years, limits and standard")
		}
	case CheckResource:
		needOp = false
		if !slices.Contains(s.Stages, c.Stage) {
			return fmt.Errorf("resource check of stage %q, which the standard has not", c.Stage)
		}
	default:
		return fmt.Errorf("unknown check kind %q", c.Kind)
	}
	if needOp && !slices.Contains(ops, c.Op) {
		return fmt.Errorf("op %q: want one of %v", c.Op, ops)
	}
	return nil
}

// OpZH writes an operator as a report does.
func OpZH(op string) string {
	switch op {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	}
	return op
}

// cloneItems copies items deeply enough that a profile can change them.
func cloneItems(items []Item) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		it.Checks = slices.Clone(it.Checks)
		out[i] = it
	}
	return out
}

// applyItems applies a profile's item overrides to r, recording what changed.
func (r *Rules) applyItems(pid string, o Override) error {
	for _, id := range slices.Sorted(maps.Keys(o.Items)) {
		io := o.Items[id]
		it := r.Item(id)
		if it == nil {
			return fmt.Errorf("profile %s: %s has no item %q", pid, r.ID, id)
		}
		if io.Rule != "" {
			it.Rule = io.Rule
		}
		for _, cid := range slices.Sorted(maps.Keys(io.Checks)) {
			co := io.Checks[cid]
			var c *Check
			for j := range it.Checks {
				if it.Checks[j].ID == cid {
					c = &it.Checks[j]
				}
			}
			if c == nil {
				return fmt.Errorf("profile %s: item %s has no check %q", pid, id, cid)
			}
			before := c.describe()
			if co.ZH != "" {
				c.ZH = co.ZH
			}
			if co.Num != "" {
				c.Num = co.Num
			}
			if co.Den != "" {
				c.Den = co.Den
			}
			if co.Op != "" {
				c.Op = co.Op
			}
			if co.Threshold != nil {
				c.Threshold = *co.Threshold
			}
			if co.Percent != nil {
				c.Percent = *co.Percent
			}
			if co.Unit != nil {
				c.Unit = *co.Unit
			}
			if co.Note != "" {
				c.Note = co.Note
			}
			if err := c.prepare(&r.Standard); err != nil {
				return fmt.Errorf("profile %s: item %s check %s: %w", pid, id, cid, err)
			}
			if after := c.describe(); after != before {
				r.Changed = append(r.Changed, fmt.Sprintf("%s：%s → %s", it.ZH, before, after))
			}
		}
		for _, c := range io.AddChecks {
			if err := c.prepare(&r.Standard); err != nil {
				return fmt.Errorf("profile %s: item %s check %s: %w", pid, id, c.ID, err)
			}
			it.Checks = append(it.Checks, c)
			r.Changed = append(r.Changed, fmt.Sprintf("%s：增加条件 %s", it.ZH, c.describe()))
		}
	}
	for _, it := range o.ExtraItems {
		if r.Item(it.ID) != nil {
			return fmt.Errorf("profile %s: extra item %q exists already", pid, it.ID)
		}
		it.Checks = slices.Clone(it.Checks)
		if err := it.prepare(&r.Standard); err != nil {
			return fmt.Errorf("profile %s: %w", pid, err)
		}
		r.Items = append(r.Items, it)
		r.Changed = append(r.Changed, fmt.Sprintf("增加%s项目：%s", PartZH(it.Part), it.ZH))
	}
	if o.Scope != nil && *o.Scope != r.Scope {
		r.Scope = *o.Scope
		r.Changed = append(r.Changed, fmt.Sprintf("学校范围：排除民办 %v，排除非县级举办 %v", r.Scope.ExcludePrivate, r.Scope.ExcludeNotCountyRun))
	}
	return nil
}

// describe writes a check's condition in Chinese, e.g.
// 交流轮岗的骨干教师数 ÷ 交流轮岗教师数 ≥ 20%.
func (c *Check) describe() string {
	th := FormatThreshold(c.Threshold, c.Percent, c.Unit)
	name := c.ZH
	switch c.Kind {
	case CheckRatio:
		return fmt.Sprintf("%s（%s ÷ %s）%s %s", name, c.NumQ.ZH(), c.DenQ.ZH(), OpZH(c.Op), th)
	case CheckValue:
		return fmt.Sprintf("%s %s %s", c.NumQ.ZH(), OpZH(c.Op), th)
	case CheckYearsSince:
		return fmt.Sprintf("评估年度 − %s %s %s", c.NumQ.ZH(), OpZH(c.Op), th)
	case CheckPriorCVs:
		var lims []string
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			if v, ok := c.Limits[st]; ok {
				lims = append(lims, fmt.Sprintf("%s ≤ %.2f", st.ZH(), v))
			}
		}
		return fmt.Sprintf("前%d年基本均衡综合差异系数 %s", c.Years, strings.Join(lims, "，"))
	}
	return name
}

// Describe is the public form of describe: the check's condition in Chinese.
func (c *Check) Describe() string { return c.describe() }

// FormatThreshold writes a threshold as a report shows it: 85% or 6000 元/生.
func FormatThreshold(v float64, percent bool, unit string) string {
	if percent {
		return FormatProduct(v, 100, -1) + "%"
	}
	s := fmt.Sprintf("%g", v)
	if unit != "" && unit != "%" {
		s += " " + unit
	} else if unit == "%" {
		s += "%"
	}
	return s
}

// FormatProduct writes a × b computed on the decimals a and b stand for
// (the shortest decimals that read back as them), never on their binary
// values: 0.85 × 4.2 is 3.57, not 3.5700000000000003; 0.85 × 5.3 is 4.505.
// With d ≥ 0 the product is rounded half-up to d decimals (4.505 → 4.51);
// with d < 0 it is written in full, as short as exact.
func FormatProduct(a, b float64, d int) string {
	ra, ok1 := new(big.Rat).SetString(strconv.FormatFloat(a, 'g', -1, 64))
	rb, ok2 := new(big.Rat).SetString(strconv.FormatFloat(b, 'g', -1, 64))
	if !ok1 || !ok2 {
		return strconv.FormatFloat(a*b, 'g', -1, 64)
	}
	x := ra.Mul(ra, rb)
	if d >= 0 {
		// FloatString rounds the last digit half away from zero, on the
		// exact rational.
		return x.FloatString(d)
	}
	// A product of two finite decimals is a finite decimal; 60 digits
	// hold the fraction of any product of thresholds and factors.
	s := x.FloatString(60)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
