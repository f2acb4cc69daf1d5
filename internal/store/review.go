package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
)

// Task is a reporting task (填报任务): which record kinds of which year a
// region's units report, by when.
type Task struct {
	ID    int64
	Title string
	Year  int
	// Kinds are the record kinds reported: school, kindergarten, county.
	Kinds []string
	// Region is the code of the region the task covers: the opener's
	// province, city or county.
	Region string
	// OpenerLevel is the level of the account that opened it.
	OpenerLevel  review.Level
	Due          string // YYYY-MM-DD
	RemindDays   []int
	Instructions string
	CreatedBy    string
	CreatedAt    time.Time
}

// Deadline is the instant the task closes.
func (t Task) Deadline() time.Time {
	d, _ := review.Deadline(t.Due)
	return d
}

// Covers reports whether the task covers county code.
func (t Task) Covers(county string) bool {
	return strings.HasPrefix(county, census.CountyPrefix(t.Region))
}

// Has reports whether the task collects record kind k.
func (t Task) Has(k census.Kind) bool { return slices.Contains(t.Kinds, string(k)) }

// TaskUnit is where one unit's data stand in one task.
type TaskUnit struct {
	TaskID     int64
	Kind       review.UnitKind
	Code       string
	RecordKind census.Kind // school, kindergarten or county
	County     string
	Name       string
	State      review.State
	Round      int // submissions so far
	// FirstSubmitted decides timeliness; Submitted is the latest.
	FirstSubmitted, Submitted time.Time
	DecidedLevel              review.Level // who approved or accepted
	UpdatedAt                 time.Time
}

// Errors of the reporting chain.
var (
	// ErrUnitsPending: a county submits upward before every unit of it
	// is approved.
	ErrUnitsPending = errors.New("not every unit of the county is approved")
	// ErrTaskInput: a task or a step was asked for with bad input.
	ErrTaskInput = errors.New("bad reporting task")
)

// LockedError is returned when a record is changed while a task holds it
// locked: submitted, approved or accepted.
type LockedError struct {
	Kind  census.Kind
	Code  string
	Year  int
	Task  string
	State review.State
	// Case, when not 0, is the recognition case whose evaluation holds the
	// record locked (the data it is judged on), in Round at Stage; Task
	// and State are then empty.
	Case  int64
	Round int
	Stage recognition.Stage
}

func (e *LockedError) Error() string {
	if e.Case != 0 {
		return fmt.Sprintf("%s %s 的 %d 年数据是认定案卷（第 %d 轮，%s）所依据的数据，评估期间已锁定：如需修改，请由市级退回自评",
			kindName(e.Kind), e.Code, e.Year, e.Round, recognition.StageName(e.Stage))
	}
	if e.Year == 0 {
		return fmt.Sprintf("%s %s 在填报任务「%s」中%s，已锁定：如需修改，请由审核单位退回",
			e.Code, kindName(e.Kind), e.Task, StateName(e.State))
	}
	return fmt.Sprintf("%s %s 的 %d 年数据在填报任务「%s」中%s，已锁定：如需修改，请由审核单位退回或解除锁定",
		kindName(e.Kind), e.Code, e.Year, e.Task, StateName(e.State))
}

// StateName is the Chinese name of a state.
func StateName(s review.State) string {
	switch s {
	case review.Open:
		return "填报中"
	case review.Submitted:
		return "已提交"
	case review.Returned:
		return "已退回"
	case review.Approved:
		return "已审核通过"
	case review.Accepted:
		return "已认定"
	}
	return string(s)
}

func kindName(k census.Kind) string {
	switch k {
	case census.KindSchool:
		return "学校"
	case census.KindKindergarten:
		return "幼儿园"
	case census.KindCounty:
		return "县区"
	}
	if sc := LedgerSchemas[string(k)]; sc != nil {
		return sc.ZH
	}
	return string(k)
}

