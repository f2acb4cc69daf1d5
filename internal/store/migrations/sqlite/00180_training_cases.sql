-- Inspections and complaints of 校外培训机构 (off-campus training
-- institutions, internal/training): campaigns (专项检查) run by a county,
-- a city over its counties or a province; visits to an institution of a
-- county's registry with their checklist (JSON: each item 符合 / 不符合 /
-- 不适用 with a note), photos (kept in evidence_files, referenced, never
-- copied) and the penalty decision (处罚决定). A rectification order
-- (整改通知书) is a ticket of kind inspection on the visit; a complaint
-- (投诉举报) a ticket of kind complaint: both on the one ticket machinery,
-- with the institution (its 统一社会信用代码 and name, or the subject
-- complained of), the account assigned, and the visit.

-- +goose Up
CREATE TABLE training_campaigns (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL, -- a county, or a city or province over its counties
    title       TEXT NOT NULL,
    starts      TEXT NOT NULL, -- 2026-07-01
    ends        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX training_campaigns_region ON training_campaigns (region_code);

CREATE TABLE training_visits (
    id             INTEGER PRIMARY KEY,
    campaign_id    BIGINT REFERENCES training_campaigns (id) ON DELETE SET NULL,
    county_code    TEXT NOT NULL,
    credit         TEXT NOT NULL, -- the institution's 统一社会信用代码
    name           TEXT NOT NULL, -- its name when visited
    day            TEXT NOT NULL, -- the visit's date, 2026-07-15
    inspectors     TEXT NOT NULL DEFAULT '',
    checklist      TEXT NOT NULL, -- JSON: [{"id","zh","en","result","note"}]
    findings       TEXT NOT NULL DEFAULT '',
    penalty        TEXT NOT NULL DEFAULT '', -- '', none, warning, fine, stop_enrol, revoke
    penalty_amount BIGINT NOT NULL DEFAULT 0, -- 元, of a fine
    penalty_doc    TEXT NOT NULL DEFAULT '',  -- 文号
    penalty_day    TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX training_visits_county ON training_visits (county_code, day);

CREATE TABLE training_visit_files (
    visit_id    BIGINT NOT NULL REFERENCES training_visits (id) ON DELETE CASCADE,
    evidence_id BIGINT NOT NULL REFERENCES evidence_files (id),
    PRIMARY KEY (visit_id, evidence_id)
);

ALTER TABLE tickets ADD COLUMN credit TEXT NOT NULL DEFAULT '';   -- the institution's 统一社会信用代码
ALTER TABLE tickets ADD COLUMN subject TEXT NOT NULL DEFAULT '';  -- the institution's name, or what a complaint is about
ALTER TABLE tickets ADD COLUMN assignee TEXT NOT NULL DEFAULT ''; -- the account that handles a complaint
ALTER TABLE tickets ADD COLUMN visit_id BIGINT REFERENCES training_visits (id) ON DELETE CASCADE;
CREATE INDEX tickets_visit ON tickets (visit_id);

-- +goose Down
DROP INDEX tickets_visit;
ALTER TABLE tickets DROP COLUMN visit_id;
ALTER TABLE tickets DROP COLUMN assignee;
ALTER TABLE tickets DROP COLUMN subject;
ALTER TABLE tickets DROP COLUMN credit;
DROP TABLE training_visit_files;
DROP TABLE training_visits;
DROP TABLE training_campaigns;
