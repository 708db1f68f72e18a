package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// C2SP tlog-tiles, "Merkle Tree": "index 1234067 will be encoded as x001/x234/067"; the other
// rows follow the same rule (zero-padded groups of three digits, all but the last prefixed
// with "x").
func TestTilePaths(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want string
	}{
		{0, "000"},
		{7, "007"},
		{999, "999"},
		{1000, "x001/000"},
		{1001, "x001/001"},
		{999999, "x999/999"},
		{1000000, "x001/x000/000"},
		{1234067, "x001/x234/067"},
		{18446744073709551615, "x018/x446/x744/x073/x709/x551/615"},
	} {
		if got := tileIndexPath(c.n); got != c.want {
			t.Errorf("tileIndexPath(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct{ got, want string }{
		{TilePath(0, 1234067, 256), "tile/0/x001/x234/067"},
		{TilePath(0, 1234067, 8), "tile/0/x001/x234/067.p/8"},
		{TilePath(1, 1, 17), "tile/1/001.p/17"},
		{TilePath(2, 0, 1), "tile/2/000.p/1"},
		{TilePath(0, 273, 112), "tile/0/273.p/112"},
		{EntriesPath(1234067, 256), "tile/entries/x001/x234/067"},
		{EntriesPath(0, 255), "tile/entries/000.p/255"},
		{EntriesPath(1000, 1), "tile/entries/x001/000.p/1"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func tilePathsOf(t *testing.T, rows TileRows, size uint64) (paths []string, data map[string][]byte) {
	t.Helper()
	data = map[string][]byte{}
	err := Tiles(rows, size, func(tl Tile) error {
		if _, dup := data[tl.Path]; dup {
			t.Errorf("Tiles gave %s twice", tl.Path)
		}
		paths = append(paths, tl.Path)
		data[tl.Path] = tl.Data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths, data
}

// hashAt is hash i of a tile.
func hashAt(tile []byte, i int) Hash {
	var h Hash
	copy(h[:], tile[i*HashSize:])
	return h
}

// C2SP tlog-tiles, "Partial Tiles": "a tree of size 70,000 will be represented by 273 full
// level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile, one partial
// level 1 tile of width 17, and one partial level 2 tile of width 1", and "a tree of size 256
// will be represented by a full level 0 tile and a partial level 1 tile of width 1". The tile
// hashes are the spec's MTH(D[(n*256+i) * 256**l : (n*256+i+1) * 256**l]).
func TestTilesSpecExamples(t *testing.T) {
	d := bigTree()

	paths, data := tilePathsOf(t, d.rows, 70000)
	var full0, partial, full1 []string
	for _, p := range paths {
		switch {
		case strings.Contains(p, ".p/"):
			partial = append(partial, p)
		case strings.HasPrefix(p, "tile/0/"):
			full0 = append(full0, p)
		case strings.HasPrefix(p, "tile/1/"):
			full1 = append(full1, p)
		default:
			t.Errorf("unexpected tile %s", p)
		}
		if len(data[p])%HashSize != 0 {
			t.Errorf("%s is %d bytes", p, len(data[p]))
		}
	}
	if len(full0) != 273 || full0[0] != "tile/0/000" || full0[272] != "tile/0/272" {
		t.Errorf("full level 0 tiles: %d, %v … %v; want 273, tile/0/000 … tile/0/272", len(full0), full0[:1], full0[len(full0)-1:])
	}
	if fmt.Sprint(full1) != "[tile/1/000]" {
		t.Errorf("full level 1 tiles %v, want [tile/1/000]", full1)
	}
	if fmt.Sprint(partial) != "[tile/0/273.p/112 tile/1/001.p/17 tile/2/000.p/1]" {
		t.Errorf("partial tiles %v, want [tile/0/273.p/112 tile/1/001.p/17 tile/2/000.p/1]", partial)
	}
	for _, c := range []struct {
		path    string
		i       int
		from, n int // MTH of leaves [from, from+n)
	}{
		{"tile/0/000", 0, 0, 1},
		{"tile/0/272", 255, 272*256 + 255, 1},
		{"tile/0/273.p/112", 111, 69999, 1},
		{"tile/1/000", 0, 0, 256},
		{"tile/1/000", 255, 255 * 256, 256},
		{"tile/1/001.p/17", 16, (256 + 16) * 256, 256},
		{"tile/2/000.p/1", 0, 0, 65536},
	} {
		tile := data[c.path]
		if len(tile) < (c.i+1)*HashSize {
			t.Errorf("%s has no hash %d", c.path, c.i)
			continue
		}
		if got, want := hashAt(tile, c.i), refRoot(d.leaves[c.from:c.from+c.n]); got != want {
			t.Errorf("%s hash %d = %s, want MTH of leaves [%d, %d) %s", c.path, c.i, got, c.from, c.from+c.n, want)
		}
	}
	if n := len(data["tile/0/273.p/112"]); n != 112*HashSize {
		t.Errorf("tile/0/273.p/112 is %d bytes, want %d", n, 112*HashSize)
	}

	paths, _ = tilePathsOf(t, d.rows, 256)
	if fmt.Sprint(paths) != "[tile/0/000 tile/1/000.p/1]" {
		t.Errorf("tiles of size 256: %v, want [tile/0/000 tile/1/000.p/1]", paths)
	}
	paths, _ = tilePathsOf(t, d.rows, 0)
	if len(paths) != 0 {
		t.Errorf("tiles of the empty tree: %v", paths)
	}
}

func TestBundleRoundTrip(t *testing.T) {
	var b []byte
	for _, e := range []string{"a", "", "hello"} {
		var err error
		if b, err = AppendBundle(b, []byte(e)); err != nil {
			t.Fatal(err)
		}
	}
	// Big-endian uint16 lengths (C2SP tlog-tiles, "Log entries").
	want := []byte{0, 1, 'a', 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'}
	if !bytes.Equal(b, want) {
		t.Errorf("bundle = %x, want %x", b, want)
	}
	entries, err := SplitBundle(b)
	if err != nil || fmt.Sprintf("%q", entries) != `["a" "" "hello"]` {
		t.Errorf("SplitBundle = %q, %v", entries, err)
	}

	big := bytes.Repeat([]byte{'x'}, MaxEntrySize)
	b, err = AppendBundle(nil, big)
	if err != nil || len(b) != MaxEntrySize+2 || b[0] != 0xff || b[1] != 0xff {
		t.Errorf("AppendBundle of %d bytes: %d bytes %x…, %v", MaxEntrySize, len(b), b[:2], err)
	}
	if entries, err := SplitBundle(b); err != nil || len(entries) != 1 || len(entries[0]) != MaxEntrySize {
		t.Errorf("SplitBundle of one largest entry: %d entries, %v", len(entries), err)
	}
	if _, err := AppendBundle(nil, append(big, 'x')); err == nil {
		t.Errorf("AppendBundle of %d bytes succeeded", MaxEntrySize+1)
	}
	if entries, err := SplitBundle(nil); err != nil || len(entries) != 0 {
		t.Errorf("SplitBundle(nil) = %q, %v", entries, err)
	}
	for _, bad := range [][]byte{{0}, {0, 1}, {0, 5, 'a', 'b'}, {0, 1, 'a', 0}} {
		if entries, err := SplitBundle(bad); err == nil {
			t.Errorf("SplitBundle(%x) = %q, want an error", bad, entries)
		}
	}
}

// FuzzSplitBundle checks that SplitBundle never panics and that the entries it returns are
// the whole bundle: appended again they give back its bytes.
func FuzzSplitBundle(f *testing.F) {
	f.Add([]byte{0, 1, 'a', 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0xff, 1, 2, 3})
	f.Add([]byte{0, 1, 'a', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := SplitBundle(b)
		if err != nil {
			return
		}
		var again []byte
		for _, e := range entries {
			if again, err = AppendBundle(again, e); err != nil {
				t.Fatalf("SplitBundle(%x) gave an entry AppendBundle refuses: %v", b, err)
			}
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("SplitBundle(%x) = %q, which bundles as %x", b, entries, again)
		}
	})
}

// testEntry is entry seq of the test logs, written out in the canonical encoding (keys sorted,
// no spaces); TestTestEntryIsCanonical checks it against Encode.
func testEntry(seq uint64) []byte {
	at := FormatTime(testTime.Add(time.Duration(seq) * time.Millisecond))
	return fmt.Appendf(nil, `{"actor":"clerk","body":{"ballots":%d,"batch":"B-%d"},"seq":%d,"time":"%s","type":"import.cvr","v":1}`, seq%1000, seq, seq, at)
}

func TestTestEntryIsCanonical(t *testing.T) {
	for _, seq := range []uint64{0, 1, 261, 999999} {
		b := testEntry(seq)
		e, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(%s): %v", b, err)
		}
		enc, err := e.Encode()
		if err != nil || !bytes.Equal(enc, b) || e.Seq != seq {
			t.Errorf("test entry %s encodes as %s, %v", b, enc, err)
		}
	}
}

func writeFile(dir, p string, data []byte) error {
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}

// publishLog writes a log of n test entries into dir as C2SP tlog-tiles files: entry bundles
// of 256 (the last partial), the hash tiles, and a checkpoint signed by k. It returns the
// checkpoint and the leaf hashes.
func publishLog(tb testing.TB, dir string, n uint64, k testKey) (Checkpoint, []Hash) {
	tb.Helper()
	rows := NewMemRows()
	leaves := make([]Hash, 0, n)
	var bundle []byte
	for seq := uint64(0); seq < n; seq++ {
		e := testEntry(seq)
		h := LeafHash(e)
		leaves = append(leaves, h)
		if err := rows.Append(h); err != nil {
			tb.Fatal(err)
		}
		var err error
		if bundle, err = AppendBundle(bundle, e); err != nil {
			tb.Fatal(err)
		}
		if w := seq%TileWidth + 1; w == TileWidth || seq+1 == n {
			if err := writeFile(dir, EntriesPath(seq/TileWidth, int(w)), bundle); err != nil {
				tb.Fatal(err)
			}
			bundle = bundle[:0]
		}
	}
	if err := Tiles(rows, n, func(t Tile) error { return writeFile(dir, t.Path, t.Data) }); err != nil {
		tb.Fatal(err)
	}
	cp := Checkpoint{Origin: "example.com/canvass/test", Size: n, Root: rows.Tree.Root()}
	msg, err := cp.Sign(k.signer)
	if err != nil {
		tb.Fatal(err)
	}
	if err := writeFile(dir, CheckpointPath, msg); err != nil {
		tb.Fatal(err)
	}
	return cp, leaves
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// verifyAll runs VerifyTiles and checks that fn saw the entries in order (a missing entry is
// not passed to fn).
func verifyAll(t *testing.T, f Fetcher, cp Checkpoint) ([]Problem, *MemRows) {
	t.Helper()
	next := uint64(0)
	rows, probs, err := VerifyTiles(context.Background(), f, cp, func(seq uint64, data []byte) error {
		if seq < next || seq >= cp.Size {
			t.Errorf("fn got entry %d after %d", seq, next-1)
		}
		next = seq + 1
		return nil
	})
	if err != nil {
		t.Fatalf("VerifyTiles: %v", err)
	}
	return probs, rows
}

func TestPublishAndVerify(t *testing.T) {
	k := newTestKey(t, "example.com/canvass/test")
	for _, n := range []uint64{1, 255, 256, 257, 600, 773, 65537} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			cp, leaves := publishLog(t, dir, n, k)
			if want := refRoot(leaves); cp.Root != want {
				t.Fatalf("published root %s, RFC 6962 MTH gives %s", cp.Root, want)
			}
			msg, err := Fetch(context.Background(), Dir(dir), CheckpointPath, 1<<10)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := OpenCheckpoint(msg, k.verifier); err != nil || got != cp {
				t.Fatalf("published checkpoint %+v, %v", got, err)
			}
			var seen []byte
			rows, probs, err := VerifyTiles(context.Background(), Dir(dir), cp, func(seq uint64, data []byte) error {
				if want := testEntry(seq); !bytes.Equal(data, want) {
					t.Errorf("entry %d = %s, want %s", seq, data, want)
				}
				seen = append(seen, 1)
				return nil
			})
			if err != nil || len(probs) != 0 {
				t.Fatalf("VerifyTiles: %v, problems %v", err, probs)
			}
			if uint64(len(seen)) != n {
				t.Errorf("fn saw %d entries, want %d", len(seen), n)
			}
			if rows.Tree.Root() != cp.Root || rows.Tree.Size() != n {
				t.Errorf("VerifyTiles rows: size %d root %s", rows.Tree.Size(), rows.Tree.Root())
			}
		})
	}
}

// The files of a log of 600 entries (600 = 2·256 + 88; 600>>8 = 2 hashes on level 1).
func TestPublishedFiles(t *testing.T) {
	dir := t.TempDir()
	publishLog(t, dir, 600, newTestKey(t, "example.com/canvass/test"))
	want := []string{
		"checkpoint",
		"tile/0/000", "tile/0/001", "tile/0/002.p/88",
		"tile/1/000.p/2",
		"tile/entries/000", "tile/entries/001", "tile/entries/002.p/88",
	}
	if got := listFiles(t, dir); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("published files\n %v\nwant %v", got, want)
	}
}

func TestVerifyOverHTTP(t *testing.T) {
	k := newTestKey(t, "example.com/canvass/test")
	dir := t.TempDir()
	cp, _ := publishLog(t, dir, 600, k)
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.Handle("/log/", http.StripPrefix("/log/", http.FileServer(http.Dir(dir))))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/log", srv.URL + "/log/"} {
		f, err := NewHTTP(base)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Fetch(context.Background(), f, CheckpointPath, 1<<10)
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		if got, err := OpenCheckpoint(msg, k.verifier); err != nil || got != cp {
			t.Errorf("%s: checkpoint %+v, %v", base, got, err)
		}
		if probs, _ := verifyAll(t, f, cp); len(probs) != 0 {
			t.Errorf("%s: problems %v", base, probs)
		}
	}
}

// flipByte changes one bit of the byte at off in a published file.
func flipByte(t *testing.T, dir, p string, off int) {
	t.Helper()
	editFile(t, dir, p, func(b []byte) []byte {
		b[off] ^= 0x01
		return b
	})
}

func editFile(t *testing.T, dir, p string, edit func([]byte) []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, edit(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editBundle rewrites the entries of a published bundle.
func editBundle(t *testing.T, dir, p string, edit func([][]byte) [][]byte) {
	t.Helper()
	editFile(t, dir, p, func(b []byte) []byte {
		entries, err := SplitBundle(b)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, e := range edit(entries) {
			if out, err = AppendBundle(out, e); err != nil {
				t.Fatal(err)
			}
		}
		return out
	})
}

func removeFile(t *testing.T, dir, p string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
		t.Fatal(err)
	}
}

// Tamper tests on a log of 773 = 3·256 + 5 entries: level-0 tiles 000, 001, 002 and 003.p/5,
// bundles likewise, and the level-1 tile 000.p/3. Each change must be reported by a Problem
// whose Where names the file changed; with only, no Problem may name another file.
func TestVerifyTampered(t *testing.T) {
	k := newTestKey(t, "example.com/canvass/test")
	const n = 773
	for _, c := range []struct {
		name   string
		tamper func(t *testing.T, dir string, cp *Checkpoint)
		where  string
		only   bool
	}{
		{"level-0 tile hash", func(t *testing.T, dir string, _ *Checkpoint) {
			flipByte(t, dir, "tile/0/001", 10*HashSize+5)
		}, "tile/0/001", true},
		{"partial level-0 tile hash", func(t *testing.T, dir string, _ *Checkpoint) {
			flipByte(t, dir, "tile/0/003.p/5", 4*HashSize)
		}, "tile/0/003.p/5", true},
		{"level-1 tile hash", func(t *testing.T, dir string, _ *Checkpoint) {
			flipByte(t, dir, "tile/1/000.p/3", 2*HashSize+31)
		}, "tile/1/000.p/3", true},
		{"level-0 tile truncated", func(t *testing.T, dir string, _ *Checkpoint) {
			editFile(t, dir, "tile/0/000", func(b []byte) []byte { return b[:len(b)-1] })
		}, "tile/0/000", true},
		{"level-0 tile missing", func(t *testing.T, dir string, _ *Checkpoint) {
			removeFile(t, dir, "tile/0/002")
		}, "tile/0/002", true},
		{"level-1 tile missing", func(t *testing.T, dir string, _ *Checkpoint) {
			removeFile(t, dir, "tile/1/000.p/3")
		}, "tile/1/000.p/3", true},
		{"bundle missing", func(t *testing.T, dir string, _ *Checkpoint) {
			removeFile(t, dir, "tile/entries/003.p/5")
		}, "tile/entries/003.p/5", false},
		{"entry dropped", func(t *testing.T, dir string, _ *Checkpoint) {
			editBundle(t, dir, "tile/entries/001", func(es [][]byte) [][]byte { return append(es[:5:5], es[6:]...) })
		}, "tile/entries/001", false},
		{"entry added", func(t *testing.T, dir string, _ *Checkpoint) {
			editBundle(t, dir, "tile/entries/003.p/5", func(es [][]byte) [][]byte { return append(es, testEntry(n)) })
		}, "tile/entries/003.p/5", false},
		{"stray byte after the entries", func(t *testing.T, dir string, _ *Checkpoint) {
			editFile(t, dir, "tile/entries/002", func(b []byte) []byte { return append(b, 0) })
		}, "tile/entries/002", false},
		{"wrong checkpoint root", func(t *testing.T, _ string, cp *Checkpoint) {
			cp.Root[7] ^= 0x20
		}, CheckpointPath, true},
		{"checkpoint larger than the log", func(t *testing.T, _ string, cp *Checkpoint) {
			cp.Size++
		}, "tile/entries/003.p/6", false},
		// The entry bundles are what the tiles and the signed root were computed from; a
		// changed entry no longer hashes to its tile's hash, and the tiles still lead to the
		// signed root, so the bundle is the file in the wrong.
		{"entry byte", func(t *testing.T, dir string, _ *Checkpoint) {
			editBundle(t, dir, "tile/entries/001", func(es [][]byte) [][]byte {
				es[5] = bytes.Replace(es[5], []byte(`"ballots":261`), []byte(`"ballots":262`), 1)
				return es
			})
		}, "tile/entries/001", false},
		{"entries swapped", func(t *testing.T, dir string, _ *Checkpoint) {
			editBundle(t, dir, "tile/entries/001", func(es [][]byte) [][]byte {
				es[3], es[4] = es[4], es[3]
				return es
			})
		}, "tile/entries/001", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cp, _ := publishLog(t, dir, n, k)
			c.tamper(t, dir, &cp)
			probs, _ := verifyAll(t, Dir(dir), cp)
			found := false
			for _, p := range probs {
				if p.Where == c.where {
					found = true
				} else if c.only {
					t.Errorf("problem blames %s, want only %s: %s", p.Where, c.where, p)
				}
			}
			if !found {
				t.Errorf("no problem names %s; problems:\n%s", c.where, problemList(probs))
			}
		})
	}
}

func problemList(probs []Problem) string {
	var b strings.Builder
	for _, p := range probs {
		b.WriteString("\t" + p.String() + "\n")
	}
	return b.String()
}

// A missing file is reported the same way through HTTP (a 404).
func TestVerifyTamperedOverHTTP(t *testing.T) {
	dir := t.TempDir()
	cp, _ := publishLog(t, dir, 773, newTestKey(t, "example.com/canvass/test"))
	removeFile(t, dir, "tile/0/002")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	f, err := NewHTTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	probs, _ := verifyAll(t, f, cp)
	if len(probs) != 1 || probs[0].Where != "tile/0/002" || !strings.Contains(probs[0].What, "404") {
		t.Errorf("problems:\n%s want one at tile/0/002 saying 404", problemList(probs))
	}
}

func TestVerifyTilesStops(t *testing.T) {
	dir := t.TempDir()
	cp, _ := publishLog(t, dir, 600, newTestKey(t, "example.com/canvass/test"))
	stop := errors.New("stop here")
	_, _, err := VerifyTiles(context.Background(), Dir(dir), cp, func(seq uint64, _ []byte) error {
		if seq == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("VerifyTiles with fn failing: %v, want %v", err, stop)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := VerifyTiles(ctx, Dir(dir), cp, func(uint64, []byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("VerifyTiles with a cancelled context: %v", err)
	}
}

func TestFetchers(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(dir, "tile/0/000", make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tile/0/000":
			w.Write(make([]byte, 100))
		case "/broken":
			http.Error(w, "no", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range []Fetcher{Dir(dir), h} {
		if b, err := Fetch(ctx, f, "tile/0/000", 100); err != nil || len(b) != 100 {
			t.Errorf("%s: Fetch = %d bytes, %v", f.Where(), len(b), err)
		}
		if _, err := Fetch(ctx, f, "tile/0/000", 99); err == nil {
			t.Errorf("%s: Fetch of 100 bytes with limit 99 succeeded", f.Where())
		}
		if _, err := Fetch(ctx, f, "tile/0/001", 100); !ErrNotFound(err) {
			t.Errorf("%s: missing file: %v, want fs.ErrNotExist", f.Where(), err)
		}
		for _, p := range []string{"../secret", "/etc/passwd", "tile/../../x", ""} {
			if _, err := f.Open(ctx, p); err == nil || ErrNotFound(err) {
				t.Errorf("%s: Open(%q): %v, want a refusal", f.Where(), p, err)
			}
		}
	}
	if _, err := Fetch(ctx, h, "broken", 100); err == nil || ErrNotFound(err) {
		t.Errorf("HTTP 500: %v, want an error that is not fs.ErrNotExist", err)
	}
	for _, bad := range []string{"ftp://example.com/log", "http://", "example.com/log", "://x"} {
		if _, err := NewHTTP(bad); err == nil {
			t.Errorf("NewHTTP(%q) succeeded", bad)
		}
	}
	if f, err := NewFetcher(dir); err != nil || f.Where() != dir {
		t.Errorf("NewFetcher(dir) = %v, %v", f, err)
	}
	if f, err := NewFetcher(srv.URL); err != nil {
		t.Errorf("NewFetcher(%s): %v", srv.URL, err)
	} else if _, ok := f.(*HTTP); !ok {
		t.Errorf("NewFetcher(%s) = %T, want *HTTP", srv.URL, f)
	}
	if _, err := NewFetcher(filepath.Join(dir, "tile/0/000")); err == nil {
		t.Error("NewFetcher of a file succeeded")
	}
	if _, err := NewFetcher(filepath.Join(dir, "none")); err == nil {
		t.Error("NewFetcher of a missing folder succeeded")
	}
}
