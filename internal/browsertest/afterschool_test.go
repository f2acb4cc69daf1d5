package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestAfterschool is the county clerk's 课后服务 work in a real browser:
// from the county page to the after-school page with the demo term's
// figures and lights; an import with one bad end time refused with its
// row and column named and nothing stored; then the province's view.
// Screenshots at 1440 and 390 px, and no page wider than the phone.
func TestAfterschool(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	code := web.DemoCounty(a.p).Code
	year := demo.LatestYear
	var schools []census.School
	for _, s := range a.p.Year(year) {
		if s.CountyCode == code && s.Type != census.TeachingPoint && s.Type != census.Special {
			schools = append(schools, s)
		}
	}
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/county/" + code)
	b.ClickAndWait("#afterschool-link")
	b.Wait("#afterschool-figures")
	if got := b.Text("#afterschool-headline"); !strings.Contains(got, "所学校开展课后服务") {
		t.Errorf("headline %q", got)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#afterschool-schools .light.red").length`); n == 0 {
		t.Error("no school shows a red light")
	}
	b.Screenshot("90-afterschool-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the after-school page is %g px wide on a phone", w)
	}
	b.Screenshot("91-afterschool-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	dir := t.TempDir()
	bad := filepath.Join(dir, "课后服务.csv")
	text := "学校代码,学校名称,学期,是否开展课后服务,每周服务天数,结束时间,参加学生数\n" +
		schools[0].Code + ",一,秋季学期,是,5,17:30,100\n" +
		schools[1].Code + ",二,秋季学期,是,5,17:75,80\n"
	if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, before, err := a.st.Ledger(context.Background(), afterschool.Schema, code, year)
	if err != nil {
		t.Fatal(err)
	}
	b.Upload(`#ledger-import input[type=file]`, bad)
	b.ClickAndWait(`#ledger-import button[type=submit]`)
	b.Wait("#ledger-errors")
	if row, col := b.Attr(`#ledger-errors tbody tr`, "data-row"), b.Attr(`#ledger-errors tbody tr`, "data-letter"); row != "3" || col != "F" {
		t.Errorf("error at row %q column %q, want 3 F", row, col)
	}
	if got := b.Text("#ledger-errors tbody tr"); !strings.Contains(got, "结束时间") || !strings.Contains(got, "不是时刻") {
		t.Errorf("the error reads %q", got)
	}
	b.Screenshot("92-afterschool-import-error")
	if _, v, _ := a.st.Ledger(context.Background(), afterschool.Schema, code, year); v.ID != before.ID {
		t.Fatal("a refused import changed the ledger")
	}

	a.login(t, b, "admin")
	b.Navigate(a.URL + "/afterschool")
	b.Wait("#afterschool-counties")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#afterschool-counties tbody tr[data-region]").length`); n < 2 {
		t.Errorf("%g cities on the province's view", n)
	}
	b.Screenshot("93-afterschool-province-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the province's after-school page is %g px wide on a phone", w)
	}
	b.Screenshot("94-afterschool-province-390")
}
