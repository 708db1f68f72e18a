package workspace

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/recount"
	"github.com/canvass-vote/canvass/results"
)

const (
	countyCanvassFile = "../testdata/us2020/national/county_presidential_results_2020.csv"
	wecAfterRecount   = "../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"
)

// importCountyCanvass imports the national county file (the counties' canvass before the
// Wisconsin recount) as a wide results file of contest President, choices votes_gop and
// votes_dem.
func importCountyCanvass(t *testing.T, w *Workspace) {
	t.Helper()
	_, err := w.ImportResults(context.Background(), countyCanvassFile, ImportOptions{Results: results.Options{Format: "wide",
		Contest: "President", Skip: []string{"diff", "per_gop", "per_dem", "per_point_diff"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// wecChoices maps the Elections Commission's candidate columns onto the county file's.
var wecChoices = map[string]string{
	"Joseph R. Biden / Kamala D. Harris": "votes_dem",
	"Donald J. Trump / Michael R. Pence": "votes_gop",
	"*":                                  "",
}

func ledgerSize(t *testing.T, w *Workspace) int { t.Helper(); return len(ledgerEntries(t, w)) }

// TestRecountWisconsin runs the 2020 recount of Milwaukee and Dane counties through the
// workspace: the canvass is the county file before the recount, the recount the Elections
// Commission's ward report after it, summed by county. By hand (rows quoted in
// recount/recount_test.go TestWisconsinRecount):
//
//	Dane:      county file dem 260185 gop 78800; WEC after: Biden 260121 Trump 78794
//	           → dem −64, gop −6, margin (dem − gop) 181385 → 181327: −58
//	Milwaukee: county file dem 317270 gop 134357; WEC after: Biden 317527 Trump 134482
//	           → dem +257, gop +125, margin 182913 → 183045: +132
//	Wisconsin: dem 1630673 − gop 1610065 = 20608 before; +132 − 58 = +74 → 20682 after.
//
// Wisconsin's law (Wis. Stat. § 9.01(1)(a)): a margin of 20,608 in 1,630,673 + 1,610,065 =
// 3,240,738 two-party votes is 0.636%: within 1% (a candidate may petition), above 0.25% (the
// petitioner pays) — as the Trump campaign paid about $3 million in 2020.
func TestRecountWisconsin(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	importCountyCanvass(t, w)
	id, err := w.RecountStart(ctx, RecountOptions{Contest: "President", Level: canvass.LevelCounty, State: "WI",
		Jurisdictions: []string{"Milwaukee", "Dane County"}, Reason: "petition of the Trump campaign, 2020-11-18"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RecountReport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Comparison.Units) != 72 || rep.Recounted != 2 || rep.Entered != 0 || len(rep.Missing) != 2 {
		t.Fatalf("units %d, recounted %d, entered %d, missing %v", len(rep.Comparison.Units), rep.Recounted, rep.Entered, rep.Missing)
	}
	if rep.Margin != 20608 || rep.Total != 3240738 {
		t.Errorf("canvass margin %d of %d, want 20608 of 3240738", rep.Margin, rep.Total)
	}
	if rep.Reach == nil || rep.Reach.Automatic || !rep.Reach.Requestable || rep.Reach.WhoPays != recount.PaysPetitioner {
		t.Errorf("reach %+v: want requestable, petitioner pays", rep.Reach)
	}
	if _, err := w.RecountFinish(ctx, id, ""); err == nil || !strings.Contains(err.Error(), "2 of 2 recounted units have no count") {
		t.Errorf("finish before entries: %v", err)
	}

	// Bad entries change nothing.
	before := dump(t, w)
	n := ledgerSize(t, w)
	for _, tc := range []struct {
		in   RecountEntry
		want error
		text string
	}{
		{RecountEntry{Units: map[string]map[string]int64{"Wisconsin / Atlantis County": {"votes_dem": 1, "votes_gop": 2}}}, ErrNotInContest, `unit "Wisconsin / Atlantis County"`},
		{RecountEntry{Units: map[string]map[string]int64{"Wisconsin / Adams County": {"votes_dem": 1, "votes_gop": 2}}}, ErrNotRecounted, `unit "Wisconsin / Adams County"`},
		{RecountEntry{Units: map[string]map[string]int64{"WI / Dane": {"votes_dem": 1, "Kanye West": 2}}}, ErrNotInContest, `choice "Kanye West"`},
		{RecountEntry{Units: map[string]map[string]int64{"WI / Dane": {"votes_dem": 1}}}, nil, `no count for "votes_gop"`},
		{RecountEntry{File: wecAfterRecount, Results: results.Options{Format: "wec"}}, ErrNotInContest, `choice "Joseph R. Biden / Kamala D. Harris"`},
		{RecountEntry{File: countyCanvassFile, Results: results.Options{Format: "wide", Contest: "President"}}, nil, "per_gop"},
	} {
		_, err := w.RecountEnter(ctx, tc.in)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("entry %+v: %v, want %v with %q", tc.in.Units, err, tc.want, tc.text)
		}
	}
	if after := dump(t, w); after != before || ledgerSize(t, w) != n {
		t.Errorf("a refused entry changed the workspace:\n%s", firstDiff(before, after))
	}

	seq, err := w.RecountEnter(ctx, RecountEntry{File: wecAfterRecount, Results: results.Options{Format: "wec"}, Choices: wecChoices})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = w.RecountFinish(ctx, id, "the Elections Commission's canvass after the recount")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entered != 2 || len(rep.Entries) != 1 || rep.Entries[0] != seq {
		t.Errorf("entered %d, entries %v", rep.Entered, rep.Entries)
	}
	c := rep.Comparison
	for _, tc := range []struct {
		unit             string
		dem, gop, margin int64
	}{{"Wisconsin / Dane County", -64, -6, -58}, {"Wisconsin / Milwaukee County", 257, 125, 132}} {
		var u *recount.UnitChange
		for i := range c.Units {
			if c.Units[i].Unit == tc.unit {
				u = &c.Units[i]
			}
		}
		if u == nil || !u.Recounted {
			t.Fatalf("%s: %+v", tc.unit, u)
		}
		got := map[string]int64{}
		for _, ch := range u.Choices {
			got[ch.Name] = ch.Change
		}
		if got["votes_dem"] != tc.dem || got["votes_gop"] != tc.gop || u.MarginChange != tc.margin {
			t.Errorf("%s: dem %+d gop %+d margin %+d, want %+d %+d %+d", tc.unit, got["votes_dem"], got["votes_gop"], u.MarginChange, tc.dem, tc.gop, tc.margin)
		}
	}
	if c.Margin.A != "votes_dem" || c.Margin.Before != 20608 || c.Margin.After != 20682 || c.Margin.Change != 74 || c.OutcomeChanged {
		t.Errorf("statewide margin %+v, outcome changed %v; want votes_dem 20608 → 20682 (+74)", c.Margin, c.OutcomeChanged)
	}
	if f := rep.Finished; f == nil || f.MarginBefore != 20608 || f.MarginAfter != 20682 || f.OutcomeChanged {
		t.Errorf("finish %+v", f)
	}
	if _, err := w.RecountEnter(ctx, RecountEntry{Units: map[string]map[string]int64{"WI / Dane": {"votes_dem": 1, "votes_gop": 2}}}); !errors.Is(err, ErrRecountClosed) {
		t.Errorf("entry after finish: %v", err)
	}

	// The entry records what was not compared: the other candidates of Milwaukee and Dane.
	var body RecountEntryBody
	for _, e := range ledgerEntries(t, w) {
		if e.Seq == seq {
			if err := e.DecodeBody(&body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if body.Outside != 70 || len(body.Units) != 2 || body.File == nil || len(body.NotCompared) == 0 {
		t.Errorf("entry body: outside %d, units %d, file %v, not compared %v", body.Outside, len(body.Units), body.File, body.NotCompared)
	}

	// The recount replays from the published log.
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	if rep, err := Rebuild(ctx, ledger.Dir(pub), rebuilt, VerifyOptions{Key: info.LogKey}); err != nil || !rep.OK() {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	if a, b := dump(t, w), dumpDir(t, rebuilt); a != b {
		t.Errorf("the rebuilt database differs:\n%s", firstDiff(a, b))
	}
}

// TestRecountByHand enters a recount tally sheet by hand, with a correction, and checks the
// arithmetic by hand: Menominee County (the county file's row: Wisconsin,55078,Menominee
// County,278,1303,1590,...) recounted as dem 1,300, gop 280: dem −3, gop +2, margin −5.
func TestRecountByHand(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	importCountyCanvass(t, w)
	id, err := w.RecountStart(ctx, RecountOptions{Contest: "President", State: "Wisconsin", Jurisdictions: []string{"Menominee"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RecountStart(ctx, RecountOptions{Contest: "President", State: "WI", Jurisdictions: []string{"Cook"}}); err == nil || !strings.Contains(err.Error(), `jurisdiction "Cook" has no unit`) {
		t.Errorf("a jurisdiction of another state: %v", err)
	}
	if _, err := w.RecountEnter(ctx, RecountEntry{Units: map[string]map[string]int64{"WI / Menominee": {"votes_dem": 1301, "votes_gop": 280}}, Note: "tally sheet 1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RecountEnter(ctx, RecountEntry{Units: map[string]map[string]int64{"Wisconsin / MENOMINEE COUNTY": {"votes_dem": 1300, "votes_gop": 280}}, Note: "tally sheet 1 corrected: a ballot counted twice"}); err != nil {
		t.Fatal(err)
	}
	rep, err := w.RecountReport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var u *recount.UnitChange
	for i := range rep.Comparison.Units {
		if rep.Comparison.Units[i].Recounted {
			u = &rep.Comparison.Units[i]
		}
	}
	if u == nil || u.Unit != "Wisconsin / Menominee County" || u.MarginChange != -5 || len(rep.Entries) != 2 {
		t.Fatalf("unit %+v, entries %v", u, rep.Entries)
	}
	if rep.Comparison.Margin.Change != -5 {
		t.Errorf("statewide margin change %d, want -5", rep.Comparison.Margin.Change)
	}
}
