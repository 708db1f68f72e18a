package audit

import (
	"fmt"
	"math"
)

// BravoResult is the outcome of a BRAVO measurement.
type BravoResult struct {
	// PValue is the measured risk: the largest p-value over the contest's hypotheses.
	PValue float64
	// Confirmed is PValue ≤ the risk limit.
	Confirmed bool
}

// bravoTest is one hypothesis of a BRAVO audit: a pair of a reported winner and a reported
// loser (plurality), or the winner against every other choice (supermajority).
type bravoTest struct {
	winner, loser string   // loser "" for supermajority: every other choice
	others        []string // supermajority: the other choices
	pw, pl        float64  // reported vote shares of all ballots (Contest.Ballots)
	s             float64  // the winner's share of the votes the test counts (s_w)
	t             float64  // the null share: 1/2, or the supermajority fraction f
}

// bravoTests returns the BRAVO hypotheses of a contest (Lindeman, Stark, Yates 2012, "BRAVO:
// Ballot-polling Risk-limiting Audits to Verify Outcomes", sec. 3 for plurality with several
// winners and losers, and sec. 3's super-majority variant).
func bravoTests(c *Contest) ([]bravoTest, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n := float64(c.Ballots)
	if c.Supermajority() {
		f, err := c.Share()
		if err != nil {
			return nil, err
		}
		cs, _ := c.Ranked()
		var valid int64
		var others []string
		for i, ch := range cs {
			valid += ch.Votes
			if i > 0 {
				others = append(others, ch.Name)
			}
		}
		if valid == 0 {
			return nil, fmt.Errorf("%w %q: no votes", ErrBadContest, c.Name)
		}
		s := float64(cs[0].Votes) / float64(valid)
		if s <= f {
			return nil, fmt.Errorf("%w %q: %s's reported share %.4f does not exceed the threshold %.4f", ErrBadContest, c.Name, cs[0].Name, s, f)
		}
		return []bravoTest{{winner: cs[0].Name, others: others, pw: float64(cs[0].Votes) / n,
			pl: float64(valid-cs[0].Votes) / n, s: s, t: f}}, nil
	}
	pairs, err := c.Pairs()
	if err != nil {
		return nil, err
	}
	out := make([]bravoTest, 0, len(pairs))
	for _, p := range pairs {
		w, l := float64(p[0].Votes), float64(p[1].Votes)
		out = append(out, bravoTest{winner: p[0].Name, loser: p[1].Name, pw: w / n, pl: l / n, s: w / (w + l), t: 0.5})
	}
	return out, nil
}

// counts returns the sample's votes for the test's winner and for its loser(s).
func (b bravoTest) counts(sample map[string]int64) (nw, nl int64) {
	nw = sample[b.winner]
	if b.loser != "" {
		return nw, sample[b.loser]
	}
	for _, o := range b.others {
		nl += sample[o]
	}
	return nw, nl
}

// plus and minus are the log factors of a vote for the winner and for the loser:
// ln(s/t) and ln((1 − s)/(1 − t)) (BRAVO sec. 3, the multipliers of T).
func (b bravoTest) plus() float64  { return math.Log(b.s / b.t) }
func (b bravoTest) minus() float64 { return math.Log((1 - b.s) / (1 - b.t)) }

// logT is the log of the BRAVO test statistic of a sample with nw votes for the winner and nl
// for the loser(s): T = (s/t)^nw ((1 − s)/(1 − t))^nl; ballots for neither are ignored.
func (b bravoTest) logT(nw, nl int64) float64 {
	return float64(nw)*b.plus() + float64(nl)*b.minus()
}

func checkSample(sample map[string]int64) error {
	for name, v := range sample {
		if v < 0 {
			return fmt.Errorf("%w: %d sampled votes for %s", ErrAlphaInput, v, name)
		}
	}
	return nil
}

// BravoPValue returns the BRAVO risk of a contest given the cumulative votes found in the
// sample so far: the largest over the contest's hypotheses of min(1, 1/T), with T the
// likelihood ratio of BRAVO sec. 3 computed from the cumulative counts.
//
// The statistic is evaluated at the end of each round from the cumulative counts, as Arlo
// does, not as the maximum of T over the ballot-by-ballot sequence: the order of the ballots
// within a round is not recorded, and the end-of-round value is itself a valid p-value (T is a
// nonnegative martingale under the null, so Ville's inequality covers any stopping time,
// including the ends of rounds). alpha is checked but does not change the p-value.
func BravoPValue(c *Contest, sample map[string]int64, alpha float64) (float64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if err := checkSample(sample); err != nil {
		return 0, err
	}
	tests, err := bravoTests(c)
	if err != nil {
		return 0, err
	}
	risk := 0.0
	for _, b := range tests {
		p := math.Min(1, math.Exp(-b.logT(b.counts(sample))))
		risk = math.Max(risk, p)
	}
	return risk, nil
}

// Bravo measures a BRAVO audit: BravoPValue and whether it is within the risk limit.
func Bravo(c *Contest, sample map[string]int64, alpha float64) (BravoResult, error) {
	p, err := BravoPValue(c, sample, alpha)
	if err != nil {
		return BravoResult{}, err
	}
	return BravoResult{PValue: p, Confirmed: p <= alpha}, nil
}

