package turbohttp

import (
	"context"
	"errors"
	"io"
	"time"

	"turbohttp/h2"
	"turbohttp/internal/ascii"
)

// clientStream is one exchange on an h2ClientConn. Streams are recycled
// by their connection (with their channels and buffers), so a steady
// state allocates none. A stream belongs to its caller from roundTrip
// until its response body is closed; the fields marked "mu" are shared
// with the reader goroutine under the connection's mu.
type clientStream struct {
	cc   *h2ClientConn
	id   uint32
	ctx  context.Context
	req  *Request
	resp *Response
	body h2Body // resp.Body
	raw  h2Raw  // the body as received
	gz   gzipBody

	// ch wakes the caller (head, data, end, failure); wch the body
	// writer (window, 100-continue, stop). Both hold at most one token.
	ch, wch chan struct{}
	// wdone receives the body writer's result.
	wdone chan error
	// upBody is the request body the writer reads; nil without one.
	upBody io.Reader

	// mu
	buf        []byte // response body received, not yet read
	asleep     bool   // the caller may wait on ch: the next change must post a token
	off        int    // read offset in buf
	gotHead    bool   // the final response head arrived
	got100     bool   // a 100 (Continue) arrived
	remoteDone bool   // the response ended (END_STREAM)
	engineGone bool   // the engine forgot the stream (ended or reset)
	refused    bool   // the server did not process the request: retry
	err        error  // the failure of the exchange
	uploading  bool   // a body writer runs
	stopWrite  bool   // the body writer must stop
	wroteAll   bool   // the request (and its body) is fully queued
	released   bool   // the stream slot went back to the pool
	interim    int    // 1xx responses received
}

// h2MaxKeptBuf bounds the body buffer a recycled stream keeps.
const h2MaxKeptBuf = 64 << 10

// newStreamLocked takes a recycled stream or makes one.
func (cc *h2ClientConn) newStreamLocked() *clientStream {
	var cs *clientStream
	if n := len(cc.free); n > 0 {
		cs = cc.free[n-1]
		cc.free[n-1] = nil
		cc.free = cc.free[:n-1]
	} else {
		cs = &clientStream{cc: cc, ch: make(chan struct{}, 1), wch: make(chan struct{}, 1), wdone: make(chan error, 1)}
		cs.body.cs, cs.raw.cs = cs, cs
	}
	return cs
}

// recycle returns cs to its connection once its caller is done with it.
func (cs *clientStream) recycle() {
	cc := cs.cc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cs.reset()
	if len(cc.free) < h2MaxFreeStreams {
		cc.free = append(cc.free, cs)
	}
}

// reset clears cs for its next exchange; mu is held.
func (cs *clientStream) reset() {
	if cap(cs.buf) > h2MaxKeptBuf {
		cs.buf = nil
	}
	cs.buf, cs.off = cs.buf[:0], 0
	cs.id, cs.ctx, cs.req, cs.resp, cs.upBody = 0, nil, nil, nil, nil
	cs.gotHead, cs.got100, cs.remoteDone, cs.engineGone, cs.refused = false, false, false, false, false
	cs.err, cs.uploading, cs.stopWrite, cs.wroteAll, cs.released = nil, false, false, false, false
	cs.interim, cs.asleep = 0, false
	cs.body.state, cs.body.err, cs.body.gzip = bodyActive, nil, false
	select {
	case <-cs.ch:
	default:
	}
	select {
	case <-cs.wch:
	default:
	}
	select { // the result of a body writer that ended unjoined
	case <-cs.wdone:
	default:
	}
}

// wake and wakeWriter post a token without blocking.
func (cs *clientStream) wake() {
	cs.asleep = false
	select {
	case cs.ch <- struct{}{}:
	default:
	}
}

// wakeIfAsleep wakes the caller if it may be waiting for a change: the
// body bytes that follow a response's head in one read need no token of
// their own, the caller not having looked since the head's; mu is held.
func (cs *clientStream) wakeIfAsleep() {
	if cs.asleep {
		cs.wake()
	}
}

func (cs *clientStream) wakeWriter() {
	select {
	case cs.wch <- struct{}{}:
	default:
	}
}

// failLocked ends the exchange with err; mu is held.
func (cs *clientStream) failLocked(err error) {
	if cs.err == nil {
		cs.err = err
	}
	cs.stopWriterLocked()
	cs.wake()
}

