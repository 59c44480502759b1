package turbohttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The server's timeouts and everything else that depends on time, in
// synctest bubbles over in-memory connections: time is fake, so every
// duration is exact and nothing depends on how loaded the machine is.

// sendGet writes a GET of path on c.
func sendGet(c net.Conn, path string) {
	io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
}

func TestServerGracefulShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{}, 4)
		release := make(chan struct{})
		ln := newMemListener()
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			started <- struct{}{}
			<-release
			w.WriteString("done")
		})}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		results := make(chan string, 4)
		for range 4 {
			c := ln.dial(t)
			go func() {
				sendGet(c, "/")
				br := bufio.NewReader(c)
				resp, err := readResponse(br)
				results <- resp + errString(err)
			}()
		}
		for range 4 {
			<-started
		}
		shut := make(chan error, 1)
		go func() { shut <- srv.Shutdown(context.Background()) }()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
		synctest.Wait()
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned %v with requests in flight", err)
		case <-ln.closed: // the listener no longer accepts
		default:
			t.Error("the listener is still open")
		}
		close(release)
		for range 4 {
			if got := <-results; got != "done" {
				t.Errorf("in-flight request got %q", got)
			}
		}
		if err := <-shut; err != nil {
			t.Errorf("Shutdown = %v", err)
		}
	})
}

// readResponse reads one response from br and returns its body.
func readResponse(br *bufio.Reader) (string, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// A client sending its head one byte at a time is answered 408 and cut
// off at ReadHeaderTimeout after its first byte, while other clients are
// served meanwhile.
func TestServerSlowHeadCutOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 300 * time.Millisecond
		_, ln := startMemServer(t, HandlerFunc(hello), func(s *Server) { s.ReadHeaderTimeout = timeout })
		slow := ln.dial(t)
		start := time.Now()
		written := make(chan struct{})
		go func() {
			defer close(written)
			for _, b := range []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n") {
				if _, err := slow.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		cut := make(chan string, 1)
		go func() {
			out, _ := io.ReadAll(slow)
			if d := time.Since(start); d != timeout {
				t.Errorf("the slow client was cut off after %v, want %v", d, timeout)
			}
			cut <- string(out)
		}()
		for range 5 {
			c := ln.dial(t)
			sendGet(c, "/")
			wantAnswer(t, bufio.NewReader(c), 200, "Hello, World!")
		}
		if out := <-cut; !strings.HasPrefix(out, "HTTP/1.1 408 Request Timeout\r\n") {
			t.Errorf("the slow client got %q", out)
		}
		<-written
	})
}

// An idle kept-alive connection closes IdleTimeout after its last
// response, whether the timeout is shorter than quietAfter (the buffer is
// kept) or longer (the buffer goes back to the pool first).
func TestServerIdleTimeout(t *testing.T) {
	for _, idle := range []time.Duration{quietAfter / 2, 5 * time.Second} {
		synctest.Test(t, func(t *testing.T) {
			_, ln := startMemServer(t, HandlerFunc(hello), func(s *Server) { s.IdleTimeout = idle })
			c := ln.dial(t)
			sendGet(c, "/")
			br := bufio.NewReader(c)
			wantAnswer(t, br, 200, "Hello, World!")
			start := time.Now()
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("read on idle connection: %v, want EOF", err)
			}
			if d := time.Since(start); d != idle {
				t.Errorf("IdleTimeout %v: closed after %v", idle, d)
			}
		})
	}
}

// A connection quiet for longer than quietAfter gives its buffers back and
// still serves its next request.
func TestServerQuietConnectionServesNextRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ln := startMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			w.Header().Set("X-Seen", r.Header.Get("X-Id"))
			w.Write(r.URL.Path)
		}))
		c := ln.dial(t)
		br := bufio.NewReader(c)
		for i, path := range []string{"/first", "/second"} {
			if i == 1 {
				time.Sleep(2 * quietAfter)
			}
			io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\nX-Id: "+path+"\r\n\r\n")
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			if string(b) != path || resp.Header.Get("X-Seen") != path {
				t.Errorf("got %q, X-Seen %q", b, resp.Header.Get("X-Seen"))
			}
		}
	})
}

// A client that does not read is cut off at WriteTimeout: the handler's
// write fails and the connection closes.
func TestServerWriteTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 200 * time.Millisecond
		failed := make(chan time.Duration, 1)
		_, ln := startMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			start := time.Now()
			chunk := make([]byte, 64<<10)
			for {
				if _, err := w.Write(chunk); err != nil {
					failed <- time.Since(start)
					return
				}
			}
		}), func(s *Server) { s.WriteTimeout = timeout })
		c := ln.dial(t)
		sendGet(c, "/")
		if d := <-failed; d != timeout {
			t.Errorf("the handler's write failed after %v, want %v", d, timeout)
		}
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("%v, want the server to close", err)
		}
	})
}

