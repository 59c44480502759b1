package turbohttp

import (
	"crypto/tls"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"

	"turbohttp/h2"
)

// Malformed frames and header sections at the server level, each with the
// code RFC 9113 gives: a stream error resets the stream and the
// connection serves the next request; a connection error ends it with
// GOAWAY.

// bodyOK reads the request body and answers "ok".
func bodyOK(w ResponseWriter, r *Request) {
	io.Copy(io.Discard, r.Body)
	w.WriteString("ok")
}

func TestH2ServerMalformedStream(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(p *h2peer)
		code h2.ErrCode
	}{
		{"uppercase field name", func(p *h2peer) { p.writeHeaders(1, true, getReq("/", "X-Upper", "a")...) }, h2.ErrCodeProtocol},
		{"no :path", func(p *h2peer) {
			p.writeHeaders(1, true, ":method", "GET", ":scheme", "http", ":authority", "a")
		}, h2.ErrCodeProtocol},
		{"connection-specific field", func(p *h2peer) { p.writeHeaders(1, true, getReq("/", "connection", "keep-alive")...) }, h2.ErrCodeProtocol},
		{"te other than trailers", func(p *h2peer) { p.writeHeaders(1, true, getReq("/", "te", "gzip")...) }, h2.ErrCodeProtocol},
		{"pseudo-header after a regular field", func(p *h2peer) {
			p.writeHeaders(1, true, ":method", "GET", ":scheme", "http", "accept", "*/*", ":path", "/")
		}, h2.ErrCodeProtocol},
		{":status in a request", func(p *h2peer) { p.writeHeaders(1, true, getReq("/", ":status", "200")...) }, h2.ErrCodeProtocol},
		{"body shorter than content-length", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/", "content-length", "5")...)
			p.writeData(1, true, "abc")
		}, h2.ErrCodeProtocol},
		{"body longer than content-length", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/", "content-length", "2")...)
			p.writeData(1, true, "abc")
		}, h2.ErrCodeProtocol},
		{"WINDOW_UPDATE of 0 on a stream", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			p.write(h2.AppendFrame(nil, h2.FrameWindowUpdate, 0, 1, []byte{0, 0, 0, 0}))
		}, h2.ErrCodeProtocol},
		{"stream window overflow", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			p.write(h2.AppendWindowUpdate(nil, 1, h2.MaxWindowSize))
		}, h2.ErrCodeFlowControl},
		{"PRIORITY depending on its own stream", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			p.write(h2.AppendPriority(nil, 1, h2.PriorityParam{StreamDep: 1}))
		}, h2.ErrCodeProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, ln := h2cMemServer(t, HandlerFunc(bodyOK))
				p := dialH2(t, ln)
				tc.send(p)
				p.wantRST(1, tc.code)
				p.writeHeaders(3, true, getReq("/next")...)
				if _, body := p.wantResponse(3); body != "ok" {
					t.Errorf("next request: %q", body)
				}
			})
		})
	}
}

