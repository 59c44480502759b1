package turbohttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Cancellation and timeouts at every stage of an exchange. Each test checks
// that the error says why, that the pool holds no connection afterwards,
// and (noLeaks) that nothing leaks.

// endlessReader reads as an endless run of 'x'.
type endlessReader struct{}

func (endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func cancelAfter(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	_ = cancel // expires by itself
	return ctx
}

func wantNoConns(t *testing.T, tr *Transport, addr string) {
	t.Helper()
	if s := tr.HostStats(addr); s.Open != 0 || s.Idle != 0 || s.Waiting != 0 {
		t.Fatalf("pool not empty after a cancelled exchange: %+v", s)
	}
}

// TestCancelWhileDialing: the caller returns at once with its context's
// error; the dial it started goes on by itself (see hostPool) and, failing
// here, leaves the pool empty.
func TestCancelWhileDialing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		dialing := make(chan struct{}, 1)
		tr := &Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialing <- struct{}{}
			<-release
			return nil, errors.New("refused")
		}}
		ctx, cancel := context.WithCancel(context.Background())
		req := newReq(t, MethodGet, "http://example.invalid/", nil)
		req.SetContext(ctx)
		go func() { <-dialing; cancel() }()
		if err := tr.Do(req, &Response{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if s := tr.HostStats("example.invalid:80"); s.Dialing != 1 || s.Open != 1 || s.Waiting != 0 {
			t.Fatalf("stats while the dial goes on %+v", s)
		}
		close(release)
		synctest.Wait() // the dial has ended
		wantDialFailed(t, tr, "example.invalid:80")
	})
}

// wantDialFailed checks that the one dial to addr failed and left the
// pool empty.
func wantDialFailed(t *testing.T, tr *Transport, addr string) {
	t.Helper()
	wantNoConns(t, tr, addr)
	if s := tr.HostStats(addr); s.Dials != 1 || s.DialErrors != 1 || s.Dialing != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// silentServer accepts connections, reads everything and never answers.
func silentServer(t *testing.T) *rawServer {
	return newRawServer(t, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
}

// The caller leaves at once; the handshake goes on until
// TLSHandshakeTimeout, then the pool is empty. Without a caller to leave,
// the timeout is the caller's error.
func TestCancelDuringTLSHandshake(t *testing.T) {
	for _, cancelled := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			const timeout = 50 * time.Millisecond
			accepted := make(chan struct{}, 1)
			tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
				accepted <- struct{}{}
				io.Copy(io.Discard, br) // never answers the ClientHello
			})
			tr.TLSHandshakeTimeout = timeout
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := newReq(t, MethodGet, "https://peer/", nil)
			req.SetContext(ctx)
			start := time.Now()
			go func() {
				<-accepted
				if cancelled {
					cancel()
				}
			}()
			err := tr.Do(req, &Response{})
			var ne net.Error
			switch {
			case cancelled && !errors.Is(err, context.Canceled):
				t.Fatalf("cancelled: got %v", err)
			case !cancelled && (!errors.Is(err, ErrTLSHandshakeTimeout) || !errors.As(err, &ne) || !ne.Timeout()):
				t.Fatalf("got %v", err)
			case !cancelled && time.Since(start) != timeout:
				t.Fatalf("the handshake timed out after %v, want %v", time.Since(start), timeout)
			}
			time.Sleep(timeout) // fake time: the orphan handshake's timeout passes
			synctest.Wait()
			wantDialFailed(t, tr, "peer:443")
		})
	}
}

func TestCancelWhileWritingBody(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	// The server reads the head and then nothing: the body write blocks
	// once the socket buffers are full.
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		<-t.Context().Done()
	})
	req := newReq(t, MethodPost, "http://"+rs.addr+"/", nil)
	req.Body = endlessReader{}
	req.ContentLength = 1 << 40
	req.SetContext(cancelAfter(50 * time.Millisecond))
	if err := tr.Do(req, &Response{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	wantNoConns(t, tr, rs.addr)
}

func TestCancelAwaitingHead(t *testing.T) {
	rs := silentServer(t)
	t.Run("context", func(t *testing.T) {
		tr := &Transport{}
		noLeaks(t, tr)
		ctx, cancel := context.WithCancel(context.Background())
		req := newReq(t, MethodGet, "http://"+rs.addr+"/", nil)
		req.SetContext(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		if err := tr.Do(req, &Response{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		wantNoConns(t, tr, rs.addr)
	})
	t.Run("ResponseHeaderTimeout", func(t *testing.T) {
		tr := &Transport{ResponseHeaderTimeout: 20 * time.Millisecond}
		noLeaks(t, tr)
		err := tr.Do(newReq(t, MethodGet, "http://"+rs.addr+"/", nil), &Response{})
		if !errors.Is(err, ErrResponseHeaderTimeout) {
			t.Fatalf("got %v", err)
		}
		wantNoConns(t, tr, rs.addr)
	})
}

func TestCancelWhileReadingBody(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst part,")
		<-t.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	req := newReq(t, MethodGet, "http://"+rs.addr+"/", nil)
	req.SetContext(ctx)
	resp := &Response{}
	if err := tr.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 11)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first part," {
		t.Fatalf("%q %v", buf, err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := io.ReadAll(resp.Body)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stalled body read got %v", err)
	}
	resp.Body.Close()
	wantNoConns(t, tr, rs.addr)
}

// TestCancelAfterExchangeKeepsPool: cancelling a context after its body
// was read does not disturb the pooled connection.
func TestCancelAfterExchangeKeepsPool(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	ctx, cancel := context.WithCancel(context.Background())
	req := newReq(t, MethodGet, "http://"+addr+"/", nil)
	req.SetContext(ctx)
	roundTrip(t, tr, req)
	cancel()
	if _, body := get(t, tr, "http://"+addr+"/"); body != "Hello, World!" {
		t.Fatal(body)
	}
	if cc.count() != 1 {
		t.Fatalf("%d connections", cc.count())
	}
}

// TestCancelledBeforeStart: a request whose context is already done sends
// nothing and keeps the idle connection.
func TestCancelledBeforeStart(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	addr, _ := tpServer(t, helloHandler)
	get(t, tr, "http://"+addr+"/")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := newReq(t, MethodGet, "http://"+addr+"/", nil)
	req.SetContext(ctx)
	if err := tr.Do(req, &Response{}); !isCtxErr(err) {
		t.Fatalf("got %v", err)
	}
	if s := tr.HostStats(addr); s.Idle != 1 || s.Open != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestBodyCloseEarly: closing a body with unread bytes that are not all
// buffered closes the connection; with the rest buffered, it is kept.
func TestBodyCloseEarly(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	big := strings.Repeat("b", 1<<20)
	addr, cc := tpServer(t, func(w ResponseWriter, r *Request) {
		if string(r.URL.Path) == "/big" {
			w.WriteString(big)
			return
		}
		w.WriteString("small body")
	})
	resp := hold(t, tr, "http://"+addr+"/small")
	resp.Body.Close() // the server sent head and body in one write
	if s := tr.HostStats(addr); s.Open != 1 || s.Idle != 1 {
		t.Fatalf("after closing a buffered body: %+v", s)
	}
	resp = hold(t, tr, "http://"+addr+"/big")
	resp.Body.Close()
	if s := tr.HostStats(addr); s.Open != 0 || s.Idle != 0 {
		t.Fatalf("after closing a large unread body: %+v", s)
	}
	get(t, tr, "http://"+addr+"/small")
	if cc.count() != 2 {
		t.Fatalf("%d connections, want 2", cc.count())
	}
}
