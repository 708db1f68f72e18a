package cdf

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// readErr reads data to the end and returns the first error (nil at a clean io.EOF).
func readErr(data []byte, name string, seekable bool) error {
	var in io.Reader = bytes.NewReader(data)
	if !seekable {
		in = nonSeeker{in}
	}
	r, err := NewReader(in, name, cvr.Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit replaces old, which must occur exactly once in data, by new.
func edit(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(data, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times", old, n)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// TestBadInput checks that bad input gives a *canvass.ParseError naming the file, the 1-based
// CVR (0 for the definitions) and the field, wrapping the right sentinel.
func TestBadInput(t *testing.T) {
	hand := mustRead(t, filepath.Join("testdata", "handmade.json"))
	last := mustRead(t, filepath.Join("testdata", "election_last.json"))
	dominion := mustRead(t, filepath.Join("..", "..", "testdata", "cvr", "dominion-kuriwaki", "CvrExport_42.json"))
	xml := mustRead(t, filepath.Join("..", "..", "testdata", "cvr", "nist-cdf", "example_1.xml"))

	for _, tc := range []struct {
		name   string
		data   []byte
		want   error // sentinel, or nil for none in particular
		record int64
		field  string
		msg    string // a part of the message
	}{
		{"empty file", nil, canvass.ErrTruncated, 0, "", "empty"},
		{"Dominion CVR export", dominion, canvass.ErrWrongFormat, 0, "", "without @type"},
		{"XML", xml, canvass.ErrWrongFormat, 0, "", "not JSON"},
		{"array", []byte(`[{"@type": "CVR.CastVoteRecordReport"}]`), canvass.ErrWrongFormat, 0, "", "an array"},
		{"empty object", []byte(`{}`), canvass.ErrWrongFormat, 0, "", ""},
		{"other @type", edit(t, hand, `"@type": "CVR.CastVoteRecordReport"`, `"@type": "ElectionResults.ElectionReport"`), canvass.ErrWrongFormat, 0, "@type", "ElectionResults.ElectionReport"},
		{"no Election", edit(t, last, `"Election" :`, `"Elections" :`), canvass.ErrMissingField, 0, "Election", ""},
		{"unknown contest", edit(t, hand, `"ContestId": "c-council", "Undervotes": 1`, `"ContestId": "c-nope", "Undervotes": 1`),
			canvass.ErrUnknownContest, 2, fieldContestID, `"c-nope"`},
		{"unknown selection", edit(t, hand, `"ContestSelectionId": "cs-mayor-wi"`, `"ContestSelectionId": "cs-ghost"`),
			canvass.ErrUnknownChoice, 3, fieldSelection, `"cs-ghost" is not a ContestSelection @id of contest "c-mayor"`},
		{"selection of another contest", edit(t, hand, `"ContestSelectionId": "cs-y", "Rank": 1`, `"ContestSelectionId": "cs-alice", "Rank": 1`),
			canvass.ErrUnknownChoice, 8, fieldSelection, `"cs-alice"`},
		{"unknown contest, election last", edit(t, last, `"ContestId" : "contest-002"
      } ],
      "Type" : "original"
    } ],
    "CurrentSnapshotId" : "ballot-3"`, `"ContestId" : "contest-009"
      } ],
      "Type" : "original"
    } ],
    "CurrentSnapshotId" : "ballot-3"`), canvass.ErrUnknownContest, 3, fieldContestID, `"contest-009"`},
		{"dangling CurrentSnapshotId", edit(t, hand, `"CurrentSnapshotId": "b7-o"`, `"CurrentSnapshotId": "b7-x"`),
			canvass.ErrMissingField, 7, fieldCurrent, `"b7-x"`},
		{"Overvotes a string", edit(t, hand, `"Overvotes": 1`, `"Overvotes": "1"`),
			canvass.ErrNotNumber, 2, "CVR[].CVRSnapshot[].CVRContest[].Overvotes", ""},
		{"fractional rank", edit(t, hand, `"NumberVotes": 1, "Rank": 3`, `"NumberVotes": 1, "Rank": 2.5`),
			canvass.ErrNotNumber, 1, "CVR[].CVRSnapshot[].CVRContest[].CVRContestSelection[].SelectionPosition[].Rank", ""},
		{"syntax error in a CVR", edit(t, hand, `"BatchId": null`, `"BatchId": nul`), canvass.ErrSyntax, 6, "CVR[].BatchId", ""},
		{"null snapshot", edit(t, hand, `"CVRSnapshot": [{"@id": "b6-o"`, `"CVRSnapshot": [null, {"@id": "b6-o"`),
			canvass.ErrSyntax, 6, "CVR[].CVRSnapshot", "found null"},
		{"CVR not an object", []byte(`{"@type":"CVR.CastVoteRecordReport","Election":[],"GpUnit":[],"ReportingDevice":[],"CVR":[1]}`),
			canvass.ErrSyntax, 1, fieldCVR, ""},
		{"ranked mark without rank", edit(t, hand, `"ContestSelectionId": "cs-y", "Rank": 1`, `"ContestSelectionId": "cs-y"`),
			canvass.ErrMissingField, 8, fieldRank, ""},
		{"rank in a plurality contest", edit(t, hand, `"NumberVotes": 1, "MarkMetricValue": ["97"]`, `"NumberVotes": 1, "Rank": 2, "MarkMetricValue": ["97"]`),
			nil, 1, fieldRank, `rank 2 in contest "c-mayor"`},
		{"no snapshot", edit(t, hand, `"CVRSnapshot": [{"@id": "b6-o", "@type": "CVR.CVRSnapshot", "Type": "original", "CVRContest": [`,
			`"CVRSnapshot": [], "X": [{"@id": "b6-o", "@type": "CVR.CVRSnapshot", "Type": "original", "CVRContest": [`),
			canvass.ErrMissingField, 6, "CVR[].CVRSnapshot", ""},
		{"unsupported VoteVariation", edit(t, hand, `"VoteVariation": "n-of-m"`, `"VoteVariation": "borda"`),
			nil, 0, "Election[].Contest[].VoteVariation", `"borda" is not supported`},
		{"contest defined twice", edit(t, hand, `"@id": "c-council"`, `"@id": "c-mayor"`),
			nil, 0, "Election[].Contest[].@id", `"c-mayor" defined twice`},
		{"contest without @id", edit(t, hand, `"@id": "c-council", `, ``),
			canvass.ErrMissingField, 0, "Election[].Contest[].@id", ""},
		{"VotesAllowed not a number", edit(t, hand, `"VotesAllowed": 2`, `"VotesAllowed": true`),
			canvass.ErrNotNumber, 0, "Election[].Contest[].VotesAllowed", ""},
		{"trailing garbage", append(bytes.Clone(hand), "}"...), canvass.ErrSyntax, 0, "", "after top-level value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seekable := range []bool{true, false} {
				err := readErr(tc.data, "bad.json", seekable)
				var pe *canvass.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("seekable=%v: got %v (%T), want a *canvass.ParseError", seekable, err, err)
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("seekable=%v: %v does not wrap %v", seekable, err, tc.want)
				}
				if pe.Format != "cdf" || pe.File != "bad.json" || pe.Record != tc.record || pe.Field != tc.field {
					t.Errorf("seekable=%v: %v: format %q file %q record %d field %q; want record %d field %q",
						seekable, err, pe.Format, pe.File, pe.Record, pe.Field, tc.record, tc.field)
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("seekable=%v: %q does not say %q", seekable, err, tc.msg)
				}
			}
		})
	}
}

// TestTruncated cuts each fixture short: every cut must give ErrTruncated (a JSON text cut
// short is incomplete wherever it is cut), in one pass and in two, seekable or not. It cuts at
// every byte of the first 1,500 (the definitions of handmade.json, the first CVRs of
// election_last.json) and then every 7th byte, which still lands in every kind of token.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"handmade.json", "election_last.json"} {
		data := mustRead(t, filepath.Join("testdata", name))
		end := bytes.LastIndexByte(data, '}') + 1 // what follows is whitespace
		for n := 0; n < end; n++ {
			if n > 1500 && n%7 != 0 && n != end-1 {
				continue
			}
			seekable := n%23 != 3 // a sample of cuts also goes through the temporary copy
			err := readErr(data[:n], name, seekable)
			var pe *canvass.ParseError
			if !errors.Is(err, canvass.ErrTruncated) || !errors.As(err, &pe) {
				t.Fatalf("%s cut at %d: got %v, want a ParseError wrapping ErrTruncated", name, n, err)
			}
		}
		if err := readErr(data[:end], name, true); err != nil {
			t.Errorf("%s uncut: %v", name, err)
		}
	}
}
