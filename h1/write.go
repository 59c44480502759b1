package h1

import (
	"errors"
	"io"
	"strconv"

	"turbohttp/internal/ascii"
	"turbohttp/internal/status"
)

// Errors of the writers. They report a caller's mistake, never the peer's,
// so they are plain errors rather than *Error.
var (
	ErrInvalidMethod     = errors.New("h1: method is not a token")
	ErrInvalidTarget     = errors.New("h1: request target is empty or holds a space or control byte")
	ErrInvalidStatus     = errors.New("h1: status code not in 100-999")
	ErrInvalidFieldName  = errors.New("h1: field name is not a token")
	ErrInvalidFieldValue = errors.New("h1: field value holds CR, LF, NUL or another control byte")
	ErrFramingField      = errors.New("h1: Content-Length, Transfer-Encoding and Host are written by the head writer")
	ErrInvalidTrailer    = errors.New("h1: field not allowed in trailers")
)

// Body lengths for AppendRequestHead and AppendResponseHead besides a
// Content-Length >= 0.
const (
	// NoBody writes neither Content-Length nor Transfer-Encoding: for a
	// request without body, a response that has none (1xx, 204, 304), or
	// a close-delimited response.
	NoBody int64 = -1
	// Chunked writes "Transfer-Encoding: chunked"; the body must follow in
	// chunks (AppendChunk, AppendChunkedEnd or ChunkedWriter).
	Chunked int64 = -2
)

// ValidFieldName reports whether name may be written as a field name: a
// non-empty token (RFC 9110 §5.1).
func ValidFieldName[S ~string | ~[]byte](name S) bool { return ascii.IsToken(name) }

// ValidFieldValue reports whether value may be written as a field value: no
// CR, LF, NUL or other control byte except HTAB (RFC 9110 §5.5). A writer
// that checks this cannot be made to inject a field or a message.
func ValidFieldValue[S ~string | ~[]byte](value S) bool { return ascii.IsFieldValue(value) }

// validTarget reports whether t is a non-empty run of visible ASCII.
func validTarget[S ~string | ~[]byte](t S) bool {
	if len(t) == 0 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return false
		}
	}
	return true
}

// AppendRequestLine appends "method SP target SP HTTP/1.1 CRLF" to dst.
func AppendRequestLine[M, T ~string | ~[]byte](dst []byte, method M, target T) ([]byte, error) {
	if !ascii.IsToken(method) {
		return dst, ErrInvalidMethod
	}
	if !validTarget(target) {
		return dst, ErrInvalidTarget
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	return append(dst, " HTTP/1.1\r\n"...), nil
}

// AppendStatusLine appends "HTTP/1.1 SP code SP reason CRLF" to dst, with
// the reason phrase registered for code (empty if none is).
func AppendStatusLine(dst []byte, code int) ([]byte, error) {
	if code < 100 || code > 999 {
		return dst, ErrInvalidStatus
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), ' ')
	dst = append(dst, status.Text(code)...)
	return append(dst, "\r\n"...), nil
}

// AppendField appends "name: value CRLF" to dst after checking name with
// ValidFieldName and value with ValidFieldValue.
func AppendField[N, V ~string | ~[]byte](dst []byte, name N, value V) ([]byte, error) {
	if !ascii.IsToken(name) {
		return dst, ErrInvalidFieldName
	}
	if !ascii.IsFieldValue(value) {
		return dst, ErrInvalidFieldValue
	}
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...), nil
}

// AppendTrailer appends a trailer field "name: value CRLF" to dst after
// checking it like AppendField and refusing the fields a trailer must not
// carry (ErrInvalidTrailer; see ValidTrailerName). On error dst is returned
// unchanged.
func AppendTrailer[N, V ~string | ~[]byte](dst []byte, name N, value V) ([]byte, error) {
	if !ascii.IsToken(name) {
		return dst, ErrInvalidFieldName
	}
	if forbiddenTrailer(name) {
		return dst, ErrInvalidTrailer
	}
	return AppendField(dst, name, value)
}

// ValidTrailerName reports whether name may be sent as a trailer field
// (and so be listed in a Trailer field): a token that is not one of the
// fields a trailer must not carry — framing, routing, authentication,
// controls and content metadata (RFC 9110 §6.5.1).
func ValidTrailerName[S ~string | ~[]byte](name S) bool {
	return ascii.IsToken(name) && !forbiddenTrailer(name)
}

