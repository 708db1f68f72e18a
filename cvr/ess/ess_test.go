package ess

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/xuri/excelize/v2"
)

// marksString renders a ballot's marks as "rank:choice" in order, "overvote" for an
// OvervoteMark.
func marksString(c *canvass.Contest, b *canvass.Ballot) string {
	var parts []string
	for _, m := range b.Contests[0].Marks {
		name := "overvote"
		if m.Choice != canvass.NoChoice {
			name = c.Choices[m.Choice].Name
		}
		parts = append(parts, fmt.Sprintf("%d:%s", m.Rank, name))
	}
	return strings.Join(parts, " ")
}

// ballotAt reads the source of a case up to sheet row row and returns that ballot.
func ballotAt(t *testing.T, config string, row int64) (*canvass.Contest, *canvass.Ballot) {
	t.Helper()
	cfgPath := filepath.Join(rctabDir, config, config+"_config.json")
	cfg := readConfig(t, cfgPath)
	s := cfg.CVRFileSources[0]
	r, err := Open(filepath.Join(rctabDir, config, s.FilePath), cfg.Options(s))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	for {
		b, err := r.Next()
		if err != nil {
			t.Fatalf("row %d not reached: %v", row, err)
		}
		if _, at := r.Where(); at == row {
			return r.Election().Contests[0], b
		}
	}
}

// TestRows checks single rows of RCTab's cases against the cells of the row, read by hand
// (quoted in each case's comment) and the config's labels and candidates.
func TestRows(t *testing.T) {
	tests := []struct {
		config   string
		row      int64
		id       string
		precinct string
		marks    string
	}{
		// Row 8: 7 | C | D|A | A, overvote delimiter "|": D and A both at rank 2, and A again
		// at rank 3 (a duplicate the engine judges).
		{"test_set_overvote_delimiter", 8, "7", "", "1:C 2:D 2:A 3:A"},
		// Row 2: 1 | (blank) | B | C | D with treatBlankAsUndeclaredWriteIn.
		{"test_set_treat_blank_as_undeclared_write_in", 2, "1", "", "1:Undeclared Write-ins 2:B 3:C 4:D"},
		// Row 7: 6 | undervote | B | C | A: the undervote label is a skipped rank, not a blank.
		{"test_set_treat_blank_as_undeclared_write_in", 7, "6", "", "2:B 3:C 4:A"},
		// Row 10: 9 | C | overvote | B | undervote.
		{"test_set_treat_blank_as_undeclared_write_in", 10, "9", "", "1:C 2:overvote 3:B"},
		// Row 3: 2 | A-2 | B | C: A-2 is an alias of A, B an alias of candidate "B-2".
		{"aliases_ess_xlsx", 3, "2", "", "1:A 2:B-2 3:C"},
		// Row 9: 8 | C | D | A-3.
		{"aliases_ess_xlsx", 9, "8", "", "1:C 2:D 3:A"},
		// Row 10: 9 | Durian | Durian | Banana; no id column, so RCTab's file-row id.
		{"duplicate_test", 10, "duplicate_test_cvr.xlsx-9", "", "1:Durian 2:Durian 3:Banana"},
		// Row 2: 1 | overvote | undervote | C | D.
		{"skip_to_next_test", 2, "1", "", "1:overvote 3:C 4:D"},
		// Row 2: MINNEAPOLIS W-11 P-05 | JOHN ERWIN | TOM NORDYKE | ANNIE YOUNG | 1 (the Count
		// column is not a rank).
		{"2013_minneapolis_park", 2, "2013_minneapolis_park_cvr.xlsx-1", "MINNEAPOLIS W-11 P-05", "1:JOHN ERWIN 2:TOM NORDYKE 3:ANNIE YOUNG"},
		// Row 3: MINNEAPOLIS W-10 P-03A | MEG FORNEY | undervote | undervote | 1.
		{"2013_minneapolis_park", 3, "2013_minneapolis_park_cvr.xlsx-2", "MINNEAPOLIS W-10 P-03A", "1:MEG FORNEY"},
		// Row 2: 1 | D Cliff and GDI | D Cliff and GDI | HAH | NMM | JCD | PGB | EKS | MSM | JLL |
		// JR | JME | CEB | undervote | CLV | undervote | undervote | undervote (codes, with a
		// trailing space, that are the candidates' aliases).
		{"2015_portland_mayor_codes", 2, "2015_portland_mayor_codes_cvr.xlsx-1", "D Cliff and GDI",
			"1:Haadoow, Hamza A. 2:Mavodones, Nicholas M. Jr. 3:Duson, Jill C. 4:Bryant, Peter G. 5:Strimling, Ethan K. 6:Miller, Markos S. 7:Lapchick, Jodie L. 8:Rathband, Jed 9:Eder, John M. 10:Bragdon, Charles E. 12:Vail, Christopher L."},
		// Row 4: (no precinct) | Jacob Frey | Nekima Levy-Pounds | Aswar Rahman | 1.
		{"missing_precinct_example", 4, "missing_precinct_example_cvr.xlsx-3", "", "1:Jacob Frey 2:Nekima Levy-Pounds 3:Aswar Rahman"},
		// Row 18 is an empty row element: a ballot with no rankings, as RCTab counts it.
		{"first_round_determines_threshold_test", 18, "first_round_determines_threshold_test_cvr.xlsx-17", "", ""},
		// Row 1048576, the sheet's last row element, also empty: ballot 19.
		{"first_round_determines_threshold_test", 1048576, "first_round_determines_threshold_test_cvr.xlsx-19", "", ""},
		// Row 2: 1 | UWI.
		{"uwi_cannot_win_test", 2, "uwi_cannot_win_test_cvr.xlsx-1", "", "1:Undeclared Write-ins"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.config, tc.row), func(t *testing.T) {
			c, b := ballotAt(t, tc.config, tc.row)
			if got := marksString(c, b); got != tc.marks {
				t.Errorf("marks %q, want %q", got, tc.marks)
			}
			if b.ID != tc.id || b.Precinct != tc.precinct {
				t.Errorf("id %q precinct %q, want %q %q", b.ID, b.Precinct, tc.id, tc.precinct)
			}
		})
	}
}

