package turbotest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"sync"

	"turbohttp"
)

// Server is a turbohttp.Server listening on a loopback address, for tests.
// Close it when the test ends (defer srv.Close(), or t.Cleanup).
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port" (or
	// https), with no trailing slash.
	URL string

	// Listener is the listener the server accepts from.
	Listener net.Listener

	// TLS is the server's TLS configuration. NewTLSServer fills it; on an
	// unstarted server it may be set before StartTLS, which then adds the
	// test certificate only if it has none.
	TLS *tls.Config

	// Config is the server. On an unstarted server its fields may be
	// changed before Start or StartTLS; its ConnState hook, if any, is
	// still called.
	Config *turbohttp.Server

	certificate *x509.Certificate
	transport   *turbohttp.Transport
	client      *turbohttp.Client

	served chan error // Serve's result, once started
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]turbohttp.ConnState
}

// NewServer starts and returns a plain HTTP server for handler.
func NewServer(handler turbohttp.Handler) *Server {
	s := NewUnstartedServer(handler)
	s.Start()
	return s
}

// NewTLSServer starts and returns an HTTPS server for handler, with a
// self-signed certificate for 127.0.0.1, ::1, localhost and example.com
// that the server's Client trusts (and nothing else does).
func NewTLSServer(handler turbohttp.Handler) *Server {
	s := NewUnstartedServer(handler)
	s.StartTLS()
	return s
}

// NewUnstartedServer returns a server for handler listening on a loopback
// port, not yet serving: change Config or TLS, then call Start or
// StartTLS. It panics when no loopback address can be listened on, as a
// test cannot go on without one.
func NewUnstartedServer(handler turbohttp.Handler) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("turbotest: failed to listen on a port: %v", err))
		}
	}
	return &Server{Listener: ln, Config: &turbohttp.Server{Handler: handler}}
}

// Start serves plain HTTP. It panics if the server was started already.
func (s *Server) Start() {
	s.start("http", s.Config.Serve)
}

// StartTLS serves HTTPS. It panics if the server was started already.
func (s *Server) StartTLS() {
	cert, err := testCert()
	if err != nil {
		panic("turbotest: making the test certificate: " + err.Error())
	}
	if s.TLS == nil {
		s.TLS = &tls.Config{}
	}
	if len(s.TLS.Certificates) == 0 && s.TLS.GetCertificate == nil {
		s.TLS.Certificates = []tls.Certificate{cert}
	}
	s.certificate = cert.Leaf
	if len(s.TLS.Certificates) > 0 && s.TLS.Certificates[0].Leaf != nil {
		s.certificate = s.TLS.Certificates[0].Leaf
	}
	s.Config.TLSConfig = s.TLS
	s.start("https", func(ln net.Listener) error { return s.Config.ServeTLS(ln, "", "") })
}

func (s *Server) start(scheme string, serve func(net.Listener) error) {
	if s.served != nil {
		panic("turbotest: Server already started")
	}
	s.URL = scheme + "://" + s.Listener.Addr().String()
	s.transport = &turbohttp.Transport{}
	if s.certificate != nil {
		pool := x509.NewCertPool()
		pool.AddCert(s.certificate)
		s.transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	s.client = &turbohttp.Client{Transport: s.transport}
	s.conns = make(map[net.Conn]turbohttp.ConnState)
	hook := s.Config.ConnState
	s.Config.ConnState = func(c net.Conn, st turbohttp.ConnState) {
		s.track(c, st)
		if hook != nil {
			hook(c, st)
		}
	}
	s.served = make(chan error, 1)
	go func() { s.served <- serve(s.Listener) }()
}

// track follows the state of every connection, so that Close can close
// the quiet ones at once and wait for the others.
func (s *Server) track(c net.Conn, st turbohttp.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case turbohttp.StateNew:
		s.wg.Add(1)
		s.conns[c] = st
		if s.closed {
			c.Close() // accepted as Close began: never served
		}
	case turbohttp.StateClosed, turbohttp.StateHijacked:
		if _, ok := s.conns[c]; ok {
			delete(s.conns, c)
			s.wg.Done()
		}
	default:
		s.conns[c] = st
	}
}

// Certificate returns the certificate of a TLS server, nil for a plain
// one.
func (s *Server) Certificate() *x509.Certificate { return s.certificate }

// Client returns a Client configured for the server: for a TLS server it
// trusts the server's certificate. Close closes its idle connections.
func (s *Server) Client() *turbohttp.Client { return s.client }

// Transport returns the Transport of Client, for tests that call Do
// themselves.
func (s *Server) Transport() *turbohttp.Transport { return s.transport }

// Close shuts the server down and waits: it stops accepting, closes the
// connections that are idle or have not sent a request, lets the active
// ones finish their response, and returns once every connection has
// closed (or been hijacked) and Serve has returned. A handler that never
// returns makes Close wait for ever, as it would a test. It also closes
// the idle connections of Client. Close may be called more than once.
func (s *Server) Close() {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	for c, st := range s.conns {
		if st == turbohttp.StateNew || st == turbohttp.StateIdle {
			c.Close()
		}
	}
	s.mu.Unlock()
	if s.served == nil {
		s.Listener.Close()
		return
	}
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
	if already {
		s.wg.Wait()
		return
	}
	// Shutdown closes the rest as they become idle; its only error, with
	// no deadline, is one closing the listener, which Serve reports too.
	_ = s.Config.Shutdown(context.Background())
	<-s.served
	s.wg.Wait()
}

// CloseClientConnections closes every connection of the server at once,
// active ones included, as a client that went away would. The server goes
// on accepting new ones.
func (s *Server) CloseClientConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}
