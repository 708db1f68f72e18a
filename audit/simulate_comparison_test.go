package audit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Simulations of the comparison methods: 2,000 audits each (math/rand/v2 PCG, seeds 1..2000).
// A risk-limiting audit of a wrong outcome confirms it with probability at most α, so out of
// 2,000 audits at α = 0.05 at most α·2000 + 3·sqrt(α·2000) = 100 + 30 = 130 may confirm (a
// three-sigma allowance over the binomial mean). An audit that reaches its draw cap goes to a
// full hand count, which finds the true outcome.

const (
	simAudits = 2000
	simAlpha  = 0.05
)

func simAllowed() int { return int(simAlpha*simAudits + 3*math.Sqrt(simAlpha*simAudits)) }

// Ballot-level comparison. The reported count is A 5,200, B 4,800 of 10,000 ballots (μ = 0.04);
// 450 of the ballots the CVRs record for A are blank, so the true count is A 4,750, B 4,800:
// the reported winner lost. Each draw picks a ballot uniformly (with replacement), compares it
// with its CVR, and the audit stops when the Kaplan-Markov p-value reaches α.
func TestSimulateComparisonWrongOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 10000, Choices: []Choice{{"A", 5200}, {"B", 4800}}}
	mu, err := c.DilutedMargin()
	if err != nil {
		t.Fatal(err)
	}
	blank, err := BallotDiscrepancy(c, []string{"A"}, nil, true) // a CVR vote for A on a blank ballot
	if err != nil || blank != 1 {
		t.Fatalf("discrepancy of a blank ballot read as A: %d, %v", blank, err)
	}
	const bad, cap = 450, 2000
	confirmed := 0
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		var d Discrepancies
		for n := int64(1); n <= cap; n++ {
			if r.IntN(int(c.Ballots)) < bad {
				d.Add(blank)
			}
			if KaplanMarkovComparisonPValue(n, mu, DefaultGamma, d) <= simAlpha {
				confirmed++
				break
			}
		}
	}
	if confirmed > simAllowed() {
		t.Errorf("the wrong outcome was confirmed by %d of %d audits; at most %d allowed", confirmed, simAudits, simAllowed())
	}
	t.Logf("wrong outcome confirmed by %d of %d comparison audits", confirmed, simAudits)
}

// A correct outcome with a 5% margin (A 5,250, B 4,750 of 10,000) and CVRs without error: every
// audit stops within 20% of SuperSimpleSampleSize (125 draws at α = 0.05, μ = 0.05).
func TestSimulateComparisonCorrectOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 10000, Choices: []Choice{{"A", 5250}, {"B", 4750}}}
	mu, err := c.DilutedMargin()
	if err != nil {
		t.Fatal(err)
	}
	want, err := SuperSimpleSampleSize(simAlpha, mu, DefaultGamma, Discrepancies{})
	if err != nil || want != 125 {
		t.Fatalf("expected sample size %d, %v; want 125 (hand-computed ⌈2γ ln 20/0.05⌉)", want, err)
	}
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		var d Discrepancies
		n := int64(0)
		for n < c.Ballots {
			n++
			v := []string{"A"}
			if r.IntN(int(c.Ballots)) >= 5250 {
				v = []string{"B"}
			}
			e, err := BallotDiscrepancy(c, v, v, true)
			if err != nil {
				t.Fatal(err)
			}
			d.Add(e)
			if KaplanMarkovComparisonPValue(n, mu, DefaultGamma, d) <= simAlpha {
				break
			}
		}
		if math.Abs(float64(n-want)) > 0.2*float64(want) {
			t.Fatalf("seed %d: stopped after %d draws; expected %d ± 20%%", seed, n, want)
		}
	}
}

// simBatches is 200 batches of 100 ballots, each reported A 55, B 45 (A 11,000, B 9,000 of
// 20,000: margin 2,000, 10%; every u_p = (10 + 100)/2000 = 0.055, U = 11).
func simBatches() (*Contest, []Batch) {
	c := &Contest{Name: "sim", Ballots: 20000, Choices: []Choice{{"A", 11000}, {"B", 9000}}}
	bs := make([]Batch, 200)
	for i := range bs {
		bs[i] = Batch{Reported: map[string]int64{"A": 55, "B": 45}, Ballots: 100}
	}
	return c, bs
}

