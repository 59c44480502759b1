package h2

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"turbohttp/hpack"
)

// fuzzApp is the application under the fuzzed engine: it answers every
// request (server) and consumes all data, so that the write paths run too.
type fuzzApp struct {
	c    *Conn
	body []byte
}

func (a *fuzzApp) OnHeaders(h *Headers) {
	if a.c.Role() == Server && !h.Trailers {
		a.c.WriteHeaders(h.StreamID, fieldList(":status", "200", "x-fuzz", "1"), false)
		a.c.WriteData(h.StreamID, a.body, h.EndStream)
		if !h.EndStream {
			a.c.Reset(h.StreamID, ErrCodeNo)
		}
	}
}
func (a *fuzzApp) OnData(id uint32, data []byte, end bool) { a.c.Consumed(id, len(data)) }
func (a *fuzzApp) OnReset(uint32, ErrCode)                 {}
func (a *fuzzApp) OnSettings(*Settings)                    {}
func (a *fuzzApp) OnSettingsAck()                          {}
func (a *fuzzApp) OnGoAway(uint32, ErrCode, []byte)        {}
func (a *fuzzApp) OnPingAck([8]byte)                       {}
func (a *fuzzApp) OnWindowOpened(id uint32) {
	if id != 0 {
		a.c.WriteData(id, a.body[:1], false)
	}
}

// fuzzConn feeds data to a Conn of role in pieces whose sizes come from
// seed, and checks after every piece that the output is valid frames and
// that every buffer stays within its limit.
func fuzzConn(t *testing.T, role Role, seed uint16, data []byte) {
	cfg := Config{MaxConcurrentStreams: 8, MaxHeaderBlockBytes: 4096, MaxResets: 20, MaxIdleFrames: 50}
	app := &fuzzApp{body: bytes.Repeat([]byte("b"), 100)}
	c := NewConn(role, cfg, app)
	app.c = c
	if role == Client {
		for range 3 {
			if _, err := c.OpenStream(fieldList(":method", "GET", ":scheme", "https", ":path", "/"), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := &outputChecker{t: t, dec: hpack.NewDecoder(), client: role == Client}
	out.check(c.AppendOutput(nil), c)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for len(data) > 0 {
		n := min(len(data), 1+rng.IntN(64))
		err := c.Feed(data[:n])
		data = data[n:]
		out.check(c.AppendOutput(nil), c)
		checkBounds(t, c)
		if err != nil {
			if _, ok := err.(ConnError); !ok {
				t.Fatalf("Feed returned %T %v, not a ConnError", err, err)
			}
			if !c.Done() {
				t.Fatal("not Done after a connection error")
			}
			return
		}
	}
}

// outputChecker parses everything a Conn writes, as its peer would.
type outputChecker struct {
	t       *testing.T
	dec     *hpack.Decoder
	client  bool
	pending []byte
}

func (o *outputChecker) check(out []byte, c *Conn) {
	if o.client && len(o.pending) == 0 && bytes.HasPrefix(out, []byte(ClientPreface)) {
		out = out[len(ClientPreface):]
		o.client = false
	}
	o.pending = append(o.pending, out...)
	fr := NewFramer(bytes.NewReader(o.pending), nil)
	fr.SetMaxReadFrameSize(c.PeerSettings().MaxFrameSize)
	consumed := 0
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			o.t.Fatalf("the engine wrote an invalid frame: %v", err)
		}
		consumed = len(o.pending) - fr.wpos + fr.rpos
		if hf, ok := f.(*HeadersFrame); ok {
			if err := o.dec.Decode(hf.HeaderBlock(), nil); err != nil {
				o.t.Fatalf("the engine wrote a header block its peer cannot decode: %v", err)
			}
		}
	}
	if consumed != len(o.pending) {
		o.t.Fatalf("the engine wrote a partial frame")
	}
	o.pending = o.pending[:0]
}

// checkBounds checks that every per-connection buffer is within its limit.
func checkBounds(t *testing.T, c *Conn) {
	cfg := c.cfg
	switch {
	case c.streams.Len() > int(cfg.MaxConcurrentStreams)+3:
		t.Fatalf("%d streams", c.streams.Len())
	case cap(c.rbuf) > 2*int(cfg.MaxReadFrameSize):
		t.Fatalf("read buffer of %d", cap(c.rbuf))
	case cap(c.hb) > 2*cfg.MaxHeaderBlockBytes:
		t.Fatalf("header block buffer of %d", cap(c.hb))
	case c.queued > c.streams.Len()*cfg.MaxStreamSendQueue+len(c.sendq)*cfg.MaxStreamSendQueue:
		t.Fatalf("%d bytes queued", c.queued)
	case len(c.free) > int(cfg.MaxConcurrentStreams):
		t.Fatalf("free list of %d", len(c.free))
	case c.activePeer < 0 || c.activeOwn < 0:
		t.Fatalf("negative stream counts %d %d", c.activePeer, c.activeOwn)
	}
}

// fuzzSeeds adds the bytes of every h2spec case (server role).
func fuzzSeeds(f *testing.F) {
	for _, tc := range append(h2specCases, h2specGenericCases...) {
		if tc.run == nil {
			continue
		}
		p := runH2SpecCase(f, tc, 0)
		f.Add(uint16(len(p.log)), p.log[len(ClientPreface):])
	}
}

// FuzzConnServer feeds arbitrary frames, split anywhere, to a server
// engine after the client preface: no panic, only valid frames out, every
// buffer bounded, errors typed.
func FuzzConnServer(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, seed uint16, data []byte) {
		fuzzConn(t, Server, seed, append([]byte(ClientPreface), data...))
	})
}

// FuzzConnClient does the same to a client engine with three requests
// in flight.
func FuzzConnClient(f *testing.F) {
	p := newClientPeer(f, Config{})
	p.writeHeaders(1, false, ":status", "200", "content-length", "4")
	p.writeData(1, true, "body")
	p.writeHeaders(3, false, ":status", "103")
	p.writeHeaders(3, true, ":status", "204")
	p.write(AppendGoAway(nil, 3, ErrCodeNo, nil))
	f.Add(uint16(1), p.log)
	f.Add(uint16(2), AppendSettings(nil, Setting{SettingHeaderTableSize, 0}, Setting{SettingInitialWindowSize, 1}))
	f.Fuzz(func(t *testing.T, seed uint16, data []byte) {
		fuzzConn(t, Client, seed, data)
	})
}
