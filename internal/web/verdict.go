package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// The whole standard of one county: every item, its figures and its
// judgement, with forms to judge the evidence items and attach evidence.

type verdictPage struct {
	*Base
	Data *store.DataStatus
	*choice
	Q         []any
	County    *eval.County
	Verdict   *eval.Verdict
	Parts     []eval.PartItems
	Standards []*standards.Standard
	CanJudge  bool
	// History holds, by item, every judgement of it, oldest first.
	History map[string][]census.Judgement
	// Survey is the survey whose rate is the 社会认可度 figure, if any.
	Survey *surveyFeed
}

// wholeCounty evaluates the whole standard of rules for county code in year:
// its school or kindergarten records, its county record, the judgements in
// force and, when the rules look back, earlier years' 基本均衡 results.
//
// It is kept by the versions of everything it reads (wholeKeyOf), and
// taken from the evaluation of every county when the overview has made
// that one already: a county page viewed again costs no evaluation.
func (s *Server) wholeCounty(ctx context.Context, rules *standards.Rules, year int, code string) (*eval.County, error) {
	k, err := s.wholeKeyOf(ctx, rules, year)
	if err != nil {
		return nil, err
	}
	if all, ok := s.cache.wholeKept(k); ok {
		if c := all.County(code); c != nil {
			return c, nil
		}
		return nil, store404()
	}
	res, err := s.cache.countyWhole(ctx, countyWholeKey{k, code}, func(ctx context.Context) (*eval.Result, error) {
		in, err := wholeInputsOf(ctx, s.st, rules, year, code)
		if err != nil {
			return nil, err
		}
		return eval.EvaluateWhole(rules, year, in), nil
	})
	if err != nil {
		return nil, err
	}
	if len(res.Counties) == 0 {
		return nil, store404()
	}
	return res.Counties[0], nil
}

// wholeCountyOf is wholeCounty from store st (the demo's seeding, which
// has no server, evaluates its cases' steps with it).
func wholeCountyOf(ctx context.Context, st *store.Store, rules *standards.Rules, year int, code string) (*eval.County, error) {
	in, err := wholeInputsOf(ctx, st, rules, year, code)
	if err != nil {
		return nil, err
	}
	res := eval.EvaluateWhole(rules, year, in)
	if len(res.Counties) == 0 {
		return nil, store404()
	}
	return res.Counties[0], nil
}

// wholeInputs are what county code's verdict under rules for year is
// computed from: its schools or kindergartens, its county record, the
// judgements, and the earlier years' CVs a standard asks for.
func (s *Server) wholeInputs(ctx context.Context, rules *standards.Rules, year int, code string) (eval.Inputs, error) {
	return wholeInputsOf(ctx, s.st, rules, year, code)
}

// wholeInputsOf is wholeInputs from store st; code "" reads every county's.
func wholeInputsOf(ctx context.Context, st *store.Store, rules *standards.Rules, year int, code string) (in eval.Inputs, err error) {
	if rules.Preschool() {
		in.Kindergartens, err = st.Kindergartens(ctx, year, code)
	} else {
		in.Schools, err = st.Schools(ctx, year, code)
	}
	if err != nil {
		return in, err
	}
	if in.Counties, err = st.CountyRecords(ctx, year, code); err != nil {
		return in, err
	}
	if in.Judgements, err = st.Judgements(ctx, rules.ID, year, code); err != nil {
		return in, err
	}
	// A rotation ledger's shares stand for the typed rotation figures
	// (rotation_feed.go).
	if err := feedRotationOf(ctx, st, rules, year, code, &in); err != nil {
		return in, err
	}
	if pc := rules.PriorCVs(); pc != nil {
		basic, err := standards.Resolve(pc.Standard, rules.Profile.ID)
		if err != nil {
			return in, err
		}
		in.Prior = map[int]*eval.Result{}
		for y := year - pc.Years; y < year; y++ {
			schools, err := st.Schools(ctx, y, code)
			if err != nil {
				return in, err
			}
			if len(schools) > 0 {
				in.Prior[y] = eval.Evaluate(basic, y, schools)
			}
		}
	}
	// A survey's rate stands for the 社会认可度 figure (survey.go).
	if code != "" {
		_, err = feedSurveyOf(ctx, st, st.Now(), rules, year, code, &in)
		return in, err
	}
	svs, err := st.Surveys(ctx, "")
	if err != nil {
		return in, err
	}
	fed := map[string]bool{}
	for _, sv := range svs {
		if sv.Standard != rules.ID || sv.Year != year || fed[sv.County] {
			continue
		}
		fed[sv.County] = true
		if _, err := feedSurveyOf(ctx, st, st.Now(), rules, year, sv.County, &in); err != nil {
			return in, err
		}
	}
	return in, nil
}

