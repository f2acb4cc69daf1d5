-- 社会认可度 surveys (internal/survey): one per county, standard and year
-- round, with the questionnaire it asks (a copy, so a province's later
-- edits do not change a running survey), its window, its sample plan
-- inputs and the secret its codes are signed with; the single-use codes
-- printed; and the responses. A response names its group and area only:
-- the device cookie and the keyed, truncated hash of the address serve the
-- burst checks and are purged after the survey closes. One response per
-- code is enforced here (UNIQUE survey_id, serial; open links have no serial).

-- +goose Up
-- A province's own questionnaire of a standard (replacing the shipped one
-- for the surveys its counties start from then on).
CREATE TABLE survey_questionnaires (
    province_code TEXT NOT NULL,
    standard      TEXT NOT NULL,
    questionnaire TEXT NOT NULL, -- JSON (survey.Questionnaire)
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (province_code, standard)
);

CREATE TABLE surveys (
    id            INTEGER PRIMARY KEY,
    county_code   TEXT NOT NULL,
    standard      TEXT NOT NULL,
    profile       TEXT NOT NULL,
    year          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    questionnaire TEXT NOT NULL,            -- JSON (survey.Questionnaire)
    population    BIGINT NOT NULL,          -- 常住人口, as the county entered it
    area_weights  TEXT NOT NULL DEFAULT '', -- JSON: students by area, when the census had them
    open_groups   TEXT NOT NULL DEFAULT '', -- groups with an open link, comma-separated
    opens_at      TIMESTAMP NOT NULL,
    closes_at     TIMESTAMP NOT NULL,
    secret        TEXT NOT NULL,            -- hex; signs codes, start stamps and address hashes
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX surveys_county ON surveys (county_code, standard, year);

CREATE TABLE survey_codes (
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    serial     BIGINT NOT NULL,
    grp        TEXT NOT NULL,
    area       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (survey_id, serial)
);

CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    survey_id     BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    serial        BIGINT,                   -- the code; NULL through an open link
    grp           TEXT NOT NULL,
    area          TEXT NOT NULL,            -- location|stage
    answers       TEXT NOT NULL,            -- JSON: question → 1..5
    started_at    TIMESTAMP NOT NULL,
    submitted_at  TIMESTAMP NOT NULL,
    device        TEXT NOT NULL DEFAULT '',
    addr_hash     TEXT NOT NULL DEFAULT '',
    flags         TEXT NOT NULL DEFAULT '', -- comma-separated survey.Flag
    status        TEXT NOT NULL,
    reviewed_by   TEXT NOT NULL DEFAULT '',
    reviewed_at   TIMESTAMP,
    review_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (survey_id, serial)
);
CREATE INDEX survey_responses_device ON survey_responses (survey_id, device, submitted_at);
CREATE INDEX survey_responses_addr ON survey_responses (survey_id, addr_hash, submitted_at);

-- +goose Down
DROP TABLE survey_responses;
DROP TABLE survey_codes;
DROP TABLE surveys;
DROP TABLE survey_questionnaires;
