package turbohttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"turbohttp/h1"
	"turbohttp/internal/ascii"
)

// persistConn is one client connection. It carries one exchange at a time,
// driven by the goroutine that took it from the pool: that goroutine
// writes the request, reads the head and (through respBody) the body, and
// gives the connection back at the body's end. The one exception is a body
// that streams (see transport_duplex.go): a writer goroutine then owns the
// write side (w, bw, cw, trailers, one) from the head's writing until it
// reports through up, while the caller reads.
type persistConn struct {
	t    *Transport
	pool *hostPool
	conn net.Conn
	// tlsState is set once after the handshake and handed to every
	// Response; nil for plain connections.
	tlsState *tls.ConnectionState
	probe    idleProbe

	// Everything below is owned by the goroutine holding the connection.
	in       readBuf // the read buffer; kept, and grown, for the connection's life
	w        countingWriter
	bw       *bufio.Writer
	lim      h1.Limits
	head     h1.ResponseHead
	body     h1.BodyReader
	gz       gzipBody
	cw       h1.ChunkedWriter
	trailers []h1.Field // request trailers, converted for the writer
	one      [1]byte
	target   []byte // scratch for the request target
	reused   bool   // sat idle or served another exchange before this one
	used     bool   // has carried an exchange
	answered bool   // a byte of a response arrived in the current exchange
	closing  bool   // must close after the current exchange
	// bodyOwned: the request body streams from a writer goroutine in
	// the current exchange, which owns it (see transport_duplex.go).
	bodyOwned bool
	up        upload
	// stopCancel unregisters the context.AfterFunc of the current
	// exchange; nil when the context cannot be cancelled.
	stopCancel func() bool
	cancelFn   func() // made once: sets the deadline to the past
	cancelled  atomic.Bool
	trace      *ClientTrace // of the current exchange; nil when untraced
	// spare is a respBody handed back by Close, reused by the next
	// exchange (maybe on another goroutine, hence atomic).
	spare atomic.Pointer[respBody]

	// Guarded by t.mu.
	inIdle     bool
	prev, next *persistConn
	idleAt     time.Time
	idleTimer  *time.Timer

	closeOnce sync.Once
}

// aLongTimeAgo is a deadline in the past, to unblock reads and writes.
var aLongTimeAgo = time.Unix(1, 0)

// clientWriteBufSize is the write buffer of a client connection (its read
// buffer is readBufSize, grown for a large head).
const clientWriteBufSize = 4 << 10

func newPersistConn(t *Transport, p *hostPool, c net.Conn) *persistConn {
	pc := &persistConn{t: t, pool: p, conn: c, lim: t.limits()}
	pc.in.init(c)
	pc.w.conn = c
	pc.bw = bufio.NewWriterSize(&pc.w, clientWriteBufSize)
	pc.cancelFn = func() {
		pc.cancelled.Store(true)
		pc.conn.SetDeadline(aLongTimeAgo)
	}
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		pc.tlsState = &st
	}
	pc.probe.init(c)
	return pc
}

// close closes the network connection, once.
func (pc *persistConn) close() {
	pc.closeOnce.Do(func() {
		pc.conn.Close()
		if pc.idleTimer != nil {
			pc.idleTimer.Stop()
		}
	})
}

// armIdleTimer (re)starts the idle timer; t.mu is held.
func (pc *persistConn) armIdleTimer(d time.Duration) {
	if d <= 0 {
		return
	}
	if pc.idleTimer == nil {
		pc.idleTimer = time.AfterFunc(d, func() { pc.t.idleExpired(pc) })
		return
	}
	pc.idleTimer.Reset(d)
}

// Health of an idle connection about to be reused.
const (
	idleOK      = iota
	idleExpired // idle longer than IdleConnTimeout
	idleBroken  // closed by the server, or bytes arrived while idle
)

// idleHealth checks an idle connection before reuse: cheaply, with a
// non-blocking peek at the socket (see idleProbe).
func (pc *persistConn) idleHealth(timeout time.Duration) int {
	if timeout > 0 && time.Since(pc.idleAt) >= timeout {
		return idleExpired
	}
	if !pc.quiet() || !pc.probe.quiet() {
		return idleBroken
	}
	return idleOK
}