// wholeResult evaluates the whole standard of rules in year for every
// county with records: what the overview counts (recognised, not, pending).
// Each county's verdict is the one its own page shows: the inputs are
// wholeInputs' for every county at once.
//
// The result is kept while nothing it reads has changed: the records (the
// data version), the judgements and reviews (the audit version), the
// survey responses, and the surveys opened (a survey feeds its county from
// its opening on).
func (s *Server) wholeResult(ctx context.Context, rules *standards.Rules, year int) (*eval.Result, error) {
	k, err := s.wholeKeyOf(ctx, rules, year)
	if err != nil {
		return nil, err
	}
	return s.wholeUnder(ctx, k, rules, year)
}

// wholeKeyOf is the cache key of the whole-standard evaluation of every
// county in year under rules: the versions of everything it reads.
func (s *Server) wholeKeyOf(ctx context.Context, rules *standards.Rules, year int) (k wholeKey, err error) {
	k = wholeKey{year: year, standard: rules.ID, profile: rules.Profile.ID}
	if k.opened, err = s.st.SurveysOpened(ctx, s.now()); err != nil {
		return k, err
	}
	if k.data, err = s.st.DataVersion(ctx); err != nil {
		return k, err
	}
	if k.audit, err = s.st.AuditVersion(ctx); err != nil {
		return k, err
	}
	k.responses, err = s.st.ResponsesVersion(ctx)
	return k, err
}

// wholeUnder is wholeResult under the key k wholeKeyOf made.
func (s *Server) wholeUnder(ctx context.Context, k wholeKey, rules *standards.Rules, year int) (*eval.Result, error) {
	return s.cache.whole(ctx, k, func(ctx context.Context) (*eval.Result, error) {
		in, err := wholeInputsOf(ctx, s.st, rules, year, "")
		if err != nil {
			return nil, err
		}
		return eval.EvaluateWhole(rules, year, in), nil
	})
}

// verdictPage serves GET /county/{code}/verdict?standard=&year=: the county's
// verdict under the whole standard, item by item.
func (s *Server) verdictPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) {
		return errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	cty, err := s.wholeCounty(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return err
	}
	p := &verdictPage{Base: b, choice: c, Q: c.Query(s), County: cty, Verdict: cty.Verdict, Parts: cty.Verdict.Parts(),
		Standards: standards.List(), CanJudge: b.Scope.CanEdit(), History: map[string][]census.Judgement{},
		Data: s.dataStatus(r, code, c.Year)}
	if p.Survey, err = s.feedSurvey(r.Context(), c.Rules, c.Year, code, &eval.Inputs{}); err != nil {
		return err
	}
	for _, it := range cty.Verdict.Items {
		if !it.Item.Evidence || it.Judgement == nil {
			continue
		}
		h, err := s.st.JudgementHistory(r.Context(), c.Rules.ID, c.Year, code, it.Item.ID)
		if err != nil {
			return err
		}
		if len(h) > 1 {
			p.History[it.Item.ID] = h
		}
	}
	b.Title = cty.Name + " · " + b.StdName(c.Rules) + " · " + strconv.Itoa(c.Year)
	s.render(w, r, http.StatusOK, "verdict", p)
	return nil
}

