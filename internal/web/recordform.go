package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// The edit form of a record of any kind: school (/school/{code}/edit),
// kindergarten (/kindergarten/{code}/edit) and county (/county/{code}/record).
// Every input, every check and every saved column comes from the kind's
// census.Table: a column declared there is in the form, validated as an
// upload validates it, saved and shown in the history, with nothing listed
// here by hand. Identifying columns (year, county code and name, the
// record's code) are shown, not edited: they come from the stored record.

// recordFormPage is the data of the recordform template.
type recordFormPage struct {
	*Base
	*choice
	Q       []any
	Kind    census.Kind
	Code    string // the record's code
	Name    string // its name, for the title
	Back    string // the page the form belongs to
	Action  string
	Exists  bool // false for a county record not yet saved
	CanEdit bool
	Ident   []formField // shown, not edited
	Text    []formField // editable text columns
	Groups  []fieldGroup
	Errors  map[string]string // column key ("_" for the record) → problem and fix
	History []store.Change
}

type fieldGroup struct {
	Key    string // i18n key of the group's heading
	Fields []formField
}

type formField struct {
	Key, Value, Unit string
	Integer          bool
	Note             string
	Choices          []census.Choice // a select's options, for coded text columns
}

// recordTarget is the record a form is about, found and checked against
// the account's scope.
type recordTarget struct {
	b      *Base
	c      *choice
	t      *census.Table
	rec    census.UnitRecord // the stored record, or a new one (county records)
	exists bool
}

// formTarget finds the record of kind named by the path's code in the
// chosen year. A record outside the account's scope answers 404 like a
// missing one; one the account sees but may not change answers 403 when
// edit is set.
func (s *Server) formTarget(r *http.Request, kind census.Kind, edit bool) (*recordTarget, error) {
	b := s.base(r, "county")
	if kind == census.KindSchool {
		b = s.base(r, "school")
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	t := census.TableOf(kind)
	code := r.PathValue("code")
	tg := &recordTarget{b: b, c: c, t: t}
	rec, err := s.st.Record(r.Context(), string(kind), c.Year, code)
	switch {
	case err == nil:
		tg.rec, tg.exists = rec, true
	case errors.Is(err, store.ErrNotFound) && kind == census.KindCounty:
		// A county's figures may be entered for the first time here, for
		// a county the regions know.
		rg, err := s.regionName(r, code)
		if err != nil {
			return nil, err
		}
		if rg.Level != census.LevelCounty {
			return nil, notFound("error.404")
		}
		tg.rec = t.New()
		tg.rec.SetYear(c.Year)
		tg.rec.SetText("county_code", code)
		tg.rec.SetText("county_name", rg.Name)
	default:
		return nil, err
	}
	county := tg.rec.Text("county_code")
	visible := b.Scope.County(county)
	if kind == census.KindSchool {
		visible = b.Scope.School(county, code)
	}
	if !visible {
		return nil, notFound("error.404")
	}
	if kind == census.KindCounty {
		// A county's name is the region's, not what a record once said.
		if rg, err := s.regionName(r, code); err == nil && rg.Name != "" {
			tg.rec.SetText("county_name", rg.Name)
		}
	}
	if edit && !b.Scope.CanEdit() {
		return nil, errForbidden
	}
	return tg, nil
}

// recordFormGet serves the form of kind.
func (s *Server) recordFormGet(kind census.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		tg, err := s.formTarget(r, kind, kind != census.KindCounty)
		if err != nil {
			return err
		}
		values := map[string]string{}
		for _, c := range tg.t.Text {
			values[c.Key] = tg.rec.Text(c.Key)
		}
		for i, v := range tg.rec.Values() {
			if v == v {
				values[tg.t.Num[i].Key] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return s.renderRecordForm(w, r, tg, values, nil, http.StatusOK)
	}
}

// recordFormPost validates the form of kind exactly as the importer
// validates a file (it is read as a one-row file by censusio.Read), and on
// success saves it with its history.
func (s *Server) recordFormPost(kind census.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		tg, err := s.formTarget(r, kind, true)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return badRequest("error.400")
		}
		values := map[string]string{}
		for _, c := range tg.t.Text {
			if tg.t.Identifying(c.Key) {
				values[c.Key] = tg.rec.Text(c.Key)
			} else {
				values[c.Key] = strings.TrimSpace(r.PostForm.Get(c.Key))
			}
		}
		for _, c := range tg.t.Num {
			values[c.Key] = strings.TrimSpace(r.PostForm.Get(c.Key))
		}
		next, errs, err := validateForm(tg.t, tg.rec, values)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return s.renderRecordForm(w, r, tg, values, errs, http.StatusUnprocessableEntity)
		}
		u := userOf(r)
		sc := tg.b.Scope
		n, err := s.st.SaveRecord(r.Context(), u.Username, next, kind == census.KindCounty, sameCountyInScope(sc))
		if err != nil {
			return err
		}
		county := next.Text("county_code")
		_, code := next.Key()
		name := next.Text(tg.t.NameKey)
		s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: county, Target: auditTarget(kind, code),
			Detail: fmt.Sprintf("%d %s, %d fields", tg.c.Year, name, n)})
		key := "edit.saved"
		if kind == census.KindCounty {
			key = "record.saved"
		}
		setFlash(w, tg.b.T(key, n))
		http.Redirect(w, r, recordPage(kind, code)+string(queryString(tg.c.Query(s)...)), http.StatusSeeOther)
		return nil
	}
}

