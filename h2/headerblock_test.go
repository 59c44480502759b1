package h2

import (
	"bytes"
	"strings"
	"testing"
)

// splitBlock writes a HEADERS frame and CONTINUATION frames carrying block
// in fragments of at most size bytes.
func splitBlock(stream uint32, block []byte, size uint32) []byte {
	return AppendHeaderBlock(nil, HeadersParams{StreamID: stream, BlockFragment: block, EndStream: true}, size)
}

func TestHeaderBlockManyContinuations(t *testing.T) {
	block := bytes.Repeat([]byte("0123456789abcdef"), 4000) // 64000 bytes
	wire := splitBlock(1, block, 1000)                      // HEADERS + 63 CONTINUATIONs
	wire = AppendData(wire, 1, true, []byte("after"))
	wire = append(wire, splitBlock(3, block[:5000], 100)...) // reuses the assembly buffer
	views, err := readAll(t, bytes.NewReader(wire))
	if err != nil || len(views) != 3 {
		t.Fatalf("read %d frames, error %v", len(views), err)
	}
	if views[0].Body != string(block) || !views[0].EndStream || views[0].StreamID != 1 {
		t.Error("first header block differs")
	}
	if views[1].Body != "after" || views[2].Body != string(block[:5000]) || views[2].StreamID != 3 {
		t.Errorf("following frames differ: %v %v", views[1], views[2].StreamID)
	}
}

func TestMaxContinuationFrames(t *testing.T) {
	if DefaultMaxContinuationFrames != 64 {
		t.Errorf("DefaultMaxContinuationFrames = %d", DefaultMaxContinuationFrames)
	}
	for _, limit := range []int{DefaultMaxContinuationFrames, 3} {
		block := []byte(strings.Repeat("x", limit+1)) // HEADERS + limit CONTINUATIONs of 1 byte
		fr := NewFramer(bytes.NewReader(splitBlock(1, block, 1)), nil)
		fr.MaxContinuationFrames = limit
		if f, err := fr.ReadFrame(); err != nil || string(f.(*HeadersFrame).HeaderBlock()) != string(block) {
			t.Fatalf("limit %d: block at the limit: %v", limit, err)
		}
		block = append(block, 'y') // one CONTINUATION too many
		fr = NewFramer(bytes.NewReader(splitBlock(1, block, 1)), nil)
		fr.MaxContinuationFrames = limit
		_, err := fr.ReadFrame()
		wantConnError(t, err, ErrCodeEnhanceYourCalm)
	}
	// Empty CONTINUATION frames count too (the CONTINUATION flood).
	wire := frame(FrameHeaders, 0, 1, "\x82")
	for range DefaultMaxContinuationFrames + 1 {
		wire += frame(FrameContinuation, 0, 1, "")
	}
	_, err := readAll(t, strings.NewReader(wire))
	wantConnError(t, err, ErrCodeEnhanceYourCalm)
}

func TestMaxHeaderBlockBytes(t *testing.T) {
	if DefaultMaxHeaderBlockBytes != 64<<10 {
		t.Errorf("DefaultMaxHeaderBlockBytes = %d", DefaultMaxHeaderBlockBytes)
	}
	for _, limit := range []int{DefaultMaxHeaderBlockBytes, 10} {
		for _, size := range []uint32{1 << 14, 3} {
			block := bytes.Repeat([]byte("z"), limit)
			fr := NewFramer(bytes.NewReader(splitBlock(1, block, size)), nil)
			fr.MaxHeaderBlockBytes = limit
			fr.MaxContinuationFrames = limit
			if _, err := fr.ReadFrame(); err != nil {
				t.Fatalf("limit %d, frames of %d: block at the limit: %v", limit, size, err)
			}
			fr = NewFramer(bytes.NewReader(splitBlock(1, append(block, 'z'), size)), nil)
			fr.MaxHeaderBlockBytes = limit
			fr.MaxContinuationFrames = limit
			_, err := fr.ReadFrame()
			wantConnError(t, err, ErrCodeEnhanceYourCalm)
		}
	}
	// A single HEADERS frame larger than the limit.
	fr := NewFramer(bytes.NewReader(splitBlock(1, make([]byte, 100), 1<<14)), nil)
	fr.MaxHeaderBlockBytes = 99
	_, err := fr.ReadFrame()
	wantConnError(t, err, ErrCodeEnhanceYourCalm)
	// PUSH_PROMISE blocks are bounded too.
	wire := AppendPushPromise(nil, PushPromiseParams{StreamID: 1, PromiseID: 2, BlockFragment: make([]byte, 60)})
	wire = AppendContinuation(wire, 1, true, make([]byte, 50))
	fr = NewFramer(bytes.NewReader(wire), nil)
	fr.MaxHeaderBlockBytes = 100
	_, err = fr.ReadFrame()
	wantConnError(t, err, ErrCodeEnhanceYourCalm)
}

// TestAppendHeaderBlock checks the split of a block into frames.
func TestAppendHeaderBlock(t *testing.T) {
	p := HeadersParams{StreamID: 5, BlockFragment: []byte("abcdefgh"), Padded: true, PadLength: 1,
		HasPriority: true, Priority: PriorityParam{StreamDep: 1, Weight: 9}}
	wire := AppendHeaderBlock([]byte("prefix"), p, 10)
	want := "prefix" + hdr(10, FrameHeaders, FlagHeadersPadded|FlagHeadersPriority, 5) + "\x01\x00\x00\x00\x01\x09abc\x00" +
		frame(FrameContinuation, FlagContinuationEndHeaders, 5, "defgh")
	if string(wire) != want {
		t.Errorf("wrote\n% x\nwant\n% x", wire, want)
	}
	// Frames smaller than the fields: an empty HEADERS fragment.
	wire = AppendHeaderBlock(nil, HeadersParams{StreamID: 1, BlockFragment: []byte("ab"), HasPriority: true}, 2)
	want = frame(FrameHeaders, FlagHeadersPriority, 1, "\x00\x00\x00\x00\x00") + frame(FrameContinuation, FlagContinuationEndHeaders, 1, "ab")
	if string(wire) != want {
		t.Errorf("wrote\n% x\nwant\n% x", wire, want)
	}
	// An empty block is one HEADERS frame with END_HEADERS.
	if wire := AppendHeaderBlock(nil, HeadersParams{StreamID: 1}, 0); string(wire) != frame(FrameHeaders, FlagHeadersEndHeaders, 1, "") {
		t.Errorf("empty block: % x", wire)
	}
}
