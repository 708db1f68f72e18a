package audit

import (
	"errors"
	"math"
	"testing"
)

// The values of ../shared/docs/AUDIT-REFERENCES.md, "Super-simple comparison" (Stark 2010 as
// Colorado's audit tool implements it), to the printed digits.
func TestSuperSimpleSampleSizeReferences(t *testing.T) {
	for _, tc := range []struct {
		alpha, mu float64
		d         Discrepancies
		want      int64
	}{
		{0.03, 0.01, Discrepancies{}, 729},
		{0.05, 0.0159, Discrepancies{}, 392},
		{0.05, 0.0159, Discrepancies{O1: 1, O2: 1, U1: 1, U2: 1}, 767},
		{0.10, 0.2, Discrepancies{}, 24},
		{0.10, 0.1, Discrepancies{}, 48},
		{0.10, 0.05, Discrepancies{}, 96},
		{0.10, 0.002, Discrepancies{}, 2393},
		{0.10, 0.05, Discrepancies{O1: 1}, 123},
	} {
		got, err := SuperSimpleSampleSize(tc.alpha, tc.mu, DefaultGamma, tc.d)
		if err != nil || got != tc.want {
			t.Errorf("SuperSimpleSampleSize(%v, %v, γ, %+v) = %d, %v; want %d", tc.alpha, tc.mu, tc.d, got, err, tc.want)
		}
	}
}

// Hand-computed: with μ = 1 and α = 0.5 the bracket is ln 0.5 = −0.693…, n = ⌈2·1.03905·0.693…⌉ = 2;
// with 5 two-vote understatements the bracket is positive and the floor o1+o2+u1+u2 = 5 applies.
func TestSuperSimpleSampleSizeFloorAndErrors(t *testing.T) {
	if n, err := SuperSimpleSampleSize(0.5, 1, DefaultGamma, Discrepancies{}); n != 2 || err != nil {
		t.Errorf("μ=1 α=0.5: %d, %v; want 2", n, err)
	}
	if n, err := SuperSimpleSampleSize(0.5, 1, DefaultGamma, Discrepancies{U2: 5}); n != 5 || err != nil {
		t.Errorf("5 two-vote understatements: %d, %v; want 5", n, err)
	}
	for _, tc := range []struct {
		alpha, mu, gamma float64
		d                Discrepancies
		want             error
	}{
		{0, 0.1, DefaultGamma, Discrepancies{}, ErrRiskLimit},
		{0.6, 0.1, DefaultGamma, Discrepancies{}, ErrRiskLimit},
		{math.NaN(), 0.1, DefaultGamma, Discrepancies{}, ErrRiskLimit},
		{0.1, 0, DefaultGamma, Discrepancies{}, ErrComparison},
		{0.1, -0.1, DefaultGamma, Discrepancies{}, ErrComparison},
		{0.1, math.NaN(), DefaultGamma, Discrepancies{}, ErrComparison},
		{0.1, 0.1, 0.9, Discrepancies{}, ErrComparison},
		{0.1, 0.1, math.Inf(1), Discrepancies{}, ErrComparison},
		{0.1, 0.1, 1, Discrepancies{O2: 1}, ErrComparison},
		{0.1, 0.1, DefaultGamma, Discrepancies{O1: -1}, ErrComparison},
	} {
		if _, err := SuperSimpleSampleSize(tc.alpha, tc.mu, tc.gamma, tc.d); !errors.Is(err, tc.want) {
			t.Errorf("SuperSimpleSampleSize(%v, %v, %v, %+v) error %v; want %v", tc.alpha, tc.mu, tc.gamma, tc.d, err, tc.want)
		}
	}
}

