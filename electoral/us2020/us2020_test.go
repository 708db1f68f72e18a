package us2020

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSameAsTestdata checks that the embedded files are the ones in testdata.
func TestSameAsTestdata(t *testing.T) {
	for _, name := range []string{Apportionment, States, Districts, Counties} {
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "us2020", "national", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from testdata/us2020/national/%s", name, name)
		}
	}
}

// TestElection: the embedded election allocates (the figures are checked in package
// electoral's tests, which read testdata).
func TestElection(t *testing.T) {
	e, err := Election()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Units) != 56 || len(e.Counts) != 56 {
		t.Errorf("%d units, %d counts; want 56 and 56", len(e.Units), len(e.Counts))
	}
	if _, err := Open("nope.csv"); err == nil {
		t.Error("Open of a missing file: no error")
	}
}
