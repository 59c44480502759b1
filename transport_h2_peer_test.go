package turbohttp

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"

	"turbohttp/h2"
	"turbohttp/hpack"
)

// h2Frame is what a scripted peer read: the frame's header and the parts
// the tests look at, copied out of the Framer.
type h2Frame struct {
	h2.FrameHeader
	code      h2.ErrCode // RST_STREAM, GOAWAY
	last      uint32     // GOAWAY
	dataLen   int        // DATA
	endStream bool
	ack       bool // SETTINGS, PING
	ping      [8]byte
}

// h2Peer is a scripted HTTP/2 server on one end of a net.Pipe: frames
// are written with h2's Append functions, and every frame the client
// sends is read by a goroutine (so the client never blocks writing) and
// queued on frames. SETTINGS are acknowledged at once; PINGs when
// answerPings is set.
type h2Peer struct {
	t      testing.TB
	c      net.Conn
	enc    *hpack.Encoder
	frames chan h2Frame
	wmu    sync.Mutex

	answerPings bool
	done        chan struct{} // closed when the client's side ended
}

// h2PeerTransport returns a Transport speaking h2c by prior knowledge
// whose every dial makes a pipe and hands its server end, as an h2Peer
// that has sent its SETTINGS, to peers.
func h2PeerTransport(t testing.TB, settings ...h2.Setting) (*Transport, chan *h2Peer) {
	peers := make(chan *h2Peer, 16)
	tr := &Transport{HTTP2PriorKnowledge: true}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		client, server := net.Pipe()
		p := &h2Peer{t: t, c: server, enc: hpack.NewEncoder(), frames: make(chan h2Frame, 4096),
			answerPings: true, done: make(chan struct{})}
		go p.serve(settings)
		peers <- p
		return client, nil
	}
	return tr, peers
}

// serve reads the client's preface and frames until the pipe closes.
func (p *h2Peer) serve(settings []h2.Setting) {
	defer close(p.done)
	defer close(p.frames)
	p.write(h2.AppendSettings(nil, settings...))
	var preface [24]byte
	if _, err := io.ReadFull(p.c, preface[:]); err != nil {
		return
	}
	fr := h2.NewFramer(p.c, nil)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		hf := h2Frame{FrameHeader: f.Header()}
		switch f := f.(type) {
		case *h2.SettingsFrame:
			hf.ack = f.IsAck()
			if !hf.ack {
				go p.write(h2.AppendSettingsAck(nil))
			}
		case *h2.PingFrame:
			hf.ack, hf.ping = f.IsAck(), f.Data
			if !hf.ack && p.answerPings {
				go p.write(h2.AppendPing(nil, true, f.Data))
			}
		case *h2.HeadersFrame:
			hf.endStream = f.EndStream()
		case *h2.DataFrame:
			hf.dataLen, hf.endStream = len(f.Data()), f.EndStream()
		case *h2.RSTStreamFrame:
			hf.code = f.ErrCode
		case *h2.GoAwayFrame:
			hf.code, hf.last = f.ErrCode, f.LastStreamID
		}
		p.frames <- hf
	}
}

// write sends raw frames; errors (the client closed) are ignored.
func (p *h2Peer) write(b []byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.c.Write(b)
}

// want returns the next frame of type typ, skipping the others (SETTINGS,
// WINDOW_UPDATE…); it fails if the client's side ends first.
func (p *h2Peer) want(typ h2.FrameType) h2Frame {
	p.t.Helper()
	for f := range p.frames {
		if f.Type == typ {
			return f
		}
	}
	p.t.Fatalf("connection ended before a %v frame", typ)
	return h2Frame{}
}

// block encodes a header block.
func (p *h2Peer) block(kv ...string) []byte {
	var b []byte
	for i := 0; i < len(kv); i += 2 {
		b = p.enc.AppendFieldString(b, kv[i], kv[i+1], false)
	}
	return b
}

// headers sends a HEADERS frame with the fields kv.
func (p *h2Peer) headers(id uint32, end bool, kv ...string) {
	p.write(h2.AppendHeaders(nil, h2.HeadersParams{StreamID: id, BlockFragment: p.block(kv...), EndStream: end, EndHeaders: true}))
}

// respond answers stream id with 200 and body.
func (p *h2Peer) respond(id uint32, body string) {
	b := h2.AppendHeaders(nil, h2.HeadersParams{StreamID: id, BlockFragment: p.block(":status", "200"), EndHeaders: true})
	p.write(h2.AppendData(b, id, true, []byte(body)))
}

// closed waits for the client to close the connection.
func (p *h2Peer) closed() {
	for range p.frames {
	}
	<-p.done
}
