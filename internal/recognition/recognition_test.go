package recognition

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/review"
)

func TestCaseWalk(t *testing.T) {
	now := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		step Step
		to   Stage
		err  error
	}{
		{Step{From: SelfEval, Action: SubmitSelf, By: review.LevelCity}, "", ErrLevel},
		{Step{From: SelfEval, Action: SubmitSelf, By: review.LevelCounty}, CityReview, nil},
		{Step{From: CityReview, Action: CityReturn, By: review.LevelCity}, "", ErrReason},
		{Step{From: CityReview, Action: CityReturn, By: review.LevelCity, Reason: "附表不全"}, SelfEval, nil},
		{Step{From: CityReview, Action: CityPass, By: review.LevelCounty}, "", ErrLevel},
		{Step{From: CityReview, Action: CityPass, By: review.LevelProvince}, ProvinceEval, nil},
		{Step{From: ProvinceEval, Action: Feedback, By: review.LevelProvince}, "", ErrNoFindings},
		{Step{From: ProvinceEval, Action: Feedback, By: review.LevelProvince, Open: 2}, Rectify, nil},
		{Step{From: ProvinceEval, Action: Publish, By: review.LevelProvince, Open: 2}, "", ErrOpenTickets},
		{Step{From: ProvinceEval, Action: Feedback, By: review.LevelCity, Open: 2}, "", ErrLevel},
		{Step{From: Rectify, Action: ReportFixes, By: review.LevelCounty, Open: 1}, Recheck, nil},
		{Step{From: Recheck, Action: RecheckPass, By: review.LevelProvince, Open: 1}, "", ErrOpenTickets},
		{Step{From: Recheck, Action: RecheckBack, By: review.LevelProvince, Reason: "第二项未整改到位"}, Rectify, nil},
		{Step{From: Recheck, Action: RecheckPass, By: review.LevelProvince}, Notice, nil},
		{Step{From: Notice, Action: Recognise, By: review.LevelProvince, NoticeEnds: now.Add(time.Hour), Now: now}, "", ErrNoticeOpen},
		{Step{From: Notice, Action: Recognise, By: review.LevelProvince, NoticeEnds: now, Now: now}, Recognised, nil},
		{Step{From: Recognised, Action: Recognise, By: review.LevelProvince}, "", ErrNotAllowed},
	}
	for i, s := range steps {
		to, err := Next(s.step)
		if to != s.to || !errors.Is(err, s.err) {
			t.Errorf("%d %s from %s by %s: %s %v, want %s %v", i, s.step.Action, s.step.From, s.step.By, to, err, s.to, s.err)
		}
	}
	if got := Actions(Recheck, review.LevelProvince); !slices.Equal(got, []Action{RecheckPass, RecheckBack}) {
		t.Errorf("province at recheck: %v", got)
	}
	if got := Actions(Recheck, review.LevelCounty); len(got) != 0 {
		t.Errorf("county at recheck: %v", got)
	}
}

func candidates() []Candidate {
	var out []Candidate
	strata := []string{"城区", "镇区", "乡村"}
	sizes := []int{12, 20, 60}
	for i, s := range strata {
		for j := range sizes[i] {
			out = append(out, Candidate{Code: fmt.Sprintf("%d%03d", i, j), Stratum: s, Weak: j == 0 || (i == 2 && j < 4)})
		}
	}
	return out
}