// TestElection checks the contest of 2013_minneapolis_park: its config's 10 candidates and
// undeclared write-ins, and 3 ranks (columns B to D; E is the Count column).
func TestElection(t *testing.T) {
	cfgPath := filepath.Join(rctabDir, "2013_minneapolis_park", "2013_minneapolis_park_config.json")
	cfg := readConfig(t, cfgPath)
	s := cfg.CVRFileSources[0]
	r, err := Open(filepath.Join(filepath.Dir(cfgPath), s.FilePath), cfg.Options(s))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	e := r.Election()
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	c := e.Contests[0]
	if c.Type != canvass.IRV || c.VoteFor != 3 || len(c.Choices) != 11 || c.Name != cfg.OutputSettings.ContestName {
		t.Errorf("contest %q %s vote for %d with %d choices", c.Name, c.Type, c.VoteFor, len(c.Choices))
	}
	if last := c.Choices[10]; last.Name != cvr.UndeclaredWriteIn || !last.WriteIn || c.Choices[0].Name != "ANNIE YOUNG" {
		t.Errorf("choices %q ... %q", c.Choices[0].Name, last.Name)
	}
}

// sheetFile writes an xlsx whose first sheet holds rows (with excelize, as a county's
// spreadsheet program would) and returns its path.
func sheetFile(t testing.TB, rows [][]any) string {
	t.Helper()
	data := sheetBytes(t, rows)
	p := filepath.Join(t.TempDir(), "cvr.xlsx")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sheetBytes(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallOptions configure the generated sheets: id in A, precinct in B, ranks from C.
var smallOptions = cvr.RankedOptions{
	Contest:         "Mayor",
	Candidates:      []cvr.RankedCandidate{{Name: "Ann"}, {Name: "Bo", Aliases: []string{"B"}}, {Name: "Cy"}},
	FirstVoteColumn: 3, FirstVoteRow: 2, IDColumn: 1, PrecinctColumn: 2,
	OvervoteDelimiter: "/", OvervoteLabel: "overvote", UndervoteLabel: "undervote", UndeclaredWriteInLabel: "UWI",
}

var smallRows = [][]any{
	{"Cast Vote Record", "Precinct", "Choice 1", "Choice 2", "Choice 3"},
	{1, "P1", "Ann", "B", "Cy"},
	{2, "P1", "undervote", "Bo/Cy", "UWI"},
	{3, "P2", "overvote", nil, "Ann"},
}

// TestSmall reads a sheet made with excelize: numbers as ids, an alias, the labels and a
// delimited overvote.
func TestSmall(t *testing.T) {
	r, err := Open(sheetFile(t, smallRows), smallOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := r.Election().Contests[0]
	want := []string{
		"1 P1 1:Ann 2:Bo 3:Cy",
		"2 P1 2:Bo 2:Cy 3:Undeclared Write-ins",
		"3 P2 1:overvote 3:Ann",
	}
	for i, w := range want {
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got := b.ID + " " + b.Precinct + " " + marksString(c, b); got != w {
			t.Errorf("ballot %d: %q, want %q", i+1, got, w)
		}
		if _, row := r.Where(); row != int64(i+2) {
			t.Errorf("ballot %d at row %d", i+1, row)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last ballot: %v", err)
	}
}

// TestErrors checks that bad input is refused with a ParseError that names the file, the row
// and the column.
func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		rows  [][]any
		opts  func(*cvr.RankedOptions)
		row   int64
		field string
		err   error
	}{
		{"unknown candidate", [][]any{smallRows[0], {1, "P1", "Ann", "Dee"}}, nil, 2, `D "Choice 2"`, canvass.ErrUnknownChoice},
		{"empty id", [][]any{smallRows[0], {1, "P1", "Ann"}, {nil, "P1", "Bo"}}, nil, 3, `A "Cast Vote Record"`, canvass.ErrMissingField},
		{"blank in overvote", [][]any{smallRows[0], {1, "P1", "Ann/"}}, nil, 2, `C "Choice 1"`, canvass.ErrSyntax},
		{"undervote in overvote", [][]any{smallRows[0], {1, "P1", "Ann/undervote"}}, nil, 2, `C "Choice 1"`, canvass.ErrSyntax},
		{"label unset", [][]any{smallRows[0], {1, "P1", "UWI"}}, func(o *cvr.RankedOptions) { o.UndeclaredWriteInLabel = "" }, 2, `C "Choice 1"`, canvass.ErrUnknownChoice},
		{"no rank columns", [][]any{{"Cast Vote Record", "Precinct"}, {1, "P1"}}, nil, 1, "C", canvass.ErrMissingField},
		{"first vote row unset", smallRows, func(o *cvr.RankedOptions) { o.FirstVoteRow = 0 }, 0, "", canvass.ErrMissingField},
		{"alias of two candidates", smallRows, func(o *cvr.RankedOptions) {
			o.Candidates = []cvr.RankedCandidate{{Name: "Ann"}, {Name: "Bo", Aliases: []string{"Ann"}}}
		}, 0, "", canvass.ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := sheetFile(t, tc.rows)
			opts := smallOptions
			if tc.opts != nil {
				tc.opts(&opts)
			}
			_, _, err := readAll(t, p, opts)
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a ParseError", err, err)
			}
			if pe.File != p || pe.Record != tc.row || pe.Field != tc.field || !errors.Is(err, tc.err) || pe.Format != FormatName {
				t.Errorf("%v: file %q row %d field %q; want row %d field %q, %v", err, pe.File, pe.Record, pe.Field, tc.row, tc.field, tc.err)
			}
		})
	}
}