func TestH2ServerMalformedConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(p *h2peer)
		code h2.ErrCode
	}{
		{"DATA on stream 0", func(p *h2peer) { p.write(h2.AppendFrame(nil, h2.FrameData, 0, 0, []byte("x"))) }, h2.ErrCodeProtocol},
		{"HEADERS on an even stream", func(p *h2peer) { p.writeHeaders(2, true, getReq("/")...) }, h2.ErrCodeProtocol},
		{"stream IDs going down", func(p *h2peer) {
			p.writeHeaders(5, true, getReq("/")...)
			p.writeHeaders(3, true, getReq("/")...)
		}, h2.ErrCodeProtocol},
		{"SETTINGS of 5 bytes", func(p *h2peer) { p.write(h2.AppendFrame(nil, h2.FrameSettings, 0, 0, []byte{0, 2, 0, 0, 0})) }, h2.ErrCodeFrameSize},
		{"ENABLE_PUSH 2", func(p *h2peer) { p.write(h2.AppendSettings(nil, h2.Setting{ID: h2.SettingEnablePush, Val: 2})) }, h2.ErrCodeProtocol},
		{"INITIAL_WINDOW_SIZE over 2^31-1", func(p *h2peer) {
			p.write(h2.AppendSettings(nil, h2.Setting{ID: h2.SettingInitialWindowSize, Val: 1 << 31}))
		}, h2.ErrCodeFlowControl},
		{"PING of 7 bytes", func(p *h2peer) { p.write(h2.AppendFrame(nil, h2.FramePing, 0, 0, make([]byte, 7))) }, h2.ErrCodeFrameSize},
		{"WINDOW_UPDATE of 0 on the connection", func(p *h2peer) {
			p.write(h2.AppendFrame(nil, h2.FrameWindowUpdate, 0, 0, []byte{0, 0, 0, 0}))
		}, h2.ErrCodeProtocol},
		{"connection window overflow", func(p *h2peer) { p.write(h2.AppendWindowUpdate(nil, 0, h2.MaxWindowSize)) }, h2.ErrCodeFlowControl},
		{"frame over MAX_FRAME_SIZE", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			// the header alone: the server gives up before the payload
			p.write(h2.AppendFrameHeader(nil, h2.FrameHeader{Length: h2.DefaultMaxFrameSize + 1, Type: h2.FrameData, StreamID: 1}))
		}, h2.ErrCodeFrameSize},
		{"invalid HPACK index", func(p *h2peer) {
			p.write(h2.AppendHeaders(nil, h2.HeadersParams{StreamID: 1, BlockFragment: []byte{0xff, 0x7f}, EndStream: true, EndHeaders: true}))
		}, h2.ErrCodeCompression},
		{"CONTINUATION without HEADERS", func(p *h2peer) {
			p.write(h2.AppendContinuation(nil, 1, true, p.block(getReq("/")...)))
		}, h2.ErrCodeProtocol},
		{"PUSH_PROMISE from a client", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			p.write(h2.AppendPushPromise(nil, h2.PushPromiseParams{StreamID: 1, PromiseID: 2, BlockFragment: p.block(getReq("/")...), EndHeaders: true}))
		}, h2.ErrCodeProtocol},
		{"DATA beyond the connection window", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			for range 5 { // 80 KiB against a 64 KiB window
				p.writeData(1, false, strings.Repeat("x", 16<<10))
			}
		}, h2.ErrCodeFlowControl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) { <-release }), func(s *Server) {
					s.HTTP2 = &HTTP2Config{MaxReceiveBufferPerStream: 1 << 20, MaxReceiveBufferPerConnection: 64 << 10}
				})
				defer close(release)
				p := dialH2(t, ln)
				tc.send(p)
				p.wantGoAway(tc.code)
				p.wantClosed()
			})
		})
	}
}

