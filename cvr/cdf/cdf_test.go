package cdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// readAll reads every ballot of r (cloned), failing the test on an error.
func readAll(t testing.TB, r *Reader) []*canvass.Ballot {
	t.Helper()
	var out []*canvass.Ballot
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(out)+1, err)
		}
		out = append(out, b.Clone())
	}
}

// readPath opens path and reads it whole with the given snapshot choice.
func readPath(t testing.TB, path string, which Snapshot) (*canvass.Election, []*canvass.Ballot) {
	t.Helper()
	r, err := Open(path, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SetSnapshot(which)
	return r.Election(), readAll(t, r)
}

// render writes a ballot as one line, for comparison with hand-written expectations:
// "id|precinct|tabulator|batch|ballot type|Contest: Choice[flags]#rank, ...; ...".
// Flags: nc NotCounted, amb Ambiguous, wi WriteInMark, adj Adjudicated.
func render(e *canvass.Election, b *canvass.Ballot) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%s|%s|%s|%s|", b.ID, b.Precinct, b.Tabulator, b.Batch, b.BallotType)
	for i, cm := range b.Contests {
		if i > 0 {
			sb.WriteString("; ")
		}
		c := e.Contests[cm.Contest]
		sb.WriteString(c.Name)
		if cm.Overvoted {
			sb.WriteString(" (overvoted)")
		}
		sb.WriteString(":")
		if len(cm.Marks) == 0 {
			sb.WriteString(" (blank)")
		}
		for j, m := range cm.Marks {
			if j > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(" " + c.Choices[m.Choice].Name)
			var fl []string
			for _, f := range []struct {
				bit  canvass.MarkFlags
				name string
			}{{canvass.NotCounted, "nc"}, {canvass.Ambiguous, "amb"}, {canvass.WriteInMark, "wi"}, {canvass.Adjudicated, "adj"}} {
				if m.Flags&f.bit != 0 {
					fl = append(fl, f.name)
				}
			}
			if len(fl) > 0 {
				sb.WriteString("[" + strings.Join(fl, ",") + "]")
			}
			if m.Rank != 0 {
				fmt.Fprintf(&sb, "#%d", m.Rank)
			}
		}
	}
	return sb.String()
}

func renderAll(e *canvass.Election, bs []*canvass.Ballot) []string {
	var out []string
	for _, b := range bs {
		out = append(out, render(e, b))
	}
	return out
}

// tally counts, per contest name and choice name, the counted marks (not NotCounted) of
// unranked contests and the first choices of ranked ones (the counted mark of lowest rank;
// "(overvote)" when two choices share it, "(none)" without one). It also counts "(overvoted)"
// contests and "(blank)" ones.
func tally(e *canvass.Election, bs []*canvass.Ballot) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, b := range bs {
		for _, cm := range b.Contests {
			c := e.Contests[cm.Contest]
			t := out[c.Name]
			if t == nil {
				t = map[string]int{}
				out[c.Name] = t
			}
			if cm.Overvoted {
				t["(overvoted)"]++
			}
			if len(cm.Marks) == 0 {
				t["(blank)"]++
			}
			if !c.Type.Ranked() {
				for _, m := range cm.Marks {
					if m.Flags&canvass.NotCounted == 0 {
						t[c.Choices[m.Choice].Name]++
					}
				}
				continue
			}
			best, who := int32(1<<30), map[int32]bool{}
			for _, m := range cm.Marks {
				if m.Flags&canvass.NotCounted != 0 {
					continue
				}
				if m.Rank < best {
					best, who = m.Rank, map[int32]bool{}
				}
				if m.Rank == best {
					who[m.Choice] = true
				}
			}
			switch len(who) {
			case 0:
				t["(none)"]++
			case 1:
				for ch := range who {
					t[c.Choices[ch].Name]++
				}
			default:
				t["(overvote)"]++
			}
		}
	}
	return out
}

