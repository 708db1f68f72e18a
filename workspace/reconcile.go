package workspace

import (
	"context"
	"os"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/store"
)

// ReconcileOptions choose how the workspace's results are reconciled.
type ReconcileOptions struct {
	// Level of the reporting units (default precinct).
	Level canvass.Level
	// Mapping is a file of units that report together (reconcile.ReadMapping), its units
	// completed from Within.
	Mapping string
	Within  reconcile.Unit
	reconcile.Options
}

// Reconcile checks the workspace's imported results unit by unit (package reconcile): the
// ballots against the registration and the votes, after joining the units that report
// together. It reads only; the findings are returned.
func (w *Workspace) Reconcile(ctx context.Context, opts ReconcileOptions) ([]reconcile.Finding, error) {
	level := opts.Level
	if level == "" || level == canvass.LevelState {
		level = canvass.LevelPrecinct
	}
	var m *reconcile.Mapping
	if opts.Mapping != "" {
		f, err := os.Open(opts.Mapping)
		if err != nil {
			return nil, err
		}
		m, err = reconcile.ReadMapping(f, opts.Mapping, opts.Within)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	var rows []canvass.ResultRow
	err := w.Store.View(ctx, func(tx store.Tx) error {
		return tx.Results(func(r *canvass.ResultRow) error {
			rows = append(rows, *r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return reconcile.Check(reconcile.FromResults(rows, level), m, opts.Options), nil
}
