package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/workspace"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newLog(g *globals) *cobra.Command {
	var asJSON bool
	var proof int64
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Print the ledger: every import, tabulation and certification, in order",
		Long: `Print the workspace's ledger, one entry per line (sequence number, time, actor, type and
body), or --json for the entries as recorded (canonical JSON, one per line). --proof N prints
the inclusion proof of entry N in the current tree.`,
		Args: cobra.NoArgs,
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			out := cmd.OutOrStdout()
			return w.Store.View(cmd.Context(), func(tx store.Tx) error {
				tree, err := tx.Tree()
				if err != nil {
					return err
				}
				if proof >= 0 {
					if uint64(proof) >= tree.Size() {
						return fmt.Errorf("--proof %d: the ledger has %d entries", proof, tree.Size())
					}
					p, err := ledger.InclusionProof(tx, uint64(proof), tree.Size())
					if err != nil {
						return err
					}
					leaf, err := tx.Hashes(0, uint64(proof), uint64(proof)+1)
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "entry %d leaf hash %s\ntree size %d root %s\n", proof, leaf[0], tree.Size(), tree.Root())
					for i, h := range p {
						fmt.Fprintf(out, "proof %d %s\n", i, h)
					}
					return ledger.VerifyInclusion(leaf[0], uint64(proof), tree.Size(), p, tree.Root())
				}
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				if !asJSON {
					fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tTYPE\tBODY")
				}
				err = tx.Entries(0, tree.Size(), func(seq uint64, data []byte) error {
					if asJSON {
						_, err := fmt.Fprintf(out, "%s\n", data)
						return err
					}
					e, err := ledger.Decode(data)
					if err != nil {
						return fmt.Errorf("entry %d: %w", seq, err)
					}
					body := string(e.Body)
					if len(body) > 160 {
						body = body[:157] + "..."
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", e.Seq, e.Time[:19]+"Z", e.Actor, e.Type, body)
					return nil
				})
				if err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(tw, "\ntree size %d, root %s\n", tree.Size(), tree.Root())
				}
				return tw.Flush()
			})
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entries as recorded, one per line")
	cmd.Flags().Int64Var(&proof, "proof", -1, "print the inclusion proof of this entry")
	return cmd
}

func newKeys() *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "Make signing keys for certifying boards"}
	var name, out string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Make an Ed25519 signing key: FILE.key (mode 0600) and FILE.pub",
		Long: `Make an Ed25519 key pair in the signed-note format of Go's checksum database. The private
key goes to --out (default NAME.key, mode 0600; never printed) and the verifier key to the same
name with .pub, which is printed. Spaces in --name become '_' in the key's name.`,
		Example: `  canvass keys generate --name "Dane County Board of Canvassers"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			kn, err := ledger.KeyName(name)
			if err != nil {
				return err
			}
			if out == "" {
				out = kn + ".key"
			}
			if !strings.HasSuffix(out, ".key") {
				return fmt.Errorf("--out %s: the private key file's name must end in .key", out)
			}
			skey, vkey, err := workspace.GenerateKey(name)
			if err != nil {
				return err
			}
			if err := workspace.WriteKeyPair(out, skey, vkey); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "private key: %s (mode 0600; keep it secret)\nverifier key (%s):\n%s\n", out, strings.TrimSuffix(out, ".key")+".pub", vkey)
			return nil
		},
	}
	gen.Flags().StringVar(&name, "name", "", "who signs with this key, e.g. \"Dane County Board of Canvassers\"")
	gen.Flags().StringVar(&out, "out", "", "private key file (default NAME.key)")
	gen.MarkFlagRequired("name")
	keys.AddCommand(gen)
	return keys
}

func newCertify(g *globals) *cobra.Command {
	var (
		opts      workspace.CertifyOptions
		signers   []string
		overrides []string
		amends    int64
		level     string
	)
	cmd := &cobra.Command{
		Use:   "certify",
		Short: "Certify a contest's result, signed by each board member's key",
		Long: `Tabulate --contest (recording the tabulation unless the last one recorded is the same),
