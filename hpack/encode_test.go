package hpack

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestEncodeSensitive(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		flag        bool
		wire        string // the representation's first bytes
	}{
		{"authorization", "Bearer abc", false, "1f08"},        // never indexed, static name 23
		{"proxy-authorization", "Basic eA==", false, "1f22"},  // static name 49
		{"cookie", "id=1", false, "1f11"},                     // short cookie: static name 32
		{"cookie", "session=0123456789abcdefgh", false, "60"}, // long cookie: indexed, static name 32
		{"x-secret", "v", true, "10"},                         // caller's choice, new name
		{":method", "GET", true, "12"},                        // even with an exact static match
	} {
		e := NewEncoder()
		block := e.AppendFieldString(nil, tt.name, tt.value, tt.flag)
		if !strings.HasPrefix(fmt.Sprintf("%x", block), tt.wire) {
			t.Errorf("%s: %s: encoded %x, want prefix %s", tt.name, tt.value, block, tt.wire)
		}
		got, err := collect(NewDecoder(), block)
		wantSensitive := tt.wire[0] == '1'
		if err != nil || len(got) != 1 || got[0] != (field{tt.name, tt.value, wantSensitive}) {
			t.Errorf("%s: decoded %v, %v", tt.name, got, err)
		}
		if wantSensitive && e.table.n != 0 {
			t.Errorf("%s: sensitive field entered the table", tt.name)
		}
	}
}

func TestEncodeTableSizeUpdates(t *testing.T) {
	for _, tt := range []struct {
		name string
		do   func(e *Encoder)
		wire string
	}{
		{"none", func(e *Encoder) {}, "82"},
		{"shrink", func(e *Encoder) { e.SetMaxDynamicTableSize(100) }, "3f4582"},
		{"shrink then grow", func(e *Encoder) { e.SetMaxDynamicTableSize(0); e.SetMaxDynamicTableSize(4096) }, "203fe11f82"},
		{"capped by the limit", func(e *Encoder) { e.SetMaxDynamicTableSize(10000) }, "3fe11f82"},
		{"peer lowers the limit", func(e *Encoder) { e.SetMaxDynamicTableSizeLimit(1000) }, "3fc90782"},
		{"peer raises the limit", func(e *Encoder) { e.SetMaxDynamicTableSizeLimit(65536) }, "82"},
		{"raised limit, bigger table", func(e *Encoder) {
			e.SetMaxDynamicTableSizeLimit(65536)
			e.SetMaxDynamicTableSize(8192)
		}, "3fe13f82"},
	} {
		e := NewEncoder()
		tt.do(e)
		block := e.AppendFieldString(nil, ":method", "GET", false)
		if got := fmt.Sprintf("%x", block); got != tt.wire {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.wire)
		}
		if next := e.AppendFieldString(nil, ":method", "GET", false); !bytes.Equal(next, []byte{0x82}) {
			t.Errorf("%s: next block %x repeats the update", tt.name, next)
		}
	}
	e := NewEncoder()
	e.SetMaxDynamicTableSize(50)
	if got := e.AppendTableSizeUpdate(nil); !bytes.Equal(got, []byte{0x3f, 0x13}) {
		t.Errorf("AppendTableSizeUpdate = %x", got)
	}
	if got := e.AppendTableSizeUpdate(nil); len(got) != 0 {
		t.Errorf("second AppendTableSizeUpdate = %x", got)
	}
}

func TestEncodeHuffmanOnlyWhenShorter(t *testing.T) {
	e := NewEncoder()
	// "307" is 3 bytes raw and 3 bytes Huffman-coded: raw.
	if got := e.AppendFieldString(nil, ":status", "307", false); !bytes.Equal(got, dehex("4803 3330 37")) {
		t.Errorf("307: %x", got)
	}
	// "no-cache" is 6 bytes Huffman-coded: Huffman.
	if got := e.AppendFieldString(nil, "cache-control", "no-cache", false); !bytes.Equal(got, dehex("5886 a8eb 1064 9cbf")) {
		t.Errorf("no-cache: %x", got)
	}
}

