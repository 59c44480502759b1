package h2

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"turbohttp/hpack"
)

func TestServerRequestEvent(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com:8443", ":path", "/up?x=1",
		"cookie", "a=1", "content-length", "5", "x-other", "v", "cookie", "b=2")
	e, ok := p.rec.find("headers", 1)
	if !ok {
		t.Fatal("no headers event")
	}
	want := []string{":method: POST", ":scheme: https", ":authority: example.com:8443", ":path: /up?x=1",
		"cookie: a=1; b=2", "content-length: 5", "x-other: v"}
	if strings.Join(e.fields, "|") != strings.Join(want, "|") || e.endStream {
		t.Fatalf("event %v, want fields %q", e, want)
	}
	p.writeData(1, false, "he")
	p.writeData(1, true, "llo")
	var body string
	for _, e := range p.rec.events {
		if e.kind == "data" {
			body += e.data
		}
	}
	if body != "hello" {
		t.Fatalf("body %q", body)
	}
	p.respond(1, "200", "ok")
	p.wantHeaders(1, false, ":status", "200")
	p.wantData(1, "ok", true)
	p.wantOK()
}

func TestServerConnect(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, false, ":method", "CONNECT", ":authority", "example.com:443")
	if e, ok := p.rec.find("headers", 1); !ok || e.fields[1] != ":authority: example.com:443" {
		t.Fatalf("CONNECT not delivered: %v", p.rec.events)
	}
	p.writeHeaders(3, false, ":method", "CONNECT", ":authority", "example.com:443", ":path", "/")
	p.wantRST(3, ErrCodeProtocol)
	p.writeHeaders(5, false, ":method", "CONNECT", ":scheme", "https")
	p.wantRST(5, ErrCodeProtocol)
}

// TestMalformedHeaders: every rule of RFC 9113 §8.2–8.3 on a request, each
// a stream error PROTOCOL_ERROR that leaves the connection usable.
func TestMalformedHeaders(t *testing.T) {
	cases := map[string][]string{
		"uppercase":                  append(get("/"), "X-A", "b"),
		"space in name":              append(get("/"), "x a", "b"),
		"colon in name":              append(get("/"), "x:a", "b"),
		"NUL in value":               append(get("/"), "x", "a\x00b"),
		"LF in value":                append(get("/"), "x", "a\nb"),
		"leading space":              append(get("/"), "x", " b"),
		"trailing tab":               append(get("/"), "x", "b\t"),
		"keep-alive":                 append(get("/"), "keep-alive", "1"),
		"transfer-encoding":          append(get("/"), "transfer-encoding", "chunked"),
		"upgrade":                    append(get("/"), "upgrade", "h2c"),
		"proxy-connection":           append(get("/"), "proxy-connection", "close"),
		"te gzip":                    append(get("/"), "te", "gzip"),
		"two content-length":         append(get("/"), "content-length", "1", "content-length", "2"),
		"bad content-length":         append(get("/"), "content-length", "1x"),
		":protocol":                  append(get("/"), ":protocol", "websocket"),
		"path without slash":         {":method", "GET", ":scheme", "https", ":path", "x"},
		"star not OPTIONS":           {":method", "GET", ":scheme", "https", ":path", "*"},
		"empty method":               {":method", "", ":scheme", "https", ":path", "/"},
		"content-length but no body": append(get("/"), "content-length", "3"),
	}
	for name, fields := range cases {
		t.Run(name, func(t *testing.T) {
			p := newServerPeer(t, Config{})
			p.writeHeaders(1, true, fields...)
			p.wantRST(1, ErrCodeProtocol)
			for _, e := range p.rec.events {
				if e.stream == 1 {
					t.Fatalf("event %v for the malformed request", e)
				}
			}
			p.wantOK()
		})
	}
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, ":method", "OPTIONS", ":scheme", "https", ":path", "*")
	if _, ok := p.rec.find("headers", 1); !ok {
		t.Fatal("OPTIONS * refused")
	}
}

