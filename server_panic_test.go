package turbohttp

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// A panic in a connection's goroutine outside the handler — here in a
// ConnState hook, a connection's Read and its Write — ends that connection
// only: it is logged with its stack, the complete responses already queued
// are sent, the current request gets a 500 if nothing of its response was
// sent, and the server goes on serving.

// panicListener hands out connections whose Read or Write panic when
// their trigger says so.
type panicListener struct {
	net.Listener
	readPanics, writePanics func(n int) bool // n counts the calls, from 1
}

type panicConn struct {
	net.Conn
	l             *panicListener
	reads, writes atomic.Int32
}

func (l *panicListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &panicConn{Conn: c, l: l}, nil
}

func (c *panicConn) Read(p []byte) (int, error) {
	if f := c.l.readPanics; f != nil && f(int(c.reads.Add(1))) {
		panic("injected Read panic")
	}
	return c.Conn.Read(p)
}

func (c *panicConn) Write(p []byte) (int, error) {
	if f := c.l.writePanics; f != nil && f(int(c.writes.Add(1))) {
		panic("injected Write panic")
	}
	return c.Conn.Write(p)
}

// wantLogged checks that a panic was logged with msg and a stack.
func wantLogged(t *testing.T, log *syncLog, msg, panicText string) {
	t.Helper()
	s := log.String()
	if !strings.Contains(s, msg) || !strings.Contains(s, panicText) || !strings.Contains(s, "goroutine ") {
		t.Errorf("log does not hold %q with %q and a stack:\n%s", msg, panicText, s)
	}
}

// wantClosed checks that nothing follows on br but the end of the
// connection.
func wantClosed(t *testing.T, br *bufio.Reader) {
	t.Helper()
	if rest, err := io.ReadAll(br); len(rest) > 0 || err != nil {
		t.Fatalf("want the connection closed, got %q, %v", rest, err)
	}
}

func TestServerConnStatePanicPipelined(t *testing.T) {
	noLeaks(t)
	log := &syncLog{}
	var actives atomic.Int32
	_, addr := startServer(t, HandlerFunc(pathLen), func(s *Server) {
		s.ErrorLog = slog.New(slog.NewTextHandler(log, nil))
		s.ConnState = func(_ net.Conn, st ConnState) {
			if st == StateActive && actives.Add(1) == 2 {
				panic("injected ConnState panic")
			}
		}
	})
	c := dialServer(t, addr)
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /bb HTTP/1.1\r\nHost: x\r\n\r\nGET /ccc HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	wantAnswer(t, br, 200, "2 0 0") // queued before the panic: sent
	wantAnswer(t, br, 500, "")      // the request being served
	wantClosed(t, br)
	wantLogged(t, log, "panic in connection", "injected ConnState panic")

	c2 := dialServer(t, addr)
	io.WriteString(c2, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	wantAnswer(t, bufio.NewReader(c2), 200, "3 0 0")
}

func TestServerReadWritePanic(t *testing.T) {
	for _, tc := range []struct {
		name        string
		read, write func(int) bool
		in          string
		want        int // the status answered before the close; 0 none
		panicText   string
	}{
		// the second read is of the second request's head: the first
		// response was flushed, no request is current, nothing more is sent
		{"read", func(n int) bool { return n == 2 }, nil, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, "injected Read panic"},
		// the response's write panics, and so does the salvage's: the
		// connection just closes
		{"write", nil, func(int) bool { return true }, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, "injected Write panic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			log := &syncLog{}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &Server{Handler: HandlerFunc(pathLen), ErrorLog: slog.New(slog.NewTextHandler(log, nil))}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(&panicListener{Listener: ln, readPanics: tc.read, writePanics: tc.write}) }()
			t.Cleanup(func() { srv.Close(); <-done })
			addr := ln.Addr().String()

			c := dialServer(t, addr)
			io.WriteString(c, tc.in)
			br := bufio.NewReader(c)
			if tc.want != 0 {
				wantAnswer(t, br, tc.want, "")
			}
			wantClosed(t, br)
			wantLogged(t, log, "panic in connection", tc.panicText)
			if tc.write != nil {
				return // every connection's writes panic
			}
			c2 := dialServer(t, addr)
			io.WriteString(c2, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
			wantAnswer(t, bufio.NewReader(c2), 200, "3 0 0")
		})
	}
}
