package h2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"turbohttp/hpack"
)

// This file is the in-package test harness of the engine: a scripted peer
// that writes frames into a Conn (Feed) and reads what the Conn answers
// (AppendOutput), with builders for the frames and expectations on the
// answers, in the manner of x/net's serverTester and hyper's frame
// builders:
//
//	p := newServerPeer(t, Config{})
//	p.writeHeaders(1, true, get("/")...)
//	p.respond(1, "200", "hello")
//	p.wantHeaders(1, ":status", "200")
//	p.wantData(1, "hello", true)

// event is one Handler call, as the recorder saw it.
type event struct {
	kind      string // "headers", "data", "reset", "settings", "settingsAck", "goaway", "pingAck", "window"
	stream    uint32
	code      ErrCode
	endStream bool
	trailers  bool
	status    int
	fields    []string // "name: value", pseudo-headers first
	data      string
}

func (e event) String() string {
	return fmt.Sprintf("%s stream=%d code=%v end=%v %q %q", e.kind, e.stream, e.code, e.endStream, e.fields, e.data)
}

// recorder is a Handler that records every event, and optionally reacts.
type recorder struct {
	events    []event
	onHeaders func(h *Headers)
	onData    func(id uint32, data []byte, end bool)
	consume   bool // call Consumed for every DATA at once
	c         *Conn

	// respondBody, when set, makes the recorder a server application:
	// every request that ends gets 200 with this body, written as the
	// windows allow (the rest when OnWindowOpened says so).
	respondBody string
	pending     map[uint32]string
}

// respond answers stream id, once its request ended.
func (r *recorder) respond(id uint32) {
	if r.respondBody == "" {
		return
	}
	if err := r.c.WriteHeaders(id, fieldList(":status", "200"), false); err != nil {
		return
	}
	r.pending[id] = r.respondBody
	r.writePending(id)
}

func (r *recorder) writePending(id uint32) {
	body, ok := r.pending[id]
	if !ok {
		return
	}
	n, err := r.c.WriteData(id, []byte(body), true)
	if err != nil || n == len(body) {
		delete(r.pending, id)
		return
	}
	r.pending[id] = body[n:]
}

func (r *recorder) OnHeaders(h *Headers) {
	e := event{kind: "headers", stream: h.StreamID, endStream: h.EndStream, trailers: h.Trailers, status: h.Status}
	for _, p := range [...]struct {
		n string
		v []byte
	}{{":method", h.Method}, {":scheme", h.Scheme}, {":authority", h.Authority}, {":path", h.Path}} {
		if p.v != nil {
			e.fields = append(e.fields, p.n+": "+string(p.v))
		}
	}
	if h.Status != 0 {
		e.fields = append(e.fields, fmt.Sprintf(":status: %d", h.Status))
	}
	for _, f := range h.Fields {
		e.fields = append(e.fields, string(f.Name)+": "+string(f.Value))
	}
	r.events = append(r.events, e)
	if r.onHeaders != nil {
		r.onHeaders(h)
	}
	if h.EndStream && r.c.Role() == Server {
		r.respond(h.StreamID)
	}
}

func (r *recorder) OnData(id uint32, data []byte, end bool) {
	r.events = append(r.events, event{kind: "data", stream: id, data: string(data), endStream: end})
	if r.consume {
		r.c.Consumed(id, len(data))
	}
	if r.onData != nil {
		r.onData(id, data, end)
	}
	if end && r.c.Role() == Server {
		r.respond(id)
	}
}

func (r *recorder) OnReset(id uint32, code ErrCode) {
	r.events = append(r.events, event{kind: "reset", stream: id, code: code})
}
func (r *recorder) OnSettings(*Settings) { r.events = append(r.events, event{kind: "settings"}) }
func (r *recorder) OnSettingsAck()       { r.events = append(r.events, event{kind: "settingsAck"}) }
func (r *recorder) OnGoAway(last uint32, code ErrCode, debug []byte) {
	r.events = append(r.events, event{kind: "goaway", stream: last, code: code, data: string(debug)})
}
func (r *recorder) OnPingAck(data [8]byte) {
	r.events = append(r.events, event{kind: "pingAck", data: string(data[:])})
}
func (r *recorder) OnWindowOpened(id uint32) {
	r.events = append(r.events, event{kind: "window", stream: id})
	if id != 0 {
		r.writePending(id)
		return
	}
	for id := range r.pending {
		r.writePending(id)
	}
}

// find returns the first recorded event of kind on stream, and whether
// there is one.
func (r *recorder) find(kind string, stream uint32) (event, bool) {
	for _, e := range r.events {
		if e.kind == kind && e.stream == stream {
			return e, true
		}
	}
	return event{}, false
}

// got is one frame the engine wrote, as the peer reads it.
type got struct {
	view
	fields []string // decoded header block, "name: value"
	flags  Flags
}

func (g got) String() string { return fmt.Sprintf("%v %q", g.view, g.fields) }

