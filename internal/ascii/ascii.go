// Package ascii holds the byte-class tables and case helpers that the HTTP
// codecs share. Every function here is allocation-free and works on ASCII
// only: bytes >= 0x80 are never letters.
package ascii

// Byte classes, as bits in the class table.
const (
	classToken      = 1 << iota // tchar, RFC 9110 §5.6.2
	classFieldValue             // field-vchar / obs-text / SP / HTAB, RFC 9110 §5.5
	classHex                    // HEXDIG
	classDigit                  // DIGIT
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
			t[c] |= classToken
		}
		switch b {
		case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
			t[c] |= classToken
		}
		// field-vchar = VCHAR / obs-text; SP and HTAB may appear inside a value.
		if (0x21 <= b && b <= 0x7e) || b >= 0x80 || b == ' ' || b == '\t' {
			t[c] |= classFieldValue
		}
		if '0' <= b && b <= '9' {
			t[c] |= classDigit | classHex
		}
		if ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F') {
			t[c] |= classHex
		}
	}
	return t
}()

// lower maps every byte to its ASCII lower case; other bytes map to themselves.
var lower = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

// IsTokenChar reports whether b is a tchar (RFC 9110 §5.6.2), the bytes
// allowed in methods and header field names.
func IsTokenChar(b byte) bool { return class[b]&classToken != 0 }

// IsFieldValueChar reports whether b may appear in a header field value:
// VCHAR, obs-text, SP or HTAB. CR, LF, NUL and other controls may not.
func IsFieldValueChar(b byte) bool { return class[b]&classFieldValue != 0 }

// IsDigit reports whether b is an ASCII decimal digit.
func IsDigit(b byte) bool { return class[b]&classDigit != 0 }

// IsHex reports whether b is an ASCII hexadecimal digit.
func IsHex(b byte) bool { return class[b]&classHex != 0 }

// HexValue returns the value of the hexadecimal digit b; ok is false when b
// is not one.
func HexValue(b byte) (v byte, ok bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// IsToken reports whether s is a non-empty sequence of tchar.
func IsToken[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if class[s[i]]&classToken == 0 {
			return false
		}
	}
	return true
}

// IsFieldValue reports whether every byte of s may appear in a field value.
// Leading and trailing whitespace is not checked here.
func IsFieldValue[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&classFieldValue == 0 {
			return false
		}
	}
	return true
}

// ToLower returns the ASCII lower case of b.
func ToLower(b byte) byte { return lower[b] }

// EqualFold reports whether a and b are equal under ASCII case folding.
// It accepts any mix of string and []byte and never allocates.
func EqualFold[A ~string | ~[]byte, B ~string | ~[]byte](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower[a[i]] != lower[b[i]] {
			return false
		}
	}
	return true
}

// IsLower reports whether s has no ASCII upper-case letters.
func IsLower[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return false
		}
	}
	return true
}

// AppendLower appends the ASCII lower case of s to dst.
func AppendLower[S ~string | ~[]byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lower[s[i]])
	}
	return dst
}

// AppendCanonical appends s in canonical header form to dst: the first
// letter and every letter after a hyphen upper case, the rest lower case
// ("content-TYPE" → "Content-Type"). Bytes that are not letters are copied.
func AppendCanonical[S ~string | ~[]byte](dst []byte, s S) []byte {
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// TrimOWS returns s without leading and trailing optional whitespace
// (SP and HTAB, RFC 9110 §5.6.3).
func TrimOWS(s []byte) []byte {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// ContainsToken reports whether the comma-separated list v holds token
// (compared without case), as in "Connection: keep-alive, Upgrade".
// Empty list elements are ignored.
func ContainsToken[S ~string | ~[]byte](v []byte, token S) bool {
	for len(v) > 0 {
		var elem []byte
		if i := indexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			elem, v = v, nil
		}
		if EqualFold(TrimOWS(elem), token) {
			return true
		}
	}
	return false
}

func indexByte(s []byte, c byte) int {
	for i := range s {
		if s[i] == c {
			return i
		}
	}
	return -1
}
