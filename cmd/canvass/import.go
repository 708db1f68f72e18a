package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/workspace"
)

func newImport(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import cast vote records or results into the workspace (all or nothing)",
		Long: `Import files into the workspace. Each file is imported in one transaction: on any error
(named with its file, record and field) nothing is stored. A file already imported (same
SHA-256) is refused unless --replace is given; the replacement is recorded.`,
	}
	cmd.AddCommand(newImportCVR(g), newImportResults(g), newImportUnits(g))
	return cmd
}

func newImportCVR(g *globals) *cobra.Command {
	var opts workspace.ImportOptions
	var rcvConfig string
	cmd := &cobra.Command{
		Use:   "cvr FILE...",
		Short: "Import cast vote records (NIST CDF JSON or XML, Dominion, Hart, Clear Ballot, generic CSV; ES&S via --rcv-config)",
		Long: `Import cast vote records, each file (or folder, or ZIP) in one transaction. With
--rcv-config, import every CVR source of an RCTab contest configuration instead, each with its
provider's reader and the source's settings (ES&S xlsx and RCTab's generic CSV need them).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if rcvConfig != "" {
				if len(args) > 0 {
					return fmt.Errorf("give the files or --rcv-config, not both")
				}
				w, err := g.open(cmd)
				if err != nil {
					return err
				}
				defer w.Close()
				reps, err := w.ImportRCVConfig(cmd.Context(), rcvConfig, opts)
				for _, rep := range reps {
					printImport(cmd.OutOrStdout(), rep, "ballots")
				}
				return err
			}
			if len(args) == 0 {
				return fmt.Errorf("name the files to import (or --rcv-config)")
			}
			return importFiles(g, cmd, args, opts, (*workspace.Workspace).ImportCVR, true, "ballots")
		},
	}
	cmd.Flags().StringVar(&rcvConfig, "rcv-config", "", "import the CVR sources of this RCTab contest configuration")
	cmd.Flags().StringVar(&opts.Format, "format", "auto", "format: auto, "+formatList())
	cmd.Flags().StringVar(&opts.Jurisdiction, "jurisdiction", "", "jurisdiction (county) the ballots belong to")
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "replace an earlier import of the same file (recorded)")
	return cmd
}

// importFiles imports each file with fn, one transaction each, stopping at the first error;
// with progress, files large enough show a progress bar on a terminal.
func importFiles(g *globals, cmd *cobra.Command, paths []string, opts workspace.ImportOptions,
	fn func(*workspace.Workspace, context.Context, string, workspace.ImportOptions) (*workspace.ImportReport, error),
	progress bool, what string) error {
	w, err := g.open(cmd)
	if err != nil {
		return err
	}
	defer w.Close()
	for _, path := range paths {
		o := opts
		var bar *progressbar.ProgressBar
		if progress {
			bar = newBar(path, cvr.Size(path))
		}
		if bar != nil {
			o.Progress = func(n int64) { bar.Add64(n) }
		}
		rep, err := fn(w, cmd.Context(), path, o)
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(os.Stderr)
		}
		if err != nil {
			return err
		}
		printImport(cmd.OutOrStdout(), rep, what)
	}
	return nil
}

func formatList() string {
	s := ""
	for i, f := range cvr.Formats() {
		if i > 0 {
			s += ", "
		}
		s += f
	}
	return s
}

func newImportResults(g *globals) *cobra.Command {
	var opts workspace.ImportOptions
	cmd := &cobra.Command{
		Use:   "results FILE...",
		Short: "Import reported results per unit (WEC ward report, OpenElections, canvass CSV, wide CSV, Arlo audit report)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return importFiles(g, cmd, args, opts, (*workspace.Workspace).ImportResults, false, "result rows")
		},
	}
	cmd.Flags().StringVar(&opts.Results.Format, "format", "auto", resultsFormatHelp)
	addResultsFlags(cmd, &opts.Results, false)
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "replace an earlier import of the same file (recorded)")
	return cmd
}

const resultsFormatHelp = "results format: auto, wec, openelections, canvass, wide, arlo"

// addResultsFlags adds the options of results readers; withFormat adds --results-format (for
// commands where --format names the CVR format).
func addResultsFlags(cmd *cobra.Command, o *results.Options, withFormat bool) {
	if withFormat {
		cmd.Flags().StringVar(&o.Format, "results-format", "auto", resultsFormatHelp)
	}
	cmd.Flags().StringVar(&o.State, "state", "", "state of the units when the file does not say (wec: WI)")
	cmd.Flags().StringVar(&o.County, "county", "", "county of the units when the file does not say (wide)")
	cmd.Flags().StringVar(&o.Contest, "contest-name", "", "contest of a wide file's choice columns (wec: President)")
	cmd.Flags().StringSliceVar(&o.Skip, "skip", nil, "columns of a wide file to pass over (derived figures: diff, per_gop, ...)")
	cmd.Flags().StringToStringVar(&o.Rename, "rename", nil, "name a wide file's choice column: COLUMN=CHOICE (repeat)")
}

func printImport(w io.Writer, rep *workspace.ImportReport, what string) {
	f := rep.File
	fmt.Fprintf(w, "imported %s: %d %s (%s, %d bytes, sha256 %s) as file %d", f.Name, f.Records, what, f.Format, f.Size, f.SHA256, f.ID)
	if rep.Replaced != 0 {
		fmt.Fprintf(w, ", replacing file %d", rep.Replaced)
	}
	fmt.Fprintln(w)
}

// newBar returns a progress bar on standard error for files large enough to wait for, when
// standard error is a terminal; nil otherwise.
func newBar(name string, size int64) *progressbar.ProgressBar {
	const minSize = 16 << 20
	if size < minSize || !isTerminal(os.Stderr) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*1e6),
		progressbar.OptionShowCount(),
	)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