// quiet reports that nothing is buffered beyond the last response.
func (pc *persistConn) quiet() bool {
	return pc.in.buffered() == 0
}

// roundTrip carries one exchange on pc. On error the connection has been
// closed (or, if nothing was sent, given back) and retry says whether the
// request may go again on a fresh connection; pc must not be used after
// an error, as another caller may hold it. On success resp.Body owns the
// connection until the body ends.
func (pc *persistConn) roundTrip(ctx context.Context, req *Request, body io.Reader, resp *Response) (retry bool, err error) {
	pc.w.n, pc.w.err, pc.answered, pc.used, pc.bodyOwned = 0, nil, false, true, false
	pc.stopCancel = nil
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			pc.t.putConn(pc)
			return false, err
		}
		pc.stopCancel = context.AfterFunc(ctx, pc.cancelFn)
	}
	err = pc.exchange(req, body, resp)
	if closer, ok := body.(io.Closer); ok && body != nil && !pc.bodyOwned {
		closer.Close()
	}
	if err != nil {
		pc.stopUpload()
		pc.joinUpload()
		pc.endCancel()
		err = sideError(ctx, pc.mapError(ctx, err))
		retry = pc.retryable(ctx, req, err)
		pc.t.releaseConn(pc)
		return retry, err
	}
	return false, nil
}

// endCancel unregisters the cancellation of the exchange and reports
// whether the connection is still in a known state (the cancellation did
// not fire).
func (pc *persistConn) endCancel() bool {
	if pc.stopCancel == nil {
		return true
	}
	stopped := pc.stopCancel()
	pc.stopCancel = nil
	return stopped && !pc.cancelled.Load()
}

// mapError turns the error of a cancelled exchange into the context's
// error, and a malformed head into a *MalformedResponseError.
func (pc *persistConn) mapError(ctx context.Context, err error) error {
	if pc.cancelled.Load() && ctx.Err() != nil {
		return ctx.Err()
	}
	var he *h1.Error
	if errors.As(err, &he) {
		return &MalformedResponseError{Err: err}
	}
	return err
}

// sideError marks an error of Do that is neither the context's, nor a
// malformed response, nor a *RequestWriteError, nor one of the Transport's
// own, as a *ResponseReadError: it says which side of the exchange failed.
func sideError(ctx context.Context, err error) error {
	var we *RequestWriteError
	var me *MalformedResponseError
	switch {
	case err == ctx.Err(), errors.As(err, &we), errors.As(err, &me), err == ErrResponseHeaderTimeout,
		err == ErrTooManyInterimResponses, err == ErrUnexpectedUpgrade:
		return err
	}
	return &ResponseReadError{Err: err}
}

// setReadDeadline sets a read deadline without losing a cancellation that
// raced with it.
func (pc *persistConn) setReadDeadline(t time.Time) {
	pc.conn.SetReadDeadline(t)
	if pc.cancelled.Load() {
		pc.conn.SetDeadline(aLongTimeAgo)
	}
}

// exchange writes the request and reads the response head into resp.
func (pc *persistConn) exchange(req *Request, body io.Reader, resp *Response) error {
	m := method(req)
	length := bodyLength(req, body, m)
	gzip := pc.t.wantGzip(req, m)
	if err := pc.writeHead(req, m, length, gzip); err != nil {
		return &RequestWriteError{Err: err}
	}
	sendBody := body != nil
	if sendBody && expects100(req) {
		var err error
		if sendBody, err = pc.awaitContinue(m); err != nil {
			return err
		}
	}
	if sendBody && streamsBody(length) {
		return pc.exchangeDuplex(req, body, resp, m, length, gzip)
	}
	if sendBody {
		if err := pc.copyBody(body, length, nil); err != nil {
			return pc.earlyResponse(m, req, resp, gzip, &RequestWriteError{Err: err})
		}
	} else if body != nil {
		pc.closing = true // the server may still expect the body
	}
	err := pc.bw.Flush()
	pc.trace.wroteRequest(err)
	if err != nil {
		return pc.earlyResponse(m, req, resp, gzip, &RequestWriteError{Err: err})
	}
	n, err := pc.readFinalHead(m, req)
	if err != nil {
		return err
	}
	return pc.setResponse(req, resp, n, gzip)
}

