package h2

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// hdr returns a frame header on the wire, for frames built by hand.
func hdr(length int, t FrameType, f Flags, stream uint32) string {
	return string(AppendFrameHeader(nil, FrameHeader{Length: uint32(length), Type: t, Flags: f, StreamID: stream}))
}

// frame returns a whole frame on the wire with the payload's length.
func frame(t FrameType, f Flags, stream uint32, payload string) string {
	return hdr(len(payload), t, f, stream) + payload
}

// ruleTests are frames that break a rule of RFC 9113 §4 and §6 (or RFC 9218
// §7.1), with the error each must give: a connection error (stream 0 here)
// or a stream error on the stream given.
var ruleTests = []struct {
	name   string
	wire   string
	stream uint32 // 0 for a connection error
	code   ErrCode
}{
	{"DATA on stream 0", frame(FrameData, 0, 0, "x"), 0, ErrCodeProtocol},
	{"DATA padding as long as the payload", frame(FrameData, FlagDataPadded, 1, "\x03ab"), 0, ErrCodeProtocol},
	{"DATA padded without Pad Length", frame(FrameData, FlagDataPadded, 1, ""), 0, ErrCodeFrameSize},
	{"HEADERS on stream 0", frame(FrameHeaders, FlagHeadersEndHeaders, 0, "\x82"), 0, ErrCodeProtocol},
	{"HEADERS padding longer than the payload", frame(FrameHeaders, FlagHeadersEndHeaders|FlagHeadersPadded, 1, "\x02\x82"), 0, ErrCodeProtocol},
	{"HEADERS padding eating the priority", frame(FrameHeaders, FlagHeadersEndHeaders|FlagHeadersPadded|FlagHeadersPriority, 1, "\x01\x00\x00\x00\x03\x10"), 0, ErrCodeProtocol},
	{"HEADERS too short for its priority", frame(FrameHeaders, FlagHeadersEndHeaders|FlagHeadersPriority, 1, "\x00\x00\x00\x03"), 0, ErrCodeFrameSize},
	{"HEADERS depending on itself", frame(FrameHeaders, FlagHeadersEndHeaders|FlagHeadersPriority, 3, "\x00\x00\x00\x03\x10\x82"), 3, ErrCodeProtocol},
	{"PRIORITY on stream 0", frame(FramePriority, 0, 0, "\x00\x00\x00\x01\x10"), 0, ErrCodeProtocol},
	{"PRIORITY length 4", frame(FramePriority, 0, 5, "\x00\x00\x00\x01"), 5, ErrCodeFrameSize},
	{"PRIORITY length 6", frame(FramePriority, 0, 5, "\x00\x00\x00\x01\x10\x00"), 5, ErrCodeFrameSize},
	{"PRIORITY depending on itself", frame(FramePriority, 0, 5, "\x80\x00\x00\x05\x10"), 5, ErrCodeProtocol},
	{"RST_STREAM on stream 0", frame(FrameRSTStream, 0, 0, "\x00\x00\x00\x08"), 0, ErrCodeProtocol},
	{"RST_STREAM length 3", frame(FrameRSTStream, 0, 1, "\x00\x00\x08"), 0, ErrCodeFrameSize},
	{"RST_STREAM length 5", frame(FrameRSTStream, 0, 1, "\x00\x00\x00\x08\x00"), 0, ErrCodeFrameSize},
	{"SETTINGS on a stream", frame(FrameSettings, 0, 1, ""), 0, ErrCodeProtocol},
	{"SETTINGS ACK with a payload", frame(FrameSettings, FlagSettingsAck, 0, "\x00\x01\x00\x00\x10\x00"), 0, ErrCodeFrameSize},
	{"SETTINGS length 5", frame(FrameSettings, 0, 0, "\x00\x01\x00\x00\x10"), 0, ErrCodeFrameSize},
	{"SETTINGS_ENABLE_PUSH 2", frame(FrameSettings, 0, 0, "\x00\x02\x00\x00\x00\x02"), 0, ErrCodeProtocol},
	{"SETTINGS_INITIAL_WINDOW_SIZE 2^31", frame(FrameSettings, 0, 0, "\x00\x04\x80\x00\x00\x00"), 0, ErrCodeFlowControl},
	{"SETTINGS_MAX_FRAME_SIZE 2^14-1", frame(FrameSettings, 0, 0, "\x00\x05\x00\x00\x3f\xff"), 0, ErrCodeProtocol},
	{"SETTINGS_MAX_FRAME_SIZE 2^24", frame(FrameSettings, 0, 0, "\x00\x05\x01\x00\x00\x00"), 0, ErrCodeProtocol},
	{"SETTINGS_ENABLE_CONNECT_PROTOCOL 2", frame(FrameSettings, 0, 0, "\x00\x08\x00\x00\x00\x02"), 0, ErrCodeProtocol},
	{"SETTINGS_NO_RFC7540_PRIORITIES 2", frame(FrameSettings, 0, 0, "\x00\x09\x00\x00\x00\x02"), 0, ErrCodeProtocol},
	{"bad setting after good ones", frame(FrameSettings, 0, 0, "\x00\x03\x00\x00\x00\x64\x00\x02\x00\x00\x00\x05"), 0, ErrCodeProtocol},
	{"PUSH_PROMISE on stream 0", frame(FramePushPromise, FlagPushPromiseEndHeaders, 0, "\x00\x00\x00\x02"), 0, ErrCodeProtocol},
	{"PUSH_PROMISE promising stream 0", frame(FramePushPromise, FlagPushPromiseEndHeaders, 1, "\x00\x00\x00\x00"), 0, ErrCodeProtocol},
	{"PUSH_PROMISE length 3", frame(FramePushPromise, FlagPushPromiseEndHeaders, 1, "\x00\x00\x02"), 0, ErrCodeFrameSize},
	{"PUSH_PROMISE padding longer than the payload", frame(FramePushPromise, FlagPushPromiseEndHeaders|FlagPushPromisePadded, 1, "\x01\x00\x00\x00\x02"), 0, ErrCodeProtocol},
	{"PING on a stream", frame(FramePing, 0, 1, "12345678"), 0, ErrCodeProtocol},
	{"PING length 7", frame(FramePing, 0, 0, "1234567"), 0, ErrCodeFrameSize},
	{"PING length 9", frame(FramePing, 0, 0, "123456789"), 0, ErrCodeFrameSize},
	{"GOAWAY on a stream", frame(FrameGoAway, 0, 1, "\x00\x00\x00\x00\x00\x00\x00\x00"), 0, ErrCodeProtocol},
	{"GOAWAY length 7", frame(FrameGoAway, 0, 0, "\x00\x00\x00\x00\x00\x00\x00"), 0, ErrCodeFrameSize},
	{"WINDOW_UPDATE length 3", frame(FrameWindowUpdate, 0, 1, "\x00\x00\x01"), 0, ErrCodeFrameSize},
	{"WINDOW_UPDATE length 5 on stream 0", frame(FrameWindowUpdate, 0, 0, "\x00\x00\x00\x01\x00"), 0, ErrCodeFrameSize},
	{"WINDOW_UPDATE increment 0 on a stream", frame(FrameWindowUpdate, 0, 3, "\x00\x00\x00\x00"), 3, ErrCodeProtocol},
	{"WINDOW_UPDATE increment 0 on the connection", frame(FrameWindowUpdate, 0, 0, "\x00\x00\x00\x00"), 0, ErrCodeProtocol},
	{"WINDOW_UPDATE increment 0 with the reserved bit", frame(FrameWindowUpdate, 0, 3, "\x80\x00\x00\x00"), 3, ErrCodeProtocol},
	{"CONTINUATION alone", frame(FrameContinuation, FlagContinuationEndHeaders, 1, "\x82"), 0, ErrCodeProtocol},
	{"CONTINUATION after a complete HEADERS", frame(FrameHeaders, FlagHeadersEndHeaders, 1, "\x82") +
		frame(FrameContinuation, FlagContinuationEndHeaders, 1, "\x82"), 0, ErrCodeProtocol},
	{"DATA inside a header block", frame(FrameHeaders, 0, 1, "\x82") + frame(FrameData, 0, 1, "x"), 0, ErrCodeProtocol},
	{"PING inside a header block", frame(FrameHeaders, 0, 1, "\x82") + frame(FramePing, 0, 0, "12345678"), 0, ErrCodeProtocol},
	{"unknown frame inside a header block", frame(FrameHeaders, 0, 1, "\x82") + frame(0xfa, 0, 1, ""), 0, ErrCodeProtocol},
	{"CONTINUATION on another stream", frame(FrameHeaders, 0, 1, "\x82") + frame(FrameContinuation, FlagContinuationEndHeaders, 3, "\x84"), 0, ErrCodeProtocol},
	{"CONTINUATION on stream 0", frame(FrameHeaders, 0, 1, "\x82") + frame(FrameContinuation, FlagContinuationEndHeaders, 0, "\x84"), 0, ErrCodeProtocol},
	{"HEADERS inside a PUSH_PROMISE block", frame(FramePushPromise, 0, 1, "\x00\x00\x00\x02\x82") + frame(FrameHeaders, FlagHeadersEndHeaders, 1, "\x84"), 0, ErrCodeProtocol},
	{"PRIORITY_UPDATE on a stream", frame(FramePriorityUpdate, 0, 1, "\x00\x00\x00\x01u=1"), 0, ErrCodeProtocol},
	{"PRIORITY_UPDATE length 3", frame(FramePriorityUpdate, 0, 0, "\x00\x00\x01"), 0, ErrCodeFrameSize},
	{"PRIORITY_UPDATE for stream 0", frame(FramePriorityUpdate, 0, 0, "\x00\x00\x00\x00u=1"), 0, ErrCodeProtocol},
	{"DATA larger than SETTINGS_MAX_FRAME_SIZE", hdr(DefaultMaxFrameSize+1, FrameData, 0, 1) + strings.Repeat("x", DefaultMaxFrameSize+1), 0, ErrCodeFrameSize},
	{"unknown frame larger than SETTINGS_MAX_FRAME_SIZE", hdr(1<<24-1, 0xfa, 0, 1), 0, ErrCodeFrameSize},
	{"CONTINUATION larger than SETTINGS_MAX_FRAME_SIZE", frame(FrameHeaders, 0, 1, "\x82") + hdr(DefaultMaxFrameSize+1, FrameContinuation, 0, 1), 0, ErrCodeFrameSize},
}

