package dominion

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// Public exports in the repository (see testdata/README.md at the root).
const (
	sfDir    = "../../testdata/cvr/dominion-kuriwaki"
	rctabDir = "../../testdata/cvr/rctab/dominion_multi_file/dominion_multi_file_input_data"
	handDir  = "testdata/hand"
	handZip  = "testdata/hand.zip"
)

// tally is what the tests count from a reader, keyed by Dominion ids so that the figures can be
// compared with a count made from the JSON directly.
type tally struct {
	ballots     int
	entries     int                       // ContestMarks entries over all ballots
	marks       int                       // marks over all ballots
	present     map[string]int            // contest Id → ballots that contain it
	votes       map[string]map[string]int // contest Id → candidate Id → counted marks (rank 1 if ranked)
	overvoted   map[string]int            // contest Id → ballots with Overvoted set
	blank       map[string]int            // contest Id → entries without marks
	flags       map[canvass.MarkFlags]int // flag → marks that carry it
	adjudicated int                       // ballots with an Adjudicated mark
	ids         []string
	where       []string // "file#record" of each ballot
}

func count(t *testing.T, r cvr.Reader) tally {
	t.Helper()
	el := r.Election()
	tl := tally{present: map[string]int{}, votes: map[string]map[string]int{}, overvoted: map[string]int{},
		blank: map[string]int{}, flags: map[canvass.MarkFlags]int{}}
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("ballot %d: %v", tl.ballots+1, err)
		}
		tl.ballots++
		tl.ids = append(tl.ids, b.ID)
		f, rec := r.Where()
		tl.where = append(tl.where, filepath.Base(f)+"#"+itoa(rec))
		adj := false
		for _, cm := range b.Contests {
			c := el.Contests[cm.Contest]
			tl.entries++
			tl.present[c.ID]++
			if cm.Overvoted {
				tl.overvoted[c.ID]++
			}
			if len(cm.Marks) == 0 {
				tl.blank[c.ID]++
			}
			for _, m := range cm.Marks {
				tl.marks++
				for _, fl := range []canvass.MarkFlags{canvass.Ambiguous, canvass.NotCounted, canvass.WriteInMark, canvass.Adjudicated} {
					if m.Flags&fl != 0 {
						tl.flags[fl]++
					}
				}
				adj = adj || m.Flags&canvass.Adjudicated != 0
				if m.Flags&canvass.NotCounted != 0 || c.Type.Ranked() && m.Rank != 1 {
					continue
				}
				if tl.votes[c.ID] == nil {
					tl.votes[c.ID] = map[string]int{}
				}
				tl.votes[c.ID][c.Choices[m.Choice].ID]++
			}
		}
		if adj {
			tl.adjudicated++
		}
	}
	return tl
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func choiceByID(c *canvass.Contest, id string) *canvass.Choice {
	for _, ch := range c.Choices {
		if ch.ID == id {
			return ch
		}
	}
	return nil
}

