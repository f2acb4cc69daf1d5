package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// This file is the one path by which records of every kind — schools,
// kindergartens, county records, and any kind declared later — are read,
// written and given a history. A kind is laid out in the database as its
// census.Table says: a table with year, the code column, the other text
// columns and one nullable REAL column per numeric column; its history goes
// to record_changes under the kind (school_code there holds the record's
// code, whatever the kind).

// recordTable is how one kind is laid out in the database.
type recordTable struct {
	kind  census.Kind
	table string
	t     *census.Table
	// text lists the text columns after year and the code, in table order.
	text []string
	cols string // every column read and written, comma separated
}

func newRecordTable(t *census.Table, table string) *recordTable {
	u := &recordTable{kind: t.Kind, table: table, t: t}
	cols := []string{"year", t.CodeKey}
	for _, c := range t.Text {
		if c.Key != "year" && c.Key != t.CodeKey {
			u.text = append(u.text, c.Key)
		}
	}
	cols = append(cols, u.text...)
	for _, c := range t.Num {
		cols = append(cols, c.Key)
	}
	u.cols = strings.Join(cols, ", ")
	return u
}

// recordTables maps each kind to its table. A new kind adds one line here
// and a migration that creates its table.
var recordTables = map[census.Kind]*recordTable{
	census.KindSchool:       newRecordTable(&census.SchoolTable, "school_records"),
	census.KindKindergarten: newRecordTable(&census.KindergartenTable, "kindergarten_records"),
	census.KindCounty:       newRecordTable(&census.CountyTable, "county_records"),
}

// tableOf returns the table of kind, or an error naming an unknown kind.
func tableOf(kind string) (*recordTable, error) {
	if kind == "" {
		kind = KindSchool
	}
	u, ok := recordTables[census.Kind(kind)]
	if !ok {
		return nil, fmt.Errorf("kind %q cannot be stored", kind)
	}
	return u, nil
}

// width is the number of columns in cols.
func (u *recordTable) width() int { return 2 + len(u.text) + len(u.t.Num) }

// records returns a batch's records in the neutral form.
func (b *FileBatch) records() []census.UnitRecord {
	out := make([]census.UnitRecord, 0, len(b.Records)+len(b.Schools)+len(b.Kindergartens)+len(b.Counties))
	out = append(out, b.Records...)
	for i := range b.Schools {
		out = append(out, &b.Schools[i])
	}
	for i := range b.Kindergartens {
		out = append(out, &b.Kindergartens[i])
	}
	for i := range b.Counties {
		out = append(out, &b.Counties[i])
	}
	return out
}

// checkRecords reports a record of another kind, one without a year, code
// or county, and a (year, code) that appears twice in one file.
func checkRecords(u *recordTable, recs []census.UnitRecord) error {
	return checkMore(u, recs, newKeySet(len(recs)))
}

// keySet holds the keys of the records of a file seen so far. A key whose
// code is all digits (a school's or kindergarten's 10, a county's 6) is
// kept as one integer, 8 bytes instead of a string and its year: a
// nation's file is read as a stream with memory that hardly grows with
// it, and this set is what grows.
type keySet struct {
	packed map[uint64]struct{}
	other  map[recordKey]struct{}
}

func newKeySet(n int) *keySet {
	return &keySet{packed: make(map[uint64]struct{}, n), other: map[recordKey]struct{}{}}
}

// add adds the key of year and code and reports whether it was there.
func (s *keySet) add(year int, code string) (dup bool) {
	if k, ok := packKey(year, code); ok {
		if _, dup = s.packed[k]; !dup {
			s.packed[k] = struct{}{}
		}
		return dup
	}
	k := recordKey{year, code}
	if _, dup = s.other[k]; !dup {
		// a copy: the code may share its memory with the rest of a
		// row, which the set would otherwise keep
		k.code = strings.Clone(code)
		s.other[k] = struct{}{}
	}
	return dup
}

// packKey packs a year in 1 … 9999 and a code of 1 to 12 ASCII digits
// into one integer that identifies them: the code's digits as a number
// (below 10¹² < 2⁴⁰) with its length above it, so that 0123 and 123
// differ, and the year above both (below 2¹⁴).
func packKey(year int, code string) (uint64, bool) {
	if year < 1 || year > 9999 || len(code) == 0 || len(code) > 12 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n | uint64(len(code))<<40 | uint64(year)<<44, true
}