// peer is the scripted other end of a Conn under test.
type peer struct {
	t     testing.TB
	c     *Conn
	rec   *recorder
	enc   *hpack.Encoder // the peer's encoder, for what it writes
	dec   *hpack.Decoder // the peer's decoder, for what the Conn writes
	err   error          // the last error Feed returned
	split int            // when > 0, Feed in pieces of this size
	log   []byte         // every byte written, for fuzz seeds
	in    []got          // frames read from the Conn, not yet expected
}

// newPeer returns a peer facing a new Conn of role, before any handshake.
func newPeer(t testing.TB, role Role, cfg Config) *peer {
	rec := &recorder{pending: map[uint32]string{}}
	p := &peer{t: t, rec: rec, enc: hpack.NewEncoder(), dec: hpack.NewDecoder()}
	p.c = NewConn(role, cfg, rec)
	rec.c = p.c
	p.dec.MaxHeaderListSize = 1 << 20
	return p
}

// newServerPeer returns a client peer facing a server Conn, after the
// preface and SETTINGS exchange.
func newServerPeer(t testing.TB, cfg Config) *peer {
	p := newPeer(t, Server, cfg)
	p.write([]byte(ClientPreface))
	p.writeSettings()
	p.wantFrame(FrameSettings, 0)
	p.wantFrame(FrameWindowUpdate, 0)
	p.wantFrame(FrameSettings, 0) // the ACK of ours
	p.writeSettingsAck()
	p.wantNoFrame()
	return p
}

// newClientPeer returns a server peer facing a client Conn, after the
// preface and SETTINGS exchange.
func newClientPeer(t testing.TB, cfg Config) *peer {
	p := newPeer(t, Client, cfg)
	out := p.c.AppendOutput(nil)
	if !bytes.HasPrefix(out, []byte(ClientPreface)) {
		p.t.Fatalf("client output does not start with the preface: %q", out)
	}
	p.parse(out[len(ClientPreface):])
	p.wantFrame(FrameSettings, 0)
	p.wantFrame(FrameWindowUpdate, 0)
	p.writeSettings()
	p.writeSettingsAck()
	p.wantFrame(FrameSettings, 0)
	p.wantNoFrame()
	return p
}

// write feeds raw bytes to the Conn, in pieces of p.split if set.
func (p *peer) write(b []byte) {
	p.t.Helper()
	p.log = append(p.log, b...)
	for len(b) > 0 {
		n := len(b)
		if p.split > 0 {
			n = min(n, p.split)
		}
		if err := p.c.Feed(b[:n]); err != nil {
			p.err = err
		}
		b = b[n:]
	}
}

func (p *peer) writeSettings(s ...Setting) { p.write(AppendSettings(nil, s...)) }
func (p *peer) writeSettingsAck()          { p.write(AppendSettingsAck(nil)) }
func (p *peer) writePing(ack bool, data string) {
	p.write(AppendPing(nil, ack, [8]byte([]byte(data))))
}
func (p *peer) writeData(id uint32, end bool, data string) {
	p.write(AppendData(nil, id, end, []byte(data)))
}
func (p *peer) writeRST(id uint32, code ErrCode) { p.write(AppendRSTStream(nil, id, code)) }
func (p *peer) writeWindowUpdate(id, inc uint32) { p.write(AppendWindowUpdate(nil, id, inc)) }
func (p *peer) writeFrame(t FrameType, f Flags, id uint32, payload string) {
	p.write(AppendFrame(nil, t, f, id, []byte(payload)))
}

// block encodes fields, given as name, value, name, value…
func (p *peer) block(fields ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(fields); i += 2 {
		b = p.enc.AppendFieldString(b, fields[i], fields[i+1], false)
	}
	return b
}

// writeHeaders writes one HEADERS frame with END_HEADERS.
func (p *peer) writeHeaders(id uint32, end bool, fields ...string) {
	p.write(AppendHeaders(nil, HeadersParams{StreamID: id, BlockFragment: p.block(fields...), EndStream: end, EndHeaders: true}))
}

// get returns the fields of a GET request for path.
func get(path string) []string {
	return []string{":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", path}
}

// post returns the fields of a POST request with extra fields.
func post(path string, extra ...string) []string {
	return append([]string{":method", "POST", ":scheme", "https", ":authority", "example.com", ":path", path}, extra...)
}

