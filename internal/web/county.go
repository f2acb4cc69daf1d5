package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

type countyPage struct {
	*Base
	// Body is the page's content, rendered once per county, year, rules,
	// data version, language and access (see countyPage).
	Body template.HTML
	*choice
	Q        []any
	County   *eval.County
	City     census.Region
	Stages   []stageView
	Failing  []failingPart
	Excluded []*eval.Part
	// FailingRows is the failing parts' table body, written in Go for speed
	// (a county may have hundreds of failing parts).
	FailingRows template.HTML
	Trend       string // JSON; "" with fewer than two years
	Rules       *standards.Rules
	CanEdit     bool
	// Data says which data the evaluation uses (approved or provisional);
	// outside the cached Body, as a review step does not change the data.
	Data *store.DataStatus
	// Whole is the county's verdict under the whole standard, WhyNot why
	// it is not (yet) recognised: the header's answer, of which the
	// resource part is one line.
	Whole  *eval.Verdict
	WhyNot string
	// Look is the school to look at first: the one with the most
	// indicators below their thresholds (nil when none falls short).
	Look *eval.Part
}

// countyFrame is what the county page's frame reads of the page besides
// Base (renderSpliced): the data status line ("content" in county.html).
type countyFrame struct {
	data store.DataStatus
	has  bool
}

func (p *countyPage) frame() countyFrame {
	if p.Data == nil {
		return countyFrame{}
	}
	return countyFrame{data: *p.Data, has: true}
}

type stageView struct {
	SR    *eval.StageResult
	Inds  []indView
	Parts []partRow
	Chart string // JSON of the CV chart
	// Heat is the rows of the heat-table, written in Go: a county of 300
	// parts has 2 100 cells, and html/template's reflection over each of
	// them took 80 % of the page's time.
	Heat template.HTML
}

type indView struct {
	*eval.IndicatorResult
	Cls string
	Top []eval.Contribution // the parts that make the CV largest
}

type partRow struct {
	Part  *eval.Part
	Cells []cellView
}

type cellView struct {
	Text string
	Cls  string
}

type failingPart struct {
	Part    *eval.Part
	Reasons []reason
}

type reason struct {
	Ind        *standards.Indicator
	Value      float64
	Threshold  float64
	Ratio      float64
	BelowFloor bool
}

// decimals is how many decimals an indicator's values show.
func decimals(ind *standards.Indicator) int {
	if ind.Source == "equipment_value" {
		return 0
	}
	return 2
}

