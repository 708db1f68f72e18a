package audit

import (
	"math/rand/v2"
	"testing"
)

// ALPHA on SHANGRLA's overstatement assorter (the "alpha-comparison" method), simulated as the
// Kaplan-Markov comparison is (simulate_comparison_test.go): 2,000 audits, ballots drawn
// without replacement, at most simAllowed() confirmations of a wrong outcome.

// comparisonDraws draws up to cap ballots of 10,000 without replacement and returns the
// comparison-assorter values: ballots [0, bad) are blank but recorded for A by their CVRs, the
// next aVotes−bad are A, the rest B.
func comparisonDraws(r *rand.Rand, a Assorter, aVotes, bad, cap int) []float64 {
	perm := r.Perm(10000)[:cap]
	x := make([]float64, cap)
	for i, b := range perm {
		switch {
		case b < bad:
			x[i] = a.Comparison([]string{"A"}, nil)
		case b < aVotes:
			x[i] = a.Comparison([]string{"A"}, []string{"A"})
		default:
			x[i] = a.Comparison([]string{"B"}, []string{"B"})
		}
	}
	return x
}

func alphaComparisonStop(a Assorter, x []float64) (int, error) {
	u := a.ComparisonUpper()
	t := Alpha{N: 10000, T: 0.5, U: u, Estimator: FixedEta{Eta0: ComparisonEta(a)}}
	ps, err := t.PValues(x)
	if err != nil {
		return 0, err
	}
	for i, p := range ps {
		if p <= simAlpha {
			return i + 1, nil
		}
	}
	return 0, nil
}

// Reported A 5,200, B 4,800 of 10,000; 450 of A's CVRs are blank ballots: A truly lost.
func TestSimulateAlphaComparisonWrongOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 10000, Choices: []Choice{{"A", 5200}, {"B", 4800}}}
	as, err := ContestAssorters(c)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := 0
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		n, err := alphaComparisonStop(as[0], comparisonDraws(r, as[0], 5200, 450, 2000))
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			confirmed++
		}
	}
	if confirmed > simAllowed() {
		t.Errorf("the wrong outcome was confirmed by %d of %d audits; at most %d allowed", confirmed, simAudits, simAllowed())
	}
	t.Logf("wrong outcome confirmed by %d of %d ALPHA comparison audits", confirmed, simAudits)
}

// A correct outcome with a 5% margin and error-free CVRs: every draw is the same comparison
// value 1/(2 − v) = 1/1.95 = 0.51282, so each audit stops at the size ALPHA's constant-sequence
// sample size gives; the mean is within 20% of it (here it equals it).
func TestSimulateAlphaComparisonCorrectOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 10000, Choices: []Choice{{"A", 5250}, {"B", 4750}}}
	as, err := ContestAssorters(c)
	if err != nil {
		t.Fatal(err)
	}
	a := as[0]
	u := a.ComparisonUpper()
	x0 := a.Comparison(nil, nil)
	if x0 < 0.51281 || x0 > 0.51283 {
		t.Fatalf("comparison value without error %v, want 1/1.95", x0)
	}
	want, err := Alpha{N: 10000, T: 0.5, U: u, Estimator: FixedEta{Eta0: ComparisonEta(a)}}.SampleSize(x0, simAlpha, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	const runs = 200
	for seed := uint64(1); seed <= runs; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		n, err := alphaComparisonStop(a, comparisonDraws(r, a, 5250, 0, 1000))
		if err != nil || n == 0 {
			t.Fatalf("seed %d: no stop in 1,000 draws (%v)", seed, err)
		}
		total += float64(n)
	}
	mean := total / runs
	if mean < 0.8*float64(want) || mean > 1.2*float64(want) {
		t.Errorf("mean sample %v, expected %d", mean, want)
	}
	t.Logf("mean sample %.1f, expected %d", mean, want)
}
