package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
)

// ErrSeatsInput is a set of 学位 inputs that cannot be stored as given; the
// error says what to fix.
var ErrSeatsInput = errors.New("bad school places input")

// SeatsImport is one version of a county's 学位 inputs: an import of
// files, or an edit in a form.
type SeatsImport struct {
	ID     int64
	County string
	Files  []string // none for a form edit
	// Tables are the tables the version replaced (an import) or changed
	// (an edit).
	Tables []seats.Table
	Rows   int // the rows of every table of the version
	Actor  string
	At     time.Time // UTC
}

func seatsErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSeatsInput}, args...)...)
}

// seatsNote is the note of an import of tables: 替换「出生人口」「学校学位」表.
// A form edit's note names its table the same way («添加「规划项目」一行»),
// so seatsNoteTables reads the tables a version changed from either.
func seatsNote(ts []seats.Table) string {
	var b strings.Builder
	b.WriteString("替换")
	for _, t := range ts {
		b.WriteString("「" + seatsio.Schema.Table(string(t)).Sheet + "」")
	}
	b.WriteString("表")
	return b.String()
}

func seatsNoteTables(note string) []seats.Table {
	var out []seats.Table
	for _, t := range seats.Tables {
		if strings.Contains(note, "「"+seatsio.Schema.Table(string(t)).Sheet+"」") {
			out = append(out, t)
		}
	}
	return out
}

// ReplaceSeats stores d as county's 学位 inputs: each table d carries
// replaces the county's rows of it in a new version of the declared
// ledger seatsio.Schema (SaveLedger, with its audit entry and the older
// versions as history), the other tables kept as they were. After the
// replacement every enrolment row, and every project without a
// catchment, must name a school of its stage; otherwise, or when a row
// is given twice, nothing is stored and the error (ErrSeatsInput) names
// the row. Should another version be saved between reading the ledger
// and saving it, the replacement is made once more on that one. The
// forecast's own checks (a project's catchment, the history's shape) are
// the forecast's: they show on the page, not here, so that a county may
// store its tables one at a time. While a reporting task holds the
// ledger under review, the error is that *LockedError.
func (s *Store) ReplaceSeats(ctx context.Context, actor, county string, files []string, d seats.Records) (_ SeatsImport, err error) {
	defer wrap(&err, "store school places of %s", county)
	if len(county) != 6 {
		return SeatsImport{}, seatsErr("%q is not a county code", county)
	}
	if len(d.Tables) == 0 {
		return SeatsImport{}, seatsErr("no table to store")
	}
	for _, t := range d.Tables {
		if !slices.Contains(seats.Tables, t) {
			return SeatsImport{}, seatsErr("unknown table %q", t)
		}
	}
	for try := 0; ; try++ {
		base, v, err := s.Ledger(ctx, seatsio.Schema, county, 0)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return SeatsImport{}, err
		}
		merged, err := seatsio.Merge(base, d)
		if err != nil {
			return SeatsImport{}, seatsErr("%w", err)
		}
		if ps := merged.Validate(); len(ps) > 0 {
			return SeatsImport{}, seatsErr("%s", seatsProblem(ps[0]))
		}
		nv, err := s.SaveLedger(ctx, actor, county, 0, files, seatsNote(d.Tables), v.ID, merged)
		switch {
		case errors.Is(err, ErrLedgerChanged) && try == 0:
			continue
		case errors.Is(err, ErrLedgerInput):
			return SeatsImport{}, fmt.Errorf("%w: %w", ErrSeatsInput, err)
		case err != nil:
			return SeatsImport{}, err
		}
		return seatsImportOf(nv), nil
	}
}

// seatsProblem words a problem of the merged inputs: the table, its row
// (counted from 1 in the table as stored), the column, the value, what is
// wrong and what to do.
func seatsProblem(p ledger.RowProblem) string {
	e := ledger.ErrorAt(p.Row, p.Key, p.Problem.Problem, p.Fix)
	e.File = "「" + p.Row.Table().Sheet + "」表"
	return e.Error()
}

func seatsImportOf(v LedgerVersion) SeatsImport {
	return SeatsImport{ID: v.ID, County: v.County, Files: v.Files, Tables: seatsNoteTables(v.Note), Rows: v.Rows, Actor: v.Actor, At: v.At}
}

// Seats returns every stored 学位 input of county, every table carried,
// in a stable order (births by catchment and year; schools by stage and
// code; enrolment by stage, school, year and grade; projects by stage and
// their place in the list). A county with none returns empty tables.
func (s *Store) Seats(ctx context.Context, county string) (_ seats.Records, err error) {
	d, _, err := s.Ledger(ctx, seatsio.Schema, county, 0)
	if errors.Is(err, ErrNotFound) {
		return seats.Records{Tables: slices.Clone(seats.Tables)}, nil
	}
	if err != nil {
		return seats.Records{}, err
	}
	rec := seatsio.Of(d)
	slices.SortStableFunc(rec.Births, func(a, b seats.Births) int {
		return cmp.Or(strings.Compare(a.Catchment, b.Catchment), cmp.Compare(a.Year, b.Year))
	})
	slices.SortStableFunc(rec.Schools, func(a, b seats.StageSchool) int {
		return cmp.Or(strings.Compare(string(a.Stage), string(b.Stage)), strings.Compare(a.Code, b.Code))
	})
	slices.SortStableFunc(rec.Enrolment, func(a, b seats.StageEnrolment) int {
		return cmp.Or(strings.Compare(string(a.Stage), string(b.Stage)), strings.Compare(a.School, b.School),
			cmp.Compare(a.Year, b.Year), cmp.Compare(a.Grade, b.Grade))
	})
	slices.SortStableFunc(rec.Projects, func(a, b seats.StageProject) int {
		return strings.Compare(string(a.Stage), string(b.Stage))
	})
	return rec, nil
}

// SeatsStages lists the stages of county's stored schools, in the order
// primary, junior, kindergarten; none when it has no 学位 inputs.
func (s *Store) SeatsStages(ctx context.Context, county string) ([]seats.Stage, error) {
	rec, err := s.Seats(ctx, county)
	if err != nil {
		return nil, err
	}
	return rec.Stages(), nil
}

// SeatsImports returns the versions of county's 学位 inputs (its imports
// and form edits), newest first (none when it has none).
func (s *Store) SeatsImports(ctx context.Context, county string) ([]SeatsImport, error) {
	vs, err := s.LedgerVersions(ctx, seatsio.Schema.Kind, county)
	if err != nil {
		return nil, err
	}
	out := make([]SeatsImport, len(vs))
	for i, v := range vs {
		out[i] = seatsImportOf(v)
	}
	return out, nil
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