// appendFields appends fs, refusing the fields the head writers own.
func appendFields(dst []byte, fs []Field, request bool) ([]byte, error) {
	var err error
	for i := range fs {
		switch identify(fs[i].Name) {
		case fieldContentLength, fieldTransferEncoding:
			return dst, ErrFramingField
		case fieldHost:
			if request {
				return dst, ErrFramingField
			}
		}
		if dst, err = AppendField(dst, fs[i].Name, fs[i].Value); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// AppendBodyLength appends the framing field for bodyLength: a
// Content-Length >= 0, "Transfer-Encoding: chunked" for Chunked, nothing
// for NoBody.
func AppendBodyLength(dst []byte, bodyLength int64) []byte {
	switch {
	case bodyLength >= 0:
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, bodyLength, 10)
		dst = append(dst, "\r\n"...)
	case bodyLength == Chunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	}
	return dst
}

// AppendEnd appends the empty line that ends a head or a trailer section.
func AppendEnd(dst []byte) []byte { return append(dst, "\r\n"...) }

// AppendRequestHead appends an HTTP/1.1 request head to dst: the request
// line, "Host: host", fields in order, the framing field for bodyLength (a
// Content-Length >= 0, NoBody or Chunked) and the final empty line. fields
// must not hold Host, Content-Length or Transfer-Encoding (ErrFramingField);
// every name and value is checked, so nothing can be injected. On error dst
// is returned with a partial head appended: truncate it.
func AppendRequestHead[M, T, H ~string | ~[]byte](dst []byte, method M, target T, host H, fields []Field, bodyLength int64) ([]byte, error) {
	dst, err := AppendRequestLine(dst, method, target)
	if err != nil {
		return dst, err
	}
	if len(host) > 0 && !validAuthority(host, false) {
		return dst, ErrInvalidFieldValue
	}
	if dst, err = AppendField(dst, "Host", host); err != nil {
		return dst, err
	}
	if dst, err = appendFields(dst, fields, true); err != nil {
		return dst, err
	}
	return AppendEnd(AppendBodyLength(dst, bodyLength)), nil
}

// AppendResponseHead appends an HTTP/1.1 response head to dst: the status
// line with the registered reason phrase, "Date: date" unless date is
// empty (format it with AppendHTTPDate, typically once a second), fields in
// order, the framing field for bodyLength (a Content-Length >= 0, NoBody or
// Chunked) and the final empty line. fields must not hold Content-Length or
// Transfer-Encoding (ErrFramingField); every name and value is checked. On
// error dst is returned with a partial head appended: truncate it.
func AppendResponseHead(dst []byte, code int, date []byte, fields []Field, bodyLength int64) ([]byte, error) {
	dst, err := AppendStatusLine(dst, code)
	if err != nil {
		return dst, err
	}
	if len(date) > 0 {
		if dst, err = AppendField(dst, "Date", date); err != nil {
			return dst, err
		}
	}
	if dst, err = appendFields(dst, fields, false); err != nil {
		return dst, err
	}
	return AppendEnd(AppendBodyLength(dst, bodyLength)), nil
}

// AppendChunk appends data as one chunk (RFC 9112 §7.1): its size in hex,
// CRLF, the data, CRLF. Empty data appends nothing, since a chunk of size
// zero would end the body.
func AppendChunk[D ~string | ~[]byte](dst []byte, data D) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(len(data)), 16)
	dst = append(dst, "\r\n"...)
	dst = append(dst, data...)
	return append(dst, "\r\n"...)
}

// AppendLastChunk appends the last chunk of a chunked body, "0 CRLF"
// (RFC 9112 §7.1). The trailer section follows: trailer fields
// (AppendTrailer) and the empty line (AppendEnd).
func AppendLastChunk(dst []byte) []byte { return append(dst, "0\r\n"...) }

// AppendChunkedEnd appends the last chunk, trailers and the empty line
// that end a chunked body. Each trailer is checked as by AppendTrailer; on
// error dst is returned with a partial end appended: truncate it.
func AppendChunkedEnd(dst []byte, trailers []Field) ([]byte, error) {
	dst = AppendLastChunk(dst)
	var err error
	for i := range trailers {
		if dst, err = AppendTrailer(dst, trailers[i].Name, trailers[i].Value); err != nil {
			return dst, err
		}
	}
	return AppendEnd(dst), nil
}

// ChunkedWriter writes a chunked body to an io.Writer (normally the
// connection's bufio.Writer): each Write is one chunk, Close writes the
// last chunk. It is reusable through Reset and does not allocate.
type ChunkedWriter struct {
	w   io.Writer
	buf [20]byte // a size line, or a data CRLF
}

// Reset makes cw write a new body to w.
func (cw *ChunkedWriter) Reset(w io.Writer) { cw.w = w }

// Write writes p as one chunk; an empty p writes nothing.
func (cw *ChunkedWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	line := strconv.AppendUint(cw.buf[:0], uint64(len(p)), 16)
	line = append(line, "\r\n"...)
	if _, err := cw.w.Write(line); err != nil {
		return 0, err
	}
	n, err := cw.w.Write(p)
	if err != nil {
		return n, err
	}
	_, err = cw.w.Write(append(cw.buf[:0], "\r\n"...))
	return n, err
}

// Close writes the last chunk without trailers. It does not close the
// underlying writer.
func (cw *ChunkedWriter) Close() error { return cw.CloseWithTrailers(nil) }

// CloseWithTrailers writes the last chunk followed by trailers (checked as
// by AppendLastChunk; on error nothing is written).
func (cw *ChunkedWriter) CloseWithTrailers(trailers []Field) error {
	if len(trailers) == 0 {
		_, err := cw.w.Write(append(cw.buf[:0], "0\r\n\r\n"...))
		return err
	}
	for i := range trailers {
		if forbiddenTrailer(trailers[i].Name) {
			return ErrInvalidTrailer
		}
		if !ascii.IsToken(trailers[i].Name) {
			return ErrInvalidFieldName
		}
		if !ascii.IsFieldValue(trailers[i].Value) {
			return ErrInvalidFieldValue
		}
	}
	if _, err := cw.w.Write(append(cw.buf[:0], "0\r\n"...)); err != nil {
		return err
	}
	for i := range trailers {
		for _, s := range [][]byte{trailers[i].Name, []byte(": "), trailers[i].Value, []byte("\r\n")} {
			if _, err := cw.w.Write(s); err != nil {
				return err
			}
		}
	}
	_, err := cw.w.Write(append(cw.buf[:0], "\r\n"...))
	return err
}
