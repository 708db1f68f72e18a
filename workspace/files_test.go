package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestFolderHashIsTheManifest: a folder's hash is SHA-256 of its manifest, which the test
// writes out by hand: the SHA-256 of "a\n" and of "b\n" (as sha256sum prints them), by path.
func TestFolderHashIsTheManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "export")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.json"), []byte("b\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte("a\n"), 0o644)
	manifest := "a.json\x0087428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7\n" +
		"sub/b.json\x000263829989b6fd954f72baaf2fc64bc2e2f01d692d4de72986ea808f6e99813f\n"
	want := sha256.Sum256([]byte(manifest))
	sum, size, err := HashPath(dir)
	if err != nil || sum != hex.EncodeToString(want[:]) || size != 4 {
		t.Fatalf("HashPath = %s, %d, %v; want %x, 4", sum, size, err, want)
	}
	k := &keeper{dir: filepath.Join(t.TempDir(), FilesDir)}
	if s2, _, err := hashPath(dir, k); err != nil || s2 != sum || len(k.created) != 3 {
		t.Fatalf("keeping: %s %v, %d files", s2, err, len(k.created))
	}
	kept, _ := os.ReadFile(filepath.Join(k.dir, sum))
	if string(kept) != manifest {
		t.Errorf("kept manifest %q", kept)
	}
	lines, err := parseManifest(kept)
	if err != nil || len(lines) != 2 || lines[1].Rel != "sub/b.json" {
		t.Errorf("parseManifest: %+v %v", lines, err)
	}
	k.undo()
	if ents, _ := os.ReadDir(k.dir); len(ents) != 0 {
		t.Errorf("undo left %d files", len(ents))
	}
}

// FuzzParseManifest: a published manifest is input from anyone; it never panics, and what it
// accepts has safe, ordered paths and re-encodes to the same bytes.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("a.json\x0087428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7\n"))
	f.Add([]byte("../etc/passwd\x0087428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7\n"))
	f.Add([]byte("b\x00" + "00" + "\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := parseManifest(b)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Rel == "" || l.Rel[0] == '/' || filepath.IsAbs(l.Rel) || len(l.SHA256) != 64 {
				t.Fatalf("accepted %q", l.Rel)
			}
		}
		if string(manifest(lines)) != string(b) {
			t.Fatalf("%q re-encodes as %q", b, manifest(lines))
		}
	})
}
