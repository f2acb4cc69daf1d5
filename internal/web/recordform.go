package web

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/review"
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
	// Task is the reporting task the form is filled for (?task=), or nil.
	// Prefilled says the figures shown are last year's, to be checked.
	Task      *store.Task
	Prefilled bool
	Locked    string // why the save was refused: a task holds the record locked
	// Returned maps column keys to the reviewer's reason in the latest
	// return; Flags to what a plausibility rule found, which the unit
	// keeps with an explanation (Explain, by column key).
	Returned map[string]string
	Flags    map[string][]review.Flag
	Explain  map[string]string
}

type fieldGroup struct {
	Key    string // i18n key of the group's heading
	Fields []formField
}

type formField struct {
	Key, Value, Unit string
	Returned         string
	Flags            []review.Flag
	Explain          string
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
	// task is the reporting task of ?task=, nil without one; prev is the
	// record of the year before (nil when none), which pre-fills a new
	// record of the task's year and which the plausibility rules compare.
	task      *store.Task
	prev      census.UnitRecord
	prefilled bool
	// locked is the message of a save refused because a reporting task
	// holds the record locked.
	locked string
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
	if v := r.URL.Query().Get("task"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, notFound("error.404")
		}
		task, err := s.st.Task(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if !b.Scope.Task(task) || !task.Has(kind) {
			return nil, errOutOfScope
		}
		tg.task, c.Year = &task, task.Year
		prev, err := s.st.Record(r.Context(), string(kind), task.Year-1, code)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		tg.prev = prev
	}
	rec, err := s.st.Record(r.Context(), string(kind), c.Year, code)
	switch {
	case err == nil:
		tg.rec, tg.exists = rec, true
	case errors.Is(err, store.ErrNotFound) && tg.task != nil && tg.prev != nil && kind != census.KindCounty:
		// Collect once: a unit's record of the task's year starts from
		// last year's figures, and the unit changes what changed.
		tg.rec = copyRecord(t, tg.prev)
		tg.rec.SetYear(c.Year)
		tg.prefilled = true
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
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			r.Body = http.MaxBytesReader(w, r.Body, 5*store.MaxEvidenceSize+(1<<20))
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				return cmp.Or(bodyTooLarge(err, "judge.request_too_large", (5*store.MaxEvidenceSize)>>20, store.MaxEvidenceSize>>20), badRequest("error.400"))
			}
		} else if err := r.ParseForm(); err != nil {
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
		var flags []review.Flag
		explain := map[string]string{}
		if tg.task != nil {
			// A value failing a plausibility rule is kept with a written
			// explanation, not refused; without one the form asks for it.
			flags = review.Check(tg.t, tg.prev, next)
			missing := false
			for _, f := range flags {
				explain[f.Column] = strings.TrimSpace(r.PostForm.Get("explain." + f.Column))
				if explain[f.Column] == "" {
					missing = true
				}
			}
			if missing {
				return s.renderRecordFormFlags(w, r, tg, values, flags, explain)
			}
		}
		evidence, err := explanationEvidence(r, flags)
		if err != nil {
			return err
		}
		n, err := s.st.SaveRecord(r.Context(), u.Username, next, kind == census.KindCounty || tg.prefilled, sameCountyInScope(sc))
		var locked *store.LockedError
		if errors.As(err, &locked) {
			if locked.Case != 0 {
				k, args := lockedKey(locked)
				tg.locked = tg.b.T(k, args...)
			} else {
				tg.locked = tg.b.T("review.locked", locked.Task, tg.b.T("state."+string(locked.State)), locked.Code, locked.Year)
			}
			return s.renderRecordForm(w, r, tg, values, nil, http.StatusConflict)
		}
		if err != nil {
			return err
		}
		if err := s.saveExplanations(r, tg, next, flags, explain, evidence); err != nil {
			return err
		}
		county := next.Text("county_code")
		_, code := next.Key()
		name := next.Text(tg.t.NameKey)
		s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: county, Target: auditTarget(kind, code),
			Detail: fmt.Sprintf("%d 年度 %s：修改 %d 项", tg.c.Year, name, n)})
		key := "edit.saved"
		if kind == census.KindCounty {
			key = "record.saved"
		}
		setFlash(w, tg.b.T(key, n))
		if tg.task != nil {
			uk := review.Unit
			if kind == census.KindCounty {
				uk = review.County
			}
			http.Redirect(w, r, fmt.Sprintf("/task/%d/%s/%s", tg.task.ID, uk, code), http.StatusSeeOther)
			return nil
		}
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
	return s.renderRecordFormWith(w, r, tg, values, errs, status, nil, nil)
}