// ppebDraw draws a batch index with the PPEB probabilities w.
func ppebDraw(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// MACRO. Of the 200 batches, 19 were really A 0, B 100 (overstatement 110 votes each, 2,090 in
// all, more than the 2,000-vote margin): the reported winner lost. Draws follow PPEBWeights;
// the audit stops when MacroPValue reaches α, or counts everything after 300 draws. (The chance
// of confirming is the chance of missing the 19 batches in the ⌈ln 20/ln(11/10)⌉ = 32 draws the
// clean ones need: 0.905^32 ≈ 0.041, close to α.)
func TestSimulateMacroWrongOutcome(t *testing.T) {
	c, bs := simBatches()
	for i := range bs {
		bs[i].Audited = bs[i].Reported
		if i%10 == 3 && i < 190 {
			bs[i].Audited = map[string]int64{"A": 0, "B": 100}
		}
	}
	w := PPEBWeights(c, bs)
	cum := make([]float64, len(w))
	var s float64
	for i, x := range w {
		s += x
		cum[i] = s
	}
	// MacroPValue is the minimum over the prefixes of the draws, so it reaches α on the whole
	// sequence exactly when the sequential audit would have stopped at some draw: one call per
	// audit suffices.
	const cap = 300
	confirmed := 0
	sample := make([]int, cap)
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		for i := range sample {
			sample[i] = ppebDraw(r, cum)
		}
		p, err := MacroPValue(c, bs, sample)
		if err != nil {
			t.Fatal(err)
		}
		if p <= simAlpha {
			confirmed++
		}
	}
	if confirmed > simAllowed() {
		t.Errorf("the wrong outcome was confirmed by %d of %d MACRO audits; at most %d allowed", confirmed, simAudits, simAllowed())
	}
	t.Logf("wrong outcome confirmed by %d of %d MACRO audits", confirmed, simAudits)
}

// A correct outcome with a 5% margin and no errors: 200 batches of 100 ballots reported (and
// counted) A 52, B 47 plus one blank (A 10,400, B 9,400: margin 1,000 of 20,000). Every audit
// stops within 20% of MacroSampleSize.
func TestSimulateMacroCorrectOutcome(t *testing.T) {
	c := &Contest{Name: "sim", Ballots: 20000, Choices: []Choice{{"A", 10400}, {"B", 9400}}}
	bs := make([]Batch, 200)
	for i := range bs {
		bs[i] = Batch{Reported: map[string]int64{"A": 52, "B": 47}, Ballots: 100}
	}
	want, err := MacroSampleSize(c, bs, simAlpha)
	// Hand-computed: U = 200·(5 + 100)/1000 = 21; ⌈ln 20 / ln(21/20)⌉ = ⌈61.4⌉ = 62.
	if err != nil || want != 62 {
		t.Fatalf("MacroSampleSize %d, %v; want 62", want, err)
	}
	for i := range bs {
		bs[i].Audited = bs[i].Reported
	}
	w := PPEBWeights(c, bs)
	cum := make([]float64, len(w))
	var s float64
	for i, x := range w {
		s += x
		cum[i] = s
	}
	// The stopping draw is the shortest prefix whose p-value reaches α; the p-value of a prefix
	// does not increase with its length, so a binary search finds it.
	sample := make([]int, 2*want)
	for seed := uint64(1); seed <= simAudits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		for i := range sample {
			sample[i] = ppebDraw(r, cum)
		}
		lo, hi := 1, len(sample)
		for lo < hi {
			m := (lo + hi) / 2
			p, err := MacroPValue(c, bs, sample[:m])
			if err != nil {
				t.Fatal(err)
			}
			if p <= simAlpha {
				hi = m
			} else {
				lo = m + 1
			}
		}
		if p, _ := MacroPValue(c, bs, sample[:lo]); p > simAlpha {
			t.Fatalf("seed %d: not confirmed in %d draws", seed, lo)
		}
		if n := int64(lo); math.Abs(float64(n-want)) > 0.2*float64(want) {
			t.Fatalf("seed %d: stopped after %d draws; expected %d ± 20%%", seed, n, want)
		}
	}
}
