package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/workspace"
)

func newAudit(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Risk-limiting audits: start, record audit-board findings, status, report; calculators",
		Long: `Risk-limiting audits of the workspace's contests, and stateless calculators.

The workflow: 'audit start' fixes the reported outcomes, the population (the imported CVRs,
or a ballot manifest) and the seed, sizes the first round and writes the retrieval lists;
'audit record FILE' enters what the audit boards found (and ends the round when every card of
it is recorded: the risk is measured and the next round drawn, or the audit is confirmed, or
it escalates to a full hand count); 'audit status' and 'audit report' show where it stands.
Every step is an entry of the ledger.`,
	}
	cmd.AddCommand(newAuditStart(g), newAuditRecord(g), newAuditStatus(g), newAuditRetrieval(g), newAuditEscalate(g), newAuditHandCount(g), newAuditReport(g))
	cmd.AddCommand(newAuditAssertions(g))
	cmd.AddCommand(newAuditCalculators()...)
	return cmd
}

func newAuditStart(g *globals) *cobra.Command {
	var (
		opts workspace.AuditOptions
		kind string
		ret  retrievalFlags
	)
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start an audit: size the first round, draw the sample, write the retrieval lists",
		Long: `Start an audit of one or more contests: fix their reported outcomes and the population, size
the first round, draw the sample and write the retrieval lists.

An instant-runoff contest (a ranked contest with one seat, counted from the imported CVRs) is
audited by its RAIRE assertions, generated here from the CVRs (MACRO's difficulty for a
comparison audit, BRAVO's for polling; docs/audits/irv.md) and recorded in the start entry:
in a comparison audit with kaplan-markov or alpha-comparison, in a polling audit with alpha,
on the same sample as the other contests. A contest too close to audit with assertions is
refused: only a full hand count can confirm it.`,
		Example: `  canvass audit start --contest President --type comparison --method kaplan-markov --risk-limit 0.05 --seed 31415926535897932384
  canvass audit start --contest President --type polling --method bravo --risk-limit 0.1 --seed 12345678901234567890 --manifest manifest.csv
  canvass audit start --contest Mayor --contest "Measure A" --type comparison --method alpha-comparison --seed 31415926535897932384`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind = audit.Kind(kind)
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			v, err := w.AuditStart(cmd.Context(), opts)
			if err != nil {
				return err
			}
			printAudit(cmd.OutOrStdout(), v)
			return writeRetrieval(cmd, w, v.ID, ret)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Contests, "contest", nil, "a contest to audit (repeatable)")
	cmd.Flags().StringVar(&kind, "type", "comparison", "polling, comparison, batch or hybrid")
	cmd.Flags().StringVar(&opts.Method, "method", "", "the risk-measuring method: "+strings.Join(allMethods(), ", "))
	cmd.Flags().Float64Var(&opts.RiskLimit, "risk-limit", 0.05, "the risk limit, in (0, 0.5]")
	cmd.Flags().StringVar(&opts.Seed, "seed", "", "the random seed: at least 20 digits from public dice rolls")
	cmd.Flags().Int64Var(&opts.RoundSize, "round-size", 0, "size of the first round (default: the method's)")
	cmd.Flags().Float64Var(&opts.Quantile, "quantile", 0.9, "plan rounds to finish the audit with this probability")
	cmd.Flags().BoolVar(&opts.WithReplacement, "with-replacement", false, "draw cards with replacement")
	cmd.Flags().StringVar(&opts.Manifest, "manifest", "", "ballot manifest CSV (default: the population is the imported CVRs)")
	cmd.Flags().StringVar(&opts.Source, "source", "", "cvr or results: the reported outcome, when a contest has both")
	cmd.Flags().BoolVar(&opts.CardStyle, "card-style", false, "sample only the CVR cards that contain an audited contest")
	ret.register(cmd, "folder for the retrieval lists (default: <workspace>/audits/<id>)")
	return cmd
}

func allMethods() []string {
	var out []string
	for _, k := range []audit.Kind{audit.Polling, audit.Comparison, audit.BatchKind, audit.Hybrid} {
		out = append(out, audit.MethodNames(k)...)
	}
	return out
}

// auditSelector is the --audit flag of the commands that act on one audit, and the way they
// open the workspace and find it.
type auditSelector struct {
	g  *globals
	id int64
}

func (s *auditSelector) register(cmd *cobra.Command) {
	cmd.Flags().Int64Var(&s.id, "audit", -1, "the audit (its ledger entry; default the latest)")
}

