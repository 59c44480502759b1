package turbohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the Server's limits and timeouts; a zero field means its
// default, a negative one means none (where a limit can be turned off).
const (
	// DefaultReadHeaderTimeout bounds the time to read a request head once
	// its first byte has arrived.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout bounds how long a kept-alive connection waits for
	// the next request.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultTLSHandshakeTimeout bounds the TLS handshake of a new
	// connection.
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// DefaultMaxHeaderBytes bounds a request head (431 beyond).
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultMaxHeaderFields bounds the fields of a request head (431).
	DefaultMaxHeaderFields = 1000
	// DefaultMaxRequestTarget bounds the request target (414 beyond).
	DefaultMaxRequestTarget = 8 << 10
	// DefaultMaxDrainBytes is how much of a request body the handler left
	// unread the server reads and discards to keep the connection; past
	// it, the connection is closed instead.
	DefaultMaxDrainBytes = 256 << 10
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("turbohttp: Server closed")

// A Server serves HTTP on the connections it accepts. Its fields must not be
// changed once it serves. The zero value serves DefaultServeMux.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on, ":http" (or
	// ":https") when empty.
	Addr string

	// Handler answers every request; nil means DefaultServeMux, which
	// Serve then sets here.
	Handler Handler

	// TLSConfig is cloned by ServeTLS and ListenAndServeTLS; nil means a
	// default configuration.
	TLSConfig *tls.Config

	// ReadHeaderTimeout bounds the reading of a request head, from its
	// first byte; on HTTP/2, the client's connection preface and SETTINGS.
	// Zero means DefaultReadHeaderTimeout, negative none.
	ReadHeaderTimeout time.Duration

	// ReadTimeout bounds the reading of a whole request, body included,
	// from its first byte (on HTTP/2, a read of the body past it fails).
	// Zero means none.
	ReadTimeout time.Duration

	// WriteTimeout bounds the writing of a response, from the end of the
	// request head (on HTTP/2, the stream is reset past it). Zero means
	// none.
	WriteTimeout time.Duration

	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection; on HTTP/2, the time a connection stays open with no
	// stream, after which it is closed with GOAWAY. Zero means
	// DefaultIdleTimeout, negative none.
	IdleTimeout time.Duration

	// TLSHandshakeTimeout bounds the TLS handshake. Zero means
	// DefaultTLSHandshakeTimeout, negative none.
	TLSHandshakeTimeout time.Duration

	// MaxHeaderBytes bounds a request head; a larger one is answered with
	// 431. Zero means DefaultMaxHeaderBytes.
	MaxHeaderBytes int

	// MaxHeaderFields bounds the number of fields in a request head; more
	// are answered with 431. Zero means DefaultMaxHeaderFields.
	MaxHeaderFields int

	// MaxRequestTarget bounds the request target; a longer one is
	// answered with 414. Zero means DefaultMaxRequestTarget.
	MaxRequestTarget int

	// MaxDrainBytes bounds how much of an unread request body is read
	// and discarded after the handler returns, to keep the connection.
	// Zero means DefaultMaxDrainBytes, negative never drain.
	MaxDrainBytes int64

	// DisableKeepAlives closes every connection after one response.
	DisableKeepAlives bool

	// DisableGeneralOptionsHandler passes "OPTIONS *" requests to Handler.
	// By default the server answers them itself with 200 and an empty
	// body, as net/http does (RFC 9110 §9.3.7: they ask about the server,
	// not a resource).
	DisableGeneralOptionsHandler bool

	// Protocols chooses the protocols served; nil means HTTP/1 and, over
	// TLS, HTTP/2 (offered through ALPN ahead of http/1.1). HTTP/2 on plain
	// connections (h2c with prior knowledge) must be enabled here.
	Protocols *Protocols

	// HTTP2 configures HTTP/2 connections; nil means the defaults.
	HTTP2 *HTTP2Config

	// ConnState, if set, is called when a connection changes state.
	ConnState func(net.Conn, ConnState)

	// ErrorLog receives errors accepting connections, panics in handlers
	// and failed TLS handshakes; nil means slog.Default().
	ErrorLog *slog.Logger

	// BaseContext returns the base context of the connections accepted
	// from a listener; nil means context.Background().
	BaseContext func(net.Listener) context.Context

	// ConnContext derives the context of a new connection, the parent of
	// its requests' contexts.
	ConnContext func(ctx context.Context, c net.Conn) context.Context

	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*conn]struct{}
	onShutdown []func()
	listenerWG sync.WaitGroup
	inShutdown atomic.Bool
}

