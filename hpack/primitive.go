package hpack

import "math"

// Primitive type representations (RFC 7541, Section 5): prefixed integers
// and string literals.

// MaxInteger is the largest integer the decoder accepts. Every quantity
// HPACK carries (an index, a string length, a table size) fits in 32 bits;
// a larger value, or one spread over more continuation bytes than 32 bits
// need, is ErrIntegerOverflow.
const MaxInteger = math.MaxUint32

// AppendInteger appends the representation of v with an n-bit prefix
// (1 ≤ n ≤ 8) to dst and returns the extended buffer. flags supplies the
// bits of the first byte above the prefix (RFC 7541, Section 5.1).
func AppendInteger(dst []byte, flags byte, n uint8, v uint64) []byte {
	mask := uint64(1)<<n - 1
	if v < mask {
		return append(dst, flags|byte(v))
	}
	dst = append(dst, flags|byte(mask))
	v -= mask
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// ReadInteger decodes an integer with an n-bit prefix (1 ≤ n ≤ 8) from the
// start of p and returns it with the number of bytes it took. The bits of
// p[0] above the prefix are ignored. Errors: ErrTruncated,
// ErrIntegerOverflow.
func ReadInteger(p []byte, n uint8) (v uint32, size int, err error) {
	if len(p) == 0 {
		return 0, 0, ErrTruncated
	}
	mask := uint32(1)<<n - 1
	v = uint32(p[0]) & mask
	if v < mask {
		return v, 1, nil
	}
	return readIntegerTail(p, v)
}

// readIntegerTail decodes the continuation bytes of an integer whose prefix
// p[0] held the value v (all ones).
func readIntegerTail(p []byte, v uint32) (uint32, int, error) {
	acc := uint64(v)
	for i := 1; i < len(p); i++ {
		shift := uint(i-1) * 7
		if shift > 28 {
			return 0, 0, ErrIntegerOverflow
		}
		acc += uint64(p[i]&0x7f) << shift
		if acc > MaxInteger {
			return 0, 0, ErrIntegerOverflow
		}
		if p[i]&0x80 == 0 {
			return uint32(acc), i + 1, nil
		}
	}
	return 0, 0, ErrTruncated
}

// AppendString appends the string literal s to dst, Huffman-coded if that
// is shorter, and returns the extended buffer (RFC 7541, Section 5.2).
func AppendString(dst, s []byte) []byte {
	return appendString(dst, s, huffmanShorter)
}

// appendString is AppendString with a choice of Huffman coding.
func appendString(dst, s []byte, policy huffmanPolicy) []byte {
	if h := HuffmanEncodedLen(s); policy == huffmanAlways || policy == huffmanShorter && h < len(s) {
		dst = AppendInteger(dst, 0x80, 7, uint64(h))
		return AppendHuffman(dst, s)
	}
	dst = AppendInteger(dst, 0, 7, uint64(len(s)))
	return append(dst, s...)
}
