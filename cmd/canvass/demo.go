package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/demo"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/workspace"
)

func newDemo(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the Wisconsin 2020 presidential results into a fresh workspace and print them",
		Long: `Create a fresh workspace (in a new temporary folder, or --dir), import the Wisconsin
Elections Commission's official ward-by-ward report of the 2020 presidential election (after
the Milwaukee and Dane recount; embedded in the binary), and print the statewide result and the
result of each of the 72 counties.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if dir == "" {
				var err error
				if dir, err = os.MkdirTemp("", "canvass-demo-"); err != nil {
					return err
				}
			}
			w, err := workspace.Init(ctx, dir, g.actor, workspace.InitOptions{})
			if err != nil {
				return err
			}
			defer w.Close()
			src, err := demo.Extract(demo.WisconsinWards, filepath.Join(dir, "sources"))
			if err != nil {
				return err
			}
			rep, err := w.ImportResults(ctx, src, workspace.ImportOptions{Results: results.Options{Format: "wec"}})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "workspace: %s\n", dir)
			printImport(out, rep, "result rows")
			fmt.Fprintln(out)
			res, err := w.Tabulate(ctx, workspace.TabulateOptions{By: canvass.LevelCounty})
			if err != nil {
				return err
			}
			printResult(out, res)
			fmt.Fprintf(out, "\nNext: canvass --workspace %s tabulate --by precinct --json\n", dir)
			fmt.Fprintf(out, "      canvass --workspace %s log                      # the ledger of every change\n", dir)
			fmt.Fprintf(out, "      canvass --workspace %s publish %s/public\n", dir, dir)
			fmt.Fprintf(out, "      canvass verify %s/public --key %s/log.pub     # check it from the files alone\n", dir, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "create the demo workspace here (default: a new temporary folder)")
	return cmd
}