// checkMore is checkRecords of the next records of a file, seen holding
// the keys of those before them, to which it adds theirs.
func checkMore(u *recordTable, recs []census.UnitRecord, seen *keySet) error {
	if census.TableOf(u.kind).New == nil {
		return fmt.Errorf("kind %s has no records", u.kind)
	}
	for _, r := range recs {
		if k := kindOf(r); k != u.kind && k != "" {
			return fmt.Errorf("a %s batch holds records of kind %s", u.kind, k)
		}
		y, c := r.Key()
		if c == "" || y == 0 || r.Text("county_code") == "" {
			return fmt.Errorf("a %s record without year, code or county", u.kind)
		}
		if seen.add(y, c) {
			return fmt.Errorf("%s %s appears twice in year %d", u.kind, c, y)
		}
	}
	return nil
}

// recordKey identifies a record of one kind.
type recordKey struct {
	year int
	code string
}

// recordScanner scans rows of a table's cols into one scratch record
// without reflection: database/sql hands every value to a Scan method,
// which writes it straight into the record. It is reused from row to row,
// so a caller copies what it keeps.
type recordScanner struct {
	u    *recordTable
	rec  census.UnitRecord
	year int
	code string
	text []string
	dest []any
}

func (u *recordTable) scanner() *recordScanner {
	sc := &recordScanner{u: u, rec: u.t.New(), text: make([]string, len(u.text))}
	sc.dest = make([]any, 0, u.width())
	sc.dest = append(sc.dest, (*intScanner)(&sc.year), &sc.code)
	for i := range sc.text {
		sc.dest = append(sc.dest, &sc.text[i])
	}
	vals := sc.rec.Values()
	for i := range vals {
		sc.dest = append(sc.dest, (*floatScanner)(&vals[i]))
	}
	return sc
}

// scan reads the current row into the scratch record and returns it.
func (sc *recordScanner) scan(rows interface{ Scan(...any) error }) (census.UnitRecord, error) {
	if err := rows.Scan(sc.dest...); err != nil {
		return nil, err
	}
	sc.rec.SetYear(sc.year)
	sc.rec.SetText(sc.u.t.CodeKey, sc.code)
	for i, k := range sc.u.text {
		sc.rec.SetText(k, sc.text[i])
	}
	return sc.rec, nil
}

// scanNew reads the current row into a new record.
func (u *recordTable) scanNew(rows interface{ Scan(...any) error }) (census.UnitRecord, error) {
	return u.scanner().scan(rows)
}

// fieldDiff is one changed column: its key and its old and new values as
// history text (nil = NULL).
type fieldDiff struct {
	column   string
	old, new *string
}

// diff lists the columns in which b differs from a. Two unreported values
// are equal; so are 0 and -0.
func (u *recordTable) diff(a, b census.UnitRecord) []fieldDiff {
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

// keyChunk is how many codes one lookup query names.
const keyChunk = 500

// load reads the stored records of the (year, code) keys of recs, with one
// query per year and keyChunk codes. Reading only the named records keeps a
// one-county import fast in a province's database.
//
// Years in fresh have no stored records: their keys are not looked up.
func (u *recordTable) load(ctx context.Context, q querier, d Dialect, recs []census.UnitRecord, fresh map[int]bool) (map[recordKey]census.UnitRecord, error) {
	codes := map[int][]string{}
	seen := make(map[recordKey]bool, len(recs))
	for _, r := range recs {
		y, c := r.Key()
		if fresh[y] {
			continue
		}
		if k := (recordKey{y, c}); !seen[k] {
			seen[k] = true
			codes[y] = append(codes[y], c)
		}
	}
	stored := make(map[recordKey]census.UnitRecord, len(seen))
	sc := u.scanner()
	err := u.byCodes(ctx, q, d, u.cols, codes, func(rows *sql.Rows) error {
		r, err := sc.scan(rows)
		if err != nil {
			return err
		}
		c := u.t.New()
		copyRecord(u.t, c, r)
		y, code := c.Key()
		stored[recordKey{y, code}] = c
		return nil
	})
	return stored, err
}

// byCodes reads cols of the stored records of codes (school codes by
// year), keyChunk codes to a query, and calls row for each row read.
func (u *recordTable) byCodes(ctx context.Context, q querier, d Dialect, cols string, codes map[int][]string, row func(*sql.Rows) error) error {
	for year, list := range codes {
		for len(list) > 0 {
			n := min(len(list), keyChunk)
			var b strings.Builder
			fmt.Fprintf(&b, `SELECT %s FROM %s WHERE %s IN (`, cols, u.table, u.t.CodeKey)
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
					if err := row(rows); err != nil {
						return err
					}
				}
				return rows.Err()
			}(); err != nil {
				return fmt.Errorf("load stored %s records: %w", u.kind, err)
			}
		}
	}
	return nil
}

