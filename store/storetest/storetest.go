// Package storetest is the conformance suite of store.Store: every store (store/sqlite,
// store/postgres) runs the same cases, so that the workspace behaves the same on each. Run runs
// the suite; Crash kills a writing process and checks what it left; BenchAppend and
// BenchBallots are the stores' shared benchmarks.
//
// Expected values are counted by hand in the comments beside them, or come from RFC 6962
// (hashes computed with sha256sum outside this code).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// Run runs every case against stores made by open. Each call of open must return a new, empty
// store, closed by open's own cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	cases := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"UpdateNeedsAChange", testUpdateNeedsAChange},
		{"FailedUpdateLeavesNothing", testFailedUpdateLeavesNothing},
		{"ReadOnly", testReadOnly},
		{"ReadOwnWrites", testReadOwnWrites},
		{"BallotRoundTrip", testBallotRoundTrip},
		{"DuplicateBallots", testDuplicateBallots},
		{"MergeContest", testMergeContest},
		{"Files", testFiles},
		{"Results", testResults},
		{"Tabulations", testTabulations},
		{"Checkpoints", testCheckpoints},
		{"LedgerKnownHashes", testLedgerKnownHashes},
		{"LedgerInTheStore", testLedgerInTheStore},
		{"NestedReads", testNestedReads},
		{"Snapshot", testSnapshot},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"AccountsAndSessions", testAccountsAndSessions},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

var (
	ctx     = context.Background()
	when    = time.Date(2020, 11, 3, 20, 0, 0, 0, time.UTC)
	errBoom = errors.New("boom")
)

// appendTest appends a "test" entry by "tester" at when with body {"what": what}.
func appendTest(tx store.Tx, what string) (uint64, error) {
	e, err := ledger.NewEntry("test", "tester", when, map[string]string{"what": what})
	if err != nil {
		return 0, err
	}
	_, err = tx.Append(e)
	return e.Seq, err
}

// view runs fn in a View and fails the test on an error.
func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// counts is what a store holds, in numbers.
type counts struct {
	Entries, Files, Contests, Choices, Ballots, Results, Checkpoints int64
}

func countAll(t *testing.T, tx store.Tx) counts {
	t.Helper()
	var c counts
	tree, err := tx.Tree()
	if err != nil {
		t.Fatal(err)
	}
	c.Entries = int64(tree.Size())
	var seen int64
	if err := tx.Entries(0, 1<<62, func(uint64, []byte) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != c.Entries {
		t.Errorf("the tree has %d leaves, the ledger %d entries", c.Entries, seen)
	}
	fs, err := tx.Files()
	if err != nil {
		t.Fatal(err)
	}
	c.Files = int64(len(fs))
	el, err := tx.Election()
	if err != nil {
		t.Fatal(err)
	}
	c.Contests = int64(len(el.Contests))
	for _, ct := range el.Contests {
		c.Choices += int64(len(ct.Choices))
	}
	if c.Ballots, err = tx.CountBallots(); err != nil {
		t.Fatal(err)
	}
	if c.Results, err = tx.CountResults(); err != nil {
		t.Fatal(err)
	}
	cps, err := tx.Checkpoints()
	if err != nil {
		t.Fatal(err)
	}
	c.Checkpoints = int64(len(cps))
	return c
}

func testUpdateNeedsAChange(t *testing.T, s store.Store) {
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AddFile(&store.File{Name: "x", SHA256: "00", Kind: "cvr", Format: "csv", ImportedAt: when})
		return err
	})
	if !errors.Is(err, store.ErrNoChange) {
		t.Fatalf("update without a recorded change: %v, want ErrNoChange", err)
	}
	// An update that only reads is refused the same way.
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.Files(); return err }); !errors.Is(err, store.ErrNoChange) {
		t.Fatalf("update that only reads: %v, want ErrNoChange", err)
	}
	view(t, s, func(tx store.Tx) error {
		if c := countAll(t, tx); c != (counts{}) {
			t.Errorf("unrecorded write kept: %+v", c)
		}
		return nil
	})
	// The refused updates took no sequence number: the next entry is entry 0.
	update(t, s, func(tx store.Tx) error {
		seq, err := appendTest(tx, "first")
		if seq != 0 {
			t.Errorf("first entry has seq %d", seq)
		}
		return err
	})
}

