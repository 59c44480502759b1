package turbohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	"turbohttp/h1"
	"turbohttp/internal/ascii"
)

// Transport is an HTTP/1.1 and HTTP/2 client with one connection pool for
// both. For https it offers h2 and http/1.1 by ALPN (DisableHTTP2 offers
// http/1.1 alone); for http it speaks HTTP/1.1, or h2c with
// HTTP2PriorKnowledge. HTTP/2 is described in transport_h2.go: many
// requests share a connection as streams, up to the server's
// MAX_CONCURRENT_STREAMS, and the first requests to a new host share one
// dial; the rest of this comment is about HTTP/1.1.
//
// Over HTTP/1.1 the caller's goroutine writes each request and reads its
// response: there is no goroutine per connection and no channel hand-off
// per request. Only a
// request body that must stream (of unknown length, or longer than 64 KiB)
// is written by a second goroutine while the response is read, so that a
// server answering as it reads (an echo, an early 413) cannot deadlock the
// exchange; see transport_duplex.go. Idle connections are kept per key
// (scheme, host, port and proxy) on a LIFO stack, so the most recently
// used one serves the next request; a connection goes back to its stack
// only once its response body has been read to its end (or closed early
// with its rest already buffered) and its request body was sent in full.
// A request that finds no idle connection waits for whichever comes
// first: a connection another request releases, or the one dialed for it
// (see hostPool).
//
// Before an idle connection is reused it is checked without blocking (on
// Linux one recvfrom with MSG_PEEK|MSG_DONTWAIT, about a microsecond and no
// allocation; see idleProbe): a connection the server closed, or on which
// bytes arrived while it was idle, is closed instead of handed out. What
// that check cannot see (a close racing with the request) is covered by
// one retry on a fresh connection for requests that are safe to replay
// (see persistConn.retryable). Cancellation needs no goroutine either: a
// context.AfterFunc set around the exchange moves the connection's
// deadline into the past, and a connection whose exchange was cancelled
// is closed, never pooled. For a context that cannot be cancelled
// (context.Background) nothing is registered, so the native path
// allocates nothing.
//
// A Transport is safe for concurrent use. Its fields must not be changed
// once it has been used. The zero value is ready to use.
type Transport struct {
	// DialContext dials the TCP connections (to the origin or the proxy);
	// nil means a net.Dialer with a 30 s timeout and TCP keep-alive.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// DialTLSContext, if set, dials https origins without a proxy and
	// must return a connection whose TLS handshake is done (or will be
	// done on first use); TLSClientConfig and TLSHandshakeTimeout are then
	// not used for them.
	DialTLSContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// DialTimeout bounds a dial: the TCP connection, and through a proxy
	// its handshake too. A dial does not end with the request that started
	// it (its connection serves the next request; see hostPool), so this
	// and TLSHandshakeTimeout are what bound it. Zero means
	// DefaultDialTimeout, negative none (DialContext's own limits apply).
	DialTimeout time.Duration

	// TLSClientConfig configures TLS; nil means the defaults. It is
	// cloned per connection; ServerName defaults to the host, and ALPN
	// offers h2 and http/1.1 (http/1.1 alone with DisableHTTP2), whatever
	// NextProtos says.
	TLSClientConfig *tls.Config

	// DisableHTTP2 offers only http/1.1 to https origins. By default h2 is
	// offered too (with a user's TLSClientConfig or DialTLSContext as
	// well: a *tls.Conn from DialTLSContext that negotiated h2 speaks
	// HTTP/2).
	DisableHTTP2 bool

	// HTTP2PriorKnowledge speaks HTTP/2 without TLS (h2c, RFC 9113 §3.3)
	// to http origins, without the Upgrade dance: for servers known to
	// accept it. It applies to direct connections and to SOCKS tunnels,
	// not through an http proxy (whose requests are in absolute form on
	// HTTP/1.1).
	HTTP2PriorKnowledge bool

	// StrictMaxConcurrentStreams makes a request wait for a free stream
	// on an existing HTTP/2 connection when every one has as many streams
	// as the server's MAX_CONCURRENT_STREAMS, instead of opening another
	// connection (which MaxConnsPerHost still bounds).
	StrictMaxConcurrentStreams bool

	// ReadIdleTimeout is the health check of HTTP/2 connections: one that
	// has received nothing for this long is sent a PING, and closed when
	// nothing arrives within PingTimeout. Zero means
	// DefaultReadIdleTimeout, negative no health check.
	ReadIdleTimeout time.Duration

	// PingTimeout bounds the wait for the answer to a health-check PING.
	// Zero means DefaultPingTimeout.
	PingTimeout time.Duration

	// TLSHandshakeTimeout bounds a TLS handshake. Zero means
	// DefaultTLSHandshakeTimeout, negative none.
	TLSHandshakeTimeout time.Duration

	// Proxy returns the proxy for a request, or nil for a direct
	// connection: an http://, https://, socks5:// or socks5h:// URL (see
	// transport_proxy.go and ProxyFromEnvironment). Nil means no proxy.
	Proxy func(*Request) (*url.URL, error)

	// MaxIdleConns bounds the idle connections over all hosts; past it
	// the least recently used idle connection is closed. Zero means
	// DefaultMaxIdleConns, negative no limit.
	MaxIdleConns int

	// MaxIdleConnsPerHost bounds the idle connections per key. Zero means
	// DefaultMaxIdleConnsPerHost, negative keeps none.
	MaxIdleConnsPerHost int

	// MaxConnsPerHost bounds the connections per key, dialing, in use or
	// idle. Callers beyond it wait in FIFO order (and give up when their
	// context ends). Zero means no limit.
	MaxConnsPerHost int

	// IdleConnTimeout closes a connection that stayed idle this long.
	// Zero means DefaultIdleConnTimeout, negative no limit.
	IdleConnTimeout time.Duration

	// ResponseHeaderTimeout bounds the wait for the response head once
	// the request (and its body) has been written. Zero means none.
	ResponseHeaderTimeout time.Duration

	// ExpectContinueTimeout bounds the wait for "100 Continue" when the
	// request has "Expect: 100-continue" and a body: the body is sent on
	// 100, on timeout, and not at all if a final status comes first. Zero
	// means DefaultExpectContinueTimeout, negative sends the body at once.
	ExpectContinueTimeout time.Duration

	// DisableKeepAlives sends "Connection: close" and uses every
	// connection for one request (over HTTP/2 too: one stream, then the
	// connection closes).
	DisableKeepAlives bool

	// DisableCompression turns off the transparent gzip of
	// transport_gzip.go.
	DisableCompression bool

	// MaxResponseHeaderBytes bounds a response head. Zero means
	// DefaultMaxResponseHeaderBytes.
	MaxResponseHeaderBytes int

	// MaxInterimResponses bounds the 1xx responses accepted before the
	// final one. Zero means DefaultMaxInterimResponses.
	MaxInterimResponses int

	mu    sync.Mutex
	pools map[string]*hostPool // by connection key; see connKey
	// idleLRU lists every idle connection, least recently used first.
	idleLRU   idleList
	idleTotal int
}

