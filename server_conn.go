package turbohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"turbohttp/h1"
)

// conn is one accepted connection. Everything but state is owned by the
// connection's goroutine (serve), which settles the protocol (TLS and
// ALPN, or the h2c preface) and then, for HTTP/1, parses a request, runs
// the handler inline, writes the response and loops, with the state of
// the exchange in h1state; an HTTP/2 connection is served by its h2conn
// (server_h2conn.go).
type conn struct {
	srv *Server
	rwc net.Conn

	// state is the ConnState; Shutdown reads it from another goroutine.
	state atomic.Uint32
	// created is when the connection was accepted; set before serve.
	created time.Time

	// Everything below is owned by the serve goroutine.
	tlsState *tls.ConnectionState
	in       readBuf // released while the connection is quiet (see awaitRequest)
	wbuf     []byte  // response bytes not yet written to rwc
	// wdone is the length of the complete responses at the start of wbuf;
	// what follows belongs to the response being made.
	wdone int
	// serving is set from a request's parsed head until its response is
	// complete; headSent once a byte of that response reached rwc.
	serving, headSent bool
	// h1state is the HTTP/1 exchange, set when serve settles on HTTP/1;
	// a connection that speaks HTTP/2 never has one.
	*h1state
	// deadline is the read deadline currently set on rwc (zero: none).
	deadline time.Time
	// now is the time the last response head was made, a clock read once
	// per request that also serves the next deadline decision.
	now time.Time
	// closing is set when the connection must close after the current
	// response.
	closing bool
	// hijacked is set once a handler took the connection over.
	hijacked bool
	// linger is set when the connection closes with input left unread.
	linger bool
	// one is the buffer of the one-byte read that waits for a quiet
	// connection's next request without holding a read buffer.
	one [1]byte
	// h2 is set, before serveH2 starts, on a connection that speaks
	// HTTP/2 (server_h2conn.go); Shutdown reads it under srv.mu.
	h2 *h2conn
}

// h1state is what an HTTP/1 connection reuses from request to request:
// the parsed head, the Request, the ResponseWriter and the body reader.
// It is most of an HTTP/1 connection's memory, kept apart from conn so
// that a connection serving HTTP/2 does not carry it.
type h1state struct {
	lim   h1.Limits
	head  h1.RequestHead
	req   Request
	resp  response
	body  requestBody
	watch watcher
}

// speakHTTP1 gives c the state of an HTTP/1 exchange; ctx is the
// connection's context, the base of every request's.
func (c *conn) speakHTTP1(ctx context.Context) {
	srv := c.srv
	c.h1state = &h1state{lim: h1.Limits{
		MaxHeaderBytes: pick(srv.MaxHeaderBytes, DefaultMaxHeaderBytes),
		MaxFields:      pick(srv.MaxHeaderFields, DefaultMaxHeaderFields),
		MaxTargetBytes: pick(srv.MaxRequestTarget, DefaultMaxRequestTarget),
	}}
	c.resp.c = c
	c.body.c = c
	c.watch.c = c
	c.req.watch = c.watch.want
	c.req.baseCtx = ctx
}

const (
	// quietAfter is how long a kept-alive connection waits for its next
	// request holding its read buffer; past it, the buffer goes back to
	// the pool and the wait goes on with a one-byte read, so idle
	// connections cost little memory. A busy connection never reaches
	// it; a quiet one pays one extra read syscall for its next request.
	// Short, so that buffers freed by quiet connections serve new ones
	// instead of piling up when many clients connect at once.
	quietAfter = 200 * time.Millisecond
)

func (srv *Server) newConn(rwc net.Conn) *conn {
	c := &conn{srv: srv, rwc: rwc, created: time.Now()}
	c.in.init(rwc)
	srv.trackConn(c, true)
	return c
}

