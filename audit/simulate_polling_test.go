package audit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The simulations draw ballots without replacement from a population of 10,000 with "A" and
// "B" votes, seeds 1..2000 (math/rand/v2 PCG), with risk limit α = 0.05.
const (
	pollRuns  = 2000
	pollAlpha = 0.05
	pollN     = 10000
)

// pollDrawer draws without replacement by a lazy Fisher-Yates shuffle: 1 for A, 0 for B.
type pollDrawer struct {
	pop []float64
	i   int
	r   *rand.Rand
}

func newPollDrawer(pop []float64, seed uint64) *pollDrawer {
	return &pollDrawer{pop: append([]float64(nil), pop...), r: rand.New(rand.NewPCG(seed, 0x5eed))}
}

func (d *pollDrawer) next() float64 {
	j := d.i + d.r.IntN(len(d.pop)-d.i)
	d.pop[d.i], d.pop[j] = d.pop[j], d.pop[d.i]
	d.i++
	return d.pop[d.i-1]
}

func pollPopulation(a int) []float64 {
	p := make([]float64, pollN)
	for i := range a {
		p[i] = 1
	}
	return p
}

// reported is the reported outcome; wrong is the truth when A actually lost (4,950 to 5,050);
// right is the truth of a correct outcome with a 5% margin (5,250 to 4,750).
var (
	pollWrongReported = &Contest{Name: "wrong", Ballots: pollN, Choices: []Choice{{"A", 5200}, {"B", 4800}}}
	pollRightReported = &Contest{Name: "right", Ballots: pollN, Choices: []Choice{{"A", 5250}, {"B", 4750}}}
	pollWrongTruth    = pollPopulation(4950)
	pollRightTruth    = pollPopulation(5250)
)

// Each run returns the number of ballots drawn and whether the audit confirmed the reported
// outcome (false: it went to a full count).
type pollAudit func(c *Contest, truth []float64, seed uint64) (int, bool)

// bravoSim is sequential BRAVO, ballot by ballot (rounds of one), BravoPValue's statistic.
func bravoSim(c *Contest, truth []float64, seed uint64) (int, bool) {
	tests, _ := bravoTests(c)
	b := tests[0]
	d := newPollDrawer(truth, seed)
	logT, target := 0.0, math.Log(1/pollAlpha)
	for n := 1; n <= len(truth); n++ {
		if d.next() == 1 {
			logT += b.plus()
		} else {
			logT += b.minus()
		}
		if logT >= target {
			return n, true
		}
	}
	return len(truth), false
}

// pollMinervaSchedule is the fixed round schedule; the last round is the full count.
var pollMinervaSchedule = []int64{1000, 2000, 3000, 4000, 6000, 8000}

func minervaSim(c *Contest, truth []float64, seed uint64, kmins []int64) (int, bool) {
	d := newPollDrawer(truth, seed)
	var n, k int64
	for j, size := range pollMinervaSchedule {
		for ; n < size; n++ {
			k += int64(d.next())
		}
		if kmins[j] >= 0 && k >= kmins[j] {
			return int(n), true
		}
	}
	return len(truth), false
}

// alphaSim is ALPHA with the shrink-truncate estimator started at the reported mean.
func alphaSim(c *Contest, truth []float64, seed uint64) (int, bool) {
	as, _ := ContestAssorters(c)
	a := Alpha{N: pollN, T: 0.5, U: 1, Estimator: DefaultShrinkTrunc(0.5, 1, as[0].Mean)}
	d := newPollDrawer(truth, seed)
	x := make([]float64, len(truth))
	for i := range x {
		x[i] = d.next()
	}
	p, _ := a.PValues(x)
	for j, v := range p {
		if v <= pollAlpha {
			return j + 1, true
		}
	}
	return len(truth), false
}

func pollRunSims(t *testing.T, name string, c *Contest, truth []float64, audit pollAudit) (confirmed int, meanSize float64) {
	t.Helper()
	var total int
	for seed := uint64(1); seed <= pollRuns; seed++ {
		n, ok := audit(c, truth, seed)
		if ok {
			confirmed++
		}
		total += n
	}
	return confirmed, float64(total) / pollRuns
}

