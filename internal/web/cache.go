package web

import (
	"context"
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// evalCache keeps evaluations by (year, standard, profile, county, data
// version): a whole year (county "") for the overview, single counties for
// county and school pages. The data version is the store's latest batch, so
// an import or edit, by this server or another process, makes every entry
// stale; stale entries are dropped when a newer version is first seen.
// Concurrent requests for one missing entry compute it once.
type evalCache struct {
	st      *store.Store
	mu      sync.Mutex
	version int64
	entries map[cacheKey]*cacheEntry
	years   []int // the years with records, at version; nil when not read
	// pages holds rendered page bodies by a key that names everything they
	// depend on (the version included); it is emptied with entries.
	pages map[string]*pageBody
	// wholes holds whole-standard evaluations of every county (the
	// overview's), by everything they read (wholeKey).
	wholes map[wholeKey]*cacheEntry
	// verdicts holds the counties' whole verdicts alone, by the same keys,
	// for the overview's trends over the years (overview_trends.go).
	verdicts map[wholeKey]map[string]census.Status
	// countyWholes holds single counties' whole-standard evaluations (a
	// county page's verdict line) by the versions they read and the county.
	countyWholes map[countyWholeKey]*cacheEntry
}

// countyWholeKey names one county's whole-standard evaluation.
type countyWholeKey struct {
	wholeKey
	county string
}

// wholeKey names a whole-standard evaluation of every county and the
// versions of what it reads (Server.wholeResult).
type wholeKey struct {
	year                   int
	standard, profile      string
	data, audit, responses int64
	opened                 int64 // surveys opened (store.SurveysOpened)
}

// whole returns the evaluation under k, computing it with compute when it
// is not kept; concurrent requests for one compute it once. Entries of
// older versions are dropped when a new one is added.
func (c *evalCache) whole(ctx context.Context, k wholeKey, compute func(context.Context) (*eval.Result, error)) (*eval.Result, error) {
	c.mu.Lock()
	if _, ok := c.wholes[k]; !ok {
		if c.wholes == nil || len(c.wholes) >= 16 {
			c.wholes = map[wholeKey]*cacheEntry{}
		}
		for old := range c.wholes {
			if old.data != k.data || old.audit != k.audit || old.responses != k.responses || old.opened != k.opened {
				delete(c.wholes, old)
			}
		}
	}
	return await(ctx, &c.mu, c.wholes, k, compute)
}

// wholeKept returns the evaluation of every county under k when it has
// been computed already, without computing it.
func (c *evalCache) wholeKept(k wholeKey) (*eval.Result, bool) {
	c.mu.Lock()
	e, ok := c.wholes[k]
	c.mu.Unlock()
	if !ok || !isDone(e) || e.err != nil {
		return nil, false
	}
	return e.res, true
}

// countyWhole returns county's whole-standard evaluation under k, computing
// it with compute when it is not kept; entries of other versions are
// dropped when a new one is added.
func (c *evalCache) countyWhole(ctx context.Context, k countyWholeKey, compute func(context.Context) (*eval.Result, error)) (*eval.Result, error) {
	c.mu.Lock()
	if _, ok := c.countyWholes[k]; !ok {
		if c.countyWholes == nil || len(c.countyWholes) >= maxEntries {
			c.countyWholes = map[countyWholeKey]*cacheEntry{}
		}
		for old := range c.countyWholes {
			if old.wholeKey != k.wholeKey && old.year == k.year {
				delete(c.countyWholes, old)
			}
		}
	}
	return await(ctx, &c.mu, c.countyWholes, k, compute)
}

type cacheKey struct {
	year              int
	standard, profile string
	county            string
}

type cacheEntry struct {
	done chan struct{}
	res  *eval.Result
	err  error
}

func newEvalCache(st *store.Store) *evalCache {
	return &evalCache{st: st, entries: map[cacheKey]*cacheEntry{}, pages: map[string]*pageBody{}}
}

// Years returns the years that have records, read once per data version:
// SELECT DISTINCT year scans every record, which every page needs.
func (c *evalCache) Years(ctx context.Context) ([]int, error) {
	v, err := c.st.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if v == c.version && c.years != nil {
		ys := c.years
		c.mu.Unlock()
		return ys, nil
	}
	c.mu.Unlock()
	ys, err := c.st.Years(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if v != c.version {
		c.version = v
		c.entries = map[cacheKey]*cacheEntry{}
		c.pages = map[string]*pageBody{}
	}
	c.years = ys
	c.mu.Unlock()
	return ys, nil
}

// page returns a rendered body cached under key.
func (c *evalCache) page(key string) (*pageBody, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.pages[key]
	return h, ok
}

// putPage caches a rendered body under key, if the data have not changed
// since version was read.
func (c *evalCache) putPage(key string, version int64, h *pageBody) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return
	}
	if len(c.pages) >= maxEntries {
		c.pages = map[string]*pageBody{}
	}
	c.pages[key] = h
}

