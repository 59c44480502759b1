package turbohttp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"turbohttp/h1"
)

// Proxies. Transport.Proxy picks one per request:
//
//   - http:// (or https://, TLS to the proxy itself): plain http requests
//     go to the proxy in absolute form, with Proxy-Authorization from the
//     URL's userinfo; https requests open a CONNECT tunnel through it and
//     run TLS with the origin inside.
//   - socks5:// and socks5h:// (RFC 1928, with RFC 1929 username and
//     password from the userinfo): socks5 resolves the host name locally,
//     socks5h lets the proxy resolve it. Both carry http and https.
//
// Connections through a proxy are pooled apart from direct ones (the proxy
// is part of the pool key).

// ErrProxy is matched (errors.Is) by every error of a proxy handshake.
var ErrProxy = errors.New("turbohttp: proxy error")

// ProxyError reports a proxy that refused or botched a tunnel.
type ProxyError struct {
	Proxy  string // the proxy's host:port
	Reason string
	// StatusCode is the status of a refused CONNECT, 0 otherwise.
	StatusCode int
}

func (e *ProxyError) Error() string {
	s := "turbohttp: proxy " + e.Proxy + ": " + e.Reason
	if e.StatusCode != 0 {
		s += " (status " + strconv.Itoa(e.StatusCode) + ")"
	}
	return s
}

// Is makes every ProxyError match ErrProxy.
func (e *ProxyError) Is(target error) bool { return target == ErrProxy }

// ProxyURL returns a Proxy function that always returns u.
func ProxyURL(u *url.URL) func(*Request) (*url.URL, error) {
	return func(*Request) (*url.URL, error) { return u, nil }
}

// checkProxyURL refuses proxy URLs the Transport cannot use.
func checkProxyURL(u *url.URL) error {
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return &ProxyError{Proxy: u.Host, Reason: "unsupported proxy scheme " + strconv.Quote(u.Scheme)}
	}
	if u.Host == "" {
		return &ProxyError{Proxy: u.String(), Reason: "proxy URL without host"}
	}
	return nil
}

