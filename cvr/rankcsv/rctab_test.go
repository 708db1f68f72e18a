package rankcsv

import (
	"github.com/canvass-vote/canvass/internal/rctabtest"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctabDir holds RCTab's regression cases (testdata/rcv/README.md).
var rctabDir = rctabtest.Dir

func readConfig(t testing.TB, p string) rctabtest.Config { return rctabtest.ReadConfig(t, p) }

func readAll(t testing.TB, p string, o cvr.RankedOptions) (ballots, blank int64, err error) {
	return rctabtest.ReadAll(t, p, o, Open)
}

func checkBallot(c *canvass.Contest, b *canvass.Ballot) error { return rctabtest.CheckBallot(c, b) }

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
				n, z, err := readAll(t, filepath.Join(filepath.Dir(cfgPath), s.FilePath), cfg.Options(s))
				if err != nil {
					t.Fatal(err)
				}
				w, ok := want[name]
				if rb, ru, hasReport := rctabtest.ReportSummary(t, cfgPath); hasReport {
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
