package store

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Audit actions.
const (
	AuditSignIn       = "sign_in"
	AuditSignInFailed = "sign_in_failed"
	AuditSignOut      = "sign_out"
	AuditImport       = "import"
	AuditEdit         = "edit"
	AuditMove         = "move" // a record moved between counties (both counties get an entry)
	AuditUserAdd      = "user_add"
	AuditTokenAdd     = "token_add"
	AuditTokenDelete  = "token_delete"
	AuditPassword     = "password"
	AuditSetUp        = "set_up"     // the first-run set-up made the installation and its first account
	AuditUserEdit     = "user_edit"  // an administrator changed an account's name, scope or whether it is disabled
	AuditUserReset    = "user_reset" // an administrator reset an account's password
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time // UTC
	Username string
	Action   string
	// Region is the region the action touched ("" when none): a scoped
	// reader sees the entries of its region.
	Region     string
	Target     string
	Detail     string
	RemoteAddr string
}

// Audit appends e to the audit log, stamping it with the store's clock.
func (s *Store) Audit(ctx context.Context, e AuditEntry) (err error) {
	defer wrap(&err, "audit %s", e.Action)
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO audit_log (at, username, action, region_code, target, detail, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.now(), e.Username, e.Action, e.Region, e.Target, e.Detail, e.RemoteAddr)
	return err
}

// AuditLog returns at most limit entries, newest first, whose region starts
// with regionPrefix ("" for all entries), or an empty list.
//
// A regionPrefix ending in "+" also returns the entries of no region.
func (s *Store) AuditLog(ctx context.Context, regionPrefix string, limit int) (_ []AuditEntry, err error) {
	defer wrap(&err, "audit log")
	q := `SELECT id, at, username, action, region_code, target, detail, remote_addr FROM audit_log`
	args := []any{}
	if p, ok := strings.CutSuffix(regionPrefix, "+"); ok {
		// A province's log: its regions, and the entries of no region
		// (sign-ins, accounts), which only a province account reads.
		q += ` WHERE region_code LIKE $1 OR region_code = ''`
		args = append(args, strings.NewReplacer("%", "", "_", "").Replace(p)+"%")
	} else if regionPrefix != "" {
		q += ` WHERE region_code LIKE $1`
		args = append(args, strings.NewReplacer("%", "", "_", "").Replace(regionPrefix)+"%")
	}
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(max(limit, 1))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Username, &e.Action, &e.Region, &e.Target, &e.Detail, &e.RemoteAddr); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// DataVersion returns a number that changes whenever school records may have
// changed (an import or an edit): the latest batch id. Caches of evaluations
// key on it, so an import by another process is seen at the next request.
func (s *Store) DataVersion(ctx context.Context) (v int64, err error) {
	defer wrap(&err, "data version")
	if m := s.memoVersions(ctx); m != nil {
		return m.data, m.err
	}
	err = s.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM import_batches`).Scan(&v)
	return v, err
}

func itoa(n int) string { return strconv.Itoa(n) }

// AuditVersion is the id of the newest audit entry: it changes whenever
// anything audited is written (every step of the reporting chain, of a
// recognition case or of a ticket writes one), so caches of what those
// decide key on it, across processes.
func (s *Store) AuditVersion(ctx context.Context) (v int64, err error) {
	defer wrap(&err, "audit version")
	if m := s.memoVersions(ctx); m != nil {
		return m.audit, m.err
	}
	err = s.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&v)
	return v, err
}
