package dominion

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/canvass-vote/canvass/cvr"
)

// readCount reads every ballot of path and returns how many there were.
func readCount(b *testing.B, path string) int64 {
	r, err := Open(path, cvr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var n int64
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func benchRead(b *testing.B, path string, bytes int64) {
	b.SetBytes(bytes)
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n += readCount(b, path)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkReader reads a synthetic export of 100,000 ballots of 5 contests (160 MB in 10
// CvrExport files), generated once. The target is 500,000 ballots/s on one core
// (go test -cpu=1).
func BenchmarkReader(b *testing.B) {
	dir := b.TempDir()
	tl, err := WriteSyntheticTally(dir, 100000, 5, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, dir, tl.Bytes)
}

// BenchmarkReaderBuffered reads the same export as BenchmarkReader through the buffered path
// (each file copied through the scanner's buffer by read calls) instead of memory-mapping the
// files: the file system hides the *os.File, as a ZIP or a pipe would.
func BenchmarkReaderBuffered(b *testing.B) {
	dir := b.TempDir()
	tl, err := WriteSyntheticTally(dir, 100000, 5, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(tl.Bytes)
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		src, err := openSource(dir)
		if err != nil {
			b.Fatal(err)
		}
		src.fsys = unmappable{src.fsys}
		r, err := newReader(src, cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			n++
		}
		r.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// unmappable is a file system whose files are not *os.File, so that the reader does not map
// them.
type unmappable struct{ fsys fs.FS }

func (u unmappable) Open(name string) (fs.File, error) {
	f, err := u.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return struct{ fs.File }{f}, nil
}

// ReadDir lists a folder of the underlying file system (fs.ReadDir needs it or ReadDirFile).
func (u unmappable) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(u.fsys, name) }

// BenchmarkReaderZip reads the same export from a ZIP.
func BenchmarkReaderZip(b *testing.B) {
	path := filepath.Join(b.TempDir(), "export.zip")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	tl, err := StreamSynthetic(f, 100000, 5, 1)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, path, tl.Bytes)
}

// BenchmarkReaderSanFrancisco reads the sessions of the four public San Francisco files of
// RCTab's dominion_multi_file case: 315 ballots of up to 42 contests on up to 4 cards. Opening
// (decoding 390 KB of manifests) is left out of the timing: BenchmarkOpenSanFrancisco
// measures it.
func BenchmarkReaderSanFrancisco(b *testing.B) {
	var size int64
	files, _ := filepath.Glob(filepath.Join(rctabDir, "CvrExport_*.json"))
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		b.StopTimer()
		r, err := Open(rctabDir, cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkOpenSanFrancisco measures opening San Francisco's export: decoding its manifests
// (ContestManifest, CandidateManifest, TabulatorManifest, ...: 390 KB) with encoding/json.
func BenchmarkOpenSanFrancisco(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(rctabDir, cvr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkSynthetic measures the generator writing a ZIP stream.
func BenchmarkSynthetic(b *testing.B) {
	const n = 100000
	var bytes int64
	for b.Loop() {
		tl, err := StreamSynthetic(io.Discard, n, 5, 1)
		if err != nil {
			b.Fatal(err)
		}
		bytes = tl.Bytes
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}
