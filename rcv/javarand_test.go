package rcv

import "testing"

// Vectors of java.util.Random, computed by hand from the algorithm in Java's documentation
// (and well known: new Random(0).nextInt() is -1155484576, new Random(42).nextInt(10) is 0).
//
// new Random(0): scrambled seed = 0 ^ 0x5DEECE66D = 0x5DEECE66D. next(32): seed' =
// (0x5DEECE66D·0x5DEECE66D + 0xB) mod 2^48 = 0xBB20B4600A69, top 32 bits 0xBB20B460 =
// -1155484576 as int32.
func TestJavaRandomVectors(t *testing.T) {
	if got := NewJavaRandom(0).NextInt(); got != -1155484576 {
		t.Errorf("new Random(0).nextInt() = %d, want -1155484576", got)
	}
	if got := NewJavaRandom(42).NextIntN(10); got != 0 {
		t.Errorf("new Random(42).nextInt(10) = %d, want 0", got)
	}
	// new Random(42).nextInt() = -1170105035 (the first draw of seed 42; Java's output).
	if got := NewJavaRandom(42).NextInt(); got != -1170105035 {
		t.Errorf("new Random(42).nextInt() = %d, want -1170105035", got)
	}
	// new Random(0).nextDouble() = 0.730967787376657 (Java's output).
	if got := NewJavaRandom(0).NextDouble(); got != 0.730967787376657 {
		t.Errorf("new Random(0).nextDouble() = %v, want 0.730967787376657", got)
	}
}

// TestJavaHashSetOrder: "A".hashCode() = 65, "B" = 66, "C" = 67 go to buckets 1, 2, 3 of 16;
// "Aa" and "BB" both hash to 2112 (65·31+97 = 66·31+66), bucket (2112 ^ 0) & 15 = 0, in
// insertion order.
func TestJavaHashSetOrder(t *testing.T) {
	got := javaHashSetOrder([]string{"C", "BB", "A", "Aa", "B"})
	want := []string{"BB", "Aa", "A", "B", "C"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
