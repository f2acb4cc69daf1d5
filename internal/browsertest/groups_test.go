package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestGroups is the county clerk's 教育集团 work in a real browser: from
// the county page to the groups page with the demo ledger's coverage; an
// import with a bad date refused with its row and column named and nothing
// stored; a good file imported; a member added in the form, which the
// coverage counts at once; then the province's view of every county.
// Screenshots at 1440 and 390 px, and no page wider than the phone.
func TestGroups(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	code := web.DemoCounty(a.p).Code
	var schools []census.School
	for _, s := range a.p.Year(demo.LatestYear) {
		if s.CountyCode == code && s.Type != census.TeachingPoint && s.Type != census.Special {
			schools = append(schools, s)
		}
	}
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/county/" + code)
	b.ClickAndWait("#groups-link")
	b.Wait("#groups-coverage")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#groups-list tr[data-group]").length`); n == 0 {
		t.Fatal("no group listed")
	}
	b.Wait("#groups-unknown li")
	b.Screenshot("80-groups-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the groups page is %g px wide on a phone", w)
	}
	b.Screenshot("81-groups-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, beforeV, err := a.st.Ledger(context.Background(), groups.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	bad := write("groups.csv", "集团编号,集团名称,集团类型,牵头学校代码,成立日期\nG1,城关教育集团,紧密型,"+schools[0].Code+",2021-13-01\n")
	b.Upload(`#ledger-import input[type=file]`, bad)
	b.ClickAndWait(`#ledger-import button[type=submit]`)
	b.Wait("#ledger-errors")
	if row, col := b.Attr(`#ledger-errors tbody tr`, "data-row"), b.Attr(`#ledger-errors tbody tr`, "data-letter"); row != "2" || col != "E" {
		t.Errorf("error at row %q column %q, want 2 E", row, col)
	}
	b.Screenshot("82-groups-import-error")
	if _, v, _ := a.st.Ledger(context.Background(), groups.Schema, code, 0); v.ID != beforeV.ID {
		t.Fatal("a refused import changed the ledger")
	}

	good := write("groups.csv", "集团编号,集团名称,集团类型,办学模式,牵头学校代码,成立日期\nG1,城关教育集团,紧密型,融合,"+schools[0].Code+",2021-09-01\n")
	b.Upload(`#ledger-import input[type=file]`, good)
	b.ClickAndWait(`#ledger-import button[type=submit]`)
	b.Wait("#groups-headline")
	if got := b.Text("#groups-headline"); !strings.HasPrefix(got, "1 个集团") || !strings.Contains(got, "覆盖 1 / ") {
		t.Errorf("after import: %q", got)
	}
	// Add a member in the form.
	browsertest.Eval[bool](b, `document.querySelector("#ledger-members").open = true`)
	b.Fill(`form.ledger-add[data-table=members] input[name="c.group"]`, "G1")
	b.Fill(`form.ledger-add[data-table=members] input[name="c.school"]`, schools[1].Code)
	browsertest.Eval[string](b, `document.querySelector('form.ledger-add[data-table=members] input[name="c.joined"]').value = "2022-09-01"`)
	b.ClickAndWait(`form.ledger-add[data-table=members] button[type=submit]`)
	b.Wait("#groups-headline")
	if got := b.Text("#groups-headline"); !strings.Contains(got, "覆盖 2 / ") {
		t.Errorf("after adding a member: %q", got)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#ledger-history li").length`); n != 3 {
		t.Errorf("%g versions listed, want 3 (demo, import, add)", n)
	}
	// Edit the group's row: the form takes its values, saves that row.
	b.Do(chromedp.Click(`button.ledger-edit[data-table=groups][data-row="0"]`, chromedp.NodeVisible))
	if got := browsertest.Eval[string](b, `document.querySelector('form.ledger-add[data-table=groups] select[name="c.tightness"]').value`); got != "close" {
		t.Errorf("the edit form's type is %q, want close", got)
	}
	browsertest.Eval[string](b, `document.querySelector('form.ledger-add[data-table=groups] input[name="c.name"]').value = "城关教育集团（改名）"`)
	b.ClickAndWait(`form.ledger-add[data-table=groups] button[type=submit]`)
	b.Wait("#groups-headline")
	if got := b.Text(`#ledger-groups tr[data-row="0"] td:nth-child(2)`); got != "城关教育集团（改名）" {
		t.Errorf("after the edit the group is named %q", got)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#ledger-groups tbody tr").length`); n != 1 {
		t.Errorf("the edit added a row: %g groups", n)
	}
	b.Screenshot("83-groups-after-edit")

	a.login(t, b, "admin")
	b.Navigate(a.URL + "/groups")
	b.Wait("#groups-counties")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#groups-counties tbody tr[data-region]").length`); n < 2 {
		t.Errorf("%g cities on the province's view", n)
	}
	b.Screenshot("84-groups-province-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the province's groups page is %g px wide on a phone", w)
	}
	b.Screenshot("85-groups-province-390")
}
