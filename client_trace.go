package turbohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
)

// ClientTrace is a set of hooks the Transport calls during a request
// whose context carries it (see WithClientTrace), as net/http/httptrace's
// ClientTrace does. Any hook may be nil. Hooks run on the goroutine doing
// the work, may run concurrently for concurrent requests, and must not
// block. A request without a trace pays one nil check per stage.
//
// When a trace has DNSStart, DNSDone, ConnectStart or ConnectDone set, the
// Transport's default dialer resolves the host itself and tries its
// addresses one after the other (instead of racing IPv4 and IPv6), so that
// each step can be reported.
type ClientTrace struct {
	// GetConn is called before a connection is taken from the pool or
	// dialed, with the host:port of the origin.
	GetConn func(hostPort string)
	// GotConn is called once a connection is obtained.
	GotConn func(GotConnInfo)
	// DNSStart and DNSDone bracket the lookup of a host name (not of an
	// IP literal, nor with a custom DialContext or a proxy).
	DNSStart func(DNSStartInfo)
	DNSDone  func(DNSDoneInfo)
	// ConnectStart and ConnectDone bracket each TCP connection attempt;
	// with a custom DialContext, its whole call.
	ConnectStart func(network, addr string)
	ConnectDone  func(network, addr string, err error)
	// TLSHandshakeStart and TLSHandshakeDone bracket the TLS handshake
	// with an https origin.
	TLSHandshakeStart func()
	TLSHandshakeDone  func(tls.ConnectionState, error)
	// WroteRequest is called once the request, body included, has been
	// written and flushed, or failed to be.
	WroteRequest func(WroteRequestInfo)
	// GotFirstResponseByte is called when the first byte of the response
	// head arrives.
	GotFirstResponseByte func()
}

// GotConnInfo describes the connection of a request.
type GotConnInfo struct {
	// Conn is the connection; the hook must not read, write or close it.
	Conn net.Conn
	// Reused reports that the connection served an earlier request.
	Reused bool
}

// DNSStartInfo is the argument of ClientTrace.DNSStart.
type DNSStartInfo struct {
	Host string
}

// DNSDoneInfo is the argument of ClientTrace.DNSDone.
type DNSDoneInfo struct {
	Addrs []net.IPAddr
	Err   error
}

// WroteRequestInfo is the argument of ClientTrace.WroteRequest.
type WroteRequestInfo struct {
	Err error
}

type clientTraceKey struct{}

// WithClientTrace returns a context derived from ctx that makes the
// Transport call trace's hooks for a request carrying it. A trace already
// in ctx is replaced, not composed.
func WithClientTrace(ctx context.Context, trace *ClientTrace) context.Context {
	return context.WithValue(ctx, clientTraceKey{}, trace)
}

// ContextClientTrace returns the ClientTrace of ctx, or nil.
func ContextClientTrace(ctx context.Context) *ClientTrace {
	t, _ := ctx.Value(clientTraceKey{}).(*ClientTrace)
	return t
}

// The methods below are the Transport's calls; each is a nil check when
// the request is not traced.

func (ct *ClientTrace) getConn(req *Request) {
	if ct != nil && ct.GetConn != nil {
		https := ascii4(req.URL.Scheme)
		ct.GetConn(string(appendHostPort(nil, req.URL.Host, https)))
	}
}

func (ct *ClientTrace) gotConn(pc *persistConn) {
	if ct != nil && ct.GotConn != nil {
		ct.GotConn(GotConnInfo{Conn: pc.conn, Reused: pc.reused})
	}
}

// gotH2Conn reports a stream slot taken on an HTTP/2 connection; reused
// unless the stream is the connection's first.
func (ct *ClientTrace) gotH2Conn(cc *h2ClientConn, reused bool) {
	if ct != nil && ct.GotConn != nil {
		ct.GotConn(GotConnInfo{Conn: cc.conn, Reused: reused})
	}
}

func (ct *ClientTrace) wroteRequest(err error) {
	if ct != nil && ct.WroteRequest != nil {
		ct.WroteRequest(WroteRequestInfo{Err: err})
	}
}

func (ct *ClientTrace) gotFirstByte() {
	if ct != nil && ct.GotFirstResponseByte != nil {
		ct.GotFirstResponseByte()
	}
}

// tracesDial reports whether the dial must be done step by step.
func (ct *ClientTrace) tracesDial() bool {
	return ct != nil && (ct.DNSStart != nil || ct.DNSDone != nil || ct.ConnectStart != nil || ct.ConnectDone != nil)
}

// dialTraced dials addr reporting each step to ct: through DialContext
// when set (one connect), or by resolving the host and trying its
// addresses in turn.
func (t *Transport) dialTraced(ctx context.Context, ct *ClientTrace, addr string) (net.Conn, error) {
	if t.DialContext != nil {
		return ct.connect(ctx, t.DialContext, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if net.ParseIP(host) != nil {
		return ct.connect(ctx, defaultDialer.DialContext, addr)
	}
	if ct.DNSStart != nil {
		ct.DNSStart(DNSStartInfo{Host: host})
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if ct.DNSDone != nil {
		ct.DNSDone(DNSDoneInfo{Addrs: ips, Err: err})
	}
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		c, err := ct.connect(ctx, defaultDialer.DialContext, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// connect runs one traced connection attempt.
func (ct *ClientTrace) connect(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), addr string) (net.Conn, error) {
	if ct.ConnectStart != nil {
		ct.ConnectStart("tcp", addr)
	}
	c, err := dial(ctx, "tcp", addr)
	if ct.ConnectDone != nil {
		ct.ConnectDone("tcp", addr, err)
	}
	return c, err
}

// handshakeTraced is Transport.handshake with the TLS hooks of the trace
// in ctx, if any.
func (t *Transport) handshakeTraced(ctx context.Context, c net.Conn, addr string, protos []string) (net.Conn, error) {
	ct := ContextClientTrace(ctx)
	if ct == nil || ct.TLSHandshakeStart == nil && ct.TLSHandshakeDone == nil {
		return t.handshake(ctx, c, addr, protos)
	}
	if ct.TLSHandshakeStart != nil {
		ct.TLSHandshakeStart()
	}
	tc, err := t.handshake(ctx, c, addr, protos)
	if ct.TLSHandshakeDone != nil {
		var st tls.ConnectionState
		if tc, ok := tc.(*tls.Conn); ok {
			st = tc.ConnectionState()
		}
		ct.TLSHandshakeDone(st, err)
	}
	return tc, err
}