func TestDraw(t *testing.T) {
	c := candidates()
	a := Draw(c, 30, 7)
	if len(a) != 30 || !slices.IsSorted(a) {
		t.Fatalf("draw %v", a)
	}
	rev := slices.Clone(c)
	slices.Reverse(rev)
	if b := Draw(rev, 30, 7); !slices.Equal(a, b) {
		t.Fatalf("the order of the candidates changed the draw")
	}
	if b := Draw(c, 30, 8); slices.Equal(a, b) {
		t.Errorf("another seed drew the same schools")
	}
	// Weak schools: up to a third of the visits go to them first.
	weak := 0
	byStratum := map[string]int{}
	for _, code := range a {
		i := slices.IndexFunc(c, func(x Candidate) bool { return x.Code == code })
		if c[i].Weak {
			weak++
		}
		byStratum[c[i].Stratum]++
	}
	if weak < 6 { // 6 weak schools in all, fewer than 30/3
		t.Errorf("%d weak schools visited, want all 6", weak)
	}
	for _, s := range []string{"城区", "镇区", "乡村"} {
		if byStratum[s] == 0 {
			t.Errorf("no visit in %s: %v", s, byStratum)
		}
	}
	if byStratum["乡村"] < byStratum["城区"] {
		t.Errorf("strata not in proportion: %v", byStratum)
	}
	// Small draws and edge cases.
	if got := Draw(c, 2, 1); len(got) != 2 {
		t.Errorf("draw of 2: %v", got)
	}
	if got := Draw(c, 500, 1); len(got) != len(c) {
		t.Errorf("draw of more than there are: %d", len(got))
	}
	if got := Draw(nil, 5, 1); len(got) != 0 {
		t.Errorf("draw from nothing: %v", got)
	}
	for n := range 40 {
		if got := Draw(c, n, uint64(n)); len(got) != n || len(slices.Compact(slices.Clone(got))) != n {
			t.Fatalf("draw of %d: %v", n, got)
		}
	}
}

func TestMayObject(t *testing.T) {
	due := func(from time.Time, days int) time.Time { return from.AddDate(0, 0, days) }
	feedback := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return feedback.AddDate(0, 0, days) }
	if err := MayObject(KindObjection, time.Time{}, nil, 15, 15, at(1), due); !errors.Is(err, ErrNothingYet) {
		t.Errorf("before a conclusion: %v", err)
	}
	if err := MayObject(KindObjection, feedback, nil, 15, 15, at(14), due); err != nil {
		t.Errorf("day 14: %v", err)
	}
	if err := MayObject(KindObjection, feedback, nil, 15, 15, at(15), due); !errors.Is(err, ErrTooLate) {
		t.Errorf("day 15: %v", err)
	}
	pending := []Filing{{Kind: KindObjection, Filed: at(3)}}
	if err := MayObject(KindAppeal, feedback, pending, 15, 15, at(4), due); !errors.Is(err, ErrPending) {
		t.Errorf("while the objection waits: %v", err)
	}
	answered := []Filing{{Kind: KindObjection, Filed: at(3), Answered: at(20)}}
	if err := MayObject(KindAppeal, feedback, answered, 15, 15, at(34), due); err != nil {
		t.Errorf("appeal 14 days after the answer: %v", err)
	}
	if err := MayObject(KindAppeal, feedback, answered, 15, 15, at(35), due); !errors.Is(err, ErrTooLate) {
		t.Errorf("appeal 15 days after the answer: %v", err)
	}
	twice := append(answered, Filing{Kind: KindAppeal, Filed: at(25), Answered: at(30)})
	if err := MayObject(KindAppeal, feedback, twice, 15, 15, at(31), due); !errors.Is(err, ErrTooLate) {
		t.Errorf("a second appeal: %v", err)
	}
	if err := MayObject(KindAppeal, feedback, nil, 15, 15, at(2), due); !errors.Is(err, ErrNothingYet) {
		t.Errorf("an appeal without an objection: %v", err)
	}
}

func TestGaps(t *testing.T) {
	fs := []Finding{
		{School: "s1", Level: review.LevelProvince, Title: "音乐教室不足", Source: "visit"},      // the city visited s1, found nothing: a gap
		{School: "s2", Level: review.LevelProvince, Title: "在校生多报", Source: "discrepancy"}, // a discrepancy: a gap even unvisited
		{School: "s3", Level: review.LevelProvince, Title: "班额", Source: "visit"},          // the city did not visit s3: no gap
		{School: "s4", Level: review.LevelProvince, Title: "x", Source: "discrepancy"},     // the city found it too
		{School: "s4", Level: review.LevelCity, Title: "x", Source: "visit"},
		{School: "", Level: review.LevelProvince, Title: "全县", Source: "engine"},
	}
	got := Gaps(fs, []string{"s1", "s4"})
	if len(got) != 2 || got[0].School != "s1" || !got[0].Visited || got[1].School != "s2" || got[1].Visited {
		t.Fatalf("gaps %+v", got)
	}
}