func TestEncodeLargeFieldNotIndexed(t *testing.T) {
	e := NewEncoder()
	e.SetMaxDynamicTableSize(256)
	big := strings.Repeat("z", 200) // 200+3+32 > 3/4 of 256
	block := e.AppendFieldString(nil, "x-z", big, false)
	// 3fe101: size update to 256; 00: literal without indexing, new name.
	if !bytes.HasPrefix(block, dehex("3fe101 00")) || e.table.n != 0 {
		t.Fatalf("encoded %x…, table has %d entries", block[:5], e.table.n)
	}
}

// TestEncodeIndexUnderChurn runs many distinct fields through a small
// table: the index is rebuilt many times and must never return a stale or
// wrong entry, nor miss the newest one.
func TestEncodeIndexUnderChurn(t *testing.T) {
	e, d := NewEncoder(), NewDecoder()
	e.SetMaxDynamicTableSize(512)
	for i := range 5000 {
		fields := []hf{
			{fmt.Sprintf("x-n%d", i%37), fmt.Sprintf("v%d", i%11)},
			{fmt.Sprintf("x-n%d", i%37), fmt.Sprintf("v%d", i%11)},
			{"x-same", "same"},
		}
		block := e.AppendFieldString(nil, fields[0].name, fields[0].value, false)
		n := len(block)
		block = e.AppendFieldString(block, fields[1].name, fields[1].value, false)
		if block[0] < 0x80 && !bytes.Equal(block[n:], []byte{0xbe}) {
			t.Fatalf("block %d: repeated field encoded as %x, want be", i, block[n:])
		}
		block = e.AppendFieldString(block, fields[2].name, fields[2].value, false)
		got, err := decodeAll(d, block)
		if err != nil || !slices.Equal(got, fields) {
			t.Fatalf("block %d: %v, %v", i, got, err)
		}
	}
}

// TestEncodeAllocs: encoding a browser request allocates nothing once the
// Encoder is warm.
func TestEncodeAllocs(t *testing.T) {
	fields := byteFields(browserGET)
	e := NewEncoder()
	buf := make([]byte, 0, 1024)
	encode := func() {
		buf = buf[:0]
		for _, f := range fields {
			buf = e.AppendField(buf, f[0], f[1], false)
		}
	}
	encode()
	if allocs := testing.AllocsPerRun(100, encode); allocs != 0 {
		t.Errorf("%v allocations per block", allocs)
	}
	fresh := func() {
		e = NewEncoder()
		encode()
	}
	fresh()
	// Cold: the table and its index are allocated once.
	if allocs := testing.AllocsPerRun(10, fresh); allocs > 8 {
		t.Errorf("%v allocations for a cold encoder", allocs)
	}
}

// TestEncodeGeneration: the Generation moves on with every change to the
// encoding context (insertion, resize, size update written) and with
// nothing else; at an unchanged Generation a list encodes to the same
// block.
func TestEncodeGeneration(t *testing.T) {
	e := NewEncoder()
	step := func(name string, moves bool, change func()) {
		t.Helper()
		g := e.Generation()
		change()
		if got := e.Generation() != g; got != moves {
			t.Fatalf("%s: Generation moved = %v, want %v", name, got, moves)
		}
	}
	var first, again []byte
	encode := func(dst *[]byte, fields ...string) func() {
		return func() {
			*dst = (*dst)[:0]
			for i := 0; i+1 < len(fields); i += 2 {
				*dst = e.AppendFieldString(*dst, fields[i], fields[i+1], false)
			}
		}
	}
	step("static fields", false, encode(&first, ":method", "GET", ":path", "/"))
	step("a new field", true, encode(&first, "x-a", "one"))
	step("the field indexed", false, encode(&first, "x-a", "one"))
	step("the same again", false, encode(&again, "x-a", "one"))
	if string(first) != string(again) {
		t.Fatalf("blocks %q and %q at the same Generation", first, again)
	}
	step("sensitive", false, encode(&first, "authorization", "secret"))
	step("too large to index", false, encode(&first, "x-b", strings.Repeat("v", 4000)))
	step("resize", true, func() { e.SetMaxDynamicTableSize(1024) })
	step("the size update written", true, encode(&first, ":method", "GET"))
	step("limit above the size", false, func() { e.SetMaxDynamicTableSizeLimit(8192) })
	step("limit below the size", true, func() { e.SetMaxDynamicTableSizeLimit(0) })
}
