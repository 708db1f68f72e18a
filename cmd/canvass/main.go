// Command canvass takes an election from ballots to results: it keeps a workspace (an embedded
// database of imported cast vote records and results), imports the formats vendors and
// standards use, and tabulates. Run "canvass --help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	_ "github.com/canvass-vote/canvass/cvr/cdf"      // NIST SP 1500-103 JSON
	_ "github.com/canvass-vote/canvass/cvr/csvcvr"   // generic CSV
	_ "github.com/canvass-vote/canvass/cvr/dominion" // Dominion Democracy Suite JSON
	"github.com/canvass-vote/canvass/workspace"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "canvass:", err)
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		os.Exit(1)
	}
}

type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// globals are the flags every command that reads or writes state shares.
type globals struct {
	workspace string
	actor     string
	// db is the database of a new workspace (canvass init): "" for the embedded SQLite file,
	// or a postgres:// URL. Other commands use the database their workspace names.
	db string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "canvass",
		Short: "Ballots in, results out: import cast vote records and results, tabulate, and keep the record",
		Long: `canvass takes an election from ballots to a certified outcome with evidence anyone can check.

A workspace is a folder holding an embedded database (canvass.db) with the election
definition, every imported file (hash, size, format, who and when, and a copy), the ballots
and the results, and the ledger: a signed, append-only Merkle log of every change, which
'canvass publish' writes out as static files and 'canvass verify' checks from those alone. Commands that read or write state use the workspace
named by --workspace, else $CANVASS_WORKSPACE, else the current folder.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := os.Getenv("CANVASS_WORKSPACE")
	if def == "" {
		def = "."
	}
	root.PersistentFlags().StringVar(&g.workspace, "workspace", def, "workspace folder (default $CANVASS_WORKSPACE or the current folder)")
	root.PersistentFlags().StringVar(&g.actor, "actor", workspace.DefaultActor(), "who is making the change, recorded with it")
	root.PersistentFlags().StringVar(&g.db, "db", "", "database of a new workspace (canvass init): a PostgreSQL URL postgres://user:password@host:port/database, or nothing for the embedded SQLite file canvass.db; the workspace keeps its choice")
	root.AddCommand(newInit(g), newImport(g), newTabulate(g), newDemo(g), newGen(), newLog(g),
		newKeys(), newCertify(g), newPublish(g), newVerify(), newRebuild(g), newAudit(g), newReconcile(g), newConvert())
	for _, c := range commands {
		root.AddCommand(c(g))
	}
	return root
}

// commands are the constructors of commands that register themselves from their own files.
var commands []func(*globals) *cobra.Command

func (g *globals) open(cmd *cobra.Command) (*workspace.Workspace, error) {
	return workspace.Open(cmd.Context(), g.workspace, g.actor)
}

// with makes the RunE of a command that works on the workspace: it opens it, runs fn and
// closes it.
func (g *globals) with(fn func(cmd *cobra.Command, args []string, w *workspace.Workspace) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		w, err := g.open(cmd)
		if err != nil {
			return err
		}
		defer w.Close()
		return fn(cmd, args, w)
	}
}
