package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/store"
)

// The parts of a declared ledger's page (internal/ledger) that every kind
// shares: its tables shown and edited row by row in forms built from the
// declaration, the import of its files, its template and export, and its
// versions. A kind's page (groups.go) adds what it computes.

// ledgerPanel is what the _ledger.html partial shows of a county's ledger.
type ledgerPanel struct {
	Path    string // the page's path: /county/{code}/groups
	Schema  *ledger.Schema
	Tables  []ledgerTableView
	Version store.LedgerVersion // the newest; ID 0 when none
	History []store.LedgerVersion
	CanEdit bool
	Locked  string // why the ledger cannot be changed now (a task holds it)
	// TablesOnly shows the tables and their row forms only: the page
	// has its own import and versions (the rotation ledger, whose changes
	// are previewed).
	TablesOnly bool
	Errors     censusio.Errors // of a refused import
	EditErr    string          // of a refused form edit
	EN         bool
	// ImportNote is the i18n key of the note under the import form
	// (ledger.import_note, an import replacing the whole ledger, when
	// empty).
	ImportNote string
}

type ledgerTableView struct {
	ID, Label string
	Cols      []ledgerColView
	Rows      []ledgerRowView
}

type ledgerColView struct {
	Key, Label, Hint string
	Required         bool
	Input            string // text, number, date, time, select
	Options          []ledgerOption
}

type ledgerOption struct{ Value, Label string }

type ledgerRowView struct {
	Index int
	Cells []string
	// Values are the row's canonical values as JSON, for the edit button
	// to put into the table's form.
	Values string
}

// newLedgerPanel builds the panel of d (nil when the county has none).
func newLedgerPanel(sc *ledger.Schema, d *ledger.Data, en bool) ledgerPanel {
	p := ledgerPanel{Schema: sc, EN: en}
	for i := range sc.Tables {
		t := &sc.Tables[i]
		tv := ledgerTableView{ID: t.ID, Label: t.Label(en)}
		for _, c := range t.Cols {
			cv := ledgerColView{Key: c.Key, Label: c.Label(en), Hint: c.Hint(), Required: c.Required, Input: "text"}
			if en {
				cv.Hint = ""
			}
			switch c.Type {
			case ledger.Count:
				cv.Input = "number"
			case ledger.Date:
				cv.Input = "date"
			case ledger.Time:
				cv.Input = "time"
			case ledger.YesNo:
				cv.Input = "select"
				cv.Options = []ledgerOption{{"否", c.ShowIn("否", en)}, {"是", c.ShowIn("是", en)}}
			case ledger.Choice:
				cv.Input = "select"
				if !c.Required {
					cv.Options = append(cv.Options, ledgerOption{"", "—"})
				}
				for _, o := range c.Options {
					cv.Options = append(cv.Options, ledgerOption{o.Value, c.ShowIn(o.Value, en)})
				}
			}
			tv.Cols = append(tv.Cols, cv)
		}
		if d != nil {
			for j, r := range d.Rows(t.ID) {
				vals, _ := json.Marshal(r.Map())
				rv := ledgerRowView{Index: j, Values: string(vals)}
				for k, c := range t.Cols {
					rv.Cells = append(rv.Cells, c.ShowIn(r.V[k], en))
				}
				tv.Rows = append(tv.Rows, rv)
			}
		}
		p.Tables = append(p.Tables, tv)
	}
	return p
}

// maxLedgerUpload bounds an upload of a ledger's files.
const maxLedgerUpload = 20 << 20

// readLedgerUpload reads the files of a ledger's import form; a file the
// ledger's reader refuses comes back as its errors, nothing read.
func readLedgerUpload(w http.ResponseWriter, r *http.Request, sc *ledger.Schema) (*ledger.Data, []string, censusio.Errors, error) {
	uploaded, names, err := ledgerFiles(w, r, maxLedgerUpload, "ledger")
	if err != nil {
		return nil, nil, nil, err
	}
	files := make([]ledger.File, len(uploaded))
	for i, f := range uploaded {
		files[i] = ledger.File(f)
	}
	d, err := ledger.Read(sc, files...)
	if err != nil {
		var es censusio.Errors
		if errors.As(err, &es) {
			return nil, names, es, nil
		}
		return nil, nil, nil, err
	}
	return d, names, nil, nil
}

