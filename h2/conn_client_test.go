package h2

import (
	"strings"
	"testing"
)

func (p *peer) open(end bool, kv ...string) uint32 {
	p.t.Helper()
	id, err := p.c.OpenStream(fieldList(kv...), end)
	if err != nil {
		p.t.Fatalf("OpenStream: %v", err)
	}
	return id
}

var getFields = []string{":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", "/"}

func TestClientExchange(t *testing.T) {
	p := newClientPeer(t, Config{})
	id := p.open(true, getFields...)
	if id != 1 {
		t.Fatalf("first stream %d", id)
	}
	p.wantHeaders(1, true, ":method", "GET", ":path", "/", ":authority", "example.com")
	p.writeHeaders(1, false, ":status", "103", "link", "</s.css>")
	p.writeHeaders(1, false, ":status", "200", "content-length", "5")
	p.writeData(1, false, "hel")
	p.writeData(1, false, "lo")
	p.writeHeaders(1, true, "x-trailer", "t")
	var kinds []string
	for _, e := range p.rec.events {
		if e.stream == 1 {
			kinds = append(kinds, e.kind)
		}
	}
	if strings.Join(kinds, " ") != "headers headers data data headers" {
		t.Fatalf("events %v", p.rec.events)
	}
	if e := p.rec.events[len(p.rec.events)-1]; !e.trailers || !e.endStream {
		t.Fatalf("last event %v", e)
	}
	if own, _ := p.c.ActiveStreams(); own != 0 {
		t.Fatalf("%d streams still active", own)
	}
	if id := p.open(true, getFields...); id != 3 {
		t.Fatalf("second stream %d", id)
	}
	p.wantOK()
}

func TestClientMalformedResponses(t *testing.T) {
	cases := map[string]func(p *peer){
		"uppercase":             func(p *peer) { p.writeHeaders(1, true, ":status", "200", "X-A", "b") },
		"no status":             func(p *peer) { p.writeHeaders(1, true, "x-a", "b") },
		"status 101":            func(p *peer) { p.writeHeaders(1, true, ":status", "101") },
		"status 20":             func(p *peer) { p.writeHeaders(1, true, ":status", "20") },
		"request pseudo":        func(p *peer) { p.writeHeaders(1, true, ":status", "200", ":path", "/") },
		"pseudo after regular":  func(p *peer) { p.writeHeaders(1, true, "x-a", "b", ":status", "200") },
		"connection field":      func(p *peer) { p.writeHeaders(1, true, ":status", "200", "connection", "close") },
		"1xx ending the stream": func(p *peer) { p.writeHeaders(1, true, ":status", "100") },
		"content-length longer": func(p *peer) {
			p.writeHeaders(1, false, ":status", "200", "content-length", "10")
			p.writeData(1, true, "short")
		},
		"content-length shorter": func(p *peer) {
			p.writeHeaders(1, false, ":status", "200", "content-length", "1")
			p.writeData(1, false, "long")
		},
		"DATA before HEADERS": func(p *peer) { p.writeData(1, true, "x") },
		"DATA after an informational response": func(p *peer) {
			p.writeHeaders(1, false, ":status", "100")
			p.writeData(1, true, "x")
		},
		"trailers without END_STREAM": func(p *peer) {
			p.writeHeaders(1, false, ":status", "200")
			p.writeHeaders(1, false, "x-t", "v")
		},
	}
	for name, respond := range cases {
		t.Run(name, func(t *testing.T) {
			p := newClientPeer(t, Config{})
			p.open(true, getFields...)
			p.wantFrame(FrameHeaders, 1)
			respond(p)
			p.wantRST(1, ErrCodeProtocol)
			if e, ok := p.rec.find("reset", 1); !ok || e.code != ErrCodeProtocol {
				t.Fatalf("no OnReset(PROTOCOL_ERROR): %v", p.rec.events)
			}
			p.wantOK()
		})
	}
}

func TestClientHeadResponse(t *testing.T) {
	p := newClientPeer(t, Config{})
	p.open(true, ":method", "HEAD", ":scheme", "https", ":authority", "a", ":path", "/")
	p.wantFrame(FrameHeaders, 1)
	p.writeHeaders(1, true, ":status", "200", "content-length", "1000")
	if e, ok := p.rec.find("headers", 1); !ok || !e.endStream {
		t.Fatalf("HEAD response refused: %v", p.rec.events)
	}
	p.wantOK()
}

func TestClientRejectsPush(t *testing.T) {
	p := newClientPeer(t, Config{})
	p.open(true, getFields...)
	p.write(AppendPushPromise(nil, PushPromiseParams{StreamID: 1, PromiseID: 2, BlockFragment: p.block(getFields...), EndHeaders: true}))
	p.wantGoAway(ErrCodeProtocol)

	p = newClientPeer(t, Config{})
	p.writeSettings(Setting{SettingEnablePush, 1})
	p.wantGoAway(ErrCodeProtocol)

	p = newClientPeer(t, Config{})
	p.writeHeaders(2, true, ":status", "200")
	p.wantGoAway(ErrCodeProtocol)
}

