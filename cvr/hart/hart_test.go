package hart

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctab is RCTab's regression suite copied into the repository's testdata (see testdata/README.md) (Mozilla
// Public License 2.0; see its README).
var rctab = filepath.Join("..", "..", "testdata", "rcv", "rctab")

var archive = filepath.Join(rctab, "_shared", "hart_cvr_archive")

// cedarPark is the contest of RCTab's hart_cedar_park_school_board case, with its config's
// candidates (aliases are the option Ids) and undeclared write-in label.
var cedarPark = cvr.RankedOptions{
	Contest: "b651b997-417a-46d9-a676-a43d4df94ddc",
	Candidates: []cvr.RankedCandidate{
		{Name: "Tony Hernandez", Aliases: []string{"6f2df7d3-5c83-4fc7-b4a5-c2eca9e5fdb4"}},
		{Name: "Betty McCollum", Aliases: []string{"5f1a7e93-d5d7-498d-94d5-101356477f30"}},
		{Name: "April King", Aliases: []string{"c0398b1e-9837-48ad-937d-a9048390eb65"}},
		{Name: "Bev Scalze", Aliases: []string{"2b6f6f6a-4693-40fb-9ea2-38c4819c08bf"}},
		{Name: "Russ Bertsch", Aliases: []string{"9d64820a-ec36-48fc-a12c-0a77933f11d1"}},
		{Name: "Barb Yarusso", Aliases: []string{"145d5655-9914-4b7a-9b04-6740d377c7e3"}},
		{Name: "Steve Carlson", Aliases: []string{"24483a8b-b4c9-4f2f-8aa9-c1e867c9d88e"}},
	},
	UndeclaredWriteInLabel: "99cefa84-bad0-4d6b-a916-e606bd43f9cd",
}

// render writes a ballot as "id|precinct|batch|Contest: Choice#rank, ...; ...".
func render(e *canvass.Election, b *canvass.Ballot) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%s|%s|", b.ID, b.Precinct, b.Batch)
	for i, cm := range b.Contests {
		if i > 0 {
			sb.WriteString("; ")
		}
		c := e.Contests[cm.Contest]
		sb.WriteString(c.Name + ":")
		if len(cm.Marks) == 0 {
			sb.WriteString(" (blank)")
		}
		for j, m := range cm.Marks {
			if j > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(" " + c.Choices[m.Choice].Name)
			if m.Flags&canvass.WriteInMark != 0 {
				sb.WriteString("[wi]")
			}
			if m.Rank != 0 {
				fmt.Fprintf(&sb, "#%d", m.Rank)
			}
		}
	}
	return sb.String()
}

func readAll(t *testing.T, r cvr.Reader) []string {
	t.Helper()
	defer r.Close()
	var out []string
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("ballot %d: %v", len(out)+1, err)
		}
		out = append(out, render(r.Election(), b))
	}
}

// TestCedarPark reads RCTab's hart_cedar_park_school_board case. By hand from the 18 files (in
// name order), the nine whose names start with 1_ hold the contest:
//   - 1_0e4cb797 and 1_d47ab934 leave it blank (no Options);
//   - 1_1a0e576b ranks Barb Yarusso (Value 100000) 1, Russ Bertsch 2, Bev Scalze 3, April
//     King 4, Betty McCollum 5, Tony Hernandez (000001) 6;
//   - 1_826a70f1 ranks Bev Scalze 1, April King 2, Russ Bertsch 3, Barb Yarusso 4, and the
//     write-in option 99cefa84 (no Name, WriteInData) 6;
//   - the five others rank Steve Carlson 1, Tony Hernandez 2, ..., Russ Bertsch 6.
//
// RCTab's round 1: Steve Carlson 5, Barb Yarusso 1, Bev Scalze 1, 9 ballots, 2 undervotes.
func TestCedarPark(t *testing.T) {
	r, err := Open(archive, cedarPark)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Election()
	if len(e.Contests) != 1 {
		t.Fatalf("%d contests", len(e.Contests))
	}
	c := e.Contests[0]
	if c.Name != "CEDAR PARK SCHOOL BOARD" || c.Type != canvass.IRV || c.VoteFor != 6 || len(c.Choices) != 8 || c.Choices[7].Name != cvr.UndeclaredWriteIn || !c.Choices[7].WriteIn {
		t.Errorf("contest %+v", c)
	}
	steve := "Steve Carlson#1, Tony Hernandez#2, Betty McCollum#3, April King#4, Bev Scalze#5, Russ Bertsch#6"
	want := []string{
		"0e4cb797-392c-4e64-9034-94694bf97419|PRC1-PRC1|1|CEDAR PARK SCHOOL BOARD: (blank)",
		"1a0e576b-0b2d-474d-8d65-89c968b42262|102|1|CEDAR PARK SCHOOL BOARD: Tony Hernandez#6, Betty McCollum#5, April King#4, Bev Scalze#3, Russ Bertsch#2, Barb Yarusso#1",
		"3f078997-6eee-48a0-8c32-71288748d187|101|1|CEDAR PARK SCHOOL BOARD: " + steve,
		"5bc7ce6c-f498-438e-9930-2e829f066eab|10-1|1|CEDAR PARK SCHOOL BOARD: " + steve,
		`826a70f1-5df6-458c-bc78-8443ba3b20b0|ABC~!@#^&()_+|?><,.[]\][ k1234567@-C!~@#^&|1|CEDAR PARK SCHOOL BOARD: April King#2, Bev Scalze#1, Russ Bertsch#3, Barb Yarusso#4, Undeclared Write-ins[wi]#6`,
		"d47ab934-ac1d-4021-b2e6-78bce1b89415|1031|1|CEDAR PARK SCHOOL BOARD: (blank)",
		"e84522d1-adce-43df-8b49-13adb8bcc2e1|1032|1|CEDAR PARK SCHOOL BOARD: " + steve,
		"f4b6ca3a-1341-4f93-804e-a0a723cfc6f5|10-1|1|CEDAR PARK SCHOOL BOARD: " + steve,
		`f532531e-8715-4976-9af4-ab0ba50334a7|ABC~!@#^&()_+|?><,.[]\][ k1234567@-C!~@#^&|1|CEDAR PARK SCHOOL BOARD: ` + steve,
	}
	got := readAll(t, r)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ballots:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	first := map[string]int{}
	for _, line := range got {
		if i := strings.Index(line, "#1"); i >= 0 {
			j := strings.LastIndex(line[:i], ": ")
			k := strings.LastIndex(line[:i], ", ")
			first[line[max(j, k)+2:i]]++
		}
	}
	if fmt.Sprint(first) != "map[Barb Yarusso:1 Bev Scalze:1 Steve Carlson:5]" {
		t.Errorf("first choices %v, RCTab's round 1 has Steve Carlson 5, Barb Yarusso 1, Bev Scalze 1", first)
	}
}

