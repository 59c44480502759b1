package h2

import (
	"encoding/binary"
	"errors"

	"turbohttp/hpack"
)

// This file decodes header blocks and applies the field rules of RFC 9113
// §8.2–8.3 by role. A section that breaks one is malformed: a stream error
// of type PROTOCOL_ERROR (§8.1.1).

// sectionKind is what a header section is expected to be.
type sectionKind uint8

const (
	sectionRequest  sectionKind = iota + 1 // server: a request's first HEADERS
	sectionResponse                        // client: a (1xx or final) response
	sectionTrailers                        // either role
)

// Pseudo-header fields seen, as bits.
const (
	pseudoMethod = 1 << iota
	pseudoScheme
	pseudoAuthority
	pseudoPath
	pseudoStatus
)

// fieldRef locates a field in headerDecoder.data.
type fieldRef struct{ name, nameEnd, value, valueEnd int32 }

// headerDecoder collects the fields of one section as the HPACK decoder
// emits them, copying them into one reused buffer and checking each rule.
type headerDecoder struct {
	c      *Conn
	emitFn func(name, value []byte, sensitive bool) error // c.hd.emit, bound once

	kind    sectionKind
	data    []byte
	refs    []fieldRef
	pseudo  [5]fieldRef
	seen    int  // pseudo-header bits
	regular bool // a regular field was seen
	cookies int
	clen    int64
	bad     string // the first rule broken
	out     Headers

	// The last section decoded without error and without changing the
	// HPACK context (no insertion, no size update), kept to answer the
	// same block (same bytes, same kind) at the same
	// hpack.Decoder.Generation without decoding and checking it again:
	// the fields and the verdict would be the same, and so would the
	// context after it. out's Fields still view data, which only the next
	// full decode reuses (and that replaces the memo).
	memo      []byte // the block
	memoKind  sectionKind
	memoGen   uint64
	memoValid bool
	memoOut   Headers
}

// maxMemoBlock bounds the header block the decoder keeps for a repeat:
// repeated blocks are the short ones of indexed fields. (A variable only
// so that FuzzHeaderMemo can turn the memo off and compare.)
var maxMemoBlock = 512

// headerDecoder returns the Conn's header decoder, made when the first
// header block arrives: a connection that carries no stream (one opened
// ahead of need and kept idle) does without it.
func (c *Conn) headerDecoder() *headerDecoder {
	if c.hd == nil {
		c.hd = &headerDecoder{c: c}
		c.hd.emitFn = c.hd.emit
	}
	return c.hd
}

// errMalformed is the emit error that stops collecting fields.
var errMalformed = errors.New("h2: malformed header section")

// decode decodes block as a section of kind. It returns the section, a
// StreamError(PROTOCOL_ERROR) if it is malformed, errHeaderLimit if it is
// over the decoder's limits, or a ConnError(COMPRESSION_ERROR).
func (d *headerDecoder) decode(id uint32, block []byte, kind sectionKind) (*Headers, error) {
	if d.memoValid && kind == d.memoKind && d.c.dec.Generation() == d.memoGen && string(block) == string(d.memo) {
		d.out = d.memoOut
		d.out.StreamID = id
		return &d.out, nil
	}
	d.memoValid = false
	gen := d.c.dec.Generation()
	d.kind, d.data, d.refs = kind, d.data[:0], d.refs[:0]
	d.seen, d.regular, d.cookies, d.clen, d.bad = 0, false, 0, -1, ""
	err := d.c.dec.Decode(block, d.emitFn)
	if err == nil {
		if d.bad = d.checkPseudo(); d.bad != "" {
			return nil, streamError(id, ErrCodeProtocol, d.bad)
		}
		h := d.build(id)
		if len(block) <= maxMemoBlock && d.c.dec.Generation() == gen {
			d.memo = append(d.memo[:0], block...)
			d.memoKind, d.memoGen, d.memoValid = kind, gen, true
			d.memoOut = *h
		}
		return h, nil
	}
	switch de, ok := err.(*hpack.DecodingError); {
	case ok:
		return nil, connError(ErrCodeCompression, de.Error())
	case err == errMalformed:
		return nil, streamError(id, ErrCodeProtocol, d.bad)
	}
	return nil, errHeaderLimit
}