// ledgerEdit applies a row form posted to the newest ledger (or a new
// one): op=add appends a row of table, op=set replaces row index, op=del
// removes it; values come as c.<column key>. The form names the version
// it was made from (base); when that is no longer the newest (newest), the
// edit is refused with store.ErrLedgerChanged, since a row index may now
// name another row. It returns the changed ledger and a note of what
// changed, or the user's error to show.
func ledgerEdit(r *http.Request, sc *ledger.Schema, d *ledger.Data, newest int64) (*ledger.Data, string, error) {
	if err := r.ParseForm(); err != nil {
		return nil, "", badRequest("ledger.bad_form")
	}
	if base, err := strconv.ParseInt(r.PostForm.Get("base"), 10, 64); err != nil || base != newest {
		return nil, "", store.ErrLedgerChanged
	}
	if d == nil {
		d = sc.New()
	}
	id := r.PostForm.Get("table")
	t := sc.Table(id)
	if t == nil {
		return nil, "", badRequest("ledger.bad_form")
	}
	values := map[string]string{}
	for _, c := range t.Cols {
		if v := r.PostForm.Get("c." + c.Key); v != "" {
			values[c.Key] = v
		}
	}
	index := -1
	if s := r.PostForm.Get("row"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n >= len(d.Rows(id)) {
			return nil, "", badRequest("ledger.bad_form")
		}
		index = n
	}
	describe := func(verb string, m map[string]string) string {
		var parts []string
		for _, c := range t.Cols {
			if v := m[c.Key]; v != "" && len(parts) < 3 {
				parts = append(parts, v)
			}
		}
		return fmt.Sprintf("%s「%s」一行：%s", verb, t.Sheet, strings.Join(parts, " "))
	}
	switch r.PostForm.Get("op") {
	case "add":
		if err := d.Add(id, values); err != nil {
			return nil, "", err
		}
		return d, describe("添加", values), nil
	case "set":
		if index < 0 {
			return nil, "", badRequest("ledger.bad_form")
		}
		if err := d.Set(id, index, values); err != nil {
			return nil, "", err
		}
		return d, describe("修改", values), nil
	case "del":
		if index < 0 {
			return nil, "", badRequest("ledger.bad_form")
		}
		old := d.Rows(id)[index].Map()
		d.Remove(id, index)
		return d, describe("删除", old), nil
	}
	return nil, "", badRequest("ledger.bad_form")
}

// ledgerEditError is the message a form edit's refusal shows: the cells
// a form got wrong, or the ledger's check that the edit breaks.
func ledgerEditError(b *Base, err error) (string, bool) {
	var inv *ledger.Invalid
	if errors.As(err, &inv) {
		return inv.Error(), true
	}
	var lock *store.LockedError
	if errors.As(err, &lock) {
		return ledgerLockedText(b, lock), true
	}
	if errors.Is(err, store.ErrLedgerChanged) {
		return b.T("ledger.changed"), true
	}
	if errors.Is(err, store.ErrLedgerInput) {
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, store.ErrLedgerInput.Error()+": "); ok {
			msg = after
		}
		return msg, true
	}
	return "", false
}

// ledgerLockedText says which task holds a ledger locked.
func ledgerLockedText(b *Base, l *store.LockedError) string {
	state := b.T("state." + string(l.State))
	if b.EN() {
		state = strings.ToLower(state)
	}
	return b.T("ledger.locked", b.T("ledger.locked_by", l.Task, state))
}

