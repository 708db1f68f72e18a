package workspace

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/tabulate"
)

const wecCSV = "../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"

// newKey makes a board member's key in dir.
func newKey(t *testing.T, dir, name string) *Signer {
	t.Helper()
	skey, vkey, err := GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".key")
	if err := WriteKeyPair(path, skey, vkey); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", fi.Mode().Perm())
	}
	s, err := LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// story is the Wisconsin story: import the WEC ward report, tabulate, certify with two
// signers, amend, publish. It returns the workspace and the published folder.
type story struct {
	w            *Workspace
	pub          string
	dane, milw   *Signer
	cert, amend  *Certification
	earlyCheckpt []byte // the checkpoint published after the first tabulation
}

func wisconsinStory(t *testing.T, withAudit bool) *story {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	w, err := Init(ctx, filepath.Join(root, "ws"), "clerk", InitOptions{Origin: "elections.wi.gov/2020-general"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	s := &story{w: w, pub: filepath.Join(root, "pub")}
	if _, err := w.ImportResults(ctx, wecCSV, ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
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
	if _, err := w.Publish(ctx, s.pub, nil); err != nil {
		t.Fatal(err)
	}
	if s.earlyCheckpt, err = os.ReadFile(filepath.Join(s.pub, "checkpoint")); err != nil {
		t.Fatal(err)
	}
	s.dane = newKey(t, root, "Dane County Board of Canvassers")
	s.milw = newKey(t, root, "Milwaukee County Board of Canvassers")
	if withAudit {
		// A batch-comparison audit of the wards (see TestAuditBatchMACRO); certification waits
		// for it.
		v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.BatchKind, Method: "macro", RiskLimit: 0.05, Seed: seed20}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{s.dane}}); err == nil || !strings.Contains(err.Error(), "audit") {
			t.Errorf("certified during an audit: %v", err)
		}
		draws, _, _ := w.AuditSample(ctx, v.ID)
		var recs []audit.Record
		seen := map[string]bool{}
		for _, d := range draws {
			if !seen[d.Card.Batch] {
				seen[d.Card.Batch] = true
				recs = append(recs, audit.Record{Card: d.Card, Found: true, Tally: d.Reported, Board: "Board 1"})
			}
		}
		if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
			t.Fatal(err)
		}
		if v, err = w.AuditEndRound(ctx, v.ID); err != nil || v.Status != string(audit.Confirmed) {
			t.Fatalf("audit: %+v %v", v, err)
		}
	}
	s.cert, err = w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{s.dane, s.milw}})
	if err != nil {
		t.Fatal(err)
	}
	if s.cert.Body.Winners[0] != "Joseph R. Biden / Kamala D. Harris" || len(s.cert.Body.Signers) != 2 {
		t.Errorf("certification %+v", s.cert.Body)
	}
	// Certifying again is refused: a certification is amended, never rewritten.
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{s.dane}}); err == nil || !strings.Contains(err.Error(), "already certified") {
		t.Errorf("second certification: %v", err)
	}
	a := s.cert.Seq
	s.amend, err = w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{s.dane, s.milw}, Amends: &a, Reason: "the boards certify after the recount of Milwaukee and Dane counties"})
	if err != nil {
		t.Fatal(err)
	}
	if s.amend.Type != ledger.TypeAmendment || *s.amend.Body.Amends != s.cert.Seq {
		t.Errorf("amendment %+v", s.amend)
	}
	if _, err := w.Publish(ctx, s.pub, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func verifyDir(t *testing.T, dir string, opts VerifyOptions) *VerifyReport {
	t.Helper()
	rep, err := Verify(context.Background(), ledger.Dir(dir), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestLedgerStory: the whole story, verified from the folder and over HTTP, rebuilt, and
// compared with the original database row by row.
func TestLedgerStory(t *testing.T) {
	s := wisconsinStory(t, true)
	ctx := context.Background()
	info, _ := s.w.LogInfo(ctx)
	types := []string{}
	for _, e := range ledgerEntries(t, s.w) {
		if e.Type != TypeAuditRecord || types[len(types)-1] != TypeAuditRecord {
			types = append(types, e.Type)
		}
	}
	// The certification re-used no tabulation: the recorded one was by county, a
	// certification's is by precinct, so certify recorded its own. The audit's records are
	// shown once.
	if got := strings.Join(types, ","); got != "workspace.init,import.results,tabulation,audit.start,audit.round,audit.record,audit.risk,tabulation,certification,amendment" {
		t.Errorf("ledger: %s", got)
	}
	if s.cert.Body.Tabulation != s.cert.Seq-1 || s.amend.Body.Tabulation != s.cert.Seq-1 {
		t.Errorf("certified tabulations %d, %d; want entry %d both times", s.cert.Body.Tabulation, s.amend.Body.Tabulation, s.cert.Seq-1)
	}
	n := uint64(len(ledgerEntries(t, s.w)))

	rep := verifyDir(t, s.pub, VerifyOptions{Key: info.LogKey, Since: s.earlyCheckpt})
	if !rep.OK() || !rep.KeyPinned || rep.Entries != n || rep.Tabulations != 2 || rep.Certifications != 2 || rep.Files != 1 {
		t.Fatalf("verify folder: %+v", rep)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(s.pub)))
	defer srv.Close()
	hf, err := ledger.NewHTTP(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	hrep, err := Verify(ctx, hf, VerifyOptions{Key: info.LogKey})
	if err != nil || !hrep.OK() || hrep.Entries != n {
		t.Fatalf("verify over HTTP: %+v %v", hrep, err)
	}

	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	rrep, err := Rebuild(ctx, hf, rebuilt, VerifyOptions{Key: info.LogKey})
	if err != nil {
		t.Fatalf("rebuild: %v %+v", err, rrep)
	}
	if a, b := dump(t, s.w), dumpDir(t, rebuilt); a != b {
		t.Errorf("the rebuilt database differs from the original:\n%s", firstDiff(a, b))
	}
	// A rebuilt workspace can be read (and verified again) but holds no signing key.
	w2, err := Open(ctx, rebuilt, "observer")
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if _, err := w2.Publish(ctx, t.TempDir(), nil); err == nil {
		t.Error("a rebuilt workspace published without the log key")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "original: " + clip(al[i]) + "\nrebuilt:  " + clip(bl[i])
		}
	}
	return "one is a prefix of the other"
}

// tampered copies the published folder, changes it with fn, and verifies the copy.
func tampered(t *testing.T, s *story, fn func(dir string)) *VerifyReport {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pub")
	if err := os.CopyFS(dir, os.DirFS(s.pub)); err != nil {
		t.Fatal(err)
	}
	fn(dir)
	info, _ := s.w.LogInfo(context.Background())
	return verifyDir(t, dir, VerifyOptions{Key: info.LogKey})
}

func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rebundle rewrites the entry bundle with fn applied to its entries.
func rebundle(t *testing.T, dir string, fn func([][]byte) [][]byte) {
	t.Helper()
	p := filepath.Join(dir, "tile/entries/000.p/6")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	es, err := ledger.SplitBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, e := range fn(es) {
		out, _ = ledger.AppendBundle(out, e)
	}
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDetectsTampering: every change to the published record is caught and named.
func TestVerifyDetectsTampering(t *testing.T) {
	s := wisconsinStory(t, false)
	other := newKey(t, t.TempDir(), "Someone Else")
	wecSum, _, err := HashPath(wecCSV)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(dir string)
		where  string // a problem must be at this path
		what   string // and say this
	}{
		{"tile byte", func(d string) { flipByte(t, filepath.Join(d, "tile/0/000.p/6"), 40) }, "tile/0/000.p/6", "hash 1 is"},
		{"entry byte", func(d string) { flipByte(t, filepath.Join(d, "tile/entries/000.p/6"), 30) }, "tile/entries/000.p/6", "entry 0 hashes to"},
		{"results file byte", func(d string) { flipByte(t, filepath.Join(d, "results/3.json"), 100) }, "results/3.json", "SHA-256"},
		{"imported file byte", func(d string) { flipByte(t, filepath.Join(d, "files", wecSum), 5000) }, "entry 1", "SHA-256"},
		{"checkpoint root", func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "checkpoint"))
			lines := strings.SplitN(string(b), "\n", 4)
			lines[2] = ledger.EmptyRoot().Base64()
			os.WriteFile(filepath.Join(d, "checkpoint"), []byte(strings.Join(lines, "\n")), 0o644)
		}, "checkpoint", "invalid signature"},
		{"checkpoint signature", func(d string) { flipByte(t, filepath.Join(d, "checkpoint"), -10) }, "checkpoint", "signature"},
		{"dropped entry", func(d string) {
			rebundle(t, d, func(es [][]byte) [][]byte { return append(es[:2:2], es[3:]...) })
		}, "tile/entries/000.p/6", "holds 5 entries"},
		{"reordered entries", func(d string) {
			rebundle(t, d, func(es [][]byte) [][]byte { es[4], es[5] = es[5], es[4]; return es })
		}, "entry 4", "says it is entry 5"},
		{"swapped signer key", func(d string) {
			os.WriteFile(filepath.Join(d, "keys/Dane_County_Board_of_Canvassers.pub"), []byte(other.VerifierKey+"\n"), 0o644)
		}, "keys/Dane_County_Board_of_Canvassers.pub", "not the key"},
		{"swapped log key", func(d string) {
			os.WriteFile(filepath.Join(d, "keys/log.pub"), []byte(other.VerifierKey+"\n"), 0o644)
		}, "keys/log.pub", "not the log key"},
		{"checkpoint re-signed by another key", func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "checkpoint"))
			text, _ := ledger.CheckpointText(b)
			cp, _ := ledger.ParseCheckpoint(text)
			msg, _ := cp.Sign(other)
			os.WriteFile(filepath.Join(d, "checkpoint"), msg, 0o644)
		}, "checkpoint", "no valid signature by elections.wi.gov/2020-general"},
		{"extra file", func(d string) {
			os.WriteFile(filepath.Join(d, "results/99.json"), []byte("{}"), 0o644)
		}, "results/99.json", "no entry of the log names it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep := tampered(t, s, c.change)
			if rep.OK() {
				t.Fatalf("not detected")
			}
			for _, p := range rep.Problems {
				if strings.HasPrefix(p.Where, c.where) && strings.Contains(p.What, c.what) {
					return
				}
			}
			t.Errorf("no problem at %s saying %q; got:\n%s", c.where, c.what, problems(rep))
		})
	}
	// A certification whose signature is by a key other than the one it names.
	t.Run("forged certification", func(t *testing.T) {
		t.Parallel()
		rep := tampered(t, s, func(d string) {
			rebundle(t, d, func(es [][]byte) [][]byte {
				e, _ := ledger.Decode(es[4])
				var b ledger.CertificationBody
				e.DecodeBody(&b)
				b.Signers[0].Key = other.VerifierKey
				e.Body, _ = ledger.Canonical(b)
				es[4], _ = e.Encode()
				return es
			})
		})
		for _, p := range rep.Problems {
			if strings.HasPrefix(p.Where, "entry 4") && strings.Contains(p.What, "signed statement") {
				return
			}
		}
		t.Errorf("forged signer not reported:\n%s", problems(rep))
	})
}