// earlyResponseWait bounds the wait for a response after the request could
// not be written in full.
const earlyResponseWait = time.Second

// earlyResponse handles a request whose writing failed with err. A server
// may answer before it has read the whole body (413 to a large upload, say)
// and then close the connection, which fails the rest of the upload: when
// the connection refused a write, the answer the server sent first, if it
// arrives within earlyResponseWait, is the response, and the connection
// closes after it. Any other error (the body's own) is returned as it is.
func (pc *persistConn) earlyResponse(m string, req *Request, resp *Response, gzip bool, err error) error {
	if pc.w.err == nil || pc.cancelled.Load() {
		return err
	}
	pc.setReadDeadline(time.Now().Add(earlyResponseWait))
	n, rerr := pc.readFinalHead(m, req)
	pc.setReadDeadline(time.Time{})
	if rerr != nil {
		return err
	}
	pc.closing = true
	return pc.setResponse(req, resp, n, gzip)
}

// bodyLength returns the framing of the request body for the head
// writer: a Content-Length, h1.Chunked, or h1.NoBody. POST, PUT and PATCH
// without a body send "Content-Length: 0", as servers expect one.
func bodyLength(req *Request, body io.Reader, m string) int64 {
	switch {
	case body == nil && (m == MethodPost || m == MethodPut || m == MethodPatch):
		return 0
	case body == nil:
		return h1.NoBody
	case req.ContentLength > 0:
		return req.ContentLength
	}
	return h1.Chunked
}

// expects100 reports whether the caller asked for "Expect: 100-continue".
func expects100(req *Request) bool {
	v := req.Header.Peek("Expect")
	return v != nil && ascii.EqualFold(v, "100-continue")
}

// writeHead writes the request head into the write buffer, through h1's
// validating writers. The request was validated before it took a
// connection; should a field fail here all the same (a caller changing
// the request meanwhile), nothing is written and the error is the one
// validation gives.
func (pc *persistConn) writeHead(req *Request, m string, length int64, gzip bool) error {
	host := req.Host
	if host == nil {
		host = req.URL.Host
	}
	pc.closing = req.Close || pc.t.DisableKeepAlives
	pc.target = pc.appendTarget(pc.target[:0], req, m, host)
	b, err := h1.AppendRequestLine(pc.bw.AvailableBuffer(), m, pc.target)
	if err != nil {
		return headError(err)
	}
	if b, err = h1.AppendField(b, "Host", host); err != nil {
		return ErrInvalidHost
	}
	for i := range req.Header.fields {
		f := &req.Header.fields[i]
		if skipRequestField(f.Name) {
			continue
		}
		if ascii.EqualFold(f.Name, "Connection") && ascii.ContainsToken(f.Value, "close") {
			pc.closing = true
		}
		if b, err = h1.AppendField(b, f.Name, f.Value); err != nil {
			return headError(err)
		}
	}
	if gzip {
		b, _ = h1.AppendField(b, "Accept-Encoding", "gzip")
	}
	if pc.absoluteForm() && pc.pool.proxyAuth != "" && !req.Header.Has("Proxy-Authorization") {
		if b, err = h1.AppendField(b, "Proxy-Authorization", pc.pool.proxyAuth); err != nil {
			return headError(err)
		}
	}
	if (req.Close || pc.t.DisableKeepAlives) && !req.Header.Has("Connection") {
		b, _ = h1.AppendField(b, "Connection", "close")
	}
	_, err = pc.bw.Write(h1.AppendEnd(h1.AppendBodyLength(b, length)))
	return err
}

