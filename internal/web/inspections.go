package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// Inspections and complaints of 校外培训机构 (off-campus training
// institutions): a county's page /county/{code}/inspections with its
// campaigns (专项检查), visits, rectification orders (整改通知书) and
// complaints (投诉举报) with their lights, and the forms that make them; a
// visit's page /inspection/{id} with its checklist, photos, orders and
// penalty decision (处罚决定). Orders and complaints are tickets of the one
// machinery (cases.go's /ticket/{id}): the institution has no account, so
// the county's account reports the fix and another account — a colleague
// of the county or a city or province account over it — verifies it.
//
// Who does what: a county account (not read-only) records visits,
// penalties, orders and complaints of its county; a county, city or
// province account creates campaigns (a city's or province's may cover
// all its counties); city and province accounts read, and may verify.

// trainingDays are the profile's days of a rectification order and of a
// complaint (standards.Training; 15 and 15 by default).
func (s *Server) trainingDays() (rectify, complaint int) {
	rectify, complaint = 15, 15
	if rules, err := standards.Shared(s.inForce().Standard, s.inForce().Profile); err == nil {
		rectify = cmp.Or(rules.Settings.Training.RectifyDays, rectify)
		complaint = cmp.Or(rules.Settings.Training.ComplaintDays, complaint)
	}
	return rectify, complaint
}

// records reports whether the account records a county's inspections and
// complaints: its own county's, not read-only.
func records(sc Scope, county string) bool {
	return sc.CanEdit() && sc.Level() == review.LevelCounty && sc.County(county)
}

// today is the server's date in Beijing time.
func (s *Server) today() string { return ticket.Day(s.now()) }

