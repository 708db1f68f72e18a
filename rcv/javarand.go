package rcv

// JavaRandom is java.util.Random: the 48-bit linear congruential generator that RCTab seeds with
// the config's randomSeed for random tiebreaks and for generating a tiebreak permutation. The
// algorithm is the one Java's documentation of java.util.Random specifies (Knuth, The Art of
// Computer Programming vol. 2, §3.2.1):
//
//	seed' = (seed × 0x5DEECE66D + 0xB) mod 2^48
//	next(bits) = seed' >> (48 − bits)
type JavaRandom struct {
	seed int64
}

const (
	javaMultiplier = 0x5DEECE66D
	javaAddend     = 0xB
	javaMask       = (1 << 48) - 1
)

// NewJavaRandom returns the generator of new java.util.Random(seed): the seed is scrambled by
// XOR with the multiplier.
func NewJavaRandom(seed int64) *JavaRandom {
	return &JavaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

// next is Random.next(bits): it advances the seed and returns its top bits as a signed 32-bit
// value.
func (r *JavaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + javaAddend) & javaMask
	return int32(uint64(r.seed) >> (48 - bits))
}

// NextInt is Random.nextInt(): 32 random bits.
func (r *JavaRandom) NextInt() int32 { return r.next(32) }

// NextIntN is Random.nextInt(bound) for bound > 0: a power of two takes the top bits; otherwise
// 31-bit draws are rejected when they fall in the incomplete last interval, as Java does.
func (r *JavaRandom) NextIntN(bound int32) int32 {
	if bound <= 0 {
		return 0
	}
	if bound&(-bound) == bound {
		return int32((int64(bound) * int64(r.next(31))) >> 31)
	}
	for {
		bits := r.next(31)
		val := bits % bound
		if bits-val+(bound-1) >= 0 { // no int32 overflow: accept
			return val
		}
	}
}

// NextDouble is Random.nextDouble(): ((next(26) << 27) + next(27)) × 2^-53.
func (r *JavaRandom) NextDouble() float64 {
	hi := int64(r.next(26))
	lo := int64(r.next(27))
	return float64(hi<<27+lo) * (1.0 / (1 << 53))
}

// randomIndex is RCTab's random choice among n tied candidates: floor(nextDouble() × n).
func (r *JavaRandom) randomIndex(n int) int {
	i := int(r.NextDouble() * float64(n))
	if i >= n {
		i = n - 1
	}
	return i
}

// Shuffle is java.util.Collections.shuffle(list, rnd) for a random-access list: for i from the
// size down to 2, swap element i−1 with element nextInt(i).
func (r *JavaRandom) Shuffle(list []string) {
	for i := len(list); i > 1; i-- {
		j := r.NextIntN(int32(i))
		list[i-1], list[j] = list[j], list[i-1]
	}
}

// javaStringHash is String.hashCode over UTF-16 code units: s[0]·31^(n−1) + … + s[n−1], in
// 32-bit arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// javaHashSetOrder returns names in the iteration order of new java.util.HashSet<>(names):
// RCTab's "previous round counts" tiebreak builds such a set, and the order in which its
// candidates come out is the order its random fallback draws from. A HashSet built from a
// collection has a table of the next power of two ≥ max(size/0.75+1, 16) buckets; a string goes
// to bucket (h ^ h>>>16) & (buckets−1), and a bucket keeps insertion order.
func javaHashSetOrder(names []string) []string {
	capacity := int(float32(len(names))/0.75) + 1
	if capacity < 16 {
		capacity = 16
	}
	n := 1
	for n < capacity {
		n <<= 1
	}
	buckets := make([][]string, n)
	seen := map[string]bool{}
	for _, s := range names {
		if seen[s] {
			continue
		}
		seen[s] = true
		h := uint32(javaStringHash(s))
		h ^= h >> 16
		b := int(h & uint32(n-1))
		buckets[b] = append(buckets[b], s)
	}
	out := make([]string, 0, len(names))
	for _, b := range buckets {
		out = append(out, b...)
	}
	return out
}
