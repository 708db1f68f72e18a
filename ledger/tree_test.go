package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
)

// The RFC 6962 test tree of 8 leaves. The leaf inputs, the hashes of every complete node and
// the roots of the trees of sizes 0 to 8 are the values of
// github.com/transparency-dev/merkle@v0.0.2/testonly/constants.go (LeafInputs, NodeHashes,
// RootHashes), copied here as data. They originate in the test vectors of Certificate
// Transparency's C++ log server.
var (
	vectorLeafInputs = []string{
		"",
		"00",
		"10",
		"2021",
		"3031",
		"40414243",
		"5051525354555657",
		"606162636465666768696a6b6c6d6e6f",
	}

	// vectorNodeHashes[level][index] is the hash of the complete node (level, index).
	vectorNodeHashes = [][]string{{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
		"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
	}, {
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	}, {
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	}, {
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}}

	// vectorRoots[n] is the root of the tree of the first n leaves.
	vectorRoots = []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // SHA-256 of ""
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
)

// The published proofs over the tree above: the inclusionProofs and consistencyProofs tables
// of github.com/transparency-dev/merkle@v0.0.2/proof/verify_test.go. That table numbers leaves
// from 1; index here is 0-based (its leaf minus one). Its degenerate first row {0, 0} is left out.
var (
	vectorInclusion = []struct {
		index, size uint64
		proof       []string
	}{
		{0, 1, nil},
		{0, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{5, 8, []string{
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
		{2, 3, []string{
			"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		}},
		{1, 5, []string{
			"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		}},
	}

	vectorConsistency = []struct {
		oldSize, newSize uint64
		proof            []string
	}{
		{1, 1, nil},
		{1, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{6, 8, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
		{2, 5, []string{
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		}},
		{6, 7, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
	}
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q in test data: %v", s, err)
	}
	return b
}

func mustHash(t testing.TB, s string) Hash {
	t.Helper()
	b := mustHex(t, s)
	if len(b) != HashSize {
		t.Fatalf("test hash %s is %d bytes", s, len(b))
	}
	var h Hash
	copy(h[:], b)
	return h
}

func mustHashes(t testing.TB, ss []string) []Hash {
	t.Helper()
	out := make([]Hash, len(ss))
	for i, s := range ss {
		out[i] = mustHash(t, s)
	}
	return out
}

// vectorRows is the 8-leaf test tree in MemRows.
func vectorRows(t testing.TB) *MemRows {
	t.Helper()
	rows := NewMemRows()
	for _, in := range vectorLeafInputs {
		if err := rows.Append(LeafHash(mustHex(t, in))); err != nil {
			t.Fatal(err)
		}
	}
	return rows
}

// flipped returns a copy of p with one bit of hash i changed.
func flipped(p []Hash, i int) []Hash {
	q := append([]Hash(nil), p...)
	q[i][HashSize/2] ^= 0x01
	return q
}

func flip(h Hash) Hash {
	h[0] ^= 0x80
	return h
}

func TestLeafAndNodeHashVectors(t *testing.T) {
	for i, in := range vectorLeafInputs {
		if got, want := LeafHash(mustHex(t, in)), mustHash(t, vectorNodeHashes[0][i]); got != want {
			t.Errorf("LeafHash(%q) = %s, want %s", in, got, want)
		}
	}
	for level := 1; level < len(vectorNodeHashes); level++ {
		for i, s := range vectorNodeHashes[level] {
			l := mustHash(t, vectorNodeHashes[level-1][2*i])
			r := mustHash(t, vectorNodeHashes[level-1][2*i+1])
			if got, want := NodeHash(l, r), mustHash(t, s); got != want {
				t.Errorf("NodeHash of node (%d, %d) = %s, want %s", level, i, got, want)
			}
		}
	}
	if got, want := EmptyRoot(), mustHash(t, vectorRoots[0]); got != want {
		t.Errorf("EmptyRoot() = %s, want %s", got, want)
	}
	// Hash.String and Hash.Base64 of the SHA-256 of "" (RFC 4648 base64 of e3b0c442…).
	if got := EmptyRoot().String(); got != vectorRoots[0] {
		t.Errorf("EmptyRoot().String() = %s", got)
	}
	if got, want := EmptyRoot().Base64(), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; got != want {
		t.Errorf("EmptyRoot().Base64() = %s, want %s", got, want)
	}
}

func TestTreeRootVectors(t *testing.T) {
	tree := NewTree()
	if got, want := tree.Root(), mustHash(t, vectorRoots[0]); got != want {
		t.Errorf("root of the empty tree = %s, want %s", got, want)
	}
	// Every node Append reports complete must be the published node hash.
	seen := map[[2]uint64]bool{}
	for n, in := range vectorLeafInputs {
		err := tree.Append(LeafHash(mustHex(t, in)), func(level uint, index uint64, h Hash) {
			seen[[2]uint64{uint64(level), index}] = true
			if int(level) >= len(vectorNodeHashes) || int(index) >= len(vectorNodeHashes[level]) {
				t.Errorf("Append reported node (%d, %d), which the 8-leaf tree does not have", level, index)
				return
			}
			if want := mustHash(t, vectorNodeHashes[level][index]); h != want {
				t.Errorf("Append reported node (%d, %d) = %s, want %s", level, index, h, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.Size(); got != uint64(n+1) {
			t.Errorf("Size() = %d after %d appends", got, n+1)
		}
		if got, want := tree.Root(), mustHash(t, vectorRoots[n+1]); got != want {
			t.Errorf("root of size %d = %s, want %s", n+1, got, want)
		}
	}
	// 8 + 4 + 2 + 1 complete nodes.
	if len(seen) != 15 {
		t.Errorf("Append reported %d distinct complete nodes, want 15", len(seen))
	}
	rows := vectorRows(t)
	if len(rows.Rows) != 1 || len(rows.Rows[0]) != 8 {
		t.Fatalf("MemRows of 8 leaves has rows %v, want one row of 8", rows.Rows)
	}
	for i, h := range rows.Rows[0] {
		if want := mustHash(t, vectorNodeHashes[0][i]); h != want {
			t.Errorf("MemRows row 0 hash %d = %s, want %s", i, h, want)
		}
	}
}

func TestInclusionProofVectors(t *testing.T) {
	rows := vectorRows(t)
	for _, v := range vectorInclusion {
		t.Run(fmt.Sprintf("%d/%d", v.index, v.size), func(t *testing.T) {
			want := mustHashes(t, v.proof)
			got, err := InclusionProof(rows, v.index, v.size)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("InclusionProof = %v, want %v", got, want)
			}
			leaf := LeafHash(mustHex(t, vectorLeafInputs[v.index]))
			root := mustHash(t, vectorRoots[v.size])
			if err := VerifyInclusion(leaf, v.index, v.size, want, root); err != nil {
				t.Errorf("VerifyInclusion of the published proof: %v", err)
			}
			for i := range want {
				if VerifyInclusion(leaf, v.index, v.size, flipped(want, i), root) == nil {
					t.Errorf("VerifyInclusion accepted the proof with hash %d changed", i)
				}
			}
			if VerifyInclusion(flip(leaf), v.index, v.size, want, root) == nil {
				t.Error("VerifyInclusion accepted another leaf")
			}
			if VerifyInclusion(leaf, v.index, v.size, want, flip(root)) == nil {
				t.Error("VerifyInclusion accepted another root")
			}
			if v.size > 1 && VerifyInclusion(leaf, (v.index+1)%v.size, v.size, want, root) == nil {
				t.Error("VerifyInclusion accepted the proof for another index")
			}
		})
	}
	if _, err := InclusionProof(rows, 8, 8); err == nil {
		t.Error("InclusionProof(8, 8) succeeded; index 8 is not in a tree of 8")
	}
	if _, err := InclusionProof(rows, 3, 9); err == nil {
		t.Error("InclusionProof for size 9 succeeded from rows of 8 leaves")
	}
}

func TestConsistencyProofVectors(t *testing.T) {
	rows := vectorRows(t)
	for _, v := range vectorConsistency {
		t.Run(fmt.Sprintf("%d/%d", v.oldSize, v.newSize), func(t *testing.T) {
			want := mustHashes(t, v.proof)
			got, err := ConsistencyProof(rows, v.oldSize, v.newSize)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("ConsistencyProof = %v, want %v", got, want)
			}
			oldRoot, newRoot := mustHash(t, vectorRoots[v.oldSize]), mustHash(t, vectorRoots[v.newSize])
			if err := VerifyConsistency(v.oldSize, v.newSize, want, oldRoot, newRoot); err != nil {
				t.Errorf("VerifyConsistency of the published proof: %v", err)
			}
			for i := range want {
				if VerifyConsistency(v.oldSize, v.newSize, flipped(want, i), oldRoot, newRoot) == nil {
					t.Errorf("VerifyConsistency accepted the proof with hash %d changed", i)
				}
			}
			if VerifyConsistency(v.oldSize, v.newSize, want, flip(oldRoot), newRoot) == nil {
				t.Error("VerifyConsistency accepted another old root")
			}
			if VerifyConsistency(v.oldSize, v.newSize, want, oldRoot, flip(newRoot)) == nil {
				t.Error("VerifyConsistency accepted another new root")
			}
		})
	}
	if _, err := ConsistencyProof(rows, 5, 3); err == nil {
		t.Error("ConsistencyProof(5, 3) succeeded; a tree cannot shrink")
	}
	if _, err := ConsistencyProof(rows, 3, 9); err == nil {
		t.Error("ConsistencyProof to size 9 succeeded from rows of 8 leaves")
	}
}

// refLeaf and refRoot are the RFC 6962 section 2.1 definitions written directly on SHA-256,
// independently of the package: the leaf hash is SHA-256(0x00 || d), and the root of n > 1
// leaves is SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) for k the largest power of two
// smaller than n.
func refLeaf(d []byte) Hash {
	return sha256.Sum256(append([]byte{0}, d...))
}

func refRoot(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := refRoot(leaves[:k]), refRoot(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// bigSizes are tree sizes around the tile boundaries: levels 8 and 16 are the rows MemRows
// keeps, so proofs for these sizes need nodes rebuilt from a row up to 8 levels below.
var bigSizes = []uint64{1, 2, 255, 256, 257, 511, 65535, 65536, 65537, 70000}

type bigTreeData struct {
	inputs [][]byte
	leaves []Hash
	rows   *MemRows
	roots  map[uint64]Hash // Tree.Root at each of bigSizes
}

var bigTree = sync.OnceValue(func() *bigTreeData {
	const n = 70000
	d := &bigTreeData{rows: NewMemRows(), roots: map[uint64]Hash{}}
	want := map[uint64]bool{}
	for _, s := range bigSizes {
		want[s] = true
	}
	for i := 0; i < n; i++ {
		in := fmt.Appendf(nil, "leaf %d", i)
		h := LeafHash(in)
		d.inputs = append(d.inputs, in)
		d.leaves = append(d.leaves, h)
		if err := d.rows.Append(h); err != nil {
			panic(err) // cannot happen on a range built by appends
		}
		if want[uint64(i+1)] {
			d.roots[uint64(i+1)] = d.rows.Tree.Root()
		}
	}
	return d
})

func TestBigTreeRoots(t *testing.T) {
	d := bigTree()
	for _, i := range []int{0, 1, 256, 69999} {
		if got, want := d.leaves[i], refLeaf(d.inputs[i]); got != want {
			t.Errorf("LeafHash(%q) = %s, RFC 6962 gives %s", d.inputs[i], got, want)
		}
	}
	for _, s := range bigSizes {
		if got, want := d.roots[s], refRoot(d.leaves[:s]); got != want {
			t.Errorf("root of size %d = %s, RFC 6962 MTH gives %s", s, got, want)
		}
	}
	// MemRows keeps exactly the complete nodes of levels 0, 8 and 16.
	if got := []int{len(d.rows.Rows[0]), len(d.rows.Rows[1]), len(d.rows.Rows[2])}; fmt.Sprint(got) != "[70000 273 1]" {
		t.Errorf("MemRows row lengths = %v, want [70000 273 1]", got)
	}
	if len(d.rows.Rows) != 3 {
		t.Errorf("MemRows has %d rows, want 3", len(d.rows.Rows))
	}
	if got, want := d.rows.Rows[1][5], refRoot(d.leaves[5*256:6*256]); got != want {
		t.Errorf("row 1 hash 5 = %s, want MTH of leaves [1280, 1536) %s", got, want)
	}
	if got, want := d.rows.Rows[2][0], refRoot(d.leaves[:65536]); got != want {
		t.Errorf("row 2 hash 0 = %s, want MTH of leaves [0, 65536) %s", got, want)
	}
}

// proofIndices are the leaf indices whose inclusion proofs are checked in a tree of size n:
// both edges, the tile boundaries, and a stride through the middle.
func proofIndices(n uint64) []uint64 {
	var out []uint64
	for _, i := range []uint64{0, 1, 7, 254, 255, 256, 257, 511, 512, 65535, 65536, 65537, n / 2, n - 2, n - 1} {
		if i < n {
			out = append(out, i)
		}
	}
	for i := uint64(3); i < n; i += n/37 + 1 {
		out = append(out, i)
	}
	return out
}

func TestBigTreeInclusion(t *testing.T) {
	d := bigTree()
	for _, n := range bigSizes {
		for _, i := range proofIndices(n) {
			p, err := InclusionProof(d.rows, i, n)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, n, err)
			}
			if err := VerifyInclusion(d.leaves[i], i, n, p, d.roots[n]); err != nil {
				t.Errorf("proof of leaf %d in tree %d does not verify: %v", i, n, err)
			}
			if len(p) > 0 && VerifyInclusion(d.leaves[i], i, n, flipped(p, len(p)-1), d.roots[n]) == nil {
				t.Errorf("proof of leaf %d in tree %d verifies with its last hash changed", i, n)
			}
		}
	}
}

func TestBigTreeConsistency(t *testing.T) {
	d := bigTree()
	for _, m := range bigSizes {
		for _, n := range bigSizes {
			if m > n {
				continue
			}
			p, err := ConsistencyProof(d.rows, m, n)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", m, n, err)
			}
			if err := VerifyConsistency(m, n, p, d.roots[m], d.roots[n]); err != nil {
				t.Errorf("consistency %d → %d does not verify: %v", m, n, err)
			}
			if m < n && VerifyConsistency(m, n, p, flip(d.roots[m]), d.roots[n]) == nil {
				t.Errorf("consistency %d → %d verifies against another old root", m, n)
			}
		}
	}
}

func TestTreeMarshalRoundTrip(t *testing.T) {
	d := bigTree()
	for _, n := range append([]uint64{0}, bigSizes...) {
		half := n / 2
		tree := NewTree()
		for _, h := range d.leaves[:half] {
			if err := tree.Append(h, nil); err != nil {
				t.Fatal(err)
			}
		}
		b, err := tree.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalTree(b)
		if err != nil {
			t.Fatalf("size %d: UnmarshalTree: %v", half, err)
		}
		if back.Size() != half || back.Root() != tree.Root() {
			t.Errorf("size %d: unmarshalled tree has size %d root %s, want %d %s", half, back.Size(), back.Root(), half, tree.Root())
		}
		for _, h := range d.leaves[half:n] {
			if err := back.Append(h, nil); err != nil {
				t.Fatal(err)
			}
		}
		want := refRoot(d.leaves[:n])
		if back.Root() != want {
			t.Errorf("tree of %d marshalled at %d and completed: root %s, want %s", n, half, back.Root(), want)
		}
	}
}

func TestUnmarshalTreeRefuses(t *testing.T) {
	tree := NewTree()
	for _, in := range vectorLeafInputs[:3] {
		if err := tree.Append(LeafHash(mustHex(t, in)), nil); err != nil {
			t.Fatal(err)
		}
	}
	good, err := tree.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// Size 3 is uvarint 0x03 followed by the hashes of nodes (1, 0) and (0, 2).
	want := append(append([]byte{3}, mustHex(t, vectorNodeHashes[1][0])...), mustHex(t, vectorNodeHashes[0][2])...)
	if !bytes.Equal(good, want) {
		t.Errorf("MarshalBinary of size 3 = %x, want %x", good, want)
	}
	for name, b := range map[string][]byte{
		"empty":          nil,
		"size only":      {3},
		"short hash":     good[:len(good)-1],
		"one hash extra": append(append([]byte(nil), good...), good[1:33]...),
		"bad uvarint":    {0x80},
	} {
		if _, err := UnmarshalTree(b); err == nil {
			t.Errorf("UnmarshalTree(%s) succeeded", name)
		}
	}
}

// A log that rewrites an entry before the old size cannot prove consistency with its old
// checkpoint: the proof it can compute from its rewritten rows fails against the old root.
func TestConsistencyRewrittenTree(t *testing.T) {
	d := bigTree()
	for _, c := range []struct {
		oldSize, newSize uint64
		changed          int
	}{
		{5, 8, 2},
		{7, 8, 6},
		{300, 700, 10},
		{257, 70000, 256},
		{65536, 70000, 65535},
	} {
		rewritten := NewMemRows()
		for i, h := range d.leaves[:c.newSize] {
			if i == c.changed {
				h = LeafHash([]byte("rewritten"))
			}
			if err := rewritten.Append(h); err != nil {
				t.Fatal(err)
			}
		}
		oldRoot := refRoot(d.leaves[:c.oldSize])
		p, err := ConsistencyProof(rewritten, c.oldSize, c.newSize)
		if err != nil {
			t.Fatal(err)
		}
		if VerifyConsistency(c.oldSize, c.newSize, p, oldRoot, rewritten.Tree.Root()) == nil {
			t.Errorf("%d → %d with leaf %d rewritten: consistency proof verifies", c.oldSize, c.newSize, c.changed)
		}
		// The honest log's proof verifies, so the failure above is the rewrite's doing.
		honest, err := ConsistencyProof(d.rows, c.oldSize, c.newSize)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyConsistency(c.oldSize, c.newSize, honest, oldRoot, refRoot(d.leaves[:c.newSize])); err != nil {
			t.Errorf("%d → %d honest proof: %v", c.oldSize, c.newSize, err)
		}
	}
}
