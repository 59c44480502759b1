package h2

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/http2"
)

// interopFrames are the frames exchanged with x/net's Framer: every type,
// flags, padding, priority, and a header block long enough for CONTINUATION.
var interopFrames = []view{
	{Type: FrameData, StreamID: 1, Body: "hello"},
	{Type: FrameData, StreamID: 1, EndStream: true, Padded: true, PadLen: 7, Body: "padded"},
	{Type: FrameHeaders, StreamID: 3, EndStream: true, Body: "\x82\x86\x84\x41\x8a\x08\x9d\x5c\x0b\x81\x70\xdc\x78\x0f\x03"},
	{Type: FrameHeaders, StreamID: 5, Padded: true, PadLen: 3, HasPriority: true,
		Priority: PriorityParam{StreamDep: 3, Exclusive: true, Weight: 200}, Body: "\x82"},
	{Type: FrameHeaders, StreamID: 7, Body: strings.Repeat("header block ", 3000)}, // 39000 bytes: 3 frames
	{Type: FramePriority, StreamID: 9, Priority: PriorityParam{StreamDep: 7, Weight: 31}},
	{Type: FrameRSTStream, StreamID: 9, Code: ErrCodeRefusedStream},
	{Type: FrameSettings, Settings: []Setting{{SettingHeaderTableSize, 0}, {SettingEnablePush, 0},
		{SettingMaxConcurrentStreams, 250}, {SettingInitialWindowSize, MaxWindowSize},
		{SettingMaxFrameSize, MaxFrameSizeLimit}, {SettingMaxHeaderListSize, 64 << 10}, {0x4242, 17}}},
	{Type: FrameSettings, Ack: true},
	{Type: FramePushPromise, StreamID: 3, ID: 2, Body: "\x82\x87"},
	{Type: FramePushPromise, StreamID: 3, ID: 4, Padded: true, PadLen: 1, Body: strings.Repeat("p", 20000)},
	{Type: FramePing, Ping: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}},
	{Type: FramePing, Ack: true, Ping: [8]byte{8, 7, 6, 5, 4, 3, 2, 1}},
	{Type: FrameGoAway, ID: 9, Code: ErrCodeProtocol, Body: "debug data"},
	{Type: FrameWindowUpdate, ID: 1 << 20},
	{Type: FrameWindowUpdate, StreamID: 3, ID: MaxWindowSize},
	{Type: FramePriorityUpdate, ID: 3, Body: "u=0, i"},
	{Type: 0xfa, StreamID: 11, Flags: 0x81, Body: "extension"},
}

// TestInteropWeWriteTheyRead writes frames with our Append functions and
// reads them with x/net's Framer, field for field, and checks that the bytes
// are the ones x/net's Framer writes.
func TestInteropWeWriteTheyRead(t *testing.T) {
	var ours []byte
	for _, v := range interopFrames {
		ours = appendView(ours, v, DefaultMaxFrameSize)
	}
	theirs := xwriteAll(t, interopFrames)
	if !bytes.Equal(ours, theirs) {
		t.Errorf("bytes differ from x/net's:\n% x\n% x", ours[:min(len(ours), 200)], theirs[:min(len(theirs), 200)])
	}
	got := xreadAll(t, ours)
	if len(got) != len(interopFrames) {
		t.Fatalf("x/net read %d frames, want %d", len(got), len(interopFrames))
	}
	for i, want := range interopFrames {
		want.PadLen = 0 // x/net does not report it; the bytes above show it right
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("x/net read\n%v\nwant\n%v", got[i], want)
		}
	}
}

// TestInteropTheyWriteWeRead writes frames with x/net's Framer and reads
// them with ours, field for field.
func TestInteropTheyWriteWeRead(t *testing.T) {
	got, err := readAll(t, bytes.NewReader(xwriteAll(t, interopFrames)))
	if err != nil || len(got) != len(interopFrames) {
		t.Fatalf("read %d frames, error %v", len(got), err)
	}
	for i, want := range interopFrames {
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("read\n%v\nwant\n%v", got[i], want)
		}
	}
}

// xwriteAll writes views with x/net's Framer, splitting header blocks the
// way AppendHeaderBlock does.
func xwriteAll(t *testing.T, views []view) []byte {
	var buf bytes.Buffer
	xf := http2.NewFramer(&buf, nil)
	for _, v := range views {
		if err := xwrite(xf, v); err != nil {
			t.Fatalf("x/net writing %v: %v", v, err)
		}
	}
	return buf.Bytes()
}

