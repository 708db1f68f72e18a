package dominion

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// The shape of a synthetic export (WriteSynthetic): what a county's central count looks like.
const (
	synthVersion       = "5.10.50.85" // the Democracy Suite version of the San Francisco export
	synthElection      = "Synthetic General Election"
	synthCandidates    = 5 // per contest: four named candidates and a write-in line
	synthTabulators    = 3
	synthBatchSize     = 200
	synthPortions      = 50
	synthBallotTypes   = 8
	synthSessionsFile  = 10000 // sessions per CvrExport_N.json
	synthUndervotePerK = 30    // per 1000 contests: no mark (blank)
	synthOvervotePerK  = 15    // per 1000 contests: two marks, neither counted
	synthAmbiguousPerK = 5     // per 1000 marks: IsAmbiguous (still a vote)
	synthModifiedPerK  = 10    // per 1000 sessions: adjudicated (Modified interpretation)
)

// SyntheticTally is what the generator counted while writing an export: the figures a reader
// of the export must find.
type SyntheticTally struct {
	Ballots int64
	// Bytes is the size of the CvrExport files (manifests excluded).
	Bytes    int64
	Contests []SyntheticContest
	// Adjudicated counts the sessions written with a Modified interpretation.
	Adjudicated int64
}

// SyntheticContest is the generator's count for one contest, in ContestManifest order.
type SyntheticContest struct {
	ID   int64
	Name string
	// Ballots that contain the contest (every ballot does).
	Ballots int64
	// Votes holds the counted marks (IsVote=true) per candidate, in CandidateManifest order.
	Votes []int64
	// Overvoted is the number of ballots with Overvotes=1; Blank, those with no mark.
	Overvoted, Blank int64
}

// WriteSynthetic writes a realistic Dominion export into dir (created if needed): the
// manifests and CvrExport_N.json files of 10,000 sessions each, compact JSON shaped exactly
// like a Democracy Suite 5.10 export (ImageMask, SessionType, Cards, ManifestationId,
// MarkDensity, OutstackConditionIds, ...). Each ballot has one card with every contest; each
// contest has 5 candidates (the fifth a write-in line) and is vote-for-1, with about 3%
// undervotes (blank), 1.5% overvotes, 0.5% ambiguous marks and 1% of sessions adjudicated.
// Three tabulators scan batches of 200 from 50 precinct portions. The output is the same for
// the same seed.
func WriteSynthetic(dir string, ballots, contests int, seed int64) error {
	_, err := WriteSyntheticTally(dir, ballots, contests, seed)
	return err
}

// WriteSyntheticTally is WriteSynthetic, returning what the generator counted.
func WriteSyntheticTally(dir string, ballots, contests int, seed int64) (*SyntheticTally, error) {
	g, err := newSynth(ballots, contests, seed)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, m := range g.manifests() {
		if err := os.WriteFile(filepath.Join(dir, m.name), m.data, 0o644); err != nil {
			return nil, err
		}
	}
	for n := 1; g.written < g.ballots; n++ {
		f, err := os.Create(filepath.Join(dir, "CvrExport_"+strconv.Itoa(n)+".json"))
		if err != nil {
			return nil, err
		}
		werr := g.writeFile(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, werr
		}
	}
	return &g.tally, nil
}

// StreamSynthetic writes the export WriteSynthetic would write as a ZIP to w, streaming: it
// holds one session at a time, so it writes a million ballots in seconds to a file or a pipe.
// The entries are stored (not compressed) for speed; the reader reads either.
func StreamSynthetic(w io.Writer, ballots, contests int, seed int64) (*SyntheticTally, error) {
	g, err := newSynth(ballots, contests, seed)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	for _, m := range g.manifests() {
		e, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			return nil, err
		}
		if _, err := e.Write(m.data); err != nil {
			return nil, err
		}
	}
	for n := 1; g.written < g.ballots; n++ {
		e, err := zw.CreateHeader(&zip.FileHeader{Name: "CvrExport_" + strconv.Itoa(n) + ".json", Method: zip.Store})
		if err != nil {
			return nil, err
		}
		if err := g.writeFile(e); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &g.tally, nil
}

