package turbohttp

import (
	"bufio"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServerHTTP10KeepAlive(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	out := rawExchange(t, addr, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n")
	br := bufio.NewReader(strings.NewReader(out))
	first, err := http.ReadResponse(br, nil)
	if err != nil || first.Header.Get("Connection") != "keep-alive" || first.ContentLength != 13 {
		t.Fatalf("first: %v %v", err, first.Header)
	}
	io.ReadAll(first.Body)
	second, err := http.ReadResponse(br, nil)
	if err != nil || !second.Close {
		t.Fatalf("second response must close the connection: %v %v", err, second)
	}
}

// An HTTP/1.0 client gets a body of unknown length delimited by the end of
// the connection, never chunked.
func TestServerHTTP10StreamingBody(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteString("part1")
		w.Flush()
		w.WriteString("part2")
	}))
	out := rawExchange(t, addr, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if strings.Contains(out, "chunked") || !strings.HasSuffix(out, "\r\n\r\npart1part2") || !strings.Contains(out, "Connection: close") {
		t.Errorf("got %q", out)
	}
}

func TestServerDrainsUnreadBody(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	small := strings.Repeat("x", 1000)
	out := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"+small+"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if n := strings.Count(out, "HTTP/1.1 200 OK"); n != 2 {
		t.Errorf("a small unread body must be drained and the connection kept: %d responses", n)
	}
	// More than MaxDrainBytes left unread: the connection closes after the
	// response rather than read it all.
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
	go func() { // keep sending, as a real upload would, until the server closes
		chunk := make([]byte, 64<<10)
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	io.ReadAll(resp.Body)
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("the connection stays open after an undrainable body")
	}
}

func TestServerEarlyHints(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(StatusEarlyHints)
		w.Header().Del("Link")
		w.WriteString("<html>")
	}))
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	want := "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\nHTTP/1.1 200 OK\r\n"
	if !strings.HasPrefix(out, want) || strings.Count(out, "Link:") != 1 {
		t.Errorf("got %q", out)
	}
}

func TestServerSniffsContentType(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteString("<!DOCTYPE html><html>")
	}))
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "\r\nContent-Type: text/html; charset=utf-8\r\n") {
		t.Errorf("got %q", out)
	}
}

// Fields that would split the head are never sent; the response logs
// the first one it drops, once.
func TestServerDropsUnsafeResponseFields(t *testing.T) {
	log := &syncLog{}
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("X-Evil", "a\r\nSet-Cookie: stolen=1")
		w.Header().Set("Bad Name", "v")
		w.Header().Set("X-Good", "ok")
	}), func(s *Server) { s.ErrorLog = slog.New(slog.NewTextHandler(log, nil)) })
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if strings.Contains(out, "stolen") || strings.Contains(out, "Bad Name") || !strings.Contains(out, "X-Good: ok") {
		t.Errorf("got %q", out)
	}
	if n := strings.Count(log.String(), "response field not sent"); n != 1 || !strings.Contains(log.String(), "X-Evil") {
		t.Errorf("logged %d times, want once, naming X-Evil:\n%s", n, log)
	}
}

// Trailers that cannot be sent — an invalid name or value, or a field a
// trailer must not carry — are left out of the trailer section and of the
// Trailer declaration alike.
func TestServerDropsUnsafeTrailers(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Trailer().Set("X-T\r\nInjected: yes", "v")
		w.Trailer().Set("Content-Length", "1")
		w.Trailer().Set("X-Bad-Value", "a\r\nInjected: yes")
		w.Trailer().Set("X-Sum", "42")
		w.WriteString("body")
	}), func(s *Server) { s.ErrorLog = slog.New(slog.NewTextHandler(io.Discard, nil)) })
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	want := "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n"
	if !strings.Contains(out, want) || strings.Contains(out, "Injected") || !strings.HasSuffix(out, "4\r\nbody\r\n0\r\nX-Sum: 42\r\n\r\n") {
		t.Errorf("got %q", out)
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	if len(resp.Trailer) != 1 || resp.Trailer.Get("X-Sum") != "42" {
		t.Errorf("net/http read trailers %v", resp.Trailer)
	}
}

// The framing fields follow the status: none on a 204 or a 1xx, none on a
// 2xx to CONNECT, which turns the connection into a tunnel that ends when
// the connection closes.
func TestServerFramingFieldsByStatus(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Content-Length", "3")
		w.Header().Set("Transfer-Encoding", "chunked")
		switch string(r.URL.Path) {
		case "/204":
			w.WriteHeader(StatusNoContent)
		case "/103":
			w.WriteHeader(StatusEarlyHints)
			w.WriteString("abc")
		default: // CONNECT
			w.WriteString("abc")
		}
	}))
	for _, tc := range []struct{ req, want string }{
		{"GET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 204 No Content\r\nDate: "},
		{"GET /103 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: "},
		{"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", "HTTP/1.1 200 OK\r\nDate: "},
	} {
		out := rawExchange(t, addr, tc.req)
		if !strings.HasPrefix(out, tc.want) || strings.Contains(out, "Transfer-Encoding") ||
			strings.Count(out, "Content-Length") != strings.Count(tc.want, "Content-Length") {
			t.Errorf("%q: got %q", tc.req, out)
		}
		if tc.req[0] == 'C' && !strings.HasSuffix(out, "Connection: close\r\n\r\nabc") {
			t.Errorf("CONNECT: got %q, want the body as tunnel data and the connection closed", out)
		}
	}
}

