package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestCountyChangesAndSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC))
		recs := storetest.Synthetic(2024, 6, 2, 3)
		if _, err := s.Import(ctx, "clerk", []store.FileBatch{{File: "a.xlsx", Schools: recs}}); err != nil {
			t.Fatal(err)
		}
		county := recs[0].CountyCode
		rec := recs[0]
		rec.V[census.SportsArea] += 100
		rec.V[census.TeachingArea] += 5
		if _, err := s.UpdateSchool(ctx, "editor", rec); err != nil {
			t.Fatal(err)
		}
		all, err := s.CountyChanges(ctx, 2024, county, nil, 10)
		if err != nil || len(all) != 2 {
			t.Fatalf("CountyChanges(all) = %d, %v; want the 2 edited columns (no creations)", len(all), err)
		}
		some, err := s.CountyChanges(ctx, 2024, county, []string{"sports_area", "students_primary"}, 10)
		if err != nil || len(some) != 1 || some[0].Column != "sports_area" || some[0].Actor != "editor" || some[0].SchoolName != rec.Name {
			t.Errorf("CountyChanges(sports_area) = %+v, %v", some, err)
		}
		if other, _ := s.CountyChanges(ctx, 2024, "000000", nil, 10); len(other) != 0 {
			t.Errorf("another county has %d changes", len(other))
		}
		src, err := s.CountySources(ctx, 2024, county)
		if err != nil || len(src) != 2 || src[0].File != "" || src[0].Records != 1 || src[1].File != "a.xlsx" {
			t.Errorf("CountySources = %+v, %v", src, err)
		}
	})
}
