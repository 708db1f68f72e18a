package sampler

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/canvass-vote/canvass"
)

func TestReadManifest(t *testing.T) {
	const in = "\ufeffContainer, TABULATOR ,Batch  Name,Number of Ballots,Notes\n" +
		"Box 1,T1,B1,3,first\n" +
		",,,,\n" + // a blank row left by a spreadsheet
		"Box 1,T2,B1,0,\n" +
		"Box 2,T1,B2, 4 ,\n"
	m, err := ReadManifest(strings.NewReader(in), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Batch{
		{Container: "Box 1", Tabulator: "T1", Name: "B1", Ballots: 3},
		{Container: "Box 1", Tabulator: "T2", Name: "B1", Ballots: 0},
		{Container: "Box 2", Tabulator: "T1", Name: "B2", Ballots: 4},
	}
	if len(m.Batches) != len(want) || m.Total != 7 {
		t.Fatalf("got %+v, total %d", m.Batches, m.Total)
	}
	for i := range want {
		if m.Batches[i] != want[i] {
			t.Errorf("batch %d = %+v, want %+v", i, m.Batches[i], want[i])
		}
	}
	// Ballots 0..6: B1 positions 1-3, then (the empty batch passed over) B2 positions 1-4.
	locs := [][2]int64{{0, 1}, {0, 2}, {0, 3}, {2, 1}, {2, 2}, {2, 3}, {2, 4}}
	for i, l := range locs {
		b, p := m.Locate(int64(i))
		if int64(b) != l[0] || p != l[1] {
			t.Errorf("Locate(%d) = %d, %d, want %d, %d", i, b, p, l[0], l[1])
		}
	}
	for _, i := range []int64{-1, 7, 1 << 40} {
		if b, p := m.Locate(i); b != -1 || p != 0 {
			t.Errorf("Locate(%d) = %d, %d, want -1, 0", i, b, p)
		}
	}
	// A Manifest literal (no index) locates the same ballots.
	lit := &Manifest{Batches: m.Batches, Total: m.Total}
	if b, p := lit.Locate(5); b != 2 || p != 3 {
		t.Errorf("literal Locate(5) = %d, %d", b, p)
	}
}

func TestReadManifestAliases(t *testing.T) {
	m, err := ReadManifest(strings.NewReader("County,Batch,Ballot Count\nAda,1,10\nBoise,1,5\n"), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	if m.Total != 15 || m.Batches[1] != (Batch{Jurisdiction: "Boise", Name: "1", Ballots: 5}) {
		t.Errorf("got %+v", m)
	}
}

func TestReadManifestErrors(t *testing.T) {
	cases := []struct {
		name, in string
		record   int64
		field    string
		sentinel error
		text     string
	}{
		{"empty", "", 1, "", canvass.ErrMissingField, "file is empty"},
		{"no count column", "Batch Name,Ballots Cast\nB1,3\n", 1, "Number of Ballots", canvass.ErrMissingField, "no Number of Ballots column"},
		{"no name column", "Number of Ballots\n3\n", 1, "Batch Name", canvass.ErrMissingField, ""},
		{"two name columns", "Batch,Batch Name,Ballots\n", 1, "Batch Name", canvass.ErrSyntax, "columns 1 and 2"},
		{"letters", "Batch Name,Number of Ballots\nB1,3\nB2,three\n", 3, "Number of Ballots", canvass.ErrNotNumber, `batch "B2": "three" is not a whole number`},
		{"negative", "Batch Name,Number of Ballots\nB1,-3\n", 2, "Number of Ballots", canvass.ErrNotNumber, "negative"},
		{"fraction", "Batch Name,Number of Ballots\nB1,2.5\n", 2, "Number of Ballots", canvass.ErrNotNumber, ""},
		{"thousands", "Batch Name,Number of Ballots\nB1,\"1,200\"\n", 2, "Number of Ballots", canvass.ErrNotNumber, "digits only"},
		{"huge", "Batch Name,Number of Ballots\nB1,99999999999999999999\n", 2, "Number of Ballots", canvass.ErrNotNumber, "too large"},
		{"overflow", "Batch Name,Number of Ballots\nB1,9223372036854775807\nB2,1\n", 3, "Number of Ballots", canvass.ErrNotNumber, "total"},
		{"missing count", "Batch Name,Number of Ballots\nB1\n", 2, "Number of Ballots", canvass.ErrMissingField, ""},
		{"missing name", "Batch Name,Number of Ballots\n ,4\n", 2, "Batch Name", canvass.ErrMissingField, ""},
		{"duplicate", "Tabulator,Batch Name,Number of Ballots\nT1,B1,3\nT2,B1,3\nT1,B1,4\n", 4, "Batch Name", canvass.ErrDuplicateID, "already listed in record 2"},
		{"bad quote", "Batch Name,Number of Ballots\n\"B1,3\n", 2, "", canvass.ErrSyntax, ""},
	}
	for _, c := range cases {
		_, err := ReadManifest(strings.NewReader(c.in), "m.csv")
		var pe *canvass.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a ParseError", c.name, err)
			continue
		}
		if pe.Format != "manifest" || pe.File != "m.csv" || pe.Record != c.record || pe.Field != c.field ||
			!errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %q (record %d, field %q), want record %d field %q wrapping %v containing %q",
				c.name, err, pe.Record, pe.Field, c.record, c.field, c.sentinel, c.text)
		}
	}
}

