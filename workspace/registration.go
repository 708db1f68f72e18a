package workspace

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/store"
)

// TypeImportRegistration records the import of unit data that is not results: a registration
// list, census population estimates, a ward table or a mapping of units that report together
// (RegistrationBody).
const TypeImportRegistration = "import.registration"

// Formats of unit data (RegistrationOptions.Format).
const (
	// UnitsRegistration is a CSV of registered voters per unit: columns unit, registered and
	// optionally date (reconcile.ReadRegistration).
	UnitsRegistration = "registration"
	// UnitsCountyEstimates is Wisconsin's county registration with American Community Survey
	// VAP and CVAP estimates (reconcile.ReadCountyEstimates).
	UnitsCountyEstimates = "county-estimates"
	// UnitsMilwaukeeWards is Milwaukee County's ward table of 2020, with its own ballots and
	// registration and the wards reported combined (reconcile.ReadMilwaukeeWards). It is
	// checked on its own: its wards are not the results' reporting units.
	UnitsMilwaukeeWards = "milwaukee-wards"
	// UnitsMapping is a mapping of units that report together (reconcile.ReadMapping), such
	// as Detroit's absentee counting boards and the precincts each served.
	UnitsMapping = "mapping"
)

// UnitFormats lists the unit data formats.
func UnitFormats() []string {
	return []string{UnitsRegistration, UnitsCountyEstimates, UnitsMilwaukeeWards, UnitsMapping}
}

// RegistrationOptions tune an import of unit data.
type RegistrationOptions struct {
	Format string
	// Date is the date of the registration list, when the file does not give it.
	Date time.Time
	// Within completes the file's units ("Precinct 4" of Wayne / City of Detroit).
	Within reconcile.Unit
	// Replace replaces an earlier import of the same file.
	Replace bool
}

// RegistrationBody is the body of an import.registration entry.
type RegistrationBody struct {
	File   ledger.FileRef  `json:"file"`
	Format string          `json:"format"`
	Date   string          `json:"date,omitempty"`
	Within *reconcile.Unit `json:"within,omitempty"`
	// Units is the number of units (or, for a mapping, of units mapped) in the file.
	Units int `json:"units"`
	// Registered, VAP and CVAP are the file's totals (VAP and CVAP are estimates).
	Registered int64 `json:"registered,omitempty"`
	VAP        int64 `json:"vap,omitempty"`
	CVAP       int64 `json:"cvap,omitempty"`
	// Replaces is the import entry this one replaces.
	Replaces *uint64 `json:"replaces,omitempty"`
}

// unitFile is one imported file of unit data, read back.
type unitFile struct {
	seq     uint64
	body    RegistrationBody
	regs    []reconcile.Registration
	figs    []reconcile.UnitFigures // estimates (county-estimates)
	wards   *reconcile.Wards
	mapping *reconcile.Mapping
}

// readUnitFile parses unit data of a format.
func readUnitFile(r io.Reader, name, format string, date time.Time, within reconcile.Unit) (*unitFile, error) {
	uf := &unitFile{}
	var err error
	switch format {
	case UnitsRegistration:
		uf.regs, err = reconcile.ReadRegistration(r, name, date, within)
		uf.body.Units = len(uf.regs)
		for _, g := range uf.regs {
			uf.body.Registered += g.Registered
		}
	case UnitsCountyEstimates:
		uf.figs, err = reconcile.ReadCountyEstimates(r, name)
		uf.body.Units = len(uf.figs)
		for _, f := range uf.figs {
			uf.body.Registered += f.Registered
			uf.body.VAP += f.VAP
			uf.body.CVAP += f.CVAP
		}
	case UnitsMilwaukeeWards:
		uf.wards, err = reconcile.ReadMilwaukeeWards(r, name)
		if err == nil {
			uf.body.Units = len(uf.wards.Figures)
			for _, f := range uf.wards.Figures {
				uf.body.Registered += max(f.Registered, 0)
			}
		}
	case UnitsMapping:
		uf.mapping, err = reconcile.ReadMapping(r, name, within)
		if err == nil {
			uf.body.Units = uf.mapping.Len()
		}
	default:
		return nil, fmt.Errorf("%s: unknown unit data format %q (known: %s)", name, format, strings.Join(UnitFormats(), ", "))
	}
	if err != nil {
		return nil, err
	}
	uf.body.Format = format
	return uf, nil
}

// unitLevel is the level of a reconcile unit: the finest part it names.
func unitLevel(u reconcile.Unit) canvass.Level {
	switch {
	case u.Precinct != "":
		return canvass.LevelPrecinct
	case u.Municipality != "":
		return canvass.LevelMunicipality
	}
	return canvass.LevelCounty
}

