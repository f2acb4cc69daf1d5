package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/rotationio"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/training"
)

// LedgerSchemas are the declared ledger kinds by kind. A reporting task
// may ask for any of them besides the census's record kinds: a county
// then submits its ledger with its own unit, and while that unit is under
// review the ledger cannot be changed (LedgerLock).
var LedgerSchemas = map[string]*ledger.Schema{
	groups.Schema.Kind:      groups.Schema,
	rotationio.Schema.Kind:  rotationio.Schema,
	seatsio.Schema.Kind:     seatsio.Schema,
	afterschool.Schema.Kind: afterschool.Schema,
	training.Schema.Kind:    training.Schema,
}

// IsLedgerKind reports whether kind is a declared ledger kind.
func IsLedgerKind(kind string) bool { return LedgerSchemas[kind] != nil }

// LedgerLock returns the lock a reporting task holds on county's ledger
// of kind and year, or nil. A task asking for the ledger holds it while
// the county's unit waits for the city (submitted); for a ledger kept by
// year, as a census record is held, also once accepted — a ledger that
// keeps its history in its own dates goes on after an acceptance, the
// accepted version staying in its history.
func (s *Store) LedgerLock(ctx context.Context, kind, county string, year int) (*LockedError, error) {
	return ledgerLock(ctx, s.db, kind, county, year)
}

func ledgerLock(ctx context.Context, q querier, kind, county string, year int) (*LockedError, error) {
	states := `('submitted')`
	query := `SELECT t.title, t.kinds, u.state FROM review_units u JOIN review_tasks t ON t.id = u.task_id
		WHERE u.unit_kind = $1 AND u.code = $2 AND u.state IN `
	args := []any{string(review.County), county}
	if year != 0 {
		states = `('submitted', 'approved', 'accepted')`
		query += states + ` AND t.year = $3`
		args = append(args, year)
	} else {
		query += states
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var title, kinds, state string
		if err := rows.Scan(&title, &kinds, &state); err != nil {
			return nil, err
		}
		if slices.Contains(strings.Split(kinds, ","), kind) {
			return &LockedError{Kind: census.Kind(kind), Code: county, Year: year, Task: title, State: review.State(state)}, nil
		}
	}
	return nil, rows.Err()
}

// ErrLedgerInput is a ledger that cannot be stored as given; the error
// says what to fix.
var ErrLedgerInput = errors.New("bad ledger")

// ErrLedgerChanged is a save based on a version that is no longer the
// newest: someone else saved the ledger in between.
var ErrLedgerChanged = errors.New("the ledger changed since it was read")

// AnyVersion is SaveLedger's base for a save that replaces whatever
// version is newest (an import of the whole ledger).
const AnyVersion = -1

// LedgerVersion is one version of a county's ledger of a kind (and year):
// an import of files, or an edit in a form.
type LedgerVersion struct {
	ID     int64
	Kind   string
	County string
	Year   int // 0 for a kind that is not kept by year
	Files  []string
	Rows   int
	Actor  string
	Note   string // what a form edit changed
	At     time.Time
}

// SaveLedger stores d as the newest version of county's ledger of its
// kind and year (year 0 for a kind not kept by year), in one transaction
// with an audit entry (ledger.import with files, ledger.edit without), so
// that the cached pages that read it are recomputed. The older versions
// stay as its history. A ledger that breaks its checks stores nothing; the
// error wraps ErrLedgerInput. base is the version d was made from (0 for
// none, AnyVersion for an import that replaces whatever is there): when
// another version has been saved since, nothing is stored and the error
// is ErrLedgerChanged, so that two people editing at once never lose one
// another's rows. While a reporting task holds the ledger under review
// (LedgerLock), nothing is stored and the error is that *LockedError.
func (s *Store) SaveLedger(ctx context.Context, actor, county string, year int, files []string, note string, base int64, d *ledger.Data) (_ LedgerVersion, err error) {
	defer wrap(&err, "store %s ledger of %s %d", d.Schema.Kind, county, year)
	if len(county) != 6 {
		return LedgerVersion{}, fmt.Errorf("%w: %q is not a county code", ErrLedgerInput, county)
	}
	if d.Schema.PerYear != (year != 0) || (year != 0 && (year < 1900 || year > 2200)) {
		return LedgerVersion{}, fmt.Errorf("%w: year %d for a ledger kept by year: %v", ErrLedgerInput, year, d.Schema.PerYear)
	}
	if ps := d.Validate(); len(ps) > 0 {
		p := ps[0]
		t := p.Row.Table()
		return LedgerVersion{}, fmt.Errorf("%w: 「%s」第%d行「%s」：%s；%s", ErrLedgerInput, t.Sheet, p.Row.N, t.Cols[t.Col(p.Key)].ZH, p.Problem.Problem, p.Fix)
	}
	v := LedgerVersion{Kind: d.Schema.Kind, County: county, Year: year, Files: files, Rows: d.Len(), Actor: actor, Note: note, At: s.now()}
	err = s.inTx(ctx, func(tx *sql.Tx) error { return saveLedgerTx(ctx, tx, &v, base, d) })
	if err != nil {
		return LedgerVersion{}, err
	}
	return v, nil
}

