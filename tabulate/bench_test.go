package tabulate

import (
	"fmt"
	"math/rand/v2"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// BenchmarkTally counts ballots of 5 vote-for-1 contests with 5 choices each (a few percent
// blank and overvoted), with and without per-precinct tables.
func BenchmarkTally(b *testing.B) {
	const contests, choices, distinct = 5, 5, 4096
	el := &canvass.Election{}
	for c := range contests {
		ct := &canvass.Contest{Name: fmt.Sprint("Contest ", c), Type: canvass.Plurality, Seats: 1, VoteFor: 1}
		for k := range choices {
			ct.Choices = append(ct.Choices, &canvass.Choice{Name: fmt.Sprint("Choice ", k)})
		}
		el.Contests = append(el.Contests, ct)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ballots := make([]*canvass.Ballot, distinct)
	precincts := make([]string, 50)
	for i := range precincts {
		precincts[i] = fmt.Sprint("Precinct ", i)
	}
	for i := range ballots {
		bl := &canvass.Ballot{ID: fmt.Sprint(i), Precinct: precincts[rng.IntN(len(precincts))]}
		for c := range contests {
			cm := bl.AddContest(int32(c))
			switch r := rng.IntN(100); {
			case r < 3: // blank
			case r < 5: // overvote
				cm.Marks = append(cm.Marks, canvass.Mark{Choice: 0}, canvass.Mark{Choice: 1})
			default:
				cm.Marks = append(cm.Marks, canvass.Mark{Choice: int32(rng.IntN(choices))})
			}
		}
		ballots[i] = bl
	}
	for _, by := range []string{"state", "precinct"} {
		b.Run(by, func(b *testing.B) {
			t := New(el)
			n := 0
			for b.Loop() {
				bl := ballots[n%distinct]
				unit := ""
				if by == "precinct" {
					unit = bl.Precinct
				}
				t.Add(bl, unit)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
		})
	}
}