func pick(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (c *conn) setState(s ConnState) {
	c.state.Store(uint32(s))
	if hook := c.srv.ConnState; hook != nil {
		hook(c.rwc, s)
	}
}

func (c *conn) getState() ConnState { return ConnState(c.state.Load()) }

// serve runs the connection until it closes or is hijacked. A panic
// anywhere in it ends this connection only (see salvage).
func (c *conn) serve(ctx context.Context) {
	defer func() {
		c.salvage(recover())
		c.contain(c.close)
	}()
	if tc, ok := c.rwc.(*tls.Conn); ok {
		if !c.handshake(ctx, tc) {
			return
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.tlsState != nil && c.tlsState.NegotiatedProtocol == "h2" {
		c.serveH2(ctx)
		return
	}
	if c.tlsState == nil && c.srv.protocols().UnencryptedHTTP2() {
		if h2c, err := c.sawH2Preface(); err != nil || h2c {
			if h2c {
				c.serveH2(ctx)
			}
			return
		}
	}
	c.speakHTTP1(ctx)
	for {
		n, err := c.readRequest()
		if err != nil {
			c.rejectRequest(err)
			return
		}
		c.serving, c.headSent = true, false
		c.setState(StateActive)
		if !c.serveRequest(n) || c.hijacked {
			return
		}
		c.serving = false
		c.wdone = len(c.wbuf)
		if c.closing || c.srv.inShutdown.Load() {
			c.flush()
			return
		}
		c.in.settle()
		// Answer pipelined requests before flushing, so that they go out
		// in one write.
		pipelined := c.in.buffered() > 0
		if !pipelined || len(c.wbuf) >= 32<<10 {
			if !c.flush() {
				return
			}
		}
		if !pipelined {
			c.setState(StateIdle)
		}
	}
}

// salvage ends a connection whose goroutine panicked with p (nil: none):
// it logs the panic with its stack, writes the complete responses already
// queued, drops a partial one, and answers the current request with a 500
// if no byte of its response was sent yet. The connection then closes.
func (c *conn) salvage(p any) {
	if p == nil {
		return
	}
	c.logPanic("turbohttp: panic in connection", p)
	c.contain(func() {
		if c.h1state == nil {
			return // HTTP/2 (serveH2 recovers its own) or a TLS handshake
		}
		c.watch.stop()
		if c.hijacked {
			return
		}
		c.wbuf = c.wbuf[:min(c.wdone, len(c.wbuf))]
		c.linger = false
		if c.serving && !c.headSent {
			c.writeError(StatusInternalServerError, "")
			return
		}
		c.rwc.SetWriteDeadline(time.Now().Add(time.Second))
		c.flush()
	})
}

// contain runs f, logging a panic in it instead of letting it end the
// process: the connection is being torn down and must not take others
// with it.
func (c *conn) contain(f func()) {
	defer func() {
		if p := recover(); p != nil {
			c.logPanic("turbohttp: panic closing connection", p)
			c.rwc.Close()
		}
	}()
	f()
}

// logPanic logs p with the stack of the panicking goroutine.
func (c *conn) logPanic(msg string, p any) {
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	c.srv.logger().Error(msg, "remote", c.rwc.RemoteAddr().String(), "panic", fmt.Sprint(p), "stack", string(buf))
}

// close ends the connection, unless it was hijacked.
// The server forgets the connection even if a step panics (a ConnState
// hook, a Read during the lingering close), so that Shutdown does not wait
// for it.
func (c *conn) close() {
	defer c.srv.trackConn(c, false)
	if c.hijacked {
		return
	}
	defer c.setState(StateClosed)
	defer c.rwc.Close()
	if c.linger {
		c.lingerClose()
	}
	c.in.drop()
}

// Lingering close: how long and how much the server goes on reading from a
// client after its last response, when the client may still be sending.
const (
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 256 << 10
)

// lingerClose half-closes the connection, then reads and discards what the
// client still sends, for a while: closing a socket with unread input makes
// the kernel send a reset, which can destroy the last response before the
// client reads it (a 413 or 431, say, sent while the client still uploads).
func (c *conn) lingerClose() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.rwc.SetReadDeadline(time.Now().Add(lingerTime))
	io.CopyN(io.Discard, c.rwc, lingerBytes)
}

// handshake runs the TLS handshake within TLSHandshakeTimeout. A client
// that speaks plain HTTP to the TLS port gets a plain-text 400 telling it
// so.
func (c *conn) handshake(ctx context.Context, tc *tls.Conn) bool {
	if d := c.srv.TLSHandshakeTimeout; d >= 0 {
		if d == 0 {
			d = DefaultTLSHandshakeTimeout
		}
		tc.SetDeadline(time.Now().Add(d))
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader[:]) {
			re.Conn.Write(appendErrorResponse(nil, StatusBadRequest, "Client sent an HTTP request to an HTTPS server.\n"))
			re.Conn.Close()
			return false
		}
		if !errors.Is(err, io.EOF) {
			c.srv.logger().Debug("turbohttp: TLS handshake failed", "remote", c.rwc.RemoteAddr().String(), "err", err)
		}
		return false
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.tlsState = &st
	if p := st.NegotiatedProtocol; p != "" && p != "http/1.1" && !(p == "h2" && c.srv.protocols().HTTP2()) {
		// a listener of the caller's offered a protocol we do not serve:
		// answering in HTTP/1.1 would confuse the client
		c.srv.logger().Debug("turbohttp: closing a TLS connection that negotiated a protocol the server does not speak",
			"remote", c.rwc.RemoteAddr().String(), "protocol", p)
		return false
	}
	return true
}

// looksLikeHTTP reports whether the first bytes of a would-be TLS record
// are the start of an HTTP/1 request line.
func looksLikeHTTP(hdr []byte) bool {
	for _, m := range []string{"GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "CONNE", "TRACE"} {
		if string(hdr) == m {
			return true
		}
	}
	return false
}

// readRequest waits for the next request head and parses it into c.head,
// returning the length of the head, which stays buffered in c.in.
func (c *conn) readRequest() (int, error) {
	if err := c.awaitRequest(); err != nil {
		return 0, err
	}
	// start is when the head began to arrive, read from the clock only
	// when a deadline needs it (reading the clock costs ~100 ns here).
	var start time.Time
	n, err := c.in.readHead(c.lim.MaxHeaderBytes+1, func(buf []byte) (int, error) {
		n, err := h1.ParseRequest(buf, &c.head, &c.lim)
		if err == h1.ErrIncomplete && start.IsZero() {
			start = time.Now()
			if d := c.srv.ReadHeaderTimeout; d >= 0 {
				c.setReadDeadline(start.Add(orDefault(d, DefaultReadHeaderTimeout)))
			}
		}
		return n, err
	})
	if err == nil {
		c.setBodyDeadline(start)
	}
	return n, err
}

// awaitRequest returns once the next request's first byte is buffered.
// A connection that stays quiet for quietAfter gives its read buffer back
// to the pool and waits with a one-byte read until IdleTimeout, so that an
// idle kept-alive connection holds no buffer.
func (c *conn) awaitRequest() error {
	if c.in.buffered() > 0 {
		return nil
	}
	idle := orDefault(c.srv.IdleTimeout, DefaultIdleTimeout)
	if idle < 0 || idle > quietAfter {
		// Re-arming a deadline costs a timer update; on a busy connection
		// keep the one set by an earlier request while it still lies half
		// of quietAfter ahead, so a connection goes quiet after between
		// quietAfter/2 and quietAfter of silence. c.now, the time of the
		// last response, stands in for the clock here.
		now := c.now
		if d := c.deadline; d.IsZero() || now.IsZero() || d.Before(now.Add(quietAfter/2)) || d.After(now.Add(quietAfter)) {
			now = time.Now()
			c.setReadDeadline(now.Add(quietAfter))
		}
		_, err := c.in.reader().Peek(1)
		if err == nil || !isTimeout(err) {
			return err
		}
		c.in.release()
		c.shrink()
		now = time.Now().Add(-quietAfter) // idleness began before the quiet wait
		if idle > 0 {
			c.setReadDeadline(now.Add(idle))
		} else {
			c.setReadDeadline(time.Time{})
		}
		n, err := c.rwc.Read(c.one[:])
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return err
		}
		c.in.unread(c.one[:n])
		return nil
	}
	c.setReadDeadline(time.Now().Add(idle))
	_, err := c.in.reader().Peek(1)
	return err
}

// shrink drops the buffers a quiet connection does not need until its next
// request, so that idle connections cost little memory.
func (c *conn) shrink() {
	c.wbuf = nil
	if c.h1state == nil {
		return // no request yet: the protocol is not known
	}
	c.resp.body = nil
	c.resp.header = Header{}
	c.resp.trailer = Header{}
	c.req.Header = Header{}
	c.req.Trailer = Header{}
	c.req.arena = nil
	c.head = h1.RequestHead{}
}

func (c *conn) setReadDeadline(t time.Time) {
	if !t.Equal(c.deadline) {
		c.deadline = t
		c.rwc.SetReadDeadline(t)
	}
}

// setBodyDeadline sets the read deadline for the body of the request whose
// head just arrived: ReadTimeout from the head's first byte, or none, so
// that a slow upload is not cut off by the header or idle deadline.
func (c *conn) setBodyDeadline(start time.Time) {
	switch {
	case c.srv.ReadTimeout > 0:
		if start.IsZero() {
			start = time.Now()
		}
		c.setReadDeadline(start.Add(c.srv.ReadTimeout))
	case c.head.Body != h1.BodyNone:
		c.setReadDeadline(time.Time{})
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}