// countyPage serves GET /county/{code}: the seven indicators per stage with
// their CVs against the limit, the heat-table of every school part, the
// failing parts and why, the parts that drive each CV, trends and downloads.
func (s *Server) countyPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	cty, err := s.cache.county(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return err
	}
	whole, err := s.wholeCounty(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return err
	}
	version := s.cache.Version()
	p := &countyPage{Base: b, choice: c, Q: c.Query(s), County: cty, Rules: c.Rules, CanEdit: b.Scope.CanEdit(), Data: s.dataStatus(r, code, c.Year),
		Whole: whole.Verdict, WhyNot: verdictReason(b, whole.Verdict)}
	b.Title = cty.Name + " · " + fmt.Sprint(c.Year)
	b.Charts = true
	// The body depends on nothing else: a county page viewed again (by
	// anyone with the same access) is served from the cache until the
	// data change.
	key := fmt.Sprint(code, "|", c.Year, "|", c.Rules.ID, "|", c.Rules.Profile.ID, "|", version, "|", b.Lang, "|", p.CanEdit, "|", b.Scope.SchoolOnly(), "|", p.Whole.Status, "|", p.WhyNot)
	if body, ok := s.cache.page(key); ok {
		p.Body = bodyMark
		s.renderSpliced(w, r, "county", p, b, p.frame(), body)
		return nil
	}
	p.City = census.Region{Code: census.CityCode(code)}
	p.Look = schoolToLook(cty)
	for _, sr := range cty.Stages {
		sv := stageView{SR: sr}
		var names []string
		var cvs, limits []any
		var classes []string
		for k, ir := range sr.Indicators {
			iv := indView{IndicatorResult: ir, Cls: cvClass(ir.CV.CV, ir.Limit, ir.Over)}
			cs := cty.Contributions(sr.Stage, k)
			slices.SortStableFunc(cs, func(a, b eval.Contribution) int { return cmp.Compare(b.Share, a.Share) })
			iv.Top = cs[:min(3, len(cs))]
			sv.Inds = append(sv.Inds, iv)
			names = append(names, b.T("ind.short."+ir.Indicator.ID))
			cvs = append(cvs, jsonNum(ir.CV.CV))
			limits = append(limits, ir.Limit)
			classes = append(classes, iv.Cls)
		}
		for _, part := range cty.Parts {
			if part.Stage != sr.Stage || part.Excluded {
				continue
			}
			row := partRow{Part: part}
			for k, ind := range c.Rules.Indicators {
				v := part.Values[k]
				cls := partClass(part, ind.ID, v)
				row.Cells = append(row.Cells, cellView{Text: partValue(v, ind.Thresholds[sr.Stage], decimals(&ind), cls), Cls: cls})
			}
			sv.Parts = append(sv.Parts, row)
			if !part.Pass {
				fp := failingPart{Part: part}
				for _, sf := range part.Shortfalls {
					fp.Reasons = append(fp.Reasons, reason{Ind: c.Rules.Indicator(sf.Indicator), Value: sf.Value, Threshold: sf.Threshold, Ratio: sf.Ratio, BelowFloor: sf.BelowFloor})
				}
				p.Failing = append(p.Failing, fp)
			}
		}
		// Failing parts first, then the fewest indicators met: the rows
		// that need attention are at the top of the heat-table.
		slices.SortStableFunc(sv.Parts, func(a, b partRow) int {
			if a.Part.Pass != b.Part.Pass {
				if a.Part.Pass {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.Part.Met, b.Part.Met)
		})
		sv.Heat = heatRows(sv.Parts, c.Year, len(c.Rules.Indicators))
		sv.Chart, err = toJSON(map[string]any{"kind": "cv", "names": names, "cv": cvs, "limit": limits, "cls": classes,
			"cvLabel": b.T("county.cv"), "limitLabel": b.T("county.limit")})
		if err != nil {
			return err
		}
		p.Stages = append(p.Stages, sv)
	}
	for _, part := range cty.Parts {
		if part.Excluded {
			p.Excluded = append(p.Excluded, part)
		}
	}
	p.FailingRows = failingRows(b, p.Failing, c.Year)
	if p.Trend, err = s.trend(r, c, code, b); err != nil {
		return err
	}
	if rg, err := s.regionName(r, p.City.Code); err == nil {
		p.City = rg
	}
	var buf bytes.Buffer
	if err := s.tmpl.pages["county"].ExecuteTemplate(&buf, "body", p); err != nil {
		return err
	}
	body := newPageBody(template.HTML(buf.String()))
	s.cache.putPage(key, version, body)
	p.Body = bodyMark
	s.renderSpliced(w, r, "county", p, b, p.frame(), body)
	return nil
}

// heatRows writes the rows of a heat-table; every text is escaped.
func heatRows(rows []partRow, year, nInd int) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * (200 + nInd*30))
	y := strconv.Itoa(year)
	for _, row := range rows {
		p := row.Part
		code := html.EscapeString(p.SchoolCode)
		b.WriteString(`<tr data-school="`)
		b.WriteString(code)
		if !p.Pass {
			b.WriteString(`" class="failing`)
		}
		b.WriteString(`"><th scope="row"><a href="/school/`)
		b.WriteString(url.PathEscape(p.SchoolCode))
		b.WriteString(`?year=`)
		b.WriteString(y)
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(p.SchoolName))
		b.WriteString(`</a></th><td class="num">`)
		b.WriteString(strconv.FormatFloat(p.Students, 'f', -1, 64))
		b.WriteString(`</td>`)
		for _, c := range row.Cells {
			b.WriteString(`<td class="`)
			b.WriteString(c.Cls)
			b.WriteString(`">`)
			b.WriteString(c.Text)
			b.WriteString(`</td>`)
		}
		fmt.Fprintf(&b, `<td class="num">%d/%d</td></tr>`, p.Met, nInd)
		b.WriteByte('\n')
	}
	return template.HTML(b.String())
}

// failingRows writes the rows of the failing parts' table.
func failingRows(b *Base, parts []failingPart, year int) template.HTML {
	var w strings.Builder
	y := strconv.Itoa(year)
	for _, fp := range parts {
		p := fp.Part
		fmt.Fprintf(&w, `<tr data-school="%s"><td><a href="/school/%s?year=%s">%s</a></td><td>%s</td><td>`,
			html.EscapeString(p.SchoolCode), url.PathEscape(p.SchoolCode), y, html.EscapeString(p.SchoolName), html.EscapeString(b.T("stage."+string(p.Stage))))
		if len(p.Missing) > 0 {
			fmt.Fprintf(&w, `<span class="chip warn">%s</span> `, html.EscapeString(b.T("county.missing", len(p.Missing))))
		}
		for _, r := range fp.Reasons {
			cls := "warn"
			if r.BelowFloor {
				cls = "bad"
			}
			fmt.Fprintf(&w, `<span class="chip %s">%s %s / %s = %s</span> `, cls, html.EscapeString(b.Ind(r.Ind)),
				fmtNum(r.Value, 2), fmtFixed(r.Threshold), fmtPct(r.Ratio))
		}
		fmt.Fprintf(&w, `<span class="muted">%s</span></td></tr>`+"\n", html.EscapeString(b.T("county.met_of", p.Met)))
	}
	return template.HTML(w.String())
}