func open(t *testing.T, path string) *Reader {
	t.Helper()
	r, err := Open(path, cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestHandMade reads the hand-made export in testdata/hand (and the same files in
// testdata/hand.zip, under a folder "export/"). Its seven sessions, by file:
//
//	CvrExport_1.json (5.10 shape: Cards, IsCurrent)
//	 1  1-1-1  Mayor: Alice. Council: Carol, Dan. Measure A: Yes. Sheriff (2nd card): Gina 1, Hal 2.
//	 2  1-1-2  Mayor: Alice and Bob, both IsVote=false, Overvotes=1 (an overvote). Council: Carol
//	           only (an undervote). Measure A: no marks (a blank contest). Sheriff: Hal 1, Ivy 2, Gina 3.
//	 3  1-1-3  Mayor: Write-in. Council: Erin, Write-in. Measure A: No, IsAmbiguous=true but
//	           IsVote=true (ambiguous, counted). Sheriff: no marks.
//	 4  2-5-1  Original (IsCurrent=false): Mayor: Bob ambiguous, IsVote=false; Measure A: Yes.
//	           Modified (IsCurrent=true): Mayor: Alice; Measure A: Yes. The adjudication changes
//	           the Mayor vote from none to Alice.
//	CvrExport_2.json (older shape: Contests directly in Original, no Cards)
//	 5  2-5-2  Mayor: Bob. Council: Frank (qualified write-in), Carol. Measure A: No.
//	 6  2-5-3  Mayor: Alice. Sheriff: Ivy 1, Gina 2.
//	CvrExport_10.json (read after CvrExport_2.json: numeric order)
//	 7  1-2-1  Mayor: Bob. Measure A: Yes.
//
// Counted by hand (marks with IsVote=true; for the ranked Sheriff, first choices):
//
//	Mayor (Id 1):     on 7 ballots. Alice 3 (1, 4, 6), Bob 2 (5, 7), Write-in 1 (3); 1 overvoted (2).
//	Council (Id 2):   on 4 ballots (1, 2, 3, 5). Carol 3, Dan 1, Erin 1, Write-in 1, Frank 1.
//	Measure A (Id 3): on 6 ballots (1, 2, 3, 4, 5, 7). Yes 3 (1, 4, 7), No 2 (3, 5); 1 blank (2).
//	Sheriff (Id 4):   on 4 ballots (1, 2, 3, 6). First choices Gina 1, Hal 1, Ivy 1; 1 blank (3).
//
// Entries: 4+4+4+2 + 3+2 + 2 = 21. Marks: (1+2+1+2)+(2+1+0+3)+(1+2+1+0)+(1+1) + (1+2+1)+(1+2) + (1+1)
// = 6+6+4+2+4+3+2 = 27. Flags: Ambiguous 1 (3's No; 4's ambiguous Bob is in the Original, not
// used); NotCounted 2 (2's Alice and Bob); WriteInMark 3 (3's two write-ins, 5's Frank);
// Adjudicated 2 (4's two Modified marks), on 1 ballot.
func TestHandMade(t *testing.T) {
	for _, path := range []string{handDir, handZip} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r := open(t, path)
			el := r.Election()
			if el.Name != "Canvass Test Election" {
				t.Errorf("election name %q", el.Name)
			}
			if err := el.Validate(); err != nil {
				t.Error(err)
			}
			var got []string
			for _, c := range el.Contests {
				got = append(got, c.ID+" "+c.Name+" "+string(c.Type)+" "+itoa(int64(c.VoteFor))+"/"+itoa(int64(c.Seats))+" "+itoa(int64(len(c.Choices))))
			}
			want := []string{"1 Mayor plurality 1/1 3", "2 City Council plurality 2/2 5", "3 Measure A plurality 1/1 2", "4 Sheriff (Ranked Choice) irv 3/1 3"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("contests:\n got %q\nwant %q", got, want)
			}
			// The Write-in line is a write-in choice; FRANK FOX, a qualified write-in, is a declared
			// candidate who can win (marks on him are still WriteInMark).
			if ch := el.Contests[1].Choices; !ch[3].WriteIn || ch[4].WriteIn || ch[2].WriteIn || ch[4].Name != "FRANK FOX" {
				t.Errorf("council write-in choices wrong: %+v %+v %+v", ch[2], ch[3], ch[4])
			}

			tl := count(t, r)
			if want := []string{"1-1-1", "1-1-2", "1-1-3", "2-5-1", "2-5-2", "2-5-3", "1-2-1"}; !reflect.DeepEqual(tl.ids, want) {
				t.Errorf("ids %v, want %v", tl.ids, want)
			}
			if want := []string{"CvrExport_1.json#1", "CvrExport_1.json#2", "CvrExport_1.json#3", "CvrExport_1.json#4", "CvrExport_2.json#1", "CvrExport_2.json#2", "CvrExport_10.json#1"}; !reflect.DeepEqual(tl.where, want) {
				t.Errorf("where %v, want %v", tl.where, want)
			}
			checkMap(t, "present", tl.present, map[string]int{"1": 7, "2": 4, "3": 6, "4": 4})
			checkVotes(t, tl.votes, map[string]map[string]int{
				"1": {"10": 3, "11": 2, "12": 1},
				"2": {"20": 3, "21": 1, "22": 1, "23": 1, "24": 1},
				"3": {"30": 3, "31": 2},
				"4": {"40": 1, "41": 1, "42": 1},
			})
			checkMap(t, "overvoted", tl.overvoted, map[string]int{"1": 1})
			checkMap(t, "blank", tl.blank, map[string]int{"3": 1, "4": 1})
			if tl.entries != 21 || tl.marks != 27 || tl.adjudicated != 1 {
				t.Errorf("entries %d marks %d adjudicated ballots %d, want 21 27 1", tl.entries, tl.marks, tl.adjudicated)
			}
			if want := map[canvass.MarkFlags]int{canvass.Ambiguous: 1, canvass.NotCounted: 2, canvass.WriteInMark: 3, canvass.Adjudicated: 2}; !reflect.DeepEqual(tl.flags, want) {
				t.Errorf("flags %v, want %v", tl.flags, want)
			}
		})
	}
}

