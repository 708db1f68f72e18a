package audit

import (
	"errors"
	"fmt"
	"strings"
)

// Contests audited by assertions. An instant-runoff count is not a comparison of two tallies,
// but RAIRE (Blom, Stuckey, Teague 2019) reduces "the reported winner won" to a few assertions
// that each are one: for every card a pseudo-vote for the assertion's winner, for its loser or
// for neither (SHANGRLA, Stark 2020, sec. 2.4). Each assertion is then audited as the
// two-choice plurality contest of its pseudo-votes, by the method's own risk function and
// sample sizes, from the same sample as every other contest of the audit; the contest's risk
// is the largest of its assertions' risks. Package audit/raire finds the assertions and gives
// each its pseudo-vote (raire.Assorter.Votes); docs/audits/irv.md has the details.

// Assertion is one assertion of a contest audited by assertions: WinnerTally > LoserTally,
// where a card counts for Winner, for Loser or for neither as Votes says.
type Assertion struct {
	// Label names the assertion, uniquely within its contest: the audit reports each
	// assertion's risk under it (Round.AssertionRisk).
	Label string
	// Winner and Loser are the names the pseudo-votes use; WinnerTally and LoserTally the
	// reported tallies of the pseudo-votes over the contest's cards.
	Winner, Loser           string
	WinnerTally, LoserTally int64
	// Votes maps a card's reading of the contest (for an instant-runoff contest its ranking,
	// most preferred first) to its pseudo-vote: [Winner], [Loser] or nothing.
	Votes func(reading []string) []string
}

// ErrAssertionMethod is wrapped by the error about a method that cannot audit a contest by its
// assertions.
var ErrAssertionMethod = errors.New("audit: the method cannot audit assertions")

// assertionMethods are the methods that audit a contest's assertions: ALPHA (polling and
// comparison) and the Kaplan-Markov comparison. The others are refused: BRAVO and Minerva are
// tests of a whole plurality tally, MACRO and ONEAudit need the batches' reported
// assertion tallies, which the workspace does not have for rankings.
var assertionMethods = map[string]bool{"alpha": true, "alpha-comparison": true, "kaplan-markov": true}

// AssertionMethods lists the methods of a kind that can audit a contest by its assertions.
func AssertionMethods(k Kind) []string {
	var out []string
	for _, name := range MethodNames(k) {
		if assertionMethods[name] {
			out = append(out, name)
		}
	}
	return out
}

// ByAssertions reports whether the contest is audited by its assertions.
func (c *Contest) ByAssertions() bool { return c.Assertions != nil }

// assertionContest is the two-choice plurality contest of an assertion's pseudo-votes, under
// the contest's name and over its cards.
func (c *Contest) assertionContest(a *Assertion) *Contest {
	return &Contest{Name: c.Name, Ballots: c.Ballots, Choices: []Choice{{Name: a.Winner, Votes: a.WinnerTally}, {Name: a.Loser, Votes: a.LoserTally}}}
}

// validateAssertions checks a contest audited by assertions: at least one, each with a label
// of its own, a pseudo-vote and tallies an audit can confirm (a positive margin, no more
// pseudo-votes than cards).
func (c *Contest) validateAssertions() error {
	if c.Ballots <= 0 {
		return fmt.Errorf("%w %q: %d ballots", ErrBadContest, c.Name, c.Ballots)
	}
	if len(c.Assertions) == 0 {
		return fmt.Errorf("%w %q: no assertion to audit", ErrBadContest, c.Name)
	}
	seen := map[string]bool{}
	for i := range c.Assertions {
		a := &c.Assertions[i]
		switch {
		case a.Label == "" || seen[a.Label]:
			return fmt.Errorf("%w %q: assertion %d has an empty or repeated label %q", ErrBadContest, c.Name, i+1, a.Label)
		case a.Votes == nil:
			return fmt.Errorf("%w %q: assertion %s has no pseudo-vote", ErrBadContest, c.Name, a.Label)
		case a.Winner == a.Loser:
			return fmt.Errorf("%w %q: assertion %s compares %s with itself", ErrBadContest, c.Name, a.Label, a.Winner)
		}
		seen[a.Label] = true
		if err := c.assertionContest(a).Validate(); err != nil {
			return fmt.Errorf("assertion %s: %w", a.Label, err)
		}
	}
	return nil
}

