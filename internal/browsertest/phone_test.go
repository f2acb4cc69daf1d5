package browsertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/web"
)

// settle waits, up to two seconds, for the page's charts to be drawn: a
// chart sized before the layout settles could widen the page.
const settle = `new Promise(done => {
	const t0 = Date.now();
	(function check() {
		const charts = document.querySelectorAll(".chart, .cv-chart");
		const drawn = document.querySelectorAll(".chart[data-rendered], .cv-chart[data-rendered]");
		if (document.readyState === "complete" && drawn.length >= charts.length || Date.now() - t0 > 2000) {
			requestAnimationFrame(() => done(true));
			return;
		}
		setTimeout(check, 50);
	})();
})`

// overflowing lists, for the failure message, the elements that stick out
// past the right edge of the viewport without a scrolling box around them.
const overflowing = `(() => {
	const w = document.documentElement.clientWidth, out = [];
	for (const el of document.querySelectorAll("body *")) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.right <= w + 1) continue;
		let p = el.parentElement, clipped = false;
		for (; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
		}
		if (clipped) continue;
		let name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
		if (typeof el.className === "string" && el.className.trim()) name += "." + el.className.trim().split(/\s+/).join(".");
		out.push(name + "→" + Math.round(r.right));
		if (out.length >= 6) break;
	}
	return out.join(", ");
})()`

// TestPhoneWidth visits the main pages as the demo's province, county and
// school accounts at a desk (1440×900) and a phone (390×844) and checks
// that none is wider than the screen: wide tables scroll inside their own
// box, and the menu folds away. It saves the first screens of the overview,
// the county page and the inbox at both sizes.
func TestPhoneWidth(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	ctx := context.Background()
	county := web.DemoCounty(a.p)
	school := a.accounts["school"].School
	c := county.Code
	cases, err := a.st.Cases(ctx, c)
	if err != nil || len(cases) == 0 {
		t.Fatalf("no case of the demo county %s: %v", c, err)
	}
	region := []string{
		"/overview", "/county/" + c, "/school/" + county.Schools[0],
		"/county/" + c + "/verdict", "/county/" + c + "/preschool",
		"/county/" + c + "/plan", "/county/" + c + "/forecast",
		"/cases", fmt.Sprintf("/case/%d", cases[0].ID), "/surveys", "/plans",
		"/inbox", "/tasks", "/data", "/standards", "/account", "/accounts",
		"/explain?county=" + c + "&stage=primary&indicator=sports_area",
		"/compare", "/groups", "/afterschool",
		"/county/" + c + "/places", "/county/" + c + "/rotation", "/county/" + c + "/groups", "/county/" + c + "/afterschool",
	}
	// What a school's account sees: its school, its work, the standards.
	schoolPages := []string{"/school/" + school, "/inbox", "/tasks", "/data", "/standards", "/account"}
	shots := map[string]string{"/overview": "overview", "/county/" + c: "county", "/inbox": "inbox", "/school/" + school: "school"}

	type size struct{ w, h int64 }
	for _, role := range []struct {
		account string
		pages   []string
		lang    string
	}{
		{"admin", region, ""},
		{"county", region, ""},
		{"school", schoolPages, ""},
		{"city", region, "en"},
	} {
		a.login(t, b, role.account)
		if role.lang != "" {
			b.SetCookie(a.URL, "dudao_lang", role.lang)
		}
		for _, vp := range []size{{1440, 900}, {390, 844}} {
			b.Do(chromedp.EmulateViewport(vp.w, vp.h))
			for _, path := range role.pages {
				st := b.Status(a.URL + path)
				if st != 200 {
					t.Errorf("%s %s: status %d", role.account, path, st)
					continue
				}
				browsertest.Eval[bool](b, settle)
				sw := browsertest.Eval[float64](b, "document.documentElement.scrollWidth")
				t.Logf("%s %d×%d %s: %v px wide", role.account, vp.w, vp.h, path, sw)
				if sw > float64(vp.w) {
					t.Errorf("%s at %d×%d: %s is %v px wide, wider than the screen; sticking out: %s",
						role.account, vp.w, vp.h, path, sw, browsertest.Eval[string](b, overflowing))
				}
				// The header is one row, in either language.
				if h := browsertest.Eval[float64](b, `document.querySelector("header.top, .top").getBoundingClientRect().height`); h > 64 {
					t.Errorf("%s %s at %d×%d: the header is %v px high (two rows?)", role.account, path, vp.w, vp.h, h)
				}
				if name, ok := shots[path]; ok {
					b.FirstScreen(fmt.Sprintf("70-%s%s-%s-%d", role.account, role.lang, name, vp.w))
				}
				if path == "/county/"+c && role.account == "county" {
					checkDialog(t, b, fmt.Sprintf("%s at %d×%d", role.account, vp.w, vp.h), vp.w)
				}
				if path == "/inbox" {
					checkMenu(t, b, fmt.Sprintf("%s at %d×%d", role.account, vp.w, vp.h), vp.w < 700)
					if vp.w < 700 {
						b.FirstScreen(fmt.Sprintf("70-%s-menu-%d", role.account, vp.w))
					}
				}
			}
		}
	}
}

// checkMenu checks the header's menu: shown on a desk; on a phone folded
// behind its button, and open, its links one under another, once the
// button is tapped.
func checkMenu(t *testing.T, b *browsertest.Browser, where string, phone bool) {
	t.Helper()
	visible := func() bool { return browsertest.Eval[bool](b, `document.querySelector("#menu").offsetHeight > 0`) }
	if !phone {
		if !visible() {
			t.Errorf("%s: the menu is hidden", where)
		}
		return
	}
	if visible() {
		t.Errorf("%s: the menu is open before its button is tapped", where)
	}
	b.Do(chromedp.Click(chromedp.CSS(".menu-button"), chromedp.NodeVisible))
	if !visible() {
		t.Errorf("%s: the menu does not open", where)
	}
	if sw := browsertest.Eval[float64](b, "document.documentElement.scrollWidth"); sw > 390 {
		t.Errorf("%s: the open menu makes the page %v px wide", where, sw)
	}
}

// checkDialog opens the explanation of a CV on the county page and checks
// that the dialog fits the screen and its close button can be tapped.
func checkDialog(t *testing.T, b *browsertest.Browser, where string, width int64) {
	t.Helper()
	b.Do(chromedp.Click(chromedp.CSS(`td.cv[data-indicator] a[data-explain]`), chromedp.NodeVisible))
	b.Wait("dialog#explain-dialog[open] #explain-title")
	right := browsertest.Eval[float64](b, `document.querySelector("#explain-dialog").getBoundingClientRect().right`)
	if right > float64(width) {
		t.Errorf("%s: the explanation dialog reaches %v px, past the screen's %d", where, right, width)
	}
	// The title's text must not run under the close button (it did, the
	// button was on top but its × lost among the characters).
	if !browsertest.Eval[bool](b, `(() => {
		const c = document.querySelector("#explain-dialog .close"), r = c.getBoundingClientRect();
		if (document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) !== c) return false;
		const text = document.createRange();
		text.selectNodeContents(document.querySelector("#explain-title"));
		return [...text.getClientRects()].every(t => t.right <= r.left || t.left >= r.right || t.bottom <= r.top || t.top >= r.bottom);
	})()`) {
		t.Errorf("%s: the explanation dialog's close button is covered or runs into the title", where)
	}
	if width < 700 {
		b.FirstScreen("70-county-explain-390")
	}
	b.Do(chromedp.Click(chromedp.CSS("#explain-dialog .close"), chromedp.NodeVisible))
}
