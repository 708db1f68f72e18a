package audit

import (
	"errors"
	"fmt"
	"math"
)

// SUITE hybrid (stratified) audits: Ottoboni, Stark, Lindeman, McBurnett, "Risk-Limiting Audits
// by Stratified Union-Intersection Tests of Elections (SUITE)", E-Vote-ID 2018, arXiv 1809.04235
// (below "SUITE"), as its authors' code (pbstark/CORLA18, code/suite_tools.py, sprt.py,
// fishers_combination.py, ballot_comparison.py) and Arlo (votingworks/arlo
// server/audit_math/suite.py) implement it.
//
// The ballots are split into two strata: stratum 1, whose ballots have cast vote records (CVRs)
// and is audited by ballot-level comparison, and stratum 2, without CVRs, audited by ballot
// polling. For a reported winner w and loser ℓ with overall reported margin V (in votes), the
// outcome is wrong only if the margin overstatements ω₁ and ω₂ of the two strata satisfy
// ω₁ + ω₂ ≥ V, that is, for some λ, ω₁ ≥ λV and ω₂ ≥ (1 − λ)V (SUITE sec. 2, the union over λ
// of intersection hypotheses). For each λ the two stratum nulls are tested on independent
// samples and their p-values combined with Fisher's function (SUITE sec. 4); the overall p-value
// is the largest combined p-value over λ.

// Stratum is one stratum of a hybrid contest: its number of ballot cards and the votes reported
// in it for each choice of the contest.
type Stratum struct {
	Ballots int64
	Votes   map[string]int64
}

// HybridContest is a contest whose ballots are split into a stratum with CVRs, audited by
// ballot-level comparison, and a stratum without, audited by ballot polling. The strata's
// ballots and votes add up to the contest's.
type HybridContest struct {
	Contest    *Contest
	CVR, NoCVR Stratum
}

// SuiteCVRSample is the comparison stratum's sample so far: the number of draws (with
// replacement; a ballot drawn twice counts twice) and their discrepancies, counted as
// BallotDiscrepancy counts them.
type SuiteCVRSample struct {
	Draws         int64
	Discrepancies Discrepancies
}

// ErrSuite is wrapped by errors about the parameters or the samples of a SUITE audit.
var ErrSuite = errors.New("audit: SUITE")

// FisherCombined is the p-value of Fisher's combination of the independent p-values ps (SUITE
// sec. 4, eq. for the combined statistic): under the intersection null, −2 Σ ln p_i is
// stochastically dominated by a chi-square variable with 2k degrees of freedom, k = len(ps), so
// the combined p-value is that distribution's survival function at −2 Σ ln p_i. For an even
// number of degrees of freedom it has the closed form
//
//	P(χ²_{2k} > x) = e^{−x/2} Σ_{j=0}^{k−1} (x/2)^j / j!
//
// (e.g. x = 9.4877 with 4 degrees of freedom gives 0.05). A p-value of 0 gives 0; values above
// 1 and NaN count as 1, a p-value no test can improve on. No p-values give 1.
func FisherCombined(ps ...float64) float64 {
	x := 0.0
	for _, p := range ps {
		switch {
		case p <= 0:
			return 0
		case p < 1: // NaN and p ≥ 1 add nothing
			x -= 2 * math.Log(p)
		}
	}
	return chiSquareSFEven(x, len(ps))
}

// chiSquareSFEven is P(χ²_{2k} > x), the closed form of FisherCombined.
func chiSquareSFEven(x float64, k int) float64 {
	if k <= 0 || !(x > 0) {
		return 1
	}
	if math.IsInf(x, 1) {
		return 0
	}
	h := x / 2
	term, sum := 1.0, 1.0
	for j := 1; j < k; j++ {
		term *= h / float64(j)
		sum += term
	}
	return math.Min(1, math.Exp(math.Log(sum)-h))
}

// suiteFisherDF is the number of p-values SUITE combines: one per stratum (χ² with 4 degrees of
// freedom).
const suiteFisherDF = 2

// suiteCVR is the comparison stratum's test for one (winner, loser) pair.
type suiteCVR struct {
	ballots int64   // N₁
	draws   int64   // n₁
	disc    float64 // ln of the discrepancy factors: o1 ln(1−1/(2γ)) + o2 ln(1−1/γ) + u1 ln(1+1/(2γ)) + u2 ln(1+1/γ)
	gamma   float64
}

