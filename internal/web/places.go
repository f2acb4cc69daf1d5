package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// placesPage is GET /county/{code}/places: the county's 学位 (school
// places) against its school-age population, stage by stage: every
// catchment and school year by year with its light, the warnings with
// their shortfall and whether a planned project closes it, the low,
// central and high variants, and the backtest of the last known year.
type placesPage struct {
	*Base
	*choice
	Q      []any
	Code   string
	County string
	Stages []seats.Stage
	Stage  seats.Stage
	// Amber and Red are the thresholds, as the profile sets them.
	Amber, Red string
	ClassSize  int
	Res        *seats.Result
	Summary    []seats.YearSummary
	Units      []placesUnit
	Warnings   []placesWarning
	Backtest   *seats.BacktestResult
	// Problem is why the forecast or the backtest could not be made from
	// the stored inputs (seats.InputError), shown instead of it.
	Problem, BacktestProblem string
	// Ledger is the inputs as the declared ledger seatsio.Schema: its
	// tables edited row by row, its import and its versions.
	Ledger ledgerPanel
}

// placesUnit is a catchment or a school with its years.
type placesUnit struct {
	Catchment, School, Name string
	Places                  int
	Years                   []seats.Year
}

// placesWarning is one warning row.
type placesWarning struct {
	seats.Warning
	Central seats.Check
}

// StageQuery is the page's query with stage st.
func (p *placesPage) StageQuery(st seats.Stage) []any {
	return append(slices.Clone(p.Q), "stage", st)
}

// Light is the class of a light for the page.
func (p *placesPage) Light(l seats.Light) string {
	switch l {
	case seats.Red:
		return "bad"
	case seats.Amber:
		return "warn"
	}
	return "ok"
}

// Usage writes a check's places used as a percentage.
func (p *placesPage) Usage(c seats.Check) string {
	if c.Usage == nil {
		return "—"
	}
	return new(big.Rat).Mul(c.Usage, big.NewRat(100, 1)).FloatString(1) + "%"
}

// Rat writes an exact figure with the decimals given.
func (p *placesPage) Rat(r *big.Rat, decimals int) string {
	if r == nil {
		return "—"
	}
	return r.FloatString(decimals)
}

