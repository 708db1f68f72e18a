package csvcvr

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/tabulate"
)

const generalCSV = "testdata/general.csv"

// readAll reads every ballot of r, cloned.
func readAll(t testing.TB, r cvr.Reader) []*canvass.Ballot {
	t.Helper()
	var out []*canvass.Ballot
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Clone())
	}
}

func openBytes(t testing.TB, data []byte, name string) *Reader {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), name, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantContest is a contest's definition and its tally, worked out by hand.
type wantContest struct {
	typ            canvass.ContestType
	voteFor, seats int
	threshold      canvass.Threshold
	choices        []string // in header order
	writeIn        []bool
	ballots        int64
	under, over    int64
	blank          int64
	votes          map[string]int64
	winners        []string
}

// TestGeneral reads testdata/general.csv (10 ballots, 5 contests) and checks the definitions
// and the tally against counts worked out by hand from the file, one ballot at a time:
//
//	President (vote for 1): Alice 1-1-1, 1-1-3 (A), 2-2-3, 2-2-5 (" 1") = 4; Bob 1-1-2, 2-2-2,
//	  2-2-4 (Alice n: not counted) = 3; Write-in 1-1-5 = 1; 1-1-4 overvoted (O, O); 2-2-1 blank.
//	  10 ballots × 1 = 8 votes + 1 undervote + 1 overvote.
//	Council (vote for 2): Cy 1-1-1, 1-1-2, 2-2-1, 2-2-3, 2-2-5 = 5; Di 1-1-1, 2-2-3, 2-2-4 = 3
//	  (2-2-1 has Di N); Ed 1-1-5 = 1; Write-in 1-1-5, 2-2-5 = 2. Overvoted: 1-1-3 (O, O, O) and
//	  1-1-4 (three 1s) = 2 ballots, 4 overvotes. Undervotes 1-1-2, 2-2-1, 2-2-4 one each and
//	  2-2-2 (blank) two = 5. 10 × 2 = 11 + 5 + 4.
//	Parks Board (approval, seats 2; vote for = 3 choices): not on 1-1-5, so 9 ballots. Gil 1-1-1,
//	  1-1-4, 2-2-2, 2-2-4 = 4; Hal 1-1-1, 1-1-4, 2-2-1, 2-2-2, 2-2-5 = 5; Ivy 1-1-2, 1-1-4, 2-2-3,
//	  2-2-4, 2-2-5 = 5; 1-1-3 blank. 9 × 3 = 27 = 14 votes + 13 undervotes. Winners Hal, Ivy.
//	Measure A (2/3): not on 1-1-5, 9 ballots. Yes 5 (1-1-1, 1-1-3, 1-1-4, 2-2-1, 2-2-3), No 3
//	  (1-1-2, 2-2-2, 2-2-4), 2-2-5 blank. 5/8 < 2/3 (15 < 16): No.
//	Mayor (ranked 3; tabulate counts first choices): not on 1-1-5, 9 ballots. Jo 1-1-1, 2-2-1
//	  (1A), 2-2-5 = 3; Kim 1-1-2, 2-2-3 = 2; Lu 1-1-3 = 1; Max Moe (write-in) 1-1-4 = 1.
//	  Overvoted: 2-2-2 (Jo and Kim both 1) and 2-2-4 (O) = 2.
func TestGeneral(t *testing.T) {
	r, err := Open(generalCSV, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	el := r.Election()
	if err := el.Validate(); err != nil {
		t.Fatal(err)
	}
	ballots := readAll(t, r)
	if len(ballots) != 10 {
		t.Fatalf("read %d ballots, want 10", len(ballots))
	}
	want := map[string]wantContest{
		"President": {
			typ: canvass.Plurality, voteFor: 1, seats: 1,
			choices: []string{"Alice Adams", "Bob Brown", "Write-in"}, writeIn: []bool{false, false, true},
			ballots: 10, under: 1, over: 1, blank: 1,
			votes:   map[string]int64{"Alice Adams": 4, "Bob Brown": 3, "Write-in": 1},
			winners: []string{"Alice Adams"},
		},
		"Council": {
			typ: canvass.Plurality, voteFor: 2, seats: 2,
			choices: []string{"Cy Cole", "Di Dunn", "Ed Eng", "Write-in"}, writeIn: []bool{false, false, false, true},
			ballots: 10, under: 5, over: 4, blank: 1,
			votes:   map[string]int64{"Cy Cole": 5, "Di Dunn": 3, "Ed Eng": 1, "Write-in": 2},
			winners: []string{"Cy Cole", "Di Dunn"},
		},
		"Parks Board": {
			typ: canvass.Approval, voteFor: 3, seats: 2,
			choices: []string{"Gil Gray", "Hal Hunt", "Ivy Ito"}, writeIn: []bool{false, false, false},
			ballots: 9, under: 13, over: 0, blank: 1,
			votes:   map[string]int64{"Gil Gray": 4, "Hal Hunt": 5, "Ivy Ito": 5},
			winners: []string{"Hal Hunt", "Ivy Ito"},
		},
		"Measure A": {
			typ: canvass.Supermajority, voteFor: 1, seats: 1, threshold: canvass.Threshold{Num: 2, Den: 3},
			choices: []string{"Yes", "No"}, writeIn: []bool{false, false},
			ballots: 9, under: 1, over: 0, blank: 1,
			votes:   map[string]int64{"Yes": 5, "No": 3},
			winners: []string{"No"},
		},
		"Mayor": {
			typ: canvass.IRV, voteFor: 3, seats: 1,
			choices: []string{"Jo Jones", "Kim Kay", "Lu Lee", "Max Moe (write-in)"}, writeIn: []bool{false, false, false, true},
			ballots: 9, under: 0, over: 2, blank: 0,
			votes: map[string]int64{"Jo Jones": 3, "Kim Kay": 2, "Lu Lee": 1, "Max Moe (write-in)": 1},
		},
	}
	order := []string{"President", "Council", "Parks Board", "Measure A", "Mayor"}
	if len(el.Contests) != len(order) {
		t.Fatalf("%d contests, want %d", len(el.Contests), len(order))
	}
	tally := tabulate.New(el)
	for _, b := range ballots {
		tally.Add(b, "")
	}
	res := tally.Result()
	for i, name := range order {
		c, w := el.Contests[i], want[name]
		if c.Name != name || c.Type != w.typ || c.VoteFor != w.voteFor || c.Seats != w.seats || c.Threshold != w.threshold {
			t.Errorf("contest %d = %q %s vote for %d seats %d threshold %v; want %q %s %d %d %v",
				i, c.Name, c.Type, c.VoteFor, c.Seats, c.Threshold, name, w.typ, w.voteFor, w.seats, w.threshold)
		}
		var names []string
		var wi []bool
		for _, ch := range c.Choices {
			names = append(names, ch.Name)
			wi = append(wi, ch.WriteIn)
		}
		if !slices.Equal(names, w.choices) || !slices.Equal(wi, w.writeIn) {
			t.Errorf("%s: choices %q write-in %v, want %q %v", name, names, wi, w.choices, w.writeIn)
		}
		cr := res.Contests[i]
		if cr.Ballots != w.ballots || cr.Undervotes != w.under || cr.Overvotes != w.over || cr.Blank != w.blank {
			t.Errorf("%s: ballots %d under %d over %d blank %d; want %d %d %d %d",
				name, cr.Ballots, cr.Undervotes, cr.Overvotes, cr.Blank, w.ballots, w.under, w.over, w.blank)
		}
		got := map[string]int64{}
		for _, cv := range cr.Choices {
			got[cv.Name] = cv.Votes
		}
		if !reflect.DeepEqual(got, w.votes) {
			t.Errorf("%s: votes %v, want %v", name, got, w.votes)
		}
		if w.winners != nil && !slices.Equal(cr.Winners, w.winners) {
			t.Errorf("%s: winners %q, want %q", name, cr.Winners, w.winners)
		}
	}

	// Ballot by ballot: metadata, which contests are on the ballot, flags and rank order.
	type M = canvass.Mark
	const (
		president, council, parks, measure, mayor = 0, 1, 2, 3, 4
		nc, amb, wim                              = canvass.NotCounted, canvass.Ambiguous, canvass.WriteInMark
	)
	b1 := ballots[0]
	if b1.ID != "1-1-1" || b1.Precinct != "Ward 1, North" || b1.BallotType != "Style A" || b1.Tabulator != "T1" || b1.Batch != "1" || b1.CountingGroup != "Election Day" {
		t.Errorf("ballot 1 metadata %+v", *b1)
	}
	checks := []struct {
		ballot    int // 1-based
		contest   int32
		marks     []canvass.Mark
		overvoted bool
	}{
		{1, mayor, []M{{Choice: 0, Rank: 1}, {Choice: 1, Rank: 2}, {Choice: 2, Rank: 3}}, false},
		{3, president, []M{{Choice: 0, Flags: amb}}, false},
		{3, council, []M{{Choice: 0, Flags: nc}, {Choice: 1, Flags: nc}, {Choice: 2, Flags: nc}}, true},
		{3, parks, nil, false}, // on the ballot (cells 0), blank
		{4, president, []M{{Choice: 0, Flags: nc}, {Choice: 1, Flags: nc}}, true},
		{4, council, []M{{Choice: 1}, {Choice: 2}, {Choice: 3, Flags: wim}}, false},
		{4, mayor, []M{{Choice: 3, Rank: 1, Flags: wim}, {Choice: 0, Rank: 2}}, false}, // sorted by rank
		{5, president, []M{{Choice: 2, Flags: wim}}, false},
		{6, council, []M{{Choice: 0}, {Choice: 1, Flags: nc}}, false},
		{6, mayor, []M{{Choice: 0, Rank: 1, Flags: amb}, {Choice: 2, Rank: 2}}, false},
		{7, council, nil, false},
		{7, mayor, []M{{Choice: 0, Rank: 1}, {Choice: 1, Rank: 1}, {Choice: 2, Rank: 2}}, false},
		{8, mayor, []M{{Choice: 1, Rank: 1}, {Choice: 2, Rank: 2, Flags: nc}, {Choice: 0, Rank: 3}}, false},
		{9, president, []M{{Choice: 0, Flags: nc}, {Choice: 1}}, false},
		{9, mayor, []M{{Choice: 0, Rank: 1}}, true},
		{10, president, []M{{Choice: 0}}, false},
		{10, measure, nil, false},
	}
	for _, c := range checks {
		b := ballots[c.ballot-1]
		var cm *canvass.ContestMarks
		for i := range b.Contests {
			if b.Contests[i].Contest == c.contest {
				cm = &b.Contests[i]
			}
		}
		if cm == nil {
			t.Errorf("ballot %d: contest %d missing", c.ballot, c.contest)
			continue
		}
		if !slices.Equal(cm.Marks, c.marks) || cm.Overvoted != c.overvoted {
			t.Errorf("ballot %d contest %d: marks %v overvoted %v; want %v %v", c.ballot, c.contest, cm.Marks, cm.Overvoted, c.marks, c.overvoted)
		}
	}
	// Ballot 1-1-5 has only President and Council (the other contests' cells are empty).
	var on []int32
	for _, cm := range ballots[4].Contests {
		on = append(on, cm.Contest)
	}
	if !slices.Equal(on, []int32{president, council}) {
		t.Errorf("ballot 5 has contests %v, want [0 1]", on)
	}
}

// TestVariants reads general.csv as a spreadsheet might save it: with a byte order mark, CRLF
// line ends, without the comment line. The ballots must be the same.
func TestVariants(t *testing.T) {
	data, err := os.ReadFile(generalCSV)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, openBytes(t, data, "general.csv"))
	noComment := data[bytes.IndexByte(data, '\n')+1:]
	crlf := bytes.ReplaceAll(noComment, []byte("\n"), []byte("\r\n"))
	variants := map[string][]byte{
		"bom":              append([]byte("\xEF\xBB\xBF"), data...),
		"crlf":             crlf,
		"bom crlf":         append([]byte("\xEF\xBB\xBF"), crlf...),
		"no comment":       noComment,
		"blank lines":      append([]byte("\n\r\n# note\n\n"), noComment...),
		"no final newline": bytes.TrimSuffix(data, []byte("\n")),
	}
	for name, v := range variants {
		got := readAll(t, openBytes(t, v, name))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ballots differ from those of general.csv", name)
		}
	}
}

