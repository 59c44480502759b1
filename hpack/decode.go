package hpack

import "math"

// Limits of the Decoder.
const (
	// DefaultMaxHeaderListSize is the default Decoder.MaxHeaderListSize, the
	// header section limit of turbohttp's servers.
	DefaultMaxHeaderListSize = 64 << 10
	// DefaultMaxFields is the default Decoder.MaxFields, as for HTTP/1.
	DefaultMaxFields = 1000
	// DefaultMaxStringLength is the default Decoder.MaxStringLength: no
	// tighter than the header list budget itself.
	DefaultMaxStringLength = DefaultMaxHeaderListSize
)

// A Decoder decodes the header blocks of one direction of one connection
// and keeps the compression context (the dynamic table) in step with the
// peer's encoder. It is not safe for concurrent use. Once warm it allocates
// nothing: Huffman-coded strings are decoded into a reused buffer, and
// other strings are emitted as views of the block or of the tables.
//
// The limits are enforced while decoding, before any field is built: the
// fields of a header list beyond its budget are neither copied nor emitted,
// so a small block that references a large entry many times (an HPACK
// bomb) costs only its own length. A block over a limit is still decoded to
// its end, so that every change it makes to the dynamic table is applied,
// and Decode then returns ErrHeaderListTooLarge, ErrTooManyFields or
// ErrStringTooLong; the Decoder stays usable for the next block and only
// the stream concerned needs to fail. A *DecodingError, by contrast, means
// the compression context is lost: the connection must end with
// COMPRESSION_ERROR, and every later Decode returns the same error.
//
// Change the exported limits only between blocks.
type Decoder struct {
	// MaxHeaderListSize bounds the sum, over the fields of one block, of
	// len(name) + len(value) + 32 (RFC 9113, SETTINGS_MAX_HEADER_LIST_SIZE).
	MaxHeaderListSize uint32
	// MaxFields bounds the number of fields in one block.
	MaxFields int
	// MaxStringLength bounds the length of one decoded name or value.
	MaxStringLength int

	table dynamicTable
	// limit is SETTINGS_HEADER_TABLE_SIZE as we advertised it; mustUpdate
	// says that the next block has to start with a size update because the
	// limit dropped below the current table size.
	limit      uint32
	mustUpdate bool
	gen        uint64 // Generation
	scratch    []byte // decoded Huffman strings of the current field
	err        error  // the *DecodingError that broke the Decoder
}

// NewDecoder returns a Decoder with the default limits and the initial
// dynamic table size and limit of HTTP/2, DefaultDynamicTableSize.
func NewDecoder() *Decoder {
	d := &Decoder{
		MaxHeaderListSize: DefaultMaxHeaderListSize,
		MaxFields:         DefaultMaxFields,
		MaxStringLength:   DefaultMaxStringLength,
		limit:             DefaultDynamicTableSize,
	}
	d.table.maxSize = DefaultDynamicTableSize
	return d
}

// SetMaxDynamicTableSize sets the largest dynamic table size the peer may
// choose: the SETTINGS_HEADER_TABLE_SIZE we advertised, to be applied once
// the peer has acknowledged it. If the table is now larger, the next block
// must start with a size update that brings it within v (RFC 7541, Section
// 4.2), or it is ErrSizeUpdateMissing.
func (d *Decoder) SetMaxDynamicTableSize(v uint32) {
	d.limit = v
	d.mustUpdate = d.table.maxSize > v
	d.gen++
}

// Generation counts the changes to the decoding context: every insertion
// into the dynamic table, every size update, every SetMaxDynamicTableSize
// and the error that breaks the Decoder move it on. What Decode does is a
// function of the context, the limits and the block alone, so a block
// decoded again at the same Generation, with the same limits, emits the
// same fields and returns the same result as the first time: an owner that
// sees the same block arrive again (a busy connection's responses often
// repeat theirs byte for byte) may use what the first decode gave.
func (d *Decoder) Generation() uint64 { return d.gen }

// DynamicTableSize returns the current size of the dynamic table and its
// maximum, as the RFC counts them.
func (d *Decoder) DynamicTableSize() (size, maxSize uint32) {
	return d.table.size, d.table.maxSize
}

// blockState is the progress through one header block.
type blockState struct {
	emit func(name, value []byte, sensitive bool) error
	// What the limits leave of the field count and the header list size:
	// the block is over them when either turns negative. Once the block
	// is abandoned, fieldsLeft stays negative (see stop).
	fieldsLeft int64
	sizeLeft   int64
	maxString  int // the longest name or value allowed
	// abandon is the first limit or emit error; once set, nothing more is
	// emitted, and strings are decoded only as far as the table needs.
	abandon error
}

