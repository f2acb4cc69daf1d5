package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationeval"
	"github.com/dudao-edu/dudao/internal/rotationio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// rotationPage is GET /county/{code}/rotation?year=: the county's
// 教师交流轮岗 (teacher rotation) ledger of the year — the two shares the
// 政府保障 item judges, with their lights and margins; the inverse view,
// which schools lose and gain teachers and backbone teachers; the schools
// the year's rotations would push below the school rule; the import form.
type rotationPage struct {
	*Base
	*choice
	Q        []any
	Code     string
	County   string
	Has      bool // the county has a ledger for the year
	Shares   rotation.Shares
	Flows    []rotation.Flow
	Breaks   []rotationBreak
	Stored   rotation.Ledger
	MinYears int
	// Ledger is the stored ledger's tables with their row forms (the
	// shared ledger panel, tables only: an import and a form's change both
	// go through the preview).
	Ledger  ledgerPanel
	Imports []store.RotationImport
	// Locked says which reporting task holds the year's ledger under
	// review ("" when none): the import form is not offered then.
	Locked string
	// CanImport: the account may replace the ledger.
	CanImport bool
	Errors    censusio.Errors // of a refused import
	Preview   *rotationPreview
	Unstaged  []rotation.Rotation // of the stored ledger: rotations of no known stage
}

// rotationBreak is a school part that meets the school rule today and
// would not with the year's rotations applied to its teacher counts.
type rotationBreak struct {
	School, Name string
	Stage        census.Stage
	Out, In      int // teachers of the stage it sends and receives
	Short        []string
}

// rotationPreview is a ledger read and not yet stored: what storing it
// would do, and the token that confirms it.
type rotationPreview struct {
	Token  string
	Year   int // the ledger's school year, from its start dates
	Files  []string
	Ledger rotation.Ledger
	Shares rotation.Shares
	// Rows are the rotations as read, each with the stage it moves (at
	// most maxPreviewRows of them; More counts the others).
	Rows     []rotationRow
	More     int
	Breaks   []rotationBreak
	Unstaged []rotation.Rotation
	Unknown  []string
	NoCensus bool // no school records of the year: the rule is not checked
	Replaces bool // the county has a ledger of the year, which it replaces
}

// rotationRow is one rotation of a preview with its stage.
type rotationRow struct {
	rotation.Rotation
	Moves census.Stage // the stage whose counts it moves; "" when unknown
}

// maxPreviewRows bounds the rotations a preview lists.
const maxPreviewRows = 300

// Light is the class of a share's light.
func (p *rotationPage) Light(s rotation.Share) string {
	switch {
	case s.Value == nil:
		return "muted"
	case s.Met:
		return "ok"
	}
	return "bad"
}

// Margin writes a share's margin in percentage points, signed.
func (p *rotationPage) Margin(s rotation.Share) string {
	if s.Margin == nil {
		return "—"
	}
	m := new(big.Rat).Mul(s.Margin, big.NewRat(100, 1))
	sign := ""
	if m.Sign() > 0 {
		sign = "+"
	}
	return sign + m.FloatString(2)
}

// rotationPageGet serves GET /county/{code}/rotation.
func (s *Server) rotationPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderRotation(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderRotation(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, pv *rotationPreview) error {
	return s.renderRotationEdit(w, r, status, errs, pv, "")
}

// renderRotationEdit is renderRotation with a refused form edit's message.
func (s *Server) renderRotationEdit(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, pv *rotationPreview, editErr string) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return err
	}
	p := &rotationPage{Base: b, choice: c, Q: c.Query(s), Code: code, County: cmp.Or(rg.Name, code), CanImport: b.Scope.CanEdit(),
		Errors: errs, Preview: pv, MinYears: rotation.MinYears(c.Rules.Settings.RotationMinYears)}
	b.Title = p.County + " · " + b.T("rotation.title")
	if p.Imports, err = s.st.RotationImports(r.Context(), code); err != nil {
		return err
	}
	lock, err := s.st.LedgerLock(r.Context(), rotationio.Schema.Kind, code, c.Year)
	if err != nil {
		return err
	}
	if lock != nil {
		p.Locked, p.CanImport = ledgerLockedText(b, lock), false
	}
	l, err := s.st.Rotation(r.Context(), code, c.Year)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		p.Has, p.Stored, p.Shares, p.Flows = true, l, l.Shares(), l.Flows()
		if !c.Rules.Preschool() {
			res, _, err := s.rotationCheck(r.Context(), c.Rules, code, l)
			if err != nil {
				return err
			}
			p.Breaks, p.Unstaged = rotationBreaks(c.Rules, res), res.Unstaged
		}
	}
	d, v, err := s.st.Ledger(r.Context(), rotationio.Schema, code, c.Year)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if p.Ledger, err = s.ledgerPanelOf(r, b, ledgerKind{Schema: rotationio.Schema, Path: "rotation"}, code, c.Year, d, v, nil, editErr); err != nil {
		return err
	}
	p.Ledger.TablesOnly = true
	s.render(w, r, status, "rotation", p)
	return nil
}

