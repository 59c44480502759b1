package nethttp

import (
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"turbohttp"
	"turbohttp/internal/status"
)

// TransportAdapter is a turbohttp.Transport as an http.RoundTripper, so
// that net/http's Client (and anything else that takes a RoundTripper)
// sends its requests through it:
//
//	c := &http.Client{Transport: nethttp.RoundTripper(t)}
//
// It follows the RoundTripper contract: the *http.Request is not modified;
// its Body is closed, on errors too; a non-nil error means no response; a
// response's Body is never nil (http.NoBody for HEAD, 1xx, 204, 304 and
// empty bodies) and must be closed. Request.GetBody lets the Transport
// replay a request on a fresh connection when a reused one turned out to
// be closed; the request's context bounds the whole exchange, the reading
// of the response body included. Redirects and cookies are left to the
// http.Client above it, as net/http's own Transport does; the
// turbohttp.Transport supplies the pool, TLS (its TLSClientConfig), the
// proxy (its Proxy), transparent gzip (Response.Uncompressed) and the
// limits.
//
// Requests are sent as net/http sends them: Host overrides URL.Host in
// the Host field; ContentLength 0 with a Body other than http.NoBody, or
// −1, means unknown length (chunked); the fields of a non-empty Trailer
// are declared in a Trailer field and sent after a chunked body, with the
// values they hold when the body returns io.EOF; userinfo in the URL
// becomes Basic authorization. Responses come as net/http's: canonical
// header keys, Transfer-Encoding moved to TransferEncoding, declared
// trailers in Trailer (filled once Body returned io.EOF), and on 101
// Switching Protocols (or a 2xx to CONNECT) a Body that is also an
// io.Writer on the connection.
//
// Differences from net/http's Transport: no User-Agent field is added
// when the request has none; interim 1xx responses are skipped without
// reaching httptrace (and no httptrace hook is called); URL.ForceQuery
// does not send an empty "?"; a host name that is not ASCII is not
// converted to punycode; CONNECT asks for URL.Host (net/http asks for
// Host when set); a request body whose Read blocks is not interrupted by
// the request's context (the Transport reads it on the caller's
// goroutine); Close on a response body while a Read is under way does not
// interrupt that Read (see responseBody). Over HTTP/2 (ALPN h2, or the
// Transport's HTTP2PriorKnowledge) responses say Proto "HTTP/2.0", and
// trailers the server did not declare are in Trailer too.
//
// The objects converting a request and its response are pooled: they go
// back to the pool when the response body reaches its end or is closed.
// The *http.Response, its Header map and its strings are the caller's and
// never reused.
type TransportAdapter struct {
	// Transport carries the exchanges; nil means
	// turbohttp.DefaultTransport.
	Transport *turbohttp.Transport
}

// RoundTripper returns an http.RoundTripper sending requests through t
// (nil: turbohttp.DefaultTransport); see TransportAdapter.
func RoundTripper(t *turbohttp.Transport) http.RoundTripper {
	return &TransportAdapter{Transport: t}
}

func (a *TransportAdapter) transport() *turbohttp.Transport {
	if a.Transport != nil {
		return a.Transport
	}
	return turbohttp.DefaultTransport
}

// CloseIdleConnections closes the Transport's idle connections;
// http.Client.CloseIdleConnections calls it.
func (a *TransportAdapter) CloseIdleConnections() { a.transport().CloseIdleConnections() }

// Errors of requests the adapter refuses before sending anything.
var (
	ErrNilURL           = errors.New("nethttp: nil Request.URL")
	ErrBodyMissing      = errors.New("nethttp: Request.ContentLength > 0 with a nil Body")
	errReadOnClosedBody = errors.New("http: read on closed response body")
)

// RoundTrip sends req and returns its response, as http.RoundTripper.
func (a *TransportAdapter) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkRequest(req); err != nil {
		closeRequestBody(req)
		return nil, err
	}
	x := clientExchangePool.Get().(*clientExchange)
	x.prepare(req)
	err := a.transport().Do(&x.req, &x.resp)
	if err != nil {
		x.release()
		return nil, err
	}
	return x.response(), nil
}

