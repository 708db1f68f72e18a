package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/ledger"
)

// TestRankedContestInWorkspace: the CVRs of RCTab's test_set_1_exhaust_at_overvote case (NIST
// CDF JSON, an instant-runoff contest) imported into a workspace are counted by instant runoff
// with canvass's default rules, which are that case's (an overvote exhausts the ballot): the
// winner and the last round's tally are those of RCTab's expected report.
func TestRankedContestInWorkspace(t *testing.T) {
	ctx := context.Background()
	dir := "../testdata/rcv/rctab/test_set_1_exhaust_at_overvote/"
	w := newWorkspace(t)
	if _, err := w.ImportCVR(ctx, dir+"test_set_1_exhaust_at_overvote_cvr.json", ImportOptions{Format: "cdf"}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Results []struct {
			Tally        map[string]string `json:"tally"`
			TallyResults []struct {
				Elected string `json:"elected"`
			} `json:"tallyResults"`
		} `json:"results"`
	}
	b, _ := os.ReadFile(dir + "test_set_1_exhaust_at_overvote_expected_detailed_report.json")
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	last := want.Results[len(want.Results)-1]
	var winner string
	for _, r := range want.Results {
		for _, tr := range r.TallyResults {
			if tr.Elected != "" {
				winner = tr.Elected
			}
		}
	}
	c := res.Contests[0]
	if len(c.Winners) != 1 || c.Winners[0] != winner || !strings.Contains(c.Note, "ranked count") {
		t.Fatalf("winners %v (want %s); note %s", c.Winners, winner, c.Note)
	}
	compared := 0
	for _, ch := range c.Choices {
		if w, ok := last.Tally[ch.Name]; ok {
			compared++
			if w != fmt.Sprint(ch.Votes) && w != fmt.Sprint(ch.Votes)+".0" {
				t.Errorf("%s: last round %d, RCTab %s", ch.Name, ch.Votes, w)
			}
		}
	}
	if compared < 2 {
		t.Errorf("only %d candidates compared with RCTab's last round %v", compared, last.Tally)
	}
}

// TestImportRCVConfig: the ES&S xlsx of RCTab's aliases_ess_xlsx case, imported through its
// configuration (candidate codes and aliases mapped), is in the workspace like any other: its
// instant-runoff winner is RCTab's, and a rebuild from the published log (which replays the
// import with the recorded reader settings) gives the same database.
func TestImportRCVConfig(t *testing.T) {
	ctx := context.Background()
	dir := "../testdata/rcv/rctab/aliases_ess_xlsx/"
	w := newWorkspace(t)
	reps, err := w.ImportRCVConfig(ctx, dir+"aliases_ess_xlsx_config.json", ImportOptions{Jurisdiction: "Test"})
	if err != nil || len(reps) != 1 || reps[0].File.Records != 9 {
		t.Fatalf("import: %+v %v", reps, err)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Results []struct {
			TallyResults []struct {
				Elected string `json:"elected"`
			} `json:"tallyResults"`
		} `json:"results"`
	}
	b, _ := os.ReadFile(dir + "aliases_ess_xlsx_expected_detailed_report.json")
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	var winner string
	for _, r := range want.Results {
		for _, tr := range r.TallyResults {
			if tr.Elected != "" {
				winner = tr.Elected
			}
		}
	}
	if c := res.Contests[0]; len(c.Winners) != 1 || c.Winners[0] != winner {
		t.Errorf("winners %v, RCTab %s (%s)", c.Winners, winner, c.Note)
	}
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	if rep, err := Rebuild(ctx, ledger.Dir(pub), rebuilt, VerifyOptions{Key: info.LogKey}); err != nil {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	if a, b := dump(t, w), dumpDir(t, rebuilt); a != b {
		t.Errorf("the rebuilt database differs:\n%s", firstDiff(a, b))
	}
}
