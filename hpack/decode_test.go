package hpack

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// literal returns a literal field with incremental indexing and a new name,
// without Huffman coding.
func literal(name, value string) []byte {
	b := []byte{0x40}
	b = AppendInteger(b, 0, 7, uint64(len(name)))
	b = append(b, name...)
	b = AppendInteger(b, 0, 7, uint64(len(value)))
	return append(b, value...)
}

// literalNoIndex is literal without indexing.
func literalNoIndex(name, value string) []byte {
	b := literal(name, value)
	b[0] = 0x00
	return b
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		block []byte
		err   error
	}{
		{"index 0", []byte{0x82, 0x80}, ErrInvalidIndex},
		{"index past the table", []byte{0xbe}, ErrInvalidIndex},
		{"index past the table, long form", []byte{0xff, 0x80, 0x01}, ErrInvalidIndex},
		{"name index past the table", []byte{0x7e, 0x01, 'v'}, ErrInvalidIndex},
		{"integer overflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}, ErrIntegerOverflow},
		{"integer with too many bytes", []byte{0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, ErrIntegerOverflow},
		{"truncated integer", []byte{0x82, 0xff, 0x80}, ErrTruncated},
		{"truncated literal", []byte{0x40}, ErrTruncated},
		{"string length beyond the block", []byte{0x40, 0x0a, 'a', 'b', 'c'}, ErrStringLength},
		{"huge string length", []byte{0x04, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x07}, ErrStringLength},
		{"Huffman EOS", []byte{0x04, 0x84, 0xff, 0xff, 0xff, 0xff}, ErrHuffmanEOS},
		{"Huffman padding", []byte{0x04, 0x82, 0x07, 0xff}, ErrHuffmanPadding},
		{"size update above the limit", []byte{0x3f, 0xe2, 0x1f}, ErrSizeUpdateTooLarge},
		{"size update after a field", []byte{0x82, 0x20}, ErrSizeUpdateAfterField},
		{"size update after a literal", append(literal("a", "b"), 0x3f, 0x01), ErrSizeUpdateAfterField},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder()
			_, err := collect(d, tt.block)
			var de *DecodingError
			if !errors.As(err, &de) || !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want a DecodingError for %v", err, tt.err)
			}
			// The compression context is lost: the Decoder stays broken.
			if _, err2 := collect(d, []byte{0x82}); err2 != err {
				t.Errorf("next block: %v, want %v", err2, err)
			}
		})
	}
}

func TestDecodeLastStaticIndex(t *testing.T) {
	got, err := collect(NewDecoder(), []byte{0xbd})
	if err != nil || len(got) != 1 || got[0].name != "www-authenticate" {
		t.Fatalf("got %v, %v", got, err)
	}
}

