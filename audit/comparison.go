package audit

import (
	"errors"
	"fmt"
	"math"
)

// Ballot-level comparison audits: the "super-simple" method of Stark, "Super-Simple
// Simultaneous Single-Ballot Risk-Limiting Audits", EVT/WOTE 2010 (below "Stark 2010"), with the
// Kaplan-Markov p-value and the sample-size formula of Lindeman & Stark, "A Gentle Introduction
// to Risk-Limiting Audits", IEEE Security & Privacy 2012 (below "Gentle"), as Colorado's audit
// tool and Arlo (votingworks/arlo server/audit_math/supersimple.py) implement them.

// DefaultGamma is the error inflation factor γ ≥ 1 used by Stark's online tools, Colorado's
// audit tool and Arlo.
const DefaultGamma = 1.03905

// Discrepancies counts the sampled ballots by their discrepancy, in votes of the reported
// winner's margin: O1 and O2 one- and two-vote overstatements (errors that made the reported
// margin look larger than it is), U1 and U2 one- and two-vote understatements.
type Discrepancies struct{ O1, O2, U1, U2 int64 }

// Add counts one ballot with discrepancy e (from BallotDiscrepancy): +1, +2, −1, −2; 0 is
// counted nowhere.
func (d *Discrepancies) Add(e int) {
	switch e {
	case 1:
		d.O1++
	case 2:
		d.O2++
	case -1:
		d.U1++
	case -2:
		d.U2++
	}
}

// Total is the number of ballots with a discrepancy.
func (d Discrepancies) Total() int64 { return d.O1 + d.O2 + d.U1 + d.U2 }

// ErrComparison is wrapped by errors about the parameters of a comparison audit.
var ErrComparison = errors.New("audit: comparison")

func checkGamma(gamma float64) error {
	if !(gamma >= 1) || math.IsInf(gamma, 1) {
		return fmt.Errorf("%w: γ must be at least 1 and finite, not %v", ErrComparison, gamma)
	}
	return nil
}

func checkDiscrepancies(d Discrepancies) error {
	if d.O1 < 0 || d.O2 < 0 || d.U1 < 0 || d.U2 < 0 {
		return fmt.Errorf("%w: negative discrepancy count %+v", ErrComparison, d)
	}
	return nil
}

// superSimpleLogTerm is the bracket of Gentle eq. (the sample-size formula of section "How big a
// sample?", the generalisation of Stark 2010 section 2 used by Colorado's Audit.optimistic):
//
//	ln α + o1 ln(1 − 1/(2γ)) + o2 ln(1 − 1/γ) + u1 ln(1 + 1/(2γ)) + u2 ln(1 + 1/γ)
//
// with real-valued counts so that it serves the rate-based plan as well.
func superSimpleLogTerm(alpha, gamma, o1, o2, u1, u2 float64) float64 {
	t := math.Log(alpha)
	if o1 != 0 {
		t += o1 * math.Log1p(-1/(2*gamma))
	}
	if o2 != 0 {
		// ln(1 − 1/γ) is −∞ at γ = 1: a two-vote overstatement cannot be absorbed then.
		t += o2 * math.Log1p(-1/gamma)
	}
	if u1 != 0 {
		t += u1 * math.Log1p(1/(2*gamma))
	}
	if u2 != 0 {
		t += u2 * math.Log1p(1/gamma)
	}
	return t
}

// SuperSimpleSampleSize is the number of ballots a comparison audit must examine to confirm the
// outcome at risk limit alpha if it finds the discrepancies d (Gentle, "How big a sample?";
// Stark 2010 section 2):
//
//	n = max(o1+o2+u1+u2, ⌈−2γ (ln α + o1 ln(1−1/(2γ)) + o2 ln(1−1/γ) + u1 ln(1+1/(2γ)) + u2 ln(1+1/γ)) / μ⌉)
//
// where μ is the diluted margin. A margin of zero or less returns an error (no sample confirms
// a tie); so does a bracket that is not negative (the understatements more than pay for the
// risk, when n is the number of discrepancies).
func SuperSimpleSampleSize(alpha, dilutedMargin, gamma float64, d Discrepancies) (int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if err := checkGamma(gamma); err != nil {
		return 0, err
	}
	if err := checkDiscrepancies(d); err != nil {
		return 0, err
	}
	if !(dilutedMargin > 0 && dilutedMargin <= 1) {
		return 0, fmt.Errorf("%w: diluted margin %v is not in (0, 1]: no sample confirms it", ErrComparison, dilutedMargin)
	}
	t := superSimpleLogTerm(alpha, gamma, float64(d.O1), float64(d.O2), float64(d.U1), float64(d.U2))
	if math.IsInf(t, -1) {
		return 0, fmt.Errorf("%w: with γ = %v a two-vote overstatement can never be absorbed", ErrComparison, gamma)
	}
	n := math.Ceil(-2 * gamma * t / dilutedMargin)
	if n > math.MaxInt64/2 {
		return 0, fmt.Errorf("%w: sample size overflows", ErrComparison)
	}
	return max(d.Total(), int64(n)), nil
}

