package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/store"
)

type accountPage struct {
	*Base
	Tokens   []store.APIToken
	NewToken string // the secret of a token just created, shown once
	Error    string
}

// accountPage serves GET /account: the account, its password and API tokens.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, "", "", http.StatusOK)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, secret, problem string, code int) error {
	b := s.base(r, "account")
	toks, err := s.st.APITokens(r.Context(), b.User.ID)
	if err != nil {
		return err
	}
	b.Title = b.T("nav.account")
	s.render(w, r, code, "account", &accountPage{Base: b, Tokens: toks, NewToken: secret, Error: problem})
	return nil
}

// changePassword serves POST /account/password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	lang := langOf(r)
	select {
	case s.hashing <- struct{}{}:
	case <-r.Context().Done():
		return r.Context().Err()
	}
	_, err := s.st.Authenticate(r.Context(), u.Username, r.PostFormValue("current"))
	<-s.hashing
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.renderAccount(w, r, "", tr(lang, "account.password.wrong"), http.StatusUnprocessableEntity)
	case err != nil:
		return err
	}
	pw := r.PostFormValue("new")
	if len(pw) < 8 || pw != r.PostFormValue("repeat") {
		return s.renderAccount(w, r, "", tr(lang, "account.password.bad"), http.StatusUnprocessableEntity)
	}
	if err := s.st.SetPassword(r.Context(), u.ID, pw); err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditPassword, Region: u.Region})
	// SetPassword ended every session: start a new one for this browser.
	tok, err := s.st.CreateSession(r.Context(), u.ID, s.sessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, tok)
	setFlash(w, tr(lang, "account.password.changed"))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// createToken serves POST /account/tokens: a new API token, shown once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = "API"
	}
	t, secret, err := s.st.CreateAPIToken(r.Context(), u.ID, name)
	if err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditTokenAdd, Region: u.Region, Target: strconv.FormatInt(t.ID, 10), Detail: name})
	return s.renderAccount(w, r, secret, "", http.StatusOK)
}

// deleteToken serves POST /account/tokens/{id}/delete.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound("error.404")
	}
	if err := s.st.DeleteAPIToken(r.Context(), u.ID, id); err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditTokenDelete, Region: u.Region, Target: r.PathValue("id")})
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

type auditPage struct {
	*Base
	Entries []store.AuditEntry
}

// auditPage serves GET /audit: sign-ins and changes in the account's region.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "audit")
	prefix, ok := b.Scope.Audit()
	if !ok {
		return errForbidden
	}
	es, err := s.st.AuditLog(r.Context(), prefix, 500)
	if err != nil {
		return err
	}
	b.Title = b.T("nav.audit")
	s.render(w, r, http.StatusOK, "audit", &auditPage{Base: b, Entries: es})
	return nil
}