// rotationCheck judges ledger l of county against the school rule with
// the county's census records of the ledger's year (rotationeval.Check:
// before and after its rotations move the teachers of their stages); ok
// is false when there are none.
func (s *Server) rotationCheck(ctx context.Context, rules *standards.Rules, county string, l rotation.Ledger) (res rotationeval.Result, ok bool, err error) {
	recs, err := s.st.Schools(ctx, l.Year, county)
	if err != nil || len(recs) == 0 {
		return rotationeval.Result{}, false, err
	}
	return rotationeval.Check(rules, recs, l), true, nil
}

// rotationBreaks writes each break's shortfalls: the indicator's name,
// its value after and its threshold.
func rotationBreaks(rules *standards.Rules, res rotationeval.Result) []rotationBreak {
	var out []rotationBreak
	for _, b := range res.Breaks {
		rb := rotationBreak{School: b.School, Name: b.Name, Stage: b.Stage, Out: b.Out, In: b.In}
		for _, sf := range b.Shortfalls {
			name := sf.Indicator
			if ind := rules.Indicator(sf.Indicator); ind != nil {
				name = ind.ZH
			}
			rb.Short = append(rb.Short, fmt.Sprintf("%s %s < %s", name, fmtNum(sf.Value, 2), fmtFixed(sf.Threshold)))
		}
		out = append(out, rb)
	}
	return out
}

// rotationTemplate serves GET /rotation/template.xlsx: the empty workbook
// of the rotation ledger with its notes.
func (s *Server) rotationTemplate(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, rotation.Ledger{}); err != nil {
		return err
	}
	return sendXLSX(w, "教师交流轮岗台账模板.xlsx", buf.Bytes())
}

// rotationExport serves GET /county/{code}/rotation.xlsx?year=: the
// county's ledger of the year in the import workbook.
func (s *Server) rotationExport(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	b := s.base(r, "county")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	// The newest version of the year, or ?version= (any year's, as the
	// page's list of imports links them).
	return s.exportLedger(w, r, rotationio.Schema, code, c.Year, code+"-"+strconv.Itoa(c.Year)+"-教师交流轮岗台账")
}

// maxRotationUpload bounds an upload of a rotation ledger.
const maxRotationUpload = 20 << 20

// importRotation serves POST /county/{code}/rotation/import?year=: reads
// the files chosen (a workbook of the two sheets, or CSV files of one
// table each) and, storing nothing, shows what they would do — the rows,
// the shares against their floors, the schools that would fall below the
// school rule — with a button that confirms them (confirmRotation). The
// ledger's year is the school year its rotations start in; a refused file
// shows its errors on the page.
func (s *Server) importRotation(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	uploaded, names, err := ledgerFiles(w, r, maxRotationUpload, "rotation")
	if err != nil {
		return err
	}
	files := make([]rotationio.File, len(uploaded))
	h := sha256.New()
	for i, f := range uploaded {
		files[i] = rotationio.File(f)
		h.Write(f.Data)
	}
	l, err := rotationio.ReadYear(c.Year, c.Years, files...)
	if err == nil {
		if verr := l.Validate(); verr != nil {
			msg := verr.Error()
			if _, after, ok := strings.Cut(msg, rotation.ErrInput.Error()+": "); ok {
				msg = after
			}
			err = censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}}
		}
	}
	if err != nil {
		var es censusio.Errors
		if errors.As(err, &es) {
			return s.renderRotation(w, r, http.StatusBadRequest, es, nil)
		}
		return err
	}
	return s.previewRotation(w, r, c, code, l, names, hex.EncodeToString(h.Sum(nil)), store.AnyVersion, "")
}

