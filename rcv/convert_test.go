package rcv

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// rctabConversionCases is the copy of RCTab's regression cases (testdata/README.md).
const rctabConversionCases = "../testdata/rcv/rctab"

// cdfCases are the RCTab cases that ship an *_expected_cdf_cvr.json.
func cdfCases(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join(rctabConversionCases, "*", "*_expected_cdf_cvr.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no expected CDF files under %s: %v", rctabConversionCases, err)
	}
	return paths
}

// originalOnly turns RCTab's CDF export of a tabulation (an "original" snapshot and one
// "interpreted" snapshot a round, the current one the last round's) into what conversion
// writes: the original snapshot alone, current. GeneratedDate (a clock reading) is blanked.
func originalOnly(doc map[string]any) {
	doc["GeneratedDate"] = ""
	cvrs, _ := doc["CVR"].([]any)
	for _, c := range cvrs {
		cm, _ := c.(map[string]any)
		snaps, _ := cm["CVRSnapshot"].([]any)
		for _, s := range snaps {
			sm, _ := s.(map[string]any)
			if sm["Type"] == "original" {
				cm["CVRSnapshot"] = []any{sm}
				cm["CurrentSnapshotId"] = sm["@id"]
				break
			}
		}
	}
}

func parseJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// firstDiff names the first path where a and b differ.
func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return path + ": object vs " + fmt.Sprintf("%T", b)
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if d := firstDiff(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok {
			return path + ": array vs " + fmt.Sprintf("%T", b)
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		if len(x) != len(y) {
			return fmt.Sprintf("%s: %d elements, want %d", path, len(x), len(y))
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: got %v, want %v", path, a, b)
	}
	return ""
}

// TestWriteRecordsCDFMatchesRCTab converts every case that ships RCTab's CDF export and
// compares the result with it as parsed JSON. For the cases RCTab exported while tabulating,
// the per-round "interpreted" snapshots are set aside (see originalOnly).
func TestWriteRecordsCDFMatchesRCTab(t *testing.T) {
	for _, want := range cdfCases(t) {
		name := strings.TrimSuffix(filepath.Base(want), "_expected_cdf_cvr.json")
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(filepath.Join(filepath.Dir(want), name+"_config.json"))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := LoadRecords(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteRecordsCDF(&got, cfg, recs, time.Time{}); err != nil {
				t.Fatal(err)
			}
			wantData, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			g, w := parseJSON(t, got.Bytes()), parseJSON(t, wantData)
			originalOnly(w)
			if d := firstDiff("$", g, w); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestWriteCVRCSVMatchesRCTab converts the conversions_from_* cases to RCTab's CVR CSV and
// compares the records field by field.
func TestWriteCVRCSVMatchesRCTab(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(rctabConversionCases, "conversions_from_*", "*_expected.csv"))
	if len(paths) == 0 {
		t.Fatal("no expected CSV files")
	}
	for _, want := range paths {
		name := strings.TrimSuffix(filepath.Base(want), "_expected.csv")
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(filepath.Join(filepath.Dir(want), name+"_config.json"))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := LoadRecords(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteCVRCSV(&got, cfg, recs); err != nil {
				t.Fatal(err)
			}
			wantData, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			g, err := csv.NewReader(&got).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			w, err := csv.NewReader(bytes.NewReader(wantData)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(g) && i < len(w); i++ {
				if !reflect.DeepEqual(g[i], w[i]) {
					t.Fatalf("row %d:\n got %q\nwant %q", i+1, g[i], w[i])
				}
			}
			if len(g) != len(w) {
				t.Fatalf("%d rows, want %d", len(g), len(w))
			}
		})
	}
}

// TestSanitize checks RCTab's sanitizeStringForOutput, [^a-zA-Z0-9_\-.] → "_", worked by hand;
// U+1F600 is two UTF-16 code units in Java, so two underscores.
func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"Joseph R. Biden":      "Joseph_R._Biden",
		"Nekima Levy-Pounds":   "Nekima_Levy-Pounds",
		"cvr.json(1)":          "cvr.json_1_",
		"Zoë":                  "Zo_",
		"a\U0001F600b":         "a__b",
		"Undeclared Write-ins": "Undeclared_Write-ins",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJavaHashOrder checks Java HashSet iteration order on hand-computed hashes:
// "a".hashCode() = 97 → bucket 97&15 = 1, "b" = 98 → 2, "q" = 113 → 1, and "Aa" and "BB"
// both hash to 65*31+97 = 66*31+66 = 2112 → bucket 0, kept in insertion order.
func TestJavaHashOrder(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"q", "b", "a"}, []string{"q", "a", "b"}},
		{[]string{"a", "BB", "Aa"}, []string{"BB", "Aa", "a"}},
		{nil, []string{}},
	} {
		if got := javaHashOrder(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("javaHashOrder(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestJavaLess checks String.compareTo order: by UTF-16 code unit, so "Z" (0x5A) before "a"
// (0x61), and U+1F600 (high surrogate 0xD83D) before U+FF5E, the reverse of UTF-8 byte order.
func TestJavaLess(t *testing.T) {
	if !javaLess("Z", "a") || javaLess("a", "Z") {
		t.Error(`want "Z" < "a"`)
	}
	if !javaLess("\U0001F600", "\uFF5E") || "\U0001F600" < "\uFF5E" {
		t.Error("want U+1F600 < U+FF5E in Java order")
	}
	if !javaLess("ab", "abc") || javaLess("abc", "abc") {
		t.Error("want a prefix first and a string not less than itself")
	}
}

// TestSelections checks RCTab's getCandidatesWithRanksList on a ballot ranking D at 1 and 2,
// A at 3, and an overvote of C and B at 4: D [1 2], A [3], then B and C (rank 4, by name).
func TestSelections(t *testing.T) {
	got := selections([]Rank{
		{Rank: 2, Candidates: []string{"D"}},
		{Rank: 1, Candidates: []string{"D"}},
		{Rank: 3, Candidates: []string{"A"}},
		{Rank: 4, Candidates: []string{"C", "B"}},
		{Rank: 5, Overvote: true},
	})
	want := []selection{{"D", []int{1, 2}}, {"A", []int{3}}, {"B", []int{4}}, {"C", []int{4}}, {ExplicitOvervote, []int{5}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("selections = %v, want %v", got, want)
	}
}

// TestCDFNames: candidates b and A, a source with an overvote label and one with an
// undeclared write-in label declare, in Java order, A, Undeclared Write-ins (U = 0x55), b,
// overvote.
func TestCDFNames(t *testing.T) {
	cfg := &Config{
		Candidates: []Candidate{{Name: "b"}, {Name: "A"}},
		Sources:    []Source{{OvervoteLabel: "OVER"}, {UndeclaredWriteInLabel: "UWI"}},
	}
	want := []string{"A", UndeclaredWriteIn, "b", ExplicitOvervote}
	if got := cdfNames(cfg); !reflect.DeepEqual(got, want) {
		t.Errorf("cdfNames = %q, want %q", got, want)
	}
}

// TestWriteCVRCSVRow checks one row worked by hand: maxRankingsAllowed 4, rank 1 an
// undeclared write-in (printed as the source's label), rank 2 an overvote of two candidates
// (one cell, names on separate lines), rank 3 skipped, rank 4 an overvote label, rank 5
// beyond the maximum and so not printed.
func TestWriteCVRCSVRow(t *testing.T) {
	cfg := &Config{
		Sources:    []Source{{FilePath: "in.csv", Provider: "genericCsv", UndeclaredWriteInLabel: "WI"}},
		Candidates: []Candidate{{Name: "A"}, {Name: "B"}},
		Rules:      Rules{MaxRankings: 4},
	}
	recs := []Record{{Ballot: Ballot{ID: "in.csv-1", Precinct: "P1", Batch: "7", Ranks: []Rank{
		{Rank: 1, Candidates: []string{UndeclaredWriteIn}},
		{Rank: 2, Candidates: []string{"B", "A"}},
		{Rank: 4, Overvote: true},
		{Rank: 5, Candidates: []string{"A"}},
	}}, VendorID: "v1"}}
	var buf bytes.Buffer
	if err := WriteCVRCSV(&buf, cfg, recs); err != nil {
		t.Fatal(err)
	}
	want := "Source Filepath,CVR Provider,Contest Id,RCTab CVR Id,Tabulator Id,Batch Id,Vendor Id,Precinct,Precinct Portion,Rank 1,Rank 2,Rank 3,Rank 4\n" +
		"in.csv,genericCsv,,in.csv-1,,7,v1,P1,,WI,\"B\nA\",undervote,overvote\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// FuzzWriteRecordsCDF writes a ballot with arbitrary ids and candidate names: the output must
// parse as JSON, and every id RCTab sanitizes must hold only [a-z0-9_.-] after its prefix.
func FuzzWriteRecordsCDF(f *testing.F) {
	f.Add("simple_ess_cvr.xlsx-1", "Mookie Blaylock", "Yinka Dare", "P1")
	f.Add("cvr.json(1)", "Zoë \"Q\" <&>", "\U0001F600", "")
	f.Add("", "", "\x00\xff", "MINNEAPOLIS W-9 P-02")
	f.Fuzz(func(t *testing.T, id, c1, c2, precinct string) {
		cfg := &Config{Candidates: []Candidate{{Name: c1}, {Name: c2}}, Output: OutputSettings{TabulateByPrecinct: true}}
		recs := []Record{{Ballot: Ballot{ID: id, Precinct: precinct}, FileRanks: []Rank{
			{Rank: 1, Candidates: []string{c1, c2}}, {Rank: 2, Candidates: []string{c1}}, {Rank: 3, Overvote: true}}}}
		var buf bytes.Buffer
		if err := WriteRecordsCDF(&buf, cfg, recs, time.Time{}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			CVR []struct {
				BallotPrePrintedId string
				CVRSnapshot        []struct {
					CVRContest []struct {
						CVRContestSelection []struct{ ContestSelectionId string }
					}
				}
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
		}
		ok := func(s string) bool {
			for _, r := range s {
				if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
					return false
				}
			}
			return true
		}
		if len(doc.CVR) != 1 || !ok(doc.CVR[0].BallotPrePrintedId) {
			t.Fatalf("CVR ids: %+v", doc.CVR)
		}
		n := 0
		for _, s := range doc.CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection {
			n++
			if !strings.HasPrefix(s.ContestSelectionId, "cs-") || !ok(s.ContestSelectionId) || strings.ToLower(s.ContestSelectionId) != s.ContestSelectionId {
				t.Fatalf("selection id %q", s.ContestSelectionId)
			}
		}
		// c1, c2 and the overvote: three selections, two when c1 and c2 are one name.
		want := 3
		if c1 == c2 {
			want = 2
		}
		if n != want {
			t.Fatalf("%d selections, want %d", n, want)
		}
	})
}
