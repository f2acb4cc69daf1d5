package store_test

import (
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// oldHistory is the history of one record as the schema of version 210
// kept it: every row of record_changes, creation included, in id order.
func oldHistory(t *testing.T, db *sql.DB, kind string, year int, code string) []store.Change {
	t.Helper()
	rows, err := db.QueryContext(ctx, `
		SELECT c.batch_id, b.file_name, b.kind, b.actor, c.column_key, c.old_value, c.new_value, c.changed_at
		FROM record_changes c JOIN import_batches b ON b.id = c.batch_id
		WHERE c.kind = $1 AND c.year = $2 AND c.school_code = $3
		ORDER BY c.id`, kind, year, code)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var (
			c        store.Change
			old, new sql.NullString
		)
		if err := rows.Scan(&c.Batch, &c.File, &c.Kind, &c.Actor, &c.Column, &old, &new, &c.At); err != nil {
			t.Fatal(err)
		}
		if old.Valid {
			c.Old = &old.String
		}
		if new.Valid {
			c.New = &new.String
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRecordCreationMigration migrates a database whose history holds the
// records' creations as rows of record_changes (version 210) to version
// 220, which keeps them on the records' rows: every record's history reads
// the same, creation first and at its own time (one created a second
// before its batch's time keeps it), a creation whose record is gone stays
// in the history, the county's changes are the same, and migrating down
// gives back the same history the old way.
func TestRecordCreationMigration(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		db, dialect, dir := rawDB(t, dsn)
		p, err := goose.NewProvider(dialect, db, os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 210); err != nil {
			t.Fatal(err)
		}
		t1 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		t2, t3 := t1.Add(time.Hour), t1.Add(2*time.Hour)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO import_batches (id, file_name, kind, imported_at, added, changed, actor) VALUES
				(1, 'a.csv', 'school', $1, 2, 0, 'ann'), (2, 'k.csv', 'kindergarten', $1, 1, 0, 'ann'),
				(3, 'c.csv', 'county', $1, 1, 0, 'ann'), (4, 'b.csv', 'school', $2, 1, 1, 'bob'),
				(5, '', 'edit', $3, 0, 1, 'eve')`, []any{t1, t2, t3}},
			{`INSERT INTO school_records (year, school_code, county_code, school_name, students_primary, batch_id, updated_at) VALUES
				(2024, 'S1', '340207', '一小', 500, 4, $1), (2024, 'S2', '340207', '二小改', NULL, 5, $2),
				(2024, 'S3', '340207', '三小', NULL, 4, $1)`, []any{t2, t3}},
			{`INSERT INTO kindergarten_records (year, kindergarten_code, county_code, batch_id, updated_at) VALUES (2024, 'K1', '340207', 2, $1)`, []any{t1}},
			{`INSERT INTO county_records (year, county_code, batch_id, updated_at) VALUES (2024, '340207', 3, $1)`, []any{t1}},
			{`INSERT INTO record_changes (id, batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind) VALUES
				(1, 1, 2024, 'S1', '', NULL, NULL, $1, 'school'),
				(2, 1, 2024, 'S2', '', NULL, NULL, $1, 'school'),
				(3, 2, 2024, 'K1', '', NULL, NULL, $1, 'kindergarten'),
				(4, 3, 2024, '340207', '', NULL, NULL, $1, 'county'),
				(5, 4, 2024, 'S3', '', NULL, NULL, $4, 'school'),
				(6, 4, 2024, 'S1', 'students_primary', '480', '500', $2, 'school'),
				(7, 4, 2024, 'S9', '', NULL, NULL, $2, 'school'),
				(8, 5, 2024, 'S2', 'school_name', '二小', '二小改', $3, 'school')`, []any{t1, t2, t3, t2.Add(-time.Second)}},
		} {
			if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		if dialect == goose.DialectPostgres {
			// the rows above were given their ids
			for _, q := range []string{
				`SELECT setval(pg_get_serial_sequence('import_batches', 'id'), 5)`,
				`SELECT setval(pg_get_serial_sequence('record_changes', 'id'), 8)`,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
		}
		type key struct {
			kind, code string
		}
		keys := []key{{"school", "S1"}, {"school", "S2"}, {"school", "S3"}, {"school", "S9"},
			{"kindergarten", "K1"}, {"county", "340207"}}
		before := map[key][]store.Change{}
		for _, k := range keys {
			before[k] = oldHistory(t, db, k.kind, 2024, k.code)
		}
		if len(before[key{"school", "S1"}]) != 2 || len(before[key{"school", "S9"}]) != 1 {
			t.Fatalf("fixture: %v", before)
		}
		db.Close()

		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			got, err := s.RecordHistory(ctx, k.kind, 2024, k.code)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before[k], got); diff != "" {
				t.Errorf("history of %s %s after the migration (-before +after):\n%s", k.kind, k.code, diff)
			}
		}
		var left int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM record_changes WHERE column_key = ''`).Scan(&left); err != nil || left != 1 {
			t.Errorf("creation rows left in record_changes: %d, %v; want 1 (the record that is gone)", left, err)
		}
		changes, err := s.CountyChanges(ctx, 2024, "340207", nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 2 || changes[0].SchoolCode != "S2" || changes[1].SchoolCode != "S1" || changes[1].Column != "students_primary" {
			t.Errorf("county changes after the migration: %+v", changes)
		}
		// a record added after the migration has its creation in its history
		mustImport(t, s, store.FileBatch{File: "d.csv", Schools: []census.School{rec("S4", "四小")}})
		if h, err := s.History(ctx, 2024, "S4"); err != nil || len(h) != 1 || h[0].Column != "" || h[0].File != "d.csv" {
			t.Errorf("history of a record added after the migration: %+v, %v", h, err)
		}
		s.Close()

		db, _, _ = rawDB(t, dsn)
		p, err = goose.NewProvider(dialect, db, os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 210); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if diff := cmp.Diff(before[k], oldHistory(t, db, k.kind, 2024, k.code)); diff != "" {
				t.Errorf("history of %s %s migrated down (-before +after):\n%s", k.kind, k.code, diff)
			}
		}
		if h := oldHistory(t, db, "school", 2024, "S4"); len(h) != 1 || h[0].Column != "" || h[0].File != "d.csv" {
			t.Errorf("history of S4 migrated down: %+v", h)
		}
	})
}
