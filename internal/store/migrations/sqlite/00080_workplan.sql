-- Work plans (internal/workplan): a bureau's 年度工作要点 as tracked
-- tasks, each with its lead, responsible units, dates, target (confirmed by
-- the user at import), a link to a figure dudao computes, milestones,
-- progress reports (one per task and period, with evidence files kept in
-- evidence_files, referenced, never copied), and requests to move a
-- deadline. A 督办单 (supervision letter) pressing a late task is a ticket
-- of kind supervise linked to the task by tickets.plan_task_id.

-- +goose Up
CREATE TABLE plans (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL,   -- the bureau: a province, city or county code
    year               INTEGER NOT NULL,
    title              TEXT NOT NULL,
    source             TEXT NOT NULL DEFAULT '', -- the imported file's name
    report_day         INTEGER NOT NULL DEFAULT 5, -- progress reports are due by this day of the next month
    yellow_behind      REAL NOT NULL DEFAULT 10,
    red_behind         REAL NOT NULL DEFAULT 30,
    not_started_months INTEGER NOT NULL DEFAULT 3,
    created_by         TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX plans_region ON plans (region_code, year);

CREATE TABLE plan_tasks (
    id           INTEGER PRIMARY KEY,
    plan_id      BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    number       TEXT NOT NULL DEFAULT '',
    section      TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    lead         TEXT NOT NULL DEFAULT '',
    units        TEXT NOT NULL DEFAULT '', -- responsible units, one a line
    start_at     TIMESTAMP,
    due_at       TIMESTAMP,
    target       REAL NOT NULL DEFAULT 0,
    target_unit  TEXT NOT NULL DEFAULT '',
    target_text  TEXT NOT NULL DEFAULT '', -- the target as written: 新建、改扩建中小学幼儿园80所
    link         TEXT NOT NULL DEFAULT '', -- the computed figure: '', preschool_inclusive, cases_recognised
    link_arg     TEXT NOT NULL DEFAULT '', -- its argument: the standard of cases_recognised
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks (plan_id, seq);

CREATE TABLE plan_milestones (
    id      INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES plan_tasks (id) ON DELETE CASCADE,
    due_at  TIMESTAMP NOT NULL,
    percent REAL NOT NULL,
    text    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_milestones_task ON plan_milestones (task_id, due_at);

CREATE TABLE plan_reports (
    id         INTEGER PRIMARY KEY,
    task_id    BIGINT NOT NULL REFERENCES plan_tasks (id) ON DELETE CASCADE,
    period     TEXT NOT NULL, -- 2023-06: the month reported on
    text       TEXT NOT NULL,
    value      REAL,          -- the figure reached, when the task has a target
    percent    REAL,          -- the percent done, when it has none
    reason     TEXT NOT NULL DEFAULT '', -- why it is behind, when it is
    actor      TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL,
    UNIQUE (task_id, period)
);

CREATE TABLE plan_report_files (
    report_id   BIGINT NOT NULL REFERENCES plan_reports (id) ON DELETE CASCADE,
    evidence_id BIGINT NOT NULL REFERENCES evidence_files (id),
    PRIMARY KEY (report_id, evidence_id)
);

CREATE TABLE plan_changes (
    id           INTEGER PRIMARY KEY,
    task_id      BIGINT NOT NULL REFERENCES plan_tasks (id) ON DELETE CASCADE,
    old_due      TIMESTAMP NOT NULL,
    new_due      TIMESTAMP NOT NULL,
    reason       TEXT NOT NULL,
    requested_by TEXT NOT NULL DEFAULT '',
    requested_at TIMESTAMP NOT NULL,
    status       TEXT NOT NULL, -- pending, approved, refused
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    answer       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_changes_task ON plan_changes (task_id, id);

ALTER TABLE tickets ADD COLUMN plan_task_id BIGINT REFERENCES plan_tasks (id) ON DELETE CASCADE;
CREATE INDEX tickets_plan_task ON tickets (plan_task_id);

-- +goose Down
DROP INDEX tickets_plan_task;
ALTER TABLE tickets DROP COLUMN plan_task_id;
DROP TABLE plan_changes;
DROP TABLE plan_report_files;
DROP TABLE plan_reports;
DROP TABLE plan_milestones;
DROP TABLE plan_tasks;
DROP TABLE plans;