// TestHandMadeDetails checks the ballot fields and ranks of single sessions of the hand-made
// export.
func TestHandMadeDetails(t *testing.T) {
	r := open(t, handDir)
	var bs []*canvass.Ballot
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b.Clone())
	}
	meta := func(b *canvass.Ballot) string {
		return strings.Join([]string{b.ID, b.Precinct, b.BallotType, b.Tabulator, b.Batch, b.CountingGroup}, "|")
	}
	for i, want := range []string{
		"1-1-1|PCT 1 North|Ballot Type 1|ICC01 Central|1-1|Vote by Mail",
		"1-1-3|PCT 2 South|Ballot Type 2|ICC01 Central|1-1|Vote by Mail",
		"2-5-1|PCT 2 South|Ballot Type 2|ICP02 Precinct 2|2-5|Election Day",
	} {
		if got := meta(bs[[]int{0, 2, 3}[i]]); got != want {
			t.Errorf("ballot %d: %s, want %s", []int{1, 3, 4}[i], got, want)
		}
	}
	tests := []struct {
		ballot, entry int
		want          canvass.ContestMarks
	}{
		// Session 1, Sheriff on the second card: ranks kept.
		{0, 3, canvass.ContestMarks{Contest: 3, Marks: []canvass.Mark{{Choice: 0, Rank: 1}, {Choice: 1, Rank: 2}}}},
		// Session 1, Mayor: rank 1 in the file, 0 for a contest without ranks.
		{0, 0, canvass.ContestMarks{Contest: 0, Marks: []canvass.Mark{{Choice: 0}}}},
		// Session 2, the overvote.
		{1, 0, canvass.ContestMarks{Contest: 0, Overvoted: true, Marks: []canvass.Mark{{Choice: 0, Flags: canvass.NotCounted}, {Choice: 1, Flags: canvass.NotCounted}}}},
		// Session 2, the blank contest.
		{1, 2, canvass.ContestMarks{Contest: 2, Marks: []canvass.Mark{}}},
		// Session 3, the ambiguous counted mark and the write-in.
		{2, 2, canvass.ContestMarks{Contest: 2, Marks: []canvass.Mark{{Choice: 1, Flags: canvass.Ambiguous}}}},
		{2, 0, canvass.ContestMarks{Contest: 0, Marks: []canvass.Mark{{Choice: 2, Flags: canvass.WriteInMark}}}},
		// Session 4, from the Modified interpretation.
		{3, 0, canvass.ContestMarks{Contest: 0, Marks: []canvass.Mark{{Choice: 0, Flags: canvass.Adjudicated}}}},
	}
	for _, tt := range tests {
		got := bs[tt.ballot].Contests[tt.entry]
		if got.Contest != tt.want.Contest || got.Overvoted != tt.want.Overvoted || len(got.Marks) != len(tt.want.Marks) ||
			len(got.Marks) > 0 && !reflect.DeepEqual(got.Marks, tt.want.Marks) {
			t.Errorf("ballot %d entry %d: %+v, want %+v", tt.ballot+1, tt.entry, got, tt.want)
		}
	}
}

