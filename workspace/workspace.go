// Package workspace is the application layer: each operation (import, tabulate, and later
// audits, recounts and certification) runs its engine and commits the result and its record in
// one transaction of the store. The CLI and the web server both call it, so a flow is written
// once.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/sqlite"
)

// DBName is the file name of the embedded database inside a workspace folder.
const DBName = "canvass.db"

// Workspace is an open workspace.
type Workspace struct {
	Dir   string
	Store store.Store
	// Actor names who makes the changes (recorded with each one).
	Actor string
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

// Init creates a workspace in dir (made if missing). It refuses a folder that already has one.
func Init(ctx context.Context, dir, actor string) (*Workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DBName)
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%s already holds a workspace (%s)", dir, path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Store: db, Actor: actor}
	abs, _ := filepath.Abs(dir)
	err = db.Update(ctx, actor, func(tx store.Tx) error {
		return tx.RecordChange("workspace.init", map[string]any{"dir": abs, "schema": 1})
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
	return &Workspace{Dir: dir, Store: db, Actor: actor}, nil
}

// Close closes the workspace's store.
func (w *Workspace) Close() error { return w.Store.Close() }
