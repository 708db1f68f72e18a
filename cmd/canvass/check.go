package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/workspace"
)

func init() { commands = append(commands, newCheck) }

// parseWithin reads --within: "county" or "county / municipality".
func parseWithin(s string) (reconcile.Unit, error) {
	var u reconcile.Unit
	if s == "" {
		return u, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) > 2 {
		return u, fmt.Errorf("--within %q: write \"county\" or \"county / municipality\"", s)
	}
	u.Jurisdiction = strings.TrimSpace(parts[0])
	if len(parts) == 2 {
		u.Municipality = strings.TrimSpace(parts[1])
	}
	return u, nil
}

func newImportUnits(g *globals) *cobra.Command {
	var (
		opts         workspace.RegistrationOptions
		date, within string
	)
	cmd := &cobra.Command{
		Use:   "units FILE",
		Short: "Import unit data: registered voters (with the list's date), census estimates, a ward table, or a mapping of units that report together",
		Long: `Import data about the reporting units that is not results, kept and recorded like any
import:
  registration      CSV: unit, registered[, date] — registered voters per unit on a list of a date
  county-estimates  Wisconsin's county registration with ACS voting-age (VAP) and citizen
                    voting-age (CVAP) population estimates, kept as estimates
  milwaukee-wards   Milwaukee County's 2020 ward table (its own ballots and registration)
  mapping           units that report together: member,group; or Detroit's counting-board file
Every unit must be a unit of the imported results (a ward table is checked on its own). On
any error (naming the file, record and field) nothing changes.`,
		Example: `  canvass import units detroit_avcbs_by_precinct_nov2020.csv --format mapping --within "Wayne / City of Detroit"
  canvass import units wi_county_registered_voters_2020-10-01_and_acs2018_cvap.csv --format county-estimates`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if date != "" {
				if opts.Date, err = time.Parse("2006-01-02", date); err != nil {
					return fmt.Errorf("--date %q: write YYYY-MM-DD", date)
				}
			}
			if opts.Within, err = parseWithin(within); err != nil {
				return err
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			b, err := w.ImportRegistration(cmd.Context(), args[0], opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %s: %d units (%s, %d bytes, sha256 %s)", b.File.Name, b.Units, b.Format, b.File.Size, b.File.SHA256)
			if b.Registered > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), ", %d registered", b.Registered)
			}
			if b.VAP > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), ", VAP estimate %d, CVAP estimate %d", b.VAP, b.CVAP)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "", "registration, county-estimates, milwaukee-wards or mapping")
	cmd.Flags().StringVar(&date, "date", "", "date of the registration list (YYYY-MM-DD) when the file does not say")
	cmd.Flags().StringVar(&within, "within", "", "complete the file's units: \"county\" or \"county / municipality\"")
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "replace an earlier import of the same file")
	cmd.MarkFlagRequired("format")
	return cmd
}

func newCheck(g *globals) *cobra.Command {
	var (
		opts          workspace.CheckOptions
		by, within    string
		asJSON        bool
		sameDay       bool
		electionDay   string
		questionsHelp = strings.Join(workspace.Questions(), "|")
	)
	cmd := &cobra.Command{
		Use:   "check " + questionsHelp,
		Short: "Answer a claim about the results with numbers and the files they come from",
		Long: `Answer the common claims from the workspace's data, citing every file used by its
SHA-256:
  turnout            ballots against registered voters per unit: totals, the highest units,
                     any unit above 100% and the explanations the law allows
  ballots-vs-voters  the same, and against census population estimates (flagged as estimates)
  balance            ballots against poll books, modes, combined reports, votes, manifests
  recount-impact     what each recount changed, against the margin
Units that report together are joined through the imported mappings (and --mapping) first.`,
		Example: `  canvass check ballots-vs-voters --unit "Wayne / City of Detroit" --same-day-registration
  canvass check turnout --by county --unit Milwaukee
  canvass check recount-impact --unit Dane`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Question = args[0]
			l, err := workspace.ParseLevel(by)
			if err != nil {
				return err
			}
			opts.Level = l
			if opts.Within, err = parseWithin(within); err != nil {
				return err
			}
			opts.SameDayRegistration = sameDay
			if electionDay != "" {
				if opts.ElectionDay, err = time.Parse("2006-01-02", electionDay); err != nil {
					return fmt.Errorf("--election-day %q: write YYYY-MM-DD", electionDay)
				}
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			a, err := w.Check(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), a)
			}
			return printAnswer(cmd.OutOrStdout(), a)
		},
	}
	cmd.Flags().StringVar(&opts.Unit, "unit", "", "limit the answer to the units within this one (\"Wayne / City of Detroit\")")
	cmd.Flags().StringVar(&by, "by", "precinct", "level of the units: county, municipality or precinct")
	cmd.Flags().IntVar(&opts.Top, "top", 10, "how many of the highest-turnout units to list")
	cmd.Flags().StringVar(&opts.Mapping, "mapping", "", "a mapping file to use besides the imported ones")
	cmd.Flags().StringVar(&within, "within", "", "complete the --mapping file's units")
	cmd.Flags().BoolVar(&sameDay, "same-day-registration", false, "voters may register at the polls (Wisconsin, Michigan)")
	cmd.Flags().StringVar(&electionDay, "election-day", "", "the date of the election (YYYY-MM-DD), to tell a list dated before it")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printAnswer(out io.Writer, a *workspace.Answer) error {
	fmt.Fprintf(out, "%s — %s (units by %s)\n\n", a.Question, a.Scope, a.Level)
	for _, s := range a.Summary {
		fmt.Fprintf(out, "%s\n", s)
	}
	for _, t := range a.Tables {
		if len(t.Highest) == 0 {
			continue
		}
		fmt.Fprintf(out, "\nHighest turnout (%s):\n", t.Source)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "UNIT\tBALLOTS\tREGISTERED\tTURNOUT\tLIST DATE\tJOINED")
		for _, u := range t.Highest {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f%%\t%s\t%d\n", u.Unit, u.Ballots, u.Registered, 100*u.Turnout, u.ListDate, u.Members)
		}
		tw.Flush()
	}
	if len(a.Findings) > 0 {
		fmt.Fprintln(out)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tRULE\tUNIT\tFINDING")
		for _, f := range a.Findings {
			fmt.Fprintf(tw, "%v\t%s\t%s\t%s\n", f.Severity, f.Rule, f.Unit.String(), f.Message)
		}
		tw.Flush()
	}
	printSources(out, a.Sources)
	return nil
}

func printSources(out io.Writer, sources []workspace.Source) {
	if len(sources) == 0 {
		return
	}
	fmt.Fprintln(out, "\nSources:")
	for _, s := range sources {
		fmt.Fprintf(out, "  %s (%s", s.Name, s.Kind)
		if s.Entry != 0 {
			fmt.Fprintf(out, ", ledger entry %d", s.Entry)
		}
		if s.Date != "" {
			fmt.Fprintf(out, ", list of %s", s.Date)
		}
		if s.Estimate {
			fmt.Fprint(out, ", estimates with margins of error")
		}
		fmt.Fprintf(out, ") sha256 %s\n", s.SHA256)
	}
}
