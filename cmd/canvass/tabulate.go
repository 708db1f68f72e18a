package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/internal/numfmt"
	"github.com/canvass-vote/canvass/tabulate"
	"github.com/canvass-vote/canvass/workspace"
)

func newTabulate(g *globals) *cobra.Command {
	var (
		opts        workspace.TabulateOptions
		by          string
		asJSON      bool
		cvrFiles    []string
		resultFiles []string
		record      bool
		source      string
		rcvConfig   string
		outDir      string
	)
	cmd := &cobra.Command{
		Use:   "tabulate",
		Short: "Count the votes of the workspace, or of files given with --cvr / --results",
		Long: `Count the votes of every contest (or --contest NAME): plurality vote-for-N, approval and
supermajority contests, with undervotes, overvotes, blank contests and write-ins counted apart,
and winners (a tie for the last seat is reported as a tie, never broken). --by adds a table per
state, county, municipality, precinct, batch or tabulator. --json prints one JSON object.

Without --cvr or --results it counts the workspace; with them it reads the files directly
and needs no workspace.`,
		Example: `  canvass tabulate --by county
  canvass tabulate --contest President --json
  canvass tabulate --cvr CvrExport.zip --by tabulator
  canvass tabulate --cvr county1.json county2.json county3.json
  canvass tabulate --results wards.xlsx --results-format wec --by county`,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Files after the flags belong to --cvr or --results, whichever was given.
			switch {
			case len(args) == 0:
			case len(cvrFiles) > 0 && len(resultFiles) == 0:
				cvrFiles = append(cvrFiles, args...)
			case len(resultFiles) > 0 && len(cvrFiles) == 0:
				resultFiles = append(resultFiles, args...)
			default:
				return fmt.Errorf("unexpected arguments %q: name the files after --cvr or --results", args)
			}
			if rcvConfig != "" {
				return tabulateRCV(cmd, rcvConfig, asJSON, outDir)
			}
			level, err := workspace.ParseLevel(by)
			if err != nil {
				return err
			}
			opts.By = level
			if record {
				if len(cvrFiles) > 0 || len(resultFiles) > 0 || opts.Contest == "" {
					return fmt.Errorf("--record records a tabulation of one --contest of the workspace")
				}
				w, err := g.open(cmd)
				if err != nil {
					return err
				}
				defer w.Close()
				t, err := w.RecordTabulation(cmd.Context(), opts.Contest, source, level)
				if err != nil {
					return err
				}
				var c tabulate.ContestResult
				if err := json.Unmarshal(t.Full, &c); err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), &tabulate.Result{Contests: []tabulate.ContestResult{c}})
				}
				printResult(cmd.OutOrStdout(), &tabulate.Result{Contests: []tabulate.ContestResult{c}})
				fmt.Fprintf(cmd.OutOrStdout(), "\nrecorded as ledger entry %d (full result sha256 %s)\n", t.Seq, t.Body.FullSHA256)
				return nil
			}
			var res *tabulate.Result
			if len(cvrFiles) > 0 || len(resultFiles) > 0 {
				res, err = workspace.TabulateFiles(cvrFiles, resultFiles, opts)
			} else {
				var w *workspace.Workspace
				if w, err = g.open(cmd); err != nil {
					return err
				}
				defer w.Close()
				res, err = w.Tabulate(cmd.Context(), opts)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			printResult(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Contest, "contest", "", "only this contest (by name)")
	cmd.Flags().BoolVar(&record, "record", false, "record the tabulation of --contest in the ledger")
	cmd.Flags().StringVar(&rcvConfig, "rcv-config", "", "tabulate the ranked-choice contest of an RCTab configuration file (its CVR paths relative to it)")
	cmd.Flags().StringVar(&outDir, "out", "", "with --rcv-config: write the detailed reports (RCTab's JSON) into this folder")
	cmd.Flags().StringVar(&source, "source", "", "with --record: count cvr or results, when the contest has both")
	cmd.Flags().StringVar(&by, "by", "state", "unit tables: state (none), county, municipality, precinct, batch, tabulator")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().StringArrayVar(&cvrFiles, "cvr", nil, "count this CVR file, folder or ZIP (repeatable) instead of the workspace")
	cmd.Flags().StringArrayVar(&resultFiles, "results", nil, "count this results file (repeatable) instead of the workspace")
	cmd.Flags().StringVar(&opts.CVRFormat, "format", "auto", "format of --cvr files: auto, "+formatList())
	cmd.Flags().StringVar(&opts.Jurisdiction, "jurisdiction", "", "jurisdiction of the --cvr ballots")
	addResultsFlags(cmd, &opts.Results, true)
	return cmd
}

