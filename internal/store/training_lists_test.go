package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// TestTrainingLists: a publication is kept as published, the newest is
// the county's, another county sees none, and publications racing each
// land whole.
func TestTrainingLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC))
		if _, err := s.LatestTrainingLists(ctx, "340207"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("none yet: %v", err)
		}
		white := []store.ListEntry{{Credit: "52350100MJ0000001X", Name: "启明学堂", Category: "subject", Licence: "教民1号", Address: "文明路1号", Grade: "A", Reason: "2026 年度分级评定为 A 级"}}
		black := []store.ListEntry{{Credit: "52350100MJ00000042", Name: "速成补习", Category: "subject", Reason: "吊销办学许可证（2026-05-10）"}}
		first, err := s.PublishTrainingLists(ctx, "county", "340207", 2026, 7, white, black)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.LatestTrainingLists(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("(-published +read):\n%s", diff)
		}
		if _, err := s.LatestTrainingLists(ctx, "340208"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another county sees a publication: %v", err)
		}
		if _, err := s.PublishTrainingLists(ctx, "county", "3402", 2026, 7, nil, nil); err == nil {
			t.Error("a publication of no county was stored")
		}
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.PublishTrainingLists(ctx, "county", "340207", 2026, int64(10+i), nil, black); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		all, err := s.TrainingListsOf(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 || all[4].ID != first.ID || len(all[0].White) != 0 || len(all[0].Black) != 1 {
			t.Errorf("publications: %d, oldest %d", len(all), all[len(all)-1].ID)
		}
	})
}
