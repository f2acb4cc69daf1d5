package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// seedInspections stores, for county, the inspections and complaints of
// its 校外培训机构 registry through the same store calls the pages make —
// nothing when the county keeps no registry: a 暑期 campaign of the county
// and one of its city, visits to four institutions (one passing every
// item), rectification orders closed (reported by the county, verified by
// the city), waiting for verification, open and overdue, a penalty
// decision, and three complaints (answered and verified, open, overdue).
// The steps are dated in the past by moving the store's clock, which is
// put back after.
func seedInspections(ctx context.Context, st *store.Store, county string) error {
	d, _, err := st.Ledger(ctx, training.Schema, county, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	real := st.Now
	defer func() { st.Now = real }()
	now := real()
	ins := slices.DeleteFunc(training.Institutions(d, now), func(in training.Institution) bool { return !in.Active() })
	if len(ins) == 0 {
		return nil
	}
	rectify, complaint := 15, 15
	if rules, err := standards.Resolve("yzjh2017", "national"); err == nil {
		rectify, complaint = rules.Settings.Training.RectifyDays, rules.Settings.Training.ComplaintDays
	}
	at := now
	st.Now = func() time.Time { return at }
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	set := func(d int) { at = day(d) }
	photo := []store.EvidenceUpload{{Name: "现场照片.png", Data: demoPhoto()}}

	set(-50)
	c, err := st.CreateCampaign(ctx, "county", store.Campaign{Region: county, Title: fmt.Sprintf("%d年校外培训专项治理", now.Year()),
		Starts: ticket.Day(day(-45)), Ends: ticket.Day(day(30)), Note: "重点检查证照、消防、预收费监管和在职教师违规兼职"})
	if err != nil {
		return err
	}
	if _, err := st.CreateCampaign(ctx, "city", store.Campaign{Region: county[:4] + "00", Title: "全市校外培训机构消防安全联合检查",
		Starts: ticket.Day(day(-60)), Ends: ticket.Day(day(-40))}); err != nil {
		return err
	}
	// checklist fails the items named, with their notes.
	checklist := func(fails map[string]string) []store.CheckItem {
		list := slices.Clone(store.TrainingChecklist)
		for i := range list {
			list[i].Result = store.CheckPass
			if note, ok := fails[list[i].ID]; ok {
				list[i].Result, list[i].Note = store.CheckFail, note
			}
		}
		list[len(list)-1].Result = store.CheckNA // 广告宣传: none seen
		return list
	}
	visits := []struct {
		at       int
		fails    map[string]string
		findings string
	}{
		{-40, map[string]string{"fire": "二楼安全出口堆放杂物", "fees": "收费标准未在显著位置公示"}, ""},
		{-30, map[string]string{"staff": "2名授课人员无教师资格证"}, "现场核查从业人员12名"},
		{-12, map[string]string{"content": "周末上午开设学科类内容"}, ""},
		{-5, nil, "各项符合要求"},
	}
	var made []store.Visit
	for i, v := range visits {
		in := ins[i%len(ins)]
		set(v.at)
		vis, err := st.RecordVisit(ctx, "county", store.Visit{CampaignID: c.ID, County: county, Credit: in.Credit, Name: in.Name,
			Day: ticket.Day(at), Inspectors: "王建国、刘芳", Checklist: checklist(v.fails), Findings: v.findings}, photo)
		if err != nil {
			return err
		}
		made = append(made, vis)
	}
	order := func(v store.Visit, item string) (store.Ticket, error) {
		return st.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketInspection, County: county, VisitID: v.ID, Item: item,
			RaiserRegion: county, RaiserLevel: review.LevelCounty}, nil, rectify)
	}
	step := func(actor string, role ticket.Role, id int64, a ticket.Action, text string, files []store.EvidenceUpload) error {
		_, err := st.TicketStep(ctx, actor, role, id, a, text, files)
		return err
	}
	// The first visit: fire safety fixed and verified by the city; the fee
	// notice reported, waiting for another account to verify.
	set(-40)
	fire, err := order(made[0], "fire")
	if err != nil {
		return err
	}
	fees, err := order(made[0], "fees")
	if err != nil {
		return err
	}
	set(-33)
	if err := step("county", ticket.Owner, fire.ID, ticket.Report, "已清理安全出口杂物，增设疏散指示标志", photo); err != nil {
		return err
	}
	set(-31)
	if err := step("city", ticket.Raiser, fire.ID, ticket.Verify, "复查合格，同意销号", nil); err != nil {
		return err
	}
	set(-2)
	if err := step("county", ticket.Owner, fees.ID, ticket.Report, "已在前台和线上平台公示收费标准", photo); err != nil {
		return err
	}
	// The second: uncertified staff, overdue; a warning decided.
	set(-30)
	if _, err := order(made[1], "staff"); err != nil {
		return err
	}
	set(-25)
	if _, err := st.RecordPenalty(ctx, "county", made[1].ID, store.Penalty{Kind: "warning", Document: "教监罚〔" + fmt.Sprint(now.Year()) + "〕2号", Day: ticket.Day(at)}, nil); err != nil {
		return err
	}
	// The third: subject content at the weekend, open and on time.
	set(-12)
	if _, err := order(made[2], "content"); err != nil {
		return err
	}
	// Complaints.
	complaints := []struct {
		at                     int
		source, subject, title string
		credit                 string
		done                   bool
	}{
		{-28, "12345", "", "家长反映机构退费难，预收费超过3个月", ins[0].Credit, true},
		{-20, "phone", "某小区内无证补习班", "小区住宅内开设数学、英语补习班", "", false},
		{-6, "platform", "", "机构宣传“保过”“提分”等违规用语", ins[len(ins)-1].Credit, false},
	}
	for _, cp := range complaints {
		set(cp.at)
		subject := cp.subject
		for _, in := range ins {
			if in.Credit == cp.credit {
				subject = in.Name
			}
		}
		t, err := st.RaiseTrainingTicket(ctx, "county", store.Ticket{Kind: store.TicketComplaint, County: county, Title: cp.title, Source: cp.source,
			Credit: cp.credit, Subject: subject, Assignee: "county", RaiserRegion: county, RaiserLevel: review.LevelCounty}, nil, complaint)
		if err != nil {
			return err
		}
		if cp.done {
			set(cp.at + 6)
			if err := step("county", ticket.Owner, t.ID, ticket.Report, "已约谈机构负责人，退还预收费并整改收费方式，已回复投诉人", photo); err != nil {
				return err
			}
			set(cp.at + 8)
			if err := step("city", ticket.Raiser, t.ID, ticket.Verify, "回访投诉人满意，办结", nil); err != nil {
				return err
			}
		}
	}
	return nil
}
