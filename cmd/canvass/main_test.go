package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/canvass-vote/canvass/rcv"
)

// run executes the CLI in-process and returns its standard output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestHelpOnEveryCommand(t *testing.T) {
	var walk func(c *cobra.Command, path []string)
	n := 0
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			p := append(append([]string{}, path...), sub.Name())
			out, err := run(t, append(p, "--help")...)
			desc := sub.Long
			if desc == "" {
				desc = sub.Short
			}
			if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, strings.SplitN(desc, "\n", 2)[0]) {
				t.Errorf("canvass %s --help: %v\n%s", strings.Join(p, " "), err, out)
			}
			n++
			walk(sub, p)
		}
	}
	walk(newRoot(), nil)
	if n < 8 {
		t.Errorf("only %d commands have help", n)
	}
}

// The demo prints the official Wisconsin figures (WEC ward report after the recount):
// Biden 1,630,866, Trump 1,610,184, and a row for each of the 72 counties.
// TestDemo builds the demo without serving it and checks what it prints and the workspace it
// leaves: the Wisconsin recount (+74), Georgia's hand count (−496), the four logins; the
// President contest from results by county is Wisconsin's ward report (72 counties; Biden
// 1,630,866 statewide, 317,527 in Milwaukee after the recount), and Wayne County is a contest
// of its own with its columns named after the candidates (Biden 597,170, its official results).
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	out, err := run(t, "demo", "--dir", dir, "--no-serve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"margin 20608 → 20682 (+74)", "margin 12780 → 12284 (-496)", "state-admin", "adams-clerk", "adams-board-a", "adams-board-b", "11818 synthetic cast vote records"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	type result struct {
		Contests []struct {
			Name       string `json:"name"`
			Source     string `json:"source"`
			Type       string `json:"type"`
			Seats      int    `json:"seats"`
			Ballots    *int64 `json:"ballots"`
			Undervotes *int64 `json:"undervotes"`
			Overvotes  *int64 `json:"overvotes"`
			Choices    []struct {
				Name  string `json:"name"`
				Votes int64  `json:"votes"`
			} `json:"choices"`
			Winners []string `json:"winners"`
			Units   []struct {
				Unit    string `json:"unit"`
				Choices []struct {
					Name  string `json:"name"`
					Votes int64  `json:"votes"`
				} `json:"choices"`
			} `json:"units"`
		} `json:"contests"`
	}
	tab := func(contest string) result {
		t.Helper()
		js, err := run(t, "--workspace", dir, "tabulate", "--json", "--by", "county", "--contest", contest)
		if err != nil {
			t.Fatal(err)
		}
		var res result
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	const biden = "Joseph R. Biden / Kamala D. Harris"
	found := 0
	for _, c := range tab("President").Contests {
		if c.Source != "results" {
			continue
		}
		found++
		if c.Type != "plurality" || c.Seats != 1 || c.Ballots == nil || c.Undervotes == nil || c.Overvotes == nil || len(c.Units) != 72 ||
			len(c.Winners) != 1 || c.Winners[0] != biden || c.Choices[0].Name != biden || c.Choices[0].Votes != 1630866 {
			t.Errorf("President: %d units, winners %v, first %+v", len(c.Units), c.Winners, c.Choices[0])
		}
		for _, u := range c.Units {
			if strings.TrimSpace(u.Unit) == "WI / MILWAUKEE" && (u.Choices[0].Name != biden || u.Choices[0].Votes != 317527) {
				t.Errorf("Milwaukee: %+v", u.Choices[0])
			}
		}
	}
	if found != 1 {
		t.Errorf("%d President contests from results", found)
	}
	if w := tab("President (Wayne County, Michigan)"); len(w.Contests) != 1 || w.Contests[0].Choices[0].Name != biden || w.Contests[0].Choices[0].Votes != 597170 {
		t.Errorf("Wayne: %+v", w.Contests)
	}
}

