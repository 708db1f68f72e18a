package ledger

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// CheckpointPath is where a published log's latest checkpoint is (C2SP tlog-tiles).
const CheckpointPath = "checkpoint"

// tileIndexPath encodes a tile index as tlog-tiles does: groups of three decimal digits, all
// but the last prefixed with "x" (1234067 is "x001/x234/067").
func tileIndexPath(n uint64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

func widthSuffix(width int) string {
	if width == TileWidth {
		return ""
	}
	return ".p/" + strconv.Itoa(width)
}

// TilePath is the path of the hash tile at tile level L and index n holding width hashes
// (a partial tile when width < 256): "tile/<L>/<n>[.p/<width>]".
func TilePath(level int, n uint64, width int) string {
	return "tile/" + strconv.Itoa(level) + "/" + tileIndexPath(n) + widthSuffix(width)
}

// EntriesPath is the path of the entry bundle n holding width entries:
// "tile/entries/<n>[.p/<width>]".
func EntriesPath(n uint64, width int) string {
	return "tile/entries/" + tileIndexPath(n) + widthSuffix(width)
}

// AppendBundle appends one entry to an entry bundle: a big-endian uint16 length, then the
// entry's bytes.
func AppendBundle(bundle, entry []byte) ([]byte, error) {
	if len(entry) > MaxEntrySize {
		return nil, fmt.Errorf("ledger: entry of %d bytes does not fit a bundle", len(entry))
	}
	bundle = binary.BigEndian.AppendUint16(bundle, uint16(len(entry)))
	return append(bundle, entry...), nil
}

// SplitBundle splits an entry bundle into its entries (which alias b).
func SplitBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for off := 0; off < len(b); {
		if len(b)-off < 2 {
			return out, fmt.Errorf("entry bundle: %d stray bytes after entry %d", len(b)-off, len(out))
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		if len(b)-off < n {
			return out, fmt.Errorf("entry bundle: entry %d says %d bytes, %d remain", len(out), n, len(b)-off)
		}
		out = append(out, b[off:off+n])
		off += n
	}
	return out, nil
}

// Tile is one file of a published log.
type Tile struct {
	Path string
	Data []byte
}

// Tiles returns the hash tiles of the tree of the given size, bottom level first, each full
// tile followed at the right edge by the partial one. A tree of n leaves has n>>(8·L) complete
// nodes on tile level L.
func Tiles(rows TileRows, size uint64, fn func(Tile) error) error {
	for level := 0; ; level++ {
		count := size >> (TileHeight * uint(level))
		if count == 0 {
			return nil
		}
		for n := uint64(0); n*TileWidth < count; n++ {
			w := min(count-n*TileWidth, TileWidth)
			hs, err := rows.Hashes(level, n*TileWidth, n*TileWidth+w)
			if err != nil {
				return err
			}
			data := make([]byte, 0, len(hs)*HashSize)
			for _, h := range hs {
				data = append(data, h[:]...)
			}
			if err := fn(Tile{Path: TilePath(level, n, int(w)), Data: data}); err != nil {
				return err
			}
		}
	}
}

// Fetcher reads a published log's files by their slash-separated paths. A missing file is an
// error that wraps fs.ErrNotExist.
type Fetcher interface {
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// Where names the source in messages (a folder or a URL).
	Where() string
}

// Fetch reads a whole file of at most limit bytes.
func Fetch(ctx context.Context, f Fetcher, p string, limit int64) ([]byte, error) {
	r, err := f.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, limit)
	}
	return b, nil
}

// Dir fetches from a folder.
type Dir string

// Open implements Fetcher. It refuses paths that leave the folder.
func (d Dir) Open(_ context.Context, p string) (io.ReadCloser, error) {
	if !fs.ValidPath(p) {
		return nil, fmt.Errorf("%s: not a valid path in a published log", p)
	}
	return os.Open(filepath.Join(string(d), filepath.FromSlash(p)))
}

// Where implements Fetcher.
func (d Dir) Where() string { return string(d) }

// HTTP fetches over HTTP(S) from a base URL.
type HTTP struct {
	Base   *url.URL
	Client *http.Client
}

// NewHTTP returns an HTTP fetcher for the log published at base.
func NewHTTP(base string) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return &HTTP{Base: u, Client: http.DefaultClient}, nil
}

// Open implements Fetcher.
func (h *HTTP) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if !fs.ValidPath(p) {
		return nil, fmt.Errorf("%s: not a valid path in a published log", p)
	}
	u := *h.Base
	u.Path = path.Join(h.Base.Path, p)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %w (HTTP 404)", u.String(), fs.ErrNotExist)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: HTTP %s", u.String(), resp.Status)
	}
	return resp.Body, nil
}

// Where implements Fetcher.
func (h *HTTP) Where() string { return h.Base.String() }

// NewFetcher returns an HTTP fetcher for an http(s) URL and a folder fetcher otherwise.
func NewFetcher(src string) (Fetcher, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return NewHTTP(src)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", src)
	}
	return Dir(src), nil
}

// maxBundle is the largest entry bundle: 256 entries of at most MaxEntrySize, with lengths.
const maxBundle = TileWidth * (MaxEntrySize + 2)

