package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// TestCaseToRecognition runs a case from 自评 to 认定 on a controllable
// clock: an inspection draw, two findings with a photo, the feedback that
// starts their clock, one fixed with evidence and verified, one rejected
// and left to go overdue, then fixed; the notice; recognition after it.
func TestCaseToRecognition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		clocks := ticket.DefaultClocks()
		county := "340201"
		c, err := s.OpenCase(ctx, "county", store.Case{County: county, Standard: "yzjh2017", Profile: "national", Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		if c.Round != 1 || c.Stage != recognition.SelfEval {
			t.Fatalf("new case %+v", c)
		}
		step := func(by review.Level, a recognition.Action, reason string) (store.Case, error) {
			return s.CaseStep(ctx, "u-"+by.String(), by, c.ID, store.CaseStepInput{Action: a, Reason: reason, Clocks: clocks, Snapshot: `{"status":"met"}`,
				Verdict: `{"status":"` + string(a) + `"}`})
		}
		must := func(by review.Level, a recognition.Action, reason string) store.Case {
			t.Helper()
			c, err := step(by, a, reason)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			return c
		}
		if _, err := step(review.LevelCity, recognition.SubmitSelf, ""); !errors.Is(err, recognition.ErrLevel) {
			t.Fatalf("a city submits the county's self-evaluation: %v", err)
		}
		c = must(review.LevelCounty, recognition.SubmitSelf, "")
		if c.Snapshot == "" {
			t.Error("no snapshot kept")
		}
		c = must(review.LevelCity, recognition.CityPass, "")
		// The province draws its visits and raises two findings, one with a photo.
		cands := []recognition.Candidate{{Code: "3402010001", Stratum: "城区"}, {Code: "3402010002", Stratum: "乡村", Weak: true}, {Code: "3402010003", Stratum: "镇区"}}
		people := []recognition.PanelSchool{{Code: "3402010001", Stratum: "城区", Teachers: 50, Students: 800},
			{Code: "3402010002", Stratum: "乡村", Teachers: 9, Students: 100}}
		forum := recognition.PanelSize{Principals: 1, Teachers: 4, Parents: 5}
		if _, err := s.DrawInspection(ctx, "prov", review.LevelProvince, c.ID, false, 2, 99, cands,
			store.PanelDraw{Schools: people, Size: recognition.PanelSize{Parents: 201}}); !errors.Is(err, store.ErrCaseInput) {
			t.Fatalf("a forum of 201: %v", err)
		}
		in, err := s.DrawInspection(ctx, "prov", review.LevelProvince, c.ID, false, 2, 99, cands, store.PanelDraw{Schools: people, Size: forum})
		if err != nil || len(in.Visits) != 2 || len(in.Panel) != 10 {
			t.Fatalf("draw %+v %v", in, err)
		}
		ins, _ := s.Inspections(ctx, c.ID)
		if len(ins) != 1 || !slices.Equal(recognition.Draw(ins[0].Candidates, ins[0].Size, ins[0].Seed), in.Visits) {
			t.Fatalf("the draw does not show again: %+v", ins)
		}
		if !slices.Equal(ins[0].Panel, recognition.DrawPanel(people, forum, 99)) {
			t.Fatalf("the forum does not show again: %+v, drew %+v", ins[0].Panel, in.Panel)
		}
		a, err := s.RaiseTicket(ctx, "prov", store.Ticket{CaseID: c.ID, County: county, Title: "音乐专用教室不足", School: "3402010002", Severity: "较重",
			Source: "visit", RaiserRegion: "340000", RaiserLevel: review.LevelProvince}, []store.EvidenceUpload{{Name: "photo.pdf", Data: pdf}}, clocks)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.RaiseTicket(ctx, "prov", store.Ticket{CaseID: c.ID, County: county, Title: "班额超标", Source: "engine",
			RaiserRegion: "340000", RaiserLevel: review.LevelProvince}, nil, clocks)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Deadline.IsZero() {
			t.Error("a finding's clock started before the feedback")
		}
		if _, err := s.RaiseTicket(ctx, "prov", store.Ticket{CaseID: c.ID, County: "340202", Title: "x"}, nil, clocks); !errors.Is(err, store.ErrCaseInput) {
			t.Errorf("a finding on another county: %v", err)
		}
		if _, err := step(review.LevelProvince, recognition.Publish, ""); !errors.Is(err, recognition.ErrOpenTickets) {
			t.Fatalf("publish with open findings: %v", err)
		}
		c = must(review.LevelProvince, recognition.Feedback, "")
		a, _ = s.Ticket(ctx, a.ID)
		if want := ticket.DueAfter(now, 30); !a.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want %v", a.Deadline, want)
		}
		// Ticket a: fixed with evidence, verified.
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, a.ID, ticket.Report, "已改建两间音乐教室", nil); !errors.Is(err, ticket.ErrEvidence) {
			t.Fatalf("a report without evidence: %v", err)
		}
		now = now.Add(10 * 24 * time.Hour)
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, a.ID, ticket.Report, "已改建两间音乐教室", []store.EvidenceUpload{{Name: "after.pdf", Data: pdf}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, a.ID, ticket.Verify, "", nil); !errors.Is(err, ticket.ErrRole) {
			t.Fatalf("the owner verifies its own fix: %v", err)
		}
		if _, err := s.TicketStep(ctx, "prov", ticket.Raiser, a.ID, ticket.Verify, "现场核实", nil); err != nil {
			t.Fatal(err)
		}
		evs, err := s.TicketEvents(ctx, a.ID)
		if err != nil || len(evs) != 3 || len(evs[0].Evidence) != 1 || len(evs[1].Evidence) != 1 {
			t.Fatalf("ticket a's steps %+v %v", evs, err)
		}
		// Ticket b goes overdue.
		now = now.Add(25 * 24 * time.Hour)
		b, _ = s.Ticket(ctx, b.ID)
		if got := ticket.LightOf(b.Status, b.Deadline, b.ReportedAt, now, clocks); got != ticket.Red {
			t.Fatalf("ticket b is %s after its deadline", got)
		}
		c = must(review.LevelCounty, recognition.ReportFixes, "")
		if _, err := step(review.LevelProvince, recognition.RecheckPass, ""); !errors.Is(err, recognition.ErrOpenTickets) {
			t.Fatalf("recheck pass with an open finding: %v", err)
		}
		c = must(review.LevelProvince, recognition.RecheckBack, "班额问题未整改")
		b, _ = s.Ticket(ctx, b.ID)
		if !b.Deadline.After(now) {
			t.Fatalf("sent back, the open finding keeps its passed deadline %v", b.Deadline)
		}
		s.TicketStep(ctx, "county", ticket.Owner, b.ID, ticket.Report, "已分班", []store.EvidenceUpload{{Name: "b.pdf", Data: pdf}})
		if _, err := s.TicketStep(ctx, "prov", ticket.Raiser, b.ID, ticket.Reject, "", nil); !errors.Is(err, ticket.ErrReason) {
			t.Fatalf("a rejection without reason: %v", err)
		}
		s.TicketStep(ctx, "prov", ticket.Raiser, b.ID, ticket.Verify, "核实", nil)
		c = must(review.LevelCounty, recognition.ReportFixes, "")
		c = must(review.LevelProvince, recognition.RecheckPass, "")
		if c.Stage != recognition.Notice || !c.NoticeEnd.Equal(ticket.DueAfter(now, 7)) {
			t.Fatalf("notice %+v", c)
		}
		if _, err := step(review.LevelProvince, recognition.Recognise, ""); !errors.Is(err, recognition.ErrNoticeOpen) {
			t.Fatalf("recognise during the notice: %v", err)
		}
		now = c.NoticeEnd
		c = must(review.LevelProvince, recognition.Recognise, "")
		if c.Stage != recognition.Recognised || c.RecognisedAt.IsZero() {
			t.Fatalf("recognised %+v", c)
		}
		evs2, _ := s.CaseEvents(ctx, c.ID)
		var kinds []string
		for _, e := range evs2 {
			kinds = append(kinds, e.Kind)
			// Each step of the chain keeps the verdict it was taken on.
			step := slices.Contains([]string{"submit_self", "city_pass", "feedback", "report_fixes", "recheck_back", "recheck_pass", "recognise"}, e.Kind)
			if want := `{"status":"` + e.Kind + `"}`; step && e.Verdict != want {
				t.Errorf("%s kept verdict %q, want %q", e.Kind, e.Verdict, want)
			} else if !step && e.Verdict != "" {
				t.Errorf("%s kept a verdict %q", e.Kind, e.Verdict)
			}
		}
		got := strings.Join(kinds, ",")
		for _, want := range []string{"open", "submit_self", "city_pass", "inspection", "finding", "feedback", "ticket.report", "ticket.verify", "recheck_back", "publish", "recognise"} {
			if want == "publish" {
				want = "recheck_pass"
			}
			if !strings.Contains(got, want) {
				t.Errorf("the timeline lacks %s: %s", want, got)
			}
		}
		// A second round is round 2.
		c2, err := s.OpenCase(ctx, "county", store.Case{County: county, Standard: "yzjh2017", Profile: "national", Year: 2025})
		if err != nil || c2.Round != 2 {
			t.Fatalf("second round %+v %v", c2, err)
		}
		cases, _ := s.Cases(ctx, "3402")
		if len(cases) != 2 {
			t.Fatalf("cases %d", len(cases))
		}
	})
}

