package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dudao-edu/dudao/internal/census"
)

// Stream is a census file that is read as it is imported: its records
// reach the store a chunk at a time, so an import holds a few chunks of a
// file however large it is, and the file is read while the records
// already read are written.
type Stream struct {
	File string // the file's name as the user gave it
	// Read reads the file and calls put with its records in file order,
	// a chunk at a time, all of the kind kind ("" means KindSchool). The
	// records are put's to keep: Read must not change them after put
	// returns. Read stops when put returns an error, and returns it. It
	// returns what it did not hand on (records of other kinds, which it
	// collects and which are few) as a FileBatch, with the file's SHA-256,
	// which is known once the file is read.
	Read func(put func(kind string, recs []census.UnitRecord) error) (rest FileBatch, err error)
}

// streamDepth is how many chunks a stream's reader may be ahead of the
// writer.
const streamDepth = 2

// ImportStreams imports the records of streams as Import imports files, in
// one transaction: all of them or, on any error (a bad row that Read finds
// late included), none. Each file's records are checked and written as
// they arrive, while the reader reads the next ones; a file's records of
// other kinds (its rest) are written when it has been read.
func (s *Store) ImportStreams(ctx context.Context, actor string, streams []Stream) (sum Summary, err error) {
	defer wrap(&err, "import")
	sum = Summary{Files: len(streams), PerFile: make([]FileSummary, 0, len(streams))}
	if len(streams) == 0 {
		return sum, nil
	}
	err = s.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		w := newWriter(conn, tx, s.dialect, s.now())
		defer w.close()
		for _, st := range streams {
			fs, err := w.stream(ctx, actor, st)
			if err != nil {
				return fmt.Errorf("%s: %w", st.File, err)
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

// piece is a chunk of a stream on its way from the reader to the writer.
type piece struct {
	kind string
	recs []census.UnitRecord
}

// stream writes one file: its reader runs in a goroutine of its own and
// hands its chunks over a channel of streamDepth, which the writer takes
// in order.
func (w *writer) stream(ctx context.Context, actor string, st Stream) (FileSummary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		f        *fileWrite
		seen     = newKeySet(0)
		counties countyNames
	)
	pieces := make(chan piece, streamDepth)
	type done struct {
		rest FileBatch
		err  error
	}
	read := make(chan done, 1)
	go func() {
		defer close(pieces)
		var u *recordTable
		rest, err := st.Read(func(kind string, recs []census.UnitRecord) error {
			// The checks that need no database run here, beside the
			// reading, not in the writer's turn.
			if u == nil {
				var err error
				if u, err = tableOf(kind); err != nil {
					return err
				}
			}
			if err := checkMore(u, recs, seen); err != nil {
				return err
			}
			counties.add(recs)
			select {
			case pieces <- piece{kind, recs}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		read <- done{rest, err}
	}()
	werr := func() error {
		for p := range pieces {
			u, err := tableOf(p.kind)
			if err != nil {
				return err
			}
			if f == nil {
				f = w.begin(actor, string(u.kind), st.File, u, nil)
			} else if f.u != u {
				return fmt.Errorf("a %s file holds records of kind %s", f.u.kind, u.kind)
			}
			if err := checkLocks(ctx, w.tx, u, p.recs); err != nil {
				return err
			}
			if err := f.add(ctx, p.recs); err != nil {
				return err
			}
		}
		return nil
	}()
	if werr != nil {
		cancel()
		for range pieces { // until the reader has stopped
		}
	}
	d := <-read
	switch {
	case werr != nil:
		return FileSummary{File: st.File}, werr
	case d.err != nil:
		if errors.Is(d.err, context.Canceled) && ctx.Err() != nil {
			return FileSummary{File: st.File}, ctx.Err()
		}
		return FileSummary{File: st.File}, d.err
	}
	rest := d.rest
	recs := rest.records()
	u, err := tableOf(rest.Kind)
	if err != nil {
		return FileSummary{File: st.File}, err
	}
	switch {
	case f == nil:
		f = w.begin(actor, string(u.kind), st.File, u, nil)
	case len(recs) > 0 && u != f.u:
		return f.fs, fmt.Errorf("a %s file holds records of kind %s", f.u.kind, u.kind)
	}
	if len(recs) > 0 {
		if err := checkMore(f.u, recs, seen); err != nil {
			return f.fs, err
		}
		counties.add(recs)
		if err := checkLocks(ctx, w.tx, f.u, recs); err != nil {
			return f.fs, err
		}
		if err := f.add(ctx, recs); err != nil {
			return f.fs, err
		}
	}
	// The counties of the whole file at once, as Import adds them: a code
	// is a county, not a city, when any record of the file names it so.
	if err := counties.ensure(ctx, w.tx); err != nil {
		return f.fs, err
	}
	return f.end(ctx, rest.SHA256)
}
