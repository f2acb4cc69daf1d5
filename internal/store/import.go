package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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

// add counts the file of fs in s.
func (s *Summary) add(fs FileSummary) {
	s.PerFile = append(s.PerFile, fs)
	s.Added += fs.Added
	s.Changed += fs.Changed
	s.Unchanged += fs.Unchanged
	s.Changes += fs.Changes
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
	}
	if len(batches) == 0 {
		return Summary{PerFile: []FileSummary{}}, nil
	}
	err = s.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		sum = Summary{Files: len(batches), PerFile: make([]FileSummary, 0, len(batches))}
		for _, p := range todo {
			if err := ensureRegions(ctx, tx, p.recs); err != nil {
				return err
			}
		}
		for _, p := range todo {
			if err := checkLocks(ctx, tx, p.u, p.recs); err != nil {
				return fmt.Errorf("%s: %w", p.b.File, err)
			}
		}
		w := newWriter(conn, tx, s.dialect, s.now())
		defer w.close()
		for _, p := range todo {
			fs, err := w.apply(ctx, actor, string(p.u.kind), p.b.File, p.b.SHA256, p.u, p.recs, check)
			if err != nil {
				return fmt.Errorf("%s: %w", p.b.File, err)
			}
			sum.add(fs)
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

// writer writes batches inside one transaction. The records and their
// history go straight to the driver's connection (sql.Conn.Raw), in the
// transaction that conn runs: on SQLite as prepared multi-row INSERTs bound
// from a reused argument slice, without database/sql's conversion of every
// value; on PostgreSQL with COPY for new records and the history.
type writer struct {
	conn *sql.Conn
	tx   *sql.Tx
	d    Dialect
	at   time.Time
	// stmts are the SQLite statements of perStmt rows prepared so far, by
	// their SQL: every chunk of a file writes with the same ones, and
	// preparing a statement of thousands of parameters again for each of
	// the nation's 26 chunks took a tenth of a second.
	stmts map[string]driver.Stmt
	feed  *feed
}

// useFeed lets a SQLite import write its records from a feed (see feed.go)
// rather than bind them as parameters; tests turn it off to compare.
var useFeed = true

func newWriter(conn *sql.Conn, tx *sql.Tx, d Dialect, at time.Time) *writer {
	return &writer{conn: conn, tx: tx, d: d, at: at, stmts: map[string]driver.Stmt{}}
}

// close closes the statements the writer prepared. It is called before
// the transaction ends, on the connection that prepared them.
func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
	clear(w.stmts)
	if w.feed != nil {
		w.feed.drop(context.Background(), w.tx)
		w.feed = nil
	}
}

// pending is a record to write: new (diffs nil) or changed.
type pending struct {
	rec   census.UnitRecord
	diffs []fieldDiff
}

// importChunk is how many records of a file are diffed and written at a
// time: the store holds the stored records and the pending writes of one
// chunk, not of the whole file. It is a multiple of the SQLite statements'
// 400 rows.
const importChunk = 8000

// analyzeAfter is how many new records of one file make the import update
// PostgreSQL's statistics of their table.
const analyzeAfter = 10_000

// apply writes the records of one file (or one edit, kind KindEdit) a
// chunk at a time: it reads the stored records of the chunk's keys (which
// include what earlier files of the import wrote, in the same
// transaction), calls check, when not nil, for each record, and writes the
// new and changed records and their history. It logs the batch before its
// first write and sets its counts at the end; an edit that changes nothing
// records nothing.
func (w *writer) apply(ctx context.Context, actor, kind, file, sha string, u *recordTable, recs []census.UnitRecord, check CheckFunc) (FileSummary, error) {
	f := w.begin(actor, kind, file, u, check)
	if err := f.add(ctx, recs); err != nil {
		return f.fs, err
	}
	return f.end(ctx, sha)
}

// fileWrite is the write of one file's records, which add takes in any
// number of pieces (apply: all at once; ImportStreams: as they are read)
// in file order.
type fileWrite struct {
	w                 *writer
	actor, kind, file string
	u                 *recordTable
	check             CheckFunc
	fs                FileSummary
	started           bool
	fresh             map[int]bool // by year: no record of it stored before the file
	rebuild           func(context.Context) error
	todo              []pending
}

