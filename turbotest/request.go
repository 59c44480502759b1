package turbotest

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"

	"turbohttp"
)

// DefaultRemoteAddr is the RemoteAddr of a request from NewRequest: an
// address of TEST-NET-1 (RFC 5737), which no real peer has.
var DefaultRemoteAddr net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}

// NewRequest returns a request as the server would hand it to a handler,
// for calling the handler directly with a ResponseRecorder. No network is
// involved.
//
// method "" means GET. target is a request-target as it stands on the
// request line: an origin-form path with an optional query ("/a?b=c"),
// "*", or an absolute http or https URL, whose host becomes the
// request's Host (otherwise "example.com") and whose "https" scheme gives
// the request a TLS state. The request is HTTP/1.1 from DefaultRemoteAddr,
// and its Header holds only the Host field, as the server's would. body may be nil (an empty body); the
// ContentLength is set for *bytes.Reader, *bytes.Buffer and
// *strings.Reader bodies, and is -1 for others.
//
// NewRequest panics on a target that no server would accept, as a test
// cannot go on with one. The request belongs to the test, which may keep
// it as long as it likes.
func NewRequest(method, target string, body io.Reader) *turbohttp.Request {
	return NewRequestWithContext(context.Background(), method, target, body)
}

// NewRequestWithContext is NewRequest with a context for the request.
func NewRequestWithContext(ctx context.Context, method, target string, body io.Reader) *turbohttp.Request {
	if method == "" {
		method = turbohttp.MethodGet
	}
	if !turbohttp.ValidFieldName(method) {
		panic("turbotest: invalid method " + method)
	}
	r := &turbohttp.Request{
		Method:     method,
		ProtoMajor: 1,
		ProtoMinor: 1,
		RemoteAddr: DefaultRemoteAddr,
		RequestURI: []byte(target),
		Host:       []byte("example.com"),
	}
	splitTarget(r, target)
	r.Header.AddBytes([]byte("Host"), r.Host) // as the HTTP/1 server keeps it
	setBody(r, body)
	r.SetContext(ctx)
	return r
}

// splitTarget fills r.URL (and Host and TLS, for an absolute target) from
// target.
func splitTarget(r *turbohttp.Request, target string) {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c == 0x7f {
			panic("turbotest: space or control byte in request target " + target)
		}
	}
	rest := target
	if scheme, after, ok := strings.Cut(target, "://"); ok && (scheme == "http" || scheme == "https") {
		host := after
		rest = ""
		if i := strings.IndexAny(after, "/?"); i >= 0 {
			host, rest = after[:i], after[i:]
		}
		if host == "" {
			panic("turbotest: no host in request target " + target)
		}
		r.URL.Scheme, r.URL.Host, r.Host = []byte(scheme), []byte(host), []byte(host)
		if scheme == "https" {
			r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: hostOnly(host)}
		}
		if rest == "" {
			rest = "/"
		}
	} else if target != "*" && !strings.HasPrefix(target, "/") {
		panic("turbotest: request target must be a path, \"*\" or an absolute http(s) URL: " + target)
	}
	path, query, _ := strings.Cut(rest, "?")
	r.URL.Path, r.URL.RawQuery = []byte(path), []byte(query)
}

// hostOnly strips the port from host[:port].
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// setBody sets the request's Body and ContentLength.
func setBody(r *turbohttp.Request, body io.Reader) {
	if body == nil {
		r.Body = strings.NewReader("")
		return
	}
	r.Body = body
	r.ContentLength = -1
	if l, ok := body.(interface{ Len() int }); ok {
		r.ContentLength = int64(l.Len())
	}
}