func equalTally(t *testing.T, got, want map[string]map[string]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tally:\n got %v\nwant %v", got, want)
	}
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("ballots:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// contestSummary is what a test checks of a contest definition.
type contestSummary struct {
	id, name string
	typ      canvass.ContestType
	voteFor  int
	seats    int
	choices  string // "Name/Party/W, ..." (W: write-in)
}

func summarize(e *canvass.Election) []contestSummary {
	var out []contestSummary
	for _, c := range e.Contests {
		var ch []string
		for _, x := range c.Choices {
			s := x.Name
			if x.Party != "" {
				s += "/" + x.Party
			}
			if x.WriteIn {
				s += "/W"
			}
			ch = append(ch, s)
		}
		out = append(out, contestSummary{c.ID, c.Name, c.Type, c.VoteFor, c.Seats, strings.Join(ch, ", ")})
	}
	return out
}

// TestHandmade reads testdata/handmade.json (definitions first, one pass). Every expected line
// is worked out by hand from the file:
//   - b1 votes in all four contests; its rcv marks carry Rank on SelectionPosition.
//   - b2's mayor contest has Overvotes 1 and Status overvoted, both positions IsAllocable "no";
//     it marks one of two council seats (an undervote).
//   - b3 marks the mayor write-in line (CVRWriteIn), leaves council blank (CVRContest with no
//     selections) and has no Proposition 1 on its ballot.
//   - the 4th CVR has no UniqueId (id from BallotPrePrintedId PP-4); CurrentSnapshotId names
//     the "modified" snapshot listed after the original, so Bob counts, Adjudicated.
//   - the 5th has neither UniqueId, BallotPrePrintedId nor CurrentSnapshotId: the "modified"
//     snapshot is picked (listed before the original) and its @id is the ballot id.
//   - b6's mayor positions have HasIndication "no" with NumberVotes 1: a blank contest; its
//     BatchId is null.
//   - b7's mayor mark has HasIndication "unknown": Ambiguous, still counted.
//   - b8's ranks are on CVRContestSelection.
//
// Devices: rd-1 has SerialNumber SCAN-0001, rd-2 only a Code TAB-2.
func TestHandmade(t *testing.T) {
	e, bs := readPath(t, filepath.Join("testdata", "handmade.json"), Current)
	if e.Name != "Hand-made General" {
		t.Errorf("election name %q", e.Name)
	}
	wantContests := []contestSummary{
		{"c-mayor", "Mayor", canvass.Plurality, 1, 1, "Alice Adams/Democratic, Bob Brown/REP, Write-in/W"},
		{"c-council", "City Council", canvass.Plurality, 2, 2, "Carol Cruz, Dave Diaz, Erin Eng"},
		{"c-prop1", "Proposition 1", canvass.Plurality, 1, 1, "Yes, No"},
		{"c-rcv", "Library Board", canvass.IRV, 3, 1, "Xavier, Yolanda, Zoe (code)"},
	}
	if got := summarize(e); !slices.Equal(got, wantContests) {
		t.Errorf("contests:\n got %+v\nwant %+v", got, wantContests)
	}
	equalLines(t, renderAll(e, bs), []string{
		"b1|Precinct 1|SCAN-0001|B1|bs-1|Mayor: Alice Adams; City Council: Carol Cruz, Dave Diaz; Proposition 1: Yes; Library Board: Xavier#1, Yolanda#2, Zoe (code)#3",
		"b2|Precinct 1|SCAN-0001|B1|bs-1|Mayor (overvoted): Alice Adams[nc], Bob Brown[nc]; City Council: Erin Eng; Proposition 1: No; Library Board: Yolanda#1",
		"b3|Precinct 2|TAB-2|B2|bs-2|Mayor: Write-in[wi]; City Council: (blank); Library Board: Zoe (code)#1, Xavier#2",
		"PP-4|Precinct 2|TAB-2|B2|bs-2|Mayor: Bob Brown[adj]",
		"b5-m|Precinct 1|SCAN-0001|B1|bs-1|City Council: Dave Diaz[adj]",
		"b6|Precinct 1|SCAN-0001||bs-1|Mayor: (blank); Proposition 1: Yes",
		"b7|Precinct 2|TAB-2|B2|bs-2|Mayor: Alice Adams[amb]; Proposition 1: Yes",
		"b8|Precinct 2|TAB-2|B2|bs-2|Library Board: Yolanda#1, Zoe (code)#2",
	})
	// The counts, by hand from the lines above: Mayor Alice b1+b7, Bob PP-4, write-in b3, b2
	// overvoted, b6 blank; Council Carol b1, Dave b1+5th, Erin b2, b3 blank; Proposition 1 Yes
	// b1+b6+b7, No b2; Library Board first choices Xavier b1, Yolanda b2+b8, Zoe b3.
	equalTally(t, tally(e, bs), map[string]map[string]int{
		"Mayor":         {"Alice Adams": 2, "Bob Brown": 1, "Write-in": 1, "(overvoted)": 1, "(blank)": 1},
		"City Council":  {"Carol Cruz": 1, "Dave Diaz": 2, "Erin Eng": 1, "(blank)": 1},
		"Proposition 1": {"Yes": 3, "No": 1},
		"Library Board": {"Xavier": 1, "Yolanda": 2, "Zoe (code)": 1},
	})
}

// TestHandmadeOriginal reads the same file's "original" snapshots: the 4th CVR's mark for Bob
// is then the scanner's HasIndication "unknown" in a selection with Status needs-adjudication
// (Ambiguous), and the 5th CVR's original snapshot (b5-o) marks Carol.
func TestHandmadeOriginal(t *testing.T) {
	e, bs := readPath(t, filepath.Join("testdata", "handmade.json"), Original)
	got := renderAll(e, bs)
	if got[3] != "PP-4|Precinct 2|TAB-2|B2|bs-2|Mayor: Bob Brown[amb]" {
		t.Errorf("4th ballot: %s", got[3])
	}
	if got[4] != "b5-o|Precinct 1|SCAN-0001|B1|bs-1|City Council: Carol Cruz" {
		t.Errorf("5th ballot: %s", got[4])
	}
}

// TestElectionLast reads testdata/election_last.json, written in RCTab's key order: the CVR
// array comes before Election, GpUnit and ReportingDevice, so the reader takes two passes.
// "Ranked Mayor" has no VoteVariation and its CVRs rank up to 3: IRV with 3 ranks. Ballot 1
// ranks Ann twice (ranks 1 and 2); ballot 3 has Sheriff with no selections (blank); ballot 4
// has no Ranked Mayor; ballot 5's precinct id is not a GpUnit and stays as written.
func TestElectionLast(t *testing.T) {
	e, bs := readPath(t, filepath.Join("testdata", "election_last.json"), Current)
	if e.Name != "Election-last fixture" {
		t.Errorf("election name %q", e.Name)
	}
	want := []contestSummary{
		{"contest-001", "Ranked Mayor", canvass.IRV, 3, 1, "Ann Able, Ben Baker, Cy Cole"},
		{"contest-002", "Sheriff", canvass.Plurality, 1, 1, "Pat Park, Quinn Quay"},
	}
	if got := summarize(e); !slices.Equal(got, want) {
		t.Errorf("contests:\n got %+v\nwant %+v", got, want)
	}
	equalLines(t, renderAll(e, bs), []string{
		"1|Ward 1||||Ranked Mayor: Ann Able#1, Ann Able#2, Ben Baker#3; Sheriff: Pat Park",
		"2|Ward 1||||Ranked Mayor: Ben Baker#1, Cy Cole#2; Sheriff: Quinn Quay",
		"3|Ward 2||||Ranked Mayor: Cy Cole#1; Sheriff: (blank)",
		"4|Ward 2||||Sheriff: Pat Park",
		"5|gpu-unnamed||||Ranked Mayor: Ann Able#1, Cy Cole#2, Ben Baker#3",
	})
}

// TestNISTExample1 reads example_1.xml of SP 1500-103 rendered in JSON. By hand from the XML:
// CVR 1 and 57 mark _C1CS1, CVR 2 _C1CS2, CVR 3 _C1CS1 (its second position, Position 3, has
// HasIndication "no"), CVR 4 is overvoted (two positions of _C1CS2, IsAllocable "no", Status
// overvoted), CVR 61 writes in "Donald Nolte" on _C1CS3 (CVRWriteIn). CVR 57's other
// positions have HasIndication "no" with NumberVotes 1, which are not marks. So _C1CN1 has 3
// votes, _C1CN2 1, _C1CN3 1. The contest has no Name (its Code C1 names it) and no
// VoteVariation, and no CVR ranks: plurality, vote for 1.
func TestNISTExample1(t *testing.T) {
	e, bs := readPath(t, filepath.Join("testdata", "nist_example_1.json"), Current)
	want := []contestSummary{{"_C1", "C1", canvass.Plurality, 1, 1, "_C1CN1, _C1CN2, _C1CN3"}}
	if got := summarize(e); !slices.Equal(got, want) {
		t.Errorf("contests:\n got %+v\nwant %+v", got, want)
	}
	equalLines(t, renderAll(e, bs), []string{
		"1||||bs1|C1: _C1CN1",
		"2||||bs1|C1: _C1CN2",
		"3||||bs1|C1: _C1CN1",
		"4||||bs1|C1 (overvoted): _C1CN2[nc], _C1CN2[nc]",
		"61||||bs1|C1: _C1CN3[wi]",
		"57||||bs1|C1: _C1CN1",
	})
	equalTally(t, tally(e, bs), map[string]map[string]int{
		"C1": {"_C1CN1": 3, "_C1CN2": 1, "_C1CN3": 1, "(overvoted)": 1},
	})
}

// nonSeeker hides the Seek method of a reader.
type nonSeeker struct{ r io.Reader }

func (n nonSeeker) Read(p []byte) (int, error) { return n.r.Read(p) }

// TestPathsAgree reads the same ballots through every path: definitions first or last,
// seekable or not (a temporary copy), and checks they give the same ballots and that the
// temporary copy is gone after Close.
func TestPathsAgree(t *testing.T) {
	first := synthetic(t, 600, 7, false)
	last := synthetic(t, 600, 7, true)
	var want []string
	for _, tc := range []struct {
		name     string
		data     []byte
		seekable bool
	}{
		{"first-seekable", first, true},
		{"first-stream", first, false},
		{"last-seekable", last, true},
		{"last-stream", last, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in io.Reader = bytes.NewReader(tc.data)
			if !tc.seekable {
				in = nonSeeker{in}
			}
			r, err := NewReader(in, tc.name, cvr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tmp := r.tmp
			got := renderAll(r.Election(), readAll(t, r))
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if tmp != nil {
				if _, err := os.Stat(tmp.Name()); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("temporary copy %s still there after Close (%v)", tmp.Name(), err)
				}
			}
			if (tmp != nil) != (tc.name == "last-stream") {
				t.Errorf("temporary copy used: %v", tmp != nil)
			}
			if len(got) != 600 {
				t.Fatalf("%d ballots, want 600", len(got))
			}
			if want == nil {
				want = got
			} else {
				equalLines(t, got, want)
			}
		})
	}
}

