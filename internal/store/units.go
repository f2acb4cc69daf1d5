package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// This file stores the record kinds other than school: kindergarten_records
// and county_records. They share one code path, driven by the kind's
// census.Table, and the history table record_changes (with its kind column;
// school_code there holds the kindergarten or county code).

// unitTable is how one kind is laid out in the database.
type unitTable struct {
	kind  census.Kind
	table string
	t     *census.Table
	// text lists the text columns after year and the code, in table order.
	text []string
	cols string // every column read and written, comma separated
}

func newUnitTable(kind census.Kind, table string) *unitTable {
	u := &unitTable{kind: kind, table: table, t: census.TableOf(kind)}
	cols := []string{"year", u.t.CodeKey}
	for _, c := range u.t.Text {
		if c.Key != "year" && c.Key != u.t.CodeKey {
			u.text = append(u.text, c.Key)
		}
	}
	cols = append(cols, u.text...)
	for _, c := range u.t.Num {
		cols = append(cols, c.Key)
	}
	u.cols = strings.Join(cols, ", ")
	return u
}

var (
	kindergartenTable = newUnitTable(census.KindKindergarten, "kindergarten_records")
	countyTable       = newUnitTable(census.KindCounty, "county_records")
)

func unitTableOf(kind string) *unitTable {
	if kind == KindKindergarten {
		return kindergartenTable
	}
	return countyTable
}

// width is the number of columns in cols.
func (u *unitTable) width() int { return 2 + len(u.text) + len(u.t.Num) }

// records returns a batch's records in the neutral form.
func unitRecords(b FileBatch) []census.UnitRecord {
	var out []census.UnitRecord
	for i := range b.Kindergartens {
		out = append(out, &b.Kindergartens[i])
	}
	for i := range b.Counties {
		out = append(out, &b.Counties[i])
	}
	return out
}

// checkUniqueUnits reports a (year, code) that appears twice in one file.
func checkUniqueUnits(b FileBatch) error {
	if (b.Kind == KindKindergarten) != (len(b.Counties) == 0) && len(b.Counties)+len(b.Kindergartens) > 0 {
		return fmt.Errorf("a %s batch holds records of another kind", b.Kind)
	}
	seen := map[recordKey]bool{}
	for _, r := range unitRecords(b) {
		y, c := r.Key()
		if c == "" || y == 0 {
			return fmt.Errorf("a %s record without year or code", b.Kind)
		}
		if seen[recordKey{y, c}] {
			return fmt.Errorf("%s %s appears twice in year %d", b.Kind, c, y)
		}
		seen[recordKey{y, c}] = true
	}
	return nil
}

// unitCounties returns one stand-in school per county named by the unit
// batches, so that regionsOf adds their counties to the regions.
func unitCounties(batches []FileBatch) []census.School {
	var out []census.School
	for _, b := range batches {
		for _, r := range unitRecords(b) {
			out = append(out, census.School{CountyCode: r.Text("county_code"), CountyName: r.Text("county_name")})
		}
	}
	return out
}

