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
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/workplan"
)

// ErrPlanInput is a work plan, task, report or deadline change that cannot
// be stored as asked; the error says what to fix.
var ErrPlanInput = errors.New("bad work plan input")

// Plan is a bureau's 年度工作要点 (annual work plan) as tracked tasks.
type Plan struct {
	ID        int64
	Region    string // the bureau: a province, city or county code
	Year      int
	Title     string
	Source    string // the imported file's name, "" when made by hand
	ReportDay int    // progress reports are due by this day of the next month
	Settings  workplan.Settings
	CreatedBy string
	CreatedAt time.Time
}

// PlanTask is one numbered item of a plan, tracked.
type PlanTask struct {
	ID         int64
	PlanID     int64
	Seq        int    // its place in the plan
	Number     string // "10"
	Section    string // "三、强化统筹协调,构建高质量教育体系"
	Title      string
	Text       string
	Lead       string   // the leader in charge (分管领导), as written
	Units      []string // responsible units (科室, schools), as written
	Start, Due time.Time
	Target     float64 // the confirmed target value; 0 for none
	TargetUnit string
	TargetText string // what the target is, as written
	Link       string // the figure dudao computes for the current value: "", LinkPreschoolInclusive, LinkCasesRecognised
	LinkArg    string // the standard of LinkCasesRecognised
	Milestones []PlanMilestone
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// The figures a task's current value can be linked to.
const (
	// LinkPreschoolInclusive is the 普惠性幼儿园覆盖率 of the plan's region, in
	// percent: children in public and 普惠性民办 kindergartens over all
	// children in kindergartens (xqpp2020 inclusive_coverage).
	LinkPreschoolInclusive = "preschool_inclusive"
	// LinkCasesRecognised is the number of counties of the plan's region
	// whose recognition case for the standard LinkArg is recognised.
	LinkCasesRecognised = "cases_recognised"
	// LinkPlacesAdded is the number of school places that the planned
	// projects of the plan's region's 学位 ledgers add in the plan's year
	// (the projects opening that school year).
	LinkPlacesAdded = "places_added"
	// LinkGroupSchools is the number of schools of the plan's region in a
	// 教育集团 on 1 September of the plan's year (the groups ledgers'
	// coverage).
	LinkGroupSchools = "group_schools"
	// LinkAfterschoolSchools and LinkAfterschoolStudents are the shares,
	// in percent, of the region's schools offering 课后服务 and of its
	// students taking part, in the latest term of the 课后服务 ledgers of
	// the plan's school year (internal/afterschool).
	LinkAfterschoolSchools  = "afterschool_schools"
	LinkAfterschoolStudents = "afterschool_students"
)

// Links are the figures a task's current value can be linked to.
var Links = []string{LinkPreschoolInclusive, LinkCasesRecognised, LinkPlacesAdded, LinkGroupSchools, LinkAfterschoolSchools, LinkAfterschoolStudents}

// PlanMilestone is a dated step of a task: by Due, Percent should be done.
type PlanMilestone struct {
	Due     time.Time
	Percent float64
	Text    string
}

// PlanReport is a task's progress report for a period: one per task and
// period, replaced when sent again.
type PlanReport struct {
	ID       int64
	TaskID   int64
	Period   workplan.Period
	Text     string   // what was done
	Value    *float64 // the figure reached, for a task with a target
	Percent  *float64 // the percent done, for one without
	Reason   string   // why it is behind, when it is
	Actor    string
	At       time.Time
	Evidence []census.Evidence
}

// PlanChange is a request to move a task's deadline, decided by the
// plan's bureau.
type PlanChange struct {
	ID          int64
	TaskID      int64
	OldDue      time.Time
	NewDue      time.Time
	Reason      string
	RequestedBy string
	RequestedAt time.Time
	Status      string // pending, approved, refused
	DecidedBy   string
	DecidedAt   time.Time
	Answer      string
}

// The statuses of a PlanChange.
const (
	ChangePending  = "pending"
	ChangeApproved = "approved"
	ChangeRefused  = "refused"
)

func planErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrPlanInput}, args...)...)
}