// resultUnits returns the units of the workspace's results at each level, by Key.
func resultUnits(tx store.Tx) (map[canvass.Level]map[string]bool, []canvass.ResultRow, error) {
	var rows []canvass.ResultRow
	if err := tx.Results(func(r *canvass.ResultRow) error {
		rows = append(rows, *r)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	out := map[canvass.Level]map[string]bool{}
	for _, l := range []canvass.Level{canvass.LevelCounty, canvass.LevelMunicipality, canvass.LevelPrecinct} {
		m := map[string]bool{}
		for _, f := range reconcile.FromResults(rows, l) {
			m[f.Unit.Key()] = true
		}
		out[l] = m
	}
	return out, rows, nil
}

// checkUnits checks that the file's units are units of the results; the error names the
// record (the header is record 1) and the column.
func (uf *unitFile) checkUnits(known map[canvass.Level]map[string]bool, name string) error {
	unknown := func(rec int, field string, u reconcile.Unit) error {
		return &canvass.ParseError{Format: uf.body.Format, File: name, Record: int64(rec), Field: field,
			Err: fmt.Errorf("%w %s: the workspace's results have no such unit (check its spelling, or --within)", reconcile.ErrUnknownUnit, u)}
	}
	for i, g := range uf.regs {
		if !known[unitLevel(g.Unit)][g.Unit.Key()] {
			return unknown(i+2, "unit", g.Unit)
		}
	}
	for i, f := range uf.figs {
		if !known[canvass.LevelCounty][f.Unit.Key()] {
			return unknown(i+2, "county", f.Unit)
		}
	}
	if uf.mapping != nil {
		for _, g := range uf.mapping.Groups() {
			for _, m := range uf.mapping.Members(g) {
				if !known[unitLevel(m)][m.Key()] {
					return &canvass.ParseError{Format: uf.body.Format, File: name, Field: "member",
						Err: fmt.Errorf("%w %s (mapped to %s): the workspace's results have no such unit", reconcile.ErrUnknownUnit, m, g)}
				}
			}
		}
	}
	return nil
}

// ImportRegistration imports unit data (a registration list, population estimates, a ward
// table or a mapping) in one ledger entry. Every unit must be a unit of the imported results
// (but for a ward table, which carries its own ballots); on any error nothing changes.
func (w *Workspace) ImportRegistration(ctx context.Context, path string, opts RegistrationOptions) (*RegistrationBody, error) {
	keep := &keeper{dir: filepath.Join(w.Dir, FilesDir)}
	sum, size, err := hashPath(path, keep)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		keep.undo()
		return nil, err
	}
	uf, err := readUnitFile(f, path, opts.Format, opts.Date, opts.Within)
	f.Close()
	if err != nil {
		keep.undo()
		return nil, err
	}
	uf.body.File = ledger.FileRef{Name: filepath.Base(filepath.Clean(path)), SHA256: sum, Size: size}
	if !opts.Date.IsZero() {
		uf.body.Date = opts.Date.Format("2006-01-02")
	}
	if opts.Within != (reconcile.Unit{}) {
		wu := opts.Within
		uf.body.Within = &wu
	}
	err = w.Store.Update(ctx, func(tx store.Tx) error {
		prev, err := unitFiles(tx, nil)
		if err != nil {
			return err
		}
		for _, p := range prev {
			if p.body.File.SHA256 == sum {
				if !opts.Replace {
					return fmt.Errorf("%s: %w in ledger entry %d (%s, sha256 %s); nothing changed; use --replace to replace that import", path, ErrAlreadyImported, p.seq, p.body.File.Name, sum[:16])
				}
				s := p.seq
				uf.body.Replaces = &s
			}
		}
		if uf.wards == nil {
			known, _, err := resultUnits(tx)
			if err != nil {
				return err
			}
			if err := uf.checkUnits(known, path); err != nil {
				return err
			}
		}
		_, _, err = w.append(tx, w.now(), TypeImportRegistration, uf.body)
		return err
	})
	if err != nil {
		keep.undo()
		return nil, err
	}
	return &uf.body, nil
}

// unitFiles reads back the unit data imports in force (not replaced), in ledger order. open,
// when not nil, opens the kept files (default: the workspace's files folder is not used and
// only the bodies are returned).
func unitFiles(tx store.Tx, open func(sum string) (io.ReadCloser, error)) ([]*unitFile, error) {
	var out []*unitFile
	replaced := map[uint64]bool{}
	err := entriesOf(tx, TypeImportRegistration, func(e *ledger.Entry, _ []byte) error {
		uf := &unitFile{seq: e.Seq}
		if err := e.DecodeBody(&uf.body); err != nil {
			return err
		}
		if uf.body.Replaces != nil {
			replaced[*uf.body.Replaces] = true
		}
		out = append(out, uf)
		return nil
	})
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, uf := range out {
		if replaced[uf.seq] {
			continue
		}
		if open != nil {
			rc, err := open(uf.body.File.SHA256)
			if err != nil {
				return nil, err
			}
			var date time.Time
			if uf.body.Date != "" {
				date, _ = parseDay(uf.body.Date)
			}
			var within reconcile.Unit
			if uf.body.Within != nil {
				within = *uf.body.Within
			}
			full, err := readUnitFile(rc, uf.body.File.Name, uf.body.Format, date, within)
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("ledger entry %d: %w", uf.seq, err)
			}
			full.seq, full.body = uf.seq, uf.body
			uf = full
		}
		kept = append(kept, uf)
	}
	return kept, nil
}

// replayRegistration re-imports unit data from the published log.
func (r *replayer) replayRegistration(e *ledger.Entry) error {
	var b RegistrationBody
	if err := e.DecodeBody(&b); err != nil {
		return err
	}
	path, cleanup, err := r.fetch("file", b.File)
	if err != nil {
		return err
	}
	defer cleanup()
	r.rep.Files++
	opts := RegistrationOptions{Format: b.Format, Replace: b.Replaces != nil}
	if b.Date != "" {
		if opts.Date, err = parseDay(b.Date); err != nil {
			return fmt.Errorf("date %q: %w", b.Date, err)
		}
	}
	if b.Within != nil {
		opts.Within = *b.Within
	}
	_, err = r.w.ImportRegistration(r.ctx, path, opts)
	return err
}

// parseDay reads an ISO date.
func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
