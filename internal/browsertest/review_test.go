package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestReviewChain walks the reporting chain on the demo in a real browser:
// a school fills and submits; the county returns one field with a reason;
// the school fixes it and resubmits; the county approves and submits the
// county; the city draws a spot-check sample and accepts; the data are
// locked (an edit is refused with a clear message); the city unlocks with
// a reason; the audit shows every step.
func TestReviewChain(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	ctx := context.Background()
	county := web.DemoCounty(a.p)
	school := a.accounts["school"].School
	tasks, err := a.st.Tasks(ctx, "")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no demo task: %v", err)
	}
	task := tasks[0]
	unit := fmt.Sprintf("%s/task/%d/unit/%s", a.URL, task.ID, school)
	state := func() string { return b.Attr("#unit-state", "data-state") }

	// The school: its inbox leads to its task; it opens its form, saves
	// it, and submits.
	a.login(t, b, "school")
	b.Navigate(a.URL + "/inbox")
	b.Wait("#inbox-count")
	b.Screenshot("30-inbox-school")
	b.ClickAndWait(`li[data-key="inbox.fill"] a`)
	b.Wait("#unit-state")
	b.ClickAndWait("#fill-school")
	b.Wait("#record-task")
	b.ClickAndWait("#edit-form button[type=submit]")
	b.Wait("#unit-state")
	b.ClickAndWait(`button[data-action="submit"]`)
	if s := state(); s != "submitted" {
		t.Fatalf("after submitting: %s", s)
	}

	// The county returns one field with a reason.
	a.login(t, b, "county")
	b.Navigate(unit)
	b.Fill("#decide textarea[name=reason]", "请核对专任教师数")
	b.Fill(`input[name="c.school.teachers_primary"]`, "与人事系统在编人数不一致")
	b.Screenshot("31-review-return")
	b.ClickAndWait(`button[data-action="return"]`)
	if s := state(); s != "returned" {
		t.Fatalf("after returning: %s", s)
	}

	// The school sees the field and the reason, fixes it and resubmits.
	a.login(t, b, "school")
	b.Navigate(unit)
	if txt := b.Text(`tr[data-field="teachers_primary"] [data-returned]`); !strings.Contains(txt, "与人事系统在编人数不一致") {
		t.Fatalf("the returned field says %q", txt)
	}
	b.ClickAndWait("#fill-school")
	if txt := b.Text("#edit-form [data-returned]"); !strings.Contains(txt, "与人事系统") {
		t.Fatalf("the form's returned field says %q", txt)
	}
	rec, err := a.st.Record(ctx, "school", task.Year, school)
	if err != nil {
		t.Fatal(err)
	}
	tp := rec.Values()[census.TeachersPrimary]
	setInput(b, `#edit-form input[name="teachers_primary"]`, fmt.Sprint(tp+1))
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("32-form-returned-phone")
	b.Do(chromedp.EmulateViewport(1366, 900))
	b.ClickAndWait("#edit-form button[type=submit]")
	b.Wait("#unit-state")
	b.ClickAndWait(`button[data-action="submit"]`)
	if s := state(); s != "submitted" {
		t.Fatalf("after resubmitting: %s", s)
	}

	// The county approves it in the browser, the rest of its units through
	// the same store calls, and submits the county.
	a.login(t, b, "county")
	b.Navigate(unit)
	b.ClickAndWait(`button[data-action="approve"]`)
	if s := state(); s != "approved" {
		t.Fatalf("after approving: %s", s)
	}
	units, err := a.st.TaskUnits(ctx, task.ID, county.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Kind != review.Unit || u.State == review.Approved || u.Code == school {
			continue
		}
		for _, act := range []review.Action{review.Submit, review.Approve} {
			if act == review.Submit && u.State == review.Submitted {
				continue
			}
			if _, err := a.st.Step(ctx, "county", review.LevelCounty, store.StepInput{TaskID: task.ID, Kind: review.Unit, Code: u.Code, Action: act}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b.Navigate(fmt.Sprintf("%s/task/%d", a.URL, task.ID))
	b.ClickAndWait(fmt.Sprintf(`#county-%s button[data-action="county-submit"]`, county.Code))
	if got := b.Attr(fmt.Sprintf("#county-%s [data-county-state]", county.Code), "data-county-state"); got != "submitted" {
		t.Fatalf("county after submitting: %s", got)
	}

	// The city draws a spot check and accepts.
	a.login(t, b, "city")
	b.Navigate(fmt.Sprintf("%s/inbox", a.URL))
	b.ClickAndWait(`li[data-key="inbox.accept"] a`)
	sel := fmt.Sprintf("#county-%s", county.Code)
	b.Wait(sel)
	b.Do(chromedp.Click(chromedp.CSS(sel+" details.spot summary"), chromedp.NodeVisible))
	b.Fill(sel+` .spot-draw input[name="seed"]`, "20240921")
	b.ClickAndWait(sel + ` .spot-draw button[data-action="draw"]`)
	b.Wait(sel + " .spot-check [data-sample]")
	b.Screenshot("33-task-city")
	checks, err := a.st.SpotChecks(ctx, task.ID, county.Code)
	if err != nil || len(checks) != 1 || checks[0].Seed != 20240921 || len(checks[0].Sample) == 0 {
		t.Fatalf("spot check %+v %v", checks, err)
	}
	b.ClickAndWait(sel + ` button[data-action="county-accept"]`)
	if got := b.Attr(sel+" [data-county-state]", "data-county-state"); got != "accepted" {
		t.Fatalf("county after acceptance: %s", got)
	}

	// Locked: the school's edit is refused with a clear message.
	a.login(t, b, "school")
	b.Navigate(fmt.Sprintf("%s/school/%s/edit?year=%d", a.URL, school, task.Year))
	setInput(b, `#edit-form input[name="teachers_primary"]`, fmt.Sprint(tp+5))
	b.ClickAndWait("#edit-form button[type=submit]")
	if txt := b.Text("#record-errors"); !strings.Contains(txt, "已锁定") || !strings.Contains(txt, task.Title) {
		t.Fatalf("locked edit says %q", txt)
	}
	b.Screenshot("34-locked")

	// The city unlocks with a reason, reopening the school.
	a.login(t, b, "city")
	b.Navigate(fmt.Sprintf("%s/task/%d/county/%s", a.URL, task.ID, county.Code))
	b.Fill("#decide textarea[name=reason]", "教师数需再次核对")
	b.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#decide input[name="also"][value="%s"]`, school)), chromedp.NodeVisible))
	b.ClickAndWait(`button[data-action="unapprove"]`)
	if s := state(); s != "returned" {
		t.Fatalf("county after unlocking: %s", s)
	}
	if u, _ := a.st.TaskUnit(ctx, task.ID, review.Unit, school); u.State != review.Returned {
		t.Fatalf("school after unlocking: %s", u.State)
	}

	// The audit shows every step.
	a.login(t, b, "admin")
	b.Navigate(a.URL + "/audit")
	b.Wait("main table")
	for _, act := range []string{"review.submit", "review.return", "review.approve", "review.accept", "review.unapprove", "review.reopen", "review.spotcheck"} {
		if n := browsertest.Eval[float64](b, fmt.Sprintf(`document.querySelectorAll('td[data-action="%s"]').length`, act)); n == 0 {
			t.Errorf("the audit lacks %s", act)
		}
	}
	// The school's steps, every round, on its page.
	a.login(t, b, "school")
	b.Navigate(unit)
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#steps li[data-step]").length`); n < 5 {
		t.Errorf("%v steps shown", n)
	}
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("35-unit-phone")
	b.Navigate(a.URL + "/inbox")
	b.Wait("#inbox")
	b.Screenshot("36-inbox-phone")
}

// setInput replaces the value of the input matching sel, as a user
// clearing it and typing would.
func setInput(b *browsertest.Browser, sel, value string) {
	b.Wait(sel)
	browsertest.Eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, sel, value))
}
