package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
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

// groupsCounty checks the county of a groups route against the account.
func (s *Server) groupsCounty(r *http.Request) (*Base, string, error) {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return nil, "", errOutOfScope
	}
	return b, code, nil
}

func (s *Server) renderGroups(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return err
	}
	p := &groupsPage{Base: b, choice: c, Q: c.Query(s), Code: code, County: cmp.Or(rg.Name, code)}
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
	p.Ledger = newLedgerPanel(groups.Schema, d, b.EN())
	p.Ledger.Path = "/county/" + code + "/groups"
	p.Ledger.Version, p.Ledger.CanEdit, p.Ledger.Errors, p.Ledger.EditErr = v, b.Scope.CanEdit(), errs, editErr
	if p.Ledger.History, err = s.st.LedgerVersions(r.Context(), groups.Schema.Kind, code); err != nil {
		return err
	}
	lock, err := s.st.LedgerLock(r.Context(), groups.Schema.Kind, code, 0)
	if err != nil {
		return err
	}
	if lock != nil {
		p.Ledger.Locked, p.Ledger.CanEdit = ledgerLockedText(b, lock), false
	}
	s.render(w, r, status, "groups", p)
	return nil
}

// importGroups serves POST /county/{code}/groups/import: the files chosen
// (the template's workbook, or CSV files of one table each) become the
// county's ledger, all or nothing, as its newest version; a refused file
// shows its errors on the page and stores nothing.
func (s *Server) importGroups(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	d, names, errs, err := readLedgerUpload(w, r, groups.Schema)
	if err != nil {
		return err
	}
	if errs != nil {
		return s.renderGroups(w, r, http.StatusBadRequest, errs, "")
	}
	v, err := s.st.SaveLedger(r.Context(), userOf(r).Username, code, 0, names, "", store.AnyVersion, d)
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderGroups(w, r, http.StatusBadRequest, censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}}, "")
		}
		return err
	}
	setFlash(w, b.T("ledger.imported", v.Rows))
	http.Redirect(w, r, "/county/"+code+"/groups"+yearQuery(r), http.StatusSeeOther)
	return nil
}

// yearQuery carries the page's year (and standard) to the redirect.
func yearQuery(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// editGroups serves POST /county/{code}/groups/rows: one row added,
// changed or removed in a form, saved as the ledger's newest version when
// the ledger still holds together.
func (s *Server) editGroups(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	d, v, err := s.st.Ledger(r.Context(), groups.Schema, code, 0)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d, note, err := ledgerEdit(r, groups.Schema, d, v.ID)
	if err == nil {
		_, err = s.st.SaveLedger(r.Context(), userOf(r).Username, code, 0, nil, note, v.ID, d)
	}
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderGroups(w, r, http.StatusBadRequest, nil, msg)
		}
		return err
	}
	setFlash(w, b.T("ledger.saved"))
	http.Redirect(w, r, "/county/"+code+"/groups"+yearQuery(r)+"#ledger-"+r.PostForm.Get("table"), http.StatusSeeOther)
	return nil
}

// groupsExport serves GET /county/{code}/groups.xlsx[?version=]: the
// county's ledger (or one of its versions) as the import workbook.
func (s *Server) groupsExport(w http.ResponseWriter, r *http.Request) error {
	_, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	return s.exportLedger(w, r, groups.Schema, code, 0, code+"-教育集团台账")
}

// groupsTemplate serves GET /groups/template.xlsx.
func (s *Server) groupsTemplate(w http.ResponseWriter, r *http.Request) error {
	return sendLedgerXLSX(w, "教育集团台账模板.xlsx", groups.Schema.New())
}

// groupsRegionRow is one county of the region view.
type groupsRegionRow struct {
	Code, Name string
	Level      string // city (a link to its counties) or county
	Has        bool   // the county, or a county of the city, has a ledger
	Cov        groups.Coverage
}

