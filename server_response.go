package turbohttp

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"turbohttp/h1"
	"turbohttp/internal/ascii"
)

// bodyBufSize is how much of a response body is held back while the
// handler runs: a body that fits when the handler returns gets an exact
// Content-Length; a longer one is sent chunked.
const bodyBufSize = 4 << 10

// ErrContentLength is returned by Write when the handler writes more than
// the Content-Length it declared.
var ErrContentLength = errors.New("turbohttp: wrote more than the declared Content-Length")

// responseState is what both protocols' ResponseWriters keep of the
// response being made, and the rules they share: which WriteHeader codes
// are valid, when the status is final, the Content-Length the handler
// declared, and logging a refused field once.
type responseState struct {
	header  Header
	trailer Header
	// body holds the body written before the head is committed, so that
	// a short body goes out with an exact length.
	body []byte

	status      int   // final status once wroteHeader
	wroteHeader bool  // the final status is chosen
	committed   bool  // the head is queued for the wire
	isHead      bool  // answering HEAD: count the body, send none
	declared    int64 // Content-Length set by the handler, -1 none
	written     int64 // body bytes the handler wrote
	// dropped is set once a field that cannot be sent was left out and
	// logged, so that a response logs at most once.
	dropped bool
	err     error // the connection or stream failed: every write fails
	scratch []byte
}

func (w *responseState) reset(isHead bool) {
	w.header.Reset()
	w.trailer.Reset()
	w.body = w.body[:0]
	w.status = 0
	w.wroteHeader, w.committed = false, false
	w.isHead = isHead
	w.declared, w.written = -1, 0
	w.dropped = false
	w.err = nil
}

func (w *responseState) Header() *Header  { return &w.header }
func (w *responseState) Trailer() *Header { return &w.trailer }