// testFailedUpdateLeavesNothing writes every kind of row, more of them than a store may keep in
// memory before sending (so some are in the database already), then fails.
func testFailedUpdateLeavesNothing(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { _, err := appendTest(tx, "before"); return err })
	var before counts
	view(t, s, func(tx store.Tx) error { before = countAll(t, tx); return nil })
	// One entry, nothing else (counted by hand).
	if before != (counts{Entries: 1}) {
		t.Fatalf("before: %+v", before)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "big.csv", SHA256: "ab", Kind: "cvr", Format: "csv", ImportedAt: when})
		if err != nil {
			return err
		}
		ids, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		for i := range 20000 {
			if ok, err := tx.AddBallot(id, "J", syntheticBallot(i, 1), []store.ContestIDs{ids}); !ok || err != nil {
				return fmt.Errorf("ballot %d: %v %v", i, ok, err)
			}
			if err := tx.AddResult(id, &canvass.ResultRow{Unit: canvass.Unit{Precinct: fmt.Sprint(i)}, Contest: "Mayor", Choice: "A", Votes: 1}); err != nil {
				return err
			}
			if _, err := appendTest(tx, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		if err := tx.AddTabulation(5, []byte("result")); err != nil {
			return err
		}
		if err := tx.FinishFile(id, 20000, 5); err != nil {
			return err
		}
		// Everything is visible inside: 20,001 entries, 20,000 ballots and result rows.
		if c := countAll(t, tx); c != (counts{Entries: 20001, Files: 1, Contests: 1, Choices: 2, Ballots: 20000, Results: 20000}) {
			t.Errorf("inside the transaction: %+v", c)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("failed update returned %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		if c := countAll(t, tx); c != before {
			t.Errorf("a failed update left %+v; before it: %+v", c, before)
		}
		if _, err := tx.Tabulation(5); err == nil {
			t.Error("a failed update left a tabulation")
		}
		if _, err := tx.Hashes(0, 1, 2); err == nil {
			t.Error("a failed update left a leaf hash")
		}
		return nil
	})
	// The next entry is entry 1: the failed update's numbers were not used up.
	update(t, s, func(tx store.Tx) error {
		seq, err := appendTest(tx, "after")
		if seq != 1 {
			t.Errorf("entry after a failed update has seq %d, want 1", seq)
		}
		return err
	})
}

func testReadOnly(t *testing.T, s store.Store) {
	err := s.View(ctx, func(tx store.Tx) error {
		if _, err := appendTest(tx, "x"); err == nil {
			t.Error("a read-only transaction appended a ledger entry")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx store.Tx) error {
		if c := countAll(t, tx); c != (counts{}) {
			t.Errorf("a read-only transaction wrote %+v", c)
		}
		return nil
	})
	// An error from fn is View's error.
	if err := s.View(ctx, func(store.Tx) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Errorf("View returned %v, want fn's error", err)
	}
}

// testReadOwnWrites: every read in an Update sees the writes made before it.
func testReadOwnWrites(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "a.csv", SHA256: "aa", Kind: "cvr", Format: "csv", ImportedAt: when})
		if err != nil {
			return err
		}
		if f, err := tx.FileByHash("aa"); err != nil || f == nil || f.ID != id {
			t.Errorf("FileByHash after AddFile: %+v %v", f, err)
		}
		ids, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		for i := range 3 {
			if ok, err := tx.AddBallot(id, "J", syntheticBallot(i, 1), []store.ContestIDs{ids}); !ok || err != nil {
				return fmt.Errorf("ballot %d: %v %v", i, ok, err)
			}
		}
		if n, err := tx.CountBallots(); n != 3 || err != nil {
			t.Errorf("CountBallots after 3 AddBallot: %d %v", n, err)
		}
		var got []string
		tx.Ballots(func(j string, b *canvass.Ballot) error { got = append(got, j+"/"+b.ID); return nil })
		if strings.Join(got, ",") != "J/b0,J/b1,J/b2" {
			t.Errorf("Ballots after AddBallot: %v", got)
		}
		if err := tx.AddResult(id, &canvass.ResultRow{Contest: "Mayor", Choice: "A", Votes: 7}); err != nil {
			return err
		}
		var votes int64
		tx.Results(func(r *canvass.ResultRow) error { votes += r.Votes; return nil })
		if n, err := tx.CountResults(); n != 1 || votes != 7 || err != nil {
			t.Errorf("results after AddResult: %d rows, %d votes, %v", n, votes, err)
		}
		seq, err := appendTest(tx, "x")
		if err != nil {
			return err
		}
		tree, err := tx.Tree()
		if err != nil || tree.Size() != 1 {
			t.Errorf("Tree after Append: %v %v", tree, err)
		}
		var seqs []uint64
		tx.Entries(0, 10, func(seq uint64, _ []byte) error { seqs = append(seqs, seq); return nil })
		tx.EntriesOfType("test", func(seq uint64, _ []byte) error { seqs = append(seqs, seq); return nil })
		if !reflect.DeepEqual(seqs, []uint64{0, 0}) {
			t.Errorf("Entries and EntriesOfType after Append: %v", seqs)
		}
		if h, err := tx.Hashes(0, 0, 1); err != nil || h[0] != tree.Root() {
			t.Errorf("leaf hash after Append: %v %v; the root of one leaf is the leaf", h, err)
		}
		if err := tx.AddTabulation(seq, []byte("full")); err != nil {
			return err
		}
		if b, err := tx.Tabulation(seq); string(b) != "full" || err != nil {
			t.Errorf("Tabulation after AddTabulation: %q %v", b, err)
		}
		if err := tx.FinishFile(id, 3, seq); err != nil {
			return err
		}
		if fs, err := tx.Files(); err != nil || len(fs) != 1 || fs[0].Records != 3 || fs[0].Entry != seq {
			t.Errorf("Files after FinishFile: %+v %v", fs, err)
		}
		if err := tx.DeleteFileData(id); err != nil {
			return err
		}
		nb, _ := tx.CountBallots()
		nr, _ := tx.CountResults()
		if nb != 0 || nr != 0 {
			t.Errorf("after DeleteFileData: %d ballots, %d results", nb, nr)
		}
		return nil
	})
}

