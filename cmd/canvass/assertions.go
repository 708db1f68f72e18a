package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/raire"
	"github.com/canvass-vote/canvass/workspace"
)

// assertionModels maps --model to RAIRE's difficulty models.
var assertionModels = map[string]raire.ModelKind{
	"margin": raire.OneOnMargin, "margin-sq": raire.OneOnMarginSq, "bravo": raire.BRAVO, "macro": raire.MACRO,
}

// assertionTrims maps --trim to RAIRE's trimming options.
var assertionTrims = map[string]raire.Trim{
	"none": raire.TrimNone, "tree": raire.MinimizeTree, "assertions": raire.MinimizeAssertions,
}

func newAuditAssertions(g *globals) *cobra.Command {
	var (
		contest, model, trim, problem string
		asJSON                        bool
		m                             raire.Model
		limit                         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "assertions",
		Short: "The RAIRE assertions that confirm an instant-runoff contest's reported winner",
		Long: `Generate the assertions (RAIRE: "not eliminated before", "not eliminated next") whose
audit confirms the reported winner of an instant-runoff contest imported in the workspace,
each with its margin (in ballots) and its difficulty under the chosen model: 1/margin
(margin, for comparison audits), 1/margin² (margin-sq, for polling audits), BRAVO's average
sample number (bravo) or a comparison audit's expected sample (macro, with --gamma).
The ballots are read as the workspace's ranked count reads them (docs/audits/irv.md).

--json prints raire-rs's output layout (candidates by index, named in metadata), so the
answer can be compared with the reference implementation; --problem reads a raire-rs input
file instead of a workspace contest. A contest too close to audit with assertions (a tie,
or an elimination order no assertion with a margin rules out) can only be confirmed by a
full hand count: that is reported as an error.`,
		Example: `  canvass audit assertions --contest Mayor
  canvass audit assertions --contest Mayor --model macro --risk-limit 0.05 --json
  canvass audit assertions --problem guide.json --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, ok := assertionModels[model]
			if !ok {
				return fmt.Errorf("--model %q: use margin, margin-sq, bravo or macro", model)
			}
			tr, ok := assertionTrims[trim]
			if !ok {
				return fmt.Errorf("--trim %q: use none, tree or assertions", trim)
			}
			m.Kind = kind
			out := cmd.OutOrStdout()
			if problem != "" {
				return assertionsProblem(out, problem, asJSON)
			}
			if contest == "" {
				return errors.New("name the contest with --contest (or give a raire-rs input with --problem)")
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			c, res, err := w.IRVAssertions(cmd.Context(), workspace.IRVAssertionsOptions{Contest: contest, Model: m, Trim: tr, TimeLimit: limit})
			var rerr *raire.Error
			if asJSON && c != nil && errors.As(err, &rerr) {
				if werr := raire.WriteJSON(out, assertionsMetadata(c), nil, err); werr != nil {
					return werr
				}
				return err // the JSON on stdout, the reason on stderr
			}
			if err != nil {
				return err
			}
			if asJSON {
				return raire.WriteJSON(out, assertionsMetadata(c), res, nil)
			}
			printAssertions(out, c, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&contest, "contest", "", "the instant-runoff contest")
	cmd.Flags().StringVar(&model, "model", "margin", "difficulty model: margin, margin-sq, bravo or macro")
	cmd.Flags().Float64Var(&m.RiskLimit, "risk-limit", 0.05, "the risk limit, for the bravo and macro models")
	cmd.Flags().Float64Var(&m.Gamma, "gamma", audit.DefaultGamma, "the error inflation factor γ of the macro model")
	cmd.Flags().Int64Var(&m.Ballots, "ballots", 0, "auditable ballot cards (default: the cards that contain the contest)")
	cmd.Flags().StringVar(&trim, "trim", "tree", "remove redundant assertions: none, tree (smallest tree to check) or assertions (fewest assertions)")
	cmd.Flags().DurationVar(&limit, "time-limit", 30*time.Second, "give up after this long (0: no limit)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print raire-rs's JSON")
	cmd.Flags().StringVar(&problem, "problem", "", "read a raire-rs input file (JSON) instead of a workspace contest")
	return cmd
}

func assertionsMetadata(c *workspace.IRVContest) map[string]any {
	return map[string]any{"candidates": c.Contest.Candidates, "contest": c.Name}
}

// assertionsProblem solves a raire-rs input file.
func assertionsProblem(out io.Writer, path string, asJSON bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, err := raire.ParseProblem(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	res, err := p.Solve()
	var meta any
	if len(p.Metadata) > 0 {
		meta = json.RawMessage(p.Metadata)
	}
	var rerr *raire.Error
	if asJSON && errors.As(err, &rerr) {
		if werr := raire.WriteJSON(out, meta, nil, err); werr != nil {
			return werr
		}
		return err
	}
	if err != nil {
		return err
	}
	if asJSON {
		return raire.WriteJSON(out, meta, res, nil)
	}
	name := path
	printAssertions(out, &workspace.IRVContest{Name: name, Contest: p.Contest, Winner: res.Candidates[res.Winner], Cards: res.Model.Ballots}, res)
	return nil
}

// printAssertions prints the assertions as a table, with names.
func printAssertions(w io.Writer, c *workspace.IRVContest, r *raire.Result) {
	fmt.Fprintf(w, "%s: reported winner %s; %d cards, %d ranked\n", c.Name, c.Winner, r.Model.Ballots, r.Ballots)
	var order []string
	for _, i := range r.EliminationOrder {
		order = append(order, r.Candidates[i])
	}
	fmt.Fprintf(w, "elimination order: %s\n", strings.Join(order, ", "))
	fmt.Fprintf(w, "%d assertions (model %s, trim %s): difficulty %.4g, smallest margin %d ballots\n", len(r.Assertions), r.Model.Kind, r.Trim, r.Difficulty, r.Margin)
	if r.Restarted {
		fmt.Fprintln(w, "(the search ran long: the assertions were read from the optimum)")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tWINNER\tLOSER\tCONTINUING\tMARGIN\tDIFFICULTY")
	for _, a := range r.Assertions {
		cont := ""
		if a.Type == raire.NEN {
			var names []string
			for _, i := range a.Continuing {
				names = append(names, r.Candidates[i])
			}
			cont = strings.Join(names, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.4g\n", a.Type, r.Candidates[a.Winner], r.Candidates[a.Loser], cont, a.Margin, a.Difficulty)
	}
	tw.Flush()
}
