package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// Inspections and complaints of 校外培训机构 (off-campus training
// institutions, internal/training): a campaign (专项检查) is run by a
// county, or by a city or province over its counties; a visit to an
// institution of a county's registry records a checklist, photos and a
// penalty decision (处罚决定); each item found wanting may be raised as a
// 整改通知书 (rectification order), a ticket of kind inspection, and a
// 投诉举报 (complaint) is a ticket of kind complaint — both on the one
// ticket machinery (tickets.go, internal/ticket), with deadlines from the
// clock and the profile's days.

// Ticket kinds of 校外培训机构 supervision.
const (
	TicketInspection = "inspection" // 整改通知书 of a visit
	TicketComplaint  = "complaint"  // 投诉举报
)

// TrainingTicket reports whether kind is a ticket of 校外培训机构
// supervision: the county both reports its fix (the institution has no
// account) and verifies it, by another account.
func TrainingTicket(kind string) bool { return kind == TicketInspection || kind == TicketComplaint }

var (
	// ErrTrainingInput is the error of a campaign, visit, penalty, order
	// or complaint that is not complete or not consistent.
	ErrTrainingInput = errors.New("bad inspection or complaint")
	// ErrSameActor is the error of an account verifying (or rejecting)
	// the fix it reported itself.
	ErrSameActor = errors.New("the fix is to be verified by another account than the one that reported it")
	// ErrRaised is the error of a checklist item raised a second time.
	ErrRaised = errors.New("this item has its rectification order already")
)

// ComplaintSources are the channels a complaint comes by.
var ComplaintSources = []string{"12345", "phone", "platform", "letter", "other"}

// Check results of a checklist item.
const (
	CheckPass = "pass" // 符合
	CheckFail = "fail" // 不符合
	CheckNA   = "na"   // 不适用
)

// CheckItem is one item of a visit's checklist and its result. A visit
// keeps the items it was recorded with, names and all.
type CheckItem struct {
	ID     string `json:"id"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
}

// TrainingChecklist is the checklist of a visit, as data: what the 双减
// inspections look at on site.
var TrainingChecklist = []CheckItem{
	{ID: "licence", ZH: "证照公示", EN: "Licences displayed"},
	{ID: "fire", ZH: "消防安全", EN: "Fire safety"},
	{ID: "staff", ZH: "从业人员资质", EN: "Staff qualifications"},
	{ID: "fees", ZH: "收费公示与预收费监管", EN: "Fees displayed, pre-payments in custody"},
	{ID: "content", ZH: "培训内容与时间", EN: "Training content and hours"},
	{ID: "ads", ZH: "广告宣传", EN: "Advertising"},
}

// Penalty kinds of a 处罚决定.
var PenaltyKinds = []string{"none", "warning", "fine", "stop_enrol", "revoke"}

// Penalty is a visit's 处罚决定: none, a warning (警告), a fine (罚款, with
// its amount in 元), an order to stop enrolling (责令停止招生) or the
// licence revoked (吊销许可证), with the decision's 文号 and date.
type Penalty struct {
	Kind     string // "" while none is recorded; PenaltyKinds
	Amount   int64  // 元, of a fine
	Document string
	Day      string // 2026-07-20
}

// Campaign is a 专项检查 (inspection campaign).
type Campaign struct {
	ID        int64
	Region    string // a county, or a city or province over its counties
	Title     string
	Starts    string // 2026-07-01
	Ends      string
	Note      string
	CreatedBy string
	CreatedAt time.Time
}

// Visit is an inspection visit to an institution of a county's registry.
type Visit struct {
	ID         int64
	CampaignID int64 // 0 for a visit of no campaign
	County     string
	Credit     string // the institution's 统一社会信用代码
	Name       string
	Day        string // 2026-07-15
	Inspectors string
	Checklist  []CheckItem
	Findings   string
	Penalty    Penalty
	Photos     []census.Evidence // Visit fills them; Visits does not
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Fails counts the checklist's items found wanting.
func (v Visit) Fails() int {
	n := 0
	for _, it := range v.Checklist {
		if it.Result == CheckFail {
			n++
		}
	}
	return n
}

func trainingErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTrainingInput}, args...)...)
}

// isDay reports whether d is a date written 2026-07-15.
func isDay(d string) bool {
	_, err := time.Parse(time.DateOnly, d)
	return err == nil
}

// CreateCampaign stores campaign c of region c.Region (a county, city or
// province code) as actor, audited.
func (s *Store) CreateCampaign(ctx context.Context, actor string, c Campaign) (_ Campaign, err error) {
	defer wrap(&err, "create a campaign")
	c.Title, c.Note = strings.TrimSpace(c.Title), strings.TrimSpace(c.Note)
	switch {
	case c.Title == "" || len(c.Region) != 6:
		return c, trainingErr("a campaign needs a title and its region")
	case !isDay(c.Starts) || !isDay(c.Ends) || c.Ends < c.Starts:
		return c, trainingErr("a campaign needs a start and an end on or after it")
	}
	now := s.now()
	c.CreatedBy, c.CreatedAt = actor, now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO training_campaigns (region_code, title, starts, ends, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, c.Region, c.Title, c.Starts, c.Ends, c.Note, actor, now).Scan(&c.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "inspect.campaign", c.Region, fmt.Sprintf("campaign %d", c.ID), c.Title)
	})
	return c, err
}

const campaignCols = `id, region_code, title, starts, ends, note, created_by, created_at`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	err := sc.Scan(&c.ID, &c.Region, &c.Title, &c.Starts, &c.Ends, &c.Note, &c.CreatedBy, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// Campaign returns campaign id, or ErrNotFound.
func (s *Store) Campaign(ctx context.Context, id int64) (_ Campaign, err error) {
	defer wrap(&err, "campaign %d", id)
	return found(scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM training_campaigns WHERE id = $1`, id)))
}

