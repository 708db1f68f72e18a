package clearballot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// rctab is RCTab's regression suite copied into the repository's testdata (see testdata/README.md) (Mozilla
// Public License 2.0; see its README).
var rctab = filepath.Join("..", "..", "testdata", "rcv", "rctab")

var inlineComma = filepath.Join(rctab, "clear_ballot_with_inline_comma", "clear_ballot_with_inline_comma_cvr.csv")

// render writes a ballot as "id|precinct|style|scanner|box|Contest: Choice#rank, ...".
func render(e *canvass.Election, b *canvass.Ballot) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%s|%s|%s|%s|", b.ID, b.Precinct, b.BallotType, b.Tabulator, b.Batch)
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
			if m.Choice == canvass.NoChoice {
				sb.WriteString(" (overvote)")
			} else {
				sb.WriteString(" " + c.Choices[m.Choice].Name)
			}
			if m.Rank != 0 {
				fmt.Fprintf(&sb, "#%d", m.Rank)
			}
		}
	}
	return sb.String()
}

func readAll(t *testing.T, r cvr.Reader) ([]string, []*canvass.Ballot) {
	t.Helper()
	defer r.Close()
	var out []string
	var bs []*canvass.Ballot
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out, bs
		}
		if err != nil {
			t.Fatalf("ballot %d: %v", len(out)+1, err)
		}
		out = append(out, render(r.Election(), b))
		bs = append(bs, b.Clone())
	}
}

// TestInlineComma reads RCTab's clear_ballot_with_inline_comma case: 178 rows, one contest
// "City of Portland, Auditor" (a comma inside the quoted header) with three choices ranked
// 1 and 2. By hand from the file (choice columns: Simone r1, Simone r2, Write-in-28 r1,
// Write-in-28 r2, Lisa r1, Lisa r2):
//   - row 1 (RCV-0255+10003, precinct 76, style 1, ScanStation2, box RCV-0255) is all zeros;
//   - row 90 (RCV-0256+10003) is 1,0,0,1,0,0: Simone 1, Write-in-28 2;
//   - row 92 (RCV-0256+10007) is 0,1,1,0,0,0: Simone 2, Write-in-28 1;
//   - row 103 (RCV-0256+10029) is 1,1,0,0,0,0: Simone at both ranks;
//   - row 109 (RCV-0256+10041) is 1,0,1,0,0,0: two choices at rank 1.
//
// RCTab's round 1 (its expected report): Simone test Rede 71, Write-in-28 9, Lisa Simpson 1.
func TestInlineComma(t *testing.T) {
	opts := cvr.RankedOptions{Contest: "City of Portland, Auditor", Candidates: []cvr.RankedCandidate{
		{Name: "Simone test Rede"}, {Name: "Write-in-28"}, {Name: "Invalid"}, {Name: "Lisa Simpson"}}}
	r, err := Open(inlineComma, opts)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Election()
	if len(e.Contests) != 1 || e.Contests[0].Name != "City of Portland, Auditor" || e.Contests[0].Type != canvass.IRV || e.Contests[0].VoteFor != 2 || len(e.Contests[0].Choices) != 4 {
		t.Fatalf("election %+v", e.Contests[0])
	}
	lines, bs := readAll(t, r)
	if len(lines) != 178 {
		t.Fatalf("%d ballots, want 178", len(lines))
	}
	const c = "|City of Portland, Auditor:"
	for _, tc := range []struct {
		row  int
		want string
	}{
		{1, "RCV-0255+10003|76|1|ScanStation2|RCV-0255" + c + " (blank)"},
		{90, "RCV-0256+10003|79|2|ScanStation3|RCV-0256" + c + " Simone test Rede#1, Write-in-28#2"},
		{92, "RCV-0256+10007|59|3|ScanStation3|RCV-0256" + c + " Simone test Rede#2, Write-in-28#1"},
		{103, "RCV-0256+10029|3|1|ScanStation3|RCV-0256" + c + " Simone test Rede#1, Simone test Rede#2"},
		{109, "RCV-0256+10041|31|1|ScanStation3|RCV-0256" + c + " Simone test Rede#1, Write-in-28#1"},
	} {
		if lines[tc.row-1] != tc.want {
			t.Errorf("row %d:\n got %s\nwant %s", tc.row, lines[tc.row-1], tc.want)
		}
	}
	first := map[string]int{}
	for _, b := range bs {
		// The first choice is at the lowest rank marked: RCTab skips an empty rank (this
		// case allows 50). Its overvote rule skips to the next rank, and no overvote of this
		// file has a later rank, so an overvote counts for nobody.
		var at1 []int32
		low := int32(1 << 30)
		for _, m := range b.Contests[0].Marks {
			if m.Rank < low {
				low, at1 = m.Rank, nil
			}
			if m.Rank == low {
				at1 = append(at1, m.Choice)
			}
		}
		if len(at1) == 1 {
			first[e.Contests[0].Choices[at1[0]].Name]++
		}
	}
	if got := fmt.Sprint(first); got != "map[Lisa Simpson:1 Simone test Rede:71 Write-in-28:9]" {
		t.Errorf("first choices %s; RCTab's round 1 has Simone test Rede 71, Write-in-28 9, Lisa Simpson 1", got)
	}
}