func TestRules(t *testing.T) {
	for _, tt := range ruleTests {
		t.Run(tt.name, func(t *testing.T) {
			fr := NewFramer(strings.NewReader(tt.wire), nil)
			f, err := fr.ReadFrame()
			for err == nil { // frames before the faulty one are fine
				f, err = fr.ReadFrame()
			}
			if tt.stream == 0 {
				wantConnError(t, err, tt.code)
				if f != nil {
					t.Errorf("frame %v returned with a connection error", f.Header())
				}
				// A connection error is final.
				if _, again := fr.ReadFrame(); again != err {
					t.Errorf("second ReadFrame: %v, want the same error %v", again, err)
				}
				return
			}
			wantStreamError(t, err, tt.stream, tt.code)
			// A stream error leaves the connection usable.
			if _, err := fr.ReadFrame(); err != io.EOF {
				t.Errorf("ReadFrame after a stream error: %v, want io.EOF", err)
			}
		})
	}
}

// TestStreamErrorKeepsHeaderBlock checks that a HEADERS frame with a stream
// error comes with its complete header block (needed to keep HPACK state in
// step) and that reading goes on after it.
func TestStreamErrorKeepsHeaderBlock(t *testing.T) {
	wire := frame(FrameHeaders, FlagHeadersPriority|FlagHeadersEndStream, 3, "\x00\x00\x00\x03\x10\x82") +
		frame(FrameContinuation, FlagContinuationEndHeaders, 3, "\x84") +
		frame(FramePing, 0, 0, "12345678")
	fr := NewFramer(strings.NewReader(wire), nil)
	f, err := fr.ReadFrame()
	wantStreamError(t, err, 3, ErrCodeProtocol)
	hf, ok := f.(*HeadersFrame)
	if !ok || string(hf.HeaderBlock()) != "\x82\x84" || !hf.EndStream() {
		t.Fatalf("frame with the stream error = %#v", f)
	}
	if f, err := fr.ReadFrame(); err != nil || f.Header().Type != FramePing {
		t.Fatalf("next frame: %v, %v; want the PING", f, err)
	}
}