// proxyAddr returns the proxy's host:port, with the scheme's default port.
func proxyAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch u.Scheme {
	case "https":
		port = "443"
	case "socks5", "socks5h":
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// proxyAuthorization returns the Basic credentials of an http(s) proxy
// URL with userinfo, "" otherwise.
func proxyAuthorization(u *url.URL) string {
	if u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	pass, _ := u.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
}

// dialProxy connects to p's origin through p's proxy.
func (t *Transport) dialProxy(ctx context.Context, p *hostPool) (net.Conn, error) {
	addr := proxyAddr(p.proxy)
	c, err := t.dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if p.proxy.Scheme == "https" {
		if c, err = t.handshake(ctx, c, addr, alpnH1); err != nil {
			return nil, err
		}
	}
	switch {
	case isSOCKS(p.proxy):
		err = t.socks5Connect(ctx, c, p)
	case p.https:
		err = t.httpConnect(ctx, c, p)
	default:
		return c, nil // absolute-form requests on the proxy connection
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	if !p.https {
		return c, nil
	}
	return t.handshakeTraced(ctx, c, p.addr, t.originALPN())
}

// withDeadline runs f with c's deadline tied to ctx, and clears it after.
func withDeadline(ctx context.Context, c net.Conn, f func() error) error {
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	err := f()
	if !stop() {
		return ctx.Err()
	}
	c.SetDeadline(time.Time{})
	return err
}

// maxConnectResponseBytes bounds the head of a proxy's CONNECT answer.
const maxConnectResponseBytes = 16 << 10

// httpConnect asks an HTTP proxy for a tunnel to p's origin (RFC 9110
// §9.3.6) and reads its answer; a 2xx opens the tunnel.
func (t *Transport) httpConnect(ctx context.Context, c net.Conn, p *hostPool) error {
	var fields []h1.Field
	if auth := proxyAuthorization(p.proxy); auth != "" {
		fields = append(fields, h1.Field{Name: []byte("Proxy-Authorization"), Value: []byte(auth)})
	}
	head, err := h1.AppendRequestHead(nil, MethodConnect, p.addr, p.addr, fields, h1.NoBody)
	if err != nil {
		return &ProxyError{Proxy: proxyAddr(p.proxy), Reason: "cannot write CONNECT: " + err.Error()}
	}
	return withDeadline(ctx, c, func() error {
		if _, err := c.Write(head); err != nil {
			return err
		}
		return readConnectResponse(c, proxyAddr(p.proxy))
	})
}

// readConnectResponse reads the proxy's answer to CONNECT one byte at a
// time, so that nothing of the tunnel is read ahead, and parses it once its
// final empty line has arrived.
func readConnectResponse(c net.Conn, proxy string) error {
	br := bufio.NewReaderSize(oneByteReader{c}, 512)
	var head h1.ResponseHead
	lim := h1.Limits{MaxHeaderBytes: maxConnectResponseBytes}
	var buf []byte
	for !bytes.HasSuffix(buf, []byte("\r\n\r\n")) {
		if len(buf) > maxConnectResponseBytes {
			return &MalformedResponseError{Err: h1.ErrHeaderTooLarge}
		}
		b, err := br.ReadByte()
		if err != nil {
			return noEOF(err)
		}
		buf = append(buf, b)
	}
	if _, err := h1.ParseResponse(buf, MethodConnect, &head, &lim); err != nil {
		return &MalformedResponseError{Err: err}
	}
	if head.Status/100 != 2 {
		return &ProxyError{Proxy: proxy, Reason: "CONNECT refused", StatusCode: head.Status}
	}
	return nil
}

// oneByteReader reads at most one byte per call.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// SOCKS5 constants (RFC 1928, RFC 1929).
const (
	socksVersion       = 5
	socksNoAuth        = 0
	socksUserPass      = 2
	socksNoAcceptable  = 0xff
	socksCmdConnect    = 1
	socksAtypIPv4      = 1
	socksAtypDomain    = 3
	socksAtypIPv6      = 4
	socksUserPassVer   = 1
	socksReplySucceded = 0
)

// socks5Connect runs the SOCKS5 handshake on c for a tunnel to p's origin.
func (t *Transport) socks5Connect(ctx context.Context, c net.Conn, p *hostPool) error {
	proxy := proxyAddr(p.proxy)
	host, portStr, err := net.SplitHostPort(p.addr)
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(portStr)
	var ip netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		ip = a
	} else if p.proxy.Scheme == "socks5" {
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return err
		}
		if len(ips) == 0 {
			return &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
		ip = ips[0]
	}
	return withDeadline(ctx, c, func() error {
		if err := socks5Auth(c, p.proxy, proxy); err != nil {
			return err
		}
		return socks5Request(c, host, ip, port, proxy)
	})
}

// socks5Auth negotiates the authentication method and authenticates.
func socks5Auth(c net.Conn, u *url.URL, proxy string) error {
	hello := []byte{socksVersion, 1, socksNoAuth}
	if u.User != nil {
		hello = []byte{socksVersion, 2, socksNoAuth, socksUserPass}
	}
	if _, err := c.Write(hello); err != nil {
		return err
	}
	var reply [2]byte
	if _, err := io.ReadFull(c, reply[:]); err != nil {
		return noEOF(err)
	}
	switch {
	case reply[0] != socksVersion:
		return &ProxyError{Proxy: proxy, Reason: "not a SOCKS5 server"}
	case reply[1] == socksNoAuth:
		return nil
	case reply[1] == socksUserPass && u.User != nil:
		return socks5UserPass(c, u, proxy)
	}
	return &ProxyError{Proxy: proxy, Reason: "no acceptable SOCKS5 authentication method"}
}

// socks5UserPass runs RFC 1929 username/password authentication.
func socks5UserPass(c net.Conn, u *url.URL, proxy string) error {
	user := u.User.Username()
	pass, _ := u.User.Password()
	if len(user) > 255 || len(pass) > 255 {
		return &ProxyError{Proxy: proxy, Reason: "SOCKS5 username or password too long"}
	}
	msg := append([]byte{socksUserPassVer, byte(len(user))}, user...)
	msg = append(append(msg, byte(len(pass))), pass...)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	var reply [2]byte
	if _, err := io.ReadFull(c, reply[:]); err != nil {
		return noEOF(err)
	}
	if reply[1] != 0 {
		return &ProxyError{Proxy: proxy, Reason: "SOCKS5 authentication failed"}
	}
	return nil
}

// socks5Request sends CONNECT for host (or ip, when valid) and port, and
// reads the reply.
func socks5Request(c net.Conn, host string, ip netip.Addr, port int, proxy string) error {
	msg := []byte{socksVersion, socksCmdConnect, 0}
	switch {
	case ip.Is4() || ip.Is4In6():
		a := ip.Unmap().As4()
		msg = append(append(msg, socksAtypIPv4), a[:]...)
	case ip.Is6():
		a := ip.As16()
		msg = append(append(msg, socksAtypIPv6), a[:]...)
	default:
		if len(host) > 255 {
			return &ProxyError{Proxy: proxy, Reason: "host name too long for SOCKS5"}
		}
		msg = append(append(msg, socksAtypDomain, byte(len(host))), host...)
	}
	msg = append(msg, byte(port>>8), byte(port))
	if _, err := c.Write(msg); err != nil {
		return err
	}
	var head [5]byte // VER REP RSV ATYP and the first address byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return noEOF(err)
	}
	if head[0] != socksVersion {
		return &ProxyError{Proxy: proxy, Reason: "malformed SOCKS5 reply"}
	}
	if head[1] != socksReplySucceded {
		return &ProxyError{Proxy: proxy, Reason: "SOCKS5 CONNECT failed: " + socksReplyText(head[1])}
	}
	var rest int // remaining address bytes, then the port
	switch head[3] {
	case socksAtypIPv4:
		rest = 3 + 2
	case socksAtypIPv6:
		rest = 15 + 2
	case socksAtypDomain:
		rest = int(head[4]) + 2
	default:
		return &ProxyError{Proxy: proxy, Reason: "malformed SOCKS5 reply"}
	}
	_, err := io.ReadFull(c, make([]byte, rest))
	return noEOF(err)
}

