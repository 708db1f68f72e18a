package cdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctabShared is RCTab's regression suite copied into the repository's testdata (see testdata/README.md)
// (Mozilla Public License 2.0; see its README).
var rctabShared = filepath.Join("..", "..", "testdata", "rcv", "rctab")

// readXML opens path with OpenXML and reads it whole.
func readXML(t testing.TB, path string) (*canvass.Election, []*canvass.Ballot) {
	t.Helper()
	r, err := OpenXML(path, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*canvass.Ballot
	for {
		b, err := r.Next()
		if err == io.EOF {
			return r.Election(), out
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(out)+1, err)
		}
		if _, rec := r.Where(); rec != int64(len(out)+1) {
			t.Fatalf("Where() = %d after ballot %d", rec, len(out)+1)
		}
		out = append(out, b.Clone())
	}
}

// TestXMLNISTExample1 reads the NIST example_1.xml, whose JSON counterpart nist_example_1.json
// TestNISTExample1 checks by hand: the same lines must come out of both encodings.
func TestXMLNISTExample1(t *testing.T) {
	e, bs := readXML(t, filepath.Join("..", "..", "testdata", "cvr", "nist-cdf", "example_1.xml"))
	want := []contestSummary{{"_C1", "C1", canvass.Plurality, 1, 1, "_C1CN1, _C1CN2, _C1CN3"}}
	if got := summarize(e); len(got) != 1 || got[0] != want[0] {
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
	je, jbs := readPath(t, filepath.Join("testdata", "nist_example_1.json"), Current)
	equalLines(t, renderAll(e, bs), renderAll(je, jbs))
}

// TestXMLRCTabNIST2 reads RCTab's nist_xml_cdf_2 case (prefix cdf:, ObjectId attributes). By
// hand from the file:
//   - CVR 1 has no UniqueId: its id is its snapshot's, css-01. In _1GO it marks a write-in
//     ("John Smith") with no ContestSelectionId, HasIndication yes, Status
//     needs-adjudication: a mark on the contest's added write-in choice, ambiguous. In _5TS
//     it marks _CS1ECP and _CS1EJM, both IsAllocable no, Overvotes 1. Its 23 other contests
//     are blank.
//   - CVR 2's current snapshot css-02 (original) marks _CS1FMZ in _6RC, IsAllocable unknown;
//     the interpreted css-03 (HasIndication no) is not read.
//
// RCTab's report for the governor contest counts 1 ballot (only CVR 1 has _1GO) and no vote:
// it skips selections that need adjudication; canvass keeps the mark, flagged ambiguous.
func TestXMLRCTabNIST2(t *testing.T) {
	e, bs := readXML(t, filepath.Join(rctabShared, "nist_xml_cdf_2", "nist_xml_cdf_2.xml"))
	if len(bs) != 2 || len(e.Contests) != 25 {
		t.Fatalf("%d ballots, %d contests; want 2, 25", len(bs), len(e.Contests))
	}
	gov := e.ContestByName("For Governor and Lieutenant Governor")
	if gov == nil || gov.Type != canvass.Plurality || gov.VoteFor != 1 {
		t.Fatalf("governor contest: %+v", gov)
	}
	got := summarize(&canvass.Election{Contests: []*canvass.Contest{gov}})[0].choices
	if want := "Edward FitzGerald and Sharen Swartz Neuhardt/Democratic, John Kasich and  Mary Taylor/Republican, Anita Rios and Bob Fitrakis/Green, Write-in/W"; got != want {
		t.Errorf("governor choices:\n got %s\nwant %s", got, want)
	}
	lines := renderAll(e, bs)
	if !strings.HasPrefix(lines[0], "css-01||||_01-0052-01|For Governor and Lieutenant Governor: Write-in[amb,wi]; For Attorney General: (blank);") ||
		!strings.Contains(lines[0], "For Treasurer of State (overvoted): Connie Pillich/Democratic[nc], Josh Mandel/Republican[nc];") &&
			!strings.Contains(lines[0], "For Treasurer of State (overvoted): Connie Pillich[nc], Josh Mandel[nc];") {
		t.Errorf("CVR 1: %s", lines[0])
	}
	if n := strings.Count(lines[0], "(blank)"); n != 23 {
		t.Errorf("CVR 1 has %d blank contests, want 23", n)
	}
	if lines[1] != "css-02||||_01-0052-01|For  Representative to Congress(11th District): "+e.Contests[5].Choices[0].Name {
		t.Errorf("CVR 2: %s", lines[1])
	}
	if e.Contests[5].Choices[0].ID != "_CS1FMZ" {
		t.Errorf("_6RC's first choice is %s", e.Contests[5].Choices[0].ID)
	}
	if n := countContest(e, bs, "For Governor and Lieutenant Governor"); n != 1 {
		t.Errorf("%d ballots have the governor contest, RCTab counts 1", n)
	}
}

func countContest(e *canvass.Election, bs []*canvass.Ballot, name string) int {
	n := 0
	for _, b := range bs {
		for _, cm := range b.Contests {
			if e.Contests[cm.Contest].Name == name {
				n++
			}
		}
	}
	return n
}

// TestXMLRCTabUnisyn reads the Unisyn export that RCTab's six unisyn_xml_cdf_* cases tabulate
// (no VoteVariation, VotesAllowed 1, ranks on SelectionPosition): 35 CVRs. For each case the
// contest its config names is ranked (inferred), and the first choices (the mark of lowest
// rank) match round 1 of RCTab's expected report, write-in lines counting as its
// "Undeclared Write-ins". The first CVR (UniqueId 2526, BallotStyleUnitId PREC_01000 →
// "Precinct 1", CreatingDeviceId UNIOVS210) ranks CONS_117_135 then CONS_117_128 in CON_117.
func TestXMLRCTabUnisyn(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join(rctabShared, "unisyn_xml_cdf_*"))
	if err != nil || len(cases) != 6 {
		t.Fatalf("%d unisyn cases (%v)", len(cases), err)
	}
	e, bs := readXML(t, filepath.Join(rctabShared, "unisyn_cvrs", "101-RCV-CVT_TEST_3_UNIOVS2103-2.xml"))
	if len(bs) != 35 {
		t.Fatalf("%d ballots, want 35", len(bs))
	}
	b := bs[0]
	if b.ID != "2526" || b.Precinct != "Precinct 1" || b.Tabulator != "UNIOVS210" || b.BallotType != "1" {
		t.Errorf("CVR 1: %+v", b)
	}
	cm := b.Contests[0]
	c := e.Contests[cm.Contest]
	if c.ID != "CON_117" || len(cm.Marks) != 2 || c.Choices[cm.Marks[0].Choice].ID != "CONS_117_135" || cm.Marks[0].Rank != 1 ||
		c.Choices[cm.Marks[1].Choice].ID != "CONS_117_128" || cm.Marks[1].Rank != 2 {
		t.Errorf("CVR 1, first contest %s: %+v", c.ID, cm)
	}
	for _, dir := range cases {
		name := filepath.Base(dir)
		var cfg struct {
			CvrFileSources []struct {
				ContestID string `json:"contestId"`
			} `json:"cvrFileSources"`
		}
		data, err := os.ReadFile(filepath.Join(dir, name+"_config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			t.Fatal(err)
		}
		c := e.ContestByName(cfg.CvrFileSources[0].ContestID)
		if c == nil || c.Type != canvass.IRV || c.VoteFor < 2 {
			t.Errorf("%s: contest %q: %+v", name, cfg.CvrFileSources[0].ContestID, c)
			continue
		}
		got := map[string]int{}
		for k, v := range tally(e, bs)[c.Name] {
			if ch := c.ChoiceByName(k); ch >= 0 && c.Choices[ch].WriteIn {
				k = "Undeclared Write-ins"
			}
			if k != "(blank)" && k != "(none)" {
				got[k] += v
			}
		}
		sameCounts(t, name, got, roundTally(t, filepath.Join(dir, name+"_expected_detailed_report.json"), 1))
	}
}

// TestXMLSniff checks that the registry tells the XML encoding from the JSON one.
func TestXMLSniff(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{filepath.Join("..", "..", "testdata", "cvr", "nist-cdf", "example_1.xml"), XMLFormatName},
		{filepath.Join(rctabShared, "nist_xml_cdf_2", "nist_xml_cdf_2.xml"), XMLFormatName},
		{filepath.Join(rctabShared, "unisyn_cvrs", "797-GEN-OVCS_Sess_3_Combined_UVSOVS22516.xml"), XMLFormatName},
		{filepath.Join("testdata", "handmade.json"), FormatName},
	} {
		if got, err := cvr.Sniff(tc.path); err != nil || got != tc.want {
			t.Errorf("Sniff(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	for _, head := range []string{`<?xml version="1.0"?><ElectionReport/>`, `{"CastVoteRecordReport": 1}`, `<a b="CastVoteRecordReport"/>`} {
		if SniffXML("x", []byte(head)) {
			t.Errorf("SniffXML(%s) = true", head)
		}
	}
	r, err := cvr.Open(filepath.Join(rctabShared, "unisyn_cvrs", "797-GEN-OVCS_Sess_3_Combined_UVSOVS22516.xml"), "auto", cvr.Options{})
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
	}
	if n != 7 { // grep -c '<CVR>' of the file
		t.Errorf("%d ballots, want 7", n)
	}
}

// smallXML is a report in the current namespace with one ranked contest and two CVRs.
const smallXML = `<?xml version="1.0" encoding="UTF-8"?>
<CastVoteRecordReport xmlns="http://itl.nist.gov/ns/voting/1500-103/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<CVR><CurrentSnapshotId>s1</CurrentSnapshotId>
<CVRSnapshot ObjectId="s1"><CVRContest><ContestId>c1</ContestId>
<CVRContestSelection><ContestSelectionId>cs1</ContestSelectionId><SelectionPosition><HasIndication>yes</HasIndication><NumberVotes>1</NumberVotes><Rank>2</Rank></SelectionPosition></CVRContestSelection>
<CVRContestSelection><ContestSelectionId>cs2</ContestSelectionId><SelectionPosition><HasIndication>yes</HasIndication><NumberVotes>1</NumberVotes><Rank>1</Rank></SelectionPosition></CVRContestSelection>
</CVRContest><Type>original</Type></CVRSnapshot><UniqueId>b1</UniqueId></CVR>
<CVR><CVRSnapshot ObjectId="s2"><CVRContest><ContestId>c1</ContestId>
<CVRContestSelection><ContestSelectionId>cs1</ContestSelectionId><Rank>1</Rank><SelectionPosition><HasIndication>yes</HasIndication><NumberVotes>1</NumberVotes></SelectionPosition></CVRContestSelection>
</CVRContest><Type>original</Type></CVRSnapshot><BallotStyleUnitId>p1</BallotStyleUnitId><UniqueId>b2</UniqueId></CVR>
<Election ObjectId="e1">
<Candidate ObjectId="k1"><Name>Alice</Name></Candidate><Candidate ObjectId="k2"><Name>Bob</Name></Candidate>
<Contest xsi:type="CandidateContest" ObjectId="c1"><ContestSelection xsi:type="CandidateSelection" ObjectId="cs1"><CandidateIds>k1</CandidateIds></ContestSelection><ContestSelection xsi:type="CandidateSelection" ObjectId="cs2"><CandidateIds>k2</CandidateIds></ContestSelection><Name>Mayor</Name><VoteVariation>rcv</VoteVariation></Contest>
<ElectionScopeId>p1</ElectionScopeId></Election>
<GpUnit ObjectId="p1"><Name>Ward 1</Name><Type>precinct</Type></GpUnit>
</CastVoteRecordReport>
`

// TestXMLSmall checks smallXML by hand: b1 ranks Bob 1, Alice 2 (ranks on
// SelectionPosition); b2 ranks Alice 1 (rank on CVRContestSelection), precinct Ward 1.
func TestXMLSmall(t *testing.T) {
	r, err := NewXMLReader(strings.NewReader(smallXML), "small.xml", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, render(r.Election(), b))
	}
	equalLines(t, lines, []string{"b1|||||Mayor: Alice#2, Bob#1", "b2|Ward 1||||Mayor: Alice#1"})
	if r.Election().Name != "Ward 1" || r.Election().Contests[0].Type != canvass.IRV || r.Election().Contests[0].VoteFor != 2 {
		t.Errorf("election: %+v %+v", r.Election(), r.Election().Contests[0])
	}
}

