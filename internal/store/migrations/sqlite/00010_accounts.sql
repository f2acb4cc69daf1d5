-- Accounts of the web application: users scoped to a region or one school,
-- their sessions and API tokens (only SHA-256 digests of the secrets are
-- stored), and the audit log of sign-ins and changes.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (username <> ''),
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    -- province, city, county, school or readonly
    role          TEXT NOT NULL CHECK (role IN ('province', 'city', 'county', 'school', 'readonly')),
    -- the region (6-digit code) the account sees; for a school account its county
    region_code   TEXT NOT NULL DEFAULT '',
    -- the school a school account sees; '' otherwise
    school_code   TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    -- the region the action touched ('' when none), for scoped reading
    region_code TEXT NOT NULL DEFAULT '',
    target      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
