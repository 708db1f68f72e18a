package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// BenchmarkLedgerAppend appends b.N entries of about 250 bytes (the size of an audit-board
// entry) to the ledger of a fresh database, 1,000 per transaction: canonical encoding, leaf
// hash, the entry row, the tile-row nodes and the tree state. For the figure in
// docs/PERFORMANCE.md run it with -benchtime 1000000x.
func BenchmarkLedgerAppend(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "canvass.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	at := time.Date(2020, 11, 17, 9, 0, 0, 0, time.UTC)
	body := map[string]any{"ballot": "Dane-0042-0117", "board": "Board 3", "contest": "President",
		"interpretation": "Joseph R. Biden / Kamala D. Harris", "round": 1, "discrepancy": 0}
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(b.N-done, 1000)
		err := db.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < n; i++ {
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