// resetLocked resets the stream with code and fails the exchange with
// err; mu is held.
func (cs *clientStream) resetLocked(code h2.ErrCode, err error) {
	cs.cancelLocked(code)
	cs.failLocked(err)
}

func (cs *clientStream) stopWriterLocked() {
	cs.stopWrite = true
	cs.wakeWriter()
}

// onHeaders takes a response head, a 1xx or the trailers; mu is held,
// and the caller waits (it reads resp only once gotHead is seen).
func (cs *clientStream) onHeaders(h *h2.Headers) {
	resp := cs.resp
	switch {
	case h.Trailers:
		addH2Fields(&resp.Trailer, h.Fields)
	case h.Informational():
		if cs.interim++; cs.interim > pick(cs.cc.t.MaxInterimResponses, DefaultMaxInterimResponses) {
			cs.resetLocked(h2.ErrCodeProtocol, ErrTooManyInterimResponses)
			return
		}
		if h.Status == 100 {
			cs.got100 = true
			cs.wakeWriter()
		}
		return
	default:
		resp.StatusCode = h.Status
		resp.ProtoMajor, resp.ProtoMinor = 2, 0
		addH2Fields(&resp.Header, h.Fields)
		resp.ContentLength = h.ContentLength
		if h.ContentLength < 0 && h.EndStream {
			resp.ContentLength = 0
		}
		cs.gotHead = true
	}
	if h.EndStream {
		cs.remoteDone = true
	}
	cs.wakeIfAsleep()
}

// roundTrip carries one exchange on cc, on a slot the pool reserved for
// the caller. On success resp.Body owns the stream until it ends or is
// closed. retry says that the server did not process the request (or the
// connection failed before it was sent), so that it may go again.
func (cc *h2ClientConn) roundTrip(ctx context.Context, req *Request, body io.Reader, resp *Response) (retry bool, err error) {
	m := method(req)
	length := bodyLength(req, body, m)
	hasBody := body != nil && length != 0
	gzip := cc.t.wantGzip(req, m)
	cc.mu.Lock()
	cs := cc.newStreamLocked()
	cs.ctx, cs.req, cs.resp = ctx, req, resp
	err = ctx.Err()
	if err == nil {
		err = cc.openLocked(cs, req, m, length, hasBody, gzip)
	}
	if err == nil {
		cc.sendLocked(false)
	}
	cc.mu.Unlock()
	if err != nil {
		cs.release()
		cs.recycle()
		retry = errors.Is(err, h2.ErrNoStreamSlot) || errors.Is(err, h2.ErrConnClosed)
		if c, ok := body.(io.Closer); ok && !retry {
			c.Close()
		}
		return retry, err
	}
	trace := ContextClientTrace(ctx)
	if trace != nil {
		trace.gotH2Conn(cc, cs.id > 1)
		if !hasBody {
			trace.wroteRequest(nil)
		}
	}
	if hasBody {
		cs.startUpload(body, length, expects100(req))
	}
	if err := cs.awaitHead(); err != nil {
		retry = cs.refusedRetry()
		cs.abort(h2.ErrCodeCancel)
		cs.recycle()
		return retry, err
	}
	trace.gotFirstByte()
	cs.setResponse(gzip)
	return false, nil
}

// setResponse completes the response once its head arrived: its body
// reads the stream, through the gzip decoder when the Transport asked for
// gzip and got it.
func (cs *clientStream) setResponse(gzip bool) {
	resp := cs.resp
	resp.Request = cs.req
	resp.TLS = cs.cc.tlsState
	resp.Body = &cs.body
	if gzip && cs.gz.applies(resp) {
		cs.gz.start(&cs.raw, resp)
		cs.body.gzip = true
	}
}

// openLocked encodes the request's HEADERS and registers the stream; mu
// is held.
func (cc *h2ClientConn) openLocked(cs *clientStream, req *Request, m string, length int64, hasBody, gzip bool) error {
	if cc.err != nil {
		return h2.ErrConnClosed
	}
	cc.buildFields(req, m, length)
	if gzip {
		cc.fields = append(cc.fields, h2.Field{Name: fieldAcceptEncoding, Value: valueGzip})
	}
	id, err := cc.eng.OpenStream(cc.fields, !hasBody)
	clear(cc.fields)
	if err != nil {
		return err
	}
	cs.id = id
	cs.wroteAll = !hasBody
	cs.asleep = true // until the head arrives (awaitHead waits before it looks)
	cc.streams.Put(id, cs)
	return nil
}

