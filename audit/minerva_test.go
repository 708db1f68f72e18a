package audit

import (
	"math"
	"testing"
)

// r2b2 src/r2b2/tests/test_minerva.py: 60000/40000, α = 0.1, rounds 100, 200, 400 → k_min
// 58, 113, 221 (test_minerva_kmins); rounds 13, 14, 15 → 13, none, 14 (test_sentinel).
func TestMinervaKmins(t *testing.T) {
	for _, c := range []struct {
		sizes, want []int64
	}{
		{[]int64{100, 200, 400}, []int64{58, 113, 221}},
		{[]int64{13, 14, 15}, []int64{13, -1, 14}},
	} {
		got, err := MinervaKmins(0.6, c.sizes, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Errorf("sizes %v: k_min %v, want %v", c.sizes, got, c.want)
				break
			}
		}
	}
	// test_min_sample_size: the first round size with any k_min is 13 for 60/40, α = 0.1
	// ((0.6/0.5)^13 > 10 ≥ (0.6/0.5)^12), and 152 for 51/49, α = 0.05.
	for _, c := range []struct {
		s     float64
		alpha float64
		want  int64
	}{{0.6, 0.1, 13}, {0.51, 0.05, 152}} {
		lo, _ := MinervaKmins(c.s, []int64{c.want - 1}, c.alpha)
		hi, _ := MinervaKmins(c.s, []int64{c.want}, c.alpha)
		if lo[0] != -1 || hi[0] != c.want {
			t.Errorf("share %v: k_min(%d) = %d, k_min(%d) = %d", c.s, c.want-1, lo[0], c.want, hi[0])
		}
	}
	// test_bulk_minerva: ballot-by-ballot rounds give BRAVO's thresholds, the smallest k with
	// k ln(1.2) + (n − k) ln(0.8) > ln 10 — except where BRAVO's threshold rose by one from
	// round n − 1: every path reaching it crossed the old threshold and stopped, so no k can
	// stop in round n (r2b2's sentinel None, our −1).
	sizes := make([]int64, 60)
	for i := range sizes {
		sizes[i] = int64(i + 1)
	}
	got, err := MinervaKmins(0.6, sizes, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	prev := int64(-1)
	for i, n := range sizes {
		want := int64(-1)
		for k := int64(0); k <= n; k++ {
			if float64(k)*math.Log(1.2)+float64(n-k)*math.Log(0.8) > math.Log(10) {
				want = k
				break
			}
		}
		bravo := want
		if prev >= 0 && want > prev {
			want = -1
		}
		if got[i] != want {
			t.Errorf("n = %d: k_min %d, want %d (BRAVO %d)", n, got[i], want, bravo)
		}
		prev = bravo
	}
	if _, err := MinervaKmins(0.6, []int64{20, 19}, 0.1); err == nil {
		t.Error("decreasing rounds accepted")
	}
	if _, err := MinervaKmins(0.4, []int64{20}, 0.1); err == nil {
		t.Error("a losing share accepted")
	}
}

func votes(names []string, counts ...int64) map[string]int64 {
	m := map[string]int64{}
	for i, n := range counts {
		m[names[i]] = n
	}
	return m
}

