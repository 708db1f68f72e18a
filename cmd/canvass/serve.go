package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/canvass-vote/canvass/web"
	"github.com/canvass-vote/canvass/workspace"
)

func init() { commands = append(commands, newServe, newAccounts) }

func newServe(g *globals) *cobra.Command {
	var (
		addr, cert, key string
		opts            web.Options
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the workspace on the web: public results and audits, audit boards, officials",
		Long: `Serve the workspace as a web application and a JSON API (docs/API.md): public pages of
results (drill down by county and ward), turnout and reconciliation, audit progress, recounts
and how to verify the record; pages for audit boards (their retrieval list, blind readings
confirmed by two members); and pages for officials (imports, audits, certification, accounts).

Accounts are made with 'canvass accounts add'. Every sign-in and every change is an entry of
the ledger. Serve over TLS (--tls-cert, --tls-key), or behind a TLS proxy with
--secure-cookies; plain HTTP is for a single machine (the default address is loopback).`,
		Example: `  canvass serve --addr 127.0.0.1:8080
  canvass serve --addr :443 --tls-cert cert.pem --tls-key key.pem --published ./public`,
		Args: cobra.NoArgs,
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			if cert != "" || key != "" {
				if cert == "" || key == "" {
					return errors.New("give both --tls-cert and --tls-key")
				}
				opts.SecureCookies = true
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: web.New(w, opts), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			scheme := "http"
			if cert != "" {
				scheme = "https"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "serving workspace %s on %s://%s (Ctrl-C stops)\n", w.Dir, scheme, ln.Addr())
			if accts, err := w.Accounts(cmd.Context()); err == nil && len(accts) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no accounts yet: add one with 'canvass accounts add --name NAME --role state-admin'")
			}
			done := make(chan error, 1)
			go func() {
				if cert != "" {
					done <- srv.ServeTLS(ln, cert, key)
				} else {
					done <- srv.Serve(ln)
				}
			}()
			select {
			case err := <-done:
				return err
			case <-cmd.Context().Done():
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				return srv.Shutdown(ctx)
			}
		}),
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&cert, "tls-cert", "", "TLS certificate (PEM); with --tls-key, serve HTTPS")
	f.StringVar(&key, "tls-key", "", "TLS private key (PEM)")
	f.BoolVar(&opts.SecureCookies, "secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	f.BoolVar(&opts.TrustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (behind a proxy)")
	f.DurationVar(&opts.IdleTimeout, "idle-timeout", 30*time.Minute, "end sessions unused for this long")
	f.DurationVar(&opts.SessionLifetime, "session-lifetime", 12*time.Hour, "end sessions this long after sign-in")
	f.Int64Var(&opts.MaxUpload, "max-upload", 64<<30, "largest file accepted, in bytes")
	f.StringVar(&opts.TempDir, "upload-dir", "", "folder for uploads in progress (default the system's temporary folder)")
	f.StringVar(&opts.Published, "published", "", "a folder written by 'canvass publish', served at /log/ for 'canvass verify'")
	f.StringVar(&opts.PublishedURL, "published-url", "", "where the record is published, shown on the verify page")
	return cmd
}

func newAccounts(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Accounts of the web application: add, list, set a password, disable",
		Long: `Accounts sign in to 'canvass serve'. Roles: state-admin (everything), jurisdiction-admin
(the imports, retrieval lists and audit boards of its --jurisdiction list), audit-board (one
board of one round of one audit; each board has two or more members, each with an account).
Creating an account, setting a password and disabling one are entries of the ledger, which
records the name, role and scope but never the password or its hash.`,
	}
	cmd.AddCommand(newAccountsAdd(g), newAccountsList(g), newAccountsPassword(g), newAccountsDisable(g))
	return cmd
}

