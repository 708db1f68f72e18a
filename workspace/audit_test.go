package workspace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
)

// auditCVRs writes a generic-CSV CVR export of 2,000 ballots in 20 batches of 100 on two
// tabulators: Alice 1,200, Bob 800 (every 5th ballot of a batch, 2 of 5, votes Bob).
func auditCVRs(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("BallotID,Tabulator,Batch,President: Alice,President: Bob\n")
	for i := 0; i < 2000; i++ {
		tab, batch := 1+i/1000, 1+(i%1000)/100
		vote := "1,0"
		if i%5 < 2 {
			vote = "0,1"
		}
		fmt.Fprintf(&b, "%d-%d-%d,T%d,%d,%s\n", tab, batch, i%100+1, tab, batch, vote)
	}
	p := filepath.Join(t.TempDir(), "cvrs.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const seed20 = "31415926535897932384"

func auditWorkspace(t *testing.T) *Workspace {
	t.Helper()
	w := newWorkspace(t)
	if _, err := w.ImportCVR(context.Background(), auditCVRs(t), ImportOptions{Format: "csv", Jurisdiction: "Dane"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// boardReads returns records that read each drawn card as its CVR says, or as flip says.
func boardReads(draws []audit.Draw, from int64, flip func(audit.Draw) []string) []audit.Record {
	var out []audit.Record
	seen := map[audit.Card]bool{}
	for _, d := range draws[from:] {
		if seen[d.Card] {
			continue
		}
		seen[d.Card] = true
		votes := d.CVR["President"]
		if flip != nil {
			votes = flip(d)
		}
		out = append(out, audit.Record{Card: d.Card, Found: true, Votes: map[string][]string{"President": votes}, Board: "Board 1"})
	}
	return out
}

// TestAuditComparisonConfirms: a Kaplan-Markov comparison audit at 5% of Alice 1,200 / Bob 800
// (diluted margin μ = 0.2, γ = 1.03905). The first round is planned as Arlo does, for one
// one-vote overstatement and one understatement (Stark 2010's formula, by hand):
// n = ⌈−2γ(ln α + ln(1 − 1/(2γ)) + ln(1 + 1/(2γ)))/μ⌉ = ⌈2.0781·(2.995732 + 0.656226 − 0.392859)/0.2⌉
// = ⌈33.86⌉ = 34 draws. With every card as its CVR says, the risk is (1 − μ/(2γ))^34 =
// 0.9037582^34 = 0.0321, under 5%: confirmed in one round.
func TestAuditComparisonConfirms(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Rounds) != 1 || v.Rounds[0].Size != 34 || v.Ballots != 2000 {
		t.Fatalf("first round %+v of %d", v.Rounds, v.Ballots)
	}
	draws, _, err := w.AuditSample(ctx, v.ID)
	if err != nil || len(draws) != 34 || draws[0].CVR == nil {
		t.Fatalf("sample: %d draws, %v", len(draws), err)
	}
	// The retrieval list names the ballots by batch, position and imprinted id.
	paths, err := w.AuditRetrieval(ctx, v.ID, t.TempDir(), 2)
	if err != nil || len(paths) != 1 {
		t.Fatalf("retrieval: %v %v", paths, err)
	}
	list, _ := os.ReadFile(paths[0])
	if !strings.Contains(string(list), draws[0].Card.Batch[strings.LastIndex(draws[0].Card.Batch, " ")+1:]) || strings.Count(string(list), "\n") < 30 {
		t.Errorf("retrieval list:\n%s", list)
	}
	recs := boardReads(draws, 0, nil)
	if n, err := w.AuditRecord(ctx, v.ID, recs); err != nil || n != len(recs) {
		t.Fatalf("record: %d %v", n, err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	want := math.Pow(1-0.2/(2*1.03905), 34)
	if v.Status != string(audit.Confirmed) || math.Abs(v.Contests[0].Risk-want) > 1e-12 || v.Contests[0].Discrepancies != 0 {
		t.Errorf("after round 1: %+v, risk %v want %v", v, v.Contests[0].Risk, want)
	}
}

// TestAuditEscalates: the boards read every sampled Alice card as Bob (two-vote
// overstatements): the risk stays 1, rounds grow, and the audit goes to a full hand count.
func TestAuditEscalates(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	if _, err := w.AuditRecord(ctx, v.ID, boardReads(draws, 0, func(audit.Draw) []string { return []string{"Bob"} })); err != nil {
		t.Fatal(err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if v.Status != string(audit.InProgress) || len(v.Rounds) != 2 || v.Rounds[1].Size <= 34 || v.Contests[0].Risk < 0.5 || v.Contests[0].Discrepancies == 0 {
		t.Fatalf("after a bad round: %+v", v)
	}
	if err := w.AuditEscalate(ctx, v.ID, "the boards found Bob ballots counted for Alice"); err != nil {
		t.Fatal(err)
	}
	if v, _ = w.AuditStatus(ctx, v.ID); v.Status != string(audit.FullHandCount) {
		t.Errorf("status %s", v.Status)
	}
	// Certification waits for the hand count.
	k := newKey(t, t.TempDir(), "Dane Board")
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{k}}); err == nil || !strings.Contains(err.Error(), "audit:") {
		t.Errorf("certified during a full hand count: %v", err)
	}
	// The hand count (by hand: the 2,000 ballots are 1,200 Alice and 800 Bob) upholds Alice.
	hc := filepath.Join(t.TempDir(), "handcount.csv")
	os.WriteFile(hc, []byte("state,county,municipality,precinct,contest,district,choice,party,mode,stat,votes\n"+
		"WI,Dane,,Ward 1,President,,Alice,,,,1200\nWI,Dane,,Ward 1,President,,Bob,,,,800\n"), 0o644)
	res, err := w.AuditHandCount(ctx, v.ID, hc, results.Options{Format: "canvass"})
	if err != nil || len(res) != 1 || res[0].Changed || res[0].Winners[0] != "Alice" {
		t.Fatalf("hand count: %+v %v", res, err)
	}
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{k}}); err != nil {
		t.Errorf("certify after the hand count: %v", err)
	}
	rep, err := w.AuditReport(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := WriteAuditReportCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"######## AUDIT SETTINGS ########", "######## SAMPLED BALLOTS ########", "######## HAND COUNT ########", "hand counted", seed20} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The whole story replays from the published log.
	rebuildSame(t, w)
}

// TestAuditBadInput: each bad input is refused with a clear message and changes nothing.
func TestAuditBadInput(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	cfg := audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}
	before := dump(t, w)
	short := cfg
	short.Seed = "1234567890"
	if _, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: short}); err == nil || !strings.Contains(err.Error(), "20") {
		t.Errorf("short seed: %v", err)
	}
	// A manifest whose counts do not match the imported CVRs.
	man := filepath.Join(t.TempDir(), "manifest.csv")
	var b strings.Builder
	b.WriteString("Jurisdiction,Tabulator,Batch Name,Number of Ballots\n")
	for tab := 1; tab <= 2; tab++ {
		for batch := 1; batch <= 10; batch++ {
			n := 100
			if tab == 2 && batch == 7 {
				n = 99
			}
			fmt.Fprintf(&b, "Dane,T%d,%d,%d\n", tab, batch, n)
		}
	}
	os.WriteFile(man, []byte(b.String()), 0o644)
	pcfg := cfg
	pcfg.Kind, pcfg.Method = audit.Polling, "alpha"
	if _, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: pcfg, Manifest: man}); err == nil || !strings.Contains(err.Error(), "T2 / 7") || !strings.Contains(err.Error(), "99") {
		t.Errorf("mismatched manifest: %v", err)
	}
	if after := dump(t, w); after != before {
		t.Errorf("a refused start changed the workspace:\n%s", firstDiff(before, after))
	}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	before = dump(t, w)
	// A card that was not drawn.
	notDrawn := audit.Card{Jurisdiction: "Dane", Batch: "T1 / 1", Position: 1}
	for _, d := range draws {
		if d.Card == notDrawn {
			notDrawn.Position = 2
		}
	}
	recs := append(boardReads(draws, 0, nil), audit.Record{Card: notDrawn, Found: true, Votes: map[string][]string{"President": {"Alice"}}})
	if _, err := w.AuditRecord(ctx, v.ID, recs); !errors.Is(err, audit.ErrNotInSample) {
		t.Errorf("card not in the sample: %v", err)
	}
	// The same card twice with different votes.
	recs = boardReads(draws, 0, nil)
	recs = append(recs, audit.Record{Card: recs[0].Card, Found: true, Votes: map[string][]string{"President": {"Nobody"}}})
	if _, err := w.AuditRecord(ctx, v.ID, recs); !errors.Is(err, audit.ErrConflict) {
		t.Errorf("conflicting records: %v", err)
	}
	if after := dump(t, w); after != before {
		t.Errorf("refused records changed the workspace:\n%s", firstDiff(before, after))
	}
	var _ = sampler.CheckSeed
}

