package web

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
	"golang.org/x/net/html"
)

// parse parses a page, failing the test when it cannot.
func parse(t *testing.T, body []byte) *html.Node {
	t.Helper()
	n, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// textOf is the text of the first node sel selects, "" when none.
func textOf(n *html.Node, sel string) string {
	if ns := hc.All(n, sel); len(ns) > 0 {
		return strings.TrimSpace(hc.Text(ns[0]))
	}
	return ""
}

// attrOf is attribute name of the first node sel selects, "" when none.
func attrOf(n *html.Node, sel, name string) string {
	if ns := hc.All(n, sel); len(ns) > 0 {
		v, _ := hc.Attr(ns[0], name)
		return v
	}
	return ""
}

// TestOverviewWholeVerdict checks that the overview counts the counties
// under the whole chosen standard, each county as its own verdict page
// judges it (wholeCounty, one county at a time), with the resource part as
// one line: 学前普及普惠 no longer shows every county passing.
func TestOverviewWholeVerdict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := demo.LatestYear
	for _, tc := range []struct {
		standard string
		// The demo's figures, as `dudao demo` prints them: met, not, pending.
		want [3]int
	}{
		{"yzjh2017", [3]int{16, 78, 6}},
		{"xqpp2020", [3]int{45, 32, 23}},
		{"jbjh2012", [3]int{-1, -1, -1}},
	} {
		t.Run(tc.standard, func(t *testing.T) {
			rules, err := standards.Resolve(tc.standard, "national")
			if err != nil {
				t.Fatal(err)
			}
			regions, err := e.st.Regions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[census.Status]int{}
			byCounty := map[string]census.Status{}
			for _, rg := range regions {
				if rg.Level != census.LevelCounty || !strings.HasPrefix(rg.Code, demo.ProvinceCode[:2]) {
					continue
				}
				c, err := e.srv.wholeCounty(ctx, rules, year, rg.Code)
				if err != nil {
					continue // no records this year
				}
				got[c.Verdict.Status]++
				byCounty[rg.Code] = c.Verdict.Status
			}
			counts := [3]int{got[census.StatusMet], got[census.StatusNotMet], got[census.StatusPending]}
			if tc.want[0] >= 0 && counts != tc.want {
				t.Fatalf("county by county: %v, want %v", counts, tc.want)
			}
			w := e.get("admin", "/overview?standard="+tc.standard)
			if w.Code != http.StatusOK {
				t.Fatalf("overview: %d", w.Code)
			}
			n := parse(t, w.Body.Bytes())
			for i, st := range []string{"met", "not_met", "pending"} {
				if got := textOf(n, "#whole-kpis .kpi[data-status="+st+"] b"); got != strconv.Itoa(counts[i]) {
					t.Errorf("%s: %s counties %q, want %d", tc.standard, st, got, counts[i])
				}
			}
			if got, want := textOf(n, "#answer"), strconv.Itoa(counts[0]); !strings.Contains(got, want) {
				t.Errorf("the answer %q does not say %s recognised", got, want)
			}
			for _, row := range hc.All(n, "table#counties tbody tr[data-county]") {
				code, _ := hc.Attr(row, "data-county")
				if st, _ := hc.Attr(row, "data-status"); st != string(byCounty[code]) {
					t.Errorf("%s: row of %s says %s, its verdict page %s", tc.standard, code, st, byCounty[code])
				}
			}
			// The resource part, one line of the verdict: only where the
			// standard has one.
			res, err := e.srv.cache.result(ctx, rules, year, "")
			if err != nil {
				t.Fatal(err)
			}
			passed := 0
			for _, c := range res.Counties {
				if c.ResourcePass {
					passed++
				}
			}
			line := attrOf(n, "#resource-line", "data-passed")
			switch {
			case rules.Preschool() && line != "":
				t.Errorf("%s has a resource line: %q", tc.standard, textOf(n, "#resource-line"))
			case !rules.Preschool() && line != strconv.Itoa(passed):
				t.Errorf("%s: resource line says %s passed, want %d", tc.standard, line, passed)
			}
		})
	}
}

