package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationio"
)

// ErrRotationInput is a rotation ledger that cannot be stored as given;
// the error says what to fix.
var ErrRotationInput = errors.New("bad rotation ledger")

// RotationImport is one import of a county's rotation ledger of a year.
type RotationImport struct {
	ID     int64
	County string
	Year   int
	Files  []string
	Rows   int
	Actor  string
	At     time.Time // UTC
}

// ReplaceRotation stores l as county's rotation ledger of year: the
// newest version of the declared ledger rotationio.Schema (SaveLedger), in
// one transaction with its audit entry, so that the cached verdicts that
// read the ledger are recomputed; the older versions stay as its history.
// A ledger that breaks rotation.Ledger.Validate stores nothing; the error
// wraps ErrRotationInput. While a reporting task holds the county's
// ledger of the year under review, the error is that *LockedError.
func (s *Store) ReplaceRotation(ctx context.Context, actor, county string, year int, files []string, l rotation.Ledger) (_ RotationImport, err error) {
	return s.ReplaceRotationFrom(ctx, actor, county, year, files, "", AnyVersion, l)
}

// ReplaceRotationFrom is ReplaceRotation for a ledger made from version
// base of the county's ledger (a row edited in a form, with a note of
// what changed): when another version was saved since, nothing is stored
// and the error is ErrLedgerChanged.
func (s *Store) ReplaceRotationFrom(ctx context.Context, actor, county string, year int, files []string, note string, base int64, l rotation.Ledger) (_ RotationImport, err error) {
	defer wrap(&err, "store rotation ledger of %s %d", county, year)
	if len(county) != 6 {
		return RotationImport{}, fmt.Errorf("%w: %q is not a county code", ErrRotationInput, county)
	}
	if year < 1900 || year > 2200 {
		return RotationImport{}, fmt.Errorf("%w: year %d", ErrRotationInput, year)
	}
	if err := l.Validate(); err != nil {
		return RotationImport{}, fmt.Errorf("%w: %w", ErrRotationInput, err)
	}
	d, err := rotationio.Data(l)
	if err != nil {
		return RotationImport{}, fmt.Errorf("%w: %w", ErrRotationInput, err)
	}
	v, err := s.SaveLedger(ctx, actor, county, year, files, note, base, d)
	if errors.Is(err, ErrLedgerInput) {
		return RotationImport{}, fmt.Errorf("%w: %w", ErrRotationInput, err)
	}
	if err != nil {
		return RotationImport{}, err
	}
	return rotationImportOf(v), nil
}

func rotationImportOf(v LedgerVersion) RotationImport {
	return RotationImport{ID: v.ID, County: v.County, Year: v.Year, Files: v.Files, Rows: v.Rows, Actor: v.Actor, At: v.At}
}

// Rotation returns county's rotation ledger of year; it returns
// ErrNotFound when the county has imported none for the year.
func (s *Store) Rotation(ctx context.Context, county string, year int) (rotation.Ledger, error) {
	d, _, err := s.Ledger(ctx, rotationio.Schema, county, year)
	if err != nil {
		return rotation.Ledger{}, err
	}
	l := rotationio.Of(d)
	l.County, l.Year = county, year
	return l, nil
}

// Rotations returns the rotation ledgers of year of county, or of every
// county when county is "", by county code: one for each county with an
// import for the year (none when there is none).
func (s *Store) Rotations(ctx context.Context, year int, county string) (_ []rotation.Ledger, err error) {
	byCounty, err := s.Ledgers(ctx, rotationio.Schema, year, county)
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(byCounty))
	for c := range byCounty {
		if county == "" || c == county {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	out := make([]rotation.Ledger, 0, len(codes))
	for _, c := range codes {
		l := rotationio.Of(byCounty[c])
		l.County, l.Year = c, year
		out = append(out, l)
	}
	return out, nil
}

// RotationImports returns the versions of county's rotation ledgers (its
// imports), newest first (none when it has none).
func (s *Store) RotationImports(ctx context.Context, county string) ([]RotationImport, error) {
	vs, err := s.LedgerVersions(ctx, rotationio.Schema.Kind, county)
	if err != nil {
		return nil, err
	}
	out := make([]RotationImport, len(vs))
	for i, v := range vs {
		out[i] = rotationImportOf(v)
	}
	return out, nil
}