func newAccountsAdd(g *globals) *cobra.Command {
	var (
		na       workspace.NewAccount
		passFile string
		audit    int64
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add an account (the password is asked for, or read from --password-file)",
		Example: `  canvass accounts add --name clerk --role state-admin
  canvass accounts add --name dane --role jurisdiction-admin --jurisdiction Dane --jurisdiction Iowa
  canvass accounts add --name dane-b1-ann --role audit-board --audit 12 --round 1 --jurisdiction Dane --board 1 --boards 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if na.Role != workspace.RoleAuditBoard {
				na.Scope.Round, na.Scope.Board, na.Scope.Boards = 0, 0, 0
			} else {
				if len(na.Scope.Jurisdictions) > 1 {
					return errors.New("an audit board has one --jurisdiction")
				}
				if len(na.Scope.Jurisdictions) == 1 {
					na.Scope.Jurisdiction = na.Scope.Jurisdictions[0]
				}
				na.Scope.Jurisdictions = nil
				if audit < 0 {
					return errors.New("name the audit board's --audit (its ledger entry, as 'canvass audit status' shows)")
				}
				na.Scope.Audit = uint64(audit)
			}
			pw, err := readPassword(cmd, passFile)
			if err != nil {
				return err
			}
			na.Password = pw
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			a, err := w.CreateAccount(cmd.Context(), na)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "account %s (%s) created\n", a.Name, a.Role)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&na.Name, "name", "", "the account's sign-in name (lower case)")
	f.StringVar(&na.Role, "role", "", "state-admin, jurisdiction-admin or audit-board")
	f.StringArrayVar(&na.Scope.Jurisdictions, "jurisdiction", nil, "a jurisdiction of a jurisdiction administrator (repeatable), or an audit board's")
	f.Int64Var(&audit, "audit", -1, "audit board: the audit")
	f.IntVar(&na.Scope.Round, "round", 1, "audit board: the round")
	f.IntVar(&na.Scope.Board, "board", 0, "audit board: its number, from 1")
	f.IntVar(&na.Scope.Boards, "boards", 1, "audit board: how many boards share the jurisdiction's list")
	f.StringVar(&passFile, "password-file", "", "read the password from the first line of this file ('-' for standard input)")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagRequired("role")
	return cmd
}

func newAccountsList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  cobra.NoArgs,
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			accts, err := w.Accounts(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tSCOPE\tSTATE")
			for _, a := range accts {
				scope := strings.Join(a.Scope.Jurisdictions, ", ")
				if a.Role == workspace.RoleAuditBoard {
					scope = fmt.Sprintf("%s of %d, round %d of audit %d", a.Scope.BoardName(), a.Scope.Boards, a.Scope.Round, a.Scope.Audit)
				}
				state := "active"
				switch {
				case a.Disabled:
					state = "disabled"
				case !a.HasPassword:
					state = "no password"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Role, scope, state)
			}
			return tw.Flush()
		}),
	}
}

func newAccountsPassword(g *globals) *cobra.Command {
	var passFile string
	cmd := &cobra.Command{
		Use:   "password NAME",
		Short: "Set an account's password (and end its sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd, passFile)
			if err != nil {
				return err
			}
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.SetPassword(cmd.Context(), args[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "password of %s set\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&passFile, "password-file", "", "read the password from the first line of this file ('-' for standard input)")
	return cmd
}

func newAccountsDisable(g *globals) *cobra.Command {
	var enable bool
	cmd := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disable an account (ending its sessions), or enable it again with --enable",
		Args:  cobra.ExactArgs(1),
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			if err := w.SetDisabled(cmd.Context(), args[0], !enable); err != nil {
				return err
			}
			what := "disabled"
			if enable {
				what = "enabled"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "account %s %s\n", args[0], what)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&enable, "enable", false, "enable the account again")
	return cmd
}

// readPassword reads a password: from the first line of a file ("-": standard input), else
// asked for twice on the terminal without echo.
func readPassword(cmd *cobra.Command, file string) (string, error) {
	line := func(r io.Reader) (string, error) {
		s, err := bufio.NewReader(r).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		return strings.TrimRight(s, "\r\n"), nil
	}
	switch {
	case file == "-":
		return line(cmd.InOrStdin())
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return line(f)
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("no terminal to ask for the password: give --password-file FILE (or - for standard input)")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	pw, err := ask("password: ")
	if err != nil {
		return "", err
	}
	again, err := ask("the password again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}