// CreateTask opens task t as actor and lists its units: every county of
// its region, and for each unit kind it collects, every school or
// kindergarten of the region that has a record in the task's year or the
// year before (whose figures pre-fill the form). It returns the task's id
// and the number of units.
func (s *Store) CreateTask(ctx context.Context, actor string, t Task) (id int64, units int, err error) {
	defer wrap(&err, "open reporting task")
	if strings.TrimSpace(t.Title) == "" {
		return 0, 0, fmt.Errorf("%w: a title is required", ErrTaskInput)
	}
	if _, err := review.Deadline(t.Due); err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrTaskInput, err)
	}
	if t.Year < 2000 || t.Year > 2100 {
		return 0, 0, fmt.Errorf("%w: year %d", ErrTaskInput, t.Year)
	}
	if len(t.Kinds) == 0 {
		return 0, 0, fmt.Errorf("%w: no record kind chosen", ErrTaskInput)
	}
	for _, k := range t.Kinds {
		if _, ok := recordTables[census.Kind(k)]; !ok && !IsLedgerKind(k) {
			return 0, 0, fmt.Errorf("%w: unknown record kind %q", ErrTaskInput, k)
		}
	}
	if len(t.Region) != 6 {
		return 0, 0, fmt.Errorf("%w: region %q", ErrTaskInput, t.Region)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO review_tasks
			(title, year, kinds, region_code, opener_level, due, remind_days, instructions, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			strings.TrimSpace(t.Title), t.Year, strings.Join(t.Kinds, ","), t.Region, t.OpenerLevel.String(), t.Due,
			review.FormatRemindDays(t.RemindDays), t.Instructions, actor, now).Scan(&id); err != nil {
			return err
		}
		prefix := census.CountyPrefix(t.Region) + "%"
		ins := func(kind review.UnitKind, rk census.Kind, code, county, name string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO review_units
				(task_id, unit_kind, code, record_kind, county_code, name, state, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
				id, string(kind), code, string(rk), county, name, string(review.Open), now)
			units++
			return err
		}
		type row struct{ code, county, name string }
		var counties []row
		rows, err := tx.QueryContext(ctx, `SELECT code, name FROM regions WHERE level = 'county' AND code LIKE $1 ORDER BY code`, prefix)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.code, &r.name); err != nil {
				rows.Close()
				return err
			}
			counties = append(counties, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range counties {
			if err := ins(review.County, census.KindCounty, c.code, c.code, c.name); err != nil {
				return err
			}
		}
		for _, k := range t.Kinds {
			if k == string(census.KindCounty) || IsLedgerKind(k) {
				// The county's own unit, made above, carries its record
				// and its ledgers.
				continue
			}
			u := recordTables[census.Kind(k)]
			q := fmt.Sprintf(`SELECT %s, county_code, MAX(%s) FROM %s WHERE year IN ($1, $2) AND county_code LIKE $3
				GROUP BY %s, county_code ORDER BY county_code, %s`, u.t.CodeKey, u.t.NameKey, u.table, u.t.CodeKey, u.t.CodeKey)
			rows, err := tx.QueryContext(ctx, q, t.Year, t.Year-1, prefix)
			if err != nil {
				return err
			}
			var list []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.code, &r.county, &r.name); err != nil {
					rows.Close()
					return err
				}
				list = append(list, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range list {
				if err := ins(review.Unit, census.Kind(k), r.code, r.county, r.name); err != nil {
					return err
				}
			}
		}
		return auditTx(ctx, tx, now, actor, "task.create", t.Region, fmt.Sprintf("task %d", id),
			fmt.Sprintf("%s; %d; %s; due %s", t.Title, t.Year, strings.Join(t.Kinds, ","), t.Due))
	})
	if err != nil {
		return 0, 0, err
	}
	return id, units, nil
}

// auditTx writes an audit entry inside tx, so that a step and its entry
// land together.
func auditTx(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, region, target, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, username, action, region_code, target, detail, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, '')`, at, actor, action, region, target, detail)
	return err
}

const taskCols = `id, title, year, kinds, region_code, opener_level, due, remind_days, instructions, created_by, created_at`

func scanTask(sc interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var kinds, level, days string
	if err := sc.Scan(&t.ID, &t.Title, &t.Year, &kinds, &t.Region, &level, &t.Due, &days, &t.Instructions, &t.CreatedBy, &t.CreatedAt); err != nil {
		return t, err
	}
	t.Kinds = strings.Split(kinds, ",")
	t.OpenerLevel, _ = review.ParseLevel(level)
	t.RemindDays, _ = review.ParseRemindDays(days)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// Task returns task id, or ErrNotFound.
func (s *Store) Task(ctx context.Context, id int64) (_ Task, err error) {
	defer wrap(&err, "task %d", id)
	t, err := scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskCols+` FROM review_tasks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	return t, err
}