// syntheticBallot is ballot "b<i>" of precinct "P<i mod 7>" with a mark for choice i mod 2 in
// each of its contests (contest indices 0..contests-1).
func syntheticBallot(i, contests int) *canvass.Ballot {
	b := &canvass.Ballot{ID: fmt.Sprintf("b%d", i), Precinct: fmt.Sprintf("P%d", i%7), BallotType: "BT1", Tabulator: "T1", Batch: "1", CountingGroup: "Election Day"}
	for c := range contests {
		cm := b.AddContest(int32(c))
		cm.Marks = append(cm.Marks, canvass.Mark{Choice: int32(i % 2)})
	}
	return b
}

func testBallotRoundTrip(t *testing.T, s store.Store) {
	src := &canvass.Election{Contests: []*canvass.Contest{
		{ID: "7", Name: "Mayor", Type: canvass.IRV, Seats: 1, VoteFor: 3, Choices: []*canvass.Choice{{Name: "A", Party: "DEM", ID: "a1"}, {Name: "B"}, {Name: "Write-in", WriteIn: true}}},
		{ID: "9", Name: "Measure A", Type: canvass.Supermajority, Seats: 1, VoteFor: 1, Threshold: canvass.Threshold{Num: 2, Den: 3}, Choices: []*canvass.Choice{{Name: "Yes"}, {Name: "No"}}},
	}}
	b := &canvass.Ballot{ID: "1-2-3", Precinct: "P1", BallotType: "BT", Tabulator: "T1", Batch: "1-2", CountingGroup: "Election Day"}
	cm := b.AddContest(1)
	cm.Marks = []canvass.Mark{{Choice: 1, Flags: canvass.Ambiguous | canvass.Adjudicated}}
	cm = b.AddContest(0)
	cm.Overvoted = true
	cm.Marks = []canvass.Mark{{Choice: 2, Rank: 1, Flags: canvass.WriteInMark}, {Choice: 0, Rank: 2, Flags: canvass.NotCounted},
		{Choice: canvass.NoChoice, Rank: 3, Flags: canvass.OvervoteMark}}
	// A ballot with no contests (a blank card) stores and returns no marks.
	blank := &canvass.Ballot{ID: "blank"}
	update(t, s, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "x", SHA256: "ab", Kind: "cvr", Format: "csv", ImportedAt: when})
		if err != nil {
			return err
		}
		var ids []store.ContestIDs
		for _, c := range src.Contests {
			ci, err := tx.MergeContest(c)
			if err != nil {
				return err
			}
			ids = append(ids, ci)
		}
		if ok, err := tx.AddBallot(id, "Dane", b, ids); !ok || err != nil {
			t.Errorf("AddBallot: %v %v", ok, err)
		}
		if ok, err := tx.AddBallot(id, "Milwaukee", b, ids); !ok || err != nil {
			t.Errorf("same id in another jurisdiction: %v %v", ok, err)
		}
		if ok, err := tx.AddBallot(id, "Dane", blank, ids); !ok || err != nil {
			t.Errorf("blank ballot: %v %v", ok, err)
		}
		// A mark outside the definition is refused.
		bad := &canvass.Ballot{ID: "bad"}
		bad.AddContest(0).Marks = []canvass.Mark{{Choice: 3}}
		if _, err := tx.AddBallot(id, "Dane", bad, ids); err == nil {
			t.Error("a mark for choice 3 of a contest with 3 choices was stored")
		}
		bad = &canvass.Ballot{ID: "bad2"}
		bad.AddContest(2)
		if _, err := tx.AddBallot(id, "Dane", bad, ids); err == nil {
			t.Error("a mark in contest 2 of 2 was stored")
		}
		_, err = appendTest(tx, "test")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		el, err := tx.Election()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(el.Contests, src.Contests) {
			t.Errorf("election round trip:\n got %+v\nwant %+v", el.Contests, src.Contests)
		}
		var got []*canvass.Ballot
		var jurs []string
		err = tx.Ballots(func(j string, b *canvass.Ballot) error {
			got = append(got, b.Clone())
			jurs = append(jurs, j)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantBlank := &canvass.Ballot{ID: "blank", Contests: []canvass.ContestMarks{}}
		if len(got) != 3 || !reflect.DeepEqual(got[0], b) || !reflect.DeepEqual(got[1], b) || got[2].ID != "blank" || len(got[2].Contests) != 0 ||
			strings.Join(jurs, ",") != "Dane,Milwaukee,Dane" {
			t.Errorf("ballot round trip: %d ballots in %v\n got %+v\nwant %+v and %+v", len(got), jurs, got, b, wantBlank)
		}
		return nil
	})
}

