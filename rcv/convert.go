package rcv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// ExplicitOvervote is RCTab's name for an overvote label read from a file
// (Tabulator.EXPLICIT_OVERVOTE_LABEL): a rank with Rank.Overvote set is written under it.
const ExplicitOvervote = "overvote"

// Record is a ballot with what RCTab's converters print beside its rankings
// (docs/formats/cdf-export.md).
type Record struct {
	// Ballot holds the rankings in the configuration's names. Its ID is RCTab's CVR id: the
	// file name and the record's number for ess and genericCsv ("cvr.xlsx-3"), the file name
	// and the vendor id for cdf ("cvr.json(3)"), TabulatorId-BatchId-RecordId for dominion.
	Ballot
	// Source indexes Config.Sources.
	Source int
	// FileRanks are the rankings as the file names the candidates (a Dominion candidate id, a
	// CDF candidate name, the alias a cell holds), undeclared write-ins as UndeclaredWriteIn.
	// RCTab's CDF export writes these names, its CSV export the configuration's.
	FileRanks []Rank
	// VendorID is the record's own id (a CDF BallotPrePrintedId, a Dominion RecordId, an id
	// column), ContestID the vendor's contest id (Dominion), Tabulator the tabulator id and
	// PrecinctPortion the precinct portion (Dominion); any may be empty.
	VendorID, ContestID, Tabulator, PrecinctPortion string
	// BatchID is the batch as the vendor numbers it within its tabulator (Dominion's
	// BatchId), printed in place of Ballot.Batch when set.
	BatchID string
}

// LoadRecords reads every CVR source of the configuration as LoadBallots does and returns
// the contest's ballots as Records, in source order and file order.
func LoadRecords(cfg *Config) ([]Record, error) {
	names := cfg.nameMap()
	var out []Record
	for i := range cfg.Sources {
		src := &cfg.Sources[i]
		r, err := openSource(cfg, src)
		if err != nil {
			return nil, fmt.Errorf("cvrFileSources[%d] (%s): %w", i, src.FilePath, err)
		}
		out, err = appendRecords(out, r, i, src, names)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("cvrFileSources[%d] (%s): %w", i, src.FilePath, err)
		}
	}
	return out, nil
}

// appendRecords reads one source. It keeps the ballots and marks readSource keeps (the
// ballots with the contest; Dominion's ambiguous marks dropped, its IsVote ignored; a mark
// without a rank read as rank 1) and adds the file's names and ids.
func appendRecords(out []Record, r cvr.Reader, srcIndex int, src *Source, names map[string]string) ([]Record, error) {
	base := filepath.Base(src.Path)
	n := 0
	err := eachSourceBallot(r, src, names, func(el *canvass.Election, ci int, b *canvass.Ballot, rb Ballot, resolve func(string) (string, bool)) error {
		n++
		choices := el.Contests[ci].Choices
		// The file's own names: RCTab's Dominion reader keeps candidate ids, the others the
		// name the file gives.
		fileName := func(s string) (string, bool) {
			v, ok := resolve(s)
			if !ok || v == UndeclaredWriteIn {
				return v, ok
			}
			for _, ch := range choices {
				if ch.Name == s || ch.ID == s {
					if src.Provider == "dominion" && ch.ID != "" {
						return ch.ID, true
					}
					return ch.Name, true
				}
			}
			return s, true
		}
		fb, err := FromCanvass(el, ci, b, fileName)
		if err != nil {
			file, rec := r.Where()
			return &canvass.ParseError{Format: src.Provider, File: file, Record: rec, Field: "candidate", Err: err}
		}
		rec := Record{Ballot: rb, Source: srcIndex, FileRanks: fb.Ranks}
		switch src.Provider {
		case "dominion":
			// b.ID is TabulatorId-BatchId-RecordId, RCTab's id for the record.
			if parts := strings.Split(b.ID, "-"); len(parts) == 3 {
				rec.Tabulator, rec.BatchID, rec.VendorID = parts[0], parts[1], parts[2]
			}
			rec.ContestID = el.Contests[ci].ID
			rec.PrecinctPortion, rec.Precinct = b.Precinct, ""
		case "cdf":
			rec.VendorID = b.ID
			rec.ID = base + "(" + b.ID + ")"
		default:
			if src.IDColumnIndex > 0 {
				rec.VendorID = b.ID
			}
			rec.ID = base + "-" + strconv.Itoa(n)
		}
		out = append(out, rec)
		return nil
	})
	return out, err
}

