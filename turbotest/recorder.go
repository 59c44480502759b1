package turbotest

import (
	"bytes"
	"io"
	"strconv"

	"turbohttp"
)

// ResponseRecorder is a turbohttp.ResponseWriter that records what a
// handler does, for inspection in tests. It follows the server's rules
// where a handler could notice: the status is final at the first Write or
// WriteHeader of a non-1xx code; the header is snapshotted then; a body
// is refused with ErrBodyNotAllowed for 1xx, 204 and 304, and past a
// declared Content-Length with ErrContentLength; a missing Content-Type
// is sniffed from the first Write, as the server does.
type ResponseRecorder struct {
	// Code is the final status set by WriteHeader or implied by Write;
	// 200 until then.
	Code int

	// Informational lists the 1xx codes (but 101) the handler sent
	// before the final status, in order.
	Informational []int

	// HeaderMap is the header the handler fills through Header. Result
	// reports it as it was when the status became final.
	HeaderMap turbohttp.Header

	// TrailerMap is the trailer the handler fills through Trailer.
	TrailerMap turbohttp.Header

	// Body receives what the handler writes; when nil, the body is
	// counted but not kept.
	Body *bytes.Buffer

	// Flushed reports whether the handler called Flush.
	Flushed bool

	wroteHeader bool
	snap        turbohttp.Header
	hasDeclared bool  // the handler set a valid Content-Length
	declared    int64 // its value
	written     int64
}

// NewRecorder returns a ResponseRecorder ready for a handler.
func NewRecorder() *ResponseRecorder {
	return &ResponseRecorder{Code: turbohttp.StatusOK, Body: new(bytes.Buffer)}
}

// Header returns the header the handler may change until the status is
// final.
func (rw *ResponseRecorder) Header() *turbohttp.Header { return &rw.HeaderMap }

// Trailer returns the trailer, which the handler may fill until it
// returns.
func (rw *ResponseRecorder) Trailer() *turbohttp.Header { return &rw.TrailerMap }

// WriteHeader records code: a 1xx code other than 101 is appended to
// Informational; any other makes the status final, once. Like the
// server's, it panics for a code outside 100–999.
func (rw *ResponseRecorder) WriteHeader(code int) {
	if rw.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("turbotest: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != turbohttp.StatusSwitchingProtocols {
		rw.Informational = append(rw.Informational, code)
		return
	}
	rw.wroteHeader = true
	rw.Code = code
	if v := rw.HeaderMap.Peek("Content-Length"); v != nil {
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n >= 0 {
			rw.declared, rw.hasDeclared = n, true
		} else {
			rw.HeaderMap.Del("Content-Length")
		}
	}
	rw.snap = rw.HeaderMap.Clone()
}

// Write records p as body, making the status final (200 unless set).
func (rw *ResponseRecorder) Write(p []byte) (int, error) {
	if err := rw.beforeWrite(p); err != nil || len(p) == 0 {
		return 0, err
	}
	rw.written += int64(len(p))
	if rw.Body == nil {
		return len(p), nil
	}
	return rw.Body.Write(p)
}

// WriteString is Write for a string.
func (rw *ResponseRecorder) WriteString(s string) (int, error) {
	if err := rw.beforeWrite([]byte(s)); err != nil || len(s) == 0 {
		return 0, err
	}
	rw.written += int64(len(s))
	if rw.Body == nil {
		return len(s), nil
	}
	return rw.Body.WriteString(s)
}

// beforeWrite makes the status final and checks that p may be written.
func (rw *ResponseRecorder) beforeWrite(p []byte) error {
	if !rw.wroteHeader {
		rw.WriteHeader(turbohttp.StatusOK)
	}
	if len(p) == 0 {
		return nil
	}
	if !bodyAllowed(rw.Code) {
		return turbohttp.ErrBodyNotAllowed
	}
	if rw.hasDeclared && rw.written+int64(len(p)) > rw.declared {
		return turbohttp.ErrContentLength
	}
	if rw.written == 0 && !rw.snap.Has("Content-Type") {
		ct := turbohttp.DetectContentType(p)
		rw.snap.Set("Content-Type", ct)
		rw.HeaderMap.Set("Content-Type", ct)
	}
	return nil
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != turbohttp.StatusNoContent && code != turbohttp.StatusNotModified
}

// Flush makes the status final and records that the handler flushed.
func (rw *ResponseRecorder) Flush() error {
	if !rw.wroteHeader {
		rw.WriteHeader(turbohttp.StatusOK)
	}
	rw.Flushed = true
	return nil
}

// Result returns the response the handler produced, as a client would
// receive it: the status, the header as it was when the status became
// final, the body so far, and the trailer. Call it after the handler has
// returned; the Body reads a copy of what was recorded.
func (rw *ResponseRecorder) Result() *turbohttp.Response {
	if !rw.wroteHeader {
		rw.WriteHeader(turbohttp.StatusOK)
	}
	resp := &turbohttp.Response{
		StatusCode:    rw.Code,
		Reason:        []byte(turbohttp.StatusText(rw.Code)),
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rw.snap.Clone(),
		Body:          io.NopCloser(bytes.NewReader(rw.bodyCopy())),
		ContentLength: -1,
		Trailer:       rw.TrailerMap.Clone(),
	}
	if rw.hasDeclared {
		resp.ContentLength = rw.declared
	}
	return resp
}

func (rw *ResponseRecorder) bodyCopy() []byte {
	if rw.Body == nil {
		return nil
	}
	return bytes.Clone(rw.Body.Bytes())
}