// TestValidBoundaries checks that the extreme legal values pass.
func TestValidBoundaries(t *testing.T) {
	wire := frame(FrameSettings, 0, 0, "\x00\x02\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01"+ // ENABLE_PUSH 0, 1
		"\x00\x04\x7f\xff\xff\xff\x00\x04\x00\x00\x00\x00"+ // INITIAL_WINDOW_SIZE 2^31-1, 0
		"\x00\x05\x00\x00\x40\x00\x00\x05\x00\xff\xff\xff"+ // MAX_FRAME_SIZE 2^14, 2^24-1
		"\x00\x07\xff\xff\xff\xff") + // unknown setting, ignored
		frame(FrameData, FlagDataPadded, 1, "\x02\x00\x00") + // padding of the whole payload but its length
		hdr(DefaultMaxFrameSize, FrameData, 0, 1) + strings.Repeat("x", DefaultMaxFrameSize)
	views, err := readAll(t, strings.NewReader(wire))
	if err != nil || len(views) != 3 {
		t.Fatalf("read %d frames, error %v", len(views), err)
	}
	if v := views[1]; v.Body != "" || v.PadLen != 2 {
		t.Errorf("padded DATA = %v", v)
	}
}

// TestMaxReadFrameSize checks SetMaxReadFrameSize and its clamping.
func TestMaxReadFrameSize(t *testing.T) {
	big := strings.Repeat("y", 100000)
	wire := frame(FrameData, 0, 1, big) + frame(FrameData, 0, 1, "z")
	fr := NewFramer(strings.NewReader(wire), nil)
	fr.SetMaxReadFrameSize(100000)
	for _, want := range []string{big, "z"} {
		f, err := fr.ReadFrame()
		if err != nil || string(f.(*DataFrame).Data()) != want {
			t.Fatalf("ReadFrame = %v, %v", f, err)
		}
	}
	for _, tt := range []struct{ set, want uint32 }{{0, MinMaxFrameSize}, {1 << 30, MaxFrameSizeLimit}, {20000, 20000}} {
		if fr.SetMaxReadFrameSize(tt.set); fr.MaxReadFrameSize() != tt.want {
			t.Errorf("SetMaxReadFrameSize(%d): %d, want %d", tt.set, fr.MaxReadFrameSize(), tt.want)
		}
	}
}

