package h2

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomView returns a random legal frame of type t.
func randomView(r *rand.Rand, t FrameType) view {
	str := func(max int) string {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	stream := 1 + r.Uint32N(MaxStreamID)
	v := view{Type: t, StreamID: stream}
	switch t {
	case FrameData, FrameHeaders, FramePushPromise:
		v.Padded = r.IntN(2) == 0
		if v.Padded {
			v.PadLen = uint8(r.Uint32())
		}
		v.Body = str(3 * DefaultMaxFrameSize / []int{1, 8, 64}[r.IntN(3)])
		if t == FrameData {
			v.Body = v.Body[:min(len(v.Body), DefaultMaxFrameSize-256)]
		}
		v.EndStream = t != FramePushPromise && r.IntN(2) == 0
		if t == FramePushPromise {
			v.ID = 1 + r.Uint32N(MaxStreamID)
		}
		if t == FrameHeaders && r.IntN(2) == 0 {
			v.HasPriority = true
			v.Priority = PriorityParam{StreamDep: (stream + 1) % MaxStreamID, Exclusive: r.IntN(2) == 0, Weight: uint8(r.Uint32())}
		}
	case FramePriority:
		v.Priority = PriorityParam{StreamDep: stream - 1, Exclusive: r.IntN(2) == 0, Weight: uint8(r.Uint32())}
	case FrameRSTStream:
		v.Code = ErrCode(r.Uint32())
	case FrameSettings:
		v.StreamID = 0
		if v.Ack = r.IntN(4) == 0; !v.Ack {
			for range r.IntN(10) {
				s := Setting{ID: SettingID(r.Uint32()), Val: r.Uint32()}
				if s.Valid() == nil {
					v.Settings = append(v.Settings, s)
				}
			}
		}
	case FramePing:
		v.StreamID, v.Ack = 0, r.IntN(2) == 0
		v.Ping = [8]byte([]byte(str(0) + "abcdefgh"))
		v.Ping[r.IntN(8)] = byte(r.Uint32())
	case FrameGoAway:
		v.StreamID, v.ID, v.Code, v.Body = 0, r.Uint32N(MaxStreamID+1), ErrCode(r.Uint32()), str(100)
	case FrameWindowUpdate:
		v.StreamID = r.Uint32N(3)
		v.ID = 1 + r.Uint32N(MaxWindowSize)
	case FramePriorityUpdate:
		v.StreamID, v.ID, v.Body = 0, stream, str(30)
	default:
		v.Flags, v.Body = Flags(r.Uint32()), str(1000)
	}
	return v
}

// TestRoundTrip writes random frames of every type with our Append
// functions and reads them back, in Reads of random sizes.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	types := []FrameType{FrameData, FrameHeaders, FramePriority, FrameRSTStream, FrameSettings,
		FramePushPromise, FramePing, FrameGoAway, FrameWindowUpdate, FramePriorityUpdate, 0x0b, 0xff}
	for round := range 20 {
		var want []view
		var wire []byte
		for range 50 {
			v := randomView(r, types[r.IntN(len(types))])
			want = append(want, v)
			wire = appendView(wire, v, DefaultMaxFrameSize)
		}
		chunk := 1 + r.IntN(20000)
		got, err := readAll(t, &chunkReader{data: bytes.Clone(wire), chunk: chunk})
		if err != nil {
			t.Fatalf("round %d, reads of %d: %v", round, chunk, err)
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: read %d frames, want %d", round, len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("round %d frame %d: read\n%v\nwant\n%v", round, i, got[i], want[i])
			}
		}
	}
}

// TestAppendPanics checks the documented panics for what no frame can encode.
func TestAppendPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"payload above 2^24-1":   func() { AppendData(nil, 1, false, make([]byte, MaxFrameSizeLimit+1)) },
		"stream above 2^31-1":    func() { AppendPing(AppendRSTStream(nil, MaxStreamID+1, 0), false, [8]byte{}) },
		"increment above 2^31-1": func() { AppendWindowUpdate(nil, 0, MaxWindowSize+1) },
		"header length":          func() { AppendFrameHeader(nil, FrameHeader{Length: 1 << 24}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	// The largest encodable values do not panic.
	b := AppendData(nil, MaxStreamID, false, make([]byte, MaxFrameSizeLimit))
	if h, _ := ReadFrameHeader(b); h.Length != MaxFrameSizeLimit || h.StreamID != MaxStreamID {
		t.Errorf("header = %v", h)
	}
}