// arloSSContests are the contests of Arlo's server/tests/audit_math/test_supersimple.py
// (ss_contests).
func arloSSContests() map[string]*Contest {
	two := func(name string, w, l, ballots int64) *Contest {
		return &Contest{Name: name, Ballots: ballots, Choices: []Choice{{"winner", w}, {"loser", l}}}
	}
	return map[string]*Contest{
		"Contest A": two("Contest A", 60000, 40000, 100000),
		"Contest B": two("Contest B", 30000, 24000, 60000),
		"Contest C": two("Contest C", 18000, 12600, 36000),
		"Contest D": two("Contest D", 8000, 6000, 15000),
		"Contest E": two("Contest E", 10000, 0, 10000),
		"Contest F": two("Contest F", 10, 4, 15),
		"Two-winner Contest": {Name: "Two-winner Contest", Ballots: 1000, Winners: 2,
			Choices: []Choice{{"winner1", 600}, {"winner2", 300}, {"loser", 100}}},
	}
}

// Arlo test_supersimple.py: test_get_sample_sizes (true_sample_sizes, "From Stark's tool"), and
// test_compute_risk's next sizes after one sampled round with one one-vote overstatement
// (o1_stopping_size) or one two-vote overstatement (o2_stopping_size). Arlo returns these minus
// the draws sampled; ours are cumulative.
func TestComparisonSampleSizesArlo(t *testing.T) {
	first := map[string]int64{"Contest A": 27, "Contest B": 54, "Contest C": 36, "Contest D": 40,
		"Contest E": 6, "Contest F": 14, "Two-winner Contest": 27}
	o1Stop := map[string]int64{"Contest A": 38, "Contest B": 76, "Contest C": 51, "Contest D": 57,
		"Contest E": 7, "Contest F": 15, "Two-winner Contest": 38}
	o2Stop := map[string]int64{"Contest A": 100000, "Contest B": 60000, "Contest C": 36000,
		"Contest D": 15000, "Contest E": 33, "Contest F": 15, "Two-winner Contest": 1000}
	for name, c := range arloSSContests() {
		n, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{}, 0)
		if err != nil || n != first[name] {
			t.Errorf("%s: first round %d, %v; want %d", name, n, err, first[name])
			continue
		}
		// After the first round with no discrepancies the audit is done (Arlo: 0 more).
		if got, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{}, n); err != nil || got > n {
			t.Errorf("%s: after a clean round of %d, next size %d, %v; want at most %d", name, n, got, err, n)
		}
		if got, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{O1: 1}, n); err != nil || got != o1Stop[name] {
			t.Errorf("%s: with one 1-vote overstatement in %d: %d, %v; want %d", name, n, got, err, o1Stop[name])
		}
		if got, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{O2: 1}, n); err != nil || got != o2Stop[name] {
			t.Errorf("%s: with one 2-vote overstatement in %d: %d, %v; want %d", name, n, got, err, o2Stop[name])
		}
	}
}

// Arlo test_supersimple.py test_tied_contest: a tie is planned as a full hand count.
func TestComparisonSampleSizesTie(t *testing.T) {
	c := &Contest{Name: "Tied Contest", Ballots: 100000, Choices: []Choice{{"winner", 50000}, {"loser", 50000}}}
	if n, err := ComparisonSampleSizes(c, 0.10, DefaultGamma, Discrepancies{}, 0); n != 100000 || err != nil {
		t.Errorf("tie: %d, %v; want 100000", n, err)
	}
	if p := KaplanMarkovComparisonPValue(1, 0, DefaultGamma, Discrepancies{}); p != 1 {
		t.Errorf("tie p-value %v; want 1", p)
	}
	bad := &Contest{Name: "x", Ballots: 10, Choices: []Choice{{"a", 20}, {"b", 1}}}
	if _, err := ComparisonSampleSizes(bad, 0.10, DefaultGamma, Discrepancies{}, 0); !errors.Is(err, ErrBadContest) {
		t.Errorf("more votes than ballots: error %v", err)
	}
	c2 := arloSSContests()["Contest A"]
	if _, err := ComparisonSampleSizes(c2, 0.10, DefaultGamma, Discrepancies{O1: 5}, 3); !errors.Is(err, ErrComparison) {
		t.Errorf("5 discrepancies in 3 draws: error %v", err)
	}
}

