package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/internal/pgtest"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/sqlite"
	"github.com/canvass-vote/canvass/store/storetest"
	"github.com/jackc/pgx/v5"
)

var ctx = context.Background()

func openURL(t testing.TB, u string) *DB {
	t.Helper()
	db, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openURL(t, pgtest.URL(t)) })
}

func TestCrash(t *testing.T) {
	storetest.Crash(t, func(t *testing.T) string { return pgtest.URL(t) },
		func(ctx context.Context, u string) (store.Store, error) { return Open(ctx, u) })
}

func appendTest(tx store.Tx, what string) error {
	e, err := ledger.NewEntry("test", "tester", time.Date(2020, 11, 3, 20, 0, 0, 0, time.UTC), map[string]string{"what": what})
	if err != nil {
		return err
	}
	_, err = tx.Append(e)
	return err
}

// TestProcesses: four connections pools (as four processes would have) on one database append
// 100 entries each at once. The advisory lock orders them: entries 0 to 399, none twice.
func TestProcesses(t *testing.T) {
	u := pgtest.URL(t)
	const procs, each = 4, 100
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for p := range procs {
		db := openURL(t, u)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := db.Update(ctx, func(tx store.Tx) error { return appendTest(tx, fmt.Sprintf("%d/%d", p, i)) }); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	db := openURL(t, u)
	err := db.View(ctx, func(tx store.Tx) error {
		var next uint64
		seen := map[string]bool{}
		err := tx.Entries(0, 1<<62, func(seq uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			var body struct{ What string }
			e.DecodeBody(&body)
			if seq != next || e.Seq != seq || seen[body.What] {
				return fmt.Errorf("entry %d: seq %d, %q (seen before: %v)", next, e.Seq, body.What, seen[body.What])
			}
			seen[body.What] = true
			next++
			return nil
		})
		if err != nil {
			return err
		}
		if next != procs*each {
			t.Errorf("%d entries, want %d", next, procs*each)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReopen: what one connection pool committed, a new one reads; migrating again changes nothing.
func TestReopen(t *testing.T) {
	u := pgtest.URL(t)
	db := openURL(t, u)
	if err := db.Update(ctx, func(tx store.Tx) error { return appendTest(tx, "x") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Two processes opening a database at once migrate it one after the other.
	var wg sync.WaitGroup
	dbs := make([]*DB, 2)
	errs := make([]error, 2)
	for i := range dbs {
		wg.Add(1)
		go func() { defer wg.Done(); dbs[i], errs[i] = Open(ctx, u) }()
	}
	wg.Wait()
	for i := range dbs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		defer dbs[i].Close()
	}
	err := dbs[1].View(ctx, func(tx store.Tx) error {
		tree, err := tx.Tree()
		// The root of one leaf is its leaf hash (storetest's leaf0).
		if err != nil || tree.Size() != 1 || tree.Root().String() != "4fe64d955155550e1d5bbf1f7ced2a5de7698f7fd1b4af572e36ccc72183bb22" {
			t.Errorf("reopened: %v %v", tree, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPasswordNeverShown: errors about a database name it by its URL with the password
// replaced, even when the driver's message would quote it.
func TestPasswordNeverShown(t *testing.T) {
	const pw = "s3cret-Pa55"
	for _, u := range []string{
		"postgres://alice:" + pw + "@127.0.0.1:1/canvass?connect_timeout=5", // nothing listens on port 1
		"postgres://alice:" + pw + "@localhost:notaport/canvass",            // does not parse
		"postgres://alice:" + pw + "@127.0.0.1:1/canvass?sslmode=sometimes", // a bad parameter
		"postgresql://alice:" + pw + "@/canvass?host=/nonexistent",
	} {
		_, err := Open(ctx, u)
		if err == nil {
			t.Errorf("%s: opened", Redact(u))
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	if got := Redact("postgres://alice:" + pw + "@db.example.gov:5432/canvass?sslmode=require"); got != "postgres://alice:xxxxx@db.example.gov:5432/canvass?sslmode=require" {
		t.Errorf("Redact: %s", got)
	}
	if _, err := Open(ctx, "host=localhost password="+pw); err == nil || strings.Contains(err.Error(), pw) {
		t.Errorf("a keyword/value string: %v", err)
	}
}

// TestSchemaLikeSQLite: the PostgreSQL schema has the tables and columns of the SQLite one, so
// that a migration added to one store and not the other fails here.
func TestSchemaLikeSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "canvass.db")
	sq, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sq.Close()
	ldb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	var lite []string
	lrows, err := ldb.Query(`SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for lrows.Next() {
		var c string
		lrows.Scan(&c)
		lite = append(lite, c)
	}
	lrows.Close()
	u := pgtest.URL(t)
	openURL(t, u)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// ballots.id ... tabulations.seq: 11 tables (counted in the migrations).
	if len(lite) < 50 || !slices.Equal(lite, pg) {
		t.Errorf("columns differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
}