// buildFields sets cc.fields to the request's header section: the
// pseudo-header fields, then the fields with lowercase names, without the
// connection-specific ones (RFC 9113 §8.2.2) and Host (sent as
// :authority).
func (cc *h2ClientConn) buildFields(req *Request, m string, length int64) {
	authority := req.URL.Host
	if req.Host != nil {
		authority = req.Host
	}
	// One buffer holds method, scheme, path, the lowercased names and the
	// content-length, sliced once it has stopped growing.
	b := append(cc.fbuf[:0], m...)
	b = ascii.AppendLower(b, req.URL.Scheme)
	schemeEnd := len(b)
	b = req.URL.appendRequestURI(b)
	pathEnd := len(b)
	for i := range req.Header.fields {
		b = ascii.AppendLower(b, req.Header.fields[i].Name)
	}
	namesEnd := len(b)
	if length > 0 {
		b = appendInt(b, length)
	}
	lengthEnd := len(b)
	if !req.Header.Has("Trailer") { // else declared by the caller
		b = appendTrailerNames(b, &req.Trailer)
	}
	cc.fbuf = b
	cc.fields = append(cc.fields[:0],
		h2.Field{Name: pseudoMethod, Value: b[:len(m)]},
		h2.Field{Name: pseudoScheme, Value: b[len(m):schemeEnd]},
		h2.Field{Name: pseudoAuthority, Value: authority},
		h2.Field{Name: pseudoPath, Value: b[schemeEnd:pathEnd]})
	o := pathEnd
	for i := range req.Header.fields {
		f := &req.Header.fields[i]
		name := b[o : o+len(f.Name)]
		o += len(f.Name)
		if !skipH2Field(name, f.Value) {
			cc.fields = append(cc.fields, h2.Field{Name: name, Value: f.Value})
		}
	}
	if length > 0 {
		cc.fields = append(cc.fields, h2.Field{Name: fieldContentLength, Value: b[namesEnd:lengthEnd]})
	}
	if lengthEnd < len(b) {
		// Declared, as net/http's server wants to see them (RFC 9110 §6.6.2).
		cc.fields = append(cc.fields, h2.Field{Name: fieldTrailer, Value: b[lengthEnd:]})
	}
}

// appendTrailerNames appends the names of the fields of tr, joined by
// ", ", to declare them in a Trailer field.
func appendTrailerNames(b []byte, tr *Header) []byte {
	for i := range tr.fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, tr.fields[i].Name...)
	}
	return b
}

var (
	pseudoMethod        = []byte(":method")
	pseudoScheme        = []byte(":scheme")
	pseudoAuthority     = []byte(":authority")
	pseudoPath          = []byte(":path")
	fieldContentLength  = []byte("content-length")
	fieldTrailer        = []byte("trailer")
	fieldAcceptEncoding = []byte("accept-encoding")
	valueGzip           = []byte("gzip")
)

// skipH2Field reports whether a lowercase request field is not sent over
// HTTP/2: connection-specific fields (RFC 9113 §8.2.2; TE except
// "trailers"), Host (it is :authority) and Content-Length (the Transport
// writes its own).
func skipH2Field(name, value []byte) bool {
	switch string(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "content-length":
		return true
	case "te":
		return !ascii.EqualFold(value, "trailers")
	}
	return false
}

// appendInt appends n in decimal.
func appendInt(b []byte, n int64) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}

// awaitHead waits for the final response head, the stream's failure,
// the context's end or ResponseHeaderTimeout (counted once the request
// is fully sent).
//
// Every change it looks for (head, failure) posts a token on cs.ch (the
// stream opens asleep, and every look that waits on sets asleep again), and
// the channel was empty when the stream opened: so, unless the timeout
// must be armed from what it sees, it waits for a token first and looks
// once, rather than looking, waiting and looking again.
func (cs *clientStream) awaitHead() error {
	cc := cs.cc
	d := cc.t.ResponseHeaderTimeout
	ctxDone := cs.ctx.Done()
	var timer *time.Timer
	var timeout <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for look := d > 0; ; look = true {
		if look {
			cc.mu.Lock()
			got, err, sent := cs.gotHead, cs.err, cs.wroteAll
			cs.asleep = !got && err == nil
			cc.mu.Unlock()
			if got {
				return nil
			}
			if err != nil {
				return err
			}
			if d > 0 && sent && timer == nil {
				timer = time.NewTimer(d)
				timeout = timer.C
			}
		}
		if ctxDone == nil && timeout == nil {
			<-cs.ch // a plain receive costs less than a select
			continue
		}
		select {
		case <-cs.ch:
		case <-ctxDone:
			return cs.ctx.Err()
		case <-timeout:
			return ErrResponseHeaderTimeout
		}
	}
}

