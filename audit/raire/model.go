package raire

import (
	"fmt"
	"math"
)

// ModelKind names a way to estimate how hard an assertion is to audit.
type ModelKind string

// The difficulty models, named as raire-rs names them in its JSON ("audit": {"type": …}).
const (
	// OneOnMargin is 1/μ = N/m, the reciprocal of the diluted margin μ = m/N: a comparison
	// audit's sample grows as 1/μ (Stark 2010, the super-simple sample size; raire-rs
	// BallotComparisonOneOnDilutedMargin).
	OneOnMargin ModelKind = "OneOnMargin"
	// OneOnMarginSq is 1/μ² = (N/m)²: a ballot-polling audit's sample grows as 1/μ²
	// (Lindeman, Stark, Yates 2012; raire-rs BallotPollingOneOnDilutedMarginSquared).
	OneOnMarginSq ModelKind = "OneOnMarginSq"
	// BRAVO is the average sample number of a BRAVO ballot-polling audit of the two tallies
	// (RAIRE sec. 4.1, from Lindeman, Stark, Yates, "BRAVO: Ballot-polling Risk-limiting
	// Audits to Verify Outcomes", EVT/WOTE 2012, sec. on the ASN):
	//
	//	ASN = (ln(1/α) + ½·ln(2s)) / (p_w·ln(2s) + p_ℓ·ln(2 − 2s)),   s = T_w/(T_w + T_ℓ),
	//
	// with p_w = T_w/N and p_ℓ = T_ℓ/N the shares of all N auditable ballots (a ballot that
	// counts for neither is drawn too; RAIRE's worked examples divide by the ballots still
	// active instead, which raire-rs keeps only for its tests).
	BRAVO ModelKind = "BRAVO"
	// MACRO is the expected sample of a ballot-level comparison audit with no errors
	// (RAIRE sec. 4.2, from Stark 2010 and the MACRO bound of Stark 2009):
	//
	//	ASN = −ln(α) · 2γ / μ,   μ = (T_w − T_ℓ)/N,
	//
	// with γ ≥ 1 the error inflation factor.
	MACRO ModelKind = "MACRO"
)

// Model is how Generate scores assertions: the estimated effort to audit one (its
// difficulty), from the tallies of its winner T_w and loser T_ℓ. Every model is +∞ when
// T_w ≤ T_ℓ: no sample confirms an assertion without a margin.
type Model struct {
	Kind ModelKind
	// Ballots is N, the number of auditable ballot cards the sample is drawn from (at least
	// the ballots counted in the contest; cards without the contest count for no one).
	Ballots int64
	// RiskLimit is α, for BRAVO and MACRO.
	RiskLimit float64
	// Gamma is MACRO's error inflation factor γ ≥ 1 (RAIRE's examples use 1.1; canvass's
	// Kaplan-Markov audits use audit.DefaultGamma).
	Gamma float64
}

// Validate checks the model's parameters.
func (m Model) Validate() error {
	if m.Ballots <= 0 {
		return fmt.Errorf("%w: the model needs the number of auditable ballots, not %d", ErrInput, m.Ballots)
	}
	switch m.Kind {
	case OneOnMargin, OneOnMarginSq:
	case BRAVO, MACRO:
		if !(m.RiskLimit > 0 && m.RiskLimit < 1) {
			return fmt.Errorf("%w: risk limit %v is not in (0, 1)", ErrInput, m.RiskLimit)
		}
		if m.Kind == MACRO && (!(m.Gamma >= 1) || math.IsInf(m.Gamma, 0)) {
			return fmt.Errorf("%w: MACRO's error inflation factor γ = %v must be at least 1", ErrInput, m.Gamma)
		}
	default:
		return fmt.Errorf("%w: difficulty model %q (use %s, %s, %s or %s)", ErrInput, m.Kind, OneOnMargin, OneOnMarginSq, BRAVO, MACRO)
	}
	return nil
}

// Difficulty is the model's effort for an assertion whose winner has tally w and loser l.
func (m Model) Difficulty(w, l int64) float64 {
	if w <= l {
		return math.Inf(1)
	}
	n := float64(m.Ballots)
	switch m.Kind {
	case OneOnMargin:
		return n / float64(w-l)
	case OneOnMarginSq:
		r := n / float64(w-l)
		return r * r
	case BRAVO:
		fw, fl := float64(w), float64(l)
		s := fw / (fw + fl)
		ln2s := math.Log(2 * s)
		num := 0.5*ln2s - math.Log(m.RiskLimit)
		var lnl float64
		if l > 0 {
			lnl = fl * math.Log(2-2*s)
		}
		return num / ((fw*ln2s + lnl) / n)
	case MACRO:
		return -math.Log(m.RiskLimit) * 2 * m.Gamma * n / float64(w-l)
	}
	return math.Inf(1)
}
