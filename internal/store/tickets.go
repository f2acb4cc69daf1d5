package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// Ticket is an item to be fixed by a deadline and verified by its raiser
// (internal/ticket): a 整改 item of a case's 问题清单, a 督办单 pressing a
// late task of a work plan, a 整改通知书 (rectification order) of an
// inspection of a 校外培训机构, or a 投诉举报 (complaint) about one.
type Ticket struct {
	ID           int64
	Kind         string // rectify, supervise, inspection, complaint
	CaseID       int64  // 0 when it belongs to no case
	PlanTask     int64  // the work-plan task a 督办单 presses; 0 for other kinds
	County       string // the owner: the county that fixes it
	Title        string
	Item         string // the standard's item, when it concerns one
	School       string
	Severity     string // 一般, 较重, 严重
	Source       string // visit, checklist, engine, discrepancy; a complaint's channel (ComplaintSources)
	Raiser       string
	RaiserRegion string
	RaiserLevel  review.Level
	Deadline     time.Time // zero until the clock starts (the feedback)
	Status       ticket.Status
	ReportedAt   time.Time
	ClosedAt     time.Time
	CreatedAt    time.Time
	// Of an inspection or a complaint (training_cases.go): the
	// institution's 统一社会信用代码 ("" for a complaint about no
	// registered institution), its name or what the complaint is about,
	// the account assigned to a complaint, and the visit an order came of.
	Credit, Subject, Assignee string
	VisitID                   int64
	// ReportedBy is the account that took the latest report step ("" when
	// none was taken).
	ReportedBy string
}

// TicketEvent is one step on a ticket, with its evidence files.
type TicketEvent struct {
	ID       int64
	Action   string // raise, report, verify, reject
	Text     string
	Actor    string
	At       time.Time
	Evidence []census.Evidence
}

// Ticket kinds: a 整改 item, a 督办单 (supervision letter, workplan.go).
const (
	TicketRectify   = "rectify"
	TicketSupervise = "supervise"
)

// RaiseTicket opens ticket t (a finding) as actor, with its evidence files
// (photos, documents), in one transaction with the case's timeline. When
// the case's feedback has already been given, or the county is recognised
// (a finding of its monitoring), the 整改 clock starts now (clocks.Rectify
// days).
func (s *Store) RaiseTicket(ctx context.Context, actor string, t Ticket, files []EvidenceUpload, clocks ticket.Clocks) (_ Ticket, err error) {
	defer wrap(&err, "raise a finding")
	if strings.TrimSpace(t.Title) == "" || len(t.County) != 6 {
		return t, fmt.Errorf("%w: a finding needs what was found and its county", ErrCaseInput)
	}
	types := make([]string, len(files))
	for i, f := range files {
		if types[i], err = SniffEvidence(f.Name, f.Data); err != nil {
			return t, err
		}
	}
	now := s.now()
	t.Kind, t.Status, t.Raiser, t.CreatedAt = cmpOr(t.Kind, TicketRectify), ticket.Open, actor, now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var year int
		if t.CaseID != 0 {
			c, err := caseByID(ctx, tx, t.CaseID)
			if err != nil {
				return err
			}
			if c.County != t.County {
				return fmt.Errorf("%w: the finding's county is not the case's", ErrCaseInput)
			}
			year = c.Year
			// The clock runs from the feedback on; a finding of a
			// recognised county's monitoring runs from when it is raised.
			if !c.FeedbackAt.IsZero() || c.Stage == recognition.Recognised {
				t.Deadline = ticket.DueAfter(now, clocks.Rectify)
			}
		}
		if err := insertTicket(ctx, tx, actor, &t, year, files, types, now); err != nil {
			return err
		}
		if t.CaseID != 0 {
			var stage string
			if err := tx.QueryRowContext(ctx, `SELECT stage FROM cases WHERE id = $1`, t.CaseID).Scan(&stage); err != nil {
				return err
			}
			if err := caseEvent(ctx, tx, t.CaseID, now, actor, t.RaiserLevel, "finding", recognition.Stage(stage),
				fmt.Sprintf("问题 %d：%s", t.ID, t.Title)); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, now, actor, "ticket.raise", t.County, fmt.Sprintf("ticket %d", t.ID), t.Title)
	})
	return t, err
}