// The built binary exits non-zero on bad input and names the file; the workspace journal shows
// only the changes that succeeded.
func TestBinaryExitStatus(t *testing.T) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "canvass")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ws := filepath.Join(tmp, "ws")
	canvass := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"--workspace", ws}, args...)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	if _, e, code := canvass("init"); code != 0 {
		t.Fatalf("init: %d %s", code, e)
	}
	bad := filepath.Join(tmp, "bad.csv")
	os.WriteFile(bad, []byte("county,precinct,office,district,party,candidate,votes\nAlcona,Alcona,President,,DEM,Joseph R. Biden,twelve\n"), 0o644)
	_, e, code := canvass("import", "results", "--format", "openelections", bad)
	if code == 0 || !strings.Contains(e, "bad.csv") || !strings.Contains(e, "votes") {
		t.Errorf("bad import: exit %d, stderr %q", code, e)
	}
	out, _, code := canvass("log")
	if code != 0 || strings.Contains(out, "import.results") || !strings.Contains(out, "workspace.init") {
		t.Errorf("log after a failed import: %d\n%s", code, out)
	}
	if _, e, code := canvass("tabulate", "--by", "galaxy"); code == 0 || !strings.Contains(e, "--by") {
		t.Errorf("bad --by: exit %d %q", code, e)
	}

	// The ledger from the command line: certify with two keys, publish, verify (exit 0),
	// tamper (exit 1, naming the file), rebuild.
	wec := "../../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"
	if _, e, code := canvass("import", "results", wec); code != 0 {
		t.Fatalf("import: %s", e)
	}
	for _, k := range []string{"a", "b"} {
		out, e, code := canvass("keys", "generate", "--name", "Board Member "+k, "--out", filepath.Join(tmp, k+".key"))
		if code != 0 || !strings.Contains(out, "Board_Member_"+k+"+") || strings.Contains(out+e, "PRIVATE") {
			t.Fatalf("keys generate: %d %q %q", code, out, e)
		}
	}
	out, e, code = canvass("certify", "--contest", "president", "--signer", filepath.Join(tmp, "a.key"), "--signer", filepath.Join(tmp, "b.key"))
	if code != 0 || !strings.Contains(out, "certification of \"President\" recorded as ledger entry 3") || !strings.Contains(out, "signed by: Board Member b") {
		t.Fatalf("certify: %d %q %q", code, out, e)
	}
	pub := filepath.Join(tmp, "pub")
	if out, e, code = canvass("publish", pub); code != 0 || !strings.Contains(out, "4 entries") {
		t.Fatalf("publish: %d %q %q", code, out, e)
	}
	key := filepath.Join(ws, "log.pub")
	if out, e, code = canvass("verify", pub, "--key", key); code != 0 || !strings.Contains(out, "OK: verified") {
		t.Fatalf("verify: %d %q %q", code, out, e)
	}
	if out, e, code = canvass("--workspace", filepath.Join(tmp, "rebuilt"), "rebuild", pub, "--key", key); code != 0 || !strings.Contains(out, "workspace rebuilt") {
		t.Fatalf("rebuild: %d %q %q", code, out, e)
	}
	os.WriteFile(filepath.Join(pub, "results", "2.json"), []byte("{}"), 0o644)
	if out, _, code = canvass("verify", pub, "--key", key); code != 1 || !strings.Contains(out, "FAIL results/2.json") {
		t.Errorf("verify of a tampered log: exit %d\n%s", code, out)
	}
}