// TestUnknownFramesIgnored checks that frames of unknown types, and
// undefined flags, are passed over without error.
func TestUnknownFramesIgnored(t *testing.T) {
	wire := frame(0x0b, 0xff, 0, "") + frame(0xff, 0, 9, "payload") +
		frame(FramePing, 0xfe, 0, "12345678") + frame(0x0a, 0, 1, "\x00\x03abc")
	views, err := readAll(t, strings.NewReader(wire))
	if err != nil || len(views) != 4 {
		t.Fatalf("read %v, error %v", views, err)
	}
	if views[1].Type != 0xff || views[1].Body != "payload" || views[2].Type != FramePing || views[2].Ack {
		t.Errorf("frames = %v", views)
	}
}

func TestEOF(t *testing.T) {
	whole := frame(FramePing, 0, 0, "12345678")
	tests := []struct {
		name string
		wire string
		want error
	}{
		{"empty", "", io.EOF},
		{"after a frame", whole, io.EOF},
		{"inside a frame header", whole + whole[:5], io.ErrUnexpectedEOF},
		{"inside a payload", whole + whole[:12], io.ErrUnexpectedEOF},
		{"inside a header block", frame(FrameHeaders, 0, 1, "\x82"), io.ErrUnexpectedEOF},
		{"inside a CONTINUATION", frame(FrameHeaders, 0, 1, "\x82") + hdr(2, FrameContinuation, 0, 1), io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		_, err := readAll(t, strings.NewReader(tt.wire))
		if tt.want == io.EOF && err == nil {
			continue
		}
		if err != tt.want {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

// errReader returns data, then err forever.
type errReader struct {
	data string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	fr := NewFramer(&errReader{data: frame(FramePing, 0, 0, "12345678"), err: boom}, nil)
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := fr.ReadFrame(); err != boom {
			t.Fatalf("ReadFrame = %v, want the reader's error", err)
		}
	}
	// A reader that never returns data nor error.
	fr = NewFramer(&errReader{}, nil)
	if _, err := fr.ReadFrame(); err != io.ErrNoProgress {
		t.Errorf("ReadFrame from a stuck reader = %v, want io.ErrNoProgress", err)
	}
	// Data and io.EOF in the same Read.
	fr = NewFramer(&dataEOFReader{data: frame(FramePing, 0, 0, "12345678")}, nil)
	if f, err := fr.ReadFrame(); err != nil || f.Header().Type != FramePing {
		t.Fatalf("ReadFrame = %v, %v", f, err)
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Errorf("ReadFrame at the end = %v, want io.EOF", err)
	}
}

// dataEOFReader returns all its data with io.EOF.
type dataEOFReader struct{ data string }

func (r *dataEOFReader) Read(p []byte) (int, error) {
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, io.EOF
}

func TestClientPreface(t *testing.T) {
	fr := NewFramer(strings.NewReader(ClientPreface+frame(FrameSettings, 0, 0, "")), nil)
	if err := fr.ReadClientPreface(); err != nil {
		t.Fatal(err)
	}
	if f, err := fr.ReadFrame(); err != nil || f.Header().Type != FrameSettings {
		t.Fatalf("frame after the preface: %v, %v", f, err)
	}
	// A mismatch is reported as soon as it arrives, without waiting for
	// the 24 bytes (the reader would fail the test with its error).
	fr = NewFramer(&errReader{data: "GET / HTTP/1.1\r\n", err: errors.New("read too far")}, nil)
	err := fr.ReadClientPreface()
	wantConnError(t, err, ErrCodeProtocol)
	if fr.ReadClientPreface() != err {
		t.Error("preface error is not sticky")
	}
	for _, tt := range []struct {
		wire string
		want error
	}{{"", io.EOF}, {ClientPreface[:10], io.ErrUnexpectedEOF}} {
		fr = NewFramer(strings.NewReader(tt.wire), nil)
		if err := fr.ReadClientPreface(); err != tt.want {
			t.Errorf("preface %q: %v, want %v", tt.wire, err, tt.want)
		}
	}
}

func TestErrorStrings(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{ErrCodeNo.String(), "NO_ERROR"},
		{ErrCodeFlowControl.String(), "FLOW_CONTROL_ERROR"},
		{ErrCodeHTTP11Required.String(), "HTTP_1_1_REQUIRED"},
		{ErrCode(0x1f).String(), "ERR_CODE_0x1f"},
		{ConnError{ErrCodeProtocol, "bad"}.Error(), "h2: connection error PROTOCOL_ERROR: bad"},
		{StreamError{3, ErrCodeCancel, "gone"}.Error(), "h2: stream error on stream 3 CANCEL: gone"},
		{FrameWindowUpdate.String(), "WINDOW_UPDATE"},
		{FramePriorityUpdate.String(), "PRIORITY_UPDATE"},
		{FrameType(0x0b).String(), "UNKNOWN_FRAME_TYPE_0xb"},
		{SettingMaxFrameSize.String(), "SETTINGS_MAX_FRAME_SIZE"},
		{SettingID(0x7).String(), "SETTINGS_UNKNOWN_0x7"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	names := map[string]bool{}
	for c := ErrCodeNo; c <= ErrCodeHTTP11Required; c++ {
		if s := c.String(); names[s] || strings.HasPrefix(s, "ERR_CODE") {
			t.Errorf("code %d has name %q", c, s)
		}
		names[c.String()] = true
	}
}

func TestSettingsApply(t *testing.T) {
	s := InitialSettings()
	for _, st := range []Setting{{SettingHeaderTableSize, 100}, {SettingEnablePush, 0},
		{SettingMaxConcurrentStreams, 10}, {SettingInitialWindowSize, 1000}, {SettingMaxFrameSize, 1 << 20},
		{SettingMaxHeaderListSize, 8000}, {SettingEnableConnectProtocol, 1}, {SettingNoRFC7540Priorities, 1}, {0x99, 5}} {
		if err := s.Apply(st); err != nil {
			t.Fatal(err)
		}
	}
	want := Settings{100, false, 10, 1000, 1 << 20, 8000, true, true}
	if s != want {
		t.Errorf("settings = %+v, want %+v", s, want)
	}
	err := s.Apply(Setting{SettingInitialWindowSize, 1 << 31})
	wantConnError(t, err, ErrCodeFlowControl)
	if s.InitialWindowSize != 1000 {
		t.Error("invalid setting applied")
	}
	fr := NewFramer(bytes.NewReader(AppendSettings(nil, Setting{SettingMaxFrameSize, 1 << 15}, Setting{SettingMaxFrameSize, 1 << 16})), nil)
	f, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.(*SettingsFrame).Value(SettingMaxFrameSize); !ok || v != 1<<16 {
		t.Errorf("Value = %d, %v; want the last value", v, ok)
	}
	if _, ok := f.(*SettingsFrame).Value(SettingEnablePush); ok {
		t.Error("Value of an absent setting")
	}
}

// TestValidFieldValueEveryByte puts every byte value at every position of
// values of 1 to 24 bytes (so in each lane of the eight-byte loop and in
// the tail) and compares validFieldValue with the rule applied byte by
// byte.
func TestValidFieldValueEveryByte(t *testing.T) {
	want := func(b []byte) bool {
		if n := len(b); n > 0 && (b[0] == ' ' || b[0] == '\t' || b[n-1] == ' ' || b[n-1] == '\t') {
			return false
		}
		for _, c := range b {
			if c == 0 || c == '\r' || c == '\n' {
				return false
			}
		}
		return true
	}
	for n := 1; n <= 24; n++ {
		for pos := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[pos] = byte(c)
				if got := validFieldValue(b); got != want(b) {
					t.Fatalf("validFieldValue(%q) = %v, want %v", b, got, !got)
				}
				// Bytes around the one tested that could hide it from a
				// faulty word test: 0x01 (borrows) and 0x80 (high bit).
				for _, near := range []byte{0x01, 0x80, 0xff} {
					if pos > 0 {
						b[pos-1] = near
					}
					if pos+1 < n {
						b[pos+1] = near
					}
					if got := validFieldValue(b); got != want(b) {
						t.Fatalf("validFieldValue(%q) = %v, want %v", b, got, !got)
					}
				}
			}
		}
	}
	if !validFieldValue(nil) {
		t.Fatal("the empty value is valid")
	}
}
