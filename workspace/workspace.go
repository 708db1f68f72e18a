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
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/postgres"
	"github.com/canvass-vote/canvass/store/sqlite"
)

// DBName is the file name of the embedded database inside a workspace folder.
const DBName = "canvass.db"

// DBFile is the file, in the folder of a workspace whose database is on a PostgreSQL server,
// that holds the database's URL (mode 0600, since the URL may hold a password). A folder
// without it keeps its database in DBName.
const DBFile = "database.url"

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
	// cvrs caches what audits read from every CVR (shared by shallow copies of the
	// workspace, such as the web server's per-request ones).
	cvrs *cvrCache
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
	// DB is where the database is: "" for the embedded SQLite file DBName in the folder, or a
	// PostgreSQL database's URL (postgres://user:password@host:port/database?sslmode=...),
	// which Init keeps in the folder's DBFile. The database must not hold a workspace yet.
	// Errors and messages never show the URL's password.
	DB string
}

// Init creates a workspace in dir (made if missing): its database, its log signing key, and
// the ledger's first entry. It refuses a folder that already has one. If it fails, it removes
// the files it made.
func Init(ctx context.Context, dir, actor string, opts InitOptions) (w *Workspace, err error) {
	origin := opts.Origin
	if origin == "" {
		var b [8]byte
		rand.Read(b[:])
		origin = "canvass/" + hex.EncodeToString(b[:])
	}
	if _, err := ledger.KeyName(origin); err != nil {
		return nil, fmt.Errorf("origin %q: use a name like elections.example.gov/2020-general, without spaces or '+'", origin)
	}
	if opts.DB != "" && !postgres.IsURL(opts.DB) {
		return nil, errors.New("the database must be a PostgreSQL URL (postgres://user:password@host:port/database), or nothing for the embedded SQLite file")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{DBName, DBFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil, fmt.Errorf("%s already holds a workspace (%s)", dir, filepath.Join(dir, name))
		}
	}
	var made []string
	defer func() {
		if err != nil {
			for _, name := range made {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}()
	if opts.DB != "" {
		if err := writeDBFile(dir, opts.DB); err != nil {
			return nil, err
		}
		made = append(made, DBFile)
	} else {
		made = append(made, DBName, DBName+"-wal", DBName+"-shm")
	}
	skey, vkey, err := GenerateKey(origin)
	if err != nil {
		return nil, err
	}
	if err := WriteKeyPair(filepath.Join(dir, LogKeyFile), skey, vkey); err != nil {
		return nil, err
	}
	made = append(made, LogKeyFile, LogPubFile)
	return create(ctx, dir, actor, nil, ledger.InitBody{Origin: origin, LogKey: vkey, Schema: SchemaVersion})
}

// writeDBFile records in dir the PostgreSQL database of its workspace (mode 0600: the URL may
// hold a password).
func writeDBFile(dir, url string) error {
	if !postgres.IsURL(url) {
		return errors.New("the database must be a PostgreSQL URL (postgres://user:password@host:port/database), or nothing for the embedded SQLite file")
	}
	f, err := os.OpenFile(filepath.Join(dir, DBFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(url + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// openStore opens the database of the workspace in dir: the PostgreSQL database named by
// DBFile if the folder has one, else the embedded file DBName.
func openStore(ctx context.Context, dir string) (store.Store, error) {
	b, err := os.ReadFile(filepath.Join(dir, DBFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sqlite.Open(ctx, filepath.Join(dir, DBName))
	case err != nil:
		return nil, err
	}
	db, err := postgres.Open(ctx, strings.TrimSpace(string(b)))
	if err != nil {
		// postgres.Open's errors name the database with its password redacted.
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, DBFile), err)
	}
	return db, nil
}

// create opens the database, which must hold no ledger yet, and appends the init entry.
func create(ctx context.Context, dir, actor string, clock func() time.Time, body ledger.InitBody) (*Workspace, error) {
	db, err := openStore(ctx, dir)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Store: db, Actor: actor, Now: clock, cvrs: &cvrCache{}}
	err = db.Update(ctx, func(tx store.Tx) error {
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		if n := tree.Size(); n != 0 {
			return fmt.Errorf("the database already holds a workspace (a ledger of %d entries); give an empty database", n)
		}
		_, _, err = w.append(tx, w.now(), ledger.TypeInit, body)
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
	_, err1 := os.Stat(filepath.Join(dir, DBName))
	_, err2 := os.Stat(filepath.Join(dir, DBFile))
	if err1 != nil && err2 != nil {
		return nil, fmt.Errorf("%w in %s: create one with 'canvass init %s' or name another with --workspace", ErrNoWorkspace, dir, dir)
	}
	db, err := openStore(ctx, dir)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Store: db, Actor: actor, cvrs: &cvrCache{}}
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

// LedgerSize is the number of entries of the workspace's ledger.
func (w *Workspace) LedgerSize(ctx context.Context) (uint64, error) {
	var n uint64
	err := w.Store.View(ctx, func(tx store.Tx) error {
		t, err := tx.Tree()
		if err == nil {
			n = t.Size()
		}
		return err
	})
	return n, err
}

// Entries returns the ledger's entries from number from on, decoded.
func (w *Workspace) Entries(ctx context.Context, from uint64) ([]*ledger.Entry, error) {
	var out []*ledger.Entry
	err := w.Store.View(ctx, func(tx store.Tx) error {
		return tx.Entries(from, 1<<62, func(seq uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return fmt.Errorf("ledger entry %d: %w", seq, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// Files lists the imported files, replaced ones too, in the order of their import.
func (w *Workspace) Files(ctx context.Context) ([]store.File, error) {
	var out []store.File
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Files()
		return err
	})
	return out, err
}
