package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/workspace"
)

func newInit(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a workspace (an embedded database) in DIR or the --workspace folder",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := g.workspace
			if len(args) == 1 {
				dir = args[0]
			}
			w, err := workspace.Init(cmd.Context(), dir, g.actor)
			if err != nil {
				return err
			}
			defer w.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "workspace created in %s\n", dir)
			return nil
		},
	}
}
