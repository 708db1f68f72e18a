package csvcvr

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/canvass-vote/canvass/tabulate"
)

// TestSynthetic reads WriteSynthetic(1000 ballots, 5 contests, seed 1) and checks the tally
// against the figures of an independent count of the same bytes by testdata/count.py (Python's
// csv module, the counting rules of package tabulate), run once by hand:
//
//	ballots 1000 mail 333
//	Contest 1 ballots 965 under 40 over 6 blank 40 [304, 306, 303, 6]
//	Contest 2 ballots 969 under 53 over 11 blank 53 [447, 450, 8]
//	Contest 3 ballots 969 under 670 over 12 blank 33 [313, 330, 299, 310, 4]
//	Contest 4 ballots 966 under 48 over 3 blank 48 [486, 429]
//	Contest 5 ballots 977 under 29 over 18 blank 29 [234, 248, 217, 231]
//
// The SHA-256 pins the file those figures are of: a change to the generator must update both.
func TestSynthetic(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSynthetic(&buf, 1000, 5, 1); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if got := hex.EncodeToString(sum[:]); got != "bec9213f9f795030a10a062140d0e70cceaeabec40a017e2f0a360645e8de47d" || buf.Len() != 80337 {
		t.Fatalf("WriteSynthetic(1000, 5, 1) wrote %d bytes with SHA-256 %s: the generator changed; recount with testdata/count.py", buf.Len(), got)
	}
	r := openBytes(t, buf.Bytes(), "synthetic.csv")
	el := r.Election()
	tally := tabulate.New(el)
	n, mail := 0, 0
	for _, b := range readAll(t, r) {
		tally.Add(b, "")
		n++
		if b.CountingGroup == "Mail" {
			mail++
		}
	}
	if n != 1000 || mail != 333 {
		t.Errorf("%d ballots, %d by mail; want 1000, 333", n, mail)
	}
	want := []struct {
		ballots, under, over, blank int64
		votes                       []int64 // in header order
	}{
		{965, 40, 6, 40, []int64{304, 306, 303, 6}},
		{969, 53, 11, 53, []int64{447, 450, 8}},
		{969, 670, 12, 33, []int64{313, 330, 299, 310, 4}},
		{966, 48, 3, 48, []int64{486, 429}},
		{977, 29, 18, 29, []int64{234, 248, 217, 231}},
	}
	res := tally.Result()
	for i, w := range want {
		cr := res.Contests[i]
		byName := map[string]int64{}
		for _, cv := range cr.Choices {
			byName[cv.Name] = cv.Votes
		}
		var votes []int64
		for _, ch := range el.Contests[i].Choices {
			votes = append(votes, byName[ch.Name])
		}
		if cr.Ballots != w.ballots || cr.Undervotes != w.under || cr.Overvotes != w.over || cr.Blank != w.blank || !slices.Equal(votes, w.votes) {
			t.Errorf("%s: ballots %d under %d over %d blank %d votes %v; want %d %d %d %d %v", cr.Name,
				cr.Ballots, cr.Undervotes, cr.Overvotes, cr.Blank, votes, w.ballots, w.under, w.over, w.blank, w.votes)
		}
	}
}

func TestWriteSyntheticDeterministic(t *testing.T) {
	gen := func(seed int64) []byte {
		var buf bytes.Buffer
		if err := WriteSynthetic(&buf, 300, 7, seed); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, c := gen(5), gen(5), gen(6)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different bytes")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same bytes")
	}
	// Seven contests: the five shapes, then vote-for-1 shapes again; every ballot reads.
	r := openBytes(t, a, "synthetic.csv")
	if got := len(r.Election().Contests); got != 7 {
		t.Errorf("%d contests, want 7", got)
	}
	if n := len(readAll(t, r)); n != 300 {
		t.Errorf("%d ballots, want 300", n)
	}
}