// appendTarget appends the request target of req to dst: authority-form
// for CONNECT, absolute-form through an HTTP proxy, else origin-form.
func (pc *persistConn) appendTarget(dst []byte, req *Request, m string, host []byte) []byte {
	switch {
	case m == MethodConnect:
		// authority-form (RFC 9112 §3.2.3): the tunnel's target, which is
		// Host when set (URL then names the proxy dialed), as in net/http
		return append(dst, host...)
	case pc.absoluteForm():
		dst = append(dst, "http://"...)
		dst = append(dst, req.URL.Host...)
	}
	if len(req.URL.Path) == 0 {
		dst = append(dst, '/')
	} else {
		dst = append(dst, req.URL.Path...)
	}
	if len(req.URL.RawQuery) > 0 {
		dst = append(dst, '?')
		dst = append(dst, req.URL.RawQuery...)
	}
	return dst
}

// headError returns the validation error for an error of h1's writers.
func headError(err error) error {
	switch err {
	case h1.ErrInvalidMethod:
		return ErrInvalidMethod
	case h1.ErrInvalidTarget:
		return ErrBadURL
	case h1.ErrInvalidFieldName:
		return ErrInvalidHeaderName
	case h1.ErrInvalidFieldValue:
		return ErrInvalidHeaderValue
	}
	return err
}

// skipRequestField reports the fields the transport writes itself.
func skipRequestField(name []byte) bool {
	switch len(name) {
	case 4:
		return ascii.EqualFold(name, "Host")
	case 14:
		return ascii.EqualFold(name, "Content-Length")
	case 17:
		return ascii.EqualFold(name, "Transfer-Encoding")
	}
	return false
}

// absoluteForm reports whether requests go to an HTTP proxy in absolute
// form (plain http through an http or https proxy).
func (pc *persistConn) absoluteForm() bool {
	p := pc.pool
	return p.proxy != nil && !p.https && (p.proxy.Scheme == "http" || p.proxy.Scheme == "https")
}

// maxEmptyReads is how many reads in a row may return nothing before a
// request body is deemed stuck (io.ErrNoProgress).
const maxEmptyReads = 100

// writeChunked writes a body of unknown length in chunks read into buf,
// then the request's trailers.
func (pc *persistConn) writeChunked(req *Request, body io.Reader, buf []byte) error {
	pc.cw.Reset(pc.bw)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := pc.cw.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	pc.trailers = pc.trailers[:0]
	for i := range req.Trailer.fields {
		f := &req.Trailer.fields[i]
		pc.trailers = append(pc.trailers, h1.Field{Name: f.Name, Value: f.Value})
	}
	return pc.cw.CloseWithTrailers(pc.trailers)
}

// awaitContinue flushes the head of a request with "Expect:
// 100-continue" and waits for the interim 100, a final response or
// ExpectContinueTimeout. It reports whether the body should be sent.
func (pc *persistConn) awaitContinue(m string) (bool, error) {
	timeout := orDefault(pc.t.ExpectContinueTimeout, DefaultExpectContinueTimeout)
	if timeout < 0 {
		return true, nil
	}
	if err := pc.bw.Flush(); err != nil {
		return false, &RequestWriteError{Err: err}
	}
	pc.setReadDeadline(time.Now().Add(timeout))
	defer pc.setReadDeadline(time.Time{})
	n, err := pc.readHead(m)
	switch {
	case err != nil && isTimeout(err) && !pc.cancelled.Load():
		return true, nil
	case err != nil:
		return false, err
	case pc.head.Status == 100:
		pc.in.reader().Discard(n)
		return true, nil
	}
	return false, nil // the response comes before the body: parse it again
}

// readHead reads until a complete head is buffered and parses it into
// pc.head, returning its length.
func (pc *persistConn) readHead(m string) (int, error) {
	return pc.in.readHead(pc.lim.MaxHeaderBytes+1, func(buf []byte) (int, error) {
		if !pc.answered && len(buf) > 0 {
			pc.answered = true
			pc.trace.gotFirstByte()
		}
		return h1.ParseResponse(buf, m, &pc.head, &pc.lim)
	})
}

// readFinalHead reads the response head, skipping the interim responses
// (at most MaxInterimResponses). A 101 is final only when the request
// asked to upgrade.
func (pc *persistConn) readFinalHead(m string, req *Request) (int, error) {
	if d := pc.t.ResponseHeaderTimeout; d > 0 {
		pc.setReadDeadline(time.Now().Add(d))
		defer pc.setReadDeadline(time.Time{})
	}
	return pc.readInterim(m, req)
}