func socksReplyText(code byte) string {
	texts := [...]string{1: "general failure", 2: "connection not allowed by ruleset",
		3: "network unreachable", 4: "host unreachable", 5: "connection refused",
		6: "TTL expired", 7: "command not supported", 8: "address type not supported"}
	if int(code) < len(texts) && texts[code] != "" {
		return texts[code]
	}
	return "reply code " + strconv.Itoa(int(code))
}

// ProxyFromEnvironment returns the proxy for req named by the environment:
// HTTPS_PROXY for https requests, HTTP_PROXY for http ones (or their
// lower-case forms, which win), unless NO_PROXY (or no_proxy) exempts the
// host. HTTP_PROXY is ignored when REQUEST_METHOD is set (a CGI program,
// where it may come from a request's Proxy header). A proxy value without
// a scheme means http://. Requests to localhost and loopback addresses are
// never proxied.
//
// NO_PROXY is a comma-separated list of: "*" (no proxy at all), host
// names ("example.com" matches it and its subdomains, ".example.com" its
// subdomains only), IP addresses, CIDR blocks ("10.0.0.0/8"), each
// optionally with ":port" to match that port only.
//
// The environment is read once, on first use.
func ProxyFromEnvironment(req *Request) (*url.URL, error) {
	return envProxyConfig().ProxyFor(req)
}

var envProxyConfig = sync.OnceValue(func() *ProxyConfig { return ProxyConfigFromEnv(os.Getenv) })

// ProxyConfig is a proxy configuration in the form of the environment
// variables.
type ProxyConfig struct {
	HTTPProxy, HTTPSProxy, NoProxy string
	CGI                            bool // REQUEST_METHOD is set
}

// ProxyConfigFromEnv reads a ProxyConfig through getenv.
func ProxyConfigFromEnv(getenv func(string) string) *ProxyConfig {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	return &ProxyConfig{
		HTTPProxy:  first("http_proxy", "HTTP_PROXY"),
		HTTPSProxy: first("https_proxy", "HTTPS_PROXY"),
		NoProxy:    first("no_proxy", "NO_PROXY"),
		CGI:        getenv("REQUEST_METHOD") != "",
	}
}

// ProxyFor returns the proxy for req under c, nil for none.
func (c *ProxyConfig) ProxyFor(req *Request) (*url.URL, error) {
	https := ascii4(req.URL.Scheme)
	raw := c.HTTPProxy
	if https {
		raw = c.HTTPSProxy
	} else if c.CGI {
		raw = ""
	}
	if raw == "" {
		return nil, nil
	}
	hostport := string(appendHostPort(nil, req.URL.Host, https))
	if !c.useProxy(hostport) {
		return nil, nil
	}
	return parseProxy(raw)
}

// parseProxy parses a proxy setting, defaulting the scheme to http.
func parseProxy(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ProxyError{Proxy: raw, Reason: "invalid proxy URL"}
	}
	if err := checkProxyURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// useProxy applies the loopback rule and NO_PROXY to hostport.
func (c *ProxyConfig) useProxy(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	ip, ipErr := netip.ParseAddr(host)
	if ipErr == nil && ip.IsLoopback() {
		return false
	}
	for _, entry := range strings.Split(c.NoProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return false
		}
		if noProxyMatch(entry, host, port, ip, ipErr == nil) {
			return false
		}
	}
	return true
}

// noProxyMatch reports whether one NO_PROXY entry exempts host:port.
func noProxyMatch(entry, host, port string, ip netip.Addr, isIP bool) bool {
	if pfx, err := netip.ParsePrefix(entry); err == nil {
		return isIP && pfx.Contains(ip)
	}
	if h, p, err := net.SplitHostPort(entry); err == nil {
		if p != port {
			return false
		}
		entry = h
	}
	if a, err := netip.ParseAddr(strings.Trim(entry, "[]")); err == nil {
		return isIP && a == ip
	}
	entry = strings.TrimSuffix(entry, ".")
	if strings.HasPrefix(entry, ".") {
		return strings.HasSuffix(host, entry)
	}
	return host == entry || strings.HasSuffix(host, "."+entry)
}
