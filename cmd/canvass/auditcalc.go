package main

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
)

// calcFlags are the contest and discrepancy flags the calculators share.
type calcFlags struct {
	method    string
	risk      float64
	ballots   int64
	tally     string
	winners   int
	threshold string
	margin    float64
	gamma     float64
	d         audit.Discrepancies
	asJSON    bool
	// hybrid (SUITE)
	cvrTally, noCVRTally     string
	cvrBallots, noCVRBallots int64
}

func (f *calcFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.method, "method", "bravo", "bravo, minerva, alpha (polling); supersimple (= kaplan-markov), alpha-comparison (comparison); suite (hybrid, sample-size)")
	cmd.Flags().Float64Var(&f.risk, "risk-limit", 0.1, "the risk limit, in (0, 0.5]")
	cmd.Flags().Int64Var(&f.ballots, "ballots", 0, "ballots cast in the contest (the population)")
	cmd.Flags().StringVar(&f.tally, "tally", "", "reported votes: NAME=VOTES,NAME=VOTES,...")
	cmd.Flags().IntVar(&f.winners, "winners", 1, "number of winners")
	cmd.Flags().StringVar(&f.threshold, "supermajority", "", "a supermajority contest's threshold, e.g. 2/3")
	cmd.Flags().Float64Var(&f.margin, "diluted-margin", 0, "comparison: the diluted margin (default: from --tally and --ballots)")
	cmd.Flags().Float64Var(&f.gamma, "gamma", audit.DefaultGamma, "super-simple error inflation γ")
	cmd.Flags().Int64Var(&f.d.O1, "o1", 0, "one-vote overstatements")
	cmd.Flags().Int64Var(&f.d.O2, "o2", 0, "two-vote overstatements")
	cmd.Flags().Int64Var(&f.d.U1, "u1", 0, "one-vote understatements")
	cmd.Flags().Int64Var(&f.d.U2, "u2", 0, "two-vote understatements")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&f.cvrTally, "cvr-tally", "", "suite: reported votes of the CVR stratum, NAME=VOTES,...")
	cmd.Flags().StringVar(&f.noCVRTally, "nocvr-tally", "", "suite: reported votes of the no-CVR stratum")
	cmd.Flags().Int64Var(&f.cvrBallots, "cvr-ballots", 0, "suite: ballots in the CVR stratum")
	cmd.Flags().Int64Var(&f.noCVRBallots, "nocvr-ballots", 0, "suite: ballots in the no-CVR stratum")
}

// hybrid builds a SUITE contest from the stratum flags; --tally and --ballots are their sums.
func (f *calcFlags) hybrid() (*audit.HybridContest, error) {
	cv, _, err := parseTally("cvr-tally", f.cvrTally)
	if err != nil {
		return nil, err
	}
	nv, _, err := parseTally("nocvr-tally", f.noCVRTally)
	if err != nil {
		return nil, err
	}
	if f.cvrBallots <= 0 || f.noCVRBallots <= 0 {
		return nil, fmt.Errorf("suite: give --cvr-ballots and --nocvr-ballots (and --cvr-tally, --nocvr-tally)")
	}
	total := map[string]int64{}
	for n, v := range cv {
		total[n] += v
	}
	for n, v := range nv {
		total[n] += v
	}
	c := &audit.Contest{Name: "contest", Ballots: f.cvrBallots + f.noCVRBallots, Winners: f.winners}
	names := make([]string, 0, len(total))
	for n := range total {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.Choices = append(c.Choices, audit.Choice{Name: n, Votes: total[n]})
	}
	return &audit.HybridContest{Contest: c, CVR: audit.Stratum{Ballots: f.cvrBallots, Votes: cv}, NoCVR: audit.Stratum{Ballots: f.noCVRBallots, Votes: nv}}, nil
}

// parseTally reads NAME=VOTES,NAME=VOTES.
func parseTally(flag, s string) (map[string]int64, []audit.Choice, error) {
	m := map[string]int64{}
	var cs []audit.Choice
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, v, ok := strings.Cut(part, "=")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if !ok || err != nil || n < 0 || strings.TrimSpace(name) == "" {
			return nil, nil, fmt.Errorf("--%s %q: write NAME=VOTES,NAME=VOTES with whole numbers", flag, part)
		}
		name = strings.TrimSpace(name)
		if _, dup := m[name]; dup {
			return nil, nil, fmt.Errorf("--%s: %s twice", flag, name)
		}
		m[name] = n
		cs = append(cs, audit.Choice{Name: name, Votes: n})
	}
	return m, cs, nil
}

