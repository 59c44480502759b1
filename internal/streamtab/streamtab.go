// Package streamtab maps HTTP/2 stream IDs to the streams open on one
// connection, faster than a Go map for the way they are used: the IDs of
// one connection rise, and the streams open at once are mostly the last
// ones opened.
//
// A Table is direct-mapped: stream id lives in slot (id/2) mod the size,
// the size a power of two grown (doubling, up to MaxSlots) when two open
// streams meet in one slot. So a lookup, an insertion and a removal are
// an index and a compare. Once at MaxSlots, a stream whose slot a newer
// one needs (one that stayed open while MaxSlots newer ones opened) moves
// to an overflow map, looked in only while it holds anything. The slots
// are allocated with the first stream, and only grow: a steady state
// allocates nothing.
package streamtab

// MaxSlots bounds the slots of a Table (16 bytes each).
const MaxSlots = 512

// minSlots is the size of a Table's first allocation.
const minSlots = 8

type entry[T any] struct {
	id uint32
	v  *T
}

// Table maps stream IDs to *T. The zero value is an empty table. It is
// not safe for concurrent use; a Table must not be changed (Put) while
// All iterates it, though Delete is allowed.
type Table[T any] struct {
	slots    []entry[T] // len is 0 or a power of two
	overflow map[uint32]*T
	n        int
}

// Len returns the number of streams in t.
func (t *Table[T]) Len() int { return t.n }

// Get returns the stream id, or nil.
func (t *Table[T]) Get(id uint32) *T {
	if len(t.slots) > 0 {
		if e := &t.slots[t.index(id)]; e.v != nil && e.id == id {
			return e.v
		}
	}
	if len(t.overflow) > 0 {
		return t.overflow[id]
	}
	return nil
}

func (t *Table[T]) index(id uint32) int { return int(id>>1) & (len(t.slots) - 1) }

// Put enters v as stream id, which must not be in t already, and v must
// not be nil.
func (t *Table[T]) Put(id uint32, v *T) {
	t.n++
	if len(t.slots) == 0 {
		t.slots = make([]entry[T], minSlots)
	}
	for {
		e := &t.slots[t.index(id)]
		if e.v == nil {
			*e = entry[T]{id, v}
			return
		}
		if len(t.slots) < MaxSlots {
			t.grow()
			continue
		}
		// The older stream moves out of the way of the newer ones.
		if t.overflow == nil {
			t.overflow = make(map[uint32]*T)
		}
		t.overflow[e.id] = e.v
		*e = entry[T]{id, v}
		return
	}
}

// grow doubles the slots until the streams they hold (and those of the
// overflow map) no longer meet, or MaxSlots is reached, where those that
// still meet go to the overflow map.
func (t *Table[T]) grow() {
	old := t.slots
	size := len(old) * 2
	for {
		t.slots = make([]entry[T], size)
		if t.place(old) || size >= MaxSlots {
			break
		}
		size *= 2
	}
}

// place enters the entries of old in t.slots, reporting whether none met
// another; when they meet at MaxSlots, the older goes to the overflow.
func (t *Table[T]) place(old []entry[T]) bool {
	for _, o := range old {
		if o.v == nil {
			continue
		}
		e := &t.slots[t.index(o.id)]
		if e.v == nil {
			*e = o
			continue
		}
		if len(t.slots) < MaxSlots {
			clear(t.slots)
			return false
		}
		if t.overflow == nil {
			t.overflow = make(map[uint32]*T)
		}
		if e.id < o.id {
			t.overflow[e.id] = e.v
			*e = o
		} else {
			t.overflow[o.id] = o.v
		}
	}
	return true
}

// Delete removes stream id from t, if it is there.
func (t *Table[T]) Delete(id uint32) {
	if len(t.slots) > 0 {
		if e := &t.slots[t.index(id)]; e.v != nil && e.id == id {
			*e = entry[T]{}
			t.n--
			return
		}
	}
	if _, ok := t.overflow[id]; ok {
		delete(t.overflow, id)
		t.n--
	}
}

// All calls yield with each stream of t, in no particular order, until
// yield returns false. yield may Delete streams (the one it was given or
// others) but not Put any.
func (t *Table[T]) All(yield func(uint32, *T) bool) {
	for i := range t.slots {
		if e := t.slots[i]; e.v != nil {
			if !yield(e.id, e.v) {
				return
			}
		}
	}
	for id, v := range t.overflow {
		if !yield(id, v) {
			return
		}
	}
}
