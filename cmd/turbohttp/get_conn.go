package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"turbohttp"
)

// get dials its connections itself, so that -v can show the connection,
// the TLS session and the request head exactly as it went out, and so that
// every TLS handshake failure is classed as one (exit 35 or 60).

// tlsConfig is the TLS configuration of https connections, also handed to
// the Transport for https through a proxy.
func (g *getter) tlsConfig() *tls.Config {
	protos := []string{"h2", "http/1.1"}
	if g.opts.http1 {
		protos = protos[1:]
	}
	return &tls.Config{InsecureSkipVerify: g.opts.insecure, NextProtos: protos}
}

// dial opens a TCP connection within --connect-timeout.
func (g *getter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := g.connectContext(ctx)
	defer cancel()
	c, err := g.dialTCP(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if g.opts.priorKnowledge {
		g.note("Using HTTP/2 (prior knowledge)")
		return c, nil // the tap shows HTTP/1 heads; HTTP/2 ones are shown by headTripper
	}
	return g.wrap(c), nil
}

func (g *getter) connectContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := time.Duration(g.opts.connectTimeout); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}

func (g *getter) dialTCP(ctx context.Context, network, addr string) (net.Conn, error) {
	g.note("Trying %s...", addr)
	c, err := g.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if ra, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		host, _, _ := net.SplitHostPort(addr)
		g.note("Connected to %s (%s) port %d", host, ra.IP, ra.Port)
	}
	return c, nil
}

// dialTLS opens a TCP connection and completes a TLS handshake on it,
// both within --connect-timeout.
func (g *getter) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := g.connectContext(ctx)
	defer cancel()
	raw, err := g.dialTCP(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cfg := g.tlsConfig()
	cfg.ServerName, _, _ = net.SplitHostPort(addr)
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &tlsHandshakeError{err}
	}
	st := tc.ConnectionState()
	g.noteTLS(st)
	if st.NegotiatedProtocol == "h2" {
		g.note("Using HTTP/2")
		return tc, nil // the Transport speaks HTTP/2 on a *tls.Conn; headTripper shows the heads
	}
	g.note("Using HTTP/1.1")
	return g.wrap(tc), nil
}

// noteTLS describes the TLS session for -v.
func (g *getter) noteTLS(st tls.ConnectionState) {
	g.note("TLS connection using %s / %s, ALPN %q", tls.VersionName(st.Version),
		tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol)
	if len(st.PeerCertificates) > 0 {
		c := st.PeerCertificates[0]
		g.note("Server certificate: subject %q, expires %s", c.Subject.String(), c.NotAfter.Format(time.RFC3339))
	}
	if g.opts.insecure {
		g.note("Certificate not verified (-k)")
	}
}

// note writes a "* " line for -v.
func (g *getter) note(format string, args ...any) {
	if g.tap != nil {
		fmt.Fprintf(g.tap.w, "* "+format+"\n", args...)
	}
}

// wrap puts the -v tap on c.
func (g *getter) wrap(c net.Conn) net.Conn {
	if g.tap == nil {
		return c
	}
	return &tapConn{Conn: c, tap: g.tap}
}

// tapConn shows the request heads written on its connection through its
// tap.
type tapConn struct {
	net.Conn
	tap *headTap
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.tap.write(p)
	return c.Conn.Write(p)
}

// maxTapHead bounds what a headTap keeps while it looks for the end of a
// head; the Transport writes at most its write buffer (4 KiB) at a time,
// and a head longer than this is shown cut.
const maxTapHead = 256 << 10

// headTap writes the request head of each exchange, "> " before each
// line, as curl -v does. It is armed before each exchange and captures
// the bytes written up to the blank line that ends the head.
type headTap struct {
	w     io.Writer
	armed bool
	buf   []byte
}

func (t *headTap) arm() { t.armed, t.buf = true, t.buf[:0] }

func (t *headTap) write(p []byte) {
	if !t.armed {
		return
	}
	t.buf = append(t.buf, p[:min(len(p), maxTapHead-len(t.buf))]...)
	end := bytes.Index(t.buf, []byte("\r\n\r\n"))
	if end < 0 && len(t.buf) < maxTapHead {
		return
	}
	head := t.buf
	if end >= 0 {
		head = t.buf[:end+2]
	}
	var out []byte
	for line := range bytes.Lines(head) {
		out = append(append(append(out, "> "...), bytes.TrimRight(line, "\r\n")...), '\n')
	}
	out = append(out, "> \n"...)
	t.w.Write(out)
	t.armed = false
}

// headTripper wraps the Transport to show each exchange's heads: with -v
// on the log ("> " request, "< " response), and with -i or -I in heads,
// the response heads of every hop as they arrived.
type headTripper struct {
	rt    turbohttp.RoundTripper
	tap   *headTap
	log   io.Writer
	heads *bytes.Buffer
}

func (h *headTripper) Do(req *turbohttp.Request, resp *turbohttp.Response) error {
	if h.tap != nil {
		h.tap.arm()
	}
	if err := h.rt.Do(req, resp); err != nil {
		return err
	}
	if h.log != nil && resp.ProtoMajor == 2 {
		h.log.Write(appendH2RequestHead(nil, req))
	}
	if h.log != nil {
		h.log.Write(appendResponseHead(nil, resp, "< ", "\n"))
	}
	if h.heads != nil {
		h.heads.Write(appendResponseHead(nil, resp, "", "\r\n"))
	}
	return nil
}

// appendH2RequestHead appends the request head sent over HTTP/2 (as
// curl -v shows it: a request line, then the fields), "> " before each
// line; the frames themselves are not shown.
func appendH2RequestHead(b []byte, req *turbohttp.Request) []byte {
	m := req.Method
	if m == "" {
		m = turbohttp.MethodGet
	}
	b = append(append(append(b, "> "...), m...), ' ')
	b = append(b, req.URL.Path...)
	if len(req.URL.Path) == 0 {
		b = append(b, '/')
	}
	if len(req.URL.RawQuery) > 0 {
		b = append(append(b, '?'), req.URL.RawQuery...)
	}
	b = append(b, " HTTP/2\n> :authority: "...)
	b = append(append(b, req.URL.Host...), '\n')
	for name, value := range req.Header.All() {
		b = append(append(append(append(append(b, "> "...), name...), ": "...), value...), '\n')
	}
	return append(b, "> \n"...)
}

// appendResponseHead appends resp's status line and fields, each line
// with prefix before and eol after, then the blank line.
func appendResponseHead(b []byte, resp *turbohttp.Response, prefix, eol string) []byte {
	b = append(b, prefix...)
	b = append(b, "HTTP/"...)
	b = strconv.AppendInt(b, int64(resp.ProtoMajor), 10)
	if resp.ProtoMajor < 2 { // curl writes "HTTP/2", "HTTP/1.1"
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(resp.ProtoMinor), 10)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(resp.StatusCode), 10)
	if len(resp.Reason) > 0 {
		b = append(append(b, ' '), resp.Reason...)
	}
	b = append(b, eol...)
	for name, value := range resp.Header.All() {
		b = append(append(append(append(append(b, prefix...), name...), ": "...), value...), eol...)
	}
	return append(append(b, prefix...), eol...)
}
