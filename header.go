package turbohttp

import (
	"iter"
	"slices"

	"turbohttp/h1"
	"turbohttp/internal/ascii"
)

// Field is one header field: a name and a value as bytes. The slices are
// views; see Header for how long they stay valid. It is the h1 codec's
// field type, so a Header's fields go to the wire writers as they are.
type Field = h1.Field

// Header is an ordered list of header fields over bytes, as they stand in an
// HTTP/1 head or an HTTP/2 header block. Names keep the case they were given
// (HTTP/1 writes them so; HTTP/2 lowers them); lookups ignore case and never
// allocate. A name may appear more than once; Add keeps every instance, in
// order.
//
// Every []byte a Header hands out (At, Peek, Values, All) is a view, valid
// until the Header is next modified or Reset; a Header owned by a Request or
// Response lives as long as its owner's current message (see there). Header
// does not validate what it stores: the writers refuse names that are not
// tokens and values with CR, LF or NUL, so nothing can be smuggled into a
// head through it (see ValidFieldName and ValidFieldValue).
//
// The zero value is an empty header ready to use. A Header must not be
// copied by value once it has fields: use Clone or CopyTo.
type Header struct {
	fields []Field
	// arena holds the bytes of fields added through Add and Set. It only
	// grows until Reset, so views into older arrays stay intact when it is
	// reallocated.
	arena []byte
}

// Len returns the number of fields.
func (h *Header) Len() int { return len(h.fields) }

// At returns the i-th field, 0 <= i < Len().
func (h *Header) At(i int) (name, value []byte) {
	f := &h.fields[i]
	return f.Name, f.Value
}

// All yields every field in order.
func (h *Header) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		for i := range h.fields {
			if !yield(h.fields[i].Name, h.fields[i].Value) {
				return
			}
		}
	}
}

// index returns the position of the first field named name at or after
// position from, or -1.
func (h *Header) index(name string, from int) int { return indexField(h.fields, name, from) }

func indexField[S ~string | ~[]byte](fields []Field, name S, from int) int {
	for i := from; i < len(fields); i++ {
		if ascii.EqualFold(fields[i].Name, name) {
			return i
		}
	}
	return -1
}

// Has reports whether a field named name is present.
func (h *Header) Has(name string) bool { return h.index(name, 0) >= 0 }

// Peek returns the value of the first field named name, or nil if there is
// none. An empty value present in the header is a non-nil empty slice.
func (h *Header) Peek(name string) []byte {
	if i := h.index(name, 0); i >= 0 {
		if v := h.fields[i].Value; v != nil {
			return v
		}
		return []byte{}
	}
	return nil
}

// Get returns the value of the first field named name as a string, or "".
// Unlike Peek it allocates the string.
func (h *Header) Get(name string) string { return string(h.Peek(name)) }

// Values yields the value of every field named name, in order.
func (h *Header) Values(name string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := h.index(name, 0); i >= 0; i = h.index(name, i+1) {
			if !yield(h.fields[i].Value) {
				return
			}
		}
	}
}

// Count returns the number of fields named name.
func (h *Header) Count(name string) int {
	n := 0
	for i := h.index(name, 0); i >= 0; i = h.index(name, i+1) {
		n++
	}
	return n
}

// Add appends a field, copying name and value.
func (h *Header) Add(name, value string) {
	h.fields = append(h.fields, Field{Name: store(h, name), Value: store(h, value)})
}

// AddBytes appends a field, copying name and value.
func (h *Header) AddBytes(name, value []byte) {
	h.fields = append(h.fields, Field{Name: store(h, name), Value: store(h, value)})
}

// Set replaces the value of the first field named name and removes the
// others; it appends a field when there is none.
func (h *Header) Set(name, value string) {
	i := h.index(name, 0)
	if i < 0 {
		h.Add(name, value)
		return
	}
	h.fields[i].Value = store(h, value)
	delFields(h, name, i+1)
}

// SetBytes is Set for byte slices.
func (h *Header) SetBytes(name, value []byte) {
	i := indexField(h.fields, name, 0)
	if i < 0 {
		h.AddBytes(name, value)
		return
	}
	h.fields[i].Value = store(h, value)
	delFields(h, name, i+1)
}

// Del removes every field named name.
func (h *Header) Del(name string) { delFields(h, name, 0) }

// delFields removes the fields named name at or after position from.
func delFields[S ~string | ~[]byte](h *Header, name S, from int) {
	kept := h.fields[:from]
	for _, f := range h.fields[from:] {
		if !ascii.EqualFold(f.Name, name) {
			kept = append(kept, f)
		}
	}
	clear(h.fields[len(kept):])
	h.fields = kept
}

// Reset removes every field and keeps the storage for reuse. Views handed
// out before are invalid afterwards.
func (h *Header) Reset() {
	clear(h.fields)
	h.fields = h.fields[:0]
	h.arena = h.arena[:0]
}

// CopyTo replaces dst's fields with copies of h's, reusing dst's storage.
func (h *Header) CopyTo(dst *Header) {
	dst.Reset()
	for _, f := range h.fields {
		dst.AddBytes(f.Name, f.Value)
	}
}

// Clone returns a deep copy of h that shares no memory with it.
func (h *Header) Clone() Header {
	n := 0
	for _, f := range h.fields {
		n += len(f.Name) + len(f.Value)
	}
	c := Header{fields: make([]Field, 0, len(h.fields)), arena: make([]byte, 0, n)}
	for _, f := range h.fields {
		c.AddBytes(f.Name, f.Value)
	}
	return c
}

// store copies s into the arena and returns the copy.
// grow makes room for n more fields of size bytes in all (names and
// values), so that adding them copies each once, without growing the
// buffers again field by field.
func (h *Header) grow(n, size int) {
	h.fields = slices.Grow(h.fields, n)
	h.arena = slices.Grow(h.arena, size)
}

func store[S ~string | ~[]byte](h *Header, s S) []byte {
	start := len(h.arena)
	h.arena = append(h.arena, s...)
	return h.arena[start:len(h.arena):len(h.arena)]
}

// ValidFieldName reports whether name is a valid field name: a non-empty
// token (RFC 9110 §5.1).
func ValidFieldName[S ~string | ~[]byte](name S) bool { return ascii.IsToken(name) }

// ValidFieldValue reports whether value may be sent as a field value: no
// CR, LF, NUL or other control bytes, and no leading or trailing whitespace
// (RFC 9110 §5.5).
func ValidFieldValue[S ~string | ~[]byte](value S) bool {
	if n := len(value); n > 0 && (isOWS(value[0]) || isOWS(value[n-1])) {
		return false
	}
	return ascii.IsFieldValue(value)
}

func isOWS(b byte) bool { return b == ' ' || b == '\t' }

// CanonicalHeaderKey returns name in canonical form, as net/http writes it:
// "content-type" → "Content-Type". A name that is not a token is returned
// unchanged.
func CanonicalHeaderKey(name string) string {
	if !ascii.IsToken(name) {
		return name
	}
	return string(ascii.AppendCanonical(make([]byte, 0, len(name)), name))
}

// AppendCanonicalKey appends the canonical form of name to dst.
func AppendCanonicalKey(dst, name []byte) []byte { return ascii.AppendCanonical(dst, name) }

// AppendLowerKey appends the lower-case form of name to dst, the form
// HTTP/2 and HTTP/3 put on the wire.
func AppendLowerKey(dst, name []byte) []byte { return ascii.AppendLower(dst, name) }