// TestProgress checks that Options.Progress receives exactly the file's size, in one pass and
// in two.
func TestProgress(t *testing.T) {
	for _, name := range []string{"handmade.json", "election_last.json", "nist_example_1.json"} {
		path := filepath.Join("testdata", name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		r, err := Open(path, cvr.Options{Progress: func(n int64) {
			if n <= 0 {
				t.Errorf("%s: progress(%d)", name, n)
			}
			sum += n
		}})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, r)
		r.Close()
		if sum != fi.Size() {
			t.Errorf("%s: progress summed to %d, file has %d bytes", name, sum, fi.Size())
		}
	}
}

// TestRegistry checks sniffing and opening through package cvr.
func TestRegistry(t *testing.T) {
	for _, tc := range []struct {
		path string
		want string
	}{
		{filepath.Join("testdata", "handmade.json"), "cdf"},
		{filepath.Join("testdata", "election_last.json"), "cdf"},
		{filepath.Join("..", "..", "testdata", "cvr", "rctab", "test_set_8_multi_cdf", "test_set_8_multi_cdf_cvr_1.json"), "cdf"},
	} {
		got, err := cvr.Sniff(tc.path)
		if err != nil || got != tc.want {
			t.Errorf("Sniff(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	for _, path := range []string{
		filepath.Join("..", "..", "testdata", "cvr", "dominion-kuriwaki", "CvrExport_42.json"),
		filepath.Join("..", "..", "testdata", "cvr", "nist-cdf", "example_1.xml"),
		filepath.Join("..", "..", "testdata", "cvr", "rctab", "test_set_8_multi_cdf", "test_set_8_multi_cdf_config.json"),
	} {
		head, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if Sniff(path, head[:min(len(head), 4096)]) {
			t.Errorf("Sniff(%s) = true", path)
		}
	}
	r, err := cvr.Open(filepath.Join("testdata", "handmade.json"), "auto", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		if _, err := r.Next(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		n++
		if file, rec := r.Where(); rec != int64(n) || !strings.HasSuffix(file, "handmade.json") {
			t.Errorf("Where() = %s, %d after ballot %d", file, rec, n)
		}
	}
	if n != 8 {
		t.Errorf("%d ballots, want 8", n)
	}
}

// TestAllocations checks that memory is flat in the number of ballots: reading 2,000 more
// ballots costs at most one allocation each (the ballot id string).
func TestAllocations(t *testing.T) {
	small, large := synthetic(t, 2000, 5, false), synthetic(t, 4000, 5, false)
	count := func(data []byte) float64 {
		return testing.AllocsPerRun(3, func() {
			r, err := NewReader(bytes.NewReader(data), "synthetic", cvr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					if err != io.EOF {
						t.Fatal(err)
					}
					break
				}
			}
		})
	}
	a, b := count(small), count(large)
	if per := (b - a) / 2000; per > 1.01 {
		t.Errorf("%.2f allocations per ballot (%.0f for 2,000 ballots, %.0f for 4,000)", per, a, b)
	}
}

// TestDefinitionVariants edits handmade.json's definitions and checks the contest mapping.
func TestDefinitionVariants(t *testing.T) {
	hand := mustRead(t, filepath.Join("testdata", "handmade.json"))
	mayor := `"Name": "Mayor", "VoteVariation": "plurality", "VotesAllowed": 1, "NumberElected": 1,`
	council := `"Name": "City Council", "VoteVariation": "n-of-m", "VotesAllowed": 2, "NumberElected": 2,`
	board := `"Name": "Library Board", "VoteVariation": "rcv", "VotesAllowed": 3, "NumberElected": 1,`
	for _, tc := range []struct {
		name      string
		old, new  string
		contest   int
		want      contestSummary
		wantFirst string // the Name of contest 0, when it changes
	}{
		{"approval", council, `"Name": "City Council", "VoteVariation": "approval", "NumberElected": 2,`,
			1, contestSummary{"c-council", "City Council", canvass.Approval, 3, 2, "Carol Cruz, Dave Diaz, Erin Eng"}, ""},
		{"super-majority", mayor, `"Name": "Mayor", "VoteVariation": "super-majority",`,
			0, contestSummary{"c-mayor", "Mayor", canvass.Supermajority, 1, 1, "Alice Adams/Democratic, Bob Brown/REP, Write-in/W"}, ""},
		{"rcv with two seats is STV", board, `"Name": "Library Board", "VoteVariation": "rcv", "NumberElected": 2,`,
			3, contestSummary{"c-rcv", "Library Board", canvass.STV, 3, 2, "Xavier, Yolanda, Zoe (code)"}, ""},
		{"other: irv", board, `"Name": "Library Board", "VoteVariation": "other", "OtherVoteVariation": "IRV", "VotesAllowed": 2,`,
			3, contestSummary{"c-rcv", "Library Board", canvass.IRV, 2, 1, "Xavier, Yolanda, Zoe (code)"}, ""},
		{"primary contests share a name", council, `"Name": "Mayor", "PrimaryPartyId": "p-d", "VoteVariation": "n-of-m", "VotesAllowed": 2, "NumberElected": 2,`,
			1, contestSummary{"c-council", "Mayor (Democratic)", canvass.Plurality, 2, 2, "Carol Cruz, Dave Diaz, Erin Eng"}, "Mayor"},
		{"two contests share a name", council, `"Name": "MAYOR ", "VoteVariation": "n-of-m", "VotesAllowed": 2, "NumberElected": 2,`,
			1, contestSummary{"c-council", "MAYOR  (c-council)", canvass.Plurality, 2, 2, "Carol Cruz, Dave Diaz, Erin Eng"}, "Mayor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, hand, tc.old, tc.new)
			r, err := NewReader(bytes.NewReader(data), tc.name, cvr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := summarize(r.Election())
			if got[tc.contest] != tc.want {
				t.Errorf("got %+v\nwant %+v", got[tc.contest], tc.want)
			}
			if tc.wantFirst != "" && got[0].name != tc.wantFirst {
				t.Errorf("contest 0 named %q, want %q", got[0].name, tc.wantFirst)
			}
			if err := r.Election().Validate(); err != nil {
				t.Error(err)
			}
			if n := len(readAll(t, r)); n != 8 {
				t.Errorf("%d ballots, want 8", n)
			}
		})
	}
}

// TestByteOrderMark reads handmade.json behind a UTF-8 byte order mark, which Windows tools
// write: the same ballots, and progress still sums to the input's size.
func TestByteOrderMark(t *testing.T) {
	hand := mustRead(t, filepath.Join("testdata", "handmade.json"))
	bom := append([]byte{0xEF, 0xBB, 0xBF}, hand...)
	if !Sniff("bom.json", bom) {
		t.Error("Sniff refuses a byte order mark")
	}
	want := renderAll(readPath(t, filepath.Join("testdata", "handmade.json"), Current))
	for _, seekable := range []bool{true, false} {
		var in io.Reader = bytes.NewReader(bom)
		if !seekable {
			in = nonSeeker{in}
		}
		var sum int64
		r, err := NewReader(in, "bom.json", cvr.Options{Progress: func(n int64) { sum += n }})
		if err != nil {
			t.Fatal(err)
		}
		equalLines(t, renderAll(r.Election(), readAll(t, r)), want)
		r.Close()
		if sum != int64(len(bom)) {
			t.Errorf("seekable=%v: progress %d, want %d", seekable, sum, len(bom))
		}
	}
}

// TestRanksInferred covers contests without VoteVariation when the definitions come first:
// the reader scans the first CVRs for ranks, then streams from the start of the array.
func TestRanksInferred(t *testing.T) {
	hand := mustRead(t, filepath.Join("testdata", "handmade.json"))
	want := renderAll(readPath(t, filepath.Join("testdata", "handmade.json"), Current))
	undeclared := edit(t, hand, `"VoteVariation": "rcv", `, ``)
	for _, seekable := range []bool{true, false} {
		var in io.Reader = bytes.NewReader(undeclared)
		if !seekable {
			in = nonSeeker{in}
		}
		var sum int64
		r, err := NewReader(in, "undeclared.json", cvr.Options{Progress: func(n int64) { sum += n }})
		if err != nil {
			t.Fatal(err)
		}
		if c := r.Election().Contests[3]; c.Type != canvass.IRV || c.VoteFor != 3 {
			t.Errorf("seekable=%v: Library Board %s vote-for %d, want irv 3 (b1 ranks 3 choices)", seekable, c.Type, c.VoteFor)
		}
		equalLines(t, renderAll(r.Election(), readAll(t, r)), want)
		r.Close()
		if sum != int64(len(undeclared)) {
			t.Errorf("seekable=%v: progress %d, want %d", seekable, sum, len(undeclared))
		}
	}

	// A contest without VoteVariation whose CVRs rank only 1 until CVR `at`, which ranks 2.
	report := func(at int) []byte {
		var b strings.Builder
		b.WriteString(`{"@type":"CVR.CastVoteRecordReport","GpUnit":[],"ReportingDevice":[],"Election":[{"@id":"e","Contest":[{"@id":"c","Name":"Q","ContestSelection":[{"@id":"s1"},{"@id":"s2"}]}]}],"CVR":[`)
		for i := 1; i <= decideAfter+2; i++ {
			if i > 1 {
				b.WriteString(",")
			}
			b.WriteString(`{"CVRSnapshot":[{"@id":"x","Type":"original","CVRContest":[{"ContestId":"c","CVRContestSelection":[{"ContestSelectionId":"s1","SelectionPosition":[{"HasIndication":"yes","NumberVotes":1,"Rank":1}]}`)
			if i == at {
				b.WriteString(`,{"ContestSelectionId":"s2","SelectionPosition":[{"HasIndication":"yes","NumberVotes":1,"Rank":2}]}`)
			}
			b.WriteString(`]}]}]}`)
		}
		b.WriteString(`]}`)
		return []byte(b.String())
	}
	// Rank 2 on CVR 1,000: within what the scan reads, so the contest is ranked.
	r, err := NewReader(bytes.NewReader(report(decideAfter)), "late.json", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Election().Contests[0]; c.Type != canvass.IRV {
		t.Errorf("contest ranked on CVR %d: %s, want irv", decideAfter, c.Type)
	}
	if n := len(readAll(t, r)); n != decideAfter+2 {
		t.Errorf("%d ballots", n)
	}
	// Rank 2 first on CVR 1,002: the contest was read as unranked, and that CVR is refused with
	// an error that says what to do.
	err = readErr(report(decideAfter+2), "late.json", true)
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.Record != decideAfter+2 || pe.Field != fieldRank || !strings.Contains(err.Error(), `give it VoteVariation "rcv"`) {
		t.Errorf("got %v", err)
	}
}
