package h2

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// goldenFrames are frames in their written form (the bytes on the wire, as
// our Append functions produce them) and their parsed form.
var goldenFrames = []struct {
	name  string
	wire  string
	write func() []byte
	want  view
}{
	{
		name:  "DATA END_STREAM",
		wire:  "\x00\x00\x05\x00\x01\x00\x00\x00\x01hello",
		write: func() []byte { return AppendData(nil, 1, true, []byte("hello")) },
		want:  view{Type: FrameData, StreamID: 1, EndStream: true, Body: "hello"},
	},
	{
		name:  "DATA empty",
		wire:  "\x00\x00\x00\x00\x00\x00\x00\x00\x03",
		write: func() []byte { return AppendData(nil, 3, false, nil) },
		want:  view{Type: FrameData, StreamID: 3},
	},
	{
		name:  "DATA padded",
		wire:  "\x00\x00\x07\x00\x08\x00\x00\x00\x03\x04hi\x00\x00\x00\x00",
		write: func() []byte { return AppendDataPadded(nil, 3, false, []byte("hi"), 4) },
		want:  view{Type: FrameData, StreamID: 3, Padded: true, PadLen: 4, Body: "hi"},
	},
	{
		name:  "DATA padded, all padding",
		wire:  "\x00\x00\x03\x00\x09\x00\x00\x00\x03\x02\x00\x00",
		write: func() []byte { return AppendDataPadded(nil, 3, true, nil, 2) },
		want:  view{Type: FrameData, StreamID: 3, EndStream: true, Padded: true, PadLen: 2},
	},
	{
		name: "HEADERS END_STREAM END_HEADERS",
		wire: "\x00\x00\x02\x01\x05\x00\x00\x00\x01\x82\x86",
		write: func() []byte {
			return AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: []byte("\x82\x86"), EndStream: true, EndHeaders: true})
		},
		want: view{Type: FrameHeaders, StreamID: 1, EndStream: true, Body: "\x82\x86"},
	},
	{
		name: "HEADERS padded with priority",
		wire: "\x00\x00\x09\x01\x2c\x00\x00\x00\x05\x02\x80\x00\x00\x03\x0f\x82\x00\x00",
		write: func() []byte {
			return AppendHeaders(nil, HeadersParams{
				StreamID: 5, BlockFragment: []byte("\x82"), EndHeaders: true, Padded: true, PadLength: 2,
				HasPriority: true, Priority: PriorityParam{StreamDep: 3, Exclusive: true, Weight: 15},
			})
		},
		want: view{Type: FrameHeaders, StreamID: 5, Padded: true, PadLen: 2, HasPriority: true,
			Priority: PriorityParam{StreamDep: 3, Exclusive: true, Weight: 15}, Body: "\x82"},
	},
	{
		name: "HEADERS and two CONTINUATIONs",
		wire: "\x00\x00\x02\x01\x01\x00\x00\x00\x07ab" +
			"\x00\x00\x02\x09\x00\x00\x00\x00\x07cd" +
			"\x00\x00\x01\x09\x04\x00\x00\x00\x07e",
		write: func() []byte {
			b := AppendHeaders(nil, HeadersParams{StreamID: 7, BlockFragment: []byte("ab"), EndStream: true})
			b = AppendContinuation(b, 7, false, []byte("cd"))
			return AppendContinuation(b, 7, true, []byte("e"))
		},
		want: view{Type: FrameHeaders, StreamID: 7, EndStream: true, Body: "abcde"},
	},
	{
		name: "HEADERS block split by AppendHeaderBlock",
		wire: "\x00\x00\x04\x01\x00\x00\x00\x00\x09abcd" +
			"\x00\x00\x04\x09\x00\x00\x00\x00\x09efgh" +
			"\x00\x00\x01\x09\x04\x00\x00\x00\x09i",
		write: func() []byte {
			return AppendHeaderBlock(nil, HeadersParams{StreamID: 9, BlockFragment: []byte("abcdefghi")}, 4)
		},
		want: view{Type: FrameHeaders, StreamID: 9, Body: "abcdefghi"},
	},
	{
		name:  "PRIORITY",
		wire:  "\x00\x00\x05\x02\x00\x00\x00\x00\x05\x00\x00\x00\x03\xff",
		write: func() []byte { return AppendPriority(nil, 5, PriorityParam{StreamDep: 3, Weight: 255}) },
		want:  view{Type: FramePriority, StreamID: 5, Priority: PriorityParam{StreamDep: 3, Weight: 255}},
	},
	{
		name:  "PRIORITY exclusive on stream 0",
		wire:  "\x00\x00\x05\x02\x00\x00\x00\x00\x05\x80\x00\x00\x00\x10",
		write: func() []byte { return AppendPriority(nil, 5, PriorityParam{Exclusive: true, Weight: 16}) },
		want:  view{Type: FramePriority, StreamID: 5, Priority: PriorityParam{Exclusive: true, Weight: 16}},
	},
	{
		name:  "RST_STREAM",
		wire:  "\x00\x00\x04\x03\x00\x00\x00\x00\x07\x00\x00\x00\x08",
		write: func() []byte { return AppendRSTStream(nil, 7, ErrCodeCancel) },
		want:  view{Type: FrameRSTStream, StreamID: 7, Code: ErrCodeCancel},
	},
	{
		name: "SETTINGS with several entries and an unknown one",
		wire: "\x00\x00\x18\x04\x00\x00\x00\x00\x00" +
			"\x00\x03\x00\x00\x00\x64" + "\x00\x04\x00\x10\x00\x00" +
			"\x00\x05\x00\xff\xff\xff" + "\x00\xff\xff\xff\xff\xff",
		write: func() []byte {
			return AppendSettings(nil, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20},
				Setting{SettingMaxFrameSize, 1<<24 - 1}, Setting{0xff, 1<<32 - 1})
		},
		want: view{Type: FrameSettings, Settings: []Setting{{SettingMaxConcurrentStreams, 100},
			{SettingInitialWindowSize, 1 << 20}, {SettingMaxFrameSize, 1<<24 - 1}, {0xff, 1<<32 - 1}}},
	},
	{
		name:  "SETTINGS empty",
		wire:  "\x00\x00\x00\x04\x00\x00\x00\x00\x00",
		write: func() []byte { return AppendSettings(nil) },
		want:  view{Type: FrameSettings},
	},
	{
		name:  "SETTINGS ACK",
		wire:  "\x00\x00\x00\x04\x01\x00\x00\x00\x00",
		write: func() []byte { return AppendSettingsAck(nil) },
		want:  view{Type: FrameSettings, Ack: true},
	},
	{
		name: "PUSH_PROMISE",
		wire: "\x00\x00\x05\x05\x04\x00\x00\x00\x01\x00\x00\x00\x02\x82",
		write: func() []byte {
			return AppendPushPromise(nil, PushPromiseParams{StreamID: 1, PromiseID: 2, BlockFragment: []byte("\x82"), EndHeaders: true})
		},
		want: view{Type: FramePushPromise, StreamID: 1, ID: 2, Body: "\x82"},
	},
	{
		name: "PUSH_PROMISE padded and CONTINUATION",
		wire: "\x00\x00\x09\x05\x08\x00\x00\x00\x03\x03\x00\x00\x00\x04\x82\x00\x00\x00" +
			"\x00\x00\x01\x09\x04\x00\x00\x00\x03\x84",
		write: func() []byte {
			b := AppendPushPromise(nil, PushPromiseParams{StreamID: 3, PromiseID: 4, BlockFragment: []byte("\x82"), Padded: true, PadLength: 3})
			return AppendContinuation(b, 3, true, []byte("\x84"))
		},
		want: view{Type: FramePushPromise, StreamID: 3, ID: 4, Padded: true, PadLen: 3, Body: "\x82\x84"},
	},
	{
		name:  "PING",
		wire:  "\x00\x00\x08\x06\x00\x00\x00\x00\x0012345678",
		write: func() []byte { return AppendPing(nil, false, [8]byte([]byte("12345678"))) },
		want:  view{Type: FramePing, Ping: [8]byte([]byte("12345678"))},
	},
	{
		name:  "PING ACK",
		wire:  "\x00\x00\x08\x06\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
		write: func() []byte { return AppendPing(nil, true, [8]byte{7: 1}) },
		want:  view{Type: FramePing, Ack: true, Ping: [8]byte{7: 1}},
	},
	{
		name:  "GOAWAY with debug data",
		wire:  "\x00\x00\x0c\x07\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0bcalm",
		write: func() []byte { return AppendGoAway(nil, 5, ErrCodeEnhanceYourCalm, []byte("calm")) },
		want:  view{Type: FrameGoAway, ID: 5, Code: ErrCodeEnhanceYourCalm, Body: "calm"},
	},
	{
		name:  "GOAWAY NO_ERROR",
		wire:  "\x00\x00\x08\x07\x00\x00\x00\x00\x00\x7f\xff\xff\xff\x00\x00\x00\x00",
		write: func() []byte { return AppendGoAway(nil, MaxStreamID, ErrCodeNo, nil) },
		want:  view{Type: FrameGoAway, ID: MaxStreamID, Code: ErrCodeNo},
	},
	{
		name:  "WINDOW_UPDATE connection",
		wire:  "\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\xff\xff",
		write: func() []byte { return AppendWindowUpdate(nil, 0, 65535) },
		want:  view{Type: FrameWindowUpdate, ID: 65535},
	},
	{
		name:  "WINDOW_UPDATE stream, largest increment",
		wire:  "\x00\x00\x04\x08\x00\x00\x00\x00\x01\x7f\xff\xff\xff",
		write: func() []byte { return AppendWindowUpdate(nil, 1, MaxWindowSize) },
		want:  view{Type: FrameWindowUpdate, StreamID: 1, ID: MaxWindowSize},
	},
	{
		name:  "PRIORITY_UPDATE",
		wire:  "\x00\x00\x0a\x10\x00\x00\x00\x00\x00\x00\x00\x00\x01u=1, i",
		write: func() []byte { return AppendPriorityUpdate(nil, 1, []byte("u=1, i")) },
		want:  view{Type: FramePriorityUpdate, ID: 1, Body: "u=1, i"},
	},
	{
		name:  "unknown type",
		wire:  "\x00\x00\x03\xfa\x03\x00\x00\x00\x01xyz",
		write: func() []byte { return AppendFrame(nil, 0xfa, 0x3, 1, []byte("xyz")) },
		want:  view{Type: 0xfa, StreamID: 1, Flags: 0x3, Body: "xyz"},
	},
}

