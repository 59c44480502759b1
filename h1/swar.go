package h1

import "encoding/binary"

// The scanners below skip over runs of ordinary bytes eight at a time
// (SWAR: SIMD within a register). They only ever stop early: the byte
// loops that follow them decide every byte they stop at, so a scanner may
// be conservative but never skip a byte that needs a decision. Values and
// targets make up most of a head, and this halves the time spent on them.

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// hasLess reports whether some byte of x is below n (n <= 128).
func hasLess(x uint64, n byte) bool { return (x-lsbs*uint64(n))&^x&msbs != 0 }

// hasByte reports whether some byte of x equals c.
func hasByte(x uint64, c byte) bool {
	y := x ^ lsbs*uint64(c)
	return (y-lsbs)&^y&msbs != 0
}

// skipValueBytes returns the index of the first 8-byte block of b[i:] that
// may hold a byte other than VCHAR, obs-text or SP (HTAB included, so that
// the byte loop judges it).
func skipValueBytes(b []byte, i int) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if hasLess(x, 0x20) || hasByte(x, 0x7f) {
			break
		}
		i += 8
	}
	return i
}

// skipTargetBytes is the same for request targets: visible ASCII only.
func skipTargetBytes(b []byte, i int) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&msbs != 0 || hasLess(x, 0x21) || hasByte(x, 0x7f) {
			break
		}
		i += 8
	}
	return i
}