func checkPlan(p Plan) error {
	switch {
	case len(p.Region) != 6:
		return planErr("a plan needs its bureau's region code")
	case strings.TrimSpace(p.Title) == "":
		return planErr("a plan needs a title")
	case p.Year < 2000 || p.Year > 2100:
		return planErr("the plan's year %d is not a year", p.Year)
	case p.ReportDay < 1 || p.ReportDay > 31:
		return planErr("reports are due on a day of the month from 1 to 31, not %d", p.ReportDay)
	case p.Settings.YellowBehind <= 0 || p.Settings.RedBehind < p.Settings.YellowBehind || p.Settings.NotStartedRedMonths < 1:
		return planErr("the thresholds must be yellow > 0 ≤ red points and at least one month")
	}
	return nil
}

func checkTask(t PlanTask, n int) error {
	where := fmt.Sprintf("task %d", n)
	if t.Number != "" {
		where = "item " + t.Number
	}
	switch {
	case strings.TrimSpace(t.Title) == "":
		return planErr("%s needs a title", where)
	case !t.Start.IsZero() && !t.Due.IsZero() && !t.Due.After(t.Start):
		return planErr("%s: the due date must come after the start", where)
	case t.Target < 0:
		return planErr("%s: the target cannot be negative", where)
	case t.Link != "" && !slices.Contains(Links, t.Link):
		return planErr("%s: unknown link %q", where, t.Link)
	case t.Link == LinkCasesRecognised && t.LinkArg == "":
		return planErr("%s: counting recognised counties needs the standard", where)
	}
	for _, m := range t.Milestones {
		if m.Percent < 0 || m.Percent > 100 || m.Due.IsZero() {
			return planErr("%s: a milestone needs a date and a percent from 0 to 100", where)
		}
	}
	return nil
}

// CreatePlan stores plan p with its tasks in one transaction, audited
// (plan.create); nothing is stored when a task is refused.
func (s *Store) CreatePlan(ctx context.Context, actor string, p Plan, tasks []PlanTask) (_ Plan, err error) {
	defer wrap(&err, "create work plan")
	if p.ReportDay == 0 {
		p.ReportDay = 5
	}
	if p.Settings == (workplan.Settings{}) {
		p.Settings = workplan.DefaultSettings()
	}
	if err := checkPlan(p); err != nil {
		return p, err
	}
	for i, t := range tasks {
		if err := checkTask(t, i+1); err != nil {
			return p, err
		}
	}
	now := s.now()
	p.CreatedBy, p.CreatedAt = actor, now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO plans (region_code, year, title, source, report_day, yellow_behind, red_behind,
			not_started_months, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			p.Region, p.Year, strings.TrimSpace(p.Title), p.Source, p.ReportDay, p.Settings.YellowBehind, p.Settings.RedBehind,
			p.Settings.NotStartedRedMonths, actor, now).Scan(&p.ID); err != nil {
			return err
		}
		for i, t := range tasks {
			t.PlanID, t.Seq = p.ID, i+1
			if _, err := insertTask(ctx, tx, t, now); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, now, actor, "plan.create", p.Region, fmt.Sprintf("plan %d", p.ID), fmt.Sprintf("%s (%d)", p.Title, len(tasks)))
	})
	return p, err
}

func insertTask(ctx context.Context, tx *sql.Tx, t PlanTask, now time.Time) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO plan_tasks (plan_id, seq, number, section, title, text, lead, units, start_at, due_at,
		target, target_unit, target_text, link, link_arg, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
		t.PlanID, t.Seq, t.Number, t.Section, strings.TrimSpace(t.Title), t.Text, strings.TrimSpace(t.Lead), joinUnits(t.Units),
		nullTime(t.Start), nullTime(t.Due), t.Target, t.TargetUnit, t.TargetText, t.Link, t.LinkArg, now).Scan(&id); err != nil {
		return 0, err
	}
	return id, insertMilestones(ctx, tx, id, t.Milestones)
}

