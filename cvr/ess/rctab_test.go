package ess

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/internal/rctabtest"
)

// rctabDir holds RCTab's regression cases (testdata/rcv/README.md).
var rctabDir = rctabtest.Dir

func readConfig(t testing.TB, p string) rctabtest.Config { return rctabtest.ReadConfig(t, p) }

func readAll(t testing.TB, p string, o cvr.RankedOptions) (ballots, blank int64, err error) {
	return rctabtest.ReadAll(t, p, o, Open)
}

func checkBallot(c *canvass.Contest, b *canvass.Ballot) error { return rctabtest.CheckBallot(c, b) }

// TestRCTabCases reads every ES&S source of every RCTab case and checks the number of ballots
// and of ballots with no rankings against the case's expected report (its summary's
// totalNumBallots and undervotes, RCTab's counts). invalid_sources_test must be refused:
// missing files, a source without a first vote row, and a file naming candidates that are not
// in the config ("Rando 1").
func TestRCTabCases(t *testing.T) {
	configs, err := filepath.Glob(filepath.Join(rctabDir, "*", "*_config.json"))
	if err != nil || len(configs) == 0 {
		t.Fatalf("no RCTab configs in %s (%v)", rctabDir, err)
	}
	cases := 0
	for _, cfgPath := range configs {
		cfg := readConfig(t, cfgPath)
		var sources []rctabtest.Source
		for _, s := range cfg.CVRFileSources {
			if s.Provider == "ess" {
				sources = append(sources, s)
			}
		}
		if len(sources) == 0 {
			continue
		}
		cases++
		name := filepath.Base(cfgPath)
		t.Run(strings.TrimSuffix(name, "_config.json"), func(t *testing.T) {
			var ballots, blank int64
			for _, s := range sources {
				p := filepath.Join(filepath.Dir(cfgPath), s.FilePath)
				n, z, err := readAll(t, p, cfg.Options(s))
				if _, absent := absentFiles[name]; absent {
					if !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s: %v, want an error saying the file does not exist", s.FilePath, err)
					}
					continue
				}
				if strings.HasPrefix(name, "invalid_sources_test") {
					var pe *canvass.ParseError
					if err == nil {
						t.Errorf("%s: read %d ballots, want an error", s.FilePath, n)
					} else if !errors.As(err, &pe) && !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s: error %v (%T) is not a ParseError", s.FilePath, err, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", s.FilePath, err)
				}
				ballots += n
				blank += z
			}
			want, wantBlank, ok := rctabtest.ReportSummary(t, cfgPath)
			if !ok {
				if w, known := ballotsWithoutReport[name]; known {
					want, wantBlank, ok = w[0], w[1], true
				}
			}
			if !ok {
				if _, absent := absentFiles[name]; !absent && !strings.HasPrefix(name, "invalid_sources_test") {
					t.Fatalf("no expected count for %s", name)
				}
				return
			}
			t.Logf("%d ballots, %d with no rankings", ballots, blank)
			if ballots != want || blank != wantBlank {
				t.Errorf("%d ballots, %d with no rankings; RCTab counts %d and %d", ballots, blank, want, wantBlank)
			}
		})
	}
	// 39 cases use ES&S sources (one config of them, sample_interactive_tiebreak, has two
	// configs in its folder).
	if cases < 39 {
		t.Errorf("%d configs with ES&S sources, want at least 39", cases)
	}
}

// ballotsWithoutReport are the counts of the cases that have no expected report, counted by
// hand from the files: conversions_from_ess and sample_interactive_tiebreak read
// _shared/simple_ess_cvr.xlsx (10 rows after the header, every one with a first choice).
var ballotsWithoutReport = map[string][2]int64{
	"conversions_from_ess_config.json":        {10, 0},
	"sample_interactive_tiebreak_config.json": {10, 0},
}

// absentFiles are configs whose CVR file is not in the case (RCTab's interactive tiebreak
// sequential config names sample_interactive_tiebreak_cvr.xlsx, which the suite does not ship).
var absentFiles = map[string]bool{"sample_interactive_tiebreak_sequential_config.json": true}
