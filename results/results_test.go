package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, "small.xlsx")
	if err := os.WriteFile(xlsx, buildXLSX(t, "Sheet1", wecSmallRecords(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want string
		err  error
	}{
		{wecCSV, "wec", nil},
		{wecXLSX, "wec", nil},
		{xlsx, "wec", nil},
		{"testdata/wec_small.csv", "wec", nil},
		{wayneCSV, "wide", nil},
		{"testdata/wide_small.csv", "wide", nil},
		{oeKent, "openelections", nil},
		{"testdata/20181106__oh__general__tiny__precinct.csv", "openelections", nil},
		{"testdata/canvass_small.csv", "canvass", nil},
		{"testdata/canvass_nostat.csv", "canvass", nil},
		{arloGA, "arlo", nil},
		{"testdata/arlo_multi.csv", "arlo", nil},
		// Ward registration counts: no column names a unit these formats know.
		{"../testdata/us2020/wi/milwaukee_county_wards_registration_2020.csv", "", canvass.ErrWrongFormat},
		{empty, "", canvass.ErrTruncated},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			got, err := Sniff(tc.path)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

// TestNewReaderAuto sniffs from a stream, XLSX included.
func TestNewReaderAuto(t *testing.T) {
	r, err := NewReader(bytes.NewReader(buildXLSX(t, "Sheet1", wecSmallRecords(t))), "stream", Options{Format: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, err := drain(t, r)
	if err != nil || len(rows) != 19 {
		t.Errorf("%d rows, %v; want 19", len(rows), err)
	}
	if _, err := NewReader(bytes.NewReader(nil), "x", Options{Format: "pdf"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestReadAll(t *testing.T) {
	rows, err := ReadAll("testdata/canvass_nostat.csv", Options{})
	if err != nil || len(rows) != 4 || rows[3].Votes != 1200 {
		t.Errorf("ReadAll = %+v, %v", rows, err)
	}
	// The rows are copies: the reader's reuse of its row does not show.
	if rows[0].Choice != "Ann A" || rows[1].Choice != "Ben B" {
		t.Errorf("rows %+v", rows)
	}
	if _, err := ReadAll("testdata/no_such_file.csv", Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in          string
		syn         countSyntax
		spreadsheet bool
		want        int64
		ok          bool
		err         error
	}{
		{"0", plainDigits, false, 0, true, nil},
		{" 263 ", plainDigits, false, 263, true, nil},
		{"", plainDigits, false, 0, false, nil},
		{"1,332", plainDigits, false, 0, false, canvass.ErrNotNumber},
		{"1,332", groupedDigits, false, 1332, true, nil},
		{"12,345,678", groupedDigits, false, 12345678, true, nil},
		{"1,33", groupedDigits, false, 0, false, canvass.ErrNotNumber},
		{"1234,567", groupedDigits, false, 0, false, canvass.ErrNotNumber},
		{",123", groupedDigits, false, 0, false, canvass.ErrNotNumber},
		{"-5", plainDigits, false, 0, false, ErrNegative},
		{"-1,000", groupedDigits, false, 0, false, ErrNegative},
		{"+5", plainDigits, false, 0, false, canvass.ErrNotNumber},
		{"2.63E2", plainDigits, true, 263, true, nil},
		{"263.0", plainDigits, true, 263, true, nil},
		{"263.5", plainDigits, true, 0, false, canvass.ErrNotNumber},
		{"263.0", plainDigits, false, 0, false, canvass.ErrNotNumber},
		{"0x10", plainDigits, true, 0, false, canvass.ErrNotNumber},
		{"Inf", plainDigits, true, 0, false, canvass.ErrNotNumber},
		{"999999999999999999", plainDigits, false, 999999999999999999, true, nil},
		{"9999999999999999999", plainDigits, false, 0, false, canvass.ErrNotNumber},
		{"9,999,999,999,999,999,999", groupedDigits, false, 0, false, canvass.ErrNotNumber},
	} {
		n, ok, err := parseCount(tc.in, tc.syn, tc.spreadsheet)
		if n != tc.want || ok != tc.ok || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("parseCount(%q, %d, %v) = %d, %v, %v; want %d, %v, %v", tc.in, tc.syn, tc.spreadsheet, n, ok, err, tc.want, tc.ok, tc.err)
		}
	}
}

func TestHeaderKey(t *testing.T) {
	for in, want := range map[string]string{
		"County Name":          "county_name",
		" Registered Voters ":  "registered_voters",
		"ballots_cast_total":   "ballots_cast_total",
		"Ballots Cast - Total": "ballots_cast_total",
		"Targeted?":            "targeted",
		"":                     "",
	} {
		if got := headerKey(in); got != want {
			t.Errorf("headerKey(%q) = %q, want %q", in, got, want)
		}
	}
}
