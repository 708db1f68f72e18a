package cdf

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
)

// WriteSynthetic writes a compact (no whitespace) CastVoteRecordReport in the JSON encoding of
// SP 1500-103 with the given number of ballots and contests per ballot, for benchmarks and
// differential tests. The same seed gives the same bytes.
//
// The definitions come first (so that a reader can stream in one pass): 50 precincts, 10
// scanners, and `contests` contests, of which every fifth is ranked (VoteVariation "rcv", 4
// candidates, 3 ranks) and the others are plurality (vote for 1, or 2 for every third one) with
// 2 to 5 candidates and a write-in line. Every ballot carries every contest in one "original"
// snapshot with "@type" on every object as the schema requires; per contest about 4% of ballots
// are blank (an undervote), 1% are overvoted (two positions, IsAllocable "no", Overvotes 1 and
// Status "overvoted") and 1% vote for the write-in line with a CVRWriteIn.
func WriteSynthetic(w io.Writer, ballots, contests int, seed int64) error {
	return writeSynthetic(w, ballots, contests, seed, false)
}

// synthContest describes one generated contest.
type synthContest struct {
	ranked  bool
	choices int // including the write-in line of plurality contests
	voteFor int
}

func synthContests(n int) []synthContest {
	cs := make([]synthContest, n)
	for i := range cs {
		if i%5 == 4 {
			cs[i] = synthContest{ranked: true, choices: 4, voteFor: 3}
			continue
		}
		cs[i] = synthContest{choices: 2 + i%4 + 1, voteFor: 1}
		if i%3 == 2 {
			cs[i].voteFor = 2
		}
	}
	return cs
}

