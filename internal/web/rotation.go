package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
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
	Ledger   rotation.Ledger
	MinYears int
	Imports  []store.RotationImport
	// CanImport: the account may replace the ledger.
	CanImport bool
	Errors    censusio.Errors // of a refused import
}

// rotationBreak is a school part that meets the school rule today and
// would not with the year's rotations applied to its teacher counts.
type rotationBreak struct {
	School, Name string
	Stage        census.Stage
	Short        []string
}

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
	return s.renderRotation(w, r, http.StatusOK, nil)
}

func (s *Server) renderRotation(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors) error {
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
		Errors: errs, MinYears: rotation.MinYears(c.Rules.Settings.RotationMinYears)}
	b.Title = p.County + " · " + b.T("rotation.title")
	if p.Imports, err = s.st.RotationImports(r.Context(), code); err != nil {
		return err
	}
	l, err := s.st.Rotation(r.Context(), code, c.Year)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		p.Has, p.Ledger, p.Shares, p.Flows = true, l, l.Shares(), l.Flows()
		if !c.Rules.Preschool() {
			if p.Breaks, err = s.rotationBreaks(r, c.Rules, c.Year, code, p.Flows); err != nil {
				return err
			}
		}
	}
	s.render(w, r, status, "rotation", p)
	return nil
}

// rotationBreaks evaluates the county's schools of year under the school
// rule (eval.EvaluateCounty, as the what-if page does) before and after
// the year's rotations move their teachers: each school's full-time and
// backbone teachers change by what it receives less what it sends (in
// the first stage its record holds; a rotation names no stage). The
// rotated teachers' qualifications are not in the ledger, so the other
// teacher counts stay. It returns the parts that meet the rule before and
// not after.
func (s *Server) rotationBreaks(r *http.Request, rules *standards.Rules, year int, code string, flows []rotation.Flow) ([]rotationBreak, error) {
	recs, err := s.st.Schools(r.Context(), year, code)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	byCode := map[string]rotation.Flow{}
	for _, f := range flows {
		byCode[f.School] = f
	}
	changed := make([]census.School, len(recs))
	copy(changed, recs)
	touched := false
	for i := range changed {
		f, ok := byCode[changed[i].Code]
		if !ok || (f.Net() == 0 && f.NetBackbone() == 0) {
			continue
		}
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			if changed[i].Students(st) <= 0 {
				continue
			}
			for fam, d := range map[string]int{"teachers": f.Net(), "backbone_teachers": f.NetBackbone()} {
				if fld, ok := census.StageField(fam, st); ok {
					if v, ok := changed[i].Get(fld); ok {
						changed[i].Set(fld, math.Max(0, v+float64(d)))
						touched = true
					}
				}
			}
			break
		}
	}
	if !touched {
		return nil, nil
	}
	ptrs := func(rs []census.School) []*census.School {
		out := make([]*census.School, len(rs))
		for i := range rs {
			out[i] = &rs[i]
		}
		return out
	}
	before := eval.EvaluateCounty(rules, ptrs(recs))
	after := eval.EvaluateCounty(rules, ptrs(changed))
	was := map[string]*eval.Part{}
	for _, q := range before.Parts {
		was[q.SchoolCode+"/"+string(q.Stage)] = q
	}
	var out []rotationBreak
	for _, q := range after.Parts {
		qb := was[q.SchoolCode+"/"+string(q.Stage)]
		if q.Excluded || qb == nil || qb.Excluded || !qb.Pass || q.Pass {
			continue
		}
		rb := rotationBreak{School: q.SchoolCode, Name: q.SchoolName, Stage: q.Stage}
		for _, sf := range q.Shortfalls {
			name := sf.Indicator
			if ind := rules.Indicator(sf.Indicator); ind != nil {
				name = ind.ZH
			}
			rb.Short = append(rb.Short, fmt.Sprintf("%s %s < %s", name, fmtNum(sf.Value, 2), fmtFixed(sf.Threshold)))
		}
		out = append(out, rb)
	}
	return out, nil
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
	l, err := s.st.Rotation(r.Context(), code, c.Year)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, l); err != nil {
		return err
	}
	return sendXLSX(w, code+"-"+strconv.Itoa(c.Year)+"-教师交流轮岗台账.xlsx", buf.Bytes())
}

// maxRotationUpload bounds an upload of a rotation ledger.
const maxRotationUpload = 20 << 20

// importRotation serves POST /county/{code}/rotation/import?year=: the
// files chosen (a workbook of the two sheets, or CSV files of one table
// each) replace the county's ledger of the year, all or nothing; a
// refused file shows its errors on the page.
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
	for i, f := range uploaded {
		files[i] = rotationio.File(f)
	}
	l, err := rotationio.Read(files...)
	if err != nil {
		var es censusio.Errors
		if errors.As(err, &es) {
			return s.renderRotation(w, r, http.StatusBadRequest, es)
		}
		return err
	}
	imp, err := s.st.ReplaceRotation(r.Context(), userOf(r).Username, code, c.Year, names, l)
	if err != nil {
		if errors.Is(err, store.ErrRotationInput) {
			msg := err.Error()
			if _, after, ok := strings.Cut(msg, store.ErrRotationInput.Error()+": "); ok {
				msg = after
			}
			return s.renderRotation(w, r, http.StatusBadRequest, censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}})
		}
		return err
	}
	setFlash(w, b.T("rotation.imported", imp.Rows))
	http.Redirect(w, r, "/county/"+code+"/rotation?year="+strconv.Itoa(c.Year), http.StatusSeeOther)
	return nil
}
