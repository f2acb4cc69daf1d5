-- The 学位 (school places) inputs become a declared ledger
-- (internal/seatsio.Schema, kind places) kept in ledger_versions /
-- ledger_rows like every other ledger: with its history, forms, API and
-- review lock. Each county's four tables are copied as one version,
-- carrying its latest import's files, account and time, and the tables
-- that import replaced as its note; rows keep the order the store gave
-- them in, and values are the declaration's canonical text (a grade as
-- its number, a count of 0 that meant "by classes" or "the profile's"
-- left empty). The seats tables are then dropped: nothing reads them.

-- +goose Up
INSERT INTO ledger_versions (kind, county_code, year, files, row_count, actor, note, at)
SELECT 'places', c.county_code, 0, COALESCE(i.files, ''),
       (SELECT COUNT(*) FROM seats_births x WHERE x.county_code = c.county_code)
         + (SELECT COUNT(*) FROM seats_schools x WHERE x.county_code = c.county_code)
         + (SELECT COUNT(*) FROM seats_enrolment x WHERE x.county_code = c.county_code)
         + (SELECT COUNT(*) FROM seats_projects x WHERE x.county_code = c.county_code),
       COALESCE(i.actor, ''),
       CASE WHEN COALESCE(i.tables, '') = '' THEN '' ELSE
         '替换「' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(i.tables, ',', '」「'),
           'births', '出生人口'), 'schools', '学校学位'), 'enrolment', '分年级在校生'), 'projects', '规划项目') || '」表' END,
       COALESCE(i.at, CURRENT_TIMESTAMP)
FROM (SELECT county_code FROM seats_births UNION SELECT county_code FROM seats_schools
      UNION SELECT county_code FROM seats_enrolment UNION SELECT county_code FROM seats_projects
      UNION SELECT county_code FROM seats_imports) c
LEFT JOIN seats_imports i ON i.county_code = c.county_code
  AND i.id = (SELECT MAX(j.id) FROM seats_imports j WHERE j.county_code = c.county_code)
ORDER BY c.county_code;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'births',
       ROW_NUMBER() OVER (PARTITION BY b.county_code ORDER BY b.catchment, b.year) - 1,
       json_build_object('catchment', b.catchment, 'year', CAST(b.year AS TEXT), 'births', CAST(b.births AS TEXT), 'registered', COALESCE(CAST(b.registered AS TEXT), ''), 'resident', COALESCE(CAST(b.resident AS TEXT), ''))::text
FROM seats_births b
JOIN ledger_versions v ON v.kind = 'places' AND v.county_code = b.county_code AND v.year = 0;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'schools',
       ROW_NUMBER() OVER (PARTITION BY s.county_code ORDER BY s.stage, s.code) - 1,
       json_build_object('stage', s.stage, 'code', s.code, 'name', s.name, 'catchment', s.catchment, 'places', CASE WHEN s.places = 0 THEN '' ELSE CAST(s.places AS TEXT) END, 'classes', CASE WHEN s.classes = 0 THEN '' ELSE CAST(s.classes AS TEXT) END, 'class_size', CASE WHEN s.class_size = 0 THEN '' ELSE CAST(s.class_size AS TEXT) END)::text
FROM seats_schools s
JOIN ledger_versions v ON v.kind = 'places' AND v.county_code = s.county_code AND v.year = 0;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'enrolment',
       ROW_NUMBER() OVER (PARTITION BY e.county_code ORDER BY e.stage, e.school, e.year, e.grade) - 1,
       json_build_object('stage', e.stage, 'school', e.school, 'year', CAST(e.year AS TEXT), 'grade', CAST(e.grade AS TEXT), 'students', CAST(e.students AS TEXT))::text
FROM seats_enrolment e
JOIN ledger_versions v ON v.kind = 'places' AND v.county_code = e.county_code AND v.year = 0;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'projects',
       ROW_NUMBER() OVER (PARTITION BY p.county_code ORDER BY p.stage, p.seq) - 1,
       json_build_object('stage', p.stage, 'name', p.name, 'school', p.school, 'catchment', p.catchment, 'open_year', CAST(p.open_year AS TEXT), 'places', CASE WHEN p.places = 0 THEN '' ELSE CAST(p.places AS TEXT) END, 'classes', CASE WHEN p.classes = 0 THEN '' ELSE CAST(p.classes AS TEXT) END)::text
FROM seats_projects p
JOIN ledger_versions v ON v.kind = 'places' AND v.county_code = p.county_code AND v.year = 0;

DROP TABLE seats_imports;
DROP TABLE seats_projects;
DROP TABLE seats_enrolment;
DROP TABLE seats_schools;
DROP TABLE seats_births;

-- +goose Down
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
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    county_code TEXT NOT NULL,
    files       TEXT NOT NULL,  -- the files' names, comma-separated
    tables      TEXT NOT NULL,  -- the tables replaced, comma-separated
    row_count   BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX seats_imports_county ON seats_imports (county_code, id);