// jsonNum is a number for a chart, null when undefined.
func jsonNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return math.Round(v*1e6) / 1e6
}

// trend returns the chart of the county's CVs over the years, per stage,
// or "" when there are fewer than two years.
func (s *Server) trend(r *http.Request, c *choice, code string, b *Base) (string, error) {
	if len(c.Years) < 2 {
		return "", nil
	}
	type series struct {
		Name string `json:"name"`
		Data []any  `json:"data"`
	}
	type stageTrend struct {
		Stage  string   `json:"stage"`
		Limit  float64  `json:"limit"`
		Series []series `json:"series"`
	}
	var years []int
	var out []stageTrend
	idx := map[census.Stage]int{}
	for _, y := range c.Years {
		cty, err := s.cache.county(r.Context(), c.Rules, y, code)
		if err != nil {
			continue // no records that year
		}
		years = append(years, y)
		for _, sr := range cty.Stages {
			i, ok := idx[sr.Stage]
			if !ok {
				i = len(out)
				idx[sr.Stage] = i
				st := stageTrend{Stage: b.T("stage." + string(sr.Stage))}
				for _, ir := range sr.Indicators {
					st.Limit = ir.Limit
					st.Series = append(st.Series, series{Name: b.T("ind.short." + ir.Indicator.ID)})
				}
				out = append(out, st)
			}
			for k, ir := range sr.Indicators {
				if k < len(out[i].Series) {
					ser := &out[i].Series[k]
					for len(ser.Data) < len(years)-1 {
						ser.Data = append(ser.Data, nil)
					}
					ser.Data = append(ser.Data, jsonNum(ir.CV.CV))
				}
			}
		}
	}
	if len(years) < 2 {
		return "", nil
	}
	return toJSON(map[string]any{"kind": "trend", "years": years, "stages": out, "limitLabel": b.T("county.limit")})
}

// regionName looks up a region's name.
func (s *Server) regionName(r *http.Request, code string) (census.Region, error) {
	rg, err := s.st.Region(r.Context(), code)
	if errors.Is(err, store.ErrNotFound) {
		return census.Region{Code: code}, nil
	}
	return rg, err
}

// countyResult is the evaluation of one county for the downloads.
func (s *Server) countyResult(r *http.Request) (*eval.Result, string, error) {
	code := r.PathValue("code")
	if !scopeOf(userOf(r)).County(code) {
		return nil, "", errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, "", err
	}
	res, err := s.cache.result(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return nil, "", err
	}
	if len(res.Counties) == 0 {
		return nil, "", store404()
	}
	return res, fmt.Sprintf("%s-%s-%d", res.Counties[0].Name, code, c.Year), nil
}

// countyExportXLSX serves GET /county/{code}/export.xlsx: the county's
// tables (summary, CVs, school parts) as a workbook.
func (s *Server) countyExportXLSX(w http.ResponseWriter, r *http.Request) error {
	res, name, err := s.countyResult(r)
	if err != nil {
		return err
	}
	attach(w, name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return export.WriteXLSX(w, res)
}

// countyExportCSV serves GET /county/{code}/export.csv?table=parts|indicators|counties.
func (s *Server) countyExportCSV(w http.ResponseWriter, r *http.Request) error {
	res, name, err := s.countyResult(r)
	if err != nil {
		return err
	}
	key := r.URL.Query().Get("table")
	if key == "" {
		key = "parts"
	}
	t, err := export.Build(res, key)
	if err != nil {
		return badRequest("error.400")
	}
	attach(w, name+"-"+key+".csv", "text/csv; charset=utf-8")
	return export.WriteCSV(w, t)
}

// attach sets the headers of a download named name (UTF-8 names per RFC 6266).
func attach(w http.ResponseWriter, name, ctype string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="download%s"; filename*=UTF-8''%s`, extOf(name), pathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
}

// schoolToLook is the part of the county with the most indicators below
// their thresholds, the larger school first on a tie, then by code; nil
// when no part falls short.
func schoolToLook(c *eval.County) *eval.Part {
	var look *eval.Part
	for _, pt := range c.Parts {
		if pt.Excluded || len(pt.Shortfalls) == 0 {
			continue
		}
		if look == nil || len(pt.Shortfalls) > len(look.Shortfalls) ||
			len(pt.Shortfalls) == len(look.Shortfalls) && (pt.Students > look.Students || pt.Students == look.Students && pt.SchoolCode < look.SchoolCode) {
			look = pt
		}
	}
	return look
}
