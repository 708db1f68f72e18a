package dominion

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/canvass-vote/canvass/cvr"
)

// FuzzReader reads arbitrary bytes as a CvrExport file next to real manifests (set 0: San
// Francisco's, set 1: the hand-made ones) and checks that the reader never panics, that every
// error is a *ParseError naming the file, and that every ballot it returns refers only to
// contests and choices of the election.
func FuzzReader(f *testing.F) {
	sets := [2]*manifests{}
	for i, dir := range []string{sfDir, handDir} {
		m, err := loadManifests(os.DirFS(dir), ".", dir, cvr.Options{})
		if err != nil {
			f.Fatal(err)
		}
		sets[i] = m
	}
	for _, seed := range []struct {
		set  uint8
		file string
	}{
		{0, filepath.Join(sfDir, "CvrExport_24940.json")},
		{0, filepath.Join(sfDir, "CvrExport_42.json")},
		{0, filepath.Join(sfDir, "CvrExport_AZ-999.json")},
		{0, filepath.Join(rctabDir, "CvrExport_6.json")},
		{1, filepath.Join(handDir, "CvrExport_1.json")},
		{1, filepath.Join(handDir, "CvrExport_2.json")},
		{1, filepath.Join(handDir, "CvrExport_10.json")},
	} {
		data, err := os.ReadFile(seed.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed.set, data)
	}
	f.Fuzz(func(t *testing.T, set uint8, data []byte) {
		man := sets[set%2]
		src := &source{fsys: fstest.MapFS{"CvrExport_1.json": {Data: data}}, dir: ".", files: []string{"CvrExport_1.json"}, name: "fuzz"}
		r, err := readerFor(src, man, cvr.Options{})
		for err == nil {
			b, err2 := r.Next()
			if err = err2; err != nil {
				break
			}
			el := r.Election()
			for _, cm := range b.Contests {
				if int(cm.Contest) >= len(el.Contests) || cm.Contest < 0 {
					t.Fatalf("contest index %d of %d", cm.Contest, len(el.Contests))
				}
				c := el.Contests[cm.Contest]
				for _, m := range cm.Marks {
					if m.Choice < 0 || int(m.Choice) >= len(c.Choices) {
						t.Fatalf("choice index %d of %d", m.Choice, len(c.Choices))
					}
					if c.Type.Ranked() != (m.Rank != 0) || m.Rank < 0 || int(m.Rank) > c.VoteFor {
						t.Fatalf("rank %d in %s contest of %d ranks", m.Rank, c.Type, c.VoteFor)
					}
				}
			}
		}
		if err == io.EOF {
			return
		}
		var pe *cvr.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T %v is not a *ParseError", err, err)
		}
		if filepath.Base(pe.File) != "CvrExport_1.json" {
			t.Fatalf("error names file %q", pe.File)
		}
		known := false
		for _, s := range []error{cvr.ErrTruncated, cvr.ErrSyntax, cvr.ErrUnknownContest, cvr.ErrUnknownChoice, cvr.ErrNotNumber, cvr.ErrMissingField, cvr.ErrWrongFormat} {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
	})
}