// Defaults of the Transport's limits and timeouts.
const (
	// The TLS handshake timeout defaults to DefaultTLSHandshakeTimeout,
	// shared with the Server.
	DefaultMaxIdleConns = 100
	// DefaultMaxIdleConnsPerHost is 16, not net/http's 2: with 2, any
	// program with more than two concurrent requests to one host closes
	// and re-dials connections all the time (paying handshakes and
	// leaving sockets in TIME_WAIT); 16 keeps a typical worker pool's
	// connections warm while MaxIdleConns still bounds the total.
	DefaultMaxIdleConnsPerHost    = 16
	DefaultIdleConnTimeout        = 90 * time.Second
	DefaultExpectContinueTimeout  = 1 * time.Second
	DefaultMaxResponseHeaderBytes = 1 << 20
	DefaultMaxInterimResponses    = 10
	// DefaultDialTimeout bounds a dial; see Transport.DialTimeout.
	DefaultDialTimeout = 30 * time.Second
	// DefaultReadIdleTimeout and DefaultPingTimeout: the health check of
	// HTTP/2 connections, on by default (net/http's is off, and a dead
	// connection then hangs its requests for the kernel's TCP timeout).
	DefaultReadIdleTimeout = 30 * time.Second
	DefaultPingTimeout     = 15 * time.Second
)

// DefaultTransport is the Transport of the zero Client. It reads its proxy
// from the environment.
var DefaultTransport = &Transport{Proxy: ProxyFromEnvironment}

// Errors of a request the Transport refuses before sending anything.
var (
	ErrInvalidMethod      = errors.New("turbohttp: request method is not a token")
	ErrInvalidHost        = errors.New("turbohttp: invalid request host")
	ErrInvalidHeaderName  = errors.New("turbohttp: invalid request header field name")
	ErrInvalidHeaderValue = errors.New("turbohttp: request header field value holds CR, LF or another control byte")
	ErrUnsupportedScheme  = errors.New("turbohttp: unsupported URL scheme")
)

