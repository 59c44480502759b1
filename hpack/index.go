package hpack

import (
	"hash/maphash"
	"math/bits"
)

// The encoder's lookup of a field in the static and dynamic tables: two
// open-addressing hash sets of entry ids, one keyed by name and value, one by
// name alone. They never allocate per lookup; the dynamic ones are rebuilt
// (in place, once warm) when half full, which also drops evicted ids.

// hashSeed is random per process, so that a peer cannot choose fields that
// collide.
var hashSeed = maphash.MakeSeed()

func hashBytes(b []byte) uint64 { return maphash.Bytes(hashSeed, b) }

// pairHash combines the hashes of a name and a value.
func pairHash(hn, hv uint64) uint64 {
	return bits.RotateLeft64(hn*0x9e3779b97f4a7c15, 31) ^ hv
}

// slot is one cell of a hash set: tag holds high hash bits and is never
// zero in a used slot; id is an entry id (dynamic) or an index (static).
type slot struct {
	tag, id uint32
}

func tagOf(h uint64) uint32 { return uint32(h>>32) | 1 }

// put inserts id under hash h; slots must have a free cell.
func put(slots []slot, h uint64, id uint32) {
	mask := uint64(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if slots[i].tag == 0 {
			slots[i] = slot{tagOf(h), id}
			return
		}
	}
}

// Static index: pairs by name and value, and each name's lowest index.
var staticPairs, staticNames [256]slot

func init() {
	seen := map[string]bool{}
	for i, f := range staticTable {
		hn := maphash.String(hashSeed, f.name)
		hv := maphash.String(hashSeed, f.value)
		put(staticPairs[:], pairHash(hn, hv), uint32(i+1))
		if !seen[f.name] {
			seen[f.name] = true
			put(staticNames[:], hn, uint32(i+1))
		}
	}
}

// staticPair returns the static index of name: value, or 0.
func staticPair(name, value []byte, h uint64) uint32 {
	tag := tagOf(h)
	for i := h & 255; staticPairs[i].tag != 0; i = (i + 1) & 255 {
		s := staticPairs[i]
		f := &staticTable[s.id-1]
		if s.tag == tag && f.name == string(name) && f.value == string(value) {
			return s.id
		}
	}
	return 0
}

// staticName returns the lowest static index with the given name, or 0.
func staticName(name []byte, h uint64) uint32 {
	tag := tagOf(h)
	for i := h & 255; staticNames[i].tag != 0; i = (i + 1) & 255 {
		s := staticNames[i]
		if s.tag == tag && staticTable[s.id-1].name == string(name) {
			return s.id
		}
	}
	return 0
}

// dynamicIndex indexes the entries of one dynamic table by id.
type dynamicIndex struct {
	pairs, names []slot // same power-of-two length
	used         int    // cells used in each, live or stale
}

// pair returns the HPACK index of the dynamic entry name: value, or 0.
func (x *dynamicIndex) pair(t *dynamicTable, name, value []byte, h uint64) uint32 {
	if len(x.pairs) == 0 {
		return 0
	}
	tag, mask := tagOf(h), uint64(len(x.pairs)-1)
	for i := h & mask; x.pairs[i].tag != 0; i = (i + 1) & mask {
		s := x.pairs[i]
		if s.tag != tag || !t.live(s.id) {
			continue
		}
		n, v := t.field(s.id)
		if string(n) == string(name) && string(v) == string(value) {
			return uint32(staticLen) + t.added - s.id
		}
	}
	return 0
}

// name returns the HPACK index of a dynamic entry with the given name, or 0.
func (x *dynamicIndex) name(t *dynamicTable, name []byte, h uint64) uint32 {
	if len(x.names) == 0 {
		return 0
	}
	tag, mask := tagOf(h), uint64(len(x.names)-1)
	for i := h & mask; x.names[i].tag != 0; i = (i + 1) & mask {
		s := x.names[i]
		if s.tag != tag || !t.live(s.id) {
			continue
		}
		if n, _ := t.field(s.id); string(n) == string(name) {
			return uint32(staticLen) + t.added - s.id
		}
	}
	return 0
}

// insert indexes the newest entry of t, whose hashes are hn and hp.
func (x *dynamicIndex) insert(t *dynamicTable, hn, hp uint64) {
	if 2*(x.used+1) > len(x.pairs) {
		x.rebuild(t)
		return
	}
	id := t.added - 1
	put(x.pairs, hp, id)
	put(x.names, hn, id)
	x.used++
}

// rebuild re-indexes the live entries of t, in cells at least four times as
// many as the entries.
func (x *dynamicIndex) rebuild(t *dynamicTable) {
	size := max(64, 1<<bits.Len(uint(4*t.n)))
	if len(x.pairs) < size {
		x.pairs, x.names = make([]slot, size), make([]slot, size)
	} else {
		clear(x.pairs)
		clear(x.names)
	}
	for i := t.n; i > 0; i-- {
		id := t.added - uint32(i)
		n, v := t.field(id)
		hn := hashBytes(n)
		put(x.pairs, pairHash(hn, hashBytes(v)), id)
		put(x.names, hn, id)
	}
	x.used = t.n
}
