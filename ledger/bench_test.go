package ledger

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
)

// benchEntry is a typical import entry of about 200 bytes.
func benchEntry(b *testing.B) []byte {
	b.Helper()
	e, err := NewEntry(TypeImportCVR, "clerk", testTime, map[string]any{
		"ballots": 1834,
		"file":    "ward-12-precinct-3.zip",
		"sha256":  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	})
	if err != nil {
		b.Fatal(err)
	}
	e.Seq = 123456
	data, err := e.Encode()
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkAppend measures hashing an encoded entry and appending it to the tree: Tree alone,
// and MemRows, which also keeps the tile rows as a store does.
func BenchmarkAppend(b *testing.B) {
	data := benchEntry(b)
	b.Run("Tree", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		tree := NewTree()
		for b.Loop() {
			if err := tree.Append(LeafHash(data), nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		b.ReportMetric(float64(len(data)), "B/entry")
	})
	b.Run("MemRows", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		rows := NewMemRows()
		for b.Loop() {
			if err := rows.Append(LeafHash(data)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

// BenchmarkVerifyTiles1M publishes a log of 1,000,000 small entries in a temporary folder once
// (a few seconds, not timed) and measures VerifyTiles over it from the folder: reading 3,907
// bundles and 3,924 tiles, hashing every entry and recomputing every tile and the root. With
// "decode", fn also decodes each entry and checks its seq, as a verifier does.
func BenchmarkVerifyTiles1M(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	cp, _ := publishLog(b, dir, n, newTestKey(b, "example.com/canvass/bench"))
	var size int64
	files := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		size += fi.Size()
		files++
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(seq uint64, data []byte) error
	}{
		{"hash", func(uint64, []byte) error { return nil }},
		{"decode", func(seq uint64, data []byte) error {
			e, err := Decode(data)
			if err != nil {
				return err
			}
			if e.Seq != seq {
				return fmt.Errorf("entry %d says seq %d", seq, e.Seq)
			}
			return nil
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				_, probs, err := VerifyTiles(context.Background(), Dir(dir), cp, c.fn)
				if err != nil || len(probs) != 0 {
					b.Fatalf("VerifyTiles: %v, %v", err, probs)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(files), "files")
		})
	}
}