// addFreshYears adds to fresh the years of recs that it lacks, each with
// whether the table holds no record of it: the keys of a fresh year load
// need not look up, so the first import of a year into a database reads
// nothing back. Asked before a file writes any record of the year, it
// holds for the whole file, since a file names each key once.
func (u *recordTable) addFreshYears(ctx context.Context, q querier, recs []census.UnitRecord, fresh map[int]bool) error {
	last := 0
	for _, r := range recs {
		y, _ := r.Key()
		if y == last {
			continue
		}
		last = y
		if _, checked := fresh[y]; checked {
			continue
		}
		var exists bool
		if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+u.table+` WHERE year = $1)`, y).Scan(&exists); err != nil {
			return fmt.Errorf("load stored %s records: %w", u.kind, err)
		}
		fresh[y] = !exists
	}
	return nil
}

// list reads the records of year in county (all counties when ""), ordered
// by county and code, calling each with the scratch record of every row.
func (u *recordTable) list(ctx context.Context, q querier, year int, county string, each func(census.UnitRecord)) error {
	query := fmt.Sprintf(`SELECT %s FROM %s WHERE year = $1`, u.cols, u.table)
	args := []any{year}
	if county != "" {
		query += ` AND county_code = $2`
		args = append(args, county)
	}
	return u.scanAll(ctx, q, query+` ORDER BY county_code, `+u.t.CodeKey, args, each)
}

// scanAll runs query and calls each with the scratch record of every row.
func (u *recordTable) scanAll(ctx context.Context, q querier, query string, args []any, each func(census.UnitRecord)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	sc := u.scanner()
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return err
		}
		each(r)
	}
	return rows.Err()
}