// Each denial-of-service budget, exercised end to end: the abusive
// connection ends with ENHANCE_YOUR_CALM, the server allocates a bounded
// amount for it, another connection is served meanwhile, and the synctest
// bubble proves no goroutine is left behind.
func TestH2ServerDoSBudgets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flood func(p *h2peer)
	}{
		{"rapid reset", func(p *h2peer) {
			for id := uint32(1); id < 2000; id += 2 {
				p.writeHeaders(id, false, postReq("/")...)
				p.writeRST(id, h2.ErrCodeCancel)
			}
		}},
		{"MadeYouReset", func(p *h2peer) {
			for id := uint32(1); id < 2000; id += 2 {
				p.writeHeaders(id, false, postReq("/")...)
				p.write(h2.AppendFrame(nil, h2.FrameWindowUpdate, 0, id, []byte{0, 0, 0, 0}))
			}
		}},
		{"PING flood", func(p *h2peer) {
			b := []byte{}
			for range 1100 {
				b = h2.AppendPing(b, false, [8]byte{})
			}
			p.write(b)
		}},
		{"SETTINGS flood", func(p *h2peer) {
			b := []byte{}
			for range 1100 {
				b = h2.AppendSettings(b)
			}
			p.write(b)
		}},
		{"empty DATA flood", func(p *h2peer) {
			p.writeHeaders(1, false, postReq("/")...)
			b := []byte{}
			for range 1100 {
				b = h2.AppendData(b, 1, false, nil)
			}
			p.write(b)
		}},
		{"CONTINUATION flood", func(p *h2peer) {
			p.write(h2.AppendHeaders(nil, h2.HeadersParams{StreamID: 1, BlockFragment: p.block(getReq("/")...)}))
			for range 1000 {
				p.write(h2.AppendContinuation(nil, 1, false, []byte{0x40, 1, 'a', 1, 'b'}))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, ln := h2cMemServer(t, HandlerFunc(bodyOK))
				other := dialH2(t, ln)
				p := dialH2(t, ln)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				done := make(chan struct{})
				go func() {
					defer close(done)
					// the server stops reading once it has given up: the
					// rest of the flood cannot be written
					defer func() { recover() }()
					tc.flood(&h2peer{t: &quietTB{TB: t}, c: p.c, enc: p.enc})
				}()
				p.wantGoAway(h2.ErrCodeEnhanceYourCalm)
				p.wantClosed()
				<-done
				runtime.ReadMemStats(&after)
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
					t.Errorf("the flood made the server allocate %d bytes", alloc)
				}
				other.writeHeaders(1, true, getReq("/")...)
				if _, body := other.wantResponse(1); body != "ok" {
					t.Errorf("the other connection got %q", body)
				}
			})
		})
	}
}

// quietTB turns the failures of a flood's writes (the server closed the
// connection, as it should) into a panic the flood goroutine recovers.
type quietTB struct{ testing.TB }

func (q *quietTB) Fatalf(string, ...any) { panic("write failed") }
func (q *quietTB) Helper()               {}

// A client that does not read cannot make the server hold more than its
// output budget: the handler's writes block, the reader stops, and the
// memory stays bounded while the client stalls.
func TestH2ServerSlowReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wrote := make(chan int64, 1)
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			chunk := make([]byte, 64<<10)
			var n int64
			defer func() { wrote <- n }()
			for range 1024 { // 64 MiB
				if _, err := w.Write(chunk); err != nil {
					return
				}
				n += int64(len(chunk))
			}
		}))
		p := dialH2(t, ln, h2.Setting{ID: h2.SettingInitialWindowSize, Val: h2.MaxWindowSize})
		p.write(h2.AppendWindowUpdate(nil, 0, h2.MaxWindowSize-h2.DefaultInitialWindowSize))
		p.writeHeaders(1, true, getReq("/")...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		synctest.Wait() // everyone blocked: the client reads nothing
		runtime.ReadMemStats(&after)
		if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2<<20 {
			t.Errorf("a stalled client made the heap grow by %d bytes", grown)
		}
		p.c.Close()
		if n := <-wrote; n >= 64<<20 {
			t.Errorf("the handler wrote all %d bytes to a client that reads nothing", n)
		}
	})
}

// Over TLS, HTTP/2 needs TLS 1.2 or later with a cipher suite off the
// block list of RFC 9113 Appendix A: a connection that negotiated a
// blocked suite gets GOAWAY(INADEQUATE_SECURITY).
func TestH2ServerTLSBadCipher(t *testing.T) {
	noLeaks(t)
	cert, clientCfg := testTLS(t)
	blocked := tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	if !h2.BadCipherSuite(blocked) {
		t.Fatal("the suite is not on the block list")
	}
	srv := &Server{Handler: HandlerFunc(hello), TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert},
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{blocked},
	}}
	addr := serveTLSOn(t, srv)
	clientCfg.NextProtos = []string{"h2"}
	clientCfg.CipherSuites = []uint16{blocked}
	c, err := tls.Dial("tcp", addr, clientCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("negotiated %q", p)
	}
	p := &h2peer{t: t, c: c, fr: h2.NewFramer(c, nil), windowUpdates: map[uint32]uint32{}}
	p.wantGoAway(h2.ErrCodeInadequateSecurity)
	p.wantClosed()
}
