package audit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Estimator chooses ALPHA's alternative η_j for the j-th draw (j = 1, 2, …) from the draws
// before it (x = x_1 … x_{j−1}) and the null mean m_j of the cards not yet drawn (Stark 2023,
// "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", sec. 2.2: η_j must depend
// only on the past draws; any such choice gives a valid test).
type Estimator interface {
	Eta(j int, x []float64, m float64) float64
}

// FixedEta is the fixed alternative η = Eta0 of ALPHA sec. 2.5.1 (the field is not called Eta
// because Eta is the Estimator method). If N > 0, Eta0 is the alternative for
// the mean of the whole population of N cards and the alternative for the cards not yet drawn
// is η_j = (Nη − Σ_{i<j} x_i)/(N − j + 1), as SHANGRLA's NonnegMean.fixed_alternative_mean does;
// if N is 0, η_j = Eta0 for every draw.
type FixedEta struct {
	Eta0 float64
	N    int64
}

// Eta implements Estimator.
func (f FixedEta) Eta(j int, x []float64, m float64) float64 {
	s, _ := sums(x)
	return f.etaFromSums(j, s, 0, m)
}

func (f FixedEta) etaFromSums(j int, s, _ float64, _ float64) float64 {
	if f.N <= 0 {
		return f.Eta0
	}
	return (float64(f.N)*f.Eta0 - s) / float64(f.N-int64(j)+1)
}

// sumEstimator is an Estimator that needs only the sum and the sum of squares of the past
// draws; PValues keeps those running so that a long sample costs O(n), not O(n²).
type sumEstimator interface {
	etaFromSums(j int, sum, sumsq float64, m float64) float64
}

func sums(x []float64) (s, ss float64) {
	for _, v := range x {
		s += v
		ss += v * v
	}
	return s, ss
}

// ShrinkTrunc is ALPHA's shrink-truncate estimator (ALPHA sec. 2.5.2; SHANGRLA
// NonnegMean.shrink_trunc): the sample mean shrunk towards Eta0 with weight D, then towards U
// with weight F/sd, truncated below at m_j + C/√(D + j − 1) and above at U(1 − Eps):
//
//	η_j = min( max( [(D·η0 + S_j)/(D + j − 1) + F·U/sd_j] / (1 + F/sd_j), m_j(1+Eps) + C/√(D+j−1) ), U(1 − Eps) )
//
// where S_j is the sum of the first j − 1 draws and sd_j their standard deviation (1 for j ≤ 2,
// at least MinSD after). DefaultShrinkTrunc fills in SHANGRLA's defaults.
type ShrinkTrunc struct {
	Eta0, D, C, F, MinSD, U, Eps float64
}

// DefaultShrinkTrunc returns the shrink-truncate estimator with SHANGRLA's defaults for null
// mean t, upper bound u and initial alternative eta0: d = 100, f = 0, c = (η0 − t)/2 − ε
// (halved towards u if the truncation bounds would cross), minsd = 10⁻⁶, ε the float64
// machine epsilon.
func DefaultShrinkTrunc(t, u, eta0 float64) ShrinkTrunc {
	eps := math.Nextafter(1, 2) - 1
	c := (eta0-t)/2 - eps
	if u-c < t+c {
		c = (u - c) / 2
	}
	return ShrinkTrunc{Eta0: eta0, D: 100, C: c, F: 0, MinSD: 1e-6, U: u, Eps: eps}
}

// Eta implements Estimator.
func (s ShrinkTrunc) Eta(j int, x []float64, m float64) float64 {
	sum, sumsq := sums(x)
	return s.etaFromSums(j, sum, sumsq, m)
}

func (s ShrinkTrunc) etaFromSums(j int, sum, sumsq float64, m float64) float64 {
	u := s.U
	if u == 0 {
		u = 1
	}
	sd := 1.0
	if n := float64(j - 1); n >= 2 {
		// Population standard deviation of the past draws (SHANGRLA's Welford variance
		// divides by the count).
		mean := sum / n
		sd = math.Max(math.Sqrt(math.Max(sumsq/n-mean*mean, 0)), s.MinSD)
	}
	dj := s.D + float64(j) - 1
	weighted := (s.D*s.Eta0 + sum) / dj
	if s.F > 0 {
		weighted = (weighted + s.F*u/sd) / (1 + s.F/sd)
	}
	lo := m*(1+s.Eps) + s.C/math.Sqrt(dj)
	return math.Min(math.Max(weighted, lo), u*(1-s.Eps))
}

