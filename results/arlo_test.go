package results

import (
	"os"
	"strings"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

// TestArloGeorgia reads the report of Georgia's 2020 presidential audit, a full hand count.
// The hand-count totals are Georgia's published audit result (Trump 2,462,857, Biden
// 2,475,141, Jorgensen 62,587), which the report's own ROUNDS section repeats; the machine
// count in CONTESTS is the certified one (Trump 2,461,468, Biden 2,474,248, Jorgensen 62,131,
// 5,023,513 ballots). The batch and county counts, and the counts per batch type, were
// computed with python3's csv module over the BATCH RESULTS section.
func TestArloGeorgia(t *testing.T) {
	f, err := os.Open(arloGA)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ReadArloReport(f, arloGA)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ElectionInfo != (ArloElectionInfo{Organization: "State of Georgia", ElectionName: "2020 Nov General", State: "GA"}) {
		t.Errorf("election info %+v", rep.ElectionInfo)
	}
	if len(rep.Contests) != 1 {
		t.Fatalf("%d contests, want 1", len(rep.Contests))
	}
	c := rep.Contests[0]
	if c.Name != "President of the United States" || !c.Targeted || c.NumWinners != 1 || c.VotesAllowed != 1 || c.TotalBallotsCast != 5023513 {
		t.Errorf("contest %+v", c)
	}
	for choice, want := range map[string]int64{"Donald J. Trump": 2461468, "Joseph R. Biden": 2474248, "Jo Jorgensen": 62131, "Overvote": 0} {
		if got, ok := c.TabulatedVotes.Votes(choice); !ok || got != want {
			t.Errorf("tabulated %s: %d (%v), want %d", choice, got, ok, want)
		}
	}
	if len(c.TabulatedVotes) != 7 {
		t.Errorf("%d tabulated choices, want 7", len(c.TabulatedVotes))
	}
	s := rep.AuditSettings
	if s.AuditName != "November 3, 2020 General Election" || s.AuditType != "BALLOT_POLLING" || s.MathType != "BRAVO" || s.RiskLimitPercent != 10 || s.RandomSeed != "12345123451234512345" || s.Online {
		t.Errorf("audit settings %+v", s)
	}
	if len(rep.Rounds) != 1 {
		t.Fatalf("%d rounds, want 1", len(rep.Rounds))
	}
	r := rep.Rounds[0]
	if r.Round != 1 || r.SampleSize != 5023513 || !r.RiskLimitMet || r.PValue != "0" ||
		!r.End.Equal(time.Date(2020, 11, 19, 22, 25, 48, 60764000, time.UTC)) {
		t.Errorf("round %+v", r)
	}
	if v, _ := r.AuditedVotes.Votes("Blank/Undervote"); v != 132554 {
		t.Errorf("audited Blank/Undervote %d, want 132554", v)
	}
	br := rep.BatchResults
	if br == nil || len(br.Batches) != 41881 {
		t.Fatalf("batch results %v", br)
	}
	sums := make([]int64, len(br.Choices))
	counties := map[string]bool{}
	for _, b := range br.Batches {
		counties[b.Jurisdiction] = true
		for i, v := range b.Votes {
			sums[i] += v
		}
	}
	if len(counties) != 159 {
		t.Errorf("%d counties, want 159", len(counties))
	}
	// The hand count per choice equals the round's audited votes.
	for i, ch := range br.Choices {
		if want, _ := r.AuditedVotes.Votes(ch); sums[i] != want {
			t.Errorf("batches %s: %d, round says %d", ch, sums[i], want)
		}
	}
	if len(rep.Other) != 0 {
		t.Errorf("unknown sections %v", rep.Other)
	}
}

// TestArloGeorgiaRows streams the same report as ResultRows.
func TestArloGeorgiaRows(t *testing.T) {
	if f, err := Sniff(arloGA); err != nil || f != "arlo" {
		t.Fatalf("Sniff = %q, %v", f, err)
	}
	rows := readAll(t, arloGA, Options{})
	total := tally(rows, votesFor("President of the United States"), byChoice)
	for c, want := range map[string]int64{"Donald J. Trump": 2462857, "Joseph R. Biden": 2475141, "Jo Jorgensen": 62587} {
		if total[c] != want {
			t.Errorf("%s: %d, want %d", c, total[c], want)
		}
	}
	// Each batch also gives its counts under its type: the mode rows add up to the totals.
	modes := tally(rows, func(r *canvass.ResultRow) bool { return r.Mode != "" }, byChoice)
	for c, want := range total {
		if modes[c] != want {
			t.Errorf("%s by batch type: %d, total %d", c, modes[c], want)
		}
	}
	trumpByType := tally(rows, func(r *canvass.ResultRow) bool { return r.Mode != "" && r.Choice == "Donald J. Trump" }, func(r *canvass.ResultRow) string { return r.Mode })
	if len(trumpByType) != 5 {
		t.Errorf("batch types %v, want 5", trumpByType)
	}
	if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.At(canvass.LevelPrecinct) }); n != 41881 {
		t.Errorf("%d batches, want 41881", n)
	}
	if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.County }); n != 159 {
		t.Errorf("%d counties, want 159", n)
	}
	if len(rows) != 41881*7*2 {
		t.Errorf("%d rows, want 41881 batches × 7 choices × (total + batch type)", len(rows))
	}
	want := canvass.ResultRow{Unit: canvass.Unit{State: "GA", County: "APPLING", Precinct: "01"}, Contest: "President of the United States", Choice: "Donald J. Trump", Votes: 23}
	if rows[0] != want {
		t.Errorf("first row %+v, want %+v", rows[0], want)
	}
	want.Mode = "Absentee By Mail"
	if rows[1] != want {
		t.Errorf("second row %+v, want %+v", rows[1], want)
	}
}

