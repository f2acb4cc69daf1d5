package web

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
)

// 课后服务 (after-school services): a county's ledger of a school year, a
// row per school and term (internal/afterschool, declared on
// internal/ledger), and the indicators of a term — coverage of schools,
// students and teachers, satisfaction, end time and days a week — on the
// county's page /county/{code}/afterschool, and every county of a region
// side by side on /afterschool.

type afterschoolPage struct {
	*Base
	*choice
	Q      []any
	Code   string
	County string
	Term   string
	Terms  []string
	Has    bool // the county has a ledger of the year
	Ind    afterschool.Indicators
	Survey *afterschoolSurvey // the satisfaction survey of the year, if one ran
	Ledger ledgerPanel
}

// Rate writes in of all as a percentage with one decimal ("—" for none).
func (p *afterschoolPage) Rate(in, all int) string {
	return afterschool.Share{In: int64(in), All: int64(all)}.Percent()
}

// afterschoolTerm reads ?term, or the latest term the ledger has rows of.
func afterschoolTerm(r *http.Request, ts []afterschool.Term) string {
	if t := r.URL.Query().Get("term"); slices.Contains(afterschool.Terms, t) {
		return t
	}
	return afterschool.LatestTerm(ts)
}

// afterschoolRule is the end-time rule of the page's profile.
func afterschoolRule(c *choice) (afterschool.Rule, error) {
	return afterschool.RuleOf(c.Rules.Settings.AfterSchoolEnd)
}

func (s *Server) afterschoolPageGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderAfterschool(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderAfterschool(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
	b, code, c, county, err := s.ledgerPageOf(r)
	if err != nil {
		return err
	}
	rule, err := afterschoolRule(c)
	if err != nil {
		return err
	}
	p := &afterschoolPage{Base: b, choice: c, Code: code, County: county, Terms: afterschool.Terms}
	b.Title = p.County + " · " + b.T("afterschool.title")
	d, v, err := s.st.Ledger(r.Context(), afterschool.Schema, code, c.Year)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Term = afterschoolTerm(r, nil)
	case err != nil:
		return err
	default:
		p.Has = true
		ts := afterschool.Of(d)
		p.Term = afterschoolTerm(r, ts)
		schools, err := s.st.Schools(r.Context(), c.Year, code)
		if err != nil {
			return err
		}
		p.Ind = afterschool.Count(ts, afterschool.Providers(d), schools, p.Term, rule)
		if p.Survey, err = s.afterschoolSurveyOf(r.Context(), code, c.Year, &p.Ind); err != nil {
			return err
		}
	}
	p.Q = append(c.Query(s), "term", p.Term)
	if p.Ledger, err = s.ledgerPanelOf(r, b, s.afterschoolKind(), code, c.Year, d, v, errs, editErr); err != nil {
		return err
	}
	s.render(w, r, status, "afterschool", p)
	return nil
}

// afterschoolKind is the 课后服务 ledger as its routes serve it.
func (s *Server) afterschoolKind() ledgerKind {
	return ledgerKind{Schema: afterschool.Schema, Path: "afterschool", Name: "课后服务台账",
		Render: func(w http.ResponseWriter, r *http.Request, status int, errs censusio.Errors, editErr string) error {
			return s.renderAfterschool(w, r, status, errs, editErr)
		}}
}

type afterschoolRegionPage struct {
	*Base
	*choice
	Q     []any
	Term  string
	Terms []string
	*ledgerRegion[afterschool.Indicators]
}

// afterschoolRegion serves GET /afterschool?region=&year=&term=: every
// city of a province (or county of a city) with its indicators of the
// term, and the region's sum. A county account goes to its county's page.
func (s *Server) afterschoolRegion(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "afterschool")
	if b.Scope.SchoolOnly() {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	rule, err := afterschoolRule(c)
	if err != nil {
		return err
	}
	region, up, regions, redirected, err := s.regionOfLedger(w, r, b, "afterschool")
	if err != nil || redirected {
		return err
	}
	prefix := countyPrefixOf(region.Code)
	ledgers, err := s.st.Ledgers(r.Context(), afterschool.Schema, c.Year, prefix)
	if err != nil {
		return err
	}
	term := r.URL.Query().Get("term")
	if !slices.Contains(afterschool.Terms, term) {
		var all []afterschool.Term
		for _, d := range ledgers {
			all = append(all, afterschool.Of(d)...)
		}
		term = afterschool.LatestTerm(all)
	}
	byCounty, err := s.schoolsByCounty(r, c.Year, prefix)
	if err != nil {
		return err
	}
	p := &afterschoolRegionPage{Base: b, choice: c, Q: c.Query(s), Term: term, Terms: afterschool.Terms}
	var surveyErr error
	p.ledgerRegion = ledgerRegionOf(b, region, up, regions,
		func() afterschool.Indicators { return afterschool.Count(nil, nil, nil, term, rule) },
		func(a *afterschool.Indicators, f afterschool.Indicators) { a.Add(f) },
		func(code string) (afterschool.Indicators, bool) {
			d := ledgers[code]
			if d == nil {
				return afterschool.Count(nil, nil, byCounty[code], term, rule), false
			}
			ind := afterschool.Count(afterschool.Of(d), afterschool.Providers(d), byCounty[code], term, rule)
			if _, err := s.afterschoolSurveyOf(r.Context(), code, c.Year, &ind); err != nil && surveyErr == nil {
				surveyErr = err
			}
			return ind, true
		})
	if surveyErr != nil {
		return surveyErr
	}
	b.Title = region.Name + " · " + b.T("afterschool.title")
	s.render(w, r, http.StatusOK, "afterschool_region", p)
	return nil
}