// TestOverviewWorstCVs checks that the worst-CV chips are the CVs over
// their limit, even in a county whose data are incomplete (where every CV
// of a stage with missing data fails the resource part, but a CV within
// its limit is not one of the worst).
func TestOverviewWorstCVs(t *testing.T) {
	e := newEnv(t)
	rules := mustRules()
	res, err := e.srv.cache.result(context.Background(), rules, demo.LatestYear, "")
	if err != nil {
		t.Fatal(err)
	}
	over := map[string]int{}
	withinButFailing := 0
	for _, c := range res.Counties {
		for _, sr := range c.Stages {
			for _, ir := range sr.Indicators {
				if ir.Over {
					over[c.Code]++
				}
				if !c.Complete && !ir.Pass && !ir.Over && ir.Defined {
					withinButFailing++
				}
			}
		}
	}
	if withinButFailing == 0 {
		t.Fatal("the demo has no incomplete county with a CV within its limit: the test proves nothing")
	}
	n := parse(t, e.get("admin", "/overview").Body.Bytes())
	rows := hc.All(n, "table#counties tbody tr[data-county]")
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, row := range rows {
		code, _ := hc.Attr(row, "data-county")
		if got, want := len(hc.All(row, "span.chip.bad")), min(3, over[code]); got != want {
			t.Errorf("%s: %d worst-CV chips, want %d (its CVs over the limit)", code, got, want)
		}
	}
}

// TestCountyHeaderWholeVerdict checks that a county page's header is the
// whole standard's verdict, with the resource part as one line: a county
// whose resources pass but which is not recognised does not read "✓".
func TestCountyHeaderWholeVerdict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rules := mustRules()
	res, err := e.srv.wholeResult(ctx, rules, demo.LatestYear)
	if err != nil {
		t.Fatal(err)
	}
	var resourceOnly, recognised *eval.County
	for _, c := range res.Counties {
		switch {
		case c.ResourcePass && c.Verdict.Status == census.StatusNotMet && resourceOnly == nil:
			resourceOnly = c
		case c.Verdict.Recognised && recognised == nil:
			recognised = c
		}
	}
	if resourceOnly == nil || recognised == nil {
		t.Fatal("the demo lacks a county passing on resources only, or a recognised one")
	}
	for _, tc := range []struct {
		c      *eval.County
		status string
	}{{resourceOnly, "not_met"}, {recognised, "met"}} {
		w := e.get("admin", "/county/"+tc.c.Code)
		check(t, w, http.StatusOK,
			hc.In("#county-verdict", hc.HasAttr("data-status", tc.status)),
			hc.In("#resource-line", hc.HasAttr("data-pass", "true")))
		n := parse(t, w.Body.Bytes())
		head := textOf(n, "#county-verdict")
		if tc.status == "not_met" {
			if strings.Contains(head, "✓") || strings.Contains(head, "资源配置达标") {
				t.Errorf("%s: header %q reads as passing", tc.c.Code, head)
			}
			if reason := textOf(n, "#verdict-reason"); reason == "" {
				t.Errorf("%s: no reason under the verdict", tc.c.Code)
			}
		}
	}
}

// TestSummaryNotForCounty checks that a county account cannot have a
// summary of its city or province (one county, ranked first), and that
// its overview offers none, while a city account still can.
func TestSummaryNotForCounty(t *testing.T) {
	e := newEnv(t)
	c := county()
	city := census.CityCode(c.Code)
	for _, tc := range []struct {
		account, path string
		want          int
	}{
		{"county", "/report/" + city + "/pdf", http.StatusForbidden},
		{"county", "/report/" + city + "/xlsx", http.StatusForbidden},
		{"county", "/report/" + demo.ProvinceCode + "/html", http.StatusForbidden},
		{"county", "/report/" + c.Code + "/html", http.StatusOK},
		{"city", "/report/" + city + "/xlsx", http.StatusOK},
		{"viewer", "/report/" + demo.ProvinceCode + "/xlsx", http.StatusOK},
	} {
		if w := e.get(tc.account, tc.path); w.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.account, tc.path, w.Code, tc.want)
		}
	}
	check(t, e.get("county", "/overview?region="+city), http.StatusOK, hc.NotIn("#summary-pdf"), hc.NotIn("#summary-xlsx"),
		hc.In("a#own-report-pdf[href^=\"/report/"+c.Code+"/pdf\"]"))
	check(t, e.get("city", "/overview?region="+city), http.StatusOK, hc.In("#summary-pdf"))
}