// Decode decodes one complete header block (the fragments of a HEADERS
// frame and its CONTINUATION frames, concatenated) and calls emit for each
// field in order. name and value are views valid only during the call,
// which must neither modify them nor call the Decoder; copy them to keep
// them. sensitive is set for a field sent as a never-indexed literal, which
// an intermediary must forward the same way. (The field comes as three
// arguments rather than as a struct so that it is passed in registers: a
// 7-word struct is built in memory for every call, which cost a fifth of
// the time of decoding an indexed field.)
//
// If emit returns an error, no more fields are emitted, the rest of the
// block still updates the table, and Decode returns that error. On any
// error, the caller must discard the fields already emitted for this block.
// A nil emit only updates the table.
func (d *Decoder) Decode(block []byte, emit func(name, value []byte, sensitive bool) error) error {
	if d.err != nil {
		return d.err
	}
	if emit == nil {
		emit = discard
	}
	st := blockState{emit: emit, fieldsLeft: int64(d.MaxFields), sizeLeft: int64(d.MaxHeaderListSize), maxString: d.MaxStringLength}
	if err := d.decode(block, &st); err != nil {
		d.err = err
		d.gen++
		return err
	}
	return st.abandon
}

func discard([]byte, []byte, bool) error { return nil }

func (d *Decoder) decode(block []byte, st *blockState) error {
	off := 0
	for off < len(block) && block[off]&0xe0 == 0x20 {
		n, err := d.sizeUpdate(block[off:])
		if err != nil {
			return &DecodingError{Offset: off, Err: err}
		}
		off += n
	}
	if d.mustUpdate {
		return &DecodingError{Offset: off, Err: ErrSizeUpdateMissing}
	}
	for off < len(block) {
		// Fast path: an indexed field with a one-byte index.
		if b := block[off]; b > 0x80 && b < 0xff {
			var name, value []byte
			if idx := uint32(b & 0x7f); idx <= uint32(staticLen) {
				name, value = staticFields[idx].name, staticFields[idx].value
			} else if k := idx - uint32(staticLen); k <= uint32(d.table.n) {
				e := d.table.entryAt(d.table.added - k)
				name, value = e.name, e.value
			} else {
				return &DecodingError{Offset: off, Err: ErrInvalidIndex}
			}
			if st.admit(len(name), len(value)) {
				if err := st.emit(name, value, false); err != nil {
					st.stop(err)
				}
			}
			off++
			continue
		}
		n, err := d.field(block[off:], st)
		if err != nil {
			return &DecodingError{Offset: off, Err: err}
		}
		off += n
	}
	return nil
}

// field decodes one field representation other than a size update.
func (d *Decoder) field(p []byte, st *blockState) (int, error) {
	switch b := p[0]; {
	case b >= 0x80:
		return d.indexed(p, st)
	case b >= 0x40:
		return d.literal(p, 6, true, false, st)
	case b >= 0x20:
		return 0, ErrSizeUpdateAfterField
	case b >= 0x10:
		return d.literal(p, 4, false, true, st)
	default:
		return d.literal(p, 4, false, false, st)
	}
}

// indexed decodes an indexed header field (RFC 7541, Section 6.1).
func (d *Decoder) indexed(p []byte, st *blockState) (int, error) {
	idx, n, err := ReadInteger(p, 7)
	if err != nil {
		return 0, err
	}
	name, value, err := d.lookup(idx)
	if err != nil {
		return 0, err
	}
	d.deliver(st, name, value, false)
	return n, nil
}

// lookup returns the entry with the given index in the static or dynamic
// table.
func (d *Decoder) lookup(idx uint32) (name, value []byte, err error) {
	if idx-1 < uint32(staticLen) {
		f := &staticFields[idx]
		return f.name, f.value, nil
	}
	name, value, ok := d.table.at(idx - uint32(staticLen))
	if !ok {
		return nil, nil, ErrInvalidIndex
	}
	return name, value, nil
}

// literal decodes a literal header field (RFC 7541, Section 6.2) whose
// name index has a prefix of prefix bits; indexing selects incremental
// indexing and sensitive the never-indexed form.
func (d *Decoder) literal(p []byte, prefix uint8, indexing, sensitive bool, st *blockState) (int, error) {
	idx, n, err := ReadInteger(p, prefix)
	if err != nil {
		return 0, err
	}
	d.scratch = d.scratch[:0]
	var name []byte
	nameLen, nameOK := 0, true
	if idx != 0 {
		if name, _, err = d.lookup(idx); err != nil {
			return 0, err
		}
		if indexing && idx > uint32(staticLen) {
			// Adding the entry may evict or move the one the name is in.
			d.scratch = append(d.scratch, name...)
			name = d.scratch
		}
		nameLen = len(name)
	} else {
		var k int
		if name, nameLen, k, nameOK, err = d.readString(p[n:], d.stringMax(st, indexing, 0)); err != nil {
			return 0, err
		}
		n += k
	}
	value, valueLen, k, valueOK, err := d.readString(p[n:], d.stringMax(st, indexing, nameLen))
	if err != nil {
		return 0, err
	}
	n += k
	stored := nameOK && valueOK
	if indexing {
		d.gen++
		if stored {
			d.table.add(name, value)
		} else {
			d.table.addTooLarge()
		}
	}
	if stored {
		d.deliver(st, name, value, sensitive)
	} else {
		st.refuse(nameLen, valueLen)
	}
	return n, nil
}

