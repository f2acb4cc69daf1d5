package web

import (
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
)

// The public answering pages of a survey, reached by a printed code or an
// open link without signing in: one small document each, with its own
// tight CSP, a few lines of CSS, no script and no chart library; the
// answers go back as a plain form POST.

const deviceCookie = "dudao_sv"

// publicCSP allows the page's own inline style and nothing else to load.
const publicCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

type answerPage struct {
	Lang      i18n.Lang
	Title     string
	Q         *survey.Questionnaire
	Questions []survey.Question
	Token     string
	Start     string
	GroupName string
	AreaName  string
	Open      bool
	AreaOpts  []areaOption
	// State is "form", "thanks", "used", "closed", "before" or "invalid".
	State   string
	Message string
	Answers map[string]int // kept when the form comes back incomplete
}

// T translates key into the page's language.
func (p *answerPage) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// answerCode is what a request's token resolves to.
type answerCode struct {
	sv    store.Survey
	tok   survey.Token
	group string
	area  survey.Area
}

// resolveCode reads the token of the path and checks it: a page state
// other than "form" when it cannot be answered now.
func (s *Server) resolveCode(r *http.Request) (answerCode, string, int, error) {
	var c answerCode
	raw := r.PathValue("token")
	id, ok := survey.PeekSurvey(raw)
	if !ok {
		return c, "invalid", http.StatusNotFound, nil
	}
	sv, err := s.st.Survey(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return c, "invalid", http.StatusNotFound, nil
	}
	if err != nil {
		return c, "", 0, err
	}
	tok, err := survey.ParseToken(sv.Secret, raw)
	q := sv.Questionnaire
	if err != nil || tok.Group >= len(q.Groups) || tok.Area >= len(q.Areas()) {
		return c, "invalid", http.StatusNotFound, nil
	}
	c = answerCode{sv: sv, tok: tok, group: q.Groups[tok.Group].ID}
	if tok.Open() {
		open := false
		for _, g := range sv.OpenGroups {
			open = open || g == c.group
		}
		if !open {
			return c, "invalid", http.StatusNotFound, nil
		}
	} else {
		c.area = q.Areas()[tok.Area]
		g, a, err := s.st.SurveyCode(r.Context(), sv.ID, tok.Serial)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (g != c.group || a != c.area)) {
			return c, "invalid", http.StatusNotFound, nil
		}
		if err != nil {
			return c, "", 0, err
		}
	}
	now := s.now()
	if now.Before(sv.Opens) {
		return c, "before", http.StatusForbidden, nil
	}
	if !survey.InWindow(now, sv.Opens, sv.Closes) {
		return c, "closed", http.StatusForbidden, nil
	}
	if !tok.Open() {
		used, err := s.st.CodeUsed(r.Context(), sv.ID, tok.Serial)
		if err != nil {
			return c, "", 0, err
		}
		if used {
			return c, "used", http.StatusConflict, nil
		}
	}
	return c, "form", http.StatusOK, nil
}

func (s *Server) answerPageOf(r *http.Request, c answerCode, state string) *answerPage {
	p := &answerPage{Lang: langOf(r), State: state, Token: r.PathValue("token")}
	p.Title = p.T("survey.public_title")
	if c.sv.Questionnaire == nil {
		return p
	}
	q := c.sv.Questionnaire
	p.Q, p.Title, p.Open = q, q.Title, c.tok.Open()
	g := q.Groups[c.tok.Group]
	p.GroupName, p.Questions = g.ZH, q.QuestionsFor(g.ID)
	if p.Lang == i18n.EN && g.EN != "" {
		p.GroupName = g.EN
	}
	if p.Open {
		for i, a := range q.Areas() {
			p.AreaOpts = append(p.AreaOpts, areaOption{i, q.AreaName(a)})
		}
	} else {
		p.AreaName = q.AreaName(c.area)
	}
	return p
}

func (s *Server) renderPublic(w http.ResponseWriter, r *http.Request, code int, p *answerPage) {
	w.Header().Set("Content-Security-Policy", publicCSP)
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderBlock(w, r, code, "survey_answer", "public", p)
}

// answerGet serves GET /s/{token}: the questionnaire, or why it cannot be
// answered. It gives the phone a random device cookie (for the burst
// check only) and the form a signed start time.
func (s *Server) answerGet(w http.ResponseWriter, r *http.Request) error {
	c, state, code, err := s.resolveCode(r)
	if err != nil {
		return err
	}
	p := s.answerPageOf(r, c, state)
	if state == "form" {
		deviceOf(w, r)
		p.Start = survey.SignStart(c.sv.Secret, p.Token, s.now())
	}
	s.renderPublic(w, r, code, p)
	return nil
}

// deviceOf returns the request's device cookie, setting a new random one
// when it has none.
func deviceOf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(deviceCookie); err == nil && len(c.Value) == 32 {
		if _, err := hex.DecodeString(c.Value); err == nil {
			return c.Value
		}
	}
	b := make([]byte, 16)
	crand.Read(b)
	v := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: v, Path: "/s/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	return v
}

// answerPost serves POST /s/{token}: the answers. A complete form is
// stored once per code (a second submission of the code is refused), with
// the integrity rules' flags; an incomplete one comes back with what was
// answered. The respondent sees the same thanks whether or not the
// response was flagged.
func (s *Server) answerPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, state, code, err := s.resolveCode(r)
	if err != nil {
		return err
	}
	p := s.answerPageOf(r, c, state)
	if state != "form" {
		s.renderPublic(w, r, code, p)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.form")
	}
	sv, q := c.sv, c.sv.Questionnaire
	started, err := survey.ParseStart(sv.Secret, p.Token, r.PostForm.Get("start"))
	if err != nil {
		// A form without its signed start: begin again.
		p.Start, p.Message = survey.SignStart(sv.Secret, p.Token, s.now()), p.T("survey.start_again")
		s.renderPublic(w, r, http.StatusBadRequest, p)
		return nil
	}
	answers, err := survey.ParseAnswers(p.Questions, r.PostForm)
	area := c.area
	if err == nil && p.Open {
		var ai int
		if ai, err = q.ParseArea(r.PostForm); err == nil {
			area = q.Areas()[ai]
		}
	}
	if err != nil {
		p.Start, p.Message, p.Answers = r.PostForm.Get("start"), p.T("survey.incomplete"), map[string]int{}
		for _, x := range p.Questions {
			if a, err := survey.ParseAnswers([]survey.Question{x}, r.PostForm); err == nil {
				p.Answers[x.ID] = a[x.ID]
			}
		}
		s.renderPublic(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	rules := survey.DefaultRules(surveySample(sv).FloorSecondsPerQuestion)
	now := s.now()
	resp := store.SurveyResponse{SurveyID: sv.ID, Serial: c.tok.Serial, Group: c.group, Area: area, Answers: answers,
		Started: started, Device: deviceOf(w, r), AddrHash: survey.AddressHash(sv.Secret, remoteIP(r))}
	_, err = s.st.SubmitResponse(r.Context(), resp, rules, func(dev, addr int) []survey.Flag {
		return rules.Flags(survey.Check{Questions: p.Questions, Answers: answers, Elapsed: now.Sub(started),
			DeviceRecent: dev, AddressRecent: addr})
	})
	if errors.Is(err, store.ErrCodeUsed) {
		p.State = "used"
		s.renderPublic(w, r, http.StatusConflict, p)
		return nil
	}
	if err != nil {
		return err
	}
	p.State = "thanks"
	s.renderPublic(w, r, http.StatusOK, p)
	return nil
}