func insertMilestones(ctx context.Context, tx *sql.Tx, id int64, ms []PlanMilestone) error {
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_milestones (task_id, due_at, percent, text) VALUES ($1, $2, $3, $4)`,
			id, m.Due, m.Percent, strings.TrimSpace(m.Text)); err != nil {
			return err
		}
	}
	return nil
}

func joinUnits(us []string) string {
	var out []string
	for _, u := range us {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return strings.Join(out, "\n")
}

// SplitUnits reads responsible units written one a line or separated by
// 、，, or ;.
func SplitUnits(s string) []string {
	var out []string
	for _, u := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("\n\r、，,；;", r) }) {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

const planCols = `id, region_code, year, title, source, report_day, yellow_behind, red_behind, not_started_months, created_by, created_at`

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	err := sc.Scan(&p.ID, &p.Region, &p.Year, &p.Title, &p.Source, &p.ReportDay, &p.Settings.YellowBehind, &p.Settings.RedBehind,
		&p.Settings.NotStartedRedMonths, &p.CreatedBy, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// SavePlanSettings changes plan id's title, report day and light
// thresholds (the bureau's settings) as actor, checked as CreatePlan checks
// them, in one transaction with its audit entry (plan.settings). The
// lights are computed from them whenever shown, so every task's light
// follows at once.
func (s *Store) SavePlanSettings(ctx context.Context, actor string, id int64, title string, reportDay int, set workplan.Settings) (p Plan, err error) {
	defer wrap(&err, "settings of work plan %d", id)
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if p, err = found(scanPlan(tx.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1`, id))); err != nil {
			return err
		}
		before := fmt.Sprintf("每月%d日前报送；落后%g个百分点黄灯、%g个红灯；%d个月未启动红灯", p.ReportDay, p.Settings.YellowBehind, p.Settings.RedBehind, p.Settings.NotStartedRedMonths)
		p.Title, p.ReportDay, p.Settings = strings.TrimSpace(title), reportDay, set
		if err := checkPlan(p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET title = $1, report_day = $2, yellow_behind = $3, red_behind = $4, not_started_months = $5 WHERE id = $6`,
			p.Title, p.ReportDay, p.Settings.YellowBehind, p.Settings.RedBehind, p.Settings.NotStartedRedMonths, id); err != nil {
			return err
		}
		after := fmt.Sprintf("每月%d日前报送；落后%g个百分点黄灯、%g个红灯；%d个月未启动红灯", p.ReportDay, p.Settings.YellowBehind, p.Settings.RedBehind, p.Settings.NotStartedRedMonths)
		return auditTx(ctx, tx, now, actor, "plan.settings", p.Region, fmt.Sprintf("plan %d", id), before+" → "+after)
	})
	return p, err
}

// Plan returns plan id, or ErrNotFound.
func (s *Store) Plan(ctx context.Context, id int64) (_ Plan, err error) {
	defer wrap(&err, "work plan %d", id)
	return found(scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1`, id)))
}

// Plans returns the plans of the regions whose codes start with prefix,
// newest year first.
func (s *Store) Plans(ctx context.Context, prefix string) (_ []Plan, err error) {
	defer wrap(&err, "work plans")
	return listOfRows(ctx, s.db, scanPlan, `SELECT `+planCols+` FROM plans WHERE region_code LIKE $1 ORDER BY year DESC, region_code, id`, prefix+"%")
}

const planTaskCols = `id, plan_id, seq, number, section, title, text, lead, units, start_at, due_at, target, target_unit, target_text,
	link, link_arg, created_at, updated_at`

