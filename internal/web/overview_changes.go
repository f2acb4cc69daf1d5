package web

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// What a leader asks first of a province's or a city's overview, besides
// where it stands under the chosen standard: where it stands under every
// standard, and what changed since the year before (counties newly
// recognised, newly not, and the biggest movers by items not met).

// standing is a region's counties under one standard.
type standing struct {
	Standard, Name                 string
	Chosen                         bool
	Total, Passed, Failed, Missing int
}

// change is a county whose verdict or count of items not met moved.
type change struct {
	Code, Name       string
	From, To         census.Status
	UnmetFrom, Unmet int
}

// changes are the moves since the previous year with data.
type changes struct {
	Since                int // the previous year; 0 when there is none
	NewlyMet, NewlyUnmet []change
	Better, Worse        []change // the largest moves in items not met (at most 5 each)
}

// inRegion reports whether county code is shown on the overview of prefix
// to the account b.
func inRegion(b *Base, prefix, code string) bool {
	return strings.HasPrefix(code, prefix) && b.Scope.County(code)
}

// standings counts the counties of prefix in scope under every standard
// (with the chosen profile), the chosen one first.
func (s *Server) standings(ctx context.Context, b *Base, c *choice, prefix string) ([]standing, error) {
	var out []standing
	for _, std := range standards.List() {
		rules, err := standards.Shared(std.ID, c.Profile)
		if err != nil {
			continue // a profile of one standard only
		}
		res, err := s.wholeResult(ctx, rules, c.Year)
		if err != nil {
			return nil, err
		}
		st := standing{Standard: std.ID, Name: std.Name, Chosen: std.ID == c.Standard}
		if b.EN() && std.NameEN != "" {
			st.Name = std.NameEN
		}
		for _, cty := range res.Counties {
			if !inRegion(b, prefix, cty.Code) {
				continue
			}
			st.Total++
			switch statusOf(cty) {
			case census.StatusMet:
				st.Passed++
			case census.StatusNotMet:
				st.Failed++
			default:
				st.Missing++
			}
		}
		out = append(out, st)
	}
	slices.SortStableFunc(out, func(a, z standing) int { return cmp.Compare(boolInt(z.Chosen), boolInt(a.Chosen)) })
	return out, nil
}

// statusOf is a county's whole verdict (pending when it has none).
func statusOf(c *eval.County) census.Status {
	if c.Verdict == nil {
		return census.StatusPending
	}
	return c.Verdict.Status
}

// changesSince compares the counties of prefix in scope under the chosen
// standard with the previous year that has data.
func (s *Server) changesSince(ctx context.Context, b *Base, c *choice, prefix string, now *eval.Result) (changes, error) {
	var ch changes
	for _, y := range c.Years {
		if y < c.Year {
			ch.Since = y
		}
	}
	if ch.Since == 0 {
		return ch, nil
	}
	before, err := s.wholeResult(ctx, c.Rules, ch.Since)
	if err != nil {
		return ch, err
	}
	prev := map[string]*eval.County{}
	for _, cty := range before.Counties {
		prev[cty.Code] = cty
	}
	var moved []change
	for _, cty := range now.Counties {
		p := prev[cty.Code]
		if p == nil || !inRegion(b, prefix, cty.Code) {
			continue
		}
		m := change{Code: cty.Code, Name: cty.Name, From: statusOf(p), To: statusOf(cty), UnmetFrom: unmetOf(p), Unmet: unmetOf(cty)}
		switch {
		case m.To == census.StatusMet && m.From != census.StatusMet:
			ch.NewlyMet = append(ch.NewlyMet, m)
		case m.To == census.StatusNotMet && m.From != census.StatusNotMet:
			ch.NewlyUnmet = append(ch.NewlyUnmet, m)
		}
		if m.Unmet != m.UnmetFrom {
			moved = append(moved, m)
		}
	}
	byMove := func(a, z change) int {
		return cmp.Or(cmp.Compare(a.Unmet-a.UnmetFrom, z.Unmet-z.UnmetFrom), strings.Compare(a.Code, z.Code))
	}
	slices.SortFunc(moved, byMove)
	for _, m := range moved {
		if m.Unmet < m.UnmetFrom && len(ch.Better) < 5 {
			ch.Better = append(ch.Better, m)
		}
	}
	for i := len(moved) - 1; i >= 0 && len(ch.Worse) < 5; i-- {
		if moved[i].Unmet > moved[i].UnmetFrom {
			ch.Worse = append(ch.Worse, moved[i])
		}
	}
	return ch, nil
}

func unmetOf(c *eval.County) int {
	if c.Verdict == nil {
		return 0
	}
	return len(c.Verdict.Unmet)
}
