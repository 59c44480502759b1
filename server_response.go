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

// response is the HTTP/1 ResponseWriter. It belongs to the connection and
// is reused for every request on it.
type response struct {
	c       *conn
	header  Header
	trailer Header
	// body holds the body written before the head is committed.
	body []byte

	status      int   // final status once wroteHeader
	wroteHeader bool  // the final status is chosen
	committed   bool  // the head is in c.wbuf
	chunked     bool  // the body is sent chunked
	isHead      bool  // answering HEAD: count the body, send none
	declared    int64 // Content-Length set by the handler, -1 none
	written     int64 // body bytes the handler wrote
	// declaredTrailers is set when the head announced trailers.
	declaredTrailers bool
	err              error // the connection failed; every write fails
}

func (w *response) reset(isHead bool) {
	w.header.Reset()
	w.trailer.Reset()
	w.body = w.body[:0]
	w.status = 0
	w.wroteHeader, w.committed, w.chunked = false, false, false
	w.isHead = isHead
	w.declared, w.written = -1, 0
	w.declaredTrailers = false
	w.err = nil
}

func (w *response) Header() *Header  { return &w.header }
func (w *response) Trailer() *Header { return &w.trailer }

func (w *response) WriteHeader(code int) {
	if w.c.hijacked || w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("turbohttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != StatusSwitchingProtocols {
		w.writeInformational(code)
		return
	}
	w.wroteHeader = true
	w.status = code
	if v := w.header.Peek("Connection"); v != nil && ascii.ContainsToken(v, "close") {
		w.c.closing = true
	}
	if cl := w.header.Peek("Content-Length"); cl != nil {
		if n, ok := parseContentLength(cl); ok {
			w.declared = n
		} else {
			w.header.Del("Content-Length") // never send a malformed one
		}
	}
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
	b = appendFields(b, &w.header, true)
	w.c.wbuf = append(b, "\r\n"...)
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
	if framing == framedByClose || c.srv.DisableKeepAlives {
		c.closing = true
	}
	b := appendStatusLine(c.wbuf, w.status)
	b = appendFields(b, &w.header, c.closing)
	c.now = time.Now()
	if !w.header.Has("Date") {
		b = append(b, "Date: "...)
		b = appendDate(b, c.now)
		b = append(b, "\r\n"...)
	}
	if statusAllowsBody(w.status) && !w.header.Has("Content-Type") && w.written > 0 {
		b = append(b, "Content-Type: "...)
		b = append(b, DetectContentType(w.body)...)
		b = append(b, "\r\n"...)
	}
	switch framing {
	case framedByLength:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, w.written, 10)
		b = append(b, "\r\n"...)
	case framedChunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
		if w.trailer.Len() > 0 && !w.header.Has("Trailer") {
			b = appendTrailerDeclaration(b, &w.trailer)
		}
	}
	switch {
	case c.closing:
		b = append(b, "Connection: close\r\n"...)
	case c.req.ProtoMinor == 0 && !w.header.Has("Connection"):
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	b = append(b, "\r\n"...)
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
		b := append(w.c.wbuf, "0\r\n"...)
		b = appendFields(b, &w.trailer, true)
		w.c.wbuf = append(b, "\r\n"...)
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

// appendFields appends h's fields as field lines, leaving out the fields
// that could not be sent safely (invalid names or values), Transfer-Encoding
// (the server frames the body itself) and, when the server sends its own,
// Connection.
func appendFields(b []byte, h *Header, ownConnection bool) []byte {
	for i := range h.fields {
		f := &h.fields[i]
		if !ValidFieldName(f.Name) || !ValidFieldValue(f.Value) ||
			ascii.EqualFold(f.Name, "Transfer-Encoding") ||
			ownConnection && ascii.EqualFold(f.Name, "Connection") {
			continue
		}
		b = append(b, f.Name...)
		b = append(b, ": "...)
		b = append(b, f.Value...)
		b = append(b, "\r\n"...)
	}
	return b
}

func appendTrailerDeclaration(b []byte, t *Header) []byte {
	b = append(b, "Trailer: "...)
	for i := range t.fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, t.fields[i].Name...)
	}
	return append(b, "\r\n"...)
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
var dateCache atomic.Pointer[cachedDate]

type cachedDate struct {
	sec int64
	b   []byte
}

// appendDate appends now as an HTTP date, formatting at most once a second.
func appendDate(b []byte, now time.Time) []byte {
	sec := now.Unix()
	d := dateCache.Load()
	if d == nil || d.sec != sec {
		d = &cachedDate{sec: sec, b: now.UTC().AppendFormat(make([]byte, 0, len(TimeFormat)), TimeFormat)}
		dateCache.Store(d)
	}
	return append(b, d.b...)
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