func TestHeaderListTooLarge431(t *testing.T) {
	p := newServerPeer(t, Config{MaxHeaderListSize: 1024})
	p.writeHeaders(1, false, append(post("/"), "x-big", strings.Repeat("a", 2000))...)
	p.wantHeaders(1, true, ":status", "431")
	p.wantRST(1, ErrCodeNo)
	// The HPACK context survived: the next request decodes.
	p.writeHeaders(3, true, get("/")...)
	if _, ok := p.rec.find("headers", 3); !ok {
		t.Fatal("next request lost")
	}
	p.wantOK()
}

// TestHPACKBomb: a small block that references a large table entry many
// times is bounded by MaxHeaderListSize without being built.
func TestHPACKBomb(t *testing.T) {
	p := newServerPeer(t, Config{})
	block := p.block(append(get("/"), "x-bomb", strings.Repeat("b", 2500))...)
	for range 2000 {
		block = append(block, 0xbe) // index 62: the x-bomb entry
	}
	p.writeBlock(block)
	p.wantHeaders(1, true, ":status", "431")
	p.wantOK()
}

func TestContinuationFlood(t *testing.T) {
	p := newServerPeer(t, Config{MaxContinuationFrames: 4})
	p.write(p.getHeaders(1, true, false))
	for range 5 {
		p.write(AppendContinuation(nil, 1, false, []byte("\x00")))
	}
	p.wantGoAway(ErrCodeEnhanceYourCalm)

	p = newServerPeer(t, Config{MaxHeaderBlockBytes: 1000})
	p.write(p.getHeaders(1, true, false))
	p.write(AppendContinuation(nil, 1, false, make([]byte, 600)))
	p.write(AppendContinuation(nil, 1, false, make([]byte, 600)))
	p.wantGoAway(ErrCodeEnhanceYourCalm)
	if cap(p.c.hb) > 4096 {
		t.Fatalf("header block buffer grew to %d", cap(p.c.hb))
	}
}

func TestRapidReset(t *testing.T) {
	p := newServerPeer(t, Config{MaxResets: 10})
	for i := range 11 {
		id := uint32(2*i + 1)
		p.writeHeaders(id, false, post("/")...)
		p.writeRST(id, ErrCodeCancel)
	}
	p.wantGoAway(ErrCodeEnhanceYourCalm)
}

// TestResetBudgetEarnedBack: streams completed normally earn the budget
// back, so a long-lived connection that cancels now and then lives on.
func TestResetBudgetEarnedBack(t *testing.T) {
	p := newServerPeer(t, Config{MaxResets: 2})
	p.rec.respondBody = "ok"
	for i := range 50 {
		id := uint32(4*i + 1)
		p.writeHeaders(id, false, post("/")...)
		p.writeRST(id, ErrCodeCancel)
		p.writeHeaders(id+2, true, get("/")...)
		p.read()
	}
	p.wantOK()
}

// TestMadeYouReset: frames that make the server reset streams (here
// WINDOW_UPDATE overflows) spend the same budget.
func TestMadeYouReset(t *testing.T) {
	p := newServerPeer(t, Config{MaxResets: 5})
	for i := range 6 {
		id := uint32(2*i + 1)
		p.writeHeaders(id, false, post("/")...)
		p.writeWindowUpdate(id, MaxWindowSize)
	}
	p.wantGoAway(ErrCodeEnhanceYourCalm)
}

// Empty DATA frames on a stream the engine reset are ignored, as late
// frames are, but still counted: they cost the peer nothing.
func TestEmptyDataOnResetStreamFlood(t *testing.T) {
	p := newServerPeer(t, Config{MaxIdleFrames: 20})
	p.writeHeaders(1, false, post("/")...)
	p.c.Reset(1, ErrCodeCancel)
	p.read()
	p.writeData(1, false, "late") // ignored, and not an idle frame
	for range 20 {
		p.writeData(1, false, "")
	}
	if p.err != nil {
		t.Fatalf("calm within the budget: %v", p.err)
	}
	p.writeData(1, false, "")
	p.wantGoAway(ErrCodeEnhanceYourCalm)
}

