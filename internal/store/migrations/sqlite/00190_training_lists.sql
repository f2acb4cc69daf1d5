-- The white and black lists of 校外培训机构 a county publishes
-- (internal/training.Lists): each publication is a snapshot of both lists
-- of a grading year, kept as it was published — the public page shows the
-- newest, and a later change of the registry never changes what was
-- published. Entries are JSON arrays of {credit, name, category, field,
-- licence, address, grade, reason}.

-- +goose Up
CREATE TABLE training_lists (
    id           INTEGER PRIMARY KEY,
    county_code  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    version_id   BIGINT NOT NULL,  -- the registry version the lists were drawn from
    white        TEXT NOT NULL,
    black        TEXT NOT NULL
);
CREATE INDEX training_lists_county ON training_lists (county_code, id);

-- +goose Down
DROP TABLE training_lists;