// synth generates sessions in order and counts what it writes.
type synth struct {
	rng      *rand.Rand
	ballots  int64
	contests int
	weights  [][]uint32 // per contest, cumulative preference weights of the candidates
	tally    SyntheticTally

	written        int64 // sessions written
	tab, batch     int64 // current tabulator and batch
	batchNo        [synthTabulators + 1]int64
	inBatch        int64
	card, manifest int64 // running Card Id and ManifestationId
	buf            []byte
	// Per contest of the current session: what the voter did, the candidate marked (the first
	// of an overvote), the second candidate of an overvote, and whether the mark is faint.
	kind  []markKind
	cand  []int
	other []int
	amb   []bool
}

type markKind uint8

const (
	voted markKind = iota
	blank
	overvoted
)

func newSynth(ballots, contests int, seed int64) (*synth, error) {
	if ballots < 0 || contests < 1 || contests > 1000 {
		return nil, fmt.Errorf("dominion: synthetic export of %d ballots and %d contests: need ballots >= 0 and 1 to 1000 contests", ballots, contests)
	}
	g := &synth{
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		ballots:  int64(ballots),
		contests: contests,
		kind:     make([]markKind, contests),
		cand:     make([]int, contests),
		other:    make([]int, contests),
		amb:      make([]bool, contests),
	}
	g.tally.Contests = make([]SyntheticContest, contests)
	for c := range contests {
		// Candidate strength varies by contest: a front-runner, a challenger and the rest.
		w := make([]uint32, synthCandidates)
		var sum uint32
		for k := range w {
			v := uint32(10 + g.rng.IntN(90))
			if k == synthCandidates-1 {
				v = 2 // the write-in line
			}
			sum += v
			w[k] = sum
		}
		g.weights = append(g.weights, w)
		g.tally.Contests[c] = SyntheticContest{ID: int64(c + 1), Name: synthContestName(c), Votes: make([]int64, synthCandidates)}
	}
	return g, nil
}

func synthContestName(c int) string { return "Contest " + strconv.Itoa(c+1) }

// candidateID is the CandidateManifest Id of candidate k of contest c (0-based).
func candidateID(c, k int) int64 { return int64(c*synthCandidates + k + 1) }

type namedFile struct {
	name string
	data []byte
}

// manifests returns the manifest files of the synthetic election.
func (g *synth) manifests() []namedFile {
	type L = []map[string]any
	var contests, cands, tabs, types, portions, precincts L
	for c := range g.contests {
		contests = append(contests, map[string]any{"Description": synthContestName(c), "Id": c + 1, "ExternalId": "", "DistrictId": 1, "VoteFor": 1, "NumOfRanks": 0, "Disabled": 0})
		for k := range synthCandidates {
			name, typ := fmt.Sprintf("CANDIDATE %d-%c", c+1, 'A'+k), "Regular"
			if k == synthCandidates-1 {
				name, typ = "Write-in", writeInType
			}
			cands = append(cands, map[string]any{"Description": name, "Id": candidateID(c, k), "ExternalId": "", "ContestId": c + 1, "Type": typ, "Disabled": 0})
		}
	}
	for t := 1; t <= synthTabulators; t++ {
		tabs = append(tabs, map[string]any{"Description": fmt.Sprintf("ICC%02d Central", t), "Id": t, "VotingLocationNumber": 1, "VotingLocationName": "Elections Center", "ExternalId": "", "Type": "ImagecastCentral", "ThresholdMin": 5, "ThresholdMax": 25, "WriteThresholdMin": 5, "WriteThresholdMax": 25})
	}
	for b := 1; b <= synthBallotTypes; b++ {
		types = append(types, map[string]any{"Description": fmt.Sprintf("Ballot Type %d", b), "Id": b, "ExternalId": strconv.Itoa(b)})
	}
	for p := 1; p <= synthPortions; p++ {
		portions = append(portions, map[string]any{"Description": fmt.Sprintf("PCT %d", 1100+p), "Id": p, "ExternalId": fmt.Sprintf("%d-1", 1100+p), "PrecinctId": p})
		precincts = append(precincts, map[string]any{"Description": fmt.Sprintf("PCT %d", 1100+p), "Id": p, "ExternalId": fmt.Sprintf("%d-1", 1100+p)})
	}
	file := func(name string, list L) namedFile {
		data, err := json.Marshal(map[string]any{"Version": synthVersion, "List": list})
		if err != nil {
			panic(err) // maps of strings and numbers always marshal
		}
		return namedFile{name, data}
	}
	return []namedFile{
		file(contestManifest, contests),
		file(candidateManifest, cands),
		file(tabulatorManifest, tabs),
		file(ballotTypeManifest, types),
		file(precinctPortionMan, portions),
		file(precinctManifest, precincts),
		file(countingGroupManifest, L{{"Description": "Election Day", "Id": 1, "ExternalId": ""}, {"Description": "Vote by Mail", "Id": 2, "ExternalId": ""}}),
		file(electionEventManifest, L{{"Description": synthElection, "Id": 1, "ExternalId": "", "Jurisdiction": "Synthetic County", "ElectionDate": "20241105"}}),
	}
}

