package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/recount"
	"github.com/canvass-vote/canvass/workspace"
)

func init() { commands = append(commands, newRecount) }

func newRecount(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recount",
		Short: "Recount chosen jurisdictions against the canvass: start, enter counts, report, finish; the states' recount rules",
		Long: `A recount compares the canvass of one contest with new counts of chosen jurisdictions.
'recount start' fixes the canvass counts of every unit of the contest; 'recount enter' records
recount counts by hand (--unit with --votes), from a results file (--file), or re-tabulated
from cast vote records (--file with --cvr); 'recount report' shows per unit and per choice the
canvass count, the recount count and the change, the change in each margin, whether the outcome
changes, and the state's recount rules; 'recount finish' closes it. Every step is a ledger
entry. docs/RECOUNT.md explains the report and the rules table.`,
	}
	cmd.AddCommand(newRecountStart(g), newRecountEnter(g), newRecountReport(g), newRecountFinish(g), newRecountRules())
	return cmd
}

func newRecountStart(g *globals) *cobra.Command {
	var (
		opts workspace.RecountOptions
		by   string
	)
	cmd := &cobra.Command{
		Use:     "start",
		Short:   "Open a recount of chosen jurisdictions of a contest",
		Example: `  canvass recount start --contest President --jurisdiction Milwaukee --jurisdiction Dane --state WI --reason "petition of 2020-11-18"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := workspace.ParseLevel(by)
			if err != nil {
				return err
			}
			opts.Level = l
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			id, err := w.RecountStart(cmd.Context(), opts)
			if err != nil {
				return err
			}
			rep, err := w.RecountReport(cmd.Context(), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "recount %d opened: %d units of %s to recount (of %d)\n", id, rep.Recounted, rep.Contest, len(rep.Comparison.Units))
			printReach(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Contest, "contest", "", "the contest recounted")
	cmd.Flags().StringArrayVar(&opts.Jurisdictions, "jurisdiction", nil, "a jurisdiction recounted (repeat)")
	cmd.Flags().StringVar(&by, "by", "county", "level of the units the recount reports: county, municipality or precinct")
	cmd.Flags().StringVar(&opts.State, "state", "", "the state whose recount law applies (and whose units are compared)")
	cmd.Flags().StringVar(&opts.Source, "source", "", "cvr or results, when the contest is counted from both")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "who asked for the recount and why")
	cmd.MarkFlagRequired("contest")
	cmd.MarkFlagRequired("jurisdiction")
	return cmd
}

// parseVotes reads "Choice=N,Choice=N" (choices may contain spaces, not commas or '=').
func parseVotes(s string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, part := range strings.Split(s, ",") {
		name, n, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--votes %q: write CHOICE=N,CHOICE=N", s)
		}
		v, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--votes: %q for %s is not a whole number", n, name)
		}
		out[name] = v
	}
	return out, nil
}

func newRecountEnter(g *globals) *cobra.Command {
	var (
		in      workspace.RecountEntry
		unit    string
		votes   string
		choices []string
	)
	cmd := &cobra.Command{
		Use:   "enter",
		Short: "Enter recount counts: one unit by hand, or a results or CVR file",
		Example: `  canvass recount enter --unit "WI / Menominee" --votes "votes_dem=1300,votes_gop=280" --note "tally sheet 1"
  canvass recount enter --file wec_after_recount.csv --format wec \
      --choice "Joseph R. Biden / Kamala D. Harris=votes_dem" --choice "Donald J. Trump / Michael R. Pence=votes_gop" --choice "*="
  canvass recount enter --file rescanned-cvr/ --cvr --cvr-format dominion --jurisdiction Dane`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case unit != "" && in.File != "":
				return fmt.Errorf("give --unit with --votes, or --file, not both")
			case unit != "":
				v, err := parseVotes(votes)
				if err != nil {
					return err
				}
				in.Units = map[string]map[string]int64{unit: v}
			case in.File == "":
				return fmt.Errorf("give --unit with --votes, or --file")
			}
			if len(choices) > 0 {
				in.Choices = map[string]string{}
				for _, c := range choices {
					from, to, ok := strings.Cut(c, "=")
					if !ok {
						return fmt.Errorf("--choice %q: write FILE_CHOICE=CONTEST_CHOICE (empty to leave it out; * for the rest)", c)
					}
					in.Choices[strings.TrimSpace(from)] = strings.TrimSpace(to)
				}
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			seq, err := w.RecountEnter(cmd.Context(), in)
			if err != nil {
				return err
			}
			rep, err := w.RecountReport(cmd.Context(), in.Recount)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "entry %d recorded; recount %d has %d of %d units\n", seq, rep.ID, rep.Entered, rep.Recounted)
			return nil
		},
	}
	cmd.Flags().Uint64Var(&in.Recount, "recount", 0, "the recount (default: the only open one)")
	cmd.Flags().StringVar(&unit, "unit", "", "a unit's name, as the report names it")
	cmd.Flags().StringVar(&votes, "votes", "", "its recount counts: CHOICE=N,CHOICE=N (every choice)")
	cmd.Flags().StringVar(&in.File, "file", "", "a results file, or with --cvr a CVR file or folder")
	cmd.Flags().BoolVar(&in.CVR, "cvr", false, "--file holds cast vote records: re-tabulate them")
	cmd.Flags().StringVar(&in.Format, "cvr-format", "", "the CVR format (default: sniff)")
	cmd.Flags().StringVar(&in.Jurisdiction, "jurisdiction", "", "the jurisdiction of the CVRs' ballots")
	cmd.Flags().StringVar(&in.Results.Format, "format", "auto", resultsFormatHelp)
	cmd.Flags().StringVar(&in.Results.State, "state", "", "state of the file's units when it does not say")
	cmd.Flags().StringVar(&in.Results.County, "county", "", "county of the file's units when it does not say")
	cmd.Flags().StringVar(&in.Results.Contest, "contest-name", "", "contest of a wide file's choice columns")
	cmd.Flags().StringSliceVar(&in.Results.Skip, "skip", nil, "columns of a wide file to pass over")
	cmd.Flags().StringToStringVar(&in.Results.Rename, "rename", nil, "name a wide file's choice column: COLUMN=CHOICE")
	cmd.Flags().StringArrayVar(&choices, "choice", nil, "map a choice of the file to the contest's: FROM=TO (TO empty: not compared; FROM *: the rest)")
	cmd.Flags().StringVar(&in.Note, "note", "", "a note kept with the entry (tally sheet, board, correction)")
	return cmd
}

func newRecountReport(g *globals) *cobra.Command {
	var (
		id     uint64
		asJSON bool
		all    bool
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Compare the recount with the canvass: per unit and choice, margins, outcome, the state's rules",
		Args:  cobra.NoArgs,
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			rep, err := w.RecountReport(cmd.Context(), id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			return printRecount(cmd.OutOrStdout(), rep, all)
		}),
	}
	cmd.Flags().Uint64Var(&id, "recount", 0, "the recount (default: the only open one, else the last)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&all, "all", false, "list every unit, not only the recounted ones")
	return cmd
}

func newRecountFinish(g *globals) *cobra.Command {
	var (
		id   uint64
		note string
	)
	cmd := &cobra.Command{
		Use:   "finish",
		Short: "Close a recount whose units are all entered, recording its outcome",
		Args:  cobra.NoArgs,
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			rep, err := w.RecountFinish(cmd.Context(), id, note)
			if err != nil {
				return err
			}
			return printRecount(cmd.OutOrStdout(), rep, false)
		}),
	}
	cmd.Flags().Uint64Var(&id, "recount", 0, "the recount (default: the only open one)")
	cmd.Flags().StringVar(&note, "note", "", "a note kept with the finish entry")
	return cmd
}

func newRecountRules() *cobra.Command {
	var asJSON bool
	return &cobra.Command{
		Use:   "rules [STATE]",
		Short: "The states' recount rules on file, with their statutes",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			states := recount.States()
			if len(args) == 1 {
				r, ok := recount.Rules(args[0])
				if !ok {
					return fmt.Errorf("no recount rules on file for %q (on file: %s)", args[0], strings.Join(states, ", "))
				}
				states = []string{r.State}
			}
			var rules []recount.StateRules
			for _, s := range states {
				r, _ := recount.Rules(s)
				rules = append(rules, r)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rules)
			}
			for _, r := range rules {
				fmt.Fprintf(cmd.OutOrStdout(), "%s (%s): %s\n  %s\n\n", r.Name, r.Citation, r.Summary, "Margin is divided by: "+r.Total)
			}
			return nil
		},
	}
}

func printReach(out io.Writer, rep *workspace.RecountReport) {
	if rep.Rules == nil {
		if rep.State != "" {
			fmt.Fprintf(out, "%s: no recount rules on file (on file: %s)\n", rep.State, strings.Join(recount.States(), ", "))
		}
		return
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	pct := 0.0
	if rep.Total > 0 {
		pct = 100 * float64(rep.Margin) / float64(rep.Total)
	}
	fmt.Fprintf(out, "%s law (%s): canvass margin %d of %d votes (%.3f%%): automatic recount %s; may be requested %s",
		rep.Rules.Name, rep.Rules.Citation, rep.Margin, rep.Total, pct, yes(rep.Reach.Automatic), yes(rep.Reach.Requestable))
	if rep.Reach.WhoPays != "" {
		fmt.Fprintf(out, "; paid by the %s", rep.Reach.WhoPays)
	}
	fmt.Fprintln(out)
}

func printRecount(out io.Writer, rep *workspace.RecountReport, all bool) error {
	c := rep.Comparison
	fmt.Fprintf(out, "Recount %d of %s by %s", rep.ID, rep.Contest, rep.Level)
	if rep.State != "" {
		fmt.Fprintf(out, " in %s", rep.State)
	}
	fmt.Fprintf(out, ": %s\n", strings.Join(rep.Jurisdictions, ", "))
	if rep.Reason != "" {
		fmt.Fprintf(out, "Reason: %s\n", rep.Reason)
	}
	if rep.Certification != nil {
		fmt.Fprintf(out, "Against: the certification in ledger entry %d\n", *rep.Certification)
	} else {
		fmt.Fprintln(out, "Against: the canvass as imported (the contest was not certified when the recount opened)")
	}
	fmt.Fprintf(out, "Entered: %d of %d recounted units (entries %v)\n\n", rep.Entered, rep.Recounted, rep.Entries)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT\tCHOICE\tCANVASS\tRECOUNT\tCHANGE\t")
	for _, u := range c.Units {
		if !u.Recounted && !all {
			continue
		}
		for i, ch := range u.Choices {
			name := ""
			if i == 0 {
				name = u.Unit
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%+d\t\n", name, ch.Name, ch.Canvass, ch.Recount, ch.Change)
		}
		if c.Margin.A != "" {
			fmt.Fprintf(tw, "\tmargin %s over %s\t\t\t%+d\t\n", c.Margin.A, c.Margin.B, u.MarginChange)
		}
	}
	for i, ch := range c.Totals {
		name := ""
		if i == 0 {
			name = fmt.Sprintf("ALL %d UNITS", len(c.Units))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%+d\t\n", name, ch.Name, ch.Canvass, ch.Recount, ch.Change)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if c.Margin.A != "" {
		fmt.Fprintf(out, "Margin of %s over %s: %d → %d (%+d)\n", c.Margin.A, c.Margin.B, c.Margin.Before, c.Margin.After, c.Margin.Change)
	}
	switch {
	case c.OutcomeChanged:
		fmt.Fprintf(out, "Outcome: CHANGED — canvass winners %v, recount winners %v\n", c.CanvassWinners, c.RecountWinners)
	case c.TieAfter:
		fmt.Fprintf(out, "Outcome: the recount ends in a tie for the last seat; the law's tie-break decides\n")
	default:
		fmt.Fprintf(out, "Outcome: unchanged (%s)\n", strings.Join(c.CanvassWinners, ", "))
	}
	printReach(out, rep)
	if rep.Finished != nil {
		fmt.Fprintf(out, "Finished in ledger entry %d", rep.FinishedAt)
		if rep.Finished.Note != "" {
			fmt.Fprintf(out, ": %s", rep.Finished.Note)
		}
		fmt.Fprintln(out)
	} else if len(rep.Missing) > 0 {
		fmt.Fprintf(out, "Still to enter: %s\n", strings.Join(rep.Missing, "; "))
	}
	return nil
}
