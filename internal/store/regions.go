package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// UpsertRegions adds regions or updates their name, level and parent. A
// region given with an empty name keeps the name it has, so that a caller
// who knows only a code never erases a name another caller supplied.
func (s *Store) UpsertRegions(ctx context.Context, regions []census.Region) (err error) {
	defer wrap(&err, "upsert regions")
	return s.inTx(ctx, func(tx *sql.Tx) error { return upsertRegions(ctx, tx, regions) })
}

// upsertRegions writes regions inside tx; see UpsertRegions. A row is only
// rewritten when something in it changes.
func upsertRegions(ctx context.Context, tx *sql.Tx, regions []census.Region) error {
	if len(regions) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO regions (code, name, level, parent) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET
			name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE regions.name END,
			level = excluded.level,
			parent = excluded.parent
		WHERE (excluded.name <> '' AND excluded.name <> regions.name)
			OR excluded.level <> regions.level
			OR excluded.parent <> regions.parent`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range regions {
		if _, err := stmt.ExecContext(ctx, r.Code, r.Name, r.Level, r.Parent); err != nil {
			return err
		}
	}
	return nil
}

// ensureRegions adds the counties that recs name and the regions lack,
// each with the name its records give (the last one wins), its city (no
// name: a census file does not know it) and its province (named from
// census.ProvinceNames). Regions that exist are left as they are: a record
// never renames a county or changes what a code is; only region
// administration (UpsertRegions) does. A record whose county code is a
// city or a province in the regions, or has the shape of a province code,
// is refused with an error that says so.
func ensureRegions(ctx context.Context, tx *sql.Tx, recs []census.UnitRecord) error {
	var c countyNames
	c.add(recs)
	return c.ensure(ctx, tx)
}

// countyNames are the counties of a file's records, in the order of their
// first record, with the name of their last.
type countyNames struct {
	order []string
	names map[string]string
}

func (c *countyNames) add(recs []census.UnitRecord) {
	if c.names == nil {
		c.names = map[string]string{}
	}
	for _, r := range recs {
		code := r.Text("county_code")
		if _, ok := c.names[code]; !ok {
			c.order = append(c.order, strings.Clone(code))
		}
		if name := r.Text("county_name"); name != c.names[code] {
			c.names[code] = strings.Clone(name)
		}
	}
}

// ensure is ensureRegions of the records added to c.
func (c *countyNames) ensure(ctx context.Context, tx *sql.Tx) error {
	if len(c.order) == 0 {
		return nil
	}
	order, names := c.order, c.names
	levels := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT code, level FROM regions`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var code, level string
		if err := rows.Scan(&code, &level); err != nil {
			rows.Close()
			return err
		}
		levels[code] = level
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var provinces, cities, counties []census.Region
	add := func(list *[]census.Region, r census.Region) {
		if _, ok := levels[r.Code]; !ok {
			levels[r.Code] = r.Level
			*list = append(*list, r)
		}
	}
	// Every code the records name is a county first: a city row is made
	// only for a code that no record uses as its county, whatever the
	// order of the records.
	for _, code := range order {
		if level, ok := levels[code]; ok && level != census.LevelCounty {
			return fmt.Errorf("%w: %s is a %s, not a county: records belong to a county", ErrNotCounty, code, level)
		}
		if prov := census.ProvinceCode(code); prov == code {
			if _, ok := levels[code]; !ok {
				return fmt.Errorf("%w: %s is a province code, not a county: records belong to a county", ErrNotCounty, code)
			}
		}
	}
	for _, code := range order {
		if _, ok := levels[code]; ok {
			continue
		}
		county := census.Region{Code: code, Name: names[code], Level: census.LevelCounty}
		if prov := census.ProvinceCode(code); prov != "" {
			add(&provinces, census.Region{Code: prov, Name: census.ProvinceNames[code[:2]], Level: census.LevelProvince})
			county.Parent = prov
			// A prefecture-level city without counties (东莞 441900)
			// reports its schools under its own code: no city row then.
			city := census.CityCode(code)
			_, isCounty := names[city]
			if city != code && !isCounty && (levels[city] == "" || levels[city] == census.LevelCity) {
				add(&cities, census.Region{Code: city, Level: census.LevelCity, Parent: prov})
				county.Parent = city
			}
		}
		levels[code] = census.LevelCounty
		counties = append(counties, county)
	}
	return upsertRegions(ctx, tx, append(append(provinces, cities...), counties...))
}

// ErrNotCounty is returned when a record is placed in a region that is not
// a county.
var ErrNotCounty = errors.New("not a county")

// Regions returns every region ordered by code, or an empty list.
func (s *Store) Regions(ctx context.Context) (_ []census.Region, err error) {
	defer wrap(&err, "regions")
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, level, parent FROM regions ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []census.Region{}
	for rows.Next() {
		var r census.Region
		if err := rows.Scan(&r.Code, &r.Name, &r.Level, &r.Parent); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Region returns the region of code, or ErrNotFound: one row, where
// Regions reads every region of the nation.
func (s *Store) Region(ctx context.Context, code string) (r census.Region, err error) {
	defer wrap(&err, "region")
	err = s.db.QueryRowContext(ctx, `SELECT code, name, level, parent FROM regions WHERE code = $1`, code).Scan(&r.Code, &r.Name, &r.Level, &r.Parent)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}