// ConnState is the state of a server connection, reported to the ConnState
// hook.
type ConnState int

const (
	// StateNew: accepted, no request read yet.
	StateNew ConnState = iota
	// StateActive: a request is being read or answered.
	StateActive
	// StateIdle: between requests on a kept-alive connection.
	StateIdle
	// StateHijacked: taken over by a handler; final.
	StateHijacked
	// StateClosed: closed by the server; final.
	StateClosed
)

var stateName = [...]string{"new", "active", "idle", "hijacked", "closed"}

func (s ConnState) String() string {
	if s >= 0 && int(s) < len(stateName) {
		return stateName[s]
	}
	return "unknown"
}

// ListenAndServe listens on srv.Addr and serves requests until Shutdown or
// Close; it returns ErrServerClosed then.
func (srv *Server) ListenAndServe() error {
	if srv.inShutdown.Load() {
		return ErrServerClosed
	}
	addr := srv.Addr
	if addr == "" {
		addr = ":http"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return srv.Serve(ln)
}

// ListenAndServeTLS is ListenAndServe with TLS, using the certificate and
// key in the files named (both may be empty when srv.TLSConfig has
// certificates).
func (srv *Server) ListenAndServeTLS(certFile, keyFile string) error {
	if srv.inShutdown.Load() {
		return ErrServerClosed
	}
	addr := srv.Addr
	if addr == "" {
		addr = ":https"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	return srv.ServeTLS(ln, certFile, keyFile)
}

// ServeTLS serves TLS connections accepted from ln. The protocols offered
// through ALPN are those of TLSConfig.NextProtos that the server speaks or
// that TLS itself handles (such as "acme-tls/1"), with "h2" and
// "http/1.1" added, in that order of preference, when Protocols includes
// them and TLSConfig does not name them; an HTTP protocol the server does
// not serve is left out.
func (srv *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	cfg := &tls.Config{}
	if srv.TLSConfig != nil {
		cfg = srv.TLSConfig.Clone()
	}
	cfg.NextProtos = offeredProtos(cfg.NextProtos, srv.protocols())
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil || certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return err
		}
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	return srv.Serve(tls.NewListener(ln, cfg))
}

// unservedProtos are the ALPN names of HTTP versions the server never
// speaks over TLS.
var unservedProtos = []string{"h2c", "spdy/3.1", "spdy/3", "spdy/2", "spdy/1"}

// offeredProtos returns the ALPN protocols to offer, given the caller's
// and the protocols served: theirs without those not served, then "h2"
// and "http/1.1" when served and not named.
func offeredProtos(protos []string, served Protocols) []string {
	protos = slices.DeleteFunc(slices.Clone(protos), func(p string) bool {
		return slices.Contains(unservedProtos, p) ||
			p == "h2" && !served.HTTP2() || p == "http/1.1" && !served.HTTP1()
	})
	if served.HTTP2() && !slices.Contains(protos, "h2") {
		protos = append(protos, "h2")
	}
	if served.HTTP1() && !slices.Contains(protos, "http/1.1") {
		protos = append(protos, "http/1.1")
	}
	return protos
}

// ListenAndServe serves handler on addr with a Server of default settings.
func ListenAndServe(addr string, handler Handler) error {
	srv := &Server{Addr: addr, Handler: handler}
	return srv.ListenAndServe()
}

// Serve accepts connections from ln and serves each on its own goroutine,
// until Shutdown or Close (it returns ErrServerClosed) or a permanent
// accept error. Temporary accept errors, such as running out of file
// descriptors, are logged and retried with a backoff from 5 ms doubling up
// to 1 s. Serve closes ln when it returns.
func (srv *Server) Serve(ln net.Listener) error {
	srv.mu.Lock()
	if srv.Handler == nil {
		srv.Handler = DefaultServeMux // before any connection reads it
	}
	srv.mu.Unlock()
	ln = &onceCloseListener{Listener: ln}
	defer ln.Close()
	if !srv.trackListener(&ln, true) {
		return ErrServerClosed
	}
	defer srv.trackListener(&ln, false)

	baseCtx := context.Background()
	if srv.BaseContext != nil {
		if baseCtx = srv.BaseContext(ln); baseCtx == nil {
			panic("turbohttp: BaseContext returned a nil context")
		}
	}
	var delay time.Duration
	for {
		rwc, err := ln.Accept()
		if err != nil {
			if srv.inShutdown.Load() {
				return ErrServerClosed
			}
			if !isTemporary(err) {
				return err
			}
			delay = max(5*time.Millisecond, min(2*delay, time.Second))
			srv.logger().Error("turbohttp: accept error; retrying", "err", err, "delay", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		ctx := baseCtx
		if srv.ConnContext != nil {
			if ctx = srv.ConnContext(ctx, rwc); ctx == nil {
				panic("turbohttp: ConnContext returned a nil context")
			}
		}
		c := srv.newConn(rwc)
		c.setState(StateNew)
		go c.serve(ctx)
	}
}

// isTemporary reports whether an accept error may go away by itself
// (EMFILE, ENFILE, ECONNABORTED and the like).
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (srv *Server) logger() *slog.Logger {
	if srv.ErrorLog != nil {
		return srv.ErrorLog
	}
	return slog.Default()
}

// trackListener adds or removes ln; adding fails once the server shuts down.
func (srv *Server) trackListener(ln *net.Listener, add bool) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.listeners == nil {
		srv.listeners = make(map[*net.Listener]struct{})
	}
	if add {
		if srv.inShutdown.Load() {
			return false
		}
		srv.listeners[ln] = struct{}{}
		srv.listenerWG.Add(1)
	} else {
		delete(srv.listeners, ln)
		srv.listenerWG.Done()
	}
	return true
}

func (srv *Server) trackConn(c *conn, add bool) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.conns == nil {
		srv.conns = make(map[*conn]struct{})
	}
	if add {
		srv.conns[c] = struct{}{}
	} else {
		delete(srv.conns, c)
	}
}

// RegisterOnShutdown registers f to be called, on its own goroutine, when
// Shutdown begins: for connections the server does not track, such as
// hijacked ones.
func (srv *Server) RegisterOnShutdown(f func()) {
	srv.mu.Lock()
	srv.onShutdown = append(srv.onShutdown, f)
	srv.mu.Unlock()
}

// Shutdown stops the server gracefully: it closes the listeners, then
// closes connections as they become idle and waits for the active ones to
// finish their response. It returns nil once every connection is closed,
// or ctx's error if ctx ends first (the remaining connections stay open;
// Close ends them). Serve returns ErrServerClosed at once.
func (srv *Server) Shutdown(ctx context.Context) error {
	srv.inShutdown.Store(true)
	srv.mu.Lock()
	err := srv.closeListenersLocked()
	for _, f := range srv.onShutdown {
		go f()
	}
	srv.mu.Unlock()
	srv.listenerWG.Wait()

	const maxPoll = 500 * time.Millisecond
	poll := time.Millisecond
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		if srv.closeIdleConns() {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			poll = min(2*poll, maxPoll)
			timer.Reset(poll)
		}
	}
}

