package workspace

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/raire"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
)

// mixedMayor are the Mayor rankings of mixedCVRs, by hand: 400 Alice > Bob > Chuan, 250 Bob >
// Alice, 200 Chuan > Bob, 100 Chuan > Alice, 50 blank. The count: Alice 400, Bob 250, Chuan 300
// first; Bob is eliminated and his 250 go to Alice: Alice 650, Chuan 300. Alice wins.
//
// RAIRE must rule out Bob winning in the order Chuan, Alice, Bob: only NEN Alice > Bob {Alice,
// Bob} (Alice 400 + 100 = 500 against Bob 250 + 200 = 450) or NEN Chuan > Bob {all} (300
// against 250) do, both with a margin of 50 ballots: the hardest assertion's margin is 50 of
// the 1,000 cards, a diluted margin of 0.05. NEB Alice > Chuan (Alice's 400 first preferences
// against the 200 + 100 ballots ranking Chuan above Alice or without her: margin 100) rules
// out every other order (Chuan winning, or Alice out first); nothing else is needed.
var mixedMayor = []struct {
	n       int
	ranking []string
}{{400, []string{"Alice", "Bob", "Chuan"}}, {250, []string{"Bob", "Alice"}}, {200, []string{"Chuan", "Bob"}}, {100, []string{"Chuan", "Alice"}}, {50, nil}}

// mixedCard is card i of mixedCVRs (0-based, in import order): its Mayor ranking and its
// Measure A vote. Card i takes the Mayor group of (i·7919 mod 1000), which spreads the groups
// over the batches.
func mixedCard(i int) (mayor, measure []string) {
	k := (i * 7919) % 1000
	for _, g := range mixedMayor {
		if k < g.n {
			mayor = g.ranking
			break
		}
		k -= g.n
	}
	switch h := (i * 389) % 1000; {
	case h < 350:
		measure = []string{"No"}
	case h < 400:
	default:
		measure = []string{"Yes"}
	}
	return mayor, measure
}

// mixedIndex is the index of a card of mixedCVRs from where it is: tabulator T1 holds cards
// 0-499, T2 500-999, in batches of 100.
func mixedIndex(c audit.Card) int {
	var tab, batch int
	fmt.Sscanf(c.Batch, "T%d / %d", &tab, &batch)
	return (tab-1)*500 + (batch-1)*100 + int(c.Position) - 1
}