// TestXMLBadInput checks that bad input gives a *canvass.ParseError naming the file, the CVR
// (0 for the definitions), the line and the element, wrapping the right sentinel.
func TestXMLBadInput(t *testing.T) {
	small := []byte(smallXML)
	ed := func(old, new string) []byte { return edit(t, small, old, new) }
	for _, tc := range []struct {
		name   string
		data   []byte
		want   error
		record int64
		line   int64
		field  string
		msg    string
	}{
		{"empty", nil, canvass.ErrWrongFormat, 0, 0, "", "no XML element"},
		{"JSON", mustRead(t, filepath.Join("testdata", "handmade.json")), canvass.ErrWrongFormat, 0, 0, "", "no XML element"},
		{"other root", []byte(`<ElectionReport/>`), canvass.ErrWrongFormat, 0, 0, "", "<ElectionReport>"},
		{"truncated", small[:len(small)/2], canvass.ErrTruncated, 2, 9, "-", ""},
		{"bad rank", ed("<Rank>2</Rank>", "<Rank>two</Rank>"), canvass.ErrNotNumber, 1, 5, fieldPos + ".Rank", `"two"`},
		{"unknown contest", ed("<ContestId>c1</ContestId>\n<CVRContestSelection><ContestSelectionId>cs1</ContestSelectionId><Rank>", "<ContestId>c9</ContestId>\n<CVRContestSelection><ContestSelectionId>cs1</ContestSelectionId><Rank>"), canvass.ErrUnknownContest, 2, 0, fieldContestID, `"c9"`},
		{"unknown selection", ed("<ContestSelectionId>cs2</ContestSelectionId><SelectionPosition>", "<ContestSelectionId>cs7</ContestSelectionId><SelectionPosition>"), canvass.ErrUnknownChoice, 1, 0, fieldSelection, `"cs7"`},
		{"no Election", ed(`<Election ObjectId="e1">`, `<Elections ObjectId="e1">`), canvass.ErrSyntax, 0, 0, "", ""},
		{"Election missing", bytes.Replace(small, []byte("Election"), []byte("Elektion"), -1), canvass.ErrMissingField, 0, 0, "Election", ""},
		{"contest without id", ed(`ObjectId="c1"`, `Id="c1"`), canvass.ErrMissingField, 0, 0, "Election[].Contest[].ObjectId", ""},
		{"bad vote variation", ed("<VoteVariation>rcv</VoteVariation>", "<VoteVariation>borda</VoteVariation>"), nil, 0, 0, "Election[].Contest[].VoteVariation", "borda"},
		{"text with element", ed("<UniqueId>b1</UniqueId>", "<UniqueId><b/>b1</UniqueId>"), nil, 1, 0, "CVR[].UniqueId", "expected text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewXMLReader(bytes.NewReader(tc.data), "bad.xml", cvr.Options{})
			if err == nil {
				for err == nil {
					_, err = r.Next()
				}
				if err == io.EOF {
					t.Fatal("no error")
				}
			}
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v (%T) is not a ParseError", err, err)
			}
			if pe.File != "bad.xml" || pe.Format != XMLFormatName || pe.Record != tc.record || pe.Field != tc.field && tc.field != "-" {
				t.Errorf("got file %q format %q record %d field %q; want record %d field %q (%v)", pe.File, pe.Format, pe.Record, pe.Field, tc.record, tc.field, err)
			}
			if tc.line != 0 && pe.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tc.line, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%v does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v does not say %q", err, tc.msg)
			}
		})
	}
}

