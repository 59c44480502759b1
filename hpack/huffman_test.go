package hpack

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// TestHuffmanCodes checks codes derived from the lengths against RFC 7541
// Appendix B.
func TestHuffmanCodes(t *testing.T) {
	for _, tt := range []struct {
		sym  int
		code uint32
		len  uint8
	}{
		{0, 0x1ff8, 13}, {'0', 0x0, 5}, {'a', 0x3, 5}, {' ', 0x14, 6},
		{'A', 0x21, 6}, {'z', 0x7b, 7}, {'<', 0x7ffc, 15}, {'\\', 0x7fff0, 19},
		{255, 0x3ffffee, 26}, {eosSymbol, 0x3fffffff, 30},
	} {
		if huffmanCode[tt.sym] != tt.code || huffmanLen[tt.sym] != tt.len {
			t.Errorf("symbol %d: code %#x/%d, want %#x/%d", tt.sym, huffmanCode[tt.sym], huffmanLen[tt.sym], tt.code, tt.len)
		}
	}
}

// TestHuffmanAllBytes round-trips every byte value alone, in runs, and in
// one string, and checks the encoding against x/net's.
func TestHuffmanAllBytes(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
		for _, s := range [][]byte{{byte(c)}, bytes.Repeat([]byte{byte(c)}, 9), bytes.Repeat([]byte{byte(c)}, 40)} {
			checkHuffman(t, s)
		}
	}
	checkHuffman(t, all)
}

func checkHuffman(t *testing.T, s []byte) {
	t.Helper()
	enc := AppendHuffman(nil, s)
	if want := xhpack.AppendHuffmanString(nil, string(s)); !bytes.Equal(enc, want) {
		t.Fatalf("AppendHuffman(%q) = %x, x/net says %x", s, enc, want)
	}
	if HuffmanEncodedLen(s) != len(enc) {
		t.Fatalf("HuffmanEncodedLen(%q) = %d, want %d", s, HuffmanEncodedLen(s), len(enc))
	}
	dec, err := HuffmanDecode([]byte("prefix"), enc)
	if err != nil || string(dec) != "prefix"+string(s) {
		t.Fatalf("HuffmanDecode(%x) = %q, %v; want %q", enc, dec, err, s)
	}
}

// TestHuffmanRandom round-trips random strings of every length up to 300
// and decodes random bytes, agreeing with x/net on what is valid.
func TestHuffmanRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		for range 20 {
			s := make([]byte, n)
			for i := range s {
				if r.IntN(4) == 0 {
					s[i] = byte(r.IntN(256))
				} else {
					s[i] = byte(' ' + r.IntN(95))
				}
			}
			checkHuffman(t, s)
			junk := make([]byte, n/4)
			for i := range junk {
				junk[i] = byte(r.IntN(256))
			}
			if r.IntN(2) == 0 && len(junk) > 0 {
				junk[len(junk)-1] |= 0x7f // mostly valid padding
			}
			got, err := HuffmanDecode(nil, junk)
			var w bytes.Buffer
			_, xerr := xhpack.HuffmanDecode(&w, junk)
			if (err == nil) != (xerr == nil) || err == nil && !bytes.Equal(got, w.Bytes()) {
				t.Fatalf("HuffmanDecode(%x) = %q, %v; x/net: %q, %v", junk, got, err, w.Bytes(), xerr)
			}
		}
	}
}

// TestHuffmanRejectsEOS: the 30-bit EOS code inside the data is an error,
// wherever it is.
func TestHuffmanRejectsEOS(t *testing.T) {
	for _, in := range [][]byte{
		{0xff, 0xff, 0xff, 0xff},       // EOS, then 2 padding bits
		{0x1f, 0xff, 0xff, 0xff, 0xfc}, // '0' (00000), then EOS
		append(AppendHuffman(nil, []byte("abcdefghijklmnop")), 0xff, 0xff, 0xff, 0xff),
	} {
		if _, err := HuffmanDecode(nil, in); !errors.Is(err, ErrHuffmanEOS) {
			t.Errorf("HuffmanDecode(%x): %v, want ErrHuffmanEOS", in, err)
		}
	}
}

// TestHuffmanPadding: padding of up to 7 bits is accepted only if all
// ones; 8 bits or more of padding are an error, even if all ones.
func TestHuffmanPadding(t *testing.T) {
	for _, tt := range []struct {
		in  []byte
		err error
	}{
		{[]byte{0x07}, nil},                     // '0' (00000) + 111
		{[]byte{0x04}, ErrHuffmanPadding},       // '0' + 100: not all ones
		{[]byte{0x06}, ErrHuffmanPadding},       // '0' + 110
		{[]byte{0x07, 0xff}, ErrHuffmanPadding}, // '0' + 11 bits of ones
		{[]byte{0xff}, ErrHuffmanPadding},       // 8 bits of ones only
		{[]byte{0xfe}, ErrHuffmanPadding},       // incomplete code, not padding
		{[]byte{}, nil},
		{AppendHuffman(nil, []byte("no-cache, no-store")), nil},
		{append(AppendHuffman(nil, []byte("gzip, deflate, br")), 0xff), ErrHuffmanPadding},
	} {
		_, err := HuffmanDecode(nil, tt.in)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("HuffmanDecode(%x): %v, want %v", tt.in, err, tt.err)
		}
	}
}

// TestHuffmanDecodeLimit: decoding stops once the output would pass the
// limit, and huffmanCount still measures the whole string.
func TestHuffmanDecodeLimit(t *testing.T) {
	s := bytes.Repeat([]byte("0123456789"), 30)
	enc := AppendHuffman(nil, s)
	for _, limit := range []int{0, 1, 7, 8, 100, 299} {
		_, n, err := huffmanDecode(nil, enc, limit)
		if err != errStringOverMax || n != limit+1 {
			t.Errorf("limit %d: n %d, %v", limit, n, err)
		}
	}
	out, n, err := huffmanDecode(nil, enc, 300)
	if err != nil || n != 300 || !bytes.Equal(out, s) {
		t.Errorf("limit 300: n %d, %v", n, err)
	}
	if n, err := huffmanCount(enc); n != 300 || err != nil {
		t.Errorf("huffmanCount = %d, %v", n, err)
	}
}

// TestHuffmanDecodeLimitAtEnd: a string one byte over the limit is refused
// however its last symbols fall, with or without padding.
func TestHuffmanDecodeLimitAtEnd(t *testing.T) {
	s := []byte("7aBOF8giS6.3p5gPlK/Mozilla (X11); q=0.9, br")
	for l := 1; l <= len(s); l++ {
		enc := AppendHuffman(nil, s[:l])
		if _, n, err := huffmanDecode(nil, enc, l-1); err != errStringOverMax || n != l {
			t.Errorf("%q, limit %d: n %d, %v", s[:l], l-1, n, err)
		}
		for _, limit := range []int{l, l + 1, l + 8} {
			if out, n, err := huffmanDecode(nil, enc, limit); err != nil || n != l || !bytes.Equal(out, s[:l]) {
				t.Errorf("%q, limit %d: %q, n %d, %v", s[:l], limit, out, n, err)
			}
		}
	}
}