// mixedCVRs writes a CVR CSV of 1,000 cards in 10 batches of 100 on two tabulators with an
// instant-runoff contest, Mayor (mixedMayor; alter changes a card's ranking), and a plurality
// question, Measure A: Yes 600, No 350, 50 blank (diluted margin 0.25). The first 14 cards also
// have Council, ranked: 6 A, 4 B > A, 3 C > B, 1 D > C > B; after D, B and C tie at 4 with B
// ahead in the first round, so the count eliminates C and B wins, but had the tie gone the
// other way A would have won.
func mixedCVRs(t *testing.T, alter func(i int, r []string) []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("BallotID,Tabulator,Batch,Mayor [ranked 3]: Alice,Mayor: Bob,Mayor: Chuan,Measure A: Yes,Measure A: No,Council [ranked 4]: A,Council: B,Council: C,Council: D\n")
	cands := []string{"Alice", "Bob", "Chuan"}
	council := [][]string{{"1", "", "", ""}, {"2", "1", "", ""}, {"", "2", "1", ""}, {"", "3", "2", "1"}}
	for i := 0; i < 1000; i++ {
		r, m := mixedCard(i)
		if alter != nil {
			r = alter(i, r)
		}
		cells := []string{"0", "0", "0"}
		for rank, c := range r {
			for j, x := range cands {
				if x == c {
					cells[j] = fmt.Sprint(rank + 1)
				}
			}
		}
		q := "0,0"
		if len(m) == 1 && m[0] == "Yes" {
			q = "1,0"
		} else if len(m) == 1 {
			q = "0,1"
		}
		cc := []string{"", "", "", ""}
		switch {
		case i < 6:
			cc = council[0]
		case i < 10:
			cc = council[1]
		case i < 13:
			cc = council[2]
		case i < 14:
			cc = council[3]
		}
		fmt.Fprintf(&b, "%d,T%d,%d,%s,%s,%s\n", i+1, 1+i/500, 1+(i%500)/100, strings.Join(cells, ","), q, strings.Join(cc, ","))
	}
	p := filepath.Join(t.TempDir(), "cvrs.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readPaper records every card of the open round as paper reads it, through the record CSV
// (a ranking's votes in rank order, separated by ';'), and returns the number recorded.
func readPaper(t *testing.T, w *Workspace, id uint64, contests []string, paper func(contest string, d audit.Draw) []string) int {
	t.Helper()
	ctx := context.Background()
	draws, from, err := w.AuditSample(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("jurisdiction,batch,position,contest,votes,board\n")
	seen := map[audit.Card]bool{}
	for _, d := range draws[from:] {
		if seen[d.Card] {
			continue
		}
		seen[d.Card] = true
		for _, c := range contests {
			fmt.Fprintf(&b, "%s,%s,%d,%s,%s,Board 1\n", d.Card.Jurisdiction, d.Card.Batch, d.Card.Position, c, strings.Join(paper(c, d), ";"))
		}
	}
	recs, err := ReadAuditRecords(strings.NewReader(b.String()), "records.csv")
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.AuditRecord(ctx, id, recs)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// asCVR reads a card as its CVR says.
func asCVR(c string, d audit.Draw) []string { return d.CVR[c] }

// mixedPaper reads a card of mixedCVRs as it is (its Mayor ranking changed by alter).
func mixedPaper(alter func(i int, r []string) []string) func(c string, d audit.Draw) []string {
	return func(c string, d audit.Draw) []string {
		i := mixedIndex(d.Card)
		mayor, measure := mixedCard(i)
		if c == "Measure A" {
			return measure
		}
		if alter != nil {
			mayor = alter(i, mayor)
		}
		return mayor
	}
}

// TestAuditIRVMixed: audits of an instant-runoff contest and a plurality contest from one
// sample (mixedCVRs).
//
//   - Kaplan-Markov comparison at 5%: the first round is the larger of the two contests' plans
//     (Arlo's, as for TestAuditComparisonConfirms, by hand): 136 draws for the hardest
//     assertion's diluted margin 0.05, 28 for Measure A's 0.25. With the paper as the CVRs
//     the risks are (1 − μ/(2γ))^136: 0.97594^136 = 0.036435 for Mayor (every assertion with
//     margin 50 measures that, the others less) and 0.87969^136 = 2.6876e-8 for Measure A.
//   - Polling with ALPHA (BRAVO's difficulty model): confirmed from the same kind of reading;
//     BRAVO itself is refused for the IRV contest.
//   - A few cards misread: a Kaplan-Markov audit's risk of each assertion is the p-value of
//     its discrepancies as raire.Assorter counts them.
//   - The paper of 150 cards ranking Alice > Bob > Chuan reads Bob > Alice: Alice 250, Bob
//     400, Chuan 300; Alice is eliminated and Bob wins 650 to 300. The comparison audit does
//     not confirm; it escalates; the hand count (as CVRs; a results file is refused for the
//     IRV contest) elects Bob: the winner changed, and certification waits for it.
//   - Council cannot be audited with assertions (its winner turns on the tie): refused, with
//     a full hand count as the remedy.
//
// A rebuild from the published log replays it all.
func TestAuditIRVMixed(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportCVR(ctx, mixedCVRs(t, nil), ImportOptions{Format: "csv", Jurisdiction: "Dane"}); err != nil {
		t.Fatal(err)
	}
	both := []string{"Mayor", "Measure A"}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: both, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Rounds) != 1 || v.Rounds[0].Size != 136 || v.Ballots != 1000 {
		t.Fatalf("first round %+v of %d cards", v.Rounds, v.Ballots)
	}
	irv := v.Contests[0].IRV
	if v.Contests[0].Name != "Mayor" || irv == nil || irv.Winner != "Alice" || irv.Model != "MACRO" || v.Contests[1].IRV != nil {
		t.Fatalf("contests %+v", v.Contests)
	}
	hardest := AssertionAudit{Margin: math.MaxInt64}
	for _, a := range irv.Assertions {
		if a.Margin < hardest.Margin {
			hardest = a
		}
	}
	if len(irv.Assertions) != 2 || irv.Assertions[0].Label != "NEB Alice > Chuan" || irv.Assertions[0].Margin != 100 {
		t.Errorf("assertions %+v", irv.Assertions)
	}
	// MACRO's difficulty of the hardest: −ln(0.05) · 2γ · 1000/50 = 124.51.
	if hardest.Margin != 50 || hardest.DilutedMargin != 0.05 || math.Abs(irv.Difficulty-124.50862) > 1e-4 || math.Abs(hardest.Difficulty-irv.Difficulty) > 1e-9 {
		t.Errorf("hardest assertion %+v, difficulty %v", hardest, irv.Difficulty)
	}
	// A card's CVR in the sample is its ranking in rank order.
	draws, _, _ := w.AuditSample(ctx, v.ID)
	ranked := 0
	for _, d := range draws {
		if r := d.CVR["Mayor"]; len(r) == 3 && r[0] == "Alice" && r[1] == "Bob" && r[2] == "Chuan" {
			ranked++
		}
	}
	if ranked == 0 {
		t.Errorf("no sampled card ranks Alice > Bob > Chuan: %v", draws[0].CVR)
	}
	// The cards are where mixedIndex says (the altered paper below relies on it).
	for _, d := range draws {
		for _, c := range both {
			if got := mixedPaper(nil)(c, d); !sameVotes(got, d.CVR[c]) {
				t.Fatalf("%s: card %d reads %v, its CVR %v", d.Card, mixedIndex(d.Card), got, d.CVR[c])
			}
		}
	}
	readPaper(t, w, v.ID, both, asCVR)
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	g := audit.DefaultGamma
	if v.Status != string(audit.Confirmed) || math.Abs(v.Contests[0].Risk-math.Pow(1-0.05/(2*g), 136)) > 1e-12 || math.Abs(v.Contests[1].Risk-math.Pow(1-0.25/(2*g), 136)) > 1e-15 {
		t.Errorf("after round 1: %s, risks %v and %v", v.Status, v.Contests[0].Risk, v.Contests[1].Risk)
	}
	for _, a := range v.Contests[0].IRV.Assertions {
		if want := math.Pow(1-a.DilutedMargin/(2*g), 136); math.Abs(a.Risk-want) > 1e-12 || !a.Confirmed {
			t.Errorf("%s: risk %v, want %v", a.Label, a.Risk, want)
		}
	}
	if v.Contests[0].Discrepancies != 0 {
		t.Errorf("discrepancies %d", v.Contests[0].Discrepancies)
	}
	rep, err := w.AuditReport(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	if err := WriteAuditReportCSV(&csv, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"######## ASSERTIONS ########", "######## ASSERTION RISKS ########", hardest.Label, "Mayor: Alice > Bob > Chuan"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}

	// Polling: ALPHA, not BRAVO.
	pcfg := audit.Config{Kind: audit.Polling, Method: "bravo", RiskLimit: 0.05, Seed: "98765432109876543210"}
	if _, err := w.AuditStart(ctx, AuditOptions{Contests: both, Config: pcfg}); !errors.Is(err, audit.ErrAssertionMethod) || !strings.Contains(err.Error(), "alpha") {
		t.Errorf("BRAVO: %v", err)
	}
	pcfg.Method = "alpha"
	pv, err := w.AuditStart(ctx, AuditOptions{Contests: both, Config: pcfg})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Contests[0].IRV.Model != "BRAVO" {
		t.Errorf("polling model %s", pv.Contests[0].IRV.Model)
	}
	for round := 0; pv.Status == string(audit.InProgress) && round < 3; round++ {
		readPaper(t, w, pv.ID, both, mixedPaper(nil))
		if pv, err = w.AuditEndRound(ctx, pv.ID); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("polling: %s after %d rounds (%d draws), Mayor's risk %.4g, Measure A's %.4g", pv.Status, len(pv.Rounds), pv.Rounds[len(pv.Rounds)-1].Size, pv.Contests[0].Risk, pv.Contests[1].Risk)
	if pv.Status != string(audit.Confirmed) || pv.Contests[0].Risk > 0.05 || len(pv.Rounds[len(pv.Rounds)-1].AssertionRisk["Mayor"]) != len(pv.Contests[0].IRV.Assertions) {
		t.Errorf("polling: %s after %d rounds, risk %v", pv.Status, len(pv.Rounds), pv.Contests[0].Risk)
	}

	// The paper disagrees enough to change the winner.
	alter := func(i int, r []string) []string {
		if len(r) == 3 && r[0] == "Alice" && i%8 < 3 {
			return []string{"Bob", "Alice"}
		}
		return r
	}
	paper := mixedCVRs(t, alter)
	altered := 0
	for i := range 1000 {
		if r, _ := mixedCard(i); len(alter(i, r)) == 2 && r[0] == "Alice" {
			altered++
		}
	}
	if altered != 150 {
		t.Fatalf("%d cards altered, want 150", altered)
	}
	// A few cards misread: each assertion's risk is the Kaplan-Markov p-value of its
	// discrepancies as the IRV assorters of package raire count them
	// (raire.Assorter.Discrepancy).
	few := func(i int, r []string) []string {
		if i%40 == 0 {
			return alter(i, r)
		}
		return r
	}
	kv, err := w.AuditStart(ctx, AuditOptions{Contests: both, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: "55555666667777788888"}})
	if err != nil {
		t.Fatal(err)
	}
	readPaper(t, w, kv.ID, both, mixedPaper(few))
	if kv, err = w.AuditEndRound(ctx, kv.ID); err != nil {
		t.Fatal(err)
	}
	kdraws, _, _ := w.AuditSample(ctx, kv.ID)
	var total audit.Discrepancies
	for _, a := range kv.Contests[0].IRV.Assertions {
		idx := map[string]int{"Alice": 0, "Bob": 1, "Chuan": 2}
		sc := raire.Scored{Assertion: raire.Assertion{Type: raire.Type(a.Type), Winner: idx[a.Winner], Loser: idx[a.Loser]}, Margin: a.Margin}
		for _, c := range a.Continuing {
			sc.Continuing = append(sc.Continuing, idx[c])
		}
		as, err := raire.NewAssorter(sc, []string{"Alice", "Bob", "Chuan"}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var d audit.Discrepancies
		for _, dr := range kdraws[:kv.Rounds[0].Size] {
			d.Add(as.Discrepancy(dr.CVR["Mayor"], mixedPaper(few)("Mayor", dr), true))
		}
		total.O1, total.O2 = total.O1+d.O1, total.O2+d.O2
		if want := audit.KaplanMarkovComparisonPValue(kv.Rounds[0].Size, as.Margin(), audit.DefaultGamma, d); math.Abs(a.Risk-want) > 1e-12*want || want >= 1 {
			t.Errorf("%s: risk %v, raire's discrepancies %+v give %v", a.Label, a.Risk, d, want)
		}
	}
	if total.O1 == 0 || total.O2 == 0 {
		t.Errorf("the misread cards make no one- and two-vote overstatements (%+v): the check shows nothing", total)
	}
	ev, err := w.AuditStart(ctx, AuditOptions{Contests: both, Config: audit.Config{Kind: audit.Comparison, Method: "alpha-comparison", RiskLimit: 0.05, Seed: "11111222223333344444"}})
	if err != nil {
		t.Fatal(err)
	}
	readPaper(t, w, ev.ID, both, mixedPaper(alter))
	if ev, err = w.AuditEndRound(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	if ev.Status != string(audit.InProgress) || ev.Contests[0].Confirmed || ev.Contests[0].Discrepancies == 0 || !ev.Contests[1].Confirmed {
		t.Fatalf("with the paper altered: %s, %+v", ev.Status, ev.Contests)
	}
	t.Logf("altered paper: round 1 of %d draws, %d discrepancies, Mayor's risk %.4g; round 2 would draw %d", ev.Rounds[0].Size, ev.Contests[0].Discrepancies, ev.Contests[0].Risk, ev.Rounds[1].Size)
	for _, a := range ev.Contests[0].IRV.Assertions {
		t.Logf("  %s: margin %d, risk %.4g", a.Label, a.Margin, a.Risk)
	}
	if err := w.AuditEscalate(ctx, ev.ID, "the paper ranks Bob first where the CVRs rank Alice"); err != nil {
		t.Fatal(err)
	}
	k := newKey(t, t.TempDir(), "Dane Board")
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "Mayor", Signers: []*Signer{k}}); err == nil || !strings.Contains(err.Error(), "audit") {
		t.Errorf("certified during the hand count: %v", err)
	}
	hcr := filepath.Join(t.TempDir(), "handcount.csv")
	os.WriteFile(hcr, []byte("state,county,municipality,precinct,contest,district,choice,party,mode,stat,votes\n"+
		"WI,Dane,,Ward 1,Mayor,,Alice,,,,250\nWI,Dane,,Ward 1,Mayor,,Bob,,,,400\nWI,Dane,,Ward 1,Measure A,,Yes,,,,600\nWI,Dane,,Ward 1,Measure A,,No,,,,350\n"), 0o644)
	if _, err := w.AuditHandCount(ctx, ev.ID, hcr, results.Options{Format: "canvass"}); err == nil || !strings.Contains(err.Error(), "--cvr") {
		t.Errorf("a results file as the hand count of an IRV contest: %v", err)
	}
	res, err := w.AuditHandCountCVR(ctx, ev.ID, paper, "csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Name != "Mayor" || !res[0].Changed || len(res[0].Winners) != 1 || res[0].Winners[0] != "Bob" || res[1].Changed {
		t.Errorf("hand count: %+v", res)
	}
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "Mayor", Signers: []*Signer{k}}); err == nil || !strings.Contains(err.Error(), "hand count") {
		t.Errorf("certified the machine count against the hand count: %v", err)
	}

	// Nor in a batch audit, whose batches would need reported tallies of rankings.
	if _, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"Mayor"}, Config: audit.Config{Kind: audit.BatchKind, Method: "macro", RiskLimit: 0.05, Seed: seed20}}); err == nil || !strings.Contains(err.Error(), "not a batch audit") {
		t.Errorf("a batch audit of Mayor: %v", err)
	}
	// Council: the winner turns on a tie.
	if _, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"Council"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}}); !errors.Is(err, raire.ErrFullHandCount) || !strings.Contains(err.Error(), "full hand count") {
		t.Errorf("Council: %v", err)
	}

	rebuildSame(t, w)
}