// TestAllContests reads the archive without a contest: every file is a ballot (18), with the
// contests of all files; the Cedar Park options get their names from the files.
func TestAllContests(t *testing.T) {
	r, err := Open(archive, cvr.RankedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Election()
	got := readAll(t, r)
	if len(got) != 18 {
		t.Errorf("%d ballots, want 18", len(got))
	}
	c := e.ContestByName("CEDAR PARK SCHOOL BOARD")
	if c == nil || c.Type != canvass.IRV || c.ChoiceByName("Steve Carlson") < 0 || c.ChoiceByName("99cefa84-bad0-4d6b-a916-e606bd43f9cd") < 0 {
		t.Fatalf("Cedar Park: %+v", c)
	}
	if wi := c.Choices[c.ChoiceByName("99cefa84-bad0-4d6b-a916-e606bd43f9cd")]; !wi.WriteIn {
		t.Errorf("write-in option not marked WriteIn: %+v", wi)
	}
	// 04917dca marks AUSTIN LIBRARY OFFICE's write-in (Value 1, one digit: not ranked) and
	// AMENDMENT 1's "Yes - For the proposal".
	if got[0] != "04917dca-3f9e-440e-a41a-98dc5e57376e|10-1|1|AUSTIN LIBRARY OFFICE: 6eb09560-6708-4a32-b279-fb34271652c8[wi]; AMENDMENT 1: Yes - For the proposal" {
		t.Errorf("first ballot: %s", got[0])
	}
	if a := e.ContestByName("AMENDMENT 1"); a == nil || a.Type != canvass.Plurality || a.VoteFor != 1 {
		t.Errorf("AMENDMENT 1: %+v", a)
	}
}

// TestZip reads the archive zipped: the same ballots as the folder.
func TestZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(archive)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		data, err := os.ReadFile(filepath.Join(archive, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create("export/" + en.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	zpath := filepath.Join(t.TempDir(), "hart.zip")
	if err := os.WriteFile(zpath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := cvr.Sniff(zpath); err != nil || got != FormatName {
		t.Errorf("Sniff(zip) = %q, %v", got, err)
	}
	rz, err := Open(zpath, cedarPark)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := Open(archive, cedarPark)
	if err != nil {
		t.Fatal(err)
	}
	if z, f := readAll(t, rz), readAll(t, rf); strings.Join(z, "\n") != strings.Join(f, "\n") || len(z) != 9 {
		t.Errorf("zip gives %d ballots, folder %d, or they differ", len(z), len(f))
	}
}

func TestSniff(t *testing.T) {
	if got, err := cvr.Sniff(archive); err != nil || got != FormatName {
		t.Errorf("Sniff(folder) = %q, %v", got, err)
	}
	one := filepath.Join(archive, "1_3f078997-6eee-48a0-8c32-71288748d187.xml")
	if got, err := cvr.Sniff(one); err != nil || got != FormatName {
		t.Errorf("Sniff(file) = %q, %v", got, err)
	}
	if Sniff("x.xml", []byte(`<?xml version="1.0"?><CastVoteRecordReport/>`)) {
		t.Error("a CDF report sniffed as Hart")
	}
}

// memReader makes a Reader over in-memory files.
func memReader(files map[string]string, opts cvr.RankedOptions) (*Reader, error) {
	m := fstest.MapFS{}
	src := &source{fsys: m, name: "mem"}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
		src.files = append(src.files, name)
	}
	sort.Strings(src.files)
	r := &Reader{src: src, opts: opts}
	return r, r.define()
}

const good = `<Cvr xmlns="http://tempuri.org/CVRDesign.xsd"><Contests><Contest><Name>Mayor</Name><Id>m</Id><Options><Option><Name>Ann</Name><Id>a</Id><Value>010</Value></Option><Option><Name>Bo</Name><Id>b</Id><Value>100</Value></Option></Options></Contest></Contests><PrecinctSplit><Name>P1</Name><Id>p1</Id></PrecinctSplit><BatchNumber>7</BatchNumber><CvrGuid>g1</CvrGuid></Cvr>`

// TestSmall checks good by hand: Bo ranked 1, Ann 2, of 3 ranks.
func TestSmall(t *testing.T) {
	r, err := memReader(map[string]string{"a.xml": good}, cvr.RankedOptions{Contest: "Mayor"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); len(got) != 1 || got[0] != "g1|P1|7|Mayor: Ann#2, Bo#1" {
		t.Errorf("%q", got)
	}
	if c := r.Election().Contests[0]; c.VoteFor != 3 || c.Type != canvass.IRV {
		t.Errorf("%+v", c)
	}
}

// TestErrors checks that bad files give a ParseError naming the file, its number and the
// element.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  cvr.RankedOptions
		want  error
		file  string
		rec   int64
		field string
	}{
		{"bad value", map[string]string{"a.xml": good, "b.xml": strings.Replace(good, "<Value>100</Value>", "<Value>1x0</Value>", 1)}, cvr.RankedOptions{}, cvr.ErrSyntax, "b.xml", 2, fieldValue},
		{"empty value", map[string]string{"a.xml": strings.Replace(good, "<Value>100</Value>", "<Value></Value>", 1)}, cvr.RankedOptions{}, cvr.ErrMissingField, "a.xml", 1, fieldValue},
		{"truncated", map[string]string{"a.xml": good[:100]}, cvr.RankedOptions{}, cvr.ErrTruncated, "a.xml", 1, ""},
		{"not a Cvr", map[string]string{"a.xml": `<CastVoteRecordReport/>`}, cvr.RankedOptions{}, cvr.ErrWrongFormat, "a.xml", 1, ""},
		{"not XML", map[string]string{"a.xml": `{"x": 1}`}, cvr.RankedOptions{}, cvr.ErrWrongFormat, "a.xml", 1, ""},
		{"no such contest", map[string]string{"a.xml": good}, cvr.RankedOptions{Contest: "Dogcatcher"}, cvr.ErrUnknownContest, "mem", 0, "Cvr/Contests/Contest/Id"},
		{"unknown candidate", map[string]string{"a.xml": good}, cvr.RankedOptions{Contest: "m", Candidates: []cvr.RankedCandidate{{Name: "Ann"}}}, cvr.ErrUnknownChoice, "a.xml", 1, fieldID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := memReader(tc.files, tc.opts)
			for err == nil {
				_, err = r.Next()
			}
			if err == io.EOF {
				t.Fatal("no error")
			}
			var pe *cvr.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v (%T) is not a ParseError", err, err)
			}
			if filepath.Base(pe.File) != tc.file || pe.Record != tc.rec || pe.Field != tc.field || pe.Format != FormatName || !errors.Is(err, tc.want) {
				t.Errorf("got %v (file %q record %d field %q); want %v in %s record %d field %q", err, pe.File, pe.Record, pe.Field, tc.want, tc.file, tc.rec, tc.field)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none"), cvr.RankedOptions{}); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := Open(t.TempDir(), cvr.RankedOptions{}); !errors.Is(err, cvr.ErrWrongFormat) {
		t.Errorf("empty folder: %v", err)
	}
}

// FuzzHart feeds one file's bytes to the reader: no panic, errors are ParseErrors, marks refer
// to the Election. Seeds: good and two files of the Cedar Park archive.
func FuzzHart(f *testing.F) {
	f.Add([]byte(good))
	for _, name := range []string{"1_826a70f1-5df6-458c-bc78-8443ba3b20b0.xml", "04917dca-3f9e-440e-a41a-98dc5e57376e.xml"} {
		data, err := os.ReadFile(filepath.Join(archive, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := memReader(map[string]string{"f.xml": string(data)}, cvr.RankedOptions{})
		for err == nil {
			var b *canvass.Ballot
			if b, err = r.Next(); err == nil {
				e := r.Election()
				for _, cm := range b.Contests {
					for _, m := range cm.Marks {
						if int(m.Choice) >= len(e.Contests[cm.Contest].Choices) || int(m.Rank) > e.Contests[cm.Contest].VoteFor {
							t.Fatalf("mark %+v out of range", m)
						}
					}
				}
			}
		}
		var pe *cvr.ParseError
		if err != io.EOF && !errors.As(err, &pe) {
			t.Fatalf("%v (%T) is not a ParseError", err, err)
		}
	})
}