// Errors of a response the Transport cannot accept. Each closes the
// connection.
var (
	// ErrMalformedResponse is matched (errors.Is) by every
	// *MalformedResponseError.
	ErrMalformedResponse = errors.New("turbohttp: malformed response")
	// ErrTooManyInterimResponses: more 1xx responses than
	// MaxInterimResponses.
	ErrTooManyInterimResponses = errors.New("turbohttp: too many 1xx responses")
	// ErrUnexpectedUpgrade: a 101 answered a request that did not ask to
	// upgrade.
	ErrUnexpectedUpgrade = errors.New("turbohttp: 101 Switching Protocols to a request without Upgrade")
	// ErrResponseHeaderTimeout: ResponseHeaderTimeout expired.
	ErrResponseHeaderTimeout = timeoutError("turbohttp: timeout awaiting response headers")
	// ErrBodyLength: the request body was shorter or longer than its
	// ContentLength.
	ErrBodyLength = errors.New("turbohttp: request body length differs from ContentLength")
	// ErrIdleConnBytes: bytes arrived on a connection while it was idle.
	ErrIdleConnBytes = errors.New("turbohttp: unsolicited bytes on an idle connection")
)

// MalformedResponseError reports a response that breaks HTTP/1.1: Err is
// the h1 error (h1.ErrDuplicateContentLength, h1.ErrBadStatusLine,
// h1.ErrHeaderTooLarge, …), so errors.Is works on both.
type MalformedResponseError struct {
	Err error
}

func (e *MalformedResponseError) Error() string {
	return "turbohttp: malformed response: " + e.Err.Error()
}

// Unwrap returns the h1 error.
func (e *MalformedResponseError) Unwrap() error { return e.Err }

// Is makes every MalformedResponseError match ErrMalformedResponse.
func (e *MalformedResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// timeoutError is an error that reports itself as a timeout (net.Error).
type timeoutError string

func (e timeoutError) Error() string   { return string(e) }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }

// Do sends req and reads the response head into resp, which the caller
// owns and may reuse: resp is reset first. On success resp.Body is set and
// must be read to its end or closed before resp is reused; the connection
// returns to the pool at the body's end. Close also hands the body's reader
// back to the connection, so a caller that always closes allocates nothing
// per request in steady state (a body read to io.EOF but never closed
// costs one small allocation on its connection's next request). Read and
// Close of the Body must not run concurrently: to abort a blocked Read,
// cancel the request's context.
//
// req.Context() bounds every stage: the wait for a connection, dialing,
// TLS, writing, the wait for the head and the reading of the body. A dial
// the request started goes on after it gives up (its connection serves the
// next request), bounded by DialTimeout and TLSHandshakeTimeout. A request
// cancelled after a connection was taken closes that connection.
//
// A body that streams (chunked, or over 64 KiB) may still be read after
// Do returns, while the response body is read; req and its Body must not
// be changed or reused until the response body has ended or been closed
// (which waits for the writing to end; see transport_duplex.go). A body
// that is an io.Closer is closed once written or when its upload stops.
// Failures say which side failed: *RequestWriteError (writing the request,
// its body included) or *ResponseReadError (reading the response), besides
// *MalformedResponseError and the context's error.
// Over HTTP/2, a stream the server reset is a *StreamResetError (a
// malformed response is reset by us with PROTOCOL_ERROR), and a
// connection that ended under a request (a connection error, the health
// check's ErrPingTimeout, a read error) a *ConnLostError naming the
// stream; a request the server did not process (REFUSED_STREAM, or above
// a GOAWAY's last stream) is retried on another stream, transparently when
// its body can be sent again.
// A request refused for its own content (ErrInvalidMethod,
// ErrInvalidHost, ErrInvalidHeaderName, ErrInvalidHeaderValue, ErrBadURL)
// sends nothing.
func (t *Transport) Do(req *Request, resp *Response) error {
	if err := validateRequest(req); err != nil {
		return err
	}
	resetResponse(resp)
	ctx := req.Context()
	cm, err := t.connectMethodFor(req)
	if err != nil {
		return err
	}
	body := req.Body
	fresh := false
	trace := ContextClientTrace(ctx)
	for attempt := 0; ; attempt++ {
		trace.getConn(req)
		r, err := t.getConn(ctx, &cm, fresh)
		if err != nil {
			return err
		}
		var retry bool
		var pool *hostPool
		if r.cc != nil {
			pool = r.cc.pool
			retry, err = r.cc.roundTrip(ctx, req, body, resp)
			retry = retry && attempt < h2MaxRetries
		} else {
			pc := r.pc
			pc.trace = trace
			trace.gotConn(pc)
			pool = pc.pool
			retry, err = pc.roundTrip(ctx, req, body, resp)
			retry = retry && !fresh
			fresh = true
		}
		if err == nil {
			return nil
		}
		if !retry {
			return err
		}
		resetResponse(resp)
		if body, err = rewindBody(req); err != nil {
			return err
		}
		t.countRetry(pool)
	}
}

