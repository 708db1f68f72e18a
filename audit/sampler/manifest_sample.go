package sampler

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// BatchKey chooses how [SampleManifest] names the batch in a ballot's id, and so which
// Arlo ids it reproduces.
type BatchKey int

const (
	// BatchName names a batch by its name alone: ballot 3 of batch "pct 2" is
	// ('pct 2', 3), the ids of Arlo's single-jurisdiction ballot polling and of its tests.
	// Batch names must then be unique in the whole manifest.
	BatchName BatchKey = iota
	// JurisdictionTabulatorBatch names a batch by (jurisdiction, tabulator, name), as
	// Arlo's multi-jurisdiction sampling does: (('J1', 'T1', 'B1'), 3). An empty tabulator
	// is written None, as Arlo stores a manifest without a Tabulator column.
	JurisdictionTabulatorBatch
)

// BallotDraw is one draw of a ballot from a manifest.
type BallotDraw struct {
	Batch    int    // index of the ballot's batch in Manifest.Batches
	Position int64  // position of the ballot in its batch, from 1
	ID       string // the id that was hashed, e.g. ('pct 2', 3)
	Ticket   string // the full ticket number; trim it with TrimTicket for people
	Times    int    // 1 for the ballot's first draw, 2 for its second, … (with replacement)
}

// SampleManifest draws n ballots from a manifest with Rivest's consistent sampler, naming
// each ballot as Arlo does (Python's str of (batch key, position), see [ArloBallotID] and
// [BatchKey]), so that the same seed, manifest and sample size give the same ballots and
// ticket numbers as Arlo. Draws come in increasing ticket order. It refuses a manifest in
// which two batches have the same key.
func SampleManifest(seed string, m *Manifest, n int, withReplacement bool, key BatchKey) ([]BallotDraw, error) {
	if m.Total > math.MaxInt {
		return nil, fmt.Errorf("%w: %d ballots is more than this computer can index", ErrSampleSize, m.Total)
	}
	// The part of each id before the position, "('pct 2', " or "(('J1', 'T1', 'B1'), ",
	// written once per batch.
	var arena []byte
	starts := make([]int, len(m.Batches)+1)
	seen := make(map[string]int, len(m.Batches))
	for k := range m.Batches {
		b := &m.Batches[k]
		before := len(arena)
		switch key {
		case BatchName:
			arena = appendArloKeyParts(arena, []*string{&b.Name}, false)
		case JurisdictionTabulatorBatch:
			tab := &b.Tabulator
			if b.Tabulator == "" {
				tab = nil
			}
			arena = appendArloKeyParts(arena, []*string{&b.Jurisdiction, tab, &b.Name}, true)
		default:
			return nil, fmt.Errorf("sampler: unknown batch key %d", key)
		}
		p := string(arena[before:])
		if j, ok := seen[p]; ok {
			return nil, fmt.Errorf("sampler: batches %d and %d both give ballot ids %s…; their ballots could not be told apart (use JurisdictionTabulatorBatch or rename a batch)", j+1, k+1, p)
		}
		seen[p] = k
		starts[k+1] = len(arena)
	}
	ends := m.ends
	if len(ends) != len(m.Batches) {
		ends = cumulative(m.Batches)
	}
	if len(ends) > 0 && ends[len(ends)-1] != m.Total {
		return nil, fmt.Errorf("sampler: the manifest's Total %d is not the sum of its batches, %d", m.Total, ends[len(ends)-1])
	}
	// Each goroutine gets its own cursor: it asks for consecutive ballots, so the batch of the
	// last one usually holds the next.
	newID := func() idFunc {
		cur, lo, hi := -1, int64(0), int64(0)
		return func(dst []byte, i int) []byte {
			j := int64(i)
			if j < lo || j >= hi {
				cur = sort.Search(len(ends), func(k int) bool { return ends[k] > j })
				hi = ends[cur]
				lo = hi - m.Batches[cur].Ballots
			}
			dst = append(dst, arena[starts[cur]:starts[cur+1]]...)
			dst = strconv.AppendInt(dst, j-lo+1, 10)
			return append(dst, ')')
		}
	}
	draws, err := sample(seed, int(m.Total), newID, n, withReplacement)
	if err != nil {
		return nil, err
	}
	out := make([]BallotDraw, len(draws))
	for k, d := range draws {
		b, pos := m.Locate(int64(d.Index))
		out[k] = BallotDraw{Batch: b, Position: pos, ID: d.ID, Ticket: d.Ticket, Times: d.Times}
	}
	return out, nil
}
