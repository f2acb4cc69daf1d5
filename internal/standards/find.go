package standards

import (
	"strings"
	"unicode"
)

// FindItem finds the item q names: its id, its Chinese name, or a part of
// its name that only one item's name holds ("规划布局" for
// 学校规划布局合理). When q names none, or several, it returns nil and the
// items whose names are closest (sharing the most characters with q),
// best first, at most five, for a "did you mean" message.
func (r *Rules) FindItem(q string) (*Item, []*Item) {
	names := make([]string, len(r.Items))
	for i, it := range r.Items {
		names[i] = it.ZH
	}
	i, close := find(q, func(i int) string { return r.Items[i].ID }, names)
	out := make([]*Item, len(close))
	for j, c := range close {
		out[j] = &r.Items[c]
	}
	if i < 0 {
		return nil, out
	}
	return &r.Items[i], nil
}

// FindIndicator finds the indicator q names, as FindItem finds items:
// by id, Chinese name or a part of it ("骨干教师").
func (r *Rules) FindIndicator(q string) (*Indicator, []*Indicator) {
	names := make([]string, len(r.Indicators))
	for i := range r.Indicators {
		names[i] = r.Indicators[i].ZH
	}
	i, close := find(q, func(i int) string { return r.Indicators[i].ID }, names)
	out := make([]*Indicator, len(close))
	for j, c := range close {
		out[j] = &r.Indicators[c]
	}
	if i < 0 {
		return nil, out
	}
	return &r.Indicators[i], nil
}

// find returns the index of what q names among names (with ids by id), or
// -1 and the indexes of the closest names.
func find(q string, id func(int) string, names []string) (int, []int) {
	q = strings.TrimSpace(strings.TrimPrefix(q, "\ufeff"))
	if q == "" {
		return -1, nil
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	nq := norm(q)
	var holds []int
	for i, n := range names {
		if q == id(i) || nq == norm(n) {
			return i, nil
		}
		if nq != "" && strings.Contains(norm(n), nq) {
			holds = append(holds, i)
		}
	}
	if len(holds) == 1 {
		return holds[0], nil
	}
	if len(holds) > 1 {
		return -1, holds[:min(len(holds), 5)]
	}
	// Closest by the characters they share.
	type scored struct{ i, n int }
	var best []scored
	for i, n := range names {
		shared := 0
		for _, r := range nq {
			if strings.ContainsRune(norm(n), r) {
				shared++
			}
		}
		if shared*2 >= len([]rune(nq)) && shared > 0 {
			best = append(best, scored{i, shared})
		}
	}
	for a := 1; a < len(best); a++ {
		for b := a; b > 0 && best[b].n > best[b-1].n; b-- {
			best[b], best[b-1] = best[b-1], best[b]
		}
	}
	var out []int
	for _, s := range best[:min(len(best), 5)] {
		out = append(out, s.i)
	}
	return -1, out
}