// sanitize is RCTab's ResultsWriter.sanitizeStringForOutput: every character outside
// [a-zA-Z0-9_.-] becomes "_". Java strings are UTF-16, so a character outside the Basic
// Multilingual Plane (two code units) becomes "__".
func sanitize(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			sb.WriteRune(r)
		case r > 0xFFFF:
			sb.WriteString("__")
		default:
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// javaLess orders strings as Java's String.compareTo does: by UTF-16 code unit.
func javaLess(a, b string) bool {
	x, y := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return len(x) < len(y)
}

// cdfNames are the names the Election block of RCTab's CDF export declares: the
// configuration's candidates, Undeclared Write-ins when a source names a label for them (or
// reads blanks as them), and the explicit overvote when a source has an overvote label;
// sorted as Java sorts strings.
func cdfNames(cfg *Config) []string {
	var names []string
	for _, c := range cfg.Candidates {
		names = append(names, c.Name)
	}
	uwi, over := false, false
	for _, s := range cfg.Sources {
		uwi = uwi || strings.TrimSpace(s.UndeclaredWriteInLabel) != "" || s.TreatBlankAsUndeclaredWriteIn
		over = over || strings.TrimSpace(s.OvervoteLabel) != ""
	}
	if uwi {
		names = append(names, UndeclaredWriteIn)
	}
	if over {
		names = append(names, ExplicitOvervote)
	}
	sort.SliceStable(names, func(i, j int) bool { return javaLess(names[i], names[j]) })
	return names
}

// The fixed ids of RCTab's CDF export.
const (
	cdfContestID = "contest-001"
	cdfElection  = "election-001"
	cdfGpUnit    = "gpu-election"
	cdfDevice    = "rd-001"
)

// WriteCDF writes ballots as RCTab's CDF cast vote record report (generateCdfJson in
// conversion mode: one "original" snapshot a ballot, GeneratedDate empty), naming
// candidates by the configuration's names. Use WriteRecordsCDF to name them as the files do, as RCTab does.
func WriteCDF(w io.Writer, cfg *Config, ballots []Ballot) error {
	recs := make([]Record, len(ballots))
	for i := range ballots {
		recs[i] = Record{Ballot: ballots[i], FileRanks: ballots[i].Ranks}
	}
	return WriteRecordsCDF(w, cfg, recs, time.Time{})
}

// WriteRecordsCDF writes records as RCTab's NIST SP 1500-103 CDF cast vote record report
// (docs/formats/cdf-export.md): the Election block declares the candidates, each CVR has one
// "original" snapshot whose selections carry the file's names (Record.FileRanks), sanitized
// into "cs-" ids, ordered by best rank then name. GeneratedDate is generated in its own zone,
// or the empty string when generated is zero, so that the output depends on the input only.
// When the configuration tabulates by precinct, precincts get GpUnits (gpu-1, gpu-2, … in
// RCTab's order, see javaHashOrder) and CVRs a BallotStyleUnitId.
func WriteRecordsCDF(w io.Writer, cfg *Config, recs []Record, generated time.Time) error {
	bw := bufio.NewWriter(w)
	jw := &jsonWriter{w: bw}
	byPrecinct := cfg.Output.TabulateByPrecinct
	gpu := map[string]string{}
	var precincts []string
	if byPrecinct {
		seen := map[string]bool{}
		for i := range recs {
			if p := recs[i].Precinct; !seen[p] {
				seen[p] = true
				precincts = append(precincts, p)
			}
		}
		precincts = javaHashOrder(precincts)
		for i, p := range precincts {
			gpu[p] = "gpu-" + strconv.Itoa(i+1)
		}
	}

	jw.open('{')
	jw.key("@type").str("CVR.CastVoteRecordReport")
	jw.key("CVR").open('[')
	for i := range recs {
		r := &recs[i]
		id := sanitize(r.ID)
		snap := "ballot-" + id
		jw.elem().open('{')
		jw.key("@type").str("CVR")
		jw.key("BallotPrePrintedId").str(id)
		if byPrecinct {
			jw.key("BallotStyleUnitId").str(gpu[r.Precinct])
		}
		jw.key("CVRSnapshot").open('[')
		jw.elem().open('{')
		jw.key("@id").str(snap)
		jw.key("@type").str("CVR.CVRSnapshot")
		jw.key("CVRContest").open('[')
		jw.elem().open('{')
		jw.key("@type").str("CVR.CVRContest")
		jw.key("CVRContestSelection").open('[')
		for _, sel := range selections(r.FileRanks) {
			jw.elem().open('{')
			jw.key("@type").str("CVR.CVRContestSelection")
			jw.key("ContestSelectionId").str("cs-" + strings.ToLower(sanitize(sel.name)))
			jw.key("SelectionPosition").open('[')
			for _, rank := range sel.ranks {
				jw.elem().open('{')
				jw.key("@type").str("CVR.SelectionPosition")
				jw.key("HasIndication").str("yes")
				jw.key("IsAllocable").str("unknown")
				jw.key("NumberVotes").raw("1")
				jw.key("Rank").raw(strconv.Itoa(rank))
				jw.close('}')
			}
			jw.close(']')
			jw.close('}')
		}
		jw.close(']')
		jw.key("ContestId").str(cdfContestID)
		jw.close('}')
		jw.close(']')
		jw.key("Type").str("original")
		jw.close('}')
		jw.close(']')
		jw.key("CurrentSnapshotId").str(snap)
		jw.key("ElectionId").str(cdfElection)
		jw.close('}')
	}
	jw.close(']')

	jw.key("Election").open('[')
	jw.elem().open('{')
	jw.key("@id").str(cdfElection)
	jw.key("@type").str("Election")
	names := cdfNames(cfg)
	jw.key("Candidate").open('[')
	for _, n := range names {
		jw.elem().open('{')
		jw.key("@id").str("c-" + strings.ToLower(sanitize(n)))
		jw.key("Name").str(n)
		jw.close('}')
	}
	jw.close(']')
	jw.key("Contest").open('[')
	jw.elem().open('{')
	jw.key("@id").str(cdfContestID)
	jw.key("@type").str("CandidateContest")
	jw.key("ContestSelection").open('[')
	for _, n := range names {
		jw.elem().open('{')
		jw.key("@id").str("cs-" + strings.ToLower(sanitize(n)))
		jw.key("@type").str("ContestSelection")
		jw.key("CandidateIds").open('[')
		jw.elem().str("c-" + strings.ToLower(sanitize(n)))
		jw.close(']')
		jw.close('}')
	}
	jw.close(']')
	jw.key("Name").str(cfg.Output.ContestName)
	jw.close('}')
	jw.close(']')
	jw.key("ElectionScopeId").str(cdfGpUnit)
	jw.close('}')
	jw.close(']')

	date := ""
	if !generated.IsZero() {
		// Java's "yyyy-MM-dd'T'HH:mm:ssXXX".
		date = generated.Format("2006-01-02T15:04:05Z07:00")
	}
	jw.key("GeneratedDate").str(date)
	jw.key("GpUnit").open('[')
	jw.elem().open('{')
	jw.key("@id").str(cdfGpUnit)
	jw.key("@type").str("GpUnit")
	jw.key("Name").str(cfg.Output.ContestJurisdiction)
	jw.key("OtherType").str("Election Scope Jurisdiction")
	jw.key("Type").str("other")
	jw.close('}')
	for _, p := range precincts {
		jw.elem().open('{')
		jw.key("@id").str(gpu[p])
		jw.key("@type").str("GpUnit")
		jw.key("Name").str(p)
		jw.key("Type").str("precinct")
		jw.close('}')
	}
	jw.close(']')
	jw.key("ReportGeneratingDeviceIds").open('[')
	jw.elem().str(cdfDevice)
	jw.close(']')
	jw.key("ReportingDevice").open('[')
	jw.elem().open('{')
	jw.key("@id").str(cdfDevice)
	jw.key("@type").str("CVR.ReportingDevice")
	jw.key("Application").str("RCTab")
	jw.key("Manufacturer").str("Bright Spots")
	jw.close('}')
	jw.close(']')
	jw.key("Version").str("1.0.0")
	jw.close('}')
	if jw.err != nil {
		return fmt.Errorf("rcv: cdf: %w", jw.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rcv: cdf: %w", err)
	}
	return nil
}

// javaHashOrder returns the strings (distinct, in insertion order) in the order a Java
// HashSet<String> filled in that order iterates them, which is the order RCTab numbers and
// writes precinct GpUnits in: by bucket, hash(s) = h ^ (h >>> 16) masked to the table size
// (the least power of two from 16 up holding them at load factor 0.75), h being
// String.hashCode (s[0]*31^(n-1) + … + s[n-1] over UTF-16 code units, 32-bit); within a
// bucket, in insertion order. (Java makes a tree of a bucket holding 8 or more strings; such
// collisions are not modelled.)
func javaHashOrder(in []string) []string {
	size := uint32(16)
	for float64(len(in)) > 0.75*float64(size) {
		size *= 2
	}
	bucket := make([]uint32, len(in))
	for i, s := range in {
		var h uint32
		for _, u := range utf16.Encode([]rune(s)) {
			h = 31*h + uint32(u)
		}
		bucket[i] = (h ^ h>>16) & (size - 1)
	}
	idx := make([]int, len(in))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bucket[idx[a]] < bucket[idx[b]] })
	out := make([]string, len(in))
	for i, k := range idx {
		out[i] = in[k]
	}
	return out
}

