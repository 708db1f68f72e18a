package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/store"
)

// ReconcileOptions choose how the workspace's results are reconciled.
type ReconcileOptions struct {
	// Level of the reporting units (default precinct).
	Level canvass.Level
	// Mapping is a file of units that report together (reconcile.ReadMapping), its units
	// completed from Within, used with the mappings imported into the workspace.
	Mapping string
	Within  reconcile.Unit
	reconcile.Options
}

// Source is a file an answer used, cited by content hash.
type Source struct {
	// Entry is the ledger entry of its import (0 for a file given with the question only).
	Entry  uint64 `json:"entry,omitempty"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Format string `json:"format,omitempty"`
	// Date is the date of a registration list.
	Date string `json:"date,omitempty"`
	// Estimate marks census estimates (margins of error apply).
	Estimate bool `json:"estimate,omitempty"`
}

// Reconciliation is the workspace's units at one level with everything imported about them,
// and the findings of the reconciliation rules.
type Reconciliation struct {
	Level canvass.Level `json:"level"`
	// Units are the results' units, joined through the mappings, with registration and
	// estimates applied.
	Units []reconcile.UnitFigures `json:"units"`
	// Wards are the units of ward tables (checked on their own), joined through their own
	// mappings.
	Wards    []reconcile.UnitFigures `json:"wards,omitempty"`
	Findings []reconcile.Finding     `json:"findings"`
	Sources  []Source                `json:"sources"`
}

// Reconcile checks the workspace's imported results unit by unit (package reconcile): the
// ballots against the registration and the votes, after joining the units that report
// together. It reads only; the findings are returned.
func (w *Workspace) Reconcile(ctx context.Context, opts ReconcileOptions) ([]reconcile.Finding, error) {
	r, err := w.Reconciliation(ctx, opts)
	if err != nil {
		return nil, err
	}
	return r.Findings, nil
}

// Reconciliation gathers the workspace's units at opts.Level with the imported registration,
// estimates and mappings, and checks them.
func (w *Workspace) Reconciliation(ctx context.Context, opts ReconcileOptions) (*Reconciliation, error) {
	var out *Reconciliation
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = w.reconciliation(tx, opts)
		return err
	})
	return out, err
}

func (w *Workspace) reconciliation(tx store.Tx, opts ReconcileOptions) (*Reconciliation, error) {
	level := opts.Level
	if level == "" || level == canvass.LevelState {
		level = canvass.LevelPrecinct
	}
	rec := &Reconciliation{Level: level}
	files, err := tx.Files()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Kind == "results" && !replacedFile(files, f.ID) {
			rec.Sources = append(rec.Sources, Source{Entry: f.Entry, Kind: "results", Name: f.Name, SHA256: f.SHA256, Format: f.Format})
		}
	}
	var rows []canvass.ResultRow
	if err := tx.Results(func(r *canvass.ResultRow) error {
		rows = append(rows, *r)
		return nil
	}); err != nil {
		return nil, err
	}
	figs := reconcile.FromResults(rows, level)
	ufs, err := unitFiles(tx, w.openKept)
	if err != nil {
		return nil, err
	}
	m := reconcile.NewMapping()
	addMapping := func(from *reconcile.Mapping, name string) error {
		for _, g := range from.Groups() {
			for _, u := range from.Members(g) {
				if err := m.Add(u, g); err != nil {
					return fmt.Errorf("%s: %s → %s: %w (another mapping already maps it)", name, u, g, err)
				}
			}
		}
		return nil
	}
	if opts.Mapping != "" {
		f, err := os.Open(opts.Mapping)
		if err != nil {
			return nil, err
		}
		mm, err := reconcile.ReadMapping(f, opts.Mapping, opts.Within)
		f.Close()
		if err != nil {
			return nil, err
		}
		sum, _, err := hashPath(opts.Mapping, nil)
		if err != nil {
			return nil, err
		}
		if err := addMapping(mm, opts.Mapping); err != nil {
			return nil, err
		}
		rec.Sources = append(rec.Sources, Source{Kind: "mapping", Name: filepath.Base(opts.Mapping), SHA256: sum, Format: UnitsMapping})
	}
	at := make(map[string]int, len(figs))
	for i := range figs {
		at[figs[i].Unit.Key()] = i
	}
	for _, uf := range ufs {
		src := Source{Entry: uf.seq, Kind: uf.body.Format, Name: uf.body.File.Name, SHA256: uf.body.File.SHA256, Format: uf.body.Format, Date: uf.body.Date}
		used := false
		switch {
		case uf.mapping != nil:
			if err := addMapping(uf.mapping, uf.body.File.Name); err != nil {
				return nil, err
			}
			used = true
		case uf.regs != nil:
			for _, g := range uf.regs {
				if i, ok := at[g.Unit.Key()]; ok && unitLevel(g.Unit) == level {
					figs[i].Registered, figs[i].RegisteredDate = g.Registered, g.Date
					used = true
				}
			}
		case uf.figs != nil:
			src.Estimate = true
			for _, e := range uf.figs {
				i, ok := at[e.Unit.Key()]
				if !ok || level != canvass.LevelCounty {
					continue
				}
				if figs[i].Registered < 0 {
					figs[i].Registered, figs[i].RegisteredDate = e.Registered, e.RegisteredDate
				}
				figs[i].VAP, figs[i].CVAP, figs[i].EstimateSource = e.VAP, e.CVAP, e.EstimateSource
				used = true
			}
		case uf.wards != nil:
			o := opts.Options
			o.CombinedBallots = uf.wards.Combined
			o.Unofficial, o.Official, o.CVRCounts, o.Manifest = nil, nil, nil, nil
			rec.Findings = append(rec.Findings, reconcile.Check(uf.wards.Figures, uf.wards.Mapping, o)...)
			rec.Wards = append(rec.Wards, reconcile.Join(uf.wards.Figures, uf.wards.Mapping)...)
			used = true
		}
		if used {
			rec.Sources = append(rec.Sources, src)
		}
	}
	if m.Len() == 0 {
		m = nil
	}
	rec.Units = reconcile.Join(figs, m)
	rec.Findings = append(reconcile.Check(figs, m, opts.Options), rec.Findings...)
	return rec, nil
}

// replacedFile reports whether another file replaced file id.
func replacedFile(files []store.File, id int64) bool {
	for _, f := range files {
		if f.Replaced == id {
			return true
		}
	}
	return false
}

// TypeReconcile records a reconciliation's findings (ReconcileBody).
const TypeReconcile = "reconcile"

// ReconcileBody is the body of a reconcile entry: the findings of a reconciliation at one
// level, and the files it used.
type ReconcileBody struct {
	Level   string `json:"level"`
	Options struct {
		SameDayRegistration bool   `json:"same_day_registration,omitempty"`
		ElectionDay         string `json:"election_day,omitempty"`
	} `json:"options"`
	Sources []Source `json:"sources"`
	// Counts are the findings per severity; Findings lists the warnings and errors (or, when
	// there are more than inlineFindings, FindingsFile names the kept file that holds them).
	Counts       map[string]int  `json:"counts"`
	Findings     []FindingRecord `json:"findings,omitempty"`
	FindingsFile *ledger.FileRef `json:"findings_file,omitempty"`
}

// inlineFindings is the most findings a reconcile entry lists in its body.
const inlineFindings = 64

// FindingRecord is a finding as the ledger keeps it (whole numbers only: the ratio is left
// out, its numbers are kept).
type FindingRecord struct {
	Rule     string           `json:"rule"`
	Severity string           `json:"severity"`
	Unit     string           `json:"unit"`
	Members  int              `json:"members,omitempty"`
	Contest  string           `json:"contest,omitempty"`
	Choice   string           `json:"choice,omitempty"`
	Numbers  map[string]int64 `json:"numbers,omitempty"`
	Message  string           `json:"message"`
}

// RecordReconciliation runs the reconciliation and records its warnings and errors in the
// ledger. A file given only with the question (opts.Mapping) cannot be replayed: import it
// (ImportRegistration, format mapping) first.
func (w *Workspace) RecordReconciliation(ctx context.Context, opts ReconcileOptions) (uint64, *ReconcileBody, error) {
	if opts.Mapping != "" || opts.Unofficial != nil || opts.Official != nil || opts.CVRCounts != nil || opts.Manifest != nil {
		return 0, nil, fmt.Errorf("reconcile: a recorded reconciliation uses only imported data; import the mapping with 'canvass import units --format mapping' first")
	}
	var seq uint64
	var body ReconcileBody
	keep := &keeper{dir: filepath.Join(w.Dir, FilesDir)}
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		rec, err := w.reconciliation(tx, opts)
		if err != nil {
			return err
		}
		body = ReconcileBody{Level: string(rec.Level), Sources: rec.Sources, Counts: map[string]int{}}
		var kept []FindingRecord
		body.Options.SameDayRegistration = opts.SameDayRegistration
		if !opts.ElectionDay.IsZero() {
			body.Options.ElectionDay = opts.ElectionDay.Format("2006-01-02")
		}
		for _, f := range rec.Findings {
			body.Counts[string(f.Severity)]++
			if f.Severity != reconcile.Info {
				kept = append(kept, FindingRecord{Rule: f.Rule, Severity: string(f.Severity), Unit: f.Unit.String(),
					Members: len(f.Members), Contest: f.Contest, Choice: f.Choice, Numbers: f.Numbers, Message: f.Message})
			}
		}
		body.Findings = kept
		if len(kept) > inlineFindings {
			body.Findings = nil
			if body.FindingsFile, err = keepJSON(keep, "reconcile-findings.json", kept); err != nil {
				return err
			}
		}
		seq, _, err = w.append(tx, w.now(), TypeReconcile, body)
		return err
	})
	if err != nil {
		keep.undo()
	}
	return seq, &body, err
}

// replayReconcile re-runs a recorded reconciliation.
func (r *replayer) replayReconcile(e *ledger.Entry) error {
	var b ReconcileBody
	if err := e.DecodeBody(&b); err != nil {
		return err
	}
	if err := r.checkDerived(b.FindingsFile); err != nil {
		return err
	}
	level, err := ParseLevel(b.Level)
	if err != nil {
		return err
	}
	opts := ReconcileOptions{Level: level}
	opts.SameDayRegistration = b.Options.SameDayRegistration
	if b.Options.ElectionDay != "" {
		if opts.ElectionDay, err = parseDay(b.Options.ElectionDay); err != nil {
			return err
		}
	}
	_, _, err = r.w.RecordReconciliation(r.ctx, opts)
	return err
}

// reconcileBlockers are the errors of the last recorded reconciliation: a certification is
// refused while the record shows units whose numbers do not add up (rule "reconcile").
func (w *Workspace) reconcileBlockers(tx store.Tx) ([]Blocker, error) {
	var last *ReconcileBody
	err := entriesOf(tx, TypeReconcile, func(e *ledger.Entry, _ []byte) error {
		var b ReconcileBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		last = &b
		return nil
	})
	if err != nil || last == nil || last.Counts[string(reconcile.Error)] == 0 {
		return nil, err
	}
	findings := last.Findings
	if last.FindingsFile != nil {
		if err := readJSON(w.openKept, last.FindingsFile, &findings); err != nil {
			return nil, err
		}
	}
	first := ""
	for _, f := range findings {
		if f.Severity == string(reconcile.Error) {
			first = f.Message
			break
		}
	}
	return []Blocker{{Rule: "reconcile", What: fmt.Sprintf("the last recorded reconciliation has %d errors (first: %s); correct the data and reconcile again, or override with a reason", last.Counts[string(reconcile.Error)], first)}}, nil
}
