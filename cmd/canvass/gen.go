package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/cvr/cdf"
	"github.com/canvass-vote/canvass/cvr/csvcvr"
	"github.com/canvass-vote/canvass/cvr/dominion"
)

func newGen() *cobra.Command {
	var ballots, contests int
	var seed int64
	cmd := &cobra.Command{
		Use:   "gen dominion|cdf|csv OUT",
		Short: "Write a synthetic CVR export (for benchmarks and load tests)",
		Long: `Write a deterministic synthetic cast-vote-record export of --ballots ballots with --contests
contests: "dominion" writes a Dominion export folder (manifests and CvrExport_N.json files),
"cdf" a NIST SP 1500-103 JSON file, "csv" a generic CSV file. The same seed gives the same
bytes. The ballots are not a real election.`,
		Example: `  canvass gen dominion --ballots 1000000 --contests 5 /tmp/dominion-1m
  canvass tabulate --cvr /tmp/dominion-1m`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, out := args[0], args[1]
			if ballots < 1 || contests < 1 {
				return fmt.Errorf("--ballots and --contests must be at least 1")
			}
			switch kind {
			case "dominion":
				return dominion.WriteSynthetic(out, ballots, contests, seed)
			case "cdf", "csv":
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				bw := bufio.NewWriterSize(f, 1<<20)
				if kind == "cdf" {
					err = cdf.WriteSynthetic(bw, ballots, contests, seed)
				} else {
					err = csvcvr.WriteSynthetic(bw, ballots, contests, seed)
				}
				if err == nil {
					err = bw.Flush()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				return err
			default:
				return fmt.Errorf("gen %q: use dominion, cdf or csv", kind)
			}
		},
	}
	cmd.Flags().IntVar(&ballots, "ballots", 1000000, "number of ballots")
	cmd.Flags().IntVar(&contests, "contests", 5, "number of contests per ballot")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	return cmd
}