// KaplanMarkovComparisonPValue is the Kaplan-Markov p-value of a ballot-level comparison audit
// after n draws with the discrepancies d (Stark 2010 section 3; Gentle eq. for P_KM):
//
//	P = (1 − 1/U)^n / ((1 − 1/(2γ))^o1 (1 − 1/γ)^o2 (1 + 1/(2γ))^u1 (1 + 1/γ)^u2),   U = 2γ/μ
//
// capped at 1. Each factor is (1 − 1/U)/(1 − e/(2γ)) for a ballot of e votes of overstatement,
// the form Arlo's supersimple.compute_risk multiplies ballot by ballot ((1 − 1/U)/(1 − e_r/(2γ/V))
// with e_r = e/V). Arlo counts understatements as zero, to be conservative; pass U1 = U2 = 0 to
// do the same. A diluted margin of zero or less (a tie, or a reported winner who lost) gives 1.
func KaplanMarkovComparisonPValue(n int64, dilutedMargin, gamma float64, d Discrepancies) float64 {
	if !(dilutedMargin > 0) || n < 0 || !(gamma >= 1) || checkDiscrepancies(d) != nil {
		return 1
	}
	u := 2 * gamma / dilutedMargin
	if u <= 1 {
		// μ > 2γ cannot happen with μ ≤ 1 ≤ γ; an impossible margin confirms nothing.
		return 1
	}
	logP := float64(n) * math.Log1p(-1/u)
	if d.O2 > 0 {
		if gamma == 1 {
			return 1 // 1 − 1/γ = 0: a two-vote overstatement makes the p-value infinite
		}
		logP -= float64(d.O2) * math.Log1p(-1/gamma)
	}
	logP -= float64(d.O1) * math.Log1p(-1/(2*gamma))
	logP -= float64(d.U1) * math.Log1p(1/(2*gamma))
	logP -= float64(d.U2) * math.Log1p(1/gamma)
	if logP >= 0 {
		return 1
	}
	return math.Exp(logP)
}

// ErrUnknownChoice is wrapped by errors about a vote for a choice the contest does not have.
var ErrUnknownChoice = errors.New("audit: unknown choice")

// BallotDiscrepancy is the discrepancy of one ballot for one contest, in votes: for every
// (reported winner w, reported loser ℓ) pair the overstatement is
//
//	e_wℓ = (v_w − a_w) − (v_ℓ − a_ℓ)
//
// where v are the CVR's votes (0 or 1) and a the audited (manual) votes, and the ballot's
// discrepancy is the largest e_wℓ over the pairs (Stark 2010 section 2, which bounds every pair's
// overstatement by its largest to keep one count per ballot; Arlo's
// supersimple.compute_discrepancies keeps the largest "counted_as" the same way). It is +2, +1,
// 0, −1 or −2. A ballot the audit board cannot find (found false) counts +2, the worst case for
// the reported winners. cvr and mvr list the choices voted (an overvote lists them all; an
// undervote or a ballot without the contest lists none); a name the contest does not have, or
// one listed twice, is an error.
func BallotDiscrepancy(c *Contest, cvr, mvr []string, found bool) (int, error) {
	pairs, err := c.Pairs()
	if err != nil {
		return 0, err
	}
	if !found {
		return 2, nil
	}
	reported, err := markVotes(c, cvr, "CVR")
	if err != nil {
		return 0, err
	}
	audited, err := markVotes(c, mvr, "audited ballot")
	if err != nil {
		return 0, err
	}
	worst := math.MinInt
	for _, p := range pairs {
		w, l := p[0].Name, p[1].Name
		e := (reported[w] - audited[w]) - (reported[l] - audited[l])
		worst = max(worst, e)
	}
	return worst, nil
}