func TestServerShutdownClosesIdleConnections(t *testing.T) {
	noLeaks(t)
	srv, addr := startServer(t, HandlerFunc(hello))
	c, br := idleConnection(t, addr)
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(t.Context()) }()
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection during Shutdown: %v, want EOF", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// A 101 head sent by the server keeps the handler's Connection: Upgrade.
func TestServerSwitchingProtocolsKeepsConnectionField(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "echo")
		w.WriteHeader(StatusSwitchingProtocols)
		w.Flush()
		conn, brw, err := w.(Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		line, _ := brw.ReadString('\n')
		conn.Write([]byte("echo: " + line))
	}))
	out := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nping\n")
	if !strings.HasPrefix(out, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n") || !strings.HasSuffix(out, "\r\n\r\necho: ping\n") {
		t.Errorf("got %q", out)
	}
}

// testTLS returns a server certificate and a client configuration that
// trusts it.
func testTLS(t *testing.T) (tls.Certificate, *tls.Config) {
	ts := httptest.NewUnstartedServer(nil) // for its certificate only
	ts.StartTLS()
	defer ts.Close()
	return ts.TLS.Certificates[0], ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}

// serveTLSOn runs srv.ServeTLS on a loopback listener until the test ends.
func serveTLSOn(t *testing.T, srv *Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

// ServeTLS offers only the protocols the server speaks: with HTTP/2 left
// out of Protocols, a client that tries HTTP/2 first (autocert's
// NextProtos offer it) gets HTTP/1.1, and the caller's other protocols
// (acme-tls/1) still negotiate.
func TestServerTLSOffersOnlyWhatItSpeaks(t *testing.T) {
	noLeaks(t)
	cert, clientCfg := testTLS(t)
	var http1 Protocols
	http1.SetHTTP1(true)
	srv := &Server{Handler: HandlerFunc(hello), Protocols: &http1, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1", "acme-tls/1"},
	}}
	addr := serveTLSOn(t, srv)

	tr := &http.Transport{TLSClientConfig: clientCfg, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Proto != "HTTP/1.1" || string(body) != "Hello, World!" {
		t.Errorf("got %s %q", resp.Proto, body)
	}

	acme := clientCfg.Clone()
	acme.NextProtos = []string{"acme-tls/1"}
	c, err := tls.Dial("tcp", addr, acme)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "acme-tls/1" {
		t.Errorf("negotiated %q, want acme-tls/1", p)
	}
}

// A connection from the caller's own TLS listener that negotiated a
// protocol the server does not speak is closed, not answered in HTTP/1.1.
func TestServerClosesUnservedProtocol(t *testing.T) {
	noLeaks(t)
	cert, clientCfg := testTLS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var http1 Protocols
	http1.SetHTTP1(true)
	srv := &Server{Handler: HandlerFunc(hello), Protocols: &http1}
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}}))
	}()
	defer func() { srv.Close(); <-done }()

	clientCfg.NextProtos = []string{"h2"}
	c, err := tls.Dial("tcp", ln.Addr().String(), clientCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if out, err := io.ReadAll(c); len(out) > 0 || err != nil {
		t.Errorf("got %q, %v; want the connection closed", out, err)
	}
}

// "OPTIONS *" asks about the server: it answers 200 with an empty body
// itself, unless DisableGeneralOptionsHandler passes it to the handler.
func TestServerGeneralOptions(t *testing.T) {
	for _, disable := range []bool{false, true} {
		_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
			w.WriteString("handler saw " + string(r.URL.Path))
		}), func(s *Server) { s.DisableGeneralOptionsHandler = disable })
		c := dialServer(t, addr)
		io.WriteString(c, "OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		switch {
		case !disable && (resp.StatusCode != 200 || resp.ContentLength != 0 || len(body) != 0):
			t.Errorf("general OPTIONS: %d, length %d, %q", resp.StatusCode, resp.ContentLength, body)
		case disable && string(body) != "handler saw *":
			t.Errorf("with DisableGeneralOptionsHandler: %d %q", resp.StatusCode, body)
		}
		wantAnswer(t, br, 200, "handler saw /next") // the body was skipped, the connection kept
	}
}

// A response written while Shutdown is in progress tells the client that
// the connection closes after it.
func TestServerShutdownResponseCloses(t *testing.T) {
	noLeaks(t)
	shuttingDown := make(chan struct{})
	entered := make(chan struct{})
	srv, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		close(entered)
		<-shuttingDown
		w.WriteString("late")
	}))
	var once sync.Once
	srv.RegisterOnShutdown(func() { once.Do(func() { close(shuttingDown) }) })
	c := dialServer(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(t.Context()) }()
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "late" || !resp.Close {
		t.Errorf("got %q, Close %v, header %v", body, resp.Close, resp.Header)
	}
	wantClosed(t, br)
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// An HTTP/0.9 request line, without a version, is a bad request (400),
// not an unsupported version; the connection closes.
func TestServerHTTP09Rejected(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	out := rawExchange(t, addr, "GET /\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(out, "Connection: close\r\n") {
		t.Errorf("got %q", out)
	}
}
