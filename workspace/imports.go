package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
)

// HashPath returns the SHA-256 (hex) and size of a file, or of a folder: for a folder the hash
// is SHA-256 over its regular files in lexical order of their slash-separated relative paths,
// one line each of "path NUL sha256-hex LF", and the size is the sum of the files' sizes. Anyone
// can recompute it with sha256sum and a sort.
func HashPath(path string) (string, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	if !fi.IsDir() {
		return hashFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(path, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return "", 0, err
	}
	sort.Strings(files)
	h := sha256.New()
	var total int64
	for _, rel := range files {
		sum, size, err := hashFile(filepath.Join(path, filepath.FromSlash(rel)))
		if err != nil {
			return "", 0, err
		}
		total += size
		fmt.Fprintf(h, "%s\x00%s\n", rel, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), total, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Format names the file's format ("" or "auto" to sniff it).
	Format string
	// Jurisdiction the file's ballots belong to (a county); ballot ids are unique within it.
	Jurisdiction string
	// Replace allows importing a file whose hash the workspace already has: the earlier
	// import's data is removed and the replacement recorded.
	Replace bool
	// Progress, if set, receives the bytes read.
	Progress func(int64)
	// Results options (for ImportResults).
	Results results.Options
}

// ImportReport says what an import did.
type ImportReport struct {
	File     store.File
	Contests int
	// Replaced is the earlier import of the same file that this one replaced (0 if none).
	Replaced int64
}

// ErrAlreadyImported is returned when the file's hash is already in the workspace.
var ErrAlreadyImported = errors.New("already imported")

// prepareImport hashes the file and checks it against earlier imports.
func prepareImport(tx store.Tx, path, kind, format string, opts ImportOptions) (*store.File, error) {
	sum, size, err := HashPath(path)
	if err != nil {
		return nil, err
	}
	f := &store.File{Name: path, SHA256: sum, Size: size, Kind: kind, Format: format, Jurisdiction: opts.Jurisdiction, ImportedAt: time.Now().UTC()}
	prev, err := tx.FileByHash(sum)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		if !opts.Replace {
			return nil, fmt.Errorf("%s: %w as file %d (%s, sha256 %s, by %s at %s); nothing changed; use --replace to replace that import",
				path, ErrAlreadyImported, prev.ID, prev.Name, sum[:16], prev.ImportedBy, prev.ImportedAt.Format(time.RFC3339))
		}
		if err := tx.DeleteFileData(prev.ID); err != nil {
			return nil, err
		}
		f.Replaced = prev.ID
	}
	return f, nil
}

// ImportCVR imports the cast vote records of one source (a file, folder or ZIP) in one
// transaction: on any error nothing is stored.
func (w *Workspace) ImportCVR(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	format := opts.Format
	if format == "" || format == "auto" {
		var err error
		if format, err = cvr.Sniff(path); err != nil {
			return nil, err
		}
	}
	rep := &ImportReport{}
	err := w.Store.Update(ctx, w.Actor, func(tx store.Tx) error {
		f, err := prepareImport(tx, path, "cvr", format, opts)
		if err != nil {
			return err
		}
		f.ImportedBy = w.Actor
		r, err := cvr.Open(path, format, cvr.Options{Progress: opts.Progress})
		if err != nil {
			return err
		}
		defer r.Close()
		el := r.Election()
		if err := el.Validate(); err != nil {
			return fmt.Errorf("%s: election definition: %w", path, err)
		}
		if f.ID, err = tx.AddFile(f); err != nil {
			return err
		}
		ids := make([]store.ContestIDs, len(el.Contests))
		for i, c := range el.Contests {
			if ids[i], err = tx.MergeContest(c); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		var n int64
		for {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			b, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			ok, err := tx.AddBallot(f.ID, opts.Jurisdiction, b, ids)
			if err != nil {
				return err
			}
			if !ok {
				file, rec := r.Where()
				return &canvass.ParseError{Format: format, File: file, Record: rec, Field: "ballot id",
					Err: fmt.Errorf("%w %q: jurisdiction %q already has a ballot with this id", canvass.ErrDuplicateID, b.ID, opts.Jurisdiction)}
			}
			n++
		}
		if err := tx.SetFileRecords(f.ID, n); err != nil {
			return err
		}
		f.Records = n
		rep.File, rep.Contests, rep.Replaced = *f, len(el.Contests), f.Replaced
		return recordImport(tx, "import.cvr", f, len(el.Contests))
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func recordImport(tx store.Tx, kind string, f *store.File, contests int) error {
	detail := map[string]any{
		"file": f.ID, "name": f.Name, "sha256": f.SHA256, "size": f.Size, "format": f.Format,
		"jurisdiction": f.Jurisdiction, "records": f.Records,
	}
	if contests > 0 {
		detail["contests"] = contests
	}
	if f.Replaced != 0 {
		detail["replaces"] = f.Replaced
	}
	return tx.RecordChange(kind, detail)
}

// ImportResults imports a results file (counts per reporting unit) in one transaction.
func (w *Workspace) ImportResults(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	ropts := opts.Results
	if ropts.Format == "" || ropts.Format == "auto" {
		var err error
		if ropts.Format, err = results.Sniff(path); err != nil {
			return nil, err
		}
	}
	rep := &ImportReport{}
	err := w.Store.Update(ctx, w.Actor, func(tx store.Tx) error {
		f, err := prepareImport(tx, path, "results", ropts.Format, opts)
		if err != nil {
			return err
		}
		f.ImportedBy = w.Actor
		r, err := results.Open(path, ropts)
		if err != nil {
			return err
		}
		defer r.Close()
		if f.ID, err = tx.AddFile(f); err != nil {
			return err
		}
		var n int64
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if err := tx.AddResult(f.ID, row); err != nil {
				return err
			}
			n++
		}
		if err := tx.SetFileRecords(f.ID, n); err != nil {
			return err
		}
		f.Records = n
		rep.File, rep.Replaced = *f, f.Replaced
		return recordImport(tx, "import.results", f, 0)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