// stringMax returns the longest string the decoder will store for the next
// name or value of a field whose other string is used bytes long: as much
// as the field may still emit and, for a field to be indexed, as much as
// the table can hold.
func (d *Decoder) stringMax(st *blockState, indexing bool, used int) int {
	emitMax := 0
	if st.abandon == nil {
		emitMax = int(max(0, min(st.sizeLeft-entryOverhead-int64(used), int64(st.maxString))))
	}
	if indexing {
		return max(emitMax, int(d.table.maxSize))
	}
	return emitMax
}

// readString decodes a string literal (RFC 7541, Section 5.2) from the start
// of p; n is its length on the wire. If the decoded string is at most
// maxLen bytes, it is returned in s (a view of p, or of the scratch buffer
// if Huffman-coded) with stored set; otherwise it is only validated and
// length is its decoded length.
func (d *Decoder) readString(p []byte, maxLen int) (s []byte, length, n int, stored bool, err error) {
	l, k, err := ReadInteger(p, 7)
	if err != nil {
		return nil, 0, 0, false, err
	}
	if uint64(l) > uint64(len(p)-k) {
		return nil, 0, 0, false, ErrStringLength
	}
	raw, n := p[k:k+int(l)], k+int(l)
	if p[0]&0x80 == 0 {
		if len(raw) > maxLen {
			return nil, len(raw), n, false, nil
		}
		return raw, len(raw), n, true, nil
	}
	start := len(d.scratch)
	out, length, err := huffmanDecode(d.scratch, raw, maxLen)
	if err == errStringOverMax {
		length, err = huffmanCount(raw)
		return nil, length, n, false, err
	}
	if err != nil {
		return nil, 0, 0, false, err
	}
	d.scratch = out
	return out[start:], length, n, true, nil
}

// sizeUpdate decodes a dynamic table size update (RFC 7541, Section 6.3),
// which may only come before the first field of a block.
func (d *Decoder) sizeUpdate(p []byte) (int, error) {
	v, n, err := ReadInteger(p, 5)
	if err != nil {
		return 0, err
	}
	if v > d.limit {
		return 0, ErrSizeUpdateTooLarge
	}
	d.table.setMaxSize(v)
	d.mustUpdate = false
	d.gen++
	return n, nil
}

// deliver applies the limits to one field and emits it if they allow.
func (d *Decoder) deliver(st *blockState, name, value []byte, sensitive bool) {
	if st.admit(len(name), len(value)) {
		if err := st.emit(name, value, sensitive); err != nil {
			st.stop(err)
		}
	}
}

// admit accounts for a field of nameLen and valueLen bytes and reports
// whether it may be emitted: not once the block is abandoned, nor if it
// breaks a limit, which abandons the block.
func (st *blockState) admit(nameLen, valueLen int) bool {
	st.fieldsLeft--
	st.sizeLeft -= int64(nameLen) + int64(valueLen) + entryOverhead
	if st.fieldsLeft|st.sizeLeft < 0 || nameLen > st.maxString || valueLen > st.maxString {
		if st.abandon == nil {
			st.stop(st.limitError(nameLen, valueLen))
		}
		return false
	}
	return true
}

// stop abandons the block with err: fieldsLeft is made negative for good,
// so that admit refuses every later field with a single test.
func (st *blockState) stop(err error) {
	st.abandon = err
	st.fieldsLeft = math.MinInt64 / 2 // far enough from the bottom never to wrap
}

// refuse accounts for a field whose name or value was too long to be
// stored (nameLen and valueLen are their decoded lengths) and abandons the
// block.
func (st *blockState) refuse(nameLen, valueLen int) {
	if st.admit(nameLen, valueLen) {
		st.stop(ErrHeaderListTooLarge) // not reached: storage is refused for breaking a limit
	}
}

// limitError names the limit that a field of nameLen and valueLen bytes
// broke.
func (st *blockState) limitError(nameLen, valueLen int) error {
	switch {
	case nameLen > st.maxString || valueLen > st.maxString:
		return ErrStringTooLong
	case st.fieldsLeft < 0:
		return ErrTooManyFields
	}
	return ErrHeaderListTooLarge
}
