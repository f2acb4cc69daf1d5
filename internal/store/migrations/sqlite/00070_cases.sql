-- Recognition cases (internal/recognition): one per county, standard and
-- round, with its stage, the data it was judged on, and a timeline; the
-- on-site inspection draws; and tickets (internal/ticket) — 整改 items of a
-- case's 问题清单 today, 督办单 and complaints later — with their steps and
-- evidence files (kept in evidence_files, referenced, never copied).

-- +goose Up
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    county_code   TEXT NOT NULL,
    standard      TEXT NOT NULL,
    profile       TEXT NOT NULL,
    year          INTEGER NOT NULL,
    round         INTEGER NOT NULL,
    stage         TEXT NOT NULL,
    snapshot      TEXT NOT NULL DEFAULT '', -- JSON: the verdict and data status the case was judged on
    notice_start  TIMESTAMP,
    notice_end    TIMESTAMP,
    feedback_at   TIMESTAMP,
    recognised_at TIMESTAMP,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (county_code, standard, round)
);

CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at       TIMESTAMP NOT NULL,
    actor    TEXT NOT NULL DEFAULT '',
    level    TEXT NOT NULL DEFAULT '',
    kind     TEXT NOT NULL,
    stage    TEXT NOT NULL DEFAULT '', -- the stage after the event
    text     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE inspections (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    level      TEXT NOT NULL,
    mock       INTEGER NOT NULL DEFAULT 0,
    seed       BIGINT NOT NULL,
    size       INTEGER NOT NULL,
    candidates TEXT NOT NULL, -- JSON: the schools drawn from, with stratum and weak flag
    visits     TEXT NOT NULL, -- the codes drawn, comma-separated
    actor      TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL
);
CREATE INDEX inspections_case ON inspections (case_id);

CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,            -- rectify
    case_id       BIGINT REFERENCES cases (id) ON DELETE CASCADE,
    county_code   TEXT NOT NULL,            -- the owner: the county that fixes it
    title         TEXT NOT NULL,
    item          TEXT NOT NULL DEFAULT '', -- the standard's item, when it concerns one
    school_code   TEXT NOT NULL DEFAULT '',
    severity      TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '', -- visit, checklist, engine, discrepancy
    raiser        TEXT NOT NULL DEFAULT '',
    raiser_region TEXT NOT NULL DEFAULT '',
    raiser_level  TEXT NOT NULL DEFAULT '',
    deadline      TIMESTAMP,
    status        TEXT NOT NULL,
    reported_at   TIMESTAMP,
    closed_at     TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX tickets_case ON tickets (case_id);
CREATE INDEX tickets_county ON tickets (county_code, status);

CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    action    TEXT NOT NULL, -- raise, report, verify, reject
    text      TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL DEFAULT '',
    at        TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_files (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    event_id    BIGINT NOT NULL REFERENCES ticket_events (id) ON DELETE CASCADE,
    evidence_id BIGINT NOT NULL REFERENCES evidence_files (id),
    PRIMARY KEY (event_id, evidence_id)
);

-- Objections (异议) to the province's conclusion and appeals (申诉), each
-- answered by the province within its statutory clock.
CREATE TABLE case_objections (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL, -- objection or appeal
    text        TEXT NOT NULL,
    filed_by    TEXT NOT NULL DEFAULT '',
    filed_at    TIMESTAMP NOT NULL,
    answer_due  TIMESTAMP NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP
);
CREATE INDEX case_objections_case ON case_objections (case_id, id);

-- +goose Down
DROP TABLE case_objections;
DROP TABLE ticket_files;
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP TABLE inspections;
DROP TABLE case_events;
DROP TABLE cases;
