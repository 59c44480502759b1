package h1

import "errors"

// ErrIncomplete reports that the buffer holds only the beginning of a head:
// the caller should read more bytes, append them and parse again from the
// start of the head. Limits are enforced on incomplete input too, so a
// parser never answers ErrIncomplete for a buffer that can no longer become
// a valid head within the limits.
var ErrIncomplete = errors.New("h1: incomplete message head")

// Error is a protocol error in a message received from the peer. Status is
// the response a server should send (400, 414, 431, 501 or 505); Close
// reports whether the connection must be closed after that response, which
// is true for every error this package returns, since the stream cannot be
// resynchronised. Reason is a fixed text that never echoes input bytes, so
// it is safe to send back or log.
//
// Every Error this package returns is one of the Err… values below, so
// callers compare with errors.Is (or ==) and read the fields with errors.As.
type Error struct {
	Status int
	Reason string
	Close  bool
}

func (e *Error) Error() string { return "h1: " + e.Reason }

func newError(status int, reason string) *Error {
	return &Error{Status: status, Reason: reason, Close: true}
}

// StatusOf returns the status a server should answer for err: the Status of
// an *Error, or 400 for any other non-nil error.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 400
}

// Errors of the start line.
var (
	ErrBadRequestLine = newError(400, "malformed request line")
	ErrBadMethod      = newError(400, "invalid method")
	ErrBadTarget      = newError(400, "invalid request target")
	ErrTargetForm     = newError(400, "request target form not allowed for this method")
	ErrTargetTooLong  = newError(414, "request target too long")
	ErrBadVersion     = newError(400, "malformed HTTP version")
	ErrVersion        = newError(505, "HTTP version not supported")
	// ErrNoVersion is an HTTP/0.9 simple request ("GET /" without a
	// version): not a request line of RFC 9112 §3, so 400, not 505.
	ErrNoVersion        = newError(400, "request line without HTTP version")
	ErrBadStatusLine    = newError(400, "malformed status line")
	ErrBadStatusCode    = newError(400, "status code outside 100-599")
	ErrLeadingEmptyLine = newError(400, "too many empty lines before the request line")
)

// Errors of the field section (head or trailers).
var (
	ErrHeaderTooLarge   = newError(431, "header section too large")
	ErrTooManyFields    = newError(431, "too many header fields")
	ErrBadFieldName     = newError(400, "invalid header field name")
	ErrSpaceBeforeColon = newError(400, "whitespace between field name and colon")
	ErrMissingColon     = newError(400, "header field line without a colon")
	ErrBadFieldValue    = newError(400, "invalid byte in header field value")
	ErrObsFold          = newError(400, "obsolete line folding")
	ErrBareCR           = newError(400, "CR not followed by LF")
	ErrBareLF           = newError(400, "LF not preceded by CR")
	ErrSpaceAfterStart  = newError(400, "whitespace after the start line")
	ErrMissingHost      = newError(400, "missing Host header field")
	ErrDuplicateHost    = newError(400, "repeated Host header field")
	ErrBadHost          = newError(400, "invalid Host header field")
	ErrTrailerTooLarge  = newError(431, "trailer section too large")
	ErrTooManyTrailers  = newError(431, "too many trailer fields")
	ErrForbiddenTrailer = newError(400, "field not allowed in trailers")
)

// Errors of the message framing (RFC 9112 §6).
var (
	ErrBadContentLength        = newError(400, "malformed Content-Length")
	ErrDuplicateContentLength  = newError(400, "differing Content-Length values")
	ErrContentLengthAndTE      = newError(400, "both Content-Length and Transfer-Encoding")
	ErrTransferEncodingHTTP10  = newError(400, "Transfer-Encoding in an HTTP/1.0 message")
	ErrBadTransferEncoding     = newError(400, "chunked is not the final transfer coding")
	ErrUnsupportedTransferCode = newError(501, "unsupported transfer coding")
)

// Errors of a message body.
var (
	ErrBadChunkSize      = newError(400, "malformed chunk size")
	ErrChunkSizeOverflow = newError(400, "chunk size too large")
	ErrBadChunkExtension = newError(400, "malformed chunk extension")
	ErrChunkExtTooLong   = newError(400, "chunk extensions too long")
	ErrBadChunkEnd       = newError(400, "chunk data not followed by CRLF")
)
