package audit

import (
	"fmt"
	"math"
)

// Assorter is a SHANGRLA assorter (Stark 2020, "Sets of Half-Average Nulls Generate
// Risk-Limiting Audits: SHANGRLA", sec. 2): a function from a ballot card to [0, Upper] whose
// mean over all cards in the population exceeds 1/2 if and only if one assertion about the
// reported outcome is true.
//
// A plurality assorter (Share == 0) compares one reported winner with one reported loser. A
// supermajority assorter (Share > 0) checks that Winner got more than the fraction Share of the
// valid votes; its Loser is empty and stands for every other choice.
type Assorter struct {
	// Winner and Loser name the choices the assertion compares.
	Winner, Loser string
	// Upper is the assorter's upper bound u: 1 for plurality, 1/(2·Share) for supermajority.
	Upper float64
	// Share is the supermajority fraction f (0 for a plurality assorter).
	Share float64
	// Mean is the assorter's mean over the population computed from the reported tallies (Ā in
	// SHANGRLA); the reported assorter margin is 2·Mean − 1.
	Mean float64
}

// Assort returns the assorter's value for one card, given the choices marked on the card in
// this contest (empty for a card without the contest or without a vote in it).
//
// Plurality (SHANGRLA sec. 2.1): A(b) = (b_w − b_ℓ + 1)/2, so a vote for the winner gives 1, a
// vote for the loser 0 and anything else 1/2.
//
// Supermajority (SHANGRLA sec. 2.3): A(b) = b_w/(2f) if the card has a valid vote, 1/2 if it has
// none; a card with more than one mark (an overvote) has no valid vote.
func (a Assorter) Assort(votes []string) float64 {
	if a.Share > 0 {
		if len(votes) != 1 {
			return 0.5
		}
		if votes[0] == a.Winner {
			return 1 / (2 * a.Share)
		}
		return 0
	}
	var w, l float64
	for _, v := range votes {
		switch v {
		case a.Winner:
			w = 1
		case a.Loser:
			l = 1
		}
	}
	return (w - l + 1) / 2
}

// Margin is the reported assorter margin v = 2Ā − 1 (SHANGRLA sec. 3.2).
func (a Assorter) Margin() float64 { return 2*a.Mean - 1 }

// Overstatement is the overstatement error ω = A(CVR) − A(MVR) of one card (SHANGRLA sec. 3.2):
// how much the cast vote record overstated the assorter relative to the manual reading.
func (a Assorter) Overstatement(cvr, mvr []string) float64 {
	return a.Assort(cvr) - a.Assort(mvr)
}

// Comparison is the comparison (overstatement) assorter of SHANGRLA sec. 3.2,
//
//	B(b) = (1 − ω/u) / (2 − v/u) = (u − ω)/(2u − v),
//
// with ω the card's overstatement, u the assorter's upper bound and v its reported margin.
// B lies in [0, 2u/(2u − v)] (ComparisonUpper) and its population mean exceeds 1/2 if and only
// if the assorter's does, so an ALPHA test of B with t = 1/2 audits the assertion.
func (a Assorter) Comparison(cvr, mvr []string) float64 {
	return a.comparisonFromOverstatement(a.Overstatement(cvr, mvr))
}

func (a Assorter) comparisonFromOverstatement(omega float64) float64 {
	return (a.Upper - omega) / (2*a.Upper - a.Margin())
}

// ComparisonUpper is the upper bound 2u/(2u − v) of the comparison assorter, reached when the
// CVR understated the assorter by u.
func (a Assorter) ComparisonUpper() float64 {
	return 2 * a.Upper / (2*a.Upper - a.Margin())
}

// ContestAssorters returns the SHANGRLA assorters of a contest: one per (reported winner,
// reported loser) pair for plurality (Contest.Pairs), one for a supermajority contest. Each
// Mean is computed from the reported tallies over c.Ballots cards, assuming every vote was on
// a different card with a single mark (no overvotes).
func ContestAssorters(c *Contest) ([]Assorter, error) {
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
		for _, ch := range cs {
			valid += ch.Votes
		}
		if valid > c.Ballots {
			return nil, fmt.Errorf("%w %q: %d votes on %d ballots in a single-winner supermajority contest", ErrBadContest, c.Name, valid, c.Ballots)
		}
		u := 1 / (2 * f)
		// Σ A = V_w·u + (N − valid)·1/2, SHANGRLA sec. 2.3.
		mean := (float64(cs[0].Votes)*u + float64(c.Ballots-valid)/2) / n
		return []Assorter{{Winner: cs[0].Name, Upper: u, Share: f, Mean: mean}}, nil
	}
	pairs, err := c.Pairs()
	if err != nil {
		return nil, err
	}
	out := make([]Assorter, 0, len(pairs))
	for _, p := range pairs {
		// Σ A = N/2 + (V_w − V_ℓ)/2, SHANGRLA sec. 2.1.
		mean := 0.5 + float64(p[0].Votes-p[1].Votes)/(2*n)
		out = append(out, Assorter{Winner: p[0].Name, Loser: p[1].Name, Upper: 1, Mean: mean})
	}
	return out, nil
}

// validUnit reports whether x is a finite number in [0, u].
func validUnit(x, u float64) bool {
	return !math.IsNaN(x) && x >= 0 && x <= u
}
