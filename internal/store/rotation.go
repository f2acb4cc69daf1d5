package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/rotation"
)

// ErrRotationInput is a rotation ledger that cannot be stored as given;
// the error says what to fix.
var ErrRotationInput = errors.New("bad rotation ledger")

// RotationImport is one import of a county's rotation ledger of a year.
type RotationImport struct {
	ID     int64
	County string
	Year   int
	Files  []string
	Rows   int
	Actor  string
	At     time.Time // UTC
}

// ReplaceRotation stores l as county's rotation ledger of year in one
// transaction: it replaces the county's rotations and eligible teachers of
// the year, and records the import (and an audit entry, so the cached
// verdicts that read the ledger are recomputed). A ledger that breaks
// rotation.Ledger.Validate stores nothing; the error wraps
// ErrRotationInput.
func (s *Store) ReplaceRotation(ctx context.Context, actor, county string, year int, files []string, l rotation.Ledger) (_ RotationImport, err error) {
	defer wrap(&err, "store rotation ledger of %s %d", county, year)
	if len(county) != 6 {
		return RotationImport{}, fmt.Errorf("%w: %q is not a county code", ErrRotationInput, county)
	}
	if year < 1900 || year > 2200 {
		return RotationImport{}, fmt.Errorf("%w: year %d", ErrRotationInput, year)
	}
	if err := l.Validate(); err != nil {
		return RotationImport{}, fmt.Errorf("%w: %w", ErrRotationInput, err)
	}
	imp := RotationImport{County: county, Year: year, Files: files, Rows: len(l.Rotations) + len(l.Eligible), Actor: actor, At: s.now()}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"rotations", "rotation_eligible"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE county_code = $1 AND year = $2`, county, year); err != nil {
				return err
			}
		}
		for _, r := range l.Rotations {
			end := ""
			if !r.End.IsZero() {
				end = r.End.Format(time.DateOnly)
			}
			bb := 0
			if r.Backbone {
				bb = 1
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO rotations (county_code, year, teacher, name, from_school, from_name, to_school, to_name, start_date, end_date, backbone, type, stage)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				county, year, r.Teacher, r.Name, r.From, r.FromName, r.To, r.ToName, r.Start.Format(time.DateOnly), end, bb, string(r.Type), string(r.Stage)); err != nil {
				return err
			}
		}
		for _, e := range l.Eligible {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO rotation_eligible (county_code, year, school, name, teachers, backbone)
				VALUES ($1, $2, $3, $4, $5, $6)`, county, year, e.School, e.Name, e.Teachers, e.Backbone); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO rotation_imports (county_code, year, files, row_count, actor, at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			county, year, strings.Join(files, ","), imp.Rows, actor, imp.At).Scan(&imp.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, imp.At, actor, "rotation.import", county, fmt.Sprint(year),
			fmt.Sprintf("%d rotations, %d schools", len(l.Rotations), len(l.Eligible)))
	})
	if err != nil {
		return RotationImport{}, err
	}
	return imp, nil
}

// Rotation returns county's rotation ledger of year; it returns
// ErrNotFound when the county has imported none for the year.
func (s *Store) Rotation(ctx context.Context, county string, year int) (rotation.Ledger, error) {
	ls, err := s.Rotations(ctx, year, county)
	if err != nil {
		return rotation.Ledger{}, err
	}
	if len(ls) == 0 {
		return rotation.Ledger{}, fmt.Errorf("rotation ledger of %s %d: %w", county, year, ErrNotFound)
	}
	return ls[0], nil
}

// Rotations returns the rotation ledgers of year of county, or of every
// county when county is "", by county code: one for each county with an
// import for the year (none when there is none).
func (s *Store) Rotations(ctx context.Context, year int, county string) (_ []rotation.Ledger, err error) {
	defer wrap(&err, "read rotation ledgers of %d", year)
	where := `year = $1 AND ($2 = '' OR county_code = $2)`
	by := map[string]*rotation.Ledger{}
	var order []string
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT county_code FROM rotation_imports WHERE `+where+` ORDER BY county_code`, year, county)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		by[c] = &rotation.Ledger{County: c, Year: year}
		order = append(order, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, nil
	}
	rows, err = s.db.QueryContext(ctx, `
		SELECT county_code, teacher, name, from_school, from_name, to_school, to_name, start_date, end_date, backbone, type, stage
		FROM rotations WHERE `+where+` ORDER BY county_code, from_school, teacher`, year, county)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c, start, end, typ, stage string
		var bb int
		var r rotation.Rotation
		if err := rows.Scan(&c, &r.Teacher, &r.Name, &r.From, &r.FromName, &r.To, &r.ToName, &start, &end, &bb, &typ, &stage); err != nil {
			rows.Close()
			return nil, err
		}
		if r.Start, err = time.Parse(time.DateOnly, start); err != nil {
			rows.Close()
			return nil, err
		}
		if end != "" {
			if r.End, err = time.Parse(time.DateOnly, end); err != nil {
				rows.Close()
				return nil, err
			}
		}
		r.Backbone, r.Type, r.Stage = bb != 0, rotation.Type(typ), census.Stage(stage)
		if l := by[c]; l != nil {
			l.Rotations = append(l.Rotations, r)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `
		SELECT county_code, school, name, teachers, backbone FROM rotation_eligible
		WHERE `+where+` ORDER BY county_code, school`, year, county)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c string
		var e rotation.Eligible
		if err := rows.Scan(&c, &e.School, &e.Name, &e.Teachers, &e.Backbone); err != nil {
			rows.Close()
			return nil, err
		}
		if l := by[c]; l != nil {
			l.Eligible = append(l.Eligible, e)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	out := make([]rotation.Ledger, 0, len(order))
	for _, c := range order {
		out = append(out, *by[c])
	}
	return out, nil
}

// RotationImports returns county's rotation imports, newest first (none
// when it has none).
func (s *Store) RotationImports(ctx context.Context, county string) (_ []RotationImport, err error) {
	defer wrap(&err, "read rotation imports of %s", county)
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, year, files, row_count, actor, at FROM rotation_imports
		WHERE county_code = $1 ORDER BY id DESC`, county)
	if err != nil {
		return nil, err
	}
	var out []RotationImport
	for rows.Next() {
		im := RotationImport{County: county}
		var files string
		if err := rows.Scan(&im.ID, &im.Year, &files, &im.Rows, &im.Actor, &im.At); err != nil {
			rows.Close()
			return nil, err
		}
		if files != "" {
			im.Files = strings.Split(files, ",")
		}
		im.At = im.At.UTC()
		out = append(out, im)
	}
	return out, closeRows(rows)
}
