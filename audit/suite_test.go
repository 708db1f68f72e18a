package audit

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Chi-square upper percentage points from the tables (e.g. NIST/SEMATECH e-Handbook of
// Statistical Methods, 1.3.6.7.4, "Critical values of the chi-square distribution"): P(χ²_ν > x).
func TestFisherCombinedChiSquareTable(t *testing.T) {
	for _, tc := range []struct {
		x    float64 // −2 Σ ln p
		k    int     // number of p-values: ν = 2k degrees of freedom
		want float64
	}{
		{5.991, 1, 0.05},
		{9.210, 1, 0.01},
		{7.779, 2, 0.10},
		{9.488, 2, 0.05},
		{13.277, 2, 0.01},
		{18.467, 2, 0.001},
		{12.592, 3, 0.05},
		{15.507, 4, 0.05},
	} {
		// Split x evenly among k p-values: p = e^{−x/(2k)}.
		ps := make([]float64, tc.k)
		for i := range ps {
			ps[i] = math.Exp(-tc.x / (2 * float64(tc.k)))
		}
		if got := FisherCombined(ps...); math.Abs(got-tc.want) > 5e-4*tc.want+1e-5 {
			t.Errorf("χ²_%d > %v: FisherCombined = %.6f; want %v", 2*tc.k, tc.x, got, tc.want)
		}
	}
	// The brief's point: −2 Σ ln p = 9.4877 with 4 degrees of freedom is the 5% point.
	if got := FisherCombined(math.Exp(-9.4877/2), 1); math.Abs(got-0.05) > 1e-5 {
		t.Errorf("FisherCombined at 9.4877, 4 d.o.f. = %v; want 0.05", got)
	}
	// With one p-value, χ²₂'s survival function is e^{−x/2}, so Fisher's combination is p itself.
	for _, p := range []float64{1, 0.5, 0.05, 1e-9} {
		if got := FisherCombined(p); math.Abs(got-p) > 1e-15 {
			t.Errorf("FisherCombined(%v) = %v; want %v", p, got, p)
		}
	}
	// Zero p-value: the combination is 0; out-of-range and NaN count as 1; no p-values give 1.
	if got := FisherCombined(0, 0.5); got != 0 {
		t.Errorf("FisherCombined(0, 0.5) = %v; want 0", got)
	}
	if a, b := FisherCombined(2, 0.05), FisherCombined(1, 0.05); a != b {
		t.Errorf("FisherCombined(2, 0.05) = %v, want it equal to FisherCombined(1, 0.05) = %v", a, b)
	}
	if a, b := FisherCombined(math.NaN(), 0.05), FisherCombined(1, 0.05); a != b {
		t.Errorf("FisherCombined(NaN, 0.05) = %v, want %v", a, b)
	}
	if got := FisherCombined(); got != 1 {
		t.Errorf("FisherCombined() = %v; want 1", got)
	}
	// Fisher's combination of 1 and p with 4 d.o.f. is p(1 − ln p), hand-computed: 0.05(1 + 2.9957) = 0.19979.
	if got := FisherCombined(1, 0.05); math.Abs(got-0.05*(1-math.Log(0.05))) > 1e-15 {
		t.Errorf("FisherCombined(1, 0.05) = %v; want 0.19979", got)
	}
}

// Arlo test_suite.py test_fishers_combined, from CORLA18's fisher_combined_pvalue.ipynb: 11,000
// ballots, the CVR stratum (10,000) reports 4,550 for the winner and 4,950 for the loser, the
// no-CVR stratum (1,000) 750 and 150; V = 200.
func arloExample() *HybridContest {
	return &HybridContest{
		Contest: &Contest{Name: "ex1", Ballots: 11000, Choices: []Choice{{"winner", 5300}, {"loser", 5100}}},
		CVR:     Stratum{Ballots: 10000, Votes: map[string]int64{"winner": 4550, "loser": 4950}},
		NoCVR:   Stratum{Ballots: 1000, Votes: map[string]int64{"winner": 750, "loser": 150}},
	}
}

func TestSuiteArloFishersCombined(t *testing.T) {
	// 500 comparison draws without discrepancies, λ = 0.3: Arlo 0.23557770396261943.
	c := suiteCVR{ballots: 10000, draws: 500, gamma: DefaultGamma}
	if got := math.Exp(c.logP(0.3 * 200)); math.Abs(got-0.23557770396261943) > 1e-12 {
		t.Errorf("CVR stratum p-value at λ = 0.3: %v; want 0.23557770396261943", got)
	}
	// For λ > 0 it is KaplanMarkovComparisonPValue with the diluted margin λV/N₁.
	if got, want := math.Exp(c.logP(0.3*200)), KaplanMarkovComparisonPValue(500, 0.3*200/10000, DefaultGamma, Discrepancies{}); math.Abs(got-want) > 1e-12 {
		t.Errorf("CVR stratum p-value %v, KaplanMarkovComparisonPValue %v", got, want)
	}
	// 250 polling draws, 187 for the winner and 37 for the loser, 1 − λ = 0.7: the null margin is
	// 600 − 0.7·200 = 460; Arlo 0.006068185147942991.
	p := newSuitePolling(1000, 750, 150, 187, 37, 26)
	if got := math.Exp(p.logP(600 - 0.7*200)); math.Abs(got-0.006068185147942991) > 1e-10 {
		t.Errorf("no-CVR stratum p-value at 1 − λ = 0.7: %v; want 0.006068185147942991", got)
	}
	// Arlo's compute_risk: 0.07049896663377597, the maximum over a grid of step 0.05, a lower
	// bound on the maximum over λ, which SuitePValue finds exactly; the grid loses little.
	got, err := SuitePValue(arloExample(), 0.05, SuiteCVRSample{Draws: 500}, map[string]int64{"winner": 187, "loser": 37}, 250)
	if err != nil || got < 0.07049896663377597 || got > 0.0707 || got <= 0.05 {
		t.Errorf("SuitePValue = %v, %v; want at least Arlo's grid value 0.0704990 and within 2e-4 of it", got, err)
	}
	// A brute-force scan of λ with step 1e-4 over the feasible range does not beat it. The range
	// (CORLA18 calculate_lambda_range, by hand): λ ≥ max(−400 − 10,000, 200 − (600 + 1,000))/200
	// = −7 and λ ≤ min(−400 + 10,000, 200 − (600 − 1,000))/200 = 3.
	pairs, _ := suiteSetup(arloExample())
	pr := &pairs[0]
	pr.setSamples(500, 0, 250, 187, 37)
	if pr.lb != -7 || pr.ub != 3 {
		t.Errorf("λ range [%v, %v]; want [−7, 3]", pr.lb, pr.ub)
	}
	scan := 0.0
	for l := -7.0; l <= 3; l += 1e-4 {
		scan = math.Max(scan, chiSquareSFEven(pr.stat(l), 2))
	}
	if scan > got+1e-9 || scan < got-1e-6 {
		t.Errorf("scan maximum %v, SuitePValue %v", scan, got)
	}
}

// Arlo test_suite.py test_sprt_functionality and test_sprt_analytic_example (CORLA18 sprt.py's
// tests), the polling stratum alone with λ = 1 (null margin 0). The analytic ones by hand: N = 10
// with 6 for w and 4 for ℓ, a sample w w w ℓ: the alternative's likelihood is 6·5·4·4 = 480,
// the null's (N_w = N_ℓ, N_u = 10 − 2N_w ≥ 0) is largest at N_w = 5: 5·4·3·5 = 300, so LR = 1.6
// and p = 0.625; a sample w w ℓ: 6·5·4 = 120 against 5·4·5 = 100, p = 1/1.2.
func TestSuitePollingArloSPRT(t *testing.T) {
	for _, tc := range []struct {
		n, vw, vl, nw, nl, nu int64
		want                  float64
	}{
		{1000, 500, 450, 50, 50, 0, 1},
		{1000, 600, 400, 60, 40, 0, 0.10693399},
		{1000, 500, 450, 110, 100, 40, 1},
		{1000, 500, 450, 40, 60, 0, 1},
		{10, 5, 4, 2, 2, 0, 1},
		{10, 6, 4, 3, 1, 0, 0.625},
		{10, 6, 4, 2, 1, 0, 0.83333333},
	} {
		p := newSuitePolling(tc.n, tc.vw, tc.vl, tc.nw, tc.nl, tc.nu)
		if got := math.Exp(p.logP(0)); math.Abs(got-tc.want) > 5e-8 {
			t.Errorf("%+v: p = %.9f; want %v", tc, got, tc.want)
		}
	}
	// Arlo test_edge_cases: N = 10, 5 for w and 4 for ℓ, sample 2 and 2, null_lambda 8 (null
	// margin 1 − 8·1 = −7): "Null is impossible, given the sample" (N_w ≥ 2 and N_ℓ = N_w + 7 ≥ 2
	// with N_w + N_ℓ ≤ 10 leave N_w ≤ 1.5); Arlo's maximization takes its p-value as 0.
	p := newSuitePolling(10, 5, 4, 2, 2, 0)
	if got := p.logP(1 - 8*1); !math.IsInf(got, -1) {
		t.Errorf("impossible null: ln p = %v; want −∞", got)
	}
}

// Arlo test_suite.py test_cvr_compute_risk: the comparison stratum alone with λ = 1, the sample
// size Arlo's supersimple.get_sample_sizes gives at a 10% risk limit (ComparisonSampleSizes),
// without discrepancies, with one one-vote and with one two-vote overstatement.
func TestSuiteCVRArlo(t *testing.T) {
	for _, tc := range []struct {
		name               string
		winner, loser, bal int64
		none, o1, o2       float64
	}{
		{"Contest A", 60000, 40000, 100000, 0.06507, 0.12534, 1.0},
		{"Contest B", 30000, 24000, 60000, 0.06973, 0.13441, 1.0},
		{"Contest C", 18000, 12600, 36000, 0.06740, 0.12992, 1.0},
		{"Contest D", 8000, 6000, 15000, 0.07048, 0.13585, 1.0},
		{"Contest E", 10000, 0, 10000, 0.01950, 0.03758, 0.51877},
	} {
		c := &Contest{Name: tc.name, Ballots: tc.bal, Choices: []Choice{{"winner", tc.winner}, {"loser", tc.loser}}}
		n, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		v := float64(tc.winner - tc.loser)
		for _, d := range []struct {
			d    Discrepancies
			want float64
		}{{Discrepancies{}, tc.none}, {Discrepancies{O1: 1}, tc.o1}, {Discrepancies{O2: 1}, tc.o2}} {
			s := suiteCVR{ballots: tc.bal, draws: n, gamma: DefaultGamma,
				disc: superSimpleLogTerm(1, DefaultGamma, float64(d.d.O1), float64(d.d.O2), 0, 0)}
			if got := math.Exp(s.logP(v)); math.Abs(got-d.want) > 1e-3 {
				t.Errorf("%s, %d draws, %+v: p = %.5f; want %v", tc.name, n, d.d, got, d.want)
			}
		}
	}
}

// Arlo test_suite.py test_get_sample_size computes (150 no-CVR, 1,510 CVR) for the example at α
// = 5% without asserting it; Arlo grows n by 1.1, evaluates a grid's lower bound on the
// p-value and accepts an expected p-value between 0.8α and α. SuiteSampleSizes finds the
// smallest n: the expected samples confirm at n and not at n − 1.
func TestSuiteSampleSizesArloExample(t *testing.T) {
	h := arloExample()
	cvr, nocvr, err := SuiteSampleSizes(h, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	n := cvr + nocvr
	if cvr != int64(math.Ceil(float64(n)*10000/11000)) {
		t.Errorf("split %d + %d is not proportional to the strata", cvr, nocvr)
	}
	if n < 1500 || n > 1660 {
		t.Errorf("sizes (%d, %d), total %d; Arlo's search gives 1,660", cvr, nocvr, n)
	}
	expected := func(n int64) float64 {
		c := int64(math.Ceil(float64(n) * 10000 / 11000))
		p := n - c
		nw, nl := p*750/1000, p*150/1000
		r, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: c}, map[string]int64{"winner": nw, "loser": nl}, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if p := expected(n); p > 0.05 {
		t.Errorf("expected p-value at the planned %d draws is %v > 0.05", n, p)
	}
	if p := expected(n - 1); p <= 0.05 {
		t.Errorf("expected p-value at %d draws is %v ≤ 0.05: the plan is not the smallest", n-1, p)
	}
	t.Logf("SUITE sample sizes for Arlo's example at α = 0.05: %d CVR + %d no-CVR (Arlo: 1,510 + 150)", cvr, nocvr)
}

// Properties: p-values lie in [0, 1], grow with the overstatements found, shrink with the
// understatements, with the winner's votes in the polling sample (up to the reported share) and
// with more comparison draws.
func TestSuitePValueProperties(t *testing.T) {
	h := arloExample()
	poll := map[string]int64{"winner": 187, "loser": 37}
	prev := -1.0
	for _, d := range []Discrepancies{{}, {O1: 1}, {O1: 2}, {O1: 2, O2: 1}, {O1: 3, O2: 2}} {
		p, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: 500, Discrepancies: d}, poll, 250)
		if err != nil || p < 0 || p > 1 || p < prev {
			t.Errorf("%+v: p = %v, %v; want in [0, 1] and at least %v", d, p, err, prev)
		}
		prev = p
	}
	// Understatements lower the p-value.
	base, _ := SuitePValue(h, 0.05, SuiteCVRSample{Draws: 500}, poll, 250)
	if u, _ := SuitePValue(h, 0.05, SuiteCVRSample{Draws: 500, Discrepancies: Discrepancies{U1: 2}}, poll, 250); !(u < base) {
		t.Errorf("understatements: %v; want below %v", u, base)
	}
	prev = 2
	// Up to the reported share (75%): beyond it the SPRT's fixed alternative (the reported
	// tally) explains the sample less well too, and the likelihood ratio is not monotone.
	for w := int64(112); w <= 168; w += 8 {
		p, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: 500}, map[string]int64{"winner": w, "loser": 224 - w}, 250)
		if err != nil || p < 0 || p > 1 || p > prev {
			t.Errorf("%d winner votes: p = %v, %v; want in [0, 1] and at most %v", w, p, err, prev)
		}
		prev = p
	}
	prev = 2
	for n := int64(0); n <= 2000; n += 250 {
		p, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: n}, poll, 250)
		if err != nil || p < 0 || p > 1 || p > prev {
			t.Errorf("%d comparison draws: p = %v, %v; want in [0, 1] and at most %v", n, p, err, prev)
		}
		prev = p
	}
	// No samples: nothing is confirmed.
	if p, err := SuitePValue(h, 0.05, SuiteCVRSample{}, nil, 0); p != 1 || err != nil {
		t.Errorf("no sample: %v, %v; want 1", p, err)
	}
	// A polling sample the alternative rules out (more winner votes than reported) gives the
	// polling stratum p = 1, so the comparison stratum must carry the whole margin alone.
	hi, _ := SuitePValue(&HybridContest{Contest: h.Contest, CVR: h.CVR,
		NoCVR: Stratum{Ballots: 1000, Votes: map[string]int64{"winner": 750, "loser": 150}}},
		0.05, SuiteCVRSample{Draws: 500}, map[string]int64{"winner": 0, "loser": 0}, 0)
	if hi != 1 {
		t.Errorf("no polling sample: %v; want 1 (the polling stratum can hold all the error)", hi)
	}
}

