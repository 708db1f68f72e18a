package audit

import (
	"errors"
	"math"
	"testing"
)

// firstOf is the pseudo-vote of an NEN assertion w > l with continuing set s: the card counts
// for whichever candidate of s it ranks first, if that is w or l (RAIRE's IRV(w, l, S)).
func firstOf(w, l string, s ...string) func([]string) []string {
	in := map[string]bool{}
	for _, c := range s {
		in[c] = true
	}
	return func(r []string) []string {
		for _, c := range r {
			if in[c] {
				if c == w || c == l {
					return []string{c}
				}
				return nil
			}
		}
		return nil
	}
}

// irvContest is a contest of 1,000 cards audited by two assertions: NEN A > B {A, B} with
// tallies 550 and 350 (diluted margin μ = 0.2) and NEN A > C {A, C} with 600 and 300 (μ = 0.3).
func irvContest() Contest {
	return Contest{Name: "Mayor", Ballots: 1000, Choices: []Choice{{"A", 600}, {"B", 400}}, Winners: 1, Assertions: []Assertion{
		{Label: "NEN A > B {A, B}", Winner: "A", Loser: "B", WinnerTally: 550, LoserTally: 350, Votes: firstOf("A", "B", "A", "B")},
		{Label: "NEN A > C {A, C}", Winner: "A", Loser: "C", WinnerTally: 600, LoserTally: 300, Votes: firstOf("A", "C", "A", "C")},
	}}
}

// drawAll starts the next round with cards 1..size of batch "1", each with the CVR ranking cvr.
func drawAll(t *testing.T, a *Audit, size int64, cvr []string) {
	t.Helper()
	var draws []Draw
	for i := int64(len(a.Draws)); i < size; i++ {
		draws = append(draws, Draw{Card: Card{Batch: "1", Position: i + 1}, CVR: map[string][]string{"Mayor": cvr}})
	}
	if err := a.StartRound(size, draws); err != nil {
		t.Fatal(err)
	}
}

