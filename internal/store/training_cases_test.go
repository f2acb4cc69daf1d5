package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// pngPhoto is the smallest PNG the evidence store accepts.
var pngPhoto = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// visitChecklist is the checklist with fire safety found wanting.
func visitChecklist() []store.CheckItem {
	list := slices.Clone(store.TrainingChecklist)
	for i := range list {
		list[i].Result = store.CheckPass
		if list[i].ID == "fire" {
			list[i].Result, list[i].Note = store.CheckFail, "安全出口堵塞"
		}
		if list[i].ID == "ads" {
			list[i].Result = store.CheckNA
		}
	}
	return list
}

// TestInspectionCase runs an inspection on a controllable clock: a
// campaign, a visit with a photo and a failed item, its rectification
// order due in the profile's days, a second order of the same item
// refused, the fix reported with evidence, its verification refused to
// the reporter and taken by a colleague, the penalty decision; every step
// audited.
func TestInspectionCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
		s.Now = func() time.Time { return now }
		const county, credit = "340201", "91340201MA2T000010"
		if _, err := s.CreateCampaign(ctx, "county", store.Campaign{Region: county, Title: "x", Starts: "2026-07-31", Ends: "2026-07-01"}); !errors.Is(err, store.ErrTrainingInput) {
			t.Errorf("a campaign ending before it starts: %v", err)
		}
		c, err := s.CreateCampaign(ctx, "county", store.Campaign{Region: county, Title: "2026年暑期校外培训专项治理", Starts: "2026-07-01", Ends: "2026-08-31"})
		if err != nil {
			t.Fatal(err)
		}
		city, err := s.CreateCampaign(ctx, "city", store.Campaign{Region: "340200", Title: "全市联合检查", Starts: "2026-06-01", Ends: "2026-06-30"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateCampaign(ctx, "x", store.Campaign{Region: "350102", Title: "别县", Starts: "2026-06-01", Ends: "2026-06-30"})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.Campaigns(ctx, county)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, x := range cs {
			ids = append(ids, x.ID)
		}
		if diff := cmp.Diff([]int64{c.ID, city.ID}, ids); diff != "" {
			t.Errorf("campaigns of the county (-want +got):\n%s", diff)
		}
		if _, err := s.RecordVisit(ctx, "county", store.Visit{CampaignID: other.ID, County: county, Credit: credit, Name: "启明培训学校", Day: "2026-07-10",
			Inspectors: "张三", Checklist: visitChecklist()}, nil); !errors.Is(err, store.ErrTrainingInput) {
			t.Errorf("a visit under another county's campaign: %v", err)
		}
		v, err := s.RecordVisit(ctx, "county", store.Visit{CampaignID: c.ID, County: county, Credit: credit, Name: "启明培训学校", Day: "2026-07-10",
			Inspectors: "张三、李四", Checklist: visitChecklist(), Findings: "前台未公示收费标准"}, []store.EvidenceUpload{{Name: "出口.png", Data: pngPhoto}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Visit(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Fails() != 1 || len(got.Photos) != 1 || got.CampaignID != c.ID || got.Checklist[1].Note != "安全出口堵塞" {
			t.Errorf("visit read back: %+v", got)
		}
		if _, err := s.Visit(ctx, v.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no visit: %v", err)
		}

		// A passing item is not raised; the failing one once.
		if _, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketInspection, County: county, VisitID: v.ID, Item: "licence"}, nil, 15); !errors.Is(err, store.ErrTrainingInput) {
			t.Errorf("an order of a passing item: %v", err)
		}
		if _, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketInspection, County: "340202", VisitID: v.ID, Item: "fire"}, nil, 15); !errors.Is(err, store.ErrTrainingInput) {
			t.Errorf("an order of another county's visit: %v", err)
		}
		tk, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketInspection, County: county, VisitID: v.ID, Item: "fire",
			Deadline: now.AddDate(1, 0, 0)}, nil, 15)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketInspection, County: county, VisitID: v.ID, Item: "fire"}, nil, 15); !errors.Is(err, store.ErrRaised) {
			t.Errorf("the same item raised twice: %v", err)
		}
		// The deadline is the clock's, never the one asked for: the end of
		// 25 July in Beijing, 15 days after 10 July.
		if want := time.Date(2026, 7, 25, 16, 0, 0, 0, time.UTC); !tk.Deadline.Equal(want) {
			t.Errorf("deadline %v, want %v", tk.Deadline, want)
		}
		tk, err = s.Ticket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := store.Ticket{Kind: store.TicketInspection, Title: "消防安全不符合：安全出口堵塞", Item: "fire", Source: "checklist", Credit: credit, Subject: "启明培训学校", VisitID: v.ID}
		if diff := cmp.Diff(want, store.Ticket{Kind: tk.Kind, Title: tk.Title, Item: tk.Item, Source: tk.Source, Credit: tk.Credit, Subject: tk.Subject, VisitID: tk.VisitID}); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
		if ts, _ := s.VisitTickets(ctx, v.ID); len(ts) != 1 || ts[0].ID != tk.ID {
			t.Errorf("visit's orders: %+v", ts)
		}

		// The fix reported on day 20, with a photo; its reporter may not
		// verify it, a colleague does.
		now = now.AddDate(0, 0, 10)
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, tk.ID, ticket.Report, "已清理安全出口", nil); !errors.Is(err, ticket.ErrEvidence) {
			t.Errorf("a report without evidence: %v", err)
		}
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, tk.ID, ticket.Report, "已清理安全出口", []store.EvidenceUpload{{Name: "整改后.png", Data: pngPhoto}}); err != nil {
			t.Fatal(err)
		}
		if tk, _ = s.Ticket(ctx, tk.ID); tk.ReportedBy != "county" || tk.Status != ticket.Submitted {
			t.Errorf("after the report: %+v", tk)
		}
		for _, a := range []ticket.Action{ticket.Verify, ticket.Reject} {
			if _, err := s.TicketStep(ctx, "county", ticket.Raiser, tk.ID, a, "自己核验", nil); !errors.Is(err, store.ErrSameActor) {
				t.Errorf("%s by the reporter: %v", a, err)
			}
		}
		if tk, err = s.TicketStep(ctx, "county-2", ticket.Raiser, tk.ID, ticket.Verify, "现场复查合格", nil); err != nil || tk.Status != ticket.Closed {
			t.Fatalf("verified by a colleague: %+v %v", tk, err)
		}
		evs, err := s.TicketEvents(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range evs {
			steps = append(steps, e.Action+" "+e.Actor)
		}
		if diff := cmp.Diff([]string{"raise county", "report county", "verify county-2"}, steps); diff != "" {
			t.Errorf("steps (-want +got):\n%s", diff)
		}
		if len(evs[1].Evidence) != 1 {
			t.Errorf("the report's evidence: %+v", evs[1].Evidence)
		}

		// The penalty decision.
		for _, p := range []store.Penalty{{Kind: "fine", Document: "X罚〔2026〕1号", Day: "2026-07-20"}, {Kind: "warning", Day: "2026-07-20"}, {Kind: "jail"}} {
			if _, err := s.RecordPenalty(ctx, "county", v.ID, p, nil); !errors.Is(err, store.ErrTrainingInput) {
				t.Errorf("penalty %+v: %v", p, err)
			}
		}
		if _, err := s.RecordPenalty(ctx, "county", v.ID+100, store.Penalty{Kind: "none"}, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("penalty of no visit: %v", err)
		}
		pen := store.Penalty{Kind: "fine", Amount: 20000, Document: "X教罚〔2026〕3号", Day: "2026-07-20"}
		if v, err = s.RecordPenalty(ctx, "county", v.ID, pen, nil); err != nil || v.Penalty != pen {
			t.Fatalf("penalty: %+v %v", v.Penalty, err)
		}
		// A revocation whose registry change is refused (made from a stale
		// version) stores neither: the fine stands, the registry is as it was.
		reg := training.Schema.New()
		if err := reg.Add(training.TInstitutions, map[string]string{"credit": "91350100M000100Y43", "name": "甲", "form": "企业", "category": "学科类",
			"mode": "线下", "approver": "教育部门", "custody": "银行托管", "account": "1"}); err != nil {
			t.Fatal(err)
		}
		revoke := store.Penalty{Kind: "revoke", Document: "X教罚〔2026〕4号", Day: "2026-07-21"}
		if _, err := s.RecordPenalty(ctx, "county", v.ID, revoke, &store.LedgerChange{Data: reg, Base: 987654}); !errors.Is(err, store.ErrLedgerChanged) {
			t.Errorf("a revocation with a stale registry: %v", err)
		}
		if got, _ := s.Visit(ctx, v.ID); got.Penalty != pen {
			t.Errorf("a refused revocation changed the penalty: %+v", got.Penalty)
		}
		if _, _, err := s.Ledger(ctx, training.Schema, v.County, 0); err == nil {
			t.Error("a refused revocation stored a registry")
		}
		entries, err := s.AuditLog(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		for _, a := range []string{"inspect.campaign", "inspect.visit", "ticket.raise", "ticket.report", "ticket.verify", "inspect.penalty"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no audit entry %s in %v", a, actions)
			}
		}
	})
}

