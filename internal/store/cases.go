package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// Case is a county's recognition case (认定) under one standard, in one
// round: where it stands, the data it was judged on and its clocks.
type Case struct {
	ID       int64
	County   string
	Standard string
	Profile  string
	Year     int
	Round    int
	Stage    recognition.Stage
	// Snapshot is what the case was judged on, in JSON: set when the county
	// submits its self-evaluation (the verdict, the data status).
	Snapshot     string
	NoticeStart  time.Time
	NoticeEnd    time.Time
	FeedbackAt   time.Time
	RecognisedAt time.Time
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CaseEvent is one line of a case's timeline.
type CaseEvent struct {
	ID    int64
	At    time.Time
	Actor string
	Level review.Level
	Kind  string // open, a recognition.Action, inspection, finding, ticket.<action>
	Stage recognition.Stage
	Text  string
	// Verdict is the verdict the step was taken on (JSON, as
	// CaseStepInput.Verdict), on the steps of the chain; empty on others.
	Verdict string
}

// ErrCaseInput is a case or a step asked for with bad input.
var ErrCaseInput = errors.New("bad recognition case")

// OpenCase opens a new round of county's case under standard (with
// profile) for year, at the self-evaluation stage, and returns it.
func (s *Store) OpenCase(ctx context.Context, actor string, c Case) (_ Case, err error) {
	defer wrap(&err, "open the case of %s", c.County)
	if len(c.County) != 6 || c.Standard == "" || c.Year < 2000 || c.Year > 2100 {
		return c, fmt.Errorf("%w: county %q, standard %q, year %d", ErrCaseInput, c.County, c.Standard, c.Year)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(round), 0) + 1 FROM cases WHERE county_code = $1 AND standard = $2`,
			c.County, c.Standard).Scan(&c.Round); err != nil {
			return err
		}
		c.Stage, c.CreatedBy, c.CreatedAt, c.UpdatedAt = recognition.SelfEval, actor, now, now
		if err := tx.QueryRowContext(ctx, `INSERT INTO cases (county_code, standard, profile, year, round, stage, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			c.County, c.Standard, c.Profile, c.Year, c.Round, string(c.Stage), actor, now).Scan(&c.ID); err != nil {
			return err
		}
		text := fmt.Sprintf("%s %d 年度，第 %d 轮", c.Standard, c.Year, c.Round)
		if err := caseEvent(ctx, tx, c.ID, now, actor, review.LevelCounty, "open", c.Stage, text); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "case.open", c.County, fmt.Sprintf("case %d", c.ID), text)
	})
	return c, err
}

func caseEvent(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor string, level review.Level, kind string, stage recognition.Stage, text string) error {
	return caseEventVerdict(ctx, tx, id, at, actor, level, kind, stage, text, "")
}

// caseEventVerdict adds an event with the verdict (JSON) its step was
// taken on.
func caseEventVerdict(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor string, level review.Level, kind string, stage recognition.Stage, text, verdict string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, at, actor, level, kind, stage, text, verdict) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, at, actor, level.String(), kind, string(stage), text, verdict)
	return err
}

