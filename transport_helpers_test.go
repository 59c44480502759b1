package turbohttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test helpers of the client: servers (ours, net/http's, raw TCP), a
// connection counter, and a goroutine-leak check.

// connCounter counts the connections a server accepted.
type connCounter struct{ n atomic.Int64 }

func (c *connCounter) count() int { return int(c.n.Load()) }

// tpServer serves h with our Server on loopback and returns its address
// and a counter of the connections it accepted.
func tpServer(t testing.TB, h HandlerFunc) (string, *connCounter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cc := &connCounter{}
	srv := &Server{Handler: h, ConnState: func(_ net.Conn, s ConnState) {
		if s == StateNew {
			cc.n.Add(1)
		}
	}}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String(), cc
}

// tpNetHTTPServer serves h with net/http's httptest server (TLS when tls
// is set) and counts its connections.
func tpNetHTTPServer(t testing.TB, h http.HandlerFunc, tls bool) (*httptest.Server, *connCounter) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	cc := &connCounter{}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cc.n.Add(1)
		}
	}
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, cc
}

// rawServer accepts connections on loopback and runs serve on each in its
// own goroutine; it counts them. Cleanup closes the listener and every
// connection and waits for the goroutines.
type rawServer struct {
	ln    net.Listener
	addr  string
	conns atomic.Int64
	mu    sync.Mutex
	open  []net.Conn
	wg    sync.WaitGroup
}

func newRawServer(t testing.TB, serve func(c net.Conn, br *bufio.Reader)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveRaw(t, ln, serve)
}

// serveRaw is newRawServer on a given listener.
func serveRaw(t testing.TB, ln net.Listener, serve func(c net.Conn, br *bufio.Reader)) *rawServer {
	rs := &rawServer{ln: ln, addr: ln.Addr().String()}
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rs.conns.Add(1)
			rs.mu.Lock()
			rs.open = append(rs.open, c)
			rs.mu.Unlock()
			rs.wg.Add(1)
			go func() {
				defer rs.wg.Done()
				defer c.Close()
				serve(c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		rs.mu.Lock()
		for _, c := range rs.open {
			c.Close()
		}
		rs.mu.Unlock()
		rs.wg.Wait()
	})
	return rs
}

// readRequestHead reads one request head from br and returns it, or "" at
// the end of the connection.
func readRequestHead(br *bufio.Reader) string {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return ""
		}
		if line == "\r\n" {
			return b.String()
		}
	}
}

// headValue returns the value of field name in a raw head, or "".
func headValue(head, name string) string {
	for _, line := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkGoroutines fails the test if, at its end, the number of goroutines
// does not settle back to what it was at the call.
func checkGoroutines(t *testing.T, tr *Transport) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		if tr != nil {
			tr.CloseIdleConnections()
		}
		var n int
		for range 500 {
			if n = runtime.NumGoroutine(); n <= base {
				return
			}
			time.Sleep(10 * time.Millisecond)
			if tr != nil {
				// A dial that finished after the first close left an
				// idle connection (an HTTP/2 one has two goroutines).
				tr.CloseIdleConnections()
			}
		}
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutines: %d at start, %d at end\n%s", base, n, buf)
	})
}

// newReq builds a client request or fails the test.
func newReq(t testing.TB, method, url string, body io.Reader) *Request {
	t.Helper()
	req, err := NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// roundTrip sends req on tr and returns the response with its body read.
func roundTrip(t testing.TB, tr *Transport, req *Request) (*Response, string) {
	t.Helper()
	resp := &Response{}
	if err := tr.Do(req, resp); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.String(), err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	resp.Body.Close()
	return resp, string(b)
}

// get sends a GET to url on tr and returns status and body.
func get(t testing.TB, tr *Transport, url string) (int, string) {
	t.Helper()
	resp, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil))
	return resp.StatusCode, body
}

// waitFor polls cond until it holds, failing after a generous while (a
// guard against hangs, not a timing assertion).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// readClose reads resp's body to its end, closes it and returns it.
func readClose(t testing.TB, resp *Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return string(b)
}
