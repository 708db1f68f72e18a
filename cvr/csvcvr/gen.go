package csvcvr

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
)

// WriteSynthetic writes a CSV CVR file with the given number of ballots and contests, for
// benchmarks and tests. The same arguments give the same bytes.
//
// The header has the six metadata columns and, for contest i (0-based), by i mod 5: "Contest
// i+1" vote for 1 with 3 candidates and a Write-in line; vote for 1 with 2 candidates and a
// Write-in line; [vote for 2] with 4 candidates and a Write-in line; a [2/3] measure with Yes
// and No; [ranked 3] with 4 candidates. Per ballot and contest, about 3% of ballots do not
// have the contest (all cells empty), 4% leave it blank (all cells 0), 1% overvote it (O in two
// columns), 1% vote for the write-in line, 1% have an ambiguous mark (A) and the others vote
// (vote-for-2: for one or two choices; ranked: rank one to three candidates). Ballots are
// spread over 50 precincts, 10 tabulators, batches of 100 and two counting groups.
func WriteSynthetic(w io.Writer, ballots, contests int, seed int64) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d))
	cs := synthContests(contests)

	var buf []byte
	buf = append(buf, "BallotID,Precinct,BallotType,Tabulator,Batch,CountingGroup"...)
	for i, c := range cs {
		for k := range c.choices {
			buf = append(buf, ",Contest "...)
			buf = strconv.AppendInt(buf, int64(i+1), 10)
			buf = append(buf, c.options...)
			buf = append(buf, ": "...)
			buf = append(buf, c.choiceName(k)...)
		}
	}
	buf = append(buf, '\n')

	cells := make([]string, 0, 16)
	perm := make([]int, 8)
	for n := range ballots {
		tab := n % 10
		batch := n / 1000 // 100 ballots a batch on each of the 10 tabulators
		buf = strconv.AppendInt(buf, int64(tab+1), 10)
		buf = append(buf, '-')
		buf = strconv.AppendInt(buf, int64(batch+1), 10)
		buf = append(buf, '-')
		buf = strconv.AppendInt(buf, int64(n+1), 10)
		buf = append(buf, ",Precinct "...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(50)+1), 10)
		buf = append(buf, ",Style "...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(4)+1), 10)
		buf = append(buf, ",T"...)
		buf = strconv.AppendInt(buf, int64(tab+1), 10)
		buf = append(buf, ",B"...)
		buf = strconv.AppendInt(buf, int64(batch+1), 10)
		if rng.IntN(3) == 0 {
			buf = append(buf, ",Mail"...)
		} else {
			buf = append(buf, ",Election Day"...)
		}
		for _, c := range cs {
			cells = c.ballot(rng, cells[:0], perm)
			for _, v := range cells {
				buf = append(buf, ',')
				buf = append(buf, v...)
			}
		}
		buf = append(buf, '\n')
		if len(buf) > 32<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// synthContest describes one generated contest.
type synthContest struct {
	options string // the header options, e.g. " [vote for 2]"
	choices int    // columns, including the write-in line
	writeIn bool   // the last choice is a Write-in line
	voteFor int
	ranks   int  // ranked contests: the number of ranks
	measure bool // Yes/No
}

func synthContests(n int) []synthContest {
	cs := make([]synthContest, n)
	for i := range cs {
		switch i % 5 {
		case 0:
			cs[i] = synthContest{choices: 4, writeIn: true, voteFor: 1}
		case 1:
			cs[i] = synthContest{options: " [vote for 1]", choices: 3, writeIn: true, voteFor: 1}
		case 2:
			cs[i] = synthContest{options: " [vote for 2]", choices: 5, writeIn: true, voteFor: 2}
		case 3:
			cs[i] = synthContest{options: " [2/3]", choices: 2, voteFor: 1, measure: true}
		case 4:
			cs[i] = synthContest{options: " [ranked 3]", choices: 4, ranks: 3}
		}
	}
	return cs
}

func (c *synthContest) choiceName(k int) string {
	switch {
	case c.measure && k == 0:
		return "Yes"
	case c.measure:
		return "No"
	case c.writeIn && k == c.choices-1:
		return "Write-in"
	}
	return "Candidate " + strconv.Itoa(k+1)
}

// rankCells are the cells of ranks 1 to 3, and of an ambiguous first rank.
var rankCells = [...]string{"1", "2", "3"}

// ballot appends the cells of the contest's columns for one ballot to cells.
func (c *synthContest) ballot(rng *rand.Rand, cells []string, perm []int) []string {
	fill := func(v string) {
		for range c.choices {
			cells = append(cells, v)
		}
	}
	r := rng.IntN(100)
	switch {
	case r < 3: // not on this ballot
		fill("")
		return cells
	case r < 7: // blank
		fill("0")
		return cells
	}
	fill("0")
	row := cells[len(cells)-c.choices:]
	// The candidates (not the write-in line) a voter picks from.
	cands := c.choices
	if c.writeIn {
		cands--
	}
	switch {
	case r < 8: // overvoted: two choices marked O
		a := rng.IntN(c.choices)
		b := (a + 1 + rng.IntN(c.choices-1)) % c.choices
		row[a], row[b] = "O", "O"
		return cells
	case r < 9 && c.writeIn:
		row[c.choices-1] = "1"
		return cells
	}
	ambiguous := r < 10
	if c.ranks > 0 {
		for i := range cands {
			perm[i] = i
		}
		rng.Shuffle(cands, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for rank := range 1 + rng.IntN(c.ranks) {
			row[perm[rank]] = rankCells[rank]
		}
		if ambiguous {
			row[perm[0]] = "1A"
		}
		return cells
	}
	if ambiguous {
		row[rng.IntN(cands)] = "A"
	} else {
		row[rng.IntN(cands)] = "1"
	}
	if c.voteFor == 2 && rng.IntN(2) == 0 {
		row[rng.IntN(cands)] = "1" // may fall on the first choice: then one vote
	}
	return cells
}