// TestStandardsPageEveryStandard checks the standards page of every
// built-in standard: every item of the whole standard, part by part; the
// resource indicators with their standard values only where they have
// some (not eight rows of zeros for 基本均衡), and no school rule of
// "至少 0 / 0 项…0.0%" for a standard without one (学前普及普惠).
func TestStandardsPageEveryStandard(t *testing.T) {
	e := newEnv(t)
	for _, std := range standards.List() {
		t.Run(std.ID, func(t *testing.T) {
			rules, err := standards.Resolve(std.ID, "national")
			if err != nil {
				t.Fatal(err)
			}
			w := e.get("admin", "/standards?standard="+std.ID)
			if w.Code != http.StatusOK {
				t.Fatalf("%d", w.Code)
			}
			body := w.Body.String()
			n := parse(t, w.Body.Bytes())
			if got := len(hc.All(n, "#items tr[data-item]")); got != len(rules.Items) || got == 0 {
				t.Errorf("%d items listed, want %d", got, len(rules.Items))
			}
			for _, it := range rules.Items {
				if len(hc.All(n, "#items tr[data-item="+it.ID+"]")) != 1 {
					t.Errorf("item %s not listed", it.ID)
				}
			}
			if strings.Contains(body, "至少 0 / 0") || strings.Contains(body, ">0.0%") {
				t.Errorf("an empty school rule: %q", textOf(n, "#school-rule"))
			}
			rows := hc.All(n, "#thresholds tbody tr")
			if len(rows) != len(rules.Indicators) {
				t.Errorf("%d indicator rows, want %d", len(rows), len(rules.Indicators))
			}
			for _, row := range rows {
				for _, td := range hc.All(row, "td.num") {
					if v := strings.TrimSpace(hc.Text(td)); v == "0" {
						t.Errorf("a standard value of 0 in %s", hc.Text(row))
					}
				}
			}
			if (rules.SchoolRule.MinMet > 0) != (textOf(n, "#school-rule") != "") {
				t.Errorf("school rule shown %q for MinMet %d", textOf(n, "#school-rule"), rules.SchoolRule.MinMet)
			}
		})
	}
}

// TestVerdictReasons checks that a verdict comes with its reason: the
// preschool page of a county whose three ratios are met but which is not
// recognised names the items it fails; the page of a school over the
// school-size limit says so, not only that it passes (or fails) the
// resource part's school rule.
func TestVerdictReasons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := demo.LatestYear
	pre, err := standards.Resolve("xqpp2020", "national")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.srv.wholeResult(ctx, pre, year)
	if err != nil {
		t.Fatal(err)
	}
	var greenButNot *eval.County
	for _, c := range res.Counties {
		if c.Verdict.Status != census.StatusNotMet {
			continue
		}
		green := true
		for _, id := range []string{"gross_enrollment", "inclusive_coverage", "public_share"} {
			if it := c.Verdict.Item(id); it == nil || it.Status != census.StatusMet {
				green = false
			}
		}
		if green {
			greenButNot = c
			break
		}
	}
	if greenButNot == nil {
		t.Fatal("the demo has no county with three green ratios that is not recognised")
	}
	n := parse(t, e.get("admin", "/county/"+greenButNot.Code+"/preschool").Body.Bytes())
	reason := textOf(n, "#preschool-reason")
	first := greenButNot.Verdict.Item(greenButNot.Verdict.Unmet[0]).Item.ZH
	if !strings.Contains(reason, first) {
		t.Errorf("%s: preschool reason %q does not name %s", greenButNot.Code, reason, first)
	}

	// A school over the school-size limit of 优质均衡 (2 000 pupils for a
	// primary school): the demo county's large school.
	rules := mustRules()
	whole, err := e.srv.wholeCounty(ctx, rules, year, county().Code)
	if err != nil {
		t.Fatal(err)
	}
	size := whole.Verdict.Item("school_size")
	if size == nil || size.Status != census.StatusNotMet {
		t.Fatalf("the demo county meets the school-size rule")
	}
	var big eval.SchoolIssue
	for _, cr := range size.Checks {
		for _, iss := range cr.Schools {
			if !iss.Missing && iss.Value > iss.Limit {
				big = iss
			}
		}
	}
	if big.Code == "" {
		t.Fatal("no school over the size limit")
	}
	w := e.get("admin", "/school/"+big.Code)
	check(t, w, http.StatusOK, hc.In("#school-issues li[data-item=school_size]"))
	text := textOf(parse(t, w.Body.Bytes()), "#school-issues li[data-item=school_size]")
	for _, want := range []string{fmtFixed(big.Value), fmtFixed(big.Limit)} {
		if !strings.Contains(text, want) {
			t.Errorf("school %s: %q does not say %s", big.Code, text, want)
		}
	}
}