// previewRotation shows what ledger l (read from files names, or made by
// a form's change from version base) would do — the rows, the shares
// against their floors, the schools that would fall below the school
// rule — storing nothing but the preview itself, with a button that
// confirms it (confirmRotation).
func (s *Server) previewRotation(w http.ResponseWriter, r *http.Request, c *choice, code string, l rotation.Ledger, names []string, sha string, base int64, note string) error {
	l.County = code
	pv := &rotationPreview{Year: l.Year, Files: names, Ledger: l, Shares: l.Shares()}
	for i, x := range l.Rotations {
		if i == maxPreviewRows {
			pv.More = len(l.Rotations) - i
			break
		}
		pv.Rows = append(pv.Rows, rotationRow{Rotation: x})
	}
	if !c.Rules.Preschool() {
		res, ok, err := s.rotationCheck(r.Context(), c.Rules, code, l)
		if err != nil {
			return err
		}
		pv.NoCensus = !ok
		pv.Breaks, pv.Unstaged, pv.Unknown = rotationBreaks(c.Rules, res), res.Unstaged, res.Unknown
		if ok {
			recs, err := s.st.Schools(r.Context(), l.Year, code)
			if err != nil {
				return err
			}
			types := map[string]census.SchoolType{}
			for _, sc := range recs {
				types[sc.Code] = sc.Type
			}
			for i := range pv.Rows {
				pv.Rows[i].Moves = rotation.StageOf(pv.Rows[i].Rotation, types)
			}
		}
	}
	switch _, err := s.st.Rotation(r.Context(), code, l.Year); {
	case err == nil:
		pv.Replaces = true
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	// The ledger waits in the database, so that any process of the
	// deployment can take the confirmation; its token is the account's,
	// for this county only.
	var err error
	pv.Token, err = s.st.SavePendingRotation(r.Context(), store.PendingRotation{UserID: userOf(r).ID, County: code, Files: names,
		SHA256: sha, Ledger: l, Expires: s.now().Add(uploadTTL), Base: base, Note: note})
	if err != nil {
		return err
	}
	return s.renderRotation(w, r, http.StatusOK, nil, pv)
}

// editRotation serves POST /county/{code}/rotation/rows?year=: one row of
// the year's ledger added, changed or removed in a form (ledgerEdit) and,
// like an import, previewed — the shares and the schools the change would
// push below the school rule — before it is stored.
func (s *Server) editRotation(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.ledgerCounty(r)
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
	d, v, err := s.st.Ledger(r.Context(), rotationio.Schema, code, c.Year)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if lock, err := s.st.LedgerLock(r.Context(), rotationio.Schema.Kind, code, c.Year); err != nil {
		return err
	} else if lock != nil {
		return s.renderRotationEdit(w, r, http.StatusBadRequest, nil, nil, ledgerLockedText(b, lock))
	}
	d, note, err := ledgerEdit(r, rotationio.Schema, d, v.ID)
	if err == nil {
		if ps := d.Validate(); len(ps) > 0 {
			err = fmt.Errorf("%w: %s", store.ErrLedgerInput, ps[0].Problem.Problem+"；"+ps[0].Fix)
		}
	}
	var l rotation.Ledger
	if err == nil {
		l = rotationio.Of(d)
		l.Year = c.Year
		if verr := l.Validate(); verr != nil {
			err = fmt.Errorf("%w: %w", store.ErrLedgerInput, verr)
		}
	}
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderRotationEdit(w, r, http.StatusBadRequest, nil, nil, msg)
		}
		return err
	}
	return s.previewRotation(w, r, c, code, l, []string{note}, "", v.ID, note)
}

// confirmRotation serves POST /county/{code}/rotation/confirm: stores the
// ledger previewed under the form's token, which is single-use, expires
// after uploadTTL and is good only for the account that previewed it and
// the county it previewed it for; any other answers as an expired one.
func (s *Server) confirmRotation(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	u := userOf(r)
	p, err := s.st.TakePendingRotation(r.Context(), r.PostFormValue("token"), u.ID, code)
	if errors.Is(err, store.ErrNotFound) || err == nil && s.now().After(p.Expires) {
		return badRequest("rotation.expired")
	}
	if err != nil {
		return err
	}
	files := p.Files
	if p.Base != store.AnyVersion {
		files = nil // a form's change: its note says what changed
	}
	imp, err := s.st.ReplaceRotationFrom(r.Context(), u.Username, code, p.Ledger.Year, files, p.Note, p.Base, p.Ledger)
	if err != nil {
		if errors.Is(err, store.ErrRotationInput) {
			return badRequest("rotation.expired")
		}
		if errors.Is(err, store.ErrLedgerChanged) {
			return badRequest("ledger.changed")
		}
		return err
	}
	setFlash(w, b.T("rotation.imported", imp.Year, imp.Rows))
	http.Redirect(w, r, "/county/"+code+"/rotation?year="+strconv.Itoa(imp.Year), http.StatusSeeOther)
	return nil
}