// ledgerAPIOf is what a kind's API (groupsAPI, afterschoolAPI,
// trainingAPI) starts from: the path's county in the account's scope, the
// request's year and rules, and the county's newest ledger of sc (of that
// year for a ledger kept by year; empty when there is none).
func (s *Server) ledgerAPIOf(r *http.Request, sc *ledger.Schema) (code string, c *choice, d *ledger.Data, v store.LedgerVersion, err error) {
	if _, code, err = s.ledgerCounty(r); err != nil {
		return
	}
	if c, err = s.choose(r); err != nil {
		return
	}
	year := 0
	if sc.PerYear {
		year = c.Year
	}
	d, v, err = s.ledgerOrEmpty(r, sc, code, year)
	return
}

// ledgerOrEmpty is county's newest ledger of kind sc and year, or an
// empty one (version 0) when it has none.
func (s *Server) ledgerOrEmpty(r *http.Request, sc *ledger.Schema, county string, year int) (*ledger.Data, store.LedgerVersion, error) {
	d, v, err := s.st.Ledger(r.Context(), sc, county, year)
	if errors.Is(err, store.ErrNotFound) {
		return sc.New(), store.LedgerVersion{}, nil
	}
	return d, v, err
}

// exportLedger sends county's ledger of kind sc and year (the newest
// version, or ?version= of it: another county's or kind's version is not
// found) as its import workbook, named name plus the version's time.
// With no ledger it sends the empty template.
func (s *Server) exportLedger(w http.ResponseWriter, r *http.Request, sc *ledger.Schema, county string, year int, name string) error {
	var d *ledger.Data
	var v store.LedgerVersion
	var err error
	id := r.URL.Query().Get("version")
	if id != "" {
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil {
			return notFound("error.not_found")
		}
		d, v, err = s.st.LedgerVersionOf(r.Context(), sc, n)
		if err == nil && v.County != county {
			err = store.ErrNotFound // another county's version: as if there were none
		}
		if errors.Is(err, store.ErrNotFound) {
			return notFound("error.not_found")
		}
	} else {
		d, v, err = s.ledgerOrEmpty(r, sc, county, year)
	}
	if err != nil {
		return err
	}
	if v.ID != 0 {
		name += "-" + v.At.Format("20060102-1504")
	}
	return sendLedgerXLSX(w, name+".xlsx", d)
}

// sendLedgerXLSX sends d as its import workbook.
func sendLedgerXLSX(w http.ResponseWriter, name string, d *ledger.Data) error {
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		return err
	}
	return sendXLSX(w, name, buf.Bytes())
}

// apiLedger serves GET /api/v1/ledgers/{kind}/{code}?year=: county code's
// ledger of a declared kind (the year for a kind kept by year; the page's
// year by default) — its newest version and its rows by table, keyed by
// the declaration's column keys as the template and the forms use them.
func (s *Server) apiLedger(r *http.Request) (any, error) {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return nil, errOutOfScope
	}
	sc := store.LedgerSchemas[r.PathValue("kind")]
	if sc == nil {
		return nil, notFound("error.not_found")
	}
	year := 0
	if sc.PerYear {
		c, err := s.choose(r)
		if err != nil {
			return nil, err
		}
		year = c.Year
	}
	d, v, err := s.ledgerOrEmpty(r, sc, code, year)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"kind": sc.Kind, "county": code, "tables": d.Maps()}
	if sc.PerYear {
		out["year"] = year
	}
	if v.ID != 0 {
		out["version"] = map[string]any{"id": v.ID, "at": v.At, "actor": v.Actor, "files": v.Files, "note": v.Note, "rows": v.Rows}
	}
	return out, nil
}

