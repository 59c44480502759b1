package hpack

import (
	"hash/maphash"
	"math/bits"
)

// The encoder's lookup of a field in the static and dynamic tables, by the
// hash of its name: entries with the same name are then told apart by
// comparing values, which costs no more than hashing them would. The sets
// never allocate per lookup; the dynamic one is rebuilt (in place, once
// warm) when half full, which also drops the ids of evicted entries.

// hashSeed is random per process, so that a peer cannot choose names that
// collide.
var hashSeed = maphash.MakeSeed()

func hashBytes(b []byte) uint64 { return maphash.Bytes(hashSeed, b) }

// slot is one cell of an open-addressing hash set: tag holds high hash bits
// and is never zero in a used cell; id is an entry id (dynamic table) or an
// index (static table).
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

// staticNames maps each name of the static table to its lowest index;
// staticRun[i] is the number of entries from index i+1 on with that name.
var (
	staticNames [128]slot
	staticRun   [staticLen]uint32
)

func init() {
	for i, f := range staticTable {
		if i == 0 || staticTable[i-1].name != f.name {
			put(staticNames[:], maphash.String(hashSeed, f.name), uint32(i+1))
		}
		for j := i; j < staticLen && staticTable[j].name == f.name; j++ {
			staticRun[i]++
		}
	}
}

// staticLookup returns the static index of the field name: value (exact)
// or else the lowest static index with that name (name), or zeros.
func staticLookup(name, value []byte, h uint64) (exact, nameIdx uint32) {
	tag := tagOf(h)
	for i := h & 127; staticNames[i].tag != 0; i = (i + 1) & 127 {
		s := staticNames[i]
		if s.tag != tag || staticTable[s.id-1].name != string(name) {
			continue
		}
		for j := s.id - 1; j < s.id-1+staticRun[s.id-1]; j++ {
			if staticTable[j].value == string(value) {
				return j + 1, s.id
			}
		}
		return 0, s.id
	}
	return 0, 0
}

// dynamicIndex indexes the entries of one dynamic table by name.
type dynamicIndex struct {
	slots []slot // power-of-two length
	used  int    // cells used, by live or evicted entries
}

// lookup returns the HPACK index of the dynamic entry name: value (exact)
// or else of an entry with that name (nameIdx), or zeros.
func (x *dynamicIndex) lookup(t *dynamicTable, name, value []byte, h uint64) (exact, nameIdx uint32) {
	if len(x.slots) == 0 {
		return 0, 0
	}
	tag, mask := tagOf(h), uint64(len(x.slots)-1)
	for i := h & mask; x.slots[i].tag != 0; i = (i + 1) & mask {
		s := x.slots[i]
		if s.tag != tag || !t.live(s.id) {
			continue
		}
		n, v := t.field(s.id)
		if string(n) != string(name) {
			continue
		}
		idx := uint32(staticLen) + t.added - s.id
		if string(v) == string(value) {
			return idx, idx
		}
		nameIdx = idx
	}
	return 0, nameIdx
}

// insert indexes the newest entry of t, whose name hashes to h.
func (x *dynamicIndex) insert(t *dynamicTable, h uint64) {
	if 2*(x.used+1) > len(x.slots) {
		x.rebuild(t)
		return
	}
	put(x.slots, h, t.added-1)
	x.used++
}

// rebuild re-indexes the live entries of t, in at least four times as many
// cells as entries.
func (x *dynamicIndex) rebuild(t *dynamicTable) {
	size := max(64, 1<<bits.Len(uint(4*t.n)))
	if len(x.slots) < size {
		x.slots = make([]slot, size)
	} else {
		clear(x.slots)
	}
	for i := t.n; i > 0; i-- {
		id := t.added - uint32(i)
		n, _ := t.field(id)
		put(x.slots, hashBytes(n), id)
	}
	x.used = t.n
}