// TestAssertionsKaplanMarkov: a Kaplan-Markov comparison audit at 5% of a contest audited by
// two assertions. The first round is planned for the hardest (μ = 0.2) as for a plurality
// contest of that margin (TestAuditComparisonConfirms in workspace, by hand: 34 draws). With
// every paper ranking as its CVR, each assertion's risk is (1 − μ/(2γ))^34: 0.9037582^34 =
// 0.032046 for μ = 0.2 and 0.8556373^34 = 0.0049871 for μ = 0.3; the contest's is the larger.
// One card whose CVR ranks A, C, B and whose paper ranks B, A, C is a two-vote overstatement
// of A > B {A, B} (A on the CVR, B on paper) and none of A > C {A, C} (A first of the two
// on both): A > B's risk becomes 0.032046/(1 − 1/γ) = 0.85269, the contest's with it.
func TestAssertionsKaplanMarkov(t *testing.T) {
	g := DefaultGamma
	want1, want2 := math.Pow(1-0.2/(2*g), 34), math.Pow(1-0.3/(2*g), 34)
	for _, wrong := range []bool{false, true} {
		a, err := New(Config{Kind: Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: "1"}, []Contest{irvContest()})
		if err != nil {
			t.Fatal(err)
		}
		n, err := a.NextRoundSize(1000)
		if err != nil || n != 34 {
			t.Fatalf("first round %d %v, want 34", n, err)
		}
		drawAll(t, a, n, []string{"A", "C", "B"})
		for i, d := range a.Draws {
			paper := d.CVR["Mayor"]
			if wrong && i == 7 {
				paper = []string{"B", "A", "C"}
			}
			if _, err := a.Record(Record{Card: d.Card, Found: true, Votes: map[string][]string{"Mayor": paper}}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := a.EndRound(1000)
		if err != nil {
			t.Fatal(err)
		}
		w1 := want1
		if wrong {
			w1 /= 1 - 1/g
		}
		got := r.AssertionRisk["Mayor"]
		if math.Abs(got["NEN A > B {A, B}"]-w1) > 1e-12 || math.Abs(got["NEN A > C {A, C}"]-want2) > 1e-12 || r.Risk["Mayor"] != max(got["NEN A > B {A, B}"], got["NEN A > C {A, C}"]) {
			t.Errorf("wrong %v: risks %v, contest %v; want %v and %v", wrong, got, r.Risk, w1, want2)
		}
		if st := a.Status; (st == Confirmed) == wrong {
			t.Errorf("wrong %v: status %s", wrong, st)
		}
	}
}

// TestAssertionsAsPluralityContests: each assertion is audited as the two-choice plurality
// contest of its pseudo-votes, so an ALPHA audit (comparison and polling) of the contest
// measures, for each assertion, exactly the risk that an audit of that plurality contest on
// the same cards, with each card's pseudo-votes as its votes, measures.
func TestAssertionsAsPluralityContests(t *testing.T) {
	papers := [][]string{{"A", "C", "B"}, {"B", "A"}, {"C"}, {}, {"A"}, {"C", "B", "A"}}
	for _, kind := range []Kind{Comparison, Polling} {
		method := map[Kind]string{Comparison: "alpha-comparison", Polling: "alpha"}[kind]
		c := irvContest()
		a, err := New(Config{Kind: kind, Method: method, RiskLimit: 0.05, Seed: "1"}, []Contest{c})
		if err != nil {
			t.Fatal(err)
		}
		drawAll(t, a, 60, []string{"A", "C", "B"})
		for i, d := range a.Draws {
			rec := Record{Card: d.Card, Found: i != 11, Votes: map[string][]string{"Mayor": papers[i%len(papers)]}}
			if _, err := a.Record(rec); err != nil {
				t.Fatal(err)
			}
		}
		r, err := a.EndRound(1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, as := range c.Assertions {
			pc := Contest{Name: "Mayor", Ballots: 1000, Choices: []Choice{{as.Winner, as.WinnerTally}, {as.Loser, as.LoserTally}}}
			p, err := New(Config{Kind: kind, Method: method, RiskLimit: 0.05, Seed: "1"}, []Contest{pc})
			if err != nil {
				t.Fatal(err)
			}
			var draws []Draw
			for _, d := range a.Draws {
				draws = append(draws, Draw{Card: d.Card, CVR: map[string][]string{"Mayor": as.Votes(d.CVR["Mayor"])}})
			}
			if err := p.StartRound(60, draws); err != nil {
				t.Fatal(err)
			}
			for _, d := range a.Draws {
				rec := *a.Records[d.Card]
				if rec.Found {
					rec.Votes = map[string][]string{"Mayor": as.Votes(rec.Votes["Mayor"])}
				}
				if _, err := p.Record(rec); err != nil {
					t.Fatal(err)
				}
			}
			pr, err := p.EndRound(1000)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.AssertionRisk["Mayor"][as.Label]; got != pr.Risk["Mayor"] {
				t.Errorf("%s %s: risk %v, as a plurality contest %v", method, as.Label, got, pr.Risk["Mayor"])
			}
		}
		// The two assertions measure different risks (the test compares something), and the
		// contest's is the larger.
		ab, ac := r.AssertionRisk["Mayor"]["NEN A > B {A, B}"], r.AssertionRisk["Mayor"]["NEN A > C {A, C}"]
		if ab == ac || r.Risk["Mayor"] != max(ab, ac) {
			t.Errorf("%s: risks %v and %v, contest %v", method, ab, ac, r.Risk["Mayor"])
		}
	}
}

// TestAssertionsRefused: methods that do not test assertions are refused with the ones that
// do; so are assertions no audit can confirm; and a ranking read again in another order is a
// different reading.
func TestAssertionsRefused(t *testing.T) {
	for _, cfg := range []Config{{Kind: Polling, Method: "bravo"}, {Kind: Polling, Method: "minerva"}, {Kind: BatchKind, Method: "macro"}, {Kind: Hybrid, Method: "oneaudit"}} {
		cfg.RiskLimit, cfg.Seed = 0.05, "1"
		if _, err := New(cfg, []Contest{irvContest()}); !errors.Is(err, ErrAssertionMethod) {
			t.Errorf("%s: %v", cfg.Method, err)
		}
	}
	bad := func(f func(c *Contest)) error {
		c := irvContest()
		f(&c)
		_, err := New(Config{Kind: Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: "1"}, []Contest{c})
		return err
	}
	for name, f := range map[string]func(*Contest){
		"tie":            func(c *Contest) { c.Assertions[0].LoserTally = 550 },
		"repeated label": func(c *Contest) { c.Assertions[1].Label = c.Assertions[0].Label },
		"no pseudo-vote": func(c *Contest) { c.Assertions[0].Votes = nil },
		"too many votes": func(c *Contest) { c.Assertions[1].WinnerTally, c.Assertions[1].LoserTally = 650, 600 },
		"no assertion":   func(c *Contest) { c.Assertions = []Assertion{} },
	} {
		if err := bad(f); !errors.Is(err, ErrBadContest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	a, err := New(Config{Kind: Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: "1"}, []Contest{irvContest()})
	if err != nil {
		t.Fatal(err)
	}
	drawAll(t, a, 1, []string{"A", "B"})
	card := a.Draws[0].Card
	if ok, err := a.Record(Record{Card: card, Found: true, Votes: map[string][]string{"Mayor": {"A", "B"}}}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := a.Record(Record{Card: card, Found: true, Votes: map[string][]string{"Mayor": {"A", "B"}}}); ok || err != nil {
		t.Errorf("the same ranking again: %v %v", ok, err)
	}
	if _, err := a.Record(Record{Card: card, Found: true, Votes: map[string][]string{"Mayor": {"B", "A"}}}); !errors.Is(err, ErrConflict) {
		t.Errorf("the ranking in another order: %v", err)
	}
}
