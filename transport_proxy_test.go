package turbohttp

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// proxyLog records what a test proxy saw.
type proxyLog struct {
	mu    sync.Mutex
	lines []string // request lines (HTTP) or "SOCKS <atyp> <host:port>"
	auth  []string
}

func (l *proxyLog) add(line, auth string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.auth = append(l.auth, auth)
	l.mu.Unlock()
}

func (l *proxyLog) get() ([]string, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...), append([]string(nil), l.auth...)
}

// pipe copies both ways between a client connection (with its buffered
// reader) and an upstream connection until either side ends.
func pipe(c net.Conn, br *bufio.Reader, up net.Conn) {
	done := make(chan struct{})
	go func() { io.Copy(up, br); up.Close(); close(done) }()
	io.Copy(c, up)
	c.Close()
	<-done
}

// httpProxy is an in-process HTTP proxy: CONNECT opens a tunnel;
// absolute-form requests are forwarded to their origin (the proxy pipes
// the connection from the first request on, so later requests on it go on
// in absolute form, which origin servers accept). refuse makes it answer
// CONNECT with 407.
func httpProxy(t *testing.T, refuse bool) (*rawServer, *proxyLog) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return httpProxyOn(t, ln, refuse)
}

func httpProxyOn(t *testing.T, ln net.Listener, refuse bool) (*rawServer, *proxyLog) {
	log := &proxyLog{}
	rs := serveRaw(t, ln, func(c net.Conn, br *bufio.Reader) {
		head := readRequestHead(br)
		if head == "" {
			return
		}
		line := strings.SplitN(head, "\r\n", 2)[0]
		log.add(line, headValue(head, "Proxy-Authorization"))
		parts := strings.Fields(line)
		if len(parts) != 3 {
			return
		}
		target := parts[1]
		if parts[0] == "CONNECT" {
			if refuse {
				io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
				return
			}
		} else {
			u, err := url.Parse(target)
			if err != nil {
				return
			}
			target = u.Host
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		if parts[0] == "CONNECT" {
			io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		} else {
			io.WriteString(up, head)
		}
		pipe(c, br, up)
	})
	return rs, log
}

func TestProxyHTTPAbsoluteForm(t *testing.T) {
	origin, originConns := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Host, r.URL.Path)
	}, false)
	proxy, log := httpProxy(t, false)
	pu, _ := url.Parse("http://user:pass@" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu)}
	noLeaks(t, tr)
	host := strings.TrimPrefix(origin.URL, "http://")
	for _, path := range []string{"/a", "/b"} {
		if _, body := roundTrip(t, tr, newReq(t, MethodGet, origin.URL+path, nil)); body != host+" "+path {
			t.Fatalf("body %q", body)
		}
	}
	lines, auth := log.get()
	if len(lines) != 1 || lines[0] != "GET http://"+host+"/a HTTP/1.1" || auth[0] != "Basic dXNlcjpwYXNz" {
		t.Fatalf("proxy saw %q auth %q", lines, auth)
	}
	if proxy.conns.Load() != 1 || originConns.count() != 1 {
		t.Fatalf("proxy connections %d, origin %d: want one each (keep-alive through the proxy)", proxy.conns.Load(), originConns.count())
	}
	s := tr.Stats()
	if len(s) != 1 || !strings.HasSuffix(s[0].Key, "|http://user:xxxxx@"+proxy.addr) || s[0].Reuses != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestProxyHTTPConnectTunnel(t *testing.T) {
	origin, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	}, true)
	proxy, log := httpProxy(t, false)
	pu, _ := url.Parse("http://proxyuser:secret@" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu), TLSClientConfig: tlsConfigOf(t, origin.Client())}
	noLeaks(t, tr)
	for range 2 {
		if _, body := roundTrip(t, tr, newReq(t, MethodGet, origin.URL+"/x", nil)); body != "tls=true" {
			t.Fatalf("body %q", body)
		}
	}
	host := strings.TrimPrefix(origin.URL, "https://")
	lines, auth := log.get()
	if len(lines) != 1 || lines[0] != "CONNECT "+host+" HTTP/1.1" || auth[0] == "" {
		t.Fatalf("proxy saw %q %q", lines, auth)
	}
}

func TestProxyHTTPConnectRefused(t *testing.T) {
	proxy, _ := httpProxy(t, true)
	pu, _ := url.Parse("http://" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu)}
	noLeaks(t, tr)
	err := tr.Do(newReq(t, MethodGet, "https://example.com/", nil), &Response{})
	var pe *ProxyError
	if !errors.As(err, &pe) || pe.StatusCode != 407 || !errors.Is(err, ErrProxy) {
		t.Fatalf("got %v", err)
	}
	wantNoConns(t, tr, "example.com:443")
}

