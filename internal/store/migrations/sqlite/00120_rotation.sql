-- 教师交流轮岗 (teacher rotation, internal/rotation): each county's ledger
-- of a year — the rotations, one row a teacher, and the teachers eligible
-- for rotation, one row a school. An import replaces the county's ledger
-- of the year and is recorded in rotation_imports; a county has a ledger
-- for a year when it has an import for it (then the ledger's shares stand
-- for the typed county figures of the item teacher_rotation).

-- +goose Up
CREATE TABLE rotations (
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    teacher     TEXT NOT NULL,  -- the teacher's id as the county keeps it
    name        TEXT NOT NULL DEFAULT '',
    from_school TEXT NOT NULL,
    from_name   TEXT NOT NULL DEFAULT '',
    to_school   TEXT NOT NULL,
    to_name     TEXT NOT NULL DEFAULT '',
    start_date  TEXT NOT NULL,  -- YYYY-MM-DD
    end_date    TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD; '' when open
    backbone    INTEGER NOT NULL DEFAULT 0, -- 1: a 骨干教师
    type        TEXT NOT NULL,  -- rotation.Type: exchange, support, multi_school
    PRIMARY KEY (county_code, year, teacher)
);

CREATE TABLE rotation_eligible (
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    school      TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    teachers    BIGINT NOT NULL, -- eligible teachers (years at the school ≥ the setting)
    backbone    BIGINT NOT NULL DEFAULT 0, -- of them, backbone teachers
    PRIMARY KEY (county_code, year, school)
);

CREATE TABLE rotation_imports (
    id          INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    files       TEXT NOT NULL,  -- the files' names, comma-separated
    row_count   BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX rotation_imports_county ON rotation_imports (county_code, year, id);

-- +goose Down
DROP TABLE rotation_imports;
DROP TABLE rotation_eligible;
DROP TABLE rotations;
