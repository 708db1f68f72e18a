// Package workspace is the application layer: each operation (import, tabulate, certify, and
// later audits and recounts) runs its engine and commits the result and its ledger entry in one
// transaction of the store. The CLI and the web server both call it, so a flow is written once.
package workspace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/sqlite"
)

// DBName is the file name of the embedded database inside a workspace folder.
const DBName = "canvass.db"

// LogKeyFile and LogPubFile are the workspace's log signing key (mode 0600) and its verifier
// key, in the folder beside the database.
const (
	LogKeyFile = "log.key"
	LogPubFile = "log.pub"
)

// SchemaVersion is written in the init entry.
const SchemaVersion = 2

// Workspace is an open workspace.
type Workspace struct {
	Dir   string
	Store store.Store
	// Actor names who makes the changes (recorded with each ledger entry).
	Actor string
	// Now is the clock (time.Now when nil); a rebuild sets it to each entry's time.
	Now func() time.Time
}

func (w *Workspace) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

// ErrNoWorkspace is returned by Open when the folder holds no workspace.
var ErrNoWorkspace = errors.New("no workspace")

// DefaultActor is the login name of the user running the program.
func DefaultActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return "unknown"
}

// InitOptions tune a new workspace.
type InitOptions struct {
	// Origin names the log (the first line of its checkpoints), for example
	// "elections.wi.gov/2020-general". It must be unique among logs; the default is
	// "canvass/" and 16 random hex digits.
	Origin string
}

// Init creates a workspace in dir (made if missing): its database, its log signing key, and
// the ledger's first entry. It refuses a folder that already has one.
func Init(ctx context.Context, dir, actor string, opts InitOptions) (*Workspace, error) {
	origin := opts.Origin
	if origin == "" {
		var b [8]byte
		rand.Read(b[:])
		origin = "canvass/" + hex.EncodeToString(b[:])
	}
	if _, err := ledger.KeyName(origin); err != nil {
		return nil, fmt.Errorf("origin %q: use a name like elections.example.gov/2020-general, without spaces or '+'", origin)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, DBName)); err == nil {
		return nil, fmt.Errorf("%s already holds a workspace (%s)", dir, filepath.Join(dir, DBName))
	}
	skey, vkey, err := GenerateKey(origin)
	if err != nil {
		return nil, err
	}
	if err := WriteKeyPair(filepath.Join(dir, LogKeyFile), skey, vkey); err != nil {
		return nil, err
	}
	return create(ctx, dir, actor, nil, ledger.InitBody{Origin: origin, LogKey: vkey, Schema: SchemaVersion})
}

// create makes the database and appends the init entry.
func create(ctx context.Context, dir, actor string, clock func() time.Time, body ledger.InitBody) (*Workspace, error) {
	db, err := sqlite.Open(ctx, filepath.Join(dir, DBName))
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Store: db, Actor: actor, Now: clock}
	err = db.Update(ctx, func(tx store.Tx) error {
		_, _, err := w.append(tx, w.now(), ledger.TypeInit, body)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// Open opens the workspace in dir.
func Open(ctx context.Context, dir, actor string) (*Workspace, error) {
	path := filepath.Join(dir, DBName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w in %s: create one with 'canvass init %s' or name another with --workspace", ErrNoWorkspace, dir, dir)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Store: db, Actor: actor}
	if _, err := w.LogInfo(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// Close closes the workspace's store.
func (w *Workspace) Close() error { return w.Store.Close() }

// append appends one entry made at the given time by the workspace's actor.
func (w *Workspace) append(tx store.Tx, at time.Time, typ string, body any) (uint64, []byte, error) {
	e, err := ledger.NewEntry(typ, w.Actor, at, body)
	if err != nil {
		return 0, nil, err
	}
	data, err := tx.Append(e)
	return e.Seq, data, err
}

// LogInfo is what the ledger's first entry says about the log.
func (w *Workspace) LogInfo(ctx context.Context) (ledger.InitBody, error) {
	var body ledger.InitBody
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var found bool
		err := tx.Entries(0, 1, func(_ uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			if e.Type != ledger.TypeInit {
				return fmt.Errorf("ledger entry 0 is %q, not %q", e.Type, ledger.TypeInit)
			}
			found = true
			return e.DecodeBody(&body)
		})
		if err == nil && !found {
			err = errors.New("the workspace has no ledger (it was made by an older canvass); make a new one with 'canvass init' and import the files again")
		}
		return err
	})
	if err != nil {
		return body, fmt.Errorf("%s: %w", w.Dir, err)
	}
	return body, nil
}