// setStatus takes a WriteHeader code: it panics on one that is not three
// digits, reports true for an informational (1xx) response, which the
// caller sends at once, and otherwise makes code the final status and
// reads the Content-Length the handler declared. 101 counts as final:
// HTTP/1 sends it as the Upgrade's answer, HTTP/2 refuses it.
func (w *responseState) setStatus(code int) (informational bool) {
	if code < 100 || code > 999 {
		panic("turbohttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != StatusSwitchingProtocols {
		return true
	}
	w.wroteHeader = true
	w.status = code
	w.declared = declaredLength(&w.header)
	return false
}

// drop logs, once per response, a field left out because the codec
// refused it.
func (w *responseState) drop(srv *Server, name []byte, err error) {
	if w.dropped {
		return
	}
	w.dropped = true
	srv.logger().Error("turbohttp: response field not sent", "name", string(name), "err", err)
}

// response is the HTTP/1 ResponseWriter. It belongs to the connection and
// is reused for every request on it.
type response struct {
	responseState
	c       *conn
	chunked bool // the body is sent chunked
	// declaredTrailers is set when the head announced trailers.
	declaredTrailers bool
}

func (w *response) reset(isHead bool) {
	w.responseState.reset(isHead)
	w.chunked, w.declaredTrailers = false, false
}

func (w *response) WriteHeader(code int) {
	if w.c.hijacked || w.wroteHeader {
		return
	}
	if w.setStatus(code) {
		w.writeInformational(code)
		return
	}
	if v := w.header.Peek("Connection"); v != nil && ascii.ContainsToken(v, "close") {
		w.c.closing = true
	}
}

// declaredLength returns the Content-Length a handler set in h, or -1;
// a malformed one is deleted, so that it is never sent.
func declaredLength(h *Header) int64 {
	cl := h.Peek("Content-Length")
	if cl == nil {
		return -1
	}
	n, ok := parseContentLength(cl)
	if !ok {
		h.Del("Content-Length")
		return -1
	}
	return n
}

// writeInformational sends a 1xx response at once, with the fields in the
// header at this moment.
func (w *response) writeInformational(code int) {
	if w.c.req.ProtoMinor == 0 || code == StatusContinue && w.c.body.sentContinue {
		return // HTTP/1.0 clients do not understand 1xx
	}
	if code == StatusContinue {
		w.c.body.sentContinue = true
	}
	b := appendStatusLine(w.c.wbuf, code)
	b = w.appendFields(b, &w.header, fieldsOf1xx)
	w.c.wbuf = h1.AppendEnd(b)
	w.c.flush()
}

func (w *response) WriteString(s string) (int, error) { return writeBody(w, s) }
func (w *response) Write(p []byte) (int, error)       { return writeBody(w, p) }

func writeBody[S ~string | ~[]byte](w *response, p S) (int, error) {
	if w.c.hijacked {
		return 0, ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !statusAllowsBody(w.status) {
		return 0, ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, ErrContentLength
	}
	w.written += int64(len(p))
	if w.isHead {
		return len(p), nil
	}
	if !w.committed {
		if len(w.body)+len(p) <= bodyBufSize {
			w.body = append(w.body, p...)
			return len(p), nil
		}
		w.commit(false)
	}
	c := w.c
	if w.chunked {
		c.wbuf = h1.AppendChunk(c.wbuf, p)
	} else {
		c.wbuf = append(c.wbuf, p...)
	}
	if len(c.wbuf) >= 32<<10 && !c.flush() {
		return 0, w.err
	}
	return len(p), nil
}

// bodyFraming is how a response body is delimited on the wire.
type bodyFraming uint8

const (
	framedByHandler bodyFraming = iota // no body, or the handler's own Content-Length
	framedByLength                     // a Content-Length the server computed
	framedChunked                      // Transfer-Encoding: chunked
	framedByClose                      // the end of the connection (HTTP/1.0)
)

// framing chooses how the body is delimited. At the end of the handler
// (final) the body's length is known.
func (w *response) framing(final bool) bodyFraming {
	http11 := w.c.req.ProtoMinor > 0
	wantTrailers := http11 && (w.header.Has("Trailer") || w.trailer.Len() > 0)
	switch {
	case w.c.req.Method == MethodConnect && w.status/100 == 2:
		// the client now reads a tunnel, which ends when the connection
		// does; a 2xx to CONNECT carries no framing (RFC 9110 §9.3.6)
		return framedByClose
	case !statusAllowsBody(w.status) || w.declared >= 0 || w.status == StatusSwitchingProtocols:
		return framedByHandler
	case final && !wantTrailers:
		return framedByLength
	case http11:
		return framedChunked
	}
	return framedByClose
}

// commit appends the head, and the body held back so far, to c.wbuf.
func (w *response) commit(final bool) {
	c := w.c
	w.committed = true
	framing := w.framing(final)
	w.chunked = framing == framedChunked
	if framing == framedByClose || c.srv.DisableKeepAlives || c.srv.inShutdown.Load() {
		c.closing = true
	}
	b := appendStatusLine(c.wbuf, w.status)
	b = w.appendFields(b, &w.header, w.ownedFields(framing))
	c.now = time.Now()
	if !w.header.Has("Date") {
		b, _ = h1.AppendField(b, "Date", cachedDate(c.now))
	}
	if statusAllowsBody(w.status) && !w.header.Has("Content-Type") && w.written > 0 {
		b, _ = h1.AppendField(b, "Content-Type", DetectContentType(w.body))
	}
	switch framing {
	case framedByLength:
		b = h1.AppendBodyLength(b, w.written)
	case framedChunked:
		b = h1.AppendBodyLength(b, h1.Chunked)
		if w.trailer.Len() > 0 && !w.header.Has("Trailer") {
			b = w.appendTrailerDeclaration(b)
		}
	}
	switch {
	case c.closing:
		b, _ = h1.AppendField(b, "Connection", "close")
	case c.req.ProtoMinor == 0 && !w.header.Has("Connection"):
		b, _ = h1.AppendField(b, "Connection", "keep-alive")
	}
	b = h1.AppendEnd(b)
	if len(w.body) > 0 {
		if w.chunked {
			b = h1.AppendChunk(b, w.body)
		} else {
			b = append(b, w.body...)
		}
		w.body = w.body[:0]
	}
	c.wbuf = b
}

// finish completes the response once the handler has returned.
func (w *response) finish() {
	if w.c.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if !w.committed {
		w.commit(true)
	}
	if w.chunked {
		b := h1.AppendLastChunk(w.c.wbuf)
		for i := range w.trailer.fields {
			f := &w.trailer.fields[i]
			var err error
			if b, err = h1.AppendTrailer(b, f.Name, f.Value); err != nil {
				w.drop(w.c.srv, f.Name, err)
			}
		}
		w.c.wbuf = h1.AppendEnd(b)
	}
	if w.declared >= 0 && w.written < w.declared && !w.isHead && statusAllowsBody(w.status) {
		w.c.closing = true // the client waits for bytes that will never come
	}
}

func (w *response) Flush() error {
	if w.c.hijacked {
		return ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if !w.committed {
		w.commit(false)
	}
	if !w.c.flush() {
		return w.err
	}
	return nil
}

// Hijack hands the connection to the handler.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := w.c
	if c.hijacked {
		return nil, nil, ErrHijacked
	}
	if w.committed && !c.flush() {
		return nil, nil, w.err
	}
	c.watch.stop()
	c.hijacked = true
	c.rwc.SetDeadline(time.Time{})
	c.setState(StateHijacked)
	br := c.in.handOff()
	return c.rwc, bufio.NewReadWriter(br, bufio.NewWriter(c.rwc)), nil
}

// appendStatusLine appends the status line of code, which WriteHeader
// has checked.
func appendStatusLine(b []byte, code int) []byte {
	b, _ = h1.AppendStatusLine(b, code)
	return b
}

// ownedField is a set of header fields the server writes itself, so it
// leaves the handler's out.
type ownedField uint8

const (
	ownTransferEncoding ownedField = 1 << iota
	ownContentLength
	ownConnection
)

// fieldsOf1xx are the fields an interim response leaves out.
const fieldsOf1xx = ownTransferEncoding | ownContentLength | ownConnection

// ownedFields tells which of the handler's fields the head for framing
// must leave out: Transfer-Encoding always (the server frames the body);
// Content-Length unless the handler frames the body itself, and in
// answers that may not carry one (1xx, 204; RFC 9110 §8.6); Connection
// when the server sends its own.
func (w *response) ownedFields(framing bodyFraming) ownedField {
	own := ownTransferEncoding
	if framing != framedByHandler || w.status < 200 || w.status == StatusNoContent {
		own |= ownContentLength
	}
	if w.c.closing {
		own |= ownConnection
	}
	return own
}

// appendFields appends h's fields through the codec's writer, leaving out
// those in own and those that cannot be sent safely (invalid names or
// values), which are logged.
func (w *response) appendFields(b []byte, h *Header, own ownedField) []byte {
	for i := range h.fields {
		f := &h.fields[i]
		if own != 0 && owned(f.Name, own) {
			continue
		}
		var err error
		if b, err = h1.AppendField(b, f.Name, f.Value); err != nil {
			w.drop(w.c.srv, f.Name, err)
		}
	}
	return b
}

func owned(name []byte, own ownedField) bool {
	switch len(name) {
	case len("Connection"):
		return own&ownConnection != 0 && ascii.EqualFold(name, "Connection")
	case len("Content-Length"):
		return own&ownContentLength != 0 && ascii.EqualFold(name, "Content-Length")
	case len("Transfer-Encoding"):
		return own&ownTransferEncoding != 0 && ascii.EqualFold(name, "Transfer-Encoding")
	}
	return false
}

// appendTrailerDeclaration appends a Trailer field listing the trailers
// set so far that can be sent.
func (w *response) appendTrailerDeclaration(b []byte) []byte {
	names := w.scratch[:0]
	for i := range w.trailer.fields {
		f := &w.trailer.fields[i]
		if !h1.ValidTrailerName(f.Name) || !h1.ValidFieldValue(f.Value) {
			continue
		}
		if len(names) > 0 {
			names = append(names, ", "...)
		}
		names = append(names, f.Name...)
	}
	w.scratch = names
	if len(names) == 0 {
		return b
	}
	b, _ = h1.AppendField(b, "Trailer", names)
	return b
}

func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// TimeFormat is the format of HTTP dates (IMF-fixdate, RFC 9110 §5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateCache holds the Date field value of the current second.
var dateCache atomic.Pointer[httpDate]

type httpDate struct {
	sec int64
	b   []byte
}

// cachedDate returns now as an HTTP date, formatting at most once a
// second. The bytes must not be modified.
func cachedDate(now time.Time) []byte {
	sec := now.Unix()
	d := dateCache.Load()
	if d == nil || d.sec != sec {
		d = &httpDate{sec: sec, b: now.UTC().AppendFormat(make([]byte, 0, len(TimeFormat)), TimeFormat)}
		dateCache.Store(d)
	}
	return d.b
}

// SetReadDeadline sets the deadline for reading the request body, as
// net/http's ResponseController does; zero means none.
func (w *response) SetReadDeadline(t time.Time) error {
	if w.c.hijacked {
		return ErrHijacked
	}
	w.c.setReadDeadline(t)
	return nil
}

// SetWriteDeadline sets the deadline for writing the response; zero means
// none.
func (w *response) SetWriteDeadline(t time.Time) error {
	if w.c.hijacked {
		return ErrHijacked
	}
	return w.c.rwc.SetWriteDeadline(t)
}

// EnableFullDuplex lets the handler read the request body after it has
// started writing the response. The HTTP/1 server always allows it.
func (w *response) EnableFullDuplex() error { return nil }
