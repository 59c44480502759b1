package turbohttp

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h2"
)

// h2Result is the outcome of a request run in the background.
type h2Result struct {
	resp *Response
	body string
	err  error // of Do, or of reading the body
}

// goGet sends a GET on tr from a new goroutine and reads the body.
func goGet(t *testing.T, tr *Transport, url string) chan h2Result {
	return goGetAfter(t, tr, url, nil)
}

// goGetAfter is goGet that reads the body only once read is closed.
func goGetAfter(t *testing.T, tr *Transport, url string, read chan struct{}) chan h2Result {
	ch := make(chan h2Result, 1)
	req := newReq(t, MethodGet, url, nil)
	go func() {
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			ch <- h2Result{err: err}
			return
		}
		if read != nil {
			<-read
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		ch <- h2Result{resp: resp, body: string(b), err: err}
	}()
	return ch
}

func wantOK(t *testing.T, ch chan h2Result, body string) {
	t.Helper()
	r := <-ch
	if r.err != nil || r.body != body {
		t.Fatalf("got %q, %v; want %q", r.body, r.err, body)
	}
}

// A server that stops answering PINGs: the connection is PINGed after
// ReadIdleTimeout of silence and closed PingTimeout later; the request
// on it fails with a *ConnLostError saying which stream and why, and the
// next request succeeds on a new connection.
func TestH2HealthCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		first := goGet(t, tr, "http://peer/1")
		p := <-peers
		p.respond(p.want(h2.FrameHeaders).StreamID, "one")
		wantOK(t, first, "one")

		p.answerPings = false // the server hangs (set while its reader is blocked)
		hung := goGet(t, tr, "http://peer/2")
		p.want(h2.FrameHeaders)
		time.Sleep(DefaultReadIdleTimeout - time.Second)
		synctest.Wait()
		if len(hung) != 0 || tr.Stats()[0].H2Conns != 1 {
			t.Fatal("connection given up before ReadIdleTimeout")
		}
		time.Sleep(2 * time.Second)
		p.want(h2.FramePing)
		time.Sleep(DefaultPingTimeout - 2*time.Second)
		synctest.Wait()
		if len(hung) != 0 {
			t.Fatal("connection given up before PingTimeout")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		r := <-hung
		var lost *ConnLostError
		if !errors.As(r.err, &lost) || !errors.Is(r.err, ErrPingTimeout) || lost.StreamID != 3 {
			t.Fatalf("hung request: %v", r.err)
		}
		p.closed()
		if s := tr.Stats()[0]; s.H2Conns != 0 || s.Open != 0 {
			t.Fatalf("stats after the health check: %+v", s)
		}

		next := goGet(t, tr, "http://peer/3")
		p2 := <-peers
		p2.respond(p2.want(h2.FrameHeaders).StreamID, "three")
		wantOK(t, next, "three")
	})
}

// A stream refused with REFUSED_STREAM is retried, on the same connection.
func TestH2RefusedStreamRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		res := goGet(t, tr, "http://peer/")
		p := <-peers
		id := p.want(h2.FrameHeaders).StreamID
		p.write(h2.AppendRSTStream(nil, id, h2.ErrCodeRefusedStream))
		id2 := p.want(h2.FrameHeaders).StreamID
		if id2 != id+2 {
			t.Fatalf("retried on stream %d", id2)
		}
		p.respond(id2, "ok")
		wantOK(t, res, "ok")
		if s := tr.Stats()[0]; s.Retries != 1 || s.Dials != 1 {
			t.Fatalf("stats %+v", s)
		}

		// A body that cannot be sent again is not retried.
		req := newReq(t, MethodPost, "http://peer/", io.LimitReader(strings.NewReader("data"), 4))
		req.GetBody = nil
		errc := make(chan error, 1)
		go func() { errc <- tr.Do(req, &Response{}) }()
		id = p.want(h2.FrameHeaders).StreamID
		p.write(h2.AppendRSTStream(nil, id, h2.ErrCodeRefusedStream))
		var se *StreamResetError
		if err := <-errc; !errors.As(err, &se) || se.Code != h2.ErrCodeRefusedStream {
			t.Fatalf("POST without GetBody: %v", err)
		}
	})
}

