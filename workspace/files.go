package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/canvass-vote/canvass/ledger"
)

// FilesDir is the folder of a workspace that keeps a copy of every imported file, named by its
// SHA-256, so that the record can be published and re-counted long after the originals are
// gone. A folder is kept as its manifest (named by the folder's hash) and its files.
const FilesDir = "files"

// manifestLine is one file of a folder.
type manifestLine struct {
	Rel, SHA256 string
	Size        int64
}

// manifest is the text whose SHA-256 is a folder's hash: one line "path NUL sha256-hex LF" per
// regular file, in byte order of the slash-separated relative paths.
func manifest(lines []manifestLine) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		fmt.Fprintf(&b, "%s\x00%s\n", l.Rel, l.SHA256)
	}
	return b.Bytes()
}

// parseManifest reads a manifest back (sizes unknown).
func parseManifest(b []byte) ([]manifestLine, error) {
	var out []manifestLine
	for i, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			continue
		}
		rel, sum, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\x00")
		if !ok || !strings.HasSuffix(line, "\n") || !fs.ValidPath(rel) || !isSHA256(sum) {
			return nil, fmt.Errorf("manifest line %d is not \"path NUL sha256 LF\"", i+1)
		}
		if len(out) > 0 && out[len(out)-1].Rel >= rel {
			return nil, fmt.Errorf("manifest line %d: paths out of order", i+1)
		}
		out = append(out, manifestLine{Rel: rel, SHA256: sum})
	}
	return out, nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// walkFolder lists a folder's regular files by relative path.
func walkFolder(path string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(path, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// HashPath returns the SHA-256 (hex) and size of a file, or of a folder: for a folder the hash
// is SHA-256 over its manifest, the lines "path NUL sha256-hex LF" of its regular files in
// byte order of their slash-separated relative paths, and the size is the sum of the files'
// sizes. Anyone can recompute it with sha256sum and a sort.
func HashPath(path string) (string, int64, error) {
	return hashPath(path, nil)
}

// hashPath hashes path and, when keep is not nil, copies each file read into the keep folder
// under its hash (and a folder's manifest under the folder's hash), in the same pass. created
// lists the files it made there.
func hashPath(path string, keep *keeper) (string, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	if !fi.IsDir() {
		return keep.file(path)
	}
	files, err := walkFolder(path)
	if err != nil {
		return "", 0, err
	}
	var lines []manifestLine
	var total int64
	for _, rel := range files {
		sum, size, err := keep.file(filepath.Join(path, filepath.FromSlash(rel)))
		if err != nil {
			return "", 0, err
		}
		total += size
		lines = append(lines, manifestLine{Rel: rel, SHA256: sum, Size: size})
	}
	m := manifest(lines)
	h := sha256.Sum256(m)
	sum := hex.EncodeToString(h[:])
	if keep != nil {
		if err := keep.bytes(sum, m); err != nil {
			return "", 0, err
		}
	}
	return sum, total, nil
}

// keeper copies files into a workspace's files folder by content. A nil keeper only hashes.
type keeper struct {
	dir     string
	created []string
}

func (k *keeper) file(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	if k == nil {
		n, err := io.Copy(h, f)
		if err != nil {
			return "", 0, err
		}
		return hex.EncodeToString(h.Sum(nil)), n, nil
	}
	var n int64
	tmp, err := tempFile(k.dir, func(w io.Writer) (err error) {
		n, err = io.Copy(io.MultiWriter(h, w), f)
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(tmp)
	sum := hex.EncodeToString(h.Sum(nil))
	return sum, n, k.place(sum, tmp)
}

func (k *keeper) bytes(sum string, b []byte) error {
	tmp, err := tempFile(k.dir, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return k.place(sum, tmp)
}

// tempFile writes a new temporary file in dir (made if missing) with fill and returns its
// name; the caller renames or removes it.
func tempFile(dir string, fill func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".canvass-*")
	if err != nil {
		return "", err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// replaceFile writes path through a temporary file and a rename, readable by all.
func replaceFile(path string, fill func(io.Writer) error) error {
	tmp, err := tempFile(filepath.Dir(path), fill)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// place renames tmp to the hash's name unless a copy is already there.
func (k *keeper) place(sum, tmp string) error {
	dst := filepath.Join(k.dir, sum)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := os.Chmod(tmp, 0o444); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	k.created = append(k.created, dst)
	return nil
}

// undo removes the copies this keeper made (the import they belonged to failed).
func (k *keeper) undo() {
	if k == nil {
		return
	}
	for _, p := range k.created {
		os.Remove(p)
	}
	k.created = nil
}

// materialize rebuilds an imported file or folder named name from a source of files by hash
// (the workspace's files folder, or a published log's), inside dir, and returns its path.
func materialize(open func(sum string) (io.ReadCloser, error), ref ledger.FileRef, dir string) (string, error) {
	dst := filepath.Join(dir, ref.Name)
	if !ref.Folder {
		return dst, copyChecked(open, ref.SHA256, dst)
	}
	r, err := open(ref.SHA256)
	if err != nil {
		return "", err
	}
	m, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return "", err
	}
	if h := sha256.Sum256(m); hex.EncodeToString(h[:]) != ref.SHA256 {
		return "", fmt.Errorf("files/%s: the folder manifest's SHA-256 is %x", ref.SHA256, h)
	}
	lines, err := parseManifest(m)
	if err != nil {
		return "", fmt.Errorf("files/%s: %w", ref.SHA256, err)
	}
	for _, l := range lines {
		p := filepath.Join(dst, filepath.FromSlash(l.Rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := copyChecked(open, l.SHA256, p); err != nil {
			return "", err
		}
	}
	return dst, nil
}

// copyChecked copies the file of hash sum to dst, checking its hash.
func copyChecked(open func(sum string) (io.ReadCloser, error), sum, dst string) error {
	r, err := open(sum)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("files/%s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("files/%s: its content's SHA-256 is %s", sum, got)
	}
	return nil
}

// openKept opens a file of the workspace's files folder by hash.
func (w *Workspace) openKept(sum string) (io.ReadCloser, error) {
	if !isSHA256(sum) {
		return nil, fmt.Errorf("%q is not a SHA-256", sum)
	}
	return os.Open(filepath.Join(w.Dir, FilesDir, sum))
}
