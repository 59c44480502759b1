package turbohttp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func netClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestServerKeepAliveReuse(t *testing.T) {
	noLeaks(t)
	var news atomic.Int32
	_, addr := startServer(t, HandlerFunc(hello), func(s *Server) {
		s.ConnState = func(_ net.Conn, st ConnState) {
			if st == StateNew {
				news.Add(1)
			}
		}
	})
	client := netClient(t)
	for i := 0; i < 10; i++ {
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := news.Load(); n != 1 {
		t.Errorf("%d connections for 10 sequential requests, want 1", n)
	}
}

func TestServerConnStateSequence(t *testing.T) {
	var mu sync.Mutex
	var states []ConnState
	closed := make(chan struct{})
	_, addr := startServer(t, HandlerFunc(hello), func(s *Server) {
		s.ConnState = func(_ net.Conn, st ConnState) {
			mu.Lock()
			states = append(states, st)
			mu.Unlock()
			if st == StateClosed {
				close(closed)
			}
		}
	})
	rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	<-closed
	mu.Lock()
	defer mu.Unlock()
	want := []ConnState{StateNew, StateActive, StateActive, StateClosed}
	if len(states) != len(want) {
		t.Fatalf("states %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("states %v, want %v", states, want)
		}
	}
}

func TestServerEchoBodies(t *testing.T) {
	noLeaks(t)
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		if ct := r.Header.Peek("Content-Type"); ct != nil {
			w.Header().SetBytes([]byte("Content-Type"), ct)
		}
		io.Copy(w, r.Body)
	}))
	client := netClient(t)
	for _, size := range []int{0, 1, 100, bodyBufSize, bodyBufSize + 1, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		// A bytes.Reader has a known length; the io.MultiReader forces chunked.
		for _, rd := range []io.Reader{bytes.NewReader(body), io.MultiReader(bytes.NewReader(body))} {
			resp, err := client.Post("http://"+addr+"/echo", "application/octet-stream", rd)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("size %d: got %d bytes, err %v", size, len(got), err)
			}
			chunked := len(resp.TransferEncoding) > 0
			if wantChunked := size > bodyBufSize; chunked != wantChunked {
				t.Errorf("size %d: chunked %v, want %v", size, chunked, wantChunked)
			}
		}
	}
}

func TestServerHeadAndNoBodyStatuses(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		switch string(r.URL.Path) {
		case "/204":
			w.WriteHeader(204)
			if _, err := w.WriteString("x"); !errors.Is(err, ErrBodyNotAllowed) {
				panic("Write on 204 must fail")
			}
		case "/304":
			w.WriteHeader(304)
		default:
			w.WriteString("Hello, World!")
		}
	}))
	out := rawExchange(t, addr, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(strings.NewReader(out))
	head, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
	if err != nil || head.ContentLength != 13 || head.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("HEAD: %v %v %v", err, head.ContentLength, head.Header)
	}
	for _, want := range []int{204, 304} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("want %d: %v %v", want, resp, err)
		}
		if resp.Header.Get("Content-Length") != "" || resp.Header.Get("Transfer-Encoding") != "" {
			t.Errorf("%d carries framing: %v", want, resp.Header)
		}
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("bytes after the last response: %q", rest)
	}
}

func TestServerExpectContinue(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		if string(r.URL.Path) == "/reject" {
			w.WriteHeader(403)
			return
		}
		io.Copy(w, r.Body)
	}))
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	br := bufio.NewReader(c)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q before sending the body, want 100 Continue", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "hello" {
		t.Errorf("body %q", b)
	}
	// A handler that answers without reading gets no 100, and the
	// connection closes since the body's fate is unknown.
	out := rawExchange(t, addr, "POST /reject HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 403 ") || strings.Contains(out, "100 Continue") {
		t.Errorf("got %q", out)
	}
}