// Several candidates: the risk is the largest over the (winner, loser) pairs, so it is at
// least each pair's two-candidate risk.
func TestSuiteMultiCandidate(t *testing.T) {
	h := &HybridContest{
		Contest: &Contest{Name: "three", Ballots: 20000, Choices: []Choice{{"A", 9000}, {"B", 8000}, {"C", 2500}}},
		CVR:     Stratum{Ballots: 15000, Votes: map[string]int64{"A": 6800, "B": 6000, "C": 1900}},
		NoCVR:   Stratum{Ballots: 5000, Votes: map[string]int64{"A": 2200, "B": 2000, "C": 600}},
	}
	sample := map[string]int64{"A": 440, "B": 400, "C": 120}
	p, err := SuitePValue(h, 0.1, SuiteCVRSample{Draws: 1500}, sample, 1000)
	if err != nil {
		t.Fatal(err)
	}
	pairs, _ := suiteSetup(h)
	worst := 0.0
	for i := range pairs {
		pairs[i].setSamples(1500, 0, 1000, sample[pairs[i].win], sample[pairs[i].lose])
		worst = math.Max(worst, pairs[i].maxPValue())
	}
	if p != worst || len(pairs) != 2 {
		t.Errorf("p = %v over %d pairs; want the largest pair p-value %v", p, len(pairs), worst)
	}
	cvr, nocvr, err := SuiteSampleSizes(h, 0.1)
	if err != nil || cvr <= 0 || nocvr <= 0 || cvr+nocvr >= 20000 {
		t.Errorf("sample sizes (%d, %d), %v", cvr, nocvr, err)
	}
}

