package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/standards"
)

// choice is what a page shows: which year, under which rules.
type choice struct {
	Year     int
	Years    []int
	Standard string
	Profile  string
	Rules    *standards.Rules
}

// choose reads ?year, ?standard and ?profile, defaulting to the latest year
// and the rules in force. An unknown year is a 404; unknown rules a 400.
func (s *Server) choose(r *http.Request) (*choice, error) {
	years, err := s.cache.Years(r.Context())
	if err != nil {
		return nil, err
	}
	c := &choice{Years: years, Standard: s.inForce().Standard, Profile: s.inForce().Profile}
	q := r.URL.Query()
	if v := q.Get("standard"); v != "" {
		c.Standard = v
	}
	if v := q.Get("profile"); v != "" {
		c.Profile = v
	}
	if c.Rules, err = standards.Shared(c.Standard, c.Profile); err != nil {
		return nil, badRequest("error.rules", c.Standard, c.Profile)
	}
	if len(years) == 0 {
		return nil, notFound("error.no_data")
	}
	c.Year = years[len(years)-1]
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(years, y) {
			return nil, notFound("error.no_year", v)
		}
		c.Year = y
	}
	return c, nil
}

// Query returns the choice as query parameters, leaving out defaults, for links.
func (c *choice) Query(s *Server) []any {
	kv := []any{"year", c.Year}
	if c.Standard != s.inForce().Standard {
		kv = append(kv, "standard", c.Standard)
	}
	if c.Profile != s.inForce().Profile {
		kv = append(kv, "profile", c.Profile)
	}
	return kv
}

// Ind returns an indicator's name in the page's language.
func (b *Base) Ind(ind *standards.Indicator) string {
	if b.EN() && ind.EN != "" {
		return ind.EN
	}
	return ind.ZH
}

// unitsEN are the indicators' units in English.
var unitsEN = map[string]string{
	"人/百生": "per 100 students", "间/百生": "rooms per 100 students", "台/百生": "per 100 students",
	"㎡/生": "m² per student", "元/生": "yuan per student", "册/生": "books per student", "人/生": "per student",
}

// IndUnit returns an indicator's unit in the page's language.
func (b *Base) IndUnit(ind *standards.Indicator) string {
	if u, ok := unitsEN[ind.Unit]; ok && b.EN() {
		return u
	}
	return ind.Unit
}

// Formula returns an indicator's formula in the page's language.
func (b *Base) Formula(ind *standards.Indicator) string {
	if !b.EN() {
		return ind.Formula()
	}
	num := ind.EN
	if _, ok := census.FieldByKey(ind.Source); ok {
		num = b.Col(ind.Source)
	}
	if ind.Scale != 1 {
		return fmt.Sprintf("%s ÷ students × %g", num, ind.Scale)
	}
	return num + " ÷ students"
}

// Col returns a census column's label in the page's language.
func (b *Base) Col(key string) string {
	if b.EN() {
		if k := "col." + key; i18n.Has(b.Lang, k) {
			return b.T(k)
		}
	}
	if f, ok := census.FieldByKey(key); ok {
		return census.Columns[f].ZH
	}
	for _, c := range census.TextColumns {
		if c.Key == key {
			return c.ZH
		}
	}
	if n := b.UnitCol(key); n != key {
		return n // a kindergarten or county column
	}
	return b.T("col." + key)
}

// Unit returns a census column's unit.
func (b *Base) Unit(key string) string {
	if f, ok := census.FieldByKey(key); ok {
		return census.Columns[f].Unit
	}
	return ""
}

// SchoolType names a school type in the page's language.
func (b *Base) SchoolType(t census.SchoolType) string {
	if b.EN() {
		return b.T("type." + string(t))
	}
	return t.ZH()
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// mustRules returns the default rules, for tests and benchmarks.
func mustRules() *standards.Rules {
	r, err := standards.Shared("yzjh2017", "national")
	if err != nil {
		panic(err)
	}
	return r
}

// ChoiceLabel names value c of coded text column key in the page's
// language: the Chinese name, or in English the translation where the
// catalogue has one (type.primary, category.public).
func (b *Base) ChoiceLabel(key string, c census.Choice) string {
	if b.EN() {
		prefix := key + "."
		if key == "school_type" {
			prefix = "type."
		}
		if k := prefix + c.Value; i18n.Has(b.Lang, k) {
			return b.T(k)
		}
	}
	return c.ZH
}
