package store

import (
	"errors"
	"reflect"
	"testing"

	canvass "github.com/canvass-vote/canvass"
)

// TestMarksRoundTrip: a ballot with a ranked contest and an overvoted one (an OvervoteMark
// naming no choice) encodes with database ids and decodes back to the same indices. By hand,
// contest 0 → id 7 with choices 0,1,2 → ids 11,12,13; contest 1 → id 9 with choice 0 → id 21.
func TestMarksRoundTrip(t *testing.T) {
	ids := []ContestIDs{{Contest: 7, Choices: []int64{11, 12, 13}}, {Contest: 9, Choices: []int64{21}}}
	in := canvass.Ballot{ID: "1-1-1"}
	cm := in.AddContest(0)
	cm.Marks = []canvass.Mark{{Choice: 2, Rank: 1}, {Choice: 0, Rank: 2}}
	cm = in.AddContest(1)
	cm.Overvoted = true
	cm.Marks = []canvass.Mark{{Choice: canvass.NoChoice, Flags: canvass.OvervoteMark}}
	p, err := EncodeMarks(nil, &in, ids)
	if err != nil {
		t.Fatal(err)
	}
	// 2 contests; id 7, not overvoted, 2 marks (13 r1 f0, 11 r2 f0); id 9, overvoted, 1 mark (0 r0 flags).
	want := []byte{2, 7, 0, 2, 13, 1, 0, 11, 2, 0, 9, 1, 1, 0, 0, byte(canvass.OvervoteMark)}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("encoded % x, want % x", p, want)
	}
	contestI := map[int64]int32{7: 0, 9: 1}
	choiceI := map[int64]int32{11: 0, 12: 1, 13: 2, 21: 0}
	var out canvass.Ballot
	if err := DecodeMarks(p, &out, contestI, choiceI); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Contests, in.Contests) {
		t.Errorf("decoded %+v, want %+v", out.Contests, in.Contests)
	}
	for _, bad := range [][]byte{nil, {1}, {1, 8, 0, 0}, append(append([]byte{}, p...), 0), {1, 7, 0, 1, 99, 0, 0}} {
		var b canvass.Ballot
		if err := DecodeMarks(bad, &b, contestI, choiceI); !errors.Is(err, ErrCorruptMarks) {
			t.Errorf("% x: %v", bad, err)
		}
	}
	if _, err := EncodeMarks(nil, &canvass.Ballot{ID: "x", Contests: []canvass.ContestMarks{{Contest: 5}}}, ids); err == nil {
		t.Error("a contest index outside the definition was encoded")
	}
}

// FuzzDecodeMarks: any bytes decode or fail with ErrCorruptMarks, never a panic.
func FuzzDecodeMarks(f *testing.F) {
	f.Add([]byte{2, 7, 0, 2, 13, 1, 0, 11, 2, 0, 9, 1, 1, 0, 0, 1})
	f.Add([]byte{1, 9, 1, 1, 0, 0, 0})
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 1})
	f.Fuzz(func(t *testing.T, p []byte) {
		var b canvass.Ballot
		if err := DecodeMarks(p, &b, map[int64]int32{7: 0, 9: 1}, map[int64]int32{11: 0, 13: 2, 21: 0}); err != nil && !errors.Is(err, ErrCorruptMarks) {
			t.Fatal(err)
		}
	})
}