func (w *writer) begin(actor, kind, file string, u *recordTable, check CheckFunc) *fileWrite {
	return &fileWrite{w: w, actor: actor, kind: kind, file: file, u: u, check: check, fs: FileSummary{File: file}, fresh: map[int]bool{}}
}

func (f *fileWrite) logBatch(ctx context.Context, sha string) error {
	err := f.w.tx.QueryRowContext(ctx, `
		INSERT INTO import_batches (file_name, file_sha256, kind, imported_at, added, changed, unchanged, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		f.file, sha, f.kind, f.w.at, f.fs.Added, f.fs.Changed, f.fs.Unchanged, f.actor).Scan(&f.fs.Batch)
	if err != nil {
		return fmt.Errorf("log batch: %w", err)
	}
	return nil
}

// add writes recs, the next records of the file. The first call decides
// whether a SQLite table that is empty gets its indexes built after the
// load, from the order of its records (see inIndexOrder).
func (f *fileWrite) add(ctx context.Context, recs []census.UnitRecord) error {
	w, u := f.w, f.u
	if len(recs) == 0 {
		return nil
	}
	if !f.started {
		f.started = true
		if w.d == SQLite && deferIndexes && !inIndexOrder(recs) {
			rebuild, err := dropIndexesWhenEmpty(ctx, w.tx, u.table, "record_changes")
			if err != nil {
				return err
			}
			f.rebuild = rebuild
		}
	}
	// A year is fresh when no record of it was stored before this file:
	// asked at its first record, before the file wrote any of it.
	if err := u.addFreshYears(ctx, w.tx, recs, f.fresh); err != nil {
		return err
	}
	for len(recs) > 0 {
		chunk := recs[:min(len(recs), importChunk)]
		recs = recs[len(chunk):]
		stored, err := u.loadStored(ctx, w.tx, w.d, chunk, f.fresh)
		if err != nil {
			return err
		}
		todo := f.todo[:0]
		for _, rec := range chunk {
			y, c := rec.Key()
			old, ok := stored[recordKey{y, c}]
			if f.check != nil {
				if err := f.check(old, rec); err != nil {
					return err
				}
			}
			if !ok {
				f.fs.Added++
				todo = append(todo, pending{rec: rec})
				continue
			}
			d := u.diff(old, rec)
			if len(d) == 0 {
				f.fs.Unchanged++
				continue
			}
			f.fs.Changed++
			f.fs.Changes += len(d)
			todo = append(todo, pending{rec, d})
		}
		f.todo = todo
		if len(todo) == 0 {
			continue
		}
		if f.fs.Batch == 0 {
			if err := f.logBatch(ctx, ""); err != nil {
				return err
			}
		}
		if w.d == SQLite && useFeed && (w.feed == nil || w.feed.u != u) {
			if w.feed != nil {
				if err := w.feed.drop(ctx, w.tx); err != nil {
					return err
				}
				w.feed = nil
			}
			if w.feed, err = newFeed(ctx, w.tx, u); err != nil {
				return err
			}
		}
		err = w.conn.Raw(func(dc any) error {
			switch c := dc.(type) {
			case *stdlib.Conn:
				return w.copyPostgres(ctx, c.Conn(), u, f.fs.Batch, todo)
			case driver.ConnPrepareContext:
				return w.bindSQLite(ctx, c, u, f.fs.Batch, todo)
			}
			return fmt.Errorf("internal error: no bulk write for %T", dc)
		})
		clear(f.todo) // the records are the caller's, who may reuse them
		if err != nil {
			return err
		}
	}
	return nil
}

// end finishes the file: it builds the indexes the first add dropped,
// refreshes PostgreSQL's statistics after many new records, and sets the
// batch's counts and the file's hash (known, for a file read as it is
// written, only once it is read).
func (f *fileWrite) end(ctx context.Context, sha string) (FileSummary, error) {
	w, u, fs := f.w, f.u, f.fs
	if f.rebuild != nil {
		if err := f.rebuild(ctx); err != nil {
			return fs, err
		}
	}
	if w.d == Postgres && fs.Added >= analyzeAfter {
		// A table that just received many rows has no statistics for
		// them yet (autovacuum comes later), and without them PostgreSQL
		// reads the whole table for every lookup of stored records: a
		// second import right after a first one of 210 000 records took
		// more than ten minutes. ANALYZE runs in the transaction, so the
		// next file of this import and every later one plan with them.
		if _, err := w.tx.ExecContext(ctx, `ANALYZE `+u.table); err != nil {
			return fs, fmt.Errorf("analyze %s: %w", u.table, err)
		}
	}
	switch {
	case fs.Batch != 0:
		_, err := w.tx.ExecContext(ctx, `UPDATE import_batches SET added = $1, changed = $2, unchanged = $3, file_sha256 = $4 WHERE id = $5`,
			fs.Added, fs.Changed, fs.Unchanged, sha, fs.Batch)
		if err != nil {
			return fs, fmt.Errorf("log batch: %w", err)
		}
	case f.kind == KindEdit:
		// an edit that changes nothing records nothing
	default:
		// A file that changed nothing is still logged: it was checked
		// and found current.
		if err := f.logBatch(ctx, sha); err != nil {
			return fs, err
		}
	}
	return f.fs, nil
}

// loadStored is load reading fewer columns: the numbers that no record of
// recs reports are read as one flag per row, whether all of them are NULL,
// instead of one by one. A file fills about half of them (the nation: 17
// of 41), and the driver's cost of reading a row back grows with its
// columns, which made a re-import of the nation spend most of its time
// here. A stored record whose flag says that one of those numbers holds a
// value (a column the file no longer reports) is read in full with load,
// so what the diff sees is the whole stored record either way.
func (u *recordTable) loadStored(ctx context.Context, q querier, d Dialect, recs []census.UnitRecord, fresh map[int]bool) (map[recordKey]census.UnitRecord, error) {
	skip := make([]bool, len(u.t.Num))
	for i := range skip {
		skip[i] = true
	}
	codes := map[int][]string{}
	for _, r := range recs {
		y, c := r.Key()
		if fresh[y] {
			continue
		}
		codes[y] = append(codes[y], c) // a file names each key once (checkRecords)
		for i, v := range r.Values() {
			if skip[i] && !math.IsNaN(v) {
				skip[i] = false
			}
		}
	}
	if len(codes) == 0 {
		return map[recordKey]census.UnitRecord{}, nil
	}
	sel := []string{"year", u.t.CodeKey}
	sel = append(sel, u.text...)
	var nulls []string
	for i, c := range u.t.Num {
		if skip[i] {
			nulls = append(nulls, c.Key+" IS NULL")
		} else {
			sel = append(sel, c.Key)
		}
	}
	if len(nulls) == 0 {
		return u.load(ctx, q, d, recs, fresh)
	}
	sel = append(sel, "CASE WHEN "+strings.Join(nulls, " AND ")+" THEN 1 ELSE 0 END")
	scratch := u.t.New() // its skipped numbers stay NaN
	var (
		year, allNull int
		code          string
		text          = make([]string, len(u.text))
	)
	dest := []any{(*intScanner)(&year), &code}
	for i := range text {
		dest = append(dest, &text[i])
	}
	vals := scratch.Values()
	for i := range vals {
		if !skip[i] {
			dest = append(dest, (*floatScanner)(&vals[i]))
		}
	}
	dest = append(dest, (*intScanner)(&allNull))
	stored := make(map[recordKey]census.UnitRecord, len(recs))
	full := map[recordKey]bool{}
	err := u.byCodes(ctx, q, d, strings.Join(sel, ", "), codes, func(rows *sql.Rows) error { // year and code are scanned into dest
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		k := recordKey{year, code}
		if allNull != 1 {
			full[k] = true
			return nil
		}
		scratch.SetYear(year)
		scratch.SetText(u.t.CodeKey, code)
		for i, key := range u.text {
			scratch.SetText(key, text[i])
		}
		c := u.t.New()
		copyRecord(u.t, c, scratch)
		stored[k] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(full) > 0 {
		var again []census.UnitRecord
		for _, r := range recs {
			if y, c := r.Key(); full[recordKey{y, c}] {
				again = append(again, r)
			}
		}
		more, err := u.load(ctx, q, d, again, nil)
		if err != nil {
			return nil, err
		}
		maps.Copy(stored, more)
	}
	return stored, nil
}

// deferIndexes lets a SQLite import into empty tables build their
// secondary indexes after the load (see dropIndexesWhenEmpty); tests turn
// it off to compare with the row-by-row upkeep.
var deferIndexes = true

// inIndexOrder reports whether recs come nearly in the order of the
// indexes an import keeps up: by year and code (the primary key, and the
// history's by record) and by year, county and code (the county index),
// with at most one record in a hundred out of order. Appending to a B-tree
// in its order costs no more than building it afterwards (the nation,
// sorted but for one county, took 3 % longer with its indexes built
// after), so such a file keeps its indexes (see dropIndexesWhenEmpty).
func inIndexOrder(recs []census.UnitRecord) bool {
	descents := 0
	for i := 1; i < len(recs); i++ {
		py, pc := recs[i-1].Key()
		y, c := recs[i].Key()
		pk, k := recs[i-1].Text("county_code"), recs[i].Text("county_code")
		if y < py || y == py && (c < pc || k < pk) {
			descents++
		}
	}
	return descents <= len(recs)/100
}

// dropIndexesWhenEmpty drops the secondary indexes (those with SQL in
// sqlite_schema; the primary key's stays) of each of tables that holds no
// row, inside tx, and returns the function that creates them again from
// the same SQL. Filling an empty table and then building its indexes
// sorts each index once and writes it in order, where keeping them up to
// date costs a B-tree insertion per row and index: a first import of the
// nation's 206 947 records in random order into school_records and
// record_changes (three secondary indexes between them) took 8.4 s of CPU
// with them kept up and 4.5 s with them built after the load.
// The result is the same schema, the same rows and the same index entries;
// a uniqueness that an index enforces fails at its creation, which fails
// the import and rolls everything back.
func dropIndexesWhenEmpty(ctx context.Context, tx *sql.Tx, tables ...string) (rebuild func(context.Context) error, err error) {
	var create []string
	rebuild = func(ctx context.Context) error {
		for _, q := range create {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("rebuild index: %w", err)
			}
		}
		return nil
	}
	for _, t := range tables {
		var empty bool
		if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&empty); err != nil {
			return nil, err
		}
		if !empty {
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER BY name`, t)
		if err != nil {
			return nil, err
		}
		var names []string
		for rows.Next() {
			var name, q string
			if err := rows.Scan(&name, &q); err != nil {
				rows.Close()
				return nil, err
			}
			names = append(names, name)
			create = append(create, q)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
				return nil, fmt.Errorf("drop index %s: %w", name, err)
			}
		}
	}
	return rebuild, nil
}

