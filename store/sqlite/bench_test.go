package sqlite

import (
	"testing"

	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/store/storetest"
)

// BenchmarkLedgerAppend appends b.N entries of about 250 bytes (the size of an audit-board
// entry), 1,000 per transaction (storetest.BenchAppend). For the figure in
// docs/PERFORMANCE.md run it with -benchtime 1000000x.
func BenchmarkLedgerAppend(b *testing.B) {
	storetest.BenchAppend(b, func(b *testing.B) store.Store { return open(b) })
}

// BenchmarkImportBallots100k imports 100,000 ballots per op in one transaction
// (storetest.BenchBallots).
func BenchmarkImportBallots100k(b *testing.B) {
	storetest.BenchBallots(b, func(b *testing.B) store.Store { return open(b) })
}