// Arlo test_supersimple.py test_compute_risk (expected_p_values, asserted there to 0.001): the
// Kaplan-Markov p-value after the first-round sample with no discrepancy, with one one-vote
// overstatement and with one two-vote overstatement. The "exact" column is the formula
// evaluated by hand in 40-digit decimal arithmetic (Python decimal); Arlo's Contest A one-vote
// value 0.12534 is 0.00009 off it, within Arlo's tolerance. Contest F is absent from Arlo's CVRs
// and audited ballots, so its ballots show no discrepancy in any case.
func TestKaplanMarkovComparisonPValueArlo(t *testing.T) {
	type row struct {
		n            int64
		arlo         [3]float64
		exact        [3]float64
		noDiscrepant bool
	}
	rows := map[string]row{
		"Contest A":          {27, [3]float64{0.06507, 0.12534, 1}, [3]float64{0.065074568777875435, 0.12543498875549850, 1}, false},
		"Contest B":          {54, [3]float64{0.06973, 0.13441, 1}, [3]float64{0.069729609326128673, 0.13440784819648269, 1}, false},
		"Contest C":          {36, [3]float64{0.06740, 0.12992, 1}, [3]float64{0.067401884908901346, 0.12992102497837667, 1}, false},
		"Contest D":          {40, [3]float64{0.07048, 0.13585, 1}, [3]float64{0.070476185356858614, 0.13584691660336507, 1}, false},
		"Contest E":          {6, [3]float64{0.01950, 0.03758, 0.51877}, [3]float64{0.019496453672317600, 0.037580540187777760, 0.51876543375727497}, false},
		"Contest F":          {14, [3]float64{0.05013, 0.05013, 0.05013}, [3]float64{0.050132519399243064, 0.050132519399243064, 0.050132519399243064}, true},
		"Two-winner Contest": {27, [3]float64{0.06508, 0.12534, 1}, [3]float64{0.065074568777875435, 0.12543498875549850, 1}, false},
	}
	for name, c := range arloSSContests() {
		r := rows[name]
		mu, err := c.DilutedMargin()
		if err != nil {
			t.Fatal(err)
		}
		ds := []Discrepancies{{}, {O1: 1}, {O2: 1}}
		if r.noDiscrepant {
			ds = []Discrepancies{{}, {}, {}}
		}
		for i, d := range ds {
			p := KaplanMarkovComparisonPValue(r.n, mu, DefaultGamma, d)
			if math.Abs(p-r.arlo[i]) >= 0.001 {
				t.Errorf("%s case %d: p = %v; Arlo %v", name, i, p, r.arlo[i])
			}
			if math.Abs(p-r.exact[i]) > 1e-12*r.exact[i] {
				t.Errorf("%s case %d: p = %.17g; exact %.17g", name, i, p, r.exact[i])
			}
		}
	}
}

// Arlo test_supersimple.py test_snapshot_test: 16 to 10 of 26 ballots, 18 draws, p = 0.1201733
// (asserted there to 1e-4). In that test the CVR and the audited record of the two "blank"
// ballots are the same Python objects, so they show no discrepancy: the value is (1 − 1/U)^18,
// U = 2γ/(6/26), which is 0.12017330028006304 to 17 digits.
func TestKaplanMarkovComparisonPValueSnapshot(t *testing.T) {
	p := KaplanMarkovComparisonPValue(18, 6.0/26, DefaultGamma, Discrepancies{})
	if math.Abs(p-0.1201733) >= 1e-4 || math.Abs(p-0.12017330028006304) > 1e-14 {
		t.Errorf("p = %.17g; want 0.1201733", p)
	}
	// The same 18 draws with the two blank ballots as real one-vote overstatements: divided by
	// (1 − 1/(2γ))² = 0.51876543…² (hand-computed 0.4465013546652271).
	p = KaplanMarkovComparisonPValue(18, 6.0/26, DefaultGamma, Discrepancies{O1: 2})
	if math.Abs(p-0.4465013546652271) > 1e-13 {
		t.Errorf("with 2 one-vote overstatements p = %.17g; want 0.4465013546652271", p)
	}
}