// Percent writes an exact share as a percentage.
func (p *placesPage) Percent(r *big.Rat) string {
	if r == nil {
		return "—"
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(1) + "%"
}

// placesOptions are the forecast options of rules' profile for stage:
// its thresholds and years ahead, and the class size of the stage.
func placesOptions(rules *standards.Rules, stage seats.Stage) (seats.Options, int, error) {
	opt, size, err := seats.OptionsOf(rules.Settings.Places, stage)
	if err != nil {
		return opt, 0, fmt.Errorf("profile %s: %w", rules.Profile.ID, err)
	}
	return opt, size, nil
}

// placesPageGet serves GET /county/{code}/places?stage=.
func (s *Server) placesPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderPlaces(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderPlaces(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, c, county, err := s.ledgerPageOf(r)
	if err != nil {
		return err
	}
	data, err := s.st.Seats(r.Context(), code)
	if err != nil {
		return err
	}
	p := &placesPage{Base: b, choice: c, Q: c.Query(s), Code: code, County: county, Stages: data.Stages()}
	b.Title = p.County + " · " + b.T("places.title")
	if err := s.placesLedger(r, b, code, p, errs, editErr); err != nil {
		return err
	}
	p.Amber, p.Red = c.Rules.Settings.Places.Amber, c.Rules.Settings.Places.Red
	if len(p.Stages) > 0 {
		p.Stage = p.Stages[0]
	}
	if v := seats.Stage(r.URL.Query().Get("stage")); v != "" {
		if v.Grades() == 0 {
			return notFound("error.404")
		}
		p.Stage = v
	}
	if slices.Contains(p.Stages, p.Stage) {
		opt, size, err := placesOptions(c.Rules, p.Stage)
		if err != nil {
			return err
		}
		p.ClassSize = size
		in := data.Input(p.Stage, size)
		res, err := seats.Forecast(in, opt)
		switch {
		case errors.Is(err, seats.ErrInput):
			p.Problem = err.Error()
		case err != nil:
			return err
		default:
			p.Res = res
			p.Summary = res.Summary(seats.Central)
			for _, cf := range res.Catchments {
				p.Units = append(p.Units, placesUnit{Catchment: cf.Catchment, Name: cf.Catchment, Places: cf.Places, Years: cf.Years})
				for _, sf := range res.Schools {
					if sf.Catchment == cf.Catchment {
						p.Units = append(p.Units, placesUnit{Catchment: sf.Catchment, School: sf.Code, Name: sf.Name, Places: sf.Places, Years: sf.Years})
					}
				}
			}
			for _, wn := range res.Warnings {
				p.Warnings = append(p.Warnings, placesWarning{Warning: wn, Central: wn.Checks[seats.Central]})
			}
			bt, err := seats.Backtest(in, res.From, opt)
			switch {
			case errors.Is(err, seats.ErrInput):
				p.BacktestProblem = err.Error()
			case err != nil:
				return err
			default:
				p.Backtest = bt
			}
		}
	}
	s.render(w, r, status, "places", p)
	return nil
}

// placesLedger puts the county's inputs as the declared ledger on p: its
// tables, newest version, history, and the lock a reporting task holds
// on it.
func (s *Server) placesLedger(r *http.Request, b *Base, code string, p *placesPage, errs censusio.Errors, editErr string) error {
	d, v, err := s.st.Ledger(r.Context(), seatsio.Schema, code, 0)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	k := ledgerKind{Schema: seatsio.Schema, Path: "places"}
	if p.Ledger, err = s.ledgerPanelOf(r, b, k, code, 0, d, v, errs, editErr); err != nil {
		return err
	}
	p.Ledger.ImportNote = "places.import_note"
	return nil
}

// placesTemplate serves GET /places/template.xlsx: the empty workbook of
// the 学位 inputs with its notes.
func (s *Server) placesTemplate(w http.ResponseWriter, r *http.Request) error {
	return sendLedgerXLSX(w, "学位预测数据模板.xlsx", seatsio.Schema.New())
}

// placesExport serves GET /county/{code}/places.xlsx[?version=]: the
// county's stored 学位 inputs (or one of their versions) in the import
// workbook, to correct and import again.
func (s *Server) placesExport(w http.ResponseWriter, r *http.Request) error {
	_, code, err := s.ledgerCounty(r)
	if err != nil {
		return err
	}
	return s.exportLedger(w, r, seatsio.Schema, code, 0, code+"-学位预测数据")
}

func sendXLSX(w http.ResponseWriter, name string, data []byte) error {
	attach(w, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err := w.Write(data)
	return err
}

// ledgerFiles reads the files of a ledger's import form (field "file",
// one or more) within limit bytes in all: their contents and names. The
// errors are the page's, under its i18n prefix: <prefix>.too_large and
// <prefix>.no_file. The 学位 and the rotation ledgers share it.
func ledgerFiles(w http.ResponseWriter, r *http.Request, limit int64, prefix string) ([]seatsio.File, []string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, nil, cmp.Or(bodyTooLarge(err, prefix+".too_large", limit>>20), badRequest(prefix+".no_file"))
	}
	var files []seatsio.File
	var names []string
	for _, fh := range r.MultipartForm.File["file"] {
		f, err := fh.Open()
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		files = append(files, seatsio.File{Name: fh.Filename, Data: data})
		names = append(names, fh.Filename)
	}
	if len(files) == 0 {
		return nil, nil, badRequest(prefix + ".no_file")
	}
	return files, names, nil
}

// importPlaces serves POST /county/{code}/places/import: the files chosen
// (a workbook of the four sheets, or CSV files of one table each) replace
// the county's tables they carry, all or nothing, as the ledger's newest
// version; a refused file shows its errors on the page.
func (s *Server) importPlaces(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.ledgerCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	d, names, errs, err := readLedgerUpload(w, r, seatsio.Schema)
	if err != nil {
		return err
	}
	if errs != nil {
		return s.renderPlaces(w, r, http.StatusBadRequest, errs, "")
	}
	rec := seatsio.Of(d)
	if _, err := s.st.ReplaceSeats(r.Context(), userOf(r).Username, code, names, rec); err != nil {
		msg, ok := "", false
		if errors.Is(err, store.ErrSeatsInput) {
			// The check across the tables stored: what is wrong,
			// without the wrapping.
			msg, ok = err.Error(), true
			if _, after, cut := strings.Cut(msg, store.ErrSeatsInput.Error()+": "); cut {
				msg = after
			}
		} else {
			msg, ok = ledgerEditError(b, err)
		}
		if ok {
			return s.renderPlaces(w, r, http.StatusBadRequest, censusio.Errors{{File: strings.Join(names, ", "), Problem: msg}}, "")
		}
		return err
	}
	setFlash(w, b.T("places.imported", rec.Rows()))
	http.Redirect(w, r, "/county/"+code+"/places"+yearQuery(r), http.StatusSeeOther)
	return nil
}

// editPlaces serves POST /county/{code}/places/rows: one row of a table
// added, changed or removed in a form, saved as the ledger's newest
// version when the inputs still hold together (a grade typed as 七年级 or
// 大班 kept as its number, as an import keeps it).
func (s *Server) editPlaces(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.ledgerCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() {
		return errForbidden
	}
	d, v, err := s.st.Ledger(r.Context(), seatsio.Schema, code, 0)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	d, note, err := ledgerEdit(r, seatsio.Schema, d, v.ID)
	if err == nil && len(d.Validate()) == 0 {
		d, err = seatsio.Canonical(d)
	}
	if err == nil {
		_, err = s.st.SaveLedger(r.Context(), userOf(r).Username, code, 0, nil, note, v.ID, d)
	}
	if err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return s.renderPlaces(w, r, http.StatusBadRequest, nil, msg)
		}
		return err
	}
	setFlash(w, b.T("ledger.saved"))
	http.Redirect(w, r, "/county/"+code+"/places"+yearQuery(r)+"#ledger-"+r.PostForm.Get("table"), http.StatusSeeOther)
	return nil
}

