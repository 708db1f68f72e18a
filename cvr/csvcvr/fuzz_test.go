package csvcvr

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// FuzzReader reads arbitrary bytes: it must not panic, every error must be a ParseError of
// this format, and every ballot must refer to the election it came with (contest and choice
// indices in range, ranks 1 to VoteFor exactly in ranked contests, a contest at most once).
// Seeds: the hand-made files, every bad input, RCTab's generic CSV and a small synthetic file.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	files = append(files, filepath.Join("..", "..", "testdata", "cvr", "rctab", "generic_csv_test", "generic_csv_test_cvr.csv"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tc := range badInputs {
		f.Add([]byte(tc.text))
	}
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, 20, 5, 3); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.csv", cvr.Options{})
		if err != nil {
			checkErr(t, err)
			return
		}
		el := r.Election()
		if err := el.Validate(); err != nil {
			t.Fatalf("election from an accepted header: %v", err)
		}
		for {
			b, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkErr(t, err)
				return
			}
			if b.ID == "" {
				t.Fatal("ballot without an id")
			}
			seen := map[int32]bool{}
			for _, cm := range b.Contests {
				if cm.Contest < 0 || int(cm.Contest) >= len(el.Contests) || seen[cm.Contest] {
					t.Fatalf("ballot %s: contest index %d out of range or repeated", b.ID, cm.Contest)
				}
				seen[cm.Contest] = true
				c := el.Contests[cm.Contest]
				for _, m := range cm.Marks {
					if m.Choice < 0 || int(m.Choice) >= len(c.Choices) {
						t.Fatalf("ballot %s contest %q: choice %d out of range", b.ID, c.Name, m.Choice)
					}
					if c.Type.Ranked() != (m.Rank >= 1) || int(m.Rank) > c.VoteFor {
						t.Fatalf("ballot %s contest %q: rank %d", b.ID, c.Name, m.Rank)
					}
					if (m.Flags&canvass.WriteInMark != 0) != c.Choices[m.Choice].WriteIn {
						t.Fatalf("ballot %s contest %q: write-in flag of choice %q", b.ID, c.Name, c.Choices[m.Choice].Name)
					}
				}
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.Format != FormatName || pe.File != "fuzz.csv" || pe.Err == nil {
		t.Fatalf("error %v (%T) is not a ParseError of fuzz.csv", err, err)
	}
	_ = err.Error()
}