// TestArloMulti reads a hand-made report of two contests with sections the GA report lacks
// (AUDIT BOARDS, and a NOTES section after the batches), an unfinished round, and a batch
// with no tally for one choice.
func TestArloMulti(t *testing.T) {
	data := mustRead(t, "testdata/arlo_multi.csv")
	rep, err := ReadArloReport(strings.NewReader(string(data)), "arlo_multi.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep.ElectionInfo.State != "CO" || len(rep.Contests) != 2 || rep.Contests[0].Targeted || !rep.Contests[1].Targeted {
		t.Errorf("info %+v contests %+v", rep.ElectionInfo, rep.Contests)
	}
	if v, _ := rep.Contests[1].TabulatedVotes.Votes("no"); v != 380 {
		t.Errorf("Measure 1 No: %d, want 380", v)
	}
	if s := rep.AuditSettings; s.RiskLimitPercent != 5 || !s.Online || s.MathType != "MACRO" {
		t.Errorf("settings %+v", s)
	}
	r0, r1 := rep.Rounds[0], rep.Rounds[1]
	if !r0.End.IsZero() || r0.PValue != "" || r0.RiskLimitMet || r1.PValue != "0.0172" ||
		!r1.End.Equal(time.Date(2022, 6, 29, 16, 30, 0, 0, time.UTC)) || !r0.Start.Equal(time.Date(2022, 6, 28, 10, 0, 0, 123456000, time.UTC)) {
		t.Errorf("rounds %+v", rep.Rounds)
	}
	if b := rep.BatchResults; len(b.Batches) != 3 || b.Batches[1].Votes[1] != NotReported || b.Batches[2].Jurisdiction != "Boulder" {
		t.Errorf("batches %+v", b)
	}
	if len(rep.Other) != 2 || rep.Other[0].Name != "AUDIT BOARDS" || rep.Other[0].Record != 11 || rep.Other[0].Rows[0][2] != "Pat" ||
		rep.Other[1].Name != "NOTES" || len(rep.Other[1].Rows) != 1 {
		t.Errorf("other sections %+v", rep.Other)
	}

	// As rows: the batch columns are Measure 1's choices (Arlo writes one contest's tallies).
	r, err := NewReader(strings.NewReader(string(data)), "arlo_multi.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, rec := r.Where(); rec != 20 {
		t.Errorf("first batch is record %d, want 20", rec)
	}
	want := canvass.ResultRow{Unit: canvass.Unit{State: "CO", County: "Adams", Precinct: "Batch 1"}, Contest: "Measure 1", Choice: "Yes", Votes: 80}
	if *row != want {
		t.Errorf("first row %+v, want %+v", *row, want)
	}
	rest, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	rows := append([]canvass.ResultRow{want}, rest...)
	if len(rows) != 10 {
		t.Errorf("%d rows, want 10: %+v", len(rows), rows)
	}
	got := tally(rows, votesFor("Measure 1"), byChoice)
	if got["Yes"] != 150 || got["No"] != 70 {
		t.Errorf("totals %v, want Yes 150 No 70 (the round's audited votes)", got)
	}
	other := tally(rows, func(r *canvass.ResultRow) bool { return r.Mode == "Other" }, byChoice)
	if other["Yes"] != 0 || other["No"] != 30 || len(other) != 2 {
		t.Errorf("batch type Other: %v", other)
	}
	// Naming the contest overrides the choice match, and must name one of the report's.
	if rows, err := readString(t, string(data), "arlo_multi.csv", Options{Contest: "mayor"}); err != nil || rows[0].Contest != "Mayor" {
		t.Errorf("with Contest mayor: %v, %v", rows, err)
	}
}

