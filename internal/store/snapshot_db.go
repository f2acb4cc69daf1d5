package store

import (
	"unsafe"

	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// Snapshots of a year's records (snapshot.go) are kept in the table
// record_snapshots, so that every process of a database shares them: the
// first read of a nation after an import scans the rows and stores a
// snapshot; every later read, by this process or another, decodes the
// snapshot instead, in a tenth of the time.
//
// A snapshot is keyed by the data version (the newest import batch: every
// import and every edit of records makes one, in the transaction that
// writes the records) and by the migration version (the newest row of
// goose_db_version, for a migration that changes records), read together
// in the one query that looks the snapshot up; a snapshot of other
// versions is never served. One is stored only when the versions read
// after the rows are the ones read before them, so it holds what the rows
// held at its versions.

// snapshotMin is the fewest records a snapshot is kept for: fewer rows
// read fast enough, and a small database is spared the writes.
var snapshotMin = 2000

// snapshotPart is about how many records one part of a snapshot holds:
// the parts of a nation are fetched and decoded on every core at once.
const snapshotPart = 25_000

// snapshotVersions is the key a snapshot is valid under.
type snapshotVersions struct{ data, schema int64 }

// versionsSQL selects the current data and migration versions as d and m.
const versionsSQL = `SELECT (SELECT COALESCE(MAX(id), 0) FROM import_batches) AS d,
	(SELECT COALESCE(MAX(id), 0) FROM goose_db_version) AS m`

// snapshotPartInfo is one part of a stored snapshot: its number and how
// many records it holds.
type snapshotPartInfo struct{ part, records int }

// lookupSnapshot returns the current versions and the parts of the
// snapshot of kind and year at them, in order (none when there is no
// snapshot, or when its parts are not 0, 1, … in order).
func (s *Store) lookupSnapshot(ctx context.Context, kind census.Kind, year int) (v snapshotVersions, parts []snapshotPartInfo, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.d, v.m, p.part, p.records FROM (`+versionsSQL+`) v
		LEFT JOIN record_snapshots p ON p.kind = $1 AND p.year = $2 AND p.format = $3
			AND p.data_version = v.d AND p.schema_version = v.m
		ORDER BY p.part`, string(kind), year, snapshotFormat)
	if err != nil {
		return v, nil, err
	}
	defer rows.Close()
	ok := true
	for rows.Next() {
		var part, records sql.NullInt64
		if err := rows.Scan(&v.data, &v.schema, &part, &records); err != nil {
			return v, nil, err
		}
		if !part.Valid {
			continue
		}
		ok = ok && part.Int64 == int64(len(parts)) && records.Int64 >= 0 && records.Int64 <= 1<<30
		parts = append(parts, snapshotPartInfo{int(part.Int64), int(records.Int64)})
	}
	if err := rows.Err(); err != nil {
		return v, nil, err
	}
	if !ok {
		parts = nil
	}
	return v, parts, nil
}

// readSnapshot reads and decodes the parts of the snapshot of kind and
// year at v, on s.readers connections at once. It returns ok = false when
// a part is gone (a reader replaced the snapshot meanwhile) or cannot be
// decoded (bad = true: it is to be replaced).
func readSnapshot[T any](ctx context.Context, s *Store, kind census.Kind, year int, v snapshotVersions, parts []snapshotPartInfo) (out []T, ok, bad bool) {
	total := 0
	for _, p := range parts {
		total += p.records
	}
	if total > 1<<24 {
		return nil, false, true // not a count of records: damage
	}
	out = make([]T, total)
	// A nation's records are 96 MB touched once each by the decoders:
	// huge pages spare most of their faults.
	hugepages.Advise(unsafe.Pointer(unsafe.SliceData(out)), uintptr(total)*unsafe.Sizeof(out[0]))
	t := recordTables[kind].t
	var (
		next   atomic.Int64
		failed atomic.Bool
		broken atomic.Bool
		wg     sync.WaitGroup
	)
	offs := make([]int, len(parts))
	for i := 1; i < len(parts); i++ {
		offs[i] = offs[i-1] + parts[i-1].records
	}
	for range min(s.readers, len(parts)) {
		wg.Go(func() {
			var buf partBuffer // a part's payload, decompressed
			defer buf.free()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(parts) {
					return
				}
				dst := out[offs[i] : offs[i]+parts[i].records]
				found := false
				err := s.snapshotPayload(ctx, kind, year, v, i, func(stored []byte) {
					found = true
					p, err := buf.decompress(stored)
					if err == nil {
						_, err = decodeSnapshotInto(t, year, p, dst)
					}
					if err != nil {
						broken.Store(true)
					}
				})
				if err != nil || !found || broken.Load() {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return nil, false, broken.Load()
	}
	return out, true, false
}

// snapshotPayload calls use with the payload of one part of a snapshot,
// if it is there; the payload is only valid during use.
func (s *Store) snapshotPayload(ctx context.Context, kind census.Kind, year int, v snapshotVersions, part int, use func([]byte)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT payload FROM record_snapshots WHERE kind = $1 AND year = $2
		AND data_version = $3 AND schema_version = $4 AND format = $5 AND part = $6`,
		string(kind), year, v.data, v.schema, snapshotFormat, part)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var p sql.RawBytes
		if err := rows.Scan(&p); err != nil {
			return err
		}
		use(p)
	}
	return rows.Close()
}