// renderRecordFormWith renders the form; flags (when not nil) are the
// plausibility flags of the values sent, shown instead of the stored
// record's, and explain the explanations sent, which replace those kept.
func (s *Server) renderRecordFormWith(w http.ResponseWriter, r *http.Request, tg *recordTarget, values, errs map[string]string, status int, flags []review.Flag, explain map[string]string) error {
	t := tg.t
	_, code := tg.rec.Key()
	name := tg.rec.Text(t.NameKey)
	p := &recordFormPage{Base: tg.b, choice: tg.c, Q: tg.c.Query(s), Kind: t.Kind, Code: code, Name: name,
		Back: recordPage(t.Kind, code), Action: recordFormPath(t.Kind, code), Exists: tg.exists,
		CanEdit: tg.b.Scope.CanEdit(), Errors: errs, Task: tg.task, Prefilled: tg.prefilled, Locked: tg.locked,
		Flags: map[string][]review.Flag{}, Explain: map[string]string{}}
	if tg.task != nil {
		if err := s.taskFormContext(r, tg, p); err != nil {
			return err
		}
		if flags == nil && tg.exists {
			flags = review.Check(tg.t, tg.prev, tg.rec) // the stored record's
		}
		for _, f := range flags {
			p.Flags[f.Column] = append(p.Flags[f.Column], f)
		}
		for k, v := range explain {
			if v != "" {
				p.Explain[k] = v
			}
		}
	}
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
		p.Groups[i].Fields = append(p.Groups[i].Fields, formField{Key: c.Key, Value: values[c.Key], Unit: c.Unit, Integer: c.Integer, Note: c.Note,
			Returned: p.Returned[c.Key], Flags: p.Flags[c.Key], Explain: p.Explain[c.Key]})
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

// copyRecord returns a copy of rec of table t.
func copyRecord(t *census.Table, rec census.UnitRecord) census.UnitRecord {
	out := t.New()
	for _, c := range t.Text {
		if c.Key != "year" {
			out.SetText(c.Key, rec.Text(c.Key))
		}
	}
	copy(out.Values(), rec.Values())
	y, _ := rec.Key()
	out.SetYear(y)
	return out
}

// taskFormContext fills in what a form filled for a reporting task shows:
// the reasons of the latest return by field, and the explanations kept.
func (s *Server) taskFormContext(r *http.Request, tg *recordTarget, p *recordFormPage) error {
	_, code := tg.rec.Key()
	steps, err := s.st.Steps(r.Context(), tg.task.ID, code)
	if err != nil {
		return err
	}
	p.Returned = map[string]string{}
	for k, v := range latestReturn(steps) {
		if kind, col, ok := strings.Cut(k, "/"); ok && census.Kind(kind) == tg.t.Kind {
			p.Returned[col] = v
		}
	}
	expl, err := s.st.Explanations(r.Context(), tg.task.ID, code)
	if err != nil {
		return err
	}
	for _, e := range expl {
		if e.RecordKind == tg.t.Kind && p.Explain[e.Column] == "" {
			p.Explain[e.Column] = e.Explanation
		}
	}
	return nil
}

// renderRecordFormFlags shows the form again with the values that fail a
// plausibility rule, asking for an explanation of each (422: nothing was
// saved).
func (s *Server) renderRecordFormFlags(w http.ResponseWriter, r *http.Request, tg *recordTarget, values map[string]string, flags []review.Flag, explain map[string]string) error {
	errs := map[string]string{"_": tg.b.T("review.explain_needed", len(flags))}
	return s.renderRecordFormWith(w, r, tg, values, errs, http.StatusUnprocessableEntity, flags, explain)
}

// explanationEvidence reads and checks the evidence files sent with the
// explanations of flags (evidence.<column>), before anything is saved.
func explanationEvidence(r *http.Request, flags []review.Flag) (map[string]store.EvidenceUpload, error) {
	out := map[string]store.EvidenceUpload{}
	if r.MultipartForm == nil {
		return out, nil
	}
	for _, f := range flags {
		fhs := r.MultipartForm.File["evidence."+f.Column]
		if len(fhs) == 0 {
			continue
		}
		file, err := fhs[0].Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(file, store.MaxEvidenceSize+1))
		file.Close()
		if err != nil {
			return nil, err
		}
		if _, err := store.SniffEvidence(fhs[0].Filename, data); err != nil {
			if errors.Is(err, store.ErrEvidenceSize) {
				return nil, tooLarge("judge.too_large", store.MaxEvidenceSize>>20)
			}
			return nil, badRequest("judge.bad_type", fhs[0].Filename)
		}
		out[f.Column] = store.EvidenceUpload{Name: fhs[0].Filename, Data: data}
	}
	return out, nil
}

// saveExplanations keeps the explanations (and evidence files) given for
// the flags of a record saved for a task.
func (s *Server) saveExplanations(r *http.Request, tg *recordTarget, rec census.UnitRecord, flags []review.Flag, explain map[string]string, evidence map[string]store.EvidenceUpload) error {
	if tg.task == nil || len(flags) == 0 {
		return nil
	}
	y, code := rec.Key()
	county := rec.Text("county_code")
	actor := userOf(r).Username
	for _, f := range flags {
		e := store.Explanation{TaskID: tg.task.ID, RecordKind: tg.t.Kind, Code: code, Column: f.Column, Rule: f.Rule,
			Message: f.Message, Explanation: explain[f.Column], Actor: actor}
		if up, ok := evidence[f.Column]; ok {
			ev, err := s.st.AddEvidence(r.Context(), "review", county, y, fmt.Sprintf("task-%d/%s/%s", tg.task.ID, code, f.Column), actor, up)
			if err != nil {
				return err
			}
			e.EvidenceID = ev.ID
		}
		if err := s.st.SaveExplanation(r.Context(), e); err != nil {
			return err
		}
	}
	return nil
}
