package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/raire"
	"github.com/canvass-vote/canvass/rcv"
	"github.com/canvass-vote/canvass/store"
)

// rctabDir holds RCTab's regression cases (testdata/rcv/README.md; Mozilla Public License 2.0).
var rctabDir = filepath.Join("..", "testdata", "rcv", "rctab")

// TestIRVRanking: a ballot's ranking under each of RCTab's rules, by hand. The ballot ranks
// A at 1, B and C at 2 (an overvote), nothing at 3 and 4, D at 5, A again at 6 and E at 7.
func TestIRVRanking(t *testing.T) {
	b := rcv.Ballot{ID: "1", Ranks: []rcv.Rank{
		{Rank: 1, Candidates: []string{"A"}}, {Rank: 2, Candidates: []string{"B", "C"}},
		{Rank: 5, Candidates: []string{"D"}}, {Rank: 6, Candidates: []string{"A"}}, {Rank: 7, Candidates: []string{"E"}},
	}}
	none := func(string) bool { return false }
	for _, tc := range []struct {
		name string
		r    rcv.Rules
		drop func(string) bool
		want []string
	}{
		// The overvote at rank 2 exhausts the ballot once A is out.
		{"exhaust at overvote", rcv.Rules{Overvote: rcv.OvervoteExhaustImmediately, MaxSkippedRanks: -1}, none, []string{"A"}},
		// Skipped: then D (two blank ranks allowed), A again passed over, E.
		{"skip overvote", rcv.Rules{Overvote: rcv.OvervoteAlwaysSkip, MaxSkippedRanks: -1}, none, []string{"A", "D", "E"}},
		// Two blank ranks (3, 4) are more than one allowed: exhausted before D.
		{"one skipped rank", rcv.Rules{Overvote: rcv.OvervoteAlwaysSkip, MaxSkippedRanks: 1}, none, []string{"A"}},
		{"two skipped ranks", rcv.Rules{Overvote: rcv.OvervoteAlwaysSkip, MaxSkippedRanks: 2}, none, []string{"A", "D", "E"}},
		// A ranked again exhausts the ballot at rank 6.
		{"exhaust on duplicate", rcv.Rules{Overvote: rcv.OvervoteAlwaysSkip, MaxSkippedRanks: -1, ExhaustOnDuplicate: true}, none, []string{"A", "D"}},
		// With C excluded, the overvote has one live candidate under exhaustIfMultipleContinuing:
		// it reads as B.
		{"overvote with one live candidate", rcv.Rules{Overvote: rcv.OvervoteExhaustIfMultiple, MaxSkippedRanks: -1}, func(c string) bool { return c == "C" }, []string{"A", "B", "D", "E"}},
		// D dropped (an undeclared write-in): passed over, its rank still counts as a rank.
		{"dropped candidate", rcv.Rules{Overvote: rcv.OvervoteAlwaysSkip, MaxSkippedRanks: 2}, func(c string) bool { return c == "D" }, []string{"A", "E"}},
	} {
		got, err := IRVRanking(&tc.r, &b, tc.drop)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
	// Under exhaustIfMultipleContinuing an overvote of two live candidates has no fixed ranking.
	r := rcv.Rules{Overvote: rcv.OvervoteExhaustIfMultiple, MaxSkippedRanks: -1}
	if _, err := IRVRanking(&r, &b, none); !errors.Is(err, ErrNotIRV) {
		t.Errorf("exhaustIfMultipleContinuing: %v", err)
	}
}

// expectedWinner reads the winner from an RCTab expected detailed report.
func expectedWinner(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var rep struct {
		Results []struct {
			TallyResults []struct {
				Elected string `json:"elected"`
			} `json:"tallyResults"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return "", err
	}
	var w string
	for _, r := range rep.Results {
		for _, tr := range r.TallyResults {
			if tr.Elected != "" {
				w = tr.Elected
			}
		}
	}
	return w, nil
}

// irvCase is one single-winner instant-runoff RCTab case read for RAIRE.
type irvCase struct {
	name    string
	contest *raire.Contest
	winner  string // the winner of RCTab's expected report
	ballots int64  // every ballot read, with a ranking or not
	rules   rcv.Rules
	raw     []rcv.Ballot
	keep    map[string]bool
}

// loadIRVCase reads a case's configuration and ballots; skip says why a case is not one RAIRE
// audits (or not one RCTab accepts).
func loadIRVCase(dir, cfgPath string) (c *irvCase, skip string, err error) {
	cfg, err := rcv.LoadConfig(cfgPath)
	if err != nil {
		return nil, "RCTab refuses the configuration", nil
	}
	if err := checkIRVRules(&cfg.Rules); err != nil {
		return nil, err.Error(), nil
	}
	name := strings.TrimSuffix(filepath.Base(cfgPath), "_config.json")
	winner, err := expectedWinner(filepath.Join(dir, name+"_expected_detailed_report.json"))
	if err != nil {
		return nil, "no expected report", nil
	}
	ballots, err := rcv.LoadBallots(cfg)
	if err != nil {
		return nil, "RCTab refuses the CVRs", nil
	}
	con, err := IRVContestFromRCV(cfg, ballots)
	if errors.Is(err, ErrNotIRV) {
		return nil, err.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	keep := map[string]bool{}
	for _, c := range con.Candidates {
		keep[c] = true
	}
	return &irvCase{name: name, contest: con, winner: winner, ballots: int64(len(ballots)), rules: cfg.Rules, raw: ballots, keep: keep}, "", nil
}

// irvCases are the single-winner instant-runoff cases among RCTab's, in name order, and why
// the others were passed over.
func irvCases(t testing.TB, root string) ([]*irvCase, map[string]string) {
	t.Helper()
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []*irvCase
	skipped := map[string]string{}
	for _, d := range dirs {
		if !d.IsDir() || strings.HasPrefix(d.Name(), "_") || d.Name() == "unisyn_cvrs" || strings.HasPrefix(d.Name(), "conversions_from_") {
			continue
		}
		dir := filepath.Join(root, d.Name())
		cfgs, _ := filepath.Glob(filepath.Join(dir, "*_config.json"))
		sort.Strings(cfgs)
		for _, p := range cfgs {
			c, skip, err := loadIRVCase(dir, p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if c == nil {
				skipped[strings.TrimSuffix(filepath.Base(p), "_config.json")] = skip
				continue
			}
			out = append(out, c)
		}
	}
	return out, skipped
}

// TestRCTabIRVCases: every single-winner instant-runoff case of RCTab's suite. Where the count
// of the rankings has one possible winner, it is the winner of RCTab's expected report, and
// RAIRE's assertions prove it (Proves, from the assertions alone). Where the count turns on a
// tie (the cases that test RCTab's tiebreaks), RAIRE answers that only a full hand count can
// confirm the outcome. The two cases whose overvotes RCTab resolves by exhaustIfMultipleContinuing
// have no fixed rankings and are refused.
func TestRCTabIRVCases(t *testing.T) {
	cases, skipped := irvCases(t, rctabDir)
	for _, name := range []string{"exhaust_if_multiple_continuing", "test_set_overvote_delimiter"} {
		if !strings.Contains(skipped[name], "exhaustIfMultipleContinuing") {
			t.Errorf("%s: %q, want it refused for its overvotes", name, skipped[name])
		}
	}
	var audited, tied int
	for _, c := range cases {
		r, err := raire.Generate(c.contest, raire.Options{Winner: c.winner, Model: raire.Model{Kind: raire.OneOnMargin, Ballots: c.ballots}})
		var e *raire.Error
		switch {
		case errors.As(err, &e) && e.Kind == raire.TiedWinners:
			tied++
			if !errors.Is(err, raire.ErrFullHandCount) || !contains(e.Names, c.winner) {
				t.Errorf("%s: %v; RCTab's winner %s should be among the tied", c.name, err, c.winner)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		audited++
		as := make([]raire.Assertion, len(r.Assertions))
		for i, a := range r.Assertions {
			as[i] = a.Assertion
			if a.Margin <= 0 || a.Difficulty != float64(c.ballots)/float64(a.Margin) {
				t.Errorf("%s: %s margin %d difficulty %v", c.name, a.Assertion, a.Margin, a.Difficulty)
			}
		}
		if ok, err := raire.Proves(len(r.Candidates), r.Winner, as); !ok || err != nil || r.Candidates[r.Winner] != c.winner {
			t.Errorf("%s: winner %s, RCTab %s; proved %v %v", c.name, r.Candidates[r.Winner], c.winner, ok, err)
		}
		t.Logf("%-45s %7d ballots %2d candidates: %6d assertions, difficulty %7.2f (margin %d)", c.name, c.ballots, len(c.contest.Candidates), len(r.Assertions), r.Difficulty, r.Margin)
	}
	// 45 configurations are single-winner instant runoff with fixed rankings: 13 are decided
	// by ties.
	if audited != 32 || tied != 13 {
		t.Errorf("%d cases audited, %d tied; want 32 and 13", audited, tied)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestWorkspaceIRVAssertions: the CVRs of RCTab's test_set_1_exhaust_at_overvote case
// imported into a workspace: its instant-runoff contest has RCTab's winner as reported winner,
// 15 cards, and assertions that prove the winner; each card's ranking (IRVCardRanking) is
// the one the contest counted. A plurality contest is refused.
func TestWorkspaceIRVAssertions(t *testing.T) {
	ctx := context.Background()
	dir := "../testdata/rcv/rctab/test_set_1_exhaust_at_overvote/"
	w := newWorkspace(t)
	if _, err := w.ImportCVR(ctx, dir+"test_set_1_exhaust_at_overvote_cvr.json", ImportOptions{Format: "cdf"}); err != nil {
		t.Fatal(err)
	}
	want, err := expectedWinner(dir + "test_set_1_exhaust_at_overvote_expected_detailed_report.json")
	if err != nil {
		t.Fatal(err)
	}
	var el *canvass.Election
	if err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		el, err = tx.Election()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	name := el.Contests[0].Name
	c, r, err := w.IRVAssertions(ctx, IRVAssertionsOptions{Contest: name, Model: raire.Model{Kind: raire.MACRO, RiskLimit: 0.05, Gamma: audit.DefaultGamma}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Winner != want || r.Candidates[r.Winner] != want || c.Cards != 15 || r.Model.Ballots != 15 {
		t.Errorf("winner %s (RAIRE %s), RCTab %s; %d cards", c.Winner, r.Candidates[r.Winner], want, c.Cards)
	}
	as := make([]raire.Assertion, len(r.Assertions))
	for i, a := range r.Assertions {
		as[i] = a.Assertion
	}
	if ok, err := raire.Proves(len(r.Candidates), r.Winner, as); !ok || err != nil {
		t.Errorf("the assertions do not prove %s: %v", want, err)
	}
	// The cards' rankings, read one by one, compress to the contest's votes.
	b, _ := raire.NewBuilder(c.Contest.Candidates)
	err = w.Store.View(ctx, func(tx store.Tx) error {
		return tx.Ballots(func(_ string, card *canvass.Ballot) error {
			rk, err := IRVCardRanking(el, name, card)
			if err != nil {
				return err
			}
			return b.Add(rk, 1)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b.Contest().Votes, c.Contest.Votes) {
		t.Errorf("card rankings %v, contest %v", b.Contest().Votes, c.Contest.Votes)
	}
}

// simulatedIRVAudit is a ballot-level comparison audit of an IRV contest's assertions on a
// population of cards, with CVR rankings cvr and paper rankings paper.
type simulatedIRVAudit struct {
	as         []raire.Assorter
	cvr, paper [][]string
	// plurality, if set, is a plurality contest on the same cards (votes by card), audited
	// from the same sample.
	plurality      *audit.Assorter
	pluralityVotes [][]string
}

// run draws up to max cards without replacement (a partial Fisher-Yates shuffle seeded by
// seed) and returns the number of draws after which every assertion's risk is at most
// alpha, by ALPHA on the comparison assorters (useKM false) or the Kaplan-Markov p-value of
// each assertion's discrepancies (useKM true); 0 if the audit is not confirmed within max
// draws (it escalates to a full hand count).
func (s *simulatedIRVAudit) run(seed uint64, max int, alpha float64, useKM bool) (int, error) {
	N := len(s.cvr)
	r := rand.New(rand.NewPCG(seed, 2017))
	idx := make([]int, N)
	for i := range idx {
		idx[i] = i
	}
	draws := make([]int, max)
	for j := range max {
		k := j + r.IntN(N-j)
		idx[j], idx[k] = idx[k], idx[j]
		draws[j] = idx[j]
	}
	// risk[j] is the largest risk over the assertions after j+1 draws.
	risk := make([]float64, max)
	for _, a := range s.as {
		var ps []float64
		if useKM {
			// The running minimum, as the audit stops the first time the risk is at most
			// alpha (the Kaplan-Markov product is a supermartingale: Ville's inequality).
			var d audit.Discrepancies
			ps = make([]float64, max)
			low := 1.0
			for j, c := range draws {
				d.Add(a.Discrepancy(s.cvr[c], s.paper[c], true))
				low = math.Min(low, audit.KaplanMarkovComparisonPValue(int64(j+1), a.Margin(), audit.DefaultGamma, d))
				ps[j] = low
			}
		} else {
			x := make([]float64, max)
			for j, c := range draws {
				x[j] = a.Comparison(s.cvr[c], s.paper[c])
			}
			var err error
			if ps, err = a.Alpha(int64(N)).PValues(x); err != nil {
				return 0, err
			}
		}
		if ps[max-1] > alpha {
			return 0, nil // this assertion is not confirmed within max draws: escalate
		}
		for j := range risk {
			risk[j] = math.Max(risk[j], ps[j])
		}
	}
	if s.plurality != nil {
		x := make([]float64, max)
		for j, c := range draws {
			x[j] = s.plurality.Comparison(s.pluralityVotes[c], s.pluralityVotes[c])
		}
		u := s.plurality.ComparisonUpper()
		ps, err := audit.Alpha{N: int64(N), T: 0.5, U: u, Estimator: audit.FixedEta{Eta0: audit.ComparisonEta(*s.plurality)}}.PValues(x)
		if err != nil {
			return 0, err
		}
		for j := range risk {
			risk[j] = math.Max(risk[j], ps[j])
		}
	}
	for j, p := range risk {
		if p <= alpha {
			return j + 1, nil
		}
	}
	return 0, nil
}

// TestSimulateIRVComparisonAudit: comparison audits of the 2017 Minneapolis mayoral contest
// (RCTab's 2017_minneapolis_mayor case: 105,928 cards, 18 candidates; Jacob Frey beat Raymond
// Dehn in the sixth round, 46,704 to 34,970), its assertions generated from the CVRs and each audited on the same sample
// of cards, at a 5% risk limit, up to 1,000 draws (then: a full hand count).
//
//   - Paper as the CVRs: every audit confirms, by ALPHA and by Kaplan-Markov, together with a
//     plurality contest on the same cards (60% Yes, 35% No).
//   - Paper altered (cards whose CVR ranks Frey first read on paper as a first choice for the
//     runner-up, Dehn) until Dehn wins the paper's count: over 300 seeds per method, at
//     most α·300 + 3√(α·300) = 20 audits confirm (the risk limit, with the simulation's
//     sampling error, as the plurality simulations of package audit allow).
func TestSimulateIRVComparisonAudit(t *testing.T) {
	dir := filepath.Join(rctabDir, "2017_minneapolis_mayor")
	c, skip, err := loadIRVCase(dir, filepath.Join(dir, "2017_minneapolis_mayor_config.json"))
	if err != nil || c == nil {
		t.Fatalf("%v %s", err, skip)
	}
	drop := func(x string) bool { return !c.keep[x] }
	cvr := make([][]string, len(c.raw))
	for i := range c.raw {
		if cvr[i], err = IRVRanking(&c.rules, &c.raw[i], drop); err != nil {
			t.Fatal(err)
		}
	}
	N := int64(len(cvr))
	r, err := raire.Generate(c.contest, raire.Options{Winner: c.winner, Model: raire.Model{Kind: raire.MACRO, Ballots: N, RiskLimit: 0.05, Gamma: audit.DefaultGamma}})
	if err != nil {
		t.Fatal(err)
	}
	as, err := r.Assorters(N)
	if err != nil {
		t.Fatal(err)
	}
	// The hardest assertions first: an audit that one of them keeps from confirming stops
	// there.
	sort.SliceStable(as, func(i, j int) bool { return as[i].Scored.Difficulty > as[j].Scored.Difficulty })
	winner := r.Candidates[r.Winner]
	runnerUp := r.Candidates[r.EliminationOrder[len(r.EliminationOrder)-2]]
	if winner != "Jacob Frey" || runnerUp != "Raymond Dehn" {
		t.Fatalf("winner %s, runner-up %s", winner, runnerUp)
	}
	const alpha, maxDraws, seeds = 0.05, 1000, 300

	// A plurality contest on the same cards.
	pv := make([][]string, N)
	var yes, no int64
	for i := range pv {
		switch h := (i * 7919) % 100; {
		case h < 60:
			pv[i], yes = []string{"Yes"}, yes+1
		case h < 95:
			pv[i], no = []string{"No"}, no+1
		}
	}
	pas, err := audit.ContestAssorters(&audit.Contest{Name: "Question", Ballots: N, Choices: []audit.Choice{{Name: "Yes", Votes: yes}, {Name: "No", Votes: no}}})
	if err != nil {
		t.Fatal(err)
	}

	right := &simulatedIRVAudit{as: as, cvr: cvr, paper: cvr, plurality: &pas[0], pluralityVotes: pv}
	for _, km := range []bool{false, true} {
		var total int
		for seed := uint64(1); seed <= 20; seed++ {
			n, err := right.run(seed, maxDraws, alpha, km)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatalf("Kaplan-Markov %v, seed %d: a correct outcome was not confirmed in %d draws", km, seed, maxDraws)
			}
			total += n
		}
		t.Logf("paper as CVRs (Kaplan-Markov %v): confirmed after %.1f draws on average (difficulty %.1f)", km, float64(total)/20, r.Difficulty)
	}

	// Alter the paper until the runner-up wins it.
	paper := append([][]string(nil), cvr...)
	order := rand.New(rand.NewPCG(1, 1)).Perm(len(cvr))
	altered, next := 0, 0
	for step := r.Margin / 2; ; step = step / 4 {
		for k := int64(0); k < max(step, 50) && next < len(order); next++ {
			if i := order[next]; len(cvr[i]) > 0 && cvr[i][0] == winner {
				paper[i] = []string{runnerUp}
				altered++
				k++
			}
		}
		b, _ := raire.NewBuilder(c.contest.Candidates)
		for _, p := range paper {
			if err := b.Add(p, 1); err != nil {
				t.Fatal(err)
			}
		}
		_, err := raire.Generate(b.Contest(), raire.Options{Winner: winner, Model: raire.Model{Kind: raire.OneOnMargin, Ballots: N}})
		var e *raire.Error
		if errors.As(err, &e) && e.Kind == raire.WrongWinner {
			if !contains(e.Names, runnerUp) {
				t.Fatalf("the altered paper elects %v", e.Names)
			}
			break
		}
		if next == len(order) {
			t.Fatal("the paper could not be altered enough")
		}
	}
	t.Logf("%d of %d cards altered (the smallest assertion margin is %d)", altered, N, r.Margin)
	wrong := &simulatedIRVAudit{as: as, cvr: cvr, paper: paper}
	allowed := int(alpha*seeds + 3*math.Sqrt(alpha*seeds))
	for _, km := range []bool{false, true} {
		confirmed := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			n, err := wrong.run(seed, maxDraws, alpha, km)
			if err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				confirmed++
			}
		}
		if confirmed > allowed {
			t.Errorf("Kaplan-Markov %v: the wrong outcome was confirmed by %d of %d audits; at most %d allowed", km, confirmed, seeds, allowed)
		}
		t.Logf("paper altered (Kaplan-Markov %v): %d of %d audits confirmed, %d escalated", km, confirmed, seeds, seeds-confirmed)
	}
}

// BenchmarkIRVAssertions times raire.Generate (1/margin model, MinimizeTree) on every
// single-winner instant-runoff case of RCTab's suite (the count, the search and the trimming;
// reading the CVRs is not timed), and on the 2013 Minneapolis mayoral scale case (1,041,313
// ballots, 35 candidates) from the shared data folder when it is there (it is not copied into
// the repository; the benchmark says so when it is absent). A case decided by a tie is timed
// to its TiedWinners answer.
func BenchmarkIRVAssertions(b *testing.B) {
	cases, _ := irvCases(b, rctabDir)
	scale := filepath.Join("..", "..", "shared", "data", "rcv", "rctab", "2013_minneapolis_mayor_scale")
	if _, err := os.Stat(scale); err != nil {
		b.Logf("%s is absent (it lives in the shared data folder, not in the repository): the scale case is not measured", scale)
	} else {
		c, skip, err := loadIRVCase(scale, filepath.Join(scale, "2013_minneapolis_mayor_scale_config.json"))
		if err != nil || c == nil {
			b.Fatalf("scale case: %v %s", err, skip)
		}
		c.raw = nil
		cases = append(cases, c)
	}
	for _, c := range cases {
		c.raw = nil
		b.Run(c.name, func(b *testing.B) {
			opts := raire.Options{Winner: c.winner, Model: raire.Model{Kind: raire.OneOnMargin, Ballots: c.ballots}}
			var r *raire.Result
			for b.Loop() {
				var err error
				r, err = raire.Generate(c.contest, opts)
				if err != nil && !errors.Is(err, raire.ErrFullHandCount) {
					b.Fatal(err)
				}
			}
			if r != nil {
				b.ReportMetric(float64(len(r.Assertions)), "assertions")
				b.ReportMetric(r.Difficulty, "difficulty")
			}
			b.ReportMetric(float64(len(c.contest.Votes)), "rankings")
		})
	}
}
