package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/web"
)

// fakeClock is a controllable clock for the server and the store.
type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *fakeClock) set(t time.Time)         { c.t.Store(t.UnixNano()) }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }

// TestRecognitionCase runs a case on the demo from 自评 to the notice in a
// real browser: the county submits its self-evaluation, the city passes
// it, the province draws the schools to visit and records two findings
// with a photo, gives its feedback, the county fixes one with evidence and
// the province verifies it, the other goes overdue on a controllable
// clock, the 问题清单 and 整改报告 PDFs hold the findings, the late one is
// fixed, the re-check passes and the notice is public.
func TestRecognitionCase(t *testing.T) {
	var clk fakeClock
	clk.set(time.Now())
	b := browsertest.New(t)
	a := startAppAt(t, clk.now)
	county := web.DemoCounty(a.p)
	photo := filepath.Join(t.TempDir(), "现场照片.png")
	if err := os.WriteFile(photo, pngBytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	stage := func() string { return b.Attr("#case-stage", "data-stage") }

	// The county opens its case (the demo's own is at self-evaluation).
	a.login(t, b, "county")
	b.Navigate(a.URL + "/cases")
	b.Wait("#case-list")
	b.ClickAndWait(`#case-list a`)
	caseURL := strings.TrimSuffix(b.Attr("#issues-pdf", "href"), "/doc/issues/pdf")
	if !strings.HasPrefix(caseURL, "/case/") {
		t.Fatalf("case page link %q", caseURL)
	}
	caseURL = a.URL + caseURL
	b.Screenshot("40-case-self")
	b.ClickAndWait(`button[data-action="submit_self"]`)
	if s := stage(); s != "city_review" {
		t.Fatalf("after submitting: %s", s)
	}
	a.login(t, b, "city")
	b.Navigate(caseURL)
	b.ClickAndWait(`button[data-action="city_pass"]`)
	if s := stage(); s != "province_eval" {
		t.Fatalf("after the city: %s", s)
	}

	// The province draws the visits and records two findings with a photo.
	a.login(t, b, "admin")
	b.Navigate(caseURL)
	b.Do(chromedp.SetValue(`#draw-form input[name="size"]`, "8", chromedp.NodeVisible))
	b.Fill(`#draw-form input[name="seed"]`, "20250303")
	b.ClickAndWait(`#draw-form button[data-action="draw"]`)
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("[data-visit]").length`); n != 8 {
		t.Fatalf("%v schools drawn, want 8", n)
	}
	// The forum's people were drawn with the schools (5 + 10 + 10 by
	// default) and the visit plan lists them by school and roster number.
	if n := b.Attr("[data-forum]", "data-forum"); n != "25" {
		t.Fatalf("%s forum participants drawn, want 25", n)
	}
	insPath := strings.TrimSuffix(strings.TrimPrefix(b.Attr("[data-check]", "href"), a.URL), "/check")
	if txt := pdfText(t, a, "admin", insPath+"/pdf"); txt != "" && (!strings.Contains(txt, "座谈会人员") || !strings.Contains(txt, "专任教师花名册第")) {
		t.Fatalf("the visit plan lacks the forum:\n%s", txt)
	}
	visit := b.Attr("[data-visit]", "data-visit")
	for i, title := range []string{"音乐专用教室被挪作他用", "三个班超过45人"} {
		b.Fill(`#finding-form textarea[name="title"]`, title)
		if i == 0 {
			b.Do(chromedp.SetValue(`#finding-form select[name="school"]`, visit, chromedp.NodeVisible))
		}
		b.Upload(`#finding-form input[type=file]`, photo)
		b.ClickAndWait(`#finding-form button[type=submit]`)
	}
	if n := browsertest.Eval[float64](b, `document.querySelectorAll("#ticket-list [data-ticket]").length`); n != 2 {
		t.Fatalf("%v findings listed, want 2", n)
	}
	b.ClickAndWait(`button[data-action="feedback"]`)
	if s := stage(); s != "rectify" {
		t.Fatalf("after the feedback: %s", s)
	}
	b.Screenshot("41-case-rectify")
	ticketURL := func(i int) string {
		return a.URL + b.Attr(fmt.Sprintf("#ticket-list tbody tr:nth-child(%d) a", i), "href")
	}
	first, second := ticketURL(1), ticketURL(2)

	// The county fixes the first with evidence; the province verifies it.
	clk.advance(10 * 24 * time.Hour)
	a.login(t, b, "county")
	b.Navigate(first)
	b.Fill(`#ticket-form textarea[name="text"]`, "已将音乐教室恢复专用并配齐器材")
	b.Upload(`#ticket-form input[type=file]`, photo)
	b.ClickAndWait(`button[data-action="report"]`)
	if got := b.Attr("#ticket-status", "data-status"); got != "submitted" {
		t.Fatalf("first ticket after the report: %s", got)
	}
	a.login(t, b, "admin")
	b.Navigate(first)
	b.Fill(`#ticket-form textarea[name="text"]`, "现场复核属实")
	b.ClickAndWait(`button[data-action="verify"]`)
	if got := b.Attr("#ticket-status", "data-status"); got != "closed" {
		t.Fatalf("first ticket after verification: %s", got)
	}

	// The second goes overdue.
	clk.advance(25 * 24 * time.Hour)
	a.login(t, b, "county")
	b.Navigate(caseURL)
	b.Wait("#ticket-list")
	lights := browsertest.Eval[string](b, `[...document.querySelectorAll("#ticket-list [data-ticket]")].map(e => e.dataset.light).join(",")`)
	if lights != "done,red" {
		t.Fatalf("lights %q, want done,red", lights)
	}
	b.Screenshot("42-case-overdue")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("43-case-phone")
	b.Do(chromedp.EmulateViewport(1366, 900))

	// The documents: the 问题清单 and the 整改报告, read back as text.
	for _, doc := range []struct{ path, want string }{
		{"/doc/issues/pdf", "三个班超过45人"},
		{"/doc/rectification/pdf", "已将音乐教室恢复专用并配齐器材"},
	} {
		txt := pdfText(t, a, "county", strings.TrimPrefix(caseURL, a.URL)+doc.path)
		if txt != "" && !strings.Contains(strings.ReplaceAll(txt, " ", ""), doc.want) {
			t.Errorf("%s lacks %q:\n%.1500s", doc.path, doc.want, txt)
		}
	}

	// The late fix, the re-check, the notice.
	b.Navigate(second)
	b.Fill(`#ticket-form textarea[name="text"]`, "已分班，班额降至45人以内")
	b.Upload(`#ticket-form input[type=file]`, photo)
	b.ClickAndWait(`button[data-action="report"]`)
	b.Navigate(caseURL)
	b.ClickAndWait(`button[data-action="report_fixes"]`)
	a.login(t, b, "admin")
	b.Navigate(second)
	b.Fill(`#ticket-form textarea[name="text"]`, "核实")
	b.ClickAndWait(`button[data-action="verify"]`)
	b.Navigate(caseURL)
	b.ClickAndWait(`button[data-action="recheck_pass"]`)
	if s := stage(); s != "notice" {
		t.Fatalf("after the re-check: %s", s)
	}
	// Recognition waits for the end of the notice.
	b.Wait("#notice-line")
	if n := browsertest.Eval[float64](b, `document.querySelectorAll('button[data-action="recognise"]').length`); n != 1 {
		t.Fatalf("no recognise button during the notice")
	}
	b.ClickAndWait(`button[data-action="recognise"]`)
	b.Navigate(caseURL)
	if s := stage(); s != "notice" {
		t.Fatalf("recognised during the notice: %s", s)
	}
	clk.advance(8 * 24 * time.Hour)
	a.login(t, b, "admin") // a week later: a new session
	b.Navigate(caseURL)
	b.ClickAndWait(`button[data-action="recognise"]`)
	if s := stage(); s != "recognised" {
		t.Fatalf("after the notice: %s", s)
	}
	// The verdict each step was taken on is kept, from the county's
	// submission to recognition.
	steps := browsertest.Eval[[]any](b, `[...document.querySelectorAll("[data-stage-verdict]")].map(e => e.dataset.stageVerdict + ":" + e.dataset.status)`)
	var kinds []string
	for _, s := range steps {
		k, status, _ := strings.Cut(s.(string), ":")
		kinds = append(kinds, k)
		if status == "" {
			t.Errorf("step %s kept no verdict status", k)
		}
	}
	if got := strings.Join(kinds, ","); !strings.HasPrefix(got, "submit_self,city_pass,feedback,report_fixes") || !strings.HasSuffix(got, "recheck_pass,recognise") {
		t.Fatalf("verdicts kept at steps %s", got)
	}
	b.Screenshot("43-case-recognised")
	// The notice is public: no sign-in.
	b.ClearCookies()
	id := strings.TrimPrefix(caseURL, a.URL+"/case/")
	b.Navigate(a.URL + "/notice/" + id)
	if txt := b.Text("#notice"); !strings.Contains(txt, county.Name) {
		t.Fatalf("the notice says %q", txt)
	}
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("44-notice-phone")
}

// pdfText fetches path as account and returns its text by pdftotext, or ""
// when pdftotext is not installed (outside CI).
func pdfText(t *testing.T, a *app, account, path string) string {
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
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is not installed")
		}
		return ""
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// pngBytes is a small PNG standing for a photo taken on site.
func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 160, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