// socksServer is an in-process SOCKS5 server (RFC 1928), with RFC 1929
// authentication when user is set.
func socksServer(t *testing.T, user, pass string) (*rawServer, *proxyLog) {
	log := &proxyLog{}
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		target, atyp, ok := socksHandshake(c, br, user, pass)
		if !ok {
			return
		}
		log.add("SOCKS "+atyp+" "+target, "")
		up, err := net.Dial("tcp", target)
		if err != nil {
			c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
			return
		}
		c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
		pipe(c, br, up)
	})
	return rs, log
}

func socksHandshake(c net.Conn, br *bufio.Reader, user, pass string) (target, atyp string, ok bool) {
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(br, hdr); err != nil || hdr[0] != 5 {
		return "", "", false
	}
	methods := make([]byte, hdr[1])
	io.ReadFull(br, methods)
	want := byte(0)
	if user != "" {
		want = 2
	}
	if !strings.Contains(string(methods), string([]byte{want})) {
		c.Write([]byte{5, 0xff})
		return "", "", false
	}
	c.Write([]byte{5, want})
	if user != "" {
		b := make([]byte, 2)
		io.ReadFull(br, b)
		u := make([]byte, b[1])
		io.ReadFull(br, u)
		io.ReadFull(br, b[:1])
		p := make([]byte, b[0])
		io.ReadFull(br, p)
		if string(u) != user || string(p) != pass {
			c.Write([]byte{1, 1})
			return "", "", false
		}
		c.Write([]byte{1, 0})
	}
	req := make([]byte, 4)
	if _, err := io.ReadFull(br, req); err != nil || req[1] != 1 {
		return "", "", false
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make([]byte, 4+12*int(req[3]/4))
		io.ReadFull(br, ip)
		host, atyp = net.IP(ip).String(), "ip"
	case 3:
		n, _ := br.ReadByte()
		name := make([]byte, n)
		io.ReadFull(br, name)
		host, atyp = string(name), "domain"
	}
	port := make([]byte, 2)
	io.ReadFull(br, port)
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port)))), atyp, true
}

func TestProxySOCKS5(t *testing.T) {
	origin, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	}, false)
	originTLS, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	}, true)
	port := origin.URL[strings.LastIndexByte(origin.URL, ':')+1:]
	cases := []struct {
		scheme, url, want, wantLog string
	}{
		{"socks5h", "http://localhost:" + port + "/", "tls=false", "SOCKS domain localhost:" + port},
		{"socks5", "http://localhost:" + port + "/", "tls=false", "SOCKS ip "},
		{"socks5", origin.URL, "tls=false", "SOCKS ip " + strings.TrimPrefix(origin.URL, "http://")},
		{"socks5h", originTLS.URL, "tls=true", "SOCKS ip " + strings.TrimPrefix(originTLS.URL, "https://")},
	}
	for _, c := range cases {
		t.Run(c.scheme+" "+c.url, func(t *testing.T) {
			proxy, log := socksServer(t, "", "")
			pu, _ := url.Parse(c.scheme + "://" + proxy.addr)
			tr := &Transport{Proxy: ProxyURL(pu), TLSClientConfig: tlsConfigOf(t, originTLS.Client())}
			noLeaks(t, tr)
			for range 2 {
				if _, body := roundTrip(t, tr, newReq(t, MethodGet, c.url, nil)); body != c.want {
					t.Fatalf("body %q", body)
				}
			}
			lines, _ := log.get()
			if len(lines) != 1 || !strings.HasPrefix(lines[0], c.wantLog) {
				t.Fatalf("proxy saw %q, want %q", lines, c.wantLog)
			}
		})
	}
}

func TestProxySOCKS5Auth(t *testing.T) {
	origin, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "in") }, false)
	proxy, _ := socksServer(t, "alice", "s3cret")
	for _, c := range []struct {
		userinfo string
		ok       bool
	}{{"alice:s3cret@", true}, {"alice:wrong@", false}, {"", false}} {
		pu, _ := url.Parse("socks5://" + c.userinfo + proxy.addr)
		tr := &Transport{Proxy: ProxyURL(pu)}
		resp := &Response{}
		err := tr.Do(newReq(t, MethodGet, origin.URL, nil), resp)
		if c.ok {
			if err != nil || readClose(t, resp) != "in" {
				t.Fatalf("%q: %v", c.userinfo, err)
			}
		} else if !errors.Is(err, ErrProxy) {
			t.Fatalf("%q: got %v", c.userinfo, err)
		}
		tr.CloseIdleConnections()
	}
}

func TestProxyUnsupportedScheme(t *testing.T) {
	pu, _ := url.Parse("ftp://proxy.example:21")
	tr := &Transport{Proxy: ProxyURL(pu)}
	if err := tr.Do(newReq(t, MethodGet, "http://example.com/", nil), &Response{}); !errors.Is(err, ErrProxy) {
		t.Fatalf("got %v", err)
	}
}