// TestClientGoAway: streams above the last stream ID are refused (safe to
// retry), those below go on; no new stream may open.
func TestClientGoAway(t *testing.T) {
	p := newClientPeer(t, Config{})
	for range 3 {
		p.open(true, getFields...)
	}
	p.read()
	p.in = nil
	p.write(AppendGoAway(nil, 1, ErrCodeNo, []byte("bye")))
	for _, id := range []uint32{3, 5} {
		if e, ok := p.rec.find("reset", id); !ok || e.code != ErrCodeRefusedStream {
			t.Fatalf("stream %d not refused: %v", id, p.rec.events)
		}
	}
	if e, ok := p.rec.find("goaway", 1); !ok || e.data != "bye" {
		t.Fatalf("no OnGoAway: %v", p.rec.events)
	}
	if p.c.CanOpenStream() {
		t.Fatal("CanOpenStream after GOAWAY")
	}
	p.writeHeaders(1, true, ":status", "204")
	if e, ok := p.rec.find("headers", 1); !ok || e.status != 204 {
		t.Fatal("stream 1 lost")
	}
	if !p.c.Done() {
		t.Fatal("not Done")
	}
}

func TestClientMaxConcurrentStreams(t *testing.T) {
	p := newClientPeer(t, Config{})
	p.writeSettings(Setting{SettingMaxConcurrentStreams, 2})
	p.open(true, getFields...)
	p.open(true, getFields...)
	if p.c.CanOpenStream() {
		t.Fatal("CanOpenStream beyond the peer's limit")
	}
	if _, err := p.c.OpenStream(fieldList(getFields...), true); err != ErrNoStreamSlot {
		t.Fatalf("OpenStream = %v", err)
	}
	p.read()
	p.writeHeaders(1, true, ":status", "200")
	if !p.c.CanOpenStream() {
		t.Fatal("slot not freed")
	}
}