const ledgerVersionCols = `id, kind, county_code, year, files, row_count, actor, note, at`

func scanLedgerVersion(sc interface{ Scan(...any) error }) (LedgerVersion, error) {
	var v LedgerVersion
	var files string
	if err := sc.Scan(&v.ID, &v.Kind, &v.County, &v.Year, &files, &v.Rows, &v.Actor, &v.Note, &v.At); err != nil {
		return v, err
	}
	if files != "" {
		v.Files = strings.Split(files, ",")
	}
	v.At = v.At.UTC()
	return v, nil
}

// Ledger returns the newest version of county's ledger of kind s and year
// (0 for a kind not kept by year); ErrNotFound when there is none.
func (s *Store) Ledger(ctx context.Context, sc *ledger.Schema, county string, year int) (_ *ledger.Data, _ LedgerVersion, err error) {
	defer wrap(&err, "read %s ledger of %s %d", sc.Kind, county, year)
	v, err := scanLedgerVersion(s.db.QueryRowContext(ctx, `SELECT `+ledgerVersionCols+` FROM ledger_versions
		WHERE kind = $1 AND county_code = $2 AND year = $3 ORDER BY id DESC LIMIT 1`, sc.Kind, county, year))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, LedgerVersion{}, ErrNotFound
	}
	if err != nil {
		return nil, LedgerVersion{}, err
	}
	d, err := s.ledgerRows(ctx, sc, []int64{v.ID})
	if err != nil {
		return nil, LedgerVersion{}, err
	}
	return d[v.ID], v, nil
}