// placesWarnings are the 学位 shortfalls of county that its recognition
// case raises as monitoring findings: each 学区 (catchment) of the stages
// the standard covers (小学 and 初中, or 幼儿园 under the preschool
// standard) that the central variant of the cohort forecast turns red
// within the years the profile forecasts, unless its planned projects
// close the gap in time — one finding per catchment and stage, at the
// first such year, with the shortfall in places and classes that year.
// Schools are not raised one by one: children cannot use another
// catchment's places, but within one they can be sent to another school,
// so the catchment is where the shortfall is real. A county without
// inputs, or whose inputs cannot be forecast (the page says why), raises
// none.
func (s *Server) placesWarnings(ctx context.Context, county string, rules *standards.Rules) ([]caseWarning, error) {
	data, err := s.st.Seats(ctx, county)
	if err != nil {
		return nil, err
	}
	stages := []seats.Stage{seats.Primary, seats.Junior}
	if rules.Preschool() {
		stages = []seats.Stage{seats.Kindergarten}
	}
	var out []caseWarning
	for _, stage := range data.Stages() {
		if !slices.Contains(stages, stage) {
			continue
		}
		opt, size, err := placesOptions(rules, stage)
		if err != nil {
			return nil, err
		}
		res, err := seats.Forecast(data.Input(stage, size), opt)
		if errors.Is(err, seats.ErrInput) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, cf := range res.Catchments {
			for _, y := range cf.Years {
				c := y.Checks[seats.Central]
				if c.Light != seats.Red || c.Cover == seats.InTime {
					continue
				}
				out = append(out, caseWarning{Title: placesTitle(stage, cf.Catchment, y.Year, c), Indicator: "places"})
				break
			}
		}
	}
	return out, nil
}

// placesTitle is the title of the finding a 学位 shortfall raises.
func placesTitle(stage seats.Stage, catchment string, year int, c seats.Check) string {
	usage := "—"
	if c.Usage != nil {
		usage = new(big.Rat).Mul(c.Usage, big.NewRat(100, 1)).FloatString(1)
	}
	cover := "无规划项目解决"
	switch c.Cover {
	case seats.TooLate:
		cover = fmt.Sprintf("规划项目 %d 年才启用，来不及", c.ClosedFrom)
	case seats.NotClosed:
		if c.Planned+c.Later > 0 {
			cover = "规划项目不足以解决"
		}
	}
	return fmt.Sprintf("学位预警（预计 %d 年）：%s学区 %s 学位使用率 %s%%，缺口 %d 个学位（%d 个班），%s",
		year, stage.ZH(), catchment, usage, c.Shortfall, c.ShortfallClasses, cover)
}
