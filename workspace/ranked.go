package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/rcv"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// The rules canvass counts a workspace's ranked contests by, where no RCTab configuration says
// otherwise (use `canvass tabulate --rcv-config` for a jurisdiction's own rules): instant
// runoff for one seat, single transferable vote with fractional surplus transfer and a Droop
// threshold for several; an overvote exhausts the ballot; skipped ranks are skipped; a
// candidate ranked again is skipped; votes to four decimal places; a tie that the earlier
// rounds do not break is left to the people the law names (the count stops and says so).
func rankedRules(c *canvass.Contest) rcv.Rules {
	r := rcv.Rules{Tiebreak: rcv.TiebreakPreviousRoundsThenAsk, Overvote: rcv.OvervoteExhaustImmediately,
		WinnerMode: rcv.SingleWinnerMajority, NumberOfWinners: 1, DecimalPlaces: 4, MaxSkippedRanks: -1,
		MaxRankings: 0, Description: "canvass defaults"}
	if c.Seats > 1 {
		r.WinnerMode, r.NumberOfWinners = rcv.MultiWinnerManyPerRound, c.Seats
	}
	return r
}

// countRanked replaces the first-choice tables of the ranked contests counted from CVRs with
// the ranked count: the final round's tally, the winners, and the rounds.
func countRanked(tx store.Tx, res *tabulate.Result) error {
	el, err := tx.Election()
	if err != nil {
		return err
	}
	return countRankedBallots(el, func(fn func(*canvass.Ballot) error) error {
		return tx.Ballots(func(_ string, b *canvass.Ballot) error { return fn(b) })
	}, res)
}

// countRankedBallots is countRanked over the cards of an election that each calls fn with, in
// order (once per ranked contest).
func countRankedBallots(el *canvass.Election, each func(fn func(*canvass.Ballot) error) error, res *tabulate.Result) error {
	for i := range res.Contests {
		cr := &res.Contests[i]
		if cr.Source != "cvr" || (cr.Type != string(canvass.IRV) && cr.Type != string(canvass.STV)) {
			continue
		}
		ci, err := findContest(el, cr.Name)
		if err != nil {
			continue
		}
		rd := newRankedReader(el, ci)
		var ballots []rcv.Ballot
		err = each(func(b *canvass.Ballot) error {
			rb, has, err := rd.ballot(b)
			if err == nil && has {
				ballots = append(ballots, rb)
			}
			return err
		})
		if err != nil {
			return err
		}
		reports, err := rcv.Tabulate(rd.config(), ballots)
		if err != nil {
			cr.Note = fmt.Sprintf("ranked count stopped: %v; the table shows first choices", err)
			continue
		}
		applyRanked(cr, reports[0])
	}
	return nil
}

// applyRanked puts a ranked count into a contest result: the last round's tally (in the
// choices' votes), the winners, and a note with the rounds.
func applyRanked(cr *tabulate.ContestResult, r *rcv.Report) {
	last := r.Results[len(r.Results)-1]
	for j := range cr.Choices {
		v := last.Tally[cr.Choices[j].Name]
		n, err := parseWhole(v)
		if err != nil {
			n = 0 // a fractional tally (STV): the note gives the exact figures
		}
		cr.Choices[j].Votes = n
	}
	var winners, steps []string
	for _, rr := range r.Results {
		for _, a := range rr.TallyResults {
			switch {
			case a.Elected != "":
				winners = append(winners, a.Elected)
				steps = append(steps, fmt.Sprintf("round %d: %s elected", rr.Round, a.Elected))
			case a.Eliminated != "":
				steps = append(steps, fmt.Sprintf("round %d: %s eliminated", rr.Round, a.Eliminated))
			}
		}
	}
	cr.Winners, cr.Tied = winners, nil
	cr.Note = fmt.Sprintf("ranked count (%s): %d rounds, threshold %s; %s. Votes are the last round's.",
		strings.TrimSpace(r.Config.Contest), len(r.Results), r.Summary.FinalThreshold, strings.Join(steps, "; "))
}

func parseWhole(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, nil
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a whole number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// ImportRCVConfig imports every CVR source of an RCTab contest configuration, each with the
// reader of its provider and, for the ranked layouts, the source's settings (recorded in the
// import entry), so that the contest is in the workspace like any other.
func (w *Workspace) ImportRCVConfig(ctx context.Context, config string, opts ImportOptions) ([]*ImportReport, error) {
	cfg, err := rcv.LoadConfig(config)
	if err != nil {
		return nil, err
	}
	var out []*ImportReport
	for i := range cfg.Sources {
		src := &cfg.Sources[i]
		o := opts
		o.Format = src.Format()
		if src.Ranked() {
			ro := cfg.RankedOptions(src)
			o.Ranked = &ro
		}
		rep, err := w.ImportCVR(ctx, src.Path, o)
		if err != nil {
			return out, fmt.Errorf("cvrFileSources[%d]: %w", i, err)
		}
		out = append(out, rep)
	}
	return out, nil
}
