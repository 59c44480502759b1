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

// dynamicIndex indexes the entries of one dynamic table by name: a cell
// holds the id of the newest entry with a name, and each entry links to
// the previous one with the same name (dynamicTable.prev), so that an exact match
// is found by comparing values along that chain only. As the table evicts
// oldest first, a chain ends at the first evicted link.
type dynamicIndex struct {
	slots []slot // power-of-two length
	used  int    // cells used, including those whose entries are evicted
}

// lookup returns the HPACK index of the dynamic entry name: value (exact)
// or else of the newest entry with that name (nameIdx), or zeros.
func (x *dynamicIndex) lookup(t *dynamicTable, name, value []byte, h uint64) (exact, nameIdx uint32) {
	i, ok := x.find(t, name, h)
	if !ok {
		return 0, 0
	}
	id := x.slots[i].id
	nameIdx = uint32(staticLen) + t.added - id
	for {
		if _, v := t.field(id); string(v) == string(value) {
			return uint32(staticLen) + t.added - id, nameIdx
		}
		prev := *t.prevAt(id)
		if prev == id || !t.live(prev) {
			return 0, nameIdx
		}
		id = prev
	}
}

// find returns the cell of the newest live entry named name, whose hash is
// h, or else the free cell that ends its probe sequence.
func (x *dynamicIndex) find(t *dynamicTable, name []byte, h uint64) (i uint64, ok bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	tag, mask := tagOf(h), uint64(len(x.slots)-1)
	for i = h & mask; x.slots[i].tag != 0; i = (i + 1) & mask {
		s := x.slots[i]
		if s.tag != tag || !t.live(s.id) {
			continue
		}
		if n, _ := t.field(s.id); string(n) == string(name) {
			return i, true
		}
	}
	return i, false
}

// insert indexes the newest entry of t, named name, whose hash is h.
func (x *dynamicIndex) insert(t *dynamicTable, name []byte, h uint64) {
	if 2*(x.used+1) > len(x.slots) {
		x.rebuild(t)
		return
	}
	x.link(t, name, h, t.added-1)
}

// link makes entry id the newest of its name.
func (x *dynamicIndex) link(t *dynamicTable, name []byte, h uint64, id uint32) {
	i, ok := x.find(t, name, h)
	prev := t.prevAt(id)
	if ok {
		*prev = x.slots[i].id
		x.slots[i].id = id
		return
	}
	*prev = id // the end of the chain
	x.slots[i] = slot{tagOf(h), id}
	x.used++
}

// rebuild re-indexes the live entries of t, oldest first, in at least
// four times as many cells as entries.
func (x *dynamicIndex) rebuild(t *dynamicTable) {
	size := max(64, 1<<bits.Len(uint(4*t.n)))
	if len(x.slots) < size {
		x.slots = make([]slot, size)
	} else {
		clear(x.slots)
	}
	x.used = 0
	for i := t.n; i > 0; i-- {
		id := t.added - uint32(i)
		n, _ := t.field(id)
		x.link(t, n, hashBytes(n), id)
	}
}
