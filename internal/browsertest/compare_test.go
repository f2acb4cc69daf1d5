package browsertest_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/dudao-edu/dudao/internal/browsertest"
)

// TestCompareCounties opens the inspector's comparison from the overview
// as a province would, sorts it by a CV, and checks at desk and phone
// width that the wide table scrolls in its own box (the page does not
// widen) with the county column in view.
func TestCompareCounties(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	a.login(t, b, "admin")
	b.Navigate(a.URL + "/overview")
	b.ClickAndWait("#compare-link")
	b.Wait("#compare tbody tr")
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#compare tbody tr').length`); n < 90 {
		t.Errorf("%d counties compared", n)
	}
	b.ClickAndWait(`#compare thead a[href*="sort=cv.junior.backbone_teachers"]`)
	b.Wait("#compare tbody tr")
	if got := browsertest.Eval[string](b, `document.querySelector('#compare th[aria-sort]').textContent`); got == "" {
		t.Error("the sorted column is not marked")
	}
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"70-compare-desk", 1440, 900}, {"71-compare-phone", 390, 844}} {
		b.Do(chromedp.EmulateViewport(vp.w, vp.h))
		b.Navigate(a.URL + "/compare?sort=cv.junior.backbone_teachers")
		b.Wait("#compare tbody tr")
		if w := browsertest.Eval[int64](b, `document.documentElement.scrollWidth`); w > vp.w {
			t.Errorf("%s: the page is %d px wide", vp.name, w)
		}
		// Scrolled sideways, the county column stays at the box's left.
		left := browsertest.Eval[float64](b, `(() => { const box = document.querySelector('.sticky-first'); box.scrollLeft = 600;
			const th = document.querySelector('#compare tbody th'); return th.getBoundingClientRect().left - box.getBoundingClientRect().left })()`)
		if left < -1 || left > 2 {
			t.Errorf("%s: the county column is %.0f px from the box's left after scrolling", vp.name, left)
		}
		b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('.sticky-first').scrollLeft = 0`))
		b.Screenshot(vp.name)
	}
}
