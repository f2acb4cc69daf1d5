package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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
	Locked  string          // why the ledger cannot be changed now (a task holds it)
	Errors  censusio.Errors // of a refused import
	EditErr string          // of a refused form edit
	EN      bool
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
		d, v, err = s.st.Ledger(r.Context(), sc, county, year)
		if errors.Is(err, store.ErrNotFound) {
			d, err = sc.New(), nil
		}
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
	d, v, err := s.st.Ledger(r.Context(), sc, code, year)
	if errors.Is(err, store.ErrNotFound) {
		d, err = sc.New(), nil
	}
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