// TestColourRule checks the one colour rule of every page on its
// boundaries, decided on the decimal figures with no tolerance, and that
// a figure is written on the side of its boundary it is coloured for.
func TestColourRule(t *testing.T) {
	below := func(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
	for _, tc := range []struct {
		name      string
		got, want string
	}{
		{"at the threshold", valueClass(7.5, 7.5, 0.85), clsOK},
		{"just under the threshold", valueClass(below(7.5), 7.5, 0.85), clsWarn},
		{"at 85 %", valueClass(6.375, 7.5, 0.85), clsWarn},
		{"85 % of 0.9 (not a float product)", valueClass(0.765, 0.9, 0.85), clsWarn},
		{"just under 85 %", valueClass(below(6.375), 7.5, 0.85), clsBad},
		{"CV at the limit", cvClass(0.5, 0.5, false), clsWarn},
		{"CV over the limit", cvClass(0.5025, 0.5, true), clsBad},
		{"CV within its limit, data missing elsewhere", cvClass(0.2, 0.5, false), clsOK},
		{"CV at 85 % of its limit", cvClass(0.425, 0.5, false), clsOK},
		{"7.4996 against 7.5", numAgainst(7.4996, 7.5, 2), "7.4996"},
		{"7.5 against 7.5", numAgainst(7.5, 7.5, 2), "7.50"},
		{"7.53 against 7.5", numAgainst(7.53, 7.5, 2), "7.53"},
		{"a CV over by a hair", numAgainst(0.50002, 0.5, 4), "0.50002"},
		{"a value judged short, a hair under", partValue(7.4996, 7.5, 2, clsWarn), "7.4996"},
		{"a value judged met, its float a hair under", partValue(below(4.2), 4.2, 2, clsOK), "4.20"},
		{"a value judged short", partValue(4.1, 4.5, 2, clsWarn), "4.10"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestForecastColours checks the forecast's tables: every figure is
// coloured by the one rule, and written so that its colour can be read
// from it (no red or amber 7.50 against a standard value of 7.5).
func TestForecastColours(t *testing.T) {
	e := newEnv(t)
	c := county()
	w := e.get("admin", "/county/"+c.Code+"/forecast")
	if w.Code != http.StatusOK {
		t.Fatalf("forecast: %d", w.Code)
	}
	n := parse(t, w.Body.Bytes())
	rows := hc.All(n, "#forecast-parts tbody tr")
	if len(rows) == 0 {
		t.Fatal("no part rows")
	}
	floor := mustRules().SchoolRule.Floor
	cells := 0
	for _, row := range rows {
		tds := hc.All(row, "td.num")
		th, err := strconv.ParseFloat(strings.TrimSpace(hc.Text(tds[len(tds)-2])), 64)
		if err != nil {
			t.Fatal(err)
		}
		for _, td := range tds[:len(tds)-2] {
			text := strings.TrimSpace(hc.Text(td))
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				continue // "—"
			}
			cls, _ := hc.Attr(td, "class")
			want := valueClass(v, th, floor)
			if !strings.Contains(cls, want) {
				t.Errorf("%s against %g: class %q, the figure as written is %s", text, th, cls, want)
			}
			cells++
		}
	}
	if cells == 0 {
		t.Fatal("no figures")
	}
	for _, td := range hc.All(n, "#forecast-cvs tbody td.cv") {
		if cls, _ := hc.Attr(td, "class"); strings.Contains(cls, "bad-text") {
			t.Errorf("an old red CV: %s", hc.Text(td))
		}
	}
}

// TestNoDeveloperText checks the pages this change touched, in both
// languages, for developer text (raw keys, file names, search statistics,
// formulas in code notation) and, in English, for Chinese in the figures'
// labels (names of places and schools are Chinese in both).
func TestNoDeveloperText(t *testing.T) {
	e := newEnv(t)
	c := county()
	var big string
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == c.Code && s.Name == "广川市第三小学" {
			big = s.Code
		}
	}
	pages := []string{
		"/overview", "/overview?standard=xqpp2020", "/overview?standard=jbjh2012",
		"/standards", "/standards?standard=xqpp2020", "/standards?standard=jbjh2012",
		"/county/" + c.Code, "/county/" + c.Code + "/verdict", "/county/" + c.Code + "/preschool",
		"/explain?county=" + c.Code + "&stage=primary&indicator=sports_area",
		"/county/" + c.Code + "/plan",
	}
	if big != "" {
		pages = append(pages, "/school/"+big)
	}
	dev := []string{"standards.md", "max(1", "⌈", "精确搜索", " fields", "余量", "audit.judge", " nodes"}
	han := regexp.MustCompile(`\p{Han}`)
	for _, lang := range []string{"zh-CN", "en"} {
		for _, path := range pages {
			w := e.get("admin", path, "Cookie", langCookie+"="+lang)
			if w.Code != http.StatusOK {
				t.Errorf("%s %s: %d", lang, path, w.Code)
				continue
			}
			body := w.Body.String()
			for _, d := range dev {
				if strings.Contains(body, d) {
					t.Errorf("%s %s: developer text %q", lang, path, d)
				}
			}
			if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(body); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, path, m)
			}
			if lang != "en" {
				continue
			}
			n := parse(t, w.Body.Bytes())
			for _, sel := range []string{"#answer", "#whole-kpis", "#resource-line", "#county-verdict", "#verdict-reason",
				"#thresholds thead", "#thresholds td.muted", "#items thead", "#items td b", "#preschool-reason", "#school-issues li"} {
				for _, node := range hc.All(n, sel) {
					if txt := hc.Text(node); han.MatchString(txt) && !strings.Contains(txt, c.Name) {
						t.Errorf("en %s: Chinese in %s: %q", path, sel, strings.TrimSpace(txt))
					}
				}
			}
		}
	}
}

