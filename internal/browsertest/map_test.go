package browsertest_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestOverviewMap opens the demo's overview as the province, waits for the
// map of its counties, and checks that the map's legend (the counties
// drawn in each colour) says what the page's counts say; clicking a
// county opens the county. At a desk and a phone the page is no wider than
// the screen, and the trends over the years are there in figures too.
func TestOverviewMap(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	a.login(t, b, "admin")
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"80-overview-map-1440", 1440, 900}, {"81-overview-map-390", 390, 844}} {
		b.Do(chromedp.EmulateViewport(vp.w, vp.h))
		b.Navigate(a.URL + "/overview")
		b.Wait("#region-map[data-drawn] svg path")
		if n := browsertest.Eval[int](b, `+document.querySelector('#region-map').getAttribute('data-drawn')`); n != 100 {
			t.Errorf("%s: %d counties drawn, want the demo's 100", vp.name, n)
		}
		t.Logf("%s: %s segments of city borders", vp.name, b.Attr("#region-map", "data-borders"))
		if n := browsertest.Eval[int](b, `document.querySelectorAll('#region-map svg path').length`); n < 100 {
			t.Errorf("%s: %d paths in the map's drawing", vp.name, n)
		}
		for _, st := range []string{"met", "not_met", "pending"} {
			kpi := strings.TrimSpace(b.Text(`#whole-kpis .kpi[data-status="` + st + `"] b`))
			legend := strings.TrimSpace(b.Text(`#map-legend li[data-status="` + st + `"] .count`))
			if kpi == "" || legend != kpi {
				t.Errorf("%s: %s: the legend says %q, the counts %q", vp.name, st, legend, kpi)
			}
		}
		if n := browsertest.Eval[int](b, `document.querySelectorAll('#trends .chart[data-rendered]').length`); n < 3 {
			t.Errorf("%s: %d trend charts", vp.name, n)
		}
		if n := browsertest.Eval[int](b, `document.querySelectorAll('#trend-table tr[data-year]').length`); n != 3*len(a.p.Years) {
			t.Errorf("%s: %d rows of figures in the trends", vp.name, n)
		}
		if w := browsertest.Eval[int64](b, `document.documentElement.scrollWidth`); w > vp.w {
			t.Errorf("%s: the page is %d px wide: %s", vp.name, w, browsertest.Eval[string](b, overflowing))
		}
		b.FirstScreen(vp.name)
		// The map and the trends, scrolled into view.
		shot(t, b, "#map-card", vp.name+"-map")
		if vp.w < 500 {
			shot(t, b, "#trends", vp.name+"-trends")
		}
	}

	// A click on the demo county's shape opens its page.
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/overview")
	b.Wait("#region-map[data-drawn] svg path")
	county := web.DemoCounty(a.p)
	// The shape under the county's polygon's centre: ECharts draws the
	// features in order, so the path of the county is found by its
	// position in the GeoJSON.
	idx := browsertest.Eval[int](b, `fetch('/overview/map/`+demo.ProvinceCode+`').then(r => r.json()).then(g => g.features.findIndex(f => f.properties.code === "`+county.Code+`"))`)
	if idx < 0 {
		t.Fatalf("county %s is not on the map", county.Code)
	}
	pt := browsertest.Eval[[]float64](b, `(() => { const ps = [...document.querySelectorAll('#region-map svg path')].filter(p => p.getAttribute('fill') && p.getAttribute('fill') !== 'none');
		const r = ps[`+strconv.Itoa(idx)+`].getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	b.Do(chromedp.MouseClickXY(pt[0], pt[1]))
	b.Wait("body")
	url := browsertest.Eval[string](b, `new Promise(done => { const t0 = Date.now(); (function wait() { if (location.pathname !== "/overview" || Date.now() - t0 > 5000) return done(location.pathname); setTimeout(wait, 50); })(); })`)
	if !strings.HasPrefix(url, "/county/") {
		t.Fatalf("the click at %v led to %s", pt, url)
	}
	if url != "/county/"+county.Code {
		t.Logf("the click at the centre of %s's shape opened %s", county.Code, url)
	}
}

// shot saves what the viewport shows with sel scrolled to its top.
func shot(t *testing.T, b *browsertest.Browser, sel, name string) {
	t.Helper()
	b.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('` + sel + `').scrollIntoView()`))
	png, err := chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(browsertest.Artefacts(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMapImportPage imports a map as the province's administrator at a
// phone's width: a file with a county unknown to the division list is
// refused with the feature and property named, a good one replaces the map.
func TestMapImportPage(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	a.login(t, b, "admin")
	b.Do(chromedp.EmulateViewport(390, 844))
	county := web.DemoCounty(a.p)
	dir := t.TempDir()
	write := func(name, code string) string {
		path := filepath.Join(dir, name)
		data := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + code +
			`"},"geometry":{"type":"Polygon","coordinates":[[[116,33],[116.2,33],[116.2,33.2],[116,33]]]}}]}`
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	b.Navigate(a.URL + "/map")
	b.Wait("#map-form")
	b.Upload(`#map-form input[type=file]`, write("错误的地图.geojson", "989999"))
	b.ClickAndWait(`#map-form button[type=submit]`)
	b.Wait("#map-problems")
	if got := b.Text("#map-problems li"); !strings.Contains(got, "错误的地图.geojson 第 1 个要素的属性 code") || !strings.Contains(got, "989999") {
		t.Errorf("the problem: %q", got)
	}
	if w := browsertest.Eval[int64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the map page is %d px wide: %s", w, browsertest.Eval[string](b, overflowing))
	}
	b.FirstScreen("82-map-import-error-390")
	b.Upload(`#map-form input[type=file]`, write("一个县.geojson", county.Code))
	b.ClickAndWait(`#map-form button[type=submit]`)
	b.Wait("#map-done")
	if got := b.Text("#map-status"); !strings.Contains(got, "一个县.geojson") {
		t.Errorf("after the import: %q", got)
	}
}
