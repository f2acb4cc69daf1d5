package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/store"
)

// 课后服务 (after-school services): a county's ledger of a school year, a
// row per school and term (internal/afterschool, declared on
// internal/ledger), and the indicators of a term — coverage of schools,
// students and teachers, satisfaction, end time and days a week — on the
// county's page /county/{code}/afterschool, and every county of a region
// side by side on /afterschool.

type afterschoolPage struct {
	*Base
	*choice
	Q      []any
	Code   string
	County string
	Term   string
	Terms  []string
	Has    bool // the county has a ledger of the year
	Ind    afterschool.Indicators
	Ledger ledgerPanel
}

// Rate writes in of all as a percentage with one decimal ("—" for none).
func (p *afterschoolPage) Rate(in, all int) string {
	return afterschool.Share{In: int64(in), All: int64(all)}.Percent()
}

// afterschoolTerm reads ?term, or the latest term the ledger has rows of.
func afterschoolTerm(r *http.Request, ts []afterschool.Term) string {
	if t := r.URL.Query().Get("term"); slices.Contains(afterschool.Terms, t) {
		return t
	}
	return afterschool.LatestTerm(ts)
}

// afterschoolRule is the end-time rule of the page's profile.
func afterschoolRule(c *choice) (afterschool.Rule, error) {
	return afterschool.RuleOf(c.Rules.Settings.AfterSchoolEnd)
}

func (s *Server) afterschoolPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderAfterschool(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderAfterschool(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rule, err := afterschoolRule(c)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return err
	}
	p := &afterschoolPage{Base: b, choice: c, Code: code, County: cmp.Or(rg.Name, code), Terms: afterschool.Terms}
	b.Title = p.County + " · " + b.T("afterschool.title")
	d, v, err := s.st.Ledger(r.Context(), afterschool.Schema, code, c.Year)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Term = afterschoolTerm(r, nil)
	case err != nil:
		return err
	default:
		p.Has = true
		ts := afterschool.Of(d)
		p.Term = afterschoolTerm(r, ts)
		schools, err := s.st.Schools(r.Context(), c.Year, code)
		if err != nil {
			return err
		}
		p.Ind = afterschool.Count(ts, afterschool.Providers(d), schools, p.Term, rule)
	}
	p.Q = append(c.Query(s), "term", p.Term)
	p.Ledger = newLedgerPanel(afterschool.Schema, d, b.EN())
	p.Ledger.Path = "/county/" + code + "/afterschool"
	p.Ledger.Version, p.Ledger.CanEdit, p.Ledger.Errors, p.Ledger.EditErr = v, b.Scope.CanEdit(), errs, editErr
	history, err := s.st.LedgerVersions(r.Context(), afterschool.Schema.Kind, code)
	if err != nil {
		return err
	}
	for _, h := range history {
		if h.Year == c.Year {
			p.Ledger.History = append(p.Ledger.History, h)
		}
	}
	lock, err := s.st.LedgerLock(r.Context(), afterschool.Schema.Kind, code, c.Year)
	if err != nil {
		return err
	}
	if lock != nil {
		p.Ledger.Locked, p.Ledger.CanEdit = ledgerLockedText(b, lock), false
	}
	s.render(w, r, status, "afterschool", p)
	return nil
}

// importAfterschool serves POST /county/{code}/afterschool/import?year=:
// the files chosen become the county's ledger of the school year, all or
// nothing, as its newest version; a refused file shows its errors on the
// page and stores nothing.
func (s *Server) importAfterschool(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	d, names, errs, err := readLedgerUpload(w, r, afterschool.Schema)
	if err != nil {
		return err
	}
	if errs != nil {
		return s.renderAfterschool(w, r, http.StatusBadRequest, errs, "")
	}
	v, err := s.st.SaveLedger(r.Context(), userOf(r).Username, code, c.Year, names, "", store.AnyVersion, d)
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderAfterschool(w, r, http.StatusBadRequest, censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}}, "")
		}
		return err
	}
	setFlash(w, b.T("ledger.imported", v.Rows))
	http.Redirect(w, r, "/county/"+code+"/afterschool"+yearQuery(r), http.StatusSeeOther)
	return nil
}

// editAfterschool serves POST /county/{code}/afterschool/rows?year=: one
// row added, changed or removed in a form.
func (s *Server) editAfterschool(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	d, v, err := s.st.Ledger(r.Context(), afterschool.Schema, code, c.Year)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d, note, err := ledgerEdit(r, afterschool.Schema, d, v.ID)
	if err == nil {
		_, err = s.st.SaveLedger(r.Context(), userOf(r).Username, code, c.Year, nil, note, v.ID, d)
	}
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderAfterschool(w, r, http.StatusBadRequest, nil, msg)
		}
		return err
	}
	setFlash(w, b.T("ledger.saved"))
	http.Redirect(w, r, "/county/"+code+"/afterschool"+yearQuery(r)+"#ledger-"+r.PostForm.Get("table"), http.StatusSeeOther)
	return nil
}