// TestNotXLSX checks that a file that is not a workbook is refused as ErrWrongFormat.
func TestNotXLSX(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cvr.xlsx")
	os.WriteFile(p, []byte("Cast Vote Record,Precinct\n1,P1\n"), 0o644)
	_, err := Open(p, smallOptions)
	if !errors.Is(err, canvass.ErrWrongFormat) {
		t.Errorf("error %v, want ErrWrongFormat", err)
	}
}

// rawWorkbook makes an xlsx of the given sheet XML (the content of sheetData) and shared
// strings, with the parts a reader needs and nothing else.
func rawWorkbook(sheetData string, sst []string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	const relType = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	add("_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+relType+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<workbook `+ns+`><sheets><sheet name="CVR" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+relType+`worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="`+relType+`sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`)
	var s strings.Builder
	for _, v := range sst {
		s.WriteString("<si><t>" + v + "</t></si>")
	}
	add("xl/sharedStrings.xml", `<sst `+ns+`>`+s.String()+`</sst>`)
	add("xl/worksheets/sheet1.xml", `<?xml version="1.0"?><worksheet `+ns+`><dimension ref="A1:E9"/><sheetData>`+sheetData+`</sheetData></worksheet>`)
	zw.Close()
	return buf.Bytes()
}

// TestSheetXML reads forms of SpreadsheetML that excelize does not write but other programs
// do: inline strings, rich text runs with a phonetic run, entities, CDATA, a comment, a
// namespace prefix, cells without references, a self-closing row, rows left out.
func TestSheetXML(t *testing.T) {
	sheet := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>Choice 1</t></is></c><c r="D1" t="inlineStr"><is><t>Choice 2</t></is></c></row>` +
		// Row 2: id 7, Ann (shared string 1) at rank 1, "B" as rich text with a phonetic run.
		`<row r="2"><c r="A2"><v>7</v></c><c r="C2" t="s"><v>1</v></c><c t="inlineStr"><is><r><t>B</t></r><rPh><t>x</t></rPh></is></c></row>` +
		// Row 3: Cy as &#67;y, then "Ann/Bo" in CDATA after a comment, with a prefix.
		`<x:row r="3"><x:c r="A3" t="str"><x:v>8</x:v></x:c><x:c r="C3" t="inlineStr"><x:is><x:t>&#67;y</x:t></x:is></x:c><!-- note --><x:c r="D3" t="inlineStr"><x:is><x:t><![CDATA[Ann/Bo]]></x:t></x:is></x:c></x:row>` +
		// Row 5 (row 4 left out: no ballot) has no cells: a ballot with no rankings. Its id
		// is missing, so it is read without an id column below.
		`<row r="5"/>`
	p := filepath.Join(t.TempDir(), "cvr.xlsx")
	os.WriteFile(p, rawWorkbook(sheet, []string{"Cast Vote Record", "Ann"}), 0o644)
	opts := smallOptions
	opts.IDColumn = 0
	opts.PrecinctColumn = 0
	r, err := Open(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := r.Election().Contests[0]
	if c.VoteFor != 2 { // C and D, the header's columns from the first vote column
		t.Errorf("vote for %d, want 2", c.VoteFor)
	}
	want := []string{"2 1:Ann 2:Bo", "3 1:Cy 2:Ann 2:Bo", "5 "}
	for i, w := range want {
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		_, row := r.Where()
		if got := fmt.Sprintf("%d %s", row, marksString(c, b)); got != w {
			t.Errorf("ballot %d: %q, want %q", i+1, got, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last ballot: %v", err)
	}
}

// BenchmarkMinneapolis2013 reads the 2013 Minneapolis mayor CVR (80,101 ballots, a 17 MB sheet).
func BenchmarkMinneapolis2013(b *testing.B) {
	cfgPath := filepath.Join(rctabDir, "2013_minneapolis_mayor", "2013_minneapolis_mayor_config.json")
	benchCase(b, cfgPath)
}

// scaleDir is RCTab's scale case, 13 copies of the 2013 Minneapolis mayor CVR (1,041,313
// ballots), kept outside the repository for its size.
var scaleDir = filepath.Join("..", "..", "..", "shared", "data", "rcv", "rctab", "2013_minneapolis_mayor_scale")

// BenchmarkMinneapolisScale reads RCTab's scale case, all 13 files.
func BenchmarkMinneapolisScale(b *testing.B) {
	cfgPath := filepath.Join(scaleDir, "2013_minneapolis_mayor_scale_config.json")
	if _, err := os.Stat(cfgPath); err != nil {
		b.Logf("the scale case is not here (%v); nothing measured", err)
		return
	}
	benchCase(b, cfgPath)
}

func benchCase(b *testing.B, cfgPath string) {
	cfg := readConfig(b, cfgPath)
	var total int64
	b.ReportAllocs()
	for b.Loop() {
		total = 0
		for _, s := range cfg.CVRFileSources {
			n, _, err := readAll(b, filepath.Join(filepath.Dir(cfgPath), s.FilePath), cfg.Options(s))
			if err != nil {
				b.Fatal(err)
			}
			total += n
		}
	}
	b.ReportMetric(float64(total), "ballots")
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}
