package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// TestAccountTokens: creating an API token shows its secret once; the
// secret works as a Bearer token; the account page lists the token as used
// and still renders, as does a wrong current password.
func TestAccountTokens(t *testing.T) {
	e := newEnv(t)
	w := e.postForm("county", "/account/tokens", url.Values{"name": {"script"}})
	check(t, w, http.StatusOK, hc.In("code#new-token"))
	m := regexp.MustCompile(`<code id="new-token">([^<]+)</code>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("no secret shown")
	}
	secret := m[1]
	w = e.get("", "/api/v1/me", "Authorization", "Bearer "+secret)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"county"`) {
		t.Fatalf("/api/v1/me with the new token: %d %s", w.Code, w.Body.String())
	}
	// The token has been used: the page says so.
	check(t, e.get("county", "/account"), http.StatusOK,
		hc.In("table td", hc.HasText("script")), hc.NotIn("code#new-token"))
	// A second token shows its own secret, once, with the first listed.
	w = e.postForm("county", "/account/tokens", url.Values{"name": {"second"}})
	check(t, w, http.StatusOK, hc.In("code#new-token"), hc.Count("form[action^=/account/tokens/]", 2))
	// A wrong current password is refused with the page, not a 500.
	w = e.postForm("county", "/account/password", url.Values{"current": {"not-the-password"}, "new": {"a-new-password"}, "repeat": {"a-new-password"}})
	check(t, w, http.StatusUnprocessableEntity, hc.In("p.error[role=alert]"))
}
