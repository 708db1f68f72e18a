package csvtable

import (
	"errors"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// TestRead: a byte-order mark, a quoted field over two lines, grouped digits, a short record.
// Records count from the header (record 1); the third data record is record 4 on line 5
// (the quoted field of record 3 spans lines 3 and 4).
func TestRead(t *testing.T) {
	in := "\ufeffUnit,Registered\nWard 1,\"1,200\"\n\"Ward\n2\",900\nWard 3\n"
	tb, err := Read(strings.NewReader(in), "registration", "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	c, err := tb.Need("unit", "REGISTERED")
	if err != nil || c[0] != 0 || c[1] != 1 || len(tb.Records) != 3 {
		t.Fatalf("%v %v %d", c, err, len(tb.Records))
	}
	if n, err := tb.Count(0, 1, false); n != 1200 || err != nil {
		t.Errorf("grouped digits: %d %v", n, err)
	}
	if n, err := tb.Count(2, 1, true); n != -1 || err != nil {
		t.Errorf("optional empty: %d %v", n, err)
	}
	_, err = tb.Count(2, 1, false)
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.Record != 4 || pe.Line != 5 || pe.Field != "Registered" || !errors.Is(err, canvass.ErrMissingField) {
		t.Errorf("empty required count: %+v", err)
	}
	for _, bad := range []string{"-3", "1.5", "2000000000000"} {
		tb.Records[0][1] = bad
		if _, err := tb.Count(0, 1, false); !errors.Is(err, canvass.ErrNotNumber) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := tb.Column("date", true); !errors.Is(err, canvass.ErrMissingField) {
		t.Errorf("missing column: %v", err)
	}
	if j, err := tb.Column("date", false); j != -1 || err != nil {
		t.Errorf("optional column: %d %v", j, err)
	}
	if _, err := Read(strings.NewReader("a,A\n1,2\n"), "x", "x.csv"); !errors.Is(err, canvass.ErrSyntax) {
		t.Errorf("a column twice: %v", err)
	}
	if _, err := Read(strings.NewReader(""), "x", "x.csv"); !errors.Is(err, canvass.ErrTruncated) {
		t.Errorf("empty file: %v", err)
	}
	if _, err := Read(strings.NewReader("a,b\n\"x,1\n"), "x", "x.csv"); !errors.Is(err, canvass.ErrSyntax) {
		t.Errorf("unterminated quote: %v", err)
	}
}

// FuzzRead: any input reads or fails with a *canvass.ParseError, and every cell and count of
// what it reads can be asked for without a panic.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"unit,registered\nWard 1,100\n", "\ufeffa,b\n1\n1,2,3\n", "a,a\n", "\"a\nb\",c\n1,2\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := Read(strings.NewReader(s), "fuzz", "f.csv")
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		for i := range tb.Records {
			for c := -1; c <= len(tb.Header); c++ {
				tb.Cell(i, c)
				if c >= 0 && c < len(tb.Header) {
					tb.Count(i, c, true)
				}
			}
		}
	})
}