// StdName names the rules' standard in the page's language.
func (b *Base) StdName(r *standards.Rules) string {
	if b.EN() && r.NameEN != "" {
		return r.NameEN
	}
	return r.Name
}

// ItemName names an item in the page's language.
func (b *Base) ItemName(it *standards.Item) string {
	if b.EN() && it.EN != "" {
		return it.EN
	}
	return it.ZH
}

// PartName names a part of a standard in the page's language.
func (b *Base) PartName(id string) string {
	for _, p := range standards.Parts {
		if p.ID == id {
			if b.EN() {
				return p.EN
			}
			return p.ZH
		}
	}
	return id
}

// StatusLabel is an item's or a county's status as a page shows it: met,
// not met, and for pending why — awaiting a judgement or data.
func (b *Base) StatusLabel(st census.Status, awaiting []string) string {
	switch st {
	case census.StatusMet:
		return b.T("verdict.status.met")
	case census.StatusNotMet:
		return b.T("verdict.status.not_met")
	}
	var out []string
	for _, a := range awaiting {
		out = append(out, b.T("verdict.await."+a))
	}
	if len(out) == 0 {
		return b.T("verdict.status.pending")
	}
	return strings.Join(out, " · ")
}

// StatusClass is the colour class of a status.
func (b *Base) StatusClass(st census.Status) string {
	switch st {
	case census.StatusMet:
		return clsOK
	case census.StatusNotMet:
		return clsBad
	}
	return clsWarn
}

// CheckValue writes a check's figure as reports do.
func (b *Base) CheckValue(cr *eval.CheckResult) string { return eval.FormatValue(cr.Value, cr.Check) }

// CheckStandard writes a check's condition: ≥ 85%.
func (b *Base) CheckStandard(c *standards.Check) string {
	if c.Op == "" {
		return ""
	}
	return standards.OpZH(c.Op) + " " + standards.FormatThreshold(c.Threshold, c.Percent, c.Unit)
}

// JudgementLabel is the judgement in force of an evidence item: for a veto
// item, whether the situation occurred.
func (b *Base) JudgementLabel(ir *eval.ItemResult) string {
	j := ir.Judgement
	if ir.Item.Veto {
		switch j.Status {
		case census.StatusMet:
			return b.T("verdict.veto_met")
		case census.StatusNotMet:
			return b.T("verdict.veto_not_met")
		}
	}
	return b.StatusLabel(j.Status, []string{eval.AwaitJudgement})
}

// MB is a size in megabytes.
func (b *Base) MB(size int64) float64 { return float64(size) / (1 << 20) }