// run opens the workspace, finds the audit (--audit, else the latest) and calls fn.
func (s *auditSelector) run(fn func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error) func(*cobra.Command, []string) error {
	return s.g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
		aid := uint64(s.id)
		if s.id < 0 {
			ids, err := w.Audits(cmd.Context())
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return fmt.Errorf("the workspace has no audit: start one with 'canvass audit start'")
			}
			aid = ids[len(ids)-1]
		}
		return fn(cmd, args, w, aid)
	})
}

// retrievalFlags are where retrieval lists go and how many audit boards share them.
type retrievalFlags struct {
	out    string
	boards int
}

func (f *retrievalFlags) register(cmd *cobra.Command, outHelp string) {
	cmd.Flags().StringVar(&f.out, "out", "", outHelp)
	cmd.Flags().IntVar(&f.boards, "boards", 1, "audit boards to share the retrieval list")
}

func newAuditRecord(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var ret retrievalFlags
	cmd := &cobra.Command{
		Use:   "record FILE",
		Short: "Enter audit-board findings (CSV: jurisdiction,batch,position,contest,votes,board)",
		Long: `Enter what the audit boards found, from a CSV file with the columns
jurisdiction, batch, position, contest, votes, board: one row per card and contest; votes
holds the choices read, separated by ';', or NOT FOUND. For an instant-runoff contest votes
is the ranking, most preferred first ("Frey;Dehn;Hodges"), as the count reads it (it stops
at an overvote; a candidate ranked again counts once). Every row is checked against the
sample first: a card not drawn, or a card recorded before with other votes, refuses the whole
file and changes nothing. When every card of the round is recorded, the round ends: the risk
is measured and the next round drawn (its retrieval lists written), or the audit is confirmed,
or it goes to a full hand count.`,
		Args: cobra.ExactArgs(1),
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			recs, err := workspace.ReadAuditRecords(f, args[0])
			f.Close()
			if err != nil {
				return err
			}
			n, err := w.AuditRecord(cmd.Context(), aid, recs)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "recorded %d cards (%d rows read; cards recorded before with the same votes are skipped)\n", n, len(recs))
			v, err := w.AuditStatus(cmd.Context(), aid)
			if err != nil {
				return err
			}
			if v.Missing == 0 && v.Status == string(audit.InProgress) {
				if v, err = w.AuditEndRound(cmd.Context(), aid); err != nil {
					return err
				}
				printAudit(cmd.OutOrStdout(), v)
				if v.Status == string(audit.InProgress) {
					return writeRetrieval(cmd, w, aid, ret)
				}
				return nil
			}
			printAudit(cmd.OutOrStdout(), v)
			return nil
		}),
	}
	sel.register(cmd)
	ret.register(cmd, "folder for the next round's retrieval lists")
	return cmd
}

func newAuditStatus(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show an audit: per contest the measured risk, discrepancies and whether it is confirmed",
		Args:  cobra.NoArgs,
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			v, err := w.AuditStatus(cmd.Context(), aid)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), v)
			}
			printAudit(cmd.OutOrStdout(), v)
			return nil
		}),
	}
	sel.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newAuditRetrieval(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var ret retrievalFlags
	cmd := &cobra.Command{
		Use:   "retrieval",
		Short: "Write the open round's retrieval lists again, one CSV per jurisdiction",
		Args:  cobra.NoArgs,
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			return writeRetrieval(cmd, w, aid, ret)
		}),
	}
	sel.register(cmd)
	ret.register(cmd, "folder for the retrieval lists (default: <workspace>/audits/<id>)")
	return cmd
}

func newAuditEscalate(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var reason string
	cmd := &cobra.Command{
		Use:   "escalate",
		Short: "End the sampling: the audit goes to a full hand count",
		Args:  cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if strings.TrimSpace(reason) == "" {
				return fmt.Errorf("say why with --reason")
			}
			return nil
		},
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			if err := w.AuditEscalate(cmd.Context(), aid, reason); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit %d goes to a full hand count\n", aid)
			return nil
		}),
	}
	sel.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}

func writeRetrieval(cmd *cobra.Command, w *workspace.Workspace, id uint64, ret retrievalFlags) error {
	out, boards := ret.out, ret.boards
	if out == "" {
		out = w.Dir + "/audits/" + strconv.FormatUint(id, 10)
	}
	files, err := w.AuditRetrieval(cmd.Context(), id, out, boards)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(cmd.OutOrStdout(), "retrieval list: %s\n", f)
	}
	return nil
}