// Arlo server/tests/audit_math/ballot_polling/test_minerva.py (Athena), risk limit 10%.
func TestMinervaPValue(t *testing.T) {
	abc := []string{"a", "b", "c", "d"}
	c3 := &Contest{Name: "c3", Ballots: 1200, Choices: []Choice{{"a", 600}, {"b", 400}, {"c", 100}}}
	w2 := &Contest{Name: "2w", Ballots: 1100, Winners: 2, Choices: []Choice{{"a", 400}, {"b", 400}, {"c", 200}, {"d", 100}}}
	ga := []string{"Warnock", "Loeffler", "Collins", "Write-ins"}
	delta := &Contest{Name: "ga", Ballots: 1613896 + 1270718 + 978667 + 132 + 1041608, Winners: 2,
		Choices: []Choice{{"Warnock", 1613896}, {"Loeffler", 1270718}, {"Collins", 978667}, {"Write-ins", 132}}}
	cases := []struct {
		name   string
		c      *Contest
		rounds []MinervaRound
		want   float64
	}{
		{"test_compute_risk", c3, []MinervaRound{{100, votes(abc, 56, 40, 3)}}, 0.0933945799801079},
		{"collect_risks 83", c3, []MinervaRound{{83, votes(abc, 40, 40, 3)}}, 0.5596434615209632},
		{"test_compute_risk_2r", c3, []MinervaRound{{83, votes(abc, 40, 40, 3)}, {117, votes(abc, 70, 30, 10)}}, 0.006382031505998192},
		{"test_compute_risk_2win", w2, []MinervaRound{{100, votes(abc, 40, 40, 18, 2)}}, 0.0064653703790821795},
		{"test_compute_risk_2win_2", w2, []MinervaRound{{100, votes(abc, 30, 30, 30, 10)}}, 0.552702598296842},
		{"test_compute_risk_2win_2_2r", w2, []MinervaRound{{100, votes(abc, 30, 30, 30, 10)}, {150, votes(abc, 50, 50, 25, 25)}}, 0.083535346859948},
		{"test_compute_risk_delta", delta, []MinervaRound{{923, votes(ga, 384, 276, 234, 1)}}, 0.039858047805999164},
	}
	for _, c := range cases {
		got, err := MinervaPValue(c.c, c.rounds, 0.1)
		if err != nil {
			t.Fatal(c.name, err)
		}
		if !near(got, c.want, 1e-9*math.Max(c.want, 1e-3)) {
			t.Errorf("%s: risk %v, want %v", c.name, got, c.want)
		}
	}
	// test_compute_risk_too_low: 17605 winner votes and none for the loser → 0.
	low := &Contest{Name: "low", Ballots: 2453876 + 2358432 + 114911, Choices: []Choice{{"a", 2453876}, {"b", 2358432}}}
	got, err := MinervaPValue(low, []MinervaRound{{17605, map[string]int64{"a": 17605}}}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if got != 0 {
		t.Errorf("too low: %v, want 0", got)
	}
	if _, err := MinervaPValue(c3, nil, 0.1); err == nil {
		t.Error("no rounds accepted")
	}
}

// First-round sizes. Arlo's d1 (600/200/100 of 900, α = 0.1) at q = 0.7 and 0.8 gives 20 and
// 25 (test_get_sample_size); our first-n rule agrees there. Its c3 value 134 at q = 0.7 is
// Athena's binary-search answer (two-way 111); the first two-way n with stopping probability
// ≥ 0.7 is 102 (P = 0.7089 at n = 102, k_min 59), so 102·1.2 → 123.
func TestMinervaSampleSize(t *testing.T) {
	d1 := &Contest{Name: "d1", Ballots: 900, Choices: []Choice{{"a", 600}, {"b", 200}, {"c", 100}}}
	for _, c := range []struct {
		q    float64
		want int64
	}{{0.7, 20}, {0.8, 25}} {
		got, err := MinervaSampleSize(d1, 0.1, c.q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("d1 q %v: %d, want %d", c.q, got, c.want)
		}
	}
	c3 := &Contest{Name: "c3", Ballots: 1200, Choices: []Choice{{"a", 600}, {"b", 400}, {"c", 100}}}
	got, err := MinervaSampleSize(c3, 0.1, 0.7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != 123 {
		t.Errorf("c3 q 0.7: %d, want 123", got)
	}
	// A second round after 100 ballots with 56/40/3 (risk 0.093 < 0.1 would already stop, so
	// use a weaker 50/46/3): the next cumulative size must exceed 100.
	got, err = MinervaSampleSize(c3, 0.1, 0.9, []MinervaRound{{100, votes([]string{"a", "b", "c"}, 50, 46, 3)}})
	if err != nil {
		t.Fatal(err)
	}
	if got <= 100 || got > 1200 {
		t.Errorf("second round: %d", got)
	}
}

func BenchmarkMinervaSampleSize(b *testing.B) {
	c := &Contest{Name: "b", Ballots: 10000, Choices: []Choice{{"a", 5250}, {"b", 4750}}}
	for b.Loop() {
		if _, err := MinervaSampleSize(c, 0.05, 0.9, nil); err != nil {
			b.Fatal(err)
		}
	}
}