// Alpha is the ALPHA supermartingale test (Stark 2023) of the null hypothesis that the mean of
// a population of N values in [0, U] is at most T, from draws without replacement (N = 0: with
// replacement, an infinite population).
type Alpha struct {
	N         int64
	T         float64 // null mean; 1/2 if zero
	U         float64 // upper bound of the values; 1 if zero
	Estimator Estimator
}

// ErrAlphaInput is wrapped by errors about draws or parameters ALPHA cannot use.
var ErrAlphaInput = errors.New("audit: alpha")

func (a Alpha) params() (t, u float64, err error) {
	t, u = a.T, a.U
	if t == 0 {
		t = 0.5
	}
	if u == 0 {
		u = 1
	}
	if !(t > 0 && t < u) || math.IsInf(u, 0) || math.IsNaN(u) {
		return 0, 0, fmt.Errorf("%w: null mean %v must be in (0, u = %v)", ErrAlphaInput, t, u)
	}
	if a.N < 0 {
		return 0, 0, fmt.Errorf("%w: population %d", ErrAlphaInput, a.N)
	}
	if a.Estimator == nil {
		return 0, 0, fmt.Errorf("%w: no estimator", ErrAlphaInput)
	}
	return t, u, nil
}

// SequentialNullMeans returns m_j = (N·t − Σ_{i<j} x_i)/(N − j + 1) for j = 1 … len(x): the mean
// of the cards not yet drawn if the population mean is t (ALPHA sec. 2.2, eq. for μ_j; SHANGRLA
// NonnegMean.sjm). N = 0 means an infinite population, where m_j = t.
func SequentialNullMeans(x []float64, N int64, t float64) []float64 {
	m := make([]float64, len(x))
	var s float64
	for j := range x {
		if N <= 0 {
			m[j] = t
		} else {
			m[j] = (float64(N)*t - s) / float64(N-int64(j))
		}
		s += x[j]
	}
	return m
}

// PValues returns the running p-value after each draw: min(1, min_{i≤j} 1/T_i), where
//
//	T_j = Π_{i≤j} ( x_i·η_i/m_i + (u − x_i)(u − η_i)/(u − m_i) ) / u
//
// is the ALPHA supermartingale (ALPHA sec. 2.2, eq. (8)/(9)), m_i the sequential null mean and
// η_i the estimator's alternative. If a draw makes the null impossible (m_{j+1} < 0, i.e. the
// sample already sums to more than N·t) the p-value is 0 from then on; if m_j > u the null is
// certainly true for the rest of the population and T stops changing; a factor with m_j = 0
// or m_j = u is 1 (as SHANGRLA's alpha_mart does).
func (a Alpha) PValues(x []float64) ([]float64, error) {
	t, u, err := a.params()
	if err != nil {
		return nil, err
	}
	if a.N > 0 && int64(len(x)) > a.N {
		return nil, fmt.Errorf("%w: %d draws from a population of %d", ErrAlphaInput, len(x), a.N)
	}
	p := make([]float64, len(x))
	logT := 0.0 // log of T_j
	pmin := 1.0
	var s, ss float64
	se, fast := a.Estimator.(sumEstimator)
	frozen := false
	const tol = 1e-12
	for j := range x {
		xj := x[j]
		if !validUnit(xj, u) {
			return nil, fmt.Errorf("%w: draw %d is %v, outside [0, %v]", ErrAlphaInput, j+1, xj, u)
		}
		m := t
		if a.N > 0 {
			m = (float64(a.N)*t - s) / float64(a.N-int64(j))
		}
		switch {
		case pmin == 0:
		case m < -tol:
			pmin = 0
		case m > u+tol:
			frozen = true
		case frozen, math.Abs(m) <= tol, math.Abs(u-m) <= tol*u:
		default:
			var eta float64
			if fast {
				eta = se.etaFromSums(j+1, s, ss, m)
			} else {
				eta = a.Estimator.Eta(j+1, x[:j], m)
			}
			eta = math.Min(math.Max(eta, 0), u)
			f := (xj*eta/m + (u-xj)*(u-eta)/(u-m)) / u
			if f <= 0 {
				logT = math.Inf(-1)
			} else {
				logT += math.Log(f)
			}
			if q := math.Exp(-logT); q < pmin {
				pmin = q
			}
		}
		s += xj
		ss += xj * xj
		if a.N > 0 && s > float64(a.N)*t*(1+tol) {
			pmin = 0
		}
		p[j] = pmin
	}
	return p, nil
}