// GOAWAY: streams above its last stream ID are retried on a new
// connection, the others finish on the old one, which then closes.
func TestH2GoAwayRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		a := goGet(t, tr, "http://peer/a")
		p := <-peers
		first := p.want(h2.FrameHeaders).StreamID
		b := goGet(t, tr, "http://peer/b")
		second := p.want(h2.FrameHeaders).StreamID
		p.write(h2.AppendGoAway(nil, first, h2.ErrCodeNo, nil))
		p2 := <-peers
		p2.respond(p2.want(h2.FrameHeaders).StreamID, "b")
		wantOK(t, b, "b")
		p.respond(first, "a")
		wantOK(t, a, "a")
		p.closed()
		_ = second
		if n := tr.Stats()[0].H2Conns; n != 1 {
			t.Fatalf("%d HTTP/2 connections, want 1", n)
		}
	})
}

// Response-side bad input. Each case sends something malformed on the
// request's stream; the request gets a typed error, the stream is reset
// (stream errors) or the connection ended with GOAWAY (connection
// errors), memory stays bounded (the bytes allocated while the case runs,
// the peer's included, stay far below what the HPACK bomb would decode
// to), and no goroutine is left (synctest checks it).
func TestH2BadResponses(t *testing.T) {
	bigBlock := func(p *h2Peer) []byte {
		// An HPACK bomb: one 4 KiB entry in the dynamic table, then 20,000
		// one-byte references to it (80 MB decoded).
		blk := p.enc.AppendFieldString(nil, ":status", "200", false)
		blk = p.enc.AppendFieldString(blk, "x-bomb", strings.Repeat("b", 4000), false)
		return append(blk, bytes.Repeat([]byte{0x80 | 62}, 20000)...)
	}
	cases := []struct {
		name    string
		respond func(p *h2Peer, id uint32)
		code    h2.ErrCode
		conn    bool // a connection error: GOAWAY
	}{
		{"uppercase name", func(p *h2Peer, id uint32) { p.headers(id, true, ":status", "200", "X-Up", "1") }, h2.ErrCodeProtocol, false},
		{"pseudo after regular", func(p *h2Peer, id uint32) { p.headers(id, true, "x-a", "1", ":status", "200") }, h2.ErrCodeProtocol, false},
		{"connection-specific field", func(p *h2Peer, id uint32) { p.headers(id, true, ":status", "200", "connection", "close") }, h2.ErrCodeProtocol, false},
		{"content-length shorter than DATA", func(p *h2Peer, id uint32) {
			p.headers(id, false, ":status", "200", "content-length", "2")
			p.write(h2.AppendData(nil, id, true, []byte("toolong")))
		}, h2.ErrCodeProtocol, false},
		{"DATA over the window", func(p *h2Peer, id uint32) {
			p.headers(id, false, ":status", "200")
			chunk := make([]byte, 16384)
			for range h2.DefaultStreamWindow/len(chunk) + 1 {
				p.write(h2.AppendData(nil, id, false, chunk))
			}
		}, h2.ErrCodeFlowControl, false},
		{"HPACK bomb", func(p *h2Peer, id uint32) {
			p.write(h2.AppendHeaderBlock(nil, h2.HeadersParams{StreamID: id, BlockFragment: bigBlock(p), EndStream: true}, 16384))
		}, 0, true},
		{"CONTINUATION flood", func(p *h2Peer, id uint32) {
			b := h2.AppendHeaders(nil, h2.HeadersParams{StreamID: id, BlockFragment: p.block(":status", "200")})
			for range 10000 {
				b = h2.AppendContinuation(b, id, false, []byte{0x40, 0x01, 'x', 0x01, 'y'}[:0])
			}
			p.write(b)
		}, 0, true},
		{"SETTINGS flood", func(p *h2Peer, id uint32) {
			var b []byte
			for range 5000 {
				b = h2.AppendSettings(b)
			}
			p.write(b)
		}, h2.ErrCodeEnhanceYourCalm, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			defer func() {
				runtime.ReadMemStats(&after)
				if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
					t.Errorf("the case allocated %d MiB", n>>20)
				}
			}()
			synctest.Test(t, func(t *testing.T) {
				tr, peers := h2PeerTransport(t)
				defer tr.CloseIdleConnections()
				read := make(chan struct{})
				res := goGetAfter(t, tr, "http://peer/", read)
				p := <-peers
				id := p.want(h2.FrameHeaders).StreamID
				go tc.respond(p, id)
				// The body (if the head got through) is read only once
				// the client reacted, so that reading cannot reopen the
				// window the test overflows.
				if tc.conn {
					if f := p.want(h2.FrameGoAway); tc.code != 0 && f.code != tc.code {
						t.Fatalf("GOAWAY %v, want %v", f.code, tc.code)
					}
				} else if f := p.want(h2.FrameRSTStream); f.StreamID != id || f.code != tc.code {
					t.Fatalf("RST_STREAM %d %v", f.StreamID, f.code)
				}
				close(read)
				r := <-res
				checkBadResponse(t, r.err, tc.code, tc.conn)
				if tc.conn {
					p.closed()
					return
				}
				// The connection goes on.
				next := goGet(t, tr, "http://peer/")
				p.respond(p.want(h2.FrameHeaders).StreamID, "ok")
				wantOK(t, next, "ok")
			})
		})
	}
}