// selection is one candidate of a ballot with every rank the ballot gives it.
type selection struct {
	name  string
	ranks []int
}

// selections groups a ballot's ranks by candidate (an overvote label as ExplicitOvervote),
// each candidate's ranks ascending, candidates ordered by their best rank and then by name
// (RCTab's getCandidatesWithRanksList).
func selections(ranks []Rank) []selection {
	var out []selection
	idx := map[string]int{}
	add := func(name string, rank int) {
		i, ok := idx[name]
		if !ok {
			i = len(out)
			idx[name] = i
			out = append(out, selection{name: name})
		}
		out[i].ranks = append(out[i].ranks, rank)
	}
	for _, r := range ranks {
		if r.Overvote {
			add(ExplicitOvervote, r.Rank)
		}
		for _, c := range r.Candidates {
			add(c, r.Rank)
		}
	}
	for i := range out {
		sort.Ints(out[i].ranks)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ranks[0] != out[j].ranks[0] {
			return out[i].ranks[0] < out[j].ranks[0]
		}
		return javaLess(out[i].name, out[j].name)
	})
	return out
}

// jsonWriter writes JSON in the layout of Jackson's DefaultPrettyPrinter, which RCTab uses:
// object members on their own lines indented two spaces a level, `"key" : value`, array
// elements on the bracket's line separated by ", " (`[ {`, `}, {`, `} ]`, `[ ]`).
type jsonWriter struct {
	w *bufio.Writer
	// stack holds, for each open bracket, whether it has had an element yet.
	stack []bool
	// depth counts the open objects, which alone indent.
	depth int
	buf   bytes.Buffer
	err   error
}

