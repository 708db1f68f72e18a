-- The workspace schema: the journal of changes, imported files, the election definition,
-- ballots (cast vote records) and reported results.

-- +goose Up
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT    NOT NULL,
    actor  TEXT    NOT NULL,
    kind   TEXT    NOT NULL,
    detail TEXT    NOT NULL
);

CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('cvr', 'results')),
    format       TEXT    NOT NULL,
    jurisdiction TEXT    NOT NULL DEFAULT '',
    imported_by  TEXT    NOT NULL,
    imported_at  TEXT    NOT NULL,
    records      INTEGER NOT NULL DEFAULT 0,
    replaces     INTEGER REFERENCES files (id),
    replaced_by  INTEGER REFERENCES files (id)
);
CREATE INDEX files_sha256 ON files (sha256);

CREATE TABLE contests (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    type          TEXT    NOT NULL,
    seats         INTEGER NOT NULL,
    vote_for      INTEGER NOT NULL,
    threshold_num INTEGER NOT NULL DEFAULT 0,
    threshold_den INTEGER NOT NULL DEFAULT 0,
    source_id     TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE choices (
    id         INTEGER PRIMARY KEY,
    contest_id INTEGER NOT NULL REFERENCES contests (id),
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    party      TEXT    NOT NULL DEFAULT '',
    write_in   INTEGER NOT NULL DEFAULT 0,
    source_id  TEXT    NOT NULL DEFAULT '',
    UNIQUE (contest_id, name_key)
);

-- marks is a compact binary encoding of the ballot's contests and marks (see sqlite.go).
CREATE TABLE ballots (
    id             INTEGER PRIMARY KEY,
    file_id        INTEGER NOT NULL REFERENCES files (id),
    jurisdiction   TEXT    NOT NULL,
    ballot_id      TEXT    NOT NULL,
    precinct       TEXT    NOT NULL,
    ballot_type    TEXT    NOT NULL,
    tabulator      TEXT    NOT NULL,
    batch          TEXT    NOT NULL,
    counting_group TEXT    NOT NULL,
    marks          BLOB    NOT NULL,
    UNIQUE (jurisdiction, ballot_id)
);
CREATE INDEX ballots_file ON ballots (file_id);

CREATE TABLE results (
    id           INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES files (id),
    state        TEXT    NOT NULL,
    county       TEXT    NOT NULL,
    municipality TEXT    NOT NULL,
    precinct     TEXT    NOT NULL,
    contest      TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    choice       TEXT    NOT NULL,
    party        TEXT    NOT NULL,
    mode         TEXT    NOT NULL,
    stat         TEXT    NOT NULL,
    votes        INTEGER NOT NULL CHECK (votes >= 0)
);
CREATE INDEX results_file ON results (file_id);

-- +goose Down
DROP TABLE results;
DROP TABLE ballots;
DROP TABLE choices;
DROP TABLE contests;
DROP TABLE files;
DROP TABLE changes;