// writeSynthetic is WriteSynthetic; electionLast puts the CVR array before the definitions, as
// producers that sort keys do (RCTab), to exercise the two-pass path.
func writeSynthetic(w io.Writer, ballots, contests int, seed int64, electionLast bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	cs := synthContests(contests)
	var buf []byte

	buf = append(buf, `{"@type":"CVR.CastVoteRecordReport","Version":"1.0.0","GeneratedDate":"2024-11-05T21:00:00-06:00","ReportGeneratingDeviceIds":["rd-ems"]`...)
	defs := func() {
		buf = append(buf, `,"ReportingDevice":[{"@id":"rd-ems","@type":"CVR.ReportingDevice","Application":"canvass synthetic"}`...)
		for d := range 10 {
			buf = append(buf, `,{"@id":"rd-`...)
			buf = strconv.AppendInt(buf, int64(d), 10)
			buf = append(buf, `","@type":"CVR.ReportingDevice","Model":"scanner","SerialNumber":"SN-`...)
			buf = strconv.AppendInt(buf, int64(1000+d), 10)
			buf = append(buf, `"}`...)
		}
		buf = append(buf, `],"GpUnit":[{"@id":"gpu-county","@type":"CVR.GpUnit","Name":"Synthetic County","Type":"other","OtherType":"county"}`...)
		for p := range 50 {
			buf = append(buf, `,{"@id":"gpu-`...)
			buf = strconv.AppendInt(buf, int64(p), 10)
			buf = append(buf, `","@type":"CVR.GpUnit","Name":"Precinct `...)
			buf = strconv.AppendInt(buf, int64(p+1), 10)
			buf = append(buf, `","Type":"precinct"}`...)
		}
		buf = append(buf, `],"Party":[{"@id":"p-a","@type":"CVR.Party","Name":"Alpha Party"},{"@id":"p-b","@type":"CVR.Party","Name":"Beta Party"}],"Election":[{"@id":"e-1","@type":"CVR.Election","Name":"Synthetic General","ElectionScopeId":"gpu-county","Candidate":[`...)
		first := true
		for i, c := range cs {
			for j := range c.choices {
				if !c.ranked && j == c.choices-1 {
					continue // the write-in line has no Candidate
				}
				if !first {
					buf = append(buf, ',')
				}
				first = false
				buf = append(buf, `{"@id":"k-`...)
				buf = appendPair(buf, i, j)
				buf = append(buf, `","@type":"CVR.Candidate","Name":"Candidate `...)
				buf = appendPair(buf, i, j)
				buf = append(buf, `","PartyId":"p-`...)
				buf = append(buf, "ab"[j%2])
				buf = append(buf, `"}`...)
			}
		}
		buf = append(buf, `],"Contest":[`...)
		for i, c := range cs {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"@id":"c-`...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, `","@type":"CVR.CandidateContest","Name":"Contest `...)
			buf = strconv.AppendInt(buf, int64(i+1), 10)
			if c.ranked {
				buf = append(buf, `","VoteVariation":"rcv","NumberElected":1,"VotesAllowed":`...)
			} else {
				buf = append(buf, `","VoteVariation":"plurality","NumberElected":`...)
				buf = strconv.AppendInt(buf, int64(c.voteFor), 10)
				buf = append(buf, `,"VotesAllowed":`...)
			}
			buf = strconv.AppendInt(buf, int64(c.voteFor), 10)
			buf = append(buf, `,"ContestSelection":[`...)
			for j := range c.choices {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, `{"@id":"s-`...)
				buf = appendPair(buf, i, j)
				if !c.ranked && j == c.choices-1 {
					buf = append(buf, `","@type":"CVR.CandidateSelection","IsWriteIn":true}`...)
					continue
				}
				buf = append(buf, `","@type":"CVR.CandidateSelection","CandidateIds":["k-`...)
				buf = appendPair(buf, i, j)
				buf = append(buf, `"]}`...)
			}
			buf = append(buf, `]}`...)
		}
		buf = append(buf, `]}]`...)
	}
	if !electionLast {
		defs()
	}
	buf = append(buf, `,"CVR":[`...)
	for n := range ballots {
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendSynthBallot(buf, rng, cs, n)
		if len(buf) >= 1<<15 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, ']')
	if electionLast {
		defs()
	}
	buf = append(buf, "}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// appendPair appends "i-j".
func appendPair(buf []byte, i, j int) []byte {
	buf = strconv.AppendInt(buf, int64(i), 10)
	buf = append(buf, '-')
	return strconv.AppendInt(buf, int64(j), 10)
}

func appendSynthBallot(buf []byte, rng *rand.Rand, cs []synthContest, n int) []byte {
	p := rng.IntN(50)
	buf = append(buf, `{"@type":"CVR.CVR","BallotStyleId":"bs-`...)
	buf = strconv.AppendInt(buf, int64(p%7), 10)
	buf = append(buf, `","BallotStyleUnitId":"gpu-`...)
	buf = strconv.AppendInt(buf, int64(p), 10)
	buf = append(buf, `","BatchId":"`...)
	buf = strconv.AppendInt(buf, int64(n/250), 10)
	buf = append(buf, `","CreatingDeviceId":"rd-`...)
	buf = strconv.AppendInt(buf, int64(p%10), 10)
	buf = append(buf, `","CurrentSnapshotId":"cvr-`...)
	buf = strconv.AppendInt(buf, int64(n+1), 10)
	buf = append(buf, `-o","CVRSnapshot":[{"@id":"cvr-`...)
	buf = strconv.AppendInt(buf, int64(n+1), 10)
	buf = append(buf, `-o","@type":"CVR.CVRSnapshot","Type":"original","CVRContest":[`...)
	for i, c := range cs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"@type":"CVR.CVRContest","ContestId":"c-`...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '"')
		r := rng.IntN(100)
		switch {
		case r < 4: // blank
			buf = append(buf, `,"Undervotes":`...)
			buf = strconv.AppendInt(buf, int64(c.voteFor), 10)
			buf = append(buf, `,"CVRContestSelection":[]}`...)
			continue
		case r < 5 && !c.ranked: // overvote: voteFor+1 marks, none allocable
			buf = append(buf, `,"Overvotes":1,"Status":["overvoted"],"CVRContestSelection":[`...)
			for k := range c.voteFor + 1 {
				if k > 0 {
					buf = append(buf, ',')
				}
				buf = appendSynthSel(buf, i, k, 0, "no", false)
			}
			buf = append(buf, `]}`...)
			continue
		case r < 6 && !c.ranked: // write-in
			buf = append(buf, `,"WriteIns":1,"CVRContestSelection":[`...)
			buf = appendSynthSel(buf, i, c.choices-1, 0, "yes", true)
			buf = append(buf, `]}`...)
			continue
		}
		buf = append(buf, `,"CVRContestSelection":[`...)
		if c.ranked {
			// 1 to voteFor distinct candidates, ranked 1, 2, ...
			k := 1 + rng.IntN(c.voteFor)
			first := rng.IntN(c.choices)
			for rank := 1; rank <= k; rank++ {
				if rank > 1 {
					buf = append(buf, ',')
				}
				buf = appendSynthSel(buf, i, (first+rank-1)%c.choices, rank, "yes", false)
			}
		} else {
			buf = appendSynthSel(buf, i, rng.IntN(c.choices-1), 0, "yes", false)
		}
		buf = append(buf, `]}`...)
	}
	buf = append(buf, `]}],"ElectionId":"e-1","UniqueId":"`...)
	buf = strconv.AppendInt(buf, int64(n+1), 10)
	return append(buf, `"}`...)
}

func appendSynthSel(buf []byte, contest, choice, rank int, allocable string, writeIn bool) []byte {
	buf = append(buf, `{"@type":"CVR.CVRContestSelection","ContestSelectionId":"s-`...)
	buf = appendPair(buf, contest, choice)
	buf = append(buf, `","SelectionPosition":[{"@type":"CVR.SelectionPosition","HasIndication":"yes","IsAllocable":"`...)
	buf = append(buf, allocable...)
	buf = append(buf, `","NumberVotes":1`...)
	if rank > 0 {
		buf = append(buf, `,"Rank":`...)
		buf = strconv.AppendInt(buf, int64(rank), 10)
	}
	if writeIn {
		buf = append(buf, `,"CVRWriteIn":{"@type":"CVR.CVRWriteIn","Text":"Jane Roe"}`...)
	}
	return append(buf, `}]}`...)
}