func TestServerTrailers(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Trailer", "X-Declared")
		w.WriteString("body")
		w.Trailer().Set("X-Declared", "d")
		w.Trailer().Set("X-Echo", r.Trailer.Get("X-Client"))
	}))
	out := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Client: c\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "body" || resp.Trailer.Get("X-Declared") != "d" || resp.Trailer.Get("X-Echo") != "c" {
		t.Errorf("body %q trailer %v\n%s", b, resp.Trailer, out)
	}
}

func TestServerHijack(t *testing.T) {
	noLeaks(t)
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		conn, brw, err := w.(Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo: " + line)
		brw.Flush()
	}))
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nping\n")
	if !strings.HasPrefix(out, "HTTP/1.1 101 ") || !strings.HasSuffix(out, "echo: ping\n") {
		t.Errorf("got %q", out)
	}
}

func TestServerPanicRecovered(t *testing.T) {
	logged := &syncLog{}
	log := slog.New(slog.NewTextHandler(logged, nil))
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		if string(r.URL.Path) == "/abort" {
			panic(ErrAbortHandler)
		}
		panic("boom")
	}), func(s *Server) { s.ErrorLog = log })
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") {
		t.Errorf("got %q", out)
	}
	if out := rawExchange(t, addr, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"); out != "" {
		t.Errorf("abort: got %q, want the connection closed", out)
	}
	if s := logged.String(); !strings.Contains(s, "boom") || !strings.Contains(s, "server_behavior_test.go") || strings.Count(s, "panic serving") != 1 {
		t.Errorf("log = %s", s)
	}
}

// Thousands of idle kept-alive connections do not keep a new client from
// being served.
func TestServerManyIdleConnections(t *testing.T) {
	const idle = 5000
	_, addr := startServer(t, HandlerFunc(hello))
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 512)
	for i := 0; i < idle; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		c.Write(req)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
	}
	resp, err := netClient(t).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "Hello, World!" {
		t.Errorf("got %q", b)
	}
}

func TestServerTLS(t *testing.T) {
	noLeaks(t)
	ts := httptest.NewUnstartedServer(nil) // for its certificate only
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	client := ts.Client()
	ts.Close()

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &Server{
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			if r.TLS != nil && r.TLS.HandshakeComplete {
				w.WriteString("tls")
			}
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	defer func() {
		srv.Shutdown(context.Background())
		<-done
	}()
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	client.Transport.(*http.Transport).CloseIdleConnections()
	if resp.TLS == nil || string(b) != "tls" {
		t.Errorf("TLS %v, body %q", resp.TLS != nil, b)
	}
	// Plain HTTP to the TLS port gets a plain-text 400 saying so.
	out := rawExchange(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(out, "HTTP request to an HTTPS server") {
		t.Errorf("plain request to TLS port: %q", out)
	}
}

// tempErrListener fails Accept with a temporary error a few times.
type tempErrListener struct {
	net.Listener
	fails atomic.Int32
}

type tempErr struct{}

func (tempErr) Error() string   { return "too many open files" }
func (tempErr) Temporary() bool { return true }
func (tempErr) Timeout() bool   { return false }

func (l *tempErrListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, tempErr{}
	}
	return l.Listener.Accept()
}

func TestServerAcceptRetriesTemporaryErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	tl := &tempErrListener{Listener: ln}
	tl.fails.Store(3)
	logged := &syncLog{}
	srv := &Server{Handler: HandlerFunc(hello), ErrorLog: slog.New(slog.NewTextHandler(logged, nil))}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tl) }()
	defer func() {
		srv.Close()
		<-done
	}()
	resp, err := netClient(t).Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := strings.Count(logged.String(), "accept error"); n != 3 {
		t.Errorf("%d accept errors logged, want 3:\n%s", n, logged.String())
	}
	if !strings.Contains(logged.String(), "delay=20ms") {
		t.Errorf("backoff does not double from 5ms:\n%s", logged.String())
	}
}
