package storetest

import (
	"fmt"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// BenchAppend appends b.N entries of about 250 bytes (the size of an audit-board entry) to the
// ledger of a fresh store, 1,000 per transaction: canonical encoding, leaf hash, the entry row,
// the tile-row nodes and the tree state. It reports entries/s.
func BenchAppend(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	at := time.Date(2020, 11, 17, 9, 0, 0, 0, time.UTC)
	body := map[string]any{"ballot": "Dane-0042-0117", "board": "Board 3", "contest": "President",
		"interpretation": "Joseph R. Biden / Kamala D. Harris", "round": 1, "discrepancy": 0}
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(b.N-done, 1000)
		err := s.Update(ctx, func(tx store.Tx) error {
			for range n {
				e, err := ledger.NewEntry("audit.board", "board-3", at, body)
				if err != nil {
					return err
				}
				if _, err := tx.Append(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BallotsPerImport is the size of one BenchBallots import.
const BallotsPerImport = 100000

// BenchBallots imports BallotsPerImport ballots per op, each in one transaction as the
// workspace imports a file: the file row, the contests, the ballots (5 contests of 2 choices,
// one mark each, as a county's CVR export has them) and the ledger entry. Each op imports a new
// jurisdiction into the same store, so the unique index grows as in a state's canvass. It
// reports ballots/s.
func BenchBallots(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	const contests = 5
	el := &canvass.Election{}
	for c := range contests {
		el.Contests = append(el.Contests, &canvass.Contest{Name: fmt.Sprintf("Contest %d", c), Type: canvass.Plurality, Seats: 1, VoteFor: 1,
			Choices: []*canvass.Choice{{Name: "A"}, {Name: "B"}}})
	}
	ballots := make([]*canvass.Ballot, BallotsPerImport)
	for i := range ballots {
		ballots[i] = syntheticBallot(i, contests)
		ballots[i].ID = fmt.Sprintf("%d-%d-%d", 1+i/100000, 1+i/250%400, 1+i%250) // tabulator-batch-record
	}
	b.ResetTimer()
	for op := range b.N {
		err := s.Update(ctx, func(tx store.Tx) error {
			jur := fmt.Sprintf("County %d", op)
			id, err := tx.AddFile(&store.File{Name: "cvr.zip", SHA256: fmt.Sprintf("%064x", op), Kind: "cvr", Format: "dominion", Jurisdiction: jur, ImportedAt: when})
			if err != nil {
				return err
			}
			ids := make([]store.ContestIDs, contests)
			for c, ct := range el.Contests {
				if ids[c], err = tx.MergeContest(ct); err != nil {
					return err
				}
			}
			for _, bl := range ballots {
				ok, err := tx.AddBallot(id, jur, bl, ids)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("ballot %s refused as a duplicate", bl.ID)
				}
			}
			e, err := ledger.NewEntry(ledger.TypeImportCVR, "clerk", when, map[string]any{"records": BallotsPerImport})
			if err != nil {
				return err
			}
			if _, err := tx.Append(e); err != nil {
				return err
			}
			return tx.FinishFile(id, BallotsPerImport, e.Seq)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*BallotsPerImport)/b.Elapsed().Seconds(), "ballots/s")
}