const caseCols = `id, county_code, standard, profile, year, round, stage, snapshot, notice_start, notice_end, feedback_at, recognised_at, created_by, created_at, updated_at`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var stage string
	var ns, ne, fb, rc sql.NullTime
	if err := sc.Scan(&c.ID, &c.County, &c.Standard, &c.Profile, &c.Year, &c.Round, &stage, &c.Snapshot, &ns, &ne, &fb, &rc,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.Stage = recognition.Stage(stage)
	c.NoticeStart, c.NoticeEnd, c.FeedbackAt, c.RecognisedAt = utcOf(ns), utcOf(ne), utcOf(fb), utcOf(rc)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

func utcOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Case returns case id, or ErrNotFound.
func (s *Store) Case(ctx context.Context, id int64) (_ Case, err error) {
	defer wrap(&err, "case %d", id)
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// Cases returns the cases of the counties whose codes start with prefix,
// newest first.
func (s *Store) Cases(ctx context.Context, prefix string) (_ []Case, err error) {
	defer wrap(&err, "cases")
	return listOfRows(ctx, s.db, scanCase, `SELECT `+caseCols+` FROM cases WHERE county_code LIKE $1 ORDER BY id DESC`, prefix+"%")
}

// CaseEvents returns the timeline of case id, oldest first.
func (s *Store) CaseEvents(ctx context.Context, id int64) (_ []CaseEvent, err error) {
	defer wrap(&err, "timeline of case %d", id)
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, level, kind, stage, text, verdict FROM case_events WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		var level, stage string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &level, &e.Kind, &stage, &e.Text, &e.Verdict); err != nil {
			return nil, err
		}
		e.Level, _ = review.ParseLevel(level)
		e.Stage, e.At = recognition.Stage(stage), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// CaseStepInput is a step asked of a case.
type CaseStepInput struct {
	Action recognition.Action
	Reason string
	// Snapshot, on the county's SubmitSelf, records what the case is
	// judged on (JSON).
	Snapshot string
	// Verdict is the verdict on the case's data when the step is taken
	// (JSON), kept with the step's event: the verdict at each stage.
	Verdict string
	// Clocks are the statutory clocks of the case's profile.
	Clocks ticket.Clocks
}

// CaseStep takes a step on case id as actor of level by, checking it
// against recognition.Next with the case's open tickets and notice clock,
// inside one transaction; the province's feedback starts the 整改 clock of
// every open ticket, a notice runs for the clocks' notice days. It returns
// the case after the step.
func (s *Store) CaseStep(ctx context.Context, actor string, by review.Level, id int64, in CaseStepInput) (c Case, err error) {
	defer wrap(&err, "%s on case %d", in.Action, id)
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE case_id = $1 AND status <> 'closed'`, id).Scan(&open); err != nil {
			return err
		}
		to, err := recognition.Next(recognition.Step{From: c.Stage, Action: in.Action, By: by, Reason: in.Reason, Open: open,
			NoticeEnds: c.NoticeEnd, Now: now})
		if err != nil {
			return err
		}
		set := `stage = $1, updated_at = $2`
		args := []any{string(to), now, id}
		switch in.Action {
		case recognition.SubmitSelf:
			set += `, snapshot = $4`
			args = append(args, in.Snapshot)
		case recognition.Feedback:
			set += `, feedback_at = $2`
			due := ticket.DueAfter(now, in.Clocks.Rectify)
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET deadline = $1 WHERE case_id = $2 AND status <> 'closed' AND deadline IS NULL`, due, id); err != nil {
				return err
			}
		case recognition.Publish, recognition.RecheckPass:
			set += `, notice_start = $2, notice_end = $4`
			args = append(args, ticket.DueAfter(now, in.Clocks.Notice))
		case recognition.Recognise:
			set += `, recognised_at = $2`
		case recognition.RecheckBack:
			// The fixes found wanting get a new deadline.
			due := ticket.DueAfter(now, in.Clocks.Rectify)
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET deadline = $1 WHERE case_id = $2 AND status = 'open'`, due, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+set+` WHERE id = $3`, args...); err != nil {
			return err
		}
		text := strings.TrimSpace(in.Reason)
		if err := caseEventVerdict(ctx, tx, id, now, actor, by, string(in.Action), to, text, in.Verdict); err != nil {
			return err
		}
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "case."+string(in.Action), c.County, fmt.Sprintf("case %d", id), text)
	})
	return c, err
}

// Inspection is a drawn on-site inspection plan: the schools to visit.
type Inspection struct {
	ID         int64
	CaseID     int64
	Level      review.Level
	Mock       bool // the county's own rehearsal (模拟督导), which changes nothing
	Seed       uint64
	Size       int
	Candidates []recognition.Candidate
	Visits     []string
	// Panel is the people drawn for the 座谈会 (forum), by group, school
	// and roster number (recognition.DrawPanel); empty when none was asked.
	Panel []recognition.Panelist
	Actor string
	At    time.Time
}

// PanelDraw asks an inspection draw for a 座谈会 panel of Size from
// Schools (recognition.DrawPanel, with the inspection's seed); the zero
// value asks for none.
type PanelDraw struct {
	Schools []recognition.PanelSchool
	Size    recognition.PanelSize
}

// DrawInspection draws size schools of candidates to visit with seed, as
// recognition.Draw does, and records the draw (candidates, seed, visits)
// so that it can be shown again; a county draws a mock one. With a panel
// it also draws the people of the 座谈会 from the same seed.
func (s *Store) DrawInspection(ctx context.Context, actor string, by review.Level, caseID int64, mock bool, size int, seed uint64, candidates []recognition.Candidate, panel PanelDraw) (in Inspection, err error) {
	defer wrap(&err, "draw an inspection for case %d", caseID)
	if size < 1 || size > 500 {
		return in, fmt.Errorf("%w: %d schools to visit (want 1 to 500)", ErrCaseInput, size)
	}
	if len(candidates) == 0 {
		return in, fmt.Errorf("%w: no school to draw from", ErrCaseInput)
	}
	if ps := panel.Size; ps.Principals < 0 || ps.Teachers < 0 || ps.Parents < 0 || ps.Total() > 200 {
		return in, fmt.Errorf("%w: a forum of %d principals, %d teachers and %d parents (want 0 to 200 in all)",
			ErrCaseInput, ps.Principals, ps.Teachers, ps.Parents)
	}
	in = Inspection{CaseID: caseID, Level: by, Mock: mock, Seed: seed, Size: size, Candidates: candidates,
		Visits: recognition.Draw(candidates, size, seed), Actor: actor, At: s.now()}
	if panel.Size.Total() > 0 {
		in.Panel = recognition.DrawPanel(panel.Schools, panel.Size, seed)
	}
	js, err := json.Marshal(candidates)
	if err != nil {
		return in, err
	}
	pjs := []byte{}
	if len(in.Panel) > 0 {
		if pjs, err = json.Marshal(in.Panel); err != nil {
			return in, err
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var c Case
		c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, caseID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		m := 0
		if mock {
			m = 1
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO inspections (case_id, level, mock, seed, size, candidates, visits, panel, actor, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, caseID, by.String(), m, int64(seed), size, string(js),
			strings.Join(in.Visits, ","), string(pjs), actor, in.At).Scan(&in.ID); err != nil {
			return err
		}
		kind := "inspection"
		if mock {
			kind = "mock_inspection"
		}
		text := fmt.Sprintf("抽取 %d 所学校（共 %d 所，随机种子 %d）：%s", len(in.Visits), len(candidates), seed, strings.Join(in.Visits, "、"))
		if len(in.Panel) > 0 {
			text += fmt.Sprintf("；座谈会抽取 %d 人", len(in.Panel))
		}
		if err := caseEvent(ctx, tx, caseID, in.At, actor, by, kind, c.Stage, text); err != nil {
			return err
		}
		return auditTx(ctx, tx, in.At, actor, "case."+kind, c.County, fmt.Sprintf("case %d", caseID), text)
	})
	return in, err
}

// Inspections returns the inspection draws of case id, newest first.
func (s *Store) Inspections(ctx context.Context, caseID int64) (_ []Inspection, err error) {
	defer wrap(&err, "inspections of case %d", caseID)
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id, level, mock, seed, size, candidates, visits, panel, actor, at
		FROM inspections WHERE case_id = $1 ORDER BY id DESC`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Inspection
	for rows.Next() {
		var in Inspection
		var level, cands, visits, panel string
		var mock int
		var seed int64
		if err := rows.Scan(&in.ID, &in.CaseID, &level, &mock, &seed, &in.Size, &cands, &visits, &panel, &in.Actor, &in.At); err != nil {
			return nil, err
		}
		if panel != "" {
			if err := json.Unmarshal([]byte(panel), &in.Panel); err != nil {
				return nil, err
			}
		}
		in.Level, _ = review.ParseLevel(level)
		in.Mock, in.Seed, in.Visits, in.At = mock == 1, uint64(seed), splitCodes(visits), in.At.UTC()
		if err := json.Unmarshal([]byte(cands), &in.Candidates); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Objection is an objection (异议) or appeal (申诉) filed on a case.
type Objection struct {
	ID         int64
	CaseID     int64
	Kind       string // recognition.KindObjection or KindAppeal
	Text       string
	FiledBy    string
	FiledAt    time.Time
	AnswerDue  time.Time
	Answer     string
	AnsweredBy string
	AnsweredAt time.Time
}

// Objections returns the objections and appeals of case id, oldest first.
func (s *Store) Objections(ctx context.Context, id int64) (_ []Objection, err error) {
	defer wrap(&err, "objections of case %d", id)
	return objections(ctx, s.db, id)
}

func objections(ctx context.Context, q querier, id int64) ([]Objection, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, kind, text, filed_by, filed_at, answer_due, answer, answered_by, answered_at
		FROM case_objections WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Objection
	for rows.Next() {
		var o Objection
		var ans sql.NullTime
		if err := rows.Scan(&o.ID, &o.CaseID, &o.Kind, &o.Text, &o.FiledBy, &o.FiledAt, &o.AnswerDue, &o.Answer, &o.AnsweredBy, &ans); err != nil {
			return nil, err
		}
		o.FiledAt, o.AnswerDue, o.AnsweredAt = o.FiledAt.UTC(), o.AnswerDue.UTC(), utcOf(ans)
		out = append(out, o)
	}
	return out, rows.Err()
}

// FileObjection files an objection or appeal on case id as the county's
// actor, when recognition.MayObject allows it at the store's time: the
// province's answer is due within the clocks' reply days.
func (s *Store) FileObjection(ctx context.Context, actor string, id int64, kind, text string, clocks ticket.Clocks) (o Objection, err error) {
	defer wrap(&err, "file an %s on case %d", kind, id)
	if strings.TrimSpace(text) == "" {
		return o, fmt.Errorf("%w: an objection needs its grounds", ErrCaseInput)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		prev, err := objections(ctx, tx, id)
		if err != nil {
			return err
		}
		var filings []recognition.Filing
		for _, p := range prev {
			filings = append(filings, recognition.Filing{Kind: p.Kind, Filed: p.FiledAt, Answered: p.AnsweredAt})
		}
		conclusion := c.FeedbackAt
		if conclusion.IsZero() {
			conclusion = c.NoticeStart
		}
		if err := recognition.MayObject(kind, conclusion, filings, clocks.Objection, clocks.Appeal, now, ticket.DueAfter); err != nil {
			return err
		}
		reply := clocks.ObjectionReply
		if kind == recognition.KindAppeal {
			reply = clocks.AppealReply
		}
		o = Objection{CaseID: id, Kind: kind, Text: strings.TrimSpace(text), FiledBy: actor, FiledAt: now, AnswerDue: ticket.DueAfter(now, reply)}
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_objections (case_id, kind, text, filed_by, filed_at, answer_due)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, id, kind, o.Text, actor, now, o.AnswerDue).Scan(&o.ID); err != nil {
			return err
		}
		if err := caseEvent(ctx, tx, id, now, actor, review.LevelCounty, kind, c.Stage, o.Text); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "case."+kind, c.County, fmt.Sprintf("case %d", id), o.Text)
	})
	return o, err
}