// logP is ln of the Kaplan-Markov p-value of the null ω₁ ≥ a (a = λV votes of overstatement in
// the stratum; SUITE sec. 3.1; CORLA18 ballot_comparison_pvalue):
//
//	P₁ = (1 − a/(2γN₁))^{n₁} / ((1 − 1/(2γ))^{o1} (1 − 1/γ)^{o2} (1 + 1/(2γ))^{u1} (1 + 1/γ)^{u2})
//
// the Kaplan-Markov p-value of KaplanMarkovComparisonPValue with the diluted margin a/N₁ (U =
// 2γN₁/a), written for every a, not only a > 0: for a ≤ 0 the first factor is at least 1, and
// the formula stays the paper's. It is capped at 0 (P₁ ≤ 1); an a ≥ 2γN₁ no sample is consistent
// with gives −∞.
func (c suiteCVR) logP(a float64) float64 {
	lp := -c.disc
	if c.draws > 0 {
		f := a / (2 * c.gamma * float64(c.ballots))
		if f >= 1 {
			return math.Inf(-1)
		}
		lp += float64(c.draws) * math.Log1p(-f)
	}
	if math.IsNaN(lp) || lp > 0 {
		return 0 // a two-vote overstatement with γ = 1 (disc = −∞) leaves nothing to reject
	}
	return lp
}

// suitePolling is the polling stratum's test for one (winner, loser) pair: Wald's SPRT of the
// conditional tri-hypergeometric model (SUITE sec. 3.2; CORLA18 sprt.ballot_polling_sprt),
// with the number of ballots for neither candidate a nuisance parameter maximized over.
type suitePolling struct {
	ballots    int64 // N₂
	vw, vl, vu int64 // reported votes for w, for ℓ, and ballots for neither (the alternative)
	nw, nl, nu int64 // the sample's ballots for w, for ℓ, for neither
	alt        float64
	altOK      bool // the sample is possible under the alternative
}

func newSuitePolling(ballots, vw, vl, nw, nl, nu int64) suitePolling {
	s := suitePolling{ballots: ballots, vw: vw, vl: vl, vu: ballots - vw - vl, nw: nw, nl: nl, nu: nu}
	s.altOK = nw <= s.vw && nl <= s.vl && nu <= s.vu
	if s.altOK {
		s.alt = logFalling(float64(s.vw), nw) + logFalling(float64(s.vl), nl) + logFalling(float64(s.vu), nu)
	}
	return s
}

// logFalling is ln(x (x−1) ⋯ (x−k+1)) = Σ_{i<k} ln(x − i), the log of the falling factorial
// that a sample drawn without replacement multiplies into a hypergeometric likelihood.
func logFalling(x float64, k int64) float64 {
	if k <= 0 {
		return 0
	}
	if k <= 16 {
		s := 0.0
		for i := range k {
			s += math.Log(x - float64(i))
		}
		return s
	}
	a, _ := math.Lgamma(x + 1)
	b, _ := math.Lgamma(x - float64(k) + 1)
	return a - b
}

// sumRecip is Σ_{i<k} 1/(x − i) = ψ(x+1) − ψ(x−k+1), the derivative of logFalling in x.
func sumRecip(x float64, k int64) float64 {
	if k <= 0 {
		return 0
	}
	if k <= 16 {
		s := 0.0
		for i := range k {
			s += 1 / (x - float64(i))
		}
		return s
	}
	return digamma(x+1) - digamma(x-float64(k)+1)
}

// sumRecip2 is Σ_{i<k} 1/(x − i)² = ψ₁(x−k+1) − ψ₁(x+1), minus the second derivative of
// logFalling in x.
func sumRecip2(x float64, k int64) float64 {
	if k <= 0 {
		return 0
	}
	if k <= 16 {
		s := 0.0
		for i := range k {
			d := x - float64(i)
			s += 1 / (d * d)
		}
		return s
	}
	return trigamma(x-float64(k)+1) - trigamma(x+1)
}

// digamma is ψ(x) for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the
// asymptotic series ln x − 1/(2x) − Σ B₂ⱼ/(2j x^{2j}) (Abramowitz & Stegun 6.3.18), accurate
// to about 1e-15 there.
func digamma(x float64) float64 {
	r := 0.0
	for x < 10 {
		r -= 1 / x
		x++
	}
	f := 1 / (x * x)
	return r + math.Log(x) - 0.5/x - f*(1.0/12-f*(1.0/120-f*(1.0/252-f*(1.0/240-f*(1.0/132-f*691.0/32760)))))
}