// bindSQLite writes the records of todo and the history of their changed
// columns, in todo's order, with multi-row INSERTs. The batch id (an
// integer) and the kind (a name from recordTables) are written into the
// statement; the time is its parameter ?1, bound once per statement rather
// than once per row, and the rows come from a VALUES list of ? parameters.
//
// A new record's creation is kept on its row, as created_batch (see
// migration 00220), not as a row of record_changes: a first import then
// writes the records' table and its indexes, and no history at all.
func (w *writer) bindSQLite(ctx context.Context, c driver.ConnPrepareContext, u *recordTable, batch int64, todo []pending) error {
	cols := strings.Split(u.cols, ", ")
	set := make([]string, 0, len(cols))
	for _, c := range cols[2:] {
		set = append(set, c+" = excluded."+c)
	}
	set = append(set, "batch_id = excluded.batch_id", "updated_at = excluded.updated_at")
	b := strconv.FormatInt(batch, 10)
	// A number that no record of todo reports is written as NULL in the
	// statement rather than bound as a parameter in every row: binding
	// costs SQLite more than storing, and a census file fills about half
	// of the columns (the nation: 17 of 41).
	unreported := u.unreported(todo)
	row, width := u.rowSQL(unreported)
	recs := &stmtBatch{
		c:      c,
		head:   `INSERT INTO ` + u.table + ` (` + u.cols + `, batch_id, updated_at, created_batch) SELECT *, ` + b + `, ?1, ` + b + ` FROM (VALUES `,
		tail:   `) WHERE true ON CONFLICT (year, ` + u.t.CodeKey + `) DO UPDATE SET ` + strings.Join(set, ", "),
		width:  width,
		values: row,
		first:  w.at,

		prepared: w.stmts,
	}
	// perStmt × width must stay under SQLite's 32 766 parameters.
	recs.perStmt = min(400, 32000/recs.width)
	hist := &stmtBatch{
		c:       c,
		head:    `INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind) SELECT ` + b + `, column1, column2, column3, column4, column5, ?1, '` + string(u.kind) + `' FROM (VALUES `,
		tail:    `)`,
		width:   5,
		perStmt: 1000,
		first:   w.at,

		prepared: w.stmts,
	}
	if w.feed != nil {
		// The records in one statement, from the feed.
		w.feed.todo = todo
		defer func() { w.feed.todo = nil }()
		// SQLite asks the feed only for the columns the SELECT names:
		// not for the numbers no record reports.
		sel := slices.Clone(cols[:2+len(u.text)])
		for i, c := range u.t.Num {
			if unreported[i] {
				sel = append(sel, "NULL")
			} else {
				sel = append(sel, c.Key)
			}
		}
		q := `INSERT INTO ` + u.table + ` (` + u.cols + `, batch_id, updated_at, created_batch) SELECT ` + strings.Join(sel, ", ") + `, ` + b + `, ?1, ` + b + ` FROM ` + w.feed.name + strings.TrimPrefix(recs.tail, ")")
		st, ok := w.stmts[q]
		if !ok {
			var err error
			if st, err = c.PrepareContext(ctx, q); err != nil {
				return fmt.Errorf("write %s records: %w", u.kind, err)
			}
			w.stmts[q] = st
		}
		if _, err := st.(driver.StmtExecContext).ExecContext(ctx, []driver.NamedValue{{Ordinal: 1, Value: w.at}}); err != nil {
			return fmt.Errorf("write %s records: %w", u.kind, err)
		}
	} else {
		box := newBoxes(len(u.text))
		for _, p := range todo {
			recs.args = u.appendArgs(recs.next(), p.rec, unreported, box)
			if err := recs.row(ctx); err != nil {
				return fmt.Errorf("write %s records: %w", u.kind, err)
			}
		}
		if err := recs.flush(ctx); err != nil {
			return fmt.Errorf("write %s records: %w", u.kind, err)
		}
	}
	// The history of the changed records, in todo's order.
	for _, p := range todo {
		if len(p.diffs) == 0 {
			continue
		}
		y, code := p.rec.Key()
		for _, d := range p.diffs {
			hist.args = appendValues(hist.next(), int64(y), code, d.column, textValue(d.old), textValue(d.new))
			if err := hist.row(ctx); err != nil {
				return fmt.Errorf("write history: %w", err)
			}
		}
	}
	if err := hist.flush(ctx); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// copyPostgres writes the records of todo and their history with COPY:
// new records straight into their table (their keys are not stored, so
// nothing conflicts) with their creation (created_batch), changed ones with
// multi-row INSERT … ON CONFLICT, and the history of changed columns in
// todo's order. Rows are built one at a time as COPY reads
// them, so memory stays that of one row.
func (w *writer) copyPostgres(ctx context.Context, c *pgx.Conn, u *recordTable, batch int64, todo []pending) error {
	cols := append(strings.Split(u.cols, ", "), "batch_id", "updated_at")
	row := make([]any, 0, len(cols)+1) // and created_batch for a new record
	values := func(r census.UnitRecord) []any {
		y, code := r.Key()
		row = append(row[:0], y, code)
		for _, k := range u.text {
			row = append(row, r.Text(k))
		}
		for _, v := range r.Values() {
			row = append(row, nullable(v))
		}
		return append(row, batch, w.at)
	}
	i := -1
	next := func(changed bool) bool {
		for i++; i < len(todo); i++ {
			if (todo[i].diffs != nil) == changed {
				return true
			}
		}
		return false
	}
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if !next(false) {
			return nil, nil
		}
		return append(values(todo[i].rec), batch), nil // created_batch
	})
	if _, err := c.CopyFrom(ctx, pgx.Identifier{u.table}, slices.Concat(cols, []string{"created_batch"}), src); err != nil {
		return fmt.Errorf("write %s records: %w", u.kind, err)
	}
	set := make([]string, 0, len(cols))
	for _, c := range cols[2:] {
		set = append(set, c+" = excluded."+c)
	}
	up := &pgUpsert{
		head:  `INSERT INTO ` + u.table + ` (` + strings.Join(cols, ", ") + `) VALUES `,
		tail:  ` ON CONFLICT (year, ` + u.t.CodeKey + `) DO UPDATE SET ` + strings.Join(set, ", "),
		width: len(cols),
	}
	// perStmt × width must stay under PostgreSQL's 65 535 parameters.
	up.perStmt = min(400, 65000/up.width)
	i = -1
	for next(true) {
		up.args = append(up.args, values(todo[i].rec)...)
		if up.rows++; up.rows == up.perStmt {
			if err := up.exec(ctx, c); err != nil {
				return fmt.Errorf("write %s records: %w", u.kind, err)
			}
		}
	}
	if err := up.exec(ctx, c); err != nil {
		return fmt.Errorf("write %s records: %w", u.kind, err)
	}
	p, d := 0, 0 // the record of todo, and its next diff
	hrow := make([]any, 8)
	hist := pgx.CopyFromFunc(func() ([]any, error) {
		for ; p < len(todo); p, d = p+1, 0 {
			t := todo[p]
			y, code := t.rec.Key()
			hrow[0], hrow[1], hrow[2], hrow[6], hrow[7] = batch, y, code, w.at, string(u.kind)
			if d < len(t.diffs) {
				f := t.diffs[d]
				hrow[3], hrow[4], hrow[5] = f.column, f.old, f.new
				d++
				return hrow, nil
			}
		}
		return nil, nil
	})
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"record_changes"},
		[]string{"batch_id", "year", "school_code", "column_key", "old_value", "new_value", "changed_at", "kind"}, hist); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// textValue is a history value as a driver value: nil for NULL.
