package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// Kinds of batch. A batch of kind school comes from a census file; a batch
// of kind edit records one change made by hand (UpdateSchool).
const (
	KindSchool       = "school"
	KindKindergarten = "kindergarten"
	KindCounty       = "county"
	KindEdit         = "edit"
)

// FileBatch is the content of one census file, as read by internal/censusio.
type FileBatch struct {
	File   string // the file's name as the user gave it
	SHA256 string // hex digest of the file's bytes
	Kind   string // KindSchool, KindKindergarten or KindCounty; "" means KindSchool
	// Schools are the file's records. A (year, school code) may appear only
	// once in a file; across the files of one import, later files win.
	Schools []census.School
	// Kindergartens or Counties are the records of a file of kind
	// KindKindergarten or KindCounty, under the same rules.
	Kindergartens []census.Kindergarten
	Counties      []census.CountyRecord
}

// Summary reports what an import did.
type Summary struct {
	Files                     int
	Added, Changed, Unchanged int // records
	Changes                   int // changed fields of changed records
	PerFile                   []FileSummary
}

// FileSummary reports what one file of an import did.
type FileSummary struct {
	File                      string
	Batch                     int64 // the import_batches id
	Added, Changed, Unchanged int
	Changes                   int
}

// Import stores the records of every batch in one transaction: all of them
// or, on any error, none. Files are applied in order.
//
// A record that is new is added; a record that differs from the stored one
// replaces it, and each differing column is written to the history with its
// old and new value, the file and the time; an identical record is left
// alone, so importing the same file again changes nothing. Every file still
// gets a row in the batch log (with Added = Changed = 0 when it changed
// nothing): the log answers "who imported which file when", and a file that
// was checked and found current is part of that answer.
//
// The counties of the records, their cities and provinces are added to the
// regions (see UpsertRegions): a county takes the name its records give.
func (s *Store) Import(ctx context.Context, actor string, batches []FileBatch) (sum Summary, err error) {
	defer wrap(&err, "import")
	batches = slices.Clone(batches) // to fill in Kind without touching the caller's
	for i := range batches {
		b := &batches[i]
		if b.Kind == "" {
			b.Kind = KindSchool
		}
		var err error
		switch b.Kind {
		case KindSchool:
			err = checkUnique(b.Schools)
		case KindKindergarten, KindCounty:
			err = checkUniqueUnits(*b)
		default:
			err = fmt.Errorf("kind %q cannot be stored", b.Kind)
		}
		if err != nil {
			return Summary{}, fmt.Errorf("%s: %w", b.File, err)
		}
	}
	if len(batches) == 0 {
		return Summary{PerFile: []FileSummary{}}, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		sum = Summary{Files: len(batches), PerFile: make([]FileSummary, 0, len(batches))}
		all := make([][]census.School, len(batches))
		for i := range batches {
			all[i] = batches[i].Schools
		}
		if err := upsertRegions(ctx, tx, regionsOf(append(all, unitCounties(batches)))); err != nil {
			return fmt.Errorf("regions: %w", err)
		}
		stored, err := loadRecords(ctx, tx, s.dialect, all)
		if err != nil {
			return err
		}
		w := newWriter(tx, s.dialect, s.now())
		defer w.close()
		for _, b := range batches {
			var fs FileSummary
			var err error
			if b.Kind == KindSchool {
				fs, err = w.apply(ctx, actor, b, stored)
			} else {
				fs, err = applyUnits(ctx, tx, s.dialect, w.at, actor, b)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", b.File, err)
			}
			sum.PerFile = append(sum.PerFile, fs)
			sum.Added += fs.Added
			sum.Changed += fs.Changed
			sum.Unchanged += fs.Unchanged
			sum.Changes += fs.Changes
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// UpdateSchool replaces the stored record of rec.Year and rec.Code with rec,
// as an edit made by actor, and returns the number of columns that changed.
// Changes go to the history under a batch of kind "edit"; an edit that
// changes nothing records nothing. It returns ErrNotFound when there is no
// such record to edit.
func (s *Store) UpdateSchool(ctx context.Context, actor string, rec census.School) (changes int, err error) {
	defer wrap(&err, "update school %s in %d", rec.Code, rec.Year)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := school(ctx, tx, rec.Year, rec.Code)
		if err != nil {
			return err
		}
		diffs := diffRecords(&old, &rec)
		if len(diffs) == 0 {
			return nil
		}
		if err := upsertRegions(ctx, tx, regionsOf([][]census.School{{rec}})); err != nil {
			return err
		}
		stored := map[recordKey]*census.School{{rec.Year, rec.Code}: &old}
		w := newWriter(tx, s.dialect, s.now())
		defer w.close()
		fs, err := w.apply(ctx, actor, FileBatch{Kind: KindEdit, Schools: []census.School{rec}}, stored)
		changes = fs.Changes
		return err
	})
	if err != nil {
		return 0, err
	}
	return changes, nil
}

// checkUnique reports a (year, school code) that appears twice in one file.
func checkUnique(schools []census.School) error {
	seen := make(map[recordKey]struct{}, len(schools))
	for i := range schools {
		k := recordKey{schools[i].Year, schools[i].Code}
		if _, dup := seen[k]; dup {
			return fmt.Errorf("school %s appears twice in year %d", k.code, k.year)
		}
		seen[k] = struct{}{}
	}
	return nil
}

// recordKey identifies a school record.
type recordKey struct {
	year int
	code string
}

// keyChunk is how many school codes one lookup query names.
const keyChunk = 500

// loadRecords reads the stored records that the batches name, keyed by year
// and code, with one query per year and keyChunk codes. Reading only the
// named records keeps a one-county import fast in a province's database.
func loadRecords(ctx context.Context, tx *sql.Tx, d Dialect, batches [][]census.School) (map[recordKey]*census.School, error) {
	codes := map[int][]string{}
	seen := map[recordKey]bool{}
	for _, b := range batches {
		for i := range b {
			k := recordKey{b[i].Year, b[i].Code}
			if !seen[k] {
				seen[k] = true
				codes[k.year] = append(codes[k.year], k.code)
			}
		}
	}
	stored := make(map[recordKey]*census.School)
	r := newRecordScanner()
	for year, list := range codes {
		for len(list) > 0 {
			n := min(len(list), keyChunk)
			var q strings.Builder
			q.WriteString(`SELECT ` + recordColumns + ` FROM school_records WHERE school_code IN (`)
			writeParams(&q, d, 1, n)
			fmt.Fprintf(&q, `) AND year = %d`, year) // an int: no injection
			args := make([]any, 0, n)
			for _, c := range list[:n] {
				args = append(args, c)
			}
			list = list[n:]
			if err := func() error {
				rows, err := tx.QueryContext(ctx, q.String(), args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					rec, err := r.scan(rows)
					if err != nil {
						return err
					}
					stored[recordKey{rec.Year, rec.Code}] = &rec
				}
				return rows.Err()
			}(); err != nil {
				return nil, fmt.Errorf("load stored records: %w", err)
			}
		}
	}
	return stored, nil
}

// fieldDiff is one changed column: its key and its old and new values as
// history text (nil = NULL).
type fieldDiff struct {
	column   string
	old, new *string
}

// diffRecords lists the columns in which b differs from a. Two unreported
// values are equal; so are 0 and -0.
func diffRecords(a, b *census.School) []fieldDiff {
	var d []fieldDiff
	text := func(col, x, y string) {
		if x != y {
			d = append(d, fieldDiff{col, &x, &y})
		}
	}
	text("county_code", a.CountyCode, b.CountyCode)
	text("county_name", a.CountyName, b.CountyName)
	text("school_name", a.Name, b.Name)
	text("school_type", string(a.Type), string(b.Type))
	text("ownership", a.Ownership, b.Ownership)
	text("location", a.Location, b.Location)
	text("sponsor", a.Sponsor, b.Sponsor)
	for f := range census.NumFields {
		x, y := a.V[f], b.V[f]
		if x == y || math.IsNaN(x) && math.IsNaN(y) {
			continue
		}
		d = append(d, fieldDiff{census.Columns[f].Key, numberText(x), numberText(y)})
	}
	return d
}

// numberText is how the history stores a number: the shortest decimal that
// reads back as the same float64, without an exponent; nil when NaN.
func numberText(v float64) *string {
	if math.IsNaN(v) {
		return nil
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	return &s
}

// nullable turns NaN into SQL NULL.
func nullable(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// writer writes batches inside one transaction with multi-row statements.
type writer struct {
	tx      *sql.Tx
	at      time.Time
	records *bulkInsert
	changes *bulkInsert
}

func newWriter(tx *sql.Tx, d Dialect, at time.Time) *writer {
	set := make([]string, 0, recordWidth)
	for _, c := range strings.Split(recordColumns, ", ")[2:] {
		set = append(set, c+" = excluded."+c)
	}
	set = append(set, "batch_id = excluded.batch_id", "updated_at = excluded.updated_at")
	return &writer{
		tx: tx,
		at: at,
		records: &bulkInsert{
			tx:      tx,
			dialect: d,
			head:    `INSERT INTO school_records (` + recordColumns + `, batch_id, updated_at) VALUES `,
			tail:    ` ON CONFLICT (year, school_code) DO UPDATE SET ` + strings.Join(set, ", "),
			width:   recordWidth + 2,
			perStmt: 400,
		},
		changes: &bulkInsert{
			tx:      tx,
			dialect: d,
			head:    `INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at) VALUES `,
			width:   7,
			perStmt: 1000,
		},
	}
}

func (w *writer) close() {
	w.records.close()
	w.changes.close()
}

// apply diffs one batch against stored, logs the batch, writes its new and
// changed records and their history, and updates stored to match.
func (w *writer) apply(ctx context.Context, actor string, b FileBatch, stored map[recordKey]*census.School) (FileSummary, error) {
	fs := FileSummary{File: b.File}
	type change struct {
		rec   *census.School
		diffs []fieldDiff // nil for a new record
	}
	var todo []change
	for i := range b.Schools {
		rec := &b.Schools[i]
		old, ok := stored[recordKey{rec.Year, rec.Code}]
		if !ok {
			fs.Added++
			todo = append(todo, change{rec: rec})
			continue
		}
		d := diffRecords(old, rec)
		if len(d) == 0 {
			fs.Unchanged++
			continue
		}
		fs.Changed++
		fs.Changes += len(d)
		todo = append(todo, change{rec, d})
	}
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO import_batches (file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		b.File, b.SHA256, b.Kind, w.at, fs.Added, fs.Changed, fs.Unchanged, actor).Scan(&fs.Batch)
	if err != nil {
		return fs, fmt.Errorf("log batch: %w", err)
	}
	for _, c := range todo {
		r := c.rec
		args := make([]any, 0, recordWidth+2)
		args = append(args, r.Year, r.Code, r.CountyCode, r.CountyName, r.Name, string(r.Type), r.Ownership, r.Location, r.Sponsor)
		for _, v := range r.V {
			args = append(args, nullable(v))
		}
		args = append(args, fs.Batch, w.at)
		if err := w.records.add(ctx, args...); err != nil {
			return fs, fmt.Errorf("write records: %w", err)
		}
		if c.diffs == nil {
			// The creation of the record: which file brought it, and when.
			if err := w.changes.add(ctx, fs.Batch, r.Year, r.Code, "", nil, nil, w.at); err != nil {
				return fs, fmt.Errorf("write history: %w", err)
			}
		}
		for _, d := range c.diffs {
			if err := w.changes.add(ctx, fs.Batch, r.Year, r.Code, d.column, d.old, d.new, w.at); err != nil {
				return fs, fmt.Errorf("write history: %w", err)
			}
		}
		stored[recordKey{r.Year, r.Code}] = r
	}
	// The next batch may rewrite a record of this one: flush so that the
	// statements run in file order.
	if err := w.records.flush(ctx); err != nil {
		return fs, fmt.Errorf("write records: %w", err)
	}
	if err := w.changes.flush(ctx); err != nil {
		return fs, fmt.Errorf("write history: %w", err)
	}
	return fs, nil
}

// bulkInsert collects rows and writes them perStmt at a time with one
// multi-row INSERT, prepared once: far fewer round trips than a statement per
// row, on both databases. perStmt × width must stay under SQLite's 32 766
// parameters (PostgreSQL allows 65 535).
type bulkInsert struct {
	tx             *sql.Tx
	dialect        Dialect
	head, tail     string
	width, perStmt int

	args []any
	rows int
	full *sql.Stmt // the statement for perStmt rows
}

// add queues one row, writing the queue when it is full.
func (b *bulkInsert) add(ctx context.Context, vals ...any) error {
	if len(vals) != b.width {
		return fmt.Errorf("internal error: %d values for %d columns", len(vals), b.width)
	}
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows < b.perStmt {
		return nil
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.query(b.perStmt)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args, b.rows = b.args[:0], 0
	return err
}

// flush writes the queued rows.
func (b *bulkInsert) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.query(b.rows), b.args...)
	b.args, b.rows = b.args[:0], 0
	return err
}

func (b *bulkInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// query returns the INSERT for n rows.
func (b *bulkInsert) query(n int) string {
	var q strings.Builder
	q.Grow(len(b.head) + len(b.tail) + n*b.width*6)
	q.WriteString(b.head)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		writeParams(&q, b.dialect, i*b.width+1, b.width)
		q.WriteByte(')')
	}
	q.WriteString(b.tail)
	return q.String()
}

// writeParams writes the placeholders of n parameters, the first being
// parameter number first, separated by commas: $first, $first+1, … on
// PostgreSQL, and ?, ?, … on SQLite. SQLite keeps numbered parameters in a
// list it searches linearly for every one bound, which makes a statement
// with thousands of them quadratic: a 100 000-record import took 113 s with
// $n and 1.7 s with ?. The statements that use this helper number
// their parameters in order, so both forms mean the same.
func writeParams(q *strings.Builder, d Dialect, first, n int) {
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		if d == SQLite {
			q.WriteByte('?')
			continue
		}
		q.WriteByte('$')
		q.WriteString(strconv.Itoa(first + i))
	}
}
