package store

import (
	"fmt"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
)

// What both stores do the same way whatever their database: the ledger rows an append writes,
// reading tile rows, the stored election definition and the check of a contest against it.

// Rows is what both databases' query results offer (database/sql's *sql.Rows, pgx's Rows).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// AppendEntry numbers e as the entry after tree's last, encodes it canonically and appends its
// leaf to tree. It gives put the entry's row and node every hash of a kept tile row (tree
// levels 8, 16, …, as tileLevel 1, 2, …): what a store writes in Tx.Append, in the same
// transaction. It returns the encoded entry.
func AppendEntry(tree *ledger.Tree, e *ledger.Entry, put func(seq uint64, typ string, data []byte, leaf ledger.Hash) error,
	node func(tileLevel int, index uint64, h ledger.Hash) error) ([]byte, error) {
	e.Seq = tree.Size()
	data, err := e.Encode()
	if err != nil {
		return nil, err
	}
	leaf := ledger.LeafHash(data)
	if err := put(e.Seq, e.Type, data, leaf); err != nil {
		return nil, err
	}
	var nodeErr error
	err = tree.Append(leaf, func(level uint, index uint64, h ledger.Hash) {
		if level == 0 || level%ledger.TileHeight != 0 || nodeErr != nil {
			return
		}
		nodeErr = node(int(level/ledger.TileHeight), index, h)
	})
	if err == nil {
		err = nodeErr
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// ReadHashes reads the one-column rows of the hashes [from, to) of a tile level (Tx.Hashes)
// and checks that all are there.
func ReadHashes(rows Rows, tileLevel int, from, to uint64) ([]ledger.Hash, error) {
	out := make([]ledger.Hash, 0, min(to-from, 1<<16))
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var h ledger.Hash
		if copy(h[:], b) != ledger.HashSize {
			return nil, fmt.Errorf("store: ledger hash of %d bytes", len(b))
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if uint64(len(out)) != to-from {
		return nil, fmt.Errorf("store: ledger has %d of the hashes [%d, %d) at tile level %d", len(out), from, to, tileLevel)
	}
	return out, nil
}

// The columns Definition reads, in the order of its scans.
const (
	ContestColumns = "id, name, type, seats, vote_for, threshold_num, threshold_den, source_id"
	ChoiceColumns  = "id, contest_id, name, party, write_in, source_id"
)

// Definition is the stored election with the maps from database ids to its indices.
type Definition struct {
	Election     *canvass.Election
	ContestIndex map[int64]int32
	ChoiceIndex  map[int64]int32
}

// ReadDefinition builds the stored election from the rows of its contests and then of its
// choices (ContestColumns, ChoiceColumns, each ordered by id). next runs the choices' query
// once the contests' rows are read and closed (a connection may serve one result at a time).
func ReadDefinition(contests Rows, choices func() (Rows, error)) (*Definition, error) {
	d := &Definition{Election: &canvass.Election{}, ContestIndex: map[int64]int32{}, ChoiceIndex: map[int64]int32{}}
	for contests.Next() {
		var c canvass.Contest
		var id int64
		var typ string
		if err := contests.Scan(&id, &c.Name, &typ, &c.Seats, &c.VoteFor, &c.Threshold.Num, &c.Threshold.Den, &c.ID); err != nil {
			return nil, err
		}
		c.Type = canvass.ContestType(typ)
		d.ContestIndex[id] = int32(len(d.Election.Contests))
		d.Election.Contests = append(d.Election.Contests, &c)
	}
	if err := contests.Err(); err != nil {
		return nil, err
	}
	rows, err := choices()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ch canvass.Choice
		var id, contestID int64
		if err := rows.Scan(&id, &contestID, &ch.Name, &ch.Party, &ch.WriteIn, &ch.ID); err != nil {
			return nil, err
		}
		ci, ok := d.ContestIndex[contestID]
		if !ok {
			return nil, fmt.Errorf("store: choice %d of a missing contest %d", id, contestID)
		}
		c := d.Election.Contests[ci]
		d.ChoiceIndex[id] = int32(len(c.Choices))
		c.Choices = append(c.Choices, &ch)
	}
	return d, rows.Err()
}

// SameContest checks a contest to merge against the stored one of the same name (its type,
// seats and vote-for): MergeContest refuses a contest that disagrees.
func SameContest(c *canvass.Contest, typ string, seats, voteFor int) error {
	if typ != string(c.Type) || seats != c.Seats || voteFor != c.VoteFor {
		return fmt.Errorf("contest %q: this file says %s, %d seat(s), vote for %d; the workspace has %s, %d seat(s), vote for %d",
			c.Name, c.Type, c.Seats, c.VoteFor, typ, seats, voteFor)
	}
	return nil
}

// The stores' text layouts of times: TimeFormat for the times of files and accounts,
// SessionTimeFormat (fixed width, so that text order is time order) for sessions, which are
// compared in SQL.
const (
	TimeFormat        = time.RFC3339Nano
	SessionTimeFormat = "2006-01-02T15:04:05.000000000Z"
)

// The columns ScanAccount and ScanSession read, in order.
const (
	AccountColumns = `id, name, role, scope, password_hash, disabled, created_at`
	SessionColumns = `token_hash, account_id, csrf, created_at, expires_at`
)

// Row is one row of a query (database/sql's *sql.Row or *sql.Rows, pgx's Row or Rows).
type Row interface{ Scan(dest ...any) error }

// ScanAccount reads an account (AccountColumns). The error is the driver's own when there is
// no row.
func ScanAccount(r Row) (*Account, error) {
	var a Account
	var at string
	if err := r.Scan(&a.ID, &a.Name, &a.Role, &a.Scope, &a.PasswordHash, &a.Disabled, &at); err != nil {
		return nil, err
	}
	var err error
	if a.CreatedAt, err = time.Parse(TimeFormat, at); err != nil {
		return nil, fmt.Errorf("store: account %d: creation time %q: %w", a.ID, at, err)
	}
	return &a, nil
}

// ScanSession reads a session (SessionColumns). The error is the driver's own when there is
// no row.
func ScanSession(r Row) (*Session, error) {
	var s Session
	var created, expires string
	if err := r.Scan(&s.TokenHash, &s.Account, &s.CSRF, &created, &expires); err != nil {
		return nil, err
	}
	var err error
	if s.CreatedAt, err = time.Parse(SessionTimeFormat, created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = time.Parse(SessionTimeFormat, expires); err != nil {
		return nil, err
	}
	return &s, nil
}

// ScanAccounts reads every row of accounts (AccountColumns).
func ScanAccounts(rows Rows) ([]Account, error) {
	var out []Account
	for rows.Next() {
		a, err := ScanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}
