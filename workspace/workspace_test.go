package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	_ "github.com/canvass-vote/canvass/cvr/cdf"
	_ "github.com/canvass-vote/canvass/cvr/csvcvr"
	_ "github.com/canvass-vote/canvass/cvr/dominion"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
	"github.com/xuri/excelize/v2"
)

const sfDir = "../testdata/cvr/dominion-kuriwaki"

// sfExport makes a Dominion export folder of the two San Francisco November 2020 CvrExport
// files with their manifests (the public folder also holds an Arizona export that belongs to
// another election).
func sfExport(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(sfDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".json") || n == "CvrExport_AZ-999.json" {
			continue
		}
		copyFile(t, filepath.Join(sfDir, n), filepath.Join(dir, n))
	}
	return dir
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newWorkspace(t *testing.T) *Workspace {
	t.Helper()
	w, err := Init(context.Background(), t.TempDir(), "tester", InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// dump returns every row of every table of the workspace database (but goose's own, which
// holds the times of the migrations) and the list of kept files, for comparing the state
// before and after a failed import, or a workspace with its rebuild.
func dump(t *testing.T, w *Workspace) string {
	t.Helper()
	return dumpDir(t, w.Dir)
}

func dumpDir(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out strings.Builder
	var tables []string
	trows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for trows.Next() {
		var name string
		trows.Scan(&name)
		tables = append(tables, name)
	}
	trows.Close()
	if len(tables) < 10 {
		t.Fatalf("dump: only tables %v", tables)
	}
	kept, _ := os.ReadDir(filepath.Join(dir, FilesDir))
	for _, k := range kept {
		fmt.Fprintf(&out, "kept %s\n", k.Name())
	}
	for _, table := range tables {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return out.String()
}

func choiceVotes(t *testing.T, res *tabulate.Result, contest string) map[string]int64 {
	t.Helper()
	for _, c := range res.Contests {
		if canvass.NameKey(c.Name) == canvass.NameKey(contest) {
			m := map[string]int64{}
			for _, ch := range c.Choices {
				m[ch.Name] = ch.Votes
			}
			return m
		}
	}
	t.Fatalf("no contest %q", contest)
	return nil
}

// The San Francisco files hold 123 sessions (118 + 5); 37 of them carry the presidential
// contest: Biden 30 (27 + 3), Trump 7 (5 + 2), no overvote or undervote. Counted with a short
// python3 script over the JSON: Modified interpretation when present, marks with IsVote.
func TestImportDominionAndTabulate(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	rep, err := w.ImportCVR(ctx, sfExport(t), ImportOptions{Jurisdiction: "San Francisco"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.File.Records != 123 || rep.File.Format != "dominion" {
		t.Errorf("imported %d ballots as %q, want 123 dominion", rep.File.Records, rep.File.Format)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{Contest: "President and Vice President", By: canvass.LevelTabulator})
	if err != nil {
		t.Fatal(err)
	}
	v := choiceVotes(t, res, "President and Vice President")
	if v["JOSEPH R. BIDEN AND KAMALA D. HARRIS"] != 30 || v["DONALD J. TRUMP AND MICHAEL R. PENCE"] != 7 {
		t.Errorf("president %v; want Biden 30, Trump 7", v)
	}
	c := res.Contests[0]
	if c.Ballots != 37 || c.Overvotes != 0 || c.Undervotes != 0 || c.Source != "cvr" || len(c.Units) == 0 {
		t.Errorf("ballots %d over %d under %d source %s units %d", c.Ballots, c.Overvotes, c.Undervotes, c.Source, len(c.Units))
	}
	// The same files counted without a workspace give the same table.
	direct, err := TabulateFiles([]string{sfExport(t)}, nil, TabulateOptions{Contest: "President and Vice President"})
	if err != nil {
		t.Fatal(err)
	}
	if d := choiceVotes(t, direct, "President and Vice President"); d["JOSEPH R. BIDEN AND KAMALA D. HARRIS"] != 30 || d["DONALD J. TRUMP AND MICHAEL R. PENCE"] != 7 {
		t.Errorf("direct tabulation %v", d)
	}
	var kinds []string
	for _, e := range ledgerEntries(t, w) {
		kinds = append(kinds, e.Type)
	}
	if strings.Join(kinds, ",") != "workspace.init,import.cvr,election" {
		t.Errorf("ledger %v", kinds)
	}
}

func TestReimportRefusedThenReplaced(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	src := sfExport(t)
	if _, err := w.ImportCVR(ctx, src, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, w)
	_, err := w.ImportCVR(ctx, src, ImportOptions{})
	if !errors.Is(err, ErrAlreadyImported) {
		t.Fatalf("re-import: %v, want ErrAlreadyImported", err)
	}
	if after := dump(t, w); after != before {
		t.Errorf("a refused re-import changed the workspace")
	}
	rep, err := w.ImportCVR(ctx, src, ImportOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replaced != 1 {
		t.Errorf("replaced %d, want file 1", rep.Replaced)
	}
	var ballots int64
	w.Store.View(ctx, func(tx store.Tx) error {
		ballots, _ = tx.CountBallots()
		return nil
	})
	if ballots != 123 {
		t.Errorf("%d ballots after replacing, want 123", ballots)
	}
	// Entries: 0 init, 1 the first import, 2 its election definition, 3 the replacement.
	es := ledgerEntries(t, w)
	if last := es[len(es)-1]; last.Type != "import.cvr" || !strings.Contains(string(last.Body), `"replaces":1`) {
		t.Errorf("replacement not on the record: %s", last.Body)
	}
}

// Every bad input is refused with an error naming the file, the record and the field, and
// leaves the workspace byte-for-byte as it was (every row of every table).
func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := func() string {
		dir := sfExport(t)
		p := filepath.Join(dir, "CvrExport_42.json")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, b[:len(b)/2], 0o644)
		return dir
	}
	edited := func(old, new string) func() string {
		return func() string {
			dir := sfExport(t)
			p := filepath.Join(dir, "CvrExport_24940.json")
			b, _ := os.ReadFile(p)
			s := strings.Replace(string(b), old, new, 1)
			if s == string(b) {
				t.Fatalf("fixture edit %q found nothing", old)
			}
			os.WriteFile(p, []byte(s), 0o644)
			return dir
		}
	}
	duplicate := func() string {
		dir := sfExport(t)
		copyFile(t, filepath.Join(dir, "CvrExport_24940.json"), filepath.Join(dir, "CvrExport_24941.json"))
		return dir
	}
	cases := []struct {
		name     string
		cvr      bool
		path     func() string
		format   string
		field    string // a part of the error's field
		sentinel error
	}{
		{"truncated dominion", true, truncated, "dominion", "", canvass.ErrTruncated},
		{"wrong format", true, func() string { return write("wards.csv", "County Name,Municipality Name\nADAMS,Town of X\n") }, "dominion", "", canvass.ErrWrongFormat},
		{"unknown contest", true, edited(`"Contests":[{"Id":`, `"Contests":[{"Id":99`), "dominion", "Contests", canvass.ErrUnknownContest},
		{"unknown candidate", true, edited(`"CandidateId":`, `"CandidateId":99`), "dominion", "CandidateId", canvass.ErrUnknownChoice},
		{"duplicate ballot id", true, duplicate, "dominion", "ballot id", canvass.ErrDuplicateID},
		{"wrong format (sniffed)", true, func() string { return write("notes.txt", "these are not ballots\n") }, "auto", "", canvass.ErrWrongFormat},
		{"xlsx missing column", false, func() string {
			// A WEC ward report without its "Reporting Unit" column.
			f := excelize.NewFile()
			defer f.Close()
			rows := [][]any{
				{"County Name", "Municipality Name", "Congressional District", "Joseph R. Biden / Kamala D. Harris", "Donald J. Trump / Michael R. Pence"},
				{"ADAMS ", "Town of ADAMS", "Congressional - District 3", 263, 465},
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
					t.Fatal(err)
				}
			}
			p := filepath.Join(tmp, "wards.xlsx")
			if err := f.SaveAs(p); err != nil {
				t.Fatal(err)
			}
			return p
		}, "wec", "Reporting Unit", canvass.ErrMissingField},
		{"non-numeric count", false, func() string {
			return write("openelections.csv", "county,precinct,office,district,party,candidate,votes\nAlcona,Alcona,President,,DEM,Joseph R. Biden,12\nAlcona,Caledonia,President,,DEM,Joseph R. Biden,1x2\n")
		}, "openelections", "votes", canvass.ErrNotNumber},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t)
			// Start from a workspace with data in it.
			if _, err := w.ImportResults(ctx, "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv",
				ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"}}); err != nil {
				t.Fatal(err)
			}
			before := dump(t, w)
			var err error
			if tc.cvr {
				_, err = w.ImportCVR(ctx, tc.path(), ImportOptions{Format: tc.format})
			} else {
				_, err = w.ImportResults(ctx, tc.path(), ImportOptions{Results: results.Options{Format: tc.format}})
			}
			if err == nil {
				t.Fatal("bad input accepted")
			}
			t.Logf("error: %v", err)
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tc.sentinel)
			}
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a ParseError", err)
			}
			if pe.File == "" || (tc.field != "" && !strings.Contains(pe.Field, tc.field)) {
				t.Errorf("error names file %q field %q; want a file and a field with %q", pe.File, pe.Field, tc.field)
			}
			if tc.field != "" && pe.Record == 0 {
				t.Errorf("error names no record: %v", err)
			}
			if after := dump(t, w); after != before {
				t.Errorf("the failed import changed the workspace")
			}
		})
	}
}