// AnswerObjection records the province's answer to objection oid of case
// id.
func (s *Store) AnswerObjection(ctx context.Context, actor string, id, oid int64, answer string) (err error) {
	defer wrap(&err, "answer objection %d", oid)
	if strings.TrimSpace(answer) == "" {
		return fmt.Errorf("%w: an answer needs its text", ErrCaseInput)
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var county, stage string
		if err := tx.QueryRowContext(ctx, `SELECT county_code, stage FROM cases WHERE id = $1`, id).Scan(&county, &stage); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_objections SET answer = $1, answered_by = $2, answered_at = $3
			WHERE id = $4 AND case_id = $5 AND answered_at IS NULL`, strings.TrimSpace(answer), actor, now, oid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := caseEvent(ctx, tx, id, now, actor, review.LevelProvince, "answer", recognition.Stage(stage), strings.TrimSpace(answer)); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "case.answer", county, fmt.Sprintf("case %d", id), strings.TrimSpace(answer))
	})
}

// OpenObjections counts the objections and appeals of the counties whose
// codes start with prefix that wait for an answer.
func (s *Store) OpenObjections(ctx context.Context, prefix string) (n int, err error) {
	defer wrap(&err, "open objections")
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_objections o JOIN cases c ON c.id = o.case_id
		WHERE c.county_code LIKE $1 AND o.answered_at IS NULL`, prefix+"%").Scan(&n)
	return n, err
}

