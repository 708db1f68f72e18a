package workspace

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Key is the log's verifier key (or a file holding it), from a source the verifier trusts.
	// Without it the key named by the log's first entry is used, which proves only that the
	// log is consistent with itself.
	Key string
	// Since is an older signed checkpoint of the same log: the published log must extend it.
	Since []byte
	// Into is the folder to rebuild the workspace in; "" rebuilds in a temporary folder that
	// is removed.
	Into string
	// DB is the database to rebuild into, as InitOptions.DB ("" for the embedded SQLite file).
	DB string
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Source         string
	Checkpoint     ledger.Checkpoint
	KeyPinned      bool
	Entries        uint64
	Files          int
	Tabulations    int
	Certifications int
	Problems       []ledger.Problem
}

// OK reports whether nothing was found wrong.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

func (r *VerifyReport) add(where, format string, args ...any) {
	r.Problems = append(r.Problems, ledger.Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

// maxCheckpoint bounds a checkpoint's size.
const maxCheckpoint = 1 << 16

// Verify checks a published log from nothing but its files (a folder or a URL): the
// checkpoint's signature by the log key; every tile recomputed from the entries and the root
// against the checkpoint; that it extends the older checkpoint given and every checkpoint it
// publishes; that every entry is canonical and in its place; and then it rebuilds the
// workspace by replaying every entry (re-importing each published file, checked against its
// hash, re-tabulating, re-checking every certification's signatures) and compares each entry
// it produces with the published one, byte for byte, and each published result with the
// recomputed one. Every failure is reported; err is for a failure to run at all.
func Verify(ctx context.Context, f ledger.Fetcher, opts VerifyOptions) (*VerifyReport, error) {
	rep := &VerifyReport{Source: f.Where()}
	msg, err := ledger.Fetch(ctx, f, ledger.CheckpointPath, maxCheckpoint)
	if err != nil {
		rep.add(ledger.CheckpointPath, "%v", err)
		return rep, nil
	}
	text, err := ledger.CheckpointText(msg)
	var cp ledger.Checkpoint
	if err == nil {
		cp, err = ledger.ParseCheckpoint(text)
	}
	if err != nil {
		rep.add(ledger.CheckpointPath, "%v", err)
		return rep, nil
	}
	rep.Checkpoint = cp
	var entries [][]byte
	rows, probs, err := ledger.VerifyTiles(ctx, f, cp, func(_ uint64, data []byte) error {
		entries = append(entries, data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Problems = append(rep.Problems, probs...)
	rep.Entries = uint64(len(entries))

	// Decode every entry: canonical, this version, in its place.
	decoded := make([]*ledger.Entry, len(entries))
	for i, data := range entries {
		e, err := ledger.Decode(data)
		if err != nil {
			rep.add(entryWhere(uint64(i)), "%v", err)
			continue
		}
		if e.Seq != uint64(i) {
			rep.add(entryWhere(uint64(i)), "says it is entry %d: entries were moved", e.Seq)
			continue
		}
		decoded[i] = e
	}

	// The log key: pinned by the caller, or named by entry 0.
	var init ledger.InitBody
	if len(decoded) > 0 && decoded[0] != nil {
		if decoded[0].Type != ledger.TypeInit || decoded[0].DecodeBody(&init) != nil {
			rep.add(entryWhere(0), "is not a %s entry", ledger.TypeInit)
		}
	}
	vkey := init.LogKey
	if opts.Key != "" {
		_, k, err := ReadVerifierKey(opts.Key)
		if err != nil {
			return nil, err
		}
		if init.LogKey != "" && k != init.LogKey {
			rep.add(entryWhere(0), "names the log key %s, not the key given, %s", init.LogKey, k)
		}
		vkey, rep.KeyPinned = k, true
	}
	var v note.Verifier
	signed := false
	if vkey == "" {
		rep.add(ledger.CheckpointPath, "no log key to check the signature with (give --key)")
	} else if v, err = note.NewVerifier(vkey); err != nil {
		rep.add(entryWhere(0), "log key %q: %v", vkey, err)
	} else if _, err := ledger.OpenCheckpoint(msg, v); err != nil {
		rep.add(ledger.CheckpointPath, "%v", err)
	} else {
		signed = true
	}
	if init.Origin != "" && cp.Origin != init.Origin {
		rep.add(ledger.CheckpointPath, "origin %q is not the log's origin %q (entry 0)", cp.Origin, init.Origin)
	}
	if pub, err := ledger.Fetch(ctx, f, PubKeys+"/log.pub", 4096); err == nil && init.LogKey != "" && strings.TrimSpace(string(pub)) != init.LogKey {
		rep.add(PubKeys+"/log.pub", "is %s, not the log key %s that entry 0 names", strings.TrimSpace(string(pub)), init.LogKey)
	}

	// Consistency with older checkpoints (the one given, and those the log publishes), once
	// the current checkpoint is known to be the log's.
	if signed {
		if opts.Since != nil {
			checkConsistency(rep, "--since", opts.Since, v, cp, rows)
		}
		if index, err := ledger.Fetch(ctx, f, PubCheckpoints+"/index", 1<<20); err == nil {
			for _, line := range strings.Fields(string(index)) {
				p := PubCheckpoints + "/" + line
				old, err := ledger.Fetch(ctx, f, p, maxCheckpoint)
				if err != nil {
					rep.add(p, "%v", err)
					continue
				}
				checkConsistency(rep, p, old, v, cp, rows)
			}
		}
	}

	// Replay.
	into := opts.Into
	if into == "" {
		tmp, err := os.MkdirTemp("", "canvass-verify-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		into = filepath.Join(tmp, "workspace")
	}
	rp := &replayer{ctx: ctx, f: f, dir: into, entries: entries, decoded: decoded, rep: rep, db: opts.DB}
	if err := rp.run(); err != nil {
		return nil, err
	}
	if rp.w != nil {
		defer rp.w.Close()
	}
	if d, ok := f.(ledger.Dir); ok && rp.completed {
		unreferenced(rep, string(d), rp)
	}
	return rep, nil
}

func entryWhere(seq uint64) string {
	return fmt.Sprintf("entry %d (%s)", seq, ledger.EntriesPath(seq/ledger.TileWidth, ledger.TileWidth))
}

func checkConsistency(rep *VerifyReport, where string, msg []byte, v note.Verifier, cp ledger.Checkpoint, rows ledger.TileRows) {
	old, err := ledger.OpenCheckpoint(msg, v)
	if err != nil {
		rep.add(where, "%v", err)
		return
	}
	if old.Origin != cp.Origin {
		rep.add(where, "is a checkpoint of %q, not of %q", old.Origin, cp.Origin)
		return
	}
	if old.Size > cp.Size {
		rep.add(where, "has %d entries, more than the %d published: the log was cut short", old.Size, cp.Size)
		return
	}
	p, err := ledger.ConsistencyProof(rows, old.Size, cp.Size)
	if err == nil {
		err = ledger.VerifyConsistency(old.Size, cp.Size, p, old.Root, cp.Root)
	}
	if err != nil {
		rep.add(where, "the published log of %d entries does not extend this checkpoint of %d entries (root %s): it was rewritten, not extended", cp.Size, old.Size, old.Root)
	}
}

// replayer rebuilds a workspace from published entries.
type replayer struct {
	ctx     context.Context
	f       ledger.Fetcher
	dir     string
	entries [][]byte
	decoded []*ledger.Entry
	rep     *VerifyReport
	w       *Workspace
	origin  string
	db      string
	// referenced published paths (for the unreferenced-file check)
	files   map[string]bool
	results map[string]bool
	// completed is set when every entry was replayed.
	completed bool
}

func (r *replayer) run() error {
	r.files, r.results = map[string]bool{}, map[string]bool{}
	for pos := uint64(0); pos < uint64(len(r.entries)); {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		e := r.decoded[pos]
		if e == nil {
			r.rep.add(entryWhere(pos), "cannot be replayed; the rebuild stops here")
			return nil
		}
		at, _ := time.Parse(ledger.TimeFormat, e.Time)
		if r.w != nil {
			r.w.Actor, r.w.Now = e.Actor, func() time.Time { return at }
		}
		var err error
		if e.Type == TypeAuditRecord {
			err = r.replayRecords(pos) // one transaction's records at once
		} else {
			err = r.op(pos, e, at)
		}
		if err != nil {
			r.rep.add(entryWhere(pos), "replaying this %s entry failed: %v; the rebuild stops here", e.Type, err)
			return nil
		}
		var size uint64
		err = r.w.Store.View(r.ctx, func(tx store.Tx) error {
			t, err := tx.Tree()
			if err != nil {
				return err
			}
			size = t.Size()
			return tx.Entries(pos, size, func(seq uint64, data []byte) error {
				if seq >= uint64(len(r.entries)) {
					r.rep.add(entryWhere(pos), "replaying it makes entry %d, which the published log lacks", seq)
					return nil
				}
				if !bytes.Equal(data, r.entries[seq]) {
					r.rep.add(entryWhere(seq), "is not what replaying the log gives: %s", diffEntries(r.entries[seq], data))
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		if size <= pos {
			r.rep.add(entryWhere(pos), "replaying it appended nothing; the rebuild stops here")
			return nil
		}
		if len(r.rep.Problems) > 0 && r.diverged(pos, size) {
			r.rep.add(entryWhere(pos), "the rebuilt log differs from here; the rebuild stops")
			return nil
		}
		pos = size
	}
	r.completed = true
	return nil
}

// diverged reports whether the rebuilt entries [from, to) differ from the published ones.
func (r *replayer) diverged(from, to uint64) bool {
	var differ bool
	r.w.Store.View(r.ctx, func(tx store.Tx) error {
		return tx.Entries(from, to, func(seq uint64, data []byte) error {
			differ = differ || seq >= uint64(len(r.entries)) || !bytes.Equal(data, r.entries[seq])
			return nil
		})
	})
	return differ
}

// fetch rebuilds a published file (or folder) under its recorded base name in a temporary
// folder, checking every hash; cleanup removes it. what names the file in errors.
func (r *replayer) fetch(what string, ref ledger.FileRef) (path string, cleanup func(), err error) {
	if strings.ContainsAny(ref.Name, `/\`) || ref.Name == "." || ref.Name == ".." || ref.Name == "" {
		return "", nil, fmt.Errorf("%s name %q is not a base name", what, ref.Name)
	}
	tmp, err := os.MkdirTemp("", "canvass-replay-*")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	path, err = materialize(r.open, ref, tmp)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

func (r *replayer) open(sum string) (io.ReadCloser, error) {
	if !isSHA256(sum) {
		return nil, fmt.Errorf("%q is not a SHA-256", sum)
	}
	r.files[sum] = true
	return r.f.Open(r.ctx, PubFiles+"/"+sum)
}

func (r *replayer) op(pos uint64, e *ledger.Entry, at time.Time) error {
	if pos == 0 {
		var body ledger.InitBody
		if e.Type != ledger.TypeInit {
			return fmt.Errorf("the first entry must be %s", ledger.TypeInit)
		}
		if err := e.DecodeBody(&body); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(r.dir, DBName)); err == nil {
			return fmt.Errorf("%s already holds a workspace", r.dir)
		}
		if err := os.MkdirAll(r.dir, 0o755); err != nil {
			return err
		}
		if r.db != "" {
			if err := writeDBFile(r.dir, r.db); err != nil {
				return err
			}
		}
		w, err := create(r.ctx, r.dir, e.Actor, func() time.Time { return at }, body)
		if err != nil {
			return err
		}
		r.w, r.origin = w, body.Origin
		return os.WriteFile(filepath.Join(r.dir, LogPubFile), []byte(body.LogKey+"\n"), 0o644)
	}
	switch e.Type {
	case ledger.TypeImportCVR, ledger.TypeImportResults:
		var body ledger.ImportBody
		if err := e.DecodeBody(&body); err != nil {
			return err
		}
		path, cleanup, err := r.fetch("file", body.File)
		if err != nil {
			return err
		}
		defer cleanup()
		r.rep.Files++
		opts := ImportOptions{Format: body.Format, Jurisdiction: body.Jurisdiction, Replace: body.Replaces != nil}
		if len(body.Ranked) > 0 {
			opts.Ranked = &cvr.RankedOptions{}
			if err := json.Unmarshal(body.Ranked, opts.Ranked); err != nil {
				return fmt.Errorf("ranked: %w", err)
			}
		}
		if e.Type == ledger.TypeImportCVR {
			_, err = r.w.ImportCVR(r.ctx, path, opts)
			return err
		}
		opts.Results = resultsOptions(body.Format, body.Results)
		_, err = r.w.ImportResults(r.ctx, path, opts)
		return err
	case ledger.TypeTabulation:
		var body ledger.TabulationBody
		if err := e.DecodeBody(&body); err != nil {
			return err
		}
		level, err := ParseLevel(body.Level)
		if err != nil {
			return err
		}
		t, err := r.w.RecordTabulation(r.ctx, body.Contest, body.Source, level)
		if err != nil {
			return err
		}
		r.rep.Tabulations++
		p := PubResults + "/" + strconv.FormatUint(pos, 10) + ".json"
		r.results[p] = true
		pub, err := ledger.Fetch(r.ctx, r.f, p, 1<<30)
		if err != nil {
			r.rep.add(p, "%v", err)
			return nil
		}
		if h := sha256.Sum256(pub); hex.EncodeToString(h[:]) != body.FullSHA256 {
			r.rep.add(p, "has SHA-256 %x; tabulation entry %d says %s", h, pos, body.FullSHA256)
		} else if !bytes.Equal(pub, t.Full) {
			r.rep.add(p, "is not the result of re-tabulating the published files")
		}
		return nil
	case ledger.TypeCertification, ledger.TypeAmendment:
		var body ledger.CertificationBody
		if err := e.DecodeBody(&body); err != nil {
			return err
		}
		if body.Tabulation >= pos || r.decoded[body.Tabulation] == nil || r.decoded[body.Tabulation].Type != ledger.TypeTabulation {
			return fmt.Errorf("names entry %d as its tabulation, which is not an earlier tabulation entry", body.Tabulation)
		}
		var tab ledger.TabulationBody
		if err := r.decoded[body.Tabulation].DecodeBody(&tab); err != nil {
			return err
		}
		level, err := ParseLevel(tab.Level)
		if err != nil {
			return err
		}
		opts := CertifyOptions{Contest: body.Contest, Source: tab.Source, Level: level, Amends: body.Amends, Reason: body.Reason}
		if len(body.Overrides) > 0 {
			opts.Overrides = map[string]string{}
			for _, o := range body.Overrides {
				opts.Overrides[o.Rule] = o.Reason
			}
		}
		r.rep.Certifications++
		for _, s := range body.Signers {
			name, _, _ := strings.Cut(s.Key, "+")
			p := PubKeys + "/" + name + ".pub"
			if pub, err := ledger.Fetch(r.ctx, r.f, p, 4096); err == nil && strings.TrimSpace(string(pub)) != s.Key {
				r.rep.add(p, "is %s, not the key %s that signed entry %d", strings.TrimSpace(string(pub)), s.Key, pos)
			}
		}
		return r.w.Store.Update(r.ctx, func(tx store.Tx) error {
			_, err := r.w.certify(tx, at, r.origin, opts, body.Signers, func(text string, out *ledger.CertificationBody) error {
				if err := checkNote(text, &body); err != nil {
					return err
				}
				out.Note = body.Note
				return nil
			})
			return err
		})
	case ledger.TypeElection:
		return errors.New("an election entry must follow the import that defined it")
	case TypeAuditStart, TypeAuditRound, TypeAuditRecord, TypeAuditRisk, TypeAuditEscalate, TypeAuditHandCount:
		return r.replayAudit(e)
	case TypeRecountStart, TypeRecountEntry, TypeRecountFinish:
		return r.replayRecount(e)
	case TypeAccountCreate, TypeAccountUpdate, TypeSignIn, TypeSignOut, TypeAuditConfirm:
		return r.replayAccount(e)
	case TypeImportRegistration:
		return r.replayRegistration(e)
	case TypeReconcile:
		return r.replayReconcile(e)
	}
	return fmt.Errorf("unknown entry type %q", e.Type)
}

// diffEntries names the first field in which two encoded entries differ.
func diffEntries(published, rebuilt []byte) string {
	var a, b map[string]any
	if json.Unmarshal(published, &a) != nil || json.Unmarshal(rebuilt, &b) != nil {
		return "the bytes differ"
	}
	if d := diffValue("", a, b); d != "" {
		return d
	}
	return "the bytes differ"
}

func diffValue(path string, a, b any) string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if d := diffValue(p, am[k], bm[k]); d != "" {
				return d
			}
		}
		return ""
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	if bytes.Equal(x, y) {
		return ""
	}
	return fmt.Sprintf("%s is %s in the published entry, %s when rebuilt", path, clip(string(x)), clip(string(y)))
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// unreferenced reports published files and results that no entry names.
func unreferenced(rep *VerifyReport, dir string, r *replayer) {
	for _, sub := range []string{PubFiles, PubResults} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			continue
		}
		for _, d := range ents {
			name := d.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := sub + "/" + name
			if (sub == PubFiles && !r.files[name]) || (sub == PubResults && !r.results[p]) {
				rep.add(p, "is published but no entry of the log names it")
			}
		}
	}
}

// Rebuild reconstructs a workspace in dir from a published log alone, verifying it on the way
// (see Verify), and stores the checkpoints it publishes. It fails, leaving dir for
// inspection, if verification finds any problem.
func Rebuild(ctx context.Context, f ledger.Fetcher, dir string, opts VerifyOptions) (*VerifyReport, error) {
	opts.Into = dir
	rep, err := Verify(ctx, f, opts)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return rep, fmt.Errorf("%s: the published log did not verify (%d problems); the rebuild in %s is incomplete", f.Where(), len(rep.Problems), dir)
	}
	w, err := Open(ctx, dir, DefaultActor())
	if err != nil {
		return rep, err
	}
	defer w.Close()
	index, err := ledger.Fetch(ctx, f, PubCheckpoints+"/index", 1<<20)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return rep, err
	}
	for _, line := range strings.Fields(string(index)) {
		size, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			return rep, fmt.Errorf("%s/index: %q is not a size", PubCheckpoints, line)
		}
		msg, err := ledger.Fetch(ctx, f, PubCheckpoints+"/"+line, maxCheckpoint)
		if err != nil {
			return rep, err
		}
		if err := w.Store.AddCheckpoint(ctx, size, msg); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
