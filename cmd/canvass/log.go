package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/store"
)

func newLog(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "log",
		Short: "Print the workspace's journal of changes (every import, replacement, ...)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			var changes []store.Change
			if err := w.Store.View(cmd.Context(), func(tx store.Tx) error {
				changes, err = tx.Changes()
				return err
			}); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tKIND\tDETAIL")
			for _, c := range changes {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.Seq, c.At.Format("2006-01-02T15:04:05Z"), c.Actor, c.Kind, c.Detail)
			}
			return tw.Flush()
		},
	}
}