// TestObjections: an objection within 15 days of the feedback, answered;
// an appeal within 15 days of the answer; a late one refused.
func TestObjections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		clocks := ticket.DefaultClocks()
		c, _ := s.OpenCase(ctx, "county", store.Case{County: "340201", Standard: "yzjh2017", Profile: "national", Year: 2024})
		if _, err := s.FileObjection(ctx, "county", c.ID, recognition.KindObjection, "异议", clocks); !errors.Is(err, recognition.ErrNothingYet) {
			t.Fatalf("an objection before any conclusion: %v", err)
		}
		for _, st := range []struct {
			by review.Level
			a  recognition.Action
		}{{review.LevelCounty, recognition.SubmitSelf}, {review.LevelCity, recognition.CityPass}} {
			if _, err := s.CaseStep(ctx, "x", st.by, c.ID, store.CaseStepInput{Action: st.a, Clocks: clocks}); err != nil {
				t.Fatal(err)
			}
		}
		s.RaiseTicket(ctx, "prov", store.Ticket{CaseID: c.ID, County: "340201", Title: "f", RaiserLevel: review.LevelProvince}, nil, clocks)
		if _, err := s.CaseStep(ctx, "prov", review.LevelProvince, c.ID, store.CaseStepInput{Action: recognition.Feedback, Clocks: clocks}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(5 * 24 * time.Hour)
		o, err := s.FileObjection(ctx, "county", c.ID, recognition.KindObjection, "问题清单第1项与事实不符", clocks)
		if err != nil {
			t.Fatal(err)
		}
		if !o.AnswerDue.Equal(ticket.DueAfter(now, 30)) {
			t.Errorf("answer due %v", o.AnswerDue)
		}
		if _, err := s.FileObjection(ctx, "county", c.ID, recognition.KindAppeal, "申诉", clocks); !errors.Is(err, recognition.ErrPending) {
			t.Fatalf("an appeal before the answer: %v", err)
		}
		now = now.Add(10 * 24 * time.Hour)
		if err := s.AnswerObjection(ctx, "prov", c.ID, o.ID, "经复核，维持原结论"); err != nil {
			t.Fatal(err)
		}
		if err := s.AnswerObjection(ctx, "prov", c.ID, o.ID, "again"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("answered twice: %v", err)
		}
		now = now.Add(16 * 24 * time.Hour)
		if _, err := s.FileObjection(ctx, "county", c.ID, recognition.KindAppeal, "申诉", clocks); !errors.Is(err, recognition.ErrTooLate) {
			t.Fatalf("a late appeal: %v", err)
		}
		os, _ := s.Objections(ctx, c.ID)
		if len(os) != 1 || os[0].Answer == "" || os[0].AnsweredAt.IsZero() {
			t.Fatalf("objections %+v", os)
		}
	})
}

