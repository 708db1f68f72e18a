package sampler

// Rivest's consistent sampler (R. L. Rivest, "Consistent Sampling with Replacement",
// arXiv 1808.10016), as his reference Python package consistent_sampler computes it and as
// VotingWorks' Arlo calls it:
//
//	seed_hash          = hex(SHA-256(utf8(seed)))                   64 lower-case hex digits
//	sha256_uniform(s)  = "0." + reverse(decimal(SHA-256(utf8(s))), zero-padded to >= 64 digits)
//	ticket(x, 1)       = sha256_uniform(seed_hash + x)
//	ticket(x, g+1)     = the first y_i, i = 1, 2, ..., with y_i > t + "0", where t = ticket(x, g)
//	                     (the full string), p = the index in t+"0" of the first character
//	                     after "0." that is not '9', and y_i = (t+"0")[:p] + sha256_uniform(t + ":" + i)[2:]
//
// Tickets are compared as strings (Python compares them so), then by id, then by generation.
// The sample is the sequence of tickets in increasing order; with replacement, a drawn ticket
// is put back as the id's next ticket. The digits are reversed because the high-order decimal
// digits of a 256-bit integer are biased and the low-order ones are not.
//
// Implementation. Hashing the ids dominates the time. The seed hash is 64 bytes, exactly one
// SHA-256 block, so it is hashed once and the digest state restored for each id: one block
// compression per id instead of two. A ticket's first 19 digits are the digits of
// (hash mod 10^19) in reverse order, a uint64 computed with math/bits, with no math/big per
// id. A max-heap keeps the n smallest (key, index) pairs; only ties between keys (two hashes
// equal mod 10^19) fall back to the full ticket strings. The full decimal tickets are written
// only for the ids kept. The population is split across the cores and the heaps merged.

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"math/bits"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// Draw is one draw of a sample: the id drawn, its ticket number, where the id is in the
// input, and how many times the id has been drawn so far.
type Draw struct {
	ID     string // the id as hashed, e.g. "('pct 2', 3)"
	Ticket string // the full, untrimmed ticket number, "0." followed by at least 64 digits
	Index  int    // the position of ID in the input population (0-based)
	Times  int    // 1 for the first draw of this id, 2 for its second (with replacement), ...
}

// ErrSampleSize is wrapped by the errors about a sample size that the population cannot give.
var ErrSampleSize = errors.New("sampler: sample size")

// Uniform is Rivest's sha256_uniform: the SHA-256 of the UTF-8 bytes of s read as a decimal
// integer, zero-padded on the left to at least 64 digits, its digits reversed, and "0."
// prepended. The result has 66 to 80 characters.
//
// Uniform("abc") = "0.56998071861792858926477341561059638840106636224182943832566300809078486324348".
func Uniform(s string) string {
	sum := sha256.Sum256([]byte(s))
	return uniformOf(&sum)
}

// uniformOf writes the ticket string of a SHA-256 sum.
func uniformOf(sum *[32]byte) string {
	var x big.Int
	x.SetBytes(sum[:])
	d := x.Append(make([]byte, 0, 80), 10)
	out := make([]byte, 0, 2+max(len(d), 64))
	out = append(out, '0', '.')
	for i := len(d) - 1; i >= 0; i-- {
		out = append(out, d[i])
	}
	for i := len(d); i < 64; i++ {
		out = append(out, '0') // the leading zeros of the padded integer, now trailing
	}
	return string(out)
}

// firstNon9 is the index in t+"0" of the first character after "0." that is not '9' (is
// less than '9'): the length of the prefix "0.99…9" of t.
func firstNon9(t string) int {
	i := 2
	for i < len(t) && t[i] >= '9' {
		i++
	}
	return i
}

// TrimTicket shortens a ticket number for people to read, as Rivest's trim does: it keeps
// "0.", then any leading run of 9s, then the next digits digits, and drops the rest
// (truncation, not rounding). A ticket with fewer digits is returned whole.
//
// The leading 9s are kept because they carry no information about the order among tickets
// near 1: with digits = 9, "0.31768581747…" becomes "0.317685817" (9 digits) and
// "0.90980392695…" becomes "0.9098039269" (the 9, then 9 digits from the first non-9).
// Rivest's sampler prints 9 digits by default; Arlo asks for 18.
func TrimTicket(t string, digits int) string {
	if len(t) < 2 {
		return t
	}
	end := firstNon9(t) + max(digits, 0)
	if end > len(t) {
		end = len(t)
	}
	return t[:end]
}

// nextTicket is the next-generation ticket after t (Rivest's next_fraction): keep t's prefix
// "0.99…9", append the digits of sha256_uniform(t + ":" + i) for i = 1, 2, … and take the
// first result greater than t + "0" (as strings).
func nextTicket(t string) string {
	t0 := t + "0"
	prefix := t0[:firstNon9(t)]
	for i := 1; ; i++ {
		u := Uniform(t + ":" + strconv.Itoa(i))
		if y := prefix + u[2:]; y > t0 {
			return y
		}
	}
}

