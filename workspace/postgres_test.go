package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/internal/pgtest"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// storeDump lists what a workspace's store holds through the store.Tx interface, so that a
// workspace on PostgreSQL can be compared with one on SQLite: every ledger entry, the tree,
// files, the election, ballots, result rows, tabulations, checkpoints and accounts, and the
// kept files of the folder.
func storeDump(t *testing.T, w *Workspace) string {
	t.Helper()
	var out strings.Builder
	kept, _ := os.ReadDir(filepath.Join(w.Dir, FilesDir))
	for _, k := range kept {
		fmt.Fprintf(&out, "kept %s\n", k.Name())
	}
	err := w.Store.View(context.Background(), func(tx store.Tx) error {
		var tabs []uint64
		err := tx.Entries(0, 1<<62, func(seq uint64, data []byte) error {
			fmt.Fprintf(&out, "entry %d %s\n", seq, data)
			if e, err := ledger.Decode(data); err == nil && e.Type == ledger.TypeTabulation {
				tabs = append(tabs, seq)
			}
			return nil
		})
		if err != nil {
			return err
		}
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "tree %d %s\n", tree.Size(), tree.Root())
		fs, err := tx.Files()
		if err != nil {
			return err
		}
		for _, f := range fs {
			fmt.Fprintf(&out, "file %+v\n", f)
		}
		el, err := tx.Election()
		if err != nil {
			return err
		}
		for _, c := range el.Contests {
			head := *c
			head.Choices = nil
			fmt.Fprintf(&out, "contest %+v\n", head)
			for _, ch := range c.Choices {
				fmt.Fprintf(&out, "  choice %+v\n", *ch)
			}
		}
		err = tx.Ballots(func(j string, b *canvass.Ballot) error {
			fmt.Fprintf(&out, "ballot %s %+v\n", j, *b)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Results(func(r *canvass.ResultRow) error {
			fmt.Fprintf(&out, "result %+v\n", *r)
			return nil
		})
		if err != nil {
			return err
		}
		for _, seq := range tabs {
			b, err := tx.Tabulation(seq)
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "tabulation %d %x\n", seq, b)
		}
		cps, err := tx.Checkpoints()
		if err != nil {
			return err
		}
		for _, c := range cps {
			fmt.Fprintf(&out, "checkpoint %d %q\n", c.Size, c.Note)
		}
		as, err := tx.Accounts()
		for _, a := range as {
			fmt.Fprintf(&out, "account %+v\n", a)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestPostgresStory runs a workspace on PostgreSQL from init to rebuild: the WEC ward report
// and San Francisco's Dominion CVRs (imported twice, the second time replacing the first), a
// recorded tabulation, a certification with two signers, publish, verify, and rebuilds from the
// published folder onto SQLite and onto a second PostgreSQL database, each equal to the
// original entry for entry and row for row.
func TestPostgresStory(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "ws")
	url := pgtest.URL(t)
	w, err := Init(ctx, dir, "clerk", InitOptions{Origin: "elections.wi.gov/2020-general", DB: url})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The folder names the database in a file only its owner reads, and has no SQLite file.
	fi, err := os.Stat(filepath.Join(dir, DBFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v, want mode 0600", DBFile, fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, DBName)); err == nil {
		t.Errorf("a workspace on PostgreSQL made %s", DBName)
	}

	if _, err := w.ImportResults(ctx, wecCSV, ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	src := sfExport(t)
	if _, err := w.ImportCVR(ctx, src, ImportOptions{Jurisdiction: "San Francisco"}); err != nil {
		t.Fatal(err)
	}
	rep, err := w.ImportCVR(ctx, src, ImportOptions{Jurisdiction: "San Francisco", Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	// The export holds 123 ballots (TestImportDominionAndTabulate); the replacement deleted
	// the first import's copies, or the unique ids would have refused it.
	if rep.File.Records != 123 || rep.Replaced == 0 {
		t.Errorf("replacement: %d ballots, replaced file %d", rep.File.Records, rep.Replaced)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{Contest: "President and Vice President"})
	if err != nil {
		t.Fatal(err)
	}
	if v := choiceVotes(t, res, "President and Vice President"); v["JOSEPH R. BIDEN AND KAMALA D. HARRIS"] != 30 || v["DONALD J. TRUMP AND MICHAEL R. PENCE"] != 7 {
		t.Errorf("San Francisco president %v; want Biden 30, Trump 7", v)
	}
	tab, err := w.RecordTabulation(ctx, "President", "", canvass.LevelCounty)
	if err != nil {
		t.Fatal(err)
	}
	// The WEC's certified statewide totals after the recount: Biden 1,630,866, Trump 1,610,184.
	var c tabulate.ContestResult
	if err := json.Unmarshal(tab.Full, &c); err != nil {
		t.Fatal(err)
	}
	votes := map[string]int64{}
	for _, ch := range c.Choices {
		votes[ch.Name] = ch.Votes
	}
	if votes["Joseph R. Biden / Kamala D. Harris"] != 1630866 || votes["Donald J. Trump / Michael R. Pence"] != 1610184 || len(c.Units) != 72 {
		t.Fatalf("recorded tabulation: %v, %d counties", votes, len(c.Units))
	}
	pub := filepath.Join(root, "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	dane := newKey(t, root, "Dane County Board of Canvassers")
	milw := newKey(t, root, "Milwaukee County Board of Canvassers")
	cert, err := w.Certify(ctx, CertifyOptions{Contest: "President", Source: "results", Signers: []*Signer{dane, milw}})
	if err != nil {
		t.Fatal(err)
	}
	if cert.Body.Winners[0] != "Joseph R. Biden / Kamala D. Harris" {
		t.Errorf("certified winners %v", cert.Body.Winners)
	}
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}

	info, err := w.LogInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(len(ledgerEntries(t, w)))
	vrep := verifyDir(t, pub, VerifyOptions{Key: info.LogKey})
	if !vrep.OK() || vrep.Entries != n || vrep.Files != 3 || vrep.Certifications != 1 {
		t.Fatalf("verify: %+v", vrep)
	}
	orig := storeDump(t, w)
	// The comparisons below are only as good as the dump: it must list the 123 ballots of
	// the replacement and the results.
	if nb, nr := strings.Count(orig, "\nballot San Francisco "), strings.Count(orig, "\nresult "); nb != 123 || nr == 0 {
		t.Errorf("the dump lists %d ballots and %d result rows", nb, nr)
	}

	// Rebuilt on SQLite (the default), then on PostgreSQL (VerifyOptions.DB, an empty
	// database).
	onSQLite := filepath.Join(root, "rebuilt-sqlite")
	onPostgres := filepath.Join(root, "rebuilt-postgres")
	for _, into := range []string{onSQLite, onPostgres} {
		opts := VerifyOptions{Key: info.LogKey}
		if into == onPostgres {
			opts.DB = pgtest.URL(t)
		}
		if rrep, err := Rebuild(ctx, ledger.Dir(pub), into, opts); err != nil {
			t.Fatalf("rebuild in %s: %v %+v", into, err, rrep)
		}
		w2, err := Open(ctx, into, "observer")
		if err != nil {
			t.Fatal(err)
		}
		if got := storeDump(t, w2); got != orig {
			t.Errorf("the rebuild in %s differs from the original on PostgreSQL:\n%s", filepath.Base(into), firstDiff(orig, got))
		}
		w2.Close()
	}
	if _, err := os.Stat(filepath.Join(onSQLite, DBName)); err != nil {
		t.Errorf("the SQLite rebuild: %v", err)
	}

	// A closed workspace opens again from its folder.
	w.Close()
	w3, err := Open(ctx, dir, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	if got := storeDump(t, w3); got != orig {
		t.Errorf("reopened workspace differs:\n%s", firstDiff(orig, got))
	}
	w3.Close()
}

// TestPostgresInitRefused: Init refuses a database that already holds a workspace, and one it
// cannot reach, without showing the password and without leaving files behind.
func TestPostgresInitRefused(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	first := filepath.Join(t.TempDir(), "first")
	w, err := Init(ctx, first, "clerk", InitOptions{DB: url})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	const pw = "Sup3r-secret"
	for _, c := range []struct{ db, want string }{
		{url, "already holds a workspace"},
		{"postgres://clerk:" + pw + "@127.0.0.1:1/canvass?connect_timeout=5", "xxxxx"}, // nothing listens on port 1
		{"host=db.example.gov password=" + pw, "PostgreSQL URL"},
	} {
		dir := filepath.Join(t.TempDir(), "ws")
		_, err := Init(ctx, dir, "clerk", InitOptions{DB: c.db})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), pw) {
			t.Errorf("Init: %v, want an error saying %q without the password", err, c.want)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 0 {
			t.Errorf("a refused Init left %v", ents)
		}
	}
	// The refused Inits changed nothing in the first workspace's database: it holds its init
	// entry alone.
	w, err = Open(ctx, first, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if es := ledgerEntries(t, w); len(es) != 1 || es[0].Type != ledger.TypeInit {
		t.Errorf("the first workspace's ledger: %d entries", len(es))
	}
}
