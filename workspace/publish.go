package workspace

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
)

// Paths of a published log beside the C2SP tlog-tiles files (checkpoint, tile/…).
const (
	PubFiles       = "files"       // files/<sha256>: every imported file, and folder manifests
	PubResults     = "results"     // results/<seq>.json: the full result of tabulation entry seq
	PubCheckpoints = "checkpoints" // checkpoints/<size>: every checkpoint signed; index lists them
	PubKeys        = "keys"        // keys/log.pub and keys/<signer key name>.pub
)

// PublishReport says what Publish wrote.
type PublishReport struct {
	Dir        string
	Checkpoint ledger.Checkpoint
	Tiles      int
	Bundles    int
	Files      int
	Results    int
}

// Publish signs a checkpoint of the ledger with the log key (signer, or the workspace's
// log.key when nil), stores it, and writes the whole record to dir as static files: the
// tlog-tiles layout (checkpoint, tile/<L>/…, tile/entries/…), every imported file by hash,
// the full result of every tabulation, every checkpoint signed so far, and the verifier keys.
// Any web server or bucket can serve dir; `canvass verify` needs nothing else. The
// checkpoint is written last, so that a reader never sees one whose tiles are missing.
func (w *Workspace) Publish(ctx context.Context, dir string, signer *Signer) (*PublishReport, error) {
	info, err := w.LogInfo(ctx)
	if err != nil {
		return nil, err
	}
	if signer == nil {
		if signer, err = LoadSigner(filepath.Join(w.Dir, LogKeyFile)); err != nil {
			return nil, fmt.Errorf("the log key: %w", err)
		}
	}
	if signer.VerifierKey != info.LogKey {
		return nil, fmt.Errorf("the key %s is not this log's key %s", signer.VerifierKey, info.LogKey)
	}
	var cp ledger.Checkpoint
	err = w.Store.View(ctx, func(tx store.Tx) error {
		tree, err := tx.Tree()
		if err != nil {
			return err
		}
		cp = ledger.Checkpoint{Origin: info.Origin, Size: tree.Size(), Root: tree.Root()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	msg, err := cp.Sign(signer)
	if err != nil {
		return nil, err
	}
	if err := w.Store.AddCheckpoint(ctx, cp.Size, msg); err != nil {
		return nil, err
	}
	rep := &PublishReport{Dir: dir, Checkpoint: cp}
	put := func(p string, data []byte) error { return writeAtomic(filepath.Join(dir, filepath.FromSlash(p)), data) }
	err = w.Store.View(ctx, func(tx store.Tx) error {
		err := ledger.Tiles(tx, cp.Size, func(t ledger.Tile) error {
			rep.Tiles++
			return put(t.Path, t.Data)
		})
		if err != nil {
			return err
		}
		var bundle []byte
		var n uint64
		err = tx.Entries(0, cp.Size, func(seq uint64, data []byte) error {
			if bundle, err = ledger.AppendBundle(bundle, data); err != nil {
				return err
			}
			if seq%ledger.TileWidth == ledger.TileWidth-1 || seq == cp.Size-1 {
				w := int(seq%ledger.TileWidth) + 1
				if err := put(ledger.EntriesPath(seq/ledger.TileWidth, w), bundle); err != nil {
					return err
				}
				rep.Bundles++
				bundle = bundle[:0]
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if n != cp.Size {
			return fmt.Errorf("the ledger holds %d entries, its tree %d", n, cp.Size)
		}
		files, err := tx.Files()
		if err != nil {
			return err
		}
		refs, err := entryFiles(tx)
		if err != nil {
			return err
		}
		for _, m := range refs {
			files = append(files, store.File{Name: m.Name, SHA256: m.SHA256})
		}
		for _, f := range files {
			k, err := w.publishFile(dir, f.SHA256)
			if err != nil {
				return fmt.Errorf("publishing %s: %w", f.Name, err)
			}
			rep.Files += k
		}
		var tabs []uint64
		if err := tx.EntriesOfType(ledger.TypeTabulation, func(seq uint64, _ []byte) error {
			tabs = append(tabs, seq)
			return nil
		}); err != nil {
			return err
		}
		for _, seq := range tabs {
			full, err := tx.Tabulation(seq)
			if err != nil {
				return err
			}
			if err := put(PubResults+"/"+strconv.FormatUint(seq, 10)+".json", full); err != nil {
				return err
			}
			rep.Results++
		}
		cps, err := tx.Checkpoints()
		if err != nil {
			return err
		}
		var index strings.Builder
		for _, c := range cps {
			fmt.Fprintf(&index, "%d\n", c.Size)
			if err := put(PubCheckpoints+"/"+strconv.FormatUint(c.Size, 10), c.Note); err != nil {
				return err
			}
		}
		if err := put(PubCheckpoints+"/index", []byte(index.String())); err != nil {
			return err
		}
		if err := put(PubKeys+"/log.pub", []byte(info.LogKey+"\n")); err != nil {
			return err
		}
		certs, err := certificationsTx(tx)
		if err != nil {
			return err
		}
		for _, c := range certs {
			for _, s := range c.Body.Signers {
				name, _, _ := strings.Cut(s.Key, "+")
				if err := put(PubKeys+"/"+name+".pub", []byte(s.Key+"\n")); err != nil {
					return err
				}
			}
		}
		return put("README.txt", []byte(fmt.Sprintf(publishedReadme, info.Origin, info.LogKey)))
	})
	if err != nil {
		return nil, err
	}
	return rep, put(ledger.CheckpointPath, msg)
}

const publishedReadme = `This folder is the published record of an election canvass kept by canvass.

Log:     %s
Log key: %s

checkpoint        the latest signed checkpoint (C2SP tlog-checkpoint, a signed note)
tile/             the Merkle tree's hash tiles and the entry bundles (C2SP tlog-tiles)
files/<sha256>    every imported file, named by its SHA-256 (a folder: its manifest)
results/<N>.json  the full result recorded by tabulation entry N
checkpoints/      every checkpoint signed so far, by tree size
keys/             the log's verifier key and the certifying boards' keys

To check it, with nothing but this folder (or its URL):

    canvass verify <this folder or its URL> --key '<log key above, from a source you trust>'

docs/LEDGER.md in the canvass repository states every format and step, so that anyone can
write an independent verifier.
`

// publishFile copies an imported file (and, for a folder, its files) to dir/files.
func (w *Workspace) publishFile(dir, sum string) (int, error) {
	dst := filepath.Join(dir, PubFiles, sum)
	if err := copyKept(w, sum, dst); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		return 0, err
	}
	lines, err := parseManifest(b)
	if err != nil || len(lines) == 0 {
		return 1, nil // a file, not a folder manifest
	}
	for _, l := range lines {
		if err := copyKept(w, l.SHA256, filepath.Join(dir, PubFiles, l.SHA256)); err != nil {
			return 0, err
		}
	}
	return 1 + len(lines), nil
}

// copyKept copies a kept file unless the destination already has a file of its size.
func copyKept(w *Workspace, sum, dst string) error {
	src, err := w.openKept(sum)
	if err != nil {
		return err
	}
	defer src.Close()
	if fi, err := os.Stat(dst); err == nil {
		if si, err := src.(*os.File).Stat(); err == nil && si.Size() == fi.Size() {
			return nil
		}
	}
	return replaceFile(dst, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

// writeAtomic writes a file through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	return replaceFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// filesOf lists the files that the entries of one type name, as refs gives them from a body.
func filesOf[B any](tx store.Tx, typ string, refs func(b *B) []*ledger.FileRef) ([]ledger.FileRef, error) {
	var out []ledger.FileRef
	err := entriesOf(tx, typ, func(e *ledger.Entry, _ []byte) error {
		var b B
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		for _, r := range refs(&b) {
			if r != nil {
				out = append(out, *r)
			}
		}
		return nil
	})
	return out, err
}

// entryFiles lists the files kept by entries other than imports, to publish: audits' ballot
// manifests and hand counts, recount files and unit lists, unit data files (replaced ones too:
// their entries are replayed) and reconciliation findings.
func entryFiles(tx store.Tx) ([]ledger.FileRef, error) {
	var out []ledger.FileRef
	for _, f := range []func() ([]ledger.FileRef, error){
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeAuditStart, func(b *auditStartBody) []*ledger.FileRef { return []*ledger.FileRef{b.Manifest} })
		},
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeAuditHandCount, func(b *auditHandCountBody) []*ledger.FileRef { return []*ledger.FileRef{&b.File} })
		},
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeRecountStart, func(b *RecountStartBody) []*ledger.FileRef { return []*ledger.FileRef{b.UnitsFile} })
		},
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeRecountEntry, func(b *RecountEntryBody) []*ledger.FileRef { return []*ledger.FileRef{b.File, b.UnitsFile} })
		},
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeImportRegistration, func(b *RegistrationBody) []*ledger.FileRef { return []*ledger.FileRef{&b.File} })
		},
		func() ([]ledger.FileRef, error) {
			return filesOf(tx, TypeReconcile, func(b *ReconcileBody) []*ledger.FileRef { return []*ledger.FileRef{b.FindingsFile} })
		},
	} {
		refs, err := f()
		if err != nil {
			return nil, err
		}
		out = append(out, refs...)
	}
	return out, nil
}