func scanPlanTask(sc interface{ Scan(...any) error }) (PlanTask, error) {
	var t PlanTask
	var units string
	var start, due sql.NullTime
	if err := sc.Scan(&t.ID, &t.PlanID, &t.Seq, &t.Number, &t.Section, &t.Title, &t.Text, &t.Lead, &units, &start, &due, &t.Target,
		&t.TargetUnit, &t.TargetText, &t.Link, &t.LinkArg, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return t, err
	}
	t.Units = SplitUnits(units)
	t.Start, t.Due, t.CreatedAt, t.UpdatedAt = utcOf(start), utcOf(due), t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// PlanTasks returns the tasks of plan id in plan order, with their
// milestones.
func (s *Store) PlanTasks(ctx context.Context, planID int64) (_ []PlanTask, err error) {
	defer wrap(&err, "tasks of work plan %d", planID)
	ts, err := listOfRows(ctx, s.db, scanPlanTask, `SELECT `+planTaskCols+` FROM plan_tasks WHERE plan_id = $1 ORDER BY seq, id`, planID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.task_id, m.due_at, m.percent, m.text FROM plan_milestones m
		JOIN plan_tasks t ON t.id = m.task_id WHERE t.plan_id = $1 ORDER BY m.due_at, m.id`, planID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx := map[int64]int{}
	for i, t := range ts {
		idx[t.ID] = i
	}
	for rows.Next() {
		var id int64
		var m PlanMilestone
		if err := rows.Scan(&id, &m.Due, &m.Percent, &m.Text); err != nil {
			return nil, err
		}
		m.Due = m.Due.UTC()
		ts[idx[id]].Milestones = append(ts[idx[id]].Milestones, m)
	}
	return ts, rows.Err()
}

// PlanTask returns task id with its milestones, or ErrNotFound.
func (s *Store) PlanTask(ctx context.Context, id int64) (_ PlanTask, err error) {
	defer wrap(&err, "work-plan task %d", id)
	t, err := found(scanPlanTask(s.db.QueryRowContext(ctx, `SELECT `+planTaskCols+` FROM plan_tasks WHERE id = $1`, id)))
	if err != nil {
		return t, err
	}
	t.Milestones, err = listOfRows(ctx, s.db, func(sc interface{ Scan(...any) error }) (PlanMilestone, error) {
		var m PlanMilestone
		err := sc.Scan(&m.Due, &m.Percent, &m.Text)
		m.Due = m.Due.UTC()
		return m, err
	}, `SELECT due_at, percent, text FROM plan_milestones WHERE task_id = $1 ORDER BY due_at, id`, id)
	return t, err
}

// SavePlanTask adds task t to its plan (t.ID 0, placed last) or changes it,
// its milestones replaced, in one transaction, audited (plan.task). A
// task's due date moves only through a deadline change once set: a change
// of Due here is refused when the task had one.
func (s *Store) SavePlanTask(ctx context.Context, actor string, t PlanTask) (_ PlanTask, err error) {
	defer wrap(&err, "save work-plan task")
	if err := checkTask(t, 0); err != nil {
		return t, err
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var region string
		if err := tx.QueryRowContext(ctx, `SELECT region_code FROM plans WHERE id = $1`, t.PlanID).Scan(&region); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if t.ID == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM plan_tasks WHERE plan_id = $1`, t.PlanID).Scan(&t.Seq); err != nil {
				return err
			}
			if t.ID, err = insertTask(ctx, tx, t, now); err != nil {
				return err
			}
		} else {
			old, err := scanPlanTask(tx.QueryRowContext(ctx, `SELECT `+planTaskCols+` FROM plan_tasks WHERE id = $1 AND plan_id = $2`, t.ID, t.PlanID))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if !old.Due.IsZero() && !old.Due.Equal(t.Due) {
				return planErr("the due date is moved by a request to change it, approved by the lead, not by editing the task")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE plan_tasks SET number = $1, section = $2, title = $3, text = $4, lead = $5, units = $6,
				start_at = $7, due_at = $8, target = $9, target_unit = $10, target_text = $11, link = $12, link_arg = $13, updated_at = $14
				WHERE id = $15`, t.Number, t.Section, strings.TrimSpace(t.Title), t.Text, strings.TrimSpace(t.Lead), joinUnits(t.Units),
				nullTime(t.Start), nullTime(t.Due), t.Target, t.TargetUnit, t.TargetText, t.Link, t.LinkArg, now, t.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM plan_milestones WHERE task_id = $1`, t.ID); err != nil {
				return err
			}
			if err := insertMilestones(ctx, tx, t.ID, t.Milestones); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, now, actor, "plan.task", region, fmt.Sprintf("plantask %d", t.ID), t.Title)
	})
	return t, err
}

