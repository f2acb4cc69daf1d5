package browsertest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
)

// TestSurveyOnPhones runs a 社会认可度 survey in a real browser: the county
// starts it and prints a sheet of single-use codes; three parents answer
// on a 390×844 phone (two recognising, one not); a reused code is
// refused; a fourth answers too fast and is flagged; the county's page
// shows the rate of the three with the fast one excluded.
func TestSurveyOnPhones(t *testing.T) {
	var clk fakeClock
	clk.set(time.Date(2026, 5, 6, 1, 0, 0, 0, time.UTC))
	b := browsertest.New(t)
	a := startAppAt(t, clk.now)

	// The county starts the survey and prints five codes.
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/surveys")
	b.Do(chromedp.SetValue(`#survey-form select[name="standard"]`, "yzjh2017", chromedp.NodeVisible))
	b.Fill(`#survey-form input[name="population"]`, "456789")
	b.ClickAndWait(`#survey-form button[type=submit]`)
	b.Wait("#survey-plan")
	surveyURL := browsertest.Eval[string](b, `location.href`)
	b.Do(chromedp.SetValue(`#codes-form input[name="n"]`, "5", chromedp.NodeVisible))
	b.ClickAndWait(`#codes-form button[type=submit]`)
	b.Wait("#codes .code svg")
	b.Screenshot("60-survey-sheet")
	codes := strings.Fields(browsertest.Eval[string](b, `[...document.querySelectorAll("#codes .url")].map(e => e.textContent).join(" ")`))
	if len(codes) != 5 {
		t.Fatalf("%d codes on the sheet", len(codes))
	}

	// answer opens code on a phone, waits on the clock, chooses the second
	// point everywhere but overall, and submits; it returns the outcome.
	answer := func(code string, overall int, wait time.Duration, shot string) string {
		t.Helper()
		b.ClearCookies() // another phone
		b.Navigate(code)
		b.Wait("#answer-form")
		n := browsertest.Eval[float64](b, `document.querySelectorAll("#answer-form fieldset").length`)
		for i := 1; i <= int(n); i++ {
			v := 2
			if id := browsertest.Eval[string](b, fmt.Sprintf(`document.querySelector("#answer-form fieldset:nth-of-type(%d)").id`, i)); id == "q-overall" {
				v = overall
			} else if id == "q-burden" {
				v = 4
			}
			b.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#answer-form fieldset:nth-of-type(%d) label:nth-of-type(%d)`, i, v)), chromedp.NodeVisible))
		}
		if shot != "" {
			b.Screenshot(shot)
		}
		clk.advance(wait)
		b.ClickAndWait(`#answer-form button[type=submit]`)
		b.Wait("#survey-public")
		return b.Attr("#survey-public", "data-state")
	}
	b.Do(chromedp.EmulateViewport(390, 844))
	// The phone page: readable without zoom, targets at least 44 px tall.
	b.ClearCookies()
	b.Navigate(codes[0])
	b.Wait("#answer-form")
	if small := browsertest.Eval[float64](b, `[...document.querySelectorAll("#answer-form label, #answer-form button")].filter(e => e.getBoundingClientRect().height < 44).length`); small != 0 {
		t.Errorf("%v tap targets under 44 px", small)
	}
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %v px wide on a 390 px phone", w)
	}
	if fs := browsertest.Eval[string](b, `getComputedStyle(document.body).fontSize`); fs != "17px" {
		t.Errorf("body font %s", fs)
	}
	b.Screenshot("61-survey-phone-top")
	for i, overall := range []int{1, 2, 4} {
		shot := ""
		if i == 0 {
			shot = "62-survey-phone-answered"
		}
		if got := answer(codes[i], overall, 90*time.Second, shot); got != "thanks" {
			t.Fatalf("code %d: %s", i, got)
		}
	}
	b.Screenshot("63-survey-phone-thanks")
	// The first code again: refused.
	b.ClearCookies()
	if st := b.Status(codes[0]); st != 409 {
		t.Errorf("reused code: status %d", st)
	}
	if got := b.Attr("#survey-public", "data-state"); got != "used" {
		t.Errorf("reused code: %s", got)
	}
	b.Screenshot("64-survey-phone-used")
	// The fourth, in four seconds: stored, flagged.
	if got := answer(codes[3], 1, 4*time.Second, ""); got != "thanks" {
		t.Fatalf("fast answer: %s", got)
	}

	// The county sees 2 of 3 (66.67 %), the fast one flagged and excluded.
	a.login(t, b, "county")
	b.Navigate(surveyURL)
	if got := b.Text("#rate"); got != "66.67%" {
		t.Errorf("rate %q, want 66.67%%", got)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#flagged tr[data-response]").length`); n != 1 {
		t.Errorf("%v flagged, want 1", n)
	}
	if got := b.Text("#excluded"); !strings.Contains(got, "1") {
		t.Errorf("excluded %q", got)
	}
	b.Screenshot("65-survey-county-phone")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Screenshot("66-survey-county")
	b.Navigate(a.URL + "/surveys")
	b.Wait("#survey-list")
	b.Screenshot("67-survey-list")
}
