package results

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/xuri/excelize/v2"
)

// TestWECStatewide reads the Wisconsin Elections Commission's official ward-by-ward report
// (after the Milwaukee and Dane recount), workbook and CSV. The figures are the certified
// statewide result: Biden 1,630,866, Trump 1,610,184, and 3,298,041 votes for all candidates,
// as in the FEC's "Federal Elections 2020" table 2 (testdata/us2020/national/
// state_president_2020_fec_table2.csv, row WISCONSIN); 3,698 reporting units in 72 counties.
// Milwaukee County (317,527 / 134,482) was summed with python3's csv module over the CSV.
func TestWECStatewide(t *testing.T) {
	for _, path := range []string{wecXLSX, wecCSV} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			format, err := Sniff(path)
			if err != nil || format != "wec" {
				t.Fatalf("Sniff = %q, %v; want wec", format, err)
			}
			rows := readAll(t, path, Options{Format: "auto"})
			got := tally(rows, votesFor("President"), byChoice)
			for choice, want := range map[string]int64{
				"Joseph R. Biden / Kamala D. Harris":       1630866,
				"Donald J. Trump / Michael R. Pence":       1610184,
				"Jo Jorgensen / Jeremy Spike Cohen":        38491,
				"SCATTERING":                               6367,
				"Kanye West / Michelle Tidball (write-in)": 411,
			} {
				if got[choice] != want {
					t.Errorf("%s: %d, want %d", choice, got[choice], want)
				}
			}
			if all := tally(rows, votesFor("President"), byAll)[""]; all != 3298041 {
				t.Errorf("all candidates: %d, want 3298041", all)
			}
			if n := len(got); n != 13 {
				t.Errorf("%d candidates, want 13 (write-in lines and SCATTERING included)", n)
			}
			if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.At(canvass.LevelPrecinct) }); n != 3698 {
				t.Errorf("%d reporting units, want 3698", n)
			}
			if n := distinct(rows, func(r *canvass.ResultRow) string { return r.Unit.County }); n != 72 {
				t.Errorf("%d counties, want 72", n)
			}
			mke := tally(rows, func(r *canvass.ResultRow) bool { return r.Unit.County == "MILWAUKEE" }, byChoice)
			if mke["Joseph R. Biden / Kamala D. Harris"] != 317527 || mke["Donald J. Trump / Michael R. Pence"] != 134482 {
				t.Errorf("Milwaukee County: Biden %d Trump %d, want 317527 134482", mke["Joseph R. Biden / Kamala D. Harris"], mke["Donald J. Trump / Michael R. Pence"])
			}
			first := rows[0]
			want := canvass.ResultRow{Unit: canvass.Unit{State: "WI", County: "ADAMS", Municipality: "Town of ADAMS", Precinct: "Town of ADAMS Wards 1-3"},
				Contest: "President", Choice: "Joseph R. Biden / Kamala D. Harris", Votes: 263}
			if first != want {
				t.Errorf("first row %+v, want %+v", first, want)
			}
		})
	}
}

