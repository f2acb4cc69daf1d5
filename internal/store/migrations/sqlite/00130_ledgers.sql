-- Ledgers (台账, internal/ledger): the declared ledgers a county keeps —
-- the 教育集团 registry first. Every import (or form edit) of a county's
-- ledger of a kind and year is a new version holding the whole ledger;
-- the newest version is the ledger, the older ones are its history, each
-- with who made it, when and from which files. A row is kept as JSON of
-- its canonical values by column key (ledger.Row.Map), so a column added
-- to a kind's declaration needs no migration. year is 0 for a kind that
-- keeps its history in its own dates (ledger.Schema.PerYear false).

-- +goose Up
CREATE TABLE ledger_versions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    files       TEXT NOT NULL DEFAULT '', -- the files' names, comma-separated; '' for a form edit
    row_count   BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '', -- what changed, for a form edit
    at          TIMESTAMP NOT NULL
);
CREATE INDEX ledger_versions_county ON ledger_versions (kind, county_code, year, id);
CREATE INDEX ledger_versions_year ON ledger_versions (kind, year, county_code, id);

CREATE TABLE ledger_rows (
    version_id  BIGINT NOT NULL REFERENCES ledger_versions (id) ON DELETE CASCADE,
    tbl         TEXT NOT NULL,   -- the table's id in the kind's declaration
    seq         INTEGER NOT NULL, -- the row's place in its table
    data        TEXT NOT NULL,   -- JSON object: column key → canonical value
    PRIMARY KEY (version_id, tbl, seq)
);

-- +goose Down
DROP TABLE ledger_rows;
DROP TABLE ledger_versions;