func TestSuiteErrors(t *testing.T) {
	good := arloExample()
	poll := map[string]int64{"winner": 187, "loser": 37}
	for _, tc := range []struct {
		name string
		h    *HybridContest
		cvr  SuiteCVRSample
		poll map[string]int64
		n    int64
		a    float64
		want error
	}{
		{"risk limit", good, SuiteCVRSample{}, nil, 0, 0.7, ErrRiskLimit},
		{"nil", nil, SuiteCVRSample{}, nil, 0, 0.05, ErrSuite},
		{"strata don't add up", &HybridContest{Contest: good.Contest, CVR: Stratum{9000, good.CVR.Votes}, NoCVR: good.NoCVR}, SuiteCVRSample{}, nil, 0, 0.05, ErrSuite},
		{"votes don't add up", &HybridContest{Contest: good.Contest, CVR: good.CVR, NoCVR: Stratum{1000, map[string]int64{"winner": 700, "loser": 150}}}, SuiteCVRSample{}, nil, 0, 0.05, ErrSuite},
		{"unknown stratum choice", &HybridContest{Contest: good.Contest, CVR: good.CVR, NoCVR: Stratum{1000, map[string]int64{"winner": 750, "loser": 150, "X": 1}}}, SuiteCVRSample{}, nil, 0, 0.05, ErrUnknownChoice},
		{"empty stratum", &HybridContest{Contest: &Contest{Name: "c", Ballots: 100, Choices: []Choice{{"winner", 60}, {"loser", 40}}}, CVR: Stratum{100, map[string]int64{"winner": 60, "loser": 40}}}, SuiteCVRSample{}, nil, 0, 0.05, ErrSuite},
		{"a no-CVR stratum without votes", &HybridContest{Contest: &Contest{Name: "c", Ballots: 110, Choices: []Choice{{"winner", 60}, {"loser", 40}}}, CVR: Stratum{100, map[string]int64{"winner": 60, "loser": 40}}, NoCVR: Stratum{10, map[string]int64{"winner": 0, "loser": 0}}}, SuiteCVRSample{}, nil, 0, 0.05, nil},
		{"tie", &HybridContest{Contest: &Contest{Name: "c", Ballots: 110, Choices: []Choice{{"winner", 50}, {"loser", 50}}}, CVR: Stratum{100, map[string]int64{"winner": 50, "loser": 50}}, NoCVR: Stratum{10, nil}}, SuiteCVRSample{}, nil, 0, 0.05, ErrBadContest},
		{"supermajority", &HybridContest{Contest: &Contest{Name: "c", Ballots: 110, Choices: []Choice{{"winner", 70}, {"loser", 30}}, ThresholdNum: 2, ThresholdDen: 3}, CVR: Stratum{100, map[string]int64{"winner": 70, "loser": 30}}, NoCVR: Stratum{10, nil}}, SuiteCVRSample{}, nil, 0, 0.05, ErrSuite},
		{"negative discrepancy", good, SuiteCVRSample{Draws: 5, Discrepancies: Discrepancies{O1: -1}}, nil, 0, 0.05, ErrComparison},
		{"more discrepancies than draws", good, SuiteCVRSample{Draws: 1, Discrepancies: Discrepancies{O1: 2}}, nil, 0, 0.05, ErrSuite},
		{"polling draws beyond the stratum", good, SuiteCVRSample{}, poll, 1001, 0.05, ErrSuite},
		{"negative polling draws", good, SuiteCVRSample{}, nil, -1, 0.05, ErrSuite},
		{"polling votes beyond the draws", good, SuiteCVRSample{}, poll, 200, 0.05, ErrSuite},
		{"negative polling votes", good, SuiteCVRSample{}, map[string]int64{"winner": -1}, 10, 0.05, ErrSuite},
		{"unknown polling choice", good, SuiteCVRSample{}, map[string]int64{"Z": 1}, 10, 0.05, ErrUnknownChoice},
	} {
		_, err := SuitePValue(tc.h, tc.a, tc.cvr, tc.poll, tc.n)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: error %v; want %v", tc.name, err, tc.want)
		}
	}
	if _, _, err := SuiteSampleSizes(good, 0); !errors.Is(err, ErrRiskLimit) {
		t.Errorf("SuiteSampleSizes risk limit 0: %v", err)
	}
	if _, _, err := SuiteSampleSizes(nil, 0.05); !errors.Is(err, ErrSuite) {
		t.Errorf("SuiteSampleSizes(nil): %v", err)
	}
}

