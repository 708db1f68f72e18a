package cdf

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// The public RCTab regression cases (testdata/cvr/rctab, Mozilla Public License 2.0) in the CDF
// JSON format. The expected counts below were computed independently with python3 over the
// files:
//
//	for each CVR, take the snapshot whose @id is CurrentSnapshotId; among its
//	SelectionPositions with HasIndication "yes" and IsAllocable not "no", the one of lowest
//	Rank is the first choice; name it through ContestSelection.CandidateIds → Candidate.Name.
//
// and, where RCTab's expected report exists, they are also checked against its round-1 tally,
// read from the report by the test.

var rctab = filepath.Join("..", "..", "testdata", "cvr", "rctab")

// roundTally reads round n (1-based; 0 for the last) of an RCTab expected detailed report.
func roundTally(t *testing.T, path string, n int) map[string]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Results []struct {
			Round int               `json:"round"`
			Tally map[string]string `json:"tally"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		n = len(rep.Results)
	}
	out := map[string]int{}
	for k, v := range rep.Results[n-1].Tally {
		// Counts of a round without fractional transfers are whole numbers ("8", or "8.0").
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f != float64(int(f)) {
			t.Fatalf("%s round %d: %s has %q votes", path, n, k, v)
		}
		out[k] = int(f)
	}
	return out
}

// firstChoices reads path and returns its ballot count and first-choice tally of its only
// contest.
func firstChoices(t *testing.T, path string, which Snapshot) (*canvass.Election, int, map[string]int) {
	t.Helper()
	e, bs := readPath(t, path, which)
	if len(e.Contests) != 1 {
		t.Fatalf("%s: %d contests", path, len(e.Contests))
	}
	return e, len(bs), tally(e, bs)[e.Contests[0].Name]
}

func sameCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for k := range got {
		if _, ok := want[k]; !ok && got[k] != 0 {
			want[k] = 0
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s has %d, want %d (all: %v; want %v)", what, k, got[k], v, got, want)
			return
		}
	}
}

// TestRCTabTestSet8 reads the two input files of test_set_8_multi_cdf (identical, 12 CVRs
// each; python3: A 4, B 4, C 3, D 1 first choices each) and checks their sum against RCTab's
// round 1 (A 8, B 8, C 6, D 2).
func TestRCTabTestSet8(t *testing.T) {
	dir := filepath.Join(rctab, "test_set_8_multi_cdf")
	sum := map[string]int{}
	for _, f := range []string{"test_set_8_multi_cdf_cvr_1.json", "test_set_8_multi_cdf_cvr_2.json"} {
		e, n, got := firstChoices(t, filepath.Join(dir, f), Current)
		if n != 12 {
			t.Errorf("%s: %d ballots, want 12", f, n)
		}
		c := e.Contests[0]
		if c.Name != "Test Set 0" || c.Type != canvass.IRV || c.VoteFor != 4 || c.Seats != 1 {
			t.Errorf("%s: contest %+v", f, *c)
		}
		if e.Name != "TestSets_Single_winner" {
			t.Errorf("%s: election name %q (the ElectionScopeId GpUnit's)", f, e.Name)
		}
		sameCounts(t, f, got, map[string]int{"Candidate A Name": 4, "Candidate B Name": 4, "Candidate C Name": 3, "Candidate D Name": 1})
		for k, v := range got {
			sum[k] += v
		}
	}
	sameCounts(t, "round 1", sum, roundTally(t, filepath.Join(dir, "test_set_8_multi_cdf_expected_detailed_report.json"), 1))
}

// TestRCTabAliases reads the shared input files of the aliases_cdf_json case (15 CVRs each;
// python3: A 5, B 5, C 3, D 2 first choices each, under names that differ per file), maps the
// names through the case's config (candidates and their aliases) and checks the sum against
// RCTab's round 1 (Unused Display Name Candidate A 10, B 10, C 6, D 4; 30 ballots).
func TestRCTabAliases(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(rctab, "aliases_cdf_json", "aliases_cdf_json_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Candidates []struct {
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	alias := map[string]string{}
	for _, c := range cfg.Candidates {
		alias[c.Name] = c.Name
		for _, a := range c.Aliases {
			alias[a] = c.Name
		}
	}
	sum, ballots := map[string]int{}, 0
	for i, f := range []string{"cdf_json_file1_cvr.json", "cdf_json_file2_cvr.json"} {
		_, n, got := firstChoices(t, filepath.Join(rctab, "_shared_cdf_json", f), Current)
		ballots += n
		suffix := " Name File " + strconv.Itoa(i+1)
		sameCounts(t, f, got, map[string]int{"Candidate A" + suffix: 5, "Candidate B" + suffix: 5, "Candidate C" + suffix: 3, "Candidate D" + suffix: 2})
		for k, v := range got {
			name, ok := alias[k]
			if !ok {
				t.Errorf("%s: candidate %q is in no alias list", f, k)
			}
			sum[name] += v
		}
	}
	if ballots != 30 {
		t.Errorf("%d ballots, want 30", ballots)
	}
	sameCounts(t, "round 1", sum, roundTally(t, filepath.Join(rctab, "aliases_cdf_json", "aliases_cdf_json_expected_detailed_report.json"), 1))
}

// TestRCTabRoundSnapshots reads RCTab's own CDF export of test set 8 (24 CVRs). Each CVR has
// its "original" snapshot and one "interpreted" snapshot per round, and CurrentSnapshotId names
// the last round's, where IsAllocable says which ranking counts in that round. Read as is
// (Current), the counted first choices are the final round (python3 over the file: A 8, B 14,
// and 2 ballots with nothing allocable, which RCTab's round 3 reports as A 8, B 14 and 2
// inactive by overvote); read with Original they are round 1 (A 8, B 8, C 6, D 2).
func TestRCTabRoundSnapshots(t *testing.T) {
	dir := filepath.Join(rctab, "test_set_8_multi_cdf")
	path := filepath.Join(dir, "test_set_8_multi_cdf_expected_cdf_cvr.json")
	report := filepath.Join(dir, "test_set_8_multi_cdf_expected_detailed_report.json")

	_, n, got := firstChoices(t, path, Current)
	if n != 24 {
		t.Errorf("%d ballots, want 24", n)
	}
	sameCounts(t, "current", got, map[string]int{"Candidate A Name": 8, "Candidate B Name": 14, "(none)": 2})
	last := roundTally(t, report, 0)
	delete(got, "(none)")
	sameCounts(t, "final round", got, last)

	_, n, got = firstChoices(t, path, Original)
	if n != 24 {
		t.Errorf("%d ballots, want 24", n)
	}
	sameCounts(t, "original", got, roundTally(t, report, 1))
}

// TestRCTabAliasesExportUnknownChoice reads RCTab's CDF export of the aliases case. RCTab
// defines the selections under the display names (cs-unused_display_name_candidate_a) but its
// CVRs point at the aliases (cs-candidate_a_name_file_1; python3: the current snapshots of 29 of the 30 CVRs): the reader
// must refuse the file at the first such reference, record 1.
func TestRCTabAliasesExportUnknownChoice(t *testing.T) {
	path := filepath.Join(rctab, "aliases_cdf_json", "aliases_cdf_json_expected_cdf_cvr.json")
	r, err := Open(path, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.Next()
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, canvass.ErrUnknownChoice) {
		t.Fatalf("got %v, want a ParseError wrapping ErrUnknownChoice", err)
	}
	if pe.Record != 1 || pe.Field != fieldSelection || pe.File != path {
		t.Errorf("error names file %q record %d field %q", pe.File, pe.Record, pe.Field)
	}
	t.Log(err)
}