// trigamma is ψ₁(x) for x > 0: ψ₁(x) = ψ₁(x+1) + 1/x² up to x ≥ 10, then the asymptotic series
// 1/x + 1/(2x²) + Σ B₂ⱼ/x^{2j+1} (Abramowitz & Stegun 6.4.12).
func trigamma(x float64) float64 {
	r := 0.0
	for x < 10 {
		r += 1 / (x * x)
		x++
	}
	f := 1 / (x * x)
	return r + 1/x + f/2 + f/x*(1.0/6-f*(1.0/30-f*(1.0/42-f*(1.0/30-f*5.0/66))))
}

// marginRange is the interval of null margins m for which the null is possible given the
// sample: N_w ≥ n_w, N_ℓ = N_w − m ≥ n_ℓ and N_u = N₂ − 2N_w + m ≥ n_u have a solution N_w.
func (s suitePolling) marginRange() (lo, hi float64) {
	return float64(2*s.nw + s.nu - s.ballots), float64(s.ballots - s.nu - 2*s.nl)
}

// logP is ln of the SPRT p-value min(1, 1/LR) of the null N_w − N_ℓ = m (a margin of m votes
// in the stratum; SUITE sec. 3.2). The alternative is the reported tally (V_w, V_ℓ, V_u); the
// likelihood of the sample without replacement under a population (N_w, N_ℓ, N_u) is
// proportional to N_w^(n_w) N_ℓ^(n_ℓ) N_u^(n_u) (falling factorials), and the null's is
// maximized over the nuisance N_w with N_ℓ = N_w − m, N_u = N₂ − 2N_w + m, over the real N_w
// in [max(n_w, n_ℓ + m), (N₂ − n_u + m)/2] as Arlo's suite.py does (a real maximizer gives a
// likelihood at least the integer one, so a p-value at least as large). The log-likelihood is
// concave in N_w (a sum of logs of affine functions), so its maximizer is the endpoint or the
// root of its derivative, found by Newton's method safeguarded by bisection. A null the sample
// rules out gives −∞ (p = 0); a sample the alternative rules out gives 0 (p = 1).
func (s suitePolling) logP(m float64) float64 {
	if !s.altOK {
		return 0
	}
	n2 := float64(s.ballots)
	lo := math.Max(float64(s.nw), float64(s.nl)+m)
	hi := (n2 - float64(s.nu) + m) / 2
	if !(hi >= lo) {
		return math.Inf(-1)
	}
	null := func(nw float64) float64 {
		return logFalling(nw, s.nw) + logFalling(nw-m, s.nl) + logFalling(n2-2*nw+m, s.nu)
	}
	deriv := func(nw float64) float64 {
		return sumRecip(nw, s.nw) + sumRecip(nw-m, s.nl) - 2*sumRecip(n2-2*nw+m, s.nu)
	}
	var best float64
	switch dlo, dhi := deriv(lo), deriv(hi); {
	case hi == lo || dlo <= 0:
		best = lo
	case dhi >= 0:
		best = hi
	default:
		best = s.argmax(lo, hi, m, deriv)
	}
	lp := null(best) - s.alt
	if math.IsNaN(lp) || lp > 0 {
		return 0
	}
	return lp
}

// argmax finds the root of the decreasing derivative deriv in (lo, hi), where deriv(lo) > 0 >
// deriv(hi): Newton steps with the second derivative, falling back to bisection whenever a step
// leaves the bracket (Numerical Recipes' rtsafe).
func (s suitePolling) argmax(lo, hi, m float64, deriv func(float64) float64) float64 {
	n2 := float64(s.ballots)
	second := func(nw float64) float64 {
		return -sumRecip2(nw, s.nw) - sumRecip2(nw-m, s.nl) - 4*sumRecip2(n2-2*nw+m, s.nu)
	}
	x := (lo + hi) / 2
	for range 200 {
		d := deriv(x)
		if d == 0 {
			return x
		}
		if d > 0 {
			lo = x
		} else {
			hi = x
		}
		next := x - d/second(x)
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-x) <= 1e-9*math.Max(1, math.Abs(x)) || hi-lo <= 1e-9*math.Max(1, math.Abs(x)) {
			return next
		}
		x = next
	}
	return x
}

// suitePair is the SUITE test of one (reported winner, reported loser) pair.
type suitePair struct {
	win    string
	lose   string
	v      float64 // V, the overall reported margin in votes
	m0     float64 // V_w2 − V_ℓ2, the polling stratum's reported margin
	lb, ub float64 // the allocations λ that can be true (CORLA18 calculate_lambda_range)
	cvr    suiteCVR
	poll   suitePolling
}

