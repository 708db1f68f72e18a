package sampler

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
)

// RetrievalRow is one ballot to pull from storage: where it is, the ticket numbers that
// chose it, and the audit board that pulls it.
type RetrievalRow struct {
	Jurisdiction  string
	Container     string
	Tabulator     string
	Batch         string // the batch name
	BatchIndex    int    // index of the batch in Manifest.Batches
	Position      int64  // the ballot's position in its batch, from 1
	ImprintedID   string // the number printed on the ballot, if known (see FillImprintedIDs)
	TicketNumbers string // the trimmed ticket numbers of all its draws, in order, "; "-joined
	Times         int    // how many times the ballot was drawn
	AuditBoard    int    // the audit board, from 1
}

// RetrievalList turns draws from m into the list people use to pull ballots: one row per
// ballot (a ballot drawn several times is one row with all its ticket numbers, trimmed to
// digits significant digits by [TrimTicket], and Times), sorted by jurisdiction, container,
// tabulator, batch name and position, the order in which ballots are found in storage.
//
// Within each jurisdiction the batches are shared among boards audit boards (numbered from
// 1; fewer than 1 means 1), a whole batch to one board, so that each board pulls about the
// same number of ballots: batches are taken from the most ballots to pull to the fewest
// (ties in list order) and each goes to the board with the fewest so far (ties to the lowest
// number).
func RetrievalList(draws []BallotDraw, m *Manifest, digits int, boards int) []RetrievalRow {
	boards = max(boards, 1)
	type ballot struct {
		batch int
		pos   int64
	}
	at := make(map[ballot]int)
	var rows []RetrievalRow
	for _, d := range draws {
		if d.Batch < 0 || d.Batch >= len(m.Batches) {
			continue // not a draw from m
		}
		t := TrimTicket(d.Ticket, digits)
		k := ballot{d.Batch, d.Position}
		if i, ok := at[k]; ok {
			rows[i].TicketNumbers += "; " + t
			rows[i].Times++
			continue
		}
		b := &m.Batches[d.Batch]
		at[k] = len(rows)
		rows = append(rows, RetrievalRow{
			Jurisdiction: b.Jurisdiction, Container: b.Container, Tabulator: b.Tabulator,
			Batch: b.Name, BatchIndex: d.Batch, Position: d.Position,
			TicketNumbers: t, Times: 1,
		})
	}
	slices.SortFunc(rows, func(a, b RetrievalRow) int {
		return cmp.Or(
			strings.Compare(a.Jurisdiction, b.Jurisdiction),
			strings.Compare(a.Container, b.Container),
			strings.Compare(a.Tabulator, b.Tabulator),
			strings.Compare(a.Batch, b.Batch),
			cmp.Compare(a.BatchIndex, b.BatchIndex),
			cmp.Compare(a.Position, b.Position),
		)
	})
	assignBoards(rows, boards)
	return rows
}

// assignBoards sets AuditBoard on sorted rows, jurisdiction by jurisdiction.
func assignBoards(rows []RetrievalRow, boards int) {
	for lo := 0; lo < len(rows); {
		hi := lo
		for hi < len(rows) && rows[hi].Jurisdiction == rows[lo].Jurisdiction {
			hi++
		}
		// The batches of this jurisdiction in list order, with their row ranges.
		type span struct{ lo, hi int }
		var spans []span
		for i := lo; i < hi; i++ {
			if i == lo || rows[i].BatchIndex != rows[i-1].BatchIndex {
				spans = append(spans, span{i, i + 1})
			} else {
				spans[len(spans)-1].hi = i + 1
			}
		}
		order := make([]int, len(spans))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(spans[b].hi-spans[b].lo, spans[a].hi-spans[a].lo)
		})
		load := make([]int, boards)
		for _, s := range order {
			best := 0
			for j := 1; j < boards; j++ {
				if load[j] < load[best] {
					best = j
				}
			}
			load[best] += spans[s].hi - spans[s].lo
			for i := spans[s].lo; i < spans[s].hi; i++ {
				rows[i].AuditBoard = best + 1
			}
		}
		lo = hi
	}
}

// FillImprintedIDs sets each row's ImprintedID to id(row.BatchIndex, row.Position), for
// ballots whose imprinted numbers are known (for instance from their cast vote records).
func FillImprintedIDs(rows []RetrievalRow, id func(batch int, position int64) string) {
	for i := range rows {
		rows[i].ImprintedID = id(rows[i].BatchIndex, rows[i].Position)
	}
}

// WriteRetrievalCSV writes rows as CSV with a header row. The columns are Jurisdiction,
// Container, Tabulator, Batch Name, Ballot Position, Imprinted ID, Ticket Numbers, Times
// Sampled and Audit Board ("Audit Board 1", …); Jurisdiction, Container, Tabulator and
// Imprinted ID are left out when they are empty in every row.
func WriteRetrievalCSV(w io.Writer, rows []RetrievalRow) error {
	type column struct {
		name string
		get  func(r *RetrievalRow) string
		opt  bool
	}
	all := []column{
		{"Jurisdiction", func(r *RetrievalRow) string { return r.Jurisdiction }, true},
		{"Container", func(r *RetrievalRow) string { return r.Container }, true},
		{"Tabulator", func(r *RetrievalRow) string { return r.Tabulator }, true},
		{"Batch Name", func(r *RetrievalRow) string { return r.Batch }, false},
		{"Ballot Position", func(r *RetrievalRow) string { return strconv.FormatInt(r.Position, 10) }, false},
		{"Imprinted ID", func(r *RetrievalRow) string { return r.ImprintedID }, true},
		{"Ticket Numbers", func(r *RetrievalRow) string { return r.TicketNumbers }, false},
		{"Times Sampled", func(r *RetrievalRow) string { return strconv.Itoa(r.Times) }, false},
		{"Audit Board", func(r *RetrievalRow) string { return "Audit Board " + strconv.Itoa(r.AuditBoard) }, false},
	}
	var cols []column
	for _, c := range all {
		keep := !c.opt
		for i := 0; !keep && i < len(rows); i++ {
			keep = c.get(&rows[i]) != ""
		}
		if keep {
			cols = append(cols, c)
		}
	}
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for j, c := range cols {
		rec[j] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range rows {
		for j, c := range cols {
			rec[j] = c.get(&rows[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