// TestAllContests reads the file through the registry (no contest given): the same 178
// ballots, the choices named from the header in column order.
func TestAllContests(t *testing.T) {
	if got, err := cvr.Sniff(inlineComma); err != nil || got != FormatName {
		t.Fatalf("Sniff = %q, %v", got, err)
	}
	r, err := cvr.Open(inlineComma, "auto", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Election()
	lines, _ := readAll(t, r)
	var names []string
	for _, ch := range e.Contests[0].Choices {
		names = append(names, ch.Name+"/"+ch.ID+"/"+ch.Party)
	}
	if len(lines) != 178 || strings.Join(names, ", ") != "Simone test Rede/Choice_6_1/NON, Write-in-28/Choice_28_1/NON, Lisa Simpson/Choice_50009_1/NON" {
		t.Errorf("%d ballots, choices %v", len(lines), names)
	}
}

const small = "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,ScanComputerName,Status,Remade," +
	"Choice_1_1:Mayor:1:Number of Winners 1:Ann:DEM,Choice_1_1:Mayor:2:Number of Winners 1:Ann:DEM," +
	"Choice_2_1:Mayor:1:Number of Winners 1:UWI:NON,Choice_2_1:Mayor:2:Number of Winners 1:UWI:NON," +
	"Choice_3_1:Mayor:1:Number of Winners 1:OV:NON,Choice_3_1:Mayor:2:Number of Winners 1:OV:NON," +
	"Choice_9_1:Question 1:1:Number of Winners 1:Yes:NON,Choice_10_1:Question 1:1:Number of Winners 1:No:NON\n" +
	"1,B1,1,b1,P1,S1,PS1,SC1,0,0,0,1,1,0,0,0,1,0\n" +
	"2,B1,2,b2,P1,S1,PS1,SC1,0,0,0,0,0,0,1,0,0,0\n"

// TestSmall checks small by hand: b1 ranks the write-in 1 and Ann 2 and votes Yes; b2 marks
// the overvote label at rank 1 and leaves the question blank.
func TestSmall(t *testing.T) {
	r, err := newReader(strings.NewReader(small), "small.csv", cvr.RankedOptions{UndeclaredWriteInLabel: "UWI", OvervoteLabel: "OV"})
	if err != nil {
		t.Fatal(err)
	}
	lines, bs := readAll(t, r)
	want := []string{"b1|P1|S1|SC1|B1|Mayor: Ann#2, Undeclared Write-ins#1; Question 1: Yes", "b2|P1|S1|SC1|B1|Mayor: (overvote)#1; Question 1: (blank)"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if bs[1].Contests[0].Marks[0].Flags != canvass.OvervoteMark || bs[0].Contests[0].Marks[1].Flags != canvass.WriteInMark {
		t.Errorf("flags %+v %+v", bs[0].Contests[0].Marks, bs[1].Contests[0].Marks)
	}
	if q := r.Election().Contests[1]; q.Type != canvass.Plurality || q.VoteFor != 1 {
		t.Errorf("question %+v", q)
	}
}

// TestErrors checks that bad input gives a ParseError naming the file, the row, the line and
// the column.
func TestErrors(t *testing.T) {
	lines := strings.SplitAfter(small, "\n")
	for _, tc := range []struct {
		name  string
		data  string
		opts  cvr.RankedOptions
		want  error
		rec   int64
		line  int64
		field string
	}{
		{"empty", "", cvr.RankedOptions{}, canvass.ErrTruncated, 0, 1, ""},
		{"no choice columns", "RowNumber,BoxID,BallotID\n1,2,3\n", cvr.RankedOptions{}, canvass.ErrWrongFormat, 0, 1, ""},
		{"bad header", strings.Replace(small, "Choice_9_1:Question 1:1:Number of Winners 1:Yes:NON", "Choice_9_1:Question 1:Yes:NON", 1), cvr.RankedOptions{}, canvass.ErrSyntax, 0, 1, "Choice_9_1:Question 1:Yes:NON"},
		{"bad rank", strings.Replace(small, "Choice_9_1:Question 1:1:", "Choice_9_1:Question 1:x:", 1), cvr.RankedOptions{}, canvass.ErrNotNumber, 0, 1, "Choice_9_1:Question 1:x:Number of Winners 1:Yes:NON"},
		{"bad cell", lines[0] + lines[1] + strings.Replace(lines[2], "1,0,0,0\n", "1,0,2,0\n", 1), cvr.RankedOptions{}, canvass.ErrSyntax, 2, 3, "Choice_9_1:Question 1:1:Number of Winners 1:Yes:NON"},
		{"short row", lines[0] + lines[1] + "3,B1\n", cvr.RankedOptions{}, canvass.ErrSyntax, 2, 3, ""},
		{"unknown contest", small, cvr.RankedOptions{Contest: "Governor"}, canvass.ErrUnknownContest, 0, 1, ""},
		{"unknown candidate", small, cvr.RankedOptions{Contest: "Mayor", Candidates: []cvr.RankedCandidate{{Name: "Ann"}}}, canvass.ErrUnknownChoice, 0, 1, "Choice_2_1:Mayor:1:Number of Winners 1:UWI:NON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := newReader(strings.NewReader(tc.data), "bad.csv", tc.opts)
			for err == nil {
				_, err = r.Next()
			}
			var pe *cvr.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v (%T) is not a ParseError", err, err)
			}
			if pe.File != "bad.csv" || pe.Record != tc.rec || pe.Line != tc.line || pe.Field != tc.field || !errors.Is(err, tc.want) {
				t.Errorf("got %v (record %d line %d field %q); want %v record %d line %d field %q", err, pe.Record, pe.Line, pe.Field, tc.want, tc.rec, tc.line, tc.field)
			}
		})
	}
}

