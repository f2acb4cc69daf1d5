// Package web is dudao's web application: server-rendered pages for the
// county supervision office (overview, county, school, explain, data entry,
// standards), accounts scoped to regions, and the same data under a JSON API
// at /api/v1. Every template and asset is embedded; nothing is fetched from
// outside, so the binary runs on an isolated intranet.
//
// Handlers return errors and one adapter renders them (errors.go); every
// route is registered in routes.go; each page or action has its own file.
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// Config is what a Server needs.
type Config struct {
	Store *store.Store
	// Standard and Profile are the rules in force by default; pages may
	// ask for others. When empty, the installation's (what the first-run
	// set-up chose) are in force, else yzjh2017 and national.
	Standard, Profile string
	Logger            *slog.Logger
	// Now is the clock (time.Now when nil); tests replace it.
	Now func() time.Time
	// SessionTTL is how long a session lasts without use (12 h when 0).
	SessionTTL time.Duration
}

// Server serves the web application. Create it with New.
type Server struct {
	st  *store.Store
	log *slog.Logger
	now func() time.Time
	// rules are the standard and profile in force by default (see
	// inForce); fixed when Config named them, else the installation's.
	rules      atomic.Pointer[InForce]
	fixed      bool
	ready      atomic.Bool // an account exists: the set-up is over (setup.go)
	sessionTTL time.Duration

	tmpl   *templates
	assets *assets
	cache  *evalCache
	// frames keeps what is around cached page bodies (renderSpliced).
	frames frameCache
	// counts caches the header's inbox count per account scope (see
	// inboxCount), statuses the data status of a county and year (see
	// dataStatus), both under the audit version.
	counts   versionCache[int]
	statuses versionCache[store.DataStatus]
	// verifying, when set (by tests), is called before each password check.
	verifying func()
	// hashing bounds the argon2id computations running at once: each takes
	// 19 MiB and a core's worth of time.
	hashing chan struct{}

	handler http.Handler
}

// New returns a server for cfg, with its templates parsed and its assets
// hashed: a template that does not parse fails here, at start-up.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("web: no store")
	}
	s := &Server{
		st:         cfg.Store,
		log:        cfg.Logger,
		now:        cfg.Now,
		sessionTTL: cfg.SessionTTL,
		hashing:    make(chan struct{}, 2),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	in := InForce{Standard: cmp.Or(cfg.Standard, "yzjh2017"), Profile: cmp.Or(cfg.Profile, "national")}
	s.fixed = cfg.Standard != "" || cfg.Profile != ""
	if _, err := standards.Resolve(in.Standard, in.Profile); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.rules.Store(&in)
	if err := s.loadInstallation(context.Background()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.sessionTTL == 0 {
		s.sessionTTL = 12 * time.Hour
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	if s.tmpl, err = parseTemplates(s.assets); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.cache = newEvalCache(s.st)
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves the application.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Serve serves on l until ctx is done, then shuts down gracefully, giving
// requests in flight five seconds to finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	go s.warm(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// warm evaluates every year under the server's standard and profile once
// at start-up, latest first, so that the first visitors to the overview and
// county pages (which draw trends over the years) find them cached instead
// of all evaluating at once. Counties' pages take their figures from the
// cached whole years. The overview's whole-standard verdicts follow.
func (s *Server) warm(ctx context.Context) {
	years, err := s.cache.Years(ctx)
	if err != nil {
		return
	}
	in := s.inForce()
	rules, err := standards.Resolve(in.Standard, in.Profile)
	if err != nil {
		return
	}
	t0 := time.Now()
	for i := len(years) - 1; i >= 0; i-- {
		if _, err := s.cache.result(ctx, rules, years[i], ""); err != nil {
			s.log.Warn("warming the evaluation cache", "year", years[i], "err", err)
			return
		}
	}
	// The overview's first screen: every standard's whole verdicts of the
	// latest year, and the standard in force's of the year before.
	if len(years) > 0 {
		latest := years[len(years)-1]
		for _, std := range standards.List() {
			r, err := standards.Resolve(std.ID, in.Profile)
			if err != nil {
				continue
			}
			if _, err := s.wholeResult(ctx, r, latest); err != nil {
				s.log.Warn("warming the overview", "standard", std.ID, "err", err)
				return
			}
		}
		if len(years) > 1 {
			if _, err := s.wholeResult(ctx, rules, years[len(years)-2]); err != nil {
				s.log.Warn("warming the overview", "year", years[len(years)-2], "err", err)
				return
			}
		}
	}
	s.log.Info("evaluation cache warm", "years", len(years), "took", time.Since(t0).Round(time.Millisecond))
}

// InForce is the standard and the profile in force by default.
type InForce struct{ Standard, Profile string }

// inForce returns the standard and the profile in force by default.
func (s *Server) inForce() InForce { return *s.rules.Load() }

// loadInstallation puts the rules the first-run set-up chose in force,
// unless the server's configuration named its own. An installation set up
// from the command line has none and keeps the configuration's.
func (s *Server) loadInstallation(ctx context.Context) error {
	if s.fixed {
		return nil
	}
	in, err := s.st.Installation(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := standards.Resolve(in.Standard, in.Profile); err != nil {
		s.log.Warn("the installation's rules are unknown to this version; keeping the defaults", "standard", in.Standard, "profile", in.Profile, "err", err)
		return nil
	}
	s.rules.Store(&InForce{Standard: in.Standard, Profile: in.Profile})
	return nil
}