// errHeaderLimit reports a header list over MaxHeaderListSize or
// MaxHeaderFields: HTTP 431 for a request.
var errHeaderLimit = errors.New("h2: header list over the limits")

func (d *headerDecoder) malformed(reason string) error {
	d.bad = reason
	return errMalformed
}

// emit checks and stores one field (hpack.Decoder's callback).
func (d *headerDecoder) emit(name, value []byte, _ bool) error {
	if len(name) == 0 {
		return d.malformed("empty field name")
	}
	if name[0] == ':' {
		return d.pseudoField(name, value)
	}
	d.regular = true
	if !validFieldName(name) {
		return d.malformed("invalid field name " + quote(name))
	}
	if !validFieldValue(value) {
		return d.malformed("invalid value of field " + quote(name))
	}
	switch string(name) {
	case "connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade":
		return d.malformed("connection-specific field " + quote(name))
	case "te":
		if string(value) != "trailers" {
			return d.malformed(`te other than "trailers"`)
		}
	case "content-length":
		n, ok := parseContentLength(value)
		if !ok || d.clen >= 0 && d.clen != n {
			return d.malformed("invalid content-length")
		}
		d.clen = n
	case "cookie":
		d.cookies++
	}
	d.refs = append(d.refs, d.store(name, value))
	return nil
}

func (d *headerDecoder) store(name, value []byte) fieldRef {
	r := fieldRef{name: int32(len(d.data))}
	d.data = append(d.data, name...)
	r.nameEnd = int32(len(d.data))
	r.value = r.nameEnd
	d.data = append(d.data, value...)
	r.valueEnd = int32(len(d.data))
	return r
}

// pseudoField checks and stores a pseudo-header field (§8.3).
func (d *headerDecoder) pseudoField(name, value []byte) error {
	if d.regular {
		return d.malformed("pseudo-header field after a regular field")
	}
	bit, idx := 0, 0
	switch d.kind {
	case sectionRequest:
		switch string(name) {
		case ":method":
			bit, idx = pseudoMethod, 0
		case ":scheme":
			bit, idx = pseudoScheme, 1
		case ":authority":
			bit, idx = pseudoAuthority, 2
		case ":path":
			bit, idx = pseudoPath, 3
		}
	case sectionResponse:
		if string(name) == ":status" {
			bit, idx = pseudoStatus, 4
		}
	}
	switch {
	case bit == 0:
		return d.malformed("pseudo-header field " + quote(name) + " not allowed here")
	case d.seen&bit != 0:
		return d.malformed("duplicate pseudo-header field " + quote(name))
	case !validFieldValue(value):
		return d.malformed("invalid value of " + quote(name))
	}
	d.seen |= bit
	d.pseudo[idx] = d.store(name, value)
	return nil
}

// checkPseudo applies the rules on the set of pseudo-header fields.
func (d *headerDecoder) checkPseudo() string {
	switch d.kind {
	case sectionRequest:
		method := d.view(d.pseudo[0])
		if d.seen&pseudoMethod == 0 || len(method) == 0 {
			return "request without :method"
		}
		if string(method) == "CONNECT" { // §8.5
			if d.seen != pseudoMethod|pseudoAuthority {
				return "CONNECT request needs :authority and no :scheme or :path"
			}
			return ""
		}
		if d.seen&(pseudoScheme|pseudoPath) != pseudoScheme|pseudoPath {
			return "request without :scheme or :path"
		}
		path := d.view(d.pseudo[3])
		if len(path) == 0 || path[0] != '/' && string(path) != "*" {
			return "invalid :path"
		}
		if string(path) == "*" && string(method) != "OPTIONS" {
			return `:path "*" with a method other than OPTIONS`
		}
	case sectionResponse:
		if d.seen&pseudoStatus == 0 {
			return "response without :status"
		}
		st, ok := parseStatus(d.view(d.pseudo[4]))
		if !ok || st == 101 {
			return "invalid :status"
		}
	}
	return ""
}

func (d *headerDecoder) view(r fieldRef) []byte { return d.data[r.value:r.valueEnd:r.valueEnd] }