// refusedRetry reports whether the failed exchange may be retried: the
// server refused the stream (REFUSED_STREAM, or above a GOAWAY's last
// stream ID), so it did not process it, and the body can be sent again.
// A request on a connection lost mid-exchange is not retried: the server
// may have acted on it; its *ConnLostError says so.
func (cs *clientStream) refusedRetry() bool {
	cc := cs.cc
	cc.mu.Lock()
	refused := cs.refused
	cc.mu.Unlock()
	req := cs.req
	return refused && cs.ctx.Err() == nil && (req.Body == nil || req.GetBody != nil)
}

// abort ends the exchange early: the stream is reset with code (unless
// it already ended on both sides), its unread data is handed back to the
// windows, the body writer is joined and the slot released.
func (cs *clientStream) abort(code h2.ErrCode) {
	cc := cs.cc
	cc.mu.Lock()
	if cc.err == nil {
		cs.cancelLocked(code)
	}
	if n := len(cs.buf) - cs.off; n > 0 {
		cc.eng.Consumed(cs.id, n)
		cs.off = len(cs.buf)
	}
	cs.stopWriterLocked()
	running := cs.uploading
	cc.mu.Unlock()
	cc.flush(false)
	if c, ok := cs.upBody.(io.Closer); ok && running {
		c.Close() // a writer blocked reading the body cannot see stopWrite
	}
	cs.joinUpload()
	cs.release()
}

// finish ends an exchange whose response ended: an upload still running
// is stopped and the stream reset (the server answered without reading
// all of the body), else the stream is forgotten; then the slot is
// released.
func (cs *clientStream) finish() {
	cc := cs.cc
	cc.mu.Lock()
	if !cs.wroteAll || cs.uploading {
		cc.mu.Unlock()
		cs.abort(h2.ErrCodeCancel)
		return
	}
	cs.forgetLocked()
	free := cs.releaseLocked()
	cc.mu.Unlock()
	if free {
		cc.t.h2SlotFreed(cc)
	}
}

// forgetLocked takes the stream, which ended on both sides, out of the
// connection's table; mu is held.
func (cs *clientStream) forgetLocked() {
	if !cs.engineGone {
		cs.cc.streams.Delete(cs.id)
		cs.engineGone = true
	}
}

// cancelLocked takes the stream out of the connection's table and resets
// it with code, unless the engine forgot it already; mu is held.
func (cs *clientStream) cancelLocked(code h2.ErrCode) {
	if !cs.engineGone {
		cs.forgetLocked()
		cs.cc.eng.Reset(cs.id, code)
	}
}

// release gives the stream slot back to the pool, once.
func (cs *clientStream) release() {
	cc := cs.cc
	cc.mu.Lock()
	free := cs.releaseLocked()
	cc.mu.Unlock()
	if free {
		cc.t.h2SlotFreed(cc)
	}
}

// releaseLocked marks the slot released and reports whether it was not
// yet, in which case the caller hands it to the pool (h2SlotFreed) once
// mu is unlocked; mu is held.
func (cs *clientStream) releaseLocked() bool {
	if cs.released {
		return false
	}
	cs.released = true
	return true
}

// addH2Fields appends the fields of an HTTP/2 header section to h, with
// room made for all of them at once.
func addH2Fields(h *Header, fs []h2.Field) {
	h.grow(len(fs), h2FieldBytes(fs))
	for i := range fs {
		h.AddBytes(fs[i].Name, fs[i].Value)
	}
}

// h2FieldBytes is the size of the names and values of fs.
func h2FieldBytes(fs []h2.Field) int {
	n := 0
	for i := range fs {
		n += len(fs[i].Name) + len(fs[i].Value)
	}
	return n
}
