package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// EnvCrash is set, in the process that Crash starts and kills, to the location of the store it
// writes to.
const EnvCrash = "CANVASS_STORETEST_CRASH"

// The shape of every update of the crash test (see crashUpdate).
const (
	// Ballots per update: more than twice what a store may buffer before sending them
	// (store/postgres sends 8,192 rows at a time), so that some of an update's rows are in the
	// database, uncommitted, when the kill comes.
	crashBallots = 20000
	crashResults = 50
	crashAcks    = 5 // acknowledged updates to wait for before each kill
	crashRounds  = 2
)

// Crash checks that a process killed with SIGKILL while it writes loses no acknowledged update
// and leaves no part of an unacknowledged one. Call it from a top-level test:
//
//	func TestCrash(t *testing.T) { storetest.Crash(t, newLocation, open) }
//
// newLocation makes an empty store's location (a file path, a database URL); open opens the
// store at a location. Crash re-runs the test binary with $CANVASS_STORETEST_CRASH set to the
// location: that process (where Crash calls open, never newLocation) makes updates, each an
// imported file with its ballots, result rows and ledger entry, and prints "ack N" after each
// commit. The test kills it after crashAcks acknowledgements, twice (the second process resumes
// the store the first left), each time at a random point of an update, then opens the store
// and checks every update in it: all of the acknowledged ones, at most one more per kill, each
// whole.
func Crash(t *testing.T, newLocation func(t *testing.T) string, open func(ctx context.Context, location string) (store.Store, error)) {
	if loc := os.Getenv(EnvCrash); loc != "" {
		crashChild(loc, open) // never returns
	}
	loc := newLocation(t)
	acked := -1 // the highest acknowledged update
	for round := range crashRounds {
		acked = crashRound(t, loc, round, acked)
	}
	s, err := open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		return checkCrashed(t, tx, acked)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runPattern is the -test.run pattern that selects exactly the test t.
func runPattern(t *testing.T) string {
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// crashRound starts a writer, waits for crashAcks more acknowledgements, and kills it. It
// returns the highest acknowledged update.
func crashRound(t *testing.T, loc string, round, acked int) int {
	cmd := exec.Command(os.Args[0], "-test.run="+runPattern(t), "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), EnvCrash+"="+loc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// The timeout only ends a writer that has stopped working; it is not a measurement.
	timeout := time.After(5 * time.Minute)
	first := -1
	var firstAt, lastAt time.Time
wait:
	for n := 0; n < crashAcks; {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("round %d: the writer stopped after %d acknowledgements:\n%s", round, n, stderr.Bytes())
			}
			i, found := strings.CutPrefix(line, "ack ")
			if !found {
				continue // the test framework's own output
			}
			k, err := strconv.Atoi(i)
			// The first update of a round may follow one that committed unacknowledged.
			if err != nil || (first < 0 && (k < acked+1 || k > acked+2)) || (first >= 0 && k != acked+1) {
				cmd.Process.Kill()
				t.Fatalf("round %d: acknowledgement %q after %d", round, line, acked)
			}
			if first < 0 {
				first, firstAt = k, time.Now()
			}
			acked, lastAt = k, time.Now()
			n++
		case <-timeout:
			break wait
		}
	}
	// Kill at a random point of the next update: after a random part of the time an update
	// has taken so far (a wait, not a measurement). SIGKILL: no deferred function, no
	// rollback, no flush runs in the writer.
	if n := acked - first; n > 0 {
		time.Sleep(time.Duration(rand.Float64() * float64(lastAt.Sub(firstAt)) / float64(n)))
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	werr := cmd.Wait()
	if first < 0 || acked-first+1 < crashAcks {
		t.Fatalf("round %d: only %d acknowledgements before the timeout (%v):\n%s", round, acked-first+1, werr, stderr.Bytes())
	}
	if ee, ok := werr.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("round %d: the writer ended with %v, not by the kill:\n%s", round, werr, stderr.Bytes())
	}
	return acked
}

// crashChild makes updates until it is killed (or until its parent is gone).
func crashChild(loc string, open func(ctx context.Context, location string) (store.Store, error)) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash writer:", err)
		os.Exit(3)
	}
	s, err := open(ctx, loc)
	if err != nil {
		fail(err)
	}
	var next int
	err = s.View(ctx, func(tx store.Tx) error {
		fs, err := tx.Files()
		next = len(fs)
		return err
	})
	if err != nil {
		fail(err)
	}
	parent := os.Getppid()
	for i := next; i < next+100000 && os.Getppid() == parent; i++ {
		if err := s.Update(ctx, func(tx store.Tx) error { return crashUpdate(tx, i) }); err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stdout, "ack %d\n", i)
	}
	os.Exit(0)
}