func (j *jsonWriter) write(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// started marks the innermost bracket as having an element and says whether it had one.
func (j *jsonWriter) started() bool {
	if len(j.stack) == 0 {
		return false
	}
	had := j.stack[len(j.stack)-1]
	j.stack[len(j.stack)-1] = true
	return had
}

// key starts an object member.
func (j *jsonWriter) key(k string) *jsonWriter {
	if j.started() {
		j.write(",")
	}
	j.write("\n" + strings.Repeat("  ", j.depth))
	j.quote(k)
	j.write(" : ")
	return j
}

// elem starts an array element.
func (j *jsonWriter) elem() *jsonWriter {
	if j.started() {
		j.write(", ")
	} else {
		j.write(" ")
	}
	return j
}

func (j *jsonWriter) open(c byte) *jsonWriter {
	j.write(string(c))
	j.stack = append(j.stack, false)
	if c == '{' {
		j.depth++
	}
	return j
}

func (j *jsonWriter) close(c byte) {
	had := j.stack[len(j.stack)-1]
	j.stack = j.stack[:len(j.stack)-1]
	if c == '}' {
		j.depth--
		if had {
			j.write("\n" + strings.Repeat("  ", j.depth) + "}")
		} else {
			j.write(" }")
		}
		return
	}
	j.write(" ]")
}

func (j *jsonWriter) str(s string) *jsonWriter {
	j.quote(s)
	return j
}

func (j *jsonWriter) raw(s string) *jsonWriter {
	j.write(s)
	return j
}

// quote writes s as a JSON string; like Jackson it leaves <, > and & as they are.
func (j *jsonWriter) quote(s string) {
	j.buf.Reset()
	enc := json.NewEncoder(&j.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil && j.err == nil {
		j.err = err
	}
	j.write(strings.TrimSuffix(j.buf.String(), "\n"))
}

// WriteCVRCSV writes records as RCTab's generic CVR CSV (writeRcTabCvrCsv,
// docs/formats/cdf-export.md): a header, then a row a record with its source's file path as
// written in the configuration, provider, vendor contest id, RCTab CVR id, tabulator, batch,
// vendor id, precinct and precinct portion, then one column a rank up to maxRankingsAllowed
// (the number of declared candidates for "max"): the configuration's name of each candidate
// at the rank (several joined by newlines), the source's undeclared write-in label for an
// undeclared write-in, "overvote" for an overvote label, "undervote" for no mark.
func WriteCVRCSV(w io.Writer, cfg *Config, recs []Record) error {
	maxRank := cfg.Rules.MaxRankings
	if maxRank <= 0 {
		maxRank = len(cfg.Candidates)
	}
	cw := csv.NewWriter(w)
	header := []string{"Source Filepath", "CVR Provider", "Contest Id", "RCTab CVR Id", "Tabulator Id", "Batch Id", "Vendor Id", "Precinct", "Precinct Portion"}
	for r := 1; r <= maxRank; r++ {
		header = append(header, "Rank "+strconv.Itoa(r))
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("rcv: cvr csv: %w", err)
	}
	row := make([]string, len(header))
	for i := range recs {
		r := &recs[i]
		var src Source
		if r.Source >= 0 && r.Source < len(cfg.Sources) {
			src = cfg.Sources[r.Source]
		}
		batch := r.Batch
		if r.BatchID != "" {
			batch = r.BatchID
		}
		copy(row, []string{src.FilePath, src.Provider, r.ContestID, r.ID, r.Tabulator, batch, r.VendorID, r.Precinct, r.PrecinctPortion})
		for k := 9; k < len(row); k++ {
			row[k] = "undervote"
		}
		for _, rk := range r.Ranks {
			if rk.Rank < 1 || rk.Rank > maxRank {
				continue
			}
			var at []string
			if rk.Overvote {
				at = append(at, ExplicitOvervote)
			}
			for _, c := range rk.Candidates {
				if c == UndeclaredWriteIn {
					c = src.UndeclaredWriteInLabel
				}
				at = append(at, c)
			}
			row[8+rk.Rank] = strings.Join(at, "\n")
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("rcv: cvr csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("rcv: cvr csv: %w", err)
	}
	return nil
}
