package hpack

import (
	"encoding/binary"
	"slices"
)

// Huffman coding of string literals (RFC 7541, Section 5.2 and Appendix B).
//
// The code of Appendix B is canonical: within one code length, codes are
// consecutive in symbol order, and every length starts right after the
// shifted last code of the previous length. The table below therefore holds
// only the code lengths of the 257 symbols; the codes themselves and the
// decoding tables are derived from it once, at package initialisation.

// eosSymbol is the end-of-string symbol, which must never appear in decoded
// data (RFC 7541, Section 5.2).
const eosSymbol = 256

// huffmanLen is the length in bits of the Huffman code of each symbol
// 0…255 and of EOS (256), from RFC 7541 Appendix B.
var huffmanLen = [257]uint8{
	13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00
	28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10
	6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // ' ' … '/'
	5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // '0' … '?'
	13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // '@' … 'O'
	7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 'P' … '_'
	15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // '`' … 'o'
	6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 'p' … 0x7f
	20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80
	24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90
	22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0
	21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0
	26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0
	19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0
	20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0
	26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0
	30, // EOS
}

const (
	huffmanMinLen = 5
	huffmanMaxLen = 30
	// fastBits is the width of the window the decoder looks up in one step;
	// every symbol whose code is at most fastBits long is decoded by a
	// single table access.
	fastBits = 10
	// pairBits is the width of the window of the two-symbol table: its
	// 64 KiB measured faster than 12 or 13 bits, as the entries in use stay
	// few and cached.
	pairBits = 14
)

var (
	// huffmanCode is the code of each symbol, right-aligned.
	huffmanCode [257]uint32

	// huffmanFast maps the next fastBits bits of input to the symbol whose
	// code they start with, packed as length<<9 | symbol, or 0 when that
	// code is longer than fastBits.
	huffmanFast [1 << fastBits]uint16

	// huffmanPair maps the next pairBits bits of input to the one or two
	// symbols whose codes fit entirely in them, packed as
	// firstBits<<24 | second<<16 | first<<8 | count<<6 | bits, or 0 when the
	// first code is longer than pairBits; firstBits is the length of the
	// first code, for the end of the input where only it may fit. The bit
	// count is in the low bits so that the decoder can shift by the entry
	// itself, which keeps the lookup-shift-lookup chain short; a zero entry
	// consumes nothing and emits nothing.
	huffmanPair [1 << pairBits]uint32
	// huffmanPairLen is the low byte of huffmanPair, count<<6 | bits: the
	// bulk decoder's chain of lookups goes through this table, a quarter of
	// the size, which stays in the first-level cache, and takes the
	// symbols from huffmanPair off that chain.
	huffmanPairLen [1 << pairBits]uint8

	// Canonical decoding of longer codes: for each length L, the codes of
	// length L are firstCode[L] … firstCode[L]+count[L]-1, and the symbols
	// that carry them are bySymbolRank[rankStart[L]:] in symbol order.
	// codeLimit[L] is the first code after them, left-aligned in 32 bits (the
	// all-ones code of EOS, the very last, saturates to 1<<32).
	firstCode    [huffmanMaxLen + 1]uint32
	rankStart    [huffmanMaxLen + 1]uint16
	codeLimit    [huffmanMaxLen + 1]uint64
	bySymbolRank [257]uint16
)