// idFunc appends the id of the i-th member of a population to dst.
type idFunc = func(dst []byte, i int) []byte

// Sample draws n ids from ids with Rivest's consistent sampler and the given seed. Draws come
// in increasing ticket order, so the sample of n is a prefix of the sample of n+k. Without
// replacement the ids drawn are distinct and n may not exceed len(ids). The ids must be
// distinct (an error names a repeated one).
//
// Sample(ids = ["A#2", "B#7", "C#1", "D#4"], seed "314159", 8, with replacement) draws
// D#4, C#1, C#1, B#7, A#2, C#1, D#4, B#7 (Rivest's documented example).
func Sample(seed string, ids []string, n int, withReplacement bool) ([]Draw, error) {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if j, ok := seen[id]; ok {
			return nil, fmt.Errorf("sampler: id %q is both number %d and number %d of the population; ids must be distinct", id, j+1, i+1)
		}
		seen[id] = i
	}
	get := func(dst []byte, i int) []byte { return append(dst, ids[i]...) }
	return sample(seed, len(ids), func() idFunc { return get }, n, withReplacement)
}

// SampleFunc is [Sample] over a population of count ids that id writes on demand: id(dst, i)
// appends the id of member i (0 ≤ i < count) to dst and returns the extended slice. No
// slice of all the ids is built, so populations of millions cost no memory. SampleFunc
// calls id from several goroutines at once, so id must be safe for concurrent use (a pure
// function of i is). The ids must be distinct; SampleFunc does not check.
func SampleFunc(seed string, count int, id func(dst []byte, i int) []byte, n int, withReplacement bool) ([]Draw, error) {
	return sample(seed, count, func() idFunc { return id }, n, withReplacement)
}

// parallelMin is the population below which one goroutine scans it all.
const parallelMin = 1 << 16

// sample is the sampler. newID gives each goroutine its own id function, so that an id
// function may keep a cursor (see SampleManifest).
func sample(seed string, count int, newID func() idFunc, n int, withReplacement bool) ([]Draw, error) {
	switch {
	case n < 0:
		return nil, fmt.Errorf("%w: %d is negative", ErrSampleSize, n)
	case count < 0:
		return nil, fmt.Errorf("%w: population of %d", ErrSampleSize, count)
	case !withReplacement && n > count:
		return nil, fmt.Errorf("%w: cannot draw %d distinct ballots from %d; ask for at most %d or sample with replacement", ErrSampleSize, n, count, count)
	case withReplacement && count == 0 && n > 0:
		return nil, fmt.Errorf("%w: cannot draw %d from an empty population", ErrSampleSize, n)
	case n == 0:
		return []Draw{}, nil
	}
	seedSum := sha256.Sum256([]byte(seed))
	seedHash := make([]byte, 64)
	hex.Encode(seedHash, seedSum[:])

	// Keep the k = min(n, count) ids with the smallest first tickets. Without replacement
	// they are the sample. With replacement the first n draws also come only from them.
	// Proof: if k = count every id is kept. Otherwise k = n; let T be the n-th smallest first
	// ticket. The n kept first tickets are all ≤ T, so the n smallest tickets in the basket
	// (all generations of all ids) are all ≤ T. An id that is not kept has its first ticket
	// greater than T, and each of its later tickets is greater than the one before, so none
	// of its tickets is among the n smallest: it is never drawn in the first n draws.
	k := min(n, count)
	workers := 1
	if count >= parallelMin {
		workers = min(runtime.GOMAXPROCS(0), count/(parallelMin/2))
	}
	heaps := make([][]candidate, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := count*w/workers, count*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			heaps[w] = newScanner(seedHash, newID()).scan(lo, hi, k)
		}()
	}
	wg.Wait()

	s := newScanner(seedHash, newID())
	var all []candidate
	for _, h := range heaps {
		all = append(all, h...)
	}
	sort.Slice(all, func(a, b int) bool { return s.less(all[a], all[b]) })
	all = all[:k]

	draws := make([]Draw, 0, n)
	for _, c := range all {
		t, id := s.full(c.index)
		draws = append(draws, Draw{ID: id, Ticket: t, Index: c.index, Times: 1})
	}
	if !withReplacement {
		return draws, nil
	}
	// With replacement: draw the smallest ticket, put back the id's next ticket, n times.
	h := replHeap(draws) // already in increasing order, hence a valid min-heap
	out := make([]Draw, 0, n)
	for len(out) < n {
		d := h[0]
		out = append(out, d)
		h[0] = Draw{ID: d.ID, Ticket: nextTicket(d.Ticket), Index: d.Index, Times: d.Times + 1}
		h.down(0)
	}
	return out, nil
}