// sameCountyInScope is the check a save makes inside its transaction: the
// stored record (if any) must be in the account's scope, and the record
// must stay in its county. Moving a record between counties is not an edit.
func sameCountyInScope(sc Scope) store.CheckFunc {
	return func(old, rec census.UnitRecord) error {
		if old == nil {
			return nil
		}
		county := old.Text("county_code")
		_, code := old.Key()
		if !sc.County(county) && !(sc.SchoolOnly() && sc.School(county, code)) {
			return store.ErrNotFound
		}
		if rec.Text("county_code") != county {
			return errForbidden
		}
		return nil
	}
}

// auditTarget names a record in the audit log.
func auditTarget(kind census.Kind, code string) string {
	switch kind {
	case census.KindSchool:
		return code
	case census.KindCounty:
		return "county_record"
	}
	return string(kind) + ":" + code
}

// recordPage is the page a record of kind is shown on.
func recordPage(kind census.Kind, code string) string {
	switch kind {
	case census.KindSchool:
		return "/school/" + code
	case census.KindCounty:
		return "/county/" + code + "/verdict"
	}
	return "/" + string(kind) + "/" + code
}

// recordFormPath is the address of the form of a record of kind.
func recordFormPath(kind census.Kind, code string) string {
	if kind == census.KindCounty {
		return "/county/" + code + "/record"
	}
	return "/" + string(kind) + "/" + code + "/edit"
}

func (s *Server) renderRecordForm(w http.ResponseWriter, r *http.Request, tg *recordTarget, values, errs map[string]string, status int) error {
	t := tg.t
	_, code := tg.rec.Key()
	name := tg.rec.Text(t.NameKey)
	p := &recordFormPage{Base: tg.b, choice: tg.c, Q: tg.c.Query(s), Kind: t.Kind, Code: code, Name: name,
		Back: recordPage(t.Kind, code), Action: recordFormPath(t.Kind, code), Exists: tg.exists,
		CanEdit: tg.b.Scope.CanEdit(), Errors: errs}
	for _, c := range t.Text {
		f := formField{Key: c.Key, Value: values[c.Key], Note: c.Note, Choices: c.Choices}
		switch {
		case c.Key == "year":
			continue // the year is the page's
		case t.Identifying(c.Key):
			f.Value = t.FileText(tg.rec, c.Key)
			p.Ident = append(p.Ident, f)
		default:
			p.Text = append(p.Text, f)
		}
	}
	groups := map[string]int{}
	for _, c := range t.Num {
		key := "edit.group." + c.Group
		if c.Group == "" {
			key = "edit.group.figures"
		}
		i, ok := groups[key]
		if !ok {
			i = len(p.Groups)
			groups[key] = i
			p.Groups = append(p.Groups, fieldGroup{Key: key})
		}
		p.Groups[i].Fields = append(p.Groups[i].Fields, formField{Key: c.Key, Value: values[c.Key], Unit: c.Unit, Integer: c.Integer, Note: c.Note})
	}
	if tg.exists {
		h, err := s.st.RecordHistory(r.Context(), string(t.Kind), tg.c.Year, code)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p.History = h
	}
	p.Title = tg.b.T("edit.title", name) + " · " + strconv.Itoa(tg.c.Year)
	s.render(w, r, status, "recordform", p)
	return nil
}

// validateForm checks the values of a record of table t (by column key)
// by reading them as a one-row census file: the same rules, messages and
// fixes as an upload. It returns the new record, or problems by column key.
func validateForm(t *census.Table, rec census.UnitRecord, values map[string]string) (census.UnitRecord, map[string]string, error) {
	var header, row []string
	for _, c := range t.Text {
		header = append(header, c.Key)
		v := values[c.Key]
		if c.Key == "year" {
			y, _ := rec.Key()
			v = strconv.Itoa(y)
		}
		row = append(row, v)
	}
	for _, c := range t.Num {
		h := c.Key
		if c.Unit == "元" {
			h += "(元)" // the form asks for 元; the header must say so
		}
		header = append(header, h)
		row = append(row, values[c.Key])
	}
	batch, problems, err := readFormRow(header, row, string(t.Kind))
	if problems != nil {
		return nil, problems, nil
	}
	if err != nil {
		return nil, nil, err
	}
	recs := batchRecords(batch)
	if len(recs) != 1 {
		return nil, map[string]string{"_": "no record"}, nil
	}
	return recs[0], nil, nil
}

// batchRecords returns the records a file yielded, whatever their kind.
func batchRecords(b *censusio.Batch) []census.UnitRecord {
	var out []census.UnitRecord
	for i := range b.Schools {
		out = append(out, &b.Schools[i])
	}
	return append(out, b.Records...)
}

// readFormRow reads a form's values as a one-row census file of kind, so
// that a form gets the same rules, messages and fixes as an upload.
// problems maps column keys ("_" for the row) to what is wrong and how to
// fix it; it is nil when the row is valid.
func readFormRow(header, row []string, kind string) (batch *censusio.Batch, problems map[string]string, err error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(header)
	// The reader takes one leading ' off a text cell (the mark dudao's CSV
	// files put before =, +, - and @): written the same way, a value typed
	// as '=x stays '=x.
	safe := make([]string, len(row))
	for i, v := range row {
		safe[i] = censusio.SafeCSVCell(v)
	}
	cw.Write(safe)
	cw.Flush()
	batch, err = censusio.Read("form.csv", &buf, censusio.Options{Kind: kind})
	var es censusio.Errors
	if !errors.As(err, &es) {
		return batch, nil, err
	}
	problems = map[string]string{}
	for _, e := range es {
		key := strings.TrimSuffix(e.Column, "(元)")
		if key == "" {
			key = "_"
		}
		msg := e.Problem
		if e.Value != "" {
			msg = "“" + e.Value + "”" + msg
		}
		if e.Fix != "" {
			msg += "；" + e.Fix
		}
		if prev, ok := problems[key]; ok {
			msg = prev + "；" + msg
		}
		problems[key] = msg
	}
	return nil, problems, nil
}
