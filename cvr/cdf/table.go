package cdf

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// idTable maps the ids a CVR refers to (contest, selection, GpUnit and device @ids, batch and
// style ids) to small integers. The mapper looks up about fifteen ids per CVR as bytes just
// read; a Go map does that with a hash of the whole key, a group probe and a call to compare,
// which at a million CVRs is a tenth of the mapping time. This open-addressing table keeps the
// first eight bytes of each key and its length in the slot, so that a short id (most are
// "c-4", "s-2-1", "gpu-17") is hashed and compared as one word; the hash has a per-table
// random seed, so that crafted ids cannot make every lookup probe the whole table, and the
// load stays at most one half.
type idTable struct {
	seed  uint64
	slots []idSlot // a power of two
	n     int
}

type idSlot struct {
	head uint64 // the key's first eight bytes, little-endian, zero-padded
	len  int32  // the key's length plus one; 0 marks an empty slot
	val  int32
	key  string
}

// newIDTable returns a table sized for n keys.
func newIDTable(n int) *idTable {
	size := 8
	for size < 2*n {
		size *= 2
	}
	return &idTable{seed: rand.Uint64() | 1, slots: make([]idSlot, size)}
}

// head returns the first eight bytes of b (all of a shorter b, zero-padded) as a
// little-endian word, reading a short b as overlapping words the way wyhash reads its input.
func head(b []byte) uint64 {
	switch n := len(b); {
	case n >= 8:
		return binary.LittleEndian.Uint64(b)
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<(8*(n-4))
	case n > 0:
		return uint64(b[0]) | uint64(b[n/2])<<(8*(n/2)) | uint64(b[n-1])<<(8*(n-1))
	}
	return 0
}

// hash mixes the key's head, length and any further bytes eight at a time (multiply and
// fold, as in wyhash); it needs to spread well only over the table's few keys.
func (t *idTable) hash(h0 uint64, b []byte) uint64 {
	hi, lo := bits.Mul64(h0^t.seed, 0xa0761d6478bd642f^uint64(len(b)))
	h := hi ^ lo
	if len(b) > 8 {
		for b = b[8:]; len(b) > 0; {
			w := head(b)
			hi, lo := bits.Mul64(h^w, 0xe7037ed1a0b428db)
			h = hi ^ lo
			b = b[min(8, len(b)):]
		}
	}
	return h
}

// get returns the value of key b.
func (t *idTable) get(b []byte) (int32, bool) {
	h0 := head(b)
	n := int32(len(b)) + 1
	mask := uint64(len(t.slots) - 1)
	for i := t.hash(h0, b) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.len == 0 {
			return 0, false
		}
		if sl.head == h0 && sl.len == n && (n <= 9 || sl.key[8:] == string(b[8:])) {
			return sl.val, true
		}
	}
}

// put sets the value of key, growing the table to keep its load at most one half.
func (t *idTable) put(key string, val int32) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]idSlot, 2*len(old))
		t.n = 0
		for _, sl := range old {
			if sl.len != 0 {
				t.put(sl.key, sl.val)
			}
		}
	}
	b := []byte(key)
	h0 := head(b)
	mask := uint64(len(t.slots) - 1)
	for i := t.hash(h0, b) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.len == 0 {
			*sl = idSlot{head: h0, len: int32(len(b)) + 1, val: val, key: key}
			t.n++
			return
		}
		if sl.key == key {
			sl.val = val
			return
		}
	}
}

// names is a table of display names by id (GpUnit, ReportingDevice).
type names struct {
	ids  *idTable
	name []string
}

func newNames(m map[string]string) names {
	n := names{ids: newIDTable(len(m))}
	for id, name := range m {
		n.ids.put(id, int32(len(n.name)))
		n.name = append(n.name, name)
	}
	return n
}

// get returns the name of id b.
func (n *names) get(b []byte) (string, bool) {
	i, ok := n.ids.get(b)
	if !ok {
		return "", false
	}
	return n.name[i], true
}
