package web

import (
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// The preschool section of a county (学前教育普及普惠) and the page of one
// kindergarten.

type preschoolPage struct {
	*Base
	*choice
	County        *eval.County
	Headline      []*eval.ItemResult
	Kindergartens []*eval.KgResult
	Resident      float64 // resident children aged 3–5, NaN when not reported
	Children      float64
	ByCategory    []categoryCount
	Profile       string
	// WhyNot names the items the county fails or awaits, as the overview
	// does: the three ratios may all be met while other items are not.
	WhyNot string
}

type categoryCount struct {
	Category census.Category
	Count    int
	Children float64
	Share    float64
}

// preschoolPage serves GET /county/{code}/preschool?year=: the three
// headline ratios of xqpp2020 and every kindergarten of the county.
func (s *Server) preschoolPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	if !c.Rules.Preschool() {
		if c.Rules, err = standards.Resolve("xqpp2020", c.Profile); err != nil {
			return badRequest("error.rules", "xqpp2020", c.Profile)
		}
		c.Standard = c.Rules.ID
	}
	cty, err := s.wholeCounty(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return err
	}
	p := &preschoolPage{Base: b, choice: c, County: cty, Kindergartens: cty.Verdict.Kindergartens, Resident: math.NaN(), Profile: c.Profile,
		WhyNot: verdictReason(b, cty.Verdict)}
	for _, id := range []string{"gross_enrollment", "inclusive_coverage", "public_share"} {
		if it := cty.Verdict.Item(id); it != nil {
			p.Headline = append(p.Headline, it)
		}
	}
	if rec, err := s.st.CountyRecord(r.Context(), c.Year, code); err == nil {
		p.Resident = rec.V[census.CResidentChildren3to5]
	}
	for _, cat := range census.Categories {
		cc := categoryCount{Category: cat.Category}
		for _, k := range p.Kindergartens {
			if k.Category == cat.Category {
				cc.Count++
				if !math.IsNaN(k.Children) {
					cc.Children += k.Children
				}
			}
		}
		p.Children += cc.Children
		p.ByCategory = append(p.ByCategory, cc)
	}
	for i := range p.ByCategory {
		p.ByCategory[i].Share = math.NaN()
		if p.Children > 0 {
			p.ByCategory[i].Share = p.ByCategory[i].Children / p.Children
		}
	}
	b.Title = cty.Name + " · " + b.T("preschool.title") + " · " + strconv.Itoa(c.Year)
	s.render(w, r, http.StatusOK, "preschool", p)
	return nil
}

// Category names a kindergarten category in the page's language.
func (b *Base) Category(c census.Category) string {
	if b.EN() {
		return b.T("category." + string(c))
	}
	return c.ZH()
}

type kindergartenPage struct {
	*Base
	Year         int
	Years        []int
	K            census.Kindergarten
	Figures      *eval.KgResult
	Fields       []unitField
	History      []store.Change
	CanCounty    bool
	Oversize     float64
	HasOversize  bool
	CountyRecord bool
}

// unitField is one numeric column of a kindergarten or county record.
type unitField struct {
	Col   census.Column
	Value float64
}

// kindergartenPage serves GET /kindergarten/{code}?year=: one kindergarten's
// figures, what the preschool standard reads of them, and their history.
func (s *Server) kindergartenPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	ctx := r.Context()
	years, err := s.st.UnitYears(ctx, store.KindKindergarten)
	if err != nil {
		return err
	}
	if len(years) == 0 {
		return notFound("error.no_data")
	}
	year := years[len(years)-1]
	if v := r.URL.Query().Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(years, y) {
			return notFound("error.no_year", v)
		}
		year = y
	}
	k, err := s.st.Kindergarten(ctx, year, code)
	if err != nil {
		return err
	}
	if !b.Scope.County(k.CountyCode) {
		return errOutOfScope
	}
	p := &kindergartenPage{Base: b, Year: year, Years: years, K: k, CanCounty: true}
	rules, err := standards.Resolve("xqpp2020", s.inForce().Profile)
	if err != nil {
		return err
	}
	res := eval.EvaluateWhole(rules, year, eval.Inputs{Kindergartens: []census.Kindergarten{k}})
	if len(res.Counties) == 1 && len(res.Counties[0].Verdict.Kindergartens) == 1 {
		p.Figures = res.Counties[0].Verdict.Kindergartens[0]
	}
	for i, c := range census.KindergartenColumns {
		p.Fields = append(p.Fields, unitField{Col: c, Value: k.V[i]})
	}
	if p.History, err = s.st.UnitHistory(ctx, store.KindKindergarten, year, code); err != nil {
		return err
	}
	b.Title = k.Name + " · " + strconv.Itoa(year)
	s.render(w, r, http.StatusOK, "kindergarten", p)
	return nil
}

// UnitCol names a column of a kindergarten or county record: its Chinese
// name; in English its col.<key> message, or while there is none the key
// beside the Chinese name.
func (b *Base) UnitCol(key string) string {
	if k := "col." + key; b.EN() && i18n.Has(b.Lang, k) {
		return b.T(k)
	}
	for _, t := range []*census.Table{&census.KindergartenTable, &census.CountyTable} {
		if i := t.Index(key); i >= 0 {
			if b.EN() {
				// No English name yet: the key tells a reader more
				// than the Chinese alone.
				return key + " · " + t.Num[i].ZH
			}
			return t.Num[i].ZH
		}
		for _, c := range t.Text {
			if c.Key == key {
				return c.ZH
			}
		}
	}
	return key
}

// ColDecimals is how many decimals a column's values show: none for counts.
func (b *Base) ColDecimals(c census.Column) int {
	if c.Integer {
		return 0
	}
	return 2
}
