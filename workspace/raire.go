package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit/raire"
	"github.com/canvass-vote/canvass/rcv"
	"github.com/canvass-vote/canvass/store"
)

// Instant-runoff contests as RAIRE sees them: each ballot's ranking read by the contest's rules
// (RCTab's), compressed into distinct rankings, with the reported winner; and the assertions
// that, audited, confirm that winner (audit/raire, docs/audits/irv.md).

// ErrNotIRV is wrapped by errors about a contest or configuration that is not a single-winner
// instant-runoff count RAIRE can audit.
var ErrNotIRV = errors.New("not an instant-runoff contest RAIRE can audit")

// IRVRanking is the ranking a ballot has in an instant-runoff count under RCTab's rules: the
// candidates in the order the count would give the ballot to them as each is eliminated,
// which is what RAIRE's assertions and the IRV assorters read. It follows the rules in the
// order rcv's count applies them at each rank: a gap of more than MaxSkippedRanks blank ranks
// exhausts the ballot; with ExhaustOnDuplicate a candidate ranked again exhausts it
// (otherwise the repeat is passed over); an overvote (several candidates at one rank, or an
// overvote label) exhausts it under exhaustImmediately and is passed over under
// alwaysSkipToNextRank. drop names the candidates the count passes over wherever they are
// ranked: excluded candidates, and undeclared write-ins, which RCTab eliminates first and
// which therefore only pass their ballots on.
//
// Under exhaustIfMultipleContinuing an overvote between two candidates still in the running
// exhausts the ballot only while both are continuing: the ballot has no fixed ranking, and
// such a ballot is an error (wrapping ErrNotIRV). An overvote with at most one such candidate
// reads as that candidate.
func IRVRanking(r *rcv.Rules, b *rcv.Ballot, drop func(name string) bool) ([]string, error) {
	var out []string
	last := 0
	var seen map[string]bool
	if r.ExhaustOnDuplicate {
		seen = map[string]bool{}
	}
	in := func(c string) bool {
		for _, x := range out {
			if x == c {
				return true
			}
		}
		return false
	}
	for _, rk := range b.Ranks {
		if r.MaxSkippedRanks >= 0 && rk.Rank-last > r.MaxSkippedRanks+1 {
			return out, nil
		}
		last = rk.Rank
		if seen != nil {
			for _, c := range rk.Candidates {
				if seen[c] {
					return out, nil
				}
			}
			for _, c := range rk.Candidates {
				seen[c] = true
			}
		}
		cands := rk.Candidates
		if rk.Overvote || len(cands) > 1 {
			switch r.Overvote {
			case rcv.OvervoteExhaustImmediately:
				return out, nil
			case rcv.OvervoteAlwaysSkip:
				continue
			}
			if rk.Overvote {
				return nil, fmt.Errorf("ballot %s: an overvote label needs overvoteRule alwaysSkipToNextRank or exhaustImmediately", b.ID)
			}
			var live []string
			for _, c := range cands {
				if !drop(c) && !in(c) {
					live = append(live, c)
				}
			}
			if len(live) > 1 {
				return nil, fmt.Errorf("%w: ballot %s overvotes %s at rank %d, and under exhaustIfMultipleContinuing where it goes depends on which of them are still continuing", ErrNotIRV, b.ID, strings.Join(live, " and "), rk.Rank)
			}
			cands = live
		}
		for _, c := range cands {
			if !drop(c) && !in(c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// checkIRVRules refuses rules under which the count is not plain single-winner instant runoff.
// Batch elimination and continuing until two candidates remain do not change the winner; a
// minimum vote threshold (which eliminates several candidates at once) and stopping early do.
func checkIRVRules(r *rcv.Rules) error {
	switch {
	case r.WinnerMode != rcv.SingleWinnerMajority || r.NumberOfWinners != 1:
		return fmt.Errorf("%w: winner election mode %s with %d winners (RAIRE audits single-winner instant runoff)", ErrNotIRV, r.WinnerMode, r.NumberOfWinners)
	case r.MinimumVoteThreshold > 0:
		return fmt.Errorf("%w: a minimum vote threshold eliminates several candidates at once", ErrNotIRV)
	case r.StopAfterRound > 0:
		return fmt.Errorf("%w: the count stops after round %d", ErrNotIRV, r.StopAfterRound)
	}
	return nil
}

// IRVContestFromRCV builds RAIRE's contest from the ballots of an RCTab configuration
// (rcv.LoadBallots), each read by IRVRanking under the configuration's rules; its candidates
// are the configuration's, without the excluded ones.
func IRVContestFromRCV(cfg *rcv.Config, ballots []rcv.Ballot) (*raire.Contest, error) {
	if err := checkIRVRules(&cfg.Rules); err != nil {
		return nil, err
	}
	var cands []string
	keep := map[string]bool{}
	for _, c := range cfg.Candidates {
		if !c.Excluded {
			cands = append(cands, c.Name)
			keep[c.Name] = true
		}
	}
	b, err := raire.NewBuilder(cands)
	if err != nil {
		return nil, err
	}
	drop := func(c string) bool { return !keep[c] }
	for i := range ballots {
		r, err := IRVRanking(&cfg.Rules, &ballots[i], drop)
		if err != nil {
			return nil, err
		}
		if err := b.Add(r, 1); err != nil {
			return nil, err
		}
	}
	return b.Contest(), nil
}

// IRVContest is an instant-runoff contest of the workspace as RAIRE sees it.
type IRVContest struct {
	Name string
	// Contest holds the candidates (the contest's choices but write-ins) and the distinct
	// rankings of its ballots.
	Contest *raire.Contest
	// Winner is the reported winner: the winner of the workspace's ranked count.
	Winner string
	// Cards is the number of imported cards that contain the contest.
	Cards int64
}

// irvReader reads the rankings of one workspace contest under the workspace's rules
// (rankedRules): it is how IRVContest reads every ballot and how the audit reads a CVR.
type irvReader struct {
	el    *canvass.Election
	ci    int
	rules rcv.Rules
	names map[string]string // choice name → candidate name; write-ins absent
}

func newIRVReader(el *canvass.Election, name string) (*irvReader, error) {
	ci := -1
	for i, c := range el.Contests {
		if canvass.NameKey(c.Name) == canvass.NameKey(name) {
			ci = i
		}
	}
	if ci < 0 {
		return nil, fmt.Errorf("no contest %q in the workspace", name)
	}
	c := el.Contests[ci]
	if c.Type != canvass.IRV || c.Seats > 1 {
		return nil, fmt.Errorf("%w: contest %q is %s with %d seats", ErrNotIRV, c.Name, c.Type, max(c.Seats, 1))
	}
	r := &irvReader{el: el, ci: ci, rules: rankedRules(c), names: map[string]string{}}
	for _, ch := range c.Choices {
		if !ch.WriteIn {
			r.names[ch.Name] = ch.Name
		}
	}
	return r, nil
}

// candidates are the contest's choices but write-ins, in the contest's order.
func (r *irvReader) candidates() []string {
	var out []string
	for _, ch := range r.el.Contests[r.ci].Choices {
		if !ch.WriteIn {
			out = append(out, ch.Name)
		}
	}
	return out
}

// ranking reads a card's ranking in the contest (nil if the card lacks it). Write-ins count
// as RCTab counts undeclared write-ins: eliminated first, passing their ballots on.
func (r *irvReader) ranking(b *canvass.Ballot) ([]string, bool, error) {
	has := false
	for _, cm := range b.Contests {
		has = has || int(cm.Contest) == r.ci
	}
	if !has {
		return nil, false, nil
	}
	rb, err := rcv.FromCanvass(r.el, r.ci, b, func(n string) (string, bool) {
		if v, ok := r.names[n]; ok {
			return v, true
		}
		return rcv.UndeclaredWriteIn, true
	})
	if err != nil {
		return nil, true, err
	}
	rk, err := IRVRanking(&r.rules, &rb, func(c string) bool { _, ok := r.names[c]; return !ok })
	return rk, true, err
}

// IRVCardRanking is the ranking a workspace card has in an instant-runoff contest, as
// IRVContest reads it (nil if the card does not have the contest): what an IRV assorter
// (raire.Assorter) takes for the card's CVR.
func IRVCardRanking(el *canvass.Election, contest string, b *canvass.Ballot) ([]string, error) {
	r, err := newIRVReader(el, contest)
	if err != nil {
		return nil, err
	}
	rk, _, err := r.ranking(b)
	return rk, err
}

// IRVContest loads an instant-runoff contest of the workspace: every card's ranking (as
// IRVCardRanking reads it), compressed, and the winner of the workspace's ranked count as
// the reported winner. A count that stopped (a tie the rules leave to people) has no
// reported winner to audit: that is an error.
func (w *Workspace) IRVContest(ctx context.Context, name string) (*IRVContest, error) {
	var out *IRVContest
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = irvContestTx(tx, name)
		return err
	})
	return out, err
}

func irvContestTx(tx store.Tx, name string) (*IRVContest, error) {
	el, err := tx.Election()
	if err != nil {
		return nil, err
	}
	rd, err := newIRVReader(el, name)
	if err != nil {
		return nil, err
	}
	cr, err := pickContest(tx, rd.el.Contests[rd.ci].Name, "cvr", canvass.LevelState)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(cr.Note, "ranked count (") || len(cr.Winners) != 1 {
		return nil, fmt.Errorf("contest %q has no reported instant-runoff winner to audit: %s", cr.Name, cr.Note)
	}
	b, err := raire.NewBuilder(rd.candidates())
	if err != nil {
		return nil, err
	}
	out := &IRVContest{Name: cr.Name, Winner: cr.Winners[0]}
	err = tx.Ballots(func(_ string, card *canvass.Ballot) error {
		rk, has, err := rd.ranking(card)
		if err != nil || !has {
			return err
		}
		out.Cards++
		return b.Add(rk, 1)
	})
	if err != nil {
		return nil, err
	}
	out.Contest = b.Contest()
	return out, nil
}

// IRVAssertionsOptions choose how IRVAssertions generates assertions.
type IRVAssertionsOptions struct {
	Contest string
	// Model scores assertions; Model.Ballots 0 is the contest's cards (IRVContest.Cards).
	Model raire.Model
	// Trim is raire's trimming option ("" is raire.MinimizeTree).
	Trim      raire.Trim
	TimeLimit time.Duration
}

// IRVAssertions generates the assertions that confirm the reported winner of an
// instant-runoff contest of the workspace (raire.Generate). A contest too close to audit
// with assertions is an error matching raire.ErrFullHandCount.
func (w *Workspace) IRVAssertions(ctx context.Context, opts IRVAssertionsOptions) (*IRVContest, *raire.Result, error) {
	c, err := w.IRVContest(ctx, opts.Contest)
	if err != nil {
		return nil, nil, err
	}
	m := opts.Model
	if m.Ballots == 0 {
		m.Ballots = c.Cards
	}
	res, err := raire.Generate(c.Contest, raire.Options{Winner: c.Winner, Model: m, Trim: opts.Trim, TimeLimit: opts.TimeLimit})
	if err != nil {
		return c, nil, fmt.Errorf("contest %q: %w", c.Name, err)
	}
	return c, res, nil
}
