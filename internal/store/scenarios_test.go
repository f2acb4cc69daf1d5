package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
		sc, err := s.SaveScenario(ctx, store.Scenario{County: "340207", Year: 2024, Name: " 新建教学楼 ", Actor: "zhang",
			Changes: map[string]map[string]float64{"3402070001": {"teaching_area": 6200, "students_primary": 1100}}})
		if err != nil {
			t.Fatal(err)
		}
		if sc.ID == 0 || sc.Name != "新建教学楼" || sc.Changes["3402070001"]["teaching_area"] != 6200 || sc.CreatedAt.IsZero() {
			t.Fatalf("saved: %+v", sc)
		}
		// The same name again replaces the changes, keeps the id.
		again, err := s.SaveScenario(ctx, store.Scenario{County: "340207", Year: 2024, Name: "新建教学楼", Note: "第二版",
			Changes: map[string]map[string]float64{"3402070002": {"backbone_teachers_primary": 14}}})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != sc.ID || again.Note != "第二版" || !again.UpdatedAt.After(again.CreatedAt) {
			t.Errorf("replaced: %+v", again)
		}
		if diff := cmp.Diff(map[string]map[string]float64{"3402070002": {"backbone_teachers_primary": 14}}, again.Changes); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		other, err := s.SaveScenario(ctx, store.Scenario{County: "340207", Year: 2025, Name: "明年"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveScenario(ctx, store.Scenario{County: "340208", Year: 2024, Name: "别县"}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Scenarios(ctx, "340207", 0)
		if err != nil || len(list) != 2 || list[0].ID != other.ID {
			t.Fatalf("list: %v %+v", err, list)
		}
		if list, _ := s.Scenarios(ctx, "340207", 2024); len(list) != 1 || list[0].ID != sc.ID {
			t.Errorf("list of 2024: %+v", list)
		}
		if list, _ := s.Scenarios(ctx, "110101", 0); list == nil || len(list) != 0 {
			t.Errorf("empty list: %#v", list)
		}
		for name, bad := range map[string]store.Scenario{
			"no name":   {County: "340207", Year: 2024, Name: "  "},
			"no county": {Year: 2024, Name: "x"},
			"column":    {County: "340207", Year: 2024, Name: "x", Changes: map[string]map[string]float64{"1": {"classrooms": 3}}},
		} {
			if _, err := s.SaveScenario(ctx, bad); err == nil {
				t.Errorf("%s: saved", name)
			}
		}
		if err := s.DeleteScenario(ctx, sc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Scenario(ctx, sc.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted scenario: %v", err)
		}
		if err := s.DeleteScenario(ctx, sc.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
	})
}
