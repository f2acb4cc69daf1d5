package web

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// Two more answers on a province's or a city's overview: where its
// counties stand on a map, coloured by the whole verdict of the chosen
// standard (overviewMap), and how many were recognised, not and pending in
// each year the database holds, under every standard (trends). Both count
// as the overview does: the whole standard's verdict of each county in the
// region and in the account's scope.

// trend is a region's counties under one standard, year by year.
type trend struct {
	Standard, Name string
	Chosen         bool
	Years          []trendYear
	Chart          string // JSON for the chart (app.js)
}

type trendYear struct {
	Year                           int
	Total, Passed, Failed, Missing int
}

// wholeVerdicts returns each county's whole verdict in year under rules
// (pending when it has none), kept under the versions of what the
// evaluation reads, as the evaluation is: the trends need the verdicts of
// every year under every standard, which the evaluations' own cache holds
// a few of.
func (s *Server) wholeVerdicts(ctx context.Context, rules *standards.Rules, year int) (map[string]census.Status, error) {
	k, err := s.wholeKeyOf(ctx, rules, year)
	if err != nil {
		return nil, err
	}
	c := s.cache
	c.mu.Lock()
	v, ok := c.verdicts[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	res, err := s.wholeUnder(ctx, k, rules, year)
	if err != nil {
		return nil, err
	}
	v = make(map[string]census.Status, len(res.Counties))
	for _, cty := range res.Counties {
		v[cty.Code] = statusOf(cty)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.verdicts == nil || len(c.verdicts) >= 200 {
		c.verdicts = map[wholeKey]map[string]census.Status{}
	}
	for old := range c.verdicts {
		if old.data != k.data || old.audit != k.audit || old.responses != k.responses || old.opened != k.opened {
			delete(c.verdicts, old)
		}
	}
	c.verdicts[k] = v
	return v, nil
}

// trends counts the counties of prefix in scope under every standard
// (with the chosen profile) in every year with data, the chosen standard
// first.
func (s *Server) trends(ctx context.Context, b *Base, c *choice, prefix string) ([]trend, error) {
	years := slices.Sorted(slices.Values(c.Years))
	var out []trend
	for _, std := range standards.List() {
		rules, err := standards.Shared(std.ID, c.Profile)
		if err != nil {
			continue // a profile of one standard only
		}
		tr := trend{Standard: std.ID, Name: std.Name, Chosen: std.ID == c.Standard}
		if b.EN() && std.NameEN != "" {
			tr.Name = std.NameEN
		}
		var names []string
		var met, notMet, pending []int
		for _, y := range years {
			verdicts, err := s.wholeVerdicts(ctx, rules, y)
			if err != nil {
				return nil, err
			}
			ty := trendYear{Year: y}
			for code, st := range verdicts {
				if !inRegion(b, prefix, code) {
					continue
				}
				ty.Total++
				switch st {
				case census.StatusMet:
					ty.Passed++
				case census.StatusNotMet:
					ty.Failed++
				default:
					ty.Missing++
				}
			}
			tr.Years = append(tr.Years, ty)
			names = append(names, strconv.Itoa(y))
			met, notMet, pending = append(met, ty.Passed), append(notMet, ty.Failed), append(pending, ty.Missing)
		}
		if tr.Chart, err = toJSON(map[string]any{
			"kind": "stack", "names": names, "compact": true,
			"series": []map[string]any{{"name": b.T("overview.recognised.short"), "data": met, "cls": "ok"},
				{"name": b.T("overview.pending.short"), "data": pending, "cls": "warn"},
				{"name": b.T("overview.not_recognised.short"), "data": notMet, "cls": "bad"}},
		}); err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	slices.SortStableFunc(out, func(a, z trend) int { return boolInt(z.Chosen) - boolInt(a.Chosen) })
	return out, nil
}

// overviewMap sets the overview's map: the JSON app.js draws it from (where
// to fetch the region's shapes, each county's verdict, where a county
// leads), or, without a map imported, whether to tell the account that
// may import one where to.
func (s *Server) overviewMap(ctx context.Context, p *overviewPage, statuses map[string]census.Status) error {
	b := p.Base
	if _, err := s.st.MapImported(ctx); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		regions, err := s.st.Regions(ctx)
		if err != nil {
			return err
		}
		p.MapHint = s.mapAdmin(b, regions)
		return nil
	}
	var err error
	p.Map, err = toJSON(map[string]any{
		"kind":   "map",
		"url":    "/overview/map/" + p.Region.Code,
		"status": statuses,
		"query":  string(queryString("year", strconv.Itoa(p.Year), "standard", p.Standard, "profile", p.Profile)),
		"labels": map[string]string{
			string(census.StatusMet): b.T("overview.recognised"), string(census.StatusNotMet): b.T("overview.not_recognised"),
			string(census.StatusPending): b.T("overview.pending"), "": b.T("map.outside"),
		},
		"cls": map[string]string{string(census.StatusMet): clsOK, string(census.StatusNotMet): clsBad, string(census.StatusPending): clsWarn},
	})
	return err
}

// planTarget is a work plan's target of counties recognised under a
// standard (a task linked to store.LinkCasesRecognised): N by the plan's
// year, in task Task.
type planTarget struct {
	N, Year int
	Task    int64
}

// recognitionTargets are the targets of recognised counties, by standard,
// in the newest work plan of region that has one: what the standings are
// measured against. None when the account does not see the region's plans.
func (s *Server) recognitionTargets(ctx context.Context, b *Base, region census.Region) (map[string]*planTarget, error) {
	out := map[string]*planTarget{}
	if !b.Scope.County(region.Code) {
		return out, nil
	}
	plans, err := s.st.Plans(ctx, region.Code)
	if err != nil {
		return nil, err
	}
	for _, pl := range plans { // newest year first
		if pl.Region != region.Code {
			continue
		}
		tasks, err := s.st.PlanTasks(ctx, pl.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			if t.Link == store.LinkCasesRecognised && t.Target > 0 && out[t.LinkArg] == nil {
				out[t.LinkArg] = &planTarget{N: int(t.Target), Year: pl.Year, Task: t.ID}
			}
		}
	}
	return out, nil
}
