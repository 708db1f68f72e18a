package rcv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// rctabCases is the copy of RCTab's regression cases (see testdata/README.md).
var rctabCases = casesDir

// mustRefuse are the cases RCTab refuses (../testdata/rcv/README.md).
func mustRefuse(name string) bool {
	return strings.HasPrefix(name, "invalid_") || name == "max_ranking_enforcement" ||
		name == "tabulate_by_precinct_without_precincts" || name == "signature_validation" || name == "sample_interactive_tiebreak"
}

// TestRCTabCases runs every configuration of every case and compares each report with the
// expected one, number by number as exact decimals.
func TestEveryRCTabCase(t *testing.T) {
	dirs, err := os.ReadDir(rctabCases)
	if err != nil {
		t.Fatal(err)
	}
	var n, same int
	var failed []string
	for _, d := range dirs {
		if !d.IsDir() || strings.HasPrefix(d.Name(), "_") || d.Name() == "unisyn_cvrs" || strings.HasPrefix(d.Name(), "conversions_from_") {
			continue
		}
		dir := filepath.Join(rctabCases, d.Name())
		configs, _ := filepath.Glob(filepath.Join(dir, "*_config.json"))
		for _, cfgPath := range configs {
			n++
			name := strings.TrimSuffix(filepath.Base(cfgPath), "_config.json")
			problems := runEveryCase(t, d.Name(), dir, cfgPath, name)
			if len(problems) == 0 {
				same++
				continue
			}
			failed = append(failed, name+": "+strings.Join(problems[:min(3, len(problems))], "; "))
		}
	}
	sort.Strings(failed)
	for _, f := range failed {
		t.Error(f)
	}
	t.Logf("%d cases, %d identical", n, same)
}

func runEveryCase(t *testing.T, caseName, dir, cfgPath, name string) []string {
	n, diffs, err := runCase(dir, name)
	if mustRefuse(caseName) {
		if err == nil {
			return []string{"accepted; RCTab refuses it"}
		}
		return nil
	}
	if err != nil {
		return []string{err.Error()}
	}
	// Every expected report of this configuration must have been compared: the contest's (or
	// each pass's) and each precinct's and batch's.
	want := 0
	for _, pat := range []string{name + "_expected_detailed_report.json", name + "_*_expected_detailed_report.json",
		filepath.Join("Tabulate by Precinct", name+"_expected_*_detailed_report.json"), filepath.Join("Tabulate by Batch", name+"_expected_*_detailed_report.json")} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		want += len(m)
	}
	if n != want || n == 0 {
		diffs = append(diffs, fmt.Sprintf("%d of the %d expected reports compared", n, want))
	}
	return diffs
}
