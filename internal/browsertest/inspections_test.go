package browsertest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/training"
	"github.com/dudao-edu/dudao/internal/web"
)

// registryOf returns the first approved institution of county's 校外培训机构
// registry, storing a registry of two first when the county keeps none.
func registryOf(t *testing.T, st *store.Store, county string) training.Institution {
	t.Helper()
	ctx := context.Background()
	d, _, err := st.Ledger(ctx, training.Schema, county, 0)
	if errors.Is(err, store.ErrNotFound) {
		d = training.Schema.New()
		for i, name := range []string{"启明培训学校", "青苗艺术培训中心"} {
			code := ("52" + county + "MJ" + strconv.Itoa(1000000 + i)[1:] + "0")[:17]
			cat, field := training.Subject, ""
			if i > 0 {
				cat, field = training.NonSubject, "arts"
			}
			if err := d.Add(training.TInstitutions, map[string]string{"credit": code + training.CreditCheck(code), "name": name, "form": "nonprofit",
				"licence": "教民" + county + strconv.Itoa(i), "licence_from": "2024-01-01", "licence_to": "2029-12-31", "category": cat, "field": field,
				"mode": "offline", "approver": "education", "custody": training.Bank, "account": "某银行 6222"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.SaveLedger(ctx, "test", county, 0, nil, "", store.AnyVersion, d); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	for _, in := range training.Institutions(d, time.Now()) {
		if in.Active() {
			return in
		}
	}
	t.Fatalf("no approved institution in %s's registry", county)
	return training.Institution{}
}

// TestInspectionCase runs an inspection case in a real browser: on a
// phone, the county's inspector records a visit to an institution of the
// registry with fire safety 不符合 and a photo, and issues the
// rectification order of that item; the county reports the fix with an
// evidence photo and may not verify it itself; a second county account
// verifies it at a desk and the order is closed (已销号).
func TestInspectionCase(t *testing.T) {
	var clk fakeClock
	clk.set(time.Now())
	b := browsertest.New(t)
	a := startAppAt(t, clk.now)
	ctx := context.Background()
	c := web.DemoCounty(a.p).Code
	in := registryOf(t, a.st, c)
	photo := filepath.Join(t.TempDir(), "消防通道.png")
	if err := os.WriteFile(photo, pngBytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	colleague, err := a.st.CreateUser(ctx, store.User{Username: "county-b", DisplayName: "县教育局执法二组", Role: store.RoleCounty, Region: c}, "long enough")
	if err != nil {
		t.Fatal(err)
	}
	wide := func(where string, w int64) {
		t.Helper()
		if sw := browsertest.Eval[float64](b, "document.documentElement.scrollWidth"); sw > float64(w) {
			t.Errorf("%s at %d px: %v px wide; sticking out: %s", where, w, sw, browsertest.Eval[string](b, overflowing))
		}
	}
	status := func() string { return b.Attr("#ticket-status", "data-status") }

	// On site, on a phone: the visit.
	a.login(t, b, "county")
	b.Do(chromedp.EmulateViewport(390, 844))
	page := a.URL + "/county/" + c + "/inspections"
	b.Navigate(page)
	b.Wait("#visit-fold")
	wide("the inspections page", 390)
	b.FirstScreen("80-inspections-390")
	b.Do(chromedp.Click(`#visit-fold summary`, chromedp.NodeVisible))
	b.Do(chromedp.SetValue(`#visit-form select[name=credit]`, in.Credit, chromedp.NodeVisible))
	b.Fill(`#visit-form input[name=inspectors]`, "张明、李华")
	b.Do(chromedp.Click(`#visit-form input[name="r.fire"][value=fail]`, chromedp.NodeVisible))
	b.Fill(`#visit-form input[name="n.fire"]`, "二楼安全出口堆放杂物")
	b.Upload(`#visit-form input[name=photo]`, photo)
	wide("the visit form", 390)
	b.Screenshot("80-visit-form-390")
	b.ClickAndWait(`#visit-form button[data-action=visit]`)
	b.Wait("#visit-checklist")
	if r := b.Attr(`#check-table li[data-item=fire]`, "data-result"); r != "fail" {
		t.Fatalf("fire safety recorded %q", r)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#visit-photos img").length`); n != 1 {
		t.Errorf("%v photos on the visit", n)
	}
	wide("the visit page", 390)
	b.Screenshot("80-visit-390")
	visitURL := browsertest.Eval[string](b, "location.href")

	// The rectification order of the failed item, due in 15 days.
	b.ClickAndWait(`button[data-action=raise][data-item=fire]`)
	b.Wait("#ticket-status")
	if s, l := status(), b.Attr("#ticket-status", "data-light"); s != "open" || l != "green" {
		t.Fatalf("new order: %s %s", s, l)
	}
	if txt := b.Text("#ticket-subject"); !strings.Contains(txt, in.Name) {
		t.Errorf("the order names %q, want %s", txt, in.Name)
	}
	wide("the order", 390)
	b.Screenshot("80-order-390")

	// Ten days later the county reports the fix with a photo.
	clk.advance(10 * 24 * time.Hour)
	back := b.Attr(`#visit-crumb`, "href")
	a.login(t, b, "county") // the session of ten days ago has expired
	b.Navigate(a.URL + back)
	b.Wait("#visit-orders")
	b.ClickAndWait(`#visit-order-list a`)
	b.Wait("#ticket-form")
	if l := b.Attr("#ticket-status", "data-light"); l != "green" {
		t.Errorf("ten days on: %s", l)
	}
	b.Fill(`#ticket-form textarea[name=text]`, "已清理安全出口杂物，增设疏散指示标志")
	b.Upload(`#ticket-form input[name=file]`, photo)
	b.ClickAndWait(`button[data-action=report]`)
	if s := status(); s != "submitted" {
		t.Fatalf("after the report: %s", s)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("button[data-action=verify]").length`); n != 0 {
		t.Error("the reporter is offered the verification")
	}
	b.Wait("#verify-by-other")
	b.Screenshot("80-order-reported-390")
	orderURL := browsertest.Eval[string](b, "location.href")

	// A second account of the county verifies it, at a desk.
	tok, err := a.st.CreateSession(ctx, colleague.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.ClearCookies()
	b.SetCookie(a.URL, "dudao_session", tok)
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(orderURL)
	b.Wait(`button[data-action=verify]`)
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("[data-step=report] a.chip").length`); n != 1 {
		t.Errorf("the report shows %v evidence files", n)
	}
	b.Fill(`#ticket-form textarea[name=text]`, "现场复查合格，同意销号")
	b.ClickAndWait(`button[data-action=verify]`)
	if s := status(); s != "closed" {
		t.Fatalf("after the verification: %s", s)
	}
	if txt := b.Text("#ticket-status"); !strings.Contains(txt, "已销号") {
		t.Errorf("closed order shows %q", txt)
	}
	wide("the closed order", 1440)
	b.Screenshot("80-order-closed-1440")
	b.Navigate(page)
	b.Wait("#order-list")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#order-list tr[data-status=closed]").length`); n < 1 {
		t.Error("the inspections page lists no closed order")
	}
	wide("the inspections page", 1440)
	b.Screenshot("80-inspections-1440")

	// In English, on a phone: the visit and the forms.
	b.SetCookie(a.URL, "dudao_lang", "en")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Navigate(visitURL)
	b.Wait("#visit-checklist")
	wide("the visit page in English", 390)
	b.Screenshot("80-visit-en-390")
	b.Navigate(page)
	b.Wait("#complaint-fold")
	b.Do(chromedp.Click(`#complaint-fold summary`, chromedp.NodeVisible))
	wide("the complaint form in English", 390)
	b.Screenshot("80-complaint-en-390")
}
