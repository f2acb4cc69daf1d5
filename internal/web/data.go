package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/store"
)

const uploadTTL = 30 * time.Minute

type dataPage struct {
	*Base
	*choice
	Q        []any
	CanEdit  bool
	File     string
	Errors   []*censusio.Error
	Problem  string // an error that is not about a cell
	Grid     *previewGrid
	Warnings []censusio.Note
	Skipped  int
	Diff     *uploadDiff
	Moves    []diffRecord // records the upload moves between counties
	// NeedUnits is set when the file has money figures that look like 元
	// under a 万元 header: the form then offers to confirm them as written.
	NeedUnits bool
	Token     string
	Recent    []store.AuditEntry
}

type previewGrid struct {
	Letters []string
	Rows    []previewRow
}

type previewRow struct {
	N     int
	Cells []previewCell
}

type previewCell struct {
	Text  string
	Error string // the problem, when this cell is wrong
}

type uploadDiff struct {
	Added, Changed, Unchanged int
	Records                   []diffRecord
	More                      int // records changed or added but not listed
	Counties                  []string
}

type diffRecord struct {
	Year               int
	Code, Name, County string
	From               string // the county a moved record leaves
	Added              bool
	Changes            []fieldChange
}

type fieldChange struct {
	Key, Old, New string
}

// dataPage serves GET /data: upload, downloads, completeness, recent imports.
func (s *Server) dataPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newDataPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "data", p)
	return nil
}

func (s *Server) newDataPage(r *http.Request) (*dataPage, error) {
	b := s.base(r, "data")
	b.Title = b.T("nav.data")
	c, err := s.choose(r)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if c == nil {
		c = &choice{Standard: s.inForce().Standard, Profile: s.inForce().Profile}
	}
	p := &dataPage{Base: b, choice: c, Q: c.Query(s), CanEdit: b.Scope.CanEdit()}
	if prefix, ok := b.Scope.Audit(); ok {
		log, err := s.st.AuditLog(r.Context(), prefix, 200)
		if err != nil {
			return nil, err
		}
		for _, e := range log {
			if e.Action == store.AuditImport || e.Action == store.AuditEdit {
				p.Recent = append(p.Recent, e)
				if len(p.Recent) == 10 {
					break
				}
			}
		}
	}
	return p, nil
}

// upload serves POST /data/upload: reads the file, and shows either every
// error per cell over a preview of the rows concerned, or what importing
// would change, with a button that confirms it.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	sc := scopeOf(u)
	if !sc.CanEdit() {
		return errForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return cmp.Or(bodyTooLarge(err, "data.too_large"), badRequest("data.no_file"))
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return cmp.Or(bodyTooLarge(err, "data.too_large"), badRequest("error.400"))
	}
	p, err := s.newDataPage(r)
	if err != nil {
		return err
	}
	p.File = hdr.Filename
	batch, err := censusio.Read(hdr.Filename, bytes.NewReader(data), censusio.Options{EquipmentUnit: r.FormValue("unit"),
		ConfirmUnits: r.FormValue("confirm_units") == "1"})
	var errs censusio.Errors
	p.NeedUnits = censusio.NeedsUnitConfirmation(err)
	switch {
	case errors.As(err, &errs):
		p.Errors = errs
		p.Grid = rawPreview(data, errs)
		s.render(w, r, http.StatusUnprocessableEntity, "data", p)
		return nil
	case err != nil:
		p.Problem = err.Error()
		s.render(w, r, http.StatusUnprocessableEntity, "data", p)
		return nil
	}
	p.Warnings = batch.Warnings
	p.Skipped = len(batch.Skipped)
	t := census.TableOf(batch.Kind)
	if t == nil {
		t = &census.SchoolTable
	}
	recs := batchRecords(batch)
	// Every record must be one the account may change, judged by the
	// stored record where there is one, not by what the file says.
	errs2, moves, err := s.uploadErrors(r.Context(), p, sc, hdr.Filename, t, recs)
	if err != nil {
		return err
	}
	if len(errs2) > 0 {
		p.Errors = errs2
		s.render(w, r, http.StatusForbidden, "data", p)
		return nil
	}
	p.Moves = moves
	if p.Diff, err = s.diffUpload(r.Context(), t, recs); err != nil {
		return err
	}
	// The parsed upload waits in the database, so that any process of the
	// deployment can take the confirmation.
	extra, err := json.Marshal(moves)
	if err != nil {
		return err
	}
	p.Token, err = s.st.SavePendingUpload(r.Context(), store.PendingUpload{UserID: u.ID, File: hdr.Filename, SHA256: batch.SHA256,
		Kind: t.Kind, Records: recs, Extra: extra, Expires: s.now().Add(uploadTTL)})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "data", p)
	return nil
}

