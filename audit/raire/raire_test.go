package raire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// table1 is the election of RAIRE's Table 1 (Blom, Stuckey, Teague 2019): candidates c1–c4,
// 60,000 ballots.
func table1(t testing.TB) *Contest {
	t.Helper()
	b, err := NewBuilder([]string{"c1", "c2", "c3", "c4"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		n int64
		r []string
	}{
		{4000, []string{"c2", "c3"}}, {20000, []string{"c1"}}, {9000, []string{"c3", "c4"}},
		{6000, []string{"c2", "c3", "c4"}}, {15000, []string{"c4", "c1", "c2"}}, {6000, []string{"c1", "c3"}},
	} {
		if err := b.Add(v.r, v.n); err != nil {
			t.Fatal(err)
		}
	}
	return b.Contest()
}

// guide is the example of chapter 6 of "A Guide to RAIRE" (Democracy Developers), as raire-rs's
// WebContent/example_input/a_guide_to_RAIRE_eg_guide.json gives it: 13,500 ballots.
func guide(t testing.TB) *Contest {
	t.Helper()
	b, err := NewBuilder([]string{"Alice", "Bob", "Chuan", "Diego"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		n int64
		r []string
	}{
		{5000, []string{"Chuan", "Bob", "Alice"}}, {1000, []string{"Bob", "Chuan", "Diego"}},
		{1500, []string{"Diego", "Alice"}}, {4000, []string{"Alice", "Diego"}}, {2000, []string{"Diego"}},
	} {
		if err := b.Add(v.r, v.n); err != nil {
			t.Fatal(err)
		}
	}
	return b.Contest()
}

// TestTable1Count: RAIRE sec. 2, Example 1: c3 (9,000 first preferences) is eliminated first,
// then c2 (10,000 with c3's transfers: 4,000 + 6,000 = 10,000 against c1 26,000, c4 24,000),
// then c1 (26,000 against c4's 30,000): winner c4, elimination order c3, c2, c1, c4.
func TestTable1Count(t *testing.T) {
	c := table1(t)
	tl, err := newTallies(c)
	if err != nil {
		t.Fatal(err)
	}
	w, order, err := tl.count(&budget{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(c.Candidates, members(w)); len(got) != 1 || got[0] != "c4" {
		t.Errorf("winners %v, want c4", got)
	}
	if got := strings.Join(names(c.Candidates, order), ","); got != "c3,c2,c1,c4" {
		t.Errorf("elimination order %s, want c3,c2,c1,c4", got)
	}
	// raire-rs tests/test_paper_examples.rs: restricted tallies {c1,c2,c4} = 26000, 10000,
	// 24000 and {c1,c4} = 26000, 30000.
	out := make([]int64, 4)
	tl.restricted(0b1011, out)
	if out[0] != 26000 || out[1] != 10000 || out[3] != 24000 {
		t.Errorf("tallies with {c1,c2,c4}: %v", out)
	}
	tl.restricted(0b1001, out)
	if out[0] != 26000 || out[3] != 30000 {
		t.Errorf("tallies with {c1,c4}: %v", out)
	}
	for _, m := range []Model{{Kind: MACRO, Ballots: 60000, RiskLimit: 0.05, Gamma: 1.1}, {Kind: BRAVO, Ballots: 60000, RiskLimit: 0.05}} {
		r, err := Generate(c, Options{Winner: "c4", Model: m})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, c, r)
		t.Logf("%s: %d assertions, difficulty %.1f", m.Kind, len(r.Assertions), r.Difficulty)
	}
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// TestPaperDifficulties: the average sample numbers of RAIRE's worked examples (the values
// the paper prints, to its precision; raire-rs's tests/test_paper_examples.rs checks the same).
func TestPaperDifficulties(t *testing.T) {
	c := table1(t)
	bravo := Model{Kind: BRAVO, Ballots: 60000, RiskLimit: 0.05}
	macro := Model{Kind: MACRO, Ballots: 60000, RiskLimit: 0.05, Gamma: 1.1}
	all := []int{0, 1, 2, 3}
	cases := []struct {
		name string
		c    *Contest
		a    Assertion
		m    Model
		want float64
		tol  float64
	}{
		// Examples 2 and 3: c3 (9,000) is eliminated first; its closest rival is c2 (10,000).
		{"ex2 BRAVO", c, Assertion{NEN, 1, 2, all}, bravo, 6885, 1},
		{"ex3 MACRO", c, Assertion{NEN, 1, 2, all}, macro, 395.4, 0.05},
		// Examples 4 and 6: c2 (10,000) against c4 (24,000) with {c1,c2,c4}; c1 (26,000)
		// against c4 (30,000) with {c1,c4}.
		{"ex4 BRAVO 2", c, Assertion{NEN, 3, 1, []int{0, 1, 3}}, bravo, 64.0, 0.05},
		{"ex6 MACRO 2", c, Assertion{NEN, 3, 1, []int{0, 1, 3}}, macro, 28.2, 0.05},
		{"ex6 MACRO 3", c, Assertion{NEN, 3, 0, []int{0, 3}}, macro, 98.9, 0.05},
		// Example 4's third ASN, 1,186, divides by the 56,000 ballots still active when only
		// c1 and c4 remain (raire-rs's BallotPollingBRAVOUsingActivePaperCount); over all
		// 60,000 ballots the same assertion is 1,271.6.
		{"ex4 BRAVO 3 (active)", c, Assertion{NEN, 3, 0, []int{0, 3}}, Model{Kind: BRAVO, Ballots: 56000, RiskLimit: 0.05}, 1186, 1},
		{"ex4 BRAVO 3 (all)", c, Assertion{NEN, 3, 0, []int{0, 3}}, bravo, 1271.6, 0.1},
	}
	// Example 9's election: 10,000 [c1,c2,c3], 6,000 [c2,c1,c3], 5,999 [c3,c1,c2].
	b9, _ := NewBuilder([]string{"c1", "c2", "c3"})
	b9.AddIndices([]int{0, 1, 2}, 10000)
	b9.AddIndices([]int{1, 0, 2}, 6000)
	b9.AddIndices([]int{2, 0, 1}, 5999)
	bravo9 := Model{Kind: BRAVO, Ballots: 21999, RiskLimit: 0.05}
	macro9 := Model{Kind: MACRO, Ballots: 21999, RiskLimit: 0.05, Gamma: 1.1}
	cases = append(cases, []struct {
		name string
		c    *Contest
		a    Assertion
		m    Model
		want float64
		tol  float64
	}{
		// Examples 10 and 11: c1 is not eliminated before c2 (10,000 against 6,000), nor
		// before c3 (10,000 against 5,999). Example 10's BRAVO ASNs divide by the ballots that
		// count for either candidate (16,000 and 15,999, as raire-rs's NEB passes for its
		// "active paper count"); over all 21,999 ballots they are 135.3 and 135.2.
		{"ex10 BRAVO 1", b9.Contest(), Assertion{Type: NEB, Winner: 0, Loser: 1}, Model{Kind: BRAVO, Ballots: 16000, RiskLimit: 0.05}, 98.4, 0.05},
		{"ex10 BRAVO 2", b9.Contest(), Assertion{Type: NEB, Winner: 0, Loser: 2}, Model{Kind: BRAVO, Ballots: 15999, RiskLimit: 0.05}, 98.3, 0.05},
		{"ex10 BRAVO 1 (all)", b9.Contest(), Assertion{Type: NEB, Winner: 0, Loser: 1}, bravo9, 135.27, 0.01},
		{"ex11 MACRO 1", b9.Contest(), Assertion{Type: NEB, Winner: 0, Loser: 1}, macro9, 36.2, 0.05},
		{"ex11 MACRO 2", b9.Contest(), Assertion{Type: NEB, Winner: 0, Loser: 2}, macro9, 36.2, 0.05},
	}...)
	for _, tc := range cases {
		s, err := Score(tc.c, tc.a, tc.m)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !near(s.Difficulty, tc.want, tc.tol) {
			t.Errorf("%s: difficulty %.3f, paper %v", tc.name, s.Difficulty, tc.want)
		}
	}
}

// example12 is RAIRE's Example 12: 27,000 ballots, c1 wins. ([c3,c1,c1] ranks c1 twice.)
func example12(t testing.TB) *Contest {
	b, _ := NewBuilder([]string{"c1", "c2", "c3", "c4"})
	for _, v := range []struct {
		n int64
		p []int
	}{{5000, []int{0, 1, 2}}, {5000, []int{0, 2, 1}}, {5000, []int{1, 2, 0}}, {1500, []int{1, 0, 2}}, {5000, []int{2, 1, 0}}, {500, []int{2, 0, 0}}, {5000, []int{3, 0}}} {
		if err := b.AddIndices(v.p, v.n); err != nil {
			t.Fatal(err)
		}
	}
	return b.Contest()
}

// TestExample12: RAIRE's Example 12 and the whole search on it. The paper gives each
// assertion's ASN as a percentage of the 27,000 ballots (to 0.1% for polling, 0.01% for
// comparison); raire-rs's tests give the difficulty of the search's answer: 278.25 under
// BRAVO and 44.49 under MACRO (α = 0.05, γ = 1.1).
func TestExample12(t *testing.T) {
	c := example12(t)
	bravo := Model{Kind: BRAVO, Ballots: 27000, RiskLimit: 0.05}
	macro := Model{Kind: MACRO, Ballots: 27000, RiskLimit: 0.05, Gamma: 1.1}
	pct := []struct {
		a    Assertion
		m    Model
		want float64
		tol  float64
	}{
		{Assertion{NEN, 0, 1, []int{0, 1}}, bravo, 1.0, 0.1},
		{Assertion{NEN, 0, 2, []int{0, 2}}, bravo, 0.5, 0.1},
		{Assertion{Type: NEB, Winner: 0, Loser: 3}, bravo, 0.4, 0.1},
		{Assertion{NEN, 0, 2, []int{0, 1, 2}}, bravo, 0.1, 0.1},
		{Assertion{NEN, 0, 1, []int{0, 1}}, macro, 0.17, 0.01},
		{Assertion{NEN, 0, 2, []int{0, 1, 2}}, macro, 0.07, 0.01},
		{Assertion{NEN, 0, 2, []int{0, 2}}, macro, 0.11, 0.01},
		{Assertion{Type: NEB, Winner: 0, Loser: 3}, macro, 0.13, 0.01},
		{Assertion{NEN, 1, 3, []int{1, 3}}, macro, 0.04, 0.01},
		{Assertion{NEN, 2, 3, []int{2, 3}}, macro, 0.04, 0.01},
	}
	for _, p := range pct {
		s, err := Score(c, p.a, p.m)
		if err != nil {
			t.Fatal(err)
		}
		if got := 100 * s.Difficulty / 27000; !near(got, p.want, p.tol) {
			t.Errorf("%s under %s: %.3f%% of the ballots, paper %v%%", p.a, p.m.Kind, got, p.want)
		}
	}
	for _, tc := range []struct {
		m    Model
		want float64
	}{{bravo, 278.25}, {macro, 44.49}} {
		for _, trim := range []Trim{TrimNone, MinimizeTree, MinimizeAssertions} {
			r, err := Generate(c, Options{Winner: "c1", Model: tc.m, Trim: trim})
			if err != nil {
				t.Fatal(err)
			}
			if !near(r.Difficulty, tc.want, 0.01) {
				t.Errorf("%s, %s: difficulty %.3f, raire-rs %v", tc.m.Kind, trim, r.Difficulty, tc.want)
			}
			checkResult(t, c, r)
		}
	}
}

// guideAssertions are the five assertions raire-rs lists for the guide example
// (WebContent/example_assertions/a_guide_to_RAIRE_eg_guide.json), with their difficulties
// under 1/margin with 13,500 ballots; candidates 0 Alice, 1 Bob, 2 Chuan, 3 Diego.
//
// By hand: NEB(Chuan, Bob): Chuan's 5,000 first preferences against the 1,000 [B,C,D] that
// rank Bob above Chuan, margin 4,000, 13,500/4,000 = 3.375. With {Alice, Chuan} Chuan has
// 5,000 + 1,000 = 6,000 and Alice 1,500 + 4,000 = 5,500: margin 500, 27. With {A, C, D}:
// Chuan 6,000, Alice 4,000, Diego 3,500: margins 2,500 (5.4) and 500 (27). With all four:
// Alice 4,000 against Bob's 1,000: 3,000, 4.5.
var guideAssertions = map[string]float64{
	"NEB 2>1":           3.375,
	"NEN 2>0 {0,2}":     27,
	"NEN 2>3 {0,2,3}":   5.4,
	"NEN 0>3 {0,2,3}":   27,
	"NEN 0>1 {0,1,2,3}": 4.5,
}

// TestGuideExample: the guide's example under 1/margin with 13,500 ballots has overall
// difficulty 27. Minimizing the number of assertions gives raire-rs's five; the search itself
// (and the minimal tree) also keeps NEN(Alice > Diego, {Alice, Diego}), 13,500/4,500 = 3
// (Alice 4,000 + 5,000 from [C,B,A] against Diego's 1,500 + 2,000 + 1,000), which raire-rs's
// TrimAlgorithm documentation lists as A1 and says MinimizeTree keeps and MinimizeAssertions
// removes.
func TestGuideExample(t *testing.T) {
	c := guide(t)
	m := Model{Kind: OneOnMargin, Ballots: 13500}
	// raire-rs tests/test_guide_to_raire_examples.rs, test_neb_assertions: only NEB(C, B) has
	// a margin among these nine.
	for _, p := range [][2]int{{1, 0}, {2, 0}, {3, 0}, {0, 1}, {2, 1}, {3, 1}, {0, 3}, {1, 3}, {2, 3}} {
		s, err := Score(c, Assertion{Type: NEB, Winner: p[0], Loser: p[1]}, m)
		if err != nil {
			t.Fatal(err)
		}
		want := math.Inf(1)
		if p == [2]int{2, 1} {
			want = 3.375
		}
		if s.Difficulty != want {
			t.Errorf("%s: %v, want %v", s.Assertion, s.Difficulty, want)
		}
	}
	a1 := "NEN 0>3 {0,3}"
	for _, tc := range []struct {
		trim  Trim
		extra bool
	}{{MinimizeAssertions, false}, {MinimizeTree, true}, {TrimNone, true}} {
		r, err := Generate(c, Options{Winner: "Chuan", Model: m, Trim: tc.trim})
		if err != nil {
			t.Fatal(err)
		}
		if r.Difficulty != 27 || r.Margin != 500 || r.Winner != 2 {
			t.Errorf("%s: difficulty %v margin %d winner %d, want 27, 500, 2", tc.trim, r.Difficulty, r.Margin, r.Winner)
		}
		want := map[string]float64{}
		for k, v := range guideAssertions {
			want[k] = v
		}
		if tc.extra {
			want[a1] = 3
		}
		got := map[string]float64{}
		for _, a := range r.Assertions {
			got[a.Assertion.String()] = a.Difficulty
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d assertions %v, want %d %v", tc.trim, len(got), got, len(want), want)
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || !near(g, v, 1e-12) {
				t.Errorf("%s: %s difficulty %v (present %v), want %v", tc.trim, k, g, ok, v)
			}
		}
		checkResult(t, c, r)
	}
}

// TestWriteJSON: the guide example's output has raire-rs's layout and assertions.
func TestWriteJSON(t *testing.T) {
	c := guide(t)
	r, err := Generate(c, Options{Winner: "Chuan", Model: Model{Kind: OneOnMargin, Ballots: 13500}, Trim: MinimizeAssertions})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil, r, nil); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Metadata struct {
			Candidates []string `json:"candidates"`
		} `json:"metadata"`
		Solution struct {
			Ok *struct {
				Assertions []struct {
					Assertion struct {
						Type       string `json:"type"`
						Winner     int    `json:"winner"`
						Loser      int    `json:"loser"`
						Continuing []int  `json:"continuing"`
					} `json:"assertion"`
					Margin     int64   `json:"margin"`
					Difficulty float64 `json:"difficulty"`
				} `json:"assertions"`
				Difficulty    float64 `json:"difficulty"`
				Margin        int64   `json:"margin"`
				Winner        int     `json:"winner"`
				NumCandidates int     `json:"num_candidates"`
			} `json:"Ok"`
		} `json:"solution"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	ok := out.Solution.Ok
	if ok == nil || ok.Difficulty != 27 || ok.Margin != 500 || ok.Winner != 2 || ok.NumCandidates != 4 || len(ok.Assertions) != 5 ||
		strings.Join(out.Metadata.Candidates, ",") != "Alice,Bob,Chuan,Diego" {
		t.Fatalf("output:\n%s", buf.String())
	}
	for _, a := range ok.Assertions {
		x := Assertion{Type: Type(a.Assertion.Type), Winner: a.Assertion.Winner, Loser: a.Assertion.Loser, Continuing: a.Assertion.Continuing}
		if d, found := guideAssertions[x.String()]; !found || d != a.Difficulty || !near(13500/float64(a.Margin), d, 1e-9) {
			t.Errorf("assertion %s margin %d difficulty %v not raire-rs's", x, a.Margin, a.Difficulty)
		}
	}

	buf.Reset()
	tied := tiedContest(t)
	_, gerr := Generate(tied, Options{Model: Model{Kind: OneOnMargin, Ballots: 20}})
	if err := WriteJSON(&buf, nil, nil, gerr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Err": {`) || !strings.Contains(buf.String(), `"TiedWinners": [`) {
		t.Errorf("error output:\n%s", buf.String())
	}
}

// tiedContest: A and B have 10 ballots each and nothing else: either may win.
func tiedContest(t testing.TB) *Contest {
	b, _ := NewBuilder([]string{"A", "B"})
	b.Add([]string{"A"}, 10)
	b.Add([]string{"B"}, 10)
	return b.Contest()
}

func TestErrors(t *testing.T) {
	m := Model{Kind: OneOnMargin, Ballots: 20}
	_, err := Generate(tiedContest(t), Options{Model: m})
	var e *Error
	if !errors.As(err, &e) || e.Kind != TiedWinners || !errors.Is(err, ErrFullHandCount) || strings.Join(e.Names, ",") != "A,B" {
		t.Errorf("tie: %v", err)
	}
	// Table 1 is won by c4, not c1.
	_, err = Generate(table1(t), Options{Winner: "c1", Model: Model{Kind: OneOnMargin, Ballots: 60000}})
	if !errors.As(err, &e) || e.Kind != WrongWinner || errors.Is(err, ErrFullHandCount) || strings.Join(e.Names, ",") != "c4" {
		t.Errorf("wrong winner: %v", err)
	}
	// A work limit of 5 steps stops the search (the count takes 3, the four root nodes are
	// free, and the first node expanded needs more): deterministic, unlike a time limit.
	_, err = Generate(table1(t), Options{Model: Model{Kind: OneOnMargin, Ballots: 60000}, WorkLimit: 5})
	if !errors.As(err, &e) || e.Kind != TimeoutFindingAssertions {
		t.Errorf("work limit: %v", err)
	}
	for _, o := range []Options{
		{Model: Model{Kind: OneOnMargin, Ballots: 100}, Winner: "c9"},
		{Model: Model{Kind: OneOnMargin, Ballots: 100}},              // fewer ballots than ranked
		{Model: Model{Kind: BRAVO, Ballots: 70000}},                  // no risk limit
		{Model: Model{Kind: MACRO, Ballots: 70000, RiskLimit: 0.05}}, // no γ
		{Model: Model{Kind: "poisson", Ballots: 70000}},
		{Model: Model{Kind: OneOnMargin, Ballots: 70000}, Trim: "all"},
	} {
		if _, err := Generate(table1(t), o); !errors.Is(err, ErrInput) {
			t.Errorf("%+v: %v, want an input error", o, err)
		}
	}
}

// checkResult checks a result against the definitions, by brute force over every elimination
// order: every assertion's tallies are recounted from the ballots; each holds (margin > 0), so
// the count's own order satisfies it; and every order that another candidate wins contradicts
// at least one of them.
func checkResult(t *testing.T, c *Contest, r *Result) {
	t.Helper()
	n := len(c.Candidates)
	for _, a := range r.Assertions {
		w, l := bruteTallies(c, a.Assertion)
		if w != a.WinnerTally || l != a.LoserTally || a.Margin != w-l || a.Margin <= 0 {
			t.Errorf("%s: tallies %d, %d, margin %d; recounted %d, %d", a.Assertion, a.WinnerTally, a.LoserTally, a.Margin, w, l)
		}
		if !orderSatisfies(r.EliminationOrder, a.Assertion) {
			t.Errorf("%s contradicts the count's own order %v", a.Assertion, r.EliminationOrder)
		}
	}
	if n > 7 {
		return
	}
	for _, p := range perms(n) {
		if p[n-1] == r.Winner {
			continue
		}
		ruled := false
		for _, a := range r.Assertions {
			if !orderSatisfies(p, a.Assertion) {
				ruled = true
				break
			}
		}
		if !ruled {
			t.Errorf("elimination order %v (won by %s) is not ruled out", p, c.Candidates[p[n-1]])
		}
	}
	as := make([]Assertion, len(r.Assertions))
	for i, a := range r.Assertions {
		as[i] = a.Assertion
	}
	if ok, err := Proves(n, r.Winner, as); !ok || err != nil {
		t.Errorf("Proves: %v %v", ok, err)
	}
}

// bruteTallies recounts an assertion's tallies from the definitions.
func bruteTallies(c *Contest, a Assertion) (w, l int64) {
	for _, v := range c.Votes {
		if a.Type == NEB {
			if v.Prefs[0] == a.Winner {
				w += v.N
			}
			for _, p := range v.Prefs {
				if p == a.Winner {
					break
				}
				if p == a.Loser {
					l += v.N
					break
				}
			}
			continue
		}
		for _, p := range v.Prefs {
			in := false
			for _, s := range a.Continuing {
				in = in || s == p
			}
			if in {
				if p == a.Winner {
					w += v.N
				}
				if p == a.Loser {
					l += v.N
				}
				break
			}
		}
	}
	return w, l
}

// orderSatisfies: does the complete elimination order (first eliminated first) agree with
// the assertion? NEB(w, ℓ): w is eliminated after ℓ. NEN(w, ℓ, S): if the last |S|
// candidates of the order are S, the first of them is not w.
func orderSatisfies(order []int, a Assertion) bool {
	pos := map[int]int{}
	for i, c := range order {
		pos[c] = i
	}
	if a.Type == NEB {
		return pos[a.Winner] > pos[a.Loser]
	}
	tail := append([]int(nil), order[len(order)-len(a.Continuing):]...)
	first := tail[0]
	sort.Ints(tail)
	for i := range tail {
		if tail[i] != a.Continuing[i] {
			return true
		}
	}
	return first != a.Winner
}

func perms(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range perms(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int(nil), p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// TestRandomContests: on random contests of 2 to 6 candidates, whenever Generate answers, its
// assertions pass checkResult (recounted tallies, brute-force coverage of every order); when
// it refuses, the count has tied winners (RAIRE always finds assertions otherwise: at the
// first step where a wrong order leaves the count, the one it eliminates has more votes than
// the one the count eliminates).
func TestRandomContests(t *testing.T) {
	models := []Model{{Kind: OneOnMargin}, {Kind: OneOnMarginSq}, {Kind: BRAVO, RiskLimit: 0.05}, {Kind: MACRO, RiskLimit: 0.05, Gamma: 1.1}}
	solved := 0
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 2 + r.IntN(5)
		cands := make([]string, n)
		for i := range cands {
			cands[i] = string(rune('A' + i))
		}
		b, _ := NewBuilder(cands)
		for range 1 + r.IntN(12) {
			p := r.Perm(n)[:1+r.IntN(n)]
			if err := b.AddIndices(p, int64(1+r.IntN(50))); err != nil {
				t.Fatal(err)
			}
		}
		c := b.Contest()
		m := models[seed%4]
		m.Ballots = c.Ballots() + int64(r.IntN(10))
		trim := []Trim{TrimNone, MinimizeTree, MinimizeAssertions}[seed%3]
		res, err := Generate(c, Options{Model: m, Trim: trim})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != TiedWinners {
				t.Errorf("seed %d: %v", seed, err)
			}
			continue
		}
		solved++
		checkResult(t, c, res)
		// Reading the assertions from the optimum (what Generate does when the search runs
		// long) gives the same difficulty, and assertions that prove the winner too.
		ex, err := generate(c, Options{Model: m, Trim: trim}, true)
		if err != nil {
			t.Errorf("seed %d: read from the optimum: %v", seed, err)
			continue
		}
		if !ex.Restarted || ex.Difficulty != res.Difficulty {
			t.Errorf("seed %d: read from the optimum: difficulty %v, the search's %v", seed, ex.Difficulty, res.Difficulty)
		}
		checkResult(t, c, ex)
	}
	if solved < 200 {
		t.Errorf("only %d of 300 random contests solved", solved)
	}
}

// TestAssorters: the SHANGRLA assorters of the guide example's assertions, by hand, and their
// means over the ballots.
func TestAssorters(t *testing.T) {
	c := guide(t)
	r, err := Generate(c, Options{Winner: "Chuan", Model: Model{Kind: OneOnMargin, Ballots: 13500}, Trim: MinimizeAssertions})
	if err != nil {
		t.Fatal(err)
	}
	const N = 15000 // 1,500 cards without the contest
	as, err := r.Assorters(N)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Assorter{}
	for _, a := range as {
		byName[a.Scored.Assertion.String()] = a
	}
	neb, nen := byName["NEB 2>1"], byName["NEN 2>0 {0,2}"]
	for _, tc := range []struct {
		a    Assorter
		r    []string
		want float64
	}{
		{neb, []string{"Chuan", "Bob"}, 1},            // Chuan first
		{neb, []string{"Bob", "Chuan"}, 0},            // Bob above Chuan
		{neb, []string{"Bob"}, 0},                     // Bob without Chuan
		{neb, []string{"Alice", "Chuan", "Bob"}, 0.5}, // Chuan not first, Bob below
		{neb, []string{"Diego"}, 0.5},
		{neb, nil, 0.5},
		{nen, []string{"Bob", "Chuan"}, 1},   // Chuan is the first of {Alice, Chuan}
		{nen, []string{"Diego", "Alice"}, 0}, // Alice is
		{nen, []string{"Diego", "Bob"}, 0.5}, // exhausted when only Alice and Chuan remain
		{nen, []string{"Ghost", "Chuan"}, 1}, // unknown names are passed over
	} {
		if got := tc.a.Assort(tc.r); got != tc.want {
			t.Errorf("%s on %v: %v, want %v", tc.a.Scored.Assertion, tc.r, got, tc.want)
		}
	}
	// Σ A over all cards = N/2 + margin/2 (SHANGRLA sec. 2.4), so the mean is 1/2 + m/(2N).
	for _, a := range as {
		sum := float64(N-13500) * 0.5
		for _, v := range c.Votes {
			sum += float64(v.N) * a.Assort(names(c.Candidates, v.Prefs))
		}
		if want := float64(N)/2 + float64(a.Scored.Margin)/2; !near(sum, want, 1e-6) || !near(a.Plurality.Mean, want/N, 1e-12) {
			t.Errorf("%s: Σ A = %v, mean %v; want %v", a.Scored.Assertion, sum, a.Plurality.Mean, want)
		}
		// With the CVR right the comparison value is 1/(2 − v), v = m/N (SHANGRLA sec. 3.2).
		v := float64(a.Scored.Margin) / N
		if got := a.Comparison([]string{"Chuan"}, []string{"Chuan"}); !near(got, 1/(2-v), 1e-12) {
			t.Errorf("%s: comparison without error %v, want %v", a.Scored.Assertion, got, 1/(2-v))
		}
		if a.NotFound() != 0 || !near(a.ComparisonUpper(), 2/(2-v), 1e-12) {
			t.Errorf("%s: not found %v, upper %v", a.Scored.Assertion, a.NotFound(), a.ComparisonUpper())
		}
	}
	// Discrepancies of NEB(Chuan, Bob), in votes: CVR [Chuan] (1) read as [Bob] (0) is a
	// two-vote overstatement, as [Alice] (1/2) one vote; the reverse are understatements.
	for _, tc := range []struct {
		cvr, mvr []string
		found    bool
		want     int
	}{
		{[]string{"Chuan"}, []string{"Bob"}, true, 2}, {[]string{"Chuan"}, []string{"Alice"}, true, 1},
		{[]string{"Bob"}, []string{"Chuan"}, true, -2}, {[]string{"Alice"}, []string{"Chuan"}, true, -1},
		{[]string{"Alice"}, []string{"Alice"}, true, 0}, {nil, nil, false, 2},
	} {
		if got := neb.Discrepancy(tc.cvr, tc.mvr, tc.found); got != tc.want {
			t.Errorf("discrepancy %v → %v: %d, want %d", tc.cvr, tc.mvr, got, tc.want)
		}
	}
	if _, err := r.Assorters(13000); err == nil {
		t.Error("a population smaller than the ranked ballots was accepted")
	}
}

const guideProblem = `{
  "metadata": {"candidates": ["Alice", "Bob", "Chuan", "Diego"]},
  "num_candidates": 4,
  "votes": [
    {"n": 5000, "prefs": [2, 1, 0]}, {"n": 1000, "prefs": [1, 2, 3]}, {"n": 1500, "prefs": [3, 0]},
    {"n": 4000, "prefs": [0, 3]}, {"n": 2000, "prefs": [3]}
  ],
  "winner": 2,
  "audit": {"type": "OneOnMargin", "total_auditable_ballots": 13500},
  "trim_algorithm": "MinimizeAssertions"
}`

// TestParseProblem: raire-rs's input for the guide example gives the guide's answer.
func TestParseProblem(t *testing.T) {
	p, err := ParseProblem([]byte(guideProblem))
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Solve()
	if err != nil {
		t.Fatal(err)
	}
	if r.Difficulty != 27 || len(r.Assertions) != 5 || r.Candidates[r.Winner] != "Chuan" {
		t.Errorf("difficulty %v, %d assertions, winner %s", r.Difficulty, len(r.Assertions), r.Candidates[r.Winner])
	}
	for _, bad := range []string{
		`{}`, `{"num_candidates": 0, "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "votes": [{"n": 1, "prefs": [2]}], "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "votes": [{"n": -1, "prefs": [1]}], "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "winner": 5, "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "audit": {"type": "Plurality", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "audit": {"type": "BRAVO", "total_auditable_ballots": 1}}`,
		`{"num_candidates": 2, "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}, "time_limit_seconds": -1}`,
		`{"num_candidates": 2, "audit": {"type": "OneOnMargin", "total_auditable_ballots": 1}} {}`,
	} {
		if _, err := ParseProblem([]byte(bad)); !errors.Is(err, ErrInput) {
			t.Errorf("%s: %v, want an input error", bad, err)
		}
	}
}

// FuzzParseProblem: any input is parsed or refused with an input error, never a panic; a
// problem that parses is solved (within a work limit) or refused with a typed error, and a
// solution proves its winner.
func FuzzParseProblem(f *testing.F) {
	f.Add([]byte(guideProblem))
	f.Add([]byte(`{"num_candidates": 3, "votes": [{"n": 10000, "prefs": [0, 1, 2]}, {"n": 6000, "prefs": [1, 0, 2]}, {"n": 5999, "prefs": [2, 0, 1]}], "audit": {"type": "BRAVO", "confidence": 0.05, "total_auditable_ballots": 21999}}`))
	f.Add([]byte(`{"num_candidates": 2, "votes": [{"n": 10, "prefs": [0]}, {"n": 10, "prefs": [1]}], "audit": {"type": "MACRO", "confidence": 0.05, "error_inflation_factor": 1.1, "total_auditable_ballots": 20}, "trim_algorithm": "None"}`))
	f.Add([]byte(`{"metadata": {"candidates": ["x", "x"]}, "num_candidates": 2, "votes": [{"n": 3, "prefs": [1, 1, 0]}], "audit": {"type": "MarginSq", "total_auditable_ballots": 9}, "difficulty_estimate": 2}`))
	f.Add([]byte(`[1, 2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProblem(data)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		p.Options.WorkLimit = 20000
		p.Options.TimeLimit = 0
		r, err := p.Solve()
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, ErrInput) {
				t.Fatalf("untyped error %v", err)
			}
			if e != nil && e.Kind == InternalError {
				t.Fatalf("internal error %v", err)
			}
			return
		}
		as := make([]Assertion, len(r.Assertions))
		for i, a := range r.Assertions {
			as[i] = a.Assertion
		}
		if ok, err := Proves(len(r.Candidates), r.Winner, as); err != nil || !ok {
			t.Fatalf("the assertions do not prove the winner: %v %v", ok, err)
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, p.Metadata, r, nil); err != nil {
			t.Fatal(err)
		}
	})
}