// TestCaseLocksRecords: from the county's submission until recognition,
// the county's records of the case's year are what the case is judged on
// and stay as they were — through a form edit, an import that changes,
// adds or moves a record — while a record of another county or year, or
// an unchanged one, goes through; the city's return to 自评 unlocks them.
func TestCaseLocksRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		all := storetest.Synthetic(2024, 30, 2, 11)
		for i := range all {
			if all[i].CountyCode != all[0].CountyCode {
				all[i].CountyCode = "340202"
			} else {
				all[i].CountyCode = "340201"
			}
			all[i].Code = fmt.Sprintf("%s%04d", all[i].CountyCode, i)
		}
		if _, err := s.Import(ctx, "admin", []store.FileBatch{{File: "s.csv", Schools: all}}); err != nil {
			t.Fatal(err)
		}
		var mine, other census.School
		for _, sc := range all {
			if sc.CountyCode == "340201" && mine.Code == "" {
				mine = sc
			}
			if sc.CountyCode == "340202" && other.Code == "" {
				other = sc
			}
		}
		c, err := s.OpenCase(ctx, "county", store.Case{County: "340201", Standard: "yzjh2017", Profile: "national", Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		clocks := ticket.DefaultClocks()
		step := func(by review.Level, a recognition.Action, reason string) {
			t.Helper()
			if _, err := s.CaseStep(ctx, "u", by, c.ID, store.CaseStepInput{Action: a, Reason: reason, Clocks: clocks}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		edit := func(sc census.School, v float64) error {
			sc.V[census.TeachersPrimary] = v
			_, err := s.SaveRecord(ctx, "t", &sc, false, nil)
			return err
		}
		importOne := func(sc census.School) error {
			_, err := s.Import(ctx, "t", []store.FileBatch{{File: "f.csv", Schools: []census.School{sc}}})
			return err
		}
		if err := edit(mine, 40); err != nil {
			t.Fatalf("an edit during 自评: %v", err)
		}
		mine.V[census.TeachersPrimary] = 40
		step(review.LevelCounty, recognition.SubmitSelf, "")
		var le *store.LockedError
		if err := edit(mine, 41); !errors.As(err, &le) || le.Case != c.ID || !strings.Contains(err.Error(), "认定案卷") {
			t.Fatalf("an edit of data being judged: %v", err)
		}
		changed := mine
		changed.V[census.TeachersPrimary] = 42
		if err := importOne(changed); !errors.As(err, &le) {
			t.Fatalf("an import changing data being judged: %v", err)
		}
		added := mine
		added.Code, added.Name = "3402019999", "新学校"
		if err := importOne(added); !errors.As(err, &le) {
			t.Fatalf("an import adding a school to a county being judged: %v", err)
		}
		moved := mine
		moved.CountyCode = "340202"
		if err := importOne(moved); !errors.As(err, &le) {
			t.Fatalf("an import moving a school out of a county being judged: %v", err)
		}
		if err := importOne(mine); err != nil {
			t.Fatalf("an unchanged record: %v", err)
		}
		if err := edit(other, 50); err != nil {
			t.Fatalf("another county's record: %v", err)
		}
		next := mine
		next.Year = 2025
		if err := importOne(next); err != nil {
			t.Fatalf("the next year's record: %v", err)
		}
		got, err := s.Record(ctx, "school", 2024, mine.Code)
		if err != nil || got.Values()[census.TeachersPrimary] != 40 {
			t.Fatalf("the judged record changed: %v %v", got.Values()[census.TeachersPrimary], err)
		}
		step(review.LevelCity, recognition.CityReturn, "请补充佐证")
		if err := edit(mine, 43); err != nil {
			t.Fatalf("an edit after the return: %v", err)
		}
	})
}
