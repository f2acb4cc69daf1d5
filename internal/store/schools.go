package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
)

// floatScanner stores a nullable number; NULL becomes NaN ("not reported").
type floatScanner float64

func (f *floatScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*f = floatScanner(math.NaN())
	case float64:
		*f = floatScanner(v)
	case int64: // SQLite may hand back an integral REAL as an integer
		*f = floatScanner(v)
	case []byte:
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return err
		}
		*f = floatScanner(x)
	case string:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return err
		}
		*f = floatScanner(x)
	default:
		return fmt.Errorf("cannot scan %T into a number", src)
	}
	return nil
}

// intScanner stores an integer column into an int.
type intScanner int

func (i *intScanner) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*i = intScanner(v)
	case int32:
		*i = intScanner(v)
	default:
		return fmt.Errorf("cannot scan %T into an int", src)
	}
	return nil
}

// Schools returns the school records of year, in county countyCode or in
// every county when countyCode is "", ordered by county code and school code.
// It returns an empty list, not an error, when there are none.
func (s *Store) Schools(ctx context.Context, year int, countyCode string) (_ []census.School, err error) {
	defer wrap(&err, "schools of %d", year)
	return listOf[census.School](ctx, s, census.KindSchool, year, countyCode)
}

// School returns the record of the school with code in year; it returns
// ErrNotFound if there is none.
func (s *Store) School(ctx context.Context, year int, code string) (_ census.School, err error) {
	defer wrap(&err, "school %s in %d", code, year)
	return oneOf[census.School](ctx, s, census.KindSchool, year, code)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Years returns the years that have school records, in ascending order, or
// an empty list.
func (s *Store) Years(ctx context.Context) ([]int, error) {
	return s.RecordYears(ctx, KindSchool)
}