// insertTicket stores ticket t (its ID set here) with its raise step and
// evidence files, in tx.
func insertTicket(ctx context.Context, tx *sql.Tx, actor string, t *Ticket, year int, files []EvidenceUpload, types []string, now time.Time) error {
	if err := tx.QueryRowContext(ctx, `INSERT INTO tickets (kind, case_id, plan_task_id, county_code, title, item, school_code, severity, source,
		raiser, raiser_region, raiser_level, deadline, status, created_at, credit, subject, assignee, visit_id)
		VALUES ($1, $2, $15, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16, $17, $18, $19) RETURNING id`,
		t.Kind, nullID(t.CaseID), t.County, strings.TrimSpace(t.Title), t.Item, t.School, t.Severity, t.Source,
		actor, t.RaiserRegion, t.RaiserLevel.String(), nullTime(t.Deadline), string(t.Status), now, nullID(t.PlanTask),
		t.Credit, strings.TrimSpace(t.Subject), t.Assignee, nullID(t.VisitID)).Scan(&t.ID); err != nil {
		return err
	}
	ev, err := ticketEvent(ctx, tx, t.ID, "raise", t.Title, actor, now)
	if err != nil {
		return err
	}
	return attachFiles(ctx, tx, *t, ev, year, actor, files, types, now)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func ticketEvent(ctx context.Context, tx *sql.Tx, id int64, action, text, actor string, at time.Time) (int64, error) {
	var ev int64
	err := tx.QueryRowContext(ctx, `INSERT INTO ticket_events (ticket_id, action, text, actor, at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		id, action, strings.TrimSpace(text), actor, at).Scan(&ev)
	return ev, err
}

func attachFiles(ctx context.Context, tx *sql.Tx, t Ticket, ev int64, year int, actor string, files []EvidenceUpload, types []string, at time.Time) error {
	for i, f := range files {
		e, err := addEvidence(ctx, tx, "ticket", t.County, year, fmt.Sprintf("ticket-%d", t.ID), 0, actor, f, types[i], at)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_files (ticket_id, event_id, evidence_id) VALUES ($1, $2, $3)`, t.ID, ev, e.ID); err != nil {
			return err
		}
	}
	return nil
}

const ticketCols = `id, kind, COALESCE(case_id, 0), COALESCE(plan_task_id, 0), county_code, title, item, school_code, severity, source, raiser, raiser_region, raiser_level,
	deadline, status, reported_at, closed_at, created_at, credit, subject, assignee, COALESCE(visit_id, 0),
	COALESCE((SELECT e.actor FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.action = 'report' ORDER BY e.id DESC LIMIT 1), '')`

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var level, status string
	var dl, rep, cl sql.NullTime
	if err := sc.Scan(&t.ID, &t.Kind, &t.CaseID, &t.PlanTask, &t.County, &t.Title, &t.Item, &t.School, &t.Severity, &t.Source, &t.Raiser,
		&t.RaiserRegion, &level, &dl, &status, &rep, &cl, &t.CreatedAt, &t.Credit, &t.Subject, &t.Assignee, &t.VisitID, &t.ReportedBy); err != nil {
		return t, err
	}
	t.RaiserLevel, _ = review.ParseLevel(level)
	t.Status, t.Deadline, t.ReportedAt, t.ClosedAt, t.CreatedAt = ticket.Status(status), utcOf(dl), utcOf(rep), utcOf(cl), t.CreatedAt.UTC()
	return t, nil
}

