-- The signed ledger replaces the journal of changes: every state change appends an entry in
-- the same transaction (see docs/LEDGER.md). A workspace made before the ledger existed has no
-- record that could be signed, so its journal is dropped and Open refuses it.

-- +goose Up
DROP TABLE changes;

-- data is the entry's canonical JSON; hash its RFC 6962 leaf hash.
CREATE TABLE ledger_entries (
    seq  INTEGER PRIMARY KEY,
    type TEXT    NOT NULL,
    data BLOB    NOT NULL,
    hash BLOB    NOT NULL
);
CREATE INDEX ledger_entries_type ON ledger_entries (type);

-- The tree's nodes on levels 8, 16, 24, ... (the rows of the tiles above the leaves).
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- The right edge of the tree (ledger.Tree), to append without reading the entries.
CREATE TABLE ledger_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    tree BLOB    NOT NULL
);

-- Signed checkpoints, one per published size.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note BLOB    NOT NULL
);

-- The full result (with its per-unit tables) of each tabulation entry.
CREATE TABLE tabulations (
    seq    INTEGER PRIMARY KEY REFERENCES ledger_entries (seq),
    result BLOB    NOT NULL
);

ALTER TABLE files ADD COLUMN entry INTEGER REFERENCES ledger_entries (seq);

-- +goose Down
ALTER TABLE files DROP COLUMN entry;
DROP TABLE tabulations;
DROP TABLE checkpoints;
DROP TABLE ledger_state;
DROP TABLE ledger_nodes;
DROP TABLE ledger_entries;
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT    NOT NULL,
    actor  TEXT    NOT NULL,
    kind   TEXT    NOT NULL,
    detail TEXT    NOT NULL
);
