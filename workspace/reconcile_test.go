package workspace

import (
	"context"
	"testing"

	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/results"
)

// TestReconcileWayne: the Wayne County table imported into a workspace. Alone, each of
// Detroit's 134 absentee counting boards reports ballots and no registered voters (the file's
// AVCB rows show 0 registered); joined with the precincts each served through Detroit's
// mapping file, no unit is left without registration or above 100% turnout.
func TestReconcileWayne(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv",
		ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"}}); err != nil {
		t.Fatal(err)
	}
	count := func(fs []reconcile.Finding, rule string) int {
		n := 0
		for _, f := range fs {
			if f.Rule == rule {
				n++
			}
		}
		return n
	}
	alone, err := w.Reconcile(ctx, ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(alone, reconcile.RuleNoRegistration); n != 134 {
		t.Errorf("without the mapping: %d units with ballots and no registered voters, want Detroit's 134 counting boards", n)
	}
	joined, err := w.Reconcile(ctx, ReconcileOptions{Mapping: "../testdata/us2020/mi/detroit_avcbs_by_precinct_nov2020.csv",
		Within: reconcile.Unit{Jurisdiction: "Wayne", Municipality: "City of Detroit"}, Options: reconcile.Options{SameDayRegistration: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range joined {
		if f.Unit.Municipality == "City of Detroit" && f.Severity != reconcile.Info {
			t.Errorf("after joining: %s %s: %s", f.Rule, f.Unit.Key(), f.Message)
		}
	}
	if n := count(joined, reconcile.RuleNoRegistration); n != 0 {
		t.Errorf("after joining: %d units without registration", n)
	}
}
