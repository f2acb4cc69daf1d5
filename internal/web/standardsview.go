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
	// Thresholds is whether the resource indicators have standard values
	// (优质均衡); 基本均衡 judges their CVs only, 学前 has none.
	Thresholds bool
	// Parts are the whole standard's items, part by part.
	Parts []standardPart
}

// standardPart is one part of a standard (资源配置, 政府保障程度, …) and
// its items.
type standardPart struct {
	ID    string
	Items []*standards.Item
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
	for _, ind := range rules.Indicators {
		for _, th := range ind.Thresholds {
			p.Thresholds = p.Thresholds || th > 0
		}
	}
	for _, part := range standards.Parts {
		sp := standardPart{ID: part.ID}
		for i := range rules.Items {
			if rules.Items[i].Part == part.ID {
				sp.Items = append(sp.Items, &rules.Items[i])
			}
		}
		if len(sp.Items) > 0 {
			p.Parts = append(p.Parts, sp)
		}
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
