package rankcsv

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctabDir holds RCTab's regression cases (testdata/rcv/README.md).
var rctabDir = filepath.Join("..", "..", "testdata", "rcv", "rctab")

// rctabConfig is the part of an RCTab *_config.json that names the CVR sources and candidates
// (RCTab's config_file_documentation.txt). The lead's rcv/sources.go is the real mapping; this
// one only drives the tests.
type rctabConfig struct {
	OutputSettings struct {
		ContestName string `json:"contestName"`
	} `json:"outputSettings"`
	CVRFileSources []rctabSource `json:"cvrFileSources"`
	Candidates     []struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	} `json:"candidates"`
}

type rctabSource struct {
	FilePath                      string  `json:"filePath"`
	ContestID                     string  `json:"contestId"`
	Provider                      string  `json:"provider"`
	FirstVoteColumnIndex          flexInt `json:"firstVoteColumnIndex"`
	FirstVoteRowIndex             flexInt `json:"firstVoteRowIndex"`
	IDColumnIndex                 flexInt `json:"idColumnIndex"`
	BatchColumnIndex              flexInt `json:"batchColumnIndex"`
	PrecinctColumnIndex           flexInt `json:"precinctColumnIndex"`
	OvervoteDelimiter             string  `json:"overvoteDelimiter"`
	OvervoteLabel                 string  `json:"overvoteLabel"`
	SkippedRankLabel              string  `json:"skippedRankLabel"`
	UndeclaredWriteInLabel        string  `json:"undeclaredWriteInLabel"`
	TreatBlankAsUndeclaredWriteIn bool    `json:"treatBlankAsUndeclaredWriteIn"`
}

// flexInt is a 1-based index that RCTab's configs write as a string ("2"), a number (2) or ""
// (unset: 0).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	*f = flexInt(n)
	return err
}

