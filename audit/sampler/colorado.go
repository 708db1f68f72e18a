package sampler

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"strconv"
)

// Colorado2011 is the SHA-256 sampler of the audit tool Colorado used from 2011 (after
// Stark's "sampler" web tool): the i-th pick, i = 1, 2, …, is
//
//	a + (int(SHA-256(seed + "," + str(i))) mod (b − a + 1))
//
// with the hash read as a big-endian unsigned integer. Without replacement a pick equal to an
// earlier one is passed over (i still advances) until n distinct values are drawn; with
// replacement the first n picks are returned. The picks come in the order drawn.
//
// With seed "3546311556112163624615351222", a = 1, b = 876, the picks start
// 740, 180, 264, 789, 238, 448, 272, 611, 761, 208, 596, 88.
func Colorado2011(seed string, a, b int64, n int, withReplacement bool) ([]int64, error) {
	if a > b {
		return nil, fmt.Errorf("%w: the range %d to %d is empty", ErrSampleSize, a, b)
	}
	if n < 0 {
		return nil, fmt.Errorf("%w: %d is negative", ErrSampleSize, n)
	}
	size := new(big.Int).Sub(big.NewInt(b), big.NewInt(a))
	size.Add(size, big.NewInt(1)) // b − a + 1, which may not fit in an int64
	if !withReplacement && size.IsInt64() && int64(n) > size.Int64() {
		return nil, fmt.Errorf("%w: cannot draw %d distinct numbers from %d to %d", ErrSampleSize, n, a, b)
	}
	out := make([]int64, 0, n)
	seen := make(map[int64]bool, n)
	var x, m big.Int
	buf := make([]byte, 0, len(seed)+24)
	for i := 1; len(out) < n; i++ {
		buf = strconv.AppendInt(append(append(buf[:0], seed...), ','), int64(i), 10)
		sum := sha256.Sum256(buf)
		x.SetBytes(sum[:])
		m.Mod(&x, size)
		// a + m ≤ b, so the sum fits in an int64.
		v := a + m.Int64()
		if !withReplacement {
			if seen[v] {
				continue
			}
			seen[v] = true
		}
		out = append(out, v)
	}
	return out, nil
}
