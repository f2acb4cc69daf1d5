package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/training"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestTraining is the county office's 校外培训机构 work in a real browser:
// from the county page to the registry with the rules' findings; an
// institution file with one bad licence date refused with its row and
// column named and nothing stored; the year's lists published; then the
// white list read by a parent who is not signed in, on a phone; and the
// province's view. Screenshots at 1440 and 390 px, no page wider than the
// phone.
func TestTraining(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	code := web.DemoCounty(a.p).Code
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/county/" + code)
	b.ClickAndWait("#training-link")
	b.Wait("#training-rules")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#training-findings tbody tr").length`); n == 0 {
		t.Error("the demo registry shows no finding")
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#training-grades tbody tr[data-grade]").length`); n == 0 {
		t.Error("no institution is graded")
	}
	b.Screenshot("95-training-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the training page is %g px wide on a phone", w)
	}
	b.Screenshot("96-training-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	// One bad licence date: refused, its cell named, nothing stored.
	c := func(stem string) string { return stem + training.CreditCheck(stem) }
	bad := filepath.Join(t.TempDir(), "校外培训机构.csv")
	text := "统一社会信用代码,机构名称,法人类型,培训类别,非学科类别,培训方式,审批部门,预收费监管方式,监管账户,办学许可证编号,许可证发证日期,许可证有效期至\n" +
		c("52350100MJ0000001") + ",启明学堂,民办非企业单位,学科类,,线下,教育部门,银行托管,南江银行 1,教民1号,2024-09-01,2027-08-31\n" +
		c("52350100MJ0000002") + ",晨光培训,民办非企业单位,学科类,,线下,教育部门,银行托管,南江银行 2,教民2号,2021-09-01,2027/13/01\n"
	if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, before, err := a.st.Ledger(context.Background(), training.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.Upload(`#ledger-import input[type=file]`, bad)
	b.ClickAndWait(`#ledger-import button[type=submit]`)
	b.Wait("#ledger-errors")
	if row, col := b.Attr(`#ledger-errors tbody tr`, "data-row"), b.Attr(`#ledger-errors tbody tr`, "data-letter"); row != "3" || col != "L" {
		t.Errorf("error at row %q column %q, want 3 L", row, col)
	}
	if got := b.Text("#ledger-errors tbody tr"); !strings.Contains(got, "许可证有效期至") || !strings.Contains(got, "2027/13/01") {
		t.Errorf("the error reads %q", got)
	}
	b.Screenshot("97-training-import-error")
	if _, v, _ := a.st.Ledger(context.Background(), training.Schema, code, 0); v.ID != before.ID {
		t.Fatal("a refused import changed the registry")
	}

	// Publish the lists, accepting the confirmation the button asks for.
	b.Navigate(a.URL + "/county/" + code + "/training")
	b.Wait("#training-publish")
	white := b.Text("#training-lists h3")
	browsertest.Eval[bool](b, `window.confirm = (m) => { window.asked = m; return true; }; true`)
	b.ClickAndWait("#training-publish button")
	b.Wait("#training-publications")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#training-publications li").length`); n < 2 {
		t.Errorf("%g publications after publishing (the demo published one)", n)
	}

	// A parent, not signed in, on a phone.
	b.ClearCookies()
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Navigate(a.URL + "/lists/" + code)
	b.Wait("#lists-white")
	if got := b.Text("#lists-white h2"); !strings.Contains(white, strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(got, "）"), "白名单（"))) {
		t.Errorf("the public white list %q does not match the page's %q", got, white)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#lists-white li").length`); n == 0 {
		t.Error("the public white list is empty")
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("script").length`); n != 0 {
		t.Errorf("the public page runs %g scripts", n)
	}
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the public lists are %g px wide on a phone", w)
	}
	b.Screenshot("98-training-public-390")

	a.login(t, b, "admin")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/training")
	b.Wait("#training-counties")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#training-counties tbody tr[data-region]").length`); n < 2 {
		t.Errorf("%g cities on the province's view", n)
	}
	b.Screenshot("99-training-province-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the province's training page is %g px wide on a phone", w)
	}
}
