package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/store"
)

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
	err := db.Update(ctx, "a", func(tx store.Tx) error {
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
		if err := tx.RecordChange("x", nil); err == nil {
			t.Error("a read-only transaction recorded a change")
		}
		return nil
	})
	boom := errors.New("boom")
	err = db.Update(ctx, "a", func(tx store.Tx) error {
		tx.RecordChange("test", map[string]int{"n": 1})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	db.View(ctx, func(tx store.Tx) error {
		if cs, _ := tx.Changes(); len(cs) != 0 {
			t.Errorf("a failed update left changes: %v", cs)
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
	err := db.Update(ctx, "a", func(tx store.Tx) error {
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
		return tx.RecordChange("test", nil)
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
	err := db.Update(context.Background(), "a", func(tx store.Tx) error {
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
		return tx.RecordChange("test", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}