// A handler that asked for its context sees it cancelled when the client
// goes away.
func TestServerContextCancelledOnDisconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cancelled := make(chan error, 1)
		started := make(chan struct{})
		_, ln := startMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			ctx := r.Context()
			close(started)
			<-ctx.Done() // if it never is, the bubble deadlocks and the test fails
			cancelled <- ctx.Err()
		}))
		c := ln.dial(t)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
		<-started
		c.Close()
		if err := <-cancelled; err == nil {
			t.Error("the context was not cancelled when the client went away")
		}
	})
}

// The watch for a disconnect must not eat a pipelined request that
// arrives while the handler runs.
func TestServerContextWatchKeepsPipelinedRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inHandler := make(chan struct{})
		proceed := make(chan struct{})
		_, ln := startMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			ctx := r.Context()
			if string(r.URL.Path) == "/slow" {
				close(inHandler)
				<-proceed
			}
			if ctx.Err() != nil {
				panic("cancelled while the client is still there")
			}
			w.Write(r.URL.Path)
		}))
		c := ln.dial(t)
		sendGet(c, "/slow")
		<-inHandler
		go io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		synctest.Wait() // the watcher has read what it could of /next
		close(proceed)
		br := bufio.NewReader(c)
		wantAnswer(t, br, 200, "/slow")
		wantAnswer(t, br, 200, "/next")
	})
}

// A client that opens a TLS connection and never completes the handshake
// is cut off at TLSHandshakeTimeout.
func TestServerTLSHandshakeTimeout(t *testing.T) {
	cert, _ := testTLS(t)
	synctest.Test(t, func(t *testing.T) {
		const timeout = 200 * time.Millisecond
		ln := newMemListener()
		srv := &Server{
			Handler:             HandlerFunc(hello),
			TLSConfig:           &tls.Config{Certificates: []tls.Certificate{cert}},
			TLSHandshakeTimeout: timeout,
		}
		done := make(chan error, 1)
		go func() { done <- srv.ServeTLS(ln, "", "") }()
		defer func() { srv.Close(); <-done }()
		c := ln.dial(t)
		start := time.Now()
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("silent TLS client: read %v, want EOF", err)
		}
		if d := time.Since(start); d != timeout {
			t.Errorf("cut off after %v, want %v", d, timeout)
		}
	})
}

// After refusing a request whose body is still coming, the server keeps
// reading for lingerTime (a lingering close), so that an uploading client
// is not answered with a reset, which on many stacks destroys the refusal
// before the client reads it; then it closes.
func TestServerLingersAfterRefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ln := startMemServer(t, HandlerFunc(hello))
		c := ln.dial(t)
		start := time.Now()
		refused := make(chan int, 1)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Error(err)
				refused <- 0
				return
			}
			refused <- resp.StatusCode
		}()
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1000000\r\n\r\n")
		if code := <-refused; code != 417 {
			t.Fatalf("got %d, want 417", code)
		}
		// the upload goes on at 32 KiB every 90 ms: accepted until
		// lingerTime has passed, refused at the first write after it
		const pace = 90 * time.Millisecond
		chunk := make([]byte, 32<<10)
		for {
			_, err := c.Write(chunk)
			elapsed := time.Since(start)
			if err != nil {
				if elapsed < lingerTime || elapsed >= lingerTime+pace {
					t.Errorf("upload refused after %v, want the first write after %v", elapsed, lingerTime)
				}
				return
			}
			time.Sleep(pace)
		}
	})
}

// The lingering close begins with a half-close, so that the client reads
// the end of the response (a real TCP connection; pipes cannot half-close).
func TestServerHalfClosesAfterRefusal(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	c := dialServer(t, addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1000000\r\n\r\n")
	br := bufio.NewReader(c)
	wantAnswer(t, br, 417, "")
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("after the refusal: %v, want EOF (a half-close)", err)
	}
	if _, err := c.Write(make([]byte, 32<<10)); err != nil {
		t.Fatalf("upload write after the refusal: %v; want it read and discarded", err)
	}
}

// A handler that hijacked its connection has its request's context
// cancelled when it returns, like any other (net/http does the same).
func TestServerHijackedRequestContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctxs := make(chan context.Context, 1)
		_, ln := startMemServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			ctx := r.Context()
			conn, _, err := w.(Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
			ctxs <- ctx
		}))
		c := ln.dial(t)
		sendGet(c, "/")
		ctx := <-ctxs
		synctest.Wait() // the handler has returned
		if ctx.Err() == nil {
			t.Error("the context of a hijacked request lives on after its handler returned")
		}
	})
}
