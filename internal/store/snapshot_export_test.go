package store

import (
	"context"

	"github.com/dudao-edu/dudao/internal/census"
)

// SetSnapshotMin sets the fewest records a snapshot is kept for (tests
// lower it to snapshot a few records; benchmarks raise it to read the rows
// every time) and returns a function that restores it.
func SetSnapshotMin(n int) (restore func()) {
	old := snapshotMin
	snapshotMin = n
	return func() { snapshotMin = old }
}

// EncodeSnapshot and DecodeSnapshot are encodeSnapshot and decodeSnapshot.
func EncodeSnapshot[T any](t *census.Table, year int, recs []T) []byte {
	return encodeSnapshot(t, year, recs)
}

func DecodeSnapshot[T any](t *census.Table, year int, p []byte) ([]T, error) {
	return decodeSnapshot[T](t, year, p)
}

// SchoolRows reads the schools of year from the rows, as Schools does
// without a snapshot.
func (s *Store) SchoolRows(ctx context.Context, year int) ([]census.School, error) {
	return readRecords[census.School](ctx, s, census.KindSchool, year, "")
}
