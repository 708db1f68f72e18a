package sampler

import (
	"errors"
	"testing"
)

func TestColorado2011Reference(t *testing.T) {
	// AUDIT-REFERENCES.md: seed 3546311556112163624615351222, a = 1, b = 876, 47 picks start so.
	want := []int64{740, 180, 264, 789, 238, 448, 272, 611, 761, 208, 596, 88}
	got, err := Colorado2011("3546311556112163624615351222", 1, 876, 47, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 47 {
		t.Fatalf("%d picks, want 47", len(got))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("pick %d = %d, want %d", i+1, got[i], w)
		}
	}
	seen := map[int64]bool{}
	for _, v := range got {
		if v < 1 || v > 876 || seen[v] {
			t.Errorf("pick %d out of range or repeated", v)
		}
		seen[v] = true
	}
	// With replacement the first picks are the same (none of the first twelve repeats).
	wr, err := Colorado2011("3546311556112163624615351222", 1, 876, 12, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if wr[i] != w {
			t.Errorf("with replacement pick %d = %d, want %d", i+1, wr[i], w)
		}
	}
}

func TestColorado2011Exhaust(t *testing.T) {
	// Drawing the whole range without replacement gives a permutation of it.
	got, err := Colorado2011("1", 5, 9, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, v := range got {
		seen[v] = true
	}
	if len(seen) != 5 {
		t.Errorf("got %v, want a permutation of 5..9", got)
	}
	for _, c := range []struct {
		a, b int64
		n    int
	}{{5, 9, 6}, {9, 5, 1}, {1, 2, -1}} {
		if _, err := Colorado2011("1", c.a, c.b, c.n, false); !errors.Is(err, ErrSampleSize) {
			t.Errorf("Colorado2011(%d, %d, %d): err = %v", c.a, c.b, c.n, err)
		}
	}
}