// testDuplicateBallots: a ballot id is unique within a jurisdiction, whether the first copy
// was stored by an earlier transaction, earlier in this one, or deleted since.
func testDuplicateBallots(t *testing.T, s store.Store) {
	var file1 int64
	var ids []store.ContestIDs
	update(t, s, func(tx store.Tx) error {
		var err error
		if file1, err = tx.AddFile(&store.File{Name: "1.csv", SHA256: "01", Kind: "cvr", Format: "csv", ImportedAt: when}); err != nil {
			return err
		}
		ci, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		ids = []store.ContestIDs{ci}
		for i := range 10000 {
			if ok, err := tx.AddBallot(file1, "Dane", syntheticBallot(i, 1), ids); !ok || err != nil {
				return fmt.Errorf("ballot %d: %v %v", i, ok, err)
			}
		}
		// b5 again, after thousands of others: refused.
		if ok, err := tx.AddBallot(file1, "Dane", syntheticBallot(5, 1), ids); ok || err != nil {
			t.Errorf("duplicate in the same transaction: %v %v, want false", ok, err)
		}
		_, err = appendTest(tx, "1")
		return err
	})
	update(t, s, func(tx store.Tx) error {
		file2, err := tx.AddFile(&store.File{Name: "2.csv", SHA256: "02", Kind: "cvr", Format: "csv", ImportedAt: when})
		if err != nil {
			return err
		}
		for _, c := range []struct {
			jur  string
			i    int
			want bool
		}{
			{"Dane", 9999, false},     // stored by the first transaction
			{"Dane", 10000, true},     // new
			{"Dane", 10000, false},    // stored just now
			{"Milwaukee", 9999, true}, // another jurisdiction
			{"Milwaukee", 9999, false},
		} {
			if ok, err := tx.AddBallot(file2, c.jur, syntheticBallot(c.i, 1), ids); ok != c.want || err != nil {
				t.Errorf("%s b%d: %v %v, want %v", c.jur, c.i, ok, err, c.want)
			}
		}
		// Once the first file's ballots are deleted, their ids are free again.
		if err := tx.DeleteFileData(file1); err != nil {
			return err
		}
		if ok, err := tx.AddBallot(file2, "Dane", syntheticBallot(9999, 1), ids); !ok || err != nil {
			t.Errorf("b9999 after its deletion: %v %v, want true", ok, err)
		}
		_, err = appendTest(tx, "2")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		// Left: Dane b10000, Milwaukee b9999, Dane b9999 (counted by hand).
		var got []string
		tx.Ballots(func(j string, b *canvass.Ballot) error { got = append(got, j+"/"+b.ID); return nil })
		if strings.Join(got, ",") != "Dane/b10000,Milwaukee/b9999,Dane/b9999" {
			t.Errorf("ballots: %v", got)
		}
		return nil
	})
}

func testMergeContest(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		ids, err := tx.MergeContest(&canvass.Contest{Name: "Council", Type: canvass.Plurality, Seats: 2, VoteFor: 2, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		// Database ids start at 1.
		if ids.Contest != 1 || !reflect.DeepEqual(ids.Choices, []int64{1, 2}) {
			t.Errorf("first contest: %+v", ids)
		}
		// The same contest under a differently spaced and cased name, with one known choice
		// (also spelled differently) and one new: merged.
		ids, err = tx.MergeContest(&canvass.Contest{Name: "council ", Type: canvass.Plurality, Seats: 2, VoteFor: 2, Choices: []*canvass.Choice{{Name: "C"}, {Name: " b"}}})
		if err != nil || ids.Contest != 1 || !reflect.DeepEqual(ids.Choices, []int64{3, 2}) {
			t.Errorf("merge: %+v %v", ids, err)
		}
		_, err = tx.MergeContest(&canvass.Contest{Name: "Council", Type: canvass.Plurality, Seats: 1, VoteFor: 1})
		if err == nil || !strings.Contains(err.Error(), "vote for 1") {
			t.Errorf("conflicting definition accepted: %v", err)
		}
		ids, err = tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}}})
		if err != nil || ids.Contest != 2 || !reflect.DeepEqual(ids.Choices, []int64{4}) {
			t.Errorf("second contest: %+v %v", ids, err)
		}
		_, err = appendTest(tx, "test")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		el, err := tx.Election()
		if err != nil {
			return err
		}
		var got []string
		for _, c := range el.Contests {
			for _, ch := range c.Choices {
				got = append(got, c.Name+":"+ch.Name)
			}
		}
		// The first spelling of each name is kept; choices in the order they were added.
		if strings.Join(got, ",") != "Council:A,Council:B,Council:C,Mayor:A" {
			t.Errorf("election: %v", got)
		}
		return nil
	})
}

