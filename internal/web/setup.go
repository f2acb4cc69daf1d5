package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// The first-run set-up. With no account in the database, every page leads
// to /setup, which asks for the one-time code the server printed, the
// region this installation serves, its profile and standard, the
// administrative division list and the first account; it makes them all in
// one transaction (store.SetUp), signs the account in and offers the next
// steps. Once an account exists /setup is gone.

// openDuringSetup reports whether path is served while no account exists:
// the set-up itself, the assets and the language switch.
func openDuringSetup(path string) bool {
	return path == "/setup" || strings.HasPrefix(path, "/static/") || path == "/favicon.ico" || path == "/lang" || path == "/sw.js"
}

// setupGate sends every request to /setup while no account exists (the API
// answers 503); it asks the database until one does, so that an account
// made from the command line, or by another server process, counts at once.
func (s *Server) setupGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.ready.Load() || openDuringSetup(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		has, err := s.st.HasUsers(r.Context())
		if err != nil {
			s.log.Error("set-up gate", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if has {
			if err := s.loadInstallation(r.Context()); err != nil {
				s.log.Error("set-up gate", "err", err)
			}
			s.ready.Store(true)
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"this installation is not set up yet: open /setup in a browser"}`+"\n")
			return
		}
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
	})
}

// SetupCode returns the one-time code of the set-up while the database has
// no account ("" once it has), for the command that starts the server to
// print with the address: /setup?code=….
func (s *Server) SetupCode() (string, error) {
	return s.st.SetupCode(context.Background())
}

type setupPage struct {
	*Base
	Form      setupForm
	Profiles  []*standards.Profile
	Standards []*standards.Standard
	Problems  []string
}

type setupForm struct {
	Code, RegionCode, RegionName, Profile, Standard, Username, DisplayName string
}

// setupGet serves GET /setup.
func (s *Server) setupGet(w http.ResponseWriter, r *http.Request) error {
	has, err := s.st.HasUsers(r.Context())
	if err != nil {
		return err
	}
	if has {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	in := s.inForce()
	f := setupForm{Code: strings.TrimSpace(r.URL.Query().Get("code")), Profile: in.Profile, Standard: in.Standard}
	return s.renderSetup(w, r, f, nil, http.StatusOK)
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, f setupForm, problems []string, code int) error {
	b := s.base(r, "")
	b.Title = b.T("setup.title")
	s.render(w, r, code, "setup", &setupPage{Base: b, Form: f, Profiles: standards.Profiles(), Standards: standards.List(), Problems: problems})
	return nil
}

// maxRegionList bounds the division list's upload (a province's list is
// some tens of kilobytes).
const maxRegionList = 8 << 20

// setupPost serves POST /setup: checks everything, then makes the
// installation in one transaction. Every problem is listed at once, with
// the form kept as typed (but the passwords).
func (s *Server) setupPost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang := langOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxRegionList+1<<20)
	// The page sends multipart (it carries the division list); a plain
	// form, as a script might send for a county without a list, is read too.
	if err := r.ParseMultipartForm(1 << 20); errors.Is(err, http.ErrNotMultipart) {
		if err := r.ParseForm(); err != nil {
			return badRequest("setup.too_large")
		}
	} else if err != nil {
		return badRequest("setup.too_large")
	}
	has, err := s.st.HasUsers(ctx)
	if err != nil {
		return err
	}
	if has {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := setupForm{Code: strings.ToUpper(v("code")), RegionCode: v("region_code"), RegionName: v("region_name"), Profile: v("profile"),
		Standard: v("standard"), Username: v("username"), DisplayName: v("display_name")}
	// A wrong code is counted as a failed sign-in of the set-up, so that
	// guesses from any number of requests at once share five attempts in
	// fifteen minutes.
	ip := remoteIP(r)
	const setupUser = "\x00setup"
	wait, err := s.st.ReserveSignIn(ctx, s.now(), setupUser, ip, signInLimit)
	if err != nil {
		return err
	}
	if wait > 0 {
		return s.renderSetup(w, r, f, []string{tr(lang, "login.too_many", int(wait.Minutes()+1))}, http.StatusTooManyRequests)
	}
	want, err := s.st.SetupCode(ctx)
	if err != nil {
		return err
	}
	if want == "" || f.Code != want {
		s.audit(r, store.AuditEntry{Username: f.Username, Action: store.AuditSignInFailed, Detail: "set-up code"})
		return s.renderSetup(w, r, f, []string{tr(lang, "setup.bad_code")}, http.StatusUnprocessableEntity)
	}
	if err := s.st.ReleaseSignIn(ctx, setupUser, ip); err != nil {
		s.log.Warn("release a set-up attempt", "err", err)
	}

	var problems []string
	served, err := censusio.ServedRegion(f.RegionCode, f.RegionName)
	if err != nil {
		problems = append(problems, tr(lang, "setup.region")+"："+err.Error())
	}
	if _, err := standards.Resolve(f.Standard, f.Profile); err != nil {
		problems = append(problems, tr(lang, "setup.rules_unknown", f.Standard, f.Profile))
	}
	admin := store.User{Username: f.Username, DisplayName: f.DisplayName, Role: store.RoleProvince, Region: "110000"}
	if err := admin.Validate(); err != nil || strings.ContainsAny(f.Username, " \t") {
		problems = append(problems, tr(lang, "setup.username"))
	}
	pw := r.PostFormValue("password")
	if len(pw) < 8 || pw != r.PostFormValue("repeat") {
		problems = append(problems, tr(lang, "account.password.bad"))
	}
	regions := []census.Region{served}
	file, hdr, err := r.FormFile("regions")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		if served.Code != "" && served.Level != census.LevelCounty {
			problems = append(problems, tr(lang, "setup.regions_missing"))
		}
	case err != nil:
		return badRequest("setup.too_large")
	default:
		data, err := io.ReadAll(io.LimitReader(file, maxRegionList+1))
		file.Close()
		if err != nil {
			return err
		}
		if served.Code != "" {
			rs, err := censusio.ReadRegions(hdr.Filename, data, served)
			var es censusio.Errors
			switch {
			case errors.As(err, &es):
				for _, e := range es {
					problems = append(problems, e.Error())
				}
			case err != nil:
				problems = append(problems, err.Error())
			default:
				regions = rs
			}
		}
	}
	if len(problems) > 0 {
		return s.renderSetup(w, r, f, problems, http.StatusUnprocessableEntity)
	}
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	u, err := s.st.SetUp(ctx, store.Setup{Code: f.Code, Regions: regions, Profile: f.Profile, Standard: f.Standard,
		Admin: store.User{Username: f.Username, DisplayName: f.DisplayName}, Password: pw})
	<-s.hashing
	switch {
	case errors.Is(err, store.ErrSetUpDone):
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	case errors.Is(err, store.ErrSetupCode):
		return s.renderSetup(w, r, f, []string{tr(lang, "setup.bad_code")}, http.StatusUnprocessableEntity)
	case err != nil:
		return err
	}
	s.ready.Store(true)
	if err := s.loadInstallation(ctx); err != nil {
		return err
	}
	cities, counties := 0, 0
	for _, rg := range regions[1:] {
		switch rg.Level {
		case census.LevelCity:
			cities++
		case census.LevelCounty:
			counties++
		}
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditSetUp, Region: served.Code, Target: served.Name,
		Detail: fmt.Sprintf("%s %s; %d cities, %d counties", f.Profile, f.Standard, cities, counties)})
	tok, err := s.st.CreateSession(ctx, u.ID, s.sessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, tok)
	http.Redirect(w, r, "/setup/done", http.StatusSeeOther)
	return nil
}

type setupDonePage struct {
	*Base
	Installation      store.Installation
	Region            census.Region
	Cities, Counties  int
	ProfileName       string
	StandardName      string
	TemplateKinds     []census.Kind
	CanManageAccounts bool
}

// setupDone serves GET /setup/done: what was set up, and what to do next.
func (s *Server) setupDone(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "")
	in, err := s.st.Installation(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		http.Redirect(w, r, b.Scope.Home(), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	p := &setupDonePage{Base: b, Installation: in, TemplateKinds: census.Kinds, CanManageAccounts: b.Scope.ManagesAccounts()}
	prefix := census.CountyPrefix(in.Region)
	for _, rg := range regions {
		switch {
		case rg.Code == in.Region:
			p.Region = rg
		case !strings.HasPrefix(rg.Code, prefix):
		case rg.Level == census.LevelCity:
			p.Cities++
		case rg.Level == census.LevelCounty:
			p.Counties++
		}
	}
	if rules, err := standards.Resolve(in.Standard, in.Profile); err == nil {
		p.StandardName, p.ProfileName = rules.Name, rules.Profile.Name
		if b.EN() {
			p.StandardName, p.ProfileName = cmp.Or(rules.NameEN, rules.Name), cmp.Or(rules.Profile.NameEN, rules.Profile.Name)
		}
	}
	b.Title = b.T("setup.done.title")
	s.render(w, r, http.StatusOK, "setup_done", p)
	return nil
}