// LedgerVersionOf returns version id of a ledger of kind s (an older one,
// to download it); ErrNotFound when there is none of that kind.
func (s *Store) LedgerVersionOf(ctx context.Context, sc *ledger.Schema, id int64) (_ *ledger.Data, _ LedgerVersion, err error) {
	defer wrap(&err, "read %s ledger version %d", sc.Kind, id)
	v, err := scanLedgerVersion(s.db.QueryRowContext(ctx, `SELECT `+ledgerVersionCols+` FROM ledger_versions
		WHERE kind = $1 AND id = $2`, sc.Kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, LedgerVersion{}, ErrNotFound
	}
	if err != nil {
		return nil, LedgerVersion{}, err
	}
	d, err := s.ledgerRows(ctx, sc, []int64{v.ID})
	if err != nil {
		return nil, LedgerVersion{}, err
	}
	return d[v.ID], v, nil
}

// LedgerVersions returns the versions of county's ledger of kind (every
// year), newest first.
func (s *Store) LedgerVersions(ctx context.Context, kind, county string) (_ []LedgerVersion, err error) {
	defer wrap(&err, "read %s ledger versions of %s", kind, county)
	rows, err := s.db.QueryContext(ctx, `SELECT `+ledgerVersionCols+` FROM ledger_versions
		WHERE kind = $1 AND county_code = $2 ORDER BY id DESC`, kind, county)
	if err != nil {
		return nil, err
	}
	var out []LedgerVersion
	for rows.Next() {
		v, err := scanLedgerVersion(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, closeRows(rows)
}

// Ledgers returns the newest ledger of kind s and year of every county
// whose code starts with prefix ("" for all), by county code.
func (s *Store) Ledgers(ctx context.Context, sc *ledger.Schema, year int, prefix string) (_ map[string]*ledger.Data, err error) {
	defer wrap(&err, "read %s ledgers of %d", sc.Kind, year)
	rows, err := s.db.QueryContext(ctx, `SELECT county_code, MAX(id) FROM ledger_versions
		WHERE kind = $1 AND year = $2 AND county_code LIKE $3 GROUP BY county_code`, sc.Kind, year, prefix+"%")
	if err != nil {
		return nil, err
	}
	ids := map[int64]string{}
	var list []int64
	for rows.Next() {
		var c string
		var id int64
		if err := rows.Scan(&c, &id); err != nil {
			rows.Close()
			return nil, err
		}
		ids[id] = c
		list = append(list, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	byID, err := s.ledgerRows(ctx, sc, list)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*ledger.Data, len(byID))
	for id, d := range byID {
		out[ids[id]] = d
	}
	return out, nil
}

// ledgerRows reads the rows of versions ids, checking each ledger against
// its kind's declaration as a file is checked (ledger.FromMaps).
func (s *Store) ledgerRows(ctx context.Context, sc *ledger.Schema, ids []int64) (map[int64]*ledger.Data, error) {
	maps := make(map[int64]map[string][]map[string]string, len(ids))
	for _, id := range ids {
		maps[id] = map[string][]map[string]string{}
	}
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for j, id := range part {
			args[j], marks[j] = id, fmt.Sprintf("$%d", j+1)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT version_id, tbl, data FROM ledger_rows
			WHERE version_id IN (`+strings.Join(marks, ",")+`) ORDER BY version_id, tbl, seq`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var tbl, data string
			if err := rows.Scan(&id, &tbl, &data); err != nil {
				rows.Close()
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				rows.Close()
				return nil, fmt.Errorf("ledger version %d, table %s: %w", id, tbl, err)
			}
			maps[id][tbl] = append(maps[id][tbl], m)
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	out := make(map[int64]*ledger.Data, len(ids))
	for id, m := range maps {
		d, err := ledger.FromMaps(sc, m)
		if err != nil {
			return nil, fmt.Errorf("ledger version %d no longer fits the %s declaration: %w", id, sc.Kind, err)
		}
		out[id] = d
	}
	return out, nil
}

// saveLedgerTx stores d as a new version v of its county's ledger in tx
// (SaveLedger; a 吊销 penalty's status row, training_cases.go): refused
// while a task holds the ledger, or when base is not the newest version.
func saveLedgerTx(ctx context.Context, tx *sql.Tx, v *LedgerVersion, base int64, d *ledger.Data) error {
	if lock, err := ledgerLock(ctx, tx, v.Kind, v.County, v.Year); err != nil {
		return err
	} else if lock != nil {
		return lock
	}
	if base != AnyVersion {
		var newest int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_versions
			WHERE kind = $1 AND county_code = $2 AND year = $3`, v.Kind, v.County, v.Year).Scan(&newest); err != nil {
			return err
		}
		if newest != base {
			return ErrLedgerChanged
		}
	}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO ledger_versions (kind, county_code, year, files, row_count, actor, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		v.Kind, v.County, v.Year, strings.Join(v.Files, ","), v.Rows, v.Actor, v.Note, v.At).Scan(&v.ID); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO ledger_rows (version_id, tbl, seq, data) VALUES ($1, $2, $3, $4)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, t := range d.Schema.Tables {
		for i, r := range d.Rows(t.ID) {
			data, err := json.Marshal(r.Map())
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, v.ID, t.ID, i, string(data)); err != nil {
				return err
			}
		}
	}
	action, detail := "ledger.import", strings.Join(v.Files, ", ")
	if len(v.Files) == 0 {
		action, detail = "ledger.edit", v.Note
	}
	return auditTx(ctx, tx, v.At, v.Actor, action, v.County, fmt.Sprintf("%s %d", v.Kind, v.Year),
		fmt.Sprintf("%d rows: %s", v.Rows, detail))
}
