package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canvass-vote/canvass/reconcile"
	"github.com/canvass-vote/canvass/results"
)

const (
	wayneCSV       = "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv"
	detroitMapping = "../testdata/us2020/mi/detroit_avcbs_by_precinct_nov2020.csv"
	milwaukeeWards = "../testdata/us2020/wi/milwaukee_county_wards_registration_2020.csv"
	wiEstimates    = "../testdata/us2020/wi/wi_county_registered_voters_2020-10-01_and_acs2018_cvap.csv"
)

var detroit = reconcile.Unit{Jurisdiction: "Wayne", Municipality: "City of Detroit"}

func importWayne(t *testing.T, w *Workspace) {
	t.Helper()
	if _, err := w.ImportResults(context.Background(), wayneCSV, ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"}}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckDetroit answers "far more votes than people" for Detroit from the Wayne County
// table joined through the imported counting-board mapping. By hand (reconcile's
// TestWayneDetroit, sums of the 637 Detroit rows): 257,619 ballots against 506,305 registered
// voters (50.88%); no joined unit above 100%; the highest is AVCB 13, 1,868 of 2,584 (72.29%),
// joined with the two precincts it served (mapping rows "203,13" and "208,13").
// Without the mapping, the 134 counting boards report ballots and no registered voters.
func TestCheckDetroit(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	importWayne(t, w)
	ask := func() *Answer {
		t.Helper()
		a, err := w.Check(ctx, CheckOptions{Question: QuestionBallotsVsVoters, Unit: "Wayne / City of Detroit",
			ReconcileOptions: ReconcileOptions{Options: reconcile.Options{SameDayRegistration: true}}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	alone := ask()
	if tb := alone.Tables[0]; tb.NoRegistration != 134 || tb.Units != 637 {
		t.Errorf("without the mapping: %d units, %d without registration; want 637, 134", tb.Units, tb.NoRegistration)
	}

	// Recorded without the mapping, the 134 warnings are too many for the entry: they are kept
	// as a file the entry names, published and checked with the log.
	if _, body, err := w.RecordReconciliation(ctx, ReconcileOptions{Options: reconcile.Options{SameDayRegistration: true}}); err != nil || body.FindingsFile == nil || len(body.Findings) != 0 {
		t.Fatalf("recorded: %v, %+v", err, body)
	} else {
		var fs []FindingRecord
		if err := readJSON(w.openKept, body.FindingsFile, &fs); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range fs {
			if f.Rule == reconcile.RuleNoRegistration {
				n++
			}
		}
		if n != 134 || body.Counts["error"] != 0 {
			t.Errorf("kept findings: %d no-registration of %d, counts %v", n, len(fs), body.Counts)
		}
	}

	// A mapping that maps a precinct twice is refused, naming the record; nothing changes.
	bad := filepath.Join(t.TempDir(), "twice.csv")
	os.WriteFile(bad, []byte("E-Day Precinct,ACVB Precinct\n1,72\n2,72\n1,73\n"), 0o644)
	before, n := dump(t, w), ledgerSize(t, w)
	_, err := w.ImportRegistration(ctx, bad, RegistrationOptions{Format: UnitsMapping, Within: detroit})
	if err == nil || !errors.Is(err, reconcile.ErrMappedTwice) || !strings.Contains(err.Error(), "twice.csv") || !strings.Contains(err.Error(), "record 4") {
		t.Errorf("a precinct mapped twice: %v", err)
	}
	// A mapping whose precinct the results lack is refused too.
	os.WriteFile(bad, []byte("E-Day Precinct,ACVB Precinct\n1,72\n9999,72\n"), 0o644)
	if _, err := w.ImportRegistration(ctx, bad, RegistrationOptions{Format: UnitsMapping, Within: detroit}); !errors.Is(err, reconcile.ErrUnknownUnit) || !strings.Contains(err.Error(), "Precinct 9999") {
		t.Errorf("a mapping of an unknown precinct: %v", err)
	}
	if after := dump(t, w); after != before || ledgerSize(t, w) != n {
		t.Errorf("a refused import changed the workspace:\n%s", firstDiff(before, after))
	}

	if _, err := w.ImportRegistration(ctx, detroitMapping, RegistrationOptions{Format: UnitsMapping, Within: detroit}); err != nil {
		t.Fatal(err)
	}
	a := ask()
	tb := a.Tables[0]
	if tb.Units != 134 || tb.Ballots != 257619 || tb.Registered != 506305 || tb.NoRegistration != 0 || len(tb.Over100) != 0 || tb.BallotsAreVotes {
		t.Errorf("Detroit joined: %+v", tb)
	}
	if h := tb.Highest[0]; h.Unit != "Wayne / City of Detroit / AVCB 13" || h.Ballots != 1868 || h.Registered != 2584 || h.Members != 3 {
		t.Errorf("highest: %+v", h)
	}
	if !strings.Contains(strings.Join(a.Summary, " "), "No unit has more ballots than registered voters") {
		t.Errorf("summary: %v", a.Summary)
	}
	// The answer cites the results file and the mapping by content hash.
	kinds := map[string]bool{}
	for _, s := range a.Sources {
		if len(s.SHA256) != 64 || s.Entry == 0 {
			t.Errorf("source %+v", s)
		}
		kinds[s.Kind] = true
	}
	if !kinds["results"] || !kinds[UnitsMapping] {
		t.Errorf("sources %+v", a.Sources)
	}
	// Importing the same mapping again is refused.
	if _, err := w.ImportRegistration(ctx, detroitMapping, RegistrationOptions{Format: UnitsMapping, Within: detroit}); !errors.Is(err, ErrAlreadyImported) {
		t.Errorf("second import: %v", err)
	}
	// The log, with the findings file and the mapping, verifies by replay.
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	if rep := verifyDir(t, pub, VerifyOptions{}); !rep.OK() || rep.Files != 2 {
		t.Errorf("verify: %d files; %s", rep.Files, problems(rep))
	}
}

// TestCheckMilwaukeeWards: the Milwaukee County ward table checked on its own (reconcile's
// TestMilwaukeeWards has the rows): 570 wards joined into 477 units, of which 475 report
// ballots — the file marks two wards "Not reported in results" (Bayside Ward 6, 94 registered;
// St. Francis Ward 12, 546) — so 459,874 ballots against 557,183 − 94 − 546 = 556,543 registered
// on the Nov-1 list (82.63%); one unit above 100%, City of Milwaukee Ward
// 326 (5 ballots, 4 registered), with same-day registration and the list date as the
// explanations; then Bayside Wards 1S,3S (72 of 73). Its election-day registration errors
// (Ward 326; River Hills Wards 1,2,3) block certification once recorded.
func TestCheckMilwaukeeWards(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, wecCSV, ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ImportRegistration(ctx, milwaukeeWards, RegistrationOptions{Format: UnitsMilwaukeeWards}); err != nil {
		t.Fatal(err)
	}
	opts := ReconcileOptions{Options: reconcile.Options{SameDayRegistration: true, ElectionDay: time.Date(2020, 11, 3, 0, 0, 0, 0, time.UTC)}}
	a, err := w.Check(ctx, CheckOptions{Question: QuestionTurnout, Unit: "Milwaukee County", ReconcileOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	var wards *TurnoutTable
	for i := range a.Tables {
		if a.Tables[i].Source == "ward tables" {
			wards = &a.Tables[i]
		}
	}
	if wards == nil || wards.Units != 475 || wards.Ballots != 459874 || wards.Registered != 556543 {
		t.Fatalf("ward table: %+v", wards)
	}
	if len(wards.Over100) != 1 || wards.Over100[0].Unit != "Milwaukee County / City of Milwaukee / Ward 326" {
		t.Fatalf("over 100%%: %+v", wards.Over100)
	}
	e := strings.Join(wards.Over100[0].Explanations, "|")
	if !strings.Contains(e, reconcile.ExplainSameDay) || !strings.Contains(e, reconcile.ExplainListDate) {
		t.Errorf("explanations: %v", wards.Over100[0].Explanations)
	}
	if h := wards.Highest[1]; h.Unit != "Milwaukee County / Village of Bayside / Wards 1S,3S" || h.Ballots != 72 || h.Registered != 73 {
		t.Errorf("second highest: %+v", h)
	}

	// Recorded, the reconciliation's errors block a certification until corrected or
	// overridden with a reason.
	seq, body, err := w.RecordReconciliation(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if seq == 0 || body.Counts["error"] != 2 {
		t.Errorf("recorded %d: counts %v, want 2 errors (Ward 326, River Hills Wards 1,2,3)", seq, body.Counts)
	}
	k := newKey(t, t.TempDir(), "Milwaukee Board")
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{k}}); err == nil || !strings.Contains(err.Error(), "reconcile:") {
		t.Fatalf("certified despite reconciliation errors: %v", err)
	}
	if _, err := w.Certify(ctx, CertifyOptions{Contest: "President", Signers: []*Signer{k},
		Overrides: map[string]string{"reconcile": "election-day registration column is not a registration count for these wards (county clerk's memo)"}}); err != nil {
		t.Fatal(err)
	}
	// Replayed from the published log, every entry is the same.
	pub := filepath.Join(t.TempDir(), "pub")
	if _, err := w.Publish(ctx, pub, nil); err != nil {
		t.Fatal(err)
	}
	if rep := verifyDir(t, pub, VerifyOptions{}); !rep.OK() {
		t.Errorf("verify: %s", problems(rep))
	}
}

// TestCheckWisconsinEstimates: votes for president per county (the ward report has no
// ballots) against the Oct-1 registration and the ACS 2014–2018 estimates. By hand
// (reconcile's TestWisconsinCounties): Milwaukee 459,723 votes, 542,452 registered (84.75%),
// VAP 723,100, CVAP 677,440; statewide 3,298,041 votes; the highest county is Juneau, 13,709
// of 14,069 (97.44%); no county above 100% or above an estimate. Registration for a county
// the results lack is refused.
func TestCheckWisconsinEstimates(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, wecCSV, ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "reg.csv")
	os.WriteFile(bad, []byte("unit,registered\nMILWAUKEE / City of Milwaukee / City of Milwaukee Ward 1,100\nATLANTIS / Town of Nowhere / Ward 1,10\n"), 0o644)
	before, n := dump(t, w), ledgerSize(t, w)
	if _, err := w.ImportRegistration(ctx, bad, RegistrationOptions{Format: UnitsRegistration}); !errors.Is(err, reconcile.ErrUnknownUnit) || !strings.Contains(err.Error(), "record 3") || !strings.Contains(err.Error(), "ATLANTIS") {
		t.Errorf("registration for an unknown unit: %v", err)
	}
	if after := dump(t, w); after != before || ledgerSize(t, w) != n {
		t.Errorf("a refused import changed the workspace:\n%s", firstDiff(before, after))
	}
	if _, err := w.ImportRegistration(ctx, wiEstimates, RegistrationOptions{Format: UnitsCountyEstimates}); err != nil {
		t.Fatal(err)
	}
	ask := func(unit string) *TurnoutTable {
		t.Helper()
		a, err := w.Check(ctx, CheckOptions{Question: QuestionBallotsVsVoters, Unit: unit, ReconcileOptions: ReconcileOptions{Level: "county"}})
		if err != nil {
			t.Fatal(err)
		}
		est := false
		for _, s := range a.Sources {
			est = est || s.Estimate && s.Kind == UnitsCountyEstimates
		}
		if !est {
			t.Errorf("the estimates are not cited as estimates: %+v", a.Sources)
		}
		return &a.Tables[0]
	}
	m := ask("Milwaukee")
	if m.Units != 1 || m.Ballots != 459723 || m.Registered != 542452 || m.VAP != 723100 || m.CVAP != 677440 || !m.BallotsAreVotes {
		t.Errorf("Milwaukee: %+v", m)
	}
	all := ask("")
	if all.Units != 72 || all.Ballots != 3298041 || len(all.Over100) != 0 || len(all.OverEstimate) != 0 {
		t.Errorf("statewide: %+v", all)
	}
	if h := all.Highest[0]; h.Unit != "JUNEAU" || h.Ballots != 13709 || h.Registered != 14069 || h.ListDate != "2020-10-01" {
		t.Errorf("highest: %+v", h)
	}
}

// TestCheckRecountImpact: after the Wisconsin recount (TestRecountWisconsin), the margin moved
// +74 of 20,608 (0.36%); Milwaukee had the largest change (+132).
func TestCheckRecountImpact(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	importCountyCanvass(t, w)
	if _, err := w.RecountStart(ctx, RecountOptions{Contest: "President", State: "WI", Jurisdictions: []string{"Milwaukee", "Dane"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RecountEnter(ctx, RecountEntry{File: wecAfterRecount, Results: results.Options{Format: "wec"}, Choices: wecChoices}); err != nil {
		t.Fatal(err)
	}
	a, err := w.Check(ctx, CheckOptions{Question: QuestionRecountImpact, Unit: "Dane"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Recounts) != 1 {
		t.Fatalf("recounts: %+v", a.Recounts)
	}
	r := a.Recounts[0]
	// |−64|+|−6|+257+125 = 452 votes changed.
	if r.MarginBefore != 20608 || r.MarginChange != 74 || r.LargestUnit != "Wisconsin / Milwaukee County" || r.LargestChange != 132 || r.VotesChanged != 452 || r.OutcomeChanged {
		t.Errorf("impact %+v", r)
	}
	if s := strings.Join(a.Summary, " "); !strings.Contains(s, "(+74, 0.36% of the margin)") || !strings.Contains(s, "did not change") {
		t.Errorf("summary: %s", s)
	}
	if a, _ := w.Check(ctx, CheckOptions{Question: QuestionRecountImpact, Unit: "Waukesha"}); len(a.Recounts) != 0 {
		t.Errorf("Waukesha was not recounted: %+v", a.Recounts)
	}
	if _, err := w.Check(ctx, CheckOptions{Question: "fraud"}); err == nil || !strings.Contains(err.Error(), "turnout") {
		t.Errorf("unknown question: %v", err)
	}
}

// TestCheckBalance runs Michigan's balance test on a hand-made precinct table with poll-book
// and absentee counts (wide CSV): Precinct 1 has 600 ballots = 400 checked in + 200 absentee
// received (in balance); Precinct 2 has 405 against 300 + 100 (out of balance by +5);
// Precinct 3 has 497 against 350 + 150 (−3).
func TestCheckBalance(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	p := filepath.Join(t.TempDir(), "precincts.csv")
	os.WriteFile(p, []byte("precinct,registered_voters,poll_book,absentee_received,ballots_cast,Ann,Ben\n"+
		"Precinct 1,1000,400,200,600,350,250\n"+
		"Precinct 2,800,300,100,405,205,200\n"+
		"Precinct 3,900,350,150,497,300,197\n"), 0o644)
	if _, err := w.ImportResults(ctx, p, ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Kent", Contest: "Mayor"}}); err != nil {
		t.Fatal(err)
	}
	a, err := w.Check(ctx, CheckOptions{Question: QuestionBalance, Unit: "Kent"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range a.Findings {
		if f.Rule == reconcile.RuleOutOfBalance {
			got[f.Unit.Precinct] = f.Numbers["imbalance"]
		}
	}
	if len(got) != 2 || got["Precinct 2"] != 5 || got["Precinct 3"] != -3 {
		t.Errorf("out of balance: %v, want Precinct 2 +5, Precinct 3 −3", got)
	}
	if s := strings.Join(a.Summary, " "); strings.Contains(s, "no poll-book counts") || !strings.Contains(s, "out_of_balance 2") {
		t.Errorf("summary: %s", s)
	}
}