// Version returns the data version the cache holds entries of.
func (c *evalCache) Version() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// maxEntries bounds the cache: a province's three years under two profiles
// and a few hundred single counties stay well within it.
const maxEntries = 2000

// result returns the evaluation of county (or of every county when county is
// "") in year under rules.
func (c *evalCache) result(ctx context.Context, rules *standards.Rules, year int, county string) (*eval.Result, error) {
	v, err := c.st.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	k := cacheKey{year, rules.ID, rules.Profile.ID, county}
	c.mu.Lock()
	if v != c.version {
		c.version = v
		c.entries = map[cacheKey]*cacheEntry{}
		c.pages = map[string]*pageBody{}
		c.years = nil
	}
	_, ok := c.entries[k]
	if !ok && county != "" {
		// A cached whole year holds the county already.
		if all, ok := c.entries[cacheKey{year, rules.ID, rules.Profile.ID, ""}]; ok && isDone(all) && all.err == nil {
			c.mu.Unlock()
			return oneCounty(all.res, county), nil
		}
	}
	if !ok && len(c.entries) >= maxEntries {
		c.entries = map[cacheKey]*cacheEntry{}
	}
	return await(ctx, &c.mu, c.entries, k, func(ctx context.Context) (*eval.Result, error) { return c.compute(ctx, rules, year, county) })
}

// await returns the evaluation kept in m under k, computing it with
// compute when there is none; mu (the cache's) is held on entry and
// released on return. Concurrent requests for one key compute it once
// and wait for it (each until its own context ends); a failed computation
// is not kept.
func await[K comparable](ctx context.Context, mu *sync.Mutex, m map[K]*cacheEntry, k K, compute func(context.Context) (*eval.Result, error)) (*eval.Result, error) {
	e, ok := m[k]
	if !ok {
		e = &cacheEntry{done: make(chan struct{})}
		m[k] = e
		mu.Unlock()
		e.res, e.err = compute(context.WithoutCancel(ctx))
		close(e.done)
		if e.err != nil {
			mu.Lock()
			if m[k] == e {
				delete(m, k)
			}
			mu.Unlock()
		}
		return e.res, e.err
	}
	mu.Unlock()
	select {
	case <-e.done:
		return e.res, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func isDone(e *cacheEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

func oneCounty(all *eval.Result, county string) *eval.Result {
	out := *all
	out.Counties = nil
	if c := all.County(county); c != nil {
		out.Counties = []*eval.County{c}
	}
	return &out
}

func (c *evalCache) compute(ctx context.Context, rules *standards.Rules, year int, county string) (*eval.Result, error) {
	schools, err := c.st.Schools(ctx, year, county)
	if err != nil {
		return nil, err
	}
	return eval.Evaluate(rules, year, schools), nil
}

// county returns the evaluation of one county in year, or store.ErrNotFound
// when it has no records that year.
func (c *evalCache) county(ctx context.Context, rules *standards.Rules, year int, code string) (*eval.County, error) {
	res, err := c.result(ctx, rules, year, code)
	if err != nil {
		return nil, err
	}
	if len(res.Counties) == 0 {
		return nil, store.ErrNotFound
	}
	return res.Counties[0], nil
}

// stageOf parses a stage name.
func stageOf(s string) (census.Stage, bool) {
	switch census.Stage(s) {
	case census.StagePrimary, census.StageJunior:
		return census.Stage(s), true
	}
	return "", false
}