func TestGoldenWrite(t *testing.T) {
	for _, tt := range goldenFrames {
		if got := tt.write(); string(got) != tt.wire {
			t.Errorf("%s: wrote\n% x\nwant\n% x", tt.name, got, tt.wire)
		}
	}
}

func TestGoldenRead(t *testing.T) {
	for _, tt := range goldenFrames {
		if got := readOne(t, []byte(tt.wire)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: read\n%v\nwant\n%v", tt.name, got, tt.want)
		}
	}
}

// TestGoldenReadSplit reads all golden frames as one stream, delivered one
// byte per Read and then in one Read: frames may be split at any byte.
func TestGoldenReadSplit(t *testing.T) {
	var wire []byte
	var want []view
	for _, tt := range goldenFrames {
		wire = append(wire, tt.wire...)
		want = append(want, tt.want)
	}
	for _, chunk := range []int{1, 2, 7, 100, len(wire)} {
		got, err := readAll(t, &chunkReader{data: wire, chunk: chunk})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("reads of %d bytes: error %v, frames\n%v\nwant\n%v", chunk, err, got, want)
		}
	}
}

// TestFrameHeader checks the header fields of frames as read, including
// the reserved bit of the stream identifier, which is ignored.
func TestFrameHeader(t *testing.T) {
	wire := []byte("\x00\x01\x02\xfa\xff\x80\x00\x00\x2a")
	h, err := ReadFrameHeader(wire)
	want := FrameHeader{Length: 258, Type: 0xfa, Flags: 0xff, StreamID: 42}
	if err != nil || h != want {
		t.Fatalf("ReadFrameHeader = %v, %v; want %v", h, err, want)
	}
	if got := AppendFrameHeader([]byte("x"), want); string(got) != "x\x00\x01\x02\xfa\xff\x00\x00\x00\x2a" {
		t.Errorf("AppendFrameHeader = % x", got)
	}
	if _, err := ReadFrameHeader(wire[:8]); err == nil {
		t.Error("ReadFrameHeader of 8 bytes: no error")
	}
	if got := want.String(); got != "UNKNOWN_FRAME_TYPE_0xfa flags=0xff stream=42 len=258" {
		t.Errorf("String = %q", got)
	}
	fr := NewFramer(bytes.NewReader([]byte("\x00\x00\x08\x06\x01\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")), nil)
	f, err := fr.ReadFrame()
	if err != nil || f.Header() != (FrameHeader{Length: 8, Type: FramePing, Flags: FlagPingAck}) {
		t.Errorf("PING with the reserved bit: %v, %v", f, err)
	}
}

// chunkReader returns data in Reads of at most chunk bytes, then io.EOF.
type chunkReader struct {
	data  []byte
	chunk int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.chunk)], r.data)
	r.data = r.data[n:]
	return n, nil
}
