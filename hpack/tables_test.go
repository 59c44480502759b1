package hpack

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestStaticTable(t *testing.T) {
	if staticLen != 61 {
		t.Fatalf("%d static entries, want 61", staticLen)
	}
	for i, want := range map[int]hf{1: {":authority", ""}, 2: {":method", "GET"}, 16: {"accept-encoding", "gzip, deflate"}, 61: {"www-authenticate", ""}} {
		f := staticFields[i]
		if string(f.name) != want.name || string(f.value) != want.value {
			t.Errorf("static %d = %s: %s, want %v", i, f.name, f.value, want)
		}
	}
	// Every entry is found by its name and value; a name's lookup gives
	// its lowest index.
	for i, f := range staticTable {
		exact, name := staticLookup([]byte(f.name), []byte(f.value), hashBytes([]byte(f.name)))
		if exact != uint32(i+1) || staticTable[name-1].name != f.name || name > exact {
			t.Errorf("%s: %s: lookup = %d, %d", f.name, f.value, exact, name)
		}
	}
	if exact, name := staticLookup([]byte("x-custom"), nil, hashBytes([]byte("x-custom"))); exact != 0 || name != 0 {
		t.Errorf("x-custom: lookup = %d, %d", exact, name)
	}
}

// TestDynamicTableModel inserts random entries under random size changes
// and checks the table against a plain slice model (RFC 7541, Section 4).
func TestDynamicTableModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tab dynamicTable
	tab.setMaxSize(4096)
	var model []hf // newest first
	maxSize := 4096
	modelSize := func() (n int) {
		for _, e := range model {
			n += len(e.name) + len(e.value) + 32
		}
		return n
	}
	evict := func() {
		for modelSize() > maxSize {
			model = model[:len(model)-1]
		}
	}
	for i := range 20000 {
		if r.IntN(500) == 0 {
			maxSize = r.IntN(5000)
			tab.setMaxSize(uint32(maxSize))
			evict()
		}
		name := fmt.Sprintf("n%d", r.IntN(50))
		value := strings.Repeat("v", r.IntN(300))
		tab.add([]byte(name), []byte(value))
		model = append([]hf{{name, value}}, model...)
		evict()
		if got := tableState(&tab); !slices.Equal(got, model) || int(tab.size) != modelSize() {
			t.Fatalf("step %d: table %d entries (size %d), model %d (size %d)", i, len(got), tab.size, len(model), modelSize())
		}
	}
	if len(tab.data) > 2*8192 || len(tab.ents) > 256 {
		t.Errorf("storage grew to %d bytes, %d entries", len(tab.data), len(tab.ents))
	}
}

func TestDynamicTableEntryLargerThanTable(t *testing.T) {
	var tab dynamicTable
	tab.setMaxSize(100)
	tab.add([]byte("a"), []byte("b"))
	tab.add([]byte("big"), []byte(strings.Repeat("x", 66))) // 3+66+32 = 101
	if tab.n != 0 || tab.size != 0 {
		t.Fatalf("table has %d entries, size %d; want empty", tab.n, tab.size)
	}
	tab.add([]byte("big"), []byte(strings.Repeat("x", 65))) // exactly 100
	if tab.n != 1 || tab.size != 100 {
		t.Fatalf("table has %d entries, size %d; want 1, 100", tab.n, tab.size)
	}
}

// TestDynamicTableAllocs: once warm, inserting and evicting allocates
// nothing.
func TestDynamicTableAllocs(t *testing.T) {
	var tab dynamicTable
	tab.setMaxSize(4096)
	name, value := []byte("x-request-id"), []byte(strings.Repeat("0123456789", 10))
	for range 1000 {
		tab.add(name, value)
	}
	if allocs := testing.AllocsPerRun(1000, func() { tab.add(name, value) }); allocs != 0 {
		t.Errorf("%v allocations per insertion", allocs)
	}
}
