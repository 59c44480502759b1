package h1

import (
	"iter"

	"turbohttp/internal/ascii"
)

// Field is one header or trailer field. Name and Value are views: Value has
// no leading or trailing whitespace. How long the views stay valid is stated
// by whoever hands the Field out (a parsed head: while its buffer is
// unchanged; a chunked reader's trailers: until the reader's Reset).
type Field struct {
	Name, Value []byte
}

// Fields is an ordered list of fields as they appeared on the wire. Lookups
// ignore case and never allocate.
type Fields []Field

// Get returns the value of the first field named name, and whether there is
// one.
func (fs Fields) Get(name string) (value []byte, ok bool) {
	for i := range fs {
		if ascii.EqualFold(fs[i].Name, name) {
			return fs[i].Value, true
		}
	}
	return nil, false
}

// Count returns how many fields are named name.
func (fs Fields) Count(name string) int {
	n := 0
	for i := range fs {
		if ascii.EqualFold(fs[i].Name, name) {
			n++
		}
	}
	return n
}

// Values yields the value of every field named name, in order.
func (fs Fields) Values(name string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range fs {
			if ascii.EqualFold(fs[i].Name, name) && !yield(fs[i].Value) {
				return
			}
		}
	}
}

// tokenChar and valueChar are the byte classes of field names (tchar) and
// field values (VCHAR, obs-text, SP, HTAB), as flat tables for the hot loops.
var tokenChar, valueChar = func() (tok, val [256]bool) {
	for c := range 256 {
		tok[c] = ascii.IsTokenChar(byte(c))
		val[c] = ascii.IsFieldValueChar(byte(c))
	}
	return
}()

// parseFields parses field lines (RFC 9112 §5) from the start of b up to and
// including the empty line that ends the section, appending one Field per
// line to fs; the fields are views into b. It returns the grown fs, the
// bytes consumed, and ErrIncomplete if b ends before the empty line.
//
// It is strict where leniency would enable smuggling: every line ends in
// CRLF (a bare CR or a bare LF is an error, also at the end of a line),
// whitespace before the colon is an error, names are tokens and values hold
// no control bytes other than HTAB. obs-fold is an error unless unfold is
// set (response heads, see doc.go), when each fold's CRLF is overwritten in
// b with two spaces, so the value (a view) reads as one line. More than max
// fields is tooMany, even before the section is complete.
func parseFields(b []byte, fs []Field, max int, tooMany error, unfold bool) ([]Field, int, error) {
	i := 0
	for {
		if i >= len(b) {
			return fs, i, ErrIncomplete
		}
		switch b[i] {
		case '\r':
			if i+1 >= len(b) {
				return fs, i, ErrIncomplete
			}
			if b[i+1] != '\n' {
				return fs, i, ErrBareCR
			}
			return fs, i + 2, nil
		case '\n':
			return fs, i, ErrBareLF
		case ' ', '\t':
			if i == 0 {
				return fs, i, ErrSpaceAfterStart
			}
			return fs, i, ErrObsFold
		}
		if len(fs) >= max {
			return fs, i, tooMany
		}
		f, n, err := parseFieldLine(b[i:], unfold)
		if err != nil {
			return fs, i, err
		}
		fs = append(fs, f)
		i += n
	}
}

// parseFieldLine parses one field line "name: value CRLF" at the start of b
// and returns it with the bytes consumed, CRLF included. With unfold, a
// CRLF followed by SP or HTAB (obs-fold) continues the value and is
// overwritten with spaces.
func parseFieldLine(b []byte, unfold bool) (Field, int, error) {
	i := 0
	for i < len(b) && tokenChar[b[i]] {
		i++
	}
	if i >= len(b) {
		return Field{}, 0, ErrIncomplete
	}
	if b[i] != ':' || i == 0 {
		return Field{}, 0, fieldNameError(b, i)
	}
	name := b[:i:i]
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	start := i
	for {
		i = skipValueBytes(b, i)
		for i < len(b) && valueChar[b[i]] {
			i++
		}
		if i+1 >= len(b) {
			if i < len(b) && b[i] != '\r' {
				return Field{}, 0, valueStopError(b[i])
			}
			return Field{}, 0, ErrIncomplete
		}
		if b[i] != '\r' {
			return Field{}, 0, valueStopError(b[i])
		}
		if b[i+1] != '\n' {
			return Field{}, 0, ErrBareCR
		}
		if !unfold {
			break
		}
		if i+2 >= len(b) {
			return Field{}, 0, ErrIncomplete // a fold may follow
		}
		if b[i+2] != ' ' && b[i+2] != '\t' {
			break
		}
		b[i], b[i+1] = ' ', ' '
	}
	end := i
	for start < end && (b[start] == ' ' || b[start] == '\t') {
		start++ // a value that began on a folded line
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	return Field{Name: name, Value: b[start:end:end]}, i + 2, nil
}

// fieldNameError names the error of a field line whose name ends at b[i]
// with something other than a colon: whitespace followed later on the line
// by a colon, a line with no colon at all, or a byte a name cannot hold.
func fieldNameError(b []byte, i int) error {
	if i == 0 || b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n' {
		return ErrBadFieldName
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ':':
			return ErrSpaceBeforeColon
		case '\r', '\n':
			return ErrMissingColon
		}
	}
	return ErrIncomplete
}

// valueStopError names the error for a byte that may not appear in a value.
func valueStopError(c byte) error {
	if c == '\n' {
		return ErrBareLF
	}
	return ErrBadFieldValue
}