// TestFolderZipAndFileAgree reads the hand-made export as a folder, as a ZIP, and file by file.
func TestFolderZipAndFileAgree(t *testing.T) {
	read := func(path string) []*canvass.Ballot {
		r := open(t, path)
		var bs []*canvass.Ballot
		for {
			b, err := r.Next()
			if err == io.EOF {
				return bs
			}
			if err != nil {
				t.Fatal(path, err)
			}
			bs = append(bs, b.Clone())
		}
	}
	folder := read(handDir)
	if zip := read(handZip); !reflect.DeepEqual(folder, zip) {
		t.Error("folder and ZIP differ")
	}
	var files []*canvass.Ballot
	for _, f := range []string{"CvrExport_1.json", "CvrExport_2.json", "CvrExport_10.json"} {
		files = append(files, read(filepath.Join(handDir, f))...)
	}
	if !reflect.DeepEqual(folder, files) {
		t.Error("folder and single files differ")
	}
}

func checkMap(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func checkVotes(t *testing.T, got, want map[string]map[string]int) {
	t.Helper()
	for c, w := range want {
		if !reflect.DeepEqual(got[c], w) {
			t.Errorf("contest %s votes: got %v, want %v", c, got[c], w)
		}
	}
}

// The expected figures of the public exports below were counted with this python3 script
// (json module only), run once:
//
//	def current(s): return s['Modified'] if 'Modified' in s else s['Original']
//	def contests(ip):  # all cards, or the older shape without Cards
//	    return [c for card in ip['Cards'] for c in card['Contests']] if 'Cards' in ip else ip['Contests']
//	for s in sessions:                       # json.load(f)['Sessions'] of each file
//	    for c in contests(current(s)):
//	        if c['Id'] != contest: continue
//	        present += 1; over += c['Overvotes'] > 0; blank += not c['Marks']
//	        for m in c['Marks']:
//	            if m['IsVote'] and (not ranked or m['Rank'] == 1): votes[m['CandidateId']] += 1
//
// (Every Modified session in these files has IsCurrent=true and its Original IsCurrent=false.)

// TestRCTabMultiFile reads the four CvrExport_N files of RCTab's dominion_multi_file case (San
// Francisco, November 2020). RCTab's own expected report for contest 13 (Board of Supervisors
// District 3, ranked) says 25 ballots, 8 with no rankings, and first-round votes Peskin 9,
// Sauter 4, Schwartz 3, Simonsen 1; the python count above agrees.
func TestRCTabMultiFile(t *testing.T) {
	r := open(t, rctabDir)
	tl := count(t, r)
	// Sessions per file (python: len(json.load(f)['Sessions'])): 118 + 61 + 79 + 57.
	if tl.ballots != 315 {
		t.Errorf("ballots %d, want 315", tl.ballots)
	}
	if tl.present["13"] != 25 || tl.blank["13"] != 8 {
		t.Errorf("contest 13: on %d ballots, %d blank; want 25 and 8", tl.present["13"], tl.blank["13"])
	}
	checkVotes(t, tl.votes, map[string]map[string]int{
		"13": {"27": 9, "28": 4, "30": 3, "29": 1}, // Peskin, Sauter, Schwartz, Simonsen
		"1":  {"59": 206, "54": 8, "55": 1},        // President: Biden, Trump, La Riva
	})
	if tl.present["1"] != 216 || tl.blank["1"] != 1 {
		t.Errorf("contest 1: on %d ballots, %d blank; want 216 and 1", tl.present["1"], tl.blank["1"])
	}
	// python: sessions with a Modified interpretation: 6 + 1 + 1 + 2 = 10, of which one
	// (26-876-28) has no mark at all, so 9 ballots carry Adjudicated marks.
	if tl.adjudicated != 9 {
		t.Errorf("adjudicated ballots %d, want 9", tl.adjudicated)
	}
	if c := r.Election().Contests[12]; c.Name != "BOARD OF SUPERVISORS DISTRICT 3" || c.Type != canvass.IRV || c.VoteFor != 4 {
		t.Errorf("contest 13 defined as %+v", c)
	}
}

// TestSanFrancisco reads two single files of San Francisco's export: CvrExport_42.json (118
// sessions, 4 of them adjudicated, one of those (21-20-63) with no mark left) and CvrExport_24940.json (5 sessions of 3 or 4 cards).
func TestSanFrancisco(t *testing.T) {
	r := open(t, filepath.Join(sfDir, "CvrExport_42.json"))
	var rec117 *canvass.Ballot
	{
		// Keep session 117, whose adjudication resolves an overvote (python: Original contest
		// 34 has candidates 93 and 92 both IsVote=false; Modified has 92 IsVote=true).
		r2 := open(t, filepath.Join(sfDir, "CvrExport_42.json"))
		for i := 1; i <= 117; i++ {
			b, err := r2.Next()
			if err != nil {
				t.Fatal(err)
			}
			rec117 = b
		}
		if f, rec := r2.Where(); rec != 117 || filepath.Base(f) != "CvrExport_42.json" || rec117.ID != "21-20-70" {
			t.Errorf("session 117: %s#%d id %s", f, rec, rec117.ID)
		}
	}
	tl := count(t, r)
	if tl.ballots != 118 || tl.entries != 1003 || tl.marks != 1081 || tl.adjudicated != 3 {
		t.Errorf("ballots %d entries %d marks %d adjudicated %d; want 118 1003 1081 3", tl.ballots, tl.entries, tl.marks, tl.adjudicated)
	}
	checkVotes(t, tl.votes, map[string]map[string]int{
		"1":  {"59": 27, "54": 5},
		"18": {"60": 8, "61": 21},
	})
	if tl.present["1"] != 32 || tl.present["18"] != 31 || tl.blank["18"] != 2 {
		t.Errorf("present %d %d blank %d; want 32 31 2", tl.present["1"], tl.present["18"], tl.blank["18"])
	}
	el := r.Election()
	found := false
	for _, cm := range rec117.Contests {
		if el.Contests[cm.Contest].ID == "34" {
			found = true
			c := el.Contests[cm.Contest]
			if cm.Overvoted || len(cm.Marks) != 1 || c.Choices[cm.Marks[0].Choice].ID != "92" || cm.Marks[0].Flags != canvass.Adjudicated {
				t.Errorf("session 117 contest 34: %+v", cm)
			}
		}
	}
	if !found {
		t.Error("session 117 has no contest 34")
	}

	r = open(t, filepath.Join(sfDir, "CvrExport_24940.json"))
	tl = count(t, r)
	// python: 5 sessions; contests over all cards 162; President Biden 3, Trump 2.
	if tl.ballots != 5 || tl.entries != 162 {
		t.Errorf("ballots %d entries %d; want 5 162", tl.ballots, tl.entries)
	}
	checkVotes(t, tl.votes, map[string]map[string]int{"1": {"59": 3, "54": 2}})
}

// azSource is the Arizona export (Democracy Suite 5.5) with the stand-in manifests of
// testdata/az999-manifests (its own are not public).
func azSource(t testing.TB) *source {
	fsys := fstest.MapFS{}
	man, err := os.ReadDir("testdata/az999-manifests")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range man {
		data, err := os.ReadFile(filepath.Join("testdata/az999-manifests", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	data, err := os.ReadFile(filepath.Join(sfDir, "CvrExport_AZ-999.json"))
	if err != nil {
		t.Fatal(err)
	}
	fsys["CvrExport_AZ-999.json"] = &fstest.MapFile{Data: data}
	return &source{fsys: fsys, dir: ".", files: []string{"CvrExport_AZ-999.json"}, name: "az"}
}

// TestArizonaOlderExport reads the Arizona August 2022 primary export (version 5.5.32.4, 198
// sessions, 19 with a Modified interpretation). Figures from the python count above, over
// every contest: 3,107 contest entries and 2,401 marks; counted marks on write-in candidates
// (those whose marks carry WriteinIndex) 34; IsAmbiguous 6; IsVote=false 12; Overvotes>0 in 3.
// Contest 1: on 99 ballots, 2 blank, candidates 1-5 with 18, 28, 28, 14, 9 votes.
func TestArizonaOlderExport(t *testing.T) {
	r, err := newReader(azSource(t), cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	// Tabulator from the manifest; precinct portion and ballot type not in the (empty)
	// manifests, so named by their Id.
	if b.ID != "3014-141-1" || b.Tabulator != "AZ tabulator 3014" || b.Precinct != "2548" || b.BallotType != "7321" || b.CountingGroup != "1" {
		t.Errorf("first ballot %+v", b)
	}
	r.Close()
	r, err = newReader(azSource(t), cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tl := count(t, r)
	if tl.ballots != 198 || tl.entries != 3107 || tl.marks != 2401 || tl.adjudicated != 19 {
		t.Errorf("ballots %d entries %d marks %d adjudicated %d; want 198 3107 2401 19", tl.ballots, tl.entries, tl.marks, tl.adjudicated)
	}
	checkVotes(t, tl.votes, map[string]map[string]int{
		"1": {"1": 18, "2": 28, "3": 28, "4": 14, "5": 9},
		"2": {"8": 6, "7": 6, "6": 2, "1120": 1},
	})
	if tl.present["1"] != 99 || tl.blank["1"] != 2 {
		t.Errorf("contest 1 on %d ballots, %d blank; want 99 2", tl.present["1"], tl.blank["1"])
	}
	over := 0
	for _, n := range tl.overvoted {
		over += n
	}
	if tl.flags[canvass.Ambiguous] != 6 || tl.flags[canvass.NotCounted] != 12 || over != 3 {
		t.Errorf("ambiguous %d not counted %d overvoted %d; want 6 12 3", tl.flags[canvass.Ambiguous], tl.flags[canvass.NotCounted], over)
	}
	writeIns := 0
	el := r.Election()
	for cid, votes := range tl.votes {
		c := el.Contests[r.man.contests.get(atoi(t, cid))]
		for ch, n := range votes {
			if choiceByID(c, ch).WriteIn {
				writeIns += n
			}
		}
	}
	if writeIns != 34 {
		t.Errorf("counted write-in marks %d, want 34", writeIns)
	}
}

// TestArizonaWithWrongManifests reads the Arizona file next to San Francisco's manifests: its
// first mark, candidate 1 in contest 1, is a candidate of San Francisco's contest 10.
func TestArizonaWithWrongManifests(t *testing.T) {
	r := open(t, filepath.Join(sfDir, "CvrExport_AZ-999.json"))
	_, err := r.Next()
	var pe *cvr.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, cvr.ErrUnknownChoice) {
		t.Fatalf("got %v, want ErrUnknownChoice", err)
	}
	if filepath.Base(pe.File) != "CvrExport_AZ-999.json" || pe.Record != 1 || pe.Field != "Sessions[].Original.Cards[].Contests[].Marks[].CandidateId" {
		t.Errorf("error names %s record %d field %s", pe.File, pe.Record, pe.Field)
	}
	if !strings.Contains(err.Error(), "candidate 1 belongs to contest 10, not to contest 1") {
		t.Errorf("message: %v", err)
	}
}