// BravoASN returns BRAVO's average sample number (Lindeman, Stark, Yates 2012, sec. 5):
//
//	ASN = (ln(1/α) + z_w/2) / (p_w z_w + p_ℓ z_ℓ),   z_w = ln(s_w/t), z_ℓ = ln((1 − s_w)/(1 − t))
//
// with p_w, p_ℓ the reported shares of all ballots, s_w = p_w/(p_w + p_ℓ) and t = 1/2 (the
// supermajority fraction for a supermajority contest), maximized over the contest's
// hypotheses. Round it up to get a number of ballots.
func BravoASN(c *Contest, alpha float64) (float64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	tests, err := bravoTests(c)
	if err != nil {
		return 0, err
	}
	asn := 0.0
	for _, b := range tests {
		zw, zl := b.plus(), b.minus()
		den := b.pw * zw
		if b.pl > 0 {
			den += b.pl * zl
		}
		if !(den > 0) {
			return float64(c.Ballots), nil
		}
		asn = math.Max(asn, (math.Log(1/alpha)+zw/2)/den)
	}
	return asn, nil
}

// BravoSampleSizes returns, for each quantile q, the cumulative sample size at which the next
// round finishes the audit with probability q if the reported outcome is right, given the
// cumulative sample so far (sampled ballots, sample votes by choice; nil and 0 before the
// first round). For a sample of 1000 ballots with 600/400, α = 0.1: 184, 244, 351 for q =
// 0.7, 0.8, 0.9.
//
// The method is Mark Lindeman's, as Arlo's bravo_sample_sizes implements it. For each
// hypothesis, with the two-way shares s = p_w/(p_w+p_ℓ) and the threshold
// c = ln(1/α) − (n_w·plus + n_ℓ·minus) still to be gained from the next n two-way ballots,
// the normal approximation n·s − z_q √(n s(1−s)) = (c − n·minus)/(plus − minus) (winner votes
// at the (1−q) quantile = votes needed) is a quadratic in n whose larger root starts an upward
// search for the first n at which the (1−q)-quantile of Binomial(n, s) gives T ≥ 1/α. That n
// counts ballots for the two choices only; it is scaled up by 1/(p_w + p_ℓ). The result is the
// largest over the contest's hypotheses, plus the ballots already sampled.
func BravoSampleSizes(c *Contest, alpha float64, sample map[string]int64, sampled int64, quantiles []float64) (map[float64]int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return nil, err
	}
	if err := checkSample(sample); err != nil {
		return nil, err
	}
	if sampled < 0 {
		return nil, fmt.Errorf("%w: %d ballots sampled", ErrAlphaInput, sampled)
	}
	tests, err := bravoTests(c)
	if err != nil {
		return nil, err
	}
	out := make(map[float64]int64, len(quantiles))
	for _, q := range quantiles {
		if !(q > 0 && q < 1) {
			return nil, fmt.Errorf("%w: quantile %v is not in (0, 1)", ErrAlphaInput, q)
		}
		var size int64
		for _, b := range tests {
			nw, nl := b.counts(sample)
			n := b.quantileSize(alpha, nw, nl, q)
			if b.pw+b.pl <= 0 {
				n = c.Ballots
			} else {
				n = int64(math.Ceil(float64(n) / (b.pw + b.pl)))
			}
			size = max(size, n)
		}
		out[q] = min(sampled+size, max(c.Ballots, sampled))
	}
	return out, nil
}

// quantileSize is Lindeman's two-way round size (see BravoSampleSizes).
func (b bravoTest) quantileSize(alpha float64, nw, nl int64, q float64) int64 {
	plus, minus := b.plus(), b.minus()
	threshold := math.Log(1/alpha) - b.logT(nw, nl)
	if threshold <= 0 {
		return 0
	}
	if math.IsInf(minus, -1) || b.s >= 1 {
		// Every counted vote is for the winner: T grows by s/t per vote.
		return int64(math.Floor(threshold/plus)) + 1
	}
	z := -normalQuantile(q)
	s := b.s
	d := s * (1 - s)
	f := threshold / (plus - minus)
	g := minus/(plus-minus) + s
	qa := g * g
	qb := -(z*z*d + 2*f*g)
	qc := f * f
	rad := math.Sqrt(math.Max(0, qb*qb-4*qa*qc))
	var n int64
	if q > 0.5 {
		n = int64(math.Floor((-qb + rad) / (2 * qa)))
	} else {
		n = int64(math.Floor((-qb - rad) / (2 * qa)))
	}
	n = max(n, 0)
	for ; n < 1<<40; n++ {
		xc := float64(binomialQuantile(1-q, n, s))
		if xc*plus+(float64(n)-xc)*minus > threshold {
			return n
		}
	}
	return n
}

// normalQuantile is the standard normal quantile function Φ⁻¹(p) = √2 erf⁻¹(2p − 1).
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}

// logBinomialPMF is ln P(K = k) for K ~ Binomial(n, p).
func logBinomialPMF(k, n int64, p float64) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	switch p {
	case 0:
		if k == 0 {
			return 0
		}
		return math.Inf(-1)
	case 1:
		if k == n {
			return 0
		}
		return math.Inf(-1)
	}
	ln, _ := math.Lgamma(float64(n + 1))
	lk, _ := math.Lgamma(float64(k + 1))
	lnk, _ := math.Lgamma(float64(n - k + 1))
	return ln - lk - lnk + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
}

// binomialQuantile is the smallest k with P(K ≤ k) ≥ q for K ~ Binomial(n, p) (scipy's
// binom.ppf).
func binomialQuantile(q float64, n int64, p float64) int64 {
	if n <= 0 {
		return 0
	}
	// Sum the pmf from the mode outwards would be faster; a plain scan from 0 is exact
	// enough and the sizes here are at most a few hundred thousand.
	var cdf float64
	for k := int64(0); k <= n; k++ {
		cdf += math.Exp(logBinomialPMF(k, n, p))
		if cdf >= q*(1-1e-12) {
			return k
		}
	}
	return n
}
