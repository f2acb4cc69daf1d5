package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/store"
)

const (
	sessionCookie = "dudao_session"
	langCookie    = "dudao_lang"
)

type ctxKey int

const (
	userKey ctxKey = iota
	langKey
	tokenKey
)

// userOf returns the signed-in user of the request, or nil.
func userOf(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey).(*store.User)
	return u
}

// langOf returns the language of the request: the switch's cookie, else
// the browser's preference, else Chinese.
func langOf(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.ZH
}

// identify is the outermost middleware: it finds the language and the user
// (from the session cookie, or an API token in "Authorization: Bearer").
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang := i18n.Match(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil {
			if l, ok := i18n.Parse(c.Value); ok {
				lang = l
			}
		}
		ctx = context.WithValue(ctx, langKey, lang)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			// A page reads the versions its caches key on once, together
			// (store.WithVersions); a request that writes reads them afresh.
			ctx = store.WithVersions(ctx, s.now())
		}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			u, err := s.st.APITokenUser(ctx, strings.TrimSpace(tok))
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				s.log.Error("API token", "err", err)
			}
			if err == nil {
				ctx = context.WithValue(ctx, userKey, &u)
			}
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, exp, err := s.st.SessionUser(ctx, c.Value)
			switch {
			case err == nil:
				ctx = context.WithValue(ctx, userKey, &u)
				ctx = context.WithValue(ctx, tokenKey, c.Value)
				// Sliding expiry, written at most every hour of use.
				if exp.Sub(s.now()) < s.sessionTTL-time.Hour {
					if err := s.st.ExtendSession(ctx, c.Value, s.sessionTTL); err == nil {
						s.setSessionCookie(w, r, c.Value)
					}
				}
			case errors.Is(err, store.ErrNotFound):
				clearCookie(w, sessionCookie)
			case r.Context().Err() != nil:
				// The browser has gone (a closed tab, a load test
				// ending): nothing is wrong and nobody reads an answer.
				return
			default:
				s.log.Error("session", "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
		MaxAge: int(s.sessionTTL / time.Second),
	})
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// signedIn wraps a page that needs an account.
func (s *Server) signedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if userOf(r) == nil {
			return errUnauthorized
		}
		return h(w, r)
	}
}

// remoteIP is the client's address without the port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginPage struct {
	*Base
	Next     string
	Username string
	Error    string
}

// loginForm serves GET /login.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "")
	if b.User != nil {
		http.Redirect(w, r, b.Scope.Home(), http.StatusSeeOther)
		return nil
	}
	b.Title = b.T("login.title")
	s.render(w, r, http.StatusOK, "login", &loginPage{Base: b, Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	return next
}

// login serves POST /login: checks the password (rate-limited per address
// and per username), starts a session and goes to next or the account's home.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := remoteIP(r)
	b := s.base(r, "")
	b.Title = b.T("login.title")
	page := &loginPage{Base: b, Next: next, Username: username}
	// Count the attempt before checking the password: concurrent guesses
	// each take one of the attempts left, and those over the limit are
	// refused without being checked.
	wait, err := s.st.ReserveSignIn(ctx, s.now(), username, ip, signInLimit)
	if err != nil {
		return err
	}
	if wait > 0 {
		page.Error = b.T("login.too_many", int(wait.Minutes()+1))
		s.render(w, r, http.StatusTooManyRequests, "login", page)
		return nil
	}
	// argon2id takes memory and a core: bound how many run at once.
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.verifying != nil {
		s.verifying()
	}
	u, err := s.st.Authenticate(ctx, username, password)
	<-s.hashing
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, store.AuditEntry{Username: username, Action: store.AuditSignInFailed})
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.st.ReleaseSignIn(ctx, username, ip); err != nil {
		s.log.Warn("release a sign-in attempt", "err", err)
	}
	tok, err := s.st.CreateSession(ctx, u.ID, s.sessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, tok)
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditSignIn, Region: u.Region})
	if next == "" {
		next = scopeOf(&u).Home()
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout serves POST /logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if tok, ok := r.Context().Value(tokenKey).(string); ok {
		if err := s.st.DeleteSession(r.Context(), tok); err != nil {
			return err
		}
		if u := userOf(r); u != nil {
			s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditSignOut, Region: u.Region})
		}
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// setLang serves POST /lang: the language switch, kept in a cookie for a year.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		return badRequest("error.400")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// audit appends to the audit log; a failure is logged, not shown.
func (s *Server) audit(r *http.Request, e store.AuditEntry) {
	e.RemoteAddr = remoteIP(r)
	if err := s.st.Audit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit", "err", err)
	}
}

// signInLimit bounds failed sign-ins in a window of 15 minutes: five per
// account, from whatever addresses, and twenty per address, whatever the
// accounts. The counts live in the database, so that every process of a
// deployment on one PostgreSQL shares them. The address is the connection's
// (remoteIP): X-Forwarded-For is not trusted, so behind a reverse proxy
// every client shares the proxy's address and its limit of twenty.
var signInLimit = store.SignInLimit{Window: 15 * time.Minute, PerUser: 5, PerAddr: 20}
