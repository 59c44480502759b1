package turbohttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h2"
)

// Server behaviour over HTTP/2, frame by frame, in synctest bubbles over
// in-memory connections (h2peer, server_h2harness_test.go).

func TestH2ServerGet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen string
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			seen = fmt.Sprintf("%s %d.%d host=%s uri=%s path=%s query=%s cookie=%q ua=%s cl=%d", r.Method, r.ProtoMajor, r.ProtoMinor,
				r.Host, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Header.Get("Cookie"), r.Header.Get("User-Agent"), r.ContentLength)
			_, isHijacker := w.(Hijacker)
			w.Header().Set("X-Hijacker", map[bool]string{true: "yes", false: "no"}[isHijacker])
			w.Header().Set("Connection", "close") // HTTP/1 only: left out
			w.WriteString("hello")
		}))
		p := dialH2(t, ln)
		p.writeHeaders(1, true, getReq("/a?b=c", "cookie", "x=1", "cookie", "y=2", "user-agent", "test")...)
		h, body := p.wantResponse(1)
		if h.get(":status") != "200" || body != "hello" || h.get("content-length") != "5" || h.get("content-type") != "text/plain; charset=utf-8" || h.get("date") == "" {
			t.Errorf("response %v %q", h.fields, body)
		}
		if h.get("connection") != "" || h.get("x-hijacker") != "no" {
			t.Errorf("fields %v", h.fields)
		}
		if want := `GET 2.0 host=example.com uri=/a?b=c path=/a query=b=c cookie="x=1; y=2" ua=test cl=0`; seen != want {
			t.Errorf("request\n%s\nwant\n%s", seen, want)
		}
	})
}

// A request body streams to the handler under flow control: the server
// returns credit only as the handler reads, in WINDOW_UPDATEs of half a
// window, never per frame.
func TestH2ServerRequestBodyFlowControl(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const window = 32 << 10
		read := make(chan int)
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			buf := make([]byte, 8<<10)
			total := 0
			for {
				<-read
				n, err := io.ReadFull(r.Body, buf)
				total += n
				if err != nil {
					break
				}
			}
			w.WriteString(strings.Repeat("x", total%100))
		}), func(s *Server) {
			s.HTTP2 = &HTTP2Config{MaxReceiveBufferPerStream: window, MaxReceiveBufferPerConnection: 2 * window}
		})
		p := dialH2(t, ln)
		p.writeHeaders(1, false, postReq("/up")...)
		p.writeData(1, false, strings.Repeat("a", 16<<10))
		p.writeData(1, false, strings.Repeat("a", 16<<10))
		synctest.Wait()
		if p.windowUpdates[1] != 0 {
			t.Fatalf("stream credit %d before the handler read", p.windowUpdates[1])
		}
		read <- 1 // 8 KiB read
		read <- 1 // 16 KiB: half the window, one WINDOW_UPDATE
		p.writeData(1, true, "tail")
		go func() {
			for range 3 { // 8 KiB twice, then the last 4 bytes and EOF
				read <- 1
			}
		}()
		h, body := p.wantResponse(1)
		if h.get(":status") != "200" || len(body) != (32<<10+4)%100 {
			t.Errorf("response %v %d", h.fields, len(body))
		}
		if got := p.windowUpdates[1]; got != 16<<10 {
			t.Errorf("stream credit %d, want one WINDOW_UPDATE of 16 KiB", got)
		}
	})
}

// Trailers both ways, 1xx responses and 100-continue.
func TestH2ServerTrailersAndInformational(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(StatusEarlyHints)
			w.Header().Del("Link")
			body, _ := io.ReadAll(r.Body)
			w.Trailer().Set("X-Sum", r.Trailer.Get("X-Client")+"/"+string(body))
			w.WriteString("body")
		}))
		p := dialH2(t, ln)
		p.writeHeaders(1, false, postReq("/", "expect", "100-continue")...)
		if h := p.wantHeaders(1); h.get(":status") != "103" || h.get("link") == "" {
			t.Fatalf("first %v", h.fields)
		}
		if h := p.wantHeaders(1); h.get(":status") != "100" {
			t.Fatalf("second %v", h.fields)
		}
		p.writeData(1, false, "up")
		p.writeHeaders(1, true, "x-client", "t")
		h := p.wantHeaders(1)
		if h.get(":status") != "200" || h.end || h.get("content-length") != "" {
			t.Fatalf("head %v", h.fields)
		}
		f := p.next()
		if df, ok := f.(*h2.DataFrame); !ok || string(df.Data()) != "body" || df.EndStream() {
			t.Fatalf("got %v", describe(f))
		}
		tr := p.wantHeaders(1)
		if !tr.end || tr.get("x-sum") != "t/up" {
			t.Errorf("trailers %v", tr.fields)
		}
	})
}

