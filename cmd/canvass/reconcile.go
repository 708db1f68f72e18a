package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/workspace"
)

func newReconcile(g *globals) *cobra.Command {
	var (
		opts       workspace.ReconcileOptions
		by, within string
		asJSON     bool
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
			if within != "" {
				parts := strings.Split(within, "/")
				if len(parts) > 2 {
					return fmt.Errorf("--within %q: write \"county\" or \"county / municipality\"", within)
				}
				opts.Within.Jurisdiction = strings.TrimSpace(parts[0])
				if len(parts) == 2 {
					opts.Within.Municipality = strings.TrimSpace(parts[1])
				}
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			fs, err := w.Reconcile(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"findings": fs})
			}
			sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SEVERITY\tRULE\tUNIT\tFINDING")
			for _, f := range fs {
				fmt.Fprintf(tw, "%v\t%s\t%s\t%s\n", f.Severity, f.Rule, f.Unit.Key(), f.Message)
			}
			fmt.Fprintf(tw, "\n%d findings\n", len(fs))
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&by, "by", "precinct", "level of the reporting units: county, municipality or precinct")
	cmd.Flags().StringVar(&opts.Mapping, "mapping", "", "CSV of units that report together (member, group; or Detroit's counting-board file)")
	cmd.Flags().StringVar(&within, "within", "", "complete the mapping's units: \"county / municipality\"")
	cmd.Flags().BoolVar(&opts.SameDayRegistration, "same-day-registration", false, "voters may register at the polls (Wisconsin, Michigan)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
