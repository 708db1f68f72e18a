package results

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// headLines returns the first n lines of a file, a seed small enough to mutate.
func headLines(f *testing.F, path string, n int) []byte {
	data := mustRead(f, path)
	end := 0
	for i := 0; i < n && end < len(data); i++ {
		j := bytes.IndexByte(data[end:], '\n')
		if j < 0 {
			return data
		}
		end += j + 1
	}
	return data[:end]
}

// fuzzRead reads data in the format through NewReader and checks drain's promises.
func fuzzRead(t *testing.T, data []byte, name string, opts Options) {
	r, err := NewReader(bytes.NewReader(data), name, opts)
	if err != nil {
		var pe *canvass.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("NewReader error %v (%T) is not a *canvass.ParseError", err, err)
		}
		return
	}
	defer r.Close()
	_, _ = drain(t, r)
}

func FuzzWEC(f *testing.F) {
	f.Add(headLines(f, wecCSV, 20))
	f.Add(mustRead(f, "testdata/wec_small.csv"))
	f.Add(buildXLSX(f, "Sheet1", wecSmallRecords(f)))
	f.Add(buildXLSX(f, "Sheet1", [][]string{{"County Name", "Reporting Unit", "A"}, {"X", "Y", "-1"}}))
	f.Add([]byte(wecHeader + "ADAMS ,Town of A,Town of A Ward 1,C3,S14,A41,12,4\nADAMS ,Town of B,Town of B Ward 1,C3,S1"))
	f.Add([]byte(wecHeader + "Office Totals:,,,,,,1,2\n,,,,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz", Options{Format: "wec"})
	})
}

func FuzzOpenElections(f *testing.F) {
	f.Add(headLines(f, oeAlcona, 30))
	f.Add(headLines(f, oeKent, 30))
	f.Add(mustRead(f, "testdata/20181106__oh__general__tiny__precinct.csv"))
	f.Add([]byte(oeHeader + "Kent,P1,Straight Party,,DEM,,\"1,000\",NA,\nKent,P1,Ballots Cast Blank,,,,1,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "20201103__mi__general__fuzz__precinct.csv", Options{Format: "openelections"})
	})
}

func FuzzCanvass(f *testing.F) {
	f.Add(mustRead(f, "testdata/canvass_small.csv"))
	f.Add(mustRead(f, "testdata/canvass_nostat.csv"))
	f.Add([]byte(canvassHeader + "WI,Dane,,Ward 1,*ballots*,,,,,ballots,12\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.csv", Options{Format: "canvass"})
	})
}

func FuzzWide(f *testing.F) {
	f.Add(headLines(f, wayneCSV, 20))
	f.Add(mustRead(f, "testdata/wide_small.csv"))
	f.Add([]byte("state,county_name,county_fips,votes_gop\nAlabama,Autauga County,01001,19838\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz.csv", Options{Format: "wide", State: "MI", County: "Wayne", Contest: "President"})
	})
}

// FuzzArlo reads a report both ways: whole (ReadArloReport) and as rows.
func FuzzArlo(f *testing.F) {
	f.Add(headLines(f, arloGA, 40))
	f.Add(mustRead(f, "testdata/arlo_multi.csv"))
	f.Add([]byte("######## CONTESTS ########\nContest Name,Targeted?,Number of Winners,Votes Allowed,Total Ballots Cast,Tabulated Votes\nM,Targeted,1,1,,a: 1; b: \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadArloReport(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ReadArloReport error %v (%T) is not a *canvass.ParseError", err, err)
			}
		} else if rep.BatchResults != nil {
			for _, b := range rep.BatchResults.Batches {
				if len(b.Votes) != len(rep.BatchResults.Choices) {
					t.Fatalf("batch %+v has %d counts for %d choices", b, len(b.Votes), len(rep.BatchResults.Choices))
				}
			}
		}
		fuzzRead(t, data, "fuzz.csv", Options{Format: "arlo"})
	})
}

// FuzzAuto sniffs whatever it is given, then reads it.
func FuzzAuto(f *testing.F) {
	for _, p := range []string{"testdata/wec_small.csv", "testdata/wide_small.csv", "testdata/canvass_small.csv",
		"testdata/20181106__oh__general__tiny__precinct.csv", "testdata/arlo_multi.csv"} {
		f.Add(mustRead(f, p))
	}
	f.Add([]byte(strings.Repeat(",", 40) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, "fuzz", Options{Format: "auto", Contest: "President"})
	})
}
