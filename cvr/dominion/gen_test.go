package dominion

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// readTally reads an export and counts it the way the generator does.
func readTally(t testing.TB, path string) SyntheticTally {
	t.Helper()
	r, err := Open(path, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	el := r.Election()
	var got SyntheticTally
	for _, c := range el.Contests {
		got.Contests = append(got.Contests, SyntheticContest{ID: int64(len(got.Contests) + 1), Name: c.Name, Votes: make([]int64, len(c.Choices))})
	}
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got.Ballots++
		adj := false
		for _, cm := range b.Contests {
			c := &got.Contests[cm.Contest]
			c.Ballots++
			if cm.Overvoted {
				c.Overvoted++
			}
			if len(cm.Marks) == 0 {
				c.Blank++
			}
			for _, m := range cm.Marks {
				adj = adj || m.Flags&canvass.Adjudicated != 0
				if m.Flags&canvass.NotCounted == 0 {
					c.Votes[m.Choice]++
				}
			}
		}
		if adj {
			got.Adjudicated++
		}
	}
	return got
}

// TestSyntheticRoundTrip writes synthetic exports (a folder of two CvrExport files, and a ZIP
// stream) and reads them back: the reader must find exactly what the generator counted while
// writing.
func TestSyntheticRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	want, err := WriteSyntheticTally(dir, 12345, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "CvrExport_*.json"))
	sort.Strings(files)
	if len(files) != 2 {
		t.Errorf("%d CvrExport files, want 2 (10,000 + 2,345 sessions)", len(files))
	}
	var size int64
	for _, f := range files {
		fi, _ := os.Stat(f)
		size += fi.Size()
	}
	if size != want.Bytes {
		t.Errorf("CvrExport files hold %d bytes, generator says %d", size, want.Bytes)
	}
	check := func(name string, got SyntheticTally, want *SyntheticTally) {
		t.Helper()
		if got.Ballots != want.Ballots || got.Adjudicated != want.Adjudicated {
			t.Errorf("%s: %d ballots, %d adjudicated; generator wrote %d, %d", name, got.Ballots, got.Adjudicated, want.Ballots, want.Adjudicated)
		}
		for i := range want.Contests {
			w, g := want.Contests[i], got.Contests[i]
			if g.Name != w.Name || g.Ballots != w.Ballots || g.Overvoted != w.Overvoted || g.Blank != w.Blank || !reflect.DeepEqual(g.Votes, w.Votes) {
				t.Errorf("%s: contest %d read %+v, generator counted %+v", name, i+1, g, w)
			}
		}
	}
	check("folder", readTally(t, dir), want)
	// Sanity of the generator's own figures: every ballot has every contest, and each contest
	// of a ballot is blank, overvoted or one counted vote.
	for _, c := range want.Contests {
		var votes int64
		for _, v := range c.Votes {
			votes += v
		}
		if c.Ballots != 12345 || votes+c.Blank+c.Overvoted != c.Ballots || c.Blank == 0 || c.Overvoted == 0 {
			t.Errorf("generator tally of contest %d inconsistent: %+v", c.ID, c)
		}
	}

	zpath := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zwant, err := StreamSynthetic(f, 12345, 5, 7)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(zwant, want) {
		t.Error("StreamSynthetic and WriteSynthetic counted differently for the same seed")
	}
	check("zip", readTally(t, zpath), zwant)
}

// TestSyntheticDeterministic checks that a seed fixes the output and another seed changes it.
func TestSyntheticDeterministic(t *testing.T) {
	sum := func(seed int64) [32]byte {
		var buf bytes.Buffer
		if _, err := StreamSynthetic(&buf, 500, 3, seed); err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(buf.Bytes())
	}
	if a, b := sum(1), sum(1); a != b {
		t.Error("same seed, different output")
	}
	if sum(1) == sum(2) {
		t.Error("different seeds, same output")
	}
	if err := WriteSynthetic(t.TempDir(), 10, 0, 1); err == nil {
		t.Error("0 contests accepted")
	}
}
