package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/rcv"
)

// newConvert is `canvass convert`: an RCTab contest's CVRs, from any provider RCTab reads,
// as RCTab's CDF JSON or its generic CVR CSV.
func newConvert() *cobra.Command {
	var config, to, out, date string
	cmd := &cobra.Command{
		Use:   "convert --rcv-config CONFIG --to cdf|csv",
		Short: "Convert a ranked-choice contest's CVRs to NIST CDF JSON or RCTab's CVR CSV",
		Long: `Read the CVR sources of an RCTab contest configuration (ess, genericCsv, cdf, dominion,
hart, clearBallot) and write the contest's ballots as RCTab writes them:

  --to cdf  a NIST SP 1500-103 cast vote record report in JSON, as RCTab's "generateCdfJson"
            (one original snapshot a ballot; candidates named as the files name them)
  --to csv  RCTab's generic CVR CSV: source, provider, ids, precinct, then one column a rank

The CDF's GeneratedDate is the current time unless --generated gives one (RFC 3339), or
--generated "" leaves it empty for output that depends on the input only. See
docs/formats/cdf-export.md.`,
		Example: `  canvass convert --rcv-config contest_config.json --to cdf --out cvr_cdf.json
  canvass convert --rcv-config contest_config.json --to csv > rctab_cvr.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return fmt.Errorf("convert: name the contest with --rcv-config CONFIG")
			}
			if to != "cdf" && to != "csv" {
				return fmt.Errorf("convert: --to %q: use --to cdf or --to csv", to)
			}
			generated := time.Now()
			if cmd.Flags().Changed("generated") {
				generated = time.Time{}
				if date != "" {
					t, err := time.Parse(time.RFC3339, date)
					if err != nil {
						return fmt.Errorf("convert: --generated %q: want RFC 3339, as 2024-11-05T20:00:00-05:00", date)
					}
					generated = t
				}
			}
			cfg, err := rcv.LoadConfig(config)
			if err != nil {
				return err
			}
			recs, err := rcv.LoadRecords(cfg)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error {
				if to == "csv" {
					return rcv.WriteCVRCSV(w, cfg, recs)
				}
				return rcv.WriteRecordsCDF(w, cfg, recs, generated)
			}
			if out == "" {
				return write(cmd.OutOrStdout())
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			err = write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d ballots to %s\n", len(recs), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&config, "rcv-config", "", "RCTab contest configuration (JSON)")
	cmd.Flags().StringVar(&to, "to", "cdf", "output format: cdf or csv")
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&date, "generated", "", "the CDF's GeneratedDate (RFC 3339); empty for none; default now")
	return cmd
}