// rebuildSame publishes the workspace, rebuilds it from the published log (replaying every
// entry and comparing it byte for byte) and compares the databases.
func rebuildSame(t *testing.T, w *Workspace) {
	t.Helper()
	ctx := context.Background()
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	info, _ := w.LogInfo(ctx)
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	if rep, err := Rebuild(ctx, ledgerDir(pub), rebuilt, VerifyOptions{Key: info.LogKey}); err != nil {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	if a, b := dump(t, w), dumpDir(t, rebuilt); a != b {
		t.Errorf("the rebuilt database differs:\n%s", firstDiff(a, b))
	}
}

// TestAuditIRVMinneapolis: comparison audits of a real instant-runoff contest, the 2017
// Minneapolis mayoral race (RCTab's 2017_minneapolis_mayor case, its ES&S CVRs imported with
// their RCTab configuration: 105,928 cards, whose precincts are the sampling batches). RCTab's
// expected report elects Jacob Frey; so does the workspace's count.
//
// The hardest of the assertions is NEN Jacob Frey > Tom Hoch {Frey, Hoch, Hodges, Levy-Pounds},
// margin 6,333 (6,332 under RCTab's own rules, where one ballot reads differently), MACRO
// difficulty −ln(0.05) · 2γ · 105,928/6,333 = 104.13 (the RAIRE engine's simulation measured
// 104.1). A Kaplan-Markov audit at 5% plans its first round for its diluted margin μ =
// 6,333/105,928 = 0.059786 as Arlo does (by hand: n0 = 105, with one one-vote overstatement
// and one understatement: 114 draws). With the paper as the CVRs the risk is
// (1 − μ/(2γ))^114 = 0.971231^114 = 0.035871: confirmed in one round.
//
// In a second audit (ALPHA) the paper of about 30% of the cards whose CVR ranks Frey first
// reads Raymond Dehn alone, which makes Dehn the winner of the paper's count (checked by
// counting it): the audit does not confirm, and escalates to a full hand count. Both audits
// replay from the published log.
func TestAuditIRVMinneapolis(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(rctabDir, "2017_minneapolis_mayor")
	w := newWorkspace(t)
	if _, err := w.ImportRCVConfig(ctx, filepath.Join(dir, "2017_minneapolis_mayor_config.json"), ImportOptions{Jurisdiction: "Minneapolis"}); err != nil {
		t.Fatal(err)
	}
	rctabWinner, err := expectedWinner(filepath.Join(dir, "2017_minneapolis_mayor_expected_detailed_report.json"))
	if err != nil || rctabWinner != "Jacob Frey" {
		t.Fatalf("RCTab's winner %q %v", rctabWinner, err)
	}
	var contest string
	if err := w.Store.View(ctx, func(tx store.Tx) error {
		el, err := tx.Election()
		if err == nil {
			contest = el.Contests[0].Name
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{contest}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	irv := v.Contests[0].IRV
	if v.Ballots != 105928 || irv == nil || irv.Winner != rctabWinner || len(v.Rounds) != 1 || v.Rounds[0].Size != 114 {
		t.Fatalf("audit %+v, rounds %+v", v, v.Rounds)
	}
	const hardest = "NEN Jacob Frey > Tom Hoch {Jacob Frey, Tom Hoch, Betsy Hodges, Nekima Levy-Pounds}"
	var h AssertionAudit
	for _, a := range irv.Assertions {
		if a.Label == hardest {
			h = a
		}
	}
	if h.Margin != 6333 || math.Abs(irv.Difficulty-104.13) > 0.005 || h.Difficulty != irv.Difficulty {
		t.Errorf("hardest %+v, difficulty %v", h, irv.Difficulty)
	}
	readPaper(t, w, v.ID, []string{contest}, asCVR)
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if want := math.Pow(1-6333.0/105928/(2*audit.DefaultGamma), 114); v.Status != string(audit.Confirmed) || math.Abs(v.Contests[0].Risk-want) > 1e-12 {
		t.Errorf("after round 1: %s, risk %v, want %v", v.Status, v.Contests[0].Risk, want)
	}

	// The paper: about 30% of the Frey-first cards read Dehn alone.
	altered := func(c audit.Card, cvr []string) bool {
		h := fnv.New32a()
		h.Write([]byte(c.String()))
		return len(cvr) > 0 && cvr[0] == "Jacob Frey" && h.Sum32()%100 < 30
	}
	paper := func(c string, d audit.Draw) []string {
		if altered(d.Card, d.CVR[c]) {
			return []string{"Raymond Dehn"}
		}
		return d.CVR[c]
	}
	// Count the paper: Dehn wins it.
	ic, err := w.IRVContest(ctx, contest)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := raire.NewBuilder(ic.Contest.Candidates)
	err = w.Store.View(ctx, func(tx store.Tx) error {
		el, err := tx.Election()
		if err != nil {
			return err
		}
		return cards(tx, nil, func(_ string, c audit.Card, card *canvass.Ballot) error {
			rk, err := IRVCardRanking(el, contest, card)
			if err != nil {
				return err
			}
			if altered(c, rk) {
				rk = []string{"Raymond Dehn"}
			}
			return b.Add(rk, 1)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = raire.Generate(b.Contest(), raire.Options{Winner: "Jacob Frey", Model: raire.Model{Kind: raire.OneOnMargin, Ballots: 105928}})
	var e *raire.Error
	if !errors.As(err, &e) || e.Kind != raire.WrongWinner || len(e.Names) != 1 || e.Names[0] != "Raymond Dehn" {
		t.Fatalf("the altered paper's count: %v", err)
	}
	ev, err := w.AuditStart(ctx, AuditOptions{Contests: []string{contest}, Config: audit.Config{Kind: audit.Comparison, Method: "alpha-comparison", RiskLimit: 0.05, Seed: "12345678901234567890"}})
	if err != nil {
		t.Fatal(err)
	}
	readPaper(t, w, ev.ID, []string{contest}, paper)
	if ev, err = w.AuditEndRound(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	if ev.Status != string(audit.InProgress) || ev.Contests[0].Confirmed || ev.Contests[0].Discrepancies == 0 {
		t.Fatalf("with the paper altered: %s, %+v", ev.Status, ev.Contests[0])
	}
	t.Logf("altered paper: %d discrepancies in %d draws, risk %.4g; the next round would draw %d", ev.Contests[0].Discrepancies, ev.Rounds[0].Size, ev.Contests[0].Risk, ev.Rounds[1].Size)
	if err := w.AuditEscalate(ctx, ev.ID, "the paper ranks Dehn where the CVRs rank Frey"); err != nil {
		t.Fatal(err)
	}
	if ev, _ = w.AuditStatus(ctx, ev.ID); ev.Status != string(audit.FullHandCount) {
		t.Errorf("status %s", ev.Status)
	}
	rebuildSame(t, w)
}

// TestIRVReading: a board's ranks read as the workspace's ranked rules read a card (by hand:
// skipped ranks are passed over; two candidates at one rank, an overvote, end the ranking).
func TestIRVReading(t *testing.T) {
	for _, tc := range []struct {
		ranks map[string]int
		want  []string
	}{
		{map[string]int{"Bob": 2, "Alice": 1}, []string{"Alice", "Bob"}},
		{map[string]int{"Chuan": 3, "Bob": 1}, []string{"Bob", "Chuan"}},
		{map[string]int{"Alice": 1, "Bob": 2, "Chuan": 2}, []string{"Alice"}},
		{map[string]int{"Alice": 2, "Bob": 2}, nil},
		{map[string]int{}, nil},
	} {
		got, err := IRVReading(tc.ranks)
		if err != nil || !sameVotes(got, tc.want) {
			t.Errorf("%v: %v %v, want %v", tc.ranks, got, err, tc.want)
		}
	}
	if _, err := IRVReading(map[string]int{"Alice": 0}); err == nil {
		t.Error("rank 0 read")
	}
}
