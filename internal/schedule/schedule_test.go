package schedule_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/schedule"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// clock is a controllable clock.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) set(t time.Time) { c.t.Store(&t) }
func (c *clock) now() time.Time  { return *c.t.Load() }

func waitFor(t *testing.T, ch <-chan string, kind string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case k := <-ch:
			if k == kind {
				return
			}
			if k == kind+" failed" {
				t.Fatalf("job %s failed", kind)
			}
		case <-deadline:
			t.Fatalf("job %s did not complete in 30 s", kind)
		}
	}
}

func seed(t *testing.T, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	schools := storetest.Synthetic(2024, 6, 1, 3)
	if _, err := st.Import(ctx, "admin", []store.FileBatch{{File: "s.csv", Schools: schools}}); err != nil {
		t.Fatal(err)
	}
	county := schools[0].CountyCode
	if _, _, err := st.CreateTask(ctx, "county", store.Task{Title: "秋季填报", Year: 2024, Kinds: []string{string(census.KindSchool)},
		Region: county, OpenerLevel: review.LevelCounty, Due: "2024-09-20", RemindDays: []int{3}}); err != nil {
		t.Fatal(err)
	}
	return len(schools)
}

// TestSchedulerReminders runs the queue on a controllable clock: nothing
// is due on 1 September; on 17 September (three days before) each school
// and its county get a reminder; a restart of the scheduler at the same
// time sends nothing twice; after the due date the overdue notices go out.
func TestSchedulerReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		n := seed(t, st)
		county := storetest.Synthetic(2024, 6, 1, 3)[0].CountyCode
		var c clock
		c.set(time.Date(2024, 9, 1, 1, 0, 0, 0, time.UTC))
		start := func() (*schedule.Scheduler, <-chan string, func()) {
			s, err := schedule.Start(ctx, st, schedule.Config{Now: c.now, Every: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			ch, cancel := s.Completed()
			return s, ch, cancel
		}
		count := func() int {
			ns, err := st.Notices(ctx, county, "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			return len(ns)
		}
		s, ch, cancel := start()
		waitFor(t, ch, "dudao_reminders")
		if got := count(); got != 0 {
			t.Fatalf("1 September: %d notices", got)
		}
		c.set(time.Date(2024, 9, 17, 1, 0, 0, 0, time.UTC))
		if err := s.RunNow(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ch, "dudao_reminders")
		if got := count(); got != 1 { // one for the county, counting its schools
			t.Fatalf("17 September: %d county notices, want 1", got)
		}
		schools := storetest.Synthetic(2024, 6, 1, 3)
		if ns, _ := st.Notices(ctx, county, schools[0].Code, 10); len(ns) != 1 {
			t.Fatalf("17 September: %d notices for a school, want 1", len(ns))
		}
		cancel()
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		// A restart runs the periodic jobs at once, and sends nothing twice.
		s, ch, cancel = start()
		waitFor(t, ch, "dudao_reminders")
		if got := count(); got != 1 {
			t.Fatalf("after a restart: %d county notices, want 1", got)
		}
		c.set(time.Date(2024, 9, 21, 1, 0, 0, 0, time.UTC))
		if err := s.RunNow(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ch, "dudao_reminders")
		if got := count(); got != 2 {
			t.Fatalf("overdue: %d county notices, want 2", got)
		}
		if ns, _ := st.Notices(ctx, county, schools[n-1].Code, 10); len(ns) != 2 {
			t.Fatalf("overdue: %d notices for a school, want 2", len(ns))
		}
		cancel()
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
