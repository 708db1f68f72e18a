package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/demo"
	"github.com/canvass-vote/canvass/web"
)

func newDemo(g *globals) *cobra.Command {
	var (
		dir, addr string
		noServe   bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a demonstration election from the real 2020 data and serve it on http://127.0.0.1:8080",
		Long: `Create a fresh workspace (in a new temporary folder, or --dir) from the 2020 data embedded
in the binary, then serve it as the web application:

  - Wisconsin: the Elections Commission's ward report after the recount, the county canvass
    before it, and the recount of Milwaukee and Dane; Milwaukee County's ward table and the
    county registration lists with the census estimates;
  - Michigan: Wayne County's precincts with registration, Detroit's counting boards mapped to
    the precincts they served;
  - Georgia: the hand count of the 2020 audit compared with the machine count;
  - a ballot-comparison audit of Adams County, Wisconsin, on synthetic cast vote records that
    add up to its ward totals, waiting for its audit board;
  - demo accounts (a state administrator, Adams County's clerk, the two members of its audit
    board), with passwords made for this run and printed here.

Every step is in the workspace's ledger. --no-serve builds and prints without serving; with
--db postgres://… the demo workspace is kept in that (empty) PostgreSQL database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			if dir == "" {
				var err error
				if dir, err = os.MkdirTemp("", "canvass-demo-"); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "building the demo election in %s ...\n", dir)
			b, err := demo.BuildWith(ctx, dir, g.actor, g.db)
			if err != nil {
				return err
			}
			defer b.Workspace.Close()
			for _, s := range b.Steps {
				fmt.Fprintf(out, "  %s\n", s)
			}
			fmt.Fprintln(out, "\nDemo logins (made for this run):")
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			for _, l := range b.Logins {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Name, l.Password, l.What)
			}
			tw.Flush()
			fmt.Fprintf(out, "\nThe same workspace from the command line:\n  canvass --workspace %s tabulate --by state --contest President\n  canvass --workspace %s recount report --recount %d\n  canvass --workspace %s check ballots-vs-voters --unit \"Wayne / City of Detroit\" --same-day-registration\n",
				dir, dir, b.WisconsinRecount, dir)
			if noServe {
				return nil
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\nserving the demo on http://%s (Ctrl-C stops)\n", ln.Addr())
			srv := &http.Server{Handler: web.New(b.Workspace, web.Options{}), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			return serveUntilDone(ctx, srv, ln)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "create the demo workspace here (default: a new temporary folder)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to serve on")
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "build and print, do not serve")
	return cmd
}

// serveUntilDone serves until the server fails or ctx ends (Ctrl-C), then shuts down,
// letting requests in flight finish.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
