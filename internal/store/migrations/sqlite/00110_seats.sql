-- 学位 (school places against the school-age population, internal/seats):
-- each county's inputs to the cohort forecast, as the county keeps them.
-- Births are by 学区 (catchment) or township and birth year, whatever the
-- stage; schools, their enrolment by grade and the planned projects are
-- by stage (a 九年一贯制 school is one row per stage), because the school
-- census holds students by stage but not by grade. An import replaces the
-- county's rows of each table it carries, and is recorded in seats_imports.

-- +goose Up
CREATE TABLE seats_births (
    county_code TEXT NOT NULL,
    catchment   TEXT NOT NULL,
    year        INTEGER NOT NULL, -- birth year
    births      BIGINT NOT NULL,
    registered  BIGINT,           -- 户籍 children of that birth year, NULL when not known
    resident    BIGINT,           -- 常住 children of that birth year, NULL when not known
    PRIMARY KEY (county_code, catchment, year)
);

CREATE TABLE seats_schools (
    county_code TEXT NOT NULL,
    stage       TEXT NOT NULL, -- seats.Stage: primary, junior, kindergarten
    code        TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    catchment   TEXT NOT NULL,
    places      BIGINT NOT NULL DEFAULT 0, -- stated places; 0: classes × class size
    classes     BIGINT NOT NULL DEFAULT 0,
    class_size  BIGINT NOT NULL DEFAULT 0, -- 0: the profile's
    PRIMARY KEY (county_code, stage, code)
);

CREATE TABLE seats_enrolment (
    county_code TEXT NOT NULL,
    stage       TEXT NOT NULL,
    school      TEXT NOT NULL,
    year        INTEGER NOT NULL, -- the school year, by the calendar year it starts in
    grade       INTEGER NOT NULL, -- 1 … the stage's grades
    students    BIGINT NOT NULL,
    PRIMARY KEY (county_code, stage, school, year, grade)
);

CREATE TABLE seats_projects (
    county_code TEXT NOT NULL,
    stage       TEXT NOT NULL,
    seq         INTEGER NOT NULL, -- its place in the county's list
    name        TEXT NOT NULL,
    school      TEXT NOT NULL DEFAULT '', -- the school extended; '' for a new school
    catchment   TEXT NOT NULL DEFAULT '',
    open_year   INTEGER NOT NULL,
    places      BIGINT NOT NULL DEFAULT 0,
    classes     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (county_code, stage, seq)
);

CREATE TABLE seats_imports (
    id          INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    files       TEXT NOT NULL,  -- the files' names, comma-separated
    tables      TEXT NOT NULL,  -- the tables replaced, comma-separated
    row_count   BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX seats_imports_county ON seats_imports (county_code, id);

-- +goose Down
DROP TABLE seats_imports;
DROP TABLE seats_projects;
DROP TABLE seats_enrolment;
DROP TABLE seats_schools;
DROP TABLE seats_births;