func TestProxyFromEnvironmentRules(t *testing.T) {
	cfg := &ProxyConfig{
		HTTPProxy:  "proxy.example:3128",
		HTTPSProxy: "https://secure-proxy.example",
		NoProxy:    "example.com, .suffix.org, 10.1.2.3, 192.168.0.0/16, ports.example:8080, [::5], ",
	}
	cases := []struct{ url, want string }{
		{"http://other.net/", "http://proxy.example:3128"},
		{"https://other.net/", "https://secure-proxy.example"},
		{"http://example.com/", ""},
		{"http://www.example.com/", ""}, // a subdomain of a listed domain
		{"http://notexample.com/", "http://proxy.example:3128"},
		{"http://suffix.org/", "http://proxy.example:3128"}, // ".suffix.org": subdomains only
		{"http://a.suffix.org/", ""},
		{"http://10.1.2.3/", ""},
		{"http://10.1.2.4/", "http://proxy.example:3128"},
		{"http://192.168.44.1:9000/", ""},
		{"http://ports.example:8080/", ""},
		{"http://ports.example:8081/", "http://proxy.example:3128"},
		{"http://ports.example/", "http://proxy.example:3128"},
		{"http://[::5]/", ""},
		{"http://localhost:8000/", ""},
		{"http://127.0.0.1/", ""},
		{"http://[::1]:80/", ""},
	}
	for _, c := range cases {
		u, err := cfg.ProxyFor(newReq(t, MethodGet, c.url, nil))
		got := ""
		if u != nil {
			got = u.String()
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q %v, want %q", c.url, got, err, c.want)
		}
	}
	star := &ProxyConfig{HTTPProxy: "proxy.example", NoProxy: "*"}
	if u, _ := star.ProxyFor(newReq(t, MethodGet, "http://any.example/", nil)); u != nil {
		t.Errorf(`NO_PROXY="*" still proxied: %v`, u)
	}
	cgi := &ProxyConfig{HTTPProxy: "proxy.example", CGI: true}
	if u, _ := cgi.ProxyFor(newReq(t, MethodGet, "http://any.example/", nil)); u != nil {
		t.Errorf("HTTP_PROXY used under CGI: %v", u)
	}
}

func TestProxyConfigFromEnv(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://upper:1")
	t.Setenv("http_proxy", "http://lower:2")
	t.Setenv("HTTPS_PROXY", "socks5h://socks:1080")
	t.Setenv("https_proxy", "")
	t.Setenv("NO_PROXY", "a.example")
	t.Setenv("no_proxy", "")
	t.Setenv("REQUEST_METHOD", "")
	got := *ProxyConfigFromEnv(os.Getenv)
	want := ProxyConfig{HTTPProxy: "http://lower:2", HTTPSProxy: "socks5h://socks:1080", NoProxy: "a.example"}
	if got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestProxyConnectResponseTooLarge: a CONNECT answer longer than
// maxConnectResponseBytes is refused.
func TestProxyConnectResponseTooLarge(t *testing.T) {
	proxy := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Pad: "+strings.Repeat("p", maxConnectResponseBytes)+"\r\n\r\n")
	})
	pu, _ := url.Parse("http://" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu)}
	noLeaks(t, tr)
	err := tr.Do(newReq(t, MethodGet, "https://example.com/", nil), &Response{})
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("got %v", err)
	}
}

// TestProxyHTTPSProxy: an https:// proxy is reached over TLS; plain http
// requests then travel in absolute form inside that TLS connection.
func TestProxyHTTPSProxy(t *testing.T) {
	origin, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "via tls proxy") }, false)
	certSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer certSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy, log := httpProxyOn(t, tls.NewListener(ln, certSrv.TLS.Clone()), false)
	pu, _ := url.Parse("https://" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu), TLSClientConfig: tlsConfigOf(t, certSrv.Client())}
	noLeaks(t, tr)
	if _, body := roundTrip(t, tr, newReq(t, MethodGet, origin.URL+"/p", nil)); body != "via tls proxy" {
		t.Fatalf("%q", body)
	}
	if lines, _ := log.get(); len(lines) != 1 || lines[0] != "GET "+origin.URL+"/p HTTP/1.1" {
		t.Fatalf("proxy saw %q", lines)
	}
}

// h2c by prior knowledge goes through a SOCKS tunnel: the requests share
// one HTTP/2 connection through one tunnel.
func TestProxySOCKS5H2C(t *testing.T) {
	_, addr := h2cServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		fmt.Fprintf(w, "HTTP/%d.%d", r.ProtoMajor, r.ProtoMinor)
	}))
	proxy, log := socksServer(t, "", "")
	pu, _ := url.Parse("socks5h://" + proxy.addr)
	tr := &Transport{Proxy: ProxyURL(pu), HTTP2PriorKnowledge: true}
	noLeaks(t, tr)
	for range 3 {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, "http://"+addr+"/", nil))
		if resp.ProtoMajor != 2 || body != "HTTP/2.0" {
			t.Fatalf("HTTP/%d.%d, body %q", resp.ProtoMajor, resp.ProtoMinor, body)
		}
	}
	if lines, _ := log.get(); len(lines) != 1 {
		t.Fatalf("proxy saw %q, want one tunnel", lines)
	}
}
