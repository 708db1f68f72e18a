package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/storetest"
)

func appendTest(tx store.Tx, what string) error {
	e, err := ledger.NewEntry("test", "tester", time.Date(2020, 11, 3, 20, 0, 0, 0, time.UTC), map[string]string{"what": what})
	if err != nil {
		return err
	}
	_, err = tx.Append(e)
	return err
}

func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "canvass.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStore runs the conformance suite shared with store/postgres.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

// TestCrash kills a writing process (SIGKILL) and checks the file it leaves.
func TestCrash(t *testing.T) {
	storetest.Crash(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "canvass.db") },
		func(ctx context.Context, path string) (store.Store, error) { return Open(ctx, path) })
}

// TestReopen: what one handle committed, a new handle on the file reads; the tree state is
// kept, so that appending continues the same tree.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "canvass.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx store.Tx) error { return appendTest(tx, "x") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(ctx, func(tx store.Tx) error { return appendTest(tx, "y") }); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx store.Tx) error {
		tree, err := tx.Tree()
		// The RFC 6962 root of the entries "x" and "y" (storetest's root2, computed with sha256sum).
		if err != nil || tree.Size() != 2 || tree.Root().String() != "96896cf2e11bb19781e8b79c243baf827429c5bbf23bbf1732003c7d57df341c" {
			t.Errorf("reopened: %v %v", tree, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