// fieldList turns name, value pairs into Fields.
func fieldList(kv ...string) []Field {
	var fs []Field
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, Field{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return fs
}

// respond makes the server Conn answer stream id with status and body.
func (p *peer) respond(id uint32, status, body string) {
	p.t.Helper()
	if err := p.c.WriteHeaders(id, fieldList(":status", status), body == ""); err != nil {
		p.t.Fatalf("WriteHeaders(%d): %v", id, err)
	}
	if body != "" {
		if n, err := p.c.WriteData(id, []byte(body), true); err != nil || n != len(body) {
			p.t.Fatalf("WriteData(%d) = %d, %v", id, n, err)
		}
	}
}

// read takes the Conn's output and parses it into p.in.
func (p *peer) read() {
	p.t.Helper()
	p.parse(p.c.AppendOutput(nil))
}

func (p *peer) parse(out []byte) {
	p.t.Helper()
	fr := NewFramer(bytes.NewReader(out), nil)
	fr.SetMaxReadFrameSize(MaxFrameSizeLimit)
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return
		}
		if err != nil {
			p.t.Fatalf("the Conn wrote an invalid frame: %v\n% x", err, out)
		}
		g := got{view: viewOf(f), flags: f.Header().Flags}
		if hf, ok := f.(*HeadersFrame); ok {
			err := p.dec.Decode(hf.HeaderBlock(), func(n, v []byte, _ bool) error {
				g.fields = append(g.fields, string(n)+": "+string(v))
				return nil
			})
			if err != nil {
				p.t.Fatalf("the Conn wrote a header block we cannot decode: %v", err)
			}
		}
		p.in = append(p.in, g)
	}
}

// next returns the next frame the Conn wrote, failing if there is none.
func (p *peer) next() got {
	p.t.Helper()
	if len(p.in) == 0 {
		p.read()
	}
	if len(p.in) == 0 {
		p.t.Fatalf("want a frame, the Conn wrote none (Feed error %v)", p.err)
	}
	g := p.in[0]
	p.in = p.in[1:]
	return g
}

// wantFrame expects the next frame to be of type t on stream id.
func (p *peer) wantFrame(t FrameType, id uint32) got {
	p.t.Helper()
	g := p.next()
	if g.Type != t || g.StreamID != id {
		p.t.Fatalf("got %v, want %v on stream %d", g, t, id)
	}
	return g
}

// wantNoFrame expects no output.
func (p *peer) wantNoFrame() {
	p.t.Helper()
	p.read()
	if len(p.in) > 0 {
		p.t.Fatalf("want no frame, got %v", p.in[0])
	}
}

// wantHeaders expects HEADERS on stream id whose block includes the given
// name, value pairs.
func (p *peer) wantHeaders(id uint32, end bool, kv ...string) got {
	p.t.Helper()
	g := p.wantFrame(FrameHeaders, id)
	if g.EndStream != end {
		p.t.Fatalf("HEADERS END_STREAM=%v, want %v", g.EndStream, end)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		want := kv[i] + ": " + kv[i+1]
		if !contains(g.fields, want) {
			p.t.Fatalf("HEADERS %q lack %q", g.fields, want)
		}
	}
	return g
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// wantData expects one DATA frame on stream id with data.
func (p *peer) wantData(id uint32, data string, end bool) {
	p.t.Helper()
	g := p.wantFrame(FrameData, id)
	if g.Body != data || g.EndStream != end {
		p.t.Fatalf("DATA %q end=%v, want %q end=%v", g.Body, g.EndStream, data, end)
	}
}

// wantRST expects RST_STREAM(code) on stream id among the frames to come
// (skipping others), and no connection error.
func (p *peer) wantRST(id uint32, code ErrCode) {
	p.t.Helper()
	if p.err != nil {
		p.t.Fatalf("want RST_STREAM %v on stream %d, got connection error %v", code, id, p.err)
	}
	p.read()
	for len(p.in) > 0 {
		g := p.next()
		if g.Type == FrameRSTStream && g.StreamID == id {
			if g.Code != code {
				p.t.Fatalf("RST_STREAM %v on stream %d, want %v", g.Code, id, code)
			}
			return
		}
	}
	p.t.Fatalf("no RST_STREAM on stream %d", id)
}

// wantGoAway expects the Conn to have failed with a ConnError of code and
// to have written GOAWAY(code) as its last frame.
func (p *peer) wantGoAway(code ErrCode) {
	p.t.Helper()
	var ce ConnError
	if !errors.As(p.err, &ce) || ce.Code != code {
		p.t.Fatalf("Feed error %v, want a connection error %v", p.err, code)
	}
	p.read()
	var last got
	for len(p.in) > 0 {
		last = p.next()
	}
	if last.Type != FrameGoAway || last.Code != code {
		p.t.Fatalf("last frame %v, want GOAWAY %v", last, code)
	}
	if !p.c.Done() {
		p.t.Fatalf("Done is false after a connection error")
	}
}

// wantOK expects no error so far and answers a PING to prove the
// connection still works.
func (p *peer) wantOK() {
	p.t.Helper()
	if p.err != nil {
		p.t.Fatalf("unexpected error %v", p.err)
	}
	p.in = nil
	p.read()
	for _, g := range p.in {
		if g.Type == FrameGoAway || g.Type == FrameRSTStream {
			p.t.Fatalf("unexpected %v", g)
		}
	}
	p.in = nil
	p.writePing(false, "liveness")
	g := p.wantFrame(FramePing, 0)
	if !g.Ack || string(g.Ping[:]) != "liveness" {
		p.t.Fatalf("got %v, want the PING ack", g)
	}
}

// names returns the frame types of gs, for messages.
func names(gs []got) string {
	var s []string
	for _, g := range gs {
		s = append(s, g.Type.String())
	}
	return strings.Join(s, " ")
}