// A contest the expected samples cannot confirm short of drawing everything: both strata in
// full. 10 + 10 ballots and a one-vote margin: after every ballot the comparison p-value is
// (1 − λ/(2γ·10))^10 and the polling one at least the SPRT's for a one-vote margin, too large.
func TestSuiteSampleSizesFullCount(t *testing.T) {
	h := &HybridContest{
		Contest: &Contest{Name: "tiny", Ballots: 20, Choices: []Choice{{"A", 10}, {"B", 9}}},
		CVR:     Stratum{Ballots: 10, Votes: map[string]int64{"A": 5, "B": 5}},
		NoCVR:   Stratum{Ballots: 10, Votes: map[string]int64{"A": 5, "B": 4}},
	}
	cvr, nocvr, err := SuiteSampleSizes(h, 0.05)
	if err != nil || cvr != 10 || nocvr != 10 {
		t.Errorf("SuiteSampleSizes = %d, %d, %v; want 10, 10", cvr, nocvr, err)
	}
}

// The special functions behind the polling test: ψ(1) = −γ_E, ψ(1/2) = −γ_E − 2 ln 2,
// ψ₁(1) = π²/6, ψ₁(1/2) = π²/2 (Abramowitz & Stegun 6.3.2, 6.3.3, 6.4.2, 6.4.4), and the
// falling-factorial sums against direct summation.
func TestSuiteSpecialFunctions(t *testing.T) {
	const euler = 0.5772156649015329
	for _, tc := range []struct{ got, want float64 }{
		{digamma(1), -euler},
		{digamma(0.5), -euler - 2*math.Ln2},
		{digamma(100), 4.600161852738087}, // ψ(100), DLMF 5.4 / tables
		{trigamma(1), math.Pi * math.Pi / 6},
		{trigamma(0.5), math.Pi * math.Pi / 2},
	} {
		if math.Abs(tc.got-tc.want) > 1e-13 {
			t.Errorf("got %.16g; want %.16g", tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		x float64
		k int64
	}{{100, 40}, {1e6, 5000}, {1234.5, 1000}, {50, 50}} {
		var l, s, s2 float64
		for i := range tc.k {
			l += math.Log(tc.x - float64(i))
			s += 1 / (tc.x - float64(i))
			s2 += 1 / ((tc.x - float64(i)) * (tc.x - float64(i)))
		}
		if g := logFalling(tc.x, tc.k); math.Abs(g-l) > 1e-9*math.Abs(l) {
			t.Errorf("logFalling(%v, %d) = %v; want %v", tc.x, tc.k, g, l)
		}
		if g := sumRecip(tc.x, tc.k); math.Abs(g-s) > 1e-9*s {
			t.Errorf("sumRecip(%v, %d) = %v; want %v", tc.x, tc.k, g, s)
		}
		if g := sumRecip2(tc.x, tc.k); math.Abs(g-s2) > 1e-8*s2 {
			t.Errorf("sumRecip2(%v, %d) = %v; want %v", tc.x, tc.k, g, s2)
		}
	}
}

// Simulation: 600 SUITE audits of a wrong reported outcome (math/rand/v2 PCG, seeds 1..600). The
// reported count is A 2,100, B 1,700 of 4,000 ballots (V = 400): the CVR stratum (2,000 ballots)
// reports A 1,100, B 800, and 100 of its A CVRs are on blank ballots (one-vote overstatements);
// the no-CVR stratum (2,000) reports A 1,000, B 900, but holds A 849, B 1,051. The true count is
// A 1,849, B 1,851: B won. Each audit draws the planned first round (SuiteSampleSizes), the
// comparison sample with replacement and the polling sample without, and, if it does not
// confirm, a second round twice as large; then a full hand count, which finds the true outcome.
// A risk-limiting audit confirms the wrong outcome at most α·2000 + 3√(α·2000) = 100 + 30 times
// at α = 0.05 (a three-sigma allowance over the binomial mean).
func TestSimulateSuiteWrongOutcome(t *testing.T) {
	const (
		audits = 2000
		alpha  = 0.05
		blank  = 100
	)
	h := &HybridContest{
		Contest: &Contest{Name: "sim", Ballots: 4000, Choices: []Choice{{"A", 2100}, {"B", 1700}}},
		CVR:     Stratum{Ballots: 2000, Votes: map[string]int64{"A": 1100, "B": 800}},
		NoCVR:   Stratum{Ballots: 2000, Votes: map[string]int64{"A": 1000, "B": 900}},
	}
	n1, n2, err := SuiteSampleSizes(h, alpha)
	if err != nil {
		t.Fatal(err)
	}
	truth := make([]byte, 2000) // the no-CVR stratum's true ballots
	for i := range truth {
		switch {
		case i < 849:
			truth[i] = 'A'
		case i < 849+1051:
			truth[i] = 'B'
		default:
			truth[i] = '-'
		}
	}
	confirmed := 0
	for seed := uint64(1); seed <= audits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		pop := append([]byte(nil), truth...)
		var cvr SuiteCVRSample
		poll := map[string]int64{}
		var drawn int64
		for _, size := range [][2]int64{{n1, n2}, {2 * n1, 2 * n2}} {
			for cvr.Draws < size[0] {
				cvr.Draws++
				if r.IntN(2000) < blank {
					cvr.Discrepancies.Add(1)
				}
			}
			for ; drawn < min(size[1], 2000); drawn++ {
				j := drawn + r.Int64N(2000-drawn)
				pop[drawn], pop[j] = pop[j], pop[drawn]
				if pop[drawn] != '-' {
					poll[string(pop[drawn])]++
				}
			}
			p, err := SuitePValue(h, alpha, cvr, poll, drawn)
			if err != nil {
				t.Fatal(err)
			}
			if p <= alpha {
				confirmed++
				break
			}
		}
	}
	allowed := int(alpha*audits + 3*math.Sqrt(alpha*audits))
	if confirmed > allowed {
		t.Errorf("the wrong outcome was confirmed by %d of %d SUITE audits; at most %d allowed", confirmed, audits, allowed)
	}
	t.Logf("first round %d + %d; wrong outcome confirmed by %d of %d SUITE audits (allowed %d)", n1, n2, confirmed, audits, allowed)
}

// The same contest with a correct count (the CVRs right, the no-CVR stratum as reported): most
// audits confirm in the first round, as the plan expects.
func TestSimulateSuiteCorrectOutcome(t *testing.T) {
	const audits = 200
	h := &HybridContest{
		Contest: &Contest{Name: "sim", Ballots: 4000, Choices: []Choice{{"A", 2100}, {"B", 1700}}},
		CVR:     Stratum{Ballots: 2000, Votes: map[string]int64{"A": 1100, "B": 800}},
		NoCVR:   Stratum{Ballots: 2000, Votes: map[string]int64{"A": 1000, "B": 900}},
	}
	n1, n2, err := SuiteSampleSizes(h, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := 0
	for seed := uint64(1); seed <= audits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		poll := map[string]int64{}
		perm := r.Perm(2000)
		for _, b := range perm[:n2] {
			switch {
			case b < 1000:
				poll["A"]++
			case b < 1900:
				poll["B"]++
			}
		}
		p, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: n1}, poll, n2)
		if err != nil {
			t.Fatal(err)
		}
		if p <= 0.05 {
			confirmed++
		}
	}
	// The expected polling sample sits at the threshold, so roughly half of the audits confirm
	// in the first round; far fewer would mean the plan is mis-sized.
	if confirmed < audits/4 {
		t.Errorf("only %d of %d audits of a correct outcome confirmed at the planned %d + %d", confirmed, audits, n1, n2)
	}
	t.Logf("correct outcome confirmed in round 1 by %d of %d audits (%d + %d draws)", confirmed, audits, n1, n2)

	// Audits that grow both strata in steps of 2% of the plan until they confirm stop, on
	// average, within 20% of the planned n1 + n2 (the plan is the size at which a sample that
	// looks like the reported count confirms).
	var total float64
	for seed := uint64(1); seed <= audits; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		perm := r.Perm(2000)
		for k := int64(1); ; k++ {
			c, m := min(n1*k/50, 100000), min(n2*k/50, 2000)
			poll := map[string]int64{}
			for _, b := range perm[:m] {
				switch {
				case b < 1000:
					poll["A"]++
				case b < 1900:
					poll["B"]++
				}
			}
			p, err := SuitePValue(h, 0.05, SuiteCVRSample{Draws: c}, poll, m)
			if err != nil {
				t.Fatal(err)
			}
			if p <= 0.05 || m == 2000 {
				total += float64(c + m)
				break
			}
		}
	}
	mean, plan := total/audits, float64(n1+n2)
	if mean < 0.8*plan || mean > 1.2*plan {
		t.Errorf("mean stopping size %.1f, plan %v", mean, plan)
	}
	t.Logf("mean stopping size %.1f draws, plan %v", mean, plan)
}