// SendPlanReport stores report r of a task for its period — replacing the
// one sent before for that period, as one report serves every use — with
// its evidence files added, in one transaction, audited (plan.report).
// Within the 2024 rules against formalism (no photos as proof of work),
// image files are refused: evidence is a document.
func (s *Store) SendPlanReport(ctx context.Context, actor string, r PlanReport, files []EvidenceUpload) (_ PlanReport, err error) {
	defer wrap(&err, "progress report of task %d for %s", r.TaskID, r.Period)
	if _, err := workplan.ParsePeriod(string(r.Period)); err != nil {
		return r, planErr("%v", err)
	}
	if strings.TrimSpace(r.Text) == "" {
		return r, planErr("a progress report says what was done")
	}
	if r.Value != nil && *r.Value < 0 || r.Percent != nil && (*r.Percent < 0 || *r.Percent > 100) {
		return r, planErr("the figure cannot be negative, and the percent is from 0 to 100")
	}
	types := make([]string, len(files))
	for i, f := range files {
		if types[i], err = SniffEvidence(f.Name, f.Data); err != nil {
			return r, err
		}
		if strings.HasPrefix(types[i], "image/") {
			return r, planErr("%s is a picture: photos are not proof of work; attach the document (a PDF, Word or Excel file)", f.Name)
		}
	}
	now := s.now()
	r.Actor, r.At = actor, now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var region string
		var year int
		if err := tx.QueryRowContext(ctx, `SELECT p.region_code, p.year FROM plan_tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1`,
			r.TaskID).Scan(&region, &year); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT id FROM plan_reports WHERE task_id = $1 AND period = $2`, r.TaskID, string(r.Period)).Scan(&r.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRowContext(ctx, `INSERT INTO plan_reports (task_id, period, text, value, percent, reason, actor, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, r.TaskID, string(r.Period), strings.TrimSpace(r.Text), r.Value, r.Percent,
				strings.TrimSpace(r.Reason), actor, now).Scan(&r.ID)
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE plan_reports SET text = $1, value = $2, percent = $3, reason = $4, actor = $5, at = $6 WHERE id = $7`,
				strings.TrimSpace(r.Text), r.Value, r.Percent, strings.TrimSpace(r.Reason), actor, now, r.ID)
		}
		if err != nil {
			return err
		}
		for i, f := range files {
			e, err := addEvidence(ctx, tx, "plan", region, year, fmt.Sprintf("plantask-%d", r.TaskID), 0, actor, f, types[i], now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_report_files (report_id, evidence_id) VALUES ($1, $2)`, r.ID, e.ID); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, now, actor, "plan.report", region, fmt.Sprintf("plantask %d", r.TaskID), string(r.Period))
	})
	return r, err
}