// The calculators answer with the published reference values (AUDIT-REFERENCES.md): BRAVO
// for 600/400 of 1,000 at 10% has ASN 119 and quantile sizes 184/244/351; the super-simple
// size for α = 0.05, μ = 0.0159 with one discrepancy of each kind is 767.
func TestAuditCalculators(t *testing.T) {
	out, err := run(t, "audit", "sample-size", "--method", "bravo", "--risk-limit", "0.1", "--ballots", "1000", "--tally", "A=600,B=400", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ss struct {
		SampleSize int64            `json:"sample_size"`
		ASN        int64            `json:"asn"`
		Quantiles  map[string]int64 `json:"quantiles"`
	}
	if err := json.Unmarshal([]byte(out), &ss); err != nil || ss.ASN != 119 || ss.Quantiles["0.7"] != 184 || ss.Quantiles["0.8"] != 244 || ss.Quantiles["0.9"] != 351 || ss.SampleSize != 351 {
		t.Errorf("bravo sample-size: %s %v", out, err)
	}
	out, err = run(t, "audit", "sample-size", "--method", "supersimple", "--risk-limit", "0.05", "--diluted-margin", "0.0159", "--o1", "1", "--o2", "1", "--u1", "1", "--u2", "1", "--json")
	if err != nil || !strings.Contains(out, `"sample_size": 767`) {
		t.Errorf("supersimple: %s %v", out, err)
	}
	out, err = run(t, "audit", "risk", "--method", "bravo", "--risk-limit", "0.1", "--ballots", "1000", "--tally", "A=600,B=400", "--sample", "A=72,B=47", "--json")
	var rk struct {
		P         float64 `json:"p_value"`
		Confirmed bool    `json:"confirmed"`
	}
	// By hand: T = (0.6/0.5)^72 (0.4/0.5)^47 = 1.2^72 · 0.8^47 = 14.005, p = 1/T = 0.0714.
	if err != nil || json.Unmarshal([]byte(out), &rk) != nil || !rk.Confirmed || rk.P < 0.0713 || rk.P > 0.0715 {
		t.Errorf("bravo risk: %s %v", out, err)
	}
	man := filepath.Join(t.TempDir(), "m.csv")
	os.WriteFile(man, []byte("Batch Name,Number of Ballots\npct 1,25\npct 2,25\n"), 0o644)
	out, err = run(t, "audit", "sample", "--seed", "12345678901234567890", "--manifest", man, "--n", "5", "--json")
	if err != nil || strings.Count(out, `"ticket"`) != 5 || !strings.Contains(out, `"id": "('pct `) {
		t.Errorf("sample: %s %v", out, err)
	}
	if _, err := run(t, "audit", "sample", "--seed", "123", "--manifest", man, "--n", "5"); err == nil || !strings.Contains(err.Error(), "20") {
		t.Errorf("a 3-digit seed: %v", err)
	}
}

// tabulate --rcv-config gives RCTab's detailed report for one of its regression cases
// (test_set_1_exhaust_at_overvote), identical to RCTab's as exact decimals, and --out writes it.
func TestTabulateRCVConfig(t *testing.T) {
	dir := "../../testdata/rcv/rctab/test_set_1_exhaust_at_overvote/"
	out, err := run(t, "tabulate", "--rcv-config", dir+"test_set_1_exhaust_at_overvote_config.json", "--json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(dir + "test_set_1_exhaust_at_overvote_expected_detailed_report.json")
	if err != nil {
		t.Fatal(err)
	}
	if diffs := rcv.Compare([]byte(out), want); len(diffs) > 0 {
		t.Errorf("report differs from RCTab's: %v", diffs)
	}
	table, err := run(t, "tabulate", "--rcv-config", dir+"test_set_1_exhaust_at_overvote_config.json")
	if err != nil || !strings.Contains(table, "CANDIDATE") || !strings.Contains(table, "elected") {
		t.Errorf("round table: %v\n%s", err, table)
	}
	tmp := t.TempDir()
	if _, err := run(t, "tabulate", "--rcv-config", dir+"test_set_1_exhaust_at_overvote_config.json", "--out", tmp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "detailed_report.json")); err != nil {
		t.Error(err)
	}
}

// canvass reconcile over the Wayne County table: Detroit's 134 absentee counting boards have
// ballots and no registered voters until the mapping joins them to the precincts they served.
func TestReconcileCommand(t *testing.T) {
	ws := t.TempDir()
	if _, err := run(t, "init", ws); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "--workspace", ws, "import", "results", "--format", "wide", "--state", "MI", "--county", "Wayne", "--contest-name", "President",
		"../../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "--workspace", ws, "reconcile")
	if err != nil || !strings.Contains(out, "134 findings") || !strings.Contains(out, "no_registration") {
		t.Errorf("reconcile alone: %v\n%s", err, out)
	}
	out, err = run(t, "--workspace", ws, "reconcile", "--mapping", "../../testdata/us2020/mi/detroit_avcbs_by_precinct_nov2020.csv",
		"--within", "Wayne / City of Detroit", "--same-day-registration")
	if err != nil || !strings.Contains(out, "\n0 findings") {
		t.Errorf("reconcile joined: %v\n%s", err, out)
	}
}

// TestRecountAndCheckCommands runs the Wisconsin recount and a claim check through the CLI:
// the county canvass, the recount of Milwaukee and Dane from the Elections Commission's report
// (figures by hand in workspace/recount_test.go: margin 20,608 → 20,682, +74), a refused entry
// for a county outside the recount, and the check citing the files by hash.
func TestRecountAndCheckCommands(t *testing.T) {
	ws := t.TempDir()
	if _, err := run(t, "init", ws); err != nil {
		t.Fatal(err)
	}
	steps := [][]string{
		{"import", "results", "--format", "wide", "--contest-name", "President", "--skip", "diff,per_gop,per_dem,per_point_diff",
			"../../testdata/us2020/national/county_presidential_results_2020.csv"},
		{"recount", "start", "--contest", "President", "--state", "WI", "--jurisdiction", "Milwaukee", "--jurisdiction", "Dane"},
		{"recount", "enter", "--file", "../../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv", "--format", "wec",
			"--choice", "Joseph R. Biden / Kamala D. Harris=votes_dem", "--choice", "Donald J. Trump / Michael R. Pence=votes_gop", "--choice", "*="},
	}
	for _, s := range steps {
		if out, err := run(t, append([]string{"--workspace", ws}, s...)...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	if _, err := run(t, "--workspace", ws, "recount", "enter", "--unit", "WI / Adams", "--votes", "votes_dem=1,votes_gop=2"); err == nil || !strings.Contains(err.Error(), "not in the recounted jurisdictions") {
		t.Errorf("entry outside the recount: %v", err)
	}
	out, err := run(t, "--workspace", ws, "recount", "report")
	if err != nil || !strings.Contains(out, "Margin of votes_dem over votes_gop: 20608 → 20682 (+74)") || !strings.Contains(out, "may be requested yes; paid by the petitioner") {
		t.Errorf("report: %v\n%s", err, out)
	}
	out, err = run(t, "--workspace", ws, "recount", "finish")
	if err != nil || !strings.Contains(out, "Finished in ledger entry 4") {
		t.Errorf("finish: %v\n%s", err, out)
	}
	out, err = run(t, "--workspace", ws, "check", "recount-impact", "--unit", "Milwaukee")
	if err != nil || !strings.Contains(out, "(+74, 0.36% of the margin)") || !strings.Contains(out, "sha256 98c7412018bfaa2a9ac4fea088fd5bb4bbf1c5f2b93f524da574a2d83c25ccbe") {
		t.Errorf("check: %v\n%s", err, out)
	}
}

// FuzzParseVotes: the --votes parser never panics and returns whole numbers by name.
func FuzzParseVotes(f *testing.F) {
	for _, s := range []string{"votes_dem=1300,votes_gop=280", "A=1", "=1", "A=", "A=1,,B=2", "A=-5", "A=99999999999999999999", "a b=3, c=4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseVotes(s)
		if err == nil {
			for name := range m {
				if name == "" || strings.ContainsAny(name, ",=") {
					t.Errorf("%q: choice %q", s, name)
				}
			}
		}
	})
}

// TestAuditIRVCommands: `canvass audit` with an instant-runoff contest and a plurality question
// on the same 1,000 cards (10 batches of 100 on two tabulators). Mayor, by hand: 400 Alice >
// Bob > Chuan, 250 Bob > Alice, 200 Chuan > Bob, 100 Chuan > Alice, 50 blank; Alice 400, Bob
// 250, Chuan 300 first; Bob out, Alice wins 650 to 300. Its assertions: NEB Alice > Chuan
// (Alice's 400 first preferences against the 300 ballots ranking Chuan above her or without
// her: margin 100) and NEN Alice > Bob {Alice, Bob} (500 against 450: margin 50, the hardest,
// diluted margin 0.05). Measure A: Yes 600, No 350 (0.25). A Kaplan-Markov audit at 5% plans
// 136 draws for the hardest (as Arlo plans for a 0.05 margin); with the paper as the CVRs the
// risk is (1 − 0.05/(2·1.03905))^136 = 0.03643. BRAVO cannot audit the assertions.
func TestAuditIRVCommands(t *testing.T) {
	ws := t.TempDir()
	var b strings.Builder
	b.WriteString("BallotID,Tabulator,Batch,Mayor [ranked 3]: Alice,Mayor: Bob,Mayor: Chuan,Measure A: Yes,Measure A: No\n")
	groups := []struct {
		n     int
		ranks string
	}{{400, "1,2,3"}, {250, "2,1,0"}, {200, "0,2,1"}, {100, "2,0,1"}, {50, "0,0,0"}}
	for i := 0; i < 1000; i++ {
		k, ranks := (i*7919)%1000, ""
		for _, g := range groups {
			if k < g.n {
				ranks = g.ranks
				break
			}
			k -= g.n
		}
		q := "1,0"
		if h := (i * 389) % 1000; h < 350 {
			q = "0,1"
		} else if h < 400 {
			q = "0,0"
		}
		fmt.Fprintf(&b, "%d,T%d,%d,%s,%s\n", i+1, 1+i/500, 1+(i%500)/100, ranks, q)
	}
	cvrs := filepath.Join(t.TempDir(), "cvrs.csv")
	if err := os.WriteFile(cvrs, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]string{{"init", ws}, {"--workspace", ws, "import", "cvr", "--format", "csv", "--jurisdiction", "Dane", cvrs}} {
		if out, err := run(t, s...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	if _, err := run(t, "--workspace", ws, "audit", "start", "--contest", "Mayor", "--type", "polling", "--method", "bravo", "--seed", "31415926535897932384"); err == nil || !strings.Contains(err.Error(), "use alpha") {
		t.Errorf("BRAVO: %v", err)
	}
	out, err := run(t, "--workspace", ws, "audit", "start", "--contest", "Mayor", "--contest", "Measure A", "--type", "comparison", "--method", "kaplan-markov",
		"--seed", "31415926535897932384", "--out", t.TempDir())
	if err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	for _, want := range []string{"round 1: 136 draws", "Mayor: instant runoff, reported winner Alice; 2 assertions (difficulty model MACRO, γ 1.03905", "NEB Alice > Chuan", "NEN Alice > Bob {Alice, Bob}"} {
		if !strings.Contains(out, want) {
			t.Errorf("start lacks %q:\n%s", want, out)
		}
	}
	// The boards read every card as its CVR: the records from the report's sample, the
	// ranking in rank order.
	out, err = run(t, "--workspace", ws, "audit", "report", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Sample []struct {
			Card string              `json:"card"`
			CVR  map[string][]string `json:"cvr"`
		} `json:"sample"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Sample) != 136 {
		t.Fatalf("report: %v, %d draws", err, len(rep.Sample))
	}
	var recs strings.Builder
	recs.WriteString("jurisdiction,batch,position,contest,votes,board\n")
	seen := map[string]bool{}
	for _, s := range rep.Sample {
		if seen[s.Card] {
			continue
		}
		seen[s.Card] = true
		// "Dane / T1 / 3 #45": jurisdiction, batch, position.
		parts := strings.SplitN(s.Card, " / ", 2)
		batch, pos, _ := strings.Cut(parts[1], " #")
		for _, c := range []string{"Mayor", "Measure A"} {
			fmt.Fprintf(&recs, "%s,%s,%s,%s,%s,Board 1\n", parts[0], batch, pos, c, strings.Join(s.CVR[c], ";"))
		}
	}
	recFile := filepath.Join(t.TempDir(), "records.csv")
	os.WriteFile(recFile, []byte(recs.String()), 0o644)
	out, err = run(t, "--workspace", ws, "audit", "record", recFile)
	if err != nil || !strings.Contains(out, "status: confirmed") || !strings.Contains(out, "0.03643") {
		t.Errorf("record: %v\n%s", err, out)
	}
	out, err = run(t, "--workspace", ws, "audit", "status", "--json")
	var st struct {
		Contests []struct {
			Name string `json:"name"`
			IRV  *struct {
				Assertions []struct {
					Label      string  `json:"label"`
					Margin     int64   `json:"margin"`
					Difficulty float64 `json:"difficulty"`
					Risk       float64 `json:"risk"`
				} `json:"assertions"`
			} `json:"irv"`
		} `json:"contests"`
	}
	if err != nil || json.Unmarshal([]byte(out), &st) != nil || len(st.Contests) != 2 || st.Contests[0].IRV == nil || len(st.Contests[0].IRV.Assertions) != 2 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	for _, a := range st.Contests[0].IRV.Assertions {
		if a.Label == "NEN Alice > Bob {Alice, Bob}" && (a.Margin != 50 || a.Risk > 0.0365 || a.Risk < 0.0364) {
			t.Errorf("%+v", a)
		}
	}
	// A second audit escalates; its hand count, as CVRs (here the same cards), upholds Alice.
	steps := [][]string{
		{"audit", "start", "--contest", "Mayor", "--contest", "Measure A", "--method", "alpha-comparison", "--seed", "27182818284590452353", "--out", t.TempDir()},
		{"audit", "escalate", "--reason", "a test of the hand count"},
	}
	for _, s := range steps {
		if out, err := run(t, append([]string{"--workspace", ws}, s...)...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	if out, err := run(t, "--workspace", ws, "audit", "hand-count", "--cvr", "--format", "csv", cvrs); err != nil || !strings.Contains(out, "Mayor: hand count winners Alice: the reported winners stand") {
		t.Errorf("hand count: %v\n%s", err, out)
	}
	out, err = run(t, "--workspace", ws, "audit", "report", "--audit", "3")
	if err != nil || !strings.Contains(out, "######## ASSERTIONS ########") || !strings.Contains(out, `"NEN Alice > Bob {Alice, Bob}",NEN,Alice,Bob,Alice; Bob,50,0.05,124.509,0.0364349,true`) {
		t.Errorf("report: %v\n%s", err, out)
	}
}