// Simulation of the polling stratum's test alone at the edge of its null: 2,000 samples of 1,000
// ballots without replacement from a stratum of 2,000 that holds A 950, B 950 and 100 for
// neither (margin 0), tested against the reported A 1,000, B 900. The SPRT p-value of the null
// "margin ≤ 0" is valid, so it is at most α = 0.1 in at most α·2000 + 3√(α·2000) = 242 samples.
func TestSimulateSuitePollingNull(t *testing.T) {
	const (
		trials = 2000
		alpha  = 0.1
	)
	pop := make([]byte, 2000)
	for i := range pop {
		switch {
		case i < 950:
			pop[i] = 'A'
		case i < 1900:
			pop[i] = 'B'
		default:
			pop[i] = '-'
		}
	}
	r := rand.New(rand.NewPCG(7, 0))
	rejected := 0
	for range trials {
		var nw, nl int64
		for i := range 1000 {
			j := i + r.IntN(2000-i)
			pop[i], pop[j] = pop[j], pop[i]
			switch pop[i] {
			case 'A':
				nw++
			case 'B':
				nl++
			}
		}
		p := newSuitePolling(2000, 1000, 900, nw, nl, 1000-nw-nl)
		if lp := p.logP(0); lp > 0 || lp <= math.Log(alpha) {
			rejected++
		}
	}
	allowed := int(alpha*trials + 3*math.Sqrt(alpha*trials))
	if rejected > allowed {
		t.Errorf("the true null was rejected in %d of %d samples; at most %d allowed", rejected, trials, allowed)
	}
	t.Logf("polling null (margin 0) rejected at α = %v in %d of %d samples", alpha, rejected, trials)
}