// caseLocks returns, by county code, the recognition cases of year whose
// evaluation holds the county's records of that year locked (at a stage
// of recognition.Judging): the oldest such case of each county.
func caseLocks(ctx context.Context, q querier, kind census.Kind, year int) (map[string]*LockedError, error) {
	stages := make([]string, len(recognition.Judging))
	args := []any{year}
	for i, st := range recognition.Judging {
		stages[i] = fmt.Sprintf("$%d", i+2)
		args = append(args, string(st))
	}
	rows, err := q.QueryContext(ctx, `SELECT id, county_code, round, stage FROM cases WHERE year = $1 AND stage IN (`+strings.Join(stages, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*LockedError{}
	for rows.Next() {
		l := &LockedError{Kind: kind, Year: year}
		var stage string
		if err := rows.Scan(&l.Case, &l.Code, &l.Round, &stage); err != nil {
			return nil, err
		}
		l.Stage = recognition.Stage(stage)
		if out[l.Code] == nil {
			out[l.Code] = l
		}
	}
	return out, rows.Err()
}

// recordCounty is the county a record of kind belongs to.
func recordCounty(kind census.Kind, r census.UnitRecord) string {
	if kind == census.KindCounty {
		_, code := r.Key()
		return code
	}
	return r.Text("county_code")
}

// caseLockOf returns the lock a recognition case holds on record r of
// kind (whose stored version is old, nil when new): the case of the
// county it is stored under or moves to.
func caseLockOf(ctx context.Context, q querier, kind census.Kind, old, r census.UnitRecord) (*LockedError, error) {
	y, code := r.Key()
	locks, err := caseLocks(ctx, q, kind, y)
	if err != nil || len(locks) == 0 {
		return nil, err
	}
	counties := []string{recordCounty(kind, r)}
	if old != nil {
		counties = append(counties, recordCounty(kind, old))
	}
	for _, c := range counties {
		if l := locks[c]; l != nil {
			l := *l
			l.Code = code
			return &l, nil
		}
	}
	return nil, nil
}
