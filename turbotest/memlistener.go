package turbotest

import (
	"context"
	"net"
	"sync"
)

// MemListener is a net.Listener of in-memory connections: each Dial makes
// a net.Pipe and hands its server end to Accept. Give Dial to a Transport
// (DialContext) and the listener to a Server, and a test runs with no
// network at all — which is what testing/synctest needs: fake time
// advances only while every goroutine of the bubble waits on something of
// the bubble, which a pipe is and a socket is not.
//
// Pipes are synchronous and cannot half-close: a write waits for the
// peer's read, and CloseWrite is not available.
type MemListener struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

// NewMemListener returns a listener ready to accept.
func NewMemListener() *MemListener {
	return &MemListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// Dial connects to the listener, waiting until Accept takes the
// connection, the listener is closed (net.ErrClosed) or ctx ends. network
// and addr are ignored: it has the signature of Transport.DialContext.
func (l *MemListener) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, net.ErrClosed
}

// Accept waits for the next Dial.
func (l *MemListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the listener: Accept and Dial fail from then on. Connections
// already made stay open.
func (l *MemListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

// Addr returns an address of network "pipe".
func (l *MemListener) Addr() net.Addr { return memAddr{} }

type memAddr struct{}

func (memAddr) Network() string { return "pipe" }
func (memAddr) String() string  { return "pipe" }
