-- The first schema of dudao. Every numeric column of census.School is one
-- nullable column of school_records, named by its key (census.Columns);
-- NULL means "not reported", never zero. A census field added later gets a
-- new migration that adds its column (TestSchoolColumnsMatchCensus checks).

-- +goose Up
CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL DEFAULT '',
    level  TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent TEXT NOT NULL DEFAULT ''
);

-- One row per file imported (kind school, kindergarten, county) or per edit
-- made in the web form (kind edit, file_name '').
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    added       INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    actor       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE school_records (
    year        INTEGER NOT NULL,
    school_code TEXT NOT NULL CHECK (school_code <> ''),
    county_code TEXT NOT NULL CHECK (county_code <> ''),
    county_name TEXT NOT NULL DEFAULT '',
    school_name TEXT NOT NULL DEFAULT '',
    school_type TEXT NOT NULL DEFAULT '',
    ownership   TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    students_primary           REAL,
    students_junior            REAL,
    students_senior            REAL,
    classes_primary            REAL,
    classes_junior             REAL,
    oversize_classes_primary   REAL,
    oversize_classes_junior    REAL,
    teachers_primary           REAL,
    teachers_junior            REAL,
    qualified_teachers_primary REAL,
    qualified_teachers_junior  REAL,
    backbone_teachers_primary  REAL,
    backbone_teachers_junior   REAL,
    pe_art_teachers_primary    REAL,
    pe_art_teachers_junior     REAL,
    certified_teachers         REAL,
    teaching_area              REAL,
    sports_area                REAL,
    equipment_value            REAL,
    multimedia_rooms           REAL,
    music_rooms_standard       REAL,
    art_rooms_standard         REAL,
    teaching_area_primary      REAL,
    teaching_area_junior       REAL,
    sports_area_primary        REAL,
    sports_area_junior         REAL,
    equipment_value_primary    REAL,
    equipment_value_junior     REAL,
    multimedia_rooms_primary   REAL,
    multimedia_rooms_junior    REAL,
    indoor_gym_area            REAL,
    -- the batch that last added or changed the row, and when
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (year, school_code)
);
CREATE INDEX school_records_year_county ON school_records (year, county_code, school_code);

-- The history of every record: one row per changed column (old -> new, NULL
-- = not reported), and one row with column_key '' when a record is created.
CREATE TABLE record_changes (
    id          INTEGER PRIMARY KEY,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    year        INTEGER NOT NULL,
    school_code TEXT NOT NULL,
    column_key  TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    changed_at  TIMESTAMP NOT NULL
);
CREATE INDEX record_changes_school ON record_changes (year, school_code, id);
CREATE INDEX record_changes_batch ON record_changes (batch_id);

-- +goose Down
DROP TABLE record_changes;
DROP TABLE school_records;
DROP TABLE import_batches;
DROP TABLE regions;