// build fills d.out from the stored fields, joining cookies (§8.2.3).
func (d *headerDecoder) build(id uint32) *Headers {
	h := &d.out
	fields := h.Fields[:0]
	*h = Headers{StreamID: id, ContentLength: d.clen, Trailers: d.kind == sectionTrailers}
	get := func(bit, i int) []byte {
		if d.seen&bit == 0 {
			return nil
		}
		return d.view(d.pseudo[i])
	}
	h.Method, h.Scheme = get(pseudoMethod, 0), get(pseudoScheme, 1)
	h.Authority, h.Path = get(pseudoAuthority, 2), get(pseudoPath, 3)
	if d.seen&pseudoStatus != 0 {
		h.Status, _ = parseStatus(d.view(d.pseudo[4]))
	}
	join := d.cookies > 1 && d.c.role == Server
	var joined fieldRef
	if join {
		joined = d.joinCookies()
	}
	first := true
	for _, r := range d.refs {
		name := d.data[r.name:r.nameEnd:r.nameEnd]
		if join && string(name) == "cookie" {
			if !first {
				continue
			}
			r, first = joined, false
		}
		fields = append(fields, Field{Name: d.data[r.name:r.nameEnd:r.nameEnd], Value: d.view(r)})
	}
	h.Fields = fields
	return h
}

// joinCookies appends one cookie field with the values of all, joined by
// "; ", and returns it.
func (d *headerDecoder) joinCookies() fieldRef {
	r := fieldRef{name: int32(len(d.data))}
	d.data = append(d.data, "cookie"...)
	r.nameEnd = int32(len(d.data))
	r.value = r.nameEnd
	first := true
	for _, f := range d.refs {
		if string(d.data[f.name:f.nameEnd]) != "cookie" {
			continue
		}
		if !first {
			d.data = append(d.data, "; "...)
		}
		first = false
		d.data = append(d.data, d.data[f.value:f.valueEnd]...)
	}
	r.valueEnd = int32(len(d.data))
	return r
}

// validFieldName reports whether a regular field name is valid in HTTP/2:
// no octet in 0x00–0x20, 'A'–'Z', 0x7f–0xff or ':' (§8.2.1), and a token.
func validFieldName(b []byte) bool {
	for _, c := range b {
		if !tokenLower[c] {
			return false
		}
	}
	return true
}

// validFieldValue reports whether a field value is valid in HTTP/2: no NUL,
// CR or LF, and no leading or trailing space or tab (§8.2.1). Every field
// of every section received goes through it, so it looks at eight bytes
// at a time.
func validFieldValue(b []byte) bool {
	if n := len(b); n > 0 && (isSpace(b[0]) || isSpace(b[n-1])) {
		return false
	}
	if len(b) < 8 {
		for _, c := range b {
			if c == 0 || c == '\r' || c == '\n' {
				return false
			}
		}
		return true
	}
	// Eight bytes at a time, the last eight overlapping those before.
	for i := 0; ; i += 8 {
		i = min(i, len(b)-8)
		if !validValueWord(binary.LittleEndian.Uint64(b[i:])) {
			return false
		}
		if i == len(b)-8 {
			return true
		}
	}
}

// validValueWord reports whether none of the eight bytes of x is NUL, CR
// or LF.
func validValueWord(x uint64) bool {
	return !hasZeroByte(x) && !hasZeroByte(x^(ones*'\r')) && !hasZeroByte(x^(ones*'\n'))
}

// ones has 1 in every byte: ones*c repeats the byte c eight times.
const ones = 0x0101010101010101

// hasZeroByte reports whether one of the eight bytes of x is zero. (With
// no zero byte, x-ones borrows across no byte and no byte of it has its
// high bit set where x's is clear; the lowest zero byte becomes 0xff.)
func hasZeroByte(x uint64) bool { return (x-ones)&^x&(ones*0x80) != 0 }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// tokenLower marks the lowercase token characters of RFC 9110 §5.6.2.
var tokenLower = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// parseContentLength parses a content-length value: digits only, without
// overflow.
func parseContentLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseStatus parses a 3-digit :status from 100 to 599.
func parseStatus(b []byte) (int, bool) {
	if len(b) != 3 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 100 && n <= 599
}

// quote returns b as a quoted string for an error reason, shortened.
func quote(b []byte) string {
	if len(b) > 32 {
		b = b[:32]
	}
	return `"` + string(b) + `"`
}
