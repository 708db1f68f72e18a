package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	_ "github.com/canvass-vote/canvass/cvr/clearballot" // the ranked layouts, by name
	_ "github.com/canvass-vote/canvass/cvr/ess"
	_ "github.com/canvass-vote/canvass/cvr/hart"
	_ "github.com/canvass-vote/canvass/cvr/rankcsv"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
)

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
	// Ranked configures the readers of ranked layouts (ess, rankcsv, hart, clearballot) with an
	// RCTab source's settings; it is recorded in the import entry.
	Ranked *cvr.RankedOptions
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

// importer is the part of an import common to CVRs and results: hash and keep the file,
// check it against earlier imports, and record the file and the import entry.
type importer struct {
	w    *Workspace
	path string
	kind string // "cvr" or "results"
	typ  string // ledger entry type
	opts ImportOptions
	at   time.Time
	keep *keeper
	file *store.File
	body ledger.ImportBody
}

func (w *Workspace) newImporter(path, kind, typ, format string, opts ImportOptions) (*importer, error) {
	im := &importer{w: w, path: path, kind: kind, typ: typ, opts: opts, at: w.now(), keep: &keeper{dir: filepath.Join(w.Dir, FilesDir)}}
	sum, size, err := hashPath(path, im.keep)
	if err != nil {
		im.keep.undo()
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		im.keep.undo()
		return nil, err
	}
	name := filepath.Base(filepath.Clean(path))
	im.file = &store.File{Name: name, SHA256: sum, Size: size, Kind: kind, Format: format, Jurisdiction: opts.Jurisdiction, ImportedAt: im.at, ImportedBy: w.Actor}
	im.body = ledger.ImportBody{File: ledger.FileRef{Name: name, SHA256: sum, Size: size, Folder: fi.IsDir()}, Format: format, Jurisdiction: opts.Jurisdiction}
	return im, nil
}

// begin checks the file against earlier imports and adds it.
func (im *importer) begin(tx store.Tx) error {
	f := im.file
	prev, err := tx.FileByHash(f.SHA256)
	if err != nil {
		return err
	}
	if prev != nil {
		if !im.opts.Replace {
			return fmt.Errorf("%s: %w as file %d (%s, sha256 %s, by %s at %s); nothing changed; use --replace to replace that import",
				im.path, ErrAlreadyImported, prev.ID, prev.Name, f.SHA256[:16], prev.ImportedBy, prev.ImportedAt.Format(time.RFC3339))
		}
		if err := tx.DeleteFileData(prev.ID); err != nil {
			return err
		}
		f.Replaced = prev.ID
		e := prev.Entry
		im.body.Replaces = &e
	}
	f.ID, err = tx.AddFile(f)
	return err
}

// finish records the number of records and appends the import entry.
func (im *importer) finish(tx store.Tx, records int64) error {
	im.file.Records, im.body.Records = records, records
	seq, _, err := im.w.append(tx, im.at, im.typ, im.body)
	if err != nil {
		return err
	}
	im.file.Entry = seq
	return tx.FinishFile(im.file.ID, records, seq)
}

