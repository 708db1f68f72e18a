package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	canvass "github.com/canvass-vote/canvass"
)

// The marks of a stored ballot, as both stores keep them in one column: uvarint(number of
// contests), then per contest uvarint(contest id), byte(1 if overvoted), uvarint(number of
// marks), then per mark uvarint(choice id, 0 for an OvervoteMark that names no choice),
// uvarint(rank), byte(flags). Ids are the database's contest and choice ids, which start at 1.

// EncodeMarks appends to buf the marks of b, its contest and choice indices translated with
// ids (indexed like the source Election).
func EncodeMarks(buf []byte, b *canvass.Ballot, ids []ContestIDs) ([]byte, error) {
	buf = binary.AppendUvarint(buf, uint64(len(b.Contests)))
	for _, cm := range b.Contests {
		if int(cm.Contest) < 0 || int(cm.Contest) >= len(ids) {
			return nil, fmt.Errorf("ballot %s: contest index %d outside the definition", b.ID, cm.Contest)
		}
		cids := ids[cm.Contest]
		buf = binary.AppendUvarint(buf, uint64(cids.Contest))
		ov := byte(0)
		if cm.Overvoted {
			ov = 1
		}
		buf = append(buf, ov)
		buf = binary.AppendUvarint(buf, uint64(len(cm.Marks)))
		for _, m := range cm.Marks {
			switch {
			case m.Choice == canvass.NoChoice && m.Flags&canvass.OvervoteMark != 0:
				buf = binary.AppendUvarint(buf, 0)
			case int(m.Choice) < 0 || int(m.Choice) >= len(cids.Choices):
				return nil, fmt.Errorf("ballot %s: choice index %d outside the definition", b.ID, m.Choice)
			default:
				buf = binary.AppendUvarint(buf, uint64(cids.Choices[m.Choice]))
			}
			buf = binary.AppendUvarint(buf, uint64(m.Rank))
			buf = append(buf, byte(m.Flags))
		}
	}
	return buf, nil
}

// ErrCorruptMarks is returned by DecodeMarks for bytes EncodeMarks did not write.
var ErrCorruptMarks = errors.New("store: corrupt marks record")

// DecodeMarks adds to b the contests and marks encoded in p, translating database ids to the
// indices of the stored election definition (contestIndex, choiceIndex).
func DecodeMarks(p []byte, b *canvass.Ballot, contestIndex, choiceIndex map[int64]int32) error {
	next := func() (uint64, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, ErrCorruptMarks
		}
		p = p[n:]
		return v, nil
	}
	nextByte := func() (byte, error) {
		if len(p) == 0 {
			return 0, ErrCorruptMarks
		}
		c := p[0]
		p = p[1:]
		return c, nil
	}
	nc, err := next()
	if err != nil {
		return err
	}
	for range nc {
		cid, err := next()
		if err != nil {
			return err
		}
		ci, ok := contestIndex[int64(cid)]
		if !ok {
			return ErrCorruptMarks
		}
		cm := b.AddContest(ci)
		ov, err := nextByte()
		if err != nil {
			return err
		}
		cm.Overvoted = ov == 1
		nm, err := next()
		if err != nil {
			return err
		}
		for range nm {
			chid, err := next()
			if err != nil {
				return err
			}
			rank, err := next()
			if err != nil {
				return err
			}
			fl, err := nextByte()
			if err != nil {
				return err
			}
			chi, ok := choiceIndex[int64(chid)]
			if chid == 0 {
				chi, ok = canvass.NoChoice, canvass.MarkFlags(fl)&canvass.OvervoteMark != 0
			}
			if !ok {
				return ErrCorruptMarks
			}
			cm.Marks = append(cm.Marks, canvass.Mark{Choice: chi, Rank: int32(rank), Flags: canvass.MarkFlags(fl)})
		}
	}
	if len(p) != 0 {
		return ErrCorruptMarks
	}
	return nil
}
