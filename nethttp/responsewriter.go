package nethttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"turbohttp"
	"turbohttp/h1"
)

// responseWriter is the http.ResponseWriter over a turbohttp
// ResponseWriter. The handler fills an http.Header map; it is copied into
// the turbohttp header when the final status is chosen (WriteHeader, or
// the first Write or Flush, or the handler's return), and for each 1xx
// response. It implements http.Flusher and the methods
// http.ResponseController looks for; hijackWriter adds http.Hijacker.
type responseWriter struct {
	x      *exchange
	w      turbohttp.ResponseWriter
	header http.Header

	// status is the final status once wroteHeader is set.
	status int
	// wroteHeader is set once the final status is chosen and the header
	// copied; flushed once the handler flushed; hijacked once the
	// handler took the connection.
	wroteHeader, flushed, hijacked bool
	// declared holds the trailer names the "Trailer" field announced
	// when the header was copied.
	declared []string
	// keys is scratch space for copyHeader.
	keys []string
}

// hijackWriter is the responseWriter of a connection that can be
// hijacked (HTTP/1).
type hijackWriter struct{ *responseWriter }

func (rw *responseWriter) reset(w turbohttp.ResponseWriter) {
	rw.w = w
	clear(rw.header)
	rw.status = 0
	rw.wroteHeader, rw.flushed, rw.hijacked = false, false, false
	rw.declared = rw.declared[:0]
}

// Header returns the header map, to be filled before the head is sent;
// later changes are ignored but for trailers.
func (rw *responseWriter) Header() http.Header { return rw.header }

// WriteHeader sends a 1xx informational response at once (but for 101),
// or chooses the final status, copying the header; it panics, as net/http
// does, for a code outside 100-999, and ignores calls after the final
// status or Hijack.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.hijacked || rw.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		h := rw.w.Header()
		rw.keys, _ = copyHeader(h, rw.header, rw.keys)
		h.Del("Content-Length")
		h.Del("Transfer-Encoding")
		rw.w.WriteHeader(code)
		return
	}
	rw.wroteHeader = true
	rw.status = code
	var trailers int
	rw.keys, trailers = copyHeader(rw.w.Header(), rw.header, rw.keys)
	for _, v := range rw.header["Trailer"] {
		rw.declared = appendTrailerNames(rw.declared, v)
	}
	if trailers > 0 {
		rw.declareTrailers()
	}
	rw.w.WriteHeader(code)
}

// declareTrailers puts the http.TrailerPrefix keys present when the head
// is copied into the turbohttp trailer, so that the response is sent in a
// form that carries trailers; finish replaces them with their final
// values.
func (rw *responseWriter) declareTrailers() {
	var t *turbohttp.Header
	for k := range rw.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && turbohttp.ValidFieldName(name) {
			if t == nil {
				t = rw.w.Trailer()
				t.Reset()
			}
			t.Add(name, "")
		}
	}
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.w.Write(p)
	return n, netError(err)
}

// WriteString is Write for a string, without a copy.
func (rw *responseWriter) WriteString(s string) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.w.WriteString(s)
	return n, netError(err)
}

// ReadFrom copies src into the body through a pooled buffer, so that
// io.Copy to the writer (as http.ServeContent and http.FileServer do)
// allocates no buffer of its own.
func (rw *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	// Hide src's WriterTo and rw's ReaderFrom, so that io.CopyBuffer
	// uses the buffer: *os.File's WriteTo would allocate its own.
	return io.CopyBuffer(writerOnly{rw}, readerOnly{src}, *bp)
}

// copyBufSize is the size of the buffers ReadFrom copies through.
const copyBufSize = 32 << 10

var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, copyBufSize)
	return &b
}}

type writerOnly struct{ io.Writer }
type readerOnly struct{ io.Reader }

// Flush implements http.Flusher: it sends the head and the body written
// so far.
func (rw *responseWriter) Flush() { rw.FlushError() }

// FlushError is Flush reporting the error, for http.ResponseController.
func (rw *responseWriter) FlushError() error {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	rw.flushed = true
	return netError(rw.w.Flush())
}

// SetReadDeadline implements http.ResponseController's SetReadDeadline.
func (rw *responseWriter) SetReadDeadline(t time.Time) error {
	if ds, ok := rw.w.(turbohttp.DeadlineSetter); ok {
		return netError(ds.SetReadDeadline(t))
	}
	return http.ErrNotSupported
}

// SetWriteDeadline implements http.ResponseController's SetWriteDeadline.
func (rw *responseWriter) SetWriteDeadline(t time.Time) error {
	if ds, ok := rw.w.(turbohttp.DeadlineSetter); ok {
		return netError(ds.SetWriteDeadline(t))
	}
	return http.ErrNotSupported
}

// EnableFullDuplex implements http.ResponseController's EnableFullDuplex.
func (rw *responseWriter) EnableFullDuplex() error {
	if fd, ok := rw.w.(interface{ EnableFullDuplex() error }); ok {
		return fd.EnableFullDuplex()
	}
	return http.ErrNotSupported
}

// Hijack implements http.Hijacker. As with net/http, a final status
// already chosen is sent first: a 101 (Switching Protocols) head is
// written by the adapter itself, with every field of the header,
// Connection included.
func (hw hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	rw := hw.responseWriter
	upgrade := rw.wroteHeader && !rw.flushed && !rw.hijacked && rw.status == http.StatusSwitchingProtocols
	if rw.wroteHeader && !upgrade && !rw.hijacked {
		if err := rw.w.Flush(); err != nil {
			return nil, nil, netError(err)
		}
	}
	c, brw, err := rw.w.(turbohttp.Hijacker).Hijack()
	if err != nil {
		return nil, nil, netError(err)
	}
	rw.hijacked = true
	if upgrade {
		if err := writeSwitchingHead(brw.Writer, rw.header, rw.keys); err != nil {
			c.Close()
			return nil, nil, err
		}
	}
	return c, brw, nil
}

// writeSwitchingHead writes and flushes a 101 response head with the
// fields of h that can be sent (the codec's writer refuses the others).
// keys is scratch space.
func writeSwitchingHead(w *bufio.Writer, h http.Header, keys []string) error {
	b, _ := h1.AppendStatusLine(w.AvailableBuffer(), http.StatusSwitchingProtocols)
	keys = keys[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b, _ = h1.AppendField(b, k, cleanFieldValue(v))
		}
	}
	w.Write(h1.AppendEnd(b))
	return w.Flush()
}

// finish completes the response after the handler returned: the header
// is copied if it was not yet, and the trailers are set.
func (rw *responseWriter) finish() {
	if rw.hijacked {
		return
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if len(rw.declared) > 0 || rw.w.Trailer().Len() > 0 || hasTrailerKey(rw.header) {
		copyTrailers(rw.w.Trailer(), rw.header, rw.declared)
	}
}

// hasTrailerKey reports whether h has a key with http.TrailerPrefix.
func hasTrailerKey(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

// netError returns net/http's counterpart of a turbohttp error, so that
// handlers comparing with http.ErrBodyNotAllowed and the like still work.
func netError(err error) error {
	switch err {
	case turbohttp.ErrBodyNotAllowed:
		return http.ErrBodyNotAllowed
	case turbohttp.ErrHijacked:
		return http.ErrHijacked
	case turbohttp.ErrContentLength:
		return http.ErrContentLength
	}
	return err
}