// run runs fn in one transaction; if it fails, the kept copies it made are removed.
func (im *importer) run(ctx context.Context, fn func(tx store.Tx) error) error {
	err := im.w.Store.Update(ctx, func(tx store.Tx) error {
		if err := im.begin(tx); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil {
		im.keep.undo()
	}
	return err
}

// ImportCVR imports the cast vote records of one source (a file, folder or ZIP) in one
// transaction: on any error nothing is stored.
func (w *Workspace) ImportCVR(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	format, err := cvr.Resolve(path, opts.Format)
	if err != nil {
		return nil, err
	}
	im, err := w.newImporter(path, "cvr", ledger.TypeImportCVR, format, opts)
	if err != nil {
		return nil, err
	}
	if opts.Ranked != nil {
		if im.body.Ranked, err = ledger.Canonical(opts.Ranked); err != nil {
			im.keep.undo()
			return nil, err
		}
	}
	rep := &ImportReport{}
	err = im.run(ctx, func(tx store.Tx) error {
		r, err := openCVR(path, format, opts)
		if err != nil {
			return err
		}
		defer r.Close()
		el := r.Election()
		if err := el.Validate(); err != nil {
			return fmt.Errorf("%s: election definition: %w", path, err)
		}
		before, err := tx.Election()
		if err != nil {
			return err
		}
		ids := make([]store.ContestIDs, len(el.Contests))
		for i, c := range el.Contests {
			if ids[i], err = tx.MergeContest(c); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		after, err := tx.Election()
		if err != nil {
			return err
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
			ok, err := tx.AddBallot(im.file.ID, opts.Jurisdiction, b, ids)
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
		if err := im.finish(tx, n); err != nil {
			return err
		}
		if def := definitionAdded(before, after); len(def.Contests) > 0 {
			if _, _, err := w.append(tx, im.at, ledger.TypeElection, def); err != nil {
				return err
			}
		}
		rep.File, rep.Contests, rep.Replaced = *im.file, len(el.Contests), im.file.Replaced
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// definitionAdded lists the contests and choices that after has and before has not.
func definitionAdded(before, after *canvass.Election) ledger.ElectionBody {
	old := map[string]map[string]bool{}
	for _, c := range before.Contests {
		chs := map[string]bool{}
		for _, ch := range c.Choices {
			chs[canvass.NameKey(ch.Name)] = true
		}
		old[canvass.NameKey(c.Name)] = chs
	}
	body := ledger.ElectionBody{Contests: []ledger.ContestDef{}}
	for _, c := range after.Contests {
		chs, had := old[canvass.NameKey(c.Name)]
		def := ledger.ContestDef{Name: c.Name, Type: string(c.Type), Seats: c.Seats, VoteFor: c.VoteFor,
			ThresholdNum: c.Threshold.Num, ThresholdDen: c.Threshold.Den, New: !had, Choices: []ledger.ChoiceDef{}}
		for _, ch := range c.Choices {
			if !chs[canvass.NameKey(ch.Name)] {
				def.Choices = append(def.Choices, ledger.ChoiceDef{Name: ch.Name, Party: ch.Party, WriteIn: ch.WriteIn})
			}
		}
		if !had || len(def.Choices) > 0 {
			body.Contests = append(body.Contests, def)
		}
	}
	return body
}

// ImportResults imports a results file (counts per reporting unit) in one transaction.
func (w *Workspace) ImportResults(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	ropts, err := opts.Results.Resolve(path)
	if err != nil {
		return nil, err
	}
	im, err := w.newImporter(path, "results", ledger.TypeImportResults, ropts.Format, opts)
	if err != nil {
		return nil, err
	}
	im.body.Results = resultsBody(ropts)
	rep := &ImportReport{}
	err = im.run(ctx, func(tx store.Tx) error {
		var n int64
		err := eachResult(path, ropts, func(_ results.Reader, row *canvass.ResultRow) error {
			n++
			return tx.AddResult(im.file.ID, row)
		})
		if err != nil {
			return err
		}
		if err := im.finish(tx, n); err != nil {
			return err
		}
		rep.File, rep.Replaced = *im.file, im.file.Replaced
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// resultsBody is the record of a results reader's options (nil when they are the defaults).
func resultsBody(o results.Options) *ledger.ResultsOptions {
	if o.State == "" && o.County == "" && o.Contest == "" && len(o.Skip) == 0 && len(o.Rename) == 0 {
		return nil
	}
	return &ledger.ResultsOptions{State: o.State, County: o.County, Contest: o.Contest, Skip: o.Skip, Rename: o.Rename}
}

// resultsOptions are the reader options a results body records.
func resultsOptions(format string, b *ledger.ResultsOptions) results.Options {
	o := results.Options{Format: format}
	if b != nil {
		o.State, o.County, o.Contest, o.Skip, o.Rename = b.State, b.County, b.Contest, b.Skip, b.Rename
	}
	return o
}

// openCVR opens a CVR source: with the registered reader of its format, or, with ranked
// options, with the reader of a ranked layout configured by them.
func openCVR(path, format string, opts ImportOptions) (cvr.Reader, error) {
	if opts.Ranked == nil {
		return cvr.Open(path, format, cvr.Options{Progress: opts.Progress})
	}
	return cvr.OpenRanked(path, format, *opts.Ranked)
}