and record a certification that names that tabulation, signed by every --signer key. It is
refused while a finding stands in the way (a tie for the last seat, unresolved write-ins that
reach the margin, no votes at all; later: reconciliation errors and unfinished audits) unless
--override RULE='reason' records why. A contest already certified is amended, never rewritten:
--amends N --reason '...' records a new certification that points at entry N.`,
		Example: `  canvass certify --contest "President" --signer dane1.key --signer dane2.key
  canvass certify --contest "President" --signer dane1.key --amends 7 --reason "recount of Milwaukee and Dane"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Contest == "" {
				return fmt.Errorf("name the contest with --contest")
			}
			for _, p := range signers {
				s, err := workspace.LoadSigner(p)
				if err != nil {
					return err
				}
				opts.Signers = append(opts.Signers, s)
			}
			for _, o := range overrides {
				rule, reason, ok := strings.Cut(o, "=")
				if !ok || strings.TrimSpace(reason) == "" {
					return fmt.Errorf("--override %q: write RULE='reason'", o)
				}
				if opts.Overrides == nil {
					opts.Overrides = map[string]string{}
				}
				opts.Overrides[rule] = reason
			}
			if amends >= 0 {
				a := uint64(amends)
				opts.Amends = &a
			}
			l, err := workspace.ParseLevel(level)
			if err != nil {
				return err
			}
			opts.Level = l
			w, err := g.open(cmd)
			if err != nil {
				return err
			}
			defer w.Close()
			c, err := w.Certify(cmd.Context(), opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s of %q recorded as ledger entry %d\n", c.Type, c.Body.Contest, c.Seq)
			fmt.Fprintf(out, "tabulation: entry %d (leaf hash %s)\nwinners: %s\n", c.Body.Tabulation, c.Body.TabulationHash, strings.Join(c.Body.Winners, "; "))
			for _, s := range c.Body.Signers {
				fmt.Fprintf(out, "signed by: %s\n", s.Name)
			}
			for _, o := range c.Body.Overrides {
				fmt.Fprintf(out, "override: %s: %s\n", o.Rule, o.Reason)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Contest, "contest", "", "the contest to certify")
	cmd.Flags().StringVar(&opts.Source, "source", "", "cvr or results, when the contest is counted from both")
	cmd.Flags().StringVar(&level, "by", "precinct", "level of the per-unit tables of the certified result")
	cmd.Flags().StringArrayVar(&signers, "signer", nil, "a board member's private key file (repeatable)")
	cmd.Flags().StringArrayVar(&overrides, "override", nil, "RULE='reason': certify despite a finding, recording why (repeatable)")
	cmd.Flags().Int64Var(&amends, "amends", -1, "the ledger entry of the certification this one amends")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the certification is amended")
	return cmd
}

func newPublish(g *globals) *cobra.Command {
	var key string
	cmd := &cobra.Command{
		Use:   "publish DIR",
		Short: "Sign a checkpoint and write the whole record to DIR as static files anyone can verify",
		Long: `Sign a checkpoint of the ledger with the log key (the workspace's log.key, or --key) and
write DIR: the C2SP tlog-tiles layout (checkpoint, tile/<L>/..., tile/entries/...), every
imported file by SHA-256 (files/), the full result of every recorded tabulation (results/),
every checkpoint signed so far (checkpoints/) and the verifier keys (keys/). Serve DIR with any
web server or bucket; 'canvass verify DIR|URL' needs nothing else.`,
		Args: cobra.ExactArgs(1),
		RunE: g.with(func(cmd *cobra.Command, args []string, w *workspace.Workspace) error {
			var signer *workspace.Signer
			if key != "" {
				var err error
				if signer, err = workspace.LoadSigner(key); err != nil {
					return err
				}
			}
			rep, err := w.Publish(cmd.Context(), args[0], signer)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published to %s: %d entries (%d bundles, %d tiles), %d files, %d results\ncheckpoint: %s, size %d, root %s\n",
				rep.Dir, rep.Checkpoint.Size, rep.Bundles, rep.Tiles, rep.Files, rep.Results, rep.Checkpoint.Origin, rep.Checkpoint.Size, rep.Checkpoint.Root.Base64())
			return nil
		}),
	}
	cmd.Flags().StringVar(&key, "key", "", "the log's private key file (default: the workspace's log.key)")
	return cmd
}