// Tasks returns the tasks that concern the counties whose codes start
// with prefix ("" for all): those covering them and those opened within
// them, newest first.
func (s *Store) Tasks(ctx context.Context, prefix string) (_ []Task, err error) {
	defer wrap(&err, "tasks")
	rows, err := s.db.QueryContext(ctx, `SELECT `+taskCols+` FROM review_tasks ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		p := census.CountyPrefix(t.Region)
		if strings.HasPrefix(prefix, p) || strings.HasPrefix(p, prefix) {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

const unitCols = `task_id, unit_kind, code, record_kind, county_code, name, state, round, first_submitted_at, submitted_at, decided_level, updated_at`

func scanUnit(sc interface{ Scan(...any) error }) (TaskUnit, error) {
	var u TaskUnit
	var kind, rk, state, level string
	var first, last sql.NullTime
	if err := sc.Scan(&u.TaskID, &kind, &u.Code, &rk, &u.County, &u.Name, &state, &u.Round, &first, &last, &level, &u.UpdatedAt); err != nil {
		return u, err
	}
	u.Kind, u.RecordKind, u.State = review.UnitKind(kind), census.Kind(rk), review.State(state)
	u.DecidedLevel, _ = review.ParseLevel(level)
	if first.Valid {
		u.FirstSubmitted = first.Time.UTC()
	}
	if last.Valid {
		u.Submitted = last.Time.UTC()
	}
	u.UpdatedAt = u.UpdatedAt.UTC()
	return u, nil
}

// TaskUnits returns the units of task id in the counties whose codes
// start with prefix ("" for all), by county, counties first, then code.
func (s *Store) TaskUnits(ctx context.Context, id int64, prefix string) (_ []TaskUnit, err error) {
	defer wrap(&err, "units of task %d", id)
	return listOfRows(ctx, s.db, scanUnit, `SELECT `+unitCols+` FROM review_units WHERE task_id = $1 AND county_code LIKE $2
		ORDER BY county_code, unit_kind, code`, id, prefix+"%")
}

// found maps sql.ErrNoRows, from scanning the one row of a query, to
// ErrNotFound.
func found[T any](v T, err error) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// listOfRows runs query and scans every row with scan.
func listOfRows[T any](ctx context.Context, q querier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// TaskUnit returns one unit of task id, or ErrNotFound.
func (s *Store) TaskUnit(ctx context.Context, id int64, kind review.UnitKind, code string) (_ TaskUnit, err error) {
	defer wrap(&err, "unit %s of task %d", code, id)
	return taskUnit(ctx, s.db, id, kind, code)
}

func taskUnit(ctx context.Context, q querier, id int64, kind review.UnitKind, code string) (TaskUnit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitCols+` FROM review_units WHERE task_id = $1 AND unit_kind = $2 AND code = $3`, id, string(kind), code))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// FieldComment is a reviewer's reason on one field of a unit's record.
type FieldComment struct {
	RecordKind census.Kind
	Column     string
	Reason     string
}

// StepInput is a step asked of the store.
type StepInput struct {
	TaskID   int64
	Kind     review.UnitKind
	Code     string
	Action   review.Action
	Reason   string
	Comments []FieldComment
	// Also, on a county's Unapprove or Return by its city or province,
	// names units of the county to reopen with it (their data unlocked
	// for correction).
	Also []string
}

// StepRecord is one step taken, with its comments.
type StepRecord struct {
	ID         int64
	TaskID     int64
	Kind       review.UnitKind
	Code       string
	Action     review.Action
	From, To   review.State
	Round      int
	Reason     string
	Actor      string
	ActorLevel review.Level
	At         time.Time
	Comments   []FieldComment
}

// Step takes step in as actor of level by: checks it against the chain's
// rules and the unit's state inside one transaction, moves the unit, and
// records the step, its field comments and an audit entry. A county's
// Submit needs every unit of the county approved. It returns the new
// state.
func (s *Store) Step(ctx context.Context, actor string, by review.Level, in StepInput) (to review.State, err error) {
	defer wrap(&err, "%s %s in task %d", in.Action, in.Code, in.TaskID)
	for _, c := range in.Comments {
		if strings.TrimSpace(c.Reason) == "" {
			return "", fmt.Errorf("%w: a comment on %s has no reason", ErrTaskInput, c.Column)
		}
		u, ok := recordTables[c.RecordKind]
		if !ok || (u.t.Index(c.Column) < 0 && !slices.ContainsFunc(u.t.Text, func(t census.TextColumn) bool { return t.Key == c.Column })) {
			return "", fmt.Errorf("%w: no column %q in %s records", ErrTaskInput, c.Column, c.RecordKind)
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		to, err = s.step(ctx, tx, actor, by, in)
		return err
	})
	return to, err
}

func (s *Store) step(ctx context.Context, tx *sql.Tx, actor string, by review.Level, in StepInput) (review.State, error) {
	u, err := taskUnit(ctx, tx, in.TaskID, in.Kind, in.Code)
	if err != nil {
		return "", err
	}
	to, err := review.Next(review.Step{Kind: in.Kind, From: u.State, Action: in.Action, By: by, ApprovedBy: u.DecidedLevel, Reason: in.Reason})
	if err != nil {
		return "", err
	}
	if in.Kind == review.County && in.Action == review.Submit {
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_units WHERE task_id = $1 AND county_code = $2
			AND unit_kind = 'unit' AND state <> 'approved'`, in.TaskID, in.Code).Scan(&pending); err != nil {
			return "", err
		}
		if pending > 0 {
			return "", fmt.Errorf("%w: %d units are not approved yet", ErrUnitsPending, pending)
		}
	}
	now := s.now()
	round := u.Round
	q := `UPDATE review_units SET state = $1, updated_at = $2`
	args := []any{string(to), now, in.TaskID, in.Code, string(in.Kind)}
	switch in.Action {
	case review.Submit:
		round++
		q += `, round = $6, submitted_at = $2, first_submitted_at = COALESCE(first_submitted_at, $2)`
		args = append(args, round)
	case review.Approve, review.Accept:
		q += `, decided_level = $6`
		args = append(args, by.String())
	case review.Unapprove, review.Reopen:
		q += `, decided_level = ''`
	}
	if _, err := tx.ExecContext(ctx, q+` WHERE task_id = $3 AND code = $4 AND unit_kind = $5`, args...); err != nil {
		return "", err
	}
	var stepID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO review_steps
		(task_id, unit_kind, code, action, from_state, to_state, round, reason, actor, actor_level, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		in.TaskID, string(in.Kind), in.Code, string(in.Action), string(u.State), string(to), round,
		strings.TrimSpace(in.Reason), actor, by.String(), now).Scan(&stepID); err != nil {
		return "", err
	}
	for _, c := range in.Comments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_comments (step_id, record_kind, column_key, reason)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, stepID, string(c.RecordKind), c.Column, strings.TrimSpace(c.Reason)); err != nil {
			return "", err
		}
	}
	detail := fmt.Sprintf("%s → %s", StateName(u.State), StateName(to))
	if r := strings.TrimSpace(in.Reason); r != "" {
		detail += "; " + r
	}
	for _, c := range in.Comments {
		detail += fmt.Sprintf("; %s: %s", c.Column, c.Reason)
	}
	if err := auditTx(ctx, tx, now, actor, "review."+string(in.Action), u.County,
		fmt.Sprintf("task %d %s %s", in.TaskID, in.Kind, in.Code), detail); err != nil {
		return "", err
	}
	if in.Kind == review.County && len(in.Also) > 0 {
		for _, code := range in.Also {
			v, err := taskUnit(ctx, tx, in.TaskID, review.Unit, code)
			if err != nil || v.County != in.Code {
				return "", fmt.Errorf("%w: %s is not a unit of county %s in this task", ErrTaskInput, code, in.Code)
			}
			if v.State != review.Approved && v.State != review.Submitted {
				continue
			}
			if _, err := s.step(ctx, tx, actor, max(by, review.LevelCity), StepInput{TaskID: in.TaskID, Kind: review.Unit, Code: code,
				Action: review.Reopen, Reason: in.Reason}); err != nil {
				return "", err
			}
		}
	}
	return to, nil
}

