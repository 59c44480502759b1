package streamtab

import (
	"math/rand/v2"
	"testing"
)

// check compares t with the map m it should hold.
func check(t *testing.T, tab *Table[int], m map[uint32]*int) {
	t.Helper()
	if tab.Len() != len(m) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(m))
	}
	for id, v := range m {
		if got := tab.Get(id); got != v {
			t.Fatalf("Get(%d) = %p, want %p", id, got, v)
		}
	}
	seen := map[uint32]bool{}
	for id, v := range tab.All {
		if seen[id] {
			t.Fatalf("All yields %d twice", id)
		}
		seen[id] = true
		if m[id] != v {
			t.Fatalf("All yields %d = %p, want %p", id, v, m[id])
		}
	}
	if len(seen) != len(m) {
		t.Fatalf("All yields %d streams, want %d", len(seen), len(m))
	}
}

// TestTableAgainstMap runs random workloads (rising IDs, a few streams
// kept open for long, removals of IDs absent) on a Table and a map.
func TestTableAgainstMap(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		var tab Table[int]
		m := map[uint32]*int{}
		next := uint32(1 + 2*r.IntN(3))
		width := 1 + r.IntN(300) // streams open at once, roughly
		for i := range 20000 {
			switch {
			case len(m) < width && r.IntN(4) != 0:
				v := new(int)
				*v = i
				tab.Put(next, v)
				m[next] = v
				next += uint32(2 + 2*r.IntN(2)*r.IntN(2))
			default:
				// Remove an open stream, mostly not the long-lived ones.
				var id uint32
				for k := range m {
					id = k
					if r.IntN(50) != 0 || k+uint32(4*width) > next {
						break
					}
				}
				if r.IntN(10) == 0 {
					id = next + 2 // absent
				}
				tab.Delete(id)
				delete(m, id)
			}
			if tab.Get(next) != nil {
				t.Fatalf("seed %d: Get of an ID never entered is not nil", seed)
			}
			if i%997 == 0 {
				check(t, &tab, m)
			}
		}
		check(t, &tab, m)
		if len(tab.slots) > MaxSlots {
			t.Fatalf("seed %d: %d slots, above MaxSlots", seed, len(tab.slots))
		}
		// Delete while iterating.
		for id := range tab.All {
			tab.Delete(id)
			delete(m, id)
		}
		check(t, &tab, m)
	}
}

// TestTableLongLived: a stream kept open while many newer ones come and
// go stays found, and the slots stop growing at MaxSlots.
func TestTableLongLived(t *testing.T) {
	var tab Table[int]
	old := new(int)
	tab.Put(1, old)
	v := new(int)
	for id := uint32(3); id < 10*MaxSlots; id += 2 {
		tab.Put(id, v)
		if tab.Get(1) != old || tab.Get(id) != v {
			t.Fatalf("after Put(%d): lost a stream", id)
		}
		tab.Delete(id)
	}
	if len(tab.slots) != MaxSlots || len(tab.overflow) != 1 || tab.Len() != 1 {
		t.Fatalf("slots %d, overflow %d, Len %d", len(tab.slots), len(tab.overflow), tab.Len())
	}
	tab.Delete(1)
	if tab.Get(1) != nil || tab.Len() != 0 {
		t.Fatal("Delete(1) left the stream")
	}
}

// TestTableSteadyStateAllocs: rising IDs, a bounded number open, no
// allocation once warm.
func TestTableSteadyStateAllocs(t *testing.T) {
	var tab Table[int]
	v := new(int)
	id := uint32(1)
	run := func() {
		for range 64 {
			tab.Put(id, v)
			id += 2
		}
		for k := id - 128; k < id; k += 2 {
			tab.Delete(k)
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

// TestTableColliding: a peer that picks its stream IDs to meet in one slot
// at every size (a stride of 2×MaxSlots) costs no more than MaxSlots
// slots and an overflow map of its open streams, and every stream stays
// found; deleting them all empties the table.
func TestTableColliding(t *testing.T) {
	var tab Table[uint32]
	const open = 300
	vals := make([]uint32, open)
	for i := range open {
		id := uint32(1 + i*2*MaxSlots)
		vals[i] = id
		tab.Put(id, &vals[i])
		if len(tab.slots) > MaxSlots {
			t.Fatalf("after %d streams: %d slots", i+1, len(tab.slots))
		}
	}
	if tab.Len() != open || len(tab.overflow) != open-1 {
		t.Fatalf("Len %d, overflow %d", tab.Len(), len(tab.overflow))
	}
	for i := range open {
		if p := tab.Get(vals[i]); p == nil || *p != vals[i] {
			t.Fatalf("stream %d lost", vals[i])
		}
	}
	for i := range open {
		tab.Delete(vals[i])
	}
	if tab.Len() != 0 || len(tab.overflow) != 0 {
		t.Fatalf("after deleting all: Len %d, overflow %d", tab.Len(), len(tab.overflow))
	}
}