// TestDecodeSizeUpdates covers updates at the start of a block: several in
// a row, one that evicts, and the one owed after our limit dropped.
func TestDecodeSizeUpdates(t *testing.T) {
	d := NewDecoder()
	if _, err := collect(d, slices.Concat(literal("aaaa", "bbbb"), literal("cccc", "dddd"))); err != nil {
		t.Fatal(err)
	}
	if size, _ := d.DynamicTableSize(); size != 80 {
		t.Fatalf("size %d, want 80", size)
	}
	// 0x20 empties the table, 0x3f 0x45 sets 100; then index 62 is gone.
	if _, err := collect(d, []byte{0x20, 0x3f, 0x45, 0x82}); err != nil {
		t.Fatal(err)
	}
	if size, maxSize := d.DynamicTableSize(); size != 0 || maxSize != 100 {
		t.Fatalf("size %d/%d, want 0/100", size, maxSize)
	}
	// Our limit drops below the table size: the next block must update.
	d2 := NewDecoder()
	d2.SetMaxDynamicTableSize(1000)
	if _, err := collect(d2, []byte{0x82}); !errors.Is(err, ErrSizeUpdateMissing) {
		t.Fatalf("block without the owed update: %v", err)
	}
	d3 := NewDecoder()
	d3.SetMaxDynamicTableSize(1000)
	if _, err := collect(d3, []byte{0x3f, 0xc9, 0x07, 0x82}); err != nil { // 1000
		t.Fatalf("block with the owed update: %v", err)
	}
	if _, err := collect(d3, []byte{0x82}); err != nil {
		t.Fatalf("following block: %v", err)
	}
	// Raising the limit owes nothing.
	d4 := NewDecoder()
	d4.SetMaxDynamicTableSize(8192)
	if _, err := collect(d4, []byte{0x82}); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeHPACKBomb: a tiny block that references one 4 KB entry
// thousands of times is refused by the header list budget without building
// the list, and the table survives for the next block.
func TestDecodeHPACKBomb(t *testing.T) {
	big := string(bytes.Repeat([]byte("x"), 4000))
	block := slices.Concat(literal("b", big), bytes.Repeat([]byte{0xbe}, 10000))
	d := NewDecoder()
	emitted := 0
	emit := func(_, _ []byte, _ bool) error { emitted++; return nil }
	if err := d.Decode(block, emit); !errors.Is(err, ErrHeaderListTooLarge) {
		t.Fatalf("bomb: %v, want ErrHeaderListTooLarge", err)
	}
	if limit := DefaultMaxHeaderListSize / (4000 + 1 + 32); emitted > limit {
		t.Errorf("emitted %d fields, at most %d fit the budget", emitted, limit)
	}
	allocs := testing.AllocsPerRun(10, func() { _ = d.Decode(block, emit) })
	if allocs != 0 {
		t.Errorf("%v allocations per bomb, want 0", allocs)
	}
	if cap(d.scratch) > 8192 {
		t.Errorf("scratch grew to %d bytes", cap(d.scratch))
	}
	got, err := collect(d, []byte{0xbe})
	if err != nil || len(got) != 1 || got[0].value != big {
		t.Fatalf("after the bomb: %v", err)
	}
}

// TestDecodeTooManyFields: the block is abandoned past MaxFields, the table
// still takes the entries that follow, and the Decoder stays usable.
func TestDecodeTooManyFields(t *testing.T) {
	d := NewDecoder()
	d.MaxFields = 5
	block := slices.Concat(bytes.Repeat([]byte{0x82}, 6), literal("late", "entry"))
	emitted := 0
	err := d.Decode(block, func([]byte, []byte, bool) error { emitted++; return nil })
	if !errors.Is(err, ErrTooManyFields) || emitted != 5 {
		t.Fatalf("got %v after %d fields", err, emitted)
	}
	got, err := collect(d, []byte{0xbe})
	if err != nil || len(got) != 1 || got[0] != (field{"late", "entry", false}) {
		t.Fatalf("next block: %v, %v", got, err)
	}
}

// TestDecodeHeaderListSize: the budget counts name + value + 32 per field.
func TestDecodeHeaderListSize(t *testing.T) {
	block := slices.Concat(literalNoIndex("a", "12345678"), literalNoIndex("b", "12345678"))
	for _, tt := range []struct {
		max uint32
		err error
	}{{82, nil}, {81, ErrHeaderListTooLarge}, {41, ErrHeaderListTooLarge}, {40, ErrHeaderListTooLarge}} {
		d := NewDecoder()
		d.MaxHeaderListSize = tt.max
		if _, err := collect(d, block); err != tt.err {
			t.Errorf("MaxHeaderListSize %d: %v, want %v", tt.max, err, tt.err)
		}
	}
}

// TestDecodeStringTooLong: a value over MaxStringLength abandons the block,
// but an indexed one still enters the table, raw or Huffman-coded.
func TestDecodeStringTooLong(t *testing.T) {
	long := "0123456789012345678901234567890123456789"
	e := NewEncoder()
	huff := e.AppendFieldString(nil, "h", long, false)
	for name, block := range map[string][]byte{
		"raw":     slices.Concat(literal("r", long), []byte{0x82}),
		"huffman": slices.Concat(huff, []byte{0x82}),
	} {
		d := NewDecoder()
		d.MaxStringLength = 20
		if _, err := collect(d, block); !errors.Is(err, ErrStringTooLong) {
			t.Errorf("%s: %v, want ErrStringTooLong", name, err)
		}
		if tab := tableState(&d.table); len(tab) != 1 || tab[0].value != long {
			t.Errorf("%s: table %v", name, tab)
		}
	}
	d := NewDecoder()
	d.MaxStringLength = 20
	if _, err := collect(d, literalNoIndex("n", long)); !errors.Is(err, ErrStringTooLong) {
		t.Errorf("not indexed: %v", err)
	}
}

// TestDecodeOverBudgetEntryLargerThanTable: a string too long to store that
// was to be indexed is larger than the table, and empties it.
func TestDecodeOverBudgetEntryLargerThanTable(t *testing.T) {
	d := NewDecoder()
	d.MaxHeaderListSize = 100
	huge := string(bytes.Repeat([]byte("y"), 5000))
	block := slices.Concat(literal("keep", "me"), literal("h", huge), literal("after", "x"))
	if _, err := collect(d, block); !errors.Is(err, ErrHeaderListTooLarge) {
		t.Fatalf("got %v", err)
	}
	if tab := tableState(&d.table); !slices.Equal(tab, []hf{{"after", "x"}}) {
		t.Fatalf("table %v", tab)
	}
}

// TestDecodeEmitError: an error from emit stops the emission, not the
// decoding.
func TestDecodeEmitError(t *testing.T) {
	d := NewDecoder()
	stop := errors.New("stop")
	n := 0
	err := d.Decode(slices.Concat([]byte{0x82, 0x84}, literal("k", "v")), func([]byte, []byte, bool) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("got %v after %d calls", err, n)
	}
	if tab := tableState(&d.table); !slices.Equal(tab, []hf{{"k", "v"}}) {
		t.Fatalf("table %v", tab)
	}
}

// TestDecodeLimitKeepsTableInSync: blocks abandoned for their size leave
// the Decoder's table equal to the Encoder's.
func TestDecodeLimitKeepsTableInSync(t *testing.T) {
	e, d := NewEncoder(), NewDecoder()
	d.MaxHeaderListSize = 200
	for i := range 50 {
		fields := []hf{{"x-small", "1"}, {"x-big", string(bytes.Repeat([]byte{byte('a' + i%26)}, 100+i))}, {"x-after", string(rune('A' + i%26))}}
		_, err := collect(d, encodeBlock(e, fields))
		if !errors.Is(err, ErrHeaderListTooLarge) {
			t.Fatalf("block %d: %v", i, err)
		}
		if got, want := tableState(&d.table), tableState(&e.table); !slices.Equal(got, want) {
			t.Fatalf("block %d: decoder table %v, encoder table %v", i, got, want)
		}
	}
}

// TestDecodeFieldViews: names and values of emitted fields are the right
// bytes even when the name comes from an entry the new one evicts.
func TestDecodeFieldViews(t *testing.T) {
	d := NewDecoder()
	d.limit, d.table.maxSize = 60, 60
	// Entry "abcd: 1234" (40 bytes), then a literal with its name (index
	// 62) and incremental indexing, which evicts it.
	block := slices.Concat(literal("abcd", "1234"), []byte{0x7e, 0x04}, []byte("5678"))
	got, err := collect(d, block)
	want := []field{{"abcd", "1234", false}, {"abcd", "5678", false}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if tab := tableState(&d.table); !slices.Equal(tab, []hf{{"abcd", "5678"}}) {
		t.Fatalf("table %v", tab)
	}
}

// TestDecodeAllocs: decoding a browser request allocates nothing once the
// Decoder is warm, whether the block is made of literals or of indices.
func TestDecodeAllocs(t *testing.T) {
	first, repeat := benchBlocks()
	d := NewDecoder()
	n := 0
	emit := func(name, _ []byte, _ bool) error { n += len(name); return nil }
	for range 3 {
		if err := d.Decode(first, emit); err != nil {
			t.Fatal(err)
		}
	}
	for name, block := range map[string][]byte{"first": first, "repeat": repeat} {
		if allocs := testing.AllocsPerRun(100, func() { _ = d.Decode(block, emit) }); allocs != 0 {
			t.Errorf("%s: %v allocations per Decode", name, allocs)
		}
	}
}

// TestDecodeNilEmit: a nil emit only keeps the table in step.
func TestDecodeNilEmit(t *testing.T) {
	d := NewDecoder()
	if err := d.Decode(slices.Concat([]byte{0x82}, literal("k", "v")), nil); err != nil {
		t.Fatal(err)
	}
	if tab := tableState(&d.table); !slices.Equal(tab, []hf{{"k", "v"}}) {
		t.Fatalf("table %v", tab)
	}
}

// TestDecodeIndexedUnderChurn: indexed fields read the right bytes while
// entries of every size, empty names included, are added, evicted, moved
// by compaction and by growth, and the table is resized. After each block
// of literals, a block reads every live entry back through one-byte
// indexes, and the fields must equal what x/net's decoder reads.
func TestDecodeIndexedUnderChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := NewDecoder()
	x := xhpack.NewDecoder(DefaultDynamicTableSize, nil)
	var got []hf
	emit := func(name, value []byte, _ bool) error {
		got = append(got, hf{string(name), string(value)})
		return nil
	}
	for i := range 3000 {
		var block []byte
		if i%500 == 499 {
			// A size update, which may evict everything.
			block = AppendInteger(block, 0x20, 5, uint64(rng.IntN(DefaultDynamicTableSize+1)))
		}
		for range 1 + rng.IntN(3) {
			name := strings.Repeat("n", rng.IntN(3)) + strconv.Itoa(rng.IntN(40))
			if rng.IntN(20) == 0 {
				name = ""
			}
			value := strconv.Itoa(i) + strings.Repeat("v", rng.IntN(300))
			block = append(block, literal(name, value)...)
		}
		if err := d.Decode(block, nil); err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if _, err := x.DecodeFull(block); err != nil {
			t.Fatalf("block %d: x/net: %v", i, err)
		}
		block = block[:0]
		for k := 1; k <= min(d.table.n, 126-staticLen); k++ {
			block = append(block, byte(0x80|(staticLen+k)))
		}
		got = got[:0]
		if err := d.Decode(block, emit); err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		theirs, err := x.DecodeFull(block)
		if err != nil {
			t.Fatalf("block %d: x/net: %v", i, err)
		}
		want := make([]hf, len(theirs))
		for j, f := range theirs {
			want[j] = hf{f.Name, f.Value}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("block %d: read %v, x/net read %v", i, got, want)
		}
	}
}

// TestDecodeGeneration: the Generation moves on with every change to the
// decoding context (insertion, even of an entry too large to keep; size
// update; new limit; the error that breaks the Decoder) and with nothing
// else.
func TestDecodeGeneration(t *testing.T) {
	d := NewDecoder()
	step := func(name string, moves bool, change func()) {
		t.Helper()
		g := d.Generation()
		change()
		if got := d.Generation() != g; got != moves {
			t.Fatalf("%s: Generation moved = %v, want %v", name, got, moves)
		}
	}
	decode := func(block string) func() {
		return func() { d.Decode([]byte(block), nil) }
	}
	step("indexed static", false, decode("\x82\x86"))
	step("literal with indexing", true, decode(string(literal("x-a", "one"))))
	step("indexed dynamic", false, decode("\xbe"))
	step("literal without indexing", false, decode("\x00\x03x-b\x01v"))
	step("literal never indexed", false, decode("\x10\x03x-b\x01v"))
	step("literal too large to keep", true, decode(string(literal("x-c", strings.Repeat("v", 5000)))))
	step("size update", true, decode("\x3f\xe1\x1f")) // 4096
	step("limit", true, func() { d.SetMaxDynamicTableSize(1024) })
	step("limit's size update", true, decode("\x3f\xe1\x07")) // 1024
	step("emit error", false, func() {
		d.Decode([]byte("\x82"), func([]byte, []byte, bool) error { return errors.New("stop") })
	})
	step("broken", true, decode("\xff\xff\xff\xff\xff\xff\xff"))
	step("after the break", false, decode("\x82"))
}