func TestIdleFrameFloods(t *testing.T) {
	floods := map[string]func(p *peer, i int){
		"PING":          func(p *peer, i int) { p.writePing(false, "12345678") },
		"SETTINGS":      func(p *peer, i int) { p.writeSettings() },
		"PRIORITY":      func(p *peer, i int) { p.write(AppendPriority(nil, 1, PriorityParam{Weight: 1})) },
		"WINDOW_UPDATE": func(p *peer, i int) { p.writeWindowUpdate(0, 1) },
		"unknown":       func(p *peer, i int) { p.writeFrame(0x42, 0, 0, "") },
		"empty DATA":    func(p *peer, i int) { p.writeData(1, false, "") },
		"PRIORITY_UPDATE": func(p *peer, i int) {
			p.write(AppendPriorityUpdate(nil, 1, []byte("u=1")))
		},
	}
	for name, send := range floods {
		t.Run(name, func(t *testing.T) {
			p := newServerPeer(t, Config{MaxIdleFrames: 20})
			p.writeHeaders(1, false, post("/")...)
			for i := range 20 {
				send(p, i)
				p.read() // a peer that reads the answers
			}
			if p.err != nil {
				t.Fatalf("calm within the budget: %v", p.err)
			}
			p.writeData(1, false, "x") // progress restarts the count
			for i := range 20 {
				send(p, i)
			}
			if p.err != nil {
				t.Fatalf("the count did not restart: %v", p.err)
			}
			send(p, 0)
			p.wantGoAway(ErrCodeEnhanceYourCalm)
		})
	}
}

// TestControlQueueBound: a peer that sends PINGs but never reads the acks
// is stopped once MaxControlQueue bytes of answers are queued.
func TestControlQueueBound(t *testing.T) {
	p := newServerPeer(t, Config{MaxControlQueue: 17 * 50, MaxIdleFrames: 1 << 20})
	for range 50 {
		p.writePing(false, "12345678")
	}
	if p.err != nil {
		t.Fatalf("failed early: %v", p.err)
	}
	p.writePing(false, "12345678")
	var ce ConnError
	if !errors.As(p.err, &ce) || ce.Code != ErrCodeEnhanceYourCalm {
		t.Fatalf("err %v", p.err)
	}
}

// TestPingFirst: a PING is answered ahead of HEADERS and DATA already
// queued.
func TestPingFirst(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, get("/")...)
	p.respond(1, "200", "body")
	p.writePing(false, "pingpong")
	g := p.wantFrame(FramePing, 0)
	if !g.Ack {
		t.Fatal("not an ack")
	}
	p.wantHeaders(1, false, ":status", "200")
	p.wantData(1, "body", true)
}

// TestRoundRobin: DATA of several streams is interleaved frame by frame.
func TestRoundRobin(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeWindowUpdate(0, 1<<20)
	big := strings.Repeat("a", 2*DefaultMaxFrameSize)
	for _, id := range []uint32{1, 3} {
		p.writeHeaders(id, true, get("/")...)
		if err := p.c.WriteHeaders(id, fieldList(":status", "200"), false); err != nil {
			t.Fatal(err)
		}
		if n, _ := p.c.WriteData(id, []byte(big), true); n != len(big) {
			t.Fatalf("WriteData took %d", n)
		}
	}
	p.wantFrame(FrameHeaders, 1)
	p.wantFrame(FrameHeaders, 3)
	for _, id := range []uint32{1, 3, 1, 3} {
		p.wantFrame(FrameData, id)
	}
}

