package web

import (
	"net/http"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

type standardsPage struct {
	*Base
	Rules     *standards.Rules
	InForce   bool
	Standards []*standards.Standard
	Profiles  []*standards.Profile
	Stages    []census.Stage
	Weights   []weightRow
}

type weightRow struct {
	Type    census.SchoolType
	Weights map[census.Stage]float64
}

// standardsPage serves GET /standards?standard=&profile=: the standard and
// profile in force (or the ones asked for), with every threshold and setting.
func (s *Server) standardsPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "standards")
	sid, pid := s.inForce().Standard, s.inForce().Profile
	if v := r.URL.Query().Get("standard"); v != "" {
		sid = v
	}
	if v := r.URL.Query().Get("profile"); v != "" {
		pid = v
	}
	rules, err := standards.Resolve(sid, pid)
	if err != nil {
		return badRequest("error.rules", sid, pid)
	}
	p := &standardsPage{Base: b, Rules: rules, InForce: sid == s.inForce().Standard && pid == s.inForce().Profile,
		Standards: standards.List(), Profiles: standards.Profiles(), Stages: rules.Stages}
	sw := rules.Settings.SplitWeights
	for _, t := range []census.SchoolType{census.NineYear, census.TwelveYear, census.CompleteSecondary} {
		p.Weights = append(p.Weights, weightRow{Type: t, Weights: sw.For(t)})
	}
	b.Title = b.T("nav.standards")
	s.render(w, r, http.StatusOK, "standards", p)
	return nil
}

// W returns the weight of stage st, for the template.
func (w weightRow) W(st string) float64 {
	v, ok := w.Weights[census.Stage(st)]
	if !ok {
		return -1
	}
	return v
}