// TestClientUpload: a request body is sent under the server's windows;
// the response may come before the upload ends.
func TestClientUpload(t *testing.T) {
	p := newClientPeer(t, Config{})
	id := p.open(false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/up")
	body := []byte(strings.Repeat("u", 100000))
	n, err := p.c.WriteData(id, body, true)
	if err != nil || n != DefaultInitialWindowSize {
		t.Fatalf("WriteData = %d, %v", n, err)
	}
	p.wantHeaders(id, false, ":method", "POST")
	total := 0
	for _, g := range p.in {
		total += len(g.Body)
	}
	p.in = nil
	p.read()
	for _, g := range p.in {
		total += len(g.Body)
	}
	if total != DefaultInitialWindowSize {
		t.Fatalf("sent %d bytes", total)
	}
	p.in = nil
	p.writeWindowUpdate(0, 50000)
	p.writeWindowUpdate(id, 50000)
	n2, _ := p.c.WriteData(id, body[n:], true)
	if n+n2 != len(body) {
		t.Fatalf("rest: %d", n2)
	}
	p.read()
	if last := p.in[len(p.in)-1]; !last.EndStream {
		t.Fatalf("no END_STREAM: %v", last)
	}
	if err := p.c.WriteTrailers(id, nil); err != ErrStreamClosed {
		t.Fatalf("trailers after the end: %v", err)
	}
	p.writeHeaders(id, true, ":status", "200")
	p.wantOK()
}

// TestClientShutdown: a client's GOAWAY goes at once.
func TestClientShutdown(t *testing.T) {
	p := newClientPeer(t, Config{})
	p.c.Shutdown()
	g := p.wantFrame(FrameGoAway, 0)
	if g.ID != 0 || g.Code != ErrCodeNo {
		t.Fatalf("%v", g)
	}
	if !p.c.Done() {
		t.Fatal("not Done")
	}
}

// TestPingApi: Ping is acknowledged through OnPingAck.
func TestPingApi(t *testing.T) {
	p := newClientPeer(t, Config{})
	p.c.Ping([8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	g := p.wantFrame(FramePing, 0)
	p.write(AppendPing(nil, true, g.Ping))
	if e, ok := p.rec.find("pingAck", 0); !ok || e.data != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("%v", p.rec.events)
	}
}

// TestClientRepeatedHeaderBlock: a header block that arrives again byte
// for byte is answered from the last decode only if that decode left the
// HPACK context as it was and nothing changed it since, for the same kind
// of section, and never for a block that was refused: each response still
// gets its own stream ID, the fields its bytes stand for now, every rule,
// and every insertion into the dynamic table.
func TestClientRepeatedHeaderBlock(t *testing.T) {
	p := newClientPeer(t, Config{})
	headers := func(id uint32, end bool, block string) {
		p.write(AppendHeaders(nil, HeadersParams{StreamID: id, BlockFragment: []byte(block), EndStream: end, EndHeaders: true}))
	}
	want := func(id uint32, fields ...string) {
		t.Helper()
		e, ok := p.rec.find("headers", id)
		if !ok || strings.Join(e.fields, ", ") != strings.Join(fields, ", ") {
			t.Fatalf("stream %d: got %v, want headers %q", id, p.rec.events, fields)
		}
	}
	for range 11 {
		p.open(true, getFields...)
	}
	p.read()
	p.in = nil
	const (
		status200 = "\x88"                   // indexed :status 200
		newest    = "\xbe"                   // indexed 62: the newest dynamic entry
		second    = "\xbf"                   // indexed 63: the one before
		insertOne = "\x40\x03x-a\x03one"     // x-a: one, with incremental indexing
		insertTwo = "\x40\x03x-a\x03two"     // x-a: two, with incremental indexing
		upperName = "\x00\x03X-A\x01v"       // X-A: v, without indexing: malformed
		plainName = "\x00\x03x-b\x01v"       // x-b: v, without indexing
		statusAgn = "\x00\x07:status\x03200" // a second :status, without indexing
	)
	headers(1, true, status200+insertOne)
	want(1, ":status: 200", "x-a: one")
	headers(3, true, status200+newest+plainName)
	want(3, ":status: 200", "x-a: one", "x-b: v")
	headers(5, true, status200+newest+plainName) // the same bytes again
	want(5, ":status: 200", "x-a: one", "x-b: v")
	headers(7, true, status200+insertTwo) // the context changes
	want(7, ":status: 200", "x-a: two")
	headers(9, true, status200+insertTwo) // the same bytes: inserted again
	want(9, ":status: 200", "x-a: two")
	headers(11, true, status200+second)
	want(11, ":status: 200", "x-a: two")
	headers(13, true, status200+newest+plainName) // index 62 is x-a: two now
	want(13, ":status: 200", "x-a: two", "x-b: v")

	// A refused block is refused again.
	headers(15, true, status200+upperName)
	p.wantRST(15, ErrCodeProtocol)
	headers(17, true, status200+upperName)
	p.wantRST(17, ErrCodeProtocol)

	// The same bytes as another kind of section: a response's :status is
	// not allowed in trailers, nor is a second :status.
	headers(19, false, status200)
	want(19, ":status: 200")
	headers(19, true, status200)
	p.wantRST(19, ErrCodeProtocol)
	headers(21, true, status200+statusAgn)
	p.wantRST(21, ErrCodeProtocol)
	p.wantOK()
}

// TestClientRepeatedRequestList: a request header list written again,
// field for field, once the encoder has indexed it, goes out as the same
// block without being checked and encoded again; a list that differs, an
// invalid one, or a change of the HPACK context (the peer shrinking the
// table) is checked and encoded afresh. The peer's decoder, which follows
// every block, sees the right fields throughout.
func TestClientRepeatedRequestList(t *testing.T) {
	p := newClientPeer(t, Config{})
	open := func(kv ...string) string {
		t.Helper()
		g := p.wantHeaders(p.open(true, kv...), true)
		var want []string
		for i := 0; i+1 < len(kv); i += 2 {
			want = append(want, kv[i]+": "+kv[i+1])
		}
		if strings.Join(g.fields, ", ") != strings.Join(want, ", ") {
			t.Fatalf("the peer decoded %q, want %q", g.fields, want)
		}
		return g.Body
	}
	one := append(getFields[:len(getFields):len(getFields)], "x-a", "one")
	two := append(getFields[:len(getFields):len(getFields)], "x-a", "two")
	first := open(one...) // inserts into the dynamic table
	second := open(one...)
	if first == second {
		t.Fatal("the first block inserted nothing")
	}
	if third := open(one...); third != second {
		t.Fatalf("the same list at the same context: block %q, then %q", second, third)
	}
	open(two...)
	open(one...)
	bad := append(getFields[:len(getFields):len(getFields)], "X-A", "one")
	if _, err := p.c.OpenStream(fieldList(bad...), true); err == nil {
		t.Fatal("an uppercase name was accepted")
	}
	open(one...)
	if _, err := p.c.OpenStream(fieldList(append(one, "connection", "close")...), true); err == nil {
		t.Fatal("a connection-specific field was accepted")
	}
	open(one...)
	id := p.open(false, one...)
	if err := p.c.WriteTrailers(id, fieldList(one...)); err == nil {
		t.Fatal("trailers with pseudo-header fields were accepted")
	}
	p.read()
	p.in = nil

	p.writeSettings(Setting{SettingHeaderTableSize, 0})
	p.wantFrame(FrameSettings, 0) // the ACK
	if b := open(one...); b[0]&0xe0 != 0x20 {
		t.Fatalf("no dynamic table size update at the start of %q", b)
	}
	after := open(one...)
	if again := open(one...); again != after || after[0]&0xe0 == 0x20 {
		t.Fatalf("blocks %q and %q after the size update", after, again)
	}
	p.wantOK()
}
