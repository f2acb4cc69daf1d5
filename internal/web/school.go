package web

import (
	"math"
	"net/http"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

type schoolPage struct {
	*Base
	*choice
	Q         []any
	School    census.School
	County    *eval.County
	Parts     []schoolPart
	History   []historyRow
	Years     []int // years with a record of the school
	CanEdit   bool
	CanCounty bool // the account sees the county page
	Fields    []fieldRow
	// Issues are the whole standard's per-school rules (学校规模, 班额, …)
	// the school fails or lacks data for: passing the resource part's
	// school rule is not passing them.
	Issues []schoolIssue
}

// schoolIssue is one per-school rule of the whole standard the school
// fails (or lacks the data of).
type schoolIssue struct {
	Item  *standards.Item
	Check *standards.Check
	eval.SchoolIssue
}

type schoolPart struct {
	Part *eval.Part
	Rows []valueRow
	// Share is the part's share of shared totals of a mixed school, 0 for
	// a one-stage school.
	Share float64
	Basis string
}

type valueRow struct {
	Ind       *standards.Indicator
	Value     float64
	Threshold float64
	Ratio     float64
	Cls       string
	Raw       float64
	// Need is what the part lacks (in the raw unit); WholeNeed what the
	// whole school must add when a shared total is split by share.
	Need      float64
	WholeNeed float64
	Source    string // how the raw figure reached the part: own, given, derived, split
	Bar       int    // width of the bar, percent of the threshold (capped)
}

type historyRow struct {
	store.Change
	School string // for county history: the school's name
}

type fieldRow struct {
	Key   string
	Value float64
	Unit  string
}

// schoolPage serves GET /school/{code}?year=: the school's values against
// the thresholds per part, what each threshold takes, the split of a mixed
// school, its record and the history of its data.
func (s *Server) schoolPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "school")
	code := r.PathValue("code")
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rec, err := s.st.School(r.Context(), c.Year, code)
	if err != nil {
		// The school may exist in another year only: look before refusing.
		return notFound("error.no_school", code, c.Year)
	}
	if !b.Scope.School(rec.CountyCode, rec.Code) {
		return notFound("error.no_school", code, c.Year) // as a missing school
	}
	cty, err := s.cache.county(r.Context(), c.Rules, c.Year, rec.CountyCode)
	if err != nil {
		return err
	}
	p := &schoolPage{Base: b, choice: c, Q: c.Query(s), School: rec, County: cty,
		CanEdit: b.Scope.EditSchool(rec.CountyCode, rec.Code), CanCounty: b.Scope.County(rec.CountyCode)}
	for _, st := range rec.Type.Stages() {
		part := cty.Part(code, st)
		if part == nil {
			continue
		}
		p.Parts = append(p.Parts, s.schoolPart(c.Rules, part))
	}
	if !c.Rules.Preschool() && len(c.Rules.Items) > 0 {
		whole, err := s.wholeCounty(r.Context(), c.Rules, c.Year, rec.CountyCode)
		if err != nil {
			return err
		}
		for _, it := range whole.Verdict.Items {
			for _, cr := range it.Checks {
				for _, iss := range cr.Schools {
					if iss.Code == code {
						p.Issues = append(p.Issues, schoolIssue{Item: it.Item, Check: cr.Check, SchoolIssue: iss})
					}
				}
			}
		}
	}
	hist, err := s.st.History(r.Context(), c.Year, code)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		p.History = append(p.History, historyRow{Change: hist[i]})
	}
	for _, y := range c.Years {
		if y == c.Year {
			p.Years = append(p.Years, y)
			continue
		}
		if _, err := s.st.School(r.Context(), y, code); err == nil {
			p.Years = append(p.Years, y)
		}
	}
	for f := census.Field(0); f < census.NumFields; f++ {
		if rec.Has(f) {
			p.Fields = append(p.Fields, fieldRow{Key: census.Columns[f].Key, Value: rec.V[f], Unit: census.Columns[f].Unit})
		}
	}
	b.Title = rec.Name
	s.render(w, r, http.StatusOK, "school", p)
	return nil
}

// IssueText says what the school lacks for a per-school rule: the
// evaluation's sentence in Chinese, its figure against the limit in English.
func (p *schoolPage) IssueText(iss schoolIssue) string {
	if !p.EN() {
		return iss.Text
	}
	if iss.Missing {
		return p.T("school.issue.missing")
	}
	return p.T("school.issue.figure", fmtFixed(iss.Value), fmtFixed(iss.Limit))
}

// schoolPart lays out one part's values against the thresholds.
func (s *Server) schoolPart(rules *standards.Rules, part *eval.Part) schoolPart {
	sp := schoolPart{Part: part}
	if part.Split != nil {
		sp.Share, sp.Basis = part.Split.Share, part.Split.Basis
	}
	if part.Excluded {
		return sp
	}
	for k := range rules.Indicators {
		ind := &rules.Indicators[k]
		th := ind.Thresholds[part.Stage]
		v := part.Values[k]
		row := valueRow{Ind: ind, Value: v, Threshold: th, Ratio: v / th, Raw: part.Raw[k],
			Cls: partClass(part, ind.ID, v), Need: math.NaN(), WholeNeed: math.NaN(), Source: "own"}
		if !math.IsNaN(v) {
			row.Bar = int(math.Min(100, math.Max(0, v/th*100/1.5)))
		}
		if part.Split != nil && ind.Kind == standards.KindFacility {
			switch {
			case slices.Contains(part.Split.Given, ind.ID):
				row.Source = "given"
			case slices.Contains(part.Split.Derived, ind.ID):
				row.Source = "derived"
			default:
				row.Source = "split"
			}
		}
		for _, sf := range part.Shortfalls {
			if sf.Indicator == ind.ID {
				row.Need = sf.Need
				if row.Source == "split" && part.Split.Share > 0 {
					row.WholeNeed = sf.Need / part.Split.Share
					if census.Columns[mustField(ind.Source)].Integer {
						row.WholeNeed = math.Ceil(row.WholeNeed - 1e-9)
					}
				}
			}
		}
		sp.Rows = append(sp.Rows, row)
	}
	return sp
}

func mustField(key string) census.Field {
	f, _ := census.FieldByKey(key)
	return f
}

// Weight returns a stage's split weight, for the split sentence.
func (sp schoolPart) Weight(st census.Stage) float64 {
	if sp.Part.Split == nil {
		return math.NaN()
	}
	w, ok := sp.Part.Split.Weights[st]
	if !ok {
		return math.NaN()
	}
	return w
}

// Need formats what a row lacks: "+3 名…", "+120 ㎡ …", "+¥45,000 …".
func (b *Base) Need(row valueRow) string {
	if math.IsNaN(row.Need) || row.Need <= 0 {
		return ""
	}
	amount := fmtFixed(math.Round(row.Need*100) / 100)
	if row.Ind.Source == "equipment_value" {
		amount = fmtMoney(row.Need)
	}
	out := b.T("need."+row.Ind.ID, amount)
	if !math.IsNaN(row.WholeNeed) {
		whole := fmtFixed(math.Round(row.WholeNeed*100) / 100)
		if row.Ind.Source == "equipment_value" {
			whole = fmtMoney(row.WholeNeed)
		}
		out += b.T("need.whole", whole)
	}
	return out
}