// KaplanMarkovPValues returns the running Kaplan-Markov p-value (Stark 2009, "Risk-limiting
// post-election audits: P-values from common probability inequalities", sec. on the
// Kaplan-Markov bound; SHANGRLA NonnegMean.kaplan_markov, random order) of the null that the
// mean of a nonnegative population sampled with replacement is at most t:
// p_j = min(1, min_{i≤j} Π_{k≤i} (t + g)/(x_k + g)).
func KaplanMarkovPValues(x []float64, t, g float64) ([]float64, error) {
	if !(t > 0) || g < 0 || math.IsNaN(g) {
		return nil, fmt.Errorf("%w: Kaplan-Markov needs t > 0 and g ≥ 0, not t = %v, g = %v", ErrAlphaInput, t, g)
	}
	p := make([]float64, len(x))
	logT, pmin := 0.0, 1.0
	for j, v := range x {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: draw %d is %v; Kaplan-Markov needs nonnegative values", ErrAlphaInput, j+1, v)
		}
		if v+g == 0 {
			logT = math.Inf(-1)
		} else {
			logT += math.Log((v + g) / (t + g))
		}
		pmin = math.Min(pmin, math.Exp(-logT))
		p[j] = pmin
	}
	return p, nil
}

// ErrNoSampleSize is returned when no sample up to the limit would reach the risk limit.
var ErrNoSampleSize = errors.New("audit: the risk limit is not reached within the limit")

// SampleSize returns the first j at which the p-value is at most alpha when every draw equals
// x, a typical draw such as the reported assorter mean (as SHANGRLA's NonnegMean.sample_size
// does with a constant sequence). It looks at most max draws (and at most N); beyond that it
// returns ErrNoSampleSize.
func (a Alpha) SampleSize(x float64, alpha float64, max int) (int, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if max <= 0 || (a.N > 0 && int64(max) > a.N) {
		if a.N > 0 {
			max = int(a.N)
		} else {
			return 0, fmt.Errorf("%w: max %d draws", ErrAlphaInput, max)
		}
	}
	xs := make([]float64, max)
	for i := range xs {
		xs[i] = x
	}
	p, err := a.PValues(xs)
	if err != nil {
		return 0, err
	}
	for j, v := range p {
		if v <= alpha {
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("%w of %d draws", ErrNoSampleSize, max)
}

// ExpectedSampleSize estimates by simulation the mean number of draws an ALPHA audit needs to
// reach the risk limit when it draws without replacement from pop (the assorter values of the
// N = len(pop) cards; a.N is taken from pop): reps audits with a math/rand/v2 PCG stream
// seeded by seed, each stopped at the first p-value ≤ alpha or after all cards.
func (a Alpha) ExpectedSampleSize(pop []float64, alpha float64, reps int, seed uint64) (float64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if len(pop) == 0 || reps <= 0 {
		return 0, fmt.Errorf("%w: %d cards, %d repetitions", ErrAlphaInput, len(pop), reps)
	}
	a.N = int64(len(pop))
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	perm := append([]float64(nil), pop...)
	var total float64
	for range reps {
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		p, err := a.PValues(perm)
		if err != nil {
			return 0, err
		}
		n := len(perm)
		for j, v := range p {
			if v <= alpha {
				n = j + 1
				break
			}
		}
		total += float64(n)
	}
	return total / float64(reps), nil
}
