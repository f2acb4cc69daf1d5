package store

import (
	"context"
	"strings"
	"time"
)

// CountyChange is one changed column of a record of a county.
type CountyChange struct {
	Change
	SchoolCode string
	SchoolName string
}

// CountyChanges returns the latest changes (newest first, at most limit) to
// the records of county in year, in the given columns (every column when
// columns is empty). Records' creations are left out: CountySources says
// where they came from. It returns an empty list when there are none.
func (s *Store) CountyChanges(ctx context.Context, year int, county string, columns []string, limit int) (_ []CountyChange, err error) {
	defer wrap(&err, "changes in county %s in %d", county, year)
	q := `
		SELECT c.batch_id, b.file_name, b.kind, b.actor, c.column_key, c.old_value, c.new_value, c.changed_at, c.school_code, r.school_name
		FROM record_changes c
		JOIN import_batches b ON b.id = c.batch_id
		JOIN school_records r ON r.year = c.year AND r.school_code = c.school_code
		WHERE c.year = $1 AND r.county_code = $2 AND c.column_key <> ''`
	args := []any{year, county}
	if len(columns) > 0 {
		ph := make([]string, len(columns))
		for i, col := range columns {
			args = append(args, col)
			ph[i] = "$" + itoa(len(args))
		}
		q += ` AND c.column_key IN (` + strings.Join(ph, ", ") + `)`
	}
	q += ` ORDER BY c.id DESC LIMIT ` + itoa(max(limit, 1))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CountyChange{}
	for rows.Next() {
		var c CountyChange
		if err := scanChange(rows, &c.Change, &c.SchoolCode, &c.SchoolName); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Source is a batch that last wrote some of a county's records.
type Source struct {
	Batch   int64
	File    string // "" for an edit
	Kind    string
	Actor   string
	At      time.Time
	Records int // records whose current version it wrote
}

// CountySources returns the batches that wrote the current records of
// county in year, newest first, or an empty list.
func (s *Store) CountySources(ctx context.Context, year int, county string) (_ []Source, err error) {
	defer wrap(&err, "sources of county %s in %d", county, year)
	rows, err := s.db.QueryContext(ctx, `
		SELECT b.id, b.file_name, b.kind, b.actor, b.imported_at, COUNT(*)
		FROM school_records r JOIN import_batches b ON b.id = r.batch_id
		WHERE r.year = $1 AND r.county_code = $2
		GROUP BY b.id, b.file_name, b.kind, b.actor, b.imported_at
		ORDER BY b.id DESC`, year, county)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Source{}
	for rows.Next() {
		var x Source
		if err := rows.Scan(&x.Batch, &x.File, &x.Kind, &x.Actor, &x.At, &x.Records); err != nil {
			return nil, err
		}
		x.At = x.At.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}