// RST_STREAM from the client cancels the handler's context and fails its
// body reads; the connection goes on.
func TestH2ServerResetCancelsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := make(chan error, 2)
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			if r.URL.Path[1] == 'n' {
				w.WriteString("next")
				return
			}
			ctx := r.Context()
			_, err := io.ReadAll(r.Body)
			<-ctx.Done()
			errs <- err
			errs <- ctx.Err()
		}))
		p := dialH2(t, ln)
		p.writeHeaders(1, false, postReq("/c")...)
		synctest.Wait()
		p.writeRST(1, h2.ErrCodeCancel)
		var se h2StreamError
		if err := <-errs; !errors.As(err, &se) || se.code != h2.ErrCodeCancel {
			t.Errorf("body read: %v", err)
		}
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("context: %v", err)
		}
		p.writeHeaders(3, true, getReq("/n")...)
		if _, body := p.wantResponse(3); body != "next" {
			t.Errorf("next stream: %q", body)
		}
	})
}

// A handler that panics resets its stream with INTERNAL_ERROR and is
// logged; the other streams and the connection go on.
func TestH2ServerHandlerPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log syncLog
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			if string(r.URL.Path) == "/panic" {
				panic("boom")
			}
			w.WriteString("ok")
		}), func(s *Server) { s.ErrorLog = slog.New(slog.NewTextHandler(&log, nil)) })
		p := dialH2(t, ln)
		p.writeHeaders(1, true, getReq("/panic")...)
		p.wantRST(1, h2.ErrCodeInternal)
		p.writeHeaders(3, true, getReq("/ok")...)
		if _, body := p.wantResponse(3); body != "ok" {
			t.Errorf("after the panic: %q", body)
		}
		if !strings.Contains(log.String(), "boom") || !strings.Contains(log.String(), "server_h2_test.go") {
			t.Errorf("panic not logged with its stack: %s", log.String())
		}
	})
}

// A handler that blocks never delays another stream.
func TestH2ServerBlockedHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			if string(r.URL.Path) == "/block" {
				w.WriteString("first ")
				w.Flush()
				<-release
				w.WriteString("done")
				return
			}
			w.WriteString("fast")
		}))
		p := dialH2(t, ln)
		p.writeHeaders(1, true, getReq("/block")...)
		if h := p.wantHeaders(1); h.get(":status") != "200" {
			t.Fatal(h.fields)
		}
		if f := p.next(); f.Header().Type != h2.FrameData {
			t.Fatal(describe(f))
		}
		for id := uint32(3); id < 13; id += 2 {
			p.writeHeaders(id, true, getReq("/fast")...)
			if _, body := p.wantResponse(id); body != "fast" {
				t.Fatalf("stream %d: %q", id, body)
			}
		}
		close(release)
		if body := p.wantBody(1); body != "done" {
			t.Errorf("blocked stream: %q", body)
		}
	})
}

