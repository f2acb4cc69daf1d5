-- The 教师交流轮岗 (teacher rotation) ledger becomes a declared ledger
-- (internal/rotationio.Schema) kept in ledger_versions / ledger_rows like
-- every other ledger: with its history, forms, API and review lock. Each
-- county's ledger of a year is copied from the rotation tables as one
-- version, carrying its latest import's files, account and time; rows keep
-- the order the pages listed them in. The rotation tables are then
-- dropped: nothing reads them any more.

-- +goose Up
INSERT INTO ledger_versions (kind, county_code, year, files, row_count, actor, note, at)
SELECT 'rotation', i.county_code, i.year, i.files, i.row_count, i.actor, '', i.at
FROM rotation_imports i
WHERE i.id = (SELECT MAX(j.id) FROM rotation_imports j WHERE j.county_code = i.county_code AND j.year = i.year)
ORDER BY i.id;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'rotations',
       ROW_NUMBER() OVER (PARTITION BY r.county_code, r.year ORDER BY r.from_school, r.teacher) - 1,
       json_object('teacher', r.teacher, 'name', r.name, 'from', r.from_school, 'from_name', r.from_name,
                   'to', r.to_school, 'to_name', r.to_name, 'start', r.start_date, 'end', r.end_date,
                   'backbone', CASE WHEN r.backbone <> 0 THEN '是' ELSE '否' END, 'type', r.type, 'stage', r.stage)
FROM rotations r
JOIN ledger_versions v ON v.kind = 'rotation' AND v.county_code = r.county_code AND v.year = r.year;

INSERT INTO ledger_rows (version_id, tbl, seq, data)
SELECT v.id, 'eligible',
       ROW_NUMBER() OVER (PARTITION BY e.county_code, e.year ORDER BY e.school) - 1,
       json_object('school', e.school, 'name', e.name, 'teachers', CAST(e.teachers AS TEXT), 'backbone', CAST(e.backbone AS TEXT))
FROM rotation_eligible e
JOIN ledger_versions v ON v.kind = 'rotation' AND v.county_code = e.county_code AND v.year = e.year;

DROP TABLE rotation_imports;
DROP TABLE rotation_eligible;
DROP TABLE rotations;

-- +goose Down
CREATE TABLE rotations (
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    teacher     TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    from_school TEXT NOT NULL,
    from_name   TEXT NOT NULL DEFAULT '',
    to_school   TEXT NOT NULL,
    to_name     TEXT NOT NULL DEFAULT '',
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL DEFAULT '',
    backbone    INTEGER NOT NULL DEFAULT 0,
    type        TEXT NOT NULL,
    stage       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (county_code, year, teacher)
);
CREATE TABLE rotation_eligible (
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    school      TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    teachers    BIGINT NOT NULL,
    backbone    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (county_code, year, school)
);
CREATE TABLE rotation_imports (
    id          INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    files       TEXT NOT NULL,
    row_count   BIGINT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX rotation_imports_county ON rotation_imports (county_code, year, id);
