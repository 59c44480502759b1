package h2

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// echoServer answers every request by streaming its body back, under
// flow control in both directions, consuming what it read only once it
// has queued it again (so that a slow reader slows the writer).
type echoServer struct {
	c       *Conn
	pending map[uint32][]byte
	ended   map[uint32]bool
}

func (e *echoServer) OnHeaders(h *Headers) {
	if !h.Trailers {
		e.c.WriteHeaders(h.StreamID, fieldList(":status", "200"), false)
	}
	if h.EndStream {
		e.ended[h.StreamID] = true
	}
}
func (e *echoServer) OnData(id uint32, data []byte, end bool) {
	e.pending[id] = append(e.pending[id], data...)
	if end {
		e.ended[id] = true
	}
}
func (e *echoServer) pump() {
	for id, b := range e.pending {
		n, err := e.c.WriteData(id, b, e.ended[id])
		if err != nil {
			delete(e.pending, id)
			continue
		}
		e.c.Consumed(id, n)
		e.pending[id] = b[n:]
		if n == len(b) && e.ended[id] {
			delete(e.pending, id)
		}
	}
}
func (*echoServer) OnReset(uint32, ErrCode)          {}
func (*echoServer) OnSettings(*Settings)             {}
func (*echoServer) OnSettingsAck()                   {}
func (*echoServer) OnGoAway(uint32, ErrCode, []byte) {}
func (*echoServer) OnPingAck([8]byte)                {}
func (*echoServer) OnWindowOpened(uint32)            {}

// uploadClient sends bodies and collects the echoes.
type uploadClient struct {
	c      *Conn
	toSend map[uint32][]byte
	got    map[uint32]*bytes.Buffer
	done   map[uint32]bool
	resets int
}

func (u *uploadClient) OnHeaders(h *Headers) {
	if h.EndStream {
		u.done[h.StreamID] = true
	}
}
func (u *uploadClient) OnData(id uint32, data []byte, end bool) {
	u.got[id].Write(data)
	u.c.Consumed(id, len(data))
	if end {
		u.done[id] = true
	}
}
func (u *uploadClient) pump() {
	for id, b := range u.toSend {
		n, err := u.c.WriteData(id, b, true)
		if err != nil {
			delete(u.toSend, id)
			continue
		}
		u.toSend[id] = b[n:]
		if n == len(b) {
			delete(u.toSend, id)
		}
	}
}
func (u *uploadClient) OnReset(uint32, ErrCode)        { u.resets++ }
func (*uploadClient) OnSettings(*Settings)             {}
func (*uploadClient) OnSettingsAck()                   {}
func (*uploadClient) OnGoAway(uint32, ErrCode, []byte) {}
func (*uploadClient) OnPingAck([8]byte)                {}
func (*uploadClient) OnWindowOpened(uint32)            {}

// TestLargeEchoThroughSmallWindows: three 2 MiB uploads, echoed back, go
// through windows of 64 KiB per stream and 128 KiB per connection, with
// every frame split at random points, and arrive intact.
func TestLargeEchoThroughSmallWindows(t *testing.T) {
	cfg := Config{StreamWindow: 1 << 16, ConnWindow: 1 << 17, MaxStreamSendQueue: 20000}
	cli := &uploadClient{toSend: map[uint32][]byte{}, got: map[uint32]*bytes.Buffer{}, done: map[uint32]bool{}}
	srv := &echoServer{pending: map[uint32][]byte{}, ended: map[uint32]bool{}}
	cli.c = NewConn(Client, cfg, cli)
	srv.c = NewConn(Server, cfg, srv)
	bodies := map[uint32][]byte{}
	for i := range 3 {
		body := bytes.Repeat([]byte{byte('a' + i)}, 2<<20)
		copy(body, []byte("start"))
		id, err := cli.c.OpenStream(fieldList(":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/echo"), false)
		if err != nil {
			t.Fatal(err)
		}
		bodies[id], cli.toSend[id], cli.got[id] = body, body, new(bytes.Buffer)
	}
	var cbuf, sbuf []byte
	for round := 0; len(cli.done) < 3; round++ {
		if round > 100000 {
			t.Fatalf("stalled: done %v, to send %d, server pending %d", cli.done, len(cli.toSend), len(srv.pending))
		}
		cli.pump()
		cbuf = cli.c.AppendOutput(cbuf[:0])
		feedSplit(t, srv.c, cbuf, round)
		srv.pump()
		sbuf = srv.c.AppendOutput(sbuf[:0])
		feedSplit(t, cli.c, sbuf, round)
	}
	for id, body := range bodies {
		if sha256.Sum256(cli.got[id].Bytes()) != sha256.Sum256(body) {
			t.Fatalf("stream %d: echo of %d bytes differs from the %d sent", id, cli.got[id].Len(), len(body))
		}
	}
	if cli.resets != 0 {
		t.Fatalf("%d resets", cli.resets)
	}
}

// feedSplit feeds b in pieces of varying size.
func feedSplit(t *testing.T, c *Conn, b []byte, seed int) {
	t.Helper()
	size := 1 + seed%4093
	for len(b) > 0 {
		n := min(size, len(b))
		if err := c.Feed(b[:n]); err != nil {
			t.Fatal(err)
		}
		b = b[n:]
		size = size*7%4093 + 1
	}
}