func init() {
	var count [huffmanMaxLen + 1]uint16
	for _, l := range huffmanLen {
		count[l]++
	}
	code, rank := uint32(0), uint16(0)
	for l := 1; l <= huffmanMaxLen; l++ {
		firstCode[l], rankStart[l] = code, rank
		code += uint32(count[l])
		rank += count[l]
		codeLimit[l] = uint64(code) << (32 - l)
		code <<= 1
	}
	next := firstCode
	nextRank := rankStart
	for sym, l := range huffmanLen {
		huffmanCode[sym] = next[l]
		next[l]++
		bySymbolRank[nextRank[l]] = uint16(sym)
		nextRank[l]++
		if l <= fastBits {
			lo := huffmanCode[sym] << (fastBits - l)
			for i := uint32(0); i < 1<<(fastBits-l); i++ {
				huffmanFast[lo+i] = uint16(l)<<9 | uint16(sym)
			}
		}
	}
	for w := range uint64(1 << pairBits) {
		s1, l1 := canonicalDecode(w<<(32-pairBits), huffmanMinLen)
		if l1 > pairBits {
			continue
		}
		e := uint32(l1)<<24 | uint32(s1)<<8 | 1<<6 | uint32(l1)
		if s2, l2 := canonicalDecode(w<<(32-pairBits+l1)&0xffffffff, huffmanMinLen); l1+l2 <= pairBits {
			e = uint32(l1)<<24 | uint32(s2)<<16 | uint32(s1)<<8 | 2<<6 | uint32(l1+l2)
		}
		huffmanPair[w] = e
		huffmanPairLen[w] = uint8(e)
	}
}

// HuffmanEncodedLen returns the length in bytes of the Huffman coding of s,
// padding included.
func HuffmanEncodedLen(s []byte) int {
	bits := 0
	for _, c := range s {
		bits += int(huffmanLen[c])
	}
	return (bits + 7) >> 3
}

// AppendHuffman appends the Huffman coding of s to dst, padded with the most
// significant bits of EOS (all ones) to a whole byte, and returns the
// extended buffer.
func AppendHuffman(dst, s []byte) []byte {
	var acc uint64 // pending bits, right-aligned
	n := uint(0)   // number of pending bits, always < 32 between symbols
	for _, c := range s {
		acc = acc<<huffmanLen[c] | uint64(huffmanCode[c])
		n += uint(huffmanLen[c])
		if n >= 32 {
			n -= 32
			v := uint32(acc >> n)
			dst = append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		}
	}
	for n >= 8 {
		n -= 8
		dst = append(dst, byte(acc>>n))
	}
	if n > 0 {
		pad := 8 - n
		dst = append(dst, byte(acc<<pad|(1<<pad-1)))
	}
	return dst
}

// HuffmanDecode appends the decoding of the Huffman-coded string src to dst
// and returns the extended buffer. It fails with ErrHuffmanEOS if the data
// contains the EOS symbol and with ErrHuffmanPadding if the string does not
// end with a padding of at most 7 bits that are all ones.
func HuffmanDecode(dst, src []byte) ([]byte, error) {
	out, _, err := huffmanDecode(dst, src, len(src)*8/huffmanMinLen)
	return out, err
}

// huffmanDecode appends the decoding of src to dst; n is the number of
// decoded bytes. Once n would exceed maxN, decoding stops with
// errStringOverMax and src has not been fully validated (huffmanCount
// can do that).
func huffmanDecode(dst, src []byte, maxN int) (out []byte, n int, err error) {
	start := len(dst)
	bound := min(len(src)*8/huffmanMinLen, maxN+1)
	buf := slices.Grow(dst, bound+8)[:start+bound+8]
	if bound > maxN {
		return huffmanDecodeMax(buf, start, src, maxN)
	}
	// The limit cannot be reached: decode without checking it.
	i, acc, nbits, o, err := huffmanBulk(src, buf, start)
	if err == nil {
		o, err = huffmanTail(acc, nbits, tailWord(src, i), uint(int(nbits)+8*(len(src)-i)), buf, o)
	}
	return buf[:o], o - start, err
}

