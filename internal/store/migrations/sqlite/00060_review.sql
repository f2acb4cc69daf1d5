-- The reporting chain (internal/review): reporting tasks (填报任务), the
-- state of each unit's data in each task, every step taken on it with its
-- reason and the fields it concerns, explanations kept against the
-- plausibility rules, spot checks (抽查) with their seeded draws and
-- findings, and the reminders sent (notices).

-- +goose Up
CREATE TABLE review_tasks (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    year         INTEGER NOT NULL,
    kinds        TEXT NOT NULL,            -- record kinds, comma-separated
    region_code  TEXT NOT NULL,            -- the region the task covers
    opener_level TEXT NOT NULL,            -- province, city or county
    due          TEXT NOT NULL,            -- YYYY-MM-DD, ends at midnight Beijing time
    remind_days  TEXT NOT NULL DEFAULT '', -- days before due, e.g. 7,3,1
    instructions TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE review_units (
    task_id            BIGINT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    unit_kind          TEXT NOT NULL,          -- unit or county
    code               TEXT NOT NULL,          -- school or kindergarten code, or the county code
    record_kind        TEXT NOT NULL,          -- school, kindergarten or county
    county_code        TEXT NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    round              INTEGER NOT NULL DEFAULT 0,
    first_submitted_at TIMESTAMP,
    submitted_at       TIMESTAMP,
    decided_level      TEXT NOT NULL DEFAULT '', -- the level that approved or accepted
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (task_id, unit_kind, code)
);
CREATE INDEX review_units_code ON review_units (code, state);
CREATE INDEX review_units_county ON review_units (county_code, task_id);

CREATE TABLE review_steps (
    id          INTEGER PRIMARY KEY,
    task_id     BIGINT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    unit_kind   TEXT NOT NULL,
    code        TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    round       INTEGER NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    actor_level TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX review_steps_unit ON review_steps (task_id, code);

CREATE TABLE review_comments (
    step_id     BIGINT NOT NULL REFERENCES review_steps (id) ON DELETE CASCADE,
    record_kind TEXT NOT NULL,
    column_key  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (step_id, record_kind, column_key)
);

CREATE TABLE review_explanations (
    task_id     BIGINT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    record_kind TEXT NOT NULL,
    code        TEXT NOT NULL,
    column_key  TEXT NOT NULL,
    rule        TEXT NOT NULL,
    message     TEXT NOT NULL,
    explanation TEXT NOT NULL,
    evidence_id BIGINT,
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (task_id, record_kind, code, column_key, rule)
);

CREATE TABLE spot_checks (
    id          INTEGER PRIMARY KEY,
    task_id     BIGINT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    county_code TEXT NOT NULL,
    seed        BIGINT NOT NULL,
    percent     INTEGER NOT NULL,
    population  TEXT NOT NULL, -- the codes drawn from, comma-separated
    sample      TEXT NOT NULL, -- the codes drawn, comma-separated
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX spot_checks_task ON spot_checks (task_id, county_code);

CREATE TABLE spot_check_items (
    check_id BIGINT NOT NULL REFERENCES spot_checks (id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    ledger   TEXT NOT NULL DEFAULT '',
    result   TEXT NOT NULL DEFAULT '', -- '', ok or discrepancy
    finding  TEXT NOT NULL DEFAULT '',
    actor    TEXT NOT NULL DEFAULT '',
    at       TIMESTAMP,
    PRIMARY KEY (check_id, code)
);

CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    task_id     BIGINT REFERENCES review_tasks (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL, -- the account region it is for
    school_code TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX notices_region ON notices (region_code, at);

-- +goose Down
DROP TABLE notices;
DROP TABLE spot_check_items;
DROP TABLE spot_checks;
DROP TABLE review_explanations;
DROP TABLE review_comments;
DROP TABLE review_steps;
DROP TABLE review_units;
DROP TABLE review_tasks;
