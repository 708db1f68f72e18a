package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/audit"
)

// TestAuditCache: an audit read through the workspace's CVR cache gives what a workspace
// without a cache gives (the same draws and CVRs, the same status); after another CVR import
// the cache is dropped and the audit's population is found changed, as without a cache.
func TestAuditCache(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	uncached := *w
	uncached.cvrs = nil
	for i := 0; i < 2; i++ { // the second pass is served from the cache
		got, _, err := w.AuditSample(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := uncached.AuditSample(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 34 || !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: the cached sample differs (%d draws)", i, len(got))
		}
	}
	if w.cvrs.stamp == "" || len(w.cvrs.manifests) != 1 || len(w.cvrs.cvrs) != 1 {
		t.Fatalf("cache: stamp %q, %d manifests, %d CVR sets", w.cvrs.stamp, len(w.cvrs.manifests), len(w.cvrs.cvrs))
	}
	recs := boardReads(func() []audit.Draw { d, _, _ := w.AuditSample(ctx, v.ID); return d }(), 0, nil)
	if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
		t.Fatal(err)
	}
	a, err := w.AuditEndRound(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := uncached.AuditStatus(ctx, v.ID)
	if err != nil || a.Status != b.Status || a.Contests[0].Risk != b.Contests[0].Risk {
		t.Fatalf("cached %+v, uncached %+v (%v)", a.Contests, b, err)
	}
	// Another county's CVRs change the population: both say so.
	p := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(p, []byte("BallotID,Tabulator,Batch,President: Alice,President: Bob\n9-1-1,T9,1,1,0\n"), 0o644)
	old := w.cvrs.stamp
	if _, err := w.ImportCVR(ctx, p, ImportOptions{Format: "csv", Jurisdiction: "Iowa"}); err != nil {
		t.Fatal(err)
	}
	_, err1 := w.AuditStatus(ctx, v.ID)
	_, err2 := uncached.AuditStatus(ctx, v.ID)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() || !strings.Contains(err1.Error(), "population changed") || w.cvrs.stamp == old {
		t.Errorf("after another import: %v / %v", err1, err2)
	}
	if !errors.Is(err1, ErrPopulationChanged) {
		t.Errorf("not ErrPopulationChanged: %v", err1)
	}
}