// The risk limit holds: a wrong outcome is confirmed in at most α·2000 + 3√(α·2000) = 130.4
// of 2,000 audits.
func pollCheckRisk(t *testing.T, name string, confirmed int) {
	t.Helper()
	bound := pollAlpha*pollRuns + 3*math.Sqrt(pollAlpha*pollRuns)
	if float64(confirmed) > bound {
		t.Errorf("%s: wrong outcome confirmed %d times of %d (bound %.1f)", name, confirmed, pollRuns, bound)
	}
	t.Logf("%s: wrong outcome confirmed %d of %d", name, confirmed, pollRuns)
}

func pollCheckSize(t *testing.T, name string, mean, expected float64) {
	t.Helper()
	if math.Abs(mean-expected) > 0.2*expected {
		t.Errorf("%s: mean sample %.1f, expected %.1f (more than 20%% apart)", name, mean, expected)
	}
	t.Logf("%s: mean sample %.1f, expected %.1f", name, mean, expected)
}

func TestSimulateBravo(t *testing.T) {
	conf, _ := pollRunSims(t, "bravo", pollWrongReported, pollWrongTruth, bravoSim)
	pollCheckRisk(t, "BRAVO", conf)
	_, mean := pollRunSims(t, "bravo", pollRightReported, pollRightTruth, bravoSim)
	asn, err := BravoASN(pollRightReported, pollAlpha)
	if err != nil {
		t.Fatal(err)
	}
	pollCheckSize(t, "BRAVO", mean, asn)
}

// pollMinervaExpected is the expected number of ballots of the fixed schedule under the
// alternative: Σ_j n_j P(stop in round j) + N·P(no stop), from the same truncated
// distributions as the thresholds (binomial, i.e. with replacement).
func pollMinervaExpected(s float64, kmins []int64) float64 {
	var st minervaState
	var e, stopped float64
	for j, n := range pollMinervaSchedule {
		_, t1 := st.advance(n, s)
		if kmins[j] >= 0 {
			p := t1[kmins[j]]
			e += float64(n) * p
			stopped += p
		}
		st.stop(kmins[j])
	}
	return e + pollN*(1-stopped)
}

func TestSimulateMinerva(t *testing.T) {
	kWrong, err := MinervaKmins(0.52, pollMinervaSchedule, pollAlpha)
	if err != nil {
		t.Fatal(err)
	}
	conf, _ := pollRunSims(t, "minerva", pollWrongReported, pollWrongTruth, func(c *Contest, truth []float64, seed uint64) (int, bool) {
		return minervaSim(c, truth, seed, kWrong)
	})
	pollCheckRisk(t, "Minerva", conf)
	kRight, err := MinervaKmins(0.525, pollMinervaSchedule, pollAlpha)
	if err != nil {
		t.Fatal(err)
	}
	_, mean := pollRunSims(t, "minerva", pollRightReported, pollRightTruth, func(c *Contest, truth []float64, seed uint64) (int, bool) {
		return minervaSim(c, truth, seed, kRight)
	})
	pollCheckSize(t, "Minerva", mean, pollMinervaExpected(0.525, kRight))
}

// The expected size for ALPHA polling with a correct 52.5% outcome is Wald's ASN of the
// martingale with η = 0.525: ln(1/α)/(0.525 ln 1.05 + 0.475 ln 0.95) = 2.9957/0.0012505 =
// 2395.6 (for draws with replacement; shrink-truncate starts at that η).
func TestSimulateAlpha(t *testing.T) {
	conf, _ := pollRunSims(t, "alpha", pollWrongReported, pollWrongTruth, alphaSim)
	pollCheckRisk(t, "ALPHA", conf)
	_, mean := pollRunSims(t, "alpha", pollRightReported, pollRightTruth, alphaSim)
	wald := math.Log(1/pollAlpha) / (0.525*math.Log(1.05) + 0.475*math.Log(0.95))
	pollCheckSize(t, "ALPHA", mean, wald)
}