// Shutdown sends GOAWAY (2^31-1 and a PING, then the last stream), lets
// the open stream finish, and returns once the connection closed.
func TestH2ServerShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		srv, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			<-release
			w.WriteString("finished")
		}))
		p := dialH2(t, ln)
		p.writeHeaders(1, true, getReq("/")...)
		synctest.Wait()
		shut := make(chan error, 1)
		go func() { shut <- srv.Shutdown(context.Background()) }()
		if last := p.wantGoAway(h2.ErrCodeNo); last != h2.MaxStreamID {
			t.Fatalf("first GOAWAY names %d", last)
		}
		f := p.next()
		ping, ok := f.(*h2.PingFrame)
		if !ok {
			t.Fatalf("got %v, want PING", describe(f))
		}
		p.write(h2.AppendPing(nil, true, ping.Data))
		if last := p.wantGoAway(h2.ErrCodeNo); last != 1 {
			t.Fatalf("second GOAWAY names %d", last)
		}
		synctest.Wait()
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned %v with a stream open", err)
		default:
		}
		close(release)
		if _, body := p.wantResponse(1); body != "finished" {
			t.Errorf("got %q", body)
		}
		p.wantClosed()
		if err := <-shut; err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
}

// The timeouts: the preface within ReadHeaderTimeout, SETTINGS
// acknowledged within SettingsTimeout, and IdleTimeout for a connection
// with no stream open (not while a handler runs).
func TestH2ServerTimeouts(t *testing.T) {
	t.Run("preface", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, ln := h2cMemServer(t, HandlerFunc(hello), func(s *Server) { s.ReadHeaderTimeout = 5 * time.Second })
			c := ln.dial(t)
			io.WriteString(c, h2.ClientPreface[:10])
			start := time.Now()
			io.ReadAll(c)
			if d := time.Since(start); d != 5*time.Second {
				t.Errorf("closed after %v, want 5s", d)
			}
		})
	})
	t.Run("settings-ack", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, ln := h2cMemServer(t, HandlerFunc(hello), func(s *Server) { s.HTTP2 = &HTTP2Config{SettingsTimeout: 3 * time.Second} })
			c := ln.dial(t)
			c.Write(h2.AppendSettings([]byte(h2.ClientPreface)))
			p := &h2peer{t: t, c: c, fr: h2.NewFramer(c, nil), windowUpdates: map[uint32]uint32{}}
			start := time.Now()
			p.wantGoAway(h2.ErrCodeSettingsTimeout)
			if d := time.Since(start); d != 3*time.Second {
				t.Errorf("GOAWAY after %v, want 3s", d)
			}
			p.wantClosed()
		})
	})
	t.Run("idle", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
				<-release
			}), func(s *Server) { s.IdleTimeout = 10 * time.Second })
			p := dialH2(t, ln)
			p.writeHeaders(1, true, getReq("/")...)
			time.Sleep(time.Minute) // a running handler keeps the connection
			close(release)
			p.wantResponse(1)
			start := time.Now()
			p.wantGoAway(h2.ErrCodeNo)
			if d := time.Since(start); d < 9*time.Second || d > 10*time.Second {
				t.Errorf("idle GOAWAY after %v, want 10s", d)
			}
			p.wantClosed()
		})
	})
}

// MAX_CONCURRENT_STREAMS bounds the handlers running at once: streams the
// client reset while their handlers go on running do not let it start
// more; a request beyond wait, and more than that many waiting ends the
// connection with ENHANCE_YOUR_CALM.
func TestH2ServerHandlersBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const max = 4
		release := make(chan struct{})
		running := 0
		peak := 0
		var mu = make(chan struct{}, 1)
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			mu <- struct{}{}
			running++
			peak = maxInt(peak, running)
			<-mu
			<-release
			mu <- struct{}{}
			running--
			<-mu
		}), func(s *Server) { s.HTTP2 = &HTTP2Config{MaxConcurrentStreams: max} })
		p := dialH2(t, ln)
		id := uint32(1)
		for range 2 * max {
			p.writeHeaders(id, true, getReq("/")...)
			p.writeRST(id, h2.ErrCodeCancel)
			id += 2
		}
		synctest.Wait()
		if peak != max {
			t.Errorf("%d handlers ran at once, want %d", peak, max)
		}
		p.writeHeaders(id, true, getReq("/")...)
		p.wantGoAway(h2.ErrCodeEnhanceYourCalm)
		p.wantClosed()
		close(release)
	})
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// A field HTTP/2 cannot carry (an invalid name or value) is left out and
// logged once; the rest of the section goes out. Connection-specific
// fields an HTTP/1 handler may set are left out quietly.
func TestH2ServerInvalidResponseField(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log syncLog
		_, ln := h2cMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			w.Header().Set("Bad Name", "x")
			w.Header().Set("X-Ok", "yes")
			w.Header().Set("Transfer-Encoding", "chunked")
			w.Header().Set("X-Space", " padded ")
			w.Trailer().Set("Bad Trailer", "z")
			w.Trailer().Set("X-T", "t")
			w.WriteString("body")
		}), func(s *Server) { s.ErrorLog = slog.New(slog.NewTextHandler(&log, nil)) })
		p := dialH2(t, ln)
		p.writeHeaders(1, true, getReq("/")...)
		h := p.wantHeaders(1)
		if h.get(":status") != "200" || h.get("x-ok") != "yes" || h.get("bad name") != "" || h.get("transfer-encoding") != "" || h.get("x-space") != "" {
			t.Errorf("head %q", h.fields)
		}
		if f, ok := p.next().(*h2.DataFrame); !ok || string(f.Data()) != "body" {
			t.Fatalf("want the body in one DATA frame")
		}
		tr := p.wantHeaders(1)
		if !tr.end || tr.get("x-t") != "t" || len(tr.fields) != 2 {
			t.Errorf("trailers %q", tr.fields)
		}
		if n := strings.Count(log.String(), "response field not sent"); n != 1 {
			t.Errorf("logged %d times:\n%s", n, log.String())
		}
	})
}

