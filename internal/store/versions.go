package store

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// The versions that caches key on (DataVersion, AuditVersion,
// ResponsesVersion, SurveysOpened) are read by several parts of one page:
// a county page asked for them eight times, each a query (on PostgreSQL a
// round trip). Within a request that only reads, they are read once,
// together, by the first that asks (WithVersions).

// versionsKey is the context key of a request's versions.
type versionsKey struct{}

// versions are a request's versions, read once, surveys counted as open
// at now.
type versions struct {
	now                            time.Time
	once                           sync.Once
	data, audit, responses, opened int64
	err                            error
}

// WithVersions returns ctx in which DataVersion, AuditVersion,
// ResponsesVersion and SurveysOpened are read from the database once, in
// one query, and then answered from it: for a request that only reads (a
// page), which sees the database as it was when it began, and counts the
// surveys open at now, the request's time, whatever time SurveysOpened is
// given. A request that writes must not use it: after its own write it
// would read versions from before.
func WithVersions(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, versionsKey{}, &versions{now: now})
}

// versionsColumns are the four versions as columns of a query, the
// surveys counted as open at its parameter $n.
func versionsColumns(n int) string {
	return `(SELECT COALESCE(MAX(id), 0) FROM import_batches),
	(SELECT COALESCE(MAX(id), 0) FROM audit_log),
	(SELECT COALESCE(MAX(id), 0) FROM survey_responses),
	(SELECT COUNT(*) FROM surveys WHERE opens_at <= $` + strconv.Itoa(n) + `)`
}

var versionsQuery = `SELECT ` + versionsColumns(1)

// memoVersions returns ctx's versions, read on first use, or nil when ctx
// has none (WithVersions).
func (s *Store) memoVersions(ctx context.Context) *versions {
	v, ok := ctx.Value(versionsKey{}).(*versions)
	if !ok {
		return nil
	}
	v.once.Do(func() { s.readVersions(ctx, v) })
	return v
}

// readVersions reads v's versions by themselves (memoVersions, or
// SessionUser without a session); v.once is held.
func (s *Store) readVersions(ctx context.Context, v *versions) {
	v.err = s.queryRow(ctx, versionsQuery, v.now).Scan(v.dest()...)
}

// dest are where a query's four version columns are scanned to.
func (v *versions) dest() []any { return []any{&v.data, &v.audit, &v.responses, &v.opened} }