// TestSendFlowControl: WriteData never exceeds the peer's windows, and
// resumes when they open.
func TestSendFlowControl(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeSettings(Setting{SettingInitialWindowSize, 10})
	settingsAcked(p)
	p.writeHeaders(1, true, get("/")...)
	p.c.WriteHeaders(1, fieldList(":status", "200"), false)
	n, err := p.c.WriteData(1, []byte("0123456789abcdef"), true)
	if n != 10 || err != nil {
		t.Fatalf("WriteData = %d, %v; want 10", n, err)
	}
	if w := p.c.Writable(1); w != 0 {
		t.Fatalf("Writable = %d", w)
	}
	p.wantHeaders(1, false)
	p.wantData(1, "0123456789", false)
	p.writeWindowUpdate(1, 100)
	if _, ok := p.rec.find("window", 1); !ok {
		t.Fatal("no OnWindowOpened")
	}
	if n, _ := p.c.WriteData(1, []byte("abcdef"), true); n != 6 {
		t.Fatalf("WriteData = %d", n)
	}
	p.wantData(1, "abcdef", true)
}

// TestConnectionSendWindow: the connection window bounds all streams.
func TestConnectionSendWindow(t *testing.T) {
	p := newServerPeer(t, Config{})
	body := make([]byte, 40000)
	took := 0
	for _, id := range []uint32{1, 3} {
		p.writeHeaders(id, true, get("/")...)
		p.c.WriteHeaders(id, fieldList(":status", "200"), false)
		n, _ := p.c.WriteData(id, body, false)
		took += n
		p.read()
	}
	if took != DefaultInitialWindowSize {
		t.Fatalf("took %d, want the connection window %d", took, DefaultInitialWindowSize)
	}
	p.writeWindowUpdate(0, 1000)
	if _, ok := p.rec.find("window", 0); !ok {
		t.Fatal("no OnWindowOpened(0)")
	}
}

// TestReceiveWindowUpdates: WINDOW_UPDATE is sent once half a window is
// consumed, not per DATA frame, and DATA beyond the window is refused.
func TestReceiveWindowUpdates(t *testing.T) {
	p := newServerPeer(t, Config{StreamWindow: 100, ConnWindow: 1 << 20})
	p.rec.consume = true
	p.writeHeaders(1, false, post("/")...)
	for range 4 {
		p.writeData(1, false, strings.Repeat("x", 10))
	}
	p.wantNoFrame()
	p.writeData(1, false, strings.Repeat("x", 10))
	g := p.wantFrame(FrameWindowUpdate, 1)
	if g.ID != 50 {
		t.Fatalf("increment %d, want 50", g.ID)
	}
	p.rec.consume = false
	p.writeData(1, false, strings.Repeat("x", 100)) // window is 100: fine
	p.writeData(1, false, "x")                      // over
	p.wantRST(1, ErrCodeFlowControl)
}

// TestConnWindowOverflow: DATA beyond the connection window is a
// connection error, even on a stream the engine reset.
func TestConnWindowOverflow(t *testing.T) {
	p := newServerPeer(t, Config{ConnWindow: 1 << 16, StreamWindow: MaxWindowSize})
	p.writeHeaders(1, false, post("/")...)
	for range 4 {
		p.writeData(1, false, strings.Repeat("x", 16384))
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	p.writeData(1, false, "x")
	p.wantGoAway(ErrCodeFlowControl)
}

// TestDataOnResetStreamCredited: DATA that arrives after we reset a stream
// is ignored but still returned to the connection window.
func TestDataOnResetStreamCredited(t *testing.T) {
	p := newServerPeer(t, Config{ConnWindow: 1 << 16})
	p.writeHeaders(1, false, post("/")...)
	p.c.Reset(1, ErrCodeCancel)
	p.wantRST(1, ErrCodeCancel)
	for range 3 {
		p.writeData(1, false, strings.Repeat("x", 16000))
	}
	g := p.wantFrame(FrameWindowUpdate, 0)
	if g.ID < 32768 {
		t.Fatalf("increment %d", g.ID)
	}
	p.wantOK()
}

// TestUnreadBodyReset: a complete response to a request whose body was
// not read is followed by RST_STREAM(NO_ERROR) (RFC 9113 §8.1).
func TestUnreadBodyReset(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, false, post("/")...)
	p.respond(1, "200", "done")
	p.c.Reset(1, ErrCodeNo)
	p.wantHeaders(1, false, ":status", "200")
	p.wantData(1, "done", true)
	p.wantRST(1, ErrCodeNo)
	p.writeData(1, true, "late") // ignored
	p.wantOK()
}

