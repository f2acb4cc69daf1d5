package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// The inbox (待办): what an account must do now, with counts — tasks to
// fill, returned data to fix, data to review, counties to accept, spot
// checks to record, items to judge — and the reminders sent to it. Each
// capability answers "open work for this account" here; the header shows
// the count of what needs the account's action. Nothing here tracks
// people: no check-ins, no online time, no ranking of individuals.

// inboxItem is one line of the inbox.
type inboxItem struct {
	Key  string // i18n key: inbox.fill, inbox.fix, inbox.review, inbox.submit_up, inbox.accept, inbox.spot, inbox.judge, inbox.survey_flagged, inbox.waiting
	N    int
	Task *store.Task
	Link string
	// Action is true when the account must act; false for what it only
	// watches (units of its county not yet submitted).
	Action bool
}

// inbox computes the account's open work. With judge set it also counts
// the items waiting for a judgement (an evaluation of the county).
func (s *Server) inbox(ctx context.Context, sc Scope, judge bool) ([]inboxItem, error) {
	if sc.role == "" || sc.role == store.RoleReadOnly {
		return nil, nil
	}
	school := ""
	if sc.SchoolOnly() {
		school = sc.school
	}
	counts, err := s.st.ReviewCounts(ctx, sc.prefix(), school)
	if err != nil {
		return nil, err
	}
	tasks := map[int64]*store.Task{}
	task := func(id int64) *store.Task {
		if t, ok := tasks[id]; ok {
			return t
		}
		t, err := s.st.Task(ctx, id)
		if err != nil || !sc.Task(t) {
			tasks[id] = nil
			return nil
		}
		tasks[id] = &t
		return &t
	}
	var out []inboxItem
	add := func(key string, c store.UnitCount, action bool, link string) {
		t := task(c.TaskID)
		if t == nil {
			return
		}
		for i := range out {
			if out[i].Key == key && out[i].Task.ID == c.TaskID {
				out[i].N += c.N
				return
			}
		}
		out = append(out, inboxItem{Key: key, N: c.N, Task: t, Link: fmt.Sprintf("/task/%d%s", c.TaskID, link), Action: action})
	}
	lvl := sc.Level()
	pending := map[int64]int{} // a county's units not yet approved, by task
	for _, c := range counts {
		if c.Kind == review.Unit && c.State != review.Approved {
			pending[c.TaskID] += c.N
		}
	}
	for _, c := range counts {
		switch {
		case lvl == review.LevelUnit && c.Kind == review.Unit && c.State == review.Open:
			add("inbox.fill", c, true, "/unit/"+school)
		case lvl == review.LevelUnit && c.Kind == review.Unit && c.State == review.Returned:
			add("inbox.fix", c, true, "/unit/"+school)
		case lvl == review.LevelCounty && c.Kind == review.Unit && c.State == review.Submitted:
			add("inbox.review", c, true, "")
		case lvl == review.LevelCounty && c.Kind == review.Unit && (c.State == review.Open || c.State == review.Returned):
			add("inbox.waiting", c, false, "")
		case lvl == review.LevelCounty && c.Kind == review.County && c.State == review.Returned:
			add("inbox.county_returned", c, true, "/county/"+sc.region)
		case lvl == review.LevelCounty && c.Kind == review.County && c.State == review.Open && pending[c.TaskID] == 0:
			add("inbox.submit_up", c, true, "/county/"+sc.region)
		case lvl >= review.LevelCity && c.Kind == review.County && c.State == review.Submitted:
			add("inbox.accept", c, true, "")
		}
	}
	if lvl >= review.LevelCity {
		n, err := s.st.OpenSpotItems(ctx, sc.prefix())
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, inboxItem{Key: "inbox.spot", N: n, Link: "/tasks", Action: true})
		}
	}
	// Recognition cases waiting for the account's step, and tickets to fix
	// or to verify.
	if lvl >= review.LevelCounty {
		cases, err := s.st.Cases(ctx, sc.prefix())
		if err != nil {
			return nil, err
		}
		now := s.now()
		for _, c := range cases {
			acts := recognition.Actions(c.Stage, lvl)
			if c.Stage == recognition.Notice && now.Before(c.NoticeEnd) {
				acts = nil // nothing to do until the notice ends
			}
			if len(acts) > 0 && sc.County(c.County) {
				out = append(out, inboxItem{Key: "inbox.case_" + string(c.Stage), N: 1, Link: fmt.Sprintf("/case/%d", c.ID), Action: true})
			}
		}
		tickets, err := s.st.CountyTickets(ctx, sc.prefix())
		if err != nil {
			return nil, err
		}
		fix, verify := 0, 0
		training := map[string]int{} // a county's inspection orders and complaints, by inbox key
		for _, t := range tickets {
			switch {
			case t.Kind == store.TicketSupervise:
				// A 督办单: the work plan's items below.
			case store.TrainingTicket(t.Kind):
				// An inspection's order or a complaint: the county reports
				// the fix and another of its accounts verifies it.
				if lvl == review.LevelCounty {
					key := map[string]string{store.TicketInspection: "inspect.inbox_", store.TicketComplaint: "complaint.inbox_"}[t.Kind]
					training[key+string(t.Status)]++
				}
			case lvl == review.LevelCounty && t.Status == ticket.Open && !t.Deadline.IsZero():
				fix++
			case lvl > review.LevelCounty && t.Status == ticket.Submitted && lvl >= t.RaiserLevel:
				verify++
			}
		}
		if fix > 0 {
			out = append(out, inboxItem{Key: "inbox.tickets_fix", N: fix, Link: "/cases", Action: true})
		}
		if verify > 0 {
			out = append(out, inboxItem{Key: "inbox.tickets_verify", N: verify, Link: "/cases", Action: true})
		}
		for _, key := range []string{"inspect.inbox_open", "inspect.inbox_submitted", "complaint.inbox_open", "complaint.inbox_submitted"} {
			if n := training[key]; n > 0 {
				anchor := "#tickets"
				if strings.HasPrefix(key, "complaint.") {
					anchor = "#complaints"
				}
				out = append(out, inboxItem{Key: key, N: n, Link: "/county/" + sc.region + "/inspections" + anchor, Action: true})
			}
		}
		if lvl == review.LevelProvince {
			n, err := s.st.OpenObjections(ctx, sc.prefix())
			if err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, inboxItem{Key: "inbox.objections", N: n, Link: "/cases", Action: true})
			}
		}
	}
	// Flagged survey responses for the county to decide (survey.go).
	if lvl == review.LevelCounty && sc.CanEdit() {
		fc, err := s.st.FlaggedResponses(ctx, sc.prefix())
		if err != nil {
			return nil, err
		}
		for _, c := range fc {
			key := "inbox.survey_flagged"
			if c.Standard == survey.AfterSchool {
				key = "inbox.survey_flagged_afterschool"
			}
			out = append(out, inboxItem{Key: key, N: c.N, Link: fmt.Sprintf("/survey/%d#flagged", c.SurveyID), Action: true})
		}
	}
	plans, err := s.workplanInbox(ctx, sc)
	if err != nil {
		return nil, err
	}
	out = append(out, plans...)
	if judge && lvl == review.LevelCounty {
		n, link, err := s.toJudge(ctx, sc.region)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, inboxItem{Key: "inbox.judge", N: n, Link: link, Action: true})
		}
	}
	slices.SortStableFunc(out, func(a, b inboxItem) int {
		if a.Action != b.Action {
			if a.Action {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// toJudge counts the items of the server's standard that wait for a
// judgement (待评议) in county's latest year, and links to its verdict page.
func (s *Server) toJudge(ctx context.Context, county string) (int, string, error) {
	years, err := s.cache.Years(ctx)
	if err != nil || len(years) == 0 {
		return 0, "", err
	}
	rules, err := standards.Shared(s.inForce().Standard, s.inForce().Profile)
	if err != nil {
		return 0, "", nil
	}
	y := years[len(years)-1]
	cty, err := s.wholeCounty(ctx, rules, y, county)
	if err != nil {
		return 0, "", nil // a county without records has nothing to judge
	}
	n := 0
	for _, it := range cty.Verdict.Items {
		if it.Item.Evidence && (it.Judgement == nil || it.Judgement.Status == census.StatusPending) {
			n++
		}
	}
	return n, "/county/" + county + "/verdict?year=" + strconv.Itoa(y), nil
}

// inboxCount is the header's count: the items that need the account's
// action. It is computed once per account scope and kept until anything
// that could change it is written — every step of the chain, of a case or
// of a ticket writes an audit entry, so the newest audit entry's id is the
// version it is kept under, read in one indexed query by every process
// alike — or the minute changes (a notice that ends).
func (s *Server) inboxCount(ctx context.Context, sc Scope) int {
	if sc.role == "" || sc.role == store.RoleReadOnly {
		return 0
	}
	version, err := s.st.AuditVersion(ctx)
	if err != nil {
		s.log.Warn("inbox count", "err", err)
		return 0
	}
	key := sc.role + "|" + sc.region + "|" + sc.school
	minute := s.now().Unix() / 60
	if n, ok := s.counts.get(key, version, minute); ok {
		return n
	}
	// The items to judge count too, so that the header and the inbox agree;
	// judging writes an audit entry, so the cache keeps their evaluation
	// until one is made (or the minute turns).
	items, err := s.inbox(ctx, sc, true)
	if err != nil {
		s.log.Warn("inbox count", "err", err)
		return 0
	}
	n := 0
	for _, it := range items {
		if it.Action {
			n += it.N
		}
	}
	s.counts.put(key, version, minute, n)
	return n
}

// versionCache holds values computed under one version (and minute); a
// newer one empties it. It is bounded: past 10 000 keys it stops adding.
type versionCache[T any] struct {
	mu              sync.Mutex
	version, minute int64
	m               map[string]T
}

func (c *versionCache[T]) get(key string, version, minute int64) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.minute != minute {
		var zero T
		return zero, false
	}
	v, ok := c.m[key]
	return v, ok
}

func (c *versionCache[T]) put(key string, version, minute int64, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.minute != minute || c.m == nil {
		c.version, c.minute, c.m = version, minute, map[string]T{}
	}
	if len(c.m) < 10000 {
		c.m[key] = v
	}
}

type inboxPage struct {
	*Base
	Items   []inboxItem
	Notices []store.Notice
}

// inboxPage shows the account's open work and its reminders.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "inbox")
	b.Title = b.T("inbox.title")
	items, err := s.inbox(r.Context(), b.Scope, true)
	if err != nil {
		return err
	}
	school := ""
	if b.Scope.SchoolOnly() {
		school = b.Scope.school
	}
	notices, err := s.st.Notices(r.Context(), b.Scope.Region(), school, 20)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inbox", &inboxPage{Base: b, Items: items, Notices: notices})
	return nil
}
