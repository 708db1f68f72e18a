package rcv

import (
	"fmt"
	"hash/maphash"
	"sort"

	canvass "github.com/canvass-vote/canvass"
)

// Ballot is one cast vote record as the engine takes it: its rankings in rank order, with
// candidate names already mapped to the config's names.
type Ballot struct {
	ID, Precinct, Batch string
	// Ranks are in increasing rank order; a rank with no candidate is simply absent (skipped).
	Ranks []Rank
}

// Rank is what a ballot says at one rank.
type Rank struct {
	Rank int
	// Candidates are config candidate names (or UndeclaredWriteIn); more than one is an
	// overvote.
	Candidates []string
	// Overvote is an overvote label that names no candidate.
	Overvote bool
}

// FromCanvass converts contest index contest of a canvass ballot into a Ballot: marks are
// grouped by rank, each choice's name is mapped through names (a file's candidate name or code
// to the config's name; false if unknown, which is an error), and an OvervoteMark becomes a
// rank with Overvote set. A ballot without the contest has no ranks.
func FromCanvass(el *canvass.Election, contest int, b *canvass.Ballot, names func(string) (string, bool)) (Ballot, error) {
	out := Ballot{ID: b.ID, Precinct: b.Precinct, Batch: b.Batch}
	if contest < 0 || contest >= len(el.Contests) {
		return out, fmt.Errorf("rcv: contest %d of %d", contest, len(el.Contests))
	}
	c := el.Contests[contest]
	for _, cm := range b.Contests {
		if int(cm.Contest) != contest {
			continue
		}
		marks := append([]canvass.Mark(nil), cm.Marks...)
		sort.SliceStable(marks, func(i, j int) bool { return marks[i].Rank < marks[j].Rank })
		for _, m := range marks {
			if m.Flags&canvass.NotCounted != 0 {
				continue
			}
			if m.Rank < 1 {
				return out, fmt.Errorf("rcv: ballot %s: mark without a rank in ranked contest %q", b.ID, c.Name)
			}
			if len(out.Ranks) == 0 || out.Ranks[len(out.Ranks)-1].Rank != int(m.Rank) {
				out.Ranks = append(out.Ranks, Rank{Rank: int(m.Rank)})
			}
			r := &out.Ranks[len(out.Ranks)-1]
			if m.Choice == canvass.NoChoice {
				if m.Flags&canvass.OvervoteMark == 0 {
					return out, fmt.Errorf("rcv: ballot %s: mark at rank %d names no choice", b.ID, m.Rank)
				}
				r.Overvote = true
				continue
			}
			if int(m.Choice) < 0 || int(m.Choice) >= len(c.Choices) {
				return out, fmt.Errorf("rcv: ballot %s: choice %d out of range", b.ID, m.Choice)
			}
			name, ok := names(c.Choices[m.Choice].Name)
			if !ok && c.Choices[m.Choice].ID != "" {
				name, ok = names(c.Choices[m.Choice].ID)
			}
			if !ok {
				return out, fmt.Errorf("rcv: ballot %s: candidate %q is not in the config's candidates (add it, or one of its aliases)", b.ID, c.Choices[m.Choice].Name)
			}
			r.Candidates = append(r.Candidates, name)
		}
	}
	for _, r := range out.Ranks {
		if r.Overvote && len(r.Candidates) > 0 {
			return out, fmt.Errorf("rcv: ballot %s: rank %d has an overvote label and candidates", b.ID, r.Rank)
		}
	}
	return out, nil
}

// hashKey hashes the identity of a ranking (with its precinct and batch when slices are
// tabulated) for compression: ballots with equal rankings hash alike, and compress confirms a
// match rank by rank (sameShape), so a collision costs time, never a wrong count. Names are
// hashed as text, so the candidate lookup is done once per distinct ranking, not per ballot.
func (b *Ballot) hashKey(seed maphash.Seed, withPrecinct, withBatch bool) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	if withPrecinct {
		h = mix64(h, maphash.String(seed, b.Precinct))
	}
	if withBatch {
		h = mix64(h, maphash.String(seed, b.Batch))
	}
	for _, r := range b.Ranks {
		x := uint64(len(r.Candidates))<<33 | uint64(uint32(r.Rank))<<1
		if r.Overvote {
			x |= 1
		}
		h = mix64(h, x)
		for _, c := range r.Candidates {
			h = mix64(h, maphash.String(seed, c))
		}
	}
	return h
}

// mix64 folds x into the running hash h (a multiply-xorshift step, as in SplitMix64).
func mix64(h, x uint64) uint64 {
	h ^= x
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>31
}