func textValue(s *string) driver.Value {
	if s == nil {
		return nil
	}
	return *s
}

// appendValues appends vals to args as the next positional arguments.
func appendValues(args []driver.NamedValue, vals ...driver.Value) []driver.NamedValue {
	for _, v := range vals {
		args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
	}
	return args
}

// appendArgs appends the values of r in u.cols order to args as driver
// values (int64, string, float64 or nil for an unreported number), but for
// the numbers that skip marks, which the statement writes as NULL. The
// values are boxed by box.
func (u *recordTable) appendArgs(args []driver.NamedValue, r census.UnitRecord, skip []bool, box *boxes) []driver.NamedValue {
	y, c := r.Key()
	args = appendValues(args, box.year(y), c)
	for i, k := range u.text {
		args = appendValues(args, box.text(i, r.Text(k)))
	}
	for i, v := range r.Values() {
		switch {
		case skip[i]:
		case math.IsNaN(v):
			args = appendValues(args, nil)
		default:
			args = appendValues(args, box.number(v))
		}
	}
	return args
}

// boxes turns a record's values into driver values (interfaces) without
// allocating for the values that repeat from record to record: the year,
// a text column's value when it is the previous record's (the county, the
// type of school, …), and the small whole numbers most counts are. An
// import of the nation allocated 24 times per record, most of them to box
// these.
type boxes struct {
	y     int
	boxY  driver.Value
	prev  []string
	boxT  []driver.Value
	small [1024]driver.Value // the whole numbers 0 … 1023, boxed on first use
}