// TestComplaint: a complaint needs its channel, subject and assignee; its
// deadline is the profile's days from the clock; the lists hold it.
func TestComplaint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		const county = "340201"
		bad := []store.Ticket{
			{Kind: store.TicketComplaint, County: county, Title: "x", Subject: "某机构", Assignee: "county", Source: "wechat"},
			{Kind: store.TicketComplaint, County: county, Title: "x", Subject: "", Assignee: "county", Source: "12345"},
			{Kind: store.TicketComplaint, County: county, Title: "x", Subject: "某机构", Source: "12345"},
			{Kind: "rectify", County: county, Title: "x"},
		}
		for _, b := range bad {
			if _, err := s.RaiseTrainingTicket(ctx, "county", b, nil, 15); !errors.Is(err, store.ErrTrainingInput) {
				t.Errorf("%+v: %v", b, err)
			}
		}
		tk, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketComplaint, County: county, Title: "暑期违规开设学科类课程",
			Subject: "某小区内无证补习班", Assignee: "county-2", Source: "12345"}, nil, 15)
		if err != nil {
			t.Fatal(err)
		}
		if want := ticket.DueAfter(now, 15); !tk.Deadline.Equal(want) {
			t.Errorf("deadline %v, want %v", tk.Deadline, want)
		}
		ts, err := s.TrainingTickets(ctx, county)
		if err != nil || len(ts) != 1 || ts[0].Assignee != "county-2" || ts[0].Source != "12345" || ts[0].Credit != "" {
			t.Errorf("the county's tickets: %+v %v", ts, err)
		}
		if ts, _ := s.TrainingTickets(ctx, "340202"); len(ts) != 0 {
			t.Errorf("another county's tickets: %+v", ts)
		}
		// Answered, found wanting by a colleague, answered again by that
		// colleague: the first reporter may verify the second answer.
		photo := []store.EvidenceUpload{{Name: "答复.png", Data: pngPhoto}}
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, tk.ID, ticket.Report, "已电话答复", photo); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TicketStep(ctx, "county", ticket.Raiser, tk.ID, ticket.Reject, "未现场核查", nil); !errors.Is(err, store.ErrSameActor) {
			t.Errorf("rejected by its reporter: %v", err)
		}
		if tk, err = s.TicketStep(ctx, "county-2", ticket.Raiser, tk.ID, ticket.Reject, "未现场核查", nil); err != nil || tk.Status != ticket.Open {
			t.Fatalf("rejected: %+v %v", tk, err)
		}
		if _, err := s.TicketStep(ctx, "county-2", ticket.Owner, tk.ID, ticket.Report, "现场核查，已责令停办", photo); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TicketStep(ctx, "county-2", ticket.Raiser, tk.ID, ticket.Verify, "x", nil); !errors.Is(err, store.ErrSameActor) {
			t.Errorf("verified by its latest reporter: %v", err)
		}
		if tk, err = s.TicketStep(ctx, "county", ticket.Raiser, tk.ID, ticket.Verify, "办结", nil); err != nil || tk.Status != ticket.Closed {
			t.Errorf("verified by the first reporter: %+v %v", tk, err)
		}
	})
}

// TestTicketVerifyOnce: two verifications of one fix at once land once;
// the other is refused as not allowed from the ticket's status.
func TestTicketVerifyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tk, err := s.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketComplaint, County: "340201", Title: "超前培训",
			Subject: "某机构", Assignee: "county", Source: "phone"}, nil, 15)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TicketStep(ctx, "county", ticket.Owner, tk.ID, ticket.Report, "已约谈并责令停止", []store.EvidenceUpload{{Name: "约谈.png", Data: pngPhoto}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []string{"county-2", "city"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.TicketStep(ctx, who, ticket.Raiser, tk.ID, ticket.Verify, "核验", nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ticket.ErrNotAllowed):
				t.Errorf("the refused verification: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d verifications landed, want 1: %v", ok, errs)
		}
		evs, _ := s.TicketEvents(ctx, tk.ID)
		if n := len(evs); n != 3 {
			t.Errorf("%d steps, want raise, report, verify", n)
		}
	})
}