func testFiles(t *testing.T, s store.Store) {
	// Nanoseconds survive the round trip; the time comes back in UTC.
	at := time.Date(2020, 11, 4, 1, 2, 3, 123456789, time.FixedZone("CST", -6*3600))
	var first, second int64
	update(t, s, func(tx store.Tx) error {
		if f, err := tx.FileByHash("none"); f != nil || err != nil {
			t.Errorf("FileByHash of an unknown hash: %+v %v, want nil, nil", f, err)
		}
		var err error
		first, err = tx.AddFile(&store.File{Name: "dane.zip", SHA256: "d1", Size: 123456, Kind: "cvr", Format: "dominion", Jurisdiction: "Dane", ImportedBy: "clerk", ImportedAt: at})
		if err != nil {
			return err
		}
		other, err := tx.AddFile(&store.File{Name: "wec.csv", SHA256: "e1", Size: 99, Kind: "results", Format: "wec", ImportedBy: "clerk", ImportedAt: at})
		if err != nil {
			return err
		}
		ci, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		for i := range 5 {
			if _, err := tx.AddBallot(first, "Dane", syntheticBallot(i, 1), []store.ContestIDs{ci}); err != nil {
				return err
			}
			if err := tx.AddResult(first, &canvass.ResultRow{Contest: "Mayor", Choice: "A", Votes: 1}); err != nil {
				return err
			}
			if err := tx.AddResult(other, &canvass.ResultRow{Contest: "Mayor", Choice: "B", Votes: 10}); err != nil {
				return err
			}
		}
		seq, err := appendTest(tx, "import")
		if err != nil {
			return err
		}
		return tx.FinishFile(first, 5, seq)
	})
	update(t, s, func(tx store.Tx) error {
		// Replace the first file: its ballots and results go, its row stays.
		if err := tx.DeleteFileData(first); err != nil {
			return err
		}
		var err error
		second, err = tx.AddFile(&store.File{Name: "dane.zip", SHA256: "d1", Size: 123456, Kind: "cvr", Format: "dominion", Jurisdiction: "Dane", ImportedBy: "clerk", ImportedAt: at, Replaced: first})
		if err != nil {
			return err
		}
		seq, err := appendTest(tx, "replace")
		if err != nil {
			return err
		}
		return tx.FinishFile(second, 0, seq)
	})
	view(t, s, func(tx store.Tx) error {
		fs, err := tx.Files()
		if err != nil {
			return err
		}
		want := []store.File{
			{ID: first, Name: "dane.zip", SHA256: "d1", Size: 123456, Kind: "cvr", Format: "dominion", Jurisdiction: "Dane", ImportedBy: "clerk", ImportedAt: at.UTC(), Records: 5, Entry: 0},
			{ID: first + 1, Name: "wec.csv", SHA256: "e1", Size: 99, Kind: "results", Format: "wec", ImportedBy: "clerk", ImportedAt: at.UTC()},
			{ID: second, Name: "dane.zip", SHA256: "d1", Size: 123456, Kind: "cvr", Format: "dominion", Jurisdiction: "Dane", ImportedBy: "clerk", ImportedAt: at.UTC(), Replaced: first, Entry: 1},
		}
		if !reflect.DeepEqual(fs, want) {
			t.Errorf("files:\n got %+v\nwant %+v", fs, want)
		}
		// The hash now finds the replacement, not the replaced file.
		if f, err := tx.FileByHash("d1"); err != nil || f == nil || f.ID != second {
			t.Errorf("FileByHash after a replacement: %+v %v, want file %d", f, err, second)
		}
		// Left: the other file's 5 result rows of 10 votes; no ballots.
		nb, _ := tx.CountBallots()
		var votes int64
		tx.Results(func(r *canvass.ResultRow) error { votes += r.Votes; return nil })
		if nb != 0 || votes != 50 {
			t.Errorf("after DeleteFileData: %d ballots, %d votes; want 0 and 50", nb, votes)
		}
		return nil
	})
}

func testResults(t *testing.T, s store.Store) {
	rows := []canvass.ResultRow{
		{Unit: canvass.Unit{State: "WI", County: "Dane", Municipality: "City of Madison", Precinct: "Ward 1"}, Contest: "President", District: "", Choice: "Joseph R. Biden / Kamala D. Harris", Party: "DEM", Mode: "", Votes: 1234},
		{Unit: canvass.Unit{State: "WI", County: "Dane", Municipality: "City of Madison", Precinct: "Ward 1"}, Contest: "Representative in Congress", District: "2", Choice: "Mark Pocan", Party: "DEM", Mode: "absentee", Votes: 0},
		{Unit: canvass.Unit{State: "WI", County: "Dane", Municipality: "City of Madison", Precinct: "Ward 1"}, Stat: canvass.StatRegistered, Votes: 2500},
	}
	update(t, s, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "r.csv", SHA256: "r", Kind: "results", Format: "wec", ImportedAt: when})
		if err != nil {
			return err
		}
		for i := range rows {
			if err := tx.AddResult(id, &rows[i]); err != nil {
				return err
			}
		}
		_, err = appendTest(tx, "results")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		var got []canvass.ResultRow
		if err := tx.Results(func(r *canvass.ResultRow) error { got = append(got, *r); return nil }); err != nil {
			return err
		}
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("results round trip:\n got %+v\nwant %+v", got, rows)
		}
		if n, err := tx.CountResults(); n != 3 || err != nil {
			t.Errorf("CountResults: %d %v", n, err)
		}
		// An error from fn stops the walk and is returned.
		n := 0
		if err := tx.Results(func(*canvass.ResultRow) error { n++; return errBoom }); !errors.Is(err, errBoom) || n != 1 {
			t.Errorf("Results with a failing fn: %v after %d rows", err, n)
		}
		return nil
	})
	// Negative votes are refused by the schema.
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddResult(1, &canvass.ResultRow{Contest: "X", Choice: "Y", Votes: -1}); err != nil {
			return err
		}
		if _, err := tx.CountResults(); err != nil {
			return err
		}
		_, err := appendTest(tx, "negative")
		return err
	})
	if err == nil {
		t.Error("a result row of -1 votes was stored")
	}
}

func testTabulations(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		appendTest(tx, "0")
		seq, err := appendTest(tx, "1")
		if err != nil {
			return err
		}
		return tx.AddTabulation(seq, []byte(`{"contest":"President"}`))
	})
	view(t, s, func(tx store.Tx) error {
		if b, err := tx.Tabulation(1); string(b) != `{"contest":"President"}` || err != nil {
			t.Errorf("Tabulation(1): %q %v", b, err)
		}
		if _, err := tx.Tabulation(0); err == nil {
			t.Error("Tabulation(0) of an entry without one: no error")
		}
		return nil
	})
	// A refused statement fails alone: the transaction goes on and commits.
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddTabulation(1, []byte("again")); err == nil {
			t.Error("a second tabulation of entry 1 was stored")
		}
		if _, err := tx.AddFile(&store.File{Name: "x", SHA256: "x", Kind: "neither cvr nor results", ImportedAt: when}); err == nil {
			t.Error("a file of kind \"neither\" was stored")
		}
		seq, err := appendTest(tx, "2")
		if err != nil {
			return err
		}
		return tx.AddTabulation(seq, []byte("two"))
	})
	view(t, s, func(tx store.Tx) error {
		b1, err1 := tx.Tabulation(1)
		b2, err2 := tx.Tabulation(2)
		if string(b1) != `{"contest":"President"}` || string(b2) != "two" || err1 != nil || err2 != nil {
			t.Errorf("tabulations after a refused one: %q %v, %q %v", b1, err1, b2, err2)
		}
		return nil
	})
	// A tabulation names an existing entry, once.
	for _, seq := range []uint64{1, 99} {
		err := s.Update(ctx, func(tx store.Tx) error {
			if _, err := appendTest(tx, "x"); err != nil {
				return err
			}
			return tx.AddTabulation(seq, []byte("again"))
		})
		if err == nil {
			t.Errorf("AddTabulation(%d) accepted", seq)
		}
	}
}