// huffmanDecodeMax is huffmanDecode for a string whose decoding may be
// longer than maxN, into buf[start:], which has room for maxN+2 bytes.
func huffmanDecodeMax(buf []byte, start int, src []byte, maxN int) (out []byte, n int, err error) {
	limit := start + maxN
	i, acc, nbits, o := 0, uint64(0), uint(0), start
	for {
		for nbits <= 56 && i < len(src) {
			acc |= uint64(src[i]) << (56 - nbits)
			nbits += 8
			i++
		}
		if nbits == 0 || o > limit {
			break
		}
		// A pair that needs bits past nbits is not taken.
		e := huffmanPair[acc>>(64-pairBits)]
		if l := uint(e & 63); l-1 < nbits {
			binary.LittleEndian.PutUint16(buf[o:], uint16(e>>8))
			o += int(e >> 6 & 3)
			acc <<= l
			nbits -= l
			continue
		}
		sym, l, err := decodeSymbol(acc, nbits)
		if err != nil {
			return buf[:o], o - start, err
		}
		if l == 0 {
			break
		}
		buf[o] = byte(sym)
		o++
		acc <<= l & 63
		nbits -= l
	}
	if o > limit {
		return buf[:start], maxN + 1, errStringOverMax
	}
	return buf[:o], o - start, nil
}

// huffmanBulk decodes src into buf[o:] while 56 bits of input remain, and
// returns the state it stops in: input src[i:] after the nbits left-aligned
// bits of acc, of which only the first nbits+8*(len(src)-i) are input if i
// went past the end. Each round refills acc without branches, to 56 to 63
// bits, then takes four steps of at most pairBits each, chained through the
// byte-wide huffmanPairLen (the symbols themselves are read from
// huffmanPair off that chain); a step on a zero entry (a code longer than
// pairBits) does nothing, and the next round decodes that code through
// decodeSymbol. buf must have room
// for every symbol plus two bytes.
func huffmanBulk(src, buf []byte, o int) (i int, acc uint64, nbits uint, _ int, err error) {
	if len(src) < 8 {
		return 0, 0, 0, o, nil
	}
	last := len(src) - 8
	// The input not yet decoded is the nbits bits of acc, then src[i:]; a
	// round may take 56 bits, and reads the 8 bytes from i on, past the
	// end as zeros, from a window that ends at the end of src.
	for int(nbits)+8*(len(src)-i) >= 56 {
		j := min(i, last)
		acc |= binary.BigEndian.Uint64(src[j:]) << (8 * uint(i-j)) >> (nbits & 63)
		i += int((63 - nbits) >> 3)
		nbits |= 56
		x := acc >> (64 - pairBits)
		e := huffmanPairLen[x]
		if e == 0 {
			sym, l, err := decodeSymbol(acc, nbits)
			if err != nil {
				return 0, 0, 0, o, err
			}
			buf[o] = byte(sym)
			o++
			acc <<= l & 63
			nbits -= l
			continue
		}
		for range 3 {
			binary.LittleEndian.PutUint16(buf[o:], uint16(huffmanPair[x]>>8))
			o += int(e >> 6)
			acc <<= e & 63
			nbits -= uint(e & 63)
			x = acc >> (64 - pairBits)
			e = huffmanPairLen[x]
		}
		binary.LittleEndian.PutUint16(buf[o:], uint16(huffmanPair[x]>>8))
		o += int(e >> 6)
		acc <<= e & 63
		nbits -= uint(e & 63)
	}
	return i, acc, nbits, o, nil
}

// decodeSymbol decodes one symbol from the nbits next bits of input,
// left-aligned in acc. At the end of the input, when those bits hold no
// whole code, it checks the padding and returns l == 0.
func decodeSymbol(acc uint64, nbits uint) (sym, l uint, err error) {
	if nbits < 8 && acc>>(64-nbits) == 1<<nbits-1 {
		return 0, 0, nil // the usual padding: no code of up to 7 bits is all ones
	}
	// Look at the input as if it were followed by ones, so that the
	// padding shows up as the start of EOS.
	w := acc | ^uint64(0)>>nbits
	if e := huffmanFast[w>>(64-fastBits)]; e != 0 {
		sym, l = uint(e&0x1ff), uint(e>>9)
	} else {
		sym, l = huffmanSlow(w >> 32)
	}
	if l > nbits {
		return 0, 0, checkPadding(acc, nbits)
	}
	if sym == eosSymbol {
		return 0, 0, ErrHuffmanEOS
	}
	return sym, l, nil
}