func problems(rep *VerifyReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// TestConsistencyRewrittenLog: a log that was rewritten rather than extended fails against an
// older checkpoint, even when it is signed with the same key; one that was extended passes.
func TestConsistencyRewrittenLog(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	w, err := Init(ctx, filepath.Join(root, "ws"), "clerk", InitOptions{Origin: "example.org/rewrite"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Fork the workspace right after init: the fork shares the log key and entry 0.
	w.Close()
	if err := os.CopyFS(filepath.Join(root, "fork"), os.DirFS(filepath.Join(root, "ws"))); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(root, "fork", LogKeyFile), 0o600)
	if w, err = Open(ctx, filepath.Join(root, "ws"), "clerk"); err != nil {
		t.Fatal(err)
	}
	fork, err := Open(ctx, filepath.Join(root, "fork"), "someone else")
	if err != nil {
		t.Fatal(err)
	}
	defer fork.Close()
	ropts := ImportOptions{Results: results.Options{Format: "wec"}}
	if _, err := w.ImportResults(ctx, wecCSV, ropts); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(root, "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(pub, "checkpoint"))
	// The original extended: consistent.
	if _, err := w.RecordTabulation(ctx, "President", "", canvass.LevelState); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	if rep := verifyDir(t, pub, VerifyOptions{Key: info.LogKey, Since: old}); !rep.OK() {
		t.Errorf("an extended log failed:\n%s", problems(rep))
	}
	// The fork: entry 1 differs (another actor imported), then it grows past the old size.
	if _, err := fork.ImportResults(ctx, wecCSV, ropts); err != nil {
		t.Fatal(err)
	}
	if _, err := fork.RecordTabulation(ctx, "President", "", canvass.LevelState); err != nil {
		t.Fatal(err)
	}
	fpub := filepath.Join(root, "forkpub")
	if _, err := fork.Publish(ctx, fpub, nil); err != nil {
		t.Fatal(err)
	}
	rep := verifyDir(t, fpub, VerifyOptions{Key: info.LogKey, Since: old})
	found := false
	for _, p := range rep.Problems {
		found = found || (p.Where == "--since" && strings.Contains(p.What, "rewritten, not extended"))
	}
	if !found {
		t.Errorf("a rewritten log passed the consistency check:\n%s", problems(rep))
	}
	// Without --since, the fork is consistent with itself.
	if rep := verifyDir(t, fpub, VerifyOptions{Key: info.LogKey}); !rep.OK() {
		t.Errorf("the fork alone: %s", problems(rep))
	}
}

// TestCertifyBlockers: a tie refuses a certification unless the override is recorded.
func TestCertifyBlockers(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	// A hand-made results file in canvass's long CSV with a 2-2 tie.
	p := filepath.Join(t.TempDir(), "tie.csv")
	os.WriteFile(p, []byte("state,county,municipality,precinct,contest,district,choice,party,mode,stat,votes\n"+
		"WI,Dane,Town of Vermont,Ward 1,Town Board,,Ann,,,,2\n"+
		"WI,Dane,Town of Vermont,Ward 1,Town Board,,Bob,,,,2\n"), 0o644)
	if _, err := w.ImportResults(ctx, p, ImportOptions{Results: results.Options{Format: "canvass"}}); err != nil {
		t.Fatal(err)
	}
	k := newKey(t, t.TempDir(), "Vermont Board")
	before := len(ledgerEntries(t, w))
	_, err := w.Certify(ctx, CertifyOptions{Contest: "Town Board", Signers: []*Signer{k}})
	if err == nil || !strings.Contains(err.Error(), "tie:") {
		t.Fatalf("a tie was certified: %v", err)
	}
	if after := len(ledgerEntries(t, w)); after != before {
		t.Errorf("a refused certification left %d entries", after-before)
	}
	c, err := w.Certify(ctx, CertifyOptions{Contest: "Town Board", Signers: []*Signer{k}, Overrides: map[string]string{"tie": "Ann won the drawing of lots on 2020-11-10, minutes attached"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Body.Overrides) != 1 || c.Body.Overrides[0].Rule != "tie" || !strings.Contains(c.Body.Note, "override tie Ann won") {
		t.Errorf("override not on the record: %+v", c.Body)
	}
}

// TestLedgerCVRFolder: a Dominion export folder (kept as its manifest and files), its
// election definition entry and a tabulation from ballots survive publication: the folder is
// rebuilt from files/ by hash, and the rebuilt database is the original's.
func TestLedgerCVRFolder(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportCVR(ctx, sfExport(t), ImportOptions{Jurisdiction: "San Francisco"}); err != nil {
		t.Fatal(err)
	}
	tab, err := w.RecordTabulation(ctx, "President and Vice President", "", canvass.LevelPrecinct)
	if err != nil {
		t.Fatal(err)
	}
	// The sample's 30 votes for Biden and Harris and 7 for Trump and Pence (as in TestWayneAndGeorgia's
	// neighbour, TestImportCVRFolder).
	if !strings.Contains(string(tab.Body.Result), `"name":"JOSEPH R. BIDEN AND KAMALA D. HARRIS","votes":30`) {
		t.Errorf("tabulation %s", tab.Body.Result)
	}
	es := ledgerEntries(t, w)
	if es[1].Type != ledger.TypeImportCVR || es[2].Type != ledger.TypeElection {
		t.Fatalf("entries %s, %s", es[1].Type, es[2].Type)
	}
	var imp ledger.ImportBody
	es[1].DecodeBody(&imp)
	if !imp.File.Folder || imp.Jurisdiction != "San Francisco" || imp.Records != 123 {
		t.Errorf("import entry %+v", imp)
	}
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	info, _ := w.LogInfo(ctx)
	if rep, err := Rebuild(ctx, ledger.Dir(pub), rebuilt, VerifyOptions{Key: info.LogKey}); err != nil {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	if a, b := dump(t, w), dumpDir(t, rebuilt); a != b {
		t.Errorf("the rebuilt database differs:\n%s", firstDiff(a, b))
	}
}
