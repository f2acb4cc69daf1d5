package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// TestWithVersions: in a context of WithVersions the four versions are the
// ones read without it, read once: a write after the first read is not seen
// in that context (the request began before it), and is seen at once
// without it and in a new one.
func TestWithVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustImport(t, s, store.FileBatch{File: "2024.csv", Schools: storetest.Synthetic(2024, 20, 2, 1)})
		if err := s.Audit(ctx, store.AuditEntry{Username: "a", Action: store.AuditImport}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		read := func(ctx context.Context) [4]int64 {
			t.Helper()
			var v [4]int64
			var err error
			if v[0], err = s.DataVersion(ctx); err != nil {
				t.Fatal(err)
			}
			if v[1], err = s.AuditVersion(ctx); err != nil {
				t.Fatal(err)
			}
			if v[2], err = s.ResponsesVersion(ctx); err != nil {
				t.Fatal(err)
			}
			if v[3], err = s.SurveysOpened(ctx, now); err != nil {
				t.Fatal(err)
			}
			return v
		}
		memo := store.WithVersions(ctx, now)
		want := read(ctx)
		if got := read(memo); got != want {
			t.Fatalf("with versions %v, without %v", got, want)
		}
		if want[0] == 0 || want[1] == 0 {
			t.Fatalf("versions %v: the test proves nothing", want)
		}
		mustImport(t, s, store.FileBatch{File: "again.csv", Schools: storetest.Synthetic(2024, 21, 2, 1)})
		if err := s.Audit(ctx, store.AuditEntry{Username: "a", Action: store.AuditImport}); err != nil {
			t.Fatal(err)
		}
		if got := read(memo); got != want {
			t.Errorf("the request's versions changed to %v after a write: %v", got, want)
		}
		after := read(ctx)
		if after[0] == want[0] || after[1] == want[1] {
			t.Errorf("without WithVersions, a write is not seen: %v, before %v", after, want)
		}
		if got := read(store.WithVersions(ctx, now)); got != after {
			t.Errorf("a new request reads %v, want %v", got, after)
		}
	})
}