// afterschoolExport serves GET /county/{code}/afterschool.xlsx[?year=|?version=]:
// the county's ledger of the year (or one of its versions) as the import
// workbook.
func (s *Server) afterschoolExport(w http.ResponseWriter, r *http.Request) error {
	_, code, err := s.groupsCounty(r)
	if err != nil {
		return err
	}
	var d *ledger.Data
	var v store.LedgerVersion
	if id := r.URL.Query().Get("version"); id != "" {
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil {
			return notFound("error.not_found")
		}
		d, v, err = s.st.LedgerVersionOf(r.Context(), afterschool.Schema, n)
		if err == nil && v.County != code {
			err = store.ErrNotFound // another county's version: as if there were none
		}
		if errors.Is(err, store.ErrNotFound) {
			return notFound("error.not_found")
		}
	} else {
		c, cerr := s.choose(r)
		if cerr != nil {
			return cerr
		}
		d, v, err = s.st.Ledger(r.Context(), afterschool.Schema, code, c.Year)
		if errors.Is(err, store.ErrNotFound) {
			d, err = afterschool.Schema.New(), nil
			v.Year = c.Year
		}
	}
	if err != nil {
		return err
	}
	name := code + "-课后服务台账-" + strconv.Itoa(v.Year)
	if v.ID != 0 {
		name += "-" + v.At.Format("20060102-1504")
	}
	return sendLedgerXLSX(w, name+".xlsx", d)
}

// afterschoolTemplate serves GET /afterschool/template.xlsx.
func (s *Server) afterschoolTemplate(w http.ResponseWriter, r *http.Request) error {
	return sendLedgerXLSX(w, "课后服务台账模板.xlsx", afterschool.Schema.New())
}

// afterschoolRegionRow is one city or county of the region view.
type afterschoolRegionRow struct {
	Code, Name string
	Level      string // city (a link to its counties) or county
	Has        bool   // the county, or a county of the city, has a ledger of the year
	Ind        afterschool.Indicators
}

type afterschoolRegionPage struct {
	*Base
	*choice
	Q      []any
	Region census.Region
	Up     *census.Region
	Term   string
	Terms  []string
	Rows   []afterschoolRegionRow
	Total  afterschool.Indicators
}

// afterschoolRegion serves GET /afterschool?region=&year=&term=: every
// city of a province (or county of a city) with its indicators of the
// term, and the region's sum. A county account goes to its county's page.
func (s *Server) afterschoolRegion(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "afterschool")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rule, err := afterschoolRule(c)
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
	if region.Level == "county" {
		http.Redirect(w, r, "/county/"+code+"/afterschool"+yearQuery(r), http.StatusSeeOther)
		return nil
	}
	var up *census.Region
	if j := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == region.Parent }); j >= 0 && region.Level == "city" && b.Scope.Sees(regions[j]) {
		u := regions[j]
		up = &u
	}
	prefix := strings.TrimRight(code, "0")
	if len(prefix) < 2 {
		prefix = code[:2]
	} else if len(prefix)%2 == 1 {
		prefix = code[:len(prefix)+1]
	}
	ledgers, err := s.st.Ledgers(r.Context(), afterschool.Schema, c.Year, prefix)
	if err != nil {
		return err
	}
	term := r.URL.Query().Get("term")
	if !slices.Contains(afterschool.Terms, term) {
		var all []afterschool.Term
		for _, d := range ledgers {
			all = append(all, afterschool.Of(d)...)
		}
		term = afterschool.LatestTerm(all)
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
	p := &afterschoolRegionPage{Base: b, choice: c, Q: c.Query(s), Region: region, Up: up, Term: term, Terms: afterschool.Terms,
		Total: afterschool.Count(nil, nil, nil, term, rule)}
	b.Title = region.Name + " · " + b.T("afterschool.title")
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
		p.Rows = append(p.Rows, afterschoolRegionRow{Code: rg.Code, Name: rg.Name, Level: rowLevel, Ind: afterschool.Count(nil, nil, nil, term, rule)})
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
		ind := afterschool.Count(nil, nil, byCounty[rg.Code], term, rule)
		if d := ledgers[rg.Code]; d != nil {
			row.Has = true
			ind = afterschool.Count(afterschool.Of(d), afterschool.Providers(d), byCounty[rg.Code], term, rule)
		}
		if rowLevel == "county" {
			row.Ind = ind
		} else {
			row.Ind.Add(ind)
		}
		p.Total.Add(ind)
	}
	s.render(w, r, http.StatusOK, "afterschool_region", p)
	return nil
}

// afterschoolAPI serves GET /api/v1/afterschool/{code}?year=&term=: the
// county's indicators of the term and its ledger's rows by table, keyed
// by the declaration's column keys (ledger.Data.Maps).
func (s *Server) afterschoolAPI(r *http.Request) (any, error) {
	_, code, err := s.groupsCounty(r)
	if err != nil {
		return nil, err
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	rule, err := afterschoolRule(c)
	if err != nil {
		return nil, err
	}
	d, v, err := s.st.Ledger(r.Context(), afterschool.Schema, code, c.Year)
	if errors.Is(err, store.ErrNotFound) {
		d, err = afterschool.Schema.New(), nil
	}
	if err != nil {
		return nil, err
	}
	schools, err := s.st.Schools(r.Context(), c.Year, code)
	if err != nil {
		return nil, err
	}
	ts := afterschool.Of(d)
	term := afterschoolTerm(r, ts)
	ind := afterschool.Count(ts, afterschool.Providers(d), schools, term, rule)
	share := func(sh afterschool.Share) map[string]any {
		return map[string]any{"in": sh.In, "all": sh.All, "percent": sh.Percent()}
	}
	return map[string]any{
		"county": code, "year": c.Year, "term": term, "version": v.ID,
		"rule": map[string]any{"end": rule.End, "min_days": rule.MinDays},
		"indicators": map[string]any{
			"schools": share(ind.Schools), "students": share(ind.Students), "teachers": share(ind.Teachers),
			"satisfaction": share(ind.Satisfaction), "end_time": share(ind.EndOK), "days": share(ind.Days5),
			"courses": ind.Courses, "providers": ind.Providers, "free": ind.Free, "vetted": ind.Vetted,
		},
		"ledger": d.Maps(),
	}, nil
}
