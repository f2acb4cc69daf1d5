-- What-if scenarios (issue 5): a named set of changed census numbers for
-- one county and base year, saved from the what-if page. The school
-- records themselves are never changed by a scenario.

-- +goose Up
CREATE TABLE scenarios (
    id          INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL CHECK (county_code <> ''),
    year        INTEGER NOT NULL,
    name        TEXT NOT NULL CHECK (name <> ''),
    -- JSON: {"school code": {"column key": new value, …}, …}
    changes     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (county_code, year, name)
);

-- +goose Down
DROP TABLE scenarios;