// candidate is an id kept while scanning: the first 19 digits of its first ticket as an
// integer, and its index.
type candidate struct {
	key   uint64
	index int
}

// scanner hashes ids for one goroutine.
type scanner struct {
	h     hash.Hash
	um    encoding.BinaryUnmarshaler
	state []byte // the digest state after the 64-byte seed hash
	id    idFunc
	buf   []byte
	sum   []byte
	_     [128]byte // keeps the scanners of two goroutines off one cache line
}

func newScanner(seedHash []byte, id idFunc) *scanner {
	h := sha256.New()
	h.Write(seedHash)
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err) // crypto/sha256 digests always marshal
	}
	return &scanner{h: h, um: h.(encoding.BinaryUnmarshaler), state: state, id: id,
		buf: make([]byte, 0, 128), sum: make([]byte, 0, sha256.Size)}
}

// hash returns SHA-256(seed_hash + id(i)) and leaves id(i) in s.buf.
func (s *scanner) hash(i int) []byte {
	s.buf = s.id(s.buf[:0], i)
	if err := s.um.UnmarshalBinary(s.state); err != nil {
		panic(err) // the state came from MarshalBinary of the same type
	}
	s.h.Write(s.buf)
	s.sum = s.h.Sum(s.sum[:0])
	return s.sum
}

// full returns the full first ticket and the id of member i.
func (s *scanner) full(i int) (ticket, id string) {
	sum := [32]byte(s.hash(i))
	return uniformOf(&sum), string(s.buf)
}

// less orders candidates by first ticket, then id, as Python's tuple comparison does.
func (s *scanner) less(a, b candidate) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	if a.index == b.index {
		return false
	}
	// Two hashes equal mod 10^19: compare the whole tickets (rare).
	ta, ia := s.full(a.index)
	tb, ib := s.full(b.index)
	if ta != tb {
		return ta < tb
	}
	return ia < ib
}

// scan returns the k members of [lo, hi) with the smallest first tickets, in no order.
func (s *scanner) scan(lo, hi, k int) []candidate {
	h := make([]candidate, 0, k)
	for i := lo; i < hi; i++ {
		c := candidate{key: ticketKey(s.hash(i)), index: i}
		if len(h) < k {
			h = append(h, c)
			s.up(h, len(h)-1)
			continue
		}
		if c.key > h[0].key || (c.key == h[0].key && !s.less(c, h[0])) {
			continue
		}
		h[0] = c
		s.down(h, 0)
	}
	return h
}

// up and down keep h a max-heap under less.
func (s *scanner) up(h []candidate, j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !s.less(h[p], h[j]) {
			return
		}
		h[p], h[j] = h[j], h[p]
		j = p
	}
}

func (s *scanner) down(h []candidate, j int) {
	for {
		c := 2*j + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && s.less(h[c], h[c+1]) {
			c++
		}
		if !s.less(h[j], h[c]) {
			return
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
}

// ticketKey is the first 19 digits of the ticket of a SHA-256 sum as an integer: the
// decimal digits of (sum mod 10^19), units digit first. Since the decimal integer is padded
// to at least 64 digits, a ticket always has these 19 digits.
func ticketKey(sum []byte) uint64 {
	const p19 = 10_000_000_000_000_000_000
	var r uint64
	for j := 0; j < 32; j += 8 {
		// r < 10^19, so (r·2^64 + w) / 10^19 fits in 64 bits and Div64 cannot panic.
		_, r = bits.Div64(r, binary.BigEndian.Uint64(sum[j:]), p19)
	}
	// Reverse the 19 digits in four independent 32-bit pieces of 5, 5, 5 and 4 digits (the
	// processor works on them in parallel): r = p3·10^15 + p2·10^10 + p1·10^5 + p0.
	p0, t := uint32(r%100_000), r/100_000
	p1, t := uint32(t%100_000), t/100_000
	p2, p3 := uint32(t%100_000), uint32(t/100_000)
	return uint64(reverseDigits(p0, 5))*100_000_000_000_000 + uint64(reverseDigits(p1, 5))*1_000_000_000 +
		uint64(reverseDigits(p2, 5))*10_000 + uint64(reverseDigits(p3, 4))
}

// reverseDigits returns the n-digit decimal x (with leading zeros) written backwards.
func reverseDigits(x uint32, n int) uint32 {
	var r uint32
	for range n {
		r = r*10 + x%10
		x /= 10
	}
	return r
}

// replHeap is a min-heap of draws by (ticket, id, times) for sampling with replacement.
type replHeap []Draw

func drawLess(a, b *Draw) bool {
	if a.Ticket != b.Ticket {
		return a.Ticket < b.Ticket
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	return a.Times < b.Times
}

func (h replHeap) down(j int) {
	for {
		c := 2*j + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && drawLess(&h[c+1], &h[c]) {
			c++
		}
		if !drawLess(&h[c], &h[j]) {
			return
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
}
