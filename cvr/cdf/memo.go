package cdf

import "github.com/canvass-vote/canvass/internal/jsonscan"

// memo remembers the last few distinct objects of one kind with what the parser made of them.
// Producers write the same SelectionPosition, and the same CVRContestSelection for a given
// candidate, byte for byte on ballot after ballot; recognizing a repeat (jsonscan.Repeats,
// which says why that is sound) costs a fraction of parsing it and gives the same record,
// since the parse depends on the bytes alone. Only objects parsed without error are
// remembered, so errors are found, and reported, exactly as without the memo. A memo that
// keeps missing (the objects differ in a mark density or a position number) turns itself off,
// so that data without repeats pays for the attempts only on its first objects.
type memo[T any] struct {
	reps  jsonscan.Repeats
	vals  [jsonscan.MaxRepeats]T
	next  int // the value replaced next when all are in use
	tries int
	hits  int
	off   bool
}

// memoProbation is how many objects a memo looks at before it judges its hit rate; it turns
// itself off if fewer than half were repeats.
const memoProbation = 1024

// find consumes the next value if it repeats a remembered object and returns what the parser
// made of it. Call it where a value is expected.
func (m *memo[T]) find(s *jsonscan.Scanner) (*T, bool) {
	if m.off || m.reps.Len() == 0 {
		return nil, false
	}
	m.tries++
	if m.tries == memoProbation {
		if m.hits < memoProbation/2 {
			m.off = true
			m.reps = jsonscan.Repeats{} // drop the bytes
			return nil, false
		}
		m.tries, m.hits = 0, 0
	}
	i := s.Repeat(&m.reps)
	if i < 0 {
		return nil, false
	}
	m.hits++
	return &m.vals[i], true
}

// add remembers the object just read from offset start, where a value was expected at depth,
// and returns where to store what the parser made of it (reusing the slices of the value it
// replaces); nil when it is not remembered.
func (m *memo[T]) add(s *jsonscan.Scanner, start int64, depth int) *T {
	if m.off {
		return nil
	}
	i := m.reps.Len()
	if i == jsonscan.MaxRepeats {
		i = m.next
	}
	if !s.Remember(&m.reps, i, start, depth) {
		return nil
	}
	if i != m.reps.Len()-1 || m.reps.Len() == jsonscan.MaxRepeats {
		m.next = (i + 1) % jsonscan.MaxRepeats
	}
	return &m.vals[i]
}
