package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/rcv"
	"github.com/canvass-vote/canvass/workspace"
)

// tabulateRCV runs an RCTab contest configuration: reads its CVR sources, tabulates by its
// rules and writes the detailed reports (RCTab's JSON layout).
func tabulateRCV(cmd *cobra.Command, config string, asJSON bool, out string) error {
	cfg, err := rcv.LoadConfig(config)
	if err != nil {
		return err
	}
	ballots, err := rcv.LoadBallots(cfg)
	if err != nil {
		return err
	}
	reports, err := rcv.Tabulate(cfg, ballots)
	if err != nil {
		return err
	}
	if out != "" {
		for _, r := range reports {
			p := filepath.Join(out, reportName(r))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			err = r.WriteJSON(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", p)
		}
		return nil
	}
	w := cmd.OutOrStdout()
	for _, r := range reports {
		if r.Slice != "" {
			continue // slices are written with --out
		}
		if asJSON {
			if err := r.WriteJSON(w); err != nil {
				return err
			}
			continue
		}
		printRounds(w, r)
	}
	return nil
}

// reportName names a report file as RCTab's expected files are named: detailed_report.json,
// with _<pass>_ for the passes of a multi-pass tabulation, and the slices in "Tabulate by
// Precinct" and "Tabulate by Batch" folders.
func reportName(r *rcv.Report) string {
	base := "detailed_report.json"
	if r.Pass > 0 {
		base = strconv.Itoa(r.Pass) + "_" + base
	}
	switch r.Slice {
	case "precinct":
		return filepath.Join("Tabulate by Precinct", workspace.SafeFileName(r.SliceID)+"_precinct_"+base)
	case "batch":
		return filepath.Join("Tabulate by Batch", workspace.SafeFileName(r.SliceID)+"_batch_"+base)
	}
	return base
}

// printRounds prints a report as a table: one row per candidate, one column per round.
func printRounds(w io.Writer, r *rcv.Report) {
	title := r.Config.Contest
	if r.Pass > 0 {
		title += fmt.Sprintf(" (pass %d)", r.Pass)
	}
	fmt.Fprintf(w, "%s: %d rounds, %s ballots, threshold %s\n", title, len(r.Results), r.Summary.TotalNumBallots, r.Summary.FinalThreshold)
	cands := map[string]bool{}
	for _, rr := range r.Results {
		for c := range rr.Tally {
			cands[c] = true
		}
	}
	names := make([]string, 0, len(cands))
	for c := range cands {
		names = append(names, c)
	}
	first := r.Results[0].Tally
	sort.Slice(names, func(i, j int) bool { return decimalLess(first[names[j]], first[names[i]]) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "CANDIDATE\t")
	for _, rr := range r.Results {
		fmt.Fprintf(tw, "R%d\t", rr.Round)
	}
	fmt.Fprintln(tw)
	for _, c := range names {
		fmt.Fprintf(tw, "%s\t", c)
		for _, rr := range r.Results {
			fmt.Fprintf(tw, "%s\t", rr.Tally[c])
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprint(tw, "inactive\t")
	for _, rr := range r.Results {
		var parts []string
		for _, v := range rr.InactiveBallots {
			if v != "0" && v != "" {
				parts = append(parts, v)
			}
		}
		fmt.Fprintf(tw, "%s\t", strings.Join(parts, "+"))
	}
	fmt.Fprintln(tw)
	tw.Flush()
	for _, rr := range r.Results {
		for _, a := range rr.TallyResults {
			switch {
			case a.Elected != "":
				fmt.Fprintf(w, "round %d: %s elected\n", rr.Round, a.Elected)
			case a.Eliminated != "":
				fmt.Fprintf(w, "round %d: %s eliminated\n", rr.Round, a.Eliminated)
			}
		}
	}
}

// decimalLess compares two decimal strings numerically (empty is 0).
func decimalLess(a, b string) bool {
	x, _ := strconv.ParseFloat(a, 64) // for ordering rows only; the numbers printed are exact
	y, _ := strconv.ParseFloat(b, 64)
	return x < y
}