// Stark 2010 and Gentle credit understatements: each one-vote understatement divides P by
// 1 + 1/(2γ), each two-vote one by 1 + 1/γ; the p-value never exceeds 1.
func TestKaplanMarkovComparisonPValueUnderstatements(t *testing.T) {
	base := KaplanMarkovComparisonPValue(50, 0.1, DefaultGamma, Discrepancies{})
	u1 := KaplanMarkovComparisonPValue(50, 0.1, DefaultGamma, Discrepancies{U1: 1})
	u2 := KaplanMarkovComparisonPValue(50, 0.1, DefaultGamma, Discrepancies{U2: 1})
	if math.Abs(base/u1-(1+1/(2*DefaultGamma))) > 1e-12 || math.Abs(base/u2-(1+1/DefaultGamma)) > 1e-12 {
		t.Errorf("understatement factors %v, %v", base/u1, base/u2)
	}
	if p := KaplanMarkovComparisonPValue(0, 0.1, DefaultGamma, Discrepancies{}); p != 1 {
		t.Errorf("no draws: %v", p)
	}
	if p := KaplanMarkovComparisonPValue(1, 0.1, DefaultGamma, Discrepancies{O2: 1}); p != 1 {
		t.Errorf("capped: %v", p)
	}
	if p := KaplanMarkovComparisonPValue(5, 0.1, 1, Discrepancies{O2: 1}); p != 1 {
		t.Errorf("γ=1 with a 2-vote overstatement: %v", p)
	}
	// At μ = 0.1, α = 0.1 the p-value first reaches α at ⌈ln 0.1 / ln(1 − 0.1/(2γ))⌉ = ⌈46.68⌉ = 47
	// draws (hand-computed); the sample-size formula, which replaces −ln(1 − 1/U) by the smaller
	// 1/U, asks for 48.
	if p46, p47 := KaplanMarkovComparisonPValue(46, 0.1, DefaultGamma, Discrepancies{}), KaplanMarkovComparisonPValue(47, 0.1, DefaultGamma, Discrepancies{}); !(p46 > 0.1 && p47 <= 0.1) {
		t.Errorf("p(46) = %v, p(47) = %v around α = 0.1", p46, p47)
	}
}

