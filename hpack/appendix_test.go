package hpack

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The examples of RFC 7541 Appendix C, in both directions: the Decoder
// decodes each block to the listed fields and dynamic table, and the
// Encoder, configured as the RFC's encoder (table size, Huffman on or off),
// produces exactly the listed bytes where the RFC's choice of representation
// is the Encoder's policy.

// dehex decodes hex digits, ignoring spaces and newlines.
func dehex(s string) []byte {
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// hf is a header field in test tables: "name: value".
type hf struct{ name, value string }

// step is one header block of a series on one connection.
type step struct {
	wire   []byte
	fields []hf
	table  []hf // dynamic table after the block, newest first
	size   uint32
}

// tableState lists the dynamic table, newest entry first.
func tableState(t *dynamicTable) []hf {
	var out []hf
	for k := uint32(1); ; k++ {
		n, v, ok := t.at(k)
		if !ok {
			return out
		}
		out = append(out, hf{string(n), string(v)})
	}
}

// decodeAll decodes a block and returns its fields as "name: value" pairs.
func decodeAll(d *Decoder, block []byte) ([]hf, error) {
	var got []hf
	err := d.Decode(block, func(name, value []byte, _ bool) error {
		got = append(got, hf{string(name), string(value)})
		return nil
	})
	return got, err
}

// runSeries decodes and encodes the steps on one connection whose table
// size is tableSize.
func runSeries(t *testing.T, tableSize uint32, huffman bool, steps []step) {
	t.Helper()
	d := NewDecoder()
	d.limit, d.table.maxSize = tableSize, tableSize
	e := NewEncoder()
	e.limit, e.table.maxSize, e.huffman = tableSize, tableSize, huffmanNever
	if huffman {
		e.huffman = huffmanAlways
	}
	for i, s := range steps {
		got, err := decodeAll(d, s.wire)
		if err != nil {
			t.Fatalf("step %d: decode: %v", i+1, err)
		}
		if !slices.Equal(got, s.fields) {
			t.Errorf("step %d: decoded %v, want %v", i+1, got, s.fields)
		}
		if tab := tableState(&d.table); !slices.Equal(tab, s.table) || d.table.size != s.size {
			t.Errorf("step %d: decoder table %v (size %d), want %v (size %d)", i+1, tab, d.table.size, s.table, s.size)
		}
		var block []byte
		for _, f := range s.fields {
			block = e.AppendFieldString(block, f.name, f.value, false)
		}
		if !bytes.Equal(block, s.wire) {
			t.Errorf("step %d: encoded\n%x, want\n%x", i+1, block, s.wire)
		}
		if tab := tableState(&e.table); !slices.Equal(tab, s.table) || e.table.size != s.size {
			t.Errorf("step %d: encoder table %v (size %d), want %v (size %d)", i+1, tab, e.table.size, s.table, s.size)
		}
	}
}

func TestAppendixC1_1(t *testing.T) { testInteger(t, 5, 10, "0a") }
func TestAppendixC1_2(t *testing.T) { testInteger(t, 5, 1337, "1f9a0a") }
func TestAppendixC1_3(t *testing.T) { testInteger(t, 8, 42, "2a") }

func testInteger(t *testing.T, prefix uint8, v uint64, wire string) {
	t.Helper()
	got := AppendInteger(nil, 0, prefix, v)
	if hex.EncodeToString(got) != wire {
		t.Errorf("AppendInteger(%d, prefix %d) = %x, want %s", v, prefix, got, wire)
	}
	// Bits above the prefix belong to the representation, not the integer.
	in := dehex(wire)
	if prefix < 8 {
		in[0] |= 0xff << prefix
	}
	n, size, err := ReadInteger(in, prefix)
	if err != nil || uint64(n) != v || size != len(in) {
		t.Errorf("ReadInteger(%x, %d) = %d, %d, %v; want %d, %d", in, prefix, n, size, err, v, len(in))
	}
}

func TestAppendixC2_1(t *testing.T) {
	runSeries(t, 4096, false, []step{{
		wire:   dehex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
		fields: []hf{{"custom-key", "custom-header"}},
		table:  []hf{{"custom-key", "custom-header"}},
		size:   55,
	}})
}

// C.2.2 is a literal without indexing, which the Encoder's policy does not
// choose for a field of this size; only the decoder can be checked.
func TestAppendixC2_2(t *testing.T) {
	d := NewDecoder()
	got, err := collect(d, dehex("040c 2f73 616d 706c 652f 7061 7468"))
	if err != nil || len(got) != 1 || got[0] != (field{":path", "/sample/path", false}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if d.table.n != 0 {
		t.Errorf("table has %d entries, want 0", d.table.n)
	}
}

func TestAppendixC2_3(t *testing.T) {
	wire := dehex("1008 7061 7373 776f 7264 0673 6563 7265 74")
	d := NewDecoder()
	got, err := collect(d, wire)
	if err != nil || len(got) != 1 || got[0] != (field{"password", "secret", true}) {
		t.Fatalf("got %v, %v", got, err)
	}
	e := NewEncoder()
	e.huffman = huffmanNever
	if block := e.AppendFieldString(nil, "password", "secret", true); !bytes.Equal(block, wire) {
		t.Errorf("encoded %x, want %x", block, wire)
	}
	if d.table.n != 0 || e.table.n != 0 {
		t.Errorf("tables have %d and %d entries, want 0", d.table.n, e.table.n)
	}
}

func TestAppendixC2_4(t *testing.T) {
	runSeries(t, 4096, false, []step{{wire: dehex("82"), fields: []hf{{":method", "GET"}}}})
}

var (
	requests = [][]hf{
		{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}},
		{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}, {"cache-control", "no-cache"}},
		{{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"}, {":authority", "www.example.com"}, {"custom-key", "custom-value"}},
	}
	requestTables = [][]hf{
		{{":authority", "www.example.com"}},
		{{"cache-control", "no-cache"}, {":authority", "www.example.com"}},
		{{"custom-key", "custom-value"}, {"cache-control", "no-cache"}, {":authority", "www.example.com"}},
	}
	requestSizes = []uint32{57, 110, 164}
)

func requestSteps(wires ...string) []step {
	var steps []step
	for i, w := range wires {
		steps = append(steps, step{dehex(w), requests[i], requestTables[i], requestSizes[i]})
	}
	return steps
}

var c3 = requestSteps(
	"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
	"8286 84be 5808 6e6f 2d63 6163 6865",
	"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
)

var c4 = requestSteps(
	"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
	"8286 84be 5886 a8eb 1064 9cbf",
	"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
)

func TestAppendixC3_1(t *testing.T) { runSeries(t, 4096, false, c3[:1]) }
func TestAppendixC3_2(t *testing.T) { runSeries(t, 4096, false, c3[:2]) }
func TestAppendixC3_3(t *testing.T) { runSeries(t, 4096, false, c3[:3]) }
func TestAppendixC4_1(t *testing.T) { runSeries(t, 4096, true, c4[:1]) }
func TestAppendixC4_2(t *testing.T) { runSeries(t, 4096, true, c4[:2]) }
func TestAppendixC4_3(t *testing.T) { runSeries(t, 4096, true, c4[:3]) }

var (
	date1     = hf{"date", "Mon, 21 Oct 2013 20:13:21 GMT"}
	date2     = hf{"date", "Mon, 21 Oct 2013 20:13:22 GMT"}
	location  = hf{"location", "https://www.example.com"}
	private   = hf{"cache-control", "private"}
	setCookie = hf{"set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"}
	responses = [][]hf{
		{{":status", "302"}, private, date1, location},
		{{":status", "307"}, private, date1, location},
		{{":status", "200"}, private, date2, location, {"content-encoding", "gzip"}, setCookie},
	}
	responseTables = [][]hf{
		{location, date1, private, {":status", "302"}},
		{{":status", "307"}, location, date1, private},
		{setCookie, {"content-encoding", "gzip"}, date2},
	}
	responseSizes = []uint32{222, 222, 215}
)

func responseSteps(wires ...string) []step {
	var steps []step
	for i, w := range wires {
		steps = append(steps, step{dehex(w), responses[i], responseTables[i], responseSizes[i]})
	}
	return steps
}

var c5 = responseSteps(`
4803 3330 3258 0770 7269 7661 7465 611d
4d6f 6e2c 2032 3120 4f63 7420 3230 3133
2032 303a 3133 3a32 3120 474d 546e 1768
7474 7073 3a2f 2f77 7777 2e65 7861 6d70
6c65 2e63 6f6d`,
	"4803 3330 37c1 c0bf", `
88c1 611d 4d6f 6e2c 2032 3120 4f63 7420
3230 3133 2032 303a 3133 3a32 3220 474d
54c0 5a04 677a 6970 7738 666f 6f3d 4153
444a 4b48 514b 425a 584f 5157 454f 5049
5541 5851 5745 4f49 553b 206d 6178 2d61
6765 3d33 3630 303b 2076 6572 7369 6f6e
3d31`)

var c6 = responseSteps(`
4882 6402 5885 aec3 771a 4b61 96d0 7abe
9410 54d4 44a8 2005 9504 0b81 66e0 82a6
2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
e9ae 82ae 43d3`,
	"4883 640e ffc1 c0bf", `
88c1 6196 d07a be94 1054 d444 a820 0595
040b 8166 e084 a62d 1bff c05a 839b d9ab
77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
9587 3160 65c0 03ed 4ee5 b106 3d50 07`)

func TestAppendixC5_1(t *testing.T) { runSeries(t, 256, false, c5[:1]) }
func TestAppendixC5_2(t *testing.T) { runSeries(t, 256, false, c5[:2]) }
func TestAppendixC5_3(t *testing.T) { runSeries(t, 256, false, c5[:3]) }
func TestAppendixC6_1(t *testing.T) { runSeries(t, 256, true, c6[:1]) }
func TestAppendixC6_2(t *testing.T) { runSeries(t, 256, true, c6[:2]) }
func TestAppendixC6_3(t *testing.T) { runSeries(t, 256, true, c6[:3]) }

func (f hf) String() string { return fmt.Sprintf("%s: %s", f.name, f.value) }
