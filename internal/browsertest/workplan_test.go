package browsertest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
)

// TestWorkplan runs a work plan in a real browser on a controllable clock:
// the city imports the real 2023 plan, confirms the recognised targets on
// the preview, reports progress on item 10 in January and in May (behind,
// with its reason), the clock moves to June and the task turns red on the
// wall chart, the city issues a 督办单, and the June bulletin PDF holds the
// late task and the reason given. Screenshots of the preview, the wall
// chart and the task at 1440 and 390 px; a page of the bulletin rasterised.
func TestWorkplan(t *testing.T) {
	var clk fakeClock
	clk.set(time.Date(2023, 2, 10, 2, 0, 0, 0, time.UTC))
	b := browsertest.New(t)
	a := startAppAt(t, clk.now)
	b.Do(chromedp.EmulateViewport(1440, 900))

	a.login(t, b, "city")
	b.Navigate(a.URL + "/plans")
	b.Screenshot("59-workplan-plans")
	file, err := filepath.Abs("../workplan/testdata/workplan-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	b.Upload(`#import-form input[type=file]`, file)
	b.ClickAndWait(`#import-form button[type=submit]`)
	b.Wait("#preview")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#preview tr[data-target]").length`); n != 7 {
		t.Fatalf("%v targets on the preview, want 7", n)
	}
	b.Screenshot("60-workplan-preview")
	b.ClickAndWait(`#confirm-plan`)
	b.Wait("#plan-title")
	planURL := browsertest.Eval[string](b, `location.pathname`)
	if !strings.HasPrefix(planURL, "/plan/") {
		t.Fatalf("after confirming: %s", planURL)
	}

	// Item 10: a report for January, and one for May that is behind.
	task := a.URL + b.Attr(`tr[data-task] a[href^="/plantask/"]`, "href")
	report := func(period, value, text, reason string) {
		t.Helper()
		b.Navigate(task)
		b.Do(chromedp.SetValue(`#report-form select[name="period"]`, period, chromedp.NodeVisible))
		b.Fill(`#report-form input[name="value"]`, value)
		b.Fill(`#report-form textarea[name="text"]`, text)
		if reason != "" {
			b.Fill(`#report-form textarea[name="reason"]`, reason)
		}
		b.ClickAndWait(`#report-form button[data-action="report"]`)
	}
	report("2023-01", "3", "3所学校完成立项", "")
	clk.set(time.Date(2023, 6, 2, 2, 0, 0, 0, time.UTC))
	a.login(t, b, "city") // months later: a new session
	report("2023-05", "8", "8所学校开工建设", "用地审批滞后，6所学校未能按期开工")
	if got := b.Attr("#task-light", "data-light"); got != "red" {
		t.Fatalf("item 10 in June: %s (%s), want red", got, b.Text("#task-reason"))
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#report-list tr[data-period]").length`); n != 2 {
		t.Fatalf("%v reports listed, want 2", n)
	}

	// The 督办单.
	b.ClickAndWait(`#supervise-form button[data-action="supervise"]`)
	if got := b.Attr("#supervise [data-ticket]", "data-status"); got != "open" {
		t.Fatalf("督办单: %q", got)
	}
	b.Screenshot("61-workplan-task")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("62-workplan-task-phone")
	b.Do(chromedp.EmulateViewport(1440, 900))

	// The wall chart: item 10 red and pressed; grouped by unit too.
	b.Navigate(a.URL + planURL)
	lights := browsertest.Eval[string](b, `[...document.querySelectorAll("tr[data-task]")].slice(0, 2).map(e => e.dataset.light).join(",")`)
	if !strings.HasPrefix(lights, "red") {
		t.Fatalf("wall lights %q", lights)
	}
	b.Screenshot("63-workplan-wall")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("64-workplan-wall-phone")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + planURL + "?light=red")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("tr[data-task]:not([data-light=red])").length`); n != 0 {
		t.Errorf("the red filter shows %v other tasks", n)
	}

	// The June bulletin.
	txt := pdfText(t, a, "city", planURL+"/bulletin/pdf?month=2023-06")
	flat := strings.ReplaceAll(strings.ReplaceAll(txt, " ", ""), "\n", "")
	if txt != "" {
		for _, want := range []string{"持续扩增基础教育优质资源", "用地审批滞后，6所学校未能按期开工", "红灯", "督办情况"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the bulletin lacks %q:\n%.3000s", want, txt)
			}
		}
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil && txt != "" {
		pdf := filepath.Join(t.TempDir(), "bulletin.pdf")
		if err := os.WriteFile(pdf, pdfBytes(t, a, "city", planURL+"/bulletin/pdf?month=2023-06"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(browsertest.Artefacts(t), "65-workplan-bulletin")
		if b, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "3", "-l", "3", pdf, out).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm: %v %s", err, b)
		}
	}
}

// pdfBytes fetches path as account; it must answer a PDF.
func pdfBytes(t *testing.T, a *app, account, path string) []byte {
	t.Helper()
	tok, err := a.st.CreateSession(context.Background(), a.accounts[account].ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "dudao_session", Value: tok})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Fatalf("%s: %d %.200s", path, resp.StatusCode, body)
	}
	return body
}