// TestOverviewFollowsJudgement checks that the overview's counts, kept
// between requests, follow a judgement at once: a recognised county judged
// not to meet an evidence item moves from recognised to not.
func TestOverviewFollowsJudgement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rules := mustRules()
	counts := func() (met, not string) {
		n := parse(t, e.get("admin", "/overview").Body.Bytes())
		return textOf(n, "#whole-kpis .kpi[data-status=met] b"), textOf(n, "#whole-kpis .kpi[data-status=not_met] b")
	}
	met0, not0 := counts()
	res, err := e.srv.wholeResult(ctx, rules, demo.LatestYear)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	for _, c := range res.Counties {
		if c.Verdict.Recognised {
			code = c.Code
			break
		}
	}
	if code == "" {
		t.Fatal("no recognised county")
	}
	w := e.judgeForm("admin", code, map[string]string{"standard": rules.ID, "profile": rules.Profile.ID,
		"year": strconv.Itoa(demo.LatestYear), "item": "layout_plan", "status": "not_met", "comment": "test"}, map[string][]byte{"a.pdf": pdfBytes})
	if w.Code >= 400 {
		t.Fatalf("judge: %d %.300s", w.Code, w.Body.String())
	}
	met1, not1 := counts()
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if atoi(met1) != atoi(met0)-1 || atoi(not1) != atoi(not0)+1 {
		t.Errorf("after judging %s not met: recognised %s → %s, not %s → %s", code, met0, met1, not0, not1)
	}
}

// TestHeatAgreesWithMet checks that the heat-table's green cells are the
// indicators each part meets, as the evaluation judged them exactly: in
// every row the number of green cells is the row's "met" count.
func TestHeatAgreesWithMet(t *testing.T) {
	e := newEnv(t)
	n := parse(t, e.get("admin", "/county/"+county().Code).Body.Bytes())
	rows := hc.All(n, "table.heat tbody tr[data-school]")
	if len(rows) == 0 {
		t.Fatal("no heat rows")
	}
	for _, row := range rows {
		tds := hc.All(row, "td")
		met, _, _ := strings.Cut(strings.TrimSpace(hc.Text(tds[len(tds)-1])), "/")
		if got := len(hc.All(row, "td.ok")); strconv.Itoa(got) != met {
			code, _ := hc.Attr(row, "data-school")
			t.Errorf("%s: %d green cells, %s met", code, got, met)
		}
	}
}
