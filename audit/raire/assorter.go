package raire

import (
	"fmt"
	"math"

	"github.com/canvass-vote/canvass/audit"
)

// Assorter is the SHANGRLA assorter of one assertion (Stark 2020, sec. 2.4; Blom et al. 2021,
// sec. on IRV), for a population of cards whose votes in the contest are rankings (candidate
// names, most preferred first, as the count reads them).
//
//   - NEB(w, ℓ): A(b) = (1 + [w is first on b] − [ℓ is ranked on b above w, or without w])/2.
//   - NEN(w, ℓ, S): A(b) = (1 + [w is b's first among S] − [ℓ is b's first among S])/2.
//
// Both take the values 0, 1/2 and 1 (upper bound u = 1), and their mean over the N cards is
// 1/2 + m/(2N) with m the assertion's margin, so the mean exceeds 1/2 exactly when the
// assertion is true. Each is the plurality assorter of SHANGRLA sec. 2.1 applied to the card's
// pseudo-vote (Votes): a vote for w where the assertion counts the card for w, for ℓ where it
// counts it for ℓ, none otherwise. Plurality is that plurality assorter, so the comparison
// (overstatement) assorter, its bounds and the ALPHA and Kaplan-Markov risk functions of
// package audit serve IRV assertions unchanged, and one sample of cards serves IRV and
// plurality contests alike.
type Assorter struct {
	// Scored is the assertion with its tallies, margin and difficulty.
	Scored Scored
	// WinnerName and LoserName are the assertion's candidates; Continuing names NEN's set.
	WinnerName, LoserName string
	Continuing            []string
	// Plurality is the plurality assorter of the pseudo-votes: Winner and Loser the names,
	// Upper 1, Mean 1/2 + Margin/(2N).
	Plurality audit.Assorter
	cont      map[string]bool
	known     map[string]bool
}

// Assorters returns the assorters of the result's assertions for a population of ballots
// cards (at least the ballots ranked in the contest; a card without the contest assorts to
// 1/2 for every assertion).
func (r *Result) Assorters(ballots int64) ([]Assorter, error) {
	if ballots < r.Ballots || ballots <= 0 {
		return nil, fmt.Errorf("%w: %d cards for a contest with %d ranked ballots", ErrInput, ballots, r.Ballots)
	}
	out := make([]Assorter, len(r.Assertions))
	for i, s := range r.Assertions {
		a, err := NewAssorter(s, r.Candidates, ballots)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// NewAssorter returns the assorter of one scored assertion of a contest with the given
// candidates, for a population of ballots cards.
func NewAssorter(s Scored, candidates []string, ballots int64) (Assorter, error) {
	if _, err := keyOf(s.Assertion, len(candidates)); err != nil {
		return Assorter{}, err
	}
	if ballots <= 0 || s.Margin > ballots || -s.Margin > ballots {
		return Assorter{}, fmt.Errorf("%w: margin %d on %d cards", ErrInput, s.Margin, ballots)
	}
	a := Assorter{Scored: s, WinnerName: candidates[s.Winner], LoserName: candidates[s.Loser], known: map[string]bool{}}
	for _, c := range candidates {
		a.known[c] = true
	}
	if s.Type == NEN {
		a.cont = map[string]bool{}
		for _, c := range s.Continuing {
			a.Continuing = append(a.Continuing, candidates[c])
			a.cont[candidates[c]] = true
		}
	}
	a.Plurality = audit.Assorter{Winner: a.WinnerName, Loser: a.LoserName, Upper: 1, Mean: 0.5 + float64(s.Margin)/(2*float64(ballots))}
	return a, nil
}

// Votes is the card's pseudo-vote for the assertion: [winner] if the assertion counts the
// ranking for its winner, [loser] if for its loser, nil otherwise. Names that are not the
// contest's candidates are passed over.
func (a Assorter) Votes(ranking []string) []string {
	switch a.Scored.Type {
	case NEB:
		first := true
		for _, c := range ranking {
			switch {
			case c == a.WinnerName:
				if first {
					return []string{a.WinnerName}
				}
				return nil
			case c == a.LoserName:
				return []string{a.LoserName}
			case a.known[c]:
				first = false
			}
		}
	case NEN:
		for _, c := range ranking {
			if a.cont[c] {
				switch c {
				case a.WinnerName:
					return []string{a.WinnerName}
				case a.LoserName:
					return []string{a.LoserName}
				}
				return nil
			}
		}
	}
	return nil
}

// Assort is the assorter's value for a card with the given ranking: 1, 1/2 or 0.
func (a Assorter) Assort(ranking []string) float64 { return a.Plurality.Assort(a.Votes(ranking)) }

// Margin is the assorter margin v = 2Ā − 1 = m/N, the assertion's diluted margin.
func (a Assorter) Margin() float64 { return a.Plurality.Margin() }

// Comparison is the comparison (overstatement) assorter of SHANGRLA sec. 3.2 for a card
// whose CVR ranks cvr and whose paper ranks mvr: (u − ω)/(2u − v) with ω = A(cvr) − A(mvr),
// in [0, ComparisonUpper()]; test it with ALPHA at t = 1/2.
func (a Assorter) Comparison(cvr, mvr []string) float64 {
	return a.Plurality.Comparison(a.Votes(cvr), a.Votes(mvr))
}

// ComparisonUpper is the comparison assorter's upper bound 2u/(2u − v).
func (a Assorter) ComparisonUpper() float64 { return a.Plurality.ComparisonUpper() }

// NotFound is the comparison value of a card that cannot be found: the worst case, its CVR
// counted for the winner and its paper for the loser (ω = u), which is 0.
func (a Assorter) NotFound() float64 {
	return a.Plurality.Comparison([]string{a.WinnerName}, []string{a.LoserName})
}

// Discrepancy is the card's overstatement in votes of the assertion's margin, 2ω ∈ {−2, −1,
// 0, 1, 2}, for the Kaplan-Markov p-value (audit.Discrepancies and
// audit.KaplanMarkovComparisonPValue with the assertion's diluted margin, Margin()); a card
// not found counts +2.
func (a Assorter) Discrepancy(cvr, mvr []string, found bool) int {
	if !found {
		return 2
	}
	return int(math.Round(2 * a.Plurality.Overstatement(a.Votes(cvr), a.Votes(mvr))))
}

// Eta is the alternative ALPHA's comparison audits use for this assorter
// (audit.ComparisonEta: 80% of the way from the no-error value to the upper bound).
func (a Assorter) Eta() float64 { return audit.ComparisonEta(a.Plurality) }

// Alpha is the ALPHA test of the comparison assorter for a population of N cards drawn
// without replacement (N = 0: with replacement), with the fixed alternative Eta, as canvass's
// alpha-comparison audits run it.
func (a Assorter) Alpha(N int64) audit.Alpha {
	return audit.Alpha{N: N, T: 0.5, U: a.ComparisonUpper(), Estimator: audit.FixedEta{Eta0: a.Eta()}}
}

// PollingAlpha is the ALPHA test of the assorter itself, for a ballot-polling audit of N
// cards, with SHANGRLA's shrink-truncate estimator started at the reported mean.
func (a Assorter) PollingAlpha(N int64) audit.Alpha {
	return audit.Alpha{N: N, T: 0.5, U: 1, Estimator: audit.DefaultShrinkTrunc(0.5, 1, a.Plurality.Mean)}
}
