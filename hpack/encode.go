package hpack

import (
	"cmp"
	"unsafe"
)

// An Encoder encodes header lists into header blocks for one direction of
// one connection: it owns the compression context (the dynamic table) that
// the peer's Decoder mirrors. It is not safe for concurrent use; blocks must
// reach the peer in the order they were encoded.
//
// Policy: a field equal to a table entry is sent as an index; otherwise it
// is sent as a literal with incremental indexing, except that fields larger
// than 3/4 of the dynamic table are not indexed (they would flush it) and
// sensitive fields are sent as never-indexed literals without consulting
// the dynamic table. A string is Huffman-coded only when that is shorter.
// Once warm, the Encoder allocates nothing.
type Encoder struct {
	table dynamicTable
	index dynamicIndex
	// limit is the peer's SETTINGS_HEADER_TABLE_SIZE.
	limit uint32
	// pending says that the table size changed since the last block;
	// minSize is the smallest size it took meanwhile (RFC 7541, Section
	// 4.2).
	pending bool
	minSize uint32
	gen     uint64 // Generation
	// huffman is the choice of string coding: huffmanShorter except in
	// tests that reproduce the examples of RFC 7541 Appendix C, whose
	// encoder codes every string one way.
	huffman huffmanPolicy
}

type huffmanPolicy uint8

const (
	huffmanShorter huffmanPolicy = iota // Huffman only where it is shorter
	huffmanNever
	huffmanAlways
)

// NewEncoder returns an Encoder with the initial dynamic table size and
// limit of HTTP/2, DefaultDynamicTableSize.
func NewEncoder() *Encoder {
	e := &Encoder{limit: DefaultDynamicTableSize}
	e.table.maxSize = DefaultDynamicTableSize
	return e
}

// SetMaxDynamicTableSizeLimit records the peer's SETTINGS_HEADER_TABLE_SIZE:
// the table size may not exceed v. If it does now, it shrinks to v and the
// next block starts with a dynamic table size update.
func (e *Encoder) SetMaxDynamicTableSizeLimit(v uint32) {
	e.limit = v
	if e.table.maxSize > v {
		e.resize(v)
	}
}

// SetMaxDynamicTableSize sets the size of the dynamic table the Encoder
// uses, capped by the limit (SetMaxDynamicTableSizeLimit). The next block
// starts with the dynamic table size updates that announce it. Call it
// between blocks only.
func (e *Encoder) SetMaxDynamicTableSize(v uint32) {
	e.resize(min(v, e.limit))
}

// MaxDynamicTableSize returns the current maximum size of the dynamic table.
func (e *Encoder) MaxDynamicTableSize() uint32 { return e.table.maxSize }

// Generation counts the changes to the encoding context: every insertion
// into the dynamic table, every change of its size and every size update
// written move it on. What AppendField appends is a function of the
// context and its arguments alone, so a header list encoded again at the
// same Generation as a previous encoding that did not move it gives the
// same block: an owner may send that block again instead (h2 does, for
// the requests or responses a connection repeats).
func (e *Encoder) Generation() uint64 { return e.gen }

func (e *Encoder) resize(v uint32) {
	if !e.pending || v < e.minSize {
		e.minSize = v
	}
	e.gen++
	e.pending = true
	e.table.setMaxSize(v)
}

// AppendTableSizeUpdate appends the dynamic table size updates owed since
// the last block, if any, and returns the extended buffer. AppendField does
// it by itself before the first field of a block; call it directly only to
// start a block with no fields.
func (e *Encoder) AppendTableSizeUpdate(dst []byte) []byte {
	if !e.pending {
		return dst
	}
	if e.minSize < e.table.maxSize {
		dst = AppendInteger(dst, 0x20, 5, uint64(e.minSize))
	}
	e.gen++
	e.pending = false
	return AppendInteger(dst, 0x20, 5, uint64(e.table.maxSize))
}

// AppendField appends the representation of one header field to dst and
// returns the extended buffer. The name must be lowercase, as HTTP/2
// requires (RFC 9113, Section 8.2.1); the Encoder does not check. Fields
// marked sensitive, authorization and proxy-authorization fields, and
// cookie fields with values shorter than 20 bytes (which are easy to guess)
// are never indexed, here or by intermediaries (RFC 7541, Section 7.1.3).
// A block is the concatenation of the representations of its fields.
func (e *Encoder) AppendField(dst, name, value []byte, sensitive bool) []byte {
	if e.pending {
		dst = e.AppendTableSizeUpdate(dst)
	}
	sensitive = sensitive || isSensitive(name, value)
	h := hashBytes(name)
	if sensitive {
		_, ni := staticLookup(name, nil, h)
		if ni == 0 {
			_, ni = e.index.lookup(&e.table, name, nil, h)
		}
		dst = AppendInteger(dst, 0x10, 4, uint64(ni))
		return e.appendLiteralStrings(dst, ni, name, value)
	}
	// The dynamic table never holds a field equal to a static entry, so
	// an exact match there settles it without a look at the static table.
	exact, dynName := e.index.lookup(&e.table, name, value, h)
	if exact != 0 {
		return AppendInteger(dst, 0x80, 7, uint64(exact))
	}
	exact, ni := staticLookup(name, value, h)
	if exact != 0 {
		return AppendInteger(dst, 0x80, 7, uint64(exact))
	}
	ni = cmp.Or(ni, dynName)
	if e.shouldIndex(name, value) {
		dst = AppendInteger(dst, 0x40, 6, uint64(ni))
		e.gen++
		e.table.add(name, value)
		e.index.insert(&e.table, name, h)
	} else {
		dst = AppendInteger(dst, 0x00, 4, uint64(ni))
	}
	return e.appendLiteralStrings(dst, ni, name, value)
}

// appendLiteralStrings appends the strings of a literal field
// representation: the name unless it is indexed (ni), and the value.
func (e *Encoder) appendLiteralStrings(dst []byte, ni uint32, name, value []byte) []byte {
	if ni == 0 {
		dst = appendString(dst, name, e.huffman)
	}
	return appendString(dst, value, e.huffman)
}

// AppendFieldString is AppendField for string arguments.
func (e *Encoder) AppendFieldString(dst []byte, name, value string, sensitive bool) []byte {
	return e.AppendField(dst, readOnlyBytes(name), readOnlyBytes(value), sensitive)
}

// readOnlyBytes views s as a byte slice without copying. The Encoder only
// reads its arguments (the table copies them), so the string's immutability
// holds; this saves a copy per field on the string API.
func readOnlyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// shouldIndex reports whether a field that is not in the tables is worth
// adding to the dynamic table: only if it takes at most 3/4 of it.
func (e *Encoder) shouldIndex(name, value []byte) bool {
	need := uint64(len(name)) + uint64(len(value)) + entryOverhead
	return need <= uint64(e.table.maxSize)*3/4
}

// isSensitive reports the fields that are never indexed whatever the caller
// says: credentials, and cookies short enough to be guessed.
func isSensitive(name, value []byte) bool {
	switch string(name) {
	case "authorization", "proxy-authorization":
		return true
	case "cookie":
		return len(value) < 20
	}
	return false
}
