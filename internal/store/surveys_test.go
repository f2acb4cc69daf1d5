package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/dudao-edu/dudao/internal/survey"
)

func newSurvey(t *testing.T, s *store.Store) store.Survey {
	t.Helper()
	q, err := survey.Standard("xqpp2020")
	if err != nil {
		t.Fatal(err)
	}
	sv, err := s.CreateSurvey(context.Background(), "county", store.Survey{County: "340201", Standard: "xqpp2020", Profile: "national", Year: 2024,
		Title: q.Title, Questionnaire: q, Population: 456789, AreaWeights: []int64{5, 3, 2}, OpenGroups: []string{"parents"},
		Opens: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), Closes: time.Date(2024, 9, 15, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

func TestSurveyStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2024, 9, 2, 8, 0, 0, 0, time.UTC))
		sv := newSurvey(t, s)
		got, err := s.Survey(ctx, sv.ID)
		if err != nil || got.Questionnaire.RateQuestion != "overall" || !slices.Equal(got.AreaWeights, []int64{5, 3, 2}) ||
			!slices.Equal(got.OpenGroups, []string{"parents"}) || len(got.Secret) != 32 || !got.Opens.Equal(sv.Opens) {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := s.Survey(ctx, sv.ID+1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing survey: %v", err)
		}
		if l, _ := s.Surveys(ctx, "3402"); len(l) != 1 {
			t.Errorf("surveys of 3402: %d", len(l))
		}
		if l, _ := s.Surveys(ctx, "3403"); len(l) != 0 {
			t.Errorf("surveys of 3403: %d", len(l))
		}
		area := survey.Area{Location: "城区", Stage: "kindergarten"}
		b, err := s.IssueCodes(ctx, "county", sv.ID, "parents", area, 30)
		if err != nil || b.First != 1 || b.Last != 30 {
			t.Fatal(b, err)
		}
		b2, err := s.IssueCodes(ctx, "county", sv.ID, "teachers", survey.Area{Location: "乡村", Stage: "kindergarten"}, 5)
		if err != nil || b2.First != 31 || b2.Last != 35 {
			t.Fatal(b2, err)
		}
		if bs, _ := s.CodeBatches(ctx, sv.ID); len(bs) != 2 || bs[1].Group != "teachers" || bs[1].Area.Location != "乡村" {
			t.Errorf("batches %+v", bs)
		}
		if g, a, err := s.SurveyCode(ctx, sv.ID, 33); err != nil || g != "teachers" || a.Location != "乡村" {
			t.Errorf("code 33: %s %v %v", g, a, err)
		}
		rules := survey.DefaultRules(2)
		none := func(int, int) []survey.Flag { return nil }
		resp := func(serial int64, device, addr string) store.SurveyResponse {
			return store.SurveyResponse{SurveyID: sv.ID, Serial: serial, Group: "parents", Area: area, Answers: map[string]int{"overall": 1},
				Started: time.Date(2024, 9, 2, 7, 59, 0, 0, time.UTC), Device: device, AddrHash: addr}
		}
		r1, err := s.SubmitResponse(ctx, resp(1, "dev1", "addr1"), rules, none)
		if err != nil || r1.Status != survey.StatusValid {
			t.Fatal(r1, err)
		}
		if _, err := s.SubmitResponse(ctx, resp(1, "dev9", "addr9"), rules, none); !errors.Is(err, store.ErrCodeUsed) {
			t.Errorf("reused code: %v", err)
		}
		if used, _ := s.CodeUsed(ctx, sv.ID, 1); !used {
			t.Error("code 1 not used")
		}
		// The counts the burst rules see: the same device and address.
		var seen [2]int
		_, err = s.SubmitResponse(ctx, resp(2, "dev1", "addr1"), rules, func(d, a int) []survey.Flag {
			seen = [2]int{d, a}
			return []survey.Flag{survey.FlagDeviceBurst}
		})
		if err != nil || seen != [2]int{1, 1} {
			t.Fatalf("seen %v, %v", seen, err)
		}
		// Open links: no serial, any number.
		for range 2 {
			if _, err := s.SubmitResponse(ctx, resp(0, "", ""), rules, none); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.SurveyResponses(ctx, sv.ID)
		if err != nil || len(rs) != 4 || rs[1].Status != survey.StatusFlagged || !slices.Equal(rs[1].Flags, []survey.Flag{survey.FlagDeviceBurst}) ||
			rs[2].Serial != 0 || rs[0].Answers["overall"] != 1 || rs[0].Area != area {
			t.Fatalf("%+v %v", rs, err)
		}
		if fc, _ := s.FlaggedResponses(ctx, "3402"); len(fc) != 1 || fc[0] != (store.FlaggedCount{SurveyID: sv.ID, Standard: sv.Standard, N: 1}) {
			t.Errorf("flagged %v", fc)
		}
		if fc, _ := s.FlaggedResponses(ctx, "3403"); len(fc) != 0 {
			t.Errorf("flagged in 3403: %v", fc)
		}
		if err := s.ReviewResponse(ctx, "county", sv.ID, rs[1].ID, true, " "); !errors.Is(err, store.ErrSurveyInput) {
			t.Errorf("no reason: %v", err)
		}
		if err := s.ReviewResponse(ctx, "county", sv.ID, rs[0].ID, true, "ok"); !errors.Is(err, store.ErrNotFlagged) {
			t.Errorf("valid response reviewed: %v", err)
		}
		if err := s.ReviewResponse(ctx, "county", sv.ID, rs[1].ID, false, "同一手机连续提交"); err != nil {
			t.Fatal(err)
		}
		rs, _ = s.SurveyResponses(ctx, sv.ID)
		if rs[1].Status != survey.StatusRejected || rs[1].ReviewReason != "同一手机连续提交" || rs[1].ReviewedBy != "county" {
			t.Errorf("%+v", rs[1])
		}
		tl := sv.Questionnaire.Count(func() (out []survey.Response) {
			for _, r := range rs {
				out = append(out, r.Rate())
			}
			return
		}())
		if tl.All.Valid != 3 || tl.All.Rejected != 1 || tl.All.Open != 2 {
			t.Errorf("%+v", tl.All)
		}
		// Traces purged once the survey has closed, not before.
		if n, _ := s.PurgeSurveyTraces(ctx, sv.Closes); n != 0 {
			t.Errorf("purged %d before closing", n)
		}
		if n, err := s.PurgeSurveyTraces(ctx, sv.Closes.Add(time.Hour)); n != 2 || err != nil {
			t.Errorf("purged %d, %v", n, err)
		}
	})
}

