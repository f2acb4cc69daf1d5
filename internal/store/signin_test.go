package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// TestReserveSignIn: concurrent attempts never exceed the limits, per
// account from many addresses and per address; a window ends; a released
// attempt is not counted.
func TestReserveSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)
		lim := store.SignInLimit{Window: 15 * time.Minute, PerUser: 5, PerAddr: 20}
		reserve := func(user, addr string, at time.Time) time.Duration {
			t.Helper()
			wait, err := s.ReserveSignIn(ctx, at, user, addr, lim)
			if err != nil {
				t.Fatal(err)
			}
			return wait
		}
		// 60 at once for one account from one address: 5 pass.
		var passed atomic.Int32
		var wg sync.WaitGroup
		for range 60 {
			wg.Go(func() {
				if wait, err := s.ReserveSignIn(ctx, now, "Alice", "10.0.0.1", lim); err != nil {
					t.Error(err)
				} else if wait == 0 {
					passed.Add(1)
				}
			})
		}
		wg.Wait()
		if n := passed.Load(); n != 5 {
			t.Errorf("%d of 60 concurrent attempts passed, want 5", n)
		}
		// The account is limited from every address, under any case.
		if wait := reserve("alice", "10.0.0.2", now.Add(time.Minute)); wait != 14*time.Minute {
			t.Errorf("from another address: wait %v, want 14m", wait)
		}
		// The window ends.
		if wait := reserve("alice", "10.0.0.2", now.Add(15*time.Minute)); wait != 0 {
			t.Errorf("after the window: wait %v", wait)
		}
		// Per address: 20 attempts over many accounts, then none.
		for i := range 20 {
			if wait := reserve(fmt.Sprint("user", i/4), "10.0.0.9", now); wait != 0 {
				t.Fatalf("attempt %d from one address refused", i)
			}
		}
		if wait := reserve("someone-else", "10.0.0.9", now); wait == 0 {
			t.Error("the 21st attempt from one address passed")
		}
		// A released attempt does not count.
		for range 10 {
			if wait := reserve("bob", "10.0.0.3", now); wait != 0 {
				t.Fatal("bob refused although each attempt was released")
			}
			if err := s.ReleaseSignIn(ctx, "bob", "10.0.0.3"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteSignInLimitsBefore(ctx, now.Add(-time.Second)); err != nil || n != 0 {
			t.Errorf("DeleteSignInLimitsBefore(before all) = %d, %v", n, err)
		}
		if n, err := s.DeleteSignInLimitsBefore(ctx, now.Add(time.Hour)); err != nil || n == 0 {
			t.Errorf("DeleteSignInLimitsBefore(after all) = %d, %v", n, err)
		}
	})
}
