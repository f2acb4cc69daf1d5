package store

import (
	"context"
	"database/sql"

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

// regionsOf returns the regions that the records' counties imply: each
// county with the name its records give (the last one wins), its city with no
// name (unknown to a census file) and its province with the name of
// census.ProvinceNames. Provinces come first, then cities, then counties.
func regionsOf(schools [][]census.School) []census.Region {
	var provinces, cities, counties []census.Region
	seen := map[string]int{} // code → index in counties, or -1 for a city or province
	add := func(list *[]census.Region, r census.Region) {
		if _, ok := seen[r.Code]; !ok {
			seen[r.Code] = -1
			*list = append(*list, r)
		}
	}
	for _, batch := range schools {
		for i := range batch {
			code, name := batch[i].CountyCode, batch[i].CountyName
			if j, ok := seen[code]; ok && j >= 0 {
				counties[j].Name = name
				continue
			}
			county := census.Region{Code: code, Name: name, Level: census.LevelCounty}
			if prov := census.ProvinceCode(code); prov != "" && prov != code {
				add(&provinces, census.Region{Code: prov, Name: census.ProvinceNames[code[:2]], Level: census.LevelProvince})
				county.Parent = prov
				// A prefecture-level city without counties (东莞 441900)
				// reports its schools under its own code: no city row then.
				if city := census.CityCode(code); city != code {
					add(&cities, census.Region{Code: city, Level: census.LevelCity, Parent: prov})
					county.Parent = city
				}
			}
			seen[code] = len(counties)
			counties = append(counties, county)
		}
	}
	out := append(provinces, cities...)
	return append(out, counties...)
}

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