// Close closes the listeners and every connection at once, active ones
// included. For a graceful stop, use Shutdown.
func (srv *Server) Close() error {
	srv.inShutdown.Store(true)
	srv.mu.Lock()
	err := srv.closeListenersLocked()
	srv.mu.Unlock()
	srv.listenerWG.Wait()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for c := range srv.conns {
		c.rwc.Close()
		delete(srv.conns, c)
	}
	return err
}

func (srv *Server) closeListenersLocked() error {
	var err error
	for ln := range srv.listeners {
		if cerr := (*ln).Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// closeIdleConns closes the connections that are idle, or new and quiet
// for long enough that the client is not about to send a request, and
// reports whether no connection is left.
func (srv *Server) closeIdleConns() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	quiet := true
	for c := range srv.conns {
		if c.h2 != nil {
			// HTTP/2 closes gracefully: GOAWAY, then the streams in flight
			// finish and the connection ends itself.
			c.h2.shutdown()
			quiet = false
			continue
		}
		st := c.getState()
		if st == StateNew && time.Since(c.created) > 5*time.Second {
			st = StateIdle // a client that never sent a request
		}
		if st != StateIdle {
			quiet = false
			continue
		}
		c.rwc.Close()
		delete(srv.conns, c)
	}
	return quiet
}

// onceCloseListener makes Close idempotent, since both Serve and Shutdown
// close the listener.
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}
