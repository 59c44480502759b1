package turbohttp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"turbohttp/h2"
	"turbohttp/hpack"
)

// h2peer is a scripted HTTP/2 client for server tests: it writes frames
// built with the h2 codec's writers and expects the server's reactions,
// frame by frame, as the h2 package's own harness does for the engine.
// Over a memListener connection it runs in a synctest bubble, so that the
// server's timeouts fire in fake time.
type h2peer struct {
	t   testing.TB
	c   net.Conn
	fr  *h2.Framer
	enc *hpack.Encoder
	dec *hpack.Decoder
	// windowUpdates counts the WINDOW_UPDATE credit the server sent per
	// stream (0: the connection); next skips those frames.
	windowUpdates map[uint32]uint32
	keepUpdates   bool // next returns WINDOW_UPDATE frames too
}

// newH2Peer starts HTTP/2 on c: the preface and an empty SETTINGS, then it
// expects the server's SETTINGS and acknowledges them, and the
// acknowledgement of its own.
func newH2Peer(t testing.TB, c net.Conn, settings ...h2.Setting) *h2peer {
	t.Helper()
	p := &h2peer{t: t, c: c, fr: h2.NewFramer(c, nil), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(),
		windowUpdates: map[uint32]uint32{}}
	p.fr.SetMaxReadFrameSize(h2.MaxFrameSizeLimit)
	p.write(append([]byte(h2.ClientPreface), h2.AppendSettings(nil, settings...)...))
	gotSettings, gotAck := false, false
	for !gotSettings || !gotAck {
		f := p.next()
		sf, ok := f.(*h2.SettingsFrame)
		if !ok {
			t.Fatalf("preface: got %v, want SETTINGS", f.Header())
		}
		if sf.IsAck() {
			gotAck = true
			continue
		}
		gotSettings = true
		p.write(h2.AppendSettingsAck(nil))
	}
	return p
}

// dialH2 connects to a memListener and starts HTTP/2 on the connection.
func dialH2(t testing.TB, ln *memListener, settings ...h2.Setting) *h2peer {
	t.Helper()
	return newH2Peer(t, ln.dial(t), settings...)
}

