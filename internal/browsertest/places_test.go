package browsertest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestPlaces opens the demo county's 学位 page in a real browser from the
// county page's link: red and amber catchments with their shortfall, the
// backtest; switches to 初中; uploads a file with a bad cell and sees the
// error named by row and column with nothing stored. Screenshots at 1440
// and 390 px.
func TestPlaces(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	code := web.DemoCounty(a.p).Code
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/county/" + code)
	b.ClickAndWait("#places-link")
	b.Wait("#places-grid")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#places-grid td[data-light=red]").length`); n == 0 {
		t.Fatal("no red cell on the places page")
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#places-warnings tr[data-unit=catchment][data-light=amber], #places-warnings tr[data-unit=catchment][data-light=red]").length`); n == 0 {
		t.Fatal("no amber or red catchment among the warnings")
	}
	b.Wait("#places-backtest")
	b.Screenshot("70-places-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("71-places-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	b.ClickAndWait(`#places-stages a[href*="stage=junior"]`)
	b.Wait("#places-grid")
	if got := browsertest.Eval[string](b, `document.querySelector("#places-stages a.active").textContent`); got != "初中" {
		t.Errorf("stage tab %q, want 初中", got)
	}

	bad := filepath.Join(t.TempDir(), "projects.csv")
	if err := os.WriteFile(bad, []byte("学段,项目名称,学区,启用年份,新增学位\n小学,新建一小,XQ01,二〇二八,900\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Upload(`#ledger-import input[type=file]`, bad)
	b.ClickAndWait(`#ledger-import button[type=submit]`)
	b.Wait("#ledger-errors")
	if got := b.Attr(`#ledger-errors tbody tr`, "data-letter"); got != "D" {
		t.Errorf("error in column %q, want D", got)
	}
	b.Screenshot("72-places-import-error")
}