// Steps returns the steps taken on unit code of task id, oldest first,
// with their field comments: every round of a unit's review.
func (s *Store) Steps(ctx context.Context, id int64, code string) (_ []StepRecord, err error) {
	defer wrap(&err, "steps of %s in task %d", code, id)
	rows, err := s.db.QueryContext(ctx, `SELECT id, task_id, unit_kind, code, action, from_state, to_state, round, reason, actor, actor_level, at
		FROM review_steps WHERE task_id = $1 AND code = $2 ORDER BY id`, id, code)
	if err != nil {
		return nil, err
	}
	var out []StepRecord
	for rows.Next() {
		var r StepRecord
		var kind, action, from, to, level string
		if err := rows.Scan(&r.ID, &r.TaskID, &kind, &r.Code, &action, &from, &to, &r.Round, &r.Reason, &r.Actor, &level, &r.At); err != nil {
			rows.Close()
			return nil, err
		}
		r.Kind, r.Action, r.From, r.To = review.UnitKind(kind), review.Action(action), review.State(from), review.State(to)
		r.ActorLevel, _ = review.ParseLevel(level)
		r.At = r.At.UTC()
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		crows, err := s.db.QueryContext(ctx, `SELECT record_kind, column_key, reason FROM review_comments WHERE step_id = $1 ORDER BY record_kind, column_key`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var c FieldComment
			var rk string
			if err := crows.Scan(&rk, &c.Column, &c.Reason); err != nil {
				crows.Close()
				return nil, err
			}
			c.RecordKind = census.Kind(rk)
			out[i].Comments = append(out[i].Comments, c)
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordLock returns the lock a task holds on the record of kind, code and
// year, or nil when none does: a unit of a task of that year collecting
// that kind, in a locked state. A county record is held by its county's
// unit; a school's or kindergarten's record by its own unit.
func recordLock(ctx context.Context, q querier, kind census.Kind, year int, code string) (*LockedError, error) {
	locks, err := locksOf(ctx, q, kind, year, code)
	return locks[code], err
}

// lockedCodes returns the codes of kind in year that a task holds locked,
// with their locks.
func lockedCodes(ctx context.Context, q querier, kind census.Kind, year int) (map[string]*LockedError, error) {
	return locksOf(ctx, q, kind, year, "")
}

// locksOf returns the locks on records of kind in year, of code only when
// code is not "", by code: the oldest task's when several hold one.
func locksOf(ctx context.Context, q querier, kind census.Kind, year int, code string) (map[string]*LockedError, error) {
	uk := review.Unit
	if kind == census.KindCounty {
		uk = review.County
	}
	query := `SELECT u.code, t.title, t.kinds, u.state FROM review_units u JOIN review_tasks t ON t.id = u.task_id
		WHERE u.unit_kind = $1 AND t.year = $2 AND u.state IN ('submitted', 'approved', 'accepted')`
	args := []any{string(uk), year}
	if code != "" {
		query += ` AND u.code = $3`
		args = append(args, code)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*LockedError{}
	for rows.Next() {
		var c, title, kinds, state string
		if err := rows.Scan(&c, &title, &kinds, &state); err != nil {
			return nil, err
		}
		if slices.Contains(strings.Split(kinds, ","), string(kind)) && out[c] == nil {
			out[c] = &LockedError{Kind: kind, Code: c, Year: year, Task: title, State: review.State(state)}
		}
	}
	return out, rows.Err()
}

// RecordLock returns the lock on a record, or nil when it may be changed.
func (s *Store) RecordLock(ctx context.Context, kind census.Kind, year int, code string) (_ *LockedError, err error) {
	defer wrap(&err, "lock of %s %s", kind, code)
	return recordLock(ctx, s.db, kind, year, code)
}

// Explanation is a unit's written explanation for keeping a value that
// fails a plausibility rule, with optional evidence.
type Explanation struct {
	TaskID      int64
	RecordKind  census.Kind
	Code        string
	Column      string
	Rule        string
	Message     string
	Explanation string
	EvidenceID  int64 // 0 when none
	Actor       string
	At          time.Time
}

// SaveExplanation keeps e, replacing an earlier one for the same column
// and rule.
func (s *Store) SaveExplanation(ctx context.Context, e Explanation) (err error) {
	defer wrap(&err, "explanation of %s", e.Column)
	if strings.TrimSpace(e.Explanation) == "" {
		return fmt.Errorf("%w: the explanation is empty", ErrTaskInput)
	}
	var ev any
	if e.EvidenceID != 0 {
		ev = e.EvidenceID
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO review_explanations
		(task_id, record_kind, code, column_key, rule, message, explanation, evidence_id, actor, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (task_id, record_kind, code, column_key, rule) DO UPDATE SET
		message = excluded.message, explanation = excluded.explanation, evidence_id = excluded.evidence_id,
		actor = excluded.actor, at = excluded.at`,
		e.TaskID, string(e.RecordKind), e.Code, e.Column, e.Rule, e.Message, strings.TrimSpace(e.Explanation), ev, e.Actor, s.now())
	return err
}

// Explanations returns the explanations kept for unit code in task id.
func (s *Store) Explanations(ctx context.Context, id int64, code string) (_ []Explanation, err error) {
	defer wrap(&err, "explanations of %s", code)
	rows, err := s.db.QueryContext(ctx, `SELECT task_id, record_kind, code, column_key, rule, message, explanation, evidence_id, actor, at
		FROM review_explanations WHERE task_id = $1 AND code = $2 ORDER BY record_kind, column_key, rule`, id, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Explanation
	for rows.Next() {
		var e Explanation
		var rk string
		var ev sql.NullInt64
		if err := rows.Scan(&e.TaskID, &rk, &e.Code, &e.Column, &e.Rule, &e.Message, &e.Explanation, &ev, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.RecordKind, e.EvidenceID, e.At = census.Kind(rk), ev.Int64, e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// SpotCheck is a drawn spot check (抽查) of a county's units in a task.
type SpotCheck struct {
	ID         int64
	TaskID     int64
	County     string
	Seed       uint64
	Percent    int
	Population []string
	Sample     []string
	Actor      string
	At         time.Time
	Items      []SpotItem
}

// SpotItem is what the checker recorded for one unit of the sample.
type SpotItem struct {
	Code    string
	Ledger  string // what the figures were checked against
	Result  string // "", "ok" or "discrepancy"
	Finding string
	Actor   string
	At      time.Time
}

// DrawSpotCheck draws percent per cent of the units of county in task id
// with seed, and records the draw: the population, the seed and the sample,
// so that review.Sample shows it again.
func (s *Store) DrawSpotCheck(ctx context.Context, actor string, id int64, county string, percent int, seed uint64) (c SpotCheck, err error) {
	defer wrap(&err, "draw a spot check of %s", county)
	if percent < 1 || percent > 100 {
		return c, fmt.Errorf("%w: percent %d (want 1 to 100)", ErrTaskInput, percent)
	}
	units, err := s.TaskUnits(ctx, id, county)
	if err != nil {
		return c, err
	}
	for _, u := range units {
		if u.Kind == review.Unit && u.County == county {
			c.Population = append(c.Population, u.Code)
		}
	}
	if len(c.Population) == 0 {
		return c, fmt.Errorf("%w: county %s has no units in task %d", ErrTaskInput, county, id)
	}
	c.Sample = review.Sample(c.Population, review.SampleSize(len(c.Population), percent), seed)
	c.TaskID, c.County, c.Seed, c.Percent, c.Actor, c.At = id, county, seed, percent, actor, s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO spot_checks (task_id, county_code, seed, percent, population, sample, actor, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, id, county, int64(seed), percent,
			strings.Join(c.Population, ","), strings.Join(c.Sample, ","), actor, c.At).Scan(&c.ID); err != nil {
			return err
		}
		for _, code := range c.Sample {
			if _, err := tx.ExecContext(ctx, `INSERT INTO spot_check_items (check_id, code) VALUES ($1, $2)`, c.ID, code); err != nil {
				return err
			}
			c.Items = append(c.Items, SpotItem{Code: code})
		}
		return auditTx(ctx, tx, c.At, actor, "review.spotcheck", county, fmt.Sprintf("task %d", id),
			fmt.Sprintf("seed %d, %d%% of %d: %s", seed, percent, len(c.Population), strings.Join(c.Sample, ",")))
	})
	return c, err
}

// SpotChecks returns the spot checks of county in task id, newest first.
func (s *Store) SpotChecks(ctx context.Context, id int64, county string) (_ []SpotCheck, err error) {
	defer wrap(&err, "spot checks of %s", county)
	rows, err := s.db.QueryContext(ctx, `SELECT id, task_id, county_code, seed, percent, population, sample, actor, at
		FROM spot_checks WHERE task_id = $1 AND county_code = $2 ORDER BY id DESC`, id, county)
	if err != nil {
		return nil, err
	}
	var out []SpotCheck
	for rows.Next() {
		var c SpotCheck
		var seed int64
		var pop, sample string
		if err := rows.Scan(&c.ID, &c.TaskID, &c.County, &seed, &c.Percent, &pop, &sample, &c.Actor, &c.At); err != nil {
			rows.Close()
			return nil, err
		}
		c.Seed, c.Population, c.Sample, c.At = uint64(seed), splitCodes(pop), splitCodes(sample), c.At.UTC()
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		items, err := s.db.QueryContext(ctx, `SELECT code, ledger, result, finding, actor, at FROM spot_check_items WHERE check_id = $1 ORDER BY code`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for items.Next() {
			var it SpotItem
			var at sql.NullTime
			if err := items.Scan(&it.Code, &it.Ledger, &it.Result, &it.Finding, &it.Actor, &at); err != nil {
				items.Close()
				return nil, err
			}
			if at.Valid {
				it.At = at.Time.UTC()
			}
			out[i].Items = append(out[i].Items, it)
		}
		items.Close()
		if err := items.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// RecordSpotFinding records what actor (of level by) found checking unit
// code of spot check checkID against ledger. A discrepancy reopens the
// unit's data with the finding as the reason (and the county's, when it
// was already submitted upward), in the same transaction.
func (s *Store) RecordSpotFinding(ctx context.Context, actor string, by review.Level, checkID int64, code, ledger string, ok bool, finding string) (err error) {
	defer wrap(&err, "spot-check finding on %s", code)
	result := "ok"
	if !ok {
		result = "discrepancy"
		if strings.TrimSpace(finding) == "" {
			return fmt.Errorf("%w: a discrepancy needs a finding", ErrTaskInput)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var task int64
		var county string
		if err := tx.QueryRowContext(ctx, `SELECT task_id, county_code FROM spot_checks WHERE id = $1`, checkID).Scan(&task, &county); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE spot_check_items SET ledger = $1, result = $2, finding = $3, actor = $4, at = $5
			WHERE check_id = $6 AND code = $7`, strings.TrimSpace(ledger), result, strings.TrimSpace(finding), actor, now, checkID, code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := auditTx(ctx, tx, now, actor, "review.spotfinding", county, fmt.Sprintf("task %d %s", task, code),
			fmt.Sprintf("%s; %s; %s", result, ledger, finding)); err != nil {
			return err
		}
		if ok {
			return nil
		}
		reason := "抽查发现问题：" + strings.TrimSpace(finding)
		if l := strings.TrimSpace(ledger); l != "" {
			reason += "（核对：" + l + "）"
		}
		c, err := taskUnit(ctx, tx, task, review.County, county)
		if err != nil {
			return err
		}
		if c.State == review.Submitted || c.State == review.Accepted {
			if _, err := s.step(ctx, tx, actor, by, StepInput{TaskID: task, Kind: review.County, Code: county, Action: review.Reopen, Reason: reason}); err != nil {
				return err
			}
		}
		u, err := taskUnit(ctx, tx, task, review.Unit, code)
		if err != nil {
			return err
		}
		if u.State == review.Submitted || u.State == review.Approved {
			_, err = s.step(ctx, tx, actor, by, StepInput{TaskID: task, Kind: review.Unit, Code: code, Action: review.Reopen, Reason: reason})
		}
		return err
	})
}

// Notice is a message in an account's inbox: a reminder or a due date.
type Notice struct {
	ID     int64
	TaskID int64
	Region string // the account region it is for
	School string // the school account it is for, "" for a region's
	Text   string
	At     time.Time
}

// Notices returns the notices for an account of region (and school, for
// a school account), newest first, at most limit.
func (s *Store) Notices(ctx context.Context, region, school string, limit int) (_ []Notice, err error) {
	defer wrap(&err, "notices")
	rows, err := s.db.QueryContext(ctx, `SELECT id, COALESCE(task_id, 0), region_code, school_code, text, at FROM notices
		WHERE region_code = $1 AND school_code = $2 ORDER BY at DESC, id DESC LIMIT $3`, region, school, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.TaskID, &n.Region, &n.School, &n.Text, &n.At); err != nil {
			return nil, err
		}
		n.At = n.At.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// SendReminders sends the reminders that have fallen due at now (催报):
// each school or kindergarten of a task that has not yet submitted gets
// the reminder review.Due gives; each county with units (or its own
// figures) not yet submitted gets one notice counting them; and the city
// or province that opened the task gets one notice counting the counties
// not yet submitted. Each reminder is sent once: a notice's key names
// task, addressee and reminder, and a second run at the same time sends
// nothing. It returns the number of notices sent.
func (s *Store) SendReminders(ctx context.Context, now time.Time) (sent int, err error) {
	defer wrap(&err, "send reminders")
	tasks, err := s.Tasks(ctx, "")
	if err != nil {
		return 0, err
	}
	at := now.UTC().Truncate(time.Microsecond)
	for _, t := range tasks {
		r, ok := review.Due(t.Due, t.RemindDays, now)
		if !ok {
			continue
		}
		units, err := s.TaskUnits(ctx, t.ID, "")
		if err != nil {
			return sent, err
		}
		when := fmt.Sprintf("%s 截止，还有 %d 天", t.Due, r.DaysLeft)
		if r.DaysLeft < 0 {
			when = fmt.Sprintf("已于 %s 截止，逾期 %d 天", t.Due, -r.DaysLeft)
		}
		type notice struct{ key, region, school, text string }
		var batch []notice
		pending := map[string]int{}     // by county: units not yet submitted
		countyOpen := map[string]bool{} // counties not yet submitted upward
		var counties []string
		for _, u := range units {
			if !u.FirstSubmitted.IsZero() || u.State != review.Open {
				continue
			}
			if _, seen := pending[u.County]; !seen && !countyOpen[u.County] {
				counties = append(counties, u.County)
			}
			if u.Kind == review.County {
				countyOpen[u.County] = true
				if _, ok := pending[u.County]; !ok {
					pending[u.County] = 0
				}
				continue
			}
			pending[u.County]++
			batch = append(batch, notice{fmt.Sprintf("task-%d/unit/%s/%s", t.ID, u.Code, r.Key), u.County, u.Code,
				fmt.Sprintf("催报：填报任务「%s」%s，本单位（%s）尚未提交。", t.Title, when, u.Name)})
		}
		for _, c := range counties {
			text := fmt.Sprintf("催报：填报任务「%s」%s，本县 %d 个单位尚未提交", t.Title, when, pending[c])
			if countyOpen[c] {
				text += "，县级数据尚未上报"
			}
			batch = append(batch, notice{fmt.Sprintf("task-%d/county/%s/%s", t.ID, c, r.Key), c, "", text + "。"})
		}
		if t.OpenerLevel > review.LevelCounty && len(countyOpen) > 0 {
			batch = append(batch, notice{fmt.Sprintf("task-%d/opener/%s/%s", t.ID, t.Region, r.Key), t.Region, "",
				fmt.Sprintf("催报：填报任务「%s」%s，%d 个县区尚未上报。", t.Title, when, len(countyOpen))})
		}
		if len(batch) == 0 {
			continue
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			for _, n := range batch {
				res, err := tx.ExecContext(ctx, `INSERT INTO notices (key, task_id, region_code, school_code, text, at)
					VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`, n.key, t.ID, n.region, n.school, n.text, at)
				if err != nil {
					return err
				}
				k, _ := res.RowsAffected()
				sent += int(k)
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// DataStatus says which data an evaluation of county in year uses.
type DataStatus struct {
	// Task is the newest task of the year that covers the county, 0 when
	// none does: the data are then unreviewed.
	Task      int64
	TaskTitle string
	// Approved and Units count the county's units of that task approved
	// and in all; CountyState is the county unit's state.
	Approved, Units int
	CountyState     review.State
}

// Official reports whether every unit is approved and the county accepted:
// the data are final (approved data only).
func (d DataStatus) Official() bool { return d.Task != 0 && d.CountyState == review.Accepted }

// CountyDataStatus returns the data status of county in year.
func (s *Store) CountyDataStatus(ctx context.Context, county string, year int) (d DataStatus, err error) {
	defer wrap(&err, "data status of %s", county)
	err = s.db.QueryRowContext(ctx, `SELECT t.id, t.title, u.state FROM review_units u JOIN review_tasks t ON t.id = u.task_id
		WHERE u.unit_kind = 'county' AND u.code = $1 AND t.year = $2 ORDER BY t.id DESC LIMIT 1`, county, year).Scan(&d.Task, &d.TaskTitle, &d.CountyState)
	if errors.Is(err, sql.ErrNoRows) {
		return DataStatus{}, nil
	}
	if err != nil {
		return d, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'approved' THEN 1 ELSE 0 END), 0)
		FROM review_units WHERE task_id = $1 AND county_code = $2 AND unit_kind = 'unit'`, d.Task, county).Scan(&d.Units, &d.Approved)
	return d, err
}

// UnitCount is how many units of one task, kind and state there are.
type UnitCount struct {
	TaskID int64
	Kind   review.UnitKind
	State  review.State
	N      int
}

// ReviewCounts counts the units of every task in the counties whose codes
// start with prefix by task, kind and state; with school set, only that
// school's own units. It is the inbox's one query.
func (s *Store) ReviewCounts(ctx context.Context, prefix, school string) (_ []UnitCount, err error) {
	defer wrap(&err, "review counts")
	q := `SELECT task_id, unit_kind, state, COUNT(*) FROM review_units WHERE county_code LIKE $1`
	args := []any{prefix + "%"}
	if school != "" {
		q += ` AND code = $2 AND unit_kind = 'unit'`
		args = append(args, school)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY task_id, unit_kind, state ORDER BY task_id DESC, unit_kind, state`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnitCount
	for rows.Next() {
		var c UnitCount
		var kind, state string
		if err := rows.Scan(&c.TaskID, &kind, &state, &c.N); err != nil {
			return nil, err
		}
		c.Kind, c.State = review.UnitKind(kind), review.State(state)
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenSpotItems counts the units drawn for spot checks in the counties
// whose codes start with prefix that have no result recorded yet.
func (s *Store) OpenSpotItems(ctx context.Context, prefix string) (n int, err error) {
	defer wrap(&err, "open spot-check items")
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM spot_check_items i JOIN spot_checks c ON c.id = i.check_id
		WHERE c.county_code LIKE $1 AND i.result = ''`, prefix+"%").Scan(&n)
	return n, err
}

// OfficialCounties counts, among the counties whose codes start with prefix
// that a task of year covers, those accepted in the newest such task
// (official data), and how many such counties there are.
func (s *Store) OfficialCounties(ctx context.Context, year int, prefix string) (official, covered int, err error) {
	defer wrap(&err, "official counties of %d", year)
	rows, err := s.db.QueryContext(ctx, `SELECT u.code, u.state FROM review_units u JOIN review_tasks t ON t.id = u.task_id
		WHERE u.unit_kind = 'county' AND t.year = $1 AND u.county_code LIKE $2 ORDER BY t.id`, year, prefix+"%")
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	state := map[string]string{}
	for rows.Next() {
		var code, st string
		if err := rows.Scan(&code, &st); err != nil {
			return 0, 0, err
		}
		state[code] = st // the newest task wins
	}
	for _, st := range state {
		if st == string(review.Accepted) {
			official++
		}
	}
	return official, len(state), rows.Err()
}