// judge serves POST /county/{code}/judge: a judgement of one evidence item,
// with evidence files, appended to the item's history.
func (s *Server) judge(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	sc := scopeOf(u)
	code := r.PathValue("code")
	if !sc.County(code) || !sc.CanEdit() {
		return refuse(sc.County(code))
	}
	r.Body = http.MaxBytesReader(w, r.Body, 5*store.MaxEvidenceSize+(1<<20))
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return cmp.Or(bodyTooLarge(err, "judge.request_too_large", (5*store.MaxEvidenceSize)>>20, store.MaxEvidenceSize>>20), badRequest("error.400"))
	}
	defer r.MultipartForm.RemoveAll()
	rules, err := standards.Resolve(r.FormValue("standard"), r.FormValue("profile"))
	if err != nil {
		return badRequest("error.400")
	}
	year, err := strconv.Atoi(r.FormValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return badRequest("error.400")
	}
	it := rules.Item(r.FormValue("item"))
	if it == nil || !it.Evidence {
		return badRequest("judge.not_evidence")
	}
	st, ok := census.ParseStatus(r.FormValue("status"))
	if !ok || r.FormValue("status") == "" {
		return badRequest("judge.no_status")
	}
	var files []store.EvidenceUpload
	for _, fh := range r.MultipartForm.File["evidence"] {
		f, err := fh.Open()
		if err != nil {
			return badRequest("error.400")
		}
		data, err := io.ReadAll(io.LimitReader(f, store.MaxEvidenceSize+1))
		f.Close()
		if err != nil {
			return badRequest("error.400")
		}
		if len(data) == 0 && fh.Filename == "" {
			continue // the empty file input of a form
		}
		if _, err := store.SniffEvidence(fh.Filename, data); err != nil {
			if errors.Is(err, store.ErrEvidenceSize) {
				return tooLarge("judge.too_large", store.MaxEvidenceSize>>20)
			}
			return badRequest("judge.bad_type", fh.Filename)
		}
		files = append(files, store.EvidenceUpload{Name: fh.Filename, Data: data})
	}
	comment := strings.TrimSpace(r.FormValue("comment"))
	if len([]rune(comment)) > 2000 {
		return badRequest("judge.comment_long")
	}
	j, err := s.st.Judge(r.Context(), census.Judgement{Standard: rules.ID, CountyCode: code, Year: year, Item: it.ID,
		Status: st, Comment: comment, Actor: u.Username}, files)
	if err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditJudge, Region: code, Target: rules.ID + "/" + it.ID,
		Detail: fmt.Sprintf("%d %s, %d files", year, st, len(files))})
	lang := langOf(r)
	setFlash(w, tr(lang, "judge.saved", it.ZH, tr(lang, "verdict.status."+string(j.Status)), len(files)))
	q := url.Values{"standard": {rules.ID}, "year": {strconv.Itoa(year)}}
	if rules.Profile.ID != s.inForce().Profile {
		q.Set("profile", rules.Profile.ID)
	}
	http.Redirect(w, r, "/county/"+code+"/verdict?"+q.Encode()+"#item-"+it.ID, http.StatusSeeOther)
	return nil
}

// evidenceExt is the file extension of each media type store.SniffEvidence
// finds (an old Office or WPS file by the program the name said wrote it).
var evidenceExt = map[string]string{
	"application/pdf":               ".pdf",
	"image/png":                     ".png",
	"image/jpeg":                    ".jpg",
	"image/gif":                     ".gif",
	"image/webp":                    ".webp",
	"application/msword":            ".doc",
	"application/vnd.ms-excel":      ".xls",
	"application/vnd.ms-powerpoint": ".ppt",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"application/ofd": ".ofd",
}

// evidence serves GET /evidence/{id}: one evidence file, to an account that
// sees its county. Images and PDFs open in the browser; other documents
// download. The type is the one found by reading the file at upload.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store404()
	}
	e, county, data, err := s.st.EvidenceFile(r.Context(), id)
	if err != nil {
		return err
	}
	if !scopeOf(userOf(r)).County(county) {
		return errOutOfScope
	}
	disp := "attachment"
	if e.Type == "application/pdf" || strings.HasPrefix(e.Type, "image/") {
		disp = "inline"
	}
	// The name takes the extension of the type found at upload, not the
	// uploaded one: a GIF sent as 证明.html is saved as 证明.gif, so that no
	// browser or desktop opens it as a page or a program.
	ext := evidenceExt[e.Type]
	if ext == "" {
		ext, disp = ".bin", "attachment"
	}
	name := strings.TrimSuffix(e.Name, extOf(e.Name)) + ext
	w.Header().Set("Content-Type", e.Type)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="evidence%s"; filename*=UTF-8''%s`, disp, ext, pathEscape(name)))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

// apiVerdict serves GET /api/v1/verdicts/{county}?year=&standard=&profile=:
// the county's evaluation under the whole standard, as `dudao evaluate
// --format json` writes it (interfaces.md §3 with the verdict's fields).
func (s *Server) apiVerdict(r *http.Request) (any, error) {
	code := r.PathValue("county")
	if !scopeOf(userOf(r)).County(code) {
		return nil, errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	cty, err := s.wholeCounty(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return nil, err
	}
	res := &eval.Result{Standard: c.Rules.ID, Profile: c.Rules.Profile.ID, Year: c.Year, Rules: c.Rules, Counties: []*eval.County{cty}, Whole: true}
	return res.JSON(), nil
}
