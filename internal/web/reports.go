package web

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/standards"
)

// reportDoc is a report in every format (internal/report).
type reportDoc interface {
	WritePDF(io.Writer) error
	WriteXLSX(io.Writer) error
	WriteDOCX(io.Writer) error
	WriteHTML(io.Writer) error
}

// reportFormats maps the {format} of GET /report/{code}/{format} to the
// download's content type.
var reportFormats = map[string]string{
	"pdf":  "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"html": "text/html; charset=utf-8",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// reportDownload serves GET /report/{code}/{format}?year=&standard=&profile=:
// the county's 自评报告 with its 附表 when code is a county, else the
// summary ranking the counties of the city or province, as pdf, xlsx or
// html (the print-ready page). A county account gets its own county only;
// a summary lists only the counties the account sees.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request) error {
	code, format := r.PathValue("code"), r.PathValue("format")
	ctype, ok := reportFormats[format]
	if !ok {
		return notFound("error.404")
	}
	scope := scopeOf(userOf(r))
	if scope.SchoolOnly() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	region := census.Region{Code: code, Level: census.LevelCounty}
	if i := slices.IndexFunc(regions, func(rg census.Region) bool { return rg.Code == code }); i >= 0 {
		region = regions[i]
	}
	if !scope.Sees(region) {
		return errOutOfScope
	}
	if region.Level != census.LevelCounty && !scope.Summary(region) {
		return errForbidden // a county account: its own county's report only
	}
	// The date is the day the report is made: read at the edge, not in report.
	now := s.now()
	var doc reportDoc
	var name string
	switch region.Level {
	case census.LevelCounty:
		rep, err := s.countyReport(r, c.Rules, c.Year, c.Years, code, regions, now)
		if err != nil {
			return err
		}
		doc, name = rep, rep.FileName(format)
	default:
		// The whole standard's verdict of every county (the resource part
		// one line of it), as the overview shows it.
		res, err := s.wholeResult(r.Context(), c.Rules, c.Year)
		if err != nil {
			return err
		}
		// Only the counties the account sees (a city account asking for its province).
		visible := *res
		visible.Counties = nil
		for _, cc := range res.Counties {
			if scope.County(cc.Code) {
				visible.Counties = append(visible.Counties, cc)
			}
		}
		sum := report.NewSummary(&visible, report.Scope{Level: region.Level, Code: region.Code, Name: region.Name}, regions, now)
		if len(sum.Counties) == 0 {
			return notFound("error.no_region", code)
		}
		if official, _, err := s.st.OfficialCounties(r.Context(), c.Year, scopedPrefix(scope, region.Code)); err == nil {
			zh := &Base{Lang: i18n.ZH}
			sum.DataStatus = zh.T("data_status.summary", len(sum.Counties), official)
		}
		doc, name = sum, sum.FileName(format)
	}
	// Render first, so that an error still gets its error page.
	var b bytes.Buffer
	var werr error
	switch format {
	case "pdf":
		werr = doc.WritePDF(&b)
	case "xlsx":
		werr = doc.WriteXLSX(&b)
	case "docx":
		werr = doc.WriteDOCX(&b)
	default:
		werr = doc.WriteHTML(&b)
	}
	if werr != nil {
		return werr
	}
	if format == "html" {
		// Shown in the browser, ready to print.
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-store")
	} else {
		attach(w, name, ctype)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// countyReport is county code's self-evaluation report (自评报告) under
// rules for year, dated now; years are the years with data (the report
// compares with the year before when there is one).
func (s *Server) countyReport(r *http.Request, rules *standards.Rules, year int, years []int, code string, regions []census.Region, now time.Time) (*report.County, error) {
	county, err := s.wholeCounty(r.Context(), rules, year, code)
	if err != nil {
		return nil, err
	}
	return s.countyReportOf(r, rules, year, years, county, regions, now)
}

// countyReportOf is countyReport of a county already evaluated.
func (s *Server) countyReportOf(r *http.Request, rules *standards.Rules, year int, years []int, county *eval.County, regions []census.Region, now time.Time) (*report.County, error) {
	code := county.Code
	res := &eval.Result{Standard: rules.ID, Profile: rules.Profile.ID, Year: year, Rules: rules, Counties: []*eval.County{county}}
	opt := report.Options{Date: now}
	// The 社会认可度 survey behind the item's figure (survey.go).
	sec, err := s.surveySection(r.Context(), rules, year, code)
	if err != nil {
		return nil, err
	}
	if sec != nil {
		opt.Sections = append(opt.Sections, *sec)
	}
	if d := s.dataStatus(r, code, year); d != nil {
		zh := &Base{Lang: i18n.ZH}
		opt.DataStatus = zh.DataStatusText(d)
	}
	for _, rg := range regions {
		switch rg.Code {
		case census.CityCode(code):
			opt.City = rg.Name
		case census.ProvinceCode(code):
			opt.Province = rg.Name
		}
	}
	if slices.Contains(years, year-1) && !rules.Preschool() {
		if prev, err := s.cache.county(r.Context(), rules, year-1, code); err == nil {
			opt.Previous, opt.PreviousYear = prev, year-1
		}
	}
	return report.NewCounty(res, county, opt), nil
}