func testCheckpoints(t *testing.T, s store.Store) {
	for _, c := range []store.Checkpoint{{Size: 5, Note: []byte("a")}, {Size: 3, Note: []byte("b")}, {Size: 5, Note: []byte("c")}} {
		if err := s.AddCheckpoint(ctx, c.Size, c.Note); err != nil {
			t.Fatal(err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		cps, err := tx.Checkpoints()
		// Smallest first; a second checkpoint of one size replaces the first.
		want := []store.Checkpoint{{Size: 3, Note: []byte("b")}, {Size: 5, Note: []byte("c")}}
		if err != nil || !reflect.DeepEqual(cps, want) {
			t.Errorf("checkpoints: %+v %v, want %+v", cps, err, want)
		}
		return nil
	})
}

// The canonical encodings of the entries {"what": "x"}, "y", "z" made by appendTest, and their
// RFC 6962 hashes, computed outside this code:
//
//	printf '\x00%s' "$entry" | sha256sum                   (leaf: SHA-256(0x00 ‖ entry))
//	(printf '\x01'; echo -n $h0$h1 | xxd -r -p) | sha256sum (node: SHA-256(0x01 ‖ left ‖ right))
//
// The root of three leaves is node(node(h0, h1), h2) (RFC 6962 section 2.1: split at the
// largest power of two below 3).
const (
	entry0 = `{"actor":"tester","body":{"what":"x"},"seq":0,"time":"2020-11-03T20:00:00.000000000Z","type":"test","v":1}`
	entry2 = `{"actor":"tester","body":{"what":"z"},"seq":2,"time":"2020-11-03T20:00:00.000000000Z","type":"test","v":1}`
	leaf0  = "4fe64d955155550e1d5bbf1f7ced2a5de7698f7fd1b4af572e36ccc72183bb22"
	leaf1  = "69680548ee7d20591611130f3ad6e3832ed0f8c7647da259783ba0b2cd26ff52"
	leaf2  = "80f5fdc935844546f407efd2d0f72274f79c4474ec267e74e30ea8b1f298b8f0"
	root2  = "96896cf2e11bb19781e8b79c243baf827429c5bbf23bbf1732003c7d57df341c"
	root3  = "5bb79e57b7fcef3a992d1b72cdf672c07460f512852294f08913f6269e523905"
)

func testLedgerKnownHashes(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		e, err := ledger.NewEntry("test", "tester", when, map[string]string{"what": "x"})
		if err != nil {
			return err
		}
		data, err := tx.Append(e)
		if err != nil {
			return err
		}
		if string(data) != entry0 || e.Seq != 0 {
			t.Errorf("Append returned seq %d and\n%s\nwant 0 and\n%s", e.Seq, data, entry0)
		}
		_, err = appendTest(tx, "y")
		return err
	})
	view(t, s, func(tx store.Tx) error {
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		if tree.Size() != 2 || tree.Root().String() != root2 {
			t.Errorf("tree of 2: size %d root %s, want %s", tree.Size(), tree.Root(), root2)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		e, err := ledger.NewEntry("other", "tester", when, map[string]string{"what": "not counted"})
		if err != nil {
			return err
		}
		// A failed Append of an entry too big for the log leaves the tree as it was.
		big, _ := ledger.NewEntry("test", "tester", when, map[string]string{"what": strings.Repeat("x", ledger.MaxEntrySize)})
		if _, err := tx.Append(big); err == nil {
			t.Error("an entry of more than MaxEntrySize bytes was appended")
		}
		if _, err := appendTest(tx, "z"); err != nil {
			return err
		}
		_, err = tx.Append(e)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		hs, err := tx.Hashes(0, 0, 3)
		if err != nil {
			return err
		}
		if got := []string{hs[0].String(), hs[1].String(), hs[2].String()}; !reflect.DeepEqual(got, []string{leaf0, leaf1, leaf2}) {
			t.Errorf("leaf hashes %v", got)
		}
		m := ledger.NewMemRows()
		for _, h := range hs {
			m.Append(h)
		}
		if m.Tree.Root().String() != root3 {
			t.Errorf("root of the first three leaves %s, want %s", m.Tree.Root(), root3)
		}
		if _, err := tx.Hashes(0, 2, 5); err == nil {
			t.Error("Hashes beyond the ledger: no error")
		}
		if _, err := tx.Hashes(1, 0, 1); err == nil {
			t.Error("Hashes of tile level 1 of a 4-leaf tree: no error")
		}
		var got []string
		tx.Entries(2, 3, func(seq uint64, data []byte) error { got = append(got, fmt.Sprint(seq), string(data)); return nil })
		if !reflect.DeepEqual(got, []string{"2", entry2}) {
			t.Errorf("Entries(2, 3): %q", got)
		}
		got = nil
		tx.EntriesOfType("test", func(seq uint64, data []byte) error { got = append(got, fmt.Sprint(seq)); return nil })
		if strings.Join(got, ",") != "0,1,2" {
			t.Errorf("EntriesOfType(test): %v", got)
		}
		got = nil
		tx.EntriesOfType("other", func(seq uint64, data []byte) error { got = append(got, fmt.Sprint(seq)); return nil })
		if strings.Join(got, ",") != "3" {
			t.Errorf("EntriesOfType(other): %v", got)
		}
		n := 0
		if err := tx.Entries(0, 4, func(uint64, []byte) error { n++; return errBoom }); !errors.Is(err, errBoom) || n != 1 {
			t.Errorf("Entries with a failing fn: %v after %d entries", err, n)
		}
		return nil
	})
}