// count returns how many records of year (in county, or all when "") there are.
func (u *recordTable) count(ctx context.Context, q querier, year int, county string) (int, error) {
	query := `SELECT COUNT(*) FROM ` + u.table + ` WHERE year = $1`
	args := []any{year}
	if county != "" {
		query += ` AND county_code = $2`
		args = append(args, county)
	}
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// one reads the record of code in year; it returns ErrNotFound if there is none.
func (u *recordTable) one(ctx context.Context, q querier, year int, code string) (census.UnitRecord, error) {
	row := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE year = $1 AND %s = $2`, u.cols, u.table, u.t.CodeKey), year, code)
	r, err := u.scanNew(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

// Record returns the stored record of kind with code in year; it returns
// ErrNotFound if there is none.
func (s *Store) Record(ctx context.Context, kind string, year int, code string) (_ census.UnitRecord, err error) {
	defer wrap(&err, "%s %s in %d", kind, code, year)
	u, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	return u.one(ctx, s.db, year, code)
}

// Records returns the records of kind in year, in county countyCode or in
// every county when it is "", ordered by county and code, or an empty list.
func (s *Store) Records(ctx context.Context, kind string, year int, countyCode string) (_ []census.UnitRecord, err error) {
	defer wrap(&err, "%s records of %d", kind, year)
	u, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	out := []census.UnitRecord{}
	err = u.list(ctx, s.db, year, countyCode, func(r census.UnitRecord) {
		c := u.t.New()
		copyRecord(u.t, c, r)
		out = append(out, c)
	})
	return out, err
}

// copyRecord copies every column of src into dst, both of table t.
func copyRecord(t *census.Table, dst, src census.UnitRecord) {
	y, _ := src.Key()
	dst.SetYear(y)
	for _, c := range t.Text {
		if c.Key != "year" {
			dst.SetText(c.Key, src.Text(c.Key))
		}
	}
	copy(dst.Values(), src.Values())
}

// listOf reads the records of kind in year (in county, or every county
// when ""), ordered by county and code, as values of their own type T
// (census.School, census.Kindergarten …), sized once by a count: growing a
// slice of 210 000 records step by step took 40 % of the time. Every
// county is read by readParallel when the store has connections to spare.
//
// A read of every county first looks for a snapshot of the year's records
// at the current data version (snapshot_db.go), and stores one after
// reading the rows when there was none.
func listOf[T any](ctx context.Context, s *Store, kind census.Kind, year int, county string) ([]T, error) {
	if county != "" {
		return readRecords[T](ctx, s, kind, year, county)
	}
	v, parts, err := s.lookupSnapshot(ctx, kind, year)
	if err != nil {
		// No snapshot to be had (a database being migrated, say): the
		// rows are the records.
		return readRecords[T](ctx, s, kind, year, county)
	}
	bad := false
	if len(parts) > 0 {
		out, ok, broken := readSnapshot[T](ctx, s, kind, year, v, parts)
		if ok {
			return out, nil
		}
		bad = broken
	}
	out, err := readRecords[T](ctx, s, kind, year, county)
	if err != nil || len(out) < snapshotMin {
		return out, err
	}
	if now, err := s.currentVersions(ctx); err == nil && now == v {
		saveSnapshot(ctx, s, kind, year, v, out, bad)
	}
	return out, nil
}

// readRecords is listOf from the rows.
func readRecords[T any](ctx context.Context, s *Store, kind census.Kind, year int, county string) ([]T, error) {
	u := recordTables[kind]
	if county == "" && s.readers > 1 {
		out, ok, err := readParallel[T](ctx, s, u, year)
		if err != nil || ok {
			return out, err
		}
	}
	n, err := u.count(ctx, s.db, year, county)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, n)
	err = u.list(ctx, s.db, year, county, func(r census.UnitRecord) {
		out = append(out, *any(r).(*T))
	})
	return out, err
}

// readParallel reads the records of kind in year, ordered by county and
// code, with s.readers queries over contiguous ranges of counties of about
// as many records each, on as many connections, each filling its own part
// of the result. Decoding rows costs far more than finding them (on
// SQLite, every column read takes the connection's mutex), so the reads
// scale with the cores.
//
// The queries run on different connections and so in different
// snapshots: readParallel reads the data version before and after, and
// reports ok = false, for a caller to read again in one query, when a
// write committed in between or a range's count changed.
func readParallel[T any](ctx context.Context, s *Store, u *recordTable, year int) (_ []T, ok bool, err error) {
	v0, err := s.DataVersion(ctx)
	if err != nil {
		return nil, false, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT county_code, COUNT(*) FROM `+u.table+` WHERE year = $1 GROUP BY county_code ORDER BY county_code`, year)
	if err != nil {
		return nil, false, err
	}
	type part struct {
		from, to string // counties, inclusive
		off, n   int    // where its records go in the result, how many
	}
	var (
		parts []part
		total int
	)
	func() {
		defer rows.Close()
		var counties []string
		var counts []int
		for rows.Next() {
			var c string
			var n int
			if err = rows.Scan(&c, &n); err != nil {
				return
			}
			counties, counts = append(counties, c), append(counts, n)
			total += n
		}
		if err = rows.Err(); err != nil {
			return
		}
		per := (total + s.readers - 1) / s.readers
		off := 0
		for i, c := range counties {
			if len(parts) == 0 || parts[len(parts)-1].n >= per {
				parts = append(parts, part{from: c, off: off})
			}
			p := &parts[len(parts)-1]
			p.to, p.n = c, p.n+counts[i]
			off += counts[i]
		}
	}()
	if err != nil {
		return nil, false, err
	}
	out := make([]T, total)
	// As readSnapshot's: a nation's 96 MB of records on huge pages. The
	// first read of a server, before any snapshot, took a fault for every
	// 4 KB of them.
	hugepages.Advise(unsafe.Pointer(unsafe.SliceData(out)), uintptr(total)*unsafe.Sizeof(out[0]))
	errs := make([]error, len(parts))
	short := make([]bool, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			dst := out[p.off : p.off+p.n]
			k := 0
			query := fmt.Sprintf(`SELECT %s FROM %s WHERE year = $1 AND county_code >= $2 AND county_code <= $3 ORDER BY county_code, %s`, u.cols, u.table, u.t.CodeKey)
			errs[i] = u.scanAll(ctx, s.db, query, []any{year, p.from, p.to}, func(r census.UnitRecord) {
				if k < len(dst) {
					dst[k] = *any(r).(*T)
				}
				k++
			})
			short[i] = k != len(dst)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, false, err
	}
	v1, err := s.DataVersion(ctx)
	if err != nil || v1 != v0 || slices.Contains(short, true) {
		return nil, false, err
	}
	return out, true, nil
}

