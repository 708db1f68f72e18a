package audit

import (
	"fmt"
	"math"
	"testing"
)

func twoWay(margin float64) *Contest {
	// 1,000,000 ballots split (1 ± margin)/2 with no invalid ballots.
	n := int64(1000000)
	w := int64(math.Round(float64(n) * (1 + margin) / 2))
	return &Contest{Name: fmt.Sprint(margin), Ballots: n, Choices: []Choice{{"W", w}, {"L", n - w}}}
}

// AUDIT-REFERENCES.md, BRAVO: ASN for two candidates, no invalid ballots, α = 0.10 (ceil).
func TestBravoASN(t *testing.T) {
	table := []struct {
		margin float64
		want   float64
	}{{.4, 31}, {.3, 54}, {.2, 119}, {.16, 185}, {.1, 470}, {.08, 731}, {.06, 1295},
		{.04, 2902}, {.02, 11562}, {.01, 46151}, {.005, 184406}}
	for _, r := range table {
		asn, err := BravoASN(twoWay(r.margin), 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if got := math.Ceil(asn); got != r.want {
			t.Errorf("margin %v: ASN %v (%v), want %v", r.margin, got, asn, r.want)
		}
	}
}

// Arlo server/tests/audit_math/test_bravo.py and ballot_polling/test_minerva.py's
// true_sample_sizes (BRAVO): ASN and the 0.7/0.8/0.9 first-round sizes at α = 0.1.
func TestBravoSampleSizes(t *testing.T) {
	cases := []struct {
		name       string
		c          *Contest
		asn        float64
		q7, q8, q9 int64
	}{
		{"test1", &Contest{Ballots: 1000, Choices: []Choice{{"cand1", 600}, {"cand2", 400}}}, 119, 184, 244, 351},
		{"test2", &Contest{Ballots: 900, Choices: []Choice{{"cand1", 600}, {"cand2", 200}, {"cand3", 100}}}, 22, 32, 41, 57},
		{"test6", &Contest{Ballots: 1000, Choices: []Choice{{"cand1", 300}, {"cand2", 200}, {"cand3", 200}}}, 238, 368, 488, 702},
		{"test12", &Contest{Ballots: 1000, Choices: []Choice{{"cand1", 600}, {"cand2", 400}, {"cand3", 0}}}, 119, 184, 244, 351},
		{"small third", &Contest{Ballots: 20000, Choices: []Choice{{"cand1", 10000}, {"cand2", 9000}, {"cand3", 200}}}, 1769, 2837, 3760, 5426},
	}
	for _, c := range cases {
		c.c.Name = c.name
		asn, err := BravoASN(c.c, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Ceil(asn) != c.asn {
			t.Errorf("%s: ASN %v, want %v", c.name, asn, c.asn)
		}
		got, err := BravoSampleSizes(c.c, 0.1, nil, 0, []float64{0.7, 0.8, 0.9})
		if err != nil {
			t.Fatal(err)
		}
		if got[0.7] != c.q7 || got[0.8] != c.q8 || got[0.9] != c.q9 {
			t.Errorf("%s: sizes %v, want %d/%d/%d", c.name, got, c.q7, c.q8, c.q9)
		}
	}
}

// A later round: after 119 ballots with 72 for A and 47 for B (Arlo's round1_sample_results
// test1) in the 600/400 contest, log T = 72 ln 1.2 + 47 ln 0.8 = 13.1271 − 10.4877 = 2.6394,
// so ln(1/α) − log T = −0.3368 < 0: the sample already meets α = 0.1 and no more ballots are
// needed; p = exp(−2.6394) = 0.07140.
func TestBravoLaterRound(t *testing.T) {
	c := &Contest{Name: "test1", Ballots: 1000, Choices: []Choice{{"cand1", 600}, {"cand2", 400}}}
	sample := map[string]int64{"cand1": 72, "cand2": 47}
	p, err := BravoPValue(c, sample, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Exp(-(72*math.Log(1.2) + 47*math.Log(0.8))); !near(p, want, 1e-15) || !near(p, 0.07140, 5e-5) {
		t.Errorf("p = %v, want %v", p, want)
	}
	got, err := BravoSampleSizes(c, 0.1, sample, 119, []float64{0.9})
	if err != nil {
		t.Fatal(err)
	}
	if got[0.9] != 119 {
		t.Errorf("next round after a finished sample: %v, want 119", got)
	}
	// A weaker sample, 60/59 of 119: log T = 60 ln 1.2 + 59 ln 0.8 = 10.9393 − 13.1654 =
	// −2.2261, so the next round must make up ln 10 + 2.2261 = 4.5287, about twice a fresh
	// audit's ln 10 (whose 0.9 size is 351): the cumulative size exceeds 119 + 351.
	got, err = BravoSampleSizes(c, 0.1, map[string]int64{"cand1": 60, "cand2": 59}, 119, []float64{0.9})
	if err != nil {
		t.Fatal(err)
	}
	if got[0.9] <= 119+351 || got[0.9] > 1000 {
		t.Errorf("next round after a weak sample: %v", got)
	}
}

// BRAVO p-values: multi-winner and supermajority (hand computations beside each case).
func TestBravoPValue(t *testing.T) {
	// Vote for 2: a 400, b 400, c 200, d 100 of 1100 ballots; sample 40/40/18/2.
	// Pairs a-c and b-c: s = 2/3, T = (4/3)^40 (2/3)^18 → p = 0.014863; a-d, b-d: s = 0.8,
	// T = 1.6^40 0.4^2; the risk is the largest, 1/((4/3)^40 (2/3)^18).
	c := &Contest{Name: "2w", Ballots: 1100, Winners: 2, Choices: []Choice{{"a", 400}, {"b", 400}, {"c", 200}, {"d", 100}}}
	p, err := BravoPValue(c, map[string]int64{"a": 40, "b": 40, "c": 18, "d": 2}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	want := 1 / (math.Pow(4.0/3, 40) * math.Pow(2.0/3, 18))
	if !near(p, want, 1e-12*want) || !near(p, 0.014863, 5e-7) {
		t.Errorf("vote for 2: p = %v, want %v", p, want)
	}
	// Supermajority 2/3: A 700 of 900 valid (s = 7/9), sample A 30, B 5, 4 blank:
	// T = (s/f)^30 ((1−s)/(1−f))^5 = (7/6)^30 (2/3)^5 = 101.954·0.131687 = 13.4260 → p = 0.074482.
	s := &Contest{Name: "sm", Ballots: 1000, Choices: []Choice{{"A", 700}, {"B", 200}}, ThresholdNum: 2, ThresholdDen: 3}
	r, err := Bravo(s, map[string]int64{"A": 30, "B": 5}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 / (math.Pow(7.0/6, 30) * math.Pow(2.0/3, 5)); !near(r.PValue, want, 1e-12) || !near(r.PValue, 0.074482, 5e-7) || !r.Confirmed {
		t.Errorf("supermajority: %+v, want p = %v", r, want)
	}
	// A sample against the winner never gives a p-value below 1.
	p, _ = BravoPValue(s, map[string]int64{"A": 1, "B": 30}, 0.1)
	if p != 1 {
		t.Errorf("p = %v, want 1", p)
	}
	if _, err := BravoPValue(s, map[string]int64{"A": -1}, 0.1); err == nil {
		t.Error("negative sample accepted")
	}
	if _, err := BravoPValue(s, nil, 0.7); err == nil {
		t.Error("risk limit 0.7 accepted")
	}
	lose := &Contest{Name: "x", Ballots: 100, Choices: []Choice{{"A", 60}, {"B", 30}}, ThresholdNum: 2, ThresholdDen: 3}
	if _, err := BravoPValue(lose, nil, 0.1); err == nil {
		t.Error("a supermajority winner below the threshold was accepted")
	}
}

func BenchmarkBravoSampleSizes(b *testing.B) {
	c := &Contest{Name: "b", Ballots: 20000, Choices: []Choice{{"cand1", 10000}, {"cand2", 9000}, {"cand3", 200}}}
	for b.Loop() {
		if _, err := BravoSampleSizes(c, 0.1, nil, 0, []float64{0.7, 0.8, 0.9}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBravoASN(b *testing.B) {
	c := twoWay(0.01)
	for b.Loop() {
		if _, err := BravoASN(c, 0.1); err != nil {
			b.Fatal(err)
		}
	}
}
