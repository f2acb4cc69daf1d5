package browsertest_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/web"
)

// crawlCap is how many route patterns a crawl visits at most per account
// and language: the demo's accounts reach about a hundred.
const crawlCap = 120

// crawlWidths are the desk and the phone every page is measured at.
var crawlWidths = []struct{ w, h int64 }{{1440, 900}, {390, 844}}

// TestEveryPageInBrowser signs in as each demo account, in Chinese and (for
// the province, the county and the nation) in English, or stays signed out, and crawls the application from
// / in Chromium, following the links a user can click, one URL per route
// pattern (/county/{region}, /case/{id}…). At a desk and on a phone it
// checks that each page fits the screen's width, and that its visible text
// shows no message key and no text meant for developers; it saves each
// page's first screen at both widths. A link to a page that answers with
// an error fails the test too: a user could click it.
func TestEveryPageInBrowser(t *testing.T) {
	a := startApp(t)
	// Signed out, the public sees the sign-in page and a county's
	// published white and black lists of training institutions.
	public := []string{"/lists/" + web.DemoCounty(a.p).Code}
	for _, run := range []struct{ account, lang string }{
		{"admin", "zh"}, {"admin", "en"},
		{"city", "zh"},
		{"county", "zh"}, {"county", "en"},
		{"school", "zh"},
		{"viewer", "zh"},
		{"nation", "zh"}, {"nation", "en"},
		{"public", "zh"}, {"public", "en"},
	} {
		t.Run(run.account+"-"+run.lang, func(t *testing.T) {
			t.Parallel() // two at a time on two cores: the server waits on the browsers
			b := browsertest.NewFor(t, 8*time.Minute)
			seeds := crawlSeeds
			if run.account == "public" {
				seeds = append([]string{"/"}, public...)
			} else {
				a.login(t, b, run.account)
			}
			if run.lang == "en" {
				b.SetCookie(a.URL, "dudao_lang", "en")
			}
			patterns := crawl(t, b, a.URL, run.account+"-"+run.lang, seeds)
			t.Logf("%s %s: %d patterns: %s", run.account, run.lang, len(patterns), strings.Join(patterns, " "))
		})
	}
}