// ledgerSchemaJSON is the JSON schema of a declared ledger's rows as the
// API gives them, for the OpenAPI document.
func ledgerSchemaJSON(sc *ledger.Schema) map[string]any {
	tables := map[string]any{}
	for _, t := range sc.Tables {
		props := map[string]any{}
		var req []any
		for _, c := range t.Cols {
			p := map[string]any{"type": "string", "description": c.ZH + note(c.Hint())}
			switch c.Type {
			case ledger.Count:
				p["pattern"] = "^[0-9]+$"
			case ledger.Date:
				p["format"] = "date"
			case ledger.YesNo:
				p["enum"] = []any{"是", "否"}
			case ledger.Choice:
				var enum []any
				for _, o := range c.Options {
					enum = append(enum, o.Value)
				}
				p["enum"] = enum
			}
			props[c.Key] = p
			if c.Required {
				req = append(req, c.Key)
			}
		}
		row := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if req != nil {
			row["required"] = req
		}
		tables[t.ID] = map[string]any{"type": "array", "description": t.Sheet, "items": row}
	}
	return map[string]any{"type": "object", "description": sc.ZH, "properties": map[string]any{
		"kind":    map[string]any{"type": "string", "const": sc.Kind},
		"county":  map[string]any{"type": "string"},
		"year":    map[string]any{"type": "integer"},
		"version": map[string]any{"type": "object"},
		"tables":  map[string]any{"type": "object", "properties": tables},
	}}
}

// ledgerKind is what a declared ledger's page needs of the web, so that
// its import, row edits, export and region view are one piece of code for
// every kind (groups.go, afterschool.go).
type ledgerKind struct {
	Schema *ledger.Schema
	Path   string // the page under /county/{code}/: "groups"
	Name   string // the export's name: 教育集团台账
	// Render renders the kind's county page with a refused import's
	// errors or a refused edit's message.
	Render func(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error
}

// ledgerCounty checks the county of a ledger route against the account:
// in its scope, and not a school's account.
func (s *Server) ledgerCounty(r *http.Request) (*Base, string, error) {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return nil, "", errOutOfScope
	}
	return b, code, nil
}

// ledgerPageOf is what every ledger kind's county page starts from
// (groups.go, afterschool.go, training.go, places.go): the account's base,
// the path's county in its scope, the request's year and rules, and the
// county's name (its code when the region list has none).
func (s *Server) ledgerPageOf(r *http.Request) (b *Base, code string, c *choice, name string, err error) {
	if b, code, err = s.ledgerCounty(r); err != nil {
		return
	}
	if c, err = s.choose(r); err != nil {
		return
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return
	}
	return b, code, c, cmp.Or(rg.Name, code), nil
}

// ledgerYear is the year a request means for kind sc: the page's year
// for a ledger kept by year, 0 for one that is not.
func (s *Server) ledgerYear(r *http.Request, sc *ledger.Schema) (int, error) {
	if !sc.PerYear {
		return 0, nil
	}
	c, err := s.choose(r)
	if err != nil {
		return 0, err
	}
	return c.Year, nil
}

// ledgerPanelOf completes the panel of county's ledger d (version v) of
// kind k and year: the page's path, its versions (of that year), whether
// the account may change it now and, if a reporting task holds it, why
// not.
func (s *Server) ledgerPanelOf(r *http.Request, b *Base, k ledgerKind, county string, year int, d *ledger.Data, v store.LedgerVersion, errs censusio.Errors, editErr string) (ledgerPanel, error) {
	p := newLedgerPanel(k.Schema, d, b.EN())
	p.Path = "/county/" + county + "/" + k.Path
	p.Version, p.CanEdit, p.Errors, p.EditErr = v, b.Scope.CanEdit(), errs, editErr
	history, err := s.st.LedgerVersions(r.Context(), k.Schema.Kind, county)
	if err != nil {
		return p, err
	}
	for _, h := range history {
		if h.Year == year {
			p.History = append(p.History, h)
		}
	}
	lock, err := s.st.LedgerLock(r.Context(), k.Schema.Kind, county, year)
	if err != nil {
		return p, err
	}
	if lock != nil {
		p.Locked, p.CanEdit = ledgerLockedText(b, lock), false
	}
	return p, nil
}

