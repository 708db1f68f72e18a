package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

func appendTest(tx store.Tx, what string) error {
	e, err := ledger.NewEntry("test", "tester", time.Date(2020, 11, 3, 20, 0, 0, 0, time.UTC), map[string]string{"what": what})
	if err != nil {
		return err
	}
	_, err = tx.Append(e)
	return err
}

func open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "canvass.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUpdateNeedsAChange(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	err := db.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AddFile(&store.File{Name: "x", SHA256: "00", Kind: "cvr", Format: "csv", ImportedAt: time.Now()})
		return err
	})
	if !errors.Is(err, store.ErrNoChange) {
		t.Fatalf("update without a recorded change: %v, want ErrNoChange", err)
	}
	db.View(ctx, func(tx store.Tx) error {
		if fs, _ := tx.Files(); len(fs) != 0 {
			t.Errorf("unrecorded write kept: %v", fs)
		}
		if err := appendTest(tx, "x"); err == nil {
			t.Error("a read-only transaction appended a ledger entry")
		}
		return nil
	})
	boom := errors.New("boom")
	err = db.Update(ctx, func(tx store.Tx) error {
		appendTest(tx, "test")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	db.View(ctx, func(tx store.Tx) error {
		if tr, _ := tx.Tree(); tr.Size() != 0 {
			t.Errorf("a failed update left %d ledger entries", tr.Size())
		}
		return nil
	})
}

func TestBallotRoundTrip(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	src := &canvass.Election{Contests: []*canvass.Contest{
		{ID: "7", Name: "Mayor", Type: canvass.IRV, Seats: 1, VoteFor: 3, Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}, {Name: "Write-in", WriteIn: true}}},
		{ID: "9", Name: "Measure A", Type: canvass.Supermajority, Seats: 1, VoteFor: 1, Threshold: canvass.Threshold{Num: 2, Den: 3}, Choices: []*canvass.Choice{{Name: "Yes"}, {Name: "No"}}},
	}}
	b := &canvass.Ballot{ID: "1-2-3", Precinct: "P1", BallotType: "BT", Tabulator: "T1", Batch: "1-2", CountingGroup: "Election Day"}
	cm := b.AddContest(1)
	cm.Marks = []canvass.Mark{{Choice: 1, Flags: canvass.Ambiguous | canvass.Adjudicated}}
	cm = b.AddContest(0)
	cm.Overvoted = true
	cm.Marks = []canvass.Mark{{Choice: 2, Rank: 1, Flags: canvass.WriteInMark}, {Choice: 0, Rank: 2, Flags: canvass.NotCounted}}
	err := db.Update(ctx, func(tx store.Tx) error {
		id, err := tx.AddFile(&store.File{Name: "x", SHA256: "ab", Kind: "cvr", Format: "csv", ImportedAt: time.Now()})
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
		if ok, err := tx.AddBallot(id, "Dane", b, ids); ok || err != nil {
			t.Errorf("duplicate AddBallot: %v %v, want false", ok, err)
		}
		if ok, err := tx.AddBallot(id, "Milwaukee", b, ids); !ok || err != nil {
			t.Errorf("same id in another jurisdiction: %v %v", ok, err)
		}
		return appendTest(tx, "test")
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(ctx, func(tx store.Tx) error {
		el, err := tx.Election()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(el.Contests, src.Contests) {
			t.Errorf("election round trip:\n got %+v\nwant %+v", el.Contests, src.Contests)
		}
		var got []*canvass.Ballot
		var jurs []string
		tx.Ballots(func(j string, b *canvass.Ballot) error {
			got = append(got, b.Clone())
			jurs = append(jurs, j)
			return nil
		})
		if len(got) != 2 || !reflect.DeepEqual(got[0], b) || strings.Join(jurs, ",") != "Dane,Milwaukee" {
			t.Errorf("ballot round trip:\n got %+v\nwant %+v", got[0], b)
		}
		return nil
	})
}

func TestMergeContestConflict(t *testing.T) {
	db := open(t)
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.MergeContest(&canvass.Contest{Name: "Council", Type: canvass.Plurality, Seats: 2, VoteFor: 2}); err != nil {
			return err
		}
		// The same contest under a differently spaced name, with new choices: merged.
		ids, err := tx.MergeContest(&canvass.Contest{Name: "council ", Type: canvass.Plurality, Seats: 2, VoteFor: 2, Choices: []*canvass.Choice{{Name: "A"}}})
		if err != nil || ids.Contest != 1 || len(ids.Choices) != 1 {
			t.Errorf("merge: %+v %v", ids, err)
		}
		_, err = tx.MergeContest(&canvass.Contest{Name: "Council", Type: canvass.Plurality, Seats: 1, VoteFor: 1})
		if err == nil || !strings.Contains(err.Error(), "vote for 1") {
			t.Errorf("conflicting definition accepted: %v", err)
		}
		return appendTest(tx, "test")
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLedgerInTheStore appends entries over several transactions, one of them failed, and
// checks the stored tree against an in-memory one built from the same bytes: the same root,
// the same tile rows, and proofs from the store that verify.
func TestLedgerInTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "canvass.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mem := ledger.NewMemRows()
	const n = 70000 // past 65536, so that tile level 2 has a node
	for done := 0; done < n; {
		batch := min(n-done, 9000)
		err := db.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < batch; i++ {
				if err := appendTest(tx, fmt.Sprint(done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done += batch
		// A failed transaction in between must leave no trace in the tree.
		boom := errors.New("boom")
		if err := db.Update(ctx, func(tx store.Tx) error { appendTest(tx, "lost"); return boom }); !errors.Is(err, boom) {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(ctx, func(tx store.Tx) error {
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
	if err != nil {
		t.Fatal(err)
	}
}
