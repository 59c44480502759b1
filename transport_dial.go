package turbohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"time"
)

// defaultDialer dials when Transport.DialContext is nil.
var defaultDialer = &net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second}

// ErrTLSHandshakeTimeout is returned when TLSHandshakeTimeout expires.
var ErrTLSHandshakeTimeout = timeoutError("turbohttp: TLS handshake timeout")

// ErrALPN is returned when a TLS server negotiated a protocol the
// Transport did not offer.
var ErrALPN = errors.New("turbohttp: server negotiated a protocol that was not offered")

// ALPN protocol IDs (RFC 7301) the Transport offers.
var (
	alpnH2AndH1 = []string{"h2", "http/1.1"}
	alpnH1      = []string{"http/1.1"}
)

// originALPN returns the protocols offered to an https origin: h2 and
// http/1.1, or http/1.1 alone with DisableHTTP2.
func (t *Transport) originALPN() []string {
	if t.DisableHTTP2 {
		return alpnH1
	}
	return alpnH2AndH1
}

// dialFor dials p's origin, directly or through its proxy, with TLS for
// https.
func (t *Transport) dialFor(ctx context.Context, p *hostPool) (net.Conn, error) {
	if p.proxy != nil {
		return t.dialProxy(ctx, p)
	}
	if p.https && t.DialTLSContext != nil {
		return t.dialTLSHook(ctx, p.addr)
	}
	c, err := t.dial(ctx, p.addr)
	if err != nil || !p.https {
		return c, err
	}
	return t.handshakeTraced(ctx, c, p.addr, t.originALPN())
}

// dialTLSHook dials through DialTLSContext and completes the handshake of
// a *tls.Conn it returns, so that Response.TLS is complete.
func (t *Transport) dialTLSHook(ctx context.Context, addr string) (net.Conn, error) {
	c, err := t.DialTLSContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*tls.Conn); ok && !tc.ConnectionState().HandshakeComplete {
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// dial opens a TCP connection to addr.
func (t *Transport) dial(ctx context.Context, addr string) (net.Conn, error) {
	if ct := ContextClientTrace(ctx); ct.tracesDial() {
		return t.dialTraced(ctx, ct, addr)
	}
	if t.DialContext != nil {
		return t.DialContext(ctx, "tcp", addr)
	}
	return defaultDialer.DialContext(ctx, "tcp", addr)
}

// handshake runs the client side of TLS on c for the server at addr,
// offering the ALPN protocols protos, within TLSHandshakeTimeout and ctx;
// c is closed on failure, and when the server picks a protocol not
// offered.
func (t *Transport) handshake(ctx context.Context, c net.Conn, addr string, protos []string) (net.Conn, error) {
	var cfg *tls.Config
	if t.TLSClientConfig != nil {
		cfg = t.TLSClientConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = hostOnly(addr)
	}
	cfg.NextProtos = protos
	tc := tls.Client(c, cfg)
	hctx := ctx
	if d := orDefault(t.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout); d > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Close()
		if ctx.Err() == nil && hctx.Err() != nil {
			return nil, ErrTLSHandshakeTimeout
		}
		return nil, err
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "" && !slices.Contains(protos, p) {
		c.Close()
		return nil, ErrALPN
	}
	return tc, nil
}

// hostOnly returns the host of host:port, without the brackets of an IPv6
// literal.
func hostOnly(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