// oneOf reads the record of kind with code in year as a value of its own
// type T; it returns ErrNotFound if there is none.
func oneOf[T any](ctx context.Context, s *Store, kind census.Kind, year int, code string) (T, error) {
	r, err := recordTables[kind].one(ctx, s.db, year, code)
	if err != nil {
		var zero T
		return zero, err
	}
	return *any(r).(*T), nil
}

// Kindergartens returns the kindergarten records of year, in county
// countyCode or in every county when it is "", ordered by county and code.
// It returns an empty list when there are none.
func (s *Store) Kindergartens(ctx context.Context, year int, countyCode string) (_ []census.Kindergarten, err error) {
	defer wrap(&err, "kindergartens of %d", year)
	return listOf[census.Kindergarten](ctx, s, census.KindKindergarten, year, countyCode)
}

// Kindergarten returns the record of the kindergarten with code in year; it
// returns ErrNotFound if there is none.
func (s *Store) Kindergarten(ctx context.Context, year int, code string) (_ census.Kindergarten, err error) {
	defer wrap(&err, "kindergarten %s in %d", code, year)
	return oneOf[census.Kindergarten](ctx, s, census.KindKindergarten, year, code)
}

// CountyRecords returns the county records of year (one county when
// countyCode is not ""), ordered by county code, or an empty list.
func (s *Store) CountyRecords(ctx context.Context, year int, countyCode string) (_ []census.CountyRecord, err error) {
	defer wrap(&err, "county records of %d", year)
	return listOf[census.CountyRecord](ctx, s, census.KindCounty, year, countyCode)
}

// CountyRecord returns the record of county code in year; it returns
// ErrNotFound if there is none.
func (s *Store) CountyRecord(ctx context.Context, year int, code string) (_ census.CountyRecord, err error) {
	defer wrap(&err, "county record %s in %d", code, year)
	return oneOf[census.CountyRecord](ctx, s, census.KindCounty, year, code)
}

// SaveCountyRecord stores rec as an edit made by actor (in the web form):
// it creates the record when there is none; see SaveRecord.
func (s *Store) SaveCountyRecord(ctx context.Context, actor string, rec census.CountyRecord) (changes int, err error) {
	return s.SaveRecord(ctx, actor, &rec, true, nil)
}

// UpdateKindergarten replaces the stored record of rec.Year and rec.Code
// with rec, as an edit made by actor; see SaveRecord. It returns
// ErrNotFound when there is no such record.
func (s *Store) UpdateKindergarten(ctx context.Context, actor string, rec census.Kindergarten) (changes int, err error) {
	return s.SaveRecord(ctx, actor, &rec, false, nil)
}

// UpdateSchool replaces the stored record of rec.Year and rec.Code with rec,
// as an edit made by actor; see SaveRecord. It returns ErrNotFound when
// there is no such record to edit.
func (s *Store) UpdateSchool(ctx context.Context, actor string, rec census.School) (changes int, err error) {
	return s.SaveRecord(ctx, actor, &rec, false, nil)
}