// currentVersions reads the current data and migration versions.
func (s *Store) currentVersions(ctx context.Context) (snapshotVersions, error) {
	return currentVersionsOn(ctx, s.db)
}

func currentVersionsOn(ctx context.Context, q querier) (v snapshotVersions, err error) {
	err = q.QueryRowContext(ctx, versionsSQL).Scan(&v.data, &v.schema)
	return v, err
}

// saveSnapshot stores recs, the records of kind in year read at versions
// v, as a snapshot, if v is still current, and deletes the kind's
// snapshots of the year at other versions (replace also deletes one at v:
// it could not be decoded). It is best effort: the records were read, and
// a snapshot not stored is made again by the next reader. Two processes
// storing the same snapshot at once both succeed (ON CONFLICT DO NOTHING).
// On SQLite it waits at most a moment for the write lock, which an import
// may hold for seconds, rather than delay the reader.
func saveSnapshot[T any](ctx context.Context, s *Store, kind census.Kind, year int, v snapshotVersions, recs []T, replace bool) {
	t := recordTables[kind].t
	n := max(1, (len(recs)+snapshotPart/2)/snapshotPart)
	payloads := make([][]byte, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, s.readers))
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if p := encodeSnapshot(t, year, recs[len(recs)*i/n:len(recs)*(i+1)/n]); p != nil {
				payloads[i] = compressSnapshot(p)
			}
		})
	}
	wg.Wait()
	for _, p := range payloads {
		if p == nil {
			return // a record of another year: not a snapshot of year
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if s.dialect == SQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 200`); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			return
		}
		defer func() {
			if _, err := conn.ExecContext(context.Background(), `PRAGMA busy_timeout = 10000`); err != nil {
				// Do not hand the pool a connection that gives up early.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return
	}
	defer tx.Rollback()
	// Only while v is current: a reader that took long must not leave a
	// snapshot of versions already gone in the place of the current one.
	// (On SQLite the transaction holds the write lock, so v stays
	// current; on PostgreSQL a write committing now leaves at worst a
	// snapshot that is never served and that the next reader deletes.)
	if now, err := currentVersionsOn(ctx, tx); err != nil || now != v {
		return
	}
	if replace {
		_, err = tx.ExecContext(ctx, `DELETE FROM record_snapshots WHERE kind = $1 AND year = $2`, string(kind), year)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM record_snapshots WHERE kind = $1 AND year = $2
			AND NOT (data_version = $3 AND schema_version = $4 AND format = $5)`, string(kind), year, v.data, v.schema, snapshotFormat)
	}
	if err != nil {
		return
	}
	at := s.now()
	for i, p := range payloads {
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_snapshots (kind, year, data_version, schema_version, format, part, records, created_at, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			string(kind), year, v.data, v.schema, snapshotFormat, i, len(recs)*(i+1)/n-len(recs)*i/n, at, p); err != nil {
			return
		}
	}
	tx.Commit()
}
