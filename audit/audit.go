// Package audit measures the risk of risk-limiting audits and plans their sample sizes: the
// engine of canvass's audits, with no I/O. Each method names its formula and the paper it
// comes from beside the code, and is tested against the values those papers and their
// reference implementations publish (../shared/docs/AUDIT-REFERENCES.md).
//
// Vote counts are integers; probabilities, risks and margins are float64.
package audit

import (
	"errors"
	"fmt"
	"sort"
)

// Choice is a candidate or answer with its reported votes.
type Choice struct {
	Name  string
	Votes int64
}

// Contest is a contest's reported outcome as an audit sees it.
type Contest struct {
	Name string
	// Ballots is the number of ballot cards in the population the sample is drawn from for this
	// contest (all cards cast in the jurisdictions that have the contest, unless the audit uses
	// card-style data to sample only cards that contain it).
	Ballots int64
	// Choices are the reported votes; order does not matter.
	Choices []Choice
	// Winners is the number of winners (the vote-for-N of a plurality contest); 1 if zero.
	Winners int
	// ThresholdNum/ThresholdDen > 0 make a supermajority contest: the winner needs more than
	// that fraction of the valid votes. Zero for plurality.
	ThresholdNum, ThresholdDen int64
	// Assertions, when not nil, are the reported outcome instead of the tallies: the contest
	// (an instant-runoff contest) is audited by its assertions (assertions.go), Choices only
	// describe it (the last round's tally), and a reading of it is a ranking, whose order
	// matters.
	Assertions []Assertion
}

// ErrBadContest is wrapped by errors about a contest that cannot be audited as given.
var ErrBadContest = errors.New("audit: contest")

// Ranked returns the choices in decreasing order of votes (ties by name) and the number of
// winners.
func (c *Contest) Ranked() ([]Choice, int) {
	cs := append([]Choice(nil), c.Choices...)
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Votes != cs[j].Votes {
			return cs[i].Votes > cs[j].Votes
		}
		return cs[i].Name < cs[j].Name
	})
	w := c.Winners
	if w <= 0 {
		w = 1
	}
	return cs, w
}

// Supermajority reports whether the contest is a supermajority contest.
func (c *Contest) Supermajority() bool { return c.ThresholdNum > 0 && c.ThresholdDen > 0 }

// Share is a supermajority contest's threshold f = ThresholdNum/ThresholdDen, which must be in
// (0, 1).
func (c *Contest) Share() (float64, error) {
	f := float64(c.ThresholdNum) / float64(c.ThresholdDen)
	if !(f > 0 && f < 1) {
		return 0, fmt.Errorf("%w %q: supermajority share %d/%d is not in (0, 1)", ErrBadContest, c.Name, c.ThresholdNum, c.ThresholdDen)
	}
	return f, nil
}

// Pairs returns every (reported winner, reported loser) pair of a plurality contest: the
// outcome is right if every winner got more votes than every loser.
func (c *Contest) Pairs() ([][2]Choice, error) {
	cs, w := c.Ranked()
	if w >= len(cs) {
		return nil, fmt.Errorf("%w %q: %d winners and %d choices: nothing to audit", ErrBadContest, c.Name, w, len(cs))
	}
	var out [][2]Choice
	for _, win := range cs[:w] {
		for _, lose := range cs[w:] {
			out = append(out, [2]Choice{win, lose})
		}
	}
	return out, nil
}

// Validate checks the contest's numbers (for a contest audited by assertions, its assertions).
func (c *Contest) Validate() error {
	if c.ByAssertions() {
		return c.validateAssertions()
	}
	var total int64
	for _, ch := range c.Choices {
		if ch.Votes < 0 {
			return fmt.Errorf("%w %q: %s has %d votes", ErrBadContest, c.Name, ch.Name, ch.Votes)
		}
		total += ch.Votes
	}
	w := c.Winners
	if w <= 0 {
		w = 1
	}
	if c.Ballots <= 0 {
		return fmt.Errorf("%w %q: %d ballots", ErrBadContest, c.Name, c.Ballots)
	}
	if total > c.Ballots*int64(w) {
		return fmt.Errorf("%w %q: %d votes on %d ballots with vote for %d", ErrBadContest, c.Name, total, c.Ballots, w)
	}
	cs, _ := c.Ranked()
	if w < len(cs) && cs[w-1].Votes == cs[w].Votes {
		return fmt.Errorf("%w %q: %s and %s are tied; a tied outcome cannot be confirmed by an audit", ErrBadContest, c.Name, cs[w-1].Name, cs[w].Name)
	}
	return nil
}

// DilutedMargin is the smallest margin between a reported winner and a reported loser divided by
// the number of ballots (Stark 2010's μ).
func (c *Contest) DilutedMargin() (float64, error) {
	pairs, err := c.Pairs()
	if err != nil {
		return 0, err
	}
	m := int64(-1)
	for _, p := range pairs {
		if d := p[0].Votes - p[1].Votes; m < 0 || d < m {
			m = d
		}
	}
	return float64(m) / float64(c.Ballots), nil
}

// ErrRiskLimit is returned for a risk limit outside (0, 0.5].
var ErrRiskLimit = errors.New("audit: the risk limit must be in (0, 0.5]")

// CheckRiskLimit checks a risk limit.
func CheckRiskLimit(alpha float64) error {
	if !(alpha > 0 && alpha <= 0.5) {
		return fmt.Errorf("%w, not %v", ErrRiskLimit, alpha)
	}
	return nil
}