// commas formats n with thousands separators.
func commas(n int64) string { return numfmt.Int(n) }

// percent formats part/total with two decimals, rounded half up, in integer arithmetic.
func percent(part, total int64) string {
	if total == 0 {
		return "-"
	}
	bp := (part*20000 + total) / (2 * total) // hundredths of a percent
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// maxUnitColumns is how many choices a unit table shows before folding the rest into Other.
const maxUnitColumns = 3

func printResult(w io.Writer, res *tabulate.Result) {
	for i, c := range res.Contests {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printContest(w, &c)
	}
}

func printContest(w io.Writer, c *tabulate.ContestResult) {
	desc := fmt.Sprintf("%s, %d seat(s), vote for %d", c.Type, c.Seats, c.VoteFor)
	if c.Source != "" {
		desc = c.Source + "; " + desc
	}
	fmt.Fprintf(w, "%s  (%s)\n", c.Name, desc)
	var total int64
	for _, ch := range c.Choices {
		total += ch.Votes
	}
	if c.Source == "cvr" {
		fmt.Fprintf(w, "ballots %s  undervotes %s  overvotes %s  blank %s  write-ins %s\n",
			commas(c.Ballots), commas(c.Undervotes), commas(c.Overvotes), commas(c.Blank), commas(c.WriteIns))
	} else if c.Ballots > 0 {
		fmt.Fprintf(w, "ballots %s  write-ins %s\n", commas(c.Ballots), commas(c.WriteIns))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "CHOICE\tVOTES\tSHARE\t\n")
	for _, ch := range c.Choices {
		name := ch.Name
		if ch.WriteIn {
			name += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, commas(ch.Votes), percent(ch.Votes, total))
	}
	fmt.Fprintf(tw, "total\t%s\t\t\n", commas(total))
	tw.Flush()
	switch {
	case len(c.Winners) > 0 && len(c.Tied) == 0:
		fmt.Fprintf(w, "winner(s): %s\n", strings.Join(c.Winners, "; "))
	case len(c.Tied) > 0:
		fmt.Fprintf(w, "certain winner(s): %s; TIED: %s\n", strings.Join(c.Winners, "; "), strings.Join(c.Tied, "; "))
	}
	if c.Note != "" {
		fmt.Fprintf(w, "note: %s\n", c.Note)
	}
	if len(c.Units) > 0 {
		printUnits(w, c)
	}
}

// printUnits prints one row per unit with the leading choices as columns.
func printUnits(w io.Writer, c *tabulate.ContestResult) {
	var cols []string
	for _, ch := range c.Choices {
		if len(cols) == maxUnitColumns {
			break
		}
		cols = append(cols, ch.Name)
	}
	other := len(c.Choices) > len(cols)
	fmt.Fprintf(w, "\n%d units:\n", len(c.Units))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "UNIT\t")
	for _, n := range cols {
		fmt.Fprintf(tw, "%s\t", n)
	}
	if other {
		fmt.Fprint(tw, "other\t")
	}
	fmt.Fprint(tw, "total\t\n")
	for _, u := range c.Units {
		votes := map[string]int64{}
		var total int64
		for _, ch := range u.Choices {
			votes[ch.Name] = ch.Votes
			total += ch.Votes
		}
		fmt.Fprintf(tw, "%s\t", u.Unit)
		var shown int64
		for _, n := range cols {
			fmt.Fprintf(tw, "%s\t", commas(votes[n]))
			shown += votes[n]
		}
		if other {
			fmt.Fprintf(tw, "%s\t", commas(total-shown))
		}
		fmt.Fprintf(tw, "%s\t\n", commas(total))
	}
	tw.Flush()
}
