package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/geo"
)

// MapImport is the import the installation's map came from.
type MapImport struct {
	File     string
	Features int
	By       string
	At       time.Time
}

// ImportMap stores m, checked by geo.Parse, as the installation's map in
// place of any earlier one, recording the file it came from and who
// imported it: all of it or, on error, nothing.
func (s *Store) ImportMap(ctx context.Context, file, by string, m *geo.Map) (err error) {
	defer wrap(&err, "import map %s", file)
	if len(m.Features) == 0 {
		return errors.New("a map without regions")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM region_shapes`); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO region_shapes (code, name, geometry) VALUES ($1, $2, $3)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, f := range m.Features {
			if _, err := stmt.ExecContext(ctx, f.Code, f.Name, string(f.Geometry)); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO region_map_import (id, file_name, features, imported_by, imported_at) VALUES (1, $1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET file_name = excluded.file_name, features = excluded.features,
				imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
			file, len(m.Features), by, s.now())
		return err
	})
}

// MapImported returns the import the installation's map came from, or
// ErrNotFound when no map was imported.
func (s *Store) MapImported(ctx context.Context) (_ MapImport, err error) {
	var mi MapImport
	err = s.db.QueryRowContext(ctx, `SELECT file_name, features, imported_by, imported_at FROM region_map_import WHERE id = 1`).
		Scan(&mi.File, &mi.Features, &mi.By, &mi.At)
	if errors.Is(err, sql.ErrNoRows) {
		return MapImport{}, ErrNotFound
	}
	if err != nil {
		return MapImport{}, wrapf(err, "map import")
	}
	mi.At = mi.At.UTC()
	return mi, nil
}

// MapShapes returns the shapes of the installation's map whose code starts
// with prefix (the counties of a city: its first 4 digits), by code. It
// returns ErrNotFound when no map was imported; a map without shapes under
// prefix is an empty map.
func (s *Store) MapShapes(ctx context.Context, prefix string) (_ *geo.Map, err error) {
	defer wrap(&err, "map shapes %s", prefix)
	if _, err := s.MapImported(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, geometry FROM region_shapes WHERE code LIKE $1 ORDER BY code`,
		strings.NewReplacer("%", "", "_", "").Replace(prefix)+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := &geo.Map{}
	for rows.Next() {
		var f geo.Feature
		var g string
		if err := rows.Scan(&f.Code, &f.Name, &g); err != nil {
			return nil, err
		}
		f.Geometry = []byte(g)
		m.Features = append(m.Features, f)
	}
	return m, rows.Err()
}