// Campaigns returns the campaigns that cover county: its own, its city's
// and its province's, the latest start first.
func (s *Store) Campaigns(ctx context.Context, county string) (_ []Campaign, err error) {
	defer wrap(&err, "campaigns of %s", county)
	return listOfRows(ctx, s.db, scanCampaign, `SELECT `+campaignCols+` FROM training_campaigns
		WHERE region_code IN ($1, $2, $3) ORDER BY starts DESC, id DESC`, county, census.CityCode(county), census.ProvinceCode(county))
}

// covers reports whether campaign region covers county.
func covers(region, county string) bool {
	return region == county || region == census.CityCode(county) || region == census.ProvinceCode(county)
}

// RecordVisit stores visit v to an institution of county v.County (the
// caller checks it is in the county's registry) with its photos, as
// actor, in one transaction, audited. Every item of the checklist is
// TrainingChecklist's, with a result; a campaign, when named, covers the
// county.
func (s *Store) RecordVisit(ctx context.Context, actor string, v Visit, photos []EvidenceUpload) (_ Visit, err error) {
	defer wrap(&err, "record a visit")
	v.Credit, v.Name, v.Inspectors, v.Findings = strings.TrimSpace(v.Credit), strings.TrimSpace(v.Name), strings.TrimSpace(v.Inspectors), strings.TrimSpace(v.Findings)
	switch {
	case len(v.County) != 6 || v.Credit == "" || v.Name == "":
		return v, trainingErr("a visit needs its county and institution")
	case !isDay(v.Day):
		return v, trainingErr("a visit needs its date")
	case v.Inspectors == "":
		return v, trainingErr("a visit needs its inspectors")
	case len(v.Checklist) == 0:
		return v, trainingErr("a visit needs its checklist")
	}
	for _, it := range v.Checklist {
		if !slices.ContainsFunc(TrainingChecklist, func(c CheckItem) bool { return c.ID == it.ID }) {
			return v, trainingErr("no checklist item %q", it.ID)
		}
		if it.Result != CheckPass && it.Result != CheckFail && it.Result != CheckNA {
			return v, trainingErr("item %s needs a result", it.ID)
		}
	}
	types := make([]string, len(photos))
	for i, f := range photos {
		if types[i], err = SniffEvidence(f.Name, f.Data); err != nil {
			return v, err
		}
	}
	list, err := json.Marshal(v.Checklist)
	if err != nil {
		return v, err
	}
	now := s.now()
	v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.Penalty = actor, now, now, Penalty{}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if v.CampaignID != 0 {
			var region string
			if err := tx.QueryRowContext(ctx, `SELECT region_code FROM training_campaigns WHERE id = $1`, v.CampaignID).Scan(&region); errors.Is(err, sql.ErrNoRows) || err == nil && !covers(region, v.County) {
				return trainingErr("campaign %d does not cover %s", v.CampaignID, v.County)
			} else if err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO training_visits (campaign_id, county_code, credit, name, day, inspectors, checklist, findings, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			nullID(v.CampaignID), v.County, v.Credit, v.Name, v.Day, v.Inspectors, string(list), v.Findings, actor, now).Scan(&v.ID); err != nil {
			return err
		}
		for i, f := range photos {
			e, err := addEvidence(ctx, tx, "training", v.County, 0, fmt.Sprintf("visit-%d", v.ID), 0, actor, f, types[i], now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_visit_files (visit_id, evidence_id) VALUES ($1, $2)`, v.ID, e.ID); err != nil {
				return err
			}
			v.Photos = append(v.Photos, e)
		}
		detail := fmt.Sprintf("%s %s：%d项不符合", v.Day, v.Name, v.Fails())
		return auditTx(ctx, tx, now, actor, "inspect.visit", v.County, fmt.Sprintf("visit %d", v.ID), detail)
	})
	return v, err
}

const visitCols = `id, COALESCE(campaign_id, 0), county_code, credit, name, day, inspectors, checklist, findings,
	penalty, penalty_amount, penalty_doc, penalty_day, created_by, created_at, updated_at`

func scanVisit(sc interface{ Scan(...any) error }) (Visit, error) {
	var v Visit
	var list string
	if err := sc.Scan(&v.ID, &v.CampaignID, &v.County, &v.Credit, &v.Name, &v.Day, &v.Inspectors, &list, &v.Findings,
		&v.Penalty.Kind, &v.Penalty.Amount, &v.Penalty.Document, &v.Penalty.Day, &v.CreatedBy, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return v, err
	}
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return v, json.Unmarshal([]byte(list), &v.Checklist)
}

// Visit returns visit id with its photos (without their contents), or
// ErrNotFound.
func (s *Store) Visit(ctx context.Context, id int64) (_ Visit, err error) {
	defer wrap(&err, "visit %d", id)
	v, err := found(scanVisit(s.db.QueryRowContext(ctx, `SELECT `+visitCols+` FROM training_visits WHERE id = $1`, id)))
	if err != nil {
		return v, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.file_name, e.media_type, e.size, e.sha256, e.actor, e.uploaded_at
		FROM training_visit_files f JOIN evidence_files e ON e.id = f.evidence_id WHERE f.visit_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var e census.Evidence
		if err := rows.Scan(&e.ID, &e.Name, &e.Type, &e.Size, &e.SHA256, &e.Actor, &e.At); err != nil {
			return v, err
		}
		e.At = e.At.UTC()
		v.Photos = append(v.Photos, e)
	}
	return v, rows.Err()
}

// Visits returns the visits to institutions of county, the latest first
// (without their photos).
func (s *Store) Visits(ctx context.Context, county string) (_ []Visit, err error) {
	defer wrap(&err, "visits of %s", county)
	return listOfRows(ctx, s.db, scanVisit, `SELECT `+visitCols+` FROM training_visits WHERE county_code = $1 ORDER BY day DESC, id DESC`, county)
}

// LedgerChange is a new version of a county's ledger (Data, made from
// version Base) stored in one transaction with another step: the status
// row a 吊销许可证 decision adds to the 校外培训机构 registry.
type LedgerChange struct {
	Data *ledger.Data
	Base int64
	Note string
}

// RecordPenalty records the 处罚决定 p on visit id as actor, audited: a
// fine names its amount, every decision but none its 文号 and date. With
// registry, the registry's new version (a revocation's status row) is
// stored in the same transaction, or neither is.
func (s *Store) RecordPenalty(ctx context.Context, actor string, id int64, p Penalty, registry *LedgerChange) (_ Visit, err error) {
	defer wrap(&err, "penalty of visit %d", id)
	p.Document = strings.TrimSpace(p.Document)
	switch {
	case !slices.Contains(PenaltyKinds, p.Kind):
		return Visit{}, trainingErr("no penalty %q", p.Kind)
	case p.Kind == "fine" && p.Amount <= 0, p.Kind != "fine" && p.Amount != 0:
		return Visit{}, trainingErr("a fine, and only a fine, has an amount")
	case p.Kind != "none" && (p.Document == "" || !isDay(p.Day)):
		return Visit{}, trainingErr("a penalty decision needs its 文号 and date")
	case p.Kind == "none" && p.Day != "" && !isDay(p.Day):
		return Visit{}, trainingErr("a bad date")
	}
	now := s.now()
	var v Visit
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE training_visits SET penalty = $1, penalty_amount = $2, penalty_doc = $3, penalty_day = $4, updated_at = $5 WHERE id = $6`,
			p.Kind, p.Amount, p.Document, p.Day, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if v, err = scanVisit(tx.QueryRowContext(ctx, `SELECT `+visitCols+` FROM training_visits WHERE id = $1`, id)); err != nil {
			return err
		}
		if registry != nil {
			// The decision's status row, in the same transaction: a
			// revocation and its registry never disagree.
			lv := LedgerVersion{Kind: registry.Data.Schema.Kind, County: v.County, Rows: registry.Data.Len(), Actor: actor, Note: registry.Note, At: now}
			if ps := registry.Data.Validate(); len(ps) > 0 {
				return fmt.Errorf("%w: %s", ErrLedgerInput, ps[0].Problem.Problem)
			}
			if err := saveLedgerTx(ctx, tx, &lv, registry.Base, registry.Data); err != nil {
				return err
			}
		}
		detail := strings.TrimSpace(fmt.Sprintf("%s %s %s", p.Kind, p.Document, p.Day))
		if p.Kind == "fine" {
			detail += fmt.Sprintf(" %d元", p.Amount)
		}
		return auditTx(ctx, tx, now, actor, "inspect.penalty", v.County, fmt.Sprintf("visit %d", id), detail)
	})
	return v, err
}

// RaiseTrainingTicket opens ticket t — a 整改通知书 (kind inspection) of
// visit t.VisitID, or a complaint (kind complaint) — as actor, with its
// evidence files, in one transaction, audited ticket.raise. Its deadline
// is days (the profile's rectify_days or complaint_days) after now, on
// the store's clock. An order of a checklist item (t.Item) needs the item
// found wanting on the visit, and is raised once; its institution is the
// visit's. A complaint needs its channel (ComplaintSources), what it is
// about (t.Subject: the institution's name, or in words) and the account
// assigned.
func (s *Store) RaiseTrainingTicket(ctx context.Context, actor string, t Ticket, files []EvidenceUpload, days int) (_ Ticket, err error) {
	defer wrap(&err, "raise a %s", t.Kind)
	t.Title, t.Subject, t.Assignee = strings.TrimSpace(t.Title), strings.TrimSpace(t.Subject), strings.TrimSpace(t.Assignee)
	switch {
	case !TrainingTicket(t.Kind):
		return t, trainingErr("no kind %q", t.Kind)
	case len(t.County) != 6 || days < 1:
		return t, trainingErr("a ticket needs its county and days")
	case t.Kind == TicketInspection && t.VisitID == 0:
		return t, trainingErr("an order comes of a visit")
	case t.Kind == TicketInspection && t.Title == "" && t.Item == "":
		return t, trainingErr("an order needs what was found")
	case t.Kind == TicketComplaint && (t.Title == "" || t.Subject == "" || t.Assignee == "" || !slices.Contains(ComplaintSources, t.Source)):
		return t, trainingErr("a complaint needs its channel, subject, what is complained of and the account assigned")
	}
	types := make([]string, len(files))
	for i, f := range files {
		if types[i], err = SniffEvidence(f.Name, f.Data); err != nil {
			return t, err
		}
	}
	now := s.now()
	t.Status, t.Raiser, t.CreatedAt, t.CaseID, t.PlanTask = ticket.Open, actor, now, 0, 0
	t.Deadline = ticket.DueAfter(now, days)
	t.RaiserRegion, t.RaiserLevel = cmpOr(t.RaiserRegion, t.County), max(t.RaiserLevel, review.LevelCounty)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if t.Kind == TicketInspection {
			v, err := found(scanVisit(tx.QueryRowContext(ctx, `SELECT `+visitCols+` FROM training_visits WHERE id = $1`, t.VisitID)))
			if err != nil {
				return err
			}
			if v.County != t.County {
				return trainingErr("visit %d is not of %s", v.ID, t.County)
			}
			t.Credit, t.Subject, t.Source = v.Credit, v.Name, "visit"
			if t.Item != "" {
				i := slices.IndexFunc(v.Checklist, func(c CheckItem) bool { return c.ID == t.Item })
				if i < 0 || v.Checklist[i].Result != CheckFail {
					return trainingErr("item %s of visit %d is not found wanting", t.Item, v.ID)
				}
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE visit_id = $1 AND item = $2`, v.ID, t.Item).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return ErrRaised
				}
				t.Source = "checklist"
				if t.Title == "" {
					t.Title = v.Checklist[i].ZH + "不符合"
					if v.Checklist[i].Note != "" {
						t.Title += "：" + v.Checklist[i].Note
					}
				}
			}
		}
		if err := insertTicket(ctx, tx, actor, &t, 0, files, types, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "ticket.raise", t.County, fmt.Sprintf("ticket %d", t.ID), t.Kind+" "+t.Subject+"："+t.Title)
	})
	return t, err
}

// TrainingTickets returns the inspection orders and complaints of county,
// open ones first, then by deadline.
func (s *Store) TrainingTickets(ctx context.Context, county string) (_ []Ticket, err error) {
	defer wrap(&err, "inspection tickets of %s", county)
	return s.tickets(ctx, `WHERE county_code = $1 AND kind IN ('inspection', 'complaint')
		ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, deadline, id`, county)
}

// VisitTickets returns the orders of visit id, oldest first.
func (s *Store) VisitTickets(ctx context.Context, id int64) (_ []Ticket, err error) {
	defer wrap(&err, "orders of visit %d", id)
	return s.tickets(ctx, `WHERE visit_id = $1 ORDER BY id`, id)
}
