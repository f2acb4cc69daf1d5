// Package browsertest drives a real headless Chromium for end-to-end tests:
// it is the only package that imports chromedp, so its API (which changed
// in v0.20) is confined here.
//
// Tests skip with a message when /usr/bin/chromium is missing, unless CI is
// set: then they fail, so a pipeline without a browser cannot pass by
// skipping. scripts/test.sh installs Debian's chromium and fonts-noto-cjk.
package browsertest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Chromium is the browser the tests drive: Debian's package.
const Chromium = "/usr/bin/chromium"

// Browser is a headless Chromium tab.
type Browser struct {
	t   testing.TB
	Ctx context.Context
}

// New starts Chromium for the test (closed when it ends) and returns a tab
// that gives up after three minutes.
// It skips the test when Chromium is missing, or fails it under CI.
func New(t testing.TB) *Browser {
	t.Helper()
	return NewFor(t, 3*time.Minute)
}

// NewFor is New with a tab that gives up after d: a crawl of a whole
// account's pages takes longer than one story.
func NewFor(t testing.TB, d time.Duration) *Browser {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		const msg = Chromium + " is missing: install Debian's chromium and fonts-noto-cjk (scripts/test.sh does)"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and " + msg)
		}
		t.Skip(msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
		// No network here: without these Chromium keeps trying to reach home.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A Chinese office PC: Chinese first (headless Chromium says en-US).
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, d)
	t.Cleanup(func() {
		cancelT()
		cancel()
		cancelA()
	})
	b := &Browser{t: t, Ctx: ctx}
	b.Do(chromedp.EmulateViewport(1366, 900))
	return b
}

// Do runs actions, failing the test on an error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// Navigate opens url and waits for the page's load event.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url))
}

// Status opens url and returns the HTTP status of the response.
func (b *Browser) Status(url string) int64 {
	b.t.Helper()
	resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.Status
}

// Text returns the text of the first element matching the CSS selector,
// waiting for it to be visible.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// Attr returns attribute name of the first element matching sel.
func (b *Browser) Attr(sel, name string) string {
	b.t.Helper()
	b.Do(chromedp.WaitReady(chromedp.CSS(sel)))
	res, err := chromedp.Run(b.Ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatal(err)
	}
	return res.Value
}

// Wait waits until an element matches the CSS selector.
func (b *Browser) Wait(sel string) {
	b.t.Helper()
	b.Do(chromedp.WaitReady(chromedp.CSS(sel)))
}

// Click clicks the element matching sel and waits for the page it loads.
func (b *Browser) ClickAndWait(sel string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		b.t.Fatal(err)
	}
}

// Fill types value into the input matching sel.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.Do(chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// Upload sets the file input matching sel to the file at path.
func (b *Browser) Upload(sel, path string) {
	b.t.Helper()
	b.Do(chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}, chromedp.NodeReady))
}

// Eval evaluates a JavaScript expression (awaiting a promise) and returns its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// SetCookie sets a cookie for the site at base, as if the site had set it:
// the way tests sign in without the form (wtf's Login).
func (b *Browser) SetCookie(base, name, value string) {
	b.t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		b.t.Fatal(err)
	}
	httpOnly := true
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: name, Value: value, URL: u.Scheme + "://" + u.Host + "/", Path: "/",
			HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax,
		})
		return err
	}))
}

// ClearCookies removes every cookie of the browser.
func (b *Browser) ClearCookies() {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// Screenshot saves a full-page PNG named name.png in the artefact directory
// and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	return b.save(name, chromedp.FullScreenshot(100))
}

// FirstScreen saves what the viewport shows, the page's first screen
// before any scrolling, as name.png in the artefact directory and returns
// its path: what a user sees on opening the page.
func (b *Browser) FirstScreen(name string) string {
	b.t.Helper()
	b.Do(chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, 0)"))
	// Encoded for speed: a crawl takes hundreds, and the files may be larger.
	fast := true
	return b.save(name, func(ctx context.Context, _ *chromedp.Target) ([]byte, error) {
		r, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{FromSurface: &fast, OptimizeForSpeed: &fast})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
}

func (b *Browser) save(name string, shot chromedp.Action[[]byte]) string {
	b.t.Helper()
	png, err := chromedp.Run(b.Ctx, shot)
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(Artefacts(b.t), strings.ReplaceAll(name, "/", "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
	return path
}

// Artefacts returns the directory test artefacts go to: $DUDAO_ARTEFACTS,
// or dudao-artefacts in the system's temporary directory (kept after the test).
func Artefacts(t testing.TB) string {
	dir := os.Getenv("DUDAO_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "dudao-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// SetOffline cuts the page's network (offline true) or gives it back, as
// a phone losing its signal: requests fail and navigator.onLine follows,
// firing the offline and online events.
func (b *Browser) SetOffline(offline bool) {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}
