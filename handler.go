package turbohttp

import (
	"bufio"
	"errors"
	"net"
	"time"
)

// A Handler responds to an HTTP request. It writes the response head and
// body through w and returns when the response is complete; the server
// then finishes the response and reuses w and r, so a handler must not
// use either after it returns (see Request for what it may keep).
//
// A handler that panics has its connection closed (HTTP/1) or its stream
// reset with INTERNAL_ERROR (HTTP/2) and the panic logged, with its stack;
// panic(ErrAbortHandler) does the same quietly.
//
// On HTTP/2 handlers of one connection run concurrently, each on a worker
// goroutine the server reuses; the ResponseWriter implements
// DeadlineSetter but not Hijacker.
type Handler interface {
	ServeHTTP(w ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// ResponseWriter builds a response for a Handler.
//
// The head is sent on the first Write or Flush, or when the handler
// returns, whichever comes first; changes to Header after that are ignored
// (but for fields declared as trailers). Unless the handler set
// Content-Length, a body that fits the write buffer when the handler
// returns gets an exact Content-Length, and a longer one is sent chunked
// (HTTP/1.1) or as DATA frames (HTTP/2).
type ResponseWriter interface {
	// Header returns the response header, to be filled before the head is
	// sent. For trailers, see Trailer.
	Header() *Header

	// WriteHeader sends the head with status code. A 1xx code (other than
	// 101) sends an informational response at once, with the fields in
	// Header at that moment, and may be followed by others; the final
	// status may be written only once. Without a call, the status is 200.
	WriteHeader(code int)

	// Write appends p to the body, sending the head first if needed. It
	// returns an error once the connection has failed, or if the status
	// or method allows no body (ErrBodyNotAllowed).
	Write(p []byte) (int, error)

	// WriteString is Write for a string, without a copy.
	WriteString(s string) (int, error)

	// Flush sends whatever is buffered, head included, to the client.
	Flush() error

	// Trailer returns the trailer fields, sent after the body. Fields
	// added before the head is sent are declared in a Trailer field;
	// others may still be added until the handler returns.
	Trailer() *Header
}

// Hijacker is implemented by the HTTP/1 ResponseWriter: a handler takes
// over the connection, for a protocol upgrade or a CONNECT tunnel. The
// returned reader holds what the client sent after the request head.
// After Hijack the server no longer touches the connection; the handler
// must close it.
type Hijacker interface {
	Hijack() (net.Conn, *bufio.ReadWriter, error)
}

// DeadlineSetter is implemented by the server's ResponseWriters: a handler
// moves the read deadline (for the request body) or the write deadline of
// its connection, as with net/http's ResponseController.
type DeadlineSetter interface {
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

var (
	// ErrAbortHandler, as a panic value, aborts the response: the server
	// closes the connection (HTTP/1) or resets the stream (HTTP/2) without
	// logging a stack.
	ErrAbortHandler = errors.New("turbohttp: abort handler")

	// ErrBodyNotAllowed is returned by Write when the request method or
	// the response status allows no body (HEAD, 1xx, 204, 304).
	ErrBodyNotAllowed = errors.New("turbohttp: request method or response status code does not allow body")

	// ErrHijacked is returned by ResponseWriter methods after Hijack.
	ErrHijacked = errors.New("turbohttp: connection has been hijacked")
)
