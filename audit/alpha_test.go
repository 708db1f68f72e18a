package audit

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// SHANGRLA test_NonnegMean.test_kaplan_markov: five 1s, t = 1/2 → 2^-5; with a trailing 0 and
// g = 0.1 the running minimum stays (1.1/0.6)^-5.
func TestKaplanMarkov(t *testing.T) {
	p, err := KaplanMarkovPValues([]float64{1, 1, 1, 1, 1}, 0.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !near(p[4], math.Pow(2, -5), 1e-15) {
		t.Errorf("p = %v, want 2^-5", p[4])
	}
	p, err = KaplanMarkovPValues([]float64{1, 1, 1, 1, 1, 0}, 0.5, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Pow(1.1/0.6, -5); !near(p[5], want, 1e-12) {
		t.Errorf("p = %v, want %v", p[5], want)
	}
	if _, err := KaplanMarkovPValues([]float64{1, -1}, 0.5, 0); err == nil {
		t.Error("a negative draw was accepted")
	}
}

// AUDIT-REFERENCES.md (SHANGRLA): ALPHA, fixed η = 0.75, N = ∞, five 1s → 0.6667, 0.4444,
// 0.2963, 0.1975, 0.1316872428 (= (2/3)^j: each factor is η/t = 1.5).
func TestAlphaFixedEtaInfinite(t *testing.T) {
	a := Alpha{T: 0.5, U: 1, Estimator: FixedEta{Eta0: 0.75}}
	p, err := a.PValues([]float64{1, 1, 1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.6667, 0.4444, 0.2963, 0.1975, 0.1316872428}
	tol := []float64{5e-5, 5e-5, 5e-5, 5e-5, 5e-11}
	for i := range want {
		if !near(p[i], want[i], tol[i]) {
			t.Errorf("p[%d] = %v, want %v", i, p[i], want[i])
		}
	}
}

// AUDIT-REFERENCES.md (SHANGRLA test_NonnegMean.test_sample_size): fixed η = 0.75 (the
// population alternative, updated per draw as fixed_alternative_mean does), N = 1000,
// α = 0.05: all 1s → 8 (1.5^8 = 25.6 > 20 > 1.5^7), all 0.75s → 14 (1.25^14 = 22.7 > 20 > 1.25^13).
func TestAlphaSampleSize(t *testing.T) {
	for _, est := range []Estimator{FixedEta{Eta0: 0.75, N: 1000}, FixedEta{Eta0: 0.75}} {
		a := Alpha{N: 1000, T: 0.5, U: 1, Estimator: est}
		for _, c := range []struct {
			x    float64
			want int
		}{{1, 8}, {0.75, 14}} {
			got, err := a.SampleSize(c.x, 0.05, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%+v SampleSize(%v) = %d, want %d", est, c.x, got, c.want)
			}
		}
	}
	a := Alpha{N: 1000, Estimator: FixedEta{Eta0: 0.75}}
	if _, err := a.SampleSize(0.5, 0.05, 100); err == nil {
		t.Error("a sample of 1/2s reached the risk limit")
	}
}

// AUDIT-REFERENCES.md (SHANGRLA test_sjm): N = 5, t = 1.53, x = [1, 2, 0.5, 1, 4] →
// m = [1.53, 1.6625, 1.55, 2.075, 3.15]; with N = ∞ every m_j = t.
func TestSequentialNullMeans(t *testing.T) {
	m := SequentialNullMeans([]float64{1, 2, 0.5, 1, 4}, 5, 1.53)
	want := []float64{1.53, 1.6625, 1.55, 2.075, 3.15}
	for i := range want {
		if !near(m[i], want[i], 1e-12) {
			t.Errorf("m[%d] = %v, want %v", i, m[i], want[i])
		}
	}
	for _, v := range SequentialNullMeans([]float64{1, 0, 0.5, 4, 0.5}, 0, 0.52) {
		if v != 0.52 {
			t.Errorf("N = ∞: m = %v, want 0.52", v)
		}
	}
}

// SHANGRLA test_alpha_mart: N = 7, t = 3/7, x = [1,0,1,1,0,0,1]: the sample sums to 4 > N·t = 3,
// so the last p-value is 0; the same sample ending in 0 has the same p-values before the last.
// Five 1/2s with t = 1/2: p = 1 throughout.
func TestAlphaEdges(t *testing.T) {
	a := Alpha{N: 7, T: 3.0 / 7, U: 1, Estimator: DefaultShrinkTrunc(3.0/7, 1, 0.75)}
	p1, err := a.PValues([]float64{1, 0, 1, 1, 0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := a.PValues([]float64{1, 0, 1, 1, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if p1[6] != 0 {
		t.Errorf("last p-value %v, want 0", p1[6])
	}
	for i := 0; i < 6; i++ {
		if p1[i] != p2[i] || math.IsNaN(p1[i]) {
			t.Errorf("p1[%d] = %v, p2[%d] = %v", i, p1[i], i, p2[i])
		}
	}
	if p2[6] == 0 {
		t.Error("a sample summing to N·t gave p = 0")
	}
	b := Alpha{N: 1000000, Estimator: FixedEta{Eta0: 0.75}}
	p, _ := b.PValues([]float64{0.5, 0.5, 0.5, 0.5, 0.5})
	if p[4] < 0.99 {
		// Each factor is (0.5·1.5 + 0.5·0.5) = 1 up to the N-correction of m_j.
		t.Errorf("1/2s: p = %v, want ≈ 1", p[4])
	}
	// Draws so small that the rest of the population cannot reach the null: N = 4, t = 0.9,
	// two 0s leave m_3 = 3.6/2 = 1.8 > u: T stops changing, p stays 1.
	c := Alpha{N: 4, T: 0.9, Estimator: FixedEta{Eta0: 0.95}}
	p, _ = c.PValues([]float64{0, 0, 1, 1})
	if p[3] != 1 {
		t.Errorf("impossible alternative: p = %v, want 1", p[3])
	}
	if _, err := (Alpha{Estimator: FixedEta{Eta0: 0.7}}).PValues([]float64{1.5}); err == nil {
		t.Error("a draw above u was accepted")
	}
	if _, err := (Alpha{N: 2, Estimator: FixedEta{Eta0: 0.7}}).PValues([]float64{1, 1, 1}); err == nil {
		t.Error("3 draws from 2 cards were accepted")
	}
	if _, err := (Alpha{}).PValues([]float64{1}); err == nil {
		t.Error("no estimator was accepted")
	}
}

// SHANGRLA test_shrink_trunc with f = 0, N = ∞, d = 10, η = 0.6, c = (η − t)/2 = 0.05:
// η_j = min(max(t + c/√(d+j−1), (dη + S_j)/(d+j−1)), u(1−ε)). Hand values for
// x = 0,0,0,0,0,1,…: j = 1: max(0.5 + 0.05/√10, 6/10) = 0.6; j = 3: max(0.5 + 0.05/√12 =
// 0.514434, 6/12 = 0.5) = 0.514434; j = 7 (S = 1): max(0.5 + 0.05/4 = 0.5125, 7/16 = 0.4375) = 0.5125.
// Finite N = 10: j = 6, S = 0: m_6 = 5/5 = 1 → truncated at u(1−ε).
func TestShrinkTrunc(t *testing.T) {
	eps := math.Nextafter(1, 2) - 1
	st := ShrinkTrunc{Eta0: 0.6, D: 10, C: 0.05, U: 1, Eps: eps, MinSD: 1e-6}
	x := []float64{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}
	for _, c := range []struct {
		j    int
		want float64
	}{{1, 0.6}, {3, 0.5 + 0.05/math.Sqrt(12)}, {7, 0.5125}} {
		if got := st.Eta(c.j, x[:c.j-1], 0.5); !near(got, c.want, 1e-12) {
			t.Errorf("η_%d = %v, want %v", c.j, got, c.want)
		}
	}
	if got := st.Eta(6, x[:5], 1); got != 1-eps {
		t.Errorf("η_6 = %v, want u(1−ε)", got)
	}
	// With f > 0 the estimate moves towards u: f = 1, sd of (0,0) is 0 → minsd, so the weight
	// of u dominates and η_3 ≈ u(1−ε).
	sf := st
	sf.F = 1
	if got := sf.Eta(3, x[:2], 0.5); got < 0.999 {
		t.Errorf("f = 1: η_3 = %v, want ≈ 1", got)
	}
	d := DefaultShrinkTrunc(0.5, 1, 0.6)
	if d.D != 100 || d.F != 0 || !near(d.C, 0.05, 1e-15) {
		t.Errorf("defaults %+v", d)
	}
}

// The simulated expected sample size with a fixed η on a {0, 1} population with 60% ones must
// be near Wald's ASN ln(1/α)/E[ln factor] = ln 20/(0.6 ln 1.2 + 0.4 ln 0.8) = 2.9957/0.020136 ≈
// 148.8 for η = 0.6 — within 25% (the ASN ignores overshoot and the finite population).
func TestAlphaExpectedSampleSize(t *testing.T) {
	pop := make([]float64, 2000)
	for i := range 1200 {
		pop[i] = 1
	}
	a := Alpha{T: 0.5, Estimator: FixedEta{Eta0: 0.6}}
	got, err := a.ExpectedSampleSize(pop, 0.05, 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	wald := math.Log(20) / (0.6*math.Log(1.2) + 0.4*math.Log(0.8))
	if !near(wald, 148.8, 0.1) || math.Abs(got-wald)/wald > 0.25 {
		t.Errorf("expected sample size %v, Wald ASN %v", got, wald)
	}
}

func BenchmarkAlphaSampleSize(b *testing.B) {
	a := Alpha{N: 100000, T: 0.5, Estimator: DefaultShrinkTrunc(0.5, 1, 0.52)}
	for b.Loop() {
		if _, err := a.SampleSize(0.51, 0.05, 100000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAlphaExpectedSampleSize(b *testing.B) {
	pop := make([]float64, 10000)
	for i := range 5500 {
		pop[i] = 1
	}
	a := Alpha{Estimator: FixedEta{Eta0: 0.55}}
	for b.Loop() {
		if _, err := a.ExpectedSampleSize(pop, 0.05, 20, 1); err != nil {
			b.Fatal(err)
		}
	}
}