// stat is Fisher's statistic −2(ln P₁(λV) + ln P₂(m₀ − (1−λ)V)) at the allocation λ.
func (p *suitePair) stat(lambda float64) float64 {
	l1 := p.cvr.logP(lambda * p.v)
	l2 := p.poll.logP(p.m0 - (1-lambda)*p.v)
	return -2 * (l1 + l2)
}

// suiteGrid is the number of points of the grid search over λ.
const suiteGrid = 24

// maxPValue is the largest Fisher combined p-value over the allocations λ (SUITE sec. 4).
//
// The feasible λ are those of CORLA18's calculate_lambda_range: a stratum's overstatement lies
// between its reported margin minus and plus its number of ballots, so
//
//	max(V_w1 − V_ℓ1 − N₁, V − (V_w2 − V_ℓ2 + N₂)) / V ≤ λ ≤ min(V_w1 − V_ℓ1 + N₁, V − (V_w2 − V_ℓ2 − N₂)) / V,
//
// narrowed to the λ whose polling null the sample allows (elsewhere P₂ = 0, so the combined
// p-value is 0). The paper and Arlo search a grid and bound the error between its points with
// the modulus of continuity of Fisher's function (SUITE sec. 4.1), refining the grid when the
// bound does not settle the comparison with α. Here the statistic is convex in λ: −2 ln P₁ is
// −2n₁ ln(1 − λV/(2γN₁)) plus a constant, convex; −2 ln P₂ is a constant minus twice the
// maximum over N_w of a log-likelihood jointly concave in (N_w, m), and a partial maximum of a
// jointly concave function is concave in m, which is affine in λ; capping p at 1 takes a
// maximum with 0, which keeps convexity. So the grid brackets the minimum of the statistic, and
// a golden-section search between the grid points on either side of the best one refines it to
// the true maximum of the combined p-value, not a lower bound on it.
func (p *suitePair) maxPValue() float64 {
	a, b := p.lb, p.ub
	if p.poll.altOK {
		mlo, mhi := p.poll.marginRange()
		// m = m₀ − (1 − λ)V, so λ = 1 − (m₀ − m)/V.
		a = math.Max(a, 1-(p.m0-mlo)/p.v)
		b = math.Min(b, 1-(p.m0-mhi)/p.v)
	}
	if !(a <= b) {
		return 0 // every allocation's null is impossible given the samples
	}
	bestStat := p.stat(a)
	best := a
	step := (b - a) / (suiteGrid - 1)
	if step > 0 {
		for i := 1; i < suiteGrid; i++ {
			l := a + float64(i)*step
			if i == suiteGrid-1 {
				l = b
			}
			if s := p.stat(l); s < bestStat {
				best, bestStat = l, s
			}
		}
		_, s := goldenMin(p.stat, math.Max(a, best-step), math.Min(b, best+step))
		bestStat = math.Min(bestStat, s)
	}
	return chiSquareSFEven(bestStat, suiteFisherDF)
}

// goldenMin minimizes the convex f on [a, b] by golden-section search.
func goldenMin(f func(float64) float64, a, b float64) (float64, float64) {
	const r = 0.6180339887498949 // (√5 − 1)/2
	c, d := b-r*(b-a), a+r*(b-a)
	fc, fd := f(c), f(d)
	tol := 1e-10 * math.Max(1, math.Abs(a)+math.Abs(b))
	for i := 0; i < 200 && b-a > tol; i++ {
		if fc <= fd {
			b, d, fd = d, c, fc
			c = b - r*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + r*(b-a)
			fd = f(d)
		}
	}
	if fc <= fd {
		return c, fc
	}
	return d, fd
}