// Arlo test_supersimple.py: test_find_one_discrepancy, test_negative_discrepancies,
// test_two_vote_overstatement_discrepancies, test_race_not_in_cvr_discrepancy,
// test_race_not_in_sample_discrepancy, test_ballot_not_found_discrepancy and the
// "more than two candidates" and "votes for the loser/winner" cases of test_ess_discrepancies
// (the counted_as values).
func TestBallotDiscrepancyArlo(t *testing.T) {
	cs := arloSSContests()
	twoLosers := &Contest{Name: "Two Losers", Ballots: 1500, Choices: []Choice{{"winner", 1000}, {"loser1", 0}, {"loser2", 500}}}
	for _, tc := range []struct {
		name     string
		c        *Contest
		cvr, mvr []string
		found    bool
		want     int
	}{
		{"no discrepancy", cs["Contest A"], []string{"winner"}, []string{"winner"}, true, 0},
		{"one discrepancy A", cs["Contest A"], []string{"winner"}, nil, true, 1},
		{"one discrepancy two-winner", cs["Two-winner Contest"], []string{"winner2"}, nil, true, 1},
		{"two-winner, no discrepancy", cs["Two-winner Contest"], []string{"winner2"}, []string{"winner2"}, true, 0},
		{"negative", cs["Contest A"], []string{"loser"}, []string{"winner"}, true, -2},
		{"two-vote overstatement", cs["Contest A"], []string{"winner"}, []string{"loser"}, true, 2},
		{"race not in CVR", cs["Contest F"], nil, []string{"loser"}, true, 1},
		{"race not in sample", cs["Contest D"], []string{"winner"}, nil, true, 1},
		{"ballot not found", cs["Contest D"], []string{"winner"}, nil, false, 2},
		{"votes for the loser (undervote reported)", cs["Contest A"], nil, []string{"loser"}, true, 1},
		{"votes for the loser (overvote reported)", cs["Contest A"], []string{"winner", "loser"}, []string{"loser"}, true, 1},
		{"votes for the winner (undervote reported)", cs["Contest A"], nil, []string{"winner"}, true, -1},
		{"two losers, overvote read as a vote", twoLosers, []string{"winner", "loser1", "loser2"}, []string{"winner", "loser2"}, true, 0},
		// Arlo's ES&S partial overvote: the overvote counts as a vote for every choice.
		{"two losers, partial overvote", twoLosers, []string{"winner", "loser1", "loser2"}, []string{"loser2"}, true, 1},
		// Hand-computed: reported winner+loser1, audited loser2: pair (winner, loser1) e = 1 − 1 = 0,
		// pair (winner, loser2) e = 1 − (0 − 1) = 2.
		{"two losers, two of three marked", twoLosers, []string{"winner", "loser1"}, []string{"loser2"}, true, 2},
		// Hand-computed: reported loser1, audited winner: pair (winner, loser1) e = −1 − 1 = −2,
		// pair (winner, loser2) e = −1; the worst for the winner is −1.
		{"two losers, understatement", twoLosers, []string{"loser1"}, []string{"winner"}, true, -1},
	} {
		got, err := BallotDiscrepancy(tc.c, tc.cvr, tc.mvr, tc.found)
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestBallotDiscrepancyErrors(t *testing.T) {
	c := arloSSContests()["Contest A"]
	if _, err := BallotDiscrepancy(c, []string{"nobody"}, nil, true); !errors.Is(err, ErrUnknownChoice) {
		t.Errorf("unknown CVR choice: %v", err)
	}
	if _, err := BallotDiscrepancy(c, nil, []string{"nobody"}, true); !errors.Is(err, ErrUnknownChoice) {
		t.Errorf("unknown audited choice: %v", err)
	}
	if _, err := BallotDiscrepancy(c, []string{"winner", "winner"}, nil, true); !errors.Is(err, ErrComparison) {
		t.Errorf("choice twice: %v", err)
	}
	one := &Contest{Name: "one", Ballots: 5, Choices: []Choice{{"a", 3}}}
	if _, err := BallotDiscrepancy(one, nil, nil, true); !errors.Is(err, ErrBadContest) {
		t.Errorf("no losers: %v", err)
	}
}

func TestDiscrepanciesAdd(t *testing.T) {
	var d Discrepancies
	for _, e := range []int{2, 1, 1, 0, -1, -2, -2, -2} {
		d.Add(e)
	}
	if d != (Discrepancies{O1: 2, O2: 1, U1: 1, U2: 3}) || d.Total() != 7 {
		t.Errorf("%+v total %d", d, d.Total())
	}
}

func BenchmarkSuperSimpleSampleSize(b *testing.B) {
	d := Discrepancies{O1: 1, U1: 1}
	for b.Loop() {
		if _, err := SuperSimpleSampleSize(0.05, 0.0159, DefaultGamma, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComparisonSampleSizes(b *testing.B) {
	c := arloSSContests()["Contest B"]
	for b.Loop() {
		if _, err := ComparisonSampleSizes(c, 0.1, DefaultGamma, Discrepancies{O1: 1}, 54); err != nil {
			b.Fatal(err)
		}
	}
}