// TestAuditInTheLedger: an audit (start, a round of records with a not-found card, the risk
// measured, a second round, escalation) is on the ledger; a rebuild from the published log
// replays it (re-drawing every sample from the seed) and gives the same database.
func TestAuditInTheLedger(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.Comparison, Method: "alpha-comparison", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	recs := boardReads(draws, 0, nil)
	recs[0].Found, recs[0].Votes = false, nil
	if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
		t.Fatal(err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if v.Status == string(audit.InProgress) {
		if err := w.AuditEscalate(ctx, v.ID, "test"); err != nil {
			t.Fatal(err)
		}
	}
	rebuildSame(t, w)
	types := map[string]int{}
	for _, e := range ledgerEntries(t, w) {
		types[e.Type]++
	}
	if types[TypeAuditStart] != 1 || types[TypeAuditRound] < 1 || types[TypeAuditRecord] != len(recs) || types[TypeAuditRisk] != 1 {
		t.Errorf("audit entries: %v", types)
	}
}

func ledgerDir(p string) ledger.Dir { return ledger.Dir(p) }

// TestAuditPollingBravo: a BRAVO ballot-polling audit at 10% from a ballot manifest that
// matches the imported CVRs. The risk after the round is BRAVO's 1/T (Lindeman, Stark, Yates
// 2012, sec. 3) with s_w = 1200/2000 = 0.6: T = (0.6/0.5)^k · (0.4/0.5)^m for k Alice and m Bob
// votes in the sample, computed here by hand from the draws.
func TestAuditPollingBravo(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	man := filepath.Join(t.TempDir(), "manifest.csv")
	var b strings.Builder
	b.WriteString("Jurisdiction,Container,Tabulator,Batch Name,Number of Ballots\n")
	for tab := 1; tab <= 2; tab++ {
		for batch := 1; batch <= 10; batch++ {
			fmt.Fprintf(&b, "Dane,Box %d,T%d,%d,100\n", tab, tab, batch)
		}
	}
	os.WriteFile(man, []byte(b.String()), 0o644)
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Manifest: man,
		Config: audit.Config{Kind: audit.Polling, Method: "bravo", RiskLimit: 0.1, Seed: seed20, WithReplacement: true}})
	if err != nil {
		t.Fatal(err)
	}
	// BRAVO's 90% quantile for 1200/800 at 10% (the reference 600/400 case has the same shares
	// and the same answer when the population is large): 351 draws.
	if v.Rounds[0].Size != 351 {
		t.Errorf("first round %d draws, want 351", v.Rounds[0].Size)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	// A polling audit has no CVRs: read each card as the CVR of the same place says.
	cvrs, err := w.cvrsOf(ctx, draws)
	if err != nil {
		t.Fatal(err)
	}
	var recs []audit.Record
	seen := map[audit.Card]bool{}
	var k, m float64
	for _, d := range draws {
		vote := cvrs[d.Card]
		if vote == "Alice" {
			k++
		} else {
			m++
		}
		if !seen[d.Card] {
			seen[d.Card] = true
			recs = append(recs, audit.Record{Card: d.Card, Found: true, Votes: map[string][]string{"President": {vote}}})
		}
	}
	if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
		t.Fatal(err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	want := math.Min(1, 1/(math.Pow(1.2, k)*math.Pow(0.8, m)))
	if math.Abs(v.Contests[0].Risk-want) > 1e-9*want || v.Status != string(audit.Confirmed) {
		t.Errorf("risk %v (k=%v, m=%v), want %v; status %s", v.Contests[0].Risk, k, m, want, v.Status)
	}
}

// cvrsOf reads the President vote of the CVR at each drawn card's place.
func (w *Workspace) cvrsOf(ctx context.Context, draws []audit.Draw) (map[audit.Card]string, error) {
	cards := map[audit.Card]bool{}
	for _, d := range draws {
		cards[d.Card] = true
	}
	out := map[audit.Card]string{}
	err := w.Store.View(ctx, func(tx store.Tx) error {
		cvrs, err := loadCVRs(tx, nil, cards, nil)
		for c, v := range cvrs {
			out[c] = strings.Join(v["President"], ";")
		}
		return err
	})
	return out, err
}

// TestAuditBatchMACRO: a MACRO batch-comparison audit of Wisconsin's 2020 presidential count
// with the WEC's 3,698 reporting units as batches, at 5%. By hand: the certified margin is
// V = 1,630,866 − 1,610,184 = 20,682 votes and the units hold N = 3,298,041 votes (the report
// gives no ballot counts, so votes stand for ballots); every unit's error bound is
// (v_w − v_ℓ + b_p)/V for Biden–Trump, so U = (V + N)/V = 160.46, and a zero-error audit needs
// n = ⌈ln 0.05 / ln(1 − 1/U)⌉ = ⌈479.2⌉ = 480 PPEB draws. When the hand tallies match the reported
// ones, the risk is (1 − 1/U)^480 ≤ 5%: confirmed in one round.
func TestAuditBatchMACRO(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, wecCSV, ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Config: audit.Config{Kind: audit.BatchKind, Method: "macro", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	u := (20682.0 + 3298041.0) / 20682.0
	n := math.Ceil(math.Log(0.05) / math.Log(1-1/u))
	if v.Ballots != 3698 || v.Rounds[0].Size != int64(n) || n != 480 {
		t.Fatalf("population %d batches, first round %d draws; want 3,698 and %v", v.Ballots, v.Rounds[0].Size, n)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	// The boards' tallies, as a record file: each drawn unit counted as reported.
	var b strings.Builder
	b.WriteString("batch,contest,choice,votes,board\n")
	seen := map[string]bool{}
	for _, d := range draws {
		if seen[d.Card.Batch] {
			continue
		}
		seen[d.Card.Batch] = true
		for ch, votes := range d.Reported["President"] {
			fmt.Fprintf(&b, "%q,President,%q,%d,Board 1\n", d.Card.Batch, ch, votes)
		}
	}
	recs, err := ReadAuditRecords(strings.NewReader(b.String()), "tallies.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
		t.Fatal(err)
	}
	if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	want := math.Pow(1-1/u, n)
	if v.Status != string(audit.Confirmed) || math.Abs(v.Contests[0].Risk-want) > 1e-5*want { // to five digits: the sum of 3,698 bounds against the closed form
		t.Errorf("status %s, risk %v; want confirmed at %v", v.Status, v.Contests[0].Risk, want)
	}
	paths, err := w.AuditRetrieval(ctx, v.ID, t.TempDir(), 1)
	if err == nil || len(paths) != 0 {
		t.Errorf("a confirmed audit has no open round: %v %v", paths, err)
	}
}

// TestAuditCardStyle: a referendum on half of the 2,000 cards (Yes 700, No 300). Sampling only
// the cards that contain it (card-style data), the population is 1,000 cards and the diluted
// margin 400/1,000 = 0.4; over all cards it would be 0.2. Arlo's first-round plan (see
// TestAuditComparisonConfirms) by hand: ⌈2.0781·3.259099/0.4⌉ = ⌈16.93⌉ = 17 draws, against 34.
func TestAuditCardStyle(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("BallotID,Tabulator,Batch,Referendum: Yes,Referendum: No\n")
	for i := 0; i < 2000; i++ {
		vote := ","
		if i%2 == 0 {
			vote = "1,0"
			if (i/2)%10 >= 7 {
				vote = "0,1"
			}
		}
		fmt.Fprintf(&b, "%d,T1,%d,%s\n", i+1, 1+i/100, vote)
	}
	p := filepath.Join(t.TempDir(), "ref.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	w := newWorkspace(t)
	if _, err := w.ImportCVR(ctx, p, ImportOptions{Format: "csv", Jurisdiction: "Dane"}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"Referendum"}, CardStyle: true,
		Config: audit.Config{Kind: audit.Comparison, Method: "kaplan-markov", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Ballots != 1000 || v.Rounds[0].Size != 17 {
		t.Errorf("card style: population %d, first round %d; want 1,000 and 17", v.Ballots, v.Rounds[0].Size)
	}
	draws, _, _ := w.AuditSample(ctx, v.ID)
	for _, d := range draws {
		if len(d.CVR["Referendum"]) == 0 {
			t.Errorf("drew %s, a card without the referendum", d.Card)
		}
	}
}

// TestAuditHybridONEAudit: 2,000 cards with CVRs (Alice 1,200, Bob 800) and three batches of
// 100 vote-by-mail cards without CVRs, whose results report Alice 60, Bob 40 each. One sample
// from all 2,300 cards; a card without a CVR is compared with its batch's mean (ONEAudit). The
// reported outcome is Alice 1,380, Bob 920 of 2,300 cards. With every card read as it is
// (the first 60 cards of each batch are Alice's), the audit confirms.
func TestAuditHybridONEAudit(t *testing.T) {
	ctx := context.Background()
	w := auditWorkspace(t)
	res := filepath.Join(t.TempDir(), "vbm.csv")
	var b strings.Builder
	b.WriteString("state,county,municipality,precinct,contest,district,choice,party,mode,stat,votes\n")
	man := filepath.Join(t.TempDir(), "vbm-manifest.csv")
	var m strings.Builder
	m.WriteString("Jurisdiction,Batch Name,Number of Ballots\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "WI,Dane,,VBM %d,President,,Alice,,,,60\nWI,Dane,,VBM %d,President,,Bob,,,,40\n", i, i)
		fmt.Fprintf(&m, "Dane,VBM %d,100\n", i)
	}
	os.WriteFile(res, []byte(b.String()), 0o644)
	os.WriteFile(man, []byte(m.String()), 0o644)
	if _, err := w.ImportResults(ctx, res, ImportOptions{Results: results.Options{Format: "canvass"}}); err != nil {
		t.Fatal(err)
	}
	v, err := w.AuditStart(ctx, AuditOptions{Contests: []string{"President"}, Manifest: man,
		Config: audit.Config{Kind: audit.Hybrid, Method: "oneaudit", RiskLimit: 0.05, Seed: seed20}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Ballots != 2300 {
		t.Fatalf("population %d, want 2,300", v.Ballots)
	}
	rep, _ := w.AuditReport(ctx, v.ID)
	if r := rep.Contests[0].Reported; r[0].Votes != 1380 || r[1].Votes != 920 {
		t.Errorf("reported %+v, want Alice 1,380, Bob 920", r)
	}
	for round := 0; round < 5 && v.Status == string(audit.InProgress); round++ {
		draws, before, _ := w.AuditSample(ctx, v.ID)
		var recs []audit.Record
		seen := map[audit.Card]bool{}
		batchCards := 0
		for _, d := range draws[before:] {
			if seen[d.Card] {
				continue
			}
			seen[d.Card] = true
			vote := d.CVR["President"]
			if d.Batch != nil {
				batchCards++
				vote = []string{"Bob"}
				if d.Card.Position <= 60 {
					vote = []string{"Alice"}
				}
			}
			recs = append(recs, audit.Record{Card: d.Card, Found: true, Votes: map[string][]string{"President": vote}})
		}
		if _, err := w.AuditRecord(ctx, v.ID, recs); err != nil {
			t.Fatal(err)
		}
		if v, err = w.AuditEndRound(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
	}
	if v.Status != string(audit.Confirmed) {
		t.Errorf("hybrid audit: %+v", v)
	}
	rebuildSame(t, w)
}
