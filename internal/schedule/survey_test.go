package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/schedule"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/dudao-edu/dudao/internal/survey"
)

// TestSchedulerPurgesSurveyTraces: the daily clean-up blanks a survey's
// device cookies and address hashes a day after it closes, without anyone
// opening its page; an open survey keeps them for its burst checks.
func TestSchedulerPurgesSurveyTraces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q, err := survey.Standard("yzjh2017")
		if err != nil {
			t.Fatal(err)
		}
		var c clock
		c.set(time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC))
		st.Now = c.now
		mk := func(closes time.Time) int64 {
			sv, err := st.CreateSurvey(ctx, "county", store.Survey{County: "340207", Standard: "yzjh2017", Profile: "national", Year: 2025,
				Title: "调查", Questionnaire: q, Population: 500000, Opens: c.now().Add(-48 * time.Hour), Closes: closes})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SubmitResponse(ctx, store.SurveyResponse{SurveyID: sv.ID, Group: "parents", Answers: map[string]int{q.RateQuestion: 1},
				Started: c.now().Add(-time.Hour), Device: "dev-1", AddrHash: "ab12"}, survey.DefaultRules(2), func(int, int) []survey.Flag { return nil }); err != nil {
				t.Fatal(err)
			}
			return sv.ID
		}
		closed := mk(c.now().Add(-25 * time.Hour)) // closed a day and an hour ago
		open := mk(c.now().Add(72 * time.Hour))
		s, err := schedule.Start(ctx, st, schedule.Config{Now: c.now, Every: time.Hour, BackupKeep: -1})
		if err != nil {
			t.Fatal(err)
		}
		ch, cancel := s.Completed()
		waitFor(t, ch, "dudao_cleanup")
		cancel()
		s.Stop(ctx)
		for id, kept := range map[int64]bool{closed: false, open: true} {
			rs, err := st.SurveyResponses(ctx, id)
			if err != nil || len(rs) != 1 {
				t.Fatalf("survey %d: %v %v", id, rs, err)
			}
			if has := rs[0].Device != "" || rs[0].AddrHash != ""; has != kept {
				t.Errorf("survey %d: device %q, address %q; kept %v, want %v", id, rs[0].Device, rs[0].AddrHash, has, kept)
			}
		}
	})
}