// checkBadResponse checks the typed error of a request answered badly.
func checkBadResponse(t *testing.T, err error, code h2.ErrCode, conn bool) {
	t.Helper()
	if conn {
		var lost *ConnLostError
		var ce h2.ConnError
		if !errors.As(err, &lost) || !errors.As(err, &ce) || code != 0 && ce.Code != code {
			t.Fatalf("error %v (%T), want a *ConnLostError with %v", err, err, code)
		}
		return
	}
	var se *StreamResetError
	if !errors.As(err, &se) || se.Code != code {
		t.Fatalf("error %v (%T), want a *StreamResetError with %v", err, err, code)
	}
}

// Expect: 100-continue: the body waits for the 100 (and goes at once
// after it); without one it goes after ExpectContinueTimeout; a final
// response first means it never goes and the stream is reset.
func TestH2ExpectContinue(t *testing.T) {
	for _, mode := range []string{"100", "timeout", "final first"} {
		t.Run(mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, peers := h2PeerTransport(t)
				defer tr.CloseIdleConnections()
				req := newReq(t, MethodPost, "http://peer/", strings.NewReader("body"))
				req.Header.Set("Expect", "100-continue")
				res := make(chan error, 1)
				resp := &Response{}
				go func() { res <- tr.Do(req, resp) }()
				p := <-peers
				id := p.want(h2.FrameHeaders).StreamID
				synctest.Wait()
				time.Sleep(DefaultExpectContinueTimeout / 2)
				synctest.Wait()
				if n := countFrames(p, h2.FrameData); n != 0 {
					t.Fatalf("%d DATA frames before the 100", n)
				}
				switch mode {
				case "100":
					p.headers(id, false, ":status", "100")
				case "timeout":
					time.Sleep(DefaultExpectContinueTimeout)
				case "final first":
					p.headers(id, true, ":status", "417")
					if err := <-res; err != nil || resp.StatusCode != 417 {
						t.Fatalf("%v, %d", err, resp.StatusCode)
					}
					resp.Body.Close()
					if f := p.want(h2.FrameRSTStream); f.code != h2.ErrCodeCancel {
						t.Fatalf("RST_STREAM %v", f.code)
					}
					return
				}
				if f := p.want(h2.FrameData); f.dataLen != 4 {
					t.Fatalf("DATA of %d bytes", f.dataLen)
				}
				p.respond(id, "ok")
				if err := <-res; err != nil || readClose(t, resp) != "ok" {
					t.Fatal(err)
				}
			})
		})
	}
}

// countFrames counts the frames of type typ read so far, without waiting.
func countFrames(p *h2Peer, typ h2.FrameType) int {
	n := 0
	for {
		select {
		case f := <-p.frames:
			if f.Type == typ {
				n++
			}
		default:
			return n
		}
	}
}

// ResponseHeaderTimeout bounds the wait for the head once the request was
// sent; the stream is reset and the connection serves the next request.
func TestH2ResponseHeaderTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		tr.ResponseHeaderTimeout = 5 * time.Second
		defer tr.CloseIdleConnections()
		res := goGet(t, tr, "http://peer/")
		p := <-peers
		id := p.want(h2.FrameHeaders).StreamID
		start := time.Now()
		if r := <-res; r.err != ErrResponseHeaderTimeout || time.Since(start) != 5*time.Second {
			t.Fatalf("%v after %v", r.err, time.Since(start))
		}
		if f := p.want(h2.FrameRSTStream); f.StreamID != id || f.code != h2.ErrCodeCancel {
			t.Fatalf("RST_STREAM %d %v", f.StreamID, f.code)
		}
		next := goGet(t, tr, "http://peer/")
		p.respond(p.want(h2.FrameHeaders).StreamID, "ok")
		wantOK(t, next, "ok")
	})
}