// FuzzClearBallot: no panic, errors are ParseErrors, marks refer to the Election. Seeds: small
// and the first 12 lines of RCTab's inline-comma file.
func FuzzClearBallot(f *testing.F) {
	f.Add(small)
	data, err := os.ReadFile(inlineComma)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.Join(strings.SplitAfter(string(data), "\n")[:12], ""))
	f.Fuzz(func(t *testing.T, data string) {
		r, err := newReader(strings.NewReader(data), "fuzz.csv", cvr.RankedOptions{OvervoteLabel: "OV", UndeclaredWriteInLabel: "UWI"})
		for n := 0; err == nil && n < 10000; n++ {
			var b *canvass.Ballot
			if b, err = r.Next(); err == nil {
				e := r.Election()
				for _, cm := range b.Contests {
					for _, m := range cm.Marks {
						if m.Choice != canvass.NoChoice && int(m.Choice) >= len(e.Contests[cm.Contest].Choices) || int(m.Rank) > e.Contests[cm.Contest].VoteFor {
							t.Fatalf("mark %+v out of range", m)
						}
					}
				}
			}
		}
		var pe *cvr.ParseError
		if err != nil && err != io.EOF && !errors.As(err, &pe) {
			t.Fatalf("%v (%T) is not a ParseError", err, err)
		}
	})
}