// markVotes turns a list of choices voted into 0/1 marks by choice name.
func markVotes(c *Contest, votes []string, what string) (map[string]int, error) {
	m := make(map[string]int, len(votes))
	for _, v := range votes {
		known := false
		for _, ch := range c.Choices {
			if ch.Name == v {
				known = true
				break
			}
		}
		if !known {
			return nil, fmt.Errorf("%w: the %s votes for %q, which contest %q does not have", ErrUnknownChoice, what, v, c.Name)
		}
		if m[v] != 0 {
			return nil, fmt.Errorf("%w: the %s lists %q twice in contest %q", ErrComparison, what, v, c.Name)
		}
		m[v] = 1
	}
	return m, nil
}

// Expected discrepancy rates Arlo's supersimple.get_sample_sizes plans the first round with:
// one-vote misstatements 1 in 1,000 ballots, two-vote misstatements 1 in 10,000.
const (
	comparisonRate1 = 0.001
	comparisonRate2 = 0.0001
)

// ComparisonSampleSizes is the cumulative number of draws at which a ballot-level comparison
// audit of c is expected to stop, given the discrepancies d found in the first sampled draws
// (0 before the first round), as Arlo's supersimple.get_sample_sizes plans its rounds:
//
//  1. the discrepancy rates r1 = o1/n, r2 = o2/n (before any sample: r1 = s1 = 0.001 and
//     r2 = s2 = 0.0001, with s the understatement rates; afterwards understatements are not
//     credited, to be conservative, so d.U1 and d.U2 are ignored);
//  2. n0 = ⌈ln α / (ln(1 − μ/(2γ)) − r1 ln(1−1/(2γ)) − r2 ln(1−1/γ) − s1 ln(1+1/(2γ)) − s2 ln(1+1/γ))⌉,
//     the sample at which the Kaplan-Markov p-value with those rates reaches α (Stark 2010 eq. 3
//     with the expected discrepancies; Gentle, "How big a sample?"), or every ballot if the
//     denominator is not negative;
//  3. the projected counts o1 = ⌈r1 n0⌉, u1 = ⌈s1 n0⌉, o2 = round(r2 n0), u2 = round(s2 n0)
//     (halves up), and the size SuperSimpleSampleSize gives for them, capped at c.Ballots.
//
// Arlo returns this size minus the draws already sampled (at least 0); the caller subtracts.
func ComparisonSampleSizes(c *Contest, alpha, gamma float64, d Discrepancies, sampled int64) (int64, error) {
	if err := CheckRiskLimit(alpha); err != nil {
		return 0, err
	}
	if err := checkGamma(gamma); err != nil {
		return 0, err
	}
	if err := checkDiscrepancies(d); err != nil {
		return 0, err
	}
	if sampled < 0 || (sampled > 0 && d.Total() > sampled) {
		return 0, fmt.Errorf("%w: %d draws sampled with %d discrepancies", ErrComparison, sampled, d.Total())
	}
	mu, err := c.DilutedMargin()
	if err != nil {
		return 0, err
	}
	if mu <= 0 && c.Ballots > 0 {
		return c.Ballots, nil // a tie: only a full hand count settles it (Arlo does the same)
	}
	if err := c.Validate(); err != nil {
		return 0, err
	}
	var r1, r2, s1, s2 float64
	if sampled > 0 {
		r1 = float64(d.O1) / float64(sampled)
		r2 = float64(d.O2) / float64(sampled)
	} else {
		r1, r2, s1, s2 = comparisonRate1, comparisonRate2, comparisonRate1, comparisonRate2
	}
	denom := math.Log1p(-mu/(2*gamma)) - superSimpleLogTerm(1, gamma, r1, r2, s1, s2)
	if !(denom < 0) {
		return c.Ballots, nil
	}
	n0 := math.Ceil(math.Log(alpha) / denom)
	o1 := math.Ceil(r1 * n0)
	u1 := math.Ceil(s1 * n0)
	o2 := math.Floor(r2*n0 + 0.5)
	u2 := math.Floor(s2*n0 + 0.5)
	t := superSimpleLogTerm(alpha, gamma, o1, o2, u1, u2)
	if math.IsInf(t, -1) {
		return c.Ballots, nil
	}
	n := max(o1+o2+u1+u2, math.Ceil(-2*gamma*t/mu))
	if !(n < float64(c.Ballots)) {
		return c.Ballots, nil
	}
	return int64(n), nil
}
