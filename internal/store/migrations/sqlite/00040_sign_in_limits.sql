-- Sign-in attempts counted per account (across addresses) and per address
-- in a window, so that every process of a deployment sees the same counts
-- and one statement reserves an attempt before the password is checked.
-- key is "user:" and the lower-case username, or "addr:" and the address;
-- window_start is in Unix milliseconds (compared as a number on both
-- databases).

-- +goose Up
CREATE TABLE sign_in_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts     INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sign_in_limits;
