package h2

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// FuzzFrameRoundTrip reads frames from arbitrary bytes: reading must end
// with a typed error, never a panic or a hang, and every frame read is
// written back with our Append functions and must read back equal, with the
// same stream error if it had one.
func FuzzFrameRoundTrip(f *testing.F) {
	var all []byte
	for _, g := range goldenFrames {
		f.Add([]byte(g.wire))
		all = append(all, g.wire...)
	}
	f.Add(all)
	for _, r := range ruleTests {
		f.Add([]byte(r.wire))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFramer(bytes.NewReader(data), nil)
		for {
			fm, err := fr.ReadFrame()
			var se StreamError
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				return
			case errors.As(err, &se) && fm == nil:
				continue
			case err != nil && fm == nil:
				var ce ConnError
				if !errors.As(err, &ce) {
					t.Fatalf("untyped error %T %v", err, err)
				}
				return
			}
			v := viewOf(fm)
			wire := appendView(nil, v, DefaultMaxFrameSize)
			fr2 := NewFramer(bytes.NewReader(wire), nil)
			fm2, err2 := fr2.ReadFrame()
			if err2 != err || fm2 == nil {
				t.Fatalf("%v written as % x: read back with error %v, want %v", v, wire, err2, err)
			}
			if v2 := viewOf(fm2); !reflect.DeepEqual(v, v2) {
				t.Fatalf("frame\n%v\nwritten as % x\nread back as\n%v", v, wire, v2)
			}
			if _, err := fr2.ReadFrame(); err != io.EOF {
				t.Fatalf("%v written as % x: trailing bytes, %v", v, wire, err)
			}
		}
	})
}

// FuzzHeaderBlock writes a header block in fragments of a given size,
// optionally with a PING frame interleaved before one CONTINUATION, and
// checks what the reader makes of it against the limits and the rules.
func FuzzHeaderBlock(f *testing.F) {
	f.Add([]byte("\x82\x86\x84"), uint16(1), uint8(64), uint16(100), uint8(0))
	f.Add(bytes.Repeat([]byte("abc"), 100), uint16(7), uint8(64), uint16(1000), uint8(0))
	f.Add(bytes.Repeat([]byte("abc"), 100), uint16(7), uint8(3), uint16(1000), uint8(0))
	f.Add(bytes.Repeat([]byte("abc"), 100), uint16(50), uint8(64), uint16(200), uint8(0))
	f.Add(bytes.Repeat([]byte("abc"), 100), uint16(50), uint8(64), uint16(1000), uint8(2))
	f.Add([]byte{}, uint16(0), uint8(0), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, block []byte, size uint16, maxFrames uint8, maxBytes uint16, pingAt uint8) {
		fragSize := 1 + int(size)%DefaultMaxFrameSize
		frags := splitFragments(block, fragSize)
		wire, interleaved := appendFragments(frags, int(pingAt))
		if !interleaved {
			if want := AppendHeaderBlock(nil, HeadersParams{StreamID: 1, BlockFragment: block}, uint32(fragSize)); !bytes.Equal(wire, want) {
				t.Fatalf("AppendHeaderBlock wrote\n% x\nwant\n% x", want, wire)
			}
		}
		fr := NewFramer(bytes.NewReader(wire), nil)
		fr.MaxContinuationFrames, fr.MaxHeaderBlockBytes = int(maxFrames), int(maxBytes)
		fm, err := fr.ReadFrame()
		if code, fails := expectBlock(frags, int(pingAt), int(maxFrames), int(maxBytes)); fails {
			wantConnError(t, err, code)
			return
		}
		if err != nil || !bytes.Equal(fm.(*HeadersFrame).HeaderBlock(), block) {
			t.Fatalf("block of %d in %d fragments: error %v or different block", len(block), len(frags), err)
		}
	})
}

// expectBlock is the model of header-block assembly: the connection error
// reading frags written by appendFragments must give, if any.
func expectBlock(frags [][]byte, pingAt, maxFrames, maxBytes int) (code ErrCode, fails bool) {
	total := len(frags[0])
	if total > maxBytes {
		return ErrCodeEnhanceYourCalm, true
	}
	for i := 1; i < len(frags); i++ {
		if i == pingAt {
			return ErrCodeProtocol, true
		}
		if total += len(frags[i]); i > maxFrames || total > maxBytes {
			return ErrCodeEnhanceYourCalm, true
		}
	}
	return 0, false
}

// splitFragments cuts block into fragments of size bytes (one, possibly
// empty, at least).
func splitFragments(block []byte, size int) [][]byte {
	frags := [][]byte{block[:min(size, len(block))]}
	for rest := block[len(frags[0]):]; len(rest) > 0; rest = rest[min(size, len(rest)):] {
		frags = append(frags, rest[:min(size, len(rest))])
	}
	return frags
}

// appendFragments writes HEADERS and CONTINUATION frames on stream 1 for
// frags, with a PING before the pingAt-th CONTINUATION if there is one.
func appendFragments(frags [][]byte, pingAt int) (wire []byte, interleaved bool) {
	last := len(frags) - 1
	wire = AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: frags[0], EndHeaders: last == 0})
	for i := 1; i <= last; i++ {
		if i == pingAt {
			wire, interleaved = AppendPing(wire, false, [8]byte{}), true
		}
		wire = AppendContinuation(wire, 1, i == last, frags[i])
	}
	return wire, interleaved
}
