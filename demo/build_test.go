package demo

import (
	"context"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/workspace"
)

// TestBuild builds the demonstration workspace and checks it against the published figures:
//
//   - the Wisconsin recount of Milwaukee and Dane moves Biden's margin over the county canvass
//     from 20,608 to 20,682 (+74; workspace/recount_test.go has the rows);
//   - Georgia's hand count against its machine count: Biden 2,474,248 → 2,475,141, Trump
//     2,461,468 → 2,462,857, margin 12,780 → 12,284 (−496; recount/recount_test.go);
//   - Adams County's synthetic CVRs: one per vote of its 20 reporting units in the ward report
//     (python3's csv module over the rows whose County Name is "ADAMS "): 11,818 ballots,
//     Biden 4,329, Trump 7,362;
//   - and the whole log replays from its published files.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	b, err := Build(ctx, filepath.Join(t.TempDir(), "demo"), "demo")
	if err != nil {
		t.Fatal(err)
	}
	w := b.Workspace
	defer w.Close()
	wi, err := w.RecountReport(ctx, b.WisconsinRecount)
	if err != nil {
		t.Fatal(err)
	}
	if m := wi.Comparison.Margin; m.Before != 20608 || m.After != 20682 || wi.Finished == nil {
		t.Errorf("Wisconsin: %+v", m)
	}
	ga, err := w.RecountReport(ctx, b.GeorgiaHandCount)
	if err != nil {
		t.Fatal(err)
	}
	if m := ga.Comparison.Margin; m.A != "Joseph R. Biden" || m.Before != 12780 || m.After != 12284 || ga.Comparison.OutcomeChanged {
		t.Errorf("Georgia: %+v", m)
	}
	res, err := w.Tabulate(ctx, workspace.TabulateOptions{Contest: "President", By: canvass.LevelPrecinct})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Contests {
		if c.Source != "cvr" {
			continue
		}
		votes := map[string]int64{}
		for _, ch := range c.Choices {
			votes[ch.Name] = ch.Votes
		}
		if c.Ballots != 11818 || votes["Joseph R. Biden / Kamala D. Harris"] != 4329 || votes["Donald J. Trump / Michael R. Pence"] != 7362 || len(c.Units) != 20 {
			t.Errorf("Adams CVRs: %d ballots, %v, %d units", c.Ballots, votes, len(c.Units))
		}
	}
	a, err := w.AuditStatus(ctx, b.Audit)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != "comparison" || len(a.Rounds) != 1 || a.Missing == 0 || a.Ballots != 11818 {
		t.Errorf("audit: %+v", a)
	}
	// The demo's accounts sign in with the passwords it printed.
	if len(b.Logins) != 4 {
		t.Fatalf("logins %+v", b.Logins)
	}
	for _, l := range b.Logins {
		s, err := w.SignIn(ctx, l.Name, l.Password, workspace.SessionOptions{})
		if err != nil || s == nil {
			t.Errorf("%s: %v", l.Name, err)
		}
	}
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	rep, err := workspace.Verify(ctx, ledger.Dir(pub), workspace.VerifyOptions{Key: info.LogKey})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep.Problems)
	}
}