func newBoxes(texts int) *boxes {
	return &boxes{prev: make([]string, texts), boxT: make([]driver.Value, texts)}
}

func (b *boxes) year(y int) driver.Value {
	if b.boxY == nil || y != b.y {
		b.y, b.boxY = y, int64(y)
	}
	return b.boxY
}

// text boxes the value s of the i-th text column.
func (b *boxes) text(i int, s string) driver.Value {
	if b.boxT[i] == nil || s != b.prev[i] {
		b.prev[i], b.boxT[i] = s, s
	}
	return b.boxT[i]
}

func (b *boxes) number(v float64) driver.Value {
	if v >= 0 && v < float64(len(b.small)) && v == math.Trunc(v) && !math.Signbit(v) {
		i := int(v)
		if b.small[i] == nil {
			b.small[i] = v
		}
		return b.small[i]
	}
	return v
}

// unreported marks the numbers (by index in u.t.Num) that no record of
// todo reports.
func (u *recordTable) unreported(todo []pending) []bool {
	out := make([]bool, len(u.t.Num))
	for i := range out {
		out[i] = true
	}
	for _, p := range todo {
		for i, v := range p.rec.Values() {
			if out[i] && !math.IsNaN(v) {
				out[i] = false
			}
		}
	}
	return out
}