// pseudoObservations maps the draws and records of a contest to an assertion's pseudo-votes:
// each CVR and each reading of the contest becomes the card's pseudo-vote; where the card was
// found and the rest is as it was.
func pseudoObservations(obs []Observation, contest string, votes func([]string) []string) []Observation {
	out := make([]Observation, len(obs))
	draws := make([]Draw, len(obs))
	recs := make([]Record, len(obs))
	for i, o := range obs {
		d := &draws[i]
		d.Card, d.Ticket = o.Draw.Card, o.Draw.Ticket
		if o.Draw.CVR != nil {
			d.CVR = map[string][]string{contest: votes(o.Draw.CVR[contest])}
		}
		out[i] = Observation{Round: o.Round, Draw: d}
		if o.Record != nil {
			r := &recs[i]
			r.Card, r.Found, r.Board = o.Record.Card, o.Record.Found, o.Record.Board
			if r.Found {
				r.Votes = map[string][]string{contest: votes(o.Record.Votes[contest])}
			}
			out[i].Record = r
		}
	}
	return out
}

// contestRisk measures a contest's risk: the method's, or for a contest audited by assertions
// the largest of its assertions' risks, which it also returns by label.
func (a *Audit) contestRisk(c *Contest, obs []Observation) (float64, map[string]float64, error) {
	if !c.ByAssertions() {
		p, err := a.method.Risk(c, obs, a.Config.RiskLimit)
		return p, nil, err
	}
	risk := 0.0
	each := make(map[string]float64, len(c.Assertions))
	for i := range c.Assertions {
		as := &c.Assertions[i]
		p, err := a.method.Risk(c.assertionContest(as), pseudoObservations(obs, c.Name, as.Votes), a.Config.RiskLimit)
		if err != nil {
			return 1, nil, fmt.Errorf("assertion %s: %w", as.Label, err)
		}
		each[as.Label] = p
		risk = max(risk, p)
	}
	return risk, each, nil
}

// contestNextSize is the method's next size for a contest, or for a contest audited by
// assertions the largest its assertions ask.
func (a *Audit) contestNextSize(c *Contest, obs []Observation) (int64, error) {
	if !c.ByAssertions() {
		return a.method.NextSize(c, obs, a.Config.RiskLimit, a.Config.Quantile)
	}
	var size int64
	for i := range c.Assertions {
		as := &c.Assertions[i]
		n, err := a.method.NextSize(c.assertionContest(as), pseudoObservations(obs, c.Name, as.Votes), a.Config.RiskLimit, a.Config.Quantile)
		if err != nil {
			return 0, fmt.Errorf("assertion %s: %w", as.Label, err)
		}
		size = max(size, n)
	}
	return size, nil
}

// checkAssertionMethod refuses, for an audit with a contest audited by its assertions, a
// method that cannot audit them, saying which can.
func checkAssertionMethod(cfg Config, contests []Contest) error {
	for i := range contests {
		if !contests[i].ByAssertions() || assertionMethods[cfg.Method] {
			continue
		}
		use := "a comparison audit (kaplan-markov or alpha-comparison) or a polling audit (alpha)"
		if names := AssertionMethods(cfg.Kind); len(names) > 0 {
			use = strings.Join(names, " or ")
		}
		return fmt.Errorf("%w: contest %q is audited by its assertions (an instant-runoff contest), which method %q of a %s audit does not test; use %s",
			ErrAssertionMethod, contests[i].Name, cfg.Method, cfg.Kind, use)
	}
	return nil
}
