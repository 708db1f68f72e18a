package rcv

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// testConfig builds a config for candidates A, B, C (and more) with the given rules.
func testConfig(t testing.TB, rules string, cands ...string) *Config {
	t.Helper()
	var cs []string
	for _, c := range cands {
		cs = append(cs, fmt.Sprintf(`{"name":%q}`, c))
	}
	js := `{"tabulatorVersion":"TEST","outputSettings":{"contestName":"T"},
	  "cvrFileSources":[{"filePath":"rules_test.go","provider":"cdf"}],
	  "candidates":[` + strings.Join(cs, ",") + `],
	  "rules":{"tiebreakMode":"useCandidateOrder","overvoteRule":"alwaysSkipToNextRank",
	  "winnerElectionMode":"singleWinnerMajority","numberOfWinners":"1","decimalPlacesForVoteArithmetic":"4",
	  "maxSkippedRanksAllowed":"unlimited","maxRankingsAllowed":"max"` + rules + `}}`
	cfg, err := ParseConfig([]byte(js), "./test_config.json")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func ballots(spec ...string) []Ballot {
	var out []Ballot
	for _, s := range spec {
		var count int
		var ranks string
		fmt.Sscanf(s, "%d %s", &count, &ranks)
		for i := 0; i < count; i++ {
			b := Ballot{ID: fmt.Sprint(len(out))}
			for r, c := range strings.Split(ranks, ">") {
				if c == "_" {
					continue
				}
				b.Ranks = append(b.Ranks, Rank{Rank: r + 1, Candidates: strings.Split(c, "+")})
			}
			out = append(out, b)
		}
	}
	return out
}

// TestSingleWinnerHand: 4 A>B, 3 B>C, 2 C>B. Round 1: A 4, B 3, C 2 of 9 active; threshold
// floor(9/2)+1 = 5; C is eliminated and both its ballots go to B. Round 2: A 4, B 5 ≥ 5: B wins.
func TestSingleWinnerHand(t *testing.T) {
	reps, err := Tabulate(testConfig(t, "", "A", "B", "C"), ballots("4 A>B", "3 B>C", "2 C>B"))
	if err != nil {
		t.Fatal(err)
	}
	r := reps[0]
	if len(r.Results) != 2 || r.Results[0].Threshold != "5" || r.Results[0].TallyResults[0].Eliminated != "C" ||
		r.Results[0].TallyResults[0].Transfers["B"] != "2" || r.Results[1].Tally["B"] != "5" ||
		r.Results[1].TallyResults[0].Elected != "B" {
		var buf bytes.Buffer
		r.WriteJSON(&buf)
		t.Fatalf("report:\n%s", buf.String())
	}
}

// TestOvervoteRulesHand: 3 A, 2 B, 2 (A+B)>C. exhaustImmediately: the 2 overvotes are inactive
// in round 1 (overvotes 2) and A 3, B 2, C 0 of 5 active; threshold 3: A wins at once.
// alwaysSkipToNextRank: the overvotes count for C: A 3, B 2, C 2 of 7, threshold 4; B and C tie
// at 2 and useCandidateOrder eliminates the later in the list, C, whose 2 ballots exhaust (no
// rank after C): round 2 A 3, B 2 of 5, threshold 3, A wins.
func TestOvervoteRulesHand(t *testing.T) {
	in := ballots("3 A", "2 B", "2 A+B>C")
	reps, err := Tabulate(testConfig(t, `,"overvoteRule":"exhaustImmediately"`, "A", "B", "C"), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := reps[0].Results; len(r) != 1 || r[0].InactiveBallots["overvotes"] != "2" || r[0].Threshold != "3" || r[0].TallyResults[0].Elected != "A" {
		t.Errorf("exhaustImmediately: %+v", r)
	}
	reps, err = Tabulate(testConfig(t, "", "A", "B", "C"), in)
	if err != nil {
		t.Fatal(err)
	}
	if r := reps[0].Results; len(r) != 2 || r[0].Threshold != "4" || r[0].TallyResults[0].Eliminated != "C" ||
		r[0].TallyResults[0].Transfers["exhausted"] != "2" || r[1].Threshold != "3" || r[1].TallyResults[0].Elected != "A" {
		t.Errorf("alwaysSkipToNextRank: %+v", r)
	}
}

// TestSurplusHand: 2 seats, 1 decimal place, 7 A>B, 2 B, 1 C. Threshold floor(10/3)+1 = 4; A
// has 7, surplus fraction trunc(3/7, 1) = 0.4, so each A ballot moves on with 0.4 and keeps
// 0.6: round 2 A shows 7 × 0.6 = 4.2 (0.2 residual surplus, then the threshold 4), B 2 + 2.8 =
// 4.8 ≥ 4 wins.
func TestSurplusHand(t *testing.T) {
	cfg := testConfig(t, `,"winnerElectionMode":"multiWinnerAllowMultipleWinnersPerRound","numberOfWinners":"2","decimalPlacesForVoteArithmetic":"1"`, "A", "B", "C")
	reps, err := Tabulate(cfg, ballots("7 A>B", "2 B", "1 C"))
	if err != nil {
		t.Fatal(err)
	}
	r := reps[0].Results
	if r[0].Threshold != "4" || r[0].TallyResults[0].Elected != "A" || r[0].TallyResults[0].Transfers["B"] != "2.8" ||
		r[0].TallyResults[0].Transfers["residual surplus"] != "0.2" || r[1].Tally["A"] != "4" || r[1].Tally["B"] != "4.8" ||
		r[1].TallyResults[0].Elected != "B" {
		t.Errorf("%+v", r)
	}
}

// FuzzParseConfig: the parser never panics and anything it accepts has a contest name and at
// least one source and one candidate.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"tabulatorVersion":"TEST","outputSettings":{"contestName":"T"},"cvrFileSources":[{"filePath":"rules_test.go","provider":"cdf"}],"candidates":[{"name":"A"}],"rules":{"tiebreakMode":"random","randomSeed":"1","overvoteRule":"alwaysSkipToNextRank","winnerElectionMode":"singleWinnerMajority","numberOfWinners":"1","decimalPlacesForVoteArithmetic":"4","maxSkippedRanksAllowed":"1","maxRankingsAllowed":"max"}}`))
	f.Add([]byte(`{"rules":{"numberOfWinners":2,"batchElimination":"True"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, "./x.json")
		if err == nil && (cfg.Output.ContestName == "" || len(cfg.Sources) == 0 || len(cfg.Candidates) == 0) {
			t.Fatalf("accepted an incomplete config: %+v", cfg)
		}
	})
}

// BenchmarkTabulate: 1,000,000 ballots, 36 candidates, each ranking up to 5 candidates drawn
// from a skewed distribution, so many ballots share a ranking (compression).
func BenchmarkTabulate(b *testing.B) {
	var names []string
	for i := 0; i < 36; i++ {
		names = append(names, fmt.Sprintf("C%02d", i))
	}
	cfg := testConfig(b, `,"tiebreakMode":"useCandidateOrder"`, names...)
	rng := rand.New(rand.NewSource(1))
	bs := make([]Ballot, 1000000)
	for i := range bs {
		n := 1 + rng.Intn(5)
		used := map[int]bool{}
		for r := 1; r <= n; r++ {
			c := int(rng.ExpFloat64() * 6)
			if c >= 36 || used[c] {
				continue
			}
			used[c] = true
			bs[i].Ranks = append(bs[i].Ranks, Rank{Rank: r, Candidates: []string{names[c]}})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reps, err := Tabulate(cfg, bs)
		if err != nil || len(reps) != 1 {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(reps[0].Results)), "rounds")
	}
}
