// Package store is the persistence of a workspace behind one interface, so that the engines
// and the workspace do not know whether they run on the embedded SQLite database (store/sqlite)
// or on PostgreSQL (later). Every state change happens inside Update, which appends at least
// one ledger entry in the same transaction, so the store and the signed record of changes can
// never disagree.
package store

import (
	"context"
	"errors"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
)

// Store is a workspace's database.
type Store interface {
	// Update runs fn in one read-write transaction. If fn returns an error, or appends no
	// ledger entry, nothing is written.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction (a consistent snapshot).
	View(ctx context.Context, fn func(Tx) error) error
	// AddCheckpoint stores a signed checkpoint of the ledger. It is the one write outside
	// Update: a checkpoint changes nothing, it signs what the ledger already holds.
	AddCheckpoint(ctx context.Context, size uint64, note []byte) error
	Close() error
}

// ErrNoChange is returned by Update when fn appended no ledger entry: a state change that is
// not on the record is refused.
var ErrNoChange = errors.New("store: update appended no ledger entry")

// File is an imported file (or folder, or ZIP).
type File struct {
	ID     int64
	Name   string // the file's base name, for people
	SHA256 string // hex; for a folder, see workspace.HashPath
	Size   int64
	Kind   string // "cvr" or "results"
	Format string
	// Jurisdiction the file's ballots or results belong to ("" when the file names its units).
	Jurisdiction string
	ImportedBy   string
	ImportedAt   time.Time
	// Records is the number of ballots or result rows imported.
	Records int64
	// Replaced is the id of the file this one replaced (0 when none).
	Replaced int64
	// Entry is the ledger entry that records the import.
	Entry uint64
}

// Checkpoint is a stored signed checkpoint.
type Checkpoint struct {
	Size uint64
	Note []byte
}

// ContestIDs maps the contests and choices of one source's Election to the workspace's ids.
type ContestIDs struct {
	Contest int64
	Choices []int64
}

// Account is a person who signs in to the web application. Role and Scope are the
// workspace's (package workspace defines them); the store keeps them as given.
type Account struct {
	ID   int64
	Name string // unique sign-in name
	Role string
	// Scope is what the account may act on, as the workspace encodes it (canonical JSON).
	Scope string
	// PasswordHash is the password's hash in the PHC string format ("$argon2id$v=19$…"); ""
	// when no password is set (for instance after a rebuild from the published ledger).
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

// Session is a signed-in session. The token itself is never stored, only its hash.
type Session struct {
	TokenHash string // hex SHA-256 of the session token
	Account   int64
	// CSRF is the synchronizer token that every state-changing request of the session carries.
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time // absolute expiry
}

// Tx is what a transaction can do. Reads see the transaction's own writes.
type Tx interface {
	// Append appends an entry to the ledger: it sets e.Seq, encodes the entry canonically
	// and extends the Merkle tree. It returns the encoded entry.
	Append(e *ledger.Entry) ([]byte, error)
	// Entries calls fn with each encoded entry of [from, to) in order.
	Entries(from, to uint64, fn func(seq uint64, data []byte) error) error
	// EntriesOfType calls fn with each encoded entry of one type, in order.
	EntriesOfType(typ string, fn func(seq uint64, data []byte) error) error
	// Tree is the ledger's Merkle tree as of this transaction.
	Tree() (*ledger.Tree, error)
	// Hashes returns rows of the tree (ledger.TileRows).
	Hashes(tileLevel int, from, to uint64) ([]ledger.Hash, error)
	// Checkpoints returns the stored signed checkpoints, smallest first.
	Checkpoints() ([]Checkpoint, error)
	// AddTabulation stores the full result of tabulation entry seq; Tabulation reads it.
	AddTabulation(seq uint64, result []byte) error
	Tabulation(seq uint64) ([]byte, error)

	FileByHash(sha256 string) (*File, error) // nil, nil when none
	Files() ([]File, error)
	AddFile(f *File) (int64, error)
	// FinishFile sets the number of records imported and the ledger entry of the import.
	FinishFile(id, records int64, entry uint64) error
	// DeleteFileData removes the ballots and results imported from a file and marks it
	// replaced (the file row stays, for the record).
	DeleteFileData(id int64) error

	// MergeContest adds a contest (and its choices) to the election definition, or matches it by
	// name with one already there and adds any new choices. It refuses a contest whose type,
	// vote-for or seats disagree with the stored one.
	MergeContest(c *canvass.Contest) (ContestIDs, error)
	// Election returns the stored definition. ids maps each contest and choice to its index.
	Election() (*canvass.Election, error)

	// AddBallot stores a ballot whose contest and choice indices are translated with ids
	// (indexed like the source Election). It reports false, storing nothing, when the
	// jurisdiction already has a ballot with that id.
	AddBallot(fileID int64, jurisdiction string, b *canvass.Ballot, ids []ContestIDs) (bool, error)
	// Ballots streams the stored ballots, with contest and choice indices of Election().
	Ballots(fn func(jurisdiction string, b *canvass.Ballot) error) error
	CountBallots() (int64, error)

	AddResult(fileID int64, r *canvass.ResultRow) error
	Results(fn func(r *canvass.ResultRow) error) error
	CountResults() (int64, error)

	// AddAccount stores a new account and returns its id; a name already taken is an error.
	AddAccount(a *Account) (int64, error)
	// UpdateAccount sets the role, scope, password hash and disabled flag of account a.ID.
	UpdateAccount(a *Account) error
	// AccountByName and AccountByID return nil, nil when there is no such account.
	AccountByName(name string) (*Account, error)
	AccountByID(id int64) (*Account, error)
	// Accounts lists the accounts by id.
	Accounts() ([]Account, error)
	// AddSession stores a session; SessionByHash returns nil, nil when there is none.
	AddSession(s *Session) error
	SessionByHash(tokenHash string) (*Session, error)
	// DeleteSession removes one session, DeleteSessions every session of an account, and
	// DeleteExpiredSessions every session that expires at or before now.
	DeleteSession(tokenHash string) error
	DeleteSessions(account int64) error
	DeleteExpiredSessions(now time.Time) error
}
