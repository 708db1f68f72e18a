// Package demo holds the public data of the demonstration election, embedded in the binary so
// that "canvass demo" works from any folder: the Wisconsin Elections Commission's official
// ward-by-ward report of the 2020 presidential election, after the Milwaukee and Dane recount.
// Where each file comes from is in README.md beside this file.
package demo

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed us2020
var FS embed.FS

// WisconsinWards is the path in FS of the WEC ward-by-ward report (XLSX).
const WisconsinWards = "us2020/wi/wec_wardbyward_president_by_assembly_district_after_recount.xlsx"

// Extract writes the file at name in FS to dir (keeping its relative path) and returns the
// path written. The workspace imports files from disk, and keeps their hash on the record.
func Extract(name, dir string) (string, error) {
	b, err := fs.ReadFile(FS, name)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, b, 0o644)
}
