package dominion

import (
	"encoding/json"
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
	// Seeds: the hand-made files (set 1), and cuts of the public files (set 0) made of a few of
	// their sessions as they are in the file (whole files would make each run slow): San
	// Francisco's sessions 1-2 and 115-118 (adjudicated), a 4-card session, RCTab's first
	// CvrExport_6 session, and the Arizona 5.5 file's first session (which these manifests
	// do not define).
	for _, name := range []string{"CvrExport_1.json", "CvrExport_2.json", "CvrExport_10.json"} {
		data, err := os.ReadFile(filepath.Join(handDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(1), data)
	}
	for _, cut := range []struct {
		file     string
		from, to int
	}{
		{filepath.Join(sfDir, "CvrExport_42.json"), 0, 2},
		{filepath.Join(sfDir, "CvrExport_42.json"), 114, 118},
		{filepath.Join(sfDir, "CvrExport_24940.json"), 0, 1},
		{filepath.Join(rctabDir, "CvrExport_6.json"), 0, 1},
		{filepath.Join(sfDir, "CvrExport_AZ-999.json"), 0, 1},
	} {
		f.Add(uint8(0), sessionsCut(f, cut.file, cut.from, cut.to))
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

// sessionsCut returns a CvrExport file made of sessions [from, to) of a public file, each
// session's bytes as they are in it.
func sessionsCut(f *testing.F, file string, from, to int) []byte {
	data, err := os.ReadFile(file)
	if err != nil {
		f.Fatal(err)
	}
	var doc struct {
		Version, ElectionId string
		Sessions            []json.RawMessage
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		f.Fatal(err)
	}
	out := []byte(`{"Version":"` + doc.Version + `","ElectionId":"` + doc.ElectionId + `","Sessions":[`)
	for i, s := range doc.Sessions[from:to] {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, s...)
	}
	return append(out, "]}"...)
}
