-- What the first-run set-up (the browser's /setup page) decided: the region
-- this installation serves, its profile and default standard, who set it
-- up and when. One row at most (id = 1), so that two set-ups racing each
-- other cannot both succeed. An installation set up from the command line
-- (dudao user add) has no row and takes its rules from serve's flags.
-- setup_code holds the one-time code that the server prints while no
-- account exists; the set-up form asks for it, so that another machine on
-- the network cannot claim the first account. It is deleted by the set-up.

-- +goose Up
CREATE TABLE installation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    region_code TEXT NOT NULL,
    profile     TEXT NOT NULL,
    standard    TEXT NOT NULL,
    set_up_by   TEXT NOT NULL,
    set_up_at   TIMESTAMP NOT NULL
);

CREATE TABLE setup_code (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    code       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE setup_code;
DROP TABLE installation;