// TestSurveyCodeOnceConcurrently: twenty submissions of one code at once
// store exactly one response; the others are refused with ErrCodeUsed.
func TestSurveyCodeOnceConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sv := newSurvey(t, s)
		area := survey.Area{Location: "镇区", Stage: "kindergarten"}
		if _, err := s.IssueCodes(ctx, "county", sv.ID, "parents", area, 3); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored, used := 0, 0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SubmitResponse(ctx, store.SurveyResponse{SurveyID: sv.ID, Serial: 2, Group: "parents", Area: area,
					Answers: map[string]int{"overall": 1 + i%5}, Started: time.Now()}, survey.DefaultRules(2), func(int, int) []survey.Flag { return nil })
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					stored++
				case errors.Is(err, store.ErrCodeUsed):
					used++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		rs, _ := s.SurveyResponses(ctx, sv.ID)
		if stored != 1 || used != 19 || len(rs) != 1 {
			t.Errorf("stored %d, refused %d, rows %d", stored, used, len(rs))
		}
	})
}

func TestSurveyQuestionnaire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Questionnaire(ctx, "340000", "yzjh2017"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("none stored: %v", err)
		}
		q, _ := survey.Standard("yzjh2017")
		for _, title := range []string{"第一版", "第二版"} {
			q.Title = title
			if err := s.SetQuestionnaire(ctx, "admin", "340000", q); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Questionnaire(ctx, "340000", "yzjh2017")
		if err != nil || got.Title != "第二版" || len(got.Questions) != len(q.Questions) {
			t.Fatalf("%+v %v", got, err)
		}
		q.RateQuestion = "nope"
		if err := s.SetQuestionnaire(ctx, "admin", "340000", q); !errors.Is(err, store.ErrSurveyInput) {
			t.Errorf("invalid questionnaire: %v", err)
		}
	})
}