// TestClosedStreamMemory: only MaxClosedStreams closed streams are
// remembered; a late frame on an older one is ignored but counted, and a
// stream ID that was skipped is still told from one forgotten.
func TestClosedStreamMemory(t *testing.T) {
	p := newServerPeer(t, Config{MaxClosedStreams: 2, MaxIdleFrames: 3})
	for _, id := range []uint32{1, 3, 7} {
		p.writeHeaders(id, false, post("/")...)
		p.c.Reset(id, ErrCodeCancel)
	}
	p.read()
	p.in = nil
	p.writeData(7, true, "x") // remembered, reset by us: ignored
	p.writeData(1, true, "x") // forgotten: ignored too
	p.writeHeaders(1, true, "x-late", "trailer")
	p.wantNoFrame()
	if len(p.c.closed.ids) != 2 {
		t.Fatal("closed memory grew")
	}
	p.writeHeaders(5, true, get("/")...) // skipped by 7: never opened
	p.wantGoAway(ErrCodeProtocol)

	p = newServerPeer(t, Config{MaxClosedStreams: 2, MaxIdleFrames: 3})
	for _, id := range []uint32{1, 3, 5} {
		p.writeHeaders(id, false, post("/")...)
		p.c.Reset(id, ErrCodeCancel)
	}
	for range 4 {
		p.writeData(1, false, "x")
	}
	p.wantGoAway(ErrCodeEnhanceYourCalm)
}