// writeFile writes one CvrExport file of up to synthSessionsFile sessions to w.
func (g *synth) writeFile(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	if _, err := io.WriteString(cw, `{"Version":"`+synthVersion+`","ElectionId":"`+synthElection+`","Sessions":[`); err != nil {
		return err
	}
	for i := 0; i < synthSessionsFile && g.written < g.ballots; i++ {
		g.buf = g.buf[:0]
		if i > 0 {
			g.buf = append(g.buf, ',')
		}
		g.buf = g.session(g.buf)
		if _, err := cw.Write(g.buf); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(cw, "]}"); err != nil {
		return err
	}
	g.tally.Bytes += cw.n
	return bw.Flush()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// session draws the next ballot, counts it and appends its JSON to b.
func (g *synth) session(b []byte) []byte {
	if g.inBatch == 0 || g.inBatch == synthBatchSize {
		// The next batch goes to the next tabulator in turn.
		g.tab = g.tab%synthTabulators + 1
		g.batchNo[g.tab]++
		g.batch, g.inBatch = g.batchNo[g.tab], 0
	}
	g.inBatch++
	g.written++
	g.tally.Ballots++
	rec := g.inBatch
	group := 1 + g.tab%2 // tabulators 1 and 3 count mail, 2 election day
	portion := 1 + g.rng.Int64N(synthPortions)
	btype := 1 + g.rng.Int64N(synthBallotTypes)
	for c := range g.contests {
		g.amb[c] = false
		switch r := g.rng.IntN(1000); {
		case r < synthUndervotePerK:
			g.kind[c] = blank
		case r < synthUndervotePerK+synthOvervotePerK:
			g.kind[c] = overvoted
			g.cand[c] = g.rng.IntN(synthCandidates)
			g.other[c] = (g.cand[c] + 1 + g.rng.IntN(synthCandidates-1)) % synthCandidates
		default:
			g.kind[c] = voted
			g.cand[c] = g.pick(c)
			g.amb[c] = g.rng.IntN(1000) < synthAmbiguousPerK
		}
	}
	adjudicated := g.rng.IntN(1000) < synthModifiedPerK

	b = append(b, `{"TabulatorId":`...)
	b = strconv.AppendInt(b, g.tab, 10)
	b = append(b, `,"BatchId":`...)
	b = strconv.AppendInt(b, g.batch, 10)
	b = append(b, `,"RecordId":`...)
	b = strconv.AppendInt(b, rec, 10)
	b = append(b, `,"CountingGroupId":`...)
	b = strconv.AppendInt(b, group, 10)
	b = append(b, `,"ImageMask":"D:\\NAS\\`+synthElection+`\\Results\\Tabulator`...)
	b = appendPadded(b, g.tab, 5)
	b = append(b, `\\Batch`...)
	b = appendPadded(b, g.batch, 3)
	b = append(b, `\\Images\\`...)
	b = appendPadded(b, g.tab, 5)
	b = append(b, '_')
	b = appendPadded(b, g.batch, 5)
	b = append(b, '_')
	b = appendPadded(b, rec, 6)
	b = append(b, `*.*","SessionType":"ScannedVote","VotingSessionIdentifier":"","UniqueVotingIdentifier":"","Original":`...)
	g.card++
	b = g.interpretation(b, portion, btype, !adjudicated, false)
	if adjudicated {
		// The adjudicator resolves each overvote to its first mark and clears ambiguity.
		b = append(b, `,"Modified":`...)
		b = g.interpretation(b, portion, btype, true, true)
		g.tally.Adjudicated++
	}
	b = append(b, '}')
	// Count what the current interpretation says.
	for c := range g.contests {
		t := &g.tally.Contests[c]
		t.Ballots++
		switch g.kind[c] {
		case blank:
			t.Blank++
		case overvoted:
			if adjudicated {
				t.Votes[g.cand[c]]++
			} else {
				t.Overvoted++
			}
		default:
			t.Votes[g.cand[c]]++
		}
	}
	return b
}

// pick draws a candidate of contest c by the contest's weights.
func (g *synth) pick(c int) int {
	w := g.weights[c]
	r := uint32(g.rng.IntN(int(w[len(w)-1])))
	for k, cum := range w {
		if r < cum {
			return k
		}
	}
	return len(w) - 1
}

// interpretation appends an Original or Modified object with one card holding every contest.
func (g *synth) interpretation(b []byte, portion, btype int64, current, modified bool) []byte {
	b = append(b, `{"PrecinctPortionId":`...)
	b = strconv.AppendInt(b, portion, 10)
	b = append(b, `,"BallotTypeId":`...)
	b = strconv.AppendInt(b, btype, 10)
	if current {
		b = append(b, `,"IsCurrent":true,"Cards":[{"Id":`...)
	} else {
		b = append(b, `,"IsCurrent":false,"Cards":[{"Id":`...)
	}
	b = strconv.AppendInt(b, g.card, 10)
	b = append(b, `,"KeyInId":`...)
	b = strconv.AppendInt(b, g.card, 10)
	b = append(b, `,"PaperIndex":0,"Contests":[`...)
	for c := range g.contests {
		if c > 0 {
			b = append(b, ',')
		}
		g.manifest++
		b = append(b, `{"Id":`...)
		b = strconv.AppendInt(b, int64(c+1), 10)
		b = append(b, `,"ManifestationId":`...)
		b = strconv.AppendInt(b, g.manifest, 10)
		switch g.kind[c] {
		case blank:
			b = append(b, `,"Undervotes":1,"Overvotes":0,"OutstackConditionIds":[4,6],"Marks":[]}`...)
		case overvoted:
			if modified {
				b = append(b, `,"Undervotes":0,"Overvotes":0,"OutstackConditionIds":[],"Marks":[`...)
				b = g.mark(b, c, g.cand[c], false, true, "")
			} else {
				b = append(b, `,"Undervotes":0,"Overvotes":1,"OutstackConditionIds":[5],"Marks":[`...)
				b = g.mark(b, c, g.cand[c], false, false, "5")
				b = append(b, ',')
				b = g.mark(b, c, g.other[c], false, false, "5")
			}
			b = append(b, "]}"...)
		default:
			amb := g.amb[c] && !modified
			switch {
			case g.cand[c] == synthCandidates-1:
				b = append(b, `,"Undervotes":0,"Overvotes":0,"OutstackConditionIds":[1],"Marks":[`...)
			case amb:
				b = append(b, `,"Undervotes":0,"Overvotes":0,"OutstackConditionIds":[0],"Marks":[`...)
			default:
				b = append(b, `,"Undervotes":0,"Overvotes":0,"OutstackConditionIds":[],"Marks":[`...)
			}
			oc := ""
			if amb {
				oc = "0"
			}
			b = g.mark(b, c, g.cand[c], amb, true, oc)
			b = append(b, "]}"...)
		}
	}
	return append(b, "]}]}"...)
}

// mark appends one mark of candidate k of contest c.
func (g *synth) mark(b []byte, c, k int, amb, vote bool, outstack string) []byte {
	g.manifest++
	b = append(b, `{"CandidateId":`...)
	b = strconv.AppendInt(b, candidateID(c, k), 10)
	b = append(b, `,"ManifestationId":`...)
	b = strconv.AppendInt(b, g.manifest, 10)
	b = append(b, `,"PartyId":0,"Rank":1,"MarkDensity":`...)
	density := 60 + g.rng.IntN(41)
	if amb {
		density = 8 + g.rng.IntN(15) // a faint mark between the thresholds
	}
	b = strconv.AppendInt(b, int64(density), 10)
	if amb {
		b = append(b, `,"IsAmbiguous":true`...)
	} else {
		b = append(b, `,"IsAmbiguous":false`...)
	}
	if vote {
		b = append(b, `,"IsVote":true,"OutstackConditionIds":[`...)
	} else {
		b = append(b, `,"IsVote":false,"OutstackConditionIds":[`...)
	}
	b = append(b, outstack...)
	return append(b, "]}"...)
}

// appendPadded appends n in decimal, zero-padded to width digits, as in image paths.
func appendPadded(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}
