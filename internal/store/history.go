package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Change is one entry of a school record's history.
type Change struct {
	Batch int64  // the batch that made the change
	File  string // its file name; "" for an edit
	Kind  string // its kind: KindSchool, KindEdit
	Actor string // who imported the file or made the edit
	// Column is the key of the changed column (a census field key or one of
	// county_code, county_name, school_name, school_type, ownership,
	// location). It is "" for the entry that records the record's creation,
	// whose Old and New are nil.
	Column string
	// Old and New are the values before and after; nil means not reported.
	// A number is written as strconv.FormatFloat(v, 'f', -1, 64) writes it.
	Old, New *string
	At       time.Time // UTC
}

// History returns the history of the school with code in year, oldest first:
// its creation, then every changed column. It returns ErrNotFound if the
// school has neither a record nor a history in that year.
func (s *Store) History(ctx context.Context, year int, schoolCode string) ([]Change, error) {
	return s.RecordHistory(ctx, KindSchool, year, schoolCode)
}

// Batch is one entry of the import log: a file imported or an edit made.
type Batch struct {
	ID                        int64
	File                      string // "" for an edit
	SHA256                    string
	Kind                      string
	At                        time.Time // UTC
	Added, Changed, Unchanged int
	Actor                     string
}

// Batches returns the import log, oldest first, or an empty list.
func (s *Store) Batches(ctx context.Context) (_ []Batch, err error) {
	defer wrap(&err, "batches")
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor
		FROM import_batches ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Batch{}
	for rows.Next() {
		var b Batch
		if err := rows.Scan(&b.ID, &b.File, &b.SHA256, &b.Kind, &b.At, &b.Added, &b.Changed, &b.Unchanged, &b.Actor); err != nil {
			return nil, err
		}
		b.At = b.At.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// changes returns the history of one record of u, oldest first, or an
// empty list: its creation, which its row keeps (created_batch), then the
// changes recorded in record_changes.
func (s *Store) changes(ctx context.Context, u *recordTable, year int, code string) ([]Change, error) {
	out := []Change{}
	created, err := s.creation(ctx, u, year, code)
	if err != nil {
		return nil, err
	}
	if created != nil {
		out = append(out, *created)
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.batch_id, b.file_name, b.kind, b.actor, c.column_key, c.old_value, c.new_value, c.changed_at
		FROM record_changes c JOIN import_batches b ON b.id = c.batch_id
		WHERE c.kind = $1 AND c.year = $2 AND c.school_code = $3
		ORDER BY c.id`, string(u.kind), year, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Change
		if err := scanChange(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// creation returns the entry of the history that records the creation of
// the record of u with code in year: the batch that added it, at its
// created_at or, when that is NULL, at the batch's time. It returns nil when
// there is no such record, or its creation is not on its row.
func (s *Store) creation(ctx context.Context, u *recordTable, year int, code string) (*Change, error) {
	var (
		c  Change
		at sql.NullTime
	)
	err := s.db.QueryRowContext(ctx, `
		SELECT b.id, b.file_name, b.kind, b.actor, b.imported_at, r.created_at
		FROM `+u.table+` r JOIN import_batches b ON b.id = r.created_batch
		WHERE r.year = $1 AND r.`+u.t.CodeKey+` = $2`, year, code).Scan(&c.Batch, &c.File, &c.Kind, &c.Actor, &c.At, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if at.Valid {
		c.At = at.Time
	}
	c.At = c.At.UTC()
	return &c, nil
}

// scanChange scans a row whose columns are batch_id, file_name, kind, actor,
// column_key, old_value, new_value, changed_at, then extra, into c (a NULL
// value is a nil Old or New; times in UTC).
func scanChange(rows *sql.Rows, c *Change, extra ...any) error {
	var old, new sql.NullString
	dest := append([]any{&c.Batch, &c.File, &c.Kind, &c.Actor, &c.Column, &old, &new, &c.At}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	if old.Valid {
		c.Old = &old.String
	}
	if new.Valid {
		c.New = &new.String
	}
	c.At = c.At.UTC()
	return nil
}