// readInterim is readFinalHead without its deadline: a read timeout is
// ErrResponseHeaderTimeout unless the exchange was cancelled.
func (pc *persistConn) readInterim(m string, req *Request) (int, error) {
	maxInterim := pick(pc.t.MaxInterimResponses, DefaultMaxInterimResponses)
	for interim := 0; ; interim++ {
		n, err := pc.readHead(m)
		if err != nil {
			if isTimeout(err) && !pc.cancelled.Load() {
				return 0, ErrResponseHeaderTimeout
			}
			return 0, err
		}
		switch {
		case pc.head.Status == 101 && !wantsUpgrade(req):
			return 0, ErrUnexpectedUpgrade
		case pc.head.Status >= 200 || pc.head.Status == 101:
			return n, nil
		case interim == maxInterim:
			return 0, ErrTooManyInterimResponses
		}
		pc.in.reader().Discard(n)
	}
}

// wantsUpgrade reports whether req asks to switch protocols.
func wantsUpgrade(req *Request) bool {
	c := req.Header.Peek("Connection")
	return c != nil && ascii.ContainsToken(c, "upgrade") && req.Header.Has("Upgrade")
}

// setResponse fills resp from pc.head, whose n bytes are buffered, and
// gives it a body reader.
func (pc *persistConn) setResponse(req *Request, resp *Response, n int, gzip bool) error {
	h := &pc.head
	resp.StatusCode = h.Status
	resp.Reason = append(resp.Reason[:0], h.Reason...)
	resp.ProtoMajor, resp.ProtoMinor = 1, int(h.Minor)
	for i := range h.Fields {
		resp.Header.AddBytes(h.Fields[i].Name, h.Fields[i].Value)
	}
	resp.ContentLength = h.ContentLength
	if h.Body == h1.BodyNone && !resp.Header.Has("Content-Length") {
		resp.ContentLength = -1
		if h.Status == 204 || h.Status == 304 || h.Status < 200 {
			resp.ContentLength = 0
		}
	}
	pc.closing = pc.closing || h.Close
	resp.Close = pc.closing
	resp.TLS = pc.tlsState
	resp.Request = req
	framing := h.Framing
	pc.in.reader().Discard(n)
	if h.Tunnel {
		return pc.startTunnel(resp)
	}
	pc.body.Reset(pc.in.reader(), framing, &pc.lim)
	rb := pc.spare.Swap(nil)
	if rb == nil {
		rb = &respBody{pc: pc}
	}
	rb.resp, rb.state, rb.err, rb.gzip = resp, bodyActive, nil, false
	resp.Body = rb
	if gzip && framing.Body != h1.BodyNone && pc.gz.applies(resp) {
		rb.gzip = true
		pc.gz.start(&pc.body, resp)
	}
	if framing.Body == h1.BodyNone || framing.Body == h1.BodyLength && framing.ContentLength == 0 {
		rb.finish(true)
	}
	return nil
}

// retryable reports whether a request that failed with err on pc may be
// sent again on a fresh connection: pc was reused (a server may close an
// idle connection at any time), no byte of a response arrived, and the
// request can be replayed: its body is absent or GetBody can make it
// again, and it is idempotent (or carries an Idempotency-Key), or not a
// byte of it had reached the connection.
func (pc *persistConn) retryable(ctx context.Context, req *Request, err error) bool {
	if !pc.reused || pc.answered || !pc.quiet() || ctx.Err() != nil || errors.Is(err, ErrBodyLength) {
		return false
	}
	var me *MalformedResponseError
	if errors.As(err, &me) || err == ErrTooManyInterimResponses || err == ErrUnexpectedUpgrade || err == ErrResponseHeaderTimeout {
		return false
	}
	if req.Body != nil && req.GetBody == nil {
		return false
	}
	return MethodIsIdempotent(method(req)) || req.Header.Has("Idempotency-Key") ||
		req.Header.Has("X-Idempotency-Key") || pc.w.n == 0
}

