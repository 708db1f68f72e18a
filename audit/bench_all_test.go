package audit

import (
	"fmt"
	"testing"
)

// BenchmarkSampleSizes2M plans the first round of every method for one 2,000,000-ballot
// contest with a 2-point margin (A 980,000, B 940,000, 80,000 ballots without a vote for
// either): the figure docs/PERFORMANCE.md compares with the best-known audit tool's 1.07 s for
// SUITE alone. For SUITE the ballots are split into 1,000,000 with CVRs and 1,000,000 without;
// for MACRO into 2,000 batches of 1,000 ballots with the same shares.
func BenchmarkSampleSizes2M(b *testing.B) {
	c := &Contest{Name: "bench", Ballots: 2000000, Choices: []Choice{{"A", 980000}, {"B", 940000}}}
	h := &HybridContest{Contest: c,
		CVR:   Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}},
		NoCVR: Stratum{Ballots: 1000000, Votes: map[string]int64{"A": 490000, "B": 470000}}}
	batches := make([]Batch, 2000)
	for i := range batches {
		batches[i] = Batch{Name: fmt.Sprint(i), Reported: map[string]int64{"A": 490, "B": 470}, Ballots: 1000}
	}
	mu, _ := c.DilutedMargin()
	as, _ := ContestAssorters(c)
	a := as[0]
	cases := []struct {
		name string
		fn   func() error
	}{
		{"bravo", func() error { _, err := BravoSampleSizes(c, 0.05, nil, 0, []float64{0.7, 0.8, 0.9}); return err }},
		{"minerva", func() error { _, err := MinervaSampleSize(c, 0.05, 0.9, nil); return err }},
		{"alpha-polling", func() error {
			_, err := Alpha{N: c.Ballots, T: 0.5, U: a.Upper, Estimator: DefaultShrinkTrunc(0.5, a.Upper, a.Mean)}.SampleSize(a.Mean, 0.05, int(c.Ballots))
			return err
		}},
		{"supersimple", func() error { _, err := SuperSimpleSampleSize(0.05, mu, DefaultGamma, Discrepancies{}); return err }},
		{"alpha-comparison", func() error {
			u := a.ComparisonUpper()
			_, err := Alpha{N: c.Ballots, T: 0.5, U: u, Estimator: FixedEta{Eta0: ComparisonEta(a)}}.SampleSize(a.Comparison(nil, nil), 0.05, int(c.Ballots))
			return err
		}},
		{"macro", func() error { _, err := MacroSampleSize(c, batches, 0.05); return err }},
		{"suite", func() error { _, _, err := SuiteSampleSizes(h, 0.05); return err }},
	}
	for _, cs := range cases {
		b.Run(cs.name, func(b *testing.B) {
			for b.Loop() {
				if err := cs.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