// TestContestOptions checks how the header's options become contest definitions
// (docs/formats/csv.md §Contest options).
func TestContestOptions(t *testing.T) {
	tests := []struct {
		header         string
		typ            canvass.ContestType
		voteFor, seats int
		threshold      canvass.Threshold
	}{
		{"BallotID,Q: Yes,Q: No", canvass.Plurality, 1, 1, canvass.Threshold{}},
		{"BallotID,Council [vote for 3]: A,Council: B,Council: C,Council: D", canvass.Plurality, 3, 3, canvass.Threshold{}},
		{"BallotID,Council: A,Council [Vote For 3]: B,Council [vote  for 3]: C", canvass.Plurality, 3, 3, canvass.Threshold{}},
		{`BallotID,"Board [vote for 2, seats 1]: A",Board: B,Board: C`, canvass.Plurality, 2, 1, canvass.Threshold{}},
		{"BallotID,Board [approval]: A,Board: B,Board: C,Board: D", canvass.Approval, 4, 1, canvass.Threshold{}},
		{"BallotID,Mayor [ranked 5]: A,Mayor: B", canvass.IRV, 5, 1, canvass.Threshold{}},
		{`BallotID,"Council [ranked 6, seats 3]: A",Council: B,Council: C,Council: D`, canvass.STV, 6, 3, canvass.Threshold{}},
		{`BallotID,"Council [seats 1, ranked 2]: A",Council: B`, canvass.IRV, 2, 1, canvass.Threshold{}},
		{"BallotID,Measure A [2/3]: Yes,Measure A [2/3]: No", canvass.Supermajority, 1, 1, canvass.Threshold{Num: 2, Den: 3}},
		{"BallotID,Measure B [3/5]: Yes,Measure B: No", canvass.Supermajority, 1, 1, canvass.Threshold{Num: 3, Den: 5}},
		// The last ": " splits: the contest name may hold ": ".
		{"BallotID,Judge: Seat 2 [vote for 1]: A,Judge: Seat 2: B", canvass.Plurality, 1, 1, canvass.Threshold{}},
	}
	for _, tc := range tests {
		r := openBytes(t, []byte(tc.header+"\n"), "options.csv")
		el := r.Election()
		if len(el.Contests) != 1 {
			t.Errorf("%s: %d contests, want 1", tc.header, len(el.Contests))
			continue
		}
		c := el.Contests[0]
		if c.Type != tc.typ || c.VoteFor != tc.voteFor || c.Seats != tc.seats || c.Threshold != tc.threshold {
			t.Errorf("%s: %s vote for %d seats %d threshold %v; want %s %d %d %v",
				tc.header, c.Type, c.VoteFor, c.Seats, c.Threshold, tc.typ, tc.voteFor, tc.seats, tc.threshold)
		}
		if err := el.Validate(); err != nil {
			t.Errorf("%s: %v", tc.header, err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: Next = %v, want io.EOF", tc.header, err)
		}
	}
}

func TestWriteInNames(t *testing.T) {
	for name, want := range map[string]bool{
		"Write-in": true, "WRITE-IN": true, " write-in ": true, "Write-in 2": true, "Write-in 12": true,
		"Fay Fox (write-in)": true, "Fay Fox (Write-In)": true,
		"Write-ins": false, "Write-in Fay": false, "Write-in ": true, "Writein": false, "Fay Fox": false, "": false,
	} {
		if got := isWriteIn(name); got != want {
			t.Errorf("isWriteIn(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"a.csv", "BallotID,President: Alice,President: Bob\n1,1,0\n", true},
		{"A.CSV", "ballot_id,Precinct,President: Alice\n", true},
		{"a.csv", "\xEF\xBB\xBF# note\r\n\r\nBallot ID,President: Alice\r\n", true},
		{"a.csv", "BallotID,\"Parks [approval, seats 2]: Gil\"", true}, // a header cut by the head
		{"a.txt", "BallotID,President: Alice\n", false},
		{"a.csv", "BallotID,Precinct\n", false},                                            // no contest column
		{"a.csv", "Response ID,precinct_id,Lettuce,Broccoli\n", false},                     // RCTab's generic CSV
		{"a.csv", "Contest,Choice,Votes\nPresident: x,1,2\n", false},                       // contest text in a data row only
		{"a.csv", "# only a comment", false},                                               // no header
		{"a.csv", "", false},                                                               // empty
		{"a.csv", "{\"@type\":\"CVR.CastVoteRecordReport\",\"BallotID,a: b\":1}\n", false}, // JSON
	}
	for _, tc := range tests {
		if got := Sniff(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%q, %q) = %v, want %v", tc.path, tc.head, got, tc.want)
		}
	}
	// No CSV file of the repository's public testdata (results files, RCTab's generic CSV) is
	// this format.
	n := 0
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".csv") {
			return err
		}
		n++
		head := make([]byte, 4096)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		k, _ := io.ReadFull(f, head)
		if Sniff(p, head[:k]) {
			t.Errorf("Sniff accepts %s", p)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Errorf("walking ../../testdata: %v, %d CSV files", err, n)
	}
	if !Sniff(generalCSV, mustRead(t, generalCSV)) {
		t.Errorf("Sniff rejects %s", generalCSV)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRegistry(t *testing.T) {
	if !slices.Contains(cvr.Formats(), FormatName) {
		t.Fatalf("format %q not registered: %v", FormatName, cvr.Formats())
	}
	if f, err := cvr.Sniff(generalCSV); err != nil || f != FormatName {
		t.Fatalf("cvr.Sniff = %q, %v", f, err)
	}
	r, err := cvr.Open(generalCSV, "auto", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := len(readAll(t, r)); n != 10 {
		t.Errorf("read %d ballots through the registry, want 10", n)
	}
	if _, err := cvr.Open(filepath.Join(t.TempDir(), "missing.csv"), FormatName, cvr.Options{}); err == nil {
		t.Error("opening a missing file succeeded")
	}
}

func TestProgressAndWhere(t *testing.T) {
	fi, err := os.Stat(generalCSV)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	r, err := Open(generalCSV, cvr.Options{Progress: func(d int64) { n += d }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if f, rec := r.Where(); f != generalCSV || rec != 0 {
		t.Errorf("Where before Next = %q, %d", f, rec)
	}
	for i := int64(1); ; i++ {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, rec := r.Where(); rec != i {
			t.Errorf("ballot %s: Where record %d, want %d", b.ID, rec, i)
		}
	}
	if n != fi.Size() {
		t.Errorf("progress reported %d bytes, want the file's %d", n, fi.Size())
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF again", err)
	}
}

// TestRCTabGenericCSV: RCTab's generic CSV (testdata/cvr/rctab) has no BallotID column; the
// reader says so rather than misreading it.
func TestRCTabGenericCSV(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "cvr", "rctab", "generic_csv_test", "generic_csv_test_cvr.csv")
	_, err := Open(path, cvr.Options{})
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, canvass.ErrMissingField) || pe.Field != "BallotID" || pe.Line != 1 {
		t.Errorf("error %v: want a ParseError of the missing BallotID column on line 1", err)
	}
}

// TestAllocations: per ballot the reader allocates at most the one string encoding/csv makes
// of a row (the Ballot and its mark slices are reused).
func TestAllocations(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, 2000, 5, 7); err != nil {
		t.Fatal(err)
	}
	r := openBytes(t, buf.Bytes(), "synthetic.csv")
	for range 100 { // warm up the reused slices
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%.2f allocations per ballot, want at most 1", allocs)
	}
}

func TestStrings(t *testing.T) {
	// The error of a bad cell reads as a user needs it.
	_, err := readString("BallotID,President: Alice\n7,x\n")
	want := "csv: bad.csv: record 1 (line 2): field President: Alice: syntax error: cell \"x\": " + wantCell
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

// readString reads every ballot of a CSV text named bad.csv and returns the count and the
// first error other than io.EOF (including one from the header).
func readString(s string) (int, error) {
	r, err := NewReader(strings.NewReader(s), "bad.csv", cvr.Options{})
	if err != nil {
		return 0, err
	}
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

// TestDocExample reads the example of docs/formats/csv.md (testdata/example.csv, a copy) and
// checks what the page says of it.
func TestDocExample(t *testing.T) {
	r, err := Open("testdata/example.csv", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	el := r.Election()
	var names []string
	for _, c := range el.Contests {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"President", "Mayor", "Measure A"}) {
		t.Fatalf("contests %q", names)
	}
	bs := readAll(t, r)
	type M = canvass.Mark
	want := []struct {
		id       string
		precinct string
		contests []canvass.ContestMarks
	}{
		{"1-1-1", "Ward 1", []canvass.ContestMarks{
			{Contest: 0, Marks: []M{{Choice: 0}}},
			{Contest: 1, Marks: []M{{Choice: 0, Rank: 1}, {Choice: 1, Rank: 2}}},
			{Contest: 2, Marks: []M{{Choice: 0}}},
		}},
		{"1-1-2", "Ward 1", []canvass.ContestMarks{{Contest: 0}, {Contest: 2}}},
		{"1-1-3", "Ward 2", []canvass.ContestMarks{
			{Contest: 0, Marks: []M{{Choice: 0, Flags: canvass.NotCounted}, {Choice: 1, Flags: canvass.NotCounted}}, Overvoted: true},
			{Contest: 1, Marks: []M{{Choice: 1, Rank: 1}, {Choice: 0, Rank: 2}}},
		}},
	}
	if len(bs) != len(want) {
		t.Fatalf("%d ballots, want %d", len(bs), len(want))
	}
	for i, w := range want {
		b := bs[i]
		if b.ID != w.id || b.Precinct != w.precinct || b.Batch != "1" || !reflect.DeepEqual(b.Contests, w.contests) {
			t.Errorf("ballot %d = %s %s %+v; want %s %s %+v", i+1, b.ID, b.Precinct, b.Contests, w.id, w.precinct, w.contests)
		}
	}
}
