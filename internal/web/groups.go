package web

import (
	"errors"
	"net/http"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/store"
)

// 教育集团 (集团化办学, school groups): a county's ledger of its groups
// (internal/groups, declared on internal/ledger) and the coverage it
// gives — schools and students in a group, by stage, urban and rural —
// on the county's page /county/{code}/groups, and every county of a
// region side by side on /groups.

type groupsPage struct {
	*Base
	*choice
	Q      []any
	Code   string
	County string
	Has    bool
	Cov    groups.Coverage
	Ledger ledgerPanel
}

// Col returns the label of a column of the groups table, and Show a
// value of it, in the page's language.
func (p *groupsPage) Show(table, key, v string) string {
	t := groups.Schema.Table(table)
	return t.Cols[t.Col(key)].ShowIn(v, p.EN())
}

func (s *Server) groupsPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderGroups(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderGroups(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, c, county, err := s.ledgerPageOf(r)
	if err != nil {
		return err
	}
	p := &groupsPage{Base: b, choice: c, Q: c.Query(s), Code: code, County: county}
	b.Title = p.County + " · " + b.T("groups.title")
	d, v, err := s.st.Ledger(r.Context(), groups.Schema, code, 0)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		p.Has = true
		schools, err := s.st.Schools(r.Context(), c.Year, code)
		if err != nil {
			return err
		}
		p.Cov = groups.Count(groups.Of(d), schools, c.Year)
	}
	if p.Ledger, err = s.ledgerPanelOf(r, b, s.groupsKind(), code, 0, d, v, errs, editErr); err != nil {
		return err
	}
	s.render(w, r, status, "groups", p)
	return nil
}

// yearQuery carries the page's year (and standard) to the redirect.
func yearQuery(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// groupsKind is the 教育集团 ledger as its routes serve it.
func (s *Server) groupsKind() ledgerKind {
	return ledgerKind{Schema: groups.Schema, Path: "groups", Name: "教育集团台账",
		Render: func(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
			return s.renderGroups(w, r, status, errs, editErr)
		}}
}

type groupsRegionPage struct {
	*Base
	*choice
	Q []any
	*ledgerRegion[groups.Coverage]
}

// groupsRegion serves GET /groups?region=&year=: a province's cities (or
// a city's counties) with their group coverage, and the region's sum. A
// county account goes to its county's page.
func (s *Server) groupsRegion(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "groups")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	region, up, regions, redirected, err := s.regionOfLedger(w, r, b, "groups")
	if err != nil || redirected {
		return err
	}
	prefix := countyPrefixOf(region.Code)
	ledgers, err := s.st.Ledgers(r.Context(), groups.Schema, 0, prefix)
	if err != nil {
		return err
	}
	byCounty, err := s.schoolsByCounty(r, c.Year, prefix)
	if err != nil {
		return err
	}
	p := &groupsRegionPage{Base: b, choice: c, Q: c.Query(s)}
	p.ledgerRegion = ledgerRegionOf(b, region, up, regions,
		func() groups.Coverage { return groups.Count(nil, nil, c.Year) },
		func(a *groups.Coverage, f groups.Coverage) { a.Add(f) },
		func(code string) (groups.Coverage, bool) {
			d := ledgers[code]
			if d == nil {
				return groups.Count(nil, byCounty[code], c.Year), false
			}
			return groups.Count(groups.Of(d), byCounty[code], c.Year), true
		})
	b.Title = region.Name + " · " + b.T("groups.title")
	s.render(w, r, http.StatusOK, "groups_region", p)
	return nil
}

// groupsAPI serves GET /api/v1/groups/{code}?year=: the county's
// coverage of the year and its ledger's rows by table, keyed by the
// declaration's column keys (ledger.Data.Maps).
func (s *Server) groupsAPI(r *http.Request) (any, error) {
	code, c, d, v, err := s.ledgerAPIOf(r, groups.Schema)
	if err != nil {
		return nil, err
	}
	schools, err := s.st.Schools(r.Context(), c.Year, code)
	if err != nil {
		return nil, err
	}
	cov := groups.Count(groups.Of(d), schools, c.Year)
	share := func(sh groups.Share) map[string]any {
		return map[string]any{"in": sh.In, "all": sh.All, "percent": sh.Percent()}
	}
	stages := []map[string]any{}
	for _, st := range cov.Stages {
		stages = append(stages, map[string]any{"stage": st.Stage, "schools": share(st.Schools), "students": share(st.Students)})
	}
	return map[string]any{
		"county": code, "year": c.Year, "day": cov.Day.Format("2006-01-02"), "version": v.ID,
		"coverage": map[string]any{
			"groups": cov.Groups, "close": cov.Close, "loose": cov.Loose,
			"schools": share(cov.Schools), "students": share(cov.Students),
			"urban": share(cov.Urban), "rural": share(cov.Rural), "stages": stages,
		},
		"ledger": d.Maps(),
	}, nil
}