func xwrite(xf *http2.Framer, v view) error {
	body := []byte(v.Body)
	switch v.Type {
	case FrameData:
		if v.Padded {
			return xf.WriteDataPadded(v.StreamID, v.EndStream, body, make([]byte, v.PadLen))
		}
		return xf.WriteData(v.StreamID, v.EndStream, body)
	case FrameHeaders:
		room := DefaultMaxFrameSize - int(v.PadLen)
		if v.Padded {
			room--
		}
		if v.HasPriority {
			room -= 5
		}
		first := min(len(body), room)
		err := xf.WriteHeaders(http2.HeadersFrameParam{StreamID: v.StreamID, BlockFragment: body[:first],
			EndStream: v.EndStream, EndHeaders: first == len(body), PadLength: v.PadLen, Priority: xprio(v.Priority)})
		return xcontinue(xf, v.StreamID, body[first:], err)
	case FramePriority:
		return xf.WritePriority(v.StreamID, xprio(v.Priority))
	case FrameRSTStream:
		return xf.WriteRSTStream(v.StreamID, http2.ErrCode(v.Code))
	case FrameSettings:
		if v.Ack {
			return xf.WriteSettingsAck()
		}
		var s []http2.Setting
		for _, st := range v.Settings {
			s = append(s, http2.Setting{ID: http2.SettingID(st.ID), Val: st.Val})
		}
		return xf.WriteSettings(s...)
	case FramePushPromise:
		first := min(len(body), DefaultMaxFrameSize-4-1-int(v.PadLen))
		err := xf.WritePushPromise(http2.PushPromiseParam{StreamID: v.StreamID, PromiseID: v.ID,
			BlockFragment: body[:first], EndHeaders: first == len(body), PadLength: v.PadLen})
		return xcontinue(xf, v.StreamID, body[first:], err)
	case FramePing:
		return xf.WritePing(v.Ack, v.Ping)
	case FrameGoAway:
		return xf.WriteGoAway(v.ID, http2.ErrCode(v.Code), body)
	case FrameWindowUpdate:
		return xf.WriteWindowUpdate(v.StreamID, v.ID)
	case FramePriorityUpdate:
		return xf.WritePriorityUpdate(v.ID, v.Body)
	}
	return xf.WriteRawFrame(http2.FrameType(v.Type), http2.Flags(v.Flags), v.StreamID, body)
}

// xcontinue writes the rest of a header block in CONTINUATION frames.
func xcontinue(xf *http2.Framer, stream uint32, rest []byte, err error) error {
	for err == nil && len(rest) > 0 {
		n := min(len(rest), DefaultMaxFrameSize)
		err = xf.WriteContinuation(stream, n == len(rest), rest[:n])
		rest = rest[n:]
	}
	return err
}

func xprio(p PriorityParam) http2.PriorityParam {
	return http2.PriorityParam{StreamDep: p.StreamDep, Exclusive: p.Exclusive, Weight: p.Weight}
}

// xreadAll reads wire with x/net's Framer, joining header blocks, and
// returns the frames' views.
func xreadAll(t *testing.T, wire []byte) []view {
	xf := http2.NewFramer(nil, bytes.NewReader(wire))
	// x/net's frame-order check knows only HEADERS+CONTINUATION and
	// rejects the CONTINUATION of a PUSH_PROMISE, which RFC 9113 §6.10
	// allows; our own tests check the order.
	xf.AllowIllegalReads = true
	var views []view
	for {
		f, err := xf.ReadFrame()
		if err == io.EOF {
			return views
		}
		if err != nil {
			t.Fatalf("x/net ReadFrame after %d frames: %v", len(views), err)
		}
		if c, ok := f.(*http2.ContinuationFrame); ok {
			views[len(views)-1].Body += string(c.HeaderBlockFragment())
			continue
		}
		views = append(views, xview(f))
	}
}

// xview returns the meaning of one of x/net's frames.
func xview(f http2.Frame) view {
	h := f.Header()
	v := view{Type: FrameType(h.Type), StreamID: h.StreamID}
	switch f := f.(type) {
	case *http2.DataFrame:
		v.EndStream, v.Padded, v.Body = f.StreamEnded(), h.Flags.Has(http2.FlagDataPadded), string(f.Data())
	case *http2.HeadersFrame:
		v.EndStream, v.Padded, v.Body = f.StreamEnded(), h.Flags.Has(http2.FlagHeadersPadded), string(f.HeaderBlockFragment())
		if v.HasPriority = f.HasPriority(); v.HasPriority {
			v.Priority = fromXPrio(f.Priority)
		}
	case *http2.PriorityFrame:
		v.Priority = fromXPrio(f.PriorityParam)
	case *http2.RSTStreamFrame:
		v.Code = ErrCode(f.ErrCode)
	case *http2.SettingsFrame:
		v.Ack = f.IsAck()
		for i := range f.NumSettings() {
			s := f.Setting(i)
			v.Settings = append(v.Settings, Setting{SettingID(s.ID), s.Val})
		}
	case *http2.PushPromiseFrame:
		v.ID, v.Padded, v.Body = f.PromiseID, h.Flags.Has(http2.FlagPushPromisePadded), string(f.HeaderBlockFragment())
	case *http2.PingFrame:
		v.Ack, v.Ping = f.IsAck(), f.Data
	case *http2.GoAwayFrame:
		v.ID, v.Code, v.Body = f.LastStreamID, ErrCode(f.ErrCode), string(f.DebugData())
	case *http2.WindowUpdateFrame:
		v.ID = f.Increment
	case *http2.PriorityUpdateFrame:
		v.ID, v.Body = f.PrioritizedStreamID, f.Priority
	case *http2.UnknownFrame:
		v.Flags, v.Body = Flags(h.Flags), string(f.Payload())
	}
	return v
}

func fromXPrio(p http2.PriorityParam) PriorityParam {
	return PriorityParam{StreamDep: p.StreamDep, Exclusive: p.Exclusive, Weight: p.Weight}
}