// crawl visits the site at base breadth-first from seeds, checking every
// page at both widths, and returns the patterns it visited.
func crawl(t *testing.T, b *browsertest.Browser, base, name string, seeds []string) []string {
	t.Helper()
	start := time.Now()
	origin, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	chinese := map[string]bool{} // Chinese in the English interface, logged once
	var visited []string
	var queue []string
	for _, p := range seeds {
		queue = append(queue, base+p)
		seen[routePattern(p)] = true
	}
	// The widths alternate from page to page, so that each page is
	// measured at the width the last one ended at: one resize a page.
	order := []int{0, 1}
	for len(queue) > 0 && len(visited) < crawlCap {
		u := queue[0]
		queue = queue[1:]
		resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(u))
		if err != nil {
			// A download: Chromium abandons the navigation.
			t.Logf("%s: %s not a page: %v", name, u, err)
			continue
		}
		if !strings.HasPrefix(resp.MimeType, "text/html") {
			continue
		}
		path := resp.URL
		if p, err := url.Parse(resp.URL); err == nil {
			if p.Host != origin.Host {
				continue
			}
			path = p.RequestURI()
		}
		if resp.Status >= 400 && slices.Contains(seeds, strings.TrimPrefix(u, base)) {
			continue // a page not for this account
		}
		if resp.Status >= 400 {
			t.Errorf("%s: %s answers %d (a link leads there)", name, path, resp.Status)
			continue
		}
		pat := routePattern(path)
		if pat != routePattern(strings.TrimPrefix(u, base)) {
			// Redirected: count the page it landed on once as well.
			if seen[pat] && len(visited) > 0 {
				continue
			}
			seen[pat] = true
		}
		visited = append(visited, pat)
		browsertest.Eval[bool](b, settle)
		for _, i := range order {
			vp := crawlWidths[i]
			b.Do(chromedp.EmulateViewport(vp.w, vp.h))
			browsertest.Eval[bool](b, afterResize)
			where := fmt.Sprintf("%s at %d: %s", name, vp.w, path)
			if sw := browsertest.Eval[float64](b, "document.documentElement.scrollWidth"); sw > float64(vp.w) {
				t.Errorf("%s is %v px wide, wider than the screen; sticking out: %s", where, sw, browsertest.Eval[string](b, overflowing))
			}
			b.FirstScreen(fmt.Sprintf("crawl-%s-%d-%s", name, vp.w, shotName(pat)))
		}
		slices.Reverse(order)
		for _, p := range textProblems(browsertest.Eval[[]string](b, visibleText)) {
			t.Errorf("%s: %s shows %s", name, path, p)
		}
		if strings.HasSuffix(name, "-en") {
			var fresh []string
			for _, c := range browsertest.Eval[[]string](b, chineseChrome) {
				if !chinese[c] {
					chinese[c] = true
					fresh = append(fresh, c)
				}
			}
			if len(fresh) > 5 { // a table of names
				fresh = append(fresh[:5], fmt.Sprintf("and %d more", len(fresh)-5))
			}
			if len(fresh) > 0 {
				t.Logf("%s: %s shows Chinese in English: %s", name, pat, strings.Join(fresh, " | "))
			}
		}
		for _, link := range browsertest.Eval[[]string](b, pageLinks) {
			l, err := url.Parse(link)
			if err != nil || l.Host != origin.Host || skipLink(l.Path) {
				continue
			}
			p := routePattern(l.Path)
			if seen[p] {
				continue
			}
			seen[p] = true
			l.Fragment = ""
			queue = append(queue, l.String())
		}
	}
	if len(queue) > 0 {
		t.Logf("%s: stopped at %d patterns; %d more not visited", name, crawlCap, len(queue))
	}
	t.Logf("%s: %d pages in %v", name, len(visited), time.Since(start).Round(time.Millisecond))
	return visited
}

// crawlSeeds are where a crawl starts: the home page, and the pages of a
// whole region that no menu links to (the overview links to the map only
// when there is one to import; the registers open from a county's page).
var crawlSeeds = []string{"/", "/map", "/compare", "/groups", "/afterschool", "/training"}

// afterResize waits for the layout, and the charts listening to the
// window's resize, to follow a new viewport.
const afterResize = `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 30))))`

// chineseChrome lists, on an English page, the Chinese in the interface's
// own words (headings of tables and cards, labels, buttons), for a reader
// to judge: it is logged, not failed, as names of places, schools, people
// and tasks, and the titles of documents, are Chinese in either language.
const chineseChrome = `[...document.querySelectorAll("th, label, button, summary, legend, h2, h3, .nav a")]
	.map(el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join("").trim())
	.filter(s => /[\u4e00-\u9fff]/.test(s)).map(s => s.slice(0, 60))`

// pageLinks lists the targets of the page's links, but those that download.
const pageLinks = `[...document.querySelectorAll("a[href]")].filter(a => !a.hasAttribute("download")).map(a => a.href)`

// visibleText lists the page's visible text, a text node at a time, and the
// titles, placeholders and labels a user reads in place of text.
const visibleText = `(() => {
	const out = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
		acceptNode: n => {
			const p = n.parentElement;
			if (!p || p.closest("script, style, template, noscript")) return NodeFilter.FILTER_REJECT;
			if (!n.data.trim() || p.getClientRects().length === 0) return NodeFilter.FILTER_REJECT;
			return NodeFilter.FILTER_ACCEPT;
		}
	});
	for (let n; (n = walk.nextNode());) out.push(n.data.trim());
	for (const el of document.querySelectorAll("[title], [placeholder], [aria-label]")) {
		for (const a of ["title", "placeholder", "aria-label"]) {
			const v = el.getAttribute(a);
			if (v && v.trim()) out.push(v.trim());
		}
	}
	return out;
})()`

