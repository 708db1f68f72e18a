package cdf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/cvr"
)

// TestSyntheticAgainstEncodingJSON checks the reader against an independent reading of the
// same synthetic report with encoding/json: per contest @id and selection @id, the number of
// positions with IsAllocable "yes"/"no", of overvoted contests (Overvotes > 0) and of contests
// with no selection, and the rank of every ranked position.
func TestSyntheticAgainstEncodingJSON(t *testing.T) {
	const ballots, contests = 3000, 6
	data := synthetic(t, ballots, contests, false)

	var doc struct {
		CVR []struct {
			UniqueID    string `json:"UniqueId"`
			CVRSnapshot []struct {
				CVRContest []struct {
					ContestID           string `json:"ContestId"`
					Overvotes           int
					CVRContestSelection []struct {
						ContestSelectionID string `json:"ContestSelectionId"`
						SelectionPosition  []struct {
							HasIndication string
							IsAllocable   string
							Rank          int
							CVRWriteIn    *struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, c := range doc.CVR {
		want["ballots"]++
		for _, cc := range c.CVRSnapshot[0].CVRContest {
			if cc.Overvotes > 0 {
				want[cc.ContestID+" overvoted"]++
			}
			if len(cc.CVRContestSelection) == 0 {
				want[cc.ContestID+" blank"]++
			}
			for _, cs := range cc.CVRContestSelection {
				for _, p := range cs.SelectionPosition {
					k := fmt.Sprintf("%s %s allocable=%s rank=%d writein=%v", cc.ContestID, cs.ContestSelectionID, p.IsAllocable, p.Rank, p.CVRWriteIn != nil)
					want[k]++
				}
			}
		}
	}

	r, err := NewReader(bytes.NewReader(data), "synthetic", cvr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := r.Election()
	got := map[string]int{}
	for _, b := range readAll(t, r) {
		got["ballots"]++
		for _, cm := range b.Contests {
			c := e.Contests[cm.Contest]
			if cm.Overvoted {
				got[c.ID+" overvoted"]++
			}
			if len(cm.Marks) == 0 {
				got[c.ID+" blank"]++
			}
			for _, m := range cm.Marks {
				alloc := "yes"
				if m.Flags&canvass.NotCounted != 0 {
					alloc = "no"
				}
				k := fmt.Sprintf("%s %s allocable=%s rank=%d writein=%v", c.ID, c.Choices[m.Choice].ID, alloc, m.Rank, m.Flags&canvass.WriteInMark != 0)
				got[k]++
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reader and encoding/json disagree:\n got %v\nwant %v", got, want)
	}
	// The generator's mix (4% blank, 1% overvoted, 1% write-in per plurality contest) must show.
	if want["ballots"] != ballots || want["c-0 blank"] == 0 || want["c-0 overvoted"] == 0 || want["c-0 s-0-2 allocable=yes rank=0 writein=true"] == 0 {
		t.Errorf("synthetic report lacks a case: %v", want)
	}
	if c := e.Contests[4]; c.Type != canvass.IRV || c.VoteFor != 3 {
		t.Errorf("contest 5: %+v", *c)
	}
}

// TestWriteSyntheticDeterministic checks that a seed gives the same bytes.
func TestWriteSyntheticDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if err := WriteSynthetic(&a, 50, 5, 7); err != nil {
		t.Fatal(err)
	}
	WriteSynthetic(&b, 50, 5, 7)
	WriteSynthetic(&c, 50, 5, 8)
	if !bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("WriteSynthetic is not a function of its seed")
	}
	if !json.Valid(a.Bytes()) {
		t.Error("WriteSynthetic wrote invalid JSON")
	}
}
