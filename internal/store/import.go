package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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
	Kind   string // a record kind (KindSchool, KindKindergarten, KindCounty); "" means KindSchool
	// Schools are the file's records. A (year, school code) may appear only
	// once in a file; across the files of one import, later files win.
	Schools []census.School
	// Kindergartens or Counties are the records of a file of kind
	// KindKindergarten or KindCounty, under the same rules.
	Kindergartens []census.Kindergarten
	Counties      []census.CountyRecord
	// Records are records of the batch's kind in the neutral form, for
	// callers that handle every kind alike; they come before the typed
	// slices above.
	Records []census.UnitRecord
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

// CheckFunc decides whether a record may be stored over what is stored:
// old is the stored record of the same kind, year and code (nil when there
// is none), rec the record to store. It runs inside the import's
// transaction, so what it sees is what the write replaces.
type CheckFunc func(old, rec census.UnitRecord) error

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
// A county that the records name and the regions lack is added, with its
// city and province (see ensureRegions); regions that exist are never
// changed by records, and a record placed in a city or a province is
// refused.
func (s *Store) Import(ctx context.Context, actor string, batches []FileBatch) (Summary, error) {
	return s.ImportChecked(ctx, actor, batches, nil)
}

// ImportChecked is Import with check called, inside the transaction, for
// every record against the stored one; an error from check stops the
// import and nothing is stored. The web upload uses it to refuse a record
// whose stored county is outside the account's scope.
func (s *Store) ImportChecked(ctx context.Context, actor string, batches []FileBatch, check CheckFunc) (sum Summary, err error) {
	defer wrap(&err, "import")
	type prepared struct {
		b    *FileBatch
		u    *recordTable
		recs []census.UnitRecord
	}
	todo := make([]prepared, len(batches))
	byKind := map[*recordTable][]census.UnitRecord{}
	var all []census.UnitRecord
	for i := range batches {
		b := &batches[i]
		u, err := tableOf(b.Kind)
		if err != nil {
			return Summary{}, fmt.Errorf("%s: %w", b.File, err)
		}
		recs := b.records()
		for _, r := range recs {
			if kindOf(r) != u.kind && kindOf(r) != "" {
				return Summary{}, fmt.Errorf("%s: a %s batch holds records of kind %s", b.File, u.kind, kindOf(r))
			}
		}
		if err := checkRecords(u, recs); err != nil {
			return Summary{}, fmt.Errorf("%s: %w", b.File, err)
		}
		todo[i] = prepared{b, u, recs}
		byKind[u] = append(byKind[u], recs...)
		all = append(all, recs...)
	}
	if len(batches) == 0 {
		return Summary{PerFile: []FileSummary{}}, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		sum = Summary{Files: len(batches), PerFile: make([]FileSummary, 0, len(batches))}
		if err := ensureRegions(ctx, tx, all); err != nil {
			return err
		}
		stored := map[*recordTable]map[recordKey]census.UnitRecord{}
		for u, recs := range byKind {
			m, err := u.load(ctx, tx, s.dialect, recs)
			if err != nil {
				return err
			}
			stored[u] = m
		}
		w := newWriter(tx, s.dialect, s.now())
		defer w.close()
		for _, p := range todo {
			if check != nil {
				for _, r := range p.recs {
					y, c := r.Key()
					old := stored[p.u][recordKey{y, c}]
					if err := check(old, r); err != nil {
						return fmt.Errorf("%s: %w", p.b.File, err)
					}
				}
			}
			fs, err := w.apply(ctx, actor, string(p.u.kind), p.b.File, p.b.SHA256, p.u, p.recs, stored[p.u])
			if err != nil {
				return fmt.Errorf("%s: %w", p.b.File, err)
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

// writer writes batches inside one transaction with multi-row statements:
// one bulk insert per record table, one for the history.
type writer struct {
	tx      *sql.Tx
	d       Dialect
	at      time.Time
	records map[*recordTable]*bulkInsert
	changes *bulkInsert
}

func newWriter(tx *sql.Tx, d Dialect, at time.Time) *writer {
	return &writer{
		tx:      tx,
		d:       d,
		at:      at,
		records: map[*recordTable]*bulkInsert{},
		changes: &bulkInsert{
			tx:      tx,
			dialect: d,
			head:    `INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind) VALUES `,
			width:   8,
			perStmt: 1000,
		},
	}
}

// insert returns the bulk insert of u's records.
func (w *writer) insert(u *recordTable) *bulkInsert {
	if b, ok := w.records[u]; ok {
		return b
	}
	cols := strings.Split(u.cols, ", ")
	set := make([]string, 0, len(cols))
	for _, c := range cols[2:] {
		set = append(set, c+" = excluded."+c)
	}
	set = append(set, "batch_id = excluded.batch_id", "updated_at = excluded.updated_at")
	b := &bulkInsert{
		tx:      w.tx,
		dialect: w.d,
		head:    `INSERT INTO ` + u.table + ` (` + u.cols + `, batch_id, updated_at) VALUES `,
		tail:    ` ON CONFLICT (year, ` + u.t.CodeKey + `) DO UPDATE SET ` + strings.Join(set, ", "),
		width:   u.width() + 2,
	}
	// perStmt × width must stay under SQLite's 32 766 parameters.
	b.perStmt = min(400, 32000/b.width)
	w.records[u] = b
	return b
}

func (w *writer) close() {
	for _, b := range w.records {
		b.close()
	}
	w.changes.close()
}

// apply diffs the records of one file (or one edit, kind KindEdit) against
// stored, logs the batch, writes its new and changed records and their
// history, and updates stored to match.
func (w *writer) apply(ctx context.Context, actor, kind, file, sha string, u *recordTable, recs []census.UnitRecord, stored map[recordKey]census.UnitRecord) (FileSummary, error) {
	fs := FileSummary{File: file}
	type change struct {
		rec   census.UnitRecord
		diffs []fieldDiff // nil for a new record
	}
	var todo []change
	for _, rec := range recs {
		y, c := rec.Key()
		old, ok := stored[recordKey{y, c}]
		if !ok {
			fs.Added++
			todo = append(todo, change{rec: rec})
			continue
		}
		d := u.diff(old, rec)
		if len(d) == 0 {
			fs.Unchanged++
			continue
		}
		fs.Changed++
		fs.Changes += len(d)
		todo = append(todo, change{rec, d})
	}
	if kind == KindEdit && len(todo) == 0 {
		return fs, nil // an edit that changes nothing records nothing
	}
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO import_batches (file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		file, sha, kind, w.at, fs.Added, fs.Changed, fs.Unchanged, actor).Scan(&fs.Batch)
	if err != nil {
		return fs, fmt.Errorf("log batch: %w", err)
	}
	ins := w.insert(u)
	for _, c := range todo {
		r := c.rec
		if err := ins.add(ctx, append(u.args(r), fs.Batch, w.at)...); err != nil {
			return fs, fmt.Errorf("write %s records: %w", u.kind, err)
		}
		y, code := r.Key()
		if c.diffs == nil {
			// The creation of the record: which file brought it, and when.
			if err := w.changes.add(ctx, fs.Batch, y, code, "", nil, nil, w.at, string(u.kind)); err != nil {
				return fs, fmt.Errorf("write history: %w", err)
			}
		}
		for _, d := range c.diffs {
			if err := w.changes.add(ctx, fs.Batch, y, code, d.column, d.old, d.new, w.at, string(u.kind)); err != nil {
				return fs, fmt.Errorf("write history: %w", err)
			}
		}
		stored[recordKey{y, code}] = r
	}
	// The next batch may rewrite a record of this one: flush so that the
	// statements run in file order.
	if err := ins.flush(ctx); err != nil {
		return fs, fmt.Errorf("write %s records: %w", u.kind, err)
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