// scan reads one row of u.cols into a new record.
func (u *unitTable) scan(rows interface{ Scan(...any) error }) (census.UnitRecord, error) {
	rec := u.t.New()
	var year int
	var code string
	text := make([]string, len(u.text))
	dest := []any{(*intScanner)(&year), &code}
	for i := range text {
		dest = append(dest, &text[i])
	}
	vals := rec.Values()
	for i := range vals {
		dest = append(dest, (*floatScanner)(&vals[i]))
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	rec.SetYear(year)
	rec.SetText(u.t.CodeKey, code)
	for i, k := range u.text {
		rec.SetText(k, text[i])
	}
	return rec, nil
}

// args returns the values of a record in u.cols order.
func (u *unitTable) args(r census.UnitRecord) []any {
	y, c := r.Key()
	out := make([]any, 0, u.width()+2)
	out = append(out, y, c)
	for _, k := range u.text {
		out = append(out, r.Text(k))
	}
	for _, v := range r.Values() {
		out = append(out, nullable(v))
	}
	return out
}

// diff lists the columns in which b differs from a.
func (u *unitTable) diff(a, b census.UnitRecord) []fieldDiff {
	var d []fieldDiff
	for _, k := range u.text {
		x, y := a.Text(k), b.Text(k)
		if x != y {
			d = append(d, fieldDiff{k, &x, &y})
		}
	}
	av, bv := a.Values(), b.Values()
	for i := range av {
		x, y := av[i], bv[i]
		if x == y || math.IsNaN(x) && math.IsNaN(y) {
			continue
		}
		d = append(d, fieldDiff{u.t.Num[i].Key, numberText(x), numberText(y)})
	}
	return d
}

// load reads the stored records of (year, code) keys.
func (u *unitTable) load(ctx context.Context, q querier, d Dialect, recs []census.UnitRecord) (map[recordKey]census.UnitRecord, error) {
	codes := map[int][]string{}
	for _, r := range recs {
		y, c := r.Key()
		codes[y] = append(codes[y], c)
	}
	stored := map[recordKey]census.UnitRecord{}
	for year, list := range codes {
		for len(list) > 0 {
			n := min(len(list), keyChunk)
			var b strings.Builder
			fmt.Fprintf(&b, `SELECT %s FROM %s WHERE %s IN (`, u.cols, u.table, u.t.CodeKey)
			writeParams(&b, d, 1, n)
			fmt.Fprintf(&b, `) AND year = %d`, year) // an int: no injection
			args := make([]any, 0, n)
			for _, c := range list[:n] {
				args = append(args, c)
			}
			list = list[n:]
			if err := func() error {
				rows, err := q.QueryContext(ctx, b.String(), args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					r, err := u.scan(rows)
					if err != nil {
						return err
					}
					y, c := r.Key()
					stored[recordKey{y, c}] = r
				}
				return rows.Err()
			}(); err != nil {
				return nil, fmt.Errorf("load stored %s records: %w", u.kind, err)
			}
		}
	}
	return stored, nil
}

// upsert writes one record.
func (u *unitTable) upsert(ctx context.Context, tx *sql.Tx, r census.UnitRecord, batch int64, at time.Time) error {
	cols := strings.Split(u.cols, ", ")
	set := make([]string, 0, len(cols))
	for _, c := range cols[2:] {
		set = append(set, c+" = excluded."+c)
	}
	set = append(set, "batch_id = excluded.batch_id", "updated_at = excluded.updated_at")
	var q strings.Builder
	fmt.Fprintf(&q, `INSERT INTO %s (%s, batch_id, updated_at) VALUES (`, u.table, u.cols)
	writeParams(&q, Postgres, 1, u.width()+2)
	fmt.Fprintf(&q, `) ON CONFLICT (year, %s) DO UPDATE SET %s`, u.t.CodeKey, strings.Join(set, ", "))
	_, err := tx.ExecContext(ctx, q.String(), append(u.args(r), batch, at)...)
	return err
}

// applyUnits diffs one batch of kindergarten or county records against the
// stored ones, logs the batch, and writes new and changed records with
// their history; see Import.
func applyUnits(ctx context.Context, tx *sql.Tx, d Dialect, at time.Time, actor string, b FileBatch) (FileSummary, error) {
	u := unitTableOf(b.Kind)
	fs := FileSummary{File: b.File}
	recs := unitRecords(b)
	stored, err := u.load(ctx, tx, d, recs)
	if err != nil {
		return fs, err
	}
	type change struct {
		rec   census.UnitRecord
		diffs []fieldDiff
	}
	var todo []change
	for _, r := range recs {
		y, c := r.Key()
		old, ok := stored[recordKey{y, c}]
		if !ok {
			fs.Added++
			todo = append(todo, change{rec: r})
			continue
		}
		diffs := u.diff(old, r)
		if len(diffs) == 0 {
			fs.Unchanged++
			continue
		}
		fs.Changed++
		fs.Changes += len(diffs)
		todo = append(todo, change{r, diffs})
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO import_batches (file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		b.File, b.SHA256, b.Kind, at, fs.Added, fs.Changed, fs.Unchanged, actor).Scan(&fs.Batch)
	if err != nil {
		return fs, fmt.Errorf("log batch: %w", err)
	}
	return fs, writeUnitChanges(ctx, tx, u, fs.Batch, at, func(yield func(census.UnitRecord, []fieldDiff) error) error {
		for _, c := range todo {
			if err := yield(c.rec, c.diffs); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeUnitChanges writes records and their history: a creation entry for a
// new record (diffs nil), one entry per changed column otherwise.
func writeUnitChanges(ctx context.Context, tx *sql.Tx, u *unitTable, batch int64, at time.Time,
	each func(func(census.UnitRecord, []fieldDiff) error) error) error {
	hist, err := tx.PrepareContext(ctx, `
		INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`)
	if err != nil {
		return err
	}
	defer hist.Close()
	return each(func(r census.UnitRecord, diffs []fieldDiff) error {
		if err := u.upsert(ctx, tx, r, batch, at); err != nil {
			return fmt.Errorf("write %s records: %w", u.kind, err)
		}
		y, c := r.Key()
		if diffs == nil {
			_, err := hist.ExecContext(ctx, batch, y, c, "", nil, nil, at, string(u.kind))
			return err
		}
		for _, d := range diffs {
			if _, err := hist.ExecContext(ctx, batch, y, c, d.column, d.old, d.new, at, string(u.kind)); err != nil {
				return fmt.Errorf("write history: %w", err)
			}
		}
		return nil
	})
}

// units reads the records of year in county (all counties when "").
func (s *Store) units(ctx context.Context, u *unitTable, year int, county string) ([]census.UnitRecord, error) {
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE year = $1`, u.cols, u.table)
	args := []any{year}
	if county != "" {
		q += ` AND county_code = $2`
		args = append(args, county)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY county_code, `+u.t.CodeKey, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []census.UnitRecord
	for rows.Next() {
		r, err := u.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Kindergartens returns the kindergarten records of year, in county
// countyCode or in every county when it is "", ordered by county and code.
// It returns an empty list when there are none.
func (s *Store) Kindergartens(ctx context.Context, year int, countyCode string) (_ []census.Kindergarten, err error) {
	defer wrap(&err, "kindergartens of %d", year)
	recs, err := s.units(ctx, kindergartenTable, year, countyCode)
	out := make([]census.Kindergarten, 0, len(recs))
	for _, r := range recs {
		out = append(out, *r.(*census.Kindergarten))
	}
	return out, err
}

// Kindergarten returns the record of the kindergarten with code in year; it
// returns ErrNotFound if there is none.
func (s *Store) Kindergarten(ctx context.Context, year int, code string) (_ census.Kindergarten, err error) {
	defer wrap(&err, "kindergarten %s in %d", code, year)
	r, err := unitRecord(ctx, s.db, kindergartenTable, year, code)
	if err != nil {
		return census.Kindergarten{}, err
	}
	return *r.(*census.Kindergarten), nil
}

// CountyRecords returns the county records of year (one county when
// countyCode is not ""), ordered by county code, or an empty list.
func (s *Store) CountyRecords(ctx context.Context, year int, countyCode string) (_ []census.CountyRecord, err error) {
	defer wrap(&err, "county records of %d", year)
	recs, err := s.units(ctx, countyTable, year, countyCode)
	out := make([]census.CountyRecord, 0, len(recs))
	for _, r := range recs {
		out = append(out, *r.(*census.CountyRecord))
	}
	return out, err
}

// CountyRecord returns the record of county code in year; it returns
// ErrNotFound if there is none.
func (s *Store) CountyRecord(ctx context.Context, year int, code string) (_ census.CountyRecord, err error) {
	defer wrap(&err, "county record %s in %d", code, year)
	r, err := unitRecord(ctx, s.db, countyTable, year, code)
	if err != nil {
		return census.CountyRecord{}, err
	}
	return *r.(*census.CountyRecord), nil
}

func unitRecord(ctx context.Context, q querier, u *unitTable, year int, code string) (census.UnitRecord, error) {
	row := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE year = $1 AND %s = $2`, u.cols, u.table, u.t.CodeKey), year, code)
	r, err := u.scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

// SaveCountyRecord stores rec as an edit made by actor (in the web form):
// it creates the record when there is none and otherwise changes the
// columns that differ, with history under a batch of kind "edit". It
// returns the number of columns that changed (every reported one for a new
// record); an edit that changes nothing records nothing.
func (s *Store) SaveCountyRecord(ctx context.Context, actor string, rec census.CountyRecord) (changes int, err error) {
	defer wrap(&err, "save county record %s in %d", rec.CountyCode, rec.Year)
	return s.saveUnit(ctx, actor, countyTable, &rec, true)
}

// UpdateKindergarten replaces the stored record of rec.Year and rec.Code
// with rec, as an edit made by actor, and returns the number of columns that
// changed. It returns ErrNotFound when there is no such record.
func (s *Store) UpdateKindergarten(ctx context.Context, actor string, rec census.Kindergarten) (changes int, err error) {
	defer wrap(&err, "update kindergarten %s in %d", rec.Code, rec.Year)
	return s.saveUnit(ctx, actor, kindergartenTable, &rec, false)
}

func (s *Store) saveUnit(ctx context.Context, actor string, u *unitTable, rec census.UnitRecord, create bool) (changes int, err error) {
	y, code := rec.Key()
	if y == 0 || code == "" || rec.Text("county_code") == "" {
		return 0, fmt.Errorf("a %s record needs a year, a code and a county", u.kind)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := unitRecord(ctx, tx, u, y, code)
		var diffs []fieldDiff
		switch {
		case errors.Is(err, ErrNotFound) && create:
			for _, v := range rec.Values() {
				if !math.IsNaN(v) {
					changes++
				}
			}
		case err != nil:
			return err
		default:
			diffs = u.diff(old, rec)
			if len(diffs) == 0 {
				return nil
			}
			changes = len(diffs)
		}
		if err := upsertRegions(ctx, tx, regionsOf([][]census.School{{{CountyCode: rec.Text("county_code"), CountyName: rec.Text("county_name")}}})); err != nil {
			return err
		}
		at := s.now()
		added, changed := 0, 0
		if diffs == nil {
			added = 1
		} else {
			changed = 1
		}
		var batch int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO import_batches (file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor)
			VALUES ('', '', $1, $2, $3, $4, 0, $5) RETURNING id`, KindEdit, at, added, changed, actor).Scan(&batch); err != nil {
			return err
		}
		return writeUnitChanges(ctx, tx, u, batch, at, func(yield func(census.UnitRecord, []fieldDiff) error) error {
			return yield(rec, diffs)
		})
	})
	if err != nil {
		return 0, err
	}
	return changes, nil
}

// UnitHistory returns the history of the kindergarten (kind
// KindKindergarten) or county (KindCounty) record with code in year, oldest
// first. It returns ErrNotFound if there is neither a record nor a history.
func (s *Store) UnitHistory(ctx context.Context, kind string, year int, code string) (_ []Change, err error) {
	defer wrap(&err, "history of %s %s in %d", kind, code, year)
	if kind != KindKindergarten && kind != KindCounty {
		return nil, fmt.Errorf("kind %q has no unit history", kind)
	}
	out, err := s.changes(ctx, kind, year, code)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := unitRecord(ctx, s.db, unitTableOf(kind), year, code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UnitYears returns the years that have records of kind (KindKindergarten
// or KindCounty), ascending, or an empty list.
func (s *Store) UnitYears(ctx context.Context, kind string) (_ []int, err error) {
	defer wrap(&err, "years of %s records", kind)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT year FROM `+unitTableOf(kind).table+` ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	years := []int{}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	return years, rows.Err()
}