// PlanReports returns the progress reports of the tasks of plan id (of
// task taskID only when it is not 0), by task then period, each with its
// evidence files (without their contents).
func (s *Store) PlanReports(ctx context.Context, planID, taskID int64) (_ []PlanReport, err error) {
	defer wrap(&err, "progress reports of work plan %d", planID)
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.task_id, r.period, r.text, r.value, r.percent, r.reason, r.actor, r.at
		FROM plan_reports r JOIN plan_tasks t ON t.id = r.task_id WHERE t.plan_id = $1 AND ($2 = 0 OR t.id = $2) ORDER BY t.seq, r.period`, planID, taskID)
	if err != nil {
		return nil, err
	}
	var out []PlanReport
	idx := map[int64]int{}
	for rows.Next() {
		var r PlanReport
		var v, p sql.NullFloat64
		var period string
		if err := rows.Scan(&r.ID, &r.TaskID, &period, &r.Text, &v, &p, &r.Reason, &r.Actor, &r.At); err != nil {
			rows.Close()
			return nil, err
		}
		r.Period, r.At = workplan.Period(period), r.At.UTC()
		if v.Valid {
			r.Value = &v.Float64
		}
		if p.Valid {
			r.Percent = &p.Float64
		}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := s.db.QueryContext(ctx, `SELECT f.report_id, e.id, e.file_name, e.media_type, e.size, e.sha256, e.actor, e.uploaded_at
		FROM plan_report_files f JOIN evidence_files e ON e.id = f.evidence_id JOIN plan_reports r ON r.id = f.report_id
		JOIN plan_tasks t ON t.id = r.task_id WHERE t.plan_id = $1 AND ($2 = 0 OR t.id = $2) ORDER BY e.id`, planID, taskID)
	if err != nil {
		return nil, err
	}
	defer files.Close()
	for files.Next() {
		var rid int64
		var e census.Evidence
		if err := files.Scan(&rid, &e.ID, &e.Name, &e.Type, &e.Size, &e.SHA256, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if i, ok := idx[rid]; ok {
			out[i].Evidence = append(out[i].Evidence, e)
		}
	}
	return out, files.Err()
}

// RequestDeadlineChange asks to move the deadline of task id to newDue,
// with a reason: only before the deadline has passed, one pending request
// at a time; audited (plan.change).
func (s *Store) RequestDeadlineChange(ctx context.Context, actor string, id int64, newDue time.Time, reason string) (c PlanChange, err error) {
	defer wrap(&err, "deadline change of task %d", id)
	if strings.TrimSpace(reason) == "" {
		return c, planErr("a request to change a deadline says why")
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		t, region, err := taskAndRegion(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case t.Due.IsZero():
			return planErr("the task has no deadline to change: set it on the task")
		case !now.Before(t.Due):
			return planErr("the deadline %s has passed: a change is asked for before it", workplan.PeriodOf(t.Due))
		case !newDue.After(now) || newDue.Equal(t.Due) || (!t.Start.IsZero() && !newDue.After(t.Start)):
			return planErr("the new deadline must be later than today and the start, and differ from the present one")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_changes WHERE task_id = $1 AND status = 'pending'`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return planErr("a request to change this deadline is waiting for the lead's decision")
		}
		c = PlanChange{TaskID: id, OldDue: t.Due, NewDue: newDue, Reason: strings.TrimSpace(reason), RequestedBy: actor, RequestedAt: now, Status: ChangePending}
		if err := tx.QueryRowContext(ctx, `INSERT INTO plan_changes (task_id, old_due, new_due, reason, requested_by, requested_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, t.Due, newDue, c.Reason, actor, now, ChangePending).Scan(&c.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "plan.change", region, fmt.Sprintf("plantask %d", id), c.Reason)
	})
	return c, err
}

func taskAndRegion(ctx context.Context, tx *sql.Tx, id int64) (PlanTask, string, error) {
	t, err := scanPlanTask(tx.QueryRowContext(ctx, `SELECT `+planTaskCols+` FROM plan_tasks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, "", ErrNotFound
	}
	if err != nil {
		return t, "", err
	}
	var region string
	err = tx.QueryRowContext(ctx, `SELECT region_code FROM plans WHERE id = $1`, t.PlanID).Scan(&region)
	return t, region, err
}