func TestSettingsTimeout(t *testing.T) {
	p := newPeer(t, Server, Config{SettingsTimeout: time.Second})
	p.c.AppendOutput(nil)
	t0 := time.Unix(1000, 0)
	next, err := p.c.Tick(t0)
	if err != nil || !next.Equal(t0.Add(time.Second)) {
		t.Fatalf("Tick = %v, %v", next, err)
	}
	if _, err := p.c.Tick(t0.Add(999 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err = p.c.Tick(t0.Add(time.Second))
	p.err = err
	p.wantGoAway(ErrCodeSettingsTimeout)

	p = newServerPeer(t, Config{SettingsTimeout: time.Second}) // acked in the handshake
	if next, err := p.c.Tick(t0.Add(time.Hour)); err != nil || !next.IsZero() {
		t.Fatalf("Tick after the ack = %v, %v", next, err)
	}
}

// TestGracefulShutdown: GOAWAY(2^31-1) and PING, then, on the ack, GOAWAY
// with the last stream accepted; streams opened meanwhile are served.
func TestGracefulShutdown(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.rec.respondBody = "ok"
	p.writeHeaders(1, false, post("/")...)
	p.c.Shutdown()
	g := p.wantFrame(FrameGoAway, 0)
	if g.ID != MaxStreamID || g.Code != ErrCodeNo {
		t.Fatalf("first GOAWAY %v", g)
	}
	ping := p.wantFrame(FramePing, 0)
	p.writeHeaders(3, true, get("/")...) // in flight before the GOAWAY arrived
	responds(3)(p)
	p.in = nil
	p.write(AppendPing(nil, true, ping.Ping))
	g = p.wantFrame(FrameGoAway, 0)
	if g.ID != 3 {
		t.Fatalf("final GOAWAY last stream %d, want 3", g.ID)
	}
	p.writeHeaders(5, true, get("/")...) // after: ignored
	if _, ok := p.rec.find("headers", 5); ok {
		t.Fatal("stream 5 accepted after GOAWAY")
	}
	if p.c.Done() {
		t.Fatal("Done with stream 1 open")
	}
	p.writeData(1, true, "")
	p.read()
	if !p.c.Done() {
		t.Fatal("not Done after the last stream")
	}
}

func TestAbort(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.err = p.c.Abort(ErrCodeInadequateSecurity, "TLS_RSA_WITH_AES_128_CBC_SHA")
	p.wantGoAway(ErrCodeInadequateSecurity)
	if err := p.c.Feed([]byte{0}); err != p.err {
		t.Fatalf("Feed after Abort = %v", err)
	}
	if _, err := p.c.WriteData(1, nil, true); err != ErrConnClosed {
		t.Fatalf("WriteData after Abort = %v", err)
	}
}

func TestBadCipherSuite(t *testing.T) {
	for suite, bad := range map[uint16]bool{
		0x0000: true,  // TLS_NULL_WITH_NULL_NULL
		0x002f: true,  // TLS_RSA_WITH_AES_128_CBC_SHA
		0x009c: true,  // TLS_RSA_WITH_AES_128_GCM_SHA256: no ephemeral key
		0xc013: true,  // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: not AEAD
		0xc02f: false, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
		0xcca8: false, // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
		0x1301: false, // TLS_AES_128_GCM_SHA256 (TLS 1.3)
	} {
		if BadCipherSuite(suite) != bad {
			t.Errorf("BadCipherSuite(%#04x) = %v", suite, !bad)
		}
	}
}

// TestPeerHeaderTableSize: the peer's SETTINGS_HEADER_TABLE_SIZE shrinks
// our encoder's table, announced at the start of the first block after
// the ACK; a block encoded before stays ahead of the ACK.
func TestPeerHeaderTableSize(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, get("/")...)
	p.writeHeaders(3, true, get("/")...)
	p.c.WriteHeaders(1, fieldList(":status", "200", "x-long", strings.Repeat("v", 100)), true)
	p.writeSettings(Setting{SettingHeaderTableSize, 0})
	p.c.WriteHeaders(3, fieldList(":status", "200", "x-long", strings.Repeat("v", 100)), true)
	out := p.c.AppendOutput(nil)
	// Order: HEADERS 1, SETTINGS ACK, HEADERS 3 starting with a size update.
	fr := NewFramer(bytes.NewReader(out), nil)
	var types []FrameType
	var block3 []byte
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		types = append(types, f.Header().Type)
		if hf, ok := f.(*HeadersFrame); ok && hf.StreamID == 3 {
			block3 = append([]byte(nil), hf.HeaderBlock()...)
		}
	}
	if len(types) != 3 || types[0] != FrameHeaders || types[1] != FrameSettings || types[2] != FrameHeaders {
		t.Fatalf("frames %v", types)
	}
	if len(block3) == 0 || block3[0] != 0x20 {
		t.Fatalf("block of stream 3 does not start with a size update to 0: % x", block3)
	}
}

// TestOurHeaderTableSizeAfterAck: the decoder's table limit is ours only
// once the peer acknowledged it.
func TestDecoderTableLimitAfterAck(t *testing.T) {
	p := newServerPeer(t, Config{})
	if _, max := p.c.dec.DynamicTableSize(); max != hpack.DefaultDynamicTableSize {
		t.Fatalf("decoder table %d", max)
	}
}

func TestSplitEveryByte(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.split = 1
	p.rec.respondBody = "ok"
	p.writeHeaders(1, false, post("/", "content-length", "3")...)
	p.write(AppendDataPadded(nil, 1, true, []byte("abc"), 4))
	p.wantHeaders(1, false, ":status", "200")
	p.wantData(1, "ok", true)
	p.wantOK()
}

// TestMaxConcurrentStreamsFreed: a closed stream frees its slot.
func TestMaxConcurrentStreamsFreed(t *testing.T) {
	p := newServerPeer(t, Config{MaxConcurrentStreams: 1})
	p.writeHeaders(1, true, get("/")...)
	p.writeHeaders(3, true, get("/")...)
	p.wantRST(3, ErrCodeRefusedStream)
	p.respond(1, "204", "")
	p.writeHeaders(5, true, get("/")...)
	if _, ok := p.rec.find("headers", 5); !ok {
		t.Fatal("slot not freed")
	}
}