func printAudit(out io.Writer, v *workspace.AuditView) {
	fmt.Fprintf(out, "audit %d: %s audit, method %s, risk limit %s, seed %s, %d cards in the population\n", v.ID, v.Kind, v.Method, v.Risk, v.Seed, v.Ballots)
	fmt.Fprintf(out, "status: %s", v.Status)
	if n := len(v.Rounds); n > 0 {
		r := v.Rounds[n-1]
		if r.Ended {
			fmt.Fprintf(out, " (round %d ended at %d draws)", r.Number, r.Size)
		} else {
			fmt.Fprintf(out, " (round %d: %d draws in all, %d cards still to record)", r.Number, r.Size, v.Missing)
		}
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTEST\tRISK\tDISCREPANCIES\tCONFIRMED")
	sort.Slice(v.Contests, func(i, j int) bool { return v.Contests[i].Name < v.Contests[j].Name })
	for _, c := range v.Contests {
		fmt.Fprintf(tw, "%s\t%.4g\t%d\t%v\n", c.Name, c.Risk, c.Discrepancies, c.Confirmed)
	}
	tw.Flush()
	for _, c := range v.Contests {
		if c.IRV != nil {
			printAuditAssertions(out, c.Name, c.IRV)
		}
	}
}

// printAuditAssertions lists an instant-runoff contest's assertions with their margins,
// difficulties and measured risks.
func printAuditAssertions(out io.Writer, contest string, x *workspace.IRVAudit) {
	model := x.Model
	if x.Gamma > 0 {
		model += fmt.Sprintf(", γ %g", x.Gamma)
	}
	fmt.Fprintf(out, "\n%s: instant runoff, reported winner %s; %d assertions (difficulty model %s, hardest %.4g)\n", contest, x.Winner, len(x.Assertions), model, x.Difficulty)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSERTION\tMARGIN\tDILUTED\tDIFFICULTY\tRISK\tCONFIRMED")
	for _, a := range x.Assertions {
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4g\t%.4g\t%v\n", a.Label, a.Margin, a.DilutedMargin, a.Difficulty, a.Risk, a.Confirmed)
	}
	tw.Flush()
}

func newAuditHandCount(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var format string
	var asCVR bool
	cmd := &cobra.Command{
		Use:   "hand-count FILE",
		Short: "Enter the full hand count of an audit that escalated; its outcome replaces the reported one",
		Long: `Enter the full hand count an audit escalated to, from a results file in any format canvass
reads (--format; e.g. the Arlo report of Georgia's 2020 hand count). The file is kept and
recorded, its tally is compared with the reported outcome, and the audit ends. If the hand
count's winners differ, certification waits until the hand count's results are imported.

An instant-runoff contest's count needs every ballot's ranking, which a results file does not
give: with --cvr, FILE holds the hand count as cast vote records (one per paper ballot, in any
CVR format canvass reads, --format naming it), counted as the workspace counts its ranked
contests; plurality contests of the same audit are tallied from the same file.`,
		Args: cobra.ExactArgs(1),
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			var (
				out []workspace.HandCountResult
				err error
			)
			if asCVR {
				out, err = w.AuditHandCountCVR(cmd.Context(), aid, args[0], format)
			} else {
				out, err = w.AuditHandCount(cmd.Context(), aid, args[0], results.Options{Format: format})
			}
			if err != nil {
				return err
			}
			for _, r := range out {
				verdict := "the reported winners stand"
				if r.Changed {
					verdict = "THE WINNERS CHANGED"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: hand count winners %s: %s\n", r.Name, strings.Join(r.Winners, "; "), verdict)
			}
			return nil
		}),
	}
	sel.register(cmd)
	cmd.Flags().StringVar(&format, "format", "auto", "format of FILE: a results format, or with --cvr a CVR format")
	cmd.Flags().BoolVar(&asCVR, "cvr", false, "FILE holds the hand count as cast vote records (needed for an instant-runoff contest)")
	return cmd
}

func newAuditReport(g *globals) *cobra.Command {
	sel := &auditSelector{g: g}
	var asJSON bool
	var out string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the full audit report: settings, contests, rounds, every sampled card (CSV sections, or --json)",
		Args:  cobra.NoArgs,
		RunE: sel.run(func(cmd *cobra.Command, args []string, w *workspace.Workspace, aid uint64) error {
			rep, err := w.AuditReport(cmd.Context(), aid)
			if err != nil {
				return err
			}
			dst := cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				dst = f
			}
			if asJSON {
				return writeJSON(dst, rep)
			}
			return workspace.WriteAuditReportCSV(dst, rep)
		}),
	}
	sel.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON instead of CSV sections")
	cmd.Flags().StringVar(&out, "out", "", "write to this file")
	return cmd
}
