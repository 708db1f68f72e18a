package main

import (
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/workspace"
)

func newReconcile(g *globals) *cobra.Command {
	var (
		opts       workspace.ReconcileOptions
		by, within string
		asJSON     bool
		record     bool
	)
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Check that the numbers add up, unit by unit: ballots, registration, votes (findings with their rule and severity)",
		Long: `Check the workspace's imported results unit by unit: ballots against registered voters
(turnout), votes against ballots (over- and undervotes), ballots against their modes, after
joining the units that report together through --mapping (e.g. Detroit's absentee counting
boards and the precincts they served, or Wisconsin's combined wards). Each finding names its
rule, the numbers, the explanations the law allows and its severity. docs/RECONCILE.md lists
the rules.`,
		Example: `  canvass reconcile --mapping detroit_avcbs_by_precinct_nov2020.csv --within "Wayne / City of Detroit" --same-day-registration`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := workspace.ParseLevel(by)
			if err != nil {
				return err
			}
			opts.Level = l
			if opts.Within, err = parseWithin(within); err != nil {
				return err
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			if record {
				seq, body, err := w.RecordReconciliation(cmd.Context(), opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "recorded in ledger entry %d: %d errors, %d warnings, %d info\n", seq, body.Counts["error"], body.Counts["warning"], body.Counts["info"])
				if body.Counts["error"] > 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "errors block certification until corrected (reconcile again) or overridden with --override reconcile='reason'")
				}
				return nil
			}
			rec, err := w.Reconciliation(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"findings": rec.Findings, "sources": rec.Sources})
			}
			fs := rec.Findings
			sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SEVERITY\tRULE\tUNIT\tFINDING")
			for _, f := range fs {
				fmt.Fprintf(tw, "%v\t%s\t%s\t%s\n", f.Severity, f.Rule, f.Unit.Key(), f.Message)
			}
			fmt.Fprintf(tw, "\n%d findings\n", len(fs))
			if err := tw.Flush(); err != nil {
				return err
			}
			printSources(cmd.OutOrStdout(), rec.Sources)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "precinct", "level of the reporting units: county, municipality or precinct")
	cmd.Flags().StringVar(&opts.Mapping, "mapping", "", "CSV of units that report together (member, group; or Detroit's counting-board file)")
	cmd.Flags().StringVar(&within, "within", "", "complete the mapping's units: \"county / municipality\"")
	cmd.Flags().BoolVar(&opts.SameDayRegistration, "same-day-registration", false, "voters may register at the polls (Wisconsin, Michigan)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&record, "record", false, "record the findings in the ledger (errors then block certification); uses imported data only")
	return cmd
}