// Ticket returns ticket id, or ErrNotFound.
func (s *Store) Ticket(ctx context.Context, id int64) (_ Ticket, err error) {
	defer wrap(&err, "ticket %d", id)
	return found(scanTicket(s.db.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = $1`, id)))
}

// CaseTickets returns the tickets of case id, oldest first.
func (s *Store) CaseTickets(ctx context.Context, caseID int64) (_ []Ticket, err error) {
	defer wrap(&err, "tickets of case %d", caseID)
	return s.tickets(ctx, `WHERE case_id = $1 ORDER BY id`, caseID)
}

// CountyTickets returns the tickets owned by the counties whose codes
// start with prefix that are not closed, oldest deadline first.
func (s *Store) CountyTickets(ctx context.Context, prefix string) (_ []Ticket, err error) {
	defer wrap(&err, "open tickets")
	return s.tickets(ctx, `WHERE county_code LIKE $1 AND status <> 'closed' ORDER BY deadline, id`, prefix+"%")
}

func (s *Store) tickets(ctx context.Context, where string, args ...any) ([]Ticket, error) {
	return listOfRows(ctx, s.db, scanTicket, `SELECT `+ticketCols+` FROM tickets `+where, args...)
}

// TicketEvents returns the steps of ticket id, oldest first, each with its
// evidence files (without their contents).
func (s *Store) TicketEvents(ctx context.Context, id int64) (_ []TicketEvent, err error) {
	defer wrap(&err, "steps of ticket %d", id)
	rows, err := s.db.QueryContext(ctx, `SELECT id, action, text, actor, at FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	var out []TicketEvent
	idx := map[int64]int{}
	for rows.Next() {
		var e TicketEvent
		if err := rows.Scan(&e.ID, &e.Action, &e.Text, &e.Actor, &e.At); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = e.At.UTC()
		idx[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := s.db.QueryContext(ctx, `SELECT f.event_id, e.id, e.file_name, e.media_type, e.size, e.sha256, e.actor, e.uploaded_at
		FROM ticket_files f JOIN evidence_files e ON e.id = f.evidence_id WHERE f.ticket_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	defer files.Close()
	for files.Next() {
		var ev int64
		var e census.Evidence
		if err := files.Scan(&ev, &e.ID, &e.Name, &e.Type, &e.Size, &e.SHA256, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		if i, ok := idx[ev]; ok {
			out[i].Evidence = append(out[i].Evidence, e)
		}
	}
	return out, files.Err()
}

// TicketStep takes a step on ticket id: the owner reports the fix with
// what was done and evidence files, the raiser verifies it (closing the
// ticket) or rejects it with a reason. role says which the account is; the
// caller decides it from the account's scope.
func (s *Store) TicketStep(ctx context.Context, actor string, role ticket.Role, id int64, action ticket.Action, text string, files []EvidenceUpload) (t Ticket, err error) {
	defer wrap(&err, "%s ticket %d", action, id)
	types := make([]string, len(files))
	for i, f := range files {
		if types[i], err = SniffEvidence(f.Name, f.Data); err != nil {
			return t, err
		}
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		t, err = found(scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = $1`, id)))
		if err != nil {
			return err
		}
		to, err := ticket.Next(ticket.Step{From: t.Status, Action: action, By: role, Text: text, Evidence: len(files)})
		if err != nil {
			return err
		}
		// Separation of duty: on a ticket a county both reports and
		// verifies (an inspection's order, a complaint), the account that
		// reported the fix does not verify or reject it.
		if action != ticket.Report && TrainingTicket(t.Kind) && t.ReportedBy == actor {
			return ErrSameActor
		}
		set := `status = $1`
		switch action {
		case ticket.Report:
			set += `, reported_at = $2`
		case ticket.Verify:
			set += `, closed_at = $2`
		case ticket.Reject:
			set += `, reported_at = NULL, closed_at = NULL`
		}
		// The status read is the one changed: of two steps at once, the
		// second finds the ticket moved on and is refused.
		q := `UPDATE tickets SET ` + set + ` WHERE id = $3 AND status = $4`
		args := []any{string(to), now, id, string(t.Status)}
		if action == ticket.Reject {
			q = `UPDATE tickets SET ` + set + ` WHERE id = $2 AND status = $3`
			args = []any{string(to), id, string(t.Status)}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ticket.ErrNotAllowed
		}
		ev, err := ticketEvent(ctx, tx, id, string(action), text, actor, now)
		if err != nil {
			return err
		}
		var year int
		if t.CaseID != 0 {
			var stage string
			if err := tx.QueryRowContext(ctx, `SELECT year, stage FROM cases WHERE id = $1`, t.CaseID).Scan(&year, &stage); err != nil {
				return err
			}
			if err := caseEvent(ctx, tx, t.CaseID, now, actor, 0, "ticket."+string(action), recognition.Stage(stage),
				fmt.Sprintf("问题 %d：%s", id, strings.TrimSpace(text))); err != nil {
				return err
			}
		}
		if err := attachFiles(ctx, tx, t, ev, year, actor, files, types, now); err != nil {
			return err
		}
		t.Status = to
		return auditTx(ctx, tx, now, actor, "ticket."+string(action), t.County, fmt.Sprintf("ticket %d", id), strings.TrimSpace(text))
	})
	return t, err
}
