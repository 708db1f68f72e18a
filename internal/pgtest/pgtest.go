// Package pgtest gives tests a fresh PostgreSQL database.
//
// With $CANVASS_TEST_POSTGRES set to a server's URL (postgres://user:password@host:port/db, a
// user allowed to create databases), each call of URL creates a database on that server. Without
// it, the first call starts a private server for the test binary: it finds initdb and pg_ctl (on
// $PATH, else in /usr/lib/postgresql/*/bin, where Debian's postgresql package puts them), makes
// a cluster in a temporary folder that listens only on a Unix socket in that folder, with
// fsync off (a test cluster need not survive a power cut), and runs it as the user "postgres"
// when the tests run as root (initdb refuses root). A watchdog process stops the server and
// removes the folder when the test binary exits, however it exits, so no TestMain is needed.
//
// If neither is available the test fails, saying what to install: the PostgreSQL tests are
// part of the suite, never skipped.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable with the URL of a server to use instead of a private one.
const EnvURL = "CANVASS_TEST_POSTGRES"

var (
	once     sync.Once
	adminURL string // the server's maintenance database
	startErr error
	count    atomic.Int64
	runID    string
	private  bool // adminURL is a private cluster's
	drops    = make(chan string, 1024)
)

// URL returns the URL of a new, empty database. The database is dropped when tb's test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		var b [3]byte
		rand.Read(b[:])
		runID = fmt.Sprintf("%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
		if u := os.Getenv(EnvURL); u != "" {
			adminURL = u
			return
		}
		adminURL, startErr = start()
		private = true
		go func() {
			for stmt := range drops {
				admin(stmt)
			}
		}()
	})
	if startErr != nil {
		tb.Fatalf("pgtest: %v", startErr)
	}
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("pgtest: $%s is not a postgres:// URL", EnvURL)
	}
	name := fmt.Sprintf("canvass_test_%s_%d", runID, count.Add(1))
	if err := admin(fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
		tb.Fatalf("pgtest: creating a database: %v", err)
	}
	drop := fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name)
	tb.Cleanup(func() {
		if private {
			// The private cluster goes with the test binary; dropping its databases meanwhile
			// only keeps the disk small, and need not hold up the tests (a drop takes a
			// checkpoint).
			drops <- drop
			return
		}
		if err := admin(drop); err != nil {
			tb.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// admin runs one statement on the server's maintenance database.
func admin(stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return redact(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt)
	return redact(err)
}

// redact removes the password of $CANVASS_TEST_POSTGRES from an error.
func redact(err error) error {
	if err == nil {
		return nil
	}
	u, perr := url.Parse(adminURL)
	if perr != nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

const install = "install Debian's postgresql package (apt-get install postgresql), or set $" + EnvURL + " to the URL of a server where the user may create databases"

// findBin returns the folder holding initdb and pg_ctl.
func findBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The newest major version first.
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		_, e1 := os.Stat(filepath.Join(d, "initdb"))
		_, e2 := os.Stat(filepath.Join(d, "pg_ctl"))
		if e1 == nil && e2 == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL's initdb and pg_ctl are not on $PATH nor in /usr/lib/postgresql/*/bin: %s", install)
}

// start makes and starts a private cluster and returns the URL of its maintenance database.
func start() (string, error) {
	bin, err := findBin()
	if err != nil {
		return "", err
	}
	// A Unix socket path may have at most 107 bytes, and the server's user must be able to
	// reach the folder: /tmp serves both.
	base := os.TempDir()
	var as []string // the command prefix that runs a program as the server's user
	if os.Geteuid() == 0 {
		base = "/tmp"
		if _, err := user.Lookup("postgres"); err != nil {
			return "", fmt.Errorf("the tests run as root, and initdb refuses root: there is no user \"postgres\" to run the server as; %s", install)
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	if len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "canvass-pg-")
	if err != nil {
		return "", err
	}
	if as != nil {
		if out, err := exec.Command("chown", "postgres:", dir).CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("chown postgres %s: %v: %s", dir, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) error {
		argv := append(append(append([]string(nil), as...), filepath.Join(bin, name)), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		// The server started by pg_ctl writes to its log file, not to these pipes; should it
		// keep them open anyway, Wait gives up on them after WaitDelay.
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Run(); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return fmt.Errorf("%s: %v\n%s%s", strings.Join(argv, " "), err, out.Bytes(), log)
		}
		return nil
	}
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	const port = 5432 // only names the socket file: the server listens on no TCP address
	opts := fmt.Sprintf("-c listen_addresses='' -k '%s' -p %d -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300", dir, port)
	if err := run("pg_ctl", "start", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "120", "-o", opts); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	// The watchdog outlives this process: when it is gone it stops the server and removes the
	// folder. It runs in its own process group so that an interrupt at the terminal does not
	// end it first.
	stop := append(append([]string(nil), as...), filepath.Join(bin, "pg_ctl"))
	script := `pid=$1 data=$2 dir=$3; shift 3; while kill -0 "$pid" 2>/dev/null; do sleep 1; done; "$@" stop -D "$data" -m immediate >/dev/null 2>&1; rm -rf "$dir"`
	wd := exec.Command("/bin/sh", append([]string{"-c", script, "pgtest-watchdog", strconv.Itoa(os.Getpid()), data, dir}, stop...)...)
	wd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := wd.Start(); err != nil {
		run("pg_ctl", "stop", "-D", data, "-m", "immediate")
		os.RemoveAll(dir)
		return "", fmt.Errorf("starting the watchdog: %v", err)
	}
	go wd.Wait()
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "port": {strconv.Itoa(port)}}.Encode()}
	return u.String(), nil
}