// afterschoolAPI serves GET /api/v1/afterschool/{code}?year=&term=: the
// county's indicators of the term and its ledger's rows by table, keyed
// by the declaration's column keys (ledger.Data.Maps).
func (s *Server) afterschoolAPI(r *http.Request) (any, error) {
	code, c, d, v, err := s.ledgerAPIOf(r, afterschool.Schema)
	if err != nil {
		return nil, err
	}
	rule, err := afterschoolRule(c)
	if err != nil {
		return nil, err
	}
	schools, err := s.st.Schools(r.Context(), c.Year, code)
	if err != nil {
		return nil, err
	}
	ts := afterschool.Of(d)
	term := afterschoolTerm(r, ts)
	ind := afterschool.Count(ts, afterschool.Providers(d), schools, term, rule)
	sv, err := s.afterschoolSurveyOf(r.Context(), code, c.Year, &ind)
	if err != nil {
		return nil, err
	}
	source := map[string]any{"from": "ledger"}
	if sv != nil {
		source = map[string]any{"from": "ledger", "survey": sv.ID, "survey_valid": sv.Sat.All, "survey_min_valid": sv.MinValid}
		if sv.Feeds {
			source["from"] = "survey"
		}
	}
	share := func(sh afterschool.Share) map[string]any {
		return map[string]any{"in": sh.In, "all": sh.All, "percent": sh.Percent()}
	}
	return map[string]any{
		"county": code, "year": c.Year, "term": term, "version": v.ID,
		"rule": map[string]any{"end": rule.End, "min_days": rule.MinDays},
		"indicators": map[string]any{
			"schools": share(ind.Schools), "students": share(ind.Students), "teachers": share(ind.Teachers),
			"satisfaction": share(ind.Satisfaction), "satisfaction_source": source, "end_time": share(ind.EndOK), "days": share(ind.Days5),
			"courses": ind.Courses, "providers": ind.Providers, "free": ind.Free, "vetted": ind.Vetted,
		},
		"ledger": d.Maps(),
	}, nil
}

// afterschoolSurvey is the county's 课后服务 satisfaction survey of a
// school year (survey.AfterSchool, run on the 社会认可度 survey's
// machinery: codes, phones, integrity checks): once it has the valid
// returns its sample needs, its rate — satisfied (满意 or 比较满意 on the
// overall question) of valid responses — is the county's satisfaction,
// over the counts the ledger's rows give.
type afterschoolSurvey struct {
	ID       int64
	Sat      afterschool.Share
	MinValid int
	Feeds    bool
}

// afterschoolSurveyOf finds the county's latest 课后服务 survey of year
// that has opened and has a valid response (nil when none), and, when it
// has enough returns, puts its rate into ind.
func (s *Server) afterschoolSurveyOf(ctx context.Context, county string, year int, ind *afterschool.Indicators) (*afterschoolSurvey, error) {
	svs, err := s.st.SurveysOf(ctx, county, survey.AfterSchool, year)
	if err != nil {
		return nil, err
	}
	for _, sv := range svs {
		if s.now().Before(sv.Opens) {
			continue
		}
		rs, err := s.st.SurveyResponses(ctx, sv.ID)
		if err != nil {
			return nil, err
		}
		c := sv.Questionnaire.Count(rates(rs)).All
		if c.Valid == 0 {
			continue
		}
		out := &afterschoolSurvey{ID: sv.ID, Sat: afterschool.Share{In: int64(c.Positive), All: int64(c.Valid)}, MinValid: planOf(sv, surveySample(sv)).MinValid}
		if out.Feeds = c.Valid >= out.MinValid; out.Feeds {
			ind.Satisfaction = out.Sat
		}
		return out, nil
	}
	return nil, nil
}
