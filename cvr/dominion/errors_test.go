package dominion

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/canvass-vote/canvass/cvr"
)

// copyHand copies the hand-made export into a new folder, replacing or removing files:
// edit maps a file name to its new content, or to nil to leave it out.
func copyHand(t *testing.T, edit map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(handDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(handDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := edit[e.Name()]; ok {
			data = d
		}
		if data == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range edit {
		if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) && data != nil {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func handFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(handDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// replaceOnce replaces the n-th (1-based) occurrence of old in data.
func replaceNth(t *testing.T, data []byte, old, new string, n int) []byte {
	t.Helper()
	i, from := -1, 0
	for k := 0; k < n; k++ {
		j := bytes.Index(data[from:], []byte(old))
		if j < 0 {
			t.Fatalf("%q occurs fewer than %d times", old, n)
		}
		i = from + j
		from = i + len(old)
	}
	out := append([]byte{}, data[:i]...)
	out = append(out, new...)
	return append(out, data[i+len(old):]...)
}

// readAll opens dir and reads every ballot, returning the first error.
func readAll(dir string) (int, error) {
	r, err := Open(dir, cvr.Options{})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func TestBadInput(t *testing.T) {
	cvr1 := handFile(t, "CvrExport_1.json")
	cvr2 := handFile(t, "CvrExport_2.json")
	cdf, err := os.ReadFile("../../testdata/cvr/rctab/test_set_8_multi_cdf/test_set_8_multi_cdf_cvr_1.json")
	if err != nil {
		t.Fatal(err)
	}
	// Where session 2 of CvrExport_1.json starts, to cut the file inside it.
	s2 := bytes.Index(cvr1, []byte(`"RecordId": 2`))
	const mark = "Sessions[].Original.Cards[].Contests[].Marks[]"
	tests := []struct {
		name   string
		edit   map[string][]byte
		err    error  // sentinel the error wraps
		file   string // base name in the error
		record int64
		field  string
		msg    string // in the message
	}{
		{name: "truncated inside session 2", edit: map[string][]byte{"CvrExport_1.json": cvr1[:s2+40]},
			err: cvr.ErrTruncated, file: "CvrExport_1.json", record: 2, field: "Sessions[]"},
		{name: "truncated after Sessions", edit: map[string][]byte{"CvrExport_2.json": bytes.TrimSuffix(bytes.TrimSpace(cvr2), []byte("}"))},
			err: cvr.ErrTruncated, file: "CvrExport_2.json"},
		{name: "empty file", edit: map[string][]byte{"CvrExport_2.json": {}},
			err: cvr.ErrTruncated, file: "CvrExport_2.json"},
		{name: "unknown contest", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"Id": 3,`, `"Id": 99,`, 1)},
			err: cvr.ErrUnknownContest, file: "CvrExport_1.json", record: 1, field: "Sessions[].Original.Cards[].Contests[].Id", msg: "contest 99 is not in ContestManifest.json"},
		{name: "unknown candidate", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"CandidateId": 21,`, `"CandidateId": 99,`, 1)},
			err: cvr.ErrUnknownChoice, file: "CvrExport_1.json", record: 1, field: mark + ".CandidateId", msg: "mark 2: candidate 99 is not in CandidateManifest.json"},
		{name: "candidate of another contest", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"CandidateId": 11,`, `"CandidateId": 20,`, 1)},
			err: cvr.ErrUnknownChoice, file: "CvrExport_1.json", record: 2, field: mark + ".CandidateId", msg: "candidate 20 belongs to contest 2, not to contest 1"},
		{name: "unknown candidate in Modified", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"CandidateId": 10,`, `"CandidateId": 77,`, 3)},
			err: cvr.ErrUnknownChoice, file: "CvrExport_1.json", record: 4, field: "Sessions[].Modified.Cards[].Contests[].Marks[].CandidateId"},
		{name: "unknown contest, older shape", edit: map[string][]byte{"CvrExport_2.json": replaceNth(t, cvr2, `"Id":4,`, `"Id":5,`, 1)},
			err: cvr.ErrUnknownContest, file: "CvrExport_2.json", record: 2, field: "Sessions[].Original.Contests[].Id"},
		{name: "rank out of range", edit: map[string][]byte{"CvrExport_2.json": replaceNth(t, cvr2, `"Rank":2,`, `"Rank":4,`, 1)},
			err: cvr.ErrSyntax, file: "CvrExport_2.json", record: 2, field: "Sessions[].Original.Contests[].Marks[].Rank", msg: "rank 4 outside 1..3"},
		{name: "id not a number", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"RecordId": 3,`, `"RecordId": "3",`, 1)},
			err: cvr.ErrNotNumber, file: "CvrExport_1.json", record: 3, field: "Sessions[].RecordId"},
		{name: "fraction", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"CandidateId": 30,`, `"CandidateId": 30.5,`, 1)},
			err: cvr.ErrNotNumber, file: "CvrExport_1.json", record: 1, field: mark + ".CandidateId"},
		{name: "missing RecordId", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"RecordId": 1,`, ``, 1)},
			err: cvr.ErrMissingField, file: "CvrExport_1.json", record: 1, field: "Sessions[].RecordId"},
		{name: "missing CandidateId", edit: map[string][]byte{"CvrExport_2.json": replaceNth(t, cvr2, `"CandidateId":24,`, ``, 1)},
			err: cvr.ErrMissingField, file: "CvrExport_2.json", record: 1, field: "Sessions[].Original.Contests[].Marks[].CandidateId"},
		{name: "bad literal", edit: map[string][]byte{"CvrExport_1.json": replaceNth(t, cvr1, `"IsVote": true`, `"IsVote": tru`, 7)},
			err: cvr.ErrSyntax, file: "CvrExport_1.json", record: 2, field: mark + ".IsVote"},
		{name: "garbage after the export", edit: map[string][]byte{"CvrExport_10.json": append(handFile(t, "CvrExport_10.json"), "}"...)},
			err: cvr.ErrSyntax, file: "CvrExport_10.json"},
		{name: "NIST CDF file", edit: map[string][]byte{"CvrExport_2.json": cdf},
			err: cvr.ErrWrongFormat, file: "CvrExport_2.json", field: "Sessions"},
		{name: "CSV file", edit: map[string][]byte{"CvrExport_10.json": []byte("BallotID,Precinct\n1,North\n")},
			err: cvr.ErrWrongFormat, file: "CvrExport_10.json"},
		{name: "missing candidate manifest", edit: map[string][]byte{"CandidateManifest.json": nil},
			err: fs.ErrNotExist, file: "CandidateManifest.json", msg: "required manifest missing"},
		{name: "bad manifest", edit: map[string][]byte{"ContestManifest.json": replaceNth(t, handFile(t, "ContestManifest.json"), `"VoteFor":2`, `"VoteFor":0`, 1)},
			err: nil, file: "ContestManifest.json", record: 2, field: "List[].VoteFor", msg: "VoteFor 0"},
		{name: "manifest names unknown contest", edit: map[string][]byte{"CandidateManifest.json": replaceNth(t, handFile(t, "CandidateManifest.json"), `"ContestId":4`, `"ContestId":5`, 1)},
			err: cvr.ErrUnknownContest, file: "CandidateManifest.json", record: 11, field: "List[].ContestId"},
		{name: "truncated manifest", edit: map[string][]byte{"TabulatorManifest.json": handFile(t, "TabulatorManifest.json")[:100]},
			err: cvr.ErrTruncated, file: "TabulatorManifest.json"},
		{name: "no CvrExport", edit: map[string][]byte{"CvrExport_1.json": nil, "CvrExport_2.json": nil, "CvrExport_10.json": nil},
			err: cvr.ErrWrongFormat, msg: "no CvrExport*.json file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyHand(t, tt.edit)
			_, err := readAll(dir)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
			var pe *cvr.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if pe.Format != "dominion" {
				t.Errorf("Format %q", pe.Format)
			}
			if tt.file != "" && filepath.Base(pe.File) != tt.file {
				t.Errorf("File %q, want %s", pe.File, tt.file)
			}
			if pe.Record != tt.record || pe.Field != tt.field {
				t.Errorf("record %d field %q, want %d %q (%v)", pe.Record, pe.Field, tt.record, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err.Error(), tt.msg)
			}
		})
	}
}

// TestEveryTruncation cuts the hand-made CvrExport_1.json at every byte of its first 1,500
// (the top level, session 1 and its marks: every kind of token) and at every 7th byte after:
// each proper prefix is a truncated file (ErrTruncated), never a panic or a silent success.
func TestEveryTruncation(t *testing.T) {
	cvr1 := handFile(t, "CvrExport_1.json")
	man, err := loadManifests(os.DirFS(handDir), ".", handDir, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut < len(bytes.TrimSpace(cvr1)); cut += 1 + 6*(cut/1500) {
		src := &source{fsys: fstest.MapFS{"CvrExport_1.json": {Data: cvr1[:cut]}}, dir: ".", files: []string{"CvrExport_1.json"}, name: "cut"}
		r, err := readerFor(src, man, cvr.Options{})
		for err == nil {
			_, err = r.Next()
		}
		if !errors.Is(err, cvr.ErrTruncated) {
			t.Fatalf("cut at %d: %v, want ErrTruncated", cut, err)
		}
	}
}

func TestNotAnExport(t *testing.T) {
	// A folder of something else, a ZIP without manifests, a path that does not exist.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	zpath := filepath.Join(dir, "other.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("CvrExport.json")
	w.Write(handFile(t, "CvrExport_10.json"))
	zw.Close()
	f.Close()
	csv := filepath.Join(dir, "results.csv")
	for _, p := range []string{dir, zpath, csv} {
		if _, err := Open(p, cvr.Options{}); !errors.Is(err, cvr.ErrWrongFormat) {
			t.Errorf("%s: %v, want ErrWrongFormat", p, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing"), cvr.Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
}

func TestSniff(t *testing.T) {
	head := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		return b[:min(len(b), 4096)]
	}
	renamed := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(renamed, handFile(t, "CvrExport_2.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{handDir, true},
		{handZip, true},
		{filepath.Join(handDir, "CvrExport_1.json"), true},
		{renamed, true},
		{rctabDir, true},
		{filepath.Join(handDir, "ContestManifest.json"), false},
		{"../../testdata/cvr/rctab/test_set_8_multi_cdf/test_set_8_multi_cdf_cvr_1.json", false},
		{"../../testdata/cvr/rctab/test_set_8_multi_cdf", false},
		{"testdata", false},
	} {
		fi, _ := os.Stat(tt.path)
		var h []byte
		if fi != nil && !fi.IsDir() {
			h = head(tt.path)
		}
		if got := sniff(tt.path, h); got != tt.want {
			t.Errorf("sniff(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
	// Through the registry.
	if name, err := cvr.Sniff(handZip); err != nil || name != "dominion" {
		t.Errorf("cvr.Sniff = %q, %v", name, err)
	}
	r, err := cvr.Open(handDir, "auto", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := r.Next(); err != nil || b.ID != "1-1-1" {
		t.Errorf("cvr.Open: %v %v", b, err)
	}
}

// TestProgress checks that Progress sees every byte read: for the hand-made folder, whose
// files are all read (eight manifests, three CvrExport files), the sum is the folder's size.
func TestProgress(t *testing.T) {
	var total int64
	r, err := Open(handDir, cvr.Options{Progress: func(n int64) { total += n }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if want := cvr.Size(handDir); total != want {
		t.Errorf("progress total %d, want %d", total, want)
	}
}

// TestByteOrderMark reads files written with a UTF-8 byte order mark.
func TestByteOrderMark(t *testing.T) {
	dir := copyHand(t, map[string][]byte{
		"CvrExport_2.json":       append([]byte("\xef\xbb\xbf"), handFile(t, "CvrExport_2.json")...),
		"ContestManifest.json":   append([]byte("\xef\xbb\xbf"), handFile(t, "ContestManifest.json")...),
		"CandidateManifest.json": append([]byte("\xef\xbb\xbf"), handFile(t, "CandidateManifest.json")...),
	})
	if n, err := readAll(dir); err != nil || n != 7 {
		t.Errorf("read %d ballots, %v; want 7", n, err)
	}
}

// TestClosed checks that Next after Close is an error, not a panic.
func TestClosed(t *testing.T) {
	r, err := Open(handZip, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
}

func TestSortCVRs(t *testing.T) {
	names := []string{"CvrExport_10.json", "cvrexport_AZ-999.json", "CvrExport_2.json", "CvrExport.json", "CvrExport_1.json", "CvrExport_b.json"}
	sortCVRs(names)
	want := "CvrExport.json CvrExport_1.json CvrExport_2.json CvrExport_10.json CvrExport_b.json cvrexport_AZ-999.json"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDuplicateNames checks that contests (and choices of a contest) that share a name are told
// apart by their Id.
func TestDuplicateNames(t *testing.T) {
	contests := replaceNth(t, handFile(t, "ContestManifest.json"), `"Description":"Measure A"`, `"Description":"mayor "`, 1)
	cands := replaceNth(t, handFile(t, "CandidateManifest.json"), `"Description":"DAN DIAZ"`, `"Description":"Carol Chen"`, 1)
	dir := copyHand(t, map[string][]byte{"ContestManifest.json": contests, "CandidateManifest.json": cands})
	r, err := Open(dir, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	el := r.Election()
	if err := el.Validate(); err != nil {
		t.Error(err)
	}
	got := []string{el.Contests[0].Name, el.Contests[2].Name, el.Contests[1].Choices[0].Name, el.Contests[1].Choices[1].Name, el.Contests[1].Choices[2].Name}
	want := []string{"Mayor (Id 1)", "mayor  (Id 3)", "CAROL CHEN (Id 20)", "Carol Chen (Id 21)", "ERIN EVANS"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("names %q, want %q", got, want)
	}
}
