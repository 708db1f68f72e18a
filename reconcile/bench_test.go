package reconcile

import (
	"fmt"
	"testing"
)

// synthetic returns a state of n units in 100 counties: one in ten units is a counting board
// with no registration of its own serving the nine units before it, each with a president and
// a council (vote for 2) contest, poll book and absentee figures, and census estimates.
func synthetic(n int) ([]UnitFigures, *Mapping) {
	figs := make([]UnitFigures, 0, n)
	m := NewMapping()
	var served []Unit
	for i := 0; i < n; i++ {
		u := Unit{Jurisdiction: fmt.Sprintf("County %d", i%100), Municipality: "City", Precinct: fmt.Sprintf("Precinct %d", i)}
		f := NewFigures(u)
		if i%10 == 9 {
			u.Precinct = fmt.Sprintf("Board %d", i)
			f.Unit = u
			f.Registered, f.Ballots = 0, 900
			for _, s := range served {
				_ = m.Add(s, u)
			}
			served = served[:0]
		} else {
			f.Registered = 1000 + int64(i%37)
			f.Ballots = 500 + int64(i%211)
			f.PollBook, f.AbsenteeReceived = f.Ballots-int64(i%3), 0
			served = append(served, u)
		}
		f.VotesByContest = map[string]int64{"President": f.Ballots - int64(i%5), "Council": 2*f.Ballots - int64(i%50)}
		f.VoteFor = map[string]int64{"Council": 2}
		f.VAP, f.CVAP = 1300, 1250
		figs = append(figs, f)
	}
	return figs, m
}

func BenchmarkCheck10k(b *testing.B) {
	figs, m := synthetic(10000)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		n = len(Check(figs, m, Options{Undervotes: true}))
	}
	b.ReportMetric(float64(n), "findings")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e4, "ns/unit")
}