// Problem is one thing a verifier found wrong, with where it is.
type Problem struct {
	Where string // a published path, or "entry N"
	What  string
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// VerifyTiles reads the entries and hash tiles of a published tree of cp.Size leaves, passes
// each entry to fn in order, recomputes every tile and the root from the entries, and reports
// every difference: a tile or bundle that is missing or has the wrong size, a tile hash that is
// not the hash of the entry below it, a higher tile that is not computed from the level below,
// and a root that is not the checkpoint's.
//
// When an entry and its tile hash disagree, the blame goes where the evidence points: if the
// level-0 tiles alone give the checkpoint's root, the tiles are the log and the entry was
// changed (the problem is reported at the entry bundle); otherwise at the tile.
//
// It returns the rows of the tree that the checkpoint signs (for consistency proofs) and the
// problems; err is only for a failure of fn or of the context.
func VerifyTiles(ctx context.Context, f Fetcher, cp Checkpoint, fn func(seq uint64, data []byte) error) (*MemRows, []Problem, error) {
	var probs []Problem
	add := func(where, format string, args ...any) {
		probs = append(probs, Problem{Where: where, What: fmt.Sprintf(format, args...)})
	}
	type mismatch struct {
		tile, bundle string
		i            int
		seq          uint64
		tileHash     Hash
		entryHash    Hash
	}
	var mismatches []mismatch
	rows := NewMemRows()     // from the entries (the tile's hash where an entry is missing)
	tileRows := NewMemRows() // from the level-0 tiles (the entry's hash where a tile is missing)
	for n := uint64(0); n*TileWidth < cp.Size; n++ {
		if err := ctx.Err(); err != nil {
			return nil, probs, err
		}
		w := int(min(cp.Size-n*TileWidth, TileWidth))
		bp := EntriesPath(n, w)
		bundle, err := Fetch(ctx, f, bp, maxBundle)
		var entries [][]byte
		if err == nil {
			entries, err = SplitBundle(bundle)
		}
		if err != nil {
			add(bp, "%v", err)
		}
		if err == nil && len(entries) != w {
			add(bp, "holds %d entries; the checkpoint's size %d needs %d here", len(entries), cp.Size, w)
		}
		tp := TilePath(0, n, w)
		tile, terr := Fetch(ctx, f, tp, TileWidth*HashSize)
		if terr != nil {
			add(tp, "%v", terr)
		} else if len(tile) != w*HashSize {
			add(tp, "is %d bytes; a tile of %d hashes is %d", len(tile), w, w*HashSize)
		}
		for i := 0; i < w; i++ {
			seq := n*TileWidth + uint64(i)
			var leaf, th Hash
			haveEntry := i < len(entries)
			haveTile := terr == nil && len(tile) >= (i+1)*HashSize
			if haveTile {
				copy(th[:], tile[i*HashSize:])
			}
			if haveEntry {
				leaf = LeafHash(entries[i])
				if err := fn(seq, entries[i]); err != nil {
					return nil, probs, err
				}
			}
			switch {
			case haveEntry && haveTile && th != leaf:
				mismatches = append(mismatches, mismatch{tp, bp, i, seq, th, leaf})
			case !haveEntry && haveTile:
				leaf = th // one missing entry is reported once, not as a cascade
			case haveEntry && !haveTile:
				th = leaf
			}
			if err := rows.Append(leaf); err != nil {
				return nil, probs, err
			}
			if err := tileRows.Append(th); err != nil {
				return nil, probs, err
			}
		}
	}
	signed := rows
	if len(mismatches) > 0 && tileRows.Tree.Root() == cp.Root {
		signed = tileRows
		for _, m := range mismatches {
			add(m.bundle, "entry %d hashes to %s, but the tiles, which give the checkpoint's root, say %s (%s hash %d): the entry was changed or moved", m.seq, m.entryHash, m.tileHash, m.tile, m.i)
		}
	} else {
		for _, m := range mismatches {
			add(m.tile, "hash %d is %s, but entry %d (in %s) hashes to %s", m.i, m.tileHash, m.seq, m.bundle, m.entryHash)
		}
	}
	// The tiles above the leaves: each hash must be the node computed from the level below.
	for level := 1; ; level++ {
		count := cp.Size >> (TileHeight * uint(level))
		if count == 0 {
			break
		}
		for n := uint64(0); n*TileWidth < count; n++ {
			w := int(min(count-n*TileWidth, TileWidth))
			tp := TilePath(level, n, w)
			tile, err := Fetch(ctx, f, tp, TileWidth*HashSize)
			if err != nil {
				add(tp, "%v", err)
				continue
			}
			if len(tile) != w*HashSize {
				add(tp, "is %d bytes; a tile of %d hashes is %d", len(tile), w, w*HashSize)
				continue
			}
			want, err := signed.Hashes(level, n*TileWidth, n*TileWidth+uint64(w))
			if err != nil {
				return nil, probs, err
			}
			for i := range want {
				var th Hash
				copy(th[:], tile[i*HashSize:])
				if th != want[i] {
					add(tp, "hash %d is %s, but the tiles below give %s", i, th, want[i])
				}
			}
		}
	}
	if root := signed.Tree.Root(); root != cp.Root {
		add(CheckpointPath, "root hash %s is not the root %s of the %d entries published", cp.Root, root, cp.Size)
	}
	return signed, probs, nil
}

// ErrNotFound reports whether err is a missing file.
func ErrNotFound(err error) bool { return errors.Is(err, fs.ErrNotExist) }
