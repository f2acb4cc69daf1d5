package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
)

// A province's own questionnaires: the shipped questionnaire of a standard
// is the default; a province account may replace it (as JSON, checked by
// survey.Parse) for the surveys its counties start from then on. A running
// survey keeps the copy it started with.

type questionnairePage struct {
	*Base
	Standard  string
	Standards []string
	Q         *survey.Questionnaire
	JSON      string
	Own       bool // the province's own, not the shipped one
	CanEdit   bool
	Error     string
}

// questionnaireOf returns the questionnaire the counties of province
// start a survey of standard with, and whether it is the province's own.
func (s *Server) questionnaireOf(r *http.Request, province, standard string) (*survey.Questionnaire, bool, error) {
	if province != "" {
		q, err := s.st.Questionnaire(r.Context(), province, standard)
		if err == nil {
			return q, true, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	}
	q, err := survey.Standard(standard)
	return q, false, err
}

func accountProvince(b *Base) string {
	if b.Scope.Region() == "" {
		return ""
	}
	return census.ProvinceCode(b.Scope.Region())
}

// questionnairePageGet serves GET /surveys/questionnaire?standard=: the
// questionnaire in force for the account's province, editable by a
// province account; POST saves an edited one.
func (s *Server) questionnairePage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "surveys")
	if b.Scope.SchoolOnly() {
		return errForbidden
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return badRequest("error.form")
		}
	}
	std := r.FormValue("standard")
	if std == "" {
		std = "yzjh2017"
	}
	if !slices.Contains(survey.Standards(), std) {
		return badRequest("survey.no_questionnaire", std)
	}
	p := &questionnairePage{Base: b, Standard: std, Standards: survey.Standards(),
		CanEdit: b.Scope.CanEdit() && b.Scope.Level() == review.LevelProvince && accountProvince(b) != ""}
	code := http.StatusOK
	if r.Method == http.MethodPost {
		if !p.CanEdit {
			return errForbidden
		}
		text := r.PostForm.Get("json")
		q, err := survey.Parse([]byte(text))
		if err == nil && q.Standard != std {
			err = errors.New("standard " + q.Standard + " ≠ " + std)
		}
		if err == nil {
			if err := s.st.SetQuestionnaire(r.Context(), userOf(r).Username, accountProvince(b), q); err != nil {
				return err
			}
			setFlash(w, b.T("survey.q_saved"))
			http.Redirect(w, r, "/surveys/questionnaire?standard="+std, http.StatusSeeOther)
			return nil
		}
		p.Error, p.JSON, code = b.T("survey.q_bad", strings.TrimPrefix(err.Error(), "survey questionnaire: ")), text, http.StatusBadRequest
	}
	q, own, err := s.questionnaireOf(r, accountProvince(b), std)
	if err != nil {
		return err
	}
	p.Q, p.Own = q, own
	if p.JSON == "" {
		j, _ := json.MarshalIndent(q, "", " ")
		p.JSON = string(j)
	}
	b.Title = b.T("survey.q_title")
	s.render(w, r, code, "survey_questionnaire", p)
	return nil
}
