-- The whole standards (issue 4): the 基本均衡 and per-school columns of
-- school_records, the county-level and kindergarten records, and the
-- judgements of evidence items with their evidence files.
--
-- As in 00001, every numeric column is nullable and named by its key in the
-- census column tables (census.Columns, census.CountyColumns,
-- census.KindergartenColumns); NULL means "not reported", never zero.

-- +goose Up
ALTER TABLE school_records ADD COLUMN sponsor TEXT NOT NULL DEFAULT '';
ALTER TABLE school_records ADD COLUMN computers REAL;
ALTER TABLE school_records ADD COLUMN books REAL;
ALTER TABLE school_records ADD COLUMN computers_primary REAL;
ALTER TABLE school_records ADD COLUMN computers_junior REAL;
ALTER TABLE school_records ADD COLUMN books_primary REAL;
ALTER TABLE school_records ADD COLUMN books_junior REAL;
ALTER TABLE school_records ADD COLUMN senior_title_teachers_primary REAL;
ALTER TABLE school_records ADD COLUMN senior_title_teachers_junior REAL;
ALTER TABLE school_records ADD COLUMN public_funds REAL;
ALTER TABLE school_records ADD COLUMN training_funds REAL;

-- The history of county and kindergarten records shares record_changes:
-- school_code then holds the county code or the kindergarten code.
ALTER TABLE record_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'school';

-- One row per county per year (kind county).
CREATE TABLE county_records (
    year        INTEGER NOT NULL,
    county_code TEXT NOT NULL CHECK (county_code <> ''),
    county_name TEXT NOT NULL DEFAULT '',
    basic_balance_year            REAL,
    small_schools                 REAL,
    small_schools_funded          REAL,
    special_ed_funding            REAL,
    teacher_pay                   REAL,
    civil_servant_pay             REAL,
    training_required             REAL,
    training_completed            REAL,
    rotation_eligible             REAL,
    rotation_teachers             REAL,
    rotation_backbone_eligible    REAL,
    rotation_backbone             REAL,
    nearby_primary_entrants       REAL,
    nearby_primary_admitted       REAL,
    nearby_junior_entrants        REAL,
    nearby_junior_admitted        REAL,
    hs_quota_places               REAL,
    hs_quota_allocated            REAL,
    migrant_children              REAL,
    migrant_children_public       REAL,
    public_funds_primary          REAL,
    public_funds_junior           REAL,
    retention_entrants            REAL,
    retention_grade9              REAL,
    disabled_children             REAL,
    disabled_enrolled             REAL,
    monitoring_level              REAL,
    monitoring_level3_share       REAL,
    monitoring_school_gap         REAL,
    recognition_compulsory        REAL,
    recognition_preschool         REAL,
    resident_children_3_5         REAL,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (year, county_code)
);

-- One row per kindergarten per year (kind kindergarten).
CREATE TABLE kindergarten_records (
    year              INTEGER NOT NULL,
    kindergarten_code TEXT NOT NULL CHECK (kindergarten_code <> ''),
    county_code       TEXT NOT NULL CHECK (county_code <> ''),
    county_name       TEXT NOT NULL DEFAULT '',
    kindergarten_name TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL DEFAULT '',
    location          TEXT NOT NULL DEFAULT '',
    children                      REAL,
    classes_small                 REAL,
    classes_middle                REAL,
    classes_large                 REAL,
    classes_mixed                 REAL,
    oversize_small                REAL,
    oversize_middle               REAL,
    oversize_large                REAL,
    oversize_mixed                REAL,
    teachers                      REAL,
    certified_teachers            REAL,
    principal_certified           REAL,
    caregivers                    REAL,
    building_area                 REAL,
    outdoor_area                  REAL,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (year, kindergarten_code)
);
CREATE INDEX kindergarten_records_year_county ON kindergarten_records (year, county_code, kindergarten_code);

-- Judgements of the items people judge. Never updated: a new judgement is
-- a new row, and the latest (highest id) of an item is the one in force.
CREATE TABLE judgements (
    id          INTEGER PRIMARY KEY,
    standard    TEXT NOT NULL,
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    item        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('met', 'not_met', 'pending')),
    comment     TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    judged_at   TIMESTAMP NOT NULL
);
CREATE INDEX judgements_item ON judgements (standard, year, county_code, item, id);

-- Evidence files of an item, kept in the database itself so that a backup of
-- the database is a backup of the evidence. A file belongs to the item, not
-- to one judgement: a later judgement never loses it. judgement_id names the
-- judgement it came with, if any.
CREATE TABLE evidence_files (
    id           INTEGER PRIMARY KEY,
    standard     TEXT NOT NULL,
    county_code  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    item         TEXT NOT NULL,
    judgement_id BIGINT REFERENCES judgements (id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL DEFAULT '',
    uploaded_at  TIMESTAMP NOT NULL
);
CREATE INDEX evidence_files_item ON evidence_files (standard, year, county_code, item, id);

-- +goose Down
DROP TABLE evidence_files;
DROP TABLE judgements;
DROP TABLE kindergarten_records;
DROP TABLE county_records;
ALTER TABLE record_changes DROP COLUMN kind;
ALTER TABLE school_records DROP COLUMN training_funds;
ALTER TABLE school_records DROP COLUMN public_funds;
ALTER TABLE school_records DROP COLUMN senior_title_teachers_junior;
ALTER TABLE school_records DROP COLUMN senior_title_teachers_primary;
ALTER TABLE school_records DROP COLUMN books_junior;
ALTER TABLE school_records DROP COLUMN books_primary;
ALTER TABLE school_records DROP COLUMN computers_junior;
ALTER TABLE school_records DROP COLUMN computers_primary;
ALTER TABLE school_records DROP COLUMN books;
ALTER TABLE school_records DROP COLUMN computers;
ALTER TABLE school_records DROP COLUMN sponsor;