// FuzzCDFXML feeds arbitrary bytes to the XML reader: it must never panic, every error must be
// a *canvass.ParseError, and every ballot must refer to the Election's contests and choices.
// Seeds: smallXML and NIST's example_1.xml (RCTab's 39 KB nist_xml_cdf_2.xml is left to the
// unit tests: minimizing the inputs grown from it slows the fuzzer to a crawl).
func FuzzCDFXML(f *testing.F) {
	f.Add([]byte(smallXML))
	for _, s := range []string{
		filepath.Join("..", "..", "testdata", "cvr", "nist-cdf", "example_1.xml"),
	} {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewXMLReader(bytes.NewReader(data), "fuzz.xml", cvr.Options{})
		if err != nil {
			var pe *canvass.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("open: %v (%T) is not a ParseError", err, err)
			}
			return
		}
		defer r.Close()
		e := r.Election()
		for n := 0; n < 10000; n++ {
			b, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *canvass.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("record %d: %v (%T) is not a ParseError", n+1, err, err)
				}
				return
			}
			for _, cm := range b.Contests {
				if int(cm.Contest) >= len(e.Contests) {
					t.Fatalf("contest index %d of %d", cm.Contest, len(e.Contests))
				}
				for _, m := range cm.Marks {
					if m.Choice < 0 || int(m.Choice) >= len(e.Contests[cm.Contest].Choices) {
						t.Fatalf("choice index %d", m.Choice)
					}
				}
			}
		}
	})
}