func TestWriteValidation(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, get("/")...)
	bad := [][]Field{
		fieldList("x", "y"),
		fieldList(":status", "2000"),
		fieldList(":status", "101"),
		fieldList(":status", "200", "Upper", "x"),
		fieldList(":status", "200", "connection", "close"),
		fieldList(":status", "200", "x", "a\r\nb"),
		fieldList("x", "y", ":status", "200"),
		fieldList(":status", "200", ":path", "/"),
	}
	for _, f := range bad {
		var fe *FieldError
		if err := p.c.WriteHeaders(1, f, true); !errors.As(err, &fe) {
			t.Errorf("WriteHeaders(%q) = %v, want a FieldError", f, err)
		}
	}
	if _, err := p.c.WriteData(1, []byte("x"), true); err != ErrHeadersBeforeData {
		t.Errorf("WriteData before HEADERS = %v", err)
	}
	if err := p.c.WriteHeaders(1, fieldList(":status", "100"), true); err == nil {
		t.Error("1xx with END_STREAM accepted")
	}
	if err := p.c.WriteHeaders(1, fieldList(":status", "103", "link", "</a>"), false); err != nil {
		t.Fatal(err)
	}
	if err := p.c.WriteHeaders(1, fieldList(":status", "200"), false); err != nil {
		t.Fatal(err)
	}
	if err := p.c.WriteTrailers(1, fieldList("x-checksum", "1")); err != nil {
		t.Fatal(err)
	}
	p.wantHeaders(1, false, ":status", "103")
	p.wantHeaders(1, false, ":status", "200")
	p.wantHeaders(1, true, "x-checksum", "1")
	if _, err := p.c.WriteData(1, []byte("x"), false); err != ErrStreamClosed {
		t.Errorf("WriteData after the end = %v", err)
	}
	if _, err := p.c.OpenStream(fieldList(":method", "GET"), true); err != ErrWrongRole {
		t.Errorf("OpenStream on a server = %v", err)
	}
}

// TestTrailersAfterQueuedData: trailers written while DATA is queued go
// out after that DATA.
func TestTrailersAfterQueuedData(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, get("/")...)
	p.c.WriteHeaders(1, fieldList(":status", "200"), false)
	p.c.WriteData(1, []byte("body"), false)
	p.c.WriteTrailers(1, fieldList("x-t", "v"))
	p.wantHeaders(1, false, ":status", "200")
	p.wantData(1, "body", false)
	p.wantHeaders(1, true, "x-t", "v")
}

// TestConsumedClamped: Consumed never returns more than was received.
func TestConsumedClamped(t *testing.T) {
	p := newServerPeer(t, Config{StreamWindow: 100, ConnWindow: 1 << 16})
	p.writeHeaders(1, false, post("/")...)
	p.writeData(1, false, strings.Repeat("x", 10))
	p.c.Consumed(1, 1<<30)
	p.c.Consumed(3, 1<<30) // a stream that never was
	p.wantNoFrame()        // 10 bytes owed: below half of either window
	p.writeData(1, false, strings.Repeat("x", 50))
	p.c.Consumed(1, 50)
	g := p.wantFrame(FrameWindowUpdate, 1)
	if g.ID != 60 {
		t.Fatalf("increment %d, want 60", g.ID)
	}
}

// TestOutputPending counts what AppendOutput would take.
func TestOutputPending(t *testing.T) {
	p := newServerPeer(t, Config{})
	if n := p.c.OutputPending(); n != 0 {
		t.Fatalf("pending %d", n)
	}
	p.writeHeaders(1, true, get("/")...)
	p.respond(1, "200", "hello")
	n := p.c.OutputPending()
	if out := p.c.AppendOutput(nil); len(out) < n || n < 5 {
		t.Fatalf("pending %d, output %d", n, len(out))
	}
	if n := p.c.OutputPending(); n != 0 {
		t.Fatalf("pending %d after AppendOutput", n)
	}
}