// checkRequest refuses what net/http's Transport refuses before looking at
// the content; the turbohttp.Transport validates the rest (method, URL,
// fields).
func checkRequest(req *http.Request) error {
	switch {
	case req.URL == nil:
		return ErrNilURL
	case req.ContentLength > 0 && req.Body == nil:
		return ErrBodyMissing
	}
	return nil
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// clientExchange holds the turbohttp request and response converted from
// and to one net/http exchange. It is pooled: a free one keeps its
// buffers and header storage.
type clientExchange struct {
	req  turbohttp.Request
	resp turbohttp.Response
	hreq *http.Request // the request being sent; nil when free

	body    requestBodyReader
	replays []io.ReadCloser // bodies made by GetBody, closed at the end
	getBody func() (io.Reader, error)

	urlBuf []byte      // URL, target and Host of req
	strBuf []byte      // the response's strings, before conversion
	spans  []fieldSpan // the response's fields in strBuf
	names  []string    // scratch: trailer names
}

var clientExchangePool = sync.Pool{New: func() any {
	x := new(clientExchange)
	x.body.x = x
	x.getBody = x.replayBody
	return x
}}

// maxPooledBuf bounds the buffers a pooled exchange keeps.
const maxPooledBuf = 64 << 10

// release closes the request's bodies, resets x and puts it back into the
// pool. The response body must have been closed (or have ended): a body
// that streams is written while the response is read, so the request body
// is closed only then, as net/http's contract allows ("RoundTrip must
// always close the body … even after RoundTrip returns").
func (x *clientExchange) release() {
	if x.hreq != nil {
		x.closeBodies()
	}
	x.req.Reset()
	x.resp.Reset()
	x.hreq = nil
	x.body.rc, x.body.eof = nil, false
	x.body.closed.Store(false)
	clear(x.replays)
	x.replays = x.replays[:0]
	clear(x.names)
	if cap(x.urlBuf) > maxPooledBuf || cap(x.strBuf) > maxPooledBuf {
		x.urlBuf, x.strBuf, x.spans = nil, nil, nil
	}
	clientExchangePool.Put(x)
}

// closeBodies closes the request's body and those GetBody made.
func (x *clientExchange) closeBodies() {
	if x.body.rc != nil {
		x.body.Close()
	} else {
		closeRequestBody(x.hreq)
	}
	for _, rc := range x.replays {
		rc.Close()
	}
}

// prepare converts req into x.req.
func (x *clientExchange) prepare(req *http.Request) {
	x.hreq = req
	r := &x.req
	r.Method = req.Method
	x.setURL(req)
	x.setHeader(req)
	if req.Body != nil && req.Body != http.NoBody {
		x.body.rc = req.Body
		r.Body = &x.body
		r.ContentLength = req.ContentLength // 0 and -1 both mean unknown
		if req.GetBody != nil {
			r.GetBody = x.getBody
		}
	}
	r.Close = req.Close
	r.SetContext(req.Context())
}

// setURL fills x.req's URL and Host, views into x.urlBuf. (CONNECT needs
// nothing special: the Transport sends URL.Host in authority form.)
func (x *clientExchange) setURL(req *http.Request) {
	u := req.URL
	buf := append(x.urlBuf[:0], u.Scheme...)
	hostAt := len(buf)
	buf = append(buf, u.Host...)
	pathAt := len(buf)
	var queryAt int
	switch {
	case u.Opaque != "":
		path, query, _ := strings.Cut(u.RequestURI(), "?")
		buf = append(buf, path...)
		queryAt = len(buf)
		buf = append(buf, query...)
	default:
		buf = append(buf, u.EscapedPath()...)
		queryAt = len(buf)
		buf = append(buf, u.RawQuery...)
	}
	end := len(buf)
	override := req.Host != "" && req.Host != u.Host
	if override {
		buf = append(buf, req.Host...)
	}
	x.urlBuf = buf
	x.req.URL = turbohttp.URL{
		Scheme:   buf[:hostAt:hostAt],
		Host:     buf[hostAt:pathAt:pathAt],
		Path:     buf[pathAt:queryAt:queryAt],
		RawQuery: buf[queryAt:end:end],
	}
	if override {
		x.req.Host = buf[end:]
	}
}

// setHeader copies req's header fields into x.req, leaving out those the
// transport writes itself, trimming values as net/http does; declares
// the trailer and adds Basic authorization from URL userinfo.
func (x *clientExchange) setHeader(req *http.Request) {
	h := &x.req.Header
	for k, vv := range req.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		for _, v := range vv {
			h.Add(k, strings.Trim(v, " \t"))
		}
	}
	if len(req.Trailer) > 0 && unknownLength(req) {
		keys := x.names[:0]
		for k := range req.Trailer {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		x.names = keys
		h.Add("Trailer", strings.Join(keys, ","))
	}
	if u := req.URL.User; u != nil && !h.Has("Authorization") {
		pw, _ := u.Password()
		h.Add("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
}

// unknownLength reports whether req's body goes chunked.
func unknownLength(req *http.Request) bool {
	return req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0
}

// replayBody is the turbohttp request's GetBody: a fresh copy of the body
// from the http.Request's GetBody.
func (x *clientExchange) replayBody() (io.Reader, error) {
	rc, err := x.hreq.GetBody()
	if err != nil {
		return nil, err
	}
	x.replays = append(x.replays, rc)
	x.body.rc, x.body.eof = rc, false
	return &x.body, nil
}

// requestBodyReader is the turbohttp request's Body over the
// http.Request's; at io.EOF it takes the trailer values. Its Close closes
// the http.Request's body once, whoever calls first: the Transport (once
// it has written the body, or to stop an upload blocked in Read) or the
// adapter at the end of the exchange.
type requestBodyReader struct {
	x      *clientExchange
	rc     io.ReadCloser
	eof    bool
	closed atomic.Bool
}

func (b *requestBodyReader) Close() error {
	if b.rc == nil || b.closed.Swap(true) {
		return nil
	}
	return b.rc.Close()
}

func (b *requestBodyReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF && !b.eof {
		b.eof = true
		b.x.takeRequestTrailer()
	}
	return n, err
}

// takeRequestTrailer copies the values of the request's Trailer, final
// once the body returned io.EOF, into x.req.Trailer for the chunked
// writer (which refuses invalid names and values).
func (x *clientExchange) takeRequestTrailer() {
	t := &x.req.Trailer
	t.Reset()
	for k, vv := range x.hreq.Trailer {
		for _, v := range vv {
			t.Add(k, strings.Trim(v, " \t"))
		}
	}
}

// clientResponse is an http.Response with the body handle and the
// storage of its header values, allocated together: one allocation for
// what net/http makes in several.
type clientResponse struct {
	resp http.Response
	body responseBody
	vals [12]string // backs the one-value []string of each header key
}

// response converts x.resp into a new http.Response for x.hreq. When the
// response has no body to read, x is released at once.
func (x *clientExchange) response() *http.Response {
	tr := &x.resp
	cr := new(clientResponse)
	resp := &cr.resp
	*resp = http.Response{
		Status:        statusString(tr.StatusCode, tr.Reason),
		StatusCode:    tr.StatusCode,
		Proto:         protoString(tr.ProtoMajor, tr.ProtoMinor),
		ProtoMajor:    tr.ProtoMajor,
		ProtoMinor:    tr.ProtoMinor,
		ContentLength: tr.ContentLength,
		Close:         tr.Close,
		Uncompressed:  tr.Uncompressed,
		Request:       x.hreq,
		TLS:           tr.TLS,
	}
	x.convertHeader(cr)
	switch {
	case tr.StatusCode == http.StatusSwitchingProtocols || isTunnel(x.hreq, tr):
		resp.Body = tr.Body // an io.ReadWriteCloser on the connection
		tr.Body = nil
		x.release()
	case noBody(x.hreq, tr):
		resp.Body = http.NoBody
		tr.Body.Close()
		x.release()
	default:
		cr.body.x, cr.body.resp = x, resp
		resp.Body = &cr.body
	}
	return resp
}

// isTunnel reports a 2xx answer to CONNECT: the connection is the caller's.
func isTunnel(req *http.Request, tr *turbohttp.Response) bool {
	return req.Method == http.MethodConnect && tr.StatusCode/100 == 2
}

// noBody reports a response that has no content to read.
func noBody(req *http.Request, tr *turbohttp.Response) bool {
	return req.Method == http.MethodHead || tr.StatusCode == http.StatusNoContent ||
		tr.StatusCode == http.StatusNotModified || tr.StatusCode < 200 ||
		tr.ContentLength == 0
}

// convertHeader fills cr.resp.Header from x.resp.Header with one string
// for all names and values that are not interned, and moves
// Transfer-Encoding and Trailer as net/http does for a chunked body.
func (x *clientExchange) convertHeader(cr *clientResponse) {
	th := &x.resp.Header
	buf, spans := x.strBuf[:0], x.spans[:0]
	for i := range th.Len() {
		name, value := th.At(i)
		var f fieldSpan
		buf, f = appendFieldSpan(buf, name, value, clientHeader)
		spans = append(spans, f)
	}
	x.strBuf, x.spans = buf, spans
	s := string(buf)
	h := make(http.Header, len(spans))
	vals := cr.vals[:]
	if len(spans) > len(vals) {
		vals = make([]string, len(spans))
	}
	n, chunked := 0, false
	for i := range spans {
		f := &spans[i]
		name, value := f.nameIn(s), s[f.valStart:f.valEnd]
		if name == "Transfer-Encoding" {
			chunked = true
			continue
		}
		n = addValue(h, vals, n, name, value)
	}
	cr.resp.Header = h
	if chunked {
		vals[n] = "chunked" // n < len(spans): the Transfer-Encoding field was not counted
		cr.resp.TransferEncoding = vals[n : n+1 : n+1]
	}
	if chunked || x.resp.ProtoMajor == 2 { // HTTP/2 bodies may end with trailers too
		x.declareTrailer(&cr.resp)
	}
}

// declareTrailer moves the Trailer field of a chunked response into
// resp.Trailer, as keys without values until the body's end.
func (x *clientExchange) declareTrailer(resp *http.Response) {
	vv := resp.Header["Trailer"]
	if vv == nil {
		return
	}
	delete(resp.Header, "Trailer")
	names := x.names[:0]
	for _, v := range vv {
		names = appendTrailerNames(names, v)
	}
	x.names = names
	if len(names) == 0 {
		return
	}
	resp.Trailer = make(http.Header, len(names))
	for _, name := range names {
		resp.Trailer[name] = nil
	}
}

// takeResponseTrailer adds the trailer fields received at the end of the
// body to resp.Trailer.
func (x *clientExchange) takeResponseTrailer(resp *http.Response) {
	t := &x.resp.Trailer
	if t.Len() == 0 {
		return
	}
	if resp.Trailer == nil {
		resp.Trailer = make(http.Header, t.Len())
	}
	for i := range t.Len() {
		name, value := t.At(i)
		k := canonicalKey(string(name))
		resp.Trailer[k] = append(resp.Trailer[k], string(value))
	}
}

// responseBody is the http.Response's Body over the turbohttp response's.
// At the body's end (io.EOF, an error, or Close) it hands the exchange
// back to the pool. Close may be called while a Read is under way: it
// returns at once and the Read, when it returns, ends the body (closing
// the connection unless the rest was buffered). It does not interrupt the
// Read; cancelling the request's context does.
type responseBody struct {
	mu      sync.Mutex
	x       *clientExchange // nil once the body ended
	resp    *http.Response
	err     error // returned by Read once x is nil
	reading bool  // a Read is under way, outside mu
	closed  bool
}

func (b *responseBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	x := b.x
	if x == nil {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	b.reading = true
	b.mu.Unlock()
	n, err := x.resp.Body.Read(p)
	b.mu.Lock()
	b.reading = false
	switch {
	case b.closed:
		b.end(errReadOnClosedBody)
	case err == io.EOF:
		x.takeResponseTrailer(b.resp)
		b.end(err)
	case err != nil:
		b.end(err)
	}
	b.mu.Unlock()
	return n, err
}

// Close ends the body; unread content that is not already buffered
// closes the connection rather than being drained.
func (b *responseBody) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		if b.x != nil && !b.reading {
			b.end(errReadOnClosedBody)
		}
		b.err = errReadOnClosedBody
	}
	b.mu.Unlock()
	return nil
}

// end closes the turbohttp body, releases the exchange and makes Read
// return err from then on; b.mu is held and no Read is under way.
func (b *responseBody) end(err error) {
	b.x.resp.Body.Close()
	b.x.release()
	b.x, b.err = nil, err
}

// statusString returns the Status of an http.Response: the code and the
// reason phrase as sent, a constant for the standard phrases.
func statusString(code int, reason []byte) string {
	if code >= 100 && code < len(statusLines) {
		if s := statusLines[code]; s != "" && s[4:] == string(reason) {
			return s
		}
	}
	if len(reason) == 0 {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + string(reason)
}

// statusLines holds "200 OK" and the like for every code status.Text
// knows.
var statusLines = func() (t [600]string) {
	for code := 100; code < len(t); code++ {
		if text := status.Text(code); text != "" {
			t[code] = strconv.Itoa(code) + " " + text
		}
	}
	return t
}()

// clientHeader interns the header names common in responses besides those
// of commonHeader.
var clientHeader = func() map[string]string {
	m := maps.Clone(commonHeader)
	for _, name := range [...]string{
		"Access-Control-Allow-Credentials", "Access-Control-Allow-Headers",
		"Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
		"Access-Control-Expose-Headers", "Access-Control-Max-Age", "Age",
		"Allow", "Alt-Svc", "Content-Security-Policy", "Proxy-Authenticate",
		"Referrer-Policy", "Retry-After", "Strict-Transport-Security", "Vary",
		"Www-Authenticate", "X-Content-Type-Options", "X-Frame-Options",
		"X-Xss-Protection",
	} {
		m[name] = name
	}
	return m
}()
