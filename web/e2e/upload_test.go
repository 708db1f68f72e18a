package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/workspace"
)

// wecCSV is the WEC's ward report as CSV (the demo imported the same report as XLSX).
const wecCSV = "../../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"

// TestUploadErrorReport: officials upload files with a bad record through the import form (the
// page's script sends it and shows the progress, then the report) and read, for each, the
// record at fault: the file by the name they uploaded, the record, the line and the field.
// Nothing is imported: the ledger, the result rows, the ballots and the kept files are as
// before.
//
//   - The state administrator uploads the WEC ward report whose 3rd ward (file line 4, the Town
//     of Colburn's Ward 1, 44 votes for Biden) reads "4x4": record 4, line 4, Biden's column.
//   - Adams County's clerk uploads cast vote records in canvass's CVR CSV whose 3rd ballot
//     (line 4) has "x" in the column of Trump: record 3, line 4, that column.
func TestUploadErrorReport(t *testing.T) {
	s := demoSite(t)
	dir := t.TempDir()

	wec, err := os.ReadFile(wecCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(wec), "\n")
	if !strings.HasPrefix(lines[3], "ADAMS ,Town of COLBURN,Town of COLBURN Ward 1,") || !strings.Contains(lines[3], ",44,97,") {
		t.Fatalf("line 4 of the ward report is %q", lines[3])
	}
	lines[3] = strings.Replace(lines[3], ",44,97,", ",4x4,97,", 1)
	badWEC := filepath.Join(dir, "wec-ward-report-2020.csv")
	if err := os.WriteFile(badWEC, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	badCVR := filepath.Join(dir, "adams-cvr-late-batch.csv")
	cvr := "BallotID,Precinct,Tabulator,Batch,President: " + biden + ",President: " + trump + "\n" +
		"late-1,Town of ADAMS Wards 1-3,T99,1,1,0\n" +
		"late-2,Town of ADAMS Wards 1-3,T99,1,0,1\n" +
		"late-3,Town of ADAMS Wards 1-3,T99,1,0,x\n" +
		"late-4,Town of ADAMS Wards 1-3,T99,1,1,0\n"
	if err := os.WriteFile(badCVR, []byte(cvr), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		who, kind, format, jurisdiction, file string
		want                                  []string // file, record, line, field
		message                               string
	}{
		{"state-admin", "results", "wec", "", badWEC, []string{"wec-ward-report-2020.csv", "4", "4", biden}, `"4x4"`},
		{"adams-clerk", "cvr", "csv", "ADAMS", badCVR, []string{"adams-cvr-late-batch.csv", "3", "4", "President: " + trump}, `"x"`},
	} {
		t.Run(c.who, func(t *testing.T) {
			tb := newTab(t, s)
			if home := tb.signIn(c.who); home != "/admin" {
				t.Errorf("%s lands on %s", c.who, home)
			}
			before := counts(t, s.w) // after the sign-in, which is an entry of the ledger
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.SetValue(chromedp.ID("kind"), c.kind),
				chromedp.SetValue(chromedp.ID("format"), c.format),
			}
			if c.jurisdiction != "" {
				steps = append(steps, chromedp.SendKeys(chromedp.ID("jurisdiction"), c.jurisdiction))
			}
			if err := tb.do(append(steps,
				chromedp.SetUploadFiles(chromedp.ID("file"), []string{c.file}),
				chromedp.Click(`//form[@data-upload]//button[@type="submit"]`, chromedp.NodeVisible),
				chromedp.WaitVisible(chromedp.CSS("[data-report] table")),
			)...); err != nil {
				t.Fatalf("uploading: %v", err)
			}
			status := tb.text("[data-status]")
			if !strings.HasPrefix(status, "Nothing was imported: ") || !strings.Contains(status, c.message) {
				t.Errorf("the status line: %q", status)
			}
			rows := eval[[][]string](tb, `[...document.querySelectorAll("[data-report] table tr")].slice(1).map(tr => [...tr.cells].map(td => td.textContent))`)
			if len(rows) != 1 || len(rows[0]) != 5 {
				t.Fatalf("the report's rows: %q", rows)
			}
			for i, w := range c.want {
				if rows[0][i] != w {
					t.Errorf("the report's column %d is %q, want %q", i+1, rows[0][i], w)
				}
			}
			if !strings.Contains(rows[0][4], c.message) {
				t.Errorf("the problem %q does not quote the value %s", rows[0][4], c.message)
			}
			if strings.Contains(strings.Join(rows[0], " "), shared.dir) || strings.Contains(status, dir) {
				t.Errorf("the report shows a server path: %q %q", status, rows[0])
			}
			if c.kind == "results" {
				tb.shoot("admin-import-error", desktopW)
			} else {
				tb.shoot("admin-import-error-" + c.kind)
			}
			if after := counts(t, s.w); after != before {
				t.Errorf("a refused upload changed the workspace: before %+v, after %+v", before, after)
			}
			// The files list does not show it.
			tb.open("/admin")
			if files := tb.text("main"); strings.Contains(files, filepath.Base(c.file)) {
				t.Errorf("the officials' page lists the refused file")
			}
		})
	}
}

// tally is what an import changes.
type tally struct {
	entries          uint64
	results, ballots int64
	files, kept      int
}

func counts(t *testing.T, w *workspace.Workspace) tally {
	t.Helper()
	c := tally{entries: ledgerSize(t, w)}
	err := w.Store.View(context.Background(), func(tx store.Tx) error {
		var err error
		if c.results, err = tx.CountResults(); err != nil {
			return err
		}
		if c.ballots, err = tx.CountBallots(); err != nil {
			return err
		}
		fs, err := tx.Files()
		c.files = len(fs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(w.Dir, workspace.FilesDir))
	if err != nil {
		t.Fatal(err)
	}
	c.kept = len(ents)
	return c
}