// A body closed before its end resets the stream (CANCEL), frees its
// slot, and gives the unread bytes back to the connection's window: 80
// bodies of 64 KiB closed unread add up to more than the 4 MiB window,
// which a leak would exhaust (FLOW_CONTROL_ERROR).
func TestH2BodyClosedEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		var p *h2Peer
		chunk := make([]byte, 16384)
		for i := range 80 {
			resp := &Response{}
			res := make(chan error, 1)
			go func() { res <- tr.Do(newReq(t, MethodGet, "http://peer/", nil), resp) }()
			if i == 0 {
				p = <-peers
			}
			id := p.want(h2.FrameHeaders).StreamID
			p.headers(id, false, ":status", "200")
			for range 4 {
				p.write(h2.AppendData(nil, id, false, chunk))
			}
			if err := <-res; err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			synctest.Wait()
			resp.Body.Read(make([]byte, 100))
			resp.Body.Close()
			if f := p.want(h2.FrameRSTStream); f.StreamID != id || f.code != h2.ErrCodeCancel {
				t.Fatalf("RST_STREAM %d %v", f.StreamID, f.code)
			}
			synctest.Wait()
			if s := tr.Stats()[0]; s.H2Streams != 0 || s.Dials != 1 {
				t.Fatalf("request %d: %+v", i, s)
			}
		}
	})
}

// More 1xx responses than MaxInterimResponses: the stream is reset and
// the request fails with ErrTooManyInterimResponses.
func TestH2TooManyInterimResponses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		res := goGet(t, tr, "http://peer/")
		p := <-peers
		id := p.want(h2.FrameHeaders).StreamID
		go func() {
			for range DefaultMaxInterimResponses + 1 {
				p.headers(id, false, ":status", "103", "link", "</a>")
			}
		}()
		if f := p.want(h2.FrameRSTStream); f.StreamID != id || f.code != h2.ErrCodeProtocol {
			t.Fatalf("RST_STREAM %d %v", f.StreamID, f.code)
		}
		if r := <-res; r.err != ErrTooManyInterimResponses {
			t.Fatalf("%v", r.err)
		}
	})
}

// A body whose parts come in reads of their own while the caller waits
// in Read: DATA in the write of the head and after it, DATA after the
// caller waited, then the trailers; each part wakes the caller (the
// caller is woken only when it may be waiting, so a missed wake would
// hang here), and the read that ends the body frees the stream's slot,
// before Close.
func TestH2BodyPartsWakeWaitingReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		defer tr.CloseIdleConnections()
		resp := &Response{}
		res := make(chan error, 1)
		go func() { res <- tr.Do(newReq(t, MethodGet, "http://peer/", nil), resp) }()
		p := <-peers
		id := p.want(h2.FrameHeaders).StreamID
		b := h2.AppendHeaders(nil, h2.HeadersParams{StreamID: id, BlockFragment: p.block(":status", "200"), EndHeaders: true})
		p.write(h2.AppendData(b, id, false, []byte("ab")))
		if err := <-res; err != nil {
			t.Fatal(err)
		}
		parts := make(chan string, 8)
		done := make(chan error, 1)
		go func() {
			buf := make([]byte, 16)
			for {
				n, err := resp.Body.Read(buf)
				if n > 0 {
					parts <- string(buf[:n])
				}
				if err != nil {
					done <- err
					return
				}
			}
		}()
		if got := <-parts; got != "ab" {
			t.Fatalf("first part %q", got)
		}
		for _, part := range []string{"cd", "ef"} {
			synctest.Wait() // the reader waits in Read
			p.write(h2.AppendData(nil, id, false, []byte(part)))
			if got := <-parts; got != part {
				t.Fatalf("part %q, want %q", got, part)
			}
		}
		synctest.Wait()
		p.headers(id, true, "x-trailer", "t")
		if err := <-done; err != io.EOF {
			t.Fatalf("Read ended with %v", err)
		}
		if v := resp.Trailer.Get("X-Trailer"); v != "t" {
			t.Fatalf("trailer %q", v)
		}
		if s := tr.Stats()[0]; s.H2Streams != 0 {
			t.Fatalf("after the body's end: %+v", s)
		}
		resp.Body.Close()
	})
}