// suiteSetup checks a hybrid contest and returns its (winner, loser) pairs with the strata's
// reported votes filled in; the samples are set by the caller.
func suiteSetup(h *HybridContest) ([]suitePair, error) {
	if h == nil || h.Contest == nil {
		return nil, fmt.Errorf("%w: no contest", ErrSuite)
	}
	c := h.Contest
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Supermajority() {
		return nil, fmt.Errorf("%w: contest %q is a supermajority contest; SUITE here audits plurality contests only", ErrSuite, c.Name)
	}
	_, w := c.Ranked()
	for _, st := range []struct {
		name string
		s    Stratum
	}{{"CVR", h.CVR}, {"no-CVR", h.NoCVR}} {
		if st.s.Ballots <= 0 {
			return nil, fmt.Errorf("%w: contest %q: the %s stratum has %d ballots; with one stratum empty, audit the other with a single method", ErrSuite, c.Name, st.name, st.s.Ballots)
		}
		var total int64
		for name, v := range st.s.Votes {
			if !c.hasChoice(name) {
				return nil, fmt.Errorf("%w: the %s stratum reports votes for %q, which contest %q does not have", ErrUnknownChoice, st.name, name, c.Name)
			}
			if v < 0 {
				return nil, fmt.Errorf("%w: contest %q: the %s stratum reports %d votes for %s", ErrSuite, c.Name, st.name, v, name)
			}
			total += v
		}
		if total > st.s.Ballots*int64(w) {
			return nil, fmt.Errorf("%w: contest %q: the %s stratum reports %d votes on %d ballots with vote for %d", ErrSuite, c.Name, st.name, total, st.s.Ballots, w)
		}
	}
	if h.CVR.Ballots+h.NoCVR.Ballots != c.Ballots {
		return nil, fmt.Errorf("%w: contest %q: the strata have %d + %d ballots, the contest %d; they must add up", ErrSuite, c.Name, h.CVR.Ballots, h.NoCVR.Ballots, c.Ballots)
	}
	for _, ch := range c.Choices {
		if s := h.CVR.Votes[ch.Name] + h.NoCVR.Votes[ch.Name]; s != ch.Votes {
			return nil, fmt.Errorf("%w: contest %q: %s has %d + %d votes in the strata and %d in the contest; they must add up", ErrSuite, c.Name, ch.Name, h.CVR.Votes[ch.Name], h.NoCVR.Votes[ch.Name], ch.Votes)
		}
	}
	pairs, err := c.Pairs()
	if err != nil {
		return nil, err
	}
	n1, n2 := float64(h.CVR.Ballots), float64(h.NoCVR.Ballots)
	out := make([]suitePair, 0, len(pairs))
	for _, pr := range pairs {
		win, lose := pr[0].Name, pr[1].Name
		v := float64(pr[0].Votes - pr[1].Votes)
		m1 := float64(h.CVR.Votes[win] - h.CVR.Votes[lose])
		m2 := float64(h.NoCVR.Votes[win] - h.NoCVR.Votes[lose])
		out = append(out, suitePair{
			win:  win,
			lose: lose,
			v:    v,
			m0:   m2,
			lb:   math.Max(m1-n1, v-(m2+n2)) / v,
			ub:   math.Min(m1+n1, v-(m2-n2)) / v,
			cvr:  suiteCVR{ballots: h.CVR.Ballots, gamma: DefaultGamma},
			poll: suitePolling{ballots: h.NoCVR.Ballots, vw: h.NoCVR.Votes[win], vl: h.NoCVR.Votes[lose]},
		})
	}
	return out, nil
}

func (c *Contest) hasChoice(name string) bool {
	for _, ch := range c.Choices {
		if ch.Name == name {
			return true
		}
	}
	return false
}

// setSamples sets the pair's samples: n₁ comparison draws with the discrepancy factor disc, and
// a polling sample of n₂ ballots with nw for the winner and nl for the loser.
func (p *suitePair) setSamples(n1 int64, disc float64, n2, nw, nl int64) {
	p.cvr.draws, p.cvr.disc = n1, disc
	p.poll = newSuitePolling(p.poll.ballots, p.poll.vw, p.poll.vl, nw, nl, n2-nw-nl)
}

