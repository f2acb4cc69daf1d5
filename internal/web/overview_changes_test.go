package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The province's overview counts its counties under every standard, as
// each standard's own evaluation does, and names the counties whose
// verdict changed since the year before.
func TestOverviewStandingsAndChanges(t *testing.T) {
	e := newEnv(t)
	body := e.get("admin", "/overview").Body.String()
	ctx := context.Background()
	for _, std := range []string{"yzjh2017", "jbjh2012", "xqpp2020"} {
		rules, err := standards.Resolve(std, "national")
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.srv.wholeResult(ctx, rules, demo.LatestYear)
		if err != nil {
			t.Fatal(err)
		}
		var met, not, pending int
		for _, c := range res.Counties {
			switch statusOf(c) {
			case census.StatusMet:
				met++
			case census.StatusNotMet:
				not++
			default:
				pending++
			}
		}
		m := regexp.MustCompile(`<tr data-standard="` + std + `"[^>]*>.*?<td class="num[ a-z]*">(\d+)</td><td class="num[ a-z]*">(\d+)</td><td class="num[ a-z]*">(\d+)</td>`).FindStringSubmatch(body)
		if m == nil || m[1] != itoa(met) || m[2] != itoa(not) || m[3] != itoa(pending) {
			t.Errorf("%s: row %v, want %d / %d / %d", std, m, met, not, pending)
		}
	}
	// The changes since the previous year under the chosen standard.
	rules, _ := standards.Resolve("yzjh2017", "national")
	now, _ := e.srv.wholeResult(ctx, rules, demo.LatestYear)
	before, _ := e.srv.wholeResult(ctx, rules, demo.LatestYear-1)
	prev := map[string]census.Status{}
	for _, c := range before.Counties {
		prev[c.Code] = statusOf(c)
	}
	var newlyMet []string
	for _, c := range now.Counties {
		if statusOf(c) == census.StatusMet && prev[c.Code] != census.StatusMet {
			newlyMet = append(newlyMet, c.Name)
		}
	}
	i := strings.Index(body, `id="newly-met"`)
	if i < 0 {
		t.Fatal("no newly recognised line")
	}
	line := body[i : i+strings.Index(body[i:], "</p>")]
	if !strings.Contains(line, "新达到认定标准 "+itoa(len(newlyMet))+" 个") {
		t.Errorf("newly met line %q, want %d counties", line, len(newlyMet))
	}
	for _, n := range newlyMet {
		if !strings.Contains(line, ">"+n+"<") {
			t.Errorf("newly met %s not named", n)
		}
	}
	// A county account sees its own county only in the standings.
	body = e.get("county", "/overview").Body.String()
	m := regexp.MustCompile(`<tr data-standard="yzjh2017"[^>]*>.*?<td class="num[ a-z]*">(\d+)</td><td class="num[ a-z]*">(\d+)</td><td class="num[ a-z]*">(\d+)</td>`).FindStringSubmatch(body)
	if m == nil || atoi(m[1])+atoi(m[2])+atoi(m[3]) != 1 {
		t.Errorf("county account's standing %v", m)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// The county page names the school to look at first: the one with the
// most indicators below their thresholds.
func TestCountyLookFirst(t *testing.T) {
	e := newEnv(t)
	c := county()
	rules, _ := standards.Resolve("yzjh2017", "national")
	cty, err := e.srv.cache.county(context.Background(), rules, demo.LatestYear, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	for _, p := range cty.Parts {
		if !p.Excluded {
			most = max(most, len(p.Shortfalls))
		}
	}
	body := e.get("county", "/county/"+c.Code).Body.String()
	i := strings.Index(body, `id="look-first"`)
	if most == 0 {
		if i >= 0 {
			t.Error("a school to look at in a county where none falls short")
		}
		return
	}
	if i < 0 {
		t.Fatal("no school to look at first")
	}
	look := schoolToLook(cty)
	line := body[i : i+strings.Index(body[i:], "</li>")]
	if len(look.Shortfalls) != most || !strings.Contains(line, "/school/"+look.SchoolCode) || !strings.Contains(line, itoa(most)+" 项指标") {
		t.Errorf("look-first line %q; want the school with %d shortfalls", line, most)
	}
}