// rowSQL returns a row of a VALUES list of u.cols, (?, ?, …), with NULL for
// the numbers that skip marks, and how many parameters it has.
func (u *recordTable) rowSQL(skip []bool) (string, int) {
	var q strings.Builder
	q.WriteByte('(')
	n := 2 + len(u.text)
	writeParams(&q, SQLite, 0, n)
	for _, s := range skip {
		if s {
			q.WriteString(",NULL")
		} else {
			q.WriteString(",?")
			n++
		}
	}
	q.WriteByte(')')
	return q.String(), n
}

// stmtBatch collects rows of width values and writes them perStmt at a
// time with one multi-row statement prepared once on the driver's
// connection: far fewer statements than one per row, and no conversion of
// every value by database/sql. The statement is head, the rows as (?, …),
// tail; its parameter ?1 is first, and the rows' parameters follow.
type stmtBatch struct {
	c              driver.ConnPrepareContext
	head, tail     string
	width, perStmt int
	// values is a row of the VALUES list, with width parameters; "" for
	// (?, …) of width parameters.
	values string
	first  driver.Value

	args []driver.NamedValue // first, then the queued rows' values
	// prepared holds the statements of perStmt rows, by their SQL; the
	// writer's, which closes them.
	prepared map[string]driver.Stmt
	fullSQL  string // the SQL of perStmt rows, once built
}