// DecideDeadlineChange approves (moving the task's deadline) or refuses
// the pending change cid, with an answer, audited (plan.change_approve,
// plan.change_refuse). The requester does not decide their own request.
func (s *Store) DecideDeadlineChange(ctx context.Context, actor string, cid int64, approve bool, answer string) (c PlanChange, err error) {
	defer wrap(&err, "decide deadline change %d", cid)
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c, err = scanPlanChange(tx.QueryRowContext(ctx, `SELECT `+changeCols+` FROM plan_changes WHERE id = $1`, cid))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if c.Status != ChangePending {
			return planErr("this request has been decided")
		}
		if c.RequestedBy == actor {
			return planErr("a request is decided by the lead, not by who asked")
		}
		_, region, err := taskAndRegion(ctx, tx, c.TaskID)
		if err != nil {
			return err
		}
		c.Status, c.DecidedBy, c.DecidedAt, c.Answer = ChangeRefused, actor, now, strings.TrimSpace(answer)
		action := "plan.change_refuse"
		if approve {
			c.Status, action = ChangeApproved, "plan.change_approve"
			if _, err := tx.ExecContext(ctx, `UPDATE plan_tasks SET due_at = $1, updated_at = $2 WHERE id = $3`, c.NewDue, now, c.TaskID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_changes SET status = $1, decided_by = $2, decided_at = $3, answer = $4 WHERE id = $5`,
			c.Status, actor, now, c.Answer, cid); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, action, region, fmt.Sprintf("plantask %d", c.TaskID), c.Answer)
	})
	return c, err
}

const changeCols = `id, task_id, old_due, new_due, reason, requested_by, requested_at, status, decided_by, decided_at, answer`

func scanPlanChange(sc interface{ Scan(...any) error }) (PlanChange, error) {
	var c PlanChange
	var dec sql.NullTime
	err := sc.Scan(&c.ID, &c.TaskID, &c.OldDue, &c.NewDue, &c.Reason, &c.RequestedBy, &c.RequestedAt, &c.Status, &c.DecidedBy, &dec, &c.Answer)
	c.OldDue, c.NewDue, c.RequestedAt, c.DecidedAt = c.OldDue.UTC(), c.NewDue.UTC(), c.RequestedAt.UTC(), utcOf(dec)
	return c, err
}

// PlanChanges returns the deadline changes asked for the tasks of plan
// id, oldest first.
func (s *Store) PlanChanges(ctx context.Context, planID int64) (_ []PlanChange, err error) {
	defer wrap(&err, "deadline changes of work plan %d", planID)
	return listOfRows(ctx, s.db, scanPlanChange, `SELECT c.`+strings.ReplaceAll(changeCols, ", ", ", c.")+` FROM plan_changes c
		JOIN plan_tasks t ON t.id = c.task_id WHERE t.plan_id = $1 ORDER BY c.id`, planID)
}

// PendingPlanChanges returns, for the plans of region (exactly), the pending
// deadline changes, for the inbox.
func (s *Store) PendingPlanChanges(ctx context.Context, region string) (_ []PlanChange, err error) {
	defer wrap(&err, "pending deadline changes")
	return listOfRows(ctx, s.db, scanPlanChange, `SELECT c.`+strings.ReplaceAll(changeCols, ", ", ", c.")+` FROM plan_changes c
		JOIN plan_tasks t ON t.id = c.task_id JOIN plans p ON p.id = t.plan_id WHERE p.region_code = $1 AND c.status = 'pending' ORDER BY c.id`, region)
}

// Supervise raises a 督办单 (supervision letter) on task id — a ticket of
// kind supervise owned by the plan's bureau, linked to the task — with
// what is asked and a reply deadline days from now, through the one ticket
// machinery (RaiseTicket: one transaction, audited ticket.raise). The
// caller checks the task's light is red; a task has at most one open
// 督办单.
func (s *Store) Supervise(ctx context.Context, actor string, level review.Level, id int64, text string, days int) (_ Ticket, err error) {
	defer wrap(&err, "督办 task %d", id)
	if strings.TrimSpace(text) == "" || days < 1 {
		return Ticket{}, planErr("a 督办单 says what is asked and gives at least one day to reply")
	}
	t, err := s.PlanTask(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	p, err := s.Plan(ctx, t.PlanID)
	if err != nil {
		return Ticket{}, err
	}
	open, err := s.PlanTaskTickets(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	for _, o := range open {
		if o.Status != ticket.Closed {
			return Ticket{}, planErr("督办单 %d on this task is still open", o.ID)
		}
	}
	title := fmt.Sprintf("督办：%s %s", t.Number, t.Title)
	if t.Number == "" {
		title = "督办：" + t.Title
	}
	return s.RaiseTicket(ctx, actor, Ticket{Kind: TicketSupervise, PlanTask: id, County: p.Region, Title: title, Item: strings.TrimSpace(text),
		Source: "workplan", RaiserRegion: p.Region, RaiserLevel: level, Deadline: ticket.DueAfter(s.now(), days)}, nil, ticket.DefaultClocks())
}

// PlanTaskTickets returns the 督办单 of task id, oldest first.
func (s *Store) PlanTaskTickets(ctx context.Context, id int64) (_ []Ticket, err error) {
	defer wrap(&err, "督办单 of task %d", id)
	return s.tickets(ctx, `WHERE plan_task_id = $1 ORDER BY id`, id)
}

// PlanTickets returns the 督办单 of the tasks of plan id, oldest first.
func (s *Store) PlanTickets(ctx context.Context, planID int64) (_ []Ticket, err error) {
	defer wrap(&err, "督办单 of work plan %d", planID)
	return s.tickets(ctx, `WHERE plan_task_id IN (SELECT id FROM plan_tasks WHERE plan_id = $1) ORDER BY id`, planID)
}

// RecognisedCounties counts the counties whose codes start with prefix
// with a recognition case for standard at the stage recognised.
func (s *Store) RecognisedCounties(ctx context.Context, prefix, standard string) (n int, err error) {
	defer wrap(&err, "recognised counties")
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT county_code) FROM cases WHERE county_code LIKE $1 AND standard = $2 AND stage = 'recognised'`,
		prefix+"%", standard).Scan(&n)
	return n, err
}