// SaveRecord stores rec (of the kind its type says) as one edit made by
// actor, in a form or through the API, and returns the number of columns
// that changed (every reported one for a new record). Changes go to the
// history under a batch of kind "edit"; an edit that changes nothing
// records nothing. Without create it returns ErrNotFound when there is no
// record to change. check, when not nil, is called inside the transaction
// with the stored record (nil when there is none) and rec, and an error it
// returns stops the save: callers use it to check the account's scope
// against the stored record, not only against what was sent.
func (s *Store) SaveRecord(ctx context.Context, actor string, rec census.UnitRecord, create bool, check CheckFunc) (changes int, err error) {
	y, code := rec.Key()
	kind := kindOf(rec)
	defer wrap(&err, "save %s %s in %d", kind, code, y)
	u, err := tableOf(string(kind))
	if err != nil {
		return 0, err
	}
	if err := checkRecords(u, []census.UnitRecord{rec}); err != nil {
		return 0, err
	}
	err = s.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		old, err := u.one(ctx, tx, y, code)
		switch {
		case errors.Is(err, ErrNotFound) && create:
			old = nil
		case err != nil:
			return err
		}
		if check != nil {
			if err := check(old, rec); err != nil {
				return err
			}
		}
		if old != nil && len(u.diff(old, rec)) == 0 {
			return nil // an edit that changes nothing records nothing
		}
		if lock, err := recordLock(ctx, tx, kind, y, code); err != nil {
			return err
		} else if lock != nil {
			return lock
		}
		var stored census.UnitRecord
		if old != nil {
			stored = old
		}
		if lock, err := caseLockOf(ctx, tx, kind, stored, rec); err != nil {
			return err
		} else if lock != nil {
			return lock
		}
		if err := ensureRegions(ctx, tx, []census.UnitRecord{rec}); err != nil {
			return err
		}
		w := newWriter(conn, tx, s.dialect, s.now())
		defer w.close()
		fs, err := w.apply(ctx, actor, KindEdit, "", "", u, []census.UnitRecord{rec}, nil)
		if err != nil {
			return err
		}
		changes = fs.Changes
		if fs.Added == 1 {
			for _, v := range rec.Values() {
				if !math.IsNaN(v) {
					changes++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changes, nil
}

// kindOf returns the kind of a record by its type.
func kindOf(r census.UnitRecord) census.Kind {
	switch r.(type) {
	case *census.School:
		return census.KindSchool
	case *census.Kindergarten:
		return census.KindKindergarten
	case *census.CountyRecord:
		return census.KindCounty
	}
	return ""
}

// RecordHistory returns the history of the record of kind with code in
// year, oldest first: its creation, then every changed column. It returns
// ErrNotFound if there is neither a record nor a history.
func (s *Store) RecordHistory(ctx context.Context, kind string, year int, code string) (_ []Change, err error) {
	defer wrap(&err, "history of %s %s in %d", kind, code, year)
	u, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	out, err := s.changes(ctx, u, year, code)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := u.one(ctx, s.db, year, code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UnitHistory is RecordHistory; kept for the callers of kindergarten and
// county records.
func (s *Store) UnitHistory(ctx context.Context, kind string, year int, code string) ([]Change, error) {
	return s.RecordHistory(ctx, kind, year, code)
}

// RecordYears returns the years that have records of kind, ascending, or
// an empty list.
func (s *Store) RecordYears(ctx context.Context, kind string) (_ []int, err error) {
	defer wrap(&err, "years of %s records", kind)
	u, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	// One index lookup per year (the primary key starts with year), not
	// a scan of every record as SELECT DISTINCT is: 210 000 schools took
	// tens of milliseconds.
	rows, err := s.db.QueryContext(ctx, `WITH RECURSIVE y (year) AS (
			SELECT MIN(year) FROM `+u.table+`
			UNION ALL
			SELECT (SELECT MIN(year) FROM `+u.table+` WHERE year > y.year) FROM y WHERE y.year IS NOT NULL
		) SELECT year FROM y WHERE year IS NOT NULL ORDER BY year`)
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

// UnitYears is RecordYears.
func (s *Store) UnitYears(ctx context.Context, kind string) ([]int, error) {
	return s.RecordYears(ctx, kind)
}