func TestManifestFromCounts(t *testing.T) {
	m, err := ManifestFromCounts([]Batch{{Name: "a", Ballots: 2}, {Name: "b", Ballots: 5}})
	if err != nil || m.Total != 7 {
		t.Fatalf("%v %v", m, err)
	}
	if b, p := m.Locate(6); b != 1 || p != 5 {
		t.Errorf("Locate(6) = %d, %d", b, p)
	}
	bad := []struct {
		batches  []Batch
		sentinel error
	}{
		{[]Batch{{Name: "", Ballots: 1}}, canvass.ErrMissingField},
		{[]Batch{{Name: "a", Ballots: -1}}, canvass.ErrNotNumber},
		{[]Batch{{Name: "a", Ballots: 1}, {Name: "a", Ballots: 2}}, canvass.ErrDuplicateID},
		{[]Batch{{Name: "a", Ballots: 1 << 62}, {Name: "b", Ballots: 1 << 62}, {Name: "c", Ballots: 1 << 62}}, canvass.ErrNotNumber},
	}
	for i, c := range bad {
		if _, err := ManifestFromCounts(c.batches); !errors.Is(err, c.sentinel) {
			t.Errorf("case %d: err = %v, want %v", i, err, c.sentinel)
		}
	}
}

func FuzzReadManifest(f *testing.F) {
	f.Add("Batch Name,Number of Ballots\nB1,3\nB2,0\nB3,4\n")
	f.Add("Jurisdiction,Container,Tabulator,Batch Name,Number of Ballots\nJ,C,T,B,5\nJ,C,T2,B,1\n")
	f.Add("\ufeffbatch,ballots\n\"a,b\",2\n\"a\"\"b\",3\n")
	f.Add("Batch Name,Number of Ballots\nB1,-3\n")
	f.Add("Batch Name,Number of Ballots\nB1\nB2,1,extra\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ReadManifest(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			return
		}
		var sum int64
		for _, b := range m.Batches {
			if b.Ballots < 0 || b.Name == "" {
				t.Fatalf("bad batch %+v", b)
			}
			sum += b.Ballots
		}
		if sum != m.Total {
			t.Fatalf("total %d, sum %d", m.Total, sum)
		}
		if m.Total > 0 {
			for _, i := range []int64{0, m.Total / 2, m.Total - 1} {
				b, p := m.Locate(i)
				if b < 0 || p < 1 || p > m.Batches[b].Ballots {
					t.Fatalf("Locate(%d) = %d, %d", i, b, p)
				}
			}
		}
		// A manifest read back from its own CSV is the same.
		var buf bytes.Buffer
		buf.WriteString("Jurisdiction,Container,Tabulator,Batch Name,Number of Ballots\n")
		for _, b := range m.Batches {
			buf.WriteString(csvLine(b.Jurisdiction, b.Container, b.Tabulator, b.Name, itoa(b.Ballots)))
		}
		m2, err := ReadManifest(&buf, "again.csv")
		if err != nil {
			t.Fatalf("rereading: %v", err)
		}
		if len(m2.Batches) != len(m.Batches) {
			t.Fatalf("reread %d batches of %d", len(m2.Batches), len(m.Batches))
		}
		for i := range m.Batches {
			if m2.Batches[i] != m.Batches[i] {
				t.Fatalf("batch %d: %+v reread as %+v", i, m.Batches[i], m2.Batches[i])
			}
		}
	})
}

func csvLine(fields ...string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(fields)
	w.Flush()
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