// States of a respBody.
const (
	bodyActive   = iota // the exchange is on
	bodyFinished        // the body ended (or failed); the connection is gone
	bodyClosed          // closed by the caller; the handle is back on the connection
)

// respBody is the Response.Body of the native Transport. It reads through
// its connection's reusable h1.BodyReader (and gzip decoder), and gives the
// connection back once the body ends. The handle itself is recycled by the
// connection when the caller closes it, so a caller that closes its
// bodies allocates none.
type respBody struct {
	pc    *persistConn
	resp  *Response
	gzip  bool
	state uint8
	err   error // returned once finished: io.EOF or the error that ended the body
}

// errRespBodyClosed is returned by Read after Close.
var errRespBodyClosed = errors.New("turbohttp: read on closed response body")

func (rb *respBody) Read(p []byte) (int, error) {
	switch rb.state {
	case bodyFinished:
		return 0, rb.err
	case bodyClosed:
		return 0, errRespBodyClosed
	}
	var n int
	var err error
	if rb.gzip {
		n, err = rb.pc.gz.Read(p)
	} else {
		n, err = rb.pc.body.Read(p)
	}
	switch {
	case err == io.EOF:
		rb.finish(true)
	case err != nil:
		if werr := rb.pc.uploadErr(); werr != nil {
			err = werr // the upload failed first and cut the response off
		}
		err = rb.pc.mapError(rb.resp.Request.Context(), err)
		rb.finish(false)
		rb.err = err
	}
	return n, err
}

// Close ends the body. Unread bytes are skipped when they are all already
// buffered; otherwise the connection is closed rather than drained.
func (rb *respBody) Close() error {
	if rb.state == bodyActive {
		pc := rb.pc
		left := pc.body.Remaining()
		ok := !rb.gzip && left >= 0 && left <= int64(pc.in.buffered())
		if ok {
			_, err := pc.body.Discard(left)
			ok = err == nil && pc.body.Done()
		}
		rb.finish(ok)
		if !ok {
			rb.err = errRespBodyClosed
		}
	}
	if rb.state == bodyFinished {
		rb.state = bodyClosed
		rb.resp = nil
		rb.pc.spare.Store(rb)
	}
	return nil
}

// finish ends the exchange: with ok and the body at its clean end, the
// trailers are published and the connection goes back to the pool;
// otherwise it is closed.
func (rb *respBody) finish(ok bool) {
	pc := rb.pc
	rb.state, rb.err = bodyFinished, io.EOF
	ok = ok && pc.body.Done()
	if ok {
		for _, f := range pc.body.Trailers() {
			rb.resp.Trailer.AddBytes(f.Name, f.Value)
		}
	}
	ok = pc.endUpload(ok)
	if !pc.endCancel() || !ok {
		pc.t.releaseConn(pc)
		return
	}
	pc.t.putConn(pc)
}

// countingWriter counts the bytes that reached the connection in the
// current exchange, so that a retry knows whether anything was sent.
type countingWriter struct {
	conn net.Conn
	n    int64
	err  error // the first write error of the exchange
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.conn.Write(p)
	w.n += int64(n)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// startTunnel hands the connection over to the caller after a 101
// Switching Protocols (or a 2xx to CONNECT): resp.Body becomes an
// io.ReadWriteCloser on the raw connection, which leaves the pool.
func (pc *persistConn) startTunnel(resp *Response) error {
	pc.endCancel()
	pc.t.mu.Lock()
	pc.t.connClosedLocked(pc.pool)
	pc.t.mu.Unlock()
	resp.ContentLength = -1
	resp.Body = &tunnelBody{br: pc.in.reader(), conn: pc.conn}
	return nil
}

// tunnelBody is the Body of a response that switched protocols: reads come
// from the bytes already buffered, then the connection; writes go to the
// connection; Close closes it.
type tunnelBody struct {
	br   *bufio.Reader
	conn net.Conn
}

func (tb *tunnelBody) Read(p []byte) (int, error)  { return tb.br.Read(p) }
func (tb *tunnelBody) Write(p []byte) (int, error) { return tb.conn.Write(p) }
func (tb *tunnelBody) Close() error                { return tb.conn.Close() }