// wecSmallRecords is testdata/wec_small.csv as records, to build the same report as XLSX.
func wecSmallRecords(t testing.TB) [][]string {
	data, err := os.ReadFile("testdata/wec_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// buildXLSX writes records to a one-sheet workbook, numbers as numeric cells (as the
// Commission's workbooks store them), and a nil record as an absent row.
func buildXLSX(t testing.TB, sheet string, recs [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, rec := range recs {
		if blank(rec) {
			continue
		}
		for j, v := range rec {
			addr, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				t.Fatal(err)
			}
			var val any = v
			if n, err := strconv.Atoi(v); err == nil {
				val = n
			}
			if err := f.SetCellValue(sheet, addr, val); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWECSmall reads a hand-made report laid out like the Commission's workbooks: two title
// rows and an empty row above the header, an "Office Totals:" row, a Total Votes Cast column,
// county names with a trailing space, a quoted reporting unit, an empty cell. The expected
// totals are the column sums worked by hand (they equal the Office Totals row, which must not
// be counted again): Alice 263+190+1200+900+40 = 2593, Bob 465+358+790+580+60 = 2253, Carol
// 0+5+3+10+0 = 18, SCATTERING 2+7+7+10 = 26 (the last unit's cell is empty: no row).
func TestWECSmall(t *testing.T) {
	xlsx := buildXLSX(t, "Sheet1", wecSmallRecords(t))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"csv", mustRead(t, "testdata/wec_small.csv")},
		{"xlsx", xlsx},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.data), "wec_small."+tc.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			first, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if _, rec := r.Where(); rec != 6 {
				t.Errorf("first data row is record %d, want 6 (after 3 title rows, the header and the totals row)", rec)
			}
			want := canvass.ResultRow{Unit: canvass.Unit{State: "WI", County: "ADAMS", Municipality: "Town of ADAMS", Precinct: "Town of ADAMS Wards 1-3"},
				Contest: "President", Choice: "Alice Adams / Al Aa", Votes: 263}
			if *first != want {
				t.Errorf("first row %+v, want %+v", *first, want)
			}
			rest, err := drain(t, r)
			if err != nil {
				t.Fatal(err)
			}
			rows := append([]canvass.ResultRow{want}, rest...)
			if len(rows) != 19 {
				t.Errorf("%d rows, want 19 (5 units × 4 candidates, one empty cell)", len(rows))
			}
			got := tally(rows, votesFor("President"), byChoice)
			for choice, want := range map[string]int64{"Alice Adams / Al Aa": 2593, "Bob Brown / Bo Bb": 2253, "Carol Cruz (write-in)": 18, "SCATTERING": 26} {
				if got[choice] != want {
					t.Errorf("%s: %d, want %d", choice, got[choice], want)
				}
			}
			if rows[len(rows)-1].Unit.Precinct != "Village of OREGON Ward 1" || rows[8].Unit.Precinct != "City of MADISON Wards 1,3" {
				t.Errorf("units: %q, %q", rows[len(rows)-1].Unit.Precinct, rows[8].Unit.Precinct)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestWECOptions: the state and contest defaults give way to the options.
func TestWECOptions(t *testing.T) {
	rows, err := readString(t, string(mustRead(t, "testdata/wec_small.csv")), "w.csv", Options{Format: "wec", State: "XX", Contest: "Governor"})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Unit.State != "XX" || rows[0].Contest != "Governor" {
		t.Errorf("row %+v, want state XX contest Governor", rows[0])
	}
}

const wecHeader = "County Name,Municipality Name,Reporting Unit,Congressional District,Senate District,Assembly District,Alice Adams,Bob Brown\n"

func TestWECBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          error
		record        int64
		field         string
	}{
		{"not a number", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12,4\nADAMS ,Town of B,Town of B Ward 1,C3,S14,A41,12a,4\n", canvass.ErrNotNumber, 3, "Alice Adams"},
		{"negative", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12,-4\n", ErrNegative, 2, "Bob Brown"},
		{"decimal", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12.5,4\n", canvass.ErrNotNumber, 2, "Alice Adams"},
		{"missing column", "County Name,Municipality Name,Congressional District,Alice Adams\nADAMS ,Town of A,C3,12\n", canvass.ErrMissingField, 1, "Reporting Unit"},
		{"no unit", wecHeader + "ADAMS ,Town of A,,C3,S14,A41,12,4\n", canvass.ErrMissingField, 2, "Reporting Unit"},
		{"no candidates", "County Name,Municipality Name,Reporting Unit,Assembly District\n", canvass.ErrMissingField, 1, "candidate columns"},
		{"truncated", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12,4\nADAMS ,Town of B,Town of B Ward 1,C3,S1", canvass.ErrTruncated, 3, "Assembly District"},
		{"short record", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,12,4\nADAMS ,Town of B,Town of B Ward 1,C3,S14,A41,12,4\n", canvass.ErrMissingField, 2, "Alice Adams"},
		{"long record", wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12,4,7\n", canvass.ErrSyntax, 2, "column 9"},
		{"garbled quote", wecHeader + "ADAMS ,Town \"of\" A,Town of A Ward 1,C3,S14,A41,12,4\n", canvass.ErrSyntax, 2, "character 13"},
		{"duplicate column", "County Name,Municipality Name,Reporting Unit,Alice Adams,ALICE ADAMS\n", canvass.ErrSyntax, 1, "ALICE ADAMS"},
		{"empty", "", canvass.ErrTruncated, 0, ""},
		{"wrong format", "municipality,precinct,registered_voters,biden_dem\nCity of Detroit,Precinct 1,752,106\n", canvass.ErrWrongFormat, 1, ""},
		{"arlo report", "######## ELECTION INFO ########\nOrganization,Election Name,State\n", canvass.ErrWrongFormat, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(t, tc.content, "bad.csv", Options{Format: "wec"})
			wantParseError(t, err, tc.want, "bad.csv", tc.record, tc.field)
		})
	}
}

// TestWECBadXLSX: a workbook whose header (below a title row) lacks Municipality Name, one
// with a non-numeric count, and a workbook cut short.
func TestWECBadXLSX(t *testing.T) {
	missing := buildXLSX(t, "Ward by Ward", [][]string{
		{"President / Vice President"},
		{"County Name", "Reporting Unit", "Alice Adams"},
		{"ADAMS ", "Town of A Ward 1", "12"},
	})
	notNumber := buildXLSX(t, "Sheet1", [][]string{
		{"County Name", "Municipality Name", "Reporting Unit", "Alice Adams"},
		{"ADAMS ", "Town of A", "Town of A Ward 1", "12"},
		{"ADAMS ", "Town of B", "Town of B Ward 1", "n/a"},
	})
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		data   []byte
		want   error
		record int64
		field  string
	}{
		{"missing column", missing, canvass.ErrMissingField, 2, "Municipality Name"},
		{"not a number", notNumber, canvass.ErrNotNumber, 3, "Alice Adams"},
		{"truncated", missing[:len(missing)/2], canvass.ErrTruncated, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".xlsx")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, Options{Format: "wec"})
			if err == nil {
				_, err = drain(t, r)
				r.Close()
			}
			wantParseError(t, err, tc.want, path, tc.record, tc.field)
		})
	}
}