// crashUpdate is update i: file "i.csv" with crashBallots ballots "i-k" of jurisdiction "J",
// crashResults result rows of i votes each, and an entry {"update": i}, which FinishFile
// records.
func crashUpdate(tx store.Tx, i int) error {
	id, err := tx.AddFile(&store.File{Name: fmt.Sprintf("%d.csv", i), SHA256: fmt.Sprintf("%064x", i), Kind: "cvr", Format: "csv", ImportedAt: when})
	if err != nil {
		return err
	}
	ids, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
	if err != nil {
		return err
	}
	for k := range crashBallots {
		b := syntheticBallot(k, 1)
		b.ID = fmt.Sprintf("%d-%d", i, k)
		if ok, err := tx.AddBallot(id, "J", b, []store.ContestIDs{ids}); !ok || err != nil {
			return fmt.Errorf("ballot %s: %v %v", b.ID, ok, err)
		}
	}
	for range crashResults {
		if err := tx.AddResult(id, &canvass.ResultRow{Contest: "Mayor", Choice: "A", Votes: int64(i)}); err != nil {
			return err
		}
	}
	e, err := ledger.NewEntry("crash", "writer", when, map[string]int{"update": i})
	if err != nil {
		return err
	}
	if _, err := tx.Append(e); err != nil {
		return err
	}
	return tx.FinishFile(id, crashBallots, e.Seq)
}

// checkCrashed checks a store left by killed writers: updates 0..n-1 are all there and whole,
// with n-1 ≥ acked and at most one unacknowledged update per kill, and nothing else is.
func checkCrashed(t *testing.T, tx store.Tx, acked int) error {
	fs, err := tx.Files()
	if err != nil {
		return err
	}
	n := len(fs)
	t.Logf("%d updates acknowledged before the kills, %d stored", acked+1, n)
	if n < acked+1 || n > acked+1+crashRounds {
		t.Errorf("%d updates stored; %d were acknowledged, and %d kills may add one each", n, acked+1, crashRounds)
	}
	tree, err := tx.Tree()
	if err != nil {
		return err
	}
	if tree.Size() != uint64(n) {
		t.Errorf("%d files but %d ledger entries", n, tree.Size())
	}
	mem := ledger.NewMemRows()
	err = tx.Entries(0, 1<<62, func(seq uint64, data []byte) error {
		e, err := ledger.Decode(data)
		if err != nil {
			return err
		}
		var body struct{ Update int }
		if err := e.DecodeBody(&body); err != nil {
			return err
		}
		// One writer at a time, so update i is entry i.
		if e.Seq != seq || body.Update != int(seq) {
			t.Errorf("entry %d records update %d", seq, body.Update)
		}
		return mem.Append(ledger.LeafHash(data))
	})
	if err != nil {
		return err
	}
	if tree.Root() != mem.Tree.Root() {
		t.Errorf("stored tree root %s; the entries' %s", tree.Root(), mem.Tree.Root())
	}
	for i, f := range fs {
		if f.Name != fmt.Sprintf("%d.csv", i) || f.Records != crashBallots || f.Entry != uint64(i) {
			t.Errorf("file %d: %+v", i, f)
		}
	}
	perUpdate := make([]int, n)
	err = tx.Ballots(func(j string, b *canvass.Ballot) error {
		u, _, ok := strings.Cut(b.ID, "-")
		i, err := strconv.Atoi(u)
		if !ok || err != nil || i < 0 || i >= n || j != "J" || len(b.Contests) != 1 {
			return fmt.Errorf("ballot %s/%s of no stored update", j, b.ID)
		}
		perUpdate[i]++
		return nil
	})
	if err != nil {
		return err
	}
	rows := make([]int, n)
	err = tx.Results(func(r *canvass.ResultRow) error {
		if r.Votes < 0 || r.Votes >= int64(n) {
			return fmt.Errorf("result row of %d votes, from no stored update", r.Votes)
		}
		rows[r.Votes]++
		return nil
	})
	if err != nil {
		return err
	}
	for i := range n {
		if perUpdate[i] != crashBallots || rows[i] != crashResults {
			t.Errorf("update %d: %d ballots and %d result rows, want %d and %d", i, perUpdate[i], rows[i], crashBallots, crashResults)
		}
	}
	return nil
}