var (
	// messageKey is a message key (groups.title, audit.judge) inside a text.
	messageKey = regexp.MustCompile(`\b[a-z][a-z_0-9]*(?:\.[a-z_0-9]+)+\b`)
	// notKey is what looks like a key but is a file's name or a web
	// address (access.xlsx, moe.gov.cn), or an English abbreviation.
	notKey = regexp.MustCompile(`\.(xlsx|xls|csv|pdf|docx|json|geojson|png|jpe?g|txt|zip|html?|js|css|com|cn|org|net|gov|edu)$|^(e\.g|i\.e|etc)$`)
	// developerText is what only developers (or a slip of the template
	// engine, fmt or the page's script) write: the list pageTextProblems
	// of internal/web checks in the HTML, and the script's slips.
	developerText = regexp.MustCompile(`<no value>|%!|\bmap\[|\bTODO\b|standards\.md|⌈|\bNaN\b|\bundefined\b|\[object \w+\]`)
)

// textProblems lists what texts show that no page may.
func textProblems(texts []string) []string {
	var out []string
	keys, dev := map[string]bool{}, map[string]bool{}
	for _, s := range texts {
		for _, m := range messageKey.FindAllString(s, -1) {
			if !notKey.MatchString(m) && !keys[m] {
				keys[m] = true
				out = append(out, fmt.Sprintf("an untranslated message key %q (in %q)", m, clip(s)))
			}
		}
		if m := developerText.FindString(s); m != "" && !dev[m] {
			dev[m] = true
			out = append(out, fmt.Sprintf("developer text %q (in %q)", m, clip(s)))
		}
	}
	return out
}

// clip shortens s for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// skipLink says whether a link leads somewhere the crawl must not go: a
// download, the API, the static files, or signing out.
func skipLink(path string) bool {
	for _, p := range []string{"/api/", "/static/", "/logout", "/evidence/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	last := path[strings.LastIndex(path, "/")+1:]
	ext := last[strings.LastIndex(last, ".")+1:]
	switch ext {
	case "pdf", "xlsx", "xls", "docx", "zip", "csv", "json", "geojson", "png", "ico", "js":
		return true
	}
	return false
}

// routePattern is the route a path (and query) belongs to: numbers stand
// for ids, 6 digits for a region's code, longer ones for a school's or a
// kindergarten's code; the query does not count.
func routePattern(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			continue
		}
		switch {
		case len(s) == 6:
			segs[i] = "{region}"
		case len(s) > 6:
			segs[i] = "{code}"
		default:
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// shotName makes a pattern a file's name.
func shotName(pattern string) string {
	s := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(pattern, "_"), "_")
	if s == "" {
		return "home"
	}
	return s
}

// TestRoutePattern: ids and codes fold into one pattern.
func TestRoutePattern(t *testing.T) {
	for path, want := range map[string]string{
		"/":                        "/",
		"/county/980101?year=2022": "/county/{region}",
		"/school/9801010001":       "/school/{code}",
		"/case/12/inspection/3/x":  "/case/{id}/inspection/{id}/x",
		"/task/4/school/980101001": "/task/{id}/school/{code}",
	} {
		if got := routePattern(path); got != want {
			t.Errorf("routePattern(%q) = %q, want %q", path, got, want)
		}
	}
	if !skipLink("/lists/980101/notice.pdf") || !skipLink("/report/980101/xlsx") || skipLink("/county/980101") {
		t.Error("skipLink skips the wrong links")
	}
}

// TestCrawlTextChecks: the crawl's text check finds what it looks for and
// lets file names, web addresses and numbers be.
func TestCrawlTextChecks(t *testing.T) {
	for _, bad := range []string{"groups.title", "见 audit.judge", "<no value>", "%!d(string=x)", "见 standards.md", "NaN 万元", "[object Object]", "map[a:1]"} {
		if len(textProblems([]string{bad})) == 0 {
			t.Errorf("%q passes", bad)
		}
	}
	for _, good := range []string{"access.xlsx", "见 moe.gov.cn", "3.5", "e.g.", "0.4521", "学校数据-已改正.csv"} {
		if p := textProblems([]string{good}); len(p) > 0 {
			t.Errorf("%q is refused: %v", good, p)
		}
	}
}
