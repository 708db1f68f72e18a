package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/workspace"
)

func newInit(g *globals) *cobra.Command {
	var opts workspace.InitOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a workspace (an embedded database and a signed ledger) in DIR or the --workspace folder",
		Long: `Create a workspace: an embedded database (canvass.db), the log signing key (log.key, mode
0600, and log.pub), and the ledger's first entry, which names the log (--origin) and its key.
Every later change is an entry of the ledger; 'canvass publish' signs and publishes it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := g.workspace
			if len(args) == 1 {
				dir = args[0]
			}
			opts.DB = g.db
			w, err := workspace.Init(cmd.Context(), dir, g.actor, opts)
			if err != nil {
				return err
			}
			defer w.Close()
			info, err := w.LogInfo(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "workspace created in %s\nlog %s\nlog key %s\n", dir, info.Origin, info.LogKey)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Origin, "origin", "", "the log's name, e.g. elections.wi.gov/2020-general (default: canvass/ and random digits)")
	return cmd
}
