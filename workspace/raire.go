package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/raire"
	"github.com/canvass-vote/canvass/rcv"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
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

// rankedReader reads the cards of one ranked contest of the workspace as the workspace's
// ranked count reads them (rankedRules): each card's marks in the contest as an rcv.Ballot,
// the contest's choices but write-ins as the candidates, and write-ins as RCTab counts
// undeclared write-ins (eliminated first, passing their ballots on). countRanked counts with
// it, and irvReader reads rankings with it.
type rankedReader struct {
	el    *canvass.Election
	ci    int
	rules rcv.Rules
	names map[string]string // choice name → candidate name; write-ins absent
	// writeIns is true when the contest has write-in choices.
	writeIns bool
}

func newRankedReader(el *canvass.Election, ci int) *rankedReader {
	c := el.Contests[ci]
	r := &rankedReader{el: el, ci: ci, rules: rankedRules(c), names: map[string]string{}}
	for _, ch := range c.Choices {
		if ch.WriteIn {
			r.writeIns = true
			continue
		}
		r.names[ch.Name] = ch.Name
	}
	return r
}

// candidates are the contest's choices but write-ins, in the contest's order.
func (r *rankedReader) candidates() []string {
	var out []string
	for _, ch := range r.el.Contests[r.ci].Choices {
		if !ch.WriteIn {
			out = append(out, ch.Name)
		}
	}
	return out
}

// config is the count's configuration: the contest, its candidates, the rules, and undeclared
// write-ins when the contest has write-in choices. rcv makes "Undeclared Write-ins" a
// candidate when one of the configuration's sources reads them; the workspace's cards are
// already read, so one source without a file stands for its write-in lines.
func (r *rankedReader) config() *rcv.Config {
	cfg := &rcv.Config{Output: rcv.OutputSettings{ContestName: r.el.Contests[r.ci].Name}, Rules: r.rules}
	for _, c := range r.candidates() {
		cfg.Candidates = append(cfg.Candidates, rcv.Candidate{Name: c})
	}
	if r.writeIns {
		cfg.Sources = []rcv.Source{{UndeclaredWriteInLabel: rcv.UndeclaredWriteIn}}
	}
	return cfg
}

// ballot reads a card's marks in the contest; has is false when the card lacks the contest.
func (r *rankedReader) ballot(b *canvass.Ballot) (rb rcv.Ballot, has bool, err error) {
	for _, cm := range b.Contests {
		has = has || int(cm.Contest) == r.ci
	}
	if !has {
		return rb, false, nil
	}
	rb, err = rcv.FromCanvass(r.el, r.ci, b, func(n string) (string, bool) {
		if v, ok := r.names[n]; ok {
			return v, true
		}
		return rcv.UndeclaredWriteIn, true
	})
	return rb, true, err
}

// irvReader reads the rankings of one instant-runoff contest of the workspace (IRVRanking
// under the workspace's rules): it is how IRVContest reads every ballot and how the audit
// reads a CVR.
type irvReader struct{ *rankedReader }

// findContest is the index of the named contest of the election.
func findContest(el *canvass.Election, name string) (int, error) {
	for i, c := range el.Contests {
		if canvass.NameKey(c.Name) == canvass.NameKey(name) {
			return i, nil
		}
	}
	return -1, fmt.Errorf("no contest %q in the workspace", name)
}

func newIRVReader(el *canvass.Election, name string) (*irvReader, error) {
	ci, err := findContest(el, name)
	if err != nil {
		return nil, err
	}
	c := el.Contests[ci]
	if c.Type != canvass.IRV || c.Seats > 1 {
		return nil, fmt.Errorf("%w: contest %q is %s with %d seats", ErrNotIRV, c.Name, c.Type, max(c.Seats, 1))
	}
	return &irvReader{newRankedReader(el, ci)}, nil
}

