package dominion

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctabRanked is RCTab's regression suite copied into the repository's testdata (see testdata/README.md)
// (Mozilla Public License 2.0; see its README).
var rctabRanked = filepath.Join("..", "..", "testdata", "rcv", "rctab")

// TestRCTabRanked reads the four Dominion cases of RCTab's suite, all with a ranked contest.
// For each: the number of sessions the export holds, the ranked contest the config names,
// and the first choices (the mark of lowest rank, whatever IsVote says; two at that rank is an
// overvote and counts for nobody) against round 1 of RCTab's expected report, the config's
// undeclared write-in candidate counting as "Undeclared Write-ins" and the others named by
// the config's aliases. The sessions with the
// contest are RCTab's totalNumBallots.
//
// The Alaska and Wyoming exports write IsVote true only on the mark that counts in the first
// round: ranks 2 and beyond carry IsVote false, so the reader flags them NotCounted although
// they are rankings a later round counts (the San Francisco multi-file export writes IsVote
// true on them). A ranked tabulation must read the ranks and not drop NotCounted marks.
func TestRCTabRanked(t *testing.T) {
	for _, tc := range []struct {
		dir, input string
		sessions   int
	}{
		{"dominion_alaska", filepath.Join("_shared", "dominion_alaska", "alaska_input_data"), 1000},
		{"dominion_wyoming", filepath.Join("dominion_wyoming", "wyoming_input_data"), 1000},
		{"dominion_multi_file", filepath.Join("dominion_multi_file", "dominion_multi_file_input_data"), 315},
		{"dominion_no_precinct_data", filepath.Join("dominion_no_precinct_data", "dominion_no_precinct_data_input_data"), 1000},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			var cfg struct {
				Candidates []struct {
					Name    string   `json:"name"`
					Aliases []string `json:"aliases"`
				} `json:"candidates"`
				CvrFileSources []struct {
					ContestID string `json:"contestId"`
					UWI       string `json:"undeclaredWriteInLabel"`
				} `json:"cvrFileSources"`
			}
			readJSON(t, filepath.Join(rctabRanked, tc.dir, tc.dir+"_config.json"), &cfg)
			// RCTab names candidates by the config's aliases (the Dominion candidate Ids).
			byID := map[string]string{cfg.CvrFileSources[0].UWI: "Undeclared Write-ins"}
			for _, cand := range cfg.Candidates {
				for _, a := range cand.Aliases {
					byID[a] = cand.Name
				}
			}
			var rep struct {
				Results []struct {
					Tally map[string]string `json:"tally"`
				} `json:"results"`
				Summary struct {
					TotalNumBallots string `json:"totalNumBallots"`
				} `json:"summary"`
			}
			readJSON(t, filepath.Join(rctabRanked, tc.dir, tc.dir+"_expected_detailed_report.json"), &rep)
			r, err := Open(filepath.Join(rctabRanked, tc.input), cvr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			e := r.Election()
			ci := -1
			for i, c := range e.Contests {
				if c.ID == cfg.CvrFileSources[0].ContestID {
					ci = i
				}
			}
			if ci < 0 || !e.Contests[ci].Type.Ranked() {
				t.Fatalf("contest %s: %d, not ranked or absent", cfg.CvrFileSources[0].ContestID, ci)
			}
			c := e.Contests[ci]
			n, with := 0, 0
			first := map[string]int{}
			for {
				b, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				for _, cm := range b.Contests {
					if int(cm.Contest) != ci {
						continue
					}
					with++
					low, who := int32(1<<30), map[int32]bool{}
					for _, m := range cm.Marks {
						if m.Rank < 1 || int(m.Rank) > c.VoteFor {
							t.Fatalf("ballot %s: rank %d of %d", b.ID, m.Rank, c.VoteFor)
						}
						if m.Rank < low {
							low, who = m.Rank, map[int32]bool{}
						}
						if m.Rank == low {
							who[m.Choice] = true
						}
					}
					if len(who) == 1 {
						for ch := range who {
							name, ok := byID[c.Choices[ch].ID]
							if !ok {
								name = c.Choices[ch].Name + " (not in the config)"
							}
							first[name]++
						}
					}
				}
			}
			if n != tc.sessions {
				t.Errorf("%d sessions, want %d", n, tc.sessions)
			}
			if total, _ := strconv.Atoi(rep.Summary.TotalNumBallots); with != total {
				t.Errorf("%d sessions have the contest, RCTab counts %d ballots", with, total)
			}
			want := map[string]int{}
			for k, v := range rep.Results[0].Tally {
				if x, _ := strconv.Atoi(v); x != 0 {
					want[k] = x
				}
			}
			if fmt.Sprint(first) != fmt.Sprint(want) {
				t.Errorf("first choices\n got %v\nwant %v (RCTab round 1)", first, want)
			}
		})
	}
}

// TestRankedMarks checks two sessions by hand from the files.
//   - Alaska's first session (tabulator 42, batch 1, record 1) ranks candidates 9 (Michael R.
//     Bloomberg), 1 (Joseph R. Biden), 12 (undeclared write-in), 8 (Elizabeth Warren), 7
//     (Tulsi Gabbard) at ranks 1 to 5, IsVote true only at rank 1.
//   - Wyoming's first session (9-4-61) ranks 5 (Amy Klobuchar), 12, 3 (Tom Steyer), 8
//     (Elizabeth Warren), 1 (Joseph R. Biden).
func TestRankedMarks(t *testing.T) {
	for _, tc := range []struct {
		input, id string
		ids       []string
	}{
		{filepath.Join("_shared", "dominion_alaska", "alaska_input_data"), "42-1-1", []string{"9", "1", "12", "8", "7"}},
		{filepath.Join("dominion_wyoming", "wyoming_input_data"), "9-4-61", []string{"5", "12", "3", "8", "1"}},
	} {
		r, err := Open(filepath.Join(rctabRanked, tc.input), cvr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		c := r.Election().Contests[b.Contests[0].Contest]
		var got []string
		for i, m := range b.Contests[0].Marks {
			got = append(got, c.Choices[m.Choice].ID)
			if int(m.Rank) != i+1 || (m.Flags&canvass.NotCounted != 0) != (i > 0) {
				t.Errorf("%s mark %d: %+v", tc.id, i, m)
			}
		}
		if b.ID != tc.id || fmt.Sprint(got) != fmt.Sprint(tc.ids) {
			t.Errorf("%s: %s ranks %v, want %v", tc.input, b.ID, got, tc.ids)
		}
		r.Close()
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
