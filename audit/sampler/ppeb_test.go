package sampler

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"
)

// TestWeighted: draw k picks the item under u_k·Σw, with u_k the consistent sampler's uniform
// for seed_hash + "," + k, computed here from Uniform directly; over many draws the shares
// follow the weights.
func TestWeighted(t *testing.T) {
	w := []float64{1, 0, 3}
	got, err := Weighted("12345678901234567890", w, 4000)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("12345678901234567890"))
	u1 := Uniform(hex.EncodeToString(sum[:]) + ",1")
	want := 0
	if u1 >= "0.25" {
		want = 2
	}
	if got[0] != want {
		t.Errorf("first draw %d with u_1 = %s, want %d", got[0], u1[:8], want)
	}
	var n [3]int
	for _, i := range got {
		n[i]++
	}
	if n[1] != 0 || math.Abs(float64(n[2])/4000-0.75) > 0.03 {
		t.Errorf("shares %v", n)
	}
	if _, err := Weighted("1", []float64{0, 0}, 1); err == nil {
		t.Error("zero weights accepted")
	}
}