func (f *calcFlags) contest() (*audit.Contest, error) {
	if err := audit.CheckRiskLimit(f.risk); err != nil {
		return nil, err
	}
	_, cs, err := parseTally("tally", f.tally)
	if err != nil {
		return nil, err
	}
	c := &audit.Contest{Name: "contest", Ballots: f.ballots, Choices: cs, Winners: f.winners}
	if c.Ballots == 0 {
		for _, ch := range cs {
			c.Ballots += ch.Votes
		}
	}
	if f.threshold != "" {
		a, b, ok := strings.Cut(f.threshold, "/")
		num, e1 := strconv.ParseInt(a, 10, 64)
		den, e2 := strconv.ParseInt(b, 10, 64)
		if !ok || e1 != nil || e2 != nil || num <= 0 || den <= num {
			return nil, fmt.Errorf("--supermajority %q: write A/B, e.g. 2/3", f.threshold)
		}
		c.ThresholdNum, c.ThresholdDen = num, den
	}
	if len(cs) > 0 {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (f *calcFlags) dilutedMargin(c *audit.Contest) (float64, error) {
	if f.margin > 0 {
		return f.margin, nil
	}
	if len(c.Choices) == 0 {
		return 0, fmt.Errorf("give --diluted-margin, or --tally and --ballots")
	}
	return c.DilutedMargin()
}

var quantiles = []float64{0.7, 0.8, 0.9}

func printCalc(cmd *cobra.Command, asJSON bool, v map[string]any) error {
	if asJSON {
		return writeJSON(cmd.OutOrStdout(), v)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %v\n", k, v[k])
	}
	return nil
}

func newAuditCalculators() []*cobra.Command {
	return []*cobra.Command{newAuditSampleSize(), newAuditRisk(), newAuditSampleCalc()}
}

func newAuditSampleSize() *cobra.Command {
	f := &calcFlags{}
	cmd := &cobra.Command{
		Use:   "sample-size",
		Short: "Sample sizes of a method for a reported outcome (no workspace)",
		Example: `  canvass audit sample-size --method bravo --risk-limit 0.1 --ballots 1000 --tally A=600,B=400 --json
  canvass audit sample-size --method supersimple --risk-limit 0.05 --diluted-margin 0.0159 --o1 1 --o2 1 --u1 1 --u2 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.method == "suite" {
				h, err := f.hybrid()
				if err != nil {
					return err
				}
				cvr, nocvr, err := audit.SuiteSampleSizes(h, f.risk)
				if err != nil {
					return err
				}
				return printCalc(cmd, f.asJSON, map[string]any{"method": "suite", "risk_limit": f.risk, "sample_size": cvr + nocvr,
					"strata": map[string]int64{"cvr": cvr, "nocvr": nocvr}})
			}
			c, err := f.contest()
			if err != nil {
				return err
			}
			out := map[string]any{"method": f.method, "risk_limit": f.risk}
			switch f.method {
			case "bravo":
				asn, err := audit.BravoASN(c, f.risk)
				if err != nil {
					return err
				}
				q, err := audit.BravoSampleSizes(c, f.risk, nil, 0, quantiles)
				if err != nil {
					return err
				}
				out["asn"], out["quantiles"], out["sample_size"] = int64(math.Ceil(asn)), quantileMap(q), q[0.9]
			case "minerva":
				q := map[float64]int64{}
				for _, p := range quantiles {
					if q[p], err = audit.MinervaSampleSize(c, f.risk, p, nil); err != nil {
						return err
					}
				}
				out["quantiles"], out["sample_size"] = quantileMap(q), q[0.9]
			case "supersimple", "kaplan-markov":
				mu, err := f.dilutedMargin(c)
				if err != nil {
					return err
				}
				n, err := audit.SuperSimpleSampleSize(f.risk, mu, f.gamma, f.d)
				if err != nil {
					return err
				}
				out["sample_size"], out["diluted_margin"] = n, mu
			case "alpha", "alpha-comparison":
				n, err := alphaSampleSize(c, f.risk, f.method == "alpha-comparison")
				if err != nil {
					return err
				}
				out["sample_size"] = n
			default:
				return fmt.Errorf("--method %q: use bravo, minerva, alpha, supersimple, kaplan-markov or alpha-comparison", f.method)
			}
			return printCalc(cmd, f.asJSON, out)
		},
	}
	f.register(cmd)
	return cmd
}

// alphaSampleSize is the ALPHA sample size if every draw looks like the reported outcome
// (the assorter's reported mean; for comparison, no discrepancies), the largest over the
// contest's assertions.
func alphaSampleSize(c *audit.Contest, risk float64, comparison bool) (int64, error) {
	as, err := audit.ContestAssorters(c)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, a := range as {
		u, x := a.Upper, a.Mean
		if comparison {
			u = a.ComparisonUpper()
			x = a.Comparison(nil, nil)
		}
		t := audit.Alpha{N: c.Ballots, T: 0.5, U: u, Estimator: audit.DefaultShrinkTrunc(0.5, u, x)}
		if comparison {
			t.Estimator = audit.FixedEta{Eta0: audit.ComparisonEta(a)}
		}
		k, err := t.SampleSize(x, risk, int(min(c.Ballots, 1<<31-1)))
		if err != nil {
			return 0, err
		}
		n = max(n, int64(k))
	}
	return n, nil
}

func quantileMap(q map[float64]int64) map[string]int64 {
	out := map[string]int64{}
	for p, n := range q {
		out[strconv.FormatFloat(p, 'g', -1, 64)] = n
	}
	return out
}

func newAuditRisk() *cobra.Command {
	f := &calcFlags{}
	var sample string
	var sampled int64
	cmd := &cobra.Command{
		Use:   "risk",
		Short: "The measured risk (p-value) of a sample (no workspace)",
		Example: `  canvass audit risk --method bravo --risk-limit 0.1 --ballots 1000 --tally A=600,B=400 --sample A=72,B=47 --json
  canvass audit risk --method supersimple --risk-limit 0.05 --diluted-margin 0.02 --sample-size 300 --o1 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.contest()
			if err != nil {
				return err
			}
			var p float64
			switch f.method {
			case "bravo", "minerva":
				s, _, err := parseTally("sample", sample)
				if err != nil {
					return err
				}
				if f.method == "bravo" {
					p, err = audit.BravoPValue(c, s, f.risk)
				} else {
					n := sampled
					if n == 0 {
						for _, v := range s {
							n += v
						}
					}
					p, err = audit.MinervaPValue(c, []audit.MinervaRound{{Size: n, Votes: s}}, f.risk)
				}
				if err != nil {
					return err
				}
			case "supersimple", "kaplan-markov":
				mu, err := f.dilutedMargin(c)
				if err != nil {
					return err
				}
				if sampled <= 0 {
					return fmt.Errorf("give --sample-size, the number of ballots compared")
				}
				p = audit.KaplanMarkovComparisonPValue(sampled, mu, f.gamma, f.d)
			default:
				return fmt.Errorf("--method %q: use bravo, minerva, supersimple or kaplan-markov", f.method)
			}
			return printCalc(cmd, f.asJSON, map[string]any{"method": f.method, "p_value": p, "confirmed": p <= f.risk, "risk_limit": f.risk})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&sample, "sample", "", "polling: the votes in the sample, NAME=VOTES,...")
	cmd.Flags().Int64Var(&sampled, "sample-size", 0, "ballots in the sample (comparison; polling: default the sum of --sample)")
	return cmd
}

func newAuditSampleCalc() *cobra.Command {
	var (
		seed, manifest  string
		n               int
		withReplacement bool
		digits          int
		asJSON          bool
	)
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Draw a sample from a ballot manifest with a seed (no workspace): anyone can repeat it",
		Long: `Draw n ballots from a ballot manifest with Rivest's consistent sampler (SHA-256), naming
each ballot as the audit tool Arlo does (Python's str of (batch key, position)), so the same
seed and manifest give the same ballots and ticket numbers in Arlo and here.`,
		Example: `  canvass audit sample --seed 31415926535897932384 --manifest manifest.csv --n 50 --json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sampler.CheckSeed(seed); err != nil {
				return err
			}
			f, err := os.Open(manifest)
			if err != nil {
				return err
			}
			m, err := sampler.ReadManifest(f, manifest)
			f.Close()
			if err != nil {
				return err
			}
			key := sampler.BatchName
			for _, b := range m.Batches {
				if b.Jurisdiction != "" || b.Tabulator != "" {
					key = sampler.JurisdictionTabulatorBatch
				}
			}
			draws, err := sampler.SampleManifest(sampler.NormalizeSeed(seed), m, n, withReplacement, key)
			if err != nil {
				return err
			}
			type row struct {
				Jurisdiction string `json:"jurisdiction,omitempty"`
				Tabulator    string `json:"tabulator,omitempty"`
				Batch        string `json:"batch"`
				Position     int64  `json:"position"`
				ID           string `json:"id"`
				Ticket       string `json:"ticket"`
				Times        int    `json:"times"`
			}
			rows := make([]row, len(draws))
			for i, d := range draws {
				b := m.Batches[d.Batch]
				rows[i] = row{b.Jurisdiction, b.Tabulator, b.Name, d.Position, d.ID, sampler.TrimTicket(d.Ticket, digits), d.Times}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"seed": seed, "draws": rows})
			}
			for _, r := range rows {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%d\n", r.Ticket, r.ID, r.Times)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seed, "seed", "", "the seed: at least 20 digits")
	cmd.Flags().StringVar(&manifest, "manifest", "", "the ballot manifest CSV")
	cmd.Flags().IntVar(&n, "n", 0, "number of draws")
	cmd.Flags().BoolVar(&withReplacement, "with-replacement", false, "draw with replacement")
	cmd.Flags().IntVar(&digits, "digits", 18, "significant digits of the ticket numbers shown")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