func (p *h2peer) write(b []byte) {
	p.t.Helper()
	if _, err := p.c.Write(b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// block encodes name/value pairs as a header block.
func (p *h2peer) block(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = p.enc.AppendFieldString(b, kv[i], kv[i+1], false)
	}
	return b
}

func (p *h2peer) writeHeaders(id uint32, end bool, kv ...string) {
	p.t.Helper()
	p.write(h2.AppendHeaders(nil, h2.HeadersParams{StreamID: id, BlockFragment: p.block(kv...), EndStream: end, EndHeaders: true}))
}

func (p *h2peer) writeData(id uint32, end bool, data string) {
	p.t.Helper()
	p.write(h2.AppendData(nil, id, end, []byte(data)))
}

func (p *h2peer) writeRST(id uint32, code h2.ErrCode) { p.write(h2.AppendRSTStream(nil, id, code)) }

// getReq and postReq are request header lists.
func getReq(path string, extra ...string) []string {
	return append([]string{":method", "GET", ":scheme", "http", ":authority", "example.com", ":path", path}, extra...)
}

func postReq(path string, extra ...string) []string {
	return append([]string{":method", "POST", ":scheme", "http", ":authority", "example.com", ":path", path}, extra...)
}

// next reads the next frame, skipping (and counting) WINDOW_UPDATE frames
// unless keepUpdates. The frame is valid until the next call.
func (p *h2peer) next() h2.Frame {
	p.t.Helper()
	for {
		f, err := p.fr.ReadFrame()
		if err != nil {
			p.t.Fatalf("reading a frame: %v", err)
		}
		if wu, ok := f.(*h2.WindowUpdateFrame); ok && !p.keepUpdates {
			p.windowUpdates[wu.StreamID] += wu.Increment
			continue
		}
		return f
	}
}

// h2resp is a decoded HEADERS frame.
type h2resp struct {
	end    bool
	fields []string // name, value, name, value…
}

func (r h2resp) get(name string) string {
	for i := 0; i+1 < len(r.fields); i += 2 {
		if r.fields[i] == name {
			return r.fields[i+1]
		}
	}
	return ""
}

// wantHeaders expects a HEADERS frame on stream id and decodes it.
func (p *h2peer) wantHeaders(id uint32) h2resp {
	p.t.Helper()
	f := p.next()
	hf, ok := f.(*h2.HeadersFrame)
	if !ok || hf.StreamID != id {
		p.t.Fatalf("got %v, want HEADERS on stream %d", describe(f), id)
	}
	r := h2resp{end: hf.EndStream()}
	err := p.dec.Decode(hf.HeaderBlock(), func(name, value []byte, _ bool) error {
		r.fields = append(r.fields, string(name), string(value))
		return nil
	})
	if err != nil {
		p.t.Fatalf("decoding HEADERS: %v", err)
	}
	return r
}

// wantBody reads DATA frames on stream id until END_STREAM and returns
// their data; frames of other streams are not expected.
func (p *h2peer) wantBody(id uint32) string {
	p.t.Helper()
	var b strings.Builder
	for {
		f := p.next()
		df, ok := f.(*h2.DataFrame)
		if !ok || df.StreamID != id {
			p.t.Fatalf("got %v, want DATA on stream %d", describe(f), id)
		}
		b.Write(df.Data())
		if df.EndStream() {
			return b.String()
		}
	}
}

// wantResponse expects a complete response on stream id and returns its
// head and body.
func (p *h2peer) wantResponse(id uint32) (h2resp, string) {
	p.t.Helper()
	r := p.wantHeaders(id)
	for r.get(":status") != "" && r.get(":status")[0] == '1' {
		r = p.wantHeaders(id)
	}
	if r.end {
		return r, ""
	}
	return r, p.wantBody(id)
}

// wantRST expects RST_STREAM with code on stream id.
func (p *h2peer) wantRST(id uint32, code h2.ErrCode) {
	p.t.Helper()
	f := p.next()
	rf, ok := f.(*h2.RSTStreamFrame)
	if !ok || rf.StreamID != id || rf.ErrCode != code {
		p.t.Fatalf("got %v, want RST_STREAM %v on stream %d", describe(f), code, id)
	}
}

// wantGoAway expects GOAWAY with code, then the connection closed, and
// returns the last stream ID it named. Frames before it are skipped.
func (p *h2peer) wantGoAway(code h2.ErrCode) uint32 {
	p.t.Helper()
	for {
		f, err := p.fr.ReadFrame()
		if err != nil {
			p.t.Fatalf("got %v, want GOAWAY %v", err, code)
		}
		if g, ok := f.(*h2.GoAwayFrame); ok {
			if g.ErrCode != code {
				p.t.Fatalf("got GOAWAY %v (%s), want %v", g.ErrCode, g.DebugData(), code)
			}
			return g.LastStreamID
		}
	}
}

// wantClosed expects the connection to end: EOF (after any frames).
func (p *h2peer) wantClosed() {
	p.t.Helper()
	for {
		_, err := p.fr.ReadFrame()
		if err == nil {
			continue
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
			p.t.Fatalf("got %v, want the connection closed", err)
		}
		return
	}
}

func describe(f h2.Frame) string {
	switch f := f.(type) {
	case *h2.RSTStreamFrame:
		return fmt.Sprintf("RST_STREAM %v on stream %d", f.ErrCode, f.StreamID)
	case *h2.GoAwayFrame:
		return fmt.Sprintf("GOAWAY %v last %d (%s)", f.ErrCode, f.LastStreamID, f.DebugData())
	case *h2.DataFrame:
		return fmt.Sprintf("DATA on stream %d (%d bytes, end %v)", f.StreamID, len(f.Data()), f.EndStream())
	}
	return fmt.Sprint(f.Header())
}

// h2cMemServer is startMemServer with h2c enabled.
func h2cMemServer(t testing.TB, h Handler, configure ...func(*Server)) (*Server, *memListener) {
	t.Helper()
	return startMemServer(t, h, append([]func(*Server){enableH2C}, configure...)...)
}
