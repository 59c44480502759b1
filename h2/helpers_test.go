package h2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// view is everything a frame means, field for field, independent of the
// codec that read it: the form golden, round-trip, interop and fuzz tests
// compare. Length and undefined flags are left out; Body is the data, the
// complete header block, the debug data, the priority field value or the
// unknown payload.
type view struct {
	Type        FrameType
	StreamID    uint32
	EndStream   bool
	Ack         bool
	Padded      bool
	PadLen      uint8
	HasPriority bool
	Priority    PriorityParam
	Code        ErrCode
	ID          uint32 // promised stream, last stream, increment or prioritized stream
	Settings    []Setting
	Ping        [8]byte
	Flags       Flags // unknown frames only
	Body        string
}

func (v view) String() string {
	type fields view // without the String method
	if len(v.Body) > 64 {
		v.Body = v.Body[:64] + "…"
	}
	return fmt.Sprintf("%+v", fields(v))
}

// viewOf returns the meaning of one of our frames.
func viewOf(f Frame) view {
	h := f.Header()
	v := view{Type: h.Type, StreamID: h.StreamID}
	switch f := f.(type) {
	case *DataFrame:
		v.EndStream, v.Padded, v.PadLen, v.Body = f.EndStream(), f.Padded(), f.PadLength(), string(f.Data())
	case *HeadersFrame:
		v.EndStream, v.Padded, v.PadLen, v.Body = f.EndStream(), f.Padded(), f.PadLength(), string(f.HeaderBlock())
		if v.HasPriority = f.HasPriority(); v.HasPriority {
			v.Priority = f.Priority
		}
	case *PriorityFrame:
		v.Priority = f.PriorityParam
	case *RSTStreamFrame:
		v.Code = f.ErrCode
	case *SettingsFrame:
		v.Ack = f.IsAck()
		for i := range f.NumSettings() {
			v.Settings = append(v.Settings, f.Setting(i))
		}
	case *PushPromiseFrame:
		v.ID, v.Padded, v.PadLen, v.Body = f.PromiseID, f.Padded(), f.PadLength(), string(f.HeaderBlock())
	case *PingFrame:
		v.Ack, v.Ping = f.IsAck(), f.Data
	case *GoAwayFrame:
		v.ID, v.Code, v.Body = f.LastStreamID, f.ErrCode, string(f.DebugData())
	case *WindowUpdateFrame:
		v.ID = f.Increment
	case *PriorityUpdateFrame:
		v.ID, v.Body = f.PrioritizedStreamID, string(f.FieldValue())
	case *UnknownFrame:
		v.Flags, v.Body = h.Flags, string(f.Payload())
	default:
		panic(fmt.Sprintf("unexpected frame %T", f))
	}
	return v
}

// appendView writes back the frame v describes with our Append functions,
// splitting a header block into frames of at most maxFrameSize.
func appendView(dst []byte, v view, maxFrameSize uint32) []byte {
	switch v.Type {
	case FrameData:
		if v.Padded {
			return AppendDataPadded(dst, v.StreamID, v.EndStream, []byte(v.Body), v.PadLen)
		}
		return AppendData(dst, v.StreamID, v.EndStream, []byte(v.Body))
	case FrameHeaders:
		return AppendHeaderBlock(dst, HeadersParams{
			StreamID: v.StreamID, BlockFragment: []byte(v.Body), EndStream: v.EndStream,
			Padded: v.Padded, PadLength: v.PadLen, HasPriority: v.HasPriority, Priority: v.Priority,
		}, maxFrameSize)
	case FramePriority:
		return AppendPriority(dst, v.StreamID, v.Priority)
	case FrameRSTStream:
		return AppendRSTStream(dst, v.StreamID, v.Code)
	case FrameSettings:
		if v.Ack {
			return AppendSettingsAck(dst)
		}
		return AppendSettings(dst, v.Settings...)
	case FramePushPromise:
		return appendPushPromiseBlock(dst, v, maxFrameSize)
	case FramePing:
		return AppendPing(dst, v.Ack, v.Ping)
	case FrameGoAway:
		return AppendGoAway(dst, v.ID, v.Code, []byte(v.Body))
	case FrameWindowUpdate:
		return AppendWindowUpdate(dst, v.StreamID, v.ID)
	case FramePriorityUpdate:
		return AppendPriorityUpdate(dst, v.ID, []byte(v.Body))
	}
	return AppendFrame(dst, v.Type, v.Flags, v.StreamID, []byte(v.Body))
}

// appendPushPromiseBlock writes a PUSH_PROMISE frame and the CONTINUATION
// frames its header block needs.
func appendPushPromiseBlock(dst []byte, v view, maxFrameSize uint32) []byte {
	size := int(maxFrameSize)
	room := size - 4
	if v.Padded {
		room -= 1 + int(v.PadLen)
	}
	block := []byte(v.Body)
	first := min(len(block), max(room, 0))
	dst = AppendPushPromise(dst, PushPromiseParams{
		StreamID: v.StreamID, PromiseID: v.ID, BlockFragment: block[:first],
		EndHeaders: first == len(block), Padded: v.Padded, PadLength: v.PadLen,
	})
	for block = block[first:]; len(block) > 0; {
		n := min(len(block), size)
		dst = AppendContinuation(dst, v.StreamID, n == len(block), block[:n])
		block = block[n:]
	}
	return dst
}

// readAll reads every frame of wire with a fresh Framer and returns their
// views and the error that ended the stream (nil for a clean io.EOF).
func readAll(t testing.TB, r io.Reader) ([]view, error) {
	t.Helper()
	fr := NewFramer(r, nil)
	var views []view
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return views, nil
		}
		if err != nil {
			return views, err
		}
		views = append(views, viewOf(f))
	}
}

// readOne reads the single frame of wire, failing the test otherwise.
func readOne(t testing.TB, wire []byte) view {
	t.Helper()
	views, err := readAll(t, bytes.NewReader(wire))
	if err != nil || len(views) != 1 {
		t.Fatalf("reading % x: got %d frames, error %v; want one frame", wire, len(views), err)
	}
	return views[0]
}

// wantConnError checks that err is a ConnError with code.
func wantConnError(t testing.TB, err error, code ErrCode) {
	t.Helper()
	var ce ConnError
	if !errors.As(err, &ce) || ce.Code != code || ce.Reason == "" {
		t.Fatalf("error = %#v (%v), want a ConnError %v with a reason", err, err, code)
	}
}

// wantStreamError checks that err is a StreamError on stream id with code.
func wantStreamError(t testing.TB, err error, id uint32, code ErrCode) {
	t.Helper()
	var se StreamError
	if !errors.As(err, &se) || se.StreamID != id || se.Code != code || se.Reason == "" {
		t.Fatalf("error = %#v (%v), want a StreamError %v on stream %d with a reason", err, err, code, id)
	}
}

// loopReader returns the bytes of data over and over, in Reads of at most
// chunk bytes, never running out: a connection in steady state.
type loopReader struct {
	data  []byte
	off   int
	chunk int
}

func (r *loopReader) Read(p []byte) (int, error) {
	p = p[:min(len(p), r.chunk)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}
