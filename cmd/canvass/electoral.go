package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/electoral"
	"github.com/canvass-vote/canvass/electoral/us2020"
)

func init() { commands = append(commands, newElectoral) }

func newElectoral(_ *globals) *cobra.Command {
	var (
		asJSON                                bool
		flips, pending, uncalled, votes, fait []string
		names                                 []string
		appFile, statesFile, distFile, ctyF   string
	)
	cmd := &cobra.Command{
		Use:   "electoral",
		Short: "Electoral votes from certified results: allocation, tipping point, the smallest flip, what-ifs",
		Long: `Allocate the electoral votes from statewide results (and Maine's and Nebraska's district
results) and an apportionment: each unit's winner, margin, the votes that would flip it
(switched from the winner to the runner-up: floor(margin/2)+1; added for the runner-up:
margin+1) and whether its margin was within its state's recount thresholds; each candidate's
electoral votes against the 270 needed, a 269–269 tie and the Twelfth Amendment's contingent
election; the tipping-point unit; and the smallest total number of changed votes, over every
combination of units, that would tie the electoral vote or make the other candidate win
(an exact knapsack). --flip, --pending, --uncalled, --faithless and --votes make a what-if:
everything is computed again and the difference printed.

With no files it uses the certified 2020 results embedded in the binary (FEC "Federal
Elections 2020" table 2, the states' district canvasses; see electoral/us2020/README.md).
--counties sums a county results file by state instead of --states. docs/ELECTORAL.md states
the definitions.`,
		Example: `  canvass electoral
  canvass electoral --flip WI --flip AZ --flip GA
  canvass electoral --pending GA --votes "PA:Trump=3460000" --json
  canvass electoral --counties county_presidential_results_2020.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, source, err := loadElectoral(appFile, statesFile, distFile, ctyF, names)
			if err != nil {
				return err
			}
			s := electoral.Scenario{Flip: flips, Pending: pending, Uncalled: uncalled}
			for _, v := range votes {
				c, err := electoral.ParseVoteChange(v)
				if err != nil {
					return fmt.Errorf("--votes %w", err)
				}
				s.Votes = append(s.Votes, c)
			}
			for _, f := range fait {
				x, err := electoral.ParseFaithless(f)
				if err != nil {
					return fmt.Errorf("--faithless %w", err)
				}
				s.Faithless = append(s.Faithless, x)
			}
			base, err := electoral.Analyze(e)
			if err != nil {
				return err
			}
			var wi *electoral.WhatIf
			if !s.Empty() {
				if wi, err = e.WhatIf(s, base); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				v := map[string]any{"source": source, "report": base}
				if wi != nil {
					v["what_if"] = wi
				}
				return writeJSON(out, v)
			}
			fmt.Fprintf(out, "Electoral votes: %s\n\n", source)
			if wi == nil {
				return printElectoral(out, base)
			}
			fmt.Fprintf(out, "What-if: %s\n\n", describeScenario(s))
			if err := printElectoral(out, wi.Report); err != nil {
				return err
			}
			return printDiff(out, wi.Diff)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print JSON: the report, and the what-if's report and difference")
	f.StringArrayVar(&flips, "flip", nil, "give unit XX to its runner-up (exchange the two leaders' votes); repeatable. ME and NE are the at-large electors; ME-2, NE-2 the districts")
	f.StringArrayVar(&pending, "pending", nil, "treat unit XX as not certified: shown, not counted; repeatable")
	f.StringArrayVar(&uncalled, "uncalled", nil, "treat unit XX as uncalled: shown, not counted; repeatable")
	f.StringArrayVar(&votes, "votes", nil, "set a candidate's votes in a unit: XX:Candidate=N (a last name will do); repeatable")
	f.StringArrayVar(&fait, "faithless", nil, "a faithless elector of unit XX who voted for PERSON: XX:PERSON (XX: for no vote); repeatable")
	f.StringArrayVar(&names, "name", nil, "the candidate a results label stands for: LABEL=NAME (as biden=Joe Biden); repeatable")
	f.StringVar(&appFile, "apportionment", "", "apportionment CSV: state,state_po,unit,electoral_votes (default: 2020, embedded)")
	f.StringVar(&statesFile, "states", "", "statewide results CSV: state, one column per candidate, all_others, total (default: FEC 2020, embedded)")
	f.StringVar(&distFile, "districts", "", "district results CSV: state,state_po,unit,candidate,votes (default: Maine and Nebraska 2020, embedded)")
	f.StringVar(&ctyF, "counties", "", "county results CSV summed by state instead of --states: state_name, votes_LABEL..., total_votes")
	return cmd
}

// loadElectoral reads the files named (the embedded 2020 files for the others) and says where
// the data came from.
func loadElectoral(app, states, dist, counties string, names []string) (*electoral.Election, string, error) {
	if states != "" && counties != "" {
		return nil, "", fmt.Errorf("give --states or --counties, not both")
	}
	files, err := us2020.Files(counties != "")
	if err != nil {
		return nil, "", err
	}
	var opened []*os.File
	defer func() {
		for _, f := range opened {
			f.Close()
		}
	}()
	var src []string
	set := func(dst *electoral.Source, path, embedded string) error {
		if path == "" {
			src = append(src, embedded+" (embedded)")
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		opened = append(opened, f)
		*dst = electoral.Source{Name: path, R: f}
		src = append(src, path)
		return nil
	}
	if err := set(&files.Apportionment, app, us2020.Apportionment); err != nil {
		return nil, "", err
	}
	if counties != "" {
		err = set(&files.Counties, counties, us2020.Counties)
	} else {
		err = set(&files.States, states, us2020.States)
	}
	if err != nil {
		return nil, "", err
	}
	if err := set(&files.Districts, dist, us2020.Districts); err != nil {
		return nil, "", err
	}
	nm := us2020.Names()
	for _, n := range names {
		label, name, ok := strings.Cut(n, "=")
		if !ok || strings.TrimSpace(label) == "" || strings.TrimSpace(name) == "" {
			return nil, "", fmt.Errorf("--name %q: write LABEL=NAME, e.g. biden=Joe Biden", n)
		}
		nm.Set(label, name)
	}
	e, err := electoral.Load(files, nm)
	if err != nil {
		return nil, "", err
	}
	return e, strings.Join(src, ", "), nil
}

func describeScenario(s electoral.Scenario) string {
	var parts []string
	for _, v := range s.Votes {
		parts = append(parts, fmt.Sprintf("%s %s %s votes", v.Unit, v.Candidate, commas(v.Votes)))
	}
	for _, u := range s.Flip {
		parts = append(parts, "flip "+u)
	}
	for _, u := range s.Pending {
		parts = append(parts, u+" pending")
	}
	for _, u := range s.Uncalled {
		parts = append(parts, u+" uncalled")
	}
	for _, f := range s.Faithless {
		who := f.VotedFor
		if who == "" {
			who = "no one"
		}
		parts = append(parts, fmt.Sprintf("a faithless elector of %s for %s", f.Unit, who))
	}
	return strings.Join(parts, "; ")
}

func pct(n, d int64) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(d))
}

func recountWords(r electoral.Reach) string {
	switch {
	case !r.OnFile:
		return "no rules on file"
	case r.Automatic:
		return "automatic"
	case r.Requestable:
		return "may be requested (" + r.WhoPays + " pays)"
	}
	return "outside"
}

func printElectoral(out io.Writer, r *electoral.Report) error {
	a := r.Allocation
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT\tEV\tSTATUS\tLEADER\tVOTES\tRUNNER-UP\tVOTES\tMARGIN\tMARGIN %\tTO SWITCH\tTO ADD\tRECOUNT\t")
	for _, u := range a.Units {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", u.ID, u.Electors, unitStatus(u),
			u.Leader, commas(u.LeaderVotes), u.RunnerUp, commas(u.RunnerUpVotes), commas(u.Margin), pct(u.Margin, u.Total),
			commas(u.ToSwitch), commas(u.ToAdd), recountWords(u.Recount))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CANDIDATE\tELECTORAL VOTES\tUNITS WON\tPOPULAR VOTE\tSHARE\t")
	for _, t := range a.Totals {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t\n", t.Candidate, t.Electors, len(t.Won), commas(t.Popular), pct(t.Popular, a.Popular))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%d electors, %d needed; %d counted, %d pending, %d uncalled. Recount: the rules on file today\n", a.Electors, a.Needed, a.Counted, a.Pending, a.Uncalled)
	fmt.Fprintf(out, "(canvass recount rules), applied to these margins.\n")
	fmt.Fprintf(out, "Outcome: %s\n\n", a.Outcome.Statement)
	if tp := r.TippingPoint; tp != nil {
		fmt.Fprintf(out, "Tipping point: %s (%s by %s of %s votes, %.2f%%): %s's units by margin, widest first, give %d before it and %d with it (%d needed).\n\n",
			tp.Unit, tp.Candidate, commas(tp.Margin), commas(tp.Total), 100*tp.Share, tp.Candidate, tp.Before, tp.After, a.Needed)
	} else {
		fmt.Fprintf(out, "Tipping point: none (no candidate has a majority).\n\n")
	}
	if len(r.Flips) > 0 {
		fmt.Fprintf(out, "Smallest change over every combination of %s's units, moved to %s:\n", r.Flips[0].From, r.Flips[0].To)
		for _, f := range r.Flips {
			what := "a tie"
			if f.Target == electoral.TargetWin {
				what = f.To + " wins"
			}
			if !f.Reachable {
				fmt.Fprintf(out, "  %s, %s votes: not reachable\n", what, f.Model)
				continue
			}
			us := make([]string, len(f.Units))
			for i, u := range f.Units {
				us[i] = fmt.Sprintf("%s %s", u.Unit, commas(u.Votes))
			}
			fmt.Fprintf(out, "  %s %d–%d, %s votes: %s (%s)\n", what, f.ToAfter, f.FromAfter, f.Model, commas(f.Votes), strings.Join(us, ", "))
		}
	}
	return nil
}

func unitStatus(u electoral.UnitResult) string {
	s := string(u.Status)
	if n := len(u.Faithless); n > 0 {
		s += fmt.Sprintf(", %d faithless", n)
	}
	return s
}

func printDiff(out io.Writer, d electoral.Diff) error {
	fmt.Fprintf(out, "\nWhat changed (against the data as given):\n")
	if len(d.Changed) == 0 {
		fmt.Fprintln(out, "  no unit changed hands")
	}
	for _, c := range d.Changed {
		fmt.Fprintf(out, "  %s (%d): %s → %s\n", c.Unit, c.Electors, c.Before, c.After)
	}
	for _, t := range d.Totals {
		fmt.Fprintf(out, "  %s: %d → %d (%+d)\n", t.Candidate, t.Before, t.After, t.After-t.Before)
	}
	changed := "unchanged"
	if d.OutcomeChanged {
		changed = "changed"
	}
	fmt.Fprintf(out, "  outcome %s: before, %s\n    after, %s\n", changed, d.Before.Statement, d.After.Statement)
	return nil
}