// ranking reads a card's ranking in the contest (nil if the card lacks it).
func (r *irvReader) ranking(b *canvass.Ballot) ([]string, bool, error) {
	rb, has, err := r.ballot(b)
	if err != nil || !has {
		return nil, has, err
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
	return irvContestOf(tx, rd, cr)
}

// irvContestOf reads the rankings of the contest rd reads, whose count is cr.
func irvContestOf(tx store.Tx, rd *irvReader, cr *tabulate.ContestResult) (*IRVContest, error) {
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

// Instant-runoff contests in audits. An audit.start entry records each instant-runoff contest's
// assertions (auditIRV): enough to rebuild each assertion's assorter without searching again,
// and to show people what is audited. Real numbers are decimal strings, as everywhere in the
// ledger's audit entries.

// auditIRV is an instant-runoff contest of an audit.start entry: its reported winner, its
// candidates, how its assertions were generated (the difficulty model, the trimming and the
// work limit), and the assertions.
type auditIRV struct {
	Winner     string   `json:"winner"`
	Candidates []string `json:"candidates"`
	// Model is RAIRE's difficulty model (MACRO for a comparison audit, BRAVO for a polling
	// audit), with the audit's risk limit and, for MACRO, Gamma.
	Model     string `json:"model"`
	Gamma     string `json:"gamma,omitempty"`
	Trim      string `json:"trim"`
	WorkLimit int64  `json:"work_limit"`
	// Difficulty is the hardest assertion's difficulty; Margin the smallest margin, in ballots.
	Difficulty string           `json:"difficulty"`
	Margin     int64            `json:"margin"`
	Assertions []auditAssertion `json:"assertions"`
}

// auditAssertion is one assertion of an audit.start entry, with candidates by name (as
// raire-rs's JSON has them by index): NEB or NEN, its winner, loser and (NEN) continuing
// candidates, the tallies it compares and their margin in ballots, and its difficulty.
type auditAssertion struct {
	Type        string   `json:"type"`
	Winner      string   `json:"winner"`
	Loser       string   `json:"loser"`
	Continuing  []string `json:"continuing,omitempty"`
	WinnerTally int64    `json:"winner_tally"`
	LoserTally  int64    `json:"loser_tally"`
	Margin      int64    `json:"margin"`
	Difficulty  string   `json:"difficulty"`
}

// label names the assertion in audit.risk entries and reports: "NEB Alice > Bob", or
// "NEN Alice > Bob {Alice, Bob, Chuan}" with the continuing candidates in the contest's order.
func (x auditAssertion) label() string {
	if x.Type == string(raire.NEN) {
		return fmt.Sprintf("NEN %s > %s {%s}", x.Winner, x.Loser, strings.Join(x.Continuing, ", "))
	}
	return fmt.Sprintf("%s %s > %s", x.Type, x.Winner, x.Loser)
}

// irvAssertions generates the assertions of an instant-runoff contest, whose count is cr, for
// an audit over ballots cards: RAIRE's MACRO model for a comparison audit (γ =
// audit.DefaultGamma, the Kaplan-Markov audits' factor), BRAVO's for a polling audit, both
// with the audit's risk limit; the default trimming; the work limit, never a time limit (the
// search must end at the same place on replay). A contest too close to audit with assertions
// is refused: only a full hand count can confirm it.
func irvAssertions(tx store.Tx, cr *tabulate.ContestResult, cfg audit.Config, ballots, workLimit int64) (*auditIRV, error) {
	el, err := tx.Election()
	if err != nil {
		return nil, err
	}
	rd, err := newIRVReader(el, cr.Name)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	ic, err := irvContestOf(tx, rd, cr)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if workLimit <= 0 {
		workLimit = DefaultIRVWorkLimit
	}
	m := raire.Model{Kind: raire.MACRO, Ballots: ballots, RiskLimit: cfg.RiskLimit, Gamma: audit.DefaultGamma}
	if cfg.Kind == audit.Polling {
		m = raire.Model{Kind: raire.BRAVO, Ballots: ballots, RiskLimit: cfg.RiskLimit}
	}
	res, err := raire.Generate(ic.Contest, raire.Options{Winner: ic.Winner, Model: m, WorkLimit: workLimit})
	switch {
	case errors.Is(err, raire.ErrFullHandCount):
		return nil, fmt.Errorf("audit: contest %q cannot be confirmed by a sample: %w. A full hand count of the contest is the remedy", ic.Name, err)
	case err != nil:
		return nil, fmt.Errorf("audit: contest %q: generating its assertions: %w", ic.Name, err)
	}
	out := &auditIRV{Winner: ic.Winner, Candidates: res.Candidates, Model: string(m.Kind), Trim: string(res.Trim), WorkLimit: workLimit,
		Difficulty: formatFloat(res.Difficulty), Margin: res.Margin, Assertions: []auditAssertion{}}
	if m.Kind == raire.MACRO {
		out.Gamma = formatFloat(m.Gamma)
	}
	for _, s := range res.Assertions {
		x := auditAssertion{Type: string(s.Type), Winner: res.Candidates[s.Winner], Loser: res.Candidates[s.Loser],
			WinnerTally: s.WinnerTally, LoserTally: s.LoserTally, Margin: s.Margin, Difficulty: formatFloat(s.Difficulty)}
		for _, c := range s.Continuing {
			x.Continuing = append(x.Continuing, res.Candidates[c])
		}
		out.Assertions = append(out.Assertions, x)
	}
	return out, nil
}

// assertions rebuilds the audit's assertions from the entry: each assertion's assorter
// (raire.NewAssorter) over ballots cards gives its pseudo-vote.
func (b *auditIRV) assertions(ballots int64) ([]audit.Assertion, error) {
	idx := make(map[string]int, len(b.Candidates))
	for i, c := range b.Candidates {
		idx[c] = i
	}
	find := func(name string) (int, error) {
		i, ok := idx[name]
		if !ok {
			return 0, fmt.Errorf("%w: an assertion names %q, not a candidate", ErrNotIRV, name)
		}
		return i, nil
	}
	out := make([]audit.Assertion, 0, len(b.Assertions))
	for _, x := range b.Assertions {
		s := raire.Scored{Assertion: raire.Assertion{Type: raire.Type(x.Type)}, WinnerTally: x.WinnerTally, LoserTally: x.LoserTally, Margin: x.Margin}
		var err error
		if s.Winner, err = find(x.Winner); err != nil {
			return nil, err
		}
		if s.Loser, err = find(x.Loser); err != nil {
			return nil, err
		}
		for _, c := range x.Continuing {
			i, err := find(c)
			if err != nil {
				return nil, err
			}
			s.Continuing = append(s.Continuing, i)
		}
		if x.Margin != x.WinnerTally-x.LoserTally {
			return nil, fmt.Errorf("%w: assertion %s has margin %d, tallies %d and %d", ErrNotIRV, x.label(), x.Margin, x.WinnerTally, x.LoserTally)
		}
		as, err := raire.NewAssorter(s, b.Candidates, ballots)
		if err != nil {
			return nil, fmt.Errorf("assertion %s: %w", x.label(), err)
		}
		out = append(out, audit.Assertion{Label: x.label(), Winner: as.WinnerName, Loser: as.LoserName, WinnerTally: x.WinnerTally, LoserTally: x.LoserTally, Votes: as.Votes})
	}
	return out, nil
}

// irvOf collects the instant-runoff contests of an audit.start entry, by name.
func irvOf(cs []auditContest) map[string]*auditIRV {
	var out map[string]*auditIRV
	for _, c := range cs {
		if c.IRV != nil {
			if out == nil {
				out = map[string]*auditIRV{}
			}
			out[c.Name] = c.IRV
		}
	}
	return out
}

// irvNames names the population's instant-runoff contests, in order.
func (p *population) irvNames() []string {
	out := make([]string, 0, len(p.irv))
	for n := range p.irv {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AuditIRVContests names the instant-runoff contests of an audit, audited by their assertions:
// an audit board reads each card's ranking in them (IRVReading), not its marks. It reads only
// the audit's start entry.
func (w *Workspace) AuditIRVContests(ctx context.Context, id uint64) (map[string]bool, error) {
	out := map[string]bool{}
	err := w.Store.View(ctx, func(tx store.Tx) error {
		sb, err := auditStart(tx, id)
		if err != nil {
			return err
		}
		for _, c := range sb.Contests {
			if c.IRV != nil {
				out[c.Name] = true
			}
		}
		return nil
	})
	return out, err
}

// IRVReading is an audit board's reading of an instant-runoff contest on a paper ballot, from
// the rank the voter gave each choice (choices not ranked are absent): the choices in rank
// order, read by the workspace's ranked rules as the count reads a card (IRVCardRanking), so
// that the reading and the card's CVR compare like with like. Two choices at one rank (an
// overvote) end the ranking there; skipped ranks are passed over. A rank below 1 is an error.
func IRVReading(ranks map[string]int) ([]string, error) {
	byRank := map[int][]string{}
	var order []int
	for ch, r := range ranks {
		if r < 1 {
			return nil, fmt.Errorf("%s: rank %d (ranks are 1, 2, ...)", ch, r)
		}
		if byRank[r] == nil {
			order = append(order, r)
		}
		byRank[r] = append(byRank[r], ch)
	}
	sort.Ints(order)
	b := rcv.Ballot{ID: "paper"}
	for _, r := range order {
		cs := byRank[r]
		sort.Strings(cs)
		b.Ranks = append(b.Ranks, rcv.Rank{Rank: r, Candidates: cs})
	}
	rules := rankedRules(&canvass.Contest{Type: canvass.IRV, Seats: 1})
	return IRVRanking(&rules, &b, func(string) bool { return false })
}