// tailWord returns src[i:], fewer than 8 bytes (none if i is past the
// end), left-aligned in a word.
func tailWord(src []byte, i int) uint64 {
	if len(src) >= 8 {
		return binary.BigEndian.Uint64(src[len(src)-8:]) << (8 * uint(8-(len(src)-i)))
	}
	var w uint64
	for k, c := range src[i:] {
		w |= uint64(c) << (56 - 8*uint(k))
	}
	return w
}

// huffmanTail decodes the end of the input into buf[o:]: the nbits
// left-aligned bits of acc, then the left-aligned bits of w, of which the
// first avail (at most 56) in all are input. Past them, acc and w hold
// zeros, which steps never take: a step is taken only if its code ends
// within avail.
func huffmanTail(acc uint64, nbits uint, w uint64, avail uint, buf []byte, o int) (int, error) {
	// Fewer than 57 bits are left: one refill brings them all into acc.
	acc |= w >> (nbits & 63)
	for avail > 0 {
		e := huffmanPair[acc>>(64-pairBits)]
		if l := uint(e & 63); l-1 < avail {
			binary.LittleEndian.PutUint16(buf[o:], uint16(e>>8))
			o += int(e >> 6 & 3)
			acc <<= l
			avail -= l
			continue
		}
		// Near the end, the first code of a pair may still fit, and what
		// is left may be the padding.
		if l := uint(e >> 24); l-1 < avail {
			buf[o] = byte(e >> 8)
			o++
			acc <<= l & 63
			avail -= l
			continue
		}
		if avail < 8 && acc>>(64-avail) == 1<<avail-1 {
			break // no code of up to 7 bits is all ones
		}
		sym, l, err := decodeSymbol(acc, avail)
		if err != nil {
			return o, err
		}
		if l == 0 {
			break
		}
		buf[o] = byte(sym)
		o++
		acc <<= l & 63
		avail -= l
	}
	return o, nil
}

// huffmanCount validates the Huffman-coded string src and returns its
// decoded length, storing nothing.
func huffmanCount(src []byte) (n int, err error) {
	var acc uint64
	nbits := uint(0)
	i := 0
	for {
		for nbits <= 56 && i < len(src) {
			acc |= uint64(src[i]) << (56 - nbits)
			nbits += 8
			i++
		}
		if nbits == 0 {
			return n, nil
		}
		_, l, err := decodeSymbol(acc, nbits)
		if err != nil || l == 0 {
			return n, err
		}
		n++
		acc <<= l
		nbits -= l
	}
}

// huffmanSlow decodes a symbol whose code is longer than fastBits from the
// next 32 bits of input, left-aligned in w.
func huffmanSlow(w uint64) (sym, l uint) { return canonicalDecode(w, fastBits+1) }

// canonicalDecode decodes a symbol whose code is at least from bits long
// from the next 32 bits of input, left-aligned in w, by the canonical
// property of the code.
func canonicalDecode(w uint64, from uint) (sym, l uint) {
	for l = from; l < huffmanMaxLen; l++ {
		if w < codeLimit[l] {
			break
		}
	}
	r := uint(rankStart[l]) + uint(w>>(32-l)) - uint(firstCode[l])
	return uint(bySymbolRank[r]), l
}

// checkPadding checks the nbits bits left at the end of a string, which do
// not form a whole code: they must be fewer than 8 and all ones.
func checkPadding(acc uint64, nbits uint) error {
	if nbits > 7 {
		return ErrHuffmanPadding
	}
	if acc>>(64-nbits) != 1<<nbits-1 {
		return ErrHuffmanPadding
	}
	return nil
}