// An END_STREAM queued with no data (WriteData with none) is pending
// output: an owner that flushes while OutputPending is positive sends it.
func TestOutputPendingEmptyEndStream(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, true, get("/")...)
	if err := p.c.WriteHeaders(1, fieldList(":status", "200"), false); err != nil {
		t.Fatal(err)
	}
	p.c.AppendOutput(nil)
	if n, err := p.c.WriteData(1, nil, true); n != 0 || err != nil {
		t.Fatalf("WriteData: %d, %v", n, err)
	}
	if n := p.c.OutputPending(); n == 0 {
		t.Fatal("an empty END_STREAM DATA frame is not counted as pending")
	}
	out := p.c.AppendOutput(nil)
	if len(out) != FrameHeaderLen || FrameType(out[3]) != FrameData || Flags(out[4])&FlagDataEndStream == 0 {
		t.Fatalf("output %x, want an empty DATA frame with END_STREAM", out)
	}
	if n := p.c.OutputPending(); n != 0 {
		t.Fatalf("pending %d after AppendOutput", n)
	}
}

func TestMaxHeaderFields(t *testing.T) {
	p := newServerPeer(t, Config{MaxHeaderFields: 10})
	fields := get("/")
	for range 7 {
		fields = append(fields, "x-f", "v")
	}
	p.writeHeaders(1, true, fields...)
	p.wantHeaders(1, true, ":status", "431")
	p.writeHeaders(3, true, get("/")...)
	if _, ok := p.rec.find("headers", 3); !ok {
		t.Fatal("next request lost")
	}
}

func TestConnMaxReadFrameSize(t *testing.T) {
	p := newPeer(t, Server, Config{MaxReadFrameSize: 1 << 20})
	p.write([]byte(ClientPreface))
	p.writeSettings()
	g := p.wantFrame(FrameSettings, 0)
	found := false
	for _, s := range g.Settings {
		found = found || s == Setting{SettingMaxFrameSize, 1 << 20}
	}
	if !found {
		t.Fatalf("SETTINGS %v lack MAX_FRAME_SIZE", g.Settings)
	}
	p.writeSettingsAck()
	p.writeHeaders(1, false, post("/")...)
	p.writeData(1, false, strings.Repeat("x", 1<<20))
	if p.err != nil {
		t.Fatal(p.err)
	}
	p.writeData(1, false, strings.Repeat("x", 1<<20+1))
	p.wantGoAway(ErrCodeFrameSize)
}

func TestMaxStreamSendQueue(t *testing.T) {
	p := newServerPeer(t, Config{MaxStreamSendQueue: 1000})
	p.writeHeaders(1, true, get("/")...)
	p.c.WriteHeaders(1, fieldList(":status", "200"), false)
	if n, _ := p.c.WriteData(1, make([]byte, 5000), false); n != 1000 {
		t.Fatalf("WriteData took %d, want the queue limit 1000", n)
	}
	if n, _ := p.c.WriteData(1, make([]byte, 5000), false); n != 0 {
		t.Fatalf("WriteData took %d from a full queue", n)
	}
	p.read()
	if n := p.c.Writable(1); n != 1000 {
		t.Fatalf("Writable %d after AppendOutput", n)
	}
}

// TestInitialWindowOverflow: a SETTINGS_INITIAL_WINDOW_SIZE that pushes an
// open stream's window past 2^31-1 is a connection FLOW_CONTROL_ERROR
// (RFC 9113 §6.9.2).
func TestInitialWindowOverflow(t *testing.T) {
	p := newServerPeer(t, Config{})
	p.writeHeaders(1, false, post("/")...)
	p.writeWindowUpdate(1, MaxWindowSize-DefaultInitialWindowSize)
	p.writeSettings(Setting{SettingInitialWindowSize, DefaultInitialWindowSize + 1})
	p.wantGoAway(ErrCodeFlowControl)
}
