package turbohttp

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test helpers shared by the server's and the client's tests: starting a
// server on a loopback or an in-memory listener, and the goroutine-leak
// check.

// startServer serves h on a loopback listener for the duration of the
// test; configure adjusts the Server before it starts.
func startServer(t testing.TB, h Handler, configure ...func(*Server)) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, h, configure...), ln.Addr().String()
}

// startMemServer is startServer on an in-memory listener, for tests in a
// synctest bubble.
func startMemServer(t testing.TB, h Handler, configure ...func(*Server)) (*Server, *memListener) {
	t.Helper()
	ln := newMemListener()
	return serveOn(t, ln, h, configure...), ln
}

// serveOn serves h on ln until the test ends, then closes the server and
// checks that Serve returned ErrServerClosed. (Tests of graceful shutdown
// call Shutdown themselves.)
func serveOn(t testing.TB, ln net.Listener, h Handler, configure ...func(*Server)) *Server {
	srv := &Server{Handler: h}
	for _, f := range configure {
		f(srv)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return srv
}

// memListener is a net.Listener of in-memory connections (net.Pipe), for
// the servers and clients of tests in a synctest bubble: fake time advances
// only while every goroutine of the bubble waits on something of the
// bubble, which a real socket is not and a pipe is. (turbotest.MemListener
// is the same for tests outside this package, which cannot import it.)
type memListener struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
	// dials counts the dials; gate, when set, runs at the start of each
	// (to make dials slow or block them).
	dials atomic.Int64
	gate  func(ctx context.Context, n int64) error
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// DialContext connects to the listener; it suits either Transport.
func (l *memListener) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n := l.dials.Add(1)
	if l.gate != nil {
		if err := l.gate(ctx, n); err != nil {
			return nil, err
		}
	}
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dial connects to the listener; the connection is closed when the test
// ends.
func (l *memListener) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := l.DialContext(context.Background(), "pipe", "pipe")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return memAddr{} }

type memAddr struct{}

func (memAddr) Network() string { return "pipe" }
func (memAddr) String() string  { return "pipe:80" }

// syncLog collects what a Server logs.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// noLeaks fails the test if goroutines started during it are still
// running once it ends, after closing the idle connections of the
// transports given. Connection goroutines end shortly after their server
// closes, so it waits for them; the bound only turns a leak into a
// failure, and is generous so that a loaded machine does not trip it.
func noLeaks(t testing.TB, transports ...*Transport) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for _, tr := range transports {
			tr.CloseIdleConnections()
		}
		deadline := time.Now().Add(30 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines leaked: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(time.Millisecond)
			// a dial that finished after the first close left an idle
			// connection (an HTTP/2 one has two goroutines)
			for _, tr := range transports {
				tr.CloseIdleConnections()
			}
		}
	})
}