// confirmUpload serves POST /data/confirm: imports a previewed upload. The
// access rules are checked again inside the import's transaction, against
// the records as stored at that moment.
func (s *Server) confirmUpload(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	sc := scopeOf(u)
	if !sc.CanEdit() {
		return errForbidden
	}
	pu, err := s.st.TakePendingUpload(r.Context(), r.PostFormValue("token"), u.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && s.now().After(pu.Expires) {
		return badRequest("data.expired")
	}
	if err != nil {
		return err
	}
	var pendingMoves []diffRecord
	if err := json.Unmarshal(pu.Extra, &pendingMoves); err != nil {
		return err
	}
	moves := r.PostFormValue("confirm_move") == "1"
	if len(pendingMoves) > 0 && !moves {
		return badRequest("data.move_unconfirmed")
	}
	t := census.TableOf(pu.Kind)
	fb := store.FileBatch{File: pu.File, SHA256: pu.SHA256, Kind: string(pu.Kind), Records: pu.Records}
	sum, err := s.st.ImportChecked(r.Context(), u.Username, []store.FileBatch{fb}, importCheck(sc, t, moves))
	if err != nil {
		return err
	}
	counties := map[string]bool{}
	for _, rec := range pu.Records {
		counties[rec.Text("county_code")] = true
	}
	region := u.Region
	if len(counties) == 1 {
		for c := range counties {
			region = c
		}
	}
	lang := langOf(r)
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditImport, Region: region, Target: pu.File,
		Detail: fmt.Sprintf("added %d, changed %d (%d fields), unchanged %d", sum.Added, sum.Changed, sum.Changes, sum.Unchanged)})
	for _, m := range pendingMoves {
		// A move is entered in the log of both counties.
		for _, c := range []string{m.From, m.County} {
			s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditMove, Region: c, Target: m.Code, Detail: moveAudit(m)})
		}
	}
	setFlash(w, tr(lang, "data.imported", pu.File, sum.Added, sum.Changed, sum.Unchanged))
	next := "/data"
	if len(counties) == 1 && sc.County(region) {
		next = "/county/" + region
	} else if len(pu.Records) == 1 && pu.Kind == census.KindSchool {
		_, code := pu.Records[0].Key()
		next = "/school/" + code
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// rawPreview shows the header and the rows with errors (at most 30) as the
// file has them, marking the wrong cells. It reads the rows through
// censusio.PreviewRows, which opens a workbook with the same limits as the
// import (a zip bomb is refused, not unpacked) and numbers rows as the
// errors do; a file that cannot be read at all yields no preview, only the
// error table.
func rawPreview(data []byte, errs censusio.Errors) *previewGrid {
	bad := map[int]map[string]string{}
	var order []int
	for _, e := range errs {
		if e.Row <= 0 {
			continue
		}
		if bad[e.Row] == nil {
			bad[e.Row] = map[string]string{}
			order = append(order, e.Row)
		}
		key := e.Letter
		if key == "" {
			key = "*"
		}
		if prev, ok := bad[e.Row][key]; ok {
			bad[e.Row][key] = prev + "；" + e.Problem
		} else {
			bad[e.Row][key] = e.Problem
		}
	}
	if len(order) == 0 {
		return nil
	}
	slices.Sort(order)
	shown := append([]int{1}, order[:min(30, len(order))]...)
	cells, err := censusio.PreviewRows(data, censusio.Options{}, shown)
	if err != nil || cells[0] == nil {
		return nil
	}
	rows := map[int][]string{}
	width := 0
	for i, n := range shown {
		if cells[i] != nil {
			rows[n] = cells[i]
			width = max(width, len(cells[i]))
		}
	}
	g := &previewGrid{}
	for i := range width {
		g.Letters = append(g.Letters, columnLetter(i))
	}
	add := func(n int) {
		cs, ok := rows[n]
		if !ok {
			return
		}
		row := previewRow{N: n}
		for i := range width {
			c := previewCell{}
			if i < len(cs) {
				c.Text = cs[i]
			}
			if m := bad[n]; m != nil {
				c.Error = m[columnLetter(i)]
			}
			row.Cells = append(row.Cells, c)
		}
		g.Rows = append(g.Rows, row)
	}
	for i, n := range shown {
		if i == 0 || n != 1 {
			add(n)
		}
	}
	return g
}

// columnLetter names column i (0-based) as Excel does: A … Z, AA ….
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// downloadTemplate serves GET /data/template.xlsx: the empty import template.
func (s *Server) downloadTemplate(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := censusio.WriteTemplate(&buf, "school"); err != nil {
		return err
	}
	attach(w, "学校数据模板.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err := w.Write(buf.Bytes())
	return err
}

// downloadRecords serves GET /data/records.xlsx?year=&county=: the stored
// records in scope, with the template's headers, so that a clerk can
// correct them in Excel and upload the file again.
func (s *Server) downloadRecords(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(userOf(r))
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	county := r.URL.Query().Get("county")
	switch {
	case sc.SchoolOnly() && county != "" && county != sc.Region():
		return errOutOfScope // as the API answers
	case sc.SchoolOnly():
		county = sc.Region()
	case county != "" && !sc.County(county):
		return errOutOfScope
	}
	all, err := s.st.Schools(r.Context(), c.Year, county)
	if err != nil {
		return err
	}
	recs := all[:0]
	for _, rec := range all {
		if sc.School(rec.CountyCode, rec.Code) {
			recs = append(recs, rec)
		}
	}
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsXLSX(&buf, recs); err != nil {
		return err
	}
	name := fmt.Sprintf("学校数据-%d", c.Year)
	if county != "" {
		name += "-" + county
	}
	attach(w, name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = w.Write(buf.Bytes())
	return err
}

type completenessPage struct {
	*Base
	*choice
	Q        []any
	Previous int
	Rows     []completeRow
	Missing  int
	Partial  int
}

type completeRow struct {
	Code, Name  string
	Reported    int
	LastYear    int
	NotReported []census.School // reported last year, not this year
	Incomplete  []incompletePart
}

type incompletePart struct {
	Code, Name string
	Stage      census.Stage
	Missing    []string
}

// completenessPage serves GET /data/completeness?year=: per county in scope,
// the schools that reported last year but not this year, and the school
// parts whose data are incomplete.
func (s *Server) completenessPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "data")
	if b.Scope.SchoolOnly() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	p := &completenessPage{Base: b, choice: c, Q: c.Query(s)}
	i := slices.Index(c.Years, c.Year)
	var prev map[string][]census.School
	if i > 0 {
		p.Previous = c.Years[i-1]
		all, err := s.st.Schools(r.Context(), p.Previous, "")
		if err != nil {
			return err
		}
		prev = map[string][]census.School{}
		for _, rec := range all {
			if b.Scope.County(rec.CountyCode) {
				prev[rec.CountyCode] = append(prev[rec.CountyCode], rec)
			}
		}
	}
	res, err := s.cache.result(r.Context(), c.Rules, c.Year, "")
	if err != nil {
		return err
	}
	cur, err := s.st.Schools(r.Context(), c.Year, "")
	if err != nil {
		return err
	}
	have := map[string]bool{}
	count := map[string]int{}
	for _, rec := range cur {
		have[rec.Code] = true
		count[rec.CountyCode]++
	}
	for _, cty := range res.Counties {
		if !b.Scope.County(cty.Code) {
			continue
		}
		row := completeRow{Code: cty.Code, Name: cty.Name, Reported: count[cty.Code], LastYear: len(prev[cty.Code])}
		for _, rec := range prev[cty.Code] {
			if !have[rec.Code] {
				row.NotReported = append(row.NotReported, rec)
			}
		}
		for _, part := range cty.Parts {
			if !part.Excluded && len(part.Missing) > 0 {
				row.Incomplete = append(row.Incomplete, incompletePart{Code: part.SchoolCode, Name: part.SchoolName, Stage: part.Stage, Missing: part.Missing})
			}
		}
		p.Missing += len(row.NotReported)
		p.Partial += len(row.Incomplete)
		p.Rows = append(p.Rows, row)
	}
	// Counties with gaps first.
	slices.SortStableFunc(p.Rows, func(a, b completeRow) int {
		return (len(b.NotReported) + len(b.Incomplete)) - (len(a.NotReported) + len(a.Incomplete))
	})
	b.Title = b.T("complete.title")
	s.render(w, r, http.StatusOK, "completeness", p)
	return nil
}

// tr translates outside a page.
func tr(l i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) }
