package results

import (
	"errors"
	"io"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// The public files copied into the repository (testdata/README.md at the module root).
const (
	wecCSV    = "../testdata/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.csv"
	wecXLSX   = "../demo/us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.xlsx"
	wayneCSV  = "../testdata/us2020/mi/wayne_2020_president_precinct_with_registration.csv"
	arloGA    = "../testdata/us2020/ga/arlo_audit_report_2020-11-19.csv"
	oeAlcona  = "../testdata/us2020/mi/openelections_precinct/20201103__mi__general__alcona__precinct.csv"
	oeKent    = "../testdata/us2020/mi/openelections_precinct/20201103__mi__general__kent__precinct.csv"
	countyCSV = "../testdata/us2020/national/county_presidential_results_2020.csv"
)

// drain reads r to the end, checking what every reader promises whatever the input: errors
// are *canvass.ParseError, counts are not negative, a statistic names no choice, and Where
// names a record once a row is out. It returns the rows (copied) and the error that ended
// them (nil at io.EOF).
func drain(t testing.TB, r Reader) ([]canvass.ResultRow, error) {
	t.Helper()
	var rows []canvass.ResultRow
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *canvass.ParseError", err, err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("Next after error %v returned %v; errors are final", err, again)
			}
			return rows, err
		}
		if row.Votes < 0 {
			t.Fatalf("negative count in %+v", *row)
		}
		if row.Stat != "" && (row.Choice != "" || row.Contest != "") {
			t.Fatalf("statistic row with a contest or choice: %+v", *row)
		}
		if row.Stat == "" && row.Choice == "" {
			t.Fatalf("vote row without a choice: %+v", *row)
		}
		if _, rec := r.Where(); rec < 1 {
			t.Fatalf("Where() = record %d after a row", rec)
		}
		rows = append(rows, *row)
	}
}

// readAll opens a file through the public API and reads it whole.
func readAll(t testing.TB, path string, opts Options) []canvass.ResultRow {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	defer r.Close()
	rows, err := drain(t, r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// tally sums rows by key(row), counting only the rows keep accepts.
func tally(rows []canvass.ResultRow, keep func(*canvass.ResultRow) bool, key func(*canvass.ResultRow) string) map[string]int64 {
	m := map[string]int64{}
	for i := range rows {
		if keep(&rows[i]) {
			m[key(&rows[i])] += rows[i].Votes
		}
	}
	return m
}

// votesFor keeps the total (Mode "") vote rows of a contest.
func votesFor(contest string) func(*canvass.ResultRow) bool {
	return func(r *canvass.ResultRow) bool { return r.Stat == "" && r.Mode == "" && r.Contest == contest }
}

// statRows keeps the statistic rows of one kind and mode.
func statRows(stat, mode string) func(*canvass.ResultRow) bool {
	return func(r *canvass.ResultRow) bool { return r.Stat == stat && r.Mode == mode }
}

func byChoice(r *canvass.ResultRow) string { return r.Choice }
func byAll(*canvass.ResultRow) string      { return "" }

// distinct counts the distinct values of key over rows.
func distinct(rows []canvass.ResultRow, key func(*canvass.ResultRow) string) int {
	seen := map[string]bool{}
	for i := range rows {
		seen[key(&rows[i])] = true
	}
	return len(seen)
}

// wantParseError checks that err is a *canvass.ParseError wrapping want, about file, record
// and field.
func wantParseError(t *testing.T, err error, want error, file string, record int64, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	var pe *canvass.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *canvass.ParseError", err, err)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v does not wrap %v", err, want)
	}
	if pe.File != file || pe.Record != record || pe.Field != field {
		t.Errorf("error %q names file %q record %d field %q; want %q, %d, %q", err, pe.File, pe.Record, pe.Field, file, record, field)
	}
	for _, part := range []string{file, field} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not name %q", err, part)
		}
	}
}

// readString reads content in format through NewReader and returns the rows and the first
// error, from NewReader or from Next.
func readString(t *testing.T, content, name string, opts Options) ([]canvass.ResultRow, error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(content), name, opts)
	if err != nil {
		var pe *canvass.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("NewReader error %v (%T) is not a *canvass.ParseError", err, err)
		}
		return nil, err
	}
	defer r.Close()
	return drain(t, r)
}