// testLedgerInTheStore appends entries over several transactions, one failed after each, and
// checks the stored tree against an in-memory one built from the same bytes: the same root,
// the same tile rows, and proofs from the store that verify.
func testLedgerInTheStore(t *testing.T, s store.Store) {
	mem := ledger.NewMemRows()
	const n = 70000 // past 65536, so that tile level 2 has a node
	for done := 0; done < n; {
		batch := min(n-done, 9000)
		update(t, s, func(tx store.Tx) error {
			for i := 0; i < batch; i++ {
				if _, err := appendTest(tx, fmt.Sprint(done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		done += batch
		// A failed transaction in between must leave no trace in the tree.
		if err := s.Update(ctx, func(tx store.Tx) error { appendTest(tx, "lost"); return errBoom }); !errors.Is(err, errBoom) {
			t.Fatal(err)
		}
	}
	view(t, s, func(tx store.Tx) error {
		var seqs uint64
		err := tx.Entries(0, n, func(seq uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			var body struct{ What string }
			if err := e.DecodeBody(&body); err != nil {
				return err
			}
			if e.Seq != seq || seq != seqs || body.What != fmt.Sprint(seq) {
				return fmt.Errorf("entry %d: seq %d, body %q", seqs, e.Seq, body.What)
			}
			seqs++
			return mem.Append(ledger.LeafHash(data))
		})
		if err != nil || seqs != n {
			return fmt.Errorf("entries: %d, %v", seqs, err)
		}
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		if tree.Size() != n || tree.Root() != mem.Tree.Root() {
			t.Errorf("stored tree: size %d root %s; from the entries: %s", tree.Size(), tree.Root(), mem.Tree.Root())
		}
		// 70000 leaves: 273 nodes at tile level 1 (70000/256) and 1 at level 2 (70000/65536).
		if len(mem.Rows) != 3 || len(mem.Rows[1]) != 273 || len(mem.Rows[2]) != 1 {
			t.Errorf("tile rows of the entries: %d levels", len(mem.Rows))
		}
		for level := range mem.Rows {
			want := mem.Rows[level]
			got, err := tx.Hashes(level, 0, uint64(len(want)))
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tile level %d: stored rows differ", level)
			}
		}
		for _, i := range []uint64{0, 1, 255, 256, 65535, 65536, n - 1} {
			p, err := ledger.InclusionProof(tx, i, n)
			if err != nil {
				return err
			}
			leaf, _ := tx.Hashes(0, i, i+1)
			if err := ledger.VerifyInclusion(leaf[0], i, n, p, tree.Root()); err != nil {
				t.Errorf("inclusion of %d: %v", i, err)
			}
		}
		return nil
	})
}

// testNestedReads: the callbacks of Entries, Ballots and Results may use the transaction
// (a store must not hold its connection busy while it calls them), in Update and in View.
func testNestedReads(t *testing.T, s store.Store) {
	const n = 5000 // more than one batch of a cursor
	var ids []store.ContestIDs
	update(t, s, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "a.csv", SHA256: "aa", Kind: "cvr", Format: "csv", ImportedAt: when})
		if err != nil {
			return err
		}
		ci, err := tx.MergeContest(&canvass.Contest{Name: "Mayor", Type: canvass.Plurality, Seats: 1, VoteFor: 1, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
		if err != nil {
			return err
		}
		ids = []store.ContestIDs{ci}
		for i := range n {
			if _, err := tx.AddBallot(id, "J", syntheticBallot(i, 1), ids); err != nil {
				return err
			}
			if err := tx.AddResult(id, &canvass.ResultRow{Contest: "Mayor", Choice: "A", Votes: 1}); err != nil {
				return err
			}
			if _, err := appendTest(tx, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	walk := func(tx store.Tx) error {
		var nb, ne, nr int
		err := tx.Ballots(func(_ string, b *canvass.Ballot) error {
			nb++
			if nb%1000 != 1 {
				return nil
			}
			_, err := tx.Files()
			return err
		})
		if err != nil {
			return fmt.Errorf("ballots: %w", err)
		}
		err = tx.Entries(0, n, func(seq uint64, _ []byte) error {
			ne++
			if ne%1000 != 1 {
				return nil
			}
			_, err := tx.Hashes(0, seq, seq+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("entries: %w", err)
		}
		err = tx.Results(func(*canvass.ResultRow) error {
			nr++
			if nr%1000 != 1 {
				return nil
			}
			_, err := tx.CountBallots()
			return err
		})
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if nb != n || ne != n || nr != n {
			t.Errorf("walked %d ballots, %d entries, %d results; want %d each", nb, ne, nr, n)
		}
		return nil
	}
	view(t, s, walk)
	// Walks of different shapes, one per transaction, each the transaction's first.
	for range 3 {
		view(t, s, func(tx store.Tx) error { return tx.Entries(0, 2, func(uint64, []byte) error { return nil }) })
		view(t, s, func(tx store.Tx) error { return tx.Ballots(func(string, *canvass.Ballot) error { return nil }) })
		view(t, s, func(tx store.Tx) error { return tx.Results(func(*canvass.ResultRow) error { return nil }) })
	}
	update(t, s, func(tx store.Tx) error {
		if err := walk(tx); err != nil {
			return err
		}
		// Writing inside a walk's callback (here: one more entry) works too.
		written := false
		err := tx.Entries(0, 1, func(uint64, []byte) error {
			_, err := appendTest(tx, "inside")
			written = true
			return err
		})
		if err != nil || !written {
			return fmt.Errorf("append inside Entries: %v", err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if tr, _ := tx.Tree(); tr.Size() != n+1 {
			t.Errorf("%d entries, want %d", tr.Size(), n+1)
		}
		return nil
	})
}

// testSnapshot: a View sees the store as it was at its first read, whatever commits meanwhile.
func testSnapshot(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { _, err := appendTest(tx, "0"); return err })
	view(t, s, func(tx store.Tx) error {
		before := countAll(t, tx)
		done := make(chan error)
		go func() {
			done <- s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.AddFile(&store.File{Name: "x", SHA256: "x", Kind: "cvr", Format: "csv", ImportedAt: when}); err != nil {
					return err
				}
				_, err := appendTest(tx, "1")
				return err
			})
		}()
		if err := <-done; err != nil {
			t.Fatalf("update during a view: %v", err)
		}
		if after := countAll(t, tx); after != before {
			t.Errorf("a view saw a commit made after its first read: %+v, then %+v", before, after)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		// One entry, then one more with a file (counted by hand).
		if c := countAll(t, tx); c != (counts{Entries: 2, Files: 1}) {
			t.Errorf("after the view: %+v", c)
		}
		return nil
	})
}

// testConcurrentUpdates: after a first update that adds a file, a result row and entry 0,
// 8 writers make 200 updates each, every one appending an entry and a result row, while
// readers check that every snapshot holds as many rows as entries. Then the ledger holds
// exactly 1 + 8×200 = 1,601 entries numbered 0 to 1600, each writer's in its own order, and
// the stored tree is the tree of those entries.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const writers, each = 8, 200
	var file int64
	update(t, s, func(tx store.Tx) error {
		var err error
		if file, err = tx.AddFile(&store.File{Name: "r.csv", SHA256: "r", Kind: "results", Format: "csv", ImportedAt: when}); err != nil {
			return err
		}
		if err := tx.AddResult(file, &canvass.ResultRow{Contest: "C", Choice: "setup"}); err != nil {
			return err
		}
		_, err = appendTest(tx, "setup")
		return err
	})
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := s.Update(ctx, func(tx store.Tx) error {
					if err := tx.AddResult(file, &canvass.ResultRow{Contest: "C", Choice: fmt.Sprint(w), Votes: int64(i)}); err != nil {
						return err
					}
					e, err := ledger.NewEntry("concurrent", fmt.Sprint(w), when, map[string]int{"writer": w, "i": i})
					if err != nil {
						return err
					}
					_, err = tx.Append(e)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d update %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx store.Tx) error {
					tree, err := tx.Tree()
					if err != nil {
						return err
					}
					n, err := tx.CountResults()
					if err != nil {
						return err
					}
					if uint64(n) != tree.Size() {
						return fmt.Errorf("a snapshot with %d entries and %d result rows", tree.Size(), n)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	view(t, s, func(tx store.Tx) error {
		mem := ledger.NewMemRows()
		next := make([]int, writers)
		seqs := uint64(1)
		first, err := tx.Hashes(0, 0, 1)
		if err != nil {
			return err
		}
		mem.Append(first[0])
		err = tx.Entries(1, 1<<62, func(seq uint64, data []byte) error {
			e, err := ledger.Decode(data)
			if err != nil {
				return err
			}
			var body struct{ Writer, I int }
			if err := e.DecodeBody(&body); err != nil {
				return err
			}
			if seq != seqs || e.Seq != seq {
				return fmt.Errorf("entry %d has seq %d (stored as %d)", seqs, e.Seq, seq)
			}
			if body.Writer < 0 || body.Writer >= writers || body.I != next[body.Writer] {
				return fmt.Errorf("entry %d: writer %d update %d out of order", seq, body.Writer, body.I)
			}
			next[body.Writer]++
			seqs++
			return mem.Append(ledger.LeafHash(data))
		})
		if err != nil {
			return err
		}
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		n, err := tx.CountResults()
		if err != nil {
			return err
		}
		const want = 1 + writers*each
		if seqs != want || tree.Size() != want || n != want || tree.Root() != mem.Tree.Root() {
			t.Errorf("%d entries, tree of %d, %d result rows (want %d each); stored root %s, from the entries %s",
				seqs, tree.Size(), n, want, tree.Root(), mem.Tree.Root())
		}
		return nil
	})
}