type groupsRegionPage struct {
	*Base
	*choice
	Q      []any
	Region census.Region
	Up     *census.Region // the province above a city, when the account sees it
	Rows   []groupsRegionRow
	Total  groups.Coverage
}

// groupsRegion serves GET /groups?region=&year=: every county of the
// region (the account's own by default) with its group coverage, and the
// region's sum. A county account goes to its county's page.
func (s *Server) groupsRegion(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "groups")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	code := cmp.Or(r.URL.Query().Get("region"), b.Scope.Region())
	idx := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == code })
	if idx < 0 || !b.Scope.Sees(regions[idx]) {
		return notFound("error.no_region", code)
	}
	region := regions[idx]
	var upRegion *census.Region
	if j := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == region.Parent }); j >= 0 && region.Level == "city" && b.Scope.Sees(regions[j]) {
		up := regions[j]
		upRegion = &up
	}
	if region.Level == "county" {
		http.Redirect(w, r, "/county/"+code+"/groups"+yearQuery(r), http.StatusSeeOther)
		return nil
	}
	prefix := strings.TrimRight(code, "0")
	if len(prefix) < 2 {
		prefix = code[:2]
	} else if len(prefix)%2 == 1 {
		prefix = code[:len(prefix)+1]
	}
	ledgers, err := s.st.Ledgers(r.Context(), groups.Schema, 0, prefix)
	if err != nil {
		return err
	}
	schools, err := s.st.Schools(r.Context(), c.Year, "")
	if err != nil {
		return err
	}
	byCounty := map[string][]census.School{}
	for _, sc := range schools {
		if strings.HasPrefix(sc.CountyCode, prefix) {
			byCounty[sc.CountyCode] = append(byCounty[sc.CountyCode], sc)
		}
	}
	p := &groupsRegionPage{Base: b, choice: c, Q: c.Query(s), Region: region, Up: upRegion, Total: groups.Count(nil, nil, c.Year)}
	b.Title = region.Name + " · " + b.T("groups.title")
	// A province lists its cities (each the sum of its counties, and a
	// link down to them); a city its counties.
	rowLevel := "county"
	if region.Level == "province" {
		rowLevel = "city"
	}
	at := map[string]int{}
	for _, rg := range regions {
		if rg.Level != rowLevel || !strings.HasPrefix(rg.Code, prefix) || !b.Scope.Sees(rg) {
			continue
		}
		at[rg.Code] = len(p.Rows)
		p.Rows = append(p.Rows, groupsRegionRow{Code: rg.Code, Name: rg.Name, Level: rowLevel, Cov: groups.Count(nil, nil, c.Year)})
	}
	for _, rg := range regions {
		if rg.Level != "county" || !strings.HasPrefix(rg.Code, prefix) || !b.Scope.Sees(rg) {
			continue
		}
		key := rg.Code
		if rowLevel == "city" {
			key = census.CityCode(rg.Code)
		}
		i, ok := at[key]
		if !ok {
			continue
		}
		row := &p.Rows[i]
		cov := groups.Count(nil, byCounty[rg.Code], c.Year)
		if d := ledgers[rg.Code]; d != nil {
			row.Has = true
			cov = groups.Count(groups.Of(d), byCounty[rg.Code], c.Year)
		}
		if rowLevel == "county" {
			row.Cov = cov
		} else {
			row.Cov.Add(cov)
		}
		p.Total.Add(cov)
	}
	s.render(w, r, http.StatusOK, "groups_region", p)
	return nil
}

// groupsAPI serves GET /api/v1/groups/{code}?year=: the county's
// coverage of the year and its ledger's rows by table, keyed by the
// declaration's column keys (ledger.Data.Maps).
func (s *Server) groupsAPI(r *http.Request) (any, error) {
	_, code, err := s.groupsCounty(r)
	if err != nil {
		return nil, err
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	d, v, err := s.st.Ledger(r.Context(), groups.Schema, code, 0)
	if errors.Is(err, store.ErrNotFound) {
		d, err = groups.Schema.New(), nil
	}
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