// importLedger serves POST /county/{code}/{kind}/import: the files chosen
// (the template's workbook, or CSV files of one table each) become the
// county's ledger (of the page's year, for a kind kept by year), all or
// nothing, as its newest version; a refused file shows its errors on the
// page and stores nothing.
func (s *Server) importLedger(k ledgerKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, code, err := s.ledgerCounty(r)
		if err != nil {
			return err
		}
		if !b.Scope.CanEdit() {
			return errForbidden
		}
		year, err := s.ledgerYear(r, k.Schema)
		if err != nil {
			return err
		}
		d, names, errs, err := readLedgerUpload(w, r, k.Schema)
		if err != nil {
			return err
		}
		if errs != nil {
			return k.Render(w, r, http.StatusBadRequest, errs, "")
		}
		v, err := s.st.SaveLedger(r.Context(), userOf(r).Username, code, year, names, "", store.AnyVersion, d)
		if err != nil {
			if msg, ok := ledgerEditError(b, err); ok {
				return k.Render(w, r, http.StatusBadRequest, censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}}, "")
			}
			return err
		}
		setFlash(w, b.T("ledger.imported", v.Rows))
		http.Redirect(w, r, "/county/"+code+"/"+k.Path+yearQuery(r), http.StatusSeeOther)
		return nil
	}
}

// editLedger serves POST /county/{code}/{kind}/rows: one row added,
// changed or removed in a form (ledgerEdit), saved as the ledger's newest
// version when the ledger still holds together and nobody saved it since
// the form was made.
func (s *Server) editLedger(k ledgerKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, code, err := s.ledgerCounty(r)
		if err != nil {
			return err
		}
		if !b.Scope.CanEdit() {
			return errForbidden
		}
		year, err := s.ledgerYear(r, k.Schema)
		if err != nil {
			return err
		}
		d, v, err := s.st.Ledger(r.Context(), k.Schema, code, year)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		d, note, err := ledgerEdit(r, k.Schema, d, v.ID)
		if err == nil {
			_, err = s.st.SaveLedger(r.Context(), userOf(r).Username, code, year, nil, note, v.ID, d)
		}
		if err != nil {
			if msg, ok := ledgerEditError(b, err); ok {
				return k.Render(w, r, http.StatusBadRequest, nil, msg)
			}
			return err
		}
		setFlash(w, b.T("ledger.saved"))
		http.Redirect(w, r, "/county/"+code+"/"+k.Path+yearQuery(r)+"#ledger-"+r.PostForm.Get("table"), http.StatusSeeOther)
		return nil
	}
}

// exportLedgerOf serves GET /county/{code}/{kind}.xlsx[?year=|?version=].
func (s *Server) exportLedgerOf(k ledgerKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		_, code, err := s.ledgerCounty(r)
		if err != nil {
			return err
		}
		year, err := s.ledgerYear(r, k.Schema)
		if err != nil {
			return err
		}
		name := code + "-" + k.Name
		if year != 0 {
			name += "-" + strconv.Itoa(year)
		}
		return s.exportLedger(w, r, k.Schema, code, year, name)
	}
}

// ledgerTemplate serves GET /{kind}/template.xlsx.
func ledgerTemplate(k ledgerKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return sendLedgerXLSX(w, k.Name+"模板.xlsx", k.Schema.New())
	}
}

// ledgerRegionRow is one city or county of a ledger's region view, with
// its figures F (a county's, or the sum of a city's counties').
type ledgerRegionRow[F any] struct {
	Code, Name string
	Level      string // city (a link to its counties) or county
	Has        bool   // the county, or a county of the city, has a ledger
	F          F
}

// ledgerRegion is the part of a ledger's region view every kind shares:
// the region asked for (the account's own by default), the province above
// a city, and its rows — a province's cities or a city's counties, each
// with the figures of its counties summed, and the region's total.
type ledgerRegion[F any] struct {
	Region census.Region
	Up     *census.Region // the province above a city, when the account sees it
	Prefix string         // the code prefix of the region's counties
	Rows   []ledgerRegionRow[F]
	Total  F
}

