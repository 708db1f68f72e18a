// Package rctabtest holds what the tests of the ranked CVR readers share to read RCTab's
// regression cases: the part of a case's configuration that names its CVR sources, the
// expected report's ballot counts, and checks of the ballots a reader returns. (The readers'
// tests cannot use package rcv, which imports the readers.)
package rctabtest

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

// Dir holds RCTab's regression cases (testdata/rcv/README.md).
var Dir = filepath.Join("..", "..", "testdata", "rcv", "rctab")

// Config is the part of an RCTab *_config.json that names the CVR sources and candidates
// (RCTab's config_file_documentation.txt). rcv/sources.go is the real mapping; this
// one only drives the tests.
type Config struct {
	OutputSettings struct {
		ContestName string `json:"contestName"`
	} `json:"outputSettings"`
	CVRFileSources []Source `json:"cvrFileSources"`
	Candidates     []struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	} `json:"candidates"`
}

type Source struct {
	FilePath                      string  `json:"filePath"`
	ContestID                     string  `json:"contestId"`
	Provider                      string  `json:"provider"`
	FirstVoteColumnIndex          FlexInt `json:"firstVoteColumnIndex"`
	FirstVoteRowIndex             FlexInt `json:"firstVoteRowIndex"`
	IDColumnIndex                 FlexInt `json:"idColumnIndex"`
	BatchColumnIndex              FlexInt `json:"batchColumnIndex"`
	PrecinctColumnIndex           FlexInt `json:"precinctColumnIndex"`
	OvervoteDelimiter             string  `json:"overvoteDelimiter"`
	OvervoteLabel                 string  `json:"overvoteLabel"`
	SkippedRankLabel              string  `json:"skippedRankLabel"`
	UndeclaredWriteInLabel        string  `json:"undeclaredWriteInLabel"`
	TreatBlankAsUndeclaredWriteIn bool    `json:"treatBlankAsUndeclaredWriteIn"`
}

// FlexInt is a 1-based index that RCTab's configs write as a string ("2"), a number (2) or ""
// (unset: 0).
type FlexInt int

func (f *FlexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	*f = FlexInt(n)
	return err
}

func ReadConfig(t testing.TB, path string) Config {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// Options maps one cvrFileSource of a config to the reader's options.
func (c Config) Options(s Source) cvr.RankedOptions {
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

// ReportSummary reads totalNumBallots and undervotes (ballots with no rankings) from a case's
// expected report, RCTab's own count; ok is false for a case without a report.
func ReportSummary(t testing.TB, config string) (ballots, undervotes int64, ok bool) {
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

// ReadAll reads every ballot of path, checking that each refers to the election, and returns
// the number of ballots and of ballots with no marks.
func ReadAll(t testing.TB, path string, opts cvr.RankedOptions, open func(string, cvr.RankedOptions) (cvr.Reader, error)) (ballots, blank int64, err error) {
	r, err := open(path, opts)
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
		if err := CheckBallot(c, b); err != nil {
			t.Fatalf("%s: ballot %d: %v", path, ballots, err)
		}
		if len(b.Contests[0].Marks) == 0 {
			blank++
		}
	}
}

// CheckBallot checks that a ballot refers to the contest: one contest entry, choices in range
// or NoChoice with OvervoteMark, ranks 1 to VoteFor, ranks not decreasing, write-in flags on
// the write-in choice only.
func CheckBallot(c *canvass.Contest, b *canvass.Ballot) error {
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
		if m.Choice == canvass.NoChoice {
			if m.Flags != canvass.OvervoteMark {
				return fmt.Errorf("NoChoice with flags %v", m.Flags)
			}
			continue
		}
		if m.Choice < 0 || int(m.Choice) >= len(c.Choices) {
			return fmt.Errorf("choice %d of %d", m.Choice, len(c.Choices))
		}
		if (m.Flags&canvass.WriteInMark != 0) != c.Choices[m.Choice].WriteIn {
			return fmt.Errorf("write-in flag %v on %q", m.Flags, c.Choices[m.Choice].Name)
		}
	}
	return nil
}
