-- Uploads parsed and previewed, waiting for their confirmation. They live in
-- the database, not in one process's memory, so that several dudao serve
-- processes behind a load balancer confirm an upload previewed on another.
-- Only the SHA-256 of the confirm token is kept, as for sessions.
-- records is JSON: the records as the kind's column table lists them.

-- +goose Up
CREATE TABLE pending_uploads (
    token_sha256 TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    records      BYTEA NOT NULL,
    extra        BYTEA NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_uploads_expiry ON pending_uploads (expires_at);

-- +goose Down
DROP TABLE pending_uploads;