func verifyFlags(cmd *cobra.Command, opts *workspace.VerifyOptions, since *string) {
	cmd.Flags().StringVar(&opts.Key, "key", "", "the log's verifier key (or a file holding it), from a source you trust")
	cmd.Flags().StringVar(since, "since", "", "an older checkpoint file of this log: the published log must extend it")
}

// openPublished opens a published log (folder or URL) and reads the --since checkpoint.
func openPublished(ctx context.Context, src, since string, opts *workspace.VerifyOptions) (ledger.Fetcher, error) {
	f, err := ledger.NewFetcher(src)
	if err != nil {
		return nil, err
	}
	return f, loadSince(ctx, since, opts)
}

func loadSince(ctx context.Context, since string, opts *workspace.VerifyOptions) error {
	if since == "" {
		return nil
	}
	var b []byte
	var err error
	if strings.HasPrefix(since, "http://") || strings.HasPrefix(since, "https://") {
		var f ledger.Fetcher
		if f, err = ledger.NewHTTP(since[:strings.LastIndex(since, "/")+1]); err == nil {
			b, err = ledger.Fetch(ctx, f, since[strings.LastIndex(since, "/")+1:], 1<<16)
		}
	} else {
		b, err = os.ReadFile(since)
	}
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	opts.Since = b
	return nil
}

func newVerify() *cobra.Command {
	var opts workspace.VerifyOptions
	var since string
	cmd := &cobra.Command{
		Use:   "verify DIR|URL",
		Short: "Verify a published record from its files alone: signatures, tree, files, results, certifications",
		Long: `Verify a published log, from a folder or over HTTP(S), trusting none of the officials'
servers: the checkpoint's signature by the log key (--key pins it; without it the key the log
names in its first entry is used, which proves only that the log agrees with itself), every
hash tile recomputed from the entries and the root against the checkpoint, consistency with
--since and with every checkpoint the log publishes, every entry canonical and in its place;
then it rebuilds the workspace by replaying every entry (re-importing every published file,
checked against its hash; re-tabulating; re-checking every certification's signatures) and
compares each rebuilt entry and each published result with the published one. Every problem
is printed with the file or entry it is in; the exit status is 1 if there is any.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := openPublished(cmd.Context(), args[0], since, &opts)
			if err != nil {
				return err
			}
			rep, err := workspace.Verify(cmd.Context(), f, opts)
			if err != nil {
				return err
			}
			return printVerify(cmd, rep)
		},
	}
	verifyFlags(cmd, &opts, &since)
	return cmd
}

func printVerify(cmd *cobra.Command, rep *workspace.VerifyReport) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "log %s at %s: %d entries, root %s\n", rep.Checkpoint.Origin, rep.Source, rep.Checkpoint.Size, rep.Checkpoint.Root.Base64())
	fmt.Fprintf(out, "replayed %d imports, %d tabulations, %d certifications\n", rep.Files, rep.Tabulations, rep.Certifications)
	if !rep.KeyPinned {
		fmt.Fprintln(out, "note: no --key given; the checkpoint was checked with the key the log names itself")
	}
	if rep.OK() {
		fmt.Fprintln(out, "OK: verified")
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "FAIL %s\n", p)
	}
	fmt.Fprintf(out, "%d problems\n", len(rep.Problems))
	return exitError(1)
}

func newRebuild(g *globals) *cobra.Command {
	var opts workspace.VerifyOptions
	var since string
	cmd := &cobra.Command{
		Use:   "rebuild DIR|URL",
		Short: "Rebuild a workspace (--workspace) from a published log alone, verifying it",
		Long: `Rebuild a workspace in the --workspace folder (which must not hold one) from a published
log alone, by replaying its entries as 'canvass verify' does. The rebuilt database holds the
same content as the one that published the log (on PostgreSQL with --db). It has no log
signing key: it can be checked and read, not extended.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := openPublished(cmd.Context(), args[0], since, &opts)
			if err != nil {
				return err
			}
			opts.DB = g.db
			rep, err := workspace.Rebuild(cmd.Context(), f, g.workspace, opts)
			if rep != nil {
				if perr := printVerify(cmd, rep); perr != nil && err == nil {
					err = perr
				}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "workspace rebuilt in %s\n", g.workspace)
			return nil
		},
	}
	verifyFlags(cmd, &opts, &since)
	return cmd
}
