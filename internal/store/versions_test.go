package store_test

import (
	"context"
	"errors"
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
		read := func(ctx context.Context) [4]int64 { return readVersions(t, s, ctx, now) }
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

// TestSessionReadsVersions: in a context of WithVersions, the session's
// user is read with the request's versions, in one query: they are the
// versions read without it, and a write after the session was read is not
// seen in that context. Without a session (an unknown, an expired token),
// the versions are still read, and right.
func TestSessionReadsVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustImport(t, s, store.FileBatch{File: "2024.csv", Schools: storetest.Synthetic(2024, 20, 2, 1)})
		u, err := s.CreateUser(ctx, store.User{Username: "jq", DisplayName: "鸠江区督导室", Role: store.RoleCounty, Region: "340207"}, "password1")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().Add(24 * time.Hour) // surveys counted as open then
		read := func(ctx context.Context) [4]int64 { return readVersions(t, s, ctx, now) }
		want := read(ctx)
		for _, tc := range []struct {
			name, token string
			found       bool
		}{{"the session", tok, true}, {"an unknown token", "no-such-token", false}} {
			memo := store.WithVersions(ctx, now)
			got, _, err := s.SessionUser(memo, tc.token)
			if tc.found && (err != nil || got.ID != u.ID || got.DisplayName != u.DisplayName) {
				t.Fatalf("%s: %+v, %v", tc.name, got, err)
			}
			if !tc.found && !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("%s: %v, want ErrNotFound", tc.name, err)
			}
			// A write after the session was read: the request's versions
			// were read with it, before.
			mustImport(t, s, store.FileBatch{File: tc.name + ".csv", Schools: storetest.Synthetic(2024, 30+len(tc.name), 2, 1)})
			if v := read(memo); v != want {
				t.Errorf("%s: the request's versions %v, want %v (read with the session)", tc.name, v, want)
			}
			want = read(ctx)
			// Without WithVersions, the session alone, as before.
			if got, _, err := s.SessionUser(ctx, tc.token); tc.found && (err != nil || got.ID != u.ID) {
				t.Fatalf("%s without versions: %+v, %v", tc.name, got, err)
			}
		}
		// An expired session: not found, and the versions right.
		expired, err := s.CreateSession(ctx, u.ID, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		memo := store.WithVersions(ctx, now)
		if _, _, err := s.SessionUser(memo, expired); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if v := read(memo); v != want {
			t.Errorf("after an expired session: %v, want %v", v, want)
		}
	})
}

// readVersions reads the four versions in ctx, surveys counted as open at now.
func readVersions(t *testing.T, s *store.Store, ctx context.Context, now time.Time) [4]int64 {
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