// An HTTP/2 connection that carries no stream holds no read buffer: a new
// one after the SETTINGS exchange, one that answered a PING, and one whose
// last stream ended quietAfter ago. Requests make it keep one between
// reads, so that a busy connection reads many frames per Read.
func TestH2ServerIdleHoldsNoReadBuffer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, ln := h2cMemServer(t, HandlerFunc(hello))
		p := dialH2(t, ln)
		synctest.Wait()
		srv.mu.Lock()
		var hc *h2conn
		for c := range srv.conns {
			hc = c.h2
		}
		srv.mu.Unlock()
		holds := func() bool {
			synctest.Wait() // the reader is blocked in its next Read
			hc.mu.Lock()    // orders this read before goQuiet's write
			defer hc.mu.Unlock()
			return hc.rbuf != nil
		}
		if holds() {
			t.Error("a new connection holds a read buffer after the SETTINGS exchange")
		}
		p.write(h2.AppendPing(nil, false, [8]byte{7}))
		if f, ok := p.next().(*h2.PingFrame); !ok || !f.IsAck() {
			t.Fatalf("got %v, want a PING acknowledgement", f)
		}
		if holds() {
			t.Error("a connection that answered a PING holds a read buffer")
		}
		for id := uint32(1); id <= 3; id += 2 {
			p.writeHeaders(id, true, getReq("/")...)
			if _, body := p.wantResponse(id); body != "Hello, World!" {
				t.Fatalf("stream %d: body %q", id, body)
			}
			if !holds() {
				t.Errorf("after stream %d the connection gave its read buffer back at once", id)
			}
		}
		time.Sleep(quietAfter)
		if holds() {
			t.Errorf("a connection with no stream for %v holds a read buffer", quietAfter)
		}
		p.writeHeaders(5, true, getReq("/")...)
		p.wantResponse(5)
		if !holds() {
			t.Error("a request did not wake the quiet connection")
		}
	})
}

// A plain connection on a server that speaks h2c waits for the client's
// first bytes to learn its protocol; one that stays silent past
// quietAfter, which gives the read buffer back, is still served in
// either protocol when it speaks.
func TestH2CServerSilentClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ln := h2cMemServer(t, HandlerFunc(hello))
		c := ln.dial(t)
		time.Sleep(2 * quietAfter)
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "HTTP/1.1 200 OK\r\n" {
			t.Errorf("HTTP/1 after a silence: %q, %v", line, err)
		}
		c = ln.dial(t)
		time.Sleep(2 * quietAfter)
		p := newH2Peer(t, c)
		p.writeHeaders(1, true, getReq("/")...)
		if _, body := p.wantResponse(1); body != "Hello, World!" {
			t.Errorf("HTTP/2 after a silence: body %q", body)
		}
	})
}
