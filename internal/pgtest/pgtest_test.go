package pgtest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestURL: two calls give two different databases, each empty and writable by the test.
func TestURL(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	for range 2 {
		u := URL(t)
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if seen[p.Path] {
			t.Errorf("database %s given twice", p.Path)
		}
		seen[p.Path] = true
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var tables int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil || tables != 0 {
			t.Errorf("a new database has %d tables (%v)", tables, err)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE t (x INT)`); err != nil {
			t.Error(err)
		}
		conn.Close(ctx)
	}
}

// TestFindBin: with nothing on $PATH the server programs are found where Debian's package puts
// them, /usr/lib/postgresql/<version>/bin; when they are not there (a CI that sets
// $CANVASS_TEST_POSTGRES need not install them) the error says what to install.
func TestFindBin(t *testing.T) {
	t.Setenv("PATH", "")
	dir, err := findBin()
	switch {
	case err == nil:
		if ok, _ := filepath.Match("/usr/lib/postgresql/*/bin", dir); !ok {
			t.Errorf("findBin: %q", dir)
		}
	case os.Getenv(EnvURL) == "":
		t.Fatalf("no PostgreSQL and no $%s: %v", EnvURL, err)
	case !strings.Contains(err.Error(), "apt-get install postgresql"):
		t.Errorf("findBin's error does not say what to install: %v", err)
	}
}