// regionOfLedger reads the region of a ledger's region view (?region=,
// the account's own by default). A county goes to its county's page
// (redirected is true then).
func (s *Server) regionOfLedger(w http.ResponseWriter, r *http.Request, b *Base, path string) (_ census.Region, _ *census.Region, _ []census.Region, redirected bool, _ error) {
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return census.Region{}, nil, nil, false, err
	}
	code := cmp.Or(r.URL.Query().Get("region"), b.Scope.Region())
	region, ok := regionIn(regions, b, code)
	if !ok {
		return census.Region{}, nil, nil, false, notFound("error.no_region", code)
	}
	if region.Level == "county" {
		http.Redirect(w, r, "/county/"+code+"/"+path+yearQuery(r), http.StatusSeeOther)
		return region, nil, nil, true, nil
	}
	var up *census.Region
	if j := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == region.Parent }); j >= 0 && region.Level == "city" && b.Scope.Sees(regions[j]) {
		u := regions[j]
		up = &u
	}
	if region.Level == census.LevelProvince && b.Scope.Nation() {
		n := nationOf(b)
		up = &n
	}
	return region, up, regions, false, nil
}

// regionIn is the region of code that b's scope sees, among regions or
// the nation (census.NationCode, for the nation's account), and whether
// there is one.
func regionIn(regions []census.Region, b *Base, code string) (census.Region, bool) {
	if code == census.NationCode {
		return nationOf(b), b.Scope.Nation()
	}
	i := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == code })
	if i < 0 || !b.Scope.Sees(regions[i]) {
		return census.Region{}, false
	}
	return regions[i], true
}

// nationOf is the nation as a region, named in b's language (全国, or
// "National" in English): unlike a real region's name, it is a word.
func nationOf(b *Base) census.Region {
	n := census.Nation()
	n.Name = b.T("region.nation")
	return n
}

// countyPrefixOf is the code prefix of the counties of a province or city
// code: 34 of 340000, 3402 of 340200, 3410 of 341000; none of the nation.
func countyPrefixOf(code string) string {
	if code == census.NationCode {
		return ""
	}
	prefix := strings.TrimRight(code, "0")
	if len(prefix) < 2 {
		return code[:2]
	}
	if len(prefix)%2 == 1 {
		return code[:len(prefix)+1]
	}
	return prefix
}

// ledgerRegionOf fills the rows of region's view: zero makes empty
// figures, add sums a county's into a row's, and county gives a county's
// figures and whether it has a ledger. Only the regions the account sees
// are listed.
func ledgerRegionOf[F any](b *Base, region census.Region, up *census.Region, regions []census.Region,
	zero func() F, add func(*F, F), county func(code string) (F, bool)) *ledgerRegion[F] {
	v := &ledgerRegion[F]{Region: region, Up: up, Prefix: countyPrefixOf(region.Code), Total: zero()}
	rowLevel, rowOf := "county", func(c string) string { return c }
	switch region.Level {
	case census.LevelNation:
		rowLevel, rowOf = census.LevelProvince, census.ProvinceCode
	case census.LevelProvince:
		rowLevel, rowOf = census.LevelCity, census.CityCode
	}
	at := map[string]int{}
	for _, rg := range regions {
		if rg.Level != rowLevel || !strings.HasPrefix(rg.Code, v.Prefix) || !b.Scope.Sees(rg) {
			continue
		}
		at[rg.Code] = len(v.Rows)
		v.Rows = append(v.Rows, ledgerRegionRow[F]{Code: rg.Code, Name: rg.Name, Level: rowLevel, F: zero()})
	}
	for _, rg := range regions {
		if rg.Level != "county" || !strings.HasPrefix(rg.Code, v.Prefix) || !b.Scope.Sees(rg) {
			continue
		}
		i, ok := at[rowOf(rg.Code)]
		if !ok {
			continue
		}
		f, has := county(rg.Code)
		row := &v.Rows[i]
		row.Has = row.Has || has
		add(&row.F, f)
		add(&v.Total, f)
	}
	return v
}

// schoolsByCounty are the census schools of year of the counties under
// prefix, by county.
func (s *Server) schoolsByCounty(r *http.Request, year int, prefix string) (map[string][]census.School, error) {
	schools, err := s.st.Schools(r.Context(), year, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]census.School{}
	for _, sc := range schools {
		if strings.HasPrefix(sc.CountyCode, prefix) {
			out[sc.CountyCode] = append(out[sc.CountyCode], sc)
		}
	}
	return out, nil
}