func TestArloBadInput(t *testing.T) {
	const info = "######## ELECTION INFO ########\nOrganization,Election Name,State\nX,Y,CO\n\n"
	const contests = "######## CONTESTS ########\nContest Name,Targeted?,Number of Winners,Votes Allowed,Total Ballots Cast,Tabulated Votes\nMeasure,Targeted,1,1,100,Yes: 60; No: 40\n\n"
	const batches = "######## BATCH RESULTS ########\nJurisdiction Name,Batch Name,Batch Type,Yes,No\n"
	for _, tc := range []struct {
		name, content string
		opts          Options
		want          error
		record        int64
		field         string
	}{
		{"not a number", info + contests + batches + "Adams,B1,Other,6,4\nAdams,B2,Other,six,4\n", Options{}, canvass.ErrNotNumber, 10, "BATCH RESULTS: Yes"},
		{"negative", info + contests + batches + "Adams,B1,Other,6,-4\n", Options{}, ErrNegative, 9, "BATCH RESULTS: No"},
		{"tally", info + strings.Replace(contests, "Yes: 60", "Yes 60", 1), Options{}, canvass.ErrSyntax, 6, "CONTESTS: Tabulated Votes"},
		{"tally count", info + strings.Replace(contests, "Yes: 60", "Yes: 6o", 1), Options{}, canvass.ErrNotNumber, 6, "CONTESTS: Tabulated Votes"},
		{"targeted", info + strings.Replace(contests, ",Targeted,", ",Yes,", 1), Options{}, canvass.ErrSyntax, 6, "CONTESTS: Targeted?"},
		{"missing column", info + contests + "######## BATCH RESULTS ########\nJurisdiction Name,Batch Type,Yes,No\n", Options{}, canvass.ErrMissingField, 8, "BATCH RESULTS: Batch Name"},
		{"no batch name", info + contests + batches + "Adams,,Other,6,4\n", Options{}, canvass.ErrMissingField, 9, "BATCH RESULTS: Batch Name"},
		{"no batch results", info + contests, Options{}, canvass.ErrMissingField, 0, "BATCH RESULTS"},
		{"unknown contest", info + contests + batches, Options{Contest: "Mayor"}, canvass.ErrUnknownContest, 8, ""},
		{"section twice", info + info, Options{}, canvass.ErrSyntax, 4, ""},
		{"truncated", info + contests + batches + "Adams,B1,Other,6,4\nAdams,B2,Oth", Options{}, canvass.ErrTruncated, 10, "BATCH RESULTS: Yes"},
		{"garbled", info + contests + batches + "Adams,\"B1,Other,6,4\n", Options{}, canvass.ErrSyntax, 9, "character 21"},
		{"data before a heading", "Organization,Election Name,State\n", Options{Format: "arlo"}, canvass.ErrWrongFormat, 1, ""},
		{"empty", "", Options{Format: "arlo"}, canvass.ErrTruncated, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(t, tc.content, "bad.csv", tc.opts)
			wantParseError(t, err, tc.want, "bad.csv", tc.record, tc.field)
		})
	}
}

// TestArloAmbiguousContest: two contests with the same choices, neither or both targeted,
// and no --contest: the reader cannot tell which the batches are for.
func TestArloAmbiguousContest(t *testing.T) {
	const report = "######## CONTESTS ########\nContest Name,Targeted?,Number of Winners,Votes Allowed,Total Ballots Cast,Tabulated Votes\n" +
		"Measure 1,Targeted,1,1,100,Yes: 60; No: 40\nMeasure 2,Targeted,1,1,100,Yes: 50; No: 50\n\n" +
		"######## BATCH RESULTS ########\nJurisdiction Name,Batch Name,Batch Type,Yes,No\nAdams,B1,Other,6,4\n"
	_, err := readString(t, report, "two.csv", Options{})
	wantParseError(t, err, canvass.ErrUnknownContest, "two.csv", 6, "")
	rows, err := readString(t, report, "two.csv", Options{Contest: "Measure 2"})
	if err != nil || len(rows) != 4 || rows[0].Contest != "Measure 2" || rows[0].Unit.State != "" {
		t.Errorf("with --contest: %+v, %v", rows, err)
	}
}
