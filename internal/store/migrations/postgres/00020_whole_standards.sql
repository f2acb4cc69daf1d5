-- The whole standards (issue 4): the 基本均衡 and per-school columns of
-- school_records, the county-level and kindergarten records, and the
-- judgements of evidence items with their evidence files.
--
-- As in 00001, every numeric column is nullable and named by its key in the
-- census column tables (census.Columns, census.CountyColumns,
-- census.KindergartenColumns); NULL means "not reported", never zero.

-- +goose Up
ALTER TABLE school_records ADD COLUMN sponsor TEXT NOT NULL DEFAULT '';
ALTER TABLE school_records ADD COLUMN computers DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN books DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN computers_primary DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN computers_junior DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN books_primary DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN books_junior DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN senior_title_teachers_primary DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN senior_title_teachers_junior DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN public_funds DOUBLE PRECISION;
ALTER TABLE school_records ADD COLUMN training_funds DOUBLE PRECISION;

-- The history of county and kindergarten records shares record_changes:
-- school_code then holds the county code or the kindergarten code.
ALTER TABLE record_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'school';

-- One row per county per year (kind county).
CREATE TABLE county_records (
    year        INTEGER NOT NULL,
    county_code TEXT NOT NULL CHECK (county_code <> ''),
    county_name TEXT NOT NULL DEFAULT '',
    basic_balance_year            DOUBLE PRECISION,
    small_schools                 DOUBLE PRECISION,
    small_schools_funded          DOUBLE PRECISION,
    special_ed_funding            DOUBLE PRECISION,
    teacher_pay                   DOUBLE PRECISION,
    civil_servant_pay             DOUBLE PRECISION,
    training_required             DOUBLE PRECISION,
    training_completed            DOUBLE PRECISION,
    rotation_eligible             DOUBLE PRECISION,
    rotation_teachers             DOUBLE PRECISION,
    rotation_backbone_eligible    DOUBLE PRECISION,
    rotation_backbone             DOUBLE PRECISION,
    nearby_primary_entrants       DOUBLE PRECISION,
    nearby_primary_admitted       DOUBLE PRECISION,
    nearby_junior_entrants        DOUBLE PRECISION,
    nearby_junior_admitted        DOUBLE PRECISION,
    hs_quota_places               DOUBLE PRECISION,
    hs_quota_allocated            DOUBLE PRECISION,
    migrant_children              DOUBLE PRECISION,
    migrant_children_public       DOUBLE PRECISION,
    public_funds_primary          DOUBLE PRECISION,
    public_funds_junior           DOUBLE PRECISION,
    retention_entrants            DOUBLE PRECISION,
    retention_grade9              DOUBLE PRECISION,
    disabled_children             DOUBLE PRECISION,
    disabled_enrolled             DOUBLE PRECISION,
    monitoring_level              DOUBLE PRECISION,
    monitoring_level3_share       DOUBLE PRECISION,
    monitoring_school_gap         DOUBLE PRECISION,
    recognition_compulsory        DOUBLE PRECISION,
    recognition_preschool         DOUBLE PRECISION,
    resident_children_3_5         DOUBLE PRECISION,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    updated_at  TIMESTAMPTZ NOT NULL,
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
    children                      DOUBLE PRECISION,
    classes_small                 DOUBLE PRECISION,
    classes_middle                DOUBLE PRECISION,
    classes_large                 DOUBLE PRECISION,
    classes_mixed                 DOUBLE PRECISION,
    oversize_small                DOUBLE PRECISION,
    oversize_middle               DOUBLE PRECISION,
    oversize_large                DOUBLE PRECISION,
    oversize_mixed                DOUBLE PRECISION,
    teachers                      DOUBLE PRECISION,
    certified_teachers            DOUBLE PRECISION,
    principal_certified           DOUBLE PRECISION,
    caregivers                    DOUBLE PRECISION,
    building_area                 DOUBLE PRECISION,
    outdoor_area                  DOUBLE PRECISION,
    batch_id    BIGINT NOT NULL REFERENCES import_batches (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (year, kindergarten_code)
);
CREATE INDEX kindergarten_records_year_county ON kindergarten_records (year, county_code, kindergarten_code);

-- Judgements of the items people judge. Never updated: a new judgement is
-- a new row, and the latest (highest id) of an item is the one in force.
CREATE TABLE judgements (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    standard    TEXT NOT NULL,
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    item        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('met', 'not_met', 'pending')),
    comment     TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    judged_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX judgements_item ON judgements (standard, year, county_code, item, id);

-- Evidence files of an item, kept in the database itself so that a backup of
-- the database is a backup of the evidence. A file belongs to the item, not
-- to one judgement: a later judgement never loses it. judgement_id names the
-- judgement it came with, if any.
CREATE TABLE evidence_files (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    standard     TEXT NOT NULL,
    county_code  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    item         TEXT NOT NULL,
    judgement_id BIGINT REFERENCES judgements (id),
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL DEFAULT '',
    uploaded_at  TIMESTAMPTZ NOT NULL
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