// resetResponse clears resp for a new exchange, keeping its storage. The
// previous Body, if any, must already be closed.
func resetResponse(resp *Response) {
	resp.Reset()
}

// rewindBody returns a fresh copy of req's body for a retry.
func rewindBody(req *Request) (io.Reader, error) {
	if req.Body == nil {
		return nil, nil
	}
	return req.GetBody()
}

// validateRequest refuses what cannot be sent safely: a method that is not
// a token, a URL or Host that is not an http(s) authority, header fields
// with invalid names or values (CR and LF among them).
func validateRequest(req *Request) error {
	if req.Method != "" && !ascii.IsToken(req.Method) {
		return ErrInvalidMethod
	}
	if !ascii.EqualFold(req.URL.Scheme, "http") && !ascii.EqualFold(req.URL.Scheme, "https") {
		return ErrUnsupportedScheme
	}
	if checkAuthority(req.URL.Host) != nil {
		return ErrInvalidHost
	}
	if req.Host != nil && checkAuthority(req.Host) != nil {
		return ErrInvalidHost
	}
	if !validTarget(req.URL.Path) || !validTarget(req.URL.RawQuery) {
		return ErrBadURL
	}
	if err := validateFields(&req.Header); err != nil {
		return err
	}
	return validateFields(&req.Trailer)
}

// validTarget reports whether a path or query holds only visible ASCII.
func validTarget(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func validateFields(h *Header) error {
	for i := range h.fields {
		f := &h.fields[i]
		if !ascii.IsToken(f.Name) {
			return ErrInvalidHeaderName
		}
		if !h1.ValidFieldValue(f.Value) {
			return ErrInvalidHeaderValue
		}
	}
	return nil
}

// method returns the request's method, GET when empty.
func method(req *Request) string {
	if req.Method == "" {
		return MethodGet
	}
	return req.Method
}

// CloseIdleConnections closes every idle connection. Connections in use
// are not touched; they close or return to the pool when their exchange
// ends.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	var closing []*persistConn
	for pc := t.idleLRU.front(); pc != nil; pc = t.idleLRU.front() {
		t.removeIdleLocked(pc)
		t.connClosedLocked(pc.pool)
		closing = append(closing, pc)
	}
	var closingH2 []*h2ClientConn
	for _, p := range t.pools {
		closingH2 = t.closeIdleH2Locked(p, closingH2)
	}
	t.mu.Unlock()
	for _, pc := range closing {
		pc.close()
	}
	for _, cc := range closingH2 {
		cc.close() // its reader frees the slot of MaxConnsPerHost
	}
}

func (t *Transport) readIdleTimeout() time.Duration {
	return orDefault(t.ReadIdleTimeout, DefaultReadIdleTimeout)
}

func (t *Transport) pingTimeout() time.Duration {
	return orDefault(t.PingTimeout, DefaultPingTimeout)
}

func (t *Transport) dialTimeout() time.Duration {
	return orDefault(t.DialTimeout, DefaultDialTimeout)
}

func (t *Transport) maxIdleConns() int { return limitOr(t.MaxIdleConns, DefaultMaxIdleConns) }

func (t *Transport) maxIdlePerHost() int {
	return limitOr(t.MaxIdleConnsPerHost, DefaultMaxIdleConnsPerHost)
}

func (t *Transport) idleTimeout() time.Duration {
	return orDefault(t.IdleConnTimeout, DefaultIdleConnTimeout)
}

// limitOr maps a limit field to its value: zero means def, negative none
// (returned as -1).
func limitOr(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

func (t *Transport) limits() h1.Limits {
	return h1.Limits{MaxHeaderBytes: pick(t.MaxResponseHeaderBytes, DefaultMaxResponseHeaderBytes)}
}
