// Package store is the persistence of a workspace behind one interface, so that the engines
// and the workspace do not know whether they run on the embedded SQLite database (store/sqlite)
// or on PostgreSQL (later). Every state change happens inside Update, which records at least
// one Change in the same transaction: the journal of changes is where the signed ledger will
// hook in, so the store and the record of changes can never disagree.
package store

import (
	"context"
	"errors"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

// Store is a workspace's database.
type Store interface {
	// Update runs fn in one read-write transaction. If fn returns an error, or records no
	// Change, nothing is written. The actor names who makes the change.
	Update(ctx context.Context, actor string, fn func(Tx) error) error
	// View runs fn in a read-only transaction (a consistent snapshot).
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// ErrNoChange is returned by Update when fn recorded no Change: a state change that is not on
// the record is refused.
var ErrNoChange = errors.New("store: update recorded no change")

// File is an imported file (or folder, or ZIP).
type File struct {
	ID     int64
	Name   string // the path as given, for people
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
}

// Change is one entry of the journal of state changes.
type Change struct {
	Seq    int64
	At     time.Time
	Actor  string
	Kind   string // "workspace.init", "import.cvr", "import.results", "import.replace", ...
	Detail []byte // canonical JSON
}

// ContestIDs maps the contests and choices of one source's Election to the workspace's ids.
type ContestIDs struct {
	Contest int64
	Choices []int64
}

// Tx is what a transaction can do. Reads see the transaction's own writes.
type Tx interface {
	// RecordChange appends to the journal (detail is marshalled as JSON).
	RecordChange(kind string, detail any) error
	Changes() ([]Change, error)

	FileByHash(sha256 string) (*File, error) // nil, nil when none
	Files() ([]File, error)
	AddFile(f *File) (int64, error)
	SetFileRecords(id, records int64) error
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
}