func readConfig(t testing.TB, path string) rctabConfig {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c rctabConfig
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// options maps one cvrFileSource of a config to the reader's options.
func (c rctabConfig) options(s rctabSource) cvr.RankedOptions {
	o := cvr.RankedOptions{
		Contest:                       c.OutputSettings.ContestName,
		FirstVoteColumn:               int(s.FirstVoteColumnIndex),
		FirstVoteRow:                  int(s.FirstVoteRowIndex),
		IDColumn:                      int(s.IDColumnIndex),
		PrecinctColumn:                int(s.PrecinctColumnIndex),
		BatchColumn:                   int(s.BatchColumnIndex),
		OvervoteDelimiter:             s.OvervoteDelimiter,
		OvervoteLabel:                 s.OvervoteLabel,
		UndervoteLabel:                s.SkippedRankLabel,
		UndeclaredWriteInLabel:        s.UndeclaredWriteInLabel,
		TreatBlankAsUndeclaredWriteIn: s.TreatBlankAsUndeclaredWriteIn,
	}
	for _, cand := range c.Candidates {
		o.Candidates = append(o.Candidates, cvr.RankedCandidate{Name: cand.Name, Aliases: cand.Aliases})
	}
	return o
}

// reportSummary reads totalNumBallots and undervotes (ballots with no rankings) from a case's
// expected report, RCTab's own count; ok is false for a case without a report.
func reportSummary(t testing.TB, config string) (ballots, undervotes int64, ok bool) {
	t.Helper()
	base := strings.TrimSuffix(config, "_config.json")
	for _, p := range []string{base + "_expected_detailed_report.json", base + "_1_expected_detailed_report.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var rep struct {
			Summary struct {
				TotalNumBallots string `json:"totalNumBallots"`
				Undervotes      int64  `json:"undervotes"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		n, err := strconv.ParseInt(rep.Summary.TotalNumBallots, 10, 64)
		if err != nil {
			t.Fatalf("%s: totalNumBallots %q", p, rep.Summary.TotalNumBallots)
		}
		return n, rep.Summary.Undervotes, true
	}
	return 0, 0, false
}

// readAll reads every ballot of path, checking each, and returns the number of ballots and of
// ballots with no marks.
func readAll(t testing.TB, path string, opts cvr.RankedOptions) (ballots, blank int64, err error) {
	r, err := Open(path, opts)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	c := r.Election().Contests[0]
	for {
		b, err := r.Next()
		if err == io.EOF {
			return ballots, blank, nil
		}
		if err != nil {
			return ballots, blank, err
		}
		ballots++
		if err := checkBallot(c, b); err != nil {
			t.Fatalf("%s: ballot %d: %v", path, ballots, err)
		}
		if len(b.Contests[0].Marks) == 0 {
			blank++
		}
	}
}

// checkBallot checks that a ballot refers to the contest: one contest entry, choices in range,
// ranks 1 to VoteFor in order, the write-in flag on the write-in choice only.
func checkBallot(c *canvass.Contest, b *canvass.Ballot) error {
	if b.ID == "" {
		return errors.New("no id")
	}
	if len(b.Contests) != 1 || b.Contests[0].Contest != 0 {
		return fmt.Errorf("contests %+v", b.Contests)
	}
	prev := int32(0)
	for _, m := range b.Contests[0].Marks {
		if m.Rank < 1 || int(m.Rank) > c.VoteFor || m.Rank < prev {
			return fmt.Errorf("rank %d after %d (vote for %d)", m.Rank, prev, c.VoteFor)
		}
		prev = m.Rank
		if m.Choice < 0 || int(m.Choice) >= len(c.Choices) {
			return fmt.Errorf("choice %d of %d", m.Choice, len(c.Choices))
		}
		if (m.Flags&canvass.WriteInMark != 0) != c.Choices[m.Choice].WriteIn {
			return fmt.Errorf("write-in flag %v on %q", m.Flags, c.Choices[m.Choice].Name)
		}
	}
	return nil
}

// TestRCTabCases reads the three generic CSV cases and checks the number of ballots and of
// ballots with no rankings against RCTab's expected reports. csv_missing_header_test has no
// header over its first (id) column, which is not a vote column: RCTab tabulates it (its
// report counts 26 ballots), and so does this reader. max_ranking_enforcement has no report:
// its file has 5 rows after the header (RCTab refuses it because rank 4 exceeds the config's
// maxRankingsAllowed of 3, a rule of the tabulation, not of the file).
func TestRCTabCases(t *testing.T) {
	want := map[string][2]int64{
		"generic_csv_test":        {26, 0},
		"csv_missing_header_test": {26, 0},
		"max_ranking_enforcement": {5, 0},
	}
	configs, _ := filepath.Glob(filepath.Join(rctabDir, "*", "*_config.json"))
	cases := 0
	for _, cfgPath := range configs {
		cfg := readConfig(t, cfgPath)
		for _, s := range cfg.CVRFileSources {
			if s.Provider != "genericCsv" {
				continue
			}
			cases++
			name := strings.TrimSuffix(filepath.Base(cfgPath), "_config.json")
			t.Run(name, func(t *testing.T) {
				n, z, err := readAll(t, filepath.Join(filepath.Dir(cfgPath), s.FilePath), cfg.options(s))
				if err != nil {
					t.Fatal(err)
				}
				w, ok := want[name]
				if rb, ru, hasReport := reportSummary(t, cfgPath); hasReport {
					w, ok = [2]int64{rb, ru}, true
				}
				if !ok {
					t.Fatalf("no expected count for %s", name)
				}
				t.Logf("%d ballots, %d with no rankings", n, z)
				if n != w[0] || z != w[1] {
					t.Errorf("%d ballots, %d with no rankings; want %d and %d", n, z, w[0], w[1])
				}
			})
		}
	}
	if cases != 3 {
		t.Errorf("%d generic CSV sources, want 3", cases)
	}
}
