package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size of a tree hash (SHA-256).
const HashSize = sha256.Size

// Hash is a leaf or node hash.
type Hash [HashSize]byte

// String is the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Base64 is the hash in standard base64, as checkpoints write it.
func (h Hash) Base64() string { return base64.StdEncoding.EncodeToString(h[:]) }

var hasher = rfc6962.DefaultHasher

// LeafHash is the RFC 6962 leaf hash of an encoded entry: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	var h Hash
	copy(h[:], hasher.HashLeaf(data))
	return h
}

// NodeHash is the RFC 6962 interior node hash: SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var h Hash
	copy(h[:], hasher.HashChildren(left[:], right[:]))
	return h
}

// EmptyRoot is the root of the empty tree, SHA-256 of nothing.
func EmptyRoot() Hash {
	var h Hash
	copy(h[:], hasher.EmptyRoot())
	return h
}

// TileHeight is the number of tree levels in a tile (C2SP tlog-tiles): a tile at tile level L
// holds up to 256 consecutive hashes of tree level 8·L.
const TileHeight = 8

// TileWidth is the number of hashes in a full tile, and of entries in a full entry bundle.
const TileWidth = 1 << TileHeight

var factory = &compact.RangeFactory{Hash: hasher.HashChildren}

// Tree is the right edge of a log's Merkle tree (a compact range): enough to append leaves and
// compute the root without reading earlier entries.
type Tree struct {
	r *compact.Range
}

// NewTree returns the empty tree.
func NewTree() *Tree { return &Tree{r: factory.NewEmptyRange(0)} }

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Append adds a leaf. keep, if not nil, receives every node that becomes complete, the leaf
// included, as (tree level, index, hash); a store keeps those whose level is a multiple of
// TileHeight, which are the rows of the tiles.
func (t *Tree) Append(leaf Hash, keep func(level uint, index uint64, h Hash)) error {
	var visit compact.VisitFn
	if keep != nil {
		visit = func(id compact.NodeID, b []byte) {
			var h Hash
			copy(h[:], b)
			keep(id.Level, id.Index, h)
		}
	}
	// Append fails only on a corrupted range, which UnmarshalTree refuses to build.
	return t.r.Append(append([]byte(nil), leaf[:]...), visit)
}

// Root is the tree's root hash (EmptyRoot for no leaves).
func (t *Tree) Root() Hash {
	b, err := t.r.GetRootHash(nil)
	if err != nil || b == nil {
		return EmptyRoot()
	}
	var h Hash
	copy(h[:], b)
	return h
}

// MarshalBinary encodes the tree as its size (uvarint) and the hashes of its right edge.
func (t *Tree) MarshalBinary() ([]byte, error) {
	b := binary.AppendUvarint(nil, t.Size())
	for _, h := range t.r.Hashes() {
		b = append(b, h...)
	}
	return b, nil
}

// UnmarshalTree decodes what MarshalBinary wrote.
func UnmarshalTree(b []byte) (*Tree, error) {
	size, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, errors.New("ledger: tree state: bad size")
	}
	b = b[n:]
	if len(b)%HashSize != 0 {
		return nil, errors.New("ledger: tree state: bad hashes")
	}
	hashes := make([][]byte, 0, len(b)/HashSize)
	for ; len(b) > 0; b = b[HashSize:] {
		hashes = append(hashes, append([]byte(nil), b[:HashSize]...))
	}
	r, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: tree state: %w", err)
	}
	return &Tree{r: r}, nil
}

// TileRows reads the rows of a tree that the tiles hold: the hashes of tree level
// TileHeight·tileLevel with indices [from, to). Level 0 is the leaf hashes.
type TileRows interface {
	Hashes(tileLevel int, from, to uint64) ([]Hash, error)
}

// nodeHash computes the hash of the complete node (level, index) from the tile row below it.
func nodeHash(rows TileRows, level uint, index uint64) (Hash, error) {
	tl := int(level / TileHeight)
	span := level % TileHeight
	from := index << span
	hs, err := rows.Hashes(tl, from, from+1<<span)
	if err != nil {
		return Hash{}, err
	}
	if len(hs) != 1<<span {
		return Hash{}, fmt.Errorf("ledger: tile level %d: %d hashes from %d, want %d", tl, len(hs), from, 1<<span)
	}
	for len(hs) > 1 {
		for i := 0; i < len(hs)/2; i++ {
			hs[i] = NodeHash(hs[2*i], hs[2*i+1])
		}
		hs = hs[:len(hs)/2]
	}
	return hs[0], nil
}

func fetchProof(rows TileRows, nodes proof.Nodes) ([][]byte, error) {
	hs := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		h, err := nodeHash(rows, id.Level, id.Index)
		if err != nil {
			return nil, err
		}
		hs[i] = h[:]
	}
	return nodes.Rehash(hs, hasher.HashChildren)
}

// InclusionProof returns the RFC 6962 (section 2.1.1) audit path of leaf index in the tree of
// the given size.
func InclusionProof(rows TileRows, index, size uint64) ([]Hash, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	p, err := fetchProof(rows, nodes)
	return toHashes(p), err
}

// ConsistencyProof returns the RFC 6962 (section 2.1.2) proof that the tree of size oldSize is
// a prefix of the tree of size newSize.
func ConsistencyProof(rows TileRows, oldSize, newSize uint64) ([]Hash, error) {
	nodes, err := proof.Consistency(oldSize, newSize)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	p, err := fetchProof(rows, nodes)
	return toHashes(p), err
}

// VerifyInclusion checks an audit path against a root.
func VerifyInclusion(leaf Hash, index, size uint64, p []Hash, root Hash) error {
	return proof.VerifyInclusion(hasher, index, size, leaf[:], fromHashes(p), root[:])
}

// VerifyConsistency checks a consistency proof between two roots.
func VerifyConsistency(oldSize, newSize uint64, p []Hash, oldRoot, newRoot Hash) error {
	return proof.VerifyConsistency(hasher, oldSize, newSize, fromHashes(p), oldRoot[:], newRoot[:])
}

func toHashes(p [][]byte) []Hash {
	out := make([]Hash, len(p))
	for i, b := range p {
		copy(out[i][:], b)
	}
	return out
}

func fromHashes(p []Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

// MemRows is an in-memory TileRows, built by appending leaves; tests and the verifier use it.
type MemRows struct {
	Tree *Tree
	Rows [][]Hash // Rows[L] is tile level L
}

// NewMemRows returns empty rows.
func NewMemRows() *MemRows { return &MemRows{Tree: NewTree()} }

// Append adds a leaf hash.
func (m *MemRows) Append(leaf Hash) error {
	return m.Tree.Append(leaf, func(level uint, index uint64, h Hash) {
		if level%TileHeight != 0 {
			return
		}
		tl := int(level / TileHeight)
		for len(m.Rows) <= tl {
			m.Rows = append(m.Rows, nil)
		}
		m.Rows[tl] = append(m.Rows[tl], h)
	})
}

// Hashes implements TileRows.
func (m *MemRows) Hashes(tileLevel int, from, to uint64) ([]Hash, error) {
	if tileLevel >= len(m.Rows) || to > uint64(len(m.Rows[tileLevel])) || from > to {
		return nil, fmt.Errorf("ledger: no hashes [%d, %d) at tile level %d", from, to, tileLevel)
	}
	return append([]Hash(nil), m.Rows[tileLevel][from:to]...), nil
}