// next returns args to append a row's values to: the queue, which starts
// with the statement's first parameter.
func (b *stmtBatch) next() []driver.NamedValue {
	if len(b.args) == 0 {
		b.args = append(b.args, driver.NamedValue{Ordinal: 1, Value: b.first})
	}
	return b.args
}

// row counts the width values just appended to args as one row, writing
// the queue when it is full.
func (b *stmtBatch) row(ctx context.Context) error {
	if rows := (len(b.args) - 1) / b.width; rows < b.perStmt {
		return nil
	}
	if b.fullSQL == "" {
		b.fullSQL = b.query(b.perStmt)
	}
	st, ok := b.prepared[b.fullSQL]
	if !ok {
		var err error
		if st, err = b.c.PrepareContext(ctx, b.fullSQL); err != nil {
			return err
		}
		b.prepared[b.fullSQL] = st
	}
	return b.exec(ctx, st)
}

func (b *stmtBatch) exec(ctx context.Context, st driver.Stmt) error {
	_, err := st.(driver.StmtExecContext).ExecContext(ctx, b.args)
	b.args = b.args[:0]
	return err
}

// flush writes the queued rows.
func (b *stmtBatch) flush(ctx context.Context) error {
	if len(b.args) <= 1 {
		b.args = b.args[:0]
		return nil
	}
	st, err := b.c.PrepareContext(ctx, b.query((len(b.args)-1)/b.width))
	if err != nil {
		return err
	}
	defer st.Close()
	return b.exec(ctx, st)
}

