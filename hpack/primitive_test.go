package hpack

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestIntegerRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	values := []uint64{0, 1, 14, 15, 16, 30, 31, 32, 126, 127, 128, 254, 255, 256, 1337, 1 << 20, math.MaxUint32}
	for range 1000 {
		values = append(values, uint64(r.Uint32()>>r.IntN(32)))
	}
	for n := uint8(1); n <= 8; n++ {
		for _, v := range values {
			flags := byte(0xff << n)
			if n == 8 {
				flags = 0
			}
			b := AppendInteger([]byte("x"), flags, n, v)
			if b[1]&flags != flags {
				t.Fatalf("prefix %d, %d: flags lost in %x", n, v, b)
			}
			got, size, err := ReadInteger(append(b[1:], 0xaa), n)
			if err != nil || uint64(got) != v || size != len(b)-1 {
				t.Fatalf("prefix %d, %d: read %d, %d, %v from %x", n, v, got, size, err, b)
			}
		}
	}
}

func TestIntegerLimits(t *testing.T) {
	max := AppendInteger(nil, 0, 5, math.MaxUint32)
	if v, _, err := ReadInteger(max, 5); err != nil || v != math.MaxUint32 {
		t.Errorf("MaxUint32: %d, %v", v, err)
	}
	for _, in := range [][]byte{
		AppendInteger(nil, 0, 5, math.MaxUint32+1),
		AppendInteger(nil, 0, 5, 1<<40),
		{0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, // zero continuation bytes past 32 bits
		{0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f},
	} {
		if _, _, err := ReadInteger(in, 5); !errors.Is(err, ErrIntegerOverflow) {
			t.Errorf("%x: %v, want ErrIntegerOverflow", in, err)
		}
	}
	for _, in := range [][]byte{{}, {0x1f}, {0x1f, 0x80}, {0x1f, 0xff, 0xff}} {
		if _, _, err := ReadInteger(in, 5); !errors.Is(err, ErrTruncated) {
			t.Errorf("%x: %v, want ErrTruncated", in, err)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, tt := range []struct {
		s, wire string
	}{
		{"", "00"},
		{"307", "03333037"}, // Huffman would not be shorter
		{"www.example.com", "8cf1e3c2e5f23a6ba0ab90f4ff"}, // RFC 7541 C.4.1
		{"\x00\x01", "020001"},                            // Huffman would be longer
	} {
		got := AppendString(nil, []byte(tt.s))
		if !bytes.Equal(got, dehex(tt.wire)) {
			t.Errorf("AppendString(%q) = %x, want %s", tt.s, got, tt.wire)
		}
	}
}