// registry is county's 校外培训机构 registry on the server's day (nil when
// the county keeps none).
func (s *Server) registry(r *http.Request, county string) ([]training.Institution, error) {
	d, _, err := s.st.Ledger(r.Context(), training.Schema, county, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return training.Institutions(d, s.trainingToday()), nil
}

type campaignRow struct {
	store.Campaign
	Visits int
}

type visitRow struct {
	store.Visit
	Campaign string
	Orders   int
}

type inspectionsPage struct {
	*Base
	Code, County string
	Institutions []training.Institution
	Campaigns    []campaignRow
	Visits       []visitRow
	Orders       []ticketRow
	Complaints   []ticketRow
	Record       bool // the account records visits and complaints here
	Campaign     bool // the account may create a campaign here
	Wide         string
	Checklist    []store.CheckItem
	Results      []string
	Sources      []string
	Assignees    []string
	Today        string
	RectifyDays  int
	ComplaintDay int
	Open, Red    int
}

// inspectionsCounty is the county of the path's {code} in scope (not a
// school account's).
func (s *Server) inspectionsCounty(r *http.Request) (*Base, string, error) {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || b.Scope.SchoolOnly() {
		return nil, "", errOutOfScope
	}
	return b, code, nil
}

// inspectionsPageGet serves GET /county/{code}/inspections.
func (s *Server) inspectionsPageGet(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.inspectionsCounty(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rg, err := s.regionName(r, code)
	if err != nil {
		return err
	}
	p := &inspectionsPage{Base: b, Code: code, County: cmp.Or(rg.Name, code), Record: records(b.Scope, code),
		Campaign: b.Scope.CanEdit() && b.Scope.Level() >= review.LevelCounty, Checklist: store.TrainingChecklist,
		Results: []string{store.CheckPass, store.CheckFail, store.CheckNA}, Sources: store.ComplaintSources, Today: s.today()}
	p.RectifyDays, p.ComplaintDay = s.trainingDays()
	if b.Scope.Level() > review.LevelCounty {
		p.Wide = census.CityCode(code)
		if b.Scope.Level() == review.LevelProvince {
			p.Wide = census.ProvinceCode(code)
		}
	}
	b.Title = p.County + " · " + b.T("inspect.title")
	if p.Institutions, err = s.registry(r, code); err != nil {
		return err
	}
	campaigns, err := s.st.Campaigns(ctx, code)
	if err != nil {
		return err
	}
	visits, err := s.st.Visits(ctx, code)
	if err != nil {
		return err
	}
	ts, err := s.st.TrainingTickets(ctx, code)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range campaigns {
		n := 0
		for _, v := range visits {
			if v.CampaignID == c.ID {
				n++
			}
		}
		names[c.ID] = c.Title
		p.Campaigns = append(p.Campaigns, campaignRow{Campaign: c, Visits: n})
	}
	for _, v := range visits {
		row := visitRow{Visit: v, Campaign: names[v.CampaignID]}
		for _, t := range ts {
			if t.VisitID == v.ID {
				row.Orders++
			}
		}
		p.Visits = append(p.Visits, row)
	}
	for _, t := range s.ticketRows(ts) {
		if t.Status != ticket.Closed {
			p.Open++
			if t.Light == ticket.Red {
				p.Red++
			}
		}
		if t.Kind == store.TicketComplaint {
			p.Complaints = append(p.Complaints, t)
		} else {
			p.Orders = append(p.Orders, t)
		}
	}
	if p.Record {
		if p.Assignees, err = s.countyAccounts(r, code); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "inspections", p)
	return nil
}

// countyAccounts are the names of county's own accounts that may act (not
// read-only, not disabled): those a complaint may be assigned to.
func (s *Server) countyAccounts(r *http.Request, county string) ([]string, error) {
	us, err := s.st.Users(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		if u.Role == store.RoleCounty && u.Region == county && !u.Disabled {
			out = append(out, u.Username)
		}
	}
	slices.Sort(out)
	return out, nil
}

// trainingErr maps the store's errors of inspections to what the user sees.
func trainingErr(err error) error {
	switch {
	case errors.Is(err, store.ErrTrainingInput):
		return badRequest("inspect.bad_input")
	case errors.Is(err, store.ErrRaised):
		return &userError{err: errConflict, key: "inspect.already_raised"}
	}
	return evidenceErr(err)
}

// createCampaign serves POST /county/{code}/inspections/campaigns: a
// campaign of the county, or (scope=wide) of the city or province of the
// account over it.
func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.inspectionsCounty(r)
	if err != nil {
		return err
	}
	if !b.Scope.CanEdit() || b.Scope.Level() < review.LevelCounty {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	region := code
	if r.PostForm.Get("scope") == "wide" && b.Scope.Level() > review.LevelCounty {
		region = census.CityCode(code)
		if b.Scope.Level() == review.LevelProvince {
			region = census.ProvinceCode(code)
		}
	}
	_, err = s.st.CreateCampaign(r.Context(), userOf(r).Username, store.Campaign{Region: region, Title: r.PostForm.Get("title"),
		Starts: r.PostForm.Get("starts"), Ends: r.PostForm.Get("ends"), Note: r.PostForm.Get("note")})
	if err != nil {
		return trainingErr(err)
	}
	setFlash(w, b.T("inspect.campaign_saved"))
	http.Redirect(w, r, "/county/"+code+"/inspections#campaigns", http.StatusSeeOther)
	return nil
}

// recordVisit serves POST /county/{code}/inspections/visits: a visit to
// an institution of the county's registry, its checklist (r.<item> and
// n.<item>), findings and photos.
func (s *Server) recordVisit(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.inspectionsCounty(r)
	if err != nil {
		return err
	}
	if !records(b.Scope, code) {
		return errForbidden
	}
	files, form, err := evidenceForm(w, r, "photo")
	if err != nil {
		return err
	}
	ins, err := s.registry(r, code)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ins, func(in training.Institution) bool { return in.Credit == form["credit"] })
	if i < 0 {
		return badRequest("inspect.not_registered")
	}
	v := store.Visit{County: code, Credit: ins[i].Credit, Name: ins[i].Name, Day: form["day"], Inspectors: form["inspectors"], Findings: form["findings"]}
	if form["campaign"] != "" {
		if v.CampaignID, err = strconv.ParseInt(form["campaign"], 10, 64); err != nil {
			return badRequest("inspect.bad_input")
		}
	}
	for _, it := range store.TrainingChecklist {
		it.Result, it.Note = form["r."+it.ID], strings.TrimSpace(form["n."+it.ID])
		v.Checklist = append(v.Checklist, it)
	}
	v, err = s.st.RecordVisit(r.Context(), userOf(r).Username, v, files)
	if err != nil {
		return trainingErr(err)
	}
	setFlash(w, b.T("inspect.visit_saved"))
	http.Redirect(w, r, fmt.Sprintf("/inspection/%d", v.ID), http.StatusSeeOther)
	return nil
}

// raiseComplaint serves POST /county/{code}/complaints: a complaint
// about an institution of the registry (credit) or a subject in words,
// by its channel, assigned to an account of the county.
func (s *Server) raiseComplaint(w http.ResponseWriter, r *http.Request) error {
	b, code, err := s.inspectionsCounty(r)
	if err != nil {
		return err
	}
	if !records(b.Scope, code) {
		return errForbidden
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	t := store.Ticket{Kind: store.TicketComplaint, County: code, Title: form["title"], Source: form["source"], Subject: form["subject"],
		Assignee: form["assignee"], RaiserRegion: code, RaiserLevel: review.LevelCounty}
	if c := form["credit"]; c != "" {
		ins, err := s.registry(r, code)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ins, func(in training.Institution) bool { return in.Credit == c })
		if i < 0 {
			return badRequest("inspect.not_registered")
		}
		t.Credit, t.Subject = c, ins[i].Name
	}
	accounts, err := s.countyAccounts(r, code)
	if err != nil {
		return err
	}
	if !slices.Contains(accounts, t.Assignee) {
		return badRequest("complaint.bad_assignee")
	}
	_, days := s.trainingDays()
	t, err = s.st.RaiseTrainingTicket(r.Context(), userOf(r).Username, t, files, days)
	if err != nil {
		return trainingErr(err)
	}
	setFlash(w, b.T("complaint.saved"))
	http.Redirect(w, r, fmt.Sprintf("/ticket/%d", t.ID), http.StatusSeeOther)
	return nil
}

type visitPage struct {
	*Base
	V        store.Visit
	County   string
	Campaign string
	Orders   []ticketRow
	Raised   map[string]int64 // the order of each item raised, by item
	Record   bool
	Kinds    []string
}

// visitOf finds the visit of the path's {id} in the account's scope.
func (s *Server) visitOf(r *http.Request) (store.Visit, *Base, error) {
	return pathObject(s, r, "county", s.st.Visit, func(sc Scope, v store.Visit) bool { return sc.County(v.County) })
}

// visitPageGet serves GET /inspection/{id}: a visit, its checklist,
// photos, orders and penalty decision.
func (s *Server) visitPageGet(w http.ResponseWriter, r *http.Request) error {
	v, b, err := s.visitOf(r)
	if err != nil {
		return err
	}
	rg, err := s.regionName(r, v.County)
	if err != nil {
		return err
	}
	p := &visitPage{Base: b, V: v, County: cmp.Or(rg.Name, v.County), Record: records(b.Scope, v.County), Raised: map[string]int64{}, Kinds: store.PenaltyKinds}
	if v.CampaignID != 0 {
		if c, err := s.st.Campaign(r.Context(), v.CampaignID); err == nil {
			p.Campaign = c.Title
		}
	}
	ts, err := s.st.VisitTickets(r.Context(), v.ID)
	if err != nil {
		return err
	}
	p.Orders = s.ticketRows(ts)
	for _, t := range ts {
		if t.Item != "" {
			p.Raised[t.Item] = t.ID
		}
	}
	b.Title = v.Name + " · " + v.Day
	s.render(w, r, http.StatusOK, "inspections_visit", p)
	return nil
}

// raiseOrder serves POST /inspection/{id}/order: a 整改通知书 of an item
// found wanting (item) or of another finding (title), with its photos;
// due in the profile's rectify_days from now.
func (s *Server) raiseOrder(w http.ResponseWriter, r *http.Request) error {
	v, b, err := s.visitOf(r)
	if err != nil {
		return err
	}
	if !records(b.Scope, v.County) {
		return errForbidden
	}
	files, form, err := evidenceForm(w, r, "file")
	if err != nil {
		return err
	}
	days, _ := s.trainingDays()
	t, err := s.st.RaiseTrainingTicket(r.Context(), userOf(r).Username, store.Ticket{Kind: store.TicketInspection, County: v.County, VisitID: v.ID,
		Item: form["item"], Title: form["title"], Severity: form["severity"], RaiserRegion: v.County, RaiserLevel: review.LevelCounty}, files, days)
	if err != nil {
		return trainingErr(err)
	}
	setFlash(w, b.T("inspect.order_saved", t.ID))
	http.Redirect(w, r, fmt.Sprintf("/ticket/%d", t.ID), http.StatusSeeOther)
	return nil
}

// recordPenalty serves POST /inspection/{id}/penalty: the visit's 处罚决定.
func (s *Server) recordPenalty(w http.ResponseWriter, r *http.Request) error {
	v, b, err := s.visitOf(r)
	if err != nil {
		return err
	}
	if !records(b.Scope, v.County) {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	p := store.Penalty{Kind: r.PostForm.Get("kind"), Document: r.PostForm.Get("document"), Day: r.PostForm.Get("day")}
	if a := strings.TrimSpace(r.PostForm.Get("amount")); a != "" && p.Kind == "fine" {
		n, err := strconv.ParseInt(strings.ReplaceAll(a, ",", ""), 10, 64)
		if err != nil {
			return badRequest("inspect.bad_amount", a)
		}
		p.Amount = n
	}
	var registry *store.LedgerChange
	if p.Kind == "revoke" {
		if registry, err = s.revocationRow(r, v, p); err != nil {
			return err
		}
	}
	if _, err := s.st.RecordPenalty(r.Context(), userOf(r).Username, v.ID, p, registry); err != nil {
		if msg, ok := ledgerEditError(b, err); ok {
			return &userError{err: errConflict, key: "inspect.registry_refused", args: []any{msg}}
		}
		return trainingErr(err)
	}
	setFlash(w, b.T("inspect.penalty_saved"))
	http.Redirect(w, r, fmt.Sprintf("/inspection/%d#penalty", v.ID), http.StatusSeeOther)
	return nil
}

// revocationRow is the registry with the status row a 吊销许可证 decision
// adds for the visit's institution (dated the decision's day, its 文号),
// so the registry — its rules and black list — knows the licence is
// revoked; nil when the institution is not in the registry or the row is
// already there.
func (s *Server) revocationRow(r *http.Request, v store.Visit, p store.Penalty) (*store.LedgerChange, error) {
	d, lv, err := s.st.Ledger(r.Context(), training.Schema, v.County, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	known := false
	for _, in := range d.Rows(training.TInstitutions) {
		known = known || in.Get("credit") == v.Credit
	}
	for _, st := range d.Rows(training.TStatuses) {
		if st.Get("credit") == v.Credit && st.Get("date") == p.Day && st.Get("status") == training.Revoked {
			return nil, nil
		}
	}
	if !known {
		return nil, nil
	}
	if err := d.Add(training.TStatuses, map[string]string{"credit": v.Credit, "date": p.Day, "status": training.Revoked,
		"document": p.Document, "reason": fmt.Sprintf("处罚决定（检查 %d）", v.ID)}); err != nil {
		return nil, err
	}
	return &store.LedgerChange{Data: d, Base: lv.ID, Note: "吊销许可证 " + p.Document}, nil
}
