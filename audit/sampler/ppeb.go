package sampler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
)

// Weighted draws n items with replacement, item i with probability weights[i]/Σweights: the
// sampling with probability proportional to an error bound (PPEB) of batch-comparison audits
// (Stark 2009; Aslam, Popa, Rivest 2008). Draw k (k = 1, 2, …) uses the uniform number
// u_k = Uniform(seed_hash + "," + k) of the consistent sampler (seed_hash as in Sample) and
// takes the first item whose cumulative weight exceeds u_k·Σweights, so anyone with the seed
// and the weights can repeat the draws. u_k is read to 18 decimal digits.
func Weighted(seed string, weights []float64, n int) ([]int, error) {
	if n < 0 {
		return nil, errors.New("sampler: negative sample size")
	}
	cum := make([]float64, len(weights))
	var total float64
	for i, w := range weights {
		if !(w >= 0) {
			return nil, fmt.Errorf("sampler: weight %d is %v", i, w)
		}
		total += w
		cum[i] = total
	}
	if n > 0 && !(total > 0) {
		return nil, errors.New("sampler: the weights sum to zero")
	}
	sum := sha256.Sum256([]byte(seed))
	sh := hex.EncodeToString(sum[:])
	out := make([]int, n)
	for k := 1; k <= n; k++ {
		t := Uniform(sh + "," + strconv.Itoa(k))
		u, _, err := big.ParseFloat(TrimTicket(t, 18), 10, 64, big.ToNearestEven)
		if err != nil {
			return nil, err
		}
		x, _ := u.Float64()
		target := x * total
		i := sort.Search(len(cum), func(i int) bool { return cum[i] > target })
		if i == len(cum) {
			i = len(cum) - 1
		}
		for weights[i] == 0 && i > 0 { // never land on a zero-weight item
			i--
		}
		out[k-1] = i
	}
	return out, nil
}