// query returns the statement for n rows.
func (b *stmtBatch) query(n int) string {
	var q strings.Builder
	q.Grow(len(b.head) + len(b.tail) + n*(b.width*2+3))
	q.WriteString(b.head)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		if b.values != "" {
			q.WriteString(b.values)
			continue
		}
		q.WriteByte('(')
		writeParams(&q, SQLite, 0, b.width)
		q.WriteByte(')')
	}
	q.WriteString(b.tail)
	return q.String()
}

// pgUpsert collects rows of changed records and writes them perStmt at a
// time with one multi-row INSERT … ON CONFLICT through pgx.
type pgUpsert struct {
	head, tail     string
	width, perStmt int

	args []any
	rows int
}

// exec writes the queued rows.
func (b *pgUpsert) exec(ctx context.Context, c *pgx.Conn) error {
	if b.rows == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(b.head)
	for i := range b.rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		writeParams(&q, Postgres, i*b.width+1, b.width)
		q.WriteByte(')')
	}
	q.WriteString(b.tail)
	_, err := c.Exec(ctx, q.String(), b.args...)
	b.args, b.rows = b.args[:0], 0
	return err
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

// checkLocks refuses records that would change data a reporting task
// holds locked (submitted, approved or accepted): a file may carry a locked
// record unchanged, but not a change to it.
//
// A recognition case being judged holds its county's records of its year
// locked too (caseLocks): a record of such a county, or one stored under
// it, may come unchanged but not changed, and no record may be added to it.
func checkLocks(ctx context.Context, tx *sql.Tx, u *recordTable, recs []census.UnitRecord) error {
	type yearLocks struct {
		task   map[string]*LockedError // by record code
		county map[string]*LockedError // by county code: the cases'
		stored map[string]string       // record code → its stored county, for records stored in a locked county
	}
	years := map[int]*yearLocks{}
	for _, r := range recs {
		y, code := r.Key()
		yl, ok := years[y]
		if !ok {
			yl = &yearLocks{}
			var err error
			if yl.task, err = lockedCodes(ctx, tx, u.kind, y); err != nil {
				return err
			}
			if yl.county, err = caseLocks(ctx, tx, u.kind, y); err != nil {
				return err
			}
			if yl.stored, err = storedIn(ctx, tx, u, y, yl.county); err != nil {
				return err
			}
			years[y] = yl
		}
		lock := yl.task[code]
		if lock == nil {
			for _, c := range []string{recordCounty(u.kind, r), yl.stored[code]} {
				if l := yl.county[c]; l != nil && lock == nil {
					l := *l
					l.Code = code
					lock = &l
				}
			}
		}
		if lock == nil {
			continue
		}
		old, err := u.one(ctx, tx, y, code)
		if errors.Is(err, ErrNotFound) {
			return lock
		}
		if err != nil {
			return err
		}
		if len(u.diff(old, r)) > 0 {
			return lock
		}
	}
	return nil
}

// storedIn returns the codes of the records of u stored in year under the
// counties of locks, with their county: one query, none when there is no
// lock.
func storedIn(ctx context.Context, tx *sql.Tx, u *recordTable, year int, locks map[string]*LockedError) (map[string]string, error) {
	if len(locks) == 0 {
		return nil, nil
	}
	args := []any{year}
	var ph []string
	for c := range locks {
		args = append(args, c)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s, county_code FROM %s WHERE year = $1 AND county_code IN (%s)`,
		u.t.CodeKey, u.table, strings.Join(ph, ", ")), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, county string
		if err := rows.Scan(&code, &county); err != nil {
			return nil, err
		}
		out[code] = county
	}
	return out, rows.Err()
}