// SuitePValue is the SUITE risk of a hybrid contest given the samples so far: for every
// (reported winner, reported loser) pair, the largest over the allocations λ of Fisher's
// combination of the comparison stratum's Kaplan-Markov p-value for an overstatement of λV
// there and the polling stratum's SPRT p-value for (1 − λ)V there (SUITE secs. 3–4); the risk
// is the largest over the pairs.
//
// cvr is the comparison stratum's sample (draws with replacement and their discrepancies, with
// DefaultGamma). noCVR is the votes by choice found in the polling stratum's sample of
// noCVRDraws distinct ballots (drawn without replacement, as the SPRT of SUITE sec. 3.2
// assumes); ballots voting for neither candidate of a pair count as such for that pair. alpha
// is checked but does not change the p-value, which is the maximum over λ itself (see
// suitePair.maxPValue), not a grid's approximation of it.
func SuitePValue(h *HybridContest, alpha float64, cvr SuiteCVRSample, noCVR map[string]int64, noCVRDraws int64) (float64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	pairs, err := suiteSetup(h)
	if err != nil {
		return 0, err
	}
	if err := checkDiscrepancies(cvr.Discrepancies); err != nil {
		return 0, err
	}
	if cvr.Draws < 0 || cvr.Discrepancies.Total() > cvr.Draws {
		return 0, fmt.Errorf("%w: %d comparison draws with %d discrepancies", ErrSuite, cvr.Draws, cvr.Discrepancies.Total())
	}
	if noCVRDraws < 0 || noCVRDraws > h.NoCVR.Ballots {
		return 0, fmt.Errorf("%w: %d polling draws from a stratum of %d ballots; the polling sample is drawn without replacement", ErrSuite, noCVRDraws, h.NoCVR.Ballots)
	}
	for name, v := range noCVR {
		if !h.Contest.hasChoice(name) {
			return 0, fmt.Errorf("%w: the polling sample has votes for %q, which contest %q does not have", ErrUnknownChoice, name, h.Contest.Name)
		}
		if v < 0 {
			return 0, fmt.Errorf("%w: %d sampled votes for %s", ErrSuite, v, name)
		}
	}
	d := cvr.Discrepancies
	disc := superSimpleLogTerm(1, DefaultGamma, float64(d.O1), float64(d.O2), float64(d.U1), float64(d.U2))
	risk := 0.0
	for i := range pairs {
		p := &pairs[i]
		nw, nl := noCVR[p.win], noCVR[p.lose]
		if nw+nl > noCVRDraws {
			return 0, fmt.Errorf("%w: the polling sample of %d ballots has %d votes for %s and %d for %s", ErrSuite, noCVRDraws, nw, p.win, nl, p.lose)
		}
		pairs[i].setSamples(cvr.Draws, disc, noCVRDraws, nw, nl)
		risk = math.Max(risk, pairs[i].maxPValue())
	}
	return risk, nil
}

// suiteMinSample is the first total sample size SuiteSampleSizes tries (CORLA18 estimate_n's
// min_n).
const suiteMinSample = 5

// SuiteSampleSizes is the first round's sample sizes of a SUITE audit: the smallest total n,
// split between the strata in proportion to their ballots (n₁ = ⌈n N₁/N⌉ comparison draws,
// n₂ = n − n₁ polling draws, CORLA18 estimate_n's default n_ratio), at which the expected
// samples confirm the outcome, that is at which SuitePValue ≤ alpha for a comparison sample
// without discrepancies and a polling sample whose votes are the stratum's reported shares
// (⌊n₂ V_w2/N₂⌋ for w, ⌊n₂ V_ℓ2/N₂⌋ for ℓ, the rest for neither), for every pair.
//
// The search is Arlo's get_sample_size: n grows by a factor 1.1 from 5 until the expected
// p-value is at most alpha, then bisects between the last two sizes for the smallest n that
// does it (the expected p-value decreases with n, up to the rounding of the polling counts). A
// contest the expected samples cannot confirm before every ballot is drawn gets both strata in
// full: (N₁, N₂).
func SuiteSampleSizes(h *HybridContest, alpha float64) (cvr, noCVR int64, err error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, 0, err
	}
	pairs, err := suiteSetup(h)
	if err != nil {
		return 0, 0, err
	}
	n1, n2 := h.CVR.Ballots, h.NoCVR.Ballots
	total := n1 + n2
	split := func(n int64) (int64, int64) {
		c := int64(math.Ceil(float64(n) * float64(n1) / float64(total)))
		c = min(c, n1, n)
		return c, n - c
	}
	confirms := func(n int64) bool {
		c, p := split(n)
		for i := range pairs {
			pp := &pairs[i]
			nw := int64(math.Floor(float64(p) * float64(pp.poll.vw) / float64(n2)))
			nl := int64(math.Floor(float64(p) * float64(pp.poll.vl) / float64(n2)))
			pp.setSamples(c, 0, p, nw, nl)
			if pp.maxPValue() > alpha {
				return false
			}
		}
		return true
	}
	lo, hi := int64(0), int64(suiteMinSample)
	for {
		if hi >= total {
			if !confirms(total) {
				return n1, n2, nil
			}
			hi = total
			break
		}
		if confirms(hi) {
			break
		}
		lo, hi = hi, max(hi+1, int64(math.Ceil(1.1*float64(hi))))
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if confirms(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	cvr, noCVR = split(hi)
	return cvr, noCVR, nil
}
