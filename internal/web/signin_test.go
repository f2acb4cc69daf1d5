package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable clock for a test server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// signIn posts the sign-in form from addr (the connection's address).
func (e *env) signIn(username, password, addr string) int {
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w.Code
}

// TestSignInLimitConcurrent: concurrent wrong guesses, from one address or
// from many, reach the password check at most as often as the limit
// allows; the rest are refused with 429, and so is the right password
// until the window has passed.
func TestSignInLimitConcurrent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		guesses int
		addrs   int
	}{
		{"60 at once from one address", 60, 1},
		{"40 from ten addresses", 40, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			clk := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
			e.srv.now = clk.Now
			var checked atomic.Int32
			e.srv.verifying = func() { checked.Add(1) }
			a := seedAccounts["county"]
			codes := make([]int, tc.guesses)
			var wg sync.WaitGroup
			for i := range tc.guesses {
				wg.Go(func() {
					codes[i] = e.signIn(a.Username, "wrong-password", "10.1.0."+string(rune('0'+i%tc.addrs)))
				})
			}
			wg.Wait()
			n401, n429 := 0, 0
			for _, c := range codes {
				switch c {
				case http.StatusUnauthorized:
					n401++
				case http.StatusTooManyRequests:
					n429++
				default:
					t.Errorf("status %d", c)
				}
			}
			if got := int(checked.Load()); got > signInLimit.PerUser || n401 != got || n401+n429 != tc.guesses {
				t.Errorf("%d passwords checked (limit %d), %d answered 401, %d answered 429", got, signInLimit.PerUser, n401, n429)
			}
			// The right password, from a fresh address, waits for the window.
			if c := e.signIn(a.Username, a.Password, "10.2.0.1"); c != http.StatusTooManyRequests {
				t.Errorf("right password within the window: %d, want 429", c)
			}
			clk.Advance(signInLimit.Window)
			if c := e.signIn(a.Username, a.Password, "10.2.0.1"); c != http.StatusSeeOther {
				t.Errorf("right password after the window: %d, want 303", c)
			}
		})
	}
}

// TestSignInLimitPerAddress: one address guessing over many accounts is
// stopped after its limit, while other addresses still sign in.
func TestSignInLimitPerAddress(t *testing.T) {
	e := newEnv(t)
	clk := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	e.srv.now = clk.Now
	for i := range signInLimit.PerAddr {
		if c := e.signIn("nobody"+string(rune('a'+i)), "wrong-password", "10.3.0.1"); c != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, c)
		}
	}
	a := seedAccounts["city"]
	if c := e.signIn(a.Username, a.Password, "10.3.0.1"); c != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address: %d, want 429", signInLimit.PerAddr, c)
	}
	if c := e.signIn(a.Username, a.Password, "10.3.0.2"); c != http.StatusSeeOther {
		t.Errorf("from another address: %d, want 303", c)
	}
}
