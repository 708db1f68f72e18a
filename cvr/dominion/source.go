package dominion

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/canvass-vote/canvass/cvr"
)

// bom is the UTF-8 byte order mark some Windows tools put before JSON.
var bom = []byte("\xef\xbb\xbf")

// zipMagic starts a ZIP file (local file header signature, APPNOTE section 4.3.7).
var zipMagic = []byte("PK\x03\x04")

// source is where an export's files are: a file system (a folder, or a ZIP read in place), the
// folder in it that holds the manifests, the CvrExport files in reading order, and the name
// the user gave, for errors.
type source struct {
	fsys   fs.FS
	dir    string
	files  []string // CvrExport file names in dir, in reading order
	name   string   // the folder or ZIP path, prefixed to file names in errors
	closer io.Closer
}

// display is how a file of the source is named in errors.
func (s *source) display(file string) string { return filepath.Join(s.name, file) }

// openSource finds the export at p: a folder, a ZIP, or one CvrExport*.json file whose folder
// holds the manifests.
func openSource(p string) (*source, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		src := &source{fsys: os.DirFS(p), dir: ".", name: p}
		if err := src.findCVRs(); err != nil {
			return nil, err
		}
		return src, nil
	}
	if isZip(p) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, &cvr.ParseError{Format: formatName, File: p, Err: fmt.Errorf("%w: %v", cvr.ErrWrongFormat, err)}
		}
		dir, ok := manifestDir(&zr.Reader)
		if !ok {
			zr.Close()
			return nil, &cvr.ParseError{Format: formatName, File: p, Err: fmt.Errorf("%w: the ZIP holds no %s", cvr.ErrWrongFormat, contestManifest)}
		}
		src := &source{fsys: &zr.Reader, dir: dir, name: p, closer: zr}
		if err := src.findCVRs(); err != nil {
			zr.Close()
			return nil, err
		}
		return src, nil
	}
	// One file: refuse what is not a CVR export before looking for manifests, so that a file
	// of another format is reported as such rather than as a missing manifest.
	if !sniffFile(p, readHead(p)) {
		return nil, &cvr.ParseError{Format: formatName, File: p, Err: fmt.Errorf("%w: not a Dominion CVR export (neither named CvrExport*.json nor a JSON object with Sessions and ElectionId)", cvr.ErrWrongFormat)}
	}
	dir := filepath.Dir(p)
	return &source{fsys: os.DirFS(dir), dir: ".", files: []string{filepath.Base(p)}, name: dir}, nil
}

// readHead returns the first 4 KiB of the file at p (less if shorter or unreadable).
func readHead(p string) []byte {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return head[:n]
}

func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, zipMagic)
}

// manifestDir returns the shallowest folder of a ZIP that holds ContestManifest.json: exports
// are often zipped with their folder.
func manifestDir(zr *zip.Reader) (string, bool) {
	best, bestDepth := "", -1
	for _, f := range zr.File {
		if path.Base(f.Name) != contestManifest || !fs.ValidPath(f.Name) {
			continue
		}
		d := path.Dir(f.Name)
		depth := 0
		if d != "." {
			depth = strings.Count(d, "/") + 1
		}
		if bestDepth < 0 || depth < bestDepth {
			best, bestDepth = d, depth
		}
	}
	return best, bestDepth >= 0
}

// findCVRs lists the CvrExport files of s.dir in reading order.
func (s *source) findCVRs() error {
	entries, err := fs.ReadDir(s.fsys, s.dir)
	if err != nil {
		return &cvr.ParseError{Format: formatName, File: s.name, Err: err}
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isCVRName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return &cvr.ParseError{Format: formatName, File: s.name, Err: fmt.Errorf("%w: no CvrExport*.json file", cvr.ErrWrongFormat)}
	}
	sortCVRs(names)
	for i, n := range names {
		names[i] = path.Join(s.dir, n)
	}
	s.files = names
	return nil
}

// isCVRName reports whether name is a CvrExport file: CvrExport.json, CvrExport_N.json, or any
// other CvrExport*.json (case-insensitive, as exports copied through Windows vary).
func isCVRName(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "cvrexport") && strings.HasSuffix(l, ".json")
}

// cvrNumber returns N of CvrExport_N.json (0 for CvrExport.json) or -1 for other names.
func cvrNumber(name string) int64 {
	l := strings.ToLower(name)
	mid := strings.TrimSuffix(strings.TrimPrefix(l, "cvrexport"), ".json")
	if mid == "" {
		return 0
	}
	if !strings.HasPrefix(mid, "_") {
		return -1
	}
	n, err := strconv.ParseInt(mid[1:], 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// sortCVRs orders CvrExport files by the number N of CvrExport_N.json (the export writes them in
// that order; a name sort would put 10 before 2), then other names alphabetically.
func sortCVRs(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		a, b := cvrNumber(names[i]), cvrNumber(names[j])
		switch {
		case a >= 0 && b >= 0 && a != b:
			return a < b
		case a >= 0 && b < 0:
			return true
		case a < 0 && b >= 0:
			return false
		}
		return names[i] < names[j]
	})
}

// sniff reports whether p looks like a Dominion export: a folder or ZIP with
// ContestManifest.json and CvrExport files, or a CvrExport JSON file.
func sniff(p string, head []byte) bool {
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(p, contestManifest)); err != nil {
			return false
		}
		src := &source{fsys: os.DirFS(p), dir: ".", name: p}
		return src.findCVRs() == nil
	}
	if bytes.HasPrefix(head, zipMagic) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return false
		}
		defer zr.Close()
		dir, ok := manifestDir(&zr.Reader)
		if !ok {
			return false
		}
		src := &source{fsys: &zr.Reader, dir: dir, name: p}
		return src.findCVRs() == nil
	}
	return sniffFile(p, head)
}

// sniffFile reports whether the file p, starting with head, is a CvrExport file: by its name,
// or, renamed, by being a JSON object whose first keys are those of a CvrExport file.
func sniffFile(p string, head []byte) bool {
	if isCVRName(filepath.Base(p)) {
		return true
	}
	h := bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	return bytes.HasPrefix(h, []byte("{")) && bytes.Contains(h, []byte(`"Sessions"`)) &&
		bytes.Contains(h, []byte(`"ElectionId"`))
}