// Official figures from results files imported into a workspace: Wisconsin (WEC ward report
// after the recount) and Wayne County, Michigan.
func TestImportResultsOfficialFigures(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, "../demo/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.xlsx", ImportOptions{Results: results.Options{Format: "wec"}}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{By: canvass.LevelCounty})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Contests[0]
	v := choiceVotes(t, res, c.Name)
	if v["Joseph R. Biden / Kamala D. Harris"] != 1630866 || v["Donald J. Trump / Michael R. Pence"] != 1610184 {
		t.Errorf("Wisconsin %v; want Biden 1,630,866, Trump 1,610,184", v)
	}
	if len(c.Units) != 72 || c.Winners[0] != "Joseph R. Biden / Kamala D. Harris" {
		t.Errorf("%d county units, winners %v; want 72 and Biden", len(c.Units), c.Winners)
	}
	pct, err := w.Tabulate(ctx, TabulateOptions{By: canvass.LevelPrecinct})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pct.Contests[0].Units); n != 3698 {
		t.Errorf("%d reporting units, want 3,698", n)
	}
}

// Wayne County, Michigan (the county's statement of votes as one table) and Georgia's 2020
// hand count (the batch tallies of the Arlo audit report), imported and tabulated.
func TestWayneAndGeorgia(t *testing.T) {
	ctx := context.Background()
	w := newWorkspace(t)
	if _, err := w.ImportResults(ctx, "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv",
		ImportOptions{Results: results.Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"}}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Tabulate(ctx, TabulateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Contests[0]
	v := choiceVotes(t, res, c.Name)
	if c.Ballots != 878102 || v["biden_dem"] != 597170 || v["trump_rep"] != 264553 {
		t.Errorf("Wayne: ballots %d, votes %v; want 878,102, Biden 597,170, Trump 264,553", c.Ballots, v)
	}

	g := newWorkspace(t)
	if _, err := g.ImportResults(ctx, "../testdata/us2020/ga/arlo_audit_report_2020-11-19.csv", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = g.Tabulate(ctx, TabulateOptions{By: canvass.LevelCounty})
	if err != nil {
		t.Fatal(err)
	}
	c = res.Contests[0]
	v = choiceVotes(t, res, c.Name)
	if v["Donald J. Trump"] != 2462857 || v["Joseph R. Biden"] != 2475141 || v["Jo Jorgensen"] != 62587 {
		t.Errorf("Georgia hand count %v; want Trump 2,462,857, Biden 2,475,141, Jorgensen 62,587", v)
	}
	// The report's Blank/Undervote and Overvote lines (132,554 and 563, the ROUNDS section's
	// audited votes) are the contest's undervotes and overvotes, not candidates.
	if c.Undervotes != 132554 || c.Overvotes != 563 || len(c.Units) != 159 || c.Winners[0] != "Joseph R. Biden" {
		t.Errorf("Georgia: under %d over %d counties %d winners %v", c.Undervotes, c.Overvotes, len(c.Units), c.Winners)
	}
}

// Counting files without a workspace also refuses a ballot id seen twice, naming where the
// second one is: the copy of CvrExport_24940.json, its first session.
func TestTabulateFilesDuplicate(t *testing.T) {
	dir := sfExport(t)
	copyFile(t, filepath.Join(dir, "CvrExport_24940.json"), filepath.Join(dir, "CvrExport_24941.json"))
	_, err := TabulateFiles([]string{dir}, nil, TabulateOptions{})
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, canvass.ErrDuplicateID) || filepath.Base(pe.File) != "CvrExport_24941.json" || pe.Record != 1 {
		t.Fatalf("error %v; want a duplicate id in CvrExport_24941.json record 1", err)
	}
}

// ledgerEntries decodes the workspace's ledger.
func ledgerEntries(t *testing.T, w *Workspace) []*ledger.Entry {
	t.Helper()
	es, err := w.Entries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return es
}
